/* Wait queues and task_block (see wait.h for the rules). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "../host/host.h"
#include "task.h"
#include "wait.h"

void waiter_add(struct waitq *q, struct waiter *w)
{
	if (w->q)
		waiter_del(w);
	w->q = q;
	w->prev = NULL;
	w->next = q->head;
	if (q->head)
		q->head->prev = w;
	q->head = w;
}

void waiter_del(struct waiter *w)
{
	if (!w->q)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		w->q->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->q = NULL;
	w->next = w->prev = NULL;
}

void task_wake(struct task *t)
{
	if (!t->blocked)
		return;
	t->woken = 1;
	pthread_cond_signal(&t->wake_cond);
}

void waitq_wake(struct waitq *q)
{
	struct waiter *w, *next;

	/* A callback may unlink its own waiter (never another one of this queue). */
	for (w = q->head; w; w = next) {
		next = w->next;
		if (w->fn)
			w->fn(w);
		else
			task_wake(w->task);
	}
}

int task_interrupted(struct task *t)
{
	/* A traced thread its tracer let go on from the group stop runs (and waits) as Linux's does. */
	return task_signal_pending(t) || t->exiting || t->tg->exiting || t->ptrace.interrupt ||
	       (t->tg->stopped && !(t->ptrace.tracer && t->ptrace.gstop_seen));
}

enum { INTERRUPTIBLE, KILLABLE, UNINTERRUPTIBLE };

/* The waiter lives on this stack frame only while linked: waiter_del runs before the return. */
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer" /* gcc's own warning; clang (the fuzz targets) has none */
#endif

static int block(struct task *t, struct waitq *q, uint64_t deadline, int mode)
{
	struct waiter w = {.task = t};
	int r = 0;

	if (q)
		waiter_add(q, &w);
	t->woken = 0;
	t->blocked = 1;
	for (;;) {
		if (mode == INTERRUPTIBLE ? task_interrupted(t) :
		    mode == KILLABLE ? t->exiting || t->tg->exiting : 0) {
			r = -ERESTARTSYS;
			break;
		}
		if (t->woken)
			break;
		if (deadline) {
			struct timespec ts = {(time_t)(deadline / 1000000000ULL), (long)(deadline % 1000000000ULL)};

			if (host_realtime_ns() >= deadline) {
				r = -ETIMEDOUT;
				break;
			}
			pthread_cond_timedwait(&t->wake_cond, &sentry_lock, &ts);
		} else {
			pthread_cond_wait(&t->wake_cond, &sentry_lock);
		}
	}
	t->blocked = 0;
	t->woken = 0;
	waiter_del(&w);
	return r;
}
#pragma GCC diagnostic pop

int task_block(struct task *t, struct waitq *q, uint64_t deadline)
{
	return block(t, q, deadline, INTERRUPTIBLE);
}

int task_block_killable(struct task *t, struct waitq *q, uint64_t deadline)
{
	return block(t, q, deadline, KILLABLE);
}

void task_sleep(struct task *t, struct waitq *q)
{
	block(t, q, 0, UNINTERRUPTIBLE);
}
