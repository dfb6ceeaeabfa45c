/*
 * IPC namespaces: a new one (unshare or clone with CLONE_NEWIPC) sees none
 * of the old one's System V objects or POSIX message queues, has its own
 * limits (Linux's defaults), its own /proc/sysvipc, and its objects go with
 * its last task; a segment still attached then lives on until it is
 * detached.  unshare(CLONE_NEWIPC) applies the caller's SEM_UNDO
 * adjustments, as leaving the semadj list does.
 *
 * Natively the test first moves into an IPC namespace of its own and stops
 * if it cannot: nothing here touches the host's objects or limits.
 */
#include "check.h"
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define KEY 0x5eed

static int shmid, semid, msgid;

static void show_file(const char *who, const char *path)
{
	char buf[128] = "";
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = 0;
	printf("%s: %s = %s\n", who, path, buf);
}

static void write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(s, f);
		if (fclose(f) == 0) {
			printf("wrote %s\n", path);
			return;
		}
	}
	printf("write %s: %s\n", path, errname(errno));
}

static int count_lines(const char *path)
{
	char buf[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	return n;
}

/* What a task in a new namespace sees of the old one's objects, and that it can make its own. */
static int look(const char *who)
{
	struct shmid_ds ds;
	mqd_t q;
	int id;

	printf("%s:\n", who);
	CHECK("  shmget(KEY)", shmget(KEY, 0, 0));
	CHECK("  semget(KEY)", semget(KEY, 0, 0));
	CHECK("  msgget(KEY)", msgget(KEY, 0));
	CHECK("  shmctl(the old id, IPC_STAT)", shmctl(shmid, IPC_STAT, &ds));
	CHECK("  semctl(the old id, GETVAL)", semctl(semid, 0, GETVAL));
	CHECK("  msgctl(the old id, IPC_RMID)", msgctl(msgid, IPC_RMID, NULL));
	CHECK("  mq_open(/cvt-ipcns)", mq_open("/cvt-ipcns", O_RDONLY));
	printf("  /proc/sysvipc/shm lines %d, sem lines %d, msg lines %d\n", count_lines("/proc/sysvipc/shm"),
	       count_lines("/proc/sysvipc/sem"), count_lines("/proc/sysvipc/msg"));
	show_file("  limits", "/proc/sys/kernel/msgmni");
	show_file("  limits", "/proc/sys/kernel/sem");
	show_file("  limits", "/proc/sys/fs/mqueue/queues_max");
	id = shmget(KEY, 4096, IPC_CREAT | IPC_EXCL | 0600);
	printf("  shmget(KEY, IPC_CREAT|IPC_EXCL) %s\n", id >= 0 ? "made" : errname(errno));
	q = mq_open("/cvt-ipcns", O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
	printf("  mq_open(O_CREAT|O_EXCL) %s\n", q >= 0 ? "made" : errname(errno));
	printf("  /proc/sysvipc/shm lines %d\n", count_lines("/proc/sysvipc/shm"));
	return 0;
}

static int clone_child(void *arg)
{
	(void)arg;
	return look("clone(CLONE_NEWIPC) child");
}


int main(void)
{
	static char stack[64 << 10];
	struct sembuf up = {0, 1, SEM_UNDO};
	int p1[2], p2[2];
	char c;
	pid_t pid;
	mqd_t q;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (unshare(CLONE_NEWIPC) < 0) {
		printf("unshare(CLONE_NEWIPC) = -1 %s: stopping\n", errname(errno));
		return 1;
	}
	shmid = shmget(KEY, 4096, IPC_CREAT | 0600);
	semid = semget(KEY, 1, IPC_CREAT | 0600);
	msgid = msgget(KEY, IPC_CREAT | 0600);
	q = mq_open("/cvt-ipcns", O_RDWR | O_CREAT, 0600, NULL);
	printf("made: shm %d sem %d msg %d mq %d\n", shmid >= 0, semid >= 0, msgid >= 0, q >= 0);
	write_file("/proc/sys/kernel/msgmni", "100");
	write_file("/proc/sys/kernel/sem", "250 32000 32 128");
	write_file("/proc/sys/fs/mqueue/queues_max", "7");

	pid = fork();
	if (pid == 0) {
		CHECK("child: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		_exit(look("unshared child"));
	}
	wait_child("unshared child", pid);
	pid = clone(clone_child, stack + sizeof(stack), CLONE_NEWIPC | SIGCHLD, NULL);
	wait_child("clone child", pid);

	/* The parent's own are still there, its limits too. */
	CHECK("parent: shmget(KEY) is its own", shmget(KEY, 0, 0) == shmid);
	CHECK("parent: semget(KEY) is its own", semget(KEY, 0, 0) == semid);
	CHECK("parent: msgget(KEY) is its own", msgget(KEY, 0) == msgid);
	CHECK_OK("parent: mq_open(/cvt-ipcns)", mq_open("/cvt-ipcns", O_RDONLY));
	printf("parent: /proc/sysvipc/shm lines %d\n", count_lines("/proc/sysvipc/shm"));
	show_file("parent", "/proc/sys/kernel/msgmni");
	show_file("parent", "/proc/sys/kernel/sem");
	show_file("parent", "/proc/sys/fs/mqueue/queues_max");

	/* unshare(CLONE_NEWIPC) leaves the semadj list: the child's +1 is undone then, not at its exit. */
	if (pipe(p1) || pipe(p2))
		return 1;
	pid = fork();
	if (pid == 0) {
		CHECK("child: semop +1 SEM_UNDO", semop(semid, &up, 1));
		CHECK("child: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		if (write(p1[1], "x", 1) != 1 || read(p2[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(p1[0], &c, 1) == 1)
		printf("parent: value after the child's unshare %d\n", semctl(semid, 0, GETVAL));
	if (write(p2[1], "x", 1) != 1)
		return 1;
	wait_child("semadj child", pid);

	/* A segment attached when its namespace's last task leaves lives on until it is detached. */
	pid = fork();
	if (pid == 0) {
		int id;
		char *m;

		CHECK("child: unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC));
		id = shmget(IPC_PRIVATE, 4096, 0600);
		m = shmat(id, NULL, 0);
		if (m == (void *)-1)
			_exit(2);
		strcpy(m, "still here");
		CHECK("child: unshare(CLONE_NEWIPC) again", unshare(CLONE_NEWIPC));
		printf("child: the old namespace's segment reads \"%s\"\n", m);
		CHECK("child: shmctl(its id, IPC_STAT) in the new one", shmctl(id, IPC_STAT, NULL));
		CHECK("child: shmdt", shmdt(m));
		_exit(0);
	}
	wait_child("attached child", pid);

	shmctl(shmid, IPC_RMID, NULL);
	semctl(semid, 0, IPC_RMID);
	msgctl(msgid, IPC_RMID, NULL);
	mq_unlink("/cvt-ipcns");
	return 0;
}
