/*
 * Permission rules of Linux's VFS that are not plain mode bits: setgid
 * directories, chmod by an owner outside the file's group, sticky
 * directories, O_NOATIME, ETXTBSY for a running program and for running a
 * file open for writing, and /proc/PID/oom_score_adj's range and
 * CAP_SYS_RESOURCE rule.  Run as root; the unprivileged parts run in
 * children that become uid/gid 1000.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void mode_of(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		printf("%s: stat -1 %s\n", what, errname(errno));
	else
		printf("%s: mode %o gid %u\n", what, (unsigned)st.st_mode, (unsigned)st.st_gid);
}

/* Runs fn in a child that is uid and gid 1000 (no capabilities), and waits for it. */
static void as_user(void (*fn)(void))
{
	pid_t p = fork();

	if (p == 0) {
		if (setgroups(0, NULL) < 0 || setgid(1000) < 0 || setuid(1000) < 0)
			_exit(99);
		prctl(PR_SET_DUMPABLE, 1); /* its /proc/self is its own again after setuid */
		fn();
		_exit(0);
	}
	waitpid(p, NULL, 0);
}

static void user_files(void)
{
	int fd;

	/* The owner, not in the file's group: chmod succeeds without the setgid bit. */
	CHECK("chmod 02755 (owner, not in group)", chmod("/tmp/cvt-perm/own", 02755));
	mode_of("own", "/tmp/cvt-perm/own");
	CHECK("chmod 02755 (owner, in group)", chmod("/tmp/cvt-perm/mine", 02755));
	mode_of("mine", "/tmp/cvt-perm/mine");
	/* Sticky directory: root's entries are not ours to remove or rename. */
	CHECK("unlink in sticky dir", unlink("/tmp/cvt-perm/st/rootf"));
	CHECK("rmdir in sticky dir", rmdir("/tmp/cvt-perm/st/rootd"));
	CHECK("rename in sticky dir", rename("/tmp/cvt-perm/st/rootf", "/tmp/cvt-perm/st/x"));
	CHECK("unlink own in sticky dir", unlink("/tmp/cvt-perm/st/userf"));
	/* O_NOATIME: only the owner. */
	CHECK("open O_NOATIME (not owner)", open("/tmp/cvt-perm/rootro", O_RDONLY | O_NOATIME));
	fd = open("/tmp/cvt-perm/rootro", O_RDONLY);
	CHECK("F_SETFL O_NOATIME (not owner)", fcntl(fd, F_SETFL, O_NOATIME));
	close(fd);
	CHECK_OK("open O_NOATIME (owner)", open("/tmp/cvt-perm/mine", O_RDONLY | O_NOATIME));
	/* oom_score_adj: raising is anyone's, lowering below 0 needs CAP_SYS_RESOURCE. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY);
	CHECK("user oom_score_adj 500", pwrite(fd, "500", 3, 0));
	CHECK("user oom_score_adj 100", pwrite(fd, "100", 3, 0));
	CHECK("user oom_score_adj -1", pwrite(fd, "-1", 2, 0));
	close(fd);
}

static void setgid_dirs(void)
{
	int fd;

	mkdir("/tmp/cvt-perm", 0777);
	chmod("/tmp/cvt-perm", 0777);
	mkdir("/tmp/cvt-perm/sg", 0777);
	CHECK("chown sg dir", chown("/tmp/cvt-perm/sg", 0, 1234));
	CHECK("chmod sg dir", chmod("/tmp/cvt-perm/sg", 02777));
	fd = open("/tmp/cvt-perm/sg/f", O_CREAT | O_RDWR, 0666);
	close(fd);
	mode_of("file in setgid dir", "/tmp/cvt-perm/sg/f");
	mkdir("/tmp/cvt-perm/sg/d", 0777);
	mode_of("dir in setgid dir", "/tmp/cvt-perm/sg/d");
	/* A chown keeps a directory's setgid bit (LTP's mkdir02 chowns after the chmod)... */
	CHECK("chown sg dir after chmod", chown("/tmp/cvt-perm/sg", 0, 1235));
	mode_of("sg dir after chown", "/tmp/cvt-perm/sg");
	mkdir("/tmp/cvt-perm/sg/d2", 0777);
	mode_of("dir in setgid dir after chown", "/tmp/cvt-perm/sg/d2");
	/* ...and drops a file's set-id bits even for (-1, -1): setgid only with group execute. */
	fd = open("/tmp/cvt-perm/sid", O_CREAT | O_RDWR, 0644);
	close(fd);
	chmod("/tmp/cvt-perm/sid", 06755);
	CHECK("chown -1 -1 of a 06755 file", chown("/tmp/cvt-perm/sid", -1, -1));
	mode_of("06755 file after chown", "/tmp/cvt-perm/sid");
	chmod("/tmp/cvt-perm/sid", 06744);
	CHECK("chown -1 -1 of a 06744 file", chown("/tmp/cvt-perm/sid", -1, -1));
	mode_of("06744 file after chown", "/tmp/cvt-perm/sid");

	fd = open("/tmp/cvt-perm/own", O_CREAT | O_RDWR, 0644);
	close(fd);
	chown("/tmp/cvt-perm/own", 1000, 1234);
	fd = open("/tmp/cvt-perm/mine", O_CREAT | O_RDWR, 0644);
	close(fd);
	chown("/tmp/cvt-perm/mine", 1000, 1000);
	fd = open("/tmp/cvt-perm/rootro", O_CREAT | O_RDWR, 0644);
	close(fd);
	mkdir("/tmp/cvt-perm/st", 01777);
	chmod("/tmp/cvt-perm/st", 01777);
	fd = open("/tmp/cvt-perm/st/rootf", O_CREAT | O_RDWR, 0666);
	close(fd);
	mkdir("/tmp/cvt-perm/st/rootd", 0777);
	fd = open("/tmp/cvt-perm/st/userf", O_CREAT | O_RDWR, 0666);
	close(fd);
	chown("/tmp/cvt-perm/st/userf", 1000, 1000);
	as_user(user_files);
	/* Root (CAP_FSETID) keeps the bit whatever the group. */
	CHECK("root chmod 02755", chmod("/tmp/cvt-perm/own", 02755));
	mode_of("own after root chmod", "/tmp/cvt-perm/own");
}

/* Copies this program to path, executable. */
static int copy_self(const char *path)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	ssize_t n;

	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	close(out);
	return 0;
}

static void txtbsy(void)
{
	const char *prog = "/tmp/cvt-perm/prog";
	int pfd[2], fd;
	pid_t p;

	if (copy_self(prog) < 0) {
		printf("copy failed\n");
		return;
	}
	/* A running program's file: no writer may open it, nor truncate it. */
	if (pipe(pfd) < 0)
		return;
	p = fork();
	if (p == 0) {
		dup2(pfd[0], 0);
		close(pfd[1]);
		execl(prog, prog, "wait", (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	/* The child says it runs by closing... nothing: wait until its exec is done through /proc. */
	for (int i = 0; i < 2000; i++) {
		char exe[256];
		char link[64];
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/%d/exe", p);
		n = readlink(link, exe, sizeof(exe) - 1);
		if (n > 0 && (exe[n] = 0, !strcmp(exe, prog)))
			break;
		usleep(1000);
	}
	CHECK("open running program O_WRONLY", open(prog, O_WRONLY));
	CHECK("open running program O_RDWR", open(prog, O_RDWR));
	CHECK("truncate running program", truncate(prog, 0));
	fd = open(prog, O_RDONLY);
	CHECK_OK("open running program O_RDONLY", fd);
	close(fd);
	close(pfd[1]);
	waitpid(p, NULL, 0);
	fd = open(prog, O_WRONLY);
	CHECK_OK("open after it ended O_WRONLY", fd);
	/* A file open for writing does not run. */
	p = fork();
	if (p == 0) {
		execl(prog, prog, "exit", (char *)NULL);
		printf("exec while open for writing = -1 %s\n", errname(errno));
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, NULL, 0);
	close(fd);
	p = fork();
	if (p == 0) {
		execl(prog, prog, "exit", (char *)NULL);
		_exit(127);
	}
	{
		int st;

		waitpid(p, &st, 0);
		printf("exec after close: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
}

static void oom(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	char buf[32];
	int fd = open("/proc/self/oom_score_adj", O_RDWR);
	ssize_t n;

	/*
	 * First without CAP_SYS_RESOURCE (the host's root may not have it): a
	 * privileged write would also lower the floor, and the runs would differ.
	 */
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective &= ~(1u << CAP_SYS_RESOURCE);
		d[0].permitted &= ~(1u << CAP_SYS_RESOURCE);
		CHECK("capset without CAP_SYS_RESOURCE", syscall(SYS_capset, &h, d));
	}
	CHECK("oom_score_adj 1000", pwrite(fd, "1000", 4, 0));
	CHECK("oom_score_adj 1001", pwrite(fd, "1001", 4, 0));
	CHECK("oom_score_adj -1001", pwrite(fd, "-1001", 5, 0));
	CHECK("oom_score_adj abc", pwrite(fd, "abc", 3, 0));
	CHECK("oom_score_adj 12\\n", pwrite(fd, "12\n", 3, 0));
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	printf("oom_score_adj reads %s", buf);
	CHECK("oom_score_adj -1000", pwrite(fd, "-1000", 5, 0));
	CHECK("oom_score_adj 0", pwrite(fd, "0", 1, 0));
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "wait")) {
		char c;

		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "exit"))
		return 7;
	umask(022);
	setgid_dirs();
	txtbsy();
	oom();
	return 0;
}
