/* A program that crashes two calls deep: gdb's backtrace must name them. */
#include <stdio.h>

static int *volatile nowhere;

__attribute__((noinline)) static void inner(int n)
{
	*nowhere = n;
}

__attribute__((noinline)) static void outer(int n)
{
	inner(n + 1);
}

int main(void)
{
	puts("about to crash");
	fflush(stdout);
	outer(41);
	return 0;
}
