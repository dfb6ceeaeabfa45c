/*
 * remap_file_pages: a shared file mapping's page shows another page of the
 * file, writes through it reach that page, /proc/self/maps shows the new
 * offset; and the errors: prot, a private or anonymous mapping, nothing
 * mapped, a range running past the mapping, an empty range, an offset
 * that wraps.
 */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define F "/tmp/cvt-remapfp"
#define PG 4096

static void show_maps(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *off;

		if (!strstr(line, "cvt-remapfp"))
			continue;
		/* The permissions and offset columns; addresses differ from run to run. */
		off = strchr(line, ' ');
		if (off)
			printf("  maps:%.*s\n", 15, off);
	}
	if (f)
		fclose(f);
}

int main(void)
{
	char page[PG], got[8] = {0};
	char *m, *p;
	int fd, i;

	setvbuf(stdout, NULL, _IONBF, 0);
	fd = open(F, O_CREAT | O_RDWR | O_TRUNC, 0600);
	for (i = 0; i < 4; i++) {
		memset(page, 'a' + i, sizeof(page));
		if (write(fd, page, sizeof(page)) != sizeof(page))
			return 1;
	}
	m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED || p == MAP_FAILED)
		return 1;
	printf("before: %c %c %c %c\n", m[0], m[PG], m[2 * PG], m[3 * PG]);
	CHECK("remap page 0 to file page 3", syscall(SYS_remap_file_pages, m, PG, 0, 3, 0));
	printf("after: %c %c %c %c\n", m[0], m[PG], m[2 * PG], m[3 * PG]);
	show_maps();
	m[1] = 'Z';
	CHECK("pread of file page 3", pread(fd, got, 2, 3 * PG));
	printf("  the write reached file page 3: %.2s, and shows at m[3 pages]: %c\n", got, m[3 * PG + 1]);
	CHECK("two pages to 0 and 1 (unaligned address and size rounded down)",
	      syscall(SYS_remap_file_pages, m + 5, 2 * PG + 100, 0, 0, 0));
	printf("after: %c %c %c %c\n", m[0], m[PG], m[2 * PG], m[3 * PG]);
	CHECK("flags other than MAP_NONBLOCK ignored", syscall(SYS_remap_file_pages, m, PG, 0, 2, MAP_PRIVATE));
	printf("  page 0 now %c\n", m[0]);

	CHECK("prot not 0", syscall(SYS_remap_file_pages, m, PG, PROT_READ, 1, 0));
	CHECK("a private mapping", syscall(SYS_remap_file_pages, p, PG, 0, 1, 0));
	{
		char *anon = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		CHECK("a shared anonymous mapping", syscall(SYS_remap_file_pages, anon, PG, 0, 0, 0));
	}
	CHECK("nothing mapped", syscall(SYS_remap_file_pages, (void *)0x10000, PG, 0, 0, 0));
	CHECK("past the mapping's end", syscall(SYS_remap_file_pages, m + 3 * PG, 2 * PG, 0, 0, 0));
	CHECK("size 0", syscall(SYS_remap_file_pages, m, 0, 0, 0, 0));
	CHECK("offset that wraps", syscall(SYS_remap_file_pages, m, 2 * PG, 0, ~0UL, 0));
	unlink(F);
	return 0;
}
