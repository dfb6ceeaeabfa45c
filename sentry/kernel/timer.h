/*
 * Kernel timers: a deadline on the host's monotonic clock, an optional
 * interval, and a signal to send to a process when it fires.  One host thread
 * sleeps until the earliest deadline.  Locking: sentry_lock.
 */
#pragma once

#include <stdint.h>

struct thread_group;

struct ktimer {
	uint64_t deadline_ns; /* monotonic; 0 = disarmed */
	/*
	 * Set: the timer calls fn (under sentry_lock, on the timer thread) when
	 * it fires instead of sending a signal; the kernel's own timers (TCP's
	 * retransmission, TIME_WAIT...).  fn may re-arm k; it must not block.
	 */
	void (*fn)(struct ktimer *k);
	void *arg;            /* fn's: what the timer belongs to */
	uint64_t interval_ns;
	struct thread_group *tg; /* the process the signal goes to */
	int sig;
	int code;             /* si_code of the signal: SI_KERNEL for itimers, SI_TIMER for POSIX timers */
	int tid;              /* SIGEV_THREAD_ID: the thread, else 0 (the process) */
	int timerid;          /* POSIX timers: the id, and the value the signal carries */
	int clock;            /* POSIX timers: the clock TIMER_ABSTIME times are on */
	uint64_t value;
	int overrun;
	int none;             /* SIGEV_NONE: counts, sends nothing */
	int cpu_limit;        /* RLIMIT_CPU watch: checks the group's CPU time instead of firing blindly */
	int cpu_clock;        /* expires on the group's CPU time (ITIMER_PROF/VIRTUAL, CPU-clock timers) */
	uint64_t cpu_target;  /* ... at this much CPU time, in ns */
	struct ktimer *next;  /* the armed list */
};

void timer_arm_locked(struct ktimer *k, uint64_t deadline_ns, uint64_t interval_ns);
/*
 * Arms k on its group's CPU time: it expires when the group has used
 * cpu_target ns (0 disarms).  The timer thread looks again no later than
 * the CPU time still to go could pass with every sandbox CPU busy.
 */
void timer_arm_cpu_locked(struct ktimer *k, uint64_t cpu_target, uint64_t interval_ns);
void timer_cancel_locked(struct ktimer *k);
/* Time left before k fires, 0 if disarmed. */
uint64_t timer_remaining(struct ktimer *k);
