/*
 * System V IPC (svipc(7)): shared memory segments, semaphore sets and
 * message queues, and POSIX message queues, in IPC namespaces of the
 * sandbox's own (struct ipc_ns; the first is ipc_ns_init, unshare and clone
 * make more).  The host's IPC namespace is never used: every object lives
 * in sentry memory, and a segment's pages are a nameless tmpfs file in the
 * memory file, so that every attach of it, in any process, maps the same
 * frames.
 *
 * Each call below is a whole system call after its raw arguments were
 * taken: it checks what Linux checks in Linux's order, reads and writes
 * guest memory with mm_copy_*, and returns a result or -errno.
 *
 * Locking: sentry_lock protects everything here.  Blocking waits (semop,
 * msgsnd, msgrcv) sleep with task_block on the object's queue; the object
 * is held by a reference for the time of the sleep, so that IPC_RMID can
 * wake the sleepers (EIDRM) and free it when the last one has looked.
 */
#pragma once

#include <stdint.h>

#include "../../include/abi/abi.h"
#include "../../include/abi/ipc.h"
#include "../kernel/ns.h"

struct task;
struct proc_buf;
struct ipc_ns;

/* One object's identity and permissions (Linux's kern_ipc_perm). */
struct ipc_obj {
	struct ipc_ns *ns;            /* where it was made (its creator's) */
	int32_t key;                  /* IPC_PRIVATE (0) once removed */
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;
	uint16_t seq;
	int id;                       /* seq * IPC_MNI + index */
	int deleted;                  /* removed: sleepers see EIDRM */
};

/* The limits of the namespace, as /proc/sys/kernel shows them. */
struct ipc_limits {
	uint64_t shmmax, shmall;
	int shmmni;
	int semmsl, semmns, semopm, semmni;
	int msgmax, msgmnb, msgmni;
};

/* fs.mqueue.*: POSIX message queues' limits, per namespace too. */
struct mq_limits {
	int queues_max, msg_max, msgsize_max, msg_default, msgsize_default;
};

long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flg);
long ipc_shmat(struct task *t, int id, gva_t addr, int flg);
long ipc_shmdt(struct task *t, gva_t addr);
long ipc_shmctl(struct task *t, int id, int cmd, gva_t buf);

long ipc_semget(struct task *t, int32_t key, int nsems, int flg);
/* semtimedop with its timeout already read (NULL: none; not yet validated). */
long ipc_semtimedop(struct task *t, int id, gva_t sops, uint64_t nsops, const struct abi_timespec *timeout);
long ipc_semctl(struct task *t, int id, int semnum, int cmd, uint64_t arg);
/* A process ends: its SEM_UNDO adjustments are applied (exit_sem). */
void ipc_sem_exit(int tgid);
/* Frees the removed segments whose last attach has gone. */
void ipc_shm_reap(void);
/* A process ended, its memory gone: both of the above (task_exit_ipc). */
void ipc_exit(int tgid);

long ipc_msgget(struct task *t, int32_t key, int flg);
long ipc_msgsnd(struct task *t, int id, gva_t msgp, uint64_t size, int flg);
long ipc_msgrcv(struct task *t, int id, gva_t msgp, uint64_t size, int64_t type, int flg);
long ipc_msgctl(struct task *t, int id, int cmd, gva_t buf);

/* ---- shared by shm.c, sem.c and msg.c (ipc.c) ---- */

#define IPC_MNI 32768 /* indexes per kind; an id is seq * IPC_MNI + index */

/* The objects of one kind, by index. */
struct ipc_ids {
	struct ipc_obj **slot;
	int cap;       /* slots allocated */
	int in_use;
	int next;      /* where the cyclic search for a free index starts */
	int last_idx;  /* the index given last: a lower one starts a new seq */
	uint16_t seq;
};

struct mq;

/*
 * An IPC namespace: every object kind's ids and limits.  A task holds a
 * reference (task->ipc, the ns member).  When the last task has left,
 * its objects are removed as by IPC_RMID and its named POSIX queues
 * unlinked (open queues live on with their files); a shared memory segment
 * still attached lives on until its last detach, and the namespace with it
 * (dead, on the list of namespaces until then).
 */
struct ipc_ns {
	struct ns_common ns;
	struct ipc_ns *next;          /* every namespace whose objects may still be in use */
	int dead;                     /* no task in it any more */
	struct ipc_limits limits;
	struct ipc_ids shm_ids, sem_ids, msg_ids;
	uint64_t shm_tot;             /* pages of every segment (shmall) */
	long used_sems;               /* semaphores in every set (semmns) */
	uint64_t msg_hdrs, msg_bytes; /* every queue's messages, and their bytes (MSG_INFO) */
	struct mq_limits mq_limits;
	struct mq *mq_queues;         /* named POSIX queues */
	int mq_nqueues;
};

/* The sandbox's first namespace (task_ipc_ns_init), and a new empty one (task_ipc_ns_new). */
extern struct ipc_ns ipc_ns_init;
struct ns_common *ipc_ns_new(void);
struct ipc_ns *ipc_ns_of(const struct task *t);
/*
 * The namespace of the task whose system call is in flight, for the
 * /proc/sys and /proc/sysvipc files, which show the reader's (as Linux's
 * show current's); the first one when no task is in a call.
 */
struct ipc_ns *ipc_ns_current(void);
/* Every namespace, for what is found by something else than an id (a segment's attach, an undo entry). */
struct ipc_ns *ipc_ns_all(void);
/* A dead namespace's objects go (each kind's part of it); the shm one leaves attached segments. */
void ipc_shm_ns_exit(struct ipc_ns *ns);
void ipc_sem_ns_exit(struct ipc_ns *ns);
void ipc_msg_ns_exit(struct ipc_ns *ns);
void ipc_mq_ns_exit(struct ipc_ns *ns);
/* Frees a dead namespace with nothing left in it (after a segment went). */
void ipc_ns_gc(void);

/* The object with id, or NULL (Linux's -EINVAL). */
struct ipc_obj *ipc_obtain(struct ipc_ids *ids, int id);
/* The object at index idx (SHM_STAT and the like), or NULL. */
struct ipc_obj *ipc_at(struct ipc_ids *ids, int idx);
/* Gives o an index and id below limit objects: 0 or -ENOSPC/-ENOMEM. */
int ipc_add(struct ipc_ids *ids, struct ipc_obj *o, int limit);
/* Takes o out of ids (its id is gone; o itself is the caller's). */
void ipc_remove(struct ipc_ids *ids, struct ipc_obj *o);
/* The highest index in use, or -1. */
int ipc_max_idx(const struct ipc_ids *ids);
/* Sets o's owner and creator to t, its namespace to t's and its permissions to the low 9 bits of flg. */
void ipc_init_perm(struct task *t, struct ipc_obj *o, int32_t key, int flg);
/* ipcperms(): may t have the access flg asks for (rwx bits in any of the three places)?  0 or -EACCES. */
int ipc_perms(struct task *t, const struct ipc_obj *o, int flg);
/* IPC_SET and IPC_RMID: t is o's owner or creator, or has CAP_SYS_ADMIN: 0 or -EPERM. */
int ipc_owner(struct task *t, const struct ipc_obj *o);
/* IPC_SET's change of owner and mode: 0 or -EINVAL (an id that names no one). */
int ipc_set_perm(struct ipc_obj *o, const struct abi_ipc_perm *in);
void ipc_fill_perm(const struct ipc_obj *o, struct abi_ipc_perm *out);
/*
 * shmget/semget/msgget's common path (ipcget): an IPC_PRIVATE key or a
 * key not found makes a new object with make (when IPC_CREAT); a key found
 * is EEXIST with IPC_CREAT|IPC_EXCL, else checked with check (may be NULL)
 * and against the permissions asked for.  Returns the id or -errno.
 */
long ipc_get(struct task *t, struct ipc_ids *ids, int32_t key, int flg,
	     long (*make)(struct task *t, int32_t key, int flg, void *arg),
	     int (*check)(struct ipc_obj *o, void *arg), void *arg);
/* The realtime clock in seconds, for the objects' times. */
int64_t ipc_now(void);
