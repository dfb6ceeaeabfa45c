/*
 * The `cvisor` command: one function per verb (one file each), dispatched
 * from the verb table in main.c.  A verb returns the process exit status.
 * Errors are reported here, at the edge, as a message a person can act on.
 */
#pragma once

#include <sys/types.h>

int shim_do(int argc, char **argv);
int shim_platforms(int argc, char **argv);
struct platform;
/* The platform of that name, or NULL after the error lines (not in this build). */
const struct platform *shim_platform_find(const char *name);
/* 0 if p can run here (*note, if given: what it says of this host, or NULL), else 1 after the error lines, with hint. */
int shim_platform_runs(const struct platform *p, const char *hint, const char **note);
int shim_compat(int argc, char **argv);

/*
 * The sandbox's start-up and life, shared by `do` and the OCI verbs: the
 * network namespace, the gofers (the root's, and one per SENTRY_MNT_GOFER
 * mount of cfg, whose sock it sets), the sentry, and supervising it until
 * it ends.  Returns the exit status to give (128+N for a sandbox killed by
 * signal N; with opt->oci also when the sentry itself was killed).
 */
struct sentry_config;
struct shim_net;

struct shim_sandbox {
	const char *cgroup; /* join this existing cgroup v2 directory first, or NULL */
	int oci;
	/* Called in cvisor once the sentry runs (the OCI monitor's exec server starts there), or NULL. */
	void (*started)(void *arg);
	void *arg;
	struct shim_net *net; /* cvisor do's --network and --net-ns (runsc-shim/network.h), or NULL: loopback only */
};
int shim_sandbox_run(struct sentry_config *cfg, const struct shim_sandbox *opt);

/* Prints "cvisor: <message>" and a hint; returns 1 (runc's error status). */
int shim_fail(const char *hint, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The host uid and gid of the sentry and its stubs: the sandbox's uid and
 * gid 0 are these on the host, and no other id is mapped.  nobody, as
 * gVisor's sentry: it owns no file, and another process running as nobody
 * on the host can at most signal the sentry (not trace it: its user
 * namespace is the sentry's, not theirs).  docs/security.md says more.
 */
#define SANDBOX_HOST_ID 65534

/*
 * The gofer's capabilities, all it needs to serve a root-owned image and,
 * with --overlay=none, to write it as the sandbox's users: CAP_DAC_OVERRIDE
 * and CAP_DAC_READ_SEARCH to open and search whatever the sentry asks for
 * (the sentry checked the sandbox's permissions), CAP_FOWNER to change the
 * mode, times and xattrs of, and link to, files it does not own,
 * CAP_CHOWN to give new files to the sandbox's user, CAP_FSETID to keep
 * their set-id bits.  Everything else is dropped, the bounding set too.
 */
#define GOFER_CAPS                                                                                              \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) | \
	 (1ULL << CAP_FSETID))

/*
 * runsc-shim/confine.c, each called while its process is one thread.
 *
 * shim_confine_net: cvisor enters an empty network namespace, which the
 * gofer and the sentry it starts then share.  0 or -errno.
 *
 * shim_confine_gofer: the gofer's own namespaces, no pseudo file systems,
 * root as its root (pivot_root), GOFER_CAPS only; 0 or -errno.
 *
 * shim_spawn_sentry: starts the sentry as a child in namespaces of its
 * own, as SANDBOX_HOST_ID with no capability and an empty read-only root,
 * holding only stdio and the sockets *socks[i] (the gofers', OCI exec's,
 * the packet socket of --network=sandbox), which may move: they end up at
 * 3, 4, ... in order.
 * In the sentry, bit N of *stdio_closed says the caller's fd N (0-2) was
 * closed (an inert fd holds its place).  Returns 0 in the sentry, its pid
 * in cvisor (which no longer holds the sockets), or -errno with *step saying
 * what failed (in either).
 */
int shim_confine_net(void);
int shim_confine_gofer(const char *root);
pid_t shim_spawn_sentry(int *const *socks, size_t nsocks, unsigned *stdio_closed, const char **step);

/*
 * The cgroup v2 directory (an fd on it) that the sandbox's processes are
 * born in (do --cgroup), or -1: the caller's.  shim_clone makes a child
 * with the namespaces in flags, in that cgroup; fork's return values.
 */
extern int shim_cgroup_fd;
long shim_clone(unsigned long flags);
/* Writes value into the file name below dirfd (AT_FDCWD: a path): 0 or -errno. */
int shim_write_file_at(int dirfd, const char *name, const char *value);

/*
 * cvisor do, while it waits for its sandbox: CAP_KILL alone (signals for the
 * sentry, which runs as another uid), nothing to gain back.  What it reads
 * of the sandbox from then on (the exit status, the signals it passes on)
 * cannot use root's power on the host.  0 or -errno.
 */
int shim_confine_supervisor(void);
