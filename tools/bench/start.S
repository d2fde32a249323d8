/* Startup of the benchmark kernels, entered in M-mode at _start with a0 = hart id,
   a1 = DTB address (unused). Assembled twice:
   - plain: stays in M-mode with the MMU off and calls bench_entry(1);
   - -DSV39: builds identity-mapped Sv39 tables with 4 KiB pages (sv39.c), opens PMP to
     S-mode, turns on translation and mret's into bench_entry(0) in S-mode.
   Any trap lands in trap_entry (M-mode), which reports it through bench_trap(). */
#include "crt.h"


#define MSTATUS_MPP_MASK (3 << 11)
#define MSTATUS_MPP_S    (1 << 11)

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park                 /* only hart 0 runs the kernel */
  la sp, __stack_top
  la t0, trap_entry
  csrw mtvec, t0

  ZERO_BSS

#ifndef SV39
  li a0, 1
  call bench_entry              /* does not return */
#else
  call sv39_build               /* a0 = satp value (Sv39, root table PPN) */
  mv s0, a0

  /* PMP entry 0: NAPOT over the whole address space, R/W/X, so S-mode can reach everything. */
  li t0, -1
  srli t0, t0, 10
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0

  csrw satp, s0
  sfence.vma

  li t0, MSTATUS_MPP_MASK
  csrc mstatus, t0
  li t0, MSTATUS_MPP_S
  csrs mstatus, t0
  la t0, supervisor_entry
  csrw mepc, t0
  mret

supervisor_entry:
  li a0, 0
  call bench_entry              /* does not return */
#endif

park:
  wfi
  j park

/* M-mode trap vector (direct mode, so 4-byte aligned). Nothing is expected to trap: switch to
   a private stack and report the cause; bench_trap() exits through the finisher. */
  .balign 4
trap_entry:
  la sp, trap_stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call bench_trap
  j park

  .section .bss.trap_stack, "aw", @nobits
  .balign 16
  .space 4096
trap_stack_top:
