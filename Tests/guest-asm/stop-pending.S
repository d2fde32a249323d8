/* Review finding: the guest leaves a VS timer interrupt pending and enabled, then shuts
   down. The hart it ran on must sleep afterwards, not spin through WFIs that the stale
   interrupt ends at once. */
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  /* sie.STIE on, sstatus.SIE off: the timer interrupt stays pending, never taken */
  li t0, 0x20
  csrs sie, t0
  /* SBI set_timer(0): with Sstc this is vstimecmp = 0, so VSTIP is pending at once */
  li a7, 0x54494D45
  li a6, 0
  li a0, 0
  ecall
  /* SRST shutdown: this domain stops; its CSRs stay loaded on the hart */
  li a7, 0x53525354
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
1: j 1b
