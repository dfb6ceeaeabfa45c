/*
 * The systrap platform's stub: the only code mapped in a stub process, and
 * the pages it shares with the sentry.
 *
 * Layout of the top of every application address space (the application's
 * own ends at ST_CODE; its mmap/mprotect/munmap are the sentry's, and no
 * thread that runs application code may make those calls on the host):
 *   ST_CODE     two pages, r-x: stub.S, then (second page) the filter the
 *               application threads add (ST_F2PROG, ST_F2)
 *   ST_CTRL     one page, r--: the command the sentry gives the stub's
 *               control thread, and which parked thread is to run again
 *               (a memory-file frame the sentry writes)
 *   ST_ACK      one page, r--: the control thread's answers, written with
 *               pwrite(2) on the memory file, so no application thread can
 *               forge one (they cannot pwrite, nor write the page)
 *   ST_SCRATCH  one page, rw-: the template only (never runs application
 *               code): where the host writes a new stub's pid
 *   ST_RECV     one page, rw-, private to each stub process: where the
 *               control thread receives files to map (ST_OP_RECVFD); the
 *               application can write it too, so nothing read back from it
 *               decides more than which message is taken (the fds' numbers
 *               are the kernel's, not read from it)
 *   ST_REGIONS  one ST_REGION each application thread, rw-: its message
 *               page (struct st_msg) and its signal stack
 */
#pragma once

#define ST_CODE 0x7fff00000000UL
#define ST_CODE_SIZE 0x2000UL
#define ST_F2PROG (ST_CODE + 0x1000UL) /* struct sock_fprog */
#define ST_F2 (ST_CODE + 0x1010UL)     /* its struct sock_filter[] */
#define ST_CTRL 0x7fff00002000UL
#define ST_ACK 0x7fff00003000UL
#define ST_SCRATCH 0x7fff00004000UL
#define ST_RECV 0x7fff00006000UL
#define ST_REGIONS 0x7fff00010000UL
#define ST_REGION 0x8000UL /* a message page and 28 KiB of signal stack (AVX-512 frames take 12) */
#define ST_TOP 0x7ffffffff000UL

/*
 * File mappings (as_map_file).  Every stub process holds the stub end of
 * the sentry's file socket at ST_SOCK_FD (inherited from the template), and
 * no fd but that one and its memory file.  A batch that maps files begins
 * them with ST_OP_RECVFD, which is no system call: the control thread
 * closes every other fd, then takes messages from the socket, dropping each
 * whose 8-byte sequence number is not the op's args[2] (one a stub that
 * died left), until one is.  That message's fds, at most ST_MAX_FILES,
 * land at the lowest free numbers in order, where the batch's mmaps name
 * them; the next ST_OP_RECVFD closes them.  No message at all fails the
 * batch as ENOMEM does: every mapping dropped, faults bring them back.
 */
#define ST_SOCK_FD 1
#define ST_OP_RECVFD 0x10000
#define ST_MAX_FILES 16

/* Control commands (st_ctrl.cmd). */
#define ST_CMD_BATCH 1 /* arg1 = number of ops */
#define ST_CMD_CLONE 2 /* the batch (arg1 ops), then a thread: arg0 = its region */
#define ST_CMD_FORK 3  /* the template only: arg0 = new ctrl frame, arg1 = new ack frame, arg2 = first region's frames */

/* Answers (st_ack.ack), each the offset of a constant in the stub's code. */
#define ST_ACK_OK 1
#define ST_ACK_DROPPED 2 /* a batch failed with ENOMEM: every application mapping was dropped */
#define ST_ACK_FAILED 3
/* The batch ran, but the host refused the clone of ST_CMD_CLONE or ST_CMD_FORK (a pids limit, EAGAIN): not the stub's end. */
#define ST_ACK_NOTHREAD 4

/* st_msg.state */
#define ST_RUN 0  /* the sentry has answered; the thread runs (or is about to) */
#define ST_STOP 1 /* the thread is in its signal handler, waiting */
#define ST_EXIT 2 /* the thread ends (it leaves its handler with exit(2)) */

/* Offsets in struct st_ctrl / st_msg, for stub.S. */
#define CTRL_SEQ 0
#define CTRL_CMD 4
#define CTRL_ARG0 8
#define CTRL_ARG1 16
#define CTRL_PARK_SEQ 24 /* futex word of parked threads: bumped for each unpark */
#define CTRL_UNPARK 32   /* the region whose parked thread is to stop for its new task */
#define CTRL_ARG2 40
#define CTRL_OPS 64
#define MSG_STATE 0
#define MSG_STUB_WAITING 4
#define MSG_SENTRY_WAITING 8
#define MSG_TID 12
#define MSG_SIGNO 16
#define MSG_CODE 20
#define MSG_ADDR 24
#define MSG_UC 32
#define MSG_FS 40
#define MSG_GS 48
#define MSG_SCRATCH 64

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "../stub_mm.h" /* struct plat_stub_op: one host call in a batch, as stub.S reads it */

/* Written by the sentry only. */
struct st_ctrl {
	uint32_t seq; /* futex word: bumped for each command */
	uint32_t cmd;
	uint64_t arg0, arg1;
	uint32_t park_seq, pad0;
	uint64_t unpark;
	uint64_t arg2;
	uint64_t pad[2];
	struct plat_stub_op ops[];
};

#define ST_MAX_OPS ((4096 - 64) / sizeof(struct plat_stub_op))

/* Written by the stub (and so by the application: nothing here is trusted). */
struct st_msg {
	uint32_t state;          /* ST_RUN, ST_STOP, ST_EXIT */
	uint32_t stub_waiting;   /* the stub sleeps on state: wake it */
	uint32_t sentry_waiting; /* the sentry sleeps on state: wake it */
	int32_t tid;             /* the host written at clone, cleared at exit */
	int32_t signo, code;
	uint64_t addr;
	uint64_t uc;             /* the signal frame's ucontext */
	uint64_t fs_base, gs_base;
};

extern const char st_start[], st_end[], st_start_stub[], st_handler[], st_restorer[], st_park[];
#endif
