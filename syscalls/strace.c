/*
 * --strace: each system call of the application, decoded, with its result,
 * one line each, as strace(1) prints them.  Names come from libseccomp's
 * table of the x86-64 ABI; arguments are decoded from a small format per
 * call.  Guest memory is read only through mm_copy_in/mm_strncpy_in, and a
 * pointer that cannot be read prints as an address, as strace does.
 *
 * Calls that do not return (execve, exit, exit_group, rt_sigreturn) print
 * at entry; everything else prints at exit, when output buffers are filled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "strace.h"

int strace_fd = -1;

#define MAXNR 512
static const char *names[MAXNR];
static char resolved[MAXNR];

const char *strace_name(long nr)
{
	if (nr < 0 || nr >= MAXNR)
		return NULL;
	if (!resolved[nr]) {
		/* libseccomp knows the ABI's names; it allocates, so each is looked up once. */
		names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, (int)nr);
		resolved[nr] = 1;
	}
	return names[nr];
}

/*
 * Argument kinds, a letter each:
 *   d int   u unsigned   x hex   p pointer   f dirfd (AT_FDCWD)   s string in
 *   i buffer in (length: next argument)   o buffer out (length: the result)
 *   O open flags   m mode (octal)   P mmap prot   M mmap flags   S signal
 *   W lseek whence   A access mode   v argv-like string array   -: not shown
 */
static const char *const formats[MAXNR] = {
	[SYS_read] = "dou", [SYS_write] = "diu", [SYS_open] = "sOm", [SYS_close] = "d",
	[SYS_stat] = "sp", [SYS_fstat] = "dp", [SYS_lstat] = "sp", [SYS_poll] = "pud",
	[SYS_lseek] = "ddW", [SYS_mmap] = "xuPMdx", [SYS_mprotect] = "xuP", [SYS_munmap] = "xu",
	[SYS_brk] = "x", [SYS_rt_sigaction] = "Sppu", [SYS_rt_sigprocmask] = "dppu",
	[SYS_rt_sigreturn] = "", [SYS_ioctl] = "dxx", [SYS_pread64] = "doud", [SYS_pwrite64] = "diud",
	[SYS_readv] = "dpd", [SYS_writev] = "dpd", [SYS_access] = "sA", [SYS_pipe] = "p",
	[SYS_select] = "dpppp", [SYS_sched_yield] = "", [SYS_mremap] = "xuuxx", [SYS_madvise] = "xud",
	[SYS_dup] = "d", [SYS_dup2] = "dd", [SYS_pause] = "", [SYS_nanosleep] = "pp", [SYS_getpid] = "",
	[SYS_socket] = "ddd", [SYS_connect] = "dpu", [SYS_accept] = "dpp", [SYS_sendto] = "diuxpu",
	[SYS_recvfrom] = "douxpp", [SYS_sendmsg] = "dpx", [SYS_recvmsg] = "dpx", [SYS_shutdown] = "dd",
	[SYS_bind] = "dpu", [SYS_listen] = "dd", [SYS_socketpair] = "dddp", [SYS_clone] = "xpppx",
	[SYS_fork] = "", [SYS_vfork] = "", [SYS_execve] = "svv", [SYS_exit] = "d", [SYS_wait4] = "dpxp",
	[SYS_kill] = "dS", [SYS_uname] = "p", [SYS_fcntl] = "ddx", [SYS_flock] = "dd", [SYS_fsync] = "d",
	[SYS_truncate] = "sd", [SYS_ftruncate] = "dd", [SYS_getdents64] = "dpu", [SYS_getcwd] = "pu",
	[SYS_chdir] = "s", [SYS_fchdir] = "d", [SYS_rename] = "ss", [SYS_mkdir] = "sm", [SYS_rmdir] = "s",
	[SYS_link] = "ss", [SYS_unlink] = "s", [SYS_symlink] = "ss", [SYS_readlink] = "sou",
	[SYS_chmod] = "sm", [SYS_fchmod] = "dm", [SYS_chown] = "sdd", [SYS_umask] = "m",
	[SYS_gettimeofday] = "pp", [SYS_getrlimit] = "dp", [SYS_getrusage] = "dp", [SYS_sysinfo] = "p",
	[SYS_getuid] = "", [SYS_getgid] = "", [SYS_geteuid] = "", [SYS_getegid] = "", [SYS_setpgid] = "dd",
	[SYS_getppid] = "", [SYS_getpgrp] = "", [SYS_setsid] = "", [SYS_sigaltstack] = "pp",
	[SYS_arch_prctl] = "xx", [SYS_prctl] = "dxxxx", [SYS_gettid] = "", [SYS_tkill] = "dS",
	[SYS_futex] = "pdxpx", [SYS_sched_getaffinity] = "dup", [SYS_set_tid_address] = "p",
	[SYS_clock_gettime] = "dp", [SYS_clock_nanosleep] = "ddpp", [SYS_exit_group] = "d",
	[SYS_epoll_wait] = "dpdd", [SYS_epoll_ctl] = "dddp", [SYS_tgkill] = "ddS", [SYS_openat] = "fsOm",
	[SYS_mkdirat] = "fsm", [SYS_newfstatat] = "fspx", [SYS_unlinkat] = "fsx", [SYS_renameat] = "fsfs",
	[SYS_linkat] = "fsfsx", [SYS_symlinkat] = "sfs", [SYS_readlinkat] = "fsou", [SYS_fchmodat] = "fsm",
	[SYS_faccessat] = "fsA", [SYS_pselect6] = "dppppp", [SYS_ppoll] = "pupp", [SYS_set_robust_list] = "pu",
	[SYS_utimensat] = "fspx", [SYS_epoll_pwait] = "dpddpu", [SYS_eventfd2] = "ux", [SYS_epoll_create1] = "x",
	[SYS_dup3] = "ddx", [SYS_pipe2] = "px", [SYS_prlimit64] = "ddpp", [SYS_getrandom] = "pux",
	[SYS_memfd_create] = "sx", [SYS_statx] = "fsxxp", [SYS_rseq] = "puxx", [SYS_clone3] = "pu",
	[SYS_faccessat2] = "fsAx", [SYS_close_range] = "ddx", [SYS_execveat] = "fsvvx", [SYS_renameat2] = "fsfsx",
	[SYS_fadvise64] = "dddd", [SYS_accept4] = "dppx", [SYS_getsockname] = "dpp", [SYS_getpeername] = "dpp",
	[SYS_setsockopt] = "dddpu", [SYS_getsockopt] = "dddpp", [SYS_sendfile] = "ddpu",
};

