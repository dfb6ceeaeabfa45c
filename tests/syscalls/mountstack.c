/*
 * Mounts stacked on one mountpoint: a walk follows them to the topmost, an
 * umount takes the topmost off and shows the one below.  A directory bound
 * onto itself is the classic case (cvisor's walk once looped on it forever,
 * holding the sentry lock).  Natively it runs in a private mount namespace
 * (the sandbox is one already).
 */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define D "/tmp/cvt-stack"

/* The names in dir, sorted, on one line. */
static void ls(const char *what, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), i;

	printf("%s:", what);
	if (n < 0)
		printf(" %s", errname(errno));
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			printf(" %s", names[i]->d_name);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	printf("\n");
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	if (fd >= 0)
		close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	/*
	 * Natively a mount namespace of its own or nothing (never the host's
	 * mounts); the sandbox is one already, and refuses a new one (in_cvisor).
	 */
	if ((unshare(CLONE_NEWNS) < 0 && !in_cvisor()) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("no private mount namespace: nothing mounted\n");
		return 0;
	}
	CHECK("mkdir", mkdir(D, 0755));
	touch(D "/under");
	CHECK("bind onto itself", mount(D, D, NULL, MS_BIND, NULL));
	ls("after the bind", D);
	touch(D "/bound");
	CHECK("bind onto itself again", mount(D, D, NULL, MS_BIND, NULL));
	ls("twice bound", D);
	CHECK("tmpfs on top", mount("none", D, "tmpfs", 0, NULL));
	ls("tmpfs on top", D);
	touch(D "/top");
	CHECK("a dir in the tmpfs", mkdir(D "/sub", 0755));
	CHECK("tmpfs on the tmpfs's dir", mount("none", D "/sub", "tmpfs", 0, NULL));
	CHECK("and on it again", mount("none", D "/sub", "tmpfs", 0, NULL));
	touch(D "/sub/inner");
	ls("sub", D "/sub");
	CHECK("umount sub", umount(D "/sub"));
	ls("sub, one left", D "/sub");
	CHECK("umount sub", umount(D "/sub"));
	ls("sub, none left", D "/sub");

	/* A cwd under the stack stays where it was; "." names it, and mounting on "." goes on top. */
	CHECK("chdir", chdir(D));
	CHECK("tmpfs on .", mount("none", ".", "tmpfs", 0, NULL));
	ls("cwd after mounting on .", ".");
	ls("path after mounting on .", D);
	CHECK("chdir /", chdir("/"));

	CHECK("umount", umount(D));
	ls("one off", D);
	CHECK("umount", umount(D));
	ls("two off", D);
	CHECK("umount", umount(D));
	ls("three off", D);
	CHECK("umount", umount(D));
	ls("four off", D);
	CHECK("umount, nothing left", umount(D));
	ls("bare", D);
	return 0;
}
