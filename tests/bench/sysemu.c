/* SPDX-License-Identifier: MIT */
/*
 * sysemu N same|cross|free: the floor under any ptrace sandbox, in ns per
 * round trip.
 *
 * A child runs getppid in a tight loop; the parent traces it with
 * PTRACE_SYSEMU and answers each call itself: wait for the stop,
 * PTRACE_GETREGS, set rax, PTRACE_SETREGS, PTRACE_SYSEMU.  That is the least
 * a ptrace platform does per system call, so no sandbox built on it can
 * answer getppid faster than this.
 *
 * Where the two run matters: each round trip wakes the other side, and on
 * a virtual machine a wake-up on another CPU costs an IPI, which the
 * hypervisor has to emulate.  "same" pins both to one CPU, "cross" puts
 * them on two different CPUs, "free" leaves placement to the scheduler.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const char *prog = "sysemu";

/* What the tracer answers; any non-negative value keeps the loop going. */
#define ANSWER 4242

enum placement { SAME, CROSS, FREE };

static void pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(pid, sizeof(set), &set))
		bench_die(prog, "sched_setaffinity");
}

/* The first two CPUs we may run on; -1 where there are not that many. */
static void pick_cpus(int *a, int *b)
{
	cpu_set_t set;
	int cpu;

	*a = *b = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		bench_die(prog, "sched_getaffinity");
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (*a < 0) {
			*a = cpu;
		} else {
			*b = cpu;
			break;
		}
	}
}

static void tracee(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL))
		bench_die(prog, "PTRACE_TRACEME");
	/*
	 * kill() rather than raise(): glibc's raise() blocks all signals
	 * around tgkill, and the sigprocmask that undoes it would already be
	 * emulated (skipped) by the tracer.
	 */
	kill(getpid(), SIGSTOP);
	for (;;)
		syscall(SYS_getppid);
}

/*
 * Waits for the tracee's next syscall-entry stop, checks it is getppid,
 * and makes the emulated call return ANSWER.
 */
static void answer_one(pid_t pid)
{
	struct user_regs_struct regs;
	int status;

	if (waitpid(pid, &status, 0) != pid)
		bench_die(prog, "waitpid");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) {
		fprintf(stderr, "%s: unexpected tracee status %#x\n", prog,
			status);
		exit(1);
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs))
		bench_die(prog, "PTRACE_GETREGS");
	if (regs.orig_rax != SYS_getppid) {
		fprintf(stderr, "%s: tracee made syscall %llu, not getppid\n",
			prog, regs.orig_rax);
		exit(1);
	}
	regs.rax = ANSWER;
	if (ptrace(PTRACE_SETREGS, pid, NULL, &regs))
		bench_die(prog, "PTRACE_SETREGS");
	if (ptrace(PTRACE_SYSEMU, pid, NULL, NULL))
		bench_die(prog, "PTRACE_SYSEMU");
}

int main(int argc, char **argv)
{
	enum placement where;
	uint64_t t0, t1;
	int a, b, status;
	long i, n;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ITERATIONS same|cross|free\n", prog);
		return 2;
	}
	n = bench_count(prog, argv[1]);
	if (!strcmp(argv[2], "same")) {
		where = SAME;
	} else if (!strcmp(argv[2], "cross")) {
		where = CROSS;
	} else if (!strcmp(argv[2], "free")) {
		where = FREE;
	} else {
		fprintf(stderr, "%s: placement must be same, cross or free\n",
			prog);
		return 2;
	}

	pick_cpus(&a, &b);
	if (where == CROSS && b < 0) {
		fprintf(stderr, "%s: cross needs two CPUs, have one\n", prog);
		return 1;
	}
	/* Pin ourselves before fork so the child starts where it belongs. */
	if (where != FREE)
		pin(0, a);

	pid = fork();
	if (pid < 0)
		bench_die(prog, "fork");
	if (pid == 0) {
		if (where == CROSS)
			pin(0, b);
		tracee();
	}

	/* The tracee's own SIGSTOP: it is now traced and stopped. */
	if (waitpid(pid, &status, 0) != pid)
		bench_die(prog, "waitpid");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP) {
		fprintf(stderr, "%s: tracee did not stop (%#x)\n", prog, status);
		return 1;
	}
	/* TRACESYSGOOD tells syscall stops from signals; EXITKILL: no orphan. */
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)))
		bench_die(prog, "PTRACE_SETOPTIONS");
	if (ptrace(PTRACE_SYSEMU, pid, NULL, NULL))
		bench_die(prog, "PTRACE_SYSEMU");

	for (i = 0; i < n / 10 + 1; i++)
		answer_one(pid);

	t0 = bench_now_ns(prog);
	for (i = 0; i < n; i++)
		answer_one(pid);
	t1 = bench_now_ns(prog);

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);

	printf("%.1f\n", (double)(t1 - t0) / n);
	return 0;
}
