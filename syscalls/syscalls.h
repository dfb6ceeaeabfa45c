/*
 * The x86-64 system call table.  Every handler has one shape: the task and
 * its six raw argument registers; it returns the result or -errno, exactly
 * as Linux would.  Handlers check their arguments and call into the
 * subsystems; guest memory is reached only through mm_copy_* and mm_pin.
 */
#pragma once

#include <stdint.h>

struct task;

typedef long (*sys_fn)(struct task *t, const uint64_t *a);

/* A handler by number.  The names are strace.c's (strace_name): one table of them. */
struct syscall_desc {
	sys_fn fn;
};

#define SYSCALL_MAX 512

extern const struct syscall_desc syscall_table[SYSCALL_MAX];

/* Runs the system call in t->regs and stores its result there. */
void syscall_dispatch(struct task *t);

/* Tests only: non-zero makes the sentry fault while handling the next system call. */
extern int syscall_test_crash;
/*
 * Tests only: non-zero makes an execve fail past its point of no return
 * where it can (a vfork child's new context, a copy of signal actions
 * shared with another process), as if the host had no memory for them.
 */
extern int exec_test_failure;

/* With --debug: prints the unimplemented numbers asked for, with counts. */
void syscall_report_unimplemented(int fd);

/*
 * The task's own seccomp filters (sys_seccomp.c) on call nr, for a task
 * in strict or filter mode: 0 to make it, else 1 with its result in *r.
 */
int seccomp_filter_call(struct task *t, long nr, const uint64_t a[6], long *r);
/*
 * A seccomp SECCOMP_RET_TRAP for call nr (the application's filters or a
 * container's profile): SIGSYS with si_syscall, si_arch and data in
 * si_errno; returns what the call leaves in rax.
 */
long seccomp_trap(struct task *t, long nr, int data);
/*
 * A seccomp KILL_THREAD: the thread ends alone, as exit(2) would, unless
 * every other thread of its process is already leaving: then the process
 * is killed by SIGSYS, as Linux's.  Under the sentry lock, so two threads
 * killed at once see each other leave and one takes the process down.
 */
void seccomp_kill_thread(struct task *t);
/* prctl(PR_SET_SECCOMP, mode, prog). */
long seccomp_prctl_set(struct task *t, unsigned long mode, uint64_t uprog);

/* The pid a pidfd of t names, or -EBADF / -EINVAL (set as task_pidfd_pid). */
int pidfd_pid(struct task *t, int fd);
/* A new pidfd of t for the process tgid, with flags O_NONBLOCK and O_CLOEXEC (set as task_pidfd_new). */
long pidfd_new(struct task *t, int tgid, int flags);
/*
 * RLIMIT_FSIZE for a regular file growing from start to *end: at or past the
 * limit SIGXFSZ and -EFBIG; otherwise 0, with *end cut to the limit (sys_file.c).
 */
long rlimit_fsize(struct task *t, uint64_t start, uint64_t *end);

#define SYSCALL(name) long sys_##name(struct task *t, const uint64_t *a)

/* Numbers newer than the build host's <asm/unistd_64.h>. */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

/* Handlers, by family (sys_<family>.c). */
#define X(name) SYSCALL(name);
#include "list.h"
#undef X
