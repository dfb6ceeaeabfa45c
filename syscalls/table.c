/*
 * The x86-64 system call table and dispatch.  Numbers come from the host's
 * <asm/unistd_64.h> (__NR_*), which is the ABI; a number with no handler
 * (or out of range, or an x32 number) gets -ENOSYS from one place, here,
 * and is counted for --debug.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "profile.h"
#include "strace.h"
#include "syscalls.h"

const struct syscall_desc syscall_table[SYSCALL_MAX] = {
#define X(name) [__NR_##name] = {sys_##name},
#include "list.h"
#undef X
};

int syscall_test_crash;

/* Index SYSCALL_MAX counts numbers outside the table (negative, x32, huge). */
static uint64_t unimplemented[SYSCALL_MAX + 1];

/*
 * The container's seccomp profile (profile.h) on call nr: 0 to make it,
 * else 1 with its result in *r, as Linux's seccomp gives it: an errno,
 * SIGSYS to the caller (SECCOMP_RET_TRAP, with the call's number in
 * si_syscall), or the process killed by SIGSYS.  KILL_THREAD ends the
 * calling thread alone, as exit(2) would (its clear_child_tid is woken, so
 * pthread_join returns), unless every other thread of its process is
 * already leaving: then, as Linux's, the process is killed by SIGSYS, as
 * KILL_PROCESS always does.  The lock held makes two threads killed at
 * once see each other leave, so one of them takes the process down.
 */
static int profile_filter(struct task *t, long nr, const uint64_t a[6], long *r)
{
	int err, action = syscall_profile_decide(nr, a, &err);

	switch (action) {
	case PROFILE_ALLOW:
	case PROFILE_LOG:
		return 0;
	case PROFILE_ERRNO:
		/* errno 0 makes the call return 0 without running, as Linux's does; 4095 is the bound. */
		*r = err >= 0 && err < 4096 ? -err : -EPERM;
		return 1;
	case PROFILE_TRAP:
		*r = seccomp_trap(t, nr, err & 0xffff);
		return 1;
	case PROFILE_KILL_THREAD:
		seccomp_kill_thread(t);
		*r = -ENOSYS;
		return 1;
	default:
		task_exit_group(t, SIGSYS);
		*r = -ENOSYS;
		return 1;
	}
}

void syscall_dispatch(struct task *t)
{
	long nr = (long)t->regs.orig_rax;
	uint64_t a[6] = {t->regs.rdi, t->regs.rsi, t->regs.rdx, t->regs.r10, t->regs.r8, t->regs.r9};
	long r;

	t->cur_nr = nr;
	if (__builtin_expect(syscall_test_crash, 0))
		*(volatile int *)(uintptr_t)syscall_test_crash = 0; /* the crash-report test: a sentry bug on purpose */
	if (strace_fd >= 0)
		strace_enter(t, nr, a);
	if (syscall_profile_on && profile_filter(t, nr, a, &r)) {
		/* The container's seccomp profile said no: the call is not made. */
	} else if (t->seccomp_mode && seccomp_filter_call(t, nr, a, &r)) {
		/* Nor when the application's own filters say no. */
	} else if (nr >= 0 && nr < SYSCALL_MAX && syscall_table[nr].fn) {
		r = syscall_table[nr].fn(t, a);
	} else {
		unimplemented[nr >= 0 && nr < SYSCALL_MAX ? nr : SYSCALL_MAX]++;
		r = -ENOSYS;
	}
	if (strace_fd >= 0)
		strace_exit(t, nr, a, r);
	t->regs.rax = (uint64_t)r;
	t->cur_nr = -1;
}

void syscall_report_unimplemented(int fd)
{
	char line[128];
	int i, n, any = 0;

	for (i = 0; i <= SYSCALL_MAX; i++) {
		const char *name;

		if (!unimplemented[i])
			continue;
		if (!any) {
			n = snprintf(line, sizeof(line), "cvisor: unimplemented system calls the program asked for:\n");
			host_write(fd, line, (size_t)n);
			any = 1;
		}
		name = i < SYSCALL_MAX ? strace_name(i) : NULL;
		if (i == SYSCALL_MAX)
			n = snprintf(line, sizeof(line), "  (out of range)  %lu\n", (unsigned long)unimplemented[i]);
		else
			n = snprintf(line, sizeof(line), "  %3d %-20s %lu\n", i, name ? name : "?",
				     (unsigned long)unimplemented[i]);
		host_write(fd, line, (size_t)n);
	}
}
