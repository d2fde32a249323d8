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
#include "guest.inc"

  GUEST_START
  la a0, hello
  call puts
  /* root[2] -> l1 (VA 0x8000_0000..); l1[1]: the image's 2 MiB, identity, RWX, U=0 */
  MAP_IMAGE root, l1
  SATP_ON
  SRET_TO_U trap                       /* U-mode at the trap vector itself */

  .balign 4
trap:
  csrr s2, scause
  csrr s3, sepc
  PUT_FIELD msg_cause, s2
  la t0, trap
  la a0, msg_ok
  beq s3, t0, 1f
  la a0, msg_bad
1:call puts
  SHUTDOWN

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
