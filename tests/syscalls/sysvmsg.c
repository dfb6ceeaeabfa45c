/*
 * System V message queues: msgget, msgsnd and msgrcv with every way of
 * choosing a message (type 0, > 0, < 0, MSG_EXCEPT, MSG_COPY), MSG_NOERROR
 * and E2BIG, a full queue (IPC_NOWAIT, and a sender woken by a receiver),
 * a receiver woken by a sender and by IPC_RMID (EIDRM), msgctl's commands,
 * msg_qbytes and permissions, /proc/sysvipc/msg.  Natively the program
 * moves to a fresh IPC namespace first (see sysvshm.c).
 */
#include "check.h"
#include "ipc_ns.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct m {
	long type;
	char text[64];
};

static long snd(int id, long type, const char *text, int flg)
{
	struct m m = {.type = type};

	strcpy(m.text, text);
	return msgsnd(id, &m, strlen(text), flg);
}

/* Receives and prints what came. */
static void rcv(const char *what, int id, size_t size, long type, int flg)
{
	struct m m;
	long r;

	memset(&m, 0, sizeof(m));
	r = msgrcv(id, &m, size, type, flg);
	if (r < 0)
		printf("%s = -1 %s\n", what, errname(errno));
	else
		printf("%s = %ld: type %ld \"%.*s\"\n", what, r, m.type, (int)r, m.text);
	fflush(stdout);
}

static void stat_q(int id, const char *when)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds) < 0) {
		printf("%s: IPC_STAT %s\n", when, errname(errno));
		return;
	}
	printf("%s: qnum=%lu cbytes=%lu qbytes=%lu mode=%o lspid_me=%d lrpid_me=%d\n", when,
	       (unsigned long)ds.msg_qnum, (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes,
	       ds.msg_perm.mode, ds.msg_lspid == getpid(), ds.msg_lrpid == getpid());
}

int main(void)
{
	struct msqid_ds ds;
	struct msginfo info;
	struct m big;
	int id, id2, st, i;
	pid_t pid;
	FILE *f;
	char line[256];

	if (ipc_own_namespace() < 0)
		return 1;
	show_sysctl("kernel", "msgmax");
	show_sysctl("kernel", "msgmnb");
	show_sysctl("kernel", "msgmni");

	CHECK("msgget(key, no IPC_CREAT)", msgget(0x777, 0600));
	CHECK("msgget(key, IPC_CREAT)", id = msgget(0x777, IPC_CREAT | 0620));
	CHECK("msgget(key)", msgget(0x777, 0));
	CHECK("msgget(IPC_CREAT|IPC_EXCL)", msgget(0x777, IPC_CREAT | IPC_EXCL | 0600));
	CHECK("msgget(IPC_PRIVATE)", id2 = msgget(IPC_PRIVATE, 0600));
	stat_q(id, "new");

	CHECK("msgsnd(type 0)", snd(id, 0, "x", 0));
	CHECK("msgsnd(type -1)", snd(id, -1, "x", 0));
	CHECK("msgsnd(size > msgmax)", msgsnd(id, &big, 8193, 0));
	CHECK("msgsnd(size -1)", msgsnd(id, &big, (size_t)-1, 0));
	CHECK("msgsnd(NULL)", msgsnd(id, NULL, 1, 0));
	CHECK("msgsnd(bad id)", snd(id + 1000, 1, "x", 0));
	CHECK("msgsnd(-1)", snd(-1, 1, "x", 0));
	CHECK("msgsnd 3 one", snd(id, 3, "one", 0));
	CHECK("msgsnd 1 two", snd(id, 1, "two", 0));
	CHECK("msgsnd 2 three", snd(id, 2, "three", 0));
	CHECK("msgsnd 1 four", snd(id, 1, "four", 0));
	CHECK("msgsnd 5 five", snd(id, 5, "five", 0));
	CHECK("msgsnd 0 bytes", snd(id, 7, "", 0));
	stat_q(id, "six sent");

	rcv("msgrcv(MSG_COPY 2)", id, 64, 2, MSG_COPY | IPC_NOWAIT);
	rcv("msgrcv(MSG_COPY 9)", id, 64, 9, MSG_COPY | IPC_NOWAIT);
	rcv("msgrcv(MSG_COPY, no IPC_NOWAIT)", id, 64, 0, MSG_COPY);
	rcv("msgrcv(MSG_COPY|MSG_EXCEPT)", id, 64, 0, MSG_COPY | MSG_EXCEPT | IPC_NOWAIT);
	rcv("msgrcv(type 2, size 2)", id, 2, 2, 0);
	rcv("msgrcv(type 2, size 2, MSG_NOERROR)", id, 2, 2, MSG_NOERROR);
	rcv("msgrcv(type 2) again", id, 64, 2, IPC_NOWAIT);
	rcv("msgrcv(type -4): lowest type <= 4", id, 64, -4, 0);
	rcv("msgrcv(type 1, MSG_EXCEPT)", id, 64, 1, MSG_EXCEPT);
	rcv("msgrcv(type 0)", id, 64, 0, 0);
	rcv("msgrcv(LONG_MIN)", id, 64, LONG_MIN, 0);
	rcv("msgrcv(size -1)", id, (size_t)-1, 0, 0);
	rcv("msgrcv(bad id)", id + 1000, 64, 0, 0);
	rcv("msgrcv(type 0, empty, IPC_NOWAIT)", id, 64, 0, IPC_NOWAIT);
	CHECK("msgsnd 1 lost", snd(id, 1, "lost", 0));
	CHECK("msgrcv(NULL): the message is lost", msgrcv(id, NULL, 64, 0, 0));
	rcv("msgrcv after the loss", id, 64, 0, IPC_NOWAIT);
	stat_q(id, "emptied");

	/* A full queue. */
	ds.msg_qbytes = 100;
	msgctl(id2, IPC_STAT, &ds);
	ds.msg_qbytes = 10;
	CHECK("msgctl(IPC_SET qbytes 10)", msgctl(id2, IPC_SET, &ds));
	CHECK("msgsnd 8 bytes", snd(id2, 1, "12345678", 0));
	CHECK("msgsnd 3 more bytes, IPC_NOWAIT", snd(id2, 1, "abc", IPC_NOWAIT));
	CHECK("msgsnd 2 more bytes", snd(id2, 1, "ab", IPC_NOWAIT));
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(snd(id2, 2, "waited", 0) < 0 ? errno : 0); /* blocks until there is room */
	for (i = 0; i < 100; i++)
		usleep(2000);
	stat_q(id2, "with a sender waiting");
	rcv("msgrcv makes room", id2, 64, 0, 0);
	waitpid(pid, &st, 0);
	printf("the sender: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "sent");
	rcv("msgrcv", id2, 64, 0, 0);
	rcv("msgrcv the waited one", id2, 64, 0, 0);

	/* A receiver waits for its type. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct m m;
		long r = msgrcv(id2, &m, sizeof(m.text), 9, 0);

		_exit(r < 0 ? errno : m.type == 9 && r == 4 ? 0 : 99);
	}
	usleep(50000);
	CHECK("msgsnd 8 (not for it)", snd(id2, 8, "no", 0));
	CHECK("msgsnd 9", snd(id2, 9, "nine", 0));
	waitpid(pid, &st, 0);
	printf("the receiver: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "got type 9");

	/* Permissions: 0620 lets the group send, not receive. */
	pid = fork_as(0, 3000);
	if (pid == 0) {
		CHECK("group member: msgsnd on 0620", snd(id, 1, "g", 0));
		rcv("group member: msgrcv on 0620", id, 64, 0, IPC_NOWAIT);
		CHECK("group member: IPC_STAT on 0620", msgctl(id, IPC_STAT, &ds));
		CHECK("group member: IPC_RMID", msgctl(id, IPC_RMID, NULL));
		ds.msg_qbytes = 1;
		CHECK("group member: IPC_SET", msgctl(id, IPC_SET, &ds));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	msgctl(id, IPC_STAT, &ds);
	ds.msg_qbytes = 20000;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* The owner without CAP_SYS_RESOURCE may not raise qbytes past msgmnb. */
		if (setuid(0) < 0 || setresuid(0, 0, 0) < 0 || setgid(0) < 0)
			_exit(1);
		msgctl(id, IPC_STAT, &ds);
		ds.msg_perm.uid = 4000;
		msgctl(id, IPC_SET, &ds);
		if (setuid(4000) < 0)
			_exit(1);
		ds.msg_qbytes = 20000;
		CHECK("owner: IPC_SET qbytes past msgmnb", msgctl(id, IPC_SET, &ds));
		ds.msg_qbytes = 16384;
		CHECK("owner: IPC_SET qbytes msgmnb", msgctl(id, IPC_SET, &ds));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* (Whether root may raise it depends on CAP_SYS_RESOURCE, which a host may lack: not shown.) */
	stat_q(id, "after IPC_SET");

	CHECK("msgctl(IPC_INFO)", msgctl(0, IPC_INFO, (struct msqid_ds *)&info));
	printf("msgpool=%d msgmap=%d msgmax=%d msgmnb=%d msgmni=%d msgssz=%d msgtql=%d msgseg=%u\n", info.msgpool,
	       info.msgmap, info.msgmax, info.msgmnb, info.msgmni, info.msgssz, info.msgtql, info.msgseg);
	CHECK("msgctl(MSG_INFO)", msgctl(0, MSG_INFO, (struct msqid_ds *)&info));
	printf("msgpool=%d msgmap=%d msgtql=%d\n", info.msgpool, info.msgmap, info.msgtql);
	CHECK("msgctl(MSG_STAT, 0) is the first id", msgctl(0, MSG_STAT, &ds) == id);
	CHECK("msgctl(MSG_STAT_ANY, 7)", msgctl(7, MSG_STAT_ANY, &ds));
	CHECK("msgctl(bad cmd)", msgctl(id, 77, &ds));
	CHECK("msgctl(IPC_STAT, NULL)", msgctl(id, IPC_STAT, NULL));
	CHECK("msgctl(-1)", msgctl(-1, IPC_STAT, &ds));
	f = fopen("/proc/sysvipc/msg", "r");
	while (f && fgets(line, sizeof(line), f)) {
		int key, qid;
		unsigned perms;
		unsigned long cbytes, qnum;

		if (sscanf(line, "%d %d %o %lu %lu", &key, &qid, &perms, &cbytes, &qnum) == 5)
			printf("proc: key=%d id=%d perms=%o cbytes=%lu qnum=%lu\n", key, qid, perms, cbytes, qnum);
		else
			printf("proc: %s", line);
	}
	if (f)
		fclose(f);

	/* IPC_RMID wakes a receiver with EIDRM. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct m m;

		_exit(msgrcv(id2, &m, sizeof(m.text), 0, 0) < 0 ? errno : 0);
	}
	usleep(50000);
	CHECK("msgctl(IPC_RMID) with a receiver", msgctl(id2, IPC_RMID, NULL));
	waitpid(pid, &st, 0);
	printf("the receiver: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "got one");
	CHECK("msgctl(IPC_RMID) again", msgctl(id2, IPC_RMID, NULL));
	CHECK("msgctl(IPC_RMID)", msgctl(id, IPC_RMID, NULL));
	return 0;
}
