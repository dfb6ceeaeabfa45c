/*
 * System V message queues (msgget(2), msgsnd(2), msgrcv(2), msgctl(2)).
 *
 * A message is copied into sentry memory (charged to the sandbox's
 * budget) when sent and out when received.  Senders wait on the queue's
 * queue for room, receivers for a message they can take; every change
 * wakes both, and each checks again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

#include "../../include/abi/ipc.h"
#include "../../vfs/fs/proc/proc.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../mm/memfile.h"
#include "../mm/mm.h"
#include "ipc.h"

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct msg {
	struct msg *next;
	int64_t type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct ipc_obj o;
	struct msg *head, **tail;
	uint64_t cbytes, qnum, qbytes;
	int64_t stime, rtime, ctime;
	int lspid, lrpid;
	struct waitq wq;
	int refs; /* the ids' (until IPC_RMID) and each sleeper's */
};


static void free_msg(struct msg *m)
{
	mf_uncharge(sizeof(*m) + m->size);
	free(m);
}

static void queue_put(struct msg_queue *q)
{
	struct msg *m;

	if (--q->refs)
		return;
	while ((m = q->head)) {
		q->head = m->next;
		q->o.ns->msg_hdrs--;
		q->o.ns->msg_bytes -= m->size;
		free_msg(m);
	}
	mf_uncharge(sizeof(*q));
	free(q);
}

static struct msg_queue *queue_of(struct task *t, int id)
{
	return (struct msg_queue *)ipc_obtain(&ipc_ns_of(t)->msg_ids, id);
}

static long newque(struct task *t, int32_t key, int flg, void *arg)
{
	struct msg_queue *q;
	int r;

	(void)arg;
	if (mf_charge(sizeof(*q)) < 0)
		return -ENOMEM;
	q = calloc(1, sizeof(*q));
	if (!q) {
		mf_uncharge(sizeof(*q));
		return -ENOMEM;
	}
	ipc_init_perm(t, &q->o, key, flg);
	q->tail = &q->head;
	q->qbytes = (uint64_t)ipc_ns_of(t)->limits.msgmnb;
	q->ctime = ipc_now();
	q->refs = 1;
	waitq_init(&q->wq);
	r = ipc_add(&ipc_ns_of(t)->msg_ids, &q->o, ipc_ns_of(t)->limits.msgmni);
	if (r < 0) {
		queue_put(q);
		return r;
	}
	return q->o.id;
}

long ipc_msgget(struct task *t, int32_t key, int flg)
{
	return ipc_get(t, &ipc_ns_of(t)->msg_ids, key, flg, newque, NULL, NULL);
}

/* Sleeps on q's queue holding it; -EIDRM when it was removed meanwhile, else task_block's answer. */
static int sleep_on(struct task *t, struct msg_queue *q)
{
	int r;

	q->refs++;
	r = task_block(t, &q->wq, 0);
	if (q->o.deleted)
		r = -EIDRM;
	queue_put(q);
	return r;
}

