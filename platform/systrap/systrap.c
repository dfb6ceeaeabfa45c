/*
 * The systrap platform: system calls caught by seccomp's SECCOMP_RET_TRAP,
 * not by ptrace.  Each address space is a stub process holding the stub's
 * pages and the application's memory (memory-file frames, MAP_SHARED), as
 * with ptrace; each application thread is a thread of it that runs under a
 * filter trapping every system call not made from the stub's code.  The
 * trap (SIGSYS), faults and other synchronous signals run st_handler
 * (stub.S) on the thread's signal stack, which hands the stop to the
 * sentry through the thread's message page, a memory-file frame both map,
 * with a futex; the sentry reads and writes the registers in the signal
 * frame itself and lets the thread go, and rt_sigreturn loads them.  No
 * stub thread is ever traced: a traced thread stops on every signal, and
 * that stop is the ptrace round trip this platform exists to avoid (ptrace
 * is used only as the fallback of unblock_interrupt, for a moment).
 *
 * Stub processes and threads.  At init (before the sentry's own filter, so
 * that stubs never carry it) the sentry forks a template: a stub process
 * with only its control thread.  A new address space is a fork of the
 * template (ST_CMD_FORK, CLONE_PARENT: the sentry's child), and a new
 * application thread is a clone made by its process's control thread
 * (ST_CMD_CLONE).  The control thread also runs the batches of
 * mmap/mprotect/munmap that mirror the memory manager (ST_CMD_BATCH).
 *
 * Making a thread is the costly part: the clone, and above all the filter
 * it adds (the kernel JITs it) and whose release at the thread's end costs
 * more still.  So threads are made once and reused.  A new stub makes its
 * first thread at the fork, before it answers (REGION_FIRST), which adds
 * its filter while the sentry copies the parent's memory map.  The thread
 * of a task that ends while its address space lives on is parked
 * (park(): out of its stop into st_park, with registers and FPU state the
 * sentry chose) and taken by the next thread of that process (unpark()).
 * And a stub whose address space ends after only ever one application
 * thread keeps that thread parked, drops every application mapping and
 * waits in a small pool for the next address space (recycle()): the next
 * fork or exec then costs neither a fork, nor a filter, nor a filter's
 * release.
 *
 * What the application could do with the stub's calls.  The application
 * may jump to any syscall instruction in the stub page with registers of
 * its choosing, so two filters split the stub's calls.  Every thread of a
 * stub process carries F1 (stub_filter below); application threads add F2
 * (app_filter), and both apply, the stricter winning.  From the stub's code
 * F2 lets through only:
 *   futex(FUTEX_WAIT or FUTEX_WAKE, not private): waits on or wakes a word
 *     of the process's own memory; the sentry sleeps on message pages and
 *     re-checks the state it waits for after every wake, so a stray wake
 *     costs a loop, never a wrong answer.
 *   rt_sigreturn: loads registers from a frame in the thread's own memory,
 *     registers it can set anyway.  Its host signal mask too, which could
 *     keep the sentry's interrupt out: the sentry clears the mask in every
 *     frame it answers, and clears it by ptrace (unblock_interrupt) in a
 *     thread that does not stop soon after an interrupt.
 *   exit: ends the calling host thread; its task finds it gone (PLAT_DIED)
 *     and its process is killed.
 * Anything else from the stub's code kills the stub process.  F1's wider
 * list (mmap of the memory file, clone, pwrite of the ack frame, seccomp,
 * sigaltstack, rt_sigprocmask, munmap, mprotect, exit_group) is used by the
 * control thread and by a new thread before it adds F2; no thread that ever
 * runs application code is without F2.  The stub process holds no fd but
 * the memory file, has no_new_privs, and lives in the sentry's namespaces.
 *
 * What the sentry trusts.  A message page is writable by every thread of
 * its process, so nothing in it is believed beyond that thread's own
 * registers: the sentry knows a thread by its page, never by what the page
 * says; the frame's address is checked to lie inside the thread's region
 * before it is read or written; a stop it cannot classify kills the
 * thread's process.  Changes to the address space are acknowledged through
 * the ack page, which no application thread can write (read-only mapping,
 * and pwrite is not in F2): so a frame is released only after its unmap
 * has really happened.
 *
 * Threading: plat_switch runs without the sentry lock; everything else is
 * under it.  A context is used only by its task's host thread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "../platform.h"
#include "../stub_child.h"
#include "../stub_mm.h"
#include "../../sentry/host/host.h"
#include "../../sentry/host/seccomp.h"
#include "../../sentry/log.h"
#include "../../sentry/mm/memfile.h"
#include "stub.h"

#define PAGE 4096UL
#define REGION_PAGES (ST_REGION / PAGE)
#define MAX_REGIONS ((ST_TOP - ST_REGIONS) / ST_REGION)
/* The host signal that interrupts a running application thread (st_handler reports it). */
#define SIG_INTERRUPT SIGURG
/* How long the sentry sleeps on a stub between checks that it still lives. */
#define LIVENESS_NS 100000000L
/* How long an interrupted thread may take to stop before the sentry unblocks the signal itself. */
#define INTR_GRACE_NS 50000000ULL
/*
 * Pause instructions the sentry spins before it sleeps on a stop (the stub
 * never spins).  None: measured with tests/bench/rettrap.c on 2 vCPUs
 * shared with other work, a handoff cost 3.4 us with no spin, 4.4 with 50,
 * 11 with 200 and 26-62 with 2000 (a pause is some 40 ns here); and cvisor
 * pins the whole sandbox to one CPU by default (--no-cpu-pin), where a spin
 * only keeps the other side off the CPU.
 */
#define SENTRY_SPINS 0

/*
 * Threads parked per address space at most (see park()): each holds a host
 * thread and its region, so a process that once had many threads keeps a
 * few, not all.
 */
#define PARK_MAX 8
/* And in the whole sandbox, so that parked threads stay few beside the --tasks bound. */
#define PARK_TOTAL_MAX 64
static unsigned parked_total;
/* How long an unparked thread may take to reach its first stop before its process is killed. */
#define UNPARK_NS 2000000000ULL

/* The trap flag of RFLAGS: a debug exception after each instruction. */
#define X86_EFLAGS_TF 0x100ULL

struct plat_as {
	/*
	 * First (stub_mm.h): the stub process (stub.pid; its first thread is
	 * the control thread), its batch in the control page, the frames
	 * deferred, stub.dead (killed or lost).
	 */
	struct plat_stub_as stub;
	uint64_t ctrl_off;   /* memory-file frame of ST_CTRL */
	uint64_t ack_off;    /* and of ST_ACK */
	int reaped;          /* the stub process was waited for */
	/* Regions of application threads: [0, nregions) mapped, free ones listed. */
	struct region *regions;
	size_t nregions, capregions;
	unsigned nparked;    /* regions REGION_PARKED */
	unsigned threads;    /* host threads made for it (or taken from the pool with it) */
	uint64_t serial;     /* unique to this address space, for as_live() */
	uint64_t recv_seq;   /* the sequence number the batch's ST_OP_RECVFD waits for */
};
_Static_assert(offsetof(struct plat_as, stub) == 0, "stub_mm.h: a stub platform's address space begins with its stub");
_Static_assert(ST_MAX_FILES == PLAT_STUB_MAX_FILES, "stub.S and stub_mm.h agree");

struct region {
	uint64_t off;  /* its frames in the memory file (REGION_PAGES contiguous) */
	int in_use;    /* 0 free (once its thread is gone), 1 a context's, REGION_PARKED, REGION_FIRST */
	pid_t tid;     /* REGION_PARKED: its thread */
};
/* Its thread waits in st_park for the next thread of the process (park()). */
#define REGION_PARKED 2
/* The process's first thread, made by the stub right after its fork, for the first context. */
#define REGION_FIRST 3

struct plat_ctx {
	struct plat_as *as;
	size_t region;  /* index in as->regions */
	pid_t tid;      /* the stub thread (as its page said at clone; only ever used with tgkill(as->stub.pid)) */
	uint64_t uc;    /* offset in the region of the current stop's ucontext; 0: none */
	uint64_t intr_ns; /* when interrupt() signalled it and no stop came yet; 0: none (atomic) */
	uint64_t as_serial; /* as->serial when bound to it */
	int step;           /* run one instruction (set_singlestep): the trap flag, set by the sentry */
};

static uint64_t as_serials;

/*
 * Is c's address space still there?  Between an execve and the task's next
 * enter(), its context still names the old one, which execve destroyed; a
 * ptrace stop there (the exec event) asks for the FPU state.  Under the
 * sentry lock.
 */
static int as_live(const struct plat_ctx *c)
{
	return plat_stub_live(c->as) && c->as->serial == c->as_serial && c->region < c->as->nregions;
}
/*
 * Stub processes kept for the next address space (recycle()): each had one
 * application thread, now parked in region 0, and no application mapping.
 */
#define POOL_MAX 2
struct pooled {
	pid_t pid, tid;
	uint64_t ctrl_off, ack_off, region_off;
};
static struct pooled pool[POOL_MAX];
static int npool;

/*
 * The file socket (see stub.h): the sentry's end is plat_file_sock, the
 * other every stub's.  Messages are sent only right before the batch that
 * takes them runs, under the sentry lock, so they are taken in order; one
 * left by a stub that died first is dropped by the next taker, whose
 * sequence number it does not carry.
 */
static uint64_t file_seq;

/* The template: the stub every other is forked from (its pid, ctrl and ack frames). */
static struct plat_as tmpl;
static uint64_t tmpl_scratch_off = MF_NONE;
/* The host's xsave area size for signal frames (CPUID 0xD: the enabled features). */
static uint32_t xsave_size;

/* ---- The filters ---- */

#define IP_IN_STUB(trap_jt)                                                                          \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer) + 4),       \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(ST_CODE >> 32), 1, 0),                       \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),                                                 \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, instruction_pointer)),         \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)ST_CODE, 1, 0),                                \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),                                                 \
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, (uint32_t)(ST_CODE + PAGE), 0, 1),                       \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)

/*
 * F1, every thread of a stub process: a call from outside the stub's first
 * page traps; from it, only what the control thread and a thread's start
 * need.  (The architecture is not checked: a call of another ABI traps as
 * well, and the sentry answers it as ptrace's would.)
 */
static const struct sock_filter stub_filter[] = {
	IP_IN_STUB(),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex, 13, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 12, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 11, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 10, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_munmap, 9, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 8, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pwrite64, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_sigaltstack, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigprocmask, 4, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_seccomp, 3, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close_range, 2, 0), /* ST_OP_RECVFD: the last batch's files */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit_group, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_recvmsg, 2, 1),     /* ST_OP_RECVFD: on the file socket only */
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]) + 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ST_SOCK_FD, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
};

/* F2, added by each application thread before its first instruction (see the top of this file). */
static const struct sock_filter app_filter[] = {
	IP_IN_STUB(),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_rt_sigreturn, 7, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_exit, 6, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_futex, 0, 6),
	/* futex: op FUTEX_WAIT or FUTEX_WAKE exactly (no private flag, no requeue, no PI); high word 0. */
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 4),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FUTEX_WAIT, 1, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FUTEX_WAKE, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

/* ---- The template, made at init ---- */

struct stub_args {
	int memfd;
	int sock; /* the stub end of the file socket, which goes to ST_SOCK_FD */
	uint64_t ctrl_off, ack_off, scratch_off;
};

/* The kernel's struct sigaction (rt_sigaction). */
struct ksigaction {
	unsigned long handler, flags, restorer, mask;
};

/* Runs in the forked child of the sentry: raw calls only, then into the stub page for good. */
static void stub_child(void *p)
{
	static const int sigs[] = {SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIG_INTERRUPT};
	struct stub_args *a = p;
	struct ksigaction ka = {
		.handler = ST_CODE + (unsigned long)(st_handler - st_start),
		.flags = SA_SIGINFO | SA_ONSTACK | 0x04000000 /* SA_RESTORER */,
		.restorer = ST_CODE + (unsigned long)(st_restorer - st_start),
		.mask = ~0UL,
	};
	struct sock_fprog *f2prog = (struct sock_fprog *)ST_F2PROG;
	uint64_t all = ~0UL;
	size_t i;

	stub_child_drop_rseq();
	/* Out of cvisor's session: terminal signals must not reach the stub. */
	RAW(SYS_setsid, 0, 0, 0, 0, 0, 0);
	if (stub_child_code(ST_CODE, ST_CODE_SIZE, st_start, st_end) < 0)
		return;
	for (i = 0; i < sizeof(app_filter); i++)
		((volatile char *)ST_F2)[i] = ((const char *)app_filter)[i];
	f2prog->len = sizeof(app_filter) / sizeof(app_filter[0]);
	f2prog->filter = (struct sock_filter *)ST_F2;
	if (RAW(SYS_mprotect, ST_CODE, ST_CODE_SIZE, PROT_READ | PROT_EXEC, 0, 0, 0) < 0)
		return;
	if (RAW(SYS_mmap, ST_CTRL, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, a->memfd, a->ctrl_off) != (long)ST_CTRL ||
	    RAW(SYS_mmap, ST_ACK, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, a->memfd, a->ack_off) != (long)ST_ACK ||
	    RAW(SYS_mmap, ST_SCRATCH, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED_NOREPLACE, a->memfd,
		a->scratch_off) != (long)ST_SCRATCH ||
	    RAW(SYS_mmap, ST_RECV, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1,
		0) != (long)ST_RECV)
		return;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (RAW(SYS_rt_sigaction, sigs[i], &ka, NULL, 8, 0, 0) < 0)
			return;
	/* The control thread takes no signal; the application threads unblock them. */
	RAW(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8, 0, 0);
	/* The memory file and the file socket only; fd 0 stays free for the files it is sent (stub.h). */
	if (stub_child_keep_only(a->memfd, a->sock, ST_SOCK_FD) < 0)
		return;
	if (stub_child_confine(stub_filter, sizeof(stub_filter) / sizeof(stub_filter[0])) < 0)
		return;
	{
		register long r12 __asm__("r12") = (long)a->ack_off;
		register long r14 __asm__("r14") = a->memfd;
		register long r15 __asm__("r15") = 0;

		__asm__ volatile("jmp *%0"
				 :
				 : "r"(ST_CODE + (unsigned long)(st_start_stub - st_start)), "r"(r12), "r"(r14), "r"(r15));
	}
	__builtin_unreachable();
}

/* ---- Waiting on the stub ---- */

static void futex_wake(uint32_t *w)
{
	host_futex(w, FUTEX_WAKE, 1, NULL);
}

