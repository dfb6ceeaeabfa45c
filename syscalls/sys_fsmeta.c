/*
 * Names and attributes: link, rename, mknod, chmod, chown, utimensat.
 * Writable file systems keep their directories in the dentry cache
 * (tmpfs), so renaming and linking are dentry operations here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/overlay/overlay.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

static long get_path(struct task *t, gva_t p, char *buf)
{
	long r = mm_strncpy_in(t->mm, buf, p, ABI_PATH_MAX);

	return r < 0 ? r : 0;
}

static int rdonly(struct path *p)
{
	return p->mnt && (p->mnt->flags & VFS_MNT_RDONLY);
}

static long may_change_dir(struct task *t, struct path *dir)
{
	if (!vfs_dir_changeable(dir))
		return -EROFS;
	return vfs_permission(t, dir->d->inode, 3);
}

static int is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d; d = d->parent)
		if (d == a)
			return 1;
	return 0;
}

static int dir_empty(struct dentry *d)
{
	struct dentry *c;

	for (c = d->child; c; c = c->sibling)
		if (c->inode)
			return 0;
	return 1;
}

static long do_link(struct task *t, int olddfd, gva_t uold, int newdfd, gva_t unew, int flags)
{
	char old[ABI_PATH_MAX], new[ABI_PATH_MAX], *last;
	struct path src, parent, existing;
	int ts;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((r = get_path(t, uold, old)) < 0 || (r = get_path(t, unew, new)) < 0)
		return r;
	r = vfs_walk(t, olddfd, old, ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) |
					   ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_PATH : 0), &src);
	if (r < 0)
		return r;
	r = vfs_walk_parent(t, newdfd, new, &parent, &last, &ts);
	if (r < 0)
		goto out_src;
	if (!last[0] || ts) {
		r = !last[0] ? -EEXIST : -ENOENT;
		goto out;
	}
	if (S_ISDIR(src.d->inode->mode)) {
		r = -EPERM;
		goto out;
	}
	if (src.mnt != parent.mnt) {
		r = -EXDEV;
		goto out;
	}
	if (vfs_lookup_child(t, &parent, last, &existing) == 0) {
		path_put(&existing);
		r = -EEXIST;
		goto out;
	}
	r = may_change_dir(t, &parent);
	if (r < 0)
		goto out;
	/* A file with no name left (unlinked while open, O_TMPFILE|O_EXCL) gets none back. */
	if (src.d->inode->nlink == 0 && !src.d->inode->linkable) {
		r = -ENOENT;
		goto out;
	}
	{
		struct inode *dir = parent.d->inode;

		if (dir->iops->link && (r = dir->iops->link(dir, last, src.d->inode)) < 0)
			goto out;
		inode_get(src.d->inode);
		if (!vfs_name_inode(parent.d, last, src.d->inode)) {
			r = -ENOMEM;
			goto out;
		}
		if (!dir->iops->link) {
			src.d->inode->nlink++;
			src.d->inode->ctime = vfs_now();
		}
		src.d->inode->linkable = 0;
	}
out:
	path_put(&parent);
out_src:
	path_put(&src);
	return r;
}

