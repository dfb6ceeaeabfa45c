/* SPDX-License-Identifier: MIT */
/*
 * hostpids PARK: run in a sandbox whose host cgroup has a pids limit,
 * prints how many threads the main process could make before
 * pthread_create failed.
 *
 * First it forks three children that stay alive to the end.  With PARK 1
 * each of them first makes and joins eight threads, and two more children
 * run and exit: a platform may keep host threads or stub processes for the
 * next thread or process (systrap parks an ended thread for its process's
 * next, and pools the stub of a process that ended).  Those are host tasks
 * the guest does not see, and the cgroup counts them; when the host refuses
 * a thread, the platform must give them back rather than fail the guest's
 * clone.  So the count must be the same with PARK 0 and PARK 1
 * (tests/security/run.sh compares the two runs).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILDREN 3
#define PARKED 8
#define MAX_THREADS 4096

static int gate[2];

static void *idle(void *arg)
{
	char c;

	(void)arg;
	if (read(gate[0], &c, 1) < 0)
		perror("read");
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

static pthread_t threads[MAX_THREADS];

int main(int argc, char **argv)
{
	int park = argc > 1 && atoi(argv[1]);
	pid_t kids[CHILDREN];
	int i, n, ready[2];
	char c;

	if (pipe(gate) < 0 || pipe(ready) < 0)
		return 2;
	for (i = 0; i < CHILDREN; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return 2;
		if (kids[i] == 0) {
			for (n = 0; park && n < PARKED; n++) {
				pthread_t t;

				if (pthread_create(&t, NULL, nothing, NULL) || pthread_join(t, NULL))
					_exit(3);
			}
			if (write(ready[1], "r", 1) != 1)
				_exit(3);
			pause();
			_exit(0);
		}
		if (read(ready[0], &c, 1) != 1)
			return 2;
	}
	for (i = 0; park && i < 2; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p < 0 || waitpid(p, NULL, 0) != p)
			return 2;
	}
	for (n = 0; n < MAX_THREADS; n++)
		if (pthread_create(&threads[n], NULL, idle, NULL))
			break;
	for (i = 0; i < n; i++)
		if (write(gate[1], "x", 1) != 1)
			return 2;
	for (i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < CHILDREN; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	printf("threads %d\n", n);
	return n == MAX_THREADS ? 4 : 0;
}
