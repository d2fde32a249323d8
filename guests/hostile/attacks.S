/* The hostile guest's instructions that must have fixed encodings: every probe is one
   4-byte instruction (.option norvc) followed by `ret`, so the guest's exception handler
   can step over a faulting probe (sepc + 4) and the caller sees the probe return.
   A probe that faults leaves a0 unchanged; the Swift side learns from the handler, not
   from a0, whether it faulted.

   - hostile_load_{8,4,2,1}(addr) -> value: ld/lw/lh/lb a0, 0(a0)
   - hostile_store_{8,4,2,1}(addr, value): sd/sw/sh/sb a1, 0(a0)
   - hostile_fetch(addr): jr a0 (an instruction fetch there; the handler resumes at ra)
   - hostile_csr_read(i) / hostile_csr_write(i, value): csrr a0, CSR / csrw CSR, a1 for
     entry i of HOSTILE_CSRS (the order of `csrTable` in Main.swift)
   - hostile_satp_probe(value) -> value read back: csrw satp, a0; csrr a0, satp; then
     satp = 0 again and sfence.vma
   - hostile_enter_user(i): sret to U-mode at U-mode body i (0 wfi, 1 sret, 2 csrr
     sstatus) on a stack of its own; comes back (as a normal return) when the handler
     sends the trap to hostile_user_return (hostile_user_return_address())
   - hostile_user_{wfi,sret,csrr}: the U-mode bodies: the probe, then ecall ("no trap"). */

#define SSTATUS_SPP (1 << 8)
#define SSTATUS_SPIE (1 << 5)

  .text
  .option push
  .option norvc

  .balign 4
  .globl hostile_load_8
hostile_load_8:
  ld a0, 0(a0)
  ret
  .globl hostile_load_4
hostile_load_4:
  lw a0, 0(a0)
  ret
  .globl hostile_load_2
hostile_load_2:
  lh a0, 0(a0)
  ret
  .globl hostile_load_1
hostile_load_1:
  lb a0, 0(a0)
  ret

  .globl hostile_store_8
hostile_store_8:
  sd a1, 0(a0)
  ret
  .globl hostile_store_4
hostile_store_4:
  sw a1, 0(a0)
  ret
  .globl hostile_store_2
hostile_store_2:
  sh a1, 0(a0)
  ret
  .globl hostile_store_1
hostile_store_1:
  sb a1, 0(a0)
  ret

  .globl hostile_fetch
hostile_fetch:
  jr a0

/* CSR probes by number, one table entry (csrr/csrw + ret, 8 bytes) per CSR. The order is
   the contract with Main.swift's csrTable. */
#define HOSTILE_CSRS(X) \
  X(0x300) /* mstatus */    \
  X(0x305) /* mtvec */      \
  X(0x340) /* mscratch */   \
  X(0x302) /* medeleg */    \
  X(0x304) /* mie */        \
  X(0x344) /* mip */        \
  X(0x3A0) /* pmpcfg0 */    \
  X(0x3B0) /* pmpaddr0 */   \
  X(0xB00) /* mcycle */     \
  X(0x30A) /* menvcfg */    \
  X(0x600) /* hstatus */    \
  X(0x680) /* hgatp */      \
  X(0x602) /* hedeleg */    \
  X(0x645) /* hvip */       \
  X(0x605) /* htimedelta */ \
  X(0x606) /* hcounteren */ \
  X(0x60A) /* henvcfg */    \
  X(0x106) /* scounteren */ \
  X(0x10A) /* senvcfg */

#define CSR_READ_ENTRY(n) csrr a0, n; ret;
#define CSR_WRITE_ENTRY(n) csrw n, a1; ret;

  .globl hostile_csr_read
hostile_csr_read:
  la t0, hostile_csr_read_table
  slli a0, a0, 3
  add t0, t0, a0
  jr t0
  .balign 8
hostile_csr_read_table:
  HOSTILE_CSRS(CSR_READ_ENTRY)

  .globl hostile_csr_write
hostile_csr_write:
  la t0, hostile_csr_write_table
  slli a0, a0, 3
  add t0, t0, a0
  jr t0
  .balign 8
hostile_csr_write_table:
  HOSTILE_CSRS(CSR_WRITE_ENTRY)

  .globl hostile_satp_probe
hostile_satp_probe:
  csrw satp, a0
  csrr a0, satp
  csrw satp, zero
  sfence.vma
  ret

/* U-mode entry (Priv. §12.1.1: sret returns to the privilege in sstatus.SPP and sets
   SIE from SPIE). The caller's ra, sp and callee-saved registers wait in
   hostile_user_saved; the trap handler ends the U-mode run by setting SPP = 1 and sepc =
   hostile_user_return in the trap frame, and hostile_user_return restores them and
   returns to the caller of hostile_enter_user. Called with sstatus.SIE = 0. */
  .globl hostile_enter_user
hostile_enter_user:
  la t1, hostile_user_bodies
  slli a0, a0, 3
  add t1, t1, a0
  ld a0, 0(t1)
  la t0, hostile_user_saved
  sd ra, 0(t0)
  sd sp, 8(t0)
  sd s0, 16(t0)
  sd s1, 24(t0)
  sd s2, 32(t0)
  sd s3, 40(t0)
  sd s4, 48(t0)
  sd s5, 56(t0)
  sd s6, 64(t0)
  sd s7, 72(t0)
  sd s8, 80(t0)
  sd s9, 88(t0)
  sd s10, 96(t0)
  sd s11, 104(t0)
  sd gp, 112(t0)
  sd tp, 120(t0)
  csrw sepc, a0
  li t1, SSTATUS_SPP | SSTATUS_SPIE
  csrc sstatus, t1
  la sp, hostile_user_stack_top
  sret

  .globl hostile_user_return_address
hostile_user_return_address:
  la a0, hostile_user_return
  ret

  .globl hostile_user_return
hostile_user_return:
  la t0, hostile_user_saved
  ld ra, 0(t0)
  ld sp, 8(t0)
  ld s0, 16(t0)
  ld s1, 24(t0)
  ld s2, 32(t0)
  ld s3, 40(t0)
  ld s4, 48(t0)
  ld s5, 56(t0)
  ld s6, 64(t0)
  ld s7, 72(t0)
  ld s8, 80(t0)
  ld s9, 88(t0)
  ld s10, 96(t0)
  ld s11, 104(t0)
  ld gp, 112(t0)
  ld tp, 120(t0)
  ret

/* U-mode bodies: the probe, then an ecall that tells the handler the probe did not trap
   (scause 8, environment call from U-mode). `j .` is never reached. */
  .globl hostile_user_wfi
hostile_user_wfi:
  wfi                           /* 0x10500073 */
  ecall
  j .

  .globl hostile_user_sret
hostile_user_sret:
  sret                          /* 0x10200073 */
  ecall
  j .

  .globl hostile_user_csrr
hostile_user_csrr:
  csrr a0, sstatus              /* 0x10002573 */
  ecall
  j .

  .option pop

  .section .rodata
  .balign 8
hostile_user_bodies:
  .dword hostile_user_wfi
  .dword hostile_user_sret
  .dword hostile_user_csrr

  .bss
  .balign 16
hostile_user_saved:
  .space 16 * 8
  .balign 16
hostile_user_stack:
  .space 16384
hostile_user_stack_top:
