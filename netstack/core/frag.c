/*
 * Fragment reassembly, shared by IPv4 (RFC 791) and IPv6 (RFC 8200 4.5),
 * as Linux's inet_fragment.c serves both (ip.h: net_frag_queue).
 *
 * A queue per (family, source, destination, identification, protocol)
 * holds its fragments sorted by offset, each a packet buffer whose data is
 * the fragment's payload (the header stays before it, pkb_network).  The
 * limits are Linux's defaults, and they are what keeps a flood of fragments
 * that never complete bounded:
 *   - all queues of a namespace hold at most NET_FRAG_HIGH_THRESH bytes
 *     (ipfrag_high_thresh, 4 MiB, counted in pkb_truesize as Linux counts
 *     skb->truesize): past it every fragment is dropped (ReasmFails) until
 *     queues complete or expire;
 *   - a queue lives NET_FRAG_TIMEOUT_NS (ipfrag_time, 30 s) from its first
 *     fragment; then it is dropped (ReasmFails, ReasmTimeout) and, if its
 *     first fragment came, the sender gets "fragment reassembly time
 *     exceeded";
 *   - overlapping fragments drop the whole queue (RFC 5722 for IPv6, and
 *     Linux does the same for IPv4 since 4.19); an exact duplicate is
 *     dropped alone;
 *   - the datagram may not pass 65535 bytes of IP packet.
 * Queues are also kept in arrival order, so one ktimer (armed for the
 * oldest) serves them all and expiry costs nothing per fragment.
 *
 * Locking: sentry_lock, as all of netstack.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../sentry/host/host.h"
#include "../../sentry/mm/memfile.h"
#include "ip.h"

#define FRAG_BUCKETS 256

struct frag_queue {
	struct frag_queue *hnext;        /* the hash chain */
	struct frag_queue *older, *newer; /* arrival order (the namespace's frag_oldest/frag_newest) */
	struct netns *ns;
	struct net_frag_key key;
	uint64_t expires_ns;
	struct pkb *frags;      /* sorted by offset; cb[0] the offset, cb[1] the end */
	struct pkb *last;       /* the one with the highest end (appends are the common case) */
	size_t total;           /* the datagram's payload length once its last fragment came, else 0 */
	size_t have;            /* payload bytes held */
	size_t mem;             /* truesize of the fragments held */
	int got_last;
};

/* The per-namespace state lives in struct netns (frag_*); the hash seed is the sentry's. */
static uint32_t seed;

static uint32_t key_hash(const struct net_frag_key *k)
{
	uint32_t h = seed ^ k->id ^ ((uint32_t)k->protocol << 24) ^ ((uint32_t)k->v6 << 16);
	int i;

	for (i = 0; i < 4; i++) {
		h = (h ^ k->src.s6_addr32[i]) * 0x9e3779b1u;
		h = (h ^ k->dst.s6_addr32[i]) * 0x85ebca77u;
	}
	return (h ^ (h >> 15)) % FRAG_BUCKETS;
}

static void count(struct netns *ns, int v6, int v4_mib, int v6_mib)
{
	ns->mib[v6 ? v6_mib : v4_mib]++;
}

#define COUNT(ns, v6, name) count(ns, v6, NET_MIB_Ip_##name, NET_MIB_Ip6_##name)

static void arm(struct netns *ns);

/* Takes q off every list and frees it with its fragments. */
static void destroy(struct frag_queue *q)
{
	struct netns *ns = q->ns;
	struct frag_queue **pp = &ns->frag_hash[key_hash(&q->key)];
	struct pkb *p, *n;

	while (*pp && *pp != q)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = q->hnext;
	if (q->older)
		q->older->newer = q->newer;
	else
		ns->frag_oldest = q->newer;
	if (q->newer)
		q->newer->older = q->older;
	else
		ns->frag_newest = q->older;
	for (p = q->frags; p; p = n) {
		n = p->next;
		pkb_free(p);
	}
	ns->frag_mem -= q->mem + sizeof(*q);
	ns->frag_queues--;
	mf_uncharge(sizeof(*q));
	free(q);
}

/* The queue failed: counted, dropped. */
static void fail(struct frag_queue *q)
{
	COUNT(q->ns, q->key.v6, ReasmFails);
	destroy(q);
}

static void expire(struct ktimer *k)
{
	net_frag_expire(k->arg, host_monotonic_ns());
}

void net_frag_expire(struct netns *ns, uint64_t now)
{
	while (ns->frag_oldest && ns->frag_oldest->expires_ns <= now) {
		struct frag_queue *q = ns->frag_oldest;

		COUNT(ns, q->key.v6, ReasmTimeout);
		/* RFC 792 / 4443: only when the first fragment (offset 0) is there to quote. */
		if (q->frags && q->frags->cb[0] == 0)
			icmp_send_error(ns, q->frags, q->key.v6, NET_ICMP_REASM_TIMEOUT, 0);
		fail(q);
	}
	arm(ns);
}

/* The one timer: for the oldest queue, or off. */
static void arm(struct netns *ns)
{
	ns->frag_timer.fn = expire;
	ns->frag_timer.arg = ns;
	if (!ns->frag_oldest) {
		if (ns->frag_timer.deadline_ns)
			timer_cancel_locked(&ns->frag_timer);
		return;
	}
	if (ns->frag_timer.deadline_ns != ns->frag_oldest->expires_ns)
		timer_arm_locked(&ns->frag_timer, ns->frag_oldest->expires_ns, 0);
}

