/*
 * waitid on a child that is stopped and then continued: CLD_STOPPED with
 * the stop signal, then CLD_CONTINUED with SIGCONT.  (stress-ng's wait
 * stressor found the sentry giving CLD_STOPPED and status 255 for the
 * second: the continued status word 0xffff also ends in a stop's 0x7f.)
 */
#include "check.h"

#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	CHECK("waitid(WSTOPPED)", waitid(P_PID, pid, &si, WSTOPPED));
	printf("code %s status %d\n", si.si_code == CLD_STOPPED ? "CLD_STOPPED" : "other", si.si_status);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	CHECK("waitid(WCONTINUED)", waitid(P_PID, pid, &si, WCONTINUED));
	printf("code %s status %d\n", si.si_code == CLD_CONTINUED ? "CLD_CONTINUED" : "other", si.si_status);
	kill(pid, SIGKILL);
	memset(&si, 0, sizeof(si));
	CHECK("waitid(WEXITED)", waitid(P_PID, pid, &si, WEXITED));
	printf("code %s status %d\n", si.si_code == CLD_KILLED ? "CLD_KILLED" : "other", si.si_status);
	return 0;
}
