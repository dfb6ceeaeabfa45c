/*
 * ptrace(2) inside the sandbox: one sandboxed task traces another, with the
 * sentry as the kernel in between (the host's ptrace is the platform's and
 * never serves the application's).  The stops are where Linux has them:
 * syscall entry and exit in the task loop (task.c), signal delivery and
 * group stops where signals are taken (signal.c), events in clone, exec and
 * exit (process.c, syscalls/sys_proc.c).  A stopped tracee sleeps in its
 * own host thread; its tracer works on the state the sentry holds for it
 * (struct task_ptrace in task.h).  Everything here runs under sentry_lock.
 *
 * Where cvisor differs from Linux: requests are taken from any thread of
 * the tracer's process (Linux: the tracing thread only); debug registers
 * read back what was written and do nothing; a
 * tracee's zombie is not kept from its parent until its tracer has seen it.
 */
#pragma once

#include <signal.h>
#include <stdint.h>

struct task;
struct thread_group;

/* ---- the tracee's side: the stops (each may sleep; t is the caller) ---- */

/* At a system call's entry: 1 when the call is not to run (the tracer set orig_rax to -1, or t is dying). */
int ptrace_syscall_enter(struct task *t);
/* At its exit, with the result in rax. */
void ptrace_syscall_exit(struct task *t);
/*
 * A signal t is about to take (dequeued, *si its info): the signal-delivery
 * stop.  Returns the signal to go on with (0: none), *si as the tracer left it.
 */
int ptrace_signal(struct task *t, int sig, siginfo_t *si);
/*
 * Before t runs the application: the stops that wait there (PTRACE_INTERRUPT's,
 * a group stop not yet reported to the tracer).  Returns nonzero when t is
 * traced and must not wait for the group's SIGCONT itself (its tracer decides).
 */
int ptrace_before_user(struct task *t);
/* A successful execve (old_tid: the tid it had before): PTRACE_EVENT_EXEC, or SIGTRAP for an old-style tracee. */
void ptrace_exec(struct task *t, int old_tid);
/*
 * clone: whether child is traced from its birth (CLONE_PTRACE, or the
 * parent's PTRACE_O_TRACEFORK/VFORK/CLONE), before child runs; then, once
 * it is running, the parent's event stop (ptrace_clone_event).
 */
void ptrace_clone(struct task *parent, struct task *child, uint64_t flags);
void ptrace_clone_event(struct task *parent, struct task *child, uint64_t flags);
/* A vfork parent's wait for its child ended: PTRACE_EVENT_VFORK_DONE (msg: the child's tid). */
void ptrace_vfork_done(struct task *parent, int child_tid);
/* t leaves (task_exit_thread): its tracees are let go (or killed: EXITKILL), its tracer hears of its exit. */
void ptrace_exit(struct task *t, int status, int last);
/* t leaves its run loop: PTRACE_EVENT_EXIT's stop (msg: the wait status), unless it dies of SIGKILL. */
void ptrace_exit_event(struct task *t);
/* SIGKILL for a process already on its way out: its threads' exit stops end. */
void ptrace_end_exit_stops(struct thread_group *g);
/* Single-stepping (PTRACE_SINGLESTEP): should the next run of t stop after one instruction? */
int ptrace_stepping(const struct task *t);

/* ---- the tracer's side ---- */

/*
 * wait4/waitid: a stop or an exit of a tracee of t's process that matches
 * pid (a global number, as wait4's) and options (__WALL, __WCLONE, WNOHANG,
 * WNOWAIT, WEXITED).  Its tid in t's pid namespace with *status, or 0; *any is set when some tracee
 * matched at all (so the caller's ECHILD is not due).  Reported exits are
 * freed unless WNOWAIT.
 */
int ptrace_wait(struct task *t, int pid, int options, int *status, int *any);
/* An exit of tid is kept for its tracer's wait: the number stays in use (and its pid namespace numbers). */
int ptrace_exit_pending(int tid);
/* Does a thread of g have a tracer in t's process (its stops are reported as ptrace stops)? */
int ptrace_traced_by(const struct thread_group *g, const struct task *t);
/* The tid of t's tracer, or 0 (/proc/PID/status TracerPid). */
int ptrace_tracer_pid(const struct task *t);

/* The requests (syscalls/sys_ptrace.c checks the arguments first); 0 or -errno. */
long ptrace_traceme(struct task *t);
long ptrace_attach(struct task *t, int pid, int seize, unsigned options);
/*
 * The tracee pid of t, which must be stopped unless any_state: NULL with
 * *err -ESRCH when it is not t's tracee (or not stopped).
 */
struct task *ptrace_tracee(struct task *t, int pid, int any_state, long *err);
/* Resumes a stopped tracee: how is PTRACE_CONT, _SYSCALL, _SINGLESTEP, _LISTEN or _DETACH; sig (0..64) goes with it. */
long ptrace_resume(struct task *tracee, int how, int sig);
long ptrace_interrupt(struct task *tracee);
long ptrace_kill(struct task *tracee);
/* The FPU state of a stopped tracee: its bytes (NULL when the platform gave none). */
uint8_t *ptrace_fpstate(struct task *tracee, size_t *len);
