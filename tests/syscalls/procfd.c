/*
 * /proc/self/fd/N and /dev/std{in,out,err} as Linux's magic links: opening
 * one opens the file behind the fd anew (a new end of a pipe, ENXIO for a
 * socket or an eventfd, the same inode for a regular file even once it is
 * unlinked), stat follows to that inode, readlink gives Linux's names, and
 * the links' modes show how each fd is open.  Also the openat2 rules for
 * magic links.
 *
 * Printed: contents, errnos, file types, mode bits, name prefixes; never
 * inode numbers.
 */
#include "check.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static char path[64];

static const char *fdpath(int fd)
{
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}

/* readlink of fd's link, cut to n bytes (the part that does not hold an inode number). */
static void show_link(const char *what, int fd, size_t n)
{
	char buf[256];
	ssize_t len = readlink(fdpath(fd), buf, sizeof(buf) - 1);

	if (len < 0) {
		printf("%s readlink = -1 %s\n", what, errname(errno));
		return;
	}
	buf[len] = 0;
	if ((size_t)len > n)
		buf[n] = 0;
	printf("%s readlink = %s\n", what, buf);
}

static const char *type_of(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "link" : S_ISCHR(m) ? "chr" :
	       S_ISFIFO(m) ? "fifo" : S_ISSOCK(m) ? "sock" : "other";
}

/* stat through the link: the type, and whether it is the very inode fstat of the fd gives. */
static void show_stat(const char *what, int fd)
{
	struct stat a, b;

	if (stat(fdpath(fd), &a) < 0) {
		printf("%s stat = -1 %s\n", what, errname(errno));
		return;
	}
	fstat(fd, &b);
	printf("%s stat = %s same=%d\n", what, type_of(a.st_mode), a.st_ino == b.st_ino && a.st_dev == b.st_dev);
}

static void show_lmode(const char *what, int fd)
{
	struct stat st;

	if (lstat(fdpath(fd), &st) < 0)
		printf("%s lstat = -1 %s\n", what, errname(errno));
	else
		printf("%s lstat = %s %04o\n", what, type_of(st.st_mode), st.st_mode & 07777);
}

static long openat2_(int dirfd, const char *p, int flags, unsigned long long resolve)
{
	struct open_how how = {.flags = (unsigned long long)flags, .resolve = resolve};

	return syscall(SYS_openat2, dirfd, p, &how, sizeof(how));
}

