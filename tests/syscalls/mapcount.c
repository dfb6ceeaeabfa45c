/*
 * vm.max_map_count: adjacent mappings of the same kind are merged into one
 * (100000 of them count once), mappings that cannot merge stop at the
 * limit with ENOMEM, and the process goes on.  cvisor once let them grow
 * until the host refused its stub's mmap, and the whole sandbox died.
 */
#include "check.h"

#include <stdlib.h>
#include <sys/mman.h>

#define PAGES 100000L

/* Lines of /proc/self/maps (all of them, or those inside [lo, hi)). */
static long maps(const char *lo, const char *hi)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long s, e;
	char line[512];
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (!lo || (s < (unsigned long)hi && e > (unsigned long)lo)))
			n++;
	fclose(f);
	return n;
}

int main(void)
{
	long ps = sysconf(_SC_PAGESIZE), i, fails = 0, n;
	static char *all[PAGES];
	char *r, *p;
	int err = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	r = mmap(NULL, PAGES * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return 1;

	/* One page at a time over the reservation: each joins the one before. */
	for (i = 0; i < PAGES; i++)
		if (mmap(r + i * ps, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			fails++;
	printf("%ld adjacent fixed mmaps: %ld failed\n", PAGES, fails);
	printf("  mappings over them: %ld\n", maps(r, r + PAGES * ps));
	for (i = 0; i < PAGES; i += 64)
		r[i * ps] = 1;
	printf("  touched\n");

	/* Where the kernel chooses: each new one just below the last, merged with it. */
	n = maps(NULL, NULL);
	for (i = 0, fails = 0; i < PAGES; i++) {
		all[i] = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (all[i] == MAP_FAILED)
			fails++;
	}
	printf("%ld mmaps anywhere: %ld failed\n", PAGES, fails);
	printf("  mappings grew by at most 3: %s\n", maps(NULL, NULL) - n <= 3 ? "yes" : "no");
	for (i = 0, fails = 0; i < PAGES; i++)
		if (all[i] != MAP_FAILED && munmap(all[i], ps) < 0)
			fails++;
	printf("  munmap them: %ld failed\n", fails);

	/* Every other page read-only: each one two more mappings, until the limit. */
	for (i = 0; i < PAGES; i += 2)
		if (mprotect(r + i * ps, ps, PROT_READ) < 0) {
			err = errno;
			break;
		}
	n = maps(NULL, NULL);
	printf("alternating mprotect stops: %s\n", i < PAGES ? errname(err) : "never");
	printf("  near vm.max_map_count then: %s\n", n > 65000 && n <= 65535 ? "yes" : "no");
	p = mmap(NULL, ps, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  a new mmap at the limit: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	r[ps] = 2;
	printf("  the mapped pages still work: %d\n", r[ps] + r[64 * ps]);
	CHECK("  munmap all", munmap(r, PAGES * ps));
	p = mmap(NULL, ps, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("  then a new mmap: %s\n", p == MAP_FAILED ? errname(errno) : "mapped");
	return 0;
}
