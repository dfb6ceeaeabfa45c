/* File descriptor tables (see vfs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sentry/kernel/task.h"
#include "vfs.h"

/*
 * Every fd that stops naming a file goes through here: a close, a dup2 or
 * dup3 over it, close_range, close-on-exec, or the table's last put (at
 * exit).  As in Linux, the table is the owner of POSIX record locks, so any
 * fd of a file going drops all the table's record locks on the file.
 */
static void fd_release(struct fdtable *t, struct file *f)
{
	vfs_locks_owner_closed(t, f->inode);
	file_put(f);
}

struct fdtable *fdt_new(void)
{
	struct fdtable *t = calloc(1, sizeof(*t));

	if (t)
		t->refs = 1;
	return t;
}

void fdt_put(struct fdtable *t)
{
	int i;

	if (--t->refs)
		return;
	for (i = 0; i < t->size; i++)
		if (t->fds[i])
			fd_release(t, t->fds[i]);
	free(t->fds);
	free(t->cloexec);
	free(t);
}

static int grow(struct fdtable *t, int need)
{
	int size = t->size ? t->size : 64;
	struct file **fds;
	uint64_t *ce;

	while (size <= need)
		size *= 2;
	fds = realloc(t->fds, (size_t)size * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	t->fds = fds;
	ce = realloc(t->cloexec, (size_t)size / 64 * sizeof(*ce));
	if (!ce)
		return -ENOMEM;
	t->cloexec = ce;
	memset(&t->fds[t->size], 0, (size_t)(size - t->size) * sizeof(*fds));
	memset(&t->cloexec[t->size / 64], 0, (size_t)(size - t->size) / 64 * sizeof(*ce));
	t->size = size;
	return 0;
}

int fdt_install_at(struct fdtable *t, int fd, struct file *f, int cloexec)
{
	struct file *old;

	if (fd >= t->size && grow(t, fd) < 0)
		return -ENOMEM;
	old = t->fds[fd];
	file_get(f);
	t->fds[fd] = f;
	if (old)
		fd_release(t, old);
	fdt_set_cloexec(t, fd, cloexec);
	return fd;
}

int fdt_install(struct fdtable *t, struct file *f, int min, int cloexec, uint64_t limit)
{
	int fd;

	for (fd = min; fd < t->size && t->fds[fd]; fd++)
		;
	if ((uint64_t)fd >= limit)
		return -EMFILE;
	/* The new file is counted already: the sandbox is over its limit only past it. */
	if (f->refs == 1 && vfs_nr_files > vfs_max_files)
		return -ENFILE;
	return fdt_install_at(t, fd, f, cloexec);
}

struct file *fdt_get(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= t->size || !(f = t->fds[fd]))
		return NULL;
	file_get(f);
	return f;
}

int fdt_close(struct fdtable *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= t->size || !(f = t->fds[fd]))
		return -EBADF;
	t->fds[fd] = NULL;
	fdt_set_cloexec(t, fd, 0);
	fd_release(t, f);
	return 0;
}

int fdt_get_cloexec(struct fdtable *t, int fd)
{
	return (int)((t->cloexec[fd / 64] >> (fd % 64)) & 1);
}

void fdt_set_cloexec(struct fdtable *t, int fd, int on)
{
	if (on)
		t->cloexec[fd / 64] |= 1ULL << (fd % 64);
	else
		t->cloexec[fd / 64] &= ~(1ULL << (fd % 64));
}

void fdt_close_on_exec(struct fdtable *t)
{
	int fd;

	for (fd = 0; fd < t->size; fd++)
		if (t->fds[fd] && fdt_get_cloexec(t, fd))
			fdt_close(t, fd);
}

struct fdtable *fdt_copy(struct fdtable *src)
{
	struct fdtable *t = fdt_new();
	int fd;

	if (!t)
		return NULL;
	for (fd = 0; fd < src->size; fd++)
		if (src->fds[fd] && fdt_install_at(t, fd, src->fds[fd], fdt_get_cloexec(src, fd)) < 0) {
			fdt_put(t);
			return NULL;
		}
	return t;
}

struct fs_context *fs_copy(struct fs_context *src)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	*fs = *src;
	fs->refs = 1;
	path_get(&fs->root);
	path_get(&fs->cwd);
	return fs;
}

void fs_put(struct fs_context *fs)
{
	if (!fs || --fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}

const struct task_files_ops vfs_task_files = {
	.fdt_new = fdt_new,
	.fdt_copy = fdt_copy,
	.fdt_put = fdt_put,
	.fs_copy = fs_copy,
	.fs_put = fs_put,
	.mnt_ns_init = &vfs_mnt_ns_init.ns,
	.mnt_ns_copy = vfs_mnt_ns_copy,
	.mnt_ns_enter = vfs_mnt_ns_enter,
};
