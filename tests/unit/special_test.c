/*
 * The memory manager's special mappings (the vDSO's pages) alone, over a
 * fake platform: every address space maps the same frames, named in
 * /proc/PID/maps; a page whose maxprot lacks write can never be made
 * writable; a write to the others (after mprotect) gets a private copy and
 * leaves the shared frame, and every other process, untouched; dropped
 * pages come back from the same frames; past the pages (a mapping grown by
 * mremap) is SIGBUS; and every reference is given back at the end.
 * links: sentry/mm/mm.c sentry/mm/memfile.c sentry/host/host.c sentry/crash.c
 * libs: -lunwind
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "platform/platform.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"

#define UNIT_NAME "special"
#include "unit.h"

#define PG 4096UL
#define A 0x7f0000000000UL

static int fake_as;

static struct plat_as *as_create(int *err) { (void)err; return (struct plat_as *)&fake_as; }
static void as_destroy(struct plat_as *as) { (void)as; }
static void as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot) { }
static void as_unmap(struct plat_as *as, uint64_t va, uint64_t len) { }
static void as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot) { }
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

int main(void)
{
	uint64_t frames[3];
	struct mm_special data = {.name = "[vvar]", .frames = frames, .npages = 1};
	struct mm_special code = {.name = "[vdso]", .frames = frames + 1, .npages = 2};
	struct mm *mm, *other;
	char maps[1024], c = 0;
	uint64_t f;
	int err = 0, i;

	plat = &fake;
	if (mf_init(64 << 20) < 0) {
		printf("FAIL special cannot make a memory file\n");
		return 1;
	}
	f = mf_alloc(3);
	for (i = 0; i < 3; i++) {
		frames[i] = f + (uint64_t)i * PG;
		memset(mf_ptr(frames[i]), 'a' + i, PG);
	}
	mm = mm_create(&err);
	other = mm_create(&err);
	CHECK("maps the data page", mm_map_special(mm, A, &data, PROT_READ, PROT_READ) == 0);
	CHECK("maps the code", mm_map_special(mm, A + PG, &code, PROT_READ | PROT_EXEC, 7) == 0);
	CHECK("another process maps them too", mm_map_special(other, A + PG, &code, PROT_READ | PROT_EXEC, 7) == 0);
	CHECK("the frames are shared, not copied", mf_refs(frames[1]) == 3 && mf_refs(frames[0]) == 2);
	CHECK("reads see the frames", mm_copy_in(mm, &c, A + 2 * PG, 1) == 0 && c == 'c');
	mm_format_maps(mm, maps, sizeof(maps));
	CHECK("named in maps", strstr(maps, "[vvar]") && strstr(maps, "r-xp 00000000 00:00 0") && strstr(maps, "[vdso]"));

	CHECK("no write to the data page", mm_copy_out(mm, A, "x", 1) == -EFAULT);
	CHECK("the data page cannot be made writable", mm_mprotect(mm, A, PG, PROT_READ | PROT_WRITE) == -EACCES);
	CHECK("... nor executable", mm_mprotect(mm, A, PG, PROT_READ | PROT_EXEC) == -EACCES);
	CHECK("no write to the code as mapped", mm_copy_out(mm, A + PG, "x", 1) == -EFAULT);
	CHECK("the code may be made writable", mm_mprotect(mm, A + PG, PG, PROT_READ | PROT_WRITE | PROT_EXEC) == 0);
	CHECK("a write to it succeeds", mm_copy_out(mm, A + PG, "x", 1) == 0);
	CHECK("... on a private copy", mm_copy_in(mm, &c, A + PG, 1) == 0 && c == 'x');
	CHECK("the shared frame is untouched", *(char *)mf_ptr(frames[1]) == 'b' && mf_refs(frames[1]) == 2);
	CHECK("so is the other process's page", mm_copy_in(other, &c, A + PG, 1) == 0 && c == 'b');
	CHECK("back to read+exec, the code is one mapping again",
	      mm_mprotect(mm, A + PG, PG, PROT_READ | PROT_EXEC) == 0 && mm_format_maps(mm, maps, sizeof(maps)) > 0 &&
		      strstr(maps, "7f0000001000-7f0000003000 r-xp"));
	CHECK("... never one with the data page", mm_mprotect(mm, A + PG, 2 * PG, PROT_READ) == 0 &&
							mm_format_maps(mm, maps, sizeof(maps)) > 0 &&
							strstr(maps, "7f0000000000-7f0000001000 r--p"));

	CHECK("MADV_DONTNEED drops the pages", mm_madvise(other, A + PG, 2 * PG, MADV_DONTNEED) == 0 &&
						      mf_refs(frames[1]) == 1);
	CHECK("... which come back from the same frames", mm_copy_in(other, &c, A + 2 * PG, 1) == 0 && c == 'c' &&
								 mf_refs(frames[2]) == 3);
	CHECK("mremap may grow the code in place", mm_mremap(other, A + PG, 2 * PG, 3 * PG, 0, 0) == (long)(A + PG));
	CHECK("past its pages is SIGBUS", mm_fault(other, A + 3 * PG, 0, 1, 0) == MM_FAULT_SIGBUS);
	CHECK("it may be unmapped", mm_munmap(other, A + PG, 3 * PG) == 0 && mm_copy_in(other, &c, A + PG, 1) == -EFAULT);

	mm_put(other);
	mm_put(mm);
	CHECK("every reference is given back", mf_refs(frames[0]) == 1 && mf_refs(frames[1]) == 1 && mf_refs(frames[2]) == 1);
	return unit_failed;
}
