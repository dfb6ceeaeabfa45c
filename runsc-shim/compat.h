/*
 * cvisor compat, shared by its runner (compat.c) and its reports
 * (compat_report.c): the tests, their runs and what each came to.
 *
 * Ownership: everything here is built by compat.c before the first run and
 * freed at exit; the reports only read it, once every run has ended.
 */
#pragma once
#include <stdio.h>
#include <sys/types.h>

/* The classes, in the order the summary lists them: the worst first. */
enum compat_class {
	COMPAT_SANDBOX_ERROR, /* cvisor itself failed: its own message, a crash, a seccomp kill */
	COMPAT_REGRESSED,     /* passed natively, not in the sandbox */
	COMPAT_TIMEOUT,       /* a run outlived --timeout (either side) */
	COMPAT_FIXED,         /* failed natively, passed in the sandbox */
	COMPAT_FAILED,        /* failed on both sides */
	COMPAT_SKIPPED,       /* the test said it cannot run here (LTP's TCONF) */
	COMPAT_PASSED,        /* passed on both sides */
	COMPAT_NCLASSES
};

enum compat_compare { COMPARE_STATUS, COMPARE_STDOUT };
enum compat_format { FORMAT_AUTO, FORMAT_PLAIN, FORMAT_LTP, FORMAT_GTEST, FORMAT_REGRTEST };

/* What a program of many tests said of one of them. */
enum compat_outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP, OUTCOME_MISSING };

struct compat_case {
	char *name;
	enum compat_outcome outcome;
};

struct compat_cases {
	struct compat_case *v;
	int n, cap;
};

/* One test inside a test program, compared: its class and what each side said. */
struct compat_sub {
	char *name;
	enum compat_class cls;
	enum compat_outcome native, sandbox;
};

/* One unimplemented system call a sandboxed run asked for, as --debug lists it. */
struct compat_unimpl {
	char name[32];
	unsigned long count;
};

/* One run of a test: natively, or in a sandbox on one platform. */
struct compat_run {
	pid_t pid;           /* 0 when not running */
	double start, secs;  /* seconds since the epoch, and how long it took */
	int wstatus;         /* as waitpid gives it */
	int timed_out;       /* killed by us at --timeout */
	char *out, *err;     /* host paths of its stdout and stderr */
	/* Filled in by classification (sandboxed runs only): */
	enum compat_class cls;
	char why[256];
	char *errors;        /* cvisor's own lines on stderr (a sandbox error), or NULL */
	char *tail;          /* the test's last lines on stderr, cvisor's own left out, or NULL */
	char diff[320];      /* --compare=stdout: the first line where the stdouts differ, or "" */
	struct compat_unimpl *unimpl;
	int nunimpl;
	struct compat_sub *subs; /* gtest, regrtest: the tests inside, when the native run named any */
	int nsubs;
};

struct compat_test {
	char *name;
	char **argv;         /* what runs, on both sides */
	char *dir;           /* its scratch directory, the cwd of every run (a host path) */
	int step;            /* next run to start: 0 native, 1 + i platform i; nplat + 1 when done */
	int crash;           /* --test-sentry-crash asked for this one */
	struct compat_run native;
	struct compat_run *sandbox; /* one per platform */
};

struct compat_suite {
	const char *self;    /* this cvisor binary, for `cvisor do` */
	const char *root;    /* --root, or "/" */
	const char **platform;
	int nplat;
	enum compat_compare compare;
	enum compat_format format;
	double timeout;
	struct compat_test *tests;
	int ntests;
};

/* The class's name in reports, JSON and JUnit ("sandbox-error", "regressed", ...). */
const char *compat_class_name(enum compat_class c);
/* The `cvisor do` command line that reproduces run r of t, shell-quoted, into buf. */
void compat_reproduce(const struct compat_suite *s, const struct compat_test *t, int plat, char *buf, size_t size);
/* Whether this class makes the exit status 1. */
int compat_class_fails(const struct compat_test *t, int pi);

/* How many results run r counts for: one per test inside, or one. */
int compat_run_count(const struct compat_run *r, enum compat_class c);
const char *compat_outcome_name(enum compat_outcome o);

/* compat_parse.c: the format a native run's output shows, and the tests it names. */
enum compat_format compat_detect_format(const char *out, const char *err);
void compat_parse_cases(enum compat_format fmt, const char *out, const char *err, struct compat_cases *c);
void compat_cases_free(struct compat_cases *c);

/* compat_report.c: the summary for a person, and the files for machines. */
void compat_print_summary(FILE *f, const struct compat_suite *s);
int compat_write_json(const char *path, const struct compat_suite *s);
int compat_write_junit(const char *path, const struct compat_suite *s);
