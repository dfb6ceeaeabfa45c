/*
 * ptrace(2): the requests, their arguments checked here, the tracee's state
 * read and changed as Linux's x86-64 arch_ptrace does.  The stops, attaching
 * and resuming are the kernel's (sentry/kernel/ptrace.h).
 *
 * Registers: a stopped tracee's general registers are the sentry's copy
 * (task->regs), which the platform loads when it runs again; a write that
 * the host would refuse there (a segment selector, a base past the user
 * address space) is refused here first, with Linux's EIO.  Segment
 * selectors can only be written with the value they have: cvisor runs
 * 64-bit code only.  The FPU state is the copy taken at the stop.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "../sentry/kernel/ptrace.h"
#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "syscalls.h"

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif
#ifndef PTRACE_O_SUSPEND_SECCOMP
#define PTRACE_O_SUSPEND_SECCOMP (1 << 21)
#endif
#define PT_OPTIONS_KNOWN (0xffU | PTRACE_O_EXITKILL | PTRACE_O_SUSPEND_SECCOMP)
#define PTR_ARCH_PRCTL 30
#define PTR_GETSIGMASK 0x420a
#define PTR_SETSIGMASK 0x420b
#define AUDIT_ARCH_X86_64_ 0xc000003eU
#define TASK_SIZE_MAX 0x7ffffffff000ULL
#define EFLAGS_USER 0x50dd5ULL /* CF PF AF ZF SF TF DF OF RF AC: what a debugger may change */
#define FXSAVE_BYTES 512
/* The kernel's struct user: glibc's <sys/user.h> one and error_code, fault_address after it. */
#define USER_AREA_BYTES (sizeof(struct user) + 16)
#define ARCH_SET_GS_ 0x1001
#define ARCH_SET_FS_ 0x1002
#define ARCH_GET_FS_ 0x1003
#define ARCH_GET_GS_ 0x1004

/* struct ptrace_syscall_info (linux/ptrace.h), written from its documentation. */
struct pt_syscall_info {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t stack_pointer;
	union {
		struct {
			uint64_t nr;
			uint64_t args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	};
};

/*
 * One register of the user area (offset off into struct user_regs_struct)
 * in regs set to v, as Linux's putreg: 0 or -EIO.
 */
static long put_reg(plat_regs *regs, uint64_t off, uint64_t v)
{
	uint64_t *slot = (uint64_t *)((char *)regs + off);

	switch (off) {
	case offsetof(plat_regs, cs):
	case offsetof(plat_regs, ss):
	case offsetof(plat_regs, ds):
	case offsetof(plat_regs, es):
	case offsetof(plat_regs, fs):
	case offsetof(plat_regs, gs):
		/* 64-bit code only: a selector keeps its value (writing it back is fine). */
		return v == *slot ? 0 : -EIO;
	case offsetof(plat_regs, fs_base):
	case offsetof(plat_regs, gs_base):
		if (v >= TASK_SIZE_MAX)
			return -EIO;
		break;
	case offsetof(plat_regs, eflags):
		v = (*slot & ~EFLAGS_USER) | (v & EFLAGS_USER);
		break;
	}
	*slot = v;
	return 0;
}

/* A whole register set from the tracer, checked register by register; applied only if all are valid. */
static long set_regs(struct task *x, const plat_regs *in, size_t len)
{
	plat_regs r = x->regs;
	uint64_t off;

	for (off = 0; off + 8 <= len; off += 8) {
		long e = put_reg(&r, off, *(const uint64_t *)((const char *)in + off));

		if (e < 0)
			return e;
	}
	x->regs = r;
	return 0;
}

static long peek_user(struct task *x, uint64_t off, uint64_t *v)
{
	if ((off & 7) || off >= USER_AREA_BYTES)
		return -EIO;
	*v = 0;
	if (off < sizeof(plat_regs))
		memcpy(v, (char *)&x->regs + off, 8);
	else if (off >= offsetof(struct user, u_debugreg) && off < offsetof(struct user, u_debugreg) + 64)
		*v = x->ptrace.debugreg[(off - offsetof(struct user, u_debugreg)) / 8];
	return 0;
}

static long poke_user(struct task *x, uint64_t off, uint64_t v)
{
	if ((off & 7) || off >= USER_AREA_BYTES)
		return -EIO;
	if (off < sizeof(plat_regs))
		return put_reg(&x->regs, off, v);
	if (off >= offsetof(struct user, u_debugreg) && off < offsetof(struct user, u_debugreg) + 64) {
		int i = (int)((off - offsetof(struct user, u_debugreg)) / 8);

		/*
		 * No debug registers here: addresses are kept, but nothing may
		 * be armed (DR7's enable bits), which would promise a trap that
		 * never comes.
		 */
		if (i == 7 && (v & 0xff))
			return -EIO;
		if (i < 4 && v >= TASK_SIZE_MAX)
			return -EIO;
		x->ptrace.debugreg[i] = v;
		return 0;
	}
	return -EIO;
}

/*
 * The FPU state of the stop from the tracer's buffer at src: its first len
 * bytes (the fxsave area alone, or an xsave image), checked as the host's
 * XRSTOR will need them: MXCSR's reserved bits clear, only enabled features
 * in XSTATE_BV, the standard (uncompacted) format.
 */
static long set_fp(struct task *t, struct task *x, gva_t src, size_t len)
{
	uint8_t *buf = task_xsave_scratch(t);
	size_t have;
	uint8_t *fp = ptrace_fpstate(x, &have);
	uint32_t mxcsr;
	uint64_t xcr0, bv, comp;

	if (!fp)
		return -EIO;
	if (!buf)
		return -ENOMEM;
	if (len > have)
		len = have;
	if (len < FXSAVE_BYTES)
		return -EINVAL;
	memcpy(buf, fp, have);
	if (mm_copy_in(t->mm, buf, src, len) < 0)
		return -EFAULT;
	memcpy(&mxcsr, buf + 24, 4);
	if (mxcsr & 0xffff0000U)
		return -EINVAL;
	/* The software bytes (XCR0 and the size) are the kernel's, not the tracer's. */
	memcpy(buf + 464, fp + 464, 48);
	if (have >= FXSAVE_BYTES + 64) {
		memcpy(&xcr0, fp + 464, 8);
		memcpy(&bv, buf + 512, 8);
		memcpy(&comp, buf + 520, 8);
		if (len <= FXSAVE_BYTES)
			bv |= 3; /* x87 and SSE state come from the fxsave area just written */
		if ((bv & ~xcr0) || comp)
			return -EINVAL;
		memcpy(buf + 512, &bv, 8);
	}
	memcpy(fp, buf, have);
	x->ptrace.fp_dirty = 1;
	return 0;
}

static long get_syscall_info(struct task *t, struct task *x, uint64_t size, gva_t dst)
{
	struct pt_syscall_info si;
	size_t len = offsetof(struct pt_syscall_info, entry);
	int sysgood = x->ptrace.info.si_code == (SIGTRAP | 0x80);

	memset(&si, 0, sizeof(si));
	si.arch = AUDIT_ARCH_X86_64_;
	si.instruction_pointer = x->regs.rip;
	si.stack_pointer = x->regs.rsp;
	/* As Linux: a syscall stop is told apart only with PTRACE_O_TRACESYSGOOD's marked SIGTRAP. */
	if (sysgood && x->ptrace.kind == PTRACE_STOP_ENTRY) {
		si.op = PTRACE_SYSCALL_INFO_ENTRY;
		si.entry.nr = x->regs.orig_rax;
		si.entry.args[0] = x->regs.rdi;
		si.entry.args[1] = x->regs.rsi;
		si.entry.args[2] = x->regs.rdx;
		si.entry.args[3] = x->regs.r10;
		si.entry.args[4] = x->regs.r8;
		si.entry.args[5] = x->regs.r9;
		len = offsetof(struct pt_syscall_info, entry.args) + sizeof(si.entry.args);
	} else if (sysgood && x->ptrace.kind == PTRACE_STOP_EXIT) {
		si.op = PTRACE_SYSCALL_INFO_EXIT;
		si.exit.rval = (int64_t)x->regs.rax;
		si.exit.is_error = si.exit.rval < 0 && si.exit.rval >= -4095;
		len = offsetof(struct pt_syscall_info, exit.is_error) + 1;
	}
	if (mm_copy_out(t->mm, dst, &si, size < len ? size : len) < 0)
		return -EFAULT;
	return (long)len;
}

static long get_regset(struct task *t, struct task *x, uint64_t type, gva_t uiov)
{
	struct iovec iov;
	const void *src;
	size_t len, have;

	if (mm_copy_in(t->mm, &iov, uiov, sizeof(iov)) < 0)
		return -EFAULT;
	switch (type) {
	case NT_PRSTATUS:
		src = &x->regs;
		have = sizeof(x->regs);
		break;
	case NT_PRFPREG:
	case NT_X86_XSTATE:
		src = ptrace_fpstate(x, &have);
		if (!src)
			return -ENODEV;
		if (type == NT_PRFPREG)
			have = FXSAVE_BYTES;
		break;
	default:
		return -EINVAL;
	}
	len = iov.iov_len < have ? iov.iov_len : have;
	if (mm_copy_out(t->mm, (gva_t)(uintptr_t)iov.iov_base, src, len) < 0)
		return -EFAULT;
	iov.iov_len = len;
	return mm_copy_out(t->mm, uiov + offsetof(struct iovec, iov_len), &iov.iov_len, sizeof(iov.iov_len));
}

static long set_regset(struct task *t, struct task *x, uint64_t type, gva_t uiov)
{
	struct iovec iov;
	plat_regs r;
	size_t len;

	if (mm_copy_in(t->mm, &iov, uiov, sizeof(iov)) < 0)
		return -EFAULT;
	switch (type) {
	case NT_PRSTATUS:
		len = iov.iov_len < sizeof(r) ? iov.iov_len : sizeof(r);
		r = x->regs;
		if (mm_copy_in(t->mm, &r, (gva_t)(uintptr_t)iov.iov_base, len) < 0)
			return -EFAULT;
		return set_regs(x, &r, sizeof(r));
	case NT_PRFPREG:
		if (iov.iov_len < FXSAVE_BYTES)
			return -EINVAL;
		return set_fp(t, x, (gva_t)(uintptr_t)iov.iov_base, FXSAVE_BYTES);
	case NT_X86_XSTATE:
		return set_fp(t, x, (gva_t)(uintptr_t)iov.iov_base, iov.iov_len);
	default:
		return -EINVAL;
	}
}

static long arch_prctl(struct task *t, struct task *x, gva_t addr, int code)
{
	switch (code) {
	case ARCH_GET_FS_:
		return mm_copy_out(t->mm, addr, &x->regs.fs_base, 8);
	case ARCH_GET_GS_:
		return mm_copy_out(t->mm, addr, &x->regs.gs_base, 8);
	case ARCH_SET_FS_:
		return put_reg(&x->regs, offsetof(plat_regs, fs_base), addr);
	case ARCH_SET_GS_:
		return put_reg(&x->regs, offsetof(plat_regs, gs_base), addr);
	}
	return -EINVAL;
}

/* The requests on a tracee that need it stopped (the rest are the kernel's resumes). */
static long request(struct task *t, struct task *x, long req, gva_t addr, gva_t data)
{
	uint64_t w;
	long r;

	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		r = mm_access_force(x->mm, addr, &w, sizeof(w), 0);
		if (r != sizeof(w))
			return -EIO;
		return mm_copy_out(t->mm, data, &w, sizeof(w));
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return mm_access_force(x->mm, addr, &data, sizeof(data), 1) == sizeof(data) ? 0 : -EIO;
	case PTRACE_PEEKUSER:
		r = peek_user(x, addr, &w);
		return r < 0 ? r : mm_copy_out(t->mm, data, &w, sizeof(w));
	case PTRACE_POKEUSER:
		return poke_user(x, addr, data);
	case PTRACE_GETREGS:
		return mm_copy_out(t->mm, data, &x->regs, sizeof(x->regs));
	case PTRACE_SETREGS: {
		plat_regs regs;

		if (mm_copy_in(t->mm, &regs, data, sizeof(regs)) < 0)
			return -EFAULT;
		return set_regs(x, &regs, sizeof(regs));
	}
	case PTRACE_GETFPREGS: {
		size_t have;
		const uint8_t *fp = ptrace_fpstate(x, &have);

		return fp ? mm_copy_out(t->mm, data, fp, FXSAVE_BYTES) : -EIO;
	}
	case PTRACE_SETFPREGS:
		return set_fp(t, x, data, FXSAVE_BYTES);
	case PTRACE_GETREGSET:
		return get_regset(t, x, addr, data);
	case PTRACE_SETREGSET:
		return set_regset(t, x, addr, data);
	case PTRACE_GETSIGINFO:
		if (x->ptrace.kind == PTRACE_STOP_GROUP && !x->ptrace.seized)
			return -EINVAL; /* an old-style group stop has no signal of its own */
		return mm_copy_out(t->mm, data, &x->ptrace.info, sizeof(x->ptrace.info));
	case PTRACE_SETSIGINFO: {
		siginfo_t si;

		if (mm_copy_in(t->mm, &si, data, sizeof(si)) < 0)
			return -EFAULT;
		if (x->ptrace.kind == PTRACE_STOP_GROUP && !x->ptrace.seized)
			return -EINVAL;
		x->ptrace.info = si;
		return 0;
	}
	case PTR_GETSIGMASK:
		if (addr != 8)
			return -EINVAL;
		return mm_copy_out(t->mm, data, &x->sigmask, 8);
	case PTR_SETSIGMASK:
		if (addr != 8)
			return -EINVAL;
		if (mm_copy_in(t->mm, &w, data, 8) < 0)
			return -EFAULT;
		x->sigmask = w & ~((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
		return 0;
	case PTRACE_GETEVENTMSG:
		return mm_copy_out(t->mm, data, &x->ptrace.msg, sizeof(x->ptrace.msg));
	case PTRACE_SETOPTIONS:
		if (data & ~(uint64_t)PT_OPTIONS_KNOWN)
			return -EINVAL;
		if ((data & PTRACE_O_SUSPEND_SECCOMP) && !capable(t, CAP_SYS_ADMIN))
			return -EPERM;
		x->ptrace.options = (unsigned)data;
		return 0;
	case PTRACE_GET_SYSCALL_INFO:
		return get_syscall_info(t, x, addr, data);
	case PTR_ARCH_PRCTL:
		return arch_prctl(t, x, addr, (int)data);
	case PTRACE_SINGLESTEP:
		if (!plat->set_singlestep)
			return -EIO; /* the platform cannot run one instruction at a time */
		/* fall through */
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_LISTEN:
	case PTRACE_DETACH:
		if (data > 64)
			return -EIO;
		return ptrace_resume(x, (int)req, (int)data);
	}
	return -EIO;
}

SYSCALL(ptrace)
{
	long req = (long)a[0], err;
	int pid = (int)a[1];
	gva_t addr = a[2], data = a[3];
	struct task *x;

	switch (req) {
	case PTRACE_TRACEME:
		return ptrace_traceme(t);
	case PTRACE_ATTACH:
		return ptrace_attach(t, pid, 0, 0);
	case PTRACE_SEIZE:
		if (addr)
			return -EIO;
		if (data & ~(uint64_t)PT_OPTIONS_KNOWN)
			return -EIO; /* EIO here, EINVAL from PTRACE_SETOPTIONS: Linux's */
		if ((data & PTRACE_O_SUSPEND_SECCOMP) && !capable(t, CAP_SYS_ADMIN))
			return -EPERM;
		return ptrace_attach(t, pid, 1, (unsigned)data);
	}
	x = ptrace_tracee(t, pid, req == PTRACE_KILL || req == PTRACE_INTERRUPT, &err);
	if (!x)
		return err;
	if (req == PTRACE_KILL)
		return ptrace_kill(x);
	if (req == PTRACE_INTERRUPT)
		return ptrace_interrupt(x);
	return request(t, x, req, addr, data);
}
