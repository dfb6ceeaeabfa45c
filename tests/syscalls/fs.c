/* Names on a writable file system: mkdir, rename, link, unlink, rmdir, chmod, utimes, mkfifo, locks. */
#include "check.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>

int main(void)
{
	struct stat st;
	struct timespec ts[2] = {{1000000000, 0}, {1234567890, 0}};
	int fd;

	CHECK("mkdir", mkdir("/tmp/cvt-fsd", 0750));
	CHECK("mkdir again", mkdir("/tmp/cvt-fsd", 0750));
	CHECK("mkdir nested missing", mkdir("/tmp/cvt-fsd/a/b", 0755));
	CHECK("mkdir a", mkdir("/tmp/cvt-fsd/a", 0755));
	fd = open("/tmp/cvt-fsd/a/f", O_CREAT | O_WRONLY, 0640);
	CHECK("write", write(fd, "data", 4));
	close(fd);
	CHECK("link", link("/tmp/cvt-fsd/a/f", "/tmp/cvt-fsd/g"));
	stat("/tmp/cvt-fsd/g", &st);
	printf("nlink %ld size %ld\n", (long)st.st_nlink, (long)st.st_size);
	CHECK("link to dir", link("/tmp/cvt-fsd/a", "/tmp/cvt-fsd/h"));
	CHECK("rename file", rename("/tmp/cvt-fsd/g", "/tmp/cvt-fsd/a/g2"));
	CHECK("old name gone", access("/tmp/cvt-fsd/g", F_OK));
	CHECK("rename dir into itself", rename("/tmp/cvt-fsd/a", "/tmp/cvt-fsd/a/sub"));
	CHECK("rename dir", rename("/tmp/cvt-fsd/a", "/tmp/cvt-fsd/b"));
	CHECK("rmdir non-empty", rmdir("/tmp/cvt-fsd/b"));
	CHECK("unlink dir", unlink("/tmp/cvt-fsd/b"));
	CHECK("rmdir file", rmdir("/tmp/cvt-fsd/b/f"));
	CHECK("chmod", chmod("/tmp/cvt-fsd/b/f", 0600));
	stat("/tmp/cvt-fsd/b/f", &st);
	printf("mode %o\n", st.st_mode & 07777);
	CHECK("utimensat", utimensat(AT_FDCWD, "/tmp/cvt-fsd/b/f", ts, 0));
	stat("/tmp/cvt-fsd/b/f", &st);
	printf("atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
	CHECK("rename over file", rename("/tmp/cvt-fsd/b/f", "/tmp/cvt-fsd/b/g2"));
	stat("/tmp/cvt-fsd/b/g2", &st);
	printf("nlink after replace %ld\n", (long)st.st_nlink);
	CHECK("renameat2 NOREPLACE", renameat2(AT_FDCWD, "/tmp/cvt-fsd/b/g2", AT_FDCWD, "/tmp/cvt-fsd/b", RENAME_NOREPLACE));
	CHECK("mkfifo", mkfifo("/tmp/cvt-fsd/fifo", 0600));
	stat("/tmp/cvt-fsd/fifo", &st);
	printf("fifo %d\n", S_ISFIFO(st.st_mode));
	CHECK("open fifo nonblock write, no reader", open("/tmp/cvt-fsd/fifo", O_WRONLY | O_NONBLOCK));
	fd = open("/tmp/cvt-fsd/b/g2", O_RDWR);
	CHECK("flock ex", flock(fd, LOCK_EX));
	{
		int fd2 = open("/tmp/cvt-fsd/b/g2", O_RDWR);

		CHECK("flock ex nb, other description", flock(fd2, LOCK_EX | LOCK_NB));
		CHECK("flock un", flock(fd, LOCK_UN));
		CHECK("flock ex nb now", flock(fd2, LOCK_EX | LOCK_NB));
		close(fd2);
	}
	CHECK("unlink", unlink("/tmp/cvt-fsd/b/g2"));
	CHECK("fstat after unlink", fstat(fd, &st));
	printf("nlink after unlink %ld\n", (long)st.st_nlink);
	close(fd);
	CHECK("rmdir", rmdir("/tmp/cvt-fsd/b"));
	CHECK("write to the read-only side of a path", open("/proc/self/status", O_WRONLY) >= 0);
	return 0;
}
