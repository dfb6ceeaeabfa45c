/*
 * The gofer's own tests: whatever the sentry asks, the gofer opens nothing
 * outside its root.  Starts a real gofer on a directory made for the test,
 * then sends hostile requests straight over its socket: "..", names with
 * '/', symlinks pointing out (absolute and relative), a device node, and
 * malformed requests.  Prints a PASS or FAIL line each.
 * links: runsc-shim/gofer/gofer.c runsc-shim/confine.c
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
#include <unistd.h>

#include "../../runsc-shim/gofer/gofer.h"
#include "../../vfs/fs/gofer/protocol.h"

static int sock, passed, failed;

static int call(uint32_t op, int infd, const char *name, struct gofer_rep *rep)
{
	struct gofer_req req = {.op = op};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&req, sizeof(req)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;
	int fd = -1;

	snprintf(req.name, sizeof(req.name), "%s", name);
	if (infd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &infd, sizeof(int));
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

static void expect(const char *what, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

int main(void)
{
	char dir[] = "/var/tmp/gofer-test.XXXXXX", path[512], buf[64];
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
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return failed ? 1 : 0;
}
