/*
 * The socket calls.  socket(2) and socketpair(2) find the family in the
 * registry (vfs/socket.h: AF_UNIX from vfs/fs/unix; a family nobody
 * registered, AF_INET and AF_INET6 until the netstack does, gets
 * EAFNOSUPPORT as from a kernel without it); every other call goes through
 * the socket file's own ops.
 * Data of sendmsg/recvmsg goes through a sentry bounce buffer of at most
 * SOCK_CHUNK bytes per call (a short count, as a full socket buffer gives),
 * unless the family copies it itself (socket_ops.guest_iov: the network
 * stack, which copies once, between the application and its packets).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/socket.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

#define SOCK_CHUNK (256 * 1024)
#define MAX_PASSED_FDS 253 /* Linux's SCM_MAX_FD */

static long install(struct task *t, struct file *f, int cloexec)
{
	long fd = fdt_install(t->files, f, 0, cloexec, t->tg->rlim[RLIMIT_NOFILE].rlim_cur);

	file_put(f);
	return fd;
}

/* The socket at fd with a reference: -EBADF, or -ENOTSOCK for another file. */
static long get_sock(struct task *t, int fd, struct file **out)
{
	*out = fdt_get(t->files, fd);
	if (!*out)
		return -EBADF;
	if (!(*out)->ops->sock) {
		file_put(*out);
		return -ENOTSOCK;
	}
	return 0;
}

SYSCALL(socket)
{
	int domain = (int)a[0], type = (int)a[1] & 0xf, flags = (int)a[1] & ~0xf;
	struct file *f;
	const struct sock_family *fam;
	long r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	fam = sock_find_family(domain);
	if (!fam)
		return -EAFNOSUPPORT;
	r = fam->create(type, (int)a[2], (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &f);
	return r < 0 ? r : install(t, f, !!(flags & SOCK_CLOEXEC));
}

SYSCALL(socketpair)
{
	int type = (int)a[1] & 0xf, flags = (int)a[1] & ~0xf, fds[2];
	struct file *f[2];
	const struct sock_family *fam;
	long r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	fam = sock_find_family((int)a[0]);
	if (!fam)
		return -EAFNOSUPPORT;
	if (!fam->pair) {
		/* Linux makes the socket first: its type and protocol's errors come before EOPNOTSUPP. */
		struct file *probe;

		r = fam->create(type, (int)a[2], 0, &probe);
		if (r < 0)
			return r;
		file_put(probe);
		return -EOPNOTSUPP;
	}
	r = fam->pair(type, (int)a[2], (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, f);
	if (r < 0)
		return r;
	fds[0] = (int)install(t, f[0], !!(flags & SOCK_CLOEXEC));
	fds[1] = fds[0] < 0 ? -1 : (int)install(t, f[1], !!(flags & SOCK_CLOEXEC));
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			fdt_close(t->files, fds[0]);
		else
			file_put(f[1]);
		return -EMFILE;
	}
	if (mm_copy_out(t->mm, a[3], fds, sizeof(fds)) < 0) {
		fdt_close(t->files, fds[0]);
		fdt_close(t->files, fds[1]);
		return -EFAULT;
	}
	return 0;
}

static long get_addr(struct task *t, gva_t uaddr, uint64_t len, struct sockaddr_storage *ss)
{
	if (len > sizeof(*ss))
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (len && mm_copy_in(t->mm, ss, uaddr, len) < 0)
		return -EFAULT;
	return 0;
}

/* Writes an address back: at most *ulen bytes, then the real length into *ulen. */
static long put_addr(struct task *t, gva_t uaddr, gva_t ulen, struct sockaddr_storage *ss, socklen_t len)
{
	int32_t have;

	if (mm_copy_in(t->mm, &have, ulen, sizeof(have)) < 0)
		return -EFAULT;
	if (have > (int32_t)len)
		have = (int32_t)len;
	if (have < 0)
		return -EINVAL;
	/* Nothing to copy (a stream socket names no sender): the buffer is not looked at, as Linux. */
	if (have && mm_copy_out(t->mm, uaddr, ss, (size_t)have) < 0)
		return -EFAULT;
	have = (int32_t)len;
	return mm_copy_out(t->mm, ulen, &have, sizeof(have));
}

SYSCALL(bind)
{
	struct sockaddr_storage ss;
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = get_addr(t, a[1], a[2], &ss);
	if (r == 0)
		r = f->ops->sock->bind(t, f, (struct sockaddr *)&ss, (socklen_t)a[2]);
	file_put(f);
	return r;
}

SYSCALL(listen)
{
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = f->ops->sock->listen(f, (int)a[1]);
	file_put(f);
	return r;
}

SYSCALL(connect)
{
	struct sockaddr_storage ss;
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = get_addr(t, a[1], a[2], &ss);
	if (r == 0)
		r = f->ops->sock->connect(t, f, (struct sockaddr *)&ss, (socklen_t)a[2]);
	file_put(f);
	return r;
}

static long do_accept(struct task *t, int fd, gva_t uaddr, gva_t ulen, int flags)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct file *f, *nf;
	long r;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	r = get_sock(t, fd, &f);
	if (r < 0)
		return r;
	r = f->ops->sock->accept(t, f, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &nf, &ss, &len);
	file_put(f);
	if (r < 0)
		return r;
	r = install(t, nf, !!(flags & SOCK_CLOEXEC));
	if (r >= 0 && uaddr && put_addr(t, uaddr, ulen, &ss, len) < 0) {
		fdt_close(t->files, (int)r);
		return -EFAULT;
	}
	return r;
}

