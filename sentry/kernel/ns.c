/*
 * Namespace objects (see ns.h): their numbers, references and the UTS
 * namespace.  System V IPC's namespace is sentry/ipc's (task.h's
 * task_ipc_ns hooks), the mount namespace the VFS's (task_files); the
 * others are single objects here.
 */
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>

#include "../mm/memfile.h"
#include "ns.h"

/* Linux's PROC_*_INIT_INO: what a program comparing with a host's initial namespaces expects. */
#define INIT_INO_IPC 0xEFFFFFFFu
#define INIT_INO_UTS 0xEFFFFFFEu
#define INIT_INO_CGROUP 0xEFFFFFFBu
#define INIT_INO_TIME 0xEFFFFFFAu
/* Dynamic numbers start where Linux's proc_alloc_inum does; mnt and net take the first two. */
#define FIRST_DYN_INO NS_MNT_INIT_INO

struct uts_ns uts_ns_init = {.ns = {.refs = 1, .type = NS_UTS, .ino = INIT_INO_UTS}};

static struct ns_common singles[NS_NTYPES] = {
	[NS_CGROUP] = {1, NS_CGROUP, INIT_INO_CGROUP, NULL, NULL},
	[NS_NET] = {1, NS_NET, NS_NET_INIT_INO, NULL, NULL}, /* what a task without a stack (unit tests) sees */
	[NS_TIME] = {1, NS_TIME, INIT_INO_TIME, NULL, NULL},
};

static uint32_t next_ino = FIRST_DYN_INO + 2;

const char *ns_type_name(enum ns_type type)
{
	static const char *const names[NS_NTYPES] = {"cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts"};

	return (unsigned)type < NS_NTYPES ? names[type] : "?";
}

int ns_type_flag(enum ns_type type)
{
	static const int flags[NS_NTYPES] = {CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNS, CLONE_NEWNET,
					     CLONE_NEWPID, 0x80 /* CLONE_NEWTIME */, CLONE_NEWUSER, CLONE_NEWUTS};

	return (unsigned)type < NS_NTYPES ? flags[type] : 0;
}

struct ns_common *ns_single(enum ns_type type)
{
	return (unsigned)type < NS_NTYPES && singles[type].refs ? &singles[type] : NULL;
}

/*
 * A counter: after 2^28 namespaces it starts again, and a namespace that
 * lived all that time may then share its number with a new one (Linux's
 * ida never gives a number in use; no program here makes that many).
 */
uint32_t ns_alloc_ino(void)
{
	if (next_ino == 0)
		next_ino = FIRST_DYN_INO + 2;
	return next_ino++;
}

void ns_put(struct ns_common *ns)
{
	while (ns && --ns->refs == 0 && ns->release) {
		struct ns_common *owner = ns->owner;

		ns->release(ns);
		ns = owner;
	}
}

static void uts_release(struct ns_common *ns)
{
	free(ns);
	mf_uncharge(sizeof(struct uts_ns));
}

/* Charged to the sandbox's memory, as every namespace: no number of them can outgrow it. */
struct uts_ns *uts_ns_copy(const struct uts_ns *src)
{
	struct uts_ns *u;

	if (mf_charge(sizeof(*u)) < 0)
		return NULL;
	u = malloc(sizeof(*u));
	if (!u) {
		mf_uncharge(sizeof(*u));
		return NULL;
	}
	memcpy(u->hostname, src->hostname, sizeof(u->hostname));
	memcpy(u->domainname, src->domainname, sizeof(u->domainname));
	u->ns = (struct ns_common){.refs = 1, .type = NS_UTS, .ino = ns_alloc_ino(), .release = uts_release};
	return u;
}
