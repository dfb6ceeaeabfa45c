/*
 * File writes through the gofer (--overlay=none), call by call: run in an
 * empty scratch directory (its cwd), natively and under cvisor with that
 * directory inside the root, and the two outputs compared (tests/gofer/run.sh
 * also compares what each left on the host).  Built static: the sandbox's
 * root holds nothing else.
 */
#include "../syscalls/check.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

static void put(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("put %s failed: %s\n", name, errname(errno));
	if (fd >= 0)
		close(fd);
}

/* Prints the file's bytes, NULs as '.', or the error. */
static void show(const char *what, int fd)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf), 0), i;

	if (n < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	for (i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '.';
	printf("%s: \"%.*s\"\n", what, (int)n, buf);
}

static void show_path(const char *what, const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0) {
		printf("%s: open -1 %s\n", what, errname(errno));
		return;
	}
	show(what, fd);
	close(fd);
}

static void mode_of(const char *what, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		printf("%s: -1 %s\n", what, errname(errno));
	else
		printf("%s: mode %o nlink %lu size %ld\n", what, st.st_mode, (unsigned long)st.st_nlink,
		       (long)st.st_size);
}

/*
 * Looks at 40 other files: run with few host fds kept (--gofer-fds=16),
 * the sandbox then closes the fds of idle files and must walk to them
 * again later.
 */
static void churn(void)
{
	char name[32];
	struct stat st;
	int i, fd;

	mkdir("churn", 0755);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "churn/%d", i);
		fd = open(name, O_RDONLY | O_CREAT, 0644);
		if (fd >= 0)
			close(fd);
		stat(name, &st);
	}
}

static int names(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n++;
	closedir(d);
	return n;
}

