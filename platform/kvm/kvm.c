/*
 * The kvm platform.  The sentry is the virtual machine's monitor and its
 * guest kernel at once: one VM per sandbox, whose physical memory is the
 * memory file (guest physical address == frame offset), and the
 * application in guest ring 3 over the ring-0 stub of guest.c.  Every
 * system call, fault and exception leaves the guest: the stub's hlt exits
 * KVM_RUN with the application's registers untouched and the processor's
 * frame on the vCPU's stack, which the sentry reads in its own mapping of
 * the kernel region; it goes back by one iretq (or, when KVM_RUN was
 * interrupted in ring 3, by setting the registers where they are).
 *
 * Address spaces are guest page tables the sentry writes, in memory-file
 * frames the platform owns (never handed to the memory manager, never
 * mapped in the application's half).  A nested host shadows them (see
 * docs/kvm.md): what the sentry makes present, or more permissive, is seen
 * at the next fault; what it takes away from a present entry is not, until
 * the shadow tables are thrown away, which deleting and re-adding a spare
 * memslot does for the whole VM.  So every change that takes something away
 * marks the VM stale, and the next enter() flushes it before any vCPU goes
 * back to the application; frames whose mappings were taken away (and page
 * tables of destroyed address spaces) are released only after a flush.  An
 * address space that ends needs none of its own (as_destroy).
 *
 * Contexts are vCPUs, one per application thread, made on a thread's first
 * entry and kept in a pool when it ends (KVM cannot destroy a vCPU).  KVM
 * makes at most 1024 per VM: past that, a thread takes the vCPU of one that
 * is not in the application now (blocked in a system call), whose FPU state
 * is kept aside until it gets one back.  An
 * interrupt sets the vCPU's immediate_exit and kicks its host thread with
 * KVM_SIG, whose handler does nothing: KVM_RUN returns EINTR.
 *
 * Locking: the VM, the pool and the address spaces are under the sentry
 * lock; a context's vCPU is used only by the host thread running it, in
 * switch_to_user() without the lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "../platform.h"
#include "../../sentry/host/host.h"
#include "../../sentry/host/seccomp.h"
#include "../../sentry/log.h"
#include "../../sentry/mm/memfile.h"
#include "guest.h"

/* The signal that kicks a vCPU's thread out of KVM_RUN: a real-time one glibc leaves alone. */
#define KVM_SIG 40

#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_TSC 0x10

/* The spare memslot whose delete and re-add flushes the VM's shadow page tables. */
#define SLOT_MF 0
#define SLOT_KERN 1
#define SLOT_SPARE 2
#define SPARE_GPA (KVM_KERN_GPA + KVM_KERN_SIZE)

/* The flags of rflags the application may set (Linux's FIX_EFLAGS, and ID), IF and bit 1 always on. */
#define USER_FLAGS 0x250dd5ULL
#define FLAG_TF 0x100ULL

struct vcpu {
	int fd;
	struct plat_ctx *owner; /* NULL: in the pool */
	unsigned index; /* its GDT, TSS and stacks in the kernel region */
	struct kvm_run *run;
	int in_kernel;  /* stopped at the stub: the application's rip, rsp, rflags are in the frame */
	struct vcpu *next_free;
};

/* Pages whose present entries one run of the unmap routine takes away; more: a flush. */
#define ZAP_MAX 64

struct plat_as {
	uint64_t pml4; /* memory-file frame */
	int broken;    /* a page table could not be allocated: the address space is lost */
	/*
	 * Pages whose present entry lost something since the last flush, for
	 * the unmap routine to rewrite at the next enter() on this space;
	 * valid while zap_epoch == vm.flushes (a flush covers them).
	 */
	uint64_t zap[ZAP_MAX];
	unsigned nzap;
	uint64_t zap_epoch;
};

struct plat_ctx {
	struct plat_as *as;
	struct vcpu *cpu;     /* NULL until its thread first enters */
	struct kvm_xsave *fpu; /* the FPU state it starts with (a clone's parent's), until then; NULL: reset */
	pid_t tid;            /* the host thread running it, once it entered */
	int running;          /* from enter() to the end of switch_to_user(): its vCPU is not to be taken */
	int step;             /* run one instruction at a time (set_singlestep): the trap flag, set by us */
	volatile int kicked;  /* interrupt() asked it out */
};

static struct {
	int kvm, fd;
	size_t run_size;
	struct kvm_cpuid2 *cpuid;
	uint8_t *kern;      /* the kernel region, slot SLOT_KERN */
	void *spare;        /* slot SLOT_SPARE */
	int mf_slot;        /* the memory file's slot is there */
	unsigned ncpus;     /* vCPUs made */
	unsigned max_cpus;  /* KVM's limit, and the kernel region's */
	struct vcpu *cpus[KVM_MAX_CPUS];
	struct vcpu *free_cpus;
	size_t xsave_size;  /* bytes of the xsave layout the host's features use */
	struct kvm_xsave *xsave_reset; /* a fresh vCPU's FPU state, for one taken from the pool */
	uint64_t xcr0;
	int stale;          /* a present mapping was changed: flush before anyone runs */
	uint64_t flushes;
	uint64_t zaps;      /* runs of the unmap routine */
	uint64_t *deferred; /* frames to release after the next flush */
	size_t ndeferred, capdeferred;
	pid_t pid;
} vm = {.kvm = -1, .fd = -1};

static long kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return host_ioctl(fd, req, arg);
}

static uint64_t *kern_ptr(uint64_t va)
{
	return (uint64_t *)(vm.kern + (va - KVM_KERN_VA));
}

static void kick_handler(int sig)
{
	(void)sig;
}

/* ---- Host detection ---- */

/* What available() says of a nested host that emulates the guest's ring 0 (docs/kvm.md). */
static const char pvm_note[] = "this host's KVM is kvm_pvm (nested, no hardware virtualization): --platform=kvm "
			       "works but is several times slower than --platform=ptrace here (docs/kvm.md)";

