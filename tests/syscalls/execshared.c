/*
 * execve from a process that shares something with its parent: a vfork
 * child (the address space, until the exec) and a CLONE_VM|CLONE_SIGHAND
 * child (the signal actions, which the exec must unshare before resetting
 * its handlers, so the parent's stay).  tests/unit/exec_late.sh runs it
 * again with the exec failing past its point of no return.
 */
#include "check.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

static void on_usr1(int sig) { (void)sig; }

static void report(const char *who, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", who, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", who, sigabbrev_np(WTERMSIG(st)));
	fflush(stdout);
}

static int child(void *arg)
{
	(void)arg;
	execl("/bin/true", "true", (char *)NULL);
	return 127;
}

int main(void)
{
	struct sigaction sa, old;
	char *stack = malloc(1 << 16);
	pid_t pid;
	int st = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);

	pid = vfork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	report("vfork child", st);

	pid = clone(child, stack + (1 << 16), CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
	waitpid(pid, &st, __WALL);
	report("CLONE_SIGHAND child", st);
	sigaction(SIGUSR1, NULL, &old);
	printf("the parent's SIGUSR1 handler is kept: %s\n", old.sa_handler == on_usr1 ? "yes" : "no");
	return 0;
}
