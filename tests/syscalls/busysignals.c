/*
 * Signals to threads that wait long to run: 40 threads only compute while
 * 8 others fault in fresh pages, each of those with a timer of its own
 * sending it a signal every millisecond, for a second and a half.  In a
 * sandbox pinned to one CPU a thread can wait longer to run than the
 * platform's grace for an interrupted thread to stop, and then it may be
 * anywhere in the platform's own code (systrap's handler between its
 * answer to a fault and its rt_sigreturn): the signals must still land in
 * the application, and every thread must see the end with its work intact.
 */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#define HOGS 40
#define FAULTERS 8
#define PAGES 64

static atomic_int stop;
static _Thread_local long ticks;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static double compute(double f)
{
	for (int k = 0; k < 2000; k++)
		f = f * 1.0000001 + 1e-9; /* FPU state that must survive every stop */
	return f;
}

static void *hog(void *arg)
{
	double f = 1.0;

	(void)arg;
	while (!atomic_load_explicit(&stop, memory_order_relaxed))
		f = compute(f);
	return f > 1.0 ? NULL : (void *)2;
}

static void *faulter(void *arg)
{
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN};
	struct itimerspec it = {{0, 1000000}, {0, 1000000}};
	unsigned long sum = (unsigned long)arg;
	double f = 1.0;
	timer_t tm;

	ev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &ev, &tm) != 0 || timer_settime(tm, 0, &it, NULL) != 0)
		return (void *)1;
	while (!atomic_load(&stop)) {
		char *p = mmap(NULL, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return (void *)1;
		for (int i = 0; i < PAGES && !atomic_load(&stop); i++) {
			p[i * 4096] = (char)i; /* a fault each */
			f = compute(f);
			sum += (unsigned char)p[i * 4096];
		}
		munmap(p, PAGES * 4096);
	}
	timer_delete(tm);
	return f > 1.0 && sum && ticks > 0 ? NULL : (void *)2;
}

/* argv[1]: how many seconds it runs (1.5 without). */
int main(int argc, char **argv)
{
	pthread_t th[HOGS + FAULTERS];
	double secs = argc > 1 ? atof(argv[1]) : 1.5;
	struct timespec d = {(time_t)secs, (long)((secs - (time_t)secs) * 1e9)};
	int ok = 0;

	signal(SIGRTMIN, on_tick);
	for (int i = 0; i < HOGS + FAULTERS; i++)
		if (pthread_create(&th[i], NULL, i < HOGS ? hog : faulter, (void *)(long)(i + 1)) != 0)
			return 1;
	while (nanosleep(&d, &d) != 0)
		;
	atomic_store(&stop, 1);
	for (int i = 0; i < HOGS + FAULTERS; i++) {
		void *r = (void *)3;

		pthread_join(th[i], &r);
		ok += r == NULL;
	}
	printf("threads that ended with their work intact = %d of %d\n", ok, HOGS + FAULTERS);
	return 0;
}
