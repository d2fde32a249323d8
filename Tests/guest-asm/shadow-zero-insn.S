/* Review finding (shadow mode, vireo.mmu=shadow): with its MMU on, the guest's illegal
   instruction 0x0000 is replaced by whatever lies at the *physical* address equal to its
   pc, and that is emulated.

   The hart reports mtval = 0 for the all-zero instruction; emulatePrivileged
   (firmware/arch/Shadow.swift) then reads the instruction at guest-physical address pc,
   also when pc is a virtual address. Here VA 0x8040_0000 maps a page of zeros, while
   guest-physical 0x8040_0000 holds "csrr a0, sscratch; ebreak".

   Correct: "zero-insn: scause=0x00000002 stval=0x00000000 sepc=0x80400000 a0=0x00000000".
   Broken: the csrr is emulated (a0 = sscratch = 0x5ca7c4), then the second 0x0000 is
   reported with the ebreak's bits as stval and sepc 0x80400004. */
#include "console.inc"
#include "guest.inc"

  GUEST_START
  li t0, 0x5ca7c4
  csrw sscratch, t0
  la a0, hello
  call puts
  /* guest-physical 0x8040_0000: csrr a0, sscratch ; ebreak */
  li t0, 0x80400000
  li t1, 0x14002573
  sw t1, 0(t0)
  li t1, 0x00100073
  sw t1, 4(t0)
  /* root[2] -> l1; l1[1]: the image's 2 MiB identity (RWX); l1[2] -> l0;
     l0[0]: VA 0x8040_0000 -> the zero page (RX) */
  MAP_IMAGE root, l1
  la t0, l1
  TABLE_PTE t1, l0
  sd t1, 16(t0)
  la t0, l0
  PAGE_PTE t1, zeropage, PTE_V | PTE_R | PTE_X | PTE_A
  sd t1, 0(t0)
  SATP_ON
  li a0, 0
  li t0, 0x80400000
  jr t0

  .balign 4
trap:
  mv s1, a0
  la a0, msg_cause
  call puts
  csrr a0, scause
  call puthex
  la a0, msg_tval
  call puts
  csrr a0, stval
  call puthex
  la a0, msg_epc
  call puts
  csrr a0, sepc
  call puthex
  PUT_FIELD msg_a0, s1
  NEWLINE
  SHUTDOWN

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "zero-insn: start\n"
msg_cause: .asciz "zero-insn: scause="
msg_tval: .asciz " stval="
msg_epc: .asciz " sepc="
msg_a0: .asciz " a0="

  .section .bss
  .balign 4096
root: .space 4096
l1: .space 4096
l0: .space 4096
zeropage: .space 4096
  .space 16384
stack_top:
