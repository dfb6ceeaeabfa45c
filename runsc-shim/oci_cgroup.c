/*
 * A container's host cgroups (oci.h).  They bound the sandbox as the host
 * sees it (the gofers, the sentry, its stubs): memory, pids and cpu from
 * linux.resources, and the freezer that `pause` uses.  The sentry enforces
 * the same memory and task limits inside (oci_launch sets its budgets
 * below them), so the application meets Linux's answers there first and
 * the host's limit is the backstop.  Only directories cvisor made are
 * written or removed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

#define CG_ROOT "/sys/fs/cgroup"

static int cgroup2_host(void)
{
	return access(CG_ROOT "/cgroup.controllers", F_OK) == 0;
}

static int write_file(const char *dir, const char *name, const char *value)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return shim_write_file_at(AT_FDCWD, path, value);
}

static int read_file(const char *dir, const char *name, char *buf, size_t size)
{
	char path[600];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return (int)n;
}

/* cvisor's own cgroup in the hierarchy of controller ("" for v2's), from /proc/self/cgroup. */
static void own_cgroup(const char *controller, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];

	snprintf(out, size, "/");
	while (f && fgets(line, sizeof(line), f)) {
		char *ctrls = strchr(line, ':'), *path;

		if (!ctrls || !(path = strchr(++ctrls, ':')))
			continue;
		*path++ = 0;
		path[strcspn(path, "\n")] = 0;
		if (!*controller ? !*ctrls : (strstr(ctrls, controller) != NULL)) {
			snprintf(out, size, "%s", path);
			break;
		}
	}
	if (f)
		fclose(f);
}

/*
 * mkdir -p of dir below base; with v2, each directory made turns on the
 * controllers for the next (a v2 cgroup hands a controller down only if its
 * parent does).  Directories that were there are left as they are.
 */
static int make_dirs(const char *base, const char *dir, int v2)
{
	char path[512];
	size_t i, len = strlen(dir);

	for (i = strlen(base) + 1; i <= len; i++) {
		if (dir[i] != '/' && dir[i] != 0)
			continue;
		snprintf(path, sizeof(path), "%.*s", (int)i, dir);
		if (mkdir(path, 0755) < 0) {
			if (errno != EEXIST)
				return -errno;
			continue;
		}
		if (v2 && i < len)
			write_file(path, "cgroup.subtree_control", "+memory +pids +cpu");
	}
	return 0;
}

/* The place a cgroupsPath names ("slice:prefix:name" is systemd's form: prefix-name.scope below cvisor's). */
static void relative_place(const struct oci_spec *s, const char *id, char *out, size_t size, int *absolute)
{
	const char *p = s->cgroups_path;
	const char *colon = p ? strchr(p, ':') : NULL;

	*absolute = 0;
	if (!p || !*p)
		snprintf(out, size, "cvisor-%s", id);
	else if (colon && strchr(colon + 1, ':'))
		snprintf(out, size, "%.*s-%s.scope", (int)(strchr(colon + 1, ':') - colon - 1), colon + 1,
			 strchr(colon + 1, ':') + 1);
	else {
		*absolute = p[0] == '/';
		snprintf(out, size, "%s", p + *absolute);
	}
}

int oci_cgroup_make(const struct oci_spec *s, const char *id, struct oci_cgroups *cg)
{
	static const char *const v1[] = {"memory", "pids", "freezer", "cpu"};
	char place[160], own[160], num[48];
	int v2 = cgroup2_host(), absolute, i, r;

	memset(cg, 0, sizeof(*cg));
	relative_place(s, id, place, sizeof(place), &absolute);
	if (strstr(place, ".."))
		return -EINVAL;
	for (i = 0; i < (v2 ? 1 : 4); i++) {
		char base[64], *dir = cg->dir[cg->n];

		snprintf(base, sizeof(base), v2 ? CG_ROOT : CG_ROOT "/%s", v1[i]);
		if (access(base, F_OK) < 0)
			continue;
		own_cgroup(v2 ? "" : v1[i], own, sizeof(own));
		snprintf(dir, sizeof(cg->dir[0]), "%s%s/%s", base, absolute || !strcmp(own, "/") ? "" : own, place);
		if ((r = make_dirs(base, dir, v2)) < 0)
			return r;
		cg->n++;
		if (s->memory_limit > 0) {
			snprintf(num, sizeof(num), "%lld", (long long)s->memory_limit);
			write_file(dir, v2 ? "memory.max" : "memory.limit_in_bytes", num);
		}
		if (s->pids_limit > 0) {
			snprintf(num, sizeof(num), "%lld", (long long)s->pids_limit);
			write_file(dir, "pids.max", num);
		}
		if (s->cpu_quota > 0) {
			long long period = s->cpu_period > 0 ? s->cpu_period : 100000;

			if (v2) {
				snprintf(num, sizeof(num), "%lld %lld", (long long)s->cpu_quota, period);
				write_file(dir, "cpu.max", num);
			} else {
				snprintf(num, sizeof(num), "%lld", period);
				write_file(dir, "cpu.cfs_period_us", num);
				snprintf(num, sizeof(num), "%lld", (long long)s->cpu_quota);
				write_file(dir, "cpu.cfs_quota_us", num);
			}
		}
	}
	return 0;
}

