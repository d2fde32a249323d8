/* mmubench's user processes and the kernel's path between them (Main.swift's "switch"
   workload). A process runs in U-mode on its own Sv39 root and returns to the kernel only
   with an ecall; the kernel saves its registers, picks the next process, writes satp and
   sret's into it.

   - mmu_user_code: the processes' program, alone in its 4 KiB page (every process maps
     that page at the same user address, U|R|X). a0 = its first data page, a1 = the number
     of data pages, a2 = its tag: word 0 of each of its pages must hold a2 << 16 | index.
     One round: for each page, check word 0, add it to s0, increment word 1; then ecall
     with a7 = 0 (yield). A wrong tag (another process's page: a stale translation) ends
     in an ecall with a7 = 1, a3 = the word read, a4 = its address.
   - mmu_run(context) -> when the kernel is done: saves the kernel's callee-saved
     registers, sp, gp and tp, and enters the process whose context it gets (stvec, satp
     and sstatus.SPP = U are the caller's job). Returns when mmubench_user_trap returns 0.
   - mmu_user_trap: stvec while processes run. Every trap comes from U-mode (the kernel
     runs with interrupts off), with sscratch = the running process's context: 32
     registers (x0 unused), then sepc. It saves them, switches to the kernel's stack and
     calls the Swift mmubench_user_trap(context) -> the context to run next, or 0.
   - mmu_sfence_asid(asid): sfence.vma x0, asid (Priv. §12.2.1: every address, one ASID;
     the runtime's shim has only the all and the one-address forms).
   - mmu_user_code_address(), mmu_user_trap_address(): the two addresses, for Swift. */

#include "frame.h"

#define CTX_SEPC (32 * 8)

  .section .text.mmu_user_code, "ax", @progbits
  .balign 4096
  .globl mmu_user_code
mmu_user_code:
1:
  mv t0, a0
  mv t1, a1
2:
  ld t2, 0(t0)
  srli t3, t2, 16
  bne t3, a2, 3f
  add s0, s0, t2
  ld t3, 8(t0)
  addi t3, t3, 1
  sd t3, 8(t0)
  li t4, 4096
  add t0, t0, t4
  addi t1, t1, -1
  bnez t1, 2b
  li a7, 0
  ecall
  j 1b
3:
  mv a3, t2
  mv a4, t0
  li a7, 1
  ecall
  j 3b
  .globl mmu_user_code_end
mmu_user_code_end:

  .text
  .balign 4
  .globl mmu_run
mmu_run:
  addi sp, sp, -112
  sd ra, 0(sp)
  sd s0, 8(sp)
  sd s1, 16(sp)
  sd s2, 24(sp)
  sd s3, 32(sp)
  sd s4, 40(sp)
  sd s5, 48(sp)
  sd s6, 56(sp)
  sd s7, 64(sp)
  sd s8, 72(sp)
  sd s9, 80(sp)
  sd s10, 88(sp)
  sd s11, 96(sp)
  la t0, mmu_kernel
  sd sp, 0(t0)
  sd gp, 8(t0)
  sd tp, 16(t0)
  j mmu_resume

  .balign 4
  .globl mmu_user_trap
mmu_user_trap:
  csrrw sp, sscratch, sp
  SAVE_GPRS
  csrr t0, sscratch
  sd t0, 2*8(sp)
  csrr t0, sepc
  sd t0, CTX_SEPC(sp)
  mv a0, sp
  la t0, mmu_kernel
  ld sp, 0(t0)
  ld gp, 8(t0)
  ld tp, 16(t0)
  call mmubench_user_trap
  beqz a0, mmu_leave
mmu_resume:
  /* a0 = the context to run. */
  ld t0, CTX_SEPC(a0)
  csrw sepc, t0
  csrw sscratch, a0
  mv sp, a0
  LOAD_GPRS
  sret

mmu_leave:
  /* sp is the kernel's again (mmu_user_trap loaded it). */
  ld ra, 0(sp)
  ld s0, 8(sp)
  ld s1, 16(sp)
  ld s2, 24(sp)
  ld s3, 32(sp)
  ld s4, 40(sp)
  ld s5, 48(sp)
  ld s6, 56(sp)
  ld s7, 64(sp)
  ld s8, 72(sp)
  ld s9, 80(sp)
  ld s10, 88(sp)
  ld s11, 96(sp)
  addi sp, sp, 112
  ret

  .balign 4
  .globl mmu_sfence_asid
mmu_sfence_asid:
  sfence.vma zero, a0
  ret

  .globl mmu_user_code_address
mmu_user_code_address:
  la a0, mmu_user_code
  ret

  .globl mmu_user_trap_address
mmu_user_trap_address:
  la a0, mmu_user_trap
  ret

  .bss
  .balign 8
  /* The kernel's sp, gp and tp while processes run. */
mmu_kernel:
  .space 24
