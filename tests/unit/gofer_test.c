/*
 * The gofer's own tests: whatever the sentry asks, the gofer opens nothing
 * outside its root.  Starts a real gofer on a directory made for the test,
 * then sends hostile requests straight over its socket: "..", names with
 * '/', symlinks pointing out (absolute and relative), a device node, and
 * malformed requests; and the same for the ops that write (--overlay=none):
 * creating through a symlinked directory, renaming onto or out through a
 * symlink, a hard link to a file outside, device nodes.  Prints a PASS or FAIL line each.
 * links: runsc-shim/gofer/gofer.c runsc-shim/confine.c vfs/fpages.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../runsc-shim/gofer/gofer.h"
#include "../../vfs/fs/gofer/protocol.h"

static int sock, passed, failed;

static void expect(const char *what, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

/* Sends req with up to two fds (-1: none); the fd in the reply, or -1 (-2 if the gofer is gone). */
static int call_req(struct gofer_req *req, int infd, int infd2, struct gofer_rep *rep)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {req, sizeof(*req)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int fds[2] = {infd, infd2}, n = infd < 0 ? 0 : infd2 < 0 ? 1 : 2, fd = -1;

	if (n) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	}
	if (sendmsg(sock, &mh, 0) < 0)
		return -2;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = rep;
	iov.iov_len = sizeof(*rep);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	if (recvmsg(sock, &mh, 0) != sizeof(*rep))
		return -2;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_type == SCM_RIGHTS)
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

static int call(uint32_t op, int infd, const char *name, struct gofer_rep *rep)
{
	static struct gofer_req req;

	memset(&req, 0, sizeof(req));
	req.op = op;
	snprintf(req.name, sizeof(req.name), "%s", name);
	return call_req(&req, infd, -1, rep);
}

/* A request with two names (rename, link) or a target (create of a symlink). */
static int call2(uint32_t op, int fd, const char *name, int fd2, const char *name2, uint32_t mode, uint32_t flags,
		 struct gofer_rep *rep)
{
	static struct gofer_req req;
	int r;

	memset(&req, 0, sizeof(req));
	req.op = op;
	req.mode = mode;
	req.flags = flags;
	snprintf(req.name, sizeof(req.name), "%s", name);
	snprintf(req.name2, sizeof(req.name2), "%s", name2);
	r = call_req(&req, fd, fd2, rep);
	if (r >= 0)
		close(r);
	return rep->err;
}

static int setattr(int fd, uint32_t valid, uint32_t mode, uint32_t uid, uint64_t size, struct gofer_rep *rep)
{
	static struct gofer_req req;

	memset(&req, 0, sizeof(req));
	req.op = GOFER_SETATTR;
	req.valid = valid;
	req.mode = mode;
	req.uid = req.gid = uid;
	req.size = size;
	req.mtime.tv_sec = 12345;
	call_req(&req, fd, -1, rep);
	return rep->err;
}

static int exists(const char *base, const char *name)
{
	char p[600];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", base, name);
	return lstat(p, &st) == 0;
}

/*
 * The ops that change the tree (--overlay=none), each pointed outside the
 * root: names with '/' or "..", symlinks to a directory and to a file
 * outside, device nodes.  Nothing outside may change.
 */
