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

/* A message as the socket layer sees it: data in sentry spans, ancillary data decoded. */
struct umsg {
	const struct iovec *iov;
	int iovcnt;
	struct file **fds;  /* SCM_RIGHTS: files with a reference each */
	int nfds;
	int has_creds;
	struct ucred creds;
	const struct sockaddr *addr; /* sendto's destination / recvfrom's source */
	socklen_t addrlen;
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
};

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
 * The interface ioctls (SIOCGIFINDEX, SIOCGIFCONF, SIOCGIFFLAGS...: type
 * 0x89 from SIOCGIFNAME on), which Linux answers on a socket of any family
 * (dev_ioctl).  The network stack registers their handler at start-up;
 * sock_dev_ioctl answers -ENOTTY without one.  arg is the guest's struct
 * ifreq or ifconf, copied in and out by the handler.
 */
typedef long (*sock_dev_ioctl_fn)(struct task *t, struct file *f, unsigned long req, uint64_t arg);
void sock_register_dev_ioctl(sock_dev_ioctl_fn fn);
long sock_dev_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg);
/* Is req one of those (sys_ioctl sends them here rather than to the socket's own ioctl)? */
static inline int sock_is_dev_ioctl(unsigned long req)
{
	return (req & ~0xffUL) == 0x8900 && (req & 0xff) >= 0x10 && (req & 0xff) < 0xe0;
}
