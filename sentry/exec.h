/*
 * OCI exec: new processes in a running sandbox, asked for by cvisor (its
 * monitor, runsc-shim/exec_server.c) over two socket pairs the sentry holds
 * from its start, as it holds the gofers' sockets.  Both are served with
 * the gofer's host call (host_gofer_call: one request out, one reply and
 * at most one fd back), so the control channel adds no host system call to
 * the vetted list, only two fds to the sockets its sendmsg and recvmsg may
 * use.  docs/oci.md says why it is built this way.
 *
 * Requests socket (the sentry's exec thread asks, cvisor answers):
 *   EXEC_NEXT            -> struct exec_spec of the next process, with its fd 0
 *                           (cvisor answers when a `cvisor exec` comes)
 *   EXEC_FD (id, n)      -> struct exec_ack, with that process's fd n (1 or 2)
 * Events socket (the sentry tells, cvisor acknowledges):
 *   EXEC_STARTED (id, pid or -errno), EXEC_EXITED (id, wait status) -> struct exec_ack
 *
 * A spec with another op than EXEC_OP_SPAWN asks no new process, but a
 * look at the running ones: EXEC_OP_PS is answered with the sandbox's
 * processes, as EXEC_PS_PART events of up to EXEC_PS_CHUNK struct
 * exec_proc each (arg: how many follow the header), the last one
 * EXEC_PS_END; EXEC_OP_RESIZE gives the terminal of the exec'd process
 * `target` the size in ws, and is answered EXEC_DONE (0, or -ESRCH when
 * that process has no terminal, or is gone).  Neither takes fds.
 * Everything cvisor sends is checked as guest input is: lengths, counts,
 * NUL-ended strings.
 */
#pragma once

#include <stdint.h>

enum { EXEC_NEXT = 1, EXEC_FD, EXEC_STARTED, EXEC_EXITED, EXEC_PS_PART, EXEC_PS_END, EXEC_DONE };
enum { EXEC_OP_SPAWN, EXEC_OP_PS, EXEC_OP_RESIZE };

struct exec_req {
	int32_t op, id, arg;
};

#define EXEC_STRINGS_MAX 32768
#define EXEC_GROUPS_MAX 32

/* strings: cwd, then argc arguments, then envc environment strings, each NUL-ended, len bytes in all. */
struct exec_spec {
	int32_t id;
	uint32_t uid, gid, ngroups;
	uint32_t groups[EXEC_GROUPS_MAX];
	uint32_t argc, envc, len;
	int32_t no_new_privs;
	int32_t tty;    /* fd 0 is a host terminal: the process gets a pty of the sandbox's, served on it */
	int32_t op;     /* EXEC_OP_*: 0 is a new process */
	int32_t target; /* EXEC_OP_RESIZE: the id of the process whose terminal it is */
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
	char strings[EXEC_STRINGS_MAX];
};

struct exec_ack {
	int32_t ok;
};

/* One process of the sandbox, as `cvisor ps` shows it (EXEC_OP_PS). */
struct exec_proc {
	int32_t pid, ppid;
	uint32_t uid;     /* the effective uid of its first live thread */
	int32_t tty;      /* the N of its controlling terminal /dev/pts/N, or -1 */
	uint64_t age_ns;  /* since it started (fork, or exec from cvisor) */
	uint64_t cpu_ns;  /* its CPU time so far */
	char comm[16];
};

#define EXEC_PS_CHUNK 128

struct exec_ps_msg {
	struct exec_req hdr; /* op EXEC_PS_PART or EXEC_PS_END, arg: the entries below */
	int32_t pad;         /* procs at 16: a part is offsetof(procs) + arg entries long */
	struct exec_proc procs[EXEC_PS_CHUNK];
};

/*
 * Starts the exec thread on the two sockets (sentry/exec.c); after the
 * seccomp filter is fine.  find looks a program up in PATH as the first
 * process's is (sentry.c plugs its own in: it sits above this layer).
 */
struct task;
void sentry_exec_start(int req_sock, int evt_sock,
		       char *(*find)(struct task *t, const char *argv0, char *const *envp, long *err));
