/*
 * The spec's hooks (config.json's hooks), run as runc runs them: each a
 * host program (path, args, env, timeout in seconds), with the container's
 * state JSON on its stdin, one after another in the spec's order.  What a
 * hook prints is kept and shown only when it fails.  All run on the host,
 * startContainer too (runc runs that one in the container's namespaces,
 * before the process; a sandbox has no host namespaces of its own to run a
 * host program in, and its kernel runs no host program).
 *
 *   prestart, createRuntime, createContainer  create, once the monitor waits; a failure undoes the create
 *   startContainer                            start, before the process goes; a failure fails start
 *   poststart                                 start, after; a failure is a warning
 *   poststop                                  delete (and the end of run); a failure is a warning
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

static json_object *field(json_object *o, const char *name)
{
	json_object *v = NULL;

	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* A NULL-ended vector of the strings in array a (the strings stay a's), with first in front when a is empty. */
static char **strings(json_object *a, const char *first)
{
	size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0, i, k = 0;
	char **v = calloc(n + 2, sizeof(char *));

	if (!v)
		return NULL;
	if (!n && first)
		v[k++] = (char *)first;
	for (i = 0; i < n; i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(a, i));

		if (s)
			v[k++] = (char *)s;
	}
	return v;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One hook: 0, or -1 with why in msg. */
static int run_one(json_object *h, const char *state, char *msg, size_t size)
{
	const char *path = json_object_get_string(field(h, "path"));
	json_object *t = field(h, "timeout");
	int64_t timeout = t && json_object_is_type(t, json_type_int) ? json_object_get_int64(t) : 0;
	char **argv, **envp, out[2048];
	int in[2], res[2], st = 0, got = 0, len = 0, eof = 0;
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	double end = now() + (double)timeout;
	pid_t pid;

	if (!path || path[0] != '/') {
		snprintf(msg, size, "a hook's path must be absolute (it is '%s')", path ? path : "");
		return -1;
	}
	argv = strings(field(h, "args"), path);
	envp = strings(field(h, "env"), NULL);
	if (!argv || !envp || pipe2(in, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
		free(argv);
		free(envp);
		snprintf(msg, size, "%s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(res[1], 1);
		dup2(res[1], 2);
		execve(path, argv, envp);
		dprintf(2, "cannot run %s: %s", path, strerror(errno));
		_exit(127);
	}
	free(argv);
	free(envp);
	close(in[0]);
	close(res[1]);
	/* A hook that does not read its stdin must not kill cvisor with SIGPIPE. */
	sigaction(SIGPIPE, &ign, &old);
	if (pid > 0 && write(in[1], state, strlen(state)) < 0 && errno != EPIPE)
		st = -1;
	sigaction(SIGPIPE, &old, NULL);
	close(in[1]);
	/* Its output until it ends (or the timeout passes: then it is killed). */
	while (pid > 0) {
		struct pollfd p = {.fd = res[0], .events = POLLIN};
		int wait_ms = timeout > 0 ? (int)((end - now()) * 1000) : 100;
		char buf[512];
		ssize_t n;

		if (timeout > 0 && wait_ms <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(res[0]);
			snprintf(msg, size, "timed out after %llds", (long long)timeout);
			return -1;
		}
		if (eof) {
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
		} else if (poll(&p, 1, wait_ms > 100 ? 100 : wait_ms) > 0) {
			n = read(res[0], buf, sizeof(buf));
			eof = n <= 0;
			if (n > 0 && len + n < (ssize_t)sizeof(out)) {
				memcpy(out + len, buf, (size_t)n);
				len += (int)n;
			}
		}
		if (waitpid(pid, &got, WNOHANG) == pid)
			break;
	}
	close(res[0]);
	out[len] = 0;
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = 0;
	if (pid < 0 || st < 0) {
		snprintf(msg, size, "cannot run it: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(got) || WEXITSTATUS(got)) {
		snprintf(msg, size, "%s %d%s%s", WIFSIGNALED(got) ? "killed by signal" : "exit status",
			 WIFSIGNALED(got) ? WTERMSIG(got) : WEXITSTATUS(got), len ? ", output: " : "", out);
		return -1;
	}
	return 0;
}

int oci_hooks_run(const struct oci_state *st, const char *kind, int fatal)
{
	char path[4200], msg[2600];
	json_object *spec, *hooks;
	char *state;
	size_t i, n;
	int r = 0;

	snprintf(path, sizeof(path), "%s/config.json", st->bundle);
	spec = json_object_from_file(path);
	hooks = field(field(spec, "hooks"), kind);
	n = hooks && json_object_is_type(hooks, json_type_array) ? json_object_array_length(hooks) : 0;
	state = n ? oci_state_json(st) : NULL;
	/* The hooks of creation see "creating", as runc's do: the container is not created until they are done. */
	if (state && (!strcmp(kind, "prestart") || !strcmp(kind, "createRuntime") || !strcmp(kind, "createContainer"))) {
		json_object *o = json_tokener_parse(state);

		free(state);
		state = NULL;
		if (o) {
			json_object_object_add(o, "status", json_object_new_string("creating"));
			state = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(o);
		}
	}
	for (i = 0; i < n && state; i++) {
		json_object *h = json_object_array_get_idx(hooks, i);

		if (run_one(h, state, msg, sizeof(msg)) == 0)
			continue;
		if (fatal) {
			r = shim_fail("fix the hook, or take it out of config.json", "%s hook %s: %s", kind,
				      json_object_get_string(field(h, "path")), msg);
			break;
		}
		fprintf(stderr, "cvisor: warning: %s hook %s: %s\n", kind, json_object_get_string(field(h, "path")), msg);
	}
	free(state);
	if (spec)
		json_object_put(spec);
	return r;
}

int oci_hooks_has(const struct oci_spec *s, const char *kind)
{
	json_object *h = field(field(s->json, "hooks"), kind);

	return h && json_object_is_type(h, json_type_array) && json_object_array_length(h) > 0;
}
