/* Review finding (shadow mode, vireo.mmu=shadow): the guest's user program runs code
   and reads data of a page its kernel mapped supervisor-only (U=0).

   A vCPU's shadow pool has 24 pages. This kernel fills its one kernel-view shadow
   space until it holds all of them (its code's 2 MiB and N megapages of its own that all
   alias the same 2 MiB of RAM, one shadow level-0 table each), reads a kernel-only
   secret, and SRETs to U-mode at an address in its own kernel-only code page. Switching
   to the user view needs a new shadow space; with the pool empty the kernel space is
   evicted and its root page (released last, taken first) becomes the new space's root,
   so satp does not change and the firmware does not fence the hart's TLB
   (firmware/arch/Shadow.swift selectShadow). The user then runs on the kernel view's
   cached translations.

   For N = 16 ... 23 it prints "N=.. scause=.. a0=..". Correct: every round scause=0xc
   (instruction page fault at the kernel-only page), a0 = 0. Broken: one round (the one
   that empties the pool exactly) shows scause=0x8 (the user's ECALL ran) and a0 = the
   secret, and the secret now reads 0xbad (the user overwrote it). The last line is "root-reuse: ok" or "root-reuse: LEAK". */
#include "console.inc"
#include "guest.inc"

  GUEST_START
  la a0, hello
  call puts

  /* root[1] -> l1_lo (VA 0x4000_0000..), root[2] -> l1_hi (VA 0x8000_0000..) */
  /* l1_hi[1]: the kernel's 2 MiB at 0x8020_0000, identity, RWX, supervisor only */
  MAP_IMAGE root, l1_hi
  TABLE_PTE t1, l1_lo
  sd t1, 8(t0)
  /* l1_lo[0..31]: megapages aliasing that same 2 MiB, read-only, supervisor only */
  li t2, ((0x80200000 >> 12) << 10) | PTE_V | PTE_R | PTE_A
  la t1, l1_lo
  li t3, 32
1:sd t2, 0(t1)
  addi t1, t1, 8
  addi t3, t3, -1
  bnez t3, 1b
  SATP_ON

  li s3, 0
  li s0, 16                            /* N */
round:
  li s1, 0                             /* a0 from the user, if it ran */
  sfence.vma                           /* every shadow goes: the pool is full again */
  /* N megapages touched: one shadow level-0 table each */
  li t1, 0x40000000
  li t4, 0x200000
  mv t3, s0
2:ld t2, 0(t1)
  add t1, t1, t4
  addi t3, t3, -1
  bnez t3, 2b
  /* the kernel's own secret, and U-mode entry at its own code (same page as the sret) */
  la t0, secret
  li t1, 0x5EC12E7
  sd t1, 0(t0)                         /* the kernel writes its secret (D set, writable) */
  ld t1, 0(t0)                         /* and reads it */
  SRET_TO_U user_try
user_try:                              /* kernel-only page: U-mode must fault here */
  la t0, secret
  ld a0, 0(t0)                         /* read the kernel's secret */
  li t1, 0xBAD
  sd t1, 0(t0)                         /* and overwrite it */
  ecall
  j user_try

round_done:                            /* from trap: s2 = scause */
  PUT_FIELD msg_n, s0
  PUT_FIELD msg_cause, s2
  PUT_FIELD msg_a0, s1
  la a0, msg_after
  call puts
  la t0, secret
  ld a0, 0(t0)
  call puthex
  NEWLINE
  li t0, 0xc
  beq s2, t0, 3f
  li s3, 1                             /* something other than the page fault */
3:addi s0, s0, 1
  li t0, 24
  blt s0, t0, round
  la a0, ok
  beqz s3, 4f
  la a0, leak
4:call puts
  SHUTDOWN

  .balign 4
trap:
  csrr s2, scause
  mv s1, a0
  li t0, 8
  bne s2, t0, 6f                       /* an ECALL from U: the user code ran */
  j round_done
6:li t0, 0xc
  beq s2, t0, round_done
  /* anything else: report and stop */
  PUT_FIELD unexpected, s2
  csrr a0, stval
  call puthex
  NEWLINE
  SHUTDOWN

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "root-reuse: start\n"
msg_n: .asciz "N="
msg_cause: .asciz " scause="
msg_a0: .asciz " a0="
msg_after: .asciz " secret now="
ok: .asciz "root-reuse: ok\n"
leak: .asciz "root-reuse: LEAK (U-mode ran a supervisor-only page)\n"
unexpected: .asciz "unexpected trap "

  .section .data
  .balign 8
secret: .dword 0x5EC12E7

  .section .bss
  .balign 4096
root: .space 4096
l1_lo: .space 4096
l1_hi: .space 4096
  .space 16384
stack_top:
