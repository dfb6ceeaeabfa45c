/* SPDX-License-Identifier: MIT */
/*
 * fork + execve + waitpid: ns per round.  Usage: forkexec N [PROG]
 * PROG (default /bin/true, a dynamic program: its loader and libc's start
 * are part of the round) runs with no arguments and must exit 0.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 100, i;
	char *prog = argc > 2 ? argv[2] : "/bin/true";
	char *args[] = {prog, NULL};
	uint64_t t0;

	t0 = bench_now_ns(argv[0]);
	for (i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			bench_die(argv[0], "fork");
		if (pid == 0) {
			execv(prog, args);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			bench_die(argv[0], "waitpid");
	}
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)n);
	return 0;
}
