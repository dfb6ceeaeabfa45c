/*
 * Names on the sandbox's writable /tmp: mkdir, symlink, readlink, unlink,
 * rmdir, and what a path walk does with them (links followed or not, "..",
 * loops, a removed cwd, an open file that lost its name).  fs.c goes on
 * with rename, link, chmod, times, FIFOs and locks.
 */
#include "check.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the names in DIR except . and .., sorted, with their d_type. */
static void list(const char *dir)
{
	struct {
		unsigned long long ino;
		long long off;
		unsigned short reclen;
		unsigned char type;
		char name[];
	} *d;
	char buf[512], *names[32], line[300];
	int fd, n = 0, i;
	long len, pos;

	fd = open(dir, O_RDONLY | O_DIRECTORY);
	while ((len = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (pos = 0; pos < len; pos += d->reclen) {
			d = (void *)(buf + pos);
			if (!strcmp(d->name, ".") || !strcmp(d->name, "..") || n == 32)
				continue;
			snprintf(line, sizeof(line), "%s type %d", d->name, d->type);
			names[n++] = strdup(line);
		}
	}
	close(fd);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	printf("%s:", dir);
	for (i = 0; i < n; i++)
		printf(" [%s]", names[i]);
	printf("\n");
}

int main(void)
{
	char buf[256];
	struct stat st;
	int fd, d;

	printf("-- mkdir\n");
	CHECK("mkdir", mkdir("/tmp/cvt-t", 0755));
	CHECK("mkdir again", mkdir("/tmp/cvt-t", 0755));
	CHECK("mkdir, parent missing", mkdir("/tmp/cvt-t/x/y", 0755));
	CHECK("mkdir, parent a file", (close(open("/tmp/cvt-t/f", O_CREAT | O_WRONLY, 0644)), mkdir("/tmp/cvt-t/f/y", 0755)));
	CHECK("mkdir trailing slash", mkdir("/tmp/cvt-t/sub/", 0700));
	CHECK("stat", stat("/tmp/cvt-t/sub", &st));
	printf("sub mode %o dir %d nlink %ld\n", st.st_mode & 07777, S_ISDIR(st.st_mode), (long)st.st_nlink);
	stat("/tmp/cvt-t", &st);
	printf("parent nlink %ld\n", (long)st.st_nlink);
	CHECK("mkdirat relative", (d = open("/tmp/cvt-t", O_RDONLY | O_DIRECTORY), mkdirat(d, "sub2", 0755)));
	CHECK("openat O_CREAT relative", (fd = openat(d, "sub2/g", O_CREAT | O_WRONLY, 0600)) >= 0);
	CHECK("write", write(fd, "0123456789", 10));
	close(fd);

	printf("-- symlinks\n");
	CHECK("symlink relative", symlink("sub2/g", "/tmp/cvt-t/rel"));
	CHECK("symlink absolute", symlink("/tmp/cvt-t/sub2", "/tmp/cvt-t/abs"));
	CHECK("symlink dangling", symlink("nowhere", "/tmp/cvt-t/dangling"));
	CHECK("symlink existing", symlink("x", "/tmp/cvt-t/rel"));
	CHECK("symlink, empty target", symlink("", "/tmp/cvt-t/empty"));
	CHECK("symlinkat", symlinkat("../cvt-t/f", d, "up"));
	CHECK("readlink", readlink("/tmp/cvt-t/rel", buf, sizeof(buf)));
	printf("rel -> %.6s\n", buf);
	CHECK("readlinkat", readlinkat(d, "up", buf, sizeof(buf)));
	printf("up -> %.10s\n", buf);
	CHECK("readlink, short buffer", readlink("/tmp/cvt-t/abs", buf, 4));
	CHECK("readlink AT_EMPTY_PATH of O_PATH|O_NOFOLLOW",
	      (fd = open("/tmp/cvt-t/abs", O_PATH | O_NOFOLLOW), readlinkat(fd, "", buf, sizeof(buf))));
	close(fd);
	CHECK("lstat", lstat("/tmp/cvt-t/rel", &st));
	printf("lstat: link %d size %ld\n", S_ISLNK(st.st_mode), (long)st.st_size);
	CHECK("stat follows", stat("/tmp/cvt-t/rel", &st));
	printf("stat: file %d size %ld\n", S_ISREG(st.st_mode), (long)st.st_size);
	CHECK("open through a link", (fd = open("/tmp/cvt-t/rel", O_RDONLY)) >= 0 && read(fd, buf, 4) == 4);
	close(fd);
	CHECK("open through a link to a dir", (fd = open("/tmp/cvt-t/abs/g", O_RDONLY)) >= 0);
	close(fd);
	CHECK("open a dangling link", open("/tmp/cvt-t/dangling", O_RDONLY));
	CHECK("stat a dangling link", stat("/tmp/cvt-t/dangling", &st));
	CHECK("open O_NOFOLLOW on a link", open("/tmp/cvt-t/rel", O_RDONLY | O_NOFOLLOW));
	CHECK("open O_CREAT|O_EXCL on a dangling link", open("/tmp/cvt-t/dangling", O_RDWR | O_CREAT | O_EXCL, 0600));
	CHECK("open an empty link", open("/tmp/cvt-t/empty", O_RDONLY));
	CHECK("open a link with a trailing slash", open("/tmp/cvt-t/rel/", O_RDONLY));
	CHECK("O_DIRECTORY through a link to a dir", (fd = open("/tmp/cvt-t/abs", O_RDONLY | O_DIRECTORY)) >= 0);
	close(fd);
	CHECK("symlink loop a->b->a",
	      (symlink("/tmp/cvt-t/b", "/tmp/cvt-t/a"), symlink("/tmp/cvt-t/a", "/tmp/cvt-t/b"),
	       open("/tmp/cvt-t/a", O_RDONLY)));
	CHECK("symlink to itself", (symlink("self", "/tmp/cvt-t/self"), stat("/tmp/cvt-t/self", &st)));
	CHECK("lstat of a loop is fine", lstat("/tmp/cvt-t/a", &st));
	CHECK("chdir through a link", chdir("/tmp/cvt-t/abs"));
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	CHECK("chdir ..", chdir(".."));
	getcwd(buf, sizeof(buf));
	printf("cwd %s\n", buf);
	/* ".." is taken after the link is resolved: abs/.. is /tmp/cvt-t. */
	CHECK("stat abs/../f", stat("/tmp/cvt-t/abs/../f", &st));
	list("/tmp/cvt-t");

	printf("-- unlink, rmdir\n");
	CHECK("unlink a link", unlink("/tmp/cvt-t/rel"));
	CHECK("target still there", access("/tmp/cvt-t/sub2/g", F_OK));
	CHECK("unlink a directory", unlink("/tmp/cvt-t/sub"));
	CHECK("unlink missing", unlink("/tmp/cvt-t/missing"));
	CHECK("rmdir a file", rmdir("/tmp/cvt-t/f"));
	CHECK("rmdir a link to a dir", rmdir("/tmp/cvt-t/abs"));
	CHECK("rmdir not empty", rmdir("/tmp/cvt-t/sub2"));
	CHECK("unlinkat AT_REMOVEDIR", unlinkat(d, "sub", AT_REMOVEDIR));
	CHECK("unlinkat AT_REMOVEDIR on a file", unlinkat(d, "f", AT_REMOVEDIR));
	CHECK("rmdir trailing dot", rmdir("/tmp/cvt-t/sub2/."));
	/* An open file outlives its name. */
	fd = open("/tmp/cvt-t/sub2/g", O_RDWR);
	CHECK("unlink an open file", unlink("/tmp/cvt-t/sub2/g"));
	CHECK("fstat it", fstat(fd, &st));
	printf("nlink %ld size %ld\n", (long)st.st_nlink, (long)st.st_size);
	CHECK("read it", pread(fd, buf, 100, 0));
	CHECK("write it", pwrite(fd, "more", 4, 10));
	CHECK("name gone", open("/tmp/cvt-t/sub2/g", O_RDONLY));
	close(fd);
	/* A removed cwd: getcwd says so, relative names find nothing. */
	CHECK("chdir sub2", chdir("/tmp/cvt-t/sub2"));
	CHECK("rmdir the cwd", rmdir("/tmp/cvt-t/sub2"));
	CHECK("getcwd of a removed dir", getcwd(buf, sizeof(buf)) ? 0 : -1);
	CHECK("create in a removed dir", open("new", O_CREAT | O_WRONLY, 0600));
	CHECK("stat .", stat(".", &st));
	printf("nlink of removed dir %ld\n", (long)st.st_nlink);
	CHECK("chdir /", chdir("/"));
	list("/tmp/cvt-t");
	return 0;
}
