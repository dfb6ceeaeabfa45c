/*
 * Runs a command as a child subreaper and reports what of it outlived it:
 * every process the command started and did not reap becomes this one's
 * child when the command exits.  Prints "left N" (those still there, alive
 * or zombie, once the command itself has been reaped), kills and reaps the
 * live ones (by pid: only its own children), and exits with the command's
 * status.  Checks that `cvisor do` leaves nothing behind (gofer, stubs).
 * Usage: reaper CMD [ARGS...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status = 0, st, left = 0;
	char path[64];
	pid_t pid, p;
	FILE *f;

	if (argc < 2 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		fprintf(stderr, "usage: reaper CMD [ARGS...] (as a subreaper)\n");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return 2;
	/* The command's orphans were made our children before it could be reaped: zombies first. */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0)
		left++;
	/* Then the live ones, from the kernel's list of our children. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", getpid(), getpid());
	f = fopen(path, "r");
	if (f) {
		long c;

		while (fscanf(f, "%ld", &c) == 1 && c > 0) {
			left++;
			kill((pid_t)c, SIGKILL);
			waitpid((pid_t)c, &st, 0);
		}
		fclose(f);
	}
	printf("left %d\n", left);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
