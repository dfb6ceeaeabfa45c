/*
 * What the system call fuzzer (tests/fuzz/sysfuzz) found, one check each,
 * against the native run: the calls that crashed or confused the sentry.
 */
#include "check.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

int main(void)
{
	pid_t self = getpid(), tid = (pid_t)syscall(SYS_gettid);

	/*
	 * The signal is an int: 1 << 32 in the register is signal 0, a
	 * check only.  The sentry took any non-zero register as a signal to
	 * send, and crashed delivering "signal 0".
	 */
	CHECK("tgkill(self, self, 1 << 32)", syscall(SYS_tgkill, self, tid, 1UL << 32));
	CHECK("tkill(self, 1 << 32)", syscall(SYS_tkill, tid, 1UL << 32));
	CHECK("kill(self, 1 << 32)", syscall(SYS_kill, self, 1UL << 32));
	CHECK("tgkill(self, self, (1 << 32) | SIGURG)", syscall(SYS_tgkill, self, tid, (1UL << 32) | SIGURG));

	/*
	 * Timeouts too long to count in nanoseconds (tv_sec near INT64_MAX):
	 * the sentry multiplied them into a signed overflow (UBSan's abort in
	 * the sanitizer build).  Each fd is ready, so each call returns at once.
	 */
	{
		int p[2], ep;
		struct timespec huge = {INT64_MAX, 0};
		struct timeval hugetv = {INT64_MAX, 0};
		struct pollfd pfd;
		struct epoll_event ev = {.events = EPOLLIN}, out;
		fd_set rd;

		if (pipe(p) < 0 || write(p[1], "x", 1) != 1)
			return 1;
		pfd = (struct pollfd){.fd = p[0], .events = POLLIN};
		CHECK("ppoll(ready, tv_sec INT64_MAX)", syscall(SYS_ppoll, &pfd, 1, &huge, NULL, 8));
		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		CHECK("select(ready, tv_sec INT64_MAX)", syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &hugetv));
		ep = epoll_create1(0);
		epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
		CHECK("epoll_pwait2(ready, tv_sec INT64_MAX)", syscall(SYS_epoll_pwait2, ep, &out, 1, &huge, NULL, 8));
	}
	printf("still here\n");
	return 0;
}
