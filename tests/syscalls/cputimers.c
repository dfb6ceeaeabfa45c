/*
 * Timers by clock: TIMER_ABSTIME on CLOCK_MONOTONIC waits for that time
 * (not the realtime clock's), expiries while the signal is still pending
 * come back as si_overrun, CPU-time timers (ITIMER_PROF, ITIMER_VIRTUAL,
 * timer_create on CLOCK_PROCESS_CPUTIME_ID) follow CPU time and so stay
 * quiet while the process sleeps, and a process may have 100 timers.
 * Times are compared with wide margins, printed as yes/no.
 */
#include "check.h"

#include <signal.h>
#include <sys/time.h>
#include <time.h>

static volatile int hits;

static void on_signal(int sig)
{
	(void)sig;
	hits++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	struct itimerspec its = {{0, 0}, {0, 0}};
	struct timespec mono;
	sigset_t usr1;
	siginfo_t si;
	timer_t id, many[100];
	double t0;
	int i, n;

	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGUSR1, on_signal);

	/* 0.5 s ahead on the monotonic clock, whose numbers are far below the realtime clock's. */
	CHECK("timer_create MONOTONIC", timer_create(CLOCK_MONOTONIC, &ev, &id));
	clock_gettime(CLOCK_MONOTONIC, &mono);
	its.it_value.tv_sec = mono.tv_sec + (mono.tv_nsec >= 500000000);
	its.it_value.tv_nsec = (mono.tv_nsec + 500000000) % 1000000000;
	t0 = now();
	CHECK("timer_settime ABSTIME", timer_settime(id, TIMER_ABSTIME, &its, NULL));
	while (!hits)
		pause();
	printf("absolute monotonic timer waited: %s\n", now() - t0 > 0.4 ? "yes" : "no");

	/* Every 10 ms for 300 ms with the signal blocked: one signal, the rest as overruns. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timer_settime(id, 0, &its, NULL);
	usleep(300 * 1000);
	sigwaitinfo(&usr1, &si);
	printf("si_overrun >= 10: %s\n", si.si_overrun >= 10 ? "yes" : "no");
	timer_delete(id);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	/* A CPU-time timer of 200 ms stays quiet through a 500 ms sleep... */
	hits = 0;
	CHECK("timer_create PROCESS_CPUTIME", timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &id));
	its = (struct itimerspec){{0, 0}, {0, 200000000}};
	timer_settime(id, 0, &its, NULL);
	usleep(500 * 1000);
	printf("CPU timer fired while asleep: %s\n", hits ? "yes" : "no");
	/* ... and fires once the process has spun that long. */
	t0 = now();
	while (!hits && now() - t0 < 5)
		;
	printf("CPU timer fired while spinning: %s\n", hits ? "yes" : "no");
	timer_delete(id);

	/* ITIMER_PROF and ITIMER_VIRTUAL. */
	signal(SIGPROF, on_signal);
	signal(SIGVTALRM, on_signal);
	hits = 0;
	{
		struct itimerval iv = {{0, 10000}, {0, 10000}}, cur, zero = {{0, 0}, {0, 0}};

		CHECK("setitimer PROF", setitimer(ITIMER_PROF, &iv, NULL));
		CHECK("setitimer VIRTUAL", setitimer(ITIMER_VIRTUAL, &iv, NULL));
		CHECK("getitimer PROF", getitimer(ITIMER_PROF, &cur));
		printf("PROF interval %ld us\n", (long)cur.it_interval.tv_usec);
		t0 = now();
		while (now() - t0 < 0.3)
			;
		printf("PROF/VIRTUAL fired while spinning: %s\n", hits ? "yes" : "no");
		setitimer(ITIMER_PROF, &zero, NULL);
		setitimer(ITIMER_VIRTUAL, &zero, NULL);
		CHECK("getitimer PROF after disarm", getitimer(ITIMER_PROF, &cur));
		printf("PROF value %ld.%06ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
	}
	CHECK("setitimer 3", setitimer(3, &(struct itimerval){{0, 0}, {0, 0}}, NULL));

	/* Many timers in one process. */
	ev.sigev_notify = SIGEV_NONE;
	for (n = 0; n < 100 && timer_create(CLOCK_MONOTONIC, &ev, &many[n]) == 0; n++)
		;
	printf("timers made: %d\n", n);
	for (i = 0; i < n; i++)
		timer_delete(many[i]);
	return 0;
}
