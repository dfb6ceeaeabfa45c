/*
 * The sentry's entry point: builds the sandbox's kernel state (memory file,
 * file systems, the first task), installs the vetted host-call list, and
 * runs the program until its thread group exits.
 */
#pragma once

#include <signal.h>
#include <stdint.h>

#include "../netstack/netstack.h"
/*
 * One mount of an OCI spec (runsc-shim/oci_spec.c), made in this order
 * after the sandbox's own /dev, /proc, /sys and /tmp; a missing mount
 * point is made first (a directory, or an empty file for a file's bind).
 */
enum {
	SENTRY_MNT_TMPFS,  /* a fresh tmpfs of size bytes (0: the /tmp share), root mode */
	SENTRY_MNT_PROC,   /* another procfs of the sandbox */
	SENTRY_MNT_GOFER,  /* a host directory (or a file in it) served by a gofer of its own, at sock */
	SENTRY_MNT_MASK,   /* the spec's maskedPaths: an empty read-only tmpfs, or /dev/null on a file */
	SENTRY_MNT_RDONLY, /* the spec's readonlyPaths: the path bound on itself, read-only */
};

struct sentry_mount {
	int kind;
	const char *dest; /* absolute, in the sandbox */
	int rdonly;
	uint64_t size;
	uint32_t mode;
	const char *source; /* SENTRY_MNT_GOFER: the host directory its gofer serves (cvisor's business, not the sentry's) */
	int sock;         /* SENTRY_MNT_GOFER: that gofer's socket */
	const char *file; /* SENTRY_MNT_GOFER of a file: its name in the directory the gofer serves */
};

/* The spec's process: who the first process is, beyond argv, envp and cwd. */
struct sentry_process {
	int set_ids;              /* uid, gid and groups below, else root with no groups */
	uint32_t uid, gid;
	const uint32_t *groups;
	size_t ngroups;
	int set_caps;             /* the five sets below, else every capability (a root shell's) */
	uint64_t cap_eff, cap_prm, cap_inh, cap_bnd, cap_amb;
	int no_new_privs;
	struct { int resource; uint64_t cur, max; } rlimits[16];
	size_t nrlimits;
};

struct syscall_profile;
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
	int plat_fd;             /* the platform's host device (platform.h host_fd); 0: none */
	int no_overlay;          /* --overlay=none: no upper layer, writes go through the gofer to the host */
	int private_tmp;         /* --private-tmp: an empty tmpfs on /tmp instead of the root's own /tmp */
	size_t gofer_fds;        /* host fds of idle gofer files kept open at most (0: the default) */
	int test_forbidden_call; /* tests: 1 a host call not on the vetted list, 2 a ptrace request, 3 a kill pid not on it,
				  * 4 sendmmsg on stdout, 5 read(2) */
	unsigned stdio_closed;   /* bit N: the caller's fd N (0-2) was closed (an inert fd of the sentry's holds its place) */
	struct net_config net;   /* --network=sandbox, --net-ns: the packet socket and what the stack takes (netstack.h) */
	/* An OCI container's (runsc-shim/oci_*.c); all zero for `cvisor do`. */
	struct sentry_mount *mounts; /* their socks set by shim_sandbox_run */
	size_t nmounts;
	int root_rdonly;         /* root.readonly: the root's mount is read-only */
	const char *hostname;    /* NULL: the host's */
	const struct sentry_process *process; /* NULL: root, every capability, the default limits */
	int exec_socks[2];       /* OCI exec's requests and events sockets (sentry/exec.h); 0: none */
	const struct syscall_profile *profile; /* linux.seccomp, in the system call table (syscalls/profile.h); NULL: none */
};

/*
 * sentry/container.c, for an OCI container: the spec's mounts, made in
 * the root t stands in (0 or -errno, with the mount that failed named on
 * stderr); the spec's process applied to t before its program is found;
 * the gofer sockets of the sandbox, the root's first, into socks (max).
 */
struct task;
#define SENTRY_GOFERS_MAX 64
long sentry_make_mounts(struct task *t, const struct sentry_config *cfg);
void sentry_apply_process(struct task *t, const struct sentry_config *cfg);
/* A missing directory at path (absolute), made with its parents: 0 or -errno. */
long sentry_make_mountpoint(struct task *t, const char *path);
size_t sentry_gofer_socks(const struct sentry_config *cfg, int *socks, size_t max);

#define SENTRY_DEFAULT_PLATFORM "systrap"

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
