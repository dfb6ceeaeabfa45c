/*
 * ptrace(2) between sandboxed tasks: stops, resumes, attaching, and what
 * wait reports of tracees (ptrace.h says where the stops are made and how
 * cvisor differs from Linux).
 *
 * A stop: the tracee records its wait status and siginfo, takes a copy of
 * its FPU state from the platform (only its own host thread can), tells its
 * tracer (SIGCHLD, a wake of the tracer's child_wq) and sleeps until the
 * tracer resumes it, detaches or it is killed.  Signals do not end a stop.
 *
 * Exits: a tracee's exit is reported to its tracer through a record
 * (struct pt_exit) when the tracer would not see it as its own child's
 * zombie anyway: threads that are not the last, and processes whose parent
 * is another process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "../log.h"
#include "ptrace.h"
#include "task.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#define PTRACE_EVENTMSG_SYSCALL_ENTRY 1
#define PTRACE_EVENTMSG_SYSCALL_EXIT 2

/* An exit the tracer is still to wait for. */
struct pt_exit {
	struct task *tracer;
	int tid, pgid, status;
	int clone;              /* reported only to __WALL / __WCLONE waits */
	struct pt_exit *next;
};

static struct pt_exit *exits;

int ptrace_exit_pending(int tid)
{
	const struct pt_exit *e;

	for (e = exits; e; e = e->next)
		if (e->tid == tid)
			return 1;
	return 0;
}

/* Is x a "clone" child for wait's __WCLONE: a thread, or a process that tells its parent by another signal. */
static int is_clone(const struct task *x)
{
	return x->tg->leader != x || x->tg->exit_signal != SIGCHLD;
}

/* Tells t's tracer of a stop or exit: its wait wakes, and SIGCHLD (CLD_TRAPPED...) comes. */
static void notify_tracer(struct task *tracer, struct task *t, int code, int status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = task_vnr(tracer, t->tid); /* pids in siginfo: as the receiver sees them */
	si.si_uid = t->cred.uid;
	si.si_status = status;
	waitq_wake(&tracer->tg->child_wq);
	tg_send_signal(tracer->tg, SIGCHLD, &si);
}

/* Takes the FPU state of the stopped thread, for GETFPREGS and the like. */
static void take_fp(struct task *t)
{
	struct iovec iov;

	if (!t->ptrace.fp && !(t->ptrace.fp = malloc(TASK_XSAVE_MAX)))
		return;
	iov.iov_base = t->ptrace.fp;
	iov.iov_len = TASK_XSAVE_MAX;
	t->ptrace.fplen = t->ctx && plat_get_fpstate(t->ctx, &iov) == 0 ? iov.iov_len : 0;
	t->ptrace.fp_dirty = 0;
}

static void give_fp(struct task *t)
{
	struct iovec iov = {t->ptrace.fp, t->ptrace.fplen};

	if (t->ptrace.fp_dirty && t->ptrace.fplen && t->ctx)
		plat_set_fpstate(t->ctx, &iov);
	t->ptrace.fp_dirty = 0;
}

static int dying(const struct task *t)
{
	return t->exiting || t->tg->exiting;
}

/* The siginfo of a stop the kernel makes (syscall and event stops): SIGTRAP with the code given. */
static void trap_info(struct task *t, siginfo_t *si, int code)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = SIGTRAP;
	si->si_code = code;
	si->si_pid = task_vnr(t, t->tid);
	si->si_uid = t->cred.uid;
}

/*
 * The stop itself.  Returns when the tracer lets t go (or detaches, or t is
 * killed); t->ptrace.sig is then the signal the tracer gave.
 */
static void stop_at(struct task *t, int kind, int status, const siginfo_t *info, int at_exit)
{
	struct task_ptrace *p = &t->ptrace;

	if (!p->tracer || (dying(t) && !at_exit))
		return;
	p->stopped = 1;
	p->kind = kind;
	p->report = status;
	p->resume = 0;
	p->sig = 0;
	if (info)
		p->info = *info;
	else
		memset(&p->info, 0, sizeof(p->info));
	take_fp(t);
	notify_tracer(p->tracer, t, CLD_TRAPPED, (status >> 8) & 0xff);
	/* ptrace_resume, detach and SIGKILL wake it (the exit stop ends only with the first two, or SIGKILL). */
	while (p->stopped && (at_exit || !dying(t)))
		task_sleep(t, NULL);
	p->stopped = 0;
	p->report = 0;
	p->kind = PTRACE_STOP_NONE;
	if (!dying(t))
		give_fp(t);
}

static void stop(struct task *t, int kind, int status, const siginfo_t *info)
{
	stop_at(t, kind, status, info, 0);
}

