/*
 * CPUID's xsave leaf (0xd) sizes the xsave area for the features the
 * processor has enabled: EBX of sub-leaf 0 covers every state component
 * that is both supported (EAX:EDX) and enabled in XCR0, at the offsets the
 * sub-leaves give.  glibc sizes the stack area of its lazy-binding
 * trampoline from it.  The kvm platform once left the guest's XCR0 at x87
 * and SSE (KVM refused the host's XCR0 for its AMX bits), so EBX said 576
 * bytes while AVX and AVX-512 were in use.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>

int main(void)
{
	unsigned a, b, c, d, lo, hi, need = 576, size, ebx;
	uint64_t supported, enabled;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE)) {
		fprintf(stderr, "no OSXSAVE: nothing to check\n");
		printf("the xsave area's size covers the enabled features\n");
		return 0;
	}
	__cpuid_count(0xd, 0, a, ebx, c, d);
	supported = (uint64_t)d << 32 | a;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	enabled = ((uint64_t)hi << 32 | lo) & supported;
	for (unsigned i = 2; i < 63; i++) {
		if (!(enabled >> i & 1))
			continue;
		__cpuid_count(0xd, i, size, b, c, d);
		if (!(c & 1) && b + size > need) /* a user component: at offset b in the standard layout */
			need = b + size;
	}
	if (ebx >= need)
		printf("the xsave area's size covers the enabled features\n");
	else
		printf("the xsave area's size is %u bytes, the enabled features need %u\n", ebx, need);
	return 0;
}
