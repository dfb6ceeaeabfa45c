/*
 * The memory manager (see mm.h).
 *
 * Page table: four levels of 512 entries over the 47-bit user range, like
 * x86's.  A leaf is a memory-file offset with flag bits below the page:
 *   PTE_P    present: the frame is ours (one reference per present entry)
 *   PTE_COW  the frame may be shared: map it without write, copy on write
 * Populated pages are mirrored to the platform with the VMA's protection
 * (write removed while COW).
 */
#define _GNU_SOURCE
#include "mm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "../../platform/platform.h"
#include "../../vfs/vfs.h"
#include "../log.h"
#include "memfile.h"

#define PTE_P 1ULL
#define PTE_COW 2ULL
#define PTE_FRAME(e) ((e) & ~4095ULL)

#define PAGE ABI_PAGE_SIZE
#define PGDOWN(x) ((x) & ABI_PAGE_MASK)

/*
 * Populating: this many pages around a fault, aligned, as one run.  File
 * pages take Linux's fault_around_bytes (64 KiB): 32 read and held about
 * 190 KiB more of an idle busybox sandbox's memory file, and were no
 * faster at start (do /bin/true, python3 -c pass, interleaved medians).
 */
#define FAULT_AROUND_ANON 16
#define FAULT_AROUND_FILE 16
#define FAULT_AROUND_COW 32 /* pages of a private file mapping copied around a write's (cow_around) */

/* Set at start-up; here, in the lowest layer that runs through it (platform.h). */
const struct platform *plat;

/*
 * The platform's mirror of mm, changed along with it.  A child of fork has
 * none until its own thread attaches it (mm_attach), and another process
 * may reach its memory before that (process_vm_writev, ptrace): the mm
 * alone changes then, and mm_attach mirrors what it holds by then.
 */
static void mirror_map(struct mm *mm, gva_t va, uint64_t len, uint64_t frame, int prot)
{
	if (mm->as)
		plat->as_map(mm->as, va, len, frame, prot);
}

static void mirror_unmap(struct mm *mm, gva_t va, uint64_t len)
{
	if (mm->as)
		plat->as_unmap(mm->as, va, len);
}

static void mirror_protect(struct mm *mm, gva_t va, uint64_t len, int prot)
{
	if (mm->as)
		plat->as_protect(mm->as, va, len, prot);
}

/* A frame mm no longer maps: released once the mirror's unmap of it has taken effect. */
static void mirror_put(struct mm *mm, uint64_t frame)
{
	if (mm->as)
		plat->as_defer_put(mm->as, frame);
	else
		mf_put(frame);
}
const struct mm_file_ops *mm_file_ops;
void (*mm_aio_exit)(struct mm *mm);

struct ptnode {
	void *e[512];
};

static inline unsigned idx(gva_t va, int level)
{
	return (unsigned)((va >> (12 + 9 * level)) & 511);
}

/* The leaf entry for va; NULL if absent and !create (or out of memory). */
static uint64_t *pte(struct mm *mm, gva_t va, int create)
{
	struct ptnode *n;
	int level;

	if (!mm->pt) {
		if (!create)
			return NULL;
		mm->pt = calloc(1, sizeof(struct ptnode));
		if (!mm->pt)
			return NULL;
	}
	n = mm->pt;
	for (level = 3; level > 0; level--) {
		void **slot = &n->e[idx(va, level)];

		if (!*slot) {
			if (!create)
				return NULL;
			*slot = calloc(1, sizeof(struct ptnode));
			if (!*slot)
				return NULL;
		}
		n = *slot;
	}
	return (uint64_t *)&n->e[idx(va, 0)];
}

/* Calls fn for each present entry in [start, end), skipping empty subtrees. */
static void pt_walk(struct mm *mm, struct ptnode *n, int level, gva_t base, gva_t start, gva_t end,
		    void (*fn)(struct mm *, gva_t, uint64_t *, void *), void *arg)
{
	uint64_t span = 1ULL << (12 + 9 * level);
	unsigned i, first, last;

	/*
	 * Only the entries that [start, end) reaches: a walk of a one-page
	 * VMA looked at all 512 of each level, and fork walks every VMA a few
	 * times (4% of a fork+exec loop's time, by perf).
	 */
	if (end <= base || start >= base + 512 * span)
		return;
	first = start > base ? (unsigned)((start - base) / span) : 0;
	last = end - base >= 512 * span ? 512 : (unsigned)((end - base + span - 1) / span);
	for (i = first; i < last; i++) {
		gva_t lo = base + i * span, hi = lo + span;

		if (hi <= start || lo >= end || !n->e[i])
			continue;
		if (level == 0)
			fn(mm, lo, (uint64_t *)&n->e[i], arg);
		else
			pt_walk(mm, n->e[i], level - 1, lo, start, end, fn, arg);
	}
}

static void pt_free(struct ptnode *n, int level)
{
	unsigned i;

	if (level > 0)
		for (i = 0; i < 512; i++)
			if (n->e[i])
				pt_free(n->e[i], level - 1);
	free(n);
}

static void for_each_pte(struct mm *mm, gva_t start, gva_t end, void (*fn)(struct mm *, gva_t, uint64_t *, void *),
			 void *arg)
{
	if (mm->pt)
		pt_walk(mm, mm->pt, 3, 0, start, end, fn, arg);
}

/* ---- VMAs ---- */

/* Index of the first VMA with end > va (nvmas if none). */
static size_t vma_search(struct mm *mm, gva_t va)
{
	size_t lo = 0, hi = mm->nvmas;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (mm->vmas[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct vma *vma_find(struct mm *mm, gva_t va)
{
	size_t i = vma_search(mm, va);

	if (i < mm->nvmas && mm->vmas[i].start <= va)
		return &mm->vmas[i];
	return NULL;
}

static int vma_insert_at(struct mm *mm, size_t i, const struct vma *v)
{
	if (mm->nvmas == mm->capvmas) {
		size_t cap = mm->capvmas ? mm->capvmas * 2 : 32;
		struct vma *n = realloc(mm->vmas, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		mm->vmas = n;
		mm->capvmas = cap;
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nvmas - i) * sizeof(*v));
	mm->vmas[i] = *v;
	mm->vmas[i].name = v->name ? strdup(v->name) : NULL;
	mm->nvmas++;
	if (v->inode)
		mm_file_ops->get(v->inode);
	return 0;
}

/* Removes the n VMAs from i on, with one move of the rest (an unmap may take tens of thousands). */
static void vma_remove_n(struct mm *mm, size_t i, size_t n)
{
	size_t k;

	if (!n)
		return; /* and vmas may be NULL yet */
	for (k = i; k < i + n; k++) {
		if (mm->vmas[k].inode)
			mm_file_ops->put(mm->vmas[k].inode);
		free(mm->vmas[k].name);
	}
	memmove(&mm->vmas[i], &mm->vmas[i + n], (mm->nvmas - i - n) * sizeof(struct vma));
	mm->nvmas -= n;
}

static void vma_remove_at(struct mm *mm, size_t i)
{
	vma_remove_n(mm, i, 1);
}

/*
 * Splits the VMA containing va so that one starts exactly at va.  Past
 * vm.max_map_count only when unlimited (an unmap that leaves no more
 * mappings than it found, which Linux lets go over for a moment).
 */
static int vma_split_limited(struct mm *mm, gva_t va, int limited)
{
	size_t i = vma_search(mm, va);
	struct vma tail;

	if (i == mm->nvmas || mm->vmas[i].start >= va)
		return 0;
	if (limited && mm->nvmas >= MM_MAX_MAP_COUNT)
		return -ENOMEM;
	tail = mm->vmas[i];
	tail.off += va - tail.start;
	tail.start = va;
	mm->vmas[i].end = va;
	return vma_insert_at(mm, i + 1, &tail);
}

static int vma_split(struct mm *mm, gva_t va)
{
	return vma_split_limited(mm, va, 1);
}

/* Can b, which follows a, be one VMA with it (Linux's is_mergeable_vma, and contiguous file offsets)? */
static int vma_mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->maxprot != b->maxprot || a->flags != b->flags ||
	    a->inode != b->inode || a->special != b->special)
		return 0;
	if ((a->inode || a->special) && a->off + (a->end - a->start) != b->off)
		return 0;
	return a->name == b->name || (a->name && b->name && !strcmp(a->name, b->name));
}

/*
 * Merges the VMAs in [start, end) and the ones on either side of it with
 * their neighbours where they can be one.  The pages are the page table's,
 * not the VMAs', so only the ranges change.
 */
static void vma_merge_range(struct mm *mm, gva_t start, gva_t end)
{
	size_t i = vma_search(mm, start);

	if (i > 0)
		i--;
	while (i + 1 < mm->nvmas && mm->vmas[i].start <= end) {
		if (vma_mergeable(&mm->vmas[i], &mm->vmas[i + 1])) {
			mm->vmas[i].end = mm->vmas[i + 1].end;
			vma_remove_at(mm, i + 1);
		} else {
			i++;
		}
	}
}

/* Effective protection of a present page on the platform. */
static int page_prot(const struct vma *v, uint64_t e)
{
	int prot = v->prot;

	if (e & PTE_COW)
		prot &= ~PROT_WRITE;
	return prot;
}

/* ---- Create / destroy ---- */

static struct mm *all_mms;

static void mm_link(struct mm *mm)
{
	mm->all_prev = NULL;
	mm->all_next = all_mms;
	if (all_mms)
		all_mms->all_prev = mm;
	all_mms = mm;
}

static void mm_unlink(struct mm *mm)
{
	if (mm->all_prev)
		mm->all_prev->all_next = mm->all_next;
	else
		all_mms = mm->all_next;
	if (mm->all_next)
		mm->all_next->all_prev = mm->all_prev;
}

struct mm *mm_create(int *err)
{
	struct mm *mm = calloc(1, sizeof(*mm));

	if (!mm) {
		*err = -ENOMEM;
		return NULL;
	}
	mm->as = plat->as_create(err);
	if (!mm->as) {
		free(mm);
		return NULL;
	}
	mm->limit = plat->user_limit;
	mm->refs = 1;
	mm_link(mm);
	return mm;
}

static void drop_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	(void)va;
	(void)arg;
	if (*e & PTE_P) {
		mirror_put(mm, PTE_FRAME(*e));
		mm->rss_pages--;
	}
	*e = 0;
}

