/* Entry, trap vector and guest entry of the Vireo firmware (M-mode).

   Boot (every hart): the board's boot ROM (or QEMU's) jumps here in M-mode with a0 = hart
   id and a1 = DTB address. Hart 0 zeroes bss and runs fw_main(hart, dtb); the others wait
   for hart 0 to release them and run fw_secondary(hart).

   Traps: mscratch holds the current vCPU's frame (struct vcpu_frame, Shim/shim.h) while a
   guest runs and 0 while the firmware runs. A trap from a guest saves the guest registers
   into that frame, switches to the hart's firmware stack, takes the hypervisor lock and
   calls fw_trap(frame), which returns the frame to resume (possibly another vCPU's);
   vcpu_resume drops the lock and enters it. So the Swift core runs on one hart at a time
   (a big lock: firmware work is short next to a slice), while guests run on every hart. A trap taken while the firmware
   itself runs (mscratch = 0) is a firmware bug - or an expected fault of a guarded guest
   access, which resumes at the registered fixup - and goes to fw_panic. */

#include "crt.h"
#include "Shim/layout.h"

#define MAX_HARTS FW_MAX_HARTS
#define STACK_SHIFT FW_STACK_SHIFT
#define FRAME_PC FW_FRAME_PC
#define FRAME_MODE FW_FRAME_MODE
#define FRAME_STACK FW_FRAME_STACK
#define MODE_MASK FW_MODE_MASK

  .section .text.init, "ax", @progbits
  .globl _start
_start:
  csrw mie, zero
  csrw mscratch, zero
  la t0, trap_entry
  csrw mtvec, t0
  csrr t0, mhartid
  li t1, MAX_HARTS
  bgeu t0, t1, park
  la sp, __stack_top
  slli t1, t0, STACK_SHIFT
  sub sp, sp, t1
  bnez t0, secondary
  mv s0, a0
  mv s1, a1
  ZERO_BSS
  mv a0, s0
  mv a1, s1
  call fw_main
  j park

secondary:
  /* Wait for hart 0 (boot_release lives in .data, which bss zeroing leaves alone). WFI
     resumes only on an interrupt enabled in mie (Priv. §3.3.3), so the machine software
     interrupt hart 0 raises after the release is enabled here. */
  li t1, 8
  csrw mie, t1
  la t1, boot_release
1:
  ld t2, 0(t1)
  bnez t2, 2f
  wfi
  j 1b
2:
  fence r, rw
  call fw_secondary
park:
  wfi
  j park

/* fw_release_secondaries(): lets the other harts leave the wait above. */
  .globl fw_release_secondaries
fw_release_secondaries:
  fence rw, w
  la t0, boot_release
  li t1, 1
  sd t1, 0(t0)
  ret

  .balign 4
trap_entry:
  csrrw sp, mscratch, sp
  beqz sp, machine_trap
  sd x1, 8(sp)
  sd x3, 24(sp)
  sd x4, 32(sp)
  sd x5, 40(sp)
  sd x6, 48(sp)
  sd x7, 56(sp)
  sd x8, 64(sp)
  sd x9, 72(sp)
  sd x10, 80(sp)
  sd x11, 88(sp)
  sd x12, 96(sp)
  sd x13, 104(sp)
  sd x14, 112(sp)
  sd x15, 120(sp)
  sd x16, 128(sp)
  sd x17, 136(sp)
  sd x18, 144(sp)
  sd x19, 152(sp)
  sd x20, 160(sp)
  sd x21, 168(sp)
  sd x22, 176(sp)
  sd x23, 184(sp)
  sd x24, 192(sp)
  sd x25, 200(sp)
  sd x26, 208(sp)
  sd x27, 216(sp)
  sd x28, 224(sp)
  sd x29, 232(sp)
  sd x30, 240(sp)
  sd x31, 248(sp)
  csrr t0, mcycle
  sd t0, FW_FRAME_TRAPPED(sp)
  csrrw t0, mscratch, zero
  sd t0, 16(sp)
  csrr t0, mepc
  sd t0, FRAME_PC(sp)
  csrr t0, mstatus
  li t1, MODE_MASK
  and t0, t0, t1
  sd t0, FRAME_MODE(sp)
  mv s0, sp
  ld sp, FRAME_STACK(s0)
  call fw_lock_acquire
  csrr t0, mcycle
  sd t0, FW_FRAME_LOCKED(s0)
  mv a0, s0
  call fw_trap
  /* fall through: a0 = the frame to resume */

/* vcpu_resume(frame): drops the hypervisor lock, then enters the frame. */
  .globl vcpu_resume
vcpu_resume:
  la t0, fw_big_lock
  amoswap.w.rl zero, zero, (t0)

/* vcpu_enter(frame): restores the frame and returns into its guest. */
vcpu_enter:
  csrw mscratch, a0
  ld t0, FRAME_PC(a0)
  csrw mepc, t0
  li t1, MODE_MASK
  csrc mstatus, t1
  ld t0, FRAME_MODE(a0)
  csrs mstatus, t0
  ld x1, 8(a0)
  ld x2, 16(a0)
  ld x3, 24(a0)
  ld x4, 32(a0)
  ld x5, 40(a0)
  ld x6, 48(a0)
  ld x7, 56(a0)
  ld x8, 64(a0)
  ld x9, 72(a0)
  ld x11, 88(a0)
  ld x12, 96(a0)
  ld x13, 104(a0)
  ld x14, 112(a0)
  ld x15, 120(a0)
  ld x16, 128(a0)
  ld x17, 136(a0)
  ld x18, 144(a0)
  ld x19, 152(a0)
  ld x20, 160(a0)
  ld x21, 168(a0)
  ld x22, 176(a0)
  ld x23, 184(a0)
  ld x24, 192(a0)
  ld x25, 200(a0)
  ld x26, 208(a0)
  ld x27, 216(a0)
  ld x28, 224(a0)
  ld x29, 232(a0)
  ld x30, 240(a0)
  ld x31, 248(a0)
  ld x10, 80(a0)
  mret

/* A trap while the firmware runs. With a fixup registered for this hart (a guarded guest
   access), resume there with a0 = -1; otherwise report it as a firmware bug. */
machine_trap:
  csrrw sp, mscratch, sp        /* sp back, mscratch back to 0 */
  csrr t0, mhartid
  slli t0, t0, 3
  la t1, fixup_table
  add t1, t1, t0
  ld t0, 0(t1)
  beqz t0, 1f
  sd zero, 0(t1)
  csrw mepc, t0
  li a0, -1
  mret
1:
  addi sp, sp, -256
  sd x1, 8(sp)
  sd x10, 80(sp)
  csrr a0, mcause
  csrr a1, mepc
  csrr a2, mtval
  mv a3, ra
  call fw_panic
  j park

/* The hypervisor lock: test and test-and-set on one word (RVWMO acquire/release, Unpriv.
   §A "Memory Consistency Model"). Uses t0-t2 only. */
  .globl fw_lock_acquire
fw_lock_acquire:
  la t0, fw_big_lock
  li t1, 1
1:
  lw t2, 0(t0)
  bnez t2, 1b
  amoswap.w.aq t2, t1, (t0)
  bnez t2, 1b
  ret

  .globl fw_lock_release
fw_lock_release:
  la t0, fw_big_lock
  amoswap.w.rl zero, zero, (t0)
  ret

/* long guarded_hlvx_hu(u64 address, u64 *value) */
  .globl guarded_hlvx_hu
guarded_hlvx_hu:
  csrr t0, mhartid
  slli t0, t0, 3
  la t1, fixup_table
  add t1, t1, t0
  la t2, 1f
  sd t2, 0(t1)
  hlvx.hu t2, (a0)
  sd zero, 0(t1)
  sd t2, 0(a1)
  li a0, 0
1:
  ret

  .globl hfence_gvma_all
hfence_gvma_all:
  hfence.gvma zero, zero
  ret

  .globl hfence_vvma_all
hfence_vvma_all:
  hfence.vvma zero, zero
  ret

/* fp_save(area) / fp_restore(area): f0-f31 then fcsr. */
  .globl fp_save
fp_save:
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  fsd f\n, (\n * 8)(a0)
  .endr
  frcsr t0
  sd t0, 256(a0)
  ret

  .globl fp_restore
fp_restore:
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  fld f\n, (\n * 8)(a0)
  .endr
  ld t0, 256(a0)
  fscsr t0
  ret

/* fw_park(): parks the hart for good. */
  .globl fw_park
fw_park:
  j park

  .section .data.boot, "aw", @progbits
  .balign 8
boot_release:
  .dword 0
fixup_table:
  .fill MAX_HARTS, 8, 0
fw_big_lock:
  .word 0

/* The domain-name table (layout.h): zeroed with the rest of bss, filled by
   core/DomainNames.swift, read by the board's --trace-events through this symbol. */
  .section .bss.vireo_domain_names, "aw", @nobits
  .balign 8
  .globl vireo_domain_names
vireo_domain_names:
  .space FW_DOMAIN_NAME_SLOTS * FW_DOMAIN_NAME_BYTES
