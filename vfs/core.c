/*
 * VFS objects: supers, inodes, dentries and the dentry cache, files, mounts.
 */
#define _GNU_SOURCE
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/log.h"
#include "../sentry/mm/memfile.h"
#include "../sentry/mm/mm.h"

/* ---- supers and inodes ---- */

static uint64_t next_dev = 0x100;

struct super *super_new(const char *type, int rdonly)
{
	struct super *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return NULL;
	sb->type = type;
	sb->dev = next_dev++;
	sb->rdonly = rdonly;
	sb->next_ino = 1;
	return sb;
}

struct abi_timespec vfs_now(void)
{
	uint64_t ns = host_realtime_ns();
	struct abi_timespec ts = {(int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL)};

	return ts;
}

struct inode *inode_new(struct super *sb, uint32_t mode)
{
	struct inode *ino = calloc(1, sizeof(*ino));

	if (!ino)
		return NULL;
	ino->sb = sb;
	sb->inodes++;
	ino->mode = mode;
	ino->nlink = 1;
	ino->ino = sb->next_ino++;
	ino->refs = 1;
	ino->atime = ino->mtime = ino->ctime = vfs_now();
	return ino;
}

void inode_get(struct inode *ino)
{
	ino->refs++;
}

static void super_maybe_free(struct super *sb);

void inode_put(struct inode *ino)
{
	struct super *sb = ino->sb;

	if (--ino->refs)
		return;
	if (ino->iops && ino->iops->release)
		ino->iops->release(ino);
	vfs_xattrs_free(ino);
	free(ino);
	if (sb) {
		sb->inodes--;
		super_maybe_free(sb);
	}
}

void inode_stat(struct inode *ino, struct abi_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = (int64_t)ino->size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)ino->blocks;
	st->st_atime_sec = ino->atime.tv_sec;
	st->st_atime_nsec = ino->atime.tv_nsec;
	st->st_mtime_sec = ino->mtime.tv_sec;
	st->st_mtime_nsec = ino->mtime.tv_nsec;
	st->st_ctime_sec = ino->ctime.tv_sec;
	st->st_ctime_nsec = ino->ctime.tv_nsec;
}

/* ---- the dentry cache ---- */

/*
 * Buckets grow with the names cached (doubled when there are as many names
 * as buckets): a small sandbox pays a few KiB for its table, not the half
 * MiB a table sized for a big one took in every sentry (the hash spreads
 * names over all of its pages).  The first table is static, so putting a
 * name in never fails; a table that cannot grow keeps its longer chains.
 */
#define DCACHE_MIN_BITS 10
#define DCACHE_MAX_BITS 24
static struct dentry *dcache_first[1 << DCACHE_MIN_BITS];
static struct dentry **dcache = dcache_first;
static unsigned dcache_bits = DCACHE_MIN_BITS;
static size_t dcache_names;

static struct dentry **dcache_bucket(uint64_t h)
{
	return &dcache[h & ((1ULL << dcache_bits) - 1)];
}

static void dcache_link(struct dentry *d, struct dentry **b)
{
	d->hnext = *b;
	if (d->hnext)
		d->hnext->hprev = &d->hnext;
	d->hprev = b;
	*b = d;
}

static void dcache_grow(void)
{
	struct dentry **old = dcache, **t = calloc(2ULL << dcache_bits, sizeof(*t)), *d, *next;
	size_t i, n = 1ULL << dcache_bits;

	if (!t)
		return;
	dcache = t;
	dcache_bits++;
	for (i = 0; i < n; i++)
		for (d = old[i]; d; d = next) {
			next = d->hnext;
			dcache_link(d, dcache_bucket(d->hash));
		}
	if (old != dcache_first)
		free(old);
}

static uint64_t dhash(const struct dentry *parent, const char *name, size_t len)
{
	return XXH3_64bits_withSeed(name, len, (uint64_t)(uintptr_t)parent);
}

struct dentry *dentry_lookup_cached(struct dentry *parent, const char *name, size_t len)
{
	uint64_t h = dhash(parent, name, len);
	struct dentry *d;

	for (d = *dcache_bucket(h); d; d = d->hnext)
		if (d->hash == h && d->parent == parent && d->namelen == len && !memcmp(d->name, name, len))
			return d;
	return NULL;
}

static void hash_in(struct dentry *d, struct dentry *parent)
{
	d->parent = parent;
	d->hash = dhash(parent, d->name, d->namelen);
	if (dcache_names >= (1ULL << dcache_bits) && dcache_bits < DCACHE_MAX_BITS)
		dcache_grow();
	dcache_link(d, dcache_bucket(d->hash));
	dcache_names++;
	d->sibling = parent->child;
	if (d->sibling)
		d->sibling->sprev = &d->sibling;
	d->sprev = &parent->child;
	parent->child = d;
	d->unhashed = 0;
}

