/*
 * Pid namespaces and pid records (see pidns.h).  Records are found by
 * (namespace, number) in one hash table: each of a record's numbers is a
 * node there, the first namespace's being the global number.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../mm/memfile.h"
#include "pidns.h"

/* Linux's PROC_PID_INIT_INO. */
#define INIT_INO_PID 0xEFFFFFFCu
#define PID_MAX 4194304
#define NBUCKETS 1024

struct pid_rec;

struct upid {
	int nr;
	struct pid_ns *ns;
	struct upid *hnext;
	struct pid_rec *rec;
};

struct pid_rec {
	int level;               /* of the namespace it was born in */
	struct upid up[];        /* level + 1: up[0] the global number, up[level] its own */
};

struct pid_ns pid_ns_init = {.ns = {.refs = 1, .type = NS_PID, .ino = INIT_INO_PID}};
int pidns_nested;

static struct upid *buckets[NBUCKETS];

static unsigned bucket(const struct pid_ns *ns, int nr)
{
	uintptr_t h = (uintptr_t)ns >> 4;

	return (unsigned)((h * 0x9E3779B1u) ^ (unsigned)nr * 2654435761u) % NBUCKETS;
}

static struct upid *find(const struct pid_ns *ns, int nr)
{
	struct upid *u;

	for (u = buckets[bucket(ns, nr)]; u; u = u->hnext)
		if (u->ns == ns && u->nr == nr)
			return u;
	return NULL;
}

static void pidns_release(struct ns_common *c)
{
	struct pid_ns *ns = (struct pid_ns *)c;

	ns_put(&ns->parent->ns);
	free(ns);
	mf_uncharge(sizeof(*ns));
	pidns_nested--;
}

/* Charged to the sandbox's memory, as every namespace. */
struct pid_ns *pidns_new(struct pid_ns *parent)
{
	struct pid_ns *ns;

	if (mf_charge(sizeof(*ns)) < 0)
		return NULL;
	ns = calloc(1, sizeof(*ns));
	if (!ns) {
		mf_uncharge(sizeof(*ns));
		return NULL;
	}
	ns->ns = (struct ns_common){.refs = 1, .type = NS_PID, .ino = ns_alloc_ino(), .release = pidns_release};
	ns->parent = parent;
	ns_get(&parent->ns);
	ns->level = parent->level + 1;
	pidns_nested++;
	return ns;
}

static int alloc_in(struct pid_ns *ns)
{
	int tries;

	for (tries = 0; tries < PID_MAX; tries++) {
		if (++ns->last >= PID_MAX)
			ns->last = 2; /* pid 1 is its init's, for ever */
		if (!find(ns, ns->last))
			return ns->last;
	}
	return -ENOMEM;
}

static void unhash(struct upid *u)
{
	struct upid **pp;

	for (pp = &buckets[bucket(u->ns, u->nr)]; *pp; pp = &(*pp)->hnext)
		if (*pp == u) {
			*pp = u->hnext;
			return;
		}
}

int pidns_attach(int gnr, struct pid_ns *ns, int *nr_out)
{
	struct pid_rec *r;
	struct pid_ns *x;
	int i;

	*nr_out = gnr;
	if (ns == &pid_ns_init)
		return 0;
	if (ns->dead)
		return -ENOMEM;
	pidns_detach(gnr); /* a stale record of a number given again: never expected */
	r = malloc(sizeof(*r) + (size_t)(ns->level + 1) * sizeof(struct upid));
	if (!r)
		return -ENOMEM;
	r->level = ns->level;
	for (x = ns, i = ns->level; x; x = x->parent, i--) {
		int nr = i == 0 ? gnr : alloc_in(x);

		if (nr < 0) {
			while (++i <= ns->level)
				unhash(&r->up[i]);
			free(r);
			return -ENOMEM;
		}
		r->up[i] = (struct upid){.nr = nr, .ns = x, .rec = r};
		/* Hashed at once, so that a number taken in one namespace is seen as taken. */
		r->up[i].hnext = buckets[bucket(x, nr)];
		buckets[bucket(x, nr)] = &r->up[i];
	}
	ns_get(&ns->ns);
	*nr_out = r->up[ns->level].nr;
	return 0;
}

void pidns_detach(int gnr)
{
	struct upid *u;
	struct pid_rec *r;
	struct pid_ns *ns;
	int i;

	if (!pidns_nested || !(u = find(&pid_ns_init, gnr)))
		return;
	r = u->rec;
	ns = r->up[r->level].ns;
	for (i = 0; i <= r->level; i++)
		unhash(&r->up[i]);
	free(r);
	ns_put(&ns->ns);
}

struct pid_ns *pidns_of(int gnr)
{
	struct upid *u;

	if (!pidns_nested || !(u = find(&pid_ns_init, gnr)))
		return &pid_ns_init;
	return u->rec->up[u->rec->level].ns;
}

int pidns_nr(struct pid_ns *ns, int gnr)
{
	struct upid *u;

	if (gnr <= 0)
		return 0;
	if (ns == &pid_ns_init)
		return gnr;
	u = find(&pid_ns_init, gnr);
	if (!u || u->rec->level < ns->level || u->rec->up[ns->level].ns != ns)
		return 0;
	return u->rec->up[ns->level].nr;
}

int pidns_global(struct pid_ns *ns, int nr)
{
	struct upid *u;

	if (ns == &pid_ns_init)
		return nr > 0 ? nr : 0;
	if (nr <= 0 || !(u = find(ns, nr)))
		return 0;
	return u->rec->up[0].nr;
}

int pidns_within(const struct pid_ns *ns, const struct pid_ns *anc)
{
	for (; ns; ns = ns->parent)
		if (ns == anc)
			return 1;
	return 0;
}
