/* Priority-inheritance mutexes (PI futexes under glibc) shared by 4 threads. */
#include <pthread.h>
#include <stdio.h>
static pthread_mutex_t m; static long n;
static void *w(void *a) { for (int i = 0; i < 20000; i++) { pthread_mutex_lock(&m); n++; pthread_mutex_unlock(&m); } return a; }
int main(void) {
	pthread_mutexattr_t at; pthread_mutexattr_init(&at); pthread_mutexattr_setprotocol(&at, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&m, &at); pthread_t t[4];
	for (int i = 0; i < 4; i++) pthread_create(&t[i], 0, w, 0);
	for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
	printf("pi total %ld\n", n); return 0;
}
