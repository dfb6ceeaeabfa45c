/*
 * cvisor as an OCI runtime: what the verbs (create.c, start.c, state.c,
 * kill.c, delete.c, ...) share.  A container is a directory ROOT/ID (the
 * global --root, /run/cvisor by default) holding state.json and a lock
 * file; its *monitor* is the cvisor process that runs the sandbox
 * (shim_sandbox_run) and exits with the container's status.  Its pid is
 * the container's pid (the pid file's): signals to it reach the sandbox's
 * first process, and its end is the container's.  docs/oci.md has the
 * whole design.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "../sentry/sentry.h"

struct json_object;
struct syscall_profile;

/* The global flags, given before the verb (runc's spelling). */
struct oci_globals {
	const char *root;   /* state directory (--root) */
	const char *log;    /* --log FILE: errors as lines, also on stderr */
	int log_json;       /* --log-format json */
	int debug;
	const char *platform; /* --platform NAME (runsc's flag); NULL: the build's default */
};
extern struct oci_globals oci_g;

/* The parts of an OCI spec (config.json) that cvisor reads; oci_spec_free frees it. */
struct oci_spec {
	struct json_object *json;   /* the whole document (annotations are copied from it) */
	char *root;                 /* root.path, absolute */
	int root_readonly;
	const char *hostname;
	/* process */
	char **args, **env;         /* NULL-ended */
	const char *cwd;
	int terminal;
	struct sentry_process proc;
	uint32_t groups[64];
	/* mounts, maskedPaths and readonlyPaths, as the sentry makes them */
	struct sentry_mount *mounts;
	size_t nmounts;
	/* linux */
	const char *cgroups_path;
	int64_t memory_limit;       /* bytes, -1: none */
	int64_t pids_limit;         /* -1: none */
	int64_t cpu_quota, cpu_period;
	int netns;                  /* the spec asks for a network namespace */
	struct syscall_profile *seccomp; /* linux.seccomp, or NULL (oci_seccomp.c) */
	struct json_object *devices;     /* linux.devices (the document's), or NULL */
	const char *netns_path;     /* ... and names it: the sandbox takes its interface (else: loopback only) */
};

/*
 * Reads BUNDLE/config.json into *s: 0, or 1 after printing what is wrong
 * (shim_fail).  oci_process_load reads a process object alone (exec's
 * --process file) into the process fields of s (zeroed, or loaded before).
 */
int oci_spec_load(const char *bundle, struct oci_spec *s);
int oci_process_load(const char *file, struct oci_spec *s);
void oci_spec_free(struct oci_spec *s);
/* linux.seccomp (sc; NULL: none) into *out (malloc'd, NULL when none): 0, or 1 after a message. */
int oci_seccomp_load(struct json_object *sc, struct syscall_profile **out);
/*
 * linux.devices: the sandbox's /dev has its own null, zero, full, random,
 * urandom and tty (and ptmx, console); a device the spec names that is one
 * of them is there already, any other is left out, said once on stderr.
 */
void oci_devices_note(const struct oci_spec *s);
/* runc's default spec (`cvisor spec`), as JSON text (malloc'd); rootless: without the namespaces a user cannot make. */
char *oci_spec_default(void);
/* A signal by number or name ("9", "KILL", "SIGKILL"): its number, or -1. */
int oci_signal(const char *s);

/*
 * The host cgroup directories of a container: one on a cgroup v2 host; on
 * a v1 (hybrid) host, one per controller cvisor uses (memory, pids,
 * freezer, cpu).  A cgroupsPath that is absolute names a place below each
 * hierarchy's root; a relative one, or none (then "cvisor-ID"), a place
 * below cvisor's own cgroup, so that a caller's limits keep holding.
 */
#define OCI_CGROUPS_MAX 4
struct oci_cgroups {
	char dir[OCI_CGROUPS_MAX][512];
	int n;
};

/* A container's record (ROOT/ID/state.json). */
struct oci_state {
	char id[256];
	char bundle[4096];
	struct oci_cgroups cg;
	char created[64];    /* RFC 3339 */
	pid_t pid;           /* the monitor's; 0 before it started */
	unsigned long long start_time; /* the monitor's /proc start time: a reused pid is not it */
	struct json_object *annotations; /* owned; may be NULL */
};

enum oci_status { OCI_CREATING, OCI_CREATED, OCI_RUNNING, OCI_PAUSED, OCI_STOPPED };
extern const char *const oci_status_name[];

/* ROOT/ID into buf; -1 (with a message) for an ID that is not a plain name. */
int oci_dir(const char *id, char *buf, size_t size);
/*
 * Locks the container's directory (flock, exclusive): returns the lock's
 * fd (close it to unlock), or -1 with errno (ENOENT: no such container).
 */
int oci_lock(const char *id);
int oci_state_load(const char *id, struct oci_state *st);
int oci_state_save(const struct oci_state *st);
void oci_state_free(struct oci_state *st);
enum oci_status oci_state_status(const struct oci_state *st);
/* The state JSON of the OCI runtime spec (`state`, and what hooks would read); malloc'd. */
char *oci_state_json(const struct oci_state *st);
/* Loads ID's state, or fails with runc's message: 0, or 1 after shim_fail. */
int oci_find(const char *id, struct oci_state *st);

/*
 * The spec's hooks of one kind ("prestart", "poststop", ...) for st, from
 * its bundle's config.json (oci_hooks.c): 0; 1 after a message when one
 * failed and fatal (else a warning, and the rest still run).
 * oci_hooks_has: whether s has hooks of that kind.
 */
int oci_hooks_run(const struct oci_state *st, const char *kind, int fatal);
int oci_hooks_has(const struct oci_spec *s, const char *kind);
/* A created container's start (start.c): its startContainer hooks, the byte on its fifo, its poststart hooks. 0, or 1 after a message. */
int oci_start(const struct oci_state *st);

/* The start-up fifo of a created container: its monitor waits on it until `start`. */
int oci_fifo_path(const char *id, char *buf, size_t size);

/*
 * Host cgroups (oci_cgroup.c): make them for s (its cgroupsPath and
 * limits; 0 or -errno), move the caller in, freeze or thaw, ask whether
 * frozen, list the host pids in them (malloc'd, *n), remove them once
 * their processes are gone (waiting a little for them).
 */
int oci_cgroup_make(const struct oci_spec *s, const char *id, struct oci_cgroups *cg);
int oci_cgroup_join(const struct oci_cgroups *cg);
int oci_cgroup_freeze(const struct oci_cgroups *cg, int frozen);
int oci_cgroup_frozen(const struct oci_cgroups *cg);
pid_t *oci_cgroup_pids(const struct oci_cgroups *cg, size_t *n);
int oci_cgroup_remove(const struct oci_cgroups *cg);

/*
 * create, run: the sandbox for BUNDLE as container ID.  A monitor process
 * runs it; with wait_start it first waits for `start`, with foreground the
 * caller is the monitor and returns the container's status.  console: the
 * --console-socket path or NULL; pid_file likewise.
 */
struct oci_launch {
	const char *id, *bundle, *pid_file, *console;
	int wait_start;   /* create: the process waits for `start` */
	int foreground;   /* run without --detach: the caller waits, and deletes the container after */
};
int oci_launch(const struct oci_launch *l);
/* Removes ROOT/ID and, with cg, the container's cgroups. */
void oci_remove(const char *id, const struct oci_cgroups *cg);
/*
 * A verb's flag at argv[*i] named name (or short, may be NULL), given as
 * "--name VALUE" or "--name=VALUE": its value, moving *i past it; NULL if
 * argv[*i] is another flag.
 */
const char *oci_flag(int argc, char **argv, int *i, const char *name, const char *short_name);
/* The single ID operand after the flags: argv[i], or NULL after a message. */
const char *oci_id(int argc, char **argv, int i, const char *verb);

/*
 * OCI exec (exec_server.c): the monitor's socket ROOT/ID/exec.sock and its
 * two socket pairs with the sentry (into cfg->exec_socks) before the
 * sandbox starts, the threads that serve them once it runs.
 * oci_exec_socket binds (do_bind) or connects DIR/exec.sock: the socket, or -1.
 */
int oci_exec_server_prepare(const char *id, struct sentry_config *cfg);
void oci_exec_server_start(void *arg);
int oci_exec_socket(const char *dir, int do_bind);
/*
 * A look at the running sandbox (EXEC_OP_PS, EXEC_OP_RESIZE): spec sent to
 * the monitor of DIR, waiting at most timeout_ms for each answer; the
 * connection the answer comes on, or -1.
 */
struct exec_spec;
int oci_exec_ask(const char *dir, const struct exec_spec *spec, int timeout_ms);
/* The console socket's pty (oci_launch.c): its replica, after the master went to sock_path; -1 after a message. */
int oci_send_console(const char *sock_path);

/* The verbs (one file each). */
int shim_spec(int argc, char **argv);
int shim_create(int argc, char **argv);
int shim_run(int argc, char **argv);
int shim_start(int argc, char **argv);
int shim_state(int argc, char **argv);
int shim_kill(int argc, char **argv);
int shim_delete(int argc, char **argv);
int shim_list(int argc, char **argv);
int shim_features(int argc, char **argv);
int shim_ps(int argc, char **argv);
/* pause: keeps the sandbox's process list for ps while it is frozen (0, or -1 after a message); resume forgets it. */
int ps_keep(const char *id);
void ps_forget(const char *id);
int shim_pause(int argc, char **argv);
int shim_resume(int argc, char **argv);
int shim_exec(int argc, char **argv);
/* The start time of process pid in /proc (clock ticks since boot), 0 if there is none. */
unsigned long long oci_proc_start_time(pid_t pid);
