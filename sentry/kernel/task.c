/*
 * The task loop: run the application until it stops, handle the stop
 * (system call, fault, signal), repeat.  The sentry lock is dropped only
 * around the platform switch.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "../host/host.h"
#include "../log.h"
#include "../mm/mm.h"
#include "../timing.h"
#include "ptrace.h"
#include "task.h"

void (*task_syscall_handler)(struct task *t);

pthread_mutex_t sentry_lock = PTHREAD_MUTEX_INITIALIZER;
__thread struct task *task_current;
struct sandbox sandbox;

uint64_t task_cpu_ns(struct task *t)
{
	struct timespec ts;
	uint64_t ns = t->user_ns;

	if (t->user_since)
		ns += host_monotonic_ns() - t->user_since;
	if (t->host_clock && host_clock_gettime(t->host_clock, &ts) == 0)
		ns += (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return ns;
}

void task_run(struct task *t)
{
	struct plat_stopinfo info;
	enum plat_stop why;
	uint64_t left = 0, since;
	int code, kind;
	long nr;

	task_current = t;
	/* MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED): this host thread's CPU clock, readable by its siblings. */
	t->host_clock = (int)((~(unsigned)host_gettid() << 3) | 6);
	pthread_mutex_lock(&sentry_lock);
	for (;;) {
		task_deliver_signals(t);
		/*
		 * A stopped group's threads wait here until SIGCONT (or SIGKILL);
		 * a traced one stops for its tracer instead, which decides.
		 */
		while (!t->exiting && !t->tg->exiting) {
			if (t->ptrace.tracer && ptrace_before_user(t))
				break;
			if (!t->tg->stopped)
				break;
			task_sleep(t, NULL); /* tg_continue, task_exit_group and ptrace_attach wake it */
		}
		if (t->exiting || t->tg->exiting)
			break;
		if (t->ptrace.tracer && ((t->sigpending | t->tg->pending) & ~t->sigmask))
			continue; /* a signal came while it was stopped for its tracer: taken first */
		if (plat->set_singlestep)
			plat->set_singlestep(t->ctx, ptrace_stepping(t));
		t->in_user = 1;
		if (plat->enter(t->ctx, t->mm->as) == 0) {
			t->as_generation = plat->as_generation(t->mm->as);
			t->user_since = host_monotonic_ns();
			pthread_mutex_unlock(&sentry_lock);
			why = plat->switch_to_user(t->ctx, t->mm->as, &t->regs, &info);
			left = host_monotonic_ns();
			timing_mark(TIMING_FIRST);
		} else {
			why = PLAT_DIED;
			pthread_mutex_unlock(&sentry_lock);
		}
		pthread_mutex_lock(&sentry_lock);
		t->in_user = 0;
		if (t->user_since) {
			t->user_ns += left - t->user_since;
			timing_user(left - t->user_since);
			t->user_since = 0;
		}
		kind = why == PLAT_SYSCALL ? 0 : why == PLAT_FAULT ? 1 : 2;
		nr = kind == 0 ? (long)t->regs.orig_rax : -1;
		timing_count(kind);
		since = timing_stop_begin();
		switch (why) {
		case PLAT_SYSCALL:
			if (!t->ptrace.tracer || !ptrace_syscall_enter(t))
				task_syscall_handler(t);
			if (t->ptrace.tracer)
				ptrace_syscall_exit(t);
			{
				long r = (long)t->regs.rax;

				t->cur_restart = r <= -ERESTARTSYS && r >= -ERESTART_RESTARTBLOCK;
			}
			break;
		case PLAT_FAULT:
			code = mm_fault(t->mm, info.addr, plat->as_generation(t->mm->as) != t->as_generation,
					info.code == SEGV_MAPERR, info.access == PLAT_ACCESS_WRITE);
			if (code == SEGV_MAPERR && mm_grow_stack(t->mm, info.addr, t->tg->rlim[RLIMIT_STACK].rlim_cur) == 0)
				code = mm_fault(t->mm, info.addr, 0, 1, info.access == PLAT_ACCESS_WRITE);
			if (code && code != MM_FAULT_OOM && info.access == PLAT_ACCESS_UNKNOWN && plat->fault_access)
				info.access = plat->fault_access(t->ctx, &t->regs, &info);
			t->fault_access = info.access;
			if (code == MM_FAULT_OOM)
				task_oom(t);
			else if (code == MM_FAULT_SIGBUS)
				task_force_signal(t, SIGBUS, BUS_ADRERR, info.addr);
			else if (code) {
				log_debug("task %d: unfixable fault at %#llx (rip %#llx, code %d)", t->tid,
					  (unsigned long long)info.addr, (unsigned long long)t->regs.rip, code);
				task_force_signal(t, SIGSEGV, code, info.addr);
			}
			break;
		case PLAT_SIGNAL:
			log_debug("task %d: signal %d code %d at %#llx (rip %#llx)", t->tid, info.signo, info.code,
				  (unsigned long long)info.addr, (unsigned long long)t->regs.rip);
			task_force_signal(t, info.signo, info.code, info.addr);
			break;
		case PLAT_INTERRUPT:
			break;
		case PLAT_DIED:
			/* Another thread ended the group and, with it, the stub process. */
			if (t->exiting || t->tg->exiting)
				break;
			/*
			 * Or the platform lost it (killed on the host, a host
			 * mapping refused): the process dies of SIGKILL, as of
			 * Linux's OOM killer; the sandbox goes on.
			 */
			log_warn("task %d: its address space was lost on the host; killing its process", t->tid);
			task_exit_group(t, SIGKILL);
			break;
		}
		timing_stop_done(kind, nr, since);
	}
	if (t->ptrace.tracer)
		ptrace_exit_event(t);
	pthread_mutex_unlock(&sentry_lock);
}
