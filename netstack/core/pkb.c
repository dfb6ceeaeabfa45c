/*
 * Packet buffers (netstack.h).  The bytes live in a pkb_shared with a
 * reference count, so a clone costs a small struct and no copy.  Every
 * buffer is charged to the sandbox's memory (mf_charge), as Linux charges
 * socket buffers to the memory cgroup: a flood of packets is bounded by
 * --memory and by each socket's SO_RCVBUF.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../../sentry/mm/memfile.h"
#include "../netstack.h"

struct pkb_shared {
	int refs;
	size_t size;
	unsigned char mem[];
};

struct pkb *pkb_alloc(size_t headroom, size_t len)
{
	size_t size = headroom + len;
	struct pkb_shared *b;
	struct pkb *p;

	if (size < len || size > (1u << 20))
		return NULL;
	if (mf_charge(sizeof(*b) + size + sizeof(*p)) < 0)
		return NULL;
	b = malloc(sizeof(*b) + size);
	p = calloc(1, sizeof(*p));
	if (!b || !p) {
		free(b);
		free(p);
		mf_uncharge(sizeof(*b) + size + sizeof(*p));
		return NULL;
	}
	b->refs = 1;
	b->size = size;
	p->buf = b;
	p->data = b->mem + headroom;
	p->len = len;
	return p;
}

struct pkb *pkb_clone(struct pkb *p)
{
	struct pkb *c;

	if (mf_charge(sizeof(*c)) < 0)
		return NULL;
	c = malloc(sizeof(*c));
	if (!c) {
		mf_uncharge(sizeof(*c));
		return NULL;
	}
	*c = *p;
	c->next = NULL;
	p->buf->refs++;
	return c;
}

void pkb_free(struct pkb *p)
{
	if (!p)
		return;
	if (--p->buf->refs == 0) {
		mf_uncharge(sizeof(*p->buf) + p->buf->size);
		free(p->buf);
	}
	mf_uncharge(sizeof(*p));
	free(p);
}

void *pkb_push(struct pkb *p, size_t n)
{
	if ((size_t)(p->data - p->buf->mem) < n)
		return NULL;
	p->data -= n;
	p->len += n;
	p->nh_off = (uint16_t)(p->nh_off > n ? p->nh_off - n : 0);
	return p->data;
}

void *pkb_pull(struct pkb *p, size_t n)
{
	if (p->len < n)
		return NULL;
	p->data += n;
	p->len -= n;
	p->nh_off = (uint16_t)(p->nh_off + n);
	return p->data;
}

void pkb_trim(struct pkb *p, size_t n)
{
	if (n < p->len)
		p->len = n;
}

/* How many bytes p holds in memory (its share of the buffer): what a socket's SO_RCVBUF is charged. */
size_t pkb_truesize(const struct pkb *p)
{
	/*
	 * The buffer plus Linux's per-skb overhead (struct sk_buff and
	 * skb_shared_info, about 576 bytes), so that SO_RCVBUF holds about
	 * as many datagrams here as there: programs size it for Linux.
	 */
	return p->buf->size + 576;
}
