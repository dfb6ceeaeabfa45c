/*
 * Real-time signals queue (each sigqueue is its own instance, with its own
 * value), standard ones merge; delivery order with several pending.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile int got[64], n;

static void h(int sig, siginfo_t *si, void *u)
{
	(void)u;
	if (n < 64)
		got[n++] = (sig - SIGRTMIN) * 100 + si->si_value.sival_int;
}

static void show(const char *what)
{
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %d", got[i]);
	printf(" (%d)\n", n);
	n = 0;
}

int main(void)
{
	struct sigaction sa = {0};
	sigset_t s, old;
	siginfo_t si;
	struct timespec zero = {0, 0};
	int i, r;

	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, 0);
	sigaction(SIGRTMIN + 1, &sa, 0);
	sigaction(SIGUSR1, &sa, 0);
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGRTMIN + 1);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, &old);

	/* Process-directed. */
	for (i = 1; i <= 3; i++) {
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i});
		sigqueue(getpid(), SIGRTMIN, (union sigval){.sival_int = i});
		sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = i});
	}
	r = sigtimedwait(&s, &si, &zero);
	printf("sigtimedwait: USR1 %d value %d\n", r == SIGUSR1, si.si_value.sival_int);
	r = sigtimedwait(&s, &si, &zero);
	printf("sigtimedwait: RTMIN %d value %d\n", r == SIGRTMIN, si.si_value.sival_int);
	sigpending(&old);
	printf("still pending: RTMIN %d RTMIN+1 %d USR1 %d\n", sigismember(&old, SIGRTMIN),
	       sigismember(&old, SIGRTMIN + 1), sigismember(&old, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &s, 0);
	show("handled");

	/* Thread-directed, to ourselves. */
	sigprocmask(SIG_BLOCK, &s, 0);
	for (i = 1; i <= 5; i++)
		pthread_sigqueue(pthread_self(), SIGRTMIN, (union sigval){.sival_int = i});
	sigprocmask(SIG_UNBLOCK, &s, 0);
	show("thread-directed");

	/* Many of them. */
	sigprocmask(SIG_BLOCK, &s, 0);
	for (i = 0; i < 1000; i++)
		sigqueue(getpid(), SIGRTMIN + 1, (union sigval){.sival_int = i});
	for (i = 0; sigtimedwait(&s, &si, &zero) == SIGRTMIN + 1; i++)
		if (si.si_value.sival_int != i)
			break;
	printf("1000 queued, %d taken in order\n", i);
	return 0;
}
