/* cvisor create and cvisor run: a container from a bundle (oci_launch.c does the work). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "oci.h"
#include "shim.h"

const char *oci_flag(int argc, char **argv, int *i, const char *name, const char *short_name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (!strncmp(a, name, n) && a[n] == '=')
		return a + n + 1;
	if ((!strcmp(a, name) || (short_name && !strcmp(a, short_name))) && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

const char *oci_id(int argc, char **argv, int i, const char *verb)
{
	if (i >= argc)
		return shim_fail("name the container: cvisor VERB [flags] ID", "%s: no container ID given", verb), NULL;
	return argv[i];
}

/* The flags create and run share; runc's that mean nothing to cvisor are accepted. */
static int launch(int argc, char **argv, int run)
{
	struct oci_launch l = {.bundle = ".", .wait_start = !run, .foreground = run};
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v;

		if ((v = oci_flag(argc, argv, &i, "--bundle", "-b")))
			l.bundle = v;
		else if ((v = oci_flag(argc, argv, &i, "--pid-file", NULL)))
			l.pid_file = v;
		else if ((v = oci_flag(argc, argv, &i, "--console-socket", NULL)))
			l.console = v;
		else if ((v = oci_flag(argc, argv, &i, "--preserve-fds", NULL)))
			; /* nothing but stdio ever reaches the sandbox */
		else if (run && (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--detach")))
			l.foreground = 0;
		else if (!strcmp(argv[i], "--no-pivot") || !strcmp(argv[i], "--no-new-keyring") ||
			 !strcmp(argv[i], "--keep") || !strcmp(argv[i], "--no-subreaper"))
			;
		else
			return shim_fail("see `cvisor help`", "%s: unknown flag '%s'", run ? "run" : "create", argv[i]);
	}
	if (!(l.id = oci_id(argc, argv, i, run ? "run" : "create")))
		return 1;
	return oci_launch(&l);
}

int shim_create(int argc, char **argv)
{
	return launch(argc, argv, 0);
}

int shim_run(int argc, char **argv)
{
	return launch(argc, argv, 1);
}
