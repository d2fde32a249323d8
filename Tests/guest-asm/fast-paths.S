/* What start.S's fast paths answer (issue 16, docs/fast-paths.md), one "NAME=0x…" line
   each, so that a run with them and one with `vireo.fastpath=off` can be compared line
   for line: byte reads of the emulated 16550 into every register (LB and LBU, x0, the
   DLAB-switched registers, the undecoded offsets), the accesses that must still go the
   general way (a word load: an access fault; DLL, LSR), SBI calls to absent extensions,
   BASE probes, an unsupported TIME function, and TIME/legacy set_timer's effect on the
   guest's timer interrupt. Shuts down with the legacy call. */
#include "console.inc"
#include "guest.inc"

#define UART 0x10000000

.macro SHOW name, reg
  mv s3, \reg
  PUT_FIELD \name, s3
  NEWLINE
.endm

/* rd = SCR (0xA5) added to s2, for a register that is neither the base (s1) nor s2. */
.macro READ_INTO rd
  li \rd, 0
  lbu \rd, 7(s1)
  add s2, s2, \rd
.endm

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, trap
  csrw stvec, t0
  li s1, UART
  li t0, 0xA5
  sb t0, 7(s1)
  li s2, 0
  .irp r, x1,x3,x4,x5,x6,x7,x8,x10,x11,x12,x13,x14,x15,x16,x17,x19,x20,x21,x22,x23,x24,x25,x26,x27,x28,x29,x30,x31
  READ_INTO \r
  .endr
  lbu s1, 7(s1)               /* the base register itself */
  add s2, s2, s1
  li s1, UART
  SHOW n_sum, s2              /* 29 x 0xA5 */
  lb s4, 7(s1)
  SHOW n_lb, s4
  lbu x0, 7(s1)
  SHOW n_x0, x0
  lbu s4, 6(s1)
  SHOW n_msr, s4
  lb s4, 6(s1)
  SHOW n_msr_lb, s4
  li s4, 0x5A
  lbu s4, 0x80(s1)
  SHOW n_undecoded, s4
  li t0, 0x1B
  sb t0, 3(s1)
  lbu s4, 3(s1)
  SHOW n_lcr, s4
  li t0, 0x3F
  sb t0, 4(s1)
  lbu s4, 4(s1)
  SHOW n_mcr, s4
  li t0, 0x05
  sb t0, 1(s1)
  li t0, 0x83                 /* DLAB */
  sb t0, 3(s1)
  li t0, 0x12
  sb t0, 1(s1)
  li t0, 0x34
  sb t0, 0(s1)
  lbu s4, 1(s1)
  SHOW n_dlm, s4
  lbu s4, 0(s1)
  SHOW n_dll, s4
  li t0, 0x03
  sb t0, 3(s1)
  lbu s4, 1(s1)
  SHOW n_ier, s4
  sb zero, 1(s1)
  lbu s4, 5(s1)
  SHOW n_lsr, s4
  li s5, -1
  lw s4, 4(s1)                /* a word: refused, an access fault */
  SHOW n_lw_cause, s5
  SHOW n_lw_tval, s6

  /* SBI. */
  li a7, 0x0A000042
  li a1, 0x55
  ecall
  mv s4, a1
  SHOW n_unknown, a0
  SHOW n_unknown_a1, s4
  li a7, 3                    /* legacy clear_ipi: not offered */
  ecall
  SHOW n_legacy3, a0
  li a7, 0x10
  li a6, 3                    /* probe_extension */
  li a0, 0x54494D45
  ecall
  SHOW n_probe_time, a1
  li a7, 0x10
  li a6, 3
  li a0, 0x0A000042
  ecall
  SHOW n_probe_unknown, a1
  li a7, 0x54494D45
  li a6, 1
  ecall
  SHOW n_time_fid1, a0
  li a7, 0x54494D45           /* set_timer(0): pending at once */
  li a6, 0
  li a0, 0
  li a1, 0x66
  ecall
  mv s4, a1
  csrr s5, sip
  srli s5, s5, 5
  andi s5, s5, 1
  SHOW n_time_ret, a0
  SHOW n_time_a1, s4
  SHOW n_stip_after_0, s5
  li a7, 0x54494D45           /* set_timer(max): not pending */
  li a6, 0
  li a0, -1
  ecall
  csrr s5, sip
  srli s5, s5, 5
  andi s5, s5, 1
  SHOW n_stip_after_max, s5
  rdtime a0                   /* set_timer(now + 1 s): not pending yet */
  li t0, 10000000
  add a0, a0, t0
  li a7, 0x54494D45
  li a6, 0
  ecall
  csrr s5, sip
  srli s5, s5, 5
  andi s5, s5, 1
  SHOW n_stip_after_future, s5
  li a7, 0                    /* legacy set_timer(0): a0 = 0, a1 kept */
  li a0, 0
  li a1, 0x77
  ecall
  mv s4, a1
  csrr s5, sip
  srli s5, s5, 5
  andi s5, s5, 1
  SHOW n_legacy_ret, a0
  SHOW n_legacy_a1, s4
  SHOW n_legacy_stip, s5
  li a7, 0
  li a0, -1
  ecall
  la a0, n_done
  call puts
  li a7, 8
  ecall
1: j 1b

/* An exception: scause to s5, stval to s6, and on past the 4-byte instruction. */
  .balign 4
trap:
  csrr s5, scause
  csrr s6, stval
  csrr t0, sepc
  addi t0, t0, 4
  csrw sepc, t0
  sret

  CONSOLE_ROUTINES

  .section .rodata
n_sum: .asciz "sum="
n_lb: .asciz "lb scr="
n_x0: .asciz "x0="
n_msr: .asciz "msr="
n_msr_lb: .asciz "lb msr="
n_undecoded: .asciz "offset 0x80="
n_lcr: .asciz "lcr="
n_mcr: .asciz "mcr="
n_dlm: .asciz "dlm="
n_dll: .asciz "dll="
n_ier: .asciz "ier="
n_lsr: .asciz "lsr="
n_lw_cause: .asciz "lw scause="
n_lw_tval: .asciz "lw stval="
n_unknown: .asciz "unknown a0="
n_unknown_a1: .asciz "unknown a1="
n_legacy3: .asciz "legacy 3 a0="
n_probe_time: .asciz "probe TIME="
n_probe_unknown: .asciz "probe unknown="
n_time_fid1: .asciz "TIME fid 1 a0="
n_time_ret: .asciz "set_timer a0="
n_time_a1: .asciz "set_timer a1="
n_stip_after_0: .asciz "stip after set_timer(0)="
n_stip_after_max: .asciz "stip after set_timer(max)="
n_stip_after_future: .asciz "stip after set_timer(now + 1 s)="
n_legacy_ret: .asciz "legacy set_timer a0="
n_legacy_a1: .asciz "legacy set_timer a1="
n_legacy_stip: .asciz "legacy stip="
n_done: .asciz "fast-paths: done\n"
