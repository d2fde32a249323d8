/*
 * Vireo conformance programs: shared definitions, macros and runtime.
 *
 * Every program does:
 *     #include "test.h"
 *     TEST_BEGIN name
 *         ... checks ...
 *     PASS
 *
 * Register conventions (all modes):
 *   s11        scratch of the CHECK_* and mode-switch macros
 *   t5, t6     EXPECT_TRAP arms a trap: t5 = TRAP_ARM magic, t6 = resume address
 *              (CHECK_MASK also uses t6)
 *   a0, a6, a7 used by the ecall-based service calls (PASS, FAIL, TO_M)
 *   s6..s10    written by a trap handler when an armed trap is taken:
 *                s6 = mode that handled it (3 = M, 1 = S)
 *                s7 = mstatus / sstatus as read on handler entry
 *                s8 = mcause / scause
 *                s9 = mepc / sepc
 *                s10 = mtval / stval
 *              EXPECT_TRAP sets s6 = 0 and s8 = -1 so a missing trap is seen.
 *
 * A trap that was not armed (t5 != TRAP_ARM) is a failure: the M-mode handler
 * prints the trap state and fails with test number 255 (FAIL_UNEXPECTED_M); the
 * S-mode handler reports through M with test number 254 (FAIL_UNEXPECTED_S).
 * An armed trap is taken once: the handler disarms t5, stores the results above,
 * and returns (mret/sret, so to the mode the trap came from) to the address in t6.
 * For an interrupt it also clears the taken interrupt's enable bit in mie / sie and
 * returns with mstatus.MIE / SIE = 0 (it clears MPIE / SPIE before the xRET), so
 * neither that interrupt nor another pending one is taken right after the return.
 *
 * Service calls are ecalls with a magic number in a7; they work from any mode
 * (the S-mode handler forwards them to M when U-mode ecalls are delegated):
 *   PASS           print "PASS <name>", finisher 0x5555
 *   FAIL_N n       print "FAIL <name> test <n>", finisher (n<<16)|0x3333
 *   TO_M           continue at the next instruction in M-mode
 * From M-mode, TO_S / TO_U continue at the next instruction in S / U mode (mret);
 * from S, S_TO_U does the same with sret. They only use s11, so a trap armed before
 * them stays armed. Code that switches modes must run from identity-mapped addresses.
 *
 * TEST_BEGIN sets: sp = __stack_top, mtvec = trap_m, stvec = trap_s (both direct),
 * mscratch / sscratch = the handlers' frames, .bss cleared, medeleg = mideleg = 0,
 * mie = mip = 0, satp = 0, CLINT mtimecmp = -1 and msip = 0, PMP entries 0-14 off
 * and entry 15 a catch-all NAPOT RWX region so S and U can reach everything.
 *
 * Check numbers run from 1 to 253 in each program (254 / 255 are the unexpected
 * trap codes above). Checks the spec requires but QEMU 7.2 gets wrong are kept in
 * #ifdef SPEC_STRICT blocks (built by VIREO_SPEC_STRICT=1 tools/build/programs.sh).
 *
 * The hypervisor-extension programs include "h.h" instead, which defines H_EXT and
 * then includes this file; the #ifdef H_EXT parts below (ecalls from VS/VU, the
 * H CSRs saved by the handlers, the H state reset by TEST_BEGIN) are documented there.
 */
#ifndef VIREO_TEST_H
#define VIREO_TEST_H

/* ---------------------------------------------------------------- board */
#define UART0_BASE      0x10000000
#define UART_THR        0
#define UART_IER        1
#define UART_LSR        5
#define FINISHER_BASE   0x100000
#define FINISHER_PASS   0x5555
#define FINISHER_FAIL   0x3333
#define CLINT_BASE      0x2000000
#define CLINT_MSIP      0x2000000
#define CLINT_MTIMECMP  0x2004000
#define CLINT_MTIME     0x200BFF8
#define PLIC_BASE       0x0C000000
#define DRAM_BASE       0x80000000

/* ---------------------------------------------------------------- CSR fields */
#define MSTATUS_SIE     0x2
#define MSTATUS_MIE     0x8
#define MSTATUS_SPIE    0x20
#define MSTATUS_UBE     0x40
#define MSTATUS_MPIE    0x80
#define MSTATUS_SPP     0x100
#define MSTATUS_MPP     0x1800
#define MSTATUS_MPP_S   0x800
#define MSTATUS_MPP_M   0x1800
#define MSTATUS_FS      0x6000
#define MSTATUS_XS      0x18000
#define MSTATUS_MPRV    0x20000
#define MSTATUS_SUM     0x40000
#define MSTATUS_MXR     0x80000
#define MSTATUS_TVM     0x100000
#define MSTATUS_TW      0x200000
#define MSTATUS_TSR     0x400000
#define MSTATUS_UXL     0x300000000
#define MSTATUS_SXL     0xC00000000
#define MSTATUS_SD      0x8000000000000000

#define IRQ_SSI         1
#define IRQ_MSI         3
#define IRQ_STI         5
#define IRQ_MTI         7
#define IRQ_SEI         9
#define IRQ_MEI         11
#define MIP_SSIP        (1 << IRQ_SSI)
#define MIP_MSIP        (1 << IRQ_MSI)
#define MIP_STIP        (1 << IRQ_STI)
#define MIP_MTIP        (1 << IRQ_MTI)
#define MIP_SEIP        (1 << IRQ_SEI)
#define MIP_MEIP        (1 << IRQ_MEI)

#define CAUSE_MISALIGNED_FETCH   0
#define CAUSE_FETCH_ACCESS       1
#define CAUSE_ILLEGAL_INSN       2
#define CAUSE_BREAKPOINT         3
#define CAUSE_MISALIGNED_LOAD    4
#define CAUSE_LOAD_ACCESS        5
#define CAUSE_MISALIGNED_STORE   6
#define CAUSE_STORE_ACCESS       7
#define CAUSE_USER_ECALL         8
#define CAUSE_SUPERVISOR_ECALL   9
#define CAUSE_MACHINE_ECALL      11
#define CAUSE_FETCH_PAGE_FAULT   12
#define CAUSE_LOAD_PAGE_FAULT    13
#define CAUSE_STORE_PAGE_FAULT   15
#define CAUSE_INTR               0x8000000000000000

#define PTE_V           0x1
#define PTE_R           0x2
#define PTE_W           0x4
#define PTE_X           0x8
#define PTE_U           0x10
#define PTE_G           0x20
#define PTE_A           0x40
#define PTE_D           0x80

#define SATP_MODE_BARE  0
#define SATP_MODE_SV39  (8 << 60)
#define SATP_MODE_SV48  (9 << 60)

#define PMP_R           0x01
#define PMP_W           0x02
#define PMP_X           0x04
#define PMP_OFF         0x00
#define PMP_TOR         0x08
#define PMP_NA4         0x10
#define PMP_NAPOT       0x18
#define PMP_L           0x80

/* CSR numbers the assembler may not know by name */
#define CSR_MCOUNTINHIBIT 0x320
#define CSR_MENVCFG     0x30A
#define CSR_SENVCFG     0x10A
#define CSR_MCONFIGPTR  0xF15

/* ---------------------------------------------------------------- runtime magic */
#define TRAP_ARM        0x7E57A4E0
#define ECALL_PASS      0x7E570001
#define ECALL_FAIL      0x7E570002
#define ECALL_TOM       0x7E570003
#define ECALL_TOM_AT    0x7E570004
#define ECALL_S_UNEXP   0x7E570005
#define FAIL_UNEXPECTED_M 255
#define FAIL_UNEXPECTED_S 254

/* frame layout used by both trap handlers: slot i holds x(i) */
#define FRAME_SIZE      (32 * 8)
#define REG(n)          ((n) * 8)

.option norvc

/* ---------------------------------------------------------------- checks */

/* Fail with test number n (from any mode). */
.macro FAIL_N n
    li a0, \n
    li a7, ECALL_FAIL
    ecall
1000: j 1000b
.endm

.macro PASS
    li a7, ECALL_PASS
    ecall
1001: j 1001b
.endm

/* reg == constant */
.macro CHECK_EQ reg, val, n
    li s11, \val
    beq \reg, s11, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* reg != constant */
.macro CHECK_NE reg, val, n
    li s11, \val
    bne \reg, s11, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* reg == address of a label */
.macro CHECK_ADDR reg, label, n
    la s11, \label
    beq \reg, s11, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* reg1 == reg2 */
.macro CHECK_REG r1, r2, n
    beq \r1, \r2, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* (reg & mask) == val   (also clobbers t6) */
.macro CHECK_MASK reg, mask, val, n
    li s11, \mask
    and s11, \reg, s11
    li t6, \val
    beq s11, t6, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/*
 * Execute the instruction `insn` (from any mode) expecting an illegal-instruction
 * trap taken in M with mepc = the instruction and mtval = its 32 bits.
 */
.macro CHECK_ILLEGAL n, insn:vararg
    EXPECT_TRAP .Lil_r\@
.Lil_i\@:
    \insn
.Lil_r\@:
    CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lil_i\@, \n
    la s11, .Lil_i\@
    lwu s11, 0(s11)
    beq s10, s11, .Lil_ok\@
    FAIL_N \n
.Lil_ok\@:
.endm

/* Unsigned reg1 < reg2 */
.macro CHECK_LTU r1, r2, n
    bltu \r1, \r2, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* Arm the trap handlers: the next trap resumes at label. */
.macro EXPECT_TRAP label
    li s6, 0
    li s8, -1
    li t5, TRAP_ARM
    la t6, \label
.endm

.macro DISARM
    li t5, 0
.endm

/* An armed trap was taken by mode `mode` (3 = M, 1 = S) with this cause. */
.macro CHECK_TRAP mode, cause, n
    CHECK_EQ s6, \mode, \n
    CHECK_EQ s8, \cause, \n
.endm

/* ---------------------------------------------------------------- mode switches */

/* From M: continue at the next instruction in S-mode (mret; MIE <- MPIE). */
.macro TO_S
#ifdef H_EXT
    li s11, MSTATUS_MPP | MSTATUS_MPV   /* to V = 0 */
#else
    li s11, MSTATUS_MPP
#endif
    csrc mstatus, s11
    li s11, MSTATUS_MPP_S
    csrs mstatus, s11
    la s11, .Lto_s\@
    csrw mepc, s11
    mret
.Lto_s\@:
.endm

/* From M: continue at the next instruction in U-mode. */
.macro TO_U
#ifdef H_EXT
    li s11, MSTATUS_MPP | MSTATUS_MPV   /* to V = 0 */
#else
    li s11, MSTATUS_MPP
#endif
    csrc mstatus, s11
    la s11, .Lto_u\@
    csrw mepc, s11
    mret
.Lto_u\@:
.endm

/* From S: continue at the next instruction in U-mode (sret; SIE <- SPIE). */
.macro S_TO_U
    li s11, MSTATUS_SPP
    csrc sstatus, s11
#ifdef H_EXT
    li s11, HSTATUS_SPV
    csrc hstatus, s11
#endif
    la s11, .Ls_to_u\@
    csrw sepc, s11
    sret
.Ls_to_u\@:
.endm

/* From any mode: continue at the next instruction in M-mode. */
.macro TO_M
    li a7, ECALL_TOM
    ecall
.endm

/* ---------------------------------------------------------------- UART (M-mode helper) */
.macro PUTC reg
    li t0, UART0_BASE
.Lputc_wait\@:
    lbu t1, UART_LSR(t0)
    andi t1, t1, 0x20
    beqz t1, .Lputc_wait\@
    sb \reg, UART_THR(t0)
.endm

/* ---------------------------------------------------------------- program start */
.macro TEST_BEGIN name
    .pushsection .rodata
    .globl test_name
