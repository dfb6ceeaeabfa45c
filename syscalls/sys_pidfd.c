/*
 * pidfds: a file that names a process (pidfd_open, pidfd_send_signal, and
 * waitid's P_PIDFD through task_pidfd_pid).  Here rather than beside the
 * process code in sentry/kernel/, which is below the VFS a pidfd is a file of.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/proc/proc.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

static unsigned pidfd_poll(struct file *f, uint64_t *deadline)
{
	struct thread_group *g = tg_find((int)(intptr_t)f->priv);

	(void)deadline;
	return !g || g->zombie ? POLLIN | POLLRDNORM : 0;
}

static void pidfd_wait_link(struct file *f, struct vfs_pollset *ps)
{
	(void)f;
	vfs_pollset_add_queue(ps, &task_pidfd_wq);
}

static const struct file_ops pidfd_fops = {.poll = pidfd_poll, .wait_link = pidfd_wait_link, .dname = "anon_inode:[pidfd]"};

/* The pid a pidfd names, or -EBADF / -EINVAL. */
int pidfd_pid(struct task *t, int fd)
{
	struct file *f = fdt_get(t->files, fd);
	int pid;

	if (!f)
		return -EBADF;
	pid = f->ops == &pidfd_fops ? (int)(intptr_t)f->priv : -EBADF; /* not a pidfd: EBADF, as Linux */
	file_put(f);
	return pid;
}

long pidfd_new(struct task *t, int tgid, int flags)
{
	struct inode *ino = anon_inode(S_IFREG | 0600);
	struct file *f;
	long fd;

	if (!ino)
		return -ENOMEM;
	ino->fops = &pidfd_fops;
	f = file_new(NULL, ino, &pidfd_fops, O_RDWR | (flags & O_NONBLOCK));
	inode_put(ino);
	if (!f)
		return -ENOMEM;
	f->priv = (void *)(intptr_t)tgid;
	fd = fdt_install(t->files, f, 0, (flags & O_CLOEXEC) != 0, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);
	file_put(f);
	return fd;
}

SYSCALL(pidfd_open)
{
	struct thread_group *g = tg_find_vnr(t, (int)a[0]);

	if (a[1] & ~(uint64_t)O_NONBLOCK)
		return -EINVAL;
	if ((int)a[0] <= 0)
		return -EINVAL;
	if (!g)
		return -ESRCH; /* a zombie is still there, until it is reaped */
	return pidfd_new(t, g->tgid, O_CLOEXEC | (int)(a[1] & O_NONBLOCK));
}

/* pidfd_send_signal also takes the fd of a /proc/PID directory for the process, as Linux does. */
static int signal_target(struct task *t, int fd)
{
	struct file *f = fdt_get(t->files, fd);
	int pid;

	if (!f)
		return -EBADF;
	pid = f->ops == &pidfd_fops ? (int)(intptr_t)f->priv : procfs_dir_pid(f->inode);
	file_put(f);
	return pid;
}

SYSCALL(pidfd_send_signal)
{
	int pid = signal_target(t, (int)a[0]), sig = (int)a[1];
	struct thread_group *g;
	siginfo_t si;

	if (pid < 0)
		return pid;
	if (a[3])
		return -EINVAL;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	g = tg_find(pid);
	if (!g)
		return -ESRCH;
	if (!may_signal(t, g, sig))
		return -EPERM;
	if (a[2]) {
		if (mm_copy_in(t->mm, &si, a[2], sizeof(si)) < 0)
			return -EFAULT;
		if (si.si_signo != sig)
			return -EINVAL; /* the info must be of the signal sent (Linux) */
		if ((si.si_code >= 0 || si.si_code == SI_TKILL) && g != t->tg)
			return -EPERM;
	} else {
		fill_user_info(t, &si, sig, SI_USER);
		si.si_pid = tg_pid_for(g, t->tg->tgid);
	}
	if (sig && !g->zombie && !task_ns_init_ignores(t, g, sig))
		tg_send_signal(g, sig, &si);
	return 0;
}

/*
 * pidfd_getfd: a duplicate of another process's fd, close-on-exec, for a
 * caller that may ptrace-attach to it (as process_vm_readv's rule).
 */
SYSCALL(pidfd_getfd)
{
	int pid, r;
	struct thread_group *g;
	struct task *x;
	struct file *f;

	if (a[2])
		return -EINVAL;
	pid = pidfd_pid(t, (int)a[0]);
	if (pid < 0)
		return pid;
	g = tg_find(pid);
	x = g ? (g->leader ? g->leader : g->threads) : NULL;
	if (!x || g->zombie || !x->files)
		return -ESRCH; /* exited, reaped or not, as Linux answers */
	r = task_may_access(t, x);
	if (r < 0)
		return r;
	f = fdt_get(x->files, (int)a[1]);
	if (!f)
		return -EBADF;
	r = fdt_install(t->files, f, 0, 1, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);
	file_put(f);
	return r;
}
