/* Review finding: SBI send_ipi in a loop to vCPU 1, which is never started. Each call
   used to interrupt the hart vCPU 1 is placed on, whoever ran there. Run with vcpus=2. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li a7, 1
  li a0, 'I'
  ecall
  li a0, 10
  ecall
loop:
  /* sbi_send_ipi(hart_mask = 0b10, base = 0): vCPU 1, which was never started */
  li a7, 0x735049
  li a6, 0
  li a0, 2
  li a1, 0
  ecall
  j loop
