/* Memory calls: argument checks, then the memory manager. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../sentry/kernel/task.h"
#include "../sentry/mm/mm.h"
#include "../vfs/fs/tmpfs/tmpfs.h"
#include "../vfs/vfs.h"
#include "syscalls.h"

/* Backs MAP_SHARED|MAP_ANONYMOUS memory: each mapping is an unnamed tmpfs file. */
/* The hidden tmpfs behind MAP_SHARED|MAP_ANONYMOUS: made on first use; its files are nameless. */
static struct super *shm_sb;

/* RLIMIT_AS: would len more bytes of address space exceed it? */
static int over_as_limit(struct task *t, uint64_t len)
{
	uint64_t lim = t->tg->rlim[RLIMIT_AS].rlim_cur;

	return lim != RLIM_INFINITY && mm_total_bytes(t->mm) + ABI_PAGE_ALIGN(len) > lim;
}

/*
 * Linux's heuristic overcommit (vm.overcommit_memory 0): one private writable
 * mapping (or brk growth) larger than the machine's memory is refused with
 * ENOMEM; the sandbox's machine is its --memory.  Smaller ones succeed and
 * meet the limit when touched (the OOM killer).
 */
static int overcommits(uint64_t len, int prot, int flags)
{
	return !(flags & (MAP_SHARED | MAP_NORESERVE)) && (prot & PROT_WRITE) && ABI_PAGE_ALIGN(len) > sandbox.memory;
}

SYSCALL(brk)
{
	if (a[0] > t->mm->brk && (over_as_limit(t, a[0] - t->mm->brk) ||
				  overcommits(a[0] - t->mm->brk, PROT_WRITE, MAP_PRIVATE)))
		return (long)t->mm->brk;
	return mm_brk(t->mm, a[0]);
}

#define MAP_KNOWN                                                                                          \
	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_GROWSDOWN | MAP_DENYWRITE |   \
	 MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |             \
	 MAP_HUGETLB | MAP_SYNC | MAP_FIXED_NOREPLACE | (0x3fU << MAP_HUGE_SHIFT))

/* A memfd sealed against writes (F_SEAL_WRITE or F_SEAL_FUTURE_WRITE). */
static int write_sealed(struct inode *ino)
{
	unsigned *seals = tmpfs_seals(ino);

	return seals && (*seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE));
}

