/*
 * A fork bomb held by RLIMIT_NPROC: forks until fork fails, prints how
 * many tasks it got and the errno, then kills its whole process group.
 * Refuses to run outside a sandbox (as root on a host it would not be held).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	struct rlimit rl = {50, 50};
	int n = 1, err = 0;

	if (getpid() != 1) {
		fprintf(stderr, "forkbomb: refusing to run outside a sandbox (not pid 1)\n");
		return 2;
	}
	setrlimit(RLIMIT_NPROC, &rl);
	for (;;) {
		pid_t pid = fork();

		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		if (++n > 10000)
			break;
	}
	printf("tasks %d errno %s\n", n, strerrorname_np(err));
	fflush(stdout);
	kill(0, SIGKILL);
	return 0;
}
