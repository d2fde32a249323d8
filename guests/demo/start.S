/* Startup and trap entry of the demo. Entered in M-mode at _start with a0 = hart id and
   a1 = DTB address (QEMU virt -bios none / the Vireo board). Hart 0 runs the Swift
   demo_main(hart, dtb); its return value is the exit code given to the test finisher. */
#include "crt.h"


#define FINISHER_BASE 0x100000
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  csrr t0, mhartid
  bnez t0, park                 /* other harts stay parked */
  la sp, __stack_top
  mv s0, a0
  mv s1, a1

  ZERO_BSS
  la t0, trap_entry
  csrw mtvec, t0

  mv a0, s0
  mv a1, s1
  call demo_main

  .globl demo_exit
demo_exit:                      /* a0 = exit code */
  li t0, FINISHER_BASE
  li t1, FINISHER_PASS
  beqz a0, 4f
  slli t1, a0, 16
  li t2, FINISHER_FAIL
  or t1, t1, t2
4:
  sw t1, 0(t0)
park:
  wfi
  j park

/* Direct-mode M-mode trap vector: saves the caller-saved registers (the Swift handler keeps
   the callee-saved ones), calls demo_trap(mcause, mepc, mtval) and returns with mret. */
  .balign 4
trap_entry:
  addi sp, sp, -128
  sd ra, 0(sp)
  sd t0, 8(sp)
  sd t1, 16(sp)
  sd t2, 24(sp)
  sd t3, 32(sp)
  sd t4, 40(sp)
  sd t5, 48(sp)
  sd t6, 56(sp)
  sd a0, 64(sp)
  sd a1, 72(sp)
  sd a2, 80(sp)
  sd a3, 88(sp)
  sd a4, 96(sp)
  sd a5, 104(sp)
  sd a6, 112(sp)
  sd a7, 120(sp)
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  call demo_trap
  ld ra, 0(sp)
  ld t0, 8(sp)
  ld t1, 16(sp)
  ld t2, 24(sp)
  ld t3, 32(sp)
  ld t4, 40(sp)
  ld t5, 48(sp)
  ld t6, 56(sp)
  ld a0, 64(sp)
  ld a1, 72(sp)
  ld a2, 80(sp)
  ld a3, 88(sp)
  ld a4, 96(sp)
  ld a5, 104(sp)
  ld a6, 112(sp)
  ld a7, 120(sp)
  addi sp, sp, 128
  mret

/* Heap for posix_memalign (tools/rt/libc.c): 256 KiB in .bss, zeroed with the rest at boot. */
  .section .bss.demo_heap, "aw", @nobits
  .balign 16
  .globl __heap_start, __heap_end
__heap_start:
  .space 256 * 1024
__heap_end:
