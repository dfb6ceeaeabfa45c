/*
 * cvisor compat's reading of what a test program says of itself, alone:
 * which format an output shows, GoogleTest's lines (a test that started
 * and never ended failed; the closing summary names no test) and
 * unittest's -v lines (a verdict after the test's own output, skips with a
 * reason, expected failures), and lines that only look like them.
 * links: runsc-shim/compat_parse.c
 */
#define _GNU_SOURCE
#include <string.h>

#include "runsc-shim/compat.h"

#define UNIT_NAME "compat_parse"
#include "unit.h"

/* The outcome of name among c, or -1 when c does not name it. */
static int outcome(const struct compat_cases *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return (int)c->v[i].outcome;
	return -1;
}

static void test_detect(void)
{
	CHECK("gtest found by its banner", compat_detect_format("[==========] Running 1 test\n", "") == FORMAT_GTEST);
	CHECK("unittest -v found on stderr", compat_detect_format("", "test_a (m.C.test_a) ... ok\n") == FORMAT_REGRTEST);
	CHECK("LTP found by its result words", compat_detect_format("foo.c:12: TCONF: no\n", "") == FORMAT_LTP);
	CHECK("anything else is plain", compat_detect_format("hello ... world\n", "ok\n") == FORMAT_PLAIN);
}

static void test_gtest(void)
{
	static const char out[] =
		"[==========] Running 4 tests from 1 test suite.\n"
		"[ RUN      ] S.Ok\n[       OK ] S.Ok (0 ms)\n"
		"[ RUN      ] S.Skip\n[  SKIPPED ] S.Skip (0 ms)\n"
		"[ RUN      ] S.Fail\n[  FAILED  ] S.Fail (3 ms)\n"
		"[ RUN      ] S.Died\n"
		"[  FAILED  ] 1 test, listed below:\n[  FAILED  ] S.Fail\n"
		"[       OK ]\n[  SKIPPED ] \n";
	struct compat_cases c = {0};

	compat_parse_cases(FORMAT_GTEST, out, "", &c);
	CHECK("gtest: a passed test", outcome(&c, "S.Ok") == OUTCOME_PASS);
	CHECK("gtest: a skipped test", outcome(&c, "S.Skip") == OUTCOME_SKIP);
	CHECK("gtest: a failed test", outcome(&c, "S.Fail") == OUTCOME_FAIL);
	CHECK("gtest: a test that never ended failed", outcome(&c, "S.Died") == OUTCOME_FAIL);
	CHECK("gtest: the summary and empty tags name no test", c.n == 4);
	compat_cases_free(&c);
	compat_parse_cases(FORMAT_GTEST, "[       OK ] No.Newline (0 ms)", "", &c);
	CHECK("gtest: a last line without a newline", outcome(&c, "No.Newline") == OUTCOME_PASS && c.n == 1);
	compat_cases_free(&c);
}

static void test_unittest(void)
{
	static const char err[] =
		"test_a (m.C.test_a) ... ok\n"
		"test_b (m.C.test_b) ... FAIL\n"
		"test_c (m.C.test_c) ... ERROR\n"
		"test_d (m.C.test_d) ... skipped 'no network'\n"
		"test_e (m.C.test_e) ... expected failure\n"
		"test_f (m.C.test_f) ... unexpected success\n"
		"test_g (m.C.test_g) ... the test's own output\n"
		"more of it\n"
		"ok\n"
		"test_h (m.C.test_h) ... okay then\n"
		"FAIL: test_b (m.C.test_b)\n"
		"Ran 8 tests in 0.01s\n";
	struct compat_cases c = {0};

	compat_parse_cases(FORMAT_REGRTEST, "", err, &c);
	CHECK("unittest: ok", outcome(&c, "test_a (m.C.test_a)") == OUTCOME_PASS);
	CHECK("unittest: FAIL", outcome(&c, "test_b (m.C.test_b)") == OUTCOME_FAIL);
	CHECK("unittest: ERROR", outcome(&c, "test_c (m.C.test_c)") == OUTCOME_FAIL);
	CHECK("unittest: skipped with a reason", outcome(&c, "test_d (m.C.test_d)") == OUTCOME_SKIP);
	CHECK("unittest: an expected failure passes", outcome(&c, "test_e (m.C.test_e)") == OUTCOME_PASS);
	CHECK("unittest: an unexpected success fails", outcome(&c, "test_f (m.C.test_f)") == OUTCOME_FAIL);
	CHECK("unittest: the verdict after the test's own output", outcome(&c, "test_g (m.C.test_g)") == OUTCOME_PASS);
	CHECK("unittest: a word that starts like a verdict is none", outcome(&c, "test_h (m.C.test_h)") == -1);
	CHECK("unittest: the closing report names no new test", c.n == 7);
	compat_cases_free(&c);
	CHECK("cases freed", c.n == 0 && c.v == NULL);
}

int main(void)
{
	test_detect();
	test_gtest();
	test_unittest();
	return unit_failed;
}
