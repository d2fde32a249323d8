/*
 * zfhmin: Zfhmin's loads, stores, moves and state rules (Unpriv. "Zfh" chapter, "Zfhmin
 * Standard Extension for Minimal Half-Precision Floating-Point"; D "NaN Boxing of Narrower
 * Values"; Priv. mstatus.FS). The conversions are in zfhmin-cvt.S.
 *  - FLH NaN-boxes the halfword (bits 63..16 all ones); FSH stores the low 16 bits of the
 *    register whether it is boxed or not; negative offsets; misaligned FLH/FSH complete (as
 *    FLW/FSW on this board and on QEMU); an access fault carries the address in mtval and
 *    leaves the f register unchanged.
 *  - FMV.X.H sign-extends bit 15 and ignores bits 63..16 (no boxing check); FMV.H.X boxes
 *    rs1[15:0]; neither raises a flag; NaN payloads are kept.
 *  - an FLH or FMV.H.X makes mstatus.FS Dirty; with FS = Off every Zfhmin instruction is
 *    illegal (mtval = the instruction).
 *  - the rest of Zfh is not there: FADD.H, FSQRT.H, FSGNJ.H, FMIN.H, FEQ.H, FCLASS.H,
 *    FCVT.W.H, FCVT.H.W, FMADD.H are illegal; so are FCVT.H.H, FMV.X.H with rm != 0 and
 *    reserved rounding modes (static 5/6, dyn with frm = 5) for the Zfhmin conversions.
 */
#include "fp.h"

#define UNMAPPED 0x800                  /* no device, no memory (as in traps.S) */

/* expect an access fault of `cause` on `insn`, mtval = the address in a1 */
.macro T_F_ACCESS n, cause, insn:vararg
    EXPECT_TRAP .Lacc_r\@
.Lacc_i\@:
    \insn
.Lacc_r\@:
    CHECK_TRAP 3, \cause, \n
    CHECK_ADDR s9, .Lacc_i\@, \n
    CHECK_REG s10, a1, \n
.endm

