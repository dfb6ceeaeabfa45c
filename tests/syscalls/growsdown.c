/*
 * MAP_GROWSDOWN mappings grow down when touched below their start, as
 * Linux's expand_stack: the mapping (in /proc/self/maps) takes the page,
 * up to RLIMIT_STACK, and never into the guard gap (256 pages) above a
 * mapping below.  Each touch runs in a child so a SIGSEGV is reported.
 */
#include "check.h"
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MB (1UL << 20)

static char *g;

/* The size of the mapping that holds addr, from /proc/self/maps (0: none). */
static unsigned long vma_size(uintptr_t addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char l[512];
	unsigned long size = 0;

	while (f && fgets(l, sizeof(l), f)) {
		uintptr_t s = strtoull(l, NULL, 16), e = strtoull(strchr(l, '-') + 1, NULL, 16);

		if (s <= addr && addr < e)
			size = e - s;
	}
	if (f)
		fclose(f);
	return size;
}

static void touch(const char *what, unsigned long below, unsigned long stack_limit)
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		volatile char *q = g - below;

		if (stack_limit) {
			struct rlimit rl = {stack_limit, stack_limit};

			setrlimit(RLIMIT_STACK, &rl);
		}
		*q = 5;
		printf("%s: grew, reads %d, mapping now %lu KiB\n", what, *q, vma_size((uintptr_t)q) / 1024);
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: %s\n", what, sigabbrev_np(WTERMSIG(st)));
}

int main(void)
{
	char *res = mmap(NULL, 8 * MB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *below;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (res == MAP_FAILED)
		return 1;
	/* 8 MiB of nothing below a 16 KiB MAP_GROWSDOWN mapping. */
	munmap(res, 8 * MB);
	g = mmap(res + 8 * MB - 16384, 16384, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED, -1, 0);
	if (g == MAP_FAILED)
		return 1;
	printf("mapping %lu KiB\n", vma_size((uintptr_t)g) / 1024);
	touch("one page below", 4096, 0);
	touch("64 KiB below", 65536, 0);
	touch("5 MiB below", 5 * MB, 0);
	touch("5 MiB below, RLIMIT_STACK 1 MiB", 5 * MB, MB);
	/* A mapping below, 1 MiB + 64 KiB under the start: its guard gap ends at 64 KiB below. */
	below = mmap(g - 2 * MB - 64 * 1024, MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (below == MAP_FAILED)
		return 1;
	touch("32 KiB below, clear of the gap", 32 * 1024, 0);
	touch("200 KiB below, in the gap", 200 * 1024, 0);
	CHECK("mprotect of the PROT_NONE below", mprotect(below, MB, PROT_NONE));
	touch("200 KiB below, the mapping below inaccessible", 200 * 1024, 0);
	printf("parent's mapping %lu KiB\n", vma_size((uintptr_t)g) / 1024);
	return 0;
}