/* Out of its hash chain and its parent's children, in constant time (a directory may hold millions). */
static void hash_out(struct dentry *d)
{
	if (!d->hprev) { /* never hashed, or out already */
		d->unhashed = 1;
		return;
	}
	*d->hprev = d->hnext;
	if (d->hnext)
		d->hnext->hprev = d->hprev;
	dcache_names--;
	*d->sprev = d->sibling;
	if (d->sibling)
		d->sibling->sprev = d->sprev;
	d->hnext = d->sibling = NULL;
	d->hprev = d->sprev = NULL;
	d->unhashed = 1;
}

struct dentry *dentry_new(struct dentry *parent, const char *name, size_t len, struct inode *ino)
{
	struct dentry *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->name = malloc(len + 1);
	if (!d->name) {
		free(d);
		return NULL;
	}
	memcpy(d->name, name, len);
	d->name[len] = 0;
	d->namelen = len;
	d->inode = ino;
	/* One reference for the cache, which keeps the dentry until it is dropped. */
	d->refs = 1;
	if (!parent) {
		d->unhashed = 1;
		return d;
	}
	dentry_get(parent);
	hash_in(d, parent);
	return d;
}

/*
 * tmpfs sizes a directory as Linux's shmem does: 20 bytes an entry, "." and
 * ".." included (du and ls show it); other file systems keep their own.
 */
static void dir_size_add(struct dentry *dir, int64_t entries)
{
	struct inode *ino = dir ? dir->inode : NULL;

	if (ino && S_ISDIR(ino->mode) && ino->sb && !strcmp(ino->sb->type, "tmpfs"))
		ino->size += (uint64_t)(entries * 20);
}

int dentry_move(struct dentry *d, struct dentry *parent, const char *name, size_t len)
{
	char *n = malloc(len + 1);
	struct dentry *old = d->parent;

	if (!n)
		return -ENOMEM;
	memcpy(n, name, len);
	n[len] = 0;
	hash_out(d);
	free(d->name);
	d->name = n;
	d->namelen = len;
	dentry_get(parent);
	hash_in(d, parent);
	if (d->inode && old != parent) {
		dir_size_add(old, -1);
		dir_size_add(parent, 1);
	}
	dentry_put(old);
	return 0;
}

struct dentry *vfs_name_inode(struct dentry *parent, const char *name, struct inode *ino)
{
	size_t len = strlen(name);
	struct dentry *d = dentry_lookup_cached(parent, name, len);

	if (d && !d->inode) {
		d->inode = ino; /* a negative entry (or a whiteout) takes the new file */
		dir_size_add(parent, 1);
		return d;
	}
	if (d) {
		inode_put(ino); /* already named: the callers checked, so this is a race lost */
		return d;
	}
	d = dentry_new(parent, name, len, ino);
	if (!d)
		inode_put(ino);
	else
		dir_size_add(parent, 1);
	return d;
}

void dentry_get(struct dentry *d)
{
	d->refs++;
}

void dentry_put(struct dentry *d)
{
	while (d && --d->refs == 0) {
		struct dentry *parent = d->parent;

		if (d->inode) {
			/* The last user of a removed name of a file with no links left (Linux's fsnotify_inoderemove). */
			if (dentry_dead(d) && d->inode->nlink == 0)
				vfs_fsnotify(d->inode, 0x400 /* IN_DELETE_SELF */, NULL, 0);
			inode_put(d->inode);
		}
		free(d->name);
		free(d);
		d = parent;
	}
}

void dentry_drop(struct dentry *d)
{
	if (d->unhashed)
		return;
	hash_out(d);
	dentry_put(d); /* the cache's reference */
}

/* ---- files ---- */

static void mount_free(struct mount *m);

void path_get(struct path *p)
{
	if (!p->d)
		return;
	dentry_get(p->d);
	if (p->mnt)
		p->mnt->users++;
}

void path_put(struct path *p)
{
	struct mount *m = p->mnt;

	if (!p->d)
		return;
	dentry_put(p->d);
	p->d = NULL;
	if (m && --m->users == 0 && m->detached)
		mount_free(m);
}

size_t vfs_nr_files, vfs_max_files = 65536;

struct file *file_new(struct path *p, struct inode *ino, const struct file_ops *ops, int flags)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	vfs_nr_files++;
	f->ops = ops;
	f->inode = ino;
	inode_get(ino);
	if (p) {
		f->path = *p;
		path_get(&f->path);
	}
	f->flags = flags;
	f->refs = 1;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

