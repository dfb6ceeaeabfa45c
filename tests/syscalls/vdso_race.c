/*
 * The vDSO's data page is rewritten while programs read it (the sentry
 * refits its clock every 50 ms): two threads that read CLOCK_MONOTONIC and
 * CLOCK_REALTIME in a loop for two seconds, mostly through the vDSO and now
 * and then through the system call, never see time go backwards, neither
 * in their own readings nor against the latest reading either has
 * published.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define THREADS 2
#define SECONDS 2

static int64_t published[2]; /* the latest reading of each clock by any thread */
static volatile int stop;

struct result {
	long reads, back, behind_published;
};

static int64_t now_ns(clockid_t c, int trapped)
{
	struct timespec ts;

	if (trapped)
		syscall(SYS_clock_gettime, c, &ts);
	else
		clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *reader(void *arg)
{
	struct result *r = arg;
	int64_t last[2] = {0, 0};
	long i;

	for (i = 0; !stop; i++) {
		int k = (int)(i & 1);
		clockid_t c = k ? CLOCK_REALTIME : CLOCK_MONOTONIC;
		int64_t seen = __atomic_load_n(&published[k], __ATOMIC_ACQUIRE), t = now_ns(c, i % 256 == 255), p;

		if (t < last[k])
			r->back++;
		if (t < seen)
			r->behind_published++;
		last[k] = t;
		p = seen;
		while (p < t && !__atomic_compare_exchange_n(&published[k], &p, t, 0, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE))
			;
		r->reads++;
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	struct result res[THREADS] = {0};
	struct result sum = {0};
	struct timespec d = {SECONDS, 0};
	int i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, reader, &res[i]);
	nanosleep(&d, NULL);
	stop = 1;
	for (i = 0; i < THREADS; i++) {
		pthread_join(th[i], NULL);
		sum.reads += res[i].reads;
		sum.back += res[i].back;
		sum.behind_published += res[i].behind_published;
	}
	printf("a thread's clock went back = %ld\n", sum.back);
	printf("a clock behind another thread's earlier reading = %ld\n", sum.behind_published);
	printf("both threads read = %s\n", res[0].reads > 1000 && res[1].reads > 1000 ? "yes" : "no");
	return 0;
}
