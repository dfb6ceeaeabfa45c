/*
 * config.json's linux.seccomp into the sentry's form (syscalls/profile.h).
 * The sentry applies it in its own system call table, to every process of
 * the sandbox, exec'd ones too: runc's libseccomp filter, without a host
 * filter.  As runc does, a name this kernel does not know is skipped, and
 * a rule whose conditions name one argument more than once becomes one
 * rule per condition (libseccomp cannot AND two conditions on one
 * argument, so runc ORs them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../syscalls/profile.h"
#include "../syscalls/strace.h"
#include "../syscalls/syscalls.h"
#include "oci.h"
#include "shim.h"

static json_object *field(json_object *o, const char *name)
{
	json_object *v = NULL;

	return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static int bad(const char *what)
{
	return shim_fail("see the OCI runtime spec's linux.seccomp", "config.json: linux.seccomp: %s", what);
}

/* An action's name (SCMP_ACT_*): PROFILE_*, or -1. */
static int action_of(const char *s)
{
	static const struct {
		const char *name;
		int action;
	} acts[] = {
		{"SCMP_ACT_ALLOW", PROFILE_ALLOW},          {"SCMP_ACT_LOG", PROFILE_LOG},
		{"SCMP_ACT_ERRNO", PROFILE_ERRNO},          {"SCMP_ACT_TRAP", PROFILE_TRAP},
		{"SCMP_ACT_KILL", PROFILE_KILL_THREAD},     {"SCMP_ACT_KILL_THREAD", PROFILE_KILL_THREAD},
		{"SCMP_ACT_KILL_PROCESS", PROFILE_KILL_PROCESS},
		/* No tracer is there: Linux fails the call with ENOSYS then. */
		{"SCMP_ACT_TRACE", PROFILE_ERRNO},
	};
	size_t i;

	for (i = 0; s && i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(s, acts[i].name))
			return acts[i].action;
	return -1;
}

static int op_of(const char *s)
{
	static const char *const ops[] = {NULL, "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
					  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
	int i;

	for (i = 1; s && i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		if (!strcmp(s, ops[i]))
			return i;
	return -1;
}

static int nr_of(const char *name)
{
	int nr;

	for (nr = 0; nr < SYSCALL_MAX; nr++) {
		const char *n = strace_name(nr);

		if (n && !strcmp(n, name))
			return nr;
	}
	return -1;
}

static uint64_t u64(json_object *v)
{
	return v && json_object_is_type(v, json_type_int) ? json_object_get_uint64(v) : 0;
}

/* A number field that must fit an int (errnoRet): 0, or 1 after a message. */
static int get_errno(json_object *o, const char *name, int *out)
{
	json_object *v = field(o, name);

	if (!v || json_object_is_type(v, json_type_null))
		return 0;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 || json_object_get_int64(v) > 4095)
		return bad("an errnoRet must be a number from 0 to 4095");
	*out = (int)json_object_get_int64(v);
	return 0;
}

static int add(struct syscall_profile *p, size_t *cap, const struct profile_rule *r)
{
	if (p->nrules == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		struct profile_rule *x = realloc(p->rules, n * sizeof(*x));

		if (!x)
			return shim_fail(NULL, "out of memory");
		p->rules = x;
		*cap = n;
	}
	p->rules[p->nrules++] = *r;
	return 0;
}

int oci_seccomp_load(json_object *sc, struct syscall_profile **out)
{
	struct syscall_profile *p;
	json_object *calls = field(sc, "syscalls"), *arches = field(sc, "architectures");
	const char *def;
	size_t cap = 0, i, j, k;

	*out = NULL;
	if (!sc || json_object_is_type(sc, json_type_null))
		return 0;
	if (!json_object_is_type(sc, json_type_object))
		return bad("must be an object");
	if (field(sc, "listenerPath"))
		return bad("listenerPath (SCMP_ACT_NOTIFY) is not supported: the sandbox's kernel answers its calls itself");
	/* x86-64 is the only architecture a sandbox has (no x32, no 32-bit calls): the list may name others. */
	if (arches && !json_object_is_type(arches, json_type_array))
		return bad("architectures must be an array");
	def = json_object_get_string(field(sc, "defaultAction"));
	p = calloc(1, sizeof(*p));
	if (!p)
		return shim_fail(NULL, "out of memory");
	p->default_err = EPERM;
	if ((p->default_action = action_of(def)) < 0) {
		free(p);
		return bad("defaultAction must be one of SCMP_ACT_ALLOW, ERRNO, KILL, KILL_THREAD, KILL_PROCESS, TRAP, LOG, TRACE");
	}
	if (def && !strcmp(def, "SCMP_ACT_TRACE"))
		p->default_err = ENOSYS;
	if (get_errno(sc, "defaultErrnoRet", &p->default_err))
		goto fail;
	if (calls && !json_object_is_type(calls, json_type_array)) {
		bad("syscalls must be an array");
		goto fail;
	}
	for (i = 0; calls && i < json_object_array_length(calls); i++) {
		json_object *c = json_object_array_get_idx(calls, i), *names = field(c, "names"), *args = field(c, "args");
		const char *act = json_object_get_string(field(c, "action"));
		struct profile_rule r = {0};
		size_t nargs = args && json_object_is_type(args, json_type_array) ? json_object_array_length(args) : 0;
		int split = 0;

		if (!names || !json_object_is_type(names, json_type_array)) {
			bad("each entry of syscalls needs names, an array");
			goto fail;
		}
		if ((r.action = action_of(act)) < 0) {
			shim_fail("see the OCI runtime spec's linux.seccomp", "config.json: linux.seccomp: unknown action '%s'",
				  act ? act : "");
			goto fail;
		}
		r.err = act && !strcmp(act, "SCMP_ACT_TRACE") ? ENOSYS : EPERM;
		if (get_errno(c, "errnoRet", &r.err))
			goto fail;
		if (nargs > PROFILE_CONDS_MAX) {
			bad("at most 6 args per entry of syscalls");
			goto fail;
		}
		for (k = 0; k < nargs; k++) {
			json_object *a = json_object_array_get_idx(args, k);
			json_object *idx = field(a, "index");
			struct profile_cond *cd = &r.conds[k];
			int op = op_of(json_object_get_string(field(a, "op")));

			if (!idx || !json_object_is_type(idx, json_type_int) || json_object_get_int64(idx) < 0 ||
			    json_object_get_int64(idx) > 5 || op < 0) {
				bad("each of args needs an index (0-5) and an op (SCMP_CMP_*)");
				goto fail;
			}
			cd->index = (uint8_t)json_object_get_int64(idx);
			cd->op = (uint8_t)op;
			cd->value = u64(field(a, "value"));
			cd->value2 = u64(field(a, "valueTwo"));
			for (j = 0; j < k; j++)
				if (r.conds[j].index == cd->index)
					split = 1;
		}
		r.nconds = (int)nargs;
		for (j = 0; j < json_object_array_length(names); j++) {
			const char *name = json_object_get_string(json_object_array_get_idx(names, j));

			if (!name || (r.nr = nr_of(name)) < 0)
				continue; /* a call this kernel does not have: nothing to filter */
			if (!split) {
				if (add(p, &cap, &r))
					goto fail;
				continue;
			}
			for (k = 0; k < nargs; k++) {
				struct profile_rule one = r;

				one.nconds = 1;
				one.conds[0] = r.conds[k];
				if (add(p, &cap, &one))
					goto fail;
			}
		}
	}
	*out = p;
	return 0;
fail:
	free(p->rules);
	free(p);
	return 1;
}
