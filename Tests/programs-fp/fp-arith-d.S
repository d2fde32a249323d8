/*
 * fp-arith-d: double-precision arithmetic (D extension, unprivileged spec chapter "D Extension
 * for Double-Precision Floating-Point", "Double-Precision Floating-Point Computational
 * Instructions", which work as their F counterparts): FADD.D, FSUB.D, FMUL.D, FDIV.D and FSQRT.D
 * with exact and inexact results in the five rounding modes, ties, overflow, underflow with
 * tininess detected after rounding (F "Subnormal Arithmetic"), invalid operations, division by
 * zero, NaN inputs (canonical NaN 0x7ff8000000000000), signed zeros; then NaN-boxing: how S
 * arithmetic treats improperly boxed operands.
 *
 * Every value is a raw bit pattern (fp.h: S_* / D_* names, flags FF_*). Expected results and
 * flags were computed with an exact rational reference and checked on QEMU (softfloat).
 * Handy patterns: 0x3c90000000000000 = 2^-54 (1/4 ulp of 1.0), 0x3ca0000000000000 = 2^-53
 * (1/2 ulp), 0x3ca8000000000000 = 3*2^-54 (3/4 ulp), 0x3ff0000000000001 = 1 + ulp,
 * 0x3fe0000000000000 = 0.5, 0x4008000000000000 = 3.
 */
#include "fp.h"

TEST_BEGIN fp-arith-d
    FP_ENABLE

    /* ---------------- FADD.D / FSUB.D */
    CHECK_D2 fadd.d, D_ONE, D_TWO, rne, 0x4008000000000000, 0, 1   /* 1 + 2 = 3 */
    CHECK_D2 fadd.d, D_MIN_SUB, D_MIN_SUB, rne, 0x0000000000000002, 0, 2   /* min subnormal + min subnormal: exact, no UF */
    CHECK_D2 fadd.d, D_MAX_SUB, D_MIN_SUB, rne, D_MIN_NORM, 0, 3   /* max subnormal + min subnormal = min normal */
    /* 1 + ulp/4, 1 + 3ulp/4 (ulp = 2^-52), each rounding mode */
    CHECK_D2 fadd.d, D_ONE, 0x3c90000000000000, rne, D_ONE, FF_NX, 4   /* RNE */
    CHECK_D2 fadd.d, D_ONE, 0x3c90000000000000, rtz, D_ONE, FF_NX, 5   /* RTZ */
    CHECK_D2 fadd.d, D_ONE, 0x3c90000000000000, rdn, D_ONE, FF_NX, 6   /* RDN */
    CHECK_D2 fadd.d, D_ONE, 0x3c90000000000000, rup, 0x3ff0000000000001, FF_NX, 7   /* RUP */
    CHECK_D2 fadd.d, D_ONE, 0x3c90000000000000, rmm, D_ONE, FF_NX, 8   /* RMM */
    CHECK_D2 fadd.d, D_ONE, 0x3ca8000000000000, rne, 0x3ff0000000000001, FF_NX, 9   /* RNE */
    CHECK_D2 fadd.d, D_ONE, 0x3ca8000000000000, rtz, D_ONE, FF_NX, 10   /* RTZ */
    CHECK_D2 fadd.d, D_ONE, 0x3ca8000000000000, rdn, D_ONE, FF_NX, 11   /* RDN */
    CHECK_D2 fadd.d, D_ONE, 0x3ca8000000000000, rup, 0x3ff0000000000001, FF_NX, 12   /* RUP */
    CHECK_D2 fadd.d, D_ONE, 0x3ca8000000000000, rmm, 0x3ff0000000000001, FF_NX, 13   /* RMM */
    /* -1 - ulp/4, -1 - 3ulp/4 */
    CHECK_D2 fadd.d, D_NONE, 0xbc90000000000000, rne, D_NONE, FF_NX, 14   /* RNE */
    CHECK_D2 fadd.d, D_NONE, 0xbc90000000000000, rtz, D_NONE, FF_NX, 15   /* RTZ */
    CHECK_D2 fadd.d, D_NONE, 0xbc90000000000000, rdn, 0xbff0000000000001, FF_NX, 16   /* RDN */
    CHECK_D2 fadd.d, D_NONE, 0xbc90000000000000, rup, D_NONE, FF_NX, 17   /* RUP */
    CHECK_D2 fadd.d, D_NONE, 0xbc90000000000000, rmm, D_NONE, FF_NX, 18   /* RMM */
    CHECK_D2 fadd.d, D_NONE, 0xbca8000000000000, rne, 0xbff0000000000001, FF_NX, 19   /* RNE */
    CHECK_D2 fadd.d, D_NONE, 0xbca8000000000000, rtz, D_NONE, FF_NX, 20   /* RTZ */
    CHECK_D2 fadd.d, D_NONE, 0xbca8000000000000, rdn, 0xbff0000000000001, FF_NX, 21   /* RDN */
    CHECK_D2 fadd.d, D_NONE, 0xbca8000000000000, rup, D_NONE, FF_NX, 22   /* RUP */
    CHECK_D2 fadd.d, D_NONE, 0xbca8000000000000, rmm, 0xbff0000000000001, FF_NX, 23   /* RMM */
    /* ties: 1 + ulp/2 and (1 + ulp) + ulp/2, RNE against RMM */
    CHECK_D2 fadd.d, D_ONE, 0x3ca0000000000000, rne, D_ONE, FF_NX, 24
    CHECK_D2 fadd.d, D_ONE, 0x3ca0000000000000, rmm, 0x3ff0000000000001, FF_NX, 25
    CHECK_D2 fadd.d, 0x3ff0000000000001, 0x3ca0000000000000, rne, 0x3ff0000000000002, FF_NX, 26
    CHECK_D2 fadd.d, 0x3ff0000000000001, 0x3ca0000000000000, rmm, 0x3ff0000000000002, FF_NX, 27
    CHECK_D2 fadd.d, D_NONE, 0xbca0000000000000, rne, D_NONE, FF_NX, 28
    CHECK_D2 fadd.d, D_NONE, 0xbca0000000000000, rmm, 0xbff0000000000001, FF_NX, 29
    /* overflow */
    CHECK_D2 fadd.d, D_MAX, D_MAX, rne, D_INF, FF_OF|FF_NX, 30   /* max + max, RNE */
    CHECK_D2 fadd.d, D_MAX, D_MAX, rtz, D_MAX, FF_OF|FF_NX, 31   /* max + max, RTZ */
    CHECK_D2 fadd.d, D_MAX, D_MAX, rdn, D_MAX, FF_OF|FF_NX, 32   /* max + max, RDN */
    CHECK_D2 fadd.d, D_MAX, D_MAX, rup, D_INF, FF_OF|FF_NX, 33   /* max + max, RUP */
    CHECK_D2 fadd.d, D_MAX, D_MAX, rmm, D_INF, FF_OF|FF_NX, 34   /* max + max, RMM */
    CHECK_D2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rne, D_NINF, FF_OF|FF_NX, 35   /* -max + -max, RNE */
    CHECK_D2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rtz, 0xffefffffffffffff, FF_OF|FF_NX, 36   /* -max + -max, RTZ */
    CHECK_D2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rdn, D_NINF, FF_OF|FF_NX, 37   /* -max + -max, RDN */
    CHECK_D2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rup, 0xffefffffffffffff, FF_OF|FF_NX, 38   /* -max + -max, RUP */
    CHECK_D2 fadd.d, 0xffefffffffffffff, 0xffefffffffffffff, rmm, D_NINF, FF_OF|FF_NX, 39   /* -max + -max, RMM */
    CHECK_D2 fadd.d, D_MAX, 0x7c80000000000000, rne, D_MAX, FF_NX, 40   /* max + ulp(max)/4 = max, NX only */
    CHECK_D2 fadd.d, D_MAX, 0x7c90000000000000, rne, D_INF, FF_OF|FF_NX, 41   /* max + ulp(max)/2: a tie, the even neighbour is 2^1024: overflow */
    /* invalid, infinities, signed zeros, NaNs */
    CHECK_D2 fadd.d, D_INF, D_NINF, rne, D_QNAN, FF_NV, 42   /* inf + -inf: NV */
    CHECK_D2 fsub.d, D_NINF, D_NINF, rne, D_QNAN, FF_NV, 43   /* -inf - -inf: NV */
    CHECK_D2 fadd.d, D_NINF, D_NINF, rne, D_NINF, 0, 44   /* -inf + -inf = -inf */
    CHECK_D2 fsub.d, 0x4008000000000000, 0x4008000000000000, rne, D_PZERO, 0, 45   /* x - x = +0 */
    CHECK_D2 fsub.d, 0x4008000000000000, 0x4008000000000000, rdn, D_NZERO, 0, 46   /* x - x = -0 in RDN */
    CHECK_D2 fadd.d, D_NZERO, D_NZERO, rne, D_NZERO, 0, 47   /* -0 + -0 = -0 */
    CHECK_D2 fadd.d, D_PZERO, D_NZERO, rdn, D_NZERO, 0, 48   /* +0 + -0 = -0 in RDN */
    CHECK_D2 fsub.d, D_PZERO, D_PZERO, rmm, D_PZERO, 0, 49   /* +0 - +0 = +0 */
    CHECK_D2 fadd.d, D_QNAN, D_ONE, rne, D_QNAN, 0, 50   /* qNaN + 1: no flag */
    CHECK_D2 fadd.d, D_ONE, 0xfff800000000dead, rne, D_QNAN, 0, 51   /* 1 + negative qNaN with payload: canonical */
    CHECK_D2 fadd.d, D_SNAN, D_ONE, rne, D_QNAN, FF_NV, 52   /* sNaN + 1: NV */
    CHECK_D2 fsub.d, 0x7ff4000000000000, D_QNAN, rne, D_QNAN, FF_NV, 53   /* sNaN - qNaN: NV */
    CHECK_D2 fsub.d, D_ONE, 0x3ff0000000000001, rne, 0xbcb0000000000000, 0, 54   /* 1 - (1 + ulp) = -ulp, exact */
    /* 1 - 2^-54: a tie below 1 (ulp 2^-53) */
    CHECK_D2 fsub.d, D_ONE, 0x3c90000000000000, rne, D_ONE, FF_NX, 55   /* RNE */
    CHECK_D2 fsub.d, D_ONE, 0x3c90000000000000, rtz, 0x3fefffffffffffff, FF_NX, 56   /* RTZ */
    CHECK_D2 fsub.d, D_ONE, 0x3c90000000000000, rdn, 0x3fefffffffffffff, FF_NX, 57   /* RDN */
    CHECK_D2 fsub.d, D_ONE, 0x3c90000000000000, rup, D_ONE, FF_NX, 58   /* RUP */
    CHECK_D2 fsub.d, D_ONE, 0x3c90000000000000, rmm, D_ONE, FF_NX, 59   /* RMM */

    /* ---------------- FMUL.D */
    CHECK_D2 fmul.d, 0x4008000000000000, 0x4014000000000000, rne, 0x402e000000000000, 0, 60   /* 3 * 5 = 15 */
    CHECK_D2 fmul.d, D_NZERO, 0xc014000000000000, rne, D_PZERO, 0, 61   /* -0 * -5 = +0 */
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rne, 0x3ff0000000000002, FF_NX, 62   /* (1 + ulp)^2, RNE */
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rtz, 0x3ff0000000000002, FF_NX, 63   /* (1 + ulp)^2, RTZ */
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rdn, 0x3ff0000000000002, FF_NX, 64   /* (1 + ulp)^2, RDN */
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rup, 0x3ff0000000000003, FF_NX, 65   /* (1 + ulp)^2, RUP */
    CHECK_D2 fmul.d, 0x3ff0000000000001, 0x3ff0000000000001, rmm, 0x3ff0000000000002, FF_NX, 66   /* (1 + ulp)^2, RMM */
    CHECK_D2 fmul.d, D_INF, D_NZERO, rne, D_QNAN, FF_NV, 67   /* inf * -0: NV */
    CHECK_D2 fmul.d, D_NINF, D_TWO, rne, D_NINF, 0, 68   /* -inf * 2 = -inf */
    CHECK_D2 fmul.d, 0xffefffffffffffff, D_TWO, rne, D_NINF, FF_OF|FF_NX, 69   /* -max * 2, RNE */
    CHECK_D2 fmul.d, 0xffefffffffffffff, D_TWO, rtz, 0xffefffffffffffff, FF_OF|FF_NX, 70   /* -max * 2, RTZ */
    CHECK_D2 fmul.d, 0xffefffffffffffff, D_TWO, rdn, D_NINF, FF_OF|FF_NX, 71   /* -max * 2, RDN */
    CHECK_D2 fmul.d, 0xffefffffffffffff, D_TWO, rup, 0xffefffffffffffff, FF_OF|FF_NX, 72   /* -max * 2, RUP */
    CHECK_D2 fmul.d, 0xffefffffffffffff, D_TWO, rmm, D_NINF, FF_OF|FF_NX, 73   /* -max * 2, RMM */
    /* underflow, tininess after rounding (F "Subnormal Arithmetic") */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fe0000000000000, rne, 0x0008000000000000, 0, 74   /* min normal * 0.5: exact subnormal */
    CHECK_D2 fmul.d, D_MIN_SUB, 0x3fe0000000000000, rne, D_PZERO, FF_UF|FF_NX, 75   /* min subnormal * 0.5, RNE */
    CHECK_D2 fmul.d, D_MIN_SUB, 0x3fe0000000000000, rtz, D_PZERO, FF_UF|FF_NX, 76   /* min subnormal * 0.5, RTZ */
    CHECK_D2 fmul.d, D_MIN_SUB, 0x3fe0000000000000, rdn, D_PZERO, FF_UF|FF_NX, 77   /* min subnormal * 0.5, RDN */
    CHECK_D2 fmul.d, D_MIN_SUB, 0x3fe0000000000000, rup, D_MIN_SUB, FF_UF|FF_NX, 78   /* min subnormal * 0.5, RUP */
    CHECK_D2 fmul.d, D_MIN_SUB, 0x3fe0000000000000, rmm, D_MIN_SUB, FF_UF|FF_NX, 79   /* min subnormal * 0.5, RMM */
    CHECK_D2 fmul.d, 0x8000000000000001, 0x3fe0000000000000, rdn, 0x8000000000000001, FF_UF|FF_NX, 80   /* -min subnormal * 0.5, RDN */
    /* min normal * (1 - 2^-53): tiny (2^-1022 - 2^-1075 with an unbounded exponent), rounds to min */
    /* normal in RNE: UF|NX */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fefffffffffffff, rne, D_MIN_NORM, FF_UF|FF_NX, 81   /* RNE */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fefffffffffffff, rtz, D_MAX_SUB, FF_UF|FF_NX, 82   /* RTZ */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fefffffffffffff, rdn, D_MAX_SUB, FF_UF|FF_NX, 83   /* RDN */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fefffffffffffff, rup, D_MIN_NORM, FF_UF|FF_NX, 84   /* RUP */
    CHECK_D2 fmul.d, D_MIN_NORM, 0x3fefffffffffffff, rmm, D_MIN_NORM, FF_UF|FF_NX, 85   /* RMM */
    /* (2^27 - 1) 2^-538 * (2^27 + 1) 2^-538 = 2^-1022 - 2^-1076: rounds to 2^-1022 with an unbounded */
    /* exponent in RNE/RUP/RMM, so not tiny: NX only */
    CHECK_D2 fmul.d, 0x1ffffffffc000000, 0x2000000002000000, rne, D_MIN_NORM, FF_NX, 86   /* RNE */
    CHECK_D2 fmul.d, 0x1ffffffffc000000, 0x2000000002000000, rtz, D_MAX_SUB, FF_UF|FF_NX, 87   /* RTZ */
    CHECK_D2 fmul.d, 0x1ffffffffc000000, 0x2000000002000000, rdn, D_MAX_SUB, FF_UF|FF_NX, 88   /* RDN */
    CHECK_D2 fmul.d, 0x1ffffffffc000000, 0x2000000002000000, rup, D_MIN_NORM, FF_NX, 89   /* RUP */
    CHECK_D2 fmul.d, 0x1ffffffffc000000, 0x2000000002000000, rmm, D_MIN_NORM, FF_NX, 90   /* RMM */
    CHECK_D2 fmul.d, D_MIN_NORM, D_MIN_NORM, rup, D_MIN_SUB, FF_UF|FF_NX, 91   /* min normal squared, RUP: min subnormal */

    /* ---------------- FDIV.D */
    CHECK_D2 fdiv.d, 0x4008000000000000, D_TWO, rne, 0x3ff8000000000000, 0, 92   /* 3 / 2 = 1.5 */
    CHECK_D2 fdiv.d, D_ONE, 0x4008000000000000, rne, 0x3fd5555555555555, FF_NX, 93   /* 1 / 3, RNE */
    CHECK_D2 fdiv.d, D_ONE, 0x4008000000000000, rtz, 0x3fd5555555555555, FF_NX, 94   /* 1 / 3, RTZ */
    CHECK_D2 fdiv.d, D_ONE, 0x4008000000000000, rdn, 0x3fd5555555555555, FF_NX, 95   /* 1 / 3, RDN */
    CHECK_D2 fdiv.d, D_ONE, 0x4008000000000000, rup, 0x3fd5555555555556, FF_NX, 96   /* 1 / 3, RUP */
    CHECK_D2 fdiv.d, D_ONE, 0x4008000000000000, rmm, 0x3fd5555555555555, FF_NX, 97   /* 1 / 3, RMM */
    CHECK_D2 fdiv.d, D_NONE, 0x4008000000000000, rdn, 0xbfd5555555555556, FF_NX, 98   /* -1 / 3, RDN */
    CHECK_D2 fdiv.d, D_NONE, 0x4008000000000000, rup, 0xbfd5555555555555, FF_NX, 99   /* -1 / 3, RUP */
    CHECK_D2 fdiv.d, D_ONE, D_PZERO, rne, D_INF, FF_DZ, 100   /* 1 / +0 = inf, DZ */
    CHECK_D2 fdiv.d, D_ONE, D_NZERO, rne, D_NINF, FF_DZ, 101   /* 1 / -0 = -inf, DZ */
    CHECK_D2 fdiv.d, D_NZERO, D_PZERO, rne, D_QNAN, FF_NV, 102   /* -0 / +0: NV */
    CHECK_D2 fdiv.d, D_INF, D_INF, rne, D_QNAN, FF_NV, 103   /* inf / inf: NV */
    CHECK_D2 fdiv.d, D_NINF, D_PZERO, rne, D_NINF, 0, 104   /* -inf / +0 = -inf, no flag */
    CHECK_D2 fdiv.d, D_ONE, D_NINF, rne, D_NZERO, 0, 105   /* 1 / -inf = -0 */
    CHECK_D2 fdiv.d, D_SNAN, D_PZERO, rne, D_QNAN, FF_NV, 106   /* sNaN / 0: NV, not DZ */
    CHECK_D2 fdiv.d, D_QNAN, D_QNAN, rne, D_QNAN, 0, 107   /* qNaN / qNaN: no flag */
    CHECK_D2 fdiv.d, D_MAX, 0x3fe0000000000000, rne, D_INF, FF_OF|FF_NX, 108   /* max / 0.5: overflow, RNE */
    CHECK_D2 fdiv.d, D_MAX, 0x3fe0000000000000, rdn, D_MAX, FF_OF|FF_NX, 109   /* max / 0.5: overflow, RDN */
    CHECK_D2 fdiv.d, D_MIN_SUB, 0x4008000000000000, rup, D_MIN_SUB, FF_UF|FF_NX, 110   /* min subnormal / 3, RUP: min subnormal, UF|NX */
    CHECK_D2 fdiv.d, D_MIN_NORM, 0x4010000000000000, rne, 0x0004000000000000, 0, 111   /* min normal / 4: exact subnormal */

    /* ---------------- FSQRT.D */
    CHECK_D1 fsqrt.d, 0x4022000000000000, rne, 0x4008000000000000, 0, 112   /* sqrt(9) = 3 */
    CHECK_D1 fsqrt.d, D_TWO, rne, 0x3ff6a09e667f3bcd, FF_NX, 113   /* sqrt(2), RNE */
    CHECK_D1 fsqrt.d, D_TWO, rtz, 0x3ff6a09e667f3bcc, FF_NX, 114   /* sqrt(2), RTZ */
    CHECK_D1 fsqrt.d, D_TWO, rdn, 0x3ff6a09e667f3bcc, FF_NX, 115   /* sqrt(2), RDN */
    CHECK_D1 fsqrt.d, D_TWO, rup, 0x3ff6a09e667f3bcd, FF_NX, 116   /* sqrt(2), RUP */
    CHECK_D1 fsqrt.d, D_TWO, rmm, 0x3ff6a09e667f3bcd, FF_NX, 117   /* sqrt(2), RMM */
    CHECK_D1 fsqrt.d, D_NZERO, rne, D_NZERO, 0, 118   /* sqrt(-0) = -0 */
    CHECK_D1 fsqrt.d, D_INF, rne, D_INF, 0, 119   /* sqrt(inf) = inf */
    CHECK_D1 fsqrt.d, D_NONE, rne, D_QNAN, FF_NV, 120   /* sqrt(-1): NV */
    CHECK_D1 fsqrt.d, D_NINF, rne, D_QNAN, FF_NV, 121   /* sqrt(-inf): NV */
    CHECK_D1 fsqrt.d, D_MIN_SUB, rne, 0x1e60000000000000, 0, 122   /* sqrt(min subnormal) = 2^-537, exact */
    CHECK_D1 fsqrt.d, 0x0000000000000002, rdn, 0x1e66a09e667f3bcc, FF_NX, 123   /* sqrt(2 min subnormal), RDN */
    CHECK_D1 fsqrt.d, D_SNAN, rne, D_QNAN, FF_NV, 124   /* sqrt(sNaN): NV */
    CHECK_D1 fsqrt.d, D_QNAN, rne, D_QNAN, 0, 125   /* sqrt(qNaN): no flag */

    /* ---------------- NaN-boxing (D "NaN Boxing of Narrower Values"): an S operand of an
     * arithmetic instruction whose upper 32 bits are not all ones is the canonical NaN, a
     * QUIET NaN: it gives 0x7fc00000 without NV, whatever its low 32 bits, and it hides
     * what those bits would have caused (NV for inf - inf or an sNaN, DZ for x / 0). The
     * CHECK_S<n>R checks give every operand as the whole 64-bit register (fp.h). */
    CHECK_S2R fadd.s, 0x000000003f800000, 0xffffffff3f800000, rne, S_QNAN, 0, 126   /* upper half zero */
    CHECK_S2R fadd.s, 0xffffffff3f800000, 0xfffffffe3f800000, rne, S_QNAN, 0, 127   /* one upper bit clear */
    CHECK_S2R fadd.s, 0x7fffffff3f800000, 0xffffffff3f800000, rne, S_QNAN, 0, 128   /* upper bit 63 clear */
    CHECK_S2R fadd.s, 0x3ff0000000000000, 0xffffffff3f800000, rne, S_QNAN, 0, 129   /* the double 1.0 */
    CHECK_S2R fadd.s, 0x000000007f800001, 0xffffffff3f800000, rne, S_QNAN, 0, 130   /* an sNaN pattern, unboxed: a quiet NaN, no NV */
    CHECK_S2R fsub.s, 0xffffffff7f800000, 0x000000007f800000, rne, S_QNAN, 0, 131   /* inf - unboxed inf: NaN, no NV */
    CHECK_S2R fmul.s, 0x0000000000000000, 0xffffffff7f800000, rne, S_QNAN, 0, 132   /* unboxed 0 * inf: no NV */
    CHECK_S2R fdiv.s, 0xffffffff3f800000, 0x0000000000000000, rne, S_QNAN, 0, 133   /* 1 / unboxed 0: no DZ */
    CHECK_S2R fdiv.s, 0x00000000ff800000, 0x00000000ff800000, rne, S_QNAN, 0, 134   /* both unboxed */
    CHECK_S1R fsqrt.s, 0x00000000bf800000, rne, S_QNAN, 0, 135   /* sqrt of unboxed -1: no NV */
    CHECK_S1R fsqrt.s, 0x0000000040800000, rne, S_QNAN, 0, 136   /* sqrt of unboxed 4 */
    /* properly boxed values work, including a boxed sNaN */
    CHECK_S2R fadd.s, 0xffffffff3f800000, 0xffffffff40000000, rne, 0x40400000, 0, 137   /* 1 + 2 = 3 */
    CHECK_S2R fadd.s, 0xffffffff7f800001, 0xffffffff3f800000, rne, S_QNAN, FF_NV, 138   /* boxed sNaN: NV */
    /* a boxed single seen as a double is a negative quiet NaN */
    CHECK_D2 fadd.d, 0xffffffff3f800000, D_ONE, rne, D_QNAN, 0, 139   /* no flag */
    CHECK_D1 fsqrt.d, 0xffffffff7f800001, rne, D_QNAN, 0, 140   /* still quiet as a double: no NV */
    CHECK_D2 fmul.d, 0xffffffff00000000, D_PZERO, rne, D_QNAN, 0, 141   /* boxed +0.0f as a double */

    PASS
