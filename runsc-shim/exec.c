/*
 * cvisor exec [--process F] [--detach] [--pid-file P] [--tty] [--console-socket S]
 *             [--cwd DIR] [--env K=V] [--user UID[:GID]] ID [CMD [ARGS...]]
 * A new process in a running container: process.json (or the container's
 * own process with CMD for its args) goes to the container's monitor
 * (exec_server.c), with this command's stdio or, with a terminal, a new
 * pty's replica whose master goes to the console socket.  A child of this
 * command stays connected and exits with the process's status (128+N for
 * signal N): it is the pid file's process, as the caller expects.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../sentry/exec.h"
#include "oci.h"
#include "shim.h"

/* s's process into spec; 0, or 1 after a message. */
static int pack(const struct oci_spec *s, struct exec_spec *spec)
{
	size_t len = 0, i, n;

	memset(spec, 0, sizeof(*spec));
	spec->uid = s->proc.uid;
	spec->gid = s->proc.gid;
	spec->ngroups = (uint32_t)(s->proc.ngroups < EXEC_GROUPS_MAX ? s->proc.ngroups : EXEC_GROUPS_MAX);
	memcpy(spec->groups, s->groups, spec->ngroups * sizeof(uint32_t));
	spec->no_new_privs = s->proc.no_new_privs;
#define PUT(str)                                                                                   \
	do {                                                                                       \
		n = strlen(str) + 1;                                                               \
		if (len + n > EXEC_STRINGS_MAX)                                                    \
			return shim_fail("give fewer or shorter arguments and variables",       \
					 "exec: the process's arguments and environment exceed %d bytes", \
					 EXEC_STRINGS_MAX);                                        \
		memcpy(spec->strings + len, str, n);                                               \
		len += n;                                                                          \
	} while (0)
	PUT(s->cwd);
	for (i = 0; s->args[i]; i++, spec->argc++)
		PUT(s->args[i]);
	for (i = 0; s->env[i]; i++, spec->envc++)
		PUT(s->env[i]);
#undef PUT
	spec->len = (uint32_t)len;
	return 0;
}

static volatile sig_atomic_t winched;

static void on_winch(int sig)
{
	(void)sig;
	winched = 1;
}

/*
 * With a terminal, the client is the session leader of the host pty's
 * replica, so a resize of its master (conmon's, ctr's) sends it SIGWINCH:
 * the new size goes to the sandbox's pty of process id (EXEC_OP_RESIZE),
 * whose foreground group gets its own SIGWINCH there.
 */
static void send_resize(const char *dir, int tty, int id)
{
	struct exec_spec *spec = calloc(1, sizeof(*spec));
	struct exec_req ev;
	struct winsize ws;
	int s;

	winched = 0;
	if (!spec || ioctl(tty, TIOCGWINSZ, &ws) < 0) {
		free(spec);
		return;
	}
	spec->op = EXEC_OP_RESIZE;
	spec->target = id;
	spec->ws_row = ws.ws_row;
	spec->ws_col = ws.ws_col;
	spec->ws_xpixel = ws.ws_xpixel;
	spec->ws_ypixel = ws.ws_ypixel;
	s = oci_exec_ask(dir, spec, 5000);
	free(spec);
	if (s >= 0) {
		/* Its answer, so that sizes given one after the other arrive in order. */
		while (recv(s, &ev, sizeof(ev), MSG_WAITALL) < 0 && errno == EINTR)
			;
		close(s);
	}
}

/* The next event of the connection into *ev (0, or -1); a resize that comes meanwhile is passed on once id is known. */
static int next_event(int sock, struct exec_req *ev, const char *dir, int tty, int id)
{
	size_t got = 0;

	while (got < sizeof(*ev)) {
		ssize_t n = recv(sock, (char *)ev + got, sizeof(*ev) - got, MSG_WAITALL);

		if (n < 0 && errno == EINTR) {
			if (winched && id >= 0)
				send_resize(dir, tty, id);
			continue;
		}
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The connected child: sends spec and stdio, reports the start on report, exits with the process's status. */
static void client(const char *dir, const struct exec_spec *spec, const int fds[3], int report)
{
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct iovec iov = {(void *)spec, sizeof(*spec)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct exec_req ev;
	int sock, err, tries, tty = -1;

	if (spec->tty) {
		struct sigaction sa = {.sa_handler = on_winch}; /* no SA_RESTART: the wait below hears of it */

		/*
		 * The replica as the controlling terminal of a session of the
		 * client's own, so that its resizes reach the client.  Its
		 * hang-up is not the process's end (that comes from the
		 * sandbox), so SIGHUP is ignored.
		 */
		tty = fds[0];
		if (getsid(0) != getpid())
			setsid();
		signal(SIGHUP, SIG_IGN);
		if (ioctl(tty, TIOCSCTTY, 0) == 0)
			sigaction(SIGWINCH, &sa, NULL);
	}
	/* Right after start (or run -d) returns, the monitor may not listen yet: it will within moments. */
	for (tries = 0; (sock = oci_exec_socket(dir, 0)) < 0 && tries < 300; tries++)
		usleep(10000);

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, 3 * sizeof(int));
	if (sock < 0 || sendmsg(sock, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(*spec) ||
	    next_event(sock, &ev, dir, tty, -1) < 0 || ev.op != EXEC_STARTED) {
		err = -ECONNREFUSED;
		if (write(report, &err, sizeof(err)) < 0)
			_exit(1);
		_exit(1);
	}
	err = ev.arg < 0 ? ev.arg : 0;
	if (write(report, &err, sizeof(err)) != sizeof(err) || err < 0)
		_exit(1);
	close(report);
	/* A size change before the start was told: the sandbox's pty may have been made with the old one. */
	if (winched)
		send_resize(dir, tty, ev.id);
	if (next_event(sock, &ev, dir, tty, ev.id) < 0 || ev.op != EXEC_EXITED)
		_exit(137); /* the sandbox went away under it */
	_exit(ev.arg & 0x7f ? 128 + (ev.arg & 0x7f) : (ev.arg >> 8) & 0xff);
}

int shim_exec(int argc, char **argv)
{
	const char *process = NULL, *pid_file = NULL, *console = NULL, *cwd = NULL, *user = NULL, *id;
	const char *envs[64];
	int i, detach = 0, tty = 0, nenv = 0, report[2], fds[3] = {0, 1, 2}, replica = -1, err, st, r = 0;
	struct exec_spec *spec;
	struct termios tio;
	struct oci_state state;
	struct oci_spec s;
	char dir[4400];
	pid_t child;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v;

		if ((v = oci_flag(argc, argv, &i, "--process", "-p")))
			process = v;
		else if ((v = oci_flag(argc, argv, &i, "--pid-file", NULL)))
			pid_file = v;
		else if ((v = oci_flag(argc, argv, &i, "--console-socket", NULL)))
			console = v;
		else if ((v = oci_flag(argc, argv, &i, "--cwd", NULL)))
			cwd = v;
		else if ((v = oci_flag(argc, argv, &i, "--user", "-u")))
			user = v;
		else if ((v = oci_flag(argc, argv, &i, "--env", "-e"))) {
			if (nenv < 64)
				envs[nenv++] = v;
		} else if ((v = oci_flag(argc, argv, &i, "--preserve-fds", NULL)) ||
			   (v = oci_flag(argc, argv, &i, "--process-label", NULL)) ||
			   (v = oci_flag(argc, argv, &i, "--apparmor", NULL)) || (v = oci_flag(argc, argv, &i, "--cap", "-c")))
			;
		else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--detach"))
			detach = 1;
		else if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "--tty"))
			tty = 1;
		else if (!strcmp(argv[i], "--no-new-privs"))
			;
		else
			return shim_fail("see `cvisor help`", "exec: unknown flag '%s'", argv[i]);
	}
	if (!(id = oci_id(argc, argv, i, "exec")) || oci_find(id, &state))
		return 1;
	if (oci_state_status(&state) != OCI_RUNNING) {
		r = shim_fail("start it first", "cannot exec in a container that is %s", oci_status_name[oci_state_status(&state)]);
		oci_state_free(&state);
		return r;
	}
	/* process.json, or the container's own process with the command given. */
	memset(&s, 0, sizeof(s));
	if (process ? oci_process_load(process, &s) : oci_spec_load(state.bundle, &s)) {
		oci_state_free(&state);
		return 1;
	}
	oci_state_free(&state);
	if (!process) {
		if (i + 1 >= argc) {
			oci_spec_free(&s);
			return shim_fail("give --process FILE or a command after the ID", "exec: no command given");
		}
		free(s.args);
		s.args = calloc((size_t)(argc - i), sizeof(char *));
		if (!s.args)
			return shim_fail(NULL, "out of memory");
		memcpy(s.args, argv + i + 1, (size_t)(argc - i - 1) * sizeof(char *));
	}
	if (cwd)
		s.cwd = cwd;
	if (user) {
		s.proc.uid = (uint32_t)strtoul(user, NULL, 10);
		s.proc.gid = strchr(user, ':') ? (uint32_t)strtoul(strchr(user, ':') + 1, NULL, 10) : 0;
	}
	if (nenv) {
		size_t n = 0;
		char **env;

		while (s.env[n])
			n++;
		env = realloc(s.env, (n + (size_t)nenv + 1) * sizeof(char *));
		if (!env)
			return shim_fail(NULL, "out of memory");
		memcpy(env + n, envs, (size_t)nenv * sizeof(char *));
		env[n + (size_t)nenv] = NULL;
		s.env = env;
	}
	spec = malloc(sizeof(*spec));
	if (!spec || pack(&s, spec)) {
		oci_spec_free(&s);
		free(spec);
		return 1;
	}
	if ((tty || s.terminal) && console) {
		if ((replica = oci_send_console(console)) < 0) {
			oci_spec_free(&s);
			free(spec);
			return 1;
		}
		fds[0] = fds[1] = fds[2] = replica;
		/* Raw: the line discipline is the sandbox's own pty's, which the sentry serves on the replica. */
		if (tcgetattr(replica, &tio) == 0) {
			cfmakeraw(&tio);
			tcsetattr(replica, TCSANOW, &tio);
		}
		spec->tty = 1;
	}
	oci_dir(id, dir, sizeof(dir));
	if (pipe2(report, O_CLOEXEC) < 0 || (child = fork()) < 0) {
		oci_spec_free(&s);
		free(spec);
		return shim_fail(NULL, "exec: cannot fork: %s", strerror(errno));
	}
	if (child == 0) {
		close(report[0]);
		if (detach)
			setsid();
		client(dir, spec, fds, report[1]);
	}
	close(report[1]);
	if (replica >= 0)
		close(replica);
	free(spec);
	if (read(report[0], &err, sizeof(err)) != sizeof(err))
		err = -ECONNREFUSED;
	close(report[0]);
	if (err < 0) {
		waitpid(child, NULL, 0);
		if (err == -ENOENT)
			r = shim_fail("check the command and the container's PATH", "exec: \"%s\": executable file not found in $PATH",
				      s.args[0]);
		else
			r = shim_fail(err == -ECONNREFUSED ? "the container's monitor is gone: is it running?" : NULL,
				      "exec: cannot start \"%s\" in container %s: %s", s.args[0], id, strerror(-err));
		oci_spec_free(&s);
		return r;
	}
	oci_spec_free(&s);
	if (pid_file) {
		char tmp[4200], num[16];
		int fd, n = snprintf(num, sizeof(num), "%d", (int)child);

		snprintf(tmp, sizeof(tmp), "%s.cvisor-tmp", pid_file);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, num, (size_t)n) != n || close(fd) < 0 || rename(tmp, pid_file) < 0)
			return shim_fail(NULL, "cannot write the pid file %s: %s", pid_file, strerror(errno));
	}
	if (detach)
		return 0;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return shim_fail(NULL, "lost the exec'd process: %s", strerror(errno));
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}
