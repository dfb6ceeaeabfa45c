/* The main thread leaves with pthread_exit; the process lives on in its other threads. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *worker(void *a)
{
	usleep(100000);
	printf("worker outlived main: %s\n", (char *)a);
	return NULL;
}

int main(void)
{
	pthread_t t;

	setvbuf(stdout, NULL, _IONBF, 0);
	pthread_create(&t, NULL, worker, "yes");
	pthread_exit(NULL);
}
