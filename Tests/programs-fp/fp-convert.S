/*
 * fp-convert: every F/D conversion and move between formats (unprivileged spec, F "Single-
 * Precision Floating-Point Conversion and Move Instructions" and D "Double-Precision
 * Floating-Point Conversion and Move Instructions").
 *
 *  - FCVT.W/WU/L/LU.S and .D (float -> integer) in each rounding mode: exact results (no
 *    flags), inexact ones (NX), ties, and the invalid inputs of the table "Domains of
 *    float-to-integer conversions and behavior for invalid inputs": out-of-range negative
 *    and -inf give the minimum, out-of-range positive, +inf and any NaN the maximum, with NV
 *    and without NX ("set the Inexact exception flag if the rounded result differs from the
 *    operand value and the Invalid exception flag is not set"). The range is checked "after
 *    rounding": 2^31 - 0.5 is in range for RTZ/RDN and out of range for RNE/RUP/RMM, -0.5
 *    converts to unsigned 0 with NX under RTZ/RNE/RUP and is invalid under RDN/RMM (it
 *    rounds to -1). The W forms sign-extend their 32-bit result, also FCVT.WU.
 *  - FCVT.S/D.W/WU/L/LU (integer -> float): the W forms read the low 32 bits of rs1; large
 *    64-bit values round in each mode; FCVT.D.W/WU are always exact.
 *  - the rm field of the conversions: reserved static and dynamic rounding modes.
 * FCVT.S.D, FCVT.D.S and the FMV moves are in fp-transfer.S.
 *
 * Values are raw bit patterns (fp.h). The expected results were worked out by hand from the
 * spec text and IEEE 754-2008; they agree with QEMU's softfloat and with the rounding of
 * fpref.py: fpcvtcheck.py recomputes every FCVT check from it.
 * Patterns used below: 0x3fc00000 = 1.5, 0x40200000 = 2.5, 0x3f000000 = 0.5, 0xbf000000 =
 * -0.5, 0xbfc00000 = -1.5, 0xc0200000 = -2.5, 0x4f000000 = 2^31, 0xcf000000 = -2^31,
 * 0x4f800000 = 2^32, 0x5f000000 = 2^63, 0x5f800000 = 2^64;
 * 0x41dfffffffe00000 = 2^31 - 0.5, 0xc1e0000000100000 = -2^31 - 0.5,
 * 0x41effffffff00000 = 2^32 - 0.5, 0x43e0000000000000 = 2^63, 0x43f0000000000000 = 2^64.
 */
#include "fp.h"

#define FCVT_I32_MAX    0x000000007fffffff
#define FCVT_I32_MIN    0xffffffff80000000
#define FCVT_U32_MAX    0xffffffffffffffff      /* 2^32 - 1, sign-extended */
#define FCVT_I64_MAX    0x7fffffffffffffff
#define FCVT_I64_MIN    0x8000000000000000
#define FCVT_U64_MAX    0xffffffffffffffff

TEST_BEGIN fp-convert
    FP_ENABLE

    /* ================================================================ float -> integer */

    /* ---------------- FCVT.W.S: rounding, each mode */
    CHECK_X_S fcvt.w.s, 0x3fc00000, rne, 2, FF_NX, 1          /* 1.5 */
    CHECK_X_S fcvt.w.s, 0x3fc00000, rtz, 1, FF_NX, 2
    CHECK_X_S fcvt.w.s, 0x3fc00000, rdn, 1, FF_NX, 3
    CHECK_X_S fcvt.w.s, 0x3fc00000, rup, 2, FF_NX, 4
    CHECK_X_S fcvt.w.s, 0x3fc00000, rmm, 2, FF_NX, 5
    CHECK_X_S fcvt.w.s, 0x40200000, rne, 2, FF_NX, 6          /* 2.5: tie to even */
    CHECK_X_S fcvt.w.s, 0x40200000, rmm, 3, FF_NX, 7          /* 2.5: tie away */
    CHECK_X_S fcvt.w.s, 0xbfc00000, rne, -2, FF_NX, 8         /* -1.5 */
    CHECK_X_S fcvt.w.s, 0xbfc00000, rtz, -1, FF_NX, 9
    CHECK_X_S fcvt.w.s, 0xbfc00000, rdn, -2, FF_NX, 10
    CHECK_X_S fcvt.w.s, 0xbfc00000, rup, -1, FF_NX, 11
    CHECK_X_S fcvt.w.s, 0xbfc00000, rmm, -2, FF_NX, 12
    CHECK_X_S fcvt.w.s, 0xc0200000, rne, -2, FF_NX, 13        /* -2.5 */
    CHECK_X_S fcvt.w.s, 0xc0200000, rmm, -3, FF_NX, 14
    CHECK_X_S fcvt.w.s, 0x3f000000, rne, 0, FF_NX, 15         /* 0.5 */
    CHECK_X_S fcvt.w.s, 0x3f000000, rup, 1, FF_NX, 16
    CHECK_X_S fcvt.w.s, 0x3f000000, rmm, 1, FF_NX, 17
    CHECK_X_S fcvt.w.s, S_MIN_SUB, rup, 1, FF_NX, 18          /* smallest subnormal */
    CHECK_X_S fcvt.w.s, 0x80000001, rdn, -1, FF_NX, 19        /* -smallest subnormal */
    /* exact results: no flags; the 32-bit result is sign-extended */
    CHECK_X_S fcvt.w.s, 0x42280000, rtz, 42, 0, 20            /* 42.0 */
    CHECK_X_S fcvt.w.s, S_NONE, rne, -1, 0, 21                /* -1.0 -> 0xffff...ffff */
    CHECK_X_S fcvt.w.s, S_NZERO, rdn, 0, 0, 22                /* -0.0 */
    CHECK_X_S fcvt.w.s, 0x4effffff, rne, 0x7fffff80, 0, 23    /* largest float below 2^31 */
    CHECK_X_S fcvt.w.s, 0xcf000000, rne, FCVT_I32_MIN, 0, 24  /* -2^31: valid, exact */
    /* invalid inputs: clipped, NV, never NX */
    CHECK_X_S fcvt.w.s, 0x4f000000, rne, FCVT_I32_MAX, FF_NV, 25   /* 2^31 */
    CHECK_X_S fcvt.w.s, 0xcf000001, rne, FCVT_I32_MIN, FF_NV, 26   /* -2^31 - 256 */
    CHECK_X_S fcvt.w.s, 0x501502f9, rtz, FCVT_I32_MAX, FF_NV, 27   /* 1e10 */
    CHECK_X_S fcvt.w.s, S_INF, rne, FCVT_I32_MAX, FF_NV, 28
    CHECK_X_S fcvt.w.s, S_NINF, rne, FCVT_I32_MIN, FF_NV, 29
    CHECK_X_S fcvt.w.s, S_QNAN, rne, FCVT_I32_MAX, FF_NV, 30
    CHECK_X_S fcvt.w.s, 0xffc00000, rne, FCVT_I32_MAX, FF_NV, 31   /* negative qNaN: still max */
    CHECK_X_S fcvt.w.s, S_SNAN, rne, FCVT_I32_MAX, FF_NV, 32
    CHECK_X_S fcvt.w.s, 0xff800001, rdn, FCVT_I32_MAX, FF_NV, 33   /* negative sNaN */
    /* an improperly NaN-boxed operand is the canonical NaN (D "NaN Boxing") */
    CHECK_X_S fcvt.w.s, 0x000000013fc00000, rne, FCVT_I32_MAX, FF_NV, 34
    CHECK_X_S fcvt.w.s, 0x7fffffff3f800000, rtz, FCVT_I32_MAX, FF_NV, 35

    /* ---------------- FCVT.WU.S */
    CHECK_X_S fcvt.wu.s, 0x406ccccd, rtz, 3, FF_NX, 36        /* 3.7 */
    CHECK_X_S fcvt.wu.s, 0x406ccccd, rne, 4, FF_NX, 37
    CHECK_X_S fcvt.wu.s, 0x4f7fffff, rne, 0xffffffffffffff00, 0, 38 /* 2^32 - 256, sign-extended */
    CHECK_X_S fcvt.wu.s, 0x4f000000, rne, 0xffffffff80000000, 0, 39 /* 2^31, sign-extended */
    CHECK_X_S fcvt.wu.s, S_NZERO, rne, 0, 0, 40
    CHECK_X_S fcvt.wu.s, 0xbf000000, rtz, 0, FF_NX, 41        /* -0.5 -> -0 -> 0: in range */
    CHECK_X_S fcvt.wu.s, 0xbf000000, rne, 0, FF_NX, 42        /* tie to even 0 */
    CHECK_X_S fcvt.wu.s, 0xbf000000, rup, 0, FF_NX, 43
    CHECK_X_S fcvt.wu.s, 0xbf000000, rdn, 0, FF_NV, 44        /* rounds to -1: invalid */
    CHECK_X_S fcvt.wu.s, 0xbf000000, rmm, 0, FF_NV, 45        /* tie away to -1: invalid */
    CHECK_X_S fcvt.wu.s, S_NONE, rtz, 0, FF_NV, 46
    CHECK_X_S fcvt.wu.s, 0x80000001, rtz, 0, FF_NX, 47        /* -subnormal, RTZ: 0 */
    CHECK_X_S fcvt.wu.s, 0x80000001, rdn, 0, FF_NV, 48        /* -subnormal, RDN: -1 */
    CHECK_X_S fcvt.wu.s, 0x4f800000, rne, FCVT_U32_MAX, FF_NV, 49  /* 2^32 */
    CHECK_X_S fcvt.wu.s, S_INF, rne, FCVT_U32_MAX, FF_NV, 50
    CHECK_X_S fcvt.wu.s, S_NINF, rne, 0, FF_NV, 51
    CHECK_X_S fcvt.wu.s, S_QNAN, rne, FCVT_U32_MAX, FF_NV, 52
    CHECK_X_S fcvt.wu.s, 0xffc00000, rne, FCVT_U32_MAX, FF_NV, 53  /* negative NaN: max */
    CHECK_X_S fcvt.wu.s, S_SNAN, rtz, FCVT_U32_MAX, FF_NV, 54

    /* ---------------- FCVT.L.S */
    CHECK_X_S fcvt.l.s, 0x3fc00000, rdn, 1, FF_NX, 55
    CHECK_X_S fcvt.l.s, 0xc0200000, rmm, -3, FF_NX, 56
    CHECK_X_S fcvt.l.s, 0xc0200000, rne, -2, FF_NX, 57
    CHECK_X_S fcvt.l.s, 0xbfc00000, rup, -1, FF_NX, 58
    CHECK_X_S fcvt.l.s, 0x4f800000, rne, 0x100000000, 0, 59   /* 2^32 */
    CHECK_X_S fcvt.l.s, 0x5effffff, rne, 0x7fffff8000000000, 0, 60  /* largest float below 2^63 */
    CHECK_X_S fcvt.l.s, 0xdf000000, rne, FCVT_I64_MIN, 0, 61  /* -2^63 exact */
    CHECK_X_S fcvt.l.s, 0x5f000000, rne, FCVT_I64_MAX, FF_NV, 62   /* 2^63 */
    CHECK_X_S fcvt.l.s, 0xdf000001, rne, FCVT_I64_MIN, FF_NV, 63   /* below -2^63 */
    CHECK_X_S fcvt.l.s, S_INF, rne, FCVT_I64_MAX, FF_NV, 64
    CHECK_X_S fcvt.l.s, S_NINF, rne, FCVT_I64_MIN, FF_NV, 65
    CHECK_X_S fcvt.l.s, S_QNAN, rne, FCVT_I64_MAX, FF_NV, 66
    CHECK_X_S fcvt.l.s, 0xff800001, rne, FCVT_I64_MAX, FF_NV, 67   /* negative sNaN */

    /* ---------------- FCVT.LU.S */
    CHECK_X_S fcvt.lu.s, 0x3e99999a, rup, 1, FF_NX, 68        /* 0.3 */
    CHECK_X_S fcvt.lu.s, 0x3e99999a, rdn, 0, FF_NX, 69
    CHECK_X_S fcvt.lu.s, 0x5f7fffff, rne, 0xffffff0000000000, 0, 70 /* largest float below 2^64 */
    CHECK_X_S fcvt.lu.s, 0x5f000000, rne, 0x8000000000000000, 0, 71 /* 2^63 */
    CHECK_X_S fcvt.lu.s, 0x5f800000, rne, FCVT_U64_MAX, FF_NV, 72   /* 2^64 */
    CHECK_X_S fcvt.lu.s, 0xbf000000, rtz, 0, FF_NX, 73        /* -0.5 */
    CHECK_X_S fcvt.lu.s, 0xbf000000, rdn, 0, FF_NV, 74
    CHECK_X_S fcvt.lu.s, S_NONE, rne, 0, FF_NV, 75
    CHECK_X_S fcvt.lu.s, S_NINF, rne, 0, FF_NV, 76
    CHECK_X_S fcvt.lu.s, S_INF, rne, FCVT_U64_MAX, FF_NV, 77
    CHECK_X_S fcvt.lu.s, S_QNAN, rne, FCVT_U64_MAX, FF_NV, 78
    CHECK_X_S fcvt.lu.s, S_SNAN, rne, FCVT_U64_MAX, FF_NV, 79

    /* ---------------- FCVT.W.D: the range edges "after rounding" */
    CHECK_X_D fcvt.w.d, 0x41dfffffffc00000, rne, FCVT_I32_MAX, 0, 80     /* 2^31 - 1 exact */
    CHECK_X_D fcvt.w.d, 0x41dfffffffe00000, rtz, FCVT_I32_MAX, FF_NX, 81 /* 2^31 - 0.5 */
    CHECK_X_D fcvt.w.d, 0x41dfffffffe00000, rdn, FCVT_I32_MAX, FF_NX, 82
    CHECK_X_D fcvt.w.d, 0x41dfffffffe00000, rne, FCVT_I32_MAX, FF_NV, 83 /* tie to even 2^31 */
    CHECK_X_D fcvt.w.d, 0x41dfffffffe00000, rup, FCVT_I32_MAX, FF_NV, 84
    CHECK_X_D fcvt.w.d, 0x41dfffffffe00000, rmm, FCVT_I32_MAX, FF_NV, 85
    CHECK_X_D fcvt.w.d, 0xc1e0000000000000, rne, FCVT_I32_MIN, 0, 86     /* -2^31 exact */
    CHECK_X_D fcvt.w.d, 0xc1e0000000100000, rtz, FCVT_I32_MIN, FF_NX, 87 /* -2^31 - 0.5 */
    CHECK_X_D fcvt.w.d, 0xc1e0000000100000, rup, FCVT_I32_MIN, FF_NX, 88
    CHECK_X_D fcvt.w.d, 0xc1e0000000100000, rne, FCVT_I32_MIN, FF_NX, 89 /* tie to even -2^31 */
    CHECK_X_D fcvt.w.d, 0xc1e0000000100000, rdn, FCVT_I32_MIN, FF_NV, 90
    CHECK_X_D fcvt.w.d, 0xc1e0000000100000, rmm, FCVT_I32_MIN, FF_NV, 91
    CHECK_X_D fcvt.w.d, 0x4202a05f20000000, rne, FCVT_I32_MAX, FF_NV, 92 /* 1e10 */
    CHECK_X_D fcvt.w.d, 0xc202a05f20000000, rne, FCVT_I32_MIN, FF_NV, 93 /* -1e10 */
    CHECK_X_D fcvt.w.d, 0x400d99999999999a, rne, 4, FF_NX, 94           /* 3.7 */
    CHECK_X_D fcvt.w.d, 0x400d99999999999a, rdn, 3, FF_NX, 95
    CHECK_X_D fcvt.w.d, 0xc014000000000000, rtz, -5, 0, 96              /* -5.0, sign-extended */
    CHECK_X_D fcvt.w.d, 0xbff8000000000000, rmm, -2, FF_NX, 97          /* -1.5 */
    CHECK_X_D fcvt.w.d, D_MIN_SUB, rup, 1, FF_NX, 98
    CHECK_X_D fcvt.w.d, D_MIN_SUB, rne, 0, FF_NX, 99
    CHECK_X_D fcvt.w.d, D_NZERO, rne, 0, 0, 100
    CHECK_X_D fcvt.w.d, D_INF, rne, FCVT_I32_MAX, FF_NV, 101
    CHECK_X_D fcvt.w.d, D_NINF, rne, FCVT_I32_MIN, FF_NV, 102
    CHECK_X_D fcvt.w.d, D_QNAN, rne, FCVT_I32_MAX, FF_NV, 103
    CHECK_X_D fcvt.w.d, 0xfff8000000000000, rne, FCVT_I32_MAX, FF_NV, 104 /* negative qNaN */
    CHECK_X_D fcvt.w.d, D_SNAN, rne, FCVT_I32_MAX, FF_NV, 105

    /* ---------------- FCVT.WU.D */
    CHECK_X_D fcvt.wu.d, 0x41efffffffe00000, rne, FCVT_U32_MAX, 0, 106   /* 2^32 - 1 exact */
    CHECK_X_D fcvt.wu.d, 0x41effffffff00000, rtz, FCVT_U32_MAX, FF_NX, 107 /* 2^32 - 0.5 */
    CHECK_X_D fcvt.wu.d, 0x41effffffff00000, rne, FCVT_U32_MAX, FF_NV, 108 /* tie to even 2^32 */
    CHECK_X_D fcvt.wu.d, 0x41effffffff00000, rup, FCVT_U32_MAX, FF_NV, 109
    CHECK_X_D fcvt.wu.d, 0x41e0000000000000, rne, 0xffffffff80000000, 0, 110 /* 2^31, sign-extended */
    CHECK_X_D fcvt.wu.d, 0x41dfffffffc00000, rne, 0x7fffffff, 0, 111   /* 2^31 - 1 */
    CHECK_X_D fcvt.wu.d, 0xbfe0000000000000, rne, 0, FF_NX, 112        /* -0.5 */
    CHECK_X_D fcvt.wu.d, 0xbfe0000000000000, rup, 0, FF_NX, 113
    CHECK_X_D fcvt.wu.d, 0xbfe0000000000000, rmm, 0, FF_NV, 114
    CHECK_X_D fcvt.wu.d, 0x81a56e1fc2f8f359, rtz, 0, FF_NX, 115        /* -1e-300 */
    CHECK_X_D fcvt.wu.d, 0x81a56e1fc2f8f359, rdn, 0, FF_NV, 116
    CHECK_X_D fcvt.wu.d, 0xc202a05f20000000, rne, 0, FF_NV, 117        /* -1e10 */
    CHECK_X_D fcvt.wu.d, 0x4202a05f20000000, rne, FCVT_U32_MAX, FF_NV, 118 /* 1e10 */
    CHECK_X_D fcvt.wu.d, D_INF, rne, FCVT_U32_MAX, FF_NV, 119
    CHECK_X_D fcvt.wu.d, D_NINF, rne, 0, FF_NV, 120
    CHECK_X_D fcvt.wu.d, D_QNAN, rne, FCVT_U32_MAX, FF_NV, 121
    CHECK_X_D fcvt.wu.d, D_SNAN, rne, FCVT_U32_MAX, FF_NV, 122

    /* ---------------- FCVT.L.D */
    CHECK_X_D fcvt.l.d, 0x43dfffffffffffff, rne, 0x7ffffffffffffc00, 0, 123 /* largest below 2^63 */
    CHECK_X_D fcvt.l.d, 0xc3e0000000000000, rne, FCVT_I64_MIN, 0, 124  /* -2^63 exact */
    CHECK_X_D fcvt.l.d, 0x43e0000000000000, rtz, FCVT_I64_MAX, FF_NV, 125 /* 2^63 */
    CHECK_X_D fcvt.l.d, 0xc3e0000000000001, rtz, FCVT_I64_MIN, FF_NV, 126 /* -2^63 - 2048 */
    CHECK_X_D fcvt.l.d, 0x4320000000000001, rne, 0x8000000000000, FF_NX, 127  /* 2^51 + 0.5 */
    CHECK_X_D fcvt.l.d, 0x4320000000000001, rup, 0x8000000000001, FF_NX, 128
    CHECK_X_D fcvt.l.d, 0x4320000000000001, rmm, 0x8000000000001, FF_NX, 129
    CHECK_X_D fcvt.l.d, 0xc320000000000001, rdn, -0x8000000000001, FF_NX, 130 /* -2^51 - 0.5 */
    CHECK_X_D fcvt.l.d, 0xc320000000000001, rtz, -0x8000000000000, FF_NX, 131
    CHECK_X_D fcvt.l.d, 0x4202a05f20000000, rne, 10000000000, 0, 132   /* 1e10 */
    CHECK_X_D fcvt.l.d, D_INF, rne, FCVT_I64_MAX, FF_NV, 133
    CHECK_X_D fcvt.l.d, D_NINF, rne, FCVT_I64_MIN, FF_NV, 134
    CHECK_X_D fcvt.l.d, D_QNAN, rne, FCVT_I64_MAX, FF_NV, 135
    CHECK_X_D fcvt.l.d, 0xfff0000000000001, rne, FCVT_I64_MAX, FF_NV, 136 /* negative sNaN */

    /* ---------------- FCVT.LU.D */
    CHECK_X_D fcvt.lu.d, 0x43efffffffffffff, rne, 0xfffffffffffff800, 0, 137 /* largest below 2^64 */
    CHECK_X_D fcvt.lu.d, 0x43e0000000000000, rne, 0x8000000000000000, 0, 138 /* 2^63 */
    CHECK_X_D fcvt.lu.d, 0x43f0000000000000, rne, FCVT_U64_MAX, FF_NV, 139   /* 2^64 */
    CHECK_X_D fcvt.lu.d, 0x3fd3333333333333, rup, 1, FF_NX, 140        /* 0.3 */
    CHECK_X_D fcvt.lu.d, 0xbfe0000000000000, rtz, 0, FF_NX, 141        /* -0.5 */
    CHECK_X_D fcvt.lu.d, 0xbfe0000000000000, rdn, 0, FF_NV, 142
    CHECK_X_D fcvt.lu.d, D_NONE, rtz, 0, FF_NV, 143
    CHECK_X_D fcvt.lu.d, D_NINF, rne, 0, FF_NV, 144
    CHECK_X_D fcvt.lu.d, D_INF, rne, FCVT_U64_MAX, FF_NV, 145
    CHECK_X_D fcvt.lu.d, D_SNAN, rne, FCVT_U64_MAX, FF_NV, 146
    CHECK_X_D fcvt.lu.d, 0xfff8000000000000, rne, FCVT_U64_MAX, FF_NV, 147 /* negative qNaN */

    /* dynamic rounding mode: frm */
    FP_SET_FRM FRM_RUP
    CHECK_X_S fcvt.w.s, 0x3fc00000, dyn, 2, FF_NX, 148
    CHECK_X_D fcvt.l.d, 0xbff8000000000000, dyn, -1, FF_NX, 149
    FP_SET_FRM FRM_RDN
    CHECK_X_S fcvt.wu.s, 0xbf000000, dyn, 0, FF_NV, 150
    CHECK_X_D fcvt.w.d, 0x3ff8000000000000, dyn, 1, FF_NX, 151
    FP_SET_FRM FRM_RNE

    /* ================================================================ integer -> float */

    /* ---------------- FCVT.S.W: 2^24 + 1 is a tie between 2^24 and 2^24 + 2 */
    CHECK_S_X fcvt.s.w, 0x1000001, rne, 0x4b800000, FF_NX, 152
    CHECK_S_X fcvt.s.w, 0x1000001, rtz, 0x4b800000, FF_NX, 153
    CHECK_S_X fcvt.s.w, 0x1000001, rdn, 0x4b800000, FF_NX, 154
    CHECK_S_X fcvt.s.w, 0x1000001, rup, 0x4b800001, FF_NX, 155
    CHECK_S_X fcvt.s.w, 0x1000001, rmm, 0x4b800001, FF_NX, 156
    CHECK_S_X fcvt.s.w, -0x1000001, rne, 0xcb800000, FF_NX, 157
    CHECK_S_X fcvt.s.w, -0x1000001, rtz, 0xcb800000, FF_NX, 158
    CHECK_S_X fcvt.s.w, -0x1000001, rdn, 0xcb800001, FF_NX, 159
    CHECK_S_X fcvt.s.w, -0x1000001, rup, 0xcb800000, FF_NX, 160
    CHECK_S_X fcvt.s.w, -0x1000001, rmm, 0xcb800001, FF_NX, 161
    CHECK_S_X fcvt.s.w, 0x7fffffff, rne, 0x4f000000, FF_NX, 162
    CHECK_S_X fcvt.s.w, 0x7fffffff, rtz, 0x4effffff, FF_NX, 163
    CHECK_S_X fcvt.s.w, 0xffffffff80000000, rne, 0xcf000000, 0, 164   /* -2^31 exact */
    CHECK_S_X fcvt.s.w, 0, rne, S_PZERO, 0, 165                       /* +0, never -0 */
    CHECK_S_X fcvt.s.w, -1, rne, S_NONE, 0, 166
    /* only the low 32 bits of rs1 are the operand */
    CHECK_S_X fcvt.s.w, 0x1234567800000005, rne, 0x40a00000, 0, 167   /* 5.0 */
    CHECK_S_X fcvt.s.w, 0x00000000ffffffff, rne, S_NONE, 0, 168       /* -1.0 */
    CHECK_S_X fcvt.s.w, 0x0000000080000000, rne, 0xcf000000, 0, 169   /* -2^31 */

    /* ---------------- FCVT.S.WU */
    CHECK_S_X fcvt.s.wu, 0xffffffff, rne, 0x4f800000, FF_NX, 170      /* 2^32 - 1 */
    CHECK_S_X fcvt.s.wu, 0xffffffff, rtz, 0x4f7fffff, FF_NX, 171
    CHECK_S_X fcvt.s.wu, 0xffffffff, rup, 0x4f800000, FF_NX, 172
    CHECK_S_X fcvt.s.wu, 0x80000000, rne, 0x4f000000, 0, 173           /* 2^31 exact */
    CHECK_S_X fcvt.s.wu, 0xffffffff00000001, rne, S_ONE, 0, 174        /* upper half ignored */
    CHECK_S_X fcvt.s.wu, 0xffffffffffffffff, rdn, 0x4f7fffff, FF_NX, 175

    /* ---------------- FCVT.S.L: 2^40 + 2^16 is a tie between 2^40 and 2^40 + 2^17 */
    CHECK_S_X fcvt.s.l, 0x10000010000, rne, 0x53800000, FF_NX, 176
    CHECK_S_X fcvt.s.l, 0x10000010000, rup, 0x53800001, FF_NX, 177
    CHECK_S_X fcvt.s.l, 0x10000010000, rmm, 0x53800001, FF_NX, 178
    CHECK_S_X fcvt.s.l, 0x10000010001, rne, 0x53800001, FF_NX, 179     /* just above the tie */
    CHECK_S_X fcvt.s.l, 0x10000010001, rtz, 0x53800000, FF_NX, 180
    CHECK_S_X fcvt.s.l, -0x10000010000, rdn, 0xd3800001, FF_NX, 181
    CHECK_S_X fcvt.s.l, -0x10000010000, rne, 0xd3800000, FF_NX, 182
    CHECK_S_X fcvt.s.l, -0x10000010000, rup, 0xd3800000, FF_NX, 183
    CHECK_S_X fcvt.s.l, 0x7fffffffffffffff, rne, 0x5f000000, FF_NX, 184
    CHECK_S_X fcvt.s.l, 0x7fffffffffffffff, rtz, 0x5effffff, FF_NX, 185
    CHECK_S_X fcvt.s.l, 0x8000000000000000, rne, 0xdf000000, 0, 186   /* -2^63 exact */
    CHECK_S_X fcvt.s.l, 0x8000000000000001, rup, 0xdeffffff, FF_NX, 187
    CHECK_S_X fcvt.s.l, 0x100000000, rne, 0x4f800000, 0, 188           /* 2^32: all 64 bits read */

    /* ---------------- FCVT.S.LU */
    CHECK_S_X fcvt.s.lu, 0xffffffffffffffff, rne, 0x5f800000, FF_NX, 189
    CHECK_S_X fcvt.s.lu, 0xffffffffffffffff, rtz, 0x5f7fffff, FF_NX, 190
    CHECK_S_X fcvt.s.lu, 0xffffffffffffffff, rdn, 0x5f7fffff, FF_NX, 191
    CHECK_S_X fcvt.s.lu, 0xffffffffffffffff, rup, 0x5f800000, FF_NX, 192
    CHECK_S_X fcvt.s.lu, 0x8000000000000000, rne, 0x5f000000, 0, 193   /* 2^63 exact */
    CHECK_S_X fcvt.s.lu, 0x10000010000, rmm, 0x53800001, FF_NX, 194

    /* ---------------- FCVT.D.W / FCVT.D.WU: exact whatever rm says */
    CHECK_D_X fcvt.d.w, 0x80000000, rtz, 0xc1e0000000000000, 0, 195   /* low 32 bits: -2^31 */
    CHECK_D_X fcvt.d.w, 0x7fffffff, rdn, 0x41dfffffffc00000, 0, 196
    CHECK_D_X fcvt.d.w, 0xfedcba98ffffffff, rne, D_NONE, 0, 197       /* -1 */
    CHECK_D_X fcvt.d.w, 0, rne, D_PZERO, 0, 198
    CHECK_D_X fcvt.d.wu, 0xffffffff, rup, 0x41efffffffe00000, 0, 199
    CHECK_D_X fcvt.d.wu, 0xffffffff80000000, rne, 0x41e0000000000000, 0, 200 /* 2^31 */

    /* ---------------- FCVT.D.L: 2^53 + 1 is a tie between 2^53 and 2^53 + 2 */
    CHECK_D_X fcvt.d.l, 0x20000000000001, rne, 0x4340000000000000, FF_NX, 201
    CHECK_D_X fcvt.d.l, 0x20000000000001, rtz, 0x4340000000000000, FF_NX, 202
    CHECK_D_X fcvt.d.l, 0x20000000000001, rup, 0x4340000000000001, FF_NX, 203
    CHECK_D_X fcvt.d.l, 0x20000000000001, rmm, 0x4340000000000001, FF_NX, 204
    CHECK_D_X fcvt.d.l, 0x20000000000003, rne, 0x4340000000000002, FF_NX, 205 /* tie, odd below */
    CHECK_D_X fcvt.d.l, -0x20000000000001, rdn, 0xc340000000000001, FF_NX, 206
    CHECK_D_X fcvt.d.l, -0x20000000000001, rup, 0xc340000000000000, FF_NX, 207
    CHECK_D_X fcvt.d.l, 0x7fffffffffffffff, rne, 0x43e0000000000000, FF_NX, 208
    CHECK_D_X fcvt.d.l, 0x7fffffffffffffff, rtz, 0x43dfffffffffffff, FF_NX, 209
    CHECK_D_X fcvt.d.l, 0x8000000000000000, rne, 0xc3e0000000000000, 0, 210
    CHECK_D_X fcvt.d.l, 0x1fffffffffffff, rne, 0x433fffffffffffff, 0, 211  /* 2^53 - 1 exact */

    /* ---------------- FCVT.D.LU */
    CHECK_D_X fcvt.d.lu, 0xffffffffffffffff, rne, 0x43f0000000000000, FF_NX, 212
    CHECK_D_X fcvt.d.lu, 0xffffffffffffffff, rtz, 0x43efffffffffffff, FF_NX, 213
    CHECK_D_X fcvt.d.lu, 0x8000000000000000, rne, 0x43e0000000000000, 0, 214
    CHECK_D_X fcvt.d.lu, 0x8000000000000400, rne, 0x43e0000000000000, FF_NX, 215 /* tie to even */
    CHECK_D_X fcvt.d.lu, 0x8000000000000400, rmm, 0x43e0000000000001, FF_NX, 216

    /* FCVT.S.W rd, x0 gives +0 without flags, in every mode (F "Conversion and Move") */
    csrwi fflags, 0
    fcvt.s.w ft3, x0, rdn
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0xffffffff00000000, 217
    fcvt.d.l ft3, x0, rdn
    fmv.x.d a4, ft3
    CHECK_EQ a4, 0, 218
    csrr a5, fflags
    CHECK_EQ a5, 0, 219

    /* ---------------- the rm field of conversions. A reserved static rm (101, 110) or
     * rm = DYN with a reserved frm (101..111) is reserved behaviour (F "Floating-Point Control
     * and Status Register"); these programs require the illegal-instruction exception, as
     * QEMU does. The field is decoded "as usual" also where the result cannot depend on it
     * (FCVT.D.W/WU, FCVT.D.S) */
    CHECK_ILLEGAL 220, FP_R(0x60, 0, 0, 5, 14)      /* fcvt.w.s a4, f0, rm = 101 */
    CHECK_ILLEGAL 221, FP_R(0x61, 3, 0, 6, 14)      /* fcvt.lu.d a4, f0, rm = 110 */
    CHECK_ILLEGAL 222, FP_R(0x68, 2, 11, 5, 3)      /* fcvt.s.l f3, a1, rm = 101 */
    CHECK_ILLEGAL 223, FP_R(0x69, 0, 11, 5, 3)      /* fcvt.d.w f3, a1, rm = 101 */
    CHECK_ILLEGAL 224, FP_R(0x69, 1, 11, 6, 3)      /* fcvt.d.wu f3, a1, rm = 110 */
    CHECK_ILLEGAL 225, FP_R(0x20, 1, 0, 5, 3)       /* fcvt.s.d f3, f0, rm = 101 */
    FP_SET_FRM 5
    CHECK_ILLEGAL 226, fcvt.w.s a4, ft0, dyn
    CHECK_ILLEGAL 227, fcvt.s.lu ft3, a1, dyn
    FP_SET_FRM 6
    CHECK_ILLEGAL 228, fcvt.d.w ft3, a1, dyn
    CHECK_ILLEGAL 229, fcvt.l.d a4, ft0, dyn
    FP_SET_FRM 7
    CHECK_ILLEGAL 230, fcvt.d.wu ft3, a1, dyn
    CHECK_ILLEGAL 231, fcvt.s.d ft3, ft0, dyn
    csrr a5, fflags
    CHECK_EQ a5, 0, 232
    FP_SET_FRM FRM_RNE
    /* the same encodings with a valid rm are legal */
    CHECK_X_S fcvt.w.s, S_TWO, rne, 2, 0, 233
    CHECK_D_X fcvt.d.wu, 3, rdn, 0x4008000000000000, 0, 234

    PASS
