/*
 * The guest machine the kvm platform builds: its physical and virtual
 * layout, and the bytes of its ring-0 side (the entry stub, the IDT, the
 * GDT and TSS of each vCPU, the kernel half's page tables).  Pure memory
 * writes, no host call, so tests/kvm/probe.c builds the same machine.
 *
 * Guest physical memory:
 *   [0, KVM_MF_GPA_END)          the memory file, frame offset == address
 *   [KVM_KERN_GPA, +KVM_KERN_SIZE) the kernel region: host memory of the
 *                                platform's own, never a memory-file frame,
 *                                so no application mapping can reach it
 * Guest virtual memory:
 *   [0, KVM_USER_LIMIT)          the application's (its page tables are
 *                                memory-file frames the platform owns)
 *   KVM_SELF_VA..                the address space's own page tables
 *                                (PML4 entry 510 points at the PML4),
 *                                supervisor-only, for the unmap routine
 *   KVM_KERN_VA..                the kernel region, supervisor-only
 */
#pragma once

#include <stdint.h>

#define KVM_MF_GPA_END (1ULL << 40)
#define KVM_KERN_GPA (1ULL << 40)
#define KVM_KERN_PAGES 4096ULL /* 16 MiB, touched only as vCPUs are made */
#define KVM_KERN_SIZE (KVM_KERN_PAGES * 4096)
#define KVM_KERN_VA 0xffffffff80000000ULL
#define KVM_USER_LIMIT 0x7ffffffff000ULL

/* Pages of the kernel region. */
#define KVM_PG_CODE 0
#define KVM_PG_IDT 1
#define KVM_PG_PDPT 2
#define KVM_PG_PD 3
#define KVM_PG_PT 4 /* KVM_KERN_PAGES / 512 of them */
#define KVM_PG_CPU0 (KVM_PG_PT + KVM_KERN_PAGES / 512)
#define KVM_CPU_PAGES 3 /* GDT and TSS; the stack of ring-3 entries; the IST stack */
#define KVM_MAX_CPUS ((KVM_KERN_PAGES - KVM_PG_CPU0) / KVM_CPU_PAGES) /* 1361: past KVM's 1024 */

/*
 * The entry stub, in the code page: a hlt per vector, then iretq, then the
 * syscall entry, then the unmap routine: run in ring 0 with rsi at a list
 * of rcx (> 0) entries {PTE address, value, va}, it writes each PTE and
 * invlpgs its va, then hlts (KVM_OFF_UNMAP_END is the rip after the hlt).
 * A guest write to a page table the nested host shadows makes KVM drop the
 * shadow entry, which a host write never does (docs/kvm.md).
 */
#define KVM_VEC_STRIDE 8
#define KVM_OFF_IRET 2048
#define KVM_OFF_LSTAR 2064
#define KVM_OFF_UNMAP 2080
#define KVM_OFF_UNMAP_END (KVM_OFF_UNMAP + 27)
#define KVM_CODE_VA (KVM_KERN_VA + KVM_PG_CODE * 4096)
#define KVM_LSTAR (KVM_CODE_VA + KVM_OFF_LSTAR)

/* Linux's selectors, so that STAR's layout (and sysret) works. */
#define KVM_SEL_KCODE 0x10
#define KVM_SEL_KDATA 0x18
#define KVM_SEL_UCODE32 0x23
#define KVM_SEL_UDATA 0x2b
#define KVM_SEL_UCODE 0x33
#define KVM_SEL_TSS 0x40
#define KVM_GDT_BYTES 80

/* Page-table entry bits. */
#define KVM_PTE_P 0x1ULL
#define KVM_PTE_W 0x2ULL
#define KVM_PTE_U 0x4ULL
#define KVM_PTE_A 0x20ULL
#define KVM_PTE_D 0x40ULL
#define KVM_PTE_NX (1ULL << 63)
#define KVM_PTE_ADDR 0x000ffffffffff000ULL

/* Control registers and EFER of every vCPU. */
#define KVM_CR0 0x80050033ULL /* PG WP NE ET MP PE */
#define KVM_CR4 0x50620ULL    /* OSXSAVE FSGSBASE OSXMMEXCPT OSFXSR PAE */
#define KVM_EFER 0xd01ULL     /* NXE LMA LME SCE */

/* The ring-3 entry stack of vCPU i: an exception frame from ring 3 ends at its top. */
static inline uint64_t kvm_cpu_stack_top(unsigned i)
{
	return KVM_KERN_VA + (KVM_PG_CPU0 + i * KVM_CPU_PAGES + 2) * 4096ULL;
}

/* The unmap routine's list of vCPU i (in its GDT and TSS page, past them): KVM_UNMAP_MAX entries. */
#define KVM_UNMAP_LIST_OFF 512
#define KVM_UNMAP_MAX 128
static inline uint64_t kvm_cpu_unmap_list(unsigned i)
{
	return KVM_KERN_VA + (KVM_PG_CPU0 + i * KVM_CPU_PAGES) * 4096ULL + KVM_UNMAP_LIST_OFF;
}

/* The self-map: the leaf PTE of user address va, as ring 0 reaches it. */
#define KVM_PML4_SELF 510
#define KVM_SELF_VA 0xffffff0000000000ULL
static inline uint64_t kvm_pte_va(uint64_t va)
{
	return KVM_SELF_VA + ((va >> 9) & 0x7ffffffff8ULL);
}

/* Fills the shared pages of the kernel region (code, IDT, kernel page tables); region is zeroed. */
void kvm_guest_build(uint8_t *region);
/* Fills vCPU i's GDT and TSS. */
void kvm_guest_cpu(uint8_t *region, unsigned i);
/* Points PML4 entry 511 of a new address space (its frame at gpa) at the kernel half, 510 at itself. */
void kvm_guest_pml4(uint64_t *pml4, uint64_t gpa);

struct kvm_sregs;
/* Ring-0 state of vCPU i on address space cr3 (a new vCPU starts there, and returns to ring 3 by iretq). */
void kvm_guest_sregs(struct kvm_sregs *s, unsigned i, uint64_t cr3);

/* Vector v has an error code on its frame. */
static inline int kvm_vec_has_error(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}
