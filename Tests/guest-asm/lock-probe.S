/* Review helper (not an attack): measures how long this guest waits for the firmware.
   It makes SBI calls in a loop (each takes the firmware's lock) and, once per 100 ms of
   `time`, prints the longest call seen in that window, in 100 ns ticks (hex):
   "probe max=0x....". Run it beside an attacker to see the lock held by others. */
#include "console.inc"
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li s0, 0            /* longest call this window */
  rdtime s3           /* window start */
  li s4, 1000000      /* 100 ms of time (10 MHz) */
  li s5, 0            /* windows printed */
loop:
  rdtime t0
  li a7, 0x10         /* SBI BASE get_spec_version */
  li a6, 0
  ecall
  rdtime t1
  sub t2, t1, t0
  bleu t2, s0, 1f
  mv s0, t2
1:
  sub t2, t1, s3
  bltu t2, s4, loop
  la a0, msg
  call puts
  mv a0, s0
  call puthex
  li a0, 10
  call putc
  li s0, 0
  rdtime s3
  addi s5, s5, 1
  j loop

  CONSOLE_ROUTINES

  .section .rodata
msg: .asciz "probe max="
