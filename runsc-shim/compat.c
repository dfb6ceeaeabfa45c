/*
 * cvisor compat: runs a test suite natively and in fresh sandboxes, and
 * says test by test what behaves differently.  The native run is the
 * reference.  Each test runs in a scratch directory of its own on the
 * host's disk (under ROOT/var/tmp: a sandbox's /tmp is its own), first
 * natively, then once per platform as `cvisor do` of this same binary, with
 * the directory emptied between runs so that both sides start alike.  Tests
 * run side by side up to -j.
 *
 * The native side runs what the user asked, as the user asked it: the only
 * change is a fresh empty /tmp (a tmpfs in a private mount namespace, as the
 * sandbox gives its program), and with --root a chroot into the same root
 * the sandbox gets.  Nothing else is added, and nothing is run that the user
 * did not name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../platform/platform.h"
#include "../sentry/sentry.h"
#include "compat.h"
#include "shim.h"

static const char usage_text[] =
	"usage: cvisor compat [flags] (-f LIST | DIR | -- CMD [ARGS...])\n"
	"  -f LIST               the tests, one a line as LTP's runtest files: NAME COMMAND [ARGS...],\n"
	"                        run by /bin/sh -c; blank lines and lines starting with # are skipped\n"
	"  DIR                   every executable file of DIR is a test\n"
	"  -- CMD [ARGS...]      one test\n"
	"  --platform=P[,P...]   the platforms to compare with native (default systrap)\n"
	"  -j N                  tests run side by side (default: the CPUs online)\n"
	"  --timeout S           seconds per run (default 60); a run that outlives it is killed\n"
	"  --compare=status      a run passes when it exits 0 (the default)\n"
	"  --compare=stdout      the native run is the reference: a sandboxed run passes when its exit\n"
	"                        status and its stdout are the native run's\n"
	"  --format=FORMAT       what a test says of itself: plain (its exit status), ltp (32, TCONF, is a\n"
	"                        skip), gtest or regrtest (each test inside, from GoogleTest's or unittest -v's\n"
	"                        lines), or auto (the default): the one the native run's output shows\n"
	"  --root DIR            the root of both sides: the sandbox's image, a chroot natively\n"
	"  --json FILE           every result, for scripts\n"
	"  --junit FILE          every result as JUnit XML, for CI systems\n"
	"Exit status 0 when nothing regressed, timed out only in the sandbox, or hit a sandbox error.\n";

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fputs("cvisor: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p) {
		fputs("cvisor: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0) {
		fputs("cvisor: out of memory\n", stderr);
		exit(1);
	}
	va_end(ap);
	return p;
}

const char *compat_class_name(enum compat_class c)
{
	static const char *const names[COMPAT_NCLASSES] = {
		[COMPAT_SANDBOX_ERROR] = "sandbox-error", [COMPAT_REGRESSED] = "regressed",
		[COMPAT_TIMEOUT] = "timeout",             [COMPAT_FIXED] = "fixed",
		[COMPAT_FAILED] = "failed",               [COMPAT_SKIPPED] = "skipped",
		[COMPAT_PASSED] = "passed",
	};
	return names[c];
}

/* A timeout counts against the exit status only when the native run finished in time. */
int compat_class_fails(const struct compat_test *t, int pi)
{
	switch (t->sandbox[pi].cls) {
	case COMPAT_SANDBOX_ERROR:
	case COMPAT_REGRESSED:
		return 1;
	case COMPAT_TIMEOUT:
		return !t->native.timed_out;
	default:
		return 0;
	}
}

/* ---- the tests ---- */

static void add_test(struct compat_suite *s, int *cap, const char *name, char **argv)
{
	if (s->ntests == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		s->tests = realloc(s->tests, (size_t)*cap * sizeof(*s->tests));
		if (!s->tests) {
			fputs("cvisor: out of memory\n", stderr);
			exit(1);
		}
	}
	memset(&s->tests[s->ntests], 0, sizeof(s->tests[0]));
	s->tests[s->ntests].name = xstrdup(name);
	s->tests[s->ntests].argv = argv;
	s->ntests++;
}

/* LTP's runtest format: NAME COMMAND [ARGS...], the command for /bin/sh -c. */
static int read_list(struct compat_suite *s, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t len = 0;
	int cap = 0, lineno = 0;

	if (!f)
		return shim_fail("give a file of tests, one a line: NAME COMMAND [ARGS...]", "cannot read %s: %s",
				 path, strerror(errno));
	while (getline(&line, &len, f) >= 0) {
		char *p = line, *name, *cmd, **argv;

		lineno++;
		line[strcspn(line, "\n")] = 0;
		p += strspn(p, " \t");
		if (!*p || *p == '#')
			continue;
		name = p;
		p += strcspn(p, " \t");
		if (*p)
			*p++ = 0;
		p += strspn(p, " \t");
		cmd = *p ? p : name; /* a line of one word is a command named after itself */
		argv = xcalloc(4, sizeof(*argv));
		argv[0] = xstrdup("/bin/sh");
		argv[1] = xstrdup("-c");
		argv[2] = xstrdup(cmd);
		add_test(s, &cap, name, argv);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	if (!s->ntests)
		return shim_fail("give a file of tests, one a line: NAME COMMAND [ARGS...]", "no tests in %s", path);
	return 0;
}

static int is_test_file(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int read_dir(struct compat_suite *s, const char *dir)
{
	struct dirent **ents;
	char abs[PATH_MAX];
	int n, i, cap = 0;

	if (!realpath(dir, abs))
		return shim_fail("give a directory of test programs", "cannot open %s: %s", dir, strerror(errno));
	n = scandir(abs, &ents, is_test_file, alphasort);
	if (n < 0)
		return shim_fail("give a directory of test programs", "cannot list %s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		char *path = xprintf("%s/%s", abs, ents[i]->d_name);
		struct stat st;

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0) {
			char **argv = xcalloc(2, sizeof(*argv));

			argv[0] = path;
			add_test(s, &cap, ents[i]->d_name, argv);
		} else {
			free(path);
		}
		free(ents[i]);
	}
	free(ents);
	if (!s->ntests)
		return shim_fail("put executable files in it, or give -f LIST", "no executable files in %s", dir);
	return 0;
}

/* ---- running ---- */

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

/* Empties dir (keeps dir itself); never crosses into another file system. */
static void empty_dir(const char *dir)
{
	nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static void remove_tree(const char *dir)
{
	empty_dir(dir);
	rmdir(dir);
}

/* In the child: stdin /dev/null, stdout and stderr to the run's files, no other fd. */
static void child_stdio(const struct compat_run *r)
{
	int in = open("/dev/null", O_RDONLY), out = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0644),
	    err = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	syscall(436 /* close_range */, 3, ~0U, 0);
}

/* The path of the scratch directory as the test sees it (inside --root). */
static const char *inner_dir(const struct compat_suite *s, const struct compat_test *t)
{
	size_t n = strlen(s->root);

	return strcmp(s->root, "/") ? t->dir + n : t->dir;
}

static void exec_native(const struct compat_suite *s, const struct compat_test *t)
{
	char tmp[PATH_MAX];

	/*
	 * A fresh /tmp, as the sandbox has: only in a mount namespace of the
	 * test's own, so the host's mounts are never touched.  Without the
	 * privilege for one, the test sees the host's /tmp.
	 */
	snprintf(tmp, sizeof(tmp), "%s/tmp", strcmp(s->root, "/") ? s->root : "");
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		mount("cvisor-compat-tmp", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
	if (strcmp(s->root, "/") && chroot(s->root) < 0) {
		fprintf(stderr, "cvisor: compat: cannot chroot to %s: %s\n", s->root, strerror(errno));
		_exit(127);
	}
	if (chdir(inner_dir(s, t)) < 0)
		_exit(127);
	execvp(t->argv[0], t->argv);
	fprintf(stderr, "cvisor: compat: cannot run %s: %s\n", t->argv[0], strerror(errno));
	_exit(127);
}

static void exec_sandbox(const struct compat_suite *s, const struct compat_test *t, int pi)
{
	char **argv;
	int n = 0, i;

	for (i = 0; t->argv[i]; i++)
		;
	argv = xcalloc((size_t)i + 16, sizeof(*argv));

	argv[n++] = "cvisor";
	argv[n++] = "do";
	argv[n++] = xprintf("--platform=%s", s->platform[pi]);
	argv[n++] = "--debug"; /* lists the unimplemented calls asked for at exit */
	argv[n++] = "--private-tmp"; /* an empty /tmp, as the native run's */
	if (strcmp(s->root, "/")) {
		argv[n++] = "--root";
		argv[n++] = (char *)s->root;
		argv[n++] = "--cwd";
		argv[n++] = (char *)inner_dir(s, t);
	}
	if (t->crash)
		argv[n++] = "--test-sentry-crash";
	argv[n++] = "--";
	for (i = 0; t->argv[i]; i++)
		argv[n++] = t->argv[i];
	argv[n] = NULL;
	if (chdir(t->dir) < 0)
		_exit(127);
	execv(s->self, argv);
	fprintf(stderr, "cvisor: compat: cannot run %s: %s\n", s->self, strerror(errno));
	_exit(127);
}

/* The run of t that its step names (the native one first), or NULL once all are done. */
static struct compat_run *run_in_flight(const struct compat_suite *s, struct compat_test *t)
{
	if (t->step > s->nplat)
		return NULL;
	return t->step ? &t->sandbox[t->step - 1] : &t->native;
}

static int start_run(const struct compat_suite *s, struct compat_test *t, const sigset_t *oldmask)
{
	struct compat_run *r = run_in_flight(s, t);
	pid_t pid;

	empty_dir(t->dir);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setpgid(0, 0); /* a group of its own, which the timeout kills whole */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		child_stdio(r);
		if (t->step == 0)
			exec_native(s, t);
		exec_sandbox(s, t, t->step - 1);
	}
	setpgid(pid, pid);
	r->pid = pid;
	r->start = now();
	return 0;
}

/* ---- classification ---- */

/*
 * A run's output, to parse: at most READ_MAX bytes of it (a test's own
 * output is hostile in size too; what is past the cap is not read).
 */
#define READ_MAX (64u << 20)

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t size = 0, cap = 0, n;

	*len = 0;
	if (!f)
		return xstrdup("");
	do {
		if (size == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf) {
				fputs("cvisor: out of memory\n", stderr);
				exit(1);
			}
		}
		n = fread(buf + size, 1, cap - size, f);
		size += n;
	} while (n && size < READ_MAX);
	fclose(f);
	if (!buf)
		return xstrdup("");
	buf[size] = 0;
	*len = size;
	return buf;
}

/* Up to 100 bytes of a line, shown safely: control and non-ASCII bytes as '?'. */
static void show_line(char *dst, size_t size, const char *line, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len && i < 100 && n + 1 < size; i++)
		dst[n++] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	dst[n] = 0;
}

/*
 * Whether files a and b hold the same bytes, read a line at a time (an
 * output of any size); if not, diff (when given) says where: the first
 * line that differs, as each side has it.
 */
static int same_file(const char *a, const char *b, char *diff, size_t size)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	char *x = NULL, *y = NULL, sx[112] = "", sy[112] = "";
	size_t cx = 0, cy = 0, line = 0;
	ssize_t lx, ly;
	int same = 1;

	for (;;) {
		lx = fa ? getline(&x, &cx, fa) : -1;
		ly = fb ? getline(&y, &cy, fb) : -1;
		line++;
		if (lx < 0 && ly < 0)
			break;
		if (lx != ly || memcmp(x, y, (size_t)lx)) {
			same = 0;
			break;
		}
	}
	if (!same && diff) {
		if (lx > 0)
			show_line(sx, sizeof(sx), x, (size_t)lx - (x[lx - 1] == '\n'));
		if (ly > 0)
			show_line(sy, sizeof(sy), y, (size_t)ly - (y[ly - 1] == '\n'));
		snprintf(diff, size, "stdout line %zu: native %s\"%s\", sandbox %s\"%s\"", line, lx < 0 ? "(end) " : "",
			 sx, ly < 0 ? "(end) " : "", sy);
	}
	free(x);
	free(y);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

static int exit_code(const struct compat_run *r)
{
	if (WIFSIGNALED(r->wstatus))
		return 128 + WTERMSIG(r->wstatus);
	return WEXITSTATUS(r->wstatus);
}

/*
 * What --debug lists at exit: "cvisor: unimplemented system calls the
 * program asked for:" then "  NR NAME COUNT" lines.  And cvisor's own
 * failure lines, every "cvisor: " line but the debug and warning ones and
 * that list, unless the native stderr has the same line (a test that prints
 * such lines itself).  And the test's own last lines, for the report.
 */
#define TAIL_LINES 3

