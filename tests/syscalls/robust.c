/*
 * Robust mutexes: a lock whose owner dies (a thread that returns, a
 * process that _exits, one killed by SIGKILL, one that exits while the
 * other side already waits) comes to the next locker as EOWNERDEAD, for
 * process-shared mutexes in MAP_SHARED memory too.  A 2 s timed lock
 * turns a lost wake-up into ETIMEDOUT instead of a hang.
 */
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static pthread_mutex_t m1;

static void *die_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m1);
	return NULL;
}

static void robust_init(pthread_mutex_t *m, int pshared)
{
	pthread_mutexattr_t at;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	if (pshared)
		pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(m, &at);
}

static void lock_after_death(pthread_mutex_t *m, const char *what)
{
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 2;
	r = pthread_mutex_timedlock(m, &ts);
	printf("%s: %s\n", what, r ? errname(r) : "0");
	if (r == EOWNERDEAD)
		pthread_mutex_consistent(m);
	if (r == 0 || r == EOWNERDEAD)
		pthread_mutex_unlock(m);
}

int main(void)
{
	static const char *const how[] = {"child _exit holding", "child SIGKILLed holding",
					  "child exits holding while the parent waits"};
	pthread_mutex_t *m;
	pthread_t th;
	int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	robust_init(&m1, 0);
	pthread_create(&th, NULL, die_holding, NULL);
	pthread_join(th, NULL);
	lock_after_death(&m1, "thread died holding");

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < 3; i++) {
		int p[2];
		pid_t pid;
		char c;

		robust_init(m, 1);
		if (pipe(p))
			return 1;
		pid = fork();
		if (pid == 0) {
			pthread_mutex_lock(m);
			write(p[1], "x", 1);
			if (i == 1)
				pause();
			if (i == 2)
				usleep(300 * 1000);
			_exit(0);
		}
		read(p[0], &c, 1);
		if (i == 1)
			kill(pid, SIGKILL);
		if (i != 2)
			waitpid(pid, NULL, 0);
		lock_after_death(m, how[i]);
		if (i == 2)
			waitpid(pid, NULL, 0);
		close(p[0]);
		close(p[1]);
	}
	return 0;
}
