/* Signals: a program catches its own SIGSEGV and SIGFPE and recovers with siglongjmp; kill and raise reach handlers with their si_code; the FPU state survives a handler. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static sigjmp_buf jb;
static volatile int got;
static void h(int sig, siginfo_t *si, void *uc) { (void)uc; got = sig; if (sig == SIGSEGV || sig == SIGFPE) siglongjmp(jb, sig); printf("handler %d code %d\n", sig, si->si_code); }
int main(void) {
	struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = h; sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, 0); sigaction(SIGFPE, &sa, 0); sigaction(SIGUSR1, &sa, 0);
	volatile int *volatile bad = (int *)8;
	if (sigsetjmp(jb, 1) == 0) { *bad = 1; } else printf("recovered SEGV\n");
	volatile int z = 0;
	if (sigsetjmp(jb, 1) == 0) { printf("%d\n", 5 / z); } else printf("recovered FPE\n");
	kill(getpid(), SIGUSR1);
	double d = 1.5; raise(SIGUSR1); printf("fp ok %.2f got %d\n", d * 2, got);
	alarm(0);
	return 0;
}
