/*
 * Signal delivery as Linux does it on x86-64: default actions, handlers
 * run on a rt_sigframe (siginfo, ucontext with the general registers and
 * the full xsave FPU state), sigaltstack, SA_NODEFER/SA_RESETHAND/
 * SA_RESTART/SA_ONSTACK, rt_sigreturn, and the restart of interrupted
 * system calls (ERESTARTSYS and friends).
 *
 * Standard and real-time signals are both kept one of each (no queue of
 * real-time signals yet).  Job-control stops are not implemented yet:
 * SIGSTOP/SIGTSTP/SIGTTIN/SIGTTOU's default action is ignored.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "../../syscalls/syscalls.h"
#include "../host/host.h"
#include "../mm/mm.h"
#include "ptrace.h"
#include "task.h"

#define BIT(sig) (1ULL << ((sig) - 1))
#define UNBLOCKABLE (BIT(SIGKILL) | BIT(SIGSTOP))
#define SYNCHRONOUS (BIT(SIGSEGV) | BIT(SIGBUS) | BIT(SIGILL) | BIT(SIGTRAP) | BIT(SIGFPE) | BIT(SIGSYS))

/* x86-64 struct sigcontext, as in the ABI's ucontext. */
struct abi_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved[8];
};

struct abi_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct abi_stack uc_stack;
	struct abi_sigcontext mc;
	uint64_t sigmask;
};

struct abi_sigframe {
	uint64_t pretcode;
	struct abi_ucontext uc;
	siginfo_t info;
};

#define SA_RESTORER 0x04000000
#define UC_FP_XSTATE 1
#define UC_SIGCONTEXT_SS 2
#define UC_STRICT_RESTORE_SS 4
#define FP_XSTATE_MAGIC1 0x46505853U
#define FP_XSTATE_MAGIC2 0x46505845U

enum action { ACT_IGNORE, ACT_TERM, ACT_CORE, ACT_STOP, ACT_CONT };

static enum action default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH:
		return ACT_IGNORE;
	case SIGCONT:
		return ACT_CONT;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return ACT_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return ACT_CORE;
	}
	return ACT_TERM;
}

static int ignored(struct task *t, int sig)
{
	uint64_t h = t->sighand->act[sig - 1].handler;

	/* A tracer sees every signal (its signal-delivery stop), ignored or not. */
	if (t->ptrace.tracer)
		return 0;
	if (h == (uint64_t)SIG_IGN)
		return 1;
	return h == (uint64_t)SIG_DFL && (default_action(sig) == ACT_IGNORE || default_action(sig) == ACT_CONT);
}

int task_signal_pending(struct task *t)
{
	return ((t->sigpending | t->tg->pending) & ~t->sigmask) != 0 || t->exiting || t->tg->exiting;
}

/* A signal t does not block: t leaves a blocking wait, or the application. */
static void wake(struct task *t)
{
	task_wake(t);
	waitq_wake(&t->tg->signal_wq);
	if (t->in_user && t->ctx)
		plat->interrupt(t->ctx);
}

/* A blocked signal: only its waiters care (sigtimedwait of the thread(s), signalfd). */
static void wake_waiters(struct thread_group *g, struct task *only)
{
	struct task *x;

	for (x = g->threads; x; x = x->tg_next)
		if (!only || x == only)
			task_wake(x);
	waitq_wake(&g->signal_wq);
}

/*
 * Pending signals: a bit and a siginfo per signal, and for real-time
 * signals (32 and up), which Linux queues rather than merges, a list of
 * the further instances, capped as RLIMIT_SIGPENDING would cap them.
 */
struct sigextra {
	int sig;
	siginfo_t info;
	struct sigextra *next;
};

#define SIGQUEUE_MAX 4096 /* further instances per thread or process */
/*
 * ... and in the whole sandbox, which RLIMIT_SIGPENDING (per user on Linux)
 * would bound: without it, a sandbox of thousands of threads could make
 * the sentry hold gigabytes of queued siginfo.
 */
#define SIGQUEUE_SANDBOX_MAX 65536
static long sigqueue_count; /* real-time signal instances queued in the sandbox, first ones included */

#define RT_BITS (~0ULL << 31) /* signals 32..64 as BIT(sig) */

static int add_pending(uint64_t *pending, siginfo_t *info, struct sigextra **list, int sig, const siginfo_t *si,
		       const struct thread_group *g)
{
	struct sigextra **pp, *e;
	int n = 0;

	if (sig < 32 && (*pending & BIT(sig)))
		return 0; /* standard signals merge */
	/*
	 * The receiver's RLIMIT_SIGPENDING against the sandbox's count of
	 * real-time signals (Linux counts every queued signal, per user).
	 */
	if (sig >= 32 && (sigqueue_count >= SIGQUEUE_SANDBOX_MAX ||
			  (uint64_t)sigqueue_count >= g->rlim[RLIMIT_SIGPENDING].rlim_cur))
		return -EAGAIN;
	if (!(*pending & BIT(sig))) {
		info[sig - 1] = *si;
		*pending |= BIT(sig);
		if (sig >= 32)
			sigqueue_count++;
		return 0;
	}
	for (pp = list; *pp; pp = &(*pp)->next)
		if (++n >= SIGQUEUE_MAX)
			return -EAGAIN;
	e = malloc(sizeof(*e));
	if (!e)
		return -EAGAIN;
	sigqueue_count++;
	e->sig = sig;
	e->info = *si;
	e->next = NULL;
	*pp = e;
	return 0;
}

/* Takes the oldest instance of sig into *out; the next one (if any) stays pending. */
static void take_pending(uint64_t *pending, siginfo_t *info, struct sigextra **list, int sig, siginfo_t *out)
{
	struct sigextra **pp, *e;

	*out = info[sig - 1];
	for (pp = list; (e = *pp); pp = &e->next)
		if (e->sig == sig) {
			info[sig - 1] = e->info;
			*pp = e->next;
			free(e);
			sigqueue_count--;
			return;
		}
	if (sig >= 32 && (*pending & BIT(sig)))
		sigqueue_count--;
	*pending &= ~BIT(sig);
}

void sigextra_free(uint64_t *pending, struct sigextra **list)
{
	sigqueue_count -= __builtin_popcountll(*pending & RT_BITS);
	*pending &= ~RT_BITS;
	while (*list) {
		struct sigextra *e = *list;

		*list = e->next;
		free(e);
		sigqueue_count--;
	}
}

/* Drops every pending instance of the signals in mask (job control, SIG_IGN). */
static void drop_pending(uint64_t *pending, struct sigextra **list, uint64_t mask)
{
	struct sigextra **pp = list, *e;

	sigqueue_count -= __builtin_popcountll(*pending & mask & RT_BITS);
	*pending &= ~mask;
	while ((e = *pp)) {
		if (mask & BIT(e->sig)) {
			*pp = e->next;
			free(e);
			sigqueue_count--;
		} else {
			pp = &e->next;
		}
	}
}

/* Stop and continue signals cancel each other's pending ones; SIGCONT resumes at once. */
static void job_control(struct thread_group *g, int sig)
{
	struct task *x;
	const uint64_t stops = BIT(SIGSTOP) | BIT(SIGTSTP) | BIT(SIGTTIN) | BIT(SIGTTOU);

	if (sig == SIGCONT) {
		drop_pending(&g->pending, &g->extra, stops);
		for (x = g->threads; x; x = x->tg_next)
			drop_pending(&x->sigpending, &x->sigextra, stops);
		tg_continue(g);
	} else if (stops & BIT(sig)) {
		drop_pending(&g->pending, &g->extra, BIT(SIGCONT));
		for (x = g->threads; x; x = x->tg_next)
			drop_pending(&x->sigpending, &x->sigextra, BIT(SIGCONT));
	}
}

int task_send_signal(struct task *target, int sig, const siginfo_t *info)
{
	/* Every table below is indexed by sig: a caller's unchecked number goes no further. */
	if (sig < 1 || sig > 64 || target->exiting || target->tg->exiting)
		return 0;
	job_control(target->tg, sig);
	if (sig == SIGKILL) {
		task_exit_group(target, SIGKILL);
		return 0;
	}
	/* Ignored signals are dropped at once, unless blocked (the handler may change). */
	if (ignored(target, sig) && !(target->sigmask & BIT(sig)))
		return 0;
	if (add_pending(&target->sigpending, target->siginfo, &target->sigextra, sig, info, target->tg) < 0)
		return -EAGAIN;
	if (!(target->sigmask & BIT(sig)))
		wake(target);
	else
		wake_waiters(target->tg, target);
	return 0;
}

int tg_send_signal(struct thread_group *g, int sig, const siginfo_t *info)
{
	struct task *t = g->threads, *x;

	if (sig < 1 || sig > 64 || !t || g->exiting)
		return 0;
	if (sig == SIGKILL) {
		task_exit_group(t, SIGKILL);
		return 0;
	}
	job_control(g, sig);
	/* As for a thread: an ignored signal is dropped unless blocked (here: by the first thread). */
	if (ignored(t, sig) && !(t->sigmask & BIT(sig)))
		return 0;
	if (add_pending(&g->pending, g->info, &g->extra, sig, info, g) < 0)
		return -EAGAIN;
	/* Any thread that does not block it may take it: wake one. */
	for (x = g->threads; x; x = x->tg_next)
		if (!(x->sigmask & BIT(sig))) {
			wake(x);
			return 0;
		}
	wake_waiters(g, NULL);
	return 0;
}

void task_force_signal(struct task *t, int sig, int code, uint64_t addr)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_addr = (void *)addr;
	/* A fault the handler cannot see is fatal: Linux unblocks it and resets the action. */
	if ((t->sigmask & BIT(sig)) || t->sighand->act[sig - 1].handler == (uint64_t)SIG_IGN) {
		t->sigmask &= ~BIT(sig);
		t->sighand->act[sig - 1].handler = (uint64_t)SIG_DFL;
	}
	t->siginfo[sig - 1] = si;
	t->sigpending |= BIT(sig);
}

/* Makes the interrupted system call restart, or fail with EINTR, as sa says (NULL: no handler). */
static void fix_restart(struct task *t, struct abi_sigaction *sa)
{
	long r = (long)t->regs.rax;

	if (t->cur_restart == 0)
		return;
	t->cur_restart = 0;
	switch (-r) {
	case ERESTARTNOHAND:
	case ERESTART_RESTARTBLOCK:
		if (sa) {
			t->regs.rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case ERESTARTSYS:
		if (sa && !(sa->flags & SA_RESTART)) {
			t->regs.rax = (uint64_t)-EINTR;
			return;
		}
		break;
	case ERESTARTNOINTR:
		break;
	default:
		return;
	}
	/* Run the syscall instruction again. */
	t->regs.rax = -r == ERESTART_RESTARTBLOCK ? SYS_restart_syscall : t->regs.orig_rax;
	t->regs.rip -= 2;
}

/* Reads the FPU/vector state of the stopped application thread. */
static size_t get_xstate(struct task *t, uint8_t *buf)
{
	struct iovec iov = {buf, TASK_XSAVE_MAX};

	if (plat_get_fpstate(t->ctx, &iov) < 0)
		return 0;
	return iov.iov_len;
}

static int setup_frame(struct task *t, int sig, struct abi_sigaction *sa, const siginfo_t *info)
{
	uint8_t *xs = task_xsave_scratch(t);
	struct abi_sigframe f;
	uint64_t sp = t->regs.rsp, fp, oldmask = t->has_saved_sigmask ? t->saved_sigmask : t->sigmask;
	size_t xlen;
	int on_alt = task_on_altstack(t, sp);

	if (!xs)
		return -1; /* no frame without the FPU state: as one that does not fit */
	xlen = get_xstate(t, xs);

	if ((sa->flags & SA_ONSTACK) && t->altstack.ss_size && !on_alt)
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	else
		sp -= 128; /* the red zone */
	if (xlen) {
		/* The kernel's layout: software bytes in the fxsave area, MAGIC2 after the xsave area. */
		uint32_t magic2 = FP_XSTATE_MAGIC2;
		uint32_t sw[12] = {FP_XSTATE_MAGIC1, (uint32_t)(xlen + 4), 0, 0, (uint32_t)xlen};

		memcpy(&sw[2], xs + 512, 8); /* xfeatures: XSTATE_BV in the header */
		memcpy(xs + 464, sw, sizeof(sw));
		sp -= xlen + 4;
		sp &= ~63ULL;
		fp = sp;
		if (mm_copy_out(t->mm, fp, xs, xlen) < 0 || mm_copy_out(t->mm, fp + xlen, &magic2, 4) < 0)
			return -EFAULT;
	} else {
		fp = 0;
	}
	sp -= sizeof(f);
	sp = ((sp + 8) & ~15ULL) - 8; /* as after a call: (rsp + 8) 16-byte aligned */

	memset(&f, 0, sizeof(f));
	f.pretcode = sa->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (xlen ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->altstack.ss_sp;
	f.uc.uc_stack.ss_size = t->altstack.ss_size;
	f.uc.uc_stack.ss_flags = !t->altstack.ss_size ? SS_DISABLE : on_alt ? SS_ONSTACK : 0;
	f.uc.mc = (struct abi_sigcontext){
		.r8 = t->regs.r8, .r9 = t->regs.r9, .r10 = t->regs.r10, .r11 = t->regs.r11,
		.r12 = t->regs.r12, .r13 = t->regs.r13, .r14 = t->regs.r14, .r15 = t->regs.r15,
		.rdi = t->regs.rdi, .rsi = t->regs.rsi, .rbp = t->regs.rbp, .rbx = t->regs.rbx,
		.rdx = t->regs.rdx, .rax = t->regs.rax, .rcx = t->regs.rcx, .rsp = t->regs.rsp,
		.rip = t->regs.rip, .eflags = t->regs.eflags, .cs = (uint16_t)t->regs.cs, .ss = (uint16_t)t->regs.ss,
		.oldmask = oldmask, .fpstate = fp,
	};
	if (sig == SIGSEGV || sig == SIGBUS) {
		f.uc.mc.cr2 = (uint64_t)info->si_addr;
		f.uc.mc.trapno = 14;
		/* User mode, and what the access was; the present bit (1) is not told yet. */
		f.uc.mc.err = 4 | (t->fault_access == PLAT_ACCESS_WRITE ? 2 : 0) |
			      (t->fault_access == PLAT_ACCESS_EXEC ? 16 : 0);
	}
	f.uc.sigmask = oldmask;
	f.info = *info;
	if (mm_copy_out(t->mm, sp, &f, sizeof(f)) < 0)
		return -EFAULT;

	t->regs.rsp = sp;
	t->regs.rip = sa->handler;
	t->regs.rdi = (uint64_t)sig;
	t->regs.rsi = sp + offsetof(struct abi_sigframe, info);
	t->regs.rdx = sp + offsetof(struct abi_sigframe, uc);
	t->regs.rax = 0;
	t->regs.eflags &= ~(0x100ULL | 0x400ULL); /* TF, DF clear in the handler */
	if ((sa->flags & SA_ONSTACK) && t->altstack.ss_flags & ABI_SS_AUTODISARM)
		t->altstack = (struct abi_stack){0};
	return 0;
}

void task_deliver_signals(struct task *t)
{
	uint64_t bits;

	while (!t->exiting && !t->tg->exiting && (bits = (t->sigpending | t->tg->pending) & ~t->sigmask)) {
		/* Faults first: the instruction that caused them cannot go on. */
		int sig = __builtin_ctzll((bits & SYNCHRONOUS) ? (bits & SYNCHRONOUS) : bits) + 1;
		struct abi_sigaction *sa = &t->sighand->act[sig - 1], act;
		enum action da = default_action(sig);
		siginfo_t si;

		if (t->sigpending & BIT(sig))
			take_pending(&t->sigpending, t->siginfo, &t->sigextra, sig, &si);
		else
			take_pending(&t->tg->pending, t->tg->info, &t->tg->extra, sig, &si);
		if (t->ptrace.tracer) {
			/* The tracer sees it first, and may drop it or give another one. */
			sig = ptrace_signal(t, sig, &si);
			if (!sig)
				continue;
			sa = &t->sighand->act[sig - 1];
			da = default_action(sig);
		}
		if (sa->handler == (uint64_t)SIG_IGN)
			continue;
		if (sa->handler == (uint64_t)SIG_DFL) {
			if (da == ACT_STOP) {
				tg_stop(t->tg, sig);
				continue;
			}
			if (da == ACT_IGNORE || da == ACT_CONT)
				continue;
			/* The core bit says a core was written: only when RLIMIT_CORE allows one. */
			task_exit_group(t, sig | (da == ACT_CORE && t->tg->rlim[RLIMIT_CORE].rlim_cur ? 0x80 : 0));
			return;
		}
		act = *sa;
		fix_restart(t, &act);
		if (act.flags & SA_RESETHAND)
			sa->handler = (uint64_t)SIG_DFL;
		if (!(act.flags & SA_RESTORER) || setup_frame(t, sig, &act, &si) < 0) {
			/*
			 * No way to run the handler (its frame could not be written):
			 * Linux's force_sigsegv.  Of a SIGSEGV that is fatal; of any
			 * other signal, a SIGSEGV is forced on the thread, which its
			 * own handler may take (on another stack), as LTP's signal06
			 * does while another thread makes the alternate stack
			 * read-only.
			 */
			if (sig == SIGSEGV) {
				task_exit_group(t, SIGSEGV | 0x80);
				return;
			}
			task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
			continue;
		}
		t->sigmask |= act.mask | (act.flags & SA_NODEFER ? 0 : BIT(sig));
		t->sigmask &= ~UNBLOCKABLE;
		t->has_saved_sigmask = 0;
		/*
		 * Linux goes on while signals are pending and unblocked: the
		 * next one's frame goes on top, so its handler runs first.
		 */
	}
	fix_restart(t, NULL);
	if (t->has_saved_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->has_saved_sigmask = 0;
	}
}

SYSCALL(rt_sigreturn)
{
	struct abi_ucontext uc;
	gva_t frame = t->regs.rsp - 8;
	uint8_t *xs = task_xsave_scratch(t);

	(void)a;
	if (mm_copy_in(t->mm, &uc, frame + offsetof(struct abi_sigframe, uc), sizeof(uc)) < 0) {
		task_force_signal(t, SIGSEGV, SI_KERNEL, 0);
		return (long)t->regs.rax;
	}
	t->regs.r8 = uc.mc.r8, t->regs.r9 = uc.mc.r9, t->regs.r10 = uc.mc.r10, t->regs.r11 = uc.mc.r11;
	t->regs.r12 = uc.mc.r12, t->regs.r13 = uc.mc.r13, t->regs.r14 = uc.mc.r14, t->regs.r15 = uc.mc.r15;
	t->regs.rdi = uc.mc.rdi, t->regs.rsi = uc.mc.rsi, t->regs.rbp = uc.mc.rbp, t->regs.rbx = uc.mc.rbx;
	t->regs.rdx = uc.mc.rdx, t->regs.rax = uc.mc.rax, t->regs.rcx = uc.mc.rcx, t->regs.rsp = uc.mc.rsp;
	t->regs.rip = uc.mc.rip;
	/* Only the flags an application may change (AC, OF, DF, TF, SF, ZF, AF, PF, CF, RF). */
	t->regs.eflags = (t->regs.eflags & ~0x50dd5ULL) | (uc.mc.eflags & 0x50dd5ULL);
	t->regs.cs = 0x33;
	t->regs.ss = 0x2b;
	t->regs.orig_rax = (uint64_t)-1;
	t->sigmask = uc.sigmask & ~UNBLOCKABLE;
	if (uc.mc.fpstate) {
		uint32_t sw[12];
		size_t len = 512 + 64;

		if (mm_copy_in(t->mm, sw, uc.mc.fpstate + 464, sizeof(sw)) == 0 && sw[0] == FP_XSTATE_MAGIC1 &&
		    sw[4] >= 512 + 64 && sw[4] <= TASK_XSAVE_MAX)
			len = sw[4];
		if (xs && mm_copy_in(t->mm, xs, uc.mc.fpstate, len) == 0) {
			struct iovec iov = {xs, len};

			plat_set_fpstate(t->ctx, &iov);
		}
	}
	/* The altstack setting travels in the frame too. */
	if (!(uc.uc_stack.ss_flags & SS_DISABLE) && uc.uc_stack.ss_size >= 2048) {
		t->altstack.ss_sp = uc.uc_stack.ss_sp;
		t->altstack.ss_size = uc.uc_stack.ss_size;
		t->altstack.ss_flags = uc.uc_stack.ss_flags & ABI_SS_AUTODISARM;
	}
	return (long)t->regs.rax;
}

SYSCALL(rt_sigpending)
{
	uint64_t p = (t->sigpending | t->tg->pending) & t->sigmask;

	/* Unlike the other rt_sig calls, a shorter set is taken: its first bytes. */
	if (a[1] > 8)
		return -EINVAL;
	return mm_copy_out(t->mm, a[0], &p, a[1]);
}

void task_sigaction_set(struct task *t, int sig)
{
	struct task *x;

	/* POSIX: setting a pending signal's action to ignore discards it, blocked or not. */
	if (!ignored(t, sig))
		return;
	drop_pending(&t->tg->pending, &t->tg->extra, BIT(sig));
	for (x = t->tg->threads; x; x = x->tg_next)
		drop_pending(&x->sigpending, &x->sigextra, BIT(sig));
}

int task_on_altstack(struct task *t, uint64_t sp)
{
	return t->altstack.ss_size && sp > t->altstack.ss_sp && sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

long task_begin_wait_sigmask(struct task *t, gva_t set, uint64_t size)
{
	uint64_t mask;

	if (!set)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (mm_copy_in(t->mm, &mask, set, 8) < 0)
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->has_saved_sigmask = 1;
	t->sigmask = mask & ~UNBLOCKABLE;
	return 0;
}

long task_end_wait_sigmask(struct task *t, long r)
{
	/* Not interrupted: no handler runs under the call's mask (Linux restores it at once). */
	if (t->has_saved_sigmask && r != -EINTR && r != -ERESTARTNOHAND && r != -ERESTARTSYS) {
		t->sigmask = t->saved_sigmask;
		t->has_saved_sigmask = 0;
	}
	return r;
}

SYSCALL(rt_sigsuspend)
{
	uint64_t mask;

	if (a[1] != 8)
		return -EINVAL;
	if (mm_copy_in(t->mm, &mask, a[0], 8) < 0)
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->has_saved_sigmask = 1;
	t->sigmask = mask & ~UNBLOCKABLE;
	while (task_block(t, NULL, 0) == 0)
		;
	return -ERESTARTNOHAND;
}

SYSCALL(pause)
{
	(void)a;
	while (task_block(t, NULL, 0) == 0)
		;
	return -ERESTARTNOHAND;
}



/* Takes a pending signal in set (thread's first); 0 if none. */
int task_dequeue_signal(struct task *t, uint64_t set, siginfo_t *si)
{
	uint64_t bits = t->sigpending & set;
	int sig;

	if (bits) {
		sig = __builtin_ctzll(bits) + 1;
		take_pending(&t->sigpending, t->siginfo, &t->sigextra, sig, si);
		return sig;
	}
	bits = t->tg->pending & set;
	if (!bits)
		return 0;
	sig = __builtin_ctzll(bits) + 1;
	take_pending(&t->tg->pending, t->tg->info, &t->tg->extra, sig, si);
	return sig;
}

SYSCALL(rt_sigtimedwait)
{
	uint64_t set, deadline = 0;
	siginfo_t si;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (mm_copy_in(t->mm, &set, a[0], 8) < 0)
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	if (a[2]) {
		struct abi_timespec ts;

		if (mm_copy_in(t->mm, &ts, a[2], sizeof(ts)) < 0)
			return -EFAULT;
		if (!abi_timespec_valid(&ts))
			return -EINVAL;
		deadline = abi_ns_after(host_realtime_ns(), abi_timespec_ns(&ts));
	}
	for (;;) {
		sig = task_dequeue_signal(t, set, &si);
		if (sig)
			break;
		/* A signal outside the set that would run a handler interrupts the wait. */
		if (task_signal_pending(t))
			return -EINTR;
		if (deadline && host_realtime_ns() >= deadline)
			return -EAGAIN;
		switch (task_block(t, NULL, deadline)) {
		case -ETIMEDOUT:
			return -EAGAIN;
		case -ERESTARTSYS:
			/* Only a stop can be left (a signal it waits for was taken above, others give EINTR). */
			if (!task_signal_pending(t))
				return -ERESTARTNOHAND;
			break;
		}
	}
	if (a[1] && mm_copy_out(t->mm, a[1], &si, sizeof(si)) < 0)
		return -EFAULT;
	return sig;
}

/* rt_sigqueueinfo and rt_tgsigqueueinfo: the sender supplies the siginfo. */
static long queue_info(struct task *t, struct task *target, struct thread_group *g, int sig, gva_t uinfo)
{
	siginfo_t si;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (mm_copy_in(t->mm, &si, uinfo, sizeof(si)) < 0)
		return -EFAULT;
	/* Only the kernel may claim SI_USER or a positive code, except to oneself. */
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && g != t->tg)
		return -EPERM;
	si.si_signo = sig;
	if (!sig)
		return 0;
	/* A queue at its limit: EAGAIN for a queued signal (kill's SI_USER ones merge instead, as Linux). */
	return target ? task_send_signal(target, sig, &si) : tg_send_signal(g, sig, &si);
}

SYSCALL(rt_sigqueueinfo)
{
	struct task *x = task_find_vnr(t, (int)a[0]);

	if (!x || task_vnr(t, x->tg->tgid) != (int)a[0])
		return -ESRCH;
	return queue_info(t, NULL, x->tg, (int)a[1], a[2]);
}

SYSCALL(rt_tgsigqueueinfo)
{
	struct task *x = task_find_vnr(t, (int)a[1]);

	if (!x || task_vnr(t, x->tg->tgid) != (int)a[0])
		return -ESRCH;
	return queue_info(t, x, x->tg, (int)a[2], a[3]);
}
