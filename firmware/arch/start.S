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

/* Saves what trap_entry left in the guest's registers (all but x2 and t0-t2, which it
   saved) and the trap's CSRs into the frame at sp; mscratch becomes 0, so a trap in the
   firmware is recognised as one. */
.macro SAVE_REST
  sd x1, 8(sp)
  sd x3, 24(sp)
  sd x4, 32(sp)
  .irp n, 8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  sd x\n, (\n * 8)(sp)
  .endr
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
.endm

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
  sd x5, 40(sp)
  sd x6, 48(sp)
  sd x7, 56(sp)
  csrr t0, mcause
  la t1, fw_fast_flags
  ld t1, 0(t1)
  andi t2, t1, FW_FAST_ON
  beqz t2, slow_trap
  li t2, 10                     /* ecall from VS */
  beq t0, t2, fast_ecall
  bltz t0, fast_interrupt
  li t2, 21                     /* load guest-page fault */
  beq t0, t2, fast_mmio
  li t2, 23                     /* store/AMO guest-page fault */
  beq t0, t2, fast_mmio

/* The full world switch: t0-t2 are in the frame already. */
  .globl slow_trap
slow_trap:
  SAVE_REST
  mv s0, sp
  ld sp, FRAME_STACK(s0)
  call fw_lock_acquire
  csrr t0, mcycle
  sd t0, FW_FRAME_LOCKED(s0)
  mv a0, s0
  call fw_trap
  j vcpu_resume

/* The fast paths (docs/fast-paths.md). Each runs with the guest's registers live except
   t0-t2 (saved above), without the lock, and touches only the trapping vCPU's frame, the
   hart's own CSRs and this hart's fw_fast_harts words; anything it does not recognise
   goes to slow_trap unchanged. t1 = fw_fast_flags here. They use H CSRs (hvip, vstimecmp,
   mtval2, mtinst), so on a board without H FW_FAST_ON stays clear (setUpFastPaths). */

/* SBI calls (SBI §3): an extension the firmware lacks is refused at once
   (SBI_ERR_NOT_SUPPORTED, a1 = 0, as handleSBI does); TIME set_timer and the legacy
   set_timer are done here (SBI §6.1, §5.1). Everything else is slow. */
  .globl fast_ecall
fast_ecall:
  li t0, FW_SBI_TIME
  beq a7, t0, fast_set_timer
  beqz a7, fast_legacy_set_timer
  la t0, fw_sbi_extensions
  addi t2, t0, FW_SBI_EXTENSION_COUNT * 8
1:
  ld t1, 0(t0)
  beq a7, t1, slow_trap         /* implemented: the Swift handlers */
  addi t0, t0, 8
  bne t0, t2, 1b
  li a0, -2                     /* SBI_ERR_NOT_SUPPORTED */
  li a1, 0
  j fast_ecall_done

fast_set_timer:
  bnez a6, slow_trap            /* other TIME functions: not supported, the slow way */
  mv t0, a0
  li a0, 0
  li a1, 0
  j fast_timer_common
fast_legacy_set_timer:
  mv t0, a0
  li a0, 0
fast_timer_common:
  /* t0 = the deadline, t1 = flags. With Sstc it is the guest's vstimecmp (htimedelta is
     0); without, the frame keeps it and this hart's mtimecmp becomes the earlier of it and
     everything else the hart waits for. Either way VSTIP is no longer pending unless the
     deadline has passed (SBI §6.1). */
  andi t1, t1, FW_FAST_SSTC
  beqz t1, 1f
  csrw 0x24D, t0                /* vstimecmp */
  j fast_ecall_done
1:
  li t1, 0x40                   /* VSTIP */
  csrc hvip, t1
  csrr t2, time
  bltu t2, t0, 2f
  csrs hvip, t1
  li t0, -1
2:
  sd t0, FW_FRAME_DEADLINE(sp)
  csrr t1, mhartid
  slli t1, t1, 4
  la t2, fw_fast_harts
  add t2, t2, t1
  ld t1, FW_FAST_NEXT(t2)
  bltu t1, t0, 3f
  mv t1, t0
