/*
 * Extended attributes, kept on the inode in sentry memory (user., trusted.
 * and security. names).  A file system that has attributes of its own (the
 * gofer: the image's) hands them over the first time they are asked for;
 * changes stay in the sandbox, unless the file system writes them too
 * (iops->write_xattr: "user." ones through the gofer with --overlay=none).  Limited in number and in
 * bytes per inode so that an application cannot grow the sentry without
 * bound; the bytes, not the number, are what a program meets first (a
 * hundred small "user." attributes fit, as on ext4 and tmpfs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

struct xattr {
	char *name;
	void *value;
	size_t size;
	struct xattr *next;
};

static int add_one(void *ctx, const char *name, const void *value, size_t size)
{
	struct inode *ino = ctx;

	return vfs_xattr_set(ino, name, value, size, 0) < 0 ? -1 : 0;
}

/* The file system's own attributes, read once. */
static void load(struct inode *ino)
{
	if (ino->xattrs_loaded)
		return;
	ino->xattrs_loaded = 1;
	if (ino->iops && ino->iops->read_xattrs)
		ino->iops->read_xattrs(ino, add_one, ino);
}

/* What one attribute costs against VFS_XATTR_BYTES: its name, its value and the bookkeeping. */
static size_t cost(const char *name, size_t size)
{
	return strlen(name) + size + sizeof(struct xattr);
}

/* As find, but walks the whole list: *count and *bytes are all of it (set's limits). */
static struct xattr **find_all(struct inode *ino, const char *name, int *count, size_t *bytes)
{
	struct xattr **pp, **found = NULL, *x;

	*count = 0;
	*bytes = 0;
	for (pp = (struct xattr **)&ino->xattrs; (x = *pp); pp = &x->next) {
		(*count)++;
		*bytes += cost(x->name, x->size);
		if (!found && !strcmp(x->name, name))
			found = pp;
	}
	return found ? found : pp;
}

/* The link that holds name (or the list's end), stopping there; *count: the entries before it. */
static struct xattr **find(struct inode *ino, const char *name, int *count)
{
	struct xattr **pp;

	*count = 0;
	for (pp = (struct xattr **)&ino->xattrs; *pp && strcmp((*pp)->name, name); pp = &(*pp)->next)
		(*count)++;
	return pp;
}

long vfs_xattr_get(struct inode *ino, const char *name, void **value)
{
	struct xattr **pp;
	int n;

	load(ino);
	pp = find(ino, name, &n);
	if (!*pp)
		return -ENODATA;
	*value = (*pp)->value;
	return (long)(*pp)->size;
}

long vfs_xattr_set(struct inode *ino, const char *name, const void *value, size_t size, int flags)
{
	struct xattr **pp, *x;
	void *v;
	int n;
	size_t bytes;

	load(ino);
	pp = find_all(ino, name, &n, &bytes);
	x = *pp;
	if (x && (flags & VFS_XATTR_CREATE))
		return -EEXIST;
	if (!x && (flags & VFS_XATTR_REPLACE))
		return -ENODATA;
	if (size > VFS_XATTR_SIZE_MAX)
		return -E2BIG;
	if (!x && n >= VFS_XATTR_PER_INODE)
		return -ENOSPC;
	if (bytes - (x ? cost(x->name, x->size) : 0) + cost(name, size) > VFS_XATTR_BYTES)
		return -ENOSPC;
	v = malloc(size ? size : 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, value, size);
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || !(x->name = strdup(name))) {
			free(x);
			free(v);
			return -ENOMEM;
		}
		*pp = x;
	}
	free(x->value);
	x->value = v;
	x->size = size;
	return 0;
}

long vfs_xattr_remove(struct inode *ino, const char *name)
{
	struct xattr **pp, *x;
	int n;

	load(ino);
	pp = find(ino, name, &n);
	x = *pp;
	if (!x)
		return -ENODATA;
	*pp = x->next;
	free(x->name);
	free(x->value);
	free(x);
	return 0;
}

size_t vfs_xattr_list(struct inode *ino, char *buf, size_t size)
{
	struct xattr *x;
	size_t len = 0;

	load(ino);
	for (x = ino->xattrs; x; x = x->next) {
		size_t n = strlen(x->name) + 1;

		if (len + n <= size)
			memcpy(buf + len, x->name, n);
		len += n;
	}
	return len;
}

long vfs_xattrs_copy(struct inode *dst, struct inode *src)
{
	struct xattr *x;
	long r;

	load(src);
	dst->xattrs_loaded = 1;
	for (x = src->xattrs; x; x = x->next)
		if ((r = vfs_xattr_set(dst, x->name, x->value, x->size, 0)) < 0)
			return r;
	return 0;
}

void vfs_xattrs_free(struct inode *ino)
{
	struct xattr *x = ino->xattrs, *n;

	for (; x; x = n) {
		n = x->next;
		free(x->name);
		free(x->value);
		free(x);
	}
	ino->xattrs = NULL;
}
