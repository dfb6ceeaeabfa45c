/*
 * Niceness: setpriority/getpriority for a process, a process group and a
 * user (in children with a group and a uid of their own, so nothing else
 * on the host is touched by the native run), ESRCH, EPERM for another
 * user's process, EACCES below RLIMIT_NICE, Linux's initial RLIMIT_NICE
 * and RLIMIT_RTPRIO (0), and getcpu within the affinity mask.
 */
#include "check.h"
#include <grp.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define UID 54321

int main(void)
{
	struct rlimit rl;
	cpu_set_t cs;
	unsigned cpu = 999;
	int last = -1, st;
	pid_t p, q;

	setvbuf(stdout, NULL, _IONBF, 0);
	getrlimit(RLIMIT_NICE, &rl);
	printf("RLIMIT_NICE %ld %ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);
	getrlimit(RLIMIT_RTPRIO, &rl);
	printf("RLIMIT_RTPRIO %ld %ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);

	p = fork();
	if (p == 0) {
		setpgid(0, 0);
		q = fork();
		if (q == 0) {
			pause();
			_exit(0);
		}
		CHECK("PRIO_PGRP set 3", setpriority(PRIO_PGRP, 0, 3));
		CHECK("PRIO_PGRP get (20 - nice)", syscall(SYS_getpriority, PRIO_PGRP, 0));
		CHECK("the other member's nice", getpriority(PRIO_PROCESS, q));
		CHECK("PRIO_PROCESS set the other to 7", setpriority(PRIO_PROCESS, q, 7));
		CHECK("PRIO_PGRP get: the highest priority", syscall(SYS_getpriority, PRIO_PGRP, 0));
		kill(q, SIGKILL);
		waitpid(q, NULL, 0);
		if (setgroups(0, NULL) < 0 || setgid(UID) < 0 || setuid(UID) < 0)
			_exit(1);
		CHECK("PRIO_USER set 10", setpriority(PRIO_USER, 0, 10));
		CHECK("PRIO_USER get", syscall(SYS_getpriority, PRIO_USER, 0));
		CHECK("PRIO_USER get of a uid with no process", getpriority(PRIO_USER, 54322));
		CHECK("PRIO_PGRP get of no group", getpriority(PRIO_PGRP, 999999));
		CHECK("PRIO_PGRP set of no group", setpriority(PRIO_PGRP, 999999, 1));
		CHECK("lower own nice without privilege", setpriority(PRIO_PROCESS, 0, 5));
		CHECK("nice(-1)", nice(-1));
		CHECK("another user's process", setpriority(PRIO_PROCESS, getppid(), 10));
		CHECK("bad which", setpriority(7, 0, 1));
		CHECK("raise own nice to 19", setpriority(PRIO_PROCESS, 0, 30));
		CHECK("get", getpriority(PRIO_PROCESS, 0));
		_exit(0);
	}
	waitpid(p, &st, 0);

	/* getcpu: on a CPU of the affinity mask. */
	sched_getaffinity(0, sizeof(cs), &cs);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &cs))
			last = i;
	CPU_ZERO(&cs);
	CPU_SET(last, &cs);
	CHECK("affinity to the last CPU", sched_setaffinity(0, sizeof(cs), &cs));
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	printf("getcpu within the mask: %d\n", (int)cpu == last);
	CHECK("getcpu bad pointer", syscall(SYS_getcpu, (void *)8, NULL, NULL));
	return 0;
}