3:
  ld t2, FW_FAST_MTIMECMP(t2)
  sd t1, 0(t2)
fast_ecall_done:
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  ld t0, FW_FRAME_FAST_ECALL(sp)
  addi t0, t0, 1
  sd t0, FW_FRAME_FAST_ECALL(sp)
  .globl fast_return
fast_return:
  ld x5, 40(sp)
  ld x6, 48(sp)
  ld x7, 56(sp)
  csrrw sp, mscratch, sp
  mret

/* Without Sstc, the machine timer firing for the loaded vCPU's own SBI deadline and
   nothing else (the slice end, other vCPUs' deadlines and wake-ups are all later):
   inject VSTIP and re-arm for the rest. Any other interrupt is slow. */
  .globl fast_interrupt
fast_interrupt:
  andi t1, t1, FW_FAST_SSTC
  bnez t1, slow_trap
  slli t1, t0, 1
  li t2, 14                     /* machine timer interrupt (code 7) */
  bne t1, t2, slow_trap
  csrr t0, time
  csrr t1, mhartid
  slli t1, t1, 4
  la t2, fw_fast_harts
  add t2, t2, t1
  ld t1, FW_FAST_NEXT(t2)
  bgeu t0, t1, slow_trap
  ld t1, FW_FRAME_DEADLINE(sp)
  bltu t0, t1, slow_trap
  li t1, 0x40                   /* VSTIP */
  csrs hvip, t1
  li t1, -1
  sd t1, FW_FRAME_DEADLINE(sp)
  ld t1, FW_FAST_NEXT(t2)
  ld t2, FW_FAST_MTIMECMP(t2)
  sd t1, 0(t2)
  ld t0, FW_FRAME_FAST_TIMER(sp)
  addi t0, t0, 1
  sd t0, FW_FRAME_FAST_TIMER(sp)
  j fast_return

/* A guest load or store at its emulated UART or PLIC: the whole frame is saved and the lock taken
   as on the slow path, but fw_fast_mmio emulates the access without the exit dispatch,
   the accounting and the scheduler; when it declines, fw_trap takes over as usual. */
  .globl fast_mmio
fast_mmio:
  csrr t0, mtval2
  slli t0, t0, 2
  csrr t1, mtval
  andi t1, t1, 3
  or t0, t0, t1
  li t1, FW_UART_BASE
  sub t2, t0, t1
  li t1, FW_UART_SIZE
  bltu t2, t1, fast_uart
  li t1, FW_PLIC_BASE
  sub t2, t0, t1
  li t1, FW_PLIC_SIZE
  bgeu t2, t1, slow_trap
  .globl fast_mmio_swift
fast_mmio_swift:
  SAVE_REST
  mv s0, sp
  ld sp, FRAME_STACK(s0)
  call fw_lock_acquire
  csrr t0, mcycle
  sd t0, FW_FRAME_LOCKED(s0)
  csrr a1, mtval2
  slli a1, a1, 2
  csrr t0, mtval
  andi t0, t0, 3
  or a1, a1, t0
  csrr a2, mtinst
  csrr a3, mcause
  mv a0, s0
  call fw_fast_mmio
  bnez a0, vcpu_resume
  mv a0, s0
  call fw_trap
  j vcpu_resume

/* A byte load (LB/LBU, Priv. §18.6.3's transformed instruction in mtinst) of a UART
   register whose read has no side effect and needs no console state: IER (or DLM with
   LCR.DLAB), LCR, MCR, MSR, SCR and the undecoded offsets 8-255. Served from the domain's
   register bytes (frame->uart) into rd, without the lock: a concurrent write by a sibling
   vCPU is simply ordered before or after. RBR, IIR and LSR (input, acknowledgements, the
   console budget and the interrupt line) go to fw_fast_mmio. t2 = the offset. */
  .globl fast_uart
fast_uart:
  la t1, fw_fast_flags
  ld t1, 0(t1)
  andi t1, t1, FW_FAST_UART
  beqz t1, fast_mmio_swift
  csrr t1, mcause
  addi t1, t1, -21              /* loads only */
  bnez t1, fast_mmio_swift
  csrr t0, mtinst
  andi t1, t0, 0x7d             /* LOAD (0x03), or LOAD from a compressed one (0x01) */
  addi t1, t1, -1
  bnez t1, fast_mmio_swift
  srli t1, t0, 12
  andi t1, t1, 3                /* funct3 0 (LB) or 4 (LBU): a byte */
  bnez t1, fast_mmio_swift
  srli t1, t0, 7
  andi t1, t1, 31
  addi t1, t1, -2               /* rd = sp lives in mscratch: the general way */
  beqz t1, fast_mmio_swift
  li t1, 0xB0                   /* MSR: DCD | DSR | CTS, as UART16550Registers.read */
  addi t0, t2, -6
  beqz t0, fast_uart_value
  li t1, 0
  li t0, 8
  bgeu t2, t0, fast_uart_value
  ld t0, FW_FRAME_UART(sp)
  addi t1, t2, -7
  bnez t1, 1f
  lbu t1, FW_UART_SCR(t0)
  j fast_uart_value
1:
  addi t1, t2, -3
  bnez t1, 1f
  lbu t1, FW_UART_LCR(t0)
  j fast_uart_value
1:
  addi t1, t2, -4
  bnez t1, 1f
  lbu t1, FW_UART_MCR(t0)
  j fast_uart_value
1:
  addi t1, t2, -1
  bnez t1, fast_mmio_swift      /* RBR/DLL, IIR, LSR */
  lbu t1, FW_UART_LCR(t0)
  andi t1, t1, 0x80
  beqz t1, 2f
  lbu t1, FW_UART_DLM(t0)
  j fast_uart_value
2:
  lbu t1, FW_UART_IER(t0)
fast_uart_value:
  /* t1 = the byte: sign-extend for LB, step the pc by the instruction's length, write rd. */
  csrr t0, mtinst
  srli t2, t0, 12
  andi t2, t2, 4
  bnez t2, 1f
  slli t1, t1, 56
  srai t1, t1, 56
1:
  andi t2, t0, 2                /* 2: a 32-bit instruction, 0: a compressed one */
  addi t2, t2, 2
  csrr t0, mepc
  add t0, t0, t2
  csrw mepc, t0
  ld t0, FW_FRAME_FAST_LOAD(sp)
  addi t0, t0, 1
  sd t0, FW_FRAME_FAST_LOAD(sp)
  csrr t0, mtinst
  srli t0, t0, 7
  andi t0, t0, 31
  slli t0, t0, 3
  la t2, fast_uart_rd
  add t0, t0, t2
  jr t0

/* rd = t1, one 8-byte entry per register: t0-t2 through their frame slots (fast_return
   reloads them), x0 discarded, x2 never taken. */
  .option push
  .option norvc
fast_uart_rd:
  .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
  .if \n == 0 || \n == 2
  nop
  .elseif \n >= 5 && \n <= 7
  sd t1, (\n * 8)(sp)
  .else
  mv x\n, t1
  .endif
  j fast_return
  .endr
  .option pop


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

/* The H instructions: called only for two-stage vCPUs or with H (a board without H has
   none; the firmware would trap into itself). */

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
  .balign 8
  .globl fw_fast_flags
fw_fast_flags:
  .dword 0
  .globl fw_fast_harts
fw_fast_harts:
  .fill MAX_HARTS * FW_FAST_HART_SIZE / 8, 8, 0

  .section .rodata.fw_sbi_extensions, "a", @progbits
  .balign 8
  .globl fw_sbi_extensions
fw_sbi_extensions:
  .dword FW_SBI_EXTENSIONS

/* The domain-name table (layout.h): zeroed with the rest of bss, filled by
   core/DomainNames.swift, read by the board's --trace-events through this symbol. */
  .section .bss.vireo_domain_names, "aw", @nobits
  .balign 8
  .globl vireo_domain_names
vireo_domain_names:
  .space FW_DOMAIN_NAME_SLOTS * FW_DOMAIN_NAME_BYTES
