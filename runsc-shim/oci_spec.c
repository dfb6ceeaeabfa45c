/*
 * config.json (and exec's process.json) into struct oci_spec, with json-c.
 * Every field cvisor reads is checked for its type; a wrong one is an error
 * that names the field, so that a person can fix the bundle.  Fields cvisor
 * does not implement are ignored (docs/oci.md lists them), as runc ignores
 * those of other platforms.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../syscalls/profile.h"
#include "oci.h"
#include "shim.h"

static json_object *field(json_object *o, const char *name)
{
	json_object *v = NULL;

	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* A string field: *out, or 1 after a message when it is there but not a string. */
static int get_string(json_object *o, const char *where, const char *name, const char **out)
{
	json_object *v = field(o, name);

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return shim_fail("see the OCI runtime spec for its type", "config.json: %s.%s must be a string", where, name);
	*out = json_object_get_string(v);
	return 0;
}

static int get_bool(json_object *o, const char *where, const char *name, int *out)
{
	json_object *v = field(o, name);

	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return shim_fail("write true or false", "config.json: %s.%s must be true or false", where, name);
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_int(json_object *o, const char *where, const char *name, int64_t *out)
{
	json_object *v = field(o, name);

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int))
		return shim_fail("write a whole number", "config.json: %s.%s must be a number", where, name);
	*out = json_object_get_int64(v);
	return 0;
}

/* A NULL-ended copy of an array of strings (the strings stay the document's). */
static int get_strings(json_object *o, const char *where, const char *name, char ***out)
{
	json_object *v = field(o, name);
	size_t n, i;

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_array))
		return shim_fail("write a list of strings, like [\"a\", \"b\"]", "config.json: %s.%s must be an array", where, name);
	n = json_object_array_length(v);
	free(*out);
	*out = calloc(n + 1, sizeof(char *));
	if (!*out)
		return shim_fail(NULL, "out of memory");
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string))
			return shim_fail("write a list of strings", "config.json: %s.%s[%zu] must be a string", where, name, i);
		(*out)[i] = (char *)json_object_get_string(e);
	}
	return 0;
}

static const char *const cap_names[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE",
};

/* A capability set: names CAP_*; one cvisor does not know is ignored (as runc warns and goes on). */
static int get_caps(json_object *caps, const char *name, uint64_t *out)
{
	char **list = NULL;
	size_t i, k;

	*out = 0;
	if (get_strings(caps, "process.capabilities", name, &list))
		return 1;
	for (i = 0; list && list[i]; i++)
		for (k = 0; k < sizeof(cap_names) / sizeof(cap_names[0]); k++)
			if (!strncmp(list[i], "CAP_", 4) && !strcmp(list[i] + 4, cap_names[k]))
				*out |= 1ULL << k;
	free(list);
	return 0;
}

static const char *const rlimit_names[] = {"CPU",    "FSIZE", "DATA",      "STACK",    "CORE",  "RSS",
					   "NPROC",  "NOFILE", "MEMLOCK",  "AS",       "LOCKS", "SIGPENDING",
					   "MSGQUEUE", "NICE", "RTPRIO",   "RTTIME"};

