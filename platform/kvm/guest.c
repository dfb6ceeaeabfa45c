/*
 * The bytes of the guest's ring-0 side (see guest.h).  The stub is as small
 * as it can be because every ring-0 instruction costs microseconds on a
 * nested host (docs/kvm.md): each vector's handler is one hlt, which exits
 * to the sentry with the application's registers untouched and the
 * processor's frame on the vCPU's stack; the sentry reads and writes that
 * frame in its own mapping of the kernel region, and goes back to ring 3
 * through one iretq.
 */
#include <linux/kvm.h>
#include <string.h>

#include "guest.h"

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void gate(uint8_t *idt, unsigned v, uint64_t target, unsigned dpl, unsigned ist)
{
	uint8_t *g = idt + v * 16;

	g[0] = (uint8_t)target;
	g[1] = (uint8_t)(target >> 8);
	g[2] = KVM_SEL_KCODE;
	g[3] = 0;
	g[4] = (uint8_t)ist;
	g[5] = (uint8_t)(0x8e | (dpl << 5)); /* present, 64-bit interrupt gate */
	g[6] = (uint8_t)(target >> 16);
	g[7] = (uint8_t)(target >> 24);
	g[8] = (uint8_t)(target >> 32);
	g[9] = (uint8_t)(target >> 40);
	g[10] = (uint8_t)(target >> 48);
	g[11] = (uint8_t)(target >> 56);
}

/* The unmap routine (guest.h); 27 bytes, KVM_OFF_UNMAP_END - KVM_OFF_UNMAP. */
static const uint8_t unmap[] = {
	0x48, 0x8b, 0x06,       /* 1: mov (%rsi), %rax */
	0x48, 0x8b, 0x56, 0x08, /* mov 8(%rsi), %rdx */
	0x48, 0x89, 0x10,       /* mov %rdx, (%rax) */
	0x48, 0x8b, 0x46, 0x10, /* mov 16(%rsi), %rax */
	0x0f, 0x01, 0x38,       /* invlpg (%rax) */
	0x48, 0x83, 0xc6, 0x18, /* add $24, %rsi */
	0x48, 0xff, 0xc9,       /* dec %rcx */
	0x75, 0xe6,             /* jnz 1b */
	0xf4,                   /* hlt */
};
_Static_assert(sizeof(unmap) == KVM_OFF_UNMAP_END - KVM_OFF_UNMAP, "the unmap routine's end");

void kvm_guest_build(uint8_t *region)
{
	uint8_t *code = region + KVM_PG_CODE * 4096, *idt = region + KVM_PG_IDT * 4096;
	uint64_t *pdpt = (uint64_t *)(region + KVM_PG_PDPT * 4096), *pd = (uint64_t *)(region + KVM_PG_PD * 4096);
	uint64_t *pt = (uint64_t *)(region + KVM_PG_PT * 4096);
	unsigned v;
	uint64_t i;

	/* Every byte not an entry is ud2's first byte or int3: a stray jump in ring 0 faults again. */
	memset(code, 0xcc, 4096);
	for (v = 0; v < 256; v++) {
		code[v * KVM_VEC_STRIDE] = 0xf4; /* hlt */
		/* int3 and into may be used from ring 3 (as on Linux); the rest only by the processor. */
		gate(idt, v, KVM_CODE_VA + v * KVM_VEC_STRIDE, v == 3 || v == 4 ? 3 : 0,
		     v == 1 || v == 2 || v == 8 || v == 18 ? 1 : 0);
	}
	code[KVM_OFF_IRET] = 0x48; /* iretq */
	code[KVM_OFF_IRET + 1] = 0xcf;
	/*
	 * Reached in ring 0 on VT-x/AMD-V with the user's stack: hlt uses none.
	 * A syscall made with the trap flag set may raise #DB here, before the
	 * hlt: vector 1 takes IST1, so its frame never lands on a stack the
	 * application chose.
	 */
	code[KVM_OFF_LSTAR] = 0xf4;
	memcpy(code + KVM_OFF_UNMAP, unmap, sizeof(unmap));

	/* The kernel half: PML4[511] -> PDPT[510] -> PD[0..7] -> 4 KiB pages. */
	pdpt[510] = (KVM_KERN_GPA + KVM_PG_PD * 4096) | KVM_PTE_P | KVM_PTE_W;
	for (i = 0; i < KVM_KERN_PAGES / 512; i++)
		pd[i] = (KVM_KERN_GPA + (KVM_PG_PT + i) * 4096) | KVM_PTE_P | KVM_PTE_W;
	for (i = 0; i < KVM_KERN_PAGES; i++) {
		uint64_t f = KVM_PTE_P | KVM_PTE_A | KVM_PTE_D;

		if (i == KVM_PG_CODE)
			f = KVM_PTE_P | KVM_PTE_A;
		else
			f |= KVM_PTE_W | KVM_PTE_NX;
		pt[i] = (KVM_KERN_GPA + i * 4096) | f;
	}
}

void kvm_guest_cpu(uint8_t *region, unsigned i)
{
	uint8_t *page = region + (KVM_PG_CPU0 + i * KVM_CPU_PAGES) * 4096;
	uint8_t *tss = page + 128;
	uint64_t tss_va = KVM_KERN_VA + (KVM_PG_CPU0 + i * KVM_CPU_PAGES) * 4096ULL + 128;
	uint64_t *gdt = (uint64_t *)page;

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffULL; /* 0x08: kernel code, 32-bit (unused, Linux's slot) */
	gdt[2] = 0x00af9b000000ffffULL; /* 0x10: kernel code */
	gdt[3] = 0x00cf93000000ffffULL; /* 0x18: kernel data */
	gdt[4] = 0x00cffb000000ffffULL; /* 0x23: user code, 32-bit */
	gdt[5] = 0x00cff3000000ffffULL; /* 0x2b: user data */
	gdt[6] = 0x00affb000000ffffULL; /* 0x33: user code */
	gdt[7] = 0;
	/* 0x40: the TSS, a 16-byte system descriptor (type 0xb: busy, as loaded). */
	gdt[8] = 0x67 | ((tss_va & 0xffffff) << 16) | (0x8bULL << 40) | (((tss_va >> 24) & 0xff) << 56);
	gdt[9] = tss_va >> 32;
	memset(tss, 0, 104);
	put64(tss + 4, kvm_cpu_stack_top(i));         /* RSP0 */
	put64(tss + 36, kvm_cpu_stack_top(i) + 4096); /* IST1: #DB, NMI, #DF, #MC */
	tss[102] = 104;                               /* no I/O bitmap: in/out from ring 3 fault */
}

void kvm_guest_pml4(uint64_t *pml4, uint64_t gpa)
{
	pml4[511] = (KVM_KERN_GPA + KVM_PG_PDPT * 4096) | KVM_PTE_P | KVM_PTE_W;
	pml4[KVM_PML4_SELF] = gpa | KVM_PTE_P | KVM_PTE_W | KVM_PTE_A | KVM_PTE_NX;
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type, uint8_t dpl, uint8_t l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->dpl = dpl;
	s->db = l ? 0 : 1;
	s->s = 1;
	s->l = l;
	s->g = 1;
}

void kvm_guest_sregs(struct kvm_sregs *s, unsigned i, uint64_t cr3)
{
	uint64_t cpu_va = KVM_KERN_VA + (KVM_PG_CPU0 + i * KVM_CPU_PAGES) * 4096ULL;

	memset(s, 0, sizeof(*s));
	seg(&s->cs, KVM_SEL_KCODE, 11, 0, 1);
	seg(&s->ss, KVM_SEL_KDATA, 3, 0, 0);
	/* Data segments as a 64-bit process has them: null selectors, flat. */
	seg(&s->ds, 0, 3, 0, 0);
	seg(&s->es, 0, 3, 0, 0);
	seg(&s->fs, 0, 3, 0, 0);
	seg(&s->gs, 0, 3, 0, 0);
	s->ds.unusable = s->es.unusable = s->fs.unusable = s->gs.unusable = 1;
	s->ds.present = s->es.present = s->fs.present = s->gs.present = 0;
	memset(&s->tr, 0, sizeof(s->tr));
	s->tr.selector = KVM_SEL_TSS;
	s->tr.base = cpu_va + 128;
	s->tr.limit = 0x67;
	s->tr.type = 11;
	s->tr.present = 1;
	s->ldt.selector = 0;
	s->ldt.unusable = 1;
	s->ldt.type = 2;
	s->gdt.base = cpu_va;
	s->gdt.limit = KVM_GDT_BYTES - 1;
	s->idt.base = KVM_KERN_VA + KVM_PG_IDT * 4096ULL;
	s->idt.limit = 4095;
	s->cr0 = KVM_CR0;
	s->cr3 = cr3;
	s->cr4 = KVM_CR4;
	s->efer = KVM_EFER;
}
