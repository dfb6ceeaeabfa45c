/*
 * The ptrace tests' wait statuses, printed the same natively and
 * sandboxed, and their traced children.  Include check.h first.
 */
#pragma once

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a wait status is: exited, killed, or stopped by a signal (|0x80 for a syscall stop) with its event. */
static inline void show(const char *what, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
	else if (WIFSTOPPED(st))
		printf("%s: stopped %s%s event %d\n", what, sigabbrev_np(WSTOPSIG(st) & 0x7f),
		       (WSTOPSIG(st) & 0x80) ? "|0x80" : "", st >> 16);
	else
		printf("%s: status %#x\n", what, st);
	fflush(stdout);
}

/* Waits for pid (any child state, __WALL) and shows it: the status, or -1 if waitpid failed. */
static inline int wait_show(const char *what, pid_t pid)
{
	int st = 0;
	pid_t r = waitpid(pid, &st, __WALL);

	if (r != pid) {
		printf("%s: waitpid: %s\n", what, r < 0 ? errname(errno) : "another pid");
		return -1;
	}
	show(what, st);
	return st;
}

/* A child that asks to be traced and stops itself; it then runs body. */
static inline pid_t traced_child(int (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
			_exit(99);
		raise(SIGSTOP);
		_exit(body());
	}
	return pid;
}