void file_put(struct file *f)
{
	if (--f->refs)
		return;
	vfs_locks_file_closed(f);
	if (f->holds_write)
		f->inode->writecount--;
	if (f->holds_read)
		f->inode->readcount--;
	if (f->path.d && !(f->flags & O_PATH))
		vfs_fsnotify_dentry(f->path.d, (f->flags & O_ACCMODE) != O_RDONLY ? 0x8 /* IN_CLOSE_WRITE */ :
											 0x10 /* IN_CLOSE_NOWRITE */);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	if (vfs_fasync_any())
		vfs_fown_release(f);
	path_put(&f->path);
	inode_put(f->inode);
	free(f);
	vfs_nr_files--;
}

/* ---- mounts ---- */

struct path vfs_root;
struct mount *vfs_mounts;

static int next_mount_id = 20; /* Linux's first ids go to mounts no sandbox sees */

static void add_mount(struct mount *m)
{
	struct mount **pp;

	m->id = next_mount_id++;
	for (pp = &vfs_mounts; *pp; pp = &(*pp)->next)
		;
	*pp = m;
}

/*
 * Mounts with a mountpoint by (parent, mountpoint), as Linux's
 * mount_hashtable: a walk that crosses a mountpoint finds the mount in
 * about one step however many namespaces hold a copy of the tree (the
 * vfs_mounts list has every namespace's mounts).
 */
#define MOUNT_HASH 512
static struct mount *mount_hash[MOUNT_HASH];

static struct mount **mount_bucket(const struct mount *parent, const struct dentry *d)
{
	uint64_t x = (uint64_t)(uintptr_t)parent * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)d;

	x *= 0x9E3779B97F4A7C15ull;
	return &mount_hash[(x >> 40) % MOUNT_HASH];
}

/* m has just been given its parent and mountpoint. */
static void hash_mount(struct mount *m)
{
	struct mount **b = mount_bucket(m->parent, m->mountpoint);

	m->hnext = *b;
	*b = m;
}

/* Before m leaves its parent and mountpoint. */
static void unhash_mount(struct mount *m)
{
	struct mount **pp;

	for (pp = mount_bucket(m->parent, m->mountpoint); *pp; pp = &(*pp)->hnext)
		if (*pp == m) {
			*pp = m->hnext;
			break;
		}
	m->hnext = NULL;
}

struct mount *vfs_mount_on(struct mount *parent, struct dentry *d)
{
	struct mount *m;

	if (!d->mounted)
		return NULL;
	for (m = *mount_bucket(parent, d); m; m = m->hnext)
		if (m->parent == parent && m->mountpoint == d)
			return m;
	return NULL;
}

/*
 * Where a new mount at p goes: on the topmost of the mounts already stacked
 * there (Linux's lock_mount), so that no two mounts ever share a parent
 * and a mountpoint.
 */
static struct path mount_target(const struct path *p)
{
	struct path top = *p;
	struct mount *m;

	while ((m = vfs_mount_on(top.mnt, top.d))) {
		top.mnt = m;
		top.d = m->root;
	}
	return top;
}

/* Takes m off its mountpoint; the dentry stays marked while other mounts sit on it. */
static void unhang(struct mount *m)
{
	struct dentry *d = m->mountpoint;
	struct mount *x;

	if (d->mounted != m)
		return;
	d->mounted = NULL;
	for (x = vfs_mounts; x; x = x->next)
		if (x != m && x->mountpoint == d)
			d->mounted = x;
}

struct mount *vfs_mount_root(struct super *sb, struct inode *root)
{
	struct mount *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->root = dentry_new(NULL, "/", 1, root);
	if (!m->root) {
		free(m);
		return NULL;
	}
	m->sb = sb;
	sb->mounts++;
	sb->mounted = 1;
	m->flags = sb->rdonly;
	m->ns = &vfs_mnt_ns_init;
	add_mount(m);
	vfs_mnt_ns_init.root = m;
	vfs_root.mnt = m;
	vfs_root.d = m->root;
	return m;
}

long vfs_mount_at(struct path *p0, struct super *sb, struct inode *root, int flags)
{
	struct path top = mount_target(p0), *p = &top;
	struct mount *m;

	/* A file on a file: an OCI bind mount of a host file (sentry/container.c). */
	if (!p->d->inode || S_ISDIR(p->d->inode->mode) != S_ISDIR(root->mode))
		return -ENOTDIR;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->root = dentry_new(NULL, "/", 1, root);
	if (!m->root) {
		free(m);
		return -ENOMEM;
	}
	m->sb = sb;
	sb->mounts++;
	sb->mounted = 1;
	m->flags = flags | sb->rdonly;
	m->parent = p->mnt;
	m->ns = p->mnt->ns;
	m->mountpoint = p->d;
	hash_mount(m);
	add_mount(m);
	dentry_get(p->d);
	p->d->mounted = m;
	return 0;
}

/*
 * Does a locked mount sit on source's mount at source's directory or below
 * it?  A bind copies only source's mount, so it would show what that one
 * covers (Linux's has_locked_children).  cvisor has no recursive bind yet
 * and refuses MS_REC binds of such a tree the same way.
 */
static int has_locked_children(const struct path *source)
{
	struct mount *c;
	struct dentry *d;

	for (c = vfs_mounts; c; c = c->next) {
		if (c->parent != source->mnt || !c->locked)
			continue;
		for (d = c->mountpoint; d && d != source->d; d = d->parent)
			;
		if (d)
			return 1;
	}
	return 0;
}

void vfs_lock_mounts(void)
{
	struct mount *m;

	for (m = vfs_mounts; m; m = m->next)
		m->locked = m->parent != NULL;
}

long vfs_bind_at(struct path *target0, struct path *source, int flags)
{
	struct path top = mount_target(target0), *target = &top;
	struct mount *m;

	if (!target->d->inode || S_ISDIR(target->d->inode->mode) != S_ISDIR(source->d->inode->mode))
		return -ENOTDIR;
	if (vfs_path_detached(source))
		return -EINVAL; /* a pipe or socket through /proc/PID/fd: nothing to mount */
	if (has_locked_children(source))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->root = source->d;
	dentry_get(m->root);
	m->sb = source->mnt->sb;
	m->sb->mounts++;
	m->flags = flags | (source->mnt->flags & VFS_MNT_RDONLY);
	m->parent = target->mnt;
	m->ns = target->mnt->ns;
	m->mountpoint = target->d;
	hash_mount(m);
	add_mount(m);
	dentry_get(target->d);
	target->d->mounted = m;
	return 0;
}

/*
 * An unmounted super goes with its last inode, and the type's priv with it.
 * A type that keeps something there and has no kill op (the sandbox's own:
 * gofer, overlay, /sys, /dev's) keeps its unused supers here: only a
 * pivot_root and a umount of the old root leave them so, once.
 */
static struct super *kept_supers;

static int super_killable(const struct super *sb)
{
	return !sb->priv || (sb->ops && sb->ops->kill);
}

static void super_keep(struct super *sb)
{
	if (sb->kept)
		return;
	sb->kept = 1;
	sb->kept_next = kept_supers;
	kept_supers = sb;
}

static void super_maybe_free(struct super *sb)
{
	if (sb->mounts || sb->inodes)
		return;
	if (!super_killable(sb)) {
		super_keep(sb);
		return;
	}
	if (!sb->mounted)
		return;
	if (sb->ops && sb->ops->kill)
		sb->ops->kill(sb);
	free(sb);
}

/*
 * Drops from the cache every dentry below top, leaves first (no recursion:
 * a guest makes trees as deep as it likes); what is still held stays until
 * let go.
 */
static void prune_below(struct dentry *top)
{
	struct dentry *d = top, *up;

	while (top->child) {
		while (d->child)
			d = d->child;
		up = d->parent;
		dentry_drop(d); /* up keeps its cache reference, or top ours */
		d = up;
	}
}

/* The super goes with its last inode (inode_put), after the last mount. */
static void mount_free(struct mount *m)
{
	struct super *sb = m->sb;
	struct dentry *top = m->root;

	dentry_get(top);
	dentry_put(m->root);
	free(m);
	if (--sb->mounts == 0) {
		/* Nothing reaches its names any more: they go (Linux's shrink_dcache_for_umount). */
		while (top->parent) {
			struct dentry *up = top->parent;

			dentry_get(up);
			dentry_put(top);
			top = up;
		}
		prune_below(top);
		if (!super_killable(sb))
			super_keep(sb);
	}
	dentry_put(top);
}

/* Is m the mount a or one below it? */
static int mount_below(struct mount *m, struct mount *a)
{
	for (; m; m = m->parent)
		if (m == a)
			return 1;
	return 0;
}

/*
 * Takes the mount at *link off vfs_mounts and off the tree.  Paths that
 * still name it keep it (and its root) until the last of them goes; its
 * ".." stays at its root, as a lazily unmounted mount's does on Linux.
 */
static void detach(struct mount **link)
{
	struct mount *m = *link;

	*link = m->next;
	if (m->mountpoint) { /* none for a namespace's root (mnt_ns_release) */
		unhash_mount(m);
		unhang(m);
		dentry_put(m->mountpoint);
	}
	m->mountpoint = NULL;
	m->parent = NULL;
	m->next = NULL;
	m->ns = NULL;
	m->detached = 1;
	if (!m->users)
		mount_free(m);
}

