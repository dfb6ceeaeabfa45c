/*
 * execve starts the new program with a clean FPU and vector state, as Linux
 * does: nothing the old program left in its registers shows.  The kvm
 * platform once kept the vCPU's vector registers across an execve (the
 * thread, and so its vCPU, is the same); and a vCPU handed from an ended
 * thread to a new process kept the old one's.  Both are checked: after
 * execve, and in a process forked after a thread that set them has ended.
 *
 * xmm7 is read at the program's first instruction, before any C library
 * code: the library's own start-up (string functions that compare 16 bytes
 * at a time) may leave a value there, and which one depends on the CPU
 * features a platform offers and on where the strings happen to lie.  So the
 * program is static, and its entry point saves xmm7 and goes on to _start.
 */
/* build: -static -Wl,-e,fpu_exec_entry */
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

/* xmm7 as the program found it, saved by fpu_exec_entry. */
uint64_t xmm7_at_entry[2];

/* rdx (the kernel's 0) and rsp (argc, argv, ...) reach _start unchanged. */
__asm__(".globl fpu_exec_entry\n"
	"fpu_exec_entry:\n"
	"	movdqu %xmm7, xmm7_at_entry(%rip)\n"
	"	jmp _start\n");

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
		uint64_t v = xmm7_at_entry[0] | xmm7_at_entry[1];

		/* When it is not clean, the value says whose it was (a failure's diff shows this line). */
		if (v)
			printf("%s: xmm7 holds the old program's value (%#llx; the secret is %#llx, the parent's %#llx)\n",
			       argv[1], (unsigned long long)v, 0x5ec7e75ec7e7ULL, 0x9a7e9a7e9a7eULL);
		else
			printf("%s: xmm7 clean\n", argv[1]);
		return 0;
	}
	/* A thread that ends with a value in xmm7; then new processes, which must not see it. */
	pthread_create(&t, NULL, leave_secret, NULL);
	pthread_join(t, NULL);
	for (int i = 0; i < 3; i++) {
		/* The parent's own value is not the child's after execve either. */
		set_xmm7(0x9a7e9a7e9a7eULL);
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