/*
 * Available where /dev/kvm can be opened; on a kvm_pvm host, available
 * with pvm_note in *why, which `cvisor platforms` and `cvisor do --debug`
 * print.
 */
static int available(const char **why)
{
	if (access("/dev/kvm", F_OK) < 0) {
		*why = "/dev/kvm is absent (no KVM module loaded, or no virtualization on this machine)";
		return -ENOENT;
	}
	if (access("/dev/kvm", R_OK | W_OK) < 0) {
		*why = "/dev/kvm cannot be opened for reading and writing by this user";
		return -EACCES;
	}
	if (access("/sys/module/kvm_pvm", F_OK) == 0)
		*why = pvm_note;
	return 0;
}

static int host_fd(const char **why)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		*why = "/dev/kvm cannot be opened";
		return -errno;
	}
	return fd;
}

/* ---- The VM ---- */

static int set_slot(unsigned slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size, .userspace_addr = (uint64_t)host,
	};

	return (int)kvm_ioctl(vm.fd, KVM_SET_USER_MEMORY_REGION, &r);
}

static int init(const struct plat_config *cfg)
{
	struct sigaction sa;
	unsigned a, b, c, d, i;
	long r;

	if (cfg->host_fd < 0)
		return -ENODEV;
	vm.kvm = cfg->host_fd;
	vm.pid = host_getpid();
	if (kvm_ioctl(vm.kvm, KVM_GET_API_VERSION, NULL) != KVM_API_VERSION)
		return -ENOTSUP;
	vm.fd = (int)kvm_ioctl(vm.kvm, KVM_CREATE_VM, 0);
	if (vm.fd < 0)
		return vm.fd;
	if (kvm_ioctl(vm.kvm, KVM_CHECK_EXTENSION, (void *)KVM_CAP_SYNC_REGS) <= 0 ||
	    kvm_ioctl(vm.kvm, KVM_CHECK_EXTENSION, (void *)KVM_CAP_IMMEDIATE_EXIT) <= 0) {
		log_warn("kvm: this KVM lacks KVM_CAP_SYNC_REGS or KVM_CAP_IMMEDIATE_EXIT");
		return -ENOTSUP;
	}
	r = kvm_ioctl(vm.fd, KVM_CHECK_EXTENSION, (void *)KVM_CAP_MAX_VCPUS);
	vm.max_cpus = r > 0 && r < (long)KVM_MAX_CPUS ? (unsigned)r : KVM_MAX_CPUS;
	r = kvm_ioctl(vm.kvm, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (r <= 0)
		return r < 0 ? (int)r : -EINVAL;
	vm.run_size = (size_t)r;
	vm.cpuid = calloc(1, sizeof(*vm.cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	if (!vm.cpuid)
		return -ENOMEM;
	vm.cpuid->nent = 256;
	r = kvm_ioctl(vm.kvm, KVM_GET_SUPPORTED_CPUID, vm.cpuid);
	if (r < 0)
		return (int)r;
	vm.kern = host_mmap(NULL, KVM_KERN_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	vm.spare = host_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.kern == MAP_FAILED || vm.spare == MAP_FAILED)
		return -ENOMEM;
	kvm_guest_build(vm.kern);
	if ((r = set_slot(SLOT_KERN, KVM_KERN_GPA, KVM_KERN_SIZE, vm.kern)) < 0 ||
	    (r = set_slot(SLOT_SPARE, SPARE_GPA, 4096, vm.spare)) < 0)
		return (int)r;
	/* The host's xsave features, and the size of their layout (ptrace's NT_X86_XSTATE has the same). */
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0xd), "c"(0));
	vm.xsave_size = b > 4096 ? 4096 : b;
	__asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	vm.xcr0 = ((uint64_t)d << 32) | a;
	/*
	 * Only the features KVM gives a guest: KVM_SET_XCRS refuses the whole
	 * XCR0 for one more bit (the host's AMX, which a guest has only on
	 * request), and the guest's CPUID then sizes the xsave area for x87 and
	 * SSE alone, which glibc's lazy-binding trampoline trusts.
	 */
	for (i = 0; i < vm.cpuid->nent; i++)
		if (vm.cpuid->entries[i].function == 0xd && vm.cpuid->entries[i].index == 0)
			vm.xcr0 &= (uint64_t)vm.cpuid->entries[i].edx << 32 | vm.cpuid->entries[i].eax;
	vm.xcr0 |= 1; /* x87: always on */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(KVM_SIG, &sa, NULL) < 0)
		return -errno;
	return 0;
}

/* The memory file's slot, once it exists (after init: the sentry makes it later). */
static int mf_slot(void)
{
	int r;

	if (vm.mf_slot)
		return 0;
	if (mf.size > KVM_MF_GPA_END) {
		log_warn("kvm: the memory file (%llu bytes) is larger than the guest's memory window",
			 (unsigned long long)mf.size);
		return -ENOMEM;
	}
	r = set_slot(SLOT_MF, 0, mf.size, mf.base);
	if (r < 0) {
		log_warn("kvm: cannot give the memory file to the VM: %s", strerror(-r));
		return r;
	}
	vm.mf_slot = 1;
	return 0;
}

/*
 * Throws away the shadow page tables when a change needs it, then lets go of
 * the frames that waited for one.  Those wait for a real flush even when
 * nothing else asks for it (a copy-on-write break leaves a read-only shadow
 * of the old frame), unless there are so many that one is made for them.
 */
#define DEFERRED_MAX 512 /* 2 MiB the memory limit does not give back at once */

static void flush(void)
{
	size_t i;

	if (!vm.stale && vm.ndeferred > DEFERRED_MAX)
		vm.stale = 1;
	if (!vm.stale)
		return;
	if (set_slot(SLOT_SPARE, SPARE_GPA, 0, vm.spare) < 0 || set_slot(SLOT_SPARE, SPARE_GPA, 4096, vm.spare) < 0)
		die("kvm: cannot flush the VM's page tables (memslot update refused)");
	vm.stale = 0;
	vm.flushes++;
	for (i = 0; i < vm.ndeferred; i++)
		mf_put(vm.deferred[i]);
	vm.ndeferred = 0;
}

