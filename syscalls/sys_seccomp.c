/*
 * seccomp(2) and prctl's PR_SET_SECCOMP for the application's own filters:
 * strict mode, and classic BPF filters checked as Linux checks them
 * (bpf_check_classic's rules, then seccomp's narrower instruction set)
 * and run by the sentry on each system call of the task before its
 * handler, every filter of the chain, the most severe answer winning.
 *
 * This is the application's seccomp, not the sentry's own confinement
 * (sentry/host/seccomp.c) nor a container's profile (profile.c): a filter
 * here decides what the sandboxed program may ask of the sentry.
 *
 * Not there: SECCOMP_RET_USER_NOTIF and SECCOMP_FILTER_FLAG_NEW_LISTENER
 * (no listener fd; GET_ACTION_AVAIL says so), and SECCOMP_RET_TRACE stops
 * for a tracer in the sandbox (the call fails with ENOSYS, as with no tracer).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>

#include "../sentry/kernel/seccomp.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

#define MAX_INSNS_PER_PATH 32768 /* Linux's bound on a chain, each filter counted 4 more */
#define BPF_MEMWORDS_ 16         /* scratch memory cells, M[0..15] */

/* ---- Checking a program ---- */

/* Whether a code is one of classic BPF's, as bpf_check_classic knows them. */
static int known_code(uint16_t code)
{
	switch (code) {
	case BPF_ALU | BPF_ADD | BPF_K: case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K: case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K: case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K: case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K: case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K: case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K: case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K: case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K: case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_W | BPF_ABS: case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
	case BPF_LD | BPF_IMM: case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_W | BPF_LEN: case BPF_LDX | BPF_B | BPF_MSH: case BPF_LDX | BPF_IMM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST: case BPF_STX:
	case BPF_MISC | BPF_TAX: case BPF_MISC | BPF_TXA:
	case BPF_RET | BPF_K: case BPF_RET | BPF_A:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K: case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K: case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K: case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K: case BPF_JMP | BPF_JSET | BPF_X:
		return 1;
	}
	return 0;
}

static int is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/*
 * Every read of a scratch cell must follow a write to it on each path
 * there: a forward pass, each jump target keeping only the cells written
 * on every way in.
 */
static int loads_follow_stores(const struct sock_filter *f, unsigned len)
{
	uint16_t masks[BPF_MAXINSNS], valid = 0;
	unsigned pc;

	memset(masks, 0xff, len * sizeof(masks[0]));
	for (pc = 0; pc < len; pc++) {
		valid &= masks[pc];
		switch (f[pc].code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << f[pc].k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << f[pc].k)))
				return 0;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + f[pc].k] &= valid;
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(f[pc].code)) {
				masks[pc + 1 + f[pc].jt] &= valid;
				masks[pc + 1 + f[pc].jf] &= valid;
				valid = 0xffff;
			}
		}
	}
	return 1;
}

/* bpf_check_classic's rules: known codes, constants in range, jumps inside, a return last. */
static int check_classic(const struct sock_filter *f, unsigned len)
{
	unsigned pc;

	for (pc = 0; pc < len; pc++) {
		const struct sock_filter *i = &f[pc];

		if (!known_code(i->code))
			return 0;
		switch (i->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_MOD | BPF_K:
			if (i->k == 0)
				return 0;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (i->k >= 32)
				return 0;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (i->k >= BPF_MEMWORDS_)
				return 0;
			break;
		case BPF_JMP | BPF_JA:
			if (i->k >= len - pc - 1)
				return 0;
			break;
		default:
			if (is_cond_jump(i->code) && (pc + i->jt + 1 >= len || pc + i->jf + 1 >= len))
				return 0;
		}
	}
	if (BPF_CLASS(f[len - 1].code) != BPF_RET)
		return 0;
	return loads_follow_stores(f, len);
}

