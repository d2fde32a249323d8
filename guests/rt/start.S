/* Startup and trap entry shared by the guests. A guest is an S-mode kernel entered as
   OpenSBI enters a payload (and as the Vireo hypervisor enters a vCPU, in VS-mode):
   a0 = hart id, a1 = DTB physical address, satp = 0, interrupts off.
   _start runs the Swift guest_main(hartid, dtb) on the first hart to arrive; a hart that
   arrives later (started through HSM without its own entry point) parks in wfi. */
#include "crt.h"
#include "frame.h"

#define FRAME_SIZE (36 * 8)     /* struct TrapFrame in Shim/guest.h */
#define FRAME_SEPC (32 * 8)
#define FRAME_SSTATUS (33 * 8)
#define FRAME_SCAUSE (34 * 8)
#define FRAME_STVAL (35 * 8)
#define SSTATUS_SIE (1 << 1)

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  la t0, rt_boot_claimed
  li t1, 1
  amoswap.w t1, t1, (t0)
  bnez t1, rt_park

  csrci sstatus, SSTATUS_SIE
  csrw sie, zero
  la sp, __stack_top
  mv s0, a0
  mv s1, a1
  ZERO_BSS
  la t0, rt_trap_entry
  csrw stvec, t0
  csrw sscratch, zero

  mv a0, s0
  mv a1, s1
  call guest_main
  /* guest_main does not return (it ends with an SBI shutdown); if it does, stop here. */
rt_park:
  csrci sstatus, SSTATUS_SIE
1:
  wfi
  j 1b

/* Direct-mode trap vector. Guests run only in S-mode, so the trap arrives on the
   interrupted code's own stack: push a TrapFrame, call the Swift
   guest_trap(TrapFrame *), write back sepc and sstatus, restore every GPR, sret. */
  .balign 4
  .globl rt_trap_entry
rt_trap_entry:
  addi sp, sp, -FRAME_SIZE
  SAVE_GPRS
  addi t0, sp, FRAME_SIZE
  sd t0, 2*8(sp)
  sd zero, 0(sp)
  csrr t0, sepc
  sd t0, FRAME_SEPC(sp)
  csrr t0, sstatus
  sd t0, FRAME_SSTATUS(sp)
  csrr t0, scause
  sd t0, FRAME_SCAUSE(sp)
  csrr t0, stval
  sd t0, FRAME_STVAL(sp)

  mv a0, sp
  call guest_trap

  ld t0, FRAME_SEPC(sp)
  csrw sepc, t0
  ld t0, FRAME_SSTATUS(sp)
  csrw sstatus, t0
  LOAD_GPRS
  sret

/* Faults on purpose (the crash guest), with fixed encodings; see Shim/guest.h. */
  .text
  .balign 4
  .globl rt_read_mstatus
rt_read_mstatus:
  .option push
  .option norvc
  csrr a0, mstatus              /* 0x30002573 */
  .option pop
  ret

  .globl rt_illegal_instruction
rt_illegal_instruction:
  unimp
  ret

  .globl rt_load_u64
rt_load_u64:
  ld a0, 0(a0)
  ret

  .globl rt_store_u64
rt_store_u64:
  sd a1, 0(a0)
  ret

  .globl rt_jump
rt_jump:
  jr a0

/* Secondary harts (SBI HSM hart_start with start_addr = rt_secondary_entry): the hart
   arrives with a0 = hart id, a1 = the opaque value, satp = 0 and sstatus.SIE = 0. It takes
   the stack of its slot in rt_hart_stacks (hart ids below RT_MAX_HARTS; others park),
   installs rt_trap_entry and calls the guest's Swift guest_secondary_main(hartid, opaque)
   with a0/a1 unchanged. sstatus and satp are left as they came, so the guest can check
   them. Its own sections: --gc-sections drops them (and the stacks) from a guest that
   never takes the entry's address, so the other guests' images stay as they were. */
#define RT_MAX_HARTS 8
#define RT_HART_STACK_SHIFT 14      /* 16 KiB per hart */

  .section .text.rt_secondary_entry, "ax", @progbits
  .balign 4
  .globl rt_secondary_entry
rt_secondary_entry:
  li t0, RT_MAX_HARTS
  bgeu a0, t0, rt_park
  la sp, rt_hart_stacks
  addi t0, a0, 1
  slli t0, t0, RT_HART_STACK_SHIFT
  add sp, sp, t0
  csrw sie, zero
  la t0, rt_trap_entry
  csrw stvec, t0
  csrw sscratch, zero
  call guest_secondary_main
  /* guest_secondary_main ends in SBI hart_stop; if it returns, park. */
  j rt_park

  .section .bss.rt_hart_stacks, "aw", @nobits
  .balign 16
  .globl rt_hart_stacks
rt_hart_stacks:
  .space RT_MAX_HARTS << RT_HART_STACK_SHIFT

/* Boot-hart claim: in .data so that zeroing .bss cannot reopen it. */
  .data
  .balign 4
rt_boot_claimed:
  .word 0