/* Releases at once: only once the platform mirror is gone. */
static void free_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	(void)mm;
	(void)va;
	(void)arg;
	if (*e & PTE_P)
		mf_put(PTE_FRAME(*e));
	*e = 0;
}

/* Sets mm's program to p and its inode ino (NULL: p's own), each held anew, or none. */
static long set_exe(struct mm *mm, const struct path *p, struct inode *ino)
{
	struct path *n = NULL;
	struct inode *ni = NULL;

	if (p && mm_file_ops && mm_file_ops->path_get) {
		n = malloc(sizeof(*n));
		if (!n)
			return -ENOMEM;
		*n = *p;
		mm_file_ops->path_get(n);
		ni = mm_file_ops->exe_hold(n, ino);
	}
	if (mm->exe) {
		mm_file_ops->exe_release(mm->exe_ino);
		mm_file_ops->path_put(mm->exe);
		free(mm->exe);
	}
	mm->exe = n;
	mm->exe_ino = ni;
	return 0;
}

long mm_set_exe(struct mm *mm, const struct path *p)
{
	return set_exe(mm, p, NULL);
}

void mm_put(struct mm *mm)
{
	if (--mm->refs)
		return;
	mm_unlink(mm);
	if (mm->aio && mm_aio_exit)
		mm_aio_exit(mm);
	mm_set_exe(mm, NULL);
	/* Destroying the platform side first means the frames can go at once. */
	if (mm->as)
		plat->as_destroy(mm->as);
	mm->as = NULL;
	if (mm->pt) {
		for_each_pte(mm, 0, mm->limit, free_page, NULL);
		pt_free(mm->pt, 3);
	}
	while (mm->nvmas)
		vma_remove_at(mm, mm->nvmas - 1);
	free(mm->vmas);
	free(mm);
}

/* ---- Unmapping ---- */

struct unmap_state {
	int any;
};

static void unmap_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct unmap_state *s = arg;

	if (*e & PTE_P)
		s->any = 1;
	drop_page(mm, va, e, NULL);
}

/* Removes pages and VMAs in [start, end); both page-aligned. */
static int unmap_range(struct mm *mm, gva_t start, gva_t end)
{
	struct unmap_state s = {0};
	size_t i = vma_search(mm, start), n;

	/* Only a hole in one VMA leaves more mappings than before (Linux's munmap check). */
	if (i < mm->nvmas && mm->vmas[i].start < start && mm->vmas[i].end > end && mm->nvmas >= MM_MAX_MAP_COUNT)
		return -ENOMEM;
	if (vma_split_limited(mm, start, 0) < 0 || vma_split_limited(mm, end, 0) < 0)
		return -ENOMEM;
	for_each_pte(mm, start, end, unmap_page, &s);
	/* A mapping from the host's page cache is there on the host where no page is present, too. */
	i = vma_search(mm, start);
	for (n = 0; i + n < mm->nvmas && mm->vmas[i + n].start < end; n++)
		s.any |= mm->vmas[i + n].flags & VMA_HOSTMAP;
	if (s.any)
		mirror_unmap(mm, start, end - start);
	vma_remove_n(mm, i, n);
	return 0;
}

/* ---- Finding space ---- */

static int range_free(struct mm *mm, gva_t start, gva_t end)
{
	size_t i = vma_search(mm, start);

	return i == mm->nvmas || mm->vmas[i].start >= end;
}

/* Top-down search for len bytes below mmap_base, as Linux's default layout. */
static gva_t find_space(struct mm *mm, uint64_t len)
{
	gva_t top = mm->mmap_base;
	size_t i = vma_search(mm, top);

	/* Walk the gaps downwards from top. */
	for (;;) {
		gva_t lo = i == 0 ? MM_MIN_ADDR : mm->vmas[i - 1].end;
		gva_t hi = top;

		if (i < mm->nvmas && mm->vmas[i].start < hi)
			hi = mm->vmas[i].start;
		if (hi >= lo && hi - lo >= len)
			return hi - len;
		if (i == 0)
			return 0;
		i--;
		top = mm->vmas[i].start;
	}
}

/*
 * v, a private mapping of a file, from the host's page cache where its
 * file and the platform allow it: VMA_HOSTMAP set and the mapping queued,
 * or the flag cleared.
 */
static void hostmap_try(struct mm *mm, struct vma *v)
{
	int fd = mm->as && plat->as_map_file && mm_file_ops->host_map_fd ? mm_file_ops->host_map_fd(v->inode) : -1;

	if (fd < 0) {
		v->flags &= ~VMA_HOSTMAP;
		return;
	}
	plat->as_map_file(mm->as, v->start, v->end - v->start, fd, v->off, v->prot & ~PROT_WRITE);
	v->flags |= VMA_HOSTMAP;
}

long mm_mmap(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags, struct inode *inode, uint64_t off,
	     int maxprot)
{
	struct vma v;
	size_t i;

	if (len == 0)
		return -EINVAL;
	len = ABI_PAGE_ALIGN(len);
	if (len == 0 || len > mm->limit)
		return -ENOMEM;
	if (off & (PAGE - 1))
		return -EINVAL;
	if (mm->nvmas > MM_MAX_MAP_COUNT)
		return -ENOMEM;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE - 1))
			return -EINVAL;
		if (addr > mm->limit - len)
			return -ENOMEM;
		if (addr < MM_MIN_ADDR)
			return -EPERM;
		if (!(flags & MAP_FIXED) && !range_free(mm, addr, addr + len))
			return -EEXIST;
		if (unmap_range(mm, addr, addr + len) < 0)
			return -ENOMEM;
	} else {
		addr = PGDOWN(addr);
		if (addr < MM_MIN_ADDR || addr > mm->limit - len || !range_free(mm, addr, addr + len))
			addr = find_space(mm, len);
		if (!addr)
			return -ENOMEM;
	}
	v.start = addr;
	v.end = addr + len;
	v.prot = prot;
	v.maxprot = maxprot;
	v.flags = (flags & MAP_SHARED) ? VMA_SHARED : 0;
	if (!inode)
		v.flags |= VMA_ANON;
	if (flags & MAP_GROWSDOWN)
		v.flags |= VMA_GROWSDOWN;
	v.inode = inode;
	v.off = off;
	v.name = NULL;
	v.special = NULL;
	i = vma_search(mm, addr);
	if (vma_insert_at(mm, i, &v) < 0)
		return -ENOMEM;
	/* A read-only file of the root, privately: the host's page cache may serve it. */
	if (inode && !(flags & MAP_SHARED))
		hostmap_try(mm, &mm->vmas[i]);
	vma_merge_range(mm, addr, addr + len);
	return (long)addr;
}

/*
 * remap_file_pages(2), as Linux has done it since 4.0: the shared file
 * mapping at [start, start+size) is mapped again, the same way, from page
 * pgoff of its file.  The range may run over several mappings of the same
 * file that follow each other.
 */
long mm_remap_file_pages(struct mm *mm, gva_t start, uint64_t size, uint64_t pgoff)
{
	struct vma *v = start < mm->limit ? vma_find(mm, start) : NULL, *w;
	struct inode *ino;
	char *name = NULL;
	int prot, maxprot, locked;
	gva_t p;
	long r;

	if (!v || !(v->flags & VMA_SHARED) || !v->inode)
		return -EINVAL;
	for (p = v->end; p < start + size; p = w->end) {
		w = vma_find(mm, p);
		if (!w || w->start != p || w->inode != v->inode || w->flags != v->flags)
			return -EINVAL;
	}
	ino = v->inode;
	prot = v->prot;
	maxprot = v->maxprot;
	locked = v->flags & VMA_LOCKED;
	if (v->name && !(name = strdup(v->name)))
		return -ENOMEM;
	mm_file_ops->get(ino);
	r = mm_mmap(mm, start, size, prot, MAP_SHARED | MAP_FIXED, ino, pgoff * PAGE, maxprot);
	mm_file_ops->put(ino);
	if (r >= 0 && name)
		mm_set_name(mm, start, start + size, name);
	if (r >= 0 && locked)
		mm_mlock(mm, start, size, MM_MLOCK | MM_MLOCK_POPULATE);
	free(name);
	return r < 0 ? r : 0;
}

long mm_munmap(struct mm *mm, gva_t addr, uint64_t len)
{
	if ((addr & (PAGE - 1)) || len == 0)
		return -EINVAL;
	len = ABI_PAGE_ALIGN(len);
	if (addr >= mm->limit || len > mm->limit - addr)
		return -EINVAL;
	return unmap_range(mm, addr, addr + len);
}

static int populate(struct mm *mm, struct vma *v, gva_t va);

long mm_map_special(struct mm *mm, gva_t addr, const struct mm_special *sp, int prot, int maxprot)
{
	uint64_t len = sp->npages * PAGE;
	struct vma v = {.start = addr, .end = addr + len, .prot = prot, .maxprot = maxprot, .special = sp,
			.name = (char *)sp->name};
	gva_t p;
	int r;

	if (!len || (addr & (PAGE - 1)) || addr > mm->limit - len)
		return -EINVAL;
	if (unmap_range(mm, addr, addr + len) < 0 || vma_insert_at(mm, vma_search(mm, addr), &v) < 0)
		return -ENOMEM;
	/* Mapped now: every process reads them soon (glibc looks the vDSO up at start-up). */
	for (p = addr; p < addr + len; p += PAGE) {
		uint64_t *ent = pte(mm, p, 0);

		if (ent && (*ent & PTE_P))
			continue;
		r = populate(mm, vma_find(mm, p), p);
		if (r < 0)
			return r;
	}
	return 0;
}

void mm_set_name(struct mm *mm, gva_t start, gva_t end, const char *name)
{
	size_t i;

	for (i = vma_search(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		free(mm->vmas[i].name);
		mm->vmas[i].name = strdup(name);
	}
	vma_merge_range(mm, start, end);
}

void mm_set_flags(struct mm *mm, gva_t start, gva_t end, int flags)
{
	size_t i;

	for (i = vma_search(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++)
		mm->vmas[i].flags |= flags;
	vma_merge_range(mm, start, end);
}

/* ---- Populating and faults ---- */

/*
 * Populates the run of absent pages around va (within one VMA and one
 * fault-around window) with fresh frames, filled from the backing, and
 * mirrors them.  Returns 0 or -errno (-ENOMEM when the sandbox is full).
 */
/* A run of pages mapped (or reprotected) in one platform call when they are contiguous. */
struct run {
	struct mm *mm;
	gva_t va, next_va;
	uint64_t frame, next_frame;
	int prot;
	int map; /* 1: as_map, 0: as_protect */
};

static void run_flush(struct run *r)
{
	if (r->next_va > r->va) {
		if (r->map)
			mirror_map(r->mm, r->va, r->next_va - r->va, r->frame, r->prot);
		else
			mirror_protect(r->mm, r->va, r->next_va - r->va, r->prot);
	}
	r->va = r->next_va = 0;
}

static void run_add(struct run *r, gva_t va, uint64_t frame, int prot)
{
	if (r->next_va != va || r->prot != prot || (r->map && r->next_frame != frame))
		run_flush(r);
	if (r->next_va == 0) {
		r->va = va;
		r->frame = frame;
		r->prot = prot;
	}
	r->next_va = va + PAGE;
	r->next_frame = frame + PAGE;
}

/* [*s, *e): the run of absent pages around va's (absent) within [lo, hi). */
static void absent_run(struct mm *mm, gva_t va, gva_t lo, gva_t hi, gva_t *s, gva_t *e)
{
	uint64_t *ent;

	for (*s = va; *s > lo; *s -= PAGE) {
		ent = pte(mm, *s - PAGE, 0);
		if (ent && *ent)
			break;
	}
	for (*e = va + PAGE; *e < hi; *e += PAGE) {
		ent = pte(mm, *e, 0);
		if (ent && *ent)
			break;
	}
}

/* A regular file's pages end with the file (rounded up to a page): -EIO past it (SIGBUS), else *hi kept within it. */
static int clip_to_file(struct vma *v, gva_t va, gva_t *hi)
{
	uint64_t fend = ABI_PAGE_ALIGN(v->inode->size), voff = v->off + (va - v->start);

	if (voff >= fend)
		return -EIO;
	if (fend - v->off < *hi - v->start)
		*hi = v->start + (fend - v->off);
	return 0;
}

/*
 * Fresh frames of v's own for the absent run [s, e) around va, filled from
 * fd (a host file, by the kernel) when fd >= 0, else from v's file through
 * the VFS, else zero; recorded and mirrored with v's protection.  A memory
 * file too full or fragmented for the run gives va's page alone.  0 or
 * -errno.
 */
static int map_fresh(struct mm *mm, struct vma *v, gva_t va, gva_t s, gva_t e, int fd)
{
	uint64_t n = (e - s) / PAGE, frame = mf_alloc(n), p, *ent;
	long r = 0;

	if (frame == MF_NONE && n > 1) {
		n = 1;
		s = va;
		frame = mf_alloc(1);
	}
	if (frame == MF_NONE)
		return -ENOMEM;
	if (fd >= 0)
		r = mf_fill(frame, fd, v->off + (s - v->start), n * PAGE);
	else if (v->inode)
		r = mm_file_ops->fill(v->inode, v->off + (s - v->start), mf_ptr(frame), n * PAGE);
	if (r < 0) {
		for (p = 0; p < n; p++)
			mf_put(frame + p * PAGE);
		return (int)r;
	}
	for (p = 0; p < n; p++) {
		ent = pte(mm, s + p * PAGE, 1);
		if (!ent) {
			/* Out of sentry memory mid-way: give back what is not recorded. */
			for (; p < n; p++)
				mf_put(frame + p * PAGE);
			return -ENOMEM;
		}
		*ent = (frame + p * PAGE) | PTE_P;
		mm->rss_pages++;
	}
	mirror_map(mm, s, n * PAGE, frame, v->prot);
	return 0;
}

static int populate(struct mm *mm, struct vma *v, gva_t va)
{
	uint64_t win = (v->flags & VMA_ANON) ? FAULT_AROUND_ANON : FAULT_AROUND_FILE;
	gva_t lo = va & ~(win * PAGE - 1), hi = lo + win * PAGE, s, e, p;
	uint64_t frame, *ent;

	/*
	 * Fresh anonymous memory is mostly touched upwards from where it was
	 * first touched (a buffer, a heap, an arena): its window starts at
	 * the fault rather than at an aligned block, so that 64 KiB mapped
	 * anywhere costs one fault, not two.  A stack grows down: aligned.
	 */
	if ((v->flags & VMA_ANON) && !(v->flags & (VMA_STACK | VMA_GROWSDOWN | VMA_SHARED))) {
		lo = va;
		hi = va + win * PAGE < va ? v->end : va + win * PAGE;
		/* One that fits in the window is taken whole (a library's .bss is touched all over). */
		if (v->end - v->start <= win * PAGE) {
			lo = v->start;
			hi = v->end;
		}
	}

	/*
	 * A file's window that sticks out of its mapping is moved into it, not
	 * cut: a mapping not aligned to the window (ld.so.cache, a library's
	 * segment) is then taken in as few faults as its size allows.
	 */
	if (v->inode && !(v->flags & VMA_ANON) && v->end - v->start <= win * PAGE) {
		lo = v->start;
		hi = v->end;
	} else if (v->inode && !(v->flags & VMA_ANON)) {
		if (lo < v->start) {
			lo = v->start;
			hi = lo + win * PAGE;
		} else if (hi > v->end) {
			hi = v->end;
			lo = hi - win * PAGE;
		}
	}
	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	if (v->inode && S_ISREG(v->inode->mode) && clip_to_file(v, va, &hi) < 0)
		return -EIO;
	if (v->special) {
		/* Sentry pages: past their end (a mapping grown by mremap) is SIGBUS, as Linux's special mappings. */
		uint64_t pages = v->special->npages, first = (v->off + (va - v->start)) / PAGE;

		if (first >= pages)
			return -EIO;
		if (pages - first < (hi - va) / PAGE)
			hi = va + (pages - first) * PAGE;
	}
	absent_run(mm, va, lo, hi, &s, &e);

	if (v->special) {
		struct run run = {.mm = mm, .map = 1};

		for (p = s; p < e; p += PAGE) {
			uint64_t i = (v->off + (p - v->start)) / PAGE;

			if (i >= v->special->npages)
				break;
			ent = pte(mm, p, 1);
			if (!ent) {
				run_flush(&run);
				return p == s ? -ENOMEM : 0;
			}
			frame = v->special->frames[i];
			mf_get(frame);
			*ent = frame | PTE_P | PTE_COW;
			mm->rss_pages++;
			run_add(&run, p, frame, page_prot(v, *ent));
		}
		run_flush(&run);
		return 0;
	}
	if ((v->flags & VMA_SHARED) || (v->inode && v->inode->iops && v->inode->iops->share_private)) {
		/*
		 * The backing object owns the frames: map its pages.  A private
		 * mapping shares them copy-on-write (the file's page cache), so
		 * its first write gives it a copy of its own.
		 */
		uint64_t cow = (v->flags & VMA_SHARED) ? 0 : PTE_COW;
		struct run run = {.mm = mm, .map = 1};

		for (p = s; p < e; p += PAGE) {
			long r;

			ent = pte(mm, p, 1);
			if (!ent) {
				run_flush(&run);
				return -ENOMEM;
			}
			if (v->inode)
				r = mm_file_ops->getpage(v->inode, v->off + (p - v->start), &frame);
			else
				r = -ENODEV;
			if (r < 0) {
				run_flush(&run);
				return p == s ? (int)r : 0;
			}
			*ent = frame | PTE_P | cow;
			mm->rss_pages++;
			run_add(&run, p, frame, page_prot(v, *ent));
		}
		run_flush(&run);
		return 0;
	}

	return map_fresh(mm, v, va, s, e, -1);
}

/*
 * A write to a page of a host-mapped private file mapping (VMA_HOSTMAP)
 * that the memory manager does not hold: the absent pages around it, in
 * cow_around's window, get frames of their own, filled from the host file
 * by the kernel (mf_fill), and are mapped writable over the host's.  Not
 * through the sentry's page cache, whose frames the copy would then be
 * taken from, through the sentry's own mapping of the memory file: that
 * was two copies and a host page fault in the sentry for every page of the
 * window.  0, 1 when the caller is to populate as for any other mapping
 * (the file's host fd is gone), or -errno.
 */
static int populate_hostmap(struct mm *mm, struct vma *v, gva_t va)
{
	gva_t lo = va & ~(FAULT_AROUND_COW * PAGE - 1), hi = lo + FAULT_AROUND_COW * PAGE, s, e;
	int fd = mm_file_ops->host_map_fd ? mm_file_ops->host_map_fd(v->inode) : -1, r;

	if (fd < 0)
		return 1;
	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	if (clip_to_file(v, va, &hi) < 0)
		return -EIO;
	absent_run(mm, va, lo, hi, &s, &e);
	r = map_fresh(mm, v, va, s, e, fd);
	/* The host file could not be read: as any other mapping, from the page cache. */
	return r < 0 && r != -ENOMEM ? 1 : r;
}

/* Gives the page at va a private, writable frame of its own. */
static int break_cow(struct mm *mm, struct vma *v, gva_t va, uint64_t *ent)
{
	uint64_t old = PTE_FRAME(*ent), frame;

	if (mf_refs(old) == 1) {
		*ent &= ~PTE_COW;
		mirror_protect(mm, va, PAGE, v->prot);
		return 0;
	}
	frame = mf_alloc(1);
	if (frame == MF_NONE)
		return -ENOMEM;
	memcpy(mf_ptr(frame), mf_ptr(old), PAGE);
	*ent = frame | PTE_P;
	mirror_map(mm, va, PAGE, frame, v->prot);
	mirror_put(mm, old);
	return 0;
}

/*
 * After a write broke the copy-on-write of a private file page at va: the
 * page-cache pages mapped around it in the same window get copies of their
 * own now too.  A program writes its data segments all over (relocations,
 * the .data of each library) and each such page would otherwise cost a
 * fault round trip of its own, tens of times Linux's.  Those pages then no
 * longer show later writes to the file, as gVisor's larger copy unit does
 * too; a failure to copy leaves a page as it was.
 */
static void cow_around(struct mm *mm, struct vma *v, gva_t va)
{
	gva_t lo = va & ~(FAULT_AROUND_COW * PAGE - 1), hi = lo + FAULT_AROUND_COW * PAGE, p;
	uint64_t *ent;

	if (lo < v->start)
		lo = v->start;
	if (hi > v->end)
		hi = v->end;
	for (p = lo; p < hi; p += PAGE) {
		if (p == va)
			continue;
		ent = pte(mm, p, 0);
		if (ent && (*ent & PTE_P) && (*ent & PTE_COW) && break_cow(mm, v, p, ent) < 0)
			return;
	}
}

/* The page at va of v, populated, and private first for a write; NULL when that fails. */
static uint8_t *page_in(struct mm *mm, struct vma *v, gva_t va, int write)
{
	uint64_t *ent;

	ent = pte(mm, PGDOWN(va), 0);
	if (!ent || !(*ent & PTE_P)) {
		if (populate(mm, v, PGDOWN(va)) < 0)
			return NULL;
		ent = pte(mm, PGDOWN(va), 0);
		if (!ent || !(*ent & PTE_P))
			return NULL;
	}
	if (write && (*ent & PTE_COW) && break_cow(mm, v, PGDOWN(va), ent) < 0)
		return NULL;
	return (uint8_t *)mf_ptr(PTE_FRAME(*ent)) + (va & (PAGE - 1));
}

/*
 * The page at va, ready for an access of the given kind, as a pointer into
 * the memory file; NULL when Linux would fault (no VMA or no permission).
 */
static uint8_t *page_for(struct mm *mm, gva_t va, int write)
{
	struct vma *v = vma_find(mm, va);

	if (!v || !(v->prot & (write ? PROT_WRITE : PROT_READ)))
		return NULL;
	return page_in(mm, v, va, write);
}

#define STACK_GUARD_GAP (256 * PAGE) /* Linux's stack_guard_gap */

long mm_grow_stack(struct mm *mm, gva_t addr, uint64_t limit)
{
	size_t i = vma_search(mm, addr);
	gva_t start = PGDOWN(addr);
	struct vma *v;

	if (i == mm->nvmas)
		return -EFAULT;
	v = &mm->vmas[i];
	if (!(v->flags & VMA_GROWSDOWN) || v->start <= addr || v->inode || v->special)
		return -EFAULT;
	if (start < MM_MIN_ADDR)
		return -EPERM;
	/* Not into the guard gap above an accessible mapping that does not grow down itself. */
	if (i > 0 && !(mm->vmas[i - 1].flags & VMA_GROWSDOWN) && mm->vmas[i - 1].prot &&
	    start < mm->vmas[i - 1].end + STACK_GUARD_GAP)
		return -ENOMEM;
	if (v->end - start > limit)
		return -ENOMEM; /* RLIMIT_STACK (acct_stack_growth) */
	v->start = start;
	return 0;
}

int mm_fault(struct mm *mm, gva_t addr, int stale, int unmapped, int write)
{
	struct vma *v = addr < mm->limit ? vma_find(mm, addr) : NULL;
	uint64_t *ent;

	if (!v)
		return SEGV_MAPERR;
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return SEGV_ACCERR;
	ent = pte(mm, PGDOWN(addr), 0);
	if (!ent || !(*ent & PTE_P)) {
		int r = 1;

		/*
		 * The host's mapping of the file is there (no SEGV_MAPERR) and
		 * read-only: a write, known or not (ptrace cannot tell).
		 */
		if ((v->flags & VMA_HOSTMAP) && (v->prot & PROT_WRITE) && (write || !unmapped)) {
			r = populate_hostmap(mm, v, PGDOWN(addr));
			if (r == -ENOMEM && mf_reclaim())
				r = populate_hostmap(mm, v, PGDOWN(addr));
		}
		if (r == 1) {
			r = populate(mm, v, PGDOWN(addr));
			if (r == -ENOMEM && mf_reclaim())
				r = populate(mm, v, PGDOWN(addr));
		}

		/* No memory left in the sandbox: the OOM killer's answer, as on Linux. */
		if (r == -ENOMEM)
			return MM_FAULT_OOM;
		/* Past a file's end, or a shared tmpfs page that does not fit (shmem's SIGBUS). */
		if (r == -EIO || r == -ENOSPC)
			return MM_FAULT_SIGBUS;
		if (r < 0)
			return SEGV_ACCERR;
		ent = pte(mm, PGDOWN(addr), 0);
		/* A write would fault again on the copy-on-write page just mapped: its copy now. */
		if (!write || !ent || !(*ent & PTE_P) || !(*ent & PTE_COW) || !(v->prot & PROT_WRITE))
			return 0;
	}
	/* Present: the only fault we can fix is a write to a COW page (its copy may not fit). */
	if ((*ent & PTE_COW) && (v->prot & PROT_WRITE)) {
		if (break_cow(mm, v, PGDOWN(addr), ent) == 0 || (mf_reclaim() && break_cow(mm, v, PGDOWN(addr), ent) == 0)) {
			if (v->inode && !(v->flags & VMA_SHARED))
				cow_around(mm, v, PGDOWN(addr));
			return 0;
		}
		return MM_FAULT_OOM;
	}
	/*
	 * Or a page whose host mapping the platform dropped (the host refused
	 * a mapping and all of them went), or another thread populated
	 * (fault-around, a copy for a system call) with its mapping still
	 * queued: mapped (again), and the retry finds it.
	 */
	if (unmapped) {
		mirror_map(mm, PGDOWN(addr), PAGE, PTE_FRAME(*ent), page_prot(v, *ent));
		return 0;
	}
	if (stale)
		return 0;
	return SEGV_ACCERR;
}

/* ---- Copying ---- */

static inline int range_ok(struct mm *mm, gva_t va, size_t len)
{
	return va < mm->limit && len <= mm->limit - va;
}

long mm_copy_in(struct mm *mm, void *dst, gva_t src, size_t len)
{
	uint8_t *d = dst;

	if (!range_ok(mm, src, len))
		return -EFAULT;
	while (len) {
		size_t n = PAGE - (src & (PAGE - 1));
		uint8_t *p = page_for(mm, src, 0);

		if (!p)
			return -EFAULT;
		if (n > len)
			n = len;
		memcpy(d, p, n);
		d += n;
		src += n;
		len -= n;
	}
	return 0;
}

long mm_copy_out(struct mm *mm, gva_t dst, const void *src, size_t len)
{
	const uint8_t *s = src;

	if (!range_ok(mm, dst, len))
		return -EFAULT;
	while (len) {
		size_t n = PAGE - (dst & (PAGE - 1));
		uint8_t *p = page_for(mm, dst, 1);

		if (!p)
			return -EFAULT;
		if (n > len)
			n = len;
		memcpy(p, s, n);
		s += n;
		dst += n;
		len -= n;
	}
	return 0;
}

/*
 * The page at va for a debugger's access (Linux's FOLL_FORCE): readable
 * whatever its protection, and writable in a private mapping even without
 * PROT_WRITE (the write goes to a private copy, as a breakpoint must); a
 * shared mapping is written only where it is writable.
 */
static uint8_t *page_for_force(struct mm *mm, gva_t va, int write)
{
	struct vma *v = vma_find(mm, va);

	if (!v || (write && (v->flags & VMA_SHARED) && !(v->prot & PROT_WRITE)))
		return NULL;
	return page_in(mm, v, va, write);
}

long mm_access_force(struct mm *mm, gva_t va, void *buf, size_t len, int write)
{
	uint8_t *b = buf;
	size_t done = 0;

	if (!range_ok(mm, va, len))
		len = va < mm->limit ? mm->limit - va : 0;
	while (done < len) {
		size_t n = PAGE - (va & (PAGE - 1));
		uint8_t *p = page_for_force(mm, va, write);

		if (!p)
			break;
		if (n > len - done)
			n = len - done;
		if (write)
			memcpy(p, b + done, n);
		else
			memcpy(b + done, p, n);
		done += n;
		va += n;
	}
	return done ? (long)done : -EIO;
}

long mm_zero_out(struct mm *mm, gva_t dst, size_t len)
{
	if (!range_ok(mm, dst, len))
		return -EFAULT;
	while (len) {
		size_t n = PAGE - (dst & (PAGE - 1));
		uint8_t *p = page_for(mm, dst, 1);

		if (!p)
			return -EFAULT;
		if (n > len)
			n = len;
		memset(p, 0, n);
		dst += n;
		len -= n;
	}
	return 0;
}

long mm_strncpy_in(struct mm *mm, char *dst, gva_t src, size_t max)
{
	size_t done = 0;

	while (done < max) {
		size_t n = PAGE - (src & (PAGE - 1));
		uint8_t *p, *z;

		if (src >= mm->limit)
			return -EFAULT;
		p = page_for(mm, src, 0);
		if (!p)
			return -EFAULT;
		if (n > max - done)
			n = max - done;
		z = memchr(p, 0, n);
		if (z) {
			memcpy(dst + done, p, (size_t)(z - p) + 1);
			return (long)(done + (size_t)(z - p));
		}
		memcpy(dst + done, p, n);
		done += n;
		src += n;
	}
	return -ENAMETOOLONG;
}

int mm_pin(struct mm *mm, gva_t va, size_t len, int write, struct iovec *out, int max, size_t *pinned)
{
	int n = 0;

	*pinned = 0;
	if (len == 0)
		return 0;
	if (!range_ok(mm, va, len))
		return -EFAULT;
	while (len && n < max) {
		size_t chunk = PAGE - (va & (PAGE - 1));
		uint8_t *p = page_for(mm, va, write);

		if (!p)
			break;
		if (chunk > len)
			chunk = len;
		if (n > 0 && (uint8_t *)out[n - 1].iov_base + out[n - 1].iov_len == p) {
			out[n - 1].iov_len += chunk;
		} else {
			out[n].iov_base = p;
			out[n].iov_len = chunk;
			n++;
		}
		*pinned += chunk;
		va += chunk;
		len -= chunk;
	}
	/* A merge could still extend the last span; keep going while it does. */
	while (len && n == max) {
		size_t chunk = PAGE - (va & (PAGE - 1));
		uint8_t *p = page_for(mm, va, write);

		if (!p || (uint8_t *)out[n - 1].iov_base + out[n - 1].iov_len != p)
			break;
		if (chunk > len)
			chunk = len;
		out[n - 1].iov_len += chunk;
		*pinned += chunk;
		va += chunk;
		len -= chunk;
	}
	return n ? n : -EFAULT;
}

/* ---- mprotect, mremap, madvise, brk ---- */


struct reprotect_state {
	struct vma *v;
	struct run *run;
};

/* Only populated pages are mapped in the mirror: change those, in runs. */
static void reprotect_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct reprotect_state *s = arg;

	(void)mm;
	if (*e & PTE_P)
		run_add(s->run, va, 0, page_prot(s->v, *e));
}

static void mprotect_run(struct mm *mm, struct vma *v);

struct attach_state {
	struct vma *v;
	struct run run;
};

static void attach_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct attach_state *s = arg;

	(void)mm;
	if (*e & PTE_P)
		run_add(&s->run, va, PTE_FRAME(*e), page_prot(s->v, *e));
}

/*
 * v leaves the host's page cache (VMA_HOSTMAP): all of it is unmapped on
 * the host, its present pages mapped again as v->prot has them now, and
 * the rest come by faults.
 */
static void hostmap_drop(struct mm *mm, struct vma *v)
{
	struct attach_state s = {.v = v, .run = {.mm = mm, .map = 1}};

	mirror_unmap(mm, v->start, v->end - v->start);
	v->flags &= ~VMA_HOSTMAP;
	for_each_pte(mm, v->start, v->end, attach_page, &s);
	run_flush(&s.run);
}

long mm_mprotect(struct mm *mm, gva_t addr, uint64_t len, int prot)
{
	gva_t end, p;
	size_t i;

	if (addr & (PAGE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	len = ABI_PAGE_ALIGN(len);
	if (len == 0)
		return 0;
	end = addr + len;
	if (end < addr || end > mm->limit)
		return -ENOMEM;
	/*
	 * PROT_GROWSDOWN: from the start of a MAP_GROWSDOWN mapping (EINVAL for
	 * any other); PROT_GROWSUP: x86 has no mapping that grows up.
	 */
	if (prot & (PROT_GROWSDOWN | PROT_GROWSUP)) {
		i = vma_search(mm, addr);
		if (i == mm->nvmas || mm->vmas[i].start >= end)
			return -ENOMEM;
		if ((prot & PROT_GROWSUP) || !(mm->vmas[i].flags & VMA_GROWSDOWN))
			return -EINVAL;
		if (mm->vmas[i].start < addr)
			addr = mm->vmas[i].start;
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	/* The whole range must be mapped, and the backing must allow it. */
	for (p = addr, i = vma_search(mm, addr); p < end; i++) {
		if (i == mm->nvmas || mm->vmas[i].start > p)
			return -ENOMEM;
		if (prot & ~mm->vmas[i].maxprot)
			return -EACCES;
		p = mm->vmas[i].end;
	}
	if (vma_split(mm, addr) < 0 || vma_split(mm, end) < 0)
		return -ENOMEM;
	for (i = vma_search(mm, addr); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		struct vma *v = &mm->vmas[i];

		if (v->prot == prot)
			continue;
		v->prot = prot;
		if (v->flags & VMA_HOSTMAP)
			hostmap_drop(mm, v);
		else
			mprotect_run(mm, v);
	}
	vma_merge_range(mm, addr, end);
	return 0;
}

struct move_state {
	gva_t from, to;
	struct vma *v;
};

static void move_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct move_state *s = arg;
	uint64_t *ne;

	if (!(*e & PTE_P))
		return;
	ne = pte(mm, va - s->from + s->to, 1);
	if (!ne) {
		drop_page(mm, va, e, NULL);
		return;
	}
	*ne = *e;
	*e = 0;
	mirror_map(mm, va - s->from + s->to, PAGE, PTE_FRAME(*ne), page_prot(s->v, *ne));
}

long mm_mremap(struct mm *mm, gva_t old, uint64_t oldlen, uint64_t newlen, int flags, gva_t newaddr)
{
	struct vma *v, nv;
	struct move_state ms;
	long r;

	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (flags & MREMAP_DONTUNMAP)
		return -EINVAL; /* not yet: needs a private anonymous source; Linux allows it */
	if (old & (PAGE - 1))
		return -EINVAL;
	oldlen = ABI_PAGE_ALIGN(oldlen);
	newlen = ABI_PAGE_ALIGN(newlen);
	if (newlen == 0)
		return -EINVAL;
	if (oldlen == 0)
		return -EINVAL; /* duplicating a shared mapping: not supported */
	v = vma_find(mm, old);
	if (!v || v->start > old)
		return -EFAULT;
	if (old + oldlen > v->end)
		return -EFAULT;
	if (flags & MREMAP_FIXED) {
		if (newaddr & (PAGE - 1))
			return -EINVAL;
		if (newaddr > mm->limit - newlen)
			return -EINVAL;
		if (newaddr < old + oldlen && old < newaddr + newlen)
			return -EINVAL;
		if (newaddr < MM_MIN_ADDR)
			return -EPERM;
		if (mm->nvmas >= MM_MAX_MAP_COUNT - 3)
			return -ENOMEM;
		if (unmap_range(mm, newaddr, newaddr + newlen) < 0)
			return -ENOMEM;
		v = vma_find(mm, old);
		goto move;
	}
	if (newlen <= oldlen) {
		if (newlen < oldlen && (r = unmap_range(mm, old + newlen, old + oldlen)) < 0)
			return r;
		return (long)old;
	}
	/* Grow in place if the VMA ends here and the space after is free. */
	if (old + oldlen == v->end && old + newlen <= mm->limit && old + newlen > old &&
	    range_free(mm, v->end, old + newlen)) {
		v->end = old + newlen;
		vma_merge_range(mm, old, old + newlen);
		return (long)old;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	newaddr = find_space(mm, newlen);
	if (!newaddr)
		return -ENOMEM;
move:
	/* Carve [old, old+oldlen) out as its own VMA, copy it to the new place, move the pages. */
	if (mm->nvmas >= MM_MAX_MAP_COUNT - 3)
		return -ENOMEM; /* as Linux: the splits and the new one must fit */
	if (vma_split(mm, old) < 0 || vma_split(mm, old + oldlen) < 0)
		return -ENOMEM;
	nv = *vma_find(mm, old);
	nv.start = newaddr;
	nv.end = newaddr + newlen;
	if (vma_insert_at(mm, vma_search(mm, newaddr), &nv) < 0)
		return -ENOMEM;
	ms.from = old;
	ms.to = newaddr;
	ms.v = vma_find(mm, newaddr);
	for_each_pte(mm, old, old + (newlen < oldlen ? newlen : oldlen), move_page, &ms);
	mirror_unmap(mm, old, oldlen);
	unmap_range(mm, old, old + oldlen);
	vma_merge_range(mm, newaddr, newaddr + newlen);
	return (long)newaddr;
}

#define MADV_DONTNEED_LOCKED_ 24

/* Private anonymous memory (Linux's vma_is_anonymous, and not shared): what MADV_FREE and WIPEONFORK take. */
static int vma_private_anon(const struct vma *v)
{
	return (v->flags & VMA_ANON) && !(v->flags & VMA_SHARED) && !v->inode && !v->special;
}

/* Sets (or clears) flag on the mappings of [start, end), all mapped. */
static long vma_set_flag(struct mm *mm, gva_t start, gva_t end, int flag, int on)
{
	size_t i;

	if (vma_split(mm, start) < 0 || vma_split(mm, end) < 0)
		return -ENOMEM;
	for (i = vma_search(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++)
		mm->vmas[i].flags = on ? mm->vmas[i].flags | flag : mm->vmas[i].flags & ~flag;
	vma_merge_range(mm, start, end);
	return 0;
}

long mm_madvise(struct mm *mm, gva_t addr, uint64_t len, int advice)
{
	struct unmap_state s = {0};
	gva_t end, p;
	size_t i;

	if (addr & (PAGE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_COLD: case MADV_PAGEOUT: case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
	case MADV_DONTNEED_LOCKED_:
		break;
	default:
		return -EINVAL;
	}
	len = ABI_PAGE_ALIGN(len);
	end = addr + len;
	if (end < addr)
		return -EINVAL;
	if (len == 0)
		return 0;
	for (p = addr, i = vma_search(mm, addr); p < end; i++) {
		if (i == mm->nvmas || mm->vmas[i].start > p)
			return -ENOMEM;
		/* Only private anonymous memory can be freed lazily or wiped in a child. */
		if ((advice == MADV_FREE || advice == MADV_WIPEONFORK) && !vma_private_anon(&mm->vmas[i]))
			return -EINVAL;
		p = mm->vmas[i].end;
	}
	switch (advice) {
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return vma_set_flag(mm, addr, end, VMA_WIPEONFORK, advice == MADV_WIPEONFORK);
	case MADV_DONTFORK:
	case MADV_DOFORK:
		return vma_set_flag(mm, addr, end, VMA_DONTFORK, advice == MADV_DONTFORK);
	}
	if (advice != MADV_DONTNEED && advice != MADV_FREE && advice != MADV_DONTNEED_LOCKED_)
		return 0;
	/* Dropping the pages makes the next touch read zeroes (or the file) again. */
	for_each_pte(mm, addr, end, unmap_page, &s);
	if (s.any)
		mirror_unmap(mm, addr, len);
	return 0;
}

void mm_file_shrunk(struct inode *ino, uint64_t size)
{
	uint64_t end = ABI_PAGE_ALIGN(size);
	struct mm *mm;
	size_t i;

	for (mm = all_mms; mm; mm = mm->all_next)
		for (i = 0; i < mm->nvmas; i++) {
			struct vma *v = &mm->vmas[i];
			struct unmap_state s = {0};
			gva_t cut;

			if (v->inode != ino)
				continue;
			cut = end <= v->off ? v->start : end - v->off >= v->end - v->start ? v->end : v->start + (end - v->off);
			if (cut >= v->end)
				continue;
			for_each_pte(mm, cut, v->end, unmap_page, &s);
			if (s.any)
				mirror_unmap(mm, cut, v->end - cut);
		}
}

int mm_inode_mapped_writable(struct inode *ino)
{
	struct mm *mm;
	size_t i;

	for (mm = all_mms; mm; mm = mm->all_next)
		for (i = 0; i < mm->nvmas; i++) {
			const struct vma *v = &mm->vmas[i];

			if (v->inode == ino && (v->flags & VMA_SHARED) && (v->maxprot & PROT_WRITE))
				return 1;
		}
	return 0;
}

long mm_brk(struct mm *mm, gva_t newbrk)
{
	gva_t oldend = ABI_PAGE_ALIGN(mm->brk), newend = ABI_PAGE_ALIGN(newbrk);

	if (newbrk < mm->brk_start || newbrk >= mm->limit)
		return (long)mm->brk;
	if (newend > oldend) {
		if (!range_free(mm, oldend, newend))
			return (long)mm->brk;
		if (mm_mmap(mm, oldend, newend - oldend, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0, 7) < 0)
			return (long)mm->brk;
		mm_set_flags(mm, oldend, newend, VMA_HEAP);
	} else if (newend < oldend) {
		unmap_range(mm, newend, oldend);
	}
	mm->brk = newbrk;
	return (long)newbrk;
}

size_t mm_format_maps(struct mm *mm, char *buf, size_t size)
{
	size_t len = 0, i;

	for (i = 0; i < mm->nvmas && len < size; i++) {
		struct vma *v = &mm->vmas[i];
		const char *name = v->flags & VMA_HEAP ? "[heap]" : v->flags & VMA_STACK ? "[stack]" : v->name ? v->name : "";
		int n = snprintf(buf + len, size - len, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %-10lu %s%s\n",
				 (unsigned long)v->start, (unsigned long)v->end, v->prot & PROT_READ ? 'r' : '-',
				 v->prot & PROT_WRITE ? 'w' : '-', v->prot & PROT_EXEC ? 'x' : '-',
				 v->flags & VMA_SHARED ? 's' : 'p', (unsigned long)(v->inode ? v->off : 0),
				 v->inode && v->inode->sb ? (unsigned)(v->inode->sb->dev >> 8) : 0,
				 v->inode && v->inode->sb ? (unsigned)(v->inode->sb->dev & 0xff) : 0,
				 (unsigned long)(v->inode ? v->inode->ino : 0), name[0] ? "              " : "", name);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return len < size ? len : size;
}

static void count_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct mm_resident *r = arg;
	uint32_t refs;

	(void)mm, (void)va;
	if (!(*e & PTE_P))
		return;
	refs = mf_refs(PTE_FRAME(*e));
	r->pages++;
	if (refs > 1)
		r->shared++;
	r->pss_bytes += PAGE / (refs ? refs : 1);
}

void mm_resident(struct mm *mm, gva_t start, gva_t end, struct mm_resident *r)
{
	memset(r, 0, sizeof(*r));
	for_each_pte(mm, start, end, count_page, r);
}

/* ---- fork ---- */

/* Coalesces per-page platform operations into runs of contiguous pages (and frames). */



struct fork_state {
	struct mm *child;
	struct vma *v;
	struct run parent_run;
	int err;
};

static void fork_page(struct mm *mm, gva_t va, uint64_t *e, void *arg)
{
	struct fork_state *s = arg;
	uint64_t *ce;

	if (!(*e & PTE_P) || s->err)
		return;
	ce = pte(s->child, va, 1);
	if (!ce) {
		s->err = -ENOMEM;
		return;
	}
	mf_get(PTE_FRAME(*e));
	if (!(s->v->flags & VMA_SHARED)) {
		if (!(*e & PTE_COW) && (s->v->prot & PROT_WRITE))
			run_add(&s->parent_run, va, 0, s->v->prot & ~PROT_WRITE);
		*e |= PTE_COW;
	}
	*ce = *e;
	s->child->rss_pages++;
	(void)mm;
}

struct mm *mm_fork(struct mm *parent, int *err)
{
	struct mm *mm = calloc(1, sizeof(*mm));
	struct fork_state s = {0};
	size_t i;

	if (!mm) {
		*err = -ENOMEM;
		return NULL;
	}
	*mm = *parent;
	mm->as = NULL;
	mm->pt = NULL;
	mm->vmas = NULL;
	mm->nvmas = mm->capvmas = 0;
	mm->rss_pages = 0;
	mm->refs = 1;
	mm->exe = NULL;
	mm->exe_ino = NULL;
	mm->aio = 0; /* a child has no AIO contexts, as Linux's (the ring is mapped, but unknown to it) */
	if (parent->exe && set_exe(mm, parent->exe, parent->exe_ino) < 0) {
		free(mm);
		*err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < parent->nvmas; i++) {
		if (parent->vmas[i].flags & VMA_DONTFORK)
			continue; /* MADV_DONTFORK: not in the child at all */
		if (vma_insert_at(mm, mm->nvmas, &parent->vmas[i]) < 0) {
			*err = -ENOMEM;
			goto fail;
		}
	}
	s.child = mm;
	s.parent_run.mm = parent;
	for (i = 0; i < parent->nvmas && !s.err; i++) {
		s.v = &parent->vmas[i];
		/* MADV_WIPEONFORK: the child's copy starts zero-filled, as a fresh anonymous mapping. */
		if (s.v->flags & (VMA_DONTFORK | VMA_WIPEONFORK))
			continue;
		for_each_pte(parent, s.v->start, s.v->end, fork_page, &s);
		run_flush(&s.parent_run);
	}
	if (s.err) {
		*err = s.err;
		goto fail;
	}
	mm_link(mm);
	return mm;
fail:
	if (mm->pt) {
		for_each_pte(mm, 0, mm->limit, free_page, NULL);
		pt_free(mm->pt, 3);
	}
	while (mm->nvmas)
		vma_remove_at(mm, mm->nvmas - 1);
	free(mm->vmas);
	mm_set_exe(mm, NULL);
	free(mm);
	return NULL;
}

int mm_attach(struct mm *mm)
{
	struct attach_state s = {0};
	int err = 0;
	size_t i;

	mm->as = plat->as_create(&err);
	if (!mm->as)
		return err;
	s.run.mm = mm;
	s.run.map = 1;
	for (i = 0; i < mm->nvmas; i++) {
		s.v = &mm->vmas[i];
		/*
		 * The host's page cache first (a child of fork), the pages
		 * present over it; not where they are all present already.
		 */
		if (s.v->flags & VMA_HOSTMAP) {
			struct mm_resident res;

			mm_resident(mm, s.v->start, s.v->end, &res);
			if (res.pages < (s.v->end - s.v->start) / PAGE)
				hostmap_try(mm, s.v);
			else
				s.v->flags &= ~VMA_HOSTMAP;
		}
		for_each_pte(mm, s.v->start, s.v->end, attach_page, &s);
		run_flush(&s.run);
	}
	return 0;
}

long mm_msync(struct mm *mm, gva_t start, uint64_t len)
{
	gva_t end = start + ABI_PAGE_ALIGN(len), at = start;
	size_t i;
	long r = 0;

	if (end < start)
		return -ENOMEM;
	for (i = vma_search(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		struct vma *v = &mm->vmas[i];

		if (v->start > at)
			r = r ? r : -ENOMEM; /* a hole */
		at = v->end;
		if ((v->flags & VMA_SHARED) && v->inode && v->inode->iops && v->inode->iops->writeback) {
			long w = v->inode->iops->writeback(v->inode);

			if (w < 0 && !r)
				r = w;
		}
	}
	if (at < end && !r)
		r = -ENOMEM;
	return r;
}

int mm_range_mapped(struct mm *mm, gva_t start, uint64_t len)
{
	gva_t end = start + ABI_PAGE_ALIGN(len), at = start;
	size_t i;

	if (end < start || !mm_access_ok(start, len))
		return 0;
	for (i = vma_search(mm, start); i < mm->nvmas && mm->vmas[i].start < end; i++) {
		if (mm->vmas[i].start > at)
			return 0; /* a hole */
		at = mm->vmas[i].end;
	}
	return at >= end;
}

long mm_shared_frame(struct mm *mm, gva_t va, uint64_t *frame)
{
	struct vma *v = va < mm->limit ? vma_find(mm, va) : NULL;
	uint8_t *p;

	if (!v)
		return -EFAULT;
	if (!(v->flags & VMA_SHARED))
		return -EINVAL;
	p = page_for(mm, va, 0);
	if (!p)
		return -EFAULT;
	*frame = (uint64_t)(p - (uint8_t *)mf.base) & ~4095ULL;
	return 0;
}

uint32_t *mm_user_word(struct mm *mm, gva_t va)
{
	if ((va & 3) || !range_ok(mm, va, 4))
		return NULL;
	return (uint32_t *)page_for(mm, va, 1);
}

static void mprotect_run(struct mm *mm, struct vma *v)
{
	struct run r = {.mm = mm};
	struct reprotect_state st = {v, &r};

	for_each_pte(mm, v->start, v->end, reprotect_page, &st);
	run_flush(&r);
}

uint64_t mm_total_bytes(struct mm *mm)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < mm->nvmas; i++)
		n += mm->vmas[i].end - mm->vmas[i].start;
	return n;
}

/* ---- mlock ---- */

long mm_mlock(struct mm *mm, gva_t addr, uint64_t len, int how)
{
	gva_t end = addr + len, p, upto;
	long r = 0;
	size_t i;

	if (end < addr)
		return -EINVAL;
	if (end == addr)
		return 0;
	/* As Linux: the mappings up to the first hole change, and then the hole is ENOMEM. */
	for (upto = addr, i = vma_search(mm, addr); upto < end; i++) {
		if (i == mm->nvmas || mm->vmas[i].start > upto) {
			r = -ENOMEM;
			break;
		}
		upto = mm->vmas[i].end < end ? mm->vmas[i].end : end;
	}
	if (upto == addr)
		return r;
	if (vma_split(mm, addr) < 0 || vma_split(mm, upto) < 0)
		return -ENOMEM;
	for (i = vma_search(mm, addr); i < mm->nvmas && mm->vmas[i].start < upto; i++) {
		struct vma *v = &mm->vmas[i];

		if (v->special)
			continue; /* the vDSO's pages, as Linux's special mappings, are never locked */
		if (how & MM_MLOCK)
			v->flags |= VMA_LOCKED;
		else
			v->flags &= ~VMA_LOCKED;
	}
	vma_merge_range(mm, addr, upto);
	if (r < 0 || !(how & MM_MLOCK_POPULATE))
		return r;
	/* Locked pages are made present now (Linux's __mm_populate); an inaccessible mapping is EFAULT. */
	for (p = addr; p < upto; p += PAGE) {
		i = vma_search(mm, p);
		if (i < mm->nvmas && mm->vmas[i].start <= p && (mm->vmas[i].flags & VMA_LOCKED)) {
			struct iovec iov;
			size_t pinned;

			if (!mm->vmas[i].prot) {
				r = -EFAULT;
				break;
			}
			if (mm->vmas[i].prot & PROT_READ)
				mm_pin(mm, p, 1, 0, &iov, 1, &pinned);
		}
	}
	return r;
}

uint64_t mm_locked_bytes(struct mm *mm, gva_t start, gva_t end)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < mm->nvmas; i++) {
		const struct vma *v = &mm->vmas[i];
		gva_t s = v->start > start ? v->start : start, e = v->end < end ? v->end : end;

		if ((v->flags & VMA_LOCKED) && s < e)
			n += e - s;
	}
	return n;
}