static void scan_sandbox_stderr(struct compat_run *r, const char *native_err)
{
	static const char header[] = "cvisor: unimplemented system calls the program asked for:";
	size_t len, errlen = 0, errcap = 0;
	char *buf = read_file(r->err, &len), *line, *save = NULL;
	const char *tail[TAIL_LINES];
	int in_list = 0, in_report = 0, cap = 0, ntail = 0, i;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int is_cvisor = !strncmp(line, "cvisor: ", 8);

		if (in_list && line[0] == ' ' && line[1] == ' ') {
			struct compat_unimpl u = {.count = 0};
			int nr;

			if (sscanf(line, " %d %31s %lu", &nr, u.name, &u.count) == 3 ||
			    (sscanf(line, " (out of range) %lu", &u.count) == 1 &&
			     snprintf(u.name, sizeof(u.name), "(out of range)") > 0)) {
				if (r->nunimpl == cap) {
					cap = cap ? cap * 2 : 8;
					r->unimpl = realloc(r->unimpl, (size_t)cap * sizeof(*r->unimpl));
					if (!r->unimpl)
						exit(1);
				}
				r->unimpl[r->nunimpl++] = u;
			}
			continue;
		}
		in_list = !strcmp(line, header);
		if (in_list || !strncmp(line, "cvisor: debug: ", 15) || !strncmp(line, "cvisor: warning: ", 17))
			continue;
		if (!in_report && !is_cvisor) {
			tail[ntail++ % TAIL_LINES] = line;
			continue;
		}
		/* A crash report: its first line, and every line after it. */
		if (!in_report && strstr(native_err, line))
			continue;
		in_report = 1;
		if (errlen + strlen(line) + 2 > errcap) {
			errcap = (errlen + strlen(line) + 2) * 2;
			r->errors = realloc(r->errors, errcap);
			if (!r->errors)
				exit(1);
		}
		errlen += (size_t)sprintf(r->errors + errlen, "%s\n", line);
	}
	for (i = ntail > TAIL_LINES ? ntail - TAIL_LINES : 0; i < ntail; i++) {
		const char *l = tail[i % TAIL_LINES];
		size_t used = r->tail ? strlen(r->tail) : 0;

		r->tail = realloc(r->tail, used + strlen(l) + 2);
		if (!r->tail)
			exit(1);
		sprintf(r->tail + used, "%s\n", l);
	}
	free(buf);
}

const char *compat_outcome_name(enum compat_outcome o)
{
	static const char *const names[] = {
		[OUTCOME_PASS] = "passed", [OUTCOME_FAIL] = "failed", [OUTCOME_SKIP] = "skipped",
		[OUTCOME_MISSING] = "no result",
	};
	return names[o];
}

int compat_run_count(const struct compat_run *r, enum compat_class c)
{
	int i, n = 0;

	if (!r->nsubs)
		return r->cls == c;
	for (i = 0; i < r->nsubs; i++)
		n += r->subs[i].cls == c;
	return n;
}

static void read_cases(enum compat_format fmt, const struct compat_run *r, struct compat_cases *c)
{
	size_t l1, l2;
	char *out = read_file(r->out, &l1), *err = read_file(r->err, &l2);

	compat_parse_cases(fmt, out, err, c);
	free(out);
	free(err);
}

/*
 * A program of many tests, compared test by test: every test the native
 * run named is classed by what each side said of it; a test the sandboxed
 * run never finished (it died, or it stopped early) has no result there.
 * The run's own class is its worst but for skips.  Returns how many tests, 0 when the
 * native run named none (then the exit statuses decide).
 */
static int compare_cases(const struct compat_suite *s, enum compat_format fmt, struct compat_test *t, int pi)
{
	struct compat_run *r = &t->sandbox[pi];
	struct compat_cases nc = {0}, sc = {0};
	int i, j, nreg = 0, nskip = 0;
	size_t used;

	read_cases(fmt, &t->native, &nc);
	if (!nc.n)
		return 0;
	read_cases(fmt, r, &sc);
	r->subs = xcalloc((size_t)nc.n, sizeof(*r->subs));
	r->nsubs = nc.n;
	r->cls = COMPAT_PASSED;
	for (i = 0; i < nc.n; i++) {
		struct compat_sub *sub = &r->subs[i];

		sub->name = nc.v[i].name;
		nc.v[i].name = NULL;
		sub->native = nc.v[i].outcome;
		sub->sandbox = OUTCOME_MISSING;
		for (j = 0; j < sc.n; j++)
			if (!strcmp(sc.v[j].name, sub->name))
				sub->sandbox = sc.v[j].outcome;
		if (sub->native == OUTCOME_SKIP)
			sub->cls = COMPAT_SKIPPED;
		else if (sub->native == OUTCOME_PASS)
			sub->cls = sub->sandbox == OUTCOME_PASS ? COMPAT_PASSED : COMPAT_REGRESSED;
		else
			sub->cls = sub->sandbox == OUTCOME_PASS ? COMPAT_FIXED : COMPAT_FAILED;
		/* A skip inside says nothing of the program: its class is that of the tests that ran. */
		if (sub->cls < r->cls && sub->cls != COMPAT_SKIPPED)
			r->cls = sub->cls;
		nskip += sub->cls == COMPAT_SKIPPED;
		nreg += sub->cls == COMPAT_REGRESSED;
	}
	if (nskip == r->nsubs)
		r->cls = COMPAT_SKIPPED;
	compat_cases_free(&nc);
	compat_cases_free(&sc);
	used = (size_t)snprintf(r->why, sizeof(r->why), "%d of %d tests regressed", nreg, r->nsubs);
	for (i = 0, j = 0; i < r->nsubs && used < sizeof(r->why); i++)
		if (r->subs[i].cls == COMPAT_REGRESSED)
			used += (size_t)snprintf(r->why + used, sizeof(r->why) - used, "%s %s", j++ ? "," : ":",
						 r->subs[i].name);
	if (!nreg)
		snprintf(r->why, sizeof(r->why), "%d tests inside", r->nsubs);
	(void)s;
	return r->nsubs;
}

static void classify(const struct compat_suite *s, struct compat_test *t, int pi)
{
	struct compat_run *n = &t->native, *r = &t->sandbox[pi];
	int rcn = exit_code(n), rcs = exit_code(r), pn, ps;
	enum compat_format fmt = s->format;
	size_t len;
	char *native_err = read_file(n->err, &len);

	scan_sandbox_stderr(r, native_err);
	free(native_err);
	if (fmt == FORMAT_AUTO || fmt == FORMAT_GTEST || fmt == FORMAT_REGRTEST) {
		size_t l1, l2;
		char *out = read_file(n->out, &l1), *err = read_file(n->err, &l2);

		if (fmt == FORMAT_AUTO)
			fmt = compat_detect_format(out, err);
		free(out);
		free(err);
	}

	/* A program that exists on neither side is the test's fault, not cvisor's. */
	if (rcn == 127 && r->errors && strstr(r->errors, "cvisor: cannot run ") == r->errors && !strchr(r->errors, '\n')[1]) {
		free(r->errors);
		r->errors = NULL;
	}
	if (!r->timed_out && WIFSIGNALED(r->wstatus)) {
		r->cls = COMPAT_SANDBOX_ERROR;
		snprintf(r->why, sizeof(r->why), "cvisor died of signal %d (%s)", WTERMSIG(r->wstatus),
			 strsignal(WTERMSIG(r->wstatus)));
		return;
	}
	if (r->errors) {
		r->cls = COMPAT_SANDBOX_ERROR;
		snprintf(r->why, sizeof(r->why), "cvisor failed (exit status %d): %.*s", rcs,
			 (int)strcspn(r->errors, "\n"), r->errors);
		return;
	}
	if (n->timed_out || r->timed_out) {
		r->cls = COMPAT_TIMEOUT;
		snprintf(r->why, sizeof(r->why), "%s run timed out after %gs",
			 n->timed_out ? (r->timed_out ? "each" : "the native") : "the sandboxed", s->timeout);
		return;
	}
	if ((fmt == FORMAT_GTEST || fmt == FORMAT_REGRTEST) && compare_cases(s, fmt, t, pi) > 0)
		return;
	if (fmt == FORMAT_LTP && rcn == 32) {
		r->cls = COMPAT_SKIPPED;
		snprintf(r->why, sizeof(r->why), "TCONF natively (exit status 32)");
		return;
	}
	if (s->compare == COMPARE_STDOUT) {
		int same_out = same_file(n->out, r->out, r->diff, sizeof(r->diff));

		r->cls = rcn == rcs && same_out ? COMPAT_PASSED : COMPAT_REGRESSED;
		if (rcn != rcs)
			snprintf(r->why, sizeof(r->why), "exit status: native %d, sandbox %d%s", rcn, rcs,
				 same_out ? "" : "; stdout differs");
		else if (!same_out)
			snprintf(r->why, sizeof(r->why), "stdout differs (exit status %d on both sides)", rcn);
		return;
	}
	pn = rcn == 0;
	ps = rcs == 0;
	r->cls = pn ? (ps ? COMPAT_PASSED : COMPAT_REGRESSED) : (ps ? COMPAT_FIXED : COMPAT_FAILED);
	if (r->cls != COMPAT_PASSED)
		snprintf(r->why, sizeof(r->why), "exit status: native %d, sandbox %d%s", rcn, rcs,
			 fmt == FORMAT_LTP && rcs == 32 ? " (TCONF in the sandbox only)" : "");
}

/* ---- the command line ---- */