TEST_BEGIN zfhmin
    FP_ENABLE

    /* ---------------- FLH: boxed */
    la a0, ld_data
    flh ft0, 0(a0)                      /* 0x7c01 (sNaN): loaded as is */
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0xffffffffffff7c01, 1
    flh ft1, 2(a0)                      /* 0x8001 */
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xffffffffffff8001, 2
    addi a1, a0, 8
    flh ft2, -2(a1)                     /* negative offset: 0x3c00 at ld_data + 6 */
    fmv.x.d a4, ft2
    CHECK_EQ a4, 0xffffffffffff3c00, 3
    csrr a5, fflags
    CHECK_EQ a5, 0, 4

    /* ---------------- FSH: the low 16 bits, boxed or not */
    la a0, st_buf
    sd zero, 0(a0)
    li a1, 0x123456789abcdef0           /* not boxed */
    fmv.d.x ft3, a1
    fsh ft3, 2(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0x00000000def00000, 5
    fsh ft1, 6(a0)                      /* boxed 0x8001 */
    ld a4, 0(a0)
    CHECK_EQ a4, 0x80010000def00000, 6

    /* ---------------- misaligned FLH / FSH complete */
    li a1, 0x1122334455667788
    sd a1, 0(a0)
    li a1, 0x99aabbccddeeff00
    sd a1, 8(a0)
    flh ft0, 1(a0)
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0xffffffffffff6677, 7
    flh ft0, 7(a0)                      /* across the doubleword */
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0xffffffffffff0011, 8
    li a1, 0xffffffffffffa1b2
    fmv.d.x ft2, a1
    fsh ft2, 3(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0x112233a1b2667788, 9
    fsh ft2, 15(a0)                     /* the last byte of st_buf + 16 */
    ld a4, 8(a0)
    CHECK_EQ a4, 0xb2aabbccddeeff00, 10
    lbu a4, 16(a0)
    CHECK_EQ a4, 0xa1, 11

    /* ---------------- access faults: mtval = the address, f register unchanged */
    li a1, 0x0123456789abcdef
    fmv.d.x ft0, a1
    li a1, UNMAPPED
    T_F_ACCESS 12, CAUSE_LOAD_ACCESS, flh ft0, 0(a1)
    T_F_ACCESS 13, CAUSE_STORE_ACCESS, fsh ft0, 0(a1)
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0x0123456789abcdef, 14

    /* ---------------- FMV.X.H: bit 15 sign-extended, bits 63..16 of the f register ignored */
    li a1, 0xffffffffffff8001
    fmv.d.x ft0, a1
    csrwi fflags, 0
    fmv.x.h a4, ft0
    CHECK_EQ a4, 0xffffffffffff8001, 15
    li a1, 0xffffffffffff7c01           /* sNaN: moved, no NV */
    fmv.d.x ft0, a1
    fmv.x.h a4, ft0
    CHECK_EQ a4, 0x7c01, 16
    li a1, 0x0000000012348765           /* not boxed: still the low 16 bits */
    fmv.d.x ft0, a1
    fmv.x.h a4, ft0
    CHECK_EQ a4, 0xffffffffffff8765, 17
    li a1, 0x3ff0000000007fff
    fmv.d.x ft0, a1
    fmv.x.h a4, ft0
    CHECK_EQ a4, 0x7fff, 18
    fmv.x.h zero, ft0                   /* rd = x0: no write */
    CHECK_EQ zero, 0, 19

    /* ---------------- FMV.H.X: rs1[15:0], boxed */
    li a1, 0x123456789abc7c01
    fmv.h.x ft1, a1
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xffffffffffff7c01, 20
    li a1, 0x8000
    fmv.h.x ft1, a1
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xffffffffffff8000, 21
    fmv.h.x ft1, zero
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xffffffffffff0000, 22
    csrr a5, fflags
    CHECK_EQ a5, 0, 23

    /* a boxed half read as a single or a double is a NaN pattern, as any narrower value */
    li a1, 0x3c00
    fmv.h.x ft1, a1
    fcvt.d.s ft2, ft1                   /* 0xffff3c00 is a single quiet NaN: no NV */
    fmv.x.d a4, ft2
    CHECK_EQ a4, 0x7ff8000000000000, 24
    csrrw a5, fflags, zero
    CHECK_EQ a5, 0, 25

    /* ---------------- mstatus.FS: FLH and FMV.H.X make it Dirty */
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, MSTATUS_FS_CLEAN
    csrs mstatus, s11
    la a0, ld_data
    flh ft0, 0(a0)
    csrr a4, mstatus
    CHECK_MASK a4, MSTATUS_FS, MSTATUS_FS_DIRTY, 26
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, MSTATUS_FS_CLEAN
    csrs mstatus, s11
    fmv.h.x ft0, a1
    csrr a4, mstatus
    CHECK_MASK a4, MSTATUS_FS, MSTATUS_FS_DIRTY, 27
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, MSTATUS_FS_CLEAN
    csrs mstatus, s11
    fcvt.s.h ft1, ft0
    csrr a4, mstatus
    CHECK_MASK a4, MSTATUS_FS, MSTATUS_FS_DIRTY, 28

    /* ---------------- FS = Off: every Zfhmin instruction is illegal */
    FP_DISABLE
    la s0, st_buf
    CHECK_ILLEGAL 29, flh ft0, 0(s0)
    CHECK_ILLEGAL 30, fsh ft0, 0(s0)
    CHECK_ILLEGAL 31, fmv.x.h a0, ft0
    CHECK_ILLEGAL 32, fmv.h.x ft0, a0
    CHECK_ILLEGAL 33, fcvt.s.h ft0, ft1
    CHECK_ILLEGAL 34, fcvt.h.s ft0, ft1
    CHECK_ILLEGAL 35, fcvt.d.h ft0, ft1
    CHECK_ILLEGAL 36, fcvt.h.d ft0, ft1
    FP_ENABLE

    /* ---------------- the rest of Zfh is not implemented (fmt = 2 = H) */
    CHECK_ILLEGAL 37, FP_R(0x02, 1, 0, 0, 3)           /* fadd.h ft3, ft0, ft1, rne */
    CHECK_ILLEGAL 38, FP_R(0x2e, 0, 0, 0, 3)           /* fsqrt.h ft3, ft0 */
    CHECK_ILLEGAL 39, FP_R(0x12, 1, 0, 0, 3)           /* fsgnj.h ft3, ft0, ft1 */
    CHECK_ILLEGAL 40, FP_R(0x16, 1, 0, 0, 3)           /* fmin.h ft3, ft0, ft1 */
    CHECK_ILLEGAL 41, FP_R(0x52, 1, 0, 2, 10)          /* feq.h a0, ft0, ft1 */
    CHECK_ILLEGAL 42, FP_R(0x72, 0, 0, 1, 10)          /* fclass.h a0, ft0 */
    CHECK_ILLEGAL 43, FP_R(0x62, 0, 0, 1, 10)          /* fcvt.w.h a0, ft0, rtz */
    CHECK_ILLEGAL 44, FP_R(0x6a, 0, 10, 0, 3)          /* fcvt.h.w ft3, a0 */
    CHECK_ILLEGAL 45, FP_R4(0x43, 2, 2, 1, 0, 0, 3)    /* fmadd.h ft3, ft0, ft1, ft2 */
    CHECK_ILLEGAL 46, FP_R(0x22, 2, 0, 0, 3)           /* fcvt.h.h (rs2 = 2 with fmt H) */
    CHECK_ILLEGAL 47, FP_R(0x72, 0, 0, 1, 3)           /* fmv.x.h with rm = 1 is fclass.h */
    CHECK_ILLEGAL 48, FP_R(0x7a, 1, 10, 0, 3)          /* fmv.h.x with rs2 != 0 */
    /* flq / fsq: no Q */
    CHECK_ILLEGAL 49, .word 0x0042c007                 /* flq ft0, 0(t0) */

    /* ---------------- reserved rounding modes: illegal, destination and flags unchanged */
    li a1, 0xffffffff3f801000
    fmv.d.x ft0, a1
    li a1, 0x1111
    fmv.d.x ft3, a1
    csrwi fflags, 0
    CHECK_ILLEGAL 50, FP_R(0x22, 0, 0, 5, 3)           /* fcvt.h.s ft3, ft0, rm = 5 */
    CHECK_ILLEGAL 51, FP_R(0x22, 1, 0, 6, 3)           /* fcvt.h.d ft3, ft0, rm = 6 */
    CHECK_ILLEGAL 52, FP_R(0x20, 2, 0, 5, 3)           /* fcvt.s.h ft3, ft0, rm = 5 */
    CHECK_ILLEGAL 53, FP_R(0x21, 2, 0, 6, 3)           /* fcvt.d.h ft3, ft0, rm = 6 */
    FP_SET_FRM 5
    CHECK_ILLEGAL 54, FP_R(0x22, 0, 0, 7, 3)           /* fcvt.h.s ft3, ft0, dyn */
    CHECK_ILLEGAL 55, FP_R(0x20, 2, 0, 7, 3)           /* fcvt.s.h ft3, ft0, dyn */
    /* the moves have no rounding mode: they work with frm = 5 */
    fmv.x.h a4, ft0
    CHECK_EQ a4, 0x1000, 56
    FP_SET_FRM 0
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0x1111, 57
    csrr a5, fflags
    CHECK_EQ a5, 0, 58

    PASS

    .data
    .align 4
ld_data:
    .half 0x7c01, 0x8001, 0x0000, 0x3c00
    .align 4
st_buf:
    .space 32
