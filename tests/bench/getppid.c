/* SPDX-License-Identifier: MIT */
/*
 * getppid N: the cost of the cheapest system call there is, in ns per call.
 *
 * getppid takes no arguments, touches no user memory and cannot block, so
 * what is measured is the path into the kernel (or the sandbox's kernel)
 * and back.  The raw syscall() is used because libc may cache or wrap the
 * call.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static const char *prog = "getppid";

static void call_n(long n)
{
	long i;

	for (i = 0; i < n; i++) {
		/* A sandbox that answers -ENOSYS must not look fast. */
		if (syscall(SYS_getppid) < 0)
			bench_die(prog, "getppid");
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

	/* Warm up: page in the loop, settle the sandbox's first-call paths. */
	call_n(n / 10 + 1);

	t0 = bench_now_ns(prog);
	call_n(n);
	t1 = bench_now_ns(prog);

	printf("%.1f\n", (double)(t1 - t0) / n);
	return 0;
}
