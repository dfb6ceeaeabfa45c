/*
 * Signal-driven I/O and dnotify: a file's owner (F_SETOWN, F_SETOWN_EX),
 * the signal it is sent (F_SETSIG), SIGIO when an O_ASYNC file becomes
 * ready, and directory notification (F_NOTIFY).
 *
 * A file with any of these has a struct fown, on one list of them all:
 * vfs_notify (readiness) and vfs_fsnotify (directory events) walk it, and
 * only when it is not empty, so files without owners cost nothing.  The
 * list holds no reference on the file; the file drops its entry when it
 * is freed (file_put).  Locking: sentry_lock.
 *
 * Linux sends SIGIO from each file type's own code (a pipe write signals
 * the readers' owners, a read the writers'); here a readiness change of
 * the inode signals each O_ASYNC file on it that is now ready in its own
 * direction (readable for a file open for reading, writable for writing),
 * which gives the same signals without knowing the file type.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "vfs.h"

struct fown {
	struct file *file;
	int type;           /* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
	int id;             /* 0: no owner */
	int sig;            /* F_SETSIG: 0 is SIGIO without details */
	uint32_t uid, euid; /* of whoever set the owner: sigio_perm's rule */
	int async_fd;       /* the fd O_ASYNC was set through (si_fd) */
	int lease_fd;       /* the fd F_SETLEASE was called on (si_fd of a lease break) */
	uint32_t dn_mask;   /* F_NOTIFY: IN_* events wanted, 0 for none */
	int dn_multishot;
	int dn_fd;
	struct fown *next;
};

static struct fown *fowns;

static struct fown *fown_of(struct file *f, int make)
{
	struct fown *o;

	for (o = fowns; o; o = o->next)
		if (o->file == f)
			return o;
	if (!make || !(o = calloc(1, sizeof(*o))))
		return NULL;
	o->file = f;
	o->type = F_OWNER_PID;
	o->async_fd = -1;
	o->next = fowns;
	fowns = o;
	return o;
}

void vfs_fown_release(struct file *f)
{
	struct fown **pp, *o;

	for (pp = &fowns; (o = *pp); pp = &o->next)
		if (o->file == f) {
			*pp = o->next;
			free(o);
			return;
		}
}

long vfs_fown_set(struct task *t, struct file *f, int type, int id)
{
	struct fown *o;

	if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
		return -EINVAL;
	if (id < 0)
		return -EINVAL;
	if (id) {
		struct thread_group *g;
		int found = 0;

		id = task_gnr(t, id); /* the caller's pid namespace's number, kept as the global one */
		if (type == F_OWNER_TID)
			found = task_find(id) != NULL;
		else if (type == F_OWNER_PID)
			found = tg_find(id) != NULL;
		else
			for (g = tg_all(); g && !found; g = g->next)
				found = !g->zombie && g->pgid == id;
		if (!found)
			return -ESRCH;
	}
	o = fown_of(f, 1);
	if (!o)
		return -ENOMEM;
	o->type = type;
	o->id = id;
	o->uid = t->cred.uid;
	o->euid = t->cred.euid;
	return 0;
}

void vfs_fown_get(struct file *f, int *type, int *id)
{
	struct fown *o = fown_of(f, 0);

	*type = o ? o->type : F_OWNER_PID;
	*id = o ? o->id : 0;
}

long vfs_fown_setsig(struct file *f, int sig)
{
	struct fown *o;

	if (sig < 0 || sig > 64)
		return -EINVAL;
	o = fown_of(f, 1);
	if (!o)
		return -ENOMEM;
	o->sig = sig;
	return 0;
}

int vfs_fown_getsig(struct file *f)
{
	struct fown *o = fown_of(f, 0);

	return o ? o->sig : 0;
}

long vfs_fasync_set(struct file *f, int fd, int on)
{
	struct fown *o = fown_of(f, on);

	if (o)
		o->async_fd = on ? fd : -1;
	return on && !o ? -ENOMEM : 0;
}

/* Linux's sigio_perm: the owner's setter, by uid, against the target's ids. */
static int sigio_perm(const struct fown *o, struct task *x)
{
	const struct creds *c = &x->cred;

	return o->euid == 0 || o->euid == c->suid || o->euid == c->uid || o->uid == c->suid || o->uid == c->uid;
}

/* Sends sig with si to o's owner: one thread, a process or a process group, as sigio_perm allows. */
static void signal_owner(struct fown *o, int sig, siginfo_t *si)
{
	struct thread_group *g;

	if (o->type == F_OWNER_TID) {
		struct task *x = task_find(o->id);

		if (x && sigio_perm(o, x))
			task_send_signal(x, sig, si);
		return;
	}
	for (g = tg_all(); g; g = g->next) {
		if (g->zombie || !g->threads)
			continue;
		if (o->type == F_OWNER_PID ? g->tgid != o->id : g->pgid != o->id)
			continue;
		if (sigio_perm(o, g->threads))
			tg_send_signal(g, sig, si);
	}
}

/* Sends o's signal for reason (POLL_IN, POLL_OUT, POLL_HUP, POLL_MSG...) and band (POLL* bits). */
static void send_sigio(struct fown *o, int fd, int reason, long band)
{
	siginfo_t si;
	int sig = o->sig ? o->sig : SIGIO;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	if (o->sig) {
		si.si_code = reason;
		si.si_band = band;
		si.si_fd = fd;
	} else {
		si.si_code = SI_KERNEL;
	}
	signal_owner(o, sig, &si);
}

void vfs_fown_urgent(struct inode *ino)
{
	struct fown *o, *next;
	siginfo_t si;

	for (o = fowns; o; o = next) {
		next = o->next;
		if (o->file->inode != ino || !o->id)
			continue;
		memset(&si, 0, sizeof(si));
		si.si_signo = SIGURG;
		si.si_code = SI_KERNEL;
		signal_owner(o, SIGURG, &si);
		if ((o->file->flags & O_ASYNC) && o->async_fd >= 0)
			send_sigio(o, o->async_fd, POLL_PRI, POLLPRI | POLLRDBAND);
	}
}

void vfs_fasync_notify(struct inode *ino)
{
	struct fown *o, *next;

	for (o = fowns; o; o = next) {
		struct file *f = o->file;
		unsigned ev, want;

		next = o->next;
		if (f->inode != ino || !(f->flags & O_ASYNC) || !o->id || o->async_fd < 0)
			continue;
		ev = f->ops && f->ops->poll ? f->ops->poll(f, &(uint64_t){0}) : POLLIN | POLLOUT;
		want = ((f->flags & O_ACCMODE) != O_WRONLY ? POLLIN | POLLRDNORM | POLLHUP | POLLERR : 0) |
		       ((f->flags & O_ACCMODE) != O_RDONLY ? POLLOUT | POLLWRNORM | POLLERR : 0);
		ev &= want;
		if (!ev)
			continue;
		send_sigio(o, o->async_fd, ev & POLLERR ? POLL_ERR : ev & POLLHUP ? POLL_HUP : ev & POLLIN ? POLL_IN : POLL_OUT,
			   (long)ev);
	}
}

long vfs_fown_lease(struct task *t, struct file *f, int fd)
{
	struct fown *o = fown_of(f, 1);

	if (!o)
		return -ENOMEM;
	if (!o->id) {
		o->type = F_OWNER_PID;
		o->id = task_tgid(t);
		o->uid = t->cred.uid;
		o->euid = t->cred.euid;
	}
	o->lease_fd = fd;
	return 0;
}

void vfs_fown_lease_release(struct file *f)
{
	struct fown *o = fown_of(f, 0);

	if (o) {
		o->id = 0;
		o->sig = 0;
	}
}

void vfs_fown_lease_break(struct file *f)
{
	struct fown *o = fown_of(f, 0);

	if (o && o->id)
		send_sigio(o, o->lease_fd, POLL_MSG, POLLIN | POLLRDNORM | POLLMSG);
}

/* DN_* (fcntl.h) as the inotify events vfs_fsnotify reports. */
static uint32_t dn_events(unsigned long arg)
{
	uint32_t m = 0;

	if (arg & DN_ACCESS)
		m |= 0x1; /* IN_ACCESS */
	if (arg & DN_MODIFY)
		m |= 0x2; /* IN_MODIFY */
	if (arg & DN_ATTRIB)
		m |= 0x4; /* IN_ATTRIB */
	if (arg & DN_CREATE)
		m |= 0x100 | 0x80; /* IN_CREATE, IN_MOVED_TO */
	if (arg & DN_DELETE)
		m |= 0x200 | 0x40; /* IN_DELETE, IN_MOVED_FROM */
	if (arg & DN_RENAME)
		m |= 0x40 | 0x80; /* a rename inside the directory */
	return m;
}

long vfs_dnotify(struct task *t, struct file *f, int fd, unsigned arg)
{
	struct fown *o;
	long r;

	/* A mask of nothing (DN_MULTISHOT alone included) removes the watch, on any file. */
	if (!(arg & ~(unsigned)DN_MULTISHOT)) {
		o = fown_of(f, 0);
		if (o)
			o->dn_mask = o->dn_multishot = 0;
		return 0;
	}
	if (!S_ISDIR(f->inode->mode))
		return -ENOTDIR;
	/* The caller becomes the owner, as Linux's dnotify does. */
	r = vfs_fown_set(t, f, F_OWNER_PID, task_tgid(t));
	if (r < 0)
		return r;
	/* Added to what the file already watches, as Linux merges them (DN_MULTISHOT too). */
	o = fown_of(f, 0);
	o->dn_mask |= dn_events(arg);
	o->dn_multishot |= !!(arg & DN_MULTISHOT);
	o->dn_fd = fd;
	return 0;
}

void vfs_dnotify_event(struct inode *dir, uint32_t mask)
{
	struct fown *o, *next;

	for (o = fowns; o; o = next) {
		next = o->next;
		if (o->file->inode != dir || !(o->dn_mask & mask) || !o->id)
			continue;
		send_sigio(o, o->dn_fd, POLL_MSG, POLLIN | POLLRDNORM | POLLMSG);
		if (!o->dn_multishot)
			o->dn_mask = 0; /* one shot: the watch is gone */
	}
}

int vfs_fasync_any(void)
{
	return fowns != NULL;
}
