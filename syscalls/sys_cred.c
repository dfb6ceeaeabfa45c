/*
 * Credentials against the sandbox's own user model: the set*id family
 * with Linux's rules (CAP_SETUID/CAP_SETGID in the caller's user
 * namespace), supplementary groups, and the capability sets through
 * capget/capset.  Ids come in and go out as the caller's user namespace
 * sees them (userns.h); the credentials hold kernel ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

#define KEEP ((uint32_t)-1)

/* CAP_SETUID, CAP_SETGID and CAP_SETPCAP count in the caller's own user namespace. */
static int cap_own(struct task *t, int cap)
{
	return ns_capable(t, creds_userns(&t->cred), cap);
}

/* An id the caller names, as a kernel id (KEEP stays KEEP): -EINVAL for one its namespace does not map. */
static int map_in(struct task *t, uint32_t *id, int gid)
{
	if (*id == KEEP)
		return 0;
	*id = gid ? task_gid_in(t, *id) : task_uid_in(t, *id);
	return *id == KEEP ? -EINVAL : 0;
}

/* An unprivileged task may only move among its real, effective and saved ids. */
static int allowed(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == KEEP || id == r || id == e || id == s;
}

static long set_res(struct task *t, uint32_t r, uint32_t e, uint32_t s, int gid)
{
	uint32_t *R = gid ? &t->cred.gid : &t->cred.uid, *E = gid ? &t->cred.egid : &t->cred.euid;
	uint32_t *S = gid ? &t->cred.sgid : &t->cred.suid, *F = gid ? &t->cred.fsgid : &t->cred.fsuid;
	struct creds old = t->cred;

	if (!cap_own(t, gid ? CAP_SETGID : CAP_SETUID) && (!allowed(r, *R, *E, *S) || !allowed(e, *R, *E, *S) || !allowed(s, *R, *E, *S)))
		return -EPERM;
	if (r != KEEP)
		*R = r;
	if (e != KEEP)
		*E = e;
	if (s != KEEP)
		*S = s;
	*F = *E;
	if (!gid)
		creds_fix_setuid(&t->cred, &old, t->keepcaps);
	creds_changed(t, &old);
	return 0;
}

static long sys_set_res(struct task *t, const uint64_t *a, int gid)
{
	uint32_t r = (uint32_t)a[0], e = (uint32_t)a[1], s = (uint32_t)a[2];

	if (map_in(t, &r, gid) < 0 || map_in(t, &e, gid) < 0 || map_in(t, &s, gid) < 0)
		return -EINVAL;
	return set_res(t, r, e, s, gid);
}

SYSCALL(setresuid) { return sys_set_res(t, a, 0); }
SYSCALL(setresgid) { return sys_set_res(t, a, 1); }

static long set_re(struct task *t, uint32_t r, uint32_t e, int gid)
{
	uint32_t R = gid ? t->cred.gid : t->cred.uid, E = gid ? t->cred.egid : t->cred.euid;
	uint32_t s = KEEP;

	if (map_in(t, &r, gid) < 0 || map_in(t, &e, gid) < 0)
		return -EINVAL;
	if (!cap_own(t, gid ? CAP_SETGID : CAP_SETUID)) {
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
	if (map_in(t, &id, gid) < 0 || id == KEEP)
		return -EINVAL;
	if (cap_own(t, gid ? CAP_SETGID : CAP_SETUID))
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

	/* An id with no mapping changes nothing (the answer is the old one all the same). */
	if (map_in(t, &id, 0) == 0 && (cap_own(t, CAP_SETUID) || allowed(id, t->cred.uid, t->cred.euid, t->cred.suid)))
		if (id != KEEP) {
			struct creds before = t->cred;

			t->cred.fsuid = id;
			creds_fix_setfsuid(&t->cred, old);
			creds_changed(t, &before);
		}
	return task_uid_out(t, old);
}

SYSCALL(setfsgid)
{
	uint32_t old = t->cred.fsgid, id = (uint32_t)a[0];

	if (map_in(t, &id, 1) == 0 && (cap_own(t, CAP_SETGID) || allowed(id, t->cred.gid, t->cred.egid, t->cred.sgid)))
		if (id != KEEP) {
			struct creds before = t->cred;

			t->cred.fsgid = id;
			creds_changed(t, &before);
		}
	return task_gid_out(t, old);
}

/*
 * setgroups: CAP_SETGID in the caller's user namespace, where gid_map is
 * written and setgroups not denied (EPERM, checked first as Linux does);
 * each group is one the namespace maps (EINVAL).
 */
SYSCALL(setgroups)
{
	struct groups *g = NULL;
	int n = (int)a[0], i;

	if (!cap_own(t, CAP_SETGID) || !userns_may_setgroups(creds_userns(&t->cred)))
		return -EPERM;
	if (n < 0 || n > 65536) /* NGROUPS_MAX */
		return -EINVAL;
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
		for (i = 0; i < n; i++)
			if (map_in(t, &g->gid[i], 1) < 0 || g->gid[i] == KEEP) {
				free(g);
				return -EINVAL;
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
	if (n) {
		uint32_t *out = malloc(n * sizeof(uint32_t)), i;
		long r;

		if (!out)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			out[i] = task_gid_out(t, t->cred.groups->gid[i]);
		r = mm_copy_out(t->mm, a[1], out, n * sizeof(uint32_t));
		free(out);
		if (r < 0)
			return -EFAULT;
	}
	return n;
}

/* ---- capget, capset ---- */

/*
 * Checks a capget/capset header's version and gives the number of data
 * structs it reads or writes (1 for version 1's 32 bits, 2 for versions 2
 * and 3).  A version it does not know is answered, as Linux, by writing
 * version 3 into the header and EINVAL.
 */
static long cap_header(struct task *t, gva_t uh, struct __user_cap_header_struct *h, int *words)
{
	if (mm_copy_in(t->mm, h, uh, sizeof(*h)) < 0)
		return -EFAULT;
	switch (h->version) {
	case _LINUX_CAPABILITY_VERSION_1:
		*words = 1;
		return 0;
	case _LINUX_CAPABILITY_VERSION_2:
	case _LINUX_CAPABILITY_VERSION_3:
		*words = 2;
		return 0;
	}
	h->version = _LINUX_CAPABILITY_VERSION_3;
	if (mm_copy_out(t->mm, uh, &h->version, sizeof(h->version)) < 0)
		return -EFAULT;
	return -EINVAL;
}

SYSCALL(capget)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	const struct task *target = t;
	int words, i;
	long r = cap_header(t, a[0], &h, &words);

	/* Without a data pointer, only the version is asked about: a wrong one is no error. */
	if (!a[1])
		return r == -EINVAL ? 0 : r;
	if (r < 0)
		return r;
	if (h.pid < 0)
		return -EINVAL;
	if (h.pid && task_gnr(t, h.pid) != t->tid) {
		target = task_find_vnr(t, h.pid);
		if (!target)
			return -ESRCH;
	}
	for (i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(target->cred.cap_eff >> (32 * i));
		d[i].permitted = (uint32_t)(target->cred.cap_prm >> (32 * i));
		d[i].inheritable = (uint32_t)(target->cred.cap_inh >> (32 * i));
	}
	return mm_copy_out(t->mm, a[1], d, (size_t)words * sizeof(d[0]));
}

/* capset: only the caller's own sets, with capabilities(7)'s rules for each. */
SYSCALL(capset)
{
	struct __user_cap_header_struct h;
	struct __user_cap_data_struct d[2];
	uint64_t eff = 0, prm = 0, inh = 0;
	struct creds *c = &t->cred;
	int words, i;
	long r = cap_header(t, a[0], &h, &words);

	if (r < 0)
		return r;
	if (h.pid && task_gnr(t, h.pid) != t->tid)
		return -EPERM;
	if (mm_copy_in(t->mm, d, a[1], (size_t)words * sizeof(d[0])) < 0)
		return -EFAULT;
	for (i = 0; i < words; i++) {
		eff |= (uint64_t)d[i].effective << (32 * i);
		prm |= (uint64_t)d[i].permitted << (32 * i);
		inh |= (uint64_t)d[i].inheritable << (32 * i);
	}
	eff &= CREDS_CAP_ALL;
	prm &= CREDS_CAP_ALL;
	inh &= CREDS_CAP_ALL;
	/* A new inheritable capability must be permitted (or CAP_SETPCAP held) and within the bounding set. */
	if (!cap_own(t, CAP_SETPCAP) && (inh & ~(c->cap_inh | c->cap_prm)))
		return -EPERM;
	if (inh & ~(c->cap_inh | c->cap_bnd))
		return -EPERM;
	/* Permitted capabilities can only be given up; effective ones must be permitted. */
	if ((prm & ~c->cap_prm) || (eff & ~prm))
		return -EPERM;
	c->cap_eff = eff;
	c->cap_prm = prm;
	c->cap_inh = inh;
	c->cap_amb &= prm & inh;
	return 0;
}
