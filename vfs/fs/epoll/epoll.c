/*
 * epoll: an interest list of (fd, file) pairs.  It holds no reference on
 * the files (a watched file closed everywhere leaves the set, as on Linux):
 * an entry is live while the waiter's fd table still maps fd to that file.
 * Readiness is polled on every wakeup; edge-triggered entries report again
 * only after the file's poll generation moved (vfs_notify).  A waiter
 * sleeps on the epoll file's own queue and on those of every live watched
 * file (ep_wait_link, nested epolls included), linked for the time of the
 * wait only, so nothing of a closed file stays linked.
 *
 * EPOLLEXCLUSIVE: every waiter of a file is woken by its notification, so the
 * exclusivity is in what a woken waiter may report: one exclusive entry
 * takes each generation of a file (inode->excl_gen), and a waiter woken
 * afterwards with only taken events goes back to sleep, as Linux wakes one
 * exclusive waiter per event.  A wait that finds its file ready when it
 * starts reports it (level-triggered), and takes the generation too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <time.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../vfs.h"
#include "epoll.h"

struct entry {
	int fd;
	struct file *file; /* compared, never dereferenced unless the fd table still holds it */
	uint32_t events;
	uint64_t data;
	uint64_t seen_in, seen_out; /* EPOLLET: the generations of each side last reported */
	int disabled;      /* EPOLLONESHOT fired */
	struct entry *next;
};

struct epoll {
	struct entry *entries;
};

/* The only event bits EPOLLEXCLUSIVE goes with (others: EINVAL). */
#define EXCLUSIVE_OK (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

static void ep_release(struct file *f)
{
	struct epoll *ep = f->priv;
	struct entry *e, *n;

	for (e = ep->entries; e; e = n) {
		n = e->next;
		free(e);
	}
	free(ep);
}

static unsigned ep_poll(struct file *f, uint64_t *deadline);
static void ep_wait_link(struct file *f, struct vfs_pollset *ps);

static const struct file_ops epoll_fops = {.poll = ep_poll, .wait_link = ep_wait_link, .release = ep_release, .dname = "anon_inode:[eventpoll]"};

int epoll_size(struct file *epf)
{
	struct epoll *ep = epf->priv;
	struct entry *e;
	int n = 0;

	for (e = ep->entries; e; e = e->next)
		n++;
	return n;
}

long epoll_create_file(struct file **out)
{
	struct epoll *ep = calloc(1, sizeof(*ep));
	struct inode *ino = anon_inode(S_IFREG | 0600);

	if (!ep || !ino) {
		free(ep);
		if (ino)
			inode_put(ino);
		return -ENOMEM;
	}
	ino->fops = &epoll_fops;
	*out = file_new(NULL, ino, &epoll_fops, O_RDWR);
	inode_put(ino);
	if (!*out) {
		free(ep);
		return -ENOMEM;
	}
	(*out)->priv = ep;
	return 0;
}

int is_epoll(struct file *f)
{
	return f->ops == &epoll_fops;
}

#define EP_MAX_NESTS 4 /* epoll in epoll in ...: at most this many links, as Linux */
#define EP_TOO_DEEP (EP_MAX_NESTS + 1)

/*
 * The longest chain of epolls below f (0: no epoll in it), as seen through
 * t's fd table (entries are live only there), or EP_TOO_DEEP when into is
 * among them (a loop) or the chain is too long: Linux's ep_loop_check_proc.
 */
static int depth_below(struct task *t, struct file *f, struct file *into, int level)
{
	struct epoll *ep = f->priv;
	struct entry *e;
	int best = 0;

	for (e = ep->entries; e && best < EP_TOO_DEEP; e = e->next) {
		struct file *w = fdt_get(t->files, e->fd);
		int d;

		if (w == e->file && is_epoll(w)) {
			d = w == into || level >= EP_MAX_NESTS ? EP_TOO_DEEP : depth_below(t, w, into, level + 1) + 1;
			if (d > best)
				best = d;
		}
		if (w)
			file_put(w);
	}
	return best;
}

/* The longest chain of epolls above f: those of t's fd table that watch it, and theirs. */
static int depth_above(struct task *t, struct file *f, int level)
{
	int fd, best = 0;

	if (level > EP_MAX_NESTS)
		return EP_TOO_DEEP;
	for (fd = 0; fd < t->files->size && best < EP_TOO_DEEP; fd++) {
		struct file *p = t->files->fds[fd];
		struct entry *e;

		if (!p || !is_epoll(p) || p == f)
			continue;
		for (e = ((struct epoll *)p->priv)->entries; e; e = e->next)
			if (e->file == f && e->fd < t->files->size && t->files->fds[e->fd] == f) {
				int d = depth_above(t, p, level + 1) + 1;

				if (d > best)
					best = d;
				break;
			}
	}
	return best;
}

long epoll_ctl_file(struct file *epf, int op, int fd, struct file *target, uint32_t events, uint64_t data)
{
	struct epoll *ep = epf->priv;
	struct entry *e, **pp;

	if (!target->ops || !target->ops->poll)
		return -EPERM; /* regular files and directories cannot be watched */
	if (target == epf)
		return -EINVAL;
	/* Linux: exclusive wakeups are set up at ADD only, for plain in/out interest, and do not nest. */
	if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD || is_epoll(target) || (events & ~EXCLUSIVE_OK)))
		return -EINVAL;
	for (pp = &ep->entries; (e = *pp); pp = &e->next)
		if (e->fd == fd && e->file == target)
			break;
	switch (op) {
	case EPOLL_CTL_ADD:
		if (e)
			return -EEXIST;
		/* An epoll in an epoll: no loops, no chain of more than EP_MAX_NESTS links (ELOOP). */
		if (is_epoll(target) && task_current && task_current->files &&
		    depth_above(task_current, epf, 0) + 1 + depth_below(task_current, target, epf, 0) > EP_MAX_NESTS)
			return -ELOOP;
		e = calloc(1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->fd = fd;
		e->file = target;
		e->events = events;
		e->data = data;
		e->seen_in = e->seen_out = (uint64_t)-1;
		e->next = ep->entries;
		ep->entries = e;
		vfs_notify(epf->inode);
		return 0;
	case EPOLL_CTL_MOD:
		if (!e)
			return -ENOENT;
		if (e->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		e->events = events;
		e->data = data;
		e->disabled = 0;
		e->seen_in = e->seen_out = (uint64_t)-1;
		vfs_notify(epf->inode);
		return 0;
	case EPOLL_CTL_DEL:
		if (!e)
			return -ENOENT;
		*pp = e->next;
		free(e);
		return 0;
	}
	return -EINVAL;
}

#define IN_SIDE (EPOLLIN | EPOLLRDNORM | EPOLLRDBAND | EPOLLPRI | EPOLLRDHUP)
#define OUT_SIDE (EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND)

/*
 * Has an edge-triggered entry's file had a notify, since it last reported,
 * that names an event the entry asked for (errors and hang-ups both sides)?
 */
static int edge(const struct entry *e, const struct inode *ino)
{
	int in = (e->events & IN_SIDE) != 0, out = (e->events & OUT_SIDE) != 0;

	if (!in && !out)
		return ino->poll_gen_in != e->seen_in || ino->poll_gen_out != e->seen_out;
	return (in && ino->poll_gen_in != e->seen_in) || (out && ino->poll_gen_out != e->seen_out);
}

/*
 * Fills up to max events from the ready entries (just counts with out NULL).
 * woken: the waiter slept since its last look (EPOLLEXCLUSIVE, above).
 */
static int collect(struct task *t, struct epoll *ep, struct epoll_event *out, int max, uint64_t *deadline,
		   int woken)
{
	struct entry *e, **pp;
	int n = 0;

	for (pp = &ep->entries; (e = *pp) && n < max;) {
		struct file *f = t && t->files ? fdt_get(t->files, e->fd) : NULL;
		unsigned m;

		if (f != e->file) {
			/* The fd was closed (or reused): the watch is gone. */
			if (f)
				file_put(f);
			if (t) {
				*pp = e->next;
				free(e);
				continue;
			}
			pp = &e->next;
			continue;
		}
		pp = &e->next;
		if (e->disabled) {
			file_put(f);
			continue;
		}
		m = vfs_poll(f, deadline) & (e->events | POLLERR | POLLHUP);
		if (m && (e->events & EPOLLET)) {
			if (!edge(e, f->inode))
				m = 0;
			else if (out) {
				e->seen_in = f->inode->poll_gen_in;
				e->seen_out = f->inode->poll_gen_out;
			}
		}
		if (m && out && (e->events & EPOLLEXCLUSIVE)) {
			if (woken && f->inode->excl_gen == f->inode->poll_gen + 1)
				m = 0; /* another exclusive waiter took this one */
			else
				f->inode->excl_gen = f->inode->poll_gen + 1;
		}
		file_put(f);
		if (!m)
			continue;
		if (out) {
			out[n].events = m;
			out[n].data.u64 = e->data;
			if (e->events & EPOLLONESHOT)
				e->disabled = 1;
		}
		n++;
	}
	if (out && n >= max && *pp && pp != &ep->entries) {
		/*
		 * The caller took all it asked for and more entries wait: the ones
		 * looked at go to the end, so the next wait starts with the rest
		 * (Linux's ready list is a queue: a busy fd cannot starve others).
		 */
		struct entry *first = ep->entries, **tail;

		ep->entries = *pp;
		*pp = NULL;
		for (tail = &ep->entries; *tail; tail = &(*tail)->next)
			;
		*tail = first;
	}
	return n;
}

static unsigned ep_poll(struct file *f, uint64_t *deadline)
{
	return collect(task_current, f->priv, NULL, 1, deadline, 0) ? POLLIN | POLLRDNORM : 0;
}

/*
 * A waiter on an epoll file waits for its own queue (ctl changes) and for
 * every live watched file, through nested epolls as deep as Linux lets them
 * nest.  Files no longer in the waiter's fd table are left out, as collect
 * drops them.
 */
static void ep_wait_link(struct file *f, struct vfs_pollset *ps)
{
	struct epoll *ep = f->priv;
	struct entry *e;

	vfs_pollset_add_inode(ps, f->inode);
	if (ps->depth >= 5 || !ps->task || !ps->task->files)
		return;
	ps->depth++;
	for (e = ep->entries; e; e = e->next) {
		struct file *w = fdt_get(ps->task->files, e->fd);

		if (w == e->file && !e->disabled)
			vfs_pollset_add(ps, w);
		if (w)
			file_put(w);
	}
	ps->depth--;
}

long epoll_wait_file(struct task *t, struct file *epf, struct epoll_event *out, int max, int64_t timeout_ns)
{
	uint64_t end = timeout_ns > 0 ? host_realtime_ns() + (uint64_t)timeout_ns : 0;
	struct vfs_pollset ps;
	int woken = 0;

	vfs_pollset_init(&ps, t);
	for (;;) {
		uint64_t wake = end;
		int n = collect(t, epf->priv, out, max, &wake, woken), b;

		if (n || timeout_ns == 0)
			return n;
		if (end && host_realtime_ns() >= end)
			return 0;
		vfs_pollset_add(&ps, epf);
		b = task_block(t, NULL, wake);
		vfs_pollset_clear(&ps);
		if (b == -ERESTARTSYS)
			return task_signal_pending(t) ? -EINTR : -ERESTARTNOHAND;
		woken = 1;
	}
}
