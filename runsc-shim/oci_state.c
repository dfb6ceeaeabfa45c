/*
 * A container's record: ROOT/ID/state.json, written by create (and run)
 * and read by every other verb, and ROOT/ID/lock, flock'ed by a verb
 * while it acts on the container, so that two verbs on one container
 * happen one after the other.  The status is never stored: it is read
 * from the monitor process (alive, and the same process: its start time),
 * the start fifo (created) and the freezer (paused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"
#include "shim.h"

const char *const oci_status_name[] = {"creating", "created", "running", "paused", "stopped"};

/* runc's rule for an ID: letters, digits and _ + - . ; not "." or "..". */
int oci_dir(const char *id, char *buf, size_t size)
{
	const char *c;

	for (c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("_+-.", *c)))
			break;
	if (!*id || *c || !strcmp(id, ".") || !strcmp(id, "..") || strlen(id) > 255)
		return shim_fail("use letters, digits and _ + - . only", "invalid container ID '%s'", id), -1;
	snprintf(buf, size, "%s/%s", oci_g.root, id);
	return 0;
}

int oci_lock(const char *id)
{
	char path[4400];
	int fd;

	if (oci_dir(id, path, sizeof(path) - 8) < 0) {
		errno = EINVAL;
		return -1;
	}
	strcat(path, "/lock");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int oci_fifo_path(const char *id, char *buf, size_t size)
{
	if (oci_dir(id, buf, size - 12) < 0)
		return -1;
	strcat(buf, "/start.fifo");
	return 0;
}

static const char *str(json_object *o, const char *name)
{
	json_object *v;

	return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
												    : "";
}

int oci_state_load(const char *id, struct oci_state *st)
{
	char path[4400];
	json_object *o, *v;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (oci_dir(id, path, sizeof(path) - 12) < 0)
		return -EINVAL;
	strcat(path, "/state.json");
	if (access(path, F_OK) < 0)
		return -errno;
	o = json_object_from_file(path);
	if (!o)
		return -EIO;
	snprintf(st->id, sizeof(st->id), "%s", id);
	snprintf(st->bundle, sizeof(st->bundle), "%s", str(o, "bundle"));
	snprintf(st->created, sizeof(st->created), "%s", str(o, "created"));
	if (json_object_object_get_ex(o, "pid", &v))
		st->pid = (pid_t)json_object_get_int(v);
	if (json_object_object_get_ex(o, "start_time", &v))
		st->start_time = (unsigned long long)json_object_get_int64(v);
	if (json_object_object_get_ex(o, "cgroups", &v) && json_object_is_type(v, json_type_array))
		for (i = 0; i < json_object_array_length(v) && i < OCI_CGROUPS_MAX; i++)
			snprintf(st->cg.dir[st->cg.n++], sizeof(st->cg.dir[0]), "%s",
				 json_object_get_string(json_object_array_get_idx(v, i)));
	if (json_object_object_get_ex(o, "annotations", &v))
		st->annotations = json_object_get(v);
	json_object_put(o);
	return 0;
}

int oci_state_save(const struct oci_state *st)
{
	char path[4400], tmp[4420];
	json_object *o = json_object_new_object(), *cg = json_object_new_array();
	int i, r = 0;

	if (oci_dir(st->id, path, sizeof(path) - 12) < 0)
		return -EINVAL;
	strcat(path, "/state.json");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "pid", json_object_new_int(st->pid));
	json_object_object_add(o, "start_time", json_object_new_int64((int64_t)st->start_time));
	for (i = 0; i < st->cg.n; i++)
		json_object_array_add(cg, json_object_new_string(st->cg.dir[i]));
	json_object_object_add(o, "cgroups", cg);
	if (st->annotations)
		json_object_object_add(o, "annotations", json_object_get(st->annotations));
	/* Written whole, then renamed: a reader never sees half of it. */
	if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PLAIN) < 0 || rename(tmp, path) < 0)
		r = -EIO;
	json_object_put(o);
	return r;
}

void oci_state_free(struct oci_state *st)
{
	if (st->annotations)
		json_object_put(st->annotations);
	st->annotations = NULL;
}

/* Field 3 (state) and 22 (start time) of /proc/PID/stat; 0, or -1 when there is no such process. */
static int proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	FILE *f;
	int k;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return -1;
	p += 2;
	*state = *p;
	for (k = 3; k < 22 && p; k++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	*start = p ? strtoull(p, NULL, 10) : 0;
	return 0;
}

/* The monitor's start time (for state.json), 0 if it is gone. */
unsigned long long oci_proc_start_time(pid_t pid)
{
	unsigned long long start = 0;
	char state;

	return proc_stat(pid, &state, &start) < 0 ? 0 : start;
}

enum oci_status oci_state_status(const struct oci_state *st)
{
	unsigned long long start;
	char state, fifo[4400];

	if (st->pid <= 0)
		return OCI_CREATING;
	if (proc_stat(st->pid, &state, &start) < 0 || state == 'Z' || state == 'X' || start != st->start_time)
		return OCI_STOPPED;
	if (oci_fifo_path(st->id, fifo, sizeof(fifo)) == 0 && access(fifo, F_OK) == 0)
		return OCI_CREATED;
	if (oci_cgroup_frozen(&st->cg))
		return OCI_PAUSED;
	return OCI_RUNNING;
}

char *oci_state_json(const struct oci_state *st)
{
	json_object *o = json_object_new_object();
	enum oci_status s = oci_state_status(st);
	char rootfs[4200], *out;

	json_object_object_add(o, "ociVersion", json_object_new_string("1.1.0"));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "pid", json_object_new_int(s == OCI_STOPPED ? 0 : st->pid));
	json_object_object_add(o, "status", json_object_new_string(oci_status_name[s]));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", st->bundle);
	json_object_object_add(o, "rootfs", json_object_new_string(rootfs));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "owner", json_object_new_string(""));
	if (st->annotations)
		json_object_object_add(o, "annotations", json_object_get(st->annotations));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

int oci_find(const char *id, struct oci_state *st)
{
	int r = oci_state_load(id, st);

	if (r == -EINVAL)
		return 1;
	if (r == -ENOENT)
		return shim_fail("`cvisor list` shows the containers there are", "container \"%s\" does not exist", id);
	if (r < 0)
		return shim_fail("delete it with --force", "cannot read the state of container \"%s\": %s", id, strerror(-r));
	return 0;
}
