/*
 * The vetted list of host system calls (seccomp.c): the sentry's shared
 * rules, and the rules each part that makes host calls of its own (a
 * platform) contributes, merged into one filter at start-up.
 */
#pragma once

#include <seccomp.h>
#include <stddef.h>

/* One allowed call: by name, with its argument limits and the reason it is needed. */
struct host_rule {
	const char *name;
	const char *reason;
	int argc;                    /* 0: any arguments; -1: the gofers' sockets only (arg 0) */
	struct scmp_arg_cmp args[2]; /* all must hold */
};

#define HOST_ANY(n, why) {n, why, 0, {{0}}}
/* Limited to the gofers' sockets, whose numbers are only known at start-up. */
#define HOST_GOFER(n, why) {n, why, -1, {{0}}}
#define HOST_ONE(n, why, c) {n, why, 1, {c}}

/* The rules of one part of cvisor, named for --print-host-syscalls ("platform/ptrace"). */
struct host_rules {
	const char *part;
	const struct host_rule *rules;
	size_t n;
};

/*
 * Installs the shared list and extra's rules (NULL: none) on every sentry
 * thread; the gofer rules allow each of the nsocks sockets in socks.
 */
int host_seccomp_install(const int *socks, size_t nsocks, const struct host_rules *extra);
/* Prints every rule of the shared list and of extra, each with its reason and part. */
void host_seccomp_print(int fd, const struct host_rules *extra);
