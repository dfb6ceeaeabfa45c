/*
 * AF_UNIX sockets, entirely in the sentry: stream, datagram and seqpacket;
 * path, abstract and unnamed addresses; SCM_RIGHTS and SCM_CREDENTIALS;
 * SO_PEERCRED.  The socket calls (socket, bind, connect, sendmsg...) are in
 * syscalls/sys_socket.c and come here through the AF_UNIX family and its
 * socket_ops (vfs/socket.h), which these functions fill.
 */
#pragma once

#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "../../socket.h"

struct file;
struct inode;
struct task;

long unix_socket(int type, int flags, struct file **out);
long unix_socketpair(int type, int flags, struct file *out[2]);
long unix_bind(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len);
long unix_listen(struct file *f, int backlog);
long unix_connect(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len);
long unix_accept(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		 socklen_t *peerlen);
long unix_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags);
/*
 * Receives into m->iov; fills *from (and its length) when asked, the
 * passed files (m->fds, m->nfds with the array owned by the caller, at most
 * maxfds) and the credentials.  *msg_flags gets MSG_TRUNC/MSG_CTRUNC.
 */
long unix_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds, struct sockaddr_storage *from,
		  socklen_t *fromlen, int *msg_flags);
long unix_shutdown(struct file *f, int how);
long unix_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len);
long unix_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len);
long unix_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len);

/* What sock_diag (ss -x) shows of one socket. */
struct unix_sock_info {
	uint64_t ino;                /* its inode number, as in /proc/PID/fd's socket:[N] */
	uint32_t net_ino;            /* its network namespace's inode number (0: made with none) */
	int type;                    /* SOCK_STREAM... */
	int listening, connected;
	const struct sockaddr_un *addr; /* its name: addrlen bytes (0: unnamed) */
	socklen_t addrlen;
	struct inode *bound;         /* a path-bound socket's file */
	uint64_t peer_ino;           /* 0: none */
	uint32_t rqueue, wqueue;     /* bytes queued; a listener: pending connections and its backlog */
	int shutdown;                /* 1 read, 2 write */
	uint32_t uid;
	int npending;
	uint64_t pending[64];        /* a listener's unaccepted connections (the first 64) */
};

/* Calls fn for every AF_UNIX socket that is open (under sentry_lock: fn changes nothing). */
void unix_for_each(void (*fn)(const struct unix_sock_info *u, void *arg), void *arg);
