/* cvisor: the command line's entry point and its table of verbs. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shim.h"

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct verb verbs[] = {
	{"do", shim_do, "run a command in a new sandbox: cvisor do [flags] -- CMD [ARGS...]"},
	{"compat", shim_compat, "run a test suite natively and in sandboxes, and compare: cvisor compat --help"},
	{"platforms", shim_platforms, "list the platforms of this build, and whether each can run here"},
};

int shim_fail(const char *hint, const char *fmt, ...)
{
	va_list ap;

	fputs("cvisor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, "cvisor: %s\n", hint);
	return 1;
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