void ptrace_exit_event(struct task *t)
{
	int status = t->tg->exiting ? t->tg->exit_status : (t->exit_code & 0xff) << 8;
	int code = SIGTRAP | (PTRACE_EVENT_EXIT << 8);
	siginfo_t si;

	/* Not for SIGKILL, which gives the tracer no more say (as Linux since 5.x). */
	if (!t->ptrace.tracer || !(t->ptrace.options & PTRACE_O_TRACEEXIT) || (status & 0x7f) == SIGKILL)
		return;
	trap_info(t, &si, code);
	t->ptrace.msg = (uint64_t)status;
	stop_at(t, PTRACE_STOP_EVENT, (code << 8) | 0x7f, &si, 1);
}

void ptrace_end_exit_stops(struct thread_group *g)
{
	struct task *x;

	for (x = g->threads; x; x = x->tg_next)
		if (x->ptrace.stopped) {
			x->ptrace.stopped = 0;
			task_wake(x);
		}
}

/* An event stop: status (SIGTRAP | event << 8) << 8 | 0x7f, msg for GETEVENTMSG. */
static void event_stop(struct task *t, int event, uint64_t msg)
{
	siginfo_t si;
	int code = SIGTRAP | (event << 8);

	trap_info(t, &si, code);
	t->ptrace.msg = msg;
	stop(t, PTRACE_STOP_EVENT, (code << 8) | 0x7f, &si);
}

/* The signal the tracer gave with a resume from a syscall stop: sent to the tracee, as Linux. */
static void resend(struct task *t)
{
	siginfo_t si;
	int sig = t->ptrace.sig;

	if (!sig || dying(t))
		return;
	t->ptrace.sig = 0;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_USER;
	si.si_pid = t->ptrace.tracer ? task_vnr(t, t->ptrace.tracer->tg->tgid) : 0;
	task_send_signal(t, sig, &si);
}

