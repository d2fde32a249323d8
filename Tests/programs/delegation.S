/*
 * delegation: medeleg / mideleg, traps taken in S-mode (scause / sepc / stval,
 * sstatus.SPP / SPIE / SIE), what stays in M, and the sstatus / sie / sip views.
 */
#include "test.h"

#define UNMAPPED 0x800
#define MIE_STD     0xAAA
#define MIE_S_ALL   (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define S_VIEW_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR)
#define M_ONLY (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)

TEST_BEGIN delegation

    /* ---------------- illegal instruction from S delegated to S */
    li t0, (1 << CAUSE_ILLEGAL_INSN) | (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_USER_ECALL) | (1 << CAUSE_STORE_ACCESS)
    csrw medeleg, t0
    li t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc mstatus, t0
    TO_S
    csrsi sstatus, MSTATUS_SIE      /* SIE = 1 (nothing is enabled in sie) */
    EXPECT_TRAP 1f
ill_s:
    .4byte 0xFE000033
1:  CHECK_TRAP 1, CAUSE_ILLEGAL_INSN, 1
    CHECK_ADDR s9, ill_s, 2
    CHECK_EQ s10, 0xFE000033, 3
    CHECK_MASK s7, MSTATUS_SPP, MSTATUS_SPP, 4          /* from S */
    CHECK_MASK s7, MSTATUS_SPIE, MSTATUS_SPIE, 5        /* old SIE */
    CHECK_MASK s7, MSTATUS_SIE, 0, 6
    csrr a1, scause
    CHECK_EQ a1, CAUSE_ILLEGAL_INSN, 7
    csrr a1, stval
    CHECK_EQ a1, 0xFE000033, 8
    csrr a1, sstatus                /* sret restored SIE from SPIE */
    CHECK_MASK a1, MSTATUS_SIE, MSTATUS_SIE, 9
    csrci sstatus, MSTATUS_SIE
    /* load access fault from S delegated: stval = address */
    li a1, UNMAPPED
    EXPECT_TRAP 1f
ld_s:
    ld a2, 0(a1)
1:  CHECK_TRAP 1, CAUSE_LOAD_ACCESS, 10
    CHECK_ADDR s9, ld_s, 11
    CHECK_EQ s10, UNMAPPED, 12
    CHECK_MASK s7, MSTATUS_SIE | MSTATUS_SPIE, 0, 13
    /* breakpoint is not delegated: goes to M */
    EXPECT_TRAP 1f
brk_s:
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 14
    CHECK_ADDR s9, brk_s, 15
    CHECK_MASK s7, MSTATUS_MPP, MSTATUS_MPP_S, 16
    /* ecall from S is not delegated either */
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 17
    /* store access fault from S: delegated, M not involved */
    li a1, UNMAPPED
    EXPECT_TRAP 1f
st_s:
    sw a2, 0(a1)
1:  CHECK_TRAP 1, CAUSE_STORE_ACCESS, 18
    CHECK_ADDR s9, st_s, 19
    CHECK_EQ s10, UNMAPPED, 20

    /* ---------------- traps from U */
    S_TO_U
    li a1, UNMAPPED
    EXPECT_TRAP 1f
ld_u:
    ld a2, 0(a1)
1:  CHECK_TRAP 1, CAUSE_LOAD_ACCESS, 21
    CHECK_ADDR s9, ld_u, 22
    CHECK_MASK s7, MSTATUS_SPP, 0, 23                   /* from U */
    li a7, 0
    EXPECT_TRAP 1f
ecall_u:
    ecall
1:  CHECK_TRAP 1, CAUSE_USER_ECALL, 24
    CHECK_ADDR s9, ecall_u, 25
    CHECK_EQ s10, 0, 26
    CHECK_MASK s7, MSTATUS_SPP, 0, 27
    TO_M                            /* U ecall delegated: forwarded by S */
    csrr a1, mstatus                /* in M again */

    /* ---------------- illegal from U delegated / not delegated */
    li t0, (1 << CAUSE_ILLEGAL_INSN)
    csrw medeleg, t0
    TO_U
    EXPECT_TRAP 1f
ill_u:
    csrr a1, sstatus
1:  CHECK_TRAP 1, CAUSE_ILLEGAL_INSN, 28
    CHECK_ADDR s9, ill_u, 29
    la t0, ill_u
    lwu t0, 0(t0)
    CHECK_REG s10, t0, 30
    TO_M
    csrw medeleg, zero
    TO_U
    CHECK_ILLEGAL 31, csrr a1, sstatus      /* now to M */
    TO_M

    /* ---------------- traps from M are never delegated */
    li t0, -1
    csrw medeleg, t0
    CHECK_ILLEGAL 32, .4byte 0xFE000033
    li a1, UNMAPPED
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_TRAP 3, CAUSE_LOAD_ACCESS, 33
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 34
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_MACHINE_ECALL, 35
    csrw medeleg, zero

    /* ---------------- sstatus is a view of mstatus */
    li t0, M_ONLY
    csrs mstatus, t0                /* MPRV with MPP = M: no effect */
    csrr a1, sstatus
    CHECK_MASK a1, M_ONLY, 0, 36
    csrr a1, sstatus
    srli a2, a1, 32
    andi a2, a2, 3
    CHECK_EQ a2, 2, 37              /* UXL visible */
    srli a2, a1, 34
    andi a2, a2, 3
    CHECK_EQ a2, 0, 38              /* SXL not */
    li t0, S_VIEW_MASK
    csrs sstatus, t0
    csrr a1, mstatus
    CHECK_MASK a1, S_VIEW_MASK, S_VIEW_MASK, 39
    csrr a1, sstatus
    CHECK_MASK a1, S_VIEW_MASK, S_VIEW_MASK, 40
    csrw sstatus, zero              /* clears only the S fields */
    csrr a1, mstatus
    CHECK_MASK a1, S_VIEW_MASK, 0, 41
    CHECK_MASK a1, M_ONLY, M_ONLY, 42
    li t0, M_ONLY
    csrc mstatus, t0
    li t0, MSTATUS_SPP | MSTATUS_SUM
    csrs mstatus, t0
    csrr a1, sstatus
    CHECK_MASK a1, S_VIEW_MASK, MSTATUS_SPP | MSTATUS_SUM, 43
    csrw sstatus, zero

    /* ---------------- sie / sip are views of mie / mip masked by mideleg */
    csrw mideleg, zero
    li t0, MIE_S_ALL
    csrw mie, t0
    csrr a1, sie
    CHECK_MASK a1, MIE_STD, 0, 44   /* nothing delegated: read-only zero */
    csrw sie, zero
    csrr a1, mie
    CHECK_MASK a1, MIE_STD, MIE_S_ALL, 45
    li t0, MIP_SSIP | MIP_STIP
    csrs mip, t0
    csrr a1, sip
    CHECK_MASK a1, MIE_STD, 0, 46
    li t0, MIE_S_ALL
    csrw mideleg, t0
    csrr a1, sie
    CHECK_MASK a1, MIE_STD, MIE_S_ALL, 47
    csrr a1, sip
    CHECK_MASK a1, MIE_STD, MIP_SSIP | MIP_STIP, 48
    li t0, MIP_MTIP | MIP_MSIP | MIP_MEIP
    csrs mie, t0
    csrr a1, sie
    CHECK_MASK a1, MIE_STD, MIE_S_ALL, 49   /* M bits never in sie */
    csrc mie, t0
    li t0, MIP_STIP
    csrc sie, t0
    csrr a1, mie
    CHECK_MASK a1, MIE_STD, MIP_SSIP | MIP_SEIP, 50
    li t0, MIP_SSIP                 /* only SSIP is software-writable in sip */
    csrc sip, t0
    csrr a1, mip
    CHECK_MASK a1, MIP_SSIP, 0, 51
    li t0, MIP_STIP
    csrc sip, t0
    csrr a1, mip
    CHECK_MASK a1, MIP_STIP, MIP_STIP, 52
    /* partial delegation: only SSI */
    li t0, MIP_SSIP
    csrw mideleg, t0
    li t0, MIP_SSIP | MIP_STIP
    csrs mip, t0
    csrr a1, sip
    CHECK_MASK a1, MIE_STD, MIP_SSIP, 53
    csrr a1, sie
    CHECK_MASK a1, MIE_STD, MIP_SSIP, 54
    TO_S
    csrr a1, sip                    /* the same view from S */
    CHECK_MASK a1, MIE_STD, MIP_SSIP, 55
    li t0, MIP_SSIP
    csrc sip, t0
    csrr a1, sip
    CHECK_MASK a1, MIE_STD, 0, 56
    TO_M
    csrr a1, mip
    CHECK_MASK a1, MIP_SSIP | MIP_STIP, MIP_STIP, 57
    csrw mip, zero
    csrw mie, zero
    csrw mideleg, zero

    PASS

