/* Character devices and the /dev tree (see dev.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../vfs.h"
#include "../tmpfs/tmpfs.h"
#include "dev.h"
#include "../hoststdio/hoststdio.h"
#include "../pty/pty.h"

static long null_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	(void)f, (void)iov, (void)cnt, (void)pos;
	return 0;
}

static long null_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	(void)f, (void)pos;
	return (long)iov_total(iov, cnt);
}

static long zero_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	int i;

	(void)f, (void)pos;
	for (i = 0; i < cnt; i++)
		memset(iov[i].iov_base, 0, iov[i].iov_len);
	return (long)iov_total(iov, cnt);
}

static long full_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	(void)f, (void)iov, (void)cnt, (void)pos;
	return -ENOSPC;
}

/* Entropy for the application: the host's CSPRNG, drawn into sentry memory. */
static long random_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	size_t done = 0;
	int i;

	(void)f, (void)pos;
	for (i = 0; i < cnt; i++) {
		size_t off = 0;

		while (off < iov[i].iov_len) {
			long r = host_getrandom((char *)iov[i].iov_base + off, iov[i].iov_len - off);

			if (r < 0)
				return done ? (long)done : r;
			off += (size_t)r;
		}
		done += off;
	}
	return (long)done;
}

static const struct file_ops null_fops = {.read = null_read, .write = null_write, .seekable = 1, .discards = 1, .pos_zero = 1};
static const struct file_ops zero_fops = {.read = zero_read, .write = null_write, .seekable = 1, .discards = 1, .pos_zero = 1};
static const struct file_ops full_fops = {.read = zero_read, .write = full_write, .seekable = 1, .pos_zero = 1};
static const struct file_ops random_fops = {.read = random_read, .write = null_write, .seekable = 1, .pos_zero = 1};

/* /dev/console: the pty of `cvisor do -t`, or else the caller's stdout (never the host's console). */
static long console_open(struct file *f, int flags)
{
	long r = pty_console_open(f);

	(void)flags;
	return r == -ENXIO ? hoststdio_console_open(f) : r;
}

static const struct file_ops console_fops = {.open = console_open};

const struct file_ops *dev_char_fops(uint64_t rdev)
{
	if (major(rdev) == 5 && minor(rdev) == 1)
		return &console_fops;
	if (major(rdev) != 1)
		return pty_char_fops(rdev);
	switch (minor(rdev)) {
	case 3: return &null_fops;
	case 5: return &zero_fops;
	case 7: return &full_fops;
	case 8:
	case 9: return &random_fops;
	}
	return NULL;
}

static void add(struct dentry *dir, const char *name, mode_t mode, dev_t rdev, const char *target)
{
	struct inode *ino;

	if (dir->inode->iops->mknod(dir->inode, name, mode, rdev, target, &ino) == 0)
		dentry_new(dir, name, strlen(name), ino);
}

struct inode *devfs_new(struct super **sb)
{
	return tmpfs_new(64 << 20, 0755, sb);
}

/*
 * A file system of its own on the directory name in /dev: the mount's
 * root, or NULL.  A NULL statfs op (devpts) counts nothing, as Linux's.
 */
static struct dentry *mount_sub(struct path *dev, const char *name, const char *type, uint64_t size,
				uint32_t mode, int counted)
{
	struct path p = {dev->mnt, dentry_lookup_cached(dev->d, name, strlen(name))};
	struct super *sb;
	struct inode *root;

	if (!p.d || !(root = tmpfs_new(size, mode, &sb)))
		return NULL;
	sb->type = type;
	if (!counted)
		sb->ops = NULL;
	if (vfs_mount_at(&p, sb, root, 0) < 0) {
		inode_put(root);
		return NULL;
	}
	return p.d->mounted->root;
}

/* Fills /dev once it is mounted at dev (the dentries need the mount's root). */
void devfs_populate(struct path *dev)
{
	struct dentry *root = dev->d, *pts;

	add(root, "null", S_IFCHR | 0666, makedev(1, 3), NULL);
	add(root, "zero", S_IFCHR | 0666, makedev(1, 5), NULL);
	add(root, "full", S_IFCHR | 0666, makedev(1, 7), NULL);
	add(root, "random", S_IFCHR | 0666, makedev(1, 8), NULL);
	add(root, "urandom", S_IFCHR | 0666, makedev(1, 9), NULL);
	add(root, "shm", S_IFDIR | 01777, 0, NULL);
	add(root, "pts", S_IFDIR | 0755, 0, NULL);
	add(root, "ptmx", S_IFCHR | 0666, makedev(5, 2), NULL);
	add(root, "tty", S_IFCHR | 0666, makedev(5, 0), NULL);
	add(root, "console", S_IFCHR | 0600, makedev(5, 1), NULL);
	/* POSIX shared memory has a tmpfs of its own, as big as /tmp's; ptys a devpts. */
	mount_sub(dev, "shm", "tmpfs", sandbox.memory / 2, 01777, 1);
	pts = mount_sub(dev, "pts", "devpts", 1 << 20, 0755, 0);
	if (pts)
		add(pts, "ptmx", S_IFCHR, makedev(5, 2), NULL);
	pty_set_pts_dir(pts ? pts : dentry_lookup_cached(root, "pts", 3));
	add(root, "fd", S_IFLNK | 0777, 0, "/proc/self/fd");
	add(root, "stdin", S_IFLNK | 0777, 0, "/proc/self/fd/0");
	add(root, "stdout", S_IFLNK | 0777, 0, "/proc/self/fd/1");
	add(root, "stderr", S_IFLNK | 0777, 0, "/proc/self/fd/2");
}
