/*
 * Fuzz target: the path walk (vfs/path.c) over a small tmpfs tree with a
 * second tmpfs mounted in it, linked with the VFS and the layers below it
 * alone (as tests/unit/path_test.c is): any path, from any of a few
 * directory fds, through each walk function, with openat2's RESOLVE_* rules
 * and as root or as a user.
 *
 * Input: byte 0 the walk (vfs_walk, vfs_walk_parent, vfs_walk_parent_follow,
 * vfs_walk with RESOLVE_* rules) and its WALK_* flags, byte 1 the dirfd and
 * the credentials, byte 2 the RESOLVE_* bits, then the path (cut at its
 * first NUL, and at PATH_MAX as the copy-in would).
 *
 * The tree: /a/b/file, /a/l -> b, /a/abs -> /a/b/file, /a/up -> ../../..,
 * /loop1 <-> /loop2, /dangling -> /nope, /secret (0700) with x, /mnt (a
 * mount) with m, /mnt/out -> ../a; names of 255 bytes.  Beyond the
 * sanitizers: a result is 0 or an errno, a success holds a reference that
 * is dropped again (every dentry's count is as before after each input),
 * and *last lies in the buffer, names one component and is NUL-ended.
 *
 * links: vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c -lunwind -lxxhash -lseccomp -lpthread vfs/fpages.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/tmpfs/tmpfs.h"
#include "vfs/vfs.h"

static struct task *t;
static int dirfds[4];

static void die_msg(const char *what)
{
	fprintf(stderr, "fuzz path: %s\n", what);
	abort();
}

static void make(const char *dir, const char *name, mode_t mode, const char *target)
{
	struct path p;
	struct inode *ino = NULL;

	if (vfs_walk(t, AT_FDCWD, dir, WALK_FOLLOW, &p) < 0)
		die_msg("walk while making the tree");
	if (p.d->inode->iops->mknod(p.d->inode, name, mode, 0, target, &ino) < 0 || !vfs_name_inode(p.d, name, ino))
		die_msg("mknod while making the tree");
	path_put(&p);
}

static int open_dir(const char *path, int flags)
{
	char buf[64];
	struct file *f;
	int fd;

	snprintf(buf, sizeof(buf), "%s", path);
	if (vfs_openat(t, AT_FDCWD, buf, flags, 0, &f) < 0)
		die_msg("open while making the tree");
	fd = fdt_install(t->files, f, 0, 0, 1024);
	file_put(f);
	return fd;
}

/* Every dentry's count, summed with weights so a moved reference shows too. */
static uint64_t ref_sum(struct dentry *d, uint64_t depth)
{
	uint64_t s = 0;
	struct dentry *c;

	if (!d)
		return 0;
	s += (uint64_t)d->refs * (depth * 131 + d->namelen + 1);
	for (c = d->child; c; c = c->sibling)
		s += ref_sum(c, depth + 1);
	if (d->mounted)
		s += ref_sum(d->mounted->root, depth + 7);
	return s;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct inode *root, *mroot;
	struct super *sb, *msb;
	struct path p;
	char longname[256];

	(void)argc;
	(void)argv;
	if (mf_init(64 << 20) < 0)
		die_msg("mf_init");
	mm_file_ops = &vfs_mm_file_ops;
	task_files = &vfs_task_files;
	t = task_create_init();
	task_current = t;
	root = tmpfs_new(16 << 20, 0755, &sb);
	if (!t || !root || !vfs_mount_root(sb, root))
		die_msg("a tmpfs root");
	t->fs->root = t->fs->cwd = vfs_root;
	path_get(&t->fs->root);
	path_get(&t->fs->cwd);
	pthread_mutex_lock(&sentry_lock);
	make("/", "a", S_IFDIR | 0755, NULL);
	make("/a", "b", S_IFDIR | 0755, NULL);
	make("/a/b", "file", S_IFREG | 0644, NULL);
	make("/a", "l", S_IFLNK | 0777, "b");
	make("/a", "abs", S_IFLNK | 0777, "/a/b/file");
	make("/a", "up", S_IFLNK | 0777, "../../..");
	make("/", "loop1", S_IFLNK | 0777, "/loop2");
	make("/", "loop2", S_IFLNK | 0777, "loop1");
	make("/", "dangling", S_IFLNK | 0777, "/nope");
	make("/", "secret", S_IFDIR | 0700, NULL);
	make("/secret", "x", S_IFREG | 0644, NULL);
	make("/", "mnt", S_IFDIR | 0755, NULL);
	memset(longname, 'n', 255);
	longname[255] = 0;
	make("/a", longname, S_IFDIR | 0755, NULL);
	mroot = tmpfs_new(1 << 20, 0755, &msb);
	if (!mroot || vfs_walk(t, AT_FDCWD, "/mnt", 0, &p) < 0 || vfs_mount_at(&p, msb, mroot, 0) < 0)
		die_msg("mount at /mnt");
	path_put(&p);
	make("/mnt", "m", S_IFDIR | 0755, NULL);
	make("/mnt", "out", S_IFLNK | 0777, "../a");
	dirfds[0] = AT_FDCWD;
	dirfds[1] = open_dir("/a/b", O_RDONLY | O_DIRECTORY);
	dirfds[2] = open_dir("/mnt/m", O_PATH);
	dirfds[3] = open_dir("/a/b/file", O_RDONLY);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[ABI_PATH_MAX + ABI_NAME_MAX + 2];
	struct path p, parent;
	char *last = NULL;
	int trailing = 0, flags, dirfd, how;
	uint64_t before;
	size_t n;
	long r;

	if (size < 3)
		return 0;
	n = size - 3 < ABI_PATH_MAX - 1 ? size - 3 : ABI_PATH_MAX - 1;
	memcpy(buf, data + 3, n);
	buf[n] = 0;
	flags = (data[0] >> 2) & 7;
	dirfd = dirfds[data[1] & 3];
	how = data[2] & (RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH |
			 RESOLVE_IN_ROOT);
	if (data[1] & 4) {
		t->cred.uid = t->cred.euid = t->cred.fsuid = 1000;
		t->cred.gid = t->cred.egid = t->cred.fsgid = 1000;
	} else {
		t->cred.uid = t->cred.euid = t->cred.fsuid = 0;
		t->cred.gid = t->cred.egid = t->cred.fsgid = 0;
	}
	before = ref_sum(vfs_root.mnt->root, 0);
	switch (data[0] & 3) {
	case 0:
		r = vfs_walk(t, dirfd, buf, flags, &p);
		if (r == 0)
			path_put(&p);
		break;
	case 1:
	case 2:
		r = (data[0] & 3) == 1 ? vfs_walk_parent(t, dirfd, buf, &parent, &last, &trailing)
				       : vfs_walk_parent_follow(t, dirfd, buf, &parent, &last, &trailing);
		if (r == 0) {
			if (!last || last < buf || last >= buf + sizeof(buf) || !memchr(last, 0, buf + sizeof(buf) - last))
				die_msg("*last is not a string in the buffer");
			if (strchr(last, '/'))
				die_msg("*last has a '/'");
			if (strlen(last) > ABI_NAME_MAX)
				die_msg("*last is longer than NAME_MAX");
			path_put(&parent);
		}
		break;
	default:
		r = vfs_resolve_begin(t, dirfd, how);
		if (r == 0) {
			r = vfs_walk(t, dirfd, buf, flags, &p);
			if (r == 0)
				path_put(&p);
			vfs_resolve_end();
		}
		break;
	}
	if (r > 0 || r < -4095)
		die_msg("a walk returned what is no errno");
	if (ref_sum(vfs_root.mnt->root, 0) != before)
		die_msg("a walk left a dentry reference behind (or took one)");
	return 0;
}