/* Is the stub process gone?  Reaps it if so (it is the sentry's child). */
static int stub_gone(struct plat_as *as)
{
	int st;

	if (as->reaped)
		return 1;
	if (host_wait4(as->stub.pid, &st, __WALL | WNOHANG) == as->stub.pid) {
		as->reaped = 1;
		as->stub.dead = 1;
		return 1;
	}
	return 0;
}

/*
 * Waits for the control thread's answer to the command just given: the ack
 * word, which only the stub's pwrite sets.  ST_ACK_*, or 0 when the stub died.
 */
static uint32_t wait_ack(struct plat_as *as)
{
	volatile uint32_t *ack = mf_ptr(as->ack_off);
	struct timespec ts = {0, LIVENESS_NS};
	int i;

	for (;;) {
		for (i = 0; i < SENTRY_SPINS && !*ack; i++)
			__builtin_ia32_pause();
		if (*ack)
			return *ack;
		host_futex((uint32_t *)ack, FUTEX_WAIT, 0, &ts);
		if (!*ack && stub_gone(as))
			return 0;
	}
}

/* Gives the control thread a command (under the sentry lock) and waits for its answer. */
static uint32_t command(struct plat_as *as, uint32_t cmd, uint64_t arg0, uint64_t arg1)
{
	struct st_ctrl *c = mf_ptr(as->ctrl_off);

	if (as->stub.dead)
		return 0;
	*(volatile uint32_t *)mf_ptr(as->ack_off) = 0;
	c->cmd = cmd;
	c->arg0 = arg0;
	c->arg1 = arg1;
	__atomic_store_n(&c->seq, c->seq + 1, __ATOMIC_SEQ_CST);
	futex_wake(&c->seq);
	return wait_ack(as);
}

/* ---- File mappings ---- */

/*
 * The queued batch's files go to the socket.  If they cannot, each op that
 * maps one (and the ST_OP_RECVFD) unmaps its range instead: the pages
 * come by faults, from the memory file.
 */
static void send_files(struct plat_as *as)
{
	struct plat_stub_op *ops = (struct plat_stub_op *)mf_ptr(as->stub.ops_off);
	unsigned i;

	if (host_send_fds(plat_file_sock, as->stub.files, as->stub.nfiles, &as->recv_seq, sizeof(as->recv_seq)) < 0) {
		for (i = as->stub.recv_op; i < as->stub.nops; i++)
			if (ops[i].nr == ST_OP_RECVFD || (ops[i].nr == SYS_mmap && (ops[i].args[3] & MAP_PRIVATE)))
				ops[i] = (struct plat_stub_op){.nr = SYS_munmap, .args = {ops[i].args[0], ops[i].args[1]}};
	}
	/*
	 * The stub closes them once the batch has mapped them (the three slots
	 * kept for it: as_create), as ST_OP_RECVFD does before: every fd but
	 * the socket and the memory file (stub_child keeps it above 2).
	 */
	plat_stub_close_files(&ops[as->stub.nops], ST_SOCK_FD);
	as->stub.nops += 3;
}

/* The batch's ST_OP_RECVFD, with (va, len) of its own, for send_files to unmap should the message not go. */
static void queue_recvfd(struct plat_as *as, uint64_t va, uint64_t len)
{
	as->recv_seq = ++file_seq;
	plat_stub_queue(as, ST_OP_RECVFD, va, len, as->recv_seq, 0, 0, 0);
}

static void as_map_file(struct plat_as *as, uint64_t va, uint64_t len, int fd, uint64_t off, int prot)
{
	plat_stub_map_file(as, va, len, fd, off, prot, ST_SOCK_FD, queue_recvfd);
}

/* ---- Address spaces ---- */

/*
 * Runs the queued batch, then (ST_CMD_CLONE) makes a thread, in one
 * command.  The control thread's answer, or ST_ACK_OK when nothing was to
 * be done; a lost stub is killed and marked dead.
 */
static uint32_t flush_cmd(struct plat_as *as, uint32_t cmd, uint64_t arg0)
{
	unsigned n;
	uint32_t r = 0;

	if (!as->stub.dead && as->stub.nfiles)
		send_files(as); /* and the ops that close them at the batch's end */
	n = as->stub.nops;
	if (!n && cmd == ST_CMD_BATCH)
		return ST_ACK_OK;
	as->stub.nops = 0;
	if (as->stub.dead)
		goto done;
	r = command(as, cmd, arg0, n);
	if (r == ST_ACK_OK)
		goto done;
	if (r == ST_ACK_NOTHREAD)
		goto done; /* the batch ran; the clone's refusal is the caller's to answer */
	if (r == ST_ACK_DROPPED && as->stub.generation != as->stub.dropped_at) {
		/* As ptrace's drop_all: the host's map count is full; pages come back by faults. */
		as->stub.dropped_at = as->stub.generation + 1;
		goto done;
	}
	if (r)
		log_warn("systrap: the host refused a batch of mapping changes; the stub process is killed");
	plat_stub_lose(as);
done:
	if (n)
		plat_stub_batch_done(as);
	return r;
}

static void as_flush(struct plat_as *as)
{
	flush_cmd(as, ST_CMD_BATCH, 0);
}

/* Ends a pooled stub process (it holds nothing of the sentry's but its frames, released here). */
static void pool_drop(struct pooled *k)
{
	int st;
	uint64_t p;

	host_kill_process(k->pid);
	host_wait4(k->pid, &st, __WALL);
	mf_put(k->ctrl_off);
	mf_put(k->ack_off);
	for (p = 0; p < REGION_PAGES; p++)
		mf_put(k->region_off + p * PAGE);
}

/*
 * as (zeroed) gets a stub process from the pool, if one is there and
 * lives: no fork, no filter to add (and none to free at its end: the
 * kernel's release of a filter, the JIT's page, costs more than its
 * making).  Its thread waits in st_park, in region 0.  0, or -1.
 */
static int from_pool(struct plat_as *as)
{
	struct pooled k;
	int st;

	while (npool > 0) {
		k = pool[--npool];
		if (host_wait4(k.pid, &st, __WALL | WNOHANG) != 0 || !(as->regions = calloc(8, sizeof(*as->regions)))) {
			pool_drop(&k);
			continue;
		}
		as->stub.pid = k.pid;
		as->ctrl_off = k.ctrl_off;
		as->ack_off = k.ack_off;
		as->capregions = 8;
		as->nregions = 1;
		as->regions[0].off = k.region_off;
		as->regions[0].in_use = REGION_PARKED;
		as->regions[0].tid = k.tid;
		as->nparked = 1;
		parked_total++;
		as->stub.cpu_base = plat_stub_as_cpu_ns(as); /* the time of the processes it ran before */
		return 0;
	}
	return -1;
}

/*
 * A stub process whose address space ends goes to the pool instead of
 * being killed, when it had only ever one application thread and that
 * thread is parked (ctx_destroy): with no other application thread in the
 * process, nothing could forge its last stop, so it is surely in st_park,
 * holding nothing of the old process's (park()).  Every application
 * mapping goes first, and the batch words of the control page (the old
 * process's addresses, which the next could read).  1 if pooled.
 */
static int recycle(struct plat_as *as)
{
	struct st_ctrl *ctl = mf_ptr(as->ctrl_off);
	struct pooled *k;

	if (as->threads != 1 || as->nregions != 1 || as->regions[0].in_use != REGION_PARKED || as->stub.dead ||
	    as->reaped || npool >= POOL_MAX || stub_gone(as))
		return 0;
	plat_stub_queue(as, SYS_munmap, 0, ST_CODE, 0, 0, 0, 0);
	if (flush_cmd(as, ST_CMD_BATCH, 0) != ST_ACK_OK || as->stub.dead)
		return 0;
	memset(ctl->ops, 0, ST_MAX_OPS * sizeof(ctl->ops[0]));
	plat_stub_end(as, 1); /* off the live list, not killed */
	parked_total--;
	k = &pool[npool++];
	k->pid = as->stub.pid;
	k->tid = as->regions[0].tid;
	k->ctrl_off = as->ctrl_off;
	k->ack_off = as->ack_off;
	k->region_off = as->regions[0].off;
	free(as->regions);
	free(as);
	return 1;
}

static int refused_again(int tries);

static struct plat_as *as_create(int *err)
{
	struct plat_as *as = calloc(1, sizeof(*as));
	volatile int32_t *pid = mf_ptr(tmpl_scratch_off);
	struct st_msg *m;
	uint32_t r;
	uint64_t p;
	int tries;

	*err = -ENOMEM;
	if (!as)
		return NULL;
	if (from_pool(as) == 0)
		goto made;
	as->ctrl_off = mf_alloc(1);
	as->ack_off = mf_alloc(1);
	as->regions = calloc(8, sizeof(*as->regions));
	if (as->ctrl_off == MF_NONE || as->ack_off == MF_NONE || !as->regions)
		goto fail;
	/* The first region, whose thread the new stub makes at once (REGION_FIRST). */
	as->capregions = 8;
	as->regions[0].off = mf_alloc(REGION_PAGES);
	if (as->regions[0].off == MF_NONE)
		goto fail;
	as->nregions = 1;
	m = mf_ptr(as->regions[0].off);
	memset(m, 0, PAGE);
	*err = -EAGAIN;
	for (tries = 0;; tries++) {
		if (!tmpl.stub.pid || tmpl.stub.dead)
			goto fail;
		*pid = 0;
		((struct st_ctrl *)mf_ptr(tmpl.ctrl_off))->arg2 = as->regions[0].off;
		r = command(&tmpl, ST_CMD_FORK, as->ctrl_off, as->ack_off);
		if (r == ST_ACK_OK && *pid > 0) {
			as->stub.pid = *pid;
			/* The new stub answers on its own ack page once it has taken its pages (or ends: no thread). */
			if ((r = wait_ack(as)) == ST_ACK_OK)
				break;
			/* It ended before it answered (it exits when the host refuses its first thread): reaped, gone. */
			if (!as->reaped) {
				int st;

				host_kill_process(as->stub.pid);
				host_wait4(as->stub.pid, &st, __WALL);
			}
			as->stub.pid = 0;
			as->stub.dead = as->reaped = 0;
			*(volatile uint32_t *)mf_ptr(as->ack_off) = 0;
			r = ST_ACK_NOTHREAD;
		}
		if (!r)
			log_warn("systrap: the stub template died; no new address space can be made");
		if (r != ST_ACK_NOTHREAD || !refused_again(tries))
			goto fail;
	}
	/* No application code ran in the process yet: the tid is the host's. */
	as->regions[0].in_use = REGION_FIRST;
	as->regions[0].tid = __atomic_load_n(&m->tid, __ATOMIC_ACQUIRE);
made:
	as->threads = 1;
	/* Three ops kept free at the end of every batch, for send_files's. */
	plat_stub_add(as, as->ctrl_off + offsetof(struct st_ctrl, ops), ST_MAX_OPS - 3, as_flush);
	as->serial = ++as_serials;
	*err = 0;
	return as;
fail:
	if (as->ctrl_off != MF_NONE)
		mf_put(as->ctrl_off);
	if (as->ack_off != MF_NONE)
		mf_put(as->ack_off);
	for (p = 0; as->nregions && p < REGION_PAGES; p++)
		mf_put(as->regions[0].off + p * PAGE);
	free(as->regions);
	free(as);
	return NULL;
}

static void as_destroy(struct plat_as *as)
{
	size_t i;

	if (recycle(as))
		return;
	parked_total -= as->nparked;
	plat_stub_end(as, as->reaped);
	/* Its threads are gone with the process: their pages can go. */
	for (i = 0; i < as->nregions; i++) {
		uint64_t p;

		for (p = 0; p < REGION_PAGES; p++)
			mf_put(as->regions[i].off + p * PAGE);
	}
	free(as->regions);
	mf_put(as->ctrl_off);
	mf_put(as->ack_off);
	free(as);
}

/* ---- Threads ---- */

static uint64_t region_va(size_t i)
{
	return ST_REGIONS + i * ST_REGION;
}

static struct st_msg *msg_of(struct plat_ctx *c)
{
	return mf_ptr(c->as->regions[c->region].off);
}

/*
 * A region for a new thread: a free one whose thread has exited (the host
 * clears its tid word at the exit; a forged zero only lets two threads of
 * one process share a page, which hurts only that process), or a new one
 * mapped into the stub.  Its index, or -errno.
 */
static long region_get(struct plat_as *as)
{
	struct region *r;
	size_t i;
	uint64_t off;

	for (i = 0; i < as->nregions; i++) {
		struct st_msg *m = mf_ptr(as->regions[i].off);

		if (!as->regions[i].in_use && __atomic_load_n(&m->tid, __ATOMIC_ACQUIRE) == 0)
			goto take;
	}
	if (as->nregions == MAX_REGIONS)
		return -EAGAIN;
	if (as->nregions == as->capregions) {
		size_t cap = as->capregions ? as->capregions * 2 : 8;

		r = realloc(as->regions, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		as->regions = r;
		as->capregions = cap;
	}
	off = mf_alloc(REGION_PAGES);
	if (off == MF_NONE)
		return -ENOMEM;
	i = as->nregions++;
	as->regions[i].off = off;
	plat_stub_queue(as, SYS_mmap, region_va(i), ST_REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
	      (unsigned long)mf.fd, off);
take:
	as->regions[i].in_use = 1;
	memset(mf_ptr(as->regions[i].off), 0, PAGE);
	return (long)i;
}

/*
 * The fallback for a thread that blocked the interrupt signal (a forged
 * rt_sigreturn frame can block it; the handler never does) and then never
 * traps: for a moment it is traced, stopped, given an empty mask and let
 * go, and the pending signal stops it as usual.
 *
 * A thread merely slow to be scheduled (forty runnable stub threads on
 * the sandbox's one CPU take longer than the grace) comes here too, and it
 * may be in the stub's own code: between the sentry's answer and the
 * handler's rt_sigreturn, where every signal is blocked by design.  Its
 * mask stays then.  Emptied, the interrupt would run the handler again
 * inside the handler, and that stop's frame would hand the sentry the
 * stub's registers for the application's: resumed with them, the thread
 * ran rt_sigreturn on the same frame for ever (stress-ng's memory class
 * on systrap, two sandboxes at once).  It stops for the interrupt right
 * after that rt_sigreturn.
 */
static void unblock_interrupt(struct plat_ctx *c)
{
	struct user_regs_struct u;
	uint64_t none = 0;
	int st;

	if (host_ptrace(PTRACE_SEIZE, c->tid, 0, 0) < 0)
		return;
	if (host_ptrace(PTRACE_INTERRUPT, c->tid, 0, 0) == 0 && host_wait4(c->tid, &st, __WALL) == c->tid &&
	    WIFSTOPPED(st) && host_ptrace(PTRACE_GETREGS, c->tid, 0, &u) == 0) {
		if (u.rip >= ST_CODE && u.rip < ST_CODE + ST_CODE_SIZE) {
			log_debug("systrap: thread %d has not stopped for its interrupt yet: it is in the stub's code",
				  c->tid);
		} else {
			log_debug("systrap: thread %d has not stopped for its interrupt: its host signal mask is cleared",
				  c->tid);
			host_ptrace(PTRACE_SETSIGMASK, c->tid, (void *)sizeof(none), &none);
		}
	}
	host_ptrace(PTRACE_DETACH, c->tid, 0, 0);
	/*
	 * The interrupt once more: if the thread took it between the seize and
	 * the interrupt, its first stop was that signal's, which the detach
	 * discards.  A second one pending at most stops it once more for nothing.
	 */
	host_tgkill(c->as->stub.pid, c->tid, SIG_INTERRUPT);
}

/*
 * Waits for the thread's next stop: 0, -ESRCH when it (or its process) is
 * gone, or -ETIMEDOUT past deadline (a monotonic time; 0: none).
 */
static int wait_stop_until(struct plat_ctx *c, uint64_t deadline)
{
	struct st_msg *m = msg_of(c);
	struct timespec ts = {0, LIVENESS_NS};
	uint64_t intr;
	int i;

	for (;;) {
		for (i = 0; i < SENTRY_SPINS; i++) {
			if (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE) != ST_RUN)
				return 0;
			__builtin_ia32_pause();
		}
		__atomic_store_n(&m->sentry_waiting, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&m->state, __ATOMIC_SEQ_CST) == ST_RUN)
			host_futex(&m->state, FUTEX_WAIT, ST_RUN, &ts);
		__atomic_store_n(&m->sentry_waiting, 0, __ATOMIC_RELAXED);
		if (__atomic_load_n(&m->state, __ATOMIC_ACQUIRE) != ST_RUN)
			return 0;
		if (c->as->stub.dead || stub_gone(c->as) || host_tgkill(c->as->stub.pid, c->tid, 0) < 0)
			return -ESRCH;
		intr = __atomic_load_n(&c->intr_ns, __ATOMIC_ACQUIRE);
		if (intr && host_monotonic_ns() - intr >= INTR_GRACE_NS) {
			unblock_interrupt(c);
			__atomic_store_n(&c->intr_ns, host_monotonic_ns(), __ATOMIC_RELEASE);
		}
		if (deadline && host_monotonic_ns() >= deadline)
			return -ETIMEDOUT;
	}
}

static int wait_stop(struct plat_ctx *c)
{
	return wait_stop_until(c, 0);
}

/* Lets a stopped thread go on (ST_RUN) or end (ST_EXIT). */
static void resume(struct plat_ctx *c, uint32_t state)
{
	struct st_msg *m = msg_of(c);

	c->uc = 0;
	__atomic_store_n(&m->state, state, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&m->stub_waiting, __ATOMIC_SEQ_CST))
		futex_wake(&m->state);
}

/*
 * The stop's ucontext, at an offset inside the region that leaves room for
 * the whole frame (ucontext, and the xsave area after it), or 0: the page
 * may say anything.
 */
static uint64_t frame_of(struct plat_ctx *c)
{
	struct st_msg *m = msg_of(c);
	uint64_t base = region_va(c->region), uc = m->uc;

	if (uc < base + PAGE || uc > base + ST_REGION - sizeof(ucontext_t) || (uc & 7))
		return 0;
	return uc - base;
}

static ucontext_t *uc_of(struct plat_ctx *c)
{
	return (ucontext_t *)((char *)mf_ptr(c->as->regions[c->region].off) + c->uc);
}

static uint8_t *fpstate_of(struct plat_ctx *c, size_t *len);
static void regs_to_uc(const plat_regs *r, ucontext_t *uc);
static void interrupt(struct plat_ctx *c);

/*
 * The FPU and vector state of a frame's xsave area (len bytes) made the
 * state a thread starts with: x87 and MXCSR at their reset values, every
 * register zero, every component marked in its initial state.  The
 * kernel's own words (fpx_sw_bytes) stay, as rt_sigreturn reads them.
 */
static void fpstate_reset(uint8_t *fp, size_t len)
{
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;

	memset(fp, 0, 464);
	memcpy(fp, &fcw, sizeof(fcw));
	memcpy(fp + 24, &mxcsr, sizeof(mxcsr));
	if (len > 512)
		memset(fp + 512, 0, len - 512); /* xstate_bv 0: all in their initial state */
}

/*
 * Parks the thread of a task that ends while others still run in its
 * address space, instead of ending it: the next thread of the process takes
 * it (unpark), without a clone or a filter to add (adding one costs tens of
 * microseconds, the JIT's page).  It leaves its stop for st_park with
 * registers the sentry chose (nothing of the old task's: its FPU state
 * reset, fs and gs base 0) and waits there on the control page, which the
 * application cannot write.  0, or -1 when it cannot be parked (then it
 * ends as before).
 */
static int park(struct plat_ctx *c)
{
	struct plat_as *as = c->as;
	struct region *r = &as->regions[c->region];
	struct st_msg *m;
	plat_regs regs;
	uint8_t *fp;
	size_t len;

	if (as->stub.dead || !c->uc || !as_live(c) || as->nparked >= PARK_MAX || parked_total >= PARK_TOTAL_MAX)
		return -1;
	fp = fpstate_of(c, &len);
	if (!fp)
		return -1;
	fpstate_reset(fp, len);
	memset(&regs, 0, sizeof(regs));
	regs.rip = ST_CODE + (unsigned long)(st_park - st_start);
	regs.rbx = region_va(c->region);
	regs.rsp = region_va(c->region) + ST_REGION;
	regs.eflags = 0x202; /* IF, and the bit that is always set */
	regs_to_uc(&regs, uc_of(c));
	m = msg_of(c);
	m->fs_base = m->gs_base = 0;
	r->in_use = REGION_PARKED;
	r->tid = c->tid;
	as->nparked++;
	parked_total++;
	resume(c, ST_RUN);
	return 0;
}

/*
 * Gives c a parked thread of its address space, stopped as a new thread
 * stops (int3, now in st_park) with its message page cleared.  0, or -1
 * when none is parked.  A parked thread that does not come to that stop
 * was taken over by its own process (a forged frame address at its last
 * stop can send it elsewhere than st_park): the process is killed, as for
 * a stop the sentry cannot classify.
 */
