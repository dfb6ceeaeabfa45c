/*
 * What the three kinds of System V IPC object share: ids, keys, permissions
 * (Linux's ipc/util.c), and the namespaces with their limits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/stat.h>

#include "../../vfs/fs/proc/proc.h"
#include "../host/host.h"
#include "../kernel/task.h"
#include "../mm/memfile.h"
#include "ipc.h"

/* Linux's defaults for a new IPC namespace (ipc/shm.c, ipc/sem.c, ipc/msg.c, ipc/mqueue.c). */
#define IPC_NS_DEFAULTS                                                                                    \
	.limits = {                                                                                        \
		.shmmax = UINT64_MAX - (1ULL << 24),                                                       \
		.shmall = UINT64_MAX - (1ULL << 24),                                                       \
		.shmmni = 4096,                                                                            \
		.semmsl = 32000,                                                                           \
		.semmns = 1024000000,                                                                      \
		.semopm = 500,                                                                             \
		.semmni = 32000,                                                                           \
		.msgmax = 8192,                                                                            \
		.msgmnb = 16384,                                                                           \
		.msgmni = 32000,                                                                           \
	},                                                                                                 \
	.shm_ids = {.last_idx = -1}, .sem_ids = {.last_idx = -1}, .msg_ids = {.last_idx = -1},             \
	.mq_limits = {256, 10, 8192, 10, 8192}

/* Linux's number for the initial IPC namespace (PROC_IPC_INIT_INO). */
struct ipc_ns ipc_ns_init = {.ns = {.refs = 1, .type = NS_IPC, .ino = 0xEFFFFFFFu}, IPC_NS_DEFAULTS};

static struct ipc_ns *namespaces = &ipc_ns_init;

static void ipc_ns_release(struct ns_common *c)
{
	struct ipc_ns *ns = (struct ipc_ns *)c;

	ns->dead = 1;
	ipc_sem_ns_exit(ns);
	ipc_msg_ns_exit(ns);
	ipc_mq_ns_exit(ns);
	ipc_shm_ns_exit(ns);
	ipc_ns_gc();
}

void ipc_ns_gc(void)
{
	struct ipc_ns **p = &namespaces, *ns;

	while ((ns = *p)) {
		if (ns->dead && !ns->shm_ids.in_use) {
			*p = ns->next;
			free(ns->shm_ids.slot);
			free(ns->sem_ids.slot);
			free(ns->msg_ids.slot);
			free(ns);
			mf_uncharge(sizeof(*ns));
		} else {
			p = &ns->next;
		}
	}
}

struct ns_common *ipc_ns_new(void)
{
	static const struct ipc_ns defaults = {IPC_NS_DEFAULTS};
	struct ipc_ns *ns;

	if (mf_charge(sizeof(*ns)) < 0)
		return NULL;
	ns = malloc(sizeof(*ns));
	if (!ns) {
		mf_uncharge(sizeof(*ns));
		return NULL;
	}
	*ns = defaults;
	ns->ns = (struct ns_common){.refs = 1, .type = NS_IPC, .ino = ns_alloc_ino(), .release = ipc_ns_release};
	ns->next = namespaces;
	namespaces = ns;
	return &ns->ns;
}

struct ipc_ns *ipc_ns_of(const struct task *t)
{
	return t && t->ipc ? (struct ipc_ns *)t->ipc : &ipc_ns_init;
}

struct ipc_ns *ipc_ns_current(void)
{
	return task_current ? ipc_ns_of(task_current) : &ipc_ns_init;
}

struct ipc_ns *ipc_ns_all(void)
{
	return namespaces;
}

void ipc_exit(int tgid)
{
	ipc_sem_exit(tgid);
	ipc_shm_reap();
}

int64_t ipc_now(void)
{
	return (int64_t)(host_realtime_ns() / 1000000000ULL);
}

struct ipc_obj *ipc_at(struct ipc_ids *ids, int idx)
{
	return idx >= 0 && idx < ids->cap ? ids->slot[idx] : NULL;
}

struct ipc_obj *ipc_obtain(struct ipc_ids *ids, int id)
{
	struct ipc_obj *o;

	if (id < 0)
		return NULL;
	o = ipc_at(ids, id % IPC_MNI);
	return o && o->seq == id / IPC_MNI ? o : NULL;
}

int ipc_max_idx(const struct ipc_ids *ids)
{
	int i;

	for (i = ids->cap - 1; i >= 0; i--)
		if (ids->slot[i])
			return i;
	return -1;
}

