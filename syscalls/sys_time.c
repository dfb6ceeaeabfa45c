/*
 * Time: clocks and sleeps.  The sandbox's clocks follow the host's: the
 * wall and monotonic ones are read from the same line in the TSC that the
 * sandbox's vDSO reads (sentry/vdso/vdso.h), so a program may mix the vDSO
 * and this system call and never see time go back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/resource.h>
#include <time.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../sentry/vdso/vdso.h"
#include "../sentry/vdso/vdso_data.h"
#include "syscalls.h"

static long clock_read(struct task *t, int clk, struct abi_timespec *ts)
{
	int64_t line_ns;
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
		uint64_t ns = clk == CLOCK_THREAD_CPUTIME_ID ? task_cpu_ns(t) : tg_cpu_ns(t->tg);

		ts->tv_sec = (int64_t)(ns / 1000000000ULL);
		ts->tv_nsec = (int64_t)(ns % 1000000000ULL);
		return 0;
	}
	default:
		if (clk < 0) {
			/*
			 * A CPU clock named by pid (clock_getcpuclockid,
			 * pthread_getcpuclockid): ~pid << 3 | per-thread 4 | kind.
			 * A thread's only within the caller's own group.
			 */
			int pid = ~(clk >> 3), thread = clk & 4;
			struct task *x = pid ? task_find_vnr(t, pid) : t;
			uint64_t ns;

			if ((clk & 3) == 3 || !x)
				return -EINVAL;
			if (thread ? x->tg != t->tg : x->tg->tgid != (pid ? task_gnr(t, pid) : t->tg->tgid))
				return -EINVAL;
			ns = thread ? task_cpu_ns(x) : tg_cpu_ns(x->tg);
			ts->tv_sec = (int64_t)(ns / 1000000000ULL);
			ts->tv_nsec = (int64_t)(ns % 1000000000ULL);
			return 0;
		}
		return -EINVAL;
	}
	line_ns = vdso_clock_ns(hc == CLOCK_REALTIME ? 0 : 1);
	ts->tv_sec = line_ns / 1000000000LL;
	ts->tv_nsec = line_ns % 1000000000LL;
	return 0;
}

SYSCALL(clock_gettime)
{
	struct abi_timespec ts;
	long r = clock_read(t, (int)a[0], &ts);

	return r < 0 ? r : mm_copy_out(t->mm, a[1], &ts, sizeof(ts));
}

/*
 * Setting a clock: checked as Linux checks it, then refused.  The sandbox's
 * clocks are the host's, which no sandbox may move (as if it lacked
 * CAP_SYS_TIME, which gVisor's sandboxes lack too).
 */
SYSCALL(clock_settime)
{
	struct abi_timespec ts, dummy;

	if (mm_copy_in(t->mm, &ts, a[1], sizeof(ts)) < 0)
		return -EFAULT;
	if (clock_read(t, (int)a[0], &dummy) < 0)
		return -EINVAL;
	if (!abi_timespec_valid(&ts))
		return -EINVAL;
	return -EPERM;
}

