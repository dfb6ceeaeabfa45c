/*
 * System V semaphores (semget(2), semop(2), semctl(2)).
 *
 * semop applies all its operations or none.  A call that cannot proceed
 * sleeps on the set's queue, noting which operation blocked it (for
 * GETNCNT and GETZCNT, counted as Linux counts them: only the operation
 * that blocked), and tries again at every change of the set.  IPC_RMID
 * wakes every sleeper with EIDRM; the set's memory goes when the last has
 * looked (refs).
 *
 * SEM_UNDO adjustments are kept per process (by tgid, shared by its
 * threads as glibc's threads share them with CLONE_SYSVSEM) and per set,
 * and applied when the process ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include "../../include/abi/ipc.h"
#include "../../vfs/fs/proc/proc.h"
#include "../host/host.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../mm/memfile.h"
#include "../mm/mm.h"
#include "ipc.h"

#define SEMVMX 32767
#define SEMAEM SEMVMX

struct sem {
	int val;
	int pid;
};

/* A task asleep in semop, for GETNCNT/GETZCNT. */
struct sem_sleeper {
	struct sem_sleeper *next;
	int semnum;
	int zero; /* waits for zero (GETZCNT), else for an increase (GETNCNT) */
};

struct sem_set {
	struct ipc_obj o;
	int nsems;
	struct sem *sems;
	int64_t otime, ctime;
	struct waitq wq;
	struct sem_sleeper *sleepers;
	int refs;                     /* the ids' (until IPC_RMID) and each sleeper's */
};

/* One process's adjustments for one set. */
struct sem_undo {
	struct sem_undo *next;
	struct ipc_ns *ns;            /* the set's */
	int tgid;
	int semid;
	int nsems;
	short adj[];
};

static struct sem_undo *undos; /* every namespace's */

static size_t set_bytes(int nsems)
{
	return sizeof(struct sem_set) + (size_t)nsems * sizeof(struct sem);
}

static void set_put(struct sem_set *s)
{
	if (--s->refs)
		return;
	mf_uncharge(set_bytes(s->nsems));
	free(s->sems);
	free(s);
}

static struct sem_set *set_of(struct task *t, int id)
{
	return (struct sem_set *)ipc_obtain(&ipc_ns_of(t)->sem_ids, id);
}

/* The entries for set semid of ns (semid < 0: any), of process tgid (< 0: any). */
static void drop_undos(struct ipc_ns *ns, int semid, int tgid)
{
	struct sem_undo **p = &undos, *u;

	while ((u = *p)) {
		if ((semid < 0 || (u->semid == semid && u->ns == ns)) && (tgid < 0 || u->tgid == tgid)) {
			*p = u->next;
			mf_uncharge(sizeof(*u) + (size_t)u->nsems * sizeof(short));
			free(u);
		} else {
			p = &u->next;
		}
	}
}

/* SETVAL and SETALL forget the adjustments of the values they set. */
static void clear_undos(struct ipc_ns *ns, int semid, int semnum)
{
	struct sem_undo *u;

	for (u = undos; u; u = u->next)
		if (u->semid == semid && u->ns == ns) {
			if (semnum < 0)
				memset(u->adj, 0, (size_t)u->nsems * sizeof(short));
			else if (semnum < u->nsems)
				u->adj[semnum] = 0;
		}
}

static struct sem_undo *find_undo(struct ipc_ns *ns, int tgid, int semid)
{
	struct sem_undo *u;

	for (u = undos; u; u = u->next)
		if (u->tgid == tgid && u->semid == semid && u->ns == ns)
			return u;
	return NULL;
}

static long newary(struct task *t, int32_t key, int flg, void *arg)
{
	int nsems = *(int *)arg, r;
	struct ipc_ns *ns = ipc_ns_of(t);
	struct sem_set *s;

	if (!nsems)
		return -EINVAL;
	if (ns->used_sems + nsems > ns->limits.semmns)
		return -ENOSPC;
	if (mf_charge(set_bytes(nsems)) < 0)
		return -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (s)
		s->sems = calloc((size_t)nsems, sizeof(struct sem));
	if (!s || !s->sems) {
		free(s);
		mf_uncharge(set_bytes(nsems));
		return -ENOMEM;
	}
	ipc_init_perm(t, &s->o, key, flg);
	s->nsems = nsems;
	s->ctime = ipc_now();
	s->refs = 1;
	waitq_init(&s->wq);
	r = ipc_add(&ns->sem_ids, &s->o, ns->limits.semmni);
	if (r < 0) {
		set_put(s);
		return r;
	}
	ns->used_sems += nsems;
	return s->o.id;
}

static int more_checks(struct ipc_obj *o, void *arg)
{
	return *(int *)arg > ((struct sem_set *)o)->nsems ? -EINVAL : 0;
}

long ipc_semget(struct task *t, int32_t key, int nsems, int flg)
{
	if (nsems < 0 || nsems > ipc_ns_of(t)->limits.semmsl)
		return -EINVAL;
	return ipc_get(t, &ipc_ns_of(t)->sem_ids, key, flg, newary, more_checks, &nsems);
}

/*
 * Tries the operations on a copy: 0 and applied, -EAGAIN/-ERANGE, or 1
 * when it must wait (*blocker is the operation that blocked).
 */
static int try_ops(struct sem_set *s, const struct abi_sembuf *ops, size_t n, struct sem_undo *un, int pid,
		   const struct abi_sembuf **blocker)
{
	int vals[n ? n : 1];
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct abi_sembuf *op = &ops[i];
		int cur = s->sems[op->sem_num].val, res;

		/* An earlier operation of the same call on the same semaphore counts. */
		for (j = i; j-- > 0;)
			if (ops[j].sem_num == op->sem_num) {
				cur = vals[j];
				break;
			}
		res = cur + op->sem_op;
		if ((!op->sem_op && cur) || res < 0) {
			*blocker = op;
			return (op->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
		}
		if (res > SEMVMX)
			return -ERANGE;
		if ((op->sem_flg & SEM_UNDO) && un) {
			int adj = un->adj[op->sem_num];

			for (j = 0; j < i; j++)
				if (ops[j].sem_num == op->sem_num && (ops[j].sem_flg & SEM_UNDO))
					adj -= ops[j].sem_op;
			adj -= op->sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM)
				return -ERANGE;
		}
		vals[i] = res;
	}
	for (i = 0; i < n; i++) {
		s->sems[ops[i].sem_num].val = vals[i];
		s->sems[ops[i].sem_num].pid = pid;
		if ((ops[i].sem_flg & SEM_UNDO) && un)
			un->adj[ops[i].sem_num] = (short)(un->adj[ops[i].sem_num] - ops[i].sem_op);
	}
	return 0;
}