/*
 * seccomp's narrower set, on a program check_classic passed: loads only of
 * aligned words of struct seccomp_data, whose length is a constant
 * (rewritten as one here); no byte or half-word loads, no indexed loads,
 * no BPF_MSH, no modulo.
 */
static int check_seccomp(struct sock_filter *f, unsigned len)
{
	unsigned pc;

	for (pc = 0; pc < len; pc++) {
		struct sock_filter *i = &f[pc];

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (i->k >= sizeof(struct seccomp_data) || (i->k & 3))
				return 0;
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			i->code = BPF_LD | BPF_IMM;
			i->k = sizeof(struct seccomp_data);
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			i->code = BPF_LDX | BPF_IMM;
			i->k = sizeof(struct seccomp_data);
			break;
		case BPF_LD | BPF_H | BPF_ABS: case BPF_LD | BPF_B | BPF_ABS:
		case BPF_LD | BPF_W | BPF_IND: case BPF_LD | BPF_H | BPF_IND: case BPF_LD | BPF_B | BPF_IND:
		case BPF_LDX | BPF_B | BPF_MSH:
		case BPF_ALU | BPF_MOD | BPF_K: case BPF_ALU | BPF_MOD | BPF_X:
			return 0;
		}
	}
	return 1;
}

/* ---- Running ---- */

/* One filter on one call: its 32-bit answer.  Checked programs only: every jump lands inside. */
static uint32_t run_filter(const struct seccomp_filter *f, const struct seccomp_data *d)
{
	uint32_t A = 0, X = 0, M[BPF_MEMWORDS_] = {0}, word;
	unsigned pc;

	for (pc = 0; pc < f->len; pc++) {
		const struct sock_filter *i = &f->insns[pc];
		uint32_t src = BPF_SRC(i->code) == BPF_X ? X : i->k;

		switch (i->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&word, (const char *)d + i->k, 4);
			A = word;
			break;
		case BPF_LD | BPF_IMM: A = i->k; break;
		case BPF_LDX | BPF_IMM: X = i->k; break;
		case BPF_LD | BPF_MEM: A = M[i->k]; break;
		case BPF_LDX | BPF_MEM: X = M[i->k]; break;
		case BPF_ST: M[i->k] = A; break;
		case BPF_STX: M[i->k] = X; break;
		case BPF_MISC | BPF_TAX: X = A; break;
		case BPF_MISC | BPF_TXA: A = X; break;
		case BPF_ALU | BPF_NEG: A = -A; break;
		case BPF_RET | BPF_K: return i->k;
		case BPF_RET | BPF_A: return A;
		case BPF_JMP | BPF_JA: pc += i->k; break;
		default:
			if (BPF_CLASS(i->code) == BPF_ALU) {
				switch (BPF_OP(i->code)) {
				case BPF_ADD: A += src; break;
				case BPF_SUB: A -= src; break;
				case BPF_MUL: A *= src; break;
				case BPF_DIV:
					if (!src)
						return 0; /* classic BPF: division by zero ends the program with 0 */
					A /= src;
					break;
				case BPF_AND: A &= src; break;
				case BPF_OR: A |= src; break;
				case BPF_XOR: A ^= src; break;
				case BPF_LSH: A = src >= 32 ? 0 : A << src; break;
				case BPF_RSH: A = src >= 32 ? 0 : A >> src; break;
				}
			} else {
				int taken = 0;

				switch (BPF_OP(i->code)) {
				case BPF_JEQ: taken = A == src; break;
				case BPF_JGE: taken = A >= src; break;
				case BPF_JGT: taken = A > src; break;
				case BPF_JSET: taken = (A & src) != 0; break;
				}
				pc += taken ? i->jt : i->jf;
			}
		}
	}
	return SECCOMP_RET_KILL_THREAD; /* not reached: a checked program ends with a return */
}

/* The action of an answer, ordered so that the lower is the more severe (KILL_PROCESS's sign bit first). */
static int32_t action_rank(uint32_t ret)
{
	return (int32_t)(ret & SECCOMP_RET_ACTION_FULL);
}

long seccomp_trap(struct task *t, long nr, int data)
{
	siginfo_t *si;

	task_force_signal(t, SIGSYS, 1 /* SYS_SECCOMP */, t->regs.rip);
	si = &t->siginfo[SIGSYS - 1];
	si->si_syscall = (int)nr;
	si->si_arch = AUDIT_ARCH_X86_64;
	si->si_errno = data;
	return nr; /* rolled back: the handler sees the call's number where its result would be, as on Linux */
}

void seccomp_kill_thread(struct task *t)
{
	struct task *x;

	for (x = t->tg->threads; x; x = x->tg_next)
		if (x != t && !x->exiting)
			break;
	if (x && !t->tg->exiting) {
		/* As exit(2): its clear_child_tid is woken, so pthread_join returns. */
		t->exiting = 1;
		t->exit_code = SIGSYS;
		return;
	}
	/* The last thread (or the process already leaving): the process is killed by SIGSYS. */
	task_exit_group(t, SIGSYS);
}

int seccomp_filter_call(struct task *t, long nr, const uint64_t a[6], long *r)
{
	static const long strict_ok[] = {SYS_read, SYS_write, SYS_exit, SYS_rt_sigreturn};
	struct seccomp_data d;
	uint32_t ret = SECCOMP_RET_ALLOW, data;
	const struct seccomp_filter *f;
	unsigned i;

	if (t->seccomp_mode == SECCOMP_MODE_STRICT) {
		for (i = 0; i < sizeof(strict_ok) / sizeof(strict_ok[0]); i++)
			if (nr == strict_ok[i])
				return 0;
		task_exit_group(t, SIGKILL);
		*r = -ENOSYS;
		return 1;
	}
	d.nr = (int)nr;
	d.arch = AUDIT_ARCH_X86_64;
	d.instruction_pointer = t->regs.rip;
	memcpy(d.args, a, sizeof(d.args));
	for (f = t->seccomp; f; f = f->prev) {
		uint32_t cur = run_filter(f, &d);

		if (action_rank(cur) < action_rank(ret))
			ret = cur;
	}
	data = ret & SECCOMP_RET_DATA;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return 0;
	case SECCOMP_RET_ERRNO:
		*r = -(long)(data > 4095 ? 4095 : data);
		return 1;
	case SECCOMP_RET_TRAP:
		*r = seccomp_trap(t, nr, (int)data);
		return 1;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		/* No tracer asked for seccomp stops, no listener: the call fails, as on Linux then. */
		*r = -ENOSYS;
		return 1;
	case SECCOMP_RET_KILL_THREAD:
		seccomp_kill_thread(t);
		*r = -ENOSYS;
		return 1;
	default: /* SECCOMP_RET_KILL_PROCESS, and any unknown action */
		task_exit_group(t, SIGSYS);
		*r = -ENOSYS;
		return 1;
	}
}

/* ---- Installing ---- */

#define FILTER_FLAGS_KNOWN                                                                          \
	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |       \
	 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |                        \
	 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* Whether f's chain contains g (g NULL: the empty chain, in every chain). */
static int chain_has(const struct seccomp_filter *f, const struct seccomp_filter *g)
{
	for (; f; f = f->prev)
		if (f == g)
			return 1;
	return !g;
}

static long set_strict(struct task *t)
{
	if (t->seccomp_mode == SECCOMP_MODE_FILTER)
		return -EINVAL;
	t->seccomp_mode = SECCOMP_MODE_STRICT;
	return 0;
}

