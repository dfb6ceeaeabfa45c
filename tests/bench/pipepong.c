/* SPDX-License-Identifier: MIT */
/*
 * One byte bounced between two processes over two pipes: ns per round trip.
 * Usage: pipepong N [IDLE]
 *
 * With IDLE, a third process first puts IDLE threads to sleep, each in a
 * read of a pipe of its own that nothing writes until the end: a kernel
 * that wakes every sleeper on any event (instead of the waiters of the pipe
 * that changed) makes the ping-pong slower the more of them there are.
 */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static long started;

static void *idle_reader(void *arg)
{
	char c;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	return (void *)(long)read((int)(long)arg, &c, 1);
}

/* The idle process: IDLE sleeping readers; says so on ready, ends when quit is closed. */
static void idler(const char *prog, long idle, int ready, int quit)
{
	pthread_attr_t attr;
	pthread_t th;
	char c = 'r';
	long i;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (i = 0; i < idle; i++)
		if (pthread_create(&th, &attr, idle_reader, (void *)(long)quit))
			bench_die(prog, "pthread_create");
	/* Once all run, they are (about to be) asleep: the sandbox has as many sleeping tasks. */
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < idle)
		usleep(10000);
	usleep(200000);
	if (write(ready, &c, 1) != 1)
		bench_die(prog, "ready");
	/* Every reader reads the quit pipe: its end wakes them all at once. */
	read(quit, &c, 1);
	_exit(0);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? bench_count(argv[0], argv[1]) : 1000, i;
	long idle = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	int ping[2], pong[2], ready[2], quit[2], st;
	char c = 'x';
	uint64_t t0;
	pid_t pid, ipid = -1;

	if (pipe(ping) || pipe(pong) || pipe(ready) || pipe(quit))
		bench_die(argv[0], "pipe");
	if (idle > 0) {
		ipid = fork();
		if (ipid < 0)
			bench_die(argv[0], "fork");
		if (ipid == 0) {
			close(quit[1]);
			idler(argv[0], idle, ready[1], quit[0]);
		}
		close(quit[0]);
		if (read(ready[0], &c, 1) != 1)
			bench_die(argv[0], "idle threads");
	}
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
	if (ipid > 0) {
		close(quit[1]);
		if (waitpid(ipid, &st, 0) != ipid)
			bench_die(argv[0], "idle process");
	}
	return 0;
}
