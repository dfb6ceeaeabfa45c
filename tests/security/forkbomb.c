/*
 * A fork bomb held by RLIMIT_NPROC (or, with the argument "no-rlimit", by
 * cvisor's --tasks alone): forks until fork fails, prints how many tasks it
 * got and the errno, then kills its whole process group.
 * Refuses to run outside a sandbox (as root on a host it would not be held).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct rlimit rl = {50, 50};
	int n = 1, err = 0;

	if (getpid() != 1) {
		fprintf(stderr, "forkbomb: refusing to run outside a sandbox (not pid 1)\n");
		return 2;
	}
	if (argc < 2 || strcmp(argv[1], "no-rlimit"))
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