test_name:
    .asciz "\name"
    .popsection
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la sp, __stack_top
    la t0, trap_m
    csrw mtvec, t0
    la t0, m_frame
    csrw mscratch, t0
    la t0, trap_s
    csrw stvec, t0
    la t0, s_frame
    csrw sscratch, t0
    /* clear .bss */
    la t0, __bss_start
    la t1, __bss_end
.Lbss_loop\@:
    bgeu t0, t1, .Lbss_done\@
    sd zero, 0(t0)
    addi t0, t0, 8
    j .Lbss_loop\@
.Lbss_done\@:
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    csrw mip, zero
    /* no timer or software interrupt pending from the CLINT */
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    csrw satp, zero
    /* PMP: nothing but a last catch-all entry giving S/U full access */
    csrw pmpcfg0, zero
    csrw pmpcfg2, zero
    li t0, -1
    csrw pmpaddr15, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56)
    csrw pmpcfg2, t0
#ifdef H_EXT
    H_STATE_RESET
#endif
    li t5, 0
    li t6, 0
    sfence.vma
.endm

/* ---------------------------------------------------------------- runtime */
    .pushsection .text.lib, "ax", @progbits

/* print_str(a0 = NUL-terminated string). Clobbers t0-t2, a0. */
    .align 2
print_str:
    lbu t2, 0(a0)
    beqz t2, 1f
    PUTC t2
    addi a0, a0, 1
    j print_str
1:  ret

/* print_dec(a0 = unsigned value). Clobbers t0-t4, a0. */
    .align 2
print_dec:
    la t3, num_buf + 31
    sb zero, 0(t3)
    li t4, 10
1:  remu t2, a0, t4
    addi t2, t2, '0'
    addi t3, t3, -1
    sb t2, 0(t3)
    divu a0, a0, t4
    bnez a0, 1b
2:  lbu t2, 0(t3)
    beqz t2, 3f
    PUTC t2
    addi t3, t3, 1
    j 2b
3:  ret

/* print_hex(a0 = value), "0x" + 16 digits. Clobbers t0-t4, a0. */
    .align 2
print_hex:
    mv t3, a0
    li t2, '0'
    PUTC t2
    li t2, 'x'
    PUTC t2
    li t4, 60
1:  srl t2, t3, t4
    andi t2, t2, 15
    addi t2, t2, '0'
    li t0, '9'
    ble t2, t0, 2f
    addi t2, t2, 'a' - '9' - 1
2:  PUTC t2
    addi t4, t4, -4
    bgez t4, 1b
    ret

/* test_pass: never returns (M-mode). */
    .align 2
test_pass:
    la a0, str_pass
    jal print_str
    la a0, test_name
    jal print_str
    li t2, '\n'
    PUTC t2
    li t0, FINISHER_BASE
    li t1, FINISHER_PASS
    sw t1, 0(t0)
1:  j 1b

/* test_fail(a0 = test number): never returns (M-mode). */
    .align 2
test_fail:
    mv s0, a0
    la a0, str_fail
    jal print_str
    la a0, test_name
    jal print_str
    la a0, str_test
    jal print_str
    mv a0, s0
    jal print_dec
    li t2, '\n'
    PUTC t2
    li t0, FINISHER_BASE
    slli t1, s0, 16
    li t2, FINISHER_FAIL
    or t1, t1, t2
    sw t1, 0(t0)
1:  j 1b

/* Unexpected trap report: a0 = label string, a1 = cause, a2 = epc, a3 = tval */
    .align 2
report_trap:
    mv s4, ra
    mv s1, a1
    mv s2, a2
    mv s3, a3
    jal print_str
    la a0, str_cause
    jal print_str
    mv a0, s1
    jal print_hex
    la a0, str_epc
    jal print_str
    mv a0, s2
    jal print_hex
    la a0, str_tval
    jal print_str
    mv a0, s3
    jal print_hex
    li t2, '\n'
    PUTC t2
    mv ra, s4
    ret

/* Save x1, x3..x31 into the frame at sp (x2 is saved by the caller). */
.macro SAVE_FRAME
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\r, REG(\r)(sp)
    .endr
