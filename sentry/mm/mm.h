/*
 * The memory manager: the truth about an application address space.
 *
 * A struct mm holds the VMAs (sorted, non-overlapping ranges with their
 * protection and backing) and a page table from guest page to memory-file
 * frame.  The platform address space only mirrors it: pages are populated
 * on fault (or when the sentry copies to them) and then mapped through the
 * platform.  Guest memory is touched by the sentry only through the
 * mm_copy_* and mm_pin functions here, which check every address against
 * the VMAs and return -EFAULT as Linux would.
 *
 * Locking: the sentry lock protects everything here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "../../include/abi/abi.h"

struct inode;
struct plat_as;

enum {
	VMA_SHARED = 1 << 0,  /* MAP_SHARED: frames belong to the backing object */
	VMA_ANON = 1 << 1,    /* no file behind it (private: zero-filled) */
	VMA_HEAP = 1 << 2,    /* the brk area, "[heap]" */
	VMA_STACK = 1 << 3,   /* the main stack, "[stack]" */
	VMA_GROWSDOWN = 1 << 4,
	VMA_LOCKED = 1 << 5,  /* mlock: its pages stay present (VmLck, Locked in smaps) */
	VMA_WIPEONFORK = 1 << 6, /* MADV_WIPEONFORK: a child gets it zero-filled */
	VMA_DONTFORK = 1 << 7,   /* MADV_DONTFORK: a child does not get it */
	/*
	 * A private file mapping the platform maps from the host's page cache
	 * (as_map_file), without PROT_WRITE: where no page is present, the
	 * host's pages show through.  Whatever changes the mapping as a whole
	 * (munmap, mprotect) unmaps all of it on the host, not only the
	 * present pages; mprotect then drops the host's mapping for good: the
	 * pages come by faults, as for any private file mapping.  A child of
	 * fork gets it again (mm_attach).
	 */
	VMA_HOSTMAP = 1 << 8,
};

/*
 * Pages the sentry provides itself (the vDSO and its data page): every
 * address space that maps one maps the same frames, copy-on-write.  The
 * owner keeps a reference on each frame for the sandbox's life.
 */
struct mm_special {
	const char *name;         /* for /proc/PID/maps: "[vdso]" */
	const uint64_t *frames;   /* memory-file frames, one per page */
	size_t npages;
};

struct vma {
	gva_t start, end;
	int prot;             /* PROT_READ|WRITE|EXEC as the application asked */
	int maxprot;          /* what the backing file allows (mprotect's EACCES) */
	int flags;            /* VMA_* */
	struct inode *inode;  /* backing object with a reference, or NULL */
	uint64_t off;         /* file offset of start */
	char *name;           /* the mapped file's path, for /proc/pid/maps (owned) */
	const struct mm_special *special; /* sentry pages (off indexes them), or NULL */
};

/*
 * vm.max_map_count, as Linux's default (and /proc/sys/vm/max_map_count):
 * mmap, and the splits of mprotect, munmap and mremap, give ENOMEM past it.
 * Adjacent mappings of the same kind are merged, as Linux merges them, so
 * they count once.
 */
#define MM_MAX_MAP_COUNT 65530

/*
 * vm.mmap_min_addr: nothing is mapped below it.  A fixed mapping there is
 * EPERM, as for root in a container (the capability that lifts it counts
 * only in the host's user namespace); a hint there is ignored.  The host
 * refuses such a mapping to the stubs anyway.
 */
#define MM_MIN_ADDR 65536

struct path;

struct mm {
	struct plat_as *as;
	struct vma *vmas;     /* sorted by start */
	size_t nvmas, capvmas;
	void *pt;             /* page table root (mm.c) */
	gva_t limit;          /* highest address + 1 */
	gva_t mmap_base;      /* top-down search starts here */
	gva_t brk_start, brk;
	gva_t stack_top;
	gva_t arg_start, arg_end, env_start, env_end;
	gva_t auxv_start;     /* the auxiliary vector exec put on the stack (/proc/PID/auxv) */
	uint64_t auxv_len;    /* its bytes, AT_NULL's pair included */
	uint64_t rss_pages;
	int refs;
	struct mm *all_next, *all_prev; /* every live mm (for mm_file_shrunk) */
	struct path *exe;     /* the program exec'd, held (Linux's mm->exe_file), or NULL */
	struct inode *exe_ino; /* its inode, held with writes to it denied (ETXTBSY) while mm lives */
	int lock_future;      /* mlockall(MCL_FUTURE): new mappings are locked */
	int membarrier;       /* MEMBARRIER_CMD_REGISTER_* done (bits of the registered commands) */
	int aio;              /* it has Linux AIO contexts (syscalls/sys_aio.c): mm_aio_exit when it goes */
};

/* Set by the AIO code at start-up: frees mm's AIO contexts (called from mm_put). */
extern void (*mm_aio_exit)(struct mm *mm);

