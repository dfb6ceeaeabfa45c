/* Time: clocks and sleeps.  The sandbox's clocks are the host's, read through the vDSO. */
#define _GNU_SOURCE
#include <errno.h>
#include <time.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

static long clock_read(struct task *t, int clk, struct abi_timespec *ts)
{
	struct timespec h;
	int hc;

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI:
	case CLOCK_REALTIME_ALARM:
		hc = CLOCK_REALTIME;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		hc = CLOCK_MONOTONIC;
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: {
		/* Not yet the application's own CPU time: the time since it started bounds it. */
		uint64_t ns = host_monotonic_ns() - t->start_ns;

		ts->tv_sec = (int64_t)(ns / 1000000000ULL);
		ts->tv_nsec = (int64_t)(ns % 1000000000ULL);
		return 0;
	}
	default:
		return -EINVAL;
	}
	host_clock_gettime(hc, &h);
	ts->tv_sec = h.tv_sec;
	ts->tv_nsec = h.tv_nsec;
	return 0;
}

SYSCALL(clock_gettime)
{
	struct abi_timespec ts;
	long r = clock_read(t, (int)a[0], &ts);

	return r < 0 ? r : mm_copy_out(t->mm, a[1], &ts, sizeof(ts));
}

SYSCALL(clock_getres)
{
	struct abi_timespec ts = {0, 1}, dummy;
	long r = clock_read(t, (int)a[0], &dummy);

	if (r < 0)
		return r;
	if ((int)a[0] == CLOCK_REALTIME_COARSE || (int)a[0] == CLOCK_MONOTONIC_COARSE)
		ts.tv_nsec = 4000000;
	return a[1] ? mm_copy_out(t->mm, a[1], &ts, sizeof(ts)) : 0;
}

SYSCALL(gettimeofday)
{
	struct abi_timespec ts;
	struct abi_timeval tv;
	int32_t tz[2] = {0, 0};

	clock_read(t, CLOCK_REALTIME, &ts);
	tv.tv_sec = ts.tv_sec;
	tv.tv_usec = ts.tv_nsec / 1000;
	if (a[0] && mm_copy_out(t->mm, a[0], &tv, sizeof(tv)) < 0)
		return -EFAULT;
	if (a[1] && mm_copy_out(t->mm, a[1], tz, sizeof(tz)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(time)
{
	struct abi_timespec ts;
	int64_t s;

	clock_read(t, CLOCK_REALTIME, &ts);
	s = ts.tv_sec;
	if (a[0] && mm_copy_out(t->mm, a[0], &s, sizeof(s)) < 0)
		return -EFAULT;
	return s;
}

static long get_timespec(struct task *t, gva_t p, struct abi_timespec *ts)
{
	if (mm_copy_in(t->mm, ts, p, sizeof(*ts)) < 0)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -EINVAL;
	return 0;
}

/* Sleeps for ts with the sentry lock released. */
static long sleep_for(struct abi_timespec *ts)
{
	struct timespec h = {ts->tv_sec, ts->tv_nsec};
	long r;

	pthread_mutex_unlock(&sentry_lock);
	r = host_nanosleep(&h);
	pthread_mutex_lock(&sentry_lock);
	return r == -EINTR ? 0 : r;
}

SYSCALL(nanosleep)
{
	struct abi_timespec ts;
	long r = get_timespec(t, a[0], &ts);

	return r < 0 ? r : sleep_for(&ts);
}

SYSCALL(clock_nanosleep)
{
	struct abi_timespec ts, now;
	int clk = (int)a[0];
	long r;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	r = clock_read(t, clk, &now);
	if (r < 0)
		return r;
	r = get_timespec(t, a[2], &ts);
	if (r < 0)
		return r;
	if (a[1] & TIMER_ABSTIME) {
		int64_t ns = (ts.tv_sec - now.tv_sec) * 1000000000LL + (ts.tv_nsec - now.tv_nsec);

		if (ns <= 0)
			return 0;
		ts.tv_sec = ns / 1000000000LL;
		ts.tv_nsec = ns % 1000000000LL;
	}
	return sleep_for(&ts);
}
