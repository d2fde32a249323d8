/*
 * h-timer: Sstc (sstc.adoc) with the hypervisor extension: stimecmp, vstimecmp,
 * htimedelta, henvcfg.STCE.
 *
 *  - menvcfg.STCE / henvcfg.STCE (henvcfg.STCE read-only zero while
 *    menvcfg.STCE = 0, machine.adoc norm:menvcfg_stce_op2)
 *  - `time` in VS / VU reads time + htimedelta, wrapping at 64 bits
 *    (norm:htimedelta_sz_acc_op); HS reads plain time
 *  - who may access stimecmp / vstimecmp: menvcfg.STCE and mcounteren.TM
 *    (illegal instruction), henvcfg.STCE and hcounteren.TM (virtual instruction
 *    in VS), vstimecmp by its own number from VS (virtual instruction); in VS
 *    `stimecmp` is vstimecmp
 *  - mip.STIP from stimecmp; hip.VSTIP from vstimecmp against time + htimedelta
 *    (norm:hip_vstip_op), read-only, ORed with hvip.VSTIP
 *    (norm:hip_vstip_vstie_acc_op), and back to hvip alone when henvcfg.STCE or
 *    menvcfg.STCE is 0
 *  - the VS timer interrupt taken in VS (hideleg, code 5) and in HS (code 6), the
 *    HS timer interrupt (stimecmp) taken in HS while in VS
 *
 * Time: the CLINT mtime (10 MHz on QEMU and on the board). Nothing asserts an
 * exact time: only orderings and pending bits, with bounded waits.
 */
#include "h.h"

#define STCE            0x8000000000000000
#define CNT_TM          2               /* mcounteren / hcounteren / scounteren.TM */
#define SPIN_LIMIT      2000000
#define DELTA           0x10000000000   /* 2^40 */

/* spin until (csr & mask) == want, failing with n after SPIN_LIMIT rounds */
.macro CHECK_BECOMES csr, mask, want, n
    li a4, SPIN_LIMIT
    li a5, \mask
.Lwait\@:
    csrr a3, \csr
    and a3, a3, a5
    li s11, \want
    beq a3, s11, .Lwait_ok\@
    addi a4, a4, -1
    bnez a4, .Lwait\@
    FAIL_N \n
.Lwait_ok\@:
.endm

/* spin (armed) until the trap comes, failing with n after SPIN_LIMIT rounds */
.macro CHECK_SPIN_TRAP n
    li a4, SPIN_LIMIT
.Lspin\@:
    addi a4, a4, -1
    bnez a4, .Lspin\@
    FAIL_N \n
.endm

.macro SPIN count
    li a4, \count
.Lsp\@:
    addi a4, a4, -1
    bnez a4, .Lsp\@
.endm

/*
 * (VS, armed) wait for the timer interrupt due at time `cmp` (a register, in the
 * time this mode reads): WFI until the trap comes; fail with n once `time` is
 * WAIT_MARGIN past cmp (or after SPIN_LIMIT rounds), so a slow host cannot make
 * it flaky and an instruction-driven board still ends the wait.
 */
#define WAIT_MARGIN     1000000         /* 100 ms */
.macro CHECK_TIMER_TRAP cmp, n
    li a4, SPIN_LIMIT
    li a5, WAIT_MARGIN
    add a5, a5, \cmp
.Lwt\@:
    wfi
    rdtime a3
    bgeu a3, a5, .Lwt_fail\@
    addi a4, a4, -1
    bnez a4, .Lwt\@
.Lwt_fail\@:
    FAIL_N \n
.endm

/* unsigned r1 <= r2 */
.macro CHECK_LEU r1, r2, n
    bgeu \r2, \r1, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

.macro MTIME reg
    li s11, CLINT_MTIME
    ld \reg, 0(s11)
.endm

/* From any mode: run insn expecting a trap into M with cause, epc = insn. */
.macro T_F_TRAP n, cause, insn:vararg
    EXPECT_TRAP .Ltr_r\@
.Ltr_i\@:
    \insn
