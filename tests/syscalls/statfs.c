/*
 * statfs/fstatfs: each file system's own type, and a tmpfs's real size
 * limit and usage (a tmpfs mounted here with size= and nr_inodes=, so the
 * figures are the same natively).  The root's figures are the host disk's
 * natively and the sandbox's overlay under cvisor: not compared.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static void show_type(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		printf("%s: %s\n", path, strerrorname_np(errno));
	else
		printf("%s: type %#lx bsize %ld namelen %ld\n", path, (unsigned long)sf.f_type, (long)sf.f_bsize,
		       (long)sf.f_namelen);
}

static void show_fd(const char *what, int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: type %#lx\n", what, (unsigned long)sf.f_type);
}

static void show_small(const char *when)
{
	struct statfs sf;

	if (statfs("/tmp/cvt-statfs", &sf) < 0) {
		printf("%s: %s\n", when, strerrorname_np(errno));
		return;
	}
	printf("%s: type %#lx blocks %lu free %lu avail %lu files %lu ffree %lu flags %#lx\n", when,
	       (unsigned long)sf.f_type, (unsigned long)sf.f_blocks, (unsigned long)sf.f_bfree,
	       (unsigned long)sf.f_bavail, (unsigned long)sf.f_files, (unsigned long)sf.f_ffree,
	       (unsigned long)sf.f_flags);
}

int main(void)
{
	static char buf[3 * 4096];
	int fd, p[2], s[2];

	setvbuf(stdout, NULL, _IONBF, 0);
	show_type("/proc");
	show_type("/proc/self");
	show_type("/sys");
	show_type("/sys/devices/system/cpu");
	show_type("/dev/pts");
	show_type("/dev/shm");
	show_type("/tmp");
	show_type("/nonexistent");
	pipe(p);
	show_fd("pipe", p[0]);
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	show_fd("socket", s[0]);
	fd = open("/proc/self/status", O_RDONLY);
	show_fd("proc file", fd);
	close(fd);

	if (unshare(CLONE_NEWNS) == 0)
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mkdir("/tmp/cvt-statfs", 0755);
	printf("mount: %d\n", mount("none", "/tmp/cvt-statfs", "tmpfs", 0, "size=1m,nr_inodes=50"));
	show_small("empty");
	fd = open("/tmp/cvt-statfs/f", O_CREAT | O_RDWR, 0644);
	write(fd, buf, sizeof(buf));
	mkdir("/tmp/cvt-statfs/d", 0755);
	show_small("a 12k file and a directory");
	show_fd("fstatfs of the file", fd);
	ftruncate(fd, 0);
	show_small("truncated");
	close(fd);
	mount(NULL, "/tmp/cvt-statfs", NULL, MS_REMOUNT | MS_RDONLY, NULL);
	show_small("read-only");
	return 0;
}
