/*
 * h-virtinst: the virtual-instruction exception (cause 22) in every case that
 * hypervisor.adoc "Trap Cause Codes" lists, next to the cases that stay
 * illegal-instruction exceptions (cause 2) because the instruction is not
 * HS-qualified, and those that execute:
 *   hypervisor instructions (HLV, HLVX, HSV, HFENCE) in VS / VU (and HU in U);
 *   counters under mcounteren / hcounteren / scounteren;
 *   SRET / SFENCE.VMA in VU, SRET with VTSR, SFENCE.VMA / satp with VTVM, and
 *   mstatus.TSR / TVM not applying to VS;
 *   WFI under TW / VTW in VS and VU;
 *   stimecmp / vstimecmp (Sstc) under menvcfg.STCE, henvcfg.STCE, mcounteren.TM,
 *   hcounteren.TM;
 *   the trap values: mtval / stval = the instruction, htval = htinst = 0 (no
 *   transformation is defined for these instructions), hstatus.GVA = 0.
 */
#include "h.h"

#define TM              2
#define CNT_ALL         7
#define ENVCFG_STCE     (1 << 63)

/*
 * Like CHECK_VIRTUAL / CHECK_ILLEGAL (trap in M with this cause, mepc = the
 * instruction) for the HLV / HLVX / HSV instructions, whose mtval QEMU 7.2 leaves
 * stale: mtval = the instruction bits is checked in SPEC_STRICT only.
 */
.macro T_F_HLSV n, cause, insn:vararg
#ifdef SPEC_STRICT
    CHECK_INSN_TRAP \n, 3, \cause, \insn
#else
    EXPECT_TRAP .Lhl_r\@
.Lhl_i\@:
    \insn
.Lhl_r\@:
    CHECK_TRAP 3, \cause, \n
    CHECK_ADDR s9, .Lhl_i\@, \n
#endif
.endm

TEST_BEGIN h-virtinst
    csrw CSR_VSSTATUS, zero
    csrw CSR_MENVCFG, zero
    csrw CSR_HENVCFG, zero
    csrw mcounteren, zero
    csrw scounteren, zero
    la s2, vdata                            /* s2: an address every mode can read */

    /* ---------------- hypervisor instructions: virtual in VS and VU */
    TO_VS
    T_F_HLSV 1, CAUSE_VIRTUAL_INSN, hlv.b a1, (s2)
    T_F_HLSV 2, CAUSE_VIRTUAL_INSN, hlv.bu a1, (s2)
    T_F_HLSV 3, CAUSE_VIRTUAL_INSN, hlv.h a1, (s2)
    T_F_HLSV 4, CAUSE_VIRTUAL_INSN, hlv.hu a1, (s2)
    T_F_HLSV 5, CAUSE_VIRTUAL_INSN, hlv.w a1, (s2)
    T_F_HLSV 6, CAUSE_VIRTUAL_INSN, hlv.wu a1, (s2)
    T_F_HLSV 7, CAUSE_VIRTUAL_INSN, hlv.d a1, (s2)
    T_F_HLSV 8, CAUSE_VIRTUAL_INSN, hlvx.hu a1, (s2)
    T_F_HLSV 9, CAUSE_VIRTUAL_INSN, hlvx.wu a1, (s2)
    T_F_HLSV 10, CAUSE_VIRTUAL_INSN, hsv.b a1, (s2)
    T_F_HLSV 11, CAUSE_VIRTUAL_INSN, hsv.h a1, (s2)
    T_F_HLSV 12, CAUSE_VIRTUAL_INSN, hsv.w a1, (s2)
    T_F_HLSV 13, CAUSE_VIRTUAL_INSN, hsv.d a1, (s2)
    CHECK_VIRTUAL 14, hfence.vvma
    CHECK_VIRTUAL 15, hfence.gvma
    CHECK_VIRTUAL 16, hfence.vvma s2, zero
    TO_M
    TO_VU
    T_F_HLSV 17, CAUSE_VIRTUAL_INSN, hlv.d a1, (s2)
    T_F_HLSV 18, CAUSE_VIRTUAL_INSN, hlvx.wu a1, (s2)
    T_F_HLSV 19, CAUSE_VIRTUAL_INSN, hsv.d a1, (s2)
#ifdef SPEC_STRICT
    CHECK_VIRTUAL 20, hfence.vvma           /* QEMU: illegal instruction in VU */
    CHECK_VIRTUAL 21, hfence.gvma
#endif
    TO_M
    /* hstatus.HU = 1 changes nothing for VU ("hstatus": HU is about U-mode) */
    li a1, HSTATUS_HU
    csrs hstatus, a1
    TO_VU
    T_F_HLSV 22, CAUSE_VIRTUAL_INSN, hlv.d a1, (s2)
    T_F_HLSV 23, CAUSE_VIRTUAL_INSN, hsv.w a1, (s2)
    TO_M
    /* U (V = 0): HU = 1 allows HLV / HLVX / HSV, never HFENCE; HU = 0: all illegal */
    TO_U
    hlv.d a1, (s2)
    CHECK_EQ a1, 0x1122334455667788, 24
    hlvx.wu a1, (s2)                        /* HLVX reads executable memory: vdata is in .text */
    CHECK_EQ a1, 0x55667788, 25
    li a1, 0x99
    addi a2, s2, 4
    hsv.b a1, (a2)
    lbu a1, 4(s2)
    CHECK_EQ a1, 0x99, 26
    li a1, 0x44
    sb a1, 4(s2)
    CHECK_ILLEGAL 27, hfence.vvma
    CHECK_ILLEGAL 28, hfence.gvma
    TO_M
    li a1, HSTATUS_HU
    csrc hstatus, a1
    TO_U
    T_F_HLSV 29, CAUSE_ILLEGAL_INSN, hlv.d a1, (s2)
    T_F_HLSV 30, CAUSE_ILLEGAL_INSN, hlvx.hu a1, (s2)
    T_F_HLSV 31, CAUSE_ILLEGAL_INSN, hsv.d a1, (s2)
    TO_M
    /* HS: all of them execute (bare translation: vsatp = hgatp = 0) */
    TO_HS
    hlv.w a1, (s2)
    CHECK_EQ a1, 0x55667788, 32
    addi a2, s2, 6
    hlv.hu a1, (a2)
    CHECK_EQ a1, 0x1122, 33
    hfence.vvma
    hfence.gvma
    TO_M

    /* ---------------- counters ("in VS-mode, ... hcounteren is 0 and ... mcounteren is 1";
       "in VU-mode, ... either hcounteren or scounteren is 0 and ... mcounteren is 1") */
    li a1, CNT_ALL
    csrw mcounteren, a1
    TO_VS
    CHECK_VIRTUAL 34, csrr a1, cycle
    CHECK_VIRTUAL 35, csrr a1, time
    CHECK_VIRTUAL 36, csrr a1, instret
    TO_M
    li a1, CNT_ALL
    csrw hcounteren, a1
    TO_VS
    csrr a1, cycle                          /* allowed: no trap */
    csrr a1, time
    csrr a1, instret
    TO_M
    csrw mcounteren, zero                   /* mcounteren = 0: illegal whatever hcounteren */
    TO_VS
    CHECK_ILLEGAL 37, csrr a1, cycle
    CHECK_ILLEGAL 38, csrr a1, time
    CHECK_ILLEGAL 39, csrr a1, instret
    TO_M
    /* VU: needs all three */
    li a1, CNT_ALL
    csrw mcounteren, a1
    csrw hcounteren, a1
    csrw scounteren, zero
    TO_VU
    CHECK_VIRTUAL 40, csrr a1, cycle
    CHECK_VIRTUAL 41, csrr a1, time
    CHECK_VIRTUAL 42, csrr a1, instret
    TO_M
    csrw hcounteren, zero
    li a1, CNT_ALL
    csrw scounteren, a1
    TO_VU
    CHECK_VIRTUAL 43, csrr a1, cycle
    CHECK_VIRTUAL 44, csrr a1, time
    CHECK_VIRTUAL 45, csrr a1, instret
    TO_M
    li a1, CNT_ALL
    csrw hcounteren, a1
    TO_VU
    csrr a1, cycle
    csrr a1, time
    csrr a1, instret
    TO_M
    csrw mcounteren, zero
    TO_VU
    CHECK_ILLEGAL 46, csrr a1, cycle
    CHECK_ILLEGAL 47, csrr a1, time
    CHECK_ILLEGAL 48, csrr a1, instret
    TO_M
    /* bits are per counter: only TM */
    li a1, TM
    csrw mcounteren, a1
    csrw hcounteren, a1
    TO_VS
    csrr a1, time
    CHECK_ILLEGAL 49, csrr a1, cycle        /* CY = 0 in both: illegal */
    CHECK_ILLEGAL 50, csrr a1, instret
    TO_M
    csrw hcounteren, zero
    csrw scounteren, zero
    csrw mcounteren, zero

    /* ---------------- SRET and SFENCE.VMA in VU; MRET in VS / VU */
    TO_VU
