/* Supervisor-mode helpers for the guest runtime, imported into Swift as the Clang module
   `GuestShim`. Guests run in S-mode (VS-mode under the Vireo hypervisor, S-mode under
   OpenSBI) and reach the machine only through SBI. Only instructions rv64imac_zicsr
   assembles: swiftc silently drops inline asm it cannot assemble (EMBEDDED.md pitfall 1),
   so tools/build/guests.sh compiles this header once with clang -c to catch that.
   64-bit values use unsigned long long (imports as UInt64). */
#ifndef VIREO_GUEST_SHIM_H
#define VIREO_GUEST_SHIM_H

/* Registers saved by rt_trap_entry (start.S), in x-register order at 8*i, then the trap
   CSRs. The handler may change any field; sepc, sstatus and the GPRs are written back on
   sret. `sp` holds the interrupted stack pointer. */
typedef struct TrapFrame {
  unsigned long long zero, ra, sp, gp, tp, t0, t1, t2;
  unsigned long long s0, s1, a0, a1, a2, a3, a4, a5;
  unsigned long long a6, a7, s2, s3, s4, s5, s6, s7;
  unsigned long long s8, s9, s10, s11, t3, t4, t5, t6;
  unsigned long long sepc, sstatus, scause, stval;
} TrapFrame;

/* SBI call result (SBI §3 "Binary Encoding"): a0 = error, a1 = value. */
typedef struct SBIRet {
  long long error;
  unsigned long long value;
} SBIRet;

/* ecall with EID in a7, FID in a6 and up to six arguments; returns a0/a1. */
static inline SBIRet sbi_ecall(unsigned long long eid, unsigned long long fid,
                               unsigned long long arg0, unsigned long long arg1,
                               unsigned long long arg2, unsigned long long arg3,
                               unsigned long long arg4, unsigned long long arg5) {
  register unsigned long long a0 __asm__("a0") = arg0;
  register unsigned long long a1 __asm__("a1") = arg1;
  register unsigned long long a2 __asm__("a2") = arg2;
  register unsigned long long a3 __asm__("a3") = arg3;
  register unsigned long long a4 __asm__("a4") = arg4;
  register unsigned long long a5 __asm__("a5") = arg5;
  register unsigned long long a6 __asm__("a6") = fid;
  register unsigned long long a7 __asm__("a7") = eid;
  __asm__ volatile("ecall"
                   : "+r"(a0), "+r"(a1)
                   : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
                   : "memory");
  SBIRet ret = {(long long)a0, a1};
  return ret;
}

#include "csr.h"

RT_CSR_READ(sstatus)
RT_CSR_WRITE(sstatus)
RT_CSR_READ(sie)
RT_CSR_WRITE(sie)
RT_CSR_READ(sip)
RT_CSR_WRITE(sip)
RT_CSR_READ(stvec)
RT_CSR_WRITE(stvec)
RT_CSR_READ(sscratch)
RT_CSR_WRITE(sscratch)
RT_CSR_READ(scause)
RT_CSR_READ(sepc)
RT_CSR_READ(stval)
RT_CSR_READ(satp)
/* satp writes (Priv. §12.1.11): the pager guest turns Sv39 on and off. */
RT_CSR_WRITE(satp)
/* Unprivileged counters (Zicntr); S-mode reads need mcounteren (and hcounteren) bits. */
RT_CSR_READ(time)
RT_CSR_READ(cycle)
RT_CSR_READ(instret)

/* Waits for an interrupt; the clobber makes the compiler re-read memory afterwards. */
static inline void wait_for_interrupt(void) {
  __asm__ volatile("wfi" : : : "memory");
}

/* Stops the compiler from moving memory accesses across this point. */
static inline void compiler_barrier(void) {
  __asm__ volatile("" : : : "memory");
}

static inline void fence_i(void) {
  __asm__ volatile("fence.i" : : : "memory");
}

