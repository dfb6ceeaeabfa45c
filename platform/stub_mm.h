/*
 * What the stub platforms (ptrace, systrap) share about an address space:
 * a stub process whose mappings mirror the memory manager's, changed by
 * batches of mmap/munmap/mprotect that the stub runs itself.  Here are the
 * queue of those calls in the stub's control page, the frames whose put
 * waits for the next batch, the count of batches run, and the list of live
 * stub processes (to kill them all at the end, and to reap the killed ones
 * without waiting).  How a batch is run, and what a stub is, stay each
 * platform's own: it runs the queue through its flush function and reports
 * the end of a batch with plat_stub_batch_done().
 *
 * A stub platform's struct plat_as begins with a struct plat_stub_as
 * (checked where it is declared), so the functions below take the
 * platform's struct plat_as and some of them are its platform ops as they
 * are.  Everything here runs under the sentry lock.
 */
#pragma once

#include <stdint.h>
#include <sys/types.h>

struct plat_as;

/* The most files one batch maps (see "File mappings" below). */
#define PLAT_STUB_MAX_FILES 16

/* One host call of a batch, as both stubs' batch loops read it: the number and six arguments (56 bytes). */
struct plat_stub_op {
	unsigned long nr;
	unsigned long args[6];
};

struct plat_stub_as {
	pid_t pid;                /* the stub process, killed through its first thread */
	uint64_t ops_off;         /* memory-file offset of the batch (ops[0]) in the control page */
	unsigned max_ops;         /* how many fit there */
	unsigned nops;            /* queued */
	void (*flush)(struct plat_as *as); /* runs the queued batch (the platform's); ends in plat_stub_batch_done */
	uint64_t *deferred;       /* frames to release after the next batch */
	size_t ndeferred, capdeferred;
	int dead;                 /* the stub process was killed or lost */
	uint64_t generation;      /* batches run */
	uint64_t dropped_at;      /* generation right after the stub last dropped every mapping; 0: never */
	uint64_t cpu_base;        /* the stub process's CPU time before this address space had it (a reused stub) */
	/* The files the queued batch maps (plat_stub_map_file): the sentry's own duplicates, sent as it runs. */
	int files[PLAT_STUB_MAX_FILES];
	unsigned nfiles;
	unsigned recv_op;         /* the batch's first file op, which takes them: the platform's */
	struct plat_stub_as *live_next, **live_pprev; /* on the live list from plat_stub_add to plat_stub_end */
};

/*
 * as's stub process runs (as->pid set): its batch is max_ops calls at
 * ops_off, run by flush; as goes on the live list.
 */
void plat_stub_add(struct plat_as *as, uint64_t ops_off, unsigned max_ops, void (*flush)(struct plat_as *as));
/*
 * as leaves the live list; its stub process is killed (unless reaped says
 * it has been waited for already) and reaped now or later; the frames
 * deferred are released.  The platform then frees its own part and as.
 */
void plat_stub_end(struct plat_as *as, int reaped);
/* Is as on the live list (made and not yet ended)?  as may be a stale pointer: it is only compared. */
int plat_stub_live(const struct plat_as *as);
/* Is any address space live?  Any but as? */
int plat_stub_any_live(void);
int plat_stub_others_live(const struct plat_as *as);
/* The live address space after as (NULL: the first), or NULL; the list must not change in between. */
struct plat_as *plat_stub_next_live(const struct plat_as *as);
/* Kills every live stub process, and the template's (tmpl_pid, if > 0). */
void plat_stub_kill_all(pid_t tmpl_pid);

/* Queues one host call for the stub; a full queue is flushed first. */
void plat_stub_queue(struct plat_as *as, unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		     unsigned long a3, unsigned long a4, unsigned long a5);
/*
 * The end of a batch that ran (or was given up): counted, the queue
 * emptied, the deferred frames put, the sentry's duplicates of its files
 * closed.
 */
void plat_stub_batch_done(struct plat_as *as);
/* The stub no longer mirrors the memory manager: it is killed, and its tasks find it dead. */
void plat_stub_lose(struct plat_as *as);

/* The platform ops of the same name. */
void plat_stub_as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot);
void plat_stub_as_unmap(struct plat_as *as, uint64_t va, uint64_t len);
void plat_stub_as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot);
void plat_stub_as_defer_put(struct plat_as *as, uint64_t off);
uint64_t plat_stub_as_generation(struct plat_as *as);
uint64_t plat_stub_as_cpu_ns(struct plat_as *as);

/*
 * File mappings (a platform's as_map_file): a private mapping of a file of
 * the root is the host's own mapping of it, made by the stub.  Every stub
 * holds the stubs' end of plat_file_sock at an fd of the platform's choice
 * (sock below), the memory file, and no other fd between batches.  A batch
 * that maps files begins by taking one message from the socket, whose fds
 * (at most PLAT_STUB_MAX_FILES) land at the lowest free numbers, in order,
 * where its mmaps name them (plat_stub_file_slot), and ends by closing
 * them (plat_stub_close_files).  How the message is taken is each
 * platform's.
 */
/* The fd number the k-th file of a batch takes in a stub whose file socket is at fd sock. */
int plat_stub_file_slot(unsigned k, int sock);
/* Three ops that close every fd of such a stub but the file socket and the memory file. */
void plat_stub_close_files(struct plat_stub_op ops[3], int sock);
/*
 * as_map_file for a stub whose file socket is at sock: a duplicate of fd
 * waits in as's files, and the batch gets an mmap of its slot, after the
 * op that takes the batch's files, which recv queues (given the first
 * file's range) before the batch's first.  A full batch is run first.
 */
void plat_stub_map_file(struct plat_as *as, uint64_t va, uint64_t len, int fd, uint64_t off, int prot, int sock,
			void (*recv)(struct plat_as *as, uint64_t va, uint64_t len));
/* The files queued and not yet closed (sent, the batch given up, the address space gone) close. */
void plat_stub_drop_files(struct plat_as *as);
