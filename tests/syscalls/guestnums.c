/*
 * Numbers from the guest that name an entry of a kernel table (signals,
 * rlimit resources, timer ids, clock ids, itimers, fds, sub-commands), at
 * and past the edges.  Legacy clone takes any exit signal 0..255: one that
 * is no signal is kept, nothing is sent, and the child is a __WCLONE child
 * (cvisor once wrote the siginfo of signal 255 past its signal table).
 */
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static void clone_exit_signal(int sig)
{
	char what[64];
	sigset_t pend;
	int st = 0, n = 0, s;
	long pid = syscall(SYS_clone, (long)sig, 0L, 0L, 0L, 0L);

	if (pid == 0)
		_exit(3);
	snprintf(what, sizeof(what), "clone exit signal %d", sig);
	if (pid < 0) {
		CHECK(what, pid);
		return;
	}
	printf("%s = child\n", what);
	snprintf(what, sizeof(what), "  wait without __WALL");
	CHECK(what, waitpid((pid_t)pid, &st, 0) == pid ? 0 : -1);
	CHECK("  wait with __WALL", waitpid((pid_t)pid, &st, __WALL) == pid ? WEXITSTATUS(st) : -1);
	sigpending(&pend);
	for (s = 1; s <= 64; s++)
		if (sigismember(&pend, s) == 1)
			n++;
	printf("  signals pending %d\n", n);
	if (n) {
		struct timespec zero = {0, 0};

		while (sigtimedwait(&pend, NULL, &zero) > 0)
			;
	}
}

int main(void)
{
	static const int sigs[] = {0, 64, 65, 100, 128, 255};
	static const long bad[] = {-1, 64, 65, 255, 256, 1L << 31, -(1L << 31), 1L << 40};
	sigset_t all;
	struct rlimit rl;
	struct itimerval itv;
	struct timespec ts;
	size_t i;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* Real-time signals kill by default: the parent keeps them pending instead. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		clone_exit_signal(sigs[i]);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long v = bad[i];
		char what[80];
		timer_t tid;
		struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = (int)v};

		printf("value %ld\n", v);
		snprintf(what, sizeof(what), "  kill(self)");
		CHECK(what, syscall(SYS_kill, getpid(), v));
		CHECK("  tgkill(self)", syscall(SYS_tgkill, getpid(), gettid(), v));
		CHECK("  rt_sigaction", syscall(SYS_rt_sigaction, v, NULL, NULL, 8L));
		CHECK("  prctl(PR_SET_PDEATHSIG)", v >= 0 ? prctl(PR_SET_PDEATHSIG, v) : 0);
		/* Made and deleted at once: no id below may name it (ids differ from Linux's). */
		CHECK("  timer_create(sigev_signo)",
		      timer_create(CLOCK_MONOTONIC, &ev, &tid) == 0 ? timer_delete(tid) : -1);
		CHECK("  getrlimit", syscall(SYS_getrlimit, v, &rl));
		CHECK("  prlimit64", syscall(SYS_prlimit64, 0L, v, NULL, &rl));
		CHECK("  getitimer", syscall(SYS_getitimer, v, &itv));
		CHECK("  setitimer", syscall(SYS_setitimer, v, NULL, &itv));
		CHECK("  timer_gettime", syscall(SYS_timer_gettime, v, &itv));
		CHECK("  timer_delete", syscall(SYS_timer_delete, v));
		CHECK("  clock_gettime", v < 0 ? 0 : syscall(SYS_clock_gettime, v, &ts));
		CHECK("  clock_getres", v < 0 ? 0 : syscall(SYS_clock_getres, v, &ts));
		CHECK("  fcntl(F_GETFD)", syscall(SYS_fcntl, v, F_GETFD));
		CHECK("  fcntl(1, cmd)", v == 1 ? 0 : syscall(SYS_fcntl, 1L, v, 0L));
		CHECK("  close", v >= 0 && v < 3 ? 0 : syscall(SYS_close, v));
		CHECK("  dup2(1, fd)", v >= 0 && v < 3 ? 0 : syscall(SYS_dup2, 1L, v));
		CHECK("  prctl(option)", v == 1 || v == 15 || v == 16 || v == 65 ? 0 : syscall(SYS_prctl, v, 0L, 0L, 0L, 0L));
		CHECK("  arch_prctl", syscall(SYS_arch_prctl, v, 0L));
	}
	return 0;
}
