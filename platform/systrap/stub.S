/*
 * Stub code, copied to ST_CODE in each stub process (see stub.h).  Position
 * independent; it knows its own pages by their fixed addresses.
 *
 * Two kinds of thread run it.
 *
 * The control thread (the stub process's first) never runs application
 * code and never takes a signal (all blocked; a fault kills the process).
 * It uses no stack and no memory the application can write: its state is
 * in registers (r12 = its ack frame's offset in the memory file, r14 = the
 * memory file's fd, r15d = the last command seen) and its commands come
 * from the read-only control page.  So an application thread, which shares
 * its memory, cannot steer it.  It answers each command by pwrite(2) of a
 * constant from this page into the ack frame, then wakes the sentry.
 *
 * Application threads enter at st_thread (made by ST_CMD_CLONE, stack at
 * the top of their region): each sets its signal stack to its region,
 * unblocks signals, adds the application filter (ST_F2) and stops with int3.
 * From then on every system call and fault lands in st_handler, on the
 * signal stack: it records the stop in the region's message page, wakes the
 * sentry if it sleeps, sleeps on its futex until the answer comes, sets
 * fs/gs base and returns through st_restorer's rt_sigreturn, which loads the
 * registers the sentry wrote into the frame.
 */
#include "stub.h"

#define SYS_pwrite64 18
#define SYS_mmap 9
#define SYS_munmap 11
#define SYS_rt_sigreturn 15
#define SYS_rt_sigprocmask 14
#define SYS_sigaltstack 131
#define SYS_clone 56
#define SYS_exit 60
#define SYS_exit_group 231
#define SYS_futex 202
#define SYS_seccomp 317
#define SYS_close_range 436
#define SYS_recvmsg 47
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define THREAD_FLAGS 0x350f00 /* VM FS FILES SIGHAND THREAD SYSVSEM PARENT_SETTID CHILD_CLEARTID */
#define FORK_FLAGS 0x108011   /* PARENT PARENT_SETTID | SIGCHLD */

#define ADDR(label) (ST_CODE + ((label) - st_start))

/* pwrite(memfd, &st_consts[k], 4, ack frame), then wake the sentry. */
.macro ACK k
	mov	$SYS_pwrite64, %eax
	mov	%r14, %rdi
	movabs	$ADDR(st_consts) + 4 * \k, %rsi
	mov	$4, %edx
	mov	%r12, %r10
	syscall
	mov	$SYS_futex, %eax
	movabs	$ST_ACK, %rdi
	mov	$FUTEX_WAKE, %esi
	mov	$1, %edx
	syscall
.endm

	.section .rodata.systrap, "a"
	.balign 4096
	.globl st_start, st_end, st_start_stub, st_handler, st_restorer, st_park
st_start:
st_consts:
	.long	0, 1, 2, 3, 4

/* From stub_child: drop everything of the sentry's but the stub's pages. */
st_start_stub:
	mov	$SYS_munmap, %eax
	xor	%edi, %edi
	movabs	$ST_CODE, %rsi
	syscall
	mov	$SYS_munmap, %eax
	movabs	$ST_REGIONS, %rdi
	movabs	$ST_TOP - ST_REGIONS, %rsi
	syscall
	ACK	ST_ACK_OK

ctl_loop:
	movabs	$ST_CTRL, %rbx
	mov	CTRL_SEQ(%rbx), %eax
	cmp	%eax, %r15d
	jne	1f
	mov	$SYS_futex, %eax
	mov	%rbx, %rdi
	mov	$FUTEX_WAIT, %esi
	mov	%r15d, %edx
	xor	%r10d, %r10d
	syscall
	jmp	ctl_loop
1:	mov	%eax, %r15d
	mov	CTRL_CMD(%rbx), %eax
	cmp	$ST_CMD_BATCH, %eax
	je	ctl_batch
	cmp	$ST_CMD_CLONE, %eax
	je	ctl_batch		/* its queued batch first */
	cmp	$ST_CMD_FORK, %eax
	je	ctl_fork
ctl_failed:
	ACK	ST_ACK_FAILED
	jmp	ctl_loop

/* Each op in order (CTRL_ARG1 of them); the first failure ends the batch. */
ctl_batch:
	mov	CTRL_ARG1(%rbx), %r13
	lea	CTRL_OPS(%rbx), %rbp
2:	test	%r13, %r13
	jz	3f
	mov	0(%rbp), %rax
	cmp	$ST_OP_RECVFD, %rax
	je	ctl_recvfd
	mov	8(%rbp), %rdi
	mov	16(%rbp), %rsi
	mov	24(%rbp), %rdx
	mov	32(%rbp), %r10
	mov	40(%rbp), %r8
	mov	48(%rbp), %r9
	syscall
	cmp	$-4095, %rax
	jae	4f
	add	$56, %rbp
	dec	%r13
	jmp	2b
3:	cmpl	$ST_CMD_CLONE, CTRL_CMD(%rbx)
	je	ctl_clone
	ACK	ST_ACK_OK
	jmp	ctl_loop
4:	cmp	$-12, %rax		/* ENOMEM: drop every application mapping, which cannot fail */
	jne	ctl_failed
	mov	$SYS_munmap, %eax
	xor	%edi, %edi
	movabs	$ST_CODE, %rsi
	syscall
	ACK	ST_ACK_DROPPED
	jmp	ctl_loop

/*
 * ST_OP_RECVFD (stub.h): rbp is the op, its args[2] (24(%rbp)) the
 * sequence number wanted.  The message header is written afresh each time:
 * only the kernel's answer (rax) and the sequence number are read back.
 */
ctl_recvfd:
	mov	$SYS_close_range, %eax	/* every fd but the socket (1) and the memory file (r14) */
	xor	%edi, %edi
	xor	%esi, %esi
	xor	%edx, %edx
	syscall
	mov	$SYS_close_range, %eax
	mov	$2, %edi
	lea	-1(%r14), %rsi
	xor	%edx, %edx
	syscall
	mov	$SYS_close_range, %eax
	lea	1(%r14), %rdi
	mov	$-1, %esi
	xor	%edx, %edx
	syscall
	movabs	$ST_RECV, %rsi
	movq	$0, 0(%rsi)		/* msg_name */
	movq	$0, 8(%rsi)		/* msg_namelen */
	lea	64(%rsi), %rax
	mov	%rax, 16(%rsi)		/* msg_iov: one, at +64, for 8 bytes at +96 */
	movq	$1, 24(%rsi)
	lea	128(%rsi), %rax
	mov	%rax, 32(%rsi)		/* msg_control: 128 bytes at +128 */
	movq	$128, 40(%rsi)
	movq	$0, 48(%rsi)		/* msg_flags */
	lea	96(%rsi), %rax
	mov	%rax, 64(%rsi)
	movq	$8, 72(%rsi)
	movq	$0, 96(%rsi)
	mov	$SYS_recvmsg, %eax
	mov	$ST_SOCK_FD, %edi
	mov	$0x40000040, %edx	/* MSG_DONTWAIT | MSG_CMSG_CLOEXEC */
	syscall
	cmp	$8, %rax
	jne	1f			/* none (or a short one): as ENOMEM */
	movabs	$ST_RECV, %rsi
	mov	96(%rsi), %rax
	cmp	24(%rbp), %rax
	jne	ctl_recvfd		/* another batch's, left by a stub that died: dropped */
	add	$56, %rbp
	dec	%r13
	jmp	2b
1:	mov	$-12, %rax
	jmp	4b

ctl_clone:
	mov	CTRL_ARG0(%rbx), %rdx
	lea	ST_REGION(%rdx), %rsi	/* its stack: the top of its region */
	add	$MSG_TID, %rdx		/* the host writes its tid there, and clears it at its exit */
	mov	%rdx, %r10
	xor	%r8d, %r8d
	mov	$THREAD_FLAGS, %edi
	mov	$SYS_clone, %eax
	syscall
	test	%rax, %rax
	jz	st_thread
	js	ctl_nothread
	ACK	ST_ACK_OK
	jmp	ctl_loop
ctl_nothread:
	ACK	ST_ACK_NOTHREAD
	jmp	ctl_loop

/*
 * The template makes a new stub process; it takes the control and ack
 * frames it is given, maps the first region and makes the process's first
 * application thread there before it answers: that thread adds its filter
 * while the sentry copies the parent's memory map.
 */
ctl_fork:
	mov	CTRL_ARG0(%rbx), %r13
	mov	CTRL_ARG1(%rbx), %rbp
	mov	CTRL_ARG2(%rbx), %rbx
	mov	$FORK_FLAGS, %edi
	xor	%esi, %esi
	movabs	$ST_SCRATCH, %rdx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	mov	$SYS_clone, %eax
	syscall
	test	%rax, %rax
	jz	5f
	js	ctl_nothread
	ACK	ST_ACK_OK
	jmp	ctl_loop
5:	mov	$SYS_mmap, %eax
	movabs	$ST_CTRL, %rdi
	mov	$4096, %esi
	mov	$1, %edx		/* PROT_READ */
	mov	$0x11, %r10d		/* MAP_SHARED | MAP_FIXED */
	mov	%r14, %r8
	mov	%r13, %r9
	syscall
	cmp	$-4095, %rax
	jae	6f
	mov	$SYS_mmap, %eax
	movabs	$ST_ACK, %rdi
	mov	$4096, %esi
	mov	$1, %edx
	mov	$0x11, %r10d
	mov	%r14, %r8
	mov	%rbp, %r9
	syscall
	cmp	$-4095, %rax
	jae	6f
	mov	$SYS_munmap, %eax
	movabs	$ST_SCRATCH, %rdi
	mov	$4096, %esi
	syscall
	mov	%rbp, %r12
	xor	%r15d, %r15d
	mov	$SYS_mmap, %eax
	movabs	$ST_REGIONS, %rdi
	mov	$ST_REGION, %esi
	mov	$3, %edx		/* PROT_READ | PROT_WRITE */
	mov	$0x11, %r10d
	mov	%r14, %r8
	mov	%rbx, %r9
	syscall
	cmp	$-4095, %rax
	jae	6f
	movabs	$ST_REGIONS, %rdx
	lea	ST_REGION(%rdx), %rsi
	add	$MSG_TID, %rdx
	mov	%rdx, %r10
	xor	%r8d, %r8d
	mov	$THREAD_FLAGS, %edi
	mov	$SYS_clone, %eax
	syscall
	test	%rax, %rax
	jz	st_thread
	js	6f
	ACK	ST_ACK_OK
	jmp	ctl_loop