/* Takes off the tree every mount on the list marked detached (Linux's umount_tree). */
static void detach_marked(void)
{
	struct mount **pp;

	for (pp = &vfs_mounts; *pp;)
		if ((*pp)->detached)
			detach(pp); /* takes it off the list: *pp is the next */
		else
			pp = &(*pp)->next;
}

long vfs_umount(struct path *p, int lazy)
{
	struct mount *m = p->mnt, *c;

	if (p->d != m->root || !m->parent)
		return -EINVAL; /* not a mount point (or the root, or unmounted already) */
	if (m->locked)
		return -EINVAL;
	if (!lazy) {
		/* Busy: a path other than the caller's names it (open files, cwds), or a mount sits on it. */
		if (m->users > 1)
			return -EBUSY;
		for (c = vfs_mounts; c; c = c->next)
			if (c->parent == m)
				return -EBUSY;
	}
	/* m and every mount below it, locked ones too (they go with the tree, as on Linux), marked first. */
	for (c = vfs_mounts; c; c = c->next)
		c->detached = mount_below(c, m);
	detach_marked();
	return 0;
}

long vfs_pivot_root(struct path *root, struct path *new_root, struct path *put_old)
{
	struct mount *old = root->mnt, *nm = new_root->mnt, *m;
	struct path p;
	struct thread_group *g;
	struct task *x;

	if (!S_ISDIR(new_root->d->inode->mode) || !S_ISDIR(put_old->d->inode->mode))
		return -ENOTDIR;
	/* Both the current root and new_root must be the roots of mounts, and differ. */
	if (nm == old)
		return -EBUSY;
	if (root->d != old->root || new_root->d != nm->root || !nm->parent)
		return -EINVAL;
	/* new_root must hang below the current root, and put_old at or below new_root. */
	for (m = nm; m && m != old; m = m->parent)
		;
	if (!m)
		return -EINVAL;
	for (p = *put_old;;) {
		if (p.mnt == nm && p.d == nm->root)
			break;
		if (p.d == p.mnt->root) {
			if (!p.mnt->parent)
				return -EINVAL;
			p.d = p.mnt->mountpoint;
			p.mnt = p.mnt->parent;
		} else {
			p.d = p.d->parent;
		}
	}
	if (vfs_mount_on(put_old->mnt, put_old->d))
		return -EBUSY;

	/* new_root leaves its mount point and becomes the root; the old root hangs at put_old. */
	unhash_mount(nm);
	unhang(nm);
	dentry_put(nm->mountpoint);
	nm->mountpoint = NULL;
	nm->parent = NULL;
	if (old->mountpoint) { /* a root chroot'ed to a mount below the namespace's: it leaves that place */
		unhash_mount(old);
		unhang(old);
		dentry_put(old->mountpoint);
	}
	old->parent = put_old->mnt;
	old->mountpoint = put_old->d;
	hash_mount(old);
	dentry_get(put_old->d);
	put_old->d->mounted = old;
	/* The root first in /proc/mounts. */
	{
		struct mount **pp;

		for (pp = &vfs_mounts; *pp; pp = &(*pp)->next)
			if (*pp == nm) {
				*pp = nm->next;
				break;
			}
		nm->next = vfs_mounts;
		vfs_mounts = nm;
	}
	if (nm->ns && nm->ns->root == old)
		nm->ns->root = nm;
	if (vfs_root.mnt == old) {
		vfs_root.mnt = nm;
		vfs_root.d = nm->root;
	}
	/* Every process whose root or cwd was the old root moves to the new one, as Linux does. */
	for (g = tg_all(); g; g = g->next)
		for (x = g->threads; x; x = x->tg_next) {
			struct fs_context *fs = x->fs;

			if (fs->root.mnt == old && fs->root.d == old->root) {
				dentry_get(nm->root);
				dentry_put(fs->root.d);
				old->users--;
				nm->users++;
				fs->root.mnt = nm;
				fs->root.d = nm->root;
			}
			if (fs->cwd.mnt == old && fs->cwd.d == old->root) {
				dentry_get(nm->root);
				dentry_put(fs->cwd.d);
				old->users--;
				nm->users++;
				fs->cwd.mnt = nm;
				fs->cwd.d = nm->root;
			}
		}
	return 0;
}

/* ---- mount namespaces ---- */

struct mnt_ns vfs_mnt_ns_init = {.ns = {.refs = 1, .type = NS_MNT, .ino = NS_MNT_INIT_INO}};

struct mnt_ns *vfs_mnt_ns(const struct task *t)
{
	return t && t->mnt ? (struct mnt_ns *)t->mnt : &vfs_mnt_ns_init;
}

int vfs_mount_is_ours(const struct task *t, const struct mount *m)
{
	return m && !m->detached && m->ns == vfs_mnt_ns(t);
}

/* The last task and the last ns file are gone: every mount in it goes, as a lazy umount of each. */
static void mnt_ns_release(struct ns_common *common)
{
	struct mnt_ns *ns = (struct mnt_ns *)common;
	struct mount *m;

	for (m = vfs_mounts; m; m = m->next)
		m->detached = m->ns == ns;
	detach_marked();
	mf_uncharge(ns->charged);
	free(ns);
}

/* A place in src moves to the same dentry on its mount's copy (vfs_mnt_ns_copy's scratch). */
static void path_to_copy(struct path *p, const struct mnt_ns *src)
{
	struct mount *c;

	if (!p->d || !p->mnt || p->mnt->ns != src)
		return;
	c = p->mnt->copy;
	c->users++;
	p->mnt->users--; /* still attached: no free to check for */
	p->mnt = c;
}

/*
 * Linux's copy_mnt_ns: every mount of src duplicated (same root, super,
 * flags and lock, a new id), each hung on its parent's copy at the same
 * mountpoint, in src's order.  All memory is taken first, so that a
 * failure changes nothing; the mounts are charged with the namespace, and
 * given back with it.
 */
struct ns_common *vfs_mnt_ns_copy(struct ns_common *src_common, struct fs_context *fs, int lock)
{
	struct mnt_ns *src = (struct mnt_ns *)src_common, *ns;
	struct mount *m, *c, *first = NULL, **tail = &first;
	size_t n = 0, bytes;

	for (m = vfs_mounts; m; m = m->next)
		n += m->ns == src;
	bytes = sizeof(*ns) + n * sizeof(struct mount);
	if (mf_charge(bytes) < 0)
		return NULL;
	ns = calloc(1, sizeof(*ns));
	if (!ns)
		goto nomem;
	for (m = vfs_mounts; m; m = m->next) {
		if (m->ns != src)
			continue;
		if (!(c = calloc(1, sizeof(*c))))
			goto nomem;
		m->copy = c;
		*tail = c; /* through next until they go on the list */
		tail = &c->next;
	}
	ns->ns = (struct ns_common){.refs = 1, .type = NS_MNT, .ino = ns_alloc_ino(), .release = mnt_ns_release};
	ns->charged = bytes;
	for (m = vfs_mounts; m; m = m->next) {
		if (m->ns != src)
			continue;
		c = m->copy;
		c->root = m->root;
		dentry_get(c->root);
		c->sb = m->sb;
		c->sb->mounts++;
		c->flags = m->flags;
		c->ns = ns;
		c->parent = m->parent ? m->parent->copy : NULL; /* a parent is in its child's namespace */
		c->locked = m->locked || (lock && c->parent);
		c->mountpoint = m->mountpoint;
		if (c->mountpoint) {
			dentry_get(c->mountpoint);
			hash_mount(c);
			/* The newest: the old namespace, more often gone first, then finds no search in unhang. */
			c->mountpoint->mounted = c;
		}
	}
	ns->root = src->root ? src->root->copy : NULL;
	path_to_copy(&fs->root, src);
	path_to_copy(&fs->cwd, src);
	for (m = vfs_mounts; m; m = m->next)
		m->copy = NULL;
	/* At the end of the list, in one go (add_mount for each would walk it each time). */
	for (c = first; c; c = c->next)
		c->id = next_mount_id++;
	for (tail = &vfs_mounts; *tail; tail = &(*tail)->next)
		;
	*tail = first;
	return &ns->ns;

nomem:
	for (m = vfs_mounts; m; m = m->next) {
		free(m->copy);
		m->copy = NULL;
	}
	free(ns);
	mf_uncharge(bytes);
	return NULL;
}

/*
 * setns: fs's root and cwd go to ns's root, on the topmost mount stacked
 * there (Linux's mntns_install).
 */
void vfs_mnt_ns_enter(struct ns_common *common, struct fs_context *fs)
{
	struct mnt_ns *ns = (struct mnt_ns *)common;
	struct path root;

	if (!ns->root)
		return;
	root = mount_target(&(struct path){ns->root, ns->root->root});
	path_get(&root);
	path_put(&fs->root);
	fs->root = root;
	path_get(&root);
	path_put(&fs->cwd);
	fs->cwd = root;
}

/* ---- helpers ---- */