static void defer_put(uint64_t off)
{
	if (vm.ndeferred == vm.capdeferred) {
		size_t cap = vm.capdeferred ? vm.capdeferred * 2 : 256;
		uint64_t *d = realloc(vm.deferred, cap * sizeof(*d));

		if (!d) {
			/* Out of sentry memory: flush now so the frame can go at once. */
			vm.stale = 1;
			flush();
			mf_put(off);
			return;
		}
		vm.deferred = d;
		vm.capdeferred = cap;
	}
	vm.deferred[vm.ndeferred++] = off;
}

/* ---- Address spaces ---- */

static uint64_t *table(uint64_t frame)
{
	return (uint64_t *)mf_ptr(frame);
}

static struct plat_as *as_create(int *err)
{
	struct plat_as *as;

	if ((*err = mf_slot()) < 0)
		return NULL;
	as = calloc(1, sizeof(*as));
	if (!as) {
		*err = -ENOMEM;
		return NULL;
	}
	as->pml4 = mf_alloc(1);
	if (as->pml4 == MF_NONE) {
		free(as);
		*err = -ENOMEM;
		return NULL;
	}
	kvm_guest_pml4(table(as->pml4), as->pml4);
	return as;
}

/* The page tables below a table at level lvl (3: a PDPT) go, after the next flush. */
static void free_tables(uint64_t frame, int lvl)
{
	uint64_t *t = table(frame);
	unsigned i;

	if (lvl > 1)
		for (i = 0; i < 512; i++)
			if (t[i] & KVM_PTE_P)
				free_tables(t[i] & KVM_PTE_ADDR, lvl - 1);
	defer_put(frame);
}

/*
 * No flush for an address space that ends (each process's exit and each
 * execve made one; docs/kvm.md has what that cost): the nested host's
 * shadows of its tables stay, but nothing reaches them.  A vCPU walks only
 * from the cr3 enter() gives it, never this space's again, and no live
 * table points at these frames.  KVM looks shadows up by the table's
 * frame, so such a frame must not become another space's table while they
 * stay (tests/kvm/probe.c: such a table, rewritten, still reads the old
 * mapping): it is released only after a flush (made for something else,
 * or for DEFERRED_MAX frames waiting).  The frames this space mapped go
 * at once (mm_put): only these unreachable shadows still map them.
 */
static void as_destroy(struct plat_as *as)
{
	uint64_t *pml4 = table(as->pml4);
	unsigned i;

	for (i = 0; i < 256; i++)
		if (pml4[i] & KVM_PTE_P)
			free_tables(pml4[i] & KVM_PTE_ADDR, 3);
	defer_put(as->pml4);
	free(as);
}