SYSCALL(mmap)
{
	gva_t addr = a[0];
	uint64_t len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3], fd = (int)a[4], maxprot = 7;
	struct inode *ino = NULL;
	struct file *f = NULL;
	long r;

	/* Linux's order: the offset's alignment, then the fd, then the rest (LTP's mmap08: EBADF with a length of 0). */
	if (off & (ABI_PAGE_SIZE - 1))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fdt_get(t->files, fd)))
		return -EBADF;
	switch (flags & MAP_TYPE) {
	case MAP_PRIVATE:
	case MAP_SHARED:
		break;
	case MAP_SHARED_VALIDATE:
		/* MAP_SYNC needs a DAX file, and no sandbox file is one. */
		if ((flags & ~MAP_KNOWN) || (flags & MAP_SYNC)) {
			r = -EOPNOTSUPP;
			goto out;
		}
		flags = (flags & ~MAP_TYPE) | MAP_SHARED;
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	if (len == 0 || (flags & MAP_HUGETLB)) {
		r = -EINVAL; /* no huge pages in the sandbox */
		goto out;
	}
	if (over_as_limit(t, len) || overcommits(len, prot, flags)) {
		r = -ENOMEM;
		goto out;
	}
	prot &= PROT_READ | PROT_WRITE | PROT_EXEC;
	if (f) {
		if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY) {
			r = (f->flags & O_PATH) ? -EBADF : -EACCES;
			goto out;
		}
		if (S_ISCHR(f->inode->mode) && major(f->inode->rdev) == 1 && minor(f->inode->rdev) == 5) {
			/*
			 * /dev/zero: anonymous memory by another name.  Shared, it is
			 * writable only through an fd open for writing (Linux's
			 * VM_MAYWRITE), now or by a later mprotect (LTP's mprotect01).
			 */
			flags |= MAP_ANONYMOUS;
			if ((flags & MAP_SHARED) && (f->flags & O_ACCMODE) != O_RDWR) {
				if (prot & PROT_WRITE) {
					r = -EACCES;
					goto out;
				}
				maxprot = PROT_READ | PROT_EXEC;
			}
		} else if (!S_ISREG(f->inode->mode) || !f->inode->iops || !f->inode->iops->fill) {
			r = -ENODEV;
			goto out;
		} else {
			ino = f->inode;
			if (flags & MAP_SHARED) {
				maxprot = PROT_READ | PROT_EXEC;
				if ((f->flags & O_ACCMODE) == O_RDWR)
					maxprot |= PROT_WRITE;
				if ((maxprot & PROT_WRITE) && f->inode->iops->map_shared_write &&
				    (r = f->inode->iops->map_shared_write(f->inode)) < 0) {
					/* The file system cannot write such pages back. */
					if (prot & PROT_WRITE)
						goto out;
					maxprot &= ~PROT_WRITE;
				}
				if (!f->inode->iops->getpage) {
					/* Shared mappings of files we cannot share pages of yet: only reading. */
					if (prot & PROT_WRITE) {
						r = -EACCES;
						goto out;
					}
					flags = (flags & ~MAP_SHARED) | MAP_PRIVATE;
					maxprot = PROT_READ | PROT_EXEC;
				}
				if (prot & ~maxprot) {
					r = -EACCES;
					goto out;
				}
				if (write_sealed(ino)) {
					/* No writable shared mapping, not even by a later mprotect (EACCES). */
					if (prot & PROT_WRITE) {
						r = -EPERM;
						goto out;
					}
					maxprot &= ~PROT_WRITE;
				}
			}
		}
	}
	if ((flags & MAP_ANONYMOUS) && (flags & MAP_SHARED)) {
		if (!shm_sb && !(shm_sb = tmpfs_anon_super(sandbox.memory))) {
			r = -ENOMEM;
			goto out;
		}
		ino = tmpfs_anon_file(shm_sb, ABI_PAGE_ALIGN(len));
		if (!ino) {
			r = -ENOMEM;
			goto out;
		}
		off = 0;
		r = mm_mmap(t->mm, addr, len, prot, flags, ino, off, maxprot);
		inode_put(ino);
		goto out;
	}
	if (flags & MAP_ANONYMOUS)
		off = 0;
	r = mm_mmap(t->mm, addr, len, prot, flags, (flags & MAP_ANONYMOUS) ? NULL : ino, off, maxprot);
	if (r >= 0 && (t->mm->lock_future || (flags & MAP_LOCKED)))
		mm_mlock(t->mm, (gva_t)r, ABI_PAGE_ALIGN(len), MM_MLOCK | MM_MLOCK_POPULATE);
	if (r >= 0 && ino && (f->path.d || (f->ops && f->ops->show_name))) {
		char name[ABI_PATH_MAX];

		if ((f->path.d ? vfs_path_string(t, &f->path, name, sizeof(name)) : f->ops->show_name(f, name, sizeof(name))) > 0)
			mm_set_name(t->mm, (gva_t)r, (gva_t)r + ABI_PAGE_ALIGN(len), name);
	}
out:
	if (f)
		file_put(f);
	return r;
}

SYSCALL(munmap) { return mm_munmap(t->mm, a[0], a[1]); }

/* remap_file_pages: deprecated, and emulated by a new mapping as Linux does; flags other than MAP_NONBLOCK are ignored. */
SYSCALL(remap_file_pages)
{
	gva_t start = a[0] & ~(uint64_t)(ABI_PAGE_SIZE - 1);
	uint64_t size = a[1] & ~(uint64_t)(ABI_PAGE_SIZE - 1), pgoff = a[3];

	if (a[2])
		return -EINVAL; /* prot must be 0 */
	if (start + size <= start || pgoff + (size >> 12) < pgoff)
		return -EINVAL;
	return mm_remap_file_pages(t->mm, start, size, pgoff);
}
SYSCALL(mprotect) { return mm_mprotect(t->mm, a[0], a[1], (int)a[2]); }
SYSCALL(mremap)
{
	if (a[2] > a[1] && over_as_limit(t, a[2] - a[1]))
		return -ENOMEM;
	return mm_mremap(t->mm, a[0], a[1], a[2], (int)a[3], a[4]);
}
SYSCALL(madvise) { return mm_madvise(t->mm, a[0], a[1], (int)a[2]); }

