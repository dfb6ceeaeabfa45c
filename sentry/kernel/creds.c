/*
 * Credentials that more than the set*id calls need: capabilities and
 * supplementary groups (held by every task, checked by the path walk's
 * permission checks), and capabilities(7)'s rules for how the sets follow
 * uid changes and execve.  syscalls/sys_cred.c changes them.
 */
#include <errno.h>
#include <stdlib.h>

#include "task.h"

int capable(const struct task *t, int cap)
{
	return cap >= 0 && cap <= CAP_LAST_CAP && (t->cred.cap_eff & CREDS_CAP(cap));
}

void creds_init_root(struct creds *c)
{
	c->cap_prm = c->cap_eff = c->cap_bnd = CREDS_CAP_ALL;
	c->cap_inh = c->cap_amb = 0;
}

void creds_fix_setuid(struct creds *c, const struct creds *old, int keepcaps)
{
	if ((old->uid == 0 || old->euid == 0 || old->suid == 0) && c->uid && c->euid && c->suid) {
		if (!keepcaps)
			c->cap_prm = c->cap_eff = 0;
		c->cap_amb = 0;
	}
	if (old->euid == 0 && c->euid)
		c->cap_eff = 0;
	if (old->euid && c->euid == 0)
		c->cap_eff = c->cap_prm;
}

/* The capabilities an fsuid of 0 holds (capabilities(7), "Effect of user ID changes on capabilities"). */
#define CAP_FS_SET                                                                                                  \
	(CREDS_CAP(CAP_CHOWN) | CREDS_CAP(CAP_DAC_OVERRIDE) | CREDS_CAP(CAP_DAC_READ_SEARCH) | CREDS_CAP(CAP_FOWNER) | \
	 CREDS_CAP(CAP_FSETID) | CREDS_CAP(CAP_LINUX_IMMUTABLE) | CREDS_CAP(CAP_MKNOD) | CREDS_CAP(CAP_MAC_OVERRIDE))

void creds_fix_setfsuid(struct creds *c, uint32_t old_fsuid)
{
	if (old_fsuid == 0 && c->fsuid)
		c->cap_eff &= ~CAP_FS_SET;
	if (old_fsuid && c->fsuid == 0)
		c->cap_eff |= c->cap_prm & CAP_FS_SET;
}

void creds_changed(struct task *t, const struct creds *old)
{
	const struct creds *c = &t->cred;

	if (c->euid != old->euid || c->egid != old->egid || c->fsuid != old->fsuid || c->fsgid != old->fsgid)
		t->tg->dumpable = 0; /* fs.suid_dumpable's default */
}

void creds_exec(struct creds *c)
{
	if (c->uid == 0 || c->euid == 0) {
		c->cap_prm = c->cap_bnd | c->cap_inh;
		c->cap_eff = c->euid == 0 ? c->cap_prm : c->cap_amb;
	} else {
		c->cap_prm = c->cap_eff = c->cap_amb;
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

int task_may_access(const struct task *t, const struct task *target)
{
	const struct creds *c = &t->cred, *tc = &target->cred;

	if (t->tg == target->tg)
		return 0;
	if (!(c->uid == tc->euid && c->uid == tc->suid && c->uid == tc->uid && c->gid == tc->egid &&
	      c->gid == tc->sgid && c->gid == tc->gid) &&
	    !capable(t, CAP_SYS_PTRACE))
		return -EPERM;
	if (target->tg->dumpable != 1 && !capable(t, CAP_SYS_PTRACE))
		return -EPERM;
	return 0;
}
