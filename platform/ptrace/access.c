/*
 * The access a faulting x86-64 instruction made, for a platform that is
 * not told (ptrace: the host's siginfo says where and whether the page was
 * there, SEGV_MAPERR or SEGV_ACCERR, never read or write; the error code
 * the CPU pushed stays in the host kernel).
 *
 * An instruction fetch is recognised by the fault address: rip itself, or
 * the next page when the instruction crosses into it.  Otherwise the
 * instruction at rip is decoded just far enough to know whether its memory
 * operand is written: stores, read-modify-writes (which fault as writes on
 * x86 even when the page is absent), stack pushes and calls, string
 * stores.  Instructions not recognised count as reads, the common case;
 * so the answer is inferred, not exact, for the rare instruction whose
 * store the table below misses, and for movs/push whose source and
 * destination are told apart by the address.
 */
#include <stddef.h>
#include <stdint.h>

#include "access.h"

#define PAGE_OF(a) ((a) & ~4095ULL)

static int modrm_reg(const uint8_t *p)
{
	return (p[0] >> 3) & 7;
}

/* Writes of the one-byte opcode map (op, then p at its ModRM byte). */
static int writes_1byte(uint8_t op, const uint8_t *p, uint64_t addr, const plat_regs *r)
{
	if (op < 0x40 && (op & 7) <= 1 && (op & 0x38) != 0x38)
		return 1; /* add, or, adc, sbb, and, sub, xor r/m, reg (not cmp) */
	switch (op) {
	case 0x50 ... 0x57: case 0x68: case 0x6a: case 0x9c: case 0xc8: case 0xe8:
		return 1; /* push, pushf, enter, call: the stack */
	case 0x86: case 0x87: case 0x88: case 0x89: case 0x8c:
	case 0xa2: case 0xa3: case 0xaa: case 0xab: case 0xc6: case 0xc7:
	case 0xc0: case 0xc1: case 0xd0 ... 0xd3:
		return 1; /* xchg, mov stores, stos, shifts and rotates of r/m */
	case 0x80: case 0x81: case 0x83:
		return modrm_reg(p) != 7; /* all but cmp */
	case 0xf6: case 0xf7:
		return modrm_reg(p) == 2 || modrm_reg(p) == 3; /* not, neg */
	case 0xfe:
		return modrm_reg(p) <= 1; /* inc, dec */
	case 0xff:
		if (modrm_reg(p) <= 1)
			return 1;
		/* call, push r/m: the stack is written, the operand read. */
		return (modrm_reg(p) == 2 || modrm_reg(p) == 6) && PAGE_OF(addr) == PAGE_OF(r->rsp - 8);
	case 0xa4: case 0xa5:
		return PAGE_OF(addr) == PAGE_OF(r->rdi); /* movs: the destination is rdi's */
	}
	return 0;
}

/* Writes of the 0F map (SSE, AVX through VEX with pp its implied prefix: 1 is 66, 2 is F3). */
static int writes_0f(uint8_t op, const uint8_t *p, int pp)
{
	switch (op) {
	case 0x11: case 0x13: case 0x17: case 0x29: case 0x2b: case 0x7f: case 0xd6: case 0xe7: case 0xc3:
	case 0x90 ... 0x9f: case 0xab: case 0xb3: case 0xbb: case 0xb0: case 0xb1: case 0xc0: case 0xc1:
		return 1; /* SSE/AVX stores, movnti, setcc, bts/btr/btc, cmpxchg, xadd */
	case 0x7e:
		return pp != 2; /* movd/movq store; F3 0F 7E is a load */
	case 0xba:
		return modrm_reg(p) >= 5; /* bts, btr, btc with an immediate */
	case 0xc7:
		return modrm_reg(p) == 1; /* cmpxchg8b/16b */
	case 0xae:
		return modrm_reg(p) == 0 || modrm_reg(p) == 4 || modrm_reg(p) == 6; /* fxsave, xsave, xsaveopt */
	}
	return 0;
}

enum plat_access x86_fault_access(const uint8_t *insn, size_t len, const plat_regs *r, uint64_t addr)
{
	const uint8_t *p = insn, *end = insn + len;
	int pp = 0;

	if (addr == r->rip || (addr > r->rip && addr - r->rip < 16 && PAGE_OF(addr) != PAGE_OF(r->rip)))
		return PLAT_ACCESS_EXEC;
	if (!len)
		return PLAT_ACCESS_UNKNOWN;
	/* Legacy prefixes; lock only comes with a read-modify-write. */
	for (; p < end; p++) {
		if (*p == 0xf0)
			return PLAT_ACCESS_WRITE;
		if (*p == 0x66)
			pp = 1;
		else if (*p == 0xf3)
			pp = 2;
		else if (*p == 0xf2)
			pp = 3;
		else if (*p != 0x2e && *p != 0x36 && *p != 0x3e && *p != 0x26 && *p != 0x64 && *p != 0x65 &&
			 *p != 0x67)
			break;
	}
	if (p < end && (*p & 0xf0) == 0x40)
		p++; /* REX */
	if (end - p < 2)
		return PLAT_ACCESS_READ;
	if (*p == 0xc5 && end - p >= 3) /* two-byte VEX: the 0F map */
		return writes_0f(p[2], p + 3 < end ? p + 3 : p + 2, p[1] & 3) ? PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
	if (*p == 0xc4 && end - p >= 4) /* three-byte VEX: only the 0F map stores here */
		return (p[1] & 0x1f) == 1 && writes_0f(p[3], p + 4 < end ? p + 4 : p + 3, p[2] & 3) ?
			       PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
	if (*p == 0x0f)
		return end - p >= 3 && writes_0f(p[1], p + 2, pp) ? PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
	return writes_1byte(p[0], p + 1, addr, r) ? PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
}
