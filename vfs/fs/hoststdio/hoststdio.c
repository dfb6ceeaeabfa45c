/* Host stdio files (see hoststdio.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

struct hfile {
	int fd;
};

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
	long r;

	(void)pos;
	/* The host may make us wait (a terminal, a pipe): not while holding the lock. */
	pthread_mutex_unlock(&sentry_lock);
	r = host_readv(hfd(f), iov, cnt);
	pthread_mutex_lock(&sentry_lock);
	return r;
}

static long h_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	long r;

	(void)pos;
	pthread_mutex_unlock(&sentry_lock);
	r = host_writev(hfd(f), iov, cnt);
	pthread_mutex_lock(&sentry_lock);
	return r;
}

static long h_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct termios tio;
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

	host_close(h->fd);
	free(h);
}

static const struct inode_ops hoststdio_iops = {.release = h_release};

static const struct file_ops hoststdio_fops = {
	.read = h_read,
	.write = h_write,
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
	ino = inode_new(stdio_sb, (hs.st_mode & S_IFMT) | 0620);
	if (!ino) {
		free(h);
		return NULL;
	}
	ino->priv = h;
	ino->iops = &hoststdio_iops;
	ino->fops = &hoststdio_fops;
	ino->rdev = hs.st_rdev; /* stat through /dev/stdin shows the device, as fstat does */
	f = file_new(NULL, ino, &hoststdio_fops, flags);
	if (f)
		f->priv = h;
	inode_put(ino);
	return f;
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
