/* Event fds and epoll: eventfd2, timerfd_*, signalfd4, epoll_*, memfd_create. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/epoll/epoll.h"
#include "../vfs/fs/event/event.h"
#include "../vfs/fs/inotify/inotify.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

/* Installs a new file and drops our reference: the fd, or -EMFILE. */
static long install(struct task *t, struct file *f, int cloexec)
{
	long fd = fdt_install(t->files, f, 0, cloexec, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);

	file_put(f);
	return fd;
}

SYSCALL(eventfd2)
{
	struct file *f;
	long r = eventfd_create((unsigned)a[0], (int)a[1], &f);

	return r < 0 ? r : install(t, f, !!(a[1] & EFD_CLOEXEC_));
}

SYSCALL(eventfd)
{
	struct file *f;
	long r = eventfd_create((unsigned)a[0], 0, &f);

	return r < 0 ? r : install(t, f, 0);
}

SYSCALL(timerfd_create)
{
	struct file *f;
	long r = timerfd_create_file((int)a[0], (int)a[1], &f);

	return r < 0 ? r : install(t, f, !!(a[1] & TFD_CLOEXEC));
}

struct abi_itimerspec {
	struct abi_timespec interval, value;
};

static uint64_t ts_ns(const struct abi_timespec *ts)
{
	return abi_timespec_ns(ts);
}

static struct abi_timespec ns_ts(uint64_t ns)
{
	struct abi_timespec ts = {(int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL)};

	return ts;
}

static long timerfd_file(struct task *t, int fd, struct file **out)
{
	*out = fdt_get(t->files, fd);
	if (!*out)
		return -EBADF;
	if (!is_timerfd(*out)) {
		file_put(*out);
		return -EINVAL;
	}
	return 0;
}

