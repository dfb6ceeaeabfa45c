/*
 * Makes the host refuse a stub's mapping: memory-file frames handed out
 * in an order that no two neighbouring pages share, so that every page is
 * a host mapping of its own in the stub, past the host's vm.max_map_count.
 * The child must run to the end, as on Linux, and the sandbox go on.
 * Prints "child finished" and "parent alive"; exit 0.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 140000L

int main(void)
{
	long i, ps = sysconf(_SC_PAGESIZE);
	int st;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid == 0) {
		char *a = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *b = mmap(NULL, PAGES / 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (a == MAP_FAILED || b == MAP_FAILED)
			_exit(2);
		for (i = 0; i < PAGES; i++)
			a[i * ps] = 1;
		/* Every other frame back, then taken again by b's pages, one by one. */
		for (i = 0; i < PAGES; i += 2)
			madvise(a + i * ps, ps, MADV_DONTNEED);
		for (i = 0; i < PAGES / 2; i++)
			b[i * ps] = 2;
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	printf("child %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "finished" :
			     WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? "killed" : "failed otherwise");
	printf("parent alive\n");
	return 0;
}
