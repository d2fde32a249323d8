/* Review helper (not an attack): an honest disk user. Reads sector 0 of vda (512 bytes)
   in a loop, polling the used ring, and once per 100 ms of `time` prints the longest
   request of that window in 100 ns ticks and how many completed:
   "disk max=0x........ n=0x........". */
#include "console.inc"
#include "virtio.inc"
  .equ BUF,    0x80000000
  .equ DESC,   0x80100000
  .equ AVAIL,  0x80101000
  .equ USED,   0x80102000
  .equ HDR,    0x80103000
  .equ STATUS, 0x80103100
  .equ SLOT,   0x10001000
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li s0, SLOT
  VIRTIO_NEGOTIATE
  VIRTIO_QUEUE0 8, DESC, AVAIL, USED
  li t0, DESC
  li t1, HDR
  sd t1, 0(t0)
  li t1, 16
  sw t1, 8(t0)
  li t1, 1
  sh t1, 12(t0)
  sh t1, 14(t0)
  li t1, BUF
  sd t1, 16(t0)
  li t1, 512
  sw t1, 24(t0)
  li t1, 3
  sh t1, 28(t0)
  li t1, 2
  sh t1, 30(t0)
  li t1, STATUS
  sd t1, 32(t0)
  li t1, 1
  sw t1, 40(t0)
  li t1, 2
  sh t1, 44(t0)
  li s1, 0             /* requests submitted */
  li s2, 0             /* longest this window */
  li s3, 0             /* completed this window */
  rdtime s4            /* window start */
loop:
  rdtime s5
  li t0, AVAIL
  addi s1, s1, 1
  fence rw, w
  sh s1, 2(t0)         /* ring[] is all zeros: head 0 */
  sw zero, 0x50(s0)
  li t0, USED
2:
  lhu t1, 2(t0)
  slli t2, s1, 48
  srli t2, t2, 48
  bne t1, t2, 2b
  rdtime t1
  sub t2, t1, s5
  bleu t2, s2, 3f
  mv s2, t2
3:
  addi s3, s3, 1
  sub t2, t1, s4
  li t3, 1000000
  bltu t2, t3, loop
  la a0, msg1
  call puts
  mv a0, s2
  call puthex
  la a0, msg2
  call puts
  mv a0, s3
  call puthex
  li a0, 10
  call putc
  li s2, 0
  li s3, 0
  rdtime s4
  j loop

  CONSOLE_ROUTINES

  .section .rodata
msg1: .asciz "disk max="
msg2: .asciz " n="
