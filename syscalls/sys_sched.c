/*
 * Scheduling and ordering: sched_setattr/sched_getattr, ioprio_get/set,
 * membarrier.  The sandbox's threads are host threads under the host's
 * scheduler, so policies and I/O priorities are checked and kept, not acted
 * on, as gVisor does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "../platform/platform.h"
#include "../sentry/host/host.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

/* struct sched_attr (sched_setattr(2)); 48 bytes is SCHED_ATTR_SIZE_VER0, 56 VER1 (the utilization clamps). */
struct abi_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define ABI_SCHED_DEADLINE 6
#define ABI_SCHED_FLAG_KEEP_POLICY 0x08
#define ABI_SCHED_FLAG_UTIL_CLAMP 0x60
#define ABI_SCHED_FLAG_ALL 0x7f

/* The task a scheduling call names (0: the caller), or NULL. */
static struct task *target_of(struct task *t, int pid)
{
	return pid == 0 ? t : task_find_vnr(t, pid);
}

SYSCALL(sched_getattr)
{
	struct abi_sched_attr at;
	uint64_t usize = (uint32_t)a[2];
	struct task *x;

	if (!a[1] || (int)a[0] < 0 || usize > ABI_PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || (unsigned)a[3])
		return -EINVAL;
	x = target_of(t, (int)a[0]);
	if (!x)
		return -ESRCH;
	memset(&at, 0, sizeof(at));
	at.size = (uint32_t)(usize < sizeof(at) ? usize : sizeof(at));
	at.sched_policy = SCHED_OTHER;
	at.sched_nice = x->tg->nice;
	/* util_min/max 0: no utilization clamping (as a kernel without CONFIG_UCLAMP_TASK) */
	return mm_copy_out(t->mm, a[1], &at, at.size) < 0 ? -EFAULT : 0;
}

SYSCALL(sched_setattr)
{
	struct abi_sched_attr at;
	uint32_t size;
	struct task *x;
	int fair;

	if (!a[1] || (int)a[0] < 0 || (unsigned)a[2])
		return -EINVAL;
	if (mm_copy_in(t->mm, &size, a[1], sizeof(size)) < 0)
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > ABI_PAGE_SIZE) {
		size = sizeof(at);
		return mm_copy_out(t->mm, a[1], &size, sizeof(size)) < 0 ? -EFAULT : -E2BIG;
	}
	memset(&at, 0, sizeof(at));
	if (mm_copy_in(t->mm, &at, a[1], size < sizeof(at) ? size : sizeof(at)) < 0)
		return -EFAULT;
	if (size > sizeof(at)) {
		/* A bigger struct than ours: its tail must be zeros (copy_struct_from_user). */
		unsigned char tail[64];
		uint64_t off;

		for (off = sizeof(at); off < size; off += sizeof(tail)) {
			uint64_t n = size - off < sizeof(tail) ? size - off : sizeof(tail);

			if (mm_copy_in(t->mm, tail, a[1] + off, n) < 0)
				return -EFAULT;
			for (uint64_t i = 0; i < n; i++)
				if (tail[i]) {
					size = sizeof(at);
					return mm_copy_out(t->mm, a[1], &size, sizeof(size)) < 0 ? -EFAULT : -E2BIG;
				}
		}
	}
	if ((at.sched_flags & ABI_SCHED_FLAG_UTIL_CLAMP) && size < sizeof(at))
		return -EINVAL;
	if (at.sched_nice < -20)
		at.sched_nice = -20;
	if (at.sched_nice > 19)
		at.sched_nice = 19;
	if ((int)at.sched_policy < 0)
		return -EINVAL;
	x = target_of(t, (int)a[0]);
	if (!x)
		return -ESRCH;
	if (at.sched_flags & ABI_SCHED_FLAG_KEEP_POLICY)
		at.sched_policy = SCHED_OTHER;
	fair = at.sched_policy == SCHED_OTHER || at.sched_policy == SCHED_BATCH || at.sched_policy == SCHED_IDLE;
	if (!fair && at.sched_policy != SCHED_FIFO && at.sched_policy != SCHED_RR &&
	    at.sched_policy != ABI_SCHED_DEADLINE)
		return -EINVAL;
	if (at.sched_flags & ~(uint64_t)ABI_SCHED_FLAG_ALL)
		return -EINVAL;
	if (at.sched_priority > 99 || (fair && at.sched_priority) ||
	    ((at.sched_policy == SCHED_FIFO || at.sched_policy == SCHED_RR) && !at.sched_priority))
		return -EINVAL;
	if (x->tg != t->tg && t->cred.euid != x->cred.uid && t->cred.euid != x->cred.euid && !capable(t, CAP_SYS_NICE))
		return -EPERM;
	/* No real-time or deadline scheduling in the sandbox: refused as to a task without privileges. */
	if (!fair)
		return -EPERM;
	if (at.sched_nice < x->tg->nice && !capable(t, CAP_SYS_NICE) &&
	    20 - at.sched_nice > (int)t->tg->rlim[RLIMIT_NICE].rlim_cur)
		return -EPERM;
	x->tg->nice = at.sched_nice;
	return 0;
}

/* ---- ioprio ---- */

enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_WHO_PGRP, IOPRIO_WHO_USER };
enum { IOPRIO_CLASS_NONE, IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE };
#define IOPRIO_CLASS(p) (((p) >> 13) & 7)
#define IOPRIO_LEVEL(p) ((p) & 7) /* bits 3-12 are hints, which Linux takes as they come */

static long ioprio_set_one(struct task *t, struct task *x, int prio)
{
	if (x->cred.uid != t->cred.euid && x->cred.uid != t->cred.uid && !capable(t, CAP_SYS_NICE))
		return -EPERM;
	x->ioprio = prio;
	return 0;
}

SYSCALL(ioprio_set)
{
	int which = (int)a[0], who = (int)a[1], prio = (int)a[2];
	struct thread_group *g;
	struct task *x;
	long r = -ESRCH;

	switch (IOPRIO_CLASS(prio)) {
	case IOPRIO_CLASS_RT:
		if (!capable(t, CAP_SYS_NICE) && !capable(t, CAP_SYS_ADMIN))
			return -EPERM;
		/* fallthrough */
	case IOPRIO_CLASS_BE:
		break;
	case IOPRIO_CLASS_IDLE:
		break;
	case IOPRIO_CLASS_NONE:
		if (IOPRIO_LEVEL(prio))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	switch (which) {
	case IOPRIO_WHO_PROCESS:
		x = target_of(t, who);
		return x ? ioprio_set_one(t, x, prio) : -ESRCH;
	case IOPRIO_WHO_PGRP:
		who = who ? task_gnr(t, who) : t->tg->pgid;
		for (g = tg_all(); g; g = g->next)
			for (x = g->pgid == who && !g->zombie ? g->threads : NULL; x; x = x->tg_next)
				if ((r = ioprio_set_one(t, x, prio)) < 0)
					return r;
		return r;
	case IOPRIO_WHO_USER:
		if (!who)
			who = (int)t->cred.uid;
		for (g = tg_all(); g; g = g->next)
			for (x = g->zombie ? NULL : g->threads; x; x = x->tg_next)
				if (x->cred.uid == (uint32_t)who && (r = ioprio_set_one(t, x, prio)) < 0)
					return r;
		return r;
	default:
		return -EINVAL;
	}
}

/* A task's effective I/O priority: none set is best-effort at the level its nice value gives. */
static int ioprio_effective(const struct task *x)
{
	if (IOPRIO_CLASS(x->ioprio) != IOPRIO_CLASS_NONE)
		return x->ioprio;
	return (IOPRIO_CLASS_BE << 13) | ((x->tg->nice + 20) / 5);
}

SYSCALL(ioprio_get)
{
	int which = (int)a[0], who = (int)a[1], best = -1;
	struct thread_group *g;
	struct task *x;

	switch (which) {
	case IOPRIO_WHO_PROCESS:
		/* The raw value set (0: none), so that "unset" can be told apart, as Linux keeps it. */
		x = target_of(t, who);
		return x ? x->ioprio : -ESRCH;
	case IOPRIO_WHO_PGRP:
	case IOPRIO_WHO_USER:
		if (!who)
			who = which == IOPRIO_WHO_PGRP ? t->tg->pgid : (int)t->cred.uid;
		else if (which == IOPRIO_WHO_PGRP)
			who = task_gnr(t, who);
		for (g = tg_all(); g; g = g->next)
			for (x = g->zombie ? NULL : g->threads; x; x = x->tg_next)
				if (which == IOPRIO_WHO_PGRP ? g->pgid == who : x->cred.uid == (uint32_t)who)
					/* Linux's ioprio_best: the lowest value, the highest priority. */
					if (best < 0 || ioprio_effective(x) < best)
						best = ioprio_effective(x);
		return best < 0 ? -ESRCH : best;
	default:
		return -EINVAL;
	}
}

/* ---- membarrier ---- */

enum {
	MB_GLOBAL = 1 << 0,
	MB_GLOBAL_EXPEDITED = 1 << 1,
	MB_REGISTER_GLOBAL_EXPEDITED = 1 << 2,
	MB_PRIVATE_EXPEDITED = 1 << 3,
	MB_REGISTER_PRIVATE_EXPEDITED = 1 << 4,
	MB_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 5,
	MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE = 1 << 6,
	MB_PRIVATE_EXPEDITED_RSEQ = 1 << 7,
	MB_REGISTER_PRIVATE_EXPEDITED_RSEQ = 1 << 8,
	MB_GET_REGISTRATIONS = 1 << 9,
	MB_FLAG_CPU = 1,
};

/*
 * The barrier: every other thread that is running application code (of
 * mm, or of every process when mm is NULL) is interrupted, and the caller
 * waits until each has left it once.  Entering and leaving the host kernel
 * is a full barrier and serializes the core, as Linux's IPIs are; a thread
 * not running application code meets the sentry lock's barrier when it next
 * enters.  (rseq is not offered, so there are no critical sections to
 * restart.)
 */
static void barrier(struct task *t, struct mm *mm)
{
	enum { MAX_WAIT = 256 };
	int tids[MAX_WAIT];
	uint64_t since[MAX_WAIT];
	int n = 0, i, round;
	struct thread_group *g;
	struct task *x;

	for (g = tg_all(); g; g = g->next)
		for (x = g->zombie ? NULL : g->threads; x; x = x->tg_next) {
			if (x == t || !x->in_user || !x->ctx || (mm && x->mm != mm))
				continue;
			plat->interrupt(x->ctx);
			if (n < MAX_WAIT) {
				tids[n] = x->tid;
				since[n++] = x->user_since;
			}
		}
	/* Each round drops the lock for a moment (a short timed block), so the threads can stop. */
	for (round = 0; round < 10000; round++) {
		int waiting = 0;

		for (i = 0; i < n; i++) {
			x = task_find(tids[i]);
			if (x && x->in_user && x->user_since == since[i])
				waiting = 1;
		}
		if (!waiting)
			return;
		task_block_killable(t, NULL, host_realtime_ns() + 20000);
	}
}

SYSCALL(membarrier)
{
	int cmd = (int)a[0];
	unsigned flags = (unsigned)a[1];
	const int all = MB_GLOBAL | MB_GLOBAL_EXPEDITED | MB_REGISTER_GLOBAL_EXPEDITED | MB_PRIVATE_EXPEDITED |
			MB_REGISTER_PRIVATE_EXPEDITED | MB_PRIVATE_EXPEDITED_SYNC_CORE |
			MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | MB_PRIVATE_EXPEDITED_RSEQ |
			MB_REGISTER_PRIVATE_EXPEDITED_RSEQ | MB_GET_REGISTRATIONS;

	if (cmd == MB_PRIVATE_EXPEDITED_RSEQ) {
		if (flags & ~(unsigned)MB_FLAG_CPU)
			return -EINVAL;
	} else if (flags) {
		return -EINVAL;
	}
	switch (cmd) {
	case 0: /* MEMBARRIER_CMD_QUERY */
		return all;
	case MB_GLOBAL:
		barrier(t, NULL);
		return 0;
	case MB_GLOBAL_EXPEDITED:
		/* Only the processes that registered must see it; all of them do. */
		barrier(t, NULL);
		return 0;
	case MB_REGISTER_GLOBAL_EXPEDITED:
	case MB_REGISTER_PRIVATE_EXPEDITED:
	case MB_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
	case MB_REGISTER_PRIVATE_EXPEDITED_RSEQ:
		t->mm->membarrier |= cmd;
		return 0;
	case MB_PRIVATE_EXPEDITED:
	case MB_PRIVATE_EXPEDITED_SYNC_CORE:
	case MB_PRIVATE_EXPEDITED_RSEQ:
		/* Each needs its registration first (the REGISTER command is the next bit up). */
		if (!(t->mm->membarrier & (cmd << 1)))
			return -EPERM;
		barrier(t, t->mm);
		return 0;
	case MB_GET_REGISTRATIONS:
		return t->mm->membarrier;
	default:
		return -EINVAL;
	}
}
