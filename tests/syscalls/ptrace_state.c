/*
 * A stopped tracee's FPU state and siginfo through ptrace(2): GETFPREGS
 * and GETREGSET(NT_PRFPREG) agree, NT_X86_XSTATE is the xsave image,
 * SETFPREGS changes what the tracee then runs with (MXCSR's rounding),
 * bad states are refused, and SETSIGINFO changes the siginfo the
 * tracee's handler gets.
 */
#include "check.h"
#include "ptrace_ns.h"

#include <elf.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

static void show(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		printf("%s: stopped %s event %d\n", what, sigabbrev_np(WSTOPSIG(st) & 0x7f), st >> 16);
	fflush(stdout);
}

static void wait_show(const char *what, pid_t pid)
{
	int st = 0;

	if (waitpid(pid, &st, 0) != pid)
		printf("%s: waitpid: %s\n", what, errname(errno));
	else
		show(what, st);
}

static volatile int value;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	value = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
}

int main(int argc, char **argv)
{
	struct user_fpregs_struct fp, fp2;
	static uint8_t xs[16384];
	struct iovec iov;
	pid_t pid;

	(void)argc;
	ptrace_own_pid_namespace(argv);

	/* The FPU state: MXCSR's rounding field set by the tracer, read back by the tracee. */
	pid = fork();
	if (pid == 0) {
		unsigned m;

		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		__asm__ volatile("stmxcsr %0" : "=m"(m));
		_exit((m >> 13) & 3);
	}
	wait_show("fp", pid);
	CHECK("getfpregs", ptrace(PTRACE_GETFPREGS, pid, 0, &fp));
	iov.iov_base = &fp2;
	iov.iov_len = sizeof(fp2);
	CHECK("getregset NT_PRFPREG", ptrace(PTRACE_GETREGSET, pid, NT_PRFPREG, &iov));
	printf("the same bytes: %d, length %zu\n", !memcmp(&fp, &fp2, sizeof(fp)), iov.iov_len);
	printf("mxcsr rounding = %u\n", (fp.mxcsr >> 13) & 3);
	iov.iov_base = xs;
	iov.iov_len = sizeof(xs);
	CHECK("getregset NT_X86_XSTATE", ptrace(PTRACE_GETREGSET, pid, NT_X86_XSTATE, &iov));
	printf("xstate: longer than fxsave %d, starts with it %d\n", iov.iov_len > 512, !memcmp(xs, &fp, 160));
	fp2 = fp;
	fp2.mxcsr |= 0xffff0000U;
	CHECK("setfpregs, reserved MXCSR bits", ptrace(PTRACE_SETFPREGS, pid, 0, &fp2));
	{
		uint64_t bv;

		memcpy(&bv, xs + 512, 8);
		bv |= 1ULL << 62; /* a feature no machine enables */
		memcpy(xs + 512, &bv, 8);
		CHECK("setregset NT_X86_XSTATE, unknown feature", ptrace(PTRACE_SETREGSET, pid, NT_X86_XSTATE, &iov));
	}
	fp.mxcsr |= 3 << 13; /* round toward zero */
	CHECK("setfpregs", ptrace(PTRACE_SETFPREGS, pid, 0, &fp));
	CHECK("setfpregs from a bad address", ptrace(PTRACE_SETFPREGS, pid, 0, 8));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("the tracee's rounding (exit status)", pid);

	/* SETSIGINFO: the handler gets the siginfo the tracer wrote. */
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_usr1;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGUSR1, &sa, NULL);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGUSR1);
		_exit(value);
	}
	wait_show("siginfo", pid);
	{
		siginfo_t si;

		CHECK("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		printf("code SI_TKILL: %d\n", si.si_code == SI_TKILL);
		si.si_code = SI_QUEUE;
		si.si_value.sival_int = 57;
		CHECK("setsiginfo", ptrace(PTRACE_SETSIGINFO, pid, 0, &si));
		CHECK("setsiginfo from a bad address", ptrace(PTRACE_SETSIGINFO, pid, 0, 8));
	}
	CHECK("cont with the signal", ptrace(PTRACE_CONT, pid, 0, SIGUSR1));
	wait_show("the handler's value (exit status)", pid);
	return 0;
}