static void syscall_stop(struct task *t, int kind)
{
	int sig = SIGTRAP | ((t->ptrace.options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
	siginfo_t si;

	trap_info(t, &si, sig);
	t->ptrace.msg = kind == PTRACE_STOP_ENTRY ? PTRACE_EVENTMSG_SYSCALL_ENTRY : PTRACE_EVENTMSG_SYSCALL_EXIT;
	stop(t, kind, (sig << 8) | 0x7f, &si);
	resend(t);
}

int ptrace_syscall_enter(struct task *t)
{
	if (!t->ptrace.tracer || t->ptrace.resume != PTRACE_SYSCALL)
		return 0;
	/* As on Linux, rax reads -ENOSYS at the entry stop; it stays the result if the call is skipped. */
	t->regs.rax = (uint64_t)-ENOSYS;
	syscall_stop(t, PTRACE_STOP_ENTRY);
	return dying(t) || (int64_t)t->regs.orig_rax == -1;
}

void ptrace_syscall_exit(struct task *t)
{
	if (!t->ptrace.tracer || dying(t))
		return;
	if (t->ptrace.resume == PTRACE_SYSCALL) {
		syscall_stop(t, PTRACE_STOP_EXIT);
	} else if (t->ptrace.resume == PTRACE_SINGLESTEP) {
		/* A step over a system call ends after it, with a trap (Linux's user_single_step_report). */
		task_force_signal(t, SIGTRAP, TRAP_BRKPT, 0);
	}
}

int ptrace_signal(struct task *t, int sig, siginfo_t *si)
{
	struct task_ptrace *p = &t->ptrace;

	if (!p->tracer || sig == SIGKILL)
		return sig;
	stop(t, PTRACE_STOP_SIGNAL, (sig << 8) | 0x7f, si);
	if (dying(t))
		return 0;
	sig = p->sig;
	p->sig = 0;
	if (!sig)
		return 0;
	/* Another signal than the one stopped for: the tracer's own, unless it set a siginfo for it. */
	if (p->info.si_signo != sig) {
		memset(si, 0, sizeof(*si));
		si->si_signo = sig;
		si->si_code = SI_USER;
		si->si_pid = p->tracer ? task_vnr(t, p->tracer->tg->tgid) : 0;
		si->si_uid = p->tracer ? p->tracer->cred.uid : 0;
	} else {
		*si = p->info;
	}
	/* Blocked now: it waits in the queue like any other. */
	if (t->sigmask & (1ULL << (sig - 1))) {
		task_send_signal(t, sig, si);
		return 0;
	}
	return sig;
}

int ptrace_before_user(struct task *t)
{
	struct task_ptrace *p = &t->ptrace;
	siginfo_t si;

	while (p->tracer && !dying(t)) {
		if (p->interrupt) {
			/* PTRACE_INTERRUPT's stop (an auto-attached child's first): SIGTRAP | PTRACE_EVENT_STOP. */
			p->interrupt = 0;
			trap_info(t, &si, SIGTRAP | (PTRACE_EVENT_STOP << 8));
			stop(t, PTRACE_STOP_EVENT, (SIGTRAP | PTRACE_EVENT_STOP << 8) << 8 | 0x7f, &si);
			continue;
		}
		if (t->tg->stopped && !p->gstop_seen) {
			/* The group stop, as the tracer sees it: a stop with the stopping signal and no siginfo. */
			int status = (t->tg->stop_sig << 8) | 0x7f;

			p->gstop_seen = 1;
			if (p->seized) {
				/* Seized: an event stop, with a siginfo of its own. */
				trap_info(t, &si, t->tg->stop_sig | (PTRACE_EVENT_STOP << 8));
				si.si_signo = t->tg->stop_sig;
				stop(t, PTRACE_STOP_GROUP, status | PTRACE_EVENT_STOP << 16, &si);
				continue;
			}
			stop(t, PTRACE_STOP_GROUP, status, NULL);
			continue;
		}
		if (p->resume == PTRACE_LISTEN && t->tg->stopped) {
			/* PTRACE_LISTEN: stopped still, until SIGCONT (or another stop request). */
			task_sleep(t, NULL);
			continue;
		}
		if (p->resume == PTRACE_LISTEN) {
			/* The group stop ended under PTRACE_LISTEN: the tracer hears of it with a new stop. */
			p->resume = PTRACE_CONT;
			p->interrupt = 1;
			continue;
		}
		break;
	}
	return p->tracer != NULL;
}

int ptrace_stepping(const struct task *t)
{
	return t->ptrace.tracer && t->ptrace.resume == PTRACE_SINGLESTEP;
}

void ptrace_exec(struct task *t, int old_tid)
{
	if (!t->ptrace.tracer)
		return;
	if (t->ptrace.options & PTRACE_O_TRACEEXEC) {
		event_stop(t, PTRACE_EVENT_EXEC, (uint64_t)old_tid);
	} else if (!t->ptrace.seized) {
		/* An old-style tracee gets a SIGTRAP after each successful execve. */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGTRAP;
		si.si_code = SI_USER;
		task_send_signal(t, SIGTRAP, &si);
	}
}

/* The event a clone makes (PTRACE_EVENT_FORK, _VFORK or _CLONE) and whether the parent's options follow it. */
static int clone_event(const struct task *parent, uint64_t flags, int *event)
{
	unsigned o = parent->ptrace.options;

	if (flags & CLONE_VFORK) {
		*event = PTRACE_EVENT_VFORK;
		return !!(o & PTRACE_O_TRACEVFORK);
	}
	if ((flags & CSIGNAL) == SIGCHLD && !(flags & CLONE_THREAD)) {
		*event = PTRACE_EVENT_FORK;
		return !!(o & PTRACE_O_TRACEFORK);
	}
	*event = PTRACE_EVENT_CLONE;
	return !!(o & PTRACE_O_TRACECLONE);
}

void ptrace_clone(struct task *parent, struct task *child, uint64_t flags)
{
	struct task_ptrace *p = &parent->ptrace, *c = &child->ptrace;
	int event;

	if (!p->tracer || (flags & CLONE_UNTRACED))
		return;
	if (!clone_event(parent, flags, &event) && !(flags & CLONE_PTRACE))
		return;
	c->tracer = p->tracer;
	c->options = p->options;
	c->seized = p->seized;
	if (c->seized) {
		c->interrupt = 1;
	} else {
		/* An old-style tracee starts with a SIGSTOP. */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGSTOP;
		si.si_code = SI_USER;
		child->sigpending |= 1ULL << (SIGSTOP - 1);
		child->siginfo[SIGSTOP - 1] = si;
	}
}

void ptrace_clone_event(struct task *parent, struct task *child, uint64_t flags)
{
	int event;

	if (parent->ptrace.tracer && clone_event(parent, flags, &event) && !(flags & CLONE_UNTRACED))
		event_stop(parent, event, (uint64_t)task_vnr(parent->ptrace.tracer, child->tid)); /* the tracer's number */
}

void ptrace_vfork_done(struct task *parent, int child_tid)
{
	if (parent->ptrace.tracer && (parent->ptrace.options & PTRACE_O_TRACEVFORKDONE))
		event_stop(parent, PTRACE_EVENT_VFORK_DONE, (uint64_t)child_tid);
}

/* Lets a tracee go (detach, or its tracer left); sig: a signal it then takes. */
static void detach(struct task *x, int sig)
{
	struct task_ptrace *p = &x->ptrace;

	p->tracer = NULL;
	p->options = 0;
	p->seized = 0;
	p->interrupt = 0;
	p->resume = 0;
	if (p->stopped) {
		p->stopped = 0;
		if (sig && p->kind == PTRACE_STOP_SIGNAL)
			p->sig = sig;
		task_wake(x);
	} else {
		task_wake(x); /* a PTRACE_LISTEN sleeper, or a group stop it now waits out itself */
	}
	if (x->tg->stopped)
		p->gstop_seen = 0;
}

void ptrace_exit(struct task *t, int status, int last)
{
	struct thread_group *g;
	struct task *x;
	struct pt_exit **pp, *e;

	/* Its tracees go free, or die with it (PTRACE_O_EXITKILL). */
	for (g = tg_all(); g; g = g->next)
		for (x = g->threads; x; x = x->tg_next)
			if (x->ptrace.tracer == t) {
				if (x->ptrace.options & PTRACE_O_EXITKILL)
					task_exit_group(x, SIGKILL);
				detach(x, 0);
			}
	/* Exits no one will wait for now. */
	for (pp = &exits; (e = *pp);) {
		if (e->tracer == t) {
			int tid = e->tid;

			*pp = e->next;
			free(e);
			task_pid_release(tid);
		} else {
			pp = &e->next;
		}
	}
	free(t->ptrace.fp);
	t->ptrace.fp = NULL;
	x = t->ptrace.tracer;
	if (!x)
		return;
	t->ptrace.tracer = NULL;
	/* Its tracer's own child: the zombie tells it (the last thread of a process). */
	if (last && t->tg->parent == x->tg)
		return;
	e = calloc(1, sizeof(*e));
	if (!e) {
		log_warn("no memory to tell tracer %d of %d's exit", x->tid, t->tid);
		return;
	}
	e->tracer = x;
	e->tid = t->tid;
	e->pgid = t->tg->pgid;
	e->status = status;
	e->clone = is_clone(t);
	e->next = exits;
	exits = e;
	notify_tracer(x, t, (status & 0x7f) ? ((status & 0x80) ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED,
		      (status & 0x7f) ? status & 0x7f : (status >> 8) & 0xff);
}

/* Does a wait of t for pid (wait4's sense) with options take a tracee with this tid and pgid? */
static int wait_matches(struct task *t, int pid, int options, int tid, int pgid, int clone)
{
	if (!(options & __WALL) && !!(options & __WCLONE) != clone)
		return 0;
	if (pid > 0)
		return tid == pid;
	if (pid == -1)
		return 1;
	if (pid == 0)
		return pgid == t->tg->pgid;
	return pgid == -pid;
}

int ptrace_wait(struct task *t, int pid, int options, int *status, int *any)
{
	struct thread_group *g;
	struct task *x;
	struct pt_exit **pp, *e;

	for (g = tg_all(); g; g = g->next)
		for (x = g->threads; x; x = x->tg_next) {
			if (!x->ptrace.tracer || x->ptrace.tracer->tg != t->tg ||
			    !wait_matches(t, pid, options, x->tid, g->pgid, is_clone(x)))
				continue;
			*any = 1;
			if (x->ptrace.stopped && x->ptrace.report) {
				*status = x->ptrace.report;
				if (!(options & WNOWAIT))
					x->ptrace.report = 0;
				return task_vnr(t, x->tid);
			}
		}
	for (pp = &exits; (e = *pp); pp = &e->next) {
		if (e->tracer->tg != t->tg || !wait_matches(t, pid, options, e->tid, e->pgid, e->clone))
			continue;
		*any = 1;
		if (!(options & WEXITED))
			continue;
		*status = e->status;
		pid = task_vnr(t, e->tid); /* before its number can go */
		if (!(options & WNOWAIT)) {
			int tid = e->tid;

			*pp = e->next;
			free(e);
			task_pid_release(tid);
		}
		return pid;
	}
	return 0;
}

int ptrace_traced_by(const struct thread_group *g, const struct task *t)
{
	const struct task *x;

	for (x = g->threads; x; x = x->tg_next)
		if (x->ptrace.tracer && x->ptrace.tracer->tg == t->tg)
			return 1;
	return 0;
}

int ptrace_tracer_pid(const struct task *t)
{
	return t->ptrace.tracer ? t->ptrace.tracer->tg->tgid : 0;
}

/* ---- requests ---- */

/*
 * Linux's __ptrace_may_access for attaching: never one's own process; the
 * same real uid and gid as all of the target's and a dumpable target, or
 * CAP_SYS_PTRACE (task_may_access).
 */
static long may_attach(struct task *t, struct task *target)
{
	if (target->tg == t->tg)
		return -EPERM;
	return task_may_access(t, target);
}

long ptrace_traceme(struct task *t)
{
	struct thread_group *parent = t->tg->parent;
	struct task *tracer;

	if (t->ptrace.tracer)
		return -EPERM;
	/* The sandbox's first process has no parent inside it to trace it. */
	if (!parent || parent->zombie || !(tracer = parent->leader ? parent->leader : parent->threads))
		return -EPERM;
	t->ptrace.tracer = tracer;
	t->ptrace.seized = 0;
	t->ptrace.options = 0;
	return 0;
}

long ptrace_attach(struct task *t, int pid, int seize, unsigned options)
{
	struct task *x = pid > 0 ? task_find_vnr(t, pid) : NULL;
	long r;

	if (!x)
		return -ESRCH;
	r = may_attach(t, x);
	if (r < 0)
		return r;
	if (x->ptrace.tracer || dying(x))
		return -EPERM;
	x->ptrace.tracer = t;
	x->ptrace.seized = seize;
	x->ptrace.options = options;
	x->ptrace.resume = 0;
	x->ptrace.gstop_seen = 0;
	if (!seize) {
		/* PTRACE_ATTACH stops it with a SIGSTOP, as kill(2) would (without permission checks). */
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGSTOP;
		si.si_code = SI_USER;
		si.si_pid = tg_pid_for(x->tg, t->tg->tgid);
		si.si_uid = t->cred.uid;
		task_send_signal(x, SIGSTOP, &si);
	}
	/* A stopped process's thread reports its group stop to its new tracer. */
	task_wake(x);
	return 0;
}

/* The task with tid pid, exiting ones too (task_find's are not: a tracee at PTRACE_EVENT_EXIT is). */
static struct task *find_any(int pid)
{
	struct thread_group *g;
	struct task *x;

	for (g = tg_all(); g; g = g->next)
		for (x = g->threads; x; x = x->tg_next)
			if (x->tid == pid)
				return x;
	return NULL;
}

struct task *ptrace_tracee(struct task *t, int pid, int any_state, long *err)
{
	struct task *x = pid > 0 ? find_any(task_gnr(t, pid)) : NULL;

	*err = -ESRCH;
	if (!x || !x->ptrace.tracer || x->ptrace.tracer->tg != t->tg)
		return NULL;
	/* (A dying tracee is still stopped until its thread runs: at PTRACE_EVENT_EXIT, on purpose.) */
	if (!any_state && !x->ptrace.stopped)
		return NULL;
	*err = 0;
	return x;
}

long ptrace_resume(struct task *x, int how, int sig)
{
	struct task_ptrace *p = &x->ptrace;

	if (sig < 0 || sig > 64)
		return -EIO;
	if (how == PTRACE_DETACH) {
		detach(x, sig);
		return 0;
	}
	if (how == PTRACE_LISTEN) {
		/* Only from a group stop (or an event stop of one) of a seized tracee. */
		if (!p->seized || (p->kind != PTRACE_STOP_GROUP && p->kind != PTRACE_STOP_EVENT))
			return -EIO;
		sig = 0;
	}
	p->resume = how;
	/* A signal goes with a resume from a signal-delivery or syscall stop; event and group stops drop it. */
	p->sig = p->kind == PTRACE_STOP_SIGNAL || p->kind == PTRACE_STOP_ENTRY || p->kind == PTRACE_STOP_EXIT ? sig : 0;
	p->stopped = 0;
	p->report = 0;
	task_wake(x);
	return 0;
}

long ptrace_interrupt(struct task *x)
{
	if (!x->ptrace.seized)
		return -EIO;
	if (x->ptrace.stopped && x->ptrace.resume != PTRACE_LISTEN)
		return 0;
	x->ptrace.interrupt = 1;
	if (x->ptrace.resume == PTRACE_LISTEN)
		x->ptrace.resume = PTRACE_CONT;
	/* Out of a blocking call (it restarts after the stop) or the application. */
	task_wake(x);
	if (x->in_user && x->ctx)
		plat->interrupt(x->ctx);
	return 0;
}

long ptrace_kill(struct task *x)
{
	task_exit_group(x, SIGKILL);
	return 0;
}

uint8_t *ptrace_fpstate(struct task *x, size_t *len)
{
	*len = x->ptrace.fplen;
	return x->ptrace.fplen ? x->ptrace.fp : NULL;
}
