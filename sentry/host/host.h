/*
 * The host-call layer: the only place in the sentry that makes system calls
 * on the host kernel.  Every function returns a result >= 0 or -errno; none
 * of them leaves errno for the caller to read.  Every kind of call made here
 * is on the vetted list in seccomp.c, with its reason; adding a wrapper means
 * adding (or checking) its entry there.
 *
 * Nothing here opens a path: files come from the gofer process, already
 * open (host_gofer_call), and openat is not on the vetted list at all.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <signal.h>
#include <time.h>

/* read(2) made as a readv of one buffer: readv is on the vetted list already, read is not. */
long host_read(int fd, void *buf, size_t len);
long host_write(int fd, const void *buf, size_t len);
long host_preadv(int fd, const struct iovec *iov, int cnt, off_t off);
/* Writes to a gofer file the gofer opened read-write (--overlay=none). */
long host_pwritev(int fd, const struct iovec *iov, int cnt, off_t off);
long host_readv(int fd, const struct iovec *iov, int cnt);
long host_writev(int fd, const struct iovec *iov, int cnt);
long host_close(int fd);
long host_fstat(int fd, struct stat *st);
long host_getdents64(int fd, void *buf, size_t len);
long host_readlinkat(int fd, const char *name, char *buf, size_t len);
/* The image's extended attributes, on fds the gofer gave. */
long host_flistxattr(int fd, char *buf, size_t len);
long host_fgetxattr(int fd, const char *name, void *buf, size_t len);
long host_lseek(int fd, off_t off, int whence);
/* lseek(SEEK_DATA or SEEK_HOLE) of a gofer file: the host file system's holes (moves only the sentry's offset). */
long host_seek_data(int fd, off_t off, int whence);
long host_ioctl(int fd, unsigned long req, void *arg);
long host_fcntl(int fd, int cmd, long arg);
long host_dup(int fd);

/*
 * One request to the gofer over its socket: the request (and infd, then
 * infd2, where >= 0) out, the reply (and an fd into *outfd, or -1) back.
 * 0 or -errno.
 */
long host_gofer_call(int sock, const void *req, size_t reqlen, int infd, int infd2, void *rep, size_t replen,
		     int *outfd);

/*
 * The veth's packet socket, the only socket these are allowed on: up to n
 * frames read (recvmmsg; waits for the first, takes what else has come)
 * or sent (sendmmsg) in one call.  The count done, or -errno.
 */
struct mmsghdr;
long host_recvmmsg(int fd, struct mmsghdr *msgs, unsigned n);
long host_sendmmsg(int fd, struct mmsghdr *msgs, unsigned n);

long host_memfd_create(const char *name, unsigned flags);
long host_ftruncate(int fd, off_t len);
long host_fallocate(int fd, int mode, off_t off, off_t len);
/* sendfile(2): len bytes of in at *pos to out at its file offset; *pos moves on. */
long host_sendfile(int out, int in, off_t *pos, size_t len);
void *host_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
long host_getrandom(void *buf, size_t len);

long host_ptrace(long req, pid_t pid, void *addr, void *data);
long host_wait4(pid_t pid, int *status, int options);
/* This process's futexes in the host's global hash, not a private one (before any thread; see sentry.c). */
void host_futex_hash_global(void);
long host_tgkill(pid_t tgid, pid_t tid, int sig);
/* SIGKILL to process pid, through its first thread, which is still running. */
long host_kill_process(pid_t pid);
/* futex(2) on a word the sentry shares with a stub (a memory-file frame): FUTEX_WAIT or FUTEX_WAKE. */
long host_futex(uint32_t *word, int op, uint32_t val, const struct timespec *timeout);
long host_sched_setaffinity(pid_t tid, size_t len, const void *mask);
/* A connected pair of SOCK_SEQPACKET Unix sockets, close-on-exec: 0 or -errno. */
long host_socketpair(int sv[2]);
/* One message of len bytes carrying the n fds (SCM_RIGHTS, n <= 16) on sock, without waiting: 0 or -errno. */
long host_send_fds(int sock, const int *fds, unsigned n, const void *data, size_t len);
/* Takes every message waiting on sock, without waiting, and closes the fds they carry: 0 or -errno. */
long host_drop_fds(int sock);
long host_clock_gettime(int clock, struct timespec *ts);
pid_t host_gettid(void);
pid_t host_getpid(void);

/*
 * Creates a stub process for the ptrace platform: a fork of the calling
 * thread, which the calling thread then traces.  The child runs child_fn(arg)
 * and must never return; only raw system calls are allowed in it (the
 * parent may hold any lock).  Returns the child's pid or -errno.
 */
pid_t host_fork_stub(void (*child_fn)(void *), void *arg);

/* Raw syscall for the stub child, which cannot use anything else. */
long host_raw_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

/* Host time in nanoseconds (CLOCK_MONOTONIC / CLOCK_REALTIME, via the vDSO). */
uint64_t host_monotonic_ns(void);
uint64_t host_realtime_ns(void);

/* The vetted seccomp list: see seccomp.h. */
