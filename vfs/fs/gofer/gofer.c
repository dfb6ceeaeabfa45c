/*
 * The gofer file system client: the container's root, reached through host
 * file descriptors that the gofer process opens and passes over its socket
 * (protocol.h).  The sentry opens nothing itself: it reads (and, with
 * --overlay=none, writes) the fds it was given (preadv, pwritev, getdents,
 * readlinkat with an empty path), and asks the gofer for everything that
 * names a file: walks, creation, removal, renames, links, attribute
 * changes.  Regular files and directories come readable (regular files
 * read-write once opened for writing); anything else as an O_PATH fd, for
 * its attributes and, for a symlink, its target.
 *
 * Host fds are bounded.  Every inode remembers its parent and its name, so
 * the fd of an idle inode can be closed and opened again later by walking
 * that name from the parent; at most max_fds fds of idle inodes of a mount stay
 * open, the least recently used closed first.  Not idle, so never closed:
 * the root, regular files the application has open, and inodes whose name
 * is gone while something still holds them (removed or replaced while open
 * or mapped: walking again would find another file or nothing).  A re-open
 * must find the same host file (device and inode number), or fails with
 * ESTALE as NFS does.
 *
 * Writable (--overlay=none) or not, attributes live in the sentry's inode:
 * with the overlay above, a read-only gofer inode takes chmod and friends
 * in memory only; writable, each change is made by the gofer first and the
 * inode then takes the host's answer.
 *
 * Locking: everything here runs under the sentry lock (one gofer request
 * in flight at a time, and no fd closed while another thread uses it).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "../../../sentry/host/host.h"
#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../fpages.h"
#include "../../vfs.h"
#include "gofer.h"
#include "protocol.h"

struct gnode {
	struct inode *ino;     /* the inode this is the private part of */
	int fd;                /* -1 while closed to keep host fds few (gnode_fd opens it again) */
	int rw;                /* the fd is, or opens again, read-write (a regular file opened for writing) */
	struct inode *parent;  /* reference; NULL for the root */
	char *name;            /* the name in parent that opening again walks */
	uint64_t hdev, hino;   /* the host file: opening again must find the same */
	unsigned users;        /* open files of it: the fd stays */
	int pinned;            /* the name is gone while the inode is held: the fd stays */
	int idle;              /* on the idle list (fd open, nothing keeps it) */
	struct gnode *lnext, *lprev; /* the idle list, most recently used first */
	/* The page cache: frame of each page of the file, MF_NONE when not read yet; no root when empty. */
	struct fpages pages;
	struct gnode *cnext, *cprev; /* on the list of gnodes with cached pages */
	int shared_write;      /* a writable MAP_SHARED mapping was made: cached pages may be newer than the host's */
};

/*
 * Every gnode with cached pages, and how many pages they hold.  Past the
 * budget, pages no mapping uses (one reference: the cache's) are let go.
 * One cache for all gofer mounts, as Linux's page cache: its budget is a
 * share of the sandbox's one memory file, not of a mount.
 */
static struct gnode *cached;
static size_t ncached;
#define CACHE_READAHEAD 16

/*
 * One gofer mount (sb->priv): its gofer's socket, and the host fds it
 * holds, with the idle ones that may be closed (see the top).  Any number
 * of gofer mounts coexist, each bounded on its own.
 */
struct gofer_fs {
	int sock;
	size_t nfds, max_fds;
	struct gnode *idle_head, *idle_tail;
};

static struct gofer_fs *gfs(struct gnode *g)
{
	return g->ino->sb->priv;
}

struct gdir {
	char *buf; /* a snapshot of the host entries, in getdents64 form */
	size_t len;
};

static const struct inode_ops gofer_iops;
static const struct file_ops gofer_file_fops, gofer_dir_fops;

/* ---- host fds: the idle list ---- */

static void idle_remove(struct gnode *g)
{
	struct gofer_fs *fs = gfs(g);

	if (!g->idle)
		return;
	if (g->lprev)
		g->lprev->lnext = g->lnext;
	else
		fs->idle_head = g->lnext;
	if (g->lnext)
		g->lnext->lprev = g->lprev;
	else
		fs->idle_tail = g->lprev;
	g->lnext = g->lprev = NULL;
	g->idle = 0;
}

static void idle_push(struct gnode *g)
{
	struct gofer_fs *fs = gfs(g);

	g->lprev = NULL;
	g->lnext = fs->idle_head;
	if (fs->idle_head)
		fs->idle_head->lprev = g;
	else
		fs->idle_tail = g;
	fs->idle_head = g;
	g->idle = 1;
}

/* Puts g on the idle list or takes it off, as its state says; most recent first. */
static void idle_update(struct gnode *g)
{
	idle_remove(g);
	if (g->fd >= 0 && g->parent && !g->users && !g->pinned)
		idle_push(g);
}

static void close_fd(struct gnode *g)
{
	if (g->fd < 0)
		return;
	idle_remove(g);
	host_close(g->fd);
	g->fd = -1;
	gfs(g)->nfds--;
}

/* Closes the least recently used idle fds of fs while over its bound; keep's stays. */
static void fds_trim(struct gofer_fs *fs, struct gnode *keep)
{
	while (fs->nfds > fs->max_fds && fs->idle_tail && fs->idle_tail != keep)
		close_fd(fs->idle_tail);
}

static void set_fd(struct gnode *g, int fd)
{
	g->fd = fd;
	gfs(g)->nfds++;
	idle_update(g);
	fds_trim(gfs(g), g);
}

/* ---- requests ---- */

/*
 * The reply's error as the sentry may pass it on: 0, or an errno the host
 * could have given.  Anything else (a positive value, a kernel-internal
 * restart code such as -ERESTARTSYS, garbage) comes from a broken gofer
 * and is -EIO: it must never reach the application or the restart logic.
 */
static long reply_err(int32_t err)
{
	return err == 0 || (err < 0 && err > -512) ? err : -EIO;
}

/* A request to the gofer of fs, with up to two fds (-1: none); the fd it answers with in *outfd. */
static long call(struct gofer_fs *fs, struct gofer_req *req, int fd, int fd2, struct gofer_rep *rep, int *outfd)
{
	int dummy;
	long r = host_gofer_call(fs->sock, req, sizeof(*req), fd, fd2, rep, sizeof(*rep), outfd ? outfd : &dummy);

	if (!outfd && dummy >= 0)
		host_close(dummy);
	/* The sentry holds as many host fds as it may: the sandbox's file table is full. */
	if (r == -EMFILE)
		return -ENFILE;
	if (r < 0)
		return -EIO;
	r = reply_err(rep->err);
	if (r < 0 && outfd && *outfd >= 0) {
		host_close(*outfd);
		*outfd = -1;
	}
	return r;
}

static int bad_name(const char *name, size_t cap)
{
	size_t n = strlen(name);

	return !n || n >= cap || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".");
}

/* Asks the gofer for one component below dirfd: the fd it opened, or -errno. */
static long gofer_walk_one(struct gofer_fs *fs, int dirfd, const char *name, int rdwr, struct stat *st)
{
	struct gofer_req req = {.op = GOFER_WALK, .flags = rdwr ? GOFER_RDWR : 0};
	struct gofer_rep rep;
	int fd;
	long r;

	if (bad_name(name, sizeof(req.name)))
		return -EINVAL;
	strcpy(req.name, name);
	r = call(fs, &req, dirfd, -1, &rep, &fd);
	if (r < 0)
		return r;
	if (fd < 0)
		return -EIO;
	*st = rep.st;
	return fd;
}

/*
 * The host fd of g, opened again if it was closed: each closed ancestor is
 * walked again from the nearest open one (a loop, not a recursion: paths
 * can be thousands of levels deep).  -ESTALE when a name no longer leads to
 * the file it led to.
 */
static long gnode_fd(struct gnode *g)
{
	struct gnode *a, *top;
	struct stat st;
	long fd;

	if (g->fd >= 0) {
		if (g->idle) {
			idle_remove(g);
			idle_push(g);
		}
		return g->fd;
	}
	for (;;) {
		/* The closed ancestor nearest to an open one. */
		for (top = g, a = g; a && a->fd < 0; a = a->parent ? a->parent->priv : NULL)
			top = a;
		if (!a || top->pinned)
			return -ESTALE; /* cannot happen: the root and pinned gnodes keep their fds */
		/* Kept open while the child is walked: the walk may close idle fds. */
		a->users++;
		idle_update(a);
		fd = gofer_walk_one(gfs(g), a->fd, top->name, top->rw, &st);
		a->users--;
		idle_update(a);
		if (fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP)
			return -ESTALE;
		if (fd < 0)
			return fd;
		if ((uint64_t)st.st_dev != top->hdev || (uint64_t)st.st_ino != top->hino) {
			host_close((int)fd);
			return -ESTALE; /* the name was given to another file behind the sandbox's back */
		}
		set_fd(top, (int)fd);
		if (top == g)
			return fd;
	}
}

/* A request about ino itself, sent with its own host fd (opened again if it was closed). */
static long call_on(struct inode *ino, struct gofer_req *req, struct gofer_rep *rep)
{
	long fd = gnode_fd(ino->priv);

	return fd < 0 ? fd : call(ino->sb->priv, req, (int)fd, -1, rep, NULL);
}

/* The fds of two gnodes at once (rename, link): the second's opening must not close the first's. */
static long gnode_fd2(struct gnode *a, struct gnode *b, int *fa, int *fb)
{
	long r = gnode_fd(a);

	if (r < 0)
		return r;
	*fa = (int)r;
	a->users++;
	idle_update(a);
	r = gnode_fd(b);
	a->users--;
	idle_update(a);
	if (r < 0)
		return r;
	*fb = (int)r;
	return 0;
}

/* ---- inodes ---- */

/*
 * The gofer's figures for ino, but not its type: an inode's type is fixed
 * when it is made (its ops were chosen by it), and a reply that said
 * otherwise would have a directory's file ops run on a regular file's state.
 */
static void take_stat(struct inode *ino, const struct stat *st)
{
	ino->mode = (ino->mode & S_IFMT) | (st->st_mode & ~S_IFMT);
	ino->uid = st->st_uid;
	ino->gid = st->st_gid;
	ino->nlink = st->st_nlink;
	ino->size = (uint64_t)st->st_size;
	ino->blocks = (uint64_t)st->st_blocks;
	ino->rdev = st->st_rdev;
	ino->atime = (struct abi_timespec){st->st_atim.tv_sec, st->st_atim.tv_nsec};
	ino->mtime = (struct abi_timespec){st->st_mtim.tv_sec, st->st_mtim.tv_nsec};
	ino->ctime = (struct abi_timespec){st->st_ctim.tv_sec, st->st_ctim.tv_nsec};
}

