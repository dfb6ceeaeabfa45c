/*
 * The gofer: the only process that sees the container's root on the host.
 * In namespaces of its own, with the host's pseudo file systems (proc,
 * sysfs...) detached, it chroots into the root before serving anything
 * (runsc-shim/confine.c), walks one component at
 * a time with O_NOFOLLOW below directory fds the sentry hands back, opens
 * only regular files and directories (never devices, fifos or sockets of
 * the image), and runs under a seccomp filter of its own.  It exits when
 * the sentry closes its end of the socket, or dies with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../vfs/fs/gofer/protocol.h"
#include "../shim.h"
#include "gofer.h"

static int send_rep(int sock, struct gofer_rep *rep, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {rep, sizeof(*rep)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* One component below dirfd, never following a link: the fd and its stat, or -errno. */
static int walk(int dirfd, const char *name, struct stat *st)
{
	int pfd, fd;
	struct stat st2;

	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd < 0)
		return -errno;
	if (fstat(pfd, st) < 0) {
		close(pfd);
		return -EIO;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return pfd;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return pfd; /* unreadable: the place only */
	/* The name may have been swapped between the two opens: insist on the same object. */
	if (fstat(fd, &st2) < 0 || st2.st_ino != st->st_ino || st2.st_dev != st->st_dev) {
		close(fd);
		close(pfd);
		return -EAGAIN;
	}
	close(pfd);
	*st = st2;
	return fd;
}

static int confine(void)
{
	static const char *const allowed[] = {"recvmsg", "sendmsg", "openat", "fstat", "newfstatat", "close",
					      "exit_group", "exit", "rt_sigreturn"};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int r = ctx ? 0 : -1;

	for (i = 0; r == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(allowed[i]), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static void serve(int sock)
{
	for (;;) {
		struct gofer_req req;
		struct gofer_rep rep;
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = {&req, sizeof(req)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		int infd = -1, fd = -1;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			_exit(0); /* the sentry is gone */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof(int)))
				memcpy(&infd, CMSG_DATA(c), sizeof(int));
		memset(&rep, 0, sizeof(rep));
		req.name[sizeof(req.name) - 1] = 0;
		if ((size_t)n != sizeof(req)) {
			rep.err = -EINVAL;
		} else if (req.op == GOFER_ROOT) {
			fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			rep.err = fd < 0 ? -errno : (fstat(fd, &rep.st) < 0 ? -EIO : 0);
		} else if (req.op == GOFER_WALK && infd >= 0) {
			fd = walk(infd, req.name, &rep.st);
			rep.err = fd < 0 ? fd : 0;
		} else {
			rep.err = -EINVAL;
		}
		if (infd >= 0)
			close(infd);
		if (send_rep(sock, &rep, rep.err ? -1 : fd) < 0)
			_exit(0);
		if (fd >= 0)
			close(fd);
	}
}

pid_t gofer_start(const char *root, int *sock)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		int fd;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		close(sv[0]);
		/* Nothing of cvisor's but the socket. */
		for (fd = 0; fd < 1024; fd++)
			if (fd != sv[1] && fd != 2)
				close(fd);
		setsid();
		if ((fd = shim_confine_gofer(root)) < 0) {
			struct gofer_rep rep = {.err = fd};

			send_rep(sv[1], &rep, -1);
			_exit(1);
		}
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (confine() < 0)
			_exit(1);
		serve(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	*sock = sv[0];
	return pid;
}
