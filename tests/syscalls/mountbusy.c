/*
 * umount of a busy mount: EBUSY while an open file, a cwd (this process's
 * or another's) or a mount on it uses it; MNT_DETACH takes it off at once
 * and its users keep it, with what it held, until they let go.  Then many
 * mounts and umounts, each of which the sentry must free (the sanitizer
 * build's run of this test fails on a leak).  Natively it runs only in a
 * private mount namespace: with none, it does nothing.
 */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define D "/tmp/cvt-mntbusy"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			printf("write %s: %s\n", path, errname(errno));
		close(fd);
	}
}

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

/* How many mounts /proc/self/mounts lists at D or below. */
static int mounts_here(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mounts", "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " " D))
			n++;
	fclose(f);
	return n;
}

int main(void)
{
	struct stat a, b;
	char buf[64];
	int fd, p[2], q[2], i, fails = 0;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	/*
	 * Natively a namespace of its own or nothing; the sandbox is one
	 * already, and refuses a new one (in_cvisor).
	 */
	if ((unshare(CLONE_NEWNS) < 0 && !in_cvisor()) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("no private mount namespace: nothing done\n");
		return 0;
	}
	mkdir(D, 0755);
	CHECK("tmpfs", mount("none", D, "tmpfs", 0, NULL));
	CHECK("mkdir sub", mkdir(D "/sub", 0755));
	CHECK("tmpfs on sub", mount("none", D "/sub", "tmpfs", 0, NULL));
	CHECK("umount with a mount on it", umount(D));

	fd = open(D "/sub/f", O_CREAT | O_RDWR, 0644);
	CHECK("umount sub with a file open", umount(D "/sub"));
	close(fd);
	CHECK("chdir sub", chdir(D "/sub"));
	CHECK("umount sub, the cwd", umount(D "/sub"));
	CHECK("chdir /", chdir("/"));

	/* Another process's cwd. */
	if (pipe(p) < 0 || pipe(q) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(q[0]);
		if (chdir(D "/sub") < 0 || write(q[1], "i", 1) < 0 || read(p[0], buf, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[0]);
	close(q[1]);
	if (read(q[0], buf, 1) != 1)
		return 1;
	close(q[0]);
	CHECK("umount sub, another's cwd", umount(D "/sub"));
	if (write(p[1], "x", 1) < 0)
		return 1;
	close(p[1]);
	waitpid(pid, NULL, 0);
	CHECK("umount sub, free", umount(D "/sub"));
	CHECK("umount, free", umount(D));
	CHECK("umount, nothing mounted", umount(D));
	CHECK("umount -l, nothing mounted", umount2(D, MNT_DETACH));

	/* A lazy umount: the open file and the cwd keep what they had. */
	CHECK("tmpfs", mount("none", D, "tmpfs", 0, NULL));
	put(D "/kept", "still here\n");
	CHECK("mkdir sub", mkdir(D "/sub", 0755));
	CHECK("tmpfs on sub", mount("none", D "/sub", "tmpfs", 0, NULL));
	put(D "/sub/inner", "inner\n");
	fd = open(D "/kept", O_RDONLY);
	CHECK("chdir", chdir(D));
	CHECK("umount -l, busy", umount2(D, MNT_DETACH));
	printf("mounts left at " D ": %d\n", mounts_here());
	ls("the old cwd", ".");
	ls("its sub", "sub");
	ls("the path", D);
	memset(buf, 0, sizeof(buf));
	CHECK("read the open file", read(fd, buf, sizeof(buf) - 1));
	printf("it says: %s", buf);
	close(fd);
	CHECK("stat .", stat(".", &a));
	CHECK("stat ..", stat("..", &b));
	printf(".. of the detached root is itself: %d\n", a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	CHECK("umount the detached mount", umount2(".", MNT_DETACH));
	put("made-after", "x");
	ls("the old cwd, later", ".");
	CHECK("chdir /", chdir("/"));

	/* Many mounts and umounts, with files in each. */
	for (i = 0; i < 300; i++) {
		if (mount("none", D, "tmpfs", 0, i & 1 ? "size=1m" : NULL) < 0) {
			fails++;
			continue;
		}
		mkdir(D "/a", 0755);
		mkdir(D "/a/b", 0755);
		put(D "/a/b/f", "some text\n");
		if (i % 3 == 0) {
			mount("none", D "/a", "tmpfs", 0, NULL);
			put(D "/a/g", "on the inner one\n");
		}
		fd = i % 5 == 0 ? open(D "/a/b/f", O_RDONLY) : -1;
		if (umount2(D, i % 3 == 0 || fd >= 0 ? MNT_DETACH : 0) < 0)
			fails++;
		if (fd >= 0)
			close(fd);
	}
	printf("mount and umount 300 times: %d failed, mounts left: %d\n", fails, mounts_here());
	ls("bare", D);
	rmdir(D);
	return 0;
}
