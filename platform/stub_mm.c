/*
 * The mapping batches and the stub processes of the stub platforms (see
 * stub_mm.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "platform.h"
#include "stub_mm.h"
#include "../sentry/host/host.h"
#include "../sentry/mm/memfile.h"

/* A stub platform's struct plat_as begins with its struct plat_stub_as (stub_mm.h). */
static struct plat_stub_as *stub_of(struct plat_as *as)
{
	return (struct plat_stub_as *)as;
}

/* Every stub process created and not yet destroyed, for plat_stub_kill_all(). */
static struct plat_stub_as *live_stubs;

/*
 * Stub processes killed but not yet reaped.  A killed stub whose other
 * threads are still traced by host threads on their way out cannot be
 * reaped at once, and waiting for it under the sentry lock would wait for
 * those very threads: it is reaped later, without waiting.
 */
static pid_t unreaped[256];
static int nunreaped;

static void reap_stubs(void)
{
	int i, st;

	for (i = 0; i < nunreaped;) {
		if (host_wait4(unreaped[i], &st, __WALL | WNOHANG) != 0) {
			unreaped[i] = unreaped[--nunreaped];
			continue;
		}
		i++;
	}
}

static void release_deferred(struct plat_stub_as *s)
{
	size_t i;

	for (i = 0; i < s->ndeferred; i++)
		mf_put(s->deferred[i]);
	s->ndeferred = 0;
}

void plat_stub_add(struct plat_as *as, uint64_t ops_off, unsigned max_ops, void (*flush)(struct plat_as *as))
{
	struct plat_stub_as *s = stub_of(as);

	s->ops_off = ops_off;
	s->max_ops = max_ops;
	s->flush = flush;
	s->live_next = live_stubs;
	if (live_stubs)
		live_stubs->live_pprev = &s->live_next;
	s->live_pprev = &live_stubs;
	live_stubs = s;
}

void plat_stub_end(struct plat_as *as, int reaped)
{
	struct plat_stub_as *s = stub_of(as);
	int st;

	*s->live_pprev = s->live_next;
	if (s->live_next)
		s->live_next->live_pprev = s->live_pprev;
	if (!reaped) {
		host_kill_process(s->pid);
		if (host_wait4(s->pid, &st, __WALL | WNOHANG) == 0) {
			if (nunreaped == (int)(sizeof(unreaped) / sizeof(unreaped[0])))
				reap_stubs();
			if (nunreaped < (int)(sizeof(unreaped) / sizeof(unreaped[0])))
				unreaped[nunreaped++] = s->pid;
		}
	}
	reap_stubs();
	release_deferred(s);
	free(s->deferred);
	plat_stub_drop_files(as);
}

int plat_stub_live(const struct plat_as *as)
{
	const struct plat_stub_as *s;

	for (s = live_stubs; s; s = s->live_next)
		if ((const void *)s == (const void *)as)
			return 1;
	return 0;
}

int plat_stub_any_live(void)
{
	return live_stubs != NULL;
}

struct plat_as *plat_stub_next_live(const struct plat_as *as)
{
	const struct plat_stub_as *s = (const struct plat_stub_as *)as;

	return (struct plat_as *)(s ? s->live_next : live_stubs);
}

int plat_stub_others_live(const struct plat_as *as)
{
	return live_stubs && (live_stubs != (const void *)as || live_stubs->live_next);
}

void plat_stub_kill_all(pid_t tmpl_pid)
{
	struct plat_stub_as *s;

	for (s = live_stubs; s; s = s->live_next)
		host_kill_process(s->pid);
	if (tmpl_pid > 0)
		host_kill_process(tmpl_pid);
}

void plat_stub_queue(struct plat_as *as, unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		     unsigned long a3, unsigned long a4, unsigned long a5)
{
	struct plat_stub_as *s = stub_of(as);
	struct plat_stub_op *op;

	if (s->nops == s->max_ops)
		s->flush(as);
	op = (struct plat_stub_op *)mf_ptr(s->ops_off) + s->nops++;
	op->nr = nr;
	op->args[0] = a0;
	op->args[1] = a1;
	op->args[2] = a2;
	op->args[3] = a3;
	op->args[4] = a4;
	op->args[5] = a5;
}

void plat_stub_batch_done(struct plat_as *as)
{
	struct plat_stub_as *s = stub_of(as);

	s->generation++;
	s->nops = 0;
	release_deferred(s);
	plat_stub_drop_files(as); /* sent, or the batch was given up */
}

void plat_stub_lose(struct plat_as *as)
{
	struct plat_stub_as *s = stub_of(as);

	s->dead = 1;
	host_kill_process(s->pid);
}

void plat_stub_as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot)
{
	plat_stub_queue(as, SYS_mmap, va, len, (unsigned long)prot, MAP_SHARED | MAP_FIXED, (unsigned long)mf.fd, off);
}

void plat_stub_as_unmap(struct plat_as *as, uint64_t va, uint64_t len)
{
	plat_stub_queue(as, SYS_munmap, va, len, 0, 0, 0, 0);
}

void plat_stub_as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot)
{
	plat_stub_queue(as, SYS_mprotect, va, len, (unsigned long)prot, 0, 0, 0);
}

void plat_stub_as_defer_put(struct plat_as *as, uint64_t off)
{
	struct plat_stub_as *s = stub_of(as);

	if (s->ndeferred == s->capdeferred) {
		size_t cap = s->capdeferred ? s->capdeferred * 2 : 256;
		uint64_t *d = realloc(s->deferred, cap * sizeof(*d));

		if (!d) {
			/*
			 * Out of sentry memory: flush now so the frame can go at
			 * once.  A batch the platform could not run yet (ptrace's,
			 * from a thread that does not trace the stub) leaves the
			 * queue non-empty: the frame may still be mapped, and is
			 * lost rather than reused.
			 */
			s->flush(as);
			if (s->nops == 0)
				mf_put(off);
			return;
		}
		s->deferred = d;
		s->capdeferred = cap;
	}
	s->deferred[s->ndeferred++] = off;
}

uint64_t plat_stub_as_generation(struct plat_as *as)
{
	return stub_of(as)->generation;
}

uint64_t plat_stub_as_cpu_ns(struct plat_as *as)
{
	/* The stub process's CPU clock: MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED). */
	struct timespec ts;
	clockid_t clk = (clockid_t)((~(unsigned)stub_of(as)->pid << 3) | 2);
	uint64_t ns;

	if (host_clock_gettime(clk, &ts) < 0)
		return 0;
	ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return ns > stub_of(as)->cpu_base ? ns - stub_of(as)->cpu_base : 0;
}

int plat_stub_file_slot(unsigned k, int sock)
{
	int n;

	for (n = 0;; n++)
		if (n != sock && n != mf.fd && k-- == 0)
			return n;
}

/* close_range(first, last), or an op that closes nothing (first > last is EINVAL, which would fail the batch). */
static struct plat_stub_op close_op(int first, int last)
{
	if (first > last)
		first = last = -1;
	return (struct plat_stub_op){.nr = SYS_close_range, .args = {(unsigned)first, (unsigned)last}};
}

void plat_stub_close_files(struct plat_stub_op ops[3], int sock)
{
	int lo = sock < mf.fd ? sock : mf.fd, hi = sock < mf.fd ? mf.fd : sock;

	ops[0] = close_op(0, lo - 1);
	ops[1] = close_op(lo + 1, hi - 1);
	ops[2] = (struct plat_stub_op){.nr = SYS_close_range, .args = {(unsigned)hi + 1, ~0U}};
}

void plat_stub_map_file(struct plat_as *as, uint64_t va, uint64_t len, int fd, uint64_t off, int prot, int sock,
			void (*recv)(struct plat_as *as, uint64_t va, uint64_t len))
{
	struct plat_stub_as *s = stub_of(as);
	long dup;

	/* Room for the mapping (and the batch's taking of the files, if it is the first). */
	if (s->nfiles == PLAT_STUB_MAX_FILES || s->nops + 2 > s->max_ops)
		s->flush(as);
	dup = host_dup(fd);
	if (dup < 0) {
		/* Whatever was there goes; the pages come by faults. */
		plat_stub_queue(as, SYS_munmap, va, len, 0, 0, 0, 0);
		return;
	}
	if (!s->nfiles) {
		s->recv_op = s->nops;
		recv(as, va, len);
	}
	plat_stub_queue(as, SYS_mmap, va, len, (unsigned long)prot, MAP_PRIVATE | MAP_FIXED,
			(unsigned long)plat_stub_file_slot(s->nfiles, sock), off);
	s->files[s->nfiles++] = (int)dup;
}

void plat_stub_drop_files(struct plat_as *as)
{
	struct plat_stub_as *s = stub_of(as);
	unsigned i;

	for (i = 0; i < s->nfiles; i++)
		host_close(s->files[i]);
	s->nfiles = 0;
}
