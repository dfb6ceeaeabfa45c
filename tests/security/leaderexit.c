/*
 * A process whose first thread has ended (pthread_exit) while another
 * spins is killed from outside: the whole process must go, on the host
 * too.  Prints "status 9" and then waits for the caller to look at the
 * sandbox's host processes (tests/security/run.sh) before it ends.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void *spin(void *a)
{
	(void)a;
	for (;;)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t child;
	int st;

	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	child = fork();
	if (child == 0) {
		pthread_create(&t, NULL, spin, NULL);
		pthread_exit(NULL);
	}
	usleep(200000);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	printf("status %d\n", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	/* Until the caller has looked (a file appears), at most 10 s. */
	for (st = 0; st < 100 && access(argv[1], F_OK) != 0; st++)
		usleep(100000);
	return 0;
}
