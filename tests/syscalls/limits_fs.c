/*
 * Running out: RLIMIT_NOFILE gives EMFILE; a size- and inode-limited tmpfs
 * gives ENOSPC, for new files and for data; RLIMIT_FSIZE cuts a write short
 * at the limit, then gives EFBIG and SIGXFSZ, for truncate too.
 */
#define _GNU_SOURCE
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile int xfsz;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

int main(void)
{
	struct rlimit rl = {64, 64};
	static char buf[4096];
	char name[64];
	int n, fd, err;
	long total = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	for (n = 0; (fd = open("/dev/null", O_RDONLY)) >= 0; n++)
		;
	printf("fds opened under a limit of 64: %d, then %s\n", n, strerrorname_np(errno));
	printf("dup: %s\n", dup(0) < 0 ? strerrorname_np(errno) : "ok");
	printf("dup2 to 64: %s\n", dup2(0, 64) < 0 ? strerrorname_np(errno) : "ok");
	printf("F_DUPFD from 10: %s\n", fcntl(0, F_DUPFD, 10) < 0 ? strerrorname_np(errno) : "ok");
	for (fd = 3; fd < 64; fd++)
		close(fd);

	/*
	 * Natively a mount namespace of its own or nothing (never the host's
	 * mounts); the sandbox is one already, and refuses a new one (in_cvisor).
	 */
	if ((unshare(CLONE_NEWNS) < 0 && !in_cvisor()) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		printf("no private mount namespace: nothing mounted\n");
		return 0;
	}
	mkdir("/tmp/cvt-small", 0755);
	printf("mount: %d\n", mount("none", "/tmp/cvt-small", "tmpfs", 0, "size=64k,nr_inodes=20"));
	for (n = 0;; n++) {
		snprintf(name, sizeof(name), "/tmp/cvt-small/f%d", n);
		fd = open(name, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			break;
		close(fd);
	}
	err = errno;
	printf("files made: %d, then %s\n", n, strerrorname_np(err));
	printf("mkdir: %s\n", mkdir("/tmp/cvt-small/d", 0755) < 0 ? strerrorname_np(errno) : "ok");
	unlink("/tmp/cvt-small/f0");
	fd = open("/tmp/cvt-small/big", O_CREAT | O_WRONLY, 0644);
	for (;;) {
		ssize_t w = write(fd, buf, sizeof(buf));

		if (w <= 0) {
			printf("wrote %ld bytes, then %s\n", total, w < 0 ? strerrorname_np(errno) : "0");
			break;
		}
		total += w;
	}
	close(fd);
	printf("after unlinking it: %s\n", unlink("/tmp/cvt-small/big") ? strerrorname_np(errno) : "ok");
	fd = open("/tmp/cvt-small/again", O_CREAT | O_WRONLY, 0644);
	printf("a file again: %s, write %zd\n", fd < 0 ? strerrorname_np(errno) : "ok", write(fd, buf, 100));
	close(fd);

	signal(SIGXFSZ, on_xfsz);
	rl = (struct rlimit){1000, RLIM_INFINITY};
	setrlimit(RLIMIT_FSIZE, &rl);
	fd = open("/tmp/cvt-fsize", O_CREAT | O_TRUNC | O_RDWR, 0644);
	printf("write 4096 under RLIMIT_FSIZE 1000: %zd\n", write(fd, buf, sizeof(buf)));
	n = (int)write(fd, buf, 10);
	err = errno;
	printf("write past it: %d %s, SIGXFSZ %d\n", n, strerrorname_np(err), xfsz);
	printf("pwrite inside it: %zd\n", pwrite(fd, buf, 10, 0));
	n = ftruncate(fd, 2000);
	err = errno;
	printf("ftruncate to 2000: %d %s, SIGXFSZ %d\n", n, strerrorname_np(err), xfsz);
	printf("ftruncate to 500: %d\n", ftruncate(fd, 500));
	/* fallocate growing the file past the limit fails the same way; inside it, or keeping the size, works. */
	n = fallocate(fd, 0, 0, 2000);
	err = errno;
	printf("fallocate to 2000: %d %s, SIGXFSZ %d\n", n, n ? strerrorname_np(err) : "-", xfsz);
	printf("fallocate to 800: %d\n", fallocate(fd, 0, 0, 800));
	n = fallocate(fd, 0, INT64_MAX - 5, 10);
	err = errno;
	printf("fallocate past any size: %d %s, SIGXFSZ %d\n", n, n ? strerrorname_np(err) : "-", xfsz);
	close(fd);
	unlink("/tmp/cvt-fsize");
	return 0;
}