int main(void)
{
	int p[2], s[2], fd, fd2, efd, saved, dfd;
	char buf[64];
	ssize_t n;

	setvbuf(stdout, NULL, _IONBF, 0);

	/* A pipe: the write end's link opened for reading is a new read end, and back. */
	CHECK("pipe", pipe(p));
	show_link("pipe read end", p[0], 6);
	show_stat("pipe read end", p[0]);
	show_lmode("pipe read end", p[0]);
	show_lmode("pipe write end", p[1]);
	fd = open(fdpath(p[1]), O_RDONLY);
	CHECK_OK("open write end O_RDONLY", fd);
	CHECK("write", write(p[1], "hi", 2));
	n = read(fd, buf, sizeof(buf));
	printf("read new reader = %.*s\n", (int)(n > 0 ? n : 0), buf);
	fd2 = open(fdpath(p[0]), O_WRONLY);
	CHECK_OK("open read end O_WRONLY", fd2);
	CHECK("write new writer", write(fd2, "yo", 2));
	n = read(p[0], buf, sizeof(buf));
	printf("read = %.*s\n", (int)(n > 0 ? n : 0), buf);
	close(fd2);
	close(p[1]);
	CHECK("all writers gone: eof", read(fd, buf, sizeof(buf)));
	close(fd);
	close(p[0]);

	/* The same through /dev/stdin and /dev/stderr (fd 2 moved aside for a while). */
	pipe(p);
	saved = dup(0);
	dup2(p[0], 0);
	write(p[1], "in", 2);
	fd = open("/dev/stdin", O_RDONLY);
	CHECK_OK("open /dev/stdin", fd);
	n = read(fd, buf, sizeof(buf));
	printf("read /dev/stdin = %.*s\n", (int)(n > 0 ? n : 0), buf);
	close(fd);
	dup2(saved, 0);
	close(saved);
	saved = dup(2);
	dup2(p[1], 2);
	fd = open("/dev/stderr", O_WRONLY);
	CHECK_OK("open /dev/stderr", fd);
	CHECK("write /dev/stderr", write(fd, "err", 3));
	close(fd);
	fd = open("/dev/fd/2", O_WRONLY | O_APPEND);
	CHECK_OK("open /dev/fd/2", fd);
	close(fd);
	dup2(saved, 2);
	close(saved);
	n = read(p[0], buf, sizeof(buf));
	printf("read what /dev/stderr took = %.*s\n", (int)(n > 0 ? n : 0), buf);
	close(p[0]);
	close(p[1]);

	/* Sockets and event fds cannot be opened again. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	show_link("socket", s[0], 8);
	show_stat("socket", s[0]);
	CHECK("open socket", open(fdpath(s[0]), O_RDWR));
	efd = eventfd(0, 0);
	show_link("eventfd", efd, 64);
	CHECK("open eventfd", open(fdpath(efd), O_RDWR));
	close(s[0]);
	close(s[1]);
	close(efd);
	efd = epoll_create1(0);
	show_link("epoll", efd, 64);
	close(efd);
	/* A memfd's flags, as F_GETFL shows them (the kernel's O_LARGEFILE bit included). */
	efd = memfd_create("procfd", 0);
	CHECK("memfd F_GETFL", fcntl(efd, F_GETFL));
	close(efd);

	/* A regular file, unlinked: still opened again by its link, which says " (deleted)". */
	fd = open("/tmp/cvt-procfd", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "file data", 9);
	show_lmode("rdwr file", fd);
	CHECK("unlink", unlink("/tmp/cvt-procfd"));
	show_link("unlinked", fd, 64);
	show_stat("unlinked", fd);
	fd2 = open(fdpath(fd), O_RDONLY);
	CHECK_OK("open unlinked", fd2);
	n = read(fd2, buf, sizeof(buf));
	printf("read unlinked = %.*s\n", (int)(n > 0 ? n : 0), buf);
	CHECK("own offset", lseek(fd2, 0, SEEK_CUR));
	CHECK("stat past a file", stat("/proc/self/fd/0/x", &(struct stat){0}) == 0);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d/", fd);
	CHECK("trailing slash", open(buf, O_RDONLY));
	CHECK("O_NOFOLLOW", open(fdpath(fd), O_RDONLY | O_NOFOLLOW));
	close(fd2);

	/* A directory: the walk goes on from it. */
	dfd = open("/etc", O_RDONLY | O_DIRECTORY);
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d/hostname", dfd);
	CHECK_OK("walk on from a dir fd", access(buf, R_OK));
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d/..", dfd);
	fd2 = open(buf, O_RDONLY | O_DIRECTORY);
	CHECK_OK("dot-dot from a dir fd", fd2);
	show_link("dot-dot", fd2, 64);
	close(fd2);

	/* openat2: magic links refused under NO_MAGICLINKS (ELOOP), BENEATH and IN_ROOT (EXDEV). */
	fd2 = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	snprintf(buf, sizeof(buf), "%d", fd);
	CHECK_OK("openat2 plain", (fd2 >= 0 && (n = openat2_(fd2, buf, O_RDONLY, 0)) >= 0) ? close((int)n) : -1);
	CHECK("openat2 NO_MAGICLINKS", openat2_(fd2, buf, O_RDONLY, RESOLVE_NO_MAGICLINKS));
	CHECK("openat2 NO_SYMLINKS", openat2_(fd2, buf, O_RDONLY, RESOLVE_NO_SYMLINKS));
	CHECK("openat2 BENEATH", openat2_(fd2, buf, O_RDONLY, RESOLVE_BENEATH));
	CHECK("openat2 IN_ROOT", openat2_(fd2, buf, O_RDONLY, RESOLVE_IN_ROOT));
	close(fd2);
	close(fd);

	/* Link modes follow the open mode, O_PATH included. */
	fd = open("/etc/hostname", O_RDONLY);
	show_lmode("rdonly file", fd);
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	show_lmode("wronly dev", fd);
	show_link("wronly dev", fd, 64);
	close(fd);
	fd = open("/etc/hostname", O_PATH);
	show_lmode("O_PATH file", fd);
	close(fd);
	fd = open("/proc/self/cwd", O_RDONLY | O_DIRECTORY);
	CHECK_OK("open cwd link", fd);
	close(fd);
	return 0;
}
