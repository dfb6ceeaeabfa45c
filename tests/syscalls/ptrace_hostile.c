/*
 * ptrace(2) with bad arguments and without the right: Linux's EPERM
 * (oneself, twice, another user's process), ESRCH (no such process, not a
 * tracee, a tracee that is not stopped), EIO (unknown requests, bad
 * addresses in the tracee, misaligned user-area offsets, bad signals),
 * EFAULT (bad addresses in the tracer) and EINVAL (bad options, regsets).
 */
#include "check.h"
#include "ptrace_ns.h"

#include <elf.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>

static pid_t stopped_tracee(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return pid;
}

static void end(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
	pid_t pid, other;
	int st;

	(void)argc;
	ptrace_own_pid_namespace(argv);

	CHECK("attach self", ptrace(PTRACE_ATTACH, getpid(), 0, 0));
	CHECK("seize self", ptrace(PTRACE_SEIZE, getpid(), 0, 0));
	CHECK("attach no such pid", ptrace(PTRACE_ATTACH, 0x3ffffff0, 0, 0));
	CHECK("attach pid 0", ptrace(PTRACE_ATTACH, 0, 0, 0));
	CHECK("attach pid -1", ptrace(PTRACE_ATTACH, -1, 0, 0));
	CHECK("getregs no such pid", ptrace(PTRACE_GETREGS, 0x3ffffff0, 0, 0));

	/* TRACEME twice; an unprivileged process attaching to root's. */
	pid = fork();
	if (pid == 0) {
		long a = ptrace(PTRACE_TRACEME, 0, 0, 0), b = ptrace(PTRACE_TRACEME, 0, 0, 0);

		_exit(a == 0 && b == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("traceme twice: EPERM the second time: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		_exit(ptrace(PTRACE_ATTACH, getppid(), 0, 0) == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("nobody attaches to root's process: EPERM: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	pid = stopped_tracee();
	CHECK("attach one already traced", ptrace(PTRACE_ATTACH, pid, 0, 0));
	CHECK("unknown request", ptrace((enum __ptrace_request)12345, pid, 0, 0));
	CHECK("peekdata at 0", ptrace(PTRACE_PEEKDATA, pid, 0, 0));
	CHECK("peekdata kernel address", ptrace(PTRACE_PEEKDATA, pid, 0xffff800000000000UL, 0));
	CHECK("pokedata at 0", ptrace(PTRACE_POKEDATA, pid, 0, 0));
	CHECK("peekdata into a bad tracer address", syscall(SYS_ptrace, PTRACE_PEEKDATA, pid, &st, 8));
	CHECK("getregs into NULL", ptrace(PTRACE_GETREGS, pid, 0, 0));
	CHECK("setregs from a bad address", ptrace(PTRACE_SETREGS, pid, 0, 8));
	CHECK("getfpregs into a bad address", ptrace(PTRACE_GETFPREGS, pid, 0, 8));
	CHECK("getsiginfo into NULL", ptrace(PTRACE_GETSIGINFO, pid, 0, 0));
	CHECK("peekuser misaligned", ptrace(PTRACE_PEEKUSER, pid, 3, 0));
	CHECK("peekuser error_code", ptrace(PTRACE_PEEKUSER, pid, sizeof(struct user), 0));
	CHECK("peekuser past struct user", ptrace(PTRACE_PEEKUSER, pid, sizeof(struct user) + 16, 0));
	CHECK("pokeuser past the registers", ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, u_tsize), 1));
	CHECK("pokeuser fs_base in the kernel", ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, fs_base),
						   0xffff800000000000UL));
	/* Every bit but TF (a trap after one instruction). */
	CHECK("pokeuser eflags, every bit", ptrace(PTRACE_POKEUSER, pid, offsetof(struct user_regs_struct, eflags), ~0x100UL));
	errno = 0;
	long fl = ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user_regs_struct, eflags), 0);
	printf("eflags: the user bits set %d, IF kept %d, no IOPL %d\n", (fl & 0x50cd5) == 0x50cd5, !!(fl & 0x200),
	       !(fl & 0x3000));
	{
		char buf[64];
		struct iovec iov = {buf, sizeof(buf)};

		CHECK("getregset unknown type", ptrace(PTRACE_GETREGSET, pid, 0x12345, &iov));
		CHECK("getregset iovec at a bad address", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, 8));
		iov.iov_base = (void *)8;
		CHECK("getregset into a bad buffer", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov));
		iov.iov_base = buf;
		CHECK("getregset short", ptrace(PTRACE_GETREGSET, pid, NT_PRSTATUS, &iov));
		printf("getregset short length = %zu\n", iov.iov_len);
	}
	CHECK("setoptions unknown bit", ptrace(PTRACE_SETOPTIONS, pid, 0, 0x40000000));
	CHECK("interrupt, not seized", ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	CHECK("listen, not seized", ptrace(PTRACE_LISTEN, pid, 0, 0));
	CHECK("cont with signal 65", ptrace(PTRACE_CONT, pid, 0, 65));
	CHECK("cont with signal -1", ptrace(PTRACE_CONT, pid, 0, -1));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	waitpid(pid, &st, 0);
	printf("exited 0: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* Not stopped, or not traced by us: ESRCH. */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK("seize with an address", ptrace(PTRACE_SEIZE, pid, 8, 0));
	CHECK("seize with unknown options", ptrace(PTRACE_SEIZE, pid, 0, 0x40000000));
	CHECK("getregs, not traced", ptrace(PTRACE_GETREGS, pid, 0, 0));
	CHECK("kill, not traced", ptrace(PTRACE_KILL, pid, 0, 0));
	CHECK("seize", ptrace(PTRACE_SEIZE, pid, 0, 0));
	CHECK("getregs, running", ptrace(PTRACE_GETREGS, pid, 0, 0));
	CHECK("cont, running", ptrace(PTRACE_CONT, pid, 0, 0));
	CHECK("peekdata, running", ptrace(PTRACE_PEEKDATA, pid, 0, 0));
	CHECK("detach, running", ptrace(PTRACE_DETACH, pid, 0, 0));
	other = fork();
	if (other == 0) {
		/* A sibling is no tracer of it. */
		_exit(ptrace(PTRACE_CONT, pid, 0, 0) == -1 && errno == ESRCH ? 0 : 1);
	}
	waitpid(other, &st, 0);
	printf("a sibling's request: ESRCH: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	end(pid);
	return 0;
}
