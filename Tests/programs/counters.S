/*
 * counters: cycle / time / instret access from S and U gated by mcounteren and
 * scounteren, mcountinhibit, and exact instruction counting.
 */
#include "test.h"

#define CTR_CY  1
#define CTR_TM  2
#define CTR_IR  4

/* the three counters are readable in the current mode */
.macro T_READ_ALL n
    rdcycle a1
    rdtime a1
    rdinstret a1
    CHECK_EQ x0, 0, \n
.endm

TEST_BEGIN counters

    /* ---------------- mcounteren = 0: S and U cannot read any counter */
    csrw mcounteren, zero
    csrw scounteren, zero
    TO_S
    CHECK_ILLEGAL 1, rdcycle a1
    CHECK_ILLEGAL 2, rdtime a1
    CHECK_ILLEGAL 3, rdinstret a1
    S_TO_U
    CHECK_ILLEGAL 4, rdcycle a1
    CHECK_ILLEGAL 5, rdtime a1
    CHECK_ILLEGAL 6, rdinstret a1
    TO_M

    /* ---------------- mcounteren = all, scounteren = 0: S reads, U does not */
    li t0, CTR_CY | CTR_TM | CTR_IR
    csrw mcounteren, t0
    TO_S
    T_READ_ALL 7
    rdcycle a1                      /* the values move */
    li t0, 100
1:  addi t0, t0, -1
    bnez t0, 1b
    rdcycle a2
    CHECK_LTU a1, a2, 8
    rdinstret a1
    rdinstret a2
    CHECK_LTU a1, a2, 9
    S_TO_U
    CHECK_ILLEGAL 10, rdcycle a1
    CHECK_ILLEGAL 11, rdtime a1
    CHECK_ILLEGAL 12, rdinstret a1
    TO_M

    /* ---------------- both enabled: U reads */
    li t0, CTR_CY | CTR_TM | CTR_IR
    csrw scounteren, t0
    TO_U
    T_READ_ALL 13
    li t0, CLINT_MTIME              /* time agrees with mtime, from U */
    ld a1, 0(t0)
    rdtime a2
    ld a3, 0(t0)
    bltu a2, a1, 2f                 /* mtime before <= time <= mtime after */
    bgeu a3, a2, 3f
2:  FAIL_N 14
3:
    TO_M

    /* ---------------- scounteren alone is not enough for U */
    csrw mcounteren, zero
    TO_U
    CHECK_ILLEGAL 15, rdcycle a1
    CHECK_ILLEGAL 16, rdinstret a1
    TO_M

    /* ---------------- per-counter bits */
    li t0, CTR_CY
    csrw mcounteren, t0
    li t0, CTR_TM | CTR_IR
    csrw scounteren, t0
    TO_S
    rdcycle a1
    CHECK_ILLEGAL 17, rdtime a1
    CHECK_ILLEGAL 18, rdinstret a1
    S_TO_U
    CHECK_ILLEGAL 19, rdcycle a1     /* scounteren.CY = 0 */
    CHECK_ILLEGAL 20, rdtime a1      /* mcounteren.TM = 0 */
    TO_M
    li t0, CTR_TM
    csrw mcounteren, t0
    TO_S
    rdtime a1
    CHECK_ILLEGAL 21, rdcycle a1
    S_TO_U
    rdtime a1                       /* TM in both */
    CHECK_ILLEGAL 22, rdinstret a1
    TO_M
    li t0, CTR_IR
    csrw mcounteren, t0
    csrw scounteren, t0
    TO_U
    rdinstret a1
    CHECK_ILLEGAL 23, rdcycle a1
    CHECK_ILLEGAL 24, rdtime a1
    TO_M

    /* M reads everything regardless of the enables */
    csrw mcounteren, zero
    csrw scounteren, zero
    T_READ_ALL 25

    /* ---------------- mcountinhibit stops mcycle and minstret */
    li t0, CTR_CY | CTR_IR
    csrw CSR_MCOUNTINHIBIT, t0
    csrr a1, mcycle
    csrr a2, minstret
    li t0, 200
1:  addi t0, t0, -1
    bnez t0, 1b
    csrr a3, mcycle
    csrr a4, minstret
    CHECK_REG a1, a3, 26
    CHECK_REG a2, a4, 27
    li t0, 12345                    /* writes still work and hold */
    csrw mcycle, t0
    csrw minstret, t0
    nop
    csrr a3, mcycle
    csrr a4, minstret
    CHECK_EQ a3, 12345, 28
    CHECK_EQ a4, 12345, 29
    /* only CY inhibited: minstret moves, mcycle does not */
    li t0, CTR_CY
    csrw CSR_MCOUNTINHIBIT, t0
    csrr a1, mcycle
    csrr a2, minstret
    nop
    nop
    csrr a3, mcycle
    csrr a4, minstret
    CHECK_REG a1, a3, 30
    CHECK_LTU a2, a4, 31
    csrw CSR_MCOUNTINHIBIT, zero
    csrr a1, mcycle
    nop
    csrr a2, mcycle
    CHECK_LTU a1, a2, 32

#ifdef SPEC_STRICT
    /* ---------------- instret counts exactly (QEMU 7.2 without -icount counts
     * host time instead) */
    csrr a1, minstret
    .rept 10
    nop
    .endr
    csrr a2, minstret
    sub a3, a2, a1
    CHECK_EQ a3, 11, 33              /* the first csrr and ten nops */
    csrr a1, minstret
    addi t0, zero, 5                /* 5 loop rounds of 2 instructions + 1 li */
1:  addi t0, t0, -1
    bnez t0, 1b
    csrr a2, minstret
    sub a3, a2, a1
    CHECK_EQ a3, 12, 34
    li t0, 1000                     /* a write takes effect after the writer */
    csrw minstret, t0
    csrr a1, minstret
    CHECK_EQ a1, 1000, 35
    csrw minstret, t0
    nop
    nop
    csrr a1, minstret
    CHECK_EQ a1, 1002, 36
    li t0, CTR_IR
    csrw mcounteren, t0
    csrw scounteren, t0
    TO_U
    rdinstret a1
    .rept 7
    nop
    .endr
    rdinstret a2
    sub a3, a2, a1
    CHECK_EQ a3, 8, 37
    TO_M
#endif

    PASS
