/*
 * AF_UNIX sockets (see unix.h).
 *
 * A socket is a struct usock behind a file.  References: its file holds
 * one; a connected peer pointer holds one on the peer; a listener's queue
 * of not yet accepted connections holds one on each.  Names are weak: a
 * path-bound socket is found through its inode (inode->sock), an abstract
 * one through a list; both are forgotten when the socket's file closes.
 * Abstract names are per network namespace, as Linux's: a socket belongs
 * to its maker's (named by the namespace's inode number, net_ino).
 * Locking: sentry_lock.  Every change to a socket wakes its inode's queue
 * (notify).  read(2) and write(2) never block in here (-EAGAIN; the syscall
 * layer waits on the socket's queue and its peer's, u_wait_link); the
 * socket calls, whose data is in sentry bounce buffers, wait in wait_or.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "../../../sentry/kernel/task.h"
#include "../../../sentry/mm/memfile.h"
#include "../../namei.h"
#include "../../vfs.h"
#include "unix.h"

#define SOCK_BUF (256 * 1024)

enum { U_UNCONN, U_LISTEN, U_CONNECTED };

struct chunk {
	struct chunk *next;
	size_t len, off;
	struct file **fds;
	int nfds;
	int has_creds;
	struct ucred creds;
	struct sockaddr_un from;
	socklen_t fromlen;
	char data[];
};

struct usock {
	int type;
	int state;
	struct usock *peer;
	struct chunk *head, *tail;
	size_t queued;
	int rd_shut, wr_shut, peer_closed, closed;
	struct usock *pending, *next_pending; /* a listener's unaccepted connections */
	int backlog, npending;
	struct sockaddr_un addr;
	socklen_t addrlen;          /* 0: unnamed */
	struct inode *bound;        /* path-bound: the socket inode (with a reference) */
	struct usock *next_abstract;
	uint32_t net_ino;           /* its network namespace (the abstract names it sees); 0: none */
	struct ucred peercred, owncred;
	int passcred;
	struct inode *ino;          /* ours, for vfs_notify */
	int refs;
	struct usock *all_next, *all_prev; /* every socket, for unix_for_each (sock_diag) */
};

static struct usock *abstract_socks;
static struct usock *all_socks;

static const struct file_ops unix_fops;

static void free_chunk(struct chunk *c)
{
	int i;

	for (i = 0; i < c->nfds; i++)
		file_put(c->fds[i]);
	free(c->fds);
	mf_uncharge(sizeof(*c) + c->len);
	free(c);
}

static void sock_put(struct usock *s)
{
	struct chunk *c, *n;

	if (--s->refs)
		return;
	if (s->all_prev)
		s->all_prev->all_next = s->all_next;
	else
		all_socks = s->all_next;
	if (s->all_next)
		s->all_next->all_prev = s->all_prev;
	for (c = s->head; c; c = n) {
		n = c->next;
		free_chunk(c);
	}
	if (s->ino)
		inode_put(s->ino);
	free(s);
}

static struct usock *sock_new(int type, struct task *t)
{
	struct usock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->type = type;
	s->refs = 1;
	s->ino = anon_inode(S_IFSOCK | 0777);
	if (!s->ino) {
		free(s);
		return NULL;
	}
	s->all_next = all_socks;
	if (all_socks)
		all_socks->all_prev = s;
	all_socks = s;
	if (t && t->net)
		s->net_ino = t->net->ino;
	if (t) {
		s->owncred.pid = task_tgid(t);
		s->owncred.uid = t->cred.euid;
		s->owncred.gid = t->cred.egid;
	}
	return s;
}

static struct file *sock_file(struct usock *s, int flags)
{
	struct file *f = file_new(NULL, s->ino, &unix_fops, O_RDWR | (flags & O_NONBLOCK));

	if (f)
		f->priv = s;
	return f;
}

static void notify(struct usock *s)
{
	if (s)
		vfs_notify(s->ino);
}

static void unregister(struct usock *s)
{
	struct usock **pp;

	if (s->bound) {
		if (s->bound->sock == s)
			s->bound->sock = NULL;
		inode_put(s->bound);
		s->bound = NULL;
	}
	for (pp = &abstract_socks; *pp; pp = &(*pp)->next_abstract)
		if (*pp == s) {
			*pp = s->next_abstract;
			break;
		}
}

static void release(struct file *f)
{
	struct usock *s = f->priv, *p, *n;
	struct chunk *c, *cn;

	s->closed = 1;
	unregister(s);
	if (s->peer) {
		p = s->peer;
		s->peer = NULL;
		if (p->peer == s) {
			p->peer = NULL;
			sock_put(s); /* the peer's reference on us */
		}
		p->peer_closed = 1;
		notify(p);
		sock_put(p);
	}
	for (p = s->pending; p; p = n) {
		n = p->next_pending;
		if (p->peer) {
			p->peer->peer_closed = 1;
			notify(p->peer);
		}
		/* It will never be accepted: break its link to the client too. */
		if (p->peer && p->peer->peer == p) {
			p->peer->peer = NULL;
			sock_put(p);
		}
		if (p->peer) {
			sock_put(p->peer);
			p->peer = NULL;
		}
		sock_put(p);
	}
	s->pending = NULL;
	for (c = s->head; c; c = cn) {
		cn = c->next;
		free_chunk(c);
	}
	s->head = s->tail = NULL;
	s->queued = 0;
	sock_put(s);
}

long unix_socket(int type, int flags, struct file **out)
{
	struct usock *s;

	(void)flags;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	s = sock_new(type, task_current);
	if (!s)
		return -ENOMEM;
	*out = sock_file(s, flags);
	if (!*out) {
		sock_put(s);
		return -ENOMEM;
	}
	return 0;
}

static void link_pair(struct usock *a, struct usock *b)
{
	a->peer = b;
	b->refs++;
	b->peer = a;
	a->refs++;
	a->state = b->state = U_CONNECTED;
	a->peercred = b->owncred;
	b->peercred = a->owncred;
}

long unix_socketpair(int type, int flags, struct file *out[2])
{
	struct usock *a, *b;

	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	a = sock_new(type, task_current);
	b = sock_new(type, task_current);
	if (!a || !b)
		goto nomem;
	link_pair(a, b);
	out[0] = sock_file(a, flags);
	out[1] = out[0] ? sock_file(b, flags) : NULL;
	if (!out[0] || !out[1]) {
		if (out[0])
			file_put(out[0]);
		return -ENOMEM;
	}
	return 0;
nomem:
	if (a)
		sock_put(a);
	if (b)
		sock_put(b);
	return -ENOMEM;
}

/* Checks a sockaddr_un: 1 for an abstract name, 0 for a path, -errno. */
static int check_addr(const struct sockaddr *addr, socklen_t len, char *path)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)addr;
	size_t n;

	if (len < offsetof(struct sockaddr_un, sun_path) || len > sizeof(struct sockaddr_un))
		return -EINVAL;
	if (un->sun_family != AF_UNIX)
		return -EINVAL;
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n == 0)
		return 2; /* unnamed: autobind */
	if (un->sun_path[0] == 0)
		return 1;
	memcpy(path, un->sun_path, n);
	path[n] = 0;
	return 0;
}

static struct usock *find_abstract(const struct sockaddr_un *un, socklen_t len, uint32_t net_ino)
{
	struct usock *s;

	for (s = abstract_socks; s; s = s->next_abstract)
		if (s->net_ino == net_ino && s->addrlen == len && !memcmp(s->addr.sun_path, un->sun_path, len - offsetof(struct sockaddr_un,
												 sun_path)))
			return s;
	return NULL;
}

static long autobind(struct usock *s)
{
	static unsigned next = 1;
	char name[8];

	do {
		snprintf(name, sizeof(name), "%05x", next++ & 0xfffff);
		s->addr.sun_family = AF_UNIX;
		s->addr.sun_path[0] = 0;
		memcpy(s->addr.sun_path + 1, name, 5);
		s->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 6);
	} while (find_abstract(&s->addr, s->addrlen, s->net_ino));
	s->next_abstract = abstract_socks;
	abstract_socks = s;
	return 0;
}

long unix_bind(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct usock *s = f->priv;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	struct vfs_name nm;
	struct path p;
	struct inode *ino;
	int kind = check_addr(addr, len, path);
	long r;

	if (kind < 0)
		return kind;
	if (s->addrlen)
		return -EINVAL; /* already bound */
	if (kind == 2)
		return autobind(s);
	if (kind == 1) {
		if (find_abstract((const struct sockaddr_un *)addr, len, s->net_ino))
			return -EADDRINUSE;
		memcpy(&s->addr, addr, len);
		s->addrlen = len;
		s->next_abstract = abstract_socks;
		abstract_socks = s;
		return 0;
	}
	/* The socket's name is made as mknod makes one (vfs/namei.c); a name that is there is in use. */
	r = vfs_name_walk(t, AT_FDCWD, path, 0, &nm);
	if (r < 0)
		return r;
	r = vfs_mknod(t, &nm, S_IFSOCK | 0777, &p);
	vfs_name_put(&nm);
	if (r < 0)
		return r == -EEXIST ? -EADDRINUSE : r;
	ino = p.d->inode;
	inode_get(ino);
	path_put(&p);
	s->bound = ino;
	ino->sock = s;
	memcpy(&s->addr, addr, len);
	s->addrlen = len;
	return 0;
}

long unix_listen(struct file *f, int backlog)
{
	struct usock *s = f->priv;

	if (s->type == SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (s->state == U_CONNECTED)
		return -EINVAL;
	if (!s->addrlen)
		autobind(s);
	s->state = U_LISTEN;
	s->backlog = backlog < 0 ? 0 : backlog > 4096 ? 4096 : backlog;
	notify(s);
	return 0;
}

/* The socket named by addr, as from (in its network namespace) finds it: with a reference, or -errno. */
static long lookup(struct task *t, const struct usock *from, const struct sockaddr *addr, socklen_t len,
		   struct usock **out)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	int kind = check_addr(addr, len, path);
	struct usock *s;
	struct path p;
	long r;

	if (kind < 0)
		return kind;
	if (kind == 2)
		return -EINVAL;
	if (kind == 1) {
		s = find_abstract((const struct sockaddr_un *)addr, len, from->net_ino);
		if (!s)
			return -ECONNREFUSED;
	} else {
		r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
		if (r < 0)
			return r;
		if (!S_ISSOCK(p.d->inode->mode)) {
			path_put(&p);
			return -ECONNREFUSED;
		}
		r = vfs_permission(t, p.d->inode, 2);
		s = p.d->inode->sock;
		path_put(&p);
		if (r < 0)
			return r;
		if (!s)
			return -ECONNREFUSED;
	}
	if (s->closed)
		return -ECONNREFUSED;
	s->refs++;
	*out = s;
	return 0;
}

/*
 * Blocks until f's socket, or also (the one whose queue has no room, or the
 * listener), changes: 0, or -EAGAIN for a non-blocking call, -ERESTARTSYS.
 */
static long wait_or(struct file *f, int flags, struct usock *also)
{
	struct vfs_pollset ps;
	int r;

	if ((f->flags & O_NONBLOCK) || (flags & MSG_DONTWAIT) || !task_current)
		return -EAGAIN;
	vfs_pollset_init(&ps, task_current);
	vfs_pollset_add(&ps, f);
	if (also && also->ino)
		vfs_pollset_add_inode(&ps, also->ino);
	r = task_block(task_current, NULL, 0);
	vfs_pollset_clear(&ps);
	return r == -ERESTARTSYS ? r : 0;
}

long unix_connect(struct task *t, struct file *f, const struct sockaddr *addr, socklen_t len)
{
	struct usock *s = f->priv, *l, *srv;
	long r;

	if (len >= sizeof(sa_family_t) && addr->sa_family == AF_UNSPEC && s->type == SOCK_DGRAM) {
		/* Dissolve a datagram association. */
		if (s->peer) {
			sock_put(s->peer);
			s->peer = NULL;
		}
		s->state = U_UNCONN;
		return 0;
	}
	r = lookup(t, s, addr, len, &l);
	if (r < 0)
		return r;
	if (l->type != s->type) {
		sock_put(l);
		return -EPROTOTYPE;
	}
	if (s->type == SOCK_DGRAM) {
		if (s->peer)
			sock_put(s->peer);
		s->peer = l; /* keeps the reference */
		s->state = U_CONNECTED;
		s->peercred = l->owncred;
		return 0;
	}
	if (s->state == U_CONNECTED) {
		sock_put(l);
		return -EISCONN;
	}
	if (s->state == U_LISTEN) {
		sock_put(l);
		return -EINVAL;
	}
	for (;;) {
		if (l->closed || l->state != U_LISTEN) {
			sock_put(l);
			return -ECONNREFUSED;
		}
		if (l->npending <= l->backlog)
			break;
		r = wait_or(f, 0, l);
		if (r < 0) {
			sock_put(l);
			return r;
		}
	}
	srv = sock_new(s->type, t);
	if (srv)
		srv->net_ino = s->net_ino; /* the connecting socket's namespace, as Linux's unix_stream_connect */
	if (!srv) {
		sock_put(l);
		return -ENOMEM;
	}
	srv->owncred = l->owncred;
	srv->addr = l->addr;
	srv->addrlen = l->addrlen;
	link_pair(s, srv);
	/* The listener's queue takes our creation reference on srv. */
	{
		struct usock **pp;

		for (pp = &l->pending; *pp; pp = &(*pp)->next_pending)
			;
		*pp = srv;
	}
	l->npending++;
	notify(l);
	sock_put(l);
	return 0;
}

long unix_accept(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		 socklen_t *peerlen)
{
	struct usock *s = f->priv, *c;
	long r;

	(void)t;
	if (s->state != U_LISTEN)
		return -EINVAL;
	while (!s->pending) {
		r = wait_or(f, 0, NULL);
		if (r < 0)
			return r;
	}
	c = s->pending;
	s->pending = c->next_pending;
	s->npending--;
	notify(s);
	/* The queue's reference on c becomes the new file's. */
	*out = sock_file(c, flags);
	if (!*out) {
		sock_put(c);
		return -ENOMEM;
	}
	if (peer) {
		memset(peer, 0, sizeof(*peer));
		if (c->peer && c->peer->addrlen) {
			memcpy(peer, &c->peer->addr, c->peer->addrlen);
			*peerlen = c->peer->addrlen;
		} else {
			((struct sockaddr_un *)peer)->sun_family = AF_UNIX;
			*peerlen = sizeof(sa_family_t);
		}
	}
	return 0;
}

static struct chunk *make_chunk(struct usock *from, const struct iovec *iov, int cnt, size_t skip, size_t len)
{
	struct chunk *c;
	size_t done = 0;
	int i;

