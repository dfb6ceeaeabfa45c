/*
 * The gofer: the only process that sees the container's root on the host.
 * In namespaces of its own, with the host's pseudo file systems (proc,
 * sysfs...) detached, it pivots into the root before serving anything
 * (runsc-shim/confine.c), walks one component at
 * a time with O_NOFOLLOW below directory fds the sentry hands back, opens
 * only regular files and directories (never devices, fifos or sockets of
 * the image), and runs under a seccomp filter of its own.  With
 * --overlay=none it also creates, removes, renames, links and changes the
 * attributes of files for the sentry (protocol.h), always on fds it gave
 * and single names, never following a symlink and never making a device
 * node; permission checks are the sentry's.  It exits when the sentry
 * closes its end of the socket, or dies with it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../../vfs/fs/gofer/protocol.h"
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* x86-64, Linux 6.6 */
#endif
#include "../shim.h"
#include "gofer.h"

/* The reply, the fd it carries (or -1), and what follows it (GOFER_GETXATTR's value, or NULL). */
static int send_rep(int sock, struct gofer_rep *rep, int fd, void *data, size_t size)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2] = {{rep, sizeof(*rep)}, {data, size}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = data ? 2 : 1};

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

static int bad_name(const char *name)
{
	return !name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..");
}

/*
 * One component below dirfd, never following a link: the fd and its stat,
 * or -errno.  Regular files come read-write with GOFER_RDWR.
 */
