/* The file family: fds, reads and writes, paths, directories, metadata. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <linux/openat2.h>
#include <linux/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/overlay/overlay.h"
#include "../vfs/fs/pipe/pipe.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/namei.h"
#include "../vfs/socket.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

#define MAX_RW 0x7ffff000UL /* Linux's MAX_RW_COUNT */
#define PIN_SPANS 64
#define IOV_MAX_ 1024

static uint64_t nofile(struct task *t)
{
	return t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
}

/* Copies a path argument in: -EFAULT, -ENAMETOOLONG (PATH_MAX with its NUL). */
static long get_path(struct task *t, gva_t p, char *buf)
{
	long r = mm_strncpy_in(t->mm, buf, p, ABI_PATH_MAX);

	return r < 0 ? r : 0;
}

static struct file *get_file(struct task *t, int fd)
{
	return fdt_get(t->files, fd);
}

static int readable(struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static int writable(struct file *f)
{
	return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/*
 * RLIMIT_FSIZE for a regular file growing to end (Linux's
 * generic_write_check_limits): at or past the limit SIGXFSZ and EFBIG;
 * otherwise how far it may go.
 */
long rlimit_fsize(struct task *t, uint64_t start, uint64_t *end)
{
	uint64_t limit = t->tg->rlim[RLIMIT_FSIZE].rlim_cur;

	if (limit == RLIM_INFINITY || *end <= limit)
		return 0;
	if (start >= limit) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGXFSZ;
		si.si_code = SI_KERNEL;
		task_send_signal(t, SIGXFSZ, &si);
		return -EFBIG;
	}
	*end = limit;
	return 0;
}

/*
 * Moves len bytes between guest memory at buf and f, through spans of the
 * memory file (no copy for host-backed files).  pos is the file position
 * to use and advance.  Stops at the first short transfer, as Linux does,
 * except that a blocking write to a stream goes on until all is written.
 *
 * File ops never sleep: a file that would block returns -EAGAIN, and unless
 * f is O_NONBLOCK (or may_block is 0: part of a readv was already read) the
 * task blocks on f's wait queues here and tries again.  Spans are valid only
 * while the sentry lock is held, so they are taken afresh after every
 * block: a buffer unmapped meanwhile gives EFAULT, as on Linux.
 */
static long rw(struct task *t, struct file *f, gva_t buf, size_t len, uint64_t *pos, int write, int may_block)
{
	struct iovec iov[PIN_SPANS];
	size_t done = 0;

	if (!mm_access_ok(buf, len))
		return -EFAULT;
	if (len > MAX_RW)
		len = MAX_RW;
	if (write && f->ops->discards)
		return (long)len;
	if (write && S_ISREG(f->inode->mode)) {
		uint64_t start = (f->flags & O_APPEND) ? f->inode->size : *pos, end = start + len;
		long r = rlimit_fsize(t, start, &end);

		if (r < 0)
			return r;
		len = (size_t)(end - start);
	}
	for (;;) {
		size_t pinned;
		int n = mm_pin(t->mm, buf + done, len - done, !write, iov, PIN_SPANS, &pinned);
		long r;

		if (n < 0)
			return done ? (long)done : n;
		if (len && n == 0)
			return done ? (long)done : -EFAULT;
		r = write ? f->ops->write(f, iov, n, pos) : f->ops->read(f, iov, n, pos);
		if (r == -EAGAIN && !(f->flags & O_NONBLOCK) && (may_block || write)) {
			/* The spans in iov die here: nothing may hold them across the block. */
			r = vfs_file_block(t, f);
			if (r < 0)
				return done ? (long)done : r;
			if (!write && done)
				break;
			continue;
		}
		if (r < 0)
			return done ? (long)done : r;
		if (r > 0 && f->path.d)
			vfs_fsnotify_dentry(f->path.d, write ? IN_MODIFY : IN_ACCESS);
		done += (size_t)r;
		if (done >= len)
			break;
		if (f->ops->seekable) {
			if ((size_t)r < pinned)
				break;
			continue;
		}
		/* A stream: a read returns what came; a blocking write waits for room for the rest. */
		if (!write || r == 0 || (f->flags & O_NONBLOCK))
			break;
	}
	return (long)done;
}

static long do_read(struct task *t, int fd, gva_t buf, size_t len, int64_t off, int positional)
{
	struct file *f = get_file(t, fd);
	uint64_t pos;
	long r;

	if (!f)
		return -EBADF;
	if (!readable(f)) {
		r = -EBADF;
		goto out;
	}
	if (S_ISDIR(f->inode->mode)) {
		r = -EISDIR;
		goto out;
	}
	if (!f->ops->read) {
		r = -EINVAL;
		goto out;
	}
	if (positional) {
		if (!f->ops->seekable) {
			r = -ESPIPE;
			goto out;
		}
		if (off < 0) {
			r = -EINVAL;
			goto out;
		}
		pos = (uint64_t)off;
		r = rw(t, f, buf, len, &pos, 0, 1);
	} else {
		r = rw(t, f, buf, len, &f->pos, 0, 1);
	}
out:
	file_put(f);
	return r;
}

/* A write to a pipe nobody reads raises SIGPIPE, as Linux does. */
static long sigpipe(struct task *t, long r)
{
	if (r == -EPIPE) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGPIPE;
		si.si_code = SI_USER;
		si.si_pid = task_vnr(t, task_tgid(t));
		task_send_signal(t, SIGPIPE, &si);
	}
	return r;
}

static long do_write(struct task *t, int fd, gva_t buf, size_t len, int64_t off, int positional)
{
	struct file *f = get_file(t, fd);
	uint64_t pos;
	long r;

	if (!f)
		return -EBADF;
	if (!writable(f) || !f->ops->write) {
		r = !writable(f) ? -EBADF : -EINVAL;
		goto out;
	}
	if (positional) {
		if (!f->ops->seekable) {
			r = -ESPIPE;
			goto out;
		}
		if (off < 0) {
			r = -EINVAL;
			goto out;
		}
		pos = (uint64_t)off;
		r = rw(t, f, buf, len, &pos, 1, 1);
	} else {
		r = rw(t, f, buf, len, &f->pos, 1, 1);
	}
out:
	file_put(f);
	return sigpipe(t, r);
}