static int parse_process(json_object *p, struct oci_spec *s)
{
	json_object *user = field(p, "user"), *caps = field(p, "capabilities"), *rl = field(p, "rlimits");
	int64_t uid = 0, gid = 0;
	size_t i, n;

	if (!p || !json_object_is_type(p, json_type_object))
		return shim_fail("give the process to run: {\"args\": [...], \"cwd\": \"/\", ...}",
				 "config.json: no process object");
	if (get_strings(p, "process", "args", &s->args) || get_strings(p, "process", "env", &s->env) ||
	    get_string(p, "process", "cwd", &s->cwd) || get_bool(p, "process", "terminal", &s->terminal) ||
	    get_bool(p, "process", "noNewPrivileges", &s->proc.no_new_privs))
		return 1;
	if (!s->args || !s->args[0])
		return shim_fail("name the program, like \"args\": [\"sh\"]", "config.json: process.args is empty");
	if (!s->env) {
		s->env = calloc(1, sizeof(char *));
		if (!s->env)
			return shim_fail(NULL, "out of memory");
	}
	if (!s->cwd)
		s->cwd = "/";
	if (s->cwd[0] != '/')
		return shim_fail("give an absolute path inside the container", "config.json: process.cwd '%s' is not absolute",
				 s->cwd);
	if (user) {
		json_object *g = field(user, "additionalGids");

		if (get_int(user, "process.user", "uid", &uid) || get_int(user, "process.user", "gid", &gid))
			return 1;
		if (uid < 0 || uid > UINT32_MAX - 1 || gid < 0 || gid > UINT32_MAX - 1)
			return shim_fail("give ids from 0 to 4294967294", "config.json: process.user has a bad uid or gid");
		s->proc.set_ids = 1;
		s->proc.uid = (uint32_t)uid;
		s->proc.gid = (uint32_t)gid;
		if (g && json_object_is_type(g, json_type_array)) {
			n = json_object_array_length(g);
			if (n > sizeof(s->groups) / sizeof(s->groups[0]))
				return shim_fail("give at most 64", "config.json: too many process.user.additionalGids");
			for (i = 0; i < n; i++)
				s->groups[i] = (uint32_t)json_object_get_int64(json_object_array_get_idx(g, i));
			s->proc.groups = s->groups;
			s->proc.ngroups = n;
		}
	}
	if (caps) {
		s->proc.set_caps = 1;
		if (get_caps(caps, "bounding", &s->proc.cap_bnd) || get_caps(caps, "effective", &s->proc.cap_eff) ||
		    get_caps(caps, "permitted", &s->proc.cap_prm) || get_caps(caps, "inheritable", &s->proc.cap_inh) ||
		    get_caps(caps, "ambient", &s->proc.cap_amb))
			return 1;
	}
	if (rl) {
		if (!json_object_is_type(rl, json_type_array))
			return shim_fail("write a list of {\"type\", \"hard\", \"soft\"}", "config.json: process.rlimits must be an array");
		s->proc.nrlimits = 0;
		n = json_object_array_length(rl);
		for (i = 0; i < n && s->proc.nrlimits < 16; i++) {
			json_object *e = json_object_array_get_idx(rl, i);
			const char *type = NULL;
			int64_t hard = 0, soft = 0;
			size_t k;

			if (get_string(e, "process.rlimits[]", "type", &type) || get_int(e, "process.rlimits[]", "hard", &hard) ||
			    get_int(e, "process.rlimits[]", "soft", &soft))
				return 1;
			for (k = 0; type && k < 16; k++)
				if (!strncmp(type, "RLIMIT_", 7) && !strcmp(type + 7, rlimit_names[k]))
					break;
			if (!type || k == 16)
				return shim_fail("use a name like RLIMIT_NOFILE", "config.json: unknown rlimit '%s'", type ? type : "");
			s->proc.rlimits[s->proc.nrlimits].resource = (int)k;
			s->proc.rlimits[s->proc.nrlimits].cur = (uint64_t)soft;
			s->proc.rlimits[s->proc.nrlimits].max = (uint64_t)hard;
			s->proc.nrlimits++;
		}
	}
	return 0;
}

static struct sentry_mount *add_mount(struct oci_spec *s, int kind, const char *dest)
{
	struct sentry_mount *m = realloc(s->mounts, (s->nmounts + 1) * sizeof(*m));

	if (!m)
		return NULL;
	s->mounts = m;
	m += s->nmounts++;
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->dest = dest;
	m->sock = -1;
	return m;
}

/* tmpfs's size= (bytes, or with k, m, g) and mode= (octal). */
static void tmpfs_options(char **opts, struct sentry_mount *m)
{
	size_t i;

	for (i = 0; opts && opts[i]; i++) {
		if (!strncmp(opts[i], "size=", 5)) {
			char *end;
			unsigned long long v = strtoull(opts[i] + 5, &end, 10);

			switch (*end) {
			case 'k': case 'K': v <<= 10; break;
			case 'm': case 'M': v <<= 20; break;
			case 'g': case 'G': v <<= 30; break;
			}
			m->size = v;
		} else if (!strncmp(opts[i], "mode=", 5)) {
			m->mode = (uint32_t)strtoul(opts[i] + 5, NULL, 8) & 07777;
		}
	}
}

static int has_option(char **opts, const char *name)
{
	size_t i;

	for (i = 0; opts && opts[i]; i++)
		if (!strcmp(opts[i], name))
			return 1;
	return 0;
}

/*
 * A bind mount of a host path: a directory is served by a gofer of its own;
 * a file by a gofer of its directory, which the sentry asks for that one
 * name (it cannot name a sibling: sentry/container.c looks up only m->file).
 */
static int add_bind(struct oci_spec *s, const char *bundle, const char *source, const char *dest, char **opts)
{
	char path[PATH_MAX], joined[PATH_MAX];
	struct sentry_mount *m;
	struct stat st;

	if (source[0] != '/') {
		snprintf(joined, sizeof(joined), "%s/%s", bundle, source);
		source = joined;
	}
	if (!realpath(source, path) || stat(path, &st) < 0)
		return shim_fail("create it, or remove the mount from config.json", "config.json: bind mount source %s: %s",
				 source, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "cvisor: %s: only directories and regular files can be bound into a sandbox; skipped\n",
			source);
		return 0;
	}
	m = add_mount(s, SENTRY_MNT_GOFER, dest);
	if (!m)
		return shim_fail(NULL, "out of memory");
	m->rdonly = has_option(opts, "ro");
	if (S_ISDIR(st.st_mode)) {
		m->source = strdup(path);
	} else {
		char *dir = strdup(path), *base = strdup(path);

		m->source = dir ? strdup(dirname(dir)) : NULL;
		m->file = base ? strdup(basename(base)) : NULL;
		free(dir);
		free(base);
	}
	if (!m->source || (!S_ISDIR(st.st_mode) && !m->file))
		return shim_fail(NULL, "out of memory");
	return 0;
}

/*
 * The sandbox has its own /dev, /proc, /sys (and no host cgroup tree):
 * the mounts a spec makes for those are already there.
 */
static int provided(const char *type, const char *dest)
{
	static const char *const types[] = {"sysfs", "devpts", "mqueue", "cgroup", "cgroup2"};
	size_t i;

	if (!strcmp(dest, "/dev") || !strcmp(dest, "/proc") || !strcmp(dest, "/sys"))
		return 1;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i]))
			return 1;
	return 0;
}

static int parse_mounts(json_object *mounts, const char *bundle, struct oci_spec *s)
{
	size_t i, n;

	if (!mounts)
		return 0;
	if (!json_object_is_type(mounts, json_type_array))
		return shim_fail("write a list of mounts", "config.json: mounts must be an array");
	n = json_object_array_length(mounts);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(mounts, i);
		const char *dest = NULL, *type = "", *source = NULL;
		char **opts = NULL;
		struct sentry_mount *m;
		int r = 0;

		if (get_string(e, "mounts[]", "destination", &dest) || get_string(e, "mounts[]", "type", &type) ||
		    get_string(e, "mounts[]", "source", &source) || get_strings(e, "mounts[]", "options", &opts)) {
			free(opts);
			return 1;
		}
		if (!dest || dest[0] != '/') {
			free(opts);
			return shim_fail("give an absolute path inside the container", "config.json: mounts[%zu].destination '%s' is not absolute",
					 i, dest ? dest : "");
		}
		if (!strcmp(type, "bind") || has_option(opts, "bind") || has_option(opts, "rbind")) {
			r = source ? add_bind(s, bundle, source, dest, opts)
				   : shim_fail("name the host path to bind", "config.json: mounts[%zu] (%s) has no source", i, dest);
		} else if (provided(type, dest)) {
			/* nothing to do */
		} else if (!strcmp(type, "tmpfs")) {
			m = add_mount(s, SENTRY_MNT_TMPFS, dest);
			if (!m)
				r = shim_fail(NULL, "out of memory");
			else {
				tmpfs_options(opts, m);
				m->rdonly = has_option(opts, "ro");
			}
		} else if (!strcmp(type, "proc")) {
			m = add_mount(s, SENTRY_MNT_PROC, dest);
			r = m ? 0 : shim_fail(NULL, "out of memory");
		} else {
			r = shim_fail("cvisor mounts tmpfs, proc and bind mounts of host directories and files",
				      "config.json: mounts[%zu]: type '%s' at %s is not supported", i, type, dest);
		}
		free(opts);
		if (r)
			return r;
	}
	return 0;
}

static int parse_paths(json_object *linux_, const char *name, int kind, struct oci_spec *s)
{
	char **list = NULL;
	size_t i;
	int r = get_strings(linux_, "linux", name, &list);

	for (i = 0; !r && list && list[i]; i++)
		if (!add_mount(s, kind, list[i]))
			r = shim_fail(NULL, "out of memory");
	free(list);
	return r;
}

static int parse_linux(json_object *l, struct oci_spec *s)
{
	json_object *res = field(l, "resources"), *ns = field(l, "namespaces");
	size_t i;

	if (!l)
		return 0;
	if (get_string(l, "linux", "cgroupsPath", &s->cgroups_path) ||
	    get_int(field(res, "memory"), "linux.resources.memory", "limit", &s->memory_limit) ||
	    get_int(field(res, "pids"), "linux.resources.pids", "limit", &s->pids_limit) ||
	    get_int(field(res, "cpu"), "linux.resources.cpu", "quota", &s->cpu_quota) ||
	    get_int(field(res, "cpu"), "linux.resources.cpu", "period", &s->cpu_period))
		return 1;
	if (ns && json_object_is_type(ns, json_type_array))
		for (i = 0; i < json_object_array_length(ns); i++) {
			json_object *n = json_object_array_get_idx(ns, i);
			const char *type = NULL, *path = NULL;

			if (get_string(n, "linux.namespaces[]", "type", &type) ||
			    get_string(n, "linux.namespaces[]", "path", &path))
				return 1;
			if (type && !strcmp(type, "network")) {
				s->netns = 1;
				s->netns_path = path && *path ? path : NULL;
			}
		}
	if (oci_seccomp_load(field(l, "seccomp"), &s->seccomp))
		return 1;
	s->devices = field(l, "devices");
	/* After the spec's mounts: they may cover what is mounted there. */
	return parse_paths(l, "maskedPaths", SENTRY_MNT_MASK, s) || parse_paths(l, "readonlyPaths", SENTRY_MNT_RDONLY, s);
}

void oci_devices_note(const struct oci_spec *s)
{
	static const struct {
		const char *path;
		int major, minor;
	} own[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},    {"/dev/full", 1, 7}, {"/dev/random", 1, 8},
		   {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},     {"/dev/ptmx", 5, 2}, {"/dev/console", 5, 1}};
	size_t i, k, n = s->devices && json_object_is_type(s->devices, json_type_array) ? json_object_array_length(s->devices) : 0;

	for (i = 0; i < n; i++) {
		json_object *d = json_object_array_get_idx(s->devices, i);
		const char *path = json_object_get_string(field(d, "path")), *type = json_object_get_string(field(d, "type"));
		int64_t major = json_object_get_int64(field(d, "major")), minor = json_object_get_int64(field(d, "minor"));

		for (k = 0; k < sizeof(own) / sizeof(own[0]); k++)
			if (path && !strcmp(path, own[k].path) && type && !strcmp(type, "c") && major == own[k].major &&
			    minor == own[k].minor)
				break;
		if (k == sizeof(own) / sizeof(own[0]))
			fprintf(stderr, "cvisor: linux.devices: %s (%s %lld:%lld) is left out: the sandbox has only its own devices "
				"(null, zero, full, random, urandom, tty)\n", path ? path : "?", type ? type : "?", (long long)major,
				(long long)minor);
	}
}

static json_object *read_json(const char *path)
{
	json_object *o = json_object_from_file(path);

	if (!o) {
		struct stat st;

		if (stat(path, &st) < 0)
			shim_fail("give the bundle directory that holds config.json (--bundle), or make one with `cvisor spec`",
				  "cannot read %s: %s", path, strerror(errno));
		else
			shim_fail("check it with `python3 -m json.tool FILE`", "%s is not valid JSON: %s", path,
				  json_util_get_last_err());
	}
	return o;
}

int oci_spec_load(const char *bundle, struct oci_spec *s)
{
	char path[PATH_MAX], root[PATH_MAX];
	const char *rootpath = NULL;
	json_object *r;
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->memory_limit = s->pids_limit = -1;
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	s->json = read_json(path);
	if (!s->json)
		return 1;
	if (!json_object_is_type(s->json, json_type_object))
		return shim_fail("see `cvisor spec` for an example", "%s: not a JSON object", path);
	r = field(s->json, "root");
	if (get_string(r, "root", "path", &rootpath) || get_bool(r, "root", "readonly", &s->root_readonly))
		return 1;
	if (!rootpath)
		return shim_fail("give the container's root file system: \"root\": {\"path\": \"rootfs\"}",
				 "config.json: no root.path");
	snprintf(path, sizeof(path), "%s%s%s", rootpath[0] == '/' ? "" : bundle, rootpath[0] == '/' ? "" : "/", rootpath);
	if (!realpath(path, root) || stat(root, &st) < 0 || !S_ISDIR(st.st_mode))
		return shim_fail("make the root file system directory the spec names", "config.json: root.path %s: %s", path,
				 errno ? strerror(errno) : "not a directory");
	s->root = strdup(root);
	if (!s->root)
		return shim_fail(NULL, "out of memory");
	if (get_string(s->json, "", "hostname", &s->hostname) || parse_process(field(s->json, "process"), s) ||
	    parse_mounts(field(s->json, "mounts"), bundle, s) || parse_linux(field(s->json, "linux"), s))
		return 1;
	s->proc.groups = s->groups;
	return 0;
}

int oci_process_load(const char *file, struct oci_spec *s)
{
	json_object *o = read_json(file);

	if (!o)
		return 1;
	if (s->json)
		json_object_put(s->json);
	s->json = o;
	free(s->args);
	free(s->env);
	s->args = s->env = NULL;
	memset(&s->proc, 0, sizeof(s->proc));
	s->cwd = NULL;
	if (parse_process(o, s))
		return 1;
	s->proc.groups = s->groups;
	return 0;
}

void oci_spec_free(struct oci_spec *s)
{
	size_t i;

	for (i = 0; i < s->nmounts; i++) {
		free((char *)s->mounts[i].source);
		free((char *)s->mounts[i].file);
	}
	free(s->mounts);
	free(s->args);
	free(s->env);
	free(s->root);
	if (s->seccomp)
		free(s->seccomp->rules);
	free(s->seccomp);
	if (s->json)
		json_object_put(s->json);
	memset(s, 0, sizeof(*s));
}

int oci_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	int sig;

	if (end != s && !*end)
		return n > 0 && n < 65 ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (sig = 1; sig < 32; sig++) {
		const char *name = sigabbrev_np(sig);

		if (name && !strcasecmp(s, name))
			return sig;
	}
	return -1;
}

/* cvisor's own default spec (`cvisor spec`): a shell in ./rootfs, read-only, few capabilities. */
static const char default_spec[] =
	"{\n"
	"  \"ociVersion\": \"1.0.2\",\n"
	"  \"process\": {\n"
	"    \"terminal\": true,\n"
	"    \"user\": {\"uid\": 0, \"gid\": 0},\n"
	"    \"args\": [\"sh\"],\n"
	"    \"env\": [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\"],\n"
	"    \"cwd\": \"/\",\n"
	"    \"capabilities\": {\n"
	"      \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"      \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"      \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"      \"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
	"    },\n"
	"    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
	"    \"noNewPrivileges\": true\n"
	"  },\n"
	"  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
	"  \"hostname\": \"cvisor\",\n"
	"  \"mounts\": [\n"
	"    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	"    {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"]},\n"
	"    {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
	"    {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]}\n"
	"  ],\n"
	"  \"linux\": {\n"
	"    \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
	"    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}],\n"
	"    \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\",\n"
	"                      \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
	"    \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", \"/proc/sysrq-trigger\"]\n"
	"  }\n"
	"}\n";

char *oci_spec_default(void)
{
	return strdup(default_spec);
}
