/*
 * /proc/PID/ns and setns(2): each link reads "type:[inode]", stat through
 * it gives that inode, equal for tasks that share the namespace and
 * different after unshare; an fd opened on it joins the namespace with
 * setns (kept alive by the fd alone), with Linux's errors for a wrong
 * nstype, another kind of file and a caller without CAP_SYS_ADMIN; a pidfd
 * joins several of its process's namespaces at once.
 *
 * Natively the test first moves into UTS and IPC namespaces of its own and
 * stops if it cannot; every namespace joined below is one of those, one
 * made inside them, or one the test is in already.
 */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static const char *const names[] = {"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
				    "time", "time_for_children", "user", "uts"};

/* The inode number a link names ("uts:[4026531838]"), checking its form; 0 if it has another. */
static unsigned long link_ino(const char *path, const char *type)
{
	char buf[128], want[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	unsigned long ino;
	char end;

	if (n < 0)
		return 0;
	buf[n] = 0;
	snprintf(want, sizeof(want), "%s:[%%lu%%c", type);
	if (sscanf(buf, want, &ino, &end) != 2 || end != ']' || buf[n - 1] != ']')
		return 0;
	return ino;
}

static unsigned long stat_ino(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static void show_host(const char *who)
{
	struct utsname u;

	uname(&u);
	printf("%s: hostname %s\n", who, u.nodename);
}

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1U << CAP_SYS_ADMIN);
	return (int)syscall(SYS_capset, &h, d);
}


static unsigned long thread_uts;

static void *thread_unshare(void *arg)
{
	char path[64];

	(void)arg;
	if (unshare(CLONE_NEWUTS) == 0) {
		snprintf(path, sizeof(path), "/proc/self/task/%ld/ns/uts", (long)syscall(SYS_gettid));
		thread_uts = stat_ino(path);
	}
	return NULL;
}

