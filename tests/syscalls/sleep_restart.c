/* A sleep stopped and continued goes on to its end (restart_syscall); a handled signal ends it with EINTR and the time left. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static void h(int s) { (void)s; }
int main(void) {
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = {0, 400000000}, rem;
		int r = nanosleep(&ts, &rem);
		printf("child nanosleep %d %s\n", r, r ? "EINTR" : "completed");
		signal(SIGUSR1, h);
		ts.tv_sec = 5;
		r = nanosleep(&ts, &rem);
		printf("child with handler %d errno %d left>3 %d\n", r, r ? errno : 0, rem.tv_sec >= 3);
		return 0;
	}
	usleep(100000); kill(pid, SIGSTOP); usleep(100000); kill(pid, SIGCONT);
	usleep(600000); kill(pid, SIGUSR1);
	int st; waitpid(pid, &st, 0); printf("done %d\n", WEXITSTATUS(st));
	return 0;
}
