/*
 * The vetted list: every host system call the sentry may make once the
 * application can run, with its argument limits and the reason it is
 * needed.  It is installed with libseccomp on every sentry thread (TSYNC)
 * before the first application instruction; any other call raises SIGSYS,
 * which the crash handler reports before the sandbox exits.  The rules
 * below are the sentry's own; a platform adds the host calls it makes
 * (struct platform's host_rules: platform/ptrace/ptrace.c has its stubs'
 * and its tracer's), merged into the same filter.  Stubs inherit it and
 * add their own, narrower filter.
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
#include <sys/socket.h>
#include <sys/ptrace.h>
#include <termios.h>

#include "host.h"
#include "seccomp.h"

#define ANY HOST_ANY
#define GOFER HOST_GOFER
#define ONE HOST_ONE
#define PACK HOST_PACKET

static const struct host_rule rules[] = {
	ANY("write", "host stdio, diagnostics"),
	ANY("readv", "host stdio reads straight into application memory, and read(2)'s into the sentry's "
		     "(as a readv of one buffer: read itself is not on the list)"),
	ANY("writev", "host stdio writes straight from application memory"),
	PACK("recvmmsg", "the veth's frames, up to 32 a call, waiting for the first (a TPACKET ring would also need "
			 "poll, and memory the host writes)",
	     SCMP_A3(SCMP_CMP_EQ, MSG_WAITFORONE)),
	PACK("sendmmsg", "the veth's frames of one pass of the stack (received frames answered, a pass of TCP's "
			 "output), in one call",
	     SCMP_A3(SCMP_CMP_EQ, 0)),
	ANY("preadv", "gofer files read straight into application memory"),
	ANY("pwritev", "gofer files written straight from application memory (--overlay=none)"),
	GOFER("sendmsg", "ask the gofer to open a file (the sentry itself opens nothing)"),
	GOFER("recvmsg", "the gofer's answer, with the fd it opened"),
	ANY("close", "gofer fds"),
	ANY("lseek", "rewind a gofer directory fd to list it; SEEK_DATA/SEEK_HOLE of a gofer file (the host's holes)"),
	ONE("newfstatat", "attributes of gofer files and stdio, as fstat (glibc's too): AT_EMPTY_PATH only",
	    SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	ANY("getdents64", "gofer directory listings"),
	ANY("readlinkat", "gofer symlink targets (empty path on an O_PATH fd)"),
	ANY("flistxattr", "the image's extended attributes, on gofer fds (no path)"),
	ANY("fgetxattr", "the image's extended attributes, on gofer fds (no path)"),
	ONE("ioctl", "terminal attributes of donated stdio", SCMP_A1(SCMP_CMP_EQ, TCGETS)),
	ONE("ioctl", "terminal size of donated stdio and of an OCI exec's terminal", SCMP_A1(SCMP_CMP_EQ, TIOCGWINSZ)),
	ONE("ioctl", "-t: give the caller's terminal back as it was", SCMP_A1(SCMP_CMP_EQ, TCSETS)),
	ONE("fcntl", "gofer: is this fd readable or only a path", SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
	ANY("sendfile", "fill memory-file frames from gofer files in the host kernel (the sentry's own first touch of a "
			"frame is a host page fault)"),
	ONE("fallocate", "memory file: give freed pages back to the host",
	    SCMP_A1(SCMP_CMP_EQ, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)),
	ANY("mmap", "sentry heap; the platform's mappings of memory-file frames for the application"),
	ANY("munmap", "sentry heap; the platform unmaps application memory"),
	ANY("mprotect", "sentry heap guard pages; the platform changes application protections"),
	ANY("mremap", "glibc realloc of large sentry allocations"),
	ANY("madvise", "glibc returns freed sentry heap"),
	ANY("brk", "sentry heap"),
	ANY("getrandom", "entropy for AT_RANDOM, getrandom and /dev/urandom"),
	ONE("tgkill", "abort() on a broken sentry invariant", SCMP_A2(SCMP_CMP_EQ, SIGABRT)),
	ANY("clock_gettime", "the sandbox's clocks when the vDSO falls back"),
	ANY("wait4", "reap the sandbox's processes at its end"),
	ANY("restart_syscall", "the host kernel resumes a sentry thread's interrupted timed wait this way "
			       "after cvisor is stopped and continued (kill -STOP/-CONT, a debugger)"),
	ANY("gettid", "own thread id"),
	ANY("getpid", "own pid (glibc's abort, the platform)"),
	ONE("clone", "a host thread per application task (pthread_create)",
	    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)),
	ANY("set_robust_list", "glibc's start of a new sentry thread"),
	ANY("rseq", "glibc's start of a new sentry thread registers its rseq area (the ptrace platform listed it, for its stubs)"),
	ANY("exit", "sentry thread exit"),
	ANY("exit_group", "sentry exit; the platform's failures"),
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

/* Adds rules to ctx: 0 or a libseccomp error. */
static int add_rules(scmp_filter_ctx ctx, const struct host_rule *r, size_t n, const int *socks, size_t nsocks,
		     int packet_fd, const int file_sock[2])
{
	size_t i, k;
	int ret = 0;

	for (i = 0; ret == 0 && i < n; i++) {
		int nr = seccomp_syscall_resolve_name(r[i].name);

		if (nr == __NR_SCMP_ERROR)
			return -EINVAL;
		if (r[i].argc <= -2) {
			/* One fd known at start-up (none: the rule allows nothing), and one more condition. */
			int fd = r[i].argc == -2 ? packet_fd : file_sock[r[i].argc == -4];

			if (fd >= 0)
				ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 2, SCMP_A0(SCMP_CMP_EQ, (unsigned)fd),
						       r[i].args[0]);
		} else if (r[i].argc < 0) {
			for (k = 0; ret == 0 && k < nsocks; k++)
				ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_A0(SCMP_CMP_EQ, (unsigned)socks[k]));
		} else {
			ret = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, (unsigned)r[i].argc, r[i].args);
		}
	}
	return ret;
}