static struct frag_queue *find(struct netns *ns, const struct net_frag_key *k)
{
	uint32_t b;
	struct frag_queue *q;

	if (!seed) {
		if (host_getrandom(&seed, sizeof(seed)) != sizeof(seed))
			seed = (uint32_t)host_monotonic_ns();
		seed |= 1;
	}
	b = key_hash(k);
	for (q = ns->frag_hash[b]; q; q = q->hnext)
		if (!memcmp(&q->key, k, sizeof(*k)))
			return q;
	if (mf_charge(sizeof(*q)) < 0)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q) {
		mf_uncharge(sizeof(*q));
		return NULL;
	}
	q->ns = ns;
	q->key = *k;
	q->expires_ns = host_monotonic_ns() + NET_FRAG_TIMEOUT_NS;
	q->hnext = ns->frag_hash[b];
	ns->frag_hash[b] = q;
	q->older = ns->frag_newest;
	if (q->older)
		q->older->newer = q;
	else
		ns->frag_oldest = q;
	ns->frag_newest = q;
	ns->frag_mem += sizeof(*q);
	ns->frag_queues++;
	arm(ns);
	return q;
}

/*
 * Joins q's fragments into one packet: the header bytes of the first
 * (hlen of them, before its payload) and then every payload in order.
 */
static struct pkb *join(struct frag_queue *q, size_t *hlen)
{
	struct pkb *first = q->frags, *p, *out;
	size_t off;

	*hlen = first->nh_off;
	out = pkb_alloc(NET_MAX_HEADROOM, *hlen + q->total);
	if (!out)
		return NULL;
	memcpy(out->data, pkb_network(first), *hlen);
	off = *hlen;
	for (p = q->frags; p; p = p->next) {
		size_t s = (size_t)p->cb[0], e = (size_t)p->cb[1];

		memcpy(out->data + off, p->data, e - s);
		off += e - s;
	}
	out->dev = first->dev;
	out->proto = first->proto;
	out->flags = first->flags;
	out->tstamp_ns = q->frags->tstamp_ns;
	return out;
}

int net_frag_queue(struct netns *ns, const struct net_frag_key *k, struct pkb *p, size_t off, int more,
		   size_t max_payload, struct pkb **out, size_t *hlen)
{
	size_t end = off + p->len;
	struct frag_queue *q;
	struct pkb **pp, *prev = NULL;

	*out = NULL;
	COUNT(ns, k->v6, ReasmReqds);
	/* (A queue's own bytes counted as if each fragment made one: the bound holds either way.) */
	if (ns->frag_mem + pkb_truesize(p) + sizeof(*q) > NET_FRAG_HIGH_THRESH || end > max_payload) {
		COUNT(ns, k->v6, ReasmFails);
		pkb_free(p);
		return -ENOMEM;
	}
	q = find(ns, k);
	if (!q) {
		COUNT(ns, k->v6, ReasmFails);
		pkb_free(p);
		return -ENOMEM;
	}
	if (!more) {
		/* The last fragment: the length is known now, and nothing may lie past it. */
		if ((q->got_last && end != q->total) || (q->last && (size_t)q->last->cb[1] > end))
			goto corrupt;
		q->got_last = 1;
		q->total = end;
	} else if (q->got_last && end > q->total) {
		goto corrupt;
	}
	if (p->len == 0) { /* nothing to add (Linux keeps none either) */
		pkb_free(p);
		goto check;
	}
	p->cb[0] = off;
	p->cb[1] = end;
	if (q->last && (size_t)q->last->cb[1] <= off) {
		/* In order: after the last. */
		prev = q->last;
		pp = &q->last->next;
	} else {
		for (pp = &q->frags; *pp && (size_t)(*pp)->cb[0] < off; pp = &(*pp)->next)
			prev = *pp;
		if (*pp && (size_t)(*pp)->cb[0] == off && (size_t)(*pp)->cb[1] == end) {
			pkb_free(p); /* an exact duplicate: dropped alone */
			return 0;
		}
		if ((prev && (size_t)prev->cb[1] > off) || (*pp && (size_t)(*pp)->cb[0] < end))
			goto corrupt;
		if (prev && (size_t)prev->cb[0] == off)
			goto corrupt;
	}
	p->next = *pp;
	*pp = p;
	if (!p->next)
		q->last = p;
	q->have += end - off;
	q->mem += pkb_truesize(p);
	ns->frag_mem += pkb_truesize(p);
check:
	if (!q->got_last || q->have != q->total || !q->frags || q->frags->cb[0] != 0)
		return 0;
	*out = join(q, hlen);
	if (!*out) {
		fail(q);
		return -ENOMEM;
	}
	COUNT(ns, k->v6, ReasmOKs);
	destroy(q);
	arm(ns);
	return 1;
corrupt:
	pkb_free(p);
	fail(q);
	arm(ns);
	return -EINVAL;
}

void net_frag_flush(struct netns *ns)
{
	while (ns->frag_oldest)
		destroy(ns->frag_oldest);
	arm(ns);
}
