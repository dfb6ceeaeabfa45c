/*
 * System V shared memory: shmget's keys, flags and limits, shmat and shmdt
 * (SHM_RDONLY, SHM_RND, SHM_REMAP), shmctl's commands, attaches shared
 * between processes and across fork, dropped at exec and exit, a segment
 * removed while attached, permissions against other users, and
 * /proc/sysvipc/shm.  Natively the program first moves to a fresh IPC
 * namespace of its own (the host's objects are never touched); in the
 * sandbox, whose IPC namespace is already its own, that call is not there.
 */
#include "check.h"
#include "ipc_ns.h"

#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>

#define PAGE 4096UL

static int nattch(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) < 0 ? -errno : (int)ds.shm_nattch;
}

/* The lines of /proc/sysvipc/shm: key, id, perms, size and nattch of each. */
static void show_proc(const char *when)
{
	FILE *f = fopen("/proc/sysvipc/shm", "r");
	char line[512];
	int key, id;
	unsigned perms;
	unsigned long size, nat;

	printf("%s:\n", when);
	if (!f) {
		printf("  cannot open: %s\n", errname(errno));
		return;
	}
	if (fgets(line, sizeof(line), f))
		printf("  header %s", line);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d %d %o %lu %*d %*d %lu", &key, &id, &perms, &size, &nat) == 5)
			printf("  key=%d id=%d perms=%o size=%lu nattch=%lu\n", key, id, perms, size, nat);
	fclose(f);
}

