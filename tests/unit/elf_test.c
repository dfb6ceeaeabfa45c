/*
 * The ELF loader alone, with the VFS (a small tmpfs) and the layers below
 * it, over a fake platform: what execve refuses before the point of no
 * return (a file that is not ELF, a short or 32-bit or foreign header, no
 * program headers or fewer than it says, a segment whose file size passes its memory
 * size or whose address and offset disagree modulo the page, a directory,
 * a file without exec permission, a #! loop, a missing interpreter), and
 * what a minimal static program gives: the entry point, its segment mapped
 * with its protection, and argc/argv on the new stack.
 * links: sentry/loader/elf.c vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c vfs/fpages.c
 * libs: -lunwind -lxxhash
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/platform.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/tmpfs/tmpfs.h"
#include "vfs/vfs.h"

#define UNIT_NAME "elf"
#include "unit.h"
#include "vfs_root.h"

static int fake_as;
static struct plat_as *as_create(int *err) { return (struct plat_as *)&fake_as; }
static void as_destroy(struct plat_as *as) { }
static void as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot) { }
static void as_unmap(struct plat_as *as, uint64_t va, uint64_t len) { }
static void as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot) { }
static void as_defer_put(struct plat_as *as, uint64_t off) { mf_put(off); }
static const struct platform fake = {.as_create = as_create, .as_destroy = as_destroy, .as_map = as_map,
				     .as_unmap = as_unmap, .as_protect = as_protect, .as_defer_put = as_defer_put,
				     .user_limit = 0x7ffffffff000ULL};

static struct task *t;

/* Writes a file of len bytes at path (a fresh one each time) with mode. */
static void put_file(const char *path, const void *data, size_t len, uint32_t mode)
{
	char p[256];
	struct file *f;
	struct iovec iov = {(void *)data, len};
	uint64_t pos = 0;

	snprintf(p, sizeof(p), "%s", path);
	if (vfs_openat(t, AT_FDCWD, p, O_CREAT | O_WRONLY | O_TRUNC, mode, &f) < 0) {
		printf("FAIL elf cannot make %s\n", path);
		return;
	}
	f->ops->write(f, &iov, 1, &pos);
	file_put(f);
}

static long exec(const char *path, struct mm **mm, plat_regs *regs)
{
	char *const argv[] = {"prog", NULL}, *const envp[] = {"A=1", NULL};
	struct mm *m = NULL;
	plat_regs r;
	long ret = loader_exec(t, path, argv, envp, mm ? mm : &m, regs ? regs : &r);

	if (ret == 0 && !mm)
		mm_put(m);
	return ret;
}

struct prog {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	unsigned char code[16];
};

/* A static x86-64 program of one read-execute segment at 0x400000. */
static struct prog good(void)
{
	struct prog p;

	memset(&p, 0, sizeof(p));
	memcpy(p.eh.e_ident, ELFMAG, SELFMAG);
	p.eh.e_ident[EI_CLASS] = ELFCLASS64;
	p.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	p.eh.e_ident[EI_VERSION] = EV_CURRENT;
	p.eh.e_type = ET_EXEC;
	p.eh.e_machine = EM_X86_64;
	p.eh.e_version = EV_CURRENT;
	p.eh.e_entry = 0x400000 + offsetof(struct prog, code);
	p.eh.e_phoff = offsetof(struct prog, ph);
	p.eh.e_ehsize = sizeof(Elf64_Ehdr);
	p.eh.e_phentsize = sizeof(Elf64_Phdr);
	p.eh.e_phnum = 1;
	p.ph.p_type = PT_LOAD;
	p.ph.p_flags = PF_R | PF_X;
	p.ph.p_offset = 0;
	p.ph.p_vaddr = p.ph.p_paddr = 0x400000;
	p.ph.p_filesz = p.ph.p_memsz = sizeof(p);
	p.ph.p_align = 4096;
	memset(p.code, 0x90, sizeof(p.code));
	return p;
}

/* put_file of a variant of the good program, then exec: the result. */
static long exec_variant(struct prog p)
{
	put_file("/bad", &p, sizeof(p), 0755);
	return exec("/bad", NULL, NULL);
}