static int shell_safe(const char *a)
{
	if (!*a)
		return 0;
	for (; *a; a++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%", *a))
			return 0;
	return 1;
}

static void append_quoted(char *buf, size_t size, const char *a)
{
	size_t n = strlen(buf);

	if (n && n < size - 1)
		buf[n++] = ' ';
	if (shell_safe(a)) {
		snprintf(buf + n, size - n, "%s", a);
		return;
	}
	if (n < size - 1)
		buf[n++] = '\'';
	for (; *a && n < size - 5; a++) {
		if (*a == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *a;
		}
	}
	if (n < size - 1)
		buf[n++] = '\'';
	buf[n < size ? n : size - 1] = 0;
}

void compat_reproduce(const struct compat_suite *s, const struct compat_test *t, int pi, char *buf, size_t size)
{
	char flag[64];
	int i;

	buf[0] = 0;
	append_quoted(buf, size, s->self);
	append_quoted(buf, size, "do");
	snprintf(flag, sizeof(flag), "--platform=%s", s->platform[pi]);
	append_quoted(buf, size, flag);
	if (strcmp(s->root, "/")) {
		append_quoted(buf, size, "--root");
		append_quoted(buf, size, s->root);
	}
	append_quoted(buf, size, "--debug");
	append_quoted(buf, size, "--private-tmp");
	if (t->crash)
		append_quoted(buf, size, "--test-sentry-crash");
	append_quoted(buf, size, "--");
	for (i = 0; t->argv[i]; i++)
		append_quoted(buf, size, t->argv[i]);
}

static int parse_platforms(struct compat_suite *s, const char *list)
{
	char *copy = xstrdup(list), *save = NULL, *name;

	s->platform = xcalloc(strlen(list) + 1, sizeof(*s->platform));
	s->nplat = 0;
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		const struct platform *p = shim_platform_find(name);

		if (!p || shim_platform_runs(p, "leave it out of --platform (`cvisor platforms` lists them)", NULL))
			return 1;
		s->platform[s->nplat++] = name;
	}
	if (!s->nplat)
		return shim_fail("give at least one, e.g. --platform=ptrace", "no platform in '%s'", list);
	return 0;
}

static int parse_number(const char *flag, const char *v, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || d < lo || d > hi)
		return shim_fail("see `cvisor compat --help`", "bad %s '%s' (from %g to %g)", flag, v, lo, hi);
	*out = d;
	return 0;
}

/* ---- progress ---- */

struct progress {
	int tty;
	int done, total, counts[COMPAT_NCLASSES];
	double start, drawn;
};

static void progress_line(struct progress *p)
{
	double el = now() - p->start;
	int eta = p->done ? (int)(el / p->done * (p->total - p->done) + 0.5) : -1;

	if (!p->tty)
		return;
	p->drawn = now();
	printf("\r\033[K[%d/%d] %d regressed, %d sandbox errors", p->done, p->total, p->counts[COMPAT_REGRESSED],
	       p->counts[COMPAT_SANDBOX_ERROR]);
	if (eta >= 0)
		printf(", ETA %dm%02ds", eta / 60, eta % 60);
	fflush(stdout);
}

static void progress_result(struct progress *p, const struct compat_suite *s, const struct compat_test *t, int pi)
{
	const struct compat_run *r = &t->sandbox[pi];
	enum compat_class c;

	p->done++;
	for (c = 0; c < COMPAT_NCLASSES; c++)
		p->counts[c] += compat_run_count(r, c);
	/* On a terminal only what needs a look gets a line; elsewhere every result does. */
	if (!p->tty || r->cls != COMPAT_PASSED) {
		if (p->tty)
			printf("\r\033[K");
		printf("%-13s %s", compat_class_name(r->cls), t->name);
		if (s->nplat > 1)
			printf(" [%s]", s->platform[pi]);
		if (r->why[0])
			printf(": %s", r->why);
		putchar('\n');
	}
	progress_line(p);
}

/* ---- the verb ---- */

/* A test that hangs natively is broken by itself: its sandboxed runs would only hang as well. */
static void skip_sandbox(const struct compat_suite *s, struct compat_test *t, struct progress *prog)
{
	int pi;

	for (pi = 0; pi < s->nplat; pi++) {
		t->sandbox[pi].cls = COMPAT_TIMEOUT;
		snprintf(t->sandbox[pi].why, sizeof(t->sandbox[pi].why),
			 "the native run timed out after %gs (not run in the sandbox)", s->timeout);
		progress_result(prog, s, t, pi);
	}
	t->step = s->nplat;
}

