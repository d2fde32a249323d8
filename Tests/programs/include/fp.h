/*
 * Vireo conformance programs: F and D floating-point helpers (Tests/programs-fp).
 *
 *     #include "fp.h"          (includes test.h; built with -march=rv64imafdc by
 *     TEST_BEGIN name           tools/build/programs-fp.sh)
 *         FP_ENABLE
 *         CHECK_S2 fadd.s, 0x3f800000, 0x40000000, rne, 0x40400000, 0, 1
 *         ...
 *     PASS
 *
 * ---- enabling FP
 *   FP_ENABLE        mstatus.FS = Initial (01), then fcsr = 0 (frm = RNE, no flags).
 *                    (Writing fcsr makes FS Dirty, as any FP state change does.)
 *   FP_DISABLE       mstatus.FS = Off: every F/D instruction and fcsr access is illegal.
 *   FP_SET_FRM m     frm = m (0..7, csrwi; FRM_* below).
 *
 * ---- check macros
 * Each one loads raw bit patterns into registers, clears fflags, runs ONE instruction,
 * reads the result bits and fflags (csrrw, so fflags is clear afterwards) and compares
 * both. On a mismatch it prints "fp: got <result> fflags <flags>" and fails with n.
 *
 *   CHECK_S1 op, a, rm, exp, fl, n        op ft3, ft0, rm             (fsqrt.s)
 *   CHECK_S2 op, a, b, rm, exp, fl, n     op ft3, ft0, ft1, rm        (fadd.s, fmin.s...)
 *   CHECK_S3 op, a, b, c, rm, exp, fl, n  op ft3, ft0, ft1, ft2, rm   (fmadd.s...)
 *   CHECK_D1 / CHECK_D2 / CHECK_D3        the same with double operands and result
 *   CHECK_S1R / CHECK_S2R / CHECK_S3R     like CHECK_S1/2/3, but every operand is the whole
 *                                          64-bit register (fmv.d.x), boxed or not: for
 *                                          NaN-boxing checks (0x000000003f800000 is unboxed)
 *   CHECK_D_S op, a, rm, exp, fl, n       D result from an S operand  (fcvt.d.s)
 *   CHECK_S_D op, a, rm, exp, fl, n       S result from a D operand   (fcvt.s.d)
 *   CHECK_X_S op, a, rm, exp, fl, n       op a4, ft0, rm   integer result (fcvt.w.s,
 *                                          fclass.s, fmv.x.w); exp is all 64 bits of a4
 *   CHECK_X_D op, a, rm, exp, fl, n       the same from a D operand
 *   CHECK_X_SS op, a, b, exp, fl, n       op a4, ft0, ft1  (feq.s, flt.s, fle.s)
 *   CHECK_X_DD op, a, b, exp, fl, n       the same for D
 *   CHECK_S_X op, x, rm, exp, fl, n       op ft3, a1, rm   S result from an integer
 *                                          (fcvt.s.w, fmv.w.x)
 *   CHECK_D_X op, x, rm, exp, fl, n       the same with a D result
 *
 *   rm   rne | rtz | rdn | rup | rmm | dyn  (written as the instruction's rm operand),
 *        or none: no rm operand at all (fsgnj, fmin/fmax, compares, fclass, fmv; for an
 *        instruction that has an rm field the assembler's default, dyn, is encoded).
 *   a, b, c, x, exp   integer constants (expressions allowed) giving raw bits.
 *        Single-precision values (operands or expected results): a value < 2^32 is the
 *        32-bit pattern, NaN-boxed (operands loaded with fmv.w.x; the expected result is
 *        compared with 0xFFFFFFFF in the upper half, so results are checked to be boxed).
 *        A value with any of bits 63..32 set is the whole 64-bit register (operand loaded
 *        with fmv.d.x): an improperly NaN-boxed operand, unless its upper half is zero
 *        (0x000000003f800000 is just 0x3f800000): for those use CHECK_S<n>R.
 *        Double values are always the 64-bit pattern (fmv.d.x).
 *   fl   the exact fflags expected: an OR of FF_NV, FF_DZ, FF_OF, FF_UF, FF_NX, or 0.
 *   n    check number 1..253 (last argument, so Tests/programs/renumber.py renumbers them).
 *
 * Registers used by the check macros: a1, a2, a3 (integer operands), a4 (result bits),
 * a5 (fflags), s11, and ft0, ft1, ft2 (operands rs1, rs2, rs3), ft3 (FP result).
 * On failure also a0, ra, s1-s3, t0-t4 (printing). frm is read by rm = dyn, never written.
 * The failure print writes UART0 directly: use them with translation off.
 *
 * ---- raw encodings
 *   FP_R f7, rs2, rs1, rm, rd      .word of an OP-FP (0x53) R-type instruction, for rm
 *                                   values the assembler refuses (5, 6) and the like.
 *   FP_R4 op, fmt, rs3, rs2, rs1, rm, rd   .word of an R4 (FMADD 0x43, FMSUB 0x47,
 *                                   FNMSUB 0x4b, FNMADD 0x4f) instruction; fmt 0 = S, 1 = D.
 */
#ifndef VIREO_FP_H
#define VIREO_FP_H

#include "test.h"

/* fflags bits (F "Floating-Point Control and Status Register") */
#define FF_NX           0x01
#define FF_UF           0x02
#define FF_OF           0x04
#define FF_DZ           0x08
#define FF_NV           0x10

/* rounding modes (frm / rm field) */
#define FRM_RNE         0
#define FRM_RTZ         1
#define FRM_RDN         2
#define FRM_RUP         3
#define FRM_RMM         4
#define FRM_DYN         7

#define MSTATUS_FS_OFF      0x0000
#define MSTATUS_FS_INITIAL  0x2000
#define MSTATUS_FS_CLEAN    0x4000
#define MSTATUS_FS_DIRTY    0x6000

/* single-precision bit patterns */
#define S_PZERO         0x00000000
#define S_NZERO         0x80000000
#define S_ONE           0x3f800000
#define S_NONE          0xbf800000      /* -1.0 */
#define S_TWO           0x40000000
#define S_INF           0x7f800000
#define S_NINF          0xff800000
#define S_QNAN          0x7fc00000      /* the canonical NaN */
#define S_SNAN          0x7f800001
#define S_MAX           0x7f7fffff      /* largest finite */
#define S_MIN_NORM      0x00800000
#define S_MIN_SUB       0x00000001
#define S_MAX_SUB       0x007fffff

/* double-precision bit patterns */
#define D_PZERO         0x0000000000000000
#define D_NZERO         0x8000000000000000
#define D_ONE           0x3ff0000000000000
#define D_NONE          0xbff0000000000000
#define D_TWO           0x4000000000000000
#define D_INF           0x7ff0000000000000
#define D_NINF          0xfff0000000000000
#define D_QNAN          0x7ff8000000000000  /* the canonical NaN */
#define D_SNAN          0x7ff0000000000001
#define D_MAX           0x7fefffffffffffff
#define D_MIN_NORM      0x0010000000000000
#define D_MIN_SUB       0x0000000000000001
#define D_MAX_SUB       0x000fffffffffffff

