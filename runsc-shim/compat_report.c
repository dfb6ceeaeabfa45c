/*
 * cvisor compat's reports, written once every run has ended: the summary a
 * person reads (sandbox errors first and in full, then each regression with
 * the command that reproduces it, then the counts, and the unimplemented
 * system calls as a ranked to-do list), JSON for scripts and JUnit XML for
 * CI systems.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "compat.h"

/* One row of the to-do list: a call, how many sandboxed runs asked for it, how many of those regressed. */
struct unimpl_row {
	const char *name;
	int tests, regressed;
};

static int by_rank(const void *a, const void *b)
{
	const struct unimpl_row *x = a, *y = b;

	if (x->regressed != y->regressed)
		return y->regressed - x->regressed;
	if (x->tests != y->tests)
		return y->tests - x->tests;
	return strcmp(x->name, y->name);
}

/* The calls of the whole suite, ranked; *n rows, to free(). */
static struct unimpl_row *unimpl_table(const struct compat_suite *s, int *n)
{
	struct unimpl_row *rows = NULL;
	int cap = 0, i, p, k, j;

	*n = 0;
	for (i = 0; i < s->ntests; i++)
		for (p = 0; p < s->nplat; p++) {
			const struct compat_run *r = &s->tests[i].sandbox[p];

			for (k = 0; k < r->nunimpl; k++) {
				for (j = 0; j < *n && strcmp(rows[j].name, r->unimpl[k].name); j++)
					;
				if (j == *n) {
					if (*n == cap) {
						cap = cap ? cap * 2 : 16;
						rows = realloc(rows, (size_t)cap * sizeof(*rows));
						if (!rows)
							exit(1);
					}
					rows[j] = (struct unimpl_row){.name = r->unimpl[k].name};
					(*n)++;
				}
				rows[j].tests++;
				rows[j].regressed += r->cls == COMPAT_REGRESSED;
			}
		}
	if (*n)
		qsort(rows, (size_t)*n, sizeof(*rows), by_rank);
	return rows;
}

static void print_run_head(FILE *f, const struct compat_suite *s, const struct compat_test *t, int p)
{
	char repro[8192];

	fprintf(f, "-- %s", t->name);
	if (s->nplat > 1)
		fprintf(f, " [%s]", s->platform[p]);
	fprintf(f, ": %s\n", t->sandbox[p].why);
	compat_reproduce(s, t, p, repro, sizeof(repro));
	fprintf(f, "   reproduce: %s\n", repro);
}

static int count_class(const struct compat_suite *s, int p, enum compat_class c)
{
	int i, n = 0;

	for (i = 0; i < s->ntests; i++)
		n += compat_run_count(&s->tests[i].sandbox[p], c);
	return n;
}

void compat_print_summary(FILE *f, const struct compat_suite *s)
{
	struct unimpl_row *rows;
	int i, p, k, n, nrows;
	enum compat_class c;

	for (c = COMPAT_SANDBOX_ERROR; c <= COMPAT_TIMEOUT; c++) {
		static const char *const titles[] = {
			[COMPAT_SANDBOX_ERROR] = "sandbox errors (cvisor itself failed)",
			[COMPAT_REGRESSED] = "regressions (passed natively, not in the sandbox)",
			[COMPAT_TIMEOUT] = "timeouts",
		};
		for (n = 0, p = 0; p < s->nplat; p++)
			n += count_class(s, p, c);
		if (!n)
			continue;
		fprintf(f, "\n== %s: %d\n", titles[c], n);
		for (i = 0; i < s->ntests; i++)
			for (p = 0; p < s->nplat; p++) {
				const struct compat_run *r = &s->tests[i].sandbox[p];
				const char *line, *end;

				if (r->cls != c)
					continue;
				print_run_head(f, s, &s->tests[i], p);
				for (line = r->errors; line && *line; line = end + 1) {
					end = strchr(line, '\n');
					fprintf(f, "   | %.*s\n", (int)(end - line), line);
				}
				if (r->diff[0])
					fprintf(f, "   %s\n", r->diff);
				for (line = c == COMPAT_SANDBOX_ERROR ? NULL : r->tail; line && *line; line = end + 1) {
					end = strchr(line, '\n');
					fprintf(f, "   stderr: %.*s\n", (int)(end - line), line);
				}
				for (k = 0; k < r->nsubs; k++)
					if (r->subs[k].cls == c)
						fprintf(f, "   %s %s: natively %s, in the sandbox %s\n", compat_class_name(c),
							r->subs[k].name, compat_outcome_name(r->subs[k].native),
							compat_outcome_name(r->subs[k].sandbox));
				if (r->nunimpl) {
					fprintf(f, "   unimplemented:");
					for (k = 0; k < r->nunimpl; k++)
						fprintf(f, " %s (%lu)", r->unimpl[k].name, r->unimpl[k].count);
					fputc('\n', f);
				}
			}
	}

	rows = unimpl_table(s, &nrows);
	if (nrows) {
		fprintf(f, "\n== unimplemented system calls the tests asked for\n");
		fprintf(f, "   %-24s %6s %10s\n", "call", "tests", "regressed");
		for (i = 0; i < nrows; i++)
			fprintf(f, "   %-24s %6d %10d\n", rows[i].name, rows[i].tests, rows[i].regressed);
	}
	free(rows);

	for (n = 0, c = 0; c < COMPAT_NCLASSES; c++)
		n += count_class(s, 0, c);
	fprintf(f, "\n== results of %d tests", n);
	if (n != s->ntests)
		fprintf(f, " (in %d programs)", s->ntests);
	fprintf(f, "\n   %-10s", "platform");
	for (c = 0; c < COMPAT_NCLASSES; c++)
		fprintf(f, " %*s", (int)strlen(compat_class_name(c)) > 7 ? (int)strlen(compat_class_name(c)) : 7,
			compat_class_name(c));
	fputc('\n', f);
	for (p = 0; p < s->nplat; p++) {
		fprintf(f, "   %-10s", s->platform[p]);
		for (c = 0; c < COMPAT_NCLASSES; c++)
			fprintf(f, " %*d", (int)strlen(compat_class_name(c)) > 7 ? (int)strlen(compat_class_name(c)) : 7,
				count_class(s, p, c));
		fputc('\n', f);
	}
}