SYSCALL(read) { return do_read(t, (int)a[0], a[1], a[2], 0, 0); }
SYSCALL(write) { return do_write(t, (int)a[0], a[1], a[2], 0, 0); }
SYSCALL(pread64) { return do_read(t, (int)a[0], a[1], a[2], (int64_t)a[3], 1); }
SYSCALL(pwrite64) { return do_write(t, (int)a[0], a[1], a[2], (int64_t)a[3], 1); }

/*
 * A writev of at most PIPE_BUF bytes to a pipe or FIFO: Linux writes it in
 * one piece, never interleaved with other writers, so it goes to the pipe
 * as one buffer gathered in the sentry (one guest iovec at a time, as
 * do_rwv does otherwise, could block between pieces and let another writer
 * in).  -EFAULT when a piece cannot be read: the caller then writes them
 * one by one and reports the fault as it always did.
 */
static long pipe_writev_small(struct task *t, struct file *f, const struct abi_iovec *v, uint64_t cnt,
			      size_t total, uint64_t *pos)
{
	char buf[PIPE_BUF];
	struct iovec kiov = {buf, total};
	size_t got = 0;
	uint64_t i;
	long r;

	for (i = 0; i < cnt; i++) {
		if (mm_copy_in(t->mm, buf + got, v[i].iov_base, v[i].iov_len) < 0)
			return -EFAULT;
		got += v[i].iov_len;
	}
	for (;;) {
		r = f->ops->write(f, &kiov, 1, pos);
		if (r != -EAGAIN || (f->flags & O_NONBLOCK))
			break;
		r = vfs_file_block(t, f);
		if (r < 0)
			return r;
	}
	if (r > 0 && f->path.d)
		vfs_fsnotify_dentry(f->path.d, IN_MODIFY);
	return r;
}

/* readv/writev and their positional forms: one guest iovec at a time. */
static long do_rwv(struct task *t, int fd, gva_t uiov, uint64_t cnt, int64_t off, int positional, int write)
{
	struct abi_iovec *v;
	struct file *f;
	uint64_t total = 0, pos, i;
	size_t done = 0;
	long r = 0;

	if (cnt > IOV_MAX_)
		return -EINVAL;
	f = get_file(t, fd);
	if (!f)
		return -EBADF;
	if (write ? !writable(f) : !readable(f)) {
		file_put(f);
		return -EBADF;
	}
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	if (!v) {
		file_put(f);
		return -ENOMEM;
	}
	r = mm_copy_in(t->mm, v, uiov, cnt * sizeof(*v));
	if (r < 0)
		goto out;
	for (i = 0; i < cnt; i++) {
		if ((int64_t)v[i].iov_len < 0 || total + v[i].iov_len > (uint64_t)SSIZE_MAX) {
			r = -EINVAL;
			goto out;
		}
		total += v[i].iov_len;
	}
	if (!write && S_ISDIR(f->inode->mode)) {
		r = -EISDIR;
		goto out;
	}
	if (write ? !f->ops->write : !f->ops->read) {
		r = -EINVAL;
		goto out;
	}
	if (positional && !f->ops->seekable) {
		r = -ESPIPE;
		goto out;
	}
	if (positional && off < 0) {
		r = -EINVAL;
		goto out;
	}
	pos = positional ? (uint64_t)off : f->pos;
	if (write && S_ISFIFO(f->inode->mode) && cnt > 1 && total > 0 && total <= PIPE_BUF) {
		r = pipe_writev_small(t, f, v, cnt, (size_t)total, &pos);
		if (r != -EFAULT)
			goto out; /* a byte count of 1 is a write like any other */
	}
	for (i = 0; i < cnt; i++) {
		if (!v[i].iov_len)
			continue;
		r = rw(t, f, v[i].iov_base, v[i].iov_len, &pos, write, done == 0);
		if (r < 0)
			break;
		done += (size_t)r;
		if ((uint64_t)r < v[i].iov_len)
			break;
	}
	if (!positional)
		f->pos = pos;
	r = done ? (long)done : (r < 0 ? r : 0);
out:
	free(v);
	file_put(f);
	return r;
}

SYSCALL(readv) { return do_rwv(t, (int)a[0], a[1], a[2], 0, 0, 0); }
SYSCALL(writev) { return sigpipe(t, do_rwv(t, (int)a[0], a[1], a[2], 0, 0, 1)); }
SYSCALL(preadv) { return do_rwv(t, (int)a[0], a[1], a[2], (int64_t)a[3], 1, 0); }
SYSCALL(pwritev) { return do_rwv(t, (int)a[0], a[1], a[2], (int64_t)a[3], 1, 1); }

SYSCALL(preadv2)
{
	/* offset -1 means "the file position", as read(2). */
	if (a[5] & ~(uint64_t)0x1f)
		return -EOPNOTSUPP;
	return do_rwv(t, (int)a[0], a[1], a[2], (int64_t)a[3], (int64_t)a[3] != -1, 0);
}

#define RWF_APPEND_ 0x10

SYSCALL(pwritev2)
{
	struct file *f;
	long r;
	int saved;

	if (a[5] & ~(uint64_t)0x1f)
		return -EOPNOTSUPP;
	f = (a[5] & RWF_APPEND_) ? get_file(t, (int)a[0]) : NULL;
	if (!f || !S_ISREG(f->inode->mode) || (f->flags & O_APPEND)) {
		if (f)
			file_put(f);
		return do_rwv(t, (int)a[0], a[1], a[2], (int64_t)a[3], (int64_t)a[3] != -1, 1);
	}
	/*
	 * RWF_APPEND: this one write goes to the end as with O_APPEND, which
	 * the file systems' write ops look at (an offset given is not used,
	 * nor moved).  Regular files' writes do not sleep, so no other call
	 * sees the flag meanwhile.
	 */
	saved = f->flags;
	f->flags |= O_APPEND;
	r = do_rwv(t, (int)a[0], a[1], a[2], (int64_t)a[3], (int64_t)a[3] != -1, 1);
	f->flags = (f->flags & ~O_APPEND) | (saved & O_APPEND);
	file_put(f);
	return r;
}

/* ---- open, close ---- */

#define OPEN_FLAGS_KNOWN                                                                                    \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |     \
	 O_DIRECT | ABI_O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH |      \
	 O_TMPFILE)

