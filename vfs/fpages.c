/* A file's pages by index: see fpages.h. */
#include <stdlib.h>

#include "../sentry/mm/memfile.h"
#include "fpages.h"

#define BITS 9
#define FANOUT (1u << BITS)
/* Page indices stay below 2^63 (file offsets are below 2^63): six levels above the leaves at most. */
#define MAX_HEIGHT 6

/* Can a tree of height h hold index i? */
static int fits(uint64_t i, unsigned h)
{
	return (i >> (BITS * (h + 1))) == 0;
}

/* leaf (NULL: a new one) resized from slots to n slots, the new ones empty (MF_NONE); NULL if it cannot be. */
static uint64_t *leaf_resize(uint64_t *leaf, unsigned from, unsigned n)
{
	uint64_t *l = realloc(leaf, n * sizeof(uint64_t));

	if (l)
		for (; from < n; from++)
			l[from] = MF_NONE;
	return l;
}

static void *new_node(unsigned h)
{
	return h ? calloc(FANOUT, sizeof(void *)) : leaf_resize(NULL, 0, FANOUT);
}

/* How many indices the tree holds. */
static uint64_t span_of(const struct fpages *p)
{
	return p->small ? p->small : 1ULL << (BITS * (p->height + 1));
}

/* A small root leaf becomes a whole one (for index i past it, or a taller tree): 0, or -1. */
static int grow_small(struct fpages *p)
{
	uint64_t *leaf = leaf_resize(p->root, p->small, FANOUT);

	if (!leaf)
		return -1;
	p->root = leaf;
	p->small = 0;
	return 0;
}

uint64_t fpages_get(const struct fpages *p, uint64_t i)
{
	void *n = p->root;
	unsigned h = p->height;

	if (!n || !fits(i, h) || (p->small && i >= p->small))
		return MF_NONE;
	for (; h; h--) {
		n = ((void **)n)[(i >> (BITS * h)) & (FANOUT - 1)];
		if (!n)
			return MF_NONE;
	}
	return ((uint64_t *)n)[i & (FANOUT - 1)];
}

uint64_t *fpages_slot(struct fpages *p, uint64_t i)
{
	void *n;
	unsigned h;

	if (i >> 63)
		return NULL;
	if (!p->root && i < FPAGES_SMALL) {
		uint64_t *leaf = leaf_resize(NULL, 0, FPAGES_SMALL);

		if (!leaf)
			return NULL;
		p->root = leaf;
		p->height = 0;
		p->small = FPAGES_SMALL;
	}
	if (p->small && i >= p->small && grow_small(p) < 0)
		return NULL;
	if (!p->root) {
		for (h = 0; !fits(i, h); h++)
			;
		p->root = new_node(h);
		if (!p->root)
			return NULL;
		p->height = h;
	}
	while (!fits(i, p->height)) {
		void **top = new_node(p->height + 1);

		if (!top)
			return NULL;
		top[0] = p->root;
		p->root = top;
		p->height++;
	}
	n = p->root;
	for (h = p->height; h; h--) {
		void **s = &((void **)n)[(i >> (BITS * h)) & (FANOUT - 1)];

		if (!*s && !(*s = new_node(h - 1)))
			return NULL;
		n = *s;
	}
	return &((uint64_t *)n)[i & (FANOUT - 1)];
}

static int each(void *n, unsigned h, uint64_t base, uint64_t first, int (*fn)(uint64_t, uint64_t *, void *),
		void *ctx)
{
	uint64_t span = 1ULL << (BITS * h);
	uint64_t k = first > base ? (first - base) / span : 0;

	for (; k < FANOUT; k++) {
		if (!h) {
			uint64_t *slot = &((uint64_t *)n)[k];

			if (*slot != MF_NONE && fn(base + k, slot, ctx))
				return 1;
		} else if (((void **)n)[k] && each(((void **)n)[k], h - 1, base + k * span, first, fn, ctx)) {
			return 1;
		}
	}
	return 0;
}

void fpages_each(struct fpages *p, uint64_t first, int (*fn)(uint64_t i, uint64_t *slot, void *ctx), void *ctx)
{
	uint64_t k;

	if (p->small) {
		for (k = first; k < p->small; k++)
			if (((uint64_t *)p->root)[k] != MF_NONE && fn(k, &((uint64_t *)p->root)[k], ctx))
				return;
		return;
	}
	if (p->root && fits(first, p->height))
		each(p->root, p->height, 0, first, fn, ctx);
}

/* The first index in [max(i, base), end) of the subtree n (height h, from base) that is data or a hole; end if none. */
static uint64_t next(const void *n, unsigned h, uint64_t base, uint64_t i, uint64_t end, int data)
{
	uint64_t span = 1ULL << (BITS * h);
	uint64_t k = i > base ? (i - base) / span : 0;

	if (!n)
		return data ? end : (i > base ? i : base);
	for (; k < FANOUT; k++) {
		uint64_t lo = base + k * span, r;

		if (lo >= end)
			return end;
		if (!h) {
			if ((((const uint64_t *)n)[k] != MF_NONE) == data)
				return lo;
			continue;
		}
		r = next(((void *const *)n)[k], h - 1, lo, i, end, data);
		if (r < end)
			return r;
	}
	return end;
}

uint64_t fpages_next(const struct fpages *p, uint64_t i, uint64_t end, int data)
{
	uint64_t cap, r;

	if (i >= end)
		return end;
	if (!p->root)
		return data ? end : i;
	cap = span_of(p);
	if (i >= cap)
		return data ? end : i;
	if (p->small) {
		for (r = i; r < cap && r < end; r++)
			if ((((const uint64_t *)p->root)[r] != MF_NONE) == data)
				return r;
		return r < end && !data ? r : end;
	}
	r = next(p->root, p->height, 0, i, end, data);
	if (r == end && !data && cap < end)
		return cap; /* past what the tree holds: holes */
	return r < end ? r : end;
}

static void free_node(void *n, unsigned h)
{
	unsigned k;

	if (h)
		for (k = 0; k < FANOUT; k++)
			if (((void **)n)[k])
				free_node(((void **)n)[k], h - 1);
	free(n);
}

void fpages_free(struct fpages *p)
{
	if (p->root)
		free_node(p->root, p->height);
	p->root = NULL;
	p->height = 0;
	p->small = 0;
}
