/*
 * For the unit tests that stand on the VFS: the first task, with a fresh
 * tmpfs as its root and working directory, and the sentry lock held, as a
 * system call would have them.  The caller links the VFS, tmpfs and the
 * kernel (its " * links:" line) and includes unit.h first.
 */
#pragma once

#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/tmpfs/tmpfs.h"
#include "vfs/vfs.h"

/* The task, or NULL after a FAIL line saying what could not be made. */
static struct task *unit_vfs_root(void)
{
	struct inode *root;
	struct super *sb;
	struct task *t;

	if (mf_init(64 << 20) < 0) {
		printf("FAIL %s cannot make a memory file\n", UNIT_NAME);
		return NULL;
	}
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	t = task_create_init();
	task_current = t;
	root = tmpfs_new(16 << 20, 0755, &sb);
	if (!t || !root || !vfs_mount_root(sb, root)) {
		printf("FAIL %s cannot make a tmpfs root\n", UNIT_NAME);
		return NULL;
	}
	t->fs->root = t->fs->cwd = vfs_root;
	path_get(&t->fs->root);
	path_get(&t->fs->cwd);
	pthread_mutex_lock(&sentry_lock);
	return t;
}
