/*
 * Namespaces, ids, capabilities and roots for the sandbox's host processes.
 * Every call here is made while the calling process is still one thread,
 * before any seccomp filter (they need mount(2), unshare(2) and capset(2),
 * which neither filter allows afterwards).  docs/security.md has the whole
 * picture: what each process may do, and which test shows it.
 *
 * cvisor itself first enters an empty network namespace, which the gofer
 * and the sentry then share: neither has a socket call on its filter, and
 * one namespace costs a quarter of a millisecond of every start, two would
 * cost twice that.
 *
 * The sentry is a child of cvisor in user, pid, mount, IPC and UTS
 * namespaces of its own.  Its user namespace maps its uid and gid 0 to the
 * host's nobody (SANDBOX_HOST_ID) and nothing else, and it drops every
 * capability once its root is set up: on the host it is an unprivileged
 * process that can name no process but its own stubs (it is pid 1 of its
 * pid namespace) and holds no file of the host's but the fds it was handed.
 * Its root is an empty, read-only tmpfs: the host's file system is not in
 * its mount namespace at all.  The sandbox's own uids (its root included)
 * are the sentry's bookkeeping and never the host's.
 *
 * The gofer is pid 1 of a pid namespace of its own (gofer_start) and gets
 * mount, IPC and UTS namespaces; in its mount namespace the kernel's pseudo
 * file systems (proc, sysfs, cgroup, devpts...) are covered before it
 * pivots into the container's root (enter_image), so no walk it is asked
 * for, nor one from an fd it gave, can reach /proc of the host or anything
 * above the root, whatever the image's layout.  It stays the host's root,
 * with only the capabilities that serve a root-owned image (GOFER_CAPS).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shim.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZER_BUILD 1
#else
#define SANITIZER_BUILD 0
#endif

/*
 * The network namespace is cvisor's, shared by both (shim_confine_net).  The
 * sentry's user namespace is made first, and owns the others: the sentry
 * can set up its root in them, and has no power over anything else.
 */
enum {
	NS_SENTRY = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
	NS_GOFER = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS,
};

/*
 * Only the capabilities in keep, in the effective and permitted sets; none
 * inheritable or ambient, and the bounding set cut to keep, so that nothing
 * (not even an execve, which neither filter allows) can bring one back.
 */
