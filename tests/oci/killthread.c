/* KILL_THREAD's test: a second thread makes the call the profile kills; the first joins it, then (with an argument) makes it too. */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *victim(void *arg)
{
	(void)arg;
	syscall(SYS_sync);
	puts("the thread lived on");
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;

	(void)argv;
	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_create(&th, NULL, victim, NULL);
	pthread_join(th, NULL);
	puts("joined the killed thread");
	if (argc > 1)
		syscall(SYS_sync); /* the last thread: the process ends */
	puts("the process lived on");
	return 0;
}
