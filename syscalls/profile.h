/*
 * An OCI container's seccomp profile (config.json's linux.seccomp), applied
 * in the sentry's system call table: syscall_dispatch asks it about every
 * call before the handler runs.  The sandbox's own kernel is what the
 * profile filters, so it needs no host filter of its own (the sentry's host
 * filter, sentry/host/seccomp.c, is another list, which nothing here
 * changes).  runsc-shim/oci_seccomp.c reads the profile into this form.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The actions, from the least to the most restrictive: of the rules that match a call, the last in this order wins. */
enum { PROFILE_ALLOW, PROFILE_LOG, PROFILE_ERRNO, PROFILE_TRAP, PROFILE_KILL_THREAD, PROFILE_KILL_PROCESS };

/* A condition on argument index (0-5); op as libseccomp's SCMP_CMP_* (value2: MASKED_EQ's). */
enum { PROFILE_NE = 1, PROFILE_LT, PROFILE_LE, PROFILE_EQ, PROFILE_GE, PROFILE_GT, PROFILE_MASKED_EQ };
#define PROFILE_CONDS_MAX 6
struct profile_cond {
	uint8_t index, op;
	uint64_t value, value2;
};

/* One system call's rule: it matches when all its conditions hold. */
struct profile_rule {
	int nr;
	int action;
	int err;            /* PROFILE_ERRNO's errno, PROFILE_TRAP's si_errno */
	int nconds;
	struct profile_cond conds[PROFILE_CONDS_MAX];
};

struct syscall_profile {
	int default_action, default_err;
	struct profile_rule *rules;
	size_t nrules;
};

/* Before the first process runs: the sandbox's profile (copied), or NULL for none. 0 or -ENOMEM. */
int syscall_profile_set(const struct syscall_profile *p);
/* The action for call nr with arguments a, and its errno in *err (syscalls/table.c). */
int syscall_profile_decide(long nr, const uint64_t a[6], int *err);
extern int syscall_profile_on;