/*
 * Moving a process into a cgroup through cgroup.procs takes the kernel's
 * global threadgroup lock, and a first take of that lock waits for an RCU
 * grace period (12-22 ms on a 2-CPU VM, more than the rest of a start).
 * The caller is a single-threaded process (launch's fresh child), which
 * then starts the gofer and the sentry.
 * - v2: it stays where it is, and they are born in the cgroup (shim_clone,
 *   CLONE_INTO_CGROUP), the stubs with the sentry; it only waits for them.
 * - v1 has no such birth: it moves itself through "tasks" with "0", the
 *   calling thread, its only one.  That is the same move, but recent kernels
 *   (6.18 here) take the lock only to move a pid or a whole group; an older
 *   one takes it either way.
 */
int oci_cgroup_join(const struct oci_cgroups *cg)
{
	int i, r;

	if (cgroup2_host()) {
		if (cg->n && (shim_cgroup_fd = open(cg->dir[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return -errno;
		return 0;
	}
	for (i = 0; i < cg->n; i++)
		if ((r = write_file(cg->dir[i], "tasks", "0")) < 0)
			return r;
	return 0;
}

/* Whether the freeze asked for is done: v1's FROZEN (not FREEZING), v2's "frozen 1". */
static int freeze_done(const char *dir, int v1)
{
	char buf[256];

	if (v1)
		return read_file(dir, "freezer.state", buf, sizeof(buf)) > 0 && !strncmp(buf, "FROZEN", 6);
	return read_file(dir, "cgroup.events", buf, sizeof(buf)) > 0 && strstr(buf, "frozen 1");
}

int oci_cgroup_freeze(const struct oci_cgroups *cg, int frozen)
{
	int i, r, v1, tries;

	for (i = 0; i < cg->n; i++) {
		v1 = strstr(cg->dir[i], CG_ROOT "/freezer/") == cg->dir[i];
		if (!v1 && !cgroup2_host())
			continue;
		r = v1 ? write_file(cg->dir[i], "freezer.state", frozen ? "FROZEN" : "THAWED")
		       : write_file(cg->dir[i], "cgroup.freeze", frozen ? "1" : "0");
		/* A freeze takes a moment on a busy host: pause returns once every process is stopped, as runc's. */
		for (tries = 0; r == 0 && frozen && !freeze_done(cg->dir[i], v1) && tries < 500; tries++) {
			if (v1 && tries % 50 == 49)
				write_file(cg->dir[i], "freezer.state", "FROZEN"); /* v1 retries a freeze that stalled */
			nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
		}
		return r;
	}
	return -ENOTSUP;
}

/* Frozen, or freezing: a freeze was asked for and not undone (resume undoes it). */
int oci_cgroup_frozen(const struct oci_cgroups *cg)
{
	char buf[256];
	int i;

	for (i = 0; i < cg->n; i++) {
		if (strstr(cg->dir[i], CG_ROOT "/freezer/") == cg->dir[i])
			return read_file(cg->dir[i], "freezer.state", buf, sizeof(buf)) > 0 && strncmp(buf, "THAWED", 6);
		if (cgroup2_host())
			return read_file(cg->dir[i], "cgroup.freeze", buf, sizeof(buf)) > 0 && buf[0] == '1';
	}
	return 0;
}

pid_t *oci_cgroup_pids(const struct oci_cgroups *cg, size_t *n)
{
	char path[600], line[32];
	pid_t *pids = NULL;
	FILE *f;

	*n = 0;
	if (!cg->n)
		return NULL;
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir[0]);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		pid_t *more = realloc(pids, (*n + 1) * sizeof(*pids));

		if (!more)
			break;
		pids = more;
		pids[(*n)++] = (pid_t)atoi(line);
	}
	if (f)
		fclose(f);
	return pids;
}

int oci_cgroup_remove(const struct oci_cgroups *cg)
{
	int i, tries, r = 0;

	for (i = 0; i < cg->n; i++) {
		/* The sandbox's processes were killed; the last of them may take a moment to go. */
		for (tries = 0; rmdir(cg->dir[i]) < 0 && errno == EBUSY && tries < 2000; tries++)
			nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
		if (access(cg->dir[i], F_OK) == 0 && !r)
			r = -errno;
	}
	return r;
}
