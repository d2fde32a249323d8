/* The Popek–Goldberg audit, proven (docs/popek-goldberg.md, issue 17 item 5): a guest
   kernel that drops to U-mode and executes every sensitive or privileged RV64GC
   instruction and CSR access of the audit's tables there, plus representatives of the
   innocuous ones, one at a time, and prints one line per entry:
     "NAME: no trap"
     "NAME: trap scause=0x…"            (ecall, ebreak)
     "NAME: trap scause=0x2 stval=0x…"  (illegal instruction: stval = the instruction bits)
   NAME is the entry's first column in the doc, which PopekGoldbergTests compares.
   Under the Vireo firmware this kernel runs in VS-mode and its "U-mode" is VU-mode; the
   firmware turns every virtual-instruction exception (22) into the illegal-instruction
   exception (2) the guest would see natively (firmware/arch/Trap.swift), so an entry that
   traps shows scause 2 whichever of the two the hart raised.
   The trap handler records scause/stval, skips the instruction (2 or 4 bytes, from its low
   bits) and returns to U; the ecall after each entry (at s10) brings the kernel back to
   its own code at s11. */
#include "console.inc"
#include "guest.inc"

/* run the instruction(s) in U-mode (VU under the firmware) and report */
.macro U name, insn:vararg
  CLEAR_LAST_CAUSE
  la s11, 8f
  la s10, 6f
  la a1, scratch                       /* a valid address for the loads, stores and HLV/HSV */
  SRET_TO_U 7f
7: \insn
6: ecall
8: REPORT "\name"
.endm

/* The FP entries, with sstatus.FS = \fs (the names say it); `after_fadd`, if given, is
   called after the first. FLD and FSD stay 4-byte (norvc); C.FLD is the compressed one. */
.macro FP_ENTRIES fs, after_fadd
  U "fadd.d [FS=\fs]", fadd.d fa0, fa1, fa2
  .ifnb \after_fadd
  call \after_fadd
  .endif
  .option push
  .option norvc
  U "fld [FS=\fs]", fld fa0, 0(a1)
  U "fsd [FS=\fs]", fsd fa0, 0(a1)
  .option pop
  U "fmv.x.d [FS=\fs]", fmv.x.d a0, fa0
  U "c.fld [FS=\fs]", c.fld fa0, 0(a1)
  U "csrr fflags [FS=\fs]", csrr a0, fflags
  U "csrr frm [FS=\fs]", csrr a0, frm
  U "csrr fcsr [FS=\fs]", csrr a0, fcsr
  U "csrw fcsr [FS=\fs]", csrw fcsr, zero
