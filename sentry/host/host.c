/*
 * Host-call wrappers (see host.h).  Each is a thin raw syscall that turns a
 * failure into -errno at once; errno is read nowhere else in the sentry.
 */
#define _GNU_SOURCE
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline long ret(long r)
{
	return r < 0 ? -errno : r;
}

long host_read(int fd, void *buf, size_t len)
{
	struct iovec iov = {buf, len};

	return ret(syscall(SYS_readv, fd, &iov, 1));
}
long host_write(int fd, const void *buf, size_t len) { return ret(syscall(SYS_write, fd, buf, len)); }

long host_preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	/* preadv's raw form splits the offset into two longs. */
	return ret(syscall(SYS_preadv, fd, iov, cnt, (unsigned long)off, 0UL));
}

long host_pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return ret(syscall(SYS_pwritev, fd, iov, cnt, (unsigned long)off, 0UL));
}
long host_readv(int fd, const struct iovec *iov, int cnt) { return ret(syscall(SYS_readv, fd, iov, cnt)); }
long host_writev(int fd, const struct iovec *iov, int cnt) { return ret(syscall(SYS_writev, fd, iov, cnt)); }

long host_close(int fd) { return ret(syscall(SYS_close, fd)); }

/* As glibc's fstat: newfstatat on the fd itself, so one rule covers both (fstat is not on the list). */
long host_fstat(int fd, struct stat *st) { return ret(syscall(SYS_newfstatat, fd, "", st, AT_EMPTY_PATH)); }

long host_getdents64(int fd, void *buf, size_t len) { return ret(syscall(SYS_getdents64, fd, buf, len)); }

long host_flistxattr(int fd, char *buf, size_t len) { return ret(syscall(SYS_flistxattr, fd, buf, len)); }
long host_fgetxattr(int fd, const char *name, void *buf, size_t len)
{
	return ret(syscall(SYS_fgetxattr, fd, name, buf, len));
}

long host_readlinkat(int fd, const char *name, char *buf, size_t len)
{
	return ret(syscall(SYS_readlinkat, fd, name, buf, len));
}

long host_lseek(int fd, off_t off, int whence) { return ret(syscall(SYS_lseek, fd, off, whence)); }
long host_seek_data(int fd, off_t off, int whence)
{
	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EINVAL;
	return ret(syscall(SYS_lseek, fd, off, whence));
}
long host_ioctl(int fd, unsigned long req, void *arg) { return ret(syscall(SYS_ioctl, fd, req, arg)); }
long host_fcntl(int fd, int cmd, long arg) { return ret(syscall(SYS_fcntl, fd, cmd, arg)); }
long host_dup(int fd) { return ret(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3)); }

/* mh carries the n fds (SCM_RIGHTS) in cbuf, which holds at least CMSG_SPACE(n * sizeof(int)) bytes. */
static void put_fds(struct msghdr *mh, char *cbuf, const int *fds, unsigned n)
{
	struct cmsghdr *c;

	memset(cbuf, 0, CMSG_SPACE(n * sizeof(int)));
	mh->msg_control = cbuf;
	mh->msg_controllen = CMSG_SPACE(n * sizeof(int));
	c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
}

/*
 * The fds of every cmsg of mh are closed, but the first when keep is not
 * NULL: that one goes to *keep.
 */
static void take_fds(struct msghdr *mh, int *keep)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		size_t k, nfd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nfd; k++) {
			int x;

			memcpy(&x, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
			if (keep && *keep < 0)
				*keep = x;
			else
				host_close(x);
		}
	}
}

long host_gofer_call(int sock, const void *req, size_t reqlen, int infd, int infd2, void *rep, size_t replen,
		     int *outfd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = {(void *)req, reqlen};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	int fds[2] = {infd, infd2}, n = infd < 0 ? 0 : infd2 < 0 ? 1 : 2;
	long r;

	*outfd = -1;
	if (n)
		put_fds(&mh, cbuf, fds, (unsigned)n);
	do
		r = syscall(SYS_sendmsg, sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	memset(&mh, 0, sizeof(mh));
	iov.iov_base = rep;
	iov.iov_len = replen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cbuf;
	mh.msg_controllen = sizeof(cbuf);
	do
		r = syscall(SYS_recvmsg, sock, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	/* One fd with a whole reply is kept; any other that came (a short reply's, a second one) is closed. */
	take_fds(&mh, (size_t)r == replen ? outfd : NULL);
	if ((size_t)r != replen)
		return -EIO; /* the gofer is gone */
	if (mh.msg_flags & MSG_CTRUNC) {
		/* The fd sent did not fit in the sentry's table (RLIMIT_NOFILE). */
		if (*outfd >= 0) {
			host_close(*outfd);
			*outfd = -1;
		}
		return -EMFILE;
	}
	return 0;
}

long host_recvmmsg(int fd, struct mmsghdr *msgs, unsigned n)
{
	return ret(syscall(SYS_recvmmsg, fd, msgs, n, MSG_WAITFORONE, NULL));
}

long host_sendmmsg(int fd, struct mmsghdr *msgs, unsigned n) { return ret(syscall(SYS_sendmmsg, fd, msgs, n, 0)); }

long host_memfd_create(const char *name, unsigned flags) { return ret(syscall(SYS_memfd_create, name, flags)); }
long host_ftruncate(int fd, off_t len) { return ret(syscall(SYS_ftruncate, fd, len)); }
long host_fallocate(int fd, int mode, off_t off, off_t len) { return ret(syscall(SYS_fallocate, fd, mode, off, len)); }
long host_sendfile(int out, int in, off_t *pos, size_t len) { return ret(syscall(SYS_sendfile, out, in, pos, len)); }

void *host_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}


long host_getrandom(void *buf, size_t len) { return ret(syscall(SYS_getrandom, buf, len, 0)); }

long host_ptrace(long req, pid_t pid, void *addr, void *data)
{
	return ret(syscall(SYS_ptrace, req, pid, addr, data));
}

long host_wait4(pid_t pid, int *status, int options)
{
	long r;

	do
		r = syscall(SYS_wait4, pid, status, options, NULL);
	while (r < 0 && errno == EINTR);
	return ret(r);
}

void host_futex_hash_global(void)
{
	prctl(78 /* PR_FUTEX_HASH */, 1 /* PR_FUTEX_HASH_SET_SLOTS */, 0, 0, 0);
}

long host_tgkill(pid_t tgid, pid_t tid, int sig) { return ret(syscall(SYS_tgkill, tgid, tid, sig)); }
/*
 * SIGKILL to a whole process by its first thread, which must not have
 * exited (a signal to an exited leader reaches no one): tgkill names one
 * thread, never a process group, so kill(2) need not be on the list.
 */
long host_kill_process(pid_t pid) { return ret(syscall(SYS_tgkill, pid, pid, SIGKILL)); }

long host_futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout)
{
	return ret(syscall(SYS_futex, word, op, val, timeout, NULL, 0));
}

long host_sched_setaffinity(pid_t tid, size_t len, const void *mask)
{
	return ret(syscall(SYS_sched_setaffinity, tid, len, mask));
}

long host_socketpair(int sv[2])
{
	return ret(syscall(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv));
}

long host_send_fds(int sock, const int *fds, unsigned n, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = {(void *)data, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	long r;

	if (n == 0 || n > 16)
		return -EINVAL;
	put_fds(&mh, cbuf, fds, n);
	do
		r = syscall(SYS_sendmsg, sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : (size_t)r == len ? 0 : -EIO;
}

long host_drop_fds(int sock)
{
	char cbuf[CMSG_SPACE(16 * sizeof(int))], data[16];
	long r;

	for (;;) {
		struct iovec iov = {data, sizeof(data)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};

		r = syscall(SYS_recvmsg, sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -errno;
		take_fds(&mh, NULL);
	}
}

long host_clock_gettime(int clock, struct timespec *ts)
{
	/* Through the vDSO: no system call at all in the common case. */
	return clock_gettime(clock, ts) < 0 ? -errno : 0;
}

pid_t host_gettid(void) { return (pid_t)syscall(SYS_gettid); }
pid_t host_getpid(void) { return (pid_t)syscall(SYS_getpid); }

uint64_t host_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t host_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

long host_raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

pid_t host_fork_stub(void (*child_fn)(void *), void *arg)
{
	long pid;

	/*
	 * A raw clone, not fork(3): glibc's fork runs atfork handlers and
	 * takes its own locks, neither of which the stub may depend on.
	 */
	pid = host_raw_syscall6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
	if (pid == 0) {
		child_fn(arg);
		host_raw_syscall6(SYS_exit_group, 127, 0, 0, 0, 0, 0);
	}
	return (pid_t)pid;
}
