/*
 * What the system call fuzzer (tests/fuzz/sysfuzz) found, one check each,
 * against the native run: the calls that crashed or confused the sentry.
 */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

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
	printf("still here\n");
	return 0;
}
