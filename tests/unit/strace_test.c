/*
 * The --strace decoder alone, with the memory manager it reads guest
 * memory through (no kernel, no VFS, no handlers): each line is checked
 * against what strace(1) prints for the same call: names, AT_FDCWD, flag
 * sets, strings read from guest memory and cut at 32 bytes, a pointer that
 * cannot be read printed as its address, errors with their name and text,
 * and unknown numbers.
 * links: syscalls/strace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "syscalls/strace.h"

#define UNIT_NAME "strace"
#include "unit.h"

static int fake_as;
static struct plat_as *as_create(int *err) { return (struct plat_as *)&fake_as; }
static void as_nop(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot) { }
static void as_defer_put(struct plat_as *as, uint64_t off) { mf_put(off); }
static const struct platform fake = {
	.as_create = as_create, .as_map = as_nop, .as_defer_put = as_defer_put, .user_limit = 0x7ffffffff000ULL};

static int rd;

/* The line strace_exit prints for nr(args) = ret, without its newline. */
static const char *line(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, long ret)
{
	static char buf[2048];
	const uint64_t args[6] = {a0, a1, a2, a3, 0, 0};
	ssize_t n;

	strace_exit(t, nr, args, ret);
	n = read(rd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return buf;
}

#define LINE_IS(what, got, want)                            \
	do {                                                \
		const char *g_ = (got);                     \
		CHECK(what, strcmp(g_, want) == 0);         \
		if (strcmp(g_, want))                       \
			printf("  got:  %s\n  want: %s\n", g_, want); \
	} while (0)

int main(void)
{
	static struct task t;
	const gva_t A = 0x400000;
	int p[2], err = 0;

	plat = &fake;
	if (mf_init(16 << 20) < 0 || pipe(p) < 0) {
		printf("FAIL strace cannot make a memory file\n");
		return 1;
	}
	rd = p[0];
	strace_fd = p[1];
	t.tid = 7;
	t.mm = mm_create(&err);
	mm_mmap(t.mm, A, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, NULL, 0, PROT_READ | PROT_WRITE);
	mm_copy_out(t.mm, A, "/etc/passwd", 12);
	mm_copy_out(t.mm, A + 100, "0123456789abcdefghijklmnopqrstuvwxyz\n", 37);

	CHECK("names come from the one table", strace_name(__NR_openat) && !strcmp(strace_name(__NR_openat), "openat") &&
						  !strace_name(-1) && !strace_name(100000));
	LINE_IS("openat with AT_FDCWD, a path and flags",
		line(&t, __NR_openat, (uint64_t)AT_FDCWD, A, O_RDONLY | O_CLOEXEC, 0, 3),
		"[pid 7] openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	LINE_IS("an error with its name and text",
		line(&t, __NR_openat, (uint64_t)AT_FDCWD, A, O_WRONLY | O_CREAT | O_EXCL, 0600, -EEXIST),
		"[pid 7] openat(AT_FDCWD, \"/etc/passwd\", O_WRONLY|O_CREAT|O_EXCL, 0600) = -1 EEXIST (File exists)");
	LINE_IS("an unreadable pointer prints as its address",
		line(&t, __NR_openat, (uint64_t)AT_FDCWD, 0x1000, O_RDONLY, 0, -EFAULT),
		"[pid 7] openat(AT_FDCWD, 0x1000, O_RDONLY) = -1 EFAULT (Bad address)");
	LINE_IS("read's buffer as written, cut at 32 bytes",
		line(&t, __NR_read, 3, A + 100, 4096, 0, 37),
		"[pid 7] read(3, \"0123456789abcdefghijklmnopqrstuv\"..., 4096) = 37");
	LINE_IS("write's buffer escaped", line(&t, __NR_write, 1, A + 126, 11, 0, 11),
		"[pid 7] write(1, \"qrstuvwxyz\\n\", 11) = 11");
	LINE_IS("an unknown number shows its registers", line(&t, 999, 1, 2, 3, 4, -ENOSYS),
		"[pid 7] syscall_0x3e7(0x1, 0x2, 0x3, 0x4, 0, 0) = -1 ENOSYS (Function not implemented)");
	return unit_failed;
}
