/*
 * UTS namespaces: unshare(CLONE_NEWUTS), clone and clone3 with it, a
 * thread's own namespace, and who may make one.  Each task sees the names
 * of its own namespace in uname and /proc/sys/kernel/{hostname,domainname};
 * a name set in one namespace is not seen in another.
 *
 * Natively the test first moves into a UTS namespace of its own and
 * stops if it cannot, so the host's names never change; every namespace
 * made below is nested in those.
 */
#include "check.h"
#include <linux/capability.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>



/* In a child of a new namespace: its own names, through the syscalls and through /proc. */
static int rename_child(const char *host)
{
	FILE *f;

	show_uts("child, before");
	CHECK("child: sethostname", sethostname(host, strlen(host)));
	if ((f = fopen("/proc/sys/kernel/domainname", "w"))) {
		fputs("child.example\n", f);
		fclose(f);
	}
	show_uts("child, after");
	return 0;
}

static void *thread_ns(void *arg)
{
	(void)arg;
	CHECK("thread: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
	CHECK("thread: sethostname", sethostname("thread", 6));
	show_uts("thread");
	return NULL;
}

static int pipefd[2];

static void *blocked_thread(void *arg)
{
	char c;

	(void)arg;
	return (void *)(long)read(pipefd[0], &c, 1);
}

static long raw_clone(unsigned long flags)
{
	long r = syscall(SYS_clone, flags, 0L, 0L, 0L, 0L);

	if (r == 0)
		_exit(rename_child("raw-clone"));
	return r;
}

int main(void)
{
	pthread_t th;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWUTS) < 0) {
		printf("unshare(CLONE_NEWUTS) = -1 %s: stopping\n", errname(errno));
		return 1;
	}
	CHECK("sethostname outer", sethostname("outer", 5));
	CHECK("setdomainname outer", setdomainname("outer.example", 13));
	show_uts("parent");

	pid = fork();
	if (pid == 0) {
		CHECK("child: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
		_exit(rename_child("forked"));
	}
	wait_child("fork + unshare", pid);
	show_uts("parent after the forked child");

	wait_child("clone(CLONE_NEWUTS)", raw_clone(CLONE_NEWUTS | SIGCHLD));
	show_uts("parent after clone");
	{
		struct clone_args ca = {.flags = CLONE_NEWUTS, .exit_signal = SIGCHLD};
		long r = syscall(SYS_clone3, &ca, sizeof(ca));

		if (r == 0)
			_exit(rename_child("clone3"));
		wait_child("clone3(CLONE_NEWUTS)", r);
	}
	show_uts("parent after clone3");

	/* A thread's namespace is its own: the other threads keep theirs. */
	pthread_create(&th, NULL, thread_ns, NULL);
	pthread_join(th, NULL);
	show_uts("main after the thread");

	/* Linux's flag rules: checked before anything is made. */
	CHECK("clone(CLONE_NEWIPC|CLONE_SYSVSEM)", raw_clone(CLONE_NEWIPC | CLONE_SYSVSEM | SIGCHLD));
	CHECK("clone(CLONE_NEWNS|CLONE_FS)", raw_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD));
	CHECK("clone(CLONE_NEWUSER|CLONE_FS)", raw_clone(CLONE_NEWUSER | CLONE_FS | SIGCHLD));
	CHECK("clone(CLONE_THREAD|CLONE_NEWPID)",
	      syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID, 0L, 0L, 0L, 0L));
	CHECK("clone(CLONE_THREAD|CLONE_NEWUSER)",
	      syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWUSER, 0L, 0L, 0L, 0L));
	/* A new user namespace needs a process of one thread. */
	if (pipe(pipefd) == 0 && pthread_create(&th, NULL, blocked_thread, NULL) == 0) {
		CHECK("unshare(CLONE_NEWUSER) with two threads", unshare(CLONE_NEWUSER));
		close(pipefd[1]);
		pthread_join(th, NULL);
		close(pipefd[0]);
	}

	/* Without CAP_SYS_ADMIN: EPERM, and the names stay. */
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
		struct __user_cap_data_struct d[2];

		syscall(SYS_capget, &h, d);
		d[0].effective &= ~(1U << CAP_SYS_ADMIN);
		CHECK("capset", syscall(SYS_capset, &h, d));
		CHECK("without CAP_SYS_ADMIN: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
		CHECK("without CAP_SYS_ADMIN: clone(CLONE_NEWUTS)", raw_clone(CLONE_NEWUTS | SIGCHLD));
		CHECK("without CAP_SYS_ADMIN: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		show_uts("without CAP_SYS_ADMIN");
		_exit(0);
	}
	wait_child("capless child", pid);
	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		CHECK("as nobody: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS));
		CHECK("as nobody: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		_exit(0);
	}
	wait_child("nobody child", pid);
	show_uts("parent at the end");
	return 0;
}
