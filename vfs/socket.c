/* The socket family table (see socket.h). */
#define _GNU_SOURCE
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