/* The leaf entry of va, making the tables above it when make; NULL when there is none. */
static uint64_t *leaf(struct plat_as *as, uint64_t va, int make)
{
	uint64_t *t = table(as->pml4);
	int lvl;

	for (lvl = 3; lvl > 0; lvl--) {
		uint64_t *e = &t[(va >> (12 + 9 * lvl)) & 511];

		if (!(*e & KVM_PTE_P)) {
			uint64_t f;

			if (!make)
				return NULL;
			f = mf_alloc(1);
			if (f == MF_NONE) {
				as->broken = 1;
				return NULL;
			}
			/* Not present -> present: seen without a flush. */
			*e = f | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_A;
		}
		t = table(*e & KVM_PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

/* The next va after the table level that has no entry for va (for skipping holes). */
static uint64_t skip_hole(struct plat_as *as, uint64_t va)
{
	uint64_t *t = table(as->pml4);
	int lvl;

	for (lvl = 3; lvl > 0; lvl--) {
		uint64_t span = 1ULL << (12 + 9 * lvl);
		uint64_t e = t[(va >> (12 + 9 * lvl)) & 511];

		if (!(e & KVM_PTE_P))
			return (va & ~(span - 1)) + span;
		t = table(e & KVM_PTE_ADDR);
	}
	return va + 4096;
}

static uint64_t pte_for(uint64_t frame, int prot)
{
	uint64_t e;

	if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	e = frame | KVM_PTE_P | KVM_PTE_U | KVM_PTE_A;
	if (prot & PROT_WRITE)
		e |= KVM_PTE_W | KVM_PTE_D;
	if (!(prot & PROT_EXEC))
		e |= KVM_PTE_NX;
	return e;
}

/*
 * Writes a leaf entry.  A change that takes something away from a present
 * entry needs the shadow dropped (zap() for a few pages, else a flush),
 * with one exception: a read-only entry made writable on the same frame.
 * Its stale read-only shadow makes the next write fault into KVM, which
 * walks the tables again.  On another frame (a copy-on-write break, 300 of
 * them in a python3 start) it is no exception: reads through the stale
 * shadow went on reaching the old frame, which the process it is shared
 * with then writes in place (the gofer's 600-file case read its garbage,
 * most runs).  The old frame stays allocated until a real flush (defer_put).
 */
static void set_pte(struct plat_as *as, uint64_t va, uint64_t *e, uint64_t nv)
{
	uint64_t old = *e;

	if (old == nv)
		return;
	if (!(old & KVM_PTE_P))
		goto write;
	if (!(old & KVM_PTE_W) && (nv & KVM_PTE_P) && (nv & KVM_PTE_W) && ((old & KVM_PTE_NX) || !(nv & KVM_PTE_NX)) &&
	    (old & KVM_PTE_ADDR) == (nv & KVM_PTE_ADDR))
		goto write;
	if (!(nv & KVM_PTE_P) || (old & KVM_PTE_ADDR) != (nv & KVM_PTE_ADDR) || ((old & KVM_PTE_W) && !(nv & KVM_PTE_W)) ||
	    (!(old & KVM_PTE_NX) && (nv & KVM_PTE_NX))) {
		/* A few pages: rewritten by the guest itself at the next entry (zap()); more: a flush. */
		if (as->nzap && as->zap_epoch != vm.flushes)
			as->nzap = 0;
		as->zap_epoch = vm.flushes;
		if (!vm.stale && as->nzap < ZAP_MAX)
			as->zap[as->nzap++] = va;
		else
			vm.stale = 1;
	}
write:
	*e = nv;
}

static void as_map(struct plat_as *as, uint64_t va, uint64_t len, uint64_t off, int prot)
{
	uint64_t i;

	for (i = 0; i < len; i += 4096) {
		uint64_t nv = pte_for(off + i, prot), *e = leaf(as, va + i, nv != 0);

		if (e)
			set_pte(as, va + i, e, nv);
		else if (as->broken)
			return;
	}
}

static void as_unmap(struct plat_as *as, uint64_t va, uint64_t len)
{
	uint64_t end = va + len;

	while (va < end) {
		uint64_t *e = leaf(as, va, 0);

		if (!e) {
			va = skip_hole(as, va);
			continue;
		}
		set_pte(as, va, e, 0);
		va += 4096;
	}
}

static void as_protect(struct plat_as *as, uint64_t va, uint64_t len, int prot)
{
	uint64_t end = va + len;

	while (va < end) {
		uint64_t *e = leaf(as, va, 0);

		if (!e) {
			va = skip_hole(as, va);
			continue;
		}
		/*
		 * Only entries that are there change; one dropped (PROT_NONE)
		 * comes back through the memory manager at its next fault.
		 */
		if (*e & KVM_PTE_P)
			set_pte(as, va, e, pte_for(*e & KVM_PTE_ADDR, prot));
		va += 4096;
	}
}

static void as_defer_put(struct plat_as *as, uint64_t off)
{
	(void)as;
	defer_put(off);
}

static uint64_t as_generation(struct plat_as *as)
{
	(void)as;
	return vm.flushes + vm.zaps;
}

/* ---- vCPUs ---- */

static int set_msrs(int fd)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[5];
	} m;
	unsigned lo, hi;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 5;
	m.e[0].index = MSR_LSTAR;
	m.e[0].data = KVM_LSTAR;
	m.e[1].index = MSR_STAR;
	m.e[1].data = ((uint64_t)KVM_SEL_UCODE32 << 48) | ((uint64_t)KVM_SEL_KCODE << 32);
	m.e[2].index = MSR_SFMASK;
	m.e[2].data = 0x47700; /* TF DF IF NT AC, as Linux */
	m.e[3].index = MSR_KERNEL_GS_BASE;
	m.e[3].data = 0;
	/*
	 * The guest's TSC is the host's: the vDSO reads it against a line
	 * the sentry draws from the host's (sentry/vdso).  KVM starts a VM's
	 * TSC near 0 unless told; a host-side write sets the offset.
	 */
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	m.e[4].index = MSR_TSC;
	m.e[4].data = ((uint64_t)hi << 32) | lo;
	return kvm_ioctl(fd, KVM_SET_MSRS, &m) == 5 ? 0 : -EINVAL;
}

/*
 * The vCPU of a context that is not running the application now, its FPU
 * state kept in the context until it enters again; NULL if every one is.
 */
static struct vcpu *vcpu_steal(void)
{
	unsigned i;

	for (i = 0; i < vm.ncpus; i++) {
		struct vcpu *cpu = vm.cpus[i];
		struct plat_ctx *o = cpu ? cpu->owner : NULL;

		if (!o || __atomic_load_n(&o->running, __ATOMIC_ACQUIRE))
			continue;
		if (!o->fpu && !(o->fpu = malloc(sizeof(*o->fpu))))
			return NULL;
		if (kvm_ioctl(cpu->fd, KVM_GET_XSAVE, o->fpu) < 0) {
			free(o->fpu);
			o->fpu = NULL;
			continue;
		}
		o->cpu = NULL;
		cpu->owner = NULL;
		return cpu;
	}
	return NULL;
}

/* A vCPU for a context on as: one from the pool, a new one, or another's.  Under the sentry lock. */
static struct vcpu *vcpu_get(struct plat_as *as, const struct kvm_xsave *fpu)
{
	struct vcpu *c = vm.free_cpus;
	struct kvm_sregs *s;
	struct kvm_xcrs xcrs;

	if (c) {
		vm.free_cpus = c->next_free;
	} else if (vm.ncpus >= vm.max_cpus) {
		c = vcpu_steal();
		if (!c) {
			log_warn("kvm: all %u vCPUs are running application threads; one more cannot start", vm.ncpus);
			return NULL;
		}
	} else {
		void *run;
		int fd;

		fd = (int)kvm_ioctl(vm.fd, KVM_CREATE_VCPU, (void *)(unsigned long)vm.ncpus);
		if (fd < 0) {
			log_warn("kvm: cannot make vCPU %u: %s", vm.ncpus, strerror(-fd));
			return NULL;
		}
		run = host_mmap(NULL, vm.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		c = calloc(1, sizeof(*c));
		if (run == MAP_FAILED || !c) {
			free(c);
			host_close(fd);
			return NULL;
		}
		c->fd = fd;
		c->run = run;
		c->index = vm.ncpus++;
		vm.cpus[c->index] = c;
		kvm_guest_cpu(vm.kern, c->index);
		memset(&xcrs, 0, sizeof(xcrs));
		xcrs.nr_xcrs = 1;
		xcrs.xcrs[0].xcr = 0;
		xcrs.xcrs[0].value = vm.xcr0;
		if (kvm_ioctl(fd, KVM_SET_CPUID2, vm.cpuid) < 0 || set_msrs(fd) < 0) {
			log_warn("kvm: cannot set vCPU %u up", c->index);
			return NULL; /* leaks the vCPU: it is the VM's until the sandbox ends anyway */
		}
		if (kvm_ioctl(fd, KVM_SET_XCRS, &xcrs) < 0)
			log_warn("kvm: vCPU %u refused XCR0 %#llx: its CPUID misstates the xsave area's size", c->index,
				 (unsigned long long)vm.xcr0);
		if (!vm.xsave_reset && (vm.xsave_reset = malloc(sizeof(*vm.xsave_reset))) &&
		    kvm_ioctl(fd, KVM_GET_XSAVE, vm.xsave_reset) < 0) {
			free(vm.xsave_reset);
			vm.xsave_reset = NULL;
		}
	}
	/*
	 * Nothing of the thread that used a pooled vCPU before may show (its
	 * vector registers); a kept state KVM refuses (from sigreturn) is reset.
	 */
	if (fpu && kvm_ioctl(c->fd, KVM_SET_XSAVE, (void *)fpu) < 0)
		fpu = NULL;
	if (!fpu && (!vm.xsave_reset || kvm_ioctl(c->fd, KVM_SET_XSAVE, vm.xsave_reset) < 0)) {
		log_warn("kvm: cannot set vCPU %u's FPU state", c->index);
		c->next_free = vm.free_cpus;
		vm.free_cpus = c;
		return NULL;
	}
	/* Ring 0 at the stub, on as: the first entry goes to ring 3 by iretq. */
	s = &c->run->s.regs.sregs;
	kvm_guest_sregs(s, c->index, as->pml4);
	if (kvm_ioctl(c->fd, KVM_SET_SREGS, s) < 0) {
		log_warn("kvm: cannot set vCPU %u's registers", c->index);
		return NULL;
	}
	c->in_kernel = 1;
	return c;
}

static struct plat_ctx *ctx_create(struct plat_as *as, int *err)
{
	struct plat_ctx *c = calloc(1, sizeof(*c));

	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->as = as;
	return c;
}

/* A new thread starts with its parent's FPU state, as clone(2) gives it. */
static struct plat_ctx *ctx_clone(struct plat_ctx *parent, int *err)
{
	struct plat_ctx *c = ctx_create(parent->as, err);

	if (!c || !(c->fpu = malloc(sizeof(*c->fpu))))
		return c;
	if (parent->fpu) {
		memcpy(c->fpu, parent->fpu, sizeof(*c->fpu));
	} else if (!parent->cpu || kvm_ioctl(parent->cpu->fd, KVM_GET_XSAVE, c->fpu) < 0) {
		free(c->fpu);
		c->fpu = NULL;
	}
	return c;
}

static int ctx_adopt(struct plat_ctx *c)
{
	(void)c;
	return 0;
}

static void ctx_destroy(struct plat_ctx *c, int alive)
{
	(void)alive;
	if (c->cpu) {
		c->cpu->owner = NULL;
		c->cpu->next_free = vm.free_cpus;
		vm.free_cpus = c->cpu;
	}
	free(c->fpu);
	free(c);
}

/* execve: the vCPU moves to the new page tables at its next entry, and the new program starts with a clean FPU. */
static int ctx_exec(struct plat_ctx *c, struct plat_as *as)
{
	c->as = as;
	free(c->fpu);
	c->fpu = NULL;
	if (c->cpu && (!vm.xsave_reset || kvm_ioctl(c->cpu->fd, KVM_SET_XSAVE, vm.xsave_reset) < 0)) {
		/* Not run again with the old program's registers: back to the pool, which resets or refuses it. */
		log_warn("kvm: cannot reset vCPU %u's FPU state at execve", c->cpu->index);
		c->cpu->owner = NULL;
		c->cpu->next_free = vm.free_cpus;
		vm.free_cpus = c->cpu;
		c->cpu = NULL;
	}
	return 0;
}

/*
 * The pages of as whose entries lost something (set_pte), rewritten by the
 * guest itself: the unmap routine (guest.h) on c's vCPU, in ring 0 at the
 * stub, writes each leaf entry's current value through the self-map and
 * invlpgs it.  A guest write to a table the nested host shadows drops the
 * shadow entry, for every vCPU; a host write is not seen (docs/kvm.md).
 * That spares the flush, after which every page of every process faults
 * into KVM again (tests/kvm/probe.c measures both).  Anything unusual (the
 * vCPU stopped in ring 3, the run interrupted): a flush instead.
 */
static void zap(struct plat_ctx *c, struct plat_as *as)
{
	struct vcpu *cpu = c->cpu;
	struct kvm_run *run = cpu->run;
	struct kvm_regs *k = &run->s.regs.regs;
	struct kvm_sregs *s = &run->s.regs.sregs;
	uint64_t *l = kern_ptr(kvm_cpu_unmap_list(cpu->index));
	unsigned i, n = 0;
	long r;

	if (as->zap_epoch != vm.flushes)
		as->nzap = 0; /* a flush since took them */
	if (!as->nzap)
		return;
	for (i = 0; i < as->nzap; i++) {
		uint64_t *e = leaf(as, as->zap[i], 0);

		if (!e)
			continue;
		l[3 * n] = kvm_pte_va(as->zap[i]);
		l[3 * n + 1] = *e;
		l[3 * n + 2] = as->zap[i];
		n++;
	}
	as->nzap = 0;
	if (!n)
		return;
	if (!cpu->in_kernel)
		goto flush;
	k->rip = KVM_CODE_VA + KVM_OFF_UNMAP;
	k->rsi = kvm_cpu_unmap_list(cpu->index);
	k->rcx = n;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	if (s->cr3 != as->pml4) {
		s->cr3 = as->pml4;
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	}
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	r = kvm_ioctl(cpu->fd, KVM_RUN, NULL);
	if (r == 0 && run->exit_reason == KVM_EXIT_HLT && k->rip == KVM_CODE_VA + KVM_OFF_UNMAP_END) {
		vm.zaps++;
		return;
	}
	/* Still in ring 0 (at the routine, or a handler's hlt): the next entry's iretq frame is written whole. */
flush:
	vm.stale = 1;
	flush();
}

static int enter(struct plat_ctx *c, struct plat_as *as)
{
	if (as->broken || c->as != as)
		return 1; /* c->as != as: not its address space, a sentry bug; the task ends */
	if (!c->cpu) {
		c->cpu = vcpu_get(as, c->fpu);
		if (!c->cpu)
			return 1;
		c->cpu->owner = c;
		free(c->fpu);
		c->fpu = NULL;
	}
	c->tid = host_gettid();
	flush();
	zap(c, as);
	c->running = 1;
	return 0;
}

/* ---- Running ---- */

static void regs_to_kvm(const plat_regs *r, struct kvm_regs *k)
{
	k->rax = r->rax;
	k->rbx = r->rbx;
	k->rcx = r->rcx;
	k->rdx = r->rdx;
	k->rsi = r->rsi;
	k->rdi = r->rdi;
	k->rbp = r->rbp;
	k->r8 = r->r8;
	k->r9 = r->r9;
	k->r10 = r->r10;
	k->r11 = r->r11;
	k->r12 = r->r12;
	k->r13 = r->r13;
	k->r14 = r->r14;
	k->r15 = r->r15;
}

static void regs_from_kvm(plat_regs *r, const struct kvm_regs *k)
{
	r->rax = k->rax;
	r->rbx = k->rbx;
	r->rcx = k->rcx;
	r->rdx = k->rdx;
	r->rsi = k->rsi;
	r->rdi = k->rdi;
	r->rbp = k->rbp;
	r->r8 = k->r8;
	r->r9 = k->r9;
	r->r10 = k->r10;
	r->r11 = k->r11;
	r->r12 = k->r12;
	r->r13 = k->r13;
	r->r14 = k->r14;
	r->r15 = k->r15;
}

/*
 * The application's instruction byte at va, through its page tables; -1 if
 * it has none there.  Read without the sentry lock, as the processor reads
 * them: entries are written whole, and tables are freed only with the
 * address space, which a thread running in it keeps.
 */
static int user_byte(struct plat_as *as, uint64_t va)
{
	uint64_t *e = va < KVM_USER_LIMIT ? leaf(as, va, 0) : NULL;

	if (!e || !(*e & KVM_PTE_P))
		return -1;
	return *((uint8_t *)mf_ptr(*e & KVM_PTE_ADDR) + (va & 4095));
}

/* What Linux sends for an exception from ring 3 (arch/x86/kernel/traps.c), other than #PF. */
static enum plat_stop exception(struct plat_as *as, unsigned v, const plat_regs *r, struct plat_stopinfo *info)
{
	/*
	 * int N to a ring-0 gate is a #GP on the processor; a nested host that
	 * emulates it may raise #UD instead.  Linux's answer is SIGSEGV.
	 */
	if (v == 6 && user_byte(as, r->rip) == 0xcd)
		v = 13;
	info->addr = 0;
	info->code = 0x80; /* SI_KERNEL */
	switch (v) {
	case 0:
		info->signo = SIGFPE;
		info->code = 1; /* FPE_INTDIV */
		info->addr = r->rip;
		break;
	case 1:
		info->signo = SIGTRAP;
		info->code = 2; /* TRAP_TRACE */
		break;
	case 3:
		info->signo = SIGTRAP;
		break;
	case 6:
		info->signo = SIGILL;
		info->code = 2; /* ILL_ILLOPN */
		info->addr = r->rip;
		break;
	case 16:
	case 19:
		info->signo = SIGFPE;
		info->code = 0;
		info->addr = r->rip;
		break;
	case 17:
		info->signo = SIGBUS;
		info->code = 1; /* BUS_ADRALN */
		break;
	case 12:
		info->signo = SIGBUS;
		break;
	default: /* #GP (privileged instructions, in/out, int N), #OF, #BR, #NP, #TS */
		info->signo = SIGSEGV;
		break;
	}
	return PLAT_SIGNAL;
}

/*
 * The vCPU stopped in the stub (at vector v's hlt, or before it): the
 * application's state is the frame on the stack plus the untouched
 * general registers.
 */
static enum plat_stop trapped(struct plat_as *as, struct vcpu *cpu, unsigned v, plat_regs *regs, struct plat_stopinfo *info)
{
	struct kvm_regs *k = &cpu->run->s.regs.regs;
	uint64_t *f = kern_ptr(k->rsp + (kvm_vec_has_error(v) ? 8 : 0));
	uint64_t err = kvm_vec_has_error(v) ? f[-1] : 0;

	cpu->in_kernel = 1;
	regs_from_kvm(regs, k);
	if (v == 1 && f[1] == KVM_SEL_KCODE && f[0] == KVM_LSTAR) {
		/*
		 * VT-x/AMD-V: a syscall made with the trap flag set trapped at
		 * LSTAR in ring 0, before its hlt: the system call, whose step
		 * the sentry reports after it (f[3] is the application's rsp).
		 */
		regs->rip = k->rcx;
		regs->eflags = k->r11;
		regs->rsp = f[3];
		regs->orig_rax = k->rax;
		regs->rax = (uint64_t)-ENOSYS;
		return PLAT_SYSCALL;
	}
	if (f[1] != KVM_SEL_UCODE) {
		/* In ring 0: the iretq back refused the frame (a non-canonical rip from sigreturn). */
		info->signo = SIGSEGV;
		info->code = 0x80;
		info->addr = 0;
		return PLAT_SIGNAL;
	}
	regs->rip = f[0];
	regs->eflags = f[2];
	regs->rsp = f[3];
	regs->orig_rax = (uint64_t)-1;
	if (v == 14 && f[0] == KVM_LSTAR && err == 0x15) {
		/*
		 * The nested host's syscall: it jumped to LSTAR in ring 3, whose
		 * fetch of a supervisor page faulted.  RCX and R11 are set.  An
		 * application that jumps to LSTAR itself makes a system call
		 * that returns to its own rcx: nothing it could not do anyway.
		 */
		regs->rip = k->rcx;
		regs->eflags = k->r11;
		regs->orig_rax = k->rax;
		regs->rax = (uint64_t)-ENOSYS;
		return PLAT_SYSCALL;
	}
	if (v == 14) {
		info->signo = SIGSEGV;
		info->code = err & 1 ? 2 /* SEGV_ACCERR */ : 1 /* SEGV_MAPERR */;
		info->addr = cpu->run->s.regs.sregs.cr2;
		info->access = err & 0x10 ? PLAT_ACCESS_EXEC : err & 2 ? PLAT_ACCESS_WRITE : PLAT_ACCESS_READ;
		return PLAT_FAULT;
	}
	return exception(as, v, regs, info);
}

static enum plat_stop run_user(struct plat_ctx *c, struct plat_as *as, plat_regs *regs, struct plat_stopinfo *info)
{
	struct vcpu *cpu = c->cpu;
	struct kvm_run *run;
	struct kvm_regs *k;
	struct kvm_sregs *s;
	uint64_t flags = (regs->eflags & USER_FLAGS) | 0x202 | (c->step ? FLAG_TF : 0), rip;
	long r;

	if (!cpu || c->as != as)
		return PLAT_DIED;
	run = cpu->run;
	k = &run->s.regs.regs;
	s = &run->s.regs.sregs;
	if (regs->rip >= 0x800000000000ULL && regs->rip < 0xffff800000000000ULL) {
		/* Not canonical: the return would fault in ring 0; Linux sends SIGSEGV too. */
		info->signo = SIGSEGV;
		info->code = 0x80;
		info->addr = 0;
		return PLAT_SIGNAL;
	}
	regs_to_kvm(regs, k);
	if (cpu->in_kernel) {
		uint64_t top = kvm_cpu_stack_top(cpu->index) - 40, *f = kern_ptr(top);

		f[0] = regs->rip;
		f[1] = KVM_SEL_UCODE;
		f[2] = flags;
		f[3] = regs->rsp;
		f[4] = KVM_SEL_UDATA;
		k->rip = KVM_CODE_VA + KVM_OFF_IRET;
		k->rsp = top;
		k->rflags = 2;
	} else {
		k->rip = regs->rip;
		k->rsp = regs->rsp;
		k->rflags = flags;
	}
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	if (s->cr3 != as->pml4 || s->fs.base != regs->fs_base || s->gs.base != regs->gs_base) {
		s->cr3 = as->pml4;
		s->fs.base = regs->fs_base;
		s->gs.base = regs->gs_base;
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	}
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if (c->kicked)
		run->immediate_exit = 1;
	r = kvm_ioctl(cpu->fd, KVM_RUN, NULL);
	run->immediate_exit = 0;
	c->kicked = 0;
	regs->fs_base = s->fs.base;
	regs->gs_base = s->gs.base;
	regs->cs = KVM_SEL_UCODE;
	regs->ss = KVM_SEL_UDATA;
	regs->ds = regs->es = regs->fs = regs->gs = 0;
	if (r < 0 && r != -EINTR) {
		log_warn("kvm: KVM_RUN failed: %s", strerror((int)-r));
		return PLAT_DIED;
	}
	rip = k->rip;
	if ((s->cs.selector & 3) == 3) {
		/* Stopped in the application (an interrupt): its registers are where they are. */
		cpu->in_kernel = 0;
		regs_from_kvm(regs, k);
		regs->rip = rip;
		regs->rsp = k->rsp;
		regs->eflags = k->rflags;
		regs->orig_rax = (uint64_t)-1;
		return PLAT_INTERRUPT;
	}
	if (rip == KVM_CODE_VA + KVM_OFF_IRET) {
		/* Interrupted before the iretq: the frame is the one just written. */
		uint64_t *f = kern_ptr(k->rsp);

		cpu->in_kernel = 1;
		regs_from_kvm(regs, k);
		regs->rip = f[0];
		regs->eflags = f[2];
		regs->rsp = f[3];
		regs->orig_rax = (uint64_t)-1;
		return PLAT_INTERRUPT;
	}
	if (rip == KVM_LSTAR + 1 || rip == KVM_LSTAR) {
		/* VT-x/AMD-V: syscall reached LSTAR in ring 0, the application's rsp still loaded. */
		cpu->in_kernel = 1;
		regs_from_kvm(regs, k);
		regs->rip = k->rcx;
		regs->eflags = k->r11;
		regs->rsp = k->rsp;
		regs->orig_rax = k->rax;
		regs->rax = (uint64_t)-ENOSYS;
		return PLAT_SYSCALL;
	}
	if (r == 0 && run->exit_reason != KVM_EXIT_HLT && run->exit_reason != KVM_EXIT_INTR) {
		log_warn("kvm: vCPU %u left the guest at %#llx (exit reason %u); its process is lost", cpu->index,
			 (unsigned long long)rip, run->exit_reason);
		return PLAT_DIED;
	}
	if (rip >= KVM_CODE_VA && rip <= KVM_CODE_VA + 256 * KVM_VEC_STRIDE - KVM_VEC_STRIDE + 1)
		return trapped(as, cpu, (unsigned)((rip - KVM_CODE_VA - (run->exit_reason == KVM_EXIT_HLT)) / KVM_VEC_STRIDE),
			       regs, info);
	log_warn("kvm: vCPU %u stopped at %#llx in ring 0 (exit reason %u); its process is lost", cpu->index,
		 (unsigned long long)rip, run->exit_reason);
	return PLAT_DIED;
}

static enum plat_stop switch_to_user(struct plat_ctx *c, struct plat_as *as, plat_regs *regs,
				     struct plat_stopinfo *info)
{
	uint64_t tf = regs->eflags & FLAG_TF; /* the application's own trap flag, if it set one */
	enum plat_stop why = run_user(c, as, regs, info);

	/* Done with the vCPU until the next enter(): another thread may take it now. */
	__atomic_store_n(&c->running, 0, __ATOMIC_RELEASE);
	/* A step's trap flag was ours: the application does not see it (as under Linux's ptrace). */
	if (c->step && !tf)
		regs->eflags &= ~FLAG_TF;
	return why;
}

/* ---- FPU state, interrupts ---- */

/*
 * The FPU state of a stopped context into *xs: its vCPU's, or the one kept
 * in c->fpu while another took the vCPU (or it has none yet), else a reset one.
 */
static int ctx_xsave(struct plat_ctx *c, struct kvm_xsave *xs)
{
	if (c->cpu)
		return (int)kvm_ioctl(c->cpu->fd, KVM_GET_XSAVE, xs);
	if (!c->fpu && !vm.xsave_reset)
		return -ESRCH;
	*xs = c->fpu ? *c->fpu : *vm.xsave_reset;
	return 0;
}

static int get_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	struct kvm_xsave xs;
	size_t n = vm.xsave_size < iov->iov_len ? vm.xsave_size : iov->iov_len;
	int r = ctx_xsave(c, &xs);

	if (r < 0)
		return r;
	memcpy(iov->iov_base, xs.region, n);
	iov->iov_len = n;
	return 0;
}

static int set_fpstate(struct plat_ctx *c, struct iovec *iov)
{
	struct kvm_xsave xs;
	size_t n = iov->iov_len < vm.xsave_size ? iov->iov_len : vm.xsave_size;
	int r = ctx_xsave(c, &xs);

	if (r < 0)
		return r;
	memcpy(xs.region, iov->iov_base, n);
	/* The software bytes are the signal frame's, not the processor's. */
	memset((uint8_t *)xs.region + 464, 0, 48);
	if (c->cpu)
		return (int)kvm_ioctl(c->cpu->fd, KVM_SET_XSAVE, &xs);
	/* Checked by KVM when the context gets a vCPU again (a state it refuses is reset then). */
	if (!c->fpu && !(c->fpu = malloc(sizeof(*c->fpu))))
		return -ENOMEM;
	*c->fpu = xs;
	return 0;
}

/*
 * One instruction, then #DB (vector 1), which exception() makes SIGTRAP
 * TRAP_TRACE: the trap flag goes into the rflags of the next entry.
 */
static void set_singlestep(struct plat_ctx *c, int on)
{
	c->step = on;
}

static void interrupt(struct plat_ctx *c)
{
	c->kicked = 1;
	if (c->cpu) {
		c->cpu->run->immediate_exit = 1;
		if (c->tid)
			host_tgkill(vm.pid, c->tid, KVM_SIG);
	}
}

static void kill_all(void)
{
	/* The vCPUs are sentry threads: nothing of the platform outlives the sentry. */
}

/*
 * The KVM ioctls the sentry makes once the application runs (the VM and
 * its first memslots are made before the filter).  The fds cannot be
 * named in the filter (they are numbered at run time); the requests can.
 */
static const struct host_rule kvm_rules[] = {
	HOST_ONE("ioctl", "make a vCPU for a new application thread", SCMP_A1(SCMP_CMP_EQ, KVM_CREATE_VCPU)),
	HOST_ONE("ioctl", "a new vCPU's CPUID (what KVM supports)", SCMP_A1(SCMP_CMP_EQ, KVM_SET_CPUID2)),
	HOST_ONE("ioctl", "a new vCPU's syscall MSRs", SCMP_A1(SCMP_CMP_EQ, KVM_SET_MSRS)),
	HOST_ONE("ioctl", "a new vCPU's XCR0", SCMP_A1(SCMP_CMP_EQ, KVM_SET_XCRS)),
	HOST_ONE("ioctl", "a vCPU's segments and page tables, at its start", SCMP_A1(SCMP_CMP_EQ, KVM_SET_SREGS)),
	HOST_ONE("ioctl", "the memory file's memslot; delete and add a spare one to flush the shadow page tables",
		 SCMP_A1(SCMP_CMP_EQ, KVM_SET_USER_MEMORY_REGION)),
	HOST_ONE("ioctl", "run application code", SCMP_A1(SCMP_CMP_EQ, KVM_RUN)),
	HOST_ONE("ioctl", "a vCPU's FPU state, for signal frames", SCMP_A1(SCMP_CMP_EQ, KVM_GET_XSAVE)),
	HOST_ONE("ioctl", "set a vCPU's FPU state (sigreturn)", SCMP_A1(SCMP_CMP_EQ, KVM_SET_XSAVE)),
	HOST_ONE("tgkill", "kick a vCPU's thread out of KVM_RUN", SCMP_A2(SCMP_CMP_EQ, KVM_SIG)),
	/* The ptrace platform's list has it for its stubs; the sentry's own threads need it too. */
	HOST_ANY("rseq", "glibc registers the rseq area of each new sentry thread (an application thread's)"),
};

static const struct host_rules kvm_host_rules = {
	"platform/kvm", kvm_rules, sizeof(kvm_rules) / sizeof(kvm_rules[0]),
};

static const struct platform plat_kvm = {
	.name = "kvm",
	.available = available,
	.host_fd = host_fd,
	.init = init,
	.host_rules = &kvm_host_rules,
	.as_create = as_create,
	.as_destroy = as_destroy,
	.as_map = as_map,
	.as_unmap = as_unmap,
	.as_protect = as_protect,
	.as_defer_put = as_defer_put,
	.ctx_create = ctx_create,
	.ctx_clone = ctx_clone,
	.ctx_adopt = ctx_adopt,
	.ctx_exec = ctx_exec,
	.ctx_destroy = ctx_destroy,
	.enter = enter,
	.as_generation = as_generation,
	.switch_to_user = switch_to_user,
	.get_fpstate = get_fpstate,
	.set_fpstate = set_fpstate,
	.set_singlestep = set_singlestep,
	.interrupt = interrupt,
	.kill_all = kill_all,
	.user_limit = KVM_USER_LIMIT,
};

PLATFORM(plat_kvm)