SYSCALL(accept) { return do_accept(t, (int)a[0], a[1], a[2], 0); }
SYSCALL(accept4) { return do_accept(t, (int)a[0], a[1], a[2], (int)a[3]); }

struct abi_msghdr {
	uint64_t name;
	uint32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	int32_t flags;
	int32_t pad1;
};

/* Gathers the guest iovecs into one bounce buffer of at most SOCK_CHUNK bytes. */
static long gather(struct task *t, gva_t uiov, uint64_t cnt, char **buf, size_t *len, int out)
{
	struct abi_iovec v[64];
	size_t total = 0, off = 0;
	uint64_t i;

	if (cnt > 1024)
		return -EMSGSIZE;
	*buf = NULL;
	*len = 0;
	for (i = 0; i < cnt; i += 64) {
		uint64_t n = cnt - i < 64 ? cnt - i : 64, j;

		if (mm_copy_in(t->mm, v, uiov + i * sizeof(v[0]), n * sizeof(v[0])) < 0)
			return -EFAULT;
		for (j = 0; j < n; j++) {
			if ((int64_t)v[j].iov_len < 0)
				return -EINVAL;
			total += v[j].iov_len;
		}
	}
	if (total > SOCK_CHUNK)
		total = SOCK_CHUNK;
	*buf = malloc(total ? total : 1);
	if (!*buf)
		return -ENOMEM;
	*len = total;
	if (!out)
		return 0;
	for (i = 0; i < cnt && off < total; i++) {
		struct abi_iovec one;
		size_t n;

		if (mm_copy_in(t->mm, &one, uiov + i * sizeof(one), sizeof(one)) < 0)
			goto fault;
		n = one.iov_len < total - off ? one.iov_len : total - off;
		if (n && mm_copy_in(t->mm, *buf + off, one.iov_base, n) < 0)
			goto fault;
		off += n;
	}
	return 0;
fault:
	free(*buf);
	*buf = NULL;
	return -EFAULT;
}

/*
 * The guest's iovecs as they are, for a family that copies the data itself
 * (socket_ops.guest_iov): a malloc'd array whose iov_base are guest
 * addresses.  Lengths are checked as Linux's import_iovec does (EINVAL for
 * a negative one) and the total capped at MAX_RW_COUNT.
 */
#define MAX_RW_COUNT 0x7ffff000L
static long guest_iovs(struct task *t, gva_t uiov, uint64_t cnt, struct iovec **out)
{
	struct abi_iovec v[64];
	struct iovec *iov;
	uint64_t i, total = 0;

	*out = NULL;
	if (cnt > 1024)
		return -EMSGSIZE;
	iov = malloc((cnt ? cnt : 1) * sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	for (i = 0; i < cnt; i += 64) {
		uint64_t n = cnt - i < 64 ? cnt - i : 64, j;

		if (mm_copy_in(t->mm, v, uiov + i * sizeof(v[0]), n * sizeof(v[0])) < 0) {
			free(iov);
			return -EFAULT;
		}
		for (j = 0; j < n; j++) {
			uint64_t len = v[j].iov_len;

			if ((int64_t)len < 0) {
				free(iov);
				return -EINVAL;
			}
			if (len > (uint64_t)MAX_RW_COUNT - total)
				len = (uint64_t)MAX_RW_COUNT - total;
			total += len;
			iov[i + j].iov_base = (void *)(uintptr_t)v[j].iov_base;
			iov[i + j].iov_len = len;
		}
	}
	*out = iov;
	return 0;
}

/* Scatters len bytes of buf back into the guest iovecs. */
static long scatter(struct task *t, gva_t uiov, uint64_t cnt, const char *buf, size_t len)
{
	size_t off = 0;
	uint64_t i;

	for (i = 0; i < cnt && off < len; i++) {
		struct abi_iovec one;
		size_t n;

		if (mm_copy_in(t->mm, &one, uiov + i * sizeof(one), sizeof(one)) < 0)
			return -EFAULT;
		n = one.iov_len < len - off ? one.iov_len : len - off;
		if (n && mm_copy_out(t->mm, one.iov_base, buf + off, n) < 0)
			return -EFAULT;
		off += n;
	}
	return 0;
}

/*
 * Decodes the ancillary data of sendmsg: SCM_RIGHTS files (referenced) and
 * SCM_CREDENTIALS; other levels' messages are kept as they came in m->ctl
 * (malloc'd) for the family.
 */
static long parse_control(struct task *t, gva_t uctl, uint64_t len, struct umsg *m)
{
	char *ctl;
	struct cmsghdr *c;
	struct msghdr mh = {0};
	long r = 0;

	if (!uctl || !len)
		return 0;
	if (len > 65536)
		return -ENOBUFS;
	ctl = malloc(len);
	if (!ctl)
		return -ENOMEM;
	if (mm_copy_in(t->mm, ctl, uctl, len) < 0) {
		free(ctl);
		return -EFAULT;
	}
	mh.msg_control = ctl;
	mh.msg_controllen = len;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		/* Within what is left of the buffer, as Linux's CMSG_OK (not merely within its length). */
		if (c->cmsg_len < sizeof(*c) || c->cmsg_len > len - (size_t)((char *)c - ctl)) {
			r = -EINVAL;
			break;
		}
		if (c->cmsg_level != SOL_SOCKET) {
			size_t n = CMSG_ALIGN(c->cmsg_len), at = m->ctllen;
			char *nc;

			if (n > len - (size_t)((char *)c - ctl))
				n = c->cmsg_len; /* the last one, unpadded: fits (checked above) */
			nc = realloc(m->ctl, at + n);
			if (!nc) {
				r = -ENOMEM;
				break;
			}
			memcpy(nc + at, c, n);
			m->ctl = nc;
			m->ctllen = at + n;
			continue;
		}
		if (c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int)), i;
			int *fds = (int *)CMSG_DATA(c);
			struct file **nf;

			if (m->nfds + n > MAX_PASSED_FDS) {
				r = -EINVAL;
				break;
			}
			nf = realloc(m->fds, (size_t)(m->nfds + n) * sizeof(*nf));
			if (!nf) {
				r = -ENOMEM;
				break;
			}
			m->fds = nf;
			for (i = 0; i < n; i++) {
				struct file *f = fdt_get(t->files, fds[i]);

				if (!f) {
					r = -EBADF;
					break;
				}
				m->fds[m->nfds++] = f;
			}
			if (r < 0)
				break;
		} else if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;

			if (c->cmsg_len != CMSG_LEN(sizeof(u))) {
				r = -EINVAL;
				break;
			}
			memcpy(&u, CMSG_DATA(c), sizeof(u));
			/* Claiming to be someone else takes CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID. */
			if ((task_gnr(t, u.pid) != task_tgid(t) && !capable(t, CAP_SYS_ADMIN)) || (u.uid != t->cred.uid && !capable(t, CAP_SETUID)) ||
			    (u.gid != t->cred.gid && !capable(t, CAP_SETGID))) {
				r = -EPERM;
				break;
			}
			/* A pid the sender's namespace has no process for: ESRCH (Linux's find_get_pid). */
			u.pid = task_gnr(t, u.pid); /* kept as the global number */
			if (!u.pid || (!tg_find(u.pid) && !task_find(u.pid))) {
				r = -ESRCH;
				break;
			}
			m->has_creds = 1;
			m->creds = u;
		} else {
			r = -EINVAL;
			break;
		}
	}
	free(ctl);
	return r;
}