.endm
.macro RESTORE_FRAME
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\r, REG(\r)(sp)
    .endr
.endm

/*
 * M-mode trap handler (mtvec, direct). Preserves every register except those
 * it reports into. mscratch = frame address.
 */
    .align 6
    .globl trap_m
trap_m:
    csrrw sp, mscratch, sp
    SAVE_FRAME
    csrr t0, mscratch
    sd t0, REG(2)(sp)
    csrr s0, mcause
    csrr s1, mepc
    csrr s2, mtval
    csrr s3, mstatus
    /* service ecalls (causes 8, 9, 11) */
    bltz s0, .Lm_not_service
    li t0, CAUSE_USER_ECALL
    beq s0, t0, .Lm_ecall
    li t0, CAUSE_SUPERVISOR_ECALL
    beq s0, t0, .Lm_ecall
#ifdef H_EXT
    li t0, CAUSE_VS_ECALL
    beq s0, t0, .Lm_ecall
#endif
    li t0, CAUSE_MACHINE_ECALL
    bne s0, t0, .Lm_not_service
.Lm_ecall:
    ld t1, REG(17)(sp)           /* a7 */
    li t0, ECALL_PASS
    beq t1, t0, test_pass
    li t0, ECALL_FAIL
    bne t1, t0, 1f
    ld a0, REG(10)(sp)
    j test_fail
1:  li t0, ECALL_S_UNEXP
    bne t1, t0, 1f
    la a0, str_unexp_s
    ld a1, REG(11)(sp)
    ld a2, REG(12)(sp)
    ld a3, REG(13)(sp)
    jal report_trap
    li a0, FAIL_UNEXPECTED_S
    j test_fail
#ifdef H_EXT
1:  li t0, ECALL_VS_UNEXP
    bne t1, t0, 1f
    la a0, str_unexp_vs
    ld a1, REG(11)(sp)
    ld a2, REG(12)(sp)
    ld a3, REG(13)(sp)
    jal report_trap
    li a0, FAIL_UNEXPECTED_S
    j test_fail
#endif
1:  li t0, ECALL_TOM
    bne t1, t0, 1f
    addi t2, s1, 4
    j 2f
1:  li t0, ECALL_TOM_AT
    bne t1, t0, .Lm_not_service
    ld t2, REG(16)(sp)           /* a6 = target */
2:  csrw mepc, t2
    li t0, MSTATUS_MPP
    csrs mstatus, t0
#ifdef H_EXT
    li t0, MSTATUS_MPV           /* continue in M, V = 0 (MPV is ignored with MPP = M, but be sure) */
    csrc mstatus, t0
#endif
    sd zero, REG(17)(sp)         /* consume the magic */
    j .Lm_return
.Lm_not_service:
    ld t1, REG(30)(sp)           /* t5 */
    li t0, TRAP_ARM
    bne t1, t0, .Lm_unexpected
    sd zero, REG(30)(sp)         /* disarm */
    li t0, 3
    sd t0, REG(22)(sp)           /* s6 = handled in M */
    sd s3, REG(23)(sp)           /* s7 = mstatus */
    sd s0, REG(24)(sp)           /* s8 = mcause */
    sd s1, REG(25)(sp)           /* s9 = mepc */
    sd s2, REG(26)(sp)           /* s10 = mtval */
#ifdef H_EXT
    csrr t0, CSR_MTVAL2
    la t1, trap_tval2
    sd t0, 0(t1)
    csrr t0, CSR_MTINST
    la t1, trap_tinst
    sd t0, 0(t1)
    csrr t0, CSR_HSTATUS
    la t1, trap_hstatus
    sd t0, 0(t1)
#endif
    ld t0, REG(31)(sp)           /* t6 = resume */
    csrw mepc, t0
    bgez s0, .Lm_return
    andi t0, s0, 63             /* interrupt: disable it and return with MIE = 0 */
    li t1, 1
    sll t1, t1, t0
    csrc mie, t1
    li t1, MSTATUS_MPIE
    csrc mstatus, t1
.Lm_return:
    RESTORE_FRAME
    csrrw sp, mscratch, sp
    mret
.Lm_unexpected:
    la a0, str_unexp_m
    mv a1, s0
    mv a2, s1
    mv a3, s2
    jal report_trap
    li a0, FAIL_UNEXPECTED_M
    j test_fail

/*
 * S-mode trap handler (stvec, direct). sscratch = frame address.
 */
    .align 6
    .globl trap_s
trap_s:
    csrrw sp, sscratch, sp
    SAVE_FRAME
    csrr t0, sscratch
    sd t0, REG(2)(sp)
    csrr s0, scause
    csrr s1, sepc
    csrr s2, stval
    csrr s3, sstatus
#ifdef H_EXT
    li t0, CAUSE_VS_ECALL        /* ecalls from VS (medeleg[10]) are forwarded too */
    beq s0, t0, 1f
#endif
    li t0, CAUSE_USER_ECALL
    bne s0, t0, .Ls_not_service
1:  ld t1, REG(17)(sp)           /* a7 */
    li t0, ECALL_PASS
    beq t1, t0, .Ls_forward
    li t0, ECALL_FAIL
    beq t1, t0, .Ls_forward
    li t0, ECALL_TOM_AT
    beq t1, t0, .Ls_forward
#ifdef H_EXT
    li t0, ECALL_VS_UNEXP
    beq t1, t0, .Ls_forward
#endif
    li t0, ECALL_TOM
    bne t1, t0, .Ls_not_service
    addi t0, s1, 4               /* continue after the U-mode ecall, in M */
    sd t0, REG(16)(sp)
    li t0, ECALL_TOM_AT
    sd t0, REG(17)(sp)
.Ls_forward:                     /* re-issue the service ecall from S with U's registers */
    RESTORE_FRAME
    csrrw sp, sscratch, sp
    ecall
1:  j 1b
.Ls_not_service:
    ld t1, REG(30)(sp)           /* t5 */
    li t0, TRAP_ARM
    bne t1, t0, .Ls_unexpected
    sd zero, REG(30)(sp)
    li t0, 1
    sd t0, REG(22)(sp)
    sd s3, REG(23)(sp)
    sd s0, REG(24)(sp)
    sd s1, REG(25)(sp)
    sd s2, REG(26)(sp)
#ifdef H_EXT
    csrr t0, CSR_HTVAL
    la t1, trap_tval2
    sd t0, 0(t1)
    csrr t0, CSR_HTINST
    la t1, trap_tinst
    sd t0, 0(t1)
    csrr t0, CSR_HSTATUS
    la t1, trap_hstatus
    sd t0, 0(t1)
#endif
    ld t0, REG(31)(sp)
    csrw sepc, t0
    bgez s0, .Ls_return
    andi t0, s0, 63             /* interrupt: disable it and return with SIE = 0 */
    li t1, 1
    sll t1, t1, t0
    csrc sie, t1
#ifdef H_EXT
    csrc CSR_HIE, t1             /* VS-level / guest external interrupts (2, 6, 10, 12) live in hie */
#endif
    li t1, MSTATUS_SPIE
    csrc sstatus, t1
.Ls_return:
    RESTORE_FRAME
    csrrw sp, sscratch, sp
    sret
.Ls_unexpected:
    mv a1, s0
    mv a2, s1
    mv a3, s2
    li a7, ECALL_S_UNEXP
    ecall
1:  j 1b

    .popsection

    .pushsection .rodata
str_pass:    .asciz "PASS "
str_fail:    .asciz "FAIL "
str_test:    .asciz " test "
str_unexp_m: .asciz "unexpected trap in M-mode:"
str_unexp_s: .asciz "unexpected trap in S-mode:"
str_cause:   .asciz " cause="
str_epc:     .asciz " epc="
str_tval:    .asciz " tval="
    .popsection

    .pushsection .bss
    .align 4
m_frame:  .space FRAME_SIZE
s_frame:  .space FRAME_SIZE
num_buf:  .space 32
    .popsection

#endif
