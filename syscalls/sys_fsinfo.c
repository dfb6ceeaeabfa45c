/*
 * What a program may ask about file systems and files beyond stat/statfs:
 * ustat(2), sysfs(2), cachestat(2), and file handles
 * (name_to_handle_at, open_by_handle_at).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

/* The device number as stat(2) shows it is ustat's argument (Linux's new_encode_dev of the super's). */
SYSCALL(ustat)
{
	uint32_t dev = (uint32_t)a[0];
	struct {
		int32_t f_tfree;
		uint64_t f_tinode;
		char f_fname[6], f_fpack[6];
	} u;
	struct mount *m;

	for (m = vfs_mounts; m; m = m->next)
		if (!m->detached && m->sb && m->sb->dev == dev && dev)
			break;
	if (!m)
		return -EINVAL;
	{
		struct vfs_statfs st;
		struct path p = {m, m->root};

		vfs_statfs(&p, m->root->inode, &st);
		memset(&u, 0, sizeof(u));
		u.f_tfree = (int32_t)st.bfree;
		u.f_tinode = st.ffree;
	}
	return mm_copy_out(t->mm, a[1], &u, sizeof(u));
}

/* sysfs(2): the file system types as /proc/filesystems lists them (vfs_fs_name). */
SYSCALL(sysfs)
{
	char name[64];
	const char *n;
	int i;

	switch ((int)a[0]) {
	case 1:
		if (mm_strncpy_in(t->mm, name, a[1], sizeof(name)) < 0)
			return -EFAULT;
		for (i = 0; (n = vfs_fs_name(i)); i++)
			if (!strcmp(n, name))
				return i;
		return -EINVAL;
	case 2:
		n = (int)a[1] >= 0 ? vfs_fs_name((int)a[1]) : NULL;
		if (!n || a[1] > INT32_MAX)
			return -EINVAL;
		return mm_copy_out(t->mm, a[2], n, strlen(n) + 1) < 0 ? -EFAULT : 0;
	case 3:
		for (i = 0; vfs_fs_name(i); i++)
			;
		return i;
	}
	return -EINVAL;
}

/*
 * cachestat(2): the sandbox's files have no page cache apart from their
 * contents, which are all in memory: the pages of the range that hold the
 * file's data count as cached, none as dirty, under writeback or evicted.
 */
SYSCALL(cachestat)
{
	struct {
		uint64_t off, len;
	} range;
	uint64_t cs[5] = {0}; /* nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted */
	struct file *f = fdt_get(t->files, (int)a[0]);

	if (!f)
		return -EBADF;
	file_put(f);
	if (a[3])
		return -EINVAL;
	if (mm_copy_in(t->mm, &range, a[1], sizeof(range)) < 0)
		return -EFAULT;
	f = fdt_get(t->files, (int)a[0]);
	if (f && S_ISREG(f->inode->mode) && range.off < f->inode->size) {
		uint64_t first = range.off / ABI_PAGE_SIZE, size = f->inode->size;
		uint64_t last = range.len == 0 || range.off + range.len - 1 < range.off ? UINT64_MAX
										   : (range.off + range.len - 1) / ABI_PAGE_SIZE;
		uint64_t end = (size + ABI_PAGE_SIZE - 1) / ABI_PAGE_SIZE; /* pages of data */

		cs[0] = (last < end - 1 ? last + 1 : end) - first;
	}
	if (f)
		file_put(f);
	return mm_copy_out(t->mm, a[2], cs, sizeof(cs));
}

/*
 * File handles: a file is named by its inode number within its mount
 * (FILEID_INO32_GEN's layout with 64-bit numbers: generation, low, high,
 * as tmpfs encodes them).  open_by_handle_at finds the inode among the
 * names the mount has in memory, which for tmpfs is all of them.
 */
#define HANDLE_TYPE 1
#define HANDLE_BYTES 12
#define MAX_HANDLE_SZ 128
#define AT_HANDLE_FID_ 0x200

struct fh_head {
	uint32_t handle_bytes;
	int32_t handle_type;
};

