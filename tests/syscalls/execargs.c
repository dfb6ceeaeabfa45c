/*
 * execve's limits on arguments and environment (execve(2), "Limits on size
 * of arguments and environment"): one string up to MAX_ARG_STRLEN (32 pages,
 * counting its NUL), all of argv and envp (strings and pointers) up to a
 * quarter of RLIMIT_STACK, never less than 32 pages; E2BIG past either.
 */
#include "check.h"
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define ARG_STRLEN (32 * 4096)

/* Runs /proc/self/exe with nargs arguments of len bytes each under a stack limit; prints what happened. */
static void try(const char *what, rlim_t stack, int nargs, size_t len)
{
	char **argv = calloc((size_t)nargs + 3, sizeof(*argv));
	char *envp[] = {"A=1", NULL};
	char *s = malloc(len + 1);
	int st;
	pid_t p;

	memset(s, 'x', len);
	s[len] = 0;
	argv[0] = "execargs";
	argv[1] = "child";
	for (int i = 0; i < nargs; i++)
		argv[2 + i] = s;
	fflush(stdout);
	p = fork();
	if (p == 0) {
		struct rlimit rl = {stack, stack};

		if (setrlimit(RLIMIT_STACK, &rl) < 0)
			_exit(90);
		execve("/proc/self/exe", argv, envp);
		printf("%s: execve = -1 %s\n", what, errname(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		printf("%s: child status %#x\n", what, st);
	free(s);
	free(argv);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child")) {
		size_t total = 0;

		for (int i = 2; i < argc; i++)
			total += strlen(argv[i]);
		printf("  ran with %d arguments, %zu bytes\n", argc - 2, total);
		return 0;
	}
	try("one of 100 KiB", 8 << 20, 1, 100 << 10);
	try("one of MAX_ARG_STRLEN-1", 8 << 20, 1, ARG_STRLEN - 1);
	try("one of MAX_ARG_STRLEN", 8 << 20, 1, ARG_STRLEN);
	try("19 of 100 KiB, 8 MiB stack", 8 << 20, 19, 100 << 10);
	try("21 of 100 KiB, 8 MiB stack", 8 << 20, 21, 100 << 10);
	try("2 of 100 KiB, 1 MiB stack", 1 << 20, 2, 100 << 10);
	try("3 of 100 KiB, 1 MiB stack", 1 << 20, 3, 100 << 10);
	/* A stack limit below 128 KiB still bounds the strings, which must fit in it. */
	try("1 of 100 KiB, 64 KiB stack", 64 << 10, 1, 100 << 10);
	try("1 of 100 KiB, 128 KiB stack", 128 << 10, 1, 100 << 10);
	try("2 of 100 KiB, 128 KiB stack", 128 << 10, 2, 100 << 10);
	try("60 of 100 KiB, 32 MiB stack", 32 << 20, 60, 100 << 10);
	try("62 of 100 KiB, unlimited stack", RLIM_INFINITY, 62, 100 << 10);
	try("63 of 100 KiB, unlimited stack", RLIM_INFINITY, 63, 100 << 10);
	try("20000 empty, 1 MiB stack", 1 << 20, 20000, 0);
	try("40000 empty, 1 MiB stack", 1 << 20, 40000, 0);
	return 0;
}
