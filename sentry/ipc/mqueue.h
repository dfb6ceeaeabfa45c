/*
 * POSIX message queues (see mqueue.c).  Each call is a whole system call
 * once its pointers were read (names, attributes, the sigevent and the
 * timeouts, validated); the messages are read and written here.  mq_open
 * gives a new file for the caller to install.  Lock: sentry_lock.
 */
#pragma once

#include <signal.h>
#include <stdint.h>

#include "../../include/abi/abi.h"
#include "../../include/abi/ipc.h"

struct task;
struct file;

long ipc_mq_open(struct task *t, const char *name, int oflag, uint32_t mode, const struct abi_mq_attr *attr,
		 struct file **out);
long ipc_mq_unlink(struct task *t, const char *name);
/* abs: the absolute CLOCK_REALTIME timeout, or NULL. */
long ipc_mq_timedsend(struct task *t, int fd, gva_t buf, uint64_t len, unsigned prio, const struct abi_timespec *abs);
long ipc_mq_timedreceive(struct task *t, int fd, gva_t buf, uint64_t len, gva_t prio, const struct abi_timespec *abs);
/* sev: the notification asked for, or NULL to remove the caller's. */
long ipc_mq_notify(struct task *t, int fd, const struct sigevent *sev);
/* set may be NULL; old is always filled. */
long ipc_mq_getsetattr(struct task *t, int fd, const struct abi_mq_attr *set, struct abi_mq_attr *old);
