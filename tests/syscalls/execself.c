/*
 * execve("/proc/self/exe") and fexecve open the file the link or fd names,
 * as Linux does, not its path walked again: a program in a 0700 directory
 * of root can still re-exec itself after dropping to another uid.
 * Run as root (the test prints "skipped" otherwise, natively and here).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Named by pid: the native run and the sandbox's may share the host's /tmp. */
static char dir[64], prog[80];

static int copy_self(void)
{
	char buf[65536];
	int in = open("/proc/self/exe", O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	if (out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	close(out);
	return 0;
}

/* In a child: drop to nobody, then exec the program (which prints "again") one way or another. */
static void try(const char *what, int fd)
{
	char *argv[] = {"prog", "again", NULL}, *envp[] = {NULL};
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(99);
		if (fd < 0)
			execve("/proc/self/exe", argv, envp);
		else
			syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		printf("%s: %s\n", what, strerror(errno));
		fflush(stdout);
		_exit(1);
	}
	waitpid(pid, &status, 0);
	printf("%s: status %d\n", what, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
	int fd;

	if (argc > 1 && !strcmp(argv[1], "again")) {
		printf("again: running as uid %d\n", (int)getuid());
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "inner")) {
		fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		try("execve /proc/self/exe", -1);
		try("fexecve", fd);
		return 0;
	}
	if (geteuid() != 0) {
		printf("skipped: not root\n");
		return 0;
	}
	snprintf(dir, sizeof(dir), "/tmp/cvisor-execself.%d", (int)getpid());
	snprintf(prog, sizeof(prog), "%s/prog", dir);
	if (mkdir(dir, 0700) < 0 || copy_self() < 0) {
		perror("setup");
		return 1;
	}
	{
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			execl(prog, "prog", "inner", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		printf("inner: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	unlink(prog);
	rmdir(dir);
	return 0;
}
