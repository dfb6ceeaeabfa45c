#pragma once
#include <stdint.h>
struct task;
/* Set by the CLI: the host fd strace lines go to (the sentry's stderr), or -1 when off. */
extern int strace_fd;
/* Name of x86-64 syscall nr, or NULL if unknown. */
const char *strace_name(long nr);
/* Called before the handler runs / after it returns. ret is the result: >= 0 or -errno. */
void strace_enter(struct task *t, long nr, const uint64_t args[6]);
void strace_exit(struct task *t, long nr, const uint64_t args[6], long ret);
