/*
 * Processes that share memory without being threads: posix_spawn (glibc
 * reports exec failures through the shared memory of a CLONE_VM|CLONE_VFORK
 * child), vfork, clone(CLONE_VM) running beside its parent, and a
 * CLONE_VM child that outlives its parent.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static volatile int shared_var, flag;

static int child(void *a)
{
	(void)a;
	shared_var = 42;
	return 7;
}

static int pingpong(void *a)
{
	(void)a;
	for (int i = 0; i < 1000; i++) {
		while (flag != 1)
			;
		shared_var++;
		flag = 0;
	}
	return 0;
}

static int orphan(void *a)
{
	int fd = *(int *)a;

	usleep(100000); /* the parent is gone by now */
	shared_var = 99;
	if (write(fd, "orphan wrote after its parent left\n", 35) != 35)
		return 1;
	return 0;
}

int main(void)
{
	char *stack = malloc(1 << 20), *stack2 = malloc(1 << 20);
	int st, r, p2[2];
	pid_t p, c;

	setvbuf(stdout, NULL, _IONBF, 0);
	r = posix_spawn(&p, "/nonexistent/prog", NULL, NULL, (char *[]){"x", NULL}, environ);
	printf("posix_spawn(missing) = %s\n", strerror(r));
	r = posix_spawnp(&p, "true", NULL, NULL, (char *[]){"true", NULL}, environ);
	waitpid(p, &st, 0);
	printf("posix_spawnp(true) = %d, status %d\n", r, WEXITSTATUS(st));

	c = clone(child, stack + (1 << 20), CLONE_VM | SIGCHLD, NULL);
	waitpid(c, &st, 0);
	printf("clone(CLONE_VM): child wrote %d, exit %d\n", shared_var, WEXITSTATUS(st));

	shared_var = 0;
	c = clone(pingpong, stack + (1 << 20), CLONE_VM | SIGCHLD, NULL);
	for (int i = 0; i < 1000; i++) {
		flag = 1;
		while (flag != 0)
			;
	}
	waitpid(c, &st, 0);
	printf("ping-pong through shared memory: %d, exit %d\n", shared_var, WEXITSTATUS(st));

	shared_var = 0;
	c = vfork();
	if (c == 0) {
		shared_var = 5;
		_exit(3);
	}
	waitpid(c, &st, 0);
	printf("vfork: child wrote %d, exit %d\n", shared_var, WEXITSTATUS(st));
	c = vfork();
	if (c == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	printf("vfork+exec: exit %d, memory still ours %d\n", WEXITSTATUS(st), shared_var);

	/* A child sharing our memory outlives us: it reports through a pipe to our parent (the shell). */
	if (pipe(p2) < 0)
		return 1;
	p = fork();
	if (p == 0) {
		close(p2[0]);
		clone(orphan, stack2 + (1 << 20), CLONE_VM | SIGCHLD, &p2[1]);
		_exit(0);
	}
	close(p2[1]);
	waitpid(p, &st, 0);
	{
		char buf[64];
		ssize_t n = read(p2[0], buf, sizeof(buf));

		printf("%.*s", n > 0 ? (int)n : 0, buf);
	}
	return 0;
}