static void drop_fds(struct umsg *m)
{
	int i;

	for (i = 0; i < m->nfds; i++)
		file_put(m->fds[i]);
	free(m->fds);
	m->fds = NULL;
	m->nfds = 0;
}

/* Writing to a socket whose peer is gone raises SIGPIPE, unless MSG_NOSIGNAL. */
static long sigpipe(struct task *t, long r, int flags)
{
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL)) {
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		si.si_signo = SIGPIPE;
		si.si_code = SI_USER;
		si.si_pid = task_vnr(t, task_tgid(t));
		task_send_signal(t, SIGPIPE, &si);
	}
	return r;
}

/*
 * A message's data as the family takes it: the application's own iovecs
 * for a family that copies straight from or to its memory (guest_iov), or
 * one sentry buffer (*buf, *len in *kv) gathered from them (out: a send's,
 * filled now).  *giov and *buf are the caller's to free.
 */
static long msg_data(struct task *t, struct file *f, const struct abi_msghdr *h, int out, struct umsg *m,
		     struct iovec **giov, struct iovec *kv, char **buf, size_t *len)
{
	long r;

	if (f->ops->sock->guest_iov) {
		r = guest_iovs(t, h->iov, h->iovlen, giov);
		m->iov = *giov;
		m->iovcnt = (int)h->iovlen;
		m->mm = t->mm;
		return r;
	}
	r = gather(t, h->iov, h->iovlen, buf, len, out);
	kv->iov_base = *buf;
	kv->iov_len = *len;
	m->iov = kv;
	m->iovcnt = 1;
	return r;
}

static long do_sendmsg(struct task *t, int fd, struct abi_msghdr *h, int flags)
{
	struct sockaddr_storage ss;
	struct umsg m = {0};
	struct iovec kv, *giov = NULL;
	struct file *f;
	char *buf = NULL;
	size_t len = 0;
	long r;

	r = get_sock(t, fd, &f);
	if (r < 0)
		return r;
	if (h->name && h->namelen) {
		r = get_addr(t, h->name, h->namelen, &ss);
		if (r < 0)
			goto out;
		m.addr = (struct sockaddr *)&ss;
		m.addrlen = h->namelen;
	}
	r = msg_data(t, f, h, 1, &m, &giov, &kv, &buf, &len);
	if (r < 0)
		goto out;
	r = parse_control(t, h->control, h->controllen, &m);
	if (r < 0)
		goto out;
	r = sigpipe(t, f->ops->sock->sendmsg(t, f, &m, flags), flags);
out:
	drop_fds(&m);
	free(m.ctl);
	free(giov);
	free(buf);
	file_put(f);
	return r;
}

SYSCALL(sendmsg)
{
	struct abi_msghdr h;

	if (mm_copy_in(t->mm, &h, a[1], sizeof(h)) < 0)
		return -EFAULT;
	return do_sendmsg(t, (int)a[0], &h, (int)a[2]);
}