#ifdef SPEC_STRICT
    CHECK_VIRTUAL 51, sret                  /* QEMU: illegal instruction in VU */
    CHECK_VIRTUAL 52, sfence.vma
    CHECK_VIRTUAL 53, sfence.vma s2, zero
#endif
    CHECK_ILLEGAL 54, mret                  /* not HS-qualified */
    TO_M
    TO_VS
    CHECK_ILLEGAL 55, mret
    TO_M

    /* ---------------- SRET in VS: VTSR ("hstatus": VTSR); mstatus.TSR does not apply */
    li a1, HSTATUS_VTSR
    csrs hstatus, a1
    TO_VS
    CHECK_VIRTUAL 56, sret
    TO_M
    li a1, HSTATUS_VTSR
    csrc hstatus, a1
#ifdef SPEC_STRICT
    /* ("TSR and TVM fields of mstatus affect execution only in HS-mode"; QEMU applies
       TSR to VS: illegal instruction) */
    li a1, MSTATUS_TSR
    csrs mstatus, a1
    TO_VS
    VS_TO_VU                                /* an SRET in VS with TSR = 1 */
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 57
    CHECK_MASK s7, MSTATUS_MPV | MSTATUS_MPP, MSTATUS_MPV, 58  /* it went to VU */
    TO_M
    li a1, MSTATUS_TSR
    csrc mstatus, a1
#endif

    /* ---------------- SFENCE.VMA / satp in VS: VTVM; mstatus.TVM does not apply */
    li a1, HSTATUS_VTVM
    csrs hstatus, a1
    TO_VS
    CHECK_VIRTUAL 59, sfence.vma
    CHECK_VIRTUAL 60, sfence.vma s2, zero
#ifdef SPEC_STRICT
    CHECK_VIRTUAL 61, csrr a1, satp         /* QEMU ignores VTVM for satp */
    CHECK_VIRTUAL 62, csrw satp, zero
    CHECK_VIRTUAL 63, csrrs a1, satp, zero
#endif
    TO_M
    li a1, HSTATUS_VTVM
    csrc hstatus, a1
    li a1, MSTATUS_TVM
    csrs mstatus, a1
#ifdef SPEC_STRICT
    TO_VS                                   /* QEMU applies TVM to VS too */
    sfence.vma
    csrr a1, satp                           /* vsatp */
    CHECK_EQ a1, 0, 64
    csrw satp, zero
    TO_M
#endif
    /* HS with TVM = 1: HFENCE.VVMA and vsatp are fine */
    TO_HS
    hfence.vvma
    csrw vsatp, zero
    TO_M
    li a1, MSTATUS_TVM
    csrc mstatus, a1

    /* ---------------- WFI ("in VU-mode, attempts to execute WFI when mstatus.TW=0";
       "in VS-mode, ... WFI when hstatus.VTW=1 and mstatus.TW=0"; TW applies in every
       mode but M, and then the WFI is not HS-qualified: illegal) */
    /* a pending, locally enabled but globally masked interrupt makes a WFI that
       executes return at once: VSSI delegated to VS, vsie.SSIE = 1, vsstatus.SIE = 0 */
    li a1, MIP_VSSIP
    csrw hideleg, a1
    csrw hie, a1
    csrw hvip, a1
    TO_VS
    wfi                                     /* VS, TW = 0, VTW = 0: executes */
    TO_M
    /* from here on nothing is pending, so a WFI cannot complete and must trap
       (in VU the delegated VSSI would be taken anyway) */
    csrw hvip, zero
    li a1, HSTATUS_VTW
    csrs hstatus, a1
    TO_VS
    CHECK_VIRTUAL 65, wfi                   /* VTW = 1 */
    TO_M
    TO_VU
    CHECK_VIRTUAL 66, wfi
    TO_M
    li a1, HSTATUS_VTW
    csrc hstatus, a1
    TO_VU
    CHECK_VIRTUAL 67, wfi                   /* VU: VTW does not matter */
    TO_M
    li a1, MSTATUS_TW
    csrs mstatus, a1
    TO_VS
    CHECK_ILLEGAL 68, wfi                   /* TW = 1: illegal in VS */
    TO_M
    li a1, HSTATUS_VTW
    csrs hstatus, a1
    TO_VS
    CHECK_ILLEGAL 69, wfi                   /* TW = 1 wins over VTW = 1 */
    TO_M
#ifdef SPEC_STRICT
    TO_VU
    CHECK_ILLEGAL 70, wfi                   /* and in VU (QEMU: virtual instruction) */
    TO_M
#endif
    li a1, HSTATUS_VTW
    csrc hstatus, a1
    li a1, MSTATUS_TW
    csrc mstatus, a1
    csrw hie, zero
    csrw hideleg, zero

    /* ---------------- stimecmp / vstimecmp (Sstc; "henvcfg": STCE, "hcounteren": TM) */
    /* menvcfg.STCE = 0: illegal anywhere below M, for both names */
    li a1, TM
    csrw mcounteren, a1
    csrw hcounteren, a1
    TO_VS
    CHECK_ILLEGAL 71, csrr a1, stimecmp
    CHECK_ILLEGAL 72, csrr a1, vstimecmp
    TO_M
    TO_HS
    CHECK_ILLEGAL 73, csrr a1, stimecmp
    CHECK_ILLEGAL 74, csrr a1, vstimecmp
    TO_M
    li a1, ENVCFG_STCE
    csrw CSR_MENVCFG, a1
    /* mcounteren.TM = 0: illegal in HS and VS */
    csrw mcounteren, zero
    csrw CSR_HENVCFG, a1
    TO_HS
    CHECK_ILLEGAL 75, csrr a1, stimecmp
    CHECK_ILLEGAL 76, csrr a1, vstimecmp
    TO_M
    TO_VS
    CHECK_ILLEGAL 77, csrr a1, stimecmp
    TO_M
    li a1, TM
    csrw mcounteren, a1
    /* henvcfg.STCE = 0: virtual instruction in VS (hcounteren.TM = 1) */
    csrw CSR_HENVCFG, zero
    TO_VS
    CHECK_VIRTUAL 78, csrr a1, stimecmp
    CHECK_VIRTUAL 79, csrw stimecmp, zero
    TO_M
    /* hcounteren.TM = 0: virtual instruction in VS (henvcfg.STCE = 1) */
    li a1, ENVCFG_STCE
    csrw CSR_HENVCFG, a1
    csrw hcounteren, zero
    TO_VS
    CHECK_VIRTUAL 80, csrr a1, stimecmp
    TO_M
    /* all enabled: stimecmp in VS is vstimecmp; vstimecmp by its own number is virtual */
    li a1, TM
    csrw hcounteren, a1
    li a1, -1
    csrw stimecmp, a1
    csrw vstimecmp, a1
    TO_VS
    li a1, 0x123456789
    csrw stimecmp, a1
    csrr a2, stimecmp
    CHECK_EQ a2, 0x123456789, 81
    CHECK_VIRTUAL 82, csrr a1, vstimecmp
    CHECK_VIRTUAL 83, csrw vstimecmp, zero
    TO_M
    csrr a1, vstimecmp
    CHECK_EQ a1, 0x123456789, 84
    csrr a1, stimecmp                       /* HS's own is untouched */
    CHECK_EQ a1, -1, 85
    /* HS reaches both */
    TO_HS
    csrr a1, stimecmp
    csrr a1, vstimecmp
    TO_M
    /* VU: stimecmp is a supervisor CSR allowed in HS: virtual; illegal when not */
