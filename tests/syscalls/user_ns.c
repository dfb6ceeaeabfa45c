/*
 * User namespaces (user_namespaces(7)): unshare and clone with
 * CLONE_NEWUSER, the rules for writing /proc/PID/uid_map, gid_map and
 * setgroups and their errnos, ids seen through the caller's namespace
 * (getuid, stat of a file whose owner has no mapping: 65534), what the
 * capabilities of a child namespace do not reach (the sandbox's first UTS
 * namespace, files of unmapped owners, other users' processes), the
 * /proc files, and setns into a user namespace.
 *
 * Natively the test first moves into a UTS namespace of its own and stops
 * if it cannot, so the host's names never change; a user namespace
 * changes nothing outside itself, and every file it touches is in /tmp
 * (the run's own).  Only signal 0 is ever sent, to the test's own parent.
 */
#include "check.h"
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/nsfs.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ROOT_FILE "/tmp/cvt-userns-root"  /* root's, 0600 */
#define USER_FILE "/tmp/cvt-userns-user"  /* uid 1000's, 0600 */

static int parent_userns_fd = -1; /* the first task's /proc/self/ns/user, inherited */

static void cat(const char *who, const char *path)
{
	char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		printf("%s: %s: open = -1 %s\n", who, path, errname(errno));
		return;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	/* Another process's file: its pid is not printed. */
	if (!strncmp(path, "/proc/", 6) && path[6] >= '0' && path[6] <= '9')
		printf("%s: /proc/PID/%s (%zu bytes):\n%s", who, strchr(path + 6, '/') + 1, n, buf);
	else
		printf("%s: %s (%zu bytes):\n%s", who, path, n, buf);
}

/* One write of text to path, on a fresh open. */
static void wr(const char *what, const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0) {
		printf("%s: open = -1 %s\n", what, errname(errno));
		return;
	}
	CHECK(what, write(fd, text, len));
	close(fd);
}

#define WR(what, path, text) wr(what, path, text, strlen(text))

static void ids(const char *who)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;

	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %u euid %u (%u %u %u) gid %u egid %u (%u %u %u)\n", who, getuid(), geteuid(), r, e, s, getgid(),
	       getegid(), gr, ge, gs);
}

static void stat_ids(const char *who, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		printf("%s: stat %s = -1 %s\n", who, path, errname(errno));
	else
		printf("%s: stat %s: %u:%u\n", who, path, st.st_uid, st.st_gid);
}

static void caps(const char *who)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0) {
		printf("%s: capget = -1 %s\n", who, errname(errno));
		return;
	}
	printf("%s: CAP_SYS_ADMIN %s, CAP_SETUID %s, permitted low word %s\n", who,
	       d[0].effective & (1U << CAP_SYS_ADMIN) ? "yes" : "no", d[0].effective & (1U << CAP_SETUID) ? "yes" : "no",
	       d[0].permitted == 0xffffffffu ? "full" : d[0].permitted ? "some" : "none");
}

/* Whether two namespace files stand for the same namespace (their st_ino, never printed). */
static const char *same_ns(int fd, const char *path)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return "?";
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev ? "same" : "different";
}

/* ioctl_ns(2) on /proc/self/ns/<name>: the type, the owner uid, the owning user namespace and the parent. */
static void ns_ioctls(const char *who, const char *name)
{
	char path[64], what[128];
	uid_t uid = 12345;
	int fd, r;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	fd = open(path, O_RDONLY);
	snprintf(what, sizeof(what), "%s: %s NS_GET_NSTYPE", who, name);
	CHECK(what, ioctl(fd, NS_GET_NSTYPE));
	snprintf(what, sizeof(what), "%s: %s NS_GET_OWNER_UID", who, name);
	r = ioctl(fd, NS_GET_OWNER_UID, &uid);
	if (r < 0)
		printf("%s = -1 %s\n", what, errname(errno));
	else
		printf("%s = %u\n", what, uid);
	r = ioctl(fd, NS_GET_USERNS);
	printf("%s: %s NS_GET_USERNS = %s", who, name, r >= 0 ? "ok" : errname(errno));
	printf("%s\n", r < 0 ? "" : same_ns(r, "/proc/self/ns/user")[0] == 's' ? ", the caller's" : ", not the caller's");
	if (r >= 0)
		close(r);
	r = ioctl(fd, NS_GET_PARENT);
	printf("%s: %s NS_GET_PARENT = %s", who, name, r >= 0 ? "ok" : errname(errno));
	printf("%s\n", r < 0 ? "" : same_ns(r, "/proc/self/ns/user")[0] == 's' ? ", the caller's" : ", not the caller's");
	if (r >= 0)
		close(r);
	close(fd);
}


static void open_check(const char *who, const char *path)
{
	int fd = open(path, O_RDONLY);

	printf("%s: open %s = %s\n", who, path, fd >= 0 ? "ok" : errname(errno));
	if (fd >= 0)
		close(fd);
}

/* What unshare -Ur does as an ordinary user, and what the root it becomes may and may not do. */
static int unprivileged(void)
{
	char big[4096];
	struct utsname u;
	int fd;

	if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
		return 1;
	/* setuid left the process undumpable: its /proc files would be root's, as on Linux. */
	prctl(PR_SET_DUMPABLE, 1);
	CHECK("user: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
	CHECK("user: unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	printf("user: ns/user against the parent's: %s\n", same_ns(parent_userns_fd, "/proc/self/ns/user"));
	ids("user, unmapped");
	stat_ids("user, unmapped", USER_FILE);
	caps("user, unmapped");
	cat("user", "/proc/self/uid_map");
	cat("user", "/proc/self/setgroups");

	/* Malformed maps: EINVAL, before any permission is looked at. */
	WR("uid_map trailing junk", "/proc/self/uid_map", "0 1000 1 x\n");
	WR("uid_map count 0", "/proc/self/uid_map", "0 1000 0\n");
	WR("uid_map two numbers", "/proc/self/uid_map", "0 1000\n");
	WR("uid_map first -1", "/proc/self/uid_map", "4294967295 1000 1\n");
	WR("uid_map wraps", "/proc/self/uid_map", "4294967290 1000 10\n");
	WR("uid_map sign", "/proc/self/uid_map", "+0 1000 1\n");
	WR("uid_map overlapping", "/proc/self/uid_map", "0 1000 1\n0 1000 1\n");
	WR("uid_map blank line", "/proc/self/uid_map", "0 1000 1\n\n");
	memset(big, ' ', sizeof(big));
	memcpy(big, "0 1000 1", 8);
	wr("uid_map of a page", "/proc/self/uid_map", big, sizeof(big));
	fd = open("/proc/self/uid_map", O_WRONLY);
	CHECK("uid_map: lseek to 1", lseek(fd, 1, SEEK_SET));
	CHECK("uid_map at offset 1", write(fd, "0 1000 1\n", 9));
	close(fd);
	/* Well formed, but more than its own uid: EPERM for a writer without CAP_SETUID in the parent. */
	WR("uid_map someone else's uid", "/proc/self/uid_map", "0 1001 1\n");
	WR("uid_map two lines", "/proc/self/uid_map", "0 1000 1\n1 1001 1\n");
	WR("uid_map a range", "/proc/self/uid_map", "0 1000 2\n");
	WR("gid_map before setgroups deny", "/proc/self/gid_map", "0 1000 1\n");
	WR("uid_map own uid", "/proc/self/uid_map", "  0   1000 1");
	WR("uid_map again", "/proc/self/uid_map", "0 1000 1\n");
	ids("user, uid mapped");
	stat_ids("user, uid mapped", USER_FILE);

	WR("setgroups bogus", "/proc/self/setgroups", "denyx");
	WR("setgroups too long", "/proc/self/setgroups", "deny    ");
	WR("setgroups deny", "/proc/self/setgroups", "deny \n");
	WR("setgroups allow after deny", "/proc/self/setgroups", "allow");
	cat("user", "/proc/self/setgroups");
	WR("gid_map someone else's gid", "/proc/self/gid_map", "0 1001 1\n");
	WR("gid_map own gid", "/proc/self/gid_map", "0 1000 1\n");
	WR("setgroups deny after gid_map", "/proc/self/setgroups", "deny");
	cat("user", "/proc/self/uid_map");
	cat("user", "/proc/self/gid_map");
	ids("user, mapped");
	caps("user, mapped");
	stat_ids("user, mapped", USER_FILE);
	stat_ids("user, mapped", ROOT_FILE);
	cat("user", "/proc/sys/kernel/overflowuid");

	/* Root of the namespace, over nothing outside it. */
	open_check("ns root", ROOT_FILE);
	open_check("ns root", USER_FILE);
	CHECK("ns root: chmod of the unmapped owner's file", chmod(ROOT_FILE, 0644));
	CHECK("ns root: chown own file to 0:0", chown(USER_FILE, 0, 0));
	CHECK("ns root: chown own file to 5 (unmapped)", chown(USER_FILE, 5, -1));
	CHECK("ns root: chown root's file", chown(ROOT_FILE, 0, 0));
	CHECK("ns root: sethostname of the first UTS namespace", sethostname("nope", 4));
	CHECK("ns root: kill(parent, 0)", kill(getppid(), 0));
	CHECK("ns root: setgroups (denied)", setgroups(0, NULL));
	CHECK("ns root: setuid(0)", setuid(0));
	CHECK("ns root: setuid(5) (unmapped)", setuid(5));
	CHECK("ns root: setresuid(-1, -1, 7)", setresuid(-1, -1, 7));
	CHECK("ns root: setns(parent's user ns)", setns(parent_userns_fd, CLONE_NEWUSER));
	fd = open("/proc/self/ns/user", O_RDONLY);
	CHECK("ns root: setns(own user ns)", setns(fd, CLONE_NEWUSER));
	close(fd);

	/* What needs privilege in one's own user namespace only. */
	CHECK("ns root: prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT)", prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT));
	{
		struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		struct sock_fprog prog = {1, &allow};

		CHECK("ns root: seccomp filter without no_new_privs", prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog));
	}

	/* Its own namespaces: a UTS namespace it owns is its to rename (unshare -Ur, then unshare -u). */
	CHECK("ns root: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
	CHECK("ns root: sethostname", sethostname("inner", 5));
	uname(&u);
	printf("ns root: nodename %s\n", u.nodename);
	CHECK("ns root: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
	ns_ioctls("ns root", "user");
	ns_ioctls("ns root", "uts");
	ns_ioctls("ns root", "ipc");
	/* Its own IPC namespace: CAP_IPC_OWNER there reads a queue of mode 0. */
	{
		struct msqid_ds ds;
		int q = msgget(IPC_PRIVATE, 0);

		CHECK("ns root: msgctl(IPC_STAT) of a mode-0 queue", msgctl(q, IPC_STAT, &ds));
		printf("ns root: the queue's owner %u:%u\n", ds.msg_perm.uid, ds.msg_perm.gid);
		msgctl(q, IPC_RMID, NULL);
	}

	/* A namespace below: its creator maps itself again. */
	CHECK("ns root: unshare(CLONE_NEWUSER) again", unshare(CLONE_NEWUSER));
	ids("nested, unmapped");
	cat("nested", "/proc/self/setgroups");
	WR("nested uid_map", "/proc/self/uid_map", "7 0 1\n");
	cat("nested", "/proc/self/uid_map");
	ids("nested, uid mapped");
	stat_ids("nested", USER_FILE);
	ns_ioctls("nested", "user");
	ns_ioctls("nested", "uts");
	CHECK("nested: chroot(\"/\")", chroot("/"));
	return 0;
}

static int sync_pipe[2], ready_pipe[2];

/* A child of clone(CLONE_NEWUSER): what it is before and after its parent writes its maps. */
static int cloned_child(void)
{
	char c;

	ids("clone child, unmapped");
	caps("clone child");
	stat_ids("clone child, unmapped", ROOT_FILE);
	if (write(ready_pipe[1], "r", 1) != 1 || read(sync_pipe[0], &c, 1) != 1)
		return 1;
	ids("clone child, mapped");
	stat_ids("clone child, mapped", ROOT_FILE);
	stat_ids("clone child, mapped", USER_FILE);
	open_check("clone child", ROOT_FILE);
	open_check("clone child", USER_FILE);
	cat("clone child", "/proc/self/uid_map");
	cat("clone child", "/proc/self/gid_map");
	CHECK("clone child: setgroups", setgroups(0, NULL));
	CHECK("clone child: sethostname of the first UTS namespace", sethostname("nope", 4));
	return 0;
}

static long raw_clone(unsigned long flags)
{
	return syscall(SYS_clone, flags, 0L, 0L, 0L, 0L);
}

static void map_path(char *buf, size_t size, pid_t pid, const char *file)
{
	snprintf(buf, size, "/proc/%d/%s", (int)pid, file);
}

/* Root of the first namespace writes a child's maps: several lines, other users' ids, its own uid 0. */
static void privileged(void)
{
	char path[64], *text;
	size_t len;
	pid_t pid;
	int i;

	if (pipe(sync_pipe) < 0 || pipe(ready_pipe) < 0)
		return;
	pid = raw_clone(CLONE_NEWUSER | SIGCHLD);
	if (pid == 0) {
		close(sync_pipe[1]);
		_exit(cloned_child());
	}
	close(sync_pipe[0]);
	close(ready_pipe[1]);
	if (pid > 0 && read(ready_pipe[0], path, 1) == 1) {
		map_path(path, sizeof(path), pid, "uid_map");
		WR("root: child's uid_map overlapping lower ids", path, "0 100000 10\n10 100005 10\n");
		/* Linux's limit, 340 extents: one more is EINVAL. */
		text = malloc(4096);
		len = 0;
		for (i = 0; i < 341; i++)
			len += (size_t)snprintf(text + len, 4096 - len, "%d %d 1\n", i * 2, 1000 + i);
		wr("root: child's uid_map of 341 lines", path, text, len);
		free(text);
		WR("root: child's uid_map", path, "0 100000 1000\n1000 0 1\n");
		cat("root", path);
		map_path(path, sizeof(path), pid, "gid_map");
		WR("root: child's gid_map", path, "0 0 1\n");
		cat("root", path);
		map_path(path, sizeof(path), pid, "setgroups");
		cat("root", path);
		if (write(sync_pipe[1], "x", 1) != 1)
			printf("root: sync write failed\n");
	}
	close(sync_pipe[1]);
	close(ready_pipe[0]);
	wait_child("clone(CLONE_NEWUSER)", pid);

	/* 340 extents fit. */
	pid = raw_clone(CLONE_NEWUSER | SIGCHLD);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid > 0) {
		text = malloc(4096);
		len = 0;
		for (i = 0; i < 340; i++)
			len += (size_t)snprintf(text + len, 4096 - len, "%d %d 1\n", i * 2, 1000 + i);
		map_path(path, sizeof(path), pid, "uid_map");
		wr("root: uid_map of 340 lines", path, text, len);
		free(text);
		map_path(path, sizeof(path), pid, "uid_map");
		{
			FILE *f = fopen(path, "r");
			int lines = 0, ch;

			while (f && (ch = fgetc(f)) != EOF)
				lines += ch == '\n';
			if (f)
				fclose(f);
			printf("root: the 340-line map reads back as %d lines\n", lines);
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}

	/* More than 5 extents read back in the order of their first ids (Linux sorts such maps); 5 as written. */
	for (i = 5; i <= 6; i++) {
		pid = raw_clone(CLONE_NEWUSER | SIGCHLD);
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid < 0)
			continue;
		map_path(path, sizeof(path), pid, "uid_map");
		if (i == 5)
			WR("root: uid_map of 5 unsorted lines", path, "50 5 1\n40 4 1\n30 3 1\n10 1 1\n20 2 1\n");
		else
			WR("root: uid_map of 6 unsorted lines", path, "50 5 1\n40 4 1\n30 3 1\n60 6 1\n10 1 1\n20 2 1\n");
		cat("root", path);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}

	{
		struct clone_args ca = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
		long r = syscall(SYS_clone3, &ca, sizeof(ca));

		if (r == 0) {
			ids("clone3 child");
			caps("clone3 child");
			_exit(0);
		}
		wait_child("clone3(CLONE_NEWUSER)", r);
	}
	WR("root: own uid_map (the first namespace's)", "/proc/self/uid_map", "0 0 1\n");
}

/* Root maps itself alone: uid 0's files are its own, uid 1000's are no one's it knows. */
static void root_mapped_alone(void)
{
	CHECK("root: unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	WR("root: uid_map 0 0 1", "/proc/self/uid_map", "0 0 1\n");
	WR("root: gid_map 0 0 1", "/proc/self/gid_map", "0 0 1\n");
	ids("root alone");
	caps("root alone");
	open_check("root alone", ROOT_FILE);
	open_check("root alone", USER_FILE);
	stat_ids("root alone", USER_FILE);
	CHECK("root alone: chown root's file to 1000 (unmapped)", chown(ROOT_FILE, 1000, -1));
	CHECK("root alone: setgroups", setgroups(0, NULL));
	CHECK("root alone: sethostname of the first UTS namespace", sethostname("nope", 4));
}

static void *idle_thread(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

int main(void)
{
	pid_t pid;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWUTS) < 0) {
		printf("unshare(CLONE_NEWUTS) = -1 %s: stopping\n", errname(errno));
		return 1;
	}
	fd = open(ROOT_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	close(fd);
	fd = open(USER_FILE, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	close(fd);
	if (chown(USER_FILE, 1000, 1000) < 0)
		printf("chown: %s\n", errname(errno));
	parent_userns_fd = open("/proc/self/ns/user", O_RDONLY);

	cat("first", "/proc/self/uid_map");
	cat("first", "/proc/self/gid_map");
	cat("first", "/proc/self/setgroups");
	ids("first");
	ns_ioctls("first", "user");
	ns_ioctls("first", "uts");

	pid = fork();
	if (pid == 0)
		_exit(unprivileged());
	wait_child("unprivileged child", pid);

	privileged();

	pid = fork();
	if (pid == 0) {
		root_mapped_alone();
		_exit(0);
	}
	wait_child("root alone child", pid);

	/* setns into a user namespace another process made (CAP_SYS_ADMIN over it: root owns it). */
	{
		int p[2];
		char c, path[64];

		if (pipe(p) == 0) {
			pid = fork();
			if (pid == 0) {
				close(p[0]);
				if (unshare(CLONE_NEWUSER) == 0)
					WR("holder: uid_map", "/proc/self/uid_map", "0 0 1\n");
				if (write(p[1], "x", 1) != 1)
					_exit(1);
				pause();
				_exit(0);
			}
			close(p[1]);
			if (read(p[0], &c, 1) == 1) {
				pid_t j;

				map_path(path, sizeof(path), pid, "ns/user");
				j = fork();
				if (j == 0) {
					pthread_t th;
					int ns = open(path, O_RDONLY);

					pthread_create(&th, NULL, idle_thread, NULL);
					CHECK("joiner with two threads: setns(user)", setns(ns, CLONE_NEWUSER));
					_exit(0);
				}
				wait_child("threaded joiner", j);
				j = fork();
				if (j == 0) {
					int ns = open(path, O_RDONLY);

					CHECK("joiner: setns(user, CLONE_NEWUTS)", setns(ns, CLONE_NEWUTS));
					CHECK("joiner: setns(user)", setns(ns, CLONE_NEWUSER));
					printf("joiner: ns/user against the holder's: %s\n", same_ns(ns, "/proc/self/ns/user"));
					ids("joiner");
					caps("joiner");
					CHECK("joiner: sethostname of the first UTS namespace", sethostname("nope", 4));
					CHECK("joiner: setns(the first user ns)", setns(parent_userns_fd, CLONE_NEWUSER));
					_exit(0);
				}
				wait_child("joiner", j);
			}
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(p[0]);
		}
	}

	/* As nobody: a user and a UTS namespace in one call, the UTS one owned by the new user one. */
	pid = fork();
	if (pid == 0) {
		struct utsname u;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(1);
		CHECK("nobody: unshare(CLONE_NEWUSER|CLONE_NEWUTS)", unshare(CLONE_NEWUSER | CLONE_NEWUTS));
		CHECK("nobody: sethostname", sethostname("nobodys", 7));
		uname(&u);
		printf("nobody: nodename %s\n", u.nodename);
		ids("nobody");
		_exit(0);
	}
	wait_child("nobody child", pid);
	ids("first, at the end");
	unlink(ROOT_FILE);
	unlink(USER_FILE);
	return 0;
}
