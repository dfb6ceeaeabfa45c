/* SPDX-License-Identifier: MIT */
/*
 * Two threads alternate on one int with FUTEX_WAIT/FUTEX_WAKE (raw
 * syscalls, no glibc locks): ns per round trip.  Usage: futexpong N
 */
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

static int turn; /* 0: main's turn, 1: the other thread's */
static long rounds;

static void wait_for(int want)
{
	while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != want)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, !want, NULL, NULL, 0);
}

static void give(int to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *other(void *arg)
{
	long i;

	for (i = 0; i < rounds; i++) {
		wait_for(1);
		give(0);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t th;
	uint64_t t0;
	long i;

	rounds = argc > 1 ? bench_count(argv[0], argv[1]) : 1000;
	if (pthread_create(&th, NULL, other, NULL))
		bench_die(argv[0], "pthread_create");
	t0 = bench_now_ns(argv[0]);
	for (i = 0; i < rounds; i++) {
		give(1);
		wait_for(0);
	}
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)rounds);
	pthread_join(th, NULL);
	return 0;
}
