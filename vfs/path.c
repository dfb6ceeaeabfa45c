/*
 * The path walk.  Components are resolved one at a time from the task's
 * root or cwd (or a dirfd), through the dentry cache and the file systems'
 * lookup ops, crossing mounts downwards and, for "..", upwards.  Symlinks
 * are expanded in place in a private buffer: at most 40 per walk (ELOOP),
 * and the expanded path must fit in it (ENAMETOOLONG).  ".." never leaves
 * the task's root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/openat2.h>

#include "../sentry/kernel/task.h"
#include "vfs.h"

#define MAX_SYMLINKS 40

long vfs_permission(struct task *t, struct inode *ino, int mask)
{
	uint32_t mode = ino->mode, bits;

	/* Root of a user namespace overrides only on files whose owner and group it maps. */
	if (capable_wrt_inode(t, CAP_DAC_OVERRIDE, ino->uid, ino->gid)) {
		/* CAP_DAC_OVERRIDE: all but exec of a file with no x bit at all. */
		if ((mask & 1) && !S_ISDIR(mode) && !(mode & 0111))
			return -EACCES;
		return 0;
	}
	if (t->cred.fsuid == ino->uid)
		bits = (mode >> 6) & 7;
	else if (creds_in_group(&t->cred, ino->gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	if (!((uint32_t)mask & ~bits))
		return 0;
	return ino->iops && ino->iops->grants && ino->iops->grants(t, ino) ? 0 : -EACCES;
}

/*
 * openat2's RESOLVE_* rules for the walk in progress on this host thread
 * (walks do not nest): BENEATH counts depth below the start, IN_ROOT
 * treats the start as the root.
 */
static __thread int resolve;
static __thread struct path resolve_root;
static __thread long resolve_depth;

static struct path *root_of(struct task *t)
{
	return (resolve & RESOLVE_IN_ROOT) ? &resolve_root : &t->fs->root;
}

static int is_root(struct task *t, struct path *p)
{
	return p->d == root_of(t)->d && p->mnt == root_of(t)->mnt;
}

/* Moves p to its parent, across mount roots; stays put at the task's root. */
static void go_up(struct task *t, struct path *p)
{
	for (;;) {
		if (is_root(t, p))
			return;
		if (p->d != p->mnt->root)
			break;
		if (!p->mnt->parent)
			return;
		p->d = p->mnt->mountpoint;
		p->mnt = p->mnt->parent;
	}
	p->d = p->d->parent;
}

/*
 * Follows the mounts stacked on p to the topmost.  A mount is found by its
 * parent mount and mountpoint both: a directory bound onto itself is its
 * own mount's root, and is under that mount no mountpoint any more.
 */
static void go_down(struct path *p)
{
	struct mount *m;

	while ((m = vfs_mount_on(p->mnt, p->d))) {
		p->mnt = m;
		p->d = m->root;
		if (p->mnt->sb->ops && p->mnt->sb->ops->enter)
			p->mnt->sb->ops->enter(p->mnt->sb, p->d);
	}
}

/* The child dentry of dir by name: cached, or looked up and cached (maybe negative). */
static long child(struct dentry *dir, const char *name, size_t len, struct dentry **out)
{
	struct dentry *d = dentry_lookup_cached(dir, name, len);
	struct inode *ino = NULL;
	char buf[ABI_NAME_MAX + 1];
	long r;

	if (dentry_dead(dir))
		return -ENOENT; /* a removed directory has no entries, and gets none */
	if (d && dir->inode->iops && dir->inode->iops->revalidate && !dir->inode->iops->revalidate(dir->inode, d)) {
		dentry_drop(d); /* stale (a process gone, an fd closed): look it up again */
		d = NULL;
	}
	if (d) {
		*out = d;
		return 0;
	}
	if (dir->inode->sb->dcache_complete || !dir->inode->iops || !dir->inode->iops->lookup) {
		r = -ENOENT;
	} else {
		memcpy(buf, name, len);
		buf[len] = 0;
		r = dir->inode->iops->lookup(dir->inode, buf, &ino);
	}
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT && dir->inode->sb->dcache_complete) {
		*out = NULL;
		return 0;
	}
	d = dentry_new(dir, name, len, r < 0 ? NULL : ino);
	if (!d) {
		if (ino)
			inode_put(ino);
		return -ENOMEM;
	}
	*out = d;
	return 0;
}

