/*
 * Attacks on the systrap platform's stub, run as the application under
 * `cvisor do --platform=systrap` (tests/security/run.sh).  Each prints
 * "NAME: ok" when it was stopped, or "NAME: ESCAPED ..." when not; the last
 * line is "N escaped".
 *
 * The stub's pages sit above the application's address space (stub.h:
 * code at 0x7fff00000000, the control page, the ack page, then a region
 * per thread: its message page and signal stack).  The application can read
 * the code and write its threads' regions; what it must not be able to do:
 *   - make a host system call through the stub's syscall instructions, other
 *     than the harmless few (futex wait/wake, rt_sigreturn, exit);
 *   - change the stub's code or the pages the sentry answers through;
 *   - with forged message pages or signal frames, crash or mislead the
 *     sentry (it must keep serving this and other processes).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ST_CODE 0x7fff00000000UL
#define ST_ACK 0x7fff00003000UL
#define ST_REGIONS 0x7fff00010000UL
#define ST_REGION 0x8000UL

#include "report.h"

/* The stub's `syscall; ud2` (its rt_sigreturn): after an allowed call, ud2 raises SIGILL. */
static uint64_t find_syscall(void)
{
	static const uint8_t pat[] = {0x0f, 0x05, 0x0f, 0x0b};
	const uint8_t *p = (const uint8_t *)ST_CODE;
	size_t i;

	for (i = 0; i + sizeof(pat) <= 4096; i++)
		if (!memcmp(p + i, pat, sizeof(pat)))
			return ST_CODE + i;
	return 0;
}

static void on_sigill(int sig)
{
	(void)sig;
	/* The host ran the call and returned: only harmless calls may. */
	_exit(42);
}

/* Jumps to the stub's syscall instruction with nr and args; never returns. */
static void __attribute__((noreturn)) stub_call(uint64_t at, long nr, long a0, long a1, long a2, long a3, long a4,
						long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;

	__asm__ volatile("jmp *%0" : : "r"(at), "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9));
	__builtin_unreachable();
}

/*
 * In a child: the call made from the stub's code.  killed_ok: the stub's
 * filter must kill it (the child dies of SIGKILL: the sentry kills a
 * process whose stub died); else the call is one of the harmless ones and
 * returns (SIGILL at the ud2 after it, exit 42).
 */
static void try_call(const char *name, uint64_t at, int want_killed, long nr, long a0, long a1, long a2, long a3,
		     long a4, long a5)
{
	char why[128];
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		signal(SIGILL, on_sigill);
		stub_call(at, nr, a0, a1, a2, a3, a4, a5);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "fork/wait failed");
		return;
	}
	if (want_killed) {
		snprintf(why, sizeof(why), "the call ran (status %#x)", st);
		report(name, WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, why);
	} else {
		snprintf(why, sizeof(why), "status %#x", st);
		report(name, WIFEXITED(st) && WEXITSTATUS(st) == 42, why);
	}
}

static sigjmp_buf jb;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

/* A write to addr faults (the page is not the application's to write). */
static void try_write(const char *name, uint64_t addr)
{
	struct sigaction sa = {0}, old;
	int faulted;

	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(jb, 1) == 0) {
		*(volatile uint8_t *)addr = 0xcc;
		faulted = 0;
	} else {
		faulted = 1;
	}
	sigaction(SIGSEGV, &old, NULL);
	report(name, faulted, "the write went through");
}

static volatile int stop_forging;

/* Scribbles over every region's message page and signal stack of this process. */
static void *forger(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int i;

	(void)arg;
	while (!stop_forging) {
		for (i = 0; i < 4; i++) {
			volatile uint64_t *m = (uint64_t *)(ST_REGIONS + i * ST_REGION);
			size_t w;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			for (w = 0; w < 8; w++)
				m[w] = seed >> (w * 3);
			/* A state of "stopped", a ucontext pointer anywhere. */
			((volatile uint32_t *)m)[0] = 1;
			m[4] = seed % 3 ? ST_REGIONS + i * ST_REGION + (seed & 0x7fff) : seed;
			((volatile uint32_t *)m)[4] = (uint32_t)(seed >> 40) % 40;
		}
	}
	return NULL;
}

/*
 * A child whose threads forge their message pages while it keeps making
 * system calls.  It may die (its stub may be killed, its registers may be
 * garbage); the sentry must not, and must go on serving the parent.
 */
