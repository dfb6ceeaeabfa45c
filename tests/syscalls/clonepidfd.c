/*
 * clone's CLONE_PIDFD: the new process's pidfd, close-on-exec, in the
 * parent's table, through clone3's own field or clone's parent_tid (which
 * CLONE_PARENT_SETTID then cannot share); it polls readable at the child's
 * exit, waitid(P_PIDFD) reaps through it, pidfd_send_signal signals through
 * it (not with an info of another signal).  A bad pointer fails the clone
 * with EFAULT (LTP's clone301, clone302).
 */
#include "check.h"
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static long clone3_pidfd(uint64_t flags, int *pidfd, int *ptid)
{
	struct clone_args ca = {.flags = flags, .exit_signal = SIGCHLD,
				.pidfd = (uint64_t)(uintptr_t)pidfd, .parent_tid = (uint64_t)(uintptr_t)ptid};

	return syscall(SYS_clone3, &ca, sizeof(ca));
}

int main(void)
{
	int pidfd = -1, ptid = 0;
	long pid;
	siginfo_t si;
	struct pollfd p;

	pid = clone3_pidfd(CLONE_PIDFD | CLONE_PARENT_SETTID, &pidfd, &ptid);
	if (pid == 0)
		_exit(7);
	CHECK("clone3 CLONE_PIDFD|CLONE_PARENT_SETTID > 0", pid > 0);
	CHECK("the pidfd is an fd", pidfd >= 0);
	CHECK("parent_tid is the pid", ptid == pid);
	CHECK("close-on-exec", fcntl(pidfd, F_GETFD) & FD_CLOEXEC);
	p = (struct pollfd){.fd = pidfd, .events = POLLIN};
	CHECK("poll: readable at the exit", poll(&p, 1, 5000));
	CHECK("revents", p.revents);
	memset(&si, 0, sizeof(si));
	CHECK("waitid P_PIDFD", waitid(P_PIDFD, pidfd, &si, WEXITED));
	CHECK("the child's status", si.si_status);
	CHECK("the child's pid", si.si_pid == pid);
	close(pidfd);

	/* Signalled through it. */
	pidfd = -1;
	pid = clone3_pidfd(CLONE_PIDFD, &pidfd, NULL);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	/* An info of another signal than the one sent is refused, sent to no one (LTP's pidfd_send_signal02). */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	CHECK("pidfd_send_signal SIGUSR2 with SIGUSR1's info", syscall(SYS_pidfd_send_signal, pidfd, SIGUSR2, &si, 0));
	CHECK("pidfd_send_signal SIGTERM", syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0));
	memset(&si, 0, sizeof(si));
	CHECK("waitid P_PIDFD after the signal", waitid(P_PIDFD, pidfd, &si, WEXITED));
	CHECK("killed by", si.si_code == CLD_KILLED ? si.si_status : -1);
	close(pidfd);

	/* clone(2): the pidfd goes where parent_tid points, so not both. */
	pidfd = -1;
	pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, 0);
	if (pid == 0)
		_exit(3);
	CHECK("clone CLONE_PIDFD: a pidfd", pid > 0 && pidfd >= 0);
	waitpid((pid_t)pid, NULL, 0);
	close(pidfd);
	CHECK("clone CLONE_PIDFD|CLONE_PARENT_SETTID",
	      syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, NULL, &pidfd, NULL, 0));

	/* A pointer that cannot be written: no child. */
	CHECK("clone3 CLONE_PIDFD, bad pointer", clone3_pidfd(CLONE_PIDFD, (int *)8, NULL));
	CHECK("no child was made", waitpid(-1, NULL, WNOHANG));
	return 0;
}
