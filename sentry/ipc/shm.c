/*
 * System V shared memory (shmget(2), shmat(2), shmctl(2)).
 *
 * A segment is a nameless tmpfs file of its size; shmat maps it MAP_SHARED
 * as mmap would, so every attach, in any process, shares its frames, fork
 * keeps the attaches (shared mappings stay shared) and exec and exit drop
 * them with the address space.  Each mapping of the segment holds a
 * reference on the file, and the segment one more: its number of attaches
 * (shm_nattch) is the file's references less one, as Linux counts a
 * segment's VMAs.  A segment removed (IPC_RMID) while attached lives on,
 * keyed IPC_PRIVATE and marked SHM_DEST, until the last attach goes; that
 * is noticed at shmdt, at a process's exit, and at any System V shared
 * memory call (where cvisor differs from Linux, which frees it at the very
 * unmap: after a munmap or an exec the pages stay charged a little longer).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include "../../include/abi/ipc.h"
#include "../../vfs/fs/proc/proc.h"
#include "../../vfs/fs/tmpfs/tmpfs.h"
#include "../../vfs/vfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "ipc.h"

struct shm_seg {
	struct ipc_obj o;
	uint64_t size;        /* bytes asked for */
	struct inode *ino;    /* its pages: a reference */
	int64_t atime, dtime, ctime;
	int cpid, lpid;
};

static struct super *shm_sb; /* every namespace's segments' files */

#define SHM_PAGES(size) (ABI_PAGE_ALIGN(size) / ABI_PAGE_SIZE)

static uint64_t nattch(const struct shm_seg *s)
{
	return (uint64_t)s->ino->refs - 1;
}

static void destroy(struct shm_seg *s)
{
	ipc_remove(&s->o.ns->shm_ids, &s->o);
	s->o.ns->shm_tot -= SHM_PAGES(s->size);
	inode_put(s->ino);
	free(s);
}

/* Every namespace's: a segment attached in one may be detached by a process that has since left it. */
void ipc_shm_reap(void)
{
	struct ipc_ns *ns;
	int i, gone = 0;

	for (ns = ipc_ns_all(); ns; ns = ns->next)
		for (i = 0; i < ns->shm_ids.cap; i++) {
			struct shm_seg *s = (struct shm_seg *)ns->shm_ids.slot[i];

			if (s && (s->o.mode & SHM_DEST) && nattch(s) == 0) {
				destroy(s);
				gone |= ns->dead;
			}
		}
	if (gone)
		ipc_ns_gc();
}

/* IPC_RMID of every segment (Linux's shm_exit_ns): the attached ones live on until their last detach. */
void ipc_shm_ns_exit(struct ipc_ns *ns)
{
	int i;

	for (i = 0; i < ns->shm_ids.cap; i++) {
		struct shm_seg *s = (struct shm_seg *)ns->shm_ids.slot[i];

		if (!s)
			continue;
		if (nattch(s) == 0) {
			destroy(s);
		} else {
			s->o.mode |= SHM_DEST;
			s->o.key = IPC_PRIVATE;
		}
	}
}

static struct shm_seg *seg_of(struct ipc_ns *ns, int id)
{
	return (struct shm_seg *)ipc_obtain(&ns->shm_ids, id);
}

static struct shm_seg *seg_of_inode(const struct inode *ino)
{
	struct ipc_ns *ns;
	int i;

	for (ns = ipc_ns_all(); ino && ns; ns = ns->next)
		for (i = 0; i < ns->shm_ids.cap; i++)
			if (ns->shm_ids.slot[i] && ((struct shm_seg *)ns->shm_ids.slot[i])->ino == ino)
				return (struct shm_seg *)ns->shm_ids.slot[i];
	return NULL;
}

static long newseg(struct task *t, int32_t key, int flg, void *arg)
{
	uint64_t size = *(uint64_t *)arg, pages = SHM_PAGES(size);
	struct ipc_ns *ns = ipc_ns_of(t);
	struct shm_seg *s;
	int r;

	if (size < 1 || size > ns->limits.shmmax)
		return -EINVAL;
	if (pages * ABI_PAGE_SIZE < size)
		return -ENOSPC;
	if (ns->shm_tot + pages < ns->shm_tot || ns->shm_tot + pages > ns->limits.shmall)
		return -ENOSPC;
	if (flg & SHM_HUGETLB)
		return -EINVAL; /* no huge pages in the sandbox (as a kernel with none reserved) */
	if (size > INT64_MAX)
		return -EINVAL; /* past the largest file size */
	/* Linux's heuristic overcommit, as for mmap: more than the sandbox's memory is refused. */
	if (!(flg & SHM_NORESERVE) && pages * ABI_PAGE_SIZE > sandbox.memory)
		return -ENOMEM;
	if (!shm_sb && !(shm_sb = tmpfs_anon_super(sandbox.memory)))
		return -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->ino = tmpfs_anon_file(shm_sb, pages * ABI_PAGE_SIZE);
	if (!s->ino) {
		free(s);
		return -ENOMEM;
	}
	s->ino->mode = S_IFREG | ((uint32_t)flg & 0777);
	ipc_init_perm(t, &s->o, key, flg);
	s->size = size;
	s->cpid = task_tgid(t);
	s->ctime = ipc_now();
	r = ipc_add(&ns->shm_ids, &s->o, ns->limits.shmmni);
	if (r < 0) {
		inode_put(s->ino);
		free(s);
		return r;
	}
	ns->shm_tot += pages;
	return s->o.id;
}

static int more_checks(struct ipc_obj *o, void *arg)
{
	return ((struct shm_seg *)o)->size < *(uint64_t *)arg ? -EINVAL : 0;
}

long ipc_shmget(struct task *t, int32_t key, uint64_t size, int flg)
{
	ipc_shm_reap();
	return ipc_get(t, &ipc_ns_of(t)->shm_ids, key, flg, newseg, more_checks, &size);
}

long ipc_shmat(struct task *t, int id, gva_t addr, int flg)
{
	int prot = PROT_READ | PROT_WRITE, acc = 0666, maxprot = PROT_READ | PROT_WRITE | PROT_EXEC;
	int mflags = MAP_SHARED;
	struct shm_seg *s;
	char name[64];
	long r;

	ipc_shm_reap();
	if (addr) {
		if (addr & (ABI_PAGE_SIZE - 1)) {
			if (!(flg & SHM_RND))
				return -EINVAL;
			addr &= ~(gva_t)(ABI_PAGE_SIZE - 1); /* SHMLBA is a page on x86-64 */
			if (!addr && (flg & SHM_REMAP))
				return -EINVAL;
		}
		mflags |= MAP_FIXED;
	} else if (flg & SHM_REMAP) {
		return -EINVAL;
	}
	if (flg & SHM_RDONLY) {
		prot = PROT_READ;
		acc = 0444;
		maxprot = PROT_READ | PROT_EXEC;
	}
	if (flg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= 0111;
	}
	s = seg_of(ipc_ns_of(t), id);
	if (!s)
		return -EINVAL;
	if (ipc_perms(t, &s->o, acc) < 0)
		return -EACCES;
	if (addr && !(flg & SHM_REMAP)) {
		size_t i;

		if (addr + s->size < addr)
			return -EINVAL;
		for (i = 0; i < t->mm->nvmas; i++)
			if (t->mm->vmas[i].start < ABI_PAGE_ALIGN(addr + s->size) && t->mm->vmas[i].end > addr)
				return -EINVAL;
	}
	/* RLIMIT_AS, as for any mapping (a SHM_REMAP attach may replace some: Linux counts only the growth). */
	if (t->tg->rlim[RLIMIT_AS].rlim_cur != RLIM_INFINITY && !(flg & SHM_REMAP) &&
	    mm_total_bytes(t->mm) + ABI_PAGE_ALIGN(s->size) > t->tg->rlim[RLIMIT_AS].rlim_cur)
		return -ENOMEM;
	r = mm_mmap(t->mm, addr, s->size, prot, mflags, s->ino, 0, maxprot);
	if (r < 0)
		return r;
	/* What Linux's maps shows for the segment's file. */
	snprintf(name, sizeof(name), "/SYSV%08x (deleted)", (unsigned)s->o.key);
	mm_set_name(t->mm, (gva_t)r, (gva_t)r + ABI_PAGE_ALIGN(s->size), name);
	s->atime = ipc_now();
	s->lpid = task_tgid(t);
	return r;
}

/*
 * shmdt as Linux's: the first mapping of a segment at or above addr whose
 * file offset matches its distance from addr is the attach; it and every
 * other piece of the same attach (mprotect and munmap may have split it)
 * within the segment's size from addr go.
 */
long ipc_shmdt(struct task *t, gva_t addr)
{
	struct mm *mm = t->mm;
	struct inode *ino = NULL;
	struct shm_seg *s = NULL;
	uint64_t size = 0;
	size_t i;
	long r = -EINVAL;

	if (addr & (ABI_PAGE_SIZE - 1))
		return -EINVAL;
	for (i = 0; i < mm->nvmas; i++) {
		struct vma *v = &mm->vmas[i];

		if (v->end <= addr || v->start - addr != v->off || !(v->flags & VMA_SHARED))
			continue;
		s = seg_of_inode(v->inode);
		if (!s)
			continue;
		ino = v->inode;
		size = ABI_PAGE_ALIGN(s->size);
		mm_munmap(mm, v->start, v->end - v->start);
		r = 0;
		break;
	}
	/* The vma array changed: look again, for the rest of the same attach. */
	for (i = 0; ino && i < mm->nvmas;) {
		struct vma *v = &mm->vmas[i];

		if (v->start >= addr && v->end - addr <= size && v->inode == ino && v->start - addr == v->off) {
			mm_munmap(mm, v->start, v->end - v->start);
			i = 0;
			continue;
		}
		i++;
	}
	if (s) {
		s->dtime = ipc_now();
		s->lpid = task_tgid(t);
	}
	ipc_shm_reap();
	return r;
}

static void fill_ds(const struct shm_seg *s, struct abi_shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&s->o, &ds->shm_perm);
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = nattch(s);
}

/* Resident pages of every segment (SHM_INFO's shm_rss, /proc/sysvipc/shm). */
static uint64_t rss_pages(const struct shm_seg *s)
{
	return s->ino->blocks / 8;
}

long ipc_shmctl(struct task *t, int id, int cmd, gva_t buf)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct abi_shmid_ds ds;
	struct shm_seg *s;
	long r;
	int i;

	ipc_shm_reap();
	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO: {
		struct abi_shminfo in = {
			.shmmax = ns->limits.shmmax,
			.shmmin = 1,
			.shmmni = (uint64_t)ns->limits.shmmni,
			.shmseg = 4096, /* SHMSEG: not enforced, as in Linux */
			.shmall = ns->limits.shmall,
		};

		if (mm_copy_out(t->mm, buf, &in, sizeof(in)) < 0)
			return -EFAULT;
		r = ipc_max_idx(&ns->shm_ids);
		return r < 0 ? 0 : r;
	}
	case SHM_INFO: {
		struct abi_shm_info in;

		memset(&in, 0, sizeof(in));
		in.used_ids = ns->shm_ids.in_use;
		in.shm_tot = ns->shm_tot;
		for (i = 0; i < ns->shm_ids.cap; i++)
			if (ns->shm_ids.slot[i])
				in.shm_rss += rss_pages((struct shm_seg *)ns->shm_ids.slot[i]);
		if (mm_copy_out(t->mm, buf, &in, sizeof(in)) < 0)
			return -EFAULT;
		r = ipc_max_idx(&ns->shm_ids);
		return r < 0 ? 0 : r;
	}
	case SHM_STAT:
	case SHM_STAT_ANY:
	case IPC_STAT:
		s = cmd == IPC_STAT ? seg_of(ns, id) : (struct shm_seg *)ipc_at(&ns->shm_ids, id);
		if (!s)
			return -EINVAL;
		if (cmd != SHM_STAT_ANY && ipc_perms(t, &s->o, 0444) < 0)
			return -EACCES;
		fill_ds(s, &ds);
		ds.shm_cpid = task_vnr(t, ds.shm_cpid); /* kept global: in the caller's pid namespace */
		ds.shm_lpid = task_vnr(t, ds.shm_lpid);
		if (mm_copy_out(t->mm, buf, &ds, sizeof(ds)) < 0)
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : s->o.id;
	case SHM_LOCK:
	case SHM_UNLOCK:
		s = seg_of(ns, id);
		if (!s)
			return -EINVAL;
		if (!capable(t, CAP_IPC_LOCK)) {
			if (t->cred.euid != s->o.uid && t->cred.euid != s->o.cuid)
				return -EPERM;
			if (cmd == SHM_LOCK && !t->tg->rlim[RLIMIT_MEMLOCK].rlim_cur)
				return -EPERM;
		}
		/* The sandbox never swaps: locking only shows in the mode. */
		if (cmd == SHM_LOCK)
			s->o.mode |= SHM_LOCKED;
		else
			s->o.mode &= ~(uint32_t)SHM_LOCKED;
		return 0;
	case IPC_SET:
		if (mm_copy_in(t->mm, &ds, buf, sizeof(ds)) < 0)
			return -EFAULT;
		/* fallthrough */
	case IPC_RMID:
		s = seg_of(ns, id);
		if (!s)
			return -EINVAL;
		r = ipc_owner(t, &s->o);
		if (r < 0)
			return r;
		if (cmd == IPC_SET) {
			r = ipc_set_perm(&s->o, &ds.shm_perm);
			if (r < 0)
				return r;
			s->ctime = ipc_now();
			return 0;
		}
		if (nattch(s) == 0) {
			destroy(s);
		} else {
			s->o.mode |= SHM_DEST;
			s->o.key = IPC_PRIVATE; /* not found by its key again, as Linux */
		}
		return 0;
	default:
		return -EINVAL;
	}
}

static void show_shm(struct proc_buf *b)
{
	struct ipc_ns *ns = ipc_ns_current();
	int i;

	ipc_shm_reap();
	proc_printf(b, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid"
		       "      atime      dtime      ctime                   rss                  swap\n");
	for (i = 0; i < ns->shm_ids.cap; i++) {
		struct shm_seg *s = (struct shm_seg *)ns->shm_ids.slot[i];

		if (!s)
			continue;
		proc_printf(b, "%10d %10d  %4o %21lu %5d %5d  %5lu %5u %5u %5u %5u %10lld %10lld %10lld %21lu %21lu\n",
			    s->o.key, s->o.id, s->o.mode, (unsigned long)s->size, s->cpid, s->lpid,
			    (unsigned long)nattch(s), s->o.uid, s->o.gid, s->o.cuid, s->o.cgid, (long long)s->atime,
			    (long long)s->dtime, (long long)s->ctime, (unsigned long)(rss_pages(s) * ABI_PAGE_SIZE), 0UL);
	}
}

static const struct proc_file proc_sysvipc_shm = {"sysvipc", "shm", show_shm, NULL};
PROC_FILE(proc_sysvipc_shm)
