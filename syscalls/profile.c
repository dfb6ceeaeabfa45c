/*
 * The OCI seccomp profile in the system call table (profile.h).  The rules
 * are kept by number, with where each number's rules start, so a call
 * costs one look at its own rules; a number with none gets the default
 * action.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "syscalls.h"

int syscall_profile_on;
static struct syscall_profile prof;
static uint32_t first[SYSCALL_MAX + 1]; /* rules of nr: first[nr] .. first[nr + 1] - 1 */

/*
 * The rules by number, each number's in the profile's order: counted, then
 * placed (no qsort: glibc's asks the host for its memory size, a call the
 * sentry's host filter does not allow).
 */
int syscall_profile_set(const struct syscall_profile *p)
{
	uint32_t at[SYSCALL_MAX];
	size_t i;
	int nr;

	if (!p)
		return 0;
	prof = *p;
	prof.rules = calloc(p->nrules ? p->nrules : 1, sizeof(*prof.rules));
	if (!prof.rules)
		return -ENOMEM;
	memset(first, 0, sizeof(first));
	/* Numbers the table has no room for can match no rule: they get the default. */
	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].nr >= 0 && p->rules[i].nr < SYSCALL_MAX)
			first[p->rules[i].nr + 1]++;
	for (nr = 0; nr < SYSCALL_MAX; nr++) {
		first[nr + 1] += first[nr];
		at[nr] = first[nr];
	}
	for (i = 0; i < p->nrules; i++)
		if (p->rules[i].nr >= 0 && p->rules[i].nr < SYSCALL_MAX)
			prof.rules[at[p->rules[i].nr]++] = p->rules[i];
	prof.nrules = first[SYSCALL_MAX];
	syscall_profile_on = 1;
	return 0;
}

static int holds(const struct profile_cond *c, const uint64_t a[6])
{
	uint64_t v = a[c->index];

	switch (c->op) {
	case PROFILE_NE: return v != c->value;
	case PROFILE_LT: return v < c->value;
	case PROFILE_LE: return v <= c->value;
	case PROFILE_EQ: return v == c->value;
	case PROFILE_GE: return v >= c->value;
	case PROFILE_GT: return v > c->value;
	case PROFILE_MASKED_EQ: return (v & c->value) == c->value2;
	}
	return 0;
}

int syscall_profile_decide(long nr, const uint64_t a[6], int *err)
{
	int action = -1, i;
	uint32_t k;

	*err = prof.default_err;
	if (nr < 0 || nr >= SYSCALL_MAX)
		return prof.default_action;
	for (k = first[nr]; k < first[nr + 1]; k++) {
		const struct profile_rule *r = &prof.rules[k];

		for (i = 0; i < r->nconds && holds(&r->conds[i], a); i++)
			;
		if (i < r->nconds || r->action <= action)
			continue;
		action = r->action;
		*err = r->err;
	}
	return action < 0 ? prof.default_action : action;
}
