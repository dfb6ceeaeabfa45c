/*
 * A task's own seccomp filters (seccomp(2), prctl(PR_SET_SECCOMP)): the
 * sentry runs them on each of the task's system calls, as Linux does on
 * entry (syscalls/sys_seccomp.c).  A chain, newest first; a new task
 * inherits its creator's chain, and execve keeps it.  Used under the
 * sentry lock.
 */
#pragma once

#include <linux/filter.h>
#include <stdlib.h>

struct seccomp_filter {
	unsigned refs;
	struct seccomp_filter *prev; /* the filters installed before it, which run too */
	unsigned path_insns;         /* instructions of the chain, each filter counted 4 more (Linux's bound) */
	int log;                     /* SECCOMP_FILTER_FLAG_LOG */
	unsigned short len;
	struct sock_filter insns[];
};

static inline struct seccomp_filter *seccomp_get(struct seccomp_filter *f)
{
	if (f)
		f->refs++;
	return f;
}

static inline void seccomp_put(struct seccomp_filter *f)
{
	while (f && --f->refs == 0) {
		struct seccomp_filter *prev = f->prev;

		free(f);
		f = prev;
	}
}
