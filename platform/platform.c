/* The platform table (see platform.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

int plat_file_sock = -1, plat_file_peer = -1;

/* Filled by constructors before main, read-only afterwards: no lock needed. */
static const struct platform *platforms[PLAT_MAX];
static size_t nplatforms;

void plat_register(const struct platform *p)
{
	if (nplatforms == PLAT_MAX || plat_find(p->name))
		abort(); /* a build mistake: raise PLAT_MAX, or two platforms share a name */
	platforms[nplatforms++] = p;
}

const struct platform *plat_find(const char *name)
{
	size_t i;

	for (i = 0; i < nplatforms; i++)
		if (!strcmp(platforms[i]->name, name))
			return platforms[i];
	return NULL;
}

const struct platform *plat_at(size_t i)
{
	return i < nplatforms ? platforms[i] : NULL;
}

void plat_names(char *buf, size_t size)
{
	size_t i, used = 0;

	if (size)
		buf[0] = 0;
	for (i = 0; i < nplatforms && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", platforms[i]->name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}
