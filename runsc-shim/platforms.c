/*
 * cvisor platforms: the platforms this build has, one a line, each
 * "NAME available" or "NAME unavailable: REASON" on this host now
 * (tests/run.sh reads it to run the suite on every platform it can).
 */
#include <stdio.h>

#include "../platform/platform.h"
#include "shim.h"

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
