/* Review finding (shadow mode, vireo.mmu=shadow): a U-mode program that jumps to its
   kernel's trap vector gets the whole domain stopped.

   The kernel runs with its MMU on (its image in one supervisor-only megapage) and SRETs
   to U-mode at the address of its own trap vector. On a hart the fetch raises an
   instruction page fault (U-mode may not run a U=0 page), which traps to stvec in
   S-mode, where the same page is executable: an ordinary trap, no loop. The firmware's
   reflect (firmware/arch/Shadow.swift) treats "stvec == the faulting pc" as a trap the
   guest cannot take, whatever the privilege it came from, and stops the domain
   ("... and its trap vector points there"). An unprivileged Linux process can do the
   same by jumping to handle_exception.

   Correct: "vector-pc: scause=0x0000000c sepc == stvec: ok". Broken: the domain is
   stopped before the line. */
#include "console.inc"

#define PTE_V 0x1
#define PTE_R 0x2
#define PTE_W 0x4
#define PTE_X 0x8
#define PTE_A 0x40
#define PTE_D 0x80
#define SPP   0x100

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la sp, stack_top
  la t0, trap
  csrw stvec, t0
  la a0, hello
  call puts
  /* root[2] -> l1 (VA 0x8000_0000..); l1[1]: the image's 2 MiB, identity, RWX, U=0 */
  la t0, root
  la t1, l1
  srli t1, t1, 12
  slli t1, t1, 10
  ori t1, t1, PTE_V
  sd t1, 16(t0)
  li t2, ((0x80200000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  la t1, l1
  sd t2, 8(t1)
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
  /* U-mode at the trap vector itself */
  la t0, trap
  csrw sepc, t0
  li t0, SPP
  csrc sstatus, t0
  sret

  .balign 4
trap:
  csrr s2, scause
  csrr s3, sepc
  la a0, msg_cause
  call puts
  mv a0, s2
  call puthex
  la t0, trap
  la a0, msg_ok
  beq s3, t0, 1f
  la a0, msg_bad
1:call puts
  li a7, 0x53525354                    /* SBI SRST shutdown */
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
2:j 2b

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "vector-pc: start\n"
msg_cause: .asciz "vector-pc: scause="
msg_ok: .asciz " sepc == stvec: ok\n"
msg_bad: .asciz " sepc != stvec: WRONG\n"

  .section .bss
  .balign 4096
root: .space 4096
l1: .space 4096
  .space 16384
stack_top:
