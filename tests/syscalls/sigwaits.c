/*
 * Waiting for signals: the masks of ppoll, pselect6 and epoll_pwait (what
 * make relies on to hear SIGCHLD), sigwaitinfo and signalfd woken by a
 * blocked signal, a blocked SIGCHLD (ignored by default) kept pending for
 * sigtimedwait, SIG_IGN dropping what is pending, and kill(-1) sparing the
 * caller.
 */
#include "check.h"

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>

static volatile int got;

static void handler(int sig)
{
	got = sig;
}

/* A child that exits at once: SIGCHLD for the parent, soon. */
static pid_t quick_child(int code)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

/* A child that sends sig to its parent after a short sleep (the parent is waiting by then). */
static pid_t later_signal(int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec ts = {0, 100 * 1000 * 1000};

		nanosleep(&ts, NULL);
		kill(getppid(), sig);
		_exit(0);
	}
	return pid;
}

/*
 * Run as pid 1 of a pid namespace: a child calls kill(-1, SIGUSR1); its
 * sibling dies of it, it and pid 1 do not.  0 when all is as Linux does it.
 */
static int kill_all_as_init(void)
{
	pid_t victim, caller;
	int st, caller_st;

	signal(SIGUSR1, SIG_DFL);
	victim = fork();
	if (victim == 0) {
		pause();
		_exit(0);
	}
	caller = fork();
	if (caller == 0) {
		usleep(100 * 1000);
		kill(-1, SIGUSR1);
		usleep(100 * 1000);
		_exit(0); /* still alive */
	}
	waitpid(victim, &st, 0);
	waitpid(caller, &caller_st, 0);
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGUSR1)
		return 2;
	if (!WIFEXITED(caller_st))
		return 3;
	return 0; /* and pid 1 itself is still here */
}

static void reap(pid_t pid)
{
	waitpid(pid, NULL, 0);
}

int main(void)
{
	struct sigaction sa;
	sigset_t block, empty, set;
	struct timespec ts = {5, 0};
	siginfo_t si;
	pid_t pid;
	int r, fd, ep, p[2];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&empty);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);

	/* pselect6 with an empty mask: the blocked SIGCHLD interrupts it and its handler runs. */
	got = 0;
	pid = quick_child(0);
	CHECK("pselect with SIGCHLD unblocked", pselect(0, NULL, NULL, NULL, &ts, &empty));
	printf("handler ran: %d\n", got == SIGCHLD);
	reap(pid);
	sigprocmask(SIG_BLOCK, NULL, &set);
	printf("mask restored: %d\n", sigismember(&set, SIGCHLD));

	/* ppoll likewise. */
	got = 0;
	pid = quick_child(0);
	CHECK("ppoll with SIGCHLD unblocked", ppoll(NULL, 0, &ts, &empty));
	printf("handler ran: %d\n", got == SIGCHLD);
	reap(pid);

	/* epoll_pwait likewise. */
	ep = epoll_create1(0);
	got = 0;
	pid = quick_child(0);
	CHECK("epoll_pwait with SIGCHLD unblocked", epoll_pwait(ep, (struct epoll_event[1]){0}, 1, 5000, &empty));
	printf("handler ran: %d\n", got == SIGCHLD);
	reap(pid);

	/* Not interrupted: ready at once, and the handler does not run under the call's mask. */
	pipe(p);
	write(p[1], "x", 1);
	got = 0;
	kill(getpid(), SIGUSR1); /* pending, blocked */
	{
		struct pollfd pfd = {p[0], POLLIN, 0};
		sigset_t only_usr1;

		sigfillset(&only_usr1);
		sigdelset(&only_usr1, SIGUSR1);
		r = ppoll(&pfd, 1, &ts, &only_usr1);
		/* Linux may deliver it (the call saw the signal) or return the fd; it must not lose it. */
		sigpending(&set);
		printf("ppoll ready: r=%d, usr1 handled or still pending: %d\n", r > 0 ? 1 : r,
		       got == SIGUSR1 || sigismember(&set, SIGUSR1));
	}
	sigtimedwait(&block, NULL, &(struct timespec){0, 0}); /* clear it if still pending */
	close(p[0]);
	close(p[1]);

	/* sigwaitinfo for a blocked signal that arrives while it waits. */
	pid = later_signal(SIGUSR1);
	r = sigwaitinfo(&block, &si);
	printf("sigwaitinfo = %d code SI_USER %d\n", r, si.si_code == SI_USER);
	reap(pid);
	/* The child's exit SIGCHLD may be pending now: take it. */
	sigtimedwait(&block, NULL, &(struct timespec){0, 0});

	/* A blocked SIGCHLD, default action (ignore): kept pending for sigtimedwait. */
	signal(SIGCHLD, SIG_DFL);
	pid = quick_child(3);
	r = sigtimedwait(&block, &si, &ts);
	printf("sigtimedwait SIGCHLD = %d code CLD_EXITED %d status %d\n", r, si.si_code == CLD_EXITED, si.si_status);
	reap(pid);

	/* signalfd becomes readable when a blocked signal arrives later. */
	fd = signalfd(-1, &block, SFD_CLOEXEC);
	pid = later_signal(SIGUSR1);
	{
		struct pollfd pfd = {fd, POLLIN, 0};
		struct signalfd_siginfo ssi;

		CHECK("poll on signalfd", poll(&pfd, 1, 5000));
		CHECK("read signalfd", read(fd, &ssi, sizeof(ssi)));
		printf("signalfd signo %u\n", ssi.ssi_signo);
	}
	reap(pid);
	close(fd);
	sigtimedwait(&block, NULL, &(struct timespec){0, 0});

	/* SIG_IGN drops a pending instance. */
	kill(getpid(), SIGUSR1);
	signal(SIGUSR1, SIG_IGN);
	sigpending(&set);
	printf("pending after SIG_IGN: %d\n", sigismember(&set, SIGUSR1));

	/* kill(-1): every process the caller may signal, but not the caller, nor pid 1. */
	signal(SIGUSR1, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	if (getpid() == 1) {
		r = kill_all_as_init(); /* the sandbox: this program is its pid 1 */
	} else if (unshare(CLONE_NEWPID) == 0) {
		/* Natively, in a pid namespace of its own, so that kill(-1) reaches nothing else. */
		int st;

		pid = fork();
		if (pid == 0)
			_exit(kill_all_as_init());
		waitpid(pid, &st, 0);
		r = WIFEXITED(st) ? WEXITSTATUS(st) : 9;
	} else {
		r = -1;
	}
	printf("kill(-1): %d\n", r);
	return 0;
}
