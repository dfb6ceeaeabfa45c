/*
 * The kernel's signal queues alone (no VFS, no system call table, no
 * platform): standard signals merge while pending, real-time ones queue in
 * order with their values, the lowest number is taken first, the thread's
 * own queue before its process's, ignored signals are dropped unless
 * blocked, and only unblocked ones count as pending.
 * links: sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include "sentry/kernel/task.h"

#define UNIT_NAME "signal"
#include "unit.h"

#define BIT(sig) (1ULL << ((sig) - 1))

/* The task's files are the VFS's: a kernel test has none. */
static struct fdtable *no_fdt(void) { return (struct fdtable *)1; }
static const struct task_files_ops no_files = {.fdt_new = no_fdt};

static siginfo_t info(int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = value;
	return si;
}

int main(void)
{
	struct task *t;
	siginfo_t si, out;
	int a, b, c;

	task_files = &no_files;
	t = task_create_init();
	if (!t) {
		printf("FAIL signal cannot make the first task\n");
		return 1;
	}
	pthread_mutex_lock(&sentry_lock);

	CHECK("nothing pending at first", !task_signal_pending(t) && task_dequeue_signal(t, ~0ULL, &out) == 0);
	si = info(SIGUSR1, 1);
	task_send_signal(t, SIGUSR1, &si);
	si = info(SIGUSR1, 2);
	task_send_signal(t, SIGUSR1, &si);
	CHECK("a sent signal is pending", task_signal_pending(t));
	a = task_dequeue_signal(t, ~0ULL, &out);
	CHECK("a standard signal sent twice is taken once, with its first info",
	      a == SIGUSR1 && out.si_value.sival_int == 1 && task_dequeue_signal(t, ~0ULL, &out) == 0);

	for (a = 1; a <= 3; a++) {
		si = info(SIGRTMIN + 1, a);
		task_send_signal(t, SIGRTMIN + 1, &si);
	}
	a = task_dequeue_signal(t, ~0ULL, &out) == SIGRTMIN + 1 ? out.si_value.sival_int : 0;
	b = task_dequeue_signal(t, ~0ULL, &out) == SIGRTMIN + 1 ? out.si_value.sival_int : 0;
	c = task_dequeue_signal(t, ~0ULL, &out) == SIGRTMIN + 1 ? out.si_value.sival_int : 0;
	CHECK("a real-time signal queues every instance, oldest first",
	      a == 1 && b == 2 && c == 3 && task_dequeue_signal(t, ~0ULL, &out) == 0);

	si = info(SIGUSR2, 0);
	task_send_signal(t, SIGUSR2, &si);
	si = info(SIGHUP, 0);
	task_send_signal(t, SIGHUP, &si);
	CHECK("the lowest number is taken first", task_dequeue_signal(t, ~0ULL, &out) == SIGHUP);
	CHECK("a set without it leaves it pending",
	      task_dequeue_signal(t, BIT(SIGINT), &out) == 0 && task_dequeue_signal(t, BIT(SIGUSR2), &out) == SIGUSR2);

	si = info(SIGTERM, 7);
	tg_send_signal(t->tg, SIGTERM, &si);
	si = info(SIGUSR1, 8);
	task_send_signal(t, SIGUSR1, &si);
	CHECK("the thread's own signals come before its process's",
	      task_dequeue_signal(t, ~0ULL, &out) == SIGUSR1 && task_dequeue_signal(t, ~0ULL, &out) == SIGTERM &&
	      out.si_value.sival_int == 7);

	t->sigmask = BIT(SIGUSR1);
	si = info(SIGUSR1, 0);
	task_send_signal(t, SIGUSR1, &si);
	CHECK("a blocked signal is queued but not pending", !task_signal_pending(t) && (t->sigpending & BIT(SIGUSR1)));
	t->sigmask = 0;
	CHECK("unblocked, it is pending", task_signal_pending(t) && task_dequeue_signal(t, ~0ULL, &out) == SIGUSR1);

	si = info(SIGCHLD, 0);
	task_send_signal(t, SIGCHLD, &si);
	CHECK("SIGCHLD with the default action (ignore) is dropped", !(t->sigpending & BIT(SIGCHLD)));
	t->sighand->act[SIGUSR2 - 1].handler = (uint64_t)SIG_IGN;
	si = info(SIGUSR2, 0);
	task_send_signal(t, SIGUSR2, &si);
	CHECK("a SIG_IGN signal is dropped", !(t->sigpending & BIT(SIGUSR2)));
	t->sigmask = BIT(SIGUSR2);
	task_send_signal(t, SIGUSR2, &si);
	CHECK("... unless blocked (the handler may change before it is unblocked)", t->sigpending & BIT(SIGUSR2));

	pthread_mutex_unlock(&sentry_lock);
	return unit_failed;
}
