/* The guest's own timer compare, stimecmp (Sstc, "stimecmp" CSR): written in the past it
   makes STIP pending at once, written far ahead it clears it, and a compare a little ahead
   delivers the supervisor timer interrupt to stvec when SIE and STIE allow. It reads back
   what was written. Under two-stage translation this is the hart's vstimecmp; under the
   classic VMM (vireo.mmu=shadow, issue 17) every access traps and the firmware keeps the
   compare for the guest's virtual S-mode. Both print the same. */
#include "console.inc"
#include "guest.inc"

#define STIP     0x20
#define SIE      0x2

  GUEST_START
  li t0, STIP
  csrs sie, t0                          /* STIE on, sstatus.SIE still off */

  /* 1. In the past: STIP pending at once. */
  csrw stimecmp, zero
  csrr s1, sip
  andi s1, s1, STIP
  LINE "sstc: stimecmp 0: sip.STIP "
  mv a0, s1
  call puthex64
  NEWLINE

  /* 2. Far ahead: STIP clear, and it reads back. */
  li t0, -1
  csrw stimecmp, t0
  csrr s1, sip
  andi s1, s1, STIP
  csrr s2, stimecmp
  LINE "sstc: stimecmp max: sip.STIP "
  mv a0, s1
  call puthex64
  LINE ", reads "
  mv a0, s2
  call puthex64
  NEWLINE

  /* 3. 1 ms ahead with interrupts on: wfi until the handler has run once. */
  la t0, ticks
  sd zero, 0(t0)
  rdtime t0
  li t1, 10000
  add t0, t0, t1
  csrw stimecmp, t0
  csrs sstatus, SIE
1:wfi
  la t0, ticks
  ld t1, 0(t0)
  beqz t1, 1b
  csrc sstatus, SIE
  LINE "sstc: interrupt taken, scause "
  la t0, last_cause
  ld a0, 0(t0)
  call puthex64
  LINE ", ticks "
  la t0, ticks
  ld a0, 0(t0)
  call puthex64
  LINE ", time >= stimecmp "
  la t0, late
  ld a0, 0(t0)
  call puthex64
  NEWLINE

  LINE "sstc: done\n"
  SHUTDOWN wfi

/* The timer interrupt: count it, note whether time had reached stimecmp, and push the
   compare far ahead (which clears STIP). */
  .align 2
trap:
  csrr t0, scause
  la t1, last_cause
  sd t0, 0(t1)
  rdtime t2
  csrr t0, stimecmp
  sltu t2, t2, t0
  xori t2, t2, 1
  la t1, late
  sd t2, 0(t1)
  la t1, ticks
  ld t0, 0(t1)
  addi t0, t0, 1
  sd t0, 0(t1)
  li t0, -1
  csrw stimecmp, t0
  sret

  PUTHEX64_ROUTINE
  CONSOLE_ROUTINES

  .bss
  .align 4
last_cause: .space 8
ticks: .space 8
late: .space 8
  .space 4096
stack_top:
