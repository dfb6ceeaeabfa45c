/*
 * Hostile input: bad pointers, fds, lengths, offsets, flags and syscall
 * numbers.  Each must get the errno Linux gives (the native run), and the
 * process must go on afterwards.
 */
#include "check.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#define KADDR ((void *)0xffff800000000000UL)

int main(void)
{
	char buf[64], longname[300], longpath[PATH_MAX + 16];
	void *unmapped, *ro;
	struct stat st;
	int fd, p[2], closed_fd;

	/* The read-only page first, so the hole left below is not reused for it. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped, 4096);
	fd = open("/etc/passwd", O_RDONLY);
	closed_fd = open("/etc/passwd", O_RDONLY);
	close(closed_fd);

	/* Bad pointers. */
	CHECK("read(NULL)", syscall(SYS_read, fd, NULL, 10));
	CHECK("read(kernel address)", syscall(SYS_read, fd, KADDR, 10));
	CHECK("read(unmapped)", syscall(SYS_read, fd, unmapped, 10));
	CHECK("read(read-only buffer)", syscall(SYS_read, fd, ro, 10));
	CHECK("read(len 0, NULL)", syscall(SYS_read, fd, NULL, 0));
	CHECK("write(NULL)", syscall(SYS_write, 1, NULL, 10));
	CHECK("open(NULL)", syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
	CHECK("open(kernel address)", syscall(SYS_openat, AT_FDCWD, KADDR, O_RDONLY));
	CHECK("stat(path NULL)", syscall(SYS_newfstatat, AT_FDCWD, NULL, &st, 0));
	CHECK("fstat(buf NULL)", syscall(SYS_fstat, fd, NULL));
	CHECK("fstat(buf read-only)", syscall(SYS_fstat, fd, ro));
	CHECK("pipe2(NULL)", syscall(SYS_pipe2, NULL, 0));
	CHECK("getcwd(NULL, 100)", syscall(SYS_getcwd, NULL, 100));
	CHECK("uname(NULL)", syscall(SYS_uname, NULL));
	CHECK("clock_gettime(NULL)", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, NULL));
	CHECK("readv(iov NULL)", syscall(SYS_readv, fd, NULL, 1));
	{
		struct iovec iov = {unmapped, 10};

		CHECK("readv(iov base unmapped)", syscall(SYS_readv, fd, &iov, 1));
	}
	CHECK("rt_sigaction(act unmapped)", syscall(SYS_rt_sigaction, SIGUSR1, unmapped, NULL, 8));
	CHECK("rt_sigaction(sigsetsize 4)", syscall(SYS_rt_sigaction, SIGUSR1, NULL, NULL, 4));
	CHECK("rt_sigprocmask(sigsetsize 16)", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, NULL, 16));
	CHECK("rt_sigprocmask(how 99)", syscall(SYS_rt_sigprocmask, 99, buf, NULL, 8));
	/* 0x1000 lies below mmap_min_addr: never mapped, whatever else happened. */
	CHECK("futex(never mapped)", syscall(SYS_futex, (void *)0x1000, 0 /* FUTEX_WAIT */, 0, NULL, NULL, 0));
	CHECK("futex(misaligned)", syscall(SYS_futex, buf + 1, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0));
	{
		struct timespec bad = {0, 1000000000L};

		CHECK("nanosleep(nsec 1e9)", syscall(SYS_nanosleep, &bad, NULL));
		bad.tv_sec = -1;
		bad.tv_nsec = 0;
		CHECK("nanosleep(sec -1)", syscall(SYS_nanosleep, &bad, NULL));
	}

	/* Bad fds. */
	CHECK("read(-1)", syscall(SYS_read, -1, buf, 10));
	CHECK("read(9999)", syscall(SYS_read, 9999, buf, 10));
	CHECK("read(closed fd)", syscall(SYS_read, closed_fd, buf, 10));
	CHECK("close(-1)", syscall(SYS_close, -1));
	CHECK("fstat(9999)", syscall(SYS_fstat, 9999, &st));
	CHECK("dup(-1)", syscall(SYS_dup, -1));
	CHECK("dup2(fd, -1)", syscall(SYS_dup2, fd, -1));
	CHECK("dup3(fd, fd)", syscall(SYS_dup3, fd, fd, 0));
	CHECK("dup3(bad flags)", syscall(SYS_dup3, fd, 100, 12345));
	CHECK("write(read-only fd)", syscall(SYS_write, fd, "x", 1));
	CHECK("lseek(9999)", syscall(SYS_lseek, 9999, 0, SEEK_SET));
	CHECK("fcntl(fd, 12345)", syscall(SYS_fcntl, fd, 12345, 0));
	CHECK("ioctl(file, TCGETS)", syscall(SYS_ioctl, fd, 0x5401, buf));
	CHECK("getdents64(file)", syscall(SYS_getdents64, fd, buf, sizeof(buf)));

	/* Huge lengths, negative offsets. */
	CHECK("pread64(offset -1)", syscall(SYS_pread64, fd, buf, 10, -1L));
	CHECK("lseek(fd, -1, SET)", syscall(SYS_lseek, fd, -1L, SEEK_SET));
	CHECK("lseek(fd, 0, 7)", syscall(SYS_lseek, fd, 0, 7));
	pipe(p);
	CHECK("lseek(pipe)", syscall(SYS_lseek, p[0], 0, SEEK_SET));
	CHECK("pread64(pipe)", syscall(SYS_pread64, p[0], buf, 1, 0));
	CHECK("mmap(len 0)", (long)syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK("mmap(no type)", (long)syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_ANONYMOUS, -1, 0));
	CHECK("mmap(huge)", (long)syscall(SYS_mmap, NULL, 1UL << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	CHECK("mmap(misaligned offset)", (long)syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 100));
	CHECK("mmap(bad fd)", (long)syscall(SYS_mmap, NULL, 4096, PROT_READ, MAP_PRIVATE, 9999, 0));
	CHECK("mmap(fixed misaligned)",
	      (long)syscall(SYS_mmap, (void *)0x10001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	CHECK("mprotect(misaligned)", syscall(SYS_mprotect, (char *)ro + 1, 4096, PROT_READ));
	CHECK("mprotect(unmapped)", syscall(SYS_mprotect, unmapped, 4096, PROT_READ));
	CHECK("munmap(misaligned)", syscall(SYS_munmap, (char *)ro + 1, 4096));
	CHECK("munmap(len 0)", syscall(SYS_munmap, ro, 0));
	CHECK("madvise(bad advice)", syscall(SYS_madvise, ro, 4096, 12345));
	CHECK("mremap(misaligned)", (long)syscall(SYS_mremap, (char *)ro + 1, 4096, 8192, MREMAP_MAYMOVE));

	/* Unknown flags. */
	CHECK("pipe2(bad flags)", syscall(SYS_pipe2, p, 0x12345));
	CHECK_OK("openat(garbage flags)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", 0x7fff0000 | O_RDONLY));
	CHECK_OK("openat(unknown flags only)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", 0x40000000 | O_RDONLY));
	CHECK("rmdir(.)", syscall(SYS_rmdir, "."));
	CHECK("rmdir(..)", syscall(SYS_rmdir, ".."));
	CHECK("unlink(/)", syscall(SYS_unlink, "/"));
	CHECK("newfstatat(bad flags)", syscall(SYS_newfstatat, AT_FDCWD, "/", &st, 0x12345));
	CHECK("faccessat(bad mode)", syscall(SYS_faccessat, AT_FDCWD, "/", 0x40));
	CHECK("unlinkat(bad flags)", syscall(SYS_unlinkat, AT_FDCWD, "/nonexistent", 0x12345));
	CHECK("getrandom(bad flags)", syscall(SYS_getrandom, buf, 8, 0x12345));
	CHECK("clone(bad flags)", syscall(SYS_clone, 0x100 | 0x10000 /* CLONE_VM|CLONE_THREAD, no SIGHAND */, 0, 0, 0, 0));
	CHECK("wait4(bad options)", syscall(SYS_wait4, -1, NULL, 0x12345, NULL));
	CHECK("kill(bad signal)", syscall(SYS_kill, getpid(), 1000));
	CHECK("clock_gettime(bad clock)", syscall(SYS_clock_gettime, 12345, buf));
	CHECK("prlimit(bad resource)", syscall(SYS_prlimit64, 0, 1000, NULL, buf));
	CHECK("prctl(bad option)", syscall(SYS_prctl, 12345, 0, 0, 0, 0));
	CHECK("arch_prctl(bad code)", syscall(SYS_arch_prctl, 0x9999, 0));

	/* Unknown syscall numbers. */
	CHECK("syscall(1000)", syscall(1000));
	CHECK("syscall(-1)", syscall(-1));
	CHECK("syscall(0x40000000|39)", syscall(0x40000000 | 39));
	CHECK("syscall(999)", syscall(999));

	/* Paths. */
	CHECK("read(directory)", syscall(SYS_read, open("/", O_RDONLY | O_DIRECTORY), buf, 10));
	CHECK("getcwd(size 0)", syscall(SYS_getcwd, buf, 0));
	CHECK("getcwd(size 1)", syscall(SYS_getcwd, buf, 1));
	CHECK("readlink(not a link)", syscall(SYS_readlinkat, AT_FDCWD, "/etc/passwd", buf, sizeof(buf)));
	CHECK("readlink(size 0)", syscall(SYS_readlinkat, AT_FDCWD, "/bin", buf, 0));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	CHECK("open(path > PATH_MAX)", syscall(SYS_openat, AT_FDCWD, longpath, O_RDONLY));
	memset(longname, 'b', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	CHECK("open(component > 255)", syscall(SYS_openat, AT_FDCWD, longname, O_RDONLY));
	CHECK("open(ENOENT)", syscall(SYS_openat, AT_FDCWD, "/nonexistent/x", O_RDONLY));
	CHECK("open(ENOTDIR)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd/x", O_RDONLY));
	CHECK("open(\"\")", syscall(SYS_openat, AT_FDCWD, "", O_RDONLY));
	CHECK("open(O_DIRECTORY on a file)", syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_DIRECTORY));
	CHECK("open(dir for writing)", syscall(SYS_openat, AT_FDCWD, "/etc", O_WRONLY));
	CHECK("mkdir(existing)", syscall(SYS_mkdirat, AT_FDCWD, "/etc", 0755));
	CHECK("rmdir(/)", syscall(SYS_rmdir, "/"));
	CHECK("chdir(a file)", syscall(SYS_chdir, "/etc/passwd"));

	/* Still alive, and still working. */
	CHECK("getppid works", syscall(SYS_getppid) >= 0);
	CHECK("write works", write(1, "", 0));
	printf("survived\n");
	return 0;
}