#define FP_R(f7, rs2, rs1, rm, rd) \
    .word (((f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((rm) << 12) | ((rd) << 7) | 0x53)
#define FP_R4(op, fmt, rs3, rs2, rs1, rm, rd) \
    .word (((rs3) << 27) | ((fmt) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((rm) << 12) | ((rd) << 7) | (op))

.macro FP_ENABLE
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, MSTATUS_FS_INITIAL
    csrs mstatus, s11
    csrw fcsr, zero
.endm

.macro FP_DISABLE
    li s11, MSTATUS_FS
    csrc mstatus, s11
.endm

.macro FP_SET_FRM m
    csrwi frm, \m
.endm

/* ---------------------------------------------------------------- internals */

/* Load operand `val` of format fmt (s, d, x, or r = S operand given as 64 raw bits)
 * into freg (s/d/r) or xreg (x). */
.macro FP_LD fmt, freg, xreg, val
.ifc \fmt,x
    li \xreg, \val
.else
    li s11, \val
.ifc \fmt,s
.if ((\val) >> 32) == 0
    fmv.w.x \freg, s11
.else
    fmv.d.x \freg, s11
.endif
.else
    fmv.d.x \freg, s11
.endif
.endif
.endm

/* s11 = the expected 64-bit register contents for a result of format fmt. */
.macro FP_EXP fmt, exp
.ifc \fmt,s
.if ((\exp) >> 32) == 0
    li s11, (\exp) | 0xFFFFFFFF00000000
.else
    li s11, \exp
.endif
.else
    li s11, \exp
.endif
.endm

/* Emit `op rd, <ns sources>[, rm]`; sources are a1 for sf = x, else ft0/ft1/ft2. */
.macro FP_EMIT rd, sf, ns, op, rm
.ifc \sf,x
.ifc \rm,none
    \op \rd, a1
.else
    \op \rd, a1, \rm
.endif
.else
.if \ns == 1
.ifc \rm,none
    \op \rd, ft0
.else
    \op \rd, ft0, \rm
.endif
.elseif \ns == 2
.ifc \rm,none
    \op \rd, ft0, ft1
.else
    \op \rd, ft0, ft1, \rm
.endif
.else
.ifc \rm,none
    \op \rd, ft0, ft1, ft2
.else
    \op \rd, ft0, ft1, ft2, \rm
.endif
.endif
.endif
.endm

/* The generic check: rf = result format (s, d, x), sf = source format (s, d, x, r),
 * ns = number of sources. */
.macro FP_T rf, sf, ns, op, a, b, c, rm, exp, fl, n
    FP_LD \sf, ft0, a1, \a
.if \ns >= 2
    FP_LD \sf, ft1, a2, \b
.endif
.if \ns >= 3
    FP_LD \sf, ft2, a3, \c
.endif
    csrwi fflags, 0
.ifc \rf,x
    FP_EMIT a4, \sf, \ns, \op, \rm
.else
    FP_EMIT ft3, \sf, \ns, \op, \rm
    fmv.x.d a4, ft3
.endif
    csrrw a5, fflags, zero
    FP_EXP \rf, \exp
    bne a4, s11, .Lfp_bad\@
    li s11, \fl
    beq a5, s11, .Lfp_ok\@
.Lfp_bad\@:
    mv a0, a4
    mv a1, a5
    jal fp_report
    FAIL_N \n
.Lfp_ok\@:
.endm

/* ---------------------------------------------------------------- public checks */
.macro CHECK_S1 op, a, rm, exp, fl, n
    FP_T s, s, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_S2 op, a, b, rm, exp, fl, n
    FP_T s, s, 2, \op, \a, \b, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_S3 op, a, b, c, rm, exp, fl, n
    FP_T s, s, 3, \op, \a, \b, \c, \rm, \exp, \fl, \n
.endm
.macro CHECK_S1R op, a, rm, exp, fl, n
    FP_T s, r, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_S2R op, a, b, rm, exp, fl, n
    FP_T s, r, 2, \op, \a, \b, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_S3R op, a, b, c, rm, exp, fl, n
    FP_T s, r, 3, \op, \a, \b, \c, \rm, \exp, \fl, \n
.endm
.macro CHECK_D1 op, a, rm, exp, fl, n
    FP_T d, d, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_D2 op, a, b, rm, exp, fl, n
    FP_T d, d, 2, \op, \a, \b, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_D3 op, a, b, c, rm, exp, fl, n
    FP_T d, d, 3, \op, \a, \b, \c, \rm, \exp, \fl, \n
.endm
.macro CHECK_D_S op, a, rm, exp, fl, n
    FP_T d, s, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_S_D op, a, rm, exp, fl, n
    FP_T s, d, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_X_S op, a, rm, exp, fl, n
    FP_T x, s, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_X_D op, a, rm, exp, fl, n
    FP_T x, d, 1, \op, \a, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_X_SS op, a, b, exp, fl, n
    FP_T x, s, 2, \op, \a, \b, 0, none, \exp, \fl, \n
.endm
.macro CHECK_X_DD op, a, b, exp, fl, n
    FP_T x, d, 2, \op, \a, \b, 0, none, \exp, \fl, \n
.endm
.macro CHECK_S_X op, x, rm, exp, fl, n
    FP_T s, x, 1, \op, \x, 0, 0, \rm, \exp, \fl, \n
.endm
.macro CHECK_D_X op, x, rm, exp, fl, n
    FP_T d, x, 1, \op, \x, 0, 0, \rm, \exp, \fl, \n
.endm

/* ---------------------------------------------------------------- runtime */
    .pushsection .text.lib, "ax", @progbits
/* fp_report(a0 = result bits, a1 = fflags): prints "fp: got 0x... fflags 0x...". */
    .align 2
fp_report:
    mv s3, ra
    mv s1, a0
    mv s2, a1
    la a0, str_fp_got
    jal print_str
    mv a0, s1
    jal print_hex
    la a0, str_fp_flags
    jal print_str
    mv a0, s2
    jal print_hex
    li t2, '\n'
    PUTC t2
    mv ra, s3
    ret
    .popsection

    .pushsection .rodata
str_fp_got:   .asciz "fp: got "
str_fp_flags: .asciz " fflags "
    .popsection

#endif
