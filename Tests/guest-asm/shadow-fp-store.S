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

#define PTE_V 0x1
#define PTE_R 0x2
#define PTE_W 0x4
#define PTE_X 0x8
#define PTE_A 0x40
#define PTE_D 0x80

.macro PTR_PTE reg, label
  la \reg, \label
  srli \reg, \reg, 12
  slli \reg, \reg, 10
  ori \reg, \reg, PTE_V
.endm

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la sp, stack_top
  mv s3, sp
  la t0, trap
  csrw stvec, t0
  li t0, 0x2000                        /* sstatus.FS = Initial */
  csrs sstatus, t0
  la a0, hello
  call puts
  /* root[1] -> l1lo, l1lo[0] -> l0x, l0x[0]: VA 0x4000_0000 -> data (RW)
     root[2] -> l1hi, l1hi[1]: the image's 2 MiB identity (RWX) */
  la t0, root
  PTR_PTE t1, l1lo
  sd t1, 8(t0)
  PTR_PTE t1, l1hi
  sd t1, 16(t0)
  la t0, l1hi
  li t2, ((0x80200000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
  sd t2, 8(t0)
  la t0, l1lo
  PTR_PTE t1, l0x
  sd t1, 0(t0)
  la t0, l0x
  la t1, data
  srli t1, t1, 12
  slli t1, t1, 10
  ori t1, t1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sd t1, 0(t0)
  la t0, root
  srli t0, t0, 12
  li t1, 8 << 60
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
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
  li a7, 0x53525354                    /* SBI SRST shutdown */
  li a6, 0
  li a0, 0
  li a1, 0
  ecall
4:j 4b

  .balign 4
trap:                                  /* print scause, continue at s2 */
  mv sp, s3
  la a0, m_trap
  call puts
  csrr a0, scause
  call puthex
  li a0, 10
  call putc
  csrw sepc, s2
  sret

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