size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t n = 0;
	int i;

	for (i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

long vfs_iter_read(const void *src, size_t srclen, const struct iovec *iov, int cnt, uint64_t *pos)
{
	size_t done = 0;
	int i;

	for (i = 0; i < cnt && *pos < srclen; i++) {
		size_t n = iov[i].iov_len;

		if (n > srclen - *pos)
			n = srclen - *pos;
		memcpy(iov[i].iov_base, (const char *)src + *pos, n);
		*pos += n;
		done += n;
	}
	return (long)done;
}

long vfs_inode_fill(struct inode *ino, uint64_t off, void *buf, size_t len)
{
	if (!ino->iops || !ino->iops->fill)
		return -ENODEV;
	return ino->iops->fill(ino, off, buf, len);
}

long vfs_truncate(struct inode *ino, uint64_t size)
{
	uint64_t old = ino->size;
	long r;

	if (!ino->iops || !ino->iops->truncate)
		return -EINVAL;
	r = ino->iops->truncate(ino, size);
	if (r == 0 && size < old)
		mm_file_shrunk(ino, size);
	return r;
}

long vfs_inode_getpage(struct inode *ino, uint64_t off, uint64_t *frame)
{
	if (!ino->iops || !ino->iops->getpage)
		return -ENODEV;
	return ino->iops->getpage(ino, off, frame);
}

static int vfs_inode_host_map_fd(struct inode *ino)
{
	return ino->iops && ino->iops->host_map_fd ? ino->iops->host_map_fd(ino) : -1;
}

static struct inode *exe_hold(const struct path *p, struct inode *ino)
{
	if (!ino)
		ino = p->d->inode;
	inode_get(ino);
	ino->writecount--;
	return ino;
}

static void exe_release(struct inode *ino)
{
	ino->writecount++;
	inode_put(ino);
}

const struct mm_file_ops vfs_mm_file_ops = {
	.get = inode_get,
	.put = inode_put,
	.getpage = vfs_inode_getpage,
	.fill = vfs_inode_fill,
	.host_map_fd = vfs_inode_host_map_fd,
	.path_get = path_get,
	.path_put = path_put,
	.exe_hold = exe_hold,
	.exe_release = exe_release,
};

unsigned vfs_poll(struct file *f, uint64_t *deadline)
{
	if (f->ops && f->ops->poll)
		return f->ops->poll(f, deadline);
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

void vfs_notify_events(struct inode *ino, unsigned events)
{
	if (events & (POLLIN | POLLRDNORM | POLLRDBAND | POLLPRI | POLLRDHUP | POLLHUP | POLLERR))
		ino->poll_gen_in++;
	if (events & (POLLOUT | POLLWRNORM | POLLWRBAND | POLLHUP | POLLERR))
		ino->poll_gen_out++;
	ino->poll_gen++;
	waitq_wake(&ino->wq);
	if (vfs_fasync_any())
		vfs_fasync_notify(ino);
}

void vfs_notify(struct inode *ino)
{
	vfs_notify_events(ino, ~0u);
}

void vfs_pollset_init(struct vfs_pollset *ps, struct task *t)
{
	memset(ps, 0, sizeof(*ps));
	ps->task = t;
}

/* Waiters are linked into queues by address: each is its own allocation, the array holds pointers. */
void vfs_pollset_add_queue(struct vfs_pollset *ps, struct waitq *q)
{
	struct waiter *w;

	/* The same queue twice (two fds of one pipe) costs a second wake, no more. */
	if (ps->nw == ps->capw) {
		int cap = ps->capw ? ps->capw * 2 : 16;
		struct waiter **nw = realloc(ps->w, (size_t)cap * sizeof(*nw));

		if (!nw)
			return; /* the deadline or a signal still ends the wait */
		ps->w = nw;
		ps->capw = cap;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return;
	w->task = ps->task;
	waiter_add(q, w);
	ps->w[ps->nw++] = w;
}

void vfs_pollset_add_inode(struct vfs_pollset *ps, struct inode *ino)
{
	if (ps->ni == ps->capi) {
		int cap = ps->capi ? ps->capi * 2 : 16;
		struct inode **ni = realloc(ps->inodes, (size_t)cap * sizeof(*ni));

		if (!ni)
			return;
		ps->inodes = ni;
		ps->capi = cap;
	}
	inode_get(ino);
	ps->inodes[ps->ni++] = ino;
	vfs_pollset_add_queue(ps, &ino->wq);
}

void vfs_pollset_add(struct vfs_pollset *ps, struct file *f)
{
	if (f->ops && f->ops->wait_link)
		f->ops->wait_link(f, ps);
	else
		vfs_pollset_add_inode(ps, f->inode);
}

void vfs_pollset_clear(struct vfs_pollset *ps)
{
	int i;

	for (i = 0; i < ps->nw; i++) {
		waiter_del(ps->w[i]);
		free(ps->w[i]);
	}
	for (i = 0; i < ps->ni; i++)
		inode_put(ps->inodes[i]);
	free(ps->w);
	free(ps->inodes);
	vfs_pollset_init(ps, ps->task);
}

long vfs_read_kernel(struct task *t, struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	for (;;) {
		long r = f->ops->read(f, iov, cnt, pos), b;

		if (r != -EAGAIN || (f->flags & O_NONBLOCK) || !t)
			return r;
		b = vfs_file_block(t, f);
		if (b < 0)
			return b;
	}
}

long vfs_write_kernel(struct task *t, struct file *f, const struct iovec *iov, uint64_t *pos)
{
	struct iovec rest = *iov;
	size_t done = 0;

	while (rest.iov_len) {
		long r = f->ops->write(f, &rest, 1, pos), b;

		if (r == -EAGAIN && !(f->flags & O_NONBLOCK) && t) {
			b = vfs_file_block(t, f);
			if (b < 0)
				return done ? (long)done : b;
			continue;
		}
		if (r <= 0)
			return done ? (long)done : r;
		done += (size_t)r;
		rest.iov_base = (char *)rest.iov_base + r;
		rest.iov_len -= (size_t)r;
		if (f->ops->seekable || (f->flags & O_NONBLOCK))
			break;
	}
	return (long)done;
}

int vfs_file_block(struct task *t, struct file *f)
{
	struct vfs_pollset ps;
	uint64_t deadline = 0;
	int r;

	vfs_poll(f, &deadline); /* a timerfd's next expiry */
	vfs_pollset_init(&ps, t);
	vfs_pollset_add(&ps, f);
	r = task_block(t, NULL, deadline);
	vfs_pollset_clear(&ps);
	return r == -ERESTARTSYS ? r : 0;
}

struct inode *anon_inode(uint32_t mode)
{
	static struct super *sb;

	if (!sb)
		sb = super_new("anon_inodefs", 0);
	return sb ? inode_new(sb, mode) : NULL;
}

int inode_is_anon(const struct inode *ino)
{
	return ino->sb && ino->sb->type && !strcmp(ino->sb->type, "anon_inodefs");
}

/* f_type by file system type, as Linux's magic numbers (include/uapi/linux/magic.h). */
static const struct {
	const char *type;
	uint64_t magic;
} fs_magic[] = {
	{"tmpfs", 0x01021994}, {"proc", 0x9fa0}, {"sysfs", 0x62656572}, {"devpts", 0x1cd1},
	{"overlay", 0x794c7630}, {"gofer", 0x01021997 /* V9FS, as gVisor's gofer mounts */},
	{"anon_inodefs", 0x09041934}, {"hoststdio", 0x01021994},
};

void vfs_statfs(struct path *p, struct inode *ino, struct vfs_statfs *st)
{
	struct super *sb = p && p->mnt && p->mnt->sb ? p->mnt->sb : ino->sb;
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < sizeof(fs_magic) / sizeof(fs_magic[0]); i++)
		if (!strcmp(sb->type, fs_magic[i].type))
			st->magic = fs_magic[i].magic;
	if (S_ISFIFO(ino->mode) && inode_is_anon(ino))
		st->magic = 0x50495045; /* pipefs */
	else if (S_ISSOCK(ino->mode) && inode_is_anon(ino))
		st->magic = 0x534f434b; /* sockfs */
	else if (sb->ops && sb->ops->statfs)
		sb->ops->statfs(sb, st);
}

void vfs_drop_name(struct dentry *d)
{
	if (d->inode && !d->unhashed)
		dir_size_add(d->parent, -1);
	dentry_drop(d);
}

void vfs_remove_name(struct dentry *d)
{
	struct dentry *parent = d->parent;

	dentry_get(d);
	vfs_drop_name(d);
	if (parent && parent->inode && parent->inode->sb->whiteouts) {
		/*
		 * The name stays, negative, so the lower layer's entry stays
		 * hidden.  A new dentry: the removed one keeps its inode for
		 * those still holding it (a cwd, an open file).
		 */
		if (!dentry_new(parent, d->name, d->namelen, NULL))
			log_warn("vfs: out of memory keeping a whiteout for %s", d->name);
	}
	dentry_put(d);
}

void vfs_fsnotify_dentry(struct dentry *d, uint32_t mask)
{
	uint32_t dir = d->inode && S_ISDIR(d->inode->mode) ? 0x40000000 /* IN_ISDIR */ : 0;

	if (d->inode)
		vfs_fsnotify(d->inode, mask | dir, NULL, 0);
	if (d->parent && d->parent->inode && !d->unhashed)
		vfs_fsnotify(d->parent->inode, mask | dir, d->name, 0);
}