static long do_open(struct task *t, int dirfd, gva_t upath, int flags, uint32_t mode)
{
	char path[ABI_PATH_MAX];
	struct file *f;
	long r;

	r = get_path(t, upath, path);
	if (r < 0)
		return r;
	/* Linux ignores unknown open flags (only openat2 refuses them), and O_PATH beats the rest. */
	flags &= OPEN_FLAGS_KNOWN;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if ((flags & (O_TMPFILE & ~O_DIRECTORY)) && (!(flags & O_DIRECTORY) || (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	/* 64-bit Linux marks every open file O_LARGEFILE (F_GETFL shows it). */
	flags |= ABI_O_LARGEFILE;
	r = vfs_openat(t, dirfd, path, flags, mode, &f);
	if (r < 0)
		return r;
	r = fdt_install(t->files, f, 0, !!(flags & O_CLOEXEC), nofile(t));
	file_put(f);
	return r;
}

SYSCALL(open) { return do_open(t, AT_FDCWD, a[0], (int)a[1], (uint32_t)a[2]); }

/*
 * openat2: strict flags, and RESOLVE_* rules for every walk of the open
 * (with O_CREAT, the parent's and the new name's).
 */
SYSCALL(openat2)
{
	struct {
		uint64_t flags, mode, resolve;
	} how = {0};
	long r;

	if (a[3] < 24)
		return -EINVAL;
	if (a[3] > 4096)
		return -E2BIG;
	if (mm_copy_in(t->mm, &how, a[2], sizeof(how)) < 0)
		return -EFAULT;
	if (a[3] > 24) {
		uint8_t extra[64];
		uint64_t off;

		for (off = 24; off < a[3]; off += sizeof(extra)) {
			uint64_t n = a[3] - off < sizeof(extra) ? a[3] - off : sizeof(extra), i;

			if (mm_copy_in(t->mm, extra, a[2] + off, n) < 0)
				return -EFAULT;
			for (i = 0; i < n; i++)
				if (extra[i])
					return -E2BIG;
		}
	}
	if (how.flags & ~(uint64_t)(OPEN_FLAGS_KNOWN | O_CLOEXEC))
		return -EINVAL;
	if (how.resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
				      RESOLVE_IN_ROOT | RESOLVE_CACHED))
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	if (how.mode && !(how.flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))))
		return -EINVAL;
	if (how.mode & ~07777ULL)
		return -EINVAL;
	if (how.resolve & RESOLVE_CACHED)
		return -EAGAIN; /* the sentry does not know without looking */
	if (!how.resolve)
		return do_open(t, (int)a[0], a[1], (int)how.flags, (uint32_t)how.mode);
	/* Every walk of the open, the parent's for O_CREAT too, under the rules. */
	r = vfs_resolve_begin(t, (int)a[0], (int)how.resolve);
	if (r < 0)
		return r;
	r = do_open(t, (int)a[0], a[1], (int)how.flags, (uint32_t)how.mode);
	vfs_resolve_end();
	return r;
}

SYSCALL(openat) { return do_open(t, (int)a[0], a[1], (int)a[2], (uint32_t)a[3]); }
SYSCALL(creat) { return do_open(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a[1]); }

SYSCALL(close)
{
	int fd = (int)a[0];
	struct file *f = get_file(t, fd);
	long r = fdt_close(t->files, fd);

	if (f) {
		/* Ours is the last reference: a lingering socket waits here, its fd already gone (as Linux). */
		if (r == 0 && f->refs == 1 && f->ops && f->ops->sock && f->ops->sock->close_wait)
			f->ops->sock->close_wait(t, f);
		file_put(f);
	}
	return r;
}

SYSCALL(flock)
{
	struct file *f = get_file(t, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_PATH) ? -EBADF : vfs_flock(t, f, (int)a[1]);
	file_put(f);
	return r;
}

SYSCALL(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1], flags = (unsigned)a[2], fd;

	if (flags & ~(unsigned)(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	/* CLOSE_RANGE_UNSHARE: a table shared with other threads or processes (CLONE_FILES) is copied first. */
	if ((flags & CLOSE_RANGE_UNSHARE) && t->files->refs > 1) {
		struct fdtable *n = fdt_copy(t->files);

		if (!n)
			return -ENOMEM;
		fdt_put(t->files);
		t->files = n;
	}
	for (fd = first; fd <= last && fd < (unsigned)t->files->size; fd++) {
		if (!t->files->fds[fd])
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fdt_set_cloexec(t->files, (int)fd, 1);
		else
			fdt_close(t->files, (int)fd);
	}
	return 0;
}

SYSCALL(lseek)
{
	struct file *f = get_file(t, (int)a[0]);
	int64_t off = (int64_t)a[1], base;
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable) {
		r = (f->flags & O_PATH) ? -EBADF : -ESPIPE;
		goto out;
	}
	/* Linux's null_lseek and noop_llseek: the character devices without a position say 0 to any offset. */
	if (f->ops->pos_zero && (uint64_t)a[2] <= SEEK_HOLE) {
		f->pos = 0;
		r = 0;
		goto out;
	}
	switch ((int)a[2]) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: base = (int64_t)f->inode->size; break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= f->inode->size) {
			r = -ENXIO;
			goto out;
		}
		base = 0;
		if (f->inode->iops && f->inode->iops->seek_data) {
			r = f->inode->iops->seek_data(f->inode, (uint64_t)off, (int)a[2]);
			if (r < 0)
				goto out;
			off = r;
		} else if ((int)a[2] == SEEK_HOLE) {
			off = (int64_t)f->inode->size; /* all data: the hole starts at the end */
		}
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		r = -EINVAL;
		goto out;
	}
	f->pos = (uint64_t)(base + off);
	r = (long)f->pos;
out:
	file_put(f);
	return r;
}

/* ---- stat ---- */

static long stat_file(struct file *f, struct abi_stat *st)
{
	if (f->ops && f->ops->fstat)
		return f->ops->fstat(f, st);
	inode_stat(f->inode, st);
	return 0;
}

