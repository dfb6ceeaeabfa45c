/*
 * --strace: every system call of the application, one line each, with its
 * arguments decoded and its result, in the shape strace(1) prints:
 *
 *   [pid 1] openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
 *   [pid 1] read(3, "root:x:0:0:root:/root:/bin/bash\n"..., 4096) = 1234
 *   [pid 1] openat(AT_FDCWD, "/nope", O_RDONLY) = -1 ENOENT (No such file or directory)
 *
 * A line is printed when the call returns, so output arguments (read's
 * buffer, fstat's struct) show what the call wrote.  execve, execveat, exit
 * and exit_group print at entry with " = ?", because they do not return to
 * the caller when they succeed (a failed execve adds a "resumed" line).
 *
 * Guest memory is read only through mm_copy_in/mm_strncpy_in; an argument
 * that cannot be read prints as its address.  Nothing here keeps state
 * between calls, so threads may trace concurrently; each line is one
 * host_write of at most 1 KiB.
 */
#pragma once

#include <stdint.h>

struct task;

/* Set by the CLI: the host fd strace lines go to (the sentry's stderr), or -1 when off. */
extern int strace_fd;

/*
 * Name of x86-64 syscall nr ("read"), or NULL if the number is unknown.
 * A lookup in a constant table: safe from a crash handler.
 */
const char *strace_name(long nr);

/*
 * Called before the handler runs / after it returns, with the same six raw
 * arguments.  ret is the result: >= 0 or -errno (ERESTART* codes included).
 * Both do nothing useful unless strace_fd >= 0.
 */
void strace_enter(struct task *t, long nr, const uint64_t args[6]);
void strace_exit(struct task *t, long nr, const uint64_t args[6], long ret);
