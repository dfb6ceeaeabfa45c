/*
 * Edges of the VFS an audit found wrong, one section each: POSIX record
 * locks going with every way an fd goes (exit, dup2/dup3, close_range,
 * close-on-exec), AF_UNIX MSG_TRUNC, sendfile's errors, memfd seals,
 * O_CREAT through a dangling symlink, linking O_TMPFILE files in,
 * EPOLLEXCLUSIVE, lseek on the character devices without a position, and
 * smaller ones.
 *
 * Only stable values are printed: never pids, inode numbers or times.
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#define LOCKFILE "/tmp/cvt-edges-lock"

static const char *self;

static const char *lock_type(int type)
{
	return type == F_UNLCK ? "F_UNLCK" : type == F_RDLCK ? "F_RDLCK" : type == F_WRLCK ? "F_WRLCK" : "?";
}

static int setlk(int fd, int cmd, int type)
{
	struct flock fl = {.l_type = (short)type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};

	return fcntl(fd, cmd, &fl);
}

/* What a write lock on [0, 10) of LOCKFILE would run into, seen from this process. */
static void show_lock(const char *what, pid_t holder)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	int fd = open(LOCKFILE, O_RDWR);

	CHECK("F_GETLK", fcntl(fd, F_GETLK, &fl));
	printf("%s: %s%s\n", what, lock_type(fl.l_type),
	       fl.l_type == F_UNLCK ? "" : fl.l_pid == holder ? " by the holder" : " by someone else");
	close(fd);
}

enum { GO_EXIT, GO_CLOSE_OTHER, GO_DUP2, GO_DUP3, GO_CLOSE_RANGE, GO_EXEC, GO_HOLD };

/*
 * A child takes a write lock on [0, 10) of LOCKFILE, lets its fd go the
 * way `how` says, and tells the parent (a byte on ready); it then waits for
 * a byte on go before it exits.  The parent looks at the lock in between.
 */
