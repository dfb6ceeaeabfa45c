/*
 * The escape programs' verdict lines, which tests/security/run.sh reads:
 * "NAME: ok", or "NAME: ESCAPED WHY" counted in escaped.
 */
#pragma once

#include <stdio.h>

static int escaped;

static void report(const char *name, int ok, const char *why)
{
	if (ok) {
		printf("%s: ok\n", name);
	} else {
		printf("%s: ESCAPED %s\n", name, why);
		escaped++;
	}
	fflush(stdout);
}