int host_seccomp_install(const int *socks, size_t nsocks, int packet_fd, const int file_sock[2],
			 const struct host_rules *extra)
{
	scmp_filter_ctx ctx = seccomp_init(OFF_LIST);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (r == 0 && OFF_LIST != SCMP_ACT_ALLOW) {
		r = add_rules(ctx, rules, sizeof(rules) / sizeof(rules[0]), socks, nsocks, packet_fd, file_sock);
		if (r == 0 && extra)
			r = add_rules(ctx, extra->rules, extra->n, socks, nsocks, packet_fd, file_sock);
	}
	/* The sentry's own pthread_create tries clone3 first and falls back to clone on ENOSYS. */
	if (r == 0 && OFF_LIST != SCMP_ACT_ALLOW)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name("clone3"), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static void print_rules(int fd, const char *part, const struct host_rule *r, size_t n)
{
	char line[300];
	size_t i;
	int len;

	for (i = 0; i < n; i++) {
		len = snprintf(line, sizeof(line), "%-18s %-16s %s%s\n", r[i].name, part, r[i].reason,
			       r[i].argc == -2 ? " (the veth's packet socket only, arguments limited)"
			       : r[i].argc == -3 ? " (the sentry's end of the stubs' file socket only, arguments limited)"
			       : r[i].argc == -4 ? " (the stubs' end of the file socket only, arguments limited)"
			       : r[i].argc < 0 ? " (the gofers' sockets only)"
			       : r[i].argc     ? " (arguments limited)"
					       : "");
		host_write(fd, line, (size_t)len);
	}
}

/* Is name among the first n rules of r? */
static int named_in(const char *name, const struct host_rule *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(r[i].name, name))
			return 1;
	return 0;
}

void host_seccomp_print(int fd, const struct host_rules *extra)
{
	size_t nrules = sizeof(rules) / sizeof(rules[0]), i, distinct = 0;
	char line[256];
	int n;

	print_rules(fd, "sentry", rules, nrules);
	if (extra)
		print_rules(fd, extra->part, extra->rules, extra->n);
	for (i = 0; i < nrules; i++)
		distinct += !named_in(rules[i].name, rules, i);
	for (i = 0; extra && i < extra->n; i++)
		distinct += !named_in(extra->rules[i].name, rules, nrules) &&
			    !named_in(extra->rules[i].name, extra->rules, i);
	n = snprintf(line, sizeof(line), "%zu host system calls allowed; %s\n", distinct, OFF_LIST_SAYS);
	host_write(fd, line, (size_t)n);
}
