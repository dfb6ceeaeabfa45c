/*
 * Sentry diagnostics and crash handling.  A fault in the sentry (or a
 * forbidden host call, which the seccomp list turns into SIGSYS) prints
 * what happened, the system call in flight and a stack trace (libunwind),
 * then kills the stubs and the gofer and reaps them before it exits, so
 * that nothing is left running, nor a zombie for the host's pid 1.
 */
#define _GNU_SOURCE
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <elf.h>
#include <libunwind.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/host.h"
#include "log.h"
#include "timing.h"

int log_debug_enabled;
struct timing *timing_active;
void (*crash_describe_inflight)(char *buf, size_t size);
void (*crash_end_sandbox)(void);

static void out(const char *s)
{
	host_write(2, s, strlen(s));
}

/*
 * Walks the stack with libunwind and names frames with dladdr(), which reads
 * only the loader's in-memory tables: by the time we crash the vetted list
 * forbids opening files (libunwind's own names would need the ELF files).
 * Static functions show as module+offset, for addr2line.
 */
static void print_stack(void)
{
	unw_context_t uc;
	unw_cursor_t cur;
	char line[512];
	int depth = 0;

	if (unw_getcontext(&uc) < 0 || unw_init_local(&cur, &uc) < 0) {
		out("  (no stack trace)\n");
		return;
	}
	out("sentry stack:\n");
	while (unw_step(&cur) > 0 && depth++ < 64) {
		unw_word_t ip;
		Dl_info di;

		unw_get_reg(&cur, UNW_REG_IP, &ip);
		if (dladdr((void *)ip, &di) && di.dli_fname) {
			const char *mod = strrchr(di.dli_fname, '/');
			/* cvisor itself is not position independent (Makefile): addr2line takes its addresses as they are. */
			unw_word_t base = ((const Elf64_Ehdr *)di.dli_fbase)->e_type == ET_EXEC ? 0 : (unw_word_t)di.dli_fbase;

			snprintf(line, sizeof(line), "  #%-2d 0x%016lx %s+0x%lx %s%s\n", depth, (unsigned long)ip,
				 mod ? mod + 1 : di.dli_fname, (unsigned long)(ip - base),
				 di.dli_sname ? di.dli_sname : "", di.dli_sname ? "()" : "");
		} else {
			snprintf(line, sizeof(line), "  #%-2d 0x%016lx\n", depth, (unsigned long)ip);
		}
		out(line);
	}
}

static void print_inflight(void)
{
	char line[256] = "";

	if (crash_describe_inflight)
		crash_describe_inflight(line, sizeof(line));
	out(line);
}

void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out("cvisor: internal error: ");
	out(msg);
	out("\n");
	print_inflight();
	print_stack();
	out("cvisor: the sandbox was stopped; please report this with the lines above\n");
	if (crash_end_sandbox)
		crash_end_sandbox();
	_exit(1);
}

void log_warn(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out("cvisor: warning: ");
	out(msg);
	out("\n");
}

void timing_print(const char *(*sysname)(long nr))
{
	static const char *const names[TIMING_NPHASES] = {
		[TIMING_NAMESPACES] = "namespaces",   [TIMING_GOFER] = "gofer",
		[TIMING_ROOT] = "root",               [TIMING_KERNEL] = "kernel state",
		[TIMING_SECCOMP] = "seccomp",         [TIMING_STUB] = "stub",
		[TIMING_LOADER] = "loader",           [TIMING_FIRST] = "first instruction",
		[TIMING_RUN] = "program",             [TIMING_EXIT] = "exit",
		[TIMING_TEARDOWN] = "teardown",
	};
	const struct timing *t = timing_active;
	char line[192];
	int p;

	if (!t)
		return;
	out("cvisor: debug: start-up and exit, in microseconds:\n");
	for (p = 0; p < TIMING_NPHASES; p++) {
		snprintf(line, sizeof(line), "cvisor: debug:   %-18s %8.1f\n", names[p], (double)t->ns[p] / 1000.0);
		out(line);
	}
	snprintf(line, sizeof(line), "cvisor: debug:   %-18s %8.1f\n", "total", (double)(t->last - t->start) / 1000.0);
	out(line);
	snprintf(line, sizeof(line), "cvisor: debug: the application stopped for %llu system calls, %llu page faults, %llu others\n",
		 (unsigned long long)t->syscalls, (unsigned long long)t->faults, (unsigned long long)t->others);
	out(line);
	snprintf(line, sizeof(line),
		 "cvisor: debug: microseconds in the application %.1f (with the round trips); in the sentry on its "
		 "system calls %.1f, page faults %.1f, others %.1f\n",
		 (double)t->user_ns / 1000.0, (double)t->stop_ns[0] / 1000.0, (double)t->stop_ns[1] / 1000.0,
		 (double)t->stop_ns[2] / 1000.0);
	out(line);
	/* The ten system calls the sentry spent longest on, longest first. */
	{
		uint8_t shown[TIMING_NSYS] = {0};
		int k, nr, best;

		for (k = 0; k < 10; k++) {
			const char *name;
			char num[16];

			for (best = -1, nr = 0; nr < TIMING_NSYS; nr++)
				if (t->sys_n[nr] && !shown[nr] && (best < 0 || t->sys_ns[nr] > t->sys_ns[best]))
					best = nr;
			if (best < 0)
				break;
			if (k == 0)
				out("cvisor: debug: the system calls the sentry spent longest on, in microseconds:\n");
			shown[best] = 1;
			name = sysname ? sysname(best) : NULL;
			if (!name) {
				snprintf(num, sizeof(num), "#%d", best);
				name = num;
			}
			snprintf(line, sizeof(line), "cvisor: debug:   %-18s %8.1f in %u (%.1f each)\n", name,
				 (double)t->sys_ns[best] / 1000.0, t->sys_n[best],
				 (double)t->sys_ns[best] / 1000.0 / t->sys_n[best]);
			out(line);
		}
	}
}

void log_debug_(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out("cvisor: debug: ");
	out(msg);
	out("\n");
}

static void on_crash(int sig, siginfo_t *si, void *uc)
{
	char line[256];

	(void)uc;
	if (sig == SIGSYS)
		snprintf(line, sizeof(line),
			 "cvisor: the sentry made host system call %d, which is not on its vetted list"
			 " (or not with these arguments)\n",
			 si->si_syscall);
	else
		snprintf(line, sizeof(line), "cvisor: the sentry crashed: signal %d (%s) at address %p\n", sig,
			 strsignal(sig), si->si_addr);
	out(line);
	print_inflight();
	print_stack();
	out("cvisor: the sandbox was stopped; please report this with the lines above\n");
	if (crash_end_sandbox)
		crash_end_sandbox();
	_exit(1);
}

void crash_install(void)
{
	static char altstack[65536];
	stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
	struct sigaction sa;
	int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGSYS};
	size_t i;

	sigaltstack(&ss, NULL);
	/*
	 * Unwind once now: libunwind sets up what it needs (a pipe it checks
	 * addresses with) on first use, and later the vetted list forbids that.
	 */
	{
		unw_context_t uc;
		unw_cursor_t cur;

		if (unw_getcontext(&uc) == 0 && unw_init_local(&cur, &uc) == 0)
			unw_step(&cur);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_crash;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}
