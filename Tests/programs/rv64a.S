/*
 * rv64a: LR/SC and every AMO in .w and .d form (M-mode, satp = Bare).
 * Misaligned AMOs raise store/AMO address-misaligned (6), misaligned LR raises
 * load address-misaligned (4); mtval holds the address.
 */
#include "test.h"

/* amo: mem <- init; rd <- amo(mem, src); check rd == old and mem == new */
.macro T_AMOD op, init, src, old, new, n
    la a1, amo_d
    li a2, \init
    sd a2, 0(a1)
    li a2, \src
    \op a3, a2, (a1)
    CHECK_EQ a3, \old, \n
    ld a4, 0(a1)
    CHECK_EQ a4, \new, \n
.endm

/* word AMO on the low word of a dword whose high word is a canary */
.macro T_AMOW op, init, src, old, new, n
    la a1, amo_d
    li a2, (0xC0FFEE00 << 32) | ((\init) & 0xFFFFFFFF)
    sd a2, 0(a1)
    li a2, \src
    \op a3, a2, (a1)
    CHECK_EQ a3, \old, \n
    lwu a4, 0(a1)
    CHECK_EQ a4, (\new) & 0xFFFFFFFF, \n
    lwu a4, 4(a1)
    CHECK_EQ a4, 0xC0FFEE00, \n
.endm

TEST_BEGIN rv64a

    /* ---------------- SC without any reservation fails and does not store */
    la a1, lr_d
    li a2, 0x1111
    sd a2, 0(a1)
    li a3, 0x2222
    sc.d a4, a3, (a1)
    CHECK_EQ a4, 1, 1
    ld a5, 0(a1)
    CHECK_EQ a5, 0x1111, 2

    /* ---------------- LR.D / SC.D success */
    li a2, 0x8000000012345678
    sd a2, 0(a1)
    lr.d a4, (a1)
    CHECK_EQ a4, 0x8000000012345678, 3
    li a3, 0xFEDCBA9876543210
    sc.d a5, a3, (a1)
    CHECK_EQ a5, 0, 4
    ld a4, 0(a1)
    CHECK_EQ a4, 0xFEDCBA9876543210, 5

    /* ---------------- SC after another SC fails (the reservation is consumed) */
    li a3, 0x5555
    sc.d a5, a3, (a1)
    CHECK_EQ a5, 1, 6
    ld a4, 0(a1)
    CHECK_EQ a4, 0xFEDCBA9876543210, 7

    /* ---------------- SC to an address far from the reservation fails */
    lr.d a4, (a1)
    la a2, far_d
    li a3, 0x7777
    sd zero, 0(a2)
    sc.d a5, a3, (a2)
    CHECK_EQ a5, 1, 8
    ld a4, 0(a2)
    CHECK_EQ a4, 0, 9
    sc.d a5, a3, (a1)           /* the failed SC cleared the reservation too */
    CHECK_EQ a5, 1, 10

    /* ---------------- LR.W sign-extends, SC.W stores 32 bits */
    la a1, lr_d
    li a2, 0x1234567880000001
    sd a2, 0(a1)
    lr.w a4, (a1)
    CHECK_EQ a4, 0xFFFFFFFF80000001, 11
    li a3, 0xAAAAAAAA7FFFFFFF
    sc.w a5, a3, (a1)
    CHECK_EQ a5, 0, 12
    ld a4, 0(a1)
    CHECK_EQ a4, 0x123456787FFFFFFF, 13
    addi a2, a1, 4
    lr.w a4, (a2)               /* upper word of the dword */
    CHECK_EQ a4, 0x12345678, 14
    li a3, 0x8BADF00D
    sc.w a5, a3, (a2)
    CHECK_EQ a5, 0, 15
    ld a4, 0(a1)
    CHECK_EQ a4, 0x8BADF00D7FFFFFFF, 16
    lr.w.aqrl a4, (a1)
    sc.w.aqrl a5, zero, (a1)
    CHECK_EQ a5, 0, 17
    ld a4, 0(a1)
    CHECK_EQ a4, 0x8BADF00D00000000, 18
    /* LR/SC loop increments */
    la a1, lr_d
    sd zero, 0(a1)
    li a2, 3
1:  lr.d a4, (a1)
    addi a4, a4, 5
    sc.d a5, a4, (a1)
    bnez a5, 1b
    addi a2, a2, -1
    bnez a2, 1b
    ld a4, 0(a1)
    CHECK_EQ a4, 15, 19

    /* ---------------- AMO .d */
    T_AMOD amoswap.d, 0x1111111111111111, 0x2222222222222222, 0x1111111111111111, 0x2222222222222222, 20
    T_AMOD amoadd.d,  0x7FFFFFFFFFFFFFFF, 1, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 21
    T_AMOD amoxor.d,  0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xFF00FF00FF00FF00, 0xF0F0F0F0F0F0F0F0, 22
    T_AMOD amoand.d,  0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xFF00FF00FF00FF00, 0x0F000F000F000F00, 23
    T_AMOD amoor.d,   0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xFF00FF00FF00FF00, 0xFFF0FFF0FFF0FFF0, 24
    T_AMOD amomin.d,  -1, 0, -1, -1, 25
    T_AMOD amomin.d,  5, 0x8000000000000000, 5, 0x8000000000000000, 26
    T_AMOD amomax.d,  -1, 0, -1, 0, 27
    T_AMOD amomax.d,  0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 28
    T_AMOD amominu.d, -1, 0, -1, 0, 29
    T_AMOD amominu.d, 3, 7, 3, 3, 30
    T_AMOD amomaxu.d, -1, 0, -1, -1, 31
    T_AMOD amomaxu.d, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 32
    T_AMOD amoadd.d.aqrl, 40, 2, 40, 42, 33

    /* ---------------- AMO .w: 32-bit op, old value sign-extended, high word untouched */
    T_AMOW amoswap.w, 0x80000000, 0x123456789, 0xFFFFFFFF80000000, 0x23456789, 34
    T_AMOW amoadd.w,  0x7FFFFFFF, 1, 0x7FFFFFFF, 0x80000000, 35
    T_AMOW amoadd.w,  0xFFFFFFFF, 0xFFFFFFFF00000001, -1, 0, 36
    T_AMOW amoxor.w,  0xF0F0F0F0, 0xFFFFFFFF, 0xFFFFFFFFF0F0F0F0, 0x0F0F0F0F, 37
    T_AMOW amoand.w,  0xF0F0F0F0, 0x3C3C3C3C, 0xFFFFFFFFF0F0F0F0, 0x30303030, 38
    T_AMOW amoor.w,   0x0000F0F0, 0x3C3C0000, 0xF0F0, 0x3C3CF0F0, 39
    T_AMOW amomin.w,  0x80000000, 1, 0xFFFFFFFF80000000, 0x80000000, 40
    T_AMOW amomin.w,  1, 0x00000000FFFFFFFF, 1, 0xFFFFFFFF, 41
    T_AMOW amomax.w,  0x80000000, 1, 0xFFFFFFFF80000000, 1, 42
    T_AMOW amomax.w,  0x7FFFFFFF, 0x100000000, 0x7FFFFFFF, 0x7FFFFFFF, 43
    T_AMOW amominu.w, 0x80000000, 1, 0xFFFFFFFF80000000, 1, 44
    T_AMOW amominu.w, 5, 0xFFFFFFFF00000003, 5, 3, 45
    T_AMOW amomaxu.w, 0x80000000, 1, 0xFFFFFFFF80000000, 0x80000000, 46
    T_AMOW amomaxu.w, 0x7FFFFFFF, 0x80000000, 0x7FFFFFFF, 0x80000000, 47
    T_AMOW amoor.w.aq, 1, 2, 1, 3, 48
    T_AMOW amoand.w.rl, 7, 5, 7, 5, 49

    /* ---------------- AMOs with rd = x0 still update memory */
    la a1, amo_d
    li a2, 100
    sd a2, 0(a1)
    li a3, 23
    amoadd.d x0, a3, (a1)
    ld a4, 0(a1)
    CHECK_EQ a4, 123, 50
    CHECK_EQ x0, 0, 51
    li a3, 0x55
    amoswap.w x0, a3, (a1)
    ld a4, 0(a1)
    CHECK_EQ a4, 0x55, 52
    /* rd == rs2 */
    li a3, 0x66
    amoswap.d a3, a3, (a1)
    CHECK_EQ a3, 0x55, 53
    ld a4, 0(a1)
    CHECK_EQ a4, 0x66, 54

    /* ---------------- misaligned AMO / LR / SC: address-misaligned exceptions.
     * The spec gives AMOs and SC the store/AMO cause (6); QEMU 7.2 reports cause 4
     * for misaligned AMOs and does not trap on a misaligned SC without a
     * reservation, so those checks are built only with SPEC_STRICT. */
    la a1, amo_d
    li a2, 0x0102030405060708
    sd a2, 0(a1)
    addi a1, a1, 2
    li a3, 0xFFFF
    EXPECT_TRAP 1f
amo_mis1:
    amoadd.w a4, a3, (a1)
1:  CHECK_EQ s6, 3, 55
#ifdef SPEC_STRICT
    CHECK_EQ s8, CAUSE_MISALIGNED_STORE, 56
#endif
    CHECK_REG s10, a1, 57
    CHECK_ADDR s9, amo_mis1, 58
    la a1, amo_d
    addi a1, a1, 4
    EXPECT_TRAP 1f
    amoswap.d a4, a3, (a1)
1:  CHECK_EQ s6, 3, 59
#ifdef SPEC_STRICT
    CHECK_EQ s8, CAUSE_MISALIGNED_STORE, 60
#endif
    CHECK_REG s10, a1, 61
    la a1, amo_d + 1
    EXPECT_TRAP 1f
    amomaxu.d a4, a3, (a1)
1:  CHECK_EQ s6, 3, 62
#ifdef SPEC_STRICT
    CHECK_EQ s8, CAUSE_MISALIGNED_STORE, 63
#endif
    CHECK_REG s10, a1, 64
    la a1, amo_d + 2
    EXPECT_TRAP 1f
lr_mis1:
    lr.w a4, (a1)
1:  CHECK_TRAP 3, CAUSE_MISALIGNED_LOAD, 65
    CHECK_REG s10, a1, 66
    CHECK_ADDR s9, lr_mis1, 67
    la a1, amo_d + 4
    EXPECT_TRAP 1f
    lr.d a4, (a1)
1:  CHECK_TRAP 3, CAUSE_MISALIGNED_LOAD, 68
    CHECK_REG s10, a1, 69
#ifdef SPEC_STRICT
    la a1, amo_d + 2
    EXPECT_TRAP 1f
    sc.w a4, a3, (a1)
1:  CHECK_TRAP 3, CAUSE_MISALIGNED_STORE, 70
    CHECK_REG s10, a1, 71
#endif
    /* memory untouched by the faulting AMOs */
    la a1, amo_d
    ld a4, 0(a1)
    CHECK_EQ a4, 0x0102030405060708, 72

    PASS

    .data
    .align 4
lr_d:   .dword 0
amo_d:  .dword 0
    .space 0x10000
far_d:  .dword 0
