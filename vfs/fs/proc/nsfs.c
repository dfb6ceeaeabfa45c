/*
 * nsfs: what /proc/PID/ns/<name> links to.  Following the link gives a
 * file of no name whose inode stands for the namespace (a reference on it)
 * and has its number, so stat's st_ino is equal for tasks that share the
 * namespace, and an fd opened on it is what setns(2) takes.  Reading one is
 * EINVAL, as Linux's; its ioctls (ioctl_ns(2)) give its type, its owning
 * user namespace, a user namespace's parent and owner uid.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/mm.h"
#include "../../vfs.h"
#include "proc.h"

static struct super *nsfs_sb;

static void ns_inode_release(struct inode *ino)
{
	ns_put(ino->priv);
}

static long ns_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	(void)f, (void)iov, (void)cnt, (void)pos;
	return -EINVAL;
}

/* readlink of /proc/PID/fd/N for such a file: the link's own text. */
static long ns_show_name(struct file *f, char *buf, size_t len)
{
	const struct ns_common *ns = f->inode->priv;

	return snprintf(buf, len, "%s:[%u]", ns_type_name(ns->type), (unsigned)ns->ino);
}

static long ns_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg);

static const struct inode_ops ns_iops = {.release = ns_inode_release};
static const struct file_ops ns_fops = {.read = ns_read, .show_name = ns_show_name, .ioctl = ns_ioctl};

/* A new open file standing for ns, or NULL. */
static struct file *ns_file(struct ns_common *ns)
{
	struct inode *ino;
	struct file *f;

	if (!nsfs_sb && !(nsfs_sb = super_new("nsfs", 1)))
		return NULL;
	ino = inode_new(nsfs_sb, S_IFREG | 0444);
	if (!ino)
		return NULL;
	ns_get(ns);
	ino->priv = ns;
	ino->ino = ns->ino;
	ino->iops = &ns_iops;
	ino->fops = &ns_fops;
	f = file_new(NULL, ino, &ns_fops, O_RDONLY);
	inode_put(ino); /* the file's reference is the one left */
	return f;
}

/* ioctl_ns(2)'s requests (<linux/nsfs.h>). */
#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704

/*
 * NS_GET_USERNS and NS_GET_PARENT give a new fd (close-on-exec) for a
 * user namespace, only one at or below the caller's own (EPERM: the
 * sandbox's first has no owner or parent to show, and none above the
 * caller is its to see); NS_GET_PARENT of a UTS or IPC namespace is
 * EINVAL, as they have no hierarchy.
 */
static long ns_ioctl(struct file *f, struct task *t, unsigned long req, gva_t arg)
{
	struct ns_common *ns = f->inode->priv;
	const struct user_ns *mine = creds_userns(&t->cred), *p;
	struct user_ns *to;
	struct file *nf;
	uint32_t uid;
	long fd;

	switch (req) {
	case NS_GET_NSTYPE:
		return ns_type_flag(ns->type);
	case NS_GET_OWNER_UID:
		if (ns->type != NS_USER)
			return -EINVAL;
		uid = task_uid_out(t, ((struct user_ns *)ns)->owner);
		return mm_copy_out(t->mm, arg, &uid, sizeof(uid));
	case NS_GET_USERNS:
	case NS_GET_PARENT:
		if (req == NS_GET_PARENT && ns->type != NS_USER)
			return -EINVAL;
		to = ns->type == NS_USER ? ((struct user_ns *)ns)->parent : (struct user_ns *)ns->owner;
		if (ns->type != NS_USER && !to)
			to = &user_ns_init;
		for (p = to; p && p != mine; p = p->parent)
			;
		if (!p)
			return -EPERM;
		nf = ns_file(&to->ns);
		if (!nf)
			return -ENOMEM;
		fd = fdt_install(t->files, nf, 0, 1, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);
		file_put(nf);
		return fd;
	}
	return -ENOTTY;
}

long nsfs_path(struct ns_common *ns, struct path *out)
{
	struct file *f = ns_file(ns);
	long r;

	if (!f)
		return -ENOMEM;
	r = vfs_file_path(f, out);
	file_put(f);
	return r;
}

struct ns_common *nsfs_of_file(const struct file *f)
{
	return nsfs_sb && f->inode->sb == nsfs_sb ? f->inode->priv : NULL;
}
