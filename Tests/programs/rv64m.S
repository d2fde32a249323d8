/*
 * rv64m: multiply and divide, including the W forms, division by zero and
 * signed overflow (results fixed by the spec, no trap).
 */
#include "test.h"

.macro T_RR op, a, b, exp, n
    li a1, \a
    li a2, \b
    \op a3, a1, a2
    CHECK_EQ a3, \exp, \n
.endm

#define INT64_MIN 0x8000000000000000
#define INT64_MAX 0x7FFFFFFFFFFFFFFF

TEST_BEGIN rv64m

    /* ---------------- MUL (low 64 bits) */
    T_RR mul, 3, 7, 21, 1
    T_RR mul, -1, -1, 1, 2
    T_RR mul, INT64_MAX, 2, 0xFFFFFFFFFFFFFFFE, 3
    T_RR mul, 0x100000000, 0x100000000, 0, 4
    T_RR mul, -3, 5, -15, 5
    T_RR mul, 0x123456789, 0, 0, 6

    /* ---------------- MULH (signed x signed, high) */
    T_RR mulh, -1, -1, 0, 7
    T_RR mulh, INT64_MIN, INT64_MIN, 0x4000000000000000, 8
    T_RR mulh, INT64_MIN, INT64_MAX, 0xC000000000000000, 9
    T_RR mulh, -1, 1, -1, 10
    T_RR mulh, 2, 3, 0, 11
    T_RR mulh, INT64_MAX, INT64_MAX, 0x3FFFFFFFFFFFFFFF, 12

    /* ---------------- MULHU (unsigned x unsigned, high) */
    T_RR mulhu, -1, -1, 0xFFFFFFFFFFFFFFFE, 13
    T_RR mulhu, INT64_MIN, 2, 1, 14
    T_RR mulhu, 0x100000000, 0x100000000, 1, 15
    T_RR mulhu, 5, 7, 0, 16

    /* ---------------- MULHSU (signed rs1 x unsigned rs2, high) */
    T_RR mulhsu, -1, -1, -1, 17
    T_RR mulhsu, 1, -1, 0, 18
    T_RR mulhsu, INT64_MIN, 2, -1, 19
    T_RR mulhsu, -2, INT64_MIN, -1, 20
    T_RR mulhsu, 2, INT64_MIN, 1, 21
    T_RR mulhsu, INT64_MIN, -1, INT64_MIN, 22

    /* ---------------- MULW */
    T_RR mulw, 0x7FFFFFFF, 2, -2, 23
    T_RR mulw, 0x10000, 0x10000, 0, 24
    T_RR mulw, 0xFFFFFFFF00000003, 5, 15, 25
    T_RR mulw, 0x8000, 0x10000, 0xFFFFFFFF80000000, 26
    T_RR mulw, -1, -1, 1, 27

    /* ---------------- DIV (signed, rounds toward zero) */
    T_RR div, 20, 6, 3, 28
    T_RR div, -20, 6, -3, 29
    T_RR div, 20, -6, -3, 30
    T_RR div, -20, -6, 3, 31
    T_RR div, 1234, 0, -1, 32
    T_RR div, -5, 0, -1, 33
    T_RR div, INT64_MIN, -1, INT64_MIN, 34
    T_RR div, INT64_MIN, 1, INT64_MIN, 35

    /* ---------------- DIVU */
    T_RR divu, 20, 6, 3, 36
    T_RR divu, -1, 2, INT64_MAX, 37
    T_RR divu, 1234, 0, -1, 38
    T_RR divu, INT64_MIN, -1, 0, 39
    T_RR divu, -20, 6, 0x2AAAAAAAAAAAAAA7, 40

    /* ---------------- REM (sign of the dividend) */
    T_RR rem, 20, 6, 2, 41
    T_RR rem, -20, 6, -2, 42
    T_RR rem, 20, -6, 2, 43
    T_RR rem, -20, -6, -2, 44
    T_RR rem, 1234, 0, 1234, 45
    T_RR rem, -7, 0, -7, 46
    T_RR rem, INT64_MIN, -1, 0, 47

    /* ---------------- REMU */
    T_RR remu, 20, 6, 2, 48
    T_RR remu, -1, 10, 5, 49
    T_RR remu, 1234, 0, 1234, 50
    T_RR remu, -7, 0, -7, 51
    T_RR remu, INT64_MIN, -1, INT64_MIN, 52

    /* ---------------- DIVW (32-bit, result sign-extended) */
    T_RR divw, -20, 6, -3, 53
    T_RR divw, 0xFFFFFFFF00000014, 0x1234567800000006, 3, 54
    T_RR divw, 77, 0, -1, 55
    T_RR divw, 0x80000000, -1, 0xFFFFFFFF80000000, 56
    T_RR divw, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFF80000000, 57
    T_RR divw, 0x7FFFFFFF, 0x100000000, -1, 58

    /* ---------------- DIVUW */
    T_RR divuw, 0xFFFFFFFF, 2, 0x7FFFFFFF, 59
    T_RR divuw, 0x80000000, 1, 0xFFFFFFFF80000000, 60
    T_RR divuw, 77, 0, -1, 61
    T_RR divuw, 0x1FFFFFFF6, 0x300000003, 0x55555552, 62

    /* ---------------- REMW */
    T_RR remw, -20, 6, -2, 63
    T_RR remw, 20, -6, 2, 64
    T_RR remw, 0x0000000080000005, 0, 0xFFFFFFFF80000005, 65
    T_RR remw, 0x80000000, -1, 0, 66
    T_RR remw, 0x1234567800000009, 4, 1, 67

    /* ---------------- REMUW */
    T_RR remuw, 0xFFFFFFFF, 10, 5, 68
    T_RR remuw, 0x80000000, 0, 0xFFFFFFFF80000000, 69
    T_RR remuw, 0x100000007, 0x100000002, 1, 70
    T_RR remuw, 0x80000001, 0x80000000, 1, 71

    /* ---------------- destination equal to the sources */
    li a1, 12
    mul a1, a1, a1
    CHECK_EQ a1, 144, 72
    li a1, -9
    div a1, a1, a1
    CHECK_EQ a1, 1, 73
    li a1, 0
    divu a1, a1, a1             /* 0 / 0 */
    CHECK_EQ a1, -1, 74
    li a1, 0
    rem a1, a1, a1              /* 0 % 0 */
    CHECK_EQ a1, 0, 75
    li a1, 5
    mulh x0, a1, a1             /* x0 stays zero */
    CHECK_EQ x0, 0, 76

    PASS