struct line {
	char s[1024];
	size_t n;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->n >= sizeof(l->s) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->s + l->n, sizeof(l->s) - l->n, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->n += (size_t)n < sizeof(l->s) - l->n ? (size_t)n : sizeof(l->s) - 1 - l->n;
}

/* A guest buffer as a quoted, escaped string of at most 32 bytes. */
static void put_buf(struct line *l, struct task *t, gva_t p, uint64_t len)
{
	unsigned char b[32];
	size_t n = len < sizeof(b) ? (size_t)len : sizeof(b), i;

	if (mm_copy_in(t->mm, b, p, n) < 0) {
		put(l, "%#lx", (unsigned long)p);
		return;
	}
	put(l, "\"");
	for (i = 0; i < n; i++) {
		unsigned char c = b[i];

		if (c == '\n')
			put(l, "\\n");
		else if (c == '\t')
			put(l, "\\t");
		else if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c >= 32 && c < 127)
			put(l, "%c", c);
		else
			put(l, "\\%o", c);
	}
	put(l, "\"%s", len > n ? "..." : "");
}

static void put_str(struct line *l, struct task *t, gva_t p)
{
	char s[256];
	long r = mm_strncpy_in(t->mm, s, p, sizeof(s));

	if (r == -EFAULT || !p)
		put(l, p ? "%#lx" : "NULL", (unsigned long)p);
	else if (r < 0)
		put(l, "\"%.*s\"...", (int)sizeof(s), s);
	else
		put_buf(l, t, p, (uint64_t)r);
}

struct flagname {
	uint64_t bit;
	const char *name;
};

static void put_flags(struct line *l, uint64_t v, const struct flagname *f)
{
	int any = 0;

	for (; f->name; f++) {
		if (f->bit && (v & f->bit) == f->bit) {
			put(l, "%s%s", any ? "|" : "", f->name);
			v &= ~f->bit;
			any = 1;
		}
	}
	if (v || !any)
		put(l, "%s%#lx", any ? "|" : "", (unsigned long)v);
}

static const struct flagname open_flags[] = {
	{O_CREAT, "O_CREAT"}, {O_EXCL, "O_EXCL"},
	{O_NOCTTY, "O_NOCTTY"}, {O_TRUNC, "O_TRUNC"}, {O_APPEND, "O_APPEND"}, {O_NONBLOCK, "O_NONBLOCK"},
	{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_CLOEXEC, "O_CLOEXEC"}, {O_PATH, "O_PATH"},
	{O_LARGEFILE, "O_LARGEFILE"}, {O_NOATIME, "O_NOATIME"}, {0, NULL}};