static int walk(int dirfd, const char *name, int rdwr, struct stat *st)
{
	int fd = -1, reg;
	struct stat st2;

	if (bad_name(name))
		return -EINVAL;
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	reg = S_ISREG(st->st_mode);
	/* Only regular files and directories are opened for reading; anything else is its place only. */
	if (reg || S_ISDIR(st->st_mode)) {
		fd = openat(dirfd, name, (rdwr && reg ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 && rdwr && reg)
			return -errno;
	}
	if (fd < 0) /* unreadable, or not a file nor a directory: the place only */
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The name may have been swapped between the stat and the open: insist on the same object. */
	if (fstat(fd, &st2) < 0 || st2.st_ino != st->st_ino || st2.st_dev != st->st_dev) {
		close(fd);
		return -EAGAIN;
	}
	*st = st2;
	return fd;
}

/*
 * A new file of the type mode names, owned by uid:gid, its fd as walk
 * gives it.  Each call fails on an existing name, symlinks included
 * (O_EXCL, mkdirat, symlinkat, mknodat never follow the last component).
 */
static int create(int dirfd, const struct gofer_req *req, struct stat *st)
{
	mode_t perm = req->mode & 07777;
	int fd, r = 0;

	if (bad_name(req->name))
		return -EINVAL;
	switch (req->mode & S_IFMT) {
	case S_IFREG:
		fd = openat(dirfd, req->name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, perm);
		if (fd < 0)
			return -errno;
		break;
	case S_IFDIR:
		if (mkdirat(dirfd, req->name, perm) < 0)
			return -errno;
		fd = openat(dirfd, req->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		break;
	case S_IFLNK:
		if (!req->name2[0])
			return -ENOENT;
		if (symlinkat(req->name2, dirfd, req->name) < 0)
			return -errno;
		fd = openat(dirfd, req->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		break;
	case S_IFIFO:
	case S_IFSOCK:
		if (mknodat(dirfd, req->name, (req->mode & S_IFMT) | perm, 0) < 0)
			return -errno;
		fd = openat(dirfd, req->name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		break;
	default:
		return -EPERM; /* device nodes would reach the host's devices */
	}
	if (fd < 0)
		return -errno;
	/* The sandbox's task owns what it makes; chown clears set-id bits, so the mode comes after. */
	if (fchownat(fd, "", req->uid, req->gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ||
	    ((perm & (S_ISUID | S_ISGID)) && fchmod(fd, perm) < 0) || fstat(fd, st) < 0)
		r = -errno;
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static long set_mode(int fd, mode_t mode)
{
	/* fchmodat2 takes O_PATH fds (symlinks, fifos, sockets); older kernels only fchmod. */
	if (syscall(SYS_fchmodat2, fd, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	return fchmod(fd, mode) < 0 ? -errno : 0;
}

static long setattr(int fd, const struct gofer_req *req, struct stat *st)
{
	struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};

	if ((req->valid & (GOFER_ATTR_UID | GOFER_ATTR_GID)) &&
	    fchownat(fd, "", req->valid & GOFER_ATTR_UID ? req->uid : (uid_t)-1,
		     req->valid & GOFER_ATTR_GID ? req->gid : (gid_t)-1, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (req->valid & GOFER_ATTR_MODE) {
		long r = set_mode(fd, req->mode & 07777);

		if (r < 0)
			return r;
	}
	if ((req->valid & GOFER_ATTR_SIZE) && ftruncate(fd, (off_t)req->size) < 0)
		return -errno;
	if (req->valid & GOFER_ATTR_ATIME)
		ts[0] = req->atime;
	if (req->valid & GOFER_ATTR_MTIME)
		ts[1] = req->mtime;
	if ((req->valid & (GOFER_ATTR_ATIME | GOFER_ATTR_MTIME)) &&
	    utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return fstat(fd, st) < 0 ? -errno : 0;
}

/* The ops that change the tree: fd and fd2 are directories the gofer gave. */
static long change(const struct gofer_req *req, int fd, int fd2, struct gofer_rep *rep)
{
	switch (req->op) {
	case GOFER_UNLINK:
		if (bad_name(req->name) || (req->flags & ~(unsigned)AT_REMOVEDIR))
			return -EINVAL;
		if (unlinkat(fd, req->name, (int)req->flags) < 0)
			return -errno;
		return fstat(fd, &rep->st2) < 0 ? -errno : 0;
	case GOFER_RENAME:
		if (fd2 < 0 || bad_name(req->name) || bad_name(req->name2) ||
		    (req->flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE)))
			return -EINVAL;
		/* The raw call: glibc's renameat2 turns flags 0 into renameat, which the filter does not allow. */
		if (syscall(SYS_renameat2, fd, req->name, fd2, req->name2, req->flags) < 0)
			return -errno;
		return fstat(fd, &rep->st) < 0 || fstat(fd2, &rep->st2) < 0 ? -errno : 0;
	case GOFER_LINK:
		/* No AT_SYMLINK_FOLLOW: a link to a symlink is a link to the symlink, never to its target. */
		if (fd2 < 0 || bad_name(req->name) || bad_name(req->name2) || req->flags)
			return -EINVAL;
		if (linkat(fd, req->name, fd2, req->name2, 0) < 0)
			return -errno;
		return fstatat(fd2, req->name2, &rep->st, AT_SYMLINK_NOFOLLOW) < 0 || fstat(fd2, &rep->st2) < 0 ? -errno
														 : 0;
	case GOFER_SETATTR:
		return setattr(fd, req, &rep->st);
	case GOFER_FSYNC:
		if ((req->flags ? fdatasync(fd) : fsync(fd)) < 0)
			return errno == EBADF || errno == EINVAL ? 0 : -errno; /* O_PATH fds: nothing to flush */
		return 0;
	case GOFER_STATFS:
		return fstatfs(fd, &rep->sfs) < 0 ? -errno : 0;
	case GOFER_SETXATTR:
	case GOFER_REMOVEXATTR:
		if (strncmp(req->name, "user.", 5) || (req->flags & ~(unsigned)(XATTR_CREATE | XATTR_REPLACE)))
			return -EPERM;
		if ((req->op == GOFER_SETXATTR ? fsetxattr(fd, req->name, req + 1, req->size, (int)req->flags)
					       : fremovexattr(fd, req->name)) < 0)
			return errno == EBADF ? -EPERM : -errno; /* O_PATH: not a file or directory */
		return 0;
	}
	return -EINVAL;
}

static int confine(void)
{
	static const char *const allowed[] = {
		"recvmsg", "sendmsg", "openat", "fstat", "newfstatat", "close", "exit_group", "exit", "rt_sigreturn",
		/* --overlay=none: the ops that write the root, each on fds it gave and single names */
		"mkdirat", "symlinkat", "unlinkat", "renameat2", "linkat", "fchownat", "fchmod",
		"fchmodat2", "ftruncate", "utimensat", "fsync", "fdatasync", "fstatfs", "fsetxattr", "fremovexattr",
		/* the user.* attributes of files the sentry's host uid may not read */
		"fgetxattr"};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	size_t i;
	int r = ctx ? 0 : -1;

	for (i = 0; r == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr == __NR_SCMP_ERROR && !strcmp(allowed[i], "fchmodat2"))
			nr = SYS_fchmodat2; /* newer than this libseccomp */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* mknodat only for fifos and socket nodes: a device node is refused here as well as in create(). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name("mknodat"), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFIFO));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name("mknodat"), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, S_IFSOCK));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int gofer_handle(struct gofer_req *req, size_t n, int msg_flags, int infd, int infd2, struct gofer_rep *rep,
		 char *value)
{
	int fd = -1;

	memset(rep, 0, sizeof(*rep));
	req->name[sizeof(req->name) - 1] = 0;
	req->name2[sizeof(req->name2) - 1] = 0;
	if (n < sizeof(*req) || (msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
	    n != sizeof(*req) + (req->op == GOFER_SETXATTR ? req->size : 0) ||
	    (req->op == GOFER_SETXATTR && req->size > GOFER_XATTR_MAX)) {
		rep->err = -EINVAL;
	} else if (req->op == GOFER_ROOT) {
		fd = openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rep->err = fd < 0 ? -errno : (fstat(fd, &rep->st) < 0 ? -EIO : 0);
	} else if (infd < 0) {
		rep->err = -EINVAL;
	} else if (req->op == GOFER_WALK) {
		fd = walk(infd, req->name, req->flags & GOFER_RDWR, &rep->st);
		rep->err = fd < 0 ? fd : 0;
	} else if (req->op == GOFER_GETXATTR) {
		ssize_t size;

		if (strncmp(req->name, "user.", 5))
			rep->err = -EPERM;
		else if ((size = fgetxattr(infd, req->name, value, GOFER_XATTR_MAX)) < 0)
			rep->err = errno == EBADF ? -ENODATA : -errno; /* O_PATH: none to give */
		else
			rep->err = (int32_t)size;
	} else if (req->op == GOFER_CREATE) {
		fd = create(infd, req, &rep->st);
		rep->err = fd < 0 ? fd : fstat(infd, &rep->st2) < 0 ? -errno : 0;
	} else {
		rep->err = (int32_t)change(req, infd, infd2, rep);
	}
	if (rep->err < 0 && fd >= 0) {
		close(fd);
		fd = -1;
	}
	return fd < 0 ? -1 : fd;
}

static void serve(int sock)
{
	/* A request, and for GOFER_SETXATTR the value after it. */
	static union {
		struct gofer_req req;
		char raw[sizeof(struct gofer_req) + GOFER_XATTR_MAX];
	} in;
	static char xattr_value[GOFER_XATTR_MAX];

	for (;;) {
		struct gofer_rep rep;
		char cbuf[CMSG_SPACE(2 * sizeof(int))];
		struct iovec iov = {&in, sizeof(in)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *c;
		int infd[2] = {-1, -1}, fd;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

		if (n <= 0)
			_exit(0); /* the sentry is gone */
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			size_t k, nfd;

			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
				continue;
			nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (k = 0; k < nfd; k++) {
				int x;

				memcpy(&x, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
				if (k < 2 && infd[k] < 0)
					infd[k] = x;
				else
					close(x); /* more than asked for: never kept */
			}
		}
		fd = gofer_handle(&in.req, (size_t)n, mh.msg_flags, infd[0], infd[1], &rep, xattr_value);
		if (infd[0] >= 0)
			close(infd[0]);
		if (infd[1] >= 0)
			close(infd[1]);
		if (send_rep(sock, &rep, fd, in.req.op == GOFER_GETXATTR && rep.err >= 0 ? xattr_value : NULL,
			     sizeof(xattr_value)) < 0)
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
	/*
	 * A raw clone into a pid namespace of its own (fork(3) makes none):
	 * the gofer, the host's uid 0, is its pid 1 and can name no other
	 * process, whatever its filter allowed.  glibc's record of its tid
	 * stays cvisor's; the gofer never asks for it.
	 */
	pid = shim_clone(CLONE_NEWPID);
	if (pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return -errno;
	}
	if (pid == 0) {
		int fd;

		/* Had cvisor died already, the socket reads end of file at once: the gofer exits then. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* Nothing of cvisor's but the socket (not even stderr: its filter has no write). */
		if ((sv[1] > 0 && close_range(0, (unsigned)sv[1] - 1, 0) < 0) || close_range((unsigned)sv[1] + 1, ~0U, 0) < 0)
			_exit(1);
		setsid();
		if ((fd = shim_confine_gofer(root)) < 0) {
			struct gofer_rep rep = {.err = fd};

			send_rep(sv[1], &rep, -1, NULL, 0);
			_exit(1);
		}
		/* The sentry applied the task's umask already. */
		umask(0);
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
