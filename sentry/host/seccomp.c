/*
 * The vetted list: every host system call the sentry may make once the
 * application can run, with its argument limits and the reason it is
 * needed.  It is installed with libseccomp on every sentry thread (TSYNC)
 * before the first application instruction; any other call raises SIGSYS,
 * which the crash handler reports before the sandbox exits.  Stubs inherit
 * it and add their own, narrower filter (platform/ptrace/ptrace.c).
 *
 * Adding an entry needs a reason a reviewer can check against the code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <elf.h>
#include <linux/falloc.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <termios.h>

#include "host.h"

struct rule {
	const char *name;
	const char *reason;
	int argc;                    /* 0: any arguments */
	struct scmp_arg_cmp args[2]; /* all must hold */
};

#define ANY(n, why) {n, why, 0, {{0}}}
/* Limited to the gofer's socket, whose number is only known at start-up. */
#define GOFER(n, why) {n, why, -1, {{0}}}
#define ONE(n, why, c) {n, why, 1, {c}}
#define TWO(n, why, c1, c2) {n, why, 2, {c1, c2}}

/*
 * A pid (kill) in 0..INT_MAX as the kernel reads it (an int, from the low
 * half of the register): no -1 and no process group.  The sentry is pid 1
 * of a pid namespace of its own (runsc-shim/confine.c), so a pid names
 * only the sandbox's stubs, and so do tgkill's (which refuses ids <= 0).
 * kill(0) would name cvisor's process group, where only processes running
 * as the sentry's unprivileged host uid could be reached (none, normally):
 * libseccomp cannot add "and not 0" on the same argument.
 */
#define PID_ONLY SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff80000000ULL, 0)
/* The ptrace platform's options, as platform/ptrace/ptrace.c sets them. */
#define STUB_OPTIONS (PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)

static const struct rule rules[] = {
	ANY("read", "host stdio donated to the sandbox"),
	ANY("write", "host stdio, diagnostics"),
	ANY("readv", "host stdio reads straight into application memory"),
	ANY("writev", "host stdio writes straight from application memory"),
	ANY("preadv", "gofer files read straight into application memory"),
	ANY("pwritev", "gofer files written straight from application memory (--overlay=none)"),
	GOFER("sendmsg", "ask the gofer to open a file (the sentry itself opens nothing)"),
	GOFER("recvmsg", "the gofer's answer, with the fd it opened"),
	ANY("close", "gofer fds"),
	ANY("lseek", "rewind a gofer directory fd to list it"),
	ANY("fstat", "attributes of gofer files and stdio"),
	ONE("newfstatat", "glibc's fstat (stdio buffering of diagnostics): AT_EMPTY_PATH only, no path",
	    SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	ANY("getdents64", "gofer directory listings"),
	ANY("readlinkat", "gofer symlink targets (empty path on an O_PATH fd)"),
	ANY("flistxattr", "the image's extended attributes, on gofer fds (no path)"),
	ANY("fgetxattr", "the image's extended attributes, on gofer fds (no path)"),
	ONE("ioctl", "terminal attributes of donated stdio", SCMP_A1(SCMP_CMP_EQ, TCGETS)),
	ONE("ioctl", "terminal size of donated stdio", SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)),
	ONE("ioctl", "-t: give the caller's terminal back as it was", SCMP_A1(SCMP_CMP_EQ, TCSETS)),
	ONE("fcntl", "gofer: is this fd readable or only a path", SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
	ONE("fallocate", "memory file: give freed pages back to the host",
	    SCMP_A1(SCMP_CMP_EQ, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)),
	ANY("mmap", "sentry heap; stubs map memory-file frames for the application"),
	ANY("munmap", "sentry heap; stubs unmap application memory"),
	ANY("mprotect", "sentry heap guard pages; stubs change application protections"),
	ANY("mremap", "glibc realloc of large sentry allocations"),
	ANY("madvise", "glibc returns freed sentry heap"),
	ANY("brk", "sentry heap"),
	ANY("getrandom", "entropy for AT_RANDOM, getrandom and /dev/urandom"),
	/* The ptrace platform's requests, and no other: no PEEK/POKE, no PTRACE_ATTACH. */
	ONE("ptrace", "a new stub asks to be traced, before its own filter", SCMP_A0(SCMP_CMP_EQ, PTRACE_TRACEME)),
	TWO("ptrace", "a new stub's options: dies with its tracer, syscall stops marked",
	    SCMP_A0(SCMP_CMP_EQ, PTRACE_SETOPTIONS), SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS)),
	TWO("ptrace", "a stub thread's last stop: its exit", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETOPTIONS),
	    SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS | PTRACE_O_TRACEEXIT)),
	TWO("ptrace", "take over a new stub thread", SCMP_A0(SCMP_CMP_EQ, PTRACE_SEIZE),
	    SCMP_A3(SCMP_CMP_EQ, STUB_OPTIONS)),
	ONE("ptrace", "stop a new stub thread", SCMP_A0(SCMP_CMP_EQ, PTRACE_INTERRUPT)),
	ONE("ptrace", "run application code to its next system call", SCMP_A0(SCMP_CMP_EQ, PTRACE_SYSEMU)),
	ONE("ptrace", "run stub code (batches, clone, exit)", SCMP_A0(SCMP_CMP_EQ, PTRACE_CONT)),
	ONE("ptrace", "a stub thread's registers", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETREGS)),
	ONE("ptrace", "set a stub thread's registers", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETREGS)),
	ONE("ptrace", "why a stub thread stopped", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETSIGINFO)),
	TWO("ptrace", "a stub thread's FPU state (xsave), for signal frames", SCMP_A0(SCMP_CMP_EQ, PTRACE_GETREGSET),
	    SCMP_A2(SCMP_CMP_EQ, NT_X86_XSTATE)),
	TWO("ptrace", "set a stub thread's FPU state", SCMP_A0(SCMP_CMP_EQ, PTRACE_SETREGSET),
	    SCMP_A2(SCMP_CMP_EQ, NT_X86_XSTATE)),
	ONE("ptrace", "let a stub thread go at its exit", SCMP_A0(SCMP_CMP_EQ, PTRACE_DETACH)),
	ANY("wait4", "the ptrace platform: stub stops"),
	TWO("kill", "kill a stub process", PID_ONLY, SCMP_A1(SCMP_CMP_EQ, SIGKILL)),
	ONE("tgkill", "interrupt a stub thread", SCMP_A2(SCMP_CMP_EQ, SIGSTOP)),
	ONE("tgkill", "abort() on a broken sentry invariant", SCMP_A2(SCMP_CMP_EQ, SIGABRT)),
	ANY("sched_setaffinity", "put tracer and stub on one CPU"),
	ANY("clock_gettime", "the sandbox's clocks when the vDSO falls back"),
	ANY("nanosleep", "nanosleep and clock_nanosleep of the application"),
	ANY("gettid", "own thread id"),
	ANY("getpid", "own pid, checked by new stubs"),
	ANY("getppid", "a new stub checks its parent is still alive"),
	ONE("clone", "fork a new stub (no shared state)", SCMP_A0(SCMP_CMP_EQ, SIGCHLD)),
	ONE("clone", "a host thread per application task (pthread_create)",
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)),
	ANY("set_robust_list", "glibc's start of a new sentry thread"),
	ONE("prctl", "a new stub dies with its tracer", SCMP_A0(SCMP_CMP_EQ, PR_SET_PDEATHSIG)),
	ONE("prctl", "a new stub takes no privileges", SCMP_A0(SCMP_CMP_EQ, PR_SET_NO_NEW_PRIVS)),
	ANY("rseq", "a new stub drops the rseq area it inherited from the sentry thread"),
	ANY("pause", "a new stub thread waits for its tracer"),
	ANY("setsid", "a new stub leaves cvisor's session (no terminal signals)"),
	ANY("close_range", "a new stub keeps only the memory file"),
	ANY("seccomp", "a new stub installs its own, narrower filter"),
	ANY("exit", "sentry thread exit"),
	ANY("exit_group", "sentry exit; stub batch failure"),
	ANY("rt_sigaction", "crash handler"),
	ANY("rt_sigprocmask", "glibc; a new stub clears its mask"),
	ANY("rt_sigreturn", "return from the crash handler"),
	ANY("sigaltstack", "crash handler stack"),
	ANY("mincore", "libunwind checks an address is mapped before reading it (crash stack traces)"),
	ANY("futex", "the sentry lock and its condition variables"),
	ANY("rt_sigtimedwait", "take the signals cvisor receives, for the sandbox (sigwait)"),
};

/*
 * Sanitizer runtimes (make asan) make host calls of their own from every
 * thread (/proc/self/maps, sched_getaffinity...): in such a build calls off
 * the list are allowed, so the sanitizers can do their work, and
 * --print-host-syscalls says so.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define OFF_LIST SCMP_ACT_ALLOW
#define OFF_LIST_SAYS "sanitizer build: the list is not enforced, any other call is allowed"
#else
#define OFF_LIST SCMP_ACT_TRAP
#define OFF_LIST_SAYS "any other kills the sandbox"
#endif

int host_seccomp_install(int gofer_sock)
{
	scmp_filter_ctx ctx = seccomp_init(OFF_LIST);
	size_t i;
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (i = 0; r == 0 && OFF_LIST != SCMP_ACT_ALLOW && i < sizeof(rules) / sizeof(rules[0]); i++) {
		int nr = seccomp_syscall_resolve_name(rules[i].name);

		if (nr == __NR_SCMP_ERROR) {
			r = -EINVAL;
			break;
		}
		if (rules[i].argc < 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)gofer_sock));
		else
			r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, (unsigned)rules[i].argc, rules[i].args);
	}
	/* The sentry's own pthread_create tries clone3 first and falls back to clone on ENOSYS. */
	if (r == 0 && OFF_LIST != SCMP_ACT_ALLOW)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name("clone3"), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

void host_seccomp_print(int fd)
{
	char line[256];
	size_t i, distinct = 0;
	int n;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (i == 0 || strcmp(rules[i].name, rules[i - 1].name))
			distinct++;
		n = snprintf(line, sizeof(line), "%-18s %s%s\n", rules[i].name, rules[i].reason,
			     rules[i].argc < 0 ? " (the gofer's socket only)" : rules[i].argc ? " (arguments limited)" : "");
		host_write(fd, line, (size_t)n);
	}
	n = snprintf(line, sizeof(line), "%zu host system calls allowed; %s\n", distinct, OFF_LIST_SAYS);
	host_write(fd, line, (size_t)n);
}
