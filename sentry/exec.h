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
 * Everything cvisor sends is checked as guest input is: lengths, counts,
 * NUL-ended strings.
 */
#pragma once

#include <stdint.h>

enum { EXEC_NEXT = 1, EXEC_FD, EXEC_STARTED, EXEC_EXITED };

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
	char strings[EXEC_STRINGS_MAX];
};

struct exec_ack {
	int32_t ok;
};

/*
 * Starts the exec thread on the two sockets (sentry/exec.c); after the
 * seccomp filter is fine.  find looks a program up in PATH as the first
 * process's is (sentry.c plugs its own in: it sits above this layer).
 */
struct task;
void sentry_exec_start(int req_sock, int evt_sock,
		       char *(*find)(struct task *t, const char *argv0, char *const *envp, long *err));