SYSCALL(settimeofday)
{
	struct abi_timeval tv;

	if (a[0] && mm_copy_in(t->mm, &tv, a[0], sizeof(tv)) < 0)
		return -EFAULT;
	if (a[0] && (tv.tv_usec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	return -EPERM;
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
	if (!abi_timespec_valid(ts))
		return -EINVAL;
	return 0;
}

/*
 * Sleeps until end (host realtime ns), interruptibly (task_block on no
 * queue: only a signal, a stop or the deadline end it).  On a signal or a
 * stop it writes the time left to rem (if given) and returns
 * -ERESTART_RESTARTBLOCK: a handler turns that into EINTR, a stop and
 * continue into restart_syscall, which sleeps the rest (as Linux does).
 */
static long sleep_until(struct task *t, uint64_t end, gva_t rem)
{
	for (;;) {
		uint64_t now = host_realtime_ns();

		if (now >= end)
			return 0;
		if (task_interrupted(t)) {
			if (rem) {
				struct abi_timespec left = {(int64_t)((end - now) / 1000000000ULL),
							    (int64_t)((end - now) % 1000000000ULL)};

				if (mm_copy_out(t->mm, rem, &left, sizeof(left)) < 0)
					return -EFAULT;
			}
			t->restart_end_ns = end;
			t->restart_rem = rem;
			return -ERESTART_RESTARTBLOCK;
		}
		task_block(t, NULL, end);
	}
}

static uint64_t after(const struct abi_timespec *ts)
{
	return abi_ns_after(host_realtime_ns(), abi_timespec_ns(ts));
}

SYSCALL(nanosleep)
{
	struct abi_timespec ts;
	long r = get_timespec(t, a[0], &ts);

	return r < 0 ? r : sleep_until(t, after(&ts), a[1]);
}

/* The rest of a sleep a stop interrupted (nanosleep and relative clock_nanosleep). */
SYSCALL(restart_syscall)
{
	(void)a;
	if (!t->restart_end_ns)
		return -EINTR;
	return sleep_until(t, t->restart_end_ns, t->restart_rem);
}

SYSCALL(clock_nanosleep)
{
	struct abi_timespec ts, now;
	int clk = (int)a[0];
	long r;

	/* No sleeping on a thread's CPU clock: Linux's has no nsleep at all, a thread's by id refuses. */
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP;
	if (clk < 0 && (clk & 4))
		return -EINVAL;
	r = clock_read(t, clk, &now);
	if (r < 0)
		return r;
	r = get_timespec(t, a[2], &ts);
	if (r < 0)
		return r;
	if (a[1] & TIMER_ABSTIME) {
		struct abi_timespec end = ts;

		for (;;) {
			int64_t ns = (end.tv_sec - now.tv_sec) * 1000000000LL + (end.tv_nsec - now.tv_nsec);

			if (ns <= 0)
				return 0;
			ts.tv_sec = ns / 1000000000LL;
			ts.tv_nsec = ns % 1000000000LL;
			/* An absolute sleep restarts as itself, with the same deadline. */
			r = sleep_until(t, after(&ts), 0);
			if (r < 0)
				return r == -ERESTART_RESTARTBLOCK ? -ERESTARTNOHAND : r;
			/*
			 * The sleep ran on the host's clock, which the sandbox's wall
			 * and monotonic clocks follow within microseconds but not to
			 * the nanosecond: look again, so that the program never wakes
			 * before its deadline on the clock it named.
			 */
			if (vdso_clock_base(clk) < 0 || clock_read(t, clk, &now) < 0)
				return 0;
		}
	}
	return sleep_until(t, after(&ts), a[3]);
}

/* ---- interval timers ---- */

struct abi_itimerval {
	struct abi_timeval interval, value;
};

static uint64_t tv_ns(const struct abi_timeval *tv)
{
	struct abi_timespec ts = {tv->tv_sec, tv->tv_usec * 1000};

	return abi_timespec_ns(&ts);
}

static struct abi_timeval ns_tv(uint64_t ns)
{
	/* Round up, as Linux reports a running timer as never quite expired. */
	struct abi_timeval tv = {(int64_t)(ns / 1000000000ULL), (int64_t)((ns % 1000000000ULL + 999) / 1000)};

	if (tv.tv_usec == 1000000) {
		tv.tv_sec++;
		tv.tv_usec = 0;
	}
	return tv;
}

/*
 * The timer behind setitimer's which, or NULL.  ITIMER_VIRTUAL and
 * ITIMER_PROF both count the group's CPU time: ptrace cannot tell its user
 * and system parts apart (as gVisor's cannot).
 */
static struct ktimer *itimer_of(struct task *t, int which)
{
	switch (which) {
	case ITIMER_REAL:
		return &t->tg->itimer_real;
	case ITIMER_VIRTUAL:
	case ITIMER_PROF:
		return &t->tg->itimer_cpu[which == ITIMER_PROF];
	}
	return NULL;
}

static void itimer_get(struct ktimer *k, struct abi_itimerval *v)
{
	v->value = ns_tv(timer_remaining(k));
	v->interval = ns_tv(k->interval_ns);
}

SYSCALL(getitimer)
{
	struct ktimer *k = itimer_of(t, (int)a[0]);
	struct abi_itimerval v;

	if (!k)
		return -EINVAL;
	itimer_get(k, &v);
	return mm_copy_out(t->mm, a[1], &v, sizeof(v));
}

SYSCALL(setitimer)
{
	static const int sig[] = {[ITIMER_REAL] = SIGALRM, [ITIMER_VIRTUAL] = SIGVTALRM, [ITIMER_PROF] = SIGPROF};
	struct ktimer *k = itimer_of(t, (int)a[0]);
	struct abi_itimerval nv, old;
	uint64_t v, iv;

	if (!k)
		return -EINVAL;
	memset(&nv, 0, sizeof(nv));
	if (a[1] && mm_copy_in(t->mm, &nv, a[1], sizeof(nv)) < 0)
		return -EFAULT;
	if (nv.value.tv_usec < 0 || nv.value.tv_usec >= 1000000 || nv.interval.tv_usec < 0 ||
	    nv.interval.tv_usec >= 1000000 || nv.value.tv_sec < 0 || nv.interval.tv_sec < 0)
		return -EINVAL;
	itimer_get(k, &old);
	k->tg = t->tg;
	k->sig = sig[(int)a[0]];
	k->code = SI_KERNEL;
	v = tv_ns(&nv.value);
	iv = tv_ns(&nv.interval);
	if (k == &t->tg->itimer_real)
		timer_arm_locked(k, v ? abi_ns_after(host_monotonic_ns(), v) : 0, iv);
	else
		timer_arm_cpu_locked(k, v ? abi_ns_after(tg_cpu_ns(t->tg), v) : 0, iv);
	if (a[2] && mm_copy_out(t->mm, a[2], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(alarm)
{
	uint64_t left = timer_remaining(&t->tg->itimer_real);

	t->tg->itimer_real.tg = t->tg;
	t->tg->itimer_real.sig = SIGALRM;
	t->tg->itimer_real.code = SI_KERNEL;
	timer_arm_locked(&t->tg->itimer_real, a[0] ? host_monotonic_ns() + (uint64_t)(unsigned)a[0] * 1000000000ULL : 0,
			 0);
	/* Seconds left, rounded to nearest, at least 1 if any time was left. */
	return left ? (long)((left + 500000000ULL) / 1000000000ULL ? (left + 500000000ULL) / 1000000000ULL : 1) : 0;
}

/* ---- POSIX timers ---- */

struct abi_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

struct abi_itimerspec {
	struct abi_timespec interval, value;
};

static struct ktimer *timer_of(struct task *t, int id)
{
	if (id < 0 || id >= t->tg->ntimers)
		return NULL;
	return t->tg->timers[id];
}

SYSCALL(timer_create)
{
	struct abi_sigevent ev = {.notify = SIGEV_SIGNAL, .signo = SIGALRM};
	struct ktimer *k;
	int clk = (int)a[0], id;
	struct abi_timespec dummy;

	if (clock_read(t, clk, &dummy) < 0)
		return -EINVAL;
	if (a[1] && mm_copy_in(t->mm, &ev, a[1], sizeof(ev)) < 0)
		return -EFAULT;
	switch (ev.notify) {
	case SIGEV_NONE:
		break;
	case SIGEV_SIGNAL:
	case SIGEV_THREAD_ID:
		if (ev.signo < 1 || ev.signo > 64)
			return -EINVAL;
		if (ev.notify == SIGEV_THREAD_ID) {
			struct task *x = task_find_vnr(t, ev.tid);

			if (!x || x->tg != t->tg)
				return -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	for (id = 0; id < t->tg->ntimers; id++)
		if (!t->tg->timers[id])
			break;
	if (id == t->tg->ntimers) {
		/* Linux bounds them by RLIMIT_SIGPENDING: the same limit here, in a table that grows. */
		int n = id ? id * 2 : 16;
		struct ktimer **more;

		if ((uint64_t)id >= t->tg->rlim[RLIMIT_SIGPENDING].rlim_cur)
			return -EAGAIN;
		more = realloc(t->tg->timers, (size_t)n * sizeof(*more));
		if (!more)
			return -EAGAIN;
		memset(more + id, 0, (size_t)(n - id) * sizeof(*more));
		t->tg->timers = more;
		t->tg->ntimers = n;
	}
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->tg = t->tg;
	k->clock = clk;
	/* CPU clocks: the group's CPU time (a thread's or another process's clock is approximated by it). */
	k->cpu_clock = clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID || clk < 0;
	k->sig = ev.signo;
	k->code = SI_TIMER;
	k->none = ev.notify == SIGEV_NONE;
	k->tid = ev.notify == SIGEV_THREAD_ID ? task_gnr(t, ev.tid) : 0; /* the global tid */
	k->timerid = id;
	k->value = a[1] ? ev.value : (uint64_t)id;
	if (mm_copy_out(t->mm, a[2], &id, sizeof(id)) < 0) {
		free(k);
		return -EFAULT;
	}
	t->tg->timers[id] = k;
	return 0;
}

static void timer_now(struct ktimer *k, struct abi_itimerspec *cur)
{
	uint64_t left = timer_remaining(k);

	cur->value.tv_sec = (int64_t)(left / 1000000000ULL);
	cur->value.tv_nsec = (int64_t)(left % 1000000000ULL);
	cur->interval.tv_sec = (int64_t)(k->interval_ns / 1000000000ULL);
	cur->interval.tv_nsec = (int64_t)(k->interval_ns % 1000000000ULL);
}

SYSCALL(timer_settime)
{
	struct ktimer *k = timer_of(t, (int)a[0]);
	struct abi_itimerspec nv, old;
	uint64_t v, iv, deadline = 0;

	if (!k || !a[2])
		return -EINVAL; /* no new value: EINVAL, as Linux (not EFAULT) */
	if (mm_copy_in(t->mm, &nv, a[2], sizeof(nv)) < 0)
		return -EFAULT;
	if (!abi_timespec_valid(&nv.value) || !abi_timespec_valid(&nv.interval))
		return -EINVAL;
	timer_now(k, &old);
	v = abi_timespec_ns(&nv.value);
	iv = abi_timespec_ns(&nv.interval);
	if (k->cpu_clock) {
		uint64_t used = tg_cpu_ns(t->tg);

		timer_arm_cpu_locked(k, !v ? 0 : (a[1] & TIMER_ABSTIME) ? (v > used ? v : used) : abi_ns_after(used, v), iv);
		if (a[3] && mm_copy_out(t->mm, a[3], &old, sizeof(old)) < 0)
			return -EFAULT;
		return 0;
	}
	if (v) {
		if (a[1] & TIMER_ABSTIME) {
			/* An absolute time on the timer's clock: how far from now, on the monotonic clock. */
			struct abi_timespec c;
			uint64_t now = 0;

			if (clock_read(t, k->clock, &c) == 0)
				now = (uint64_t)c.tv_sec * 1000000000ULL + (uint64_t)c.tv_nsec;
			deadline = abi_ns_after(host_monotonic_ns(), v > now ? v - now : 0);
		} else {
			deadline = abi_ns_after(host_monotonic_ns(), v);
		}
		if (!deadline)
			deadline = 1;
	}
	timer_arm_locked(k, deadline, iv);
	if (a[3] && mm_copy_out(t->mm, a[3], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(timer_gettime)
{
	struct ktimer *k = timer_of(t, (int)a[0]);
	struct abi_itimerspec cur;

	if (!k)
		return -EINVAL;
	timer_now(k, &cur);
	return mm_copy_out(t->mm, a[1], &cur, sizeof(cur));
}

SYSCALL(timer_getoverrun)
{
	struct ktimer *k = timer_of(t, (int)a[0]);

	return k ? k->overrun : -EINVAL;
}

SYSCALL(timer_delete)
{
	struct ktimer *k = timer_of(t, (int)a[0]);

	if (!k)
		return -EINVAL;
	timer_cancel_locked(k);
	t->tg->timers[(int)a[0]] = NULL;
	free(k);
	return 0;
}