static long set_filter(struct task *t, unsigned flags, gva_t uprog)
{
	struct {
		uint16_t len;
		uint16_t pad[3];
		uint64_t filter;
	} prog;
	struct seccomp_filter *f;
	struct task *x;

	if (flags & ~FILTER_FLAGS_KNOWN)
		return -EINVAL;
	/* TSYNC's answer is a thread id; a listener's a new fd: Linux refuses both together unless ESRCH is asked. */
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	if (mm_copy_in(t->mm, &prog, uprog, sizeof(prog)) < 0)
		return -EFAULT;
	if (prog.len == 0 || prog.len > BPF_MAXINSNS)
		return -EINVAL;
	/* Without no_new_privs, only a task that could change its ids anyway may filter. */
	if (!t->no_new_privs && !ns_capable(t, creds_userns(&t->cred), CAP_SYS_ADMIN))
		return -EACCES;
	f = calloc(1, sizeof(*f) + prog.len * sizeof(f->insns[0]));
	if (!f)
		return -ENOMEM;
	f->len = prog.len;
	if (mm_copy_in(t->mm, f->insns, prog.filter, prog.len * sizeof(f->insns[0])) < 0) {
		free(f);
		return -EFAULT;
	}
	if (!check_classic(f->insns, f->len) || !check_seccomp(f->insns, f->len)) {
		free(f);
		return -EINVAL;
	}
	if (t->seccomp_mode == SECCOMP_MODE_STRICT) {
		free(f);
		return -EINVAL;
	}
	f->path_insns = f->len + (t->seccomp ? t->seccomp->path_insns + 4 : 0);
	if (f->path_insns > MAX_INSNS_PER_PATH) {
		free(f);
		return -ENOMEM;
	}
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/* User notification needs a listener fd cvisor does not make. */
		free(f);
		return -EINVAL;
	}
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		/* Every other thread's chain must be an ancestor of ours, or it is named. */
		for (x = t->tg->threads; x; x = x->tg_next)
			if (x != t && (x->seccomp_mode == SECCOMP_MODE_STRICT || !chain_has(t->seccomp, x->seccomp))) {
				free(f);
				return (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : task_vnr(t, x->tid);
			}
	}
	f->refs = 1;
	f->log = !!(flags & SECCOMP_FILTER_FLAG_LOG);
	f->prev = t->seccomp;
	t->seccomp = f;
	t->seccomp_mode = SECCOMP_MODE_FILTER;
	if (flags & SECCOMP_FILTER_FLAG_TSYNC)
		for (x = t->tg->threads; x; x = x->tg_next) {
			if (x == t)
				continue;
			seccomp_put(x->seccomp);
			x->seccomp = seccomp_get(f);
			x->seccomp_mode = SECCOMP_MODE_FILTER;
			if (t->no_new_privs)
				x->no_new_privs = 1;
		}
	return 0;
}

static long action_avail(struct task *t, unsigned flags, gva_t uaction)
{
	uint32_t action;

	if (flags)
		return -EINVAL;
	if (mm_copy_in(t->mm, &action, uaction, sizeof(action)) < 0)
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return 0;
	}
	return -EOPNOTSUPP; /* SECCOMP_RET_USER_NOTIF among them: there is no listener */
}

SYSCALL(seccomp)
{
	unsigned op = (unsigned)a[0], flags = (unsigned)a[1];

	switch (op) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags || a[2])
			return -EINVAL;
		return set_strict(t);
	case SECCOMP_SET_MODE_FILTER:
		return set_filter(t, flags, a[2]);
	case SECCOMP_GET_ACTION_AVAIL:
		return action_avail(t, flags, a[2]);
	case SECCOMP_GET_NOTIF_SIZES: {
		struct seccomp_notif_sizes sz = {sizeof(struct seccomp_notif), sizeof(struct seccomp_notif_resp),
						 sizeof(struct seccomp_data)};

		if (flags)
			return -EINVAL;
		return mm_copy_out(t->mm, a[2], &sz, sizeof(sz)) < 0 ? -EFAULT : 0;
	}
	}
	return -EINVAL;
}

long seccomp_prctl_set(struct task *t, unsigned long mode, uint64_t uprog)
{
	switch (mode) {
	case SECCOMP_MODE_STRICT:
		return set_strict(t);
	case SECCOMP_MODE_FILTER:
		return set_filter(t, 0, uprog);
	}
	return -EINVAL;
}