#ifdef SPEC_STRICT
    TO_VU
    CHECK_VIRTUAL 86, csrr a1, stimecmp     /* QEMU: illegal */
    TO_M
#endif
    csrw mcounteren, zero
    TO_VU
    CHECK_ILLEGAL 87, csrr a1, stimecmp
    TO_M
    li a1, -1
    csrw vstimecmp, a1
    csrw CSR_HENVCFG, zero
    csrw CSR_MENVCFG, zero
    csrw hcounteren, zero

    /* ---------------- the trap into HS: stval = the instruction, htval = htinst = 0,
       hstatus.SPV = 1, SPVP = the mode, GVA = 0 */
    li a1, (1 << CAUSE_VIRTUAL_INSN) | (1 << CAUSE_ILLEGAL_INSN)
    csrw medeleg, a1
    li a1, -1                               /* hedeleg[22] is read-only zero: still HS */
    csrw hedeleg, a1
    TO_VS
    CHECK_INSN_TRAP 88, 1, CAUSE_VIRTUAL_INSN, hfence.gvma
    CHECK_TVAL2 0, 89
    CHECK_TINST 0, 90
    CHECK_HSTATUS_MASK HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA, HSTATUS_SPV | HSTATUS_SPVP, 91
    CHECK_MASK s7, MSTATUS_SPP, MSTATUS_SPP, 92
    CHECK_INSN_TRAP 93, 1, CAUSE_VIRTUAL_INSN, csrr a1, hstatus
    CHECK_TINST 0, 94
    /* an illegal instruction goes on to VS (hedeleg[2]); vstval = the instruction */
#ifdef SPEC_STRICT
    CHECK_INSN_TRAP 95, 5, CAUSE_ILLEGAL_INSN, csrr a1, mstatus
#else
    /* (QEMU 7.2 reports vscause 1 for exceptions 2, 6, 10 delegated to VS, as if
       they were the VS interrupts it renumbers) */
    EXPECT_TRAP 1f
ill_vs:
    csrr a1, mstatus
1:  CHECK_EQ s6, 5, 96
    CHECK_ADDR s9, ill_vs, 97
    CHECK_EQ s10, 0x300025f3, 98
#endif
    TO_M
#ifdef SPEC_STRICT
    TO_VU                                   /* (QEMU: SRET in VU is illegal) */
    CHECK_INSN_TRAP 99, 1, CAUSE_VIRTUAL_INSN, sret
    CHECK_HSTATUS_MASK HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA, HSTATUS_SPV, 100
    CHECK_MASK s7, MSTATUS_SPP, 0, 101
    CHECK_TVAL2 0, 102
    CHECK_TINST 0, 103
    TO_M
#endif
    TO_VU                                   /* a hypervisor CSR from VU */
    CHECK_INSN_TRAP 104, 1, CAUSE_VIRTUAL_INSN, csrr a1, hgatp
    CHECK_HSTATUS_MASK HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA, HSTATUS_SPV, 105
    CHECK_MASK s7, MSTATUS_SPP, 0, 106
    CHECK_TVAL2 0, 107
    CHECK_TINST 0, 108
    TO_M
    csrw medeleg, zero
    csrw hedeleg, zero
    /* and into M: mtval2 = mtinst = 0, GVA = 0, MPV = 1 */
    li a1, MSTATUS_GVA
    csrs mstatus, a1
    TO_VS
    CHECK_VIRTUAL 109, csrw hgatp, zero
    CHECK_TVAL2 0, 110
    CHECK_TINST 0, 111
    CHECK_MASK s7, MSTATUS_MPV | MSTATUS_MPP, MSTATUS_MPV | MSTATUS_MPP_S, 112
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, 0, 113      /* QEMU leaves GVA as it was */
#endif
    TO_M

    PASS

/* in .text so that HLVX (execute permission) can read it too */
    .section .text.vdata, "ax", @progbits
    .align 3
vdata:
    .dword 0x1122334455667788
