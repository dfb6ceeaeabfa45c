/* SPDX-License-Identifier: MIT */
/*
 * mmap 64 KiB of anonymous memory, write each of its pages, munmap it: ns
 * per round.  The first touch of each page is a page fault; a sandbox that
 * maps only the faulting page pays sixteen of them.  Usage: mmaptouch N
 */
#include <sys/mman.h>

#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 100, i, off;
	const long size = 64 << 10;
	uint64_t t0;

	t0 = bench_now_ns(argv[0]);
	for (i = 0; i < n; i++) {
		volatile char *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			bench_die(argv[0], "mmap");
		for (off = 0; off < size; off += 4096)
			p[off] = 1;
		if (munmap((void *)p, (size_t)size) < 0)
			bench_die(argv[0], "munmap");
	}
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)n);
	return 0;
}
