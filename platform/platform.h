/*
 * The platform: how application code is run and its memory mirrored.  The
 * sentry's memory manager owns the truth about an address space; a platform
 * only mirrors it and runs code on it.  Two implementations sit behind this
 * one interface: ptrace (platform/ptrace/) and, later, kvm (platform/kvm/).
 *
 * Address spaces.  plat_as_map() and friends may be queued: a platform is
 * free to apply them lazily, but all queued changes take effect before the
 * next plat_switch() of any context on that address space returns to the
 * application, in the order they were made.  Frames handed to plat_as_map()
 * must stay allocated until the matching unmap has taken effect; the
 * memory manager defers frees with plat_as_defer_put() for that.
 *
 * Contexts.  A context is one application thread's execution vehicle; it is
 * used only by the host thread that created it.  plat_switch() runs the
 * application with the given registers until it stops, and says why.
 *
 * Locking: an address space is used under the sentry lock, except that
 * plat_switch() runs with it dropped.
 *
 * Platforms register themselves (PLATFORM below) and are chosen by name
 * (--platform=NAME): the sentry knows none of them by name.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/user.h>

struct host_rules; /* sentry/host/seccomp.h */

struct plat_as;
struct plat_ctx;

/* General registers, in the ptrace layout (fs_base and gs_base included). */
typedef struct user_regs_struct plat_regs;

enum plat_stop {
	PLAT_SYSCALL,   /* regs.orig_rax is the number, args in rdi.. r9 */
	PLAT_FAULT,     /* a page fault: info.addr, info.code (SEGV_MAPERR/ACCERR), info.access */
	PLAT_SIGNAL,    /* another synchronous signal: info.signo (SIGFPE, SIGILL, SIGTRAP, SIGBUS...) */
	PLAT_INTERRUPT, /* plat_interrupt() or a host signal stopped it */
	PLAT_DIED,      /* the context is gone (the host killed it); a sentry error */
};

/* What a faulting access did (PLAT_FAULT); a platform that cannot tell says PLAT_ACCESS_UNKNOWN. */
enum plat_access {
	PLAT_ACCESS_UNKNOWN,
	PLAT_ACCESS_READ,
	PLAT_ACCESS_WRITE,
	PLAT_ACCESS_EXEC, /* an instruction fetch */
};

struct plat_stopinfo {
	int signo;
	int code;
	uint64_t addr;
	enum plat_access access; /* PLAT_FAULT only */
};

/* What the sandbox asks of its platform at start-up. */
struct plat_config {
	int pin_cpu; /* run the application on the sentry's CPU (ptrace: tracer and stub together) */
	int host_fd; /* what host_fd() opened, moved into the sentry; -1: none */
};

struct platform {
	const char *name;
	/*
	 * Can it run on this host, now?  0, or -errno with a sentence a person
	 * can act on in *why ("/dev/kvm is absent").  NULL: always.  Asked
	 * before init, outside the sandbox's confinement.  0 with *why set: it
	 * runs, and that is worth knowing (kvm on a nested host: slower).
	 */
	int (*available)(const char **why);
	/*
	 * Opens the host device the platform runs on (kvm: /dev/kvm), before
	 * the sandbox is confined: the sentry's root holds no host file.  An
	 * fd, handed to init as plat_config.host_fd, or -errno with a sentence
	 * in *why.  NULL: nothing to open.
	 */
	int (*host_fd)(const char **why);
	/* Sets the platform up for one sandbox, before the first address space: 0 or -errno. */
	int (*init)(const struct plat_config *cfg);
	/* The host calls it makes itself, merged into the vetted list (sentry/host/seccomp.h). */
	const struct host_rules *host_rules;

	/* A new, empty address space, or NULL (errno-style reason in *err). */
	struct plat_as *(*as_create)(int *err);
	/*
	 * Makes the next as_create of the calling thread cheap, by making its
	 * address space now (the first one, while the sentry waits for its
	 * gofer); a failure is left for that as_create to meet.  NULL: nothing
	 * to gain.
	 */
	void (*as_prepare)(void);
	void (*as_destroy)(struct plat_as *as);
	/*
	 * The host refused the sentry a thread or process (a pids limit on its
	 * cgroup): ends the host tasks the platform keeps for later use (parked
	 * threads, pooled stubs), which no task of the guest stands for.  1 if
	 * any went, so that the caller tries once more.  NULL: it keeps none.
	 */
	int (*give_back)(void);
	/*
	 * as_map may later be undone by the platform itself (all of an address
	 * space's mappings dropped when the host refuses one): a fault on a
	 * page the memory manager holds present then reports SEGV_MAPERR, and
	 * the memory manager maps it again.
	 */
	void (*as_map)(struct plat_as *as, uint64_t va, uint64_t len, uint64_t mf_off, int prot);
	void (*as_unmap)(struct plat_as *as, uint64_t va, uint64_t len);
	void (*as_protect)(struct plat_as *as, uint64_t va, uint64_t len, int prot);
	/*
	 * Maps [va, va+len) of a regular file the sentry holds open (fd, from
	 * off) as the host's own private mapping, with prot, which the memory
	 * manager gives without PROT_WRITE: the host's page cache serves the
	 * pages, with no fault for the sentry and no copy in the memory file,
	 * until as_map puts frames of the memory manager's over some of them.
	 * Queued like the rest; fd may close once this returns.  NULL: the
	 * platform cannot (its address spaces hold memory-file frames only).
	 */
	void (*as_map_file)(struct plat_as *as, uint64_t va, uint64_t len, int fd, uint64_t off, int prot);
	/* CPU time used by the application code in this address space, in ns. */
	uint64_t (*as_cpu_ns)(struct plat_as *as);
	/* Drops a frame reference once every queued unmap before it has taken effect. */
	void (*as_defer_put)(struct plat_as *as, uint64_t mf_off);

	/*
	 * The first context of a new address space, used by the thread that
	 * created the space.  It may start with any FPU state: fork's caller
	 * gives it the parent's with set_fpstate before it first runs.
	 */
	struct plat_ctx *(*ctx_create)(struct plat_as *as, int *err);
	/*
	 * A new thread in parent's address space.  Called by parent's host
	 * thread with parent stopped; the context is used only after the new
	 * task's own host thread has called ctx_adopt() on it.
	 */
	struct plat_ctx *(*ctx_clone)(struct plat_ctx *parent, int *err);
	int (*ctx_adopt)(struct plat_ctx *ctx);
	/*
	 * execve: ctx's task runs on as, a new address space, from now on.
	 * Called under the sentry lock before the old address space is
	 * destroyed (ctx keeps nothing of it), for a task that was alone in
	 * it; the new program starts with a clean FPU state.  0, or -errno:
	 * the task cannot run the new program (past execve's point of no return).
	 */
	int (*ctx_exec)(struct plat_ctx *ctx, struct plat_as *as);
	/* Ends the context; alive: other contexts go on in the address space (end just this one). */
	void (*ctx_destroy)(struct plat_ctx *ctx, int alive);
	/*
	 * Carries out the mapping changes queued on as, ctx's address space.  Called with the sentry lock held,
	 * right before switch_to_user(): the queue is shared by every thread
	 * of the address space.  Nonzero: the address space is gone (another
	 * thread ended the group).
	 */
	int (*enter)(struct plat_ctx *ctx, struct plat_as *as);
	/*
	 * Counts the batches of mapping changes carried out on as.  A fault
	 * taken while another thread's changes were queued is stale when the
	 * count moved since the faulting thread entered.
	 */
	uint64_t (*as_generation)(struct plat_as *as);
	/* Runs the application on ctx until it stops; without the sentry lock. */
	enum plat_stop (*switch_to_user)(struct plat_ctx *ctx, struct plat_as *as, plat_regs *regs,
					 struct plat_stopinfo *info);
	/* The extended FPU state (xsave layout) of a stopped context: bytes in iov->iov_len. */
	int (*get_fpstate)(struct plat_ctx *ctx, struct iovec *iov);
	int (*set_fpstate)(struct plat_ctx *ctx, struct iovec *iov);
	/*
	 * The access of a PLAT_FAULT that is about to become a signal, when
	 * switch_to_user() left it PLAT_ACCESS_UNKNOWN: the platform may work
	 * harder now (ptrace decodes the instruction).  ctx is still stopped.
	 * NULL: info->access is all there is.
	 */
	enum plat_access (*fault_access)(struct plat_ctx *ctx, const plat_regs *regs, const struct plat_stopinfo *info);
	/*
	 * Single-stepping for a tracer in the sandbox (PTRACE_SINGLESTEP): on,
	 * the next switch_to_user() of ctx runs one instruction and stops with
	 * PLAT_SIGNAL SIGTRAP (a system call still stops as PLAT_SYSCALL).
	 * Called by ctx's own thread before each switch.  NULL: the platform
	 * cannot, and PTRACE_SINGLESTEP answers EIO.
	 */
	void (*set_singlestep)(struct plat_ctx *ctx, int on);
	/* Makes a running switch_to_user() on ctx return PLAT_INTERRUPT soon; any thread may call. */
	void (*interrupt)(struct plat_ctx *ctx);
	/*
	 * Kills every host process of every address space (the crash path,
	 * so that they can be reaped before cvisor exits); async-signal-safe,
	 * takes no lock.
	 */
	void (*kill_all)(void);

	/* The highest application address + 1 this platform can give. */
	uint64_t user_limit;
};

#define PLAT_MAX 8

/* Registers p (at start-up, before main: see PLATFORM). */
void plat_register(const struct platform *p);
/* The platform named name, or NULL. */
const struct platform *plat_find(const char *name);
/* Each registered platform in turn: i from 0 until NULL. */
const struct platform *plat_at(size_t i);
/* The names of every platform, ", "-separated, into buf (for messages). */
void plat_names(char *buf, size_t size);
/* In the file that defines the platform: registers it when the program starts. */
#define PLATFORM(p) \
	__attribute__((constructor)) static void register_##p(void) { plat_register(&p); }

/* The platform chosen at start-up (sentry_run). */
extern const struct platform *plat;
/*
 * The socket the chosen platform sends files to map on (as_map_file), set
 * by its init; -1: none.  The sentry's host-call list allows sendmsg on it.
 * plat_file_peer: its other end, the stubs', where the sentry keeps one
 * (ptrace's: new stubs are forked from the sentry); -1: none.
 */
extern int plat_file_sock, plat_file_peer;

static inline int plat_get_fpstate(struct plat_ctx *ctx, struct iovec *iov)
{
	return plat->get_fpstate(ctx, iov);
}

static inline int plat_set_fpstate(struct plat_ctx *ctx, struct iovec *iov)
{
	return plat->set_fpstate(ctx, iov);
}
