/*
 * User namespaces (user_namespaces(7)).  A task's credentials hold the ids
 * of the sandbox's first user namespace (Linux's kuid/kgid, "kernel ids")
 * and a reference on the user namespace they belong to.  What a task sees
 * of an id, and what an id it passes means, goes through that namespace's
 * uid_map or gid_map: an id with no mapping reads as the overflow id
 * (65534) and cannot be set (EINVAL).
 *
 * A namespace's capabilities are those of its tasks' effective sets, and
 * count for the namespace and the ones below it, never above: its creator
 * (the owner's euid in the parent namespace) holds every capability in it.
 * Other namespaces (UTS, IPC, ...) record the user namespace that made
 * them (ns_common.owner), and privilege over them is privilege in that one.
 *
 * Locking: sentry_lock protects everything here.  A user namespace holds
 * a reference on its parent (ns.owner); credentials hold one on theirs.
 * Each map is written once and never changes after.
 */
#pragma once

#include <stdint.h>

#include "ns.h"

/* Linux's UID_GID_MAP_MAX_EXTENTS. */
#define USERNS_MAP_MAX 340
/* A namespace may be 32 deep below the first (Linux: EUSERS beyond). */
#define USERNS_MAX_LEVEL 32
/* /proc/sys/kernel/overflowuid and overflowgid: what an unmapped id reads as. */
#define USERNS_OVERFLOW_ID 65534u

/* first..first+count-1 in the namespace are lower..lower+count-1 in the sandbox's first one. */
struct userns_extent {
	uint32_t first, lower, count;
};

struct userns_map {
	uint32_t n;
	struct userns_extent e[USERNS_MAP_MAX];
};

struct user_ns {
	struct ns_common ns;          /* ns.owner: the parent's (NULL for the first) */
	struct user_ns *parent;       /* the same as ns.owner, typed; NULL for the first */
	int level;                    /* 0 for the first */
	uint32_t owner, group;        /* the creator's euid and egid (kernel ids) */
	int setgroups_allowed;        /* /proc/PID/setgroups: "allow" (1) or "deny" (0) */
	int parent_could_setfcap;     /* the creator held CAP_SETFCAP: it may map the parent's uid 0 */
	struct userns_map uid_map, gid_map;
};

/* The sandbox's first user namespace: every id maps to itself. */
extern struct user_ns user_ns_init;

/* The user namespace a namespace of another type belongs to (its owner; the first if none). */
static inline struct user_ns *userns_owner(const struct ns_common *ns)
{
	return ns && ns->owner ? (struct user_ns *)ns->owner : &user_ns_init;
}

/* Records u as the owner of ns, a namespace just made (a reference; none for the first). */
static inline void userns_own(struct ns_common *ns, struct user_ns *u)
{
	if (u != &user_ns_init) {
		ns_get(&u->ns);
		ns->owner = &u->ns;
	}
}

/*
 * A new user namespace below parent, made by a task whose effective ids are
 * euid and egid and whose effective set is cap_eff; a reference, or NULL
 * with -errno in *err: EUSERS too deep, EPERM if euid or egid has no
 * mapping in parent, ENOMEM.
 */
struct user_ns *userns_new(struct user_ns *parent, uint32_t euid, uint32_t egid, uint64_t cap_eff, long *err);

/* The kernel id of a namespace's id, or -1 if it has none (Linux's make_kuid). */
uint32_t userns_make_kid(const struct userns_map *m, uint32_t id);
/* A kernel id as a namespace sees it, or -1 if it maps to none (Linux's from_kuid). */
uint32_t userns_from_kid(const struct userns_map *m, uint32_t kid);
/* The same, unmapped ids as the overflow id (from_kuid_munged). */
uint32_t userns_from_kid_munged(const struct userns_map *m, uint32_t kid);

/*
 * Linux's cap_capable: do credentials in namespace cred_ns, with effective
 * ids euid and effective set cap_eff, hold cap over target?  In their own
 * namespace: if the set has it.  In one below it: if they own it or an
 * ancestor of it that is a child of theirs.  Above or beside: never.
 */
int userns_capable(const struct user_ns *cred_ns, uint32_t euid, uint64_t cap_eff, const struct user_ns *target, int cap);

/* May a task of namespace ns call setgroups (gid_map written, setgroups not denied)? */
int userns_may_setgroups(const struct user_ns *ns);

/*
 * /proc/PID/{uid,gid}_map's text of ns as a reader in reader_ns sees it:
 * one "%10u %10u %10u\n" line per extent, the lower ids as the parent (or,
 * for a reader outside, reader_ns) sees them.  Writes up to size bytes with
 * a NUL and returns the length of the whole text.
 */
size_t userns_map_show(const struct user_ns *ns, int gid, const struct user_ns *reader_ns, char *buf, size_t size);

/*
 * A write of text (len bytes, no NUL inside) to ns's uid_map (gid 0) or
 * gid_map (gid 1) by a task in writer_ns with effective ids euid, egid and
 * effective set cap_eff, with Linux's rules (map_write): written once;
 * the writer must be in ns or its parent and hold CAP_SYS_ADMIN in ns;
 * well-formed lines of three numbers whose ranges do not wrap or overlap,
 * at most USERNS_MAP_MAX of them (EINVAL); either a single line mapping the
 * writer's own euid (egid, after setgroups was denied) when it owns ns, or
 * CAP_SETUID (CAP_SETGID) in the parent; the lower ids mapped in the
 * parent (EPERM).  0 or -errno.
 */
long userns_map_write(struct user_ns *ns, int gid, const struct user_ns *writer_ns, uint32_t euid, uint32_t egid,
		      uint64_t cap_eff, const char *text, size_t len);

/* /proc/PID/setgroups: "allow" or "deny" (with blanks after), once denied for good, not after gid_map. */
long userns_setgroups_write(struct user_ns *ns, const char *text);
