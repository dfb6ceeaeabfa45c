/*
 * sigaltstack(2) as Linux does it: SS_ONSTACK reported inside a handler
 * that runs on the alternate stack, EPERM for a change made there, the
 * old flags a program may pass (SS_ONSTACK), and rt_sigpending with a
 * shorter set.
 */
#include "check.h"

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

static char alt[65536], alt2[65536];

static void on_alt(int sig)
{
	stack_t cur, next = {.ss_sp = alt2, .ss_size = sizeof(alt2)};

	(void)sig;
	CHECK("sigaltstack query on it", sigaltstack(NULL, &cur));
	printf("ss_flags on it = %d\n", cur.ss_flags);
	CHECK("sigaltstack change on it", sigaltstack(&next, NULL));
}

int main(void)
{
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof(alt)}, cur;
	struct sigaction sa = {.sa_handler = on_alt, .sa_flags = SA_ONSTACK};
	uint32_t small = 0xffffffff;

	CHECK("sigaltstack set", sigaltstack(&ss, NULL));
	CHECK("sigaltstack query", sigaltstack(NULL, &cur));
	printf("ss_flags off it = %d\n", cur.ss_flags);
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	ss.ss_flags = SS_ONSTACK;
	CHECK("sigaltstack with SS_ONSTACK", sigaltstack(&ss, NULL));
	ss.ss_flags = 4;
	CHECK("sigaltstack with flags 4", sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	CHECK("sigaltstack disable", sigaltstack(&ss, NULL));
	CHECK("sigaltstack query disabled", sigaltstack(NULL, &cur));
	printf("ss_flags disabled = %d\n", cur.ss_flags);

	CHECK("rt_sigpending size 4", syscall(SYS_rt_sigpending, &small, 4));
	printf("pending word = %u\n", small);
	CHECK("rt_sigpending size 16", syscall(SYS_rt_sigpending, &small, 16));
	return 0;
}
