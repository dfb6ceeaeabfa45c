/*
 * File locks: flock(2) locks, owned by an open file description, and
 * fcntl(2) record locks, owned by a process's fd table as in Linux (classic
 * POSIX, released when the table closes any fd of the file, and so at exit) or by an open file description
 * (F_OFD_*).  All are advisory, kept on the inode; waiters sleep on the inode's queue.
 *
 * Leases (F_SETLEASE) sit on the same list, owned by an open file
 * description: an open that conflicts with one (any open for writing or
 * truncation against any lease, an open for reading against a write lease)
 * starts a break: the holder gets SIGIO (or its F_SETSIG signal), and the
 * opener waits until the holder gives the lease up or downgrades it, or the
 * break time (fs/lease-break-time) passes and the lease is taken away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "vfs.h"

struct lockrec {
	int kind;         /* LK_FLOCK, LK_POSIX, LK_OFD */
	const void *owner;
	int pid;
	int type;         /* F_RDLCK or F_WRLCK */
	uint64_t start, end; /* [start, end); end UINT64_MAX: to the end of the file and beyond */
	int target;       /* a lease being broken: F_UNLCK or F_RDLCK, what it must become; else -1 */
	uint64_t deadline; /* ... by then (host realtime ns), or it is made so */
	struct lockrec *next;
};

enum { LK_FLOCK, LK_POSIX, LK_OFD, LK_LEASE };

#define LEASE_BREAK_NS (45ULL * 1000000000ULL) /* /proc/sys/fs/lease-break-time: 45 s */

static int overlap(const struct lockrec *a, uint64_t start, uint64_t end)
{
	return a->start < end && start < a->end;
}

static int conflicts(const struct lockrec *l, int kind, const void *owner, int type, uint64_t s, uint64_t e)
{
	if (l->owner == owner && l->kind == kind)
		return 0;
	if ((kind == LK_FLOCK) != (l->kind == LK_FLOCK) || (kind == LK_LEASE) != (l->kind == LK_LEASE))
		return 0; /* flock, record locks and leases do not see each other (Linux) */
	if (!overlap(l, s, e))
		return 0;
	return type == F_WRLCK || l->type == F_WRLCK;
}

static struct lockrec *find_conflict(struct inode *ino, int kind, const void *owner, int type, uint64_t s, uint64_t e)
{
	struct lockrec *l;

	for (l = ino->locks; l; l = l->next)
		if (conflicts(l, kind, owner, type, s, e))
			return l;
	return NULL;
}

/* Removes owner's locks of kind in [s, e), splitting those that straddle it. */
static int unlock_range(struct inode *ino, int kind, const void *owner, uint64_t s, uint64_t e)
{
	struct lockrec **pp = (struct lockrec **)&ino->locks, *l;

	while ((l = *pp)) {
		if (l->kind != kind || l->owner != owner || !overlap(l, s, e)) {
			pp = &l->next;
			continue;
		}
		if (l->start < s && l->end > e) {
			struct lockrec *tail = malloc(sizeof(*tail));

			if (!tail)
				return -ENOLCK;
			*tail = *l;
			tail->start = e;
			l->end = s;
			tail->next = l->next;
			l->next = tail;
			pp = &tail->next;
		} else if (l->start < s) {
			l->end = s;
			pp = &l->next;
		} else if (l->end > e) {
			l->start = e;
			pp = &l->next;
		} else {
			*pp = l->next;
			free(l);
		}
	}
	return 0;
}

static int same_holder(const struct lockrec *a, const struct lockrec *b)
{
	return a->owner == b->owner && a->kind == b->kind;
}

/*
 * Puts n (its range free of its holder's other locks) in ino's list as
 * Linux keeps its record locks, which F_GETLK's answer shows: a record lock
 * touching one of its holder's of the same type becomes one with it; each
 * holder's locks stay together, in order of their starts; a new holder's
 * go last.  F_GETLK answers with the first conflicting lock of that order.
 */
static void insert_lock(struct inode *ino, struct lockrec *n)
{
	struct lockrec **pp = (struct lockrec **)&ino->locks, *l;

	if (n->kind == LK_POSIX || n->kind == LK_OFD) {
		while ((l = *pp)) {
			if (same_holder(l, n) && l->type == n->type && (l->end == n->start || l->start == n->end)) {
				n->start = l->start < n->start ? l->start : n->start;
				n->end = l->end > n->end ? l->end : n->end;
				*pp = l->next;
				free(l);
				continue;
			}
			pp = &l->next;
		}
		pp = (struct lockrec **)&ino->locks;
	}
	while (*pp && !same_holder(*pp, n))
		pp = &(*pp)->next;
	while (*pp && same_holder(*pp, n) && (*pp)->start < n->start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
}

/*
 * Classic POSIX lock requests asleep in F_SETLKW, for deadlock detection:
 * who waits, and for what.  Entries live on their waiter's stack.
 */
struct blocked {
	const void *owner;
	struct inode *ino;
	int type;
	uint64_t start, end;
	struct blocked *next;
};

static struct blocked *blocked_list;

#define MAX_DEADLK_ITERATIONS 10 /* as Linux: longer chains are not looked at */

/*
 * Would owner, waiting for the lock l, wait forever?  Follows "the owner of
 * the lock I wait for waits for a lock owned by..." as Linux's
 * posix_locks_deadlock, for classic POSIX locks only.
 */
static int deadlock(const void *owner, const struct lockrec *l)
{
	const void *next = l->kind == LK_POSIX ? l->owner : NULL;
	int i;

	for (i = 0; next && i < MAX_DEADLK_ITERATIONS; i++) {
		struct blocked *b;
		struct lockrec *c = NULL;

		if (next == owner)
			return 1;
		for (b = blocked_list; b && b->owner != next; b = b->next)
			;
		if (!b)
			return 0;
		c = find_conflict(b->ino, LK_POSIX, b->owner, b->type, b->start, b->end);
		next = c && c->kind == LK_POSIX ? c->owner : NULL;
	}
	return 0;
}

/* F_SETLKW, flock without LOCK_NB: until ino's locks change (their vfs_notify wakes its queue). */
static long wait_lock(struct inode *ino)
{
	if (!task_current)
		return -EAGAIN;
	return task_block(task_current, &ino->wq, 0) == -ERESTARTSYS ? -ERESTARTSYS : 0;
}

static long set_lock(struct inode *ino, int kind, const void *owner, int pid, int type, uint64_t s, uint64_t e,
		     int wait)
{
	struct lockrec *l;
	long r;

	if (type == F_UNLCK) {
		r = unlock_range(ino, kind, owner, s, e);
		vfs_notify(ino);
		return r;
	}
	while ((l = find_conflict(ino, kind, owner, type, s, e))) {
		struct blocked b = {owner, ino, type, s, e, blocked_list};
		struct blocked **pp;

		if (!wait)
			return kind == LK_FLOCK ? -EWOULDBLOCK : -EAGAIN;
		if (kind == LK_POSIX && deadlock(owner, l))
			return -EDEADLK;
		if (kind == LK_POSIX)
			blocked_list = &b;
		r = wait_lock(ino);
		for (pp = &blocked_list; *pp; pp = &(*pp)->next)
			if (*pp == &b) {
				*pp = b.next;
				break;
			}
		if (r < 0)
			return r;
	}
	/* Replace whatever we held in the range (upgrade, downgrade, extend). */
	r = unlock_range(ino, kind, owner, s, e);
	if (r < 0)
		return r;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOLCK;
	l->kind = kind;
	l->owner = owner;
	l->pid = pid;
	l->type = type;
	l->start = s;
	l->end = e;
	insert_lock(ino, l);
	vfs_notify(ino);
	return 0;
}

long vfs_flock(struct task *t, struct file *f, int op)
{
	int type;

	switch (op & ~LOCK_NB) {
	case LOCK_SH: type = F_RDLCK; break;
	case LOCK_EX: type = F_WRLCK; break;
	case LOCK_UN: type = F_UNLCK; break;
	default: return -EINVAL;
	}
	return set_lock(f->inode, LK_FLOCK, f, task_tgid(t), type, 0, UINT64_MAX, !(op & LOCK_NB));
}

/* The byte range of a struct flock, as an absolute [start, end). */
static long range(struct file *f, const struct flock *fl, uint64_t *s, uint64_t *e)
{
	int64_t base, start, len = fl->l_len;

	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)f->inode->size; break;
	default: return -EINVAL;
	}
	start = base + fl->l_start;
	if (len < 0) {
		start += len;
		len = -len;
	}
	if (start < 0)
		return -EINVAL;
	*s = (uint64_t)start;
	*e = len ? (uint64_t)start + (uint64_t)len : UINT64_MAX;
	return 0;
}

long vfs_fcntl_lock(struct task *t, struct file *f, int cmd, struct flock *fl)
{
	int ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	int kind = ofd ? LK_OFD : LK_POSIX;
	const void *owner = ofd ? (const void *)f : (const void *)t->files;
	uint64_t s, e;
	long r;

	if (ofd && fl->l_pid != 0)
		return -EINVAL;
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return -EINVAL;
	r = range(f, fl, &s, &e);
	if (r < 0)
		return r;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		struct lockrec *l;

		if (fl->l_type == F_UNLCK)
			return -EINVAL;
		l = find_conflict(f->inode, kind, owner, fl->l_type, s, e);
		if (!l) {
			/* OFD and POSIX locks conflict with each other: look at the other kind too. */
			l = find_conflict(f->inode, ofd ? LK_POSIX : LK_OFD, owner, fl->l_type, s, e);
		}
		if (!l) {
			fl->l_type = F_UNLCK;
			return 0;
		}
		fl->l_type = (short)l->type;
		fl->l_whence = SEEK_SET;
		fl->l_start = (off_t)l->start;
		fl->l_len = l->end == UINT64_MAX ? 0 : (off_t)(l->end - l->start);
		fl->l_pid = l->kind == LK_OFD ? -1 : task_vnr(t, l->pid); /* in the caller's pid namespace (0: outside) */
		return 0;
	}
	if (fl->l_type == F_RDLCK && (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (fl->l_type == F_WRLCK && (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return set_lock(f->inode, kind, owner, task_tgid(t), fl->l_type, s, e,
			cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

void vfs_locks_file_closed(struct file *f)
{
	if (f->inode->locks) {
		unlock_range(f->inode, LK_FLOCK, f, 0, UINT64_MAX);
		unlock_range(f->inode, LK_OFD, f, 0, UINT64_MAX);
		unlock_range(f->inode, LK_LEASE, f, 0, UINT64_MAX);
		vfs_notify(f->inode);
	}
}

void vfs_locks_owner_closed(const struct fdtable *owner, struct inode *ino)
{
	if (ino->locks) {
		unlock_range(ino, LK_POSIX, owner, 0, UINT64_MAX);
		vfs_notify(ino);
	}
}

/* ---- leases ---- */

static struct lockrec *lease_of(struct inode *ino, const struct file *f)
{
	struct lockrec *l;

	for (l = ino->locks; l; l = l->next)
		if (l->kind == LK_LEASE && l->owner == f)
			return l;
	return NULL;
}

/* Breaks whose time is up end as if the holder had done what was asked (Linux's time_out_leases). */
static void time_out_leases(struct inode *ino)
{
	uint64_t now = host_realtime_ns();
	struct lockrec *l, *next;

	for (l = ino->locks; l; l = next) {
		next = l->next;
		if (l->kind != LK_LEASE || l->target < 0 || now < l->deadline)
			continue;
		if (l->target == F_UNLCK) {
			unlock_range(ino, LK_LEASE, l->owner, 0, UINT64_MAX);
		} else {
			l->type = F_RDLCK;
			l->target = -1;
		}
		vfs_notify(ino);
	}
}

long vfs_getlease(struct file *f)
{
	struct lockrec *l;

	time_out_leases(f->inode);
	l = lease_of(f->inode, f);
	if (!l)
		return F_UNLCK;
	return l->target >= 0 ? l->target : l->type; /* during a break: what it is to become */
}

long vfs_setlease(struct task *t, struct file *f, int fd, long arg)
{
	struct inode *ino = f->inode;
	struct lockrec *l, *mine;

	if (arg != F_RDLCK && arg != F_WRLCK && arg != F_UNLCK)
		return -EINVAL;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if (t->cred.fsuid != ino->uid && !capable(t, CAP_LEASE))
		return -EACCES;
	time_out_leases(ino);
	mine = lease_of(ino, f);
	if (arg == F_UNLCK) {
		if (!mine)
			return -EAGAIN;
		unlock_range(ino, LK_LEASE, f, 0, UINT64_MAX);
		vfs_fown_lease_release(f);
		vfs_notify(ino);
		return 0;
	}
	/*
	 * Linux's check_conflicting_open: a read lease only while nobody
	 * writes (the caller included), a write lease only on the one open
	 * file of the inode (a running program's too: its writecount is < 0).
	 */
	if (arg == F_RDLCK && ino->writecount > 0)
		return -EAGAIN;
	if (arg == F_WRLCK && (ino->writecount != (f->holds_write ? 1 : 0) ||
			       ino->readcount != (!f->holds_write && (f->flags & O_ACCMODE) == O_RDONLY ? 1 : 0)))
		return -EAGAIN;
	for (l = ino->locks; l; l = l->next) {
		if (l->kind != LK_LEASE || l == mine)
			continue;
		/* No write lease beside anyone else's lease; none at all while one is broken for a writer. */
		if (arg == F_WRLCK || (l->target == F_UNLCK))
			return -EAGAIN;
	}
	if (mine) {
		mine->type = (int)arg;
		if (mine->target == (int)arg || (mine->target == F_RDLCK && arg == F_RDLCK))
			mine->target = -1; /* the break asked for this: done */
		vfs_notify(ino);
	} else {
		l = calloc(1, sizeof(*l));
		if (!l)
			return -ENOLCK;
		l->kind = LK_LEASE;
		l->owner = f;
		l->pid = task_tgid(t);
		l->type = (int)arg;
		l->start = 0;
		l->end = UINT64_MAX;
		l->target = -1;
		l->next = ino->locks;
		ino->locks = l;
	}
	/* Its break is signalled to the file's owner, the caller's process unless one was set. */
	return vfs_fown_lease(t, f, fd);
}

long vfs_break_lease(struct task *t, struct inode *ino, int flags)
{
	int want_write = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);

	for (;;) {
		uint64_t deadline = 0;
		struct lockrec *l;
		int any = 0;
		long r;

		time_out_leases(ino);
		for (l = ino->locks; l; l = l->next) {
			if (l->kind != LK_LEASE || (!want_write && l->type != F_WRLCK))
				continue;
			if (!want_write && l->target == F_RDLCK)
				continue; /* being downgraded already: a reader may wait for that */
			any = 1;
			if (l->target < 0) {
				l->target = want_write ? F_UNLCK : F_RDLCK;
				l->deadline = host_realtime_ns() + LEASE_BREAK_NS;
				vfs_fown_lease_break((struct file *)l->owner);
			} else if (want_write) {
				l->target = F_UNLCK;
			}
			if (!deadline || l->deadline < deadline)
				deadline = l->deadline;
		}
		if (!any)
			return 0;
		if (flags & O_NONBLOCK)
			return -EWOULDBLOCK;
		if (!t)
			return -EWOULDBLOCK;
		r = task_block(t, &ino->wq, deadline);
		if (r == -ERESTARTSYS)
			return r;
	}
}