SYSCALL(link) { return do_link(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL(linkat) { return do_link(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]); }

static long do_rename(struct task *t, int odfd, gva_t uold, int ndfd, gva_t unew, unsigned flags)
{
	char old[ABI_PATH_MAX], new[ABI_PATH_MAX], *olast, *nlast;
	struct path op, np, src, dst = {0};
	int ots, nts, have_dst;
	long (*fs_rename)(struct inode *, const char *, struct inode *, struct inode *, const char *, struct inode *,
			  unsigned);
	long r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return flags & RENAME_WHITEOUT ? -EINVAL : -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if ((r = get_path(t, uold, old)) < 0 || (r = get_path(t, unew, new)) < 0)
		return r;
	r = vfs_walk_parent(t, odfd, old, &op, &olast, &ots);
	if (r < 0)
		return r;
	r = vfs_walk_parent(t, ndfd, new, &np, &nlast, &nts);
	if (r < 0)
		goto out_op;
	if (!olast[0] || !nlast[0]) {
		r = -EBUSY;
		goto out_np;
	}
	r = vfs_lookup_child(t, &op, olast, &src);
	if (r < 0)
		goto out_np;
	have_dst = vfs_lookup_child(t, &np, nlast, &dst) == 0;
	if ((ots || nts) && !S_ISDIR(src.d->inode->mode)) {
		r = -ENOTDIR;
		goto out_src;
	}
	if (op.mnt != np.mnt || src.mnt != op.mnt || (have_dst && dst.mnt != np.mnt)) {
		r = src.mnt != op.mnt || (have_dst && dst.mnt != np.mnt) ? -EBUSY : -EXDEV;
		goto out_src;
	}
	if ((r = may_change_dir(t, &op)) < 0 || (r = may_change_dir(t, &np)) < 0)
		goto out_src;
	fs_rename = op.d->inode->iops->rename;
	if (have_dst && dst.d->inode == src.d->inode) {
		r = 0; /* the same file: nothing to do */
		goto out_src;
	}
	if (flags & RENAME_EXCHANGE) {
		struct dentry *sd = src.d, *dd;
		char *tmp;
		size_t tl;

		if (!have_dst) {
			r = -ENOENT;
			goto out_src;
		}
		dd = dst.d;
		if (is_ancestor(sd, np.d) || is_ancestor(dd, op.d)) {
			r = -EINVAL;
			goto out_src;
		}
		tmp = strdup(sd->name);
		tl = sd->namelen;
		if (!tmp) {
			r = -ENOMEM;
			goto out_src;
		}
		if (fs_rename && (r = fs_rename(op.d->inode, olast, sd->inode, np.d->inode, nlast, dd->inode, flags)) < 0) {
			free(tmp);
			goto out_src;
		}
		dentry_get(op.d);
		r = dentry_move(sd, np.d, dd->name, dd->namelen);
		if (r == 0)
			r = dentry_move(dd, op.d, tmp, tl);
		dentry_put(op.d);
		free(tmp);
		goto out_src;
	}
	if (have_dst) {
		if (flags & RENAME_NOREPLACE) {
			r = -EEXIST;
			goto out_src;
		}
		if (S_ISDIR(src.d->inode->mode) && !S_ISDIR(dst.d->inode->mode)) {
			r = -ENOTDIR;
			goto out_src;
		}
		if (!S_ISDIR(src.d->inode->mode) && S_ISDIR(dst.d->inode->mode)) {
			r = -EISDIR;
			goto out_src;
		}
		if (S_ISDIR(dst.d->inode->mode) && !dir_empty(dst.d)) {
			r = -ENOTEMPTY;
			goto out_src;
		}
	}
	if (S_ISDIR(src.d->inode->mode) && is_ancestor(src.d, np.d)) {
		r = -EINVAL; /* into its own subtree */
		goto out_src;
	}
	if (overlay_is_lower_dir(src.d->inode)) {
		r = -EXDEV; /* a directory of the image: mv copies it instead */
		goto out_src;
	}
	if (fs_rename) {
		/* The file system's side first; it keeps the attributes of all four right. */
		r = fs_rename(op.d->inode, olast, src.d->inode, np.d->inode, nlast, have_dst ? dst.d->inode : NULL, flags);
		if (r < 0)
			goto out_src;
		if (have_dst)
			dentry_drop(dst.d);
	} else if (have_dst) {
		if (np.d->inode->iops && np.d->inode->iops->unlink)
			np.d->inode->iops->unlink(np.d->inode, nlast, dst.d->inode);
		dentry_drop(dst.d);
	}
	if (!fs_rename && S_ISDIR(src.d->inode->mode) && op.d != np.d) {
		op.d->inode->nlink--;
		np.d->inode->nlink++;
	}
	{
		static uint32_t cookie;

		cookie++;
		vfs_fsnotify(op.d->inode, IN_MOVED_FROM | (S_ISDIR(src.d->inode->mode) ? IN_ISDIR : 0), olast, cookie);
		vfs_fsnotify(np.d->inode, IN_MOVED_TO | (S_ISDIR(src.d->inode->mode) ? IN_ISDIR : 0), nlast, cookie);
	}
	r = dentry_move(src.d, np.d, nlast, strlen(nlast));
	if (r == 0 && op.d->inode->sb->whiteouts && !dentry_lookup_cached(op.d, olast, strlen(olast)))
		dentry_new(op.d, olast, strlen(olast), NULL); /* the whiteout */
	if (!fs_rename) {
		op.d->inode->mtime = op.d->inode->ctime = np.d->inode->mtime = np.d->inode->ctime = vfs_now();
		src.d->inode->ctime = op.d->inode->ctime;
	}
out_src:
	if (have_dst)
		path_put(&dst);
	path_put(&src);
out_np:
	path_put(&np);
out_op:
	path_put(&op);
	return r;
}

SYSCALL(rename) { return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL(renameat) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0); }
SYSCALL(renameat2) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]); }

static long do_mknodat(struct task *t, int dirfd, gva_t upath, uint32_t mode, uint64_t dev)
{
	char path[ABI_PATH_MAX], *last;
	struct path parent, existing;
	struct inode *ino;
	int ts;
	long r;

	switch (mode & S_IFMT) {
	case 0:
		mode |= S_IFREG;
		break;
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	case S_IFCHR:
	case S_IFBLK:
		/* Device nodes would be a way to the host's devices: never in the sandbox. */
		return -EPERM;
	default:
		return -EINVAL;
	}
	(void)dev;
	if ((r = get_path(t, upath, path)) < 0)
		return r;
	r = vfs_walk_parent(t, dirfd, path, &parent, &last, &ts);
	if (r < 0)
		return r;
	if (!last[0]) {
		r = -EEXIST;
		goto out;
	}
	if (vfs_lookup_child(t, &parent, last, &existing) == 0) {
		path_put(&existing);
		r = -EEXIST;
		goto out;
	}
	r = may_change_dir(t, &parent);
	if (r < 0)
		goto out;
	r = parent.d->inode->iops->mknod(parent.d->inode, last, (mode & S_IFMT) | (mode & 07777 & ~t->fs->umask), 0,
					  NULL, &ino);
	if (r < 0)
		goto out;
	ino->uid = t->cred.fsuid;
	ino->gid = t->cred.fsgid;
	if (!vfs_name_inode(parent.d, last, ino))
		r = -ENOMEM;
out:
	path_put(&parent);
	return r;
}

SYSCALL(mknod) { return do_mknodat(t, AT_FDCWD, a[0], (uint32_t)a[1], a[2]); }
SYSCALL(mknodat) { return do_mknodat(t, (int)a[0], a[1], (uint32_t)a[2], a[3]); }

/* Resolves the target of an attribute change: a path, or the fd itself. */
static long attr_target(struct task *t, int dirfd, gva_t upath, int flags, struct path *out)
{
	char path[ABI_PATH_MAX];
	long r;

	if (upath == 0 || (flags & AT_EMPTY_PATH)) {
		if (upath) {
			r = get_path(t, upath, path);
			if (r < 0)
				return r;
			if (path[0])
				goto walk;
		}
		if (dirfd == AT_FDCWD) {
			*out = t->fs->cwd;
			path_get(out);
			return 0;
		}
		{
			struct file *f = fdt_get(t->files, dirfd);

			if (!f)
				return -EBADF;
			if (!upath && (f->flags & O_PATH)) {
				/* fchmod, fchown, futimens: an O_PATH fd is no fd for them (only with AT_EMPTY_PATH) */
				file_put(f);
				return -EBADF;
			}
			if (!f->path.d) {
				/* pipes, sockets: an inode with no path */
				out->mnt = NULL;
				out->d = dentry_new(NULL, "", 0, f->inode);
				inode_get(f->inode);
				file_put(f);
				return out->d ? 0 : -ENOMEM;
			}
			*out = f->path;
			path_get(out);
			file_put(f);
			return 0;
		}
	}
	r = get_path(t, upath, path);
	if (r < 0)
		return r;
walk:
	return vfs_walk(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, out);
}

/* The file system's side of an attribute change, for those that keep attributes of their own. */
static long fs_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	return ino->iops && ino->iops->setattr ? ino->iops->setattr(ino, ia) : 0;
}

static long change_mode(struct task *t, struct path *p, uint32_t mode)
{
	struct inode *ino = p->d->inode;
	struct vfs_iattr ia = {.valid = VFS_ATTR_MODE, .mode = mode & 07777};
	unsigned *seals = tmpfs_seals(ino);
	long r;

	if (rdonly(p))
		return -EROFS;
	if (!capable(t, CAP_FOWNER) && t->cred.fsuid != ino->uid)
		return -EPERM;
	/* A memfd sealed with F_SEAL_EXEC keeps its exec bits as they are. */
	if (seals && (*seals & ABI_F_SEAL_EXEC) && ((ino->mode ^ mode) & 0111))
		return -EPERM;
	if ((r = fs_setattr(ino, &ia)) < 0)
		return r;
	ino->mode = (ino->mode & S_IFMT) | (mode & 07777);
	ino->ctime = vfs_now();
	vfs_fsnotify_dentry(p->d, IN_ATTRIB);
	return 0;
}

static long do_chmod(struct task *t, int dirfd, gva_t upath, uint32_t mode, int flags)
{
	struct path p;
	long r = attr_target(t, dirfd, upath, flags, &p);

	if (r < 0)
		return r;
	r = change_mode(t, &p, mode);
	path_put(&p);
	return r;
}

SYSCALL(chmod) { return do_chmod(t, AT_FDCWD, a[0], (uint32_t)a[1], 0); }
SYSCALL(fchmod) { return do_chmod(t, (int)a[0], 0, (uint32_t)a[1], AT_EMPTY_PATH); }

SYSCALL(fchmodat)
{
	return do_chmod(t, (int)a[0], a[1], (uint32_t)a[2], 0);
}

static long do_chown(struct task *t, int dirfd, gva_t upath, uint32_t uid, uint32_t gid, int flags)
{
	struct path p;
	struct inode *ino;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = attr_target(t, dirfd, upath, flags, &p);
	if (r < 0)
		return r;
	ino = p.d->inode;
	if (rdonly(&p)) {
		r = -EROFS;
	} else if (!capable(t, CAP_CHOWN) && ((uid != (uint32_t)-1 && uid != ino->uid) || t->cred.fsuid != ino->uid ||
					 (gid != (uint32_t)-1 && gid != ino->gid && !creds_in_group(&t->cred, gid)))) {
		/* Only root gives files away; an owner may pick one of its own groups. */
		r = -EPERM;
	} else if ((r = fs_setattr(ino, &(struct vfs_iattr){.valid = (uid != (uint32_t)-1 ? VFS_ATTR_UID : 0) |
								       (gid != (uint32_t)-1 ? VFS_ATTR_GID : 0),
							     .uid = uid, .gid = gid})) == 0) {
		if (uid != (uint32_t)-1)
			ino->uid = uid;
		if (gid != (uint32_t)-1)
			ino->gid = gid;
		if (uid != (uint32_t)-1 || gid != (uint32_t)-1)
			ino->mode &= ~(uint32_t)(S_ISUID | (ino->mode & S_IXGRP ? S_ISGID : 0));
		ino->ctime = vfs_now();
	}
	path_put(&p);
	return r;
}

SYSCALL(chown) { return do_chown(t, AT_FDCWD, a[0], (uint32_t)a[1], (uint32_t)a[2], 0); }
SYSCALL(lchown) { return do_chown(t, AT_FDCWD, a[0], (uint32_t)a[1], (uint32_t)a[2], AT_SYMLINK_NOFOLLOW); }
SYSCALL(fchown) { return do_chown(t, (int)a[0], 0, (uint32_t)a[1], (uint32_t)a[2], AT_EMPTY_PATH); }
SYSCALL(fchownat) { return do_chown(t, (int)a[0], a[1], (uint32_t)a[2], (uint32_t)a[3], (int)a[4]); }

