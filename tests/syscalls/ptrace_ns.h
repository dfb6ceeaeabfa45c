/*
 * The ptrace tests natively: in a pid namespace of their own (unshare -p,
 * with a timeout), so that a tracee left behind by a failing run dies with
 * the namespace and nothing of the host's can be reached by a pid.  In a
 * sandbox the test is already its pid 1.
 */
#pragma once

#include <stdlib.h>
#include <unistd.h>

static void ptrace_own_pid_namespace(char **argv)
{
	char *args[16] = {"unshare", "-p", "-f", "--mount-proc", "timeout", "60"};
	int n = 6;

	if (getpid() == 1 || geteuid() != 0 || getenv("CVT_PTRACE_NS"))
		return;
	setenv("CVT_PTRACE_NS", "1", 1);
	while (*argv && n < 15)
		args[n++] = *argv++;
	args[n] = NULL;
	execvp(args[0], args);
	/* No unshare here: the test runs as it is. */
}
