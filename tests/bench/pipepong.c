/* SPDX-License-Identifier: MIT */
/* One byte bounced between two processes over two pipes: ns per round trip.  Usage: pipepong N */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 1000, i;
	int ping[2], pong[2], st;
	char c = 'x';
	uint64_t t0;
	pid_t pid;

	if (pipe(ping) || pipe(pong))
		bench_die(argv[0], "pipe");
	pid = fork();
	if (pid < 0)
		bench_die(argv[0], "fork");
	if (pid == 0) {
		for (i = 0; i < n; i++)
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	t0 = bench_now_ns(argv[0]);
	for (i = 0; i < n; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			bench_die(argv[0], "ping-pong");
	printf("%.0f\n", (double)(bench_now_ns(argv[0]) - t0) / (double)n);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		bench_die(argv[0], "child");
	return 0;
}
