/* Machine-mode primitives of the Vireo firmware, imported into Swift as the Clang module
   `Shim`: the vCPU frame shared with start.S, CSR access, fences and a few symbols of the
   linker script. Only instructions that rv64imac_zicsr assembles appear inline here (swiftc
   silently drops inline asm it cannot assemble, ../shared/EMBEDDED.md pitfall 1); the H
   instructions (hfence, hlvx) live in start.S. 64-bit values are unsigned long long. */
#ifndef VIREO_FW_SHIM_H
#define VIREO_FW_SHIM_H

#include "layout.h"

typedef unsigned long long u64;

/* The register frame of a vCPU. start.S saves a guest's x1..x31, pc (mepc) and the mode it
   came from (mstatus.MPP/MPV) here on every trap into M-mode, and restores the frame that
   mscratch points to on the way out. start.S uses the offsets of layout.h; the asserts
   below keep them and this struct in step. */
struct vcpu_frame {
  u64 x[32];        /* x[0] unused */
  u64 pc;           /* mepc */
  u64 mode;         /* mstatus & (MPP | MPV) */
  u64 stack;        /* the firmware stack top of the hart running this frame */
  u64 trapped;      /* mcycle at trap entry, before the lock (start.S) */
  u64 locked;       /* mcycle once the lock is held: the wait is nobody's time */
  u64 deadline;     /* without Sstc: the guest's SBI timer deadline (max = none) */
  u64 fast_ecall;   /* exits handled by the fast paths, by cause (start.S) */
  u64 fast_load;
  u64 fast_store;
  u64 fast_timer;
  void *owner;      /* the Swift VCPU that owns this frame, unretained (arch/FastPath.swift) */
  void *uart;       /* its domain's UART16550Registers (start.S's UART fast path) */
};
_Static_assert(__builtin_offsetof(struct vcpu_frame, pc) == FW_FRAME_PC, "FW_FRAME_PC");
_Static_assert(__builtin_offsetof(struct vcpu_frame, mode) == FW_FRAME_MODE, "FW_FRAME_MODE");
_Static_assert(__builtin_offsetof(struct vcpu_frame, stack) == FW_FRAME_STACK, "FW_FRAME_STACK");
_Static_assert(__builtin_offsetof(struct vcpu_frame, trapped) == FW_FRAME_TRAPPED, "FW_FRAME_TRAPPED");
_Static_assert(__builtin_offsetof(struct vcpu_frame, locked) == FW_FRAME_LOCKED, "FW_FRAME_LOCKED");
_Static_assert(__builtin_offsetof(struct vcpu_frame, deadline) == FW_FRAME_DEADLINE, "FW_FRAME_DEADLINE");
_Static_assert(__builtin_offsetof(struct vcpu_frame, fast_ecall) == FW_FRAME_FAST_ECALL, "FW_FRAME_FAST_ECALL");
_Static_assert(__builtin_offsetof(struct vcpu_frame, fast_load) == FW_FRAME_FAST_LOAD, "FW_FRAME_FAST_LOAD");
_Static_assert(__builtin_offsetof(struct vcpu_frame, fast_store) == FW_FRAME_FAST_STORE, "FW_FRAME_FAST_STORE");
_Static_assert(__builtin_offsetof(struct vcpu_frame, fast_timer) == FW_FRAME_FAST_TIMER, "FW_FRAME_FAST_TIMER");
_Static_assert(__builtin_offsetof(struct vcpu_frame, owner) == FW_FRAME_OWNER, "FW_FRAME_OWNER");
_Static_assert(__builtin_offsetof(struct vcpu_frame, uart) == FW_FRAME_UART, "FW_FRAME_UART");
_Static_assert(sizeof(struct vcpu_frame) == FW_FRAME_SIZE, "FW_FRAME_SIZE");

#include "csr.h"

#define FW_CSR(name) RT_CSR_READ(name) RT_CSR_WRITE(name)

RT_CSR_READ(mhartid)
RT_CSR_READ(misa)
RT_CSR_READ(mcycle)
RT_CSR_READ(minstret)
RT_CSR_READ(time)
RT_CSR_READ(mvendorid)
RT_CSR_READ(marchid)
RT_CSR_READ(mimpid)
FW_CSR(mstatus)
FW_CSR(medeleg)
FW_CSR(mideleg)
FW_CSR(mie)
FW_CSR(mip)
FW_CSR(mtvec)
FW_CSR(mscratch)
FW_CSR(mepc)
FW_CSR(mcause)
FW_CSR(mtval)
/* mtval2, mtinst, hstatus … vsatp and vstimecmp exist only with H (Priv. "Hypervisor
   Extension"): on a board without it any access is an illegal instruction, a firmware trap.
   The Swift side reaches them only on two-stage paths or behind a test of platform.hasH
   or VCPU.shadow. */
FW_CSR(mtval2)
FW_CSR(mtinst)
FW_CSR(mcounteren)
FW_CSR(menvcfg)
FW_CSR(pmpcfg0)
FW_CSR(pmpaddr0)
FW_CSR(pmpaddr1)
FW_CSR(pmpaddr2)
FW_CSR(pmpaddr3)
FW_CSR(hstatus)
FW_CSR(scounteren)
FW_CSR(senvcfg)
FW_CSR(hedeleg)
FW_CSR(hideleg)
FW_CSR(hie)
FW_CSR(hip)
FW_CSR(hvip)
FW_CSR(hcounteren)
FW_CSR(henvcfg)
FW_CSR(htimedelta)
FW_CSR(hgatp)
FW_CSR(htval)
FW_CSR(htinst)
FW_CSR(vsstatus)
FW_CSR(vsie)
FW_CSR(vstvec)
FW_CSR(vsscratch)
FW_CSR(vsepc)
FW_CSR(vscause)
FW_CSR(vstval)
FW_CSR(vsip)
FW_CSR(vsatp)

/* stimecmp/vstimecmp by number (0x14D/0x24D): older assemblers lack the names. Only
   touched when the DTB's ISA string has sstc, and vstimecmp only for two-stage vCPUs. */
static inline u64 csr_read_vstimecmp(void) {
  u64 v;
  __asm__ volatile("csrr %0, 0x24D" : "=r"(v) : : "memory");
  return v;
}
static inline void csr_write_vstimecmp(u64 v) {
  __asm__ volatile("csrw 0x24D, %0" : : "r"(v) : "memory");
}

FW_CSR(satp)
static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma zero, zero" : : : "memory"); }

static inline void wait_for_interrupt(void) { __asm__ volatile("wfi" : : : "memory"); }
static inline void fence_i(void) { __asm__ volatile("fence.i" : : : "memory"); }
static inline void fence_rw(void) { __asm__ volatile("fence rw, rw" : : : "memory"); }

/* start.S */
void hfence_gvma_all(void);
void hfence_vvma_all(void);
/* Loads a halfword of guest code with HLVX.HU (guest virtual address, two-stage
   translated as the guest sees it). Returns 0 and stores the value, or -1 when the access
   faulted (the M-mode trap vector resumes at the fixup). */
long guarded_hlvx_hu(u64 address, u64 *value);
/* Drops the hypervisor lock, restores the frame and mrets into the guest. Never returns. */
__attribute__((noreturn)) void vcpu_resume(struct vcpu_frame *frame);
/* The hypervisor lock every hart holds while it runs the Swift core (start.S). */
void fw_lock_acquire(void);
void fw_lock_release(void);
/* A load the compiler may not fold or hoist (spin-waits on words other harts write). */
static inline u64 fw_load_relaxed(const volatile u64 *p) { return *p; }
/* Compare-and-swap on guest memory (LR/SC): the classic VMM's updates of a guest PTE or
   its emulated AMOs, which a sibling vCPU may store to at the same time without trapping.
   Nonzero when *p held `expected` and now holds `desired`. */
static inline int fw_cas64(u64 *p, u64 expected, u64 desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
static inline int fw_cas32(unsigned int *p, unsigned int expected, unsigned int desired) {
  return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}
/* Saves/restores f0-f31 and fcsr (33 doublewords); only called when misa has D. */
void fp_save(u64 *area);
void fp_restore(u64 *area);
/* The fast paths' switches and per-hart words (layout.h, start.S). */
extern u64 fw_fast_flags;
extern u64 fw_fast_harts[];
extern const u64 fw_sbi_extensions[];
static inline void fw_fast_set_flags(u64 flags) { fw_fast_flags = flags; }
static inline u64 fw_fast_get_flags(void) { return fw_fast_flags; }
static inline void fw_fast_set_mtimecmp(u64 hart, u64 address) {
  fw_fast_harts[hart * (FW_FAST_HART_SIZE / 8) + FW_FAST_MTIMECMP / 8] = address;
}
static inline void fw_fast_set_next(u64 hart, u64 time) {
  fw_fast_harts[hart * (FW_FAST_HART_SIZE / 8) + FW_FAST_NEXT / 8] = time;
}
static inline u64 fw_sbi_extension(u64 i) { return fw_sbi_extensions[i]; }
static inline u64 fw_sbi_extension_count(void) { return FW_SBI_EXTENSION_COUNT; }
/* Parks the hart (wfi loop). */
__attribute__((noreturn)) void fw_park(void);

/* Linker script symbols. */
extern unsigned char __fw_start[];
extern unsigned char __fw_end[];
extern unsigned char __stack_top[];
extern unsigned char __pt_start[];
extern unsigned char __pt_end[];
static inline u64 pagetables_start(void) { return (u64)__pt_start; }
static inline u64 pagetables_end(void) { return (u64)__pt_end; }
/* Top of hart `hart`'s firmware stack (FW_STACK_SIZE each, start.S). */
static inline u64 hart_stack_top(u64 hart) { return (u64)__stack_top - (hart << FW_STACK_SHIFT); }
/* Sizes Swift reads (macros with expressions do not import). */
static inline u64 fw_max_harts(void) { return FW_MAX_HARTS; }
static inline u64 firmware_start(void) { return (u64)__fw_start; }
static inline u64 firmware_end(void) { return (u64)__fw_end; }

/* The domain-name table (layout.h, start.S): VMID -> name, for debuggers and the board's
   --trace-events. */
struct fw_domain_name {
  u64 vmid;         /* 0: free */
  char name[FW_DOMAIN_NAME_MAX + 1];
};
_Static_assert(sizeof(struct fw_domain_name) == FW_DOMAIN_NAME_BYTES, "FW_DOMAIN_NAME_BYTES");
extern struct fw_domain_name vireo_domain_names[FW_DOMAIN_NAME_SLOTS];
static inline struct fw_domain_name *fw_domain_name_slot(u64 vmid) {
  return &vireo_domain_names[vmid % FW_DOMAIN_NAME_SLOTS];
}
static inline u64 fw_domain_name_max(void) { return FW_DOMAIN_NAME_MAX; }

/* tools/rt/libc.c */
unsigned long heap_unused(void);

#endif