int main(void)
{
	struct stat st;
	struct statfs sf;
	int fd, fd2;
	char *m;

	umask(022);

	/* Creating: O_EXCL, O_CREAT through a symlink, O_TRUNC, O_APPEND. */
	fd = open("x1", O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK_OK("open O_CREAT|O_EXCL", fd);
	CHECK("write", write(fd, "abc", 3));
	CHECK("pwrite past the end", pwrite(fd, "Z", 1, 10));
	CHECK("fstat size", fstat(fd, &st) == 0 ? st.st_size : -1);
	show("x1", fd);
	CHECK("O_EXCL on an existing name", open("x1", O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK("symlink", symlink("x1", "sl"));
	CHECK("O_EXCL on a symlink", open("sl", O_RDWR | O_CREAT | O_EXCL, 0600));
	fd2 = open("sl", O_WRONLY | O_APPEND | O_CREAT, 0600);
	CHECK_OK("O_CREAT|O_APPEND through a symlink", fd2);
	CHECK("append", write(fd2, "end", 3));
	close(fd2);
	show("x1 appended", fd);
	fd2 = open("x1", O_WRONLY | O_TRUNC);
	CHECK("O_TRUNC then write", write(fd2, "new", 3));
	close(fd2);
	show("x1 truncated", fd);
	CHECK("ftruncate up", ftruncate(fd, 5));
	show("x1 ftruncated", fd);
	CHECK("fsync", fsync(fd));
	CHECK("fdatasync", fdatasync(fd));
	CHECK("fchmod", fchmod(fd, 0640));
	CHECK("fchown to self", fchown(fd, getuid(), getgid()));
	mode_of("x1", "x1");
	close(fd);

	/* A mapping of the file sees writes made through a descriptor. */
	put("map", "0123456789");
	fd = open("map", O_RDWR);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_OK("mmap MAP_SHARED read-only", m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED) {
		printf("mapped before: %.10s\n", m);
		CHECK("pwrite under the mapping", pwrite(fd, "AB", 2, 3));
		printf("mapped after: %.10s\n", m);
		munmap(m, 4096);
	}
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED) {
		pwrite(fd, "cd", 2, 5);
		printf("private mapping after a write: %.10s\n", m);
		munmap(m, 4096);
	}
	close(fd);

	/* A mapping outlives its fd and its name: pages not read yet still come from the old file. */
	fd = open("big", O_RDWR | O_CREAT, 0644);
	{
		static char page[4096];
		int i;

		for (i = 0; i < 64; i++) {
			memset(page, 'a' + i % 26, sizeof(page));
			write(fd, page, sizeof(page));
		}
	}
	m = mmap(NULL, 64 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	put("other", "other");
	CHECK("rename over a mapped file", rename("other", "big"));
	churn();
	if (m != MAP_FAILED) {
		printf("first and last mapped pages: %c %c\n", m[0], m[63 * 4096]);
		munmap(m, 64 * 4096);
	}

	/* Renames: plain, NOREPLACE, EXCHANGE, over a file held open, a directory with a file open in it. */
	put("r1", "one");
	put("r2", "two");
	CHECK("rename", rename("r1", "r3"));
	CHECK("renameat2 NOREPLACE onto a name", syscall(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r2", RENAME_NOREPLACE));
	CHECK("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "r3", AT_FDCWD, "r4", RENAME_NOREPLACE));
	CHECK("renameat2 EXCHANGE", syscall(SYS_renameat2, AT_FDCWD, "r4", AT_FDCWD, "r2", RENAME_EXCHANGE));
	show_path("r2 after the exchange", "r2");
	show_path("r4 after the exchange", "r4");
	CHECK("renameat2 EXCHANGE with a missing name", syscall(SYS_renameat2, AT_FDCWD, "r4", AT_FDCWD, "r9", RENAME_EXCHANGE));
	fd = open("r2", O_RDONLY);
	CHECK("rename over a file held open", rename("r4", "r2"));
	show("the held file", fd);
	show_path("the new r2", "r2");
	close(fd);
	CHECK("mkdir", mkdir("dir", 0777));
	mode_of("dir", "dir");
	put("dir/inner", "inside");
	fd = open("dir/inner", O_RDONLY);
	CHECK("rename a directory", rename("dir", "dir2"));
	show("open file in the moved directory", fd);
	close(fd);
	show_path("by the new path", "dir2/inner");
	show_path("by the old path", "dir/inner");
	CHECK("mkdir a subdirectory", mkdir("dir2/sub", 0700));
	put("dir2/sub/deep", "deep");
	CHECK("rename the parent again", rename("dir2", "dir3"));
	show_path("deep through the twice-moved parent", "dir3/sub/deep");
	CHECK("rename a file into a subdirectory", rename("map", "dir3/sub/map"));
	CHECK("rename a directory into itself", rename("dir3", "dir3/sub/x"));
	CHECK("rename a directory over a non-empty one", (mkdir("full", 0755), put("full/f", "f"), rename("dir3/sub", "full")));

	/* Removing: a file held open, directories empty and not. */
	put("gone", "still here");
	fd = open("gone", O_RDONLY);
	CHECK("unlink a file held open", unlink("gone"));
	show("read after unlink", fd);
	CHECK("fstat nlink after unlink", fstat(fd, &st) == 0 ? (long)st.st_nlink : -1);
	close(fd);
	CHECK("stat the removed name", stat("gone", &st));
	CHECK("rmdir non-empty", rmdir("full"));
	CHECK("unlink a directory", unlink("full"));
	CHECK("rmdir a file", rmdir("full/f"));
	CHECK("unlink", unlink("full/f"));
	CHECK("rmdir", rmdir("full"));
	CHECK("rmdir again", rmdir("full"));

	/* Hard links. */
	put("l1", "linked");
	CHECK("link", link("l1", "l2"));
	mode_of("l1", "l1");
	CHECK("unlink the first name", unlink("l1"));
	churn();
	show_path("through the second", "l2");
	mode_of("l2", "l2");
	CHECK("link onto an existing name", link("l2", "r2"));
	CHECK("link a directory", link("dir3", "dir4"));
	CHECK("link a symlink", link("sl", "sl2"));
	mode_of("sl2", "sl2");

	/* Attributes. */
	CHECK("chmod", chmod("l2", 0604));
	CHECK("chmod through a symlink", chmod("sl", 0664));
	mode_of("x1 via sl", "x1");
	CHECK("truncate", truncate("l2", 3));
	show_path("l2 truncated", "l2");
	{
		struct timespec ts[2] = {{1000000000, 0}, {1200000000, 500}};

		CHECK("utimensat", utimensat(AT_FDCWD, "l2", ts, 0));
		CHECK("stat mtime", stat("l2", &st) == 0 ? st.st_mtim.tv_sec : -1);
		CHECK("stat atime", stat("l2", &st) == 0 ? st.st_atim.tv_sec : -1);
		CHECK("utimensat on a symlink itself", utimensat(AT_FDCWD, "sl", ts, AT_SYMLINK_NOFOLLOW));
		CHECK("lstat mtime", lstat("sl", &st) == 0 ? st.st_mtim.tv_sec : -1);
	}
	CHECK("mkfifo", mkfifo("fifo", 0640));
	mode_of("fifo", "fifo");

	/* Extended attributes ("user." ones reach the file on the host: run.sh lists them). */
	{
		char v[32] = "";

		CHECK("setxattr", setxattr("l2", "user.one", "1", 1, 0));
		CHECK("setxattr XATTR_CREATE on an existing one", setxattr("l2", "user.one", "x", 1, XATTR_CREATE));
		CHECK("setxattr XATTR_REPLACE of a missing one", setxattr("l2", "user.none", "x", 1, XATTR_REPLACE));
		CHECK("setxattr a second", setxattr("l2", "user.two", "22", 2, XATTR_CREATE));
		CHECK("setxattr on a directory", setxattr("dir3", "user.d", "dd", 2, 0));
		CHECK("getxattr", getxattr("l2", "user.two", v, sizeof(v)));
		printf("value: %s\n", v);
		CHECK("removexattr", removexattr("l2", "user.one"));
		CHECK("removexattr again", removexattr("l2", "user.one"));
		CHECK("listxattr size", listxattr("l2", NULL, 0));
		CHECK("lsetxattr on a symlink", lsetxattr("sl", "user.l", "l", 1, 0));
	}

	/* A listing made after the changes shows them. */
	CHECK("entries", names("."));
	CHECK("entries in dir3/sub", names("dir3/sub"));
	CHECK_OK("statfs", statfs(".", &sf));
	return 0;
}
