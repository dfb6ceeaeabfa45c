/*
 * A signal whose frame cannot be written (its alternate stack is read-only):
 * Linux forces a SIGSEGV (si_code SI_KERNEL) on the thread, which the
 * process's own SIGSEGV handler takes on the ordinary stack; with SIGSEGV
 * blocked, or when the signal that failed was SIGSEGV itself, the process is
 * killed by SIGSEGV.  LTP's signal06 makes the stack read-only from another
 * thread; the sandbox killed the process at once.
 */
#include "check.h"
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

static volatile int got_segv, got_usr1, segv_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got_segv++;
	segv_code = si->si_code;
}

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

/* In a child: SIGUSR1 (or SIGSEGV when self) handled on a read-only alternate stack. */
static void child(int block_segv, int fail_sig)
{
	size_t sz = 65536;
	char *alt = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t st = {.ss_sp = alt, .ss_size = sz};
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	struct sigaction su = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};

	sigaction(SIGSEGV, &sa, NULL);
	if (fail_sig == SIGSEGV) {
		sa.sa_flags |= SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
	}
	sigaction(SIGUSR1, &su, NULL);
	sigaltstack(&st, NULL);
	mprotect(alt, sz, PROT_READ);
	if (block_segv) {
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, SIGSEGV);
		sigprocmask(SIG_BLOCK, &s, NULL);
	}
	raise(fail_sig);
	printf("after raise: usr1 handler %d, segv handler %d, code %s\n", got_usr1, got_segv,
	       segv_code == SI_KERNEL ? "SI_KERNEL" : "other");
	fflush(stdout);
	exit(0);
}

static void run(const char *what, int block_segv, int fail_sig)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0)
		child(block_segv, fail_sig);
	waitpid(pid, &st, 0);
	printf("%s: %s %d\n", what, WIFSIGNALED(st) ? "killed by" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	fflush(stdout);
}

int main(void)
{
	run("SIGUSR1, SIGSEGV handled", 0, SIGUSR1);
	run("SIGUSR1, SIGSEGV blocked", 1, SIGUSR1);
	run("SIGSEGV itself", 0, SIGSEGV);
	return 0;
}
