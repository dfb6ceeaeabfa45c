/*
 * The program loader: turns a file into a fresh address space with its
 * segments, interpreter and initial stack, as execve(2) does.
 */
#pragma once

#include "../../platform/platform.h"

struct task;
struct mm;
struct path;

/*
 * Loads the program at path (resolved in t's file system, with #! scripts
 * followed) into a new mm, with the given argument and environment strings
 * (sentry memory, NULL-terminated arrays).  On success *mmp holds the new
 * address space and regs the initial registers; t is not changed, so the
 * caller can still fail the exec cleanly.  Returns 0 or -errno.
 */
long loader_exec(struct task *t, const char *path, char *const argv[], char *const envp[], struct mm **mmp,
		 plat_regs *regs);
/*
 * The same for the file at (fexecve, or a magic link already followed), not
 * walked again: path is only its name.  at NULL: path is walked.
 */
long loader_exec_at(struct task *t, const struct path *at, const char *path, char *const argv[],
		    char *const envp[], struct mm **mmp, plat_regs *regs);

/*
 * Maps the vDSO into a new address space and returns its address for
 * AT_SYSINFO_EHDR (0: none), or -errno.  Set at start-up (vdso_map); NULL
 * means programs get no vDSO (the loader's unit test).
 */
extern long (*loader_map_vdso)(struct mm *mm);
