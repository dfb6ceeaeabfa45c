/* cvisor spec [--bundle DIR]: writes DIR/config.json, a default spec to edit (refuses to overwrite one). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

int shim_spec(int argc, char **argv)
{
	const char *bundle = ".";
	char path[4200], *text;
	int i, fd, r = 0;

	for (i = 1; i < argc; i++) {
		const char *v = oci_flag(argc, argv, &i, "--bundle", "-b");

		if (v)
			bundle = v;
		else if (strcmp(argv[i], "--rootless"))
			return shim_fail("cvisor spec [--bundle DIR]", "spec: unknown flag '%s'", argv[i]);
	}
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	text = oci_spec_default();
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		r = shim_fail(errno == EEXIST ? "remove it first" : "give a --bundle directory cvisor may write",
			      "cannot write %s: %s", path, strerror(errno));
	else if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		r = shim_fail(NULL, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(text);
	return r;
}
