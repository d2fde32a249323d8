/*
 * fp-fma: fused multiply-add (unprivileged spec, F "Single-Precision Floating-Point
 * Computational Instructions" and D "Double-Precision Floating-Point Computational
 * Instructions"): FMADD, FMSUB, FNMSUB and FNMADD in .S and .D. The four forms and their signs,
 * a single rounding (cases where FMUL then FADD differs from the fused result, and no
 * intermediate overflow or underflow), each rounding mode on inexact and tie results, the
 * signs of exact zero results, inf*0 + qNaN raising NV (norm:fma_nv_flag), inf - inf, NaN
 * operands in each position, overflow, underflow with tininess after rounding, and
 * NaN-boxing of S operands.
 *
 * Every value is a raw bit pattern (fp.h). Expected results and flags were computed with an
 * exact rational reference and checked on QEMU (softfloat).
 * Handy patterns: 0x3f800800 = 1 + 2^-12, 0x3f801000 = 1 + 2^-11, 0x32800000 = 2^-26,
 * 0x3ff0000002000000 = 1 + 2^-27, 0x3ff0000004000000 = 1 + 2^-26.
 */
#include "fp.h"

TEST_BEGIN fp-fma
    FP_ENABLE

    /* ---------------- the four forms (F "Single-Precision Floating-Point Computational Instructions"): */
    /* fmadd = a*b + c, fmsub = a*b - c, fnmsub = -(a*b) + c, fnmadd = -(a*b) - c */
    CHECK_S3 fmadd.s, S_TWO, 0x40400000, S_ONE, rne, 0x40e00000, 0, 1   /* fmadd: 2*3, 1 */
    CHECK_S3 fmsub.s, S_TWO, 0x40400000, S_ONE, rne, 0x40a00000, 0, 2   /* fmsub: 2*3, 1 */
    CHECK_S3 fnmsub.s, S_TWO, 0x40400000, S_ONE, rne, 0xc0a00000, 0, 3   /* fnmsub: 2*3, 1 */
    CHECK_S3 fnmadd.s, S_TWO, 0x40400000, S_ONE, rne, 0xc0e00000, 0, 4   /* fnmadd: 2*3, 1 */
    CHECK_S3 fmadd.s, 0xc0000000, 0x40400000, S_ONE, rne, 0xc0a00000, 0, 5   /* fmadd: -2*3, 1 */
    CHECK_S3 fmsub.s, 0xc0000000, 0x40400000, S_ONE, rne, 0xc0e00000, 0, 6   /* fmsub: -2*3, 1 */
    CHECK_S3 fnmsub.s, 0xc0000000, 0x40400000, S_ONE, rne, 0x40e00000, 0, 7   /* fnmsub: -2*3, 1 */
    CHECK_S3 fnmadd.s, 0xc0000000, 0x40400000, S_ONE, rne, 0x40a00000, 0, 8   /* fnmadd: -2*3, 1 */
    CHECK_S3 fmadd.s, S_TWO, 0x40400000, S_NONE, rne, 0x40a00000, 0, 9   /* fmadd: 2*3, -1 */
    CHECK_S3 fmsub.s, S_TWO, 0x40400000, S_NONE, rne, 0x40e00000, 0, 10   /* fmsub: 2*3, -1 */
    CHECK_S3 fnmsub.s, S_TWO, 0x40400000, S_NONE, rne, 0xc0e00000, 0, 11   /* fnmsub: 2*3, -1 */
    CHECK_S3 fnmadd.s, S_TWO, 0x40400000, S_NONE, rne, 0xc0a00000, 0, 12   /* fnmadd: 2*3, -1 */
    CHECK_S3 fmadd.s, 0xc0000000, 0xc0400000, S_NONE, rne, 0x40a00000, 0, 13   /* fmadd: -2*-3, -1 */
    CHECK_S3 fmsub.s, 0xc0000000, 0xc0400000, S_NONE, rne, 0x40e00000, 0, 14   /* fmsub: -2*-3, -1 */
    CHECK_S3 fnmsub.s, 0xc0000000, 0xc0400000, S_NONE, rne, 0xc0e00000, 0, 15   /* fnmsub: -2*-3, -1 */
    CHECK_S3 fnmadd.s, 0xc0000000, 0xc0400000, S_NONE, rne, 0xc0a00000, 0, 16   /* fnmadd: -2*-3, -1 */

    /* single rounding: a = 1 + 2^-12, a*a = 1 + 2^-11 + 2^-24 rounds (a tie, RNE) to 1 + 2^-11 in */
    /* FMUL, so FMUL then FSUB gives 0, while the fused a*a - (1 + 2^-11) is exactly 2^-24 */
    CHECK_S2 fmul.s, 0x3f800800, 0x3f800800, rne, 0x3f801000, FF_NX, 17   /* the separate product */
    CHECK_S2 fsub.s, 0x3f801000, 0x3f801000, rne, S_PZERO, 0, 18   /* ... minus 1 + 2^-11: 0 */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0xbf801000, rne, 0x33800000, 0, 19   /* fused: 2^-24, exact */
    CHECK_S3 fmsub.s, 0x3f800800, 0x3f800800, 0x3f801000, rne, 0x33800000, 0, 20
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, 0xbf801000, rne, 0xb3800000, 0, 21   /* -(a*a) + (1 + 2^-11) = -2^-24 */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, 0xff7fffff, rne, S_MAX, 0, 22   /* max*2 - max = max: no intermediate overflow */
    CHECK_S3 fmadd.s, S_MIN_SUB, S_MIN_SUB, S_ONE, rne, S_ONE, FF_NX, 23   /* min-sub^2 + 1: the tiny product does not underflow the sum */
    CHECK_S3 fmadd.s, S_MIN_SUB, S_MIN_SUB, S_ONE, rup, 0x3f800001, FF_NX, 24   /* ... RUP: 1 + ulp, NX only */

    /* rounding modes: a*a + 0 = 1 + 2^-11 + 2^-24 (a tie) and a*a + 2^-26 (above the tie) */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rne, 0x3f801000, FF_NX, 25   /* RNE */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rtz, 0x3f801000, FF_NX, 26   /* RTZ */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rdn, 0x3f801000, FF_NX, 27   /* RDN */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rup, 0x3f801001, FF_NX, 28   /* RUP */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rmm, 0x3f801001, FF_NX, 29   /* RMM */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0x32800000, rne, 0x3f801001, FF_NX, 30   /* RNE */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0x32800000, rtz, 0x3f801000, FF_NX, 31   /* RTZ */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0x32800000, rdn, 0x3f801000, FF_NX, 32   /* RDN */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0x32800000, rup, 0x3f801001, FF_NX, 33   /* RUP */
    CHECK_S3 fmadd.s, 0x3f800800, 0x3f800800, 0x32800000, rmm, 0x3f801001, FF_NX, 34   /* RMM */
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rne, 0xbf801000, FF_NX, 35   /* -(a*a) - 0, RNE */
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rtz, 0xbf801000, FF_NX, 36   /* -(a*a) - 0, RTZ */
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rdn, 0xbf801001, FF_NX, 37   /* -(a*a) - 0, RDN */
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rup, 0xbf801000, FF_NX, 38   /* -(a*a) - 0, RUP */
    CHECK_S3 fnmadd.s, 0x3f800800, 0x3f800800, S_PZERO, rmm, 0xbf801001, FF_NX, 39   /* -(a*a) - 0, RMM */

    /* exact zero results: +0 when the product and addend cancel or are opposite zeros, -0 in RDN; */
    /* the sign of equal-signed zeros is kept (IEEE 754 6.3); the product sign includes the negation */
    CHECK_S3 fmadd.s, S_ONE, S_ONE, S_NONE, rne, S_PZERO, 0, 40   /* 1*1 - 1 */
    CHECK_S3 fmadd.s, S_ONE, S_ONE, S_NONE, rdn, S_NZERO, 0, 41
    CHECK_S3 fmadd.s, S_PZERO, S_ONE, S_NZERO, rne, S_PZERO, 0, 42   /* +0 + -0 */
    CHECK_S3 fmadd.s, S_PZERO, S_ONE, S_NZERO, rdn, S_NZERO, 0, 43
    CHECK_S3 fmadd.s, S_NZERO, S_ONE, S_NZERO, rup, S_NZERO, 0, 44   /* -0 + -0 = -0 */
    CHECK_S3 fmadd.s, S_PZERO, S_NONE, S_PZERO, rne, S_PZERO, 0, 45   /* (+0*-1) + +0 */
    CHECK_S3 fmadd.s, S_PZERO, S_NONE, S_PZERO, rdn, S_NZERO, 0, 46
    CHECK_S3 fmsub.s, S_PZERO, S_ONE, S_PZERO, rne, S_PZERO, 0, 47   /* +0 - +0 */
    CHECK_S3 fmsub.s, S_PZERO, S_ONE, S_PZERO, rdn, S_NZERO, 0, 48
    CHECK_S3 fmsub.s, S_NZERO, S_ONE, S_PZERO, rne, S_NZERO, 0, 49   /* -0 - +0 = -0 */
    CHECK_S3 fnmsub.s, S_PZERO, S_ONE, S_PZERO, rne, S_PZERO, 0, 50   /* -(+0) + +0 */
    CHECK_S3 fnmsub.s, S_PZERO, S_ONE, S_PZERO, rdn, S_NZERO, 0, 51
    CHECK_S3 fnmsub.s, S_PZERO, S_ONE, S_NZERO, rne, S_NZERO, 0, 52   /* -(+0) + -0 = -0 */
    CHECK_S3 fnmadd.s, S_PZERO, S_ONE, S_PZERO, rne, S_NZERO, 0, 53   /* -(+0) - +0 = -0 */
    CHECK_S3 fnmadd.s, S_NZERO, S_ONE, S_PZERO, rne, S_PZERO, 0, 54   /* -(-0) - +0 = +0 */
    CHECK_S3 fnmadd.s, S_NZERO, S_ONE, S_PZERO, rdn, S_NZERO, 0, 55
    CHECK_S3 fnmadd.s, S_ONE, S_ONE, S_NONE, rne, S_PZERO, 0, 56   /* -(1*1) + 1 */
    CHECK_S3 fnmadd.s, S_ONE, S_ONE, S_NONE, rdn, S_NZERO, 0, 57
    CHECK_S3 fmadd.s, S_PZERO, 0x40400000, S_NONE, rne, S_NONE, 0, 58   /* 0*3 - 1 = -1 */
    /* a nonzero exact result that rounds to zero keeps its sign */
    CHECK_S3 fmadd.s, S_MIN_SUB, 0xbf000000, S_PZERO, rne, S_NZERO, FF_UF|FF_NX, 59   /* -2^-150 + 0: -0, UF|NX */
    CHECK_S3 fmadd.s, S_MIN_SUB, 0xbf000000, S_PZERO, rup, S_NZERO, FF_UF|FF_NX, 60
    CHECK_S3 fnmsub.s, S_MIN_SUB, 0x3f000000, S_PZERO, rtz, S_NZERO, FF_UF|FF_NX, 61   /* -(2^-150) + 0, RTZ: -0 */

    /* invalid operations: inf*0 + c is invalid even when c is a quiet NaN (F, norm:fma_nv_flag) */
    CHECK_S3 fmadd.s, S_INF, S_PZERO, S_QNAN, rne, S_QNAN, FF_NV, 62   /* inf*0 + qNaN: NV */
    CHECK_S3 fmadd.s, S_PZERO, S_NINF, S_QNAN, rne, S_QNAN, FF_NV, 63   /* 0*-inf + qNaN: NV */
    CHECK_S3 fnmadd.s, S_INF, S_NZERO, 0xffc00001, rne, S_QNAN, FF_NV, 64   /* fnmadd inf*-0 + negative qNaN: NV */
    CHECK_S3 fmsub.s, S_PZERO, S_INF, S_ONE, rne, S_QNAN, FF_NV, 65   /* 0*inf - 1: NV */
    CHECK_S3 fmadd.s, S_INF, S_PZERO, S_SNAN, rne, S_QNAN, FF_NV, 66   /* inf*0 + sNaN: NV */
    CHECK_S3 fmadd.s, S_INF, S_ONE, S_NINF, rne, S_QNAN, FF_NV, 67   /* inf*1 + -inf: NV */
    CHECK_S3 fmsub.s, S_INF, S_ONE, S_INF, rne, S_QNAN, FF_NV, 68   /* inf*1 - inf: NV */
    CHECK_S3 fnmsub.s, S_INF, S_ONE, S_INF, rne, S_QNAN, FF_NV, 69   /* -(inf*1) + inf: NV */
    CHECK_S3 fnmadd.s, S_INF, S_ONE, S_NINF, rne, S_QNAN, FF_NV, 70   /* -(inf*1) - -inf: NV */
    CHECK_S3 fmadd.s, S_INF, S_ONE, S_INF, rne, S_INF, 0, 71   /* inf*1 + inf = inf */
    CHECK_S3 fnmadd.s, S_INF, S_NONE, S_INF, rne, S_QNAN, FF_NV, 72   /* -(inf*-1) - inf: NV */
    CHECK_S3 fmadd.s, S_ONE, S_ONE, S_NINF, rne, S_NINF, 0, 73   /* 1*1 + -inf = -inf */
    CHECK_S3 fnmsub.s, S_ONE, S_INF, S_ONE, rne, S_NINF, 0, 74   /* -(1*inf) + 1 = -inf */
    /* NaN operands: canonical NaN; NV only for a signalling NaN */
    CHECK_S3 fmadd.s, S_QNAN, S_ONE, S_ONE, rne, S_QNAN, 0, 75   /* qNaN in rs1 */
    CHECK_S3 fmadd.s, S_ONE, 0xffc00123, S_ONE, rne, S_QNAN, 0, 76   /* qNaN in rs2 */
    CHECK_S3 fmadd.s, S_ONE, S_ONE, S_QNAN, rne, S_QNAN, 0, 77   /* qNaN in rs3 */
    CHECK_S3 fmadd.s, S_QNAN, S_PZERO, S_INF, rne, S_QNAN, 0, 78   /* qNaN*0 + inf: no flag */
    CHECK_S3 fmadd.s, S_SNAN, S_ONE, S_ONE, rne, S_QNAN, FF_NV, 79   /* sNaN in rs1 */
    CHECK_S3 fmsub.s, S_ONE, 0xffbfffff, S_ONE, rne, S_QNAN, FF_NV, 80   /* sNaN in rs2 */
    CHECK_S3 fnmadd.s, S_ONE, S_ONE, S_SNAN, rne, S_QNAN, FF_NV, 81   /* sNaN in rs3 */
    CHECK_S3 fnmsub.s, S_QNAN, S_ONE, S_SNAN, rne, S_QNAN, FF_NV, 82   /* qNaN and sNaN: NV */

    /* overflow and underflow */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, S_PZERO, rne, S_INF, FF_OF|FF_NX, 83   /* max*2 + 0, RNE */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, S_PZERO, rtz, S_MAX, FF_OF|FF_NX, 84   /* max*2 + 0, RTZ */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, S_PZERO, rdn, S_MAX, FF_OF|FF_NX, 85   /* max*2 + 0, RDN */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, S_PZERO, rup, S_INF, FF_OF|FF_NX, 86   /* max*2 + 0, RUP */
    CHECK_S3 fmadd.s, S_MAX, S_TWO, S_PZERO, rmm, S_INF, FF_OF|FF_NX, 87   /* max*2 + 0, RMM */
    CHECK_S3 fnmadd.s, S_MAX, S_TWO, S_PZERO, rtz, 0xff7fffff, FF_OF|FF_NX, 88   /* -(max*2), RTZ: -max */
    CHECK_S3 fnmsub.s, S_MAX, S_TWO, S_PZERO, rdn, S_NINF, FF_OF|FF_NX, 89   /* -(max*2) + 0, RDN: -inf */
    CHECK_S3 fmadd.s, S_MAX, S_ONE, S_MAX, rne, S_INF, FF_OF|FF_NX, 90   /* max + max */
    CHECK_S3 fmadd.s, S_MIN_NORM, 0x3f000000, S_PZERO, rne, 0x00400000, 0, 91   /* min normal * 0.5: exact subnormal, no UF */
    CHECK_S3 fmadd.s, S_MIN_NORM, S_ONE, 0x80000001, rne, S_MAX_SUB, 0, 92   /* min normal - min subnormal = max subnormal, exact */
    CHECK_S3 fmadd.s, 0x00000003, 0x3f000000, S_PZERO, rne, 0x00000002, FF_UF|FF_NX, 93   /* 1.5 min-sub: tie to 2 min-sub, UF|NX */
    CHECK_S3 fmadd.s, S_MIN_SUB, 0x3f000000, S_MIN_NORM, rne, S_MIN_NORM, FF_NX, 94   /* 2^-126 + 2^-150: normal, NX only */
    CHECK_S3 fmadd.s, S_MIN_NORM, 0x3f7fffff, S_PZERO, rne, S_MIN_NORM, FF_UF|FF_NX, 95   /* 2^-126 - 2^-150: tiny after rounding, rounds to min normal: UF|NX */
    CHECK_S3 fmadd.s, S_MIN_NORM, 0x3f7fffff, S_PZERO, rtz, S_MAX_SUB, FF_UF|FF_NX, 96
    CHECK_S3 fnmsub.s, S_MIN_NORM, 0x3f7fffff, S_PZERO, rdn, 0x80800000, FF_UF|FF_NX, 97   /* negative, RDN: -min normal, UF|NX */
    CHECK_S3 fnmsub.s, S_MIN_NORM, 0x3f7fffff, S_PZERO, rup, 0x807fffff, FF_UF|FF_NX, 98   /* negative, RUP: -max subnormal */
    CHECK_S3 fmadd.s, 0x21118e00, 0x1ee12000, S_PZERO, rne, S_MIN_NORM, FF_NX, 99   /* 2^-126 - 2^-151: not tiny after rounding: NX only */

    /* NaN-boxing (D "NaN Boxing of Narrower Values"): an improperly boxed operand is the canonical */
    /* (quiet) NaN, in any position */
    CHECK_S3R fmadd.s, 0xffffffff3f800000, 0xffffffff3f800000, 0x000000003f800000, rne, S_QNAN, 0, 100   /* rs3 unboxed */
    CHECK_S3R fmsub.s, 0x0000000040000000, 0xffffffff3f800000, 0xffffffff3f800000, rne, S_QNAN, 0, 101   /* rs1 unboxed */
    CHECK_S3R fnmadd.s, 0xffffffff3f800000, 0xfffffffe3f800000, 0xffffffff3f800000, rne, S_QNAN, 0, 102   /* rs2 unboxed */
    CHECK_S3R fmadd.s, 0x000000007f800000, 0xffffffff00000000, 0xffffffff3f800000, rne, S_QNAN, 0, 103   /* unboxed inf * 0: not inf*0, no NV */
    CHECK_S3R fmadd.s, 0xffffffff7f800000, 0xffffffff00000000, 0x0000000000000000, rne, S_QNAN, FF_NV, 104   /* inf*0 + unboxed: NV (norm:fma_nv_flag) */
    CHECK_S3R fnmsub.s, 0xffffffff3f800000, 0xffffffff3f800000, 0x000000007f800001, rne, S_QNAN, 0, 105   /* unboxed sNaN pattern in rs3: no NV */

    /* ================ double precision (D "Double-Precision Floating-Point Computational Instructions") */
    CHECK_D3 fmadd.d, D_TWO, 0x4008000000000000, D_ONE, rne, 0x401c000000000000, 0, 106   /* fmadd: 2*3, 1 */
    CHECK_D3 fmsub.d, D_TWO, 0x4008000000000000, D_ONE, rne, 0x4014000000000000, 0, 107   /* fmsub: 2*3, 1 */
    CHECK_D3 fnmsub.d, D_TWO, 0x4008000000000000, D_ONE, rne, 0xc014000000000000, 0, 108   /* fnmsub: 2*3, 1 */
    CHECK_D3 fnmadd.d, D_TWO, 0x4008000000000000, D_ONE, rne, 0xc01c000000000000, 0, 109   /* fnmadd: 2*3, 1 */
    CHECK_D3 fmadd.d, 0xc000000000000000, 0x4008000000000000, D_NONE, rne, 0xc01c000000000000, 0, 110   /* fmadd: -2*3, -1 */
    CHECK_D3 fmsub.d, 0xc000000000000000, 0x4008000000000000, D_NONE, rne, 0xc014000000000000, 0, 111   /* fmsub: -2*3, -1 */
    CHECK_D3 fnmsub.d, 0xc000000000000000, 0x4008000000000000, D_NONE, rne, 0x4014000000000000, 0, 112   /* fnmsub: -2*3, -1 */
    CHECK_D3 fnmadd.d, 0xc000000000000000, 0x4008000000000000, D_NONE, rne, 0x401c000000000000, 0, 113   /* fnmadd: -2*3, -1 */
    /* single rounding: a = 1 + 2^-27, a*a = 1 + 2^-26 + 2^-54 rounds to 1 + 2^-26 in FMUL; */
    /* the fused a*a - (1 + 2^-26) is exactly 2^-54 */
    CHECK_D2 fmul.d, 0x3ff0000002000000, 0x3ff0000002000000, rne, 0x3ff0000004000000, FF_NX, 114   /* the separate product */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, 0xbff0000004000000, rne, 0x3c90000000000000, 0, 115   /* fused: 2^-54 */
    CHECK_D3 fnmsub.d, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000004000000, rne, 0xbc90000000000000, 0, 116   /* -(a*a) + (1 + 2^-26) = -2^-54 */
    CHECK_D3 fmadd.d, D_MAX, D_TWO, 0xffefffffffffffff, rne, D_MAX, 0, 117   /* max*2 - max = max */
    CHECK_D3 fmsub.d, D_MIN_SUB, D_MIN_SUB, D_NONE, rne, D_ONE, FF_NX, 118   /* min-sub^2 + 1 = 1, NX only */
    /* rounding modes: a*a + 0 (1/4 ulp above 1 + 2^-26) and (1 + 2^-27)(1 + 2^-26) + 0 (a tie) */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, D_PZERO, rne, 0x3ff0000004000000, FF_NX, 119   /* RNE */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, D_PZERO, rtz, 0x3ff0000004000000, FF_NX, 120   /* RTZ */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, D_PZERO, rdn, 0x3ff0000004000000, FF_NX, 121   /* RDN */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, D_PZERO, rup, 0x3ff0000004000001, FF_NX, 122   /* RUP */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000002000000, D_PZERO, rmm, 0x3ff0000004000000, FF_NX, 123   /* RMM */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rne, 0x3ff0000006000000, FF_NX, 124   /* RNE */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rtz, 0x3ff0000006000000, FF_NX, 125   /* RTZ */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rdn, 0x3ff0000006000000, FF_NX, 126   /* RDN */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rup, 0x3ff0000006000001, FF_NX, 127   /* RUP */
    CHECK_D3 fmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rmm, 0x3ff0000006000001, FF_NX, 128   /* RMM */
    CHECK_D3 fnmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rdn, 0xbff0000006000001, FF_NX, 129   /* negative tie, RDN */
    CHECK_D3 fnmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rup, 0xbff0000006000000, FF_NX, 130   /* negative tie, RUP */
    CHECK_D3 fnmadd.d, 0x3ff0000002000000, 0x3ff0000004000000, D_PZERO, rmm, 0xbff0000006000001, FF_NX, 131   /* negative tie, RMM */
    /* exact zeros */
    CHECK_D3 fmadd.d, D_ONE, D_ONE, D_NONE, rne, D_PZERO, 0, 132   /* 1*1 - 1 */
    CHECK_D3 fmadd.d, D_ONE, D_ONE, D_NONE, rdn, D_NZERO, 0, 133
    CHECK_D3 fnmsub.d, D_PZERO, D_ONE, D_PZERO, rne, D_PZERO, 0, 134   /* -(+0) + +0 */
    CHECK_D3 fnmsub.d, D_PZERO, D_ONE, D_PZERO, rdn, D_NZERO, 0, 135
    CHECK_D3 fnmadd.d, D_PZERO, D_ONE, D_PZERO, rne, D_NZERO, 0, 136   /* -(+0) - +0 = -0 */
    CHECK_D3 fmsub.d, D_NZERO, D_ONE, D_PZERO, rup, D_NZERO, 0, 137   /* -0 - +0 = -0 */
    CHECK_D3 fmadd.d, D_MIN_SUB, 0xbfe0000000000000, D_PZERO, rne, D_NZERO, FF_UF|FF_NX, 138   /* -2^-1075 + 0: -0, UF|NX */
    /* invalid operations and NaNs */
    CHECK_D3 fmadd.d, D_INF, D_PZERO, D_QNAN, rne, D_QNAN, FF_NV, 139   /* inf*0 + qNaN: NV */
    CHECK_D3 fnmsub.d, D_NZERO, D_NINF, D_QNAN, rne, D_QNAN, FF_NV, 140   /* -(-0*-inf) + qNaN: NV */
    CHECK_D3 fmadd.d, D_INF, D_PZERO, D_SNAN, rne, D_QNAN, FF_NV, 141   /* inf*0 + sNaN: NV */
    CHECK_D3 fmsub.d, D_NINF, D_ONE, D_NINF, rne, D_QNAN, FF_NV, 142   /* -inf*1 - -inf: NV */
    CHECK_D3 fnmadd.d, D_INF, D_TWO, D_NINF, rne, D_QNAN, FF_NV, 143   /* -(inf*2) - -inf: NV */
    CHECK_D3 fmadd.d, D_ONE, D_INF, D_INF, rne, D_INF, 0, 144   /* 1*inf + inf = inf */
    CHECK_D3 fmadd.d, D_QNAN, D_ONE, D_ONE, rne, D_QNAN, 0, 145   /* qNaN in rs1: no flag */
    CHECK_D3 fmadd.d, D_ONE, D_ONE, 0xfff8000000000001, rne, D_QNAN, 0, 146   /* qNaN in rs3: no flag */
    CHECK_D3 fmadd.d, D_ONE, D_SNAN, D_ONE, rne, D_QNAN, FF_NV, 147   /* sNaN in rs2: NV */
    CHECK_D3 fnmadd.d, D_ONE, D_ONE, D_SNAN, rne, D_QNAN, FF_NV, 148   /* sNaN in rs3: NV */
    /* overflow and underflow */
    CHECK_D3 fmadd.d, D_MAX, D_MAX, D_PZERO, rne, D_INF, FF_OF|FF_NX, 149   /* max*max, RNE */
    CHECK_D3 fmadd.d, D_MAX, D_MAX, D_PZERO, rtz, D_MAX, FF_OF|FF_NX, 150   /* max*max, RTZ */
    CHECK_D3 fmadd.d, D_MAX, D_MAX, D_PZERO, rup, D_INF, FF_OF|FF_NX, 151   /* max*max, RUP */
    CHECK_D3 fnmsub.d, D_MAX, D_TWO, D_PZERO, rup, 0xffefffffffffffff, FF_OF|FF_NX, 152   /* -(max*2), RUP: -max */
    CHECK_D3 fnmsub.d, D_MAX, D_TWO, D_PZERO, rmm, D_NINF, FF_OF|FF_NX, 153   /* -(max*2), RMM: -inf */
    CHECK_D3 fmadd.d, D_MIN_NORM, 0x3fe0000000000000, D_PZERO, rne, 0x0008000000000000, 0, 154   /* min normal * 0.5: exact subnormal */
    CHECK_D3 fmadd.d, D_MIN_NORM, 0x3fefffffffffffff, D_PZERO, rne, D_MIN_NORM, FF_UF|FF_NX, 155   /* 2^-1022 - 2^-1075: tiny after rounding: UF|NX */
    CHECK_D3 fmadd.d, D_MIN_NORM, 0x3fefffffffffffff, D_PZERO, rdn, D_MAX_SUB, FF_UF|FF_NX, 156
    CHECK_D3 fmadd.d, 0x1ffffffffc000000, 0x2000000002000000, D_PZERO, rne, D_MIN_NORM, FF_NX, 157   /* 2^-1022 - 2^-1076: not tiny after rounding: NX only */
    CHECK_D3 fmadd.d, D_MIN_SUB, 0x3fe0000000000000, D_MIN_NORM, rup, 0x0010000000000001, FF_NX, 158   /* 2^-1022 + 2^-1075, RUP: normal, NX only */

    PASS
