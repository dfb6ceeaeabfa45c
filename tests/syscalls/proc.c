/* Processes: fork, wait statuses, exec, exit codes, kill between processes, sigaltstack overflow, job control. */
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>

static sigjmp_buf jb;

static void on_segv(int sig)
{
	siglongjmp(jb, sig);
}

/* Recurses until the stack runs out (the depth comes from outside, so the compiler cannot tell). */
static volatile int depth_limit = 1 << 30;

static int recurse(int n)
{
	volatile char pad[4096];

	pad[0] = (char)n;
	if (n > depth_limit)
		return 0;
	return recurse(n + 1) + pad[0];
}

int main(void)
{
	int st, p[2];
	pid_t pid;
	char buf[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	pid = fork();
	if (pid == 0)
		_exit(7);
	CHECK("wait4 pid matches", waitpid(pid, &st, 0) == pid);
	printf("exited %d code %d\n", WIFEXITED(st), WEXITSTATUS(st));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	printf("signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	pid = fork();
	if (pid == 0) {
		raise(SIGSEGV);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("segv child sig %d core %d\n", WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
	CHECK("waitpid no children", waitpid(-1, &st, WNOHANG));

	/* exec and a pipe to the child. */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		execl("/bin/echo", "echo", "from", "exec", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	buf[read(p[0], buf, sizeof(buf) - 1)] = 0;
	waitpid(pid, &st, 0);
	printf("exec said: %s", buf);
	pid = fork();
	if (pid == 0) {
		execl("/nonexistent", "x", (char *)NULL);
		_exit(errno == ENOENT ? 42 : 1);
	}
	waitpid(pid, &st, 0);
	printf("failed exec child %d\n", WEXITSTATUS(st));

	/* Job control. */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	printf("stopped %d by %d\n", WIFSTOPPED(st), WSTOPSIG(st));
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	printf("continued %d\n", WIFCONTINUED(st));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	printf("killed %d\n", WTERMSIG(st));

	/* Stack overflow caught on an alternate stack. */
	{
		stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536};
		struct sigaction sa = {0};

		sigaltstack(&ss, NULL);
		sa.sa_handler = on_segv;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
		if (sigsetjmp(jb, 1) == 0)
			recurse(0);
		else
			printf("stack overflow caught on the altstack\n");
	}

	/* Limits. */
	{
		struct rlimit rl = {64, 64};

		CHECK("setrlimit NOFILE", setrlimit(RLIMIT_NOFILE, &rl));
		errno = 0;
		for (int i = 0; i < 100; i++)
			if (dup(0) < 0)
				break;
		printf("fd limit errno %s\n", errname(errno));
	}
	return 3;
}
