/*
 * The monitor's half of OCI exec (sentry/exec.h).  `cvisor exec` connects
 * to ROOT/ID/exec.sock and sends a struct exec_spec with its stdio (three
 * fds, SCM_RIGHTS); the monitor hands both to the sentry when its exec
 * thread asks for the next process, and passes back to the client what
 * the sentry tells of it (started with its pid, or why not; exited with its
 * wait status), as two struct exec_req on the connection.  `cvisor ps`
 * and a terminal's resize come the same way, as a spec with another op
 * (sentry/exec.h), and get the sentry's answer on their connection.
 *
 * The monitor is an ordinary host process, so the socket on the host's file
 * system is its own, and the sentry keeps only the two socket pairs it was
 * started with: it never accepts a connection, nor learns a path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "../sentry/exec.h"
#include "oci.h"
#include "shim.h"

#define CLIENTS_MAX 1024

static struct {
	int req, evt, listen;
	pthread_mutex_t lock;
	int conn[CLIENTS_MAX]; /* by the id the sentry knows: the client's connection, or -1 */
	int fds[CLIENTS_MAX][3];
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Binds or connects the unix socket dir/exec.sock, named from dir so that a long --root still fits. */
int oci_exec_socket(const char *dir, int do_bind)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), cwd = open(".", O_PATH | O_CLOEXEC), r = -1;

	strcpy(sa.sun_path, "exec.sock");
	if (s >= 0 && cwd >= 0 && chdir(dir) == 0) {
		if (do_bind) {
			unlink("exec.sock");
			r = bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 16) < 0 ? -1 : 0;
		} else {
			r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		}
		if (fchdir(cwd) < 0)
			r = -1;
	}
	if (cwd >= 0)
		close(cwd);
	if (r < 0 && s >= 0) {
		close(s);
		s = -1;
	}
	return s;
}

int oci_exec_ask(const char *dir, const struct exec_spec *spec, int timeout_ms)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	int s = oci_exec_socket(dir, 0);

	if (s < 0)
		return -1;
	if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    send(s, spec, sizeof(*spec), MSG_NOSIGNAL) != (ssize_t)sizeof(*spec)) {
		close(s);
		return -1;
	}
	return s;
}

static int send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {(void *)buf, len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* The next client's spec and fds into *spec and fds (-1 where none came); its connection, or -1. */
static int next_client(struct exec_spec *spec, int fds[3])
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = {spec, sizeof(*spec)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c;
	int conn = accept4(srv.listen, NULL, NULL, SOCK_CLOEXEC);
	ssize_t n;

	fds[0] = fds[1] = fds[2] = -1;
	if (conn < 0)
		return -1;
	n = recvmsg(conn, &m, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k, nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (k = 0; k < nfd; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(int));
				if (k < 3)
					fds[k] = fd;
				else
					close(fd);
			}
		}
	if (n != (ssize_t)sizeof(*spec)) {
		for (n = 0; n < 3; n++)
			if (fds[n] >= 0)
				close(fds[n]);
		close(conn);
		return -2;
	}
	return conn;
}

static void *serve_requests(void *arg)
{
	static struct exec_spec spec;
	struct exec_req rq;
	int fds[3], conn, id, k;

	(void)arg;
	while (recv(srv.req, &rq, sizeof(rq), 0) == (ssize_t)sizeof(rq)) {
		if (rq.op == EXEC_FD) {
			struct exec_ack ack = {1};
			int fd = -1;

			pthread_mutex_lock(&srv.lock);
			if (rq.id >= 0 && rq.id < CLIENTS_MAX && (rq.arg == 1 || rq.arg == 2)) {
				fd = srv.fds[rq.id][rq.arg];
				srv.fds[rq.id][rq.arg] = -1;
			}
			pthread_mutex_unlock(&srv.lock);
			send_with_fd(srv.req, &ack, sizeof(ack), fd);
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (rq.op != EXEC_NEXT)
			break;
		/* A client that sends less than a whole spec is dropped; the sentry waits for the next. */
		while ((conn = next_client(&spec, fds)) == -2)
			;
		if (conn < 0)
			break;
		pthread_mutex_lock(&srv.lock);
		for (id = 0; id < CLIENTS_MAX && srv.conn[id] >= 0; id++)
			;
		if (id < CLIENTS_MAX) {
			srv.conn[id] = conn;
			for (k = 1; k < 3; k++)
				srv.fds[id][k] = fds[k];
		}
		pthread_mutex_unlock(&srv.lock);
		if (id == CLIENTS_MAX) {
			close(conn);
			id = -1; /* the sentry answers it EXEC_STARTED -EINVAL, to no one */
		}
		spec.id = id;
		spec.argc = id < 0 ? 0 : spec.argc;
		send_with_fd(srv.req, &spec, sizeof(spec), fds[0]);
		if (fds[0] >= 0)
			close(fds[0]);
	}
	return NULL;
}

static void *serve_events(void *arg)
{
	static struct exec_ps_msg m; /* the largest event: a part of a process list */
	struct exec_req *rq = &m.hdr;
	struct exec_ack ack = {1};
	ssize_t n;

	(void)arg;
	while ((n = recv(srv.evt, &m, sizeof(m), 0)) >= (ssize_t)sizeof(*rq)) {
		int conn = -1, k, last;

		send_with_fd(srv.evt, &ack, sizeof(ack), -1);
		/* Its end, a start that failed, or the answer to a look: the client has heard all there is. */
		last = rq->op == EXEC_EXITED || (rq->op == EXEC_STARTED && rq->arg < 0) || rq->op == EXEC_PS_END ||
		       rq->op == EXEC_DONE;
		pthread_mutex_lock(&srv.lock);
		if (rq->id >= 0 && rq->id < CLIENTS_MAX) {
			conn = srv.conn[rq->id];
			if (last) {
				srv.conn[rq->id] = -1;
				for (k = 1; k < 3; k++)
					if (srv.fds[rq->id][k] >= 0) {
						close(srv.fds[rq->id][k]);
						srv.fds[rq->id][k] = -1;
					}
			} else {
				conn = dup(conn);
			}
		}
		pthread_mutex_unlock(&srv.lock);
		if (conn >= 0) {
			/* A client that went away misses it: its process runs on all the same. */
			send(conn, &m, (size_t)n, MSG_NOSIGNAL);
			close(conn);
		}
	}
	return NULL;
}

int oci_exec_server_prepare(const char *id, struct sentry_config *cfg)
{
	char dir[4400];
	int req[2], evt[2], k;

	if (oci_dir(id, dir, sizeof(dir)) < 0)
		return -1;
	for (k = 0; k < CLIENTS_MAX; k++)
		srv.conn[k] = srv.fds[k][0] = srv.fds[k][1] = srv.fds[k][2] = -1;
	srv.listen = oci_exec_socket(dir, 1);
	if (srv.listen < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, req) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, evt) < 0) {
		close(req[0]);
		close(req[1]);
		return -1;
	}
	srv.req = req[0];
	srv.evt = evt[0];
	cfg->exec_socks[0] = req[1];
	cfg->exec_socks[1] = evt[1];
	return 0;
}

void oci_exec_server_start(void *arg)
{
	pthread_t th;

	(void)arg;
	pthread_create(&th, NULL, serve_requests, NULL);
	pthread_detach(th);
	pthread_create(&th, NULL, serve_events, NULL);
	pthread_detach(th);
}
