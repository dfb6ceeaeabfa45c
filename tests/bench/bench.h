/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the bench programs.
 *
 * The programs run natively and inside sandboxes (cvisor, runsc), so they
 * use nothing but libc, take their iteration count on argv and print one
 * number on stdout.  Anything that goes wrong is reported on stderr with a
 * non-zero exit, and the harness prints "n/a" rather than a wrong figure.
 */
#pragma once

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline void bench_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

/* Parses a positive count; anything else is a usage error, not a zero. */
static inline long bench_count(const char *prog, const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || end == arg || *end || n <= 0) {
		fprintf(stderr, "%s: bad iteration count '%s'\n", prog, arg);
		exit(2);
	}
	return n;
}

/*
 * CLOCK_MONOTONIC, not CLOCK_REALTIME: a clock step during a run would
 * otherwise turn into a negative or absurd figure.
 */
static inline uint64_t bench_now_ns(const char *prog)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		bench_die(prog, "clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
