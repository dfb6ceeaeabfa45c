/*
 * Making and removing names: the checks, owners and events every such call
 * shares (see namei.h for the contract).  Directories whose names the dentry
 * cache holds (tmpfs, the overlay) change here; a file system whose names
 * live elsewhere (the gofer) makes each change through its inode op first,
 * and the dentries follow when it succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "fs/overlay/overlay.h"
#include "namei.h"

long vfs_name_walk(struct task *t, int dirfd, char *path, int flags, struct vfs_name *nm)
{
	size_t n = strlen(path), len;
	const char *base;
	int type = VFS_LAST_NORM;
	long r;

	/* The last component as written: the walk turns ".", ".." and "/" all into "". */
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n == 0 && path[0] == '/') {
		type = VFS_LAST_ROOT;
	} else {
		base = memrchr(path, '/', n);
		base = base ? base + 1 : path;
		len = (size_t)(path + n - base);
		if (len == 1 && base[0] == '.')
			type = VFS_LAST_DOT;
		else if (len == 2 && base[0] == '.' && base[1] == '.')
			type = VFS_LAST_DOTDOT;
	}
	if (flags & WALK_FOLLOW)
		r = vfs_walk_parent_follow(t, dirfd, path, &nm->parent, &nm->last, &nm->trailing_slash);
	else
		r = vfs_walk_parent(t, dirfd, path, &nm->parent, &nm->last, &nm->trailing_slash);
	if (r < 0)
		return r;
	if (type == VFS_LAST_NORM && !nm->last[0])
		type = VFS_LAST_DOT; /* a symlink followed to "." or ".." */
	nm->type = type;
	return 0;
}

void vfs_name_put(struct vfs_name *nm)
{
	path_put(&nm->parent);
}

/* ---- checks ---- */

/* Linux's mnt_want_write: a read-only mount or file system. */
static int rdonly(struct path *p)
{
	return (p->mnt && (p->mnt->flags & 1)) || p->d->inode->sb->rdonly;
}

/* Does the directory's file system make and remove names at all (procfs does not)? */
static int has_name_ops(struct inode *dir)
{
	return dir->iops && dir->iops->mknod;
}

static long may_create(struct task *t, struct path *dir)
{
	if (dentry_dead(dir->d))
		return -ENOENT;
	return vfs_permission(t, dir->d->inode, 3);
}

/*
 * May t remove victim's name from dir?  Write and search on dir; in a
 * sticky directory only the file's owner, the directory's owner or root;
 * and the victim must be of the kind asked for (rmdir: a directory).
 */
static long may_delete(struct task *t, struct path *dir, struct path *victim, int isdir)
{
	struct inode *d = dir->d->inode, *v = victim->d->inode;
	long r = vfs_permission(t, d, 3);

	if (r < 0)
		return r;
	if ((d->mode & S_ISVTX) && t->cred.fsuid != 0 && t->cred.fsuid != v->uid && t->cred.fsuid != d->uid)
		return -EPERM;
	if (isdir) {
		if (!S_ISDIR(v->mode))
			return -ENOTDIR;
		if (victim->d == victim->mnt->root)
			return -EBUSY; /* a mount's root (a mount point, as the walk crossed it) */
	} else if (S_ISDIR(v->mode)) {
		return -EISDIR;
	}
	return 0;
}

/* Is a at or above d? */
static int is_ancestor(struct dentry *a, struct dentry *d)
{
	for (; d; d = d->parent)
		if (d == a)
			return 1;
	return 0;
}

/* -ENOTEMPTY while the directory at d has a name in it (on an overlay, a lower one too). */
static long dir_empty(struct dentry *d)
{
	struct dentry *c;

	for (c = d->child; c; c = c->sibling)
		if (c->inode)
			return -ENOTEMPTY;
	return overlay_rmdir_check(d);
}

/*
 * A removed directory's negative entries (names looked up and not found,
 * whiteouts) go from the cache, as Linux's shrink_dcache_parent: each holds
 * the directory, whose last user would otherwise never come (IN_DELETE_SELF).
 */
static void prune_negative(struct dentry *d)
{
	struct dentry *c, *next;

	for (c = d->child; c; c = next) {
		next = c->sibling;
		if (!c->inode)
			dentry_drop(c);
	}
}

/*
 * Linux's mode_strip_sgid: a new file that would be setgid and group
 * executable in a setgid directory whose group the creator is not in
 * (and is not root) loses the setgid bit.
 */
static uint32_t strip_sgid(struct task *t, struct inode *dir, uint32_t mode)
{
	if (S_ISDIR(mode) || (mode & (S_ISGID | S_IXGRP)) != (S_ISGID | S_IXGRP) || !(dir->mode & S_ISGID))
		return mode;
	if (t->cred.fsuid == 0 || creds_in_group(&t->cred, dir->gid))
		return mode;
	return mode & ~(uint32_t)S_ISGID;
}

/* ---- making ---- */

/* A new file is the fsuid's, and the fsgid's or its setgid directory's (whose setgid bit a directory takes). */
static void set_owner(struct task *t, struct inode *dir, struct inode *ino)
{
	ino->uid = t->cred.fsuid;
	ino->gid = t->cred.fsgid;
	if (dir->mode & S_ISGID) {
		ino->gid = dir->gid;
		if (S_ISDIR(ino->mode))
			ino->mode |= S_ISGID;
	}
}

/*
 * The checks before a name is made, in Linux's order: it must be a plain
 * last component that does not exist yet, "name/" only for a directory,
 * on a writable mount.
 */
static long check_new_name(struct task *t, struct vfs_name *nm, int is_dir)
{
	struct path existing;
	long r;

	if (nm->type != VFS_LAST_NORM)
		return -EEXIST;
	r = vfs_lookup_child(t, &nm->parent, nm->last, &existing);
	if (r == 0) {
		path_put(&existing);
		return -EEXIST;
	}
	if (r != -ENOENT)
		return r;
	if (nm->trailing_slash && !is_dir)
		return -ENOENT; /* "name/" asks for a directory */
	if (rdonly(&nm->parent))
		return -EROFS;
	return 0;
}

/* Makes nm's name a new file of mode (type, and permission bits after the umask). */
static long make(struct task *t, struct vfs_name *nm, uint32_t mode, const char *target, struct path *out)
{
	struct inode *dir = nm->parent.d->inode, *ino;
	struct dentry *d;
	long r;

	r = check_new_name(t, nm, S_ISDIR(mode));
	if (r < 0)
		return r;
	r = may_create(t, &nm->parent);
	if (r < 0)
		return r;
	if (!has_name_ops(dir))
		return -EPERM;
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return -EPERM; /* a device node would be a way to the host's devices: never in the sandbox */
	mode = strip_sgid(t, dir, mode);
	r = dir->iops->mknod(dir, nm->last, mode, 0, target, &ino);
	if (r < 0)
		return r;
	set_owner(t, dir, ino);
	d = vfs_name_inode(nm->parent.d, nm->last, ino);
	if (!d)
		return -ENOMEM;
	vfs_fsnotify(dir, IN_CREATE | (S_ISDIR(mode) ? IN_ISDIR : 0), nm->last, 0);
	if (out) {
		out->mnt = nm->parent.mnt;
		out->d = d;
		path_get(out);
	}
	return 0;
}

long vfs_mknod(struct task *t, struct vfs_name *nm, uint32_t mode, struct path *out)
{
	uint32_t type = mode & S_IFMT;

	if (!type)
		type = S_IFREG;
	if (S_ISDIR(type) || S_ISLNK(type))
		return -EINVAL; /* vfs_mkdir, vfs_symlink */
	return make(t, nm, type | (mode & 07777 & ~t->fs->umask), NULL, out);
}

long vfs_mkdir(struct task *t, struct vfs_name *nm, uint32_t mode)
{
	/* mkdir keeps the permission bits and the sticky bit; setgid comes from the parent only. */
	return make(t, nm, S_IFDIR | (mode & 01777 & ~t->fs->umask), NULL, NULL);
}

long vfs_symlink(struct task *t, struct vfs_name *nm, const char *target)
{
	return make(t, nm, S_IFLNK | 0777, target, NULL);
}

long vfs_tmpfile(struct task *t, struct path *dir, uint32_t mode, struct inode **out)
{
	struct inode *d = dir->d->inode;
	long r;

	if (rdonly(dir))
		return -EROFS;
	r = may_create(t, dir);
	if (r < 0)
		return r;
	if (!has_name_ops(d))
		return -EOPNOTSUPP;
	r = d->iops->mknod(d, "", strip_sgid(t, d, S_IFREG | (mode & 07777 & ~t->fs->umask)), 0, NULL, out);
	if (r < 0)
		return r;
	(*out)->nlink = 0;
	set_owner(t, d, *out);
	return 0;
}

long vfs_link(struct task *t, struct path *src, struct vfs_name *nm)
{
	struct inode *dir = nm->parent.d->inode, *ino = src->d->inode;
	long r;

	r = check_new_name(t, nm, 0);
	if (r < 0)
		return r;
	if (src->mnt != nm->parent.mnt)
		return -EXDEV;
	r = may_create(t, &nm->parent);
	if (r < 0)
		return r;
	if (!has_name_ops(dir) || S_ISDIR(ino->mode))
		return -EPERM;
	/* A file with no name left (unlinked while open, O_TMPFILE|O_EXCL) gets none back. */
	if (ino->nlink == 0 && !ino->linkable)
		return -ENOENT;
	/* A file of the image gets its upper copy first, which both names then share. */
	r = overlay_copy_up(src);
	if (r < 0)
		return r;
	ino = src->d->inode;
	if (dir->iops->link && (r = dir->iops->link(dir, nm->last, ino)) < 0)
		return r;
	inode_get(ino);
	if (!vfs_name_inode(nm->parent.d, nm->last, ino))
		return -ENOMEM;
	if (!dir->iops->link) {
		ino->nlink++;
		ino->ctime = dir->mtime = dir->ctime = vfs_now();
	}
	ino->linkable = 0;
	vfs_fsnotify(ino, IN_ATTRIB, NULL, 0);
	vfs_fsnotify(dir, IN_CREATE, nm->last, 0);
	return 0;
}

/* ---- removing ---- */

/*
 * Removes the name nm of victim (whose reference this takes).  As Linux's
 * d_delete: when nothing else holds the name, the file goes (IN_DELETE_SELF
 * for one with no links left, from dentry_put) before the directory hears
 * of it (IN_DELETE); otherwise it goes with its last user.
 */
static long remove_name(struct task *t, struct vfs_name *nm, struct path *victim, int isdir)
{
	struct inode *dir = nm->parent.d->inode, *v = victim->d->inode;
	long r = may_delete(t, &nm->parent, victim, isdir);

	if (r == 0 && victim->mnt != nm->parent.mnt)
		r = -EBUSY; /* a mount point */
	if (r == 0 && !has_name_ops(dir))
		r = -EPERM;
	if (r == 0 && isdir)
		r = dir_empty(victim->d);
	if (r == 0 && dir->iops->unlink)
		r = dir->iops->unlink(dir, nm->last, v);
	if (r < 0) {
		path_put(victim);
		return r;
	}
	if (isdir)
		prune_negative(victim->d);
	else
		vfs_fsnotify(v, IN_ATTRIB, NULL, 0); /* its link count changed */
	vfs_remove_name(victim->d);
	path_put(victim);
	vfs_fsnotify(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), nm->last, 0);
	return 0;
}

long vfs_unlink(struct task *t, struct vfs_name *nm)
{
	struct path victim;
	long r;

	if (nm->type != VFS_LAST_NORM)
		return -EISDIR;
	if (rdonly(&nm->parent))
		return -EROFS;
	r = vfs_lookup_child(t, &nm->parent, nm->last, &victim);
	if (r < 0)
		return r;
	if (nm->trailing_slash) {
		r = S_ISDIR(victim.d->inode->mode) ? -EISDIR : -ENOTDIR;
		path_put(&victim);
		return r;
	}
	return remove_name(t, nm, &victim, 0);
}

long vfs_rmdir(struct task *t, struct vfs_name *nm)
{
	struct path victim;
	long r;

	switch (nm->type) {
	case VFS_LAST_DOTDOT: return -ENOTEMPTY;
	case VFS_LAST_DOT: return -EINVAL;
	case VFS_LAST_ROOT: return -EBUSY;
	}
	if (rdonly(&nm->parent))
		return -EROFS;
	r = vfs_lookup_child(t, &nm->parent, nm->last, &victim);
	if (r < 0)
		return r;
	return remove_name(t, nm, &victim, 1);
}

/* ---- rename ---- */

/* The events of a move of the file at d from oname in odir to nname in ndir. */
static void notify_move(struct inode *odir, const char *oname, struct inode *ndir, const char *nname,
			struct inode *moved, struct inode *replaced)
{
	static uint32_t cookie;
	uint32_t isdir = S_ISDIR(moved->mode) ? IN_ISDIR : 0;

	cookie++;
	vfs_fsnotify(odir, IN_MOVED_FROM | isdir, oname, cookie);
	vfs_fsnotify(ndir, IN_MOVED_TO | isdir, nname, cookie);
	if (replaced) /* one link fewer */
		vfs_fsnotify(replaced, IN_ATTRIB | (S_ISDIR(replaced->mode) ? IN_ISDIR : 0), NULL, 0);
	vfs_fsnotify(moved, IN_MOVE_SELF, NULL, 0);
}

/* RENAME_EXCHANGE of the checked src and dst: each takes the other's name. */
static long exchange(struct vfs_name *from, struct path *src, struct vfs_name *to, struct path *dst, unsigned flags)
{
	struct inode *odir = from->parent.d->inode, *ndir = to->parent.d->inode;
	struct dentry *sd = src->d, *dd = dst->d;
	long r;

	if (odir->iops->rename &&
	    (r = odir->iops->rename(odir, from->last, sd->inode, ndir, to->last, dd->inode, flags)) < 0)
		return r;
	r = dentry_move(sd, to->parent.d, to->last, strlen(to->last));
	if (r == 0)
		r = dentry_move(dd, from->parent.d, from->last, strlen(from->last));
	if (r < 0)
		return r;
	if (!odir->iops->rename && S_ISDIR(sd->inode->mode) != S_ISDIR(dd->inode->mode) && odir != ndir) {
		/* A directory and a file changed places: the ".." that moved counts in the other parent. */
		int d = S_ISDIR(sd->inode->mode) ? 1 : -1;

		odir->nlink -= d;
		ndir->nlink += d;
	}
	notify_move(odir, from->last, ndir, to->last, sd->inode, NULL);
	notify_move(ndir, to->last, odir, from->last, dd->inode, NULL);
	return 0;
}

long vfs_rename(struct task *t, struct vfs_name *from, struct vfs_name *to, unsigned flags)
{
	struct inode *odir = from->parent.d->inode, *ndir = to->parent.d->inode, *sino, *dino;
	struct path src, dst = {0};
	int have_dst, isdir;
	long r;

	if (from->parent.mnt != to->parent.mnt)
		return -EXDEV;
	if (from->type != VFS_LAST_NORM)
		return -EBUSY;
	if ((flags & RENAME_NOREPLACE) && to->type != VFS_LAST_NORM)
		return -EEXIST;
	if (to->type != VFS_LAST_NORM)
		return -EBUSY;
	if (rdonly(&from->parent))
		return -EROFS;
	r = vfs_lookup_child(t, &from->parent, from->last, &src);
	if (r < 0)
		return r;
	r = vfs_lookup_child(t, &to->parent, to->last, &dst);
	if (r < 0 && r != -ENOENT)
		goto out_src;
	have_dst = r == 0;
	sino = src.d->inode;
	dino = have_dst ? dst.d->inode : NULL;
	isdir = S_ISDIR(sino->mode);

	r = -EEXIST;
	if ((flags & RENAME_NOREPLACE) && have_dst)
		goto out;
	if (flags & RENAME_EXCHANGE) {
		r = -ENOENT;
		if (!have_dst)
			goto out;
		r = -ENOTDIR;
		if (!S_ISDIR(dino->mode) && to->trailing_slash)
			goto out;
	}
	r = -ENOTDIR; /* trailing slashes name directories */
	if (!isdir && (from->trailing_slash || (!(flags & RENAME_EXCHANGE) && to->trailing_slash)))
		goto out;
	r = -EINVAL; /* into its own subtree */
	if (is_ancestor(src.d, to->parent.d))
		goto out;
	r = (flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY; /* over a directory above it */
	if (have_dst && is_ancestor(dst.d, from->parent.d))
		goto out;
	r = 0;
	if (dino == sino)
		goto out; /* two names of one file: nothing to do */

	r = may_delete(t, &from->parent, &src, isdir);
	if (r == 0)
		r = !have_dst ? may_create(t, &to->parent)
			      : may_delete(t, &to->parent, &dst, (flags & RENAME_EXCHANGE) ? S_ISDIR(dino->mode) : isdir);
	if (r == 0 && (!has_name_ops(odir) || !has_name_ops(ndir)))
		r = -EPERM;
	if (r == 0 && odir != ndir) {
		/* A directory that changes parent changes its "..": write permission on it. */
		if (isdir)
			r = vfs_permission(t, sino, 2);
		if (r == 0 && (flags & RENAME_EXCHANGE) && S_ISDIR(dino->mode))
			r = vfs_permission(t, dino, 2);
	}
	if (r == 0 && (src.mnt != from->parent.mnt || (have_dst && dst.mnt != to->parent.mnt)))
		r = -EBUSY; /* a mount point */
	if (r < 0)
		goto out;
	r = -EXDEV; /* a directory of the image: mv copies it instead */
	if (overlay_is_lower_dir(sino) || ((flags & RENAME_EXCHANGE) && overlay_is_lower_dir(dino)))
		goto out;
	if (flags & RENAME_EXCHANGE) {
		r = exchange(from, &src, to, &dst, flags);
		goto out;
	}
	r = -ENOTEMPTY;
	if (have_dst && S_ISDIR(dino->mode) && dir_empty(dst.d) < 0)
		goto out;

	if (odir->iops->rename) {
		/* The file system's side first; it keeps the attributes of all four right. */
		r = odir->iops->rename(odir, from->last, sino, ndir, to->last, dino, flags);
		if (r < 0)
			goto out;
	} else {
		if (have_dst && ndir->iops->unlink)
			ndir->iops->unlink(ndir, to->last, dino);
		if (isdir && odir != ndir) {
			odir->nlink--;
			ndir->nlink++;
		}
		odir->mtime = odir->ctime = ndir->mtime = ndir->ctime = vfs_now();
		sino->ctime = odir->ctime;
	}
	if (have_dst) {
		if (S_ISDIR(dino->mode))
			prune_negative(dst.d);
		vfs_drop_name(dst.d); /* the replaced file goes with its last user (IN_DELETE_SELF) */
	}
	r = dentry_move(src.d, to->parent.d, to->last, strlen(to->last));
	if (r == 0 && odir->sb->whiteouts && !dentry_lookup_cached(from->parent.d, from->last, strlen(from->last)))
		dentry_new(from->parent.d, from->last, strlen(from->last), NULL); /* the whiteout */
	notify_move(odir, from->last, ndir, to->last, sino, dino);
out:
	if (have_dst)
		path_put(&dst);
out_src:
	path_put(&src);
	return r;
}