	/* Queued messages count against the sandbox's memory, as Linux charges socket memory to the cgroup. */
	if (mf_charge(sizeof(*c) + len) < 0)
		return NULL;
	c = malloc(sizeof(*c) + len);
	if (!c) {
		mf_uncharge(sizeof(*c) + len);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->len = len;
	for (i = 0; i < cnt && done < len; i++) {
		size_t n = iov[i].iov_len;

		if (skip >= n) {
			skip -= n;
			continue;
		}
		n -= skip;
		if (n > len - done)
			n = len - done;
		memcpy(c->data + done, (char *)iov[i].iov_base + skip, n);
		done += n;
		skip = 0;
	}
	if (from && from->addrlen) {
		c->from = from->addr;
		c->fromlen = from->addrlen;
	}
	return c;
}

static void enqueue(struct usock *to, struct chunk *c)
{
	if (to->tail)
		to->tail->next = c;
	else
		to->head = c;
	to->tail = c;
	to->queued += c->len;
	notify(to);
}

static void attach_anc(struct chunk *c, struct umsg *m, struct usock *s)
{
	c->fds = m->fds;
	c->nfds = m->nfds;
	m->fds = NULL;
	m->nfds = 0;
	c->has_creds = 1;
	c->creds = m->has_creds ? m->creds : s->owncred;
}

long unix_sendmsg(struct task *t, struct file *f, struct umsg *m, int flags)
{
	struct usock *s = f->priv, *to;
	size_t total = iov_total(m->iov, m->iovcnt), done = 0;
	long r;

	if (s->wr_shut)
		return -EPIPE;
	if (s->type == SOCK_DGRAM) {
		struct chunk *c;

		if (m->addr) {
			r = lookup(t, s, m->addr, m->addrlen, &to);
			if (r < 0)
				return r;
		} else {
			if (!s->peer)
				return -ENOTCONN;
			to = s->peer;
			to->refs++;
		}
		if (to->type != SOCK_DGRAM) {
			sock_put(to);
			return -EPROTOTYPE;
		}
		if (total > SOCK_BUF) {
			sock_put(to);
			return -EMSGSIZE;
		}
		for (;;) {
			if (to->closed || to->rd_shut) {
				sock_put(to);
				return -ECONNREFUSED;
			}
			if (to->queued + total <= SOCK_BUF)
				break;
			r = wait_or(f, flags, to);
			if (r < 0) {
				sock_put(to);
				return r;
			}
		}
		if (!s->addrlen && s->passcred)
			autobind(s);
		c = make_chunk(s, m->iov, m->iovcnt, 0, total);
		if (!c) {
			sock_put(to);
			return -ENOBUFS; /* as Linux's failed skb allocation */
		}
		attach_anc(c, m, s);
		enqueue(to, c);
		sock_put(to);
		return (long)total;
	}
	if (s->state != U_CONNECTED)
		return s->peer_closed ? -EPIPE : -ENOTCONN;
	if (s->type == SOCK_SEQPACKET && total > SOCK_BUF)
		return -EMSGSIZE;
	do {
		size_t room, n;
		struct chunk *c;

		to = s->peer;
		if (!to || s->peer_closed || to->rd_shut || to->closed)
			return done ? (long)done : -EPIPE;
		room = to->queued < SOCK_BUF ? SOCK_BUF - to->queued : 0;
		if (s->type == SOCK_SEQPACKET ? room < total : room == 0) {
			r = wait_or(f, flags, to);
			if (r < 0)
				return done ? (long)done : r;
			continue;
		}
		n = s->type == SOCK_SEQPACKET ? total : (total - done < room ? total - done : room);
		c = make_chunk(NULL, m->iov, m->iovcnt, done, n);
		if (!c)
			return done ? (long)done : -ENOBUFS;
		if (done == 0)
			attach_anc(c, m, s);
		enqueue(to, c);
		done += n;
	} while (done < total);
	return (long)done;
}

/* Copies from chunk c at its offset into the iovecs at byte offset *at; returns bytes copied. */
static size_t copy_out_chunk(struct chunk *c, size_t off, const struct iovec *iov, int cnt, size_t at, size_t max)
{
	size_t done = 0;
	int i;

	for (i = 0; i < cnt && done < max && off < c->len; i++) {
		size_t n = iov[i].iov_len;

		if (at >= n) {
			at -= n;
			continue;
		}
		n -= at;
		if (n > max - done)
			n = max - done;
		if (n > c->len - off)
			n = c->len - off;
		memcpy((char *)iov[i].iov_base + at, c->data + off, n);
		off += n;
		done += n;
		at = 0;
	}
	return done;
}

static void take_anc(struct usock *s, struct chunk *c, struct umsg *m, int maxfds, int *msg_flags, int peek)
{
	int i;

	if (c->nfds) {
		for (i = 0; i < c->nfds; i++) {
			if (m->nfds < maxfds) {
				if (peek)
					file_get(c->fds[i]);
				m->fds[m->nfds++] = c->fds[i];
			} else {
				*msg_flags |= MSG_CTRUNC;
				if (!peek)
					file_put(c->fds[i]);
			}
		}
		if (!peek) {
			free(c->fds);
			c->fds = NULL;
			c->nfds = 0;
		}
	}
	if (c->has_creds && s->passcred) {
		m->has_creds = 1;
		m->creds = c->creds;
	}
}

long unix_recvmsg(struct task *t, struct file *f, struct umsg *m, int flags, int maxfds, struct sockaddr_storage *from,
		  socklen_t *fromlen, int *msg_flags)
{
	struct usock *s = f->priv;
	size_t want = iov_total(m->iov, m->iovcnt), done = 0;
	int peek = !!(flags & MSG_PEEK);
	long r;

	(void)t;
	*msg_flags = 0;
	m->nfds = 0;
	m->has_creds = 0;
	if (fromlen)
		*fromlen = 0;
	if (s->type != SOCK_DGRAM && s->state == U_LISTEN)
		return -EINVAL;
	for (;;) {
		if (s->head)
			break;
		if (s->rd_shut || s->peer_closed)
			return 0;
		if (s->type != SOCK_DGRAM && s->state != U_CONNECTED)
			return s->type == SOCK_STREAM ? -EINVAL : -ENOTCONN;
		r = wait_or(f, flags, NULL);
		if (r < 0)
			return r;
	}
	if (s->type != SOCK_STREAM) {
		/* One message per call; the rest of a long one is dropped. */
		struct chunk *c = s->head;
		size_t n = copy_out_chunk(c, 0, m->iov, m->iovcnt, 0, want), len = c->len;

		if (from && c->fromlen) {
			memcpy(from, &c->from, c->fromlen);
			*fromlen = c->fromlen;
		}
		take_anc(s, c, m, maxfds, msg_flags, peek);
		if (len > n)
			*msg_flags |= MSG_TRUNC;
		if (!peek) {
			s->head = c->next;
			if (!s->head)
				s->tail = NULL;
			s->queued -= c->len;
			free_chunk(c);
			if (s->peer)
				notify(s->peer);
			notify(s);
		}
		/* MSG_TRUNC: the message's real length (c may be freed by now). */
		return (flags & MSG_TRUNC) ? (long)len : (long)n;
	}
	{
		struct chunk *c = s->head;
		size_t off = c->off;

		while (c && done < want) {
			size_t n;

			/* Ancillary data marks a message boundary for stream reads, as Linux keeps it. */
			if (done && (c->nfds || (c->has_creds && s->passcred)))
				break;
			if (!done)
				take_anc(s, c, m, maxfds, msg_flags, peek);
			n = copy_out_chunk(c, off, m->iov, m->iovcnt, done, want - done);
			done += n;
			off += n;
			if (off < c->len)
				break;
			if (!peek) {
				s->head = c->next;
				if (!s->head)
					s->tail = NULL;
				s->queued -= c->len - c->off;
				free_chunk(c);
				c = s->head;
			} else {
				c = c->next;
			}
			off = c ? c->off : 0;
			if ((flags & MSG_WAITALL) && done < want && !c && !peek) {
				if (s->peer)
					notify(s->peer);
				while (!s->head && !s->peer_closed && !s->rd_shut) {
					if (wait_or(f, flags, NULL) < 0)
						break;
				}
				c = s->head;
				off = c ? c->off : 0;
			}
		}
		if (!peek && c && off != c->off) {
			s->queued -= off - c->off;
			c->off = off;
		}
		if (!peek && s->peer)
			notify(s->peer);
		return (long)done;
	}
}

long unix_shutdown(struct file *f, int how)
{
	struct usock *s = f->priv;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	if (s->state != U_CONNECTED && s->type != SOCK_DGRAM)
		return -ENOTCONN;
	if (how != SHUT_WR)
		s->rd_shut = 1;
	if (how != SHUT_RD) {
		s->wr_shut = 1;
		if (s->peer) {
			s->peer->peer_closed = s->type != SOCK_DGRAM;
			notify(s->peer);
		}
	}
	notify(s);
	return 0;
}

long unix_getname(struct file *f, int peer, struct sockaddr_storage *addr, socklen_t *len)
{
	struct usock *s = f->priv, *x = peer ? s->peer : s;

	if (peer && (!x || s->state != U_CONNECTED))
		return -ENOTCONN;
	memset(addr, 0, sizeof(*addr));
	if (x->addrlen) {
		memcpy(addr, &x->addr, x->addrlen);
		*len = x->addrlen;
	} else {
		((struct sockaddr_un *)addr)->sun_family = AF_UNIX;
		*len = sizeof(sa_family_t);
	}
	return 0;
}

long unix_getsockopt(struct task *t, struct file *f, int level, int name, void *val, socklen_t *len)
{
	struct usock *s = f->priv;
	int v;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (name) {
	case SO_PEERCRED: {
		struct ucred u = s->peercred;

		if (s->state != U_CONNECTED)
			return -ENOTCONN;
		if (t)
			u.pid = task_vnr(t, u.pid); /* in the caller's pid namespace */
		memcpy(val, &u, sizeof(u));
		*len = sizeof(s->peercred);
		return 0;
	}
	case SO_TYPE: v = s->type; break;
	case SO_DOMAIN: v = AF_UNIX; break;
	case SO_PROTOCOL: v = 0; break;
	case SO_ERROR: v = 0; break;
	case SO_ACCEPTCONN: v = s->state == U_LISTEN; break;
	case SO_SNDBUF:
	case SO_RCVBUF: v = SOCK_BUF; break;
	case SO_PASSCRED: v = s->passcred; break;
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
	case SO_BROADCAST: v = 0; break;
	default:
		return -ENOPROTOOPT;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

long unix_setsockopt(struct file *f, int level, int name, const void *val, socklen_t len)
{
	struct usock *s = f->priv;
	int v = 0;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(v));
	else if (name != SO_LINGER)
		return -EINVAL;
	switch (name) {
	case SO_PASSCRED:
		s->passcred = !!v;
		return 0;
	case SO_SNDBUF: case SO_RCVBUF: case SO_REUSEADDR: case SO_KEEPALIVE: case SO_LINGER:
	case SO_RCVTIMEO_OLD: case SO_SNDTIMEO_OLD: case SO_BROADCAST: case SO_SNDBUFFORCE: case SO_RCVBUFFORCE:
	case SO_PRIORITY: case SO_RCVLOWAT: case SO_SNDLOWAT:
		return 0; /* accepted; the sandbox's buffers are fixed */
	}
	return -ENOPROTOOPT;
}

void unix_for_each(void (*fn)(const struct unix_sock_info *u, void *arg), void *arg)
{
	struct usock *s, *p;
	struct unix_sock_info u;

	for (s = all_socks; s; s = s->all_next) {
		if (s->closed || !s->ino)
			continue;
		memset(&u, 0, sizeof(u));
		u.ino = s->ino->ino;
		u.net_ino = s->net_ino;
		u.type = s->type;
		u.listening = s->state == U_LISTEN;
		u.connected = s->state == U_CONNECTED || (s->type == SOCK_DGRAM && s->peer);
		u.addr = &s->addr;
		u.addrlen = s->addrlen;
		u.bound = s->bound;
		u.peer_ino = s->peer && s->peer->ino ? s->peer->ino->ino : 0;
		if (u.listening) {
			u.rqueue = (uint32_t)s->npending;
			u.wqueue = (uint32_t)s->backlog;
		} else {
			u.rqueue = (uint32_t)(s->type == SOCK_STREAM || !s->head ? s->queued : s->head->len);
		}
		u.shutdown = (s->rd_shut ? 1 : 0) | (s->wr_shut ? 2 : 0);
		u.uid = s->owncred.uid;
		u.npending = 0;
		for (p = s->pending; p && u.npending < (int)(sizeof(u.pending) / sizeof(u.pending[0])); p = p->next_pending)
			u.pending[u.npending++] = p->ino ? p->ino->ino : 0;
		fn(&u, arg);
	}
}

static unsigned u_poll(struct file *f, uint64_t *deadline)
{
	struct usock *s = f->priv;
	unsigned m = 0;

	(void)deadline;
	if (s->state == U_LISTEN)
		return s->pending ? POLLIN | POLLRDNORM : 0;
	if (s->head)
		m |= POLLIN | POLLRDNORM;
	if (s->peer_closed || s->rd_shut)
		m |= POLLIN | POLLRDHUP | (s->peer_closed && s->wr_shut ? POLLHUP : 0);
	if (s->type == SOCK_DGRAM) {
		if (!s->peer || s->peer->queued < SOCK_BUF)
			m |= POLLOUT | POLLWRNORM;
	} else if (s->state == U_CONNECTED) {
		if (s->peer && !s->peer_closed && s->peer->queued < SOCK_BUF)
			m |= POLLOUT | POLLWRNORM;
		if (s->peer_closed)
			m |= POLLHUP;
	} else {
		m |= POLLOUT | POLLHUP;
	}
	return m;
}

/* Room to write comes when the peer reads: its queue too (a datagram peer may not notify us). */
static void u_wait_link(struct file *f, struct vfs_pollset *ps)
{
	struct usock *s = f->priv;

	vfs_pollset_add_inode(ps, f->inode);
	if (s->peer && s->peer->ino)
		vfs_pollset_add_inode(ps, s->peer->ino);
}

static const struct socket_ops unix_sock_ops = {
	.bind = unix_bind,
	.listen = unix_listen,
	.connect = unix_connect,
	.accept = unix_accept,
	.sendmsg = unix_sendmsg,
	.recvmsg = unix_recvmsg,
	.shutdown = unix_shutdown,
	.getname = unix_getname,
	.getsockopt = unix_getsockopt,
	.setsockopt = unix_setsockopt,
};

static const struct file_ops unix_fops = {
	.read = sock_file_read,
	.write = sock_file_write,
	.poll = u_poll,
	.wait_link = u_wait_link,
	.release = release,
	.sock = &unix_sock_ops,
};

/* AF_UNIX's protocol is 0 (or PF_UNIX, the same number), as Linux's unix_create. */
static int protocol_ok(int protocol)
{
	return protocol == 0 || protocol == PF_UNIX;
}

static long unix_create(int type, int protocol, int flags, struct file **out)
{
	return protocol_ok(protocol) ? unix_socket(type, flags, out) : -EPROTONOSUPPORT;
}

static long unix_pair(int type, int protocol, int flags, struct file *out[2])
{
	return protocol_ok(protocol) ? unix_socketpair(type, flags, out) : -EPROTONOSUPPORT;
}

static const struct sock_family unix_family = {.family = AF_UNIX, .create = unix_create, .pair = unix_pair};
SOCK_FAMILY(unix_family)