static void forge_pages(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t th;
		int i;

		alarm(5);
		/* Every region is mapped once its thread exists: make two. */
		if (pthread_create(&th, NULL, forger, NULL))
			_exit(1);
		for (i = 0; i < 200000; i++)
			syscall(SYS_getppid);
		stop_forging = 1;
		pthread_join(th, NULL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* The sentry still answers: a fresh child runs and exits normally. */
	pid = fork();
	if (pid == 0)
		_exit(7);
	report("forged message pages: the sentry goes on", pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
								  WEXITSTATUS(st) == 7,
	       "the sentry stopped answering");
}

/* A signal frame (rt_sigreturn from the stub's code) with a forged fpstate pointer and all signals blocked. */
static void forged_frame(uint64_t at)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		static uint64_t frame[256] __attribute__((aligned(64)));
		ucontext_t *uc = (ucontext_t *)(frame + 1);

		alarm(5);
		memset(frame, 0, sizeof(frame));
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)find_syscall; /* anywhere of ours */
		uc->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)(frame + 200);
		uc->uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bLL << 48);
		uc->uc_mcontext.fpregs = (fpregset_t)(ST_ACK); /* the sentry's ack page as "FPU state" */
		sigfillset(&uc->uc_sigmask);
		/* rt_sigreturn finds the ucontext at rsp (the return address slot below it is popped). */
		__asm__ volatile("mov %0, %%rsp; jmp *%1" : : "r"(uc), "r"(at), "a"(SYS_rt_sigreturn) : "memory");
		__builtin_unreachable();
	}
	waitpid(pid, &st, 0);
	pid = fork();
	if (pid == 0)
		_exit(7);
	report("forged signal frame: the sentry goes on", pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
								 WEXITSTATUS(st) == 7,
	       "the sentry stopped answering");
}

/* What a thread leaves in its registers before it ends: only its own thread computes it. */
static uint64_t marker(void)
{
	return 0x5eed0f7a5c00000ULL ^ ((uint64_t)getpid() << 12) ^ 0x3c3; /* as recycled_stub_clean computes it */
}

/* Ends the calling thread with the marker in every general and vector register it can hold. */
static void *exit_with_marker(void *arg)
{
	uint64_t m = marker();

	(void)arg;
	__asm__ volatile("movq %0, %%xmm0\n\tpunpcklqdq %%xmm0, %%xmm0\n\t"
			 "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm15\n\t"
			 "mov %0, %%rbx\n\tmov %0, %%rbp\n\tmov %0, %%r12\n\tmov %0, %%r13\n\t"
			 "mov %0, %%r14\n\tmov %0, %%r15\n\tmov %0, %%rsi\n\tmov %0, %%rdx\n\t"
			 "mov %1, %%eax\n\txor %%edi, %%edi\n\tsyscall\n\tud2"
			 :
			 : "r"(m), "i"(SYS_exit));
	__builtin_unreachable();
}

/*
 * A thread's task ends and its host thread is kept (parked) for the next
 * thread of the process: nothing of the old task may stay where the
 * process can read it (its region: message page and signal stack).
 */
static void parked_clean(void)
{
	pthread_t th;
	uint64_t m, *p;
	size_t i, r, hits = 0;

	if (pthread_create(&th, NULL, exit_with_marker, NULL) || pthread_join(th, NULL)) {
		report("a parked thread keeps nothing of its task", 0, "pthread_create/join failed");
		return;
	}
	m = marker();
	/* Region 0 is this thread's; the ended thread's is the next one. */
	for (r = 1; r < 2; r++) {
		p = (uint64_t *)(ST_REGIONS + r * ST_REGION);
		for (i = 0; i < ST_REGION / 8; i++)
			hits += p[i] == m;
	}
	report("a parked thread keeps nothing of its task", hits == 0, "its registers are still in its region");
}

static void *ret_arg(void *arg)
{
	return (char *)arg + 1;
}

/*
 * Threads come and go (each new one takes the last one's parked host
 * thread) while another thread forges every message page and signal frame
 * it can reach, and wakes the parked threads through the stub's futex
 * call.  The process may die; the sentry must not, nor hang.
 */
static void forge_parked(uint64_t at)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t th, f;
		void *ret;
		int i;

		alarm(10);
		/* Regions 0 (this thread), 1 (a thread that stays) and 2 (the one that comes and goes). */
		if (pthread_create(&f, NULL, ret_arg, NULL) || pthread_join(f, NULL))
			_exit(1);
		for (i = 0; i < 2000; i++) {
			if (pthread_create(&th, NULL, ret_arg, (char *)(uintptr_t)i))
				_exit(2);
			if (pthread_join(th, &ret))
				_exit(3);
			if (i == 10 && pthread_create(&f, NULL, forger, NULL))
				_exit(4);
			if (i % 100 == 50 && fork() == 0) {
				/* A wake of every parked thread, from the stub's own futex call (then SIGILL). */
				signal(SIGILL, on_sigill);
				stub_call(at, SYS_futex, (long)(0x7fff00002000UL + 24), FUTEX_WAKE, 1 << 20, 0, 0, 0);
			}
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pid = fork();
	if (pid == 0)
		_exit(7);
	report("forged pages of parked threads: the sentry goes on", pid > 0 && waitpid(pid, &st, 0) == pid &&
									    WIFEXITED(st) && WEXITSTATUS(st) == 7,
	       "the sentry stopped answering");
}

static void on_sigill_jump(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

/*
 * A parked thread's new task starts as a new thread does, even after the
 * application woke it (the stub's futex call on the control page) and
 * forged its message page.
 */
static void unpark_after_wake(uint64_t at)
{
	struct sigaction sa = {0}, old;
	volatile uint32_t *msg = (uint32_t *)(ST_REGIONS + ST_REGION);
	pthread_t th;
	void *ret = NULL;
	int ok;

	if (pthread_create(&th, NULL, ret_arg, NULL) || pthread_join(th, NULL)) {
		report("a parked thread woken by the application stays parked", 0, "pthread_create/join failed");
		return;
	}
	msg[0] = 0; /* "run" */
	msg[8] = 0x1000;
	sa.sa_handler = on_sigill_jump;
	sigaction(SIGILL, &sa, &old);
	if (sigsetjmp(jb, 1) == 0)
		stub_call(at, SYS_futex, (long)(0x7fff00002000UL + 24), FUTEX_WAKE, 1 << 20, 0, 0, 0);
	sigaction(SIGILL, &old, NULL);
	usleep(10000);
	ok = pthread_create(&th, NULL, ret_arg, (void *)41) == 0 && pthread_join(th, &ret) == 0 && ret == (void *)42;
	report("a parked thread woken by the application stays parked", ok, "the new thread did not run as asked");
}

/* Where the first process maps memory of its own, for the next to look for. */
#define OLD_MAP 0x5a5a0000000UL

/* Does a read of addr fault? */
static int read_faults(uint64_t addr)
{
	struct sigaction sa = {0}, old;
	int faulted;

	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, &old);
	if (sigsetjmp(jb, 1) == 0) {
		(void)*(volatile uint8_t *)addr;
		faulted = 0;
	} else {
		faulted = 1;
	}
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/*
 * A one-thread process ends and the next process may run in its stub
 * process (kept for reuse): nothing of the first may reach the second, not
 * its memory (the host mapping must be gone, not merely unknown to the
 * sentry), its registers (in the thread's region) nor its addresses (in the
 * batch words of the control page).
 */
static void recycled_stub_clean(void)
{
	pid_t pid = fork(), first = pid;
	int st, hits = 0;
	size_t i;
	/* The first child's marker, kept scrambled: the second child's own registers must not hold it. */
	static volatile uint64_t scrambled;

	if (pid == 0) {
		uint64_t m = marker();
		char *p = mmap((void *)OLD_MAP, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

		if (p == MAP_FAILED)
			_exit(1);
		memset(p, 0x77, 65536);
		__asm__ volatile("movq %0, %%xmm0\n\tmov %0, %%rbx\n\tmov %0, %%r12\n\tmov %0, %%r15\n\t"
				 "mov %1, %%eax\n\txor %%edi, %%edi\n\tsyscall\n\tud2"
				 :
				 : "r"(m), "i"(SYS_exit_group));
		__builtin_unreachable();
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		report("a reused stub keeps nothing of the process before", 0, "the first child failed");
		return;
	}
	scrambled = (0x5eed0f7a5c00000ULL ^ ((uint64_t)first << 12) ^ 0x3c3) ^ 0xa5a5a5a5a5a5a5a5ULL;
	pid = fork();
	if (pid == 0) {
		uint64_t *p;

		if (!read_faults(OLD_MAP))
			_exit(10);
		p = (uint64_t *)0x7fff00002000UL;
		for (i = 0; i < 4096 / 8; i++)
			if (p[i] >= OLD_MAP && p[i] < OLD_MAP + 65536)
				_exit(11);
		p = (uint64_t *)ST_REGIONS;
		for (i = 0; i < ST_REGION / 8; i++)
			hits += (p[i] ^ 0xa5a5a5a5a5a5a5a5ULL) == scrambled;
		_exit(hits ? 12 : 0);
	}
	waitpid(pid, &st, 0);
	report("a reused stub keeps nothing of the process before", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       WIFEXITED(st) && WEXITSTATUS(st) == 10   ? "the first child's memory is still mapped"
	       : WIFEXITED(st) && WEXITSTATUS(st) == 11 ? "the first child's addresses are in the control page"
	       : WIFEXITED(st) && WEXITSTATUS(st) == 12 ? "the first child's registers are in the region"
							: "the second child failed");
}

static void __attribute__((noreturn)) spin(void)
{
	for (;;)
		__asm__ volatile("" ::: "memory");
}

static void on_usr1(int sig)
{
	(void)sig;
	_exit(9);
}

/*
 * A process that returns through a frame blocking every host signal, into
 * a loop with no system call: the sentry's interrupt signal cannot reach
 * it, so the sentry must stop it another way (systrap's ptrace fallback),
 * or a signal for it would wait for ever.  (A SIGKILL would not show it:
 * the sentry ends a killed process's stub on the host.)
 */
static void blocked_interrupt(uint64_t at)
{
	static uint64_t stack[8192] __attribute__((aligned(64))); /* room for a signal frame */
	pid_t pid = fork();
	int st = 0, i;

	if (pid == 0) {
		static uint64_t frame[256] __attribute__((aligned(64)));
		ucontext_t *uc = (ucontext_t *)(frame + 1);

		signal(SIGUSR1, on_usr1);
		memset(frame, 0, sizeof(frame));
		uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)spin;
		uc->uc_mcontext.gregs[REG_RSP] = (greg_t)(uintptr_t)(stack + 8000);
		uc->uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bLL << 48);
		sigfillset(&uc->uc_sigmask);
		/* rt_sigreturn finds the ucontext at rsp (the return address slot below it is popped). */
		__asm__ volatile("mov %0, %%rsp; jmp *%1" : : "r"(uc), "r"(at), "a"(SYS_rt_sigreturn) : "memory");
		__builtin_unreachable();
	}
	usleep(200000);
	kill(pid, SIGUSR1);
	for (i = 0; i < 50 && waitpid(pid, &st, WNOHANG) == 0; i++)
		usleep(100000);
	report("a thread that blocks the interrupt signal still gets its signals", i < 50 && WIFEXITED(st) &&
											WEXITSTATUS(st) == 9,
	       "SIGUSR1 did not reach it within 5 s");
	if (i == 50) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
}

int main(void)
{
	uint64_t at = find_syscall();
	void *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!at) {
		printf("stub: no syscall instruction found at %#lx (not the systrap platform?)\n", ST_CODE);
		printf("1 escaped\n");
		return 1;
	}
	/* Host calls through the stub's own instruction: only the harmless few get through. */
	try_call("stub syscall: getpid is killed", at, 1, SYS_getpid, 0, 0, 0, 0, 0, 0);
	try_call("stub syscall: mmap of the memory file is killed", at, 1, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE,
		 MAP_SHARED, 3, 0);
	try_call("stub syscall: mprotect of the stub's code is killed", at, 1, SYS_mprotect, (long)ST_CODE, 4096,
		 PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0);
	try_call("stub syscall: clone is killed", at, 1, SYS_clone, 0x50f00, 0, 0, 0, 0, 0);
	try_call("stub syscall: pwrite to the ack page is killed", at, 1, SYS_pwrite64, 3, (long)ST_CODE, 4, 0, 0, 0);
	try_call("stub syscall: seccomp is killed", at, 1, SYS_seccomp, 0, 0, 0, 0, 0, 0);
	try_call("stub syscall: futex requeue is killed", at, 1, SYS_futex, (long)ST_CODE, FUTEX_REQUEUE, 1, 0,
		 (long)ST_CODE, 0);
	try_call("stub syscall: private futex is killed", at, 1, SYS_futex, (long)ST_CODE, FUTEX_WAKE_PRIVATE, 1, 0, 0,
		 0);
	try_call("stub syscall: futex wake is allowed (harmless)", at, 0, SYS_futex, (long)ST_CODE, FUTEX_WAKE, 1, 0,
		 0, 0);
	/* The stub's pages cannot be written, nor changed through the sentry. */
	try_write("stub code is not writable", ST_CODE + 64);
	try_write("ack page is not writable", ST_ACK);
	report("mprotect of the stub's code is refused", mprotect((void *)ST_CODE, 4096, PROT_READ | PROT_WRITE) < 0,
	       "mprotect succeeded");
	p = mmap((void *)ST_CODE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	report("mmap over the stub's code is refused", p == MAP_FAILED, "mapped");
	report("munmap of the stub's code is refused", munmap((void *)ST_CODE, 4096) < 0 || find_syscall() != 0,
	       "unmapped");
	parked_clean();
	recycled_stub_clean();
	unpark_after_wake(at);
	forge_parked(at);
	forge_pages();
	forged_frame(at);
	blocked_interrupt(at);
	printf("%d escaped\n", escaped);
	return escaped != 0;
}
