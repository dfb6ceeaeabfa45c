/*
 * cvisor platforms: the platforms this build has, one a line, each
 * "NAME available" or "NAME unavailable: REASON" on this host now
 * (tests/run.sh reads it to run the suite on every platform it can).
 */
#include <stdio.h>

#include "../platform/platform.h"
#include "shim.h"

const struct platform *shim_platform_find(const char *name)
{
	const struct platform *p = plat_find(name);
	char names[256];

	if (!p) {
		plat_names(names, sizeof(names));
		shim_fail("run `cvisor platforms` to see which can run here", "unknown platform '%s' (this build has: %s)",
			  name, names);
	}
	return p;
}

int shim_platform_runs(const struct platform *p, const char *hint, const char **note)
{
	const char *why = NULL;

	if (p->available && p->available(&why) < 0)
		return shim_fail(hint, "the %s platform cannot run here: %s", p->name, why ? why : "unavailable");
	if (note)
		*note = why;
	return 0;
}

int shim_platforms(int argc, char **argv)
{
	const struct platform *p;
	size_t i;

	(void)argv;
	if (argc > 1)
		return shim_fail("run `cvisor platforms` with no arguments", "unexpected argument '%s'", argv[1]);
	for (i = 0; (p = plat_at(i)); i++) {
		const char *why = NULL;

		if (p->available && p->available(&why) < 0) {
			printf("%s unavailable: %s\n", p->name, why ? why : "cannot run here");
		} else {
			printf("%s available\n", p->name);
			if (why) /* not on stdout, which tests/run.sh reads line by line */
				fprintf(stderr, "cvisor: note: %s: %s\n", p->name, why);
		}
	}
	return 0;
}
