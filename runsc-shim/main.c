/* cvisor: the command line's entry point and its table of verbs. */
#define _GNU_SOURCE
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci.h"
#include "shim.h"

#define CVISOR_VERSION "0.1.0"
#define OCI_SPEC_VERSION "1.1.0"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct verb verbs[] = {
	{"do", shim_do, "run a command in a new sandbox: cvisor do [flags] -- CMD [ARGS...]"},
	{"compat", shim_compat, "run a test suite natively and in sandboxes, and compare: cvisor compat --help"},
	{"platforms", shim_platforms, "list the platforms of this build, and whether each can run here"},
	{"spec", shim_spec, "write a default config.json for a bundle: cvisor spec [--bundle DIR]"},
	{"run", shim_run, "create and start a container, and wait for it: cvisor run [--bundle DIR] [-d] ID"},
	{"create", shim_create, "create a container: cvisor create [--bundle DIR] [--pid-file F] [--console-socket S] ID"},
	{"start", shim_start, "start a created container's process: cvisor start ID"},
	{"state", shim_state, "print a container's state as JSON: cvisor state ID"},
	{"kill", shim_kill, "send a signal to a container: cvisor kill [--all] ID [SIGNAL]"},
	{"delete", shim_delete, "delete a stopped container (any with --force): cvisor delete [--force] ID"},
	{"list", shim_list, "list the containers: cvisor list [--format table|json] [-q]"},
	{"ps", shim_ps, "list a container's host processes: cvisor ps [--format table|json] ID"},
	{"pause", shim_pause, "freeze a container's sandbox: cvisor pause ID"},
	{"resume", shim_resume, "thaw a paused container: cvisor resume ID"},
	{"exec", shim_exec, "run a new process in a running container: cvisor exec [--process F] [-d] [--pid-file P] ID [CMD...]"},
	{"features", shim_features, "print what this runtime implements, as JSON"},
};

struct oci_globals oci_g = {.root = "/run/cvisor"};

/* One line of --log: {"level":"error","msg":"...","time":"..."} (runc's), or its text form. */
static void log_line(const char *msg)
{
	struct timespec ts;
	struct tm tm;
	char when[64];
	FILE *f;

	if (!oci_g.log || !(f = fopen(oci_g.log, "ae")))
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
	if (oci_g.log_json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(when));
		fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
	}
	fclose(f);
}

int shim_fail(const char *hint, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "cvisor: %s\n", msg);
	if (hint)
		fprintf(stderr, "cvisor: %s\n", hint);
	log_line(msg);
	return 1;
}

/* A flag's value, given as --flag VALUE or --flag=VALUE; NULL if a is not that flag. */
static const char *flag_value(const char *flag, int argc, char **argv, int *i)
{
	size_t n = strlen(flag);

	if (strncmp(argv[*i], flag, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/*
 * The flags runc's callers put before the verb (containerd always gives
 * --root; podman --log and --log-format when told the runtime takes them).
 * Returns the index of the verb, or -1 after a message.
 */
static int global_flags(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v;

		if ((v = flag_value("--root", argc, argv, &i)))
			oci_g.root = v;
		else if ((v = flag_value("--log-format", argc, argv, &i))) {
			if (strcmp(v, "json") && strcmp(v, "text"))
				return shim_fail("use --log-format json or text", "unknown log format '%s'", v), -1;
			oci_g.log_json = !strcmp(v, "json");
		} else if ((v = flag_value("--log", argc, argv, &i)))
			oci_g.log = v;
		else if ((v = flag_value("--platform", argc, argv, &i)))
			oci_g.platform = v;
		else if ((v = flag_value("--rootless", argc, argv, &i)) || (v = flag_value("--criu", argc, argv, &i)))
			; /* accepted: cvisor is never rootless, and has no checkpoints */
		else if (!strcmp(argv[i], "--systemd-cgroup"))
			; /* accepted: cgroupsPath of the slice:prefix:name form is read either way */
		else if (!strcmp(argv[i], "--debug"))
			oci_g.debug = 1;
		else
			break;
	}
	return i;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cvisor VERB [flags] [args]\n\nverbs:\n");
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].help);
}

int main(int argc, char **argv)
{
	size_t i;
	int v = global_flags(argc, argv);

	if (v < 0)
		return 1;
	if (v > 1) {
		/* The verb sees itself as argv[0], as without global flags. */
		argv[v - 1] = argv[0];
		argc -= v - 1;
		argv += v - 1;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v") || !strcmp(argv[1], "version"))) {
		printf("cvisor version %s\nspec: %s\n", CVISOR_VERSION, OCI_SPEC_VERSION);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].run(argc - 1, argv + 1);
	return shim_fail("run `cvisor help` for the list of verbs", "unknown verb '%s'", argv[1]);
}
