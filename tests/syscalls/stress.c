/* Stress: a storm of 10000 signals to one thread, and 1000 threads created and joined. */
#include "check.h"

#include <pthread.h>
#include <signal.h>

static volatile long handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void *nothing(void *arg)
{
	return arg;
}

int main(void)
{
	struct sigaction sa = {0};
	long i, joined = 0;

	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < 10000; i++)
		raise(SIGUSR1);
	printf("signals handled %ld\n", handled);
	for (i = 0; i < 1000; i++) {
		pthread_t th;
		void *r;

		if (pthread_create(&th, NULL, nothing, (void *)i) != 0)
			break;
		if (pthread_join(th, &r) == 0 && (long)r == i)
			joined++;
	}
	printf("threads joined %ld\n", joined);
	return 0;
}
