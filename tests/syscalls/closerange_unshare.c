/*
 * close_range(2) with CLOSE_RANGE_UNSHARE in a child that shares its
 * parent's fd table (clone with CLONE_FILES): the child's closes happen in
 * its own copy, and the parent keeps its descriptors.  Also
 * CLOSE_RANGE_CLOEXEC and the argument checks.
 */
#include "check.h"
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char stack[65536];

static int child(void *arg)
{
	int flags = *(int *)arg;

	CHECK(flags ? "child: close_range 3.. UNSHARE" : "child: close_range 3..", syscall(SYS_close_range, 3, ~0U, flags));
	CHECK("child: fd 3 after", fcntl(3, F_GETFD));
	return 0;
}

int main(void)
{
	int fd = open("/proc/self/status", O_RDONLY), unshare = CLOSE_RANGE_UNSHARE, plain = 0;
	pid_t p;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("fd %d\n", fd);
	p = clone(child, stack + sizeof(stack), CLONE_FILES | SIGCHLD, &unshare);
	waitpid(p, NULL, 0);
	CHECK("parent: fd 3 after the child's unshared close", fcntl(3, F_GETFD));
	CHECK("close_range CLOEXEC", syscall(SYS_close_range, 3, 3, CLOSE_RANGE_CLOEXEC));
	CHECK("fd 3 flags", fcntl(3, F_GETFD));
	CHECK("first > last", syscall(SYS_close_range, 5, 3, 0));
	CHECK("unknown flag", syscall(SYS_close_range, 3, 5, 8));
	p = clone(child, stack + sizeof(stack), CLONE_FILES | SIGCHLD, &plain);
	waitpid(p, NULL, 0);
	CHECK("parent: fd 3 after the child's shared close", fcntl(3, F_GETFD));
	return 0;
}