long ipc_semtimedop(struct task *t, int id, gva_t uops, uint64_t nsops, const struct abi_timespec *timeout)
{
	struct abi_sembuf fast[16], *ops = fast;
	uint64_t deadline = 0;
	int max = 0, undo = 0, alter = 0;
	struct sem_set *s;
	struct sem_undo *un = NULL;
	size_t i;
	long r;

	if (nsops < 1 || id < 0)
		return -EINVAL;
	if (nsops > (uint64_t)ipc_ns_of(t)->limits.semopm)
		return -E2BIG;
	if (nsops > 16 && !(ops = malloc(nsops * sizeof(*ops))))
		return -ENOMEM;
	if (mm_copy_in(t->mm, ops, uops, nsops * sizeof(*ops)) < 0) {
		r = -EFAULT;
		goto out;
	}
	if (timeout) {
		if (!abi_timespec_valid(timeout)) {
			r = -EINVAL;
			goto out;
		}
		deadline = abi_ns_after(host_realtime_ns(), abi_timespec_ns(timeout));
		if (!deadline)
			deadline = 1;
	}
	for (i = 0; i < nsops; i++) {
		if (ops[i].sem_num >= max)
			max = ops[i].sem_num;
		if (ops[i].sem_flg & SEM_UNDO)
			undo = 1;
		if (ops[i].sem_op)
			alter = 1;
	}
	s = set_of(t, id);
	if (!s) {
		r = -EINVAL;
		goto out;
	}
	if (max >= s->nsems) {
		r = -EFBIG;
		goto out;
	}
	if (ipc_perms(t, &s->o, alter ? 0222 : 0444) < 0) {
		r = -EACCES;
		goto out;
	}
	if (undo && !(un = find_undo(s->o.ns, task_tgid(t), id))) {
		size_t bytes = sizeof(*un) + (size_t)s->nsems * sizeof(short);

		if (mf_charge(bytes) < 0 || !(un = calloc(1, bytes))) {
			if (!un)
				mf_uncharge(bytes);
			r = -ENOMEM;
			goto out;
		}
		un->ns = s->o.ns;
		un->tgid = task_tgid(t);
		un->semid = id;
		un->nsems = s->nsems;
		un->next = undos;
		undos = un;
	}
	for (;;) {
		const struct abi_sembuf *blocker = NULL;
		struct sem_sleeper me, **p;

		r = try_ops(s, ops, nsops, un, task_tgid(t), &blocker);
		if (r <= 0) {
			if (r == 0) {
				s->otime = ipc_now();
				waitq_wake(&s->wq);
			}
			break;
		}
		me.semnum = blocker->sem_num;
		me.zero = blocker->sem_op == 0;
		me.next = s->sleepers;
		s->sleepers = &me;
		s->refs++;
		r = task_block(t, &s->wq, deadline);
		for (p = &s->sleepers; *p != &me; p = &(*p)->next)
			;
		*p = me.next;
		if (s->o.deleted) {
			set_put(s);
			r = -EIDRM;
			break;
		}
		set_put(s);
		if (r == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
		if (r < 0) {
			r = -EINTR; /* semop is never restarted (signal(7)) */
			break;
		}
		/* Undo entries go only with their set (EIDRM above) or process: un still stands. */
	}
out:
	if (ops != fast)
		free(ops);
	return r;
}

static int count_sleepers(const struct sem_set *s, int semnum, int zero)
{
	const struct sem_sleeper *w;
	int n = 0;

	for (w = s->sleepers; w; w = w->next)
		n += w->semnum == semnum && w->zero == zero;
	return n;
}

static void rmid(struct sem_set *s)
{
	drop_undos(s->o.ns, s->o.id, -1);
	ipc_remove(&s->o.ns->sem_ids, &s->o);
	s->o.ns->used_sems -= s->nsems;
	waitq_wake(&s->wq);
	set_put(s);
}

static void fill_ds(const struct sem_set *s, struct abi_semid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&s->o, &ds->sem_perm);
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->ctime;
	ds->sem_nsems = (uint64_t)s->nsems;
}

long ipc_semctl(struct task *t, int id, int semnum, int cmd, uint64_t arg)
{
	struct abi_semid_ds ds;
	struct sem_set *s;
	long r;
	int i;

	if (id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO: {
		struct abi_seminfo in = {
			.semmni = ipc_ns_of(t)->limits.semmni,
			.semmns = ipc_ns_of(t)->limits.semmns,
			.semmsl = ipc_ns_of(t)->limits.semmsl,
			.semopm = ipc_ns_of(t)->limits.semopm,
			.semvmx = SEMVMX,
			.semmnu = 32000 * 32000, /* SEMMNU, SEMMAP: SEMMNS's default */
			.semmap = 32000 * 32000,
			.semume = 500,           /* SEMUME: SEMOPM's default */
			.semusz = cmd == SEM_INFO ? ipc_ns_of(t)->sem_ids.in_use : 20,
			.semaem = cmd == SEM_INFO ? (int)ipc_ns_of(t)->used_sems : SEMAEM,
		};

		if (mm_copy_out(t->mm, arg, &in, sizeof(in)) < 0)
			return -EFAULT;
		r = ipc_max_idx(&ipc_ns_of(t)->sem_ids);
		return r < 0 ? 0 : r;
	}
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		s = cmd == IPC_STAT ? set_of(t, id) : (struct sem_set *)ipc_at(&ipc_ns_of(t)->sem_ids, id);
		if (!s)
			return -EINVAL;
		if (cmd != SEM_STAT_ANY && ipc_perms(t, &s->o, 0444) < 0)
			return -EACCES;
		fill_ds(s, &ds);
		if (mm_copy_out(t->mm, arg, &ds, sizeof(ds)) < 0)
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : s->o.id;
	case GETALL:
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
	case SETALL:
		s = set_of(t, id);
		if (!s)
			return -EINVAL;
		if (ipc_perms(t, &s->o, cmd == SETALL ? 0222 : 0444) < 0)
			return -EACCES;
		if (cmd == GETALL || cmd == SETALL) {
			uint16_t *v = calloc((size_t)s->nsems, sizeof(*v));

			if (!v)
				return -ENOMEM;
			if (cmd == GETALL) {
				for (i = 0; i < s->nsems; i++)
					v[i] = (uint16_t)s->sems[i].val;
				r = mm_copy_out(t->mm, arg, v, (size_t)s->nsems * sizeof(*v)) < 0 ? -EFAULT : 0;
				free(v);
				return r;
			}
			r = mm_copy_in(t->mm, v, arg, (size_t)s->nsems * sizeof(*v)) < 0 ? -EFAULT : 0;
			for (i = 0; !r && i < s->nsems; i++)
				if (v[i] > SEMVMX)
					r = -ERANGE;
			if (!r) {
				for (i = 0; i < s->nsems; i++) {
					s->sems[i].val = v[i];
					s->sems[i].pid = task_tgid(t);
				}
				clear_undos(ipc_ns_of(t), id, -1);
				s->ctime = ipc_now();
				waitq_wake(&s->wq);
			}
			free(v);
			return r;
		}
		if (semnum < 0 || semnum >= s->nsems)
			return -EINVAL;
		switch (cmd) {
		case GETVAL:
			return s->sems[semnum].val;
		case GETPID:
			return task_vnr(t, s->sems[semnum].pid); /* kept global */
		case GETNCNT:
			return count_sleepers(s, semnum, 0);
		default:
			return count_sleepers(s, semnum, 1);
		}
	case SETVAL: {
		int val = (int)arg;

		if (val > SEMVMX || val < 0)
			return -ERANGE;
		s = set_of(t, id);
		if (!s)
			return -EINVAL;
		if (semnum < 0 || semnum >= s->nsems)
			return -EINVAL;
		if (ipc_perms(t, &s->o, 0222) < 0)
			return -EACCES;
		clear_undos(ipc_ns_of(t), id, semnum);
		s->sems[semnum].val = val;
		s->sems[semnum].pid = task_tgid(t);
		s->ctime = ipc_now();
		waitq_wake(&s->wq);
		return 0;
	}
	case IPC_SET:
		if (mm_copy_in(t->mm, &ds, arg, sizeof(ds)) < 0)
			return -EFAULT;
		/* fallthrough */
	case IPC_RMID:
		s = set_of(t, id);
		if (!s)
			return -EINVAL;
		r = ipc_owner(t, &s->o);
		if (r < 0)
			return r;
		if (cmd == IPC_RMID) {
			rmid(s);
			return 0;
		}
		r = ipc_set_perm(&s->o, &ds.sem_perm);
		if (r < 0)
			return r;
		s->ctime = ipc_now();
		return 0;
	default:
		return -EINVAL;
	}
}

/* exit_sem: each adjustment is added to its semaphore, clamped to 0..SEMVMX. */
void ipc_sem_exit(int tgid)
{
	struct sem_undo *u;

	for (u = undos; u; u = u->next) {
		struct sem_set *s;
		int i;

		if (u->tgid != tgid || !(s = (struct sem_set *)ipc_obtain(&u->ns->sem_ids, u->semid)))
			continue;
		for (i = 0; i < u->nsems && i < s->nsems; i++) {
			int v;

			if (!u->adj[i])
				continue;
			v = s->sems[i].val + u->adj[i];
			s->sems[i].val = v < 0 ? 0 : v > SEMVMX ? SEMVMX : v;
			s->sems[i].pid = tgid;
		}
		s->otime = ipc_now();
		waitq_wake(&s->wq);
	}
	drop_undos(NULL, -1, tgid);
}

/* IPC_RMID of every set (a dead namespace has no sleepers), with their undo entries. */
void ipc_sem_ns_exit(struct ipc_ns *ns)
{
	int i;

	for (i = 0; i < ns->sem_ids.cap; i++)
		if (ns->sem_ids.slot[i])
			rmid((struct sem_set *)ns->sem_ids.slot[i]);
}

static void show_sem(struct proc_buf *b)
{
	struct ipc_ns *ns = ipc_ns_current();
	int i;

	proc_printf(b, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
	for (i = 0; i < ns->sem_ids.cap; i++) {
		struct sem_set *s = (struct sem_set *)ns->sem_ids.slot[i];

		if (s)
			proc_printf(b, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n", s->o.key, s->o.id,
				    s->o.mode, (unsigned)s->nsems, s->o.uid, s->o.gid, s->o.cuid, s->o.cgid,
				    (long long)s->otime, (long long)s->ctime);
	}
}

static const struct proc_file proc_sysvipc_sem = {"sysvipc", "sem", show_sem, NULL};
PROC_FILE(proc_sysvipc_sem)
