/*
 * wait4 blocked when a child exits, with a SIGCHLD handler and no
 * SA_RESTART: Linux returns the child (it looks for it before giving up on
 * the signal) and runs the handler after.  cvisor returned EINTR (strace
 * of sh showed it).
 */
#include "check.h"

#include <signal.h>
#include <sys/wait.h>

static volatile int handled;

static void on_chld(int sig)
{
	(void)sig;
	handled++;
}

int main(void)
{
	struct sigaction sa;
	int st, i, ok = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	for (i = 0; i < 5; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			usleep(20000);
			_exit(3);
		}
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3)
			ok++;
		else
			printf("waitpid: %s\n", errname(errno));
	}
	printf("children waited for: %d of 5, handler ran: %d\n", ok, handled == 5);
	return 0;
}
