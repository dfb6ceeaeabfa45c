/*
 * A file's pages by index: a sparse radix tree of memory-file frame
 * offsets (MF_NONE for a hole), 512 slots a node, as tall as the highest
 * index needs.  Memory follows the pages present, not the file's size: a
 * byte written at offset 2^50 costs one path of nodes, where a flat array
 * would cost gigabytes (tmpfs's fallocate at a large offset once did).
 * A file of a few pages has a root leaf of FPAGES_SMALL slots (64 bytes,
 * not a node's 4 KiB: a sandbox caches many small files), grown to a whole
 * node when a later page needs it.
 * No locking of its own: used under the sentry lock, as the file is.
 */
#pragma once

#include <stdint.h>

#define FPAGES_SMALL 8

struct fpages {
	void *root;      /* NULL: no page at all */
	unsigned height; /* levels below root; a leaf (height 0) holds frames */
	unsigned small;  /* the root is a leaf of this many slots (FPAGES_SMALL); 0: of a whole node's */
};

/* Page i's frame, or MF_NONE. */
uint64_t fpages_get(const struct fpages *p, uint64_t i);
/*
 * The slot of page i, made (MF_NONE) if absent: NULL when out of memory.
 * Setting a slot back to MF_NONE leaves its nodes until fpages_free.  The
 * pointer holds until fpages_free, or a call for a higher index that grows
 * a small root leaf (so take the highest of several slots first).
 */
uint64_t *fpages_slot(struct fpages *p, uint64_t i);
/*
 * Calls fn on each page from first on that holds a frame, in index order,
 * with its slot (fn may clear it); stops when fn returns nonzero.
 */
void fpages_each(struct fpages *p, uint64_t first, int (*fn)(uint64_t i, uint64_t *slot, void *ctx), void *ctx);
/* The first index >= i below end whose page holds a frame (data) or not (hole); end if none. */
uint64_t fpages_next(const struct fpages *p, uint64_t i, uint64_t end, int data);
/* Frees the nodes (the frames are the caller's to put first); p is empty again. */
void fpages_free(struct fpages *p);
