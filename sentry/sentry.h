/*
 * The sentry's entry point: builds the sandbox's kernel state (memory file,
 * file systems, the first task), installs the vetted host-call list, and
 * runs the program until its thread group exits.
 */
#pragma once

#include <stdint.h>

struct sentry_config {
	const char *root;        /* host directory that becomes / (read-only) */
	int gofer_sock;          /* the gofer serving root (runsc-shim/gofer) */
	char *const *argv;       /* the command; argv[0] is looked up in PATH if it has no '/' */
	char *const *envp;
	const char *cwd;         /* inside the sandbox */
	uint64_t memory;         /* bytes: the sandbox's memory limit */
	int ncpus;               /* the host's online CPUs, read before the sentry left the host's files */
	int host_tsc;            /* the host's clocksource is the TSC (likewise): the vDSO may read it */
	int tty;                 /* -t: a pty for the sandbox, the caller's terminal in raw mode */
	int strace;
	int debug;
	const char *platform;    /* its name (plat_find); NULL: SENTRY_DEFAULT_PLATFORM */
	int pin_cpu;             /* tracer and stub on one CPU (ptrace) */
	int no_overlay;          /* --overlay=none: no upper layer, writes go through the gofer to the host */
	size_t gofer_fds;        /* host fds of idle gofer files kept open at most (0: the default) */
	int test_forbidden_call; /* make a host call not on the vetted list (tests) */
};

#define SENTRY_DEFAULT_PLATFORM "ptrace"

/* Returns the program's wait status (exit code << 8, or the killing signal), or -errno. */
int sentry_run(const struct sentry_config *cfg);