6:	mov	$SYS_exit_group, %eax
	mov	$1, %edi
	syscall

/* A new application thread: rsp is the top of its region. */
st_thread:
	lea	-ST_REGION(%rsp), %rbx
	lea	4096(%rbx), %rax
	mov	%rax, MSG_SCRATCH(%rbx)		/* stack_t: ss_sp, ss_flags, ss_size */
	movq	$0, MSG_SCRATCH + 8(%rbx)
	movq	$ST_REGION - 4096, MSG_SCRATCH + 16(%rbx)
	mov	$SYS_sigaltstack, %eax
	lea	MSG_SCRATCH(%rbx), %rdi
	xor	%esi, %esi
	syscall
	test	%rax, %rax
	jnz	7f
	movq	$0, MSG_SCRATCH + 32(%rbx)
	mov	$SYS_rt_sigprocmask, %eax
	mov	$2, %edi			/* SIG_SETMASK: nothing blocked */
	lea	MSG_SCRATCH + 32(%rbx), %rsi
	xor	%edx, %edx
	mov	$8, %r10d
	syscall
	mov	$SYS_seccomp, %eax
	mov	$1, %edi			/* SECCOMP_SET_MODE_FILTER */
	xor	%esi, %esi
	movabs	$ST_F2PROG, %rdx
	syscall
	test	%rax, %rax
	jnz	7f
	int3					/* the first stop: the sentry gives it registers */
7:	mov	$SYS_exit, %eax
	xor	%edi, %edi
	syscall
	ud2

/*
 * A parked thread: its task ended and the sentry keeps it for the next
 * thread of the process (no clone, no filter to add).  The sentry set its
 * registers (rbx = its region, nothing of the old task's) and let it go
 * here.  It is out of its handler, so no frame in memory holds its
 * registers, and what it waits for is in the control page, which the
 * application cannot write: a wake the application makes only loops.
 * When the sentry names its region it stops with int3, as a new thread.
 */
st_park:
	movabs	$ST_CTRL, %r12
1:	mov	CTRL_PARK_SEQ(%r12), %edx
	cmp	CTRL_UNPARK(%r12), %rbx
	je	2f
	mov	$SYS_futex, %eax
	lea	CTRL_PARK_SEQ(%r12), %rdi
	mov	$FUTEX_WAIT, %esi
	xor	%r10d, %r10d
	syscall
	jmp	1b
2:	int3					/* its first stop for its new task */
	mov	$SYS_exit, %eax
	xor	%edi, %edi
	syscall
	ud2

/* Every signal of an application thread: rdi = signo, rsi = siginfo, rdx = ucontext. */
st_handler:
	mov	%rsp, %rbx
	and	$-ST_REGION, %rbx
	mov	%edi, MSG_SIGNO(%rbx)
	mov	8(%rsi), %eax
	mov	%eax, MSG_CODE(%rbx)
	mov	16(%rsi), %rax
	mov	%rax, MSG_ADDR(%rbx)
	mov	%rdx, MSG_UC(%rbx)
	rdfsbase %rax
	mov	%rax, MSG_FS(%rbx)
	rdgsbase %rax
	mov	%rax, MSG_GS(%rbx)
	movl	$ST_STOP, MSG_STATE(%rbx)
	mfence
	cmpl	$0, MSG_SENTRY_WAITING(%rbx)
	je	2f
	mov	$SYS_futex, %eax
	lea	MSG_STATE(%rbx), %rdi
	mov	$FUTEX_WAKE, %esi
	mov	$1, %edx
	syscall
	/* No spinning first: see SENTRY_SPINS in systrap.c. */
2:
4:	movl	$1, MSG_STUB_WAITING(%rbx)
	mfence
	cmpl	$ST_STOP, MSG_STATE(%rbx)
	jne	41f
	mov	$SYS_futex, %eax
	lea	MSG_STATE(%rbx), %rdi
	mov	$FUTEX_WAIT, %esi
	mov	$ST_STOP, %edx
	xor	%r10d, %r10d
	syscall
41:	movl	$0, MSG_STUB_WAITING(%rbx)
	cmpl	$ST_STOP, MSG_STATE(%rbx)
	je	4b
5:	cmpl	$ST_RUN, MSG_STATE(%rbx)
	jne	6f
	mov	MSG_FS(%rbx), %rax
	wrfsbase %rax
	mov	MSG_GS(%rbx), %rax
	wrgsbase %rax
	ret					/* to st_restorer */
6:	mov	$SYS_exit, %eax
	xor	%edi, %edi
	syscall
	ud2

st_restorer:
	mov	$SYS_rt_sigreturn, %eax
	syscall
	ud2
st_end:
	.section .note.GNU-stack, "", @progbits
