/* Review finding: diskPop does up to 64 frontend-answered requests per disk per call,
   each a descriptor chain walk of up to 256 entries (empty descriptors do not count
   toward the 128-segment limit), all under the firmware's lock, for every disk of every
   domain; Dom0 calls diskPop on every pass of its shell loop while any guest has a disk.
   This guest keeps 256 requests of an unknown type (a 256-descriptor chain: header, 254
   empty descriptors, status) waiting on each of its disks, without a single VM exit: it
   only moves avail.idx to used.idx + 256. It brings up every slot that has a disk and
   prints "P<n>" (n = disks found).
   Measured with lock-probe.elf (longest SBI call per second, 100 ns ticks), 3 harts:
   no disk 0x98 (15 us); 1 disk 0x3fe7 (1.6 ms); 8 disks 0x1fbbd (13 ms) of every other
   hart's exits stalled behind one diskPop. Config (Dom0 `create`, archive as --drive):
     name = 'pump'  kernel = 'diskpop-pump.elf'  memory = 4
     disk = [ 'a.img,vda,w', 'b.img,vdb,w', ..., 'h.img,vdh,w' ]   (4 KiB images) */
#include "virtio.inc"
  .equ DESC,   0x80100000
  .equ HDR,    0x80101000
  .equ STATUS, 0x80101100
  .equ AVAIL,  0x80110000     /* + n * 0x1000 */
  .equ USED,   0x80120000     /* + n * 0x1000 */
  .equ SLOT,   0x10001000     /* + n * 0x1000 */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, trap
  csrw stvec, t0
  /* The chain: desc[0] header, desc[1..254] empty, desc[255] the status byte. */
  li t0, DESC
  li t1, HDR
  li t2, 0
1:
  sd t1, 0(t0)
  li t3, 0
  bnez t2, 2f
  li t3, 16
2:
  sw t3, 8(t0)
  li t3, 1
  sh t3, 12(t0)        /* NEXT */
  addi t4, t2, 1
  sh t4, 14(t0)
  addi t0, t0, 16
  addi t2, t2, 1
  li t3, 255
  blt t2, t3, 1b
  li t1, STATUS
  sd t1, 0(t0)
  li t3, 1
  sw t3, 8(t0)
  li t3, 2
  sh t3, 12(t0)        /* WRITE, no NEXT */
  sh zero, 14(t0)
  li t0, HDR
  li t1, 0x99          /* an unknown request type: answered UNSUPP by the firmware */
  sw t1, 0(t0)
  /* Bring up every slot that has a disk (an access to a slot without one faults: the
     trap handler sets s11). s1 = number of disks. */
  li s1, 0
3:
  li t0, 8
  beq s1, t0, 5f
  li s0, SLOT
  slli t0, s1, 12
  add s0, s0, t0
  li s11, 0
  lw t1, 0(s0)
  bnez s11, 5f
  VIRTIO_NEGOTIATE
  sw zero, 0x30(s0)
  li t1, 256
  sw t1, 0x38(s0)
  li t1, DESC
  sw t1, 0x80(s0)
  sw zero, 0x84(s0)
  li t1, AVAIL
  add t1, t1, t0
  sw t1, 0x90(s0)
  sw zero, 0x94(s0)
  li t1, USED
  add t1, t1, t0
  sw t1, 0xA0(s0)
  sw zero, 0xA4(s0)
  li t1, 1
  sw t1, 0x44(s0)
  li t1, 0xF
  sw t1, 0x70(s0)
  addi s1, s1, 1
  j 3b
5:
  li a7, 1
  li a0, 'P'
  ecall
  addi a0, s1, '0'
  ecall
  li a0, 10
  ecall
  /* Notify each disk once; afterwards the firmware keeps looking on its own (a request it
     answers marks the queue notified again). */
  li s2, 0
6:
  beq s2, s1, pump
  li s0, SLOT
  slli t0, s2, 12
  add s0, s0, t0
  sw zero, 0x50(s0)
  addi s2, s2, 1
  j 6b
pump:                  /* avail.idx = used.idx + 256 on every disk, forever; no exits */
  li s2, 0
7:
  beq s2, s1, 8f
  slli t0, s2, 12
  li t1, USED
  add t1, t1, t0
  lhu t2, 2(t1)
  addi t2, t2, 256
  li t1, AVAIL
  add t1, t1, t0
  fence rw, w
  sh t2, 2(t1)
  addi s2, s2, 1
  j 7b
8:
  j pump

  .align 2
trap:                  /* an access fault on a slot without a disk: skip the load */
  csrr t6, sepc
  addi t6, t6, 4
  csrw sepc, t6
  li s11, 1
  sret
