/* Review helper (not an attack): measures how long this guest waits for the firmware.
   It makes SBI calls in a loop (each takes the firmware's lock) and, once per 100 ms of
   `time`, prints the longest call seen in that window, in 100 ns ticks (hex):
   "probe max=0x....". Run it beside an attacker to see the lock held by others. */
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

putc:                  /* legacy console_putchar */
  li a7, 1
  ecall
  ret
puts:
  mv t4, a0
  mv t6, ra
2: lbu a0, 0(t4)
  beqz a0, 3f
  call putc
  addi t4, t4, 1
  j 2b
3: mv ra, t6
  ret
puthex:                /* a0 as 0x + 8 hex digits */
  mv t5, a0
  mv t6, ra
  li a0, '0'
  call putc
  li a0, 'x'
  call putc
  li t3, 28
4: srl a0, t5, t3
  andi a0, a0, 15
  li t4, 10
  blt a0, t4, 5f
  addi a0, a0, 'a' - 10
  j 6f
5: addi a0, a0, '0'
6: call putc
  addi t3, t3, -4
  bgez t3, 4b
  mv ra, t6
  ret
  .section .rodata
msg: .asciz "probe max="
