/*
 * Pipes, entirely in the sentry: a 64 KiB ring.  Reads and writes never
 * block: they return -EAGAIN and the syscall layer waits on the inode's
 * queue (vfs_file_block), which every change wakes through vfs_notify.
 * Writes of at most PIPE_BUF bytes are atomic.  Only a FIFO's open and tee
 * block here, on the same queue; they hold no guest memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "pipe.h"

#define PIPE_DEFAULT 65536 /* Linux's default: 16 pages */
#define PIPE_MAX (1 << 20) /* /proc/sys/fs/pipe-max-size */

struct pipe {
	char *buf;
	size_t head, len; /* ring: data is [head, head+len) mod cap */
	size_t cap;       /* F_SETPIPE_SZ; buf (when allocated) holds cap bytes */
	int readers, writers;
	uint64_t reader_opens, writer_opens; /* FIFO opens so far: a blocked open waits for the other side */
	struct inode *fifo;                  /* the named FIFO (or pipe(2) inode) this pipe serves */
	int anon;                            /* made by pipe(2): its opens never wait, as Linux's pipefs */
};

static long pipe_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	int i, was_full;

	(void)pos;
	if (p->len == 0)
		return p->writers ? -EAGAIN : 0;
	was_full = p->cap - p->len < PIPE_BUF;
	for (i = 0; i < cnt && p->len; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len && p->len) {
			size_t n = iov[i].iov_len - off, run = p->cap - p->head;

			if (n > p->len)
				n = p->len;
			if (n > run)
				n = run;
			memcpy((char *)iov[i].iov_base + off, p->buf + p->head, n);
			p->head = (p->head + n) % p->cap;
			p->len -= n;
			off += n;
			done += n;
		}
	}
	/*
	 * Writers hear of it, as Linux wakes them, only when the pipe was full
	 * (not writable): an edge-triggered reader or writer sees no new edge
	 * from a read of part of the data.
	 */
	if (was_full)
		vfs_notify_events(f->inode, POLLOUT | POLLWRNORM);
	return (long)done;
}

/* A buffer of cap bytes, charged to the sandbox's memory (as Linux charges pipe pages to the cgroup). */
static char *buf_alloc(size_t cap)
{
	char *b;

	if (mf_charge(cap) < 0)
		return NULL;
	b = malloc(cap);
	if (!b)
		mf_uncharge(cap);
	return b;
}

static void buf_free(char *b, size_t cap)
{
	if (b) {
		free(b);
		mf_uncharge(cap);
	}
}

static long pipe_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t total = iov_total(iov, cnt), done = 0;
	int i = 0;
	size_t off = 0;

	(void)pos;
	if (!p->buf) {
		p->buf = buf_alloc(p->cap);
		if (!p->buf)
			return -ENOMEM;
	}
	while (done < total) {
		size_t space, n;

		if (p->readers == 0)
			return done ? (long)done : -EPIPE;
		space = p->cap - p->len;
		/* Small writes go in whole or not at all. */
		if (space == 0 || (total <= PIPE_BUF && space < total - done))
			return done ? (long)done : -EAGAIN;
		while (space && i < cnt) {
			size_t tail = (p->head + p->len) % p->cap;

			n = iov[i].iov_len - off;
			if (n > space)
				n = space;
			if (n > p->cap - tail)
				n = p->cap - tail;
			memcpy(p->buf + tail, (const char *)iov[i].iov_base + off, n);
			p->len += n;
			space -= n;
			off += n;
			done += n;
			if (off == iov[i].iov_len) {
				i++;
				off = 0;
			}
		}
		vfs_notify_events(f->inode, POLLIN | POLLRDNORM); /* every write, as Linux's since 5.15 */
	}
	return (long)done;
}

static unsigned pipe_poll(struct file *f, uint64_t *deadline)
{
	struct pipe *p = f->priv;
	unsigned m = 0;

	(void)deadline;
	/* A FIFO open O_RDWR is both ends: both sides' events (LTP's select01). */
	if ((f->flags & O_ACCMODE) != O_WRONLY) {
		if (p->len)
			m |= POLLIN | POLLRDNORM;
		if (!p->writers)
			m |= POLLHUP;
	}
	if ((f->flags & O_ACCMODE) != O_RDONLY) {
		if (p->cap - p->len >= PIPE_BUF)
			m |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			m |= POLLERR;
	}
	return m;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;

	if (!p)
		return;
	if ((f->flags & O_ACCMODE) != O_WRONLY)
		p->readers--;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		p->writers--;
	vfs_notify(f->inode);
	if (p->readers == 0 && p->writers == 0) {
		/* The last end: a FIFO's data goes, as on Linux. */
		if (p->fifo)
			p->fifo->pipe = NULL;
		buf_free(p->buf, p->cap);
		free(p);
	}
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct pipe *p = f->priv;
	int n;

	switch (req) {
	case FIONREAD:
		/* Bytes waiting, from either end (Linux answers on both). */
		n = (int)p->len;
		return mm_copy_out(t->mm, arg, &n, sizeof(n));
	}
	return -ENOTTY;
}


long pipe_size(struct file *f, int set, unsigned long size, int privileged)
{
	struct pipe *p = f->priv;
	size_t cap = 4096;
	char *buf;

	if (!set)
		return (long)p->cap;
	/* A power of two of pages, at least one; root only past pipe-max-size, and never past 64 MiB here. */
	if (size > (1UL << 31))
		return -EINVAL; /* no power of two of pages holds it (Linux's round_pipe_size) */
	if (size > (1UL << 26))
		return privileged ? -ENOMEM : -EPERM;
	while (cap < size)
		cap <<= 1;
	if (cap > PIPE_MAX && !privileged)
		return -EPERM;
	if (cap < p->len)
		return -EBUSY;
	if (p->buf) {
		size_t first = p->len < p->cap - p->head ? p->len : p->cap - p->head;

		buf = buf_alloc(cap);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, p->buf + p->head, first);
		memcpy(buf + first, p->buf, p->len - first);
		buf_free(p->buf, p->cap);
		p->buf = buf;
		p->head = 0;
	}
	p->cap = cap;
	vfs_notify(f->inode);
	return (long)cap;
}

long pipe_tee(struct file *in, struct file *out, size_t len, int nonblock)
{
	struct pipe *a = in->priv, *b = out->priv;
	size_t n, done = 0;

	if (a == b)
		return -EINVAL;
	while (a->len == 0) {
		if (a->writers == 0)
			return 0;
		if (nonblock || !task_current)
			return -EAGAIN;
		if (task_block(task_current, &in->inode->wq, 0) < 0)
			return -ERESTARTSYS;
	}
	for (;;) {
		if (b->readers == 0)
			return -EPIPE;
		if (b->len < b->cap)
			break;
		if (nonblock || !task_current)
			return -EAGAIN;
		if (task_block(task_current, &out->inode->wq, 0) < 0)
			return -ERESTARTSYS;
	}
	if (!b->buf && !(b->buf = buf_alloc(b->cap)))
		return -ENOMEM;
	/* Whatever fits, byte ranges copied ring to ring; the source keeps its data. */
	n = len;
	if (n > a->len)
		n = a->len;
	if (n > b->cap - b->len)
		n = b->cap - b->len;
	while (done < n) {
		size_t from = (a->head + done) % a->cap, to = (b->head + b->len) % b->cap, k = n - done;

		if (k > a->cap - from)
			k = a->cap - from;
		if (k > b->cap - to)
			k = b->cap - to;
		memcpy(b->buf + to, a->buf + from, k);
		b->len += k;
		done += k;
	}
	vfs_notify(out->inode);
	return (long)n;
}

static const struct file_ops pipe_fops = {
	.ioctl = pipe_ioctl,
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
};

int pipe_is(const struct file *f)
{
	return f->ops == &pipe_fops;
}

long pipe_create(struct file *files[2], int flags)
{
	struct pipe *p = calloc(1, sizeof(*p));
	struct inode *ino;

	if (!p)
		goto nomem;
	p->cap = PIPE_DEFAULT;
	ino = anon_inode(S_IFIFO | 0600);
	if (!ino)
		goto nomem;
	ino->fops = &pipe_fops;
	files[0] = file_new(NULL, ino, &pipe_fops, O_RDONLY | (flags & O_NONBLOCK));
	files[1] = file_new(NULL, ino, &pipe_fops, O_WRONLY | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!files[0] || !files[1]) {
		/* Only what was made is released; the pipe goes with the last end. */
		p->readers = files[0] ? 1 : 0;
		p->writers = files[1] ? 1 : 0;
		if (files[0])
			files[0]->priv = p, file_put(files[0]);
		if (files[1])
			files[1]->priv = p, file_put(files[1]);
		if (!files[0] && !files[1])
			free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	files[0]->priv = files[1]->priv = p;
	/* Opened again through /proc/PID/fd, the pipe's inode acts as a FIFO's (pipe_fifo_open). */
	p->fifo = ino;
	p->anon = 1;
	ino->pipe = p;
	return 0;
nomem:
	free(p);
	return -ENOMEM;
}

long pipe_fifo_open(struct inode *ino, struct file *f, int flags)
{
	struct pipe *p = ino->pipe;
	int acc = flags & O_ACCMODE;
	uint64_t seen;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		p->cap = PIPE_DEFAULT;
		p->fifo = ino;
		ino->pipe = p;
	}
	f->ops = &pipe_fops;
	f->priv = p;
	if (acc == O_RDWR) {
		p->readers++;
		p->writers++;
		p->reader_opens++;
		p->writer_opens++;
		vfs_notify(f->inode);
		return 0;
	}
	if (acc == O_WRONLY && (flags & O_NONBLOCK) && p->readers == 0 && !p->anon) {
		f->priv = NULL;
		if (!p->readers && !p->writers) {
			ino->pipe = NULL;
			free(p);
		}
		return -ENXIO; /* no reader, and no waiting */
	}
	if (acc == O_RDONLY) {
		p->readers++;
		p->reader_opens++;
	} else {
		p->writers++;
		p->writer_opens++;
	}
	vfs_notify(f->inode);
	if ((flags & O_NONBLOCK) || p->anon)
		return 0;
	/* Block until the other side has opened (or has been opened since we came). */
	seen = acc == O_RDONLY ? p->writer_opens : p->reader_opens;
	while ((acc == O_RDONLY ? p->writers == 0 && p->writer_opens == seen :
				  p->readers == 0 && p->reader_opens == seen)) {
		if (!task_current || task_block(task_current, &f->inode->wq, 0) < 0) {
			pipe_release(f);
			f->priv = NULL;
			return -ERESTARTSYS;
		}
	}
	return 0;
}