SYSCALL(timerfd_settime)
{
	struct abi_itimerspec nv, old;
	struct file *f;
	uint64_t v, i;
	long r;

	if (a[1] & ~(uint64_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (mm_copy_in(t->mm, &nv, a[2], sizeof(nv)) < 0)
		return -EFAULT;
	if (!abi_timespec_valid(&nv.value) || !abi_timespec_valid(&nv.interval))
		return -EINVAL;
	if ((r = timerfd_file(t, (int)a[0], &f)) < 0)
		return r;
	timerfd_get(f, &v, &i);
	old.value = ns_ts(v);
	old.interval = ns_ts(i);
	timerfd_set(f, ts_ns(&nv.value), ts_ns(&nv.interval), !!(a[1] & TFD_TIMER_ABSTIME));
	file_put(f);
	if (a[3] && mm_copy_out(t->mm, a[3], &old, sizeof(old)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(timerfd_gettime)
{
	struct abi_itimerspec cur;
	struct file *f;
	uint64_t v, i;
	long r;

	if ((r = timerfd_file(t, (int)a[0], &f)) < 0)
		return r;
	timerfd_get(f, &v, &i);
	file_put(f);
	cur.value = ns_ts(v);
	cur.interval = ns_ts(i);
	return mm_copy_out(t->mm, a[1], &cur, sizeof(cur));
}

SYSCALL(signalfd4)
{
	struct file *f = NULL;
	uint64_t mask;
	long r;

	if (a[2] != 8)
		return -EINVAL;
	if (a[3] & ~(uint64_t)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (mm_copy_in(t->mm, &mask, a[1], 8) < 0)
		return -EFAULT;
	if ((int)a[0] != -1) {
		f = fdt_get(t->files, (int)a[0]);
		if (!f)
			return -EBADF;
		r = signalfd_update(&f, mask, 0);
		file_put(f);
		return r < 0 ? r : (long)(int)a[0];
	}
	r = signalfd_update(&f, mask, (int)a[3]);
	return r < 0 ? r : install(t, f, !!(a[3] & SFD_CLOEXEC));
}

/* signalfd(2): signalfd4 without flags. */
SYSCALL(signalfd)
{
	const uint64_t b[6] = {a[0], a[1], a[2], 0, 0, 0};

	return sys_signalfd4(t, b);
}

SYSCALL(epoll_create1)
{
	struct file *f;
	long r;

	if (a[0] & ~(uint64_t)EPOLL_CLOEXEC)
		return -EINVAL;
	r = epoll_create_file(&f);
	return r < 0 ? r : install(t, f, !!(a[0] & EPOLL_CLOEXEC));
}

SYSCALL(epoll_create)
{
	struct file *f;
	long r;

	if ((int)a[0] <= 0)
		return -EINVAL;
	r = epoll_create_file(&f);
	return r < 0 ? r : install(t, f, 0);
}

SYSCALL(epoll_ctl)
{
	struct file *ep, *f = NULL;
	struct epoll_event ev = {0};
	long r;

	/* Linux's order: the event (EFAULT), both fds (EBADF), a target that cannot be polled (EPERM). */
	if ((int)a[1] != EPOLL_CTL_DEL && mm_copy_in(t->mm, &ev, a[3], sizeof(ev)) < 0)
		return -EFAULT;
	ep = fdt_get(t->files, (int)a[0]);
	if (!ep)
		return -EBADF;
	f = fdt_get(t->files, (int)a[2]);
	/* O_PATH descriptors are no files to watch, nor epolls (Linux's fdget: EBADF). */
	if (!f || (f->flags & O_PATH) || (ep->flags & O_PATH)) {
		r = -EBADF;
		goto out;
	}
	if (!f->ops || !f->ops->poll) {
		r = -EPERM;
		goto out;
	}
	if (!is_epoll(ep)) {
		r = -EINVAL;
		goto out;
	}
	r = epoll_ctl_file(ep, (int)a[1], (int)a[2], f, ev.events, ev.data.u64);
out:
	if (f)
		file_put(f);
	file_put(ep);
	return r;
}

static long do_epoll_wait(struct task *t, int epfd, gva_t uevents, int max, int64_t timeout_ns)
{
	struct epoll_event small[64], *ev = small;
	struct file *ep;
	long r;
	int n;

	if (max <= 0 || (uint64_t)max > (uint64_t)INT32_MAX / sizeof(ev[0]))
		return -EINVAL;
	ep = fdt_get(t->files, epfd);
	if (!ep)
		return -EBADF;
	if (!is_epoll(ep)) {
		file_put(ep);
		return -EINVAL;
	}
	/*
	 * As many as asked for, as Linux.  Past the stack buffer, no more than
	 * the interest list holds (counted only then: most waits ask for few).
	 */
	if ((size_t)max > sizeof(small) / sizeof(small[0])) {
		n = epoll_size(ep);
		if (max > n)
			max = n > 0 ? n : 1;
	}
	if ((size_t)max > sizeof(small) / sizeof(small[0]) && !(ev = malloc((size_t)max * sizeof(ev[0])))) {
		file_put(ep);
		return -ENOMEM;
	}
	r = epoll_wait_file(t, ep, ev, max, timeout_ns);
	file_put(ep);
	if (r > 0 && mm_copy_out(t->mm, uevents, ev, (size_t)r * sizeof(ev[0])) < 0)
		r = -EFAULT;
	if (ev != small)
		free(ev);
	return r;
}

SYSCALL(epoll_wait)
{
	int ms = (int)a[3];

	return do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ms < 0 ? -1 : (int64_t)ms * 1000000);
}

SYSCALL(epoll_pwait)
{
	int ms = (int)a[3];

	long r = task_begin_wait_sigmask(t, a[4], a[5]);

	if (r < 0)
		return r;
	return task_end_wait_sigmask(t, do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ms < 0 ? -1 : (int64_t)ms * 1000000));
}

SYSCALL(epoll_pwait2)
{
	struct abi_timespec ts;
	int64_t ns = -1;
	long r;

	if (a[3]) {
		if (mm_copy_in(t->mm, &ts, a[3], sizeof(ts)) < 0)
			return -EFAULT;
		if (!abi_timespec_valid(&ts))
			return -EINVAL;
		/* Past what ns can count (292 years) is forever, as in ppoll. */
		ns = ts.tv_sec >= INT64_MAX / 1000000000LL ? -1 : ts.tv_sec * 1000000000LL + ts.tv_nsec;
	}
	r = task_begin_wait_sigmask(t, a[4], a[5]);
	if (r < 0)
		return r;
	return task_end_wait_sigmask(t, do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ns));
}

/*
 * memfd_create: an unnamed tmpfs file, read-write, mode 0777 as Linux
 * makes it (vm.memfd_noexec 0).  Sealable with MFD_ALLOW_SEALING;
 * MFD_NOEXEC_SEAL takes the exec bits away and seals them off.
 */
SYSCALL(memfd_create)
{
	static struct super *memfd_sb;
	char name[250], shown[sizeof(name) + 32];
	struct inode *ino;
	struct file *f;
	long r;

	if (a[1] & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | ABI_MFD_NOEXEC_SEAL | ABI_MFD_EXEC))
		return -EINVAL;
	if (a[1] & MFD_HUGETLB)
		return -EINVAL;
	if ((a[1] & ABI_MFD_EXEC) && (a[1] & ABI_MFD_NOEXEC_SEAL))
		return -EINVAL;
	r = mm_strncpy_in(t->mm, name, a[0], sizeof(name));
	if (r < 0)
		return r == -ENAMETOOLONG ? -EINVAL : r;
	if (!memfd_sb && !(memfd_sb = tmpfs_anon_super(sandbox.memory)))
		return -ENOMEM;
	ino = tmpfs_anon_file(memfd_sb, 0);
	if (!ino)
		return -ENOMEM;
	ino->mode = S_IFREG | 0777;
	snprintf(shown, sizeof(shown), "/memfd:%s (deleted)", name);
	if (tmpfs_set_anon_name(ino, shown) < 0) {
		inode_put(ino);
		return -ENOMEM;
	}
	if (a[1] & ABI_MFD_NOEXEC_SEAL) {
		ino->mode &= ~0111U;
		*tmpfs_seals(ino) = ABI_F_SEAL_EXEC;
	} else if (a[1] & MFD_ALLOW_SEALING) {
		*tmpfs_seals(ino) = 0;
	}
	f = file_new(NULL, ino, ino->fops, O_RDWR | ABI_O_LARGEFILE);
	inode_put(ino);
	if (!f)
		return -ENOMEM;
	return install(t, f, !!(a[1] & MFD_CLOEXEC));
}

SYSCALL(inotify_init1)
{
	struct file *f;
	long r;

	if (a[0] & ~(uint64_t)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	r = inotify_create((int)a[0], &f);
	return r < 0 ? r : install(t, f, !!(a[0] & IN_CLOEXEC));
}

SYSCALL(inotify_init)
{
	struct file *f;
	long r = inotify_create(0, &f);

	(void)a;
	return r < 0 ? r : install(t, f, 0);
}

SYSCALL(inotify_add_watch)
{
	char path[ABI_PATH_MAX];
	struct file *f = fdt_get(t->files, (int)a[0]);
	struct path p;
	long r;

	if (!f)
		return -EBADF;
	if (!is_inotify(f)) {
		file_put(f);
		return -EINVAL;
	}
	r = mm_strncpy_in(t->mm, path, a[1], sizeof(path));
	if (r >= 0)
		r = vfs_walk(t, AT_FDCWD, path, (a[2] & IN_DONT_FOLLOW) ? 0 : WALK_FOLLOW, &p);
	if (r >= 0) {
		r = vfs_permission(t, p.d->inode, 4);
		if (r == 0)
			r = inotify_add(f, p.d->inode, (uint32_t)a[2]);
		path_put(&p);
	}
	file_put(f);
	return r;
}

SYSCALL(inotify_rm_watch)
{
	struct file *f = fdt_get(t->files, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = is_inotify(f) ? inotify_rm(f, (int)a[1]) : -EINVAL;
	file_put(f);
	return r;
}
