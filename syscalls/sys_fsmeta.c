/*
 * Names and attributes: link, rename, mknod (their work is vfs/namei.c's),
 * chmod, chown, utimensat.
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
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/namei.h"
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

/* ---- names (vfs/namei.c does the work) ---- */

static long do_link(struct task *t, int olddfd, gva_t uold, int newdfd, gva_t unew, int flags)
{
	char old[ABI_PATH_MAX], new[ABI_PATH_MAX];
	struct vfs_name nm;
	struct path src;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((r = get_path(t, uold, old)) < 0 || (r = get_path(t, unew, new)) < 0)
		return r;
	r = vfs_walk(t, olddfd, old, ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) |
					   ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_PATH : 0), &src);
	if (r < 0)
		return r;
	r = vfs_name_walk(t, newdfd, new, 0, &nm);
	if (r == 0) {
		r = vfs_link(t, &src, &nm);
		vfs_name_put(&nm);
	}
	path_put(&src);
	return r;
}

SYSCALL(link) { return do_link(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL(linkat) { return do_link(t, (int)a[0], a[1], (int)a[2], a[3], (int)a[4]); }

static long do_rename(struct task *t, int odfd, gva_t uold, int ndfd, gva_t unew, unsigned flags)
{
	char old[ABI_PATH_MAX], new[ABI_PATH_MAX];
	struct vfs_name from, to;
	long r;

	/* RENAME_WHITEOUT makes a device node (0/0): not in the sandbox. */
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	if ((r = get_path(t, uold, old)) < 0 || (r = get_path(t, unew, new)) < 0)
		return r;
	r = vfs_name_walk(t, odfd, old, 0, &from);
	if (r < 0)
		return r;
	r = vfs_name_walk(t, ndfd, new, 0, &to);
	if (r == 0) {
		r = vfs_rename(t, &from, &to, flags);
		vfs_name_put(&to);
	}
	vfs_name_put(&from);
	return r;
}

SYSCALL(rename) { return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0); }
SYSCALL(renameat) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0); }
SYSCALL(renameat2) { return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], (unsigned)a[4]); }

static long do_mknodat(struct task *t, int dirfd, gva_t upath, uint32_t mode, uint64_t dev)
{
	char path[ABI_PATH_MAX];
	struct vfs_name nm;
	long r;

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
	case S_IFIFO:
	case S_IFSOCK:
	case S_IFCHR: /* refused by vfs_mknod, after the checks Linux makes first */
	case S_IFBLK:
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	(void)dev;
	if ((r = get_path(t, upath, path)) < 0)
		return r;
	r = vfs_name_walk(t, dirfd, path, 0, &nm);
	if (r < 0)
		return r;
	r = vfs_mknod(t, &nm, mode, NULL);
	vfs_name_put(&nm);
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
	if (S_ISLNK(ino->mode))
		return -EOPNOTSUPP;
	if (!capable_wrt_inode(t, CAP_FOWNER, ino->uid, ino->gid) && t->cred.fsuid != ino->uid)
		return -EPERM;
	/* A memfd sealed with F_SEAL_EXEC keeps its exec bits as they are. */
	if (seals && (*seals & ABI_F_SEAL_EXEC) && ((ino->mode ^ mode) & 0111))
		return -EPERM;
	/* Linux's setattr_should_drop_sgid: an owner outside the file's group cannot make it setgid. */
	if ((mode & S_ISGID) && !creds_in_group(&t->cred, ino->gid) && !capable_wrt_inode(t, CAP_FSETID, ino->uid, ino->gid))
		mode &= ~(uint32_t)S_ISGID;
	ia.mode = mode & 07777;
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

/* fchmodat2: fchmodat with the flags it lacked; a symlink's own mode cannot change (EOPNOTSUPP). */
SYSCALL(fchmodat2)
{
	int flags = (int)a[3];

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return do_chmod(t, (int)a[0], a[1], (uint32_t)a[2], flags);
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
	/* The ids as the caller's user namespace names them: one it does not map is EINVAL. */
	if ((uid != (uint32_t)-1 && (uid = task_uid_in(t, uid)) == (uint32_t)-1) ||
	    (gid != (uint32_t)-1 && (gid = task_gid_in(t, gid)) == (uint32_t)-1)) {
		r = -EINVAL;
	} else if (rdonly(&p)) {
		r = -EROFS;
	} else if (!capable_wrt_inode(t, CAP_CHOWN, ino->uid, ino->gid) && ((uid != (uint32_t)-1 && uid != ino->uid) || t->cred.fsuid != ino->uid ||
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
		/* A chown, even to (-1, -1), drops set-id bits of all but directories, which keep theirs (Linux). */
		if (!S_ISDIR(ino->mode))
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
	} else if (!capable_wrt_inode(t, CAP_FOWNER, ino->uid, ino->gid) && t->cred.fsuid != ino->uid) {
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
