/*
 * Processes: fork (and vfork, done as a copy-on-write fork whose parent
 * waits for the child's exec or exit), exit, zombies, reparenting to pid 1,
 * wait4/waitid, and signals between processes.  Threads (CLONE_THREAD,
 * CLONE_VM without CLONE_VFORK) come with the process issue.
 *
 * Each process is one task on its own host thread, tracing its own stub.
 * Locking: sentry_lock protects the task list and tree; task_cond is
 * broadcast on every exit or exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "../../syscalls/syscalls.h"
#include "../../vfs/vfs.h"
#include "../host/host.h"
#include "../log.h"
#include "../mm/mm.h"
#include "task.h"

pthread_cond_t task_cond = PTHREAD_COND_INITIALIZER;

static struct task *all_tasks;
static struct task *init_task;
static int last_pid = 1;
static int ntasks;

void task_register_init(struct task *t)
{
	init_task = t;
	t->next_task = all_tasks;
	all_tasks = t;
	ntasks = 1;
}

struct task *task_find(int pid)
{
	struct task *t;

	for (t = all_tasks; t; t = t->next_task)
		if (t->tid == pid && !t->zombie)
			return t;
	return NULL;
}

static int alloc_pid(void)
{
	for (;;) {
		struct task *t;

		if (++last_pid >= 4194304)
			last_pid = 2;
		for (t = all_tasks; t && t->tid != last_pid; t = t->next_task)
			;
		if (!t)
			return last_pid;
	}
}

static void unlink_task(struct task *t)
{
	struct task **pp;

	for (pp = &all_tasks; *pp; pp = &(*pp)->next_task)
		if (*pp == t) {
			*pp = t->next_task;
			break;
		}
	if (t->parent)
		for (pp = &t->parent->children; *pp; pp = &(*pp)->sibling)
			if (*pp == t) {
				*pp = t->sibling;
				break;
			}
	ntasks--;
}

static struct fdtable *fdt_copy(struct fdtable *src)
{
	struct fdtable *t = fdt_new();
	int fd;

	if (!t)
		return NULL;
	for (fd = 0; fd < src->size; fd++)
		if (src->fds[fd] && fdt_install_at(t, fd, src->fds[fd], fdt_get_cloexec(src, fd)) < 0) {
			fdt_put(t);
			return NULL;
		}
	return t;
}

static struct fs_context *fs_copy(struct fs_context *src)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	*fs = *src;
	fs->refs = 1;
	path_get(&fs->root);
	path_get(&fs->cwd);
	return fs;
}

static void fs_put(struct fs_context *fs)
{
	if (--fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}

struct child_start {
	struct task *t;
	gva_t child_tid; /* CLONE_CHILD_SETTID */
};

static void task_exit_notify(struct task *t);

/* The host thread of a new process: its own stub, then the run loop. */
static void *child_main(void *arg)
{
	struct child_start *cs = arg;
	struct task *t = cs->t;
	int err = 0, status;

	pthread_mutex_lock(&sentry_lock);
	err = mm_attach(t->mm);
	if (err == 0) {
		t->ctx = plat->ctx_create(t->mm->as, &err);
		if (cs->child_tid)
			mm_copy_out(t->mm, cs->child_tid, &t->tid, sizeof(int));
	}
	free(cs);
	pthread_mutex_unlock(&sentry_lock);
	if (err < 0) {
		log_warn("cannot start a new process (%d)", err);
		task_exit_group(t, SIGKILL);
	}
	status = err < 0 ? SIGKILL : task_run(t);
	(void)status;
	pthread_mutex_lock(&sentry_lock);
	task_exit_notify(t);
	pthread_mutex_unlock(&sentry_lock);
	return NULL;
}

#define CLONE_KNOWN                                                                                        \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | CLONE_PTRACE |         \
	 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_NEWNS | CLONE_SYSVSEM | CLONE_SETTLS |            \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED |                     \
	 CLONE_CHILD_SETTID | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |               \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_IO)

static long do_fork(struct task *p, uint64_t flags, gva_t newsp, gva_t ptid, gva_t ctid, gva_t tls)
{
	struct child_start *cs;
	struct task *c;
	pthread_attr_t attr;
	int err = 0;

	if (flags & ~(uint64_t)CLONE_KNOWN)
		return -EINVAL;
	if ((flags & CLONE_THREAD) || ((flags & CLONE_VM) && !(flags & CLONE_VFORK)))
		return -ENOSYS; /* threads: not yet */
	if (flags & (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET |
		     CLONE_NEWCGROUP))
		return -EPERM;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* Held even for root: the sandbox's process limit is a resource limit of the host's. */
	if ((uint64_t)ntasks >= p->rlim[RLIMIT_NPROC].rlim_cur)
		return -EAGAIN;
	c = calloc(1, sizeof(*c));
	cs = calloc(1, sizeof(*cs));
	if (!c || !cs)
		goto nomem;
	memcpy(c->sigact, p->sigact, sizeof(c->sigact));
	c->sigmask = p->sigmask;
	c->cred = p->cred;
	memcpy(c->rlim, p->rlim, sizeof(c->rlim));
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->dumpable = p->dumpable;
	c->no_new_privs = p->no_new_privs;
	c->start_ns = host_monotonic_ns();
	c->cur_nr = -1;
	c->mm = mm_fork(p->mm, &err);
	if (!c->mm)
		goto fail;
	if (flags & CLONE_FILES) {
		c->files = p->files;
		c->files->refs++;
	} else if (!(c->files = fdt_copy(p->files))) {
		goto nomem;
	}
	if (flags & CLONE_FS) {
		c->fs = p->fs;
		c->fs->refs++;
	} else if (!(c->fs = fs_copy(p->fs))) {
		goto nomem;
	}
	c->regs = p->regs;
	c->regs.rax = 0;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	c->tid = c->tgid = alloc_pid();
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->parent = (flags & CLONE_PARENT) && p->parent ? p->parent : p;
	c->ppid = c->parent->tgid;
	c->sibling = c->parent->children;
	c->parent->children = c;
	c->next_task = all_tasks;
	all_tasks = c;
	ntasks++;
	if ((flags & CLONE_PARENT_SETTID) && mm_copy_out(p->mm, ptid, &c->tid, sizeof(int)) < 0) {
		/* Linux has already made the child; so do we. */
	}
	cs->t = c;
	cs->child_tid = (flags & CLONE_CHILD_SETTID) ? ctid : 0;
	c->vfork_waiting = !!(flags & CLONE_VFORK);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	if (pthread_create(&c->thread, &attr, child_main, cs) != 0) {
		pthread_attr_destroy(&attr);
		unlink_task(c);
		err = -EAGAIN;
		goto fail;
	}
	pthread_attr_destroy(&attr);
	err = c->tid;
	/* vfork: the parent sleeps until the child has exec'd or exited. */
	while (c->vfork_waiting)
		pthread_cond_wait(&task_cond, &sentry_lock);
	return err;

nomem:
	err = -ENOMEM;
fail:
	if (c) {
		if (c->mm)
			mm_put(c->mm);
		if (c->files)
			fdt_put(c->files);
		if (c->fs)
			fs_put(c->fs);
	}
	free(c);
	free(cs);
	return err;
}

void task_vfork_release(struct task *t)
{
	if (t->vfork_waiting) {
		t->vfork_waiting = 0;
		pthread_cond_broadcast(&task_cond);
	}
}

/* Called with the lock held when a process's run loop has ended. */
static void task_exit_notify(struct task *t)
{
	struct task *c, *next;
	struct abi_sigaction *sa;

	timer_cancel_locked(&t->itimer_real);
	if (t->mm) {
		mm_put(t->mm);
		t->mm = NULL;
	}
	if (t->ctx) {
		plat->ctx_destroy(t->ctx);
		t->ctx = NULL;
	}
	if (t->files) {
		fdt_put(t->files);
		t->files = NULL;
	}
	if (t->fs) {
		fs_put(t->fs);
		t->fs = NULL;
	}
	task_vfork_release(t);
	/* Orphans go to pid 1. */
	for (c = t->children; c; c = next) {
		next = c->sibling;
		c->parent = init_task;
		c->ppid = init_task->tgid;
		c->sibling = init_task->children;
		init_task->children = c;
	}
	t->children = NULL;
	t->zombie = 1;
	if (t->parent && !t->parent->zombie) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGCHLD;
		si.si_pid = t->tgid;
		si.si_uid = t->cred.uid;
		if (t->exit_status & 0x7f) {
			si.si_code = (t->exit_status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			si.si_status = t->exit_status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (t->exit_status >> 8) & 0xff;
		}
		task_send_signal(t->parent, SIGCHLD, &si);
	}
	sa = t->parent ? &t->parent->sigact[SIGCHLD - 1] : NULL;
	if (sa && (sa->handler == (uint64_t)SIG_IGN || (sa->flags & SA_NOCLDWAIT))) {
		/* Nobody will wait: reaped at once, as Linux does. */
		unlink_task(t);
		free(t);
	}
	pthread_cond_broadcast(&task_cond);
}

SYSCALL(clone) { return do_fork(t, a[0], a[1], a[2], a[3], a[4]); }
SYSCALL(fork) { (void)a; return do_fork(t, SIGCHLD, 0, 0, 0, 0); }
SYSCALL(vfork) { (void)a; return do_fork(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0); }

static int matches(struct task *t, struct task *c, int pid)
{
	if (pid > 0)
		return c->tgid == pid;
	if (pid == -1)
		return 1;
	if (pid == 0)
		return c->pgid == t->pgid;
	return c->pgid == -pid;
}

/* Finds a matching child; returns its pid after reaping it (or 0 with WNOHANG), or -errno. */
static long wait_child(struct task *t, int pid, int options, int *status, struct task **found)
{
	for (;;) {
		struct task *c;
		int any = 0;

		for (c = t->children; c; c = c->sibling) {
			if (!matches(t, c, pid))
				continue;
			any = 1;
			if (c->zombie) {
				*found = c;
				*status = c->exit_status;
				return c->tgid;
			}
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		if (task_signal_pending(t))
			return -ERESTARTSYS;
		pthread_cond_wait(&task_cond, &sentry_lock);
	}
}

SYSCALL(wait4)
{
	int pid = (int)a[0], options = (int)a[2], status = 0;
	struct task *c = NULL;
	long r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	r = wait_child(t, pid, options, &status, &c);
	if (r <= 0)
		return r;
	if (a[1] && mm_copy_out(t->mm, a[1], &status, sizeof(status)) < 0)
		return -EFAULT;
	if (a[3]) {
		struct rusage ru;

		memset(&ru, 0, sizeof(ru));
		if (mm_copy_out(t->mm, a[3], &ru, sizeof(ru)) < 0)
			return -EFAULT;
	}
	unlink_task(c);
	free(c);
	return r;
}

SYSCALL(waitid)
{
	int idtype = (int)a[0], id = (int)a[1], options = (int)a[3], status = 0, pid;
	struct task *c = NULL;
	siginfo_t si;
	long r;

	if (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_ALL: pid = -1; break;
	case P_PID: if (id <= 0) return -EINVAL; pid = id; break;
	case P_PGID: if (id < 0) return -EINVAL; pid = id ? -id : 0; break;
	default: return -EINVAL;
	}
	if (!(options & WEXITED))
		return (options & WNOHANG) ? 0 : -ECHILD;
	r = wait_child(t, pid, options, &status, &c);
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = (pid_t)r;
		si.si_uid = c->cred.uid;
		if (status & 0x7f) {
			si.si_code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			si.si_status = status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (status >> 8) & 0xff;
		}
	}
	if (r < 0)
		return r;
	if (a[2] && mm_copy_out(t->mm, a[2], &si, sizeof(si)) < 0)
		return -EFAULT;
	if (r > 0 && !(options & WNOWAIT)) {
		unlink_task(c);
		free(c);
	}
	return 0;
}

/* A signal from t to target, as kill(2) sends it. */
long task_signal_other(struct task *t, struct task *target, int sig, int code)
{
	siginfo_t si;

	if (sig == 0)
		return 0;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = t->tgid;
	si.si_uid = t->cred.uid;
	task_send_signal(target, sig, &si);
	return 0;
}

static long check_sig(int sig)
{
	return sig < 0 || sig > 64 ? -EINVAL : 0;
}

SYSCALL(kill)
{
	int pid = (int)a[0], sig = (int)a[1], any = 0;
	struct task *x, *next;
	long r = check_sig(sig);

	if (r < 0)
		return r;
	if (pid > 0) {
		x = task_find(pid);
		return x ? task_signal_other(t, x, sig, SI_USER) : -ESRCH;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	/* A group (0: the caller's, < -1: -pid), or everyone but pid 1 (-1). */
	for (x = all_tasks; x; x = next) {
		next = x->next_task;
		if (x->zombie)
			continue;
		if (pid == -1 ? (x->tgid == 1 || x == t) : x->pgid != (pid == 0 ? t->pgid : -pid))
			continue;
		any = 1;
		task_signal_other(t, x, sig, SI_USER);
	}
	if (pid == -1 && sig)
		task_signal_other(t, t, sig, SI_USER);
	return any || pid == -1 ? 0 : -ESRCH;
}

SYSCALL(tkill)
{
	struct task *x;

	if ((int)a[0] <= 0 || check_sig((int)a[1]) < 0)
		return -EINVAL;
	x = task_find((int)a[0]);
	return x ? task_signal_other(t, x, (int)a[1], SI_TKILL) : -ESRCH;
}

SYSCALL(tgkill)
{
	struct task *x;

	if ((int)a[0] <= 0 || (int)a[1] <= 0 || check_sig((int)a[2]) < 0)
		return -EINVAL;
	x = task_find((int)a[1]);
	if (!x || x->tgid != (int)a[0])
		return -ESRCH;
	return task_signal_other(t, x, (int)a[2], SI_TKILL);
}
