/*
 * What a SIGSEGV handler learns of the access that faulted: si_code, and
 * the write (2) and instruction-fetch (16) bits of the error code in its
 * ucontext (REG_ERR), for reads, writes, read-modify-writes, string and
 * SSE stores, and jumps into memory that cannot run.  (The present bit is
 * not compared: cvisor does not tell it yet.)
 */
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

static sigjmp_buf env;
static volatile long err;
static volatile int code;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	err = uc->uc_mcontext.gregs[REG_ERR];
	code = si->si_code;
	siglongjmp(env, 1);
}

#define FAULT(what, stmt)                                                                              \
	do {                                                                                           \
		if (sigsetjmp(env, 1) == 0) {                                                          \
			stmt;                                                                          \
			printf("%s: no fault\n", what);                                                \
		} else {                                                                               \
			printf("%s: %s, write %d, fetch %d\n", what,                                   \
			       code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "?", \
			       !!(err & 2), !!(err & 16));                                             \
		}                                                                                      \
		fflush(stdout);                                                                        \
	} while (0)

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER};
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char *g, *r, *n;
	char buf[64] = {0};

	if (gone == MAP_FAILED || ro == MAP_FAILED || none == MAP_FAILED)
		return 1;
	munmap(gone, 4096);
	g = gone, r = ro, n = none;
	static char altstack[65536];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};

	sigaltstack(&ss, NULL); /* for the push onto a stack that cannot be written */
	sa.sa_flags |= SA_ONSTACK;
	sigaction(SIGSEGV, &sa, NULL);

	FAULT("read unmapped", (void)g[8]);
	FAULT("write unmapped", g[8] = 1);
	FAULT("read PROT_NONE", (void)n[8]);
	FAULT("write PROT_NONE", n[8] = 1);
	FAULT("write read-only", r[8] = 1);
	FAULT("read read-only", (void)r[8]);
	FAULT("increment unmapped", __asm__ volatile("incl (%0)" : : "r"(gone + 8) : "memory"));
	FAULT("increment read-only", __asm__ volatile("incl (%0)" : : "r"(ro + 8) : "memory"));
	FAULT("lock add read-only", __asm__ volatile("lock addl $1, (%0)" : : "r"(ro + 8) : "memory"));
	FAULT("compare unmapped", __asm__ volatile("cmpl $1, (%0)" : : "r"(gone + 8) : "memory", "cc"));
	FAULT("xchg read-only", __asm__ volatile("xchgl %%eax, (%0)" : : "r"(ro + 8) : "memory", "eax"));
	FAULT("rep stosb read-only",
	      __asm__ volatile("rep stosb" : : "D"(ro), "c"(16), "a"(0) : "memory"));
	FAULT("rep movsb from unmapped",
	      __asm__ volatile("rep movsb" : : "D"(buf), "S"(gone), "c"(16) : "memory"));
	FAULT("rep movsb to read-only",
	      __asm__ volatile("rep movsb" : : "D"(ro), "S"(buf), "c"(16) : "memory"));
	FAULT("movups store read-only", __asm__ volatile("movups %%xmm0, (%0)" : : "r"(ro) : "memory"));
	FAULT("movups load unmapped", __asm__ volatile("movups (%0), %%xmm0" : : "r"(gone) : "memory", "xmm0"));
	FAULT("movq store unmapped", __asm__ volatile("movq %%xmm0, (%0)" : : "r"(gone) : "memory"));
	if (__builtin_cpu_supports("avx")) {
		FAULT("vmovdqu store read-only", __asm__ volatile("vmovdqu %%ymm0, (%0)" : : "r"(ro) : "memory"));
		FAULT("vmovdqu load unmapped", __asm__ volatile("vmovdqu (%0), %%ymm0" : : "r"(gone) : "memory", "xmm0"));
	} else {
		printf("vmovdqu: no AVX\n");
	}
	FAULT("cmpxchg read-only", __asm__ volatile("cmpxchgl %%ecx, (%0)" : : "r"(ro), "a"(0), "c"(1) : "memory", "cc"));
	FAULT("bts read-only", __asm__ volatile("btsl $3, (%0)" : : "r"(ro) : "memory", "cc"));
	FAULT("call with read-only stack",
	      __asm__ volatile("mov %%rsp, %%rbx; mov %0, %%rsp; call 1f; 1: mov %%rbx, %%rsp"
			       : : "r"(ro + 64) : "rbx", "memory"));
	FAULT("setcc into read-only", __asm__ volatile("sete (%0)" : : "r"(ro) : "memory"));
	FAULT("jump into read-only", ((void (*)(void))ro)());
	FAULT("jump into unmapped", ((void (*)(void))gone)());
	FAULT("push to read-only stack",
	      __asm__ volatile("mov %%rsp, %%rbx; mov %0, %%rsp; push %%rax; mov %%rbx, %%rsp"
			       : : "r"(ro + 64) : "rbx", "memory"));
	return 0;
}