static void hostile_writes(int root, const char *dir, const char *out)
{
	struct gofer_rep rep;
	struct stat st, before;
	char path[600];
	int fd, lfd, sfd;

	/* Created files get the owner the sentry names. */
	fd = call2(GOFER_CREATE, root, "made", -1, "", S_IFREG | 0640, 0, &rep);
	expect("create: a regular file", fd == 0 && S_ISREG(rep.st.st_mode) && exists(dir, "made"));
	{
		static struct gofer_req req;

		memset(&req, 0, sizeof(req));
		req.op = GOFER_CREATE;
		req.mode = S_IFREG | 0600;
		req.uid = 1234;
		req.gid = 5678;
		strcpy(req.name, "owned");
		fd = call_req(&req, root, -1, &rep);
		expect("create: owner and group from the request",
		       fd >= 0 && rep.st.st_uid == 1234 && rep.st.st_gid == 5678 && (rep.st.st_mode & 07777) == 0600);
		if (fd >= 0)
			close(fd);
	}
	expect("create: \"..\" is refused", call2(GOFER_CREATE, root, "..", -1, "", S_IFDIR | 0755, 0, &rep) == -EINVAL);
	expect("create: a name with '/' is refused",
	       call2(GOFER_CREATE, root, "linkdir/x", -1, "", S_IFREG | 0644, 0, &rep) == -EINVAL &&
		       !exists(out, "dir/x"));
	expect("create: an empty name is refused", call2(GOFER_CREATE, root, "", -1, "", S_IFREG | 0644, 0, &rep) == -EINVAL);
	expect("create: a character device is refused",
	       call2(GOFER_CREATE, root, "dev", -1, "", S_IFCHR | 0666, 0, &rep) == -EPERM && !exists(dir, "dev"));
	expect("create: a block device is refused",
	       call2(GOFER_CREATE, root, "bdev", -1, "", S_IFBLK | 0666, 0, &rep) == -EPERM && !exists(dir, "bdev"));
	expect("create: over a symlink pointing out fails",
	       call2(GOFER_CREATE, root, "secretlink", -1, "", S_IFREG | 0644, 0, &rep) == -EEXIST &&
		       call2(GOFER_CREATE, root, "linkdir", -1, "", S_IFDIR | 0755, 0, &rep) == -EEXIST);
	/* A symlinked directory comes back as the link (O_PATH): nothing can be made through it. */
	lfd = call(GOFER_WALK, root, "linkdir", &rep);
	expect("create: through a symlinked directory fails",
	       lfd >= 0 && S_ISLNK(rep.st.st_mode) &&
		       call2(GOFER_CREATE, lfd, "x", -1, "", S_IFREG | 0644, 0, &rep) == -ENOTDIR &&
		       call2(GOFER_CREATE, lfd, "y", -1, "", S_IFDIR | 0755, 0, &rep) == -ENOTDIR && !exists(out, "dir/x") &&
		       !exists(out, "dir/y"));
	expect("symlink: made as a link, not followed",
	       call2(GOFER_CREATE, root, "newlink", -1, "/etc/shadow", S_IFLNK | 0777, 0, &rep) == 0 &&
		       S_ISLNK(rep.st.st_mode));

	/* Renames: names checked, symlinks replaced rather than followed. */
	snprintf(path, sizeof(path), "%s/dir/victim", out);
	stat(path, &before);
	expect("rename: \"..\" is refused",
	       call2(GOFER_RENAME, root, "made", root, "..", 0, 0, &rep) == -EINVAL &&
		       call2(GOFER_RENAME, root, "..", root, "x", 0, 0, &rep) == -EINVAL);
	expect("rename: out through a name with '/' is refused",
	       call2(GOFER_RENAME, root, "made", root, "linkdir/victim", 0, 0, &rep) == -EINVAL);
	expect("rename: out through a symlinked directory fails",
	       lfd >= 0 && call2(GOFER_RENAME, root, "made", lfd, "victim", 0, 0, &rep) == -ENOTDIR &&
		       call2(GOFER_RENAME, lfd, "victim", root, "stolen", 0, 0, &rep) == -ENOTDIR && exists(dir, "made") &&
		       !exists(dir, "stolen") && stat(path, &st) == 0 && st.st_ino == before.st_ino);
	snprintf(path, sizeof(path), "%s/secret", out);
	stat(path, &before);
	expect("rename: onto a symlink replaces the link, not its target",
	       call2(GOFER_RENAME, root, "made", root, "secretlink", 0, 0, &rep) == 0 && stat(path, &st) == 0 &&
		       st.st_ino == before.st_ino && st.st_size == before.st_size &&
		       lstat(strcat(strcpy((char[600]){0}, dir), "/secretlink"), &st) == 0 && S_ISREG(st.st_mode));
	expect("rename: bad flags are refused",
	       call2(GOFER_RENAME, root, "owned", root, "o2", 0, 4 /* RENAME_WHITEOUT */, &rep) == -EINVAL);

	/* Hard links: never to what a symlink names. */
	snprintf(path, sizeof(path), "%s/secret", out);
	expect("link: of a symlink pointing out links the symlink",
	       call2(GOFER_LINK, root, "abs", root, "hard", 0, 0, &rep) == 0 && S_ISLNK(rep.st.st_mode) &&
		       stat(path, &st) == 0 && st.st_nlink == 1);
	expect("link: out through a symlinked directory fails",
	       lfd >= 0 && call2(GOFER_LINK, lfd, "victim", root, "stolen", 0, 0, &rep) == -ENOTDIR &&
		       call2(GOFER_LINK, root, "owned", lfd, "planted", 0, 0, &rep) == -ENOTDIR && !exists(out, "dir/planted"));
	expect("link: names with '/' or \"..\" are refused",
	       call2(GOFER_LINK, root, "linkdir/victim", root, "stolen", 0, 0, &rep) == -EINVAL &&
		       call2(GOFER_LINK, root, "owned", root, "..", 0, 0, &rep) == -EINVAL);
	expect("link: with AT_SYMLINK_FOLLOW asked for is refused",
	       call2(GOFER_LINK, root, "abs", root, "hard2", 0, AT_SYMLINK_FOLLOW, &rep) == -EINVAL);

	/* Removal. */
	expect("unlink: \"..\" and '/' are refused",
	       call2(GOFER_UNLINK, root, "..", -1, "", 0, AT_REMOVEDIR, &rep) == -EINVAL &&
		       call2(GOFER_UNLINK, root, "linkdir/victim", -1, "", 0, 0, &rep) == -EINVAL);
	expect("unlink: through a symlinked directory fails",
	       lfd >= 0 && call2(GOFER_UNLINK, lfd, "victim", -1, "", 0, 0, &rep) == -ENOTDIR && exists(out, "dir/victim"));
	expect("unlink: of a symlink removes the link only",
	       call2(GOFER_UNLINK, root, "linkdir", -1, "", 0, 0, &rep) == 0 && !exists(dir, "linkdir") &&
		       exists(out, "dir/victim"));

	/* Attribute changes act on the fd given, a symlink's on the link itself. */
	snprintf(path, sizeof(path), "%s/secret", out);
	stat(path, &before);
	sfd = call(GOFER_WALK, root, "abs2", &rep);
	setattr(sfd, GOFER_ATTR_MODE, 0777, 0, 0, &rep);
	setattr(sfd, GOFER_ATTR_UID | GOFER_ATTR_GID, 0, 4321, 0, &rep);
	setattr(sfd, GOFER_ATTR_SIZE, 0, 0, 0, &rep);
	setattr(sfd, GOFER_ATTR_MTIME, 0, 0, 0, &rep);
	expect("setattr: on a symlink leaves its target alone",
	       sfd >= 0 && stat(path, &st) == 0 && st.st_mode == before.st_mode && st.st_uid == before.st_uid &&
		       st.st_size == before.st_size && st.st_mtime == before.st_mtime);
	if (sfd >= 0)
		close(sfd);
	fd = call(GOFER_WALK, root, "owned", &rep);
	expect("setattr: mode, owner, size and time of a file it gave",
	       fd >= 0 && setattr(fd, GOFER_ATTR_MODE, 0604, 0, 0, &rep) == 0 && (rep.st.st_mode & 07777) == 0604 &&
		       setattr(fd, GOFER_ATTR_UID | GOFER_ATTR_GID, 0, 77, 0, &rep) == 0 && rep.st.st_uid == 77 &&
		       setattr(fd, GOFER_ATTR_MTIME, 0, 0, 0, &rep) == 0 && rep.st.st_mtime == 12345 &&
		       setattr(fd, GOFER_ATTR_SIZE, 0, 0, 10, &rep) < 0 /* a read-only fd */);
	if (fd >= 0)
		close(fd);
	/* Extended attributes: only "user." ones, never the host kernel's trusted. or security. (capabilities). */
	fd = call(GOFER_WALK, root, "owned", &rep);
	{
		static struct gofer_req req;
		char v[8];

		memset(&req, 0, sizeof(req));
		req.op = GOFER_SETXATTR;
		strcpy(req.name, "security.capability");
		req.size = 0;
		call_req(&req, fd, -1, &rep);
		expect("setxattr: security. names are refused", rep.err == -EPERM);
		strcpy(req.name, "trusted.overlay.opaque");
		call_req(&req, fd, -1, &rep);
		expect("setxattr: trusted. names are refused", rep.err == -EPERM);
		req.size = 99999; /* more than the message holds */
		strcpy(req.name, "user.x");
		call_req(&req, fd, -1, &rep);
		expect("setxattr: a size past the message is refused", rep.err == -EINVAL);
		snprintf(path, sizeof(path), "%s/owned", dir);
		expect("setxattr: nothing was set", getxattr(path, "user.x", v, sizeof(v)) < 0 &&
							    getxattr(path, "security.capability", v, sizeof(v)) < 0);
	}
	if (fd >= 0)
		close(fd);
	fd = call(GOFER_WALK, root, "null", &rep);
	expect("walk read-write: a device node stays a path",
	       fd >= 0 && S_ISCHR(rep.st.st_mode) && write(fd, "x", 1) < 0);
	if (fd >= 0)
		close(fd);
	if (lfd >= 0)
		close(lfd);
}


int main(void)
{
	char dir[] = "/var/tmp/gofer-test.XXXXXX", out[] = "/var/tmp/gofer-out.XXXXXX", path[512], buf2[512], buf[64];
	struct gofer_rep rep;
	int root, fd;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/inside", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/inside/file", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/abs", dir);
	symlink("/etc/passwd", path);
	snprintf(path, sizeof(path), "%s/rel", dir);
	symlink("../../../../etc/passwd", path);
	snprintf(path, sizeof(path), "%s/null", dir);
	mknod(path, S_IFCHR | 0666, makedev(1, 3));
	/* Outside the root: a secret file and a directory, and symlinks in the root to them. */
	if (!mkdtemp(out))
		return 1;
	snprintf(path, sizeof(path), "%s/secret", out);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	snprintf(path, sizeof(path), "%s/dir", out);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dir/victim", out);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(path, sizeof(path), "%s/secret", out);
	snprintf(buf2, sizeof(buf2), "%s/secretlink", dir);
	symlink(path, buf2);
	snprintf(buf2, sizeof(buf2), "%s/abs2", dir);
	symlink(path, buf2);
	snprintf(path, sizeof(path), "%s/dir", out);
	snprintf(buf2, sizeof(buf2), "%s/linkdir", dir);
	symlink(path, buf2);
	/* A procfs mounted inside the root, as the host's / has one. */
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0555);
	int have_proc = mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;

	if (gofer_start(dir, &sock) < 0)
		return 1;
	root = call(GOFER_ROOT, -1, "", &rep);
	expect("root is served", root >= 0 && rep.err == 0 && S_ISDIR(rep.st.st_mode));

	fd = call(GOFER_WALK, root, "inside", &rep);
	expect("walk into a directory", fd >= 0 && S_ISDIR(rep.st.st_mode));
	if (fd >= 0)
		close(fd);
	fd = call(GOFER_WALK, root, "..", &rep);
	expect("\"..\" is refused", fd < 0 && rep.err == -EINVAL);
	fd = call(GOFER_WALK, root, "inside/../../etc", &rep);
	expect("a name with '/' is refused", fd < 0 && rep.err == -EINVAL);
	fd = call(GOFER_WALK, root, "", &rep);
	expect("an empty name is refused", fd < 0 && rep.err == -EINVAL);

	/* Symlinks come back as the link itself (O_PATH), never what they point at. */
	fd = call(GOFER_WALK, root, "abs", &rep);
	expect("absolute symlink is not followed", fd >= 0 && S_ISLNK(rep.st.st_mode) && read(fd, buf, 1) < 0);
	if (fd >= 0)
		close(fd);
	fd = call(GOFER_WALK, root, "rel", &rep);
	expect("relative symlink is not followed", fd >= 0 && S_ISLNK(rep.st.st_mode) && read(fd, buf, 1) < 0);
	if (fd >= 0)
		close(fd);

	/* A device node of the image is never opened for reading or writing. */
	fd = call(GOFER_WALK, root, "null", &rep);
	expect("device node stays a path", fd >= 0 && S_ISCHR(rep.st.st_mode) && write(fd, "x", 1) < 0);
	if (fd >= 0)
		close(fd);

	/* The host kernel's pseudo file systems are detached in the gofer's namespace. */
	if (have_proc) {
		int pfd = call(GOFER_WALK, root, "proc", &rep);

		fd = pfd >= 0 ? call(GOFER_WALK, pfd, "self", &rep) : -1;
		expect("a proc mount in the root is not served", pfd >= 0 && fd < 0 && rep.err == -ENOENT);
		if (pfd >= 0)
			close(pfd);
		if (fd >= 0)
			close(fd);
	} else {
		printf("SKIP proc mount in the root: cannot mount proc here (%s)\n", strerror(errno));
	}

	hostile_writes(root, dir, out);

	/* Garbage requests. */
	fd = call(99, root, "x", &rep);
	expect("unknown op is refused", fd < 0 && rep.err == -EINVAL);
	fd = call(GOFER_WALK, -1, "inside", &rep);
	expect("walk without a directory fd is refused", fd < 0 && rep.err == -EINVAL);

	close(sock);
	printf("gofer: %d passed, %d failed\n", passed, failed);
	if (have_proc) {
		snprintf(path, sizeof(path), "%s/proc", dir);
		umount2(path, MNT_DETACH);
	}
	snprintf(path, sizeof(path), "rm -rf %s %s", dir, out);
	if (system(path) != 0)
		return 1;
	return failed ? 1 : 0;
}
