/*
 * What an application could try against the machine it runs on: under
 * --platform=kvm, the guest's ring-0 side (its stub, IDT, GDT, TSS and page
 * tables, in the kernel half) and the privileged instructions.  Each attempt
 * runs in a child, which must die of the signal Linux would send (or, for
 * the one that is allowed, gain nothing); the parent prints "NAME: ok" or
 * "NAME: ESCAPED ..." and, last, "N escaped".  Meaningful on any platform:
 * under ptrace the kernel half is the host's, and the answers are the same.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

/* The kvm platform's kernel half (platform/kvm/guest.h): its stub, IDT, first vCPU's GDT/TSS and stack. */
#define KSTUB 0xffffffff80000000UL
#define KIDT 0xffffffff80001000UL
#define KCPU0 0xffffffff8000c000UL
#define KLSTAR (KSTUB + 2064)

#include "report.h"

/* What an instruction the host may answer for itself must do: nothing, or a SIGSEGV or SIGILL. */
#define HARMLESS (-1)

/* Runs fn in a child; it must die of signal want (0: must exit 0, having gained nothing; or HARMLESS). */
static void attempt(const char *name, void (*fn)(void), int want)
{
	char why[96];
	int st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		alarm(10);
		fn();
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		report(name, 0, "fork or wait failed");
		return;
	}
	if (want == HARMLESS && WIFSIGNALED(st) && (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGILL))
		want = WTERMSIG(st);
	if (want > 0 ? WIFSIGNALED(st) && WTERMSIG(st) == want : WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		report(name, 1, "");
		return;
	}
	if (WIFSIGNALED(st))
		snprintf(why, sizeof(why), "died of signal %d, not %d", WTERMSIG(st), want);
	else
		snprintf(why, sizeof(why), "exited %d%s", WEXITSTATUS(st), want ? " instead of faulting" : "");
	report(name, 0, why);
}

static void read_stub(void)
{
	printf("%lx\n", *(volatile unsigned long *)KSTUB);
}

static void write_idt(void)
{
	*(volatile unsigned long *)KIDT = 0;
}

static void write_gdt(void)
{
	*(volatile unsigned long *)KCPU0 = 0;
}

static void write_tss_stack(void)
{
	*(volatile unsigned long *)(KCPU0 + 4096 + 4000) = 0;
}

/* The page-table self-map addresses some kernels use: nothing is there. */
static void write_self_map(void)
{
	*(volatile unsigned long *)0xffffff7fbfdfe000UL = 0;
}

static void jump_handler(void)
{
	((void (*)(void))(KSTUB + 13 * 8))();
}

static void jump_iret(void)
{
	((void (*)(void))(KSTUB + 2048))();
}

/* The routine that rewrites page-table entries (kvm's unmap, at 2080), with a list of our own. */
static void jump_unmap(void)
{
	unsigned long list[3] = {0xffffff0000000000UL, 0, 0};

	__asm__ volatile("mov $1, %%ecx\n\t"
			 "call *%1"
			 :
			 : "S"(list), "r"(KSTUB + 2080)
			 : "rcx", "rax", "rdx", "memory");
}

/* The page-table self-map kvm keeps for that routine (PML4 entry 510): supervisor-only. */
static void read_self_map(void)
{
	printf("%lx\n", *(volatile unsigned long *)0xffffff0000000000UL);
}

/*
 * Jumping to LSTAR makes a system call (rax, returning to rcx) under kvm,
 * as the syscall instruction would, and faults elsewhere: no more.
 */
static void jump_lstar(void)
{
	long r;

	__asm__ volatile("lea 1f(%%rip), %%rcx\n\t"
			 "jmp *%2\n"
			 "1:"
			 : "=a"(r)
			 : "a"((long)SYS_getpid), "r"(KLSTAR)
			 : "rcx", "r11", "memory");
	_exit(r == getpid() ? 0 : 3);
}

static void do_hlt(void)
{
	__asm__ volatile("hlt");
}

static void do_cli(void)
{
	__asm__ volatile("cli");
}

static void do_wrmsr(void)
{
	__asm__ volatile("wrmsr" : : "c"(0xc0000082), "a"(0), "d"(0));
}

static void do_rdmsr(void)
{
	unsigned a, d;

	__asm__ volatile("rdmsr" : "=a"(a), "=d"(d) : "c"(0xc0000082));
}

static void do_mov_cr3(void)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(0UL));
}

static void do_read_cr3(void)
{
	unsigned long v;

	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	printf("cr3 %lx\n", v);
}

static void do_lgdt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = {0xffff, 0};

	__asm__ volatile("lgdt %0" : : "m"(d));
}

static void do_lidt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = {0, 0};

	__asm__ volatile("lidt %0" : : "m"(d));
}

static void do_ltr(void)
{
	__asm__ volatile("ltr %w0" : : "r"(0x40));
}

static void do_out(void)
{
	__asm__ volatile("outb %%al, $0x80" : : "a"(0));
}

static void do_in(void)
{
	unsigned char v;

	__asm__ volatile("inb $0x60, %0" : "=a"(v));
}

static void do_int_hw(void)
{
	__asm__ volatile("int $0x20");
}

static void do_invlpg(void)
{
	__asm__ volatile("invlpg (%0)" : : "r"(0UL) : "memory");
}

static void do_swapgs(void)
{
	__asm__ volatile("swapgs");
}

static void do_sysret(void)
{
	__asm__ volatile("sysretq");
}

/* KVM answers a hypercall from ring 3 with an error itself; a host may let it through as a no-op. */
static void do_vmcall(void)
{
	__asm__ volatile("vmcall");
}

/* sigreturn to ring 0: cvisor forces the application's selectors, so the stub address simply faults. */
static void to_kernel(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(KSTUB + 2048);
	uc->uc_mcontext.gregs[REG_CSGSFS] = (uc->uc_mcontext.gregs[REG_CSGSFS] & ~0xffffL) | 0x10;
	signal(SIGSEGV, SIG_DFL);
}

static void sigreturn_ring0(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = to_kernel;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
}

/* sigreturn with IOPL 3 in eflags: in/out must still fault. */
static void to_iopl(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x3000;
}

static void sigreturn_iopl(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = to_iopl;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	__asm__ volatile("outb %%al, $0x80" : : "a"(0));
}

/* A mapping in the kernel half, asked of the sentry. */
static void map_kernel_half(void)
{
	void *p = mmap((void *)KSTUB, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	_exit(p == MAP_FAILED ? 0 : 3);
}

int main(void)
{
	attempt("read the stub", read_stub, SIGSEGV);
	attempt("write the IDT", write_idt, SIGSEGV);
	attempt("write a GDT", write_gdt, SIGSEGV);
	attempt("write a ring-0 stack", write_tss_stack, SIGSEGV);
	attempt("write page tables through a self-map", write_self_map, SIGSEGV);
	attempt("jump into the stub's handlers", jump_handler, SIGSEGV);
	attempt("jump to the stub's iretq", jump_iret, SIGSEGV);
	attempt("jump to the stub's unmap routine", jump_unmap, SIGSEGV);
	attempt("read the page-table self-map", read_self_map, SIGSEGV);
	attempt("jump to LSTAR gains nothing", jump_lstar, HARMLESS);
	attempt("hlt", do_hlt, SIGSEGV);
	attempt("cli", do_cli, SIGSEGV);
	attempt("wrmsr LSTAR", do_wrmsr, SIGSEGV);
	attempt("rdmsr LSTAR", do_rdmsr, SIGSEGV);
	attempt("mov to cr3", do_mov_cr3, SIGSEGV);
	attempt("mov from cr3", do_read_cr3, SIGSEGV);
	attempt("lgdt", do_lgdt, SIGSEGV);
	attempt("lidt", do_lidt, SIGSEGV);
	attempt("ltr", do_ltr, SIGSEGV);
	attempt("out", do_out, SIGSEGV);
	attempt("in", do_in, SIGSEGV);
	attempt("int to a ring-0 vector", do_int_hw, SIGSEGV);
	attempt("invlpg", do_invlpg, SIGSEGV);
	attempt("swapgs", do_swapgs, SIGSEGV);
	attempt("sysret", do_sysret, SIGSEGV);
	attempt("vmcall gains nothing", do_vmcall, HARMLESS);
	attempt("sigreturn to ring 0", sigreturn_ring0, SIGSEGV);
	attempt("sigreturn with IOPL 3", sigreturn_iopl, SIGSEGV);
	attempt("mmap in the kernel half", map_kernel_half, 0);
	printf("%d escaped\n", escaped);
	return escaped != 0;
}
