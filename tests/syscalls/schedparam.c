/*
 * sched_getparam, sched_setparam and sched_setscheduler: a NULL param or a
 * negative pid is EINVAL before the pid is looked for, a bad param EFAULT,
 * then ESRCH for no such process (LTP's sched_getparam03, sched_setparam04).
 * Another user's process is EPERM without CAP_SYS_NICE (sched_setparam05,
 * sched_setaffinity01).  Run as root: the unprivileged part is a child that
 * becomes uid 1000.  And the timer slack: kept, reset by 0 to the default a
 * child takes from its creator's current value (LTP's prctl08).
 */
#include "check.h"
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(void)
{
	struct sched_param p = {0};

	CHECK("getparam(self, NULL)", syscall(SYS_sched_getparam, 0, NULL));
	CHECK("getparam(-1, &p)", syscall(SYS_sched_getparam, -1, &p));
	CHECK("getparam(no such pid, NULL)", syscall(SYS_sched_getparam, 0x3ffffff0, NULL));
	CHECK("getparam(no such pid, &p)", syscall(SYS_sched_getparam, 0x3ffffff0, &p));
	CHECK("getparam(self, bad)", syscall(SYS_sched_getparam, 0, (void *)8));
	CHECK("getparam(self, &p)", syscall(SYS_sched_getparam, 0, &p));
	CHECK("setparam(self, NULL)", syscall(SYS_sched_setparam, 0, NULL));
	CHECK("setparam(no such pid, bad)", syscall(SYS_sched_setparam, 0x3ffffff0, (void *)8));
	CHECK("setparam(no such pid, &p)", syscall(SYS_sched_setparam, 0x3ffffff0, &p));
	CHECK("setparam(self, &p)", syscall(SYS_sched_setparam, 0, &p));
	CHECK("setscheduler(self, OTHER, NULL)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	CHECK("setscheduler(self, -1, &p)", syscall(SYS_sched_setscheduler, 0, -1, &p));
	CHECK("setscheduler(no such pid, OTHER, &p)", syscall(SYS_sched_setscheduler, 0x3ffffff0, SCHED_OTHER, &p));
	CHECK("setscheduler(self, OTHER, &p)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
	{
		pid_t parent = getpid(), c = fork();

		if (c == 0) {
			cpu_set_t one;

			CPU_ZERO(&one);
			CPU_SET(0, &one);
			if (setgid(1000) < 0 || setuid(1000) < 0)
				_exit(1);
			CHECK("uid 1000: setparam(root's)", syscall(SYS_sched_setparam, parent, &p));
			CHECK("uid 1000: setscheduler(root's, OTHER)", syscall(SYS_sched_setscheduler, parent, SCHED_OTHER, &p));
			CHECK("uid 1000: setaffinity(root's)", sched_setaffinity(parent, sizeof(one), &one));
			CHECK("uid 1000: setparam(own)", syscall(SYS_sched_setparam, 0, &p));
			CHECK("uid 1000: getparam(root's)", syscall(SYS_sched_getparam, parent, &p));
			_exit(0);
		}
		wait_child("uid 1000 child", c);
	}
	CHECK("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK));
	CHECK("PR_SET_TIMERSLACK 70000", prctl(PR_SET_TIMERSLACK, 70000));
	CHECK("PR_GET_TIMERSLACK after", prctl(PR_GET_TIMERSLACK));
	{
		pid_t c = fork();

		if (c == 0) {
			CHECK("child: PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK));
			CHECK("child: PR_SET_TIMERSLACK 1", prctl(PR_SET_TIMERSLACK, 1));
			CHECK("child: PR_SET_TIMERSLACK 0 (reset)", prctl(PR_SET_TIMERSLACK, 0));
			CHECK("child: PR_GET_TIMERSLACK after the reset", prctl(PR_GET_TIMERSLACK));
			_exit(0);
		}
		wait_child("timer slack child", c);
	}
	CHECK("PR_SET_TIMERSLACK 0 (reset)", prctl(PR_SET_TIMERSLACK, 0));
	CHECK("PR_GET_TIMERSLACK after the reset", prctl(PR_GET_TIMERSLACK));
	return 0;
}
