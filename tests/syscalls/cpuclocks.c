/*
 * CPU clocks: a thread's own (CLOCK_THREAD_CPUTIME_ID, pthread_getcpuclockid)
 * counts its own work, not its siblings' or its sleep; the process's counts
 * all of it; clocks of other processes and bad ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double secs(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts) != 0)
		return -1;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void spin(double s)
{
	double end = secs(CLOCK_THREAD_CPUTIME_ID) + s;
	volatile unsigned long x = 0;

	while (secs(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
}

static double sleeper_cpu, spinner_cpu;

static void *sleeper(void *a)
{
	struct timespec ts = {0, 300000000};

	(void)a;
	nanosleep(&ts, NULL);
	sleeper_cpu = secs(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static void *spinner(void *a)
{
	(void)a;
	spin(0.2);
	spinner_cpu = secs(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

int main(void)
{
	pthread_t a, b;
	clockid_t c;
	struct timespec ts;
	double p0 = secs(CLOCK_PROCESS_CPUTIME_ID), t0 = secs(CLOCK_THREAD_CPUTIME_ID), before, after;
	int r;

	printf("clocks readable: %d %d\n", p0 >= 0, t0 >= 0);
	pthread_create(&a, NULL, sleeper, NULL);
	pthread_create(&b, NULL, spinner, NULL);
	/* Another thread's clock, while it works. */
	usleep(50000);
	r = pthread_getcpuclockid(b, &c);
	before = secs(c);
	usleep(50000);
	after = secs(c);
	printf("pthread_getcpuclockid: %d, a working sibling's clock moves: %d\n", r, after > before);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	printf("sleeping thread used < 0.1 s: %d\n", sleeper_cpu >= 0 && sleeper_cpu < 0.1);
	printf("spinning thread used >= 0.2 s: %d, < 0.6 s: %d\n", spinner_cpu >= 0.2, spinner_cpu < 0.6);
	printf("main thread used < 0.1 s: %d\n", secs(CLOCK_THREAD_CPUTIME_ID) < 0.1);
	printf("process used >= 0.2 s: %d\n", secs(CLOCK_PROCESS_CPUTIME_ID) - p0 >= 0.19);

	printf("clock_getcpuclockid(self) = %d\n", clock_getcpuclockid(getpid(), &c));
	printf("its clock reads: %d\n", secs(c) >= 0.19);
	printf("clock_getcpuclockid(no such pid) = %s\n", strerror(clock_getcpuclockid(999999, &c)));
	errno = 0;
	printf("clock_gettime(bad id) = %d %s\n", clock_gettime((clockid_t)-5 /* kind 3 */, &ts), strerror(errno));
	errno = 0;
	ts.tv_sec = 0;
	ts.tv_nsec = 1000;
	printf("clock_nanosleep(thread CPU clock) = %s\n", strerror(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL)));
	/* glibc answers that one itself (EINVAL); the kernel says EOPNOTSUPP (LTP's clock_nanosleep01). */
	{
		long r;

		errno = 0;
		r = syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL);
		printf("SYS_clock_nanosleep(thread CPU clock) = %ld %s\n", r, strerror(errno));
	}
	return 0;
}
