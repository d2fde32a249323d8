/* Review probe (held; shadow mode, vireo.mmu=shadow): the guest's own tables and satp
   point outside its RAM. Each attempt must end in the access fault a hart raises where
   nothing is behind the address (or, for the virtio slot of a guest without direct
   I/O, its own emulated disk slot, which reads as zero magic without a disk). Prints
   one line per attempt: "NAME: scause=.. value=..", the same in both modes (0x8040_0000
   is a guest-physical address inside its own RAM). The last attempt (satp past RAM) makes
   the trap vector unreachable: the domain is stopped, in both modes alike. */
#include "console.inc"
#include "guest.inc"

.macro TRY_BEGIN name
  LA_STRING s4, "\name"
  li s1, -1
  li a0, 0
  la s2, 7f
.endm
.macro TRY_END
7:
  mv s3, a0
  mv a0, s4
  call puts
  PUT_FIELD m_cause, s1
  PUT_FIELD m_value, s3
  NEWLINE
.endm

  GUEST_START
  /* root[2] -> l1: l1[1] the image identity RWX;
     root[1] -> l1b: l1b[0] -> l0: 0x4000_0000 -> GPA just past RAM, 0x4000_1000 -> the
     firmware's own address 0x8000_0000 + 4 MiB (host), 0x4000_2000 -> virtio slot 0,
     0x4000_3000 -> UART (X), 0x4000_4000 -> GPA 0x1_0000_0000 */
  MAP_IMAGE root, l1
  TABLE_PTE t1, l1b
  sd t1, 8(t0)
  la t0, l1b
  TABLE_PTE t1, l0
  sd t1, 0(t0)
  la t0, l0
  li t1, ((0x82000000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sd t1, 0(t0)
  li t1, ((0x80400000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sd t1, 8(t0)
  li t1, ((0x10001000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sd t1, 16(t0)
  li t1, ((0x10000000 >> 12) << 10) | PTE_V | PTE_R | PTE_X | PTE_A
  sd t1, 24(t0)
  li t1, ((0x100000000 >> 12) << 10) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sd t1, 32(t0)
  SATP_ON

  TRY_BEGIN "past RAM ld"
  li t0, 0x40000000
  ld a0, 0(t0)
  TRY_END
  TRY_BEGIN "past RAM sd"
  li t0, 0x40000000
  sd t0, 0(t0)
  TRY_END
  TRY_BEGIN "gpa 0x80400000 ld"
  li t0, 0x40001000
  ld a0, 0(t0)
  TRY_END
  TRY_BEGIN "virtio slot 0 magic"
  li t0, 0x40002000
  lw a0, 0(t0)
  TRY_END
  TRY_BEGIN "uart fetch"
  li t0, 0x40003000
  jalr t0
  TRY_END
  TRY_BEGIN "gpa 4G ld"
  li t0, 0x40004000
  ld a0, 0(t0)
  TRY_END
  TRY_BEGIN "gpa 4G amo"
  li t0, 0x40004000
  amoswap.d a0, t0, (t0)
  TRY_END
  /* satp outside RAM */
  TRY_BEGIN "satp past RAM"
  li t0, (8 << 60) | (0x82000000 >> 12)
  csrw satp, t0
  ld a0, 0(sp)
  TRY_END
  SHUTDOWN

  .balign 4
trap:
  csrr s1, scause
  SATP_WRITE                           /* back to our own tables for the rest */
  csrw sepc, s2
  sret

  CONSOLE_ROUTINES

  .section .rodata
m_cause: .asciz ": scause="
m_value: .asciz " value="

  .section .bss
  .balign 4096
root: .space 4096
l1: .space 4096
l1b: .space 4096
l0: .space 4096
  .space 16384
stack_top:
