/*
 * A forked child starts with its parent's FPU and vector state, as Linux's
 * fork copies it: the xmm registers, MXCSR, the x87 control word and the x87
 * stack (and the upper halves of the ymm registers where there is AVX).  The
 * kvm platform once gave a forked child a fresh vCPU state instead.
 *
 * The registers are loaded, the fork made and the registers read in one asm
 * block, with a raw fork system call: glibc's fork() runs code (atfork
 * handlers, malloc's locks) free to use the vector registers between.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct fpu_regs {
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint16_t fcw;
	double st0;
};

static int has_avx(void)
{
	unsigned a, b, c, d, lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}

/* Loads in, forks, stores the registers each side then has into out; the fork's result. */
static long fork_with(const struct fpu_regs *in, struct fpu_regs *out)
{
	long ret;
	uint32_t mxcsr_saved;
	uint16_t fcw_saved;

	__asm__ volatile(
		"stmxcsr %[ms]\n\t"
		"fnstcw %[fs]\n\t"
		"movdqu 0(%[in]), %%xmm0\n\t"
		"movdqu 16(%[in]), %%xmm1\n\t"
		"movdqu 32(%[in]), %%xmm2\n\t"
		"movdqu 48(%[in]), %%xmm3\n\t"
		"movdqu 64(%[in]), %%xmm4\n\t"
		"movdqu 80(%[in]), %%xmm5\n\t"
		"movdqu 96(%[in]), %%xmm6\n\t"
		"movdqu 112(%[in]), %%xmm7\n\t"
		"movdqu 128(%[in]), %%xmm8\n\t"
		"movdqu 144(%[in]), %%xmm9\n\t"
		"movdqu 160(%[in]), %%xmm10\n\t"
		"movdqu 176(%[in]), %%xmm11\n\t"
		"movdqu 192(%[in]), %%xmm12\n\t"
		"movdqu 208(%[in]), %%xmm13\n\t"
		"movdqu 224(%[in]), %%xmm14\n\t"
		"movdqu 240(%[in]), %%xmm15\n\t"
		"ldmxcsr 256(%[in])\n\t"
		"fldcw 260(%[in])\n\t"
		"fldl 264(%[in])\n\t"
		"syscall\n\t"
		"fstpl 264(%[out])\n\t"
		"fnstcw 260(%[out])\n\t"
		"stmxcsr 256(%[out])\n\t"
		"fldcw %[fs]\n\t"
		"ldmxcsr %[ms]\n\t"
		"movdqu %%xmm0, 0(%[out])\n\t"
		"movdqu %%xmm1, 16(%[out])\n\t"
		"movdqu %%xmm2, 32(%[out])\n\t"
		"movdqu %%xmm3, 48(%[out])\n\t"
		"movdqu %%xmm4, 64(%[out])\n\t"
		"movdqu %%xmm5, 80(%[out])\n\t"
		"movdqu %%xmm6, 96(%[out])\n\t"
		"movdqu %%xmm7, 112(%[out])\n\t"
		"movdqu %%xmm8, 128(%[out])\n\t"
		"movdqu %%xmm9, 144(%[out])\n\t"
		"movdqu %%xmm10, 160(%[out])\n\t"
		"movdqu %%xmm11, 176(%[out])\n\t"
		"movdqu %%xmm12, 192(%[out])\n\t"
		"movdqu %%xmm13, 208(%[out])\n\t"
		"movdqu %%xmm14, 224(%[out])\n\t"
		"movdqu %%xmm15, 240(%[out])\n\t"
		: "=a"(ret), [ms] "=m"(mxcsr_saved), [fs] "=m"(fcw_saved)
		: "a"((long)SYS_fork), [in] "r"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
		  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

/* The same with the upper halves of ymm8 and ymm15 (AVX): in holds 32 bytes each, out gets them. */
static long fork_with_ymm(const uint8_t in[2][32], uint8_t out[2][32])
{
	long ret;

	__asm__ volatile("vmovdqu 0(%[in]), %%ymm8\n\t"
			 "vmovdqu 32(%[in]), %%ymm15\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm8, 0(%[out])\n\t"
			 "vmovdqu %%ymm15, 32(%[out])\n\t"
			 "vzeroupper\n\t"
			 : "=a"(ret)
			 : "a"((long)SYS_fork), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm8", "xmm15");
	return ret;
}

static void show(const char *who, const struct fpu_regs *in, const struct fpu_regs *r)
{
	int same = 0;

	for (int i = 0; i < 16; i++) {
		if (memcmp(in->xmm[i], r->xmm[i], 16) == 0) {
			same++;
			continue;
		}
		printf("%s: xmm%d differs:", who, i);
		for (int j = 0; j < 16; j++)
			printf(" %02x", r->xmm[i][j]);
		printf("\n");
	}
	printf("%s: %d of 16 xmm registers as the parent set them\n", who, same);
	printf("%s: mxcsr %#x, x87 control word %#x, st0 %s\n", who, r->mxcsr, r->fcw,
	       r->st0 == in->st0 ? "as set" : "differs");
}

static void wait_child(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		printf("child ended badly (%#x)\n", st);
}

int main(void)
{
	struct fpu_regs in, out;
	long pid;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 16; j++)
			in.xmm[i][j] = (uint8_t)(0x11 * (i + 1) + j * 3);
	in.mxcsr = 0x1f80 | 0x6000; /* round toward zero */
	in.fcw = 0x037f | 0x0c00;   /* the same in the x87 unit */
	in.st0 = 2.718281828459045;
	fflush(stdout);
	memset(&out, 0, sizeof(out));
	pid = fork_with(&in, &out);
	if (pid < 0) {
		printf("fork: %ld\n", pid);
		return 1;
	}
	if (pid == 0) {
		show("child", &in, &out);
		fflush(stdout);
		_exit(0);
	}
	wait_child((pid_t)pid);
	show("parent", &in, &out);

	if (has_avx()) {
		uint8_t yin[2][32], yout[2][32];
		int same;

		for (int i = 0; i < 32; i++) {
			yin[0][i] = (uint8_t)(0xa0 + i);
			yin[1][i] = (uint8_t)(0x5a ^ i);
		}
		memset(yout, 0, sizeof(yout));
		fflush(stdout);
		pid = fork_with_ymm((const uint8_t(*)[32])yin, yout);
		if (pid < 0) {
			printf("fork: %ld\n", pid);
			return 1;
		}
		same = memcmp(yin, yout, sizeof(yin)) == 0;
		if (pid == 0) {
			printf("child: ymm8 and ymm15 %s\n", same ? "as the parent set them" : "differ");
			fflush(stdout);
			_exit(0);
		}
		wait_child((pid_t)pid);
		printf("parent: ymm8 and ymm15 %s\n", same ? "as set" : "differ");
	} else {
		fprintf(stderr, "no AVX: the ymm case is left out\n");
	}
	return 0;
}
