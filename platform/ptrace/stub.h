/*
 * The ptrace platform's stub: the only code mapped in a stub process.
 *
 * Layout of the top of every application address space:
 *   STUB_RECV  one page, rw-: where a batch that maps files takes them
 *              from the file socket (a memory-file frame of the stub's
 *              own, holding the msghdr the sentry writes before such a
 *              batch, and the fds' numbers the kernel writes back)
 *   STUB_CODE  one page, r-x: the code in stub.S
 *   STUB_CTRL  one page, r--: the batch of host calls the sentry wants the
 *              stub to make (a memory-file frame the sentry writes)
 * The application's address space ends at STUB_RECV.  The application
 * cannot change STUB_CODE or STUB_CTRL: its mmap/mprotect/munmap are the
 * sentry's, and its system calls never reach the host (PTRACE_SYSEMU).  It
 * can write STUB_RECV (its other threads run meanwhile), which spoils at
 * most its own batch: the fds land at numbers the kernel picks, which the
 * sentry knows beforehand, and a message the stub did not take is dropped
 * by the sentry (ptrace.c, as_flush).
 */
#pragma once

#define STUB_RECV 0x7fffffffc000UL
#define STUB_CODE 0x7fffffffd000UL
#define STUB_CTRL 0x7fffffffe000UL
#define STUB_TOP 0x7ffffffff000UL

/*
 * The fd of every stub's end of the file socket (stub_mm.h).  A stub is
 * forked after the sentry's host-call filter, which it keeps below its own,
 * so its recvmsg must pass both: the sentry's fd 3 is the root gofer's
 * socket (runsc-shim/confine.c puts it there), on which that list allows
 * recvmsg anyway.
 */
#define STUB_SOCK_FD 3

#ifndef __ASSEMBLER__
#include "../stub_mm.h" /* struct plat_stub_op: one host call in a batch, as stub.S reads it */

#define STUB_MAX_OPS (4096 / sizeof(struct plat_stub_op))

extern const char stub_start[], stub_end[], stub_batch[], stub_clone[], stub_park[], stub_exit[];
#endif
