/*
 * The gofer protocol: the sentry asks, the gofer (a separate process
 * confined to the container's root) opens and changes files.  One request,
 * one reply, over a SOCK_SEQPACKET socket; file descriptors travel with
 * SCM_RIGHTS: up to two in (fd, then fd2), at most one out.
 *
 * Every fd the sentry sends is one the gofer gave earlier.  Every name is a
 * single component: the gofer refuses "", ".", ".." and names with a '/'
 * (EINVAL), and never follows a symlink, in a name or at the end of one.
 *
 *   GOFER_ROOT:    no fd in; the root directory's fd out.
 *   GOFER_WALK:    directory fd, name; the child's fd out: readable for
 *                  regular files and directories (read-write for regular
 *                  files with GOFER_RDWR in flags), O_PATH for anything
 *                  else or what cannot be opened so.
 *   GOFER_CREATE:  directory fd, name, mode (S_IFREG, S_IFDIR, S_IFLNK with
 *                  the target in name2, S_IFIFO, S_IFSOCK; never a device:
 *                  EPERM), uid and gid to give it; the new file's fd out
 *                  (as GOFER_WALK with GOFER_RDWR); st2 is the directory's.
 *   GOFER_UNLINK:  directory fd, name, flags AT_REMOVEDIR or 0; st2 the dir's.
 *   GOFER_RENAME:  directory fd, name, directory fd2, name2, flags
 *                  RENAME_NOREPLACE or RENAME_EXCHANGE; st and st2 the dirs'.
 *   GOFER_LINK:    directory fd, existing name, directory fd2, new name2;
 *                  st the file's, st2 the new name's directory.
 *   GOFER_SETATTR: a file's fd; what valid says of mode, uid/gid, size
 *                  (the fd must be writable), atime, mtime; st after.
 *   GOFER_FSYNC:   a file's fd, flags 1 for fdatasync.
 *   GOFER_STATFS:  any fd; sfs the host file system's figures.
 *   GOFER_SETXATTR, GOFER_REMOVEXATTR: a regular file's or directory's fd,
 *                  a "user." attribute name (no other namespace: trusted.
 *                  and security. would reach the host kernel's overlayfs,
 *                  capabilities and labels), flags XATTR_CREATE or
 *                  XATTR_REPLACE; the value (size bytes, at most
 *                  GOFER_XATTR_MAX) follows the request in the message.
 *   GOFER_GETXATTR: a regular file's or directory's fd, a "user." name; the
 *                  reply is followed by GOFER_XATTR_MAX bytes, of which the
 *                  first err are the value (err its size, or -errno).  The
 *                  sentry reads the image's attributes on its own fds, and
 *                  asks only where its unprivileged host uid may not read
 *                  the file (Linux checks read permission for user.*).
 * Replies carry -errno or 0 and the stats the op names.
 */
#pragma once

#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

enum {
	GOFER_ROOT = 1,
	GOFER_WALK = 2,
	GOFER_CREATE = 3,
	GOFER_UNLINK = 4,
	GOFER_RENAME = 5,
	GOFER_LINK = 6,
	GOFER_SETATTR = 7,
	GOFER_FSYNC = 8,
	GOFER_STATFS = 9,
	GOFER_SETXATTR = 10,
	GOFER_REMOVEXATTR = 11,
	GOFER_GETXATTR = 12,
};

#define GOFER_XATTR_MAX 65536

#define GOFER_RDWR 1 /* GOFER_WALK: open a regular file for writing too */

/* GOFER_SETATTR's valid bits. */
enum { GOFER_ATTR_MODE = 1, GOFER_ATTR_UID = 2, GOFER_ATTR_GID = 4, GOFER_ATTR_SIZE = 8,
       GOFER_ATTR_ATIME = 16, GOFER_ATTR_MTIME = 32 };

struct gofer_req {
	uint32_t op;
	uint32_t flags;
	uint32_t mode;
	uint32_t uid, gid;
	uint32_t valid;
	uint64_t size;
	struct timespec atime, mtime;
	char name[256];
	char name2[4096]; /* rename and link: the second name; create of a symlink: its target */
};

struct gofer_rep {
	int32_t err;
	struct stat st, st2;
	struct statfs sfs;
};
