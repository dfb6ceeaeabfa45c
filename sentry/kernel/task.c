/*
 * The task loop: run the application until it stops, handle the stop
 * (system call, fault, signal), repeat.  The sentry lock is dropped only
 * around the platform switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "../../syscalls/syscalls.h"
#include "../log.h"
#include "../mm/mm.h"
#include "task.h"

pthread_mutex_t sentry_lock = PTHREAD_MUTEX_INITIALIZER;
__thread struct task *task_current;
struct sandbox sandbox;

void task_exit_group(struct task *t, int status)
{
	if (t->exiting)
		return;
	t->exiting = 1;
	t->exit_status = status;
}

/* Signals whose default action ends the process with a core dump (wait status bit 0x80). */
static int dumps_core(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return 1;
	}
	return 0;
}

static int ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

void task_signal_self(struct task *t, int sig, int code, uint64_t addr)
{
	struct abi_sigaction *sa = &t->sigact[sig - 1];
	int forced = code > 0; /* raised by a fault: cannot be ignored or blocked */

	(void)addr;
	if (sig == SIGKILL) {
		task_exit_group(t, SIGKILL);
		return;
	}
	if (!forced && sa->handler == (uint64_t)SIG_IGN)
		return;
	if (!forced && (t->sigmask & (1ULL << (sig - 1)))) {
		t->sigpending |= 1ULL << (sig - 1);
		return;
	}
	if (sa->handler == (uint64_t)SIG_DFL || sa->handler == (uint64_t)SIG_IGN || forced) {
		if (!forced && ignored_by_default(sig))
			return;
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			return; /* job control stops come with the process issue */
		/* Not yet delivered to handlers: a fault with a handler still ends the process. */
		task_exit_group(t, sig | (dumps_core(sig) ? 0x80 : 0));
		return;
	}
	/* A handler for an asynchronous signal: delivery comes with the signals issue. */
	t->sigpending |= 1ULL << (sig - 1);
}

int task_run(struct task *t)
{
	struct plat_stopinfo info;
	enum plat_stop why;
	int code;

	task_current = t;
	pthread_mutex_lock(&sentry_lock);
	while (!t->exiting) {
		pthread_mutex_unlock(&sentry_lock);
		why = plat->switch_to_user(t->ctx, t->mm->as, &t->regs, &info);
		pthread_mutex_lock(&sentry_lock);
		switch (why) {
		case PLAT_SYSCALL:
			syscall_dispatch(t);
			break;
		case PLAT_FAULT:
			code = mm_fault(t->mm, info.addr);
			if (code)
				task_signal_self(t, SIGSEGV, code, info.addr);
			break;
		case PLAT_SIGNAL:
			task_signal_self(t, info.signo, info.code > 0 ? info.code : 1, info.addr);
			break;
		case PLAT_INTERRUPT:
			break;
		case PLAT_DIED:
			pthread_mutex_unlock(&sentry_lock);
			die("the application's stub process died unexpectedly (killed on the host?)");
		}
	}
	pthread_mutex_unlock(&sentry_lock);
	task_current = NULL;
	return t->exit_status;
}