static const struct flagname prot_flags[] = {
	{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"}, {0, NULL}};
static const struct flagname map_flags[] = {
	{MAP_SHARED, "MAP_SHARED"}, {MAP_PRIVATE, "MAP_PRIVATE"}, {MAP_FIXED, "MAP_FIXED"},
	{MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {MAP_DENYWRITE, "MAP_DENYWRITE"}, {MAP_STACK, "MAP_STACK"},
	{MAP_NORESERVE, "MAP_NORESERVE"}, {MAP_POPULATE, "MAP_POPULATE"}, {MAP_GROWSDOWN, "MAP_GROWSDOWN"},
	{MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}, {0, NULL}};

static void put_arg(struct line *l, struct task *t, char kind, uint64_t v, uint64_t next, long ret)
{
	switch (kind) {
	case 'd': put(l, "%d", (int)v); break;
	case 'u': put(l, "%lu", (unsigned long)v); break;
	case 'x': put(l, "%#lx", (unsigned long)v); break;
	case 'p': put(l, v ? "%#lx" : "NULL", (unsigned long)v); break;
	case 'f': if ((int)v == AT_FDCWD) put(l, "AT_FDCWD"); else put(l, "%d", (int)v); break;
	case 's': put_str(l, t, v); break;
	case 'i': put_buf(l, t, v, next); break;
	case 'o':
		if (ret >= 0)
			put_buf(l, t, v, (uint64_t)ret);
		else
			put(l, "%#lx", (unsigned long)v);
		break;
	case 'O':
		put(l, "%s", (v & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : (v & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDWR");
		v &= ~(uint64_t)O_ACCMODE;
		if (v) {
			put(l, "|");
			put_flags(l, v, open_flags);
		}
		break;
	case 'm': put(l, "%#lo", (unsigned long)v); break;
	case 'P': if (!v) put(l, "PROT_NONE"); else put_flags(l, v, prot_flags); break;
	case 'M': put_flags(l, v, map_flags); break;
	case 'S': {
		const char *n = (int)v > 0 && (int)v < 32 ? sigabbrev_np((int)v) : NULL;

		if (n)
			put(l, "SIG%s", n);
		else
			put(l, "%d", (int)v);
		break;
	}
	case 'W':
		if ((int)v >= 0 && (int)v <= 2)
			put(l, "%s", (int)v == 0 ? "SEEK_SET" : (int)v == 1 ? "SEEK_CUR" : "SEEK_END");
		else
			put(l, "%d", (int)v);
		break;
	case 'A':
		if (!v)
			put(l, "F_OK");
		else
			put(l, "%s%s%s", v & 4 ? "R_OK" : "", v & 2 ? (v & 4 ? "|W_OK" : "W_OK") : "",
			    v & 1 ? (v & 6 ? "|X_OK" : "X_OK") : "");
		break;
	case 'v': {
		uint64_t p;
		int i;

		put(l, "[");
		for (i = 0; i < 8; i++) {
			if (mm_copy_in(t->mm, &p, v + (uint64_t)i * 8, 8) < 0 || !p)
				break;
			put(l, "%s", i ? ", " : "");
			put_str(l, t, p);
		}
		put(l, i == 8 ? ", ...]" : "]");
		break;
	}
	default: put(l, "%#lx", (unsigned long)v);
	}
}

static void print(struct task *t, long nr, const uint64_t a[6], long ret, int returned)
{
	const char *name = strace_name(nr), *fmt = nr >= 0 && nr < MAXNR ? formats[nr] : NULL;
	struct line l = {.n = 0};
	int i;

	put(&l, "[pid %d] ", t->tid);
	if (name)
		put(&l, "%s(", name);
	else
		put(&l, "syscall_%#lx(", (unsigned long)nr);
	if (fmt) {
		for (i = 0; fmt[i] && i < 6; i++) {
			if (i)
				put(&l, ", ");
			put_arg(&l, t, fmt[i], a[i], i < 5 ? a[i + 1] : 0, ret);
		}
	} else {
		for (i = 0; i < 6; i++)
			put(&l, "%s%#lx", i ? ", " : "", (unsigned long)a[i]);
	}
	if (!returned)
		put(&l, ") = ?\n");
	else if (ret < 0 && ret > -4096)
		put(&l, ") = -1 %s (%s)\n", strerrorname_np((int)-ret) ? strerrorname_np((int)-ret) : "E?",
		    strerror((int)-ret));
	else if (nr == SYS_mmap || nr == SYS_brk || nr == SYS_mremap)
		put(&l, ") = %#lx\n", (unsigned long)ret);
	else
		put(&l, ") = %ld\n", ret);
	if (l.n && l.s[l.n - 1] != '\n')
		l.s[l.n - 1] = '\n';
	host_write(strace_fd, l.s, l.n);
}

static int no_return(long nr)
{
	return nr == SYS_execve || nr == SYS_execveat || nr == SYS_exit || nr == SYS_exit_group ||
	       nr == SYS_rt_sigreturn;
}

void strace_enter(struct task *t, long nr, const uint64_t args[6])
{
	if (no_return(nr))
		print(t, nr, args, 0, 0);
}

void strace_exit(struct task *t, long nr, const uint64_t args[6], long ret)
{
	if (!no_return(nr) || (nr == SYS_execve || nr == SYS_execveat ? ret < 0 : 0))
		print(t, nr, args, ret, 1);
}
