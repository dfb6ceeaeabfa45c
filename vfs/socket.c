/* The socket family table (see socket.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "vfs.h"

#include "socket.h"

/* Filled by constructors before main, read-only afterwards: no lock needed. */
static const struct sock_family *families[SOCK_FAMILIES_MAX];

void sock_register_family(const struct sock_family *f)
{
	if (f->family <= 0 || f->family >= SOCK_FAMILIES_MAX || families[f->family])
		abort(); /* a build mistake: two families share a number */
	families[f->family] = f;
}

const struct sock_family *sock_find_family(int family)
{
	return family > 0 && family < SOCK_FAMILIES_MAX ? families[family] : NULL;
}

static sock_dev_ioctl_fn dev_ioctl;

void sock_register_dev_ioctl(sock_dev_ioctl_fn fn)
{
	dev_ioctl = fn;
}

long sock_dev_ioctl(struct task *t, unsigned long req, uint64_t arg)
{
	return dev_ioctl ? dev_ioctl(t, req, arg) : -ENOTTY;
}

long umsg_copy_from(const struct umsg *m, void *dst, size_t len)
{
	size_t done = 0;
	int i;

	for (i = 0; i < m->iovcnt && done < len; i++) {
		size_t n = m->iov[i].iov_len < len - done ? m->iov[i].iov_len : len - done;

		if (!n)
			continue;
		if (m->mm) {
			if (mm_copy_in(m->mm, (char *)dst + done, (gva_t)(uintptr_t)m->iov[i].iov_base, n) < 0)
				return -EFAULT;
		} else {
			memcpy((char *)dst + done, m->iov[i].iov_base, n);
		}
		done += n;
	}
	return 0;
}

long umsg_copy_to(const struct umsg *m, const void *src, size_t len)
{
	size_t done = 0;
	int i;

	for (i = 0; i < m->iovcnt && done < len; i++) {
		size_t n = m->iov[i].iov_len < len - done ? m->iov[i].iov_len : len - done;

		if (!n)
			continue;
		if (m->mm) {
			if (mm_copy_out(m->mm, (gva_t)(uintptr_t)m->iov[i].iov_base, (const char *)src + done, n) < 0)
				return -EFAULT;
		} else {
			memcpy(m->iov[i].iov_base, (const char *)src + done, n);
		}
		done += n;
	}
	return 0;
}

long sock_file_read(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct umsg m = {.iov = iov, .iovcnt = cnt};
	int msg_flags;

	(void)pos;
	return f->ops->sock->recvmsg(task_current, f, &m, MSG_DONTWAIT, 0, NULL, NULL, &msg_flags);
}

long sock_file_write(struct file *f, const struct iovec *iov, int cnt, uint64_t *pos)
{
	struct umsg m = {.iov = iov, .iovcnt = cnt};

	(void)pos;
	return f->ops->sock->sendmsg(task_current, f, &m, MSG_DONTWAIT);
}

long sock_no_listen(struct file *f, int backlog)
{
	(void)f, (void)backlog;
	return -EOPNOTSUPP;
}

long sock_no_accept(struct task *t, struct file *f, int flags, struct file **out, struct sockaddr_storage *peer,
		    socklen_t *peerlen)
{
	(void)t, (void)f, (void)flags, (void)out, (void)peer, (void)peerlen;
	return -EOPNOTSUPP;
}
