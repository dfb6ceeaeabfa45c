/*
 * cvisor compat: what a test program says of itself.  A program of many
 * tests (GoogleTest, CPython's regrtest and unittest -v) prints a result per
 * test; these are read from its stdout and stderr so that a module is
 * compared test by test, not as one exit status.  The output is the test's,
 * so hostile in the small: lines are only matched, never trusted for sizes.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

/* LTP's result words, which its tests print (tst_res: TPASS, TFAIL, TCONF, TBROK, TINFO). */
static int has_ltp_words(const char *s)
{
	return strstr(s, "TPASS") || strstr(s, "TFAIL") || strstr(s, "TCONF") || strstr(s, "TBROK") ||
	       strstr(s, "TINFO");
}

static int has_unittest_lines(const char *s)
{
	static const char *const tails[] = {" ... ok\n", " ... FAIL\n", " ... ERROR\n", " ... skipped "};
	size_t i;

	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++)
		if (strstr(s, tails[i]))
			return 1;
	return 0;
}

enum compat_format compat_detect_format(const char *out, const char *err)
{
	if (strstr(out, "[==========] "))
		return FORMAT_GTEST;
	if (has_unittest_lines(out) || has_unittest_lines(err))
		return FORMAT_REGRTEST;
	if (has_ltp_words(out) || has_ltp_words(err))
		return FORMAT_LTP;
	return FORMAT_PLAIN;
}

/* Sets name's outcome (the last one said wins), adding it if new. */
static void set_case(struct compat_cases *c, const char *name, size_t len, enum compat_outcome o)
{
	int i;

	while (len && isspace((unsigned char)name[len - 1]))
		len--;
	if (!len)
		return;
	for (i = c->n - 1; i >= 0; i--)
		if (strlen(c->v[i].name) == len && !memcmp(c->v[i].name, name, len)) {
			c->v[i].outcome = o;
			return;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = realloc(c->v, (size_t)c->cap * sizeof(*c->v));
		if (!c->v)
			exit(1);
	}
	c->v[c->n].name = strndup(name, len);
	if (!c->v[c->n].name)
		exit(1);
	c->v[c->n++].outcome = o;
}

/*
 * "[ RUN      ] Suite.Name", then "[       OK ] Suite.Name (N ms)",
 * "[  FAILED  ] ..." or "[  SKIPPED ] ...".  A test that started and never
 * ended (the program died in it) failed.  The closing summary's counts
 * ("[  FAILED  ] 2 tests, listed below:") name no test.
 */
static void parse_gtest(struct compat_cases *c, const char *text)
{
	static const struct {
		const char *tag;
		enum compat_outcome o;
	} tags[] = {
		{"[ RUN      ] ", OUTCOME_FAIL},
		{"[       OK ] ", OUTCOME_PASS},
		{"[  FAILED  ] ", OUTCOME_FAIL},
		{"[  SKIPPED ] ", OUTCOME_SKIP},
	};
	const char *line, *end;
	size_t i;

	for (line = text; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
			size_t tl = strlen(tags[i].tag);
			const char *name = line + tl;

			if ((size_t)(end - line) <= tl || memcmp(line, tags[i].tag, tl) || isdigit((unsigned char)*name))
				continue;
			set_case(c, name, strcspn(name, " \n"), tags[i].o);
		}
	}
}

/* unittest's verdict words, as `-v` prints them after " ... " (or alone on a later line). */
static int unittest_verdict(const char *s, size_t len, enum compat_outcome *o)
{
	static const struct {
		const char *word;
		enum compat_outcome o;
	} words[] = {
		{"ok", OUTCOME_PASS},      {"expected failure", OUTCOME_PASS}, {"FAIL", OUTCOME_FAIL},
		{"ERROR", OUTCOME_FAIL},   {"unexpected success", OUTCOME_FAIL}, {"skipped", OUTCOME_SKIP},
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t wl = strlen(words[i].word);

		if (len >= wl && !memcmp(s, words[i].word, wl) &&
		    (len == wl || (words[i].o == OUTCOME_SKIP && s[wl] == ' '))) {
			*o = words[i].o;
			return 1;
		}
	}
	return 0;
}

/*
 * "test_x (test.test_os.FileTests.test_x) ... ok"; when the test prints,
 * its verdict comes alone on a later line.
 */
static void parse_unittest(struct compat_cases *c, const char *text)
{
	const char *line, *end, *pending = NULL;
	size_t pending_len = 0;

	for (line = text; *line; line = *end ? end + 1 : end) {
		const char *dots, *v;
		enum compat_outcome o;

		end = strchrnul(line, '\n');
		dots = memmem(line, (size_t)(end - line), " ... ", 5);
		if (dots) {
			v = dots + 5;
			if (unittest_verdict(v, (size_t)(end - v), &o)) {
				set_case(c, line, (size_t)(dots - line), o);
				pending = NULL;
			} else {
				pending = line;
				pending_len = (size_t)(dots - line);
			}
		} else if (pending && unittest_verdict(line, (size_t)(end - line), &o)) {
			set_case(c, pending, pending_len, o);
			pending = NULL;
		}
	}
}

void compat_parse_cases(enum compat_format fmt, const char *out, const char *err, struct compat_cases *c)
{
	if (fmt == FORMAT_GTEST) {
		parse_gtest(c, out);
	} else if (fmt == FORMAT_REGRTEST) {
		parse_unittest(c, out);
		parse_unittest(c, err);
	}
}

void compat_cases_free(struct compat_cases *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}
