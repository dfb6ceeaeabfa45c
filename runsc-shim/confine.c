/*
 * Namespaces and roots for the sandbox's host processes.  Both calls are
 * made while the calling process is still one thread, before any seccomp
 * filter (they need mount(2), which neither filter allows afterwards).
 *
 * The sentry gets mount, network, IPC and UTS namespaces of its own, and an
 * empty, read-only tmpfs as its root: the host's file system is not in its
 * mount namespace at all, so even a sentry bug that reached a path-taking
 * host call would find nothing.  Everything it needs of the host it has
 * taken before (stdio, the gofer's socket, the CPU count).
 *
 * The gofer gets mount, IPC and UTS namespaces too; in its mount namespace the kernel's
 * pseudo file systems (proc, sysfs, cgroup, devpts...) are detached before it
 * chroots into the container's root, so no walk it is asked for can reach
 * /proc of the host, whatever the image's layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim.h"

/*
 * The gofer's namespaces leave out the network one: its filter has no
 * socket call at all, and a new network namespace costs more than half a
 * millisecond of every sandbox's start.  The sentry's has one (its packet
 * socket will live there).
 */
enum {
	NS_SENTRY = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS,
	NS_GOFER = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
};

/* File systems that expose the host kernel rather than files of the image. */
static int pseudo_fs(const char *type)
{
	static const char *const types[] = {"proc",   "sysfs",      "cgroup",   "cgroup2", "debugfs",
					    "tracefs", "securityfs", "bpf",      "configfs", "fusectl",
					    "pstore",  "efivarfs",   "binfmt_misc", "devpts", "mqueue",
					    "hugetlbfs", "autofs",   "nsfs"};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i]))
			return 1;
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = 0;
}

/*
 * Detaches every pseudo file system mount of this (private) namespace.
 * The list is read whole first: detaching /proc ends the reading.
 */
static int detach_pseudo_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], **points = NULL;
	size_t n = 0, i;
	int r = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *fields[6], *sep, *type, *save = NULL, *p;
		int k = 0;

		sep = strstr(line, " - ");
		if (!sep)
			continue;
		type = strtok_r(sep + 3, " ", &save);
		for (p = strtok_r(line, " ", &save); p && k < 6; p = strtok_r(NULL, " ", &save))
			fields[k++] = p;
		if (k < 5 || !type || !pseudo_fs(type))
			continue;
		points = realloc(points, (n + 1) * sizeof(*points));
		if (!points) {
			fclose(f);
			return -ENOMEM;
		}
		unescape(fields[4]);
		points[n++] = strdup(fields[4]);
	}
	fclose(f);
	/* A detach takes the mounts below with it: only the topmost ones need one. */
	for (i = 0; i < n; i++) {
		size_t j, len;
		int below = 0;

		for (j = 0; j < n && !below; j++) {
			len = strlen(points[j]);
			below = j != i && !strncmp(points[i], points[j], len) &&
				(points[i][len] == '/' || (len == 1 && points[j][0] == '/')) && strcmp(points[i], points[j]);
		}
		/* EINVAL: the same place listed twice (stacked mounts), gone with the first. */
		if (!below && umount2(points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && !r)
			r = -errno;
	}
	for (i = 0; i < n; i++)
		free(points[i]);
	free(points);
	return r;
}

static int private_namespaces(int flags)
{
	if (unshare(flags) < 0)
		return -errno;
	/* Nothing mounted or unmounted here propagates back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -errno;
	return 0;
}

int shim_confine_gofer(const char *root)
{
	int r = private_namespaces(NS_GOFER);

	if (r == 0)
		r = detach_pseudo_mounts();
	if (r == 0 && (chroot(root) < 0 || chdir("/") < 0))
		r = -errno;
	return r;
}

int shim_confine_sentry(const char **step)
{
	/* The empty root is mounted on /proc, a directory every Linux host has. */
	static const char dir[] = "/proc";

	*step = "create its namespaces (unshare)";
	if (private_namespaces(NS_SENTRY) < 0)
		return -errno;
	*step = "mount its empty root";
	if (mount("cvisor-empty", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,nr_inodes=1,mode=0555") < 0)
		return -errno;
	*step = "enter its empty root (pivot_root)";
	if (chdir(dir) < 0)
		return -errno;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
	/*
	 * make asan: LeakSanitizer reads /proc/PID/task at exit, so a sanitizer
	 * build keeps a procfs in the empty root (as it does not enforce the
	 * vetted list either; --print-host-syscalls says so).
	 */
	*step = "mount /proc for the sanitizers";
	if (mount(NULL, ".", NULL, MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, "nr_inodes=2") < 0 ||
	    mkdir("proc", 0555) < 0 || mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -errno;
#endif
	/* The old root lands on top of the new one; detaching it leaves only the tmpfs. */
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0) {
		/* A host whose root is the initramfs cannot pivot: chroot, which the sentry's filter keeps. */
		if (errno != EINVAL || chroot(".") < 0)
			return -errno;
	}
	if (chdir("/") < 0)
		return -errno;
	return 0;
}