static int run_all(struct compat_suite *s, int jobs)
{
	struct progress prog = {.tty = isatty(1), .total = s->ntests * s->nplat, .start = now()};
	sigset_t chld, old;
	int running = 0, next = 0, i, finished = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	progress_line(&prog);
	while (finished < s->ntests && !interrupted) {
		struct timespec tick = {0, 100 * 1000 * 1000};
		double t_now;
		pid_t pid;
		int ws;

		/* Start tests in order while there is room; each runs its steps one after another. */
		while (running < jobs && next < s->ntests) {
			if (start_run(s, &s->tests[next], &old) < 0) {
				shim_fail("lower -j, or raise the process limit", "cannot fork: %s", strerror(errno));
				interrupted = SIGTERM;
				break;
			}
			running++;
			next++;
		}
		sigtimedwait(&chld, NULL, &tick);
		if (prog.tty && now() - prog.drawn >= 1)
			progress_line(&prog); /* the ETA moves while a long test runs */
		while ((pid = waitpid(-1, &ws, WNOHANG)) > 0) {
			for (i = 0; i < next; i++) {
				struct compat_test *t = &s->tests[i];
				struct compat_run *r = run_in_flight(s, t);

				if (!r || r->pid != pid)
					continue;
				r->pid = 0;
				r->wstatus = ws;
				r->secs = now() - r->start;
				if (t->step) {
					classify(s, t, t->step - 1);
					progress_result(&prog, s, t, t->step - 1);
				} else if (r->timed_out) {
					skip_sandbox(s, t, &prog);
				}
				t->step++;
				if (t->step <= s->nplat) {
					if (start_run(s, t, &old) < 0) {
						interrupted = SIGTERM;
						break;
					}
				} else {
					running--;
					finished++;
					remove_tree(t->dir);
				}
				break;
			}
		}
		/* The timeout: the whole process group of the run, which is its own (never 0 or -1). */
		t_now = now();
		for (i = 0; i < next; i++) {
			struct compat_test *t = &s->tests[i];
			struct compat_run *r = run_in_flight(s, t);

			if (r && r->pid > 1 && !r->timed_out && t_now - r->start > s->timeout) {
				r->timed_out = 1;
				kill(-r->pid, SIGKILL);
			}
		}
	}
	if (interrupted) {
		for (i = 0; i < next; i++) {
			struct compat_test *t = &s->tests[i];
			struct compat_run *r = run_in_flight(s, t);

			if (r && r->pid > 1) {
				kill(-r->pid, SIGKILL);
				waitpid(r->pid, NULL, 0);
			}
		}
	}
	if (prog.tty)
		printf("\r\033[K");
	sigprocmask(SIG_SETMASK, &old, NULL);
	return interrupted ? -1 : 0;
}

