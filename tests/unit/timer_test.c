/*
 * Kernel timers and their deadlines alone (no VFS, no system call table, no
 * platform): a one-shot timer fires once, not before its deadline; a
 * cancelled one never fires; the earlier deadline fires first whatever the
 * order of arming; a periodic POSIX timer whose signal is still pending
 * queues no second one but counts the expiries in si_overrun, as Linux does.
 * links: sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "sentry/host/host.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"

#define UNIT_NAME "timer"
#include "unit.h"

#define BIT(sig) (1ULL << ((sig) - 1))
#define MS 1000000ULL

static struct fdtable *no_fdt(void) { return (struct fdtable *)1; }
static const struct task_files_ops no_files = {.fdt_new = no_fdt};

/* Waits (lock held, dropped while asleep) until one of mask is pending for g or ms pass; what is pending. */
static uint64_t wait_pending(struct thread_group *g, uint64_t mask, uint64_t ms)
{
	uint64_t end = host_realtime_ns() + ms * MS;

	/* Polled: a pending signal would end a task_block() at once, with the lock never let go. */
	while (!(g->pending & mask) && host_realtime_ns() < end) {
		pthread_mutex_unlock(&sentry_lock);
		usleep(1000);
		pthread_mutex_lock(&sentry_lock);
	}
	return g->pending & mask;
}

static void ktimer_init(struct ktimer *k, struct thread_group *g, int sig, int code)
{
	memset(k, 0, sizeof(*k));
	k->tg = g;
	k->sig = sig;
	k->code = code;
}

int main(void)
{
	struct ktimer k1, k2;
	struct thread_group *g;
	struct task *t;
	siginfo_t si, other;
	uint64_t t0, left;

	task_files = &no_files;
	t = task_create_init();
	if (!t) {
		printf("FAIL timer cannot make the first task\n");
		return 1;
	}
	g = t->tg;
	pthread_mutex_lock(&sentry_lock);

	ktimer_init(&k1, g, SIGALRM, SI_KERNEL);
	t0 = host_monotonic_ns();
	timer_arm_locked(&k1, t0 + 50 * MS, 0);
	left = timer_remaining(&k1);
	CHECK("an armed timer has its time left", left > 0 && left <= 50 * MS);
	CHECK("a one-shot timer fires", wait_pending(g, BIT(SIGALRM), 2000));
	CHECK("... not before its deadline", host_monotonic_ns() - t0 >= 50 * MS);
	CHECK("... and is disarmed then", k1.deadline_ns == 0 && timer_remaining(&k1) == 0);
	task_dequeue_signal(t, BIT(SIGALRM), &si);
	CHECK("... with its siginfo", si.si_signo == SIGALRM && si.si_code == SI_KERNEL);

	timer_arm_locked(&k1, host_monotonic_ns() + 20 * MS, 0);
	timer_cancel_locked(&k1);
	CHECK("a cancelled timer never fires", !wait_pending(g, BIT(SIGALRM), 100) && timer_remaining(&k1) == 0);

	ktimer_init(&k2, g, SIGUSR2, SI_KERNEL);
	ktimer_init(&k1, g, SIGUSR1, SI_KERNEL);
	t0 = host_monotonic_ns();
	timer_arm_locked(&k2, t0 + 300 * MS, 0);
	timer_arm_locked(&k1, t0 + 20 * MS, 0);
	CHECK("the earlier deadline fires first, whatever the order of arming",
	      wait_pending(g, BIT(SIGUSR1) | BIT(SIGUSR2), 2000) == BIT(SIGUSR1));
	CHECK("... and the later one after it", wait_pending(g, BIT(SIGUSR2), 2000));
	task_dequeue_signal(t, BIT(SIGUSR1), &si);
	task_dequeue_signal(t, BIT(SIGUSR2), &si);

	ktimer_init(&k1, g, SIGRTMIN, SI_TIMER);
	k1.timerid = 3;
	timer_arm_locked(&k1, host_monotonic_ns() + 5 * MS, 5 * MS);
	wait_pending(g, BIT(SIGRTMIN), 2000);
	wait_pending(g, 0, 80); /* a dozen more periods while the first signal is pending */
	timer_cancel_locked(&k1);
	CHECK("a periodic POSIX timer queues one signal while it is pending",
	      task_dequeue_signal(t, BIT(SIGRTMIN), &si) == SIGRTMIN && task_dequeue_signal(t, BIT(SIGRTMIN), &other) == 0);
	CHECK("... counting the other expiries as overruns", si.si_timerid == 3 && si.si_overrun >= 5);

	pthread_mutex_unlock(&sentry_lock);
	return unit_failed;
}
