/*
 * fork's copy-on-write, both ways, and address spaces made and ended in a
 * row.  After fork each side's writes are its own: the parent's after the
 * child read the pages, the child's after the parent wrote its own, and
 * the parent's again once the child is gone (the last reference).  Done on
 * 3 pages and on 200 (the kvm platform takes the first away page by page
 * in the guest, the second by throwing the shadow page tables away: see
 * docs/kvm.md).  Then 300 children in a row, every 15th through execve,
 * each finding a fixed address unmapped, mapping it, reading zeroes there
 * and its own bytes after writing them: what an ended address space had
 * mapped (its page tables, its frames) must never show in a later one.
 */
#include "check.h"

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define PAGE 4096UL
#define ROUNDS 300
#define EXEC_EVERY 15
#define PROBE_PAGES 64
/* Far from where Linux and cvisor put a program, its heap, libraries and stack, ASLR or not. */
#define PROBE_AT 0x200000000000UL

/* Every page of m holds v at its first and last byte; how many do not. */
static int wrong(const volatile unsigned char *m, size_t pages, unsigned char v)
{
	int bad = 0;
	size_t i;

	for (i = 0; i < pages; i++)
		bad += m[i * PAGE] != v || m[i * PAGE + PAGE - 1] != v;
	return bad;
}

static void fill(volatile unsigned char *m, size_t pages, unsigned char v)
{
	size_t i;

	for (i = 0; i < pages; i++)
		m[i * PAGE] = m[i * PAGE + PAGE - 1] = v;
}

static void step(int fd, int wr)
{
	char c = 0;

	if ((wr ? write(fd, &c, 1) : read(fd, &c, 1)) != 1)
		_exit(99);
}

/* One fork over n written pages; each side reports what it saw. */
static void both_ways(size_t n)
{
	unsigned char *m = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int to_child[2], to_parent[2], st = -1;
	pid_t pid;

	if (m == MAP_FAILED || pipe(to_child) < 0 || pipe(to_parent) < 0) {
		printf("%zu pages: set-up failed\n", n);
		return;
	}
	fill(m, n, 'a');
	pid = fork();
	if (pid == 0) {
		int bad_first = wrong(m, n, 'a'), bad_after, bad_own;

		step(to_parent[1], 1);  /* read them all: the child's mappings are in use */
		step(to_child[0], 0);   /* the parent has written 'p' */
		bad_after = wrong(m, n, 'a');
		fill(m, n, 'c');
		bad_own = wrong(m, n, 'c');
		printf("%zu pages: child sees the parent's bytes %d, not its later writes %d, its own writes %d\n",
		       n, !bad_first, !bad_after, !bad_own);
		fflush(stdout);
		step(to_parent[1], 1);
		_exit(0);
	}
	step(to_parent[0], 0);
	fill(m, n, 'p');
	printf("%zu pages: parent sees its writes after fork %d\n", n, !wrong(m, n, 'p'));
	fflush(stdout);
	step(to_child[1], 1);
	step(to_parent[0], 0);  /* the child has written 'c' */
	printf("%zu pages: parent does not see the child's writes %d\n", n, !wrong(m, n, 'p'));
	waitpid(pid, &st, 0);
	fill(m, n, 'q');
	printf("%zu pages: parent's writes once the child is gone %d (child status %d)\n", n, !wrong(m, n, 'q'), st);
	fflush(stdout);
	munmap(m, n * PAGE);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static sigjmp_buf jb;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(jb, 1);
}

/*
 * In a fresh child (or a fresh image): PROBE_AT is unmapped (a read faults),
 * then mapped it reads zero, then holds what was written.  Exit status:
 * a bit per failure.
 */
static int probe(unsigned char v)
{
	volatile unsigned char *m = (volatile unsigned char *)PROBE_AT;
	struct sigaction sa;
	volatile int r = 0; /* set between sigsetjmp and the fault */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	if (sigsetjmp(jb, 1) == 0) {
		(void)m[0];
		(void)m[(PROBE_PAGES - 1) * PAGE];
		r |= 1; /* no fault: something is mapped there */
	}
	if (mmap((void *)PROBE_AT, PROBE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)PROBE_AT)
		return r | 8;
	if (wrong(m, PROBE_PAGES, 0))
		r |= 2;
	fill(m, PROBE_PAGES, v);
	if (wrong(m, PROBE_PAGES, v))
		r |= 4;
	return r;
}

static void churn(const char *self)
{
	int i, failed[16] = {0}, execs = 0, unmapped = 0, zero = 0, own = 0;

	for (i = 0; i < ROUNDS; i++) {
		int st = -1;
		pid_t pid = fork();

		if (pid == 0) {
			if (i % EXEC_EVERY == 0) {
				char v[8];

				snprintf(v, sizeof(v), "%d", 1 + i % 250);
				execl(self, self, "probe", v, (char *)NULL);
				_exit(64);
			}
			_exit(probe((unsigned char)(1 + i % 250)));
		}
		waitpid(pid, &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) >= 16) {
			printf("churn: round %d ended with status %d\n", i, st);
			continue;
		}
		execs += i % EXEC_EVERY == 0;
		unmapped += !(WEXITSTATUS(st) & 1);
		zero += !(WEXITSTATUS(st) & 2);
		own += !(WEXITSTATUS(st) & 4);
		failed[WEXITSTATUS(st)]++;
	}
	printf("churn: %d children (%d through execve): address unmapped in %d, fresh memory zero in %d, "
	       "own writes read back in %d, could not map %d\n",
	       ROUNDS, execs, unmapped, zero, own, failed[8] + failed[9] + failed[10] + failed[11]);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "probe") == 0)
		return probe((unsigned char)atoi(argv[2]));
	setvbuf(stdout, NULL, _IONBF, 0);
	both_ways(3);
	both_ways(200);
	churn("/proc/self/exe");
	return 0;
}