static int unpark(struct plat_ctx *c)
{
	struct plat_as *as = c->as;
	struct st_ctrl *ctl = mf_ptr(as->ctrl_off);
	uint64_t until = host_monotonic_ns() + UNPARK_NS;
	struct st_msg *m;
	struct region *r;
	uint8_t *fp;
	size_t i, len;
	int err;

	if (!as->nparked || as->stub.dead)
		return -1;
	for (i = 0; i < as->nregions && as->regions[i].in_use != REGION_PARKED; i++)
		;
	if (i == as->nregions)
		return -1;
	r = &as->regions[i];
	as->nparked--;
	parked_total--;
	r->in_use = 1;
	c->region = i;
	c->tid = r->tid;
	m = msg_of(c);
	memset(m, 0, PAGE);
	m->tid = c->tid; /* the host clears it when the thread ends (region_get) */
	/* If a late interrupt signal stopped it in st_park, the cleared state (ST_RUN) lets it go back. */
	futex_wake(&m->state);
	__atomic_store_n(&ctl->unpark, region_va(i), __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&ctl->park_seq, 1, __ATOMIC_SEQ_CST);
	host_futex(&ctl->park_seq, FUTEX_WAKE, INT_MAX, NULL);
	for (;;) {
		err = wait_stop_until(c, host_monotonic_ns() + INTR_GRACE_NS);
		if (err == -ETIMEDOUT && host_monotonic_ns() < until) {
			interrupt(c); /* not scheduled yet, or not where it should be: a stop will say */
			continue;
		}
		if (err < 0)
			break;
		__atomic_store_n(&c->intr_ns, 0, __ATOMIC_RELEASE);
		c->uc = frame_of(c);
		if (!c->uc)
			break;
		if (m->signo == SIG_INTERRUPT && host_monotonic_ns() < until) {
			resume(c, ST_RUN);
			continue;
		}
		if (m->signo != SIGTRAP || !(fp = fpstate_of(c, &len)))
			break;
		ctl->unpark = 0;
		fpstate_reset(fp, len); /* whatever ran in the thread since its park */
		return 0;
	}
	ctl->unpark = 0;
	log_warn("systrap: parked thread %d did not stop for its new task; its process is killed", c->tid);
	plat_stub_lose(as);
	r->in_use = 0;
	c->uc = 0;
	return 1;
}

/*
 * The thread of a context just unparked ends (give_back): once the host
 * cleared its tid word it is gone, and its region can be reused.
 */
static void end_unparked(struct plat_ctx *c)
{
	struct st_msg *m = msg_of(c);
	struct timespec ts = {0, 10 * 1000 * 1000};
	uint64_t until = host_monotonic_ns() + UNPARK_NS;
	int32_t tid;

	resume(c, ST_EXIT);
	while ((tid = __atomic_load_n(&m->tid, __ATOMIC_ACQUIRE)) != 0 && host_monotonic_ns() < until)
		host_futex((uint32_t *)&m->tid, FUTEX_WAIT, (uint32_t)tid, &ts);
	c->as->regions[c->region].in_use = 0;
}

/*
 * The host refused a thread or a stub process: EAGAIN at the pids limit
 * of a cgroup, which counts every host task of the sandbox (a container's
 * does).  Parked threads and pooled stubs are host tasks no guest task
 * stands for, so they are given back first: the guest's clone or fork then
 * fails only where the host has no room for what the guest itself runs, as
 * on the ptrace platform.  1 if anything went.
 */
static int give_back(void)
{
	struct plat_as *as;
	int any = npool > 0;

	while (npool > 0)
		pool_drop(&pool[--npool]); /* waits for it: the host has its tasks back */
	for (as = plat_stub_next_live(NULL); as; as = plat_stub_next_live(as)) {
		while (as->nparked && !as->stub.dead) {
			struct plat_ctx c = {.as = as, .as_serial = as->serial};

			if (unpark(&c) != 0)
				break;
			end_unparked(&c);
			any = 1;
		}
	}
	return any;
}

/*
 * After the host refused a thread or process (ST_ACK_NOTHREAD) tries times:
 * whether to try once more.  The first refusal gives back what the
 * platform kept; a thread's exit reaches the cgroup's count a little after
 * its tid word is cleared, so a few more tries follow, a millisecond apart.
 */
static int refused_again(int tries)
{
	struct timespec ts = {0, 1000 * 1000};
	uint32_t never = 1;

	if (tries == 0)
		return give_back();
	if (tries > 10)
		return 0;
	host_futex(&never, FUTEX_WAIT, 1, &ts);
	return 1;
}

/* Waits for a new thread's first stop (int3 in st_thread). */
static int first_stop(struct plat_ctx *c)
{
	if (wait_stop(c) < 0)
		return -ESRCH;
	c->uc = frame_of(c);
	if (!c->uc || msg_of(c)->signo != SIGTRAP)
		return -EAGAIN;
	return 0;
}

static struct plat_ctx *new_thread(struct plat_as *as, int *err)
{
	struct plat_ctx *c = calloc(1, sizeof(*c));
	uint32_t r;
	long i;
	int tries;

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->as = as;
	c->as_serial = as->serial;
	if (as->nregions && as->regions[0].in_use == REGION_FIRST) {
		as->regions[0].in_use = 1;
		c->region = 0;
		c->tid = as->regions[0].tid;
		if (c->tid > 0 && first_stop(c) == 0)
			return c;
		*err = -EAGAIN;
		goto fail;
	}
	switch (unpark(c)) {
	case 0:
		return c;
	case 1:
		*err = -ESRCH;
		free(c);
		return NULL;
	}
	i = region_get(as);
	if (i < 0) {
		*err = (int)i;
		free(c);
		return NULL;
	}
	c->region = (size_t)i;
	r = flush_cmd(as, ST_CMD_CLONE, region_va(c->region));
	if (r == ST_ACK_DROPPED) {
		/* The batch stopped before the clone (and maybe the region's mapping): once more. */
		plat_stub_queue(as, SYS_mmap, region_va(c->region), ST_REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		      (unsigned long)mf.fd, as->regions[c->region].off);
		r = flush_cmd(as, ST_CMD_CLONE, region_va(c->region));
	}
	for (tries = 0; r == ST_ACK_NOTHREAD && !as->stub.dead && refused_again(tries); tries++)
		r = flush_cmd(as, ST_CMD_CLONE, region_va(c->region));
	if (r != ST_ACK_OK) {
		*err = as->stub.dead ? -ESRCH : -EAGAIN;
		goto fail;
	}
	as->threads++;
	c->tid = msg_of(c)->tid;
	if (c->tid <= 0 || (*err = first_stop(c)) < 0) {
		*err = -EAGAIN;
		goto fail;
	}
	return c;
fail:
	as->regions[c->region].in_use = 0;
	free(c);
	return NULL;
}

static struct plat_ctx *ctx_create(struct plat_as *as, int *err)
{
	return new_thread(as, err);
}

static int get_fpstate(struct plat_ctx *c, struct iovec *iov);
static int set_fpstate(struct plat_ctx *c, struct iovec *iov);

/*
 * The control thread made the new thread, so it starts with the control
 * thread's FPU state; Linux's clone copies the creator's (its MXCSR and x87
 * control word, a rounding mode set before pthread_create): copied here
 * from the parent's frame.
 */
static struct plat_ctx *ctx_clone(struct plat_ctx *parent, int *err)
{
	struct plat_ctx *c = new_thread(parent->as, err);
	struct iovec iov;

	if (!c)
		return NULL;
	iov.iov_len = xsave_size;
	iov.iov_base = malloc(xsave_size);
	if (iov.iov_base && get_fpstate(parent, &iov) == 0)
		set_fpstate(c, &iov);
	free(iov.iov_base);
	return c;
}

static int ctx_adopt(struct plat_ctx *c)
{
	(void)c;
	return 0; /* no tracer to change: any sentry thread may drive any stub thread */
}

static void ctx_destroy(struct plat_ctx *c, int alive)
{
	/* Parks this thread for the next of its process, or ends it: the region is reused once the host cleared its tid (the thread is gone). */
	if ((alive || (c->as->threads == 1 && npool < POOL_MAX)) && park(c) == 0) {
		free(c); /* the last thread of a one-thread process: its stub may be reused (recycle()) */
		return;
	}
	if (alive && !c->as->stub.dead)
		resume(c, ST_EXIT);
	c->as->regions[c->region].in_use = 0;
	free(c);
}

