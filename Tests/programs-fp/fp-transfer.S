/*
 * fp-transfer: moving floating-point values without arithmetic, and between the formats
 * (unprivileged spec, F "Single-Precision Load and Store Instructions", "Single-Precision
 * Floating-Point Conversion and Move Instructions"; D "NaN Boxing of Narrower Values",
 * "Double-Precision Load and Store Instructions", "Double-Precision Floating-Point
 * Conversion and Move Instructions"; C: C.FLD/C.FSD/C.FLDSP/C.FSDSP, which RV64C has
 * and C.FLW/C.FSW, which it has not).
 *
 *  - FCVT.S.D: rounding in each mode, overflow to inf or to the largest finite value by
 *    mode (OF only when the result rounded with an unbounded exponent is too large),
 *    underflow with tininess detected after rounding (F "Subnormal Arithmetic"), NaN ->
 *    canonical NaN, NV only for a signalling NaN. FCVT.D.S: exact; NaN -> canonical NaN;
 *    an improperly NaN-boxed operand is the canonical NaN.
 *  - FMV.X.W copies bit 31 into bits 63..32 and ignores the upper half of the f register
 *    (a "narrower transfer out"), FMV.W.X NaN-boxes its result and ignores the upper half
 *    of rs1; FMV.X.D / FMV.D.X move 64 bits. Payloads of non-canonical NaNs are kept, no
 *    flags are ever set.
 *  - FLW NaN-boxes, FSW stores the low 32 bits whatever the upper half holds, FLD/FSD move
 *    64 bits (a boxed single too); no bit changes, no flags; positive and negative offsets;
 *    misaligned addresses complete (like the integer ones on this board, see rv64i.S);
 *    access faults carry the address in mtval.
 *  - C.FLD, C.FSD, C.FLDSP, C.FSDSP with their smallest and largest offsets.
 *
 * Values are raw bit patterns (fp.h). The expected results were worked out by hand from the
 * spec text and IEEE 754-2008; they agree with QEMU's softfloat and with the rounding of
 * fpref.py: fpcvtcheck.py recomputes every FCVT check from it.
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

TEST_BEGIN fp-transfer
    FP_ENABLE

    /* ---------------- FCVT.S.D */
    CHECK_S_D fcvt.s.d, 0x3ff8000000000000, rne, 0x3fc00000, 0, 1   /* 1.5 exact */
    CHECK_S_D fcvt.s.d, 0x3fd5555555555555, rne, 0x3eaaaaab, FF_NX, 2   /* 1/3 */
    CHECK_S_D fcvt.s.d, 0x3fd5555555555555, rtz, 0x3eaaaaaa, FF_NX, 3
    CHECK_S_D fcvt.s.d, 0x3fd5555555555555, rdn, 0x3eaaaaaa, FF_NX, 4
    CHECK_S_D fcvt.s.d, 0x3fd5555555555555, rup, 0x3eaaaaab, FF_NX, 5
    CHECK_S_D fcvt.s.d, 0xbfd5555555555555, rdn, 0xbeaaaaab, FF_NX, 6   /* -1/3 */
    CHECK_S_D fcvt.s.d, 0x3ff0000010000000, rne, S_ONE, FF_NX, 7    /* 1 + ulp_s/2: tie to even */
    CHECK_S_D fcvt.s.d, 0x3ff0000010000000, rmm, 0x3f800001, FF_NX, 8
    /* overflow: inf or the largest finite value depending on the mode */
    CHECK_S_D fcvt.s.d, 0x7e37e43c8800759c, rne, S_INF, FF_OF | FF_NX, 9  /* 1e300 */
    CHECK_S_D fcvt.s.d, 0x7e37e43c8800759c, rtz, S_MAX, FF_OF | FF_NX, 10
    CHECK_S_D fcvt.s.d, 0x7e37e43c8800759c, rdn, S_MAX, FF_OF | FF_NX, 11
    CHECK_S_D fcvt.s.d, 0x7e37e43c8800759c, rup, S_INF, FF_OF | FF_NX, 12
    CHECK_S_D fcvt.s.d, 0xfe37e43c8800759c, rup, 0xff7fffff, FF_OF | FF_NX, 13  /* -1e300 */
    CHECK_S_D fcvt.s.d, 0xfe37e43c8800759c, rmm, S_NINF, FF_OF | FF_NX, 14
    CHECK_S_D fcvt.s.d, 0x47efffffe0000000, rne, S_MAX, 0, 15        /* FLT_MAX exact */
    CHECK_S_D fcvt.s.d, 0x47effffff0000000, rne, S_INF, FF_OF | FF_NX, 16  /* FLT_MAX + ulp/2 */
    CHECK_S_D fcvt.s.d, 0x47effffff0000000, rtz, S_MAX, FF_NX, 17    /* rounds to FLT_MAX: no OF */
    /* underflow: tiny and inexact; tininess is detected after rounding */
    CHECK_S_D fcvt.s.d, 0x358dee7a4ad4b81f, rne, S_PZERO, FF_UF | FF_NX, 18  /* 1e-50 */
    CHECK_S_D fcvt.s.d, 0x358dee7a4ad4b81f, rup, S_MIN_SUB, FF_UF | FF_NX, 19
    CHECK_S_D fcvt.s.d, 0xb58dee7a4ad4b81f, rne, S_NZERO, FF_UF | FF_NX, 20
    CHECK_S_D fcvt.s.d, 0xb58dee7a4ad4b81f, rdn, 0x80000001, FF_UF | FF_NX, 21
    CHECK_S_D fcvt.s.d, 0x36a0000000000000, rne, S_MIN_SUB, 0, 22    /* 2^-149: exact subnormal */
    CHECK_S_D fcvt.s.d, 0x380ffffff0000000, rne, S_MIN_NORM, FF_NX, 23 /* rounds to 2^-126: not tiny */
    CHECK_S_D fcvt.s.d, 0x380ffffff0000000, rtz, S_MAX_SUB, FF_UF | FF_NX, 24
    /* specials: NaNs become the canonical NaN, NV only for a signalling one */
    CHECK_S_D fcvt.s.d, D_INF, rne, S_INF, 0, 25
    CHECK_S_D fcvt.s.d, D_NZERO, rne, S_NZERO, 0, 26
    CHECK_S_D fcvt.s.d, 0x7ff8000000000123, rne, S_QNAN, 0, 27       /* qNaN with payload */
    CHECK_S_D fcvt.s.d, 0xfff8000000000000, rne, S_QNAN, 0, 28       /* negative qNaN */
    CHECK_S_D fcvt.s.d, D_SNAN, rne, S_QNAN, FF_NV, 29
    CHECK_S_D fcvt.s.d, 0xfff4000000000000, rtz, S_QNAN, FF_NV, 30   /* negative sNaN */

    /* ---------------- FCVT.D.S: exact */
    CHECK_D_S fcvt.d.s, 0x3fc00000, rne, 0x3ff8000000000000, 0, 31
    CHECK_D_S fcvt.d.s, S_MAX, rne, 0x47efffffe0000000, 0, 32
    CHECK_D_S fcvt.d.s, 0x80000001, rne, 0xb6a0000000000000, 0, 33   /* -2^-149: normal in D */
    CHECK_D_S fcvt.d.s, S_NINF, rne, D_NINF, 0, 34
    CHECK_D_S fcvt.d.s, 0x7fc00123, rne, D_QNAN, 0, 35               /* qNaN payload dropped */
    CHECK_D_S fcvt.d.s, 0xff800001, rne, D_QNAN, FF_NV, 36           /* sNaN */
    CHECK_D_S fcvt.d.s, 0x000000013fc00000, rne, D_QNAN, 0, 37       /* unboxed: canonical NaN */


    /* ================================================================ moves */

    /* ---------------- FMV.X.W */
    CHECK_X_S fmv.x.w, S_ONE, none, 0x3f800000, 0, 38
    CHECK_X_S fmv.x.w, S_NZERO, none, 0xffffffff80000000, 0, 39       /* bit 31 into 63..32 */
    CHECK_X_S fmv.x.w, 0xffc00123, none, 0xffffffffffc00123, 0, 40     /* negative qNaN, payload kept */
    CHECK_X_S fmv.x.w, S_SNAN, none, S_SNAN, 0, 41                     /* sNaN: no NV */
    CHECK_X_S fmv.x.w, 0x123456789abcdef0, none, 0xffffffff9abcdef0, 0, 42  /* unboxed: low half moved */
    CHECK_X_S fmv.x.w, 0x000000011abcdef0, none, 0x1abcdef0, 0, 43

    /* ---------------- FMV.W.X: the result is NaN-boxed, rs1[63:32] is ignored */
    CHECK_S_X fmv.w.x, 0x1234567887654321, none, 0x87654321, 0, 44
    CHECK_S_X fmv.w.x, 0x7f800001, none, 0x7f800001, 0, 45            /* sNaN kept, no NV */
    CHECK_S_X fmv.w.x, 0xffffffff7fa00001, none, 0x7fa00001, 0, 46
    CHECK_S_X fmv.w.x, 0, none, S_PZERO, 0, 47

    /* ---------------- FMV.X.D / FMV.D.X */
    CHECK_X_D fmv.x.d, D_SNAN, none, D_SNAN, 0, 48
    CHECK_X_D fmv.x.d, 0xfff8000000000abc, none, 0xfff8000000000abc, 0, 49
    CHECK_X_D fmv.x.d, 0xffffffff3f800000, none, 0xffffffff3f800000, 0, 50   /* a boxed single */
    CHECK_D_X fmv.d.x, 0x7ff4000000000001, none, 0x7ff4000000000001, 0, 51
    CHECK_D_X fmv.d.x, 0x123456789abcdef0, none, 0x123456789abcdef0, 0, 52
    /* FMV.D.X of a boxed pattern is a valid single for an S operation */
    CHECK_S2R fadd.s, 0xffffffff3f800000, 0xffffffff3f800000, rne, S_TWO, 0, 53

    /* ================================================================ loads and stores */

    /* ---------------- FLW: NaN-boxed, bits unchanged, no flags */
    csrwi fflags, 0
    la a0, ld_data
    flw ft0, 0(a0)                  /* 0x7f800001 (sNaN) */
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0xffffffff7f800001, 54
    flw ft1, 4(a0)                  /* 0xffa00123 */
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xffffffffffa00123, 55
    addi a1, a0, 16
    flw ft2, -8(a1)                 /* negative offset: 0x3fc00000 at ld_data + 8 */
    fmv.x.d a4, ft2
    CHECK_EQ a4, 0xffffffff3fc00000, 56
    /* FLW overwrites all 64 bits of a register that held a double */
    li a1, 0x0123456789abcdef
    fmv.d.x ft3, a1
    flw ft3, 12(a0)                 /* 0x00000001 */
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0xffffffff00000001, 57
    /* ---------------- FLD */
    fld ft4, 16(a0)                 /* 0x7ff0000000000001 (sNaN) */
    fmv.x.d a4, ft4
    CHECK_EQ a4, 0x7ff0000000000001, 58
    addi a1, a0, 32
    fld ft5, -8(a1)                 /* 0x00000000ffc00000: an unboxed single as 64 bits */
    fmv.x.d a4, ft5
    CHECK_EQ a4, 0x00000000ffc00000, 59
    csrr a5, fflags
    CHECK_EQ a5, 0, 60

    /* ---------------- FSW: the low 32 bits, whatever the upper half; neighbours untouched */
    la a0, st_buf
    li a1, 0x5555555555555555
    sd a1, 0(a0)
    sd a1, 8(a0)
    li a1, 0x123456789abcdef0       /* not NaN-boxed */
    fmv.d.x ft0, a1
    fsw ft0, 4(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0x9abcdef055555555, 61
    li a1, 0x7f800001               /* sNaN, boxed */
    fmv.w.x ft1, a1
    fsw ft1, 8(a0)
    ld a4, 8(a0)
    CHECK_EQ a4, 0x555555557f800001, 62
    /* ---------------- FSD: 64 bits, a boxed single included */
    fsd ft1, 0(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0xffffffff7f800001, 63
    li a1, 0xfff0000000000abc       /* negative sNaN */
    fmv.d.x ft2, a1
    addi a1, a0, 24
    fsd ft2, -16(a1)
    ld a4, 8(a0)
    CHECK_EQ a4, 0xfff0000000000abc, 64
    csrr a5, fflags
    CHECK_EQ a5, 0, 65
    /* FLW of the upper half of the double FSD stored: 0xffffffff, boxed */
    flw ft3, 4(a0)
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0xffffffffffffffff, 66

    /* ---------------- misaligned FP loads and stores complete */
    la a0, st_buf
    li a1, 0x1122334455667788
    sd a1, 0(a0)
    li a1, 0x99aabbccddeeff00
    sd a1, 8(a0)
    flw ft0, 1(a0)
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0xffffffff44556677, 67
    fld ft1, 3(a0)
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0xeeff001122334455, 68
    li a1, 0xffffffffa1b2c3d4
    fmv.d.x ft2, a1
    fsw ft2, 6(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0xc3d4334455667788, 69
    ld a4, 8(a0)
    CHECK_EQ a4, 0x99aabbccddeea1b2, 70
    li a1, 0x0102030405060708
    fmv.d.x ft3, a1
    fsd ft3, 5(a0)
    ld a4, 0(a0)
    CHECK_EQ a4, 0x0607084455667788, 71
    ld a4, 8(a0)
    CHECK_EQ a4, 0x99aabb0102030405, 72

    /* ---------------- access faults: mtval = the address, f register unchanged */
    li a1, 0x0123456789abcdef
    fmv.d.x ft0, a1
    li a1, UNMAPPED
    T_F_ACCESS 73, CAUSE_LOAD_ACCESS, flw ft0, 0(a1)
    T_F_ACCESS 74, CAUSE_LOAD_ACCESS, fld ft0, 0(a1)
    T_F_ACCESS 75, CAUSE_STORE_ACCESS, fsw ft0, 0(a1)
    T_F_ACCESS 76, CAUSE_STORE_ACCESS, fsd ft0, 0(a1)
    fmv.x.d a4, ft0
    CHECK_EQ a4, 0x0123456789abcdef, 77

    /* ================================================================ compressed (RV64C) */
    .option push
    .option rvc
    /* C.FLD / C.FSD: rd'/rs2' in f8-f15, base in x8-x15, offset 0..248 in steps of 8 */
    la s0, c_buf
    li a1, 0x7ff0000000000123
    sd a1, 0(s0)
    li a1, 0xffffffff3f800000
    sd a1, 248(s0)
    c.fld fs0, 0(s0)
    c.fld fa5, 248(s0)
    fmv.x.d a4, fs0
    CHECK_EQ a4, 0x7ff0000000000123, 78
    fmv.x.d a4, fa5
    CHECK_EQ a4, 0xffffffff3f800000, 79
    mv a2, s0
    c.fsd fa5, 8(a2)
    c.fsd fs0, 240(a2)
    ld a4, 8(s0)
    CHECK_EQ a4, 0xffffffff3f800000, 80
    ld a4, 240(s0)
    CHECK_EQ a4, 0x7ff0000000000123, 81
    /* C.FLDSP / C.FSDSP: any f register, offset 0..504 from sp in steps of 8 */
    mv s1, sp
    la sp, c_buf
    li a1, 0xfff8000000000456
    sd a1, 504(sp)
    c.fldsp ft11, 504(sp)
    c.fldsp ft1, 0(sp)
    c.fsdsp ft11, 16(sp)
    c.fsdsp ft1, 496(sp)
    mv sp, s1
    fmv.x.d a4, ft11
    CHECK_EQ a4, 0xfff8000000000456, 82
    fmv.x.d a4, ft1
    CHECK_EQ a4, 0x7ff0000000000123, 83
    ld a4, 16(s0)
    CHECK_EQ a4, 0xfff8000000000456, 84
    ld a4, 496(s0)
    CHECK_EQ a4, 0x7ff0000000000123, 85
    /* the compressed forms are 2 bytes long */
    la a1, 2f
    la a2, 1f
    sub a4, a1, a2
    CHECK_EQ a4, 8, 86
1:  c.fld fa0, 0(s0)
    c.fsd fa0, 0(s0)
    c.fldsp fa0, 0(sp)
    c.fsdsp fa0, 0(sp)
2:
    .option pop
    csrr a5, fflags
    CHECK_EQ a5, 0, 87

    PASS

    .data
    .align 4
ld_data:
    .word 0x7f800001, 0xffa00123, 0x3fc00000, 0x00000001
    .dword 0x7ff0000000000001, 0x00000000ffc00000
    .align 4
st_buf:
    .space 32
    .align 4
c_buf:
    .space 512
