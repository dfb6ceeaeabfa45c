/*
 * POSIX message queues (mq_overview(7)): mq_open, mq_unlink,
 * mq_timedsend, mq_timedreceive, mq_notify and mq_getsetattr, in the
 * sandbox's IPC namespaces (ipc.h): each has its own names and limits.
 *
 * A queue is named in one flat namespace and opened as a file, whose
 * description carries the access mode and O_NONBLOCK; reading the file
 * gives Linux's status line ("QSIZE:..."), poll reports POLLIN with a
 * message queued and POLLOUT with room.  Messages are kept in priority
 * order (FIFO within a priority) in sentry memory charged to the
 * sandbox's budget; a queue's whole size (maxmsg x msgsize and Linux's
 * bookkeeping) is charged to its creator's RLIMIT_MSGQUEUE, as Linux does.
 * Senders and receivers sleep on the queue's inode queue, which every
 * change wakes (vfs_notify), so poll, select and epoll see it too.
 *
 * Notification: SIGEV_SIGNAL and SIGEV_NONE.  SIGEV_THREAD needs a
 * netlink socket in Linux (glibc's mq_notify makes one and passes its fd);
 * the sandbox has no netlink sockets, so the call fails as Linux fails for
 * an fd that is not one (EBADF, ENOTSOCK, EINVAL) and glibc's mq_notify
 * gives up cleanly.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../../include/abi/ipc.h"
#include "../../vfs/fs/proc/proc.h"
#include "../../vfs/vfs.h"
#include "../host/host.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../mm/memfile.h"
#include "../mm/mm.h"
#include "ipc.h"
#include "mqueue.h"

#define MQ_PRIO_MAX 32768
#define HARD_MSGMAX 65536
#define HARD_MSGSIZEMAX (16 * 1024 * 1024)
/* Linux's per-message and per-priority bookkeeping (struct msg_msg, posix_msg_tree_node) in RLIMIT_MSGQUEUE. */
#define MSG_HDR_BYTES 48
#define PRIO_NODE_BYTES 48

struct mq_msg {
	struct mq_msg *next;
	unsigned prio;
	size_t size;
	char text[];
};

struct mq {
	struct mq *next;                /* in the namespace, while named */
	char *name;
	int named;                      /* not yet unlinked */
	struct inode *ino;              /* mode, owner; its queue is the waiters' (a reference) */
	int64_t maxmsg, msgsize, curmsgs;
	uint64_t qsize;                 /* bytes of the messages queued */
	struct mq_msg *msgs;            /* highest priority first, FIFO within one */
	uint32_t charged_uid;           /* RLIMIT_MSGQUEUE is charged to this user */
	uint64_t charged;
	int refs;                       /* the name's and each open file's */
	/* The notification registered, if notify_pid. */
	int notify_pid;
	int notify;                     /* SIGEV_SIGNAL or SIGEV_NONE */
	int notify_signo;
	union sigval notify_value;
	uint32_t notify_exec_id;
};

/* Bytes of RLIMIT_MSGQUEUE charged per user. */
struct mq_user {
	struct mq_user *next;
	uint32_t uid;
	uint64_t bytes;
};
static struct mq_user *users;

static struct mq_user *user_of(uint32_t uid, int make)
{
	struct mq_user *u;

	for (u = users; u; u = u->next)
		if (u->uid == uid)
			return u;
	if (!make || !(u = calloc(1, sizeof(*u))))
		return NULL;
	u->uid = uid;
	u->next = users;
	users = u;
	return u;
}

static const struct file_ops mq_fops;

static void mq_put(struct mq *q)
{
	struct mq_msg *m;
	struct mq_user *u;

	if (--q->refs)
		return;
	while ((m = q->msgs)) {
		q->msgs = m->next;
		mf_uncharge(sizeof(*m) + m->size);
		free(m);
	}
	if ((u = user_of(q->charged_uid, 0)))
		u->bytes -= q->charged;
	inode_put(q->ino);
	free(q->name);
	free(q);
}

static struct mq *find(struct ipc_ns *ns, const char *name)
{
	struct mq *q;

	for (q = ns->mq_queues; q; q = q->next)
		if (!strcmp(q->name, name))
			return q;
	return NULL;
}

/* The queue behind fd, with the file (a reference), or NULL. */
static struct mq *mq_of_fd(struct task *t, int fd, struct file **fp)
{
	struct file *f = fdt_get(t->files, fd);

	if (!f)
		return NULL;
	if (f->ops != &mq_fops) {
		file_put(f);
		return NULL;
	}
	*fp = f;
	return f->priv;
}

/* A name as Linux's lookup in the mqueue root takes it: one path component. */
static long check_name(const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EACCES;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static long attr_ok(struct task *t, const struct abi_mq_attr *a)
{
	if (a->mq_maxmsg <= 0 || a->mq_msgsize <= 0)
		return -EINVAL;
	if (capable(t, CAP_SYS_RESOURCE)) {
		if (a->mq_maxmsg > HARD_MSGMAX || a->mq_msgsize > HARD_MSGSIZEMAX)
			return -EINVAL;
	} else if (a->mq_maxmsg > ipc_ns_of(t)->mq_limits.msg_max ||
		   a->mq_msgsize > ipc_ns_of(t)->mq_limits.msgsize_max) {
		return -EINVAL;
	}
	return 0;
}

static long create(struct task *t, const char *name, uint32_t mode, const struct abi_mq_attr *attr, struct mq **out)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	int64_t maxmsg = attr ? attr->mq_maxmsg : ns->mq_limits.msg_default;
	int64_t msgsize = attr ? attr->mq_msgsize : ns->mq_limits.msgsize_default;
	uint64_t bytes, lim = t->tg->rlim[RLIMIT_MSGQUEUE].rlim_cur;
	struct mq_user *u;
	struct mq *q;
	long r;

	if (attr && (r = attr_ok(t, attr)) < 0)
		return r;
	if (ns->mq_nqueues >= ns->mq_limits.queues_max && !capable(t, CAP_SYS_RESOURCE))
		return -ENOSPC;
	bytes = (uint64_t)maxmsg * (uint64_t)msgsize + (uint64_t)maxmsg * MSG_HDR_BYTES +
		(uint64_t)(maxmsg < MQ_PRIO_MAX ? maxmsg : MQ_PRIO_MAX) * PRIO_NODE_BYTES;
	u = user_of(t->cred.euid, 1);
	if (!u)
		return -ENOMEM;
	if (lim != RLIM_INFINITY && u->bytes + bytes > lim)
		return -EMFILE;
	q = calloc(1, sizeof(*q));
	if (!q || !(q->name = strdup(name)) || !(q->ino = anon_inode(S_IFREG | (mode & 07777)))) {
		if (q)
			free(q->name);
		free(q);
		return -ENOMEM;
	}
	q->ino->uid = t->cred.fsuid;
	q->ino->gid = t->cred.fsgid;
	q->ino->fops = &mq_fops;
	q->maxmsg = maxmsg;
	q->msgsize = msgsize;
	q->charged_uid = u->uid;
	q->charged = bytes;
	u->bytes += bytes;
	q->named = 1;
	q->refs = 1;
	q->next = ns->mq_queues;
	ns->mq_queues = q;
	ns->mq_nqueues++;
	*out = q;
	return 0;
}

/* inode_permission for the queue's mode and owner: may t open it for acc (4 read, 2 write)? */
static long may_open(struct task *t, const struct mq *q, int acc)
{
	uint32_t mode = q->ino->mode;

	if (t->cred.fsuid == q->ino->uid)
		mode >>= 6;
	else if (creds_in_group(&t->cred, q->ino->gid))
		mode >>= 3;
	if ((acc & ~(int)mode & 07) && !capable(t, CAP_DAC_OVERRIDE))
		return -EACCES;
	return 0;
}

long ipc_mq_open(struct task *t, const char *name, int oflag, uint32_t mode, const struct abi_mq_attr *attr,
		 struct file **out)
{
	static const int acc[3] = {4, 2, 6};
	struct mq *q;
	struct file *f;
	long r = check_name(name);

	if (r < 0)
		return r;
	q = find(ipc_ns_of(t), name);
	if (!q) {
		if (!(oflag & O_CREAT))
			return -ENOENT;
		if ((oflag & O_ACCMODE) == O_ACCMODE)
			return -EINVAL;
		r = create(t, name, mode & ~t->fs->umask & 0777, attr, &q);
		if (r < 0)
			return r;
	} else {
		if ((oflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
			return -EEXIST;
		if ((oflag & O_ACCMODE) == O_ACCMODE)
			return -EINVAL;
		r = may_open(t, q, acc[oflag & O_ACCMODE]);
		if (r < 0)
			return r;
	}
	f = file_new(NULL, q->ino, &mq_fops, (oflag & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE);
	if (!f)
		return -ENFILE;
	q->refs++;
	f->priv = q;
	*out = f;
	return 0;
}

/* Takes q's name away (q is named in ns). */
static void unlink_queue(struct ipc_ns *ns, struct mq *q)
{
	struct mq **p;

	for (p = &ns->mq_queues; *p != q; p = &(*p)->next)
		;
	*p = q->next;
	q->named = 0;
	ns->mq_nqueues--;
	mq_put(q);
}

/* A dead namespace's names go; an open queue lives on with its files (as a mount of mqueue going). */
void ipc_mq_ns_exit(struct ipc_ns *ns)
{
	while (ns->mq_queues)
		unlink_queue(ns, ns->mq_queues);
}

long ipc_mq_unlink(struct task *t, const char *name)
{
	struct mq *q;
	long r = check_name(name);

	if (r < 0)
		return r;
	q = find(ipc_ns_of(t), name);
	if (!q)
		return -ENOENT;
	/* Only the owner, or CAP_FOWNER (Linux answers EACCES here, not the sticky directory's EPERM). */
	if (t->cred.fsuid != q->ino->uid && !capable(t, CAP_FOWNER))
		return -EACCES;
	unlink_queue(ipc_ns_of(t), q);
	return 0;
}

/* Sends the notification registered, if any, for the first message of an empty queue. */
static void notify(struct task *t, struct mq *q)
{
	struct thread_group *g;
	siginfo_t si;

	if (!q->notify_pid)
		return;
	g = tg_find(q->notify_pid);
	if (q->notify == SIGEV_SIGNAL && g && !g->zombie && q->notify_signo) {
		memset(&si, 0, sizeof(si));
		si.si_signo = q->notify_signo;
		si.si_code = SI_MESGQ;
		si.si_value = q->notify_value;
		si.si_pid = tg_pid_for(g, task_tgid(t)); /* in the receiver's pid namespace */
		si.si_uid = t->cred.uid;
		tg_send_signal(g, q->notify_signo, &si);
	}
	q->notify_pid = 0; /* one shot */
}

/* abs: the deadline on CLOCK_REALTIME, or NULL. */
static uint64_t deadline_of(const struct abi_timespec *abs)
{
	uint64_t ns;

	if (!abs)
		return 0;
	ns = abi_timespec_ns(abs);
	return ns ? ns : 1;
}

long ipc_mq_timedsend(struct task *t, int fd, gva_t buf, uint64_t len, unsigned prio, const struct abi_timespec *abs)
{
	struct file *f;
	struct mq *q;
	struct mq_msg *m, **p;
	uint64_t deadline = deadline_of(abs);
	long r;

	if (prio >= MQ_PRIO_MAX)
		return -EINVAL;
	q = mq_of_fd(t, fd, &f);
	if (!q)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		r = -EBADF;
		goto out;
	}
	if (len > (uint64_t)q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	if (mf_charge(sizeof(*m) + len) < 0) {
		r = -ENOMEM;
		goto out;
	}
	m = malloc(sizeof(*m) + len);
	if (!m) {
		mf_uncharge(sizeof(*m) + len);
		r = -ENOMEM;
		goto out;
	}
	m->prio = prio;
	m->size = len;
	if (mm_copy_in(t->mm, m->text, buf, len) < 0) {
		r = -EFAULT;
		goto out_free;
	}
	while (q->curmsgs >= q->maxmsg) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			goto out_free;
		}
		r = task_block(t, &q->ino->wq, deadline);
		if (r < 0) {
			if (r == -ETIMEDOUT && host_realtime_ns() < deadline)
				continue;
			goto out_free;
		}
	}
	for (p = &q->msgs; *p && (*p)->prio >= prio; p = &(*p)->next)
		;
	m->next = *p;
	*p = m;
	q->curmsgs++;
	q->qsize += len;
	if (q->curmsgs == 1)
		notify(t, q);
	vfs_notify(q->ino);
	r = 0;
	goto out;
out_free:
	mf_uncharge(sizeof(*m) + len);
	free(m);
out:
	file_put(f);
	return r;
}

long ipc_mq_timedreceive(struct task *t, int fd, gva_t buf, uint64_t len, gva_t prio_p,
			 const struct abi_timespec *abs)
{
	struct file *f;
	struct mq *q;
	struct mq_msg *m;
	uint64_t deadline = deadline_of(abs);
	unsigned prio;
	long r;

	q = mq_of_fd(t, fd, &f);
	if (!q)
		return -EBADF;
	if ((f->flags & O_ACCMODE) == O_WRONLY) {
		r = -EBADF;
		goto out;
	}
	if (len < (uint64_t)q->msgsize) {
		r = -EMSGSIZE;
		goto out;
	}
	while (!q->msgs) {
		if (f->flags & O_NONBLOCK) {
			r = -EAGAIN;
			goto out;
		}
		r = task_block(t, &q->ino->wq, deadline);
		if (r < 0) {
			if (r == -ETIMEDOUT && host_realtime_ns() < deadline)
				continue;
			goto out;
		}
	}
	m = q->msgs;
	q->msgs = m->next;
	q->curmsgs--;
	q->qsize -= m->size;
	vfs_notify(q->ino);
	/* A message taken and then not written out is lost, as in Linux. */
	r = (long)m->size;
	prio = m->prio;
	if (mm_copy_out(t->mm, buf, m->text, m->size) < 0 || (prio_p && mm_copy_out(t->mm, prio_p, &prio, sizeof(prio)) < 0))
		r = -EFAULT;
	mf_uncharge(sizeof(*m) + m->size);
	free(m);
out:
	file_put(f);
	return r;
}

long ipc_mq_notify(struct task *t, int fd, const struct sigevent *sev)
{
	struct file *f, *nf;
	struct mq *q;
	long r = 0;

	if (sev) {
		if (sev->sigev_notify != SIGEV_NONE && sev->sigev_notify != SIGEV_SIGNAL &&
		    sev->sigev_notify != SIGEV_THREAD)
			return -EINVAL;
		if (sev->sigev_notify == SIGEV_SIGNAL && (unsigned)sev->sigev_signo > 64)
			return -EINVAL;
		if (sev->sigev_notify == SIGEV_THREAD) {
			char cookie[32]; /* NOTIFY_COOKIE_LEN */

			/* Linux wants a cookie and a netlink socket's fd here; the sandbox has no such socket. */
			if (mm_copy_in(t->mm, cookie, (gva_t)(uintptr_t)sev->sigev_value.sival_ptr, sizeof(cookie)) < 0)
				return -EFAULT;
			nf = fdt_get(t->files, sev->sigev_signo);
			if (!nf)
				return -EBADF;
			r = nf->ops->sock ? -EINVAL : -ENOTSOCK;
			file_put(nf);
			return r;
		}
	}
	q = mq_of_fd(t, fd, &f);
	if (!q)
		return -EBADF;
	if (!sev) {
		if (q->notify_pid == task_tgid(t))
			q->notify_pid = 0;
	} else if (q->notify_pid && tg_find(q->notify_pid) && !tg_find(q->notify_pid)->zombie) {
		r = -EBUSY;
	} else {
		q->notify_pid = task_tgid(t);
		q->notify = sev->sigev_notify;
		q->notify_signo = sev->sigev_signo;
		q->notify_value = sev->sigev_value;
	}
	file_put(f);
	return r;
}

long ipc_mq_getsetattr(struct task *t, int fd, const struct abi_mq_attr *set, struct abi_mq_attr *old)
{
	struct file *f;
	struct mq *q;

	if (set && (set->mq_flags & ~(int64_t)O_NONBLOCK))
		return -EINVAL;
	q = mq_of_fd(t, fd, &f);
	if (!q)
		return -EBADF;
	memset(old, 0, sizeof(*old));
	old->mq_flags = f->flags & O_NONBLOCK;
	old->mq_maxmsg = q->maxmsg;
	old->mq_msgsize = q->msgsize;
	old->mq_curmsgs = q->curmsgs;
	if (set)
		f->flags = (f->flags & ~O_NONBLOCK) | (int)(set->mq_flags & O_NONBLOCK);
	file_put(f);
	return 0;
}

/* ---- the file ---- */

/* Linux's status line of a queue's file. */
static long mq_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct mq *q = f->priv;
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n",
		     (unsigned long)q->qsize, q->notify_pid ? q->notify : 0,
		     q->notify_pid && q->notify == SIGEV_SIGNAL ? q->notify_signo : 0, q->notify_pid);
	return vfs_iter_read(line, (size_t)n, iov, cnt, pos);
}

static unsigned mq_poll(struct file *f, uint64_t *deadline)
{
	struct mq *q = f->priv;
	unsigned ev = 0;

	(void)deadline;
	if (q->curmsgs)
		ev |= POLLIN | POLLRDNORM;
	if (q->curmsgs < q->maxmsg)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

static void mq_release(struct file *f)
{
	struct mq *q = f->priv;

	/*
	 * Linux drops the notification when its process closes any fd of
	 * the queue; cvisor when the last fd of this description goes.
	 */
	if (q->notify_pid && (!task_current || q->notify_pid == task_tgid(task_current)))
		q->notify_pid = 0;
	mq_put(q);
}

static long mq_show_name(struct file *f, char *buf, size_t len)
{
	struct mq *q = f->priv;
	int n = snprintf(buf, len, "/%s%s", q->name, q->named ? "" : " (deleted)");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : n;
}

static const struct file_ops mq_fops = {
	.read = mq_read,
	.poll = mq_poll,
	.release = mq_release,
	.show_name = mq_show_name,
	.seekable = 1,
};

/* ---- /proc/sys/fs/mqueue ---- */

/* The reader's namespace's (ipc_ns_current); a writer's own. */
#define CUR (ipc_ns_current()->mq_limits)
static void show_queues_max(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.queues_max); }
static void show_msg_max(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msg_max); }
static void show_msgsize_max(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msgsize_max); }
static void show_msg_default(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msg_default); }
static void show_msgsize_default(struct proc_buf *b) { proc_printf(b, "%d\n", CUR.msgsize_default); }

/* Linux's bounds: HARD_MSGMAX messages, HARD_MSGSIZEMAX bytes, queues_max any int. */
static long store_queues_max(struct task *t, const char *s)
{
	long v;
	long r = proc_parse_long(s, &v);

	if (r < 0 || v < INT32_MIN || v > INT32_MAX)
		return -EINVAL;
	ipc_ns_of(t)->mq_limits.queues_max = (int)v;
	return 0;
}

static long store_mq(const char *s, int *dst, long min, long max)
{
	long v;

	if (proc_parse_long(s, &v) < 0 || v < min || v > max)
		return -EINVAL;
	*dst = (int)v;
	return 0;
}

static long store_msg_max(struct task *t, const char *s) { return store_mq(s, &ipc_ns_of(t)->mq_limits.msg_max, 1, 65536); }
static long store_msgsize_max(struct task *t, const char *s)
{
	return store_mq(s, &ipc_ns_of(t)->mq_limits.msgsize_max, 128, 16 << 20);
}
static long store_msg_default(struct task *t, const char *s)
{
	return store_mq(s, &ipc_ns_of(t)->mq_limits.msg_default, 1, 65536);
}
static long store_msgsize_default(struct task *t, const char *s)
{
	return store_mq(s, &ipc_ns_of(t)->mq_limits.msgsize_default, 128, 16 << 20);
}

static const struct proc_file mq_queues_max = {"sys/fs/mqueue", "queues_max", show_queues_max, store_queues_max};
static const struct proc_file mq_msg_max = {"sys/fs/mqueue", "msg_max", show_msg_max, store_msg_max};
static const struct proc_file mq_msgsize_max = {"sys/fs/mqueue", "msgsize_max", show_msgsize_max, store_msgsize_max};
static const struct proc_file mq_msg_default = {"sys/fs/mqueue", "msg_default", show_msg_default, store_msg_default};
static const struct proc_file mq_msgsize_default = {"sys/fs/mqueue", "msgsize_default", show_msgsize_default, store_msgsize_default};
PROC_FILE(mq_msg_default)
PROC_FILE(mq_msg_max)
PROC_FILE(mq_msgsize_default)
PROC_FILE(mq_msgsize_max)
PROC_FILE(mq_queues_max)
