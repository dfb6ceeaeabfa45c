/*
 * More of the file family: sync calls, fallocate, copy_file_range, splice
 * and tee (ring to ring, in the pipes), chroot, and extended attributes.
 * Extended attributes: the calls check names, sizes and access here; the
 * attributes themselves live on the inode (vfs/xattr.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/xattr.h>

#include "../sentry/kernel/task.h"
#include "../sentry/kernel/userns.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "../vfs/fs/pipe/pipe.h"
#include "syscalls.h"

#define XATTR_NAME_MAX_ 255
#define XATTR_SIZE_MAX_ 65536

SYSCALL(sync)
{
	(void)t, (void)a;
	return 0; /* nothing to write back: tmpfs and the overlay live in memory, the image is read-only */
}

static long fd_ok(struct task *t, int fd)
{
	struct file *f = fdt_get(t->files, fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

SYSCALL(syncfs) { return fd_ok(t, (int)a[0]); }

SYSCALL(sync_file_range)
{
	struct file *f;
	uint32_t mode;

	if ((int64_t)a[1] < 0 || (int64_t)a[2] < 0 || (a[3] & ~7ULL))
		return -EINVAL;
	f = fdt_get(t->files, (int)a[0]);
	if (!f)
		return -EBADF;
	/* Only files with pages to write (Linux: regular, directory, symlink, block device); an anonymous one has none. */
	mode = inode_is_anon(f->inode) ? 0 : f->inode->mode;
	file_put(f);
	return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode) || S_ISBLK(mode) ? 0 : -ESPIPE;
}

/* Do memfd seals forbid fallocate(mode) up to end?  Linux: a hole is a write, anything else may grow. */
static int fallocate_sealed(struct inode *ino, int mode, uint64_t end)
{
	unsigned *seals = tmpfs_seals(ino);

	if (!seals)
		return 0;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return !!(*seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
	return (*seals & F_SEAL_GROW) && end > ino->size;
}

SYSCALL(fallocate)
{
	struct file *f = fdt_get(t->files, (int)a[0]);
	int mode = (int)a[1];
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	long r = 0;

	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0) {
		r = -EINVAL;
	} else if ((f->flags & O_ACCMODE) == O_RDONLY) {
		r = -EBADF;
	} else if (!S_ISREG(f->inode->mode)) {
		r = S_ISDIR(f->inode->mode) ? -EISDIR : -ENODEV;
	} else if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		r = -EOPNOTSUPP;
	} else if (!f->inode->iops || !f->inode->iops->truncate) {
		r = -EOPNOTSUPP;
	} else if ((mode & FALLOC_FL_ZERO_RANGE) && tmpfs_seals(f->inode)) {
		r = -EOPNOTSUPP; /* Linux's tmpfs has holes to punch, no zeroed ranges */
	} else if (off > INT64_MAX - len) {
		r = -EFBIG; /* offset + len past any file's size (Linux's s_maxbytes check) */
	} else if (fallocate_sealed(f->inode, mode, (uint64_t)(off + len))) {
		r = -EPERM;
	} else if (!(mode & (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) && (uint64_t)(off + len) > f->inode->size &&
		   (uint64_t)(off + len) > t->tg->rlim[RLIMIT_FSIZE].rlim_cur) {
		uint64_t end = (uint64_t)(off + len);

		/* Growing past RLIMIT_FSIZE: SIGXFSZ and EFBIG, as Linux's inode_newsize_ok. */
		r = rlimit_fsize(t, end, &end);
	} else {
		uint64_t pos = (uint64_t)off, end = (uint64_t)(off + len);

		if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
			/* Zeroes the range (within the file) through the file's own write path. */
			static const char zeros[4096];
			uint64_t stop = end < f->inode->size ? end : f->inode->size;

			while (pos < stop && r >= 0) {
				struct iovec iov = {(void *)zeros, stop - pos < sizeof(zeros) ? stop - pos : sizeof(zeros)};
				int fl = f->flags;

				f->flags &= ~O_APPEND;
				r = f->ops->write(f, &iov, 1, &pos);
				f->flags = fl;
			}
			r = r < 0 ? r : 0;
		} else {
			/* tmpfs gets the pages now (st_blocks, ENOSPC now); other file systems on first touch. */
			r = tmpfs_allocate(f->inode, pos, (uint64_t)len);
			if (r == -EOPNOTSUPP)
				r = 0;
		}
		if (r == 0 && !(mode & (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) && end > f->inode->size)
			r = f->inode->iops->truncate(f->inode, end);
	}
	file_put(f);
	return r;
}

/* Copies up to len bytes from in at *ipos to out at *opos, through a bounce buffer. */
static long copy_between(struct file *in, uint64_t *ipos, struct file *out, uint64_t *opos, uint64_t len)
{
	char buf[16384];
	uint64_t done = 0;

	if (len > 0x7ffff000)
		len = 0x7ffff000;
	while (done < len) {
		struct iovec iov = {buf, len - done < sizeof(buf) ? len - done : sizeof(buf)};
		long n = vfs_read_kernel(task_current, in, &iov, 1, ipos), w;

		if (n <= 0)
			return done ? (long)done : n;
		iov.iov_len = (size_t)n;
		w = vfs_write_kernel(task_current, out, &iov, opos);
		if (w <= 0)
			return done ? (long)done : w;
		done += (uint64_t)w;
		if (w < n || (!in->ops->seekable && done))
			break;
	}
	return (long)done;
}

/* The files and positions of copy_file_range/splice: (fd, guest offset pointer) pairs. */
static long get_end(struct task *t, int fd, gva_t uoff, int write, struct file **f, uint64_t *pos, int64_t *off)
{
	*f = fdt_get(t->files, fd);
	if (!*f)
		return -EBADF;
	if (write ? (*f)->flags & O_PATH || ((*f)->flags & O_ACCMODE) == O_RDONLY :
		    (*f)->flags & O_PATH || ((*f)->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!(*f)->ops || !(write ? (*f)->ops->write : (*f)->ops->read))
		return -EINVAL;
	if (uoff) {
		if (!(*f)->ops->seekable)
			return -ESPIPE;
		if (mm_copy_in(t->mm, off, uoff, sizeof(*off)) < 0)
			return -EFAULT;
		if (*off < 0)
			return -EINVAL;
		*pos = (uint64_t)*off;
	} else {
		*pos = (*f)->pos;
	}
	return 0;
}

static long transfer(struct task *t, const uint64_t *a, int kind)
{
	struct file *in = NULL, *out = NULL;
	uint64_t ipos = 0, opos = 0;
	int64_t ioff = 0, ooff = 0;
	long r;

	if ((r = get_end(t, (int)a[0], a[1], 0, &in, &ipos, &ioff)) < 0 ||
	    (r = get_end(t, (int)a[2], a[3], 1, &out, &opos, &ooff)) < 0)
		goto out;
	if (kind == 0) {
		/* copy_file_range: regular files only, flags 0. */
		if (a[5]) {
			r = -EINVAL;
			goto out;
		}
		if (!S_ISREG(in->inode->mode) || !S_ISREG(out->inode->mode)) {
			r = S_ISDIR(in->inode->mode) || S_ISDIR(out->inode->mode) ? -EISDIR : -EINVAL;
			goto out;
		}
		if (out->flags & O_APPEND) {
			r = -EBADF; /* Linux's generic_copy_file_checks */
			goto out;
		}
	} else if (!S_ISFIFO(in->inode->mode) && !S_ISFIFO(out->inode->mode)) {
		r = -EINVAL; /* splice needs a pipe on one side */
		goto out;
	} else if (!S_ISFIFO(out->inode->mode) && (out->flags & O_APPEND)) {
		r = -EINVAL; /* a pipe's pages are not appended to a file (Linux's do_splice, LTP's splice03) */
		goto out;
	}
	r = copy_between(in, &ipos, out, &opos, a[4]);
	if (r > 0) {
		if (a[1])
			mm_copy_out(t->mm, a[1], &(int64_t){(int64_t)ipos}, 8);
		else
			in->pos = ipos;
		if (a[3])
			mm_copy_out(t->mm, a[3], &(int64_t){(int64_t)opos}, 8);
		else
			out->pos = opos;
	}
out:
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

SYSCALL(copy_file_range) { return transfer(t, a, 0); }
SYSCALL(splice) { return transfer(t, a, 1); }

SYSCALL(tee)
{
	struct file *in = fdt_get(t->files, (int)a[0]), *out = fdt_get(t->files, (int)a[1]);
	long r;

	if (!in || !out || (in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		r = -EBADF;
	else if (a[3] & ~(uint64_t)0xf) /* SPLICE_F_MOVE, NONBLOCK, MORE, GIFT */
		r = -EINVAL;
	else if (!pipe_is(in) || !pipe_is(out))
		r = -EINVAL;
	else
		r = pipe_tee(in, out, a[2] > 0x7ffff000 ? 0x7ffff000 : (size_t)a[2], (a[3] & 2 /* SPLICE_F_NONBLOCK */) != 0);
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

/*
 * vmsplice(2): the pages are copied, never given to the pipe (SPLICE_F_GIFT
 * is a hint, as on Linux since 2.6.x): into a pipe's write end as writev,
 * out of its read end as readv, with SPLICE_F_NONBLOCK as O_NONBLOCK.
 */
SYSCALL(vmsplice)
{
	struct abi_iovec v[64];
	uint64_t cnt = a[2], total = 0, i, n, k;
	struct file *f;
	int write, saved;
	long r = 0;

	if (a[3] & ~(uint64_t)0xf)
		return -EINVAL;
	f = fdt_get(t->files, (int)a[0]);
	if (!f || (f->flags & O_PATH)) {
		r = -EBADF;
		goto out;
	}
	write = (f->flags & O_ACCMODE) != O_RDONLY;
	if (cnt > 1024) {
		r = -EINVAL;
		goto out;
	}
	for (i = 0; i < cnt; i += n) {
		n = cnt - i < 64 ? cnt - i : 64;
		if (mm_copy_in(t->mm, v, a[1] + i * sizeof(v[0]), n * sizeof(v[0])) < 0) {
			r = -EFAULT;
			goto out;
		}
		for (k = 0; k < n; k++) {
			if ((int64_t)v[k].iov_len < 0 || total + v[k].iov_len > (uint64_t)INT64_MAX) {
				r = -EINVAL;
				goto out;
			}
			total += v[k].iov_len;
		}
	}
	if (!total)
		goto out;
	if (!pipe_is(f)) {
		r = -EBADF;
		goto out;
	}
	saved = f->flags;
	if (a[3] & 2 /* SPLICE_F_NONBLOCK */)
		f->flags |= O_NONBLOCK;
	{
		uint64_t args[6] = {a[0], a[1], a[2], 0, 0, 0};

		r = write ? sys_writev(t, args) : sys_readv(t, args);
	}
	if (a[3] & 2)
		f->flags = (f->flags & ~O_NONBLOCK) | (saved & O_NONBLOCK);
out:
	if (f)
		file_put(f);
	return r;
}

SYSCALL(chroot)
{
	char path[ABI_PATH_MAX];
	struct path p;
	long r;

	if (!ns_capable(t, creds_userns(&t->cred), CAP_SYS_CHROOT))
		return -EPERM;
	r = mm_strncpy_in(t->mm, path, a[0], sizeof(path));
	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	if (!S_ISDIR(p.d->inode->mode)) {
		path_put(&p);
		return -ENOTDIR;
	}
	path_put(&t->fs->root);
	t->fs->root = p;
	return 0;
}

/* ---- extended attributes ---- */

static long xattr_target(struct task *t, const uint64_t *a, int kind, struct inode **ino, struct path *p,
			 struct file **f)
{
	char path[ABI_PATH_MAX];
	long r;

	*f = NULL;
	p->d = NULL;
	if (kind == 2) {
		*f = fdt_get(t->files, (int)a[0]);
		if (!*f)
			return -EBADF;
		if ((*f)->flags & O_PATH) {
			/* The f*xattr calls do not take O_PATH fds (Linux's fdget). */
			file_put(*f);
			*f = NULL;
			return -EBADF;
		}
		*ino = (*f)->inode;
		return 0;
	}
	r = mm_strncpy_in(t->mm, path, a[0], sizeof(path));
	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, path, kind == 0 ? WALK_FOLLOW : 0, p);
	if (r < 0)
		return r;
	*ino = p->d->inode;
	return 0;
}

static void xattr_done(struct path *p, struct file *f)
{
	if (p->d)
		path_put(p);
	if (f)
		file_put(f);
}

static long get_name(struct task *t, gva_t u, char *name)
{
	long r = mm_strncpy_in(t->mm, name, u, XATTR_NAME_MAX_ + 1);

	if (r == -ENAMETOOLONG)
		return -ERANGE;
	if (r < 0)
		return r;
	if (r == 0)
		return -ERANGE;
	/* Only the namespaces applications use; "system." and the rest are not kept. */
	if (strncmp(name, "user.", 5) && strncmp(name, "trusted.", 8) && strncmp(name, "security.", 9))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * May t read (write 0) or change (1) attribute name of ino?  Linux's
 * xattr_permission: trusted.* is root's alone; user.* lives only on regular
 * files and directories (not on one another's sticky directory); then the
 * file's own read or write permission.  security.* stays the owner's.
 */
static long xattr_permission(struct task *t, struct inode *ino, const char *name, int write)
{
	if (!strncmp(name, "trusted.", 8))
		return capable(t, CAP_SYS_ADMIN) ? 0 : write ? -EPERM : -ENODATA;
	if (!strncmp(name, "user.", 5)) {
		if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
			return write ? -EPERM : -ENODATA;
		if (write && S_ISDIR(ino->mode) && (ino->mode & S_ISVTX) &&
		    !capable_wrt_inode(t, CAP_FOWNER, ino->uid, ino->gid) && t->cred.fsuid != ino->uid)
			return -EPERM;
		return vfs_permission(t, ino, write ? 2 : 4);
	}
	if (write && !capable_wrt_inode(t, CAP_FOWNER, ino->uid, ino->gid) && t->cred.fsuid != ino->uid)
		return -EPERM;
	return 0;
}

static long do_getxattr(struct task *t, const uint64_t *a, int kind)
{
	char name[XATTR_NAME_MAX_ + 1];
	struct inode *ino;
	struct path p;
	struct file *f;
	void *value;
	long r = get_name(t, a[1], name);

	if (r < 0)
		return r == -EOPNOTSUPP ? -ENODATA : r;
	r = xattr_target(t, a, kind, &ino, &p, &f);
	if (r < 0)
		return r;
	r = xattr_permission(t, ino, name, 0);
	if (r == 0)
		r = vfs_xattr_get(ino, name, &value);
	if (r >= 0 && a[3] != 0) {
		if (a[3] < (uint64_t)r)
			r = -ERANGE;
		else if (mm_copy_out(t->mm, a[2], value, (size_t)r) < 0)
			r = -EFAULT;
	}
	xattr_done(&p, f);
	return r;
}

SYSCALL(getxattr) { return do_getxattr(t, a, 0); }
SYSCALL(lgetxattr) { return do_getxattr(t, a, 1); }
SYSCALL(fgetxattr) { return do_getxattr(t, a, 2); }

static long do_setxattr(struct task *t, const uint64_t *a, int kind, int remove)
{
	char name[XATTR_NAME_MAX_ + 1];
	struct inode *ino;
	struct path p;
	struct file *f;
	void *val = NULL;
	long r = get_name(t, a[1], name);

	if (r < 0)
		return r;
	if (!remove) {
		if (a[3] > XATTR_SIZE_MAX_)
			return -E2BIG;
		if (a[4] & ~(uint64_t)(XATTR_CREATE | XATTR_REPLACE))
			return -EINVAL;
		val = malloc(a[3] ? a[3] : 1);
		if (!val)
			return -ENOMEM;
		if (a[3] && mm_copy_in(t->mm, val, a[2], a[3]) < 0) {
			free(val);
			return -EFAULT;
		}
	}
	r = xattr_target(t, a, kind, &ino, &p, &f);
	if (r < 0) {
		free(val);
		return r;
	}
	if ((p.d && p.mnt && (p.mnt->flags & VFS_MNT_RDONLY)) || (f && f->path.mnt && (f->path.mnt->flags & VFS_MNT_RDONLY))) {
		r = -EROFS;
		goto out;
	}
	r = xattr_permission(t, ino, name, 1);
	if (r < 0)
		goto out;
	if (ino->iops && ino->iops->write_xattr) {
		void *old;

		/* The file system's own attributes first, so the sentry's copy starts as the file's. */
		vfs_xattr_get(ino, name, &old);
		r = ino->iops->write_xattr(ino, name, remove ? NULL : val, remove ? 0 : a[3],
					   ((a[4] & XATTR_CREATE) ? VFS_XATTR_CREATE : 0) |
						   ((a[4] & XATTR_REPLACE) ? VFS_XATTR_REPLACE : 0));
		if (r < 0)
			goto out;
	}
	if (remove)
		r = vfs_xattr_remove(ino, name);
	else
		r = vfs_xattr_set(ino, name, val, a[3],
				  ((a[4] & XATTR_CREATE) ? VFS_XATTR_CREATE : 0) |
					  ((a[4] & XATTR_REPLACE) ? VFS_XATTR_REPLACE : 0));
	if (r == 0)
		ino->ctime = vfs_now();
out:
	free(val);
	xattr_done(&p, f);
	return r;
}

SYSCALL(setxattr) { return do_setxattr(t, a, 0, 0); }
SYSCALL(lsetxattr) { return do_setxattr(t, a, 1, 0); }
SYSCALL(fsetxattr) { return do_setxattr(t, a, 2, 0); }
SYSCALL(removexattr) { return do_setxattr(t, a, 0, 1); }
SYSCALL(lremovexattr) { return do_setxattr(t, a, 1, 1); }
SYSCALL(fremovexattr) { return do_setxattr(t, a, 2, 1); }

static long do_listxattr(struct task *t, const uint64_t *a, int kind)
{
	char buf[VFS_XATTR_PER_INODE * (XATTR_NAME_MAX_ + 1)];
	struct inode *ino;
	struct path p;
	struct file *f;
	size_t len;
	long r = xattr_target(t, a, kind, &ino, &p, &f);

	if (r < 0)
		return r;
	len = vfs_xattr_list(ino, buf, sizeof(buf));
	if (a[2] == 0)
		r = (long)len;
	else if (a[2] < len)
		r = -ERANGE;
	else
		r = mm_copy_out(t->mm, a[1], buf, len) < 0 ? -EFAULT : (long)len;
	xattr_done(&p, f);
	return r;
}

SYSCALL(listxattr) { return do_listxattr(t, a, 0); }
SYSCALL(llistxattr) { return do_listxattr(t, a, 1); }
SYSCALL(flistxattr) { return do_listxattr(t, a, 2); }


/* ---- mount, umount2: tmpfs, proc and bind mounts inside the sandbox ---- */

/*
 * Mounting takes CAP_SYS_ADMIN in the user namespace that owns the caller's
 * mount namespace (Linux's may_mount), so the root of a user namespace may
 * mount in a mount namespace it made; the mounts it was copied from stay
 * locked (vfs.h's struct mount) and read-only ones stay read-only.
 */
static int may_mount(struct task *t)
{
	return ns_capable(t, userns_owner(t->mnt), CAP_SYS_ADMIN);
}

SYSCALL(mount)
{
	char target[ABI_PATH_MAX], source[ABI_PATH_MAX], type[64];
	uint64_t flags = a[3];
	struct path tp, sp;
	long r;

	if (!may_mount(t))
		return -EPERM;
	r = mm_strncpy_in(t->mm, target, a[1], sizeof(target));
	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, target, WALK_FOLLOW, &tp);
	if (r < 0)
		return r;
	if (flags & MS_REMOUNT) {
		/* Only the read-only bit changes, on this mount. */
		if (tp.d != tp.mnt->root || !vfs_mount_is_ours(t, tp.mnt)) {
			r = -EINVAL;
		} else if (tp.mnt->locked && (tp.mnt->flags & VFS_MNT_RDONLY) && !(flags & MS_RDONLY) &&
			   userns_owner(t->mnt) != &user_ns_init) {
			r = -EPERM; /* Linux's MNT_LOCK_READONLY: inherited read-only stays so */
		} else {
			tp.mnt->flags = (tp.mnt->flags & ~VFS_MNT_RDONLY) | (flags & MS_RDONLY ? VFS_MNT_RDONLY : 0);
			r = 0;
		}
		goto out;
	}
	if (flags & MS_BIND) {
		r = a[0] ? mm_strncpy_in(t->mm, source, a[0], sizeof(source)) : -EFAULT;
		if (r < 0)
			goto out;
		r = vfs_walk(t, AT_FDCWD, source, WALK_FOLLOW, &sp);
		if (r < 0)
			goto out;
		/* Both ends in the caller's namespace (Linux's do_loopback). */
		if (!vfs_mount_is_ours(t, tp.mnt) || !vfs_mount_is_ours(t, sp.mnt))
			r = -EINVAL;
		else
			r = vfs_bind_at(&tp, &sp, flags & MS_RDONLY ? VFS_MNT_RDONLY : 0);
		path_put(&sp);
		goto out;
	}
	if (flags & (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)) {
		/*
		 * A propagation type: one of them (MS_REC aside), on the root of a
		 * mount of the caller's namespace (Linux's do_change_type).  No
		 * propagation here (vfs.h's struct mnt_ns): every mount is private,
		 * and the type changes nothing.
		 */
		uint64_t prop = flags & ~(uint64_t)(MS_REC | MS_SILENT);

		r = tp.d != tp.mnt->root || !vfs_mount_is_ours(t, tp.mnt) || (prop & (prop - 1)) ? -EINVAL : 0;
		goto out;
	}
	if (flags & MS_MOVE) {
		r = -EINVAL; /* not yet */
		goto out;
	}
	r = a[2] ? mm_strncpy_in(t->mm, type, a[2], sizeof(type)) : -EFAULT;
	if (r < 0)
		goto out;
	if (!S_ISDIR(tp.d->inode->mode)) {
		r = -ENOTDIR;
		goto out;
	}
	{
		const struct fs_type *fst = vfs_find_fs_type(type);
		struct fs_mount_args ma = {.flags = flags};
		char opts[1024];
		struct super *sb;
		struct inode *root;

		/* Only the types mount(2) may make; the sandbox's own (gofer, overlay) are not among them. */
		if (!fst || !(fst->flags & FS_USERMOUNT)) {
			r = -ENODEV;
			goto out;
		}
		if (!vfs_mount_is_ours(t, tp.mnt)) {
			r = -EINVAL; /* on a mount of another namespace (Linux's do_add_mount) */
			goto out;
		}
		if (a[4]) {
			r = mm_strncpy_in(t->mm, opts, a[4], sizeof(opts));
			if (r < 0)
				goto out;
			ma.data = opts;
		}
		r = fst->mount(&ma, &sb, &root);
		if (r < 0)
			goto out;
		r = vfs_mount_at(&tp, sb, root, flags & MS_RDONLY ? VFS_MNT_RDONLY : 0);
		if (r < 0)
			inode_put(root);
	}
out:
	path_put(&tp);
	return r;
}

SYSCALL(pivot_root)
{
	char a0[ABI_PATH_MAX], a1[ABI_PATH_MAX];
	struct path nr, po;
	long r;

	if (!may_mount(t))
		return -EPERM;
	if ((r = mm_strncpy_in(t->mm, a0, a[0], sizeof(a0))) < 0 || (r = mm_strncpy_in(t->mm, a1, a[1], sizeof(a1))) < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, a0, WALK_FOLLOW, &nr);
	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, a1, WALK_FOLLOW, &po);
	if (r == 0) {
		if (!vfs_mount_is_ours(t, t->fs->root.mnt) || !vfs_mount_is_ours(t, nr.mnt) || !vfs_mount_is_ours(t, po.mnt))
			r = -EINVAL;
		else
			r = vfs_pivot_root(&t->fs->root, &nr, &po);
		path_put(&po);
	}
	path_put(&nr);
	return r;
}

SYSCALL(umount2)
{
	char target[ABI_PATH_MAX];
	struct path p;
	long r;

	if (!may_mount(t))
		return -EPERM;
	if (a[1] & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	r = mm_strncpy_in(t->mm, target, a[0], sizeof(target));
	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, target, (a[1] & UMOUNT_NOFOLLOW) ? 0 : WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	r = vfs_mount_is_ours(t, p.mnt) ? vfs_umount(&p, !!(a[1] & MNT_DETACH)) : -EINVAL;
	path_put(&p);
	return r;
}