.endm

  GUEST_START
  la a0, hello
  call puts

  /* 1. The system instructions */
  U "ecall", ecall
  U "ebreak", ebreak
  U "c.ebreak", c.ebreak
  U "sret", sret
  U "mret", mret
  U "wfi", wfi
  U "sfence.vma", sfence.vma
  U "sfence.vma a1, zero", sfence.vma a1, zero
  U "fence.i", fence.i
  U "fence", fence
  U "fence.tso", fence.tso

  /* 2. The H extension's instructions (U-mode: hstatus.HU is not the guest's to set) */
  .option push
  .option arch, +h
  U "hfence.vvma", hfence.vvma
  U "hfence.gvma", hfence.gvma
  U "hlv.b", hlv.b a0, (a1)
  U "hlv.bu", hlv.bu a0, (a1)
  U "hlv.h", hlv.h a0, (a1)
  U "hlv.hu", hlv.hu a0, (a1)
  U "hlv.w", hlv.w a0, (a1)
  U "hlv.wu", hlv.wu a0, (a1)
  U "hlv.d", hlv.d a0, (a1)
  U "hlvx.hu", hlvx.hu a0, (a1)
  U "hlvx.wu", hlvx.wu a0, (a1)
  U "hsv.b", hsv.b a0, (a1)
  U "hsv.h", hsv.h a0, (a1)
  U "hsv.w", hsv.w a0, (a1)
  U "hsv.d", hsv.d a0, (a1)
  .option pop

  /* 3. Innocuous representatives of the unprivileged ISA */
  U "add", add a0, a1, a1
  U "ld", ld a0, 0(a1)
  U "sd", sd a0, 0(a1)
  U "jal", jal a0, 6f
  U "mul", mul a0, a1, a1
  U "div", div a0, a1, a1
  U "lr.d", lr.d a0, (a1)
  U "sc.d", sc.d a0, a0, (a1)
  U "amoadd.d", amoadd.d a0, a0, (a1)
  U "c.addi", c.addi a0, 1
  U "c.ld", c.ld a0, 0(a1)

  /* 4. Supervisor, hypervisor and machine CSRs: every Zicsr form on sscratch, a read of
     each of the others */
  U "csrrw sscratch", csrrw a0, sscratch, a0
  U "csrrs sscratch", csrrs a0, sscratch, a0
  U "csrrc sscratch", csrrc a0, sscratch, a0
  U "csrrwi sscratch", csrrwi a0, sscratch, 1
  U "csrrsi sscratch", csrrsi a0, sscratch, 1
  U "csrrci sscratch", csrrci a0, sscratch, 1
  U "csrr sscratch", csrr a0, sscratch
  U "csrr sstatus", csrr a0, sstatus
  U "csrr sie", csrr a0, sie
  U "csrr sip", csrr a0, sip
  U "csrr stvec", csrr a0, stvec
  U "csrr scounteren", csrr a0, scounteren
  U "csrr senvcfg", csrr a0, senvcfg
  U "csrr sepc", csrr a0, sepc
  U "csrr scause", csrr a0, scause
  U "csrr stval", csrr a0, stval
  U "csrr satp", csrr a0, satp
  U "csrr stimecmp", csrr a0, 0x14D
  U "csrw satp", csrw satp, zero
  U "csrr hstatus", csrr a0, 0x600
  U "csrr vsatp", csrr a0, 0x280
  U "csrr mstatus", csrr a0, mstatus
  U "csrr mhartid", csrr a0, mhartid
  U "csrr mcounteren", csrr a0, mcounteren
  U "csrr 0x5ff (none)", csrr a0, 0x5ff

  /* 5. The counters: scounteren closed, then open (CY, TM, IR); hpmcounter3–31 are
     closed by the firmware's mcounteren whatever scounteren says */
  csrw scounteren, zero
  U "csrr cycle [scounteren=0]", csrr a0, cycle
  U "csrr time [scounteren=0]", csrr a0, time
  U "csrr instret [scounteren=0]", csrr a0, instret
  li t0, 1
  csrw scounteren, t0
  U "csrr cycle [scounteren=1]", csrr a0, cycle
  U "csrr time [scounteren=1]", csrr a0, time
  li t0, 7
  csrw scounteren, t0
  U "csrr cycle [scounteren=7]", csrr a0, cycle
  U "csrr time [scounteren=7]", csrr a0, time
  U "csrr instret [scounteren=7]", csrr a0, instret
  U "csrw cycle [scounteren=7]", csrw cycle, a0
  U "csrrs cycle, x0 [scounteren=7]", csrrs a0, cycle, x0
  U "csrrs cycle, a1 [scounteren=7]", csrrs a0, cycle, a1
  U "csrrw time [scounteren=7]", csrrw a0, time, zero
  li t0, -1
  csrw scounteren, t0
  U "csrr hpmcounter3 [scounteren=-1]", csrr a0, hpmcounter3
  U "csrr hpmcounter31 [scounteren=-1]", csrr a0, hpmcounter31
  U "csrr mcycle", csrr a0, mcycle
  csrw scounteren, zero

  /* 6. The FP unit: sstatus.FS Off, then Initial (the kernel's own sstatus is vsstatus);
     a U-mode FP instruction sets FS to Dirty with no trap */
  .option push
  .option arch, +d
  li t0, FS_MASK
  csrc sstatus, t0
  FP_ENTRIES Off
  li t0, FS_INIT
  csrs sstatus, t0
  FP_ENTRIES Initial, print_fs
  .option pop

  la a0, done
  call puts
  SHUTDOWN

/* sstatus.FS went Initial -> Dirty under the U-mode fadd.d: "sstatus.FS after U-mode fadd.d: 0x3" */
print_fs:
  addi sp, sp, -16
  sd ra, 0(sp)
  la a0, fsline
  call puts
  csrr a0, sstatus
  srli a0, a0, 13
  andi a0, a0, 3
  call puthex64
  NEWLINE
  /* back to Initial for the next entries */
  li t0, FS_MASK
  csrc sstatus, t0
  li t0, FS_INIT
  csrs sstatus, t0
  ld ra, 0(sp)
  addi sp, sp, 16
  ret

/* The ecall at s10 returns to the kernel at s11; every other trap is recorded and its
   instruction skipped (4 bytes, or 2 for a compressed one). */
  .align 2
trap:
  csrr t0, scause
  li t1, 8
  bne t0, t1, 1f
  csrr t0, sepc
  beq t0, s10, 2f
1:la t1, last_cause
  csrr t0, scause
  sd t0, 0(t1)
  csrr t0, stval
  sd t0, 8(t1)
  csrr t0, sepc
  lhu t1, 0(t0)
  andi t1, t1, 3
  addi t0, t0, 2
  li t2, 3
  bne t1, t2, 3f
  addi t0, t0, 2
3:csrw sepc, t0
  sret
2:li t0, SPP                           /* back to the kernel at s11 */
  csrs sstatus, t0
  csrw sepc, s11
  sret

/* a0 = name: "NAME: no trap\n", "NAME: trap scause=0x…\n" or, for an illegal
   instruction, "NAME: trap scause=0x2 stval=0x…\n" */
  REPORT_ROUTINE illegal

  PUTHEX64_ROUTINE

  CONSOLE_ROUTINES

  .section .rodata
hello: .asciz "popek-goldberg: start\n"
done: .asciz "popek-goldberg: done\n"
fsline: .asciz "sstatus.FS after U-mode fadd.d: "
sep: .asciz ": "
notrap: .asciz "no trap"
s_cause: .asciz "trap scause="
s_tval: .asciz " stval="

  .bss
  .align 4
last_cause: .space 16
scratch: .space 64
  .space 4096
stack_top:
