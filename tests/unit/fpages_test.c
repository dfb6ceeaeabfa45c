/*
 * A file's sparse page index alone: pages far apart cost a path each, not
 * the span between them; walks, holes and data as the slots say; clearing
 * and freeing leave it empty.  Checked against a plain array of the same
 * indices where one fits.
 * links: vfs/fpages.c
 */
#include <stdint.h>
#include <stdlib.h>

#include "sentry/mm/memfile.h"
#include "vfs/fpages.h"

#define UNIT_NAME "fpages"
#include "unit.h"

static int count(uint64_t i, uint64_t *slot, void *ctx)
{
	uint64_t *c = ctx;

	c[0]++;
	c[1] = c[1] * 31 + i + *slot;
	return 0;
}

static int stop_at_second(uint64_t i, uint64_t *slot, void *ctx)
{
	uint64_t *seen = ctx;

	(void)slot;
	seen[seen[0]++ + 1] = i;
	return seen[0] == 2;
}

int main(void)
{
	struct fpages p = {0};
	uint64_t far = (1ULL << 50) + 7, c[2] = {0, 0}, seen[4] = {0};
	uint64_t *s;
	static uint64_t ref[4096];
	uint64_t i, want[2] = {0, 0};
	int ok = 1;

	CHECK("empty: every page a hole", fpages_get(&p, 0) == MF_NONE && fpages_get(&p, far) == MF_NONE);
	CHECK("empty: no data, a hole at the start", fpages_next(&p, 5, 100, 1) == 100 && fpages_next(&p, 5, 100, 0) == 5);

	s = fpages_slot(&p, far);
	CHECK("a slot far out is made", s && *s == MF_NONE);
	*s = 4096 * 3;
	CHECK("and read back", fpages_get(&p, far) == 4096 * 3);
	CHECK("its neighbours stay holes", fpages_get(&p, far - 1) == MF_NONE && fpages_get(&p, far + 1) == MF_NONE);
	CHECK("five levels above the leaves for 2^50", p.height == 5);
	s = fpages_slot(&p, 1);
	*s = 4096;
	CHECK("a low page after a high one", fpages_get(&p, 1) == 4096 && fpages_get(&p, far) == 4096 * 3);
	CHECK("next data from 0 is 1", fpages_next(&p, 0, far + 10, 1) == 1);
	CHECK("next data from 2 is the far page", fpages_next(&p, 2, far + 10, 1) == far);
	CHECK("next data before end: none", fpages_next(&p, 2, far, 1) == far);
	CHECK("next hole from 1 is 2", fpages_next(&p, 1, far + 10, 0) == 2);
	CHECK("next hole from the far page is the one after", fpages_next(&p, far, far + 10, 0) == far + 1);
	CHECK("a slot past 2^63 is refused", fpages_slot(&p, 1ULL << 63) == NULL);
	fpages_each(&p, 0, count, c);
	CHECK("each: two pages, in order", c[0] == 2 && c[1] == (0 * 31 + 1 + 4096) * 31 + far + 4096 * 3);
	c[0] = c[1] = 0;
	fpages_each(&p, 2, count, c);
	CHECK("each from 2: the far page only", c[0] == 1 && c[1] == far + 4096 * 3);
	fpages_free(&p);
	CHECK("freed: empty again", !p.root && fpages_get(&p, far) == MF_NONE);

	/* Against an array: pseudo-random pages in 0..4095, then holes and data everywhere. */
	srand(7);
	for (i = 0; i < 4096; i++)
		ref[i] = MF_NONE;
	for (i = 0; i < 1500; i++) {
		uint64_t k = (uint64_t)rand() % 4096;

		ref[k] = k * 4096;
		*fpages_slot(&p, k) = k * 4096;
	}
	for (i = 0; i < 4096 && ok; i++) {
		uint64_t d = i, h = i;

		while (d < 4096 && ref[d] == MF_NONE)
			d++;
		while (h < 4096 && ref[h] != MF_NONE)
			h++;
		ok = fpages_get(&p, i) == ref[i] && fpages_next(&p, i, 4096, 1) == d && fpages_next(&p, i, 4096, 0) == h;
	}
	CHECK("get and next agree with an array", ok);
	for (i = 0; i < 4096; i++)
		if (ref[i] != MF_NONE) {
			want[0]++;
			want[1] = want[1] * 31 + i + ref[i];
		}
	c[0] = c[1] = 0;
	fpages_each(&p, 0, count, c);
	CHECK("each visits what the array holds, in order", c[0] == want[0] && c[1] == want[1]);
	fpages_each(&p, 0, stop_at_second, seen);
	CHECK("each stops when told", seen[0] == 2 && seen[1] < seen[2]);
	CHECK("holes past the tree's reach", fpages_next(&p, 5000, 1ULL << 40, 0) == 5000 &&
					       fpages_next(&p, 4095, 1ULL << 40, 0) <= 4096);
	fpages_free(&p);

	/* A small file: a root leaf of FPAGES_SMALL slots, grown in place when a later page comes. */
	*fpages_slot(&p, 0) = 4096;
	*fpages_slot(&p, 3) = 4096 * 2;
	CHECK("a small file's root leaf is small", p.small == FPAGES_SMALL && p.height == 0);
	CHECK("small: get, holes past it", fpages_get(&p, 3) == 4096 * 2 && fpages_get(&p, 1) == MF_NONE &&
						    fpages_get(&p, FPAGES_SMALL) == MF_NONE && fpages_get(&p, far) == MF_NONE);
	CHECK("small: next data and holes", fpages_next(&p, 1, 100, 1) == 3 && fpages_next(&p, 4, 100, 1) == 100 &&
						    fpages_next(&p, 0, 100, 0) == 1 && fpages_next(&p, 3, 100, 0) == 4 &&
						    fpages_next(&p, 3, 4, 0) == 4 && fpages_next(&p, 50, 100, 0) == 50);
	c[0] = c[1] = 0;
	fpages_each(&p, 1, count, c);
	CHECK("small: each from 1", c[0] == 1 && c[1] == 3 + 4096 * 2);
	*fpages_slot(&p, FPAGES_SMALL + 1) = 4096 * 5;
	CHECK("grown to a whole leaf, the old pages kept", !p.small && p.height == 0 && fpages_get(&p, 0) == 4096 &&
								 fpages_get(&p, 3) == 4096 * 2 &&
								 fpages_get(&p, FPAGES_SMALL + 1) == 4096 * 5 &&
								 fpages_get(&p, FPAGES_SMALL) == MF_NONE);
	fpages_free(&p);
	*fpages_slot(&p, 2) = 4096;
	*fpages_slot(&p, far) = 4096 * 7;
	CHECK("a small leaf under a tall tree", !p.small && p.height == 5 && fpages_get(&p, 2) == 4096 &&
						      fpages_get(&p, far) == 4096 * 7 && fpages_next(&p, 3, far + 1, 1) == far);
	fpages_free(&p);
	CHECK("freed: small again next time", !p.root && !p.small);
	return unit_failed;
}