/* Memory ordering for memory a device reads and writes (Unpriv. "Memory Ordering
   Instructions", RVWMO). fence_rw_rw orders every earlier load and store before every later
   one: between filling virtqueue descriptors and publishing the available index, and
   between reading the used index and reading the used elements (virtio §2.7.13, §2.7.14).
   fence_iorw_iorw also orders device (I/O) accesses: memory before an MMIO doorbell, and an
   MMIO read (an interrupt status) before the memory reads that follow it. */
static inline void fence_rw_rw(void) {
  __asm__ volatile("fence rw, rw" : : : "memory");
}

static inline void fence_iorw_iorw(void) {
  __asm__ volatile("fence iorw, iorw" : : : "memory");
}

static inline void sfence_vma_all(void) {
  __asm__ volatile("sfence.vma" : : : "memory");
}

/* SFENCE.VMA for one virtual address, every ASID (Priv. §12.2.1: rs1 = the address,
   rs2 = x0): after changing the leaf PTE that maps it. */
static inline void sfence_vma_address(unsigned long long address) {
  __asm__ volatile("sfence.vma %0, zero" : : "r"(address) : "memory");
}

/* SFENCE.VMA for one virtual address in one address space (Priv. §12.2.1: rs1 = the
   address, rs2 = the ASID): the smp guest's paging case fences a superpage so. */
static inline void sfence_vma_address_asid(unsigned long long address, unsigned long long asid) {
  __asm__ volatile("sfence.vma %0, %1" : : "r"(address), "r"(asid) : "memory");
}

/* AMOSWAP.D (Unpriv. "A": an atomic read-modify-write): stores `value` at `address` and
   returns the doubleword that was there. Kernels update PTEs this way (Linux's
   ptep_get_and_clear); the smp guest's paging case remaps a page with it. */
static inline unsigned long long amoswap_d(unsigned long long address, unsigned long long value) {
  unsigned long long old;
  __asm__ volatile("amoswap.d %0, %2, (%1)" : "=r"(old) : "r"(address), "r"(value) : "memory");
  return old;
}

/* start.S: the trap vector installed in stvec at boot. */
void rt_trap_entry(void);

/* start.S: instructions written out in assembly so the faulting encoding is fixed.
   rt_read_mstatus executes `csrr a0, mstatus` (0x30002573), illegal below M-mode;
   rt_illegal_instruction executes `unimp` (the 16-bit 0x0000, always illegal);
   rt_load_u64/rt_store_u64 are one `ld`/`sd` at an address; rt_jump is `jr a0`. */
unsigned long long rt_read_mstatus(void);
void rt_illegal_instruction(void);
unsigned long long rt_load_u64(unsigned long long address);
void rt_store_u64(unsigned long long address, unsigned long long value);
void rt_jump(unsigned long long address);

/* Linker symbols (linker/guest.ld). */
extern unsigned char __image_start[];
extern unsigned char _end[];
extern unsigned char __heap_start[];
extern unsigned char __heap_end[];

static inline unsigned long long image_start_address(void) {
  return (unsigned long long)__image_start;
}

static inline unsigned long long image_end_address(void) {
  return (unsigned long long)_end;
}

/* Address of a function, for comparing with sepc. */
static inline unsigned long long rt_read_mstatus_address(void) {
  return (unsigned long long)&rt_read_mstatus;
}

static inline unsigned long long rt_illegal_instruction_address(void) {
  return (unsigned long long)&rt_illegal_instruction;
}

static inline unsigned long long rt_trap_entry_address(void) {
  return (unsigned long long)&rt_trap_entry;
}

/* start.S: the entry for harts started through SBI HSM hart_start (a0 = hart id,
   a1 = opaque). It runs the guest's guest_secondary_main(hartid, opaque) on a stack of
   its own; a guest that passes this address must define that function. */
void rt_secondary_entry(void);

static inline unsigned long long rt_secondary_entry_address(void) {
  return (unsigned long long)&rt_secondary_entry;
}

#endif