long ipc_msgsnd(struct task *t, int id, gva_t msgp, uint64_t size, int flg)
{
	struct msg_queue *q;
	struct msg *m;
	int64_t type;
	long r;

	if (mm_copy_in(t->mm, &type, msgp, sizeof(type)) < 0)
		return -EFAULT;
	if (size > (uint64_t)ipc_ns_of(t)->limits.msgmax || (int64_t)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	if (mf_charge(sizeof(*m) + size) < 0)
		return -ENOMEM;
	m = malloc(sizeof(*m) + size);
	if (!m) {
		mf_uncharge(sizeof(*m) + size);
		return -ENOMEM;
	}
	m->next = NULL;
	m->type = type;
	m->size = size;
	if (mm_copy_in(t->mm, m->text, msgp + sizeof(type), size) < 0) {
		free_msg(m);
		return -EFAULT;
	}
	for (;;) {
		q = queue_of(t, id);
		if (!q) {
			r = -EINVAL;
			break;
		}
		if (ipc_perms(t, &q->o, 0222) < 0) {
			r = -EACCES;
			break;
		}
		if (size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes) {
			*q->tail = m;
			q->tail = &m->next;
			q->cbytes += size;
			q->qnum++;
			q->o.ns->msg_hdrs++;
			q->o.ns->msg_bytes += size;
			q->lspid = task_tgid(t);
			q->stime = ipc_now();
			waitq_wake(&q->wq);
			return 0;
		}
		if (flg & IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		r = sleep_on(t, q);
		if (r == -ERESTARTSYS)
			r = -ERESTARTNOHAND;
		if (r < 0)
			break;
	}
	free_msg(m);
	return r;
}

enum { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

static int test_msg(const struct msg *m, int64_t type, int mode)
{
	switch (mode) {
	case SEARCH_EQUAL:
		return m->type == type;
	case SEARCH_NOTEQUAL:
		return m->type != type;
	case SEARCH_LESSEQUAL:
		return m->type <= type;
	default:
		return 1;
	}
}

/* Linux's find_msg: the message to take, with the link that points to it, or NULL. */
static struct msg **find_msg(struct msg_queue *q, int64_t type, int mode)
{
	struct msg **p, **found = NULL;
	int64_t count = 0;

	for (p = &q->head; *p; p = &(*p)->next) {
		if (!test_msg(*p, type, mode))
			continue;
		if (mode == SEARCH_LESSEQUAL && (*p)->type != 1) {
			/* The lowest type wins: look on for one below this. */
			type = (*p)->type - 1;
			found = p;
		} else if (mode == SEARCH_NUMBER) {
			if (type == count)
				return p;
		} else {
			return p;
		}
		count++;
	}
	return found;
}

long ipc_msgrcv(struct task *t, int id, gva_t msgp, uint64_t size, int64_t type, int flg)
{
	struct msg_queue *q;
	struct msg **pm, *m;
	int mode;
	long r;

	if (id < 0 || (int64_t)size < 0)
		return -EINVAL;
	if (flg & MSG_COPY) {
		if ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT))
			return -EINVAL;
		mode = SEARCH_NUMBER;
	} else if (type == 0) {
		mode = SEARCH_ANY;
	} else if (type < 0) {
		type = type == INT64_MIN ? INT64_MAX : -type;
		mode = SEARCH_LESSEQUAL;
	} else {
		mode = (flg & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
	}
	for (;;) {
		q = queue_of(t, id);
		if (!q)
			return -EINVAL;
		if (ipc_perms(t, &q->o, 0444) < 0)
			return -EACCES;
		pm = find_msg(q, type, mode);
		if (pm)
			break;
		if (flg & IPC_NOWAIT)
			return -ENOMSG;
		r = sleep_on(t, q);
		if (r == -ERESTARTSYS)
			r = -ERESTARTNOHAND;
		if (r < 0)
			return r;
	}
	m = *pm;
	if (size < m->size && !(flg & MSG_NOERROR))
		return -E2BIG;
	if (size > m->size)
		size = m->size;
	if (!(flg & MSG_COPY)) {
		*pm = m->next;
		if (q->tail == &m->next)
			q->tail = pm;
		q->qnum--;
		q->cbytes -= m->size;
		q->o.ns->msg_hdrs--;
		q->o.ns->msg_bytes -= m->size;
		q->rtime = ipc_now();
		q->lrpid = task_tgid(t);
		waitq_wake(&q->wq);
	}
	/* A message taken and then not written out is lost, as in Linux. */
	r = (long)size;
	if (mm_copy_out(t->mm, msgp, &m->type, sizeof(m->type)) < 0 ||
	    mm_copy_out(t->mm, msgp + sizeof(m->type), m->text, size) < 0)
		r = -EFAULT;
	if (!(flg & MSG_COPY))
		free_msg(m);
	return r;
}

static void fill_ds(const struct msg_queue *q, struct abi_msqid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&q->o, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

long ipc_msgctl(struct task *t, int id, int cmd, gva_t buf)
{
	struct abi_msqid_ds ds;
	struct msg_queue *q;
	long r;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO: {
		struct abi_msginfo in = {
			.msgmni = ipc_ns_of(t)->limits.msgmni,
			.msgmax = ipc_ns_of(t)->limits.msgmax,
			.msgmnb = ipc_ns_of(t)->limits.msgmnb,
			.msgssz = 16,      /* MSGSSZ */
			.msgseg = 0xffff,  /* MSGSEG */
		};

		if (cmd == MSG_INFO) {
			in.msgpool = ipc_ns_of(t)->msg_ids.in_use;
			in.msgmap = (int32_t)ipc_ns_of(t)->msg_hdrs;
			in.msgtql = (int32_t)ipc_ns_of(t)->msg_bytes;
		} else {
			in.msgmap = 16384;   /* MSGMAP, MSGTQL: MSGMNB */
			in.msgpool = 512000; /* MSGPOOL: MSGMNI * MSGMNB / 1024 */
			in.msgtql = 16384;
		}
		if (mm_copy_out(t->mm, buf, &in, sizeof(in)) < 0)
			return -EFAULT;
		r = ipc_max_idx(&ipc_ns_of(t)->msg_ids);
		return r < 0 ? 0 : r;
	}
	case MSG_STAT:
	case MSG_STAT_ANY:
	case IPC_STAT:
		q = cmd == IPC_STAT ? queue_of(t, id) : (struct msg_queue *)ipc_at(&ipc_ns_of(t)->msg_ids, id);
		if (!q)
			return -EINVAL;
		if (cmd != MSG_STAT_ANY && ipc_perms(t, &q->o, 0444) < 0)
			return -EACCES;
		fill_ds(q, &ds);
		ds.msg_lspid = task_vnr(t, ds.msg_lspid); /* kept global: in the caller's pid namespace */
		ds.msg_lrpid = task_vnr(t, ds.msg_lrpid);
		if (mm_copy_out(t->mm, buf, &ds, sizeof(ds)) < 0)
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : q->o.id;
	case IPC_SET:
		if (mm_copy_in(t->mm, &ds, buf, sizeof(ds)) < 0)
			return -EFAULT;
		/* fallthrough */
	case IPC_RMID:
		q = queue_of(t, id);
		if (!q)
			return -EINVAL;
		r = ipc_owner(t, &q->o);
		if (r < 0)
			return r;
		if (cmd == IPC_RMID) {
			ipc_remove(&q->o.ns->msg_ids, &q->o);
			waitq_wake(&q->wq);
			queue_put(q);
			return 0;
		}
		if (ds.msg_qbytes > (uint64_t)ipc_ns_of(t)->limits.msgmnb && !capable(t, CAP_SYS_RESOURCE))
			return -EPERM;
		r = ipc_set_perm(&q->o, &ds.msg_perm);
		if (r < 0)
			return r;
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		waitq_wake(&q->wq);
		return 0;
	default:
		return -EINVAL;
	}
}

/* IPC_RMID of every queue (a dead namespace has no sleepers: its tasks are gone). */
void ipc_msg_ns_exit(struct ipc_ns *ns)
{
	int i;

	for (i = 0; i < ns->msg_ids.cap; i++) {
		struct msg_queue *q = (struct msg_queue *)ns->msg_ids.slot[i];

		if (q) {
			ipc_remove(&ns->msg_ids, &q->o);
			waitq_wake(&q->wq);
			queue_put(q);
		}
	}
}

static void show_msg(struct proc_buf *b)
{
	struct ipc_ns *ns = ipc_ns_current();
	int i;

	proc_printf(b, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid"
		       "      stime      rtime      ctime\n");
	for (i = 0; i < ns->msg_ids.cap; i++) {
		struct msg_queue *q = (struct msg_queue *)ns->msg_ids.slot[i];

		if (q)
			proc_printf(b, "%10d %10d  %4o  %10lu %10lu %5d %5d %5u %5u %5u %5u %10lld %10lld %10lld\n",
				    q->o.key, q->o.id, q->o.mode, (unsigned long)q->cbytes, (unsigned long)q->qnum,
				    q->lspid, q->lrpid, q->o.uid, q->o.gid, q->o.cuid, q->o.cgid, (long long)q->stime,
				    (long long)q->rtime, (long long)q->ctime);
	}
}

static const struct proc_file proc_sysvipc_msg = {"sysvipc", "msg", show_msg, NULL};
PROC_FILE(proc_sysvipc_msg)
