/*
 * The ptrace platform's stub: the only code mapped in a stub process.
 *
 * Layout of the top of every application address space:
 *   STUB_CODE  one page, r-x: the code in stub.S
 *   STUB_CTRL  one page, r--: the batch of host calls the sentry wants the
 *              stub to make (a memory-file frame the sentry writes)
 * The application's address space ends at STUB_CODE.  The application
 * cannot change either page: its mmap/mprotect/munmap are the sentry's, and
 * its system calls never reach the host (PTRACE_SYSEMU).
 */
#pragma once

#define STUB_CODE 0x7fffffffd000UL
#define STUB_CTRL 0x7fffffffe000UL
#define STUB_TOP 0x7ffffffff000UL

#ifndef __ASSEMBLER__
#include "../stub_mm.h" /* struct plat_stub_op: one host call in a batch, as stub.S reads it */

#define STUB_MAX_OPS (4096 / sizeof(struct plat_stub_op))

extern const char stub_start[], stub_end[], stub_batch[], stub_clone[], stub_park[], stub_exit[];
#endif
