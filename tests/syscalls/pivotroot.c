/*
 * pivot_root(2): a tmpfs becomes the root, the old root hangs below it and
 * can be lazily unmounted.  Natively it runs in a private mount namespace
 * (the sandbox is one already, so unshare's answer there is not printed).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, long r)
{
	printf("%s = %ld%s%s\n", what, r, r < 0 ? " " : "", r < 0 ? strerror(errno) : "");
}

static long pivot(const char *a, const char *b)
{
	return syscall(SYS_pivot_root, a, b);
}

int main(void)
{
	struct stat st;
	char cwd[256];

	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	show("mkdir", mkdir("/tmp/cvt-nr", 0755));
	show("pivot_root to a plain directory", pivot("/tmp/cvt-nr", "/tmp/cvt-nr"));
	show("mount tmpfs", mount("none", "/tmp/cvt-nr", "tmpfs", 0, NULL));
	show("mkdir old", mkdir("/tmp/cvt-nr/old", 0755));
	show("mkdir marker", mkdir("/tmp/cvt-nr/marker", 0755));
	show("pivot_root, put_old outside", pivot("/tmp/cvt-nr", "/tmp"));
	show("pivot_root, put_old missing", pivot("/tmp/cvt-nr", "/tmp/cvt-nr/nope"));
	show("pivot_root", pivot("/tmp/cvt-nr", "/tmp/cvt-nr/old"));
	show("/marker is there", stat("/marker", &st));
	show("the old root is at /old", stat("/old/etc/os-release", &st));
	printf("cwd %s\n", getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno));
	show("chdir /", chdir("/"));
	show("umount2 /old, detach", umount2("/old", MNT_DETACH));
	show("/old/etc is gone", stat("/old/etc", &st));
	show("/etc is gone", stat("/etc", &st));
	show("pivot_root of the root itself", pivot("/", "/old"));
	return 0;
}
