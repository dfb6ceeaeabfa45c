/*
 * The IPC tests (mqueue, sysvmsg, sysvsem, sysvshm) natively: in an IPC
 * namespace of their own, so that the host's objects are never touched.  In
 * the sandbox, whose IPC namespace is already its own, that call is refused
 * or missing and the test goes on.  Include check.h first.
 */
#pragma once

#include <sched.h>
#include <stdio.h>
#include <unistd.h>

/* Moves to a fresh IPC namespace where it can; -1, said on stdout, when unshare failed otherwise. */
static inline int ipc_own_namespace(void)
{
	if (unshare(CLONE_NEWIPC) < 0 && errno != ENOSYS && errno != EPERM) {
		printf("unshare: %s\n", errname(errno));
		return -1;
	}
	return 0;
}

/* Prints "name: value" of /proc/sys/DIR/NAME (dir "kernel", "fs/mqueue"), or "name: ENAME". */
static inline void show_sysctl(const char *dir, const char *name)
{
	char path[128], buf[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f) {
		printf("%s: %s\n", name, errname(errno));
		return;
	}
	if (fgets(buf, sizeof(buf), f))
		printf("%s: %s", name, buf);
	fclose(f);
}

/*
 * A child that runs as gid and uid (0 in it, its pid in the parent),
 * stdout flushed first; a child that cannot take them exits 1.
 */
static inline pid_t fork_as(gid_t gid, uid_t uid)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0 && (setgid(gid) < 0 || setuid(uid) < 0))
		_exit(1);
	return pid;
}
