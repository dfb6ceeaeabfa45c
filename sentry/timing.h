/*
 * --debug's start-up breakdown: where the time of a sandbox's start goes,
 * from cvisor's first step to its exit, phase by phase.
 *
 * One struct per sandbox, in a page cvisor shares with the sentry (made
 * only with --debug).  Each process marks the end of a phase as it
 * happens; the time since the last mark, whichever process made it, is
 * added to that phase, so the phases add up to the whole and a phase that
 * happens in several pieces (the namespaces: cvisor's network namespace,
 * then the sentry's own) is summed.  Only one process marks at a time:
 * cvisor until it has started the sentry and after the sentry has exited,
 * the sentry in between.  Once the program has run, only the end phases
 * are marked (a later execve loads and makes stubs too, but is no
 * start-up).
 */
#pragma once

#include <stdint.h>

#include "host/host.h"

enum timing_phase {
	TIMING_NAMESPACES, /* network namespace; the sentry's user/pid/mount/ipc/uts, empty root, ids, caps */
	TIMING_GOFER,      /* starting the gofer (its own confinement runs alongside) */
	TIMING_ROOT,       /* the sandbox's root through the gofer, /dev, /proc, /tmp; stdio */
	TIMING_KERNEL,     /* the sentry's own state: platform, memory file, vDSO, first task */
	TIMING_SECCOMP,    /* the vetted host-call list installed */
	TIMING_STUB,       /* the first stub process (ptrace) or address space */
	TIMING_LOADER,     /* the program and its interpreter loaded, the stack built */
	TIMING_FIRST,      /* to the program's first stop (its first instruction ran) */
	TIMING_RUN,        /* the program itself, to its exit */
	TIMING_EXIT,       /* the sandbox's processes ended and reaped by the sentry */
	TIMING_TEARDOWN,   /* the sentry's exit, the gofer ended, cvisor done */
	TIMING_NPHASES
};

#define TIMING_NSYS 512

struct timing {
	uint64_t start;              /* CLOCK_MONOTONIC ns of cvisor's first step */
	uint64_t last;               /* the last mark */
	uint64_t ns[TIMING_NPHASES]; /* time spent per phase */
	int ran;                     /* TIMING_FIRST was marked: start-up is over */
	/* The application's stops by kind, all processes (the program phase's round trips). */
	uint64_t syscalls, faults, others;
	/* Time in the application (its code and the platform's round trips), and the sentry's per kind of stop. */
	uint64_t user_ns, stop_ns[3];
	/* The sentry's time and count per system call number (below TIMING_NSYS). */
	uint64_t sys_ns[TIMING_NSYS];
	uint32_t sys_n[TIMING_NSYS];
};

/* The breakdown being taken (--debug), or NULL. */
extern struct timing *timing_active;

/* The phase p just ended; TIMING_FIRST counts once, and start-up phases only before it. */
static inline void timing_mark(enum timing_phase p)
{
	struct timing *t = timing_active;
	uint64_t now;

	if (!t || (t->ran && p < TIMING_RUN))
		return;
	now = host_monotonic_ns();
	t->ns[p] += now - t->last;
	t->last = now;
	if (p == TIMING_FIRST)
		t->ran = 1;
}

/* One stop of the application: a system call (kind 0), a page fault (1) or another (2). */
static inline void timing_count(int kind)
{
	struct timing *t = timing_active;

	if (t)
		(*(kind == 0 ? &t->syscalls : kind == 1 ? &t->faults : &t->others))++;
}

/* The application ran for ns (since its thread entered the platform, to the stop). */
static inline void timing_user(uint64_t ns)
{
	if (timing_active)
		timing_active->user_ns += ns;
}

/* When the sentry began to handle a stop, for timing_stop_done (0 without --debug). */
static inline uint64_t timing_stop_begin(void)
{
	return timing_active ? host_monotonic_ns() : 0;
}

/* The sentry handled a stop of that kind (timing_count's), begun at since; nr: the system call's (kind 0). */
static inline void timing_stop_done(int kind, long nr, uint64_t since)
{
	struct timing *t = timing_active;
	uint64_t ns;

	if (!t)
		return;
	ns = host_monotonic_ns() - since;
	t->stop_ns[kind] += ns;
	if (kind == 0 && nr >= 0 && nr < TIMING_NSYS) {
		t->sys_ns[nr] += ns;
		t->sys_n[nr]++;
	}
}

/* Starts a breakdown in t (zeroed, and shared with every process that marks). */
static inline void timing_start(struct timing *t)
{
	timing_active = t;
	t->start = t->last = host_monotonic_ns();
}

/*
 * Prints the breakdown to stderr: each phase in microseconds, and the
 * whole; then the system calls that took the sentry longest, named by
 * sysname (NULL: by number).
 */
void timing_print(const char *(*sysname)(long nr));
