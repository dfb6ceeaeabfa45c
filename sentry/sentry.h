/*
 * The sentry's entry point: builds the sandbox's kernel state (memory file,
 * file systems, the first task), installs the vetted host-call list, and
 * runs the program until its thread group exits.
 */
#pragma once

#include <signal.h>
#include <stdint.h>

#include "../netstack/netstack.h"

struct sentry_config {
	const char *root;        /* host directory that becomes / (read-only) */
	int gofer_sock;          /* the gofer serving root (runsc-shim/gofer) */
	char *const *argv;       /* the command; argv[0] is looked up in PATH if it has no '/' */
	char *const *envp;
	const char *cwd;         /* inside the sandbox */
	uint64_t memory;         /* bytes: the sandbox's memory limit */
	int max_tasks;           /* threads of all processes together (--tasks) */
	size_t max_files;        /* open file descriptions of the sandbox (--files; 0: the default) */
	int ncpus;               /* the host's online CPUs, read before the sentry left the host's files */
	int host_tsc;            /* the host's clocksource is the TSC (likewise): the vDSO may read it */
	int tty;                 /* -t: a pty for the sandbox, the caller's terminal in raw mode */
	int strace;
	int debug;
	const char *platform;    /* its name (plat_find); NULL: SENTRY_DEFAULT_PLATFORM */
	int pin_cpu;             /* tracer and stub on one CPU (ptrace) */
	int no_overlay;          /* --overlay=none: no upper layer, writes go through the gofer to the host */
	int private_tmp;         /* --private-tmp: an empty tmpfs on /tmp instead of the root's own /tmp */
	size_t gofer_fds;        /* host fds of idle gofer files kept open at most (0: the default) */
	int test_forbidden_call; /* tests: 1 a host call not on the vetted list, 2 a ptrace request, 3 a kill pid not on it */
	unsigned stdio_closed;   /* bit N: the caller's fd N (0-2) was closed (an inert fd of the sentry's holds its place) */
	struct net_config net;   /* --network=sandbox, --net-ns: the packet socket and what the stack takes (netstack.h) */
};

#define SENTRY_DEFAULT_PLATFORM "ptrace"

/*
 * Returns the program's wait status (exit code << 8, or the killing signal),
 * or -errno.  Either way every process of the sandbox (the gofer, the
 * stubs) has exited and been reaped by then: none is left to the host's
 * pid 1.
 */
int sentry_run(const struct sentry_config *cfg);

/* Kills and reaps the sandbox's processes (stubs, gofer) from the crash handler, before it exits. */
void sentry_end_on_crash(void);
/*
 * The signals cvisor passes on to the sandbox (sentry.c says how), and
 * whether the sentry takes this one itself rather than from cvisor (the
 * terminal's, which reach both).
 */
void sentry_forwarded_set(sigset_t *set);
int sentry_signal_direct(const siginfo_t *si);