.Ltr_r\@:
    CHECK_TRAP 3, \cause, \n
    CHECK_ADDR s9, .Ltr_i\@, \n
.endm

TEST_BEGIN h-timer
    li t0, CNT_TM
    csrw mcounteren, t0
    csrw CSR_HCOUNTEREN, t0
    csrw scounteren, t0

    /* ================================================================ enables */
    li t0, STCE
    csrw CSR_MENVCFG, t0
    csrr a1, CSR_MENVCFG
    CHECK_MASK a1, STCE, STCE, 1                    /* Sstc: menvcfg.STCE exists */
    csrw CSR_MENVCFG, zero
    li t0, STCE
    csrw CSR_HENVCFG, t0
#ifdef SPEC_STRICT
    csrr a1, CSR_HENVCFG
    CHECK_MASK a1, STCE, 0, 2                       /* norm:menvcfg_stce_op2; QEMU 7.2: writable */
#endif
    li t0, STCE
    csrw CSR_MENVCFG, t0
    csrw CSR_HENVCFG, t0
    csrr a1, CSR_HENVCFG
    CHECK_MASK a1, STCE, STCE, 3                    /* norm:henvcfg_stce */
    li t0, 0x123456789A
    csrw CSR_STIMECMP, t0
    csrr a1, CSR_STIMECMP
    CHECK_EQ a1, 0x123456789A, 4
    li t0, 0x23456789AB
    csrw CSR_VSTIMECMP, t0
    csrr a1, CSR_VSTIMECMP
    CHECK_EQ a1, 0x23456789AB, 5
    li t0, -12345
    csrw CSR_HTIMEDELTA, t0
    csrr a1, CSR_HTIMEDELTA
    CHECK_EQ a1, -12345, 6

    /* ================================================================ time + htimedelta */
    li t0, DELTA
    csrw CSR_HTIMEDELTA, t0
    MTIME s2
    TO_VS
    rdtime s3
    TO_M
    MTIME s4
    li t0, DELTA
    sub a1, s3, t0
    CHECK_LEU s2, a1, 7                             /* m0 <= time_vs - delta <= m1 */
    CHECK_LEU a1, s4, 8
    MTIME s2
    TO_VU
    rdtime s3
    TO_M
    MTIME s4
    li t0, DELTA
    sub a1, s3, t0
    CHECK_LEU s2, a1, 9
    CHECK_LEU a1, s4, 10
    MTIME s2                                        /* HS: no delta */
    TO_HS
    rdtime s3
    TO_M
    MTIME s4
    CHECK_LEU s2, s3, 11
    CHECK_LEU s3, s4, 12
    /* wrap: delta = -(mtime / 2), so time + delta overflows to time - mtime / 2 */
    MTIME s2
    srli t0, s2, 1
    sub s5, zero, t0
    csrw CSR_HTIMEDELTA, s5
    TO_VS
    rdtime s3
    TO_M
    MTIME s4
    CHECK_LTU s3, s2, 13                            /* smaller than the real time */
    sub a1, s3, s5
    CHECK_LEU s2, a1, 14
    CHECK_LEU a1, s4, 15
    csrw CSR_HTIMEDELTA, zero

    /* ================================================================ access rules */
    /* HS: menvcfg.STCE and mcounteren.TM (norm:menvcfg_stce_op2, norm:mcounteren_tm_clr) */
    li t0, 0x55
    csrw CSR_STIMECMP, t0
    li t0, 0x66
    csrw CSR_VSTIMECMP, t0
    TO_HS
    csrr a1, CSR_STIMECMP
    CHECK_EQ a1, 0x55, 16
    csrr a1, CSR_VSTIMECMP                          /* HS may use vstimecmp itself */
    CHECK_EQ a1, 0x66, 17
    TO_M
    csrw CSR_MENVCFG, zero
    TO_HS
    T_F_TRAP 18, CAUSE_ILLEGAL_INSN, csrr a1, CSR_STIMECMP
    TO_M
    TO_VS
    T_F_TRAP 19, CAUSE_ILLEGAL_INSN, csrr a1, CSR_STIMECMP
    TO_M
    li t0, STCE
    csrw CSR_MENVCFG, t0
    csrw CSR_HENVCFG, t0
    csrw mcounteren, zero
    TO_HS
    T_F_TRAP 20, CAUSE_ILLEGAL_INSN, csrr a1, CSR_STIMECMP
    T_F_TRAP 21, CAUSE_ILLEGAL_INSN, csrw CSR_VSTIMECMP, zero
    TO_M
    TO_VS
    T_F_TRAP 22, CAUSE_ILLEGAL_INSN, csrr a1, CSR_STIMECMP
    T_F_TRAP 23, CAUSE_ILLEGAL_INSN, rdtime a1
    TO_M
    li t0, CNT_TM
    csrw mcounteren, t0
    /* VS: hcounteren.TM and henvcfg.STCE (norm:hcounteren_acc, norm:henvcfg_stce) */
    csrw CSR_HCOUNTEREN, zero
    TO_VS
    T_F_TRAP 24, CAUSE_VIRTUAL_INSN, csrr a1, CSR_STIMECMP
    T_F_TRAP 25, CAUSE_VIRTUAL_INSN, rdtime a1      /* norm:hcounteren_op */
    TO_M
    li t0, CNT_TM
    csrw CSR_HCOUNTEREN, t0
    csrw CSR_HENVCFG, zero
    TO_VS
    T_F_TRAP 26, CAUSE_VIRTUAL_INSN, csrr a1, CSR_STIMECMP
    TO_M
    li t0, STCE
    csrw CSR_HENVCFG, t0
    /* all enabled: in VS stimecmp is vstimecmp; vstimecmp by number is not */
    TO_VS
    csrr a1, CSR_STIMECMP
    CHECK_EQ a1, 0x66, 27
    li t0, 0x77
    csrw CSR_STIMECMP, t0
    T_F_TRAP 28, CAUSE_VIRTUAL_INSN, csrr a1, CSR_VSTIMECMP   /* norm:H_vscsrs_acc_vs */
    TO_M
    csrr a1, CSR_VSTIMECMP
    CHECK_EQ a1, 0x77, 29
    csrr a1, CSR_STIMECMP
    CHECK_EQ a1, 0x55, 30
    /* U: illegal; VU: virtual (a supervisor CSR HS could access) */
    TO_U
    T_F_TRAP 31, CAUSE_ILLEGAL_INSN, csrr a1, CSR_STIMECMP
    TO_M
#ifdef SPEC_STRICT
    TO_VU
    T_F_TRAP 32, CAUSE_VIRTUAL_INSN, csrr a1, CSR_STIMECMP   /* QEMU 7.2: illegal */
    TO_M
#endif

    /* ================================================================ STIP from stimecmp */
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    csrw CSR_STIMECMP, zero
    CHECK_BECOMES mip, MIP_STIP, MIP_STIP, 33       /* supervisor.adoc norm:mip_sip_stip_op */
    li t0, MIP_STIP
    csrc mip, t0
    csrr a1, mip
    CHECK_MASK a1, MIP_STIP, MIP_STIP, 34           /* read-only (norm:mip_stip_stimecmp_acc) */
    li t0, -1
    csrw CSR_STIMECMP, t0
    CHECK_BECOMES mip, MIP_STIP, 0, 35

    /* ================================================================ VSTIP from vstimecmp */
    csrw CSR_HTIMEDELTA, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 36
    csrw CSR_VSTIMECMP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 37 /* norm:hip_vstip_op */
    csrr a1, mip
    CHECK_MASK a1, MIP_VSTIP, MIP_VSTIP, 38         /* norm:mip_mie_alias */
    csrr a1, CSR_HVIP
    CHECK_MASK a1, MIP_VSTIP, 0, 39                 /* not from hvip */
    li t0, MIP_VSTIP
    csrc mip, t0
    csrc CSR_HIP, t0
    csrr a1, CSR_HIP
    CHECK_MASK a1, MIP_VSTIP, MIP_VSTIP, 40         /* read-only */
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 41         /* far future clears it */
    /* the comparison is against time + htimedelta: vstimecmp about 30 hours
     * ahead of mtime is not reached with htimedelta = 0, but is with 2^41 */
    MTIME s2
    li t0, DELTA
    add s3, s2, t0
    csrw CSR_VSTIMECMP, s3
    SPIN 1000
    csrr a1, CSR_HIP
    CHECK_MASK a1, MIP_VSTIP, 0, 42
    li t0, DELTA * 2
    csrw CSR_HTIMEDELTA, t0
    csrw CSR_VSTIMECMP, s3
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 43
    csrw CSR_HTIMEDELTA, zero
    csrw CSR_VSTIMECMP, s3
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 44
#ifdef SPEC_STRICT
    /* a change of htimedelta alone changes the comparison, and "it is guaranteed to
     * be reflected in VSTIP eventually" (norm:hip_vstip_clear); QEMU 7.2 only
     * re-evaluates when vstimecmp is written */
    li t0, DELTA * 2
    csrw CSR_HTIMEDELTA, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 45
    csrw CSR_HTIMEDELTA, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 46
#endif
    /* truncated to 64 bits: time + delta wraps to a small value, below 2^63
     * (a 65-bit sum would be above vstimecmp = 2^63) */
    MTIME s2
    srli s3, s2, 1
    sub t0, zero, s3
    csrw CSR_HTIMEDELTA, t0         /* time + delta = time - mtime / 2 after the wrap */
    li t0, 0x8000000000000000
    csrw CSR_VSTIMECMP, t0
    SPIN 1000
    csrr a1, CSR_HIP
    CHECK_MASK a1, MIP_VSTIP, 0, 47
    csrw CSR_VSTIMECMP, s3          /* <= time - mtime / 2 */
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 48
    csrw CSR_HTIMEDELTA, zero
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 49
    /* hvip.VSTIP is ORed in (norm:hip_vstip_vstie_acc_op). QEMU 7.2 ignores
     * writes of hvip.VSTIP from M while menvcfg.STCE = 1, so HS writes it here */
    TO_HS
    li t0, MIP_VSTIP
    csrw CSR_HVIP, t0
    csrr a1, CSR_HIP
    CHECK_MASK a1, MIP_VSTIP, MIP_VSTIP, 50
    csrw CSR_HVIP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 51
    /* henvcfg.STCE = 0: VSTIP is hvip.VSTIP alone (norm:henvcfg_stce) */
    TO_M
    csrw CSR_HENVCFG, zero
    TO_HS
    li t0, MIP_VSTIP
    csrw CSR_HVIP, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 52
    csrw CSR_HVIP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 53
    TO_M
#ifdef SPEC_STRICT
    li t0, MIP_VSTIP
    csrw CSR_HVIP, t0               /* from M (norm:hvip_acc) */
    csrr a1, CSR_HVIP
    CHECK_MASK a1, MIP_VSTIP, MIP_VSTIP, 54
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 55
    csrw CSR_HVIP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 56
#endif
    li t0, STCE
    csrw CSR_HENVCFG, t0
#ifdef SPEC_STRICT
    /* ... even when vstimecmp is reached: QEMU 7.2 keeps the Sstc signal in VSTIP
     * when henvcfg.STCE or menvcfg.STCE is 0, and keeps henvcfg.STCE writable */
    csrw CSR_VSTIMECMP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 57
    csrw CSR_HENVCFG, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 58
    /* menvcfg.STCE = 0: the same, and henvcfg.STCE reads 0 (norm:menvcfg_stce_op2) */
    li t0, STCE
    csrw CSR_HENVCFG, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 59
    csrw CSR_MENVCFG, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 60
    csrr a1, CSR_HENVCFG
    CHECK_MASK a1, STCE, 0, 61
    li t0, STCE
    csrw CSR_MENVCFG, t0
    csrw CSR_HENVCFG, t0
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 62
#endif

    /* ================================================================ VS timer interrupt in VS */
    li t0, MIP_VSTIP
    csrw CSR_HIDELEG, t0
    csrw CSR_HIE, t0
    csrw CSR_VSSTATUS, zero
    TO_VS
    rdtime s2
    li t0, 2000                     /* 200 us ahead */
    add s2, s2, t0
    csrw CSR_STIMECMP, s2           /* = vstimecmp */
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE      /* vsstatus.SIE */
    CHECK_TIMER_TRAP s2, 63
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_STI, 64       /* code 5 in VS (norm:hideleg_trans) */
    rdtime s3
    CHECK_LEU s2, s3, 65                            /* not before its time */
    li t0, -1
    csrw CSR_STIMECMP, t0
    TO_M
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, 0, 66
    csrr a1, CSR_VSCAUSE
    CHECK_EQ a1, CAUSE_INTR | IRQ_STI, 67
    /* with htimedelta: vstimecmp counts in guest time */
    li t0, DELTA
    csrw CSR_HTIMEDELTA, t0
    li t0, MIP_VSTIP
    csrw CSR_HIE, t0
    TO_VS
    rdtime s2                       /* guest time, about 2^40 ahead of mtime */
    li t0, 2000
    add s2, s2, t0
    csrw CSR_STIMECMP, s2
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    CHECK_TIMER_TRAP s2, 68
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_STI, 69
    rdtime s3
    CHECK_LEU s2, s3, 70
    li t0, -1
    csrw CSR_STIMECMP, t0
    TO_M
    csrw CSR_HTIMEDELTA, zero
    /* pending in HS with SIE = 1: not taken there (V = 0), taken on entering VS */
    li t0, MIP_VSTIP
    csrw CSR_HIE, t0
    csrw CSR_VSTIMECMP, zero
    CHECK_BECOMES CSR_HIP, MIP_VSTIP, MIP_VSTIP, 71
    li t0, MSTATUS_SIE
    csrw CSR_VSSTATUS, t0
    TO_HS
    csrsi sstatus, MSTATUS_SIE
    SPIN 1000
    csrci sstatus, MSTATUS_SIE
    EXPECT_TRAP 1f
    HS_TO_VS
    CHECK_SPIN_TRAP 72
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_STI, 73
    TO_M
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    csrw CSR_VSSTATUS, zero

    /* ================================================================ VS timer interrupt in HS */
    /* hideleg = 0: code 6 in HS; from VS whatever vsstatus.SIE / sstatus.SIE */
    csrw CSR_HIDELEG, zero
    li t0, MIP_VSTIP
    csrw CSR_HIE, t0
    csrci mstatus, MSTATUS_SIE
    csrw CSR_VSTIMECMP, zero
    EXPECT_TRAP 1f
    TO_VS
    CHECK_SPIN_TRAP 74
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_VSTI, 75
    CHECK_HSTATUS_MASK HSTATUS_SPV, HSTATUS_SPV, 76
    TO_M
    /* in HS with SIE = 1 */
    li t0, MIP_VSTIP
    csrw CSR_HIE, t0
    TO_HS
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 77
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_VSTI, 78
    CHECK_HSTATUS_MASK HSTATUS_SPV, 0, 79
    TO_M
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    csrw CSR_HIE, zero

    /* ================================================================ HS timer (stimecmp) while in VS */
    /* an HS-level interrupt: taken in HS while V = 1, code 5 (norm:hideleg_hs) */
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    csrci mstatus, MSTATUS_SIE
    csrw CSR_VSSTATUS, zero
    TO_VS
    csrw CSR_STIMECMP, zero         /* this is vstimecmp (VSTIE = 0): no interrupt */
    SPIN 1000
    TO_M
    li t0, -1
    csrw CSR_VSTIMECMP, t0
    li t0, MIP_STIP
    csrw mie, t0
    EXPECT_TRAP 1f
    csrw CSR_STIMECMP, zero         /* the HS timer */
    TO_VS
    CHECK_SPIN_TRAP 80
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_STI, 81
    CHECK_HSTATUS_MASK HSTATUS_SPV, HSTATUS_SPV, 82
    TO_M
    li t0, -1
    csrw CSR_STIMECMP, t0
    CHECK_BECOMES mip, MIP_STIP, 0, 83
    csrw mie, zero
    csrw mideleg, zero

    PASS
