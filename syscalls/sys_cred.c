/*
 * Credentials against the sandbox's own user model: the set*id family
 * with Linux's rules (CAP_SETUID/CAP_SETGID through capable(), which is
 * "euid 0" while the sandbox keeps no capability sets), and supplementary
 * groups.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

#define KEEP ((uint32_t)-1)

/* An unprivileged task may only move among its real, effective and saved ids. */
static int allowed(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == KEEP || id == r || id == e || id == s;
}

static long set_res(struct task *t, uint32_t r, uint32_t e, uint32_t s, int gid)
{
	uint32_t *R = gid ? &t->cred.gid : &t->cred.uid, *E = gid ? &t->cred.egid : &t->cred.euid;
	uint32_t *S = gid ? &t->cred.sgid : &t->cred.suid, *F = gid ? &t->cred.fsgid : &t->cred.fsuid;

	if (!capable(t, gid ? CAP_SETGID : CAP_SETUID) && (!allowed(r, *R, *E, *S) || !allowed(e, *R, *E, *S) || !allowed(s, *R, *E, *S)))
		return -EPERM;
	if (r != KEEP)
		*R = r;
	if (e != KEEP)
		*E = e;
	if (s != KEEP)
		*S = s;
	*F = *E;
	return 0;
}

SYSCALL(setresuid) { return set_res(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], 0); }
SYSCALL(setresgid) { return set_res(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], 1); }

static long set_re(struct task *t, uint32_t r, uint32_t e, int gid)
{
	uint32_t R = gid ? t->cred.gid : t->cred.uid, E = gid ? t->cred.egid : t->cred.euid;
	uint32_t s = KEEP;

	if (!capable(t, gid ? CAP_SETGID : CAP_SETUID)) {
		if (r != KEEP && r != R && r != E)
			return -EPERM;
		if (e != KEEP && !allowed(e, R, E, gid ? t->cred.sgid : t->cred.suid))
			return -EPERM;
	}
	/* The saved id follows the effective one when the real one is set or the effective changes. */
	if (r != KEEP || (e != KEEP && e != R))
		s = e != KEEP ? e : E;
	return set_res(t, r, e, s, gid) == 0 ? 0 : -EPERM;
}

SYSCALL(setreuid) { return set_re(t, (uint32_t)a[0], (uint32_t)a[1], 0); }
SYSCALL(setregid) { return set_re(t, (uint32_t)a[0], (uint32_t)a[1], 1); }

static long set_id(struct task *t, uint32_t id, int gid)
{
	if (id == KEEP)
		return -EINVAL;
	if (capable(t, gid ? CAP_SETGID : CAP_SETUID))
		return set_res(t, id, id, id, gid);
	if (id != (gid ? t->cred.gid : t->cred.uid) && id != (gid ? t->cred.sgid : t->cred.suid))
		return -EPERM;
	return set_res(t, KEEP, id, KEEP, gid);
}

SYSCALL(setuid) { return set_id(t, (uint32_t)a[0], 0); }
SYSCALL(setgid) { return set_id(t, (uint32_t)a[0], 1); }

SYSCALL(setfsuid)
{
	uint32_t old = t->cred.fsuid, id = (uint32_t)a[0];

	if (capable(t, CAP_SETUID) || allowed(id, t->cred.uid, t->cred.euid, t->cred.suid))
		if (id != KEEP)
			t->cred.fsuid = id;
	return old;
}

SYSCALL(setfsgid)
{
	uint32_t old = t->cred.fsgid, id = (uint32_t)a[0];

	if (capable(t, CAP_SETGID) || allowed(id, t->cred.gid, t->cred.egid, t->cred.sgid))
		if (id != KEEP)
			t->cred.fsgid = id;
	return old;
}

SYSCALL(setgroups)
{
	struct groups *g = NULL;
	int n = (int)a[0];

	if (n < 0 || n > 65536) /* NGROUPS_MAX */
		return -EINVAL;
	if (!capable(t, CAP_SETGID))
		return -EPERM;
	if (n) {
		g = malloc(sizeof(*g) + (size_t)n * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		g->refs = 1;
		g->n = (uint32_t)n;
		if (mm_copy_in(t->mm, g->gid, a[1], (size_t)n * sizeof(uint32_t)) < 0) {
			free(g);
			return -EFAULT;
		}
	}
	groups_put(t->cred.groups);
	t->cred.groups = g;
	return 0;
}

SYSCALL(getgroups)
{
	int size = (int)a[0];
	uint32_t n = t->cred.groups ? t->cred.groups->n : 0;

	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return n;
	if ((uint32_t)size < n)
		return -EINVAL;
	if (n && mm_copy_out(t->mm, a[1], t->cred.groups->gid, n * sizeof(uint32_t)) < 0)
		return -EFAULT;
	return n;
}

SYSCALL(capset)
{
	(void)a;
	return capable(t, CAP_SETPCAP) ? 0 : -EPERM;
}
