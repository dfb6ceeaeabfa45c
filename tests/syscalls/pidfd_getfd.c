/*
 * pidfd_getfd: a copy of a child's fd (the same open file, close-on-exec),
 * and its errors: flags, a fd that is no pidfd, a fd the target lacks, a
 * caller without ptrace's right over the target, an exited process (ESRCH,
 * reaped or not).
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long pidfd_open_(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

static long getfd(long pidfd, int fd, unsigned flags)
{
	return syscall(SYS_pidfd_getfd, pidfd, fd, flags);
}

int main(void)
{
	int ready[2], quit[2], st;
	char buf[16] = {0};
	long pfd, fd;
	pid_t child, other;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(ready) < 0 || pipe(quit) < 0)
		return 1;
	child = fork();
	if (child == 0) {
		int m = memfd_create("held", 0);

		if (write(m, "secret", 6) != 6 || dup2(m, 42) < 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(quit[0], buf, 1) < 0)
			_exit(1);
		_exit(0);
	}
	if (read(ready[0], buf, 1) != 1)
		return 1;
	pfd = pidfd_open_(child);
	fd = getfd(pfd, 42, 0);
	printf("pidfd_getfd of the child's fd 42: %s\n", fd >= 0 ? "an fd" : errname(errno));
	if (fd >= 0) {
		memset(buf, 0, sizeof(buf));
		CHECK("pread of it", pread((int)fd, buf, 6, 0));
		printf("  it reads \"%s\"; close-on-exec: %d\n", buf, fcntl((int)fd, F_GETFD) & FD_CLOEXEC);
		/* The same open file: the offset moves for both. */
		CHECK("lseek through it", lseek((int)fd, 3, SEEK_SET));
	}
	CHECK("flags 1", getfd(pfd, 42, 1));
	CHECK("not a pidfd", getfd(0, 42, 0));
	CHECK("no such fd", getfd(-1, 42, 0));
	CHECK("an fd the child does not have", getfd(pfd, 999, 0));
	CHECK("a negative target fd", getfd(pfd, -1, 0));

	other = fork();
	if (other == 0) {
		long p;

		/* Another user has no ptrace right over a root process. */
		if (setgid(1000) < 0 || setuid(1000) < 0)
			_exit(9);
		p = pidfd_open_(child);
		CHECK("pidfd_getfd by another user", getfd(p, 42, 0));
		_exit(0);
	}
	waitpid(other, &st, 0);

	if (write(quit[1], "q", 1) != 1)
		return 1;
	/* Exited, not yet reaped: no files left. */
	{
		siginfo_t si;

		waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT);
	}
	CHECK("a zombie's fd", getfd(pfd, 42, 0));
	waitpid(child, &st, 0);
	CHECK("a reaped process's fd", getfd(pfd, 42, 0));
	return 0;
}
