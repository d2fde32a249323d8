/* The FP state's on/off switch, sstatus.FS (Priv. §3.1.6.6), as a guest kernel uses it:
   with FS = Off its FP instructions are illegal in S and in U; with FS on they work, and
   after an FP write sstatus reads Dirty (SD set), so a kernel saves the registers on a
   switch; the FP registers survive the guest's exits. Under the classic VMM (issue 17,
   vireo.mmu=shadow) the kernel runs in real U-mode and FS is virtual: the firmware turns
   the hart's FS off with the guest's, and reports an on state as Dirty. The output must be
   the same in both modes and natively. */
#include "console.inc"
#include "guest.inc"
  .option arch, +d

  GUEST_START

  /* 1. FS = Off: fmv.d.x in S-mode is an illegal instruction. */
  li t0, FS_MASK
  csrc sstatus, t0
  CLEAR_LAST_CAUSE
  fmv.d.x f1, zero
  LINE "fs: S-mode fmv.d.x with FS=Off: scause "
  la t0, last_cause
  ld a0, 0(t0)
  call puthex64
  call newline

  /* 2. FS = Initial: FP works; after a write sstatus.FS reads Dirty and SD is set. */
  li t0, FS_INIT
  csrs sstatus, t0
  li t1, 0x1122334455667788
  fmv.d.x f1, t1
  li t1, 0x0123456789abcdef
  fmv.d.x f2, t1
  csrr s1, sstatus
  LINE "fs: after fmv.d.x with FS=Initial: FS "
  srli a0, s1, 13
  andi a0, a0, 3
  call puthex64
  LINE ", SD "
  srli a0, s1, 63
  call puthex64
  call newline

  /* 3. The registers survive exits: thirty SBI calls (each an exit under a hypervisor). */
  li s2, 30
1:li a7, 0x10                          /* BASE get_spec_version */
  li a6, 0
  ecall
  addi s2, s2, -1
  bnez s2, 1b
  LINE "fs: f1 "
  fmv.x.d a0, f1
  call puthex64
  LINE " f2 "
  fmv.x.d a0, f2
  call puthex64
  call newline

  /* 4. FS = Off and down to U: fadd.d there is an illegal instruction too, taken by this
     kernel with stval the instruction. */
  li t0, FS_MASK
  csrc sstatus, t0
  CLEAR_LAST_CAUSE
  la s11, 2f
  SRET_TO_U 3f
3:fadd.d f3, f1, f2
  ecall
2:LINE "fs: U-mode fadd.d with FS=Off: scause "
  la t0, last_cause
  ld a0, 0(t0)
  call puthex64
  LINE " stval "
  la t0, last_cause
  ld a0, 8(t0)
  call puthex64
  call newline

  /* 5. FS on again in S: the registers are still there; U-mode fadd.d works now. */
  li t0, FS_INIT
  csrs sstatus, t0
  CLEAR_LAST_CAUSE
  la s11, 4f
  SRET_TO_U 5f
5:fadd.d f3, f1, f2
  ecall
4:LINE "fs: U-mode fadd.d with FS on: last trap "
  la t0, last_cause
  ld a0, 0(t0)
  call puthex64
  LINE ", f3 "
  fmv.x.d a0, f3
  call puthex64
  call newline

  LINE "fs: done\n"
  SHUTDOWN wfi

newline:
  li a0, 10
  j putc

/* Records scause and stval; an ecall from U goes back to the kernel at s11 (in S), any
   other trap skips its 4-byte instruction. */
  .align 2
trap:
  RECORD_TRAP_SKIP4

  PUTHEX64_ROUTINE
  CONSOLE_ROUTINES

  .bss
  .align 4
last_cause: .space 16
  .space 4096
stack_top:
