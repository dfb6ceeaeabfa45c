/*
 * inotify: watches on inodes, events queued per inotify instance.  The VFS
 * calls vfs_fsnotify() where Linux's fsnotify hooks are (create, delete,
 * modify, attrib, open, close, move).  Watches hold a reference on their
 * inode; each instance's queue is bounded (IN_Q_OVERFLOW past it), so an
 * application cannot grow the sentry without limit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "inotify.h"

#define MAX_QUEUED 16384
#define MAX_WATCHES 8192

struct event {
	struct event *next;
	size_t size; /* of the record below */
	struct inotify_event ev;
};

struct instance {
	struct event *head, *tail;
	int queued;
	int next_wd;
	struct inode *ino; /* ours, for vfs_notify */
};

struct watch {
	struct instance *in;
	struct inode *target;
	uint32_t mask;
	int wd;
	struct watch *next;
};

static struct watch *watches;
static int nwatches;

static void queue(struct instance *in, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
	size_t nlen = name ? strlen(name) + 1 : 0, pad = nlen ? (nlen + 15) & ~15UL : 0;
	struct event *e;

	if (in->queued >= MAX_QUEUED) {
		if (in->tail && in->tail->ev.mask == IN_Q_OVERFLOW)
			return;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		pad = 0;
		name = NULL;
	} else if (in->tail && in->tail->ev.wd == wd && in->tail->ev.mask == mask && in->tail->ev.cookie == cookie &&
		   ((!name && !in->tail->ev.len) || (name && in->tail->ev.len && !strcmp(in->tail->ev.name, name)))) {
		return; /* the same event again: coalesced, as Linux does */
	}
	e = calloc(1, sizeof(*e) + pad);
	if (!e)
		return;
	e->ev.wd = wd;
	e->ev.mask = mask;
	e->ev.cookie = cookie;
	e->ev.len = (uint32_t)pad;
	if (name)
		memcpy(e->ev.name, name, nlen - 1);
	e->size = sizeof(struct inotify_event) + pad;
	if (in->tail)
		in->tail->next = e;
	else
		in->head = e;
	in->tail = e;
	in->queued++;
	vfs_notify(in->ino);
}

void vfs_fsnotify(struct inode *ino, uint32_t mask, const char *name, uint32_t cookie)
{
	struct watch *w, *next;

	if (vfs_fasync_any())
		vfs_dnotify_event(ino, mask);
	for (w = watches; w; w = next) {
		next = w->next;
		if (w->target != ino)
			continue;
		if (w->mask & mask)
			queue(w->in, w->wd, mask, cookie, name);
		/* A file gone for good takes its watches (IN_IGNORED), whatever they asked for. */
		if ((mask & IN_DELETE_SELF) || ((w->mask & mask) && (w->mask & IN_ONESHOT)))
			inotify_drop_watch(w);
	}
}

void inotify_drop_watch(struct watch *w)
{
	struct watch **pp;

	for (pp = &watches; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	queue(w->in, w->wd, IN_IGNORED, 0, NULL);
	inode_put(w->target);
	free(w);
	nwatches--;
}

static long in_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct instance *in = f->priv;
	size_t want = iov_total(iov, cnt), done = 0;

	(void)pos;
	if (!in->head)
		return -EAGAIN; /* the syscall layer waits on our inode's queue (queue() notifies it) */
	if (want < in->head->size)
		return -EINVAL; /* not even one event fits */
	while (in->head && done + in->head->size <= want) {
		struct event *e = in->head;
		uint64_t p = 0;
		size_t off = done;
		int i;

		/* Into the iovecs at byte offset done. */
		for (i = 0; i < cnt && p < e->size; i++) {
			size_t len = iov[i].iov_len;

			if (off >= len) {
				off -= len;
				continue;
			}
			len -= off;
			if (len > e->size - p)
				len = e->size - p;
			memcpy((char *)iov[i].iov_base + off, (char *)&e->ev + p, len);
			p += len;
			off = 0;
		}
		done += e->size;
		in->head = e->next;
		if (!in->head)
			in->tail = NULL;
		in->queued--;
		free(e);
	}
	return (long)done;
}

static unsigned in_poll(struct file *f, uint64_t *deadline)
{
	struct instance *in = f->priv;

	(void)deadline;
	return in->head ? POLLIN | POLLRDNORM : 0;
}

/* FIONREAD: the bytes a read could take now (all the queued events), as Linux's inotify_ioctl. */
static long in_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct instance *in = f->priv;
	struct event *e;
	int n = 0;

	if (req != FIONREAD)
		return -ENOTTY;
	for (e = in->head; e; e = e->next)
		n += (int)e->size;
	return mm_copy_out(t->mm, arg, &n, sizeof(n));
}

static void in_release(struct file *f)
{
	struct instance *in = f->priv;
	struct watch *w, *next;
	struct event *e, *en;

	for (w = watches; w; w = next) {
		next = w->next;
		if (w->in == in)
			inotify_drop_watch(w);
	}
	for (e = in->head; e; e = en) {
		en = e->next;
		free(e);
	}
	free(in);
}

static const struct file_ops inotify_fops = {
	.read = in_read, .poll = in_poll, .ioctl = in_ioctl, .release = in_release, .dname = "anon_inode:inotify",
};

long inotify_create(int flags, struct file **out)
{
	struct instance *in = calloc(1, sizeof(*in));
	struct inode *ino = anon_inode(S_IFREG | 0600);

	if (!in || !ino) {
		free(in);
		if (ino)
			inode_put(ino);
		return -ENOMEM;
	}
	ino->fops = &inotify_fops;
	in->ino = ino;
	in->next_wd = 1;
	*out = file_new(NULL, ino, &inotify_fops, O_RDONLY | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!*out) {
		free(in);
		return -ENOMEM;
	}
	(*out)->priv = in;
	return 0;
}

int is_inotify(struct file *f)
{
	return f->ops == &inotify_fops;
}

long inotify_add(struct file *f, struct inode *target, uint32_t mask)
{
	struct instance *in = f->priv;
	struct watch *w;

	if (!(mask & IN_ALL_EVENTS))
		return -EINVAL;
	if ((mask & IN_ONLYDIR) && !S_ISDIR(target->mode))
		return -ENOTDIR;
	for (w = watches; w; w = w->next)
		if (w->in == in && w->target == target) {
			if (mask & IN_MASK_CREATE)
				return -EEXIST;
			w->mask = (mask & IN_MASK_ADD) ? w->mask | mask : mask;
			return w->wd;
		}
	if (nwatches >= MAX_WATCHES)
		return -ENOSPC;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->in = in;
	w->target = target;
	inode_get(target);
	w->mask = mask;
	w->wd = in->next_wd++;
	w->next = watches;
	watches = w;
	nwatches++;
	return w->wd;
}

long inotify_rm(struct file *f, int wd)
{
	struct instance *in = f->priv;
	struct watch *w;

	for (w = watches; w; w = w->next)
		if (w->in == in && w->wd == wd) {
			inotify_drop_watch(w);
			return 0;
		}
	return -EINVAL;
}
