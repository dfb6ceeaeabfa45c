/*
 * OCI exec in the sentry (exec.h): one host thread waits for the next
 * process cvisor asks for, and each process runs on a host thread of its
 * own, which loads its program (the platform's address space must be
 * made by the thread that will trace it), runs it, reaps it and reports
 * its end.  Nothing here runs as a task: the sentry lock is taken around
 * each use of the kernel's state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/platform.h"
#include "../vfs/fs/hoststdio/hoststdio.h"
#include "../vfs/fs/pty/pty.h"
#include "../vfs/vfs.h"
#include "exec.h"
#include "host/host.h"
#include "kernel/task.h"
#include "loader/loader.h"
#include "log.h"
#include "mm/mm.h"
#include "sentry.h"

static int req_sock = -1, evt_sock = -1;
static char *(*find_program)(struct task *t, const char *argv0, char *const *envp, long *err);
static pthread_mutex_t evt_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * A process with a terminal: a pty of the sandbox's is its stdio and
 * controlling terminal, and two host threads serve its master on the host
 * terminal cvisor exec sent (the replica of a pty whose master went to the
 * console socket, already raw: the line discipline is the sandbox's), as
 * sentry.c serves `cvisor do -t`'s.  The pty and the host fd go when both
 * threads are done: output once the process ended and all it wrote is
 * out, input once the host terminal's master is closed.
 */
struct exec_tty {
	/* refs and done, and the pty, under sentry_lock; fd is the host terminal's, read and written unlocked */
	struct pty *pty;
	int fd, refs, done;
	struct waiter w;
	pthread_cond_t cond;
	pthread_t out;
	int id;                    /* cvisor's id of its process, for EXEC_OP_RESIZE */
	struct exec_tty *next;     /* on ttys while its process lives */
};

/* The terminals of exec'd processes that live, under sentry_lock. */
static struct exec_tty *ttys;

struct spawn {
	struct exec_spec spec;
	int fds[3];
	char *cwd;
	char **argv, **envp;
	struct exec_tty *tty;
};

/* Under the lock: drops one of tty's two users; the last lets the pty and the host fd go. */
static void tty_put_locked(struct exec_tty *x)
{
	if (--x->refs)
		return;
	pty_release(x->pty);
	host_close(x->fd);
	pthread_cond_destroy(&x->cond);
	free(x);
}

static void tty_wake(struct waiter *w)
{
	pthread_cond_signal(&((struct exec_tty *)w->priv)->cond);
}

/* Host terminal -> the pty's master, until that terminal's master is closed (read fails). */
static void *tty_in(void *arg)
{
	struct exec_tty *x = arg;
	char buf[4096];

	for (;;) {
		long n = host_read(x->fd, buf, sizeof(buf));

		pthread_mutex_lock(&sentry_lock);
		if (n <= 0) {
			tty_put_locked(x);
			pthread_mutex_unlock(&sentry_lock);
			return NULL;
		}
		pty_master_write(x->pty, buf, (size_t)n);
		pthread_mutex_unlock(&sentry_lock);
	}
}

/* The pty's output -> the host terminal, until the process ended and nothing is left. */
static void *tty_out(void *arg)
{
	struct exec_tty *x = arg;
	char buf[4096];
	size_t n;

	pthread_mutex_lock(&sentry_lock);
	waiter_add(pty_waitq(x->pty), &x->w);
	for (;;) {
		while ((n = pty_master_read(x->pty, buf, sizeof(buf)))) {
			pthread_mutex_unlock(&sentry_lock);
			host_write(x->fd, buf, n);
			pthread_mutex_lock(&sentry_lock);
		}
		if (x->done)
			break;
		pthread_cond_wait(&x->cond, &sentry_lock);
	}
	waiter_del(&x->w);
	pthread_mutex_unlock(&sentry_lock);
	return NULL;
}

/* Under the lock: t's stdio on a new pty served on host terminal fd (which it takes); 0 or -errno. */
static long tty_setup(struct task *t, struct spawn *s, int fd)
{
	struct exec_tty *x = calloc(1, sizeof(*x));
	struct winsize ws;
	pthread_attr_t attr;
	pthread_t th;
	int i;

	if (!x) {
		host_close(fd);
		return -ENOMEM;
	}
	x->pty = pty_new();
	if (!x->pty) {
		host_close(fd);
		free(x);
		return -ENOSPC;
	}
	pty_hold(x->pty);
	x->fd = fd;
	x->refs = 2;
	x->w.fn = tty_wake;
	x->w.priv = x;
	x->id = s->spec.id;
	pthread_cond_init(&x->cond, NULL);
	for (i = 0; i < 3; i++) {
		struct file *f = pty_open_slave(x->pty);

		if (!f)
			break;
		fdt_install_at(t->files, i, f, 0);
		file_put(f);
	}
	pty_make_controlling(x->pty, t->tg);
	if (host_ioctl(fd, TIOCGWINSZ, &ws) == 0)
		pty_set_winsize(x->pty, &ws);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 << 10);
	if (pthread_create(&x->out, &attr, tty_out, x) != 0) {
		pthread_attr_destroy(&attr);
		x->refs = 1;
		tty_put_locked(x);
		return -EAGAIN;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, tty_in, x) != 0)
		x->refs--; /* no input: the output side alone holds it */
	pthread_attr_destroy(&attr);
	s->tty = x;
	x->next = ttys;
	ttys = x;
	return i == 3 ? 0 : -ENOMEM;
}

/* After the process ended: its last output out (joined), before its end is told. */
static void tty_end(struct exec_tty *x)
{
	struct exec_tty **pp;

	pthread_mutex_lock(&sentry_lock);
	/* Off the list before its end is told: cvisor may give its id to the next process. */
	for (pp = &ttys; *pp; pp = &(*pp)->next)
		if (*pp == x) {
			*pp = x->next;
			break;
		}
	x->done = 1;
	pthread_cond_signal(&x->cond);
	pthread_mutex_unlock(&sentry_lock);
	pthread_join(x->out, NULL);
	pthread_mutex_lock(&sentry_lock);
	tty_put_locked(x);
	pthread_mutex_unlock(&sentry_lock);
}

static void tell(int op, int id, int arg)
{
	struct exec_req rq = {op, id, arg};
	struct exec_ack ack;
	int fd;

	pthread_mutex_lock(&evt_lock);
	if (host_gofer_call(evt_sock, &rq, sizeof(rq), -1, -1, &ack, sizeof(ack), &fd) == 0 && fd >= 0)
		host_close(fd);
	pthread_mutex_unlock(&evt_lock);
}

/* Splits spec's strings into cwd, argv and envp; -EINVAL for anything that does not add up. */
static long unpack(struct spawn *s)
{
	struct exec_spec *sp = &s->spec;
	char *p = sp->strings, *end;
	uint32_t i;

	if (sp->len > EXEC_STRINGS_MAX || sp->argc < 1 || sp->argc > 4096 || sp->envc > 4096 ||
	    sp->ngroups > EXEC_GROUPS_MAX)
		return -EINVAL;
	end = sp->strings + sp->len;
	s->argv = calloc(sp->argc + 1, sizeof(char *));
	s->envp = calloc(sp->envc + 1, sizeof(char *));
	if (!s->argv || !s->envp)
		return -ENOMEM;
	for (i = 0; i < 1 + sp->argc + sp->envc; i++) {
		char *nul = memchr(p, 0, (size_t)(end - p));

		if (p >= end || !nul)
			return -EINVAL;
		if (i == 0)
			s->cwd = p;
		else if (i <= sp->argc)
			s->argv[i - 1] = p;
		else
			s->envp[i - 1 - sp->argc] = p;
		p = nul + 1;
	}
	return s->cwd[0] == '/' && s->argv[0][0] ? 0 : -EINVAL;
}

/* Under the lock: t's ids, stdio, working directory and program; 0 or -errno. */
static long prepare(struct task *t, struct spawn *s)
{
	struct exec_spec *sp = &s->spec;
	struct path p;
	char *prog;
	long r;
	int fd;

	t->cred.uid = t->cred.euid = t->cred.suid = t->cred.fsuid = sp->uid;
	t->cred.gid = t->cred.egid = t->cred.sgid = t->cred.fsgid = sp->gid;
	if (sp->ngroups) {
		struct groups *g = malloc(sizeof(*g) + sp->ngroups * sizeof(uint32_t));

		if (!g)
			return -ENOMEM;
		g->refs = 1;
		g->n = sp->ngroups;
		memcpy(g->gid, sp->groups, sp->ngroups * sizeof(uint32_t));
		t->cred.groups = g;
	}
	if (sp->uid)
		t->cred.cap_prm = t->cred.cap_eff = t->cred.cap_amb = 0;
	t->no_new_privs = !!sp->no_new_privs;
	if (sp->tty && s->fds[0] >= 0) {
		fd = s->fds[0];
		s->fds[0] = -1;
		if ((r = tty_setup(t, s, fd)) < 0)
			return r;
	}
	for (fd = 0; fd < 3 && !s->tty; fd++) {
		long fl;
		struct file *f;

		if (s->fds[fd] < 0)
			continue;
		fl = host_fcntl(s->fds[fd], F_GETFL, 0);
		f = hoststdio_file(s->fds[fd], fl < 0 ? O_RDWR : (int)(fl & ~O_CLOEXEC));
		if (!f)
			return -ENOMEM;
		s->fds[fd] = -1; /* the file owns it */
		fdt_install_at(t->files, fd, f, 0);
		file_put(f);
	}
	if (vfs_walk(t, AT_FDCWD, s->cwd, WALK_FOLLOW | WALK_DIRECTORY, &p) == 0) {
		path_put(&t->fs->cwd);
		t->fs->cwd = p;
	}
	prog = find_program(t, s->argv[0], s->envp, &r);
	if (!prog)
		return r;
	{
		const char *base = strrchr(prog, '/');

		snprintf(t->comm, sizeof(t->comm), "%.15s", base ? base + 1 : prog);
	}
	r = loader_exec(t, prog, s->argv, s->envp, &t->mm, &t->regs);
	free(prog);
	if (r == 0) {
		int err = 0;

		t->ctx = plat->ctx_create(t->mm->as, &err);
		if (!t->ctx)
			r = err ? err : -ENOMEM;
	}
	return r;
}

static void *spawn_main(void *arg)
{
	struct spawn *s = arg;
	struct thread_group *g = NULL;
	struct task *t;
	long r = unpack(s);
	int status = 0, i;

	pthread_mutex_lock(&sentry_lock);
	t = r == 0 ? task_new_process(&r) : NULL;
	if (t) {
		g = t->tg;
		task_current = t;
		r = prepare(t, s);
		if (r < 0) {
			/* Never ran: it ends as a process killed before its first instruction, unseen. */
			task_exit_group(t, SIGKILL);
		}
	}
	pthread_mutex_unlock(&sentry_lock);
	tell(EXEC_STARTED, s->spec.id, r < 0 ? (int)r : g->tgid);
	if (t) {
		if (r == 0)
			task_run(t);
		task_exit_thread(t);
		pthread_mutex_lock(&sentry_lock);
		status = task_reap_parentless(g);
		pthread_mutex_unlock(&sentry_lock);
		if (s->tty)
			tty_end(s->tty);
		if (r == 0)
			tell(EXEC_EXITED, s->spec.id, status);
	}
	for (i = 0; i < 3; i++)
		if (s->fds[i] >= 0)
			host_close(s->fds[i]);
	free(s->argv);
	free(s->envp);
	free(s);
	return NULL;
}

/*
 * EXEC_OP_PS: the sandbox's live processes, taken at one moment under the
 * lock, then told in parts (a part is a few KiB, within any socket buffer).
 */
static void answer_ps(int id)
{
	struct exec_ps_msg *m = malloc(sizeof(*m));
	struct exec_proc *all = NULL;
	struct thread_group *g;
	struct exec_ack ack;
	size_t n = 0, cap = 0, k, part;
	uint64_t now;
	int fd;

	if (!m)
		return;
	pthread_mutex_lock(&sentry_lock);
	now = host_monotonic_ns();
	for (g = tg_all(); g; g = g->next) {
		struct task *t = g->leader ? g->leader : g->threads;
		struct exec_proc *p;

		if (g->zombie || !t)
			continue;
		if (n == cap) {
			struct exec_proc *bigger = realloc(all, (cap = cap ? 2 * cap : 64) * sizeof(*all));

			if (!bigger)
				break;
			all = bigger;
		}
		p = &all[n++];
		memset(p, 0, sizeof(*p));
		p->pid = g->tgid;
		p->ppid = g->parent ? g->parent->tgid : 0;
		p->uid = t->cred.euid;
		p->tty = g->ctty ? pty_index(g->ctty) : -1;
		p->age_ns = now > g->start_ns ? now - g->start_ns : 0;
		p->cpu_ns = tg_cpu_ns(g);
		memcpy(p->comm, t->comm, sizeof(p->comm));
		p->comm[sizeof(p->comm) - 1] = 0;
	}
	pthread_mutex_unlock(&sentry_lock);
	pthread_mutex_lock(&evt_lock);
	k = 0;
	do {
		part = n - k < EXEC_PS_CHUNK ? n - k : EXEC_PS_CHUNK;
		m->pad = 0;
		m->hdr = (struct exec_req){k + part == n ? EXEC_PS_END : EXEC_PS_PART, id, (int32_t)part};
		memcpy(m->procs, all + k, part * sizeof(*all));
		k += part;
		if (host_gofer_call(evt_sock, m, offsetof(struct exec_ps_msg, procs) + part * sizeof(*all), -1, -1, &ack, sizeof(ack), &fd) < 0)
			break;
		if (fd >= 0)
			host_close(fd);
	} while (k < n);
	pthread_mutex_unlock(&evt_lock);
	free(all);
	free(m);
}

/* EXEC_OP_RESIZE: the sandbox pty of process target takes the new size (and its foreground group SIGWINCH). */
static void answer_resize(const struct exec_spec *sp)
{
	struct winsize ws = {sp->ws_row, sp->ws_col, sp->ws_xpixel, sp->ws_ypixel};
	struct exec_tty *x;
	int r = -ESRCH;

	pthread_mutex_lock(&sentry_lock);
	for (x = ttys; x; x = x->next)
		if (x->id == sp->target) {
			pty_set_winsize(x->pty, &ws);
			r = 0;
			break;
		}
	pthread_mutex_unlock(&sentry_lock);
	tell(EXEC_DONE, sp->id, r);
}

static void *exec_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct spawn *s = calloc(1, sizeof(*s));
		struct exec_req rq = {EXEC_NEXT, 0, 0};
		struct exec_ack ack;
		pthread_attr_t attr;
		pthread_t th;
		int i;

		if (!s)
			return NULL;
		s->fds[0] = s->fds[1] = s->fds[2] = -1;
		/* Blocks until a `cvisor exec` comes; an error means cvisor is gone. */
		if (host_gofer_call(req_sock, &rq, sizeof(rq), -1, -1, &s->spec, sizeof(s->spec), &s->fds[0]) < 0) {
			free(s);
			return NULL;
		}
		if (s->spec.op != EXEC_OP_SPAWN) {
			/* A look, not a process: answered here, at once, and no fds kept. */
			if (s->fds[0] >= 0)
				host_close(s->fds[0]);
			if (s->spec.op == EXEC_OP_PS)
				answer_ps(s->spec.id);
			else if (s->spec.op == EXEC_OP_RESIZE)
				answer_resize(&s->spec);
			else
				tell(EXEC_DONE, s->spec.id, -EINVAL);
			free(s);
			continue;
		}
		for (i = 1; i < 3; i++) {
			rq = (struct exec_req){EXEC_FD, s->spec.id, i};
			if (host_gofer_call(req_sock, &rq, sizeof(rq), -1, -1, &ack, sizeof(ack), &s->fds[i]) < 0)
				break;
		}
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 1 << 20);
		if (pthread_create(&th, &attr, spawn_main, s) != 0) {
			tell(EXEC_STARTED, s->spec.id, -EAGAIN);
			for (i = 0; i < 3; i++)
				if (s->fds[i] >= 0)
					host_close(s->fds[i]);
			free(s);
		}
		pthread_attr_destroy(&attr);
	}
}

void sentry_exec_start(int req, int evt, char *(*find)(struct task *t, const char *argv0, char *const *envp, long *err))
{
	pthread_attr_t attr;
	pthread_t th;

	if (req < 0 || evt < 0)
		return;
	req_sock = req;
	evt_sock = evt;
	find_program = find;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	pthread_create(&th, &attr, exec_main, NULL);
	pthread_attr_destroy(&attr);
}
