/* SPDX-License-Identifier: MIT */
/*
 * rettrap N self|handoff [SPINS]: the floor under a seccomp-trap sandbox (cvisor's
 * systrap platform), in ns per round trip.
 *
 * The process installs a seccomp filter that answers getppid with
 * SECCOMP_RET_TRAP, so each getppid raises SIGSYS, and a handler answers it.
 * "self": the handler writes the answer into the signal frame and returns
 * (signal delivery + rt_sigreturn, the least any trap costs).  "handoff": the
 * handler passes the stop to a second thread over a futex word in shared
 * memory and waits for the answer, as systrap's stub does with the sentry;
 * each waiting side spins SPINS pause instructions (default 0) before it
 * sleeps.  Run on any CPU the scheduler gives (taskset it to pin).
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "bench.h"

static const char *prog = "rettrap";

#define ANSWER 4242
static long spins;

enum { RUN, STOP };
static _Atomic int state = RUN;
static int handoff;

static void futex_wait(_Atomic int *w, int v)
{
	long i;

	for (i = 0; i < spins && *w == v; i++)
		__builtin_ia32_pause();
	while (*w == v)
		syscall(SYS_futex, w, FUTEX_WAIT, v, NULL, NULL, 0);
}

static void futex_wake(_Atomic int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void on_sigsys(int sig, siginfo_t *si, void *p)
{
	ucontext_t *uc = p;

	(void)sig;
	(void)si;
	if (handoff) {
		state = STOP;
		futex_wake(&state);
		futex_wait(&state, STOP);
	}
	uc->uc_mcontext.gregs[REG_RAX] = ANSWER;
}

/* The "sentry" of handoff: answers each stop. */
static void *answerer(void *arg)
{
	(void)arg;
	for (;;) {
		futex_wait(&state, RUN);
		state = RUN;
		futex_wake(&state);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fp = {sizeof(f) / sizeof(f[0]), f};
	struct sigaction sa = {0};
	pthread_t th;
	uint64_t t0, t1;
	long i, n;

	if (argc < 3 || argc > 4 || (strcmp(argv[2], "self") && strcmp(argv[2], "handoff"))) {
		fprintf(stderr, "usage: %s ITERATIONS self|handoff [SPINS]\n", prog);
		return 2;
	}
	if (argc == 4)
		spins = atol(argv[3]);
	n = bench_count(prog, argv[1]);
	handoff = !strcmp(argv[2], "handoff");
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	if (sigaction(SIGSYS, &sa, NULL))
		bench_die(prog, "sigaction");
	if (handoff && pthread_create(&th, NULL, answerer, NULL))
		bench_die(prog, "pthread_create");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
		bench_die(prog, "seccomp");
	for (i = 0; i < n / 10 + 1; i++)
		if (syscall(SYS_getppid) != ANSWER)
			bench_die(prog, "getppid was not trapped");
	t0 = bench_now_ns(prog);
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = bench_now_ns(prog);
	printf("%.1f\n", (double)(t1 - t0) / n);
	return 0;
}
