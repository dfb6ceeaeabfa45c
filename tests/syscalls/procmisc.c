/*
 * Process odds and ends: signals to a zombie (kill and pidfd), kill's
 * permission rule for an unprivileged sender, supplementary groups, chown
 * to a group one is not in, the affinity mask that sched_setaffinity sets,
 * and the prctl options programs probe (keepcaps, the bounding set,
 * ambient capabilities, THP, timer slack, the tid address).
 */
#include "check.h"

#include <grp.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

int main(void)
{
	pid_t pid;
	int st, pidfd;
	gid_t groups[4] = {0};
	cpu_set_t set;

	/* A zombie still takes signals (to no effect) until it is reaped. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	usleep(200 * 1000);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK("kill(zombie, 0)", kill(pid, 0));
	CHECK("kill(zombie, SIGTERM)", kill(pid, SIGTERM));
	CHECK("pidfd_send_signal(zombie, 0)", syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
	waitpid(pid, &st, 0);
	printf("zombie exited 0: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK("kill(reaped, 0)", kill(pid, 0));
	close(pidfd);
	/* A file that is not a pidfd (CPython's test_pidfd_send_signal uses fd 0). */
	CHECK("pidfd_send_signal(not a pidfd)", syscall(SYS_pidfd_send_signal, 0, SIGINT, NULL, 0));
	CHECK("pidfd_send_signal(closed fd)", syscall(SYS_pidfd_send_signal, 999, SIGINT, NULL, 0));
	{
		/* A /proc/PID directory stands for its process (CPython's test_pidfd_send_signal); a task's does not. */
		char path[64];
		int d = open("/proc/self", O_RDONLY | O_DIRECTORY), td;

		snprintf(path, sizeof(path), "/proc/self/task/%d", (int)syscall(SYS_gettid));
		td = open(path, O_RDONLY | O_DIRECTORY);
		CHECK("pidfd_send_signal(/proc/self, 0)", syscall(SYS_pidfd_send_signal, d, 0, NULL, 0));
		CHECK("pidfd_send_signal(/proc/self/task/TID, 0)", syscall(SYS_pidfd_send_signal, td, 0, NULL, 0));
		close(d);
		close(td);
	}
	{
		siginfo_t wsi;

		CHECK("waitid(P_PIDFD, not a pidfd)", syscall(SYS_waitid, 3 /* P_PIDFD */, 0, &wsi, WEXITED, NULL));
	}
	/* A negative thread id is ESRCH once the size is right, EINVAL before (CPython grows its mask on EINVAL). */
	CHECK("sched_getaffinity(-1)", syscall(SYS_sched_getaffinity, -1, sizeof(set), &set));
	CHECK("sched_getaffinity(-1, size 4)", syscall(SYS_sched_getaffinity, -1, 4, &set));
	CHECK("sched_setaffinity(-1)", syscall(SYS_sched_setaffinity, -1, sizeof(set), &set));

	/* A child made by clone with another exit signal than SIGCHLD: that signal, and only __WALL or __WCLONE wait for it. */
	{
		struct sigaction sa = {.sa_handler = on_usr1};
		int i;

		sigaction(SIGUSR1, &sa, NULL);
		pid = (pid_t)syscall(SYS_clone, SIGUSR1, 0, 0, 0, 0);
		if (pid == 0)
			_exit(4);
		for (i = 0; i < 100 && !got_usr1; i++)
			usleep(20 * 1000);
		printf("exit signal SIGUSR1 arrived: %d\n", got_usr1);
		CHECK("waitpid(clone child, 0)", waitpid(pid, &st, WNOHANG));
		CHECK("waitpid(clone child, __WALL) is it", waitpid(pid, &st, __WALL) == pid);
		printf("clone child status %d\n", WEXITSTATUS(st));
		pid = (pid_t)syscall(SYS_clone, 0, 0, 0, 0, 0);
		if (pid == 0)
			_exit(5);
		CHECK("waitpid(no-signal child, __WCLONE) is it", waitpid(pid, &st, __WCLONE) == pid);
		printf("no-signal child status %d\n", WEXITSTATUS(st));
		signal(SIGUSR1, SIG_DFL);
	}

	/* An unprivileged process may not signal root's. */
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(2);
		_exit(kill(getppid(), 0) == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	printf("nobody may not signal root: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* Supplementary groups. */
	CHECK("setgroups", setgroups(2, (gid_t[]){5, 7}));
	CHECK("getgroups(0)", getgroups(0, NULL));
	CHECK("getgroups(1) too small", getgroups(1, groups));
	CHECK("getgroups(4)", getgroups(4, groups));
	printf("groups %u %u\n", groups[0], groups[1]);
	/* As uid 1000 in groups 5 and 7: its file may go to group 7, not to group 9. */
	pid = fork();
	if (pid == 0) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/tmp/procmisc.%d", (int)getpid());
		if (setgid(1000) || setuid(1000))
			_exit(2);
		fd = open(path, O_CREAT | O_WRONLY, 0600);
		printf("chown to own group 7: %d\n", fchown(fd, (uid_t)-1, 7));
		errno = 0;
		printf("chown to group 9: %d %s\n", fchown(fd, (uid_t)-1, 9), errname(errno));
		fflush(stdout);
		unlink(path);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	CHECK("setgroups(0)", setgroups(0, NULL));
	CHECK("getgroups(0) after clearing", getgroups(0, NULL));

	/* The affinity mask is the one last set (CPU 0 exists everywhere). */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	CHECK("sched_setaffinity {0}", sched_setaffinity(0, sizeof(set), &set));
	CPU_ZERO(&set);
	CHECK_OK("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set));
	printf("CPUs in the mask: %d, CPU 0: %d\n", CPU_COUNT(&set), CPU_ISSET(0, &set));
	CPU_ZERO(&set);
	CHECK("sched_setaffinity {} ", sched_setaffinity(0, sizeof(set), &set));

	/* prctl options. */
	CHECK("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	CHECK("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CHECK("PR_GET_KEEPCAPS after", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	CHECK("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
	CHECK("PR_CAPBSET_READ CAP_SYS_ADMIN", prctl(PR_CAPBSET_READ, 21, 0, 0, 0));
	CHECK("PR_CAPBSET_DROP CAP_SYS_ADMIN", prctl(PR_CAPBSET_DROP, 21, 0, 0, 0));
	CHECK("PR_CAPBSET_READ after drop", prctl(PR_CAPBSET_READ, 21, 0, 0, 0));
	CHECK("PR_CAPBSET_DROP 1000", prctl(PR_CAPBSET_DROP, 1000, 0, 0, 0));
	CHECK("PR_CAP_AMBIENT IS_SET", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 21, 0, 0));
	CHECK("PR_CAP_AMBIENT CLEAR_ALL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	CHECK("PR_SET_THP_DISABLE", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	CHECK("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	CHECK("PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
	CHECK("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	{
		int *addr = (int *)1;

		CHECK("PR_GET_TID_ADDRESS", prctl(PR_GET_TID_ADDRESS, &addr, 0, 0, 0));
		printf("tid address set: %d\n", addr != NULL && addr != (int *)1);
	}
	CHECK("prctl 9999", prctl(9999, 0, 0, 0, 0));
	return 0;
}
