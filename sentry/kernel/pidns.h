/*
 * Pid namespaces (pid_namespaces(7)).
 *
 * The kernel keeps every task, thread group, process group and session by
 * its number in the sandbox's first pid namespace: the global number
 * (task->tid, tg->tgid, tg->pgid, tg->sid).  A number born in a namespace
 * made inside has one more number in each namespace from its own up to the
 * first, as gVisor's tids-per-namespace and Linux's struct pid: a pid
 * record, kept while the global number is in use (a tid, tgid, pgid or sid)
 * and dropped with it (process.c's pid_release).  A number of the first
 * namespace alone has no record.
 *
 * Every system call that takes or gives a pid translates at its edge, in
 * the caller's namespace (task.h's task_vnr, task_gnr, task_find_vnr,
 * tg_find_vnr): a process a namespace cannot see is 0 there, and no number
 * of that namespace names it.
 *
 * Locking: sentry_lock.  A pid record holds a reference on the namespace it
 * was born in, a namespace one on its parent, a task one on its
 * pid_for_children namespace (task->pidns_child).
 */
#pragma once

#include "ns.h"

/* Linux's MAX_PID_NS_LEVEL: namespaces below the first (unshare, clone: ENOSPC past it). */
#define PIDNS_MAX_LEVEL 32

struct thread_group;

struct pid_ns {
	struct ns_common ns;
	struct pid_ns *parent;        /* reference; NULL for the first */
	int level;                    /* 0 for the first */
	int last;                     /* the last number given in it */
	struct thread_group *reaper;  /* its init (pid 1) while it lives; NULL before and after */
	int dead;                     /* its init has exited: no process can be made in it (ENOMEM) */
	int zapping;                  /* its init waits for the others to go (they are reaped at once) */
};

extern struct pid_ns pid_ns_init;

/* A new namespace below parent (a reference), or NULL: no memory. */
struct pid_ns *pidns_new(struct pid_ns *parent);
/*
 * Gives the global number gnr its numbers in ns and each namespace above
 * it (the first number of a namespace is 1); 0, or -ENOMEM (no memory, or
 * ns's init is gone).  *nr_out: its number in ns.
 */
int pidns_attach(int gnr, struct pid_ns *ns, int *nr_out);
/* gnr is no longer used: its record goes. */
void pidns_detach(int gnr);
/* The namespace gnr was born in. */
struct pid_ns *pidns_of(int gnr);
/* gnr's number in ns; 0 if ns cannot see it (or gnr <= 0). */
int pidns_nr(struct pid_ns *ns, int gnr);
/* The global number of ns's number nr; 0 if none. */
int pidns_global(struct pid_ns *ns, int nr);
/* Is ns anc or below it? */
int pidns_within(const struct pid_ns *ns, const struct pid_ns *anc);
/* Are there namespaces other than the first (a fast path for the common case)? */
extern int pidns_nested;