/*
 * Sets the times of the file at (dirfd, upath), or of the fd dirfd when
 * upath is 0; ts NULL (or both UTIME_NOW) means now.  As Linux's
 * vfs_utimes: setting them to now needs ownership or write permission
 * (EACCES), any other change ownership (EPERM); root may do both.
 */
static long do_utimes(struct task *t, int dirfd, gva_t upath, struct abi_timespec *ts, int flags)
{
	struct abi_timespec now = vfs_now();
	struct inode *ino;
	struct path p;
	long r;
	int i;

	if (ts) {
		for (i = 0; i < 2; i++)
			if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
			    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000))
				return -EINVAL;
		/* Nothing to do: Linux does not even look at the path. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
		if (ts[0].tv_nsec == UTIME_NOW && ts[1].tv_nsec == UTIME_NOW)
			ts = NULL;
	}
	if (!upath && dirfd == AT_FDCWD)
		return -EFAULT; /* no path, and no fd */
	if (!upath && flags)
		return -EINVAL;
	r = attr_target(t, dirfd, upath, upath ? flags : AT_EMPTY_PATH, &p);
	if (r < 0)
		return r;
	ino = p.d->inode;
	if (rdonly(&p)) {
		r = -EROFS;
	} else if (!capable(t, CAP_FOWNER) && t->cred.fsuid != ino->uid) {
		r = ts ? -EPERM : vfs_permission(t, ino, 2);
	}
	if (r == 0) {
		struct vfs_iattr ia = {0};

		for (i = 0; i < 2; i++) {
			if (ts && ts[i].tv_nsec == UTIME_OMIT)
				continue;
			ia.valid |= i ? VFS_ATTR_MTIME : VFS_ATTR_ATIME;
			*(i ? &ia.mtime : &ia.atime) = !ts || ts[i].tv_nsec == UTIME_NOW ? now : ts[i];
		}
		if (ia.valid && (r = fs_setattr(ino, &ia)) < 0)
			goto out;
		for (i = 0; i < 2; i++) {
			struct abi_timespec *dst = i ? &ino->mtime : &ino->atime;

			if (!ts || ts[i].tv_nsec == UTIME_NOW)
				*dst = now;
			else if (ts[i].tv_nsec != UTIME_OMIT)
				*dst = ts[i];
		}
		ino->ctime = now;
	}
out:
	path_put(&p);
	return r;
}

SYSCALL(utimensat)
{
	struct abi_timespec ts[2];
	int flags = (int)a[3];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2] && mm_copy_in(t->mm, ts, a[2], sizeof(ts)) < 0)
		return -EFAULT;
	return do_utimes(t, (int)a[0], a[1], a[2] ? ts : NULL, flags);
}

/* futimesat(2) and utimes(2): microseconds, and no UTIME_NOW or UTIME_OMIT (EINVAL). */
static long do_futimesat(struct task *t, int dirfd, gva_t upath, gva_t utv)
{
	struct abi_timeval tv[2];
	struct abi_timespec ts[2];
	int i;

	if (!utv)
		return do_utimes(t, dirfd, upath, NULL, 0);
	if (mm_copy_in(t->mm, tv, utv, sizeof(tv)) < 0)
		return -EFAULT;
	for (i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			return -EINVAL;
		ts[i].tv_sec = tv[i].tv_sec;
		ts[i].tv_nsec = tv[i].tv_usec * 1000;
	}
	return do_utimes(t, dirfd, upath, ts, 0);
}

SYSCALL(futimesat) { return do_futimesat(t, (int)a[0], a[1], a[2]); }
SYSCALL(utimes) { return do_futimesat(t, AT_FDCWD, a[0], a[1]); }

/* utime(2): whole seconds, {actime, modtime}. */
SYSCALL(utime)
{
	int64_t tb[2];
	struct abi_timespec ts[2];

	if (!a[1])
		return do_utimes(t, AT_FDCWD, a[0], NULL, 0);
	if (mm_copy_in(t->mm, tb, a[1], sizeof(tb)) < 0)
		return -EFAULT;
	ts[0] = (struct abi_timespec){tb[0], 0};
	ts[1] = (struct abi_timespec){tb[1], 0};
	return do_utimes(t, AT_FDCWD, a[0], ts, 0);
}
