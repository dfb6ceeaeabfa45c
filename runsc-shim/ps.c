/*
 * cvisor ps [--format table|json] ID: the sandbox's processes, as runsc
 * lists them: the pids inside the container, asked of the sentry over the
 * exec control channel (EXEC_OP_PS, sentry/exec.h).  The table has ps -f's
 * columns (UID PID PPID C TTY STIME TIME CMD); json is runc's shape, an
 * array of pids, but of the sandbox's pid namespace (as runsc's), since the
 * container's processes have no host pid of their own.
 *
 * A paused sandbox cannot answer (the freezer stops the sentry too), but
 * neither can its processes change: pause asks for the list just before it
 * freezes and keeps it in the container's directory (PS_PAUSED), and ps of
 * a paused container prints that, its ages moved on by the time since.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "../sentry/exec.h"
#include "oci.h"
#include "shim.h"

/* The list a pause kept, in the container's directory: a struct ps_kept, then its procs. */
#define PS_PAUSED "ps.paused"

struct ps_kept {
	uint64_t taken_ns; /* CLOCK_REALTIME when it was asked */
	uint64_t n;
};

static int by_pid(const void *a, const void *b)
{
	const struct exec_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int read_all(int s, void *buf, size_t len)
{
	return len == 0 || recv(s, buf, len, MSG_WAITALL) == (ssize_t)len ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The sandbox's processes into *out (sorted by pid): their number, or -1 after a message. */
static long ask_ps(const char *id, struct exec_proc **out)
{
	struct exec_spec *spec = calloc(1, sizeof(*spec));
	struct exec_proc *all = NULL;
	struct exec_ps_msg head; /* only its header is read into it */
	struct exec_req hdr;
	size_t n = 0;
	char dir[4400];
	int s = -1;

	*out = NULL;
	if (!spec)
		return shim_fail(NULL, "out of memory"), -1;
	spec->op = EXEC_OP_PS;
	if (oci_dir(id, dir, sizeof(dir)) == 0)
		s = oci_exec_ask(dir, spec, 10000);
	free(spec);
	if (s < 0)
		return shim_fail("is the container running?", "ps: cannot reach the monitor of container %s", id), -1;
	do {
		struct exec_proc *more;

		if (read_all(s, &head, offsetof(struct exec_ps_msg, procs)) || ((hdr = head.hdr), 0) || (hdr.op != EXEC_PS_PART && hdr.op != EXEC_PS_END) || hdr.arg < 0 ||
		    hdr.arg > EXEC_PS_CHUNK || !(more = realloc(all, (n + (size_t)hdr.arg + 1) * sizeof(*all))) ||
		    read_all(s, (all = more) + n, (size_t)hdr.arg * sizeof(*all))) {
			close(s);
			free(all);
			return shim_fail("is the container running?", "ps: the sandbox of container %s did not answer", id), -1;
		}
		n += (size_t)hdr.arg;
	} while (hdr.op != EXEC_PS_END);
	close(s);
	qsort(all, n, sizeof(*all), by_pid);
	*out = all;
	return (long)n;
}

/* The path of the kept list of container id into buf; -1 after a message. */
static int kept_path(const char *id, char *buf, size_t size)
{
	char dir[4400];

	if (oci_dir(id, dir, sizeof(dir)) < 0)
		return -1;
	if ((size_t)snprintf(buf, size, "%s/%s", dir, PS_PAUSED) >= size)
		return shim_fail(NULL, "the state directory of container %s has too long a name", id), -1;
	return 0;
}

int ps_keep(const char *id)
{
	struct exec_proc *procs;
	struct ps_kept k;
	char path[4500];
	long n;
	int fd, ok;

	if (kept_path(id, path, sizeof(path)) < 0 || (n = ask_ps(id, &procs)) < 0)
		return -1;
	k.taken_ns = now_ns();
	k.n = (uint64_t)n;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, &k, sizeof(k)) == (ssize_t)sizeof(k) &&
	     write(fd, procs, (size_t)n * sizeof(*procs)) == (ssize_t)((size_t)n * sizeof(*procs));
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	free(procs);
	if (!ok) {
		unlink(path);
		return shim_fail(NULL, "cannot keep the process list of container %s in %s", id, path), -1;
	}
	return 0;
}

void ps_forget(const char *id)
{
	char path[4500];

	if (kept_path(id, path, sizeof(path)) == 0)
		unlink(path);
}

/* The list pause kept, as ask_ps gives it; -1 after a message. */
static long kept_ps(const char *id, struct exec_proc **out)
{
	struct exec_proc *all = NULL;
	struct ps_kept k;
	char path[4500];
	uint64_t now, since, i;
	int fd = -1, ok = 0;

	*out = NULL;
	if (kept_path(id, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && read(fd, &k, sizeof(k)) == (ssize_t)sizeof(k) && k.n <= 1u << 22 &&
	    (all = calloc(k.n + 1, sizeof(*all))))
		ok = read(fd, all, k.n * sizeof(*all)) == (ssize_t)(k.n * sizeof(*all));
	if (fd >= 0)
		close(fd);
	if (!ok) {
		free(all);
		return shim_fail("resume it first", "ps: container %s is paused and its process list was not kept", id), -1;
	}
	/* Frozen, they used no CPU since, but they are older. */
	now = now_ns();
	since = now > k.taken_ns ? now - k.taken_ns : 0;
	for (i = 0; i < k.n; i++)
		all[i].age_ns += since;
	*out = all;
	return (long)k.n;
}

static void print_table(const struct exec_proc *p, size_t n)
{
	time_t now = time(NULL);
	struct tm today, tm;
	size_t k;

	localtime_r(&now, &today);
	printf("%-8s %7s %7s %3s %-8s %-5s %8s %s\n", "UID", "PID", "PPID", "C", "TTY", "STIME", "TIME", "CMD");
	for (k = 0; k < n; k++) {
		time_t start = now - (time_t)(p[k].age_ns / 1000000000ULL);
		unsigned long long cpu_s = p[k].cpu_ns / 1000000000ULL;
		char tty[16], stime[16], tm_s[32];
		unsigned c = p[k].age_ns ? (unsigned)(p[k].cpu_ns * 100 / p[k].age_ns) : 0;

		if (p[k].tty >= 0)
			snprintf(tty, sizeof(tty), "pts/%d", p[k].tty);
		else
			strcpy(tty, "?");
		localtime_r(&start, &tm);
		strftime(stime, sizeof(stime), tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year ? "%H:%M" : "%b%d",
			 &tm);
		if (cpu_s >= 86400)
			snprintf(tm_s, sizeof(tm_s), "%llu-%02llu:%02llu:%02llu", cpu_s / 86400, cpu_s / 3600 % 24,
				 cpu_s / 60 % 60, cpu_s % 60);
		else
			snprintf(tm_s, sizeof(tm_s), "%02llu:%02llu:%02llu", cpu_s / 3600, cpu_s / 60 % 60, cpu_s % 60);
		printf("%-8u %7d %7d %3u %-8s %-5s %8s %.16s\n", p[k].uid, p[k].pid, p[k].ppid, c > 999 ? 999 : c, tty, stime,
		       tm_s, p[k].comm);
	}
}

int shim_ps(int argc, char **argv)
{
	const char *format = "table", *id;
	struct exec_proc *procs = NULL;
	struct oci_state st;
	enum oci_status status;
	long n = 0, k;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *v = oci_flag(argc, argv, &i, "--format", "-f");

		if (!v)
			return shim_fail("cvisor ps [--format table|json] ID", "ps: unknown flag '%s'", argv[i]);
		format = v;
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return shim_fail("cvisor ps [--format table|json] ID", "ps: invalid format '%s'", format);
	if (!(id = oci_id(argc, argv, i, "ps")) || oci_find(id, &st))
		return 1;
	status = oci_state_status(&st);
	oci_state_free(&st);
	/* A frozen sentry cannot answer: pause kept its list; a created or stopped container has no process to list. */
	if (status == OCI_PAUSED && (n = kept_ps(id, &procs)) < 0)
		return 1;
	if (status == OCI_RUNNING && (n = ask_ps(id, &procs)) < 0)
		return 1;
	if (!strcmp(format, "json")) {
		printf("[");
		for (k = 0; k < n; k++)
			printf("%s%d", k ? "," : "", procs[k].pid);
		printf("]\n");
	} else {
		print_table(procs, (size_t)n);
	}
	free(procs);
	return 0;
}
