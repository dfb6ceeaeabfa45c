/*
 * tmpfs: a file system in memory.  File pages are memory-file frames, so a
 * MAP_SHARED mapping of a tmpfs file maps the very frames read() sees.  The
 * dentry cache is the directory structure (dcache_complete): a directory's
 * entries are its child dentries.  Size is limited in pages (ENOSPC).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../../sentry/mm/mm.h"
#include "../../fpages.h"
#include "../../vfs.h"
#include "../dev/dev.h"
#include "tmpfs.h"

struct tnode {
	struct fpages pages; /* frame offsets, MF_NONE for holes */
	char *target;    /* symlink */
	unsigned seals;  /* F_SEAL_*: a regular file's memfd seals (see tmpfs.h) */
	char *anon_name; /* tmpfs_set_anon_name: what /proc shows for a nameless file */
};

struct tsuper {
	uint64_t max_pages, used_pages;
	uint64_t max_inodes, used_inodes; /* empty files cost sentry memory too: ENOSPC past this */
};

static const struct inode_ops tmpfs_iops;
static const struct file_ops tmpfs_file_fops, tmpfs_dir_fops;

static struct inode *new_inode(struct super *sb, mode_t mode)
{
	struct tsuper *ts = sb->priv;
	struct inode *ino;
	struct tnode *t;

	if (ts && ts->used_inodes >= ts->max_inodes)
		return NULL;
	ino = inode_new(sb, mode);
	t = calloc(1, sizeof(*t));
	if (!ino || !t) {
		free(ino);
		free(t);
		return NULL;
	}
	ino->priv = t;
	ino->iops = &tmpfs_iops;
	/* Only a memfd made with MFD_ALLOW_SEALING starts with none (memfd_create). */
	t->seals = F_SEAL_SEAL;
	if (ts)
		ts->used_inodes++;
	return ino;
}

static long tmpfs_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev, const char *target,
			struct inode **out)
{
	struct inode *ino = new_inode(dir->sb, mode);
	struct tnode *t;

	(void)name;
	if (!ino)
		return -ENOSPC; /* the inode limit (or no sentry memory left) */
	t = ino->priv;
	switch (mode & S_IFMT) {
	case S_IFREG:
		ino->fops = &tmpfs_file_fops;
		break;
	case S_IFDIR:
		ino->fops = &tmpfs_dir_fops;
		ino->nlink = 2;
		ino->size = 40; /* "." and "..": see dir_size_add() */
		dir->nlink++;
		break;
	case S_IFLNK:
		t->target = strdup(target);
		if (!t->target) {
			inode_put(ino);
			return -ENOMEM;
		}
		ino->size = strlen(target);
		break;
	case S_IFCHR:
		ino->rdev = rdev;
		ino->fops = dev_char_fops(rdev);
		break;
	default:
		break; /* fifos and sockets get their ops with the full VFS */
	}
	dir->mtime = dir->ctime = ino->ctime;
	*out = ino;
	return 0;
}

static long tmpfs_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	(void)name;
	if (S_ISDIR(victim->mode)) {
		dir->nlink--;
		victim->nlink = 0;
	} else {
		victim->nlink--;
	}
	victim->ctime = dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static long tmpfs_readlink(struct inode *ino, char *buf, size_t len)
{
	struct tnode *t = ino->priv;
	size_t n;

	if (!S_ISLNK(ino->mode))
		return -EINVAL;
	n = strlen(t->target);
	if (n > len)
		n = len;
	memcpy(buf, t->target, n);
	return (long)n;
}

static struct tsuper *tsb(struct inode *ino)
{
	return ino->sb->priv;
}

static int free_page(uint64_t i, uint64_t *slot, void *ctx)
{
	struct inode *ino = ctx;

	(void)i;
	mf_put(*slot);
	*slot = MF_NONE;
	tsb(ino)->used_pages--;
	ino->blocks -= 8;
	return 0;
}

static void free_pages_from(struct inode *ino, uint64_t first)
{
	struct tnode *t = ino->priv;

	fpages_each(&t->pages, first, free_page, ino);
}

static long tmpfs_truncate(struct inode *ino, uint64_t size)
{
	struct tnode *t = ino->priv;
	uint64_t keep = (size + 4095) / 4096, last;

	if ((size < ino->size && (t->seals & F_SEAL_SHRINK)) || (size > ino->size && (t->seals & F_SEAL_GROW)))
		return -EPERM;
	free_pages_from(ino, keep);
	if (size % 4096 && (last = fpages_get(&t->pages, keep - 1)) != MF_NONE)
		memset((char *)mf_ptr(last) + size % 4096, 0, 4096 - size % 4096);
	ino->size = size;
	ino->mtime = ino->ctime = vfs_now();
	return 0;
}

/*
 * The frame for page i, allocated when alloc is set; MF_NONE for a hole.
 * Allocating takes the slot at once, so that a miss walks the tree once,
 * not once to look and again to insert.
 */
static uint64_t page(struct inode *ino, uint64_t i, int alloc, long *err)
{
	struct tnode *t = ino->priv;
	struct tsuper *s = tsb(ino);
	uint64_t *slot;

	*err = 0;
	if (!alloc)
		return fpages_get(&t->pages, i);
	slot = fpages_slot(&t->pages, i);
	if (slot && *slot != MF_NONE)
		return *slot;
	if (s->used_pages >= s->max_pages) {
		*err = -ENOSPC;
		return MF_NONE;
	}
	if (!slot) {
		*err = -ENOMEM;
		return MF_NONE;
	}
	*slot = mf_alloc(1);
	if (*slot == MF_NONE && mf_reclaim())
		*slot = mf_alloc(1);
	if (*slot == MF_NONE) {
		*err = -ENOSPC;
		return MF_NONE;
	}
	s->used_pages++;
	ino->blocks += 8; /* 512-byte units */
	return *slot;
}

static long tmpfs_fill(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	char *d = buf;
	long err;

	while (len) {
		size_t n = 4096 - off % 4096;
		uint64_t fr;

		if (n > len)
			n = len;
		fr = off < ino->size ? page(ino, off / 4096, 0, &err) : MF_NONE;
		if (fr == MF_NONE)
			memset(d, 0, n);
		else
			memcpy(d, (char *)mf_ptr(fr) + off % 4096, n);
		d += n;
		off += n;
		len -= n;
	}
	return 0;
}

static long tmpfs_getpage(struct inode *ino, uint64_t off, uint64_t *frame)
{
	long err;
	uint64_t fr = page(ino, off / 4096, 1, &err);

	if (fr == MF_NONE)
		return err;
	mf_get(fr);
	*frame = fr;
	return 0;
}

static void tmpfs_release(struct inode *ino)
{
	struct tnode *t = ino->priv;

	if (!t)
		return;
	free_pages_from(ino, 0);
	if (tsb(ino))
		tsb(ino)->used_inodes--;
	fpages_free(&t->pages);
	free(t->target);
	free(t->anon_name);
	free(t);
}

static long file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0;
	int i;

	for (i = 0; i < cnt && *pos < ino->size; i++) {
		size_t want = iov[i].iov_len, got = 0;

		if (want > ino->size - *pos)
			want = (size_t)(ino->size - *pos);
		tmpfs_fill(ino, *pos, iov[i].iov_base, want);
		got = want;
		*pos += got;
		done += got;
	}
	return (long)done;
}

static long file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct inode *ino = f->inode;
	size_t done = 0;
	int i;

	if (f->flags & O_APPEND)
		*pos = ino->size;
	for (i = 0; i < cnt; i++) {
		const char *s = iov[i].iov_base;
		size_t len = iov[i].iov_len;

		while (len) {
			size_t n = 4096 - *pos % 4096;
			unsigned seals = ((struct tnode *)ino->priv)->seals;
			long err;
			uint64_t fr;

			if (n > len)
				n = len;
			/* Seals refuse page by page, as Linux's write_begin: a write may stop short at the end. */
			if ((seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) || ((seals & F_SEAL_GROW) && *pos + n > ino->size)) {
				if (done)
					goto out;
				return -EPERM;
			}
			fr = page(ino, *pos / 4096, 1, &err);
			if (fr == MF_NONE) {
				if (done)
					goto out;
				return err;
			}
			memcpy((char *)mf_ptr(fr) + *pos % 4096, s, n);
			s += n;
			len -= n;
			*pos += n;
			done += n;
			if (*pos > ino->size)
				ino->size = *pos;
		}
	}
out:
	ino->mtime = ino->ctime = vfs_now();
	return (long)done;
}

static long dir_iterate(struct file *f, dir_emit_fn emit, void *ctx)
{
	struct dentry *d = f->path.d, *c;
	uint64_t i = 0;

	if (f->pos == 0) {
		if (emit(ctx, ".", 1, f->inode->ino, DT_DIR))
			return 0;
		f->pos = 1;
	}
	if (f->pos == 1) {
		struct inode *pi = d->parent && d->parent->inode ? d->parent->inode : f->inode;

		if (emit(ctx, "..", 2, pi->ino, DT_DIR))
			return 0;
		f->pos = 2;
	}
	for (c = d->child; c; c = c->sibling) {
		if (!c->inode)
			continue;
		if (i++ < f->pos - 2)
			continue;
		if (emit(ctx, c->name, c->namelen, c->inode->ino, vfs_dtype(c->inode->mode)))
			return 0;
		f->pos++;
	}
	return 0;
}

/*
 * Data is the pages that have a frame, holes the others, as Linux's tmpfs
 * (which also counts fallocate's not yet written pages as holes; here they
 * are data).
 */
static long tmpfs_seek_data(struct inode *ino, uint64_t off, int whence)
{
	struct tnode *t = ino->priv;
	uint64_t end = (ino->size + 4095) / 4096, i = fpages_next(&t->pages, off / 4096, end, whence == SEEK_DATA);

	if (i < end)
		return (long)(i * 4096 > off ? i * 4096 : off);
	if (whence == SEEK_DATA)
		return -ENXIO;
	return (long)(ino->size > off ? ino->size : off);
}

static const struct inode_ops tmpfs_iops = {
	.mknod = tmpfs_mknod,
	.seek_data = tmpfs_seek_data,
	.unlink = tmpfs_unlink,
	.readlink = tmpfs_readlink,
	.truncate = tmpfs_truncate,
	.fill = tmpfs_fill,
	.getpage = tmpfs_getpage,
	.release = tmpfs_release,
};

static long file_show_name(struct file *f, char *buf, size_t len)
{
	struct tnode *t = f->inode->priv;

	if (!t || !t->anon_name)
		return -ENOENT;
	return snprintf(buf, len, "%s", t->anon_name);
}

static const struct file_ops tmpfs_file_fops = {
	.read = file_read,
	.write = file_write,
	.show_name = file_show_name,
	.seekable = 1,
};

static const struct file_ops tmpfs_dir_fops = {
	.iterate = dir_iterate,
	.seekable = 1,
};

/* The size limit and what is used of it, as df shows them. */
static void tmpfs_statfs(struct super *sb, struct vfs_statfs *st)
{
	struct tsuper *ts = sb->priv;

	st->blocks = ts->max_pages;
	st->bfree = st->bavail = ts->max_pages > ts->used_pages ? ts->max_pages - ts->used_pages : 0;
	st->files = ts->max_inodes;
	st->ffree = ts->max_inodes > ts->used_inodes ? ts->max_inodes - ts->used_inodes : 0;
}

static void tmpfs_kill(struct super *sb)
{
	free(sb->priv);
}

static const struct super_ops tmpfs_sops = {.statfs = tmpfs_statfs, .kill = tmpfs_kill};

struct inode *tmpfs_new(uint64_t max_bytes, uint32_t mode, struct super **sbp)
{
	struct super *sb = super_new("tmpfs", 0);
	struct tsuper *ts = calloc(1, sizeof(*ts));
	struct inode *root;

	if (!sb || !ts)
		return NULL;
	ts->max_pages = max_bytes / 4096;
	/* Linux's default for tmpfs: one inode per two pages of the size. */
	ts->max_inodes = ts->max_pages / 2 + 16;
	sb->priv = ts;
	sb->ops = &tmpfs_sops;
	sb->dcache_complete = 1;
	root = new_inode(sb, S_IFDIR | mode);
	if (!root)
		return NULL;
	root->fops = &tmpfs_dir_fops;
	root->nlink = 2;
	root->size = 40;
	*sbp = sb;
	return root;
}

struct super *tmpfs_anon_super(uint64_t max_bytes)
{
	struct super *sb = NULL;
	struct inode *root = tmpfs_new(max_bytes, 01777, &sb);

	if (!root)
		return NULL;
	inode_put(root); /* nothing is ever looked up in it */
	return sb;
}

struct inode *tmpfs_anon_file(struct super *sb, uint64_t size)
{
	struct inode *ino = new_inode(sb, S_IFREG | 0600);

	if (!ino)
		return NULL;
	ino->fops = &tmpfs_file_fops;
	ino->size = size;
	ino->nlink = 0;
	return ino;
}

long tmpfs_set_limits(struct super *sb, uint64_t max_bytes, uint64_t max_inodes)
{
	struct tsuper *ts = sb->priv;

	if (max_bytes)
		ts->max_pages = (max_bytes + 4095) / 4096;
	if (max_inodes)
		ts->max_inodes = max_inodes;
	return 0;
}

long tmpfs_set_anon_name(struct inode *ino, const char *name)
{
	struct tnode *t = ino->priv;
	char *n = strdup(name);

	if (!n)
		return -ENOMEM;
	free(t->anon_name);
	t->anon_name = n;
	return 0;
}

unsigned *tmpfs_seals(struct inode *ino)
{
	if (ino->iops != &tmpfs_iops || !S_ISREG(ino->mode))
		return NULL;
	return &((struct tnode *)ino->priv)->seals;
}

long tmpfs_add_seals(struct inode *ino, unsigned seals)
{
	unsigned *cur;

	if (seals & ~(unsigned)(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE |
				ABI_F_SEAL_EXEC))
		return -EINVAL;
	cur = tmpfs_seals(ino);
	if (!cur)
		return -EINVAL;
	if (*cur & F_SEAL_SEAL)
		return -EPERM;
	/* No writable shared mapping may stay once F_SEAL_WRITE is on (FUTURE_WRITE lets them). */
	if ((seals & F_SEAL_WRITE) && !(*cur & F_SEAL_WRITE) && mm_inode_mapped_writable(ino))
		return -EBUSY;
	/* An executable file sealed against exec is sealed against writes too: W^X from the start. */
	if ((seals & ABI_F_SEAL_EXEC) && (ino->mode & 0111))
		seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
	*cur |= seals;
	return 0;
}

long tmpfs_allocate(struct inode *ino, uint64_t off, uint64_t len)
{
	uint64_t i;
	long err = 0;

	if (!tmpfs_seals(ino))
		return -EOPNOTSUPP;
	for (i = off / 4096; i < (off + len + 4095) / 4096; i++)
		if (page(ino, (size_t)i, 1, &err) == MF_NONE)
			return err;
	return 0;
}

/* ---- mount(2) ---- */

/* A size in tmpfs's option syntax: a number with k, m, g (or %% of the whole, when pct is set). */
static long parse_size(const char *v, uint64_t whole, int pct, uint64_t *out)
{
	char *end;
	unsigned long long n;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	case '%':
		if (!pct || n > 100)
			return -EINVAL;
		n = whole / 100 * n;
		end++;
		break;
	}
	if (*end)
		return -EINVAL;
	*out = n;
	return 0;
}

/* tmpfs's mount options: size, nr_inodes, mode, uid, gid; anything else is EINVAL, as Linux says. */
static long tmpfs_options(char *opts, uint64_t *size, uint64_t *inodes, uint32_t *mode, uint32_t *uid, uint32_t *gid)
{
	char *o, *save = NULL;
	uint64_t v;

	for (o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');

		if (!eq)
			return -EINVAL;
		*eq++ = 0;
		if (!strcmp(o, "size")) {
			if (parse_size(eq, sandbox.memory, 1, size) < 0 || *size == 0)
				return -EINVAL;
		} else if (!strcmp(o, "nr_inodes")) {
			if (parse_size(eq, 0, 0, inodes) < 0 || *inodes == 0)
				return -EINVAL;
		} else if (!strcmp(o, "mode") || !strcmp(o, "uid") || !strcmp(o, "gid")) {
			char *end;

			errno = 0;
			v = strtoull(eq, &end, !strcmp(o, "mode") ? 8 : 10);
			if (errno || *end || !*eq || v > (o[0] == 'm' ? 07777ULL : 0xfffffffeULL))
				return -EINVAL;
			*(o[0] == 'm' ? mode : o[0] == 'u' ? uid : gid) = (uint32_t)v;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/* mount -t tmpfs: the options above; the default size is half the sandbox's memory, as Linux's of RAM. */
static long tmpfs_mount(const struct fs_mount_args *a, struct super **sb, struct inode **root)
{
	uint64_t size = sandbox.memory / 2, inodes = 0;
	uint32_t mode = 01777, uid = 0, gid = 0;
	long r = a->data ? tmpfs_options(a->data, &size, &inodes, &mode, &uid, &gid) : 0;

	if (r < 0)
		return r;
	*root = tmpfs_new(size, mode, sb);
	if (!*root)
		return -ENOMEM;
	tmpfs_set_limits(*sb, 0, inodes);
	(*root)->uid = uid;
	(*root)->gid = gid;
	return 0;
}

static const struct fs_type tmpfs_type = {.name = "tmpfs", .flags = FS_USERMOUNT, .mount = tmpfs_mount};
VFS_FS_TYPE(tmpfs_type)