int main(void)
{
	struct shmid_ds ds;
	struct shminfo info;
	struct shm_info sinfo;
	int id, id2, id3, st;
	char *p, *q;
	pid_t pid;

	if (ipc_own_namespace() < 0)
		return 1;
	show_sysctl("kernel", "shmmax");
	show_sysctl("kernel", "shmall");
	show_sysctl("kernel", "shmmni");

	/* Keys and flags. */
	CHECK("shmget(key, no IPC_CREAT)", shmget(0x1234, PAGE, 0600));
	CHECK("shmget(key, size 0)", shmget(0x1234, 0, IPC_CREAT | 0600));
	CHECK("shmget(key, size huge)", shmget(0x1234, (size_t)-1, IPC_CREAT | 0600));
	CHECK("shmget(key, IPC_CREAT)", id = shmget(0x1234, 10000, IPC_CREAT | 0640));
	CHECK("shmget(key) again", shmget(0x1234, 0, 0));
	CHECK("shmget(key, IPC_CREAT|IPC_EXCL)", shmget(0x1234, PAGE, IPC_CREAT | IPC_EXCL | 0600));
	CHECK("shmget(key, bigger)", shmget(0x1234, 3 * PAGE, 0));
	CHECK("shmget(key, smaller)", shmget(0x1234, 100, 0));
	CHECK("shmget(IPC_PRIVATE)", id2 = shmget(IPC_PRIVATE, PAGE, 0600));
	CHECK("shmget(IPC_PRIVATE) again is new", shmget(IPC_PRIVATE, PAGE, 0600) != id2);

	CHECK("shmctl(IPC_STAT)", shmctl(id, IPC_STAT, &ds));
	printf("key=%#x mode=%o size=%zu nattch=%lu uid=%u cuid=%u gid=%u cgid=%u atime=%ld dtime=%ld cpid_is_me=%d\n",
	       ds.shm_perm.__key, ds.shm_perm.mode, ds.shm_segsz, (unsigned long)ds.shm_nattch, ds.shm_perm.uid,
	       ds.shm_perm.cuid, ds.shm_perm.gid, ds.shm_perm.cgid, (long)ds.shm_atime, (long)ds.shm_dtime,
	       ds.shm_cpid == getpid());
	CHECK("shmctl(bad id)", shmctl(id + 1000, IPC_STAT, &ds));
	CHECK("shmctl(-1)", shmctl(-1, IPC_STAT, &ds));
	CHECK("shmctl(bad cmd)", shmctl(id, 99, &ds));
	CHECK("shmctl(IPC_STAT, NULL)", shmctl(id, IPC_STAT, NULL));
	CHECK("shmctl(IPC_INFO)", shmctl(0, IPC_INFO, (struct shmid_ds *)&info));
	printf("shmmax=%lu shmmin=%lu shmmni=%lu shmseg=%lu shmall=%lu\n", info.shmmax, info.shmmin, info.shmmni,
	       info.shmseg, info.shmall);
	CHECK("shmctl(SHM_INFO)", shmctl(0, SHM_INFO, (struct shmid_ds *)&sinfo));
	printf("used_ids=%d shm_tot=%lu shm_rss=%lu\n", sinfo.used_ids, sinfo.shm_tot, sinfo.shm_rss);
	CHECK("shmctl(SHM_STAT, 0) is the first id", shmctl(0, SHM_STAT, &ds) == id);
	CHECK("shmctl(SHM_STAT, 500)", shmctl(500, SHM_STAT, &ds));
	CHECK("shmctl(SHM_STAT_ANY, 1) is the second id", shmctl(1, SHM_STAT_ANY, &ds) == id2);

	/* Attach: the pages are shared, and counted. */
	p = shmat(id, NULL, 0);
	printf("shmat = %s\n", p == (void *)-1 ? errname(errno) : "ok");
	p[0] = 'a';
	p[9999] = 'z';
	printf("nattch after shmat: %d\n", nattch(id));
	q = shmat(id, NULL, SHM_RDONLY);
	printf("second shmat (SHM_RDONLY): %s, sees %c%c\n", q == (void *)-1 ? errname(errno) : "ok", q[0], q[9999]);
	printf("nattch: %d\n", nattch(id));
	CHECK("mprotect(SHM_RDONLY attach, PROT_WRITE)", mprotect(q, PAGE, PROT_READ | PROT_WRITE));
	CHECK("shmdt(second)", shmdt(q));
	CHECK("shmdt(second) again", shmdt(q));
	CHECK("shmdt(unaligned)", shmdt(p + 1));
	CHECK("shmdt(not an attach)", shmdt(&st));
	printf("nattch: %d\n", nattch(id));
	shmctl(id, IPC_STAT, &ds);
	printf("atime set=%d dtime set=%d lpid_is_me=%d\n", ds.shm_atime != 0, ds.shm_dtime != 0,
	       ds.shm_lpid == getpid());

	/* At an address: SHM_RND, unaligned, over a mapping (SHM_REMAP). */
	q = mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(q, 8 * PAGE);
	CHECK("shmat(unaligned)", (long)shmat(id, q + 100, 0));
	CHECK("shmat(unaligned, SHM_RND) at the page", shmat(id, q + 100, SHM_RND) == q);
	printf("  sees %c\n", q[0]);
	CHECK("shmat(over an attach)", (long)shmat(id, q, 0));
	CHECK("shmat(over, SHM_REMAP) at the page", shmat(id, q, SHM_REMAP) == q);
	CHECK("shmat(NULL, SHM_REMAP)", (long)shmat(id, NULL, SHM_REMAP));
	CHECK("shmdt(at q)", shmdt(q));
	CHECK("shmdt(at q) again", shmdt(q));
	printf("nattch: %d\n", nattch(id));

	/* mprotect splits an attach; shmdt takes all of it. */
	q = shmat(id, NULL, 0);
	CHECK("mprotect(middle page)", mprotect(q + PAGE, PAGE, PROT_READ));
	/* (How many the split counts differs between kernels: not shown.) */
	CHECK("shmdt(split)", shmdt(q));
	printf("nattch: %d\n", nattch(id));
	CHECK("shmat(bad id)", (long)shmat(id + 1000, NULL, 0));
	CHECK("shmat(-1)", (long)shmat(-1, NULL, 0));

	/* fork keeps the attach; the child's write is seen; its exit drops its attach. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		printf("child nattch: %d\n", nattch(id));
		fflush(stdout);
		p[1] = 'c';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	printf("parent sees child's write: %c, nattch: %d\n", p[1], nattch(id));

	/* exec drops the attach. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	printf("after a child's exec: nattch %d\n", nattch(id));

	/* RLIMIT_AS counts attaches as any mapping. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int big = shmget(IPC_PRIVATE, 64 << 20, 0600);
		struct rlimit rl = {32 << 20, 32 << 20};
		FILE *f = fopen("/proc/self/maps", "r");
		unsigned long lo, hi, total = 0;
		char line[512];

		/* A limit 32 MiB above what is mapped now. */
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
				total += hi - lo;
		if (f)
			fclose(f);
		rl.rlim_cur = rl.rlim_max = total + (32 << 20);
		setrlimit(RLIMIT_AS, &rl);
		CHECK("shmat(64 MiB) past RLIMIT_AS", (long)shmat(big, NULL, 0));
		shmctl(big, IPC_RMID, NULL);
		_exit(0);
	}
	waitpid(pid, &st, 0);

	/* IPC_SET and permissions against another user. */
	ds.shm_perm.uid = 1000;
	ds.shm_perm.mode = 0604;
	CHECK("shmctl(IPC_SET)", shmctl(id, IPC_SET, &ds));
	shmctl(id, IPC_STAT, &ds);
	printf("after IPC_SET: uid=%u cuid=%u mode=%o\n", ds.shm_perm.uid, ds.shm_perm.cuid, ds.shm_perm.mode);
	id3 = shmget(IPC_PRIVATE, PAGE, 0600);
	pid = fork_as(2000, 2000);
	if (pid == 0) {
		CHECK("other user: shmat(0600 segment)", (long)shmat(id3, NULL, 0));
		CHECK("other user: shmctl(IPC_STAT, 0600 segment)", shmctl(id3, IPC_STAT, &ds));
		CHECK("other user: shmctl(IPC_RMID, 0600 segment)", shmctl(id3, IPC_RMID, NULL));
		CHECK("other user: shmat(0604 segment, SHM_RDONLY)", shmat(id, NULL, SHM_RDONLY) != (void *)-1);
		CHECK("other user: shmat(0604 segment)", (long)shmat(id, NULL, 0));
		CHECK("other user: shmget(key, 0600 asks)", shmget(0x1234, 0, 0600));
		CHECK("other user: shmget(key, 0004 asks)", shmget(0x1234, 0, 0004) == id);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	pid = fork_as(2000, 1000);
	if (pid == 0) {
		CHECK("new owner: shmctl(IPC_SET)", shmctl(id, IPC_SET, &ds));
		CHECK("new owner: shmat (mode 0604, owner bits 6)", shmat(id, NULL, 0) != (void *)-1);
		_exit(0);
	}
	waitpid(pid, &st, 0);

	/* Removed while attached: still reachable by id, not by key, until the last detach. */
	show_proc("before IPC_RMID");
	CHECK("shmctl(IPC_RMID) while attached", shmctl(id, IPC_RMID, NULL));
	shmctl(id, IPC_STAT, &ds);
	printf("after IPC_RMID: key=%#x dest=%d nattch=%lu\n", ds.shm_perm.__key, !!(ds.shm_perm.mode & SHM_DEST),
	       (unsigned long)ds.shm_nattch);
	CHECK("shmget(key) after IPC_RMID", shmget(0x1234, 0, 0));
	q = shmat(id, NULL, 0);
	printf("shmat after IPC_RMID: %s, sees %c\n", q == (void *)-1 ? errname(errno) : "ok", q[0]);
	printf("nattch: %d\n", nattch(id));
	show_proc("after IPC_RMID");
	CHECK("shmdt", shmdt(q));
	CHECK("shmdt (the last)", shmdt(p));
	CHECK("shmctl(IPC_STAT) after the last detach", shmctl(id, IPC_STAT, &ds));
	CHECK("shmctl(IPC_RMID) id2", shmctl(id2, IPC_RMID, NULL));
	CHECK("shmctl(IPC_RMID) id2 again", shmctl(id2, IPC_RMID, NULL));
	CHECK("shmctl(IPC_RMID) id3", shmctl(id3, IPC_RMID, NULL));
	/* Ids are not given again at once. */
	id = shmget(IPC_PRIVATE, PAGE, 0600);
	printf("next id: %d\n", id);
	shmctl(id, IPC_RMID, NULL);
	show_proc("at the end");
	return 0;
}