static int keep_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	int cap;

	/* PR_CAPBSET_DROP fails with EINVAL past the kernel's last capability. */
	for (cap = 0; cap < 64; cap++) {
		if ((keep >> cap) & 1)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

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
 * Covers every pseudo file system mount of this (private) namespace with
 * an empty read-only tmpfs, which nothing in the sandbox can take off: the
 * gofer holds no CAP_SYS_ADMIN and neither filter has a mount or umount
 * call.  A path walk always goes to the topmost mount of a mount point, so
 * no path, from the gofer's root or from an fd it gave, reaches what lies
 * below, as if it had been detached; but a mount costs some 10 us where a
 * detach waits for an RCU grace period of the host (about 0.1 ms each on a
 * quiet machine, milliseconds under load), which the sentry's first request
 * waited for.  (With --root DIR, enter_image then detaches all of the
 * host's tree outside DIR at once.)  A mount point that is not a directory
 * cannot be covered: it is detached.  The list is read whole first:
 * covering /proc ends the reading.
 */
static int cover_pseudo_mounts(void)
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
	/* A cover hides the mounts below it too: only the topmost ones need one, once each. */
	for (i = 0; i < n; i++) {
		size_t j, len;
		int below = 0;

		for (j = 0; j < n && !below; j++) {
			len = strlen(points[j]);
			below = j != i && !strncmp(points[i], points[j], len) &&
				(points[i][len] == '/' || (len == 1 && points[j][0] == '/')) && strcmp(points[i], points[j]);
			below |= j < i && !strcmp(points[i], points[j]); /* stacked: listed twice */
		}
		if (below || mount("cvisor-cover", points[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				   "size=4k,nr_inodes=1,mode=0555") == 0)
			continue;
		/* Not a directory (a pseudo file bound onto a file): detached instead; EINVAL, ENOENT: gone already. */
		if (umount2(points[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT && !r)
			r = -errno;
	}
	for (i = 0; i < n; i++)
		free(points[i]);
	free(points);
	return r;
}

/*
 * The gofer's root: the image, pivoted into and the rest of the host's tree
 * detached, not only chrooted into.  The fds the gofer opens (which the
 * sentry holds) then lie in a mount tree that ends at the image: ".." at
 * its root stays there, for any process walking from such an fd, even one
 * whose own root is elsewhere (the sentry's readlinkat and newfstatat take
 * a path the filter cannot read).
 */
static int enter_image(const char *root)
{
	struct stat img, top;

	/* The host's / itself (a mount on / would not be entered by its name): nothing is above it. */
	if (stat(root, &img) < 0 || stat("/", &top) < 0)
		return -errno;
	if (img.st_dev == top.st_dev && img.st_ino == top.st_ino)
		return chroot(root) < 0 || chdir("/") < 0 ? -errno : 0;
	if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0 || chdir(root) < 0)
		return -errno;
	if (syscall(SYS_pivot_root, ".", ".") < 0 || umount2(".", MNT_DETACH) < 0) {
		/* A host whose root is the initramfs cannot pivot: chroot only. */
		if (errno != EINVAL || chroot(".") < 0)
			return -errno;
	}
	return chdir("/") < 0 ? -errno : 0;
}

/* In a mount namespace of its own: nothing mounted or unmounted here propagates back to the host. */
static int private_mounts(void)
{
	return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? -errno : 0;
}

int shim_confine_gofer(const char *root)
{
	int r = unshare(NS_GOFER) < 0 ? -errno : private_mounts();

	if (r == 0)
		r = cover_pseudo_mounts();
	if (r == 0)
		r = enter_image(root);
	if (r == 0)
		r = keep_caps(GOFER_CAPS);
	return r;
}

int shim_confine_supervisor(void)
{
	int r = keep_caps(1ULL << CAP_KILL);

	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

int shim_confine_net(void)
{
	return unshare(CLONE_NEWNET) < 0 ? -errno : 0;
}

/* The sentry's root: an empty, read-only tmpfs, the host's tree detached. */
static int enter_empty_root(const char **step)
{
	/* The empty root is mounted on /proc, a directory every Linux host has. */
	static const char dir[] = "/proc";
	int r;

	*step = "make its mounts private";
	if ((r = private_mounts()) < 0)
		return r;
	*step = "mount its empty root";
	if (mount("cvisor-empty", dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "size=4k,nr_inodes=1,mode=0555") < 0)
		return -errno;
	*step = "enter its empty root (pivot_root)";
	if (chdir(dir) < 0)
		return -errno;
#if SANITIZER_BUILD
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

/* Maps id 0 of the sentry's user namespace to SANDBOX_HOST_ID: /proc/PID/uid_map or gid_map. */
static int write_map(pid_t pid, const char *file)
{
	char path[64], map[32];
	int fd, n, r = 0;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	n = snprintf(map, sizeof(map), "0 %d 1\n", SANDBOX_HOST_ID);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, map, (size_t)n) != n)
		r = errno ? -errno : -EIO;
	close(fd);
	return r;
}

/*
 * The sentry's side of shim_spawn_sentry: its root, which needs no id
 * mapped (cvisor writes the maps meanwhile), then its ids, its fds, and no
 * capability at all.  A sanitizer build sets up its root last: the /proc
 * directory it makes there needs an owner, a mapped id.
 */
static int sentry_child(int go, int *const *socks, size_t nsocks, unsigned *stdio_closed, const char **step)
{
	struct pollfd pfd = {.fd = go, .events = POLLIN};
	int fd, r, next = 3;
	size_t i;
	char c;

	if (!SANITIZER_BUILD && (r = enter_empty_root(step)) < 0)
		return r;
	*step = "receive its id maps";
	if (read(go, &c, 1) != 1)
		return -ECHILD;
	/* The namespace's root is the host's SANDBOX_HOST_ID; the host root's groups go. */
	*step = "take its ids (setgroups, setresgid, setresuid)";
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	/*
	 * Changing ids made the process undumpable and cleared its parent-death
	 * signal.  Undumpable stubs (forked from it) could only be traced with
	 * CAP_SYS_PTRACE over the host's user namespace, where cvisor's memory
	 * was made; and the sentry must die with cvisor.  If cvisor died before
	 * the signal was set, its end of the pipe is closed already.
	 */
	*step = "set itself dumpable and dying with cvisor";
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		return -errno;
	if (poll(&pfd, 1, 0) != 0)
		return -ECHILD;
	close(go);
	/*
	 * No host fd but stdio and the gofers' sockets.  Where the caller had
	 * closed one of 0-2, a socket may sit (it moves up), and the memory
	 * file or another fd of the sentry's would land later, to be taken for
	 * the caller's (the sandbox's stdin, the -t console): such a place
	 * holds the read end of an empty pipe instead, which reads end of file
	 * and cannot be written, and the sentry knows it as closed.  The
	 * sockets end up at 3, 4, ... in order, and everything above them closes.
	 */
	*step = "close the caller's other fds";
	for (i = 0; i < nsocks; i++) {
		if (*socks[i] == next) {
			next++;
			continue;
		}
		/* A later socket sitting at next moves out of the way first. */
		for (size_t j = i + 1; j < nsocks; j++)
			if (*socks[j] == next) {
				int moved = fcntl(next, F_DUPFD_CLOEXEC, 3 + (int)nsocks);

				if (moved < 0)
					return -errno;
				close(next);
				*socks[j] = moved;
			}
		if (dup3(*socks[i], next, O_CLOEXEC) < 0)
			return -errno;
		close(*socks[i]);
		*socks[i] = next++;
	}
	*stdio_closed = 0;
	for (fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			*stdio_closed |= 1u << fd;
	if (*stdio_closed) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		/* The write end may itself take a closed place: it goes under the read end there. */
		for (fd = 0; fd < 3; fd++)
			if (((*stdio_closed >> fd) & 1) && fd != p[0] && dup2(p[0], fd) < 0)
				return -errno;
	}
	if (close_range((unsigned)next, ~0U, 0) < 0)
		return -errno;
	if (SANITIZER_BUILD && (r = enter_empty_root(step)) < 0)
		return r;
	*step = "drop its capabilities";
	if ((r = keep_caps(0)) < 0)
		return r;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int shim_cgroup_fd = -1;

int shim_write_file_at(int dirfd, const char *name, const char *value)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		r = -errno;
	close(fd);
	return r;
}

/*
 * A raw clone (fork(3) makes no namespaces), through clone3 with
 * CLONE_INTO_CGROUP when the sandbox has a cgroup of its own: the child is
 * born there, where moving a process in takes the kernel's threadgroup lock,
 * whose first writer waits for an RCU grace period (5-17 ms more a start
 * here).  A kernel without clone3's cgroup (before 5.7) gets cvisor itself
 * moved once, and its children born where it is.
 */
long shim_clone(unsigned long flags)
{
	struct clone_args args = {.flags = flags | CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	long pid;
	int fd = shim_cgroup_fd;

	if (fd >= 0) {
		args.cgroup = (uint64_t)fd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG && errno != EINVAL))
			return pid;
		shim_cgroup_fd = -1;
		if ((errno = -shim_write_file_at(fd, "cgroup.procs", "0")) != 0)
			return -1;
	}
	return syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}

pid_t shim_spawn_sentry(int *const *socks, size_t nsocks, unsigned *stdio_closed, const char **step)
{
	int go[2], r;
	size_t i;
	long pid;

	*step = "create its namespaces (clone)";
	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	/*
	 * A raw clone, as for the stubs (host_fork_stub): fork(3) makes no
	 * namespaces.  glibc's record of the main thread's tid stays cvisor's
	 * in the child; nothing in the sentry reads it (raise and abort ask the
	 * kernel).
	 */
	pid = shim_clone(NS_SENTRY);
	if (pid == 0) {
		close(go[1]);
		return sentry_child(go[0], socks, nsocks, stdio_closed, step);
	}
	r = pid < 0 ? -errno : 0;
	close(go[0]);
	if (r == 0) {
		*step = "map its ids (uid_map, gid_map)";
		r = write_map((pid_t)pid, "uid_map");
		if (r == 0)
			r = write_map((pid_t)pid, "gid_map");
		if (r == 0 && write(go[1], "", 1) != 1)
			r = -errno;
		if (r < 0) {
			kill((pid_t)pid, SIGKILL);
			waitpid((pid_t)pid, NULL, 0);
		}
	}
	if (r < 0) {
		close(go[1]);
		return r;
	}
	/* go[1] stays open while cvisor lives (see sentry_child); the gofers' sockets are the sentry's alone. */
	for (i = 0; i < nsocks; i++) {
		close(*socks[i]);
		*socks[i] = -1;
	}
	return (pid_t)pid;
}
