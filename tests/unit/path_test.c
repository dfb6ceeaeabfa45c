/*
 * The VFS path walk alone, over a small tmpfs (no system call table, no
 * command line, no platform): components, ".." stopping at the root,
 * symlinks followed or not, ELOOP, ENOTDIR, ENAMETOOLONG, ENOENT, and
 * search permission on directories with the task's credentials.
 * links: vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/open.c vfs/namei.c vfs/fstype.c vfs/fs/overlay/overlay.c vfs/fs/pipe/pipe.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c vfs/fs/tmpfs/tmpfs.c vfs/fs/dev/dev.c vfs/fs/hoststdio/hoststdio.c vfs/fs/pty/pty.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c vfs/fpages.c
 * libs: -lunwind -lxxhash
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "vfs/fs/tmpfs/tmpfs.h"
#include "vfs/vfs.h"

#define UNIT_NAME "path"
#include "unit.h"
#include "vfs_root.h"

static struct task *t;

/* Makes name in the directory at dir: a directory, a file, or a symlink to target. */
static struct inode *make(const char *dir, const char *name, mode_t mode, const char *target)
{
	struct path p;
	struct inode *ino = NULL;

	if (vfs_walk(t, AT_FDCWD, dir, WALK_FOLLOW, &p) < 0)
		return NULL;
	if (p.d->inode->iops->mknod(p.d->inode, name, mode, 0, target, &ino) < 0 || !vfs_name_inode(p.d, name, ino))
		ino = NULL;
	path_put(&p);
	return ino;
}

/* The inode path resolves to (the reference dropped), or NULL with the error in *err. */
static struct inode *walk(const char *path, int flags, long *err)
{
	struct path p;
	struct inode *ino;

	*err = vfs_walk(t, AT_FDCWD, path, flags, &p);
	if (*err < 0)
		return NULL;
	ino = p.d->inode;
	path_put(&p);
	return ino;
}

int main(void)
{
	struct inode *a, *b, *file, *secret;
	char longname[300];
	long err;

	t = unit_vfs_root();
	if (!t)
		return 1;

	a = make("/", "a", S_IFDIR | 0755, NULL);
	b = make("/a", "b", S_IFDIR | 0755, NULL);
	file = make("/a/b", "file", S_IFREG | 0644, NULL);
	make("/a", "l", S_IFLNK | 0777, "b");
	make("/a", "abs", S_IFLNK | 0777, "/a/b/file");
	make("/", "loop1", S_IFLNK | 0777, "/loop2");
	make("/", "loop2", S_IFLNK | 0777, "loop1");
	secret = make("/", "secret", S_IFDIR | 0700, NULL);
	make("/secret", "x", S_IFREG | 0644, NULL);
	CHECK("a small tree is made", a && b && file && secret);

	CHECK("an absolute path resolves", walk("/a/b/file", 0, &err) == file);
	CHECK("repeated and trailing slashes are one", walk("//a///b/", 0, &err) == b);
	CHECK("\".\" and \"..\" walk", walk("/a/./b/../b/./file", 0, &err) == file);
	CHECK("\"..\" at the root stays there", walk("/../../a", 0, &err) == a);
	CHECK("a missing name is ENOENT", !walk("/a/nope", 0, &err) && err == -ENOENT);
	CHECK("a file used as a directory is ENOTDIR", !walk("/a/b/file/x", 0, &err) && err == -ENOTDIR);
	CHECK("WALK_DIRECTORY on a file is ENOTDIR", !walk("/a/b/file", WALK_DIRECTORY, &err) && err == -ENOTDIR);
	CHECK("a relative symlink in the middle is followed", walk("/a/l/file", 0, &err) == file);
	CHECK("a last symlink is not followed without WALK_FOLLOW",
	      (a = walk("/a/l", 0, &err)) && S_ISLNK(a->mode));
	CHECK("... and is with it", walk("/a/l", WALK_FOLLOW, &err) == b);
	CHECK("an absolute symlink restarts at the root", walk("/a/abs", WALK_FOLLOW, &err) == file);
	CHECK("a symlink loop is ELOOP", !walk("/loop1", WALK_FOLLOW, &err) && err == -ELOOP);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	CHECK("a name over 255 bytes is ENAMETOOLONG", !walk(longname, 0, &err) && err == -ENAMETOOLONG);

	t->cred.uid = t->cred.euid = t->cred.fsuid = 1000;
	t->cred.gid = t->cred.egid = t->cred.fsgid = 1000;
	t->cred.cap_eff = 0; /* as setresuid leaves it when the euid leaves 0 */
	CHECK("a directory without search permission is EACCES", !walk("/secret/x", 0, &err) && err == -EACCES);
	secret->gid = 1000;
	secret->mode = S_IFDIR | 0710;
	CHECK("the group's search bit lets a member through", walk("/secret/x", 0, &err) != NULL);
	t->cred.fsgid = 2000;
	CHECK("... and not someone else", !walk("/secret/x", 0, &err) && err == -EACCES);
	t->cred.fsuid = 0;
	t->cred.cap_eff = t->cred.cap_prm; /* as setfsuid(0) gives back CAP_DAC_OVERRIDE */
	CHECK("fsuid 0 passes any directory", walk("/secret/x", 0, &err) != NULL);

	{
		struct path old = t->fs->cwd;

		if (vfs_walk(t, AT_FDCWD, "/a", WALK_FOLLOW, &t->fs->cwd) == 0)
			path_put(&old);
		CHECK("a relative path starts at the cwd", walk("b/file", 0, &err) == file);
	}

	pthread_mutex_unlock(&sentry_lock);
	return unit_failed;
}
