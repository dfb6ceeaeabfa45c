/*
 * Sentry diagnostics.  die() is for broken sentry invariants and host
 * failures the application did not cause: it prints the message and the
 * stack (crash.c), kills the sandbox and exits; the application never sees
 * it.  log_warn() is for host failures that can be survived; debug output
 * appears only with --debug.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

extern int log_debug_enabled;

__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug_(const char *fmt, ...);

#define log_debug(...)                            \
	do {                                      \
		if (log_debug_enabled)            \
			log_debug_(__VA_ARGS__);  \
	} while (0)

/* Installs the crash handler: stack trace and cleanup on a sentry fault. */
void crash_install(void);

/*
 * Writes a line naming the system call in flight, or "" if none, for die()
 * and the crash handler.  Set at start-up by the layer that knows tasks and
 * system call names (this file depends on nothing but the host wrappers); it
 * runs in a crash, so it takes no lock and allocates nothing.
 */
extern void (*crash_describe_inflight)(char *buf, size_t size);
/*
 * Kills and reaps the sandbox's other processes (stubs, gofer) after a crash
 * report, before the sentry exits; set at start-up like the one above.
 */
extern void (*crash_end_sandbox)(void);
