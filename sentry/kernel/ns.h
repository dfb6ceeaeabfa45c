/*
 * Namespaces (namespaces(7)): what a task sees of the UTS names, of
 * System V IPC, of the mount tree, of the network and of pids is the
 * namespace it points at, a refcounted object that unshare(2), clone(2)
 * and setns(2) give it.  Mount namespaces are the VFS's (vfs.h's struct
 * mnt_ns), IPC ones sentry/ipc's, network ones netstack's, user ones
 * userns.h's, held by a task's credentials, pid ones pidns.h's.  The
 * cgroup and time namespaces are one each for the whole sandbox: objects
 * too, so that /proc/PID/ns shows them, but none can be made.
 *
 * Every namespace has an inode number, unique in the sandbox for as long as
 * it lives, which /proc/PID/ns/<name> shows ("uts:[4026531838]") and whose
 * files stat gives as st_ino.  The first namespaces have Linux's numbers
 * for the initial ones.
 *
 * Locking: sentry_lock protects the reference counts and the UTS names.
 * A task holds a reference on each of its own (task->uts, ->ipc, ->mnt,
 * ->net); an open /proc/PID/ns file holds one on its namespace.
 */
#pragma once

#include <stdint.h>

/* In the order of /proc/PID/ns's listing. */
enum ns_type { NS_CGROUP, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_TIME, NS_USER, NS_UTS, NS_NTYPES };

struct ns_common {
	int refs;
	enum ns_type type;
	uint32_t ino;
	/* Frees the namespace once its last reference is gone; NULL: it lives as long as the sandbox. */
	void (*release)(struct ns_common *ns);
	/* Reference: the user namespace that owns it (userns.h); NULL: the sandbox's first. */
	struct ns_common *owner;
};

struct uts_ns {
	struct ns_common ns;
	char hostname[65];   /* uname's nodename */
	char domainname[65];
};

/* The sandbox's first UTS namespace: start-up sets its names (the host's, or the container's). */
extern struct uts_ns uts_ns_init;

/* The sandbox's first mount namespace's number: Linux's first dynamic one, which its initial one takes. */
#define NS_MNT_INIT_INO 0xF0000000u
/* The sandbox's first network namespace's number (netstack's net_init_ns): the next one. */
#define NS_NET_INIT_INO 0xF0000001u

/* Linux's name for a type ("uts", "ipc", ...), as /proc/PID/ns and readlink show it. */
const char *ns_type_name(enum ns_type type);
/* The CLONE_NEW* flag of a type (setns's nstype). */
int ns_type_flag(enum ns_type type);
/* The one namespace of a type that cannot be made anew (cgroup, time). */
struct ns_common *ns_single(enum ns_type type);
/* A new inode number for a namespace (unique until some 2^28 namespaces have been made). */
uint32_t ns_alloc_ino(void);

static inline void ns_get(struct ns_common *ns)
{
	ns->refs++;
}

/* Drops a reference; the last one frees the namespace, then drops its owner's. */
void ns_put(struct ns_common *ns);

/* A new UTS namespace with src's names (unshare, clone), or NULL. */
struct uts_ns *uts_ns_copy(const struct uts_ns *src);
