/*
 * poll, ppoll, select, pselect6: readiness from each file's poll op; a
 * waiter links itself to the wait queues of every file it polls
 * (vfs_pollset) and sleeps until one of them is woken.  ppoll and pselect6 wait under the mask they are given
 * (task_begin_wait_sigmask).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

/*
 * Blocks on the files ps links until one is woken, a signal comes or wake
 * (host realtime ns; 0 = none) passes.  1: look again; 0: the call's own
 * deadline has passed; -ERESTARTNOHAND: interrupted.
 */
static int block(struct task *t, struct vfs_pollset *ps, uint64_t wake, uint64_t deadline)
{
	int b = task_block(t, NULL, wake);

	vfs_pollset_clear(ps);
	if (b == -ERESTARTSYS)
		return -ERESTARTNOHAND;
	if (b == -ETIMEDOUT && wake == deadline)
		return 0;
	return 1;
}

static long do_poll(struct task *t, gva_t ufds, uint64_t nfds, int64_t timeout_ns)
{
	struct vfs_pollset ps;
	struct pollfd *fds;
	uint64_t deadline = timeout_ns > 0 ? host_realtime_ns() + (uint64_t)timeout_ns : 0, wake;
	long r = 0;
	uint64_t i;

	if (nfds > t->tg->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	fds = calloc(nfds ? nfds : 1, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	if (mm_copy_in(t->mm, fds, ufds, nfds * sizeof(*fds)) < 0) {
		free(fds);
		return -EFAULT;
	}
	vfs_pollset_init(&ps, t);
	for (;;) {
		r = 0;
		wake = deadline;
		for (i = 0; i < nfds; i++) {
			struct file *f;

			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			f = fdt_get(t->files, fds[i].fd);
			if (!f) {
				fds[i].revents = POLLNVAL;
			} else {
				uint64_t d = 0;

				fds[i].revents = (short)(vfs_poll(f, &d) & ((unsigned)fds[i].events | POLLHUP | POLLERR));
				if (d && (!wake || d < wake))
					wake = d;
				if (!r && timeout_ns)
					vfs_pollset_add(&ps, f);
				file_put(f);
			}
			if (fds[i].revents)
				r++;
		}
		if (r || timeout_ns == 0 || t->exiting) {
			vfs_pollset_clear(&ps);
			break;
		}
		r = block(t, &ps, wake, deadline);
		if (r <= 0)
			break;
	}
	if (r < 0) {
		free(fds);
		return r;
	}
	if (mm_copy_out(t->mm, ufds, fds, nfds * sizeof(*fds)) < 0)
		r = -EFAULT;
	free(fds);
	return r;
}

SYSCALL(poll)
{
	int ms = (int)a[2];

	return do_poll(t, a[0], a[1], ms < 0 ? -1 : (int64_t)ms * 1000000);
}

static long get_timeout(struct task *t, gva_t uts, int64_t *ns)
{
	struct abi_timespec ts;

	*ns = -1;
	if (!uts)
		return 0;
	if (mm_copy_in(t->mm, &ts, uts, sizeof(ts)) < 0)
		return -EFAULT;
	if (!abi_timespec_valid(&ts))
		return -EINVAL;
	*ns = ts.tv_sec * 1000000000LL + ts.tv_nsec;
	return 0;
}

SYSCALL(ppoll)
{
	int64_t ns;
	long r = get_timeout(t, a[2], &ns);

	if (r < 0)
		return r;
	r = task_begin_wait_sigmask(t, a[3], a[4]);
	if (r < 0)
		return r;
	return task_end_wait_sigmask(t, do_poll(t, a[0], a[1], ns));
}

/* select on bitmaps of nfds bits. */
static long do_select(struct task *t, int nfds, gva_t uin, gva_t uout, gva_t uex, int64_t timeout_ns)
{
	size_t words = ((size_t)nfds + 63) / 64, bytes = ((size_t)nfds + 7) / 8;
	uint64_t *in = NULL, *out = NULL, *ex = NULL, *rin, *rout, *rex;
	struct vfs_pollset ps;
	uint64_t deadline = timeout_ns > 0 ? host_realtime_ns() + (uint64_t)timeout_ns : 0, wake;
	long r;
	int fd;

	if (nfds < 0 || (uint64_t)nfds > t->tg->rlim[RLIMIT_NOFILE].rlim_cur + 1024)
		return -EINVAL;
	in = calloc(words * 6 + 1, 8);
	if (!in)
		return -ENOMEM;
	out = in + words;
	ex = out + words;
	rin = ex + words;
	rout = rin + words;
	rex = rout + words;
	if ((uin && mm_copy_in(t->mm, in, uin, bytes) < 0) || (uout && mm_copy_in(t->mm, out, uout, bytes) < 0) ||
	    (uex && mm_copy_in(t->mm, ex, uex, bytes) < 0)) {
		free(in);
		return -EFAULT;
	}
	vfs_pollset_init(&ps, t);
	for (;;) {
		r = 0;
		wake = deadline;
		memset(rin, 0, words * 24);
		for (fd = 0; fd < nfds; fd++) {
			uint64_t bit = 1ULL << (fd % 64);
			int w = fd / 64;
			struct file *f;
			unsigned m;

			if (!((in[w] | out[w] | ex[w]) & bit))
				continue;
			f = fdt_get(t->files, fd);
			if (!f) {
				vfs_pollset_clear(&ps);
				free(in);
				return -EBADF;
			}
			{
				uint64_t d = 0;

				m = vfs_poll(f, &d);
				if (d && (!wake || d < wake))
					wake = d;
			}
			if (!r && timeout_ns)
				vfs_pollset_add(&ps, f);
			file_put(f);
			if ((in[w] & bit) && (m & (POLLIN | POLLHUP | POLLERR)))
				rin[w] |= bit, r++;
			if ((out[w] & bit) && (m & (POLLOUT | POLLERR)))
				rout[w] |= bit, r++;
			if ((ex[w] & bit) && (m & POLLPRI))
				rex[w] |= bit, r++;
		}
		if (r || timeout_ns == 0 || t->exiting) {
			vfs_pollset_clear(&ps);
			break;
		}
		r = block(t, &ps, wake, deadline);
		if (r < 0) {
			free(in);
			return r;
		}
		if (r == 0)
			break;
	}
	if ((uin && mm_copy_out(t->mm, uin, rin, bytes) < 0) || (uout && mm_copy_out(t->mm, uout, rout, bytes) < 0) ||
	    (uex && mm_copy_out(t->mm, uex, rex, bytes) < 0))
		r = -EFAULT;
	free(in);
	return r;
}

SYSCALL(select)
{
	struct abi_timeval tv;
	int64_t ns = -1;

	if (a[4]) {
		if (mm_copy_in(t->mm, &tv, a[4], sizeof(tv)) < 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ns = tv.tv_sec * 1000000000LL + tv.tv_usec * 1000;
	}
	return do_select(t, (int)a[0], a[1], a[2], a[3], ns);
}

SYSCALL(pselect6)
{
	struct {
		uint64_t set, size;
	} sig = {0, 0};
	int64_t ns;
	long r = get_timeout(t, a[4], &ns);

	if (r < 0)
		return r;
	/* The sixth argument points at {const sigset_t *, size_t}. */
	if (a[5] && mm_copy_in(t->mm, &sig, a[5], sizeof(sig)) < 0)
		return -EFAULT;
	r = task_begin_wait_sigmask(t, sig.set, sig.size);
	if (r < 0)
		return r;
	return task_end_wait_sigmask(t, do_select(t, (int)a[0], a[1], a[2], a[3], ns));
}