int main(void)
{
	struct prog p;
	struct mm *mm = NULL;
	plat_regs regs;
	uint64_t argc = 0;
	size_t i;
	int ok;

	plat = &fake;
	t = unit_vfs_root();
	if (!t)
		return 1;

	put_file("/text", "hello, not a program\n", 21, 0755);
	CHECK("a file that is neither ELF nor #! is ENOEXEC", exec("/text", NULL, NULL) == -ENOEXEC);
	p = good();
	put_file("/short", &p, 40, 0755);
	CHECK("a short ELF header is ENOEXEC", exec("/short", NULL, NULL) == -ENOEXEC);
	p = good();
	p.eh.e_ident[EI_CLASS] = ELFCLASS32;
	CHECK("a 32-bit ELF is ENOEXEC", exec_variant(p) == -ENOEXEC);
	p = good();
	p.eh.e_machine = EM_AARCH64;
	CHECK("another machine's ELF is ENOEXEC", exec_variant(p) == -ENOEXEC);
	p = good();
	p.eh.e_type = ET_REL;
	CHECK("an object file is ENOEXEC", exec_variant(p) == -ENOEXEC);
	p = good();
	p.eh.e_phnum = 0;
	CHECK("no program headers is ENOEXEC", exec_variant(p) == -ENOEXEC);
	{
		/* Program headers are read whole, wherever they end. */
		static unsigned char big[sizeof(Elf64_Ehdr) + 100 * sizeof(Elf64_Phdr)];

		p = good();
		p.eh.e_phnum = 100;
		p.ph.p_filesz = p.ph.p_memsz = sizeof(big);
		memcpy(big, &p.eh, sizeof(p.eh));
		memcpy(big + sizeof(p.eh), &p.ph, sizeof(p.ph));
		put_file("/many", big, sizeof(big), 0755);
		CHECK("100 program headers load", exec("/many", NULL, NULL) == 0);
		put_file("/many", big, sizeof(big) - 1, 0755);
		CHECK("program headers cut short are ENOEXEC", exec("/many", NULL, NULL) == -ENOEXEC);
	}
	p = good();
	p.ph.p_filesz = p.ph.p_memsz + 1;
	CHECK("a segment with more file than memory is ENOEXEC", exec_variant(p) == -ENOEXEC);
	p = good();
	p.ph.p_offset = 8;
	CHECK("a segment whose address and offset differ modulo the page is ENOEXEC", exec_variant(p) == -ENOEXEC);

	CHECK("a directory is EACCES", exec("/", NULL, NULL) == -EACCES);
	p = good();
	put_file("/noexec", &p, sizeof(p), 0644);
	t->cred.uid = t->cred.euid = t->cred.fsuid = 1000;
	CHECK("a file without exec permission is EACCES", exec("/noexec", NULL, NULL) == -EACCES);
	t->cred.uid = t->cred.euid = t->cred.fsuid = 0;
	put_file("/loop", "#!/loop\n", 8, 0755);
	CHECK("a #! loop is ELOOP", exec("/loop", NULL, NULL) == -ELOOP);
	put_file("/orphan", "#!/no/such/interpreter\n", 23, 0755);
	CHECK("a #! to a missing interpreter is ENOENT", exec("/orphan", NULL, NULL) == -ENOENT);

	p = good();
	put_file("/good", &p, sizeof(p), 0755);
	CHECK("a minimal static program loads", exec("/good", &mm, &regs) == 0 && mm);
	if (mm) {
		CHECK("it starts at its entry point", regs.rip == p.eh.e_entry);
		for (ok = 0, i = 0; i < mm->nvmas; i++)
			if (mm->vmas[i].start == 0x400000 && mm->vmas[i].prot == (PROT_READ | PROT_EXEC))
				ok = 1;
		CHECK("its segment is mapped read-execute at its address", ok);
		CHECK("argc is on top of the new stack",
		      mm_copy_in(mm, &argc, regs.rsp, sizeof(argc)) == 0 && argc == 1 && !(regs.rsp & 15));
		mm_put(mm);
	}
	pthread_mutex_unlock(&sentry_lock);
	return unit_failed;
}