/*
 * execve: a thread of the task's own in the new address space.  The old one
 * goes with its process when the old address space is destroyed, right
 * after, or, the process's only thread, is parked for its stub's reuse (a
 * vfork child that leaves its parent's gets a new context instead).
 */
static int ctx_exec(struct plat_ctx *c, struct plat_as *as)
{
	struct plat_ctx *n;
	int err = -ENOMEM;

	n = new_thread(as, &err);
	if (!n)
		return err < 0 ? err : -ENOMEM;
	/* The old stub's only thread: parked, that stub may be reused (recycle()). */
	if (c->as != as && c->as->threads == 1 && npool < POOL_MAX)
		park(c);
	*c = *n;
	free(n);
	return 0;
}

static int enter(struct plat_ctx *c, struct plat_as *as)
{
	if (c->as != as)
		return 1; /* not its address space: a sentry bug, the task ends */
	as_flush(as);
	return as->stub.dead;
}

/* ---- Running ---- */

static void regs_to_uc(const plat_regs *r, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;

	g[REG_R8] = (greg_t)r->r8;
	g[REG_R9] = (greg_t)r->r9;
	g[REG_R10] = (greg_t)r->r10;
	g[REG_R11] = (greg_t)r->r11;
	g[REG_R12] = (greg_t)r->r12;
	g[REG_R13] = (greg_t)r->r13;
	g[REG_R14] = (greg_t)r->r14;
	g[REG_R15] = (greg_t)r->r15;
	g[REG_RDI] = (greg_t)r->rdi;
	g[REG_RSI] = (greg_t)r->rsi;
	g[REG_RBP] = (greg_t)r->rbp;
	g[REG_RBX] = (greg_t)r->rbx;
	g[REG_RDX] = (greg_t)r->rdx;
	g[REG_RAX] = (greg_t)r->rax;
	g[REG_RCX] = (greg_t)r->rcx;
	g[REG_RSP] = (greg_t)r->rsp;
	g[REG_RIP] = (greg_t)r->rip;
	g[REG_EFL] = (greg_t)r->eflags;
	/* cs 0x33, gs 0, fs 0, ss 0x2b: 64-bit user mode, whatever the page said. */
	g[REG_CSGSFS] = (greg_t)(0x33 | (0x2bULL << 48));
	/* The application's signal mask is the sentry's business; the host's stays empty. */
	memset(&uc->uc_sigmask, 0, 8);
}

static void uc_to_regs(const ucontext_t *uc, plat_regs *r)
{
	const greg_t *g = uc->uc_mcontext.gregs;

	r->r8 = (uint64_t)g[REG_R8];
	r->r9 = (uint64_t)g[REG_R9];
	r->r10 = (uint64_t)g[REG_R10];
	r->r11 = (uint64_t)g[REG_R11];
	r->r12 = (uint64_t)g[REG_R12];
	r->r13 = (uint64_t)g[REG_R13];
	r->r14 = (uint64_t)g[REG_R14];
	r->r15 = (uint64_t)g[REG_R15];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rbx = (uint64_t)g[REG_RBX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rax = (uint64_t)g[REG_RAX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rsp = (uint64_t)g[REG_RSP];
	r->rip = (uint64_t)g[REG_RIP];
	r->eflags = (uint64_t)g[REG_EFL];
	r->cs = 0x33;
	r->ss = 0x2b;
	r->ds = r->es = r->fs = r->gs = 0;
}

static enum plat_stop switch_to_user(struct plat_ctx *c, struct plat_as *as, plat_regs *regs,
				     struct plat_stopinfo *info)
{
	struct st_msg *m;
	ucontext_t *uc;
	uint64_t err, tf;
	int sig;

	if (c->as != as || as->stub.dead || !c->uc)
		return PLAT_DIED;
	m = msg_of(c);
	uc = uc_of(c);
	regs_to_uc(regs, uc);
	/* One instruction, then #DB: SIGTRAP in the stub, reported as any signal (ptrace's SINGLESTEP). */
	if (c->step && !(regs->eflags & X86_EFLAGS_TF))
		uc->uc_mcontext.gregs[REG_EFL] |= X86_EFLAGS_TF;
	m->fs_base = regs->fs_base;
	m->gs_base = regs->gs_base;
	resume(c, ST_RUN);
	if (wait_stop(c) < 0)
		return PLAT_DIED;
	__atomic_store_n(&c->intr_ns, 0, __ATOMIC_RELEASE);
	c->uc = frame_of(c);
	if (!c->uc) {
		log_warn("systrap: thread %d stopped with a frame outside its region; its process is killed", c->tid);
		return PLAT_DIED;
	}
	uc = uc_of(c);
	tf = regs->eflags & X86_EFLAGS_TF; /* the application's own trap flag, if it set one */
	uc_to_regs(uc, regs);
	if (c->step && !tf)
		regs->eflags &= ~(uint64_t)X86_EFLAGS_TF;
	regs->fs_base = m->fs_base;
	regs->gs_base = m->gs_base;
	sig = m->signo;
	info->signo = sig;
	info->code = m->code;
	info->addr = m->addr;
	info->access = PLAT_ACCESS_UNKNOWN;
	regs->orig_rax = (uint64_t)-1; /* as ptrace gives for a stop that is not a system call */
	switch (sig) {
	case SIGSYS:
		/* seccomp rolled rax back to the number, as ptrace's syscall stop leaves it in orig_rax. */
		regs->orig_rax = regs->rax;
		regs->rax = (uint64_t)-ENOSYS;
		return PLAT_SYSCALL;
	case SIG_INTERRUPT:
		return PLAT_INTERRUPT;
	case SIGSEGV:
		if (m->code != SEGV_MAPERR && m->code != SEGV_ACCERR)
			return PLAT_SIGNAL;
		/* The page-fault error code the CPU pushed: bit 1 a write, bit 4 an instruction fetch. */
		err = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
		info->access = err & 16 ? PLAT_ACCESS_EXEC : err & 2 ? PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
		return PLAT_FAULT;
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		return PLAT_SIGNAL;
	}
	log_warn("systrap: thread %d stopped for signal %d; its process is killed", c->tid, sig);
	return PLAT_DIED;
}

/*
 * The xsave area of the current stop's frame and its size (*len), as the
 * kernel's words in it (fpx_sw_bytes) say, checked to lie in the region;
 * NULL if it does not.
 */
static uint8_t *fpstate_of(struct plat_ctx *c, size_t *len)
{
	uint64_t base = region_va(c->region), fp, end = base + ST_REGION;
	uint8_t *p;
	uint32_t size;

	if (!c->uc || !as_live(c))
		return NULL;
	fp = (uint64_t)uc_of(c)->uc_mcontext.fpregs;
	if (fp < base + PAGE || fp > end - 576 || (fp & 63))
		return NULL;
	p = (uint8_t *)mf_ptr(c->as->regions[c->region].off) + (fp - base);
	memcpy(&size, p + 464 + 16, 4); /* xstate_size */
	if (size < 576 || size > xsave_size || size > end - fp)
		return NULL;
	*len = size;
	return p;
}

static int get_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	size_t len;
	uint8_t *fp = fpstate_of(c, &len);

	if (!fp)
		return -EFAULT;
	if (len > iov->iov_len)
		len = iov->iov_len;
	memcpy(iov->iov_base, fp, len);
	iov->iov_len = len;
	/*
	 * In ptrace's layout, as the platform interface gives it: bytes
	 * 464..511 hold XCR0 (the user features), not the signal frame's
	 * fpx_sw_bytes (magic, sizes, then the features).
	 */
	if (len >= 512) {
		uint64_t xfeatures;

		memcpy(&xfeatures, fp + 464 + 8, 8);
		memset((uint8_t *)iov->iov_base + 464, 0, 48);
		memcpy((uint8_t *)iov->iov_base + 464, &xfeatures, 8);
	}
	return 0;
}

static int set_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	size_t n;
	uint8_t *fp = fpstate_of(c, &n), sw[48];
	uint64_t xfeatures, bv;
	uint32_t mxcsr_mask;

	if (!fp)
		return -EINVAL;
	if (iov->iov_len < n)
		n = iov->iov_len;
	if (n < 512)
		return -EINVAL;
	/* The kernel's own words in the frame (fpx_sw_bytes) stay, as rt_sigreturn reads them. */
	memcpy(sw, fp + 464, sizeof(sw));
	memcpy(fp, iov->iov_base, n);
	memcpy(fp + 464, sw, sizeof(sw));
	memcpy(&xfeatures, sw + 8, 8);
	/* What rt_sigreturn would refuse (a fault that kills the stub): reserved MXCSR bits, unknown features. */
	memcpy(&mxcsr_mask, fp + 28, 4);
	if (!mxcsr_mask)
		mxcsr_mask = 0xffbf;
	*(uint32_t *)(fp + 24) &= mxcsr_mask;
	if (n >= 576) {
		memcpy(&bv, fp + 512, 8);
		bv &= xfeatures;
		memcpy(fp + 512, &bv, 8);
		memset(fp + 520, 0, 56); /* xcomp_bv and the reserved header words */
	}
	return 0;
}

static void set_singlestep(struct plat_ctx *c, int on)
{
	c->step = on;
}

static void interrupt(struct plat_ctx *c)
{
	/*
	 * Whether or not it runs now: a thread about to run takes the pending
	 * signal at once (a spurious PLAT_INTERRUPT at worst), as ptrace's
	 * pending SIGSTOP.
	 */
	uint64_t zero = 0;

	if (host_tgkill(c->as->stub.pid, c->tid, SIG_INTERRUPT) == 0)
		__atomic_compare_exchange_n(&c->intr_ns, &zero, host_monotonic_ns(), 0, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
}

/* ---- Start-up ---- */

static int init(const struct plat_config *cfg)
{
	struct stub_args a;
	unsigned eax, ebx, ecx, edx;
	uint32_t r;

	(void)cfg;
	__asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(0xd), "c"(0));
	xsave_size = ebx; /* with every feature; a frame may hold fewer (AMX only once asked for) */
	if (xsave_size < 576 || xsave_size > ST_REGION - PAGE - 2048) {
		log_warn("systrap: this CPU's xsave area (%u bytes) does not fit a stub's signal stack", xsave_size);
		return -ENOSYS;
	}
	tmpl.ctrl_off = mf_alloc(1);
	tmpl.ack_off = mf_alloc(1);
	tmpl_scratch_off = mf_alloc(1);
	if (tmpl.ctrl_off == MF_NONE || tmpl.ack_off == MF_NONE || tmpl_scratch_off == MF_NONE)
		return -ENOMEM;
	{
		int sv[2];

		if (host_socketpair(sv) < 0)
			return -ENOSYS;
		plat_file_sock = sv[0];
		a.sock = sv[1];
	}
	a.memfd = mf.fd;
	a.ctrl_off = tmpl.ctrl_off;
	a.ack_off = tmpl.ack_off;
	a.scratch_off = tmpl_scratch_off;
	tmpl.stub.pid = host_fork_stub(stub_child, &a);
	host_close(a.sock); /* the stubs' end: the template has it, and every stub forked from it */
	if (tmpl.stub.pid < 0)
		return tmpl.stub.pid;
	r = wait_ack(&tmpl);
	if (r != ST_ACK_OK) {
		host_kill_process(tmpl.stub.pid);
		stub_gone(&tmpl);
		return -ENOSYS;
	}
	return 0;
}

/*
 * seccomp's RET_TRAP, FSGSBASE in user mode (st_handler reads and writes fs
 * and gs base itself), and the memory file are all it needs.
 */
static int available(const char **why)
{
	unsigned eax, ebx, ecx, edx;

	__asm__("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(7), "c"(0));
	if (!(ebx & 1)) {
		*why = "the CPU has no FSGSBASE instructions";
		return -ENOSYS;
	}
	if (!(getauxval(AT_HWCAP2) & 2)) {
		*why = "the host kernel does not let user code use FSGSBASE (Linux 5.9 or later does)";
		return -ENOSYS;
	}
	return 0;
}

/* The sentry's own host calls for this platform, merged into the vetted list. */
static const struct host_rule systrap_rules[] = {
	HOST_ONE("tgkill", "interrupt a stub thread running application code (its handler reports the stop)",
		 SCMP_A2(SCMP_CMP_EQ, SIG_INTERRUPT)),
	HOST_ONE("tgkill", "is a stub thread still there (signal 0)", SCMP_A2(SCMP_CMP_EQ, 0)),
	HOST_TWO("tgkill", "kill a stub process through its first thread, the control thread, which lives as long as "
			   "the process (a thread id, never a group: kill(2) is not on the list)",
		 HOST_PID_ONLY, SCMP_A2(SCMP_CMP_EQ, SIGKILL)),
	HOST_ANY("wait4", "reap stub processes; notice one that died; the fallback's stop"),
	HOST_FILESOCK("sendmsg", "hand a stub files of the root to map from the host's page cache (as_map_file)",
		      SCMP_A2(SCMP_CMP_EQ, MSG_DONTWAIT | MSG_NOSIGNAL)),
	HOST_ONE("fcntl", "keep a file's fd for the stub until its batch runs (F_DUPFD_CLOEXEC)",
		 SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)),
	/* The fallback of unblock_interrupt(), and only it: no other request. */
	HOST_TWO("ptrace", "fallback: trace for a moment a thread that blocked the interrupt signal",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE), SCMP_A3(SCMP_CMP_EQ, 0)),
	HOST_ONE("ptrace", "fallback: stop it", SCMP_A0(SCMP_CMP_EQ, PTRACE_INTERRUPT)),
	HOST_ONE("ptrace", "fallback: read where it stopped (in the stub's code its mask stays)",
		 SCMP_A0(SCMP_CMP_EQ, PTRACE_GETREGS)),
	HOST_TWO("ptrace", "fallback: empty its host signal mask", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETSIGMASK),
		 SCMP_A2(SCMP_CMP_EQ, 8)),
	HOST_TWO("ptrace", "fallback: let it go", SCMP_A0(SCMP_CMP_EQ, PTRACE_DETACH), SCMP_A3(SCMP_CMP_EQ, 0)),
};

static const struct host_rules systrap_host_rules = {
	"platform/systrap", systrap_rules, sizeof(systrap_rules) / sizeof(systrap_rules[0]),
};

static void kill_all(void)
{
	int i;

	for (i = 0; i < npool; i++)
		host_kill_process(pool[i].pid);
	plat_stub_kill_all(tmpl.stub.pid);
}

static const struct platform plat_systrap = {
	.name = "systrap",
	.available = available,
	.init = init,
	.host_rules = &systrap_host_rules,
	.as_create = as_create,
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
	.as_map_file = as_map_file,
	.give_back = give_back,
	.kill_all = kill_all,
	.user_limit = ST_CODE,
};

PLATFORM(plat_systrap)
