/*
 * execve starts the new program with a clean FPU and vector state, as Linux
 * does: nothing the old program left in its registers shows.  The kvm
 * platform once kept the vCPU's vector registers across an execve (the
 * thread, and so its vCPU, is the same); and a vCPU handed from an ended
 * thread to a new process kept the old one's.  Both are checked: after
 * execve, and in a process forked after a thread that set them has ended.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static void set_xmm7(uint64_t v)
{
	uint64_t x[2] = {v, v};

	__asm__ volatile("movdqu %0, %%xmm7" : : "m"(x) : "xmm7");
}

static uint64_t get_xmm7(void)
{
	uint64_t x[2];

	__asm__ volatile("movdqu %%xmm7, %0" : "=m"(x));
	return x[0] | x[1];
}

static void *leave_secret(void *arg)
{
	(void)arg;
	set_xmm7(0x5ec7e75ec7e7ULL);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t;
	pid_t pid;
	int st;

	if (argc > 1) {
		uint64_t v = get_xmm7();

		/* When it is not clean, the value says whose it was (a failure's diff shows this line). */
		if (v)
			printf("%s: xmm7 holds the old program's value (%#llx; the secret is %#llx)\n", argv[1],
			       (unsigned long long)v, 0x5ec7e75ec7e7ULL);
		else
			printf("%s: xmm7 clean\n", argv[1]);
		return 0;
	}
	/* A thread that ends with a value in xmm7; then new processes, which must not see it. */
	pthread_create(&t, NULL, leave_secret, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 3; i++) {
		pid = fork();
		if (pid == 0) {
			execl("/proc/self/exe", argv[0], "a new process", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
	}
	fflush(stdout);
	set_xmm7(0x5ec7e75ec7e7ULL);
	execl("/proc/self/exe", argv[0], "after execve", (char *)NULL);
	return 1;
}
