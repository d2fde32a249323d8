/* Review finding: vCPU 0 starts vCPU 1 and both spin. With two harts each vCPU must get
   its own hart (placement counts vCPUs not started yet). Run with vcpus=2. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  bnez a0, spin
  li a7, 0x48534D
  li a6, 0
  li a0, 1
  la a1, spin
  li a2, 0
  ecall
spin:
  j spin
