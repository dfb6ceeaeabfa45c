/*
 * Pipes, entirely in the sentry: a 64 KiB ring, blocking readers and
 * writers wait on task_cond with the sentry lock released (so signals wake them too).
 * Writes of at most PIPE_BUF bytes are atomic.
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
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "pipe.h"

#define PIPE_SIZE 65536

struct pipe {
	char *buf;
	size_t head, len; /* ring: data is [head, head+len) mod PIPE_SIZE */
	int readers, writers;
	uint64_t reader_opens, writer_opens; /* FIFO opens so far: a blocked open waits for the other side */
	struct inode *fifo;                  /* the named FIFO this pipe serves, or NULL */
};

static long pipe_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	int i;

	(void)pos;
	while (p->len == 0) {
		if (p->writers == 0)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		if (task_current && task_signal_pending(task_current))
			return -ERESTARTSYS;
		pthread_cond_wait(&task_cond, &sentry_lock);
	}
	for (i = 0; i < cnt && p->len; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len && p->len) {
			size_t n = iov[i].iov_len - off, run = PIPE_SIZE - p->head;

			if (n > p->len)
				n = p->len;
			if (n > run)
				n = run;
			memcpy((char *)iov[i].iov_base + off, p->buf + p->head, n);
			p->head = (p->head + n) % PIPE_SIZE;
			p->len -= n;
			off += n;
			done += n;
		}
	}
	vfs_notify(f->inode);
	return (long)done;
}

static long pipe_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct pipe *p = f->priv;
	size_t total = iov_total(iov, cnt), done = 0;
	int i = 0;
	size_t off = 0;

	(void)pos;
	if (!p->buf) {
		p->buf = malloc(PIPE_SIZE);
		if (!p->buf)
			return -ENOMEM;
	}
	while (done < total) {
		size_t space, n;

		if (p->readers == 0)
			return done ? (long)done : -EPIPE;
		space = PIPE_SIZE - p->len;
		/* Small writes go in whole or not at all. */
		if (space == 0 || (total <= PIPE_BUF && space < total - done)) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			if (task_current && task_signal_pending(task_current))
				return done ? (long)done : -ERESTARTSYS;
			pthread_cond_wait(&task_cond, &sentry_lock);
			continue;
		}
		while (space && i < cnt) {
			size_t tail = (p->head + p->len) % PIPE_SIZE;

			n = iov[i].iov_len - off;
			if (n > space)
				n = space;
			if (n > PIPE_SIZE - tail)
				n = PIPE_SIZE - tail;
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
	vfs_notify(f->inode);
	}
	return (long)done;
}

static unsigned pipe_poll(struct file *f, uint64_t *deadline)
{
	struct pipe *p = f->priv;
	unsigned m = 0;

	(void)deadline;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->len)
			m |= POLLIN | POLLRDNORM;
		if (!p->writers)
			m |= POLLHUP;
	} else {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
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
		free(p->buf);
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

static const struct file_ops pipe_fops = {
	.ioctl = pipe_ioctl,
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
};

long pipe_create(struct file *files[2], int flags)
{
	struct pipe *p = calloc(1, sizeof(*p));
	struct inode *ino;

	if (!p)
		goto nomem;
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
	if (acc == O_WRONLY && (flags & O_NONBLOCK) && p->readers == 0) {
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
	if (flags & O_NONBLOCK)
		return 0;
	/* Block until the other side has opened (or has been opened since we came). */
	seen = acc == O_RDONLY ? p->writer_opens : p->reader_opens;
	while ((acc == O_RDONLY ? p->writers == 0 && p->writer_opens == seen :
				  p->readers == 0 && p->reader_opens == seen)) {
		if (task_current && task_signal_pending(task_current)) {
			pipe_release(f);
			f->priv = NULL;
			return -ERESTARTSYS;
		}
		pthread_cond_wait(&task_cond, &sentry_lock);
	}
	return 0;
}
