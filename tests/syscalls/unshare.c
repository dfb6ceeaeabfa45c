/*
 * unshare(2) without namespaces: a thread's own file table and cwd, the
 * semadj list left (its adjustments happen), CLONE_THREAD/VM/SIGHAND only
 * when already one's own, bad flags.  Namespaces are asked as an
 * unprivileged uid, where Linux refuses them too (EPERM); the sandbox's
 * root is refused mount, network, pid, user and cgroup namespaces as well,
 * which a native root is not (uts_ns.c and ipc_ns.c make the others).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd_in_thread = -1;

static const char *err(int r)
{
	return r == 0 ? "0" : strerror(errno);
}

static void *own_files(void *a)
{
	char buf[256];
	int r;

	(void)a;
	printf("thread: unshare(CLONE_FILES) %s\n", err(unshare(CLONE_FILES)));
	fd_in_thread = open("/dev/null", O_RDONLY);
	printf("thread: unshare(CLONE_FS) %s\n", err(unshare(CLONE_FS)));
	r = chdir("/tmp");
	printf("thread: chdir /tmp %d, cwd %s\n", r, getcwd(buf, sizeof(buf)));
	printf("thread: unshare(CLONE_THREAD) in a group of two: %s\n", err(unshare(CLONE_THREAD)));
	return NULL;
}

int main(void)
{
	char buf[256];
	pthread_t th;
	int id, st;
	pid_t pid;
	struct sembuf up = {0, 1, SEM_UNDO};

	setvbuf(stdout, NULL, _IONBF, 0);
	if (chdir("/") != 0)
		return 1;
	/* Before any thread: one that ended may linger in the group a moment after pthread_join. */
	printf("unshare(CLONE_THREAD|CLONE_VM|CLONE_SIGHAND) alone: %s\n", err(unshare(CLONE_THREAD | CLONE_VM | CLONE_SIGHAND)));
	pthread_create(&th, NULL, own_files, NULL);
	pthread_join(th, NULL);
	printf("main: the thread's fd here: %s\n", fcntl(fd_in_thread, F_GETFD) < 0 ? strerror(errno) : "open");
	printf("main: cwd %s\n", getcwd(buf, sizeof(buf)));

	printf("unshare(0) %s\n", err(unshare(0)));
	printf("unshare(CLONE_PTRACE) %s\n", err(unshare(CLONE_PTRACE)));
	printf("unshare(CLONE_SETTLS) %s\n", err(unshare(CLONE_SETTLS)));

	id = semget(IPC_PRIVATE, 1, 0600);
	st = semop(id, &up, 1);
	printf("semop +1 with SEM_UNDO: %d, value %d\n", st, semctl(id, 0, GETVAL));
	st = unshare(CLONE_SYSVSEM);
	printf("unshare(CLONE_SYSVSEM) %s, value %d\n", err(st), semctl(id, 0, GETVAL));
	semctl(id, 0, IPC_RMID);

	pid = fork();
	if (pid == 0) {
		static const struct { int flag; const char *name; } ns[] = {
			{CLONE_NEWUTS, "NEWUTS"}, {CLONE_NEWNS, "NEWNS"}, {CLONE_NEWIPC, "NEWIPC"},
			{CLONE_NEWNET, "NEWNET"}, {CLONE_NEWPID, "NEWPID"}, {CLONE_NEWCGROUP, "NEWCGROUP"},
		};
		unsigned i;

		if (setgid(65534) || setuid(65534))
			_exit(1);
		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			printf("as nobody: unshare(CLONE_%s) %s\n", ns[i].name, err(unshare(ns[i].flag)));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("child: %d\n", st);
	return 0;
}
