/* SPDX-License-Identifier: MIT */
/* fork + _exit + waitpid: ns per round.  Usage: forkwait N */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 100, i;
	uint64_t t0;

	t0 = bench_now_ns(argv[0]);
	for (i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			bench_die(argv[0], "fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			bench_die(argv[0], "waitpid");
	}
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)n);
	return 0;
}
