/*
 * The memory manager alone, over a fake platform that only counts what it
 * is asked to mirror: VMA ranges through mmap, mprotect and munmap (splits
 * and Linux's errors), guest copies checked against protections, faults,
 * and fork's copy-on-write bookkeeping (frames shared, then copied on the
 * first write, the last owner keeping the old frame).
 * links: sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "platform/platform.h"

#define UNIT_NAME "mm"
#include "unit.h"

#define PG 4096UL

static int fake_as;
static int maps, unmaps, protects;

static struct plat_as *as_create(int *err) { (void)err; return (struct plat_as *)&fake_as; }
static void as_destroy(struct plat_as *as) { (void)as; }
static void as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot) { maps++; }
static void as_unmap(struct plat_as *as, uint64_t va, uint64_t len) { unmaps++; }
static void as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot) { protects++; }
/* No mirror to wait for: the reference goes at once. */
static void as_defer_put(struct plat_as *as, uint64_t off) { mf_put(off); }

static const struct platform fake = {
	.name = "fake",
	.as_create = as_create,
	.as_destroy = as_destroy,
	.as_map = as_map,
	.as_unmap = as_unmap,
	.as_protect = as_protect,
	.as_defer_put = as_defer_put,
	.user_limit = 0x7ffffffff000ULL,
};

/* The VMA that holds va, or NULL. */
static const struct vma *vma_at(struct mm *mm, gva_t va)
{
	size_t i;

	for (i = 0; i < mm->nvmas; i++)
		if (mm->vmas[i].start <= va && va < mm->vmas[i].end)
			return &mm->vmas[i];
	return NULL;
}

static void ranges(void)
{
	const gva_t A = 0x10000000;
	struct mm *mm;
	int err = 0;
	char buf[8];

	mm = mm_create(&err);
	mm->mmap_base = 0x7f0000000000ULL;
	CHECK("fixed mmap maps where asked",
	      mm_mmap(mm, A, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, NULL, 0, PROT_READ | PROT_WRITE | PROT_EXEC) == (long)A);
	CHECK("one vma", mm->nvmas == 1 && mm->vmas[0].end == A + 4 * PG);
	CHECK("mprotect of the middle splits in three",
	      mm_mprotect(mm, A + PG, 2 * PG, PROT_READ) == 0 && mm->nvmas == 3 &&
	      vma_at(mm, A + PG)->prot == PROT_READ && vma_at(mm, A)->prot == (PROT_READ | PROT_WRITE) &&
	      vma_at(mm, A + 3 * PG)->prot == (PROT_READ | PROT_WRITE));
	CHECK("copy_out to a read-only page is EFAULT", mm_copy_out(mm, A + PG, "x", 1) == -EFAULT);
	CHECK("copy_out past the end is EFAULT, inside it round-trips",
	      mm_copy_out(mm, A + 4 * PG - 4, "abcdefgh", 8) == -EFAULT && mm_copy_out(mm, A + PG - 4, "abcd", 4) == 0 &&
	      mm_copy_in(mm, buf, A + PG - 4, 4) == 0 && memcmp(buf, "abcd", 4) == 0);
	CHECK("munmap of a hole leaves two vmas", mm_munmap(mm, A + PG, 2 * PG) == 0 && mm->nvmas == 2 && !vma_at(mm, A + 2 * PG));
	CHECK("copy_in from the hole is EFAULT", mm_copy_in(mm, buf, A + PG, 1) == -EFAULT);
	CHECK("fault in the hole is SEGV_MAPERR", mm_fault(mm, A + 2 * PG, 0, 1, 0) == SEGV_MAPERR);
	CHECK("munmap of an unaligned address is EINVAL", mm_munmap(mm, A + 1, PG) == -EINVAL);
	CHECK("mmap of length 0 is EINVAL", mm_mmap(mm, 0, 0, PROT_READ, MAP_PRIVATE, NULL, 0, PROT_READ) == -EINVAL);
	CHECK("fixed mmap at an unaligned address is EINVAL",
	      mm_mmap(mm, A + 1, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED, NULL, 0, PROT_READ) == -EINVAL);
	CHECK("MAP_FIXED_NOREPLACE over a mapping is EEXIST",
	      mm_mmap(mm, A, PG, PROT_READ, MAP_PRIVATE | MAP_FIXED_NOREPLACE, NULL, 0, PROT_READ) == -EEXIST);
	{
		long a = mm_mmap(mm, 0, 3 * PG, PROT_NONE, MAP_PRIVATE, NULL, 0, PROT_READ);

		CHECK("a hint-less mmap lands below mmap_base, page-aligned",
		      a > 0 && (gva_t)a + 3 * PG <= mm->mmap_base && !((gva_t)a & (PG - 1)));
		CHECK("fault on PROT_NONE is SEGV_ACCERR", mm_fault(mm, (gva_t)a, 0, 0, 0) == SEGV_ACCERR);
		CHECK("mprotect beyond what the file allows is EACCES",
		      mm_mprotect(mm, (gva_t)a, PG, PROT_WRITE) == -EACCES);
	}
	mm_put(mm);
}

