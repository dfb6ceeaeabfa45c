/*
 * Event files: eventfd, timerfd and signalfd.  Each is an anonymous inode
 * with its state in f->priv.  Reads and writes never block: they return
 * -EAGAIN and the syscall layer waits (vfs_file_block); every change goes
 * through vfs_notify, which wakes the inode's queue.  signalfd waiters wait
 * on their thread group's signal queue instead (sfd_wait_link).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../vfs.h"
#include "event.h"

static struct file *new_file(const struct file_ops *ops, void *priv, int flags)
{
	struct inode *ino = anon_inode(S_IFREG | 0600);
	struct file *f;

	if (!ino)
		return NULL;
	ino->fops = ops;
	f = file_new(NULL, ino, ops, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino);
	if (f)
		f->priv = priv;
	return f;
}

/* ---- eventfd ---- */

struct efd {
	uint64_t count;
	int semaphore;
};

static long efd_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct efd *e = f->priv;
	uint64_t v;

	(void)pos;
	if (iov_total(iov, cnt) < 8)
		return -EINVAL;
	if (e->count == 0)
		return -EAGAIN;
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	vfs_notify(f->inode);
	return vfs_iter_read(&v, 8, iov, cnt, &(uint64_t){0});
}

static long efd_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct efd *e = f->priv;
	uint64_t v, off = 0;
	int i;

	(void)pos;
	if (iov_total(iov, cnt) < 8)
		return -EINVAL;
	for (i = 0; i < cnt && off < 8; i++) {
		size_t n = iov[i].iov_len < 8 - off ? iov[i].iov_len : 8 - off;

		memcpy((char *)&v + off, iov[i].iov_base, n);
		off += n;
	}
	if (v == UINT64_MAX)
		return -EINVAL;
	if (UINT64_MAX - 1 - e->count < v)
		return -EAGAIN;
	e->count += v;
	vfs_notify(f->inode);
	return 8;
}

static unsigned efd_poll(struct file *f, uint64_t *deadline)
{
	struct efd *e = f->priv;

	(void)deadline;
	return (e->count ? POLLIN | POLLRDNORM : 0) | (e->count < UINT64_MAX - 1 ? POLLOUT | POLLWRNORM : 0);
}

static void free_priv(struct file *f)
{
	free(f->priv);
}

static const struct file_ops efd_fops = {
	.read = efd_read, .write = efd_write, .poll = efd_poll, .release = free_priv,
	.dname = "anon_inode:[eventfd]",
};

long eventfd_create(unsigned initval, int flags, struct file **out)
{
	struct efd *e;

	if (flags & ~(EFD_CLOEXEC_ | EFD_NONBLOCK_ | EFD_SEMAPHORE_))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = !!(flags & EFD_SEMAPHORE_);
	*out = new_file(&efd_fops, e, (flags & EFD_NONBLOCK_) ? O_NONBLOCK : 0);
	if (!*out) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}

int is_eventfd(struct file *f)
{
	return f->ops == &efd_fops;
}

void eventfd_signal(struct file *f, uint64_t n)
{
	struct efd *e = f->priv;

	e->count = UINT64_MAX - 1 - e->count < n ? UINT64_MAX - 1 : e->count + n;
	vfs_notify(f->inode);
}

/* ---- timerfd ---- */

struct tfd {
	int clock;              /* CLOCK_REALTIME or CLOCK_MONOTONIC (BOOTTIME, ALARM: as those) */
	uint64_t next;          /* next expiry on clock, 0 = disarmed */
	uint64_t interval;
	uint64_t expired;       /* expirations not yet read */
};

static uint64_t clock_now(int clock)
{
	return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM ? host_realtime_ns() : host_monotonic_ns();
}

/* Counts the expirations up to now into expired. */
static void tfd_update(struct tfd *t)
{
	uint64_t now = clock_now(t->clock);

	if (!t->next || now < t->next)
		return;
	if (t->interval) {
		uint64_t n = (now - t->next) / t->interval + 1;

		t->expired += n;
		t->next += n * t->interval;
	} else {
		t->expired++;
		t->next = 0;
	}
}

/* The next expiry as a host realtime deadline, for waiters. */
static uint64_t tfd_deadline(struct tfd *t)
{
	uint64_t now;

	if (!t->next)
		return 0;
	now = clock_now(t->clock);
	return host_realtime_ns() + (t->next > now ? t->next - now : 0);
}

static long tfd_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct tfd *t = f->priv;
	uint64_t v;

	(void)pos;
	if (iov_total(iov, cnt) < 8)
		return -EINVAL;
	tfd_update(t);
	if (!t->expired)
		return -EAGAIN; /* the waiter's deadline comes from tfd_poll */
	v = t->expired;
	t->expired = 0;
	return vfs_iter_read(&v, 8, iov, cnt, &(uint64_t){0});
}

static unsigned tfd_poll(struct file *f, uint64_t *deadline)
{
	struct tfd *t = f->priv;
	uint64_t d;

	tfd_update(t);
	if (t->expired)
		return POLLIN | POLLRDNORM;
	d = tfd_deadline(t);
	if (d && (!*deadline || d < *deadline))
		*deadline = d;
	return 0;
}

static const struct file_ops tfd_fops = {
	.read = tfd_read, .poll = tfd_poll, .release = free_priv, .dname = "anon_inode:[timerfd]",
};

long timerfd_create_file(int clock, int flags, struct file **out)
{
	struct tfd *t;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	    clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->clock = clock;
	*out = new_file(&tfd_fops, t, (flags & TFD_NONBLOCK) ? O_NONBLOCK : 0);
	if (!*out) {
		free(t);
		return -ENOMEM;
	}
	return 0;
}

int is_timerfd(struct file *f)
{
	return f->ops == &tfd_fops;
}

/* Reads the current setting (it_value left, it_interval) of a timerfd. */
void timerfd_get(struct file *f, uint64_t *value, uint64_t *interval)
{
	struct tfd *t = f->priv;
	uint64_t now;

	tfd_update(t);
	now = clock_now(t->clock);
	*value = t->next ? (t->next > now ? t->next - now : 1) : 0;
	*interval = t->interval;
}

void timerfd_set(struct file *f, uint64_t value, uint64_t interval, int absolute)
{
	struct tfd *t = f->priv;

	t->expired = 0;
	t->interval = interval;
	if (!value)
		t->next = 0;
	else
		t->next = absolute ? value : abi_ns_after(clock_now(t->clock), value);
	vfs_notify(f->inode);
}

/* ---- signalfd ---- */

struct sfd {
	uint64_t mask;
};

static long sfd_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct sfd *s = f->priv;
	struct task *t = task_current;
	size_t want = iov_total(iov, cnt), done = 0;
	uint64_t off = 0;

	(void)pos;
	if (want < sizeof(struct signalfd_siginfo))
		return -EINVAL;
	while (done + sizeof(struct signalfd_siginfo) <= want) {
		struct signalfd_siginfo ssi;
		siginfo_t si;
		int sig = t ? task_dequeue_signal(t, s->mask, &si) : 0;

		if (!sig)
			break;
		memset(&ssi, 0, sizeof(ssi));
		ssi.ssi_signo = (uint32_t)sig;
		ssi.ssi_code = si.si_code;
		ssi.ssi_pid = (uint32_t)si.si_pid;
		ssi.ssi_uid = si.si_uid;
		ssi.ssi_status = si.si_status;
		ssi.ssi_errno = si.si_errno;
		ssi.ssi_int = si.si_int;
		ssi.ssi_ptr = (uint64_t)(uintptr_t)si.si_ptr;
		ssi.ssi_addr = (uint64_t)(uintptr_t)si.si_addr;
		{
			/* Copy into the iovecs at the running offset. */
			const char *src = (const char *)&ssi;
			size_t left = sizeof(ssi);
			int i;
			uint64_t skip = off;

			for (i = 0; i < cnt && left; i++) {
				size_t n;

				if (skip >= iov[i].iov_len) {
					skip -= iov[i].iov_len;
					continue;
				}
				n = iov[i].iov_len - skip < left ? iov[i].iov_len - skip : left;
				memcpy((char *)iov[i].iov_base + skip, src, n);
				src += n;
				left -= n;
				skip = 0;
			}
		}
		off += sizeof(ssi);
		done += sizeof(ssi);
	}
	return done ? (long)done : -EAGAIN;
}

static unsigned sfd_poll(struct file *f, uint64_t *deadline)
{
	struct sfd *s = f->priv;
	struct task *t = task_current;

	(void)deadline;
	return t && ((t->sigpending | t->tg->pending) & s->mask) ? POLLIN | POLLRDNORM : 0;
}

/* Signals for the waiting task's group wake its signal queue, not the file's. */
static void sfd_wait_link(struct file *f, struct vfs_pollset *ps)
{
	(void)f;
	if (ps->task)
		vfs_pollset_add_queue(ps, &ps->task->tg->signal_wq);
}

static const struct file_ops sfd_fops = {
	.read = sfd_read, .poll = sfd_poll, .wait_link = sfd_wait_link, .release = free_priv, .dname = "anon_inode:[signalfd]",
};

long signalfd_update(struct file **fp, uint64_t mask, int flags)
{
	struct sfd *s;

	mask &= ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	if (*fp) {
		if ((*fp)->ops != &sfd_fops)
			return -EINVAL;
		((struct sfd *)(*fp)->priv)->mask = mask;
		return 0;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->mask = mask;
	*fp = new_file(&sfd_fops, s, (flags & SFD_NONBLOCK) ? O_NONBLOCK : 0);
	if (!*fp) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}
