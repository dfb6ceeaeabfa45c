/*
 * Credentials that more than the set*id calls need: capabilities and
 * supplementary groups (held by every task, checked by the path walk's
 * permission checks), and capabilities(7)'s rules for how the sets follow
 * uid changes and execve, where "root" is the uid 0 of the credentials'
 * user namespace.  syscalls/sys_cred.c changes them.
 */
#include <errno.h>
#include <stdlib.h>

#include "task.h"

int ns_capable(const struct task *t, const struct user_ns *ns, int cap)
{
	return userns_capable(creds_userns(&t->cred), t->cred.euid, t->cred.cap_eff, ns, cap);
}

int capable(const struct task *t, int cap)
{
	return ns_capable(t, &user_ns_init, cap);
}

int capable_wrt_inode(const struct task *t, int cap, uint32_t uid, uint32_t gid)
{
	const struct user_ns *ns = creds_userns(&t->cred);

	return ns_capable(t, ns, cap) && userns_from_kid(&ns->uid_map, uid) != (uint32_t)-1 &&
	       userns_from_kid(&ns->gid_map, gid) != (uint32_t)-1;
}

uint32_t task_uid_out(const struct task *t, uint32_t kuid)
{
	return userns_from_kid_munged(&creds_userns(&t->cred)->uid_map, kuid);
}

uint32_t task_gid_out(const struct task *t, uint32_t kgid)
{
	return userns_from_kid_munged(&creds_userns(&t->cred)->gid_map, kgid);
}

uint32_t task_uid_in(const struct task *t, uint32_t uid)
{
	return userns_make_kid(&creds_userns(&t->cred)->uid_map, uid);
}

uint32_t task_gid_in(const struct task *t, uint32_t gid)
{
	return userns_make_kid(&creds_userns(&t->cred)->gid_map, gid);
}

void creds_init_root(struct creds *c)
{
	c->cap_prm = c->cap_eff = c->cap_bnd = CREDS_CAP_ALL;
	c->cap_inh = c->cap_amb = 0;
	c->user_ns = &user_ns_init;
	ns_get(&user_ns_init.ns);
}

/* The kernel id of the namespace's root, whose ids the capability rules treat as root's; -1: unmapped. */
static uint32_t root_kuid(const struct creds *c)
{
	return userns_make_kid(&creds_userns(c)->uid_map, 0);
}

void creds_fix_setuid(struct creds *c, const struct creds *old, int keepcaps)
{
	uint32_t root = root_kuid(old);

	if ((old->uid == root || old->euid == root || old->suid == root) && c->uid != root && c->euid != root &&
	    c->suid != root) {
		if (!keepcaps)
			c->cap_prm = c->cap_eff = 0;
		c->cap_amb = 0;
	}
	if (old->euid == root && c->euid != root)
		c->cap_eff = 0;
	if (old->euid != root && c->euid == root)
		c->cap_eff = c->cap_prm;
}

/* The capabilities an fsuid of 0 holds (capabilities(7), "Effect of user ID changes on capabilities"). */
#define CAP_FS_SET                                                                                                  \
	(CREDS_CAP(CAP_CHOWN) | CREDS_CAP(CAP_DAC_OVERRIDE) | CREDS_CAP(CAP_DAC_READ_SEARCH) | CREDS_CAP(CAP_FOWNER) | \
	 CREDS_CAP(CAP_FSETID) | CREDS_CAP(CAP_LINUX_IMMUTABLE) | CREDS_CAP(CAP_MKNOD) | CREDS_CAP(CAP_MAC_OVERRIDE))

void creds_fix_setfsuid(struct creds *c, uint32_t old_fsuid)
{
	uint32_t root = root_kuid(c);

	if (old_fsuid == root && c->fsuid != root)
		c->cap_eff &= ~CAP_FS_SET;
	if (old_fsuid != root && c->fsuid == root)
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
	uint32_t root = root_kuid(c);

	if (c->uid == root || c->euid == root) {
		c->cap_prm = c->cap_bnd | c->cap_inh;
		c->cap_eff = c->euid == root ? c->cap_prm : c->cap_amb;
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
	    !ns_capable(t, creds_userns(tc), CAP_SYS_PTRACE))
		return -EPERM;
	if (target->tg->dumpable != 1 && !ns_capable(t, creds_userns(tc), CAP_SYS_PTRACE))
		return -EPERM;
	return 0;
}
