/*
 * A process that changes its ids stops being dumpable, so its /proc
 * entries become root's, until it runs execve (or sets PR_SET_DUMPABLE).
 * Trinity, run as nobody with setpriv, lists /proc/self/fd after its
 * execve and crashed when that failed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *when)
{
	struct stat st;
	DIR *d;

	printf("%s: dumpable %d", when, prctl(PR_GET_DUMPABLE));
	if (stat("/proc/self", &st) == 0)
		printf(", /proc/self %u:%u", st.st_uid, st.st_gid);
	if (stat("/proc/self/status", &st) == 0)
		printf(", status %u:%u", st.st_uid, st.st_gid);
	d = opendir("/proc/self/fd");
	printf(", fd dir %s\n", d ? "opens" : strerror(errno));
	if (d)
		closedir(d);
}

int main(int argc, char **argv)
{
	pid_t pid;
	int st;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1) { /* after the execve below, as 65534 */
		show("after execve");
		return 0;
	}
	show("root");
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
			perror("setresuid");
			_exit(1);
		}
		show("after setresuid");
		prctl(PR_SET_DUMPABLE, 1);
		show("after PR_SET_DUMPABLE 1");
		prctl(PR_SET_DUMPABLE, 0);
		show("after PR_SET_DUMPABLE 0");
		execl("/proc/self/exe", argv[0], "again", (char *)NULL);
		perror("execl");
		_exit(1);
	}
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);
	return 0;
}