static pid_t lock_child(int how, int ready[2], int go[2])
{
	pid_t pid;

	if (pipe(ready) || pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(LOCKFILE, O_RDWR | (how == GO_EXEC ? O_CLOEXEC : 0));
		int other = open(LOCKFILE, O_RDONLY), null = open("/dev/null", O_RDONLY);
		char c = 0, rfd[16], gfd[16];

		close(ready[0]);
		close(go[1]);
		if (setlk(fd, F_SETLK, F_WRLCK))
			_exit(3);
		switch (how) {
		case GO_EXIT: _exit(0);
		case GO_CLOSE_OTHER: close(other); break;
		case GO_DUP2: dup2(null, fd); break;
		case GO_DUP3: dup3(null, fd, O_CLOEXEC); break;
		case GO_CLOSE_RANGE: syscall(SYS_close_range, fd, fd, 0); break;
		case GO_EXEC:
			snprintf(rfd, sizeof(rfd), "%d", ready[1]);
			snprintf(gfd, sizeof(gfd), "%d", go[0]);
			execl(self, self, "hold", rfd, gfd, (char *)NULL);
			_exit(4);
		}
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(5);
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	return pid;
}

static void lock_case(const char *what, int how)
{
	int ready[2], go[2], status = -1;
	pid_t pid = lock_child(how, ready, go);
	char c;
	int fd;

	if (how == GO_EXIT) {
		waitpid(pid, &status, 0);
	} else if (read(ready[0], &c, 1) != 1) {
		printf("%s: the child did not get ready\n", what);
	}
	show_lock(what, pid);
	fd = open(LOCKFILE, O_RDWR);
	CHECK("F_SETLK F_WRLCK from the parent", setlk(fd, F_SETLK, F_WRLCK));
	close(fd);
	c = 0;
	if (how != GO_EXIT) {
		CHECK_OK("tell the child to go", write(go[1], &c, 1));
		waitpid(pid, &status, 0);
	}
	printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	close(ready[0]);
	close(go[1]);
}

static void locks(void)
{
	int ready[2], go[2], fd, status;
	pid_t pid;
	char c = 0;

	printf("-- POSIX record locks go with any fd of the file\n");
	close(open(LOCKFILE, O_RDWR | O_CREAT | O_TRUNC, 0644));
	pid = lock_child(GO_HOLD, ready, go);
	if (read(ready[0], &c, 1) != 1)
		printf("hold: the child did not get ready\n");
	show_lock("held by a live child", pid);
	fd = open(LOCKFILE, O_RDWR);
	CHECK("F_SETLK against it", setlk(fd, F_SETLK, F_WRLCK));
	CHECK("F_OFD_SETLK against it", setlk(fd, F_OFD_SETLK, F_WRLCK));
	close(fd);
	CHECK_OK("tell the child to go", write(go[1], &c, 1));
	waitpid(pid, &status, 0);
	close(ready[0]);
	close(go[1]);
	show_lock("after the child exited", pid);

	lock_case("the child exited", GO_EXIT);
	lock_case("another fd of the file closed", GO_CLOSE_OTHER);
	lock_case("dup2 over the fd", GO_DUP2);
	lock_case("dup3 over the fd", GO_DUP3);
	lock_case("close_range over the fd", GO_CLOSE_RANGE);
	lock_case("close-on-exec", GO_EXEC);

	/* Our own lock, through two fds: closing either drops it; OFD locks stay. */
	fd = open(LOCKFILE, O_RDWR);
	CHECK("F_SETLK", setlk(fd, F_SETLK, F_WRLCK));
	pid = fork();
	if (pid == 0) {
		int f2 = open(LOCKFILE, O_RDWR);

		_exit(setlk(f2, F_SETLK, F_WRLCK) ? errno == EAGAIN ? 1 : 2 : 0);
	}
	waitpid(pid, &status, 0);
	printf("the child's F_SETLK while we hold it: %d\n", WEXITSTATUS(status));
	close(dup(fd));
	pid = fork();
	if (pid == 0) {
		int f2 = open(LOCKFILE, O_RDWR);

		_exit(setlk(f2, F_SETLK, F_WRLCK) ? errno == EAGAIN ? 1 : 2 : 0);
	}
	waitpid(pid, &status, 0);
	printf("the child's F_SETLK after we closed a dup: %d\n", WEXITSTATUS(status));
	CHECK("F_OFD_SETLK", setlk(fd, F_OFD_SETLK, F_WRLCK));
	close(dup(fd));
	pid = fork();
	if (pid == 0) {
		int f2 = open(LOCKFILE, O_RDWR);

		_exit(setlk(f2, F_OFD_SETLK, F_WRLCK) ? errno == EAGAIN ? 1 : 2 : 0);
	}
	waitpid(pid, &status, 0);
	printf("the child's F_OFD_SETLK after we closed a dup of the OFD lock's fd: %d\n", WEXITSTATUS(status));
	close(fd);
	fd = open(LOCKFILE, O_RDWR);
	CHECK("F_OFD_SETLK after the last close of that open file", setlk(fd, F_OFD_SETLK, F_WRLCK));
	close(fd);
}

/* recv of a 6-byte message into 2 bytes, with and without MSG_TRUNC, on type. */
static void trunc_type(const char *name, int type)
{
	char buf[16] = {0};
	struct iovec iov = {buf, 2};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int sv[2];

	printf("%s:\n", name);
	CHECK("socketpair", socketpair(AF_UNIX, type, 0, sv));
	CHECK("send", send(sv[0], "abcdef", 6, 0));
	CHECK("send", send(sv[0], "ghijkl", 6, 0));
	CHECK("send", send(sv[0], "mnopqr", 6, 0));
	CHECK("recv 2 MSG_TRUNC|MSG_PEEK", recv(sv[1], buf, 2, MSG_TRUNC | MSG_PEEK));
	CHECK("recv 2 MSG_TRUNC", recv(sv[1], buf, 2, MSG_TRUNC));
	printf("got '%.2s'\n", buf);
	CHECK("recvmsg 2", recvmsg(sv[1], &mh, 0));
	printf("got '%.2s' MSG_TRUNC %d\n", buf, !!(mh.msg_flags & MSG_TRUNC));
	mh.msg_flags = 0;
	CHECK("recvmsg 2 MSG_TRUNC", recvmsg(sv[1], &mh, MSG_TRUNC));
	printf("got '%.2s' MSG_TRUNC %d\n", buf, !!(mh.msg_flags & MSG_TRUNC));
	CHECK("recv MSG_DONTWAIT on the empty queue", recv(sv[1], buf, 2, MSG_DONTWAIT | MSG_TRUNC));
	close(sv[0]);
	close(sv[1]);
}

static void unix_trunc(void)
{
	printf("-- AF_UNIX MSG_TRUNC\n");
	trunc_type("SOCK_SEQPACKET", SOCK_SEQPACKET);
	trunc_type("SOCK_DGRAM", SOCK_DGRAM);
}

static void sendfile_errors(void)
{
	int in, out, app, p[2], q[2], sv[2], ro, path, zero;
	off_t off;
	char buf[32] = {0};

	printf("-- sendfile\n");
	in = open("/tmp/cvt-edges-in", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("write the source", write(in, "0123456789", 10));
	lseek(in, 2, SEEK_SET);
	out = open("/tmp/cvt-edges-out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	app = open("/tmp/cvt-edges-out", O_WRONLY | O_APPEND);
	ro = open("/tmp/cvt-edges-out", O_RDONLY);
	path = open("/tmp/cvt-edges-in", O_PATH);
	zero = open("/dev/zero", O_RDONLY);
	CHECK("pipe", pipe(p));
	CHECK("pipe", pipe(q));
	CHECK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	CHECK("write into the pipe", write(p[1], "pipe", 4));
	CHECK("write into the socket", write(sv[0], "sock", 4));

	CHECK("sendfile, in a pipe", sendfile(out, p[0], NULL, 4));
	CHECK("sendfile, in a pipe, out a pipe", sendfile(q[1], p[0], NULL, 4));
	CHECK("sendfile, in a socket", sendfile(out, sv[1], NULL, 4));
	CHECK("sendfile, in /dev/zero", sendfile(out, zero, NULL, 4));
	CHECK("sendfile, in O_PATH", sendfile(out, path, NULL, 4));
	CHECK("sendfile, in write-only", sendfile(out, app, NULL, 4));
	CHECK("sendfile, out read-only", sendfile(ro, in, NULL, 4));
	CHECK("sendfile, out O_APPEND", sendfile(app, in, NULL, 4));
	CHECK("sendfile, bad in fd", sendfile(out, 999, NULL, 4));
	CHECK("sendfile, bad out fd", sendfile(999, in, NULL, 4));
	CHECK("sendfile, bad offset pointer", sendfile(out, in, (off_t *)1, 4));
	off = -1;
	CHECK("sendfile, negative offset", sendfile(out, in, &off, 4));
	off = 0;
	CHECK("sendfile, offset on a pipe", sendfile(out, p[0], &off, 4));
	off = 0x7ffffffffffffff0LL;
	CHECK("sendfile, offset + count overflows", sendfile(out, in, &off, 100));
	CHECK("sendfile, count > SSIZE_MAX", sendfile(out, in, NULL, (size_t)-1));
	CHECK("sendfile, count 0", sendfile(out, in, NULL, 0));
	CHECK("sendfile, count 0, in a pipe", sendfile(out, p[0], NULL, 0));
	off = 20;
	CHECK("sendfile, offset past the end", sendfile(out, in, &off, 4));
	printf("offset %ld\n", (long)off);
	CHECK("sendfile 4 from the position", sendfile(out, in, NULL, 4));
	CHECK("position of in", lseek(in, 0, SEEK_CUR));
	off = 7;
	CHECK("sendfile 100 at offset 7", sendfile(out, in, &off, 100));
	printf("offset %ld\n", (long)off);
	CHECK("position of in", lseek(in, 0, SEEK_CUR));
	CHECK("sendfile into a pipe", sendfile(q[1], in, NULL, 3));
	CHECK("read the pipe", read(q[0], buf, sizeof(buf)));
	printf("pipe got '%.3s'\n", buf);
	CHECK("pread out", pread(out, buf, sizeof(buf), 0));
	for (int i = 0; i < 11; i++)
		buf[i] = buf[i] ? buf[i] : '.';
	printf("out has '%.11s'\n", buf);
	close(in), close(out), close(app), close(ro), close(path), close(zero);
	close(p[0]), close(p[1]), close(q[0]), close(q[1]), close(sv[0]), close(sv[1]);
}

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#define MFD_EXEC 0x0010U
#endif

static char *mapped;

/* mmap of the first page of fd into mapped: 0, or -1 with errno set. */
static int map(int fd, int prot, int flags)
{
	mapped = mmap(NULL, 4096, prot, flags, fd, 0);
	return mapped == MAP_FAILED ? -1 : 0;
}

static void seals(void)
{
	int fd, fd2, ro, tmp;
	char *p, buf[16] = {0};
	struct stat st;

	printf("-- memfd seals\n");
	fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	CHECK("F_GET_SEALS, MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
	CHECK("write", write(fd, "hello", 5));
	CHECK("F_ADD_SEALS F_SEAL_SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	CHECK("ftruncate smaller", ftruncate(fd, 2));
	CHECK("ftruncate larger", ftruncate(fd, 10));
	CHECK("ftruncate the same", ftruncate(fd, 10));
	CHECK("F_ADD_SEALS F_SEAL_GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	CHECK("ftruncate larger", ftruncate(fd, 20));
	CHECK("pwrite past the end", pwrite(fd, "abc", 3, 8));
	CHECK("pwrite inside", pwrite(fd, "abc", 3, 7));
	CHECK("fallocate KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 100));
	CHECK("fallocate past the end", fallocate(fd, 0, 0, 100));
	CHECK("fallocate inside", fallocate(fd, 0, 0, 5));
	CHECK("fallocate PUNCH_HOLE", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1));
	CHECK("fstat", fstat(fd, &st));
	printf("size %ld\n", (long)st.st_size);
	fd2 = open("/dev/null", O_RDONLY);
	dup2(fd, fd2);
	CHECK_OK("mmap shared read-write", map(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	p = mapped;
	CHECK("F_ADD_SEALS F_SEAL_WRITE while mapped writable", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(p, 4096);
	CHECK_OK("mmap shared read-only", map(fd, PROT_READ, MAP_SHARED));
	p = mapped;
	CHECK("F_ADD_SEALS F_SEAL_WRITE while mapped shared read-only", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(p, 4096);
	CHECK_OK("mmap private read-write", map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	p = mapped;
	CHECK("F_ADD_SEALS F_SEAL_WRITE while mapped private", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK("F_GET_SEALS through a dup", fcntl(fd2, F_GET_SEALS));
	munmap(p, 4096);
	CHECK("write", write(fd, "x", 1));
	CHECK("pwrite through a dup", pwrite(fd2, "x", 1, 0));
	CHECK("write of nothing", write(fd, "", 0));
	CHECK("fallocate PUNCH_HOLE", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 1));
	CHECK("fallocate inside", fallocate(fd, 0, 0, 5));
	CHECK("ftruncate the same", ftruncate(fd, 10));
	CHECK("mmap shared read-write", map(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	p = mapped;
	CHECK_OK("mmap shared read-only", map(fd, PROT_READ, MAP_SHARED));
	p = mapped;
	CHECK("mprotect it read-write", mprotect(p, 4096, PROT_READ | PROT_WRITE));
	printf("it reads '%.3s'\n", p + 7);
	munmap(p, 4096);
	CHECK_OK("mmap private read-write", map(fd, PROT_READ | PROT_WRITE, MAP_PRIVATE));
	p = mapped;
	munmap(p, 4096);
	CHECK("F_ADD_SEALS F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	CHECK("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	CHECK("F_ADD_SEALS 0 after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, 0));
	close(fd);
	close(fd2);

	fd = memfd_create("future", MFD_ALLOW_SEALING);
	CHECK("ftruncate", ftruncate(fd, 4096));
	CHECK_OK("mmap shared read-write", map(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	p = mapped;
	CHECK("F_ADD_SEALS F_SEAL_FUTURE_WRITE while mapped", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	memcpy(p, "mapped", 6);
	CHECK("write", write(fd, "x", 1));
	CHECK("read what the old mapping wrote", pread(fd, buf, 6, 0));
	printf("got '%.6s'\n", buf);
	CHECK("a new shared read-write mapping", map(fd, PROT_READ | PROT_WRITE, MAP_SHARED));
	CHECK("F_ADD_SEALS F_SEAL_WRITE with it mapped", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(p, 4096);
	CHECK("F_ADD_SEALS F_SEAL_WRITE after munmap", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	close(fd);

	fd = memfd_create("unsealable", 0);
	CHECK("F_GET_SEALS, no MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
	CHECK("F_ADD_SEALS, no MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK("F_ADD_SEALS, bad bits", fcntl(fd, F_ADD_SEALS, 0x1000));
	close(fd);
	fd = memfd_create("ro", MFD_ALLOW_SEALING);
	CHECK("F_ADD_SEALS, bad bits", fcntl(fd, F_ADD_SEALS, 0x1000));
	CHECK("F_ADD_SEALS F_SEAL_EXEC", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
	CHECK("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
	fstat(fd, &st);
	printf("mode %o\n", st.st_mode & 07777);
	CHECK("fchmod 0666 under F_SEAL_EXEC", fchmod(fd, 0666));
	CHECK("fchmod 0755 under F_SEAL_EXEC", fchmod(fd, 0755));
	close(fd);
	fd = memfd_create("noexec", MFD_NOEXEC_SEAL);
	CHECK("F_GET_SEALS, MFD_NOEXEC_SEAL", fcntl(fd, F_GET_SEALS));
	fstat(fd, &st);
	printf("mode %o\n", st.st_mode & 07777);
	CHECK("F_ADD_SEALS, MFD_NOEXEC_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	close(fd);
	CHECK("memfd_create MFD_EXEC|MFD_NOEXEC_SEAL", memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL));
	fd = memfd_create("exec", MFD_EXEC | MFD_ALLOW_SEALING);
	CHECK("F_GET_SEALS, MFD_EXEC", fcntl(fd, F_GET_SEALS));
	close(fd);

	tmp = open("/tmp/cvt-edges-seal", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ro = open("/tmp/cvt-edges-seal", O_RDONLY);
	CHECK("F_GET_SEALS on a tmpfs file", fcntl(tmp, F_GET_SEALS));
	CHECK("F_ADD_SEALS on a tmpfs file", fcntl(tmp, F_ADD_SEALS, F_SEAL_WRITE));
	CHECK("F_ADD_SEALS read-only", fcntl(ro, F_ADD_SEALS, F_SEAL_WRITE));
	close(tmp);
	close(ro);
	CHECK("F_GET_SEALS on /dev/null", fcntl(fd = open("/dev/null", O_RDWR), F_GET_SEALS));
	close(fd);
	CHECK("F_GET_SEALS on a directory", fcntl(fd = open("/tmp", O_RDONLY), F_GET_SEALS));
	close(fd);
}

/* Whether name exists, and as what. */
static void show_file(const char *name)
{
	struct stat st;

	if (lstat(name, &st))
		printf("%s: %s\n", name, errname(errno));
	else
		printf("%s: %s size %ld\n", name, S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" :
						       S_ISLNK(st.st_mode) ? "link" : "other", (long)st.st_size);
}

static void creat_through_links(void)
{
	int fd;

	printf("-- O_CREAT through a symlink\n");
	CHECK("mkdir", mkdir("/tmp/cvt-edges-d", 0755));
	CHECK("chdir", chdir("/tmp/cvt-edges-d"));
	symlink("target", "dangling");
	symlink("dangling", "chain");
	symlink("/tmp/cvt-edges-d/abs-target", "abs");
	symlink("nodir/x", "noparent");
	symlink("newdir/", "slash");
	symlink("loop", "loop");
	symlink("../cvt-edges-d/up-target", "up");
	CHECK("O_CREAT|O_EXCL on a dangling link", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644));
	CHECK("O_CREAT|O_NOFOLLOW on a dangling link", open("dangling", O_CREAT | O_NOFOLLOW | O_WRONLY, 0644));
	show_file("target");
	CHECK_OK("O_CREAT on a dangling link", fd = open("dangling", O_CREAT | O_WRONLY, 0600));
	CHECK("write", write(fd, "made", 4));
	close(fd);
	show_file("target");
	show_file("dangling");
	CHECK_OK("O_CREAT on it again", fd = open("dangling", O_CREAT | O_RDWR, 0600));
	CHECK("read what the first wrote", read(fd, (char[8]){0}, 8));
	close(fd);
	CHECK_OK("O_CREAT|O_TRUNC through a chain of links", fd = open("/tmp/cvt-edges-d/chain", O_CREAT | O_TRUNC | O_WRONLY, 0600));
	close(fd);
	show_file("target");
	CHECK_OK("O_CREAT through an absolute link", fd = open("abs", O_CREAT | O_WRONLY, 0600));
	close(fd);
	show_file("abs-target");
	CHECK_OK("creat through a link with ..", fd = creat("up", 0600));
	close(fd);
	show_file("up-target");
	CHECK("O_CREAT, the target's directory missing", open("noparent", O_CREAT | O_WRONLY, 0600));
	CHECK("O_CREAT, the target ends in a slash", open("slash", O_CREAT | O_WRONLY, 0600));
	show_file("newdir");
	CHECK("O_CREAT on a link to itself", open("loop", O_CREAT | O_WRONLY, 0600));
	CHECK("O_CREAT|O_EXCL on a link to itself", open("loop", O_CREAT | O_EXCL | O_WRONLY, 0600));
	CHECK("chdir", chdir("/"));
}

static void tmpfile_link(void)
{
	struct stat st;
	int fd, fd2;

	printf("-- O_TMPFILE and linkat\n");
	CHECK_OK("O_TMPFILE", fd = open("/tmp", O_TMPFILE | O_RDWR, 0600));
	CHECK("write", write(fd, "tmp", 3));
	fstat(fd, &st);
	printf("nlink %ld\n", (long)st.st_nlink);
	CHECK("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp", AT_EMPTY_PATH));
	fstat(fd, &st);
	printf("nlink %ld\n", (long)st.st_nlink);
	show_file("/tmp/cvt-edges-tmp");
	CHECK("linkat AT_EMPTY_PATH to a name taken", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp", AT_EMPTY_PATH));
	CHECK("linkat AT_EMPTY_PATH a second name", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp2", AT_EMPTY_PATH));
	CHECK("unlink", unlink("/tmp/cvt-edges-tmp"));
	CHECK("unlink", unlink("/tmp/cvt-edges-tmp2"));
	CHECK("linkat AT_EMPTY_PATH once unlinked again", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp3", AT_EMPTY_PATH));
	close(fd);

	CHECK_OK("O_TMPFILE|O_EXCL", fd = open("/tmp", O_TMPFILE | O_EXCL | O_WRONLY, 0600));
	CHECK("linkat AT_EMPTY_PATH, O_EXCL", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp4", AT_EMPTY_PATH));
	show_file("/tmp/cvt-edges-tmp4");
	CHECK("linkat without AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-tmp4", 0));
	close(fd);

	fd2 = open("/tmp/cvt-edges-unlinked", O_RDWR | O_CREAT, 0600);
	CHECK("unlink an open file", unlink("/tmp/cvt-edges-unlinked"));
	CHECK("linkat AT_EMPTY_PATH of it", linkat(fd2, "", AT_FDCWD, "/tmp/cvt-edges-back", AT_EMPTY_PATH));
	close(fd2);
	CHECK("mkdir", mkdir("/tmp/cvt-edges-sub", 0755));
	CHECK_OK("O_TMPFILE in a subdirectory", fd = open("/tmp/cvt-edges-sub", O_TMPFILE | O_RDWR, 0600));
	CHECK("linkat AT_EMPTY_PATH elsewhere on the file system", linkat(fd, "", AT_FDCWD, "/tmp/cvt-edges-moved", AT_EMPTY_PATH));
	show_file("/tmp/cvt-edges-moved");
	CHECK("the directory lists nothing", rmdir("/tmp/cvt-edges-sub"));
	close(fd);
}

/*
 * Children each wait on the read end of one pipe through an epoll fd of
 * their own with EPOLLEXCLUSIVE; one byte is written, and left there.
 * Linux wakes one of them; which one, and whether one still on its way to
 * epoll_wait also sees the byte, is timing, so only "not all of them woke"
 * and "one at least did" are printed.
 */
static void exclusive_wakeups(void)
{
	enum { N = 4 };
	int p[2], ready[2], i, woken = 0, status;
	pid_t pids[N];
	char c = 0;

	CHECK("pipe", pipe2(p, O_NONBLOCK));
	CHECK("pipe", pipe(ready));
	for (i = 0; i < N; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
			int ep = epoll_create1(0), n;

			if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) || write(ready[1], &c, 1) != 1)
				_exit(3);
			/* The byte stays in the pipe: a waiter woken later would see it too. */
			n = epoll_wait(ep, &ev, 1, 3000);
			_exit(n == 1 ? 1 : n == 0 ? 0 : 4);
		}
	}
	for (i = 0; i < N; i++)
		if (read(ready[0], &c, 1) != 1)
			printf("a child did not get ready\n");
	usleep(500000); /* for all to be asleep in epoll_wait */
	CHECK("write a byte", write(p[1], "x", 1));
	for (i = 0; i < N; i++) {
		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
			woken++;
		else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			printf("a child failed: %d\n", status);
	}
	printf("some woke: %d, not all woke: %d\n", woken >= 1, woken < N);
	close(p[0]), close(p[1]), close(ready[0]), close(ready[1]);
}

static void epoll_exclusive(void)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2], q[2], f;

	printf("-- EPOLLEXCLUSIVE\n");
	CHECK("pipe", pipe(p));
	CHECK("pipe", pipe(q));
	f = open("/tmp/cvt-edges-epoll", O_RDWR | O_CREAT, 0600);
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK("ADD EXCLUSIVE|ONESHOT", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI;
	CHECK("ADD EXCLUSIVE|PRI", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP;
	CHECK("ADD EXCLUSIVE|RDHUP", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLRDNORM | EPOLLEXCLUSIVE;
	CHECK("ADD EXCLUSIVE|RDNORM", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK("ADD EXCLUSIVE on an epoll fd", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	CHECK("ADD EXCLUSIVE on a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev));
	CHECK("ADD EXCLUSIVE on a regular file, epfd not an epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, f, &ev));
	CHECK("ADD EXCLUSIVE, bad event pointer", epoll_ctl(ep, EPOLL_CTL_ADD, 999, (struct epoll_event *)8));
	CHECK("MOD EXCLUSIVE of nothing there", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK("ADD EXCLUSIVE|IN", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLOUT | EPOLLEXCLUSIVE | EPOLLET;
	CHECK("ADD EXCLUSIVE|OUT|ET", epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &ev));
	ev.events = EPOLLIN;
	CHECK("MOD of an exclusive entry", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	CHECK("ADD", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK("MOD to EXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
	CHECK("epoll_wait", epoll_wait(ep, &ev, 1, 0));
	printf("events %x\n", ev.events);
	CHECK("write", write(p[1], "x", 1));
	CHECK("epoll_wait", epoll_wait(ep, (struct epoll_event[4]){}, 4, 0));
	CHECK("DEL of an exclusive entry", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	close(ep), close(ep2), close(p[0]), close(p[1]), close(q[0]), close(q[1]), close(f);
	exclusive_wakeups();
}

#ifndef RWF_APPEND
#define RWF_APPEND 0x10
#endif

/*
 * One epoll_wait returns as many ready events as asked for: 300 writable pipe
 * ends come in one call (cvisor returned at most 256 per call, which
 * CPython's test_selectors.test_above_fd_setsize counts).
 */
static void epoll_many(void)
{
	struct epoll_event ev, *out = calloc(700, sizeof(*out));
	int ep = epoll_create1(0), p[2], i, fds[600];

	for (i = 0; i < 600; i += 2) {
		if (pipe(p) < 0)
			break;
		fds[i] = p[0];
		fds[i + 1] = p[1];
		ev.events = EPOLLOUT;
		ev.data.fd = p[1];
		epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
		ev.data.fd = p[0];
		epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev); /* a read end is never writable */
	}
	CHECK("epoll_wait(700) with 300 writable ends", epoll_wait(ep, out, 700, 0));
	CHECK("epoll_wait(20)", epoll_wait(ep, out, 20, 0));
	{
		/* Fairness: 300 ready ends, 20 per call: 15 calls see every one (Linux's ready list is a queue). */
		static char seen[4096];
		int k, j, distinct = 0;

		for (k = 0; k < 15; k++) {
			int got = epoll_wait(ep, out, 20, 0);

			for (j = 0; j < got; j++)
				if (out[j].data.fd >= 0 && out[j].data.fd < 4096 && !seen[out[j].data.fd]++)
					distinct++;
		}
		printf("distinct ends over 15 waits of 20: %d\n", distinct);
	}
	for (i = 0; i < 600; i++)
		close(fds[i]);
	close(ep);
	free(out);
}

/* utimensat and friends as another user (65534), on a file of root's with mode. */
static void times_as_other(mode_t mode)
{
	struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}}, set[2] = {{1000, 0}, {2000, 0}};
	struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}}, now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	struct timeval tv[2] = {{1000, 0}, {2000, 0}};
	int status;
	pid_t pid;

	close(open("/tmp/cvt-edges-times", O_RDWR | O_CREAT, 0644));
	chmod("/tmp/cvt-edges-times", mode);
	printf("mode %o, as another user:\n", mode);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		CHECK("utimensat NULL", utimensat(AT_FDCWD, "/tmp/cvt-edges-times", NULL, 0));
		CHECK("utimensat both UTIME_NOW", utimensat(AT_FDCWD, "/tmp/cvt-edges-times", now2, 0));
		CHECK("utimensat UTIME_NOW and UTIME_OMIT", utimensat(AT_FDCWD, "/tmp/cvt-edges-times", now_omit, 0));
		CHECK("utimensat both UTIME_OMIT", utimensat(AT_FDCWD, "/tmp/cvt-edges-times", omit2, 0));
		CHECK("utimensat both UTIME_OMIT, no such file", utimensat(AT_FDCWD, "/tmp/cvt-edges-nothing", omit2, 0));
		CHECK("utimensat explicit times", utimensat(AT_FDCWD, "/tmp/cvt-edges-times", set, 0));
		CHECK("utimes NULL", utimes("/tmp/cvt-edges-times", NULL));
		CHECK("utimes explicit", utimes("/tmp/cvt-edges-times", tv));
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void minor(void)
{
	struct timeval tv[2] = {{1000, 0}, {2000, 500}}, bad[2] = {{1000, 1000000}, {0, 0}};
	char buf[64], cwd[64];
	struct stat st;
	int fd, fd2, n, status;
	struct iovec iov = {"XY", 2};
	pid_t pid;

	printf("-- futimesat, utimes, utime\n");
	fd = open("/tmp/cvt-edges-t", O_RDWR | O_CREAT, 0644);
	CHECK("futimesat", syscall(SYS_futimesat, AT_FDCWD, "/tmp/cvt-edges-t", tv));
	stat("/tmp/cvt-edges-t", &st);
	printf("atime %ld mtime %ld.%09ld\n", (long)st.st_atime, (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	CHECK("futimesat through the fd", syscall(SYS_futimesat, fd, NULL, tv));
	CHECK("futimesat, bad tv_usec", syscall(SYS_futimesat, AT_FDCWD, "/tmp/cvt-edges-t", bad));
	CHECK("futimesat, bad pointer", syscall(SYS_futimesat, AT_FDCWD, "/tmp/cvt-edges-t", (void *)8));
	CHECK("futimesat NULL times", syscall(SYS_futimesat, AT_FDCWD, "/tmp/cvt-edges-t", NULL));
	stat("/tmp/cvt-edges-t", &st);
	printf("mtime now: %d\n", st.st_mtime > 2000);
	CHECK("utimes", syscall(SYS_utimes, "/tmp/cvt-edges-t", tv));
	CHECK("utime", syscall(SYS_utime, "/tmp/cvt-edges-t", &(long[2]){3000, 4000}));
	stat("/tmp/cvt-edges-t", &st);
	printf("atime %ld mtime %ld\n", (long)st.st_atime, (long)st.st_mtime);
	CHECK("utimensat(AT_FDCWD, NULL)", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
	CHECK("utimensat(fd, NULL) with flags", syscall(SYS_utimensat, fd, NULL, NULL, AT_SYMLINK_NOFOLLOW));
	times_as_other(0644);
	times_as_other(0666);

	printf("-- pwritev2 RWF_APPEND\n");
	CHECK("write", write(fd, "abc", 3));
	lseek(fd, 1, SEEK_SET);
	CHECK("pwritev2 at 0, RWF_APPEND", pwritev2(fd, &iov, 1, 0, RWF_APPEND));
	CHECK("the position stays", lseek(fd, 0, SEEK_CUR));
	CHECK("pwritev2 at -1, RWF_APPEND", pwritev2(fd, &iov, 1, -1, RWF_APPEND));
	CHECK("the position moved to the end", lseek(fd, 0, SEEK_CUR));
	CHECK("pwritev2 at 0", pwritev2(fd, &iov, 1, 0, 0));
	n = (int)pread(fd, buf, sizeof(buf), 0);
	printf("file '%.*s'\n", n, buf);
	CHECK("F_GETFL has no O_APPEND", fcntl(fd, F_GETFL) & O_APPEND);

	printf("-- O_PATH fds\n");
	fd2 = open("/tmp/cvt-edges-t", O_PATH);
	CHECK("fchmod", fchmod(fd2, 0600));
	CHECK("fchown", fchown(fd2, 0, 0));
	CHECK("ftruncate", ftruncate(fd2, 0));
	CHECK("fgetxattr", fgetxattr(fd2, "user.x", buf, sizeof(buf)));
	CHECK("fsetxattr", fsetxattr(fd2, "user.x", "v", 1, 0));
	CHECK("flistxattr", flistxattr(fd2, buf, sizeof(buf)));
	CHECK("futimens", futimens(fd2, NULL));
	CHECK("fchownat AT_EMPTY_PATH", fchownat(fd2, "", 0, 0, AT_EMPTY_PATH));
	CHECK("utimensat AT_EMPTY_PATH", utimensat(fd2, "", NULL, AT_EMPTY_PATH));
	close(fd2);

	printf("-- fallocate and st_blocks, FIONREAD\n");
	fd2 = open("/tmp/cvt-edges-alloc", O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("fallocate 3 pages", fallocate(fd2, 0, 0, 3 * 4096));
	fstat(fd2, &st);
	printf("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	CHECK("fallocate KEEP_SIZE 2 more", fallocate(fd2, FALLOC_FL_KEEP_SIZE, 3 * 4096, 2 * 4096));
	fstat(fd2, &st);
	printf("size %ld blocks %ld\n", (long)st.st_size, (long)st.st_blocks);
	CHECK("fallocate ZERO_RANGE", fallocate(fd2, FALLOC_FL_ZERO_RANGE, 0, 1));
	lseek(fd2, 5000, SEEK_SET);
	CHECK("FIONREAD", ioctl(fd2, FIONREAD, &n));
	printf("FIONREAD %d\n", n);
	close(fd2);
	fd2 = open("/etc/passwd", O_RDONLY);
	fstat(fd2, &st);
	lseek(fd2, 10, SEEK_SET);
	CHECK("FIONREAD of a file of the image", ioctl(fd2, FIONREAD, &n));
	printf("FIONREAD is size - 10: %d\n", n == st.st_size - 10);
	close(fd2);
	close(fd);

	printf("-- getcwd outside the root\n");
	mkdir("/tmp/cvt-edges-root", 0755);
	mkdir("/tmp/cvt-edges-cwd", 0755);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		CHECK("chdir", chdir("/tmp/cvt-edges-cwd"));
		CHECK("chroot", chroot("/tmp/cvt-edges-root"));
		memset(cwd, 0, sizeof(cwd));
		CHECK("getcwd syscall", syscall(SYS_getcwd, cwd, sizeof(cwd)));
		printf("'%s'\n", cwd);
		CHECK("getcwd syscall, small buffer", syscall(SYS_getcwd, cwd, 10));
		CHECK("glibc getcwd", getcwd(cwd, sizeof(cwd)) ? 0 : -1);
		CHECK("chdir /", chdir("/"));
		CHECK("getcwd syscall", syscall(SYS_getcwd, cwd, sizeof(cwd)));
		printf("'%s'\n", cwd);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

/* The exec'ed side of GO_EXEC: tells the parent it is there, waits for its word. */
static int hold(int ready, int go)
{
	char c = 0;

	if (write(ready, &c, 1) != 1 || read(go, &c, 1) < 0)
		return 5;
	return 0;
}

/* /dev/null, zero, full and random have no position: any lseek Linux knows says 0 (stress-ng's full stressor checks). */
static void devices_seek(void)
{
	static const char *const devs[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"};
	char buf[8];
	unsigned i;

	printf("-- lseek on character devices\n");
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		int fd = open(devs[i], O_RDWR);

		printf("%s\n", devs[i]);
		CHECK("  SEEK_CUR by a huge negative offset", lseek(fd, -9194807778245391620LL, SEEK_CUR));
		CHECK("  SEEK_SET 100", lseek(fd, 100, SEEK_SET));
		CHECK("  SEEK_END 5", lseek(fd, 5, SEEK_END));
		CHECK("  SEEK_DATA", lseek(fd, 0, SEEK_DATA));
		CHECK("  whence 7", lseek(fd, 0, 7));
		if (i != 2)
			CHECK("  a read", read(fd, buf, sizeof(buf)) > 0);
		CHECK("  SEEK_CUR after it", lseek(fd, 0, SEEK_CUR));
		close(fd);
	}
}

int main(int argc, char **argv)
{
	self = argv[0];
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(atoi(argv[2]), atoi(argv[3]));
	locks();
	unix_trunc();
	sendfile_errors();
	seals();
	creat_through_links();
	tmpfile_link();
	epoll_exclusive();
	epoll_many();
	minor();
	devices_seek();
	return 0;
}
