/* Review finding (shadow mode, vireo.mmu=shadow): an FP store to a page that was once a
   page table of the guest (and is plain data now) is a store access fault.

   Every page a walk ever found a table in stays write-protected in every shadow
   (GuestTableMap keeps it until 256 uses overflow it); each store to it traps and
   emulateTableStore (firmware/arch/Shadow.swift) carries out only integer stores and
   AMOs (MMIOAccess.decode has no FSD/FSW/C.FSD/C.FSDSP), so anything else is reflected
   as cause 7. A Linux page-table page freed at munmap or exit and reused as a process's
   stack or heap makes the process's FP spills (c.fsdsp) SIGSEGV.

   The kernel maps VA 0x4000_0000 through a level-0 table of its own, touches it, unmaps
   the table (clears the level-1 entry, SFENCE.VMA) and then uses the table's page as
   data. Correct: "sd: ok", "fsd: ok", "c.fsdsp: ok". Broken: "fsd: trap scause=0x7"
   and "c.fsdsp: trap scause=0x7". */
#include "console.inc"
#include "guest.inc"

  GUEST_START
  mv s3, sp
  li t0, FS_INIT                       /* sstatus.FS = Initial */
  csrs sstatus, t0
  la a0, hello
  call puts
  /* root[1] -> l1lo, l1lo[0] -> l0x, l0x[0]: VA 0x4000_0000 -> data (RW)
     root[2] -> l1hi, l1hi[1]: the image's 2 MiB identity (RWX) */
  MAP_IMAGE_AND_PAGE root, l1hi, l1lo, l0x, data
  SATP_ON
  li t0, 0x40000000
  ld t1, 0(t0)                         /* the walk finds l0x: a table page now */
  /* unmap it: l0x is no table any more */
  la t0, l1lo
  sd zero, 0(t0)
  sfence.vma
  .option push
  .option arch, +d, +c
  /* reuse l0x as data */
  la s1, l0x
  li t0, 0x3ff0000000000000            /* 1.0 */
  fmv.d.x fa0, t0
  la a0, m_sd
  call puts
  la s2, 1f
  sd t0, 0(s1)
  la a0, m_ok
  call puts
1:la a0, m_fsd
  call puts
  la s2, 2f
  fsd fa0, 8(s1)
  la a0, m_ok
  call puts
2:la a0, m_cfsdsp
  call puts
  la s2, 3f
  mv s3, sp
  addi sp, s1, 64
  c.fsdsp fa0, 16(sp)
  mv sp, s3
  la a0, m_ok
  call puts
3:mv sp, s3
  .option pop
  SHUTDOWN

  .balign 4
trap:                                  /* print scause, continue at s2 */
  mv sp, s3
  PRINT_CAUSE_RESUME_S2 m_trap

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "fp-store: start\n"
m_sd: .asciz "sd: "
m_fsd: .asciz "fsd: "
m_cfsdsp: .asciz "c.fsdsp: "
m_ok: .asciz "ok\n"
m_trap: .asciz "trap scause="

  .section .bss
  .balign 4096
root: .space 4096
l1lo: .space 4096
l1hi: .space 4096
l0x: .space 4096
data: .space 4096
  .space 16384
stack_top:
