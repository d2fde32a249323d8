/*
 * h-traps: trap routing with the hypervisor extension (priv spec, hypervisor.adoc).
 *
 *  - the delegation CSRs: mideleg[10,6,2] read-only one, hideleg / hedeleg / hvip /
 *    hie writable and read-only-zero bits ("Hypervisor Trap Delegation",
 *    "Machine Interrupt Delegation")
 *  - exceptions raised from U, HS, VU and VS with nothing delegated (M: mstatus.MPV,
 *    MPP, GVA, mtval2, mtinst), delegated by medeleg (HS: hstatus.SPV / SPVP / GVA,
 *    sstatus.SPP, htval, htinst) and by medeleg + hedeleg (VS: vscause / vsepc /
 *    vstval, vsstatus.SPP; hstatus and HS sstatus untouched) -- "Trap Entry",
 *    tables h-mpp, h-spp, h-vspp. Causes: illegal instruction, breakpoint,
 *    load / store access fault, ECALL (8 from U and VU, 9 from HS, 10 from VS),
 *    page fault (VS-stage), guest-page faults (G-stage Sv39x4 with 1 GiB identity
 *    leaves, also from HLV in HS), virtual instruction
 *  - traps from U / HS / M never reach VS, whatever hedeleg says
 *  - MRET with MPV, SRET with hstatus.SPV (from HS and from M), SRET in VS with
 *    vsstatus ("Trap Return")
 *  - VS-level interrupts from hvip: hip / mip / vsip / vsie views, taken in HS
 *    (codes 2/6/10) or delegated by hideleg to VS (codes 1/5/9 as VS sees them),
 *    the enable rules with V = 1, priorities ("Hypervisor Interrupt Registers",
 *    norm:hideleg_hs, norm:hideleg_trans, norm:hsint_priority)
 *
 * Misaligned loads / stores complete in hardware on QEMU and the board, so there
 * is no misaligned case here.
 */
#include "h.h"

#define BAD_INSN        0xFE000033      /* OP with funct7 = 0x7F: reserved everywhere */
#define UNMAPPED        0x800           /* no device: access fault */
#define GPA_HOLE        0x100000000     /* G-stage root index 4: invalid */
#define GPA_RO          0x140000000     /* G-stage root index 5: DRAM, read-only */
#define VA_HOLE         0x100000000     /* VS-stage / HS satp root index 4: invalid */
#define ESC_MAGIC       0x7E57E5C0
#define SPIN_LIMIT      2000000

#define M_FROM          (MSTATUS_MPV | MSTATUS_MPP)
#define FROM_M_U        0
#define FROM_M_HS       MSTATUS_MPP_S
#define FROM_M_VU       MSTATUS_MPV
#define FROM_M_VS       (MSTATUS_MPV | MSTATUS_MPP_S)
#define H_SPV2          (HSTATUS_SPV | HSTATUS_SPVP)

#define RWXAD           (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define PTE1G(pa, fl)   ((((pa) >> 12) << 10) | (fl) | PTE_V)

/* From M: enter mode src (U, HS, VU, VS) at the next instruction. */
.macro ENTER src
.ifc \src, U
    TO_U
.endif
.ifc \src, HS
    TO_HS
.endif
.ifc \src, VU
    TO_VU
.endif
.ifc \src, VS
    TO_VS
.endif
.endm

.macro DELEG med, hed
    li t0, \med
    csrw medeleg, t0
    li t0, \hed
    csrw CSR_HEDELEG, t0
.endm

/*
 * From M: enter src, run insn with a trap armed, come back to M (TO_M) and check
 * that the trap was taken by `mode` with `cause` and epc = insn. s6..s10 and the
 * trap_* variables keep the trap's state for the checks that follow.
 */
.macro T_F_CASE n, src, mode, cause, insn:vararg
    ENTER \src
    li a7, 0
    EXPECT_TRAP .Lc_r\@
.Lc_i\@:
    \insn
.Lc_r\@:
    TO_M
.ifc \cause, ANY
    CHECK_EQ s6, \mode, \n
.else
    CHECK_TRAP \mode, \cause, \n
.endif
    CHECK_ADDR s9, .Lc_i\@, \n
.endm

/* The same without returning to M (the caller is in the mode it wants). */
.macro T_F_INSN n, mode, cause, insn:vararg
    CHECK_INSN_TRAP \n, \mode, \cause, \insn
.endm

/* The same without the tval check (mode, cause, epc). */
.macro T_F_TRAP n, mode, cause, insn:vararg
    EXPECT_TRAP .Ltr_r\@
.Ltr_i\@:
    \insn
.Ltr_r\@:
    CHECK_TRAP \mode, \cause, \n
    CHECK_ADDR s9, .Ltr_i\@, \n
.endm

/* The trap came into HS from a mode with sstatus.SPP = spp and hstatus & hmask = hval */
.macro CHECK_HS_FROM spp, hmask, hval, n
    CHECK_MASK s7, MSTATUS_SPP, \spp, \n
    CHECK_HSTATUS_MASK \hmask, \hval, \n
.endm

/* trap_tval2 (mtval2 / htval) is 0 or val (a guest physical address >> 2) */
.macro CHECK_TVAL2_OR0 val, n
    la s11, trap_tval2
    ld s11, 0(s11)
    beqz s11, .Lck_ok\@
    li t6, \val
    beq s11, t6, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
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

/* From any mode: continue in M without an ecall (ebreak caught by trap_m_esc);
 * needed while medeleg[9] sends HS ecalls (and so TO_M) to HS. */
.macro ESC_TO_M
    li a7, ESC_MAGIC
    ebreak
.endm

/* HS: take one of the pending, enabled interrupts (by setting SIE), expect irq */
.macro T_PRIO_HS irq, n
    EXPECT_TRAP .Lprio\@
    csrsi sstatus, MSTATUS_SIE
    FAIL_N \n
.Lprio\@:
    CHECK_TRAP 1, CAUSE_INTR | \irq, \n
.endm

/* VS: the same with vsstatus.SIE; irq is the code VS sees */
.macro T_PRIO_VS irq, n
    EXPECT_TRAP .Lprio\@
    csrsi sstatus, MSTATUS_SIE
    FAIL_N \n
.Lprio\@:
    CHECK_TRAP 5, CAUSE_INTR | \irq, \n
.endm

TEST_BEGIN h-traps
    la t0, trap_m_esc
    csrw mtvec, t0
    csrw CSR_MENVCFG, zero      /* Sstc off: mip.STIP and hvip.VSTIP are plain bits */

    /* ================================================================ delegation CSRs */
    csrw mideleg, zero
    csrr a1, mideleg
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 1        /* norm:mideleg_acc_h: read-only one */
    li t0, -1
    csrw CSR_HIDELEG, t0
    csrr a1, CSR_HIDELEG
    CHECK_MASK a1, 0xFFFF, MIP_VS_ALL, 2            /* norm:hideleg_acc (+ mideleg_hroz) */
    csrw CSR_HIDELEG, zero
    li t0, -1
    csrw CSR_HEDELEG, t0
    csrr a1, CSR_HEDELEG
    CHECK_MASK a1, 0xF1BFFE, 0xB1FE, 3              /* table hedeleg-bits (bits 1-13,15,16,20-23) */
    csrw CSR_HEDELEG, zero
    li t0, -1
    csrw medeleg, t0
    csrr a1, medeleg
    CHECK_MASK a1, 0xF00400, 0xF00400, 4            /* VS ecall, guest-page faults, virtual insn */
    csrw medeleg, zero
    li t0, -1
    csrw CSR_HVIP, t0
    csrr a1, CSR_HVIP
    CHECK_MASK a1, 0xFFFF, MIP_VS_ALL, 5            /* norm:hvip_acc */
    csrw CSR_HVIP, zero
    li t0, -1
    csrw CSR_HIE, t0
    csrr a1, CSR_HIE
    CHECK_MASK a1, 0xEFFF, MIP_VS_ALL, 6            /* (SGEIE depends on GEILEN) */
    csrr a1, mie
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 7        /* norm:mip_mie_alias */
    csrw CSR_HIE, zero

    /* ================================================================ illegal instruction */
    /* nothing delegated: M, MPV / MPP by table h-mpp, GVA = 0 (tval is no address) */
    DELEG 0, 0
    T_F_CASE 8, U, 3, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_MASK s7, M_FROM, FROM_M_U, 9
    CHECK_EQ s10, BAD_INSN, 10
    T_F_CASE 11, HS, 3, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_MASK s7, M_FROM, FROM_M_HS, 12
    T_F_CASE 13, VU, 3, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_MASK s7, M_FROM, FROM_M_VU, 14
    T_F_CASE 15, VS, 3, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_MASK s7, M_FROM, FROM_M_VS, 16
    CHECK_EQ s10, BAD_INSN, 17
    CHECK_TVAL2 0, 18                               /* norm:mtval2_trapval */
    CHECK_TINST 0, 19                               /* tinst-values: zero for illegal */
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, 0, 20               /* norm:mstatus_gva_op */
#endif
    /* medeleg: HS, SPV / SPP by table h-spp, SPVP = SPP when V was 1 */
    DELEG 1 << CAUSE_ILLEGAL_INSN, 0
    T_F_CASE 21, U, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM 0, HSTATUS_SPV, 0, 22
    CHECK_EQ s10, BAD_INSN, 23
    T_F_CASE 24, HS, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV, 0, 25
    T_F_CASE 26, VU, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM 0, H_SPV2, HSTATUS_SPV, 27
    CHECK_HSTATUS_MASK HSTATUS_GVA, 0, 28           /* norm:hstatus_gva_op */
    CHECK_TVAL2 0, 29                               /* norm:htval_trapval */
    CHECK_TINST 0, 30
    T_F_CASE 31, VS, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2, H_SPV2, 32
    CHECK_EQ s10, BAD_INSN, 33
    /* SPVP is left alone by a trap from V = 0 (norm:hstatus_spvp_op) */
    T_F_CASE 34, U, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM 0, H_SPV2, HSTATUS_SPVP, 35
    /* medeleg + hedeleg: VS from VS / VU (norm:hedeleg_op), HS from U / HS */
    DELEG 1 << CAUSE_ILLEGAL_INSN, 1 << CAUSE_ILLEGAL_INSN
    T_F_CASE 36, U, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM 0, HSTATUS_SPV, 0, 37
    T_F_CASE 38, HS, 1, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV, 0, 39
    /* QEMU 7.2 turns exception codes 2 / 6 / 10 delegated to VS into 1 / 5 / 9 as it
     * should only for interrupts (norm:hideleg_trans): the cause is strict-only */
    T_F_CASE 40, VU, 5, ANY, .4byte BAD_INSN
#ifdef SPEC_STRICT
    CHECK_EQ s8, CAUSE_ILLEGAL_INSN, 41
#endif
    CHECK_MASK s7, MSTATUS_SPP, 0, 42               /* vsstatus.SPP, table h-vspp */
    CHECK_EQ s10, BAD_INSN, 43                      /* vstval */
    /* a trap into VS leaves hstatus and the HS CSRs alone (norm:H_trap_vs_csrwrites) */
    li t0, CAUSE_LOAD_PAGE_FAULT
    csrw scause, t0
    li t0, 0x1230
    csrw sepc, t0
    li t0, HSTATUS_SPV | HSTATUS_SPVP
    csrc CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    T_F_CASE 44, VS, 5, ANY, .4byte BAD_INSN
    CHECK_MASK s7, MSTATUS_SPP | MSTATUS_SPIE, MSTATUS_SPP, 45   /* vsstatus: from VS, SIE was 0 */
#ifdef SPEC_STRICT
    csrr a1, CSR_VSCAUSE
    CHECK_EQ a1, CAUSE_ILLEGAL_INSN, 46
#endif
    csrr a1, scause
    CHECK_EQ a1, CAUSE_LOAD_PAGE_FAULT, 47
    csrr a1, sepc
    CHECK_EQ a1, 0x1230, 48
    csrr a1, CSR_HSTATUS
    CHECK_MASK a1, H_SPV2, 0, 49
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_SPP, MSTATUS_SPP, 50
    /* M's own traps stay in M whatever the delegation */
    DELEG -1, -1
    T_F_INSN 51, 3, CAUSE_ILLEGAL_INSN, .4byte BAD_INSN
    DELEG 0, 0

    /* ================================================================ ECALL */
    /* cause 8 from U and VU, 9 from HS, 10 from VS (sec:hcauses); mtval = 0 */
    T_F_CASE 52, U, 3, CAUSE_USER_ECALL, ecall
    CHECK_MASK s7, M_FROM, FROM_M_U, 53
    CHECK_EQ s10, 0, 54
    T_F_CASE 55, HS, 3, CAUSE_SUPERVISOR_ECALL, ecall
    CHECK_MASK s7, M_FROM, FROM_M_HS, 56
    T_F_CASE 57, VU, 3, CAUSE_USER_ECALL, ecall
    CHECK_MASK s7, M_FROM, FROM_M_VU, 58
    T_F_CASE 59, VS, 3, CAUSE_VS_ECALL, ecall
    CHECK_MASK s7, M_FROM, FROM_M_VS, 60
    CHECK_EQ s10, 0, 61
    CHECK_TINST 0, 62
    /* medeleg: HS (a service TO_M from U / VU / VS is forwarded by the HS handler) */
    DELEG (1 << CAUSE_USER_ECALL) | (1 << CAUSE_VS_ECALL), 0
    T_F_CASE 63, U, 1, CAUSE_USER_ECALL, ecall
    CHECK_HS_FROM 0, HSTATUS_SPV, 0, 64
    T_F_CASE 65, VU, 1, CAUSE_USER_ECALL, ecall
    CHECK_HS_FROM 0, H_SPV2, HSTATUS_SPV, 66
    T_F_CASE 67, VS, 1, CAUSE_VS_ECALL, ecall
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2, H_SPV2, 68
    CHECK_HSTATUS_MASK HSTATUS_GVA, 0, 69
    CHECK_EQ s10, 0, 70
    /* medeleg + hedeleg (all bits): VU -> VS; VS ecalls cannot be delegated to VS
     * (hedeleg[10] read-only zero) */
    DELEG (1 << CAUSE_USER_ECALL) | (1 << CAUSE_VS_ECALL), -1
    T_F_CASE 71, U, 1, CAUSE_USER_ECALL, ecall
    T_F_CASE 72, VU, 5, CAUSE_USER_ECALL, ecall
    CHECK_MASK s7, MSTATUS_SPP, 0, 73
    T_F_CASE 74, VS, 1, CAUSE_VS_ECALL, ecall
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2, H_SPV2, 75
    /* HS ecall delegated to HS (TO_M would go to HS too: leave with ESC_TO_M) */
    DELEG 1 << CAUSE_SUPERVISOR_ECALL, -1
    TO_HS
    li a7, 0
    EXPECT_TRAP 1f
hs_ecall:
    ecall
1:  ESC_TO_M
    DELEG 0, 0
    CHECK_TRAP 1, CAUSE_SUPERVISOR_ECALL, 76
    CHECK_ADDR s9, hs_ecall, 77
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV, 0, 78

    /* ================================================================ breakpoint */
    T_F_CASE 79, VU, 3, CAUSE_BREAKPOINT, ebreak
    CHECK_MASK s7, M_FROM, FROM_M_VU, 80
    T_F_CASE 81, VS, 3, CAUSE_BREAKPOINT, ebreak
    CHECK_MASK s7, M_FROM, FROM_M_VS, 82
    DELEG 1 << CAUSE_BREAKPOINT, 0
    T_F_CASE 83, VS, 1, CAUSE_BREAKPOINT, ebreak
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2, H_SPV2, 84
    T_F_CASE 85, HS, 1, CAUSE_BREAKPOINT, ebreak
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV, 0, 86
    DELEG 1 << CAUSE_BREAKPOINT, 1 << CAUSE_BREAKPOINT
    T_F_CASE 87, VU, 5, CAUSE_BREAKPOINT, ebreak
    CHECK_MASK s7, MSTATUS_SPP, 0, 88
    T_F_CASE 89, VS, 5, CAUSE_BREAKPOINT, ebreak
    CHECK_MASK s7, MSTATUS_SPP, MSTATUS_SPP, 90
    T_F_CASE 91, U, 1, CAUSE_BREAKPOINT, ebreak
    DELEG 0, 0

    /* ================================================================ access faults */
    /* hgatp Bare: guest physical = physical; UNMAPPED has no device. stval is a
     * guest virtual address, so GVA = 1 (norm:mstatus_gva_op, norm:hstatus_gva_op) */
    li a2, UNMAPPED
    T_F_CASE 92, VS, 3, CAUSE_LOAD_ACCESS, ld a1, 0(a2)
    CHECK_MASK s7, M_FROM | MSTATUS_GVA, FROM_M_VS | MSTATUS_GVA, 93
    CHECK_EQ s10, UNMAPPED, 94
    CHECK_TVAL2 0, 95
    T_F_CASE 96, U, 3, CAUSE_LOAD_ACCESS, ld a1, 0(a2)
    CHECK_MASK s7, M_FROM, FROM_M_U, 97
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, 0, 98               /* QEMU 7.2 leaves GVA as it was */
#endif
    DELEG (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_STORE_ACCESS), 0
    T_F_CASE 99, VU, 1, CAUSE_LOAD_ACCESS, ld a1, 0(a2)
    CHECK_HS_FROM 0, H_SPV2 | HSTATUS_GVA, HSTATUS_SPV | HSTATUS_GVA, 100
    CHECK_EQ s10, UNMAPPED, 101
    CHECK_TVAL2 0, 102
    T_F_CASE 103, VS, 1, CAUSE_STORE_ACCESS, sd a1, 0(a2)
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2 | HSTATUS_GVA, H_SPV2 | HSTATUS_GVA, 104
    T_F_CASE 105, HS, 1, CAUSE_LOAD_ACCESS, ld a1, 0(a2)
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV | HSTATUS_GVA, 0, 106
    DELEG (1 << CAUSE_LOAD_ACCESS) | (1 << CAUSE_STORE_ACCESS), -1
    T_F_CASE 107, VS, 5, CAUSE_LOAD_ACCESS, ld a1, 0(a2)
    CHECK_EQ s10, UNMAPPED, 108
    T_F_CASE 109, VU, 5, CAUSE_STORE_ACCESS, sd a1, 0(a2)
    CHECK_MASK s7, MSTATUS_SPP, 0, 110
    T_F_CASE 111, U, 1, CAUSE_STORE_ACCESS, sd a1, 0(a2)
    DELEG 0, 0

    /* ================================================================ page faults (VS stage) */
    /* vsroot: 1 GiB identity leaves for devices and DRAM (no U), VA_HOLE invalid */
    la a0, vsroot
    li t0, PTE1G(0, RWXAD)
    sd t0, 0(a0)
    li t0, PTE1G(DRAM_BASE, RWXAD)
    sd t0, 16(a0)
    srli t0, a0, 12
    li t1, SATP_MODE_SV39
    or s5, t0, t1                   /* s5 = satp / vsatp value */
    csrw CSR_VSATP, s5
    hfence.vvma
    li a2, VA_HOLE
    T_F_CASE 112, VS, 3, CAUSE_LOAD_PAGE_FAULT, ld a1, 0(a2)
    CHECK_MASK s7, M_FROM | MSTATUS_GVA, FROM_M_VS | MSTATUS_GVA, 113
    CHECK_EQ s10, VA_HOLE, 114
    CHECK_TVAL2 0, 115
    DELEG 1 << CAUSE_LOAD_PAGE_FAULT | 1 << CAUSE_STORE_PAGE_FAULT, 0
    T_F_CASE 116, VS, 1, CAUSE_STORE_PAGE_FAULT, sd a1, 0(a2)
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2 | HSTATUS_GVA, H_SPV2 | HSTATUS_GVA, 117
    CHECK_EQ s10, VA_HOLE, 118
    CHECK_TVAL2 0, 119
    DELEG 1 << CAUSE_LOAD_PAGE_FAULT | 1 << CAUSE_STORE_PAGE_FAULT, -1
    T_F_CASE 120, VS, 5, CAUSE_LOAD_PAGE_FAULT, ld a1, 0(a2)
    CHECK_EQ s10, VA_HOLE, 121
    /* HS with satp: page fault from V = 0, GVA = 0 */
    csrw satp, s5
    sfence.vma
    T_F_CASE 122, HS, 1, CAUSE_LOAD_PAGE_FAULT, ld a1, 0(a2)
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV | HSTATUS_GVA, 0, 123
    CHECK_EQ s10, VA_HOLE, 124
    csrw satp, zero
    csrw CSR_VSATP, zero
    sfence.vma
    hfence.vvma
    DELEG 0, 0

    /* ================================================================ guest-page faults */
    /* G stage Sv39x4 (16 KiB root), 1 GiB leaves with U (G-stage accesses are
     * user-level, norm:H_vm_gpapriv): devices and DRAM identity, GPA_RO -> DRAM
     * read-only, GPA_HOLE invalid */
    la a0, groot
    li t0, PTE1G(0, RWXAD | PTE_U)
    sd t0, 0(a0)
    li t0, PTE1G(DRAM_BASE, RWXAD | PTE_U)
    sd t0, 16(a0)
    li t0, PTE1G(DRAM_BASE, PTE_R | PTE_A | PTE_U)
    sd t0, 40(a0)
    srli t0, a0, 12
    li t1, HGATP_MODE_SV39X4
    or t0, t0, t1
    csrw CSR_HGATP, t0
    hfence.gvma
    li a2, GPA_HOLE
    /* not delegated: M, mtval = guest virtual, mtval2 = 0 or GPA >> 2, GVA = 1 */
    T_F_CASE 125, VS, 3, CAUSE_LOAD_GUEST_PAGE_FAULT, ld a1, 0(a2)
    CHECK_MASK s7, M_FROM | MSTATUS_GVA, FROM_M_VS | MSTATUS_GVA, 126
    CHECK_EQ s10, GPA_HOLE, 127
    CHECK_TVAL2_OR0 GPA_HOLE >> 2, 128
    li a2, GPA_RO + 0x18
    T_F_CASE 129, VU, 3, CAUSE_STORE_GUEST_PAGE_FAULT, sd a1, 0(a2)
    CHECK_MASK s7, M_FROM | MSTATUS_GVA, FROM_M_VU | MSTATUS_GVA, 130
    CHECK_EQ s10, GPA_RO + 0x18, 131
    CHECK_TVAL2_OR0 (GPA_RO + 0x18) >> 2, 132
    /* the read-only alias reads DRAM */
    la a2, gdata
    li t0, DRAM_BASE
    sub a2, a2, t0
    li t0, GPA_RO
    add a2, a2, t0
    TO_VS
    ld a1, 0(a2)
    TO_M
    CHECK_EQ a1, 0x5A5A0123, 133
    /* medeleg: HS, htval; hedeleg bits 20-23 are read-only zero: HS even with -1 */
    DELEG 0xF00000, -1
    li a2, GPA_HOLE + 0x10
    T_F_CASE 134, VS, 1, CAUSE_LOAD_GUEST_PAGE_FAULT, ld a1, 0(a2)
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2 | HSTATUS_GVA, H_SPV2 | HSTATUS_GVA, 135
    CHECK_EQ s10, GPA_HOLE + 0x10, 136
    CHECK_TVAL2_OR0 (GPA_HOLE + 0x10) >> 2, 137
    li a2, GPA_RO + 0x20
    T_F_CASE 138, VU, 1, CAUSE_STORE_GUEST_PAGE_FAULT, sw a1, 0(a2)
    CHECK_HS_FROM 0, H_SPV2 | HSTATUS_GVA, HSTATUS_SPV | HSTATUS_GVA, 139
    CHECK_EQ s10, GPA_RO + 0x20, 140
    CHECK_TVAL2_OR0 (GPA_RO + 0x20) >> 2, 141
    /* instruction guest-page fault: epc = tval = the target */
    TO_VS
    li a2, GPA_HOLE
    EXPECT_TRAP 1f
    jr a2
1:  TO_M
    CHECK_TRAP 1, CAUSE_FETCH_GUEST_PAGE_FAULT, 142
    CHECK_EQ s9, GPA_HOLE, 143
    CHECK_EQ s10, GPA_HOLE, 144
    CHECK_TVAL2_OR0 GPA_HOLE >> 2, 145
    CHECK_TINST 0, 146                              /* tinst-values: fetch faults write 0 */
    /* HLV in HS: the access is as though V = 1, the trap is from V = 0:
     * SPV = 0 but GVA = 1 (note in norm:hstatus_gva_op) */
    li t0, HSTATUS_SPVP
    csrs CSR_HSTATUS, t0
    li a2, GPA_HOLE + 0x28
    T_F_CASE 147, HS, 1, CAUSE_LOAD_GUEST_PAGE_FAULT, hlv.d a1, (a2)
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV | HSTATUS_GVA, HSTATUS_GVA, 148
    CHECK_EQ s10, GPA_HOLE + 0x28, 149
    CHECK_TVAL2_OR0 (GPA_HOLE + 0x28) >> 2, 150
    DELEG 0, 0
    T_F_CASE 151, HS, 3, CAUSE_LOAD_GUEST_PAGE_FAULT, hlv.d a1, (a2)
    CHECK_MASK s7, M_FROM | MSTATUS_GVA, FROM_M_HS | MSTATUS_GVA, 152
    CHECK_TVAL2_OR0 (GPA_HOLE + 0x28) >> 2, 153
    csrw CSR_HGATP, zero
    hfence.gvma

    /* ================================================================ virtual instruction */
    /* H CSRs and VS CSRs from VS, supervisor CSRs / SRET / WFI from VU, HLV / HFENCE
     * from VS (the list in sec:hcauses); tval = the instruction */
    T_F_CASE 154, VS, 3, CAUSE_VIRTUAL_INSN, csrr a1, CSR_HSTATUS
    CHECK_MASK s7, M_FROM, FROM_M_VS, 155
    TO_VS
    T_F_INSN 156, 3, CAUSE_VIRTUAL_INSN, csrr a1, CSR_VSSTATUS
    T_F_INSN 157, 3, CAUSE_VIRTUAL_INSN, hfence.vvma
    T_F_TRAP 158, 3, CAUSE_VIRTUAL_INSN, hlv.d a1, (sp)  /* (QEMU: mtval = 0, allowed) */
    T_F_INSN 159, 3, CAUSE_ILLEGAL_INSN, csrr a1, mstatus     /* not HS-qualified */
    TO_M
    TO_VU
    T_F_INSN 160, 3, CAUSE_VIRTUAL_INSN, wfi
#ifdef SPEC_STRICT
    /* QEMU 7.2 raises illegal instruction for these two in VU */
    T_F_INSN 161, 3, CAUSE_VIRTUAL_INSN, csrr a1, sstatus
    T_F_INSN 162, 3, CAUSE_VIRTUAL_INSN, sret
#endif
    T_F_INSN 163, 3, CAUSE_VIRTUAL_INSN, csrr a1, CSR_HSTATUS  /* H CSR from VU */
    TO_M
    TO_U
    T_F_INSN 164, 3, CAUSE_ILLEGAL_INSN, csrr a1, CSR_HSTATUS  /* U: illegal as usual */
    T_F_INSN 165, 3, CAUSE_ILLEGAL_INSN, csrr a1, CSR_VSSTATUS
    TO_M
    /* hstatus.VTSR / VTVM (sec:hstatus) */
    li t0, HSTATUS_VTSR | HSTATUS_VTVM
    csrs CSR_HSTATUS, t0
    TO_VS
    T_F_INSN 166, 3, CAUSE_VIRTUAL_INSN, sret
    T_F_INSN 167, 3, CAUSE_VIRTUAL_INSN, sfence.vma
#ifdef SPEC_STRICT
    T_F_INSN 168, 3, CAUSE_VIRTUAL_INSN, csrr a1, satp   /* QEMU 7.2: no trap */
#endif
    TO_M
    li t0, HSTATUS_VTSR | HSTATUS_VTVM
    csrc CSR_HSTATUS, t0
    /* mstatus.TVM / TSR act in HS only (norm:mstatus_modes) */
    li t0, MSTATUS_TVM | MSTATUS_TSR
    csrs mstatus, t0
#ifdef SPEC_STRICT
    /* QEMU 7.2 applies mstatus.TVM in VS (illegal instruction) */
    TO_VS
    csrr a1, satp
    sfence.vma
    TO_M
#endif
    TO_HS
    T_F_INSN 169, 3, CAUSE_ILLEGAL_INSN, hfence.gvma          /* norm:mstatus_tvm_hs */
#ifdef SPEC_STRICT
    T_F_INSN 170, 3, CAUSE_ILLEGAL_INSN, csrr a1, CSR_HGATP   /* norm:hgatp_tvm_illegal; QEMU 7.2: no trap */
#endif
    TO_M
    li t0, MSTATUS_TVM | MSTATUS_TSR
    csrc mstatus, t0
    /* delegated: HS (hedeleg[22] is read-only zero) */
    DELEG 1 << CAUSE_VIRTUAL_INSN, -1
    T_F_CASE 171, VS, 1, CAUSE_VIRTUAL_INSN, csrr a1, CSR_HSTATUS
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2 | HSTATUS_GVA, H_SPV2, 172
    la t0, vs_hstatus_insn
    lwu t0, 0(t0)
    CHECK_REG s10, t0, 173
    T_F_CASE 174, VU, 1, CAUSE_VIRTUAL_INSN, csrr a1, CSR_HSTATUS
    CHECK_HS_FROM 0, H_SPV2, HSTATUS_SPV, 175
    DELEG 0, 0

    /* ================================================================ xRET */
    /* SRET from HS with SPV = 1: to VS / VU, SPV and SPP cleared (norm:sret_v0) */
    TO_HS
    li t0, HSTATUS_SPV
    csrs CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall                           /* where are we? */
1:  TO_M
    CHECK_TRAP 3, CAUSE_VS_ECALL, 176
    CHECK_MASK s7, M_FROM | MSTATUS_SPP, FROM_M_VS, 177
    CHECK_HSTATUS_MASK HSTATUS_SPV, 0, 178
    TO_HS
    li t0, HSTATUS_SPV
    csrs CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  TO_M
    CHECK_TRAP 3, CAUSE_USER_ECALL, 179
    CHECK_MASK s7, M_FROM, FROM_M_VU, 180
    /* SPV = 0: stays at V = 0 */
    TO_HS
    li t0, HSTATUS_SPV
    csrc CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  TO_M
    CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 181
    /* SRET in M also follows SPV / SPP */
    li t0, HSTATUS_SPV
    csrs CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  TO_M
    CHECK_TRAP 3, CAUSE_VS_ECALL, 182
    CHECK_HSTATUS_MASK HSTATUS_SPV, 0, 183
    /* SRET in VS uses vsstatus / vsepc and leaves hstatus.SPV and sstatus.SPP
     * alone (norm:sret_v1) */
    li t0, HSTATUS_SPV
    csrs CSR_HSTATUS, t0
    li t0, MSTATUS_SPP
    csrs mstatus, t0
    li t0, MSTATUS_SPIE
    csrw CSR_VSSTATUS, t0           /* SPP = 0 (VU), SPIE = 1, SIE = 0 */
    TO_VS
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  TO_M
    CHECK_TRAP 3, CAUSE_USER_ECALL, 184
    CHECK_MASK s7, M_FROM | MSTATUS_SPP, FROM_M_VU | MSTATUS_SPP, 185
    CHECK_HSTATUS_MASK HSTATUS_SPV, HSTATUS_SPV, 186
    csrr a1, CSR_VSSTATUS
    CHECK_MASK a1, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE | MSTATUS_SIE, 187
    li t0, MSTATUS_SPP
    csrw CSR_VSSTATUS, t0           /* SPP = 1: stays in VS */
    TO_VS
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  TO_M
    CHECK_TRAP 3, CAUSE_VS_ECALL, 188
    csrw CSR_VSSTATUS, zero
    li t0, HSTATUS_SPV
    csrc CSR_HSTATUS, t0

    /* ================================================================ interrupt views */
    li t0, MIP_VS_ALL
    csrw CSR_HVIP, t0
    csrr a1, CSR_HIP
    CHECK_MASK a1, 0xFFFF, MIP_VS_ALL, 189          /* norm:hip_vseip..., hip_vssip... */
    csrr a1, mip
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 190
#ifdef SPEC_STRICT
    csrr a1, sip
    CHECK_MASK a1, MIP_VS_ALL, 0, 191               /* norm:sie_hip_hie_mutex */
#endif
    csrr a1, CSR_VSIP
    CHECK_MASK a1, 0x2222, 0, 192                   /* hideleg = 0: read-only zero */
    li t0, MIP_VS_ALL
    csrw CSR_HIDELEG, t0
    csrr a1, CSR_VSIP
    CHECK_MASK a1, 0x2, 0x2, 193                    /* norm:vsip_vsie_ssi */
#ifdef SPEC_STRICT
    CHECK_MASK a1, 0x2222, 0x222, 194               /* _sti, _sei: QEMU 7.2 shows only SSIP */
#endif
    csrw CSR_HIE, t0
    csrr a1, CSR_VSIE
    CHECK_MASK a1, 0x2222, 0x222, 195
    li t0, 0x20
    csrw CSR_VSIE, t0
    csrr a1, CSR_HIE
    CHECK_MASK a1, 0xFFFF, MIP_VSTIP, 196
    li t0, MIP_SSIP
    csrc CSR_VSIP, t0               /* vsip.SSIP = hip.VSSIP = hvip.VSSIP */
    csrr a1, CSR_HVIP
    CHECK_MASK a1, MIP_VS_ALL, MIP_VSTIP | MIP_VSEIP, 197
    li t0, MIP_VSSIP
    csrs CSR_HIP, t0                /* hip.VSSIP is writable */
    csrr a1, CSR_HVIP
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 198
    li t0, MIP_VSTIP | MIP_VSEIP
    csrc CSR_HIP, t0                /* read-only in hip */
    csrr a1, CSR_HIP
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 199
    li t0, MIP_VSSIP
    csrw CSR_HIDELEG, t0            /* partial delegation */
    csrr a1, CSR_VSIP
    CHECK_MASK a1, 0x2222, 0x2, 200
    csrw CSR_HIE, zero
#ifdef SPEC_STRICT
    TO_VS                           /* the same view as sip in VS (QEMU 7.2 reads 0) */
    csrr a1, sip
    CHECK_MASK a1, 0x2222, 0x2, 201
    TO_M
#endif
    csrw CSR_HVIP, zero
    csrw CSR_HIE, zero
    csrw CSR_HIDELEG, zero

    /* ================================================================ interrupts, not delegated by hideleg: HS */
    /* VS-level interrupts are never taken in M (mideleg bits read-only one) */
    li t0, MIP_VSSIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    csrsi mstatus, MSTATUS_MIE
    SPIN 1000
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    /* HS with SIE = 0: not taken; SIE = 1: taken with code 2 */
    TO_HS
    SPIN 1000
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 202
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_VSSI, 203
    CHECK_HS_FROM MSTATUS_SPP, HSTATUS_SPV, 0, 204
    TO_M
    /* in VS an HS-level interrupt is taken whatever sstatus.SIE (norm:hideleg_hs) */
    li t0, MSTATUS_SIE
    csrc mstatus, t0
    li t0, MIP_VSTIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    EXPECT_TRAP 1f
    TO_VS
    CHECK_SPIN_TRAP 205
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_VSTI, 206
    CHECK_HS_FROM MSTATUS_SPP, H_SPV2, H_SPV2, 207
    TO_M
    li t0, MIP_VSEIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    EXPECT_TRAP 1f
    TO_VU
    CHECK_SPIN_TRAP 208
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_VSEI, 209
    CHECK_HS_FROM 0, H_SPV2, HSTATUS_SPV, 210
    TO_M
    /* an S-level interrupt (mideleg) in VS: HS, even with sstatus.SIE = 0 */
    csrw CSR_HVIP, zero
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    EXPECT_TRAP 1f
    TO_VS
    CHECK_SPIN_TRAP 211
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_SSI, 212
    TO_M
    li t0, MIP_SSIP
    csrc mip, t0
    csrw mideleg, zero
    csrw mie, zero

    /* ================================================================ interrupts delegated to VS */
    li t0, MIP_VS_ALL
    csrw CSR_HIDELEG, t0
    li t0, MIP_VSSIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    /* not in HS, even with SIE = 1 (V = 0) */
    TO_HS
    csrsi sstatus, MSTATUS_SIE
    SPIN 1000
    csrci sstatus, MSTATUS_SIE
    /* VS with vsstatus.SIE = 0: not taken; SIE = 1: taken in VS as code 1 */
    HS_TO_VS
    SPIN 1000
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 213
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_SSI, 214          /* norm:hideleg_trans */
    CHECK_MASK s7, MSTATUS_SPP | MSTATUS_SPIE, MSTATUS_SPP | MSTATUS_SPIE, 215
    TO_M
    csrr a1, CSR_VSCAUSE
    CHECK_EQ a1, CAUSE_INTR | IRQ_SSI, 216
    csrr a1, CSR_HIE                /* the VS handler cleared vsie.SSIE = hie.VSSIE */
    CHECK_MASK a1, MIP_VS_ALL, 0, 217
    /* VU: taken in VS whatever vsstatus.SIE, code 5 for VSTI */
    li t0, MIP_VSTIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    csrw CSR_VSSTATUS, zero
    EXPECT_TRAP 1f
    TO_VU
    CHECK_SPIN_TRAP 218
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_STI, 219
    CHECK_MASK s7, MSTATUS_SPP, 0, 220
    TO_M
    li t0, MIP_VSEIP
    csrw CSR_HVIP, t0
    csrw CSR_HIE, t0
    TO_VS
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 221
1:  CHECK_TRAP 5, CAUSE_INTR | IRQ_SEI, 222
    TO_M
    csrw CSR_HVIP, zero
    csrw CSR_VSSTATUS, zero

    /* ================================================================ priorities */
    /* HS: SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI (norm:hsint_priority). QEMU 7.2
     * without AIA takes the lowest code first; the default build checks only the
     * pairs both orders agree on. */
    csrw CSR_HIDELEG, zero
    li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw mideleg, t0
    csrs mip, t0
    li t0, MIP_VS_ALL
    csrw CSR_HVIP, t0
    csrci mstatus, MSTATUS_SIE
    TO_HS
    li t0, MIP_SSIP
    csrw sie, t0
    li t0, MIP_VSSIP | MIP_VSTIP
    csrw CSR_HIE, t0
    T_PRIO_HS IRQ_SSI, 223
    T_PRIO_HS IRQ_VSSI, 224
    T_PRIO_HS IRQ_VSTI, 225
    li t0, MIP_STIP
    csrw sie, t0
    li t0, MIP_VSTIP | MIP_VSEIP
    csrw CSR_HIE, t0
    T_PRIO_HS IRQ_STI, 226
    csrw CSR_HIE, zero
    li t0, MIP_SEIP
    csrw sie, t0
    li t0, MIP_VSEIP
    csrw CSR_HIE, t0
    T_PRIO_HS IRQ_SEI, 227
    T_PRIO_HS IRQ_VSEI, 228
#ifdef SPEC_STRICT
    li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw sie, t0
    li t0, MIP_VS_ALL
    csrw CSR_HIE, t0
    T_PRIO_HS IRQ_SEI, 229
    T_PRIO_HS IRQ_SSI, 230
    T_PRIO_HS IRQ_STI, 231
    T_PRIO_HS IRQ_VSEI, 232
    T_PRIO_HS IRQ_VSSI, 233
    T_PRIO_HS IRQ_VSTI, 234
#endif
    TO_M
    csrw mie, zero
    /* VS sees SEI, SSI, STI (supervisor order, supervisor.adoc) */
    li t0, MIP_VS_ALL
    csrw CSR_HIDELEG, t0
    li t0, MIP_VSSIP | MIP_VSTIP
    csrw CSR_HIE, t0
    TO_VS
    T_PRIO_VS IRQ_SSI, 235
    T_PRIO_VS IRQ_STI, 236
#ifdef SPEC_STRICT
    li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw sie, t0                    /* = vsie */
    T_PRIO_VS IRQ_SEI, 237
    T_PRIO_VS IRQ_SSI, 238
    T_PRIO_VS IRQ_STI, 239
#endif
    TO_M
    csrw CSR_HIE, zero
    /* M before HS before VS (machine.adoc "Interrupts to M-mode take priority",
     * supervisor.adoc "Interrupts to S-mode take priority"): in VU with MSI, SSI
     * (HS) and VSSI (VS) pending and enabled. The stvec / vstvec stubs keep the
     * earlier trap's s6 / s8 (s4 / s5, then s2 / s3) and re-arm. */
    csrci mstatus, MSTATUS_MIE
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mip, zero
    csrw CSR_HVIP, zero
    li t0, MIP_SSIP | MIP_MSIP | MIP_VSSIP
    csrw mie, t0
    li t0, MIP_VSSIP
    csrw CSR_HIDELEG, t0
    la t0, stub_s
    csrw stvec, t0
    la t0, stub_vs
    csrw CSR_VSTVEC, t0
    li s2, 0
    li s3, 0
    li s4, 0
    li s5, 0
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, MIP_VSSIP
    csrw CSR_HVIP, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    EXPECT_TRAP 1f
    TO_VU
1:  SPIN 1000
    TO_M
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    la t0, trap_s
    csrw stvec, t0
    la t0, trap_vs
    csrw CSR_VSTVEC, t0
    CHECK_EQ s4, 3, 240
    CHECK_EQ s5, CAUSE_INTR | IRQ_MSI, 241
    CHECK_EQ s2, 1, 242
    CHECK_EQ s3, CAUSE_INTR | IRQ_SSI, 243
    CHECK_TRAP 5, CAUSE_INTR | IRQ_SSI, 244
    csrw mie, zero
    csrw mip, zero
    csrw mideleg, zero
    csrw CSR_HVIP, zero
    csrw CSR_HIDELEG, zero

#ifdef SPEC_STRICT
    /* MRET with MPP = M sets MPV = 0, MPP = U and stays in M with V = 0
     * (kept last: QEMU 7.2 is left in a broken state)
     * (norm:mret_h: "unless MPP=3, in which case V remains 0"); QEMU 7.2 sets V = 1 */
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP | MSTATUS_MPV
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a1, mstatus
    CHECK_MASK a1, M_FROM, 0, 245
    csrr a1, stvec                  /* QEMU 7.2 goes to V = 1 and swaps in vstvec */
    CHECK_ADDR a1, trap_s, 246
#endif

    PASS

/* A copy of the VS csrr hstatus, so the delegated virtual-instruction case can compare stval with its bits. */
    .pushsection .text.lib, "ax", @progbits
    .align 2
vs_hstatus_insn:
    csrr a1, CSR_HSTATUS

/*
 * mtvec: trap_m, except for an ebreak with a7 = ESC_MAGIC (ESC_TO_M), which
 * continues at the next instruction in M. Uses only s11 and a7.
 */
    .align 6
trap_m_esc:
    csrr s11, mcause
    addi s11, s11, -CAUSE_BREAKPOINT
    bnez s11, 1f
    li s11, ESC_MAGIC
    bne a7, s11, 1f
    csrr s11, mepc
    addi s11, s11, 4
    csrw mepc, s11
    li s11, MSTATUS_MPP
    csrs mstatus, s11
    li s11, MSTATUS_MPV
    csrc mstatus, s11
    li a7, 0
    mret
1:  j trap_m

/* stvec / vstvec stubs for the cross-mode priority check: keep the previous
 * trap's mode and cause, then treat the trap as armed */
    .align 6
stub_s:
    mv s4, s6
    mv s5, s8
    li t5, TRAP_ARM
    j trap_s
    .align 6
stub_vs:
    mv s2, s6
    mv s3, s8
    li t5, TRAP_ARM
    j trap_vs
    .popsection

    .pushsection .data
    .align 3
gdata: .dword 0x5A5A0123
    .popsection

    .pushsection .bss
    .align 14
groot:  .space 16384
    .align 12
vsroot: .space 4096
    .popsection
