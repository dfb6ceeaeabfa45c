/* Threads: 8 threads, a mutex, a condition variable and joins (futexes under glibc). */
#include <pthread.h>
#include <stdio.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static long total; static int ready;
static void *work(void *arg) {
	long id = (long)arg;
	for (int i = 0; i < 10000; i++) { pthread_mutex_lock(&m); total += id; pthread_mutex_unlock(&m); }
	pthread_mutex_lock(&m); ready++; pthread_cond_signal(&c); pthread_mutex_unlock(&m);
	return (void *)id;
}
int main(void) {
	pthread_t th[8];
	for (long i = 0; i < 8; i++) pthread_create(&th[i], 0, work, (void *)i);
	pthread_mutex_lock(&m); while (ready < 8) pthread_cond_wait(&c, &m); pthread_mutex_unlock(&m);
	long s = 0; for (int i = 0; i < 8; i++) { void *r; pthread_join(th[i], &r); s += (long)r; }
	printf("total %ld sum %ld\n", total, s);
	return 0;
}
