/*
 * System V semaphores: semget's keys and limits, semop's all-or-nothing
 * operations (IPC_NOWAIT, ERANGE, EFBIG, E2BIG), blocking with a wake on
 * change, on timeout (semtimedop) and on IPC_RMID (EIDRM), GETNCNT and
 * GETZCNT of sleepers, semctl's commands, SEM_UNDO applied at exit, and
 * permissions.  Natively the program moves to a fresh IPC namespace first
 * (see sysvshm.c).
 */
#include "check.h"
#include "ipc_ns.h"

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static int op(int id, unsigned short num, short o, short flg)
{
	struct sembuf sb = {num, o, flg};

	return semop(id, &sb, 1);
}

static void show_vals(int id, const char *when)
{
	unsigned short v[4];
	union semun u = {.array = v};

	if (semctl(id, 0, GETALL, u) < 0) {
		printf("%s: GETALL %s\n", when, errname(errno));
		return;
	}
	printf("%s: %u %u %u %u\n", when, v[0], v[1], v[2], v[3]);
}

/* Waits until n tasks sleep on semaphore num of id for a change (zero: for zero). */
static void wait_sleepers(int id, int num, int zero, int n)
{
	int i;

	for (i = 0; i < 2000 && semctl(id, num, zero ? GETZCNT : GETNCNT) != n; i++)
		usleep(1000);
}

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	struct semid_ds ds;
	struct seminfo info;
	union semun u;
	unsigned short v[4];
	struct sembuf two[2];
	struct timespec ts;
	int id, id2, st;
	pid_t pid;
	FILE *f;
	char line[256];

	if (ipc_own_namespace() < 0)
		return 1;
	f = fopen("/proc/sys/kernel/sem", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("kernel.sem: %s", line);
	if (f)
		fclose(f);

	CHECK("semget(key, no IPC_CREAT)", semget(0x4321, 4, 0600));
	CHECK("semget(nsems -1)", semget(0x4321, -1, IPC_CREAT | 0600));
	CHECK("semget(nsems 0, IPC_CREAT)", semget(0x4321, 0, IPC_CREAT | 0600));
	CHECK("semget(nsems > semmsl)", semget(0x4321, 32001, IPC_CREAT | 0600));
	CHECK("semget(key, 4)", id = semget(0x4321, 4, IPC_CREAT | 0640));
	CHECK("semget(key, 0) finds it", semget(0x4321, 0, 0));
	CHECK("semget(key, 5) more than it has", semget(0x4321, 5, 0));
	CHECK("semget(IPC_CREAT|IPC_EXCL)", semget(0x4321, 4, IPC_CREAT | IPC_EXCL | 0600));
	CHECK("semget(IPC_PRIVATE)", id2 = semget(IPC_PRIVATE, 1, 0600));

	u.buf = &ds;
	CHECK("semctl(IPC_STAT)", semctl(id, 0, IPC_STAT, u));
	printf("key=%#x mode=%o nsems=%lu otime=%ld\n", ds.sem_perm.__key, ds.sem_perm.mode, (unsigned long)ds.sem_nsems,
	       (long)ds.sem_otime);
	u.__buf = &info;
	CHECK("semctl(IPC_INFO)", semctl(0, 0, IPC_INFO, u));
	printf("semmap=%d semmni=%d semmns=%d semmnu=%d semmsl=%d semopm=%d semume=%d semusz=%d semvmx=%d semaem=%d\n",
	       info.semmap, info.semmni, info.semmns, info.semmnu, info.semmsl, info.semopm, info.semume, info.semusz,
	       info.semvmx, info.semaem);
	CHECK("semctl(SEM_INFO)", semctl(0, 0, SEM_INFO, u));
	printf("semusz=%d semaem=%d\n", info.semusz, info.semaem);
	u.buf = &ds;
	CHECK("semctl(SEM_STAT, 0) is the first id", semctl(0, 0, SEM_STAT, u) == id);
	CHECK("semctl(SEM_STAT_ANY, 9)", semctl(9, 0, SEM_STAT_ANY, u));
	CHECK("semctl(bad cmd)", semctl(id, 0, 99));
	CHECK("semctl(-1)", semctl(-1, 0, GETVAL));
	CHECK("semctl(bad id)", semctl(id + 1000, 0, GETVAL));
	CHECK("semctl(IPC_STAT, NULL)", semctl(id, 0, IPC_STAT, NULL));

	/* Values. */
	CHECK("SETVAL 0 = 3", semctl(id, 0, SETVAL, 3));
	CHECK("SETVAL 1 = 32767", semctl(id, 1, SETVAL, 32767));
	CHECK("SETVAL 1 = 32768", semctl(id, 1, SETVAL, 32768));
	CHECK("SETVAL 1 = -1", semctl(id, 1, SETVAL, -1));
	CHECK("SETVAL 4 (out of range)", semctl(id, 4, SETVAL, 1));
	CHECK("GETVAL 0", semctl(id, 0, GETVAL));
	CHECK("GETVAL -1", semctl(id, -1, GETVAL));
	CHECK("GETPID 0 is me", semctl(id, 0, GETPID) == getpid());
	CHECK("GETPID 2 (never set)", semctl(id, 2, GETPID));
	v[0] = 1, v[1] = 2, v[2] = 3, v[3] = 40000;
	u.array = v;
	CHECK("SETALL with 40000", semctl(id, 0, SETALL, u));
	v[3] = 4;
	CHECK("SETALL", semctl(id, 0, SETALL, u));
	CHECK("SETALL(NULL)", semctl(id, 0, SETALL, NULL));
	CHECK("GETALL(NULL)", semctl(id, 0, GETALL, NULL));
	show_vals(id, "after SETALL");

	/* semop: all or nothing. */
	two[0] = (struct sembuf){0, -1, 0};
	two[1] = (struct sembuf){1, -5, IPC_NOWAIT};
	CHECK("semop(two, second would block, IPC_NOWAIT)", semop(id, two, 2));
	show_vals(id, "unchanged");
	two[1] = (struct sembuf){1, 32767, 0};
	CHECK("semop(two, second past SEMVMX)", semop(id, two, 2));
	show_vals(id, "unchanged");
	two[1] = (struct sembuf){1, 1, 0};
	CHECK("semop(two)", semop(id, two, 2));
	show_vals(id, "after");
	CHECK("semop(sem_num 4)", op(id, 4, 1, 0));
	CHECK("semop(nsops 0)", semop(id, two, 0));
	CHECK("semop(nsops 501)", semop(id, two, 501));
	CHECK("semop(NULL)", semop(id, NULL, 1));
	CHECK("semop(bad id)", op(id + 1000, 0, 1, 0));
	CHECK("semop(+1)", op(id, 0, 1, 0));
	CHECK("semop(wait for zero, IPC_NOWAIT)", op(id, 0, 0, IPC_NOWAIT));
	CHECK("semop(take 1)", op(id, 0, -1, 0));
	CHECK("semop(wait for zero, now zero)", op(id, 0, 0, 0));
	ts = (struct timespec){0, 20000000};
	CHECK("semtimedop(times out)", semtimedop(id, &(struct sembuf){0, -1, 0}, 1, &ts));
	ts = (struct timespec){0, 1000000000};
	CHECK("semtimedop(bad timeout)", semtimedop(id, &(struct sembuf){0, -1, 0}, 1, &ts));
	CHECK("semtimedop(timeout NULL ptr bad)", syscall(SYS_semtimedop, id, &(struct sembuf){0, -1, 0}, 1, (void *)8));

	/* Blocking: woken by a change; GETNCNT and GETZCNT count the sleepers. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int r = op(id, 0, -2, 0);

		_exit(r < 0 ? errno : 100 + semctl(id, 0, GETVAL));
	}
	wait_sleepers(id, 0, 0, 1);
	CHECK("GETNCNT 0 with a sleeper", semctl(id, 0, GETNCNT));
	CHECK("GETZCNT 0", semctl(id, 0, GETZCNT));
	CHECK("semop(+1): not enough", op(id, 0, 1, 0));
	usleep(20000);
	CHECK("GETNCNT 0 still", semctl(id, 0, GETNCNT));
	CHECK("semop(+2)", op(id, 0, 2, 0));
	waitpid(pid, &st, 0);
	printf("child: semop(-2) woke with the value left: %d\n", WEXITSTATUS(st) - 100);
	CHECK("GETNCNT 0 after", semctl(id, 0, GETNCNT));
	CHECK("GETVAL 0 after", semctl(id, 0, GETVAL));

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		_exit(op(id, 0, 0, 0) < 0 ? errno : 0);
	}
	wait_sleepers(id, 0, 1, 1);
	CHECK("GETZCNT 0 with a sleeper", semctl(id, 0, GETZCNT));
	CHECK("semop(-1) to zero", op(id, 0, -1, 0));
	waitpid(pid, &st, 0);
	printf("child: wait-for-zero woke: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "0");

	/* A signal interrupts semop (EINTR, never restarted). */
	{
		struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART}; /* semop is still not restarted */

		sigaction(SIGALRM, &sa, NULL);
	}
	ualarm(20000, 0);
	CHECK("semop interrupted by a signal", op(id, 0, -1, 0));

	/* SEM_UNDO: a child's operations are undone when it exits. */
	CHECK("SETVAL 2 = 5", semctl(id, 2, SETVAL, 5));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		op(id, 2, -3, SEM_UNDO);
		op(id, 3, 2, SEM_UNDO);
		op(id, 3, -1, SEM_UNDO);
		printf("child with SEM_UNDO: sem2 %d sem3 %d\n", semctl(id, 2, GETVAL), semctl(id, 3, GETVAL));
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_vals(id, "after the child's exit");
	/* An undo that would go below zero is clamped at zero. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		op(id, 2, 3, SEM_UNDO);
		semctl(id, 1, SETVAL, 7); /* SETVAL clears the undo of its semaphore only */
		op(id, 1, 1, SEM_UNDO);
		semctl(id, 1, SETVAL, 0);
		semctl(id, 2, SETVAL, 1); /* 1 - 3 at exit: clamped to 0... but SETVAL cleared it */
		op(id, 2, 2, SEM_UNDO);
		semctl(id, 2, SETVAL, 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_vals(id, "after the second child's exit");

	/* IPC_RMID wakes sleepers with EIDRM. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		_exit(op(id2, 0, -1, 0) < 0 ? errno : 0);
	}
	wait_sleepers(id2, 0, 0, 1);

	/* Permissions. */
	pid = fork_as(2000, 2000);
	if (pid == 0) {
		CHECK("other user: semop on 0640", op(id, 0, 1, 0));
		CHECK("other user: GETVAL on 0640", semctl(id, 0, GETVAL));
		CHECK("other user: SETVAL on 0640", semctl(id, 0, SETVAL, 1));
		CHECK("other user: IPC_RMID", semctl(id, 0, IPC_RMID));
		CHECK("other user: semget(key, 0600 asks)", semget(0x4321, 0, 0600));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pid = fork_as(0, 3000);
	if (pid == 0) {
		CHECK("group member: GETVAL on 0640", semctl(id, 0, GETVAL));
		CHECK("group member: semop(+1) on 0640", op(id, 0, 1, 0));
		CHECK("group member: semop(wait zero, IPC_NOWAIT) on 0640", op(id, 1, 0, IPC_NOWAIT));
		_exit(0);
	}
	waitpid(pid, &st, 0);

	CHECK("semctl(IPC_RMID) id2 with a sleeper", semctl(id2, 0, IPC_RMID));
	wait(&st);
	printf("child: semop on a removed set: %s\n", WEXITSTATUS(st) ? errname(WEXITSTATUS(st)) : "0");
	CHECK("semctl(IPC_RMID) again", semctl(id2, 0, IPC_RMID));
	u.buf = &ds;
	ds.sem_perm.mode = 0600;
	ds.sem_perm.uid = 5;
	CHECK("semctl(IPC_SET)", semctl(id, 0, IPC_SET, u));
	semctl(id, 0, IPC_STAT, u);
	printf("after IPC_SET: uid=%u mode=%o\n", ds.sem_perm.uid, ds.sem_perm.mode);
	f = fopen("/proc/sysvipc/sem", "r");
	while (f && fgets(line, sizeof(line), f)) {
		int key, sid, nsems;
		unsigned perms;

		if (sscanf(line, "%d %d %o %d", &key, &sid, &perms, &nsems) == 4)
			printf("proc: key=%d id=%d perms=%o nsems=%d\n", key, sid, perms, nsems);
		else
			printf("proc: %s", line);
	}
	if (f)
		fclose(f);
	CHECK("semctl(IPC_RMID)", semctl(id, 0, IPC_RMID));
	CHECK("semget(IPC_PRIVATE) id", semget(IPC_PRIVATE, 1, 0600));
	return 0;
}
