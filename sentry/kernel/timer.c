/* Kernel timers (see timer.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../host/host.h"
#include "../log.h"
#include "task.h"
#include "timer.h"

static struct ktimer *armed;
static pthread_cond_t timer_cond;
static int thread_started;

static siginfo_t *timer_queued_info(struct ktimer *k, struct task *t);

/* Wall time in which cpu_ns of CPU time can pass at the earliest (every sandbox CPU busy); at least 1 ms. */
static uint64_t cpu_delay(uint64_t cpu_ns)
{
	uint64_t d = cpu_ns / (uint64_t)(sandbox.ncpus > 0 ? sandbox.ncpus : 1);

	return d < 1000000 ? 1000000 : d;
}

/* Puts k, just taken off the armed list, back on it due at deadline; where the scan starts again. */
static struct ktimer **rearm(struct ktimer *k, uint64_t deadline)
{
	k->deadline_ns = deadline;
	k->next = armed;
	armed = k;
	return &armed;
}

static void *timer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&sentry_lock);
	for (;;) {
		uint64_t now = host_monotonic_ns();
		struct ktimer *k, **pp;

		/* Fire everything due. */
		for (pp = &armed; (k = *pp);) {
			if (k->deadline_ns > now) {
				pp = &k->next;
				continue;
			}
			*pp = k->next;
			if (k->cpu_clock) {
				uint64_t used = tg_cpu_ns(k->tg);

				if (used < k->cpu_target) {
					/* Not yet: look again when it could be due. */
					pp = rearm(k, now + cpu_delay(k->cpu_target - used));
					continue;
				}
				if (k->interval_ns) {
					uint64_t missed = (used - k->cpu_target) / k->interval_ns;

					k->overrun = missed > INT32_MAX ? INT32_MAX : (int)missed;
					k->cpu_target += (missed + 1) * k->interval_ns;
					pp = rearm(k, now + cpu_delay(k->cpu_target - used));
				} else {
					k->deadline_ns = 0;
				}
			} else if (k->interval_ns) {
				/* Periods missed since the deadline are overruns; the next one stays on the grid. */
				uint64_t missed = (now - k->deadline_ns) / k->interval_ns;

				k->overrun = missed > INT32_MAX ? INT32_MAX : (int)missed;
				pp = rearm(k, k->deadline_ns + (missed + 1) * k->interval_ns);
			} else {
				k->deadline_ns = 0;
			}
			if (k->fn) {
				/* fn may arm or cancel any timer: scan again from the start. */
				k->fn(k);
				pp = &armed;
			} else if (k->cpu_limit) {
				/* RLIMIT_CPU: SIGXCPU past the soft limit (each second), SIGKILL at the hard one. */
				uint64_t used = tg_cpu_ns(k->tg) / 1000000000ULL;
				struct task *any = k->tg->threads;

				if (any && used >= k->tg->rlim[RLIMIT_CPU].rlim_max)
					task_exit_group(any, SIGKILL);
				else if (any && used >= k->tg->rlim[RLIMIT_CPU].rlim_cur && used != k->value) {
					siginfo_t si;

					memset(&si, 0, sizeof(si));
					si.si_signo = SIGXCPU;
					si.si_code = SI_KERNEL;
					k->value = used;
					tg_send_signal(k->tg, SIGXCPU, &si);
				}
			} else if (!k->none) {
				siginfo_t si, *queued;
				struct task *t = k->tid ? task_find(k->tid) : NULL;

				/*
				 * Still pending from the last expiry: Linux queues one
				 * signal per timer and counts the rest in its si_overrun.
				 */
				queued = k->code == SI_TIMER ? timer_queued_info(k, t) : NULL;
				if (queued) {
					int more = queued->si_overrun + 1 + k->overrun;

					queued->si_overrun = more < 0 ? INT32_MAX : more;
					continue;
				}
				memset(&si, 0, sizeof(si));
				si.si_signo = k->sig;
				si.si_code = k->code;
				if (k->code == SI_TIMER) {
					si.si_timerid = k->timerid;
					si.si_overrun = k->overrun;
					si.si_value.sival_ptr = (void *)(uintptr_t)k->value;
				}
				if (t)
					task_send_signal(t, k->sig, &si);
				else if (!k->tid)
					tg_send_signal(k->tg, k->sig, &si);
			}
		}
		if (!armed) {
			pthread_cond_wait(&timer_cond, &sentry_lock);
		} else {
			uint64_t next = UINT64_MAX;
			struct timespec ts;

			for (k = armed; k; k = k->next)
				if (k->deadline_ns < next)
					next = k->deadline_ns;
			ts.tv_sec = (time_t)(next / 1000000000ULL);
			ts.tv_nsec = (long)(next % 1000000000ULL);
			pthread_cond_timedwait(&timer_cond, &sentry_lock, &ts);
		}
	}
	return NULL;
}

/* The pending siginfo of k's last expiry, if its signal has not been taken yet. */
static siginfo_t *timer_queued_info(struct ktimer *k, struct task *t)
{
	uint64_t bit = 1ULL << (k->sig - 1);
	siginfo_t *si = NULL;

	if (t && (t->sigpending & bit))
		si = &t->siginfo[k->sig - 1];
	else if (!k->tid && (k->tg->pending & bit))
		si = &k->tg->info[k->sig - 1];
	if (si && si->si_code == SI_TIMER && si->si_timerid == k->timerid)
		return si;
	return NULL;
}

static void start_thread(void)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;
	pthread_t th;

	thread_started = 1;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &ca);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	if (pthread_create(&th, &attr, timer_main, NULL) != 0)
		die("cannot start the timer thread");
	pthread_attr_destroy(&attr);
}

void timer_cancel_locked(struct ktimer *k)
{
	struct ktimer **pp;

	if (!k->deadline_ns)
		return;
	for (pp = &armed; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	k->deadline_ns = 0;
}

void timer_arm_locked(struct ktimer *k, uint64_t deadline_ns, uint64_t interval_ns)
{
	timer_cancel_locked(k);
	k->interval_ns = interval_ns;
	if (!deadline_ns)
		return;
	if (!thread_started)
		start_thread();
	k->deadline_ns = deadline_ns;
	k->next = armed;
	armed = k;
	pthread_cond_signal(&timer_cond);
}

void timer_arm_cpu_locked(struct ktimer *k, uint64_t cpu_target, uint64_t interval_ns)
{
	uint64_t used = tg_cpu_ns(k->tg);

	k->cpu_clock = 1;
	k->cpu_target = cpu_target;
	timer_arm_locked(k, cpu_target ? host_monotonic_ns() + (cpu_target > used ? cpu_delay(cpu_target - used) : 0) : 0,
			 interval_ns);
}

uint64_t timer_remaining(struct ktimer *k)
{
	uint64_t now = host_monotonic_ns();

	if (k->cpu_clock) {
		uint64_t used;

		if (!k->deadline_ns)
			return 0;
		used = tg_cpu_ns(k->tg);
		return k->cpu_target > used ? k->cpu_target - used : 1;
	}
	if (!k->deadline_ns)
		return 0;
	return k->deadline_ns > now ? k->deadline_ns - now : 1;
}
