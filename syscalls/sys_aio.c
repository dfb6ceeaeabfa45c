/*
 * Linux AIO (io_setup, io_submit, io_getevents, io_pgetevents, io_cancel,
 * io_destroy), done by the sentry, as Linux's fs/aio.c behaves for the
 * files it has.
 *
 * A context is a ring of completion events mapped into the process, as
 * Linux maps it ("/[aio] (deleted)" in maps): its address is the context's
 * id, and its header (struct aio_ring) is what libaio reads to reap events
 * in user space.  The sentry holds the ring's pages itself (the frames of a
 * tmpfs file), so a process that unmaps or scribbles on its ring harms only
 * itself.
 *
 * Reads, writes and syncs are done at once inside io_submit, through the
 * same paths as pread/pwrite/preadv/pwritev/fsync: the sentry's files have
 * no device queue to wait on, and Linux's buffered AIO is synchronous too
 * (a read of an empty pipe blocks io_submit there as well).  IOCB_CMD_POLL
 * completes at once when its file is ready, else later, from a wake of the
 * file's queues (a waiter callback), or when io_cancel or io_destroy ends it.
 *
 * Everything here runs under sentry_lock.  A context lives while it is on
 * the list (until io_destroy or the exit of its address space) or an
 * io_getevents sleeps on it (refs).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/memfile.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/event/event.h"
#include "../vfs/fs/proc/proc.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

#define AIO_RING_MAGIC 0xa10a10a1
#define AIO_RING_HDR 32u /* sizeof(struct aio_ring) */
#define AIO_EVENT 32u    /* sizeof(struct io_event) */

/* The ring's header, at the start of its first page (Linux's struct aio_ring). */
struct aio_ring {
	uint32_t id;  /* the context's index among its process's */
	uint32_t nr;  /* event slots */
	uint32_t head; /* the next event to reap (user space may move it) */
	uint32_t tail; /* the next slot to fill */
	uint32_t magic, compat_features, incompat_features, header_length;
};

struct aio_ctx;

/* A pending IOCB_CMD_POLL: waits on its file's queues through ps (waiters with a callback). */
struct aio_poll {
	struct aio_ctx *ctx;
	struct file *f, *resfd;
	uint64_t obj, data;
	uint32_t events;
	int done;            /* its event is in the ring; poll_reap frees it */
	struct vfs_pollset ps;
	struct aio_poll *next;
};

struct aio_ctx {
	struct mm *mm;
	gva_t user_id;       /* where the ring is mapped: the context's id */
	uint64_t size;       /* bytes mapped */
	uint32_t id;         /* ring->id */
	uint32_t nr;         /* event slots */
	uint32_t tail;       /* ours: the ring's copy is for user space to read */
	uint32_t max_reqs;   /* io_setup's nr_events: counted in aio-nr */
	struct inode *ring;  /* the tmpfs file whose pages are the ring */
	uint64_t *frames;    /* its pages, held */
	int inflight;        /* submitted, not yet completed (pending polls) */
	struct aio_poll *polls;
	struct waitq wq;     /* io_getevents callers: an event came, or the context died */
	int dead, refs;
	struct aio_ctx *next;
};

static struct aio_ctx *contexts;
static uint64_t aio_nr;
static const uint64_t aio_max_nr = 65536; /* fs/aio-max-nr: the machine's, not the sandbox's to raise */
static struct super *aio_sb;

static struct aio_ring *ring_hdr(struct aio_ctx *c)
{
	return mf_ptr(c->frames[0]);
}

static struct io_event *ring_slot(struct aio_ctx *c, uint32_t i)
{
	uint64_t off = AIO_RING_HDR + (uint64_t)i * AIO_EVENT;

	return (struct io_event *)((char *)mf_ptr(c->frames[off / ABI_PAGE_SIZE]) + off % ABI_PAGE_SIZE);
}

/* Events in the ring not yet reaped: head is user space's to move, so it is taken modulo nr. */
static uint32_t ring_used(struct aio_ctx *c)
{
	uint32_t head = ring_hdr(c)->head % c->nr;

	return (c->tail + c->nr - head) % c->nr;
}

/* Puts one event in the ring, signals the request's eventfd and wakes the reapers. */
static void aio_complete(struct aio_ctx *c, uint64_t obj, uint64_t data, int64_t res, struct file *resfd)
{
	struct io_event *ev = ring_slot(c, c->tail);

	ev->data = data;
	ev->obj = obj;
	ev->res = res;
	ev->res2 = 0;
	c->tail = (c->tail + 1) % c->nr;
	__atomic_store_n(&ring_hdr(c)->tail, c->tail, __ATOMIC_RELEASE);
	if (resfd)
		eventfd_signal(resfd, 1);
	waitq_wake(&c->wq);
}

static void ctx_put(struct aio_ctx *c)
{
	uint64_t i;

	if (--c->refs)
		return;
	for (i = 0; i < c->size / ABI_PAGE_SIZE; i++)
		mf_put(c->frames[i]);
	free(c->frames);
	inode_put(c->ring);
	free(c);
}

/* ---- polls ---- */

/* A finished poll's waiters stay linked (they may sit on a queue being woken) until poll_reap. */
static void poll_idle(struct waiter *w)
{
	(void)w;
}

/* Ends a pending poll with the events given (0 when cancelled before any came). */
static void poll_complete(struct aio_poll *p, uint32_t mask)
{
	struct aio_ctx *c = p->ctx;
	int i;

	p->done = 1;
	for (i = 0; i < p->ps.nw; i++)
		p->ps.w[i]->fn = poll_idle;
	c->inflight--;
	if (!c->dead)
		aio_complete(c, p->obj, p->data, mask, p->resfd);
}

/* Frees c's finished polls: never from inside a wake (wait.h), so from the calls' own paths. */
static void poll_reap(struct aio_ctx *c)
{
	struct aio_poll **pp = &c->polls, *p;

	while ((p = *pp)) {
		if (!p->done) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		vfs_pollset_clear(&p->ps);
		file_put(p->f);
		if (p->resfd)
			file_put(p->resfd);
		free(p);
	}
}

static uint32_t poll_mask(struct aio_poll *p)
{
	uint64_t d = 0;

	return vfs_poll(p->f, &d) & p->events;
}

/* A wake of a queue the poll waits on: done when its file has one of the events asked for. */
static void poll_wake(struct waiter *w)
{
	struct aio_poll *p = w->priv;
	uint32_t mask;

	/*
	 * Linux reports the waker's key here, not the events asked for: a pipe
	 * or socket wakes readers with POLLIN | POLLRDNORM, writers with
	 * POLLOUT | POLLWRNORM.  The sentry's wakes carry no key, so the
	 * ready events stand for it, with their "normal data" twins.
	 */
	if (!p->done && (mask = poll_mask(p)))
		poll_complete(p, mask | (mask & POLLIN ? POLLRDNORM : 0) | (mask & POLLOUT ? POLLWRNORM : 0));
}

/* ---- contexts ---- */

static struct aio_ctx *ctx_lookup(struct task *t, uint64_t id)
{
	struct aio_ctx *c;
	uint32_t rid;

	/* As Linux, the ring's header is read back from the process first: an unmapped ring is no context. */
	if (mm_copy_in(t->mm, &rid, (gva_t)id, sizeof(rid)) < 0)
		return NULL;
	for (c = contexts; c; c = c->next)
		if (c->mm == t->mm && c->user_id == id && !c->dead) {
			poll_reap(c);
			return c;
		}
	return NULL;
}

/* Takes c off the list: its pending polls end, its reapers wake and find it dead. */
static void ctx_kill(struct aio_ctx *c)
{
	struct aio_ctx **pp;
	struct aio_poll *p;

	c->dead = 1;
	for (pp = &contexts; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	for (p = c->polls; p; p = p->next)
		if (!p->done)
			poll_complete(p, 0);
	poll_reap(c);
	aio_nr -= c->max_reqs;
	waitq_wake(&c->wq);
	ctx_put(c);
}

static void aio_mm_exit(struct mm *mm)
{
	struct aio_ctx *c, *next;

	for (c = contexts; c; c = next) {
		next = c->next;
		if (c->mm == mm)
			ctx_kill(c);
	}
}

SYSCALL(io_setup)
{
	uint32_t nr_events = (uint32_t)a[0], max_reqs = nr_events, ncpus = (uint32_t)sandbox.ncpus, id = 0, slots;
	uint64_t ctxp, size, i;
	struct aio_ctx *c, *o;
	long r;

	if (mm_copy_in(t->mm, &ctxp, a[1], sizeof(ctxp)) < 0)
		return -EFAULT;
	if (ctxp || !nr_events)
		return -EINVAL;
	/* Linux's sizing: room for 4 requests per CPU at least, doubled, then the pages filled. */
	if (nr_events < ncpus * 4)
		nr_events = ncpus * 4;
	if (nr_events > 0x10000000u / AIO_EVENT / 2)
		return -EINVAL;
	nr_events *= 2;
	if (max_reqs > aio_max_nr || aio_nr + max_reqs > aio_max_nr)
		return -EAGAIN;
	size = ABI_PAGE_ALIGN(AIO_RING_HDR + (uint64_t)nr_events * AIO_EVENT);
	slots = (uint32_t)((size - AIO_RING_HDR) / AIO_EVENT);
	if (!aio_sb && !(aio_sb = tmpfs_anon_super(sandbox.memory)))
		return -ENOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->frames = calloc(size / ABI_PAGE_SIZE, sizeof(*c->frames));
	c->ring = c->frames ? tmpfs_anon_file(aio_sb, size) : NULL;
	if (!c->ring) {
		free(c->frames);
		free(c);
		return -ENOMEM;
	}
	c->refs = 1;
	c->size = size;
	for (i = 0; i < size / ABI_PAGE_SIZE; i++) {
		r = vfs_inode_getpage(c->ring, i * ABI_PAGE_SIZE, &c->frames[i]);
		if (r < 0) {
			c->size = i * ABI_PAGE_SIZE; /* what ctx_put lets go */
			ctx_put(c);
			return r;
		}
	}
	/* The lowest index no other context of this process has, as Linux's ioctx table slot. */
	for (o = contexts; o;)
		if (o->mm == t->mm && o->id == id) {
			id++;
			o = contexts;
		} else {
			o = o->next;
		}
	r = mm_mmap(t->mm, 0, size, PROT_READ | PROT_WRITE, MAP_SHARED, c->ring, 0, PROT_READ | PROT_WRITE);
	if (r < 0) {
		ctx_put(c);
		return r;
	}
	mm_set_name(t->mm, (gva_t)r, (gva_t)r + size, "/[aio] (deleted)");
	c->mm = t->mm;
	c->user_id = (gva_t)r;
	c->id = id;
	c->nr = slots;
	c->max_reqs = max_reqs;
	*ring_hdr(c) = (struct aio_ring){.id = id, .nr = slots, .magic = AIO_RING_MAGIC, .compat_features = 1,
					 .header_length = AIO_RING_HDR};
	if (mm_copy_out(t->mm, a[1], &c->user_id, sizeof(c->user_id)) < 0) {
		mm_munmap(t->mm, c->user_id, size);
		ctx_put(c);
		return -EFAULT;
	}
	mm_aio_exit = aio_mm_exit;
	t->mm->aio = 1;
	aio_nr += max_reqs;
	c->next = contexts;
	contexts = c;
	return 0;
}

SYSCALL(io_destroy)
{
	struct aio_ctx *c = ctx_lookup(t, a[0]);

	if (!c)
		return -EINVAL;
	/* Linux unmaps the ring too. */
	mm_munmap(t->mm, c->user_id, c->size);
	ctx_kill(c);
	return 0;
}

/* ---- submission ---- */

#define RWF_KNOWN 0x1fu /* RWF_HIPRI | DSYNC | SYNC | NOWAIT | APPEND */

/* Checks an iovec array as import_iovec does: -EINVAL for too many or too long, -EFAULT unreadable. */
static long check_iovecs(struct task *t, gva_t uiov, uint64_t cnt)
{
	struct abi_iovec v[64];
	uint64_t total = 0, i, n;

	if (cnt > 1024)
		return -EINVAL;
	for (i = 0; i < cnt; i += n) {
		n = cnt - i < 64 ? cnt - i : 64;
		if (mm_copy_in(t->mm, v, uiov + i * sizeof(v[0]), n * sizeof(v[0])) < 0)
			return -EFAULT;
		for (uint64_t k = 0; k < n; k++) {
			if ((int64_t)v[k].iov_len < 0 || total + v[k].iov_len > (uint64_t)INT64_MAX)
				return -EINVAL;
			total += v[k].iov_len;
		}
	}
	return 0;
}

/* A read or write of any kind: the checks Linux makes before the I/O, then the I/O (its result is the event's). */
static long submit_rw(struct task *t, struct file *f, const struct iocb *cb, int write, int vectored, int64_t *res)
{
	uint64_t args[6] = {cb->aio_fildes, cb->aio_buf, cb->aio_nbytes, cb->aio_offset, 0, 0};
	int seekable = f->ops && f->ops->seekable;
	long r;

	if (cb->aio_rw_flags & ~RWF_KNOWN)
		return -EOPNOTSUPP;
	if ((f->flags & O_PATH) || (write ? (f->flags & O_ACCMODE) == O_RDONLY : (f->flags & O_ACCMODE) == O_WRONLY))
		return -EBADF;
	if (!f->ops || !(write ? f->ops->write : f->ops->read))
		return -EINVAL;
	if (vectored && (r = check_iovecs(t, cb->aio_buf, cb->aio_nbytes)) < 0)
		return r;
	if (seekable && (int64_t)cb->aio_offset < 0)
		return -EINVAL;
	if (seekable)
		r = vectored ? (write ? sys_pwritev(t, args) : sys_preadv(t, args))
			     : (write ? sys_pwrite64(t, args) : sys_pread64(t, args));
	else
		r = vectored ? (write ? sys_writev(t, args) : sys_readv(t, args))
			     : (write ? sys_write(t, args) : sys_read(t, args));
	/* Interrupted, the request is over: the event says so (Linux's aio_rw_done). */
	if (r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND || r == -ERESTART_RESTARTBLOCK)
		r = -EINTR;
	*res = r;
	return 0;
}

/* One iocb: -errno is io_submit's own failure (nothing queued), 0 a request taken. */
static long submit_one(struct task *t, struct aio_ctx *c, gva_t ucb)
{
	struct iocb cb;
	struct file *f, *resfd = NULL;
	uint32_t key = 0;
	int64_t res = 0;
	long r;

	if (mm_copy_in(t->mm, &cb, ucb, sizeof(cb)) < 0)
		return -EFAULT;
	if (cb.aio_reserved2 || (int64_t)cb.aio_nbytes < 0)
		return -EINVAL;
	if (c->inflight + ring_used(c) >= c->nr - 1)
		return -EAGAIN;
	f = fdt_get(t->files, (int)cb.aio_fildes);
	if (!f || (int)cb.aio_fildes < 0) {
		if (f)
			file_put(f);
		return -EBADF;
	}
	if (cb.aio_flags & IOCB_FLAG_RESFD) {
		resfd = fdt_get(t->files, (int)cb.aio_resfd);
		r = !resfd ? -EBADF : !is_eventfd(resfd) ? -EINVAL : 0;
		if (r < 0)
			goto out;
	}
	if (mm_copy_out(t->mm, ucb + offsetof(struct iocb, aio_key), &key, sizeof(key)) < 0) {
		r = -EFAULT;
		goto out;
	}
	switch (cb.aio_lio_opcode) {
	case IOCB_CMD_PREAD:
	case IOCB_CMD_PWRITE:
	case IOCB_CMD_PREADV:
	case IOCB_CMD_PWRITEV:
		r = submit_rw(t, f, &cb, cb.aio_lio_opcode == IOCB_CMD_PWRITE || cb.aio_lio_opcode == IOCB_CMD_PWRITEV,
			      cb.aio_lio_opcode == IOCB_CMD_PREADV || cb.aio_lio_opcode == IOCB_CMD_PWRITEV, &res);
		break;
	case IOCB_CMD_FSYNC:
	case IOCB_CMD_FDSYNC:
		if (cb.aio_buf || cb.aio_offset || cb.aio_nbytes || cb.aio_rw_flags) {
			r = -EINVAL;
			break;
		}
		/* Files with an fsync: the regular ones and directories (pipes and sockets have none). */
		if (!S_ISREG(f->inode->mode) && !S_ISDIR(f->inode->mode)) {
			r = -EINVAL;
			break;
		}
		r = 0;
		res = f->ops && f->ops->fsync ? f->ops->fsync(f, cb.aio_lio_opcode == IOCB_CMD_FDSYNC) : 0;
		break;
	case IOCB_CMD_POLL: {
		struct aio_poll *p;
		uint64_t d = 0;
		uint32_t events = (uint32_t)cb.aio_buf | POLLERR | POLLHUP;
		int i;

		if ((uint16_t)cb.aio_buf != cb.aio_buf || cb.aio_offset || cb.aio_nbytes || cb.aio_rw_flags) {
			r = -EINVAL;
			break;
		}
		r = 0;
		if (vfs_poll(f, &d) & events) {
			res = vfs_poll(f, &d) & events;
			break;
		}
		p = calloc(1, sizeof(*p));
		if (!p) {
			r = -ENOMEM;
			break;
		}
		p->ctx = c;
		p->f = f;
		p->resfd = resfd;
		p->obj = ucb;
		p->data = cb.aio_data;
		p->events = events;
		vfs_pollset_init(&p->ps, NULL);
		vfs_pollset_add(&p->ps, f);
		for (i = 0; i < p->ps.nw; i++) {
			p->ps.w[i]->task = NULL;
			p->ps.w[i]->fn = poll_wake;
			p->ps.w[i]->priv = p;
		}
		p->next = c->polls;
		c->polls = p;
		c->inflight++;
		return 0; /* the poll holds f and resfd now */
	}
	default:
		r = -EINVAL;
		break;
	}
	if (r == 0 && !c->dead)
		aio_complete(c, ucb, cb.aio_data, res, resfd);
out:
	file_put(f);
	if (resfd)
		file_put(resfd);
	return r;
}

SYSCALL(io_submit)
{
	int64_t nr = (int64_t)a[1], i;
	struct aio_ctx *c;
	long r = 0;

	if (nr < 0)
		return -EINVAL;
	c = ctx_lookup(t, a[0]);
	if (!c)
		return -EINVAL;
	if (nr > c->nr)
		nr = c->nr;
	c->refs++; /* a blocking read inside may let another thread destroy it */
	for (i = 0; i < nr && !c->dead; i++) {
		uint64_t ucb;

		if (mm_copy_in(t->mm, &ucb, a[2] + (uint64_t)i * sizeof(ucb), sizeof(ucb)) < 0) {
			r = -EFAULT;
			break;
		}
		r = submit_one(t, c, ucb);
		if (r < 0)
			break;
	}
	ctx_put(c);
	return i ? i : r;
}

SYSCALL(io_cancel)
{
	gva_t ucb = a[1];
	struct aio_ctx *c;
	struct aio_poll *p;
	uint32_t key;

	if (mm_copy_in(t->mm, &key, ucb + offsetof(struct iocb, aio_key), sizeof(key)) < 0)
		return -EFAULT;
	if (key != 0)
		return -EINVAL;
	c = ctx_lookup(t, a[0]);
	if (!c)
		return -EINVAL;
	/* Only polls wait; the others completed inside io_submit, and are no longer cancellable. */
	for (p = c->polls; p; p = p->next)
		if (p->obj == ucb && !p->done) {
			poll_complete(p, poll_mask(p));
			poll_reap(c);
			return -EINPROGRESS; /* the event comes through the ring, as Linux's */
		}
	return -EINVAL;
}

/* ---- reaping ---- */

/* Copies up to nr events out of the ring to uev: how many, or -EFAULT when none could be. */
static long reap(struct task *t, struct aio_ctx *c, gva_t uev, int64_t nr)
{
	struct aio_ring *h = ring_hdr(c);
	uint32_t head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE) % c->nr;
	long got = 0;

	while (got < nr && head != c->tail) {
		if (mm_copy_out(t->mm, uev + (uint64_t)got * AIO_EVENT, ring_slot(c, head), AIO_EVENT) < 0) {
			if (!got)
				got = -EFAULT;
			break;
		}
		got++;
		head = (head + 1) % c->nr;
	}
	__atomic_store_n(&h->head, head, __ATOMIC_RELEASE);
	return got;
}

/*
 * read_events: waits until min_nr events came (or the timeout, a signal, the
 * context's death), collecting as it goes.  ns < 0: no timeout; 0: no wait.
 */
static long getevents(struct task *t, uint64_t id, int64_t min_nr, int64_t nr, gva_t uev, int64_t ns, int *intr)
{
	uint64_t deadline = ns > 0 ? host_realtime_ns() + (uint64_t)ns : 0;
	struct aio_ctx *c = ctx_lookup(t, id);
	long got = 0, r = 0;

	if (!c)
		return -EINVAL;
	if (min_nr > nr || min_nr < 0 || nr < 0)
		return -EINVAL;
	c->refs++;
	for (;;) {
		long n = c->dead ? 0 : reap(t, c, uev + (uint64_t)got * AIO_EVENT, nr - got);

		if (n < 0) {
			r = n;
			break;
		}
		got += n;
		if (c->dead) {
			r = -EINVAL;
			break;
		}
		if (got >= min_nr || ns == 0)
			break;
		n = task_block(t, &c->wq, deadline);
		if (n == -ETIMEDOUT)
			break;
		if (n == -ERESTARTSYS) {
			*intr = 1;
			break;
		}
	}
	ctx_put(c);
	return got ? got : r;
}

/* A timeout as read_events takes it: not checked for range, <= 0 means no wait; NULL (-1) none. */
static long get_timeout(struct task *t, gva_t uts, int64_t *ns)
{
	struct abi_timespec ts;

	*ns = -1;
	if (!uts)
		return 0;
	if (mm_copy_in(t->mm, &ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || (ts.tv_sec == 0 && ts.tv_nsec <= 0))
		*ns = 0;
	else
		*ns = ts.tv_sec >= INT64_MAX / 1000000000LL - 1 ? -1 : ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (*ns < -1)
		*ns = 0;
	return 0;
}

SYSCALL(io_getevents)
{
	int64_t ns;
	int intr = 0;
	long r = get_timeout(t, a[4], &ns);

	if (r < 0)
		return r;
	r = getevents(t, a[0], (int64_t)a[1], (int64_t)a[2], a[3], ns, &intr);
	return r == 0 && (intr || task_signal_pending(t)) ? -EINTR : r;
}

SYSCALL(io_pgetevents)
{
	struct {
		uint64_t sigmask, sigsetsize;
	} us = {0, 0};
	int64_t ns;
	int intr = 0;
	long r = get_timeout(t, a[4], &ns);

	if (r < 0)
		return r;
	if (a[5] && mm_copy_in(t->mm, &us, a[5], sizeof(us)) < 0)
		return -EFAULT;
	if (us.sigmask) {
		r = task_begin_wait_sigmask(t, us.sigmask, us.sigsetsize);
		if (r < 0)
			return r;
	}
	r = getevents(t, a[0], (int64_t)a[1], (int64_t)a[2], a[3], ns, &intr);
	if (r == 0 && (intr || task_signal_pending(t)))
		r = -ERESTARTNOHAND;
	return us.sigmask ? task_end_wait_sigmask(t, r) : r;
}

/* ---- /proc/sys/fs ---- */

static void show_aio_nr(struct proc_buf *b) { proc_printf(b, "%lu\n", (unsigned long)aio_nr); }
static void show_aio_max_nr(struct proc_buf *b) { proc_printf(b, "%lu\n", (unsigned long)aio_max_nr); }

static const struct proc_file sys_aio_nr = {"sys/fs", "aio-nr", show_aio_nr, NULL};
static const struct proc_file sys_aio_max_nr = {"sys/fs", "aio-max-nr", show_aio_max_nr, NULL};
PROC_FILE(sys_aio_nr)
PROC_FILE(sys_aio_max_nr)
