/* SPDX-License-Identifier: MIT */
/*
 * clockgettime N: the cost of clock_gettime(CLOCK_MONOTONIC) through libc,
 * in ns per call.
 *
 * libc reads the clock through the vDSO when the kernel (or the sandbox's
 * kernel) provides one, and makes the system call when it does not: the
 * figure says which of the two a program gets.
 */
#include <time.h>

#include "bench.h"

static const char *prog = "clockgettime";

static void call_n(long n)
{
	struct timespec ts;
	long i;

	for (i = 0; i < n; i++) {
		/* A sandbox that fails the call must not look fast. */
		if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
			bench_die(prog, "clock_gettime");
	}
}

int main(int argc, char **argv)
{
	uint64_t t0, t1;
	long n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ITERATIONS\n", prog);
		return 2;
	}
	n = bench_count(prog, argv[1]);

	/* Warm up: page in the loop and the vDSO. */
	call_n(n / 10 + 1);

	t0 = bench_now_ns(prog);
	call_n(n);
	t1 = bench_now_ns(prog);

	printf("%.1f\n", (double)(t1 - t0) / n);
	return 0;
}
