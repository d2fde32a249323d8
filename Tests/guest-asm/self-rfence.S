/* SBI RFENCE aimed at the guest's own hart (vCPU 0, its only one): remote FENCE.I,
   SFENCE.VMA and SFENCE.VMA with ASID (SBI §8.1-8.3) must each return 0. Under two-stage
   translation the firmware fences with HFENCE.VVMA; in shadow mode (vireo.mmu=shadow, or
   a board without H, where HFENCE is an illegal instruction) it drops the guest's shadows
   instead. Prints one line per call with the SBI error, then shuts down (SRST). */
#include "console.inc"
#include "guest.inc"
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la a0, m_fencei
  call puts
  li a7, 0x52464E43
  li a6, 0            /* remote_fence_i(hart_mask 0x1, base 0) */
  li a0, 1
  li a1, 0
  ecall
  call report
  la a0, m_sfence
  call puts
  li a7, 0x52464E43
  li a6, 1            /* remote_sfence_vma(0x1, 0, start 0, size -1: every address) */
  li a0, 1
  li a1, 0
  li a2, 0
  li a3, -1
  ecall
  call report
  la a0, m_asid
  call puts
  li a7, 0x52464E43
  li a6, 2            /* remote_sfence_vma_asid(base -1: every hart, start 0, size -1, ASID 0) */
  li a0, 0
  li a1, -1
  li a2, 0
  li a3, -1
  li a4, 0
  ecall
  call report
  SHUTDOWN

/* a0 = the SBI error: printed in hex, then a newline. */
report:
  mv s1, ra
  call puthex
  NEWLINE
  mv ra, s1
  ret

  CONSOLE_ROUTINES

  .section .rodata
m_fencei: .asciz "rfence: remote_fence_i "
m_sfence: .asciz "rfence: remote_sfence_vma "
m_asid: .asciz "rfence: remote_sfence_vma_asid "
