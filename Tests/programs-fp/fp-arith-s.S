/*
 * fp-arith-s: single-precision arithmetic (F extension, unprivileged spec chapter "F Extension
 * for Single-Precision Floating-Point"): FADD.S, FSUB.S, FMUL.S, FDIV.S and FSQRT.S with exact
 * and inexact results in the five rounding modes, ties, overflow, underflow with tininess
 * detected after rounding, invalid operations, division by zero, signalling and quiet NaN
 * inputs, signed zeros; then the dynamic rounding mode in frm, the fcsr views, the reserved
 * rounding modes and mstatus.FS.
 *
 * Every value is a raw bit pattern (fp.h: S_* / D_* names, flags FF_*). Expected results and
 * flags were computed with an exact rational reference (IEEE 754-2008 as RISC-V profiles it:
 * canonical NaN 0x7fc00000, tininess after rounding) and checked on QEMU (softfloat).
 * Handy patterns: 0x33000000 = 2^-25 (1/4 ulp of 1.0), 0x33800000 = 2^-24 (1/2 ulp),
 * 0x33c00000 = 3*2^-25 (3/4 ulp), 0x3f800001 = 1 + ulp, 0x3f000000 = 0.5, 0x40400000 = 3.
 */
#include "fp.h"

TEST_BEGIN fp-arith-s
    FP_ENABLE

    /* ---------------- FADD.S: exact results */
    CHECK_S2 fadd.s, S_ONE, S_TWO, rne, 0x40400000, 0, 1   /* 1 + 2 = 3 */
    CHECK_S2 fadd.s, 0x40400000, 0xc0000000, rne, S_ONE, 0, 2   /* 3 + -2 = 1 */
    CHECK_S2 fadd.s, S_ONE, S_MIN_SUB, rtz, S_ONE, FF_NX, 3   /* 1 + min subnormal, RTZ */
    CHECK_S2 fadd.s, S_MIN_SUB, S_MIN_SUB, rne, 0x00000002, 0, 4   /* subnormal + subnormal: exact, so no UF */
    CHECK_S2 fadd.s, S_MAX_SUB, S_MIN_SUB, rne, S_MIN_NORM, 0, 5   /* max subnormal + min subnormal = min normal, exact */

    /* inexact, every rounding mode (F "Floating-Point Control and Status Register", rounding mode */
    /* encoding): 1 + 1/4 ulp, 1 + 3/4 ulp, and their negatives */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rne, S_ONE, FF_NX, 6   /* 1 + ulp/4, RNE */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rtz, S_ONE, FF_NX, 7   /* 1 + ulp/4, RTZ */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rdn, S_ONE, FF_NX, 8   /* 1 + ulp/4, RDN */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rup, 0x3f800001, FF_NX, 9   /* 1 + ulp/4, RUP */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rmm, S_ONE, FF_NX, 10   /* 1 + ulp/4, RMM */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rne, 0x3f800001, FF_NX, 11   /* 1 + 3ulp/4, RNE */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rtz, S_ONE, FF_NX, 12   /* 1 + 3ulp/4, RTZ */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rdn, S_ONE, FF_NX, 13   /* 1 + 3ulp/4, RDN */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rup, 0x3f800001, FF_NX, 14   /* 1 + 3ulp/4, RUP */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rmm, 0x3f800001, FF_NX, 15   /* 1 + 3ulp/4, RMM */
    CHECK_S2 fadd.s, S_NONE, 0xb3000000, rne, S_NONE, FF_NX, 16   /* -1 - ulp/4, RNE */
    CHECK_S2 fadd.s, S_NONE, 0xb3000000, rtz, S_NONE, FF_NX, 17   /* -1 - ulp/4, RTZ */
    CHECK_S2 fadd.s, S_NONE, 0xb3000000, rdn, 0xbf800001, FF_NX, 18   /* -1 - ulp/4, RDN */
    CHECK_S2 fadd.s, S_NONE, 0xb3000000, rup, S_NONE, FF_NX, 19   /* -1 - ulp/4, RUP */
    CHECK_S2 fadd.s, S_NONE, 0xb3000000, rmm, S_NONE, FF_NX, 20   /* -1 - ulp/4, RMM */
    CHECK_S2 fadd.s, S_NONE, 0xb3c00000, rne, 0xbf800001, FF_NX, 21   /* -1 - 3ulp/4, RNE */
    CHECK_S2 fadd.s, S_NONE, 0xb3c00000, rtz, S_NONE, FF_NX, 22   /* -1 - 3ulp/4, RTZ */
    CHECK_S2 fadd.s, S_NONE, 0xb3c00000, rdn, 0xbf800001, FF_NX, 23   /* -1 - 3ulp/4, RDN */
    CHECK_S2 fadd.s, S_NONE, 0xb3c00000, rup, S_NONE, FF_NX, 24   /* -1 - 3ulp/4, RUP */
    CHECK_S2 fadd.s, S_NONE, 0xb3c00000, rmm, 0xbf800001, FF_NX, 25   /* -1 - 3ulp/4, RMM */

    /* ties: RNE goes to the even neighbour, RMM away from zero */
    CHECK_S2 fadd.s, S_ONE, 0x33800000, rne, S_ONE, FF_NX, 26   /* 1 + ulp/2 (even below), RNE */
    CHECK_S2 fadd.s, S_ONE, 0x33800000, rtz, S_ONE, FF_NX, 27   /* 1 + ulp/2 (even below), RTZ */
    CHECK_S2 fadd.s, S_ONE, 0x33800000, rdn, S_ONE, FF_NX, 28   /* 1 + ulp/2 (even below), RDN */
    CHECK_S2 fadd.s, S_ONE, 0x33800000, rup, 0x3f800001, FF_NX, 29   /* 1 + ulp/2 (even below), RUP */
    CHECK_S2 fadd.s, S_ONE, 0x33800000, rmm, 0x3f800001, FF_NX, 30   /* 1 + ulp/2 (even below), RMM */
    CHECK_S2 fadd.s, 0x3f800001, 0x33800000, rne, 0x3f800002, FF_NX, 31   /* (1 + ulp) + ulp/2 (odd below): RNE rounds up to even */
    CHECK_S2 fadd.s, 0x3f800001, 0x33800000, rmm, 0x3f800002, FF_NX, 32
    CHECK_S2 fadd.s, S_NONE, 0xb3800000, rne, S_NONE, FF_NX, 33   /* -1 - ulp/2 */
    CHECK_S2 fadd.s, S_NONE, 0xb3800000, rmm, 0xbf800001, FF_NX, 34

    /* overflow: OF|NX, to infinity or to the largest finite number depending on mode and sign */
    CHECK_S2 fadd.s, S_MAX, S_MAX, rne, S_INF, FF_OF|FF_NX, 35   /* max + max, RNE */
    CHECK_S2 fadd.s, S_MAX, S_MAX, rtz, S_MAX, FF_OF|FF_NX, 36   /* max + max, RTZ */
    CHECK_S2 fadd.s, S_MAX, S_MAX, rdn, S_MAX, FF_OF|FF_NX, 37   /* max + max, RDN */
    CHECK_S2 fadd.s, S_MAX, S_MAX, rup, S_INF, FF_OF|FF_NX, 38   /* max + max, RUP */
    CHECK_S2 fadd.s, S_MAX, S_MAX, rmm, S_INF, FF_OF|FF_NX, 39   /* max + max, RMM */
    CHECK_S2 fadd.s, 0xff7fffff, 0xff7fffff, rne, S_NINF, FF_OF|FF_NX, 40   /* -max + -max, RNE */
    CHECK_S2 fadd.s, 0xff7fffff, 0xff7fffff, rtz, 0xff7fffff, FF_OF|FF_NX, 41   /* -max + -max, RTZ */
    CHECK_S2 fadd.s, 0xff7fffff, 0xff7fffff, rdn, S_NINF, FF_OF|FF_NX, 42   /* -max + -max, RDN */
    CHECK_S2 fadd.s, 0xff7fffff, 0xff7fffff, rup, 0xff7fffff, FF_OF|FF_NX, 43   /* -max + -max, RUP */
    CHECK_S2 fadd.s, 0xff7fffff, 0xff7fffff, rmm, S_NINF, FF_OF|FF_NX, 44   /* -max + -max, RMM */
    CHECK_S2 fadd.s, S_MAX, 0x73000000, rne, S_INF, FF_OF|FF_NX, 45   /* max + ulp(max)/2: a tie whose even neighbour is 2^128: overflow */
    CHECK_S2 fadd.s, S_MAX, 0x72800000, rne, S_MAX, FF_NX, 46   /* max + ulp(max)/4 rounds back to max: NX only, no OF */
    CHECK_S2 fadd.s, S_MAX, 0x72800000, rup, S_INF, FF_OF|FF_NX, 47   /* the same rounded up: overflow */

    /* infinities and invalid operations (canonical NaN 0x7fc00000, NV) */
    CHECK_S2 fadd.s, S_INF, S_NINF, rne, S_QNAN, FF_NV, 48   /* inf + -inf: NV */
    CHECK_S2 fadd.s, S_NINF, S_INF, rne, S_QNAN, FF_NV, 49
    CHECK_S2 fadd.s, S_INF, S_INF, rne, S_INF, 0, 50   /* inf + inf = inf, no flag */
    CHECK_S2 fadd.s, S_NINF, S_MAX, rne, S_NINF, 0, 51   /* -inf + max = -inf, exact */

    /* signed zeros: an exact zero sum of opposite-signed operands is +0, except -0 in RDN */
    CHECK_S2 fadd.s, S_ONE, S_NONE, rne, S_PZERO, 0, 52   /* 1 + -1 */
    CHECK_S2 fadd.s, S_ONE, S_NONE, rdn, S_NZERO, 0, 53
    CHECK_S2 fadd.s, S_PZERO, S_NZERO, rne, S_PZERO, 0, 54   /* +0 + -0 */
    CHECK_S2 fadd.s, S_PZERO, S_NZERO, rdn, S_NZERO, 0, 55
    CHECK_S2 fadd.s, S_NZERO, S_NZERO, rne, S_NZERO, 0, 56   /* -0 + -0 = -0 in every mode */
    CHECK_S2 fadd.s, S_PZERO, S_PZERO, rdn, S_PZERO, 0, 57   /* +0 + +0 = +0 even in RDN */
    CHECK_S2 fadd.s, S_NZERO, 0x3f000000, rne, 0x3f000000, 0, 58   /* -0 + 0.5 = 0.5 */

    /* NaN inputs (F "NaN Generation and Propagation"): the result is always the canonical NaN; */
    /* a signalling NaN sets NV, a quiet one sets nothing */
    CHECK_S2 fadd.s, S_QNAN, S_ONE, rne, S_QNAN, 0, 59   /* qNaN + 1 */
    CHECK_S2 fadd.s, S_ONE, 0xffc12345, rne, S_QNAN, 0, 60   /* 1 + negative qNaN with payload: canonical, positive */
    CHECK_S2 fadd.s, S_SNAN, S_ONE, rne, S_QNAN, FF_NV, 61   /* sNaN + 1: NV */
    CHECK_S2 fadd.s, S_ONE, 0xffa00005, rne, S_QNAN, FF_NV, 62   /* 1 + negative sNaN with payload: NV */
    CHECK_S2 fadd.s, S_QNAN, S_SNAN, rne, S_QNAN, FF_NV, 63   /* qNaN + sNaN: NV */
    CHECK_S2 fadd.s, S_SNAN, S_INF, rne, S_QNAN, FF_NV, 64   /* sNaN + inf: NV only */
    CHECK_S2 fadd.s, S_QNAN, S_NINF, rne, S_QNAN, 0, 65   /* qNaN + -inf: no flag */

    /* ---------------- FSUB.S */
    CHECK_S2 fsub.s, 0x40400000, S_ONE, rne, S_TWO, 0, 66   /* 3 - 1 = 2 */
    CHECK_S2 fsub.s, S_ONE, 0x40400000, rne, 0xc0000000, 0, 67   /* 1 - 3 = -2 */
    /* 1 - 2^-25: a tie below 1, where the ulp is 2^-24 */
    CHECK_S2 fsub.s, S_ONE, 0x33000000, rne, S_ONE, FF_NX, 68   /* RNE */
    CHECK_S2 fsub.s, S_ONE, 0x33000000, rtz, 0x3f7fffff, FF_NX, 69   /* RTZ */
    CHECK_S2 fsub.s, S_ONE, 0x33000000, rdn, 0x3f7fffff, FF_NX, 70   /* RDN */
    CHECK_S2 fsub.s, S_ONE, 0x33000000, rup, S_ONE, FF_NX, 71   /* RUP */
    CHECK_S2 fsub.s, S_ONE, 0x33000000, rmm, S_ONE, FF_NX, 72   /* RMM */
    CHECK_S2 fsub.s, 0x40400000, 0x40400000, rne, S_PZERO, 0, 73   /* x - x = +0 */
    CHECK_S2 fsub.s, 0x40400000, 0x40400000, rdn, S_NZERO, 0, 74   /* x - x = -0 in RDN */
    CHECK_S2 fsub.s, 0x40400000, 0x40400000, rup, S_PZERO, 0, 75
    CHECK_S2 fsub.s, S_NZERO, S_PZERO, rne, S_NZERO, 0, 76   /* -0 - +0 = -0 */
    CHECK_S2 fsub.s, S_PZERO, S_PZERO, rne, S_PZERO, 0, 77   /* +0 - +0 = +0 */
    CHECK_S2 fsub.s, S_PZERO, S_PZERO, rdn, S_NZERO, 0, 78   /* +0 - +0 = -0 in RDN */
    CHECK_S2 fsub.s, S_INF, S_INF, rne, S_QNAN, FF_NV, 79   /* inf - inf: NV */
    CHECK_S2 fsub.s, S_INF, S_NINF, rne, S_INF, 0, 80   /* inf - -inf = inf */
    CHECK_S2 fsub.s, 0xff7fffff, S_MAX, rtz, 0xff7fffff, FF_OF|FF_NX, 81   /* -max - max, RTZ: -max, OF|NX */
    CHECK_S2 fsub.s, S_MIN_NORM, S_MIN_SUB, rne, S_MAX_SUB, 0, 82   /* min normal - min subnormal = max subnormal, exact */
    CHECK_S2 fsub.s, S_SNAN, S_SNAN, rne, S_QNAN, FF_NV, 83   /* sNaN - sNaN: NV */

    /* ---------------- FMUL.S */
    CHECK_S2 fmul.s, 0x40400000, 0x40a00000, rne, 0x41700000, 0, 84   /* 3 * 5 = 15 */
    CHECK_S2 fmul.s, S_NZERO, 0x40a00000, rne, S_NZERO, 0, 85   /* -0 * 5 = -0 */
    CHECK_S2 fmul.s, S_NZERO, S_NZERO, rne, S_PZERO, 0, 86   /* -0 * -0 = +0 */
    CHECK_S2 fmul.s, S_NINF, 0xc0000000, rne, S_INF, 0, 87   /* -inf * -2 = inf */
    CHECK_S2 fmul.s, 0x3f800001, 0x3f800001, rne, 0x3f800002, FF_NX, 88   /* (1 + ulp)^2 = 1 + 2ulp + ulp^2, RNE */
    CHECK_S2 fmul.s, 0x3f800001, 0x3f800001, rtz, 0x3f800002, FF_NX, 89   /* (1 + ulp)^2 = 1 + 2ulp + ulp^2, RTZ */
    CHECK_S2 fmul.s, 0x3f800001, 0x3f800001, rdn, 0x3f800002, FF_NX, 90   /* (1 + ulp)^2 = 1 + 2ulp + ulp^2, RDN */
    CHECK_S2 fmul.s, 0x3f800001, 0x3f800001, rup, 0x3f800003, FF_NX, 91   /* (1 + ulp)^2 = 1 + 2ulp + ulp^2, RUP */
    CHECK_S2 fmul.s, 0x3f800001, 0x3f800001, rmm, 0x3f800002, FF_NX, 92   /* (1 + ulp)^2 = 1 + 2ulp + ulp^2, RMM */
    CHECK_S2 fmul.s, 0xbf800001, 0x3f800001, rdn, 0xbf800003, FF_NX, 93   /* -(1 + ulp)^2, RDN */
    CHECK_S2 fmul.s, 0xbf800001, 0x3f800001, rup, 0xbf800002, FF_NX, 94
    CHECK_S2 fmul.s, S_INF, S_PZERO, rne, S_QNAN, FF_NV, 95   /* inf * 0: NV */
    CHECK_S2 fmul.s, S_NZERO, S_NINF, rne, S_QNAN, FF_NV, 96   /* -0 * -inf: NV */
    CHECK_S2 fmul.s, S_INF, S_MIN_SUB, rne, S_INF, 0, 97   /* inf * min subnormal = inf */
    CHECK_S2 fmul.s, S_MAX, 0xc0000000, rne, S_NINF, FF_OF|FF_NX, 98   /* max * -2, RNE */
    CHECK_S2 fmul.s, S_MAX, 0xc0000000, rtz, 0xff7fffff, FF_OF|FF_NX, 99   /* max * -2, RTZ */
    CHECK_S2 fmul.s, S_MAX, 0xc0000000, rdn, S_NINF, FF_OF|FF_NX, 100   /* max * -2, RDN */
    CHECK_S2 fmul.s, S_MAX, 0xc0000000, rup, 0xff7fffff, FF_OF|FF_NX, 101   /* max * -2, RUP */
    CHECK_S2 fmul.s, S_MAX, 0xc0000000, rmm, S_NINF, FF_OF|FF_NX, 102   /* max * -2, RMM */

    /* underflow (F "Subnormal Arithmetic"): UF needs tininess AND inexactness; tininess is */
    /* detected after rounding, i.e. with the exponent range unbounded */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f000000, rne, 0x00400000, 0, 103   /* min normal * 0.5: exact subnormal, no UF */
    CHECK_S2 fmul.s, 0x00000003, 0x3f000000, rne, 0x00000002, FF_UF|FF_NX, 104   /* 3 min-sub * 0.5 = 1.5 min-sub: tie to even 2, UF|NX */
    CHECK_S2 fmul.s, S_MIN_SUB, 0x3f000000, rne, S_PZERO, FF_UF|FF_NX, 105   /* min subnormal * 0.5, RNE */
    CHECK_S2 fmul.s, S_MIN_SUB, 0x3f000000, rtz, S_PZERO, FF_UF|FF_NX, 106   /* min subnormal * 0.5, RTZ */
    CHECK_S2 fmul.s, S_MIN_SUB, 0x3f000000, rdn, S_PZERO, FF_UF|FF_NX, 107   /* min subnormal * 0.5, RDN */
    CHECK_S2 fmul.s, S_MIN_SUB, 0x3f000000, rup, S_MIN_SUB, FF_UF|FF_NX, 108   /* min subnormal * 0.5, RUP */
    CHECK_S2 fmul.s, S_MIN_SUB, 0x3f000000, rmm, S_MIN_SUB, FF_UF|FF_NX, 109   /* min subnormal * 0.5, RMM */
    CHECK_S2 fmul.s, 0x80000001, 0x3f000000, rne, S_NZERO, FF_UF|FF_NX, 110   /* -min subnormal * 0.5: -0 */
    CHECK_S2 fmul.s, 0x80000001, 0x3f000000, rdn, 0x80000001, FF_UF|FF_NX, 111   /* ... RDN: -min subnormal */
    CHECK_S2 fmul.s, 0x80000001, 0x3f000000, rup, S_NZERO, FF_UF|FF_NX, 112   /* ... RUP: -0 */
    /* min normal * (1 - 2^-24) = 2^-126 - 2^-150: with an unbounded exponent that is exact and */
    /* below 2^-126, so it is tiny; it rounds (RNE, tie) to the normal 2^-126 but still sets UF */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f7fffff, rne, S_MIN_NORM, FF_UF|FF_NX, 113   /* RNE */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f7fffff, rtz, S_MAX_SUB, FF_UF|FF_NX, 114   /* RTZ */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f7fffff, rdn, S_MAX_SUB, FF_UF|FF_NX, 115   /* RDN */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f7fffff, rup, S_MIN_NORM, FF_UF|FF_NX, 116   /* RUP */
    CHECK_S2 fmul.s, S_MIN_NORM, 0x3f7fffff, rmm, S_MIN_NORM, FF_UF|FF_NX, 117   /* RMM */
    /* 18631*2^-75 * 1801*2^-76 = (2^25 - 1) * 2^-151 = 2^-126 - 2^-151: after rounding to 24 bits with */
    /* an unbounded exponent it is 2^-126 (RNE, RUP, RMM): not tiny, so NX without UF (a tininess- */
    /* before-rounding implementation would set UF); RTZ / RDN keep it below 2^-126: UF */
    CHECK_S2 fmul.s, 0x21118e00, 0x1ee12000, rne, S_MIN_NORM, FF_NX, 118   /* RNE */
    CHECK_S2 fmul.s, 0x21118e00, 0x1ee12000, rtz, S_MAX_SUB, FF_UF|FF_NX, 119   /* RTZ */
    CHECK_S2 fmul.s, 0x21118e00, 0x1ee12000, rdn, S_MAX_SUB, FF_UF|FF_NX, 120   /* RDN */
    CHECK_S2 fmul.s, 0x21118e00, 0x1ee12000, rup, S_MIN_NORM, FF_NX, 121   /* RUP */
    CHECK_S2 fmul.s, 0x21118e00, 0x1ee12000, rmm, S_MIN_NORM, FF_NX, 122   /* RMM */
    CHECK_S2 fmul.s, S_MIN_NORM, S_MIN_NORM, rne, S_PZERO, FF_UF|FF_NX, 123   /* min normal squared: 0, UF|NX */
    CHECK_S2 fmul.s, S_MIN_NORM, S_MIN_NORM, rup, S_MIN_SUB, FF_UF|FF_NX, 124   /* ... RUP: min subnormal */
    CHECK_S2 fmul.s, S_QNAN, S_PZERO, rne, S_QNAN, 0, 125   /* qNaN * 0: no flag */
    CHECK_S2 fmul.s, S_SNAN, S_PZERO, rne, S_QNAN, FF_NV, 126   /* sNaN * 0: NV */

    /* ---------------- FDIV.S */
    CHECK_S2 fdiv.s, S_ONE, S_TWO, rne, 0x3f000000, 0, 127   /* 1 / 2 = 0.5 */
    CHECK_S2 fdiv.s, 0x41700000, 0xc0a00000, rne, 0xc0400000, 0, 128   /* 15 / -5 = -3 */
    CHECK_S2 fdiv.s, S_ONE, 0x40400000, rne, 0x3eaaaaab, FF_NX, 129   /* 1 / 3, RNE */
    CHECK_S2 fdiv.s, S_ONE, 0x40400000, rtz, 0x3eaaaaaa, FF_NX, 130   /* 1 / 3, RTZ */
    CHECK_S2 fdiv.s, S_ONE, 0x40400000, rdn, 0x3eaaaaaa, FF_NX, 131   /* 1 / 3, RDN */
    CHECK_S2 fdiv.s, S_ONE, 0x40400000, rup, 0x3eaaaaab, FF_NX, 132   /* 1 / 3, RUP */
    CHECK_S2 fdiv.s, S_ONE, 0x40400000, rmm, 0x3eaaaaab, FF_NX, 133   /* 1 / 3, RMM */
    CHECK_S2 fdiv.s, S_NONE, 0x40400000, rdn, 0xbeaaaaab, FF_NX, 134   /* -1 / 3, RDN */
    CHECK_S2 fdiv.s, S_NONE, 0x40400000, rup, 0xbeaaaaaa, FF_NX, 135   /* -1 / 3, RUP */
    CHECK_S2 fdiv.s, S_NONE, 0x40400000, rtz, 0xbeaaaaaa, FF_NX, 136   /* -1 / 3, RTZ */
    CHECK_S2 fdiv.s, S_ONE, S_PZERO, rne, S_INF, FF_DZ, 137   /* 1 / +0 = inf, DZ */
    CHECK_S2 fdiv.s, S_ONE, S_NZERO, rne, S_NINF, FF_DZ, 138   /* 1 / -0 = -inf, DZ */
    CHECK_S2 fdiv.s, 0xc0400000, S_PZERO, rne, S_NINF, FF_DZ, 139   /* -3 / +0 = -inf, DZ */
    CHECK_S2 fdiv.s, S_MIN_SUB, S_NZERO, rne, S_NINF, FF_DZ, 140   /* min subnormal / -0 = -inf, DZ */
    CHECK_S2 fdiv.s, S_PZERO, S_PZERO, rne, S_QNAN, FF_NV, 141   /* 0 / 0: NV (not DZ) */
    CHECK_S2 fdiv.s, S_INF, S_NINF, rne, S_QNAN, FF_NV, 142   /* inf / -inf: NV */
    CHECK_S2 fdiv.s, S_INF, S_PZERO, rne, S_INF, 0, 143   /* inf / 0 = inf, no flag */
    CHECK_S2 fdiv.s, S_PZERO, S_INF, rne, S_PZERO, 0, 144   /* 0 / inf = 0 */
    CHECK_S2 fdiv.s, S_NONE, S_INF, rne, S_NZERO, 0, 145   /* -1 / inf = -0 */
    CHECK_S2 fdiv.s, S_SNAN, S_PZERO, rne, S_QNAN, FF_NV, 146   /* sNaN / 0: NV only */
    CHECK_S2 fdiv.s, S_QNAN, S_PZERO, rne, S_QNAN, 0, 147   /* qNaN / 0: no flag */
    CHECK_S2 fdiv.s, S_MAX, 0x3f000000, rne, S_INF, FF_OF|FF_NX, 148   /* max / 0.5: overflow, RNE */
    CHECK_S2 fdiv.s, S_MAX, 0x3f000000, rtz, S_MAX, FF_OF|FF_NX, 149   /* max / 0.5: overflow, RTZ */
    CHECK_S2 fdiv.s, S_MIN_NORM, S_TWO, rne, 0x00400000, 0, 150   /* min normal / 2: exact subnormal */
    CHECK_S2 fdiv.s, S_MIN_SUB, 0x40400000, rne, S_PZERO, FF_UF|FF_NX, 151   /* min subnormal / 3: UF|NX, RNE */
    CHECK_S2 fdiv.s, S_MIN_SUB, 0x40400000, rup, S_MIN_SUB, FF_UF|FF_NX, 152   /* min subnormal / 3: UF|NX, RUP */

    /* ---------------- FSQRT.S */
    CHECK_S1 fsqrt.s, 0x40800000, rne, S_TWO, 0, 153   /* sqrt(4) = 2 */
    CHECK_S1 fsqrt.s, 0x3e800000, rne, 0x3f000000, 0, 154   /* sqrt(0.25) = 0.5 */
    CHECK_S1 fsqrt.s, S_TWO, rne, 0x3fb504f3, FF_NX, 155   /* sqrt(2), RNE */
    CHECK_S1 fsqrt.s, S_TWO, rtz, 0x3fb504f3, FF_NX, 156   /* sqrt(2), RTZ */
    CHECK_S1 fsqrt.s, S_TWO, rdn, 0x3fb504f3, FF_NX, 157   /* sqrt(2), RDN */
    CHECK_S1 fsqrt.s, S_TWO, rup, 0x3fb504f4, FF_NX, 158   /* sqrt(2), RUP */
    CHECK_S1 fsqrt.s, S_TWO, rmm, 0x3fb504f3, FF_NX, 159   /* sqrt(2), RMM */
    CHECK_S1 fsqrt.s, S_NZERO, rne, S_NZERO, 0, 160   /* sqrt(-0) = -0 */
    CHECK_S1 fsqrt.s, S_PZERO, rne, S_PZERO, 0, 161   /* sqrt(+0) = +0 */
    CHECK_S1 fsqrt.s, S_INF, rne, S_INF, 0, 162   /* sqrt(inf) = inf */
    CHECK_S1 fsqrt.s, S_NONE, rne, S_QNAN, FF_NV, 163   /* sqrt(-1): NV */
    CHECK_S1 fsqrt.s, S_NINF, rne, S_QNAN, FF_NV, 164   /* sqrt(-inf): NV */
    CHECK_S1 fsqrt.s, 0x80000001, rne, S_QNAN, FF_NV, 165   /* sqrt(-min subnormal): NV */
    CHECK_S1 fsqrt.s, S_MIN_SUB, rne, 0x1a3504f3, FF_NX, 166   /* sqrt(min subnormal) = 2^-74.5: a normal, NX only */
    CHECK_S1 fsqrt.s, S_SNAN, rne, S_QNAN, FF_NV, 167   /* sqrt(sNaN): NV */
    CHECK_S1 fsqrt.s, 0xffc00000, rne, S_QNAN, 0, 168   /* sqrt(negative qNaN): canonical, no flag */
    CHECK_S1 fsqrt.s, S_MAX, rup, 0x5f800000, FF_NX, 169   /* sqrt(max), RUP */

    /* ---------------- dynamic rounding mode (F "Floating-Point Control and Status Register"):
     * rm = 111 (DYN) takes the rounding mode from frm; a static rm ignores frm */
    FP_SET_FRM FRM_RTZ
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, dyn, S_ONE, FF_NX, 170   /* 1 + 3ulp/4, frm = RTZ */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rup, 0x3f800001, FF_NX, 171   /* static RUP wins over frm */
    FP_SET_FRM FRM_RUP
    CHECK_S2 fadd.s, S_ONE, 0x33000000, dyn, 0x3f800001, FF_NX, 172   /* 1 + ulp/4, frm = RUP */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, none, 0x3f800001, FF_NX, 173   /* the assembler's default rm is DYN */
    CHECK_S2 fadd.s, S_ONE, 0x33000000, rne, S_ONE, FF_NX, 174   /* static RNE */
    CHECK_S2 fdiv.s, S_NONE, 0x40400000, dyn, 0xbeaaaaaa, FF_NX, 175   /* -1 / 3, frm = RUP */
    FP_SET_FRM FRM_RDN
    CHECK_S2 fsub.s, 0x40400000, 0x40400000, dyn, S_NZERO, 0, 176   /* x - x = -0, frm = RDN */
    CHECK_D2 fsub.d, D_ONE, D_ONE, dyn, D_NZERO, 0, 177
    CHECK_S2 fmul.s, S_MAX, 0x40000000, dyn, S_MAX, FF_OF|FF_NX, 178   /* max * 2 in RDN: max */
    CHECK_S1 fsqrt.s, S_TWO, dyn, 0x3fb504f3, FF_NX, 179
    CHECK_S3 fmadd.s, 0x3f800001, 0x3f800001, S_NONE, dyn, 0x34800000, FF_NX, 180   /* 2ulp + ulp^2, RDN: 2ulp */
    FP_SET_FRM FRM_RMM
    CHECK_S2 fadd.s, S_ONE, 0x33800000, dyn, 0x3f800001, FF_NX, 181   /* a tie, frm = RMM: away */
    CHECK_D2 fadd.d, D_ONE, 0x3ca0000000000000, dyn, 0x3ff0000000000001, FF_NX, 182
    FP_SET_FRM FRM_RNE
    CHECK_S2 fadd.s, S_ONE, 0x33800000, dyn, S_ONE, FF_NX, 183   /* the same tie, frm = RNE: even */
    CHECK_D1 fsqrt.d, D_TWO, dyn, 0x3ff6a09e667f3bcd, FF_NX, 184

    /* frm (fcsr[7:5]) and fflags (fcsr[4:0]) are views of fcsr; the flags accrue until
     * software clears them, and an operation without an exception leaves them alone */
    FP_SET_FRM FRM_RUP
    csrr a0, frm
    CHECK_EQ a0, FRM_RUP, 185
    csrr a0, fcsr
    CHECK_EQ a0, FRM_RUP << 5, 186
    li a1, S_ONE
    fmv.w.x ft0, a1
    li a1, 0x40400000
    fmv.w.x ft1, a1
    fmv.w.x ft2, zero
    fdiv.s ft3, ft0, ft1                /* 1 / 3: NX */
    fdiv.s ft3, ft0, ft2                /* 1 / 0: DZ */
    fadd.s ft3, ft0, ft0                /* exact: nothing */
    csrr a0, fflags
    CHECK_EQ a0, FF_NX | FF_DZ, 187
    csrr a0, fcsr
    CHECK_EQ a0, (FRM_RUP << 5) | FF_NX | FF_DZ, 188
    fsqrt.s ft3, ft0                    /* sqrt(1) = 1 exact: still NX|DZ */
    fmul.s ft3, ft2, ft2                /* 0 * 0 exact */
    csrrw a0, fflags, zero
    CHECK_EQ a0, FF_NX | FF_DZ, 189
    csrr a0, fcsr
    CHECK_EQ a0, FRM_RUP << 5, 190
    FP_SET_FRM FRM_RNE

    /* ---------------- reserved rounding modes. Spec (F "Floating-Point Control and Status
     * Register"): the behaviour with a reserved rm (101, 110 in the instruction, or frm =
     * 101..111 with rm = DYN) is reserved; raising an illegal-instruction exception is a valid
     * choice (the one the previous spec mandated) and the one QEMU makes and these programs
     * require. The instruction writes neither rd nor fflags. */
    li a1, S_ONE
    fmv.w.x ft0, a1
    fmv.w.x ft1, a1
    fmv.w.x ft2, a1
    li a1, 0x5a5a5a5a12345678
    fmv.d.x ft3, a1
    FP_SET_FRM 5
    CHECK_ILLEGAL 191, fadd.s ft3, ft0, ft1, dyn
    CHECK_ILLEGAL 192, fmul.d ft3, ft0, ft1, dyn
    CHECK_ILLEGAL 193, fsqrt.s ft3, ft0, dyn
    FP_SET_FRM 6
    CHECK_ILLEGAL 194, fdiv.d ft3, ft0, ft1, dyn
    CHECK_ILLEGAL 195, fmadd.s ft3, ft0, ft1, ft2, dyn
    CHECK_ILLEGAL 196, fsub.s ft3, ft0, ft1, dyn
    FP_SET_FRM 7
    CHECK_ILLEGAL 197, fsub.d ft3, ft0, ft1, dyn
    CHECK_ILLEGAL 198, fnmadd.d ft3, ft0, ft1, ft2, dyn
    CHECK_ILLEGAL 199, fsqrt.d ft3, ft0, dyn
    /* "implementations must treat the rm field as usual" even where the result does not
     * depend on it, e.g. the widening FCVT.D.S */
    CHECK_ILLEGAL 200, fcvt.d.s ft3, ft0, dyn
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0x5a5a5a5a12345678, 201   /* rd not written */
    csrr a5, fflags
    CHECK_EQ a5, 0, 202                    /* no flags */
    csrr a0, frm
    CHECK_EQ a0, 7, 203                    /* frm holds the reserved value */
    /* with frm = 111, a static rm and instructions without an rm field work normally */
    CHECK_S2 fadd.s, S_ONE, 0x33c00000, rtz, S_ONE, FF_NX, 204
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rup, 0x3ff0000000000003, FF_NX, 205
    CHECK_S2 fsgnjn.s, S_ONE, S_ONE, none, S_NONE, 0, 206
    CHECK_D2 fmax.d, D_ONE, D_TWO, none, D_TWO, 0, 207
    FP_SET_FRM FRM_RNE
    /* reserved static rm 101 and 110 (raw encodings: the assembler refuses them) */
    CHECK_ILLEGAL 208, FP_R(0x00, 1, 0, 5, 3)        /* fadd.s f3, f0, f1, rm = 101 */
    CHECK_ILLEGAL 209, FP_R(0x00, 1, 0, 6, 3)        /* fadd.s, rm = 110 */
    CHECK_ILLEGAL 210, FP_R(0x05, 1, 0, 5, 3)        /* fsub.d */
    CHECK_ILLEGAL 211, FP_R(0x08, 1, 0, 6, 3)        /* fmul.s */
    CHECK_ILLEGAL 212, FP_R(0x0d, 1, 0, 5, 3)        /* fdiv.d */
    CHECK_ILLEGAL 213, FP_R(0x2c, 0, 0, 6, 3)        /* fsqrt.s */
    CHECK_ILLEGAL 214, FP_R(0x2d, 0, 0, 5, 3)        /* fsqrt.d */
    CHECK_ILLEGAL 215, FP_R4(0x43, 0, 2, 1, 0, 5, 3) /* fmadd.s */
    CHECK_ILLEGAL 216, FP_R4(0x4f, 1, 2, 1, 0, 6, 3) /* fnmadd.d */
    CHECK_ILLEGAL 217, FP_R(0x21, 0, 0, 6, 3)        /* fcvt.d.s */
    /* the same encodings with rm = 000 are legal (and the checks above did not set flags) */
    csrr a5, fflags
    CHECK_EQ a5, 0, 218
    CHECK_S2 fadd.s, S_ONE, S_ONE, rne, S_TWO, 0, 219

    /* ---------------- mstatus.FS (privileged spec, "Extension Context Status in mstatus"):
     * with FS = Off every F/D instruction and fcsr access is illegal; writing an f register
     * or fcsr makes FS Dirty (and SD = 1) */
    FP_DISABLE
    CHECK_ILLEGAL 220, fadd.s ft3, ft0, ft1, rne
    CHECK_ILLEGAL 221, fmadd.d ft3, ft0, ft1, ft2, rne
    CHECK_ILLEGAL 222, csrr a0, fflags
    CHECK_ILLEGAL 223, csrw frm, zero
    li s11, MSTATUS_FS_INITIAL
    csrs mstatus, s11
    fadd.s ft3, ft0, ft1
    csrr a0, mstatus
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD, 224

    PASS
