/*
 * futex_waitv(2): the argument checks (flags, counts, per-waiter flags and
 * reserved bits, alignment, bad pointers, clock ids, bad timespecs), EAGAIN
 * when a value differs, absolute timeouts on both clocks, the index of the
 * futex woken (private and shared), and futex wakes on unreadable memory.
 */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02
#endif

struct waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

static long waitv(struct waitv *w, unsigned n, unsigned flags, struct timespec *ts, int clk)
{
	return syscall(449, w, n, flags, ts, clk);
}

static uint32_t f[4];

static void set(struct waitv *w, uint32_t *addr, uint64_t val, uint32_t flags)
{
	w->val = val;
	w->uaddr = (uint64_t)(uintptr_t)addr;
	w->flags = flags;
	w->reserved = 0;
}

/* An absolute time ms from now on clk. */
static struct timespec after(int clk, long ms)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	ts.tv_nsec += ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

static void *waker(void *arg)
{
	usleep(50000);
	syscall(SYS_futex, arg, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

int main(void)
{
	struct waitv w[3];
	struct timespec ts, bad = {0, 2000000000L};
	uint32_t *shared, *none;
	pthread_t th;
	int p = FUTEX2_SIZE_U32 | FUTEX_PRIVATE_FLAG;

	setvbuf(stdout, NULL, _IONBF, 0);
	set(&w[0], &f[0], 0, p);
	set(&w[1], &f[1], 0, p);
	set(&w[2], &f[2], 0, p);
	CHECK("flags 1", waitv(w, 1, 1, NULL, 0));
	CHECK("0 futexes", waitv(w, 0, 0, NULL, 0));
	CHECK("129 futexes", waitv(w, 129, 0, NULL, 0));
	CHECK("NULL waiters", waitv(NULL, 1, 0, NULL, 0));
	CHECK("bad waiters", waitv((struct waitv *)8, 1, 0, NULL, 0));
	ts = after(CLOCK_MONOTONIC, 10);
	CHECK("clock CLOCK_BOOTTIME", waitv(w, 1, 0, &ts, CLOCK_BOOTTIME));
	CHECK("bad timespec", waitv(w, 1, 0, &bad, CLOCK_MONOTONIC));
	CHECK("bad timeout pointer", waitv(w, 1, 0, (struct timespec *)8, CLOCK_MONOTONIC));
	set(&w[1], &f[1], 0, FUTEX_PRIVATE_FLAG);
	CHECK("waiter without FUTEX2_SIZE_U32", waitv(w, 2, 0, NULL, 0));
	set(&w[1], &f[1], 0, p | 0x100);
	CHECK("waiter with unknown flag", waitv(w, 2, 0, NULL, 0));
	set(&w[1], &f[1], 0, p);
	w[1].reserved = 1;
	CHECK("waiter with reserved set", waitv(w, 2, 0, NULL, 0));
	set(&w[1], (uint32_t *)((char *)&f[1] + 1), 0, p);
	CHECK("unaligned futex", waitv(w, 2, 0, NULL, 0));
	set(&w[1], &f[1], 0, p);
	f[1] = 5;
	CHECK("second value differs", waitv(w, 2, 0, NULL, 0));
	set(&w[1], &f[1], 5 | (7ULL << 32), p);
	ts = after(CLOCK_MONOTONIC, 30);
	CHECK("val past 32 bits", waitv(w, 2, 0, &ts, CLOCK_MONOTONIC));
	set(&w[1], &f[1], 5, p);
	CHECK("timeout on CLOCK_MONOTONIC", waitv(w, 2, 0, &ts, CLOCK_MONOTONIC));
	ts = after(CLOCK_REALTIME, 30);
	CHECK("timeout on CLOCK_REALTIME", waitv(w, 2, 0, &ts, CLOCK_REALTIME));
	ts = (struct timespec){0, 0};
	CHECK("timeout in the past", waitv(w, 2, 0, &ts, CLOCK_MONOTONIC));

	/* Woken: the result is the index of the futex woken. */
	pthread_create(&th, NULL, waker, &f[2]);
	ts = after(CLOCK_MONOTONIC, 5000);
	CHECK("woken on the third", waitv(w, 3, 0, &ts, CLOCK_MONOTONIC));
	pthread_join(th, NULL);
	pthread_create(&th, NULL, waker, &f[0]);
	CHECK("woken on the first, no timeout", waitv(w, 3, 0, NULL, 0));
	pthread_join(th, NULL);
	CHECK("nothing left queued", syscall(SYS_futex, &f[0], FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) +
					   syscall(SYS_futex, &f[1], FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0) +
					   syscall(SYS_futex, &f[2], FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0));

	/* Shared: a wake from another process. */
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*shared = 0;
	if (fork() == 0) {
		usleep(50000);
		syscall(SYS_futex, shared, FUTEX_WAKE, 1, NULL, NULL, 0);
		_exit(0);
	}
	set(&w[0], &f[0], 0, p);
	set(&w[1], shared, 0, FUTEX2_SIZE_U32);
	ts = after(CLOCK_MONOTONIC, 5000);
	CHECK("shared futex woken by a child", waitv(w, 2, 0, &ts, CLOCK_MONOTONIC));
	wait(NULL);

	/* Unmapped or unreadable memory. */
	none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	set(&w[1], none, 0, p);
	CHECK("waiter on PROT_NONE", waitv(w, 2, 0, NULL, 0));
	CHECK("FUTEX_WAKE on PROT_NONE", syscall(SYS_futex, none, FUTEX_WAKE, 1, NULL, NULL, 0));
	CHECK("FUTEX_WAKE_PRIVATE on PROT_NONE", syscall(SYS_futex, none, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
	CHECK("FUTEX_WAIT on PROT_NONE", syscall(SYS_futex, none, FUTEX_WAIT, 0, NULL, NULL, 0));
	munmap(none, 4096);
	CHECK("FUTEX_WAKE unmapped", syscall(SYS_futex, none, FUTEX_WAKE, 1, NULL, NULL, 0));
	set(&w[1], none, 0, p);
	CHECK("waiter on unmapped", waitv(w, 2, 0, NULL, 0));
	return 0;
}
