/*
 * Futexes.  A waiter is keyed by (mm, address) for private futexes and
 * mappings, or by memory-file frame and offset for MAP_SHARED memory, so
 * that processes sharing a page meet on it.  Waiters sleep on task_cond.
 * Locking: sentry_lock.
 */
#pragma once

#include <stdint.h>

#include "../../include/abi/abi.h"

struct task;

/* Wakes up to n waiters on the private futex at uaddr of t's address space. */
int futex_wake_addr(struct task *t, gva_t uaddr, int n);
