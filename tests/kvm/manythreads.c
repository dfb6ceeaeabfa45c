/*
 * More application threads than KVM gives a VM vCPUs (1024): the threads
 * past that take the vCPUs of threads blocked in a system call, whose FPU
 * state waits for them aside.  Each thread checks that its own vector
 * register came back after it blocked.  Prints "N threads: ok".
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#define N 1100

static int fds[2];

static void *worker(void *arg)
{
	uint64_t mine = (uintptr_t)arg * 0x10001 + 1, x[2] = {mine, mine}, y[2];
	char c;

	__asm__ volatile("movdqu %0, %%xmm6" : : "m"(x) : "xmm6");
	if (read(fds[0], &c, 1) != 1)
		return (void *)1;
	__asm__ volatile("movdqu %%xmm6, %0" : "=m"(y));
	return (void *)(uintptr_t)(y[0] != mine);
}

int main(void)
{
	static pthread_t t[N];
	pthread_attr_t a;
	int i, bad = 0;
	void *r;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	if (pipe(fds) < 0)
		return 1;
	for (i = 0; i < N; i++)
		if (pthread_create(&t[i], &a, worker, (void *)(uintptr_t)i)) {
			printf("thread %d: cannot create\n", i);
			return 1;
		}
	for (i = 0; i < N; i++)
		if (write(fds[1], "x", 1) != 1)
			return 1;
	for (i = 0; i < N; i++) {
		pthread_join(t[i], &r);
		bad += r != NULL;
	}
	printf("%d threads: %s\n", N, bad ? "a vector register was lost" : "ok");
	return bad != 0;
}
