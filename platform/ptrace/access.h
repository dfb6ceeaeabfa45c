/* The access of a faulting x86-64 instruction, for a platform that is not told it (access.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../platform.h"

/*
 * What the instruction at regs->rip (its first len bytes, up to 15, in
 * insn) did at addr: PLAT_ACCESS_EXEC, _WRITE or _READ, inferred as
 * access.c says; _UNKNOWN if no byte could be read.
 */
enum plat_access x86_fault_access(const uint8_t *insn, size_t len, const plat_regs *regs, uint64_t addr);