SYSCALL(msync)
{
	if (a[0] & (ABI_PAGE_SIZE - 1))
		return -EINVAL;
	if (a[2] & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if ((a[2] & MS_ASYNC) && (a[2] & MS_SYNC))
		return -EINVAL;
	/* Shared pages are the backing object's own frames; host files behind them get them written back. */
	return mm_msync(t->mm, a[0], a[1]);
}

/*
 * mlock(2) and friends.  The sandbox never swaps, so a lock changes no
 * page's fate; it is kept on the mappings for what Linux shows and
 * enforces: RLIMIT_MEMLOCK (without CAP_IPC_LOCK), VmLck in status,
 * Locked in smaps, pages made present, no inheritance across fork.
 */
static long can_mlock(struct task *t)
{
	return t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur || capable(t, CAP_IPC_LOCK) ? 0 : -EPERM;
}

static long do_mlock(struct task *t, gva_t start, uint64_t len, int onfault)
{
	uint64_t lim = t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur, locked;
	long r = can_mlock(t);

	if (r < 0)
		return r;
	len = ABI_PAGE_ALIGN(len + (start & (ABI_PAGE_SIZE - 1))); /* wraps as Linux's PAGE_ALIGN */
	start &= ~(gva_t)(ABI_PAGE_SIZE - 1);
	/* Pages already locked in the range do not count twice. */
	locked = mm_locked_bytes(t->mm, 0, UINT64_MAX) + len;
	if (start + len >= start)
		locked -= mm_locked_bytes(t->mm, start, start + len);
	if (lim != RLIM_INFINITY && locked > lim && !capable(t, CAP_IPC_LOCK))
		return -ENOMEM;
	r = mm_mlock(t->mm, start, len, MM_MLOCK | (onfault ? 0 : MM_MLOCK_POPULATE));
	return r == -EFAULT ? -ENOMEM : r; /* a failed populate, as Linux's __mlock_posix_error_return */
}

SYSCALL(mlock) { return do_mlock(t, a[0], a[1], 0); }

SYSCALL(mlock2)
{
	if (a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t, a[0], a[1], (int)a[2] & MLOCK_ONFAULT);
}

SYSCALL(munlock)
{
	gva_t start = a[0];
	uint64_t len = a[1];

	len = ABI_PAGE_ALIGN(len + (start & (ABI_PAGE_SIZE - 1)));
	start &= ~(gva_t)(ABI_PAGE_SIZE - 1);
	return mm_mlock(t->mm, start, len, 0);
}

/* Every mapping, locked or not; the mm's VMAs are sorted, so one pass. */
static void lock_all(struct mm *mm, int lock)
{
	size_t i = 0;

	while (i < mm->nvmas) {
		gva_t start = mm->vmas[i].start, end = mm->vmas[i].end;

		/* Contiguous runs at once: mm_mlock merges and splits, so the index is looked up again. */
		while (i + 1 < mm->nvmas && mm->vmas[i + 1].start == end)
			end = mm->vmas[++i].end;
		mm_mlock(mm, start, end - start, lock ? MM_MLOCK | MM_MLOCK_POPULATE : 0); /* errors ignored, as Linux's */
		for (i = 0; i < mm->nvmas && mm->vmas[i].start < end; i++)
			;
	}
}

SYSCALL(mlockall)
{
	uint64_t lim = t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur;
	int flags = (int)a[0];
	long r;

	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	r = can_mlock(t);
	if (r < 0)
		return r;
	if ((flags & MCL_CURRENT) && lim != RLIM_INFINITY && mm_total_bytes(t->mm) > lim && !capable(t, CAP_IPC_LOCK))
		return -ENOMEM;
	t->mm->lock_future = !!(flags & MCL_FUTURE);
	if (flags & MCL_CURRENT)
		lock_all(t->mm, 1);
	return 0;
}

SYSCALL(munlockall)
{
	(void)a;
	t->mm->lock_future = 0;
	lock_all(t->mm, 0);
	return 0;
}

SYSCALL(mincore)
{
	uint64_t n, i;
	unsigned char v[256];

	if (a[0] & (ABI_PAGE_SIZE - 1))
		return -EINVAL;
	if (!mm_range_mapped(t->mm, a[0], a[1]))
		return -ENOMEM; /* beyond user space, or a page of it not mapped */
	n = ABI_PAGE_ALIGN(a[1]) / ABI_PAGE_SIZE;
	/* Report every page resident: the sandbox never swaps. */
	for (i = 0; i < sizeof(v); i++)
		v[i] = 1;
	for (i = 0; i < n; i += sizeof(v)) {
		uint64_t c = n - i < sizeof(v) ? n - i : sizeof(v);

		if (mm_copy_out(t->mm, a[2] + i, v, c) < 0)
			return -EFAULT;
	}
	return 0;
}

/*
 * process_vm_readv/writev: bytes between the caller's memory and another
 * process's, allowed as ptrace attach would be (task_may_access; EPERM).
 * The remote iovecs are walked in order a page at a time; a fault on
 * either side ends the transfer, which returns what moved before it
 * (-EFAULT when nothing did), as Linux does.
 */

static long get_iovecs(struct task *t, gva_t p, uint64_t n, struct iovec **out)
{
	struct iovec *v;
	uint64_t i, total = 0;

	*out = NULL;
	if (n > UIO_MAXIOV)
		return -EINVAL;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (mm_copy_in(t->mm, v, p, n * sizeof(*v)) < 0) {
		free(v);
		return -EFAULT;
	}
	for (i = 0; i < n; i++) {
		if ((int64_t)v[i].iov_len < 0 || total + v[i].iov_len < total) {
			free(v);
			return -EINVAL;
		}
		total += v[i].iov_len;
	}
	*out = v;
	return 0;
}

static long process_vm_rw(struct task *t, const uint64_t *a, int write)
{
	struct iovec *lv = NULL, *rv = NULL;
	uint64_t ln = a[2], rn = a[4], li = 0, loff = 0, ri, total = 0, want = 0;
	struct task *x;
	struct mm *rmm;
	char buf[4096];
	long r;

	if (a[5])
		return -EINVAL;
	r = get_iovecs(t, a[1], ln, &lv);
	if (r < 0)
		return r;
	for (ri = 0; ri < ln; ri++)
		want += lv[ri].iov_len;
	if (!want)
		goto out;
	r = get_iovecs(t, a[3], rn, &rv);
	if (r < 0)
		goto out;
	for (ri = 0, want = 0; ri < rn; ri++)
		want += rv[ri].iov_len;
	r = 0;
	if (!want)
		goto out;
	x = task_find_vnr(t, (int)a[0]);
	if (!x || !x->mm) {
		r = -ESRCH;
		goto out;
	}
	r = task_may_access(t, x);
	if (r < 0)
		goto out;
	rmm = x->mm;
	for (ri = 0; ri < rn && li < ln; ri++) {
		uint64_t roff = 0;

		while (roff < rv[ri].iov_len && li < ln) {
			gva_t ra = (gva_t)rv[ri].iov_base + roff, la = (gva_t)lv[li].iov_base + loff;
			uint64_t n = rv[ri].iov_len - roff;

			if (n > lv[li].iov_len - loff)
				n = lv[li].iov_len - loff;
			/* Page by page on both sides, so a fault leaves what came before it copied. */
			if (n > ABI_PAGE_SIZE - (ra & (ABI_PAGE_SIZE - 1)))
				n = ABI_PAGE_SIZE - (ra & (ABI_PAGE_SIZE - 1));
			if (n > ABI_PAGE_SIZE - (la & (ABI_PAGE_SIZE - 1)))
				n = ABI_PAGE_SIZE - (la & (ABI_PAGE_SIZE - 1));
			if (n > sizeof(buf))
				n = sizeof(buf);
			if (write ? mm_copy_in(t->mm, buf, la, n) < 0 || mm_copy_out(rmm, ra, buf, n) < 0
				  : mm_copy_in(rmm, buf, ra, n) < 0 || mm_copy_out(t->mm, la, buf, n) < 0) {
				r = total ? (long)total : -EFAULT;
				goto out;
			}
			total += n;
			roff += n;
			loff += n;
			if (loff == lv[li].iov_len) {
				li++;
				loff = 0;
			}
		}
	}
	r = (long)total;
out:
	free(lv);
	free(rv);
	return r;
}

SYSCALL(process_vm_readv) { return process_vm_rw(t, a, 0); }
SYSCALL(process_vm_writev) { return process_vm_rw(t, a, 1); }
