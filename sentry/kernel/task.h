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

#include "../../include/abi/abi.h"
#include "../../platform/platform.h"
#include "timer.h"

struct mm;
struct fdtable;
struct fs_context;

struct creds {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
};

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

struct task {
	int tid, tgid, ppid, pgid, sid; /* the sandbox's own numbers */
	struct mm *mm;
	struct plat_ctx *ctx;
	plat_regs regs;
	struct fdtable *files;
	struct fs_context *fs;
	struct creds cred;
	struct abi_rlimit rlim[TASK_RLIMITS];
	char comm[16];
	gva_t clear_child_tid;
	gva_t robust_list;
	uint64_t robust_len;

	struct abi_sigaction sigact[64]; /* by signal number - 1 */
	uint64_t sigmask;
	uint64_t sigpending;          /* bit sig-1: pending (one of each, as standard signals) */
	siginfo_t siginfo[64];        /* the info of each pending signal */
	uint64_t saved_sigmask;       /* rt_sigsuspend/ppoll: restored after the handler runs */
	int has_saved_sigmask;
	int in_user;
	int cur_restart;
	struct ktimer itimer_real;    /* alarm(2), setitimer(ITIMER_REAL) */              /* the last syscall returned an ERESTART* code */                  /* the application is running: interrupt the platform to signal it */
	struct abi_stack altstack;
	int pdeathsig, dumpable, no_new_privs, subreaper;
	uint64_t start_ns; /* host monotonic time at creation */

	/* The process tree (thread group leaders only, for now). */
	struct task *parent;
	struct task *children, *sibling;
	struct task *next_task; /* all tasks, for pid lookup */
	int zombie;             /* exited, not yet reaped */
	int vfork_waiting;      /* the parent waits for this child's exec or exit */
	pthread_t thread;

	int exiting;     /* leave the run loop after this syscall */
	int exit_status; /* wait status: code << 8, or the signal number */

	long cur_nr;     /* the system call in flight, for crash reports; -1 when none */
};

extern pthread_mutex_t sentry_lock;
/* Broadcast whenever a task exits, execs or stops: waiters re-check their condition. */
extern pthread_cond_t task_cond;

/* Registers the first task (pid 1). */
void task_register_init(struct task *t);
/* The task with sandbox pid, or NULL. */
struct task *task_find(int pid);
/* Sends sig from t to target (default actions only, for now). */
long task_signal_other(struct task *t, struct task *target, int sig, int code);
/* Ends a vfork parent's wait (the child exec'd). */
void task_vfork_release(struct task *t);

/* Runs t until its thread group exits; returns the wait status. */
int task_run(struct task *t);

/* Ends the thread group with a wait status (exit code << 8, or a signal). */
void task_exit_group(struct task *t, int status);

/*
 * Signals (signal.c).  task_send_signal queues sig for target and wakes it;
 * task_force_signal is for faults the task caused (cannot be blocked or
 * ignored: Linux resets the action to default then).  task_deliver_signals
 * runs before each return to the application and on syscall exit.
 */
void task_send_signal(struct task *target, int sig, const siginfo_t *info);
void task_force_signal(struct task *t, int sig, int code, uint64_t addr);
void task_deliver_signals(struct task *t);
/* Is a signal pending that the task does not block (blocking waits give up then)? */
int task_signal_pending(struct task *t);

/* Internal results of interrupted calls, never seen by the application (as Linux's). */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

/* The sandbox-wide state a task needs from start-up. */
struct sandbox {
	char hostname[65];
	int ncpus;
	uint64_t memory;
	uint64_t start_ns;
};
extern struct sandbox sandbox;

/* The task whose system call is in flight on this host thread (crash reports). */
extern __thread struct task *task_current;
