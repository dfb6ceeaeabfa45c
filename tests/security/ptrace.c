/*
 * The ptrace platform's reused stubs, run as the application under `cvisor
 * do --platform=ptrace` (tests/security/run.sh) with ptrace_fresh's path as
 * argv[1].  A one-thread process ends and the next process may run in its
 * stub process (kept in a pool): nothing of the first may reach the
 * second, neither its memory (the host mapping must be gone, not merely
 * unknown to the sentry), nor its addresses (the batch words of the control
 * page, which the application can read), nor its vector or general
 * registers.  Nor may a process that spoils its own taking of files to
 * map (the page STUB_RECV, which it can write) leave its files to the next.
 * Each check prints "NAME: ok" or "NAME: ESCAPED ..."; the last line is
 * "N escaped".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OLD_MAP 0x5a5a0000000UL
#define STUB_RECV 0x7fffffffc000UL /* platform/ptrace/stub.h */
#define PAGES 256

#include "report.h"

static uint64_t marker(void)
{
	return 0x5eed0f7a5c000000ULL ^ ((uint64_t)getpid() << 12) ^ 0x3c3;
}

/*
 * A child that leaves all it can in its stub and ends: memory at OLD_MAP,
 * in 128 mappings of the host changed by one call (a batch of as many
 * calls naming them), and
 * its marker in every vector register and in rbx, r12-r15.  0 once it
 * ended as planned.
 */
static int leave_traces(uint64_t *m)
{
	pid_t pid;
	int st;

	*m = 0;
	pid = fork();
	if (pid == 0) {
		uint64_t v = marker();
		char *p = mmap((void *)OLD_MAP, PAGES * 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		int i;

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x77, PAGES * 4096);
		for (i = 0; i < PAGES; i += 2)
			mprotect(p + i * 4096, 4096, PROT_READ);
		/* One call over every piece: a long batch, whose tail stays in the control page. */
		mprotect(p, PAGES * 4096, PROT_NONE);
		__asm__ volatile("movq %0, %%xmm0\n\tpunpcklqdq %%xmm0, %%xmm0\n\t"
				 "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\tmovdqa %%xmm0, %%xmm3\n\t"
				 "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
				 "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
				 "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
				 "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15\n\t"
				 "mov %0, %%rbx\n\tmov %0, %%r12\n\tmov %0, %%r13\n\tmov %0, %%r14\n\tmov %0, %%r15\n\t"
				 "mov %1, %%eax\n\txor %%edi, %%edi\n\tsyscall\n\tud2"
				 :
				 : "r"(v), "i"(SYS_exit_group));
		__builtin_unreachable();
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	*m = 0x5eed0f7a5c000000ULL ^ ((uint64_t)pid << 12) ^ 0x3c3;
	return 0;
}

static const char *why(int st)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
		return "the old process's memory is still mapped";
	if (WIFEXITED(st) && WEXITSTATUS(st) == 11)
		return "the old process's addresses are in the control page";
	if (WIFEXITED(st) && WEXITSTATUS(st) == 12)
		return "the old process's vector registers are there";
	if (WIFEXITED(st) && WEXITSTATUS(st) == 13)
		return "the old process's general registers are there";
	return "the checking child failed";
}

/* The next exec (from a vfork child, so no fork takes the stub first) runs in the kept stub. */
static void exec_in_reused(const char *fresh, const char *name)
{
	char hm[32], ho[32];
	uint64_t m;
	pid_t pid;
	int st;

	if (leave_traces(&m) < 0) {
		report(name, 0, "the first child failed");
		return;
	}
	snprintf(hm, sizeof(hm), "%016llx", (unsigned long long)m);
	snprintf(ho, sizeof(ho), "%llx", (unsigned long long)OLD_MAP);
	pid = vfork();
	if (pid == 0) {
		execl(fresh, fresh, hm, ho, (char *)NULL);
		_exit(3);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "vfork failed");
		return;
	}
	report(name, WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, why(st));
}

/* A fork child in the kept stub: the old process's pages must fault, and the control page hold none of them. */
static void fork_in_reused(void)
{
	const char *name = "a fork in a reused stub finds nothing of the process before";
	uint64_t m;
	pid_t pid;
	int st;

	if (leave_traces(&m) < 0) {
		report(name, 0, "the first child failed");
		return;
	}
	pid = fork();
	if (pid == 0) {
		const volatile uint64_t *ctrl = (const volatile uint64_t *)0x7fffffffe000UL;
		int i;

		for (i = 0; i < 4096 / 8; i++)
			if (ctrl[i] >= OLD_MAP && ctrl[i] < OLD_MAP + PAGES * 4096)
				_exit(11);
		(void)*(volatile char *)OLD_MAP;
		_exit(10);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "fork failed");
		return;
	}
	report(name, WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, why(st));
}

static volatile int spoiling = 1;

/* msg_iovlen of the msghdr a file batch's recvmsg reads: one the kernel refuses before it takes the message. */
static void *spoil(void *arg)
{
	volatile uint64_t *mh = (volatile uint64_t *)STUB_RECV;

	(void)arg;
	while (spoiling)
		mh[3] = ~0ULL;
	return NULL;
}

/*
 * A process maps one file, page after page, while its other thread spoils
 * the msghdr (its batches fail; it may be killed for it).  The next
 * process to map a file must find that file's bytes, not the first's.
 */
static void spoiled_recv(const char *mine, const char *next)
{
	const char *name = "a process that spoils its file batches leaves its files to no other";
	char buf[4096];
	pid_t pid;
	int st, lost = 0;
	ssize_t n;

	pid = fork();
	if (pid == 0) {
		pthread_t t;
		int i, fd = open(mine, O_RDONLY);

		if (fd < 0 || pthread_create(&t, NULL, spoil, NULL) != 0)
			_exit(1);
		for (i = 0; i < 2000; i++) {
			void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);

			if (p == MAP_FAILED)
				_exit(1);
			munmap(p, 4096);
		}
		spoiling = 0;
		pthread_join(t, NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "fork failed");
		return;
	}
	lost = WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
	pid = fork();
	if (pid == 0) {
		int fd = open(next, O_RDONLY);
		const char *p;

		if (fd < 0 || (n = pread(fd, buf, sizeof(buf), 0)) <= 0)
			_exit(1);
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED)
			_exit(1);
		_exit(memcmp(p, buf, (size_t)n) == 0 ? 0 : 14);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "fork failed");
		return;
	}
	printf("(the spoiling process %s)\n", lost ? "lost its address space, as expected" : "was never caught");
	report(name, WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       WIFEXITED(st) && WEXITSTATUS(st) == 14 ? "the next process mapped the other one's file"
	       : WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL
		       ? "the next process was killed: its batch took the other one's files for its own"
		       : "the checking child failed");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PTRACE_FRESH\n", argv[0]);
		return 2;
	}
	exec_in_reused(argv[1], "an exec in a reused stub finds nothing of the process before");
	fork_in_reused();
	exec_in_reused(argv[1], "an exec in a stub reused twice finds nothing of the processes before");
	spoiled_recv(argv[0], argv[1]);
	printf("%d escaped\n", escaped);
	return escaped != 0;
}
