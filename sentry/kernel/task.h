/*
 * Tasks: one per application thread, each run by its own host thread.
 *
 * Locking: sentry_lock protects all kernel state (tasks, mm, vfs).  A task's
 * host thread holds it except while the application runs (plat switch) or
 * while it blocks; "_locked" functions expect it held.
 */
#pragma once

#include <pthread.h>
#include <signal.h>
#include <stdint.h>

#include <linux/capability.h>

#include "../../include/abi/abi.h"
#include "../../platform/platform.h"
#include "ns.h"
#include "userns.h"
#include "pidns.h"
#include "timer.h"
#include "wait.h"

struct mm;
struct fdtable;
struct fs_context;
struct task;

/* Supplementary groups: immutable once made, shared by the creds that copy them. */
struct groups {
	int refs;
	uint32_t n;
	uint32_t gid[];
};

/* Every capability this sandbox knows: CAP_0 to CAP_LAST_CAP. */
#define CREDS_CAP_ALL ((1ULL << (CAP_LAST_CAP + 1)) - 1)
#define CREDS_CAP(cap) (1ULL << (cap))

/*
 * A task's credentials (credentials(7), capabilities(7)).  The capability
 * sets are bit masks of CAP_*; the ambient set stays within the permitted
 * and inheritable ones, the effective within the permitted.
 */
struct creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	struct groups *groups; /* reference; NULL: none */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	/* Reference: the user namespace the ids are seen in and the capabilities held in (userns.h). */
	struct user_ns *user_ns;
};

static inline void groups_get(struct groups *g)
{
	if (g)
		g->refs++;
}

void groups_put(struct groups *g);
/* The user namespace of credentials (the sandbox's first for a task not yet set up). */
static inline struct user_ns *creds_userns(const struct creds *c)
{
	return c->user_ns ? c->user_ns : &user_ns_init;
}

/*
 * Linux's capable(): does t hold cap (CAP_*, <linux/capability.h>) over the
 * whole sandbox, that is in its first user namespace?  A task of a user
 * namespace of its own holds none there.
 */
int capable(const struct task *t, int cap);
/* Linux's ns_capable(): does t hold cap in user namespace ns (userns_capable)? */
int ns_capable(const struct task *t, const struct user_ns *ns, int cap);
/*
 * Linux's capable_wrt_inode_uidgid(): cap in t's own user namespace, over
 * a file whose owner and group (kernel ids) both have a mapping there.
 */
int capable_wrt_inode(const struct task *t, int cap, uint32_t uid, uint32_t gid);
/*
 * Ids across t's user namespace: a kernel id as t sees it (the overflow id
 * if it has none there), and an id t names as a kernel id (-1 if none).
 */
uint32_t task_uid_out(const struct task *t, uint32_t kuid);
uint32_t task_gid_out(const struct task *t, uint32_t kgid);
uint32_t task_uid_in(const struct task *t, uint32_t uid);
uint32_t task_gid_in(const struct task *t, uint32_t gid);
/*
 * Linux's ptrace_may_access with PTRACE_MODE_REALCREDS: may t read (or
 * attach to) target?  Same process; or t's real uid and gid equal all of
 * target's uids and gids and target is dumpable; or CAP_SYS_PTRACE.  0 or
 * -EPERM.  (process_vm_readv/writev, kcmp.)
 */
int task_may_access(const struct task *t, const struct task *target);
/* Is gid the task's filesystem gid or one of its supplementary groups? */
int creds_in_group(const struct creds *c, uint32_t gid);
/* The first task's: root of the first user namespace, with every capability but no inheritable or ambient one. */
void creds_init_root(struct creds *c);
/*
 * After a change of uid, euid or suid from old to c (capabilities(7),
 * "Effect of user ID changes on capabilities"): leaving uid 0 in all three
 * clears the permitted and effective sets unless keepcaps, and the ambient
 * set always; an euid leaving 0 clears the effective set, one becoming 0
 * gives it the permitted set.
 */
void creds_fix_setuid(struct creds *c, const struct creds *old, int keepcaps);
/* After setfsuid from old_fsuid: the file-system capabilities leave or return to the effective set. */
void creds_fix_setfsuid(struct creds *c, uint32_t old_fsuid);
/*
 * After t's ids changed from old: a process that changed its effective or
 * file-system ids is no longer dumpable (its /proc entries become root's,
 * others may not trace it), until its next execve.
 */
void creds_changed(struct task *t, const struct creds *old);
/*
 * execve's transformation of the sets for a file with no capabilities of its
 * own and no set-id bit (capabilities(7), "Transformation of capabilities
 * during execve()"): with a uid or euid of 0 the file counts as having them
 * all, so P' = bounding | inheritable (effective too when the euid is 0);
 * otherwise P' = E' = the ambient set.
 */
void creds_exec(struct creds *c);

enum { TASK_RLIMITS = 16 };

/* A signal disposition as rt_sigaction(2) passes it on x86-64. */
struct abi_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

struct abi_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* Signal dispositions, shared by the threads of a group (CLONE_SIGHAND). */
struct sighand {
	struct abi_sigaction act[64]; /* by signal number - 1 */
	int refs;
};

/*
 * A thread group: the process.  Protected by sentry_lock.  It lives until
 * its last thread has exited and its parent has reaped it.
 */
struct thread_group {
	int tgid;
	struct task *leader;           /* NULL once the leader thread has gone */
	struct task *threads;          /* live threads, via task->tg_next */
	int nthreads;
	struct thread_group *parent;   /* NULL for pid 1 */
	struct thread_group *children, *sibling;
	struct thread_group *next;     /* every group, for kill(-pgid) */
	int pgid, sid;
	void *ctty;                    /* the session's controlling terminal (a struct pty), or NULL */
	uint32_t uid;                  /* for a reaper's siginfo */
	int zombie;                    /* no threads left, not yet reaped */
	int exiting;                   /* exit_group or a fatal signal: every thread leaves */
	int exit_status;               /* wait status: code << 8, or the signal (| 0x80 with core) */
	uint64_t pending;              /* process-directed signals */
	siginfo_t info[64];            /* the first pending instance of each */
	struct sigextra *extra;        /* further instances of real-time signals, oldest first */
	struct ktimer itimer_real;     /* alarm(2), setitimer(ITIMER_REAL) */
	struct ktimer itimer_cpu[2];   /* setitimer(ITIMER_VIRTUAL), (ITIMER_PROF): on the group's CPU time */
	struct ktimer **timers;        /* POSIX timers (timer_create), by id; ntimers slots */
	int ntimers;
	struct ktimer cpu_watch;       /* RLIMIT_CPU: polls the group's CPU time */
	struct abi_rlimit rlim[TASK_RLIMITS];
	int vfork_waiting;             /* its parent waits for this child's exec or exit */
	int subreaper, dumpable, pdeathsig;
	int thp_disable;               /* PR_SET_THP_DISABLE (no huge pages here either way) */
	int exit_signal;               /* sent to the parent at exit (clone's CSIGNAL; 0: none) */
	uint64_t start_ns;
	/* Job control: a group stop (SIGSTOP/SIGTSTP...) holds every thread in the sentry. */
	int stopped, stop_sig;
	int report_stop, report_cont; /* for the parent's wait with WUNTRACED / WCONTINUED */
	/* CPU time: the group's own (from its stub), and its reaped children's. */
	uint64_t cpu_ns, children_cpu_ns;
	uint64_t sentry_dead_ns;       /* the sentry's CPU time for threads that ended */
	uint64_t threads_dead_ns;      /* and their whole task_cpu_ns() */
	int nice;
	int oom_score_adj, oom_score_adj_min; /* /proc/PID/oom_score_adj (inherited; no OOM killer reads it) */
	/* Wait queues (wait.h): */
	struct waitq child_wq;         /* its wait4/waitid callers: a child exited, stopped or continued */
	struct waitq exit_wq;          /* its threads ended, it exec'd or exited (vfork parent, exec, pidfds) */
	struct waitq signal_wq;        /* a signal came for one of its threads (signalfd) */
};

/*
 * ptrace(2) of one sandboxed task by another (sentry/kernel/ptrace.c): the
 * sentry's own, the host's ptrace is never used for it.  A tracee stops in
 * the sentry, in its own host thread; while it is stopped its tracer reads
 * and changes the registers the sentry holds for it (task->regs) and a copy
 * of its FPU state taken at the stop.  Protected by sentry_lock.
 */
struct task_ptrace {
	struct task *tracer;           /* NULL: not traced */
	unsigned options;              /* PTRACE_O_* */
	int seized;                    /* PTRACE_SEIZE (or inherited from a seized parent) */
	int stopped;                   /* in a ptrace stop: the tracer may look at it and resume it */
	int report;                    /* the stop's wait status, until a wait takes it (0: taken) */
	int kind;                      /* PTRACE_STOP_* below: what stop it is in */
	int resume;                    /* how the tracer let it go: PTRACE_CONT, _SYSCALL, _SINGLESTEP, _LISTEN */
	int sig;                       /* a signal the tracer gave with the resume (or at a signal stop: its own) */
	siginfo_t info;                /* GETSIGINFO's; none in a group stop */
	uint64_t msg;                  /* GETEVENTMSG's */
	int interrupt;                 /* PTRACE_INTERRUPT or an auto-attach asked for a stop (seized) */
	int gstop_seen;                /* the group stop in force has been reported as a stop */
	uint64_t debugreg[8];          /* u_debugreg: kept for PEEKUSER, no effect (no debug registers) */
	uint8_t *fp;                   /* the FPU state (xsave layout) taken at the stop, fplen bytes */
	size_t fplen;
	int fp_dirty;                  /* the tracer changed it: given back to the platform at resume */
};

enum {
	PTRACE_STOP_NONE,
	PTRACE_STOP_SIGNAL,   /* signal-delivery stop: info is the signal's */
	PTRACE_STOP_GROUP,    /* group stop (or PTRACE_LISTEN's) */
	PTRACE_STOP_ENTRY,    /* syscall-entry stop */
	PTRACE_STOP_EXIT,     /* syscall-exit stop */
	PTRACE_STOP_EVENT,    /* PTRACE_EVENT_* stop, and PTRACE_INTERRUPT's */
};

struct seccomp_filter;

struct task {
	int tid;                       /* the sandbox's own numbers */
	struct thread_group *tg;
	struct task *tg_next;          /* the group's thread list */
	struct task *next_task;        /* all live tasks, for tid lookup */
	struct mm *mm;
	struct plat_ctx *ctx;
	plat_regs regs;
	struct fdtable *files;
	struct fs_context *fs;
	struct sighand *sighand;
	struct creds cred;
	struct uts_ns *uts;            /* reference: its UTS namespace (ns.h) */
	struct ns_common *ipc;         /* reference: its IPC namespace, sentry/ipc's (task_ipc_ns) */
	struct ns_common *mnt;         /* reference: its mount namespace, the VFS's (task_files); NULL: none */
	struct ns_common *net;         /* reference: its network namespace, netstack's (task_net_ns); NULL without a stack */
	struct pid_ns *pidns_child;    /* reference: the pid namespace of its next child (pidns.h) */
	char comm[16];
	gva_t clear_child_tid;
	gva_t robust_list;
	uint64_t robust_len;
	pthread_t thread;

	uint64_t sigmask;
	uint64_t sigpending;           /* thread-directed, bit sig-1 */
	siginfo_t siginfo[64];         /* the first pending instance of each */
	struct sigextra *sigextra;     /* further instances of real-time signals, oldest first */
	uint8_t *xsave_scratch;        /* TASK_XSAVE_MAX bytes for FPU state in transit (task_xsave_scratch) */
	uint64_t saved_sigmask;        /* rt_sigsuspend: restored after the handler runs */
	int has_saved_sigmask;
	struct abi_stack altstack;
	int no_new_privs;
	int seccomp_mode;              /* SECCOMP_MODE_DISABLED, _STRICT or _FILTER */
	struct seccomp_filter *seccomp; /* its filters (seccomp.h), newest first */
	uint64_t affinity;             /* sched_setaffinity: the sandbox CPUs it may run on (0: all) */
	/* PR_SET_TIMERSLACK: its value, and what 0 resets it to (0 in both: Linux's 50 us). */
	uint64_t timer_slack_ns, default_slack_ns;
	int keepcaps;                  /* PR_SET_KEEPCAPS */
	unsigned personality;          /* personality(2): kept, inherited; cvisor acts on none of its flags */
	int ioprio;                    /* ioprio_set(2): kept and inherited; the sandbox has no I/O scheduler */
	uint64_t start_ns;             /* host monotonic time at creation */

	int in_user;                   /* the application runs: interrupt the platform to signal it */
	uint64_t as_generation;        /* plat->as_generation() when it last entered */
	uint64_t user_ns;              /* time in the application so far (wall time, host monotonic) */
	uint64_t user_since;           /* host monotonic time it last entered the application */
	int host_clock;                /* CPU clock of the host thread serving it (the sentry's share) */
	int cur_restart;               /* the last syscall returned an ERESTART* code */
	int fault_access;              /* enum plat_access of the last fault made a signal: its frame's error code */
	uint64_t restart_end_ns;       /* restart_syscall: the interrupted sleep's end (host realtime) */
	gva_t restart_rem;             /* ... and where to write the time left if interrupted again */
	int exiting;                   /* this thread leaves its run loop */
	int exit_code;                 /* exit(2) of a thread, for the group if it is the last */
	long cur_nr;                   /* the system call in flight, for crash reports; -1 when none */
	/* Blocking (wait.c): the task sleeps on its own condition variable. */
	pthread_cond_t wake_cond;
	int blocked;                   /* in task_block */
	int woken;                     /* a queue it waits on was woken since it blocked */
	struct task_ptrace ptrace;
};

static inline int task_tgid(struct task *t)
{
	return t->tg->tgid;
}

/* The pid namespace t's own pid is in (Linux's task_active_pid_ns). */
static inline struct pid_ns *task_pidns(struct task *t)
{
	return pidns_nested ? pidns_of(t->tid) : &pid_ns_init;
}

/* A global number (tid, tgid, pgid, sid) as t sees it: 0 for one outside its pid namespace. */
static inline int task_vnr(struct task *t, int gnr)
{
	return pidns_nested ? pidns_nr(task_pidns(t), gnr) : gnr;
}

/* A pid t gave a system call, as the global number: 0 for none t can see (and for nr <= 0). */
static inline int task_gnr(struct task *t, int nr)
{
	return pidns_nested ? pidns_global(task_pidns(t), nr) : nr > 0 ? nr : 0;
}

/* t's parent's pid as t sees it: 0 when it has none, or its parent is in an outer pid namespace. */
static inline int task_ppid(struct task *t)
{
	return t->tg->parent ? task_vnr(t, t->tg->parent->tgid) : 0;
}

extern pthread_mutex_t sentry_lock;

/* Makes the first task (pid 1) and its thread group. */
struct task *task_create_init(void);
/* Stops or continues a group (job control); lock held. */
void tg_stop(struct thread_group *g, int sig);
void tg_continue(struct thread_group *g);
/* Starts (or stops) watching the group's CPU time against RLIMIT_CPU. */
void tg_watch_cpu(struct thread_group *g);
/* Disarms and frees a group's POSIX timers. */
void tg_free_timers(struct thread_group *g);
/* The group's CPU time so far, in ns. */
uint64_t tg_cpu_ns(struct thread_group *g);
/*
 * The thread's CPU clock: its time in the application, which ptrace cannot
 * tell apart from the other threads' and so is counted as wall time while
 * it runs there (as gVisor does), plus the CPU time the sentry spent on it.
 */
uint64_t task_cpu_ns(struct task *t);
/*
 * OCI exec (sentry/exec.c), under the sentry lock: a new process with no
 * parent and no program yet (NULL with *err), and the wait for its end,
 * from a host thread that is no task: its wait status, and it is freed.
 */
struct task *task_new_process(long *err);
int task_reap_parentless(struct thread_group *g);
/* Sends sig to every process of group pgid (terminal signals). */
void tg_signal_pgrp(int pgid, int sig);
/* No member of the process group has its parent elsewhere in the session (POSIX's orphaned group). */
int tg_pgrp_orphaned(int pgid);
/* A signal cvisor itself received, for the sandbox (see sentry.c). */
void task_signal_from_host(int sig);
/* Waits (lock held) until pid 1 has exited; its wait status. */
int task_wait_init_exit(void);
/* The group with pid tgid (zombies too), every group (via ->next), the number of live tasks. */
struct thread_group *tg_find(int tgid);
struct thread_group *tg_all(void);
int task_count(void);
/* The live task with sandbox tid, or NULL. */
struct task *task_find(int tid);
/* The group and the live task that t names nr in its pid namespace (the system calls' lookups). */
struct thread_group *tg_find_vnr(struct task *t, int nr);
struct task *task_find_vnr(struct task *t, int nr);
/* The most bytes of FPU state (xsave, every component) a platform gives or takes. */
#define TASK_XSAVE_MAX 16384
/*
 * t's buffer of TASK_XSAVE_MAX bytes for FPU state on its way to or from a
 * signal frame or a tracer, made at its first use; NULL without memory.
 * (Per task rather than thread-local: a thread-local buffer is a block
 * every host thread of cvisor zeroes at its start, sandbox or not.)
 */
uint8_t *task_xsave_scratch(struct task *t);
/* The namespace init that sig from t leaves alone (pid_namespaces(7)): 1, and nothing is sent. */
int task_ns_init_ignores(struct task *t, struct thread_group *g, int sig);
/* A container's pid 1 is an init as task_ns_init_ignores() says (set once, before it runs). */
void task_protect_init(void);
/* A global number may have stopped being used (ptrace's kept exits): its pid record goes with it. */
void task_pid_release(int nr);
/* The pid of sender in target's pid namespace (a signal's si_pid): 0 when target cannot see it. */
int tg_pid_for(struct thread_group *target, int sender_gnr);
/* Ends a vfork parent's wait (the child exec'd). */
void task_vfork_release(struct task *t);
/* execve: ends the group's other threads; t takes the group's pid. */
void task_exec_single(struct task *t);

/* Runs t until it (or its group) exits. */
void task_run(struct task *t);
/*
 * Handles the system call a task stopped at (its registers in t->regs, the
 * result left in rax): the system call table's entry, syscalls/table.c's
 * syscall_dispatch, set at start-up since the kernel is below the table.
 */
extern void (*task_syscall_handler)(struct task *t);
/* Called by a task's host thread after task_run: the thread's exit, and the group's if last. */
void task_exit_thread(struct task *t);

/* Ends the thread group with a wait status (exit code << 8, or a signal). */
void task_exit_group(struct task *t, int status);
/*
 * The sandbox's memory ran out on t's page fault (lock held): the OOM
 * killer's answer.  The process with the most resident pages is killed
 * with SIGKILL, t's own or another, and t takes its fault again when it
 * next runs.  While a process is still on its way out, nobody else is
 * killed: t waits a moment for that memory instead.
 */
void task_oom(struct task *t);

/*
 * Signals (signal.c).  task_send_signal queues sig for target and wakes it;
 * task_force_signal is for faults the task caused (cannot be blocked or
 * ignored: Linux resets the action to default then).  task_deliver_signals
 * runs before each return to the application and on syscall exit.
 */
/* 0, or -EAGAIN when a real-time signal finds its queue full (the signal is not sent). */
int task_send_signal(struct task *target, int sig, const siginfo_t *info);
/* kill(2)'s permission rule: may t signal g? */
int may_signal(struct task *t, struct thread_group *g, int sig);
/* The siginfo of a signal t sends with kill(2) and its kind (SI_USER, SI_TKILL). */
void fill_user_info(struct task *t, siginfo_t *si, int sig, int code);
/*
 * The pid a pidfd of t names, or -EBADF / -EINVAL (waitid's P_PIDFD): pidfds
 * are files, above the kernel, so syscalls/sys_pidfd.c's pidfd_pid is set
 * here at start-up.
 */
extern int (*task_pidfd_pid)(struct task *t, int fd);
/* A new pidfd in t's table for the process tgid (clone's CLONE_PIDFD): its fd, or -errno. */
extern long (*task_pidfd_new)(struct task *t, int tgid, int flags);
/*
 * A process's last thread ends and its memory has been let go (lock held):
 * System V IPC, above the kernel, applies its SEM_UNDO adjustments and
 * frees removed segments no one has attached any more (sentry/ipc's
 * ipc_exit, set at start-up).  NULL: nothing to do.
 */
extern void (*task_exit_ipc)(int tgid);
/*
 * System V IPC's namespaces are sentry/ipc's, above the kernel: the first
 * one, which the first task gets, and a new empty one for clone and
 * unshare (NULL: no memory), set at start-up (ipc_ns_init, ipc_ns_new).
 */
extern struct ns_common *task_ipc_ns_init;
extern struct ns_common *(*task_ipc_ns_new)(void);
/*
 * Network namespaces are netstack's, above the kernel, in the same way: the
 * sandbox's first one and a new one with only a down lo (net_ns_new), set
 * at start-up.  NULL: no stack, and CLONE_NEWNET is EPERM.
 */
extern struct ns_common *task_net_ns_init;
extern struct ns_common *(*task_net_ns_new)(void);
/* The namespace of a type t is in (its own UTS, IPC, mount, network and user ones, the sandbox's others). */
struct ns_common *task_ns(struct task *t, enum ns_type type);
/* The namespace of a type t's next child is born in (/proc/PID/ns/pid_for_children). */
struct ns_common *task_ns_children(struct task *t, enum ns_type type);
/*
 * setns(2) after its checks: t joins ns, a UTS, IPC, mount or network
 * namespace (an IPC one applies its SEM_UNDO adjustments first, as unshare;
 * a mount one moves t's root and cwd to its root; a network one leaves t's
 * sockets where they are) or a user namespace (with every capability in
 * it), or stays where it is for the others, which are one each.
 */
void task_join_ns(struct task *t, struct ns_common *ns);
/* Woken at every thread group's exit: what pidfd pollers wait on. */
extern struct waitq task_pidfd_wq;

/*
 * A task's fd table and file-system context (root, cwd, umask) are the
 * VFS's, which is above the kernel: clone, exit and the first task make,
 * copy and drop them through these (vfs/fdtable.c's vfs_task_files, set at
 * start-up).
 */
struct task_files_ops {
	struct fdtable *(*fdt_new)(void);
	struct fdtable *(*fdt_copy)(struct fdtable *src);
	void (*fdt_put)(struct fdtable *t);
	struct fs_context *(*fs_copy)(struct fs_context *src);
	void (*fs_put)(struct fs_context *fs);
	/*
	 * Mount namespaces are the VFS's too (struct mnt_ns).  mnt_ns_init is
	 * the first, which the first task gets (NULL: no mounts, unit tests).
	 * mnt_ns_copy makes a copy of src's mounts and moves fs's root and cwd
	 * to their copies (NULL: no memory, and fs as it was), every mount but
	 * the root locked when lock is set (a copy for a less privileged user
	 * namespace, as Linux's MNT_LOCKED); mnt_ns_enter moves fs's root and
	 * cwd to ns's root (setns).
	 */
	struct ns_common *mnt_ns_init;
	struct ns_common *(*mnt_ns_copy)(struct ns_common *src, struct fs_context *fs, int lock);
	void (*mnt_ns_enter)(struct ns_common *ns, struct fs_context *fs);
};
extern const struct task_files_ops *task_files;
int tg_send_signal(struct thread_group *tg, int sig, const siginfo_t *info);
void task_force_signal(struct task *t, int sig, int code, uint64_t addr);
void task_deliver_signals(struct task *t);
/* Frees the queued real-time signal instances of a list (exit). */
/* Drops every queued instance (the real-time signals' pending bits and further ones). */
void sigextra_free(uint64_t *pending, struct sigextra **list);
/* Takes a pending signal in set (the thread's own first): its number with *si, or 0. */
int task_dequeue_signal(struct task *t, uint64_t set, siginfo_t *si);
/* Is sp on the task's alternate signal stack? */
int task_on_altstack(struct task *t, uint64_t sp);
/* rt_sigaction changed sig's action: an ignored signal's pending instances go. */
void task_sigaction_set(struct task *t, int sig);
/*
 * ppoll, pselect6, epoll_pwait(2): the guest's sigset (size bytes; 0: none)
 * is the mask while the call waits; 0 or -errno.  End with the call's
 * result: interrupted, the handler runs under that mask and the old one
 * comes back after it (as for rt_sigsuspend); otherwise at once.
 */
long task_begin_wait_sigmask(struct task *t, gva_t set, uint64_t size);
long task_end_wait_sigmask(struct task *t, long r);
/* Is a signal pending that the task does not block (blocking waits give up then)? */
int task_signal_pending(struct task *t);

/* Internal results of interrupted calls, never seen by the application (as Linux's). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* The sandbox-wide state a task needs from start-up. */
struct sandbox {
	int ncpus;
	uint64_t memory;
	uint64_t start_ns;
	int max_tasks;     /* --tasks: threads of every process together; clone/fork get EAGAIN past it */
};
extern struct sandbox sandbox;

/* The task whose system call is in flight on this host thread (crash reports). */
extern __thread struct task *task_current;
