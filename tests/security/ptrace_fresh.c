/*
 * Built static, without libc or its start files (tests/security/run.sh).
 * Run by tests/security/ptrace.c with execve, in a stub the ptrace
 * platform kept from a process that ended: before any library code can
 * touch a register, it looks for what that process left (its marker, in
 * argv[1] as 16 hex digits) in the vector and general registers, its
 * addresses (argv[2]'s page and the next 255) in the stub's control page,
 * and then reads argv[2]'s page, which must fault: the old mapping gone
 * from the host, not merely unknown to the sentry.  Exit status: 10 the
 * page read back, 11 an address in the control page, 12 the marker in a
 * vector register, 13 in a general one; killed by SIGSEGV: clean.
 */
#include <stdint.h>
#include <sys/syscall.h>

#define STUB_CTRL 0x7fffffffe000UL

/* What _start saw: rbx, r12-r15, then xmm0-xmm15 (low halves). */
uint64_t saved[5 + 16];

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rbx, saved+0(%rip)\n"
	"	mov %r12, saved+8(%rip)\n"
	"	mov %r13, saved+16(%rip)\n"
	"	mov %r14, saved+24(%rip)\n"
	"	mov %r15, saved+32(%rip)\n"
	"	movq %xmm0, saved+40(%rip)\n"
	"	movq %xmm1, saved+48(%rip)\n"
	"	movq %xmm2, saved+56(%rip)\n"
	"	movq %xmm3, saved+64(%rip)\n"
	"	movq %xmm4, saved+72(%rip)\n"
	"	movq %xmm5, saved+80(%rip)\n"
	"	movq %xmm6, saved+88(%rip)\n"
	"	movq %xmm7, saved+96(%rip)\n"
	"	movq %xmm8, saved+104(%rip)\n"
	"	movq %xmm9, saved+112(%rip)\n"
	"	movq %xmm10, saved+120(%rip)\n"
	"	movq %xmm11, saved+128(%rip)\n"
	"	movq %xmm12, saved+136(%rip)\n"
	"	movq %xmm13, saved+144(%rip)\n"
	"	movq %xmm14, saved+152(%rip)\n"
	"	movq %xmm15, saved+160(%rip)\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call check\n"
	"	ud2\n");

static __attribute__((noreturn)) void leave(int code)
{
	__asm__ volatile("syscall" : : "a"(SYS_exit_group), "D"(code) : "rcx", "r11", "memory");
	__builtin_unreachable();
}

static uint64_t hex(const char *s)
{
	uint64_t v = 0;

	for (; *s; s++)
		v = v * 16 + (uint64_t)(*s >= 'a' ? *s - 'a' + 10 : *s - '0');
	return v;
}

__attribute__((noreturn, used)) void check(uint64_t *sp)
{
	char **argv = (char **)(sp + 1);
	uint64_t marker, old, i;
	const volatile uint64_t *ctrl = (const volatile uint64_t *)STUB_CTRL;

	if (sp[0] < 3)
		leave(2);
	marker = hex(argv[1]);
	old = hex(argv[2]);
	for (i = 0; i < 5; i++)
		if (saved[i] == marker)
			leave(13);
	for (; i < 5 + 16; i++)
		if (saved[i] == marker)
			leave(12);
	for (i = 0; i < 4096 / 8; i++)
		if (ctrl[i] >= old && ctrl[i] < old + 256 * 4096)
			leave(11);
	(void)*(volatile char *)old;
	leave(10);
}