/*
 * One step: moves p to the child name (handling "." and ".." and mounts).
 * *neg is set, with p unchanged, when the child does not exist.
 */
static long step(struct task *t, struct path *p, const char *name, size_t len, int *neg)
{
	struct dentry *c;
	long r;

	*neg = 0;
	if (!S_ISDIR(p->d->inode->mode))
		return -ENOTDIR;
	r = vfs_permission(t, p->d->inode, 1);
	if (r < 0)
		return r;
	if (len == 1 && name[0] == '.')
		return 0;
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		struct mount *m = p->mnt;

		if ((resolve & RESOLVE_BENEATH) && resolve_depth-- <= 0)
			return -EXDEV;
		go_up(t, p);
		if ((resolve & RESOLVE_NO_XDEV) && p->mnt != m)
			return -EXDEV;
		return 0;
	}
	r = child(p->d, name, len, &c);
	if (r < 0)
		return r;
	if (!c || !c->inode) {
		*neg = 1;
		return 0;
	}
	p->d = c;
	if ((resolve & RESOLVE_NO_XDEV) && vfs_mount_on(p->mnt, c))
		return -EXDEV;
	go_down(p);
	resolve_depth++;
	return 0;
}

static long start_path(struct task *t, int dirfd, const char *path, struct path *out)
{
	if (path[0] == '/' && (resolve & RESOLVE_BENEATH))
		return -EXDEV;
	if (path[0] == '/') {
		*out = *root_of(t);
	} else if (dirfd == AT_FDCWD) {
		*out = t->fs->cwd;
	} else {
		struct file *f = fdt_get(t->files, dirfd);

		if (!f)
			return -EBADF;
		*out = f->path;
		file_put(f);
		if (!out->d)
			return -ENOTDIR;
		if (!S_ISDIR(out->d->inode->mode) && path[0])
			return -ENOTDIR;
	}
	return 0;
}

struct walker {
	char *buf;      /* remaining path, NUL-terminated, in a private buffer */
	size_t cap;
	int links;
	struct path held; /* the last magic link's target: nothing else may hold it */
};

/*
 * Places with no name (see vfs_file_path): a mount of their own that is in
 * no mount list, so that nothing walks, mounts or links across it.
 */
static struct super detached_sb = {.type = "anon_inodefs"};
static struct mount detached_mnt = {.sb = &detached_sb};

int vfs_path_detached(const struct path *p)
{
	return p->mnt == &detached_mnt;
}

long vfs_file_path(struct file *f, struct path *out)
{
	if (f->path.d) {
		*out = f->path;
		path_get(out);
		return 0;
	}
	inode_get(f->inode);
	out->d = dentry_new(NULL, "", 0, f->inode);
	if (!out->d) {
		inode_put(f->inode);
		return -ENOMEM;
	}
	out->mnt = &detached_mnt;
	detached_mnt.users++;
	return 0;
}

/*
 * Follows the magic link at *p: the walk goes on from its target, as
 * Linux's nd_jump_link, with its checks: RESOLVE_NO_MAGICLINKS refuses
 * them, NO_XDEV one to another mount, BENEATH and IN_ROOT all of them.
 */
static long jump(struct walker *w, struct path *p)
{
	struct path to;
	long r;

	if (resolve & RESOLVE_NO_MAGICLINKS)
		return -ELOOP;
	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	r = p->d->inode->iops->get_link(p->d->inode, &to);
	if (r < 0)
		return r;
	if (((resolve & RESOLVE_NO_XDEV) && to.mnt != p->mnt) || (resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))) {
		path_put(&to);
		return -EXDEV;
	}
	path_put(&w->held);
	w->held = to;
	*p = to;
	return 0;
}

/* Replaces the walker's remaining text rest by target + "/" + rest. */
static long expand(struct walker *w, const char *target, size_t tlen, const char *rest)
{
	size_t rlen = strlen(rest);
	char *tmp;

	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	if (tlen + rlen + 1 > w->cap)
		return -ENAMETOOLONG;
	tmp = malloc(rlen + 1);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, rest, rlen + 1);
	/* The rest keeps its own leading slash, if it has one: a trailing slash is meaningful. */
	memcpy(w->buf, target, tlen);
	memcpy(w->buf + tlen, tmp, rlen + 1);
	free(tmp);
	return 0;
}

