/* Review finding (shadow mode, vireo.mmu=shadow): the guest's DTB offers Zicbom and
   Zicboz, but its kernel's CBO.ZERO, CBO.CLEAN and CBO.FLUSH are illegal instructions,
   and its senvcfg cannot enable them for its own U-mode.

   A shadow vCPU runs in real U-mode, where a CBO needs senvcfg's enable bit as well as
   menvcfg's (Priv. "Supervisor Environment Configuration Register"); VCPU.loadShadow
   (firmware/arch/VCPUState.swift) never sets the hart's senvcfg, so it stays 0, and the
   trap is reflected. VirtualSupervisor keeps only senvcfg.FIOM.

   Correct (as under two-stage translation): "cbo.zero: ok", "cbo.clean: ok",
   "cbo.flush: ok", "senvcfg=0x000000d1" (CBZE, CBCFE, CBIE writable). Broken: each CBO line
   reads "trap scause=0x00000002" and senvcfg reads back 0x1. */
#include "console.inc"
#include "guest.inc"

  GUEST_START
  la a0, hello
  call puts
  /* a 64-byte block of ones */
  la s1, block
  li t0, -1
  li t1, 8
  mv t2, s1
1:sd t0, 0(t2)
  addi t2, t2, 8
  addi t1, t1, -1
  bnez t1, 1b

  .option push
  .option arch, +zicboz, +zicbom
  la a0, m_zero
  call puts
  la s2, 2f
  cbo.zero (s1)
  ld t0, 0(s1)
  ld t1, 56(s1)
  or t0, t0, t1
  la a0, m_ok
  beqz t0, 3f
  la a0, m_notzero
3:call puts
2:
  la a0, m_clean
  call puts
  la s2, 4f
  cbo.clean (s1)
  la a0, m_ok
  call puts
4:
  la a0, m_flush
  call puts
  la s2, 5f
  cbo.flush (s1)
  la a0, m_ok
  call puts
5:
  .option pop
  /* senvcfg: FIOM | CBZE | CBCFE | CBIE=01 */
  li t0, 0xd1
  csrw senvcfg, t0
  la a0, m_envcfg
  call puts
  csrr a0, senvcfg
  call puthex
  NEWLINE
  SHUTDOWN

  .balign 4
trap:                                  /* print scause, continue at s2 */
  PRINT_CAUSE_RESUME_S2 m_trap

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "cbo: start\n"
m_zero: .asciz "cbo.zero: "
m_clean: .asciz "cbo.clean: "
m_flush: .asciz "cbo.flush: "
m_ok: .asciz "ok\n"
m_notzero: .asciz "NOT ZEROED\n"
m_trap: .asciz "trap scause="
m_envcfg: .asciz "senvcfg="

  .section .bss
  .balign 64
block: .space 64
  .space 16384
stack_top:
