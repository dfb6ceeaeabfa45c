/* Futexes (see futex.h): wait, wake, requeue, wake-op, bitsets. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../syscalls/syscalls.h"
#include "../host/host.h"
#include "../mm/mm.h"
#include "futex.h"
#include "task.h"

struct fwaiter {
	uintptr_t k1;        /* the mm, or 0 for a shared key */
	uint64_t k2;         /* the address, or frame + offset */
	uint32_t bitset;
	int woken;
	struct task *task;   /* woken alone by a wake of its key */
	struct fwaiter *next;
};

static struct fwaiter *waiters;

static long key(struct task *t, gva_t uaddr, int private, uintptr_t *k1, uint64_t *k2)
{
	uint64_t frame;

	if (uaddr & 3)
		return -EINVAL;
	if (!private) {
		/* A shared futex is looked up in the memory: an unmapped one is EFAULT, as Linux's. */
		long r = mm_shared_frame(t->mm, uaddr, &frame);

		if (r == -EFAULT)
			return r;
		if (r == 0) {
			*k1 = 0;
			*k2 = frame | (uaddr & 4095);
			return 0;
		}
		/* Private memory, but Linux still looks the page up: one it cannot read is EFAULT. */
		{
			uint32_t v;

			if (mm_copy_in(t->mm, &v, uaddr, sizeof(v)) < 0)
				return -EFAULT;
		}
	}
	*k1 = (uintptr_t)t->mm;
	*k2 = uaddr;
	return 0;
}

static int wake_key(uintptr_t k1, uint64_t k2, int n, uint32_t bitset)
{
	struct fwaiter **pp, *w;
	int woken = 0;

	for (pp = &waiters; (w = *pp) && woken < n;) {
		if (w->k1 == k1 && w->k2 == k2 && (w->bitset & bitset)) {
			*pp = w->next;
			w->woken = 1;
			task_wake(w->task);
			woken++;
		} else {
			pp = &w->next;
		}
	}
	return woken;
}

/* Whether anyone sleeps on the key. */
static int key_waited(uintptr_t k1, uint64_t k2)
{
	struct fwaiter *w;

	for (w = waiters; w; w = w->next)
		if (w->k1 == k1 && w->k2 == k2)
			return 1;
	return 0;
}

int futex_wake_addr(struct task *t, gva_t uaddr, int n)
{
	uintptr_t k1;
	uint64_t k2;

	/* As the kernel's own wakes: shared, so a waiter in another process sharing the page hears it. */
	if (key(t, uaddr, 0, &k1, &k2) < 0)
		return 0;
	return wake_key(k1, k2, n, FUTEX_BITSET_MATCH_ANY);
}

/* A robust futex whose owner (t) is gone: OWNER_DIED, atomically, and one waiter woken. */
static void robust_futex_died(struct task *t, gva_t uaddr)
{
	uint32_t *w = mm_user_word(t->mm, uaddr), cur;

	if (!w)
		return;
	cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);
	while ((cur & FUTEX_TID_MASK) == (uint32_t)task_vnr(t, t->tid)) {
		uint32_t want = (cur & FUTEX_WAITERS) | FUTEX_OWNER_DIED;

		if (__atomic_compare_exchange_n(w, &cur, want, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			if (want & FUTEX_WAITERS)
				futex_wake_addr(t, uaddr, 1);
			return;
		}
	}
}

void futex_exit_robust_list(struct task *t)
{
	struct {
		uint64_t next;
		int64_t futex_offset;
		uint64_t pending;
	} head;
	gva_t list = t->robust_list;
	uint64_t entry;
	int n = 0;

	if (!list || !t->mm || mm_copy_in(t->mm, &head, list, sizeof(head)) < 0)
		return;
	t->robust_list = 0;
	for (entry = head.next; entry != list && n < 2048; n++) {
		if (entry != head.pending)
			robust_futex_died(t, entry + (uint64_t)head.futex_offset);
		if (mm_copy_in(t->mm, &entry, entry, 8) < 0)
			break;
	}
	/* An entry being added or removed when the thread died (list_op_pending). */
	if (head.pending)
		robust_futex_died(t, head.pending + (uint64_t)head.futex_offset);
}

static void dequeue(struct fwaiter *w)
{
	struct fwaiter **pp;

	for (pp = &waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

/* deadline: host realtime ns, 0 = none. */
static long do_wait(struct task *t, gva_t uaddr, int private, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct fwaiter *w;
	uint32_t cur;
	long r;

	if (!bitset)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->bitset = bitset;
	w->task = t;
	r = key(t, uaddr, private, &w->k1, &w->k2);
	if (r == 0 && mm_copy_in(t->mm, &cur, uaddr, 4) < 0)
		r = -EFAULT;
	if (r == 0 && cur != val)
		r = -EAGAIN;
	if (r < 0) {
		free(w);
		return r;
	}
	w->next = waiters;
	waiters = w;
	for (;;) {
		int b;

		if (w->woken) {
			r = 0;
			break;
		}
		b = task_block(t, NULL, deadline);
		if (b < 0 && !w->woken) {
			dequeue(w);
			r = b;
			break;
		}
	}
	free(w);
	return r;
}

static int requeue(uintptr_t k1, uint64_t k2, uintptr_t n1, uint64_t n2, int nwake, int nmove)
{
	struct fwaiter *w;
	int done = wake_key(k1, k2, nwake, FUTEX_BITSET_MATCH_ANY), moved = 0;

	for (w = waiters; w && moved < nmove; w = w->next)
		if (w->k1 == k1 && w->k2 == k2) {
			w->k1 = n1;
			w->k2 = n2;
			moved++;
		}
	return done + moved;
}

/* FUTEX_WAKE_OP's operation on the word at uaddr2: the old value, or -errno. */
static long wake_op(struct task *t, gva_t uaddr2, uint32_t op)
{
	uint32_t *p = mm_user_word(t->mm, uaddr2);
	int oparg = (int)((op >> 12) & 0xfff), cmp = (int)((op >> 24) & 0xf), cmparg = (int)(op & 0xfff);
	uint32_t old;

	if (!p)
		return -EFAULT;
	if (oparg & 0x800)
		oparg |= ~0xfff; /* sign-extend 12 bits */
	/* As Linux: the shift count is sign-extended first, and one outside 0..31 is taken mod 32. */
	if ((op >> 28) & FUTEX_OP_OPARG_SHIFT)
		oparg = (int)(1U << (oparg & 31));
	if (cmparg & 0x800)
		cmparg |= ~0xfff;
	switch ((op >> 28) & 7) {
	case FUTEX_OP_SET: old = __atomic_exchange_n(p, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ADD: old = __atomic_fetch_add(p, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_OR: old = __atomic_fetch_or(p, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_ANDN: old = __atomic_fetch_and(p, ~(uint32_t)oparg, __ATOMIC_SEQ_CST); break;
	case FUTEX_OP_XOR: old = __atomic_fetch_xor(p, (uint32_t)oparg, __ATOMIC_SEQ_CST); break;
	default: return -ENOSYS;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: return (int)old == cmparg;
	case FUTEX_OP_CMP_NE: return (int)old != cmparg;
	case FUTEX_OP_CMP_LT: return (int)old < cmparg;
	case FUTEX_OP_CMP_LE: return (int)old <= cmparg;
	case FUTEX_OP_CMP_GT: return (int)old > cmparg;
	case FUTEX_OP_CMP_GE: return (int)old >= cmparg;
	}
	return -ENOSYS;
}

/*
 * PI futexes, as glibc's PTHREAD_PRIO_INHERIT mutexes use them: the word
 * holds the owner's tid, FUTEX_WAITERS when someone sleeps on it.  The
 * sandbox has one scheduling class, so there is no priority to inherit:
 * these are plain ownership handoffs.
 */
static long lock_pi(struct task *t, gva_t uaddr, int private, int try, uint64_t deadline)
{
	uint32_t *w = mm_user_word(t->mm, uaddr);
	uintptr_t k1;
	uint64_t k2;
	long r;

	if (!w)
		return (uaddr & 3) ? -EINVAL : -EFAULT;
	if ((r = key(t, uaddr, private, &k1, &k2)) < 0)
		return r;
	for (;;) {
		uint32_t cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);

		if ((cur & FUTEX_TID_MASK) == 0) {
			/*
			 * Free (or its owner died): take it.  The waiters bit stays
			 * set while others sleep on it, or the new owner's unlock in
			 * user space would never come here to wake them.
			 */
			uint32_t want = (uint32_t)task_vnr(t, t->tid) | (cur & FUTEX_WAITERS) |
					(key_waited(k1, k2) ? FUTEX_WAITERS : 0);

			if (__atomic_compare_exchange_n(w, &cur, want, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				return 0;
			continue;
		}
		if ((cur & FUTEX_TID_MASK) == (uint32_t)task_vnr(t, t->tid))
			return -EDEADLK;
		if (try)
			return -EAGAIN;
		if (!(cur & FUTEX_WAITERS) &&
		    !__atomic_compare_exchange_n(w, &cur, cur | FUTEX_WAITERS, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			continue;
		r = do_wait(t, uaddr, private, cur | FUTEX_WAITERS, deadline, FUTEX_BITSET_MATCH_ANY);
		if (r == -ETIMEDOUT || r == -ERESTARTSYS)
			return r == -ERESTARTSYS ? -EINTR : r;
	}
}

static long unlock_pi(struct task *t, gva_t uaddr, int private)
{
	uint32_t *w = mm_user_word(t->mm, uaddr), cur;
	uintptr_t k1;
	uint64_t k2;
	long r;

	if (!w)
		return (uaddr & 3) ? -EINVAL : -EFAULT;
	cur = __atomic_load_n(w, __ATOMIC_SEQ_CST);
	if ((cur & FUTEX_TID_MASK) != (uint32_t)task_vnr(t, t->tid))
		return -EPERM;
	if ((r = key(t, uaddr, private, &k1, &k2)) < 0)
		return r;
	/* Release it; a waiter takes it when it wakes (no direct handoff: no priorities to honour). */
	__atomic_store_n(w, 0, __ATOMIC_SEQ_CST);
	if (cur & FUTEX_WAITERS)
		wake_key(k1, k2, 1, FUTEX_BITSET_MATCH_ANY);
	return 0;
}

/*
 * futex_waitv(2): sleeps on up to 128 futexes at once until one is woken
 * (its index is the result), the absolute timeout on clockid passes or a
 * signal comes.  Every key is taken first (EFAULT, EINVAL), then each
 * value compared in order (EAGAIN at the first that differs).
 */
#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02

struct abi_futex_waitv {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

SYSCALL(futex_waitv)
{
	uint32_t n = (uint32_t)a[1], i;
	struct abi_futex_waitv *v;
	struct fwaiter *w;
	uint64_t deadline = 0;
	int clockid = (int)a[4];
	long r = 0;

	if (a[2])
		return -EINVAL;
	if (!n || n > FUTEX_WAITV_MAX || !a[0])
		return -EINVAL;
	if (a[3]) {
		struct abi_timespec ts;
		uint64_t abs;

		if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
			return -EINVAL;
		if (mm_copy_in(t->mm, &ts, a[3], sizeof(ts)) < 0)
			return -EFAULT;
		if (!abi_timespec_valid(&ts))
			return -EINVAL;
		abs = abi_timespec_ns(&ts);
		if (clockid == CLOCK_MONOTONIC) {
			uint64_t now = host_monotonic_ns();

			abs = abi_ns_after(host_realtime_ns(), abs > now ? abs - now : 0);
		}
		deadline = abs ? abs : 1;
	}
	v = calloc(n, sizeof(*v));
	w = calloc(n, sizeof(*w));
	if (!v || !w) {
		free(v);
		free(w);
		return -ENOMEM;
	}
	if (mm_copy_in(t->mm, v, a[0], n * sizeof(*v)) < 0)
		r = -EFAULT;
	for (i = 0; i < n && !r; i++)
		if ((v[i].flags & ~(uint32_t)(FUTEX2_SIZE_U32 | FUTEX_PRIVATE_FLAG)) || v[i].reserved ||
		    !(v[i].flags & FUTEX2_SIZE_U32) || v[i].val > UINT32_MAX)
			r = -EINVAL; /* 32-bit futexes only, and a value that fits (futex_validate_input) */
	for (i = 0; i < n && !r; i++) {
		w[i].bitset = FUTEX_BITSET_MATCH_ANY;
		w[i].task = t;
		r = key(t, v[i].uaddr, !!(v[i].flags & FUTEX_PRIVATE_FLAG), &w[i].k1, &w[i].k2);
	}
	/* Queued one by one, each after its value matched: a differing one undoes the others. */
	for (i = 0; i < n && !r; i++) {
		uint32_t cur;

		if (mm_copy_in(t->mm, &cur, v[i].uaddr, 4) < 0)
			r = -EFAULT;
		else if (cur != (uint32_t)v[i].val)
			r = -EAGAIN;
		if (r) {
			while (i--)
				if (!w[i].woken)
					dequeue(&w[i]);
			break;
		}
		w[i].next = waiters;
		waiters = &w[i];
	}
	while (!r) {
		int b, woken = -1;

		for (i = 0; i < n; i++)
			if (w[i].woken)
				woken = (int)i;
		if (woken >= 0) {
			r = woken;
			break;
		}
		b = task_block(t, NULL, deadline);
		if (b < 0) {
			for (i = 0; i < n; i++)
				if (w[i].woken)
					woken = (int)i;
			r = woken >= 0 ? woken : b;
			break;
		}
	}
	/* Whatever was not woken leaves the queues (the woken are off them already). */
	if (r >= 0 || r == -ETIMEDOUT || r == -ERESTARTSYS)
		for (i = 0; i < n; i++)
			if (!w[i].woken)
				dequeue(&w[i]);
	free(v);
	free(w);
	return r;
}

SYSCALL(futex)
{
	gva_t uaddr = a[0], uaddr2 = a[4];
	int op = (int)a[1], cmd = op & FUTEX_CMD_MASK, private = !!(op & FUTEX_PRIVATE_FLAG);
	uint32_t val = (uint32_t)a[2], val3 = (uint32_t)a[5];
	uint64_t deadline = 0;
	uintptr_t k1, n1;
	uint64_t k2, n2;
	long r;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET || cmd == FUTEX_LOCK_PI || cmd == FUTEX_LOCK_PI2) && a[3]) {
		struct abi_timespec ts;

		if (mm_copy_in(t->mm, &ts, a[3], sizeof(ts)) < 0)
			return -EFAULT;
		if (!abi_timespec_valid(&ts))
			return -EINVAL;
		if (cmd == FUTEX_WAIT || cmd == FUTEX_LOCK_PI2) {
			/* Relative. */
			deadline = abi_ns_after(host_realtime_ns(), abi_timespec_ns(&ts));
		} else {
			/* Absolute, on CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME. */
			uint64_t abs = abi_timespec_ns(&ts);

			if (!(op & FUTEX_CLOCK_REALTIME)) {
				uint64_t now = host_monotonic_ns();

				abs = abi_ns_after(host_realtime_ns(), abs > now ? abs - now : 0);
			}
			deadline = abs ? abs : 1;
		}
	}
	switch (cmd) {
	case FUTEX_WAIT:
		return do_wait(t, uaddr, private, val, deadline, FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return do_wait(t, uaddr, private, val, deadline, val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if ((r = key(t, uaddr, private, &k1, &k2)) < 0)
			return r;
		return wake_key(k1, k2, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((r = key(t, uaddr, private, &k1, &k2)) < 0 || (r = key(t, uaddr2, private, &n1, &n2)) < 0)
			return r;
		if ((int)val < 0 || (int)a[3] < 0)
			return -EINVAL;
		if (cmd == FUTEX_CMP_REQUEUE) {
			uint32_t cur;

			if (mm_copy_in(t->mm, &cur, uaddr, 4) < 0)
				return -EFAULT;
			if (cur != val3)
				return -EAGAIN;
		}
		return requeue(k1, k2, n1, n2, (int)val, (int)a[3]);
	case FUTEX_WAKE_OP:
		if ((r = key(t, uaddr, private, &k1, &k2)) < 0 || (r = key(t, uaddr2, private, &n1, &n2)) < 0)
			return r;
		r = wake_op(t, uaddr2, val3);
		if (r < 0)
			return r;
		{
			int n = wake_key(k1, k2, (int)val, FUTEX_BITSET_MATCH_ANY);

			if (r)
				n += wake_key(n1, n2, (int)a[3], FUTEX_BITSET_MATCH_ANY);
			return n;
		}
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		return lock_pi(t, uaddr, private, cmd == FUTEX_TRYLOCK_PI, deadline);
	case FUTEX_UNLOCK_PI:
		return unlock_pi(t, uaddr, private);
	}
	return -ENOSYS;
}