SYSCALL(name_to_handle_at)
{
	char path[ABI_PATH_MAX];
	struct fh_head h;
	int flags = (int)a[4], mnt_id;
	uint32_t fh[3];
	struct path p;
	long r;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID_))
		return -EINVAL;
	if (mm_strncpy_in(t->mm, path, a[1], sizeof(path)) < 0)
		return -EFAULT;
	if (!path[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	r = vfs_walk(t, (int)a[0], path, ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) |
						  ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_PATH : 0), &p);
	if (r < 0)
		return r;
	/* Only the file systems whose names stay in memory (tmpfs, the overlay root) can find a file again by number. */
	if (!p.mnt || !p.mnt->sb || (strcmp(p.mnt->sb->type, "tmpfs") && strcmp(p.mnt->sb->type, "overlay"))) {
		r = -EOPNOTSUPP;
		goto out;
	}
	if (mm_copy_in(t->mm, &h, a[2], sizeof(h)) < 0) {
		r = -EFAULT;
		goto out;
	}
	if (h.handle_bytes > MAX_HANDLE_SZ) {
		r = -EINVAL;
		goto out;
	}
	if (h.handle_bytes < HANDLE_BYTES) {
		/* Too small: the size needed is written back, as Linux. */
		h.handle_bytes = HANDLE_BYTES;
		h.handle_type = 0;
		r = mm_copy_out(t->mm, a[2], &h, sizeof(h)) < 0 ? -EFAULT : -EOVERFLOW;
		goto out;
	}
	fh[0] = 0;
	fh[1] = (uint32_t)p.d->inode->ino;
	fh[2] = (uint32_t)(p.d->inode->ino >> 32);
	h.handle_bytes = HANDLE_BYTES;
	h.handle_type = HANDLE_TYPE;
	mnt_id = p.mnt->id;
	if (mm_copy_out(t->mm, a[3], &mnt_id, sizeof(mnt_id)) < 0 || mm_copy_out(t->mm, a[2], &h, sizeof(h)) < 0 ||
	    mm_copy_out(t->mm, a[2] + sizeof(h), fh, sizeof(fh)) < 0)
		r = -EFAULT;
out:
	path_put(&p);
	return r;
}

/* The live dentry below d (cached names only) whose inode is number ino, or NULL. */
static struct dentry *find_ino(struct dentry *d, uint64_t ino, int depth)
{
	struct dentry *c, *found;

	if (d->inode && d->inode->ino == ino && !dentry_dead(d))
		return d;
	if (depth > 64)
		return NULL;
	for (c = d->child; c; c = c->sibling)
		if (c->inode && !c->unhashed && !c->mounted && (found = find_ino(c, ino, depth + 1)))
			return found;
	return NULL;
}

SYSCALL(open_by_handle_at)
{
	struct fh_head h;
	uint32_t fh[3];
	struct file *mf, *f;
	struct dentry *d;
	struct path p;
	int flags = (int)a[2];
	long r;

	if (!capable(t, CAP_DAC_READ_SEARCH))
		return -EPERM;
	mf = fdt_get(t->files, (int)a[0]);
	if ((int)a[0] == AT_FDCWD) {
		p = t->fs->cwd;
	} else if (!mf) {
		return -EBADF;
	} else {
		p = mf->path;
		file_put(mf);
	}
	if (mm_copy_in(t->mm, &h, a[1], sizeof(h)) < 0)
		return -EFAULT;
	if (h.handle_bytes > MAX_HANDLE_SZ || h.handle_bytes == 0)
		return -EINVAL;
	if (!p.mnt || !p.mnt->sb || (strcmp(p.mnt->sb->type, "tmpfs") && strcmp(p.mnt->sb->type, "overlay")))
		return -EOPNOTSUPP;
	if (h.handle_type != HANDLE_TYPE || h.handle_bytes != HANDLE_BYTES)
		return -ESTALE;
	if (mm_copy_in(t->mm, fh, a[1] + sizeof(h), sizeof(fh)) < 0)
		return -EFAULT;
	d = find_ino(p.mnt->root, fh[1] | (uint64_t)fh[2] << 32, 0);
	if (!d)
		return -ESTALE;
	p.d = d;
	path_get(&p);
	r = vfs_open_path(t, &p, flags & ~(O_CREAT | O_EXCL), &f);
	path_put(&p);
	if (r < 0)
		return r;
	r = fdt_install(t->files, f, 0, !!(flags & O_CLOEXEC), t->tg->rlim[RLIMIT_NOFILE].rlim_cur);
	file_put(f);
	return r;
}
