/*
 * The memory file: one memfd per sandbox that backs every byte of
 * application memory and every tmpfs page.  The sentry maps all of it once,
 * so a frame's contents are at mf_ptr(off); the platform maps frames into the
 * application's address space by offset.
 *
 * Frames are 4 KiB pages named by their byte offset in the file.  Each has a
 * reference count: a frame shared by two mappings (fork, a MAP_SHARED file
 * page) is freed when the last reference goes.  Runs of frames are allocated
 * contiguous when possible so one host mmap can mirror many pages.
 *
 * Locking: the sentry lock protects the allocator and the counts.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MF_NONE UINT64_MAX

struct memfile {
	int fd;
	uint8_t *base;     /* the whole file, mapped MAP_SHARED in the sentry */
	uint64_t size;     /* bytes: the sandbox's memory limit */
	uint64_t nframes;
	uint64_t used;     /* frames with a reference, and the pages charged (mf_charge) */
	uint64_t charged;  /* bytes of sentry memory charged to the budget */
	uint64_t hint;     /* next-fit search start, a frame index */
	uint64_t *bitmap;  /* 1 = in use */
	uint64_t *dirty;   /* 1 = free but not yet given back to the host: zeroed when reused */
	uint64_t ndirty;
	uint32_t *refs;
};

extern struct memfile mf;

int mf_init(uint64_t size);
/* n contiguous zeroed frames, each with one reference; MF_NONE when full. */
uint64_t mf_alloc(size_t n);
void mf_get(uint64_t off);
/* Drops a reference; the frame is freed (and its host memory released) at zero. */
void mf_put(uint64_t off);
uint32_t mf_refs(uint64_t off);
/*
 * Sentry memory the application makes the sentry hold (a pipe's buffer, a
 * socket's queued messages) counts against the same budget as its pages,
 * as Linux charges such memory to the memory cgroup: mf_charge takes bytes
 * from the budget (0, or -ENOMEM when they do not fit), mf_uncharge gives
 * them back.
 */
int mf_charge(size_t bytes);
void mf_uncharge(size_t bytes);
/*
 * What can be given back when the file is full (cached file pages no
 * mapping holds), as Linux reclaims before its OOM killer.  The reclaimer
 * is set once at start-up; mf_reclaim runs it and says whether any frame
 * came free.  Called only where no call into the reclaimer's own file
 * system is in flight (a page fault, a tmpfs write, a charge).
 */
void mf_set_reclaim(void (*fn)(void));
int mf_reclaim(void);
/*
 * Fills the len bytes of fresh frames at off with host file fd's bytes
 * from pos, by the host kernel: the sentry's own mapping of the frames is
 * not touched, which costs a host page fault per frame at its first touch
 * (about half of what reading a page into the cache cost).  Past the
 * file's end the frames stay zero.  Under the sentry lock (it moves the
 * memory file's offset, which nothing else uses).  0 or -errno.
 */
long mf_fill(uint64_t off, int fd, uint64_t pos, size_t len);
/* Gives every freed page back to the host now (mf_put does so in batches of MF_DIRTY_BATCH). */
void mf_release_freed(void);
#define MF_DIRTY_BATCH 4096

static inline void *mf_ptr(uint64_t off)
{
	return mf.base + off;
}
