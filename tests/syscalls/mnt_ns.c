/*
 * Mount namespaces: unshare(CLONE_NEWNS), clone and clone3 with it, a
 * thread's own namespace, setns into one and back, and who may do what.
 * A new namespace starts as a copy of its parent's mounts; what is mounted
 * or unmounted afterwards is seen in that namespace only, in the syscalls,
 * /proc/PID/mounts, /proc/PID/mountinfo and /proc/PID/ns/mnt.  A namespace
 * lives as long as an open ns file names it.
 *
 * Natively the test first moves into a mount namespace of its own and makes
 * every mount there private, and stops if it cannot: no mount below ever
 * reaches the host's namespace, nor propagates to it.  Nothing printed
 * depends on what the host or the sandbox has mounted: only whether a
 * mount is seen, and whether two views are the same.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define DIR "/tmp/cvt-mnt"

static int to_parent[2], to_child[2];

/* The text of a file (at most 64 KiB; "" when it cannot be read), malloc'ed. */
static char *slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return buf;
	while (len < 65535 && (n = read(fd, buf + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(fd);
	return buf;
}

/* Does pid's mountinfo (and its mounts) show a mount at path? "both", "none" or "mixed". */
static const char *shows(const char *pid, const char *path)
{
	char file[64], needle[128];
	char *info, *mounts;
	int a, b;

	snprintf(file, sizeof(file), "/proc/%s/mountinfo", pid);
	info = slurp(file);
	snprintf(file, sizeof(file), "/proc/%s/mounts", pid);
	mounts = slurp(file);
	snprintf(needle, sizeof(needle), " %s ", path);
	a = strstr(info, needle) != NULL;
	b = strstr(mounts, needle) != NULL;
	free(info);
	free(mounts);
	return a && b ? "both" : !a && !b ? "none" : "mixed";
}

static int lines(const char *path)
{
	char *s = slurp(path), *p;
	int n = 0;

	for (p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

static ino_t ns_ino(const char *pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static const char *exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? "yes" : errname(errno);
}

static void show_cwd(const char *who)
{
	char buf[256];

	printf("%s: cwd %s\n", who, getcwd(buf, sizeof(buf)) ? buf : errname(errno));
}


static void sync_write(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(2);
}

static void sync_read(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(2);
}

/* A child of a new namespace (clone, clone3): it starts with a copy of its parent's mounts. */
static int copy_child(const char *how)
{
	printf("%s: %s has b's mount: %s, b/keep %s\n", how, DIR "/b", shows("self", DIR "/b"), exists(DIR "/b/keep"));
	printf("%s: ", how);
	CHECK("umount2 b", umount2(DIR "/b", 0));
	printf("%s: after it, b/keep %s\n", how, exists(DIR "/b/keep"));
	return 0;
}

static long raw_clone(unsigned long flags, const char *how)
{
	long r = syscall(SYS_clone, flags, 0L, 0L, 0L, 0L);

	if (r == 0)
		_exit(copy_child(how));
	return r;
}

static void *thread_ns(void *arg)
{
	(void)arg;
	CHECK("thread: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	CHECK("thread: mount d", mount("none", DIR "/d", "tmpfs", 0, NULL));
	CHECK("thread: creat d/t", close(creat(DIR "/d/t", 0644)));
	printf("thread: d/t %s, thread-self shows d: %s\n", exists(DIR "/d/t"), shows("thread-self", DIR "/d"));
	return NULL;
}

static void *thread_setns(void *arg)
{
	CHECK("setns from a thread sharing its fs", setns(*(int *)arg, CLONE_NEWNS));
	return NULL;
}

static void drop_cap(int cap)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1U << cap);
	CHECK("capset", syscall(SYS_capset, &h, d));
}

int main(void)
{
	char childpid[16], path[128];
	int selffd, childfd, fd;
	pthread_t th;
	pid_t pid;
	ino_t ino;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("a private mount namespace: %s: stopping\n", errname(errno));
		return 1;
	}
	ino = ns_ino("self");
	CHECK("mkdir " DIR, mkdir(DIR, 0755));
	CHECK("mkdir a", mkdir(DIR "/a", 0755));
	CHECK("mkdir b", mkdir(DIR "/b", 0755));
	CHECK("mkdir c", mkdir(DIR "/c", 0755));
	CHECK("mkdir d", mkdir(DIR "/d", 0755));
	CHECK("mkdir e", mkdir(DIR "/e", 0755));
	CHECK("mount b", mount("none", DIR "/b", "tmpfs", 0, NULL));
	CHECK("creat b/keep", close(creat(DIR "/b/keep", 0644)));
	{
		char link[64] = "";

		CHECK_OK("readlink /proc/self/ns/mnt", readlink("/proc/self/ns/mnt", link, sizeof(link) - 1));
		printf("it reads mnt:[...]: %s\n", strncmp(link, "mnt:[", 5) == 0 ? "yes" : link);
	}
	selffd = open("/proc/self/ns/mnt", O_RDONLY);
	CHECK_OK("open /proc/self/ns/mnt", selffd);

	/* A forked child stays in ours: the same namespace, the same mounts. */
	pid = fork();
	if (pid == 0) {
		printf("fork: same ns inode: %s\n", ns_ino("self") == ino ? "yes" : "no");
		_exit(0);
	}
	wait_child("fork", pid);

	/* A child unshares: its mounts and umounts are its own. */
	if (pipe(to_parent) || pipe(to_child))
		return 1;
	pid = fork();
	if (pid == 0) {
		int before = lines("/proc/self/mounts");
		char *info;

		info = slurp("/proc/self/mountinfo");
		CHECK("child: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
		printf("child: ns inode differs: %s\n", ns_ino("self") != ino ? "yes" : "no");
		printf("child: as many mounts as before: %s\n", lines("/proc/self/mounts") == before ? "yes" : "no");
		{
			char *now = slurp("/proc/self/mountinfo");

			printf("child: mountinfo differs (new mount ids): %s\n", strcmp(info, now) ? "yes" : "no");
			free(now);
		}
		free(info);
		CHECK("child: mount a", mount("none", DIR "/a", "tmpfs", 0, NULL));
		CHECK("child: creat a/inside", close(creat(DIR "/a/inside", 0644)));
		CHECK("child: umount2 b", umount2(DIR "/b", 0));
		printf("child: a/inside %s, b/keep %s\n", exists(DIR "/a/inside"), exists(DIR "/b/keep"));
		printf("child: shows a: %s, b: %s\n", shows("self", DIR "/a"), shows("self", DIR "/b"));
		sync_write(to_parent[1]);
		sync_read(to_child[0]);
		/* The parent has mounted c since: not here. */
		printf("child: shows c: %s\n", shows("self", DIR "/c"));
		_exit(0);
	}
	sync_read(to_parent[0]);
	snprintf(childpid, sizeof(childpid), "%d", pid);
	printf("parent: a/inside %s, b/keep %s\n", exists(DIR "/a/inside"), exists(DIR "/b/keep"));
	printf("parent: shows a: %s, b: %s\n", shows("self", DIR "/a"), shows("self", DIR "/b"));
	printf("parent: the child's files show a: %s, b: %s\n", shows(childpid, DIR "/a"), shows(childpid, DIR "/b"));
	printf("parent: the child's ns inode differs: %s\n", ns_ino(childpid) != ino ? "yes" : "no");
	CHECK("parent: mount c", mount("none", DIR "/c", "tmpfs", 0, NULL));
	/* The child's mounts, reached through its root, are not ours to change. */
	snprintf(path, sizeof(path), "/proc/%d/root" DIR "/a", pid);
	printf("parent: through its root, a/inside: %s\n", exists(strcat(strcpy((char[160]){0}, path), "/inside")));
	CHECK("parent: umount2 of its a", umount2(path, 0));
	CHECK("parent: mount on its a", mount("none", path, "tmpfs", 0, NULL));
	CHECK("parent: remount its a", mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL));
	CHECK("parent: bind onto its a", mount(DIR "/c", path, NULL, MS_BIND, NULL));
	CHECK("parent: bind from its a", mount(path, DIR "/d", NULL, MS_BIND, NULL));
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	childfd = open(path, O_RDONLY);
	CHECK_OK("parent: open the child's ns/mnt", childfd);
	sync_write(to_child[1]);
	wait_child("unsharing child", pid);

	/* Its namespace outlives it while the fd is open: setns into it and back, from a child. */
	pid = fork();
	if (pid == 0) {
		CHECK("chdir " DIR, chdir(DIR));
		CHECK("chroot " DIR, chroot(DIR));
		CHECK("setns(the child's ns, CLONE_NEWNS)", setns(childfd, CLONE_NEWNS));
		show_cwd("in the child's ns");
		printf("in the child's ns: a/inside %s, c: %s, ns inode not ours: %s\n", exists(DIR "/a/inside"),
		       shows("self", DIR "/c"), ns_ino("self") != ino ? "yes" : "no");
		CHECK("chdir " DIR "/a", chdir(DIR "/a"));
		CHECK("setns(ours, 0)", setns(selffd, 0));
		show_cwd("back in ours");
		printf("back in ours: a/inside %s, b/keep %s, ns inode ours: %s\n", exists(DIR "/a/inside"),
		       exists(DIR "/b/keep"), ns_ino("self") == ino ? "yes" : "no");
		_exit(0);
	}
	wait_child("setns child", pid);
	CHECK("close the child's ns fd", close(childfd));

	/* clone and clone3 with CLONE_NEWNS: a copy, whose umount leaves ours. */
	wait_child("clone(CLONE_NEWNS)", raw_clone(CLONE_NEWNS | SIGCHLD, "clone"));
	{
		struct clone_args ca = {.flags = CLONE_NEWNS, .exit_signal = SIGCHLD};
		long r = syscall(SYS_clone3, &ca, sizeof(ca));

		if (r == 0)
			_exit(copy_child("clone3"));
		wait_child("clone3(CLONE_NEWNS)", r);
	}
	printf("parent: b/keep %s, shows b: %s\n", exists(DIR "/b/keep"), shows("self", DIR "/b"));

	/* A thread's namespace is its own. */
	pthread_create(&th, NULL, thread_ns, NULL);
	pthread_join(th, NULL);
	printf("main after the thread: d/t %s, shows d: %s\n", exists(DIR "/d/t"), shows("self", DIR "/d"));

	/* Propagation types: one at a time, on a mount's root. */
	CHECK("MS_PRIVATE on a directory that is no mount", mount(NULL, DIR, NULL, MS_PRIVATE, NULL));
	CHECK("MS_SHARED|MS_PRIVATE", mount(NULL, DIR "/b", NULL, MS_SHARED | MS_PRIVATE, NULL));
	CHECK("MS_SLAVE", mount(NULL, DIR "/b", NULL, MS_SLAVE, NULL));
	CHECK("MS_REC|MS_UNBINDABLE", mount(NULL, DIR "/b", NULL, MS_REC | MS_UNBINDABLE, NULL));
	CHECK("MS_REC|MS_PRIVATE", mount(NULL, DIR "/b", NULL, MS_REC | MS_PRIVATE, NULL));

	/* Linux's errors. */
	CHECK("setns(-1, CLONE_NEWNS)", setns(-1, CLONE_NEWNS));
	fd = open(DIR "/b/keep", O_RDONLY);
	CHECK("setns(a plain file, CLONE_NEWNS)", setns(fd, CLONE_NEWNS));
	close(fd);
	CHECK("setns(ns/mnt, CLONE_NEWUTS)", setns(selffd, CLONE_NEWUTS));
	CHECK("setns(ns/mnt, CLONE_NEWNS|CLONE_NEWUTS)", setns(selffd, CLONE_NEWNS | CLONE_NEWUTS));
	CHECK("clone(CLONE_NEWNS|CLONE_FS)", raw_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD, "bad"));
	pthread_create(&th, NULL, thread_setns, &selffd);
	pthread_join(th, NULL);
	CHECK("unshare(CLONE_NEWNS|CLONE_FS) in one thread", unshare(CLONE_NEWNS | CLONE_FS));
	CHECK("setns(ours, CLONE_NEWNS) again", setns(selffd, CLONE_NEWNS));
	show_cwd("after it");

	pid = fork();
	if (pid == 0) {
		drop_cap(CAP_SYS_CHROOT);
		CHECK("without CAP_SYS_CHROOT: setns", setns(selffd, CLONE_NEWNS));
		/* The capabilities are checked before the fs context is. */
		pthread_create(&th, NULL, thread_setns, &selffd);
		pthread_join(th, NULL);
		CHECK("without CAP_SYS_CHROOT: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
		drop_cap(CAP_SYS_ADMIN);
		CHECK("without CAP_SYS_ADMIN: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
		CHECK("without CAP_SYS_ADMIN: clone(CLONE_NEWNS)", raw_clone(CLONE_NEWNS | SIGCHLD, "capless"));
		CHECK("without CAP_SYS_ADMIN: setns", setns(selffd, CLONE_NEWNS));
		_exit(0);
	}
	wait_child("capless child", pid);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		CHECK("as nobody: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
		CHECK("as nobody: setns", setns(selffd, CLONE_NEWNS));
		_exit(0);
	}
	wait_child("nobody child", pid);

	/* pivot_root changes the root of the caller's namespace only. */
	pid = fork();
	if (pid == 0) {
		CHECK("pivot child: unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
		CHECK("pivot child: mount e", mount("none", DIR "/e", "tmpfs", 0, NULL));
		CHECK("pivot child: mkdir e/old", mkdir(DIR "/e/old", 0755));
		CHECK("pivot child: pivot_root", syscall(SYS_pivot_root, DIR "/e", DIR "/e/old"));
		CHECK("pivot child: chdir /", chdir("/"));
		printf("pivot child: /old%s %s, " DIR " %s\n", DIR "/b/keep", exists("/old" DIR "/b/keep"), exists(DIR));
		CHECK("pivot child: umount2 /old", umount2("/old", MNT_DETACH));
		printf("pivot child: /old%s %s, mounts %d\n", DIR, exists("/old" DIR), lines("/proc/self/mounts"));
		_exit(0);
	}
	wait_child("pivot child", pid);
	printf("parent after the pivot: b/keep %s, shows e: %s\n", exists(DIR "/b/keep"), shows("self", DIR "/e"));

	CHECK("umount2 c", umount2(DIR "/c", 0));
	CHECK("umount2 b", umount2(DIR "/b", 0));
	printf("at the end: b/keep %s, shows b: %s, c: %s\n", exists(DIR "/b/keep"), shows("self", DIR "/b"),
	       shows("self", DIR "/c"));
	return 0;
}
