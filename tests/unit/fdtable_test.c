/*
 * The fd table alone (the VFS core with the kernel below it: no file
 * system, no system call table, no platform): lowest free fd, EMFILE at the
 * limit, EBADF, replacing an fd releases the old file, close-on-exec, and
 * fork's copy sharing the files until its last put.
 * links: vfs/core.c vfs/fasync.c vfs/fdtable.c vfs/path.c vfs/lock.c vfs/xattr.c vfs/fs/inotify/inotify.c sentry/kernel/task.c sentry/kernel/wait.c sentry/kernel/process.c sentry/kernel/ns.c sentry/kernel/pidns.c sentry/kernel/userns.c sentry/kernel/signal.c sentry/kernel/timer.c sentry/kernel/futex.c sentry/kernel/creds.c sentry/kernel/ptrace.c sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind -lxxhash
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "sentry/kernel/task.h"
#include "vfs/vfs.h"

#define UNIT_NAME "fdtable"
#include "unit.h"

static int released;

static void count_release(struct file *f) { released++; }
static const struct file_ops counted = {.release = count_release};

static struct file *new_file(void)
{
	struct inode *ino = anon_inode(S_IFREG | 0600);
	struct file *f = ino ? file_new(NULL, ino, &counted, O_RDWR) : NULL;

	if (ino)
		inode_put(ino);
	return f;
}

int main(void)
{
	struct fdtable *t = fdt_new(), *c;
	struct file *f = new_file(), *g = new_file(), *x;
	int i, ok;

	if (!t || !f || !g) {
		printf("FAIL fdtable cannot make a table and files\n");
		return 1;
	}
	pthread_mutex_lock(&sentry_lock);
	CHECK("the first fd is 0", fdt_install(t, f, 0, 0, 1024) == 0);
	CHECK("then 1", fdt_install(t, f, 0, 0, 1024) == 1);
	CHECK("min is honoured", fdt_install(t, g, 10, 1, 1024) == 10);
	CHECK("a hole is filled first", fdt_close(t, 0) == 0 && fdt_install(t, g, 0, 0, 1024) == 0);
	CHECK("past the limit is EMFILE", fdt_install(t, f, 11, 0, 11) == -EMFILE);
	CHECK("closing an empty fd is EBADF", fdt_close(t, 5) == -EBADF && fdt_close(t, -1) == -EBADF &&
					      fdt_close(t, 1 << 20) == -EBADF);
	CHECK("no file at a negative or huge fd", !fdt_get(t, -1) && !fdt_get(t, 1 << 30));
	x = fdt_get(t, 1);
	CHECK("fdt_get takes a reference", x == f && f->refs == 3);
	file_put(x);

	for (ok = 1, i = 12; i < 200; i++)
		ok &= fdt_install(t, f, i, i & 1, 1024) == i;
	CHECK("the table grows past its first size", ok && fdt_get_cloexec(t, 199) && !fdt_get_cloexec(t, 198));

	c = fdt_copy(t);
	CHECK("a copy has the same files and close-on-exec flags",
	      c && c->fds[10] == g && fdt_get_cloexec(c, 10) && c->fds[1] == f && !fdt_get_cloexec(c, 1));
	fdt_close_on_exec(c);
	CHECK("close-on-exec closes only the flagged fds", !c->fds[10] && !c->fds[199] && c->fds[198] == f && c->fds[1] == f);
	fdt_put(c);
	CHECK("the copy's put leaves the files to the original", released == 0 && t->fds[10] == g);

	i = g->refs;
	CHECK("installing over an fd drops the file that was there", fdt_install_at(t, 10, f, 0) == 10 && g->refs == i - 1);
	fdt_put(t);
	CHECK("the last put of the table drops every reference it held", f->refs == 1 && g->refs == 1 && released == 0);
	file_put(g);
	file_put(f);
	CHECK("... so the caller's last puts release the files", released == 2);
	pthread_mutex_unlock(&sentry_lock);
	return unit_failed;
}
