/* Review helper (not an attack): an honest disk user. Reads sector 0 of vda (512 bytes)
   in a loop, polling the used ring, and once per 100 ms of `time` prints the longest
   request of that window in 100 ns ticks and how many completed:
   "disk max=0x........ n=0x........". */
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
  sw zero, 0x70(s0)
  li t1, 1
  sw t1, 0x70(s0)
  li t1, 3
  sw t1, 0x70(s0)
  li t1, 1
  sw t1, 0x24(s0)
  sw t1, 0x20(s0)
  li t1, 0xB
  sw t1, 0x70(s0)
  sw zero, 0x30(s0)
  li t1, 8
  sw t1, 0x38(s0)
  li t1, DESC
  sw t1, 0x80(s0)
  sw zero, 0x84(s0)
  li t1, AVAIL
  sw t1, 0x90(s0)
  sw zero, 0x94(s0)
  li t1, USED
  sw t1, 0xA0(s0)
  sw zero, 0xA4(s0)
  li t1, 1
  sw t1, 0x44(s0)
  li t1, 0xF
  sw t1, 0x70(s0)
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

putc:
  li a7, 1
  ecall
  ret
puts:
  mv t4, a0
  mv t6, ra
4: lbu a0, 0(t4)
  beqz a0, 5f
  call putc
  addi t4, t4, 1
  j 4b
5: mv ra, t6
  ret
puthex:
  mv t5, a0
  mv t6, ra
  li a0, '0'
  call putc
  li a0, 'x'
  call putc
  li t3, 28
6: srl a0, t5, t3
  andi a0, a0, 15
  li t4, 10
  blt a0, t4, 7f
  addi a0, a0, 'a' - 10
  j 8f
7: addi a0, a0, '0'
8: call putc
  addi t3, t3, -4
  bgez t3, 6b
  mv ra, t6
  ret
  .section .rodata
msg1: .asciz "disk max="
msg2: .asciz " n="
