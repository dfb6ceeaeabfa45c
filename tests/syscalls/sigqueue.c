/*
 * Queued signals at their limit, and two argument rules:
 * - with RLIMIT_SIGPENDING lowered to 64 (so the native run never fills
 *   the host user's queue), rt_sigqueueinfo fills the queue and then
 *   answers EAGAIN, as does tgkill of a real-time signal; kill's SI_USER
 *   signal is still accepted (its details merge).  cvisor took every one
 *   and said 0, holding them without bound.
 * - timer_settime with no new value is EINVAL (cvisor: EFAULT).
 * - execve with an empty argv starts the program with argc 1 and an empty
 *   argv[0], as Linux since 5.18 (cvisor: argc 0).
 */
#include "check.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct rlimit rl = {64, 64};
	struct sigevent sev = {.sigev_notify = SIGEV_NONE};
	siginfo_t si;
	sigset_t set;
	timer_t tid;
	int i, st;
	pid_t p;

	if (argc == 1 && argv[0][0] == 0) {
		printf("empty argv: argc %d, argv[1] NULL %d\n", argc, argv[1] == NULL);
		return 0;
	}
	CHECK("timer_create", syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &tid));
	CHECK("timer_settime NULL", syscall(SYS_timer_settime, tid, 0, NULL, NULL));

	p = fork();
	if (p == 0) {
		char *none[] = {NULL};

		syscall(SYS_execve, "/proc/self/exe", none, none);
		_exit(99); /* never again the whole test: that would recurse */
	}
	waitpid(p, &st, 0);
	printf("empty-argv child exited %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	CHECK("setrlimit RLIMIT_SIGPENDING 64", setrlimit(RLIMIT_SIGPENDING, &rl));
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	for (i = 0; i < 1000; i++)
		if (syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si) < 0)
			break;
	printf("rt_sigqueueinfo stopped: %d (%s), after at most 64: %d\n", i < 1000, errname(errno), i <= 64);
	CHECK("tgkill on a full queue", syscall(SYS_tgkill, getpid(), gettid(), SIGRTMIN));
	CHECK("kill on a full queue", kill(getpid(), SIGRTMIN));
	/* Drained, the queue takes signals again. */
	while (sigtimedwait(&set, NULL, &(struct timespec){0, 0}) > 0)
		;
	CHECK("rt_sigqueueinfo after draining", syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &si));
	return 0;
}
