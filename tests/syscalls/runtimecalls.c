/*
 * Calls language runtimes and tools make: membarrier (QUERY, GLOBAL, the
 * registration PRIVATE_EXPEDITED needs, with threads running), 
 * process_vm_readv/writev (into a child, partial transfers, the ptrace
 * permission rule), kcmp, personality, ioprio_get/set and
 * sched_setattr/sched_getattr.
 */
#include "check.h"

#include <linux/kcmp.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define PAGE 4096UL
#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9)
#endif

static volatile int spin_stop;

static void *spinner(void *arg)
{
	(void)arg;
	while (!spin_stop)
		;
	return NULL;
}

struct sched_attr_ {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static long mb(int cmd, unsigned flags)
{
	return syscall(SYS_membarrier, cmd, flags, 0);
}

int main(void)
{
	static char data[3 * PAGE] = "the child's data";
	char buf[64], *hole;
	struct iovec l[2], r[2];
	struct sched_attr_ at;
	pthread_t th[2];
	int i, st, pipefd[2], ctl[2];
	pid_t pid;

	/* membarrier. */
	CHECK("membarrier(QUERY)", mb(MEMBARRIER_CMD_QUERY, 0));
	CHECK("membarrier(QUERY, flags 1)", mb(MEMBARRIER_CMD_QUERY, 1));
	CHECK("membarrier(99)", mb(99, 0));
	CHECK("membarrier(GET_REGISTRATIONS)", mb(MEMBARRIER_CMD_GET_REGISTRATIONS, 0));
	CHECK("membarrier(PRIVATE_EXPEDITED) unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0));
	CHECK("membarrier(PRIVATE_EXPEDITED_SYNC_CORE) unregistered", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0));
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, spinner, NULL);
	usleep(20000);
	CHECK("membarrier(GLOBAL) with threads running", mb(MEMBARRIER_CMD_GLOBAL, 0));
	CHECK("membarrier(REGISTER_PRIVATE_EXPEDITED)", mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0));
	CHECK("membarrier(PRIVATE_EXPEDITED) with threads running", mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0));
	CHECK("membarrier(REGISTER_GLOBAL_EXPEDITED)", mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0));
	CHECK("membarrier(GLOBAL_EXPEDITED)", mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0));
	CHECK("membarrier(GET_REGISTRATIONS)", mb(MEMBARRIER_CMD_GET_REGISTRATIONS, 0));
	spin_stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	/* process_vm_readv/writev with a child that waits. */
	if (pipe(pipefd) < 0 || pipe(ctl) < 0)
		return 1;
	hole = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(hole + PAGE, PAGE);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char c;

		strcpy(data + PAGE - 4, "edge-crossing");
		if (write(ctl[1], "r", 1) != 1 || read(pipefd[0], &c, 1) != 1)
			_exit(1);
		/* The parent wrote into our data. */
		_exit(memcmp(data, "WRITTEN", 7) ? 2 : 0);
	}
	read(ctl[0], buf, 1);
	memset(buf, 0, sizeof(buf));
	l[0] = (struct iovec){buf, 5};
	l[1] = (struct iovec){buf + 10, 20};
	r[0] = (struct iovec){data, 16};
	r[1] = (struct iovec){data + PAGE - 4, 9};
	CHECK("process_vm_readv(2 x 2 iovecs)", process_vm_readv(pid, l, 2, r, 2, 0));
	printf("  read \"%.5s\" \"%.20s\"\n", buf, buf + 10);
	CHECK("process_vm_readv(flags 1)", process_vm_readv(pid, l, 2, r, 2, 1));
	CHECK("process_vm_readv(no such pid)", process_vm_readv(99999, l, 2, r, 2, 0));
	CHECK("process_vm_readv(liovcnt 1025)", process_vm_readv(pid, l, 1025, r, 2, 0));
	CHECK("process_vm_readv(riovcnt 1025)", process_vm_readv(pid, l, 2, r, 1025, 0));
	CHECK("process_vm_readv(local iovecs bad)", process_vm_readv(pid, (void *)8, 2, r, 2, 0));
	CHECK("process_vm_readv(remote iovecs bad)", process_vm_readv(pid, l, 2, (void *)8, 2, 0));
	CHECK("process_vm_readv(nothing asked)", process_vm_readv(pid, l, 0, r, 2, 0));
	r[0] = (struct iovec){(void *)8, 16};
	CHECK("process_vm_readv(remote address bad)", process_vm_readv(pid, l, 1, r, 1, 0));
	r[0] = (struct iovec){data, 16};
	l[0] = (struct iovec){hole + PAGE - 6, 16};
	CHECK("process_vm_readv(local buffer runs into a hole)", process_vm_readv(pid, l, 1, r, 1, 0));
	l[0] = (struct iovec){(void *)"WRITTEN", 7};
	CHECK("process_vm_writev", process_vm_writev(pid, l, 1, r, 1, 0));
	r[0] = (struct iovec){(void *)main, 7};
	CHECK("process_vm_writev(to the child's text, read-only)", process_vm_writev(pid, l, 1, r, 1, 0));
	write(pipefd[1], "g", 1);
	waitpid(pid, &st, 0);
	printf("child saw the write: %s\n", WEXITSTATUS(st) == 0 ? "yes" : "no");

	/* kcmp. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK("kcmp(self, self, KCMP_VM)", syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0));
	CHECK("kcmp(self, child, KCMP_VM) differ", syscall(SYS_kcmp, getpid(), pid, KCMP_VM, 0, 0) > 0);
	CHECK("kcmp(self, child, KCMP_FILES) differ", syscall(SYS_kcmp, getpid(), pid, KCMP_FILES, 0, 0) > 0);
	CHECK("kcmp(self, child, KCMP_FILE 0 0) the same file", syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, 0, 0));
	CHECK("kcmp(self, child, KCMP_FILE 0 pipe) differ", syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, 0, pipefd[0]) > 0);
	CHECK("kcmp(KCMP_FILE, bad fd)", syscall(SYS_kcmp, getpid(), pid, KCMP_FILE, 0, 77));
	CHECK("kcmp(type 99)", syscall(SYS_kcmp, getpid(), pid, 99, 0, 0));
	CHECK("kcmp(no such pid)", syscall(SYS_kcmp, getpid(), 99999, KCMP_VM, 0, 0));
	{
		int d = dup(pipefd[0]);

		CHECK("kcmp(self, self, KCMP_FILE dup)", syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, pipefd[0], d));
		close(d);
	}
	/* Another user may neither look at nor write into root's processes. */
	fflush(stdout);
	{
		pid_t u = fork();

		if (u == 0) {
			if (setgid(1000) < 0 || setuid(1000) < 0)
				_exit(1);
			CHECK("user: kcmp(root's processes)", syscall(SYS_kcmp, getppid(), pid, KCMP_VM, 0, 0));
			l[0] = (struct iovec){buf, 5};
			r[0] = (struct iovec){data, 5};
			CHECK("user: process_vm_readv(root's process)", process_vm_readv(pid, l, 1, r, 1, 0));
			CHECK("user: kcmp(self, self)", syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0));
			_exit(0);
		}
		waitpid(u, &st, 0);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);

	/* personality. */
	CHECK("personality(query)", personality(0xffffffff));
	CHECK("personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE));
	CHECK("personality(query)", personality(0xffffffff));
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(personality(0xffffffff) == ADDR_NO_RANDOMIZE ? 0 : 1);
	waitpid(pid, &st, 0);
	printf("inherited by a child: %s\n", WEXITSTATUS(st) ? "no" : "yes");
	CHECK("personality(PER_LINUX)", personality(PER_LINUX));

	/* ioprio. */
	CHECK("ioprio_get(PROCESS, 0)", syscall(SYS_ioprio_get, 1, 0));
	CHECK("ioprio_set(BE 3)", syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 3));
	CHECK("ioprio_get", syscall(SYS_ioprio_get, 1, 0));
	CHECK("ioprio_set(BE 8)", syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 8));
	CHECK("ioprio_set(class 5)", syscall(SYS_ioprio_set, 1, 0, 5 << 13));
	CHECK("ioprio_set(NONE 1)", syscall(SYS_ioprio_set, 1, 0, 1));
	CHECK("ioprio_set(IDLE)", syscall(SYS_ioprio_set, 1, 0, 3 << 13));
	CHECK("ioprio_get(which 9)", syscall(SYS_ioprio_get, 9, 0));
	CHECK("ioprio_get(no such pid)", syscall(SYS_ioprio_get, 1, 99999));
	CHECK("ioprio_set(BE 4)", syscall(SYS_ioprio_set, 1, 0, (2 << 13) | 4));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child: ioprio_get = %ld\n", syscall(SYS_ioprio_get, 1, 0));
		setpgid(0, 0);
		CHECK("child alone in its group: ioprio_get(PGRP, 0)", syscall(SYS_ioprio_get, 2, 0));
		syscall(SYS_ioprio_set, 1, 0, 0);
		CHECK("child, none set, nice 0: ioprio_get(PGRP, 0)", syscall(SYS_ioprio_get, 2, 0));
		if (setgid(1000) < 0 || setuid(1000) < 0)
			_exit(1);
		CHECK("user: ioprio_set(RT 0)", syscall(SYS_ioprio_set, 1, 0, 1 << 13));
		CHECK("user: ioprio_set(parent)", syscall(SYS_ioprio_set, 1, getppid(), (2 << 13) | 1));
		_exit(0);
	}
	waitpid(pid, &st, 0);

	/* sched_setattr / sched_getattr. */
	memset(&at, 0xff, sizeof(at));
	CHECK("sched_getattr(size 48)", syscall(SYS_sched_getattr, 0, &at, 48, 0));
	printf("  size=%u policy=%u nice=%d priority=%u\n", at.size, at.policy, at.nice, at.priority);
	CHECK("sched_getattr(size 56)", syscall(SYS_sched_getattr, 0, &at, 56, 0));
	printf("  size=%u util_min=%u util_max=%u\n", at.size, at.util_min, at.util_max);
	CHECK("sched_getattr(size 47)", syscall(SYS_sched_getattr, 0, &at, 47, 0));
	CHECK("sched_getattr(flags 1)", syscall(SYS_sched_getattr, 0, &at, 48, 1));
	CHECK("sched_getattr(NULL)", syscall(SYS_sched_getattr, 0, NULL, 48, 0));
	CHECK("sched_getattr(pid -1)", syscall(SYS_sched_getattr, -1, &at, 48, 0));
	CHECK("sched_getattr(no such pid)", syscall(SYS_sched_getattr, 99999, &at, 48, 0));
	memset(&at, 0, sizeof(at));
	at.size = 48;
	at.nice = 5;
	CHECK("sched_setattr(OTHER, nice 5)", syscall(SYS_sched_setattr, 0, &at, 0));
	CHECK("getpriority", getpriority(PRIO_PROCESS, 0));
	at.size = 20;
	CHECK("sched_setattr(size 20)", syscall(SYS_sched_setattr, 0, &at, 0));
	printf("  size written back: %u\n", at.size);
	at.size = 48;
	at.policy = 77;
	CHECK("sched_setattr(policy 77)", syscall(SYS_sched_setattr, 0, &at, 0));
	at.policy = SCHED_OTHER;
	at.priority = 5;
	CHECK("sched_setattr(OTHER, priority 5)", syscall(SYS_sched_setattr, 0, &at, 0));
	at.priority = 0;
	CHECK("sched_setattr(flags 1)", syscall(SYS_sched_setattr, 0, &at, 1));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (setgid(1000) < 0 || setuid(1000) < 0)
			_exit(1);
		memset(&at, 0, sizeof(at));
		at.size = 48;
		at.policy = 6; /* SCHED_DEADLINE */
		at.runtime = 1000000;
		at.deadline = at.period = 10000000;
		CHECK("user: sched_setattr(SCHED_DEADLINE)", syscall(SYS_sched_setattr, 0, &at, 0));
		at.policy = SCHED_FIFO;
		at.priority = 10;
		at.runtime = at.deadline = at.period = 0;
		CHECK("user: sched_setattr(SCHED_FIFO 10)", syscall(SYS_sched_setattr, 0, &at, 0));
		at.policy = SCHED_OTHER;
		at.priority = 0;
		at.nice = 0;
		CHECK("user: sched_setattr(nice 5 -> 0)", syscall(SYS_sched_setattr, 0, &at, 0));
		at.nice = 10;
		CHECK("user: sched_setattr(nice 10)", syscall(SYS_sched_setattr, 0, &at, 0));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	return 0;
}
