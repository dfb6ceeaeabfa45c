/*
 * Files, the first slice: open/read/write/lseek/pread/pwrite/readv/writev,
 * the stat family, getdents64, dup/dup2/dup3/fcntl, pipe2, getcwd/chdir,
 * faccessat/faccessat2 and readlink, on the read-only root and on files
 * created in /tmp.  No mkdir, symlink or unlink here (tmpfs.c has those):
 * this must pass as soon as plain file creation works.
 *
 * Only stable values are printed: sizes of files made here, mode type
 * bits, link counts; never inode numbers, times or host file sizes.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <termios.h>

/* The layout getdents64(2) fills in; glibc has no declaration of its own. */
struct dirent64_raw {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *type_of(mode_t m)
{
	return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "link" :
	       S_ISCHR(m) ? "chr" : S_ISFIFO(m) ? "fifo" : "other";
}

/*
 * Lists the entries of DIR whose names start with PREFIX, sorted (the
 * order getdents64 returns is the file system's own), with their d_type.
 * A small buffer makes the listing take several calls.
 */
static void list(const char *dir, const char *prefix)
{
	char buf[256], *names[64];
	int fd, n = 0, i;
	long len, pos;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	while ((len = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len;) {
			struct dirent64_raw *d = (void *)(buf + pos);
			char line[300];

			pos += d->d_reclen;
			if (strncmp(d->d_name, prefix, strlen(prefix)) || n == 64)
				continue;
			snprintf(line, sizeof(line), "%s type %d", d->d_name, d->d_type);
			names[n++] = strdup(line);
		}
	}
	CHECK("getdents64 at the end", len);
	close(fd);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (i = 0; i < n; i++)
		printf("  %s\n", names[i]);
}

int main(void)
{
	char buf[256];
	struct stat st;
	struct statx sx;
	struct iovec iov[3];
	int fd, fd2, p[2], i;

	printf("-- read, write, seek\n");
	fd = open("/tmp/cvt-files-a", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK("open O_CREAT", fd);
	CHECK("write", write(fd, "hello world\n", 12));
	CHECK("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR));
	CHECK("lseek SEEK_END", lseek(fd, 0, SEEK_END));
	CHECK("lseek SEEK_SET 6", lseek(fd, 6, SEEK_SET));
	CHECK("read 5", read(fd, buf, 5));
	printf("read got '%.5s'\n", buf);
	CHECK("read at EOF-1 asks 100", read(fd, buf, 100));
	CHECK("read at EOF", read(fd, buf, 100));
	CHECK("pread 5 at 0", pread(fd, buf, 5, 0));
	printf("pread got '%.5s'\n", buf);
	CHECK("pread past EOF", pread(fd, buf, 5, 1000));
	CHECK("offset unchanged by pread", lseek(fd, 0, SEEK_CUR));
	CHECK("pwrite at 0", pwrite(fd, "HELLO", 5, 0));
	CHECK("lseek past EOF", lseek(fd, 20, SEEK_SET));
	CHECK("write after a gap", write(fd, "!", 1));
	CHECK("pread across the gap", pread(fd, buf, 32, 10));
	for (i = 0; i < 11; i++)
		printf("%02x", (unsigned char)buf[i]);
	printf("\n");
	CHECK("lseek SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
	CHECK("lseek SEEK_HOLE past EOF", lseek(fd, 100, SEEK_HOLE));

	printf("-- readv, writev\n");
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){buf, 3};
	iov[1] = (struct iovec){buf + 100, 0};
	iov[2] = (struct iovec){buf + 3, 20};
	CHECK("readv", readv(fd, iov, 3));
	printf("readv got '%.11s'\n", buf);
	iov[0] = (struct iovec){"ab", 2};
	iov[1] = (struct iovec){"", 0};
	iov[2] = (struct iovec){"cd\n", 3};
	CHECK("writev", writev(fd, iov, 3));
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){buf, 2};
	iov[1] = (struct iovec){buf + 2, 10};
	CHECK("preadv at 21", preadv(fd, iov, 2, 21));
	printf("preadv got '%.4s'\n", buf);
	iov[0] = (struct iovec){"ab", 2};
	CHECK("pwritev at 1", pwritev(fd, iov, 1, 1));

	printf("-- stat\n");
	CHECK("fstat", fstat(fd, &st));
	printf("fstat %s size %ld mode %o nlink %ld\n", type_of(st.st_mode), (long)st.st_size,
	       st.st_mode & 07777, (long)st.st_nlink);
	CHECK("ftruncate 3", ftruncate(fd, 3));
	fstat(fd, &st);
	printf("size after ftruncate %ld\n", (long)st.st_size);
	CHECK("newfstatat", fstatat(AT_FDCWD, "/tmp/cvt-files-a", &st, 0));
	printf("size %ld %s\n", (long)st.st_size, type_of(st.st_mode));
	CHECK("newfstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH));
	printf("size %ld %s\n", (long)st.st_size, type_of(st.st_mode));
	CHECK("stat /", stat("/", &st));
	printf("/ is %s\n", type_of(st.st_mode));
	CHECK("stat /etc/passwd", stat("/etc/passwd", &st));
	printf("/etc/passwd is %s, mode %o\n", type_of(st.st_mode), st.st_mode & 07777);
	/* Debian 12 has a merged /usr: /bin is a symlink to usr/bin. */
	CHECK("lstat /bin", lstat("/bin", &st));
	printf("/bin is %s\n", type_of(st.st_mode));
	CHECK("stat /bin", stat("/bin", &st));
	printf("/bin followed is %s\n", type_of(st.st_mode));
	CHECK("stat /dev/null", stat("/dev/null", &st));
	printf("/dev/null is %s, rdev %u:%u\n", type_of(st.st_mode), major(st.st_rdev), minor(st.st_rdev));
	CHECK("statx", statx(AT_FDCWD, "/tmp/cvt-files-a", 0, STATX_BASIC_STATS, &sx));
	printf("statx has size,type,nlink %d size %llu %s nlink %u\n",
	       (sx.stx_mask & (STATX_SIZE | STATX_TYPE | STATX_NLINK)) == (STATX_SIZE | STATX_TYPE | STATX_NLINK),
	       (unsigned long long)sx.stx_size, type_of(sx.stx_mode), sx.stx_nlink);
	CHECK("statx AT_EMPTY_PATH", statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx));
	printf("statx size %llu\n", (unsigned long long)sx.stx_size);
	CHECK("statx AT_SYMLINK_NOFOLLOW /bin", statx(AT_FDCWD, "/bin", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx));
	printf("statx /bin is %s\n", type_of(sx.stx_mode));

	printf("-- directories\n");
	for (i = 4; i >= 0; i--) {
		snprintf(buf, sizeof(buf), "/tmp/cvt-files-d%d", i);
		close(open(buf, O_CREAT | O_WRONLY, 0600));
	}
	list("/tmp", "cvt-files-");
	/* /dev is the sandbox's own; these few are in every /dev. */
	fd2 = open("/dev", O_RDONLY | O_DIRECTORY);
	CHECK("getdents64 /dev", syscall(SYS_getdents64, fd2, buf, sizeof(buf)) > 0);
	close(fd2);
	list("/dev", "null");
	list("/dev", "zero");

	printf("-- fds\n");
	fd2 = dup(fd);
	CHECK("dup gives the lowest free", fd2 == fd + 1);
	CHECK("dup shares the offset", lseek(fd, 1, SEEK_SET) == lseek(fd2, 0, SEEK_CUR));
	CHECK("dup2", dup2(fd, 20));
	CHECK("dup2 onto itself", dup2(fd, fd) == fd);
	CHECK("dup3 O_CLOEXEC", dup3(fd, 21, O_CLOEXEC));
	CHECK("F_GETFD of dup3", fcntl(21, F_GETFD));
	CHECK("F_GETFD of dup2", fcntl(20, F_GETFD));
	CHECK("F_SETFD", fcntl(20, F_SETFD, FD_CLOEXEC));
	CHECK("F_GETFD after", fcntl(20, F_GETFD));
	CHECK("dup2 over an open fd", dup2(fd, 21));
	CHECK("F_GETFD: dup2 clears FD_CLOEXEC", fcntl(21, F_GETFD));
	CHECK("F_GETFL", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	CHECK("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	CHECK("F_GETFL after", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	CHECK("F_GETFL of the dup (shared)", fcntl(fd2, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK));
	CHECK("pwrite with O_APPEND writes at the end", pwrite(fd, "Z", 1, 0) == 1 && lseek(fd, 0, SEEK_END) == 4);
	/* F_SETFL cannot change the access mode. */
	CHECK("F_SETFL O_RDONLY", fcntl(fd, F_SETFL, O_RDONLY));
	CHECK("F_GETFL still O_RDWR", fcntl(fd, F_GETFL) & O_ACCMODE);
	CHECK("F_DUPFD 30", fcntl(fd, F_DUPFD, 30));
	CHECK("F_DUPFD_CLOEXEC 30 (taken)", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	CHECK("F_GETFD 31", fcntl(31, F_GETFD));
	CHECK("close 31", close(31));
	CHECK("close 31 again", close(31));
	close(fd2);
	close(20);
	close(21);
	close(30);
	close(fd);
	fd = open("/etc/passwd", O_RDONLY);
	CHECK("ioctl TCGETS on a file", ioctl(fd, TCGETS, buf));
	CHECK("ioctl TIOCGWINSZ on a file", ioctl(fd, TIOCGWINSZ, buf));
	CHECK("ioctl FIONREAD on a pipe", pipe(p) == 0 && write(p[1], "12345", 5) == 5 && ioctl(p[0], FIONREAD, &i) == 0 ? i : -1);
	close(p[0]);
	close(p[1]);
	close(fd);

	printf("-- pipes\n");
	CHECK("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
	CHECK("F_GETFD read end", fcntl(p[0], F_GETFD));
	CHECK("pipe write", write(p[1], "through the pipe", 16));
	CHECK("pipe read 7", read(p[0], buf, 7));
	CHECK("pipe read the rest", read(p[0], buf + 7, sizeof(buf) - 7));
	printf("pipe got '%.16s'\n", buf);
	close(p[1]);
	CHECK("pipe read at EOF", read(p[0], buf, sizeof(buf)));
	close(p[0]);
	CHECK("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
	CHECK("F_GETFL", fcntl(p[0], F_GETFL) & (O_ACCMODE | O_NONBLOCK));
	CHECK("empty pipe, nonblocking read", read(p[0], buf, 1));
	close(p[0]);
	CHECK("write, no reader left", (signal(SIGPIPE, SIG_IGN), write(p[1], "x", 1)));
	close(p[1]);

	printf("-- cwd, access, readlink\n");
	CHECK("chdir /tmp", chdir("/tmp"));
	CHECK_OK("getcwd", getcwd(buf, sizeof(buf)) ? 0 : -1);
	printf("cwd %s\n", buf);
	CHECK("relative open", (fd = open("cvt-files-a", O_RDONLY)) >= 0);
	CHECK("openat relative to a dir fd", (fd2 = open("/usr", O_RDONLY | O_DIRECTORY),
					     fd = openat(fd2, "bin/env", O_RDONLY)) >= 0);
	close(fd);
	CHECK("fchdir /usr", fchdir(fd2));
	close(fd2);
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	CHECK("chdir ..", chdir(".."));
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	CHECK("chdir ../..", chdir("../.."));
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	CHECK("getcwd size exact", syscall(SYS_getcwd, buf, 2));
	CHECK("access /etc/passwd R_OK", access("/etc/passwd", R_OK));
	CHECK("access /etc/passwd X_OK", access("/etc/passwd", X_OK));
	CHECK("access /usr/bin/env X_OK", access("/usr/bin/env", X_OK));
	CHECK("faccessat /tmp W_OK", faccessat(AT_FDCWD, "/tmp", W_OK, 0));
	CHECK("faccessat2 AT_EACCESS", syscall(SYS_faccessat2, AT_FDCWD, "/etc/passwd", R_OK, AT_EACCESS));
	CHECK("faccessat2 AT_SYMLINK_NOFOLLOW", syscall(SYS_faccessat2, AT_FDCWD, "/bin", F_OK, AT_SYMLINK_NOFOLLOW));
	CHECK("readlink /bin", readlink("/bin", buf, sizeof(buf)));
	printf("/bin -> %.7s\n", buf);
	CHECK("readlink /bin, short buffer", readlink("/bin", buf, 3));
	printf("truncated to %.3s\n", buf);
	CHECK("readlinkat relative", (fd = open("/", O_RDONLY | O_DIRECTORY), readlinkat(fd, "lib64", buf, sizeof(buf))));
	close(fd);
	return 0;
}