static int exit_code(const struct compat_run *r)
{
	return WIFSIGNALED(r->wstatus) ? 128 + WTERMSIG(r->wstatus) : WEXITSTATUS(r->wstatus);
}

static json_object *run_json(const struct compat_run *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "status", json_object_new_int(exit_code(r)));
	json_object_object_add(o, "timed_out", json_object_new_boolean(r->timed_out));
	json_object_object_add(o, "seconds", json_object_new_double(r->secs));
	return o;
}

int compat_write_json(const char *path, const struct compat_suite *s)
{
	json_object *top = json_object_new_object(), *tests = json_object_new_array(), *plats = json_object_new_array(),
		    *summary = json_object_new_object(), *todo = json_object_new_array();
	struct unimpl_row *rows;
	char repro[8192];
	int i, p, k, nrows, r;

	for (p = 0; p < s->nplat; p++) {
		json_object *counts = json_object_new_object();
		enum compat_class c;

		json_object_array_add(plats, json_object_new_string(s->platform[p]));
		for (c = 0; c < COMPAT_NCLASSES; c++)
			json_object_object_add(counts, compat_class_name(c), json_object_new_int(count_class(s, p, c)));
		json_object_object_add(summary, s->platform[p], counts);
	}
	for (i = 0; i < s->ntests; i++) {
		const struct compat_test *t = &s->tests[i];
		json_object *o = json_object_new_object(), *argv = json_object_new_array(), *res = json_object_new_array();

		for (k = 0; t->argv[k]; k++)
			json_object_array_add(argv, json_object_new_string(t->argv[k]));
		json_object_object_add(o, "name", json_object_new_string(t->name));
		json_object_object_add(o, "command", argv);
		json_object_object_add(o, "native", run_json(&t->native));
		for (p = 0; p < s->nplat; p++) {
			const struct compat_run *run = &t->sandbox[p];
			json_object *ro = run_json(run), *un = json_object_new_object();

			json_object_object_add(ro, "platform", json_object_new_string(s->platform[p]));
			json_object_object_add(ro, "class", json_object_new_string(compat_class_name(run->cls)));
			json_object_object_add(ro, "why", json_object_new_string(run->why));
			compat_reproduce(s, t, p, repro, sizeof(repro));
			json_object_object_add(ro, "reproduce", json_object_new_string(repro));
			if (run->errors)
				json_object_object_add(ro, "cvisor_errors", json_object_new_string(run->errors));
			if (run->diff[0])
				json_object_object_add(ro, "stdout_diff", json_object_new_string(run->diff));
			if (run->tail)
				json_object_object_add(ro, "stderr_tail", json_object_new_string(run->tail));
			for (k = 0; k < run->nunimpl; k++)
				json_object_object_add(un, run->unimpl[k].name, json_object_new_int64((int64_t)run->unimpl[k].count));
			json_object_object_add(ro, "unimplemented", un);
			if (run->nsubs) {
				json_object *cases = json_object_new_array();

				for (k = 0; k < run->nsubs; k++) {
					json_object *co = json_object_new_object();

					json_object_object_add(co, "name", json_object_new_string(run->subs[k].name));
					json_object_object_add(co, "class",
							       json_object_new_string(compat_class_name(run->subs[k].cls)));
					json_object_object_add(co, "native",
							       json_object_new_string(compat_outcome_name(run->subs[k].native)));
					json_object_object_add(co, "sandbox",
							       json_object_new_string(compat_outcome_name(run->subs[k].sandbox)));
					json_object_array_add(cases, co);
				}
				json_object_object_add(ro, "cases", cases);
			}
			json_object_array_add(res, ro);
		}
		json_object_object_add(o, "results", res);
		json_object_array_add(tests, o);
	}
	rows = unimpl_table(s, &nrows);
	for (i = 0; i < nrows; i++) {
		json_object *row = json_object_new_object();

		json_object_object_add(row, "call", json_object_new_string(rows[i].name));
		json_object_object_add(row, "tests", json_object_new_int(rows[i].tests));
		json_object_object_add(row, "regressed", json_object_new_int(rows[i].regressed));
		json_object_array_add(todo, row);
	}
	free(rows);
	json_object_object_add(top, "platforms", plats);
	json_object_object_add(top, "compare", json_object_new_string(s->compare == COMPARE_STDOUT ? "stdout" : "status"));
	json_object_object_add(top, "timeout", json_object_new_double(s->timeout));
	json_object_object_add(top, "summary", summary);
	json_object_object_add(top, "unimplemented", todo);
	json_object_object_add(top, "tests", tests);
	r = json_object_to_file_ext(path, top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(top);
	if (r < 0 && !errno)
		errno = EIO;
	return r < 0 ? -1 : 0;
}

/* XML text or attribute: the five special characters escaped, other control bytes dropped. */
static void xml_put(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			if (ch >= 0x20 || ch == '\n' || ch == '\t')
				fputc(ch, f);
		}
	}
}

/* One <testcase>: a failure for what the sandbox broke, an error for cvisor's own, a skip for the rest. */
static void junit_case(FILE *f, const char *classname, const char *name, double secs, enum compat_class c,
		       const char *why, const char *repro, const char *errors)
{
	const char *tag = c == COMPAT_SANDBOX_ERROR ? "error" : "failure";

	fprintf(f, "    <testcase classname=\"");
	xml_put(f, classname);
	fprintf(f, "\" name=\"");
	xml_put(f, name);
	fprintf(f, "\" time=\"%.3f\">", secs);
	switch (c) {
	case COMPAT_PASSED:
		break;
	case COMPAT_SANDBOX_ERROR:
	case COMPAT_REGRESSED:
	case COMPAT_TIMEOUT:
		fprintf(f, "<%s type=\"%s\" message=\"", tag, compat_class_name(c));
		xml_put(f, why);
		fprintf(f, "\">reproduce: ");
		xml_put(f, repro);
		if (errors) {
			fputc('\n', f);
			xml_put(f, errors);
		}
		fprintf(f, "</%s>", tag);
		break;
	default:
		/* Skipped, and the tests that fail natively: nothing the sandbox did wrong. */
		fprintf(f, "<skipped message=\"%s: ", compat_class_name(c));
		xml_put(f, why);
		fprintf(f, "\"/>");
	}
	fprintf(f, "</testcase>\n");
}

int compat_write_junit(const char *path, const struct compat_suite *s)
{
	FILE *f = fopen(path, "w");
	char repro[8192], why[512], *classname;
	int i, p, k, r;

	if (!f)
		return -1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n", f);
	for (p = 0; p < s->nplat; p++) {
		int n[COMPAT_NCLASSES] = {0}, total = 0;
		enum compat_class c;

		for (c = 0; c < COMPAT_NCLASSES; c++) {
			n[c] = count_class(s, p, c);
			total += n[c];
		}
		fprintf(f, "  <testsuite name=\"cvisor compat ");
		xml_put(f, s->platform[p]);
		fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"%d\">\n", total,
			n[COMPAT_REGRESSED] + n[COMPAT_TIMEOUT], n[COMPAT_SANDBOX_ERROR],
			n[COMPAT_SKIPPED] + n[COMPAT_FAILED] + n[COMPAT_FIXED]);
		for (i = 0; i < s->ntests; i++) {
			const struct compat_test *t = &s->tests[i];
			const struct compat_run *run = &t->sandbox[p];

			compat_reproduce(s, t, p, repro, sizeof(repro));
			if (!run->nsubs) {
				junit_case(f, s->platform[p], t->name, run->secs, run->cls, run->why, repro, run->errors);
				continue;
			}
			if (asprintf(&classname, "%s.%s", s->platform[p], t->name) < 0)
				break;
			for (k = 0; k < run->nsubs; k++) {
				snprintf(why, sizeof(why), "natively %s, in the sandbox %s",
					 compat_outcome_name(run->subs[k].native), compat_outcome_name(run->subs[k].sandbox));
				junit_case(f, classname, run->subs[k].name, 0, run->subs[k].cls, why, repro, NULL);
			}
			free(classname);
		}
		fprintf(f, "  </testsuite>\n");
	}
	fputs("</testsuites>\n", f);
	r = ferror(f);
	if (fclose(f) || r)
		return -1;
	return 0;
}
