/*
 * Futexes.  A waiter is keyed by (mm, address) for private futexes and
 * mappings, or by memory-file frame and offset for MAP_SHARED memory, so
 * that processes sharing a page meet on it.  Each waiter is woken alone (task_wake) by a wake of its key.
 * Locking: sentry_lock.
 */
#pragma once

#include <stdint.h>

#include "../../include/abi/abi.h"

struct task;

/*
 * Wakes up to n waiters on the futex at uaddr of t's address space, shared
 * or private as the page is (the kernel's own wakes: clear_child_tid, robust
 * lists).
 */
int futex_wake_addr(struct task *t, gva_t uaddr, int n);
/*
 * The thread's robust list (set_robust_list(2)), walked as Linux does at
 * every thread exit, exit_group, fatal signals and execve included: locks it
 * held are marked FUTEX_OWNER_DIED and a waiter is woken, so a mutex shared
 * with another process does not stay locked by the dead.  Bounded; a bad
 * pointer ends the walk.  Lock held.
 */
void futex_exit_robust_list(struct task *t);
