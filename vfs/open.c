/* openat(2): the walk, creation, the checks Linux makes, and the open itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "fs/overlay/overlay.h"
#include "fs/pipe/pipe.h"
#include "namei.h"
#include "vfs.h"

/* An O_PATH file: it names a place, nothing can be read or written through it. */
static const struct file_ops opath_fops = {0};

static int acc_mask(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_RDONLY: return 4;
	case O_WRONLY: return 2;
	default: return 6;
	}
}

static int mnt_rdonly(struct path *p)
{
	return p->mnt && (p->mnt->flags & VFS_MNT_RDONLY);
}

long vfs_open_path(struct task *t, struct path *p, int flags, struct file **out)
{
	struct inode *ino = p->d->inode;
	struct path *at = vfs_path_detached(p) ? NULL : p; /* a file with no path reopens with none */
	struct file *f;
	int writes = !(flags & O_PATH) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)) && S_ISREG(ino->mode);
	long r;

	if (writes && !mnt_rdonly(p)) {
		/* A write to a file of the image: it gets its upper copy first. */
		r = vfs_permission(t, ino, acc_mask(flags));
		if (r < 0)
			return r;
		if (ino->writecount < 0)
			return -ETXTBSY; /* a running program's file (its copy would not be what runs) */
		r = overlay_copy_up(p);
		if (r < 0)
			return r;
		ino = p->d->inode;
	}
	if (flags & O_PATH) {
		if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
			return -ENOTDIR;
		f = file_new(at, ino, &opath_fops, flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_ACCMODE));
		if (!f)
			return -ENOMEM;
		*out = f;
		return 0;
	}
	if (S_ISLNK(ino->mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (S_ISDIR(ino->mode) && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if ((flags & O_ACCMODE) != O_RDONLY && mnt_rdonly(p) && (S_ISREG(ino->mode) || S_ISDIR(ino->mode)))
		return -EROFS;
	r = vfs_permission(t, ino, acc_mask(flags));
	if (r < 0)
		return r;
	if (S_ISSOCK(ino->mode))
		return -ENXIO;
	/* O_NOATIME: only the owner (or CAP_FOWNER), Linux's EPERM. */
	if ((flags & O_NOATIME) && t && t->cred.fsuid != ino->uid && !capable_wrt_inode(t, CAP_FOWNER, ino->uid, ino->gid))
		return -EPERM;
	if (writes && ino->writecount < 0)
		return -ETXTBSY;
	if (S_ISREG(ino->mode) && ino->locks && t && (r = vfs_break_lease(t, ino, flags)) < 0)
		return r;
	if (!at && !S_ISFIFO(ino->mode) && inode_is_anon(ino))
		return -ENXIO; /* an eventfd, epoll, inotify... through /proc/PID/fd: nothing to open, as on Linux */
	f = file_new(at, ino, ino->fops, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
	if (!f)
		return -ENOMEM;
	if (S_ISFIFO(ino->mode) && !(f->ops && f->ops->open)) {
		/* A FIFO, or a pipe reopened through /proc/PID/fd: a new end of its pipe. */
		r = pipe_fifo_open(ino, f, flags);
		if (r < 0) {
			f->ops = NULL;
			file_put(f);
			return r;
		}
	} else if (f->ops && f->ops->open) {
		/* A device, or host stdio reopened through /proc/PID/fd. */
		r = f->ops->open(f, flags);
		if (r < 0) {
			f->ops = NULL;
			file_put(f);
			return r;
		}
	} else if (ino->iops && ino->iops->open) {
		r = ino->iops->open(ino, f, flags);
		if (r < 0) {
			f->ops = NULL;
			file_put(f);
			return r;
		}
	}
	if (!f->ops) {
		file_put(f);
		return -ENXIO;
	}
	if (writes) {
		f->holds_write = 1;
		ino->writecount++;
	} else if (S_ISREG(ino->mode)) {
		f->holds_read = 1;
		ino->readcount++;
	}
	vfs_fsnotify_dentry(p->d, 0x20 /* IN_OPEN */);
	if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && S_ISREG(ino->mode) && ino->size) {
		r = vfs_truncate(ino, 0);
		if (r < 0) {
			file_put(f);
			return r;
		}
	}
	*out = f;
	return 0;
}

long vfs_openat(struct task *t, int dirfd, char *path, int flags, uint32_t mode, struct file **out)
{
	struct vfs_name nm;
	struct path p;
	long r;

	if ((flags & O_TMPFILE) == O_TMPFILE)
		return vfs_open_tmpfile(t, dirfd, path, flags, mode, out);
	if (!(flags & O_CREAT) || (flags & O_PATH)) {
		r = vfs_walk(t, dirfd, path, (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW, &p);
		if (r < 0)
			return r;
		r = vfs_open_path(t, &p, flags, out);
		path_put(&p);
		return r;
	}

	/*
	 * O_CREAT of something that is there, symlinks and magic links (procfs's
	 * fd/N behind /dev/stderr) followed: open it.  A trailing slash is
	 * EISDIR below, whatever is there.
	 */
	if (!(flags & (O_EXCL | O_NOFOLLOW)) && path[0] && path[strlen(path) - 1] != '/') {
		r = vfs_walk(t, dirfd, path, WALK_FOLLOW, &p);
		if (r == 0) {
			r = S_ISDIR(p.d->inode->mode) ? -EISDIR : vfs_open_path(t, &p, flags, out);
			path_put(&p);
			return r;
		}
		if (r != -ENOENT)
			return r;
	}
	/*
	 * Not there: find the parent, then make the child.  A dangling symlink
	 * is followed to what it names, which is made (Linux), except with
	 * O_EXCL (EEXIST) or O_NOFOLLOW (ELOOP).
	 */
	r = vfs_name_walk(t, dirfd, path, (flags & (O_EXCL | O_NOFOLLOW)) ? 0 : WALK_FOLLOW, &nm);
	if (r < 0)
		return r;
	if (nm.type != VFS_LAST_NORM || nm.trailing_slash) {
		r = -EISDIR;
		goto out_parent;
	}
	r = vfs_lookup_child(t, &nm.parent, nm.last, &p);
	if (r == 0) {
		if (flags & O_EXCL) {
			path_put(&p);
			r = -EEXIST;
			goto out_parent;
		}
		if (S_ISDIR(p.d->inode->mode)) {
			path_put(&p);
			r = -EISDIR;
			goto out_parent;
		}
		r = vfs_open_path(t, &p, flags, out);
		path_put(&p);
		goto out_parent;
	}
	if (r != -ENOENT)
		goto out_parent;
	r = vfs_mknod(t, &nm, S_IFREG | (mode & 07777), &p);
	if (r == 0) {
		/* A new file is opened with the access asked for, whatever its mode says. */
		r = vfs_open_path(t, &p, flags & ~O_TRUNC, out);
		path_put(&p);
	}
out_parent:
	vfs_name_put(&nm);
	return r;
}

/* O_TMPFILE: an unnamed regular file in the directory's file system, gone when closed (unless linked). */
long vfs_open_tmpfile(struct task *t, int dirfd, char *path, int flags, uint32_t mode, struct file **out)
{
	struct path dir, p;
	struct dentry *d;
	char name[32];
	struct inode *ino;
	struct file *f;
	long r;

	if ((flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	r = vfs_walk(t, dirfd, path, WALK_FOLLOW | WALK_DIRECTORY, &dir);
	if (r < 0)
		return r;
	r = vfs_tmpfile(t, &dir, mode, &ino);
	if (r < 0) {
		path_put(&dir);
		return r;
	}
	ino->linkable = !(flags & O_EXCL);
	/*
	 * The file's place is a removed entry of the directory, "#<ino>" as
	 * Linux names it: linkat(AT_EMPTY_PATH) finds its mount and directory
	 * there, and /proc shows it "(deleted)".
	 */
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)ino->ino);
	d = dentry_new(dir.d, name, strlen(name), ino);
	if (!d) {
		inode_put(ino);
		path_put(&dir);
		return -ENOMEM;
	}
	dentry_get(d);
	dentry_drop(d);
	p.mnt = dir.mnt;
	p.d = d;
	f = file_new(&p, ino, ino->fops, (flags & ~(O_TMPFILE | O_CREAT | O_EXCL | O_CLOEXEC)) | ABI_O_LARGEFILE);
	dentry_put(d);
	path_put(&dir);
	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}
