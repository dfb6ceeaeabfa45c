/*
 * The kvm platform's guest machine, alone: builds it as platform/kvm does
 * (guest.c), enters ring 3 by iretq, and checks what the platform relies
 * on, printing one line per fact:
 *   - a system call reaches the stub (the nested-host quirk: a #PF at
 *     LSTAR from CPL 3; or the LSTAR hlt on VT-x/AMD-V), RCX/R11 set;
 *   - a page fault reaches it with CR2 and the error code, and a
 *     not-present PTE the host makes present is seen on retry;
 *   - a present PTE the host clears is seen once a spare memslot is
 *     deleted and added again (the platform's way of flushing);
 *   - a present read-only PTE the host points at another frame, writable
 *     (a copy-on-write break), is seen at the guest's next write without a
 *     flush: the stale read-only shadow entry makes KVM walk again;
 *   - hlt in ring 3 is a #GP;
 *   - a present PTE that guest ring-0 code (guest.c's unmap routine, through
 *     the self-map) clears, with invlpg, is seen without a flush (the write
 *     to a shadowed table traps into KVM),
 *     and what that costs per page against a flush and the shadow faults
 *     after it (docs/kvm.md, "Not yet": a cheaper unmap than the flush);
 *   - an address space left for another (cr3) needs no flush for the
 *     other, on tables of fresh frames, to see its own mappings; its
 *     tables' frames, made another space's tables without a flush, may show
 *     the old mappings (printed: why the platform holds them until one).
 * Exit status 0 when every fact holds, 1 otherwise; 77 when /dev/kvm is absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../../platform/kvm/guest.h"

#define MEM (16 << 20)
#define UCODE 0x400000ULL
#define UDATA 0x600000ULL
#define SPARE_GPA (KVM_KERN_GPA + KVM_KERN_SIZE)
#define UTOUCH 0x1000000ULL /* the pages the touch loop reads */
#define NTOUCH 64

static int vm, cpu;
static struct kvm_run *run;
static uint8_t *mem, *kern, *spare;
static uint64_t next_frame = 0x10000, cr3, code_frame, stack_frame;
static int failed;

static uint64_t frame(void)
{
	uint64_t f = next_frame;

	next_frame += 4096;
	return f;
}

/* The leaf PTE of va, making the levels above it. */
static uint64_t *pte(uint64_t va)
{
	uint64_t *t = (uint64_t *)(mem + cr3);
	int lvl;

	for (lvl = 3; lvl > 0; lvl--) {
		unsigned i = (va >> (12 + 9 * lvl)) & 511;

		if (!(t[i] & KVM_PTE_P))
			t[i] = frame() | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U;
		t = (uint64_t *)(mem + (t[i] & KVM_PTE_ADDR));
	}
	return &t[(va >> 12) & 511];
}

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static void slot(unsigned n, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {.slot = n, .guest_phys_addr = gpa, .memory_size = size,
						 .userspace_addr = (uint64_t)host};

	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		perror("KVM_SET_USER_MEMORY_REGION");
		exit(1);
	}
}

/* Runs until the stub's hlt; returns the vector, or -1 (and says why). */
static int enter(void)
{
	struct kvm_regs *r = &run->s.regs.regs;

	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if (ioctl(cpu, KVM_RUN, 0) < 0) {
		perror("KVM_RUN");
		return -1;
	}
	if (run->exit_reason != KVM_EXIT_HLT) {
		printf("exit reason %u at rip %#llx\n", run->exit_reason, r->rip);
		return -1;
	}
	if (r->rip == KVM_LSTAR + 1)
		return 0x100; /* the real syscall entry */
	return (int)((r->rip - 1 - KVM_CODE_VA) / KVM_VEC_STRIDE);
}

static uint64_t *frame_of(int v)
{
	uint64_t sp = run->s.regs.regs.rsp;

	return (uint64_t *)(kern + (sp - KVM_KERN_VA) + (kvm_vec_has_error((unsigned)v) ? 8 : 0));
}