/* Resolves (dirfd, path, AT_* flags) to a stat; the shared part of the stat family. */
static long stat_at(struct task *t, int dirfd, gva_t upath, int flags, struct abi_stat *st)
{
	char path[ABI_PATH_MAX];
	struct path p;
	long r;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	r = get_path(t, upath, path);
	if (r < 0)
		return r;
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		struct file *f;

		if (dirfd == AT_FDCWD) {
			inode_stat(t->fs->cwd.d->inode, st);
			return 0;
		}
		f = get_file(t, dirfd);
		if (!f)
			return -EBADF;
		r = stat_file(f, st);
		file_put(f);
		return r;
	}
	r = vfs_walk(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	inode_stat(p.d->inode, st);
	path_put(&p);
	return 0;
}

/* The owner and group as the caller's user namespace sees them (the overflow ids if it has none). */
static void stat_ids(struct task *t, struct abi_stat *st)
{
	st->st_uid = task_uid_out(t, st->st_uid);
	st->st_gid = task_gid_out(t, st->st_gid);
}

SYSCALL(fstat)
{
	struct abi_stat st;
	struct file *f = get_file(t, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = stat_file(f, &st);
	file_put(f);
	if (r < 0)
		return r;
	stat_ids(t, &st);
	return mm_copy_out(t->mm, a[1], &st, sizeof(st));
}

static long stat_out(struct task *t, long r, struct abi_stat *st, gva_t buf)
{
	if (r < 0)
		return r;
	stat_ids(t, st);
	return mm_copy_out(t->mm, buf, st, sizeof(*st));
}

SYSCALL(stat)
{
	struct abi_stat st;

	return stat_out(t, stat_at(t, AT_FDCWD, a[0], 0, &st), &st, a[1]);
}

SYSCALL(lstat)
{
	struct abi_stat st;

	return stat_out(t, stat_at(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, &st), &st, a[1]);
}

SYSCALL(newfstatat)
{
	struct abi_stat st;

	if (a[3] & AT_STATX_SYNC_TYPE)
		return -EINVAL;
	return stat_out(t, stat_at(t, (int)a[0], a[1], (int)a[3], &st), &st, a[2]);
}

SYSCALL(statx)
{
	struct abi_statx sx;
	struct abi_stat st;
	long r;

	if ((a[2] & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if ((uint32_t)a[3] & STATX__RESERVED)
		return -EINVAL;
	r = stat_at(t, (int)a[0], a[1], (int)a[2], &st);
	if (r < 0)
		return r;
	stat_ids(t, &st);
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime = (struct abi_statx_timestamp){st.st_atime_sec, (uint32_t)st.st_atime_nsec, 0};
	sx.stx_mtime = (struct abi_statx_timestamp){st.st_mtime_sec, (uint32_t)st.st_mtime_nsec, 0};
	sx.stx_ctime = (struct abi_statx_timestamp){st.st_ctime_sec, (uint32_t)st.st_ctime_nsec, 0};
	sx.stx_rdev_major = (uint32_t)((st.st_rdev >> 8) & 0xfff);
	sx.stx_rdev_minor = (uint32_t)((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00));
	sx.stx_dev_major = (uint32_t)((st.st_dev >> 8) & 0xfff);
	sx.stx_dev_minor = (uint32_t)((st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00));
	return mm_copy_out(t->mm, a[4], &sx, sizeof(sx));
}

/* ---- directories ---- */

struct dents {
	char *buf;
	size_t size, len;
	struct file *f;
	int full;
	int old; /* getdents(2)'s struct linux_dirent, not getdents64's */
};

/*
 * getdents(2)'s record: d_ino, d_off and d_reclen where linux_dirent64 has
 * them, the name at 18, and d_type in the record's last byte.
 */
static int emit_old_dent(struct dents *d, const char *name, size_t namelen, uint64_t ino, unsigned type)
{
	size_t reclen = (18 + namelen + 2 + 7) & ~7UL;
	char *e = d->buf + d->len;
	uint64_t off = d->f->pos + 1;
	uint16_t rl = (uint16_t)reclen;

	memset(e, 0, reclen);
	memcpy(e, &ino, 8);
	memcpy(e + 8, &off, 8);
	memcpy(e + 16, &rl, 2);
	memcpy(e + 18, name, namelen);
	e[reclen - 1] = (char)type;
	d->len += reclen;
	return 0;
}

static int emit_dent(void *ctx, const char *name, size_t namelen, uint64_t ino, unsigned type)
{
	struct dents *d = ctx;
	size_t reclen = d->old ? (18 + namelen + 2 + 7) & ~7UL : (offsetof(struct abi_dirent64, d_name) + namelen + 1 + 7) & ~7UL;
	struct abi_dirent64 *e;

	if (d->len + reclen > d->size) {
		d->full = 1;
		return 1;
	}
	if (d->old)
		return emit_old_dent(d, name, namelen, ino, type);
	e = (struct abi_dirent64 *)(d->buf + d->len);
	e->d_ino = ino;
	e->d_off = (int64_t)d->f->pos + 1;
	e->d_reclen = (uint16_t)reclen;
	e->d_type = (uint8_t)type;
	memcpy(e->d_name, name, namelen);
	memset(e->d_name + namelen, 0, reclen - offsetof(struct abi_dirent64, d_name) - namelen);
	d->len += reclen;
	return 0;
}

static long do_getdents(struct task *t, const uint64_t *a, int old)
{
	struct file *f = get_file(t, (int)a[0]);
	struct dents d = {.old = old};
	size_t count = (size_t)(unsigned)a[2];
	long r;

	if (!f)
		return -EBADF;
	if ((f->flags & O_PATH) || !f->ops) {
		r = -EBADF;
		goto out;
	}
	if (!f->ops->iterate) {
		r = -ENOTDIR;
		goto out;
	}
	d.size = count < 65536 ? count : 65536;
	d.buf = malloc(d.size ? d.size : 1);
	d.f = f;
	if (!d.buf) {
		r = -ENOMEM;
		goto out;
	}
	if (!mm_access_ok(a[1], count)) {
		r = -EFAULT;
		goto out_free;
	}
	r = f->ops->iterate(f, emit_dent, &d);
	if (r >= 0 && d.len == 0 && d.full)
		r = -EINVAL; /* not even one entry fits */
	else if (r >= 0 && (r = mm_copy_out(t->mm, a[1], d.buf, d.len)) == 0)
		r = (long)d.len;
	else if (r == -EFAULT) {
		/*
		 * Linux writes entry by entry and stops at the first that
		 * faults: the ones before it count, the stream resumes at it.
		 */
		size_t off = 0;

		while (off < d.len) {
			/* d_off and d_reclen sit at the same offsets in both record formats. */
			struct abi_dirent64 *e = (struct abi_dirent64 *)(d.buf + off);

			if (mm_copy_out(t->mm, a[1] + off, e, e->d_reclen) < 0) {
				f->pos = (uint64_t)e->d_off - 1;
				break;
			}
			off += e->d_reclen;
		}
		r = off ? (long)off : -EFAULT;
	}
out_free:
	free(d.buf);
out:
	file_put(f);
	return r;
}

SYSCALL(getdents64) { return do_getdents(t, a, 0); }
SYSCALL(getdents) { return do_getdents(t, a, 1); }

static long do_readlink(struct task *t, int dirfd, gva_t upath, gva_t buf, int64_t size)
{
	char path[ABI_PATH_MAX], target[ABI_PATH_MAX];
	struct path p;
	long r;

	if (size <= 0)
		return -EINVAL;
	r = get_path(t, upath, path);
	if (r < 0)
		return r;
	r = vfs_walk(t, dirfd, path, path[0] ? 0 : WALK_EMPTY_PATH, &p);
	if (r < 0)
		return r;
	if (!S_ISLNK(p.d->inode->mode) || !p.d->inode->iops || !p.d->inode->iops->readlink) {
		path_put(&p);
		return -EINVAL;
	}
	r = p.d->inode->iops->readlink(p.d->inode, target, sizeof(target));
	path_put(&p);
	if (r < 0)
		return r;
	if (r > size)
		r = size;
	return mm_copy_out(t->mm, buf, target, (size_t)r) < 0 ? -EFAULT : r;
}

SYSCALL(readlink) { return do_readlink(t, AT_FDCWD, a[0], a[1], (int)a[2]); }
SYSCALL(readlinkat) { return do_readlink(t, (int)a[0], a[1], a[2], (int)a[3]); }

static long do_access(struct task *t, int dirfd, gva_t upath, int mode, int flags)
{
	char path[ABI_PATH_MAX];
	struct path p;
	long r;

	if (mode & ~7)
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = get_path(t, upath, path);
	if (r < 0)
		return r;
	r = vfs_walk(t, dirfd, path, ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) |
				       ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_PATH : 0), &p);
	if (r < 0)
		return r;
	if ((mode & W_OK) && (p.mnt->flags & VFS_MNT_RDONLY) &&
	    (S_ISREG(p.d->inode->mode) || S_ISDIR(p.d->inode->mode) || S_ISLNK(p.d->inode->mode)))
		r = -EROFS;
	else if (mode)
		r = vfs_permission(t, p.d->inode, mode);
	path_put(&p);
	return r;
}

SYSCALL(access) { return do_access(t, AT_FDCWD, a[0], (int)a[1], 0); }
SYSCALL(faccessat) { return do_access(t, (int)a[0], a[1], (int)a[2], 0); }
SYSCALL(faccessat2) { return do_access(t, (int)a[0], a[1], (int)a[2], (int)a[3]); }

SYSCALL(getcwd)
{
	char buf[ABI_PATH_MAX];
	long n;

	if (dentry_dead(t->fs->cwd.d))
		return -ENOENT; /* the directory was removed */
	n = vfs_path_string(t, &t->fs->cwd, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (!vfs_path_reachable(t, &t->fs->cwd)) {
		/* Outside the root (chroot without chdir): Linux says so, and glibc's getcwd gives ENOENT. */
		static const char unreachable[] = "(unreachable)";

		if ((size_t)n + sizeof(unreachable) > sizeof(buf))
			return -ENAMETOOLONG;
		memmove(buf + sizeof(unreachable) - 1, buf, (size_t)n + 1);
		memcpy(buf, unreachable, sizeof(unreachable) - 1);
		n += (long)sizeof(unreachable) - 1;
	}
	if ((uint64_t)n + 1 > a[1])
		return -ERANGE;
	return mm_copy_out(t->mm, a[0], buf, (size_t)n + 1) < 0 ? -EFAULT : n + 1;
}

static long set_cwd(struct task *t, struct path *p)
{
	long r;

	if (!S_ISDIR(p->d->inode->mode))
		return -ENOTDIR;
	r = vfs_permission(t, p->d->inode, 1);
	if (r < 0)
		return r;
	path_get(p);
	path_put(&t->fs->cwd);
	t->fs->cwd = *p;
	return 0;
}

SYSCALL(chdir)
{
	char path[ABI_PATH_MAX];
	struct path p;
	long r = get_path(t, a[0], path);

	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	r = set_cwd(t, &p);
	path_put(&p);
	return r;
}

SYSCALL(fchdir)
{
	struct file *f = get_file(t, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = f->path.d ? set_cwd(t, &f->path) : -ENOTDIR;
	file_put(f);
	return r;
}

/* ---- fd table calls ---- */

SYSCALL(dup)
{
	struct file *f = get_file(t, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = fdt_install(t->files, f, 0, 0, nofile(t));
	file_put(f);
	return r;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f;
	long r;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (newfd < 0 || (uint64_t)newfd >= nofile(t))
		return -EBADF;
	f = get_file(t, oldfd);
	if (!f)
		return -EBADF;
	r = fdt_install_at(t->files, newfd, f, !!(flags & O_CLOEXEC));
	file_put(f);
	return r;
}

SYSCALL(dup2)
{
	if ((int)a[0] == (int)a[1]) {
		struct file *f = get_file(t, (int)a[0]);

		if (!f)
			return -EBADF;
		file_put(f);
		return (int)a[1];
	}
	return do_dup3(t, (int)a[0], (int)a[1], 0);
}

SYSCALL(dup3)
{
	if ((int)a[0] == (int)a[1])
		return -EINVAL;
	return do_dup3(t, (int)a[0], (int)a[1], (int)a[2]);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

SYSCALL(fcntl)
{
	int fd = (int)a[0], cmd = (int)a[1];
	struct file *f = get_file(t, fd);
	long r = 0;

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= nofile(t) || (int)a[2] < 0) {
			r = -EINVAL;
			break;
		}
		r = fdt_install(t->files, f, (int)a[2], cmd == F_DUPFD_CLOEXEC, nofile(t));
		break;
	case F_GETFD:
		r = fdt_get_cloexec(t->files, fd) ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		fdt_set_cloexec(t->files, fd, (int)(a[2] & FD_CLOEXEC));
		break;
	case F_GETFL:
		r = f->flags & ~O_CLOEXEC;
		break;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		r = pipe_is(f) ? pipe_size(f, (int)a[1] == F_SETPIPE_SZ, (unsigned long)(unsigned)a[2], capable(t, CAP_SYS_RESOURCE))
			       : -EBADF;
		break;
	case F_SETFL:
		if (f->flags & O_PATH) {
			r = -EBADF;
			break;
		}
		if (((int)a[2] & O_NOATIME) && !(f->flags & O_NOATIME) && t->cred.fsuid != f->inode->uid &&
		    !capable_wrt_inode(t, CAP_FOWNER, f->inode->uid, f->inode->gid)) {
			r = -EPERM; /* only the owner may stop access times, as at open */
			break;
		}
		if ((f->flags ^ (int)a[2]) & O_ASYNC) {
			r = vfs_fasync_set(f, fd, (int)a[2] & O_ASYNC);
			if (r < 0)
				break;
		}
		f->flags = (f->flags & ~SETFL_MASK) | ((int)a[2] & SETFL_MASK);
		break;
	case F_SETOWN: {
		int who = (int)a[2];

		r = who == INT32_MIN ? -EINVAL : vfs_fown_set(t, f, who < 0 ? F_OWNER_PGRP : F_OWNER_PID, who < 0 ? -who : who);
		break;
	}
	case F_GETOWN: {
		int type, id;

		vfs_fown_get(f, &type, &id);
		id = task_vnr(t, id); /* kept as the global number; 0 when the caller cannot see it */
		r = type == F_OWNER_PGRP ? -id : id;
		break;
	}
	case F_SETOWN_EX:
	case F_GETOWN_EX: {
		struct f_owner_ex ox;

		if (cmd == F_GETOWN_EX) {
			int type;

			vfs_fown_get(f, &type, &ox.pid);
			ox.pid = task_vnr(t, ox.pid);
			ox.type = (enum __pid_type)type;
			r = mm_copy_out(t->mm, a[2], &ox, sizeof(ox));
		} else if ((r = mm_copy_in(t->mm, &ox, a[2], sizeof(ox))) == 0) {
			r = vfs_fown_set(t, f, ox.type, ox.pid);
		}
		break;
	}
	case F_SETSIG:
		r = vfs_fown_setsig(f, (int)a[2]);
		break;
	case F_GETSIG:
		r = vfs_fown_getsig(f);
		break;
	case F_NOTIFY:
		r = vfs_dnotify(t, f, fd, (unsigned)a[2]);
		break;
	case F_SETLEASE:
		r = (f->flags & O_PATH) ? -EBADF : vfs_setlease(t, f, fd, (long)a[2]);
		break;
	case F_GETLEASE:
		r = (f->flags & O_PATH) ? -EBADF : vfs_getlease(f);
		break;
	case F_GETLK:
	case F_OFD_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW: {
		struct flock fl;

		if (f->flags & O_PATH) {
			r = -EBADF;
			break;
		}
		r = mm_copy_in(t->mm, &fl, a[2], sizeof(fl));
		if (r == 0)
			r = vfs_fcntl_lock(t, f, cmd, &fl);
		if (r == 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK))
			r = mm_copy_out(t->mm, a[2], &fl, sizeof(fl));
		break;
	}
	case F_ADD_SEALS:
		r = (f->flags & O_PATH) ? -EBADF : !writable(f) ? -EPERM : tmpfs_add_seals(f->inode, (unsigned)a[2]);
		break;
	case F_GET_SEALS: {
		unsigned *seals = tmpfs_seals(f->inode);

		r = (f->flags & O_PATH) ? -EBADF : seals ? (long)*seals : -EINVAL;
		break;
	}
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

/*
 * The interface address requests (SIOCGIFADDR, DSTADDR, BRDADDR, NETMASK
 * and their sets) are AF_INET's own in Linux (inet_ioctl): any other socket
 * answers them ENOTTY.
 */
static int sock_ioctl_inet_only(unsigned long req)
{
	return req >= 0x8915 && req <= 0x891c; /* SIOCGIFADDR .. SIOCSIFNETMASK */
}

static int sock_domain(struct task *t, struct file *f)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return f->ops->sock->getsockopt(t, f, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0 ? -1 : v;
}

SYSCALL(ioctl)
{
	int fd = (int)a[0];
	struct file *f = get_file(t, fd);
	long r;
	int v;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH) {
		file_put(f);
		return -EBADF;
	}
	switch (a[1]) {
	case FIOCLEX:
		fdt_set_cloexec(t->files, fd, 1);
		r = 0;
		break;
	case FIONCLEX:
		fdt_set_cloexec(t->files, fd, 0);
		r = 0;
		break;
	case FIONBIO:
		r = mm_copy_in(t->mm, &v, a[2], sizeof(v));
		if (r == 0)
			f->flags = v ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
		break;
	case FIOASYNC:
		/* O_ASYNC as F_SETFL sets it (nginx gives its workers' socketpairs SIGIO this way). */
		r = mm_copy_in(t->mm, &v, a[2], sizeof(v));
		if (r == 0 && ((v ? O_ASYNC : 0) ^ f->flags) & O_ASYNC && (S_ISREG(f->inode->mode) || S_ISDIR(f->inode->mode)))
			r = -ENOTTY; /* Linux's disk file systems have no fasync */
		else if (r == 0 && ((v ? O_ASYNC : 0) ^ f->flags) & O_ASYNC) {
			r = vfs_fasync_set(f, fd, !!v);
			if (r == 0)
				f->flags = v ? (f->flags | O_ASYNC) : (f->flags & ~O_ASYNC);
		}
		break;
	case FIONREAD:
		/* The file's own answer first: an anonymous inode (inotify) is "regular" here but has no size. */
		if (f->ops && f->ops->ioctl) {
			r = f->ops->ioctl(f, t, a[1], a[2]);
			if (r != -ENOTTY || !S_ISREG(f->inode->mode))
				break;
		}
		if (S_ISREG(f->inode->mode)) {
			/* A regular file: what is left to read from the offset. */
			v = (int)(f->inode->size - f->pos);
			r = mm_copy_out(t->mm, a[2], &v, sizeof(v));
			break;
		}
		/* fall through */
	default:
		r = f->ops && f->ops->ioctl ? f->ops->ioctl(f, t, a[1], a[2]) : -ENOTTY;
		if (r == -ENOTTY && f->ops && f->ops->sock && (!sock_ioctl_inet_only(a[1]) || sock_domain(t, f) == AF_INET))
			r = sock_dev_ioctl(t, a[1], a[2]); /* SIOCGIF*: on a socket of any family */
	}
	file_put(f);
	return r;
}

static long do_pipe2(struct task *t, gva_t ufds, int flags)
{
	struct file *files[2];
	int fds[2];
	long r;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	r = pipe_create(files, flags);
	if (r < 0)
		return r;
	fds[0] = fdt_install(t->files, files[0], 0, !!(flags & O_CLOEXEC), nofile(t));
	fds[1] = fds[0] < 0 ? -1 : fdt_install(t->files, files[1], 0, !!(flags & O_CLOEXEC), nofile(t));
	file_put(files[0]);
	file_put(files[1]);
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			fdt_close(t->files, fds[0]);
		return -EMFILE;
	}
	if (mm_copy_out(t->mm, ufds, fds, sizeof(fds)) < 0) {
		fdt_close(t->files, fds[0]);
		fdt_close(t->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL(pipe) { return do_pipe2(t, a[0], 0); }
SYSCALL(pipe2) { return do_pipe2(t, a[0], (int)a[1]); }

/* ---- creating and removing names (vfs/namei.c does the work) ---- */

static long do_mkdir(struct task *t, int dirfd, gva_t upath, uint32_t mode)
{
	char path[ABI_PATH_MAX];
	struct vfs_name nm;
	long r = get_path(t, upath, path);

	if (r < 0)
		return r;
	r = vfs_name_walk(t, dirfd, path, 0, &nm);
	if (r < 0)
		return r;
	r = vfs_mkdir(t, &nm, mode);
	vfs_name_put(&nm);
	return r;
}

SYSCALL(mkdir) { return do_mkdir(t, AT_FDCWD, a[0], (uint32_t)a[1]); }
SYSCALL(mkdirat) { return do_mkdir(t, (int)a[0], a[1], (uint32_t)a[2]); }

static long do_symlink(struct task *t, gva_t utarget, int dirfd, gva_t upath)
{
	char target[ABI_PATH_MAX], path[ABI_PATH_MAX];
	struct vfs_name nm;
	long r = get_path(t, utarget, target);

	if (r < 0)
		return r;
	if (!target[0])
		return -ENOENT;
	r = get_path(t, upath, path);
	if (r < 0)
		return r;
	r = vfs_name_walk(t, dirfd, path, 0, &nm);
	if (r < 0)
		return r;
	r = vfs_symlink(t, &nm, target);
	vfs_name_put(&nm);
	return r;
}

SYSCALL(symlink) { return do_symlink(t, a[0], AT_FDCWD, a[1]); }
SYSCALL(symlinkat) { return do_symlink(t, a[0], (int)a[1], a[2]); }

static long do_unlink(struct task *t, int dirfd, gva_t upath, int rmdir)
{
	char path[ABI_PATH_MAX];
	struct vfs_name nm;
	long r = get_path(t, upath, path);

	if (r < 0)
		return r;
	r = vfs_name_walk(t, dirfd, path, 0, &nm);
	if (r < 0)
		return r;
	r = rmdir ? vfs_rmdir(t, &nm) : vfs_unlink(t, &nm);
	vfs_name_put(&nm);
	return r;
}

SYSCALL(unlink) { return do_unlink(t, AT_FDCWD, a[0], 0); }
SYSCALL(rmdir) { return do_unlink(t, AT_FDCWD, a[0], 1); }

SYSCALL(unlinkat)
{
	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return do_unlink(t, (int)a[0], a[1], !!(a[2] & AT_REMOVEDIR));
}

/* ---- sizes and sync ---- */

static long truncate_inode(struct task *t, struct inode *ino, int64_t len)
{
	uint64_t end = (uint64_t)len;

	if (len < 0)
		return -EINVAL;
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if (!ino->iops || !ino->iops->truncate)
		return -EROFS;
	if (end > ino->size && rlimit_fsize(t, end, &end) < 0)
		return -EFBIG;
	return vfs_truncate(ino, (uint64_t)len);
}

SYSCALL(ftruncate)
{
	struct file *f = get_file(t, (int)a[0]);
	long r;

	if (!f)
		return -EBADF;
	r = (f->flags & O_PATH) ? -EBADF : !writable(f) ? -EINVAL : truncate_inode(t, f->inode, (int64_t)a[1]);
	file_put(f);
	return r;
}

SYSCALL(truncate)
{
	char path[ABI_PATH_MAX];
	struct path p;
	long r = get_path(t, a[0], path);

	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	if (S_ISDIR(p.d->inode->mode))
		r = -EISDIR;
	else if (p.mnt->flags & VFS_MNT_RDONLY)
		r = -EROFS;
	else if ((r = vfs_permission(t, p.d->inode, 2)) == 0 && p.d->inode->writecount < 0)
		r = -ETXTBSY;
	/* A truncation breaks leases as an open for writing does. */
	if (r == 0 && p.d->inode->locks)
		r = vfs_break_lease(t, p.d->inode, O_WRONLY);
	if (r == 0 && (r = overlay_copy_up(&p)) == 0)
		r = truncate_inode(t, p.d->inode, (int64_t)a[1]);
	path_put(&p);
	return r;
}

/*
 * Files of no file system's pages: pipes, sockets, character devices, and
 * the anonymous ones (eventfd, epoll, timerfd...), whose Linux file ops have
 * no fsync and no readahead (EINVAL).
 */
static int pageless(const struct file *f)
{
	const struct inode *ino = f->inode;

	return S_ISFIFO(ino->mode) || S_ISSOCK(ino->mode) || S_ISCHR(ino->mode) || inode_is_anon(ino);
}

static long do_fsync(struct task *t, int fd, int datasync)
{
	struct file *f = get_file(t, fd);
	long r = 0;

	if (!f)
		return -EBADF;
	if (f->ops && f->ops->fsync)
		r = f->ops->fsync(f, datasync);
	else if (pageless(f))
		r = -EINVAL;
	file_put(f);
	return r;
}

SYSCALL(fsync) { return do_fsync(t, (int)a[0], 0); }
SYSCALL(fdatasync) { return do_fsync(t, (int)a[0], 1); }

SYSCALL(fadvise64)
{
	struct file *f = get_file(t, (int)a[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	if (!f->ops || !f->ops->seekable)
		r = -ESPIPE;
	else if ((int)a[3] < 0 || (int)a[3] > 5 || (int64_t)a[2] < 0)
		r = -EINVAL;
	file_put(f);
	return r;
}

/* Nothing to read ahead (a memory file system's pages are there or holes): Linux's checks only. */
SYSCALL(readahead)
{
	struct file *f = get_file(t, (int)a[0]);
	long r = 0;

	if (!f)
		return -EBADF;
	if (!readable(f))
		r = -EBADF;
	else if (!S_ISREG(f->inode->mode) || pageless(f) || (int64_t)a[2] < 0)
		r = -EINVAL;
	file_put(f);
	return r;
}

SYSCALL(umask)
{
	uint32_t old = t->fs->umask;

	t->fs->umask = (uint32_t)a[0] & 0777;
	return old;
}

/* Each file system's own figures (vfs_statfs); the mount's read-only bit. */
static void fill_statfs(struct path *p, struct inode *ino, struct statfs *sf)
{
	struct vfs_statfs st;

	/* A file system with figures of its own (the gofer's host file system, written through). */
	if (ino->iops && ino->iops->statfs && ino->iops->statfs(ino, sf) == 0)
		return;
	vfs_statfs(p, ino, &st);
	memset(sf, 0, sizeof(*sf));
	sf->f_type = (long)st.magic;
	sf->f_bsize = 4096;
	sf->f_frsize = 4096;
	sf->f_namelen = ABI_NAME_MAX;
	sf->f_blocks = st.blocks;
	sf->f_bfree = st.bfree;
	sf->f_bavail = st.bavail;
	sf->f_files = st.files;
	sf->f_ffree = st.ffree;
	sf->f_fsid.__val[0] = (int)ino->sb->dev;
	sf->f_flags = 0x20 | 0x1000; /* ST_VALID, ST_RELATIME: Linux's default mount options */
	if ((p && p->mnt && (p->mnt->flags & VFS_MNT_RDONLY)) || (ino->sb && ino->sb->rdonly))
		sf->f_flags |= ST_RDONLY;
}

SYSCALL(statfs)
{
	char path[ABI_PATH_MAX];
	struct statfs sf;
	struct path p;
	long r = get_path(t, a[0], path);

	if (r < 0)
		return r;
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	fill_statfs(&p, p.d->inode, &sf);
	path_put(&p);
	return mm_copy_out(t->mm, a[1], &sf, sizeof(sf));
}

SYSCALL(fstatfs)
{
	struct file *f = get_file(t, (int)a[0]);
	struct statfs sf;

	if (!f)
		return -EBADF;
	fill_statfs(&f->path, f->inode, &sf);
	file_put(f);
	return mm_copy_out(t->mm, a[1], &sf, sizeof(sf));
}

/*
 * sendfile(2) in Linux's order of checks: the offset is read first
 * (EFAULT), then in_fd (EBADF, ESPIPE for an offset on an unseekable file,
 * EINVAL for a negative offset or count, or one that overflows), then
 * out_fd (EBADF).  Into a pipe, anything but another pipe may be read;
 * otherwise in_fd must be seekable (not a pipe or socket: Linux refuses
 * to drop data it cannot re-read) and out_fd not O_APPEND (EINVAL).
 */
SYSCALL(sendfile)
{
	struct file *out = NULL, *in = NULL;
	uint64_t count = a[3], done = 0, pos;
	int64_t off = 0;
	char buf[65536];
	long r = 0;

	if (a[2] && mm_copy_in(t->mm, &off, a[2], sizeof(off)) < 0)
		return -EFAULT;
	in = get_file(t, (int)a[1]);
	if (!in || !readable(in) || !in->ops || !in->ops->read) {
		r = -EBADF;
		goto out;
	}
	if (a[2] && !in->ops->seekable) {
		r = -ESPIPE;
		goto out;
	}
	pos = a[2] ? (uint64_t)off : in->pos;
	if ((int64_t)count < 0 || (int64_t)pos < 0 || (int64_t)(pos + count) < 0) {
		r = -EINVAL;
		goto out;
	}
	out = get_file(t, (int)a[0]);
	if (!out || !writable(out) || !out->ops || !out->ops->write) {
		r = -EBADF;
		goto out;
	}
	if (S_ISFIFO(out->inode->mode) ? S_ISFIFO(in->inode->mode) :
					 (out->flags & O_APPEND) || !in->ops->seekable) {
		r = -EINVAL;
		goto out;
	}
	if (count > MAX_RW)
		count = MAX_RW;
	while (done < count) {
		struct iovec iov = {buf, count - done < sizeof(buf) ? count - done : sizeof(buf)};
		uint64_t p2 = pos;
		long n = vfs_read_kernel(t, in, &iov, 1, &p2), w;

		if (n <= 0) {
			r = n;
			break;
		}
		iov.iov_len = (size_t)n;
		w = vfs_write_kernel(t, out, &iov, &out->pos);
		if (w <= 0) {
			r = w;
			break;
		}
		pos += (uint64_t)w;
		done += (uint64_t)w;
		if (w < n)
			break;
	}
	if (done)
		r = (long)done;
	if (a[2]) {
		off = (int64_t)pos;
		/* Linux too reports EFAULT even after a transfer, if the offset cannot be written back. */
		if (mm_copy_out(t->mm, a[2], &off, sizeof(off)) < 0)
			r = -EFAULT;
	} else {
		in->pos = pos;
	}
out:
	if (out)
		file_put(out);
	if (in)
		file_put(in);
	return r;
}
