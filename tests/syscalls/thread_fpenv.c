/*
 * A new thread starts with its creator's floating-point environment (the
 * SSE MXCSR and the x87 control word are copied at clone, as Linux does):
 * a rounding mode set before pthread_create holds in the thread.
 */
#include <pthread.h>
#include <stdio.h>

static void *show(void *arg)
{
	unsigned mxcsr;
	unsigned short cw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	printf("%s: mxcsr %#x, x87 control word %#x\n", (const char *)arg, mxcsr, cw);
	return NULL;
}

/* Rounding toward minus infinity in both units (RC = 01). */
static void round_down(int on)
{
	unsigned mxcsr;
	unsigned short cw;

	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(cw));
	mxcsr = (mxcsr & ~0x6000u) | (on ? 0x2000u : 0);
	cw = (unsigned short)((cw & ~0xc00u) | (on ? 0x400u : 0));
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fldcw %0" : : "m"(cw));
}

int main(void)
{
	pthread_t t;

	round_down(1);
	show("main, rounding down");
	if (pthread_create(&t, NULL, show, "thread made then") || pthread_join(t, NULL))
		return 1;
	round_down(0);
	if (pthread_create(&t, NULL, show, "thread made after resetting") || pthread_join(t, NULL))
		return 1;
	return 0;
}