static void cow(void)
{
	const gva_t A = 0x20000000;
	struct mm *p, *c;
	struct mm_resident r;
	int err = 0;
	char x = 0;
	uint64_t used;

	p = mm_create(&err);
	mm_mmap(p, A, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, NULL, 0, PROT_READ | PROT_WRITE);
	mm_copy_out(p, A, "P", 1);
	used = mf.used;
	c = mm_fork(p, &err);
	CHECK("fork copies the vmas", c && c->nvmas == 1);
	mm_resident(p, A, A + PG, &r);
	CHECK("after fork the page is shared, no frame copied", r.pages == 1 && r.shared == 1 && mf.used == used);
	CHECK("the child reads the parent's byte", mm_copy_in(c, &x, A, 1) == 0 && x == 'P');
	CHECK("the child's write copies the page", mm_copy_out(c, A, "C", 1) == 0 && mf.used == used + 1);
	CHECK("the parent still reads its own byte", mm_copy_in(p, &x, A, 1) == 0 && x == 'P');
	CHECK("the child reads its new byte", mm_copy_in(c, &x, A, 1) == 0 && x == 'C');
	mm_resident(p, A, A + PG, &r);
	CHECK("the parent's frame is its own again", r.shared == 0);
	protects = 0;
	CHECK("a write fault in the parent takes the page back without a copy",
	      mm_fault(p, A, 0, 0, 0) == 0 && mf.used == used + 1 && protects == 1);
	mm_put(c);
	CHECK("the child's frame is freed with it", mf.used == used);
	mm_put(p);
	CHECK("every frame is freed at the end", mf.used == 0);
}

/*
 * The page-table walk visits the entries a range reaches and no other, at
 * the edges of every level: four pages around 512 GiB, where a page-table
 * node of each level ends.
 */
static void walk_edges(void)
{
	const gva_t B = 0x8000000000ULL;
	struct mm *p, *c;
	struct mm_resident r;
	int err = 0, i;

	p = mm_create(&err);
	mm_mmap(p, B - 2 * PG, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, NULL, 0, PROT_READ | PROT_WRITE);
	for (i = -2; i < 2; i++)
		mm_copy_out(p, B + i * (long)PG, "x", 1);
	mm_resident(p, B - 2 * PG, B + 2 * PG, &r);
	CHECK("a walk across the ends of every level finds all four pages", r.pages == 4);
	mm_resident(p, B - PG, B + PG, &r);
	CHECK("a walk that starts and ends inside nodes finds the two it covers", r.pages == 2);
	mm_resident(p, B - 2 * PG, B, &r);
	CHECK("a walk that ends where a node ends stops there", r.pages == 2);
	mm_resident(p, B + PG, B + 0x40000000ULL, &r);
	CHECK("a walk that starts past the first page of a node skips it", r.pages == 1);
	c = mm_fork(p, &err);
	mm_resident(p, B - 2 * PG, B + 2 * PG, &r);
	CHECK("fork shares all four", c && r.pages == 4 && r.shared == 4);
	mm_put(c);
	mm_put(p);
	CHECK("every frame is freed at the end", mf.used == 0);
}

int main(void)
{
	plat = &fake;
	if (mf_init(64 << 20) < 0) {
		printf("FAIL mm cannot make a memory file\n");
		return 1;
	}
	ranges();
	cow();
	walk_edges();
	return unit_failed;
}