/* Back to ring 3 at rip with rsp: the frame for iretq at the top of the stack. */
static void to_user(uint64_t rip, uint64_t rsp)
{
	uint64_t top = kvm_cpu_stack_top(0) - 40;
	uint64_t *f = (uint64_t *)(kern + (top - KVM_KERN_VA));

	f[0] = rip;
	f[1] = KVM_SEL_UCODE;
	f[2] = 0x202;
	f[3] = rsp;
	f[4] = KVM_SEL_UDATA;
	run->s.regs.regs.rip = KVM_CODE_VA + KVM_OFF_IRET;
	run->s.regs.regs.rsp = top;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
}

/*
 * Runs the ring-0 routine at rip (the vCPU is stopped in ring 0 at the
 * stub): it writes n PTEs from the list at list (PTE addresses in the self-map)
 * and invlpgs each, then hlts.  1 when it ran to its hlt.
 */
static int ring0(uint64_t rip, uint64_t list, uint64_t n, uint64_t end)
{
	struct kvm_regs *r = &run->s.regs.regs;

	r->rip = rip;
	r->rsi = list;
	r->rcx = n;
	run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if (ioctl(cpu, KVM_RUN, 0) < 0) {
		perror("KVM_RUN");
		return 0;
	}
	if (run->exit_reason != KVM_EXIT_HLT || r->rip != end) {
		printf("ring-0 routine: exit reason %u at rip %#llx\n", run->exit_reason, r->rip);
		return 0;
	}
	return 1;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(void)
{
	static const uint8_t prog[] = {
		0xb8, 0x27, 0, 0, 0,          /* mov $39, %eax */
		0x0f, 0x05,                   /* syscall */
		0x8b, 0x04, 0x25, 0, 0, 0x60, 0, /* mov 0x600000, %eax */
		0x8b, 0x04, 0x25, 0, 0, 0x60, 0, /* again, after the host's unmap */
		0xf4,                         /* hlt */
		0x0f, 0x05, 0xeb, 0xfc,       /* loop: syscall; jmp loop */
		0x8b, 0x04, 0x25, 0, 0, 0x60, 0, /* 26: mov 0x600000, %eax (a read-only page) */
		0xf4,                         /* 33: hlt (the host breaks the copy-on-write) */
		0xc7, 0x04, 0x25, 0, 0, 0x60, 0, 0x34, 0x12, 0, 0, /* 34: movl $0x1234, 0x600000 */
		0x8b, 0x04, 0x25, 0, 0, 0x60, 0, /* 45: mov 0x600000, %eax */
		0xf4,                         /* 52: hlt */
		0xb8, 0, 0, 0, 1,             /* 53: mov $UTOUCH, %eax */
		0xb9, NTOUCH, 0, 0, 0,        /* mov $NTOUCH, %ecx */
		0x8b, 0x10,                   /* 1: mov (%rax), %edx */
		0x48, 0x05, 0, 0x10, 0, 0,    /* add $4096, %rax */
		0xff, 0xc9,                   /* dec %ecx */
		0x75, 0xf4,                   /* jnz 1b */
		0xf4,                         /* 75: hlt */
	};
	struct kvm_cpuid2 *cpuid;
	struct kvm_sregs sregs;
	struct kvm_msrs *msrs;
	uint64_t *f;
	int kvm, v, i;
	double t0;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("SKIP: /dev/kvm: %s\n", strerror(errno));
		return 77;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("KVM_CREATE_VM");
		return 1;
	}
	mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	kern = mmap(NULL, KVM_KERN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	spare = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	slot(0, 0, MEM, mem);
	slot(1, KVM_KERN_GPA, KVM_KERN_SIZE, kern);
	slot(2, SPARE_GPA, 4096, spare);
	kvm_guest_build(kern);
	kvm_guest_cpu(kern, 0);
	cr3 = frame();
	kvm_guest_pml4((uint64_t *)(mem + cr3), cr3);
	{
		uint64_t c = frame(), st = frame();

		memcpy(mem + c, prog, sizeof(prog));
		*pte(UCODE) = c | KVM_PTE_P | KVM_PTE_U;
		*pte(0x7ff000) = st | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_NX;
		pte(UDATA); /* its table, not the page */
		code_frame = c;
		stack_frame = st;
	}
	cpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE, MAP_SHARED, cpu, 0);
	cpuid = calloc(1, sizeof(*cpuid) + 256 * sizeof(struct kvm_cpuid_entry2));
	cpuid->nent = 256;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0 || ioctl(cpu, KVM_SET_CPUID2, cpuid) < 0)
		perror("cpuid");
	kvm_guest_sregs(&sregs, 0, cr3);
	if (ioctl(cpu, KVM_SET_SREGS, &sregs) < 0) {
		perror("KVM_SET_SREGS");
		return 1;
	}
	msrs = calloc(1, sizeof(*msrs) + 3 * sizeof(struct kvm_msr_entry));
	msrs->nmsrs = 3;
	msrs->entries[0].index = 0xc0000082; /* LSTAR */
	msrs->entries[0].data = KVM_LSTAR;
	msrs->entries[1].index = 0xc0000081; /* STAR */
	msrs->entries[1].data = ((uint64_t)KVM_SEL_UCODE32 << 48) | ((uint64_t)KVM_SEL_KCODE << 32);
	msrs->entries[2].index = 0xc0000084; /* SFMASK */
	msrs->entries[2].data = 0x47700;
	if (ioctl(cpu, KVM_SET_MSRS, msrs) != 3)
		perror("KVM_SET_MSRS");
	memset(&run->s.regs.regs, 0, sizeof(run->s.regs.regs));
	run->s.regs.regs.rflags = 2;
	to_user(UCODE, 0x800000);

	v = enter();
	f = v >= 0 && v < 256 ? frame_of(v) : NULL;
	if (v == 14)
		printf("syscall arrived as #PF: error %#lx rip %#lx cs %#lx cr2 %#llx\n", f[-1], f[0], f[1],
		       run->s.regs.sregs.cr2);
	check((v == 14 && f[0] == KVM_LSTAR && f[1] == KVM_SEL_UCODE && f[-1] == 0x15) || v == 0x100,
	      "syscall reaches the stub");
	check(run->s.regs.regs.rcx == UCODE + 7 && run->s.regs.regs.rax == 39, "RCX is the return address, RAX the number");
	to_user(run->s.regs.regs.rcx, v == 14 ? f[3] : run->s.regs.regs.rsp);

	v = enter();
	f = frame_of(v);
	check(v == 14 && run->s.regs.sregs.cr2 == UDATA && (f[-1] & 7) == 4 && f[0] == UCODE + 7,
	      "read of a not-present page: #PF, CR2, error code U");
	*pte(UDATA) = frame() | KVM_PTE_P | KVM_PTE_U | KVM_PTE_NX;
	to_user(f[0], f[3]);

	v = enter();
	f = frame_of(v);
	check(v == 13 && f[0] == UCODE + 21, "the host's not-present -> present edit is seen; hlt in ring 3 is a #GP");
	*pte(UDATA) = 0;
	to_user(UCODE + 7, 0x800000);
	v = enter();
	printf("after the host cleared a present PTE: vector %d (%s)\n", v,
	       v == 14 ? "seen without a flush" : "not seen: the quirk");
	*pte(UDATA) = 0;
	slot(2, SPARE_GPA, 0, spare);
	slot(2, SPARE_GPA, 4096, spare);
	to_user(UCODE + 7, 0x800000);
	v = enter();
	check(v == 14 && run->s.regs.sregs.cr2 == UDATA, "a cleared PTE is seen after a spare memslot's delete + add");

	{
		uint64_t a = frame(), b = frame();

		*(uint32_t *)(mem + a) = *(uint32_t *)(mem + b) = 0xaaaa;
		*pte(UDATA) = a | KVM_PTE_P | KVM_PTE_U | KVM_PTE_NX | KVM_PTE_A;
		to_user(UCODE + 26, 0x800000);
		v = enter();
		check(v == 13 && run->s.regs.regs.rax == 0xaaaa, "a read-only page is read");
		*pte(UDATA) = b | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_NX | KVM_PTE_A | KVM_PTE_D;
		to_user(UCODE + 34, 0x800000);
		v = enter();
		f = frame_of(v);
		check(v == 13 && f[0] == UCODE + 52 && run->s.regs.regs.rax == 0x1234 && *(uint32_t *)(mem + b) == 0x1234 &&
		      *(uint32_t *)(mem + a) == 0xaaaa,
		      "read-only -> another frame, writable: the write and what follows see the new frame, no flush");
	}

	{
		/* guest.c's unmap routine, through the self-map, with vCPU 0's list. */
		uint64_t *l = (uint64_t *)(kern + (kvm_cpu_unmap_list(0) - KVM_KERN_VA)), *ptes[NTOUCH];
		uint64_t code = KVM_CODE_VA + KVM_OFF_UNMAP, end = KVM_CODE_VA + KVM_OFF_UNMAP_END;
		double t_touch, t_flush, t_run[2] = {0, 0};
		int k, n;

		/* UDATA is present and was used, so shadowed: ring 0 clears it. */
		l[0] = kvm_pte_va(UDATA);
		l[1] = 0;
		l[2] = UDATA;
		check(ring0(code, kvm_cpu_unmap_list(0), 1, end), "the unmap routine runs in ring 0");
		to_user(UCODE + 7, 0x800000);
		v = enter();
		check(v == 14 && run->s.regs.sregs.cr2 == UDATA,
		      "a present PTE that ring-0 code clears, with invlpg, is seen without a flush");

		for (i = 0; i < NTOUCH; i++) {
			ptes[i] = pte(UTOUCH + (uint64_t)i * 4096);
			*ptes[i] = frame() | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_NX;
		}
		to_user(UCODE + 53, 0x800000);
		v = enter();
		check(v == 13 && frame_of(v)[0] == UCODE + 75, "the touch loop runs");
		t0 = now_us();
		for (k = 0; k < 50; k++) {
			to_user(UCODE + 53, 0x800000);
			enter();
		}
		t_touch = (now_us() - t0) / 50;
		t0 = now_us();
		for (k = 0; k < 50; k++) {
			slot(2, SPARE_GPA, 0, spare);
			slot(2, SPARE_GPA, 4096, spare);
			to_user(UCODE + 53, 0x800000);
			enter();
		}
		t_flush = (now_us() - t0) / 50;
		/* Unmaps of 1 and of NTOUCH shadowed pages (the P bit cleared), each in one run of the routine. */
		for (n = 0; n < 2; n++) {
			int pages = n ? NTOUCH : 1;

			for (k = 0; k < 20; k++) {
				for (i = 0; i < NTOUCH; i++)
					*ptes[i] |= KVM_PTE_P; /* not present -> present: seen at once */
				to_user(UCODE + 53, 0x800000);
				v = enter();
				if (v != 13 || frame_of(v)[0] != UCODE + 75)
					check(0, "the touch loop runs again after the host maps its pages back");
				for (i = 0; i < pages; i++) {
					l[3 * i] = kvm_pte_va(UTOUCH + (uint64_t)i * 4096);
					l[3 * i + 1] = *ptes[i] & ~KVM_PTE_P;
					l[3 * i + 2] = UTOUCH + (uint64_t)i * 4096;
				}
				t0 = now_us();
				if (!ring0(code, kvm_cpu_unmap_list(0), (uint64_t)pages, end))
					check(0, "the unmap routine runs");
				t_run[n] += now_us() - t0;
			}
			t_run[n] /= 20;
		}
		/* All but the last mapped again by the host: the last one, unmapped by ring 0, faults. */
		for (i = 0; i < NTOUCH - 1; i++)
			*ptes[i] |= KVM_PTE_P;
		to_user(UCODE + 53, 0x800000);
		v = enter();
		check(v == 14 && run->s.regs.sregs.cr2 == UTOUCH + (NTOUCH - 1) * 4096ULL,
		      "each page of a batch ring 0 unmapped faults at once");
		printf("touch %d shadowed pages: %.1f us a run; after a flush (memslot delete + add): %.1f us\n", NTOUCH,
		       t_touch, t_flush);
		printf("ring-0 unmap with invlpg, one run of the routine: 1 page %.1f us, %d pages %.1f us (%.1f us a page)\n",
		       t_run[0], NTOUCH, t_run[1], (t_run[1] - t_run[0]) / (NTOUCH - 1));
	}

	{
		/*
		 * Address spaces that end: B maps UDATA to a page holding 0xbbbb
		 * and reads it (so its tables are shadowed), then the vCPU moves
		 * to C, whose tables are fresh frames: it must read its own page.
		 * Then B's tables, rewritten by the host (as if made another
		 * space's tables), are loaded again without a flush.
		 */
		uint64_t a_cr3 = cr3, b_cr3, c_cr3, db = frame(), dc = frame(), dd = frame();

		*(uint32_t *)(mem + db) = 0xbbbb;
		*(uint32_t *)(mem + dc) = 0xcccc;
		*(uint32_t *)(mem + dd) = 0xdddd;
		b_cr3 = cr3 = frame();
		kvm_guest_pml4((uint64_t *)(mem + cr3), cr3);
		*pte(UCODE) = code_frame | KVM_PTE_P | KVM_PTE_U;
		*pte(0x7ff000) = stack_frame | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_NX;
		*pte(UDATA) = db | KVM_PTE_P | KVM_PTE_U | KVM_PTE_NX | KVM_PTE_A;
		c_cr3 = cr3 = frame();
		kvm_guest_pml4((uint64_t *)(mem + cr3), cr3);
		*pte(UCODE) = code_frame | KVM_PTE_P | KVM_PTE_U;
		*pte(0x7ff000) = stack_frame | KVM_PTE_P | KVM_PTE_W | KVM_PTE_U | KVM_PTE_NX;
		*pte(UDATA) = dc | KVM_PTE_P | KVM_PTE_U | KVM_PTE_NX | KVM_PTE_A;
		cr3 = a_cr3;
		for (i = 0; i < 3; i++) {
			uint64_t want[3] = {0xbbbb, 0xcccc, 0xbbbb}, as[3] = {b_cr3, c_cr3, b_cr3};

			if (i == 2) {
				/* B's leaf for UDATA now names dd, as a reuse of its table would. */
				cr3 = b_cr3;
				*pte(UDATA) = dd | KVM_PTE_P | KVM_PTE_U | KVM_PTE_NX | KVM_PTE_A;
				cr3 = a_cr3;
			}
			to_user(UCODE + 26, 0x800000);
			run->s.regs.sregs.cr3 = as[i];
			run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
			v = enter();
			if (i == 0)
				check(v == 13 && run->s.regs.regs.rax == want[0], "an address space reads its page");
			else if (i == 1)
				check(v == 13 && run->s.regs.regs.rax == want[1],
				      "the next address space, on fresh table frames, reads its own page, no flush");
			else
				printf("an ended space's tables reused by the host without a flush: %s\n",
				       run->s.regs.regs.rax == 0xdddd ? "the new mapping is seen"
				       : run->s.regs.regs.rax == 0xbbbb ? "the old mapping is seen (stale shadows)"
									 : "something else is read");
		}
		slot(2, SPARE_GPA, 0, spare);
		slot(2, SPARE_GPA, 4096, spare);
		to_user(UCODE + 26, 0x800000);
		v = enter();
		check(v == 13 && run->s.regs.regs.rax == 0xdddd, "... and after a flush, the new mapping");
		run->s.regs.sregs.cr3 = a_cr3;
		run->kvm_dirty_regs |= KVM_SYNC_X86_SREGS;
	}

	/* Cost of a system call through the exit path. */
	t0 = now_us();
	to_user(UCODE + 22, 0x800000);
	for (i = 0; i < 2000; i++) {
		v = enter();
		f = frame_of(v);
		to_user(run->s.regs.regs.rcx, v == 14 ? f[3] : run->s.regs.regs.rsp);
	}
	printf("system call round trip: %.1f us\n", (now_us() - t0) / 2000);
	t0 = now_us();
	for (i = 0; i < 200; i++) {
		slot(2, SPARE_GPA, 0, spare);
		slot(2, SPARE_GPA, 4096, spare);
	}
	printf("memslot delete + add: %.1f us\n", (now_us() - t0) / 200);
	return failed;
}
