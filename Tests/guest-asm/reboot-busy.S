/* Review finding: vCPU 1 reboots the domain (SBI SRST) while vCPU 0, on another hart,
   makes SBI calls in a loop. The reboot must stop vCPU 0 and wait until no hart runs it
   before it reloads the RAM; before the fix a hart resumed a reset frame and the board
   hung. Run with vcpus=2 and --harts >= 2. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, spin
  csrw stvec, t0
  bnez a0, secondary
  li a7, 1
  li a0, 'B'
  ecall
  li a0, 10
  ecall
  /* hart_start(1, secondary, 0) */
  li a7, 0x48534D
  li a6, 0
  li a0, 1
  la a1, secondary
  li a2, 0
  ecall
spin:
  /* SBI base get_spec_version in a loop: a trap is always close */
  li a7, 0x10
  li a6, 0
  ecall
  j spin
secondary:
  li a7, 1
  li a0, 'S'
  ecall
  li a0, 10
  ecall
  li t0, 20000
1: addi t0, t0, -1
  bnez t0, 1b
  li a7, 0x53525354
  li a6, 0
  li a0, 1
  li a1, 0
  ecall
2: j 2b
