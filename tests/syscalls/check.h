/*
 * Shared by the syscall tests: each check prints one line, "what = result",
 * with the errno's name on failure, so the native run and the sandboxed run
 * can be compared line by line.  Nothing printed may depend on addresses,
 * pids, times or the machine.
 */
#pragma once

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static inline const char *errname(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

/* Prints "what = r" or "what = -1 ENAME" for a call returning -1 and setting errno. */
#define CHECK(what, expr)                                                                                  \
	do {                                                                                               \
		errno = 0;                                                                                 \
		long r_ = (long)(expr);                                                                    \
		if (r_ == -1)                                                                              \
			printf("%s = -1 %s\n", what, errname(errno));                                      \
		else                                                                                       \
			printf("%s = %ld\n", what, r_);                                                    \
		fflush(stdout);                                                                            \
	} while (0)

/* The same, but a success prints only "ok" (for results that vary: fds, sizes, addresses). */
#define CHECK_OK(what, expr)                                                                               \
	do {                                                                                               \
		errno = 0;                                                                                 \
		long r_ = (long)(expr);                                                                    \
		if (r_ == -1)                                                                              \
			printf("%s = -1 %s\n", what, errname(errno));                                      \
		else                                                                                       \
			printf("%s = ok\n", what);                                                         \
		fflush(stdout);                                                                            \
	} while (0)

/*
 * Inside cvisor (uname's version says so): the sandbox is a mount, UTS and
 * IPC namespace of its own already, and refuses new cgroup namespaces
 * (EPERM, as to a container without them).
 * Natively, a test that changes such state makes a namespace of its own
 * first, and stops if it cannot.
 */
static inline int in_cvisor(void)
{
	struct utsname u;

	return uname(&u) == 0 && strstr(u.version, "cvisor") != NULL;
}

/* Waits for a child and prints "WHAT: status N" (or the fork's error when pid is -1). */
static inline void wait_child(const char *what, pid_t pid)
{
	int st = -1;

	if (pid < 0) {
		printf("%s: -1 %s\n", what, errname(errno));
		return;
	}
	waitpid(pid, &st, 0);
	printf("%s: status %d\n", what, st);
	fflush(stdout);
}

/* "WHO: uname NODE / DOMAIN, proc HOST / DOMAIN": the UTS names both ways a program reads them. */
static inline void show_uts(const char *who)
{
	struct utsname u;
	char h[80] = "", d[80] = "";
	FILE *f;

	uname(&u);
	if ((f = fopen("/proc/sys/kernel/hostname", "r"))) {
		if (!fgets(h, sizeof(h), f))
			h[0] = 0;
		fclose(f);
	}
	if ((f = fopen("/proc/sys/kernel/domainname", "r"))) {
		if (!fgets(d, sizeof(d), f))
			d[0] = 0;
		fclose(f);
	}
	h[strcspn(h, "\n")] = d[strcspn(d, "\n")] = 0;
	printf("%s: uname %s / %s, proc %s / %s\n", who, u.nodename, u.domainname, h, d);
	fflush(stdout);
}