/* Gives g the name name in dir (a reference on dir), dropping its old one. */
static int set_name(struct gnode *g, struct inode *dir, const char *name)
{
	char *n = strdup(name);

	if (!n)
		return -ENOMEM;
	inode_get(dir);
	if (g->parent)
		inode_put(g->parent);
	free(g->name);
	g->parent = dir;
	g->name = n;
	return 0;
}

/* A new inode for the host file at fd, named name in dir (NULL for the root); takes the fd. */
static struct inode *make_inode(struct super *sb, int fd, const struct stat *st, struct inode *dir, const char *name,
				int rw)
{
	struct inode *ino = inode_new(sb, st->st_mode);
	struct gnode *g = calloc(1, sizeof(*g));

	if (!ino || !g || (dir && set_name(g, dir, name) < 0)) {
		free(ino);
		free(g);
		host_close(fd);
		return NULL;
	}
	g->ino = ino;
	g->fd = -1;
	g->rw = rw && S_ISREG(st->st_mode);
	g->hdev = (uint64_t)st->st_dev;
	g->hino = (uint64_t)st->st_ino;
	ino->priv = g;
	ino->iops = &gofer_iops;
	ino->fops = S_ISDIR(st->st_mode) ? &gofer_dir_fops : S_ISREG(st->st_mode) ? &gofer_file_fops : NULL;
	ino->ino = st->st_ino;
	take_stat(ino, st);
	set_fd(g, fd);
	return ino;
}

static int writable(struct inode *ino)
{
	return !ino->sb->rdonly;
}

static long gofer_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct stat st;
	long fd = gnode_fd(dir->priv);

	if (fd >= 0)
		fd = gofer_walk_one(dir->sb->priv, (int)fd, name, 0, &st);
	if (fd < 0)
		return fd == -ELOOP ? -ENOENT : fd;
	*out = make_inode(dir->sb, (int)fd, &st, dir, name, 0);
	return *out ? 0 : -ENOMEM;
}

static long gofer_readlink(struct inode *ino, char *buf, size_t len)
{
	long fd;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	fd = gnode_fd(ino->priv);
	return fd < 0 ? fd : host_readlinkat((int)fd, "", buf, len);
}

/* A regular file's fd becomes read-write (its first open for writing). */
static long make_rw(struct gnode *g)
{
	struct stat st;
	long pfd, fd;

	if (g->rw)
		return 0;
	if (g->fd < 0) {
		g->rw = 1; /* opened read-write when next needed */
		return 0;
	}
	if (!g->parent || g->pinned)
		return -EACCES; /* no name left to open it by */
	pfd = gnode_fd(g->parent->priv);
	if (pfd < 0)
		return pfd;
	fd = gofer_walk_one(gfs(g), (int)pfd, g->name, 1, &st);
	if (fd < 0)
		return fd == -ENOENT ? -ESTALE : fd;
	if ((uint64_t)st.st_dev != g->hdev || (uint64_t)st.st_ino != g->hino) {
		host_close((int)fd);
		return -ESTALE;
	}
	close_fd(g);
	g->rw = 1;
	set_fd(g, (int)fd);
	return 0;
}

static long gofer_open(struct inode *ino, struct file *f, int flags)
{
	struct gnode *g = ino->priv;
	long fd, fl, r;

	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		return -EACCES; /* host devices, fifos and sockets are never opened */
	if (S_ISDIR(ino->mode) && ino->nlink == 0)
		return 0; /* removed: it lists nothing, and needs no fd for that */
	if (S_ISREG(ino->mode) && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))) {
		if (!writable(ino))
			return -EROFS;
		r = make_rw(g);
		if (r < 0)
			return r;
	}
	fd = gnode_fd(g);
	if (fd < 0)
		return fd;
	fl = host_fcntl((int)fd, F_GETFL, 0);
	if (fl < 0 || (fl & O_PATH))
		return -EACCES;
	if (S_ISREG(ino->mode)) {
		/* Open, its fd stays: another file may take its name meanwhile. */
		g->users++;
		idle_update(g);
		f->priv = g;
	}
	return 0;
}

static long gofer_fill(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	struct iovec iov = {buf, len};
	long r, fd = gnode_fd(ino->priv);

	if (fd < 0)
		return fd;
	while (iov.iov_len) {
		r = host_preadv((int)fd, &iov, 1, (off_t)off);
		if (r < 0)
			return r;
		if (r == 0) {
			memset(iov.iov_base, 0, iov.iov_len); /* past the end: zeros */
			break;
		}
		iov.iov_base = (char *)iov.iov_base + r;
		iov.iov_len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

/* ---- the page cache ---- */

/*
 * Writes the cached pages of a file that a writable shared mapping may
 * have changed back to the host file, in runs of consecutive pages.  The
 * platform keeps no dirty bits, so every cached page inside the file goes
 * (Linux writes only the dirty ones).  Before anything reads, writes or
 * truncates the host file, on fsync and msync, before pages leave the
 * cache, and at the sandbox's end (gofer_writeback_all).  0 or -errno.
 */
static long cache_writeback(struct inode *ino)
{
	struct gnode *g = ino->priv;
	uint64_t i = 0, end = (ino->size + 4095) / 4096, fr;
	long fd, r = 0;

	if (!g || !g->shared_write || !g->pages.root)
		return 0;
	if ((r = make_rw(g)) < 0 || (fd = gnode_fd(g)) < 0)
		return r < 0 ? r : fd;
	while (i < end && r >= 0) {
		struct iovec iov[64];
		uint64_t first;
		int n = 0;

		i = fpages_next(&g->pages, i, end, 1);
		first = i;
		for (; i < end && (fr = fpages_get(&g->pages, i)) != MF_NONE && n < 64; i++, n++) {
			iov[n].iov_base = mf_ptr(fr);
			iov[n].iov_len = 4096;
		}
		if (!n)
			break;
		if (i == end && ino->size % 4096) /* the last page: only what is inside the file */
			iov[n - 1].iov_len = ino->size % 4096;
		r = host_pwritev((int)fd, iov, n, (off_t)first * 4096);
	}
	return r < 0 ? r : 0;
}

void gofer_writeback_all(void)
{
	struct gnode *g;

	for (g = cached; g; g = g->cnext)
		cache_writeback(g->ino);
}

struct trim {
	int all;
	size_t left;
};

static int trim_page(uint64_t i, uint64_t *slot, void *ctx)
{
	struct trim *tr = ctx;

	(void)i;
	if (tr->all || mf_refs(*slot) == 1) {
		mf_put(*slot);
		*slot = MF_NONE;
		ncached--;
	} else {
		tr->left++;
	}
	return 0;
}

/* Drops the cache's pages that nobody maps, all of them when all is set. */
static void cache_trim(struct gnode *g, int all)
{
	struct trim tr = {all, 0};

	cache_writeback(g->ino);
	fpages_each(&g->pages, 0, trim_page, &tr);
	if (tr.left)
		return;
	fpages_free(&g->pages);
	if (g->cprev)
		g->cprev->cnext = g->cnext;
	else if (cached == g)
		cached = g->cnext;
	if (g->cnext)
		g->cnext->cprev = g->cprev;
	g->cnext = g->cprev = NULL;
}

void gofer_cache_drop_unmapped(void)
{
	struct gnode *g, *next;

	for (g = cached; g; g = next) {
		next = g->cnext;
		cache_trim(g, 0);
	}
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
 * After a write or a truncate through the sentry: the cached pages of
 * [off, end) are read again in place, so mappings sharing them (private
 * ones not yet written, read-only shared ones) see the file as it is now,
 * as Linux's do; pages past a new end leave the cache.
 */
struct refresh {
	struct inode *ino;
	uint64_t end, keep;
};

static int refresh_page(uint64_t i, uint64_t *slot, void *ctx)
{
	struct refresh *rf = ctx;

	if (i * 4096 >= rf->end)
		return 1;
	if (i >= rf->keep) {
		mf_put(*slot);
		*slot = MF_NONE;
		ncached--;
	} else if (gofer_fill(rf->ino, i * 4096, mf_ptr(*slot), 4096) < 0) {
		memset(mf_ptr(*slot), 0, 4096);
	}
	return 0;
}

static void cache_refresh(struct inode *ino, uint64_t off, uint64_t end)
{
	struct gnode *g = ino->priv;
	struct refresh rf = {ino, end, (ino->size + 4095) / 4096};

	fpages_each(&g->pages, off / 4096, refresh_page, &rf);
}

/*
 * The frame holding the page at off, read ahead with the pages after it in
 * one host read; a reference for the caller.  Writes through the sentry
 * refresh the cache (cache_refresh); the image does not change under it.
 */
/*
 * A read-only mount's regular file, readable on the host: the platform may
 * map it from the host's page cache.  A writable mount's files change
 * through the sentry's own page cache, which the host's would not show.
 */
static int gofer_host_map_fd(struct inode *ino)
{
	long fd, fl;

	if (!S_ISREG(ino->mode) || writable(ino))
		return -1;
	fd = gnode_fd(ino->priv);
	if (fd < 0)
		return -1;
	fl = host_fcntl((int)fd, F_GETFL, 0);
	return fl < 0 || (fl & O_PATH) || (fl & O_ACCMODE) == O_WRONLY ? -1 : (int)fd;
}

static long gofer_getpage(struct inode *ino, uint64_t off, uint64_t *frame)
{
	struct gnode *g = ino->priv;
	uint64_t idx = off / 4096, want = (ino->size + 4095) / 4096, run, n, i, fr;
	uint64_t *slots[CACHE_READAHEAD];
	long r;

	if (!S_ISREG(ino->mode) || idx >= want)
		return -EIO;
	fr = fpages_get(&g->pages, idx);
	if (fr == MF_NONE) {
		/*
		 * Before g's pages are used below: trimming may free them (g's
		 * other pages unmapped).  Nothing below trims, so the slots taken
		 * next stay g's until they are filled.
		 */
		cache_reclaim();
		for (n = 1; n < CACHE_READAHEAD && idx + n < want && fpages_get(&g->pages, idx + n) == MF_NONE; n++)
			;
		/*
		 * The slots first (a sparse tree: a page far into a large file
		 * costs a path, not the file's size), the last one before the
		 * others: a small file's leaf grows then, before a slot of it is held.
		 */
		if (n > 1 && !fpages_slot(&g->pages, idx + n - 1))
			n = 1;
		for (i = 0; i < n; i++)
			if (!(slots[i] = fpages_slot(&g->pages, idx + i))) {
				if (!i)
					return -ENOMEM;
				n = i;
			}
		if (!g->cnext && !g->cprev && cached != g) {
			g->cnext = cached;
			g->cprev = NULL;
			if (cached)
				cached->cprev = g;
			cached = g;
		}
		run = mf_alloc(n);
		if (run == MF_NONE) {
			n = 1;
			run = mf_alloc(1);
			if (run == MF_NONE)
				return -ENOMEM;
		}
		r = gnode_fd(g);
		if (r >= 0)
			r = mf_fill(run, (int)r, (uint64_t)idx * 4096, n * 4096);
		if (r < 0) {
			for (i = 0; i < n; i++)
				mf_put(run + i * 4096);
			return r;
		}
		for (i = 0; i < n; i++)
			*slots[i] = run + i * 4096;
		ncached += n;
		fr = run;
	}
	*frame = fr;
	mf_get(fr);
	return 0;
}

/*
 * A shared mapping that may write: the cache's pages are the mapping's, and
 * are written back from now on.  The image itself (under the overlay) is
 * never written: ENODEV, as for a file system that cannot write pages back.
 */
static long gofer_map_shared_write(struct inode *ino)
{
	struct gnode *g = ino->priv;

	if (!writable(ino))
		return -ENODEV;
	g->shared_write = 1;
	return 0;
}

/*
 * A user.* attribute of a file the sentry's unprivileged host uid may not
 * read, which the gofer can (protocol.h): its size in value, or -errno.
 */
static long gofer_get_xattr(struct inode *ino, int fd, const char *name, char *value)
{
	static struct {
		struct gofer_rep rep;
		char value[GOFER_XATTR_MAX];
	} out;
	struct gofer_req req = {.op = GOFER_GETXATTR};
	int dummy = -1;
	long r;

	if (strlen(name) >= sizeof(req.name))
		return -ERANGE;
	strcpy(req.name, name);
	r = host_gofer_call(((struct gofer_fs *)ino->sb->priv)->sock, &req, sizeof(req), fd, -1, &out, sizeof(out), &dummy);
	if (dummy >= 0)
		host_close(dummy);
	if (r < 0)
		return -EIO;
	if (out.rep.err > 0)
		memcpy(value, out.value, (size_t)out.rep.err < sizeof(out.value) ? (size_t)out.rep.err : sizeof(out.value));
	return out.rep.err;
}

/* The image file's own extended attributes, in the namespaces the sandbox keeps. */
static long gofer_read_xattrs(struct inode *ino, int (*add)(void *, const char *, const void *, size_t), void *ctx)
{
	char names[4096], *n;
	static char value[65536];
	long len, r, fd;

	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		return 0; /* O_PATH fds have none to give */
	fd = gnode_fd(ino->priv);
	if (fd < 0)
		return 0;
	len = host_flistxattr((int)fd, names, sizeof(names));
	if (len <= 0)
		return len == -ENOTSUP || len == -ERANGE ? 0 : len;
	for (n = names; n < names + len; n += strlen(n) + 1) {
		if (strncmp(n, "user.", 5) && strncmp(n, "trusted.", 8) && strncmp(n, "security.", 9))
			continue;
		r = host_fgetxattr((int)fd, n, value, sizeof(value));
		if (r == -EACCES && !strncmp(n, "user.", 5))
			r = gofer_get_xattr(ino, (int)fd, n, value);
		if (r >= 0 && add(ctx, n, value, (size_t)r))
			break;
	}
	return 0;
}

static void gofer_release(struct inode *ino)
{
	struct gnode *g = ino->priv;

	if (g) {
		if (g->pages.root)
			cache_trim(g, 1);
		close_fd(g);
		if (g->parent)
			inode_put(g->parent);
		free(g->name);
		free(g);
	}
}

/* ---- changes (--overlay=none): the gofer first, then the inode takes the host's answer ---- */

static long gofer_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev, const char *target,
			struct inode **out)
{
	struct gofer_req req = {.op = GOFER_CREATE, .mode = mode};
	struct gofer_rep rep;
	struct task *t = task_current;
	int fd;
	long r;

	(void)rdev;
	if (!writable(dir))
		return -EROFS;
	if (!name[0])
		return -EOPNOTSUPP; /* O_TMPFILE: not through the gofer */
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return -EPERM;
	if (bad_name(name, sizeof(req.name)))
		return -EINVAL;
	if (S_ISLNK(mode) && (!target || strlen(target) >= sizeof(req.name2)))
		return -ENAMETOOLONG;
	strcpy(req.name, name);
	if (S_ISLNK(mode))
		strcpy(req.name2, target);
	req.uid = t ? t->cred.fsuid : 0;
	req.gid = t ? t->cred.fsgid : 0;
	r = gnode_fd(dir->priv);
	if (r >= 0)
		r = call(dir->sb->priv, &req, (int)r, -1, &rep, &fd);
	if (r < 0)
		return r;
	if (fd < 0)
		return -EIO;
	take_stat(dir, &rep.st2);
	*out = make_inode(dir->sb, fd, &rep.st, dir, name, 1);
	return *out ? 0 : -ENOMEM;
}

/*
 * victim's name (name in dir) is about to go.  If that is the name its
 * gnode walks and something else still holds the inode (an open file, a
 * mapping, another name's dentry), its fd is made sure of now and stays.
 */
static long keep_unnamed(struct inode *dir, const char *name, struct inode *victim, int *pinned)
{
	struct gnode *v = victim->priv;
	long r;

	*pinned = 0;
	if (victim->iops != &gofer_iops || v->pinned || v->parent != dir || strcmp(v->name, name) || victim->refs <= 1)
		return 0;
	r = gnode_fd(v);
	if (r < 0)
		return r;
	v->pinned = *pinned = 1;
	idle_update(v);
	return 0;
}

static void unkeep(struct inode *victim, int pinned)
{
	struct gnode *v = victim->priv;

	if (pinned) {
		v->pinned = 0;
		idle_update(v);
	}
}

static void victim_gone(struct inode *victim)
{
	if (S_ISDIR(victim->mode))
		victim->nlink = 0;
	else if (victim->nlink)
		victim->nlink--;
	victim->ctime = vfs_now();
}

static long gofer_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	struct gofer_req req = {.op = GOFER_UNLINK, .flags = S_ISDIR(victim->mode) ? AT_REMOVEDIR : 0};
	struct gofer_rep rep;
	int pinned;
	long r;

	if (!writable(dir))
		return -EROFS;
	if (bad_name(name, sizeof(req.name)))
		return -EINVAL;
	strcpy(req.name, name);
	r = keep_unnamed(dir, name, victim, &pinned);
	if (r >= 0)
		r = call_on(dir, &req, &rep);
	if (r < 0) {
		unkeep(victim, pinned);
		return r;
	}
	take_stat(dir, &rep.st2);
	victim_gone(victim);
	return 0;
}

static long gofer_rename(struct inode *odir, const char *oname, struct inode *src, struct inode *ndir,
			 const char *nname, struct inode *victim, unsigned flags)
{
	struct gofer_req req = {.op = GOFER_RENAME, .flags = flags};
	struct gofer_rep rep;
	int ofd, nfd, pinned = 0;
	long r;

	if (!writable(odir))
		return -EROFS;
	if (ndir->sb != odir->sb)
		return -EXDEV; /* two gofer mounts: each gofer knows only its own files */
	if (bad_name(oname, sizeof(req.name)) || bad_name(nname, sizeof(req.name)))
		return -EINVAL;
	strcpy(req.name, oname);
	strcpy(req.name2, nname);
	r = 0;
	if (victim && !(flags & RENAME_EXCHANGE))
		r = keep_unnamed(ndir, nname, victim, &pinned);
	if (r >= 0)
		r = gnode_fd2(odir->priv, ndir->priv, &ofd, &nfd);
	if (r >= 0)
		r = call(odir->sb->priv, &req, ofd, nfd, &rep, NULL);
	if (r < 0) {
		if (victim)
			unkeep(victim, pinned);
		return r;
	}
	take_stat(odir, &rep.st);
	take_stat(ndir, &rep.st2);
	/* The names the gnodes walk follow; a failure to copy one only costs its fd staying open. */
	if (src->iops == &gofer_iops && set_name(src->priv, ndir, nname) < 0) {
		((struct gnode *)src->priv)->pinned = 1;
		idle_update(src->priv);
	}
	src->ctime = vfs_now();
	if (victim && (flags & RENAME_EXCHANGE)) {
		if (victim->iops == &gofer_iops && set_name(victim->priv, odir, oname) < 0) {
			((struct gnode *)victim->priv)->pinned = 1;
			idle_update(victim->priv);
		}
		victim->ctime = src->ctime;
	} else if (victim) {
		victim_gone(victim);
	}
	return 0;
}

static long gofer_link(struct inode *dir, const char *name, struct inode *src)
{
	struct gofer_req req = {.op = GOFER_LINK};
	struct gofer_rep rep;
	struct gnode *s = src->priv;
	int sfd, dfd;
	long r;

	if (!writable(dir))
		return -EROFS;
	if (src->iops != &gofer_iops || src->sb != dir->sb)
		return -EXDEV; /* another file system, or another gofer's */
	if (!s->parent || s->pinned)
		return -ENOENT; /* removed: no name to link from */
	if (bad_name(name, sizeof(req.name2)))
		return -EINVAL;
	strcpy(req.name, s->name);
	strcpy(req.name2, name);
	r = gnode_fd2(s->parent->priv, dir->priv, &sfd, &dfd);
	if (r >= 0)
		r = call(dir->sb->priv, &req, sfd, dfd, &rep, NULL);
	if (r < 0)
		return r;
	if ((uint64_t)rep.st.st_ino == s->hino && (uint64_t)rep.st.st_dev == s->hdev)
		take_stat(src, &rep.st);
	take_stat(dir, &rep.st2);
	return 0;
}

static long gofer_setattr(struct inode *ino, const struct vfs_iattr *ia)
{
	struct gofer_req req = {.op = GOFER_SETATTR};
	struct gofer_rep rep;
	long r;

	if (!writable(ino))
		return 0; /* under the overlay: the sentry's inode alone takes it */
	req.valid = (ia->valid & VFS_ATTR_MODE ? GOFER_ATTR_MODE : 0) | (ia->valid & VFS_ATTR_UID ? GOFER_ATTR_UID : 0) |
		    (ia->valid & VFS_ATTR_GID ? GOFER_ATTR_GID : 0) |
		    (ia->valid & VFS_ATTR_ATIME ? GOFER_ATTR_ATIME : 0) |
		    (ia->valid & VFS_ATTR_MTIME ? GOFER_ATTR_MTIME : 0);
	req.mode = ia->mode;
	req.uid = ia->uid;
	req.gid = ia->gid;
	req.atime = (struct timespec){ia->atime.tv_sec, ia->atime.tv_nsec};
	req.mtime = (struct timespec){ia->mtime.tv_sec, ia->mtime.tv_nsec};
	r = call_on(ino, &req, &rep);
	if (r < 0)
		return r;
	take_stat(ino, &rep.st);
	return 0;
}

static long gofer_truncate(struct inode *ino, uint64_t size)
{
	struct gofer_req req = {.op = GOFER_SETATTR, .valid = GOFER_ATTR_SIZE, .size = size};
	struct gofer_rep rep;
	uint64_t old = ino->size;
	long r;

	if (!writable(ino))
		return -EROFS;
	r = cache_writeback(ino);
	if (r >= 0)
		r = make_rw(ino->priv);
	if (r >= 0)
		r = call_on(ino, &req, &rep);
	if (r < 0)
		return r;
	take_stat(ino, &rep.st);
	cache_refresh(ino, size < old ? size : old, UINT64_MAX);
	return 0;
}

/*
 * "user." attributes reach the host file; trusted. and security. ones stay
 * in the sentry's copy (the gofer refuses them: see protocol.h).
 */
static long gofer_write_xattr(struct inode *ino, const char *name, const void *value, size_t size, int flags)
{
	struct gofer_rep rep;
	struct gofer_req *req;
	int dummy = -1;
	long r;

	if (!writable(ino) || strncmp(name, "user.", 5))
		return 0;
	if (!S_ISREG(ino->mode) && !S_ISDIR(ino->mode))
		return -EPERM; /* as Linux: user. attributes only on files and directories */
	if (size > GOFER_XATTR_MAX || strlen(name) >= sizeof(req->name))
		return -E2BIG;
	req = calloc(1, sizeof(*req) + size);
	if (!req)
		return -ENOMEM;
	req->op = value ? GOFER_SETXATTR : GOFER_REMOVEXATTR;
	req->flags = (flags & VFS_XATTR_CREATE ? 1 : 0) | (flags & VFS_XATTR_REPLACE ? 2 : 0); /* XATTR_* */
	req->size = size;
	strcpy(req->name, name);
	if (value)
		memcpy(req + 1, value, size);
	r = gnode_fd(ino->priv);
	if (r >= 0)
		r = host_gofer_call(((struct gofer_fs *)ino->sb->priv)->sock, req, sizeof(*req) + (value ? size : 0), (int)r, -1, &rep, sizeof(rep),
				    &dummy);
	free(req);
	if (dummy >= 0)
		host_close(dummy);
	if (r < 0)
		return -EIO;
	return reply_err(rep.err);
}

static long gofer_statfs(struct inode *ino, struct statfs *sf)
{
	struct gofer_req req = {.op = GOFER_STATFS};
	struct gofer_rep rep;
	long r;

	if (!writable(ino))
		return -ENOSYS; /* under the overlay the figures are the sandbox's own */
	r = call_on(ino, &req, &rep);
	if (r < 0)
		return r;
	*sf = rep.sfs;
	return 0;
}

/* ---- open files ---- */

static long file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	long r = cache_writeback(f->inode);

	if (r >= 0)
		r = gnode_fd(f->inode->priv);
	if (r >= 0)
		r = host_preadv((int)r, iov, cnt, (off_t)*pos);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static long file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct inode *ino = f->inode;
	struct gnode *g = ino->priv;
	uint32_t setid = ino->mode & (S_ISUID | S_ISGID);
	struct task *t = task_current;
	struct stat st;
	long r;

	if (!g->rw || !writable(ino))
		return -EBADF; /* never opened for writing */
	r = cache_writeback(ino); /* what mappings wrote first: the refresh below reads the pages again */
	if (r >= 0)
		r = gnode_fd(g);
	if (r < 0)
		return r;
	if (f->flags & O_APPEND)
		*pos = ino->size;
	r = host_pwritev((int)g->fd, iov, cnt, (off_t)*pos);
	if (r <= 0)
		return r;
	if (host_fstat(g->fd, &st) == 0) {
		ino->size = (uint64_t)st.st_size;
		ino->blocks = (uint64_t)st.st_blocks;
		ino->mtime = (struct abi_timespec){st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
		ino->ctime = (struct abi_timespec){st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
		ino->mode = st.st_mode; /* a write clears set-id bits */
		/*
		 * The host cleared them for the sentry, an unprivileged process;
		 * Linux keeps them for a writer with CAP_FSETID, the sandbox's root.
		 */
		if ((setid & ~ino->mode) && t && t->cred.fsuid == 0)
			gofer_setattr(ino, &(struct vfs_iattr){.valid = VFS_ATTR_MODE, .mode = (ino->mode | setid) & 07777});
	} else if (*pos + (uint64_t)r > ino->size) {
		ino->size = *pos + (uint64_t)r;
	}
	if (g->pages.root)
		cache_refresh(ino, *pos, *pos + (uint64_t)r);
	*pos += (uint64_t)r;
	return r;
}

static long file_fsync(struct file *f, int datasync)
{
	struct gofer_req req = {.op = GOFER_FSYNC, .flags = datasync ? 1 : 0};
	struct gofer_rep rep;

	long r;

	if (!writable(f->inode))
		return 0; /* the image is never written */
	r = cache_writeback(f->inode);
	return r < 0 ? r : call_on(f->inode, &req, &rep);
}

static void file_release(struct file *f)
{
	struct gnode *g = f->priv;

	if (g) {
		g->users--;
		idle_update(g);
		fds_trim(gfs(g), NULL);
	}
}

/*
 * Reads the host directory at the first read of an open, and again after
 * a rewind to the start, so each open file has its own position and sees
 * names made since.  The inode's fd is shared, but all of this runs under
 * the sentry lock, so rewinding it is safe.
 */
static long dir_snapshot(struct file *f, struct gdir **out)
{
	struct gdir *d = f->priv;
	long fd, r = 0;
	size_t cap = 16384;

	if (d && (f->pos || !writable(f->inode))) {
		*out = d;
		return 0;
	}
	if (!d) {
		d = calloc(1, sizeof(*d));
		if (!d)
			return -ENOMEM;
		f->priv = d;
	}
	free(d->buf);
	d->len = 0;
	d->buf = malloc(cap);
	if (!d->buf)
		return -ENOMEM;
	*out = d;
	if (f->inode->nlink == 0)
		return 0; /* removed: empty */
	fd = gnode_fd(f->inode->priv);
	if (fd < 0)
		return fd;
	r = host_lseek((int)fd, 0, SEEK_SET);
	if (r < 0)
		return r;
	for (;;) {
		if (cap - d->len < 4096) {
			char *nb = realloc(d->buf, cap * 2);

			if (!nb)
				return -ENOMEM;
			d->buf = nb;
			cap *= 2;
		}
		r = host_getdents64((int)fd, d->buf + d->len, cap - d->len);
		if (r <= 0)
			break;
		d->len += (size_t)r;
	}
	if (r < 0) {
		d->len = 0;
		return r;
	}
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

/* The host file's own answer, after what shared mappings wrote has reached it. */
static long gofer_seek_data(struct inode *ino, uint64_t off, int whence)
{
	long r = cache_writeback(ino);

	if (r >= 0)
		r = gnode_fd(ino->priv);
	if (r >= 0)
		r = host_seek_data((int)r, (off_t)off, whence);
	return r;
}

static const struct inode_ops gofer_iops = {
	.lookup = gofer_lookup,
	.seek_data = gofer_seek_data,
	.mknod = gofer_mknod,
	.unlink = gofer_unlink,
	.rename = gofer_rename,
	.link = gofer_link,
	.setattr = gofer_setattr,
	.statfs = gofer_statfs,
	.write_xattr = gofer_write_xattr,
	.readlink = gofer_readlink,
	.open = gofer_open,
	.truncate = gofer_truncate,
	.fill = gofer_fill,
	.getpage = gofer_getpage,
	.read_xattrs = gofer_read_xattrs,
	.share_private = 1,
	.host_map_fd = gofer_host_map_fd,
	.map_shared_write = gofer_map_shared_write,
	.writeback = cache_writeback,
	.release = gofer_release,
};

static const struct file_ops gofer_file_fops = {
	.read = file_read,
	.write = file_write,
	.fsync = file_fsync,
	.release = file_release,
	.seekable = 1,
};

static const struct file_ops gofer_dir_fops = {
	.iterate = dir_iterate,
	.fsync = file_fsync,
	.release = dir_release,
	.seekable = 1,
};

struct inode *gofer_mount(int sock, int writable_root, size_t fd_limit, struct super **sbp, long *err)
{
	struct gofer_req req = {.op = GOFER_ROOT};
	struct super *sb = super_new("gofer", !writable_root);
	struct gofer_fs *fs = calloc(1, sizeof(*fs));
	struct gofer_rep rep;
	struct inode *root;
	int fd;

	*err = -ENOMEM;
	if (!sb || !fs) {
		free(sb);
		free(fs);
		return NULL;
	}
	fs->sock = sock;
	fs->max_fds = fd_limit ? fd_limit : 4096;
	sb->priv = fs;
	*err = host_gofer_call(sock, &req, sizeof(req), -1, -1, &rep, sizeof(rep), &fd);
	if (*err == 0)
		*err = reply_err(rep.err);
	if (*err == 0 && (fd < 0 || !S_ISDIR(rep.st.st_mode)))
		*err = -ENOTDIR;
	if (*err < 0) {
		if (fd >= 0)
			host_close(fd);
		free(sb);
		free(fs);
		return NULL;
	}
	root = make_inode(sb, fd, &rep.st, NULL, NULL, 0);
	if (!root) {
		free(sb);
		free(fs);
		*err = -ENOMEM;
		return NULL;
	}
	*sbp = sb;
	return root;
}

/* A mount of what a gofer serves (struct gofer_config); mount(2) cannot make one. */
static long gofer_fs_mount(const struct fs_mount_args *a, struct super **sb, struct inode **root)
{
	const struct gofer_config *c = a->config;
	long err;

	if (!c || c->sock < 0)
		return -EINVAL;
	*root = gofer_mount(c->sock, c->writable, c->fd_limit, sb, &err);
	return *root ? 0 : err;
}

static const struct fs_type gofer_type = {.name = "gofer", .mount = gofer_fs_mount};
VFS_FS_TYPE(gofer_type)
