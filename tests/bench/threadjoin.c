/* SPDX-License-Identifier: MIT */
/* pthread_create of a thread that returns at once, then pthread_join: ns per round.  Usage: threadjoin N */
#include <pthread.h>

#include "bench.h"

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 100, i;
	uint64_t t0 = bench_now_ns(argv[0]);

	for (i = 0; i < n; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, nothing, NULL) || pthread_join(th, NULL))
			bench_die(argv[0], "pthread_create/join");
	}
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)n);
	return 0;
}
