/* Host stdio files (see hoststdio.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "hoststdio.h"

/*
 * A host fd that may make the host wait (a pipe, a terminal, a socket) is
 * read by a host thread of its own (reader_main), with the sentry lock
 * dropped, into sentry memory: no guest memory is ever held while the lock
 * is dropped (spans of it are valid only under the lock), and a task
 * waiting for input blocks on the inode's queue, where signals reach it.
 * A read or poll that finds nothing asks the reader for at most what it
 * wants (so nothing is taken from the host that nobody asked for).
 * Regular files never wait: they are read in place, with the lock held.
 * Writes copy the data into sentry memory, then drop the lock for the host.
 *
 * Protected by sentry_lock, except fd, which the reader uses unlocked.
 */
struct hfile {
	int fd;
	int regular;          /* S_ISREG on the host */
	int input;            /* the caller's stdin: a poll may read ahead (hoststdio_set_input) */
	struct inode *ino;    /* to notify; NULL once released */
	int reader;           /* reader_main runs */
	int dead;             /* released while the reader runs: the reader frees it */
	pthread_cond_t kick;  /* want was set (or dead) */
	size_t want;          /* bytes asked for; 0: the reader sleeps */
	char *data;           /* read from the host, not yet taken */
	size_t len;
	int eof;              /* the host read returned 0: the next read gets 0 */
	long err;             /* or failed: the next read gets this */
};

#define READ_MAX 65536

static void hfile_free(struct hfile *h)
{
	host_close(h->fd);
	free(h->data);
	free(h);
}

static void *reader_main(void *arg)
{
	struct hfile *h = arg;
	char *tmp = malloc(READ_MAX);

	pthread_mutex_lock(&sentry_lock);
	for (;;) {
		size_t n;
		long r;

		while (!h->want && !h->dead)
			pthread_cond_wait(&h->kick, &sentry_lock);
		if (h->dead || !tmp)
			break;
		n = h->want < READ_MAX ? h->want : READ_MAX;
		pthread_mutex_unlock(&sentry_lock);
		r = host_read(h->fd, tmp, n);
		pthread_mutex_lock(&sentry_lock);
		h->want = 0;
		if (h->dead)
			break;
		if (r > 0) {
			char *d = realloc(h->data, h->len + (size_t)r);

			if (!d) {
				h->err = -ENOMEM;
			} else {
				memcpy(d + h->len, tmp, (size_t)r);
				h->data = d;
				h->len += (size_t)r;
			}
		} else if (r == 0) {
			h->eof = 1;
		} else if (r != -EINTR) {
			h->err = r;
		}
		vfs_notify(h->ino);
	}
	if (h->dead)
		hfile_free(h);
	else
		h->reader = 0;
	pthread_mutex_unlock(&sentry_lock);
	free(tmp);
	return NULL;
}

/* Asks the reader for up to n bytes (lock held). */
static void want(struct hfile *h, size_t n)
{
	if (h->want || h->len || h->eof || h->err)
		return;
	if (!h->reader) {
		pthread_attr_t attr;
		pthread_t th;

		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 1 << 16);
		h->reader = pthread_create(&th, &attr, reader_main, h) == 0;
		pthread_attr_destroy(&attr);
		if (!h->reader) {
			h->err = -EAGAIN;
			return;
		}
	}
	h->want = n ? n : 1;
	pthread_cond_signal(&h->kick);
}

static struct super *stdio_sb;
/* The sandbox's console (/dev/console): the caller's stdout, held for as long as the sandbox runs. */
static struct inode *console;

/* f->priv: the hfile of the inode f was opened on (for /dev/console, not f's own inode). */
static int hfd(struct file *f)
{
	return ((struct hfile *)f->priv)->fd;
}

/* A reopen through /proc/PID/fd: a new file on the same host fd. */
static long h_open(struct file *f, int flags)
{
	(void)flags;
	f->priv = f->inode->priv;
	return 0;
}

static long h_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct hfile *h = f->priv;
	size_t total = iov_total(iov, cnt), done = 0;
	long r;
	int i;

	(void)pos;
	if (h->regular)
		return host_readv(h->fd, iov, cnt);
	if (h->len) {
		for (i = 0; i < cnt && done < h->len; i++) {
			size_t n = iov[i].iov_len < h->len - done ? iov[i].iov_len : h->len - done;

			memcpy(iov[i].iov_base, h->data + done, n);
			done += n;
		}
		memmove(h->data, h->data + done, h->len - done);
		h->len -= done;
		return (long)done;
	}
	if (h->eof) {
		h->eof = 0;
		return 0;
	}
	if (h->err) {
		r = h->err;
		h->err = 0;
		return r;
	}
	if (!total)
		return 0;
	want(h, total);
	return -EAGAIN; /* the reader notifies the inode when the host answers */
}

static long h_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	size_t total = iov_total(iov, cnt), off = 0;
	char *copy;
	long r;
	int i;

	(void)pos;
	/* The host may make us wait (a terminal, a pipe): from a copy, with the lock dropped. */
	copy = malloc(total ? total : 1);
	if (!copy)
		return -ENOMEM;
	for (i = 0; i < cnt; i++) {
		memcpy(copy + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	pthread_mutex_unlock(&sentry_lock);
	r = host_write(hfd(f), copy, total);
	pthread_mutex_lock(&sentry_lock);
	free(copy);
	return r;
}

static unsigned h_poll(struct file *f, uint64_t *deadline)
{
	struct hfile *h = f->priv;

	(void)deadline;
	/*
	 * Only stdin is read ahead for a poller: stdout on a terminal is often
	 * open for reading too, and a poll for its writability must not take
	 * the keys that stdin's reader is waiting for.
	 */
	if (h->regular || !h->input)
		return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	if (!h->len && !h->eof && !h->err)
		want(h, READ_MAX); /* a poller will read what comes */
	return POLLOUT | POLLWRNORM | (h->len || h->eof || h->err ? POLLIN | POLLRDNORM : 0);
}

/*
 * The kernel's struct termios, which TCGETS fills: 36 bytes.  glibc's is
 * larger (60): copying that out wrote 24 bytes past the caller's buffer,
 * which smashed the stack of a program asking a terminal stdin (busybox tty).
 */
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

static long h_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct ktermios tio;
	struct winsize ws;
	long r;

	switch (req) {
	case TCGETS:
		r = host_ioctl(hfd(f), TCGETS, &tio);
		return r < 0 ? r : mm_copy_out(t->mm, arg, &tio, sizeof(tio));
	case TIOCGWINSZ:
		r = host_ioctl(hfd(f), TIOCGWINSZ, &ws);
		return r < 0 ? r : mm_copy_out(t->mm, arg, &ws, sizeof(ws));
	}
	return -ENOTTY;
}

static long h_fstat(struct file *f, struct abi_stat *st)
{
	struct stat hs;
	long r = host_fstat(hfd(f), &hs);

	if (r < 0)
		return r;
	inode_stat(f->inode, st);
	/* What kind of file it is and how big: the rest is the sandbox's own. */
	st->st_mode = (hs.st_mode & S_IFMT) | 0620;
	st->st_rdev = hs.st_rdev;
	st->st_size = S_ISREG(hs.st_mode) ? hs.st_size : 0;
	st->st_blksize = hs.st_blksize;
	return 0;
}

static void h_release(struct inode *ino)
{
	struct hfile *h = ino->priv;

	h->ino = NULL;
	if (h->reader) {
		/* It may be in the host's read: it frees h when it comes back. */
		h->dead = 1;
		pthread_cond_signal(&h->kick);
		return;
	}
	hfile_free(h);
}

static const struct inode_ops hoststdio_iops = {.release = h_release};

/* /dev/console's files have the device node's inode: the stdio inode is the one the reader wakes. */
static void h_wait_link(struct file *f, struct vfs_pollset *ps)
{
	struct hfile *h = f->priv;

	vfs_pollset_add_inode(ps, h->ino ? h->ino : f->inode);
}

static const struct file_ops hoststdio_fops = {
	.wait_link = h_wait_link,
	.read = h_read,
	.write = h_write,
	.poll = h_poll,
	.ioctl = h_ioctl,
	.fstat = h_fstat,
	.open = h_open,
};

struct file *hoststdio_file(int hostfd, int flags)
{
	struct hfile *h = calloc(1, sizeof(*h));
	struct inode *ino;
	struct file *f;
	struct stat hs;

	if (!stdio_sb)
		stdio_sb = super_new("hoststdio", 0);
	if (!h || !stdio_sb || host_fstat(hostfd, &hs) < 0) {
		free(h);
		return NULL;
	}
	h->fd = hostfd;
	h->regular = S_ISREG(hs.st_mode);
	pthread_cond_init(&h->kick, NULL);
	ino = inode_new(stdio_sb, (hs.st_mode & S_IFMT) | 0620);
	if (!ino) {
		free(h);
		return NULL;
	}
	ino->priv = h;
	h->ino = ino;
	ino->iops = &hoststdio_iops;
	ino->fops = &hoststdio_fops;
	ino->rdev = hs.st_rdev; /* stat through /dev/stdin shows the device, as fstat does */
	f = file_new(NULL, ino, &hoststdio_fops, flags);
	if (f)
		f->priv = h;
	inode_put(ino);
	return f;
}

void hoststdio_set_input(struct file *f)
{
	if (f->ops == &hoststdio_fops)
		((struct hfile *)f->priv)->input = 1;
}

void hoststdio_set_console(struct file *f)
{
	if (console || f->ops != &hoststdio_fops)
		return;
	console = f->inode;
	inode_get(console);
}

long hoststdio_console_open(struct file *f)
{
	if (!console)
		return -ENXIO;
	f->ops = &hoststdio_fops;
	f->priv = console->priv;
	return 0;
}
