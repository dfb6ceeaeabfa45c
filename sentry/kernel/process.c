/*
 * Processes and threads: clone (threads with CLONE_THREAD, processes with
 * fork; vfork is a copy-on-write fork whose parent waits for the child's
 * exec or exit), thread and group exit, zombies, reparenting to pid 1 (of
 * the orphan's pid namespace), wait4/waitid, kill/tkill/tgkill.  Every pid
 * kept here is the global one (pidns.h); the system calls translate.
 *
 * Each task runs on its own host thread.  A new process gets a new stub
 * process (traced by its first host thread); a new thread gets a new stub
 * thread in its group's stub, created by the parent's host thread and
 * adopted by the new one (the platform's ctx_clone/ctx_adopt).
 *
 * Locking: sentry_lock protects the task and group lists and the tree.
 * Waits (wait.h): wait4/waitid and a vfork parent sleep on their own
 * group's child_wq, which a child's exit, stop, continue or exec wakes; an
 * exec waits on its group's exit_wq for the other threads to go; pidfd
 * pollers on task_pidfd_wq, woken by every exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
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
#include "../mm/memfile.h"
#include "../mm/mm.h"
#include "futex.h"
#include "ptrace.h"
#include "seccomp.h"
#include "task.h"

const struct task_files_ops *task_files;
/* sentry_run waits on this for pid 1's exit: it is no task. */
static pthread_cond_t init_exit_cond = PTHREAD_COND_INITIALIZER;
/* pidfd pollers (syscalls/sys_pidfd.c): every group's exit wakes them (few wait on pidfds). */
struct waitq task_pidfd_wq;

static struct task *all_tasks;
static struct thread_group *all_groups;
static struct thread_group *init_tg;
static int last_pid = 1;
static int ntasks;
/*
 * What a task costs beyond its pages, charged to the memory budget as Linux
 * charges kernel stacks to the memory cgroup: the sentry thread's stack and
 * structures and the stub thread's host memory (about 136 KiB a task
 * measured with 2048 sleeping processes).
 */
#define TASK_CHARGE (128 << 10)
static int nzombies; /* groups exited and not yet reaped: they keep their pid, as on Linux */

struct task *task_find(int tid)
{
	struct task *t;

	for (t = all_tasks; t; t = t->next_task)
		if (t->tid == tid && !t->exiting)
			return t;
	return NULL;
}

struct thread_group *tg_find(int tgid)
{
	struct thread_group *g;

	for (g = all_groups; g; g = g->next)
		if (g->tgid == tgid)
			return g;
	return NULL;
}

static int pid_used(int pid)
{
	struct task *t;
	struct thread_group *g;

	for (t = all_tasks; t; t = t->next_task)
		if (t->tid == pid)
			return 1;
	for (g = all_groups; g; g = g->next)
		if (g->tgid == pid || g->pgid == pid || g->sid == pid)
			return 1;
	return ptrace_exit_pending(pid);
}

/*
 * A global number may have stopped being used (a task, group, process
 * group or session let it go): its pid record goes with it (pidns.h).
 */
static void pid_release(int nr)
{
	if (pidns_nested && nr > 0 && !pid_used(nr))
		pidns_detach(nr);
}

void task_pid_release(int nr)
{
	pid_release(nr);
}

struct thread_group *tg_find_vnr(struct task *t, int nr)
{
	int g = task_gnr(t, nr);

	return g ? tg_find(g) : NULL;
}

struct task *task_find_vnr(struct task *t, int nr)
{
	int g = task_gnr(t, nr);

	return g ? task_find(g) : NULL;
}

int tg_pid_for(struct thread_group *target, int sender_gnr)
{
	return pidns_nested ? pidns_nr(pidns_of(target->tgid), sender_gnr) : sender_gnr;
}

uint8_t *task_xsave_scratch(struct task *t)
{
	if (!t->xsave_scratch)
		t->xsave_scratch = malloc(TASK_XSAVE_MAX);
	return t->xsave_scratch;
}

/* A container's pid 1 is its pid namespace's init (task_protect_init()). */
static int container_init;

void task_protect_init(void)
{
	container_init = 1;
}

/*
 * The init of a pid namespace (pid_namespaces(7)): a signal it has no
 * handler for is not sent, unless it is SIGKILL or SIGSTOP from a process
 * outside the namespace or from the kernel or the host (t NULL: a
 * terminal's, the runtime's kill).  That is every namespace below the
 * sandbox's first, and the first one's pid 1 in a container, as under runc;
 * `cvisor do`'s pid 1 is left alone, since natively the same program is no
 * init.
 */
int task_ns_init_ignores(struct task *t, struct thread_group *g, int sig)
{
	struct pid_ns *ns;
	struct task *x = g->threads;

	if (!sig || !x || g->zombie)
		return 0;
	if (container_init && g == init_tg) {
		ns = &pid_ns_init;
	} else {
		if (!pidns_nested)
			return 0;
		ns = pidns_of(g->tgid);
		if (ns == &pid_ns_init || ns->reaper != g)
			return 0;
	}
	if (x->sighand->act[sig - 1].handler != (uint64_t)SIG_DFL)
		return 0;
	return !((sig == SIGKILL || sig == SIGSTOP) && (!t || !pidns_nr(ns, t->tg->tgid)));
}

static int alloc_pid(void)
{
	do {
		if (++last_pid >= 4194304)
			last_pid = 2;
	} while (pid_used(last_pid));
	return last_pid;
}

static void link_task(struct task *t, struct thread_group *g)
{
	t->tg = g;
	t->tg_next = g->threads;
	g->threads = t;
	g->nthreads++;
	t->next_task = all_tasks;
	all_tasks = t;
	ntasks++;
}

static void unlink_task(struct task *t)
{
	struct task **pp;

	for (pp = &all_tasks; *pp; pp = &(*pp)->next_task)
		if (*pp == t) {
			*pp = t->next_task;
			break;
		}
	for (pp = &t->tg->threads; *pp; pp = &(*pp)->tg_next)
		if (*pp == t) {
			*pp = t->tg_next;
			break;
		}
	t->tg->nthreads--;
	ntasks--;
	pid_release(t->tid);
}

static void link_group(struct thread_group *g, struct thread_group *parent)
{
	g->parent = parent;
	if (parent) {
		g->sibling = parent->children;
		parent->children = g;
	}
	g->next = all_groups;
	all_groups = g;
}

/* A namespace's init waits (zap_pid_ns) for the others of its namespace to be freed. */
static pthread_cond_t pidns_zap_cond = PTHREAD_COND_INITIALIZER;

static void free_group(struct thread_group *g)
{
	struct thread_group **pp;
	struct pid_ns *ns = pidns_of(g->tgid);

	for (pp = &all_groups; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	if (g->parent)
		for (pp = &g->parent->children; *pp; pp = &(*pp)->sibling)
			if (*pp == g) {
				*pp = g->sibling;
				break;
			}
	timer_cancel_locked(&g->itimer_real);
	timer_cancel_locked(&g->itimer_cpu[0]);
	timer_cancel_locked(&g->itimer_cpu[1]);
	timer_cancel_locked(&g->cpu_watch);
	tg_free_timers(g);
	sigextra_free(&g->pending, &g->extra);
	if (g->zombie)
		nzombies--;
	if (ns->reaper == g)
		ns->reaper = NULL;
	if (ns != &pid_ns_init)
		pthread_cond_broadcast(&pidns_zap_cond);
	{
		int tgid = g->tgid, pgid = g->pgid, sid = g->sid;

		free(g);
		pid_release(tgid);
		pid_release(pgid);
		pid_release(sid);
	}
}

void tg_free_timers(struct thread_group *g)
{
	int i;

	for (i = 0; i < g->ntimers; i++)
		if (g->timers[i]) {
			timer_cancel_locked(g->timers[i]);
			free(g->timers[i]);
		}
	free(g->timers);
	g->timers = NULL;
	g->ntimers = 0;
}

static void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refs == 0)
		free(sh);
}

struct ns_common *task_ipc_ns_init;
struct ns_common *(*task_ipc_ns_new)(void);
struct ns_common *task_net_ns_init;
struct ns_common *(*task_net_ns_new)(void);

/* t's namespaces go (its exit, or a clone that failed). */
static void task_ns_drop(struct task *t)
{
	if (t->uts)
		ns_put(&t->uts->ns);
	ns_put(t->ipc);
	ns_put(t->mnt);
	ns_put(t->net);
	if (t->pidns_child)
		ns_put(&t->pidns_child->ns);
	t->uts = NULL;
	t->ipc = NULL;
	t->mnt = NULL;
	t->net = NULL;
	t->pidns_child = NULL;
	if (t->cred.user_ns)
		ns_put(&t->cred.user_ns->ns);
	t->cred.user_ns = NULL;
}

/* The namespaces cvisor makes anew; of the others (NS_REFUSED) the sandbox has one each. */
#define NS_MADE (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID)
#define NS_REFUSED (CLONE_NEWCGROUP)

/*
 * CLONE_NEWUSER (clone's or unshare's): credentials c move to a new user
 * namespace below theirs, with every capability in it and no inheritable
 * or ambient one (Linux's create_user_ns and set_cred_user_ns); their ids
 * stay what they were.  0 or -errno (userns_new).
 */
static long userns_enter_new(struct creds *c)
{
	long err;
	struct user_ns *u = userns_new(creds_userns(c), c->euid, c->egid, c->cap_eff, &err);

	if (!u)
		return err;
	if (c->user_ns)
		ns_put(&c->user_ns->ns);
	c->user_ns = u;
	c->cap_prm = c->cap_eff = c->cap_bnd = CREDS_CAP_ALL;
	c->cap_inh = c->cap_amb = 0;
	return 0;
}

/*
 * The UTS, IPC and network namespaces that flags (clone's or unshare's
 * CLONE_NEW*) give a task of p's whose credentials will be nc: new ones
 * (references in *uts, *ipc and *net), owned by nc's user namespace, or
 * p's own (left NULL).  Making any needs CAP_SYS_ADMIN in that user
 * namespace (EPERM), as Linux's copy_namespaces, so a new user namespace
 * (made first) lets its creator make the others.  A pid or cgroup
 * namespace of its own is refused with EPERM even to root: the sandbox has
 * one of each, as a container whose runtime denies the caller them.  A
 * mount namespace is checked for here but made by the caller
 * (mnt_ns_make), once the new fs context whose root and cwd move into it
 * exists.
 */
static long ns_make(struct task *p, const struct creds *nc, uint64_t flags, struct uts_ns **uts,
		    struct ns_common **ipc, struct ns_common **net)
{
	struct user_ns *owner = creds_userns(nc);

	*uts = NULL;
	*ipc = NULL;
	*net = NULL;
	if (!(flags & (NS_MADE | NS_REFUSED)))
		return 0;
	if (!userns_capable(owner, nc->euid, nc->cap_eff, owner, CAP_SYS_ADMIN) || (flags & NS_REFUSED))
		return -EPERM;
	if ((flags & CLONE_NEWIPC) && !task_ipc_ns_new)
		return -EPERM; /* no System V IPC to make one of */
	if ((flags & CLONE_NEWNS) && (!task_files->mnt_ns_copy || !p->mnt))
		return -EPERM; /* no mounts to copy */
	if ((flags & CLONE_NEWNET) && !task_net_ns_new)
		return -EPERM; /* no network stack to make one of */
	if ((flags & CLONE_NEWUTS) && !(*uts = uts_ns_copy(p->uts)))
		return -ENOMEM;
	if ((flags & CLONE_NEWIPC) && !(*ipc = task_ipc_ns_new())) {
		if (*uts)
			ns_put(&(*uts)->ns);
		*uts = NULL;
		return -ENOMEM;
	}
	if ((flags & CLONE_NEWNET) && !(*net = task_net_ns_new())) {
		if (*uts)
			ns_put(&(*uts)->ns);
		ns_put(*ipc);
		*uts = NULL;
		*ipc = NULL;
		return -ENOMEM;
	}
	if (*uts)
		userns_own(&(*uts)->ns, owner);
	if (*ipc)
		userns_own(*ipc, owner);
	if (*net)
		userns_own(*net, owner);
	return 0;
}

/*
 * The mount namespace a task of p's gets, whose fs context is fs: a copy
 * of p's for CLONE_NEWNS (fs's root and cwd moved into it), owned by the
 * user namespace owner, else p's.  NULL only when there is no memory for
 * the copy.
 */
static struct ns_common *mnt_ns_make(struct task *p, struct user_ns *owner, uint64_t flags, struct fs_context *fs)
{
	struct ns_common *m;

	if (flags & CLONE_NEWNS) {
		/* Copied for a user namespace other than the original's owner: what covers what stays so. */
		if ((m = task_files->mnt_ns_copy(p->mnt, fs, owner != userns_owner(p->mnt))))
			userns_own(m, owner);
		return m;
	}
	if (p->mnt)
		ns_get(p->mnt);
	return p->mnt;
}

struct ns_common *task_ns(struct task *t, enum ns_type type)
{
	if (type == NS_UTS)
		return &t->uts->ns;
	if (type == NS_IPC)
		return t->ipc;
	if (type == NS_MNT)
		return t->mnt;
	if (type == NS_NET && t->net)
		return t->net;
	if (type == NS_USER)
		return &creds_userns(&t->cred)->ns;
	if (type == NS_PID)
		return &task_pidns(t)->ns;
	return ns_single(type);
}

struct ns_common *task_ns_children(struct task *t, enum ns_type type)
{
	return type == NS_PID ? &t->pidns_child->ns : task_ns(t, type);
}

/*
 * A new pid namespace for the children of p (clone's or unshare's
 * CLONE_NEWPID): below p's pid_for_children one, at most PIDNS_MAX_LEVEL
 * deep (ENOSPC, as Linux).  The caller has checked CAP_SYS_ADMIN.
 */
static long pidns_make(struct task *p, struct pid_ns **out)
{
	if (p->pidns_child->level >= PIDNS_MAX_LEVEL)
		return -ENOSPC;
	*out = pidns_new(p->pidns_child);
	return *out ? 0 : -ENOMEM;
}

void task_join_ns(struct task *t, struct ns_common *ns)
{
	if (ns->type == NS_UTS) {
		ns_get(ns);
		ns_put(&t->uts->ns);
		t->uts = (struct uts_ns *)ns;
	} else if (ns->type == NS_IPC) {
		if (t->tg->nthreads == 1 && task_exit_ipc)
			task_exit_ipc(t->tg->tgid);
		ns_get(ns);
		ns_put(t->ipc);
		t->ipc = ns;
	} else if (ns->type == NS_MNT) {
		ns_get(ns);
		ns_put(t->mnt);
		t->mnt = ns;
		task_files->mnt_ns_enter(ns, t->fs);
	} else if (ns->type == NS_NET && t->net) {
		/* Its sockets stay in the namespace they were made in, as Linux's. */
		ns_get(ns);
		ns_put(t->net);
		t->net = ns;
	} else if (ns->type == NS_USER) {
		/* As a new namespace's creator: every capability in it (Linux's userns_install). */
		ns_get(ns);
		if (t->cred.user_ns)
			ns_put(&t->cred.user_ns->ns);
		t->cred.user_ns = (struct user_ns *)ns;
		t->cred.cap_prm = t->cred.cap_eff = t->cred.cap_bnd = CREDS_CAP_ALL;
		t->cred.cap_inh = t->cred.cap_amb = 0;
	} else if (ns->type == NS_PID) {
		/* The caller's own pid stays: its next children are born in ns. */
		ns_get(ns);
		ns_put(&t->pidns_child->ns);
		t->pidns_child = (struct pid_ns *)ns;
	}
}

struct task *task_create_init(void)
{
	struct thread_group *g = calloc(1, sizeof(*g));
	struct task *t = calloc(1, sizeof(*t));
	int i;

	if (!g || !t)
		return NULL;
	pthread_cond_init(&t->wake_cond, NULL);
	t->sighand = calloc(1, sizeof(*t->sighand));
	t->files = task_files->fdt_new();
	t->fs = calloc(1, sizeof(*t->fs));
	if (!t->sighand || !t->files || !t->fs)
		return NULL;
	t->sighand->refs = 1;
	t->fs->refs = 1;
	t->fs->umask = 022;
	creds_init_root(&t->cred);
	t->uts = &uts_ns_init;
	ns_get(&t->uts->ns);
	t->ipc = task_ipc_ns_init;
	if (t->ipc)
		ns_get(t->ipc);
	t->mnt = task_files->mnt_ns_init;
	if (t->mnt)
		ns_get(t->mnt);
	t->net = task_net_ns_init;
	if (t->net)
		ns_get(t->net);
	t->pidns_child = &pid_ns_init;
	ns_get(&pid_ns_init.ns);
	g->tgid = g->pgid = g->sid = t->tid = 1;
	g->leader = t;
	g->dumpable = 1;
	for (i = 0; i < TASK_RLIMITS; i++)
		g->rlim[i].rlim_cur = g->rlim[i].rlim_max = RLIM_INFINITY;
	g->rlim[RLIMIT_NOFILE] = (struct abi_rlimit){1024, 1048576};
	g->rlim[RLIMIT_STACK] = (struct abi_rlimit){8 << 20, RLIM_INFINITY};
	g->rlim[RLIMIT_CORE] = (struct abi_rlimit){0, RLIM_INFINITY};
	g->rlim[RLIMIT_NPROC] = (struct abi_rlimit){63459, 63459};
	g->rlim[RLIMIT_SIGPENDING] = (struct abi_rlimit){63459, 63459};
	g->rlim[RLIMIT_MEMLOCK] = (struct abi_rlimit){8 << 20, 8 << 20};
	g->rlim[RLIMIT_MSGQUEUE] = (struct abi_rlimit){819200, 819200};
	/* Linux's INIT_RLIMITS: no raised nice or real-time priority without CAP_SYS_NICE. */
	g->rlim[RLIMIT_NICE] = (struct abi_rlimit){0, 0};
	g->rlim[RLIMIT_RTPRIO] = (struct abi_rlimit){0, 0};
	g->start_ns = t->start_ns = host_monotonic_ns();
	t->cur_nr = -1;
	link_group(g, NULL);
	link_task(t, g);
	mf_charge(TASK_CHARGE); /* a budget is 16 MiB at least: it fits */
	init_tg = g;
	return t;
}

/*
 * OCI exec: a process made from outside the sandbox.  Like pid 1 but for
 * its pid: pid 1's limits, root's credentials, pid 1's root and working
 * directory, an empty file table, a session of its own, and no parent
 * (getppid() is 0, as for a process runc execs into a container's pid
 * namespace), so that no process of the sandbox can wait for it.
 */
struct task *task_new_process(long *err)
{
	struct thread_group *g;
	struct task *t, *init = init_tg ? init_tg->threads : NULL;

	if (!init || ntasks + nzombies >= sandbox.max_tasks) {
		*err = -EAGAIN;
		return NULL;
	}
	if (mf_charge(TASK_CHARGE) < 0) {
		*err = -ENOMEM;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	t = calloc(1, sizeof(*t));
	if (!g || !t || !(t->sighand = calloc(1, sizeof(*t->sighand))) || !(t->files = task_files->fdt_new()) ||
	    !(t->fs = task_files->fs_copy(init->fs))) {
		if (t && t->files)
			task_files->fdt_put(t->files);
		if (t)
			free(t->sighand);
		free(t);
		free(g);
		mf_uncharge(TASK_CHARGE);
		*err = -ENOMEM;
		return NULL;
	}
	pthread_cond_init(&t->wake_cond, NULL);
	t->sighand->refs = 1;
	creds_init_root(&t->cred);
	/* runc exec joins the container's namespaces: pid 1's. */
	t->uts = init->uts;
	ns_get(&t->uts->ns);
	t->ipc = init->ipc;
	if (t->ipc)
		ns_get(t->ipc);
	t->mnt = init->mnt; /* with pid 1's root and cwd (fs_copy above) */
	if (t->mnt)
		ns_get(t->mnt);
	t->net = init->net;
	if (t->net)
		ns_get(t->net);
	t->pidns_child = &pid_ns_init; /* the container's pid namespace: the sandbox's first */
	ns_get(&pid_ns_init.ns);
	t->tid = alloc_pid();
	g->tgid = g->pgid = g->sid = t->tid;
	g->leader = t;
	g->dumpable = 1;
	memcpy(g->rlim, init_tg->rlim, sizeof(g->rlim));
	g->start_ns = t->start_ns = host_monotonic_ns();
	t->cur_nr = -1;
	link_group(g, NULL);
	link_task(t, g);
	return t;
}

/* A waiter that is no task: the exec thread sleeps on a condition of its own. */
static pthread_cond_t parentless_cond = PTHREAD_COND_INITIALIZER;

static void parentless_wake(struct waiter *w)
{
	(void)w;
	pthread_cond_broadcast(&parentless_cond);
}

int task_reap_parentless(struct thread_group *g)
{
	struct waiter w = {.fn = parentless_wake};
	int status;

	waiter_add(&task_pidfd_wq, &w);
	while (!g->zombie)
		pthread_cond_wait(&parentless_cond, &sentry_lock);
	waiter_del(&w);
	status = g->exit_status;
	free_group(g);
	return status;
}

/* ---- creating tasks ---- */

struct child_start {
	struct task *t;
	gva_t child_tid;  /* CLONE_CHILD_SETTID */
	int new_process;  /* a stub process of its own (fork), or a stub thread (CLONE_THREAD) */
	struct iovec fp;  /* new_process: the parent's FPU state at the fork; iov_base NULL: none */
};


/* The host thread of a new task: its stub, then the run loop, then its exit. */
static void *child_main(void *arg)
{
	struct child_start *cs = arg;
	struct task *t = cs->t;
	int err = 0;

	pthread_mutex_lock(&sentry_lock);
	task_current = t;
	if (cs->new_process) {
		err = mm_attach(t->mm);
		if (err == 0) {
			t->ctx = plat->ctx_create(t->mm->as, &err);
			if (!t->ctx)
				err = err ? err : -ENOMEM;
		}
		/*
		 * Linux's fork copies the FPU and vector registers; a new
		 * context starts clean, so the parent's are given to it.  Should
		 * the platform refuse them, the child runs with a clean state.
		 */
		if (err == 0 && cs->fp.iov_base)
			plat_set_fpstate(t->ctx, &cs->fp);
	} else {
		err = plat->ctx_adopt(t->ctx);
	}
	if (err == 0 && cs->child_tid) {
		int tid = task_vnr(t, t->tid);

		mm_copy_out(t->mm, cs->child_tid, &tid, sizeof(int));
	}
	free(cs->fp.iov_base);
	free(cs);
	if (err < 0) {
		log_warn("cannot start a new task (%d)", err);
		task_exit_group(t, SIGKILL);
	}
	pthread_mutex_unlock(&sentry_lock);
	if (err == 0)
		task_run(t);
	task_exit_thread(t);
	return NULL;
}

#define CLONE_KNOWN                                                                                        \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | CLONE_PTRACE |         \
	 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_NEWNS | CLONE_SYSVSEM | CLONE_SETTLS |            \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED |                     \
	 CLONE_CHILD_SETTID | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |               \
	 CLONE_NEWPID | CLONE_NEWNET | CLONE_IO)

/* pidfd: where CLONE_PIDFD puts the new pidfd's number (clone3's own field; clone's parent_tid). */
static long do_clone(struct task *p, uint64_t flags, gva_t newsp, gva_t ptid, gva_t ctid, gva_t tls, gva_t pidfd)
{
	int thread = !!(flags & CLONE_THREAD);
	struct thread_group *g = NULL;
	struct child_start *cs;
	struct task *c;
	pthread_attr_t attr;
	int err = 0, vnr = 0;

	if (flags & ~(uint64_t)CLONE_KNOWN)
		return -EINVAL;
	/* Linux's consistency rules. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS) ||
	    ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID))))
		return -EINVAL;
	/* Without a new user namespace, the caller's own must let it make the others (ns_make). */
	if ((flags & NS_REFUSED) ||
	    ((flags & NS_MADE) && !(flags & CLONE_NEWUSER) && !ns_capable(p, creds_userns(&p->cred), CAP_SYS_ADMIN)))
		return -EPERM;
	/* A new IPC namespace cannot share the semadj list of the old one, whose sets it no longer sees. */
	if ((flags & (CLONE_NEWIPC | CLONE_SYSVSEM)) == (CLONE_NEWIPC | CLONE_SYSVSEM))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_THREAD | CLONE_DETACHED)))
		return -EINVAL; /* a pidfd names a process (Linux before 6.9 for threads) */
	if (flags & CLONE_PIDFD) {
		int none = -1;

		if (mm_copy_out(p->mm, pidfd, &none, sizeof(none)) < 0)
			return -EFAULT;
	}
	/* A thread is born in its process's pid namespace; a namespace's init has no parent to share. */
	if ((flags & CLONE_THREAD) && p->pidns_child != task_pidns(p))
		return -EINVAL;
	if ((flags & CLONE_PARENT) && pidns_nested && task_pidns(p) != &pid_ns_init && task_pidns(p)->reaper == p->tg)
		return -EINVAL;
	/*
	 * Held even for root: the sandbox's task limit stands for the host's
	 * resources (each task is a sentry thread and a stub thread on the host),
	 * and so does --tasks, which no rlimit can raise: EAGAIN as at pids.max.
	 * A zombie counts until it is reaped, as on Linux.
	 */
	if ((uint64_t)(ntasks + nzombies) >= p->tg->rlim[RLIMIT_NPROC].rlim_cur || ntasks + nzombies >= sandbox.max_tasks)
		return -EAGAIN;
	if (mf_charge(TASK_CHARGE) < 0)
		return -ENOMEM;
	c = calloc(1, sizeof(*c));
	cs = calloc(1, sizeof(*cs));
	if (!c || !cs)
		goto nomem;
	pthread_cond_init(&c->wake_cond, NULL);
	c->sigmask = p->sigmask;
	c->cred = p->cred;
	groups_get(c->cred.groups);
	ns_get(&c->cred.user_ns->ns);
	if ((flags & CLONE_NEWUSER) && (err = userns_enter_new(&c->cred)) < 0)
		goto fail;
	err = ns_make(p, &c->cred, flags, &c->uts, &c->ipc, &c->net);
	if (err < 0)
		goto fail;
	if (!c->uts) {
		c->uts = p->uts;
		ns_get(&c->uts->ns);
	}
	if (!c->ipc && (c->ipc = p->ipc))
		ns_get(c->ipc);
	if (!c->net && (c->net = p->net))
		ns_get(c->net);
	if (flags & CLONE_NEWPID) {
		err = pidns_make(p, &c->pidns_child);
		if (err < 0)
			goto fail;
		userns_own(&c->pidns_child->ns, creds_userns(&c->cred));
	} else {
		c->pidns_child = p->pidns_child;
		ns_get(&c->pidns_child->ns);
	}
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->no_new_privs = p->no_new_privs;
	c->seccomp_mode = p->seccomp_mode;
	c->seccomp = seccomp_get(p->seccomp);
	c->affinity = p->affinity;
	/* A child's slack, and the default it resets to, are its creator's current slack (Linux). */
	c->timer_slack_ns = c->default_slack_ns = p->timer_slack_ns;
	c->keepcaps = p->keepcaps;
	c->personality = p->personality;
	c->ioprio = p->ioprio;
	c->start_ns = host_monotonic_ns();
	c->cur_nr = -1;
	c->regs = p->regs;
	c->regs.rax = 0;
	if (newsp)
		c->regs.rsp = newsp;
	if (flags & CLONE_SETTLS)
		c->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	if (!thread)
		c->altstack = p->altstack;

	if (flags & CLONE_VM) {
		/* A thread, or a process sharing our memory (vfork, posix_spawn, clone(CLONE_VM)). */
		c->mm = p->mm;
		c->mm->refs++;
	} else {
		c->mm = mm_fork(p->mm, &err);
		if (!c->mm)
			goto fail;
		/* The parent's FPU state, read now by its own thread (the platform's rule), for child_main. */
		cs->fp.iov_len = TASK_XSAVE_MAX;
		cs->fp.iov_base = malloc(cs->fp.iov_len);
		if (cs->fp.iov_base && plat_get_fpstate(p->ctx, &cs->fp) < 0) {
			free(cs->fp.iov_base);
			cs->fp.iov_base = NULL;
		}
		/* Memory locks are not inherited (mlock(2)); the mappings stay split as the parent's. */
		for (size_t i = 0; i < c->mm->nvmas; i++)
			c->mm->vmas[i].flags &= ~VMA_LOCKED;
	}
	if (thread) {
		c->sighand = p->sighand;
		c->sighand->refs++;
	} else {
		if (flags & CLONE_SIGHAND) {
			c->sighand = p->sighand;
			c->sighand->refs++;
		} else {
			c->sighand = malloc(sizeof(*c->sighand));
			if (!c->sighand)
				goto nomem;
			*c->sighand = *p->sighand;
			c->sighand->refs = 1;
		}
	}
	if (flags & CLONE_FILES) {
		c->files = p->files;
		c->files->refs++;
	} else if (!(c->files = task_files->fdt_copy(p->files))) {
		goto nomem;
	}
	if (flags & CLONE_FS) {
		c->fs = p->fs;
		c->fs->refs++;
	} else if (!(c->fs = task_files->fs_copy(p->fs))) {
		goto nomem;
	}
	/* CLONE_NEWNS without CLONE_FS (checked above): c's own fs context moves into the copy. */
	if (!(c->mnt = mnt_ns_make(p, creds_userns(&c->cred), flags, c->fs)) && p->mnt)
		goto nomem;
	if (flags & CLONE_VM) {
		/* Another thread of the stub process that runs the shared memory. */
		c->ctx = plat->ctx_clone(p->ctx, &err);
		if (!c->ctx)
			goto fail;
	}

	c->tid = alloc_pid();
	/* Born in p's pid_for_children namespace (a thread: p's own, checked above), or the new one. */
	err = pidns_attach(c->tid, (flags & CLONE_NEWPID) ? c->pidns_child : p->pidns_child, &vnr);
	if (err < 0)
		goto fail;
	if (thread) {
		g = p->tg;
	} else {
		g = calloc(1, sizeof(*g));
		if (!g)
			goto nomem;
		g->tgid = c->tid;
		g->leader = c;
		g->pgid = p->tg->pgid;
		g->sid = p->tg->sid;
		g->ctty = p->tg->ctty;
		g->uid = c->cred.uid;
		g->exit_signal = (int)(flags & CSIGNAL);
		memcpy(g->rlim, p->tg->rlim, sizeof(g->rlim));
		if (g->rlim[RLIMIT_CPU].rlim_cur != RLIM_INFINITY)
			tg_watch_cpu(g);
		g->dumpable = p->tg->dumpable;
		g->nice = p->tg->nice; /* inherited, as Linux's static priority */
		g->oom_score_adj = p->tg->oom_score_adj;
		g->oom_score_adj_min = p->tg->oom_score_adj_min;
		g->thp_disable = p->tg->thp_disable;
		g->start_ns = c->start_ns;
		g->vfork_waiting = !!(flags & CLONE_VFORK);
		link_group(g, (flags & CLONE_PARENT) && p->tg->parent ? p->tg->parent : p->tg);
		if (vnr == 1 && c->tid != 1)
			pidns_of(c->tid)->reaper = g; /* the first process of a new pid namespace: its init */
	}
	link_task(c, g);
	ptrace_clone(p, c, flags);
	vnr = task_vnr(p, c->tid); /* the child's pid in the parent's namespace */
	if (flags & CLONE_PARENT_SETTID)
		mm_copy_out(p->mm, ptid, &vnr, sizeof(int)); /* a bad pointer does not undo the clone */
	if (flags & CLONE_PIDFD) {
		/* In the parent's table, after the child's own was copied (as Linux's copy_process). */
		long fd = task_pidfd_new(p, g->tgid, O_CLOEXEC);
		int n = (int)fd;

		if (fd < 0) {
			unlink_task(c);
			free_group(g);
			err = n;
			goto fail;
		}
		mm_copy_out(p->mm, pidfd, &n, sizeof(n)); /* checked writable above */
	}
	cs->t = c;
	cs->child_tid = (flags & CLONE_CHILD_SETTID) ? ctid : 0;
	cs->new_process = !(flags & CLONE_VM);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	/* Refused by the host (its pids limit): the platform's spare host tasks go first. */
	if (pthread_create(&c->thread, &attr, child_main, cs) != 0 &&
	    (!plat->give_back || !plat->give_back() || pthread_create(&c->thread, &attr, child_main, cs) != 0)) {
		pthread_attr_destroy(&attr);
		unlink_task(c);
		if (!thread)
			free_group(g);
		err = -EAGAIN;
		goto fail;
	}
	pthread_attr_destroy(&attr);
	err = vnr;
	ptrace_clone_event(p, c, flags); /* c has not run yet: the lock was held since its creation */
	/* vfork: the parent sleeps until the child has exec'd or exited (only SIGKILL ends that early). */
	while (!thread && g->vfork_waiting && task_block_killable(p, &p->tg->child_wq, 0) == 0)
		;
	if (flags & CLONE_VFORK)
		ptrace_vfork_done(p, err); /* err: the child's tid (the child itself may be gone) */
	return err;

nomem:
	err = -ENOMEM;
fail:
	if (c) {
		if (c->tid)
			pid_release(c->tid);
		if (c->ctx)
			plat->ctx_destroy(c->ctx, 1);
		if (c->mm)
			mm_put(c->mm);
		if (c->files)
			task_files->fdt_put(c->files);
		task_files->fs_put(c->fs);
		sighand_put(c->sighand);
		groups_put(c->cred.groups);
		seccomp_put(c->seccomp);
		task_ns_drop(c);
	}
	free(c);
	if (cs)
		free(cs->fp.iov_base);
	free(cs);
	mf_uncharge(TASK_CHARGE);
	return err;
}

SYSCALL(clone)
{
	/* clone's CLONE_PIDFD writes where CLONE_PARENT_SETTID would: not both. */
	if ((a[0] & CLONE_PIDFD) && (a[0] & CLONE_PARENT_SETTID))
		return -EINVAL;
	return do_clone(t, a[0], a[1], a[2], a[3], a[4], a[2]);
}

#define UNSHARE_KNOWN                                                                                   \
	(CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | \
	 CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP |    \
	 0x80 /* CLONE_NEWTIME */)

/*
 * unshare(2): a file table or a file-system context (root, cwd, umask) of
 * the caller's own, a semadj list of its own, a user namespace of its own
 * (userns_enter_new; a lone thread only), a UTS, IPC, network or mount
 * namespace of its own (ns_make, mnt_ns_make), a pid namespace for its next
 * children (pidns_make).  Everything is made before anything changes, so
 * that a failure leaves the caller as it was: the mount namespace last, as
 * its copy moves the (unshared) fs context's root and cwd.
 */
SYSCALL(unshare)
{
	uint64_t flags = a[0];
	int alone = t->tg->nthreads == 1;
	struct fdtable *files = NULL;
	struct fs_context *fs = NULL;
	struct creds nc = t->cred; /* the caller's with a new user namespace: a reference on it, no other */
	struct ns_common *ipc = NULL, *net = NULL, *mnt = NULL;
	struct pid_ns *pidns = NULL;
	struct uts_ns *uts = NULL;
	long r;

	if (flags & ~(uint64_t)UNSHARE_KNOWN)
		return -EINVAL;
	/* Linux's implications: a new user namespace needs its own thread group and fs context, a mount namespace its fs context; VM needs SIGHAND, SIGHAND THREAD. */
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	/* Memory, handlers and thread group can be one's own only if they are already. */
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) &&
	    (!alone || (t->mm && t->mm->refs > 1 && (flags & CLONE_VM)) || (t->sighand->refs > 1 && (flags & CLONE_SIGHAND))))
		return -EINVAL;
	/* The old namespace's semaphore sets are out of sight: its adjustments happen now. */
	if (flags & CLONE_NEWIPC)
		flags |= CLONE_SYSVSEM;
	if (flags & 0x80 /* CLONE_NEWTIME */)
		return -EPERM; /* one clock for the sandbox */
	/* A second CLONE_NEWPID before a child was born in the first: EINVAL, as Linux's copy_pid_ns. */
	if ((flags & CLONE_NEWPID) && capable(t, CAP_SYS_ADMIN) && t->pidns_child != task_pidns(t))
		return -EINVAL;
	ns_get(&nc.user_ns->ns);
	r = flags & CLONE_NEWUSER ? userns_enter_new(&nc) : 0;
	if (r == 0)
		r = ns_make(t, &nc, flags, &uts, &ipc, &net);
	if (r == 0 && (flags & CLONE_NEWPID) && (r = pidns_make(t, &pidns)) == 0)
		userns_own(&pidns->ns, creds_userns(&nc));
	if (r < 0)
		goto fail;
	if ((flags & CLONE_FILES) && t->files->refs > 1 && !(files = task_files->fdt_copy(t->files)))
		goto nomem;
	if ((flags & CLONE_FS) && t->fs->refs > 1 && !(fs = task_files->fs_copy(t->fs)))
		goto nomem;
	if ((flags & CLONE_NEWNS) && !(mnt = mnt_ns_make(t, creds_userns(&nc), flags, fs ? fs : t->fs)))
		goto nomem;
	if (files) {
		task_files->fdt_put(t->files);
		t->files = files;
	}
	if (fs) {
		task_files->fs_put(t->fs);
		t->fs = fs;
	}
	/* The process's semadj list, shared by its threads: a lone thread leaves it, so its adjustments happen now. */
	if ((flags & CLONE_SYSVSEM) && alone && task_exit_ipc)
		task_exit_ipc(t->tg->tgid);
	if (uts) {
		ns_put(&t->uts->ns);
		t->uts = uts;
	}
	if (ipc) {
		ns_put(t->ipc);
		t->ipc = ipc;
	}
	if (mnt) {
		ns_put(t->mnt);
		t->mnt = mnt;
	}
	if (net) {
		ns_put(t->net);
		t->net = net;
	}
	ns_put(&t->cred.user_ns->ns);
	t->cred = nc;
	if (pidns) {
		ns_put(&t->pidns_child->ns);
		t->pidns_child = pidns; /* its next child is pid 1 there */
	}
	return 0;

nomem:
	r = -ENOMEM;
fail:
	if (pidns)
		ns_put(&pidns->ns);
	if (files)
		task_files->fdt_put(files);
	if (fs)
		task_files->fs_put(fs);
	if (uts)
		ns_put(&uts->ns);
	ns_put(ipc);
	ns_put(net);
	ns_put(&nc.user_ns->ns);
	return r;
}

/* clone3: the same, from struct clone_args (of any size the caller's headers know). */
SYSCALL(clone3)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size, cgroup;
	} ca;
	uint64_t size = a[1], sp;

	if (size < 64 || size > 4096)
		return -EINVAL;
	memset(&ca, 0, sizeof(ca));
	if (mm_copy_in(t->mm, &ca, a[0], size < sizeof(ca) ? size : sizeof(ca)) < 0)
		return -EFAULT;
	if (size > sizeof(ca)) {
		/* A newer caller: whatever we do not know must be zero. */
		uint8_t extra[64];
		uint64_t off;

		for (off = sizeof(ca); off < size; off += sizeof(extra)) {
			uint64_t n = size - off < sizeof(extra) ? size - off : sizeof(extra), i;

			if (mm_copy_in(t->mm, extra, a[0] + off, n) < 0)
				return -EFAULT;
			for (i = 0; i < n; i++)
				if (extra[i])
					return -E2BIG;
		}
	}
	if ((ca.flags & CSIGNAL) || ca.exit_signal > 64 || ca.set_tid || ca.set_tid_size || ca.cgroup)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	sp = ca.stack ? ca.stack + ca.stack_size : 0;
	return do_clone(t, ca.flags | ca.exit_signal, sp, ca.parent_tid, ca.child_tid, ca.tls, ca.pidfd);
}
SYSCALL(fork) { (void)a; return do_clone(t, SIGCHLD, 0, 0, 0, 0, 0); }
SYSCALL(vfork) { (void)a; return do_clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0, 0); }

void task_vfork_release(struct task *t)
{
	if (t->tg->vfork_waiting) {
		t->tg->vfork_waiting = 0;
		if (t->tg->parent)
			waitq_wake(&t->tg->parent->child_wq);
	}
}

/* ---- exit ---- */

void task_exit_group(struct task *t, int status)
{
	struct thread_group *g = t->tg;
	struct task *x;

	if (g->exiting) {
		if (status == SIGKILL)
			ptrace_end_exit_stops(g); /* a tracer's kill ends a PTRACE_EVENT_EXIT stop */
		return;
	}
	g->exiting = 1;
	g->exit_status = status;
	/* Every thread running application code is stopped, t too when another thread (the timer) ends it. */
	for (x = g->threads; x; x = x->tg_next) {
		x->exiting = 1;
		task_wake(x);
		if (x != task_current && x->in_user && x->ctx)
			plat->interrupt(x->ctx);
	}
	waitq_wake(&g->signal_wq);
}

void task_oom(struct task *t)
{
	struct thread_group *g, *victim = NULL;
	uint64_t most = 0;

	for (g = all_groups; g; g = g->next) {
		struct mm *mm = g->threads ? g->threads->mm : NULL;

		if (!mm)
			continue; /* a zombie holds no memory */
		if (g->exiting && g != t->tg) {
			/*
			 * Linux's OOM killer waits for a victim that is going (or anyone
			 * else on the way out): until a task exits, or 10 ms.
			 */
			task_block(t, NULL, host_realtime_ns() + 10000000);
			return;
		}
		if (!victim || mm->rss_pages > most) {
			victim = g;
			most = mm->rss_pages;
		}
	}
	if (!victim || victim == t->tg) {
		log_debug("out of memory: killing %d (%s), %lu pages", task_tgid(t), t->comm,
			  (unsigned long)t->mm->rss_pages);
		task_exit_group(t, SIGKILL);
		return;
	}
	log_debug("out of memory: killing %d (%s), %lu pages, for %d", victim->tgid, victim->threads->comm,
		  (unsigned long)most, task_tgid(t));
	task_exit_group(victim->threads, SIGKILL);
}

static void group_exit_notify(struct thread_group *g);
static uint64_t sentry_ns(struct task *x);

void (*task_exit_ipc)(int tgid);

void task_exit_thread(struct task *t)
{
	struct thread_group *g = t->tg;
	int last;

	pthread_mutex_lock(&sentry_lock);
	if (t->clear_child_tid && !g->exiting) {
		/* pthread_join waits for this word to become 0. */
		int zero = 0;

		if (mm_copy_out(t->mm, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			futex_wake_addr(t, t->clear_child_tid, 1);
	}
	futex_exit_robust_list(t);
	g->sentry_dead_ns += sentry_ns(t);
	g->threads_dead_ns += task_cpu_ns(t);
	unlink_task(t);
	mf_uncharge(TASK_CHARGE);
	last = g->nthreads == 0;
	if (!last && !g->exiting && g->leader == t)
		g->leader = NULL;
	if (last && !g->exiting)
		g->exit_status = (t->exit_code & 0xff) << 8;
	ptrace_exit(t, g->exiting || last ? g->exit_status : (t->exit_code & 0xff) << 8, last);
	if (last)
		tg_cpu_ns(g); /* the last reading, before the stub goes */
	/*
	 * The stub thread ends with us.  While others still run in the same
	 * memory (threads, or a process sharing it) it leaves on its own;
	 * the last one's stub process goes down with the mm.
	 */
	if (t->ctx)
		plat->ctx_destroy(t->ctx, t->mm && t->mm->refs > 1);
	if (t->mm)
		mm_put(t->mm);
	if (last && task_exit_ipc)
		task_exit_ipc(g->tgid); /* after its memory went: a removed segment it held attached can go too */
	if (t->files)
		task_files->fdt_put(t->files);
	task_files->fs_put(t->fs);
	sighand_put(t->sighand);
	task_ns_drop(t);
	if (g->leader == t)
		g->leader = NULL;
	sigextra_free(&t->sigpending, &t->sigextra);
	groups_put(t->cred.groups);
	seccomp_put(t->seccomp);
	pthread_cond_destroy(&t->wake_cond);
	free(t->xsave_scratch);
	free(t);
	waitq_wake(&g->exit_wq); /* an exec waiting for the others; before g can go below */
	if (last)
		group_exit_notify(g);
	pthread_mutex_unlock(&sentry_lock);
}

/* r is a pid namespace's init on its way out (pidns_zap): its children are reaped at once. */
static int zap_reaps(struct thread_group *r)
{
	struct pid_ns *ns;

	return r && pidns_nested && (ns = pidns_of(r->tgid))->zapping && ns->reaper == r;
}

/*
 * The init of pid namespace ns is gone (Linux's zap_pid_ns_processes): no
 * process can be made there any more, every other one of it (and below)
 * is killed, and init's end waits until they have all been freed, its own
 * children reaped as they go; a zombie whose parent is outside holds it
 * until that parent reaps it, as on Linux.  Only then does its parent hear
 * of it.
 */
static void pidns_zap(struct thread_group *g, struct pid_ns *ns)
{
	struct thread_group *x, *next;
	int others;

	ns->dead = 1;
	ns->zapping = 1;
	g->exiting = 1;
	for (x = all_groups; x; x = x->next)
		if (x != g && !x->zombie && x->threads && pidns_within(pidns_of(x->tgid), ns))
			task_exit_group(x->threads, SIGKILL);
	for (x = g->children; x; x = next) {
		next = x->sibling;
		if (x->zombie)
			free_group(x);
	}
	for (;;) {
		others = 0;
		for (x = all_groups; x && !others; x = x->next)
			others = x != g && pidns_within(pidns_of(x->tgid), ns);
		if (!others)
			break;
		pthread_cond_wait(&pidns_zap_cond, &sentry_lock);
	}
	ns->zapping = 0;
}

static void group_exit_notify(struct thread_group *g)
{
	struct thread_group *c, *next, *reaper = init_tg;
	struct pid_ns *ns = pidns_of(g->tgid);
	struct sighand *psh;

	/* First: it drops the lock while it waits, and the wakes below must come after. */
	if (ns != &pid_ns_init && ns->reaper == g)
		pidns_zap(g, ns);
	timer_cancel_locked(&g->itimer_real);
	timer_cancel_locked(&g->itimer_cpu[0]);
	timer_cancel_locked(&g->itimer_cpu[1]);
	timer_cancel_locked(&g->cpu_watch);
	tg_free_timers(g);
	sigextra_free(&g->pending, &g->extra);
	g->vfork_waiting = 0;
	waitq_wake(&task_pidfd_wq);
	if (g->parent)
		waitq_wake(&g->parent->child_wq); /* its wait4 and a vfork parent */
	/* Orphans go to their pid namespace's init (the nearest subreaper of the same namespace first). */
	if (ns != &pid_ns_init && ns->reaper)
		reaper = ns->reaper;
	for (c = g->parent; c && pidns_of(c->tgid) == ns; c = c->parent)
		if (c->subreaper && !c->zombie) {
			reaper = c;
			break;
		}
	for (c = g->children; c; c = next) {
		next = c->sibling;
		if (c->pdeathsig && !c->zombie) {
			/* PR_SET_PDEATHSIG: the child asked to hear of its parent's death. */
			siginfo_t si;

			memset(&si, 0, sizeof(si));
			si.si_signo = c->pdeathsig;
			si.si_code = SI_USER;
			tg_send_signal(c, c->pdeathsig, &si);
		}
		c->parent = reaper;
		c->exit_signal = SIGCHLD; /* a new parent hears of it as of any child (Linux's reparenting) */
		c->sibling = reaper->children;
		reaper->children = c;
		if (c->zombie && zap_reaps(reaper))
			free_group(c);
		else if (c->zombie)
			waitq_wake(&reaper->child_wq);
	}
	g->children = NULL;
	g->zombie = 1;
	nzombies++;
	if (g == init_tg) {
		/* As in a pid namespace: when pid 1 goes, every other process is killed. */
		struct thread_group *x;

		for (x = all_groups; x; x = x->next)
			if (x != g && !x->zombie && x->threads)
				task_exit_group(x->threads, SIGKILL);
		pthread_cond_signal(&init_exit_cond);
		return; /* sentry_run is waiting for this */
	}
	if (!g->parent)
		return;
	if (zap_reaps(g->parent)) {
		free_group(g);
		return;
	}
	psh = g->parent->threads ? g->parent->threads->sighand : NULL;
	if (psh && g->exit_signal == SIGCHLD &&
	    (psh->act[SIGCHLD - 1].handler == (uint64_t)SIG_IGN || (psh->act[SIGCHLD - 1].flags & SA_NOCLDWAIT))) {
		/* Nobody will wait: reaped at once, as Linux does. */
		free_group(g);
		return;
	}
	/*
	 * Legacy clone takes any exit signal 0..255 (CSIGNAL); Linux keeps it
	 * and sends nothing for one that is not a signal (do_notify_parent's
	 * valid_signal): the child is still a __WCLONE child to wait for.
	 */
	if (g->exit_signal > 0 && g->exit_signal <= 64) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = g->exit_signal;
		si.si_pid = tg_pid_for(g->parent, g->tgid);
		si.si_uid = g->uid;
		if (g->exit_status & 0x7f) {
			si.si_code = (g->exit_status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			si.si_status = g->exit_status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (g->exit_status >> 8) & 0xff;
		}
		tg_send_signal(g->parent, g->exit_signal, &si);
	}
}

int task_wait_init_exit(void)
{
	while (!init_tg->zombie)
		pthread_cond_wait(&init_exit_cond, &sentry_lock);
	return init_tg->exit_status;
}

void task_exec_single(struct task *t)
{
	struct thread_group *g = t->tg;
	struct task *x;

	if (g->nthreads == 1)
		return;
	for (x = g->threads; x; x = x->tg_next)
		if (x != t) {
			x->exiting = 1;
			task_wake(x);
			if (x->in_user && x->ctx)
				plat->interrupt(x->ctx);
		}
	while (g->nthreads > 1)
		task_sleep(t, &g->exit_wq);
	/* The exec'ing thread becomes the leader and takes the group's pid. */
	g->leader = t;
	{
		int old = t->tid;

		t->tid = g->tgid;
		pid_release(old);
	}
}

SYSCALL(exit)
{
	t->exiting = 1;
	t->exit_code = (int)(a[0] & 0xff);
	return 0;
}

SYSCALL(exit_group)
{
	task_exit_group(t, (int)((a[0] & 0xff) << 8));
	return 0;
}

int (*task_pidfd_pid)(struct task *t, int fd);
long (*task_pidfd_new)(struct task *t, int tgid, int flags);

/* ---- wait ---- */

/* Frees a reaped zombie, adding its CPU time to the reaper's children's. */
static void reap(struct task *t, struct thread_group *c)
{
	t->tg->children_cpu_ns += c->cpu_ns + c->children_cpu_ns;
	free_group(c);
}

static int matches(struct task *t, struct thread_group *c, int pid, int options)
{
	/* A "clone" child tells its parent with another signal than SIGCHLD: __WCLONE's, or __WALL's. */
	if (!(options & __WALL) && !!(options & __WCLONE) != (c->exit_signal != SIGCHLD))
		return 0;
	if (pid > 0)
		return c->tgid == pid;
	if (pid == -1)
		return 1;
	if (pid == 0)
		return c->pgid == t->tg->pgid;
	return c->pgid == -pid;
}

/*
 * wait4's and waitid's pid argument, in the caller's pid namespace, as the
 * global one: a pid or process group the caller cannot see matches no child.
 */
static int wait_pid_arg(struct task *t, int pid)
{
	int g;

	if (!pidns_nested || pid == -1 || pid == 0)
		return pid;
	g = task_gnr(t, pid > 0 ? pid : -pid);
	if (!g)
		g = INT32_MAX; /* no number is that */
	return pid > 0 ? g : -g;
}

/*
 * Finds a matching child to report: a zombie, or with WUNTRACED/WSTOPPED a
 * newly stopped one, or with WCONTINUED a newly continued one.  Returns its
 * pid with *status set (0 with WNOHANG and none yet), or -errno.
 */
static long wait_child(struct task *t, int pid, int options, struct thread_group **found, int *status,
		       int *traced)
{
	int interrupted = 0;

	*traced = 0;
	for (;;) {
		struct thread_group *c;
		int any = 0, tid;

		/* Tracees first: their stops and exits (which they report to their tracer, not to a parent). */
		tid = ptrace_wait(t, pid, options, status, &any);
		if (tid > 0) {
			*found = NULL;
			*traced = 1;
			return tid;
		}
		for (c = t->tg->children; c; c = c->sibling) {
			if (!matches(t, c, pid, options))
				continue;
			any = 1;
			if (c->zombie) {
				*found = c;
				*status = c->exit_status;
				return c->tgid;
			}
			if (ptrace_traced_by(c, t))
				continue; /* its stops are ptrace stops, reported above */
			if ((options & WUNTRACED) && c->stopped && c->report_stop) {
				if (!(options & WNOWAIT))
					c->report_stop = 0;
				*found = NULL;
				*status = (c->stop_sig << 8) | 0x7f;
				return c->tgid;
			}
			if ((options & WCONTINUED) && c->report_cont) {
				if (!(options & WNOWAIT))
					c->report_cont = 0;
				*found = NULL;
				*status = 0xffff;
				return c->tgid;
			}
		}
		if (!any)
			return -ECHILD;
		if (options & WNOHANG)
			return 0;
		/*
		 * A signal ends the wait only if no child has anything to
		 * report: the SIGCHLD of a child's exit comes with the exit,
		 * which is looked for once more first (as Linux's do_wait).
		 */
		if (interrupted)
			return -ERESTARTSYS;
		if (task_block(t, &t->tg->child_wq, 0) < 0)
			interrupted = 1;
	}
}

SYSCALL(wait4)
{
	int pid = (int)a[0], options = (int)a[2], status = 0, traced;
	struct thread_group *c = NULL;
	long r;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	r = wait_child(t, wait_pid_arg(t, pid), options | WEXITED, &c, &status, &traced);
	if (r <= 0)
		return r;
	if (!traced)
		r = task_vnr(t, (int)r); /* ptrace_wait's are the caller's numbers already */
	if (a[1] && mm_copy_out(t->mm, a[1], &status, sizeof(int)) < 0)
		return -EFAULT;
	if (a[3]) {
		struct rusage ru;

		memset(&ru, 0, sizeof(ru));
		if (c) {
			ru.ru_utime.tv_sec = (long)(c->cpu_ns / 1000000000ULL);
			ru.ru_utime.tv_usec = (long)(c->cpu_ns % 1000000000ULL / 1000);
		}
		if (mm_copy_out(t->mm, a[3], &ru, sizeof(ru)) < 0)
			return -EFAULT;
	}
	if (c)
		reap(t, c);
	return r;
}

SYSCALL(waitid)
{
	int idtype = (int)a[0], id = (int)a[1], options = (int)a[3], pid, status = 0, traced;
	struct thread_group *c = NULL;
	siginfo_t si;
	long r;

	if (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (idtype) {
	case P_PIDFD:
		pid = task_pidfd_pid(t, id);
		if (pid < 0)
			return pid;
		break;
	case P_ALL: pid = -1; break;
	case P_PID: if (id <= 0) return -EINVAL; pid = id; break;
	case P_PGID: if (id < 0) return -EINVAL; pid = id ? -id : 0; break;
	default: return -EINVAL;
	}
	if (idtype != P_PIDFD)
		pid = wait_pid_arg(t, pid);
	r = wait_child(t, pid, (options & ~WUNTRACED) | ((options & WSTOPPED) ? WUNTRACED : 0), &c, &status,
		       &traced);
	if (r < 0)
		return r;
	if (r > 0 && c && !(options & WEXITED)) {
		/* Not asked for exits: leave the zombie. */
		return (options & WNOHANG) ? 0 : -ECHILD;
	}
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = traced ? (pid_t)r : task_vnr(t, (int)r);
		si.si_uid = 0;
		/* 0xffff first: its low bits look like a stop's 0x7f too. */
		if (status == 0xffff) {
			si.si_code = CLD_CONTINUED;
			si.si_status = SIGCONT;
		} else if ((status & 0x7f) == 0x7f) {
			/* A ptrace stop is CLD_TRAPPED, its status the whole stop code (an event's too). */
			si.si_code = traced ? CLD_TRAPPED : CLD_STOPPED;
			si.si_status = (status >> 8) & (traced ? 0xffff : 0xff);
		} else if (status & 0x7f) {
			si.si_code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
			si.si_status = status & 0x7f;
		} else {
			si.si_code = CLD_EXITED;
			si.si_status = (status >> 8) & 0xff;
		}
		if (c)
			si.si_uid = c->uid;
	}
	if (a[2] && mm_copy_out(t->mm, a[2], &si, sizeof(si)) < 0)
		return -EFAULT;
	if (r > 0 && c && !(options & WNOWAIT))
		reap(t, c);
	return 0;
}

/* ---- kill ---- */

void fill_user_info(struct task *t, siginfo_t *si, int sig, int code)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = sig;
	si->si_code = code;
	si->si_pid = t->tg->tgid;
	si->si_uid = t->cred.uid;
}

static long check_sig(int sig)
{
	return sig < 0 || sig > 64 ? -EINVAL : 0;
}

/*
 * May t signal g (kill(2)'s rule)?  CAP_KILL in the target's user
 * namespace, a real or effective uid that is the target's real or saved uid,
 * or SIGCONT within the session.  A zombie takes any signal (to no effect).
 */
int may_signal(struct task *t, struct thread_group *g, int sig)
{
	const struct creds *c = &t->cred, *tc;

	if (!g->threads || g == t->tg)
		return 1;
	if (sig == SIGCONT && g->sid == t->tg->sid)
		return 1;
	tc = &g->threads->cred;
	if (ns_capable(t, creds_userns(tc), CAP_KILL))
		return 1;
	return c->euid == tc->uid || c->euid == tc->suid || c->uid == tc->uid || c->uid == tc->suid;
}

SYSCALL(kill)
{
	int pid = (int)a[0], sig = (int)a[1], found = 0, sent = 0, pgid = -pid;
	struct thread_group *g;
	siginfo_t si;
	long r = check_sig(sig);

	if (r < 0)
		return r;
	fill_user_info(t, &si, sig, SI_USER);
	if (pid > 0) {
		g = tg_find_vnr(t, pid);
		if (!g)
			return -ESRCH;
		if (!may_signal(t, g, sig))
			return -EPERM;
		si.si_pid = tg_pid_for(g, t->tg->tgid);
		if (sig && !g->zombie && !task_ns_init_ignores(t, g, sig))
			tg_send_signal(g, sig, &si);
		return 0;
	}
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid < -1 && pidns_nested) {
		pgid = task_gnr(t, -pid);
		if (!pgid)
			return -ESRCH;
	}
	/*
	 * A group (0: the caller's, < -1: -pid), or everyone but pid 1 and the
	 * caller (-1): everyone in the caller's pid namespace and below but its init.
	 */
	for (g = all_groups; g; g = g->next) {
		if (pid == -1 ? (g->tgid == 1 || g == t->tg || task_vnr(t, g->tgid) <= 1)
			      : g->pgid != (pid == 0 ? t->tg->pgid : pgid))
			continue;
		found = 1;
		if (!may_signal(t, g, sig))
			continue;
		sent = 1;
		si.si_pid = tg_pid_for(g, t->tg->tgid);
		if (sig && !g->zombie && !task_ns_init_ignores(t, g, sig))
			tg_send_signal(g, sig, &si);
	}
	return sent ? 0 : found ? -EPERM : -ESRCH;
}

SYSCALL(tkill)
{
	struct task *x;
	siginfo_t si;

	if ((int)a[0] <= 0 || check_sig((int)a[1]) < 0)
		return -EINVAL;
	x = task_find_vnr(t, (int)a[0]);
	if (!x)
		return -ESRCH;
	fill_user_info(t, &si, (int)a[1], SI_TKILL);
	si.si_pid = tg_pid_for(x->tg, t->tg->tgid);
	if ((int)a[1] && !task_ns_init_ignores(t, x->tg, (int)a[1])) /* the signal is an int: 1 << 32 is signal 0, a check only */
		return task_send_signal(x, (int)a[1], &si);
	return 0;
}

SYSCALL(tgkill)
{
	struct task *x;
	siginfo_t si;

	if ((int)a[0] <= 0 || (int)a[1] <= 0 || check_sig((int)a[2]) < 0)
		return -EINVAL;
	x = task_find_vnr(t, (int)a[1]);
	if (!x || task_vnr(t, x->tg->tgid) != (int)a[0])
		return -ESRCH;
	fill_user_info(t, &si, (int)a[2], SI_TKILL);
	si.si_pid = tg_pid_for(x->tg, t->tg->tgid);
	if ((int)a[2] && !task_ns_init_ignores(t, x->tg, (int)a[2]))
		return task_send_signal(x, (int)a[2], &si);
	return 0;
}

