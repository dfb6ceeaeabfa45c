/*
 * madvise's fork advice and the checks on who may take which advice:
 * MADV_WIPEONFORK (a child sees zeroes, only on private anonymous memory,
 * undone by MADV_KEEPONFORK, on part of a mapping), MADV_DONTFORK (the
 * child has no such mapping), MADV_FREE only on private anonymous memory,
 * MADV_DONTNEED_LOCKED, and mprotect's PROT_GROWSDOWN/PROT_GROWSUP.
 */
#include "check.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

static char *m;

/* What a child sees at m[0] and m[4096] (or how it died). */
static void child_sees(const char *what)
{
	int st;
	pid_t p = fork();

	if (p == 0) {
		printf("%s: child sees %d %d\n", what, m[0], m[4096]);
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: child killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
}

int main(void)
{
	char *fm, *sh, *g;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m[0] = 1;
	m[4096] = 2;
	child_sees("plain");
	CHECK("MADV_WIPEONFORK first page", madvise(m, 4096, MADV_WIPEONFORK));
	child_sees("wipeonfork");
	printf("parent still sees %d %d\n", m[0], m[4096]);
	CHECK("MADV_KEEPONFORK", madvise(m, 4096, MADV_KEEPONFORK));
	child_sees("keeponfork");
	CHECK("MADV_DONTFORK second page", madvise(m + 4096, 4096, MADV_DONTFORK));
	child_sees("dontfork");
	CHECK("MADV_DOFORK", madvise(m + 4096, 4096, MADV_DOFORK));
	child_sees("dofork");

	fd = open("/tmp/cvt-madv", O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (ftruncate(fd, 8192) < 0)
		return 1;
	fm = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	sh = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK("WIPEONFORK private file", madvise(fm, 4096, MADV_WIPEONFORK));
	CHECK("WIPEONFORK shared anon", madvise(sh, 4096, MADV_WIPEONFORK));
	CHECK("KEEPONFORK shared anon", madvise(sh, 4096, MADV_KEEPONFORK));
	CHECK("MADV_FREE private file", madvise(fm, 4096, MADV_FREE));
	CHECK("MADV_FREE shared anon", madvise(sh, 4096, MADV_FREE));
	CHECK("MADV_FREE private anon", madvise(m, 4096, MADV_FREE));
	CHECK("MADV_DONTNEED_LOCKED", madvise(m, 4096, 24));
	printf("after DONTNEED_LOCKED: %d\n", m[0]);
	CHECK("DONTFORK on file", madvise(fm, 4096, MADV_DONTFORK));

	CHECK("PROT_GROWSDOWN on a plain mapping", mprotect(m + 4096, 4096, PROT_READ | PROT_GROWSDOWN));
	CHECK("PROT_GROWSUP", mprotect(m, 4096, PROT_READ | PROT_GROWSUP));
	CHECK("both", mprotect(m, 4096, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP));
	g = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	if (g == MAP_FAILED)
		return 1;
	CHECK("PROT_GROWSDOWN on MAP_GROWSDOWN, from its top page", mprotect(g + 3 * 4096, 4096, PROT_READ | PROT_GROWSDOWN));
	{
		/* The whole mapping went read-only: a write to its first page faults. */
		int st;
		pid_t p = fork();

		if (p == 0) {
			g[0] = 1;
			_exit(0);
		}
		waitpid(p, &st, 0);
		printf("write to the first page: %s\n", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "ok");
	}
	return 0;
}
