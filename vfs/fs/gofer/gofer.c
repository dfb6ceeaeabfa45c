/*
 * The gofer file system client: the container's root, read-only, reached
 * through host file descriptors that the gofer process opens and passes
 * over its socket (protocol.h).  The sentry opens nothing itself: it reads
 * the fds it was given (pread, getdents, readlinkat with an empty path).
 * Regular files and directories come readable; anything else as an O_PATH
 * fd, for its attributes and, for a symlink, its target.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/mm/memfile.h"
#include "../../vfs.h"
#include "gofer.h"
#include "protocol.h"

struct gnode {
	int fd; /* readable for files and directories, O_PATH otherwise */
	/* The page cache: frame of each page of the file, MF_NONE when not read yet. */
	uint64_t *pages;
	size_t npages;
	struct gnode *cnext, *cprev; /* on the list of gnodes with cached pages */
};

/*
 * Every gnode with cached pages, and how many pages they hold.  Past the
 * budget, pages no mapping uses (one reference: the cache's) are let go.
 */
static struct gnode *cached;
static size_t ncached;
#define CACHE_READAHEAD 16

struct gdir {
	char *buf; /* a snapshot of the host entries, in getdents64 form */
	size_t len;
};

static const struct inode_ops gofer_iops;
static const struct file_ops gofer_file_fops, gofer_dir_fops;

static struct inode *make_inode(struct super *sb, int fd, const struct stat *st)
{
	struct inode *ino = inode_new(sb, st->st_mode);
	struct gnode *g = calloc(1, sizeof(*g));

	if (!ino || !g) {
		free(ino);
		free(g);
		return NULL;
	}
	g->fd = fd;
	ino->priv = g;
	ino->iops = &gofer_iops;
	ino->fops = S_ISDIR(st->st_mode) ? &gofer_dir_fops : S_ISREG(st->st_mode) ? &gofer_file_fops : NULL;
	ino->ino = st->st_ino;
	ino->uid = st->st_uid;
	ino->gid = st->st_gid;
	ino->nlink = st->st_nlink;
	ino->size = (uint64_t)st->st_size;
	ino->blocks = (uint64_t)st->st_blocks;
	ino->rdev = st->st_rdev;
	ino->atime = (struct abi_timespec){st->st_atim.tv_sec, st->st_atim.tv_nsec};
	ino->mtime = (struct abi_timespec){st->st_mtim.tv_sec, st->st_mtim.tv_nsec};
	ino->ctime = (struct abi_timespec){st->st_ctim.tv_sec, st->st_ctim.tv_nsec};
	return ino;
}

static int gofer_sock = -1;

/* Asks the gofer for one component below dirfd: the fd it opened, or -errno. */
static long gofer_walk_one(int dirfd, const char *name, struct stat *st)
{
	struct gofer_req req = {.op = GOFER_WALK};
	struct gofer_rep rep;
	size_t n = strlen(name);
	int fd;
	long r;

	if (!n || n >= sizeof(req.name) || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return -EINVAL;
	memcpy(req.name, name, n + 1);
	r = host_gofer_call(gofer_sock, &req, sizeof(req), dirfd, &rep, sizeof(rep), &fd);
	if (r < 0)
		return -EIO;
	if (rep.err < 0) {
		if (fd >= 0)
			host_close(fd);
		return rep.err;
	}
	if (fd < 0)
		return -EIO;
	*st = rep.st;
	return fd;
}

static long gofer_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct gnode *g = dir->priv;
	struct stat st;
	long fd = gofer_walk_one(g->fd, name, &st);

	if (fd < 0)
		return fd == -ELOOP ? -ENOENT : fd;
	*out = make_inode(dir->sb, (int)fd, &st);
	if (!*out) {
		host_close((int)fd);
		return -ENOMEM;
	}
	return 0;
}

static long gofer_readlink(struct inode *ino, char *buf, size_t len)
{
	struct gnode *g = ino->priv;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	return host_readlinkat(g->fd, "", buf, len);
}

static long gofer_open(struct inode *ino, struct file *f, int flags)
{
	struct gnode *g = ino->priv;
	int fl;

	(void)flags;
	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		return -EACCES; /* host devices, fifos and sockets are never opened */
	fl = (int)host_fcntl(g->fd, F_GETFL, 0);
	if (fl < 0 || (fl & O_PATH))
		return -EACCES;
	return 0;
}

static long gofer_fill(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	struct gnode *g = ino->priv;
	struct iovec iov = {buf, len};
	long r;

	while (iov.iov_len) {
		r = host_preadv(g->fd, &iov, 1, (off_t)off);
		if (r < 0)
			return r;
		if (r == 0)
			break; /* past the end: the rest stays zero */
		iov.iov_base = (char *)iov.iov_base + r;
		iov.iov_len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* Drops the cache's pages that nobody maps, all of them when all is set. */
static void cache_trim(struct gnode *g, int all)
{
	size_t i, left = 0;

	for (i = 0; i < g->npages; i++) {
		if (g->pages[i] == MF_NONE)
			continue;
		if (all || mf_refs(g->pages[i]) == 1) {
			mf_put(g->pages[i]);
			g->pages[i] = MF_NONE;
			ncached--;
		} else {
			left++;
		}
	}
	if (left)
		return;
	free(g->pages);
	g->pages = NULL;
	g->npages = 0;
	if (g->cprev)
		g->cprev->cnext = g->cnext;
	else if (cached == g)
		cached = g->cnext;
	if (g->cnext)
		g->cnext->cprev = g->cprev;
	g->cnext = g->cprev = NULL;
}

/* An eighth of the sandbox's memory for cached pages no mapping holds. */
static void cache_reclaim(void)
{
	struct gnode *g, *next;

	if (ncached <= mf.nframes / 8)
		return;
	for (g = cached; g && ncached > mf.nframes / 16; g = next) {
		next = g->cnext;
		cache_trim(g, 0);
	}
}

/*
 * The frame holding the page at off, read ahead with the pages after it in
 * one host read; a reference for the caller.  The image is read-only, so
 * cached pages never go stale.
 */
static long gofer_getpage(struct inode *ino, uint64_t off, uint64_t *frame)
{
	struct gnode *g = ino->priv;
	size_t idx = (size_t)(off / 4096), want = (size_t)((ino->size + 4095) / 4096), n, i;
	uint64_t run;
	long r;

	if (!S_ISREG(ino->mode) || idx >= want)
		return -EIO;
	if (g->npages < want) {
		uint64_t *p = realloc(g->pages, want * sizeof(*p));

		if (!p)
			return -ENOMEM;
		for (i = g->npages; i < want; i++)
			p[i] = MF_NONE;
		if (!g->pages) {
			g->cnext = cached;
			g->cprev = NULL;
			if (cached)
				cached->cprev = g;
			cached = g;
		}
		g->pages = p;
		g->npages = want;
	}
	if (g->pages[idx] == MF_NONE) {
		cache_reclaim();
		for (n = 1; n < CACHE_READAHEAD && idx + n < want && g->pages[idx + n] == MF_NONE; n++)
			;
		run = mf_alloc(n);
		if (run == MF_NONE) {
			n = 1;
			run = mf_alloc(1);
			if (run == MF_NONE)
				return -ENOMEM;
		}
		r = gofer_fill(ino, (uint64_t)idx * 4096, mf_ptr(run), n * 4096);
		if (r < 0) {
			for (i = 0; i < n; i++)
				mf_put(run + i * 4096);
			return r;
		}
		for (i = 0; i < n; i++)
			g->pages[idx + i] = run + i * 4096;
		ncached += n;
	}
	*frame = g->pages[idx];
	mf_get(*frame);
	return 0;
}

/* The image file's own extended attributes, in the namespaces the sandbox keeps. */
static long gofer_read_xattrs(struct inode *ino, int (*add)(void *, const char *, const void *, size_t), void *ctx)
{
	struct gnode *g = ino->priv;
	char names[4096], *n;
	static char value[65536];
	long len, r;

	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		return 0; /* O_PATH fds have none to give */
	len = host_flistxattr(g->fd, names, sizeof(names));
	if (len <= 0)
		return len == -ENOTSUP || len == -ERANGE ? 0 : len;
	for (n = names; n < names + len; n += strlen(n) + 1) {
		if (strncmp(n, "user.", 5) && strncmp(n, "trusted.", 8) && strncmp(n, "security.", 9))
			continue;
		r = host_fgetxattr(g->fd, n, value, sizeof(value));
		if (r >= 0 && add(ctx, n, value, (size_t)r))
			break;
	}
	return 0;
}

static void gofer_release(struct inode *ino)
{
	struct gnode *g = ino->priv;

	if (g) {
		if (g->pages)
			cache_trim(g, 1);
		host_close(g->fd);
		free(g);
	}
}

static long file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct gnode *g = f->inode->priv;
	long r = host_preadv(g->fd, iov, cnt, (off_t)*pos);

	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	(void)f;
	(void)iov;
	(void)cnt;
	(void)pos;
	return -EBADF; /* read-only root: never opened for writing */
}

/*
 * Reads the host directory once per open, so each open file has its own
 * position.  The inode's fd is shared, but all of this runs under the
 * sentry lock, so rewinding it is safe.
 */
static long dir_snapshot(struct file *f, struct gdir **out)
{
	struct gnode *g = f->inode->priv;
	struct gdir *d;
	long fd = g->fd, r;
	size_t cap = 16384;

	if (f->priv) {
		*out = f->priv;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	r = host_lseek((int)fd, 0, SEEK_SET);
	if (r < 0) {
		free(d);
		return r;
	}
	d->buf = malloc(cap);
	for (;;) {
		if (!d->buf) {
			r = -ENOMEM;
			break;
		}
		if (cap - d->len < 4096) {
			char *nb = realloc(d->buf, cap * 2);

			if (!nb) {
				r = -ENOMEM;
				break;
			}
			d->buf = nb;
			cap *= 2;
		}
		r = host_getdents64((int)fd, d->buf + d->len, cap - d->len);
		if (r <= 0)
			break;
		d->len += (size_t)r;
	}
	if (r < 0) {
		free(d->buf);
		free(d);
		return r;
	}
	f->priv = d;
	*out = d;
	return 0;
}

static long dir_iterate(struct file *f, dir_emit_fn emit, void *ctx)
{
	struct gdir *d;
	long r = dir_snapshot(f, &d);
	size_t off;
	uint64_t i;

	if (r < 0)
		return r;
	/* f->pos counts entries, so lseek(fd, 0, SEEK_SET) rewinds. */
	for (off = 0, i = 0; off < d->len; i++) {
		struct dirent64 *e = (struct dirent64 *)(d->buf + off);

		off += e->d_reclen;
		if (i < f->pos)
			continue;
		if (emit(ctx, e->d_name, strlen(e->d_name), e->d_ino, e->d_type))
			break;
		f->pos = i + 1;
	}
	return 0;
}

static void dir_release(struct file *f)
{
	struct gdir *d = f->priv;

	if (d) {
		free(d->buf);
		free(d);
	}
}

static const struct inode_ops gofer_iops = {
	.lookup = gofer_lookup,
	.readlink = gofer_readlink,
	.open = gofer_open,
	.fill = gofer_fill,
	.getpage = gofer_getpage,
	.read_xattrs = gofer_read_xattrs,
	.share_private = 1,
	.release = gofer_release,
};

static const struct file_ops gofer_file_fops = {
	.read = file_read,
	.write = file_write,
	.seekable = 1,
};

static const struct file_ops gofer_dir_fops = {
	.iterate = dir_iterate,
	.release = dir_release,
	.seekable = 1,
};

struct inode *gofer_mount(int sock, struct super **sbp, long *err)
{
	struct gofer_req req = {.op = GOFER_ROOT};
	struct super *sb = super_new("gofer", 1);
	struct gofer_rep rep;
	int fd;

	*err = -ENOMEM;
	if (!sb)
		return NULL;
	gofer_sock = sock;
	*err = host_gofer_call(sock, &req, sizeof(req), -1, &rep, sizeof(rep), &fd);
	if (*err == 0 && rep.err < 0)
		*err = rep.err;
	if (*err == 0 && (fd < 0 || !S_ISDIR(rep.st.st_mode)))
		*err = -ENOTDIR;
	if (*err < 0)
		return NULL;
	*sbp = sb;
	return make_inode(sb, fd, &rep.st);
}
