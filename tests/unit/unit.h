/*
 * The harness of the C unit tests (tests/unit/NAME_test.c): CHECK prints a
 * PASS or FAIL line that tests/run.sh counts, named "<test> <what>".  Each
 * test links only the sources on its " * links:" line: that line is the
 * proof that the part it tests stands on the layers below it alone.
 */
#pragma once

#include <stdio.h>

static int unit_failed;

#define CHECK(what, cond)                                                            \
	do {                                                                         \
		int ok_ = !!(cond);                                                  \
		printf("%s %s %s\n", ok_ ? "PASS" : "FAIL", UNIT_NAME, what);        \
		if (!ok_) {                                                          \
			printf("  %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
			unit_failed = 1;                                             \
		}                                                                    \
	} while (0)
