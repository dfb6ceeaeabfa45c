/*
 * ptrace(2) between two processes of the sandbox, the sentry's own: an exec
 * under PTRACE_TRACEME stops with SIGTRAP; PEEK/POKE of the tracee's memory
 * (its read-only text too, as a breakpoint); GETREGS/SETREGS changing a
 * system call's result; syscall stops marked by PTRACE_O_TRACESYSGOOD with
 * PTRACE_GET_SYSCALL_INFO; a signal dropped, and another injected instead.
 */
#include "check.h"
#include "ptrace_ns.h"
#include "ptrace_wait.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

static volatile long word = 0x1111;

static int exit_word(void)
{
	return (int)(word & 0xff);
}

static int check_getpid(void)
{
	return syscall(SYS_getpid) == 4242 ? 0 : 1;
}

static volatile int got;

static void on_usr1(int sig)
{
	got = sig;
}

static int signals(void)
{
	signal(SIGUSR1, on_usr1);
	raise(SIGTERM);  /* the tracer drops it */
	raise(SIGUSR2);  /* the tracer gives SIGUSR1 instead */
	return got == SIGUSR1 ? 7 : 1;
}

int main(int argc, char **argv)
{
	pid_t pid;
	int st, i;

	(void)argc;
	ptrace_own_pid_namespace(argv);

	/* TRACEME, then execve: SIGTRAP after the exec. */
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		execl("/bin/true", "true", (char *)NULL);
		_exit(98);
	}
	wait_show("traceme+exec", pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("traceme+exec end", pid);

	/* PEEKDATA, POKEDATA, and POKETEXT of read-only code. */
	pid = traced_child(exit_word);
	wait_show("peek/poke", pid);
	errno = 0;
	long v = ptrace(PTRACE_PEEKDATA, pid, &word, 0);
	printf("peekdata = %#lx %s\n", v, errno ? errname(errno) : "");
	CHECK("pokedata", ptrace(PTRACE_POKEDATA, pid, &word, 0x2a));
	errno = 0;
	v = ptrace(PTRACE_PEEKDATA, pid, &word, 0);
	printf("peekdata after = %#lx %s\n", v, errno ? errname(errno) : "");
	{
		/* A breakpoint's write into text: the tracee's copy only. */
		long text = ptrace(PTRACE_PEEKTEXT, pid, (void *)check_getpid, 0);

		CHECK("poketext (read-only page)", ptrace(PTRACE_POKETEXT, pid, (void *)check_getpid, text));
		printf("own text unchanged = %d\n", *(volatile long *)(void *)check_getpid == text);
	}
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("peek/poke end", pid);

	/* PTRACE_SYSCALL: the getpid's exit stop gets another result through SETREGS. */
	pid = traced_child(check_getpid);
	wait_show("regs", pid);
	CHECK("setoptions sysgood", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD));
	for (i = 0; i < 40; i++) {
		struct user_regs_struct r;
		struct __ptrace_syscall_info si;

		ptrace(PTRACE_SYSCALL, pid, 0, 0);
		if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st))
			break;
		if (ptrace(PTRACE_GETREGS, pid, 0, &r) < 0)
			break;
		if (r.orig_rax != SYS_getpid)
			continue;
		show("getpid stop", st);
		memset(&si, 0, sizeof(si));
		long n = ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), &si);
		printf("syscall info: size %ld op %d nr %llu\n", n, si.op,
		       si.op == PTRACE_SYSCALL_INFO_ENTRY ? (unsigned long long)si.entry.nr : 0ULL);
		if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
			printf("entry rax = %lld\n", (long long)r.rax);
			continue;
		}
		printf("exit is_error %d rval matches pid %d\n", si.exit.is_error, si.exit.rval == pid);
		r.rax = 4242;
		CHECK("setregs", ptrace(PTRACE_SETREGS, pid, 0, &r));
		break;
	}
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("regs end", pid);

	/* Signal-delivery stops: SIGTERM dropped, SIGUSR2 replaced by SIGUSR1. */
	pid = traced_child(signals);
	wait_show("signals", pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	st = wait_show("signal stop 1", pid);
	{
		siginfo_t si;

		CHECK("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		printf("siginfo signo %s code %d pid ok %d\n", sigabbrev_np(si.si_signo), si.si_code, si.si_pid == pid);
	}
	CHECK("cont dropping it", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("signal stop 2", pid);
	CHECK("cont with SIGUSR1", ptrace(PTRACE_CONT, pid, 0, SIGUSR1));
	/* The injected signal is delivered at once: its handler runs, no new stop. */
	wait_show("signals end", pid);
	(void)st;
	return 0;
}