int main(void)
{
	unsigned long uts, ipc;
	char path[64], buf[128];
	int uts_fd, ipc_fd, p[2], q[2], i;
	struct stat st;
	pthread_t th;
	DIR *d;
	struct dirent *e;
	pid_t pid;
	char c;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0) {
		printf("unshare(CLONE_NEWUTS|CLONE_NEWIPC) = -1 %s: stopping\n", errname(errno));
		return 1;
	}
	if (sethostname("outer", 5))
		return 1;

	/* Every link, its form, and stat through it giving the same number. */
	for (i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++) {
		const char *type = names[i];
		unsigned long ino;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
		if (!strcmp(type, "pid_for_children"))
			type = "pid";
		if (!strcmp(type, "time_for_children"))
			type = "time";
		ino = link_ino(path, type);
		printf("%s: form %s, stat the same %d, lstat a link %d\n", names[i], ino ? "ok" : "wrong",
		       ino && stat_ino(path) == ino, lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	}
	/* The listing (its order is the kernel's: sorted here). */
	if ((d = opendir("/proc/self/ns"))) {
		int n = 0;

		while ((e = readdir(d)))
			n += e->d_name[0] != '.';
		closedir(d);
		printf("entries in /proc/self/ns: %d\n", n);
	}
	uts = stat_ino("/proc/self/ns/uts");
	ipc = stat_ino("/proc/self/ns/ipc");
	printf("uts and ipc differ: %d\n", uts != ipc);
	uts_fd = open("/proc/self/ns/uts", O_RDONLY);
	ipc_fd = open("/proc/self/ns/ipc", O_RDONLY);
	CHECK("fstat(uts fd) is the link's", fstat(uts_fd, &st) == 0 && st.st_ino == uts);
	CHECK("read(uts fd)", read(uts_fd, buf, sizeof(buf)));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", uts_fd);
	CHECK("readlink(/proc/self/fd/N) is the ns link", link_ino(path, "uts") == uts);

	/* Shared by a child until it unshares; a thread's own after its unshare. */
	pid = fork();
	if (pid == 0) {
		printf("child: same uts %d, same ipc %d\n", stat_ino("/proc/self/ns/uts") == uts,
		       stat_ino("/proc/self/ns/ipc") == ipc);
		snprintf(path, sizeof(path), "/proc/%d/ns/uts", getppid());
		printf("child: the parent's uts through /proc/PPID %d\n", stat_ino(path) == uts);
		CHECK("child: unshare(CLONE_NEWUTS|CLONE_NEWIPC)", unshare(CLONE_NEWUTS | CLONE_NEWIPC));
		printf("child: same uts %d, same ipc %d\n", stat_ino("/proc/self/ns/uts") == uts,
		       stat_ino("/proc/self/ns/ipc") == ipc);
		_exit(0);
	}
	wait_child("child", pid);
	pthread_create(&th, NULL, thread_unshare, NULL);
	pthread_join(th, NULL);
	printf("thread: own uts after unshare %d, main's still %d\n", thread_uts && thread_uts != uts,
	       stat_ino("/proc/self/ns/uts") == uts);

	/* setns with /proc/PID/ns fds. */
	pid = fork();
	if (pid == 0) {
		int kept, fd;

		CHECK("child: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
		CHECK("child: sethostname", sethostname("kept", 4));
		kept = open("/proc/self/ns/uts", O_RDONLY);
		CHECK("child: setns(uts fd, CLONE_NEWIPC)", setns(uts_fd, CLONE_NEWIPC));
		CHECK("child: setns(uts fd, CLONE_NEWUTS)", setns(uts_fd, CLONE_NEWUTS));
		show_host("child after setns");
		printf("child: back in the parent's uts %d\n", stat_ino("/proc/self/ns/uts") == uts);
		/* Only the fd holds the other namespace now. */
		CHECK("child: setns(kept fd, 0)", setns(kept, 0));
		show_host("child in the kept one");
		CHECK("child: setns(ipc fd, CLONE_NEWIPC)", setns(ipc_fd, CLONE_NEWIPC));
		CHECK("child: setns(ipc fd, CLONE_NEWUTS|CLONE_NEWIPC)", setns(ipc_fd, CLONE_NEWUTS | CLONE_NEWIPC));
		fd = open("/proc/self/status", O_RDONLY);
		CHECK("child: setns(a proc file, 0)", setns(fd, 0));
		CHECK("child: setns(-1, 0)", setns(-1, 0));
		CHECK("child: setns(closed fd, 0)", setns(fd + 10, 0));
		fd = open("/proc/self/ns/user", O_RDONLY);
		CHECK("child: setns(own user ns, 0)", setns(fd, 0));
		CHECK("child: drop CAP_SYS_ADMIN", drop_sys_admin());
		CHECK("child: setns(uts fd) without CAP_SYS_ADMIN", setns(uts_fd, CLONE_NEWUTS));
		show_host("child at the end");
		_exit(0);
	}
	wait_child("setns child", pid);

	/* An IPC namespace joined: its objects are the ones seen. */
	pid = fork();
	if (pid == 0) {
		int id = shmget(0x7e57, 4096, IPC_CREAT | 0600);

		CHECK("child: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		CHECK("child: the segment in the new one", shmget(0x7e57, 0, 0));
		CHECK("child: setns(ipc fd, 0)", setns(ipc_fd, 0));
		CHECK("child: the segment after setns", shmget(0x7e57, 0, 0) == id);
		shmctl(id, IPC_RMID, NULL);
		_exit(0);
	}
	wait_child("ipc child", pid);

	/* A pidfd: several namespaces of its process at once.  p: it is ready; q: it may go. */
	if (pipe(p) || pipe(q))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(q[1]);
		if (unshare(CLONE_NEWUTS) || sethostname("by-pidfd", 8))
			_exit(1);
		if (write(p[1], "x", 1) != 1 || read(q[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	if (read(p[0], &c, 1) == 1) {
		pid_t j = fork();

		if (j == 0) {
			int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

			CHECK("joiner: setns(pidfd, 0)", setns(pfd, 0));
			CHECK("joiner: setns(pidfd, 1)", setns(pfd, 1));
			CHECK("joiner: setns(pidfd, CLONE_NEWUSER)", setns(pfd, CLONE_NEWUSER));
			show_host("joiner before");
			CHECK("joiner: setns(pidfd, CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET)",
			      setns(pfd, CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET));
			show_host("joiner after");
			_exit(0);
		}
		wait_child("joiner", j);
	}
	close(q[1]);
	close(p[0]);
	wait_child("pidfd child", pid);
	show_host("parent at the end");
	return 0;
}