/* ---- ids ---- */

SYSCALL(getpgid)
{
	struct thread_group *g = a[0] ? tg_find_vnr(t, (int)a[0]) : t->tg;

	return g ? task_vnr(t, g->pgid) : -ESRCH;
}

SYSCALL(getpgrp)
{
	(void)a;
	return task_vnr(t, t->tg->pgid);
}

SYSCALL(setpgid)
{
	int pid = (int)a[0], pgid = (int)a[1], old;
	struct thread_group *g = pid ? tg_find_vnr(t, pid) : t->tg;

	if (pgid < 0)
		return -EINVAL;
	/* A group the caller cannot see is no group of its session. */
	if (pgid && !(pgid = task_gnr(t, pgid)))
		return -EPERM;
	if (!g || (g != t->tg && g->parent != t->tg))
		return -ESRCH;
	if (g->sid == g->tgid)
		return -EPERM; /* a session leader */
	if (g->sid != t->tg->sid)
		return -EPERM;
	if (!pgid)
		pgid = g->tgid;
	if (pgid != g->tgid) {
		struct thread_group *x;
		int found = 0;

		for (x = all_groups; x; x = x->next)
			if (x->pgid == pgid && x->sid == g->sid && !x->zombie)
				found = 1;
		if (!found)
			return -EPERM;
	}
	old = g->pgid;
	g->pgid = pgid;
	pid_release(old);
	return 0;
}

SYSCALL(getsid)
{
	struct thread_group *g = a[0] ? tg_find_vnr(t, (int)a[0]) : t->tg;

	return g ? task_vnr(t, g->sid) : -ESRCH;
}

SYSCALL(setsid)
{
	struct thread_group *x;

	(void)a;
	for (x = all_groups; x; x = x->next)
		if (x->pgid == t->tg->tgid)
			return -EPERM; /* already a group leader */
	{
		int old_pgid = t->tg->pgid, old_sid = t->tg->sid;

		t->tg->sid = t->tg->pgid = t->tg->tgid;
		pid_release(old_pgid);
		pid_release(old_sid);
	}
	t->tg->ctty = NULL; /* a new session starts without a terminal */
	return task_vnr(t, t->tg->sid);
}

void task_signal_from_host(int sig)
{
	struct thread_group *g;
	siginfo_t si;

	if (!init_tg || init_tg->zombie)
		return;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_USER; /* from outside the sandbox: pid 0, as the kernel's own */
	if (sig == SIGTERM || sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2) {
		if (!task_ns_init_ignores(NULL, init_tg, sig))
			tg_send_signal(init_tg, sig, &si);
		return;
	}
	for (g = all_groups; g; g = g->next)
		if (!g->zombie && g->pgid == init_tg->pgid && !task_ns_init_ignores(NULL, g, sig))
			tg_send_signal(g, sig, &si);
}

/* ---- job control ---- */

static void notify_parent(struct thread_group *g, int code, int status)
{
	siginfo_t si;
	struct sighand *psh;

	if (!g->parent || g->parent->zombie)
		return;
	psh = g->parent->threads ? g->parent->threads->sighand : NULL;
	if (psh && (psh->act[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		return;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = code;
	si.si_pid = tg_pid_for(g->parent, g->tgid);
	si.si_uid = g->uid;
	si.si_status = status;
	tg_send_signal(g->parent, SIGCHLD, &si);
}

void tg_stop(struct thread_group *g, int sig)
{
	struct task *x;

	if (g->stopped || g->exiting)
		return;
	g->stopped = 1;
	g->stop_sig = sig;
	g->report_stop = 1;
	g->report_cont = 0;
	for (x = g->threads; x; x = x->tg_next) {
		x->ptrace.gstop_seen = 0; /* a traced thread reports this stop to its tracer */
		task_wake(x); /* out of blocking waits, to stop in task_run */
		if (x->in_user && x->ctx)
			plat->interrupt(x->ctx);
	}
	notify_parent(g, CLD_STOPPED, sig);
	if (g->parent)
		waitq_wake(&g->parent->child_wq);
}

void tg_continue(struct thread_group *g)
{
	struct task *x;

	if (!g->stopped)
		return;
	g->stopped = 0;
	g->report_stop = 0;
	g->report_cont = 1;
	notify_parent(g, CLD_CONTINUED, SIGCONT);
	for (x = g->threads; x; x = x->tg_next)
		task_wake(x);
	if (g->parent)
		waitq_wake(&g->parent->child_wq);
}

/* CPU time of the host thread serving x: the sentry's work for it. */
static uint64_t sentry_ns(struct task *x)
{
	struct timespec ts;

	if (!x->host_clock || host_clock_gettime(x->host_clock, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The process's CPU clock: the stub process's own time (exact: it is the
 * application's code) and the sentry's time for its threads, as user and
 * system time are natively; never less than its threads' clocks together
 * (task_cpu_ns), so that no thread's clock runs ahead of its process's.
 * Never goes back (an exec brings a new stub).
 */
uint64_t tg_cpu_ns(struct thread_group *g)
{
	struct task *x = g->threads;
	uint64_t ns = g->sentry_dead_ns, sum = g->threads_dead_ns;

	if (x && x->mm && x->mm->as && plat->as_cpu_ns)
		ns += plat->as_cpu_ns(x->mm->as);
	for (; x; x = x->tg_next) {
		ns += sentry_ns(x);
		sum += task_cpu_ns(x);
	}
	if (sum > ns)
		ns = sum;
	if (ns > g->cpu_ns)
		g->cpu_ns = ns;
	return g->cpu_ns;
}

struct thread_group *tg_all(void)
{
	return all_groups;
}

int task_count(void)
{
	return ntasks;
}

void tg_signal_pgrp(int pgid, int sig)
{
	struct thread_group *g;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	for (g = all_groups; g; g = g->next)
		if (!g->zombie && g->pgid == pgid && !task_ns_init_ignores(NULL, g, sig))
			tg_send_signal(g, sig, &si);
}

int tg_pgrp_orphaned(int pgid)
{
	struct thread_group *g;

	/* Orphaned: no member has a parent in another group of the same session. */
	for (g = all_groups; g; g = g->next)
		if (!g->zombie && g->pgid == pgid && g->parent && g->parent->pgid != pgid && g->parent->sid == g->sid)
			return 0;
	return 1;
}

void tg_watch_cpu(struct thread_group *g)
{
	if (g->rlim[RLIMIT_CPU].rlim_cur == RLIM_INFINITY) {
		timer_cancel_locked(&g->cpu_watch);
		return;
	}
	g->cpu_watch.tg = g;
	g->cpu_watch.cpu_limit = 1;
	g->cpu_watch.value = (uint64_t)-1;
	if (!g->cpu_watch.deadline_ns)
		timer_arm_locked(&g->cpu_watch, host_monotonic_ns() + 100000000ULL, 100000000ULL);
}
