/*
 * ptrace(2) events and the ways in: PTRACE_O_TRACEFORK follows a fork (the
 * event's message is the new pid, which starts traced and stopped),
 * PTRACE_O_TRACEEXEC and _TRACEEXIT stops, PTRACE_SEIZE with
 * PTRACE_INTERRUPT (and the group stop it reports as PTRACE_EVENT_STOP),
 * PTRACE_ATTACH of a running process, a single step, TracerPid in
 * /proc/PID/status and /proc/PID/mem read and written by the tracer.
 */
#include "check.h"
#include "ptrace_ns.h"
#include "ptrace_wait.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/user.h>
#include <sys/wait.h>

static volatile long word = 0x1111;

static int forker(void)
{
	int st;
	pid_t c = fork();

	if (c == 0)
		_exit(5);
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) + 10 : 1;
}

static int vforker(void)
{
	int st;
	pid_t c = vfork();

	if (c == 0)
		_exit(6);
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) + 20 : 1;
}

static int execer(void)
{
	execl("/bin/true", "true", (char *)NULL);
	return 98;
}

static int idle(void)
{
	for (volatile int spin = 1; spin;)
		if (spin++ > 1000000)
			pause();
	return 0;
}

static int exit_word(void)
{
	return (int)(word & 0xff);
}

static void tracer_pid(pid_t pid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f) {
		printf("open %s: %s\n", "status", errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "TracerPid:", 10))
			printf("TracerPid is the tracer: %d\n", atoi(line + 10) == getpid());
		else if (!strncmp(line, "State:", 6))
			printf("%s", line);
	fclose(f);
}

int main(int argc, char **argv)
{
	pid_t pid, child;
	unsigned long msg;
	int st, gofd;

	(void)argc;
	ptrace_own_pid_namespace(argv);

	/* PTRACE_O_TRACEFORK: the fork's event, then the new process stopped and traced. */
	pid = traced_child(forker);
	wait_show("fork", pid);
	CHECK("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXIT));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("fork event", pid);
	msg = 0;
	CHECK("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	child = (pid_t)msg;
	printf("new pid is another process: %d\n", child > 0 && child != pid);
	wait_show("new child's first stop", child);
	tracer_pid(child);
	CHECK("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	wait_show("new child's exit event", child);
	CHECK("geteventmsg", ptrace(PTRACE_GETEVENTMSG, child, 0, &msg));
	printf("exit event message = %#lx\n", msg);
	CHECK("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	wait_show("new child ends (told to its tracer, not its parent)", child);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("forker: its SIGCHLD", pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, SIGCHLD));
	wait_show("forker's exit event", pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("forker ends", pid);

	/* vfork: PTRACE_EVENT_VFORK, then PTRACE_EVENT_VFORK_DONE once the child is gone; waitid's CLD_TRAPPED. */
	pid = traced_child(vforker);
	wait_show("vfork", pid);
	CHECK("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		CHECK("waitid", waitid(P_PID, pid, &si, WEXITED | WSTOPPED));
		printf("waitid: code %s status %#x\n", si.si_code == CLD_TRAPPED ? "CLD_TRAPPED" : "other", si.si_status);
	}
	CHECK("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	child = (pid_t)msg;
	wait_show("vfork child's first stop", child);
	CHECK("cont child", ptrace(PTRACE_CONT, child, 0, 0));
	wait_show("vfork child ends", child);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("vfork done event", pid);
	CHECK("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	printf("vfork done message is the child: %d\n", (pid_t)msg == child);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("vforker: its SIGCHLD", pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("vforker ends", pid);

	/* PTRACE_O_TRACEEXEC: the exec's event (message: the former tid), no SIGTRAP. */
	pid = traced_child(execer);
	wait_show("exec", pid);
	CHECK("setoptions", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXEC));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("exec event", pid);
	CHECK("geteventmsg", ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg));
	printf("exec event message is the pid: %d\n", msg == (unsigned long)pid);
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("exec ends", pid);

	/* PTRACE_SEIZE: no SIGSTOP; PTRACE_INTERRUPT stops it; a SIGSTOP's group stop is an event stop. */
	pid = fork();
	if (pid == 0)
		_exit(idle());
	CHECK("seize", ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD));
	CHECK("interrupt", ptrace(PTRACE_INTERRUPT, pid, 0, 0));
	wait_show("interrupted", pid);
	{
		siginfo_t si;

		CHECK("getsiginfo", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		printf("siginfo %s code %#x\n", sigabbrev_np(si.si_signo), si.si_code);
	}
	tracer_pid(pid);
	CHECK("kill SIGSTOP", kill(pid, SIGSTOP));
	CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
	wait_show("signal stop", pid);
	CHECK("cont with SIGSTOP", ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
	st = wait_show("group stop", pid);
	{
		siginfo_t si;

		CHECK("getsiginfo in a group stop", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		printf("siginfo %s code %#x\n", sigabbrev_np(si.si_signo), si.si_code);
	}
	CHECK("kill", kill(pid, SIGKILL));
	wait_show("seized ends", pid);

	/* PTRACE_ATTACH of a running child: it stops with SIGSTOP; PTRACE_DETACH lets it go on. */
	{
		int ready[2], go[2];
		char c;

		if (pipe(ready) < 0 || pipe(go) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			word = 0x33;
			write(ready[1], "r", 1);
			while (read(go[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(exit_word());
		}
		read(ready[0], &c, 1);
		close(go[0]);
		gofd = go[1];
	}
	CHECK("attach", ptrace(PTRACE_ATTACH, pid, 0, 0));
	wait_show("attached", pid);
	{
		char path[64];
		long v = 0;
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		fd = open(path, O_RDWR);
		printf("open mem = %s\n", fd < 0 ? errname(errno) : "ok");
		CHECK("pread mem", pread(fd, &v, sizeof(v), (off_t)(unsigned long)&word));
		printf("word read = %#lx\n", v);
		v = 0x44;
		CHECK("pwrite mem", pwrite(fd, &v, sizeof(v), (off_t)(unsigned long)&word));
		CHECK("pread mem (unmapped)", pread(fd, &v, sizeof(v), 4096));
		close(fd);
	}
	CHECK("detach", ptrace(PTRACE_DETACH, pid, 0, 0));
	CHECK("write go", write(gofd, "g", 1));
	wait_show("detached ends", pid);

	/*
	 * An old-style tracee's group stop: the tracer lets it go on, and it
	 * runs while its process is stopped; a blocking read then waits (it
	 * does not spin: little CPU time spent while it waits).
	 */
	{
		int p[2];

		if (pipe(p) < 0)
			return 1;
		pid = fork();
		if (pid == 0) {
			struct rusage ru;
			char c;

			ptrace(PTRACE_TRACEME, 0, 0, 0);
			raise(SIGSTOP);
			if (read(p[0], &c, 1) != 1)
				_exit(1);
			getrusage(RUSAGE_SELF, &ru);
			_exit(ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec < 100000 && ru.ru_stime.tv_sec == 0 &&
				      ru.ru_stime.tv_usec < 100000 ? 0 : 2);
		}
		wait_show("group stop (old style)", pid);
		CHECK("cont with SIGSTOP", ptrace(PTRACE_CONT, pid, 0, SIGSTOP));
		wait_show("group stop reported", pid);
		{
			siginfo_t si;

			CHECK("getsiginfo in an old-style group stop", ptrace(PTRACE_GETSIGINFO, pid, 0, &si));
		}
		CHECK("cont", ptrace(PTRACE_CONT, pid, 0, 0));
		usleep(300000);
		CHECK("write", write(p[1], "x", 1));
		wait_show("the read waited without spinning", pid);
		close(p[0]);
		close(p[1]);
	}

	/* PTRACE_SINGLESTEP: one instruction, then a SIGTRAP stop. */
	pid = traced_child(idle);
	wait_show("step", pid);
	{
		struct user_regs_struct a, b;
		int steps = 0;

		ptrace(PTRACE_GETREGS, pid, 0, &a);
		CHECK("singlestep", ptrace(PTRACE_SINGLESTEP, pid, 0, 0));
		wait_show("stepped", pid);
		ptrace(PTRACE_GETREGS, pid, 0, &b);
		printf("rip moved: %d\n", a.rip != b.rip);
		for (steps = 0; steps < 20; steps++) {
			if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0) < 0 || waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
			    WSTOPSIG(st) != SIGTRAP)
				break;
		}
		printf("20 steps: %d\n", steps);
	}
	CHECK("kill", ptrace(PTRACE_KILL, pid, 0, 0));
	wait_show("step ends", pid);
	return 0;
}
