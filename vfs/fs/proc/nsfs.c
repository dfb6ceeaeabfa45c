/*
 * nsfs: what /proc/PID/ns/<name> links to.  Following the link gives a
 * file of no name whose inode stands for the namespace (a reference on it)
 * and has its number, so stat's st_ino is equal for tasks that share the
 * namespace, and an fd opened on it is what setns(2) takes.  Reading one is
 * EINVAL, as Linux's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "../../../sentry/kernel/ns.h"
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

static const struct inode_ops ns_iops = {.release = ns_inode_release};
static const struct file_ops ns_fops = {.read = ns_read, .show_name = ns_show_name};

long nsfs_path(struct ns_common *ns, struct path *out)
{
	struct inode *ino;
	struct file *f;
	long r;

	if (!nsfs_sb && !(nsfs_sb = super_new("nsfs", 1)))
		return -ENOMEM;
	ino = inode_new(nsfs_sb, S_IFREG | 0444);
	if (!ino)
		return -ENOMEM;
	ns_get(ns);
	ino->priv = ns;
	ino->ino = ns->ino;
	ino->iops = &ns_iops;
	ino->fops = &ns_fops;
	f = file_new(NULL, ino, &ns_fops, O_RDONLY);
	inode_put(ino); /* the file's reference is the one left */
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