/* send/sendto: sendmsg with one buffer and no ancillary data. */
SYSCALL(sendto)
{
	struct sockaddr_storage ss;
	struct umsg m = {0};
	struct iovec kv;
	struct file *f;
	size_t len = a[2] > SOCK_CHUNK ? SOCK_CHUNK : a[2];
	char *buf;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	if (a[4] && a[5]) {
		r = get_addr(t, a[4], a[5], &ss);
		if (r < 0)
			goto out;
		m.addr = (struct sockaddr *)&ss;
		m.addrlen = (socklen_t)a[5];
	}
	if (f->ops->sock->guest_iov) {
		/* The family copies from the application's buffer itself. */
		kv.iov_base = (void *)(uintptr_t)a[1];
		kv.iov_len = a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a[2];
		m.iov = &kv;
		m.iovcnt = 1;
		m.mm = t->mm;
		r = sigpipe(t, f->ops->sock->sendmsg(t, f, &m, (int)a[3]), (int)a[3]);
		goto out;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	if (len && mm_copy_in(t->mm, buf, a[1], len) < 0) {
		free(buf);
		r = -EFAULT;
		goto out;
	}
	kv.iov_base = buf;
	kv.iov_len = len;
	m.iov = &kv;
	m.iovcnt = 1;
	r = sigpipe(t, f->ops->sock->sendmsg(t, f, &m, (int)a[3]), (int)a[3]);
	free(buf);
out:
	file_put(f);
	return r;
}

/* Builds the ancillary data of a receive in the guest's control buffer. */
static long put_control(struct task *t, struct abi_msghdr *h, struct umsg *m, int flags, int *msg_flags)
{
	size_t cap = h->controllen, used = 0;
	char *ctl = NULL;
	int i;

	if (!h->control || cap == 0) {
		if (m->nfds || m->has_creds || m->ctllen)
			*msg_flags |= MSG_CTRUNC;
		drop_fds(m);
		h->controllen = 0;
		return 0;
	}
	if (cap > 65536)
		cap = 65536;
	ctl = calloc(1, cap);
	if (!ctl)
		return -ENOMEM;
	if (m->has_creds && CMSG_SPACE(sizeof(struct ucred)) <= cap - used) {
		struct cmsghdr *c = (struct cmsghdr *)(ctl + used);

		c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		struct ucred u = m->creds;

		u.pid = task_vnr(t, u.pid); /* in the receiver's pid namespace: 0 if it cannot see the sender */
		memcpy(CMSG_DATA(c), &u, sizeof(u));
		used += CMSG_SPACE(sizeof(struct ucred));
	} else if (m->has_creds) {
		*msg_flags |= MSG_CTRUNC;
	}
	if (m->nfds) {
		size_t room = cap - used >= CMSG_LEN(0) ? (cap - used - CMSG_LEN(0)) / sizeof(int) : 0;
		int n = (size_t)m->nfds < room ? m->nfds : (int)room;
		struct cmsghdr *c = (struct cmsghdr *)(ctl + used);
		int *fds = (int *)CMSG_DATA(c);

		for (i = 0; i < n; i++) {
			long fd = fdt_install(t->files, m->fds[i], 0, !!(flags & MSG_CMSG_CLOEXEC),
					      t->tg->rlim[RLIMIT_NOFILE].rlim_cur);

			if (fd < 0) {
				n = i;
				*msg_flags |= MSG_CTRUNC;
				break;
			}
			fds[i] = (int)fd;
		}
		if (n < m->nfds)
			*msg_flags |= MSG_CTRUNC;
		if (n) {
			c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			used += CMSG_SPACE((size_t)n * sizeof(int)) <= cap - used ? CMSG_SPACE((size_t)n * sizeof(int)) :
										  c->cmsg_len;
		}
		drop_fds(m);
	}
	/* The family's own messages after ours (they fit: it made them for the guest's room, ctlcap). */
	if (m->ctllen) {
		if (m->ctllen <= cap - used) {
			memcpy(ctl + used, m->ctl, m->ctllen);
			used += m->ctllen;
		} else {
			*msg_flags |= MSG_CTRUNC;
		}
	}
	if (used && mm_copy_out(t->mm, h->control, ctl, used) < 0) {
		free(ctl);
		return -EFAULT;
	}
	free(ctl);
	h->controllen = used;
	return 0;
}

static long do_recvmsg(struct task *t, int fd, struct abi_msghdr *h, int flags, int with_control)
{
	struct sockaddr_storage from;
	socklen_t fromlen = 0;
	struct umsg m = {0};
	struct file *fds[MAX_PASSED_FDS];
	struct iovec kv, *giov = NULL;
	struct file *f;
	char *buf = NULL;
	size_t len = 0;
	int mflags = 0;
	long r;

	r = get_sock(t, fd, &f);
	if (r < 0)
		return r;
	if (h->name && (int32_t)h->namelen < 0) {
		file_put(f);
		return -EINVAL; /* Linux's copy_msghdr_from_user, before the socket is asked */
	}
	r = msg_data(t, f, h, 0, &m, &giov, &kv, &buf, &len);
	if (r < 0)
		goto out;
	m.fds = fds;
	if (with_control && h->control && h->controllen) {
		m.ctlcap = h->controllen < 65536 ? h->controllen : 65536;
		m.ctl = malloc(m.ctlcap);
		if (!m.ctl) {
			r = -ENOMEM;
			goto out;
		}
	}
	r = f->ops->sock->recvmsg(t, f, &m, flags, with_control ? MAX_PASSED_FDS : 0, &from, &fromlen, &mflags);
	m.fds = NULL;
	if (r < 0)
		goto out;
	if (!giov) {
		size_t got = m.unwritten ? 0 : (flags & MSG_TRUNC) && (size_t)r > len ? len : (size_t)r;

		if (scatter(t, h->iov, h->iovlen, buf, got) < 0) {
			r = -EFAULT;
			goto out_fds;
		}
	}
	if (with_control) {
		struct umsg mm2 = m;
		struct file **copy = NULL;

		if (m.nfds) {
			copy = malloc((size_t)m.nfds * sizeof(*copy));
			if (!copy) {
				r = -ENOMEM;
				goto out_fds;
			}
			memcpy(copy, fds, (size_t)m.nfds * sizeof(*copy));
		}
		mm2.fds = copy;
		m.nfds = 0;
		if (put_control(t, h, &mm2, flags, &mflags) < 0) {
			r = -EFAULT;
			goto out;
		}
	}
	if (h->name) {
		uint32_t have = h->namelen;

		if (fromlen && mm_copy_out(t->mm, h->name, &from, have < fromlen ? have : fromlen) < 0) {
			r = -EFAULT;
			goto out;
		}
		h->namelen = fromlen;
	}
	h->flags = mflags;
	goto out;
out_fds:
	{
		int i;

		for (i = 0; i < m.nfds; i++)
			file_put(fds[i]);
	}
out:
	free(m.ctl);
	free(giov);
	free(buf);
	file_put(f);
	return r;
}

SYSCALL(recvmsg)
{
	struct abi_msghdr h;
	long r;

	if (mm_copy_in(t->mm, &h, a[1], sizeof(h)) < 0)
		return -EFAULT;
	r = do_recvmsg(t, (int)a[0], &h, (int)a[2], 1);
	if (r >= 0 && (mm_copy_out(t->mm, a[1] + offsetof(struct abi_msghdr, namelen), &h.namelen, 4) < 0 ||
		       mm_copy_out(t->mm, a[1] + offsetof(struct abi_msghdr, controllen), &h.controllen, 8) < 0 ||
		       mm_copy_out(t->mm, a[1] + offsetof(struct abi_msghdr, flags), &h.flags, 4) < 0))
		return -EFAULT;
	return r;
}

/*
 * sendmmsg and recvmmsg: sendmsg and recvmsg over a vector of struct
 * mmsghdr (a msghdr and the byte count of its message), at most
 * UIO_MAXIOV of them.  An error ends the batch; it is the call's answer
 * only when no message went through, as on Linux (which keeps a later
 * recvmmsg error for the socket's next call; cvisor drops it).
 */
#define ABI_MMSG_SIZE 64 /* struct mmsghdr: the msghdr, unsigned msg_len, padding */
#define ABI_UIO_MAXIOV 1024
#define ABI_MSG_CMSG_COMPAT 0x80000000u /* the kernel's own flag, refused from a caller */

/* Whether fd is a socket: 0, or -EBADF/-ENOTSOCK, as the batch's first check. */
static long sock_check(struct task *t, int fd)
{
	struct file *f;
	long r = get_sock(t, fd, &f);

	if (r >= 0)
		file_put(f);
	return r;
}

/* Entry i of an mmsghdr vector at vec: its msghdr in *h, its address in *m; 0 or -EFAULT. */
static long mmsg_entry(struct task *t, gva_t vec, uint64_t i, struct abi_msghdr *h, gva_t *m)
{
	*m = vec + i * ABI_MMSG_SIZE;
	return mm_copy_in(t->mm, h, *m, sizeof(*h)) < 0 ? -EFAULT : 0;
}

SYSCALL(sendmmsg)
{
	uint64_t vlen = a[2] > ABI_UIO_MAXIOV ? ABI_UIO_MAXIOV : (uint32_t)a[2];
	int flags = (int)a[3];
	struct abi_msghdr h;
	uint64_t i;
	long r;

	if ((unsigned)flags & ABI_MSG_CMSG_COMPAT)
		return -EINVAL;
	r = sock_check(t, (int)a[0]);
	if (r < 0)
		return r;
	for (i = 0; i < vlen; i++) {
		gva_t m;
		uint32_t sent;

		if ((r = mmsg_entry(t, a[1], i, &h, &m)) < 0)
			break;
		r = do_sendmsg(t, (int)a[0], &h, flags);
		if (r < 0)
			break;
		sent = (uint32_t)r;
		if (mm_copy_out(t->mm, m + sizeof(h), &sent, sizeof(sent)) < 0) {
			r = -EFAULT;
			break;
		}
	}
	return i ? (long)i : r;
}

SYSCALL(recvmmsg)
{
	uint64_t vlen = a[2] > ABI_UIO_MAXIOV ? ABI_UIO_MAXIOV : (uint32_t)a[2];
	int flags = (int)a[3];
	struct abi_timespec ts;
	uint64_t end = 0, i;
	struct abi_msghdr h;
	long r;

	if ((unsigned)flags & ABI_MSG_CMSG_COMPAT)
		return -EINVAL;
	if (a[4]) {
		if (mm_copy_in(t->mm, &ts, a[4], sizeof(ts)) < 0)
			return -EFAULT;
		if (!abi_timespec_valid(&ts))
			return -EINVAL;
		end = abi_ns_after(host_monotonic_ns(), (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec);
	}
	r = sock_check(t, (int)a[0]);
	if (r < 0)
		return r;
	for (i = 0; i < vlen; i++) {
		gva_t m;
		uint32_t got;

		if ((r = mmsg_entry(t, a[1], i, &h, &m)) < 0)
			break;
		r = do_recvmsg(t, (int)a[0], &h, flags, 1);
		if (r < 0)
			break;
		got = (uint32_t)r;
		if (mm_copy_out(t->mm, m + offsetof(struct abi_msghdr, namelen), &h.namelen, 4) < 0 ||
		    mm_copy_out(t->mm, m + offsetof(struct abi_msghdr, controllen), &h.controllen, 8) < 0 ||
		    mm_copy_out(t->mm, m + offsetof(struct abi_msghdr, flags), &h.flags, 4) < 0 ||
		    mm_copy_out(t->mm, m + sizeof(h), &got, sizeof(got)) < 0) {
			r = -EFAULT;
			break;
		}
		/* MSG_WAITFORONE: only the first waits. */
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (a[4]) {
			/* Looked at between messages only (the first may wait longer), as Linux's. */
			uint64_t now = host_monotonic_ns(), left = now < end ? end - now : 0;

			ts.tv_sec = (int64_t)(left / 1000000000ULL);
			ts.tv_nsec = (int64_t)(left % 1000000000ULL);
			if (!left) {
				i++;
				break;
			}
		}
		/* Out-of-band data ends the batch. */
		if (h.flags & MSG_OOB) {
			i++;
			break;
		}
	}
	if (!i)
		return r;
	/* What was left of the timeout after the last message. */
	if (a[4] && mm_copy_out(t->mm, a[4], &ts, sizeof(ts)) < 0)
		return -EFAULT;
	return (long)i;
}

SYSCALL(recvfrom)
{
	struct sockaddr_storage from;
	socklen_t fromlen = 0;
	struct umsg m = {0};
	struct iovec kv;
	struct file *f;
	size_t len = a[2] > SOCK_CHUNK ? SOCK_CHUNK : a[2];
	char *buf;
	int mflags;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	if (f->ops->sock->guest_iov) {
		/* Straight into the application's buffer. */
		kv.iov_base = (void *)(uintptr_t)a[1];
		kv.iov_len = a[2] > MAX_RW_COUNT ? MAX_RW_COUNT : a[2];
		m.iov = &kv;
		m.iovcnt = 1;
		m.mm = t->mm;
		buf = NULL;
		r = f->ops->sock->recvmsg(t, f, &m, (int)a[3], 0, &from, &fromlen, &mflags);
	} else {
		buf = malloc(len ? len : 1);
		if (!buf) {
			file_put(f);
			return -ENOMEM;
		}
		kv.iov_base = buf;
		kv.iov_len = len;
		m.iov = &kv;
		m.iovcnt = 1;
		r = f->ops->sock->recvmsg(t, f, &m, (int)a[3], 0, &from, &fromlen, &mflags);
		if (r > 0 && !m.unwritten && mm_copy_out(t->mm, a[1], buf, (size_t)r < len ? (size_t)r : len) < 0)
			r = -EFAULT;
	}
	if (r >= 0 && a[4]) {
		long e = put_addr(t, a[4], a[5], &from, fromlen);

		if (e < 0)
			r = e;
	}
	free(buf);
	file_put(f);
	return r;
}

SYSCALL(shutdown)
{
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = f->ops->sock->shutdown(f, (int)a[1]);
	file_put(f);
	return r;
}

static long getname(struct task *t, const uint64_t *a, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = f->ops->sock->getname(f, peer, &ss, &len);
	file_put(f);
	return r < 0 ? r : put_addr(t, a[1], a[2], &ss, len);
}

SYSCALL(getsockname) { return getname(t, a, 0); }
SYSCALL(getpeername) { return getname(t, a, 1); }

SYSCALL(getsockopt)
{
	char val[256]; /* TCP_INFO is Linux's largest that programs read (232 bytes in 6.x) */
	socklen_t len = sizeof(val);
	int32_t have;
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	if (mm_copy_in(t->mm, &have, a[4], sizeof(have)) < 0) {
		file_put(f);
		return -EFAULT;
	}
	if (have < 0) {
		file_put(f);
		return -EINVAL;
	}
	r = f->ops->sock->getsockopt(t, f, (int)a[1], (int)a[2], val, &len);
	file_put(f);
	if (r < 0)
		return r;
	if ((size_t)have > len)
		have = (int32_t)len;
	if (mm_copy_out(t->mm, a[3], val, (size_t)have) < 0 || mm_copy_out(t->mm, a[4], &have, sizeof(have)) < 0)
		return -EFAULT;
	return 0;
}

SYSCALL(setsockopt)
{
	char val[64];
	size_t len;
	struct file *f;
	long r = get_sock(t, (int)a[0], &f);

	if (r < 0)
		return r;
	/*
	 * optlen is an int: negative is EINVAL.  Past the buffer, only its
	 * first bytes are read, as Linux reads an int option's first four
	 * whatever optlen says; the family sees the length capped.
	 */
	if ((int)a[4] < 0) {
		file_put(f);
		return -EINVAL;
	}
	len = (size_t)(int)a[4] < sizeof(val) ? (size_t)(int)a[4] : sizeof(val);
	if (mm_copy_in(t->mm, val, a[3], len) < 0) {
		file_put(f);
		return -EFAULT;
	}
	r = f->ops->sock->setsockopt(f, (int)a[1], (int)a[2], val, (socklen_t)len);
	file_put(f);
	return r;
}