static long read_link(struct inode *ino, char *buf, size_t cap, size_t *len)
{
	long r;

	if (!ino->iops || !ino->iops->readlink)
		return -EINVAL;
	r = ino->iops->readlink(ino, buf, cap);
	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	*len = (size_t)r;
	return 0;
}

static int is_dot(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/*
 * The walk engine.  With want_parent, stops before the last component and
 * copies it to last (cut at trailing slashes); with WALK_FOLLOW as well, a
 * symlink there is expanded first, so that the parent and name are those
 * its target (or the target's target...) ends in.  Otherwise resolves the
 * last component too, following a final symlink when WALK_FOLLOW is set.
 */
static long walk(struct task *t, int dirfd, const char *path, int flags, struct path *out, char *last,
		 int *trailing_slash, int want_parent)
{
	struct walker w = {0};
	struct path p;
	char *cur, target[ABI_PATH_MAX];
	long r;

	if (!path[0] && !(flags & WALK_EMPTY_PATH))
		return -ENOENT;
	r = start_path(t, dirfd, path, &p);
	if (r < 0)
		return r;
	w.cap = 2 * ABI_PATH_MAX + 2;
	w.buf = malloc(w.cap);
	if (!w.buf)
		return -ENOMEM;
	strcpy(w.buf, path);
	cur = w.buf;
	if (trailing_slash)
		*trailing_slash = 0;
	if (last)
		last[0] = 0;

	for (;;) {
		char *name, *end;
		size_t len;
		int is_last, neg;
		struct path prev;

		while (*cur == '/')
			cur++;
		if (!*cur)
			break;
		name = cur;
		end = strchr(name, '/');
		len = end ? (size_t)(end - name) : strlen(name);
		if (len > ABI_NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		cur = name + len;
		{
			const char *q = cur;

			while (*q == '/')
				q++;
			is_last = !*q;
			if (is_last && trailing_slash && *cur == '/')
				*trailing_slash = 1;
		}
		if (is_last && want_parent && (!(flags & WALK_FOLLOW) || is_dot(name, len))) {
			if (!S_ISDIR(p.d->inode->mode)) {
				r = -ENOTDIR;
				goto out;
			}
			memcpy(last, name, len);
			last[len] = 0;
			break;
		}
		prev = p;
		r = step(t, &p, name, len, &neg);
		if (r < 0)
			goto out;
		if (is_last && want_parent) {
			/* WALK_FOLLOW: a symlink last is followed to the name its target ends in. */
			if (neg || !S_ISLNK(p.d->inode->mode)) {
				p = prev;
				memcpy(last, name, len);
				last[len] = 0;
				break;
			}
		} else if (neg) {
			r = -ENOENT;
			goto out;
		}
		if (S_ISLNK(p.d->inode->mode) && (!is_last || (flags & WALK_FOLLOW) || *cur == '/')) {
			size_t tlen;
			char *rest = cur;

			if (resolve & RESOLVE_NO_SYMLINKS) {
				r = -ELOOP;
				goto out;
			}
			if (p.d->inode->iops && p.d->inode->iops->get_link) {
				r = jump(&w, &p);
				if (r < 0)
					goto out;
				continue;
			}
			r = read_link(p.d->inode, target, sizeof(target), &tlen);
			if (r < 0)
				goto out;
			if (target[0] == '/' && (resolve & RESOLVE_BENEATH)) {
				r = -EXDEV;
				goto out;
			}
			r = expand(&w, target, tlen, rest);
			if (r < 0)
				goto out;
			cur = w.buf;
			if (target[0] == '/') {
				p = *root_of(t);
				resolve_depth = 0;
			} else {
				p = prev;
				resolve_depth--; /* back in the link's directory */
			}
			continue;
		}
	}
	if (!want_parent && (flags & WALK_DIRECTORY) && !S_ISDIR(p.d->inode->mode)) {
		r = -ENOTDIR;
		goto out;
	}
	if (!want_parent && trailing_slash && *trailing_slash && !S_ISDIR(p.d->inode->mode)) {
		r = -ENOTDIR;
		goto out;
	}
	*out = p;
	path_get(out);
	r = 0;
out:
	path_put(&w.held);
	free(w.buf);
	return r;
}

long vfs_walk(struct task *t, int dirfd, const char *path, int flags, struct path *out)
{
	int ts = 0;
	size_t n = strlen(path);

	if (n && path[n - 1] == '/')
		flags |= WALK_DIRECTORY | WALK_FOLLOW;
	return walk(t, dirfd, path, flags, out, NULL, &ts, 0);
}

static long walk_parent(struct task *t, int dirfd, char *path, int flags, struct path *parent, char **last,
			int *trailing_slash)
{
	char name[ABI_NAME_MAX + 1];
	size_t n;
	long r;

	r = walk(t, dirfd, path, flags, parent, name, trailing_slash, 1);
	if (r < 0)
		return r;
	/* Hand back the name in the caller's buffer (it is shorter than path). */
	n = strlen(name);
	memcpy(path, name, n + 1);
	*last = path;
	if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
		path[0] = 0;
	else if (dentry_dead(parent->d)) {
		/* Nothing is found or made in a removed directory. */
		path_put(parent);
		return -ENOENT;
	}
	return 0;
}

long vfs_walk_parent(struct task *t, int dirfd, char *path, struct path *parent, char **last, int *trailing_slash)
{
	return walk_parent(t, dirfd, path, 0, parent, last, trailing_slash);
}

long vfs_walk_parent_follow(struct task *t, int dirfd, char *path, struct path *parent, char **last,
			    int *trailing_slash)
{
	return walk_parent(t, dirfd, path, WALK_FOLLOW, parent, last, trailing_slash);
}

long vfs_lookup_child(struct task *t, struct path *dir, const char *name, struct path *out)
{
	struct path p = *dir;
	int neg;
	long r = step(t, &p, name, strlen(name), &neg);

	if (r < 0)
		return r;
	if (neg)
		return -ENOENT;
	*out = p;
	path_get(out);
	return 0;
}

long vfs_path_string(struct task *t, struct path *p0, char *buf, size_t size)
{
	static const char deleted[] = " (deleted)";
	struct path p = *p0;
	size_t pos = size;

	if (size < 2)
		return -ERANGE;
	buf[--pos] = 0;
	if (dentry_dead(p.d)) {
		if (pos < sizeof(deleted))
			return -ENAMETOOLONG;
		pos -= sizeof(deleted) - 1;
		memcpy(buf + pos, deleted, sizeof(deleted) - 1);
	}
	while (!is_root(t, &p)) {
		if (p.d == p.mnt->root) {
			if (!p.mnt->parent)
				break; /* outside the task's root: Linux prints what it can */
			p.d = p.mnt->mountpoint;
			p.mnt = p.mnt->parent;
			continue;
		}
		if (pos < p.d->namelen + 1)
			return -ENAMETOOLONG;
		pos -= p.d->namelen;
		memcpy(buf + pos, p.d->name, p.d->namelen);
		buf[--pos] = '/';
		p.d = p.d->parent;
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return (long)(size - pos - 1);
}

int vfs_path_reachable(struct task *t, struct path *p0)
{
	struct path p = *p0;

	while (!is_root(t, &p)) {
		if (p.d == p.mnt->root) {
			if (!p.mnt->parent)
				return 0;
			p.d = p.mnt->mountpoint;
			p.mnt = p.mnt->parent;
			continue;
		}
		p.d = p.d->parent;
	}
	return 1;
}

long vfs_resolve_begin(struct task *t, int dirfd, int how)
{
	long r;

	resolve = how;
	resolve_depth = 0;
	resolve_root.d = NULL;
	if (how & RESOLVE_IN_ROOT) {
		/* The start (dirfd) is the root for "/" and "..". */
		r = start_path(t, dirfd, "", &resolve_root);
		if (r < 0) {
			resolve = 0;
			resolve_root.d = NULL;
			return r;
		}
		path_get(&resolve_root);
	}
	return 0;
}

void vfs_resolve_end(void)
{
	resolve = 0;
	path_put(&resolve_root);
}
