/*
 * Wait queues: the one way a task blocks in the sentry.
 *
 * Every object a task can wait for (a pipe, a socket, an eventfd, a futex
 * key, a child's exit, a lock...) owns a struct waitq.  A task that must wait
 * checks its condition, and if it does not hold yet, calls task_block() on
 * the object's queue; that links a waiter (task -> queue), sleeps on the
 * task's own condition variable and unlinks the waiter again.  Whoever
 * changes the object calls waitq_wake() on its queue, which wakes only the
 * tasks (or callbacks) linked there.  As Linux's wait_event_interruptible and
 * gVisor's BlockWithDeadline, a return of 0 means only "something happened":
 * the caller re-checks its condition and blocks again if it still does not
 * hold.
 *
 * Rules:
 *  - Everything here runs with sentry_lock held.  task_block() releases it
 *    while the task sleeps and holds it again when it returns, so the
 *    caller's pointers into kernel state may be stale afterwards (take files
 *    and guest memory afresh: spans from mm_pin are valid only while the
 *    lock is held, never across a block).
 *  - No lost wake-ups: check the condition and block without dropping the
 *    lock in between; a wake-up is always made with the lock held.
 *  - Blocking is interruptible: task_block() returns -ERESTARTSYS at once,
 *    without sleeping, when a signal the task does not block is pending or
 *    its thread or group is exiting; the caller returns that (or -EINTR,
 *    -ERESTARTNOHAND...) to the syscall layer, whose restart rules apply.
 *    Sending a signal wakes the target task only (task_wake), whatever queue
 *    it sleeps on.
 *  - File operations never block: they return -EAGAIN and report readiness
 *    through their poll op; the syscall layer blocks on the file's queues
 *    (vfs_file_block) and retries, taking guest memory afresh.  (A FIFO's
 *    open, tee, record locks and the unix socket calls that work on sentry
 *    bounce buffers block in the subsystem, through task_block, holding no
 *    guest memory.)
 *  - Waiting on several queues at once (poll, select, epoll_wait): the
 *    caller links one struct waiter per queue (waiter_add with the task; the
 *    VFS does it for files with struct vfs_pollset, and epoll links its
 *    watched files' queues for the time of the wait), then calls
 *    task_block(t, NULL, deadline), then unlinks them all.  A waiter with a
 *    callback instead of a task (a host thread that is no task, as the
 *    console's) runs the callback on a wake, with the lock held; it must
 *    not block.
 *  - Lock order: sentry_lock, then a task's wake_cond (only inside
 *    pthread_cond_wait/signal).  Nothing else is taken here.
 *  - A waiter lives where its owner lives (usually the blocking function's
 *    stack), and is unlinked before that memory goes.  A queue must be empty
 *    when its object is freed.
 */
#pragma once

#include <stdint.h>

struct task;
struct waiter;

struct waitq {
	struct waiter *head; /* waiters, newest first */
};

struct waiter {
	struct waiter *next, *prev;
	struct waitq *q;                /* the queue it is on, or NULL */
	struct task *task;              /* woken by a wake of q (when fn is NULL) */
	void (*fn)(struct waiter *w);   /* or: called by a wake of q, lock held */
	void *priv;                     /* the owner's, for fn */
};

#define WAITQ_INIT {NULL}

static inline void waitq_init(struct waitq *q)
{
	q->head = NULL;
}

static inline int waitq_active(const struct waitq *q)
{
	return q->head != NULL;
}

/* Links w (task or fn set by the caller) on q; unlinks it from any queue it was on. */
void waiter_add(struct waitq *q, struct waiter *w);
/* Unlinks w (no-op when it is on no queue). */
void waiter_del(struct waiter *w);
/* Wakes every waiter on q: its task, or its callback. */
void waitq_wake(struct waitq *q);
/* Wakes the task wherever it sleeps (signals, stop, exit); no-op when it does not. */
void task_wake(struct task *t);

/*
 * Blocks t until a queue it waits on is woken (0), deadline passes
 * (-ETIMEDOUT; deadline in host realtime ns, 0 = none) or it is interrupted
 * (-ERESTARTSYS: see above).  With q, a waiter on q is linked for the time of
 * the block; with NULL, t waits on the waiters its caller linked, or only
 * for a signal or the deadline.
 */
int task_block(struct task *t, struct waitq *q, uint64_t deadline);
/* The same, but not interrupted by signals (only by SIGKILL / the group's exit): vfork, exec. */
int task_block_killable(struct task *t, struct waitq *q, uint64_t deadline);
/*
 * Sleeps until a wake of q (or task_wake of t), whatever is pending: for
 * waits that cannot be given up (an exec waiting for its group's other
 * threads to go, a stopped thread waiting for SIGCONT or SIGKILL).
 */
void task_sleep(struct task *t, struct waitq *q);
/* Is t to give up a blocking wait (signal it does not block pending, exit)? */
int task_interrupted(struct task *t);
