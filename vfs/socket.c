/* The socket family table (see socket.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

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

long sock_dev_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	return dev_ioctl ? dev_ioctl(t, f, req, arg) : -ENOTTY;
}
