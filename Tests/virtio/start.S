/* Startup of the virtio test programs: entered in M-mode at _start (QEMU virt or the Vireo
   board with -bios none; a0 = hart id, a1 = DTB, both unused). Hart 0 sets up the stack and
   trap vector, zeroes .bss and calls main(); other harts park. Any trap goes to
   trap_report(mcause, mepc, mtval), which fails with check 255. */
#include "crt.h"

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park
  la sp, __stack_top
  la t0, trap_entry
  csrw mtvec, t0
  csrw mie, zero

  ZERO_BSS
  call main
  call main_returned

park:
  wfi
  j park

  .balign 4
trap_entry:
  la sp, __stack_top
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call trap_report
  j park
