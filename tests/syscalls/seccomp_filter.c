/*
 * The application's own seccomp: strict mode, BPF filters (checked as Linux
 * checks them, run on each call), every action (ERRNO with its data capped,
 * TRAP's siginfo, KILL_PROCESS, KILL_THREAD of one thread and of a lone
 * one, TRACE and LOG), precedence across a chain, filters on arguments,
 * inheritance by fork and execve, TSYNC, no_new_privs, PR_GET_SECCOMP and
 * /proc/self/status.  Each filter goes on in a child: they cannot be taken
 * off.  Nothing here reaches beyond the test's own processes.
 */
#define _GNU_SOURCE
#include "check.h"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NR offsetof(struct seccomp_data, nr)
#define ARG0 offsetof(struct seccomp_data, args[0])
#define ARCH offsetof(struct seccomp_data, arch)

static long sc(unsigned op, unsigned flags, void *args)
{
	return syscall(SYS_seccomp, op, flags, args);
}

static long install(struct sock_filter *f, unsigned short len, unsigned flags)
{
	struct sock_fprog p = {len, f};

	return sc(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* A filter: call nr gets answer ret, the rest are allowed. */
static long deny(int nr, unsigned ret, unsigned flags)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, ret),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	return install(f, 4, flags);
}

/* Runs fn in a child with no core dumps; prints how it ended. */
static void child(const char *what, void (*fn)(void))
{
	pid_t p = fork();
	int st;

	if (p == 0) {
		struct rlimit no = {0, 0};

		setrlimit(RLIMIT_CORE, &no);
		fn();
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, WTERMSIG(st) == SIGSYS ? "SIGSYS" : WTERMSIG(st) == SIGKILL ? "SIGKILL" : "?");
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static void nnp(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void c_errno(void)
{
	nnp();
	CHECK("filter: getppid gets ERRNO 77", deny(SYS_getppid, SECCOMP_RET_ERRNO | 77, 0));
	CHECK("getppid", syscall(SYS_getppid));
	CHECK("getpid still works", syscall(SYS_getpid) > 0);
	CHECK("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	{
		char line[256];
		FILE *f = fopen("/proc/self/status", "r");

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "Seccomp:", 8))
				printf("status %s", line);
		if (f)
			fclose(f);
	}
	CHECK("ERRNO 5000 is capped", deny(SYS_getuid, SECCOMP_RET_ERRNO | 5000, 0));
	printf("getuid: %ld\n", syscall(SYS_getuid));
	CHECK("ERRNO 0: the call returns 0 unmade", deny(SYS_dup, SECCOMP_RET_ERRNO | 0, 0));
	CHECK("dup(0)", syscall(SYS_dup, 0));
}

static volatile int trapped_nr, trapped_code, trapped_errno;
static volatile unsigned trapped_arch;
static volatile int trapped_addr_set;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
	trapped_code = si->si_code;
	trapped_arch = si->si_arch;
	trapped_errno = si->si_errno;
	trapped_addr_set = si->si_call_addr != NULL;
}

static void c_trap(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	long r;

	sigaction(SIGSYS, &sa, NULL);
	nnp();
	CHECK("filter: getppid traps with data 9", deny(SYS_getppid, SECCOMP_RET_TRAP | 9, 0));
	r = syscall(SYS_getppid);
	printf("trapped call: %ld %s; siginfo nr ok %d code %d arch ok %d errno %d addr %d\n", r,
	       r < 0 ? errname(errno) : "", trapped_nr == SYS_getppid, trapped_code, trapped_arch == AUDIT_ARCH_X86_64,
	       trapped_errno, trapped_addr_set);
}

static void c_kill_process(void)
{
	nnp();
	deny(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0);
	syscall(SYS_getppid);
	printf("not reached\n");
}

static void c_kill_lone_thread(void)
{
	nnp();
	deny(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0);
	syscall(SYS_getppid);
	printf("not reached\n");
}

static void *thread_denied(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	printf("thread: not reached\n");
	return NULL;
}

static volatile int thread_ready;
static void *thread_waits(void *arg)
{
	(void)arg;
	thread_ready = 1;
	while (thread_ready != 2)
		usleep(1000);
	long r = syscall(SYS_getppid);

	printf("thread under TSYNC: getppid %ld %s\n", r, errname(errno));
	return NULL;
}

static void c_kill_thread(void)
{
	pthread_t th;

	nnp();
	deny(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0);
	pthread_create(&th, NULL, thread_denied, NULL);
	sleep(1);
	/* The thread went; pthread_join would wait for a tid word the kernel cleared: it did. */
	printf("main thread goes on after its thread was killed\n");
}

static void c_precedence(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};

	sigaction(SIGSYS, &sa, NULL);
	nnp();
	deny(SYS_getppid, SECCOMP_RET_ERRNO | 1, 0);
	deny(SYS_getppid, SECCOMP_RET_TRAP | 3, 0);
	deny(SYS_getppid, SECCOMP_RET_LOG, 0);
	trapped_nr = 0;
	syscall(SYS_getppid);
	printf("ERRNO, TRAP, LOG: the trap wins: %d (data %d)\n", trapped_nr == SYS_getppid, trapped_errno);
	deny(SYS_getuid, SECCOMP_RET_TRACE, 0);
	CHECK("TRACE with no tracer", syscall(SYS_getuid));
	deny(SYS_getgid, SECCOMP_RET_LOG, 0);
	CHECK("LOG lets it through", syscall(SYS_getgid) >= 0);
}

static void c_args(void)
{
	/* dup(fd) refused for fd 100 only; and A from BPF_LEN: ERRNO | 64. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 100, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
		BPF_STMT(BPF_ST, 3),
		BPF_STMT(BPF_LDX | BPF_MEM, 3),
		BPF_STMT(BPF_MISC | BPF_TXA, 0),
		BPF_STMT(BPF_RET | BPF_A, 0),
	};

	nnp();
	CHECK("argument filter", install(f, sizeof(f) / sizeof(f[0]), 0));
	dup2(0, 100);
	CHECK("dup(100)", syscall(SYS_dup, 100));
	CHECK("dup(0) works", syscall(SYS_dup, 0) >= 0);
}

static void c_inherit(void)
{
	pid_t p;
	int st;

	nnp();
	deny(SYS_getppid, SECCOMP_RET_ERRNO | 42, 0);
	p = fork();
	if (p == 0) {
		long r = syscall(SYS_getppid);

		printf("forked child: getppid %ld %s\n", r, errname(errno));
		fflush(stdout);
		execl("/proc/self/exe", "seccomp_filter", "exec", (char *)NULL);
		_exit(99);
	}
	waitpid(p, &st, 0);
}

static void c_strict(void)
{
	static const char msg[] = "strict mode: write works\n";

	fflush(stdout);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) < 0) {
		printf("PR_SET_SECCOMP strict failed\n");
		return;
	}
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	syscall(SYS_getpid);
	syscall(SYS_exit, 5);
}

static void c_strict_then_filter(void)
{
	long r1, r2;

	/* seccomp(2) itself is not allowed in strict mode: the test only checks the other order. */
	nnp();
	r1 = deny(SYS_getppid, SECCOMP_RET_ERRNO | 1, 0);
	r2 = sc(SECCOMP_SET_MODE_STRICT, 0, NULL);
	printf("filter then strict: %ld, %ld %s\n", r1, r2, r2 < 0 ? errname(errno) : "");
}

static void c_tsync(void)
{
	pthread_t th;
	long r;

	nnp();
	pthread_create(&th, NULL, thread_waits, NULL);
	while (!thread_ready)
		usleep(1000);
	r = deny(SYS_getppid, SECCOMP_RET_ERRNO | 13, SECCOMP_FILTER_FLAG_TSYNC);
	printf("TSYNC: %ld\n", r);
	thread_ready = 2;
	pthread_join(th, NULL);
}

static volatile pid_t other_tid;
static void *thread_own_filter(void *arg)
{
	(void)arg;
	deny(SYS_getgid, SECCOMP_RET_ERRNO | 1, 0);
	other_tid = (pid_t)syscall(SYS_gettid);
	while (thread_ready != 2)
		usleep(1000);
	return NULL;
}

static void c_tsync_fails(void)
{
	pthread_t th;
	long r;

	nnp();
	thread_ready = 0;
	pthread_create(&th, NULL, thread_own_filter, NULL);
	while (!other_tid)
		usleep(1000);
	r = deny(SYS_getppid, SECCOMP_RET_ERRNO | 13, SECCOMP_FILTER_FLAG_TSYNC);
	printf("TSYNC with a thread of another chain: names it %d\n", r == other_tid);
	r = deny(SYS_getppid, SECCOMP_RET_ERRNO | 13, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
	printf("... with TSYNC_ESRCH: %ld %s\n", r, r < 0 ? errname(errno) : "");
	thread_ready = 2;
	pthread_join(th, NULL);
}

static void c_no_nnp(void)
{
	/* Without no_new_privs and without CAP_SYS_ADMIN: EACCES. */
	if (setgid(1000) < 0 || setuid(1000) < 0) {
		printf("setuid failed\n");
		return;
	}
	CHECK("filter without no_new_privs, unprivileged", deny(SYS_getppid, SECCOMP_RET_ERRNO | 1, 0));
	nnp();
	CHECK("with no_new_privs", deny(SYS_getppid, SECCOMP_RET_ERRNO | 1, 0));
}

static void c_div_zero(void)
{
	/* Division by X = 0 ends the program with 0: KILL_THREAD, the lone thread's process. */
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
		BPF_STMT(BPF_LDX | BPF_IMM, 0),
		BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	nnp();
	install(f, sizeof(f) / sizeof(f[0]), 0);
	syscall(SYS_getppid);
	printf("not reached\n");
}

int main(int argc, char **argv)
{
	struct sock_filter ok[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_filter big[BPF_MAXINSNS + 1];
	unsigned action;
	struct seccomp_notif_sizes sz;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		long r = syscall(SYS_getppid);
		int e = errno;

		printf("after execve: getppid %ld %s, PR_GET_SECCOMP %d\n", r, errname(e), prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
		return 0;
	}
	/* Checks that need no filter to stay on. */
	{
		static const unsigned acts[] = {SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP,
						SECCOMP_RET_ERRNO, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
						0x12340000};

		for (unsigned i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
			action = acts[i];
			printf("action %#x available: %ld %s\n", action, sc(SECCOMP_GET_ACTION_AVAIL, 0, &action),
			       errno == EOPNOTSUPP ? "EOPNOTSUPP" : "");
			errno = 0;
		}
	}
	CHECK("GET_ACTION_AVAIL with flags", sc(SECCOMP_GET_ACTION_AVAIL, 1, &action));
	CHECK("GET_ACTION_AVAIL at a bad address", sc(SECCOMP_GET_ACTION_AVAIL, 0, (void *)8));
	CHECK("GET_NOTIF_SIZES", sc(SECCOMP_GET_NOTIF_SIZES, 0, &sz));
	printf("sizes %u %u %u\n", sz.seccomp_notif, sz.seccomp_notif_resp, sz.seccomp_data);
	CHECK("unknown operation", sc(99, 0, NULL));
	CHECK("strict with flags", sc(SECCOMP_SET_MODE_STRICT, 1, NULL));
	CHECK("strict with args", sc(SECCOMP_SET_MODE_STRICT, 0, ok));
	CHECK("filter with unknown flags", install(ok, 1, 1u << 20));
	CHECK("filter at a bad address", sc(SECCOMP_SET_MODE_FILTER, 0, (void *)8));
	{
		struct sock_fprog p = {1, (struct sock_filter *)8};

		CHECK("program at a bad address", sc(SECCOMP_SET_MODE_FILTER, 0, &p));
	}
	CHECK("empty program", install(ok, 0, 0));
	memset(big, 0, sizeof(big));
	CHECK("program past BPF_MAXINSNS", install(big, BPF_MAXINSNS + 1, 0));
	{
		struct sock_filter bad_code[] = {{0xffff, 0, 0, 0}, BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter load64[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter unaligned[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter byte_load[] = {BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter far_jump[] = {BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter far_ja[] = {BPF_JUMP(BPF_JMP | BPF_JA, 1, 0, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter no_ret[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARCH), BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NR)};
		struct sock_filter mem_unset[] = {BPF_STMT(BPF_LD | BPF_MEM, 2), BPF_STMT(BPF_RET | BPF_A, 0)};
		struct sock_filter mem_17[] = {BPF_STMT(BPF_ST, 17), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter div0[] = {BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter mod[] = {BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter shift32[] = {BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), BPF_STMT(BPF_RET | BPF_K, 0)};
		struct sock_filter ret_x[] = {BPF_STMT(BPF_RET | BPF_X, 0)};

		/* As root (CAP_SYS_ADMIN): no no_new_privs needed, and none set for the children. */
		CHECK("unknown code", install(bad_code, 2, 0));
		CHECK("load past seccomp_data", install(load64, 2, 0));
		CHECK("unaligned load", install(unaligned, 2, 0));
		CHECK("byte load", install(byte_load, 2, 0));
		CHECK("jump past the end", install(far_jump, 2, 0));
		CHECK("ja past the end", install(far_ja, 2, 0));
		CHECK("no return last", install(no_ret, 2, 0));
		CHECK("scratch read before a write", install(mem_unset, 2, 0));
		CHECK("scratch cell 17", install(mem_17, 2, 0));
		CHECK("division by constant 0", install(div0, 2, 0));
		CHECK("modulo (not for seccomp)", install(mod, 2, 0));
		CHECK("shift by 32", install(shift32, 2, 0));
		CHECK("return X", install(ret_x, 1, 0));
		CHECK("PR_GET_SECCOMP after refused filters", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	}
	child("ERRNO", c_errno);
	child("TRAP", c_trap);
	child("KILL_PROCESS", c_kill_process);
	child("KILL_THREAD, alone", c_kill_lone_thread);
	child("KILL_THREAD, one of two", c_kill_thread);
	child("precedence", c_precedence);
	child("arguments", c_args);
	child("inherited", c_inherit);
	child("strict", c_strict);
	child("filter then strict", c_strict_then_filter);
	child("TSYNC", c_tsync);
	child("TSYNC refused", c_tsync_fails);
	child("without no_new_privs", c_no_nnp);
	child("division by zero", c_div_zero);
	return 0;
}
