/*
 * The ptrace platform.  Each address space is a stub process that holds
 * nothing but the stub page, the control page and the application's memory
 * (memory-file frames mapped MAP_SHARED).  Each application thread runs in a
 * stub thread under PTRACE_SYSEMU, so its system calls stop in the sentry
 * and are never executed by the host.  The sentry changes a stub's mappings
 * by having the stub run a batch of mmap/mprotect/munmap calls (stub.S).
 *
 * Second wall: each stub carries a seccomp filter that kills it if a system
 * call is made from anywhere but the stub page, so even a thread that
 * somehow ran without SYSEMU could not reach the host.
 *
 * Threading: a stub thread is traced by the host thread that created it and
 * only that thread issues ptrace requests for it (the kernel insists).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "../platform.h"
#include "../stub_child.h"
#include "../stub_mm.h"
#include "../../sentry/host/host.h"
#include "../../sentry/host/seccomp.h"
#include "../../sentry/log.h"
#include "../../sentry/mm/memfile.h"
#include "access.h"
#include "stub.h"

struct plat_as {
	/*
	 * First (stub_mm.h): the stub process (stub.pid, also its first
	 * thread), its batch in the control page, the frames deferred, and
	 * stub.dead (killed: its group is ending).  stub.dropped_at is the
	 * generation right after drop_all() last ran.
	 */
	struct plat_stub_as stub;
	pid_t creator;      /* host thread that traces the first thread */
	uint64_t ctrl_off;  /* memory-file frames of the control page and, next to it, of STUB_RECV */
	plat_regs stub_regs; /* a valid register set for running the stub */
	int cloned;         /* a second stub thread was ever asked for: the stub is not reused */
};
_Static_assert(offsetof(struct plat_as, stub) == 0, "stub_mm.h: a stub platform's address space begins with its stub");

struct plat_ctx {
	struct plat_as *as;
	pid_t tid;          /* the stub thread; traced by the host thread using the context */
	int step;           /* run one instruction at a time (set_singlestep) */
};

/* A batch: the control page, less the three ops that close a batch's files (stub_mm.h). */
#define MAX_OPS (STUB_MAX_OPS - 3)

/* An address space's two frames (ctrl_off): the control page and STUB_RECV's. */
static void frames_put(uint64_t off)
{
	mf_put(off);
	mf_put(off + 4096);
}

/* The context the calling host thread runs, if any: batches run in its stub thread. */
static __thread struct plat_ctx *cur_ctx;

/* Where tracer and stub run (plat_config.pin_cpu): the sentry's CPU at start-up, or -1 for anywhere. */
static int plat_ptrace_cpu = -1;

static const struct sock_filter stub_filter[] = {
	/* Only x86-64 calls, and only from the stub's code page. */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(STUB_CODE >> 32), 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)STUB_CODE, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(STUB_CODE + 4096), 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	/* Only the calls the sentry puts in a batch. */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 11, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_munmap, 10, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 9, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 8, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pause, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 4, 0), /* a file batch's end (stub_mm.h) */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_recvmsg, 0, 2),     /* its start: on the file socket only */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, STUB_SOCK_FD, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

struct stub_args {
	pid_t parent;
	int memfd;
	int sock;           /* the stubs' end of the file socket, which goes to STUB_SOCK_FD */
	uint64_t ctrl_off;  /* and STUB_RECV's frame next to it */
};

/* Runs in the forked child: raw calls only, then into the stub page for good. */
static void stub_child(void *p)
{
	struct stub_args *a = p;
	uint64_t empty = 0;
	long r;

	stub_child_drop_rseq();
	RAW(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0, 0);
	if (RAW(SYS_getppid, 0, 0, 0, 0, 0, 0) != a->parent)
		return;
	/* Out of cvisor's session: terminal signals must not reach the stub. */
	RAW(SYS_setsid, 0, 0, 0, 0, 0, 0);
	if (RAW(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0, 0, 0) < 0)
		return;
	if (stub_child_code(STUB_CODE, 4096, stub_start, stub_end) < 0)
		return;
	if (RAW(SYS_mprotect, STUB_CODE, 4096, PROT_READ | PROT_EXEC, 0, 0, 0) < 0)
		return;
	r = RAW(SYS_mmap, STUB_CTRL, 4096, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, a->memfd, a->ctrl_off);
	if (r != (long)STUB_CTRL)
		return;
	r = RAW(SYS_mmap, STUB_RECV, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, a->memfd,
		a->ctrl_off + 4096);
	if (r != (long)STUB_RECV)
		return;
	RAW(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8, 0, 0);
	if (stub_child_keep_only(a->memfd, a->sock, STUB_SOCK_FD) < 0)
		return;
	/*
	 * From here on the stub is traced with PTRACE_O_EXITKILL, which ends
	 * it with its tracers.  The death signal would also end it with the
	 * host thread that forked it, which may leave first (a main thread's
	 * pthread_exit, a process sharing this memory that exits).
	 */
	RAW(SYS_prctl, PR_SET_PDEATHSIG, 0, 0, 0, 0, 0);
	if (stub_child_confine(stub_filter, sizeof(stub_filter) / sizeof(stub_filter[0])) < 0)
		return;
	__asm__ volatile("jmp *%0" : : "r"(STUB_CODE));
	__builtin_unreachable();
}

/* Waits for the stub thread's next stop; returns the wait status or -errno. */
static int wait_stop(pid_t tid)
{
	int st;
	long r = host_wait4(tid, &st, __WALL);

	return r < 0 ? (int)r : st;
}

/*
 * Waits for the stub's own trap (int3) after running stub code.  An
 * interrupt (plat_interrupt's SIGSTOP) may arrive meanwhile: the sentry is
 * in charge of this thread anyway, so it is passed over.
 */
static int wait_trap(pid_t tid)
{
	for (;;) {
		int st = wait_stop(tid);

		if (st >= 0 && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP) {
			if (host_ptrace(PTRACE_CONT, tid, 0, 0) < 0)
				return -ESRCH;
			continue;
		}
		return st;
	}
}

static void pin(pid_t tid)
{
	cpu_set_t set;

	if (plat_ptrace_cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(plat_ptrace_cpu, &set);
	host_sched_setaffinity(tid, sizeof(set), &set);
}

/* Runs the stub at entry (a register set of the stub's own) in thread tid, until it traps. */
static int run_stub(pid_t tid, plat_regs *r, const char *entry)
{
	int st;

	r->rip = STUB_CODE + (uint64_t)(entry - stub_start);
	r->orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, tid, 0, r) < 0 || host_ptrace(PTRACE_CONT, tid, 0, 0) < 0)
		return -ESRCH;
	st = wait_trap(tid);
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP)
		return -ESRCH;
	return (int)host_ptrace(PTRACE_GETREGS, tid, 0, r);
}

/* The options every stub is traced with (PTRACE_SEIZE, PTRACE_SETOPTIONS). */
#define STUB_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)
/* The template's, while a stub is forked from it: its child is traced at once, by the same thread. */
#define TEMPLATE_OPTIONS (STUB_OPTIONS | PTRACE_O_TRACEFORK)

/* A new stub's whole extended state (xsave), given to a pooled one (recycle); clean_fp_len 0: not taken yet. */
static uint8_t clean_fp[16384] __attribute__((aligned(64)));
static size_t clean_fp_len;

static void clean_fp_take(pid_t tid)
{
	struct iovec iov = {clean_fp, sizeof(clean_fp)};

	if (!clean_fp_len && host_ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &iov) == 0)
		clean_fp_len = iov.iov_len;
}

/*
 * A stub made by a fork of the sentry: as->ctrl_off is its control page.
 * Sets as->stub.pid (stopped at its first trap, traced by the calling thread),
 * as->creator and as->stub_regs; 0, or -errno with nothing left running.
 */
static int spawn_stub(struct plat_as *as)
{
	struct stub_args args;
	int st, err;

	args.parent = host_getpid();
	args.memfd = mf.fd;
	args.sock = plat_file_peer;
	args.ctrl_off = as->ctrl_off;
	pin(0);
	as->stub.pid = host_fork_stub(stub_child, &args);
	if (as->stub.pid < 0)
		return as->stub.pid;
	pin(as->stub.pid);
	as->creator = host_gettid();
	st = wait_stop(as->stub.pid);
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		log_warn("ptrace: the stub did not start (wait status %#x)", st);
		err = -EAGAIN;
		goto fail_kill;
	}
	err = (int)host_ptrace(PTRACE_SETOPTIONS, as->stub.pid, 0, (void *)STUB_OPTIONS);
	if (err == 0)
		err = (int)host_ptrace(PTRACE_GETREGS, as->stub.pid, 0, &as->stub_regs);
	if (err == 0) {
		clean_fp_take(as->stub.pid);
		return 0;
	}
fail_kill:
	host_kill_process(as->stub.pid);
	host_wait4(as->stub.pid, &st, __WALL);
	return err;
}

/*
 * New stubs are forked from a template, not from the sentry.  A fork of
 * the sentry copies its whole address space only for the child to unmap
 * it again, and sets the child up call by call (its filter, its pages, its
 * session); that was some 170 us of every fork and exec.  The template is
 * a stub made that way once per sandbox (so it is the sandbox's own, and
 * dies with it: kill_all, and its pid namespace), which never runs
 * application code: a fork of it has the stub's pages, filter, session,
 * signal mask, CPU and the memory file already, and only needs a control
 * page of its own.  Between forks it waits untraced in pause(): only a
 * process of the sentry's user namespace could trace it (the sentry, its
 * stubs), as for any stub.  Used under the sentry lock, by one thread at a
 * time, each taking it with PTRACE_SEIZE and letting it go after the fork.
 */
static struct plat_as *tmpl;

/* Lets the template go, waiting in stub_park; it is stopped and traced by the calling thread. */
static int tmpl_park(void)
{
	plat_regs r = tmpl->stub_regs;

	r.rip = STUB_CODE + (uint64_t)(stub_park - stub_start);
	r.orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, tmpl->stub.pid, 0, &r) < 0 ||
	    host_ptrace(PTRACE_DETACH, tmpl->stub.pid, 0, 0) < 0)
		return -ESRCH;
	return 0;
}

static void tmpl_drop(void)
{
	int st;

	host_kill_process(tmpl->stub.pid);
	host_wait4(tmpl->stub.pid, &st, __WALL);
	frames_put(tmpl->ctrl_off);
	free(tmpl);
	tmpl = NULL;
}

/* The template, made at the first call; NULL if it cannot be. */
static struct plat_as *tmpl_get(void)
{
	if (tmpl)
		return tmpl;
	tmpl = calloc(1, sizeof(*tmpl));
	if (!tmpl)
		return NULL;
	tmpl->ctrl_off = mf_alloc(2);
	if (tmpl->ctrl_off == MF_NONE || spawn_stub(tmpl) < 0) {
		if (tmpl->ctrl_off != MF_NONE)
			frames_put(tmpl->ctrl_off);
		free(tmpl);
		tmpl = NULL;
		return NULL;
	}
	if (tmpl_park() < 0)
		tmpl_drop();
	return tmpl;
}

/*
 * A stub forked from the template into as (as->ctrl_off set): as
 * spawn_stub.  -ESRCH when the template failed (it is dropped, and made
 * again next time).
 */
static int fork_stub(struct plat_as *as)
{
	struct plat_stub_op *op;
	plat_regs r;
	pid_t t = tmpl->stub.pid, child;
	int st, err = -ESRCH;

	if (host_ptrace(PTRACE_SEIZE, t, 0, (void *)TEMPLATE_OPTIONS) < 0)
		goto broken;
	if (host_ptrace(PTRACE_INTERRUPT, t, 0, 0) < 0 || (st = wait_stop(t)) < 0 || !WIFSTOPPED(st))
		goto broken;
	/* clone(CLONE_PARENT): the new stub is the sentry's child (reaped by it), not the template's. */
	r = tmpl->stub_regs;
	r.rdi = CLONE_PARENT | SIGCHLD;
	r.rip = STUB_CODE + (uint64_t)(stub_clone - stub_start);
	r.orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, t, 0, &r) < 0 || host_ptrace(PTRACE_CONT, t, 0, 0) < 0)
		goto broken;
	st = wait_trap(t);
	if (st < 0 || !WIFSTOPPED(st) || (st >> 8) != (SIGTRAP | (PTRACE_EVENT_FORK << 8)))
		goto broken;
	if (host_ptrace(PTRACE_CONT, t, 0, 0) < 0)
		goto broken;
	st = wait_trap(t);
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP || host_ptrace(PTRACE_GETREGS, t, 0, &r) < 0)
		goto broken;
	child = (pid_t)r.rax;
	if ((long)r.rax <= 0) {
		/* The host refused the fork (EAGAIN at its limits): the template is fine. */
		tmpl_park();
		return r.rax ? (int)r.rax : -EAGAIN;
	}
	if (tmpl_park() < 0) {
		host_kill_process(child);
		host_wait4(child, &st, __WALL);
		goto broken;
	}
	/* Traced by this thread from its birth (TRACEFORK): its first stop comes before its first instruction. */
	as->stub.pid = child;
	as->creator = host_gettid();
	as->stub_regs = tmpl->stub_regs;
	st = wait_stop(child);
	if (st < 0 || !WIFSTOPPED(st) || host_ptrace(PTRACE_SETOPTIONS, child, 0, (void *)STUB_OPTIONS) < 0)
		goto fail_child;
	/* Its own control page and STUB_RECV, mapped over the template's by a batch read from the template's. */
	op = (struct plat_stub_op *)mf_ptr(tmpl->ctrl_off);
	op[0] = (struct plat_stub_op){.nr = SYS_mmap,
				      .args = {STUB_RECV, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
					       (unsigned long)mf.fd, as->ctrl_off + 4096}};
	op[1] = (struct plat_stub_op){.nr = SYS_mmap,
				      .args = {STUB_CTRL, 4096, PROT_READ, MAP_SHARED | MAP_FIXED, (unsigned long)mf.fd,
					       as->ctrl_off}};
	r = as->stub_regs;
	r.r12 = STUB_CTRL;
	r.r13 = 2;
	if (run_stub(child, &r, stub_batch) < 0 || r.r13 != 0)
		goto fail_child;
	return 0;

fail_child:
	err = -EAGAIN;
	host_kill_process(child);
	host_wait4(child, &st, __WALL);
	return err;
broken:
	log_warn("ptrace: the stub template failed (wait status %#x); it is made again", st);
	tmpl_drop();
	return err;
}

static void as_flush(struct plat_as *as);

/* An address space as_prepare made for the next as_create of its creator thread, or NULL. */
static struct plat_as *spare;

/*
 * Stub processes kept for the next address space: a fork or exec then
 * costs no host fork (nor, at the old process's end, a host exit and
 * reap), only the seizing of a stub that waits.  A stub goes there when
 * its address space ends after only ever one stub thread, which the
 * ending thread traces and has stopped: it runs stub_start again, which
 * resets the FPU and vector state and unmaps everything below the stub's
 * page, gets the whole extended state of a new stub (clean_fp: protection
 * keys too), its control page's batch words (the old process's addresses,
 * which the next could read) are cleared, and it waits untraced in
 * stub_park, as the template does.  The sentry sets every general
 * register (fs and gs base among them) before the next process's first
 * instruction.  No application code can run in a stub meanwhile: under
 * PTRACE_SYSEMU none of its system calls reach the host, so it cannot
 * have left a host mapping, signal handler or thread behind.  At most
 * POOL_MAX: host processes beyond the --tasks bound (README).
 */
#define POOL_MAX 2
static struct plat_as *pool[POOL_MAX];
static int npool;

/* Ends a pooled stub (untraced, in stub_park, or dead). */
static void pool_drop(struct plat_as *as)
{
	int st;

	host_kill_process(as->stub.pid);
	host_wait4(as->stub.pid, &st, __WALL);
	frames_put(as->ctrl_off);
	free(as);
}

/* The host refused the sentry a task (platform.h): the pooled stubs go, waited for. */
static int give_back(void)
{
	int any = npool > 0;

	while (npool > 0)
		pool_drop(pool[--npool]);
	return any;
}

/*
 * A pooled stub, seized and stopped by the calling thread, or NULL when
 * the pool is empty.  One that died meanwhile is dropped.
 */
static struct plat_as *pool_take(void)
{
	while (npool > 0) {
		struct plat_as *as = pool[--npool];
		int st;

		if (host_ptrace(PTRACE_SEIZE, as->stub.pid, 0, (void *)STUB_OPTIONS) < 0 ||
		    host_ptrace(PTRACE_INTERRUPT, as->stub.pid, 0, 0) < 0 || (st = wait_stop(as->stub.pid)) < 0 ||
		    !WIFSTOPPED(st)) {
			pool_drop(as);
			continue;
		}
		as->creator = host_gettid();
		as->cloned = 0;
		as->stub.cpu_base = plat_stub_as_cpu_ns(as); /* the time of the processes it ran before */
		return as;
	}
	return NULL;
}

/*
 * as ends: its stub goes to the pool if it can (see above).  1 if it
 * did; 0, and as is untouched but for its stub maybe being dead, if not.
 */
static int recycle(struct plat_as *as)
{
	plat_regs r = as->stub_regs;
	struct iovec iov = {clean_fp, clean_fp_len};
	pid_t pid = as->stub.pid;

	/* The last address space's end is the sandbox's (but for an OCI exec to come): not worth keeping. */
	if (npool >= POOL_MAX || as->cloned || as->stub.dead || as->creator != host_gettid() || !clean_fp_len ||
	    (cur_ctx && cur_ctx->as == as && cur_ctx->tid != pid) || !plat_stub_others_live(as))
		return 0;
	if (run_stub(pid, &r, stub_start) < 0 || r.rax != 0 ||
	    host_ptrace(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &iov) < 0)
		return 0;
	memset(mf_ptr(as->ctrl_off), 0, 2 * 4096);
	r = as->stub_regs;
	r.rip = STUB_CODE + (uint64_t)(stub_park - stub_start);
	r.orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, pid, 0, &r) < 0 || host_ptrace(PTRACE_DETACH, pid, 0, 0) < 0)
		return 0;
	/* Off the live list, not killed; its frames were unmapped above, so the deferred ones go now. */
	plat_stub_end(as, 1);
	memset(&as->stub, 0, sizeof(as->stub));
	as->stub.pid = pid;
	pool[npool++] = as;
	return 1;
}

static struct plat_as *as_create(int *err)
{
	struct plat_as *as;

	if (spare && spare->creator == host_gettid()) {
		as = spare;
		spare = NULL;
		return as;
	}
	as = pool_take();
	if (as) {
		plat_stub_add(as, as->ctrl_off, MAX_OPS, as_flush);
		return as;
	}
	as = calloc(1, sizeof(*as));

	if (!as) {
		*err = -ENOMEM;
		return NULL;
	}
	as->ctrl_off = mf_alloc(2);
	if (as->ctrl_off == MF_NONE) {
		free(as);
		*err = -ENOMEM;
		return NULL;
	}
	pin(0);
	/*
	 * From the template; from the sentry itself if there is none (a host
	 * that refused it), and for the first address space: a program that
	 * never forks (do /bin/true) is spared making the template.
	 */
	*err = plat_stub_any_live() || tmpl ? (tmpl_get() ? fork_stub(as) : -ESRCH) : -ESRCH;
	if (*err == -ESRCH)
		*err = spawn_stub(as);
	if (*err < 0) {
		frames_put(as->ctrl_off);
		free(as);
		return NULL;
	}
	plat_stub_add(as, as->ctrl_off, MAX_OPS, as_flush);
	return as;
}

/* Its stub is live from now on (kill_all ends it with the others), and traced by this thread. */
static void as_prepare(void)
{
	int err;

	if (!spare)
		spare = as_create(&err);
}

static void as_destroy(struct plat_as *as)
{
	if (recycle(as))
		return;
	plat_stub_end(as, 0);
	frames_put(as->ctrl_off);
	free(as);
}

/* A stopped stub thread of as that the calling host thread traces, or 0 if none is. */
static pid_t our_thread(struct plat_as *as)
{
	if (cur_ctx && cur_ctx->as == as)
		return cur_ctx->tid;
	if (as->creator == host_gettid())
		return as->stub.pid;
	return 0;
}

/* ---- File mappings (stub_mm.h) ---- */

/* STUB_RECV as a file batch's recvmsg reads it: its msghdr, the message's 8 bytes, room for the fds. */
struct recv_page {
	struct msghdr mh;
	struct iovec iov;
	uint64_t data;
	uint64_t cbuf[CMSG_SPACE(PLAT_STUB_MAX_FILES * sizeof(int)) / sizeof(uint64_t)];
};
#define RECV_AT(field) ((void *)(STUB_RECV + offsetof(struct recv_page, field)))

/*
 * The queued batch's files go to the socket, right before it runs, and the
 * msghdr its recvmsg reads is written afresh.  If they cannot go, the
 * recvmsg leaves the batch and each op that maps one unmaps its range
 * instead: the pages come by faults, from the memory file.  1 if the
 * message went, and the ops that close the files end the batch.
 */
static int send_files(struct plat_as *as)
{
	struct plat_stub_op *ops = (struct plat_stub_op *)mf_ptr(as->ctrl_off);
	struct recv_page *rp = mf_ptr(as->ctrl_off + 4096);
	uint64_t data = 0;
	unsigned i;

	rp->iov = (struct iovec){RECV_AT(data), sizeof(rp->data)};
	rp->mh = (struct msghdr){.msg_iov = RECV_AT(iov), .msg_iovlen = 1, .msg_control = RECV_AT(cbuf),
				 .msg_controllen = sizeof(rp->cbuf)};
	if (host_send_fds(plat_file_sock, as->stub.files, as->stub.nfiles, &data, sizeof(data)) < 0) {
		unsigned recv = as->stub.recv_op;

		memmove(&ops[recv], &ops[recv + 1], (as->stub.nops - recv - 1) * sizeof(*ops));
		as->stub.nops--;
		for (i = recv; i < as->stub.nops; i++)
			if (ops[i].nr == SYS_mmap && (ops[i].args[3] & MAP_PRIVATE))
				ops[i] = (struct plat_stub_op){.nr = SYS_munmap, .args = {ops[i].args[0], ops[i].args[1]}};
		return 0;
	}
	plat_stub_close_files(&ops[as->stub.nops], STUB_SOCK_FD);
	as->stub.nops += 3;
	return 1;
}

/* The batch's first file op: it takes them (range unused: the recvmsg just leaves a batch whose files did not go). */
static void queue_recvmsg(struct plat_as *as, uint64_t va, uint64_t len)
{
	(void)va;
	(void)len;
	plat_stub_queue(as, SYS_recvmsg, STUB_SOCK_FD, STUB_RECV, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, 0, 0, 0);
}

static void as_map_file(struct plat_as *as, uint64_t va, uint64_t len, int fd, uint64_t off, int prot)
{
	plat_stub_map_file(as, va, len, fd, off, prot, STUB_SOCK_FD, queue_recvmsg);
}

/*
 * as's queue is full and none of its stub threads is ours: another
 * process's memory is being written (process_vm_writev, /proc/PID/mem, a
 * tracer's POKE) while it runs or sleeps, so its host thread cannot run
 * the batch now.  The queue becomes one call that drops every application
 * mapping, which its owner runs at its next enter(): the calls it replaces
 * are moot then, and the pages come back one fault at a time, as after
 * drop_all.  Nothing is counted as run, so the frames deferred stay
 * deferred until it has.
 */
static void collapse(struct plat_as *as)
{
	struct plat_stub_op *op = (struct plat_stub_op *)mf_ptr(as->ctrl_off);

	plat_stub_drop_files(as);
	memset(op, 0, sizeof(*op));
	op->nr = SYS_munmap;
	op->args[1] = STUB_RECV;
	as->stub.nops = 1;
}

/*
 * The host refused a change with ENOMEM: the stub holds as many host
 * mappings as the host allows (its vm.max_map_count; memory-file frames
 * that are not contiguous cost one each).  Every application mapping is
 * dropped from the stub at once, which always succeeds; the calls not yet
 * made are moot then, and the pages come back one fault at a time
 * (mm_fault maps a present page again).  A working set that does not fit
 * is slow, as swapping is, but runs.  0, or -errno if the stub failed.
 */
static int drop_all(struct plat_as *as, pid_t tid)
{
	struct plat_stub_op *op = (struct plat_stub_op *)mf_ptr(as->ctrl_off);
	plat_regs r = as->stub_regs;
	int st;

	/* And the files of the batch that failed, which it may have taken but not closed. */
	op[0] = (struct plat_stub_op){.nr = SYS_munmap, .args = {0, STUB_RECV}};
	plat_stub_close_files(&op[1], STUB_SOCK_FD);
	r.rip = STUB_CODE + (uint64_t)(stub_batch - stub_start);
	r.r12 = STUB_CTRL;
	r.r13 = 4;
	r.orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 || host_ptrace(PTRACE_CONT, tid, 0, 0) < 0)
		return -ESRCH;
	st = wait_trap(tid);
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP || host_ptrace(PTRACE_GETREGS, tid, 0, &r) < 0)
		return -ESRCH;
	return r.r13 ? (int)r.rax : 0;
}

/* Runs the queued batch in one of the stub's threads (stopped, and ours). */
static void as_flush(struct plat_as *as)
{
	plat_regs r = as->stub_regs;
	unsigned n = as->stub.nops;
	pid_t tid;
	int st, sent = 0;

	if (!n)
		return;
	if (as->stub.dead)
		goto done;
	tid = our_thread(as);
	if (!tid) {
		collapse(as);
		return;
	}
	if (as->stub.nfiles) {
		sent = send_files(as);
		n = as->stub.nops;
	}
	r.rip = STUB_CODE + (uint64_t)(stub_batch - stub_start);
	r.r12 = STUB_CTRL;
	r.r13 = n;
	r.orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 || host_ptrace(PTRACE_CONT, tid, 0, 0) < 0 ||
	    (st = wait_trap(tid)) == -ESRCH || (st >= 0 && (WIFSIGNALED(st) || WIFEXITED(st)))) {
		/*
		 * Killed under us: another thread of the group ended it (its
		 * tracer's exit kills the stub, PTRACE_O_EXITKILL).  The
		 * mappings no longer matter; the task finds out when it next
		 * runs.
		 */
		as->stub.dead = 1;
		goto done;
	}
	/*
	 * The host refused a change (a host mmap past the host's
	 * vm.max_map_count, out of host memory) or the stub broke: its
	 * mappings no longer mirror the memory manager's.  That address space
	 * is lost, not the sandbox: the stub is killed and the tasks that run
	 * in it find it dead (PLAT_DIED) and are killed.
	 */
	if (st < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP) {
		siginfo_t si = {0};

		host_ptrace(PTRACE_GETSIGINFO, tid, 0, &si);
		host_ptrace(PTRACE_GETREGS, tid, 0, &r);
		log_warn("ptrace: the stub failed running a batch (wait status %#x, rip %#llx, fault address %p)",
			 st, r.rip, si.si_addr);
		goto lost;
	}
	if (host_ptrace(PTRACE_GETREGS, tid, 0, &r) < 0) {
		log_warn("ptrace: cannot read the stub's registers");
		goto lost;
	}
	if (r.r13 != 0) {
		struct plat_stub_op *op = (struct plat_stub_op *)mf_ptr(as->ctrl_off) + (n - r.r13);

		/* Once per successful batch: a host that refuses even a fresh start is out of memory. */
		if ((long)r.rax == -ENOMEM && as->stub.generation != as->stub.dropped_at && drop_all(as, tid) == 0) {
			as->stub.dropped_at = as->stub.generation + 1;
			goto done;
		}
		log_warn("ptrace: the host refused stub call %lu(%#lx, %#lx, %#lx): %ld; its process is killed",
			 op->nr, op->args[0], op->args[1], op->args[2], (long)r.rax);
		goto lost;
	}
	plat_stub_batch_done(as);
	return;
lost:
	plat_stub_lose(as);
done:
	/*
	 * Only a batch that ran to its end took its message: one it left (it
	 * failed or died first, or its thread spoiled STUB_RECV) must not be
	 * the next batch's, another process's maybe.
	 */
	if (sent)
		host_drop_fds(plat_file_peer);
	plat_stub_batch_done(as);
}

static struct plat_ctx *ctx_create(struct plat_as *as, int *err)
{
	struct plat_ctx *c = calloc(1, sizeof(*c));

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->as = as;
	c->tid = as->stub.pid;
	cur_ctx = c;
	return c;
}

static struct plat_ctx *ctx_clone(struct plat_ctx *parent, int *err)
{
	struct plat_ctx *c = calloc(1, sizeof(*c));
	plat_regs r = parent->as->stub_regs;

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	as_flush(parent->as);
	parent->as->cloned = 1;
	r.rdi = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM;
	*err = run_stub(parent->tid, &r, stub_clone);
	if (*err == 0 && (long)r.rax <= 0)
		*err = r.rax ? (int)r.rax : -EAGAIN;
	if (*err < 0) {
		free(c);
		return NULL;
	}
	c->as = parent->as;
	c->tid = (pid_t)r.rax;
	return c;
}

static int ctx_adopt(struct plat_ctx *c)
{
	int st;

	/* The new stub thread waits in pause(): take it over from this host thread. */
	if (host_ptrace(PTRACE_SEIZE, c->tid, 0, (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) < 0 ||
	    host_ptrace(PTRACE_INTERRUPT, c->tid, 0, 0) < 0)
		return -ESRCH;
	st = wait_stop(c->tid);
	if (st < 0 || !WIFSTOPPED(st))
		return -ESRCH;
	pin(0);
	pin(c->tid);
	cur_ctx = c;
	return 0;
}

static void ctx_destroy(struct plat_ctx *c, int alive)
{
	if (alive && c->tid == c->as->stub.pid) {
		/*
		 * The stub's first thread outlives its application thread:
		 * parked in pause(), untraced, as the template waits.  The
		 * stub process is killed through it (host_kill_process), and a
		 * signal to an exited first thread would reach no one.
		 */
		plat_regs r = c->as->stub_regs;

		r.rip = STUB_CODE + (uint64_t)(stub_park - stub_start);
		r.orig_rax = (uint64_t)-1;
		if (host_ptrace(PTRACE_SETREGS, c->tid, 0, &r) < 0 || host_ptrace(PTRACE_DETACH, c->tid, 0, 0) < 0)
			log_warn("ptrace: could not park a stub's first thread");
	} else if (alive) {
		/*
		 * Only this thread ends: it exits by itself, so its tracer's exit
		 * kills nobody.  It is let go at its exit stop rather than
		 * waited for: the sentry reaps it later, with the stub process.
		 */
		plat_regs r = c->as->stub_regs;
		int st;

		r.rip = STUB_CODE + (uint64_t)(stub_exit - stub_start);
		r.orig_rax = (uint64_t)-1;
		if (host_ptrace(PTRACE_SETOPTIONS, c->tid, 0,
				(void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACEEXIT)) == 0 &&
		    host_ptrace(PTRACE_SETREGS, c->tid, 0, &r) == 0 && host_ptrace(PTRACE_CONT, c->tid, 0, 0) == 0)
			while (host_wait4(c->tid, &st, __WALL) >= 0 && WIFSTOPPED(st)) {
				if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
					host_ptrace(PTRACE_DETACH, c->tid, 0, 0);
					break;
				}
				if (host_ptrace(PTRACE_CONT, c->tid, 0, 0) < 0)
					break; /* an interrupt on the way out: pass it over */
			}
	}
	if (cur_ctx == c)
		cur_ctx = NULL;
	free(c);
}

/* execve: the task runs in the new address space's stub, whose first thread is its own. */
static int ctx_exec(struct plat_ctx *c, struct plat_as *as)
{
	c->as = as;
	c->tid = as->stub.pid;
	return 0;
}

static int enter(struct plat_ctx *c, struct plat_as *as)
{
	if (c->as != as)
		return 1; /* not its address space: a sentry bug, the task ends */
	cur_ctx = c;
	as_flush(as);
	return as->stub.dead;
}

static enum plat_stop switch_to_user(struct plat_ctx *c, struct plat_as *as, plat_regs *regs,
				     struct plat_stopinfo *info)
{
	siginfo_t si;
	int st, sig;

	if (c->as != as || as->stub.dead)
		return PLAT_DIED;
	/* No syscall restart by the host kernel: the sentry decides those. */
	regs->orig_rax = (uint64_t)-1;
	if (host_ptrace(PTRACE_SETREGS, c->tid, 0, regs) < 0 ||
	    host_ptrace(c->step ? PTRACE_SYSEMU_SINGLESTEP : PTRACE_SYSEMU, c->tid, 0, 0) < 0)
		return PLAT_DIED;
	st = wait_stop(c->tid);
	if (st < 0 || !WIFSTOPPED(st))
		return PLAT_DIED;
	if (host_ptrace(PTRACE_GETREGS, c->tid, 0, regs) < 0)
		return PLAT_DIED;
	sig = WSTOPSIG(st);
	if (sig == (SIGTRAP | 0x80))
		return PLAT_SYSCALL;
	if (host_ptrace(PTRACE_GETSIGINFO, c->tid, 0, &si) < 0)
		return PLAT_DIED;
	if (si.si_code <= 0 && sig != SIGTRAP) {
		/* Sent from the host (kill(2)), not caused by the application: not its business. */
		return PLAT_INTERRUPT;
	}
	info->signo = sig;
	info->code = si.si_code;
	info->addr = (uint64_t)si.si_addr;
	/* A fetch is known from rip for free; a data access only by decoding (fault_access, if needed). */
	info->access = x86_fault_access(NULL, 0, regs, info->addr);
	return sig == SIGSEGV && (si.si_code == SEGV_MAPERR || si.si_code == SEGV_ACCERR) ? PLAT_FAULT : PLAT_SIGNAL;
}

static int get_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	return (int)host_ptrace(PTRACE_GETREGSET, c->tid, (void *)NT_X86_XSTATE, iov);
}

static int set_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	return (int)host_ptrace(PTRACE_SETREGSET, c->tid, (void *)NT_X86_XSTATE, iov);
}

static void set_singlestep(struct plat_ctx *c, int on)
{
	c->step = on;
}

static void interrupt(struct plat_ctx *c)
{
	host_tgkill(c->as->stub.pid, c->tid, SIGSTOP);
}

/*
 * A fault that becomes a signal: read or write, from the faulting
 * instruction (access.c), whose bytes the stopped stub gives through
 * PTRACE_PEEKTEXT.  Only for faults the sentry could not fix, so the
 * cost stays off the path of ordinary page faults.
 */
static enum plat_access fault_access(struct plat_ctx *c, const plat_regs *regs, const struct plat_stopinfo *info)
{
	uint8_t insn[16];
	size_t len = 0;

	if (info->access != PLAT_ACCESS_UNKNOWN)
		return info->access;
	for (; len < sizeof(insn); len += 8) {
		/* The raw call stores the word at its last argument. */
		if (host_ptrace(PTRACE_PEEKTEXT, c->tid, (void *)(regs->rip + len), insn + len) < 0)
			break; /* the rest of the instruction is on a page it cannot read */
	}
	return x86_fault_access(insn, len > 15 ? 15 : len, regs, info->addr);
}

static int init(const struct plat_config *cfg)
{
	/* Tracer and stub on one CPU: a ptrace round trip across CPUs costs several times more here. */
	if (cfg->pin_cpu) {
		plat_ptrace_cpu = sched_getcpu();
		if (plat_ptrace_cpu < 0)
			plat_ptrace_cpu = 0;
	}
	/*
	 * The file socket (stub_mm.h).  The sentry keeps the stubs' end: it
	 * forks the first stub and the template itself, after its filter, and
	 * drops from it a message a stub did not take (as_flush).  Messages go
	 * only right before the batch that takes them runs, under the sentry
	 * lock, so they are taken in order.
	 */
	{
		int sv[2];
		long r = host_socketpair(sv);

		if (r < 0)
			return (int)r;
		plat_file_sock = sv[0];
		plat_file_peer = sv[1];
	}
	return 0;
}

/*
 * The host calls of the tracer (a sentry thread) and of a new stub before
 * its own filter, which inherits the sentry's: merged into the vetted list.
 */
static const struct host_rule ptrace_rules[] = {
	/* The requests this file makes, and no other: no POKE, no PTRACE_ATTACH. */
	HOST_ONE("ptrace", "a new stub asks to be traced, before its own filter", SCMP_A0(SCMP_CMP_EQ, PTRACE_TRACEME)),
	HOST_TWO("ptrace", "a new stub's options: dies with its tracer, syscall stops marked",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_SETOPTIONS), SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS)),
	HOST_TWO("ptrace", "a stub thread's last stop: its exit", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETOPTIONS),
		 SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS | PTRACE_O_TRACEEXIT)),
	HOST_TWO("ptrace", "take over a new stub thread, or a pooled stub", SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE),
		 SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS)),
	HOST_TWO("ptrace", "take the stub template to fork a new stub from it (traced from its birth)",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE), SCMP_A3(SCMP_CMP_EQ, TEMPLATE_OPTIONS)),
	HOST_ONE("ptrace", "stop a new stub thread, or the template", SCMP_A0(SCMP_CMP_EQ, PTRACE_INTERRUPT)),
	HOST_ONE("ptrace", "run application code to its next system call", SCMP_A0(SCMP_CMP_EQ, PTRACE_SYSEMU)),
	HOST_ONE("ptrace", "run one instruction of application code, for a tracer in the sandbox (PTRACE_SINGLESTEP)",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_SYSEMU_SINGLESTEP)),
	HOST_ONE("ptrace", "run stub code (batches, clone, exit)", SCMP_A0(SCMP_CMP_EQ, PTRACE_CONT)),
	HOST_ONE("ptrace", "a stub thread's registers", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETREGS)),
	HOST_ONE("ptrace", "set a stub thread's registers", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETREGS)),
	HOST_ONE("ptrace", "why a stub thread stopped", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETSIGINFO)),
	HOST_ONE("ptrace", "the instruction of a fault that becomes a signal (read or write?)",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_PEEKTEXT)),
	HOST_TWO("ptrace", "a stub thread's FPU state (xsave), for signal frames", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETREGSET),
		 SCMP_A2(SCMP_CMP_EQ, NT_X86_XSTATE)),
	HOST_TWO("ptrace", "set a stub thread's FPU state", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETREGSET),
		 SCMP_A2(SCMP_CMP_EQ, NT_X86_XSTATE)),
	HOST_ONE("ptrace", "let a stub thread go at its exit, the template after a fork, a stub into the pool", SCMP_A0(SCMP_CMP_EQ, PTRACE_DETACH)),
	HOST_ANY("wait4", "stub stops"),
	HOST_ONE("tgkill", "interrupt a stub thread", SCMP_A2(SCMP_CMP_EQ, SIGSTOP)),
	HOST_TWO("tgkill", "kill a stub process through its first thread, which lives as long as the process "
			   "(a thread id, never a group: kill(2) is not on the list)",
		 HOST_PID_ONLY, SCMP_A2(SCMP_CMP_EQ, SIGKILL)),
	HOST_ANY("sched_setaffinity", "put tracer and stub on one CPU"),
	HOST_ONE("clone", "fork a new stub (no shared state)", SCMP_A0(SCMP_CMP_EQ, SIGCHLD)),
	HOST_ONE("clone", "the stub template forks a new stub, a child of the sentry's",
		 SCMP_A0(SCMP_CMP_EQ, CLONE_PARENT | SIGCHLD)),
	HOST_ANY("getppid", "a new stub checks its parent is still alive"),
	HOST_ONE("prctl", "a new stub dies with its tracer", SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG)),
	HOST_ONE("prctl", "a new stub takes no privileges", SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS)),
	HOST_ANY("rseq", "a new stub drops the rseq area it inherited from the sentry thread"),
	HOST_ANY("pause", "a new stub thread waits for its tracer"),
	HOST_ANY("setsid", "a new stub leaves cvisor's session (no terminal signals)"),
	HOST_ANY("close_range", "a new stub keeps only the memory file and the file socket"),
	HOST_FILEPEER("dup3", "a new stub puts the stubs' end of the file socket at its fd 3",
		      SCMP_A1(SCMP_CMP_EQ, STUB_SOCK_FD)),
	HOST_TWO("recvmsg", "a stub's batch takes the files it maps at its fd 3 (the sentry's fd 3 is the root "
			    "gofer's socket: no more than the gofer rules allow)",
		 SCMP_A0(SCMP_CMP_EQ, STUB_SOCK_FD), SCMP_A2(SCMP_CMP_EQ, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)),
	HOST_FILESOCK("sendmsg", "hand a stub files of the root to map from the host's page cache (as_map_file)",
		      SCMP_A2(SCMP_CMP_EQ, MSG_DONTWAIT | MSG_NOSIGNAL)),
	HOST_ONE("fcntl", "keep a file's fd for the stub until its batch runs (F_DUPFD_CLOEXEC)",
		 SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)),
	HOST_FILEPEER("recvmsg", "drop a message of files that a stub's failed batch did not take",
		      SCMP_A2(SCMP_CMP_EQ, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)),
	HOST_ANY("seccomp", "a new stub installs its own, narrower filter"),
};

static const struct host_rules ptrace_host_rules = {
	"platform/ptrace", ptrace_rules, sizeof(ptrace_rules) / sizeof(ptrace_rules[0]),
};

static void kill_all(void)
{
	int i;

	plat_stub_kill_all(tmpl ? tmpl->stub.pid : 0);
	for (i = 0; i < npool; i++)
		host_kill_process(pool[i]->stub.pid);
}

static const struct platform plat_ptrace = {
	.name = "ptrace",
	.init = init,
	.host_rules = &ptrace_host_rules,
	.fault_access = fault_access,
	.as_create = as_create,
	.as_prepare = as_prepare,
	.give_back = give_back,
	.as_destroy = as_destroy,
	.as_map = plat_stub_as_map,
	.as_unmap = plat_stub_as_unmap,
	.as_protect = plat_stub_as_protect,
	.as_defer_put = plat_stub_as_defer_put,
	.as_cpu_ns = plat_stub_as_cpu_ns,
	.ctx_create = ctx_create,
	.ctx_clone = ctx_clone,
	.ctx_adopt = ctx_adopt,
	.ctx_exec = ctx_exec,
	.ctx_destroy = ctx_destroy,
	.enter = enter,
	.as_generation = plat_stub_as_generation,
	.switch_to_user = switch_to_user,
	.get_fpstate = get_fpstate,
	.set_fpstate = set_fpstate,
	.set_singlestep = set_singlestep,
	.interrupt = interrupt,
	.kill_all = kill_all,
	.as_map_file = as_map_file,
	.user_limit = STUB_RECV,
};

PLATFORM(plat_ptrace)
