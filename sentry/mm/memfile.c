/* The memory file's frame allocator (see memfile.h). */
#define _GNU_SOURCE
#include "memfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/mman.h>

#include "../host/host.h"
#include "../log.h"

struct memfile mf;

int mf_init(uint64_t size)
{
	long fd;
	void *p;

	size &= ~4095ULL;
	fd = host_memfd_create("cvisor-memory", MFD_CLOEXEC);
	if (fd < 0)
		return (int)fd;
	if (host_ftruncate((int)fd, (off_t)size) < 0)
		return -ENOMEM;
	p = host_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, (int)fd, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	mf.fd = (int)fd;
	mf.base = p;
	mf.size = size;
	mf.nframes = size / 4096;
	/* Metadata is touched lazily, so a large limit costs little until used. */
	mf.bitmap = host_mmap(NULL, (mf.nframes + 63) / 64 * 8, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mf.dirty = host_mmap(NULL, (mf.nframes + 63) / 64 * 8, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mf.refs = host_mmap(NULL, mf.nframes * 4, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mf.bitmap == MAP_FAILED || mf.refs == MAP_FAILED || mf.dirty == MAP_FAILED)
		return -ENOMEM;
	return 0;
}

static inline int used(uint64_t i)
{
	return (int)((mf.bitmap[i / 64] >> (i % 64)) & 1);
}

static uint64_t find_run(uint64_t from, uint64_t to, size_t n)
{
	uint64_t i = from, run = 0;

	while (i < to) {
		/* Skip whole words that are full. */
		if (i % 64 == 0 && mf.bitmap[i / 64] == UINT64_MAX) {
			i += 64;
			run = 0;
			continue;
		}
		if (used(i)) {
			run = 0;
		} else if (++run == n) {
			return i + 1 - n;
		}
		i++;
	}
	return MF_NONE;
}

uint64_t mf_alloc(size_t n)
{
	uint64_t start, i;

	if (n == 0 || mf.used + n > mf.nframes)
		return MF_NONE;
	start = find_run(mf.hint, mf.nframes, n);
	if (start == MF_NONE)
		start = find_run(0, mf.hint + n < mf.nframes ? mf.hint + n : mf.nframes, n);
	if (start == MF_NONE)
		return MF_NONE;
	for (i = start; i < start + n; i++) {
		mf.bitmap[i / 64] |= 1ULL << (i % 64);
		mf.refs[i] = 1;
		if (mf.dirty[i / 64] & (1ULL << (i % 64))) {
			/* Freed but not given back yet: it still holds its old contents. */
			mf.dirty[i / 64] &= ~(1ULL << (i % 64));
			mf.ndirty--;
			memset(mf_ptr(i * 4096), 0, 4096);
		}
	}
	mf.used += n;
	mf.hint = start + n;
	/* Other frames were hole-punched, or never written: they read as zero. */
	return start * 4096;
}

long mf_fill(uint64_t off, int fd, uint64_t pos, size_t len)
{
	off_t at = (off_t)pos;
	long r = host_lseek(mf.fd, (off_t)off, SEEK_SET);

	while (r >= 0 && len) {
		r = host_sendfile(mf.fd, fd, &at, len);
		if (r <= 0)
			break; /* the end of the file: the rest is zero already */
		len -= (size_t)r;
	}
	return r < 0 ? r : 0;
}

static void (*reclaimer)(void);

void mf_set_reclaim(void (*fn)(void))
{
	reclaimer = fn;
}

int mf_reclaim(void)
{
	uint64_t before = mf.used;

	if (reclaimer)
		reclaimer();
	return mf.used < before;
}

/* Pages of the budget that bytes of charged memory take. */
static uint64_t charged_pages(uint64_t bytes)
{
	return (bytes + 4095) / 4096;
}

int mf_charge(size_t bytes)
{
	uint64_t more = charged_pages(mf.charged + bytes) - charged_pages(mf.charged);

	if (mf.used + more > mf.nframes && (!mf_reclaim() || mf.used + more > mf.nframes))
		return -ENOMEM;
	mf.used += more;
	mf.charged += bytes;
	return 0;
}

void mf_uncharge(size_t bytes)
{
	uint64_t fewer = charged_pages(mf.charged) - charged_pages(mf.charged - bytes);

	mf.used -= fewer;
	mf.charged -= bytes;
}

void mf_get(uint64_t off)
{
	mf.refs[off / 4096]++;
}

uint32_t mf_refs(uint64_t off)
{
	return mf.refs[off / 4096];
}

void mf_put(uint64_t off)
{
	uint64_t i = off / 4096;

	if (mf.refs[i] == 0)
		die("memory file: frame %#lx freed twice", (unsigned long)off);
	if (--mf.refs[i])
		return;
	mf.bitmap[i / 64] &= ~(1ULL << (i % 64));
	mf.used--;
	/*
	 * Freed pages go back to the host in batches (a hole punch per page
	 * was a large part of a short sandbox's cost); until then a reused
	 * page is zeroed by mf_alloc.
	 */
	mf.dirty[i / 64] |= 1ULL << (i % 64);
	if (++mf.ndirty >= MF_DIRTY_BATCH)
		mf_release_freed();
}

void mf_release_freed(void)
{
	uint64_t w, nwords = (mf.nframes + 63) / 64;

	for (w = 0; w < nwords && mf.ndirty; w++) {
		uint64_t bits = mf.dirty[w];

		while (bits) {
			/* A run of dirty frames within this word: one punch. */
			unsigned lo = (unsigned)__builtin_ctzll(bits), hi = lo;

			while (hi < 64 && (bits >> hi) & 1)
				hi++;
			host_fallocate(mf.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				       (off_t)((w * 64 + lo) * 4096), (off_t)((hi - lo) * 4096));
			bits &= hi == 64 ? 0 : ~((1ULL << hi) - 1);
			mf.ndirty -= hi - lo;
		}
		mf.dirty[w] = 0;
	}
}
