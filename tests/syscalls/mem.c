/*
 * Memory: brk, anonymous and file mappings, MAP_FIXED, munmap of a middle
 * piece, mprotect, mremap, madvise(MADV_DONTNEED) and 64 MiB touched page
 * by page.  What a bad access does (the signals) is in memfaults.c.
 *
 * Addresses are never printed, only what the program sees through them.
 */
#include "check.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

/*
 * Below vm.mmap_min_addr (65536 in cvisor, as Debian's default; only page 0
 * is below it on every host): a fixed mapping or a move there is EPERM
 * without CAP_SYS_RAWIO in the host's user namespace (dropped here, so the
 * native run as root answers as a container's root does).  trinity's mmap at 0 used to reach the host, which refused
 * it and took the process down.
 */
static void min_addr_checks(void)
{
	struct { uint32_t version; int pid; } hdr = {0x20080522, 0};
	struct { uint32_t eff, perm, inh; } d[2];
	pid_t pid = fork();
	void *m;
	int st;

	if (pid == 0) {
		syscall(SYS_capget, &hdr, d);
		d[0].eff &= ~(1u << 17); /* CAP_SYS_RAWIO */
		syscall(SYS_capset, &hdr, d);
		CHECK("mmap MAP_FIXED at 0", mmap(0, PAGE, PROT_READ, ANON | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
		CHECK("mmap MAP_FIXED_NOREPLACE at 0", mmap(0, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0);
		m = mmap(0, PAGE, RW, ANON, -1, 0);
		CHECK("mremap to 0", mremap(m, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0) == MAP_FAILED ? -1 : 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
}

/* A checksum of LEN bytes at P that sees both the values and their order. */
static uint64_t sum(const unsigned char *p, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static void brk_checks(void)
{
	char *cur, *now;
	int i, same = 1;

	cur = (char *)syscall(SYS_brk, 0);
	CHECK("brk grow by 1 MiB", syscall(SYS_brk, cur + (1 << 20)) == (long)(cur + (1 << 20)));
	/* New break memory reads as zero and takes writes. */
	for (i = 0; i < (1 << 20); i += PAGE)
		same &= cur[i] == 0;
	printf("grown break reads zero %d\n", same);
	memset(cur, 'b', 1 << 20);
	CHECK("brk shrink to 1 page", syscall(SYS_brk, cur + PAGE) == (long)(cur + PAGE));
	printf("kept page intact %d\n", cur[0] == 'b' && cur[PAGE - 1] == 'b');
	CHECK("brk grow again", syscall(SYS_brk, cur + 2 * PAGE) == (long)(cur + 2 * PAGE));
	/* What was given back and taken again must come back zeroed. */
	printf("regrown page reads zero %d\n", cur[PAGE] == 0 && cur[2 * PAGE - 1] == 0);
	now = (char *)syscall(SYS_brk, cur + 100);
	CHECK("brk to an unaligned end", now == cur + 100);
	cur[PAGE - 1] = 1;	/* still in the page that holds the end */
	CHECK("brk back", syscall(SYS_brk, cur) == (long)cur);
	/* sbrk's view agrees with the raw call. */
	CHECK("sbrk(0) is the break", sbrk(0) == (void *)cur);
}

int main(void)
{
	char *p, *q, *r;
	uint64_t h;
	size_t i;
	int fd;

	/* No stdio buffer on the heap: brk_checks moves the break both ways. */
	setvbuf(stdout, NULL, _IONBF, 0);

	printf("-- brk\n");
	brk_checks();

	printf("-- below mmap_min_addr\n");
	min_addr_checks();

	printf("-- anonymous mappings\n");
	p = mmap(NULL, 3 * PAGE, RW, ANON, -1, 0);
	CHECK("mmap 3 pages", p == MAP_FAILED ? -1 : 0);
	CHECK("page aligned", ((uintptr_t)p & (PAGE - 1)) == 0);
	printf("reads zero %d\n", p[0] == 0 && p[3 * PAGE - 1] == 0);
	memset(p, 'x', 3 * PAGE);
	CHECK("munmap the middle page", munmap(p + PAGE, PAGE));
	printf("first and last pages kept: %c %c\n", p[0], p[2 * PAGE + 5]);
	CHECK("mprotect first page read-only", mprotect(p, PAGE, PROT_READ));
	printf("read after mprotect: %c\n", p[10]);
	CHECK("mprotect it back", mprotect(p, PAGE, RW));
	p[10] = 'y';
	printf("write after mprotect back: %c\n", p[10]);
	CHECK("MAP_FIXED into the hole", mmap(p + PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0) == p + PAGE);
	printf("new middle page reads zero %d, neighbours %c %c\n", p[PAGE] == 0, p[PAGE - 1], p[2 * PAGE]);
	/* MAP_FIXED over a mapping replaces it: the old contents are gone. */
	CHECK("MAP_FIXED over the last page", mmap(p + 2 * PAGE, PAGE, RW, ANON | MAP_FIXED, -1, 0) == p + 2 * PAGE);
	printf("replaced page reads zero %d\n", p[2 * PAGE] == 0);
	/* A place known to be free: one just given back. */
	r = mmap(NULL, PAGE, PROT_NONE, ANON, -1, 0);
	munmap(r, PAGE);
	CHECK("MAP_FIXED_NOREPLACE in a free place", (q = mmap(r, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0)) == r);
	CHECK("MAP_FIXED_NOREPLACE again there", mmap(r, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED ? -1 : 0);
	munmap(q, PAGE);
	CHECK("munmap all, holes included", munmap(p, 3 * PAGE));
	CHECK("PROT_NONE mapping", (q = mmap(NULL, PAGE, PROT_NONE, ANON, -1, 0)) == MAP_FAILED ? -1 : 0);
	CHECK("mprotect PROT_NONE to RW", mprotect(q, PAGE, RW));
	q[0] = 'n';
	printf("PROT_NONE page after mprotect: %c\n", q[0]);
	munmap(q, PAGE);

	printf("-- mremap\n");
	q = mmap(NULL, PAGE, RW, ANON, -1, 0);
	strcpy(q, "keep me");
	/* A mapping just after q, so that growing in place cannot work. */
	r = mmap(q + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	CHECK("mremap grow without MAYMOVE, blocked", mremap(q, PAGE, 2 * PAGE, 0) == MAP_FAILED ? -1 : 0);
	q = mremap(q, PAGE, 16 * PAGE, MREMAP_MAYMOVE);
	CHECK("mremap grow with MAYMOVE", q == MAP_FAILED ? -1 : 0);
	printf("contents kept '%s', new tail zero %d\n", q, q[15 * PAGE] == 0);
	q[15 * PAGE] = 't';
	CHECK("mremap shrink", mremap(q, 16 * PAGE, 2 * PAGE, 0) == q);
	CHECK("shrunk tail is unmapped", mprotect(q + 2 * PAGE, PAGE, PROT_READ));
	munmap(r, PAGE);
	/* The destination of a fixed move: whatever is there is replaced. */
	r = mmap(NULL, 2 * PAGE, PROT_READ, ANON, -1, 0);
	CHECK("mremap FIXED to a chosen place", mremap(q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, r) == r);
	printf("moved contents '%s', second page zero %d\n", r, r[PAGE] == 0);
	CHECK("old place unmapped", mprotect(q, PAGE, PROT_READ));
	munmap(r, 2 * PAGE);

	printf("-- madvise\n");
	q = mmap(NULL, 4 * PAGE, RW, ANON, -1, 0);
	memset(q, 'd', 4 * PAGE);
	CHECK("MADV_DONTNEED middle pages", madvise(q + PAGE, 2 * PAGE, MADV_DONTNEED));
	printf("after DONTNEED: %d %d %d %d (1 = zero)\n", q[0] == 0, q[PAGE] == 0, q[3 * PAGE - 1] == 0, q[3 * PAGE] == 0);
	CHECK("MADV_WILLNEED", madvise(q, 4 * PAGE, MADV_WILLNEED));
	CHECK("MADV_NORMAL", madvise(q, 4 * PAGE, MADV_NORMAL));
	printf("contents unchanged by advice: %c\n", q[0]);
	munmap(q, 4 * PAGE);

	printf("-- 64 MiB\n");
	p = mmap(NULL, 64 << 20, RW, ANON, -1, 0);
	CHECK("mmap 64 MiB", p == MAP_FAILED ? -1 : 0);
	for (i = 0; i < (64 << 20); i += PAGE)
		*(uint64_t *)(p + i + (i >> 12) % 512 * 8) = i * 2654435761U;
	for (h = 1469598103934665603ULL, i = 0; i < (64 << 20); i += PAGE)
		h = (h ^ *(uint64_t *)(p + i + (i >> 12) % 512 * 8)) * 1099511628211ULL;
	printf("64 MiB checksum %016llx\n", (unsigned long long)h);
	CHECK("munmap 64 MiB", munmap(p, 64 << 20));

	printf("-- file mappings\n");
	fd = open("/tmp/cvt-mapped", O_RDWR | O_CREAT | O_TRUNC, 0600);
	for (i = 0; i < 3 * PAGE; i += 16)
		write(fd, "file contents 16", 16);
	p = mmap(NULL, 3 * PAGE, RW, MAP_PRIVATE, fd, 0);
	CHECK("private file mapping", p == MAP_FAILED ? -1 : 0);
	printf("sees '%.16s', page 3 sum %016llx\n", p, (unsigned long long)sum((unsigned char *)p + 2 * PAGE, PAGE));
	p[0] = 'F';
	{
		char buf[20] = {0};

		pread(fd, buf, 4, 0);
		printf("file after a private write '%.4s', mapping '%.4s'\n", buf, p);
	}
	q = mmap(NULL, PAGE, RW, MAP_SHARED, fd, 0);
	CHECK("shared file mapping", q == MAP_FAILED ? -1 : 0);
	q[1] = 'S';
	{
		char buf[20] = {0};

		pread(fd, buf, 4, 0);
		printf("file after a shared write '%.4s'\n", buf);
	}
	pwrite(fd, "W", 1, 2);
	printf("shared mapping sees a write: %c\n", q[2]);
	CHECK("msync", msync(q, PAGE, MS_SYNC));
	munmap(q, PAGE);
	munmap(p, 3 * PAGE);
	/* Mapping at an offset, and a mapping of a file on the read-only root. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
	printf("offset mapping sees '%.16s'\n", p);
	close(fd);
	printf("mapping outlives its fd '%.4s'\n", p);
	fd = open("/etc/passwd", O_RDONLY);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("map /etc/passwd", p == MAP_FAILED ? -1 : 0);
	printf("starts with root: %d\n", strncmp(p, "root:", 5) == 0);
	CHECK("shared read-only of a read-only fd", mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
	CHECK("mprotect PROT_WRITE on it", mprotect(mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0), PAGE, RW));
	CHECK("MAP_PRIVATE RW of a read-only fd", mmap(NULL, PAGE, RW, MAP_PRIVATE, fd, 0) == MAP_FAILED ? -1 : 0);
	close(fd);
	CHECK("shared anonymous", (q = mmap(NULL, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED ? -1 : 0);
	q[0] = 1;
	return 0;
}