/* Sets mm's program to p (held anew), or none; returns 0 or -ENOMEM. */
long mm_set_exe(struct mm *mm, const struct path *p);

/* A new empty address space on the current platform, or NULL. */
struct mm *mm_create(int *err);
void mm_put(struct mm *mm);

/*
 * mmap(2) without the file-descriptor part: inode is NULL for anonymous
 * memory.  Returns the address or -errno.  Arguments are checked as Linux does.
 */
long mm_mmap(struct mm *mm, gva_t addr, uint64_t len, int prot, int flags, struct inode *inode, uint64_t off,
	     int maxprot);
long mm_munmap(struct mm *mm, gva_t addr, uint64_t len);
/* remap_file_pages(2) on a shared file mapping (the syscall's arguments checked): 0 or -errno. */
long mm_remap_file_pages(struct mm *mm, gva_t start, uint64_t size, uint64_t pgoff);
/*
 * Maps sp's pages at addr (replacing what was there, as MAP_FIXED) with
 * protection prot, which mprotect may raise up to maxprot; a write gets a
 * private copy of the page.  Unmapping, mremap and fork work as for any
 * private mapping.  Returns 0 or -errno.
 */
long mm_map_special(struct mm *mm, gva_t addr, const struct mm_special *sp, int prot, int maxprot);
long mm_mprotect(struct mm *mm, gva_t addr, uint64_t len, int prot);
long mm_mremap(struct mm *mm, gva_t old, uint64_t oldlen, uint64_t newlen, int flags, gva_t newaddr);
long mm_madvise(struct mm *mm, gva_t addr, uint64_t len, int advice);
/*
 * The file ino shrank to size: every mapping of it, in every address
 * space, loses its pages past the new end, so that touching them raises
 * SIGBUS as on Linux (private copies of those pages go too).
 */
void mm_file_shrunk(struct inode *ino, uint64_t size);
/*
 * Does any address space map ino shared with write allowed, now or after an
 * mprotect (Linux's VM_SHARED|VM_MAYWRITE)?  F_SEAL_WRITE is refused then.
 */
int mm_inode_mapped_writable(struct inode *ino);
long mm_brk(struct mm *mm, gva_t newbrk);

/*
 * What the memory manager asks of the files it maps: vfs/ is above it, so
 * the VFS provides these at start-up (vfs_mm_file_ops) instead of mm
 * calling it by name.  get/put hold a vma's reference on its inode; getpage
 * gives the memory-file frame of a page of a file that keeps its pages
 * there (tmpfs, shared mappings), fill reads a page for a private copy.
 */
struct mm_file_ops {
	void (*get)(struct inode *ino);
	void (*put)(struct inode *ino);
	long (*getpage)(struct inode *ino, uint64_t off, uint64_t *frame);
	long (*fill)(struct inode *ino, uint64_t off, void *buf, size_t len);
	/* A host fd a private mapping of ino may be mapped from by the platform (as_map_file), or -1. */
	int (*host_map_fd)(struct inode *ino);
	void (*path_get)(struct path *p); /* for mm->exe; NULL: no program is kept */
	void (*path_put)(struct path *p);
	/*
	 * A running program's file: hold ino (or p's inode when ino is NULL)
	 * with writes to it refused (ETXTBSY) until exe_release.
	 */
	struct inode *(*exe_hold)(const struct path *p, struct inode *ino);
	void (*exe_release)(struct inode *ino);
};
extern const struct mm_file_ops *mm_file_ops;
/* Names the file mapped at [start,end) (for /proc/pid/maps). */
void mm_set_name(struct mm *mm, gva_t start, gva_t end, const char *name);
/* Labels [start,end) with VMA_HEAP/VMA_STACK (for /proc/self/maps). */
void mm_set_flags(struct mm *mm, gva_t start, gva_t end, int flags);

/*
 * A fault below a MAP_GROWSDOWN mapping: the mapping grows down to addr's
 * page (0), unless that comes within the guard gap of the mapping below
 * or makes it longer than limit (RLIMIT_STACK) bytes (-ENOMEM), or addr is
 * below no such mapping (-EFAULT).  Linux's expand_stack.
 */
long mm_grow_stack(struct mm *mm, gva_t addr, uint64_t limit);
/*
 * Resolves a fault the platform reported at addr.  Returns 0 when the
 * application may retry, the si_code of the SIGSEGV it deserves
 * (SEGV_MAPERR, SEGV_ACCERR), or MM_FAULT_OOM.  stale: the host mappings
 * changed since the faulting thread entered, so a present page may simply
 * not have been mapped yet when it was touched.  unmapped: the platform
 * found no mapping there (SEGV_MAPERR); a present page is then mapped
 * again, as the platform may drop its mappings (plat->as_map's contract).
 * write: the access is known to be a write (0: a read, or not known), so
 * a copy-on-write page is made private at once, not on a second fault.
 */
int mm_fault(struct mm *mm, gva_t addr, int stale, int unmapped, int write);
#define MM_FAULT_OOM (-1)    /* mm_fault: the sandbox's memory is full */
#define MM_FAULT_SIGBUS (-2) /* mm_fault: a file page past the file's end, or a shared tmpfs page that does not fit (BUS_ADRERR) */

/*
 * Linux's access_ok(): the range lies below the top of user space (it may
 * still be unmapped).  read(2) and write(2) check it on the length asked for,
 * before capping it.
 */
static inline int mm_access_ok(gva_t va, uint64_t len)
{
	const uint64_t top = 0x7ffffffff000ULL; /* TASK_SIZE_MAX on x86-64 */

	return len <= top && va <= top - len;
}

/* 0, or -EFAULT if any byte of the range is not accessible. */
long mm_copy_in(struct mm *mm, void *dst, gva_t src, size_t len);
long mm_copy_out(struct mm *mm, gva_t dst, const void *src, size_t len);
long mm_zero_out(struct mm *mm, gva_t dst, size_t len);
/*
 * A debugger's access to another address space (ptrace's PEEK/POKE,
 * /proc/PID/mem): len bytes at va to or from buf, past the protection as
 * Linux's FOLL_FORCE (a write to read-only private memory, a breakpoint,
 * gets a private copy).  The bytes done (short at an unmapped page), or
 * -EIO when not even the first one could be.
 */
long mm_access_force(struct mm *mm, gva_t va, void *buf, size_t len, int write);
/* Copies a NUL-terminated string of at most max bytes with the NUL: length, -EFAULT or -ENAMETOOLONG. */
long mm_strncpy_in(struct mm *mm, char *dst, gva_t src, size_t max);

/*
 * Translates [va, va+len) into up to max sentry spans (iovecs pointing into
 * the memory file), populating pages as a copy would.  Returns the number
 * of spans, or -EFAULT if the first byte is not accessible; a later bad
 * page ends the list early (the caller transfers what it got, as Linux
 * returns a short count).  Spans stay valid while the sentry lock is held.
 */
int mm_pin(struct mm *mm, gva_t va, size_t len, int write, struct iovec *out, int max, size_t *pinned);

/*
 * What of [start,end) is backed by frames now (/proc/PID/smaps): pages, of
 * them those whose frame is shared (with another mapping, a fork, the page
 * cache), and the proportional share in bytes.
 */
struct mm_resident {
	uint64_t pages, shared, pss_bytes;
};
void mm_resident(struct mm *mm, gva_t start, gva_t end, struct mm_resident *r);
/* Writes the /proc/self/maps text for mm into buf; returns its length. */
size_t mm_format_maps(struct mm *mm, char *buf, size_t size);

/*
 * fork: a copy of mm that shares every private page copy-on-write (shared
 * pages stay shared).  The parent's mirror loses write on those pages at
 * once; the copy has no platform address space until mm_attach().
 */
struct mm *mm_fork(struct mm *parent, int *err);
/* Gives a forked mm its platform address space, created by (and traced from) the calling thread. */
int mm_attach(struct mm *mm);

/*
 * The memory-file frame behind va if it lies in a MAP_SHARED mapping
 * (shared futexes): 0, -EINVAL for a private mapping, -EFAULT for none.
 */
long mm_shared_frame(struct mm *mm, gva_t va, uint64_t *frame);
/* A sentry pointer to the writable, aligned 32-bit word at va, or NULL (FUTEX_WAKE_OP's atomics). */
uint32_t *mm_user_word(struct mm *mm, gva_t va);

/*
 * msync: the files behind MAP_SHARED mappings in [start, start + len) write
 * back what the mappings changed (iops->writeback).  ENOMEM if part of the
 * range is unmapped, as Linux; the first write-back error otherwise.
 */
long mm_msync(struct mm *mm, gva_t start, uint64_t len);
/* Is every page of [start, start+len) mapped (mincore's ENOMEM otherwise)?  An empty range is. */
int mm_range_mapped(struct mm *mm, gva_t start, uint64_t len);

/*
 * mlock/munlock on [addr, addr + len) (page-aligned by the caller): every
 * mapping there is marked locked (how has MM_MLOCK) or not, split at the
 * ends, up to the first hole, which is -ENOMEM (as Linux: what came before
 * it stays changed); -EINVAL if the range wraps.  With MM_MLOCK_POPULATE
 * locked readable pages are made present, and a PROT_NONE mapping is
 * -EFAULT.  fork's copy keeps the marks: the caller clears them (locks are
 * not inherited).
 */
#define MM_MLOCK 1
#define MM_MLOCK_POPULATE 2
long mm_mlock(struct mm *mm, gva_t addr, uint64_t len, int how);
/* Bytes of [start, end) in locked mappings (RLIMIT_MEMLOCK, VmLck). */
uint64_t mm_locked_bytes(struct mm *mm, gva_t start, gva_t end);

/* Bytes of address space mapped (RLIMIT_AS). */
uint64_t mm_total_bytes(struct mm *mm);
