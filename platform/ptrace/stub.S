/*
 * Stub code, copied to STUB_CODE in each stub process (see stub.h).  It is
 * position independent and uses no stack and no data but the control page.
 *
 * stub_start: first instruction run in a new stub; puts the FPU and vector
 *   registers in their initial state (they held the sentry's, which a new
 *   program must not see), unmaps everything the fork from the sentry left
 *   below the stub's pages (STUB_RECV), then traps to the tracer.
 * stub_clone: makes a new thread or process (clone with the flags in rdi)
 *   and traps with its tid in rax; the new thread waits in pause() until a
 *   tracer of its own seizes it.  It uses no stack, so it needs none of its
 *   own.
 * stub_park: waits in pause() for good (the template between forks).
 * stub_exit: ends the calling thread (exit(0)); the process goes on.
 * stub_batch: r12 = address of an array of struct stub_op, r13 = count.
 *   Makes each call in order and traps when done (r13 = 0) or at the first
 *   failure (r13 = calls not done, counting the failed one; rax = -errno).
 */
#include "stub.h"

	.section .rodata.stub, "a"
	.balign 4096
	.globl stub_start, stub_end, stub_batch, stub_clone, stub_park, stub_exit
stub_start:
	/*
	 * xrstor from stub_fpinit: x87, SSE, AVX and AVX-512 (each one the
	 * host enabled) whose state the standard layout keeps within the
	 * stub's page; the page is zero past stub_end.
	 */
	mov	$0xff, %eax
	xor	%edx, %edx
	lea	stub_fpinit(%rip), %rcx
	xrstor	(%rcx)
	mov	$11, %eax		/* munmap(0, STUB_RECV) */
	xor	%edi, %edi
	movabs	$STUB_RECV, %rsi
	syscall
	int3

stub_batch:
1:	test	%r13, %r13
	jz	2f
	mov	0(%r12), %rax
	mov	8(%r12), %rdi
	mov	16(%r12), %rsi
	mov	24(%r12), %rdx
	mov	32(%r12), %r10
	mov	40(%r12), %r8
	mov	48(%r12), %r9
	syscall
	cmp	$-4095, %rax
	jae	2f
	add	$56, %r12
	dec	%r13
	jmp	1b
2:	int3

stub_clone:
	mov	$56, %eax		/* clone(rdi, 0, 0, 0, 0) */
	xor	%esi, %esi
	xor	%edx, %edx
	xor	%r10d, %r10d
	xor	%r8d, %r8d
	syscall
	test	%rax, %rax
	jz	3f
	int3
stub_park:
3:	mov	$34, %eax		/* pause(), until our tracer takes over */
	syscall
	jmp	3b

stub_exit:
	mov	$60, %eax		/* exit(0): this thread only */
	xor	%edi, %edi
	syscall
	int3

	/* An xsave area whose header marks every component initial; MXCSR as Linux starts it. */
	.balign	64
stub_fpinit:
	.fill	24, 1, 0
	.long	0x1f80
	.fill	512 + 64 - 28, 1, 0
	/* AVX-512's last component ends 2688 bytes into the standard layout: keep the code above small. */
stub_end:
	.section .note.GNU-stack, "", @progbits