/*
 * Indexes are given cyclically, as Linux's ipc_idr_alloc: from the one after
 * the last given, below max(64, 1.5 x the objects in use), so a removed
 * object's index is not given again at once; when the search wraps, the
 * sequence number goes up, so that a stale id names nothing.
 */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, int limit)
{
	int max = ids->in_use * 3 / 2, idx = 0, i;

	if (limit > IPC_MNI)
		limit = IPC_MNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	if (max < 64)
		max = 64;
	if (max > IPC_MNI)
		max = IPC_MNI;
	if (ids->next >= max)
		ids->next = 0;
	for (i = 0; i < max; i++) {
		idx = (ids->next + i) % max;
		if (!ipc_at(ids, idx))
			break;
	}
	if (i == max)
		return -ENOSPC;
	if (idx >= ids->cap) {
		int cap = ids->cap ? ids->cap : 16;
		struct ipc_obj **s;

		while (cap <= idx)
			cap *= 2;
		if (cap > IPC_MNI)
			cap = IPC_MNI;
		s = realloc(ids->slot, (size_t)cap * sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (i = ids->cap; i < cap; i++)
			s[i] = NULL;
		ids->slot = s;
		ids->cap = cap;
	}
	if (idx <= ids->last_idx)
		ids->seq = (uint16_t)((ids->seq + 1) % (INT32_MAX / IPC_MNI)); /* Linux's ipcid_seq_max */
	ids->last_idx = idx;
	ids->next = idx + 1;
	ids->slot[idx] = o;
	ids->in_use++;
	o->seq = ids->seq;
	o->id = ids->seq * IPC_MNI + idx;
	o->deleted = 0;
	return 0;
}

void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	int idx = o->id % IPC_MNI;

	if (ipc_at(ids, idx) == o) {
		ids->slot[idx] = NULL;
		ids->in_use--;
	}
	o->deleted = 1;
}

void ipc_init_perm(struct task *t, struct ipc_obj *o, int32_t key, int flg)
{
	o->ns = ipc_ns_of(t);
	o->key = key;
	o->uid = o->cuid = t->cred.euid;
	o->gid = o->cgid = t->cred.egid;
	o->mode = (uint32_t)flg & 0777;
}

int ipc_perms(struct task *t, const struct ipc_obj *o, int flg)
{
	int want = (flg >> 6) | (flg >> 3) | flg;
	uint32_t granted = o->mode;

	if (t->cred.euid == o->cuid || t->cred.euid == o->uid)
		granted >>= 6;
	else if (creds_in_group(&t->cred, o->cgid) || creds_in_group(&t->cred, o->gid))
		granted >>= 3;
	/* Privilege over an IPC namespace is privilege in the user namespace that owns it. */
	if ((want & ~(int)granted & 07) && !ns_capable(t, userns_owner(&ipc_ns_of(t)->ns), CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_owner(struct task *t, const struct ipc_obj *o)
{
	if (t->cred.euid == o->cuid || t->cred.euid == o->uid || ns_capable(t, userns_owner(&ipc_ns_of(t)->ns), CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

/*
 * The ids of ipc_perm are the calling task's (task_current) user
 * namespace's: mapped in on IPC_SET (EINVAL for one it does not map), out
 * on IPC_STAT (the overflow id for one it does not).
 */
int ipc_set_perm(struct ipc_obj *o, const struct abi_ipc_perm *in)
{
	uint32_t uid = task_current ? task_uid_in(task_current, in->uid) : in->uid;
	uint32_t gid = task_current ? task_gid_in(task_current, in->gid) : in->gid;

	if (uid == (uint32_t)-1 || gid == (uint32_t)-1)
		return -EINVAL;
	o->uid = uid;
	o->gid = gid;
	o->mode = (o->mode & ~0777U) | (in->mode & 0777U);
	return 0;
}

void ipc_fill_perm(const struct ipc_obj *o, struct abi_ipc_perm *out)
{
	const struct task *t = task_current;

	out->key = o->key;
	out->uid = t ? task_uid_out(t, o->uid) : o->uid;
	out->gid = t ? task_gid_out(t, o->gid) : o->gid;
	out->cuid = t ? task_uid_out(t, o->cuid) : o->cuid;
	out->cgid = t ? task_gid_out(t, o->cgid) : o->cgid;
	out->mode = o->mode;
	out->seq = o->seq;
}

long ipc_get(struct task *t, struct ipc_ids *ids, int32_t key, int flg,
	     long (*make)(struct task *t, int32_t key, int flg, void *arg),
	     int (*check)(struct ipc_obj *o, void *arg), void *arg)
{
	struct ipc_obj *o = NULL;
	int i, r;

	if (key == IPC_PRIVATE)
		return make(t, key, flg, arg);
	for (i = 0; i < ids->cap && !o; i++)
		if (ids->slot[i] && ids->slot[i]->key == key)
			o = ids->slot[i];
	if (!o)
		return (flg & IPC_CREAT) ? make(t, key, flg, arg) : -ENOENT;
	if ((flg & IPC_CREAT) && (flg & IPC_EXCL))
		return -EEXIST;
	if (check && (r = check(o, arg)) < 0)
		return r;
	if (ipc_perms(t, o, flg) < 0)
		return -EACCES;
	return o->id;
}

/* ---- /proc/sys/kernel: the namespace's limits, which its root may change ---- */

/* An int sysctl with Linux's bounds (proc_dointvec_minmax): EINVAL outside them. */
static long store_int(const char *s, int *dst, long min, long max)
{
	long v;
	long r = proc_parse_long(s, &v);

	if (r < 0)
		return r == -ERANGE ? -EINVAL : r;
	if (v < min || v > max)
		return -EINVAL;
	*dst = (int)v;
	return 0;
}

/* An unsigned long sysctl (proc_doulongvec_minmax): a sign is EINVAL. */
static long store_ulong(const char *s, uint64_t *dst)
{
	char *end;
	unsigned long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (end == s || errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (*end)
		return -EINVAL;
	*dst = v;
	return 0;
}

#define IPCMNI 32768
/* The writer's namespace's limits, as the readers' (ipc_ns_current). */
#define LIMITS(t) (ipc_ns_of(t)->limits)
static long store_shmmax(struct task *t, const char *s) { return store_ulong(s, &LIMITS(t).shmmax); }
static long store_shmall(struct task *t, const char *s) { return store_ulong(s, &LIMITS(t).shmall); }
static long store_shmmni(struct task *t, const char *s) { return store_int(s, &LIMITS(t).shmmni, 0, IPCMNI); }
static long store_msgmax(struct task *t, const char *s) { return store_int(s, &LIMITS(t).msgmax, 0, INT32_MAX); }
static long store_msgmnb(struct task *t, const char *s) { return store_int(s, &LIMITS(t).msgmnb, 0, INT32_MAX); }
static long store_msgmni(struct task *t, const char *s) { return store_int(s, &LIMITS(t).msgmni, 0, IPCMNI); }

/* kernel/sem: SEMMSL SEMMNS SEMOPM SEMMNI, the last within IPCMNI (else ERANGE). */
static long store_sem(struct task *t, const char *s)
{
	struct ipc_limits *l = &LIMITS(t);
	long v[4];
	char *end;
	int i;

	for (i = 0; i < 4; i++) {
		errno = 0;
		v[i] = strtol(s, &end, 10);
		if (end == s || errno || v[i] < INT32_MIN || v[i] > INT32_MAX)
			return -EINVAL;
		s = end;
	}
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s)
		return -EINVAL;
	if (v[3] < 0 || v[3] > IPCMNI)
		return -ERANGE; /* Linux's sem_check_semmni */
	l->semmsl = (int)v[0];
	l->semmns = (int)v[1];
	l->semopm = (int)v[2];
	l->semmni = (int)v[3];
	return 0;
}

#define CUR (ipc_ns_current()->limits)
static void show_shmmax(struct proc_buf *b) { proc_printf(b, "%lu\n", (unsigned long)CUR.shmmax); }
static void show_shmall(struct proc_buf *b) { proc_printf(b, "%lu\n", (unsigned long)CUR.shmall); }
static void show_shmmni(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.shmmni); }
static void show_msgmax(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msgmax); }
static void show_msgmnb(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msgmnb); }
static void show_msgmni(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msgmni); }

static void show_sem(struct proc_buf *b)
{
	proc_printf(b, "%d\t%d\t%d\t%d\n", CUR.semmsl, CUR.semmns, CUR.semopm, CUR.semmni);
}

static const struct proc_file sys_shmmax = {"sys/kernel", "shmmax", show_shmmax, store_shmmax};
static const struct proc_file sys_shmall = {"sys/kernel", "shmall", show_shmall, store_shmall};
static const struct proc_file sys_shmmni = {"sys/kernel", "shmmni", show_shmmni, store_shmmni};
static const struct proc_file sys_sem = {"sys/kernel", "sem", show_sem, store_sem};
static const struct proc_file sys_msgmax = {"sys/kernel", "msgmax", show_msgmax, store_msgmax};
static const struct proc_file sys_msgmnb = {"sys/kernel", "msgmnb", show_msgmnb, store_msgmnb};
static const struct proc_file sys_msgmni = {"sys/kernel", "msgmni", show_msgmni, store_msgmni};
PROC_FILE(sys_shmmax)
PROC_FILE(sys_shmall)
PROC_FILE(sys_shmmni)
PROC_FILE(sys_sem)
PROC_FILE(sys_msgmax)
PROC_FILE(sys_msgmnb)
PROC_FILE(sys_msgmni)