int shim_compat(int argc, char **argv)
{
	struct compat_suite s = {.root = "/", .compare = COMPARE_STATUS, .format = FORMAT_AUTO, .timeout = 60};
	const char *list = NULL, *dir = NULL, *json = NULL, *junit = NULL, *crash_name = NULL, *platforms = NULL;
	char **cmd = NULL, self[PATH_MAX], base[PATH_MAX], rootbuf[PATH_MAX];
	double jobs = (double)sysconf(_SC_NPROCESSORS_ONLN);
	int i, failing = 0, r;
	ssize_t n;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;

#define FLAG_VALUE(name) \
	((!strcmp(a, name) && i + 1 < argc && (v = argv[++i])) || \
	 (!strncmp(a, name "=", strlen(name) + 1) && (v = a + strlen(name) + 1)))
		if (!strcmp(a, "--")) {
			cmd = argv + i + 1;
			if (!*cmd)
				return shim_fail("name the command after --", "no command given");
			break;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (FLAG_VALUE("-f")) {
			list = v;
		} else if (FLAG_VALUE("--platform")) {
			platforms = v;
		} else if (FLAG_VALUE("-j")) {
			if (parse_number("-j", v, 1, 1024, &jobs))
				return 1;
		} else if (FLAG_VALUE("--timeout")) {
			if (parse_number("--timeout", v, 0.1, 86400, &s.timeout))
				return 1;
		} else if (FLAG_VALUE("--compare")) {
			if (!strcmp(v, "status"))
				s.compare = COMPARE_STATUS;
			else if (!strcmp(v, "stdout"))
				s.compare = COMPARE_STDOUT;
			else
				return shim_fail("use --compare=status or --compare=stdout", "unknown comparison '%s'", v);
		} else if (FLAG_VALUE("--format")) {
			if (!strcmp(v, "auto"))
				s.format = FORMAT_AUTO;
			else if (!strcmp(v, "plain"))
				s.format = FORMAT_PLAIN;
			else if (!strcmp(v, "ltp"))
				s.format = FORMAT_LTP;
			else if (!strcmp(v, "gtest"))
				s.format = FORMAT_GTEST;
			else if (!strcmp(v, "regrtest"))
				s.format = FORMAT_REGRTEST;
			else
				return shim_fail("use --format=auto, plain, ltp, gtest or regrtest", "unknown format '%s'", v);
		} else if (FLAG_VALUE("--root")) {
			if (!realpath(v, rootbuf))
				return shim_fail("give the directory of a root file system", "cannot open %s: %s", v,
						 strerror(errno));
			s.root = rootbuf;
		} else if (FLAG_VALUE("--json")) {
			json = v;
		} else if (FLAG_VALUE("--junit")) {
			junit = v;
		} else if (FLAG_VALUE("--test-sentry-crash")) {
			crash_name = v; /* the self-test: that test's sandbox crashes on purpose */
		} else if (a[0] == '-') {
			fputs(usage_text, stderr);
			return shim_fail("see the flags above", "unknown flag or missing value '%s'", a);
		} else if (!dir) {
			dir = a;
		} else {
			return shim_fail("give one DIR, or -f LIST, or -- CMD", "unexpected argument '%s'", a);
		}
#undef FLAG_VALUE
	}
	if (!!list + !!dir + !!cmd != 1) {
		fputs(usage_text, stderr);
		return shim_fail("give exactly one of -f LIST, DIR or -- CMD ARGS", "%s",
				 list || dir || cmd ? "more than one suite given" : "no tests given");
	}
	if (parse_platforms(&s, platforms ? platforms : SENTRY_DEFAULT_PLATFORM))
		return 1;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return shim_fail("run cvisor from a system with /proc mounted", "cannot find cvisor's own binary: %s",
				 strerror(errno));
	self[n] = 0;
	s.self = self;

	if (list ? read_list(&s, list) : dir ? read_dir(&s, dir) : 0)
		return 1;
	if (cmd) {
		const char *b = strrchr(cmd[0], '/');
		int cap = 0;

		add_test(&s, &cap, b ? b + 1 : cmd[0], cmd);
	}
	if (crash_name) {
		for (i = 0; i < s.ntests; i++)
			if (!strcmp(s.tests[i].name, crash_name))
				s.tests[i].crash = 1;
	}

	/* Scratch directories on the root's disk, which both sides see. */
	snprintf(base, sizeof(base), "%s/var/tmp/cvisor-compat.XXXXXX", strcmp(s.root, "/") ? s.root : "");
	if (!mkdtemp(base))
		return shim_fail("make ROOT/var/tmp writable, or give another --root", "cannot make a scratch directory %s: %s",
				 base, strerror(errno));
	for (i = 0; i < s.ntests; i++) {
		struct compat_test *t = &s.tests[i];
		int p;

		t->dir = xprintf("%s/%d", base, i);
		t->native.out = xprintf("%s/%d.native.out", base, i);
		t->native.err = xprintf("%s/%d.native.err", base, i);
		t->sandbox = xcalloc((size_t)s.nplat, sizeof(*t->sandbox));
		for (p = 0; p < s.nplat; p++) {
			t->sandbox[p].out = xprintf("%s/%d.%s.out", base, i, s.platform[p]);
			t->sandbox[p].err = xprintf("%s/%d.%s.err", base, i, s.platform[p]);
		}
		if (mkdir(t->dir, 0755) < 0) {
			remove_tree(base);
			return shim_fail("make room on the disk of ROOT/var/tmp", "cannot make %s: %s", t->dir,
					 strerror(errno));
		}
	}

	r = run_all(&s, (int)jobs);
	if (r == 0) {
		compat_print_summary(stdout, &s);
		for (i = 0; i < s.ntests; i++) {
			int p;

			for (p = 0; p < s.nplat; p++)
				failing |= compat_class_fails(&s.tests[i], p);
		}
		if (json && compat_write_json(json, &s) < 0)
			failing = shim_fail("give a path where a file can be written", "cannot write %s: %s", json, strerror(errno));
		if (junit && compat_write_junit(junit, &s) < 0)
			failing = shim_fail("give a path where a file can be written", "cannot write %s: %s", junit,
					    strerror(errno));
	}
	fflush(stdout);
	remove_tree(base);
	if (r < 0)
		return shim_fail(NULL, "interrupted: the runs still going were stopped");
	return failing ? 1 : 0;
}
