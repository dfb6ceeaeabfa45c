/* Files: open/read/write/seek/stat/dup/fcntl/pipe/getdents/cwd on /tmp and the root. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	char buf[256], *names[64];
	struct stat st;
	struct iovec iov[2];
	int fd, fd2, p[2], n = 0, i;
	DIR *d;
	struct dirent *e;

	mkdir("/tmp/cvt-ft", 0755);
	chdir("/tmp/cvt-ft");
	fd = open("a.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK_OK("open create", fd);
	CHECK("write", write(fd, "hello world\n", 12));
	CHECK("lseek end", lseek(fd, 0, SEEK_END));
	CHECK("lseek set", lseek(fd, 6, SEEK_SET));
	CHECK("read", read(fd, buf, 5));
	printf("read got %.5s\n", buf);
	CHECK("pread", pread(fd, buf, 5, 0));
	printf("pread got %.5s\n", buf);
	CHECK("pwrite", pwrite(fd, "HELLO", 5, 0));
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	iov[1].iov_base = buf + 3;
	iov[1].iov_len = 20;
	lseek(fd, 0, SEEK_SET);
	CHECK("readv", readv(fd, iov, 2));
	printf("readv got %.12s", buf);
	iov[0].iov_base = "ab";
	iov[0].iov_len = 2;
	iov[1].iov_base = "cd\n";
	iov[1].iov_len = 3;
	CHECK("writev", writev(fd, iov, 2));
	CHECK("fstat", fstat(fd, &st));
	printf("size %ld mode %o nlink %ld\n", (long)st.st_size, st.st_mode, (long)st.st_nlink);
	CHECK("ftruncate", ftruncate(fd, 3));
	fstat(fd, &st);
	printf("size after truncate %ld\n", (long)st.st_size);
	CHECK("stat root", stat("/", &st));
	printf("root is dir %d\n", S_ISDIR(st.st_mode));
	CHECK("lstat /bin", lstat("/bin", &st));
	printf("/bin is link %d\n", S_ISLNK(st.st_mode));
	CHECK("newfstatat AT_EMPTY_PATH", fstatat(fd, "", &st, AT_EMPTY_PATH));
	{
		struct statx sx;

		CHECK("statx", statx(AT_FDCWD, "a.txt", 0, STATX_BASIC_STATS, &sx));
		printf("statx size %llu\n", (unsigned long long)sx.stx_size);
	}

	/* fds */
	fd2 = dup(fd);
	CHECK("dup > fd", fd2 > fd);
	CHECK("dup2", dup2(fd, 20));
	CHECK("dup3 cloexec", dup3(fd, 21, O_CLOEXEC));
	CHECK("F_GETFD 21", fcntl(21, F_GETFD));
	CHECK("F_GETFD 20", fcntl(20, F_GETFD));
	CHECK("F_SETFD", fcntl(20, F_SETFD, FD_CLOEXEC));
	CHECK("F_GETFD 20 after", fcntl(20, F_GETFD));
	CHECK("F_GETFL", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE));
	CHECK("F_SETFL append", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	CHECK("F_GETFL after", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_LARGEFILE));
	CHECK("F_DUPFD_CLOEXEC >= 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	close(fd2);
	close(20);
	close(21);
	close(30);

	/* pipes */
	CHECK("pipe2", pipe2(p, O_CLOEXEC));
	CHECK("pipe write", write(p[1], "through the pipe", 16));
	CHECK("pipe read", read(p[0], buf, sizeof(buf)));
	close(p[1]);
	CHECK("pipe eof", read(p[0], buf, sizeof(buf)));
	close(p[0]);
	CHECK("pipe2 nonblock", pipe2(p, O_NONBLOCK));
	CHECK("empty nonblock read", read(p[0], buf, 1));

	/* directories */
	for (i = 0; i < 5; i++) {
		snprintf(buf, sizeof(buf), "f%d", i);
		close(open(buf, O_CREAT | O_WRONLY, 0600));
	}
	d = opendir(".");
	while ((e = readdir(d)) && n < 64)
		names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp);
	for (i = 0; i < n; i++)
		printf("entry %s\n", names[i]);

	/* cwd, access, readlink */
	CHECK_OK("getcwd", getcwd(buf, sizeof(buf)) ? 0 : -1);
	printf("cwd %s\n", buf);
	CHECK("chdir ..", chdir(".."));
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	CHECK("access R_OK", access("/etc/passwd", R_OK));
	CHECK("access X_OK on a file", access("/etc/passwd", X_OK));
	CHECK("faccessat2 W_OK", syscall(SYS_faccessat2, AT_FDCWD, "/tmp", W_OK, 0));
	CHECK("readlink /bin", readlink("/bin", buf, sizeof(buf)));
	printf("link /bin -> %.7s\n", buf);
	CHECK("symlink", symlink("ft/a.txt", "/tmp/cvt-ln"));
	CHECK("readlink new", readlink("/tmp/cvt-ln", buf, sizeof(buf)));
	CHECK("open through link", open("/tmp/cvt-ln", O_RDONLY) >= 0);
	CHECK("O_NOFOLLOW on link", open("/tmp/cvt-ln", O_RDONLY | O_NOFOLLOW));
	CHECK("O_EXCL existing", open("/tmp/cvt-ln", O_RDONLY | O_CREAT | O_EXCL, 0600));
	return 0;
}
