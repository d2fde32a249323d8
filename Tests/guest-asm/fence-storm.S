/* Review finding: SBI remote_sfence_vma in a loop for vCPU 1, which is never started:
   it must not interrupt the hart vCPU 1 is placed on. Run with vcpus=2. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li a7, 1
  li a0, 'I'
  ecall
  li a0, 10
  ecall
loop:
  /* sbi_remote_sfence_vma(hart_mask = 0b10, base = 0, all addresses): vCPU 1 */
  li a7, 0x52464E43
  li a6, 1
  li a0, 2
  li a1, 0
  ecall
  j loop
