/*
 * /proc/PID/stat's and status's state: R for a process running (itself,
 * reading it; a child spinning), S for one asleep in a system call.  LTP
 * waits for S before it signals or removes what a child waits on (semop03):
 * a child shown S while it had not yet blocked lost the race.
 */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <time.h>

static char state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return '?';
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* Whether pid shows c within two seconds. */
static int shows(pid_t pid, char c)
{
	for (int i = 0; i < 2000; i++) {
		if (state(pid) == c)
			return 1;
		usleep(1000);
	}
	return 0;
}

int main(void)
{
	pid_t sleeper, spinner;
	char line[64] = "";
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f) && strncmp(line, "State:", 6))
		;
	if (f)
		fclose(f);
	printf("self, status: %s", line);
	printf("self, stat: %c\n", state(getpid()));
	sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	spinner = fork();
	if (spinner == 0)
		for (;;)
			__asm__ volatile("" ::: "memory");
	printf("a child in pause() shows S: %d\n", shows(sleeper, 'S'));
	printf("a spinning child shows R: %d\n", shows(spinner, 'R'));
	kill(sleeper, SIGKILL);
	kill(spinner, SIGKILL);
	waitpid(sleeper, NULL, 0);
	waitpid(spinner, NULL, 0);
	return 0;
}
