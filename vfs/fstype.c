/*
 * The table of file system types (see vfs.h): mount(2) and the sentry's
 * start-up find a type by name here, so a new file system plugs in by
 * registering itself, without its callers changing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vfs.h"

/* Filled by constructors before main, read-only afterwards: no lock needed. */
static const struct fs_type *types[VFS_FS_TYPES_MAX];
static size_t ntypes;

void vfs_register_fs_type(const struct fs_type *t)
{
	if (ntypes == VFS_FS_TYPES_MAX || vfs_find_fs_type(t->name))
		abort(); /* a build mistake: raise VFS_FS_TYPES_MAX, or two types share a name */
	types[ntypes++] = t;
}

const struct fs_type *vfs_find_fs_type(const char *name)
{
	size_t i;

	for (i = 0; i < ntypes; i++)
		if (!strcmp(types[i]->name, name))
			return types[i];
	return NULL;
}

/* As Linux lists them in /proc/filesystems (sysfs(2) numbers them so): no block device file systems here. */
static const char *const listed[] = {"sysfs", "tmpfs", "proc", "devtmpfs", "devpts", "pipefs"};

const char *vfs_fs_name(int i)
{
	return i >= 0 && (size_t)i < sizeof(listed) / sizeof(listed[0]) ? listed[i] : NULL;
}

long vfs_fs_new(const char *name, const struct fs_mount_args *a, struct super **sb, struct inode **root)
{
	const struct fs_type *t = vfs_find_fs_type(name);

	if (!t)
		return -ENODEV;
	return t->mount(a, sb, root);
}
