/*
 * The socket layer's two registries.  A socket family (AF_UNIX in
 * vfs/fs/unix, AF_INET and AF_INET6 from netstack/, AF_NETLINK...) registers
 * itself with SOCK_FAMILY; socket(2) and socketpair(2) find it by number.
 * Every socket file it makes has file_ops.sock set, the socket calls'
 * table: bind, connect, sendmsg... (syscalls/sys_socket.c) reach the
 * family through it and know no family by name.
 *
 * The calls copy addresses, option values and data in and out of guest
 * memory; the ops see sentry buffers only.  Ops return -errno as Linux's
 * socket calls do.  Every op of a socket_ops is set (one a family lacks
 * answers -EOPNOTSUPP itself): the calls do not check for NULL.
 *
 * Includers define _GNU_SOURCE first (struct ucred).
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct file;
struct task;

struct mm;

/*
 * A message as the socket layer sees it: data in sentry spans (or, for a
 * family whose socket_ops has guest_iov, where the application has it:
 * iov_base a guest address of mm), ancillary data decoded.  Families
 * move the data with umsg_copy_from/umsg_copy_to, which serve both.
 */
struct umsg {
	const struct iovec *iov;
	int iovcnt;
	struct mm *mm;      /* set: iov holds guest addresses of mm, copied with the mm helpers */
	struct file **fds;  /* SCM_RIGHTS: files with a reference each */
	int nfds;
	int has_creds;
	struct ucred creds;
	const struct sockaddr *addr; /* sendto's destination / recvfrom's source */
	socklen_t addrlen;
	/*
	 * Control messages of the family's own levels (IP_PKTINFO, IP_TOS...),
	 * framed as cmsghdrs in sentry memory.  sendmsg: those the application
	 * gave at levels other than SOL_SOCKET (ctllen bytes; a family that
	 * knows none ignores them, as Linux's AF_UNIX).  recvmsg: a buffer of
	 * ctlcap bytes (0: the caller takes none) the family appends to,
	 * ctllen the bytes used; put after the SOL_SOCKET ones the layer makes.
	 */
	void *ctl;
	size_t ctllen, ctlcap;
	/* recvmsg: set by the family when the count it returns was not written (TCP's MSG_OOB|MSG_TRUNC) */
	int unwritten;
};

/* The socket calls on one open socket (file_ops.sock). */
struct socket_ops {
	long (*bind)(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len);
	long (*listen)(struct file *f, int backlog);
	long (*connect)(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len);
	/* A new connection in *out (a file with flags' O_NONBLOCK) and its peer's address. */
	long (*accept)(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		       socklen_t *peerlen);
	long (*sendmsg)(struct task *t, struct file *f, struct umsg *m, int flags);
	/*
	 * Receives into m->iov; fills *from (and its length) when asked, the
	 * passed files (m->fds, m->nfds with the array owned by the caller, at
	 * most maxfds) and the credentials.  *msg_flags gets MSG_TRUNC/MSG_CTRUNC.
	 */
	long (*recvmsg)(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds,
			struct sockaddr_storage *from, socklen_t *fromlen, int *msg_flags);
	long (*shutdown)(struct file *f, int how);
	/* getsockname (peer 0) and getpeername (peer 1). */
	long (*getname)(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len);
	long (*getsockopt)(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len);
	long (*setsockopt)(struct file *f, int level, int name, const void *val, socklen_t len);
	/*
	 * Optional: close(2) calls it when it drops the file's last
	 * reference, before the release, so that a socket with SO_LINGER and
	 * a timeout can wait (blocking through t) until what it sent is
	 * acknowledged or the time is up, as Linux's tcp_close does.  Its
	 * outcome is not close's: close returns 0 either way.
	 */
	void (*close_wait)(struct task *t, struct file *f);
	/*
	 * Set: sendmsg/recvmsg take the application's iovecs as they are
	 * (umsg.mm set) and copy the data themselves, once, between guest
	 * memory and their packets; no bounce buffer and no SOCK_CHUNK cap.
	 */
	int guest_iov;
};

/*
 * read(2) and write(2) on a socket file (its file_ops' read and write):
 * recvmsg and sendmsg through file_ops.sock, without addresses or
 * ancillary data and never blocking in the family (rw() waits; the iovecs
 * are spans of guest memory, never held across a block).
 */
/* listen(2) and accept(2) of a family that has no connections (datagram, raw, netlink): EOPNOTSUPP, as Linux's sock_no_*. */
long sock_no_listen(struct file *f, int backlog);
long sock_no_accept(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		    socklen_t *peerlen);

long sock_file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos);
long sock_file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos);

/* A socket family: how socket(2) and socketpair(2) make its sockets. */
struct sock_family {
	int family; /* AF_* */
	/*
	 * socket(2): type without its flags (SOCK_STREAM...), the protocol as
	 * given, flags O_NONBLOCK or 0; 0 with a new file in *out, or -errno
	 * (-ESOCKTNOSUPPORT, -EPROTONOSUPPORT...).
	 */
	long (*create)(int type, int protocol, int flags, struct file **out);
	/* socketpair(2), the same way; NULL: -EOPNOTSUPP (as AF_INET answers). */
	long (*pair)(int type, int protocol, int flags, struct file *out[2]);
};

#define SOCK_FAMILIES_MAX 48 /* AF_MAX of Linux 6.1 is 46 */

/* Registers f (at start-up, before main: see SOCK_FAMILY). */
void sock_register_family(const struct sock_family *f);
/* The family numbered family, or NULL (socket(2) then answers -EAFNOSUPPORT). */
const struct sock_family *sock_find_family(int family);
/* In the file that defines the family: registers it when the program starts. */
#define SOCK_FAMILY(f) \
	__attribute__((constructor)) static void register_##f(void) { sock_register_family(&f); }

/*
 * The interface ioctls (SIOCGIFCONF, SIOCGIFFLAGS...), which Linux answers
 * on a socket of any family: the network stack registers its handler at
 * start-up; ioctl(2) on a socket whose own ioctl op does not know a
 * request (-ENOTTY) asks it.  -ENOTTY when none is registered.
 */
typedef long (*sock_dev_ioctl_fn)(struct task *t, unsigned long req, uint64_t arg);
void sock_register_dev_ioctl(sock_dev_ioctl_fn fn);
long sock_dev_ioctl(struct task *t, unsigned long req, uint64_t arg);

/* Gathers the first len bytes of m's data into dst: 0, or -EFAULT for guest memory that is not there. */
long umsg_copy_from(const struct umsg *m, void *dst, size_t len);
/* Scatters len bytes of src into m's buffers (at most their total): 0 or -EFAULT. */
long umsg_copy_to(const struct umsg *m, const void *src, size_t len);
