/*
 * PTRACE_SINGLESTEP through a known run of instructions: each step stops
 * with SIGTRAP one instruction on (the rip, as an offset into the run, and
 * the si_code are printed), a step over a system call stops after it, the
 * trap flag the tracer's step sets is not shown in the registers, and the
 * instructions' effects are those of running them freely.  A platform that
 * steps by the processor's trap flag (kvm, systrap) must take the debug
 * exception as the step, and hide the flag.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

extern char step_start[], step_end[];

/* The stepped run: plain instructions, a system call (getppid), a jump, a loop of three. */
__asm__(".text\n"
	".globl step_run\n"
	"step_run:\n"
	"	push %rbx\n"
	".globl step_start\n"
	"step_start:\n"
	"	nop\n"
	"	mov $5, %ebx\n"
	"	add $2, %ebx\n"
	"	mov $110, %eax\n" /* getppid */
	"	syscall\n"
	"	jmp 1f\n"
	"	ud2\n"
	"1:	mov $3, %ecx\n"
	"2:	dec %ecx\n"
	"	jnz 2b\n"
	"	mov %ebx, %eax\n"
	".globl step_end\n"
	"step_end:\n"
	"	pop %rbx\n"
	"	ret\n");

int step_run(void);

int main(void)
{
	struct user_regs_struct r;
	siginfo_t si;
	pid_t pid;
	int st, steps = 0, tf_seen = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		_exit(step_run());
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		printf("no first stop\n");
		return 1;
	}
	/* Into the run from the stop in raise(): the tracer moves rip there (and rsp below the red zone). */
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	r.rsp = ((r.rsp - 256) & ~15ULL) - 8;
	r.rip = (unsigned long long)step_run;
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	/* The push before step_start. */
	if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0) {
		perror("PTRACE_SINGLESTEP");
		return 1;
	}
	while (waitpid(pid, &st, 0) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
		ptrace(PTRACE_GETREGS, pid, 0, &r);
		ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
		if (r.eflags & 0x100)
			tf_seen = 1;
		if (r.rip >= (unsigned long long)step_start && r.rip <= (unsigned long long)step_end)
			printf("step %d: rip step_start+%llu, si_code %d\n", steps,
			       r.rip - (unsigned long long)step_start, si.si_code);
		else
			printf("step %d: outside the run\n", steps);
		if (r.rip == (unsigned long long)step_end) {
			printf("at the end: ebx %llu, eax %llu (getppid's result was overwritten), ecx %llu\n",
			       r.rbx & 0xffffffff, r.rax & 0xffffffff, r.rcx & 0xffffffff);
			break;
		}
		if (++steps > 40 || ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0)
			break;
	}
	printf("trap flag shown to the tracer: %d\n", tf_seen);
	ptrace(PTRACE_KILL, pid, 0, 0);
	waitpid(pid, &st, 0);
	printf("child %s\n", WIFSIGNALED(st) ? "killed" : "ended");
	return 0;
}
