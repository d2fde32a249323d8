/*
 * h-runtime: the H runtime itself (include/h.h) and the mode transitions it relies
 * on: TO_VS / TO_VU / TO_HS / HS_TO_VS / HS_TO_VU / VS_TO_VU, TO_M from every mode
 * directly and through the HS and VS handlers, traps taken in M / HS / VS with the
 * mode recorded by mstatus.MPV+MPP, hstatus.SPV+SPVP and vsstatus.SPP
 * (hypervisor.adoc "Trap Entry", "Trap Return").
 */
#include "h.h"

TEST_BEGIN h-runtime

    /* ---------------- M -> VS, ebreak to M: MPV = 1, MPP = S */
    TO_VS
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 1
    CHECK_MASK s7, MSTATUS_MPV | MSTATUS_MPP, MSTATUS_MPV | MSTATUS_MPP_S, 2
    CHECK_TVAL2 0, 3
    /* still in VS: an ecall now is cause 10 */
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_VS_ECALL, 4
    TO_M
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MPV, 0, 5

    /* ---------------- M -> VU: ecall is cause 8, MPP = U, MPV = 1 */
    TO_VU
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_USER_ECALL, 6
    CHECK_MASK s7, MSTATUS_MPV | MSTATUS_MPP, MSTATUS_MPV, 7
    TO_M

    /* ---------------- M -> HS: ecall is cause 9, MPV = 0 */
    TO_HS
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 8
    CHECK_MASK s7, MSTATUS_MPV | MSTATUS_MPP, MSTATUS_MPP_S, 9
    /* HS -> VS -> ebreak delegated to HS: SPV = 1, SPVP = 1, SPP = 1 */
    TO_M
    li t0, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_USER_ECALL) | (1 << CAUSE_VS_ECALL)
    csrw medeleg, t0
    TO_HS
    HS_TO_VS
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 1, CAUSE_BREAKPOINT, 10
    CHECK_MASK s7, MSTATUS_SPP, MSTATUS_SPP, 11
    CHECK_HSTATUS_MASK HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV | HSTATUS_SPVP, 12
    /* the handler's sret went back to VS: TO_M through the HS handler (cause 10 forwarded) */
    TO_M
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MPV, 0, 13
    /* HS -> VU, ebreak to HS: SPV = 1, SPVP = 0, SPP = 0 */
    TO_HS
    HS_TO_VU
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 1, CAUSE_BREAKPOINT, 14
    CHECK_MASK s7, MSTATUS_SPP, 0, 15
    CHECK_HSTATUS_MASK HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV, 16
    TO_M                            /* VU ecall, forwarded by HS */
    /* HS -> U with S_TO_U after SPV was left 1: still U (V = 0) */
    TO_HS
    S_TO_U
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 1, CAUSE_BREAKPOINT, 17
    CHECK_HSTATUS_MASK HSTATUS_SPV, 0, 18
    TO_M

    /* ---------------- further delegation to VS: hedeleg */
    li t0, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_USER_ECALL)
    csrw CSR_HEDELEG, t0
    TO_VS
    EXPECT_TRAP 1f
brk_vs:
    ebreak
1:  CHECK_TRAP 5, CAUSE_BREAKPOINT, 19
    CHECK_ADDR s9, brk_vs, 20
    CHECK_MASK s7, MSTATUS_SPP, MSTATUS_SPP, 21
    CHECK_TVAL2 0, 22
    csrr a1, scause                 /* vscause */
    CHECK_EQ a1, CAUSE_BREAKPOINT, 23
    VS_TO_VU
    EXPECT_TRAP 1f
brk_vu:
    ebreak
1:  CHECK_TRAP 5, CAUSE_BREAKPOINT, 24
    CHECK_ADDR s9, brk_vu, 25
    CHECK_MASK s7, MSTATUS_SPP, 0, 26
    /* VU ecall delegated to VS: TO_M forwarded by VS (cause 10) then HS (medeleg[10]) */
    TO_M
    csrr a1, CSR_VSCAUSE
    CHECK_EQ a1, CAUSE_USER_ECALL, 27
    csrr a1, scause                 /* HS saw the VS ecall */
    CHECK_EQ a1, CAUSE_VS_ECALL, 28
    csrr a1, mcause                 /* and M the HS one */
    CHECK_EQ a1, CAUSE_SUPERVISOR_ECALL, 29
    /* without medeleg[10]: VS ecall straight to M */
    li t0, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_USER_ECALL)
    csrw medeleg, t0
    TO_VU
    TO_M
    csrr a1, mcause
    CHECK_EQ a1, CAUSE_VS_ECALL, 30
    /* PASS from VU through VS */
    TO_VU
    PASS
