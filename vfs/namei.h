/*
 * namei: the one place where names are made and removed (Linux's
 * fs/namei.c).  open O_CREAT, mknod (FIFOs, and the socket of an AF_UNIX
 * bind), mkdir, symlink, link, unlink, rmdir and rename all come here, so
 * that the checks, the owner of a new file and the inotify events are the
 * same whichever call made the change.  A syscall handler copies the path
 * in, walks to its parent with vfs_name_walk() and calls one of these; a
 * file system implements only its inode ops (vfs.h: mknod, unlink, link,
 * rename).
 *
 * What each call does, in Linux's order, so that the first error found is
 * Linux's: the kind of the last component (EEXIST, EBUSY, EISDIR...), a
 * read-only mount (EROFS), the lookup (ENOENT, EEXIST), then permission:
 * write and search on the parent, the sticky bit (EPERM), the type of the
 * victim (ENOTDIR, EISDIR), and for rename the subtree rules (EINVAL,
 * ENOTEMPTY) and write permission on a directory that changes parent.  A
 * new file belongs to the fsuid and the fsgid, or the group of a setgid
 * directory (whose setgid bit new directories take); the umask applies to
 * all but symlinks.  Events: IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO with one
 * cookie per move, IN_MOVE_SELF, IN_ATTRIB on a file whose link count
 * changes, and IN_DELETE_SELF (then IN_IGNORED) when the last user of a
 * file with no links left lets it go (vfs/core.c: dentry_put).
 *
 * All under the sentry lock; every call takes and drops its own references.
 */
#pragma once

#include <stdint.h>

#include "vfs.h"

/* The kind of the last component of a path, as written. */
enum { VFS_LAST_NORM, VFS_LAST_ROOT, VFS_LAST_DOT, VFS_LAST_DOTDOT };

/* A name to make or remove: its parent directory and its last component. */
struct vfs_name {
	struct path parent; /* reference */
	char *last;         /* NUL-ended, in the caller's path buffer; "" unless VFS_LAST_NORM */
	int type;           /* VFS_LAST_* */
	int trailing_slash;
};

/*
 * Walks path (copied in, which this changes) from dirfd to the parent of its
 * last component.  flags: WALK_FOLLOW follows a symlink last to the name its
 * target ends in (open O_CREAT), for which path's buffer must hold
 * ABI_NAME_MAX + 1 bytes.  vfs_name_put() drops the parent.
 */
long vfs_name_walk(struct task *t, int dirfd, char *path, int flags, struct vfs_name *nm);
void vfs_name_put(struct vfs_name *nm);

/*
 * A new regular file (open O_CREAT, which looked the name up already), FIFO
 * or socket (mode has the type; 0 means regular), with mode's permission
 * bits less the umask.  Character and block devices: EPERM, always (they
 * would reach the host's devices).  *out (may be NULL) gets the new name
 * with a reference.
 */
long vfs_mknod(struct task *t, struct vfs_name *nm, uint32_t mode, struct path *out);
long vfs_mkdir(struct task *t, struct vfs_name *nm, uint32_t mode);
long vfs_symlink(struct task *t, struct vfs_name *nm, const char *target);
/* O_TMPFILE: a regular file with no name (nor link) on dir's file system, with a reference in *out. */
long vfs_tmpfile(struct task *t, struct path *dir, uint32_t mode, struct inode **out);
/* A new name for the file at src. */
long vfs_link(struct task *t, struct path *src, struct vfs_name *nm);
long vfs_unlink(struct task *t, struct vfs_name *nm);
long vfs_rmdir(struct task *t, struct vfs_name *nm);
/* flags: RENAME_NOREPLACE or RENAME_EXCHANGE (the caller refused the others). */
long vfs_rename(struct task *t, struct vfs_name *from, struct vfs_name *to, unsigned flags);
