/*
 * Pid namespaces (pid_namespaces(7)): the first child after
 * unshare(CLONE_NEWPID) is pid 1 of the new namespace, with getppid 0;
 * every call that takes or gives a pid does so in the caller's namespace
 * (kill, wait, waitid's and SIGCHLD's si_pid, getpgid, sched_*, prlimit,
 * pidfd_open, F_GETOWN, set_tid_address); pids outside are ESRCH; nesting
 * gives a pid in each namespace (/proc/PID/status's NSpid); orphans go to
 * the namespace's init; the init ignores signals it has no handler for from
 * inside, dies of SIGKILL from outside, and takes every other process of
 * its namespace with it; no process can be made there after.  Last, proc
 * mounted inside lists only the namespace's processes.
 *
 * SAFETY: natively the program first moves its children into a pid
 * namespace of its own (and stops if it cannot), so nothing here can touch
 * another process of the machine; the only signals sent from outside that
 * namespace go to pids this program forked.  The proc mount happens
 * natively only in a private mount namespace.  Only numbers of the new
 * namespaces are printed: those are the same everywhere.
 */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static pid_t outside; /* a process of the first namespace, forked before the new one */
static const char *argv0;
static int sock[2]; /* a socket pair the parent made before the namespace's init */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void reap(const char *what, pid_t pid)
{
	int st = -1;
	pid_t r = waitpid(pid, &st, 0);

	if (r < 0)
		say("%s: waitpid -1 %s\n", what, errname(errno));
	else if (WIFSIGNALED(st))
		say("%s: waitpid %s, killed by %d\n", what, r == pid ? "same pid" : "other pid", WTERMSIG(st));
	else
		say("%s: waitpid %s, exit %d\n", what, r == pid ? "same pid" : "other pid", WEXITSTATUS(st));
}

/* The NSpid line of /proc/self/status: how many numbers, and the last two. */
static void nspid(const char *who)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f) {
		say("%s: status: %s\n", who, errname(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		long v[8];
		int n = 0;
		char *p = line + 6, *e;

		if (strncmp(line, "NSpid:", 6))
			continue;
		while (n < 8 && (v[n] = strtol(p, &e, 10), e != p)) {
			n++;
			p = e;
		}
		say("%s: NSpid has %d numbers, the last %ld\n", who, n, n ? v[n - 1] : -1L);
	}
	fclose(f);
}

static ino_t ns_ino(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static volatile sig_atomic_t got_pid = -1;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	got_pid = si->si_pid;
}

/* Everything that pid 1 of the new namespace does. */
static int init_main(int ready_fd)
{
	struct sigaction sa;
	int p[2], st;
	pid_t b, c, d;
	char ch;

	say("init: getpid %d getppid %d gettid %ld getpgid %d getsid %d\n", getpid(), getppid(),
	    (long)syscall(SYS_gettid), getpgid(0), getsid(0));
	say("init: set_tid_address %ld\n", (long)syscall(SYS_set_tid_address, NULL));
	/* A process of the first namespace, before any other pid is given here. */
	CHECK("init: kill(outside, 0)", kill(outside, 0));
	CHECK("init: getpgid(outside)", getpgid(outside));
	CHECK("init: getsid(outside)", getsid(outside));
	CHECK("init: sched_getscheduler(outside)", sched_getscheduler(outside));
	CHECK("init: prlimit(outside)", prlimit(outside, RLIMIT_NOFILE, NULL, &(struct rlimit){0}));
	CHECK("init: pidfd_open(outside)", syscall(SYS_pidfd_open, outside, 0));
	CHECK("init: tgkill(outside)", syscall(SYS_tgkill, outside, outside, 0));
	CHECK("init: sched_getscheduler(1)", sched_getscheduler(1));
	say("init: pid and pid_for_children %s\n", ns_ino("pid") == ns_ino("pid_for_children") ? "same" : "differ");
	nspid("init");
	{
		/* The pair's owner is the parent, outside: pid 0 here.  What it is sent says 1, which it sees as init. */
		struct ucred uc = {0};
		socklen_t len = sizeof(uc);
		char cbuf[CMSG_SPACE(sizeof(uc))];
		struct iovec iov = {.iov_base = "c", .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		CHECK("init: SO_PEERCRED", getsockopt(sock[1], SOL_SOCKET, SO_PEERCRED, &uc, &len));
		say("init: SO_PEERCRED pid %d\n", uc.pid);
		uc = (struct ucred){.pid = getpid(), .uid = getuid(), .gid = getgid()};
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		CHECK("init: sendmsg(SCM_CREDENTIALS pid 1)", sendmsg(sock[1], &mh, 0));
		uc.pid = outside;
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
		CHECK("init: sendmsg(SCM_CREDENTIALS outside)", sendmsg(sock[1], &mh, 0));
	}

	/* A child: pid 2, its parent 1; waited for by that number, SIGCHLD and waitid telling it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	b = fork();
	if (b == 0) {
		say("b: getpid %d getppid %d\n", getpid(), getppid());
		nspid("b");
		_exit(7);
	}
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		CHECK("init: waitid(P_PID, b)", waitid(P_PID, b, &si, WEXITED));
		say("init: fork gave %d, waitid si_pid %d si_status %d, SIGCHLD si_pid %d\n", b, si.si_pid, si.si_status,
		    (int)got_pid);
	}
	signal(SIGCHLD, SIG_DFL);

	/* kill by the namespace's number, and the si_pid the target sees. */
	if (pipe(p) < 0)
		return 1;
	c = fork();
	if (c == 0) {
		sigset_t set;
		siginfo_t si;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		write(p[1], "r", 1);
		if (sigwaitinfo(&set, &si) == SIGUSR1)
			say("c: SIGUSR1 from si_pid %d\n", si.si_pid);
		write(p[1], "r", 1);
		pause();
		_exit(0);
	}
	read(p[0], &ch, 1);
	{
		int r = kill(c, SIGUSR1);

		read(p[0], &ch, 1);
		say("init: kill(c, SIGUSR1) = %d\n", r);
	}
	CHECK("init: kill(c, SIGTERM)", kill(c, SIGTERM));
	reap("c", c);
	close(p[0]);
	close(p[1]);

	/* pidfd of a namespace pid. */
	d = fork();
	if (d == 0) {
		pause();
		_exit(0);
	}
	{
		int fd = (int)syscall(SYS_pidfd_open, d, 0);
		siginfo_t si;

		say("init: pidfd_open(d) %s\n", fd >= 0 ? "ok" : errname(errno));
		CHECK("init: pidfd_send_signal(SIGKILL)", syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0));
		memset(&si, 0, sizeof(si));
		CHECK("init: waitid(P_PIDFD)", waitid(P_PIDFD, fd, &si, WEXITED));
		say("init: si_pid is d: %s, si_status %d\n", si.si_pid == d ? "yes" : "no", si.si_status);
		close(fd);
	}

	/* System V IPC's pids. */
	{
		struct shmid_ds ds;
		int id = shmget(IPC_PRIVATE, 4096, 0600);

		memset(&ds, 0, sizeof(ds));
		CHECK("init: shmctl(IPC_STAT)", shmctl(id, IPC_STAT, &ds));
		say("init: shm_cpid %d\n", ds.shm_cpid);
		shmctl(id, IPC_RMID, NULL);
	}

	/* F_GETOWN and process groups by the namespace's numbers. */
	{
		int fd = open("/dev/null", O_RDONLY);

		CHECK("init: F_SETOWN(getpid())", fcntl(fd, F_SETOWN, getpid()));
		CHECK("init: F_GETOWN", fcntl(fd, F_GETOWN));
		CHECK("init: F_SETOWN(outside)", fcntl(fd, F_SETOWN, outside));
		close(fd);
		CHECK("init: setsid", setsid());
		CHECK("init: getpgrp", getpgrp());
		CHECK("init: getsid(0)", getsid(0));
	}

	/* kill(-1) from the init: every other process of its namespace (and nothing outside it). */
	{
		pid_t k[2];
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (pipe(p) < 0)
			return 1;
		for (int i = 0; i < 2; i++) {
			k[i] = fork();
			if (k[i] == 0) {
				siginfo_t si;

				write(p[1], "k", 1);
				_exit(sigwaitinfo(&set, &si) == SIGUSR2 ? 10 + si.si_pid : 1);
			}
			read(p[0], &ch, 1);
		}
		CHECK("init: kill(-1, SIGUSR2)", kill(-1, SIGUSR2));
		reap("kill(-1) first", k[0]);
		reap("kill(-1) second", k[1]);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		close(p[0]);
		close(p[1]);
	}

	/* Signals from inside to the init without a handler: ignored, even SIGKILL. */
	if (pipe(p) < 0)
		return 1;
	b = fork();
	if (b == 0) {
		CHECK("child: kill(1, SIGTERM)", kill(1, SIGTERM));
		CHECK("child: kill(1, SIGKILL)", kill(1, SIGKILL));
		CHECK("child: kill(1, SIGUSR1)", kill(1, SIGUSR1));
		_exit(0);
	}
	reap("signaller", b);
	say("init: still here\n");
	close(p[0]);
	close(p[1]);

	/* Orphans go to the namespace's init. */
	if (pipe(p) < 0)
		return 1;
	b = fork();
	if (b == 0) {
		if (fork() == 0) {
			char x;

			read(p[0], &x, 1); /* until its parent has gone */
			say("orphan: getppid %d\n", getppid());
			_exit(3);
		}
		_exit(0);
	}
	reap("orphan's parent", b);
	write(p[1], "g", 1);
	{
		pid_t r = wait(&st);

		say("init: wait took the orphan: %s, exit %d\n", r == b + 1 ? "yes" : "no", WEXITSTATUS(st));
	}
	close(p[0]);
	close(p[1]);

	/* Nested: a namespace inside this one. */
	b = fork();
	if (b == 0) {
		int q[2]; /* p: the inner init tells it is done; q: the nested process, that the joiners are */
		pid_t f;

		CHECK("nested: unshare(CLONE_NEWPID)", unshare(CLONE_NEWPID));
		CHECK("nested: unshare(CLONE_NEWPID) again", unshare(CLONE_NEWPID));
		say("nested: pid and pid_for_children %s\n",
		    ns_ino("pid") == ns_ino("pid_for_children") ? "same" : "differ");
		say("nested: getpid %d\n", getpid());
		if (pipe(p) < 0 || pipe(q) < 0)
			_exit(1);
		f = fork();
		if (f == 0) {
			say("inner: getpid %d getppid %d\n", getpid(), getppid());
			nspid("inner");
			if (fork() == 0) {
				say("inner child: getpid %d getppid %d\n", getpid(), getppid());
				nspid("inner child");
				_exit(0);
			}
			wait(NULL);
			write(p[1], "d", 1);
			read(q[0], &ch, 1); /* until the joiners are done: it keeps the namespace alive */
			_exit(0);
		}
		read(p[0], &ch, 1);
		{
			/* setns: back to its own namespace for its children, then into the inner one. */
			int own = open("/proc/self/ns/pid", O_RDONLY), pfd = (int)syscall(SYS_pidfd_open, f, 0);
			pid_t j;

			CHECK("nested: setns(own pid ns)", setns(own, CLONE_NEWPID));
			say("nested: pid and pid_for_children %s\n",
			    ns_ino("pid") == ns_ino("pid_for_children") ? "same" : "differ");
			if ((j = fork()) == 0) {
				say("joiner 1: getpid %d getppid %d\n", getpid(), getppid());
				_exit(0);
			}
			reap("joiner 1", j);
			CHECK("nested: setns(inner's pidfd, CLONE_NEWPID)", setns(pfd, CLONE_NEWPID));
			if ((j = fork()) == 0) {
				say("joiner 2: getpid %d getppid %d\n", getpid(), getppid());
				nspid("joiner 2");
				_exit(0);
			}
			reap("joiner 2", j);
			close(own);
			close(pfd);
		}
		write(q[1], "d", 1);
		reap("inner", f);
		_exit(0);
	}
	reap("nested", b);
	{
		struct clone_args ca = {.flags = CLONE_NEWPID, .exit_signal = SIGCHLD};
		long r = syscall(SYS_clone3, &ca, sizeof(ca));

		if (r == 0) {
			say("clone3 child: getpid %d getppid %d\n", getpid(), getppid());
			_exit(0);
		}
		if (r < 0)
			say("init: clone3(CLONE_NEWPID) %s\n", errname(errno));
		else
			reap("clone3 child", (pid_t)r);
	}

	/* proc mounted here lists this namespace's processes only. */
	b = fork();
	if (b == 0) {
		struct dirent *e;
		char self[32] = "";
		DIR *dir;

		/* Natively in a mount namespace of its own; the sandbox has one already for itself. */
		if (unshare(CLONE_NEWNS) < 0 && !in_cvisor())
			_exit(1);
		if (!in_cvisor() && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(1);
		CHECK("proc: mount", mount("proc", "/proc", "proc", 0, NULL));
		dir = opendir("/proc");
		while (dir && (e = readdir(dir)))
			if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
				say("proc: lists %s\n", e->d_name);
		if (dir)
			closedir(dir);
		if (readlink("/proc/self", self, sizeof(self) - 1) < 0)
			strcpy(self, errname(errno));
		say("proc: self is %s, getpid %d\n", self, getpid());
		{
			/* What ps shows: the command line, from the new proc. */
			char cmd[256] = "";
			int fd = open("/proc/self/cmdline", O_RDONLY);
			ssize_t n = fd >= 0 ? read(fd, cmd, sizeof(cmd) - 1) : -1;

			say("proc: cmdline is argv[0]: %s\n", n > 0 && !strcmp(cmd, argv0) ? "yes" : "no");
			if (fd >= 0)
				close(fd);
		}
		nspid("proc");
		_exit(0);
	}
	reap("proc", b);

	/* The end: two processes that the init's death must take along. */
	for (int i = 0; i < 2; i++)
		if (fork() == 0) {
			if (i == 1 && fork() != 0)
				_exit(0); /* the second is an orphan by then */
			pause();
			_exit(0);
		}
	write(ready_fd, "r", 1);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	int ready[2], alive[2];
	pid_t init;
	char ch;

	(void)argc;
	argv0 = argv[0];
	setvbuf(stdout, NULL, _IOLBF, 0);
	outside = fork();
	if (outside == 0) {
		pause();
		_exit(0);
	}
	if (unshare(CLONE_NEWPID) < 0) {
		say("unshare(CLONE_NEWPID) = -1 %s: stopping\n", errname(errno));
		kill(outside, SIGKILL);
		return 1;
	}
	say("parent: pid and pid_for_children %s\n", ns_ino("pid") == ns_ino("pid_for_children") ? "same" : "differ");
	CHECK("parent: unshare(CLONE_NEWPID) again", unshare(CLONE_NEWPID));
	if (pipe(ready) < 0 || pipe(alive) < 0 || socketpair(AF_UNIX, SOCK_DGRAM, 0, sock) < 0)
		return 1;
	setsockopt(sock[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int));
	init = fork();
	if (init == 0) {
		close(ready[0]);
		close(alive[0]);
		_exit(init_main(ready[1]));
	}
	close(ready[1]);
	close(alive[1]);
	if (read(ready[0], &ch, 1) != 1)
		say("parent: init ended early\n");
	for (int i = 0; i < 2; i++) {
		/* SCM_CREDENTIALS in the receiver's namespace. */
		struct ucred uc = {0};
		char cbuf[CMSG_SPACE(sizeof(uc))], c;
		struct iovec iov = {.iov_base = &c, .iov_len = 1};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm;

		if (recvmsg(sock[0], &mh, MSG_DONTWAIT) < 0) {
			say("parent: recvmsg %s\n", errname(errno));
			continue;
		}
		cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_type == SCM_CREDENTIALS)
			memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
		say("parent: credentials' pid is %s\n", uc.pid == init ? "init's" : uc.pid == 0 ? "0" : "another");
	}
	/* SIGKILL from the parent namespace reaches the init; its namespace goes with it. */
	/* SIGTERM without a handler is ignored even from outside; SIGKILL is not. */
	CHECK("parent: kill(init, SIGTERM)", kill(init, SIGTERM));
	usleep(100000);
	CHECK("parent: kill(init, SIGKILL)", kill(init, SIGKILL));
	reap("init", init);
	{
		struct pollfd pfd = {.fd = alive[0], .events = POLLIN};

		CHECK("parent: every other process of the namespace is gone", poll(&pfd, 1, 0));
		CHECK("parent: read", read(alive[0], &ch, 1));
	}
	CHECK("parent: fork into the dead namespace", fork());
	kill(outside, SIGKILL);
	reap("outside", outside);
	return 0;
}
