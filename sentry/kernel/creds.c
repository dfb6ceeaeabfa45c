/*
 * Credentials that more than the set*id calls need: capabilities and
 * supplementary groups (held by every task, checked by the path walk's
 * permission checks).  syscalls/sys_cred.c changes them; this file only
 * reads and drops them.
 */
#include <stdlib.h>

#include "task.h"

int capable(const struct task *t, int cap)
{
	switch (cap) {
	case CAP_CHOWN:
	case CAP_DAC_OVERRIDE:
	case CAP_DAC_READ_SEARCH:
	case CAP_FOWNER:
	case CAP_FSETID:
	case CAP_LINUX_IMMUTABLE:
	case CAP_MKNOD:
	case CAP_MAC_OVERRIDE:
		return t->cred.fsuid == 0;
	default:
		return t->cred.euid == 0;
	}
}

void groups_put(struct groups *g)
{
	if (g && --g->refs == 0)
		free(g);
}

int creds_in_group(const struct creds *c, uint32_t gid)
{
	uint32_t i;

	if (c->fsgid == gid)
		return 1;
	for (i = 0; c->groups && i < c->groups->n; i++)
		if (c->groups->gid[i] == gid)
			return 1;
	return 0;
}
