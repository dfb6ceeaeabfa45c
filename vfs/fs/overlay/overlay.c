/*
 * The overlay root: the container image read-only below (the gofer), an
 * upper layer in sentry memory above, as gVisor's default root overlay.
 *
 * The dentry cache is the upper layer's directory structure.  A directory
 * of the overlay is an overlay inode that remembers the lower directory it
 * covers (if any): a name missing from the cache is looked up below; new
 * names are upper (tmpfs) inodes made in place; a removed name that exists
 * below stays in the cache as a negative dentry, the whiteout.  A lower
 * regular file is copied up into a tmpfs inode the first time it is opened
 * for writing or truncated; its attributes can change without a copy, since
 * the sentry's inode is already its own.  Nothing is ever written below.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../vfs.h"
#include "../tmpfs/tmpfs.h"
#include "overlay.h"

struct odir {
	struct inode *lower; /* the covered lower directory, or NULL */
};

struct ent {
	char *name;
	uint64_t ino;
	unsigned type;
};

struct snapshot {
	struct ent *e;
	size_t n, cap;
};

static const struct inode_ops ovl_dir_iops;
static const struct file_ops ovl_dir_fops;

/* One overlay (sb->priv): each mount has its own upper layer. */
struct ovl_super {
	struct inode *upper_root; /* a hidden tmpfs directory: upper inodes are made through it */
};

static struct inode *upper_of(struct super *sb)
{
	return ((struct ovl_super *)sb->priv)->upper_root;
}

static struct inode *wrap_dir(struct super *sb, struct inode *lower)
{
	struct inode *ino = inode_new(sb, lower ? lower->mode : (S_IFDIR | 0755));
	struct odir *o = calloc(1, sizeof(*o));

	if (!ino || !o) {
		free(ino);
		free(o);
		return NULL;
	}
	if (lower) {
		inode_get(lower);
		ino->ino = lower->ino;
		ino->uid = lower->uid;
		ino->gid = lower->gid;
		ino->nlink = lower->nlink;
		ino->size = lower->size;
		ino->blocks = lower->blocks;
		ino->atime = lower->atime;
		ino->mtime = lower->mtime;
		ino->ctime = lower->ctime;
	}
	o->lower = lower;
	ino->priv = o;
	ino->iops = &ovl_dir_iops;
	ino->fops = &ovl_dir_fops;
	return ino;
}

static long ovl_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct odir *o = dir->priv;
	struct inode *l;
	long r;

	if (!o->lower || !o->lower->iops->lookup)
		return -ENOENT;
	r = o->lower->iops->lookup(o->lower, name, &l);
	if (r < 0)
		return r;
	if (S_ISDIR(l->mode)) {
		*out = wrap_dir(dir->sb, l);
		inode_put(l);
		return *out ? 0 : -ENOMEM;
	}
	/* Files, links and others stay the lower inodes until something writes them. */
	*out = l;
	return 0;
}

static long ovl_mknod(struct inode *dir, const char *name, mode_t mode, dev_t rdev, const char *target,
		      struct inode **out)
{
	struct inode *upper_root = upper_of(dir->sb);
	long r = upper_root->iops->mknod(upper_root, name, mode, rdev, target, out);

	if (r == 0) {
		if (S_ISDIR(mode))
			dir->nlink++;
		dir->mtime = dir->ctime = vfs_now();
	}
	return r;
}

static long ovl_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	(void)name;
	if (S_ISDIR(victim->mode)) {
		dir->nlink--;
		victim->nlink = 0;
	} else if (victim->nlink)
		victim->nlink--;
	victim->ctime = dir->mtime = dir->ctime = vfs_now();
	return 0;
}

static void ovl_release(struct inode *ino)
{
	struct odir *o = ino->priv;

	if (o) {
		if (o->lower)
			inode_put(o->lower);
		free(o);
	}
}

/* ---- directory listing: the cache's names, then the lower names the cache does not know ---- */

static int add_ent(struct snapshot *s, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct ent *e = s->e;

	if (s->n == s->cap) {
		/* Doubling: a directory of n names costs log n reallocations, not n. */
		size_t cap = s->cap ? s->cap * 2 : 64;

		e = realloc(s->e, cap * sizeof(*e));
		if (!e)
			return -1;
		s->e = e;
		s->cap = cap;
	}
	e[s->n].name = strndup(name, len);
	if (!e[s->n].name)
		return -1;
	e[s->n].ino = ino;
	e[s->n].type = type;
	s->n++;
	return 0;
}

struct lower_ctx {
	struct snapshot *s;
	struct dentry *dir;
};

static int lower_emit(void *ctx, const char *name, size_t len, uint64_t ino, unsigned type)
{
	struct lower_ctx *c = ctx;

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	if (dentry_lookup_cached(c->dir, name, len))
		return 0; /* listed from the cache already, or whited out */
	add_ent(c->s, name, len, ino, type);
	return 0;
}

static struct snapshot *snapshot(struct file *f)
{
	struct dentry *d = f->path.d, *c;
	struct odir *o = f->inode->priv;
	struct snapshot *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	add_ent(s, ".", 1, f->inode->ino, DT_DIR);
	add_ent(s, "..", 2, d->parent && d->parent->inode ? d->parent->inode->ino : f->inode->ino, DT_DIR);
	for (c = d->child; c; c = c->sibling)
		if (c->inode)
			add_ent(s, c->name, c->namelen, c->inode->ino, vfs_dtype(c->inode->mode));
	if (o->lower && o->lower->fops && o->lower->fops->iterate) {
		struct file *lf = file_new(NULL, o->lower, o->lower->fops, O_RDONLY);
		struct lower_ctx ctx = {s, d};

		if (lf) {
			lf->ops->iterate(lf, lower_emit, &ctx);
			file_put(lf);
		}
	}
	return s;
}

static long ovl_iterate(struct file *f, dir_emit_fn emit, void *ctx)
{
	struct snapshot *s = f->priv;

	if (!s) {
		s = snapshot(f);
		if (!s)
			return -ENOMEM;
		f->priv = s;
	}
	while (f->pos < s->n) {
		struct ent *e = &s->e[f->pos];

		if (emit(ctx, e->name, strlen(e->name), e->ino, e->type))
			break;
		f->pos++;
	}
	return 0;
}

static void ovl_dir_release(struct file *f)
{
	struct snapshot *s = f->priv;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	free(s);
}

long overlay_rmdir_check(struct dentry *d)
{
	struct odir *o;
	struct snapshot s = {0};
	struct lower_ctx ctx = {&s, d};
	long r = 0;
	size_t i;

	if (!d->inode || d->inode->iops != &ovl_dir_iops)
		return 0;
	o = d->inode->priv;
	if (!o->lower || !o->lower->fops || !o->lower->fops->iterate)
		return 0;
	{
		struct file *lf = file_new(NULL, o->lower, o->lower->fops, O_RDONLY);

		if (!lf)
			return -ENOMEM;
		lf->ops->iterate(lf, lower_emit, &ctx);
		file_put(lf);
	}
	if (s.n)
		r = -ENOTEMPTY; /* names below that were never removed */
	for (i = 0; i < s.n; i++)
		free(s.e[i].name);
	free(s.e);
	return r;
}

int overlay_is_lower_dir(struct inode *ino)
{
	return ino->iops == &ovl_dir_iops && ((struct odir *)ino->priv)->lower != NULL;
}

long overlay_copy_up(struct path *p)
{
	struct inode *l = p->d->inode, *u, *upper_root;
	uint64_t off;
	char *buf;
	long r;

	if (!p->mnt || !p->mnt->sb->whiteouts)
		return 0;
	upper_root = upper_of(p->mnt->sb);
	if (l->sb == upper_root->sb || !S_ISREG(l->mode))
		return 0;
	r = upper_root->iops->mknod(upper_root, p->d->name, l->mode, 0, NULL, &u);
	if (r < 0)
		return r;
	buf = malloc(1 << 16);
	if (!buf) {
		inode_put(u);
		return -ENOMEM;
	}
	for (off = 0; off < l->size; off += 1 << 16) {
		size_t n = l->size - off < (1 << 16) ? (size_t)(l->size - off) : 1 << 16;
		struct iovec iov = {buf, n};
		uint64_t pos = off;
		struct file uf = {.inode = u, .flags = O_WRONLY};

		r = l->iops->fill ? l->iops->fill(l, off, buf, n) : -EIO;
		if (r < 0)
			break;
		r = u->fops->write(&uf, &iov, 1, &pos);
		if (r < 0)
			break;
		r = 0;
	}
	free(buf);
	if (r < 0) {
		inode_put(u);
		return r;
	}
	vfs_xattrs_copy(u, l);
	u->uid = l->uid;
	u->gid = l->gid;
	u->atime = l->atime;
	u->mtime = l->mtime;
	u->ctime = l->ctime;
	/* The name now means the upper copy; open files of the lower one keep reading it. */
	p->d->inode = u;
	inode_put(l);
	return 0;
}

static const struct inode_ops ovl_dir_iops = {
	.lookup = ovl_lookup,
	.mknod = ovl_mknod,
	.unlink = ovl_unlink,
	.release = ovl_release,
};

static const struct file_ops ovl_dir_fops = {
	.iterate = ovl_iterate,
	.release = ovl_dir_release,
	.seekable = 1,
};

/*
 * The upper layer's figures, under overlayfs's magic: what the sandbox can
 * still write (gVisor too reports an overlay's own figures, not the image's).
 */
static void ovl_statfs(struct super *sb, struct vfs_statfs *st)
{
	struct super *usb = upper_of(sb)->sb;

	if (usb->ops && usb->ops->statfs)
		usb->ops->statfs(usb, st);
}

static const struct super_ops ovl_sops = {.statfs = ovl_statfs};

struct inode *overlay_new(struct inode *lower_root, uint64_t upper_bytes, struct super **sbp)
{
	struct super *sb = super_new("overlay", 0), *usb;
	struct ovl_super *os = calloc(1, sizeof(*os));

	if (!sb || !os) {
		free(sb);
		free(os);
		return NULL;
	}
	sb->whiteouts = 1;
	sb->ops = &ovl_sops;
	sb->priv = os;
	os->upper_root = tmpfs_new(upper_bytes, 0755, &usb);
	if (!os->upper_root)
		return NULL;
	*sbp = sb;
	return wrap_dir(sb, lower_root);
}

/* The sandbox's root overlay (struct overlay_config); mount(2) cannot make one. */
static long ovl_mount(const struct fs_mount_args *a, struct super **sb, struct inode **root)
{
	const struct overlay_config *c = a->config;

	if (!c || !c->lower_root)
		return -EINVAL;
	*root = overlay_new(c->lower_root, c->upper_bytes, sb);
	return *root ? 0 : -ENOMEM;
}

static const struct fs_type overlay_type = {.name = "overlay", .mount = ovl_mount};
VFS_FS_TYPE(overlay_type)
