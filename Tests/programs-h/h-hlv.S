/*
 * h-hlv: the hypervisor virtual-machine loads and stores HLV.B/BU/H/HU/W/WU/D,
 * HLVX.HU/WU and HSV.B/H/W/D (hypervisor.adoc "Hypervisor Virtual-Machine Load and
 * Store Instructions"), executed in HS, in M and in U with hstatus.HU = 1.
 *
 * They access memory as VS (hstatus.SPVP = 1) or VU (SPVP = 0) would: two-stage
 * translation with vsatp (Sv39) and hgatp (Sv39x4), the VS-stage U bit by SPVP with
 * vsstatus.SUM (the HS-level SUM is ignored), HLVX needing execute instead of read
 * permission in both stages, HS-level MXR acting on both stages and vsstatus.MXR on
 * the VS stage only. MPRV does not affect them ("Machine Status Registers").
 * Faults: VS-stage page faults 13/15 and guest-page faults 21/23 with stval = the
 * guest virtual address, hstatus.GVA = 1 but SPV = 0 (V was 0), htval = guest
 * physical address >> 2, htinst = 0 or the transformed instruction; never routed to
 * VS by hedeleg (V = 0 when they trap). HU = 0: illegal instruction in U; in VS/VU:
 * virtual instruction.
 */
#include "h.h"
#include "hvm.h"

/* guest physical addresses (G-stage leaves; U = 1 unless said) */
#define GB          0x100000000
#define G_DATA      (GB + 0x0000)       /* -> hdata RW */
#define G_RO        (GB + 0x1000)       /* -> hdata R */
#define G_XO        (GB + 0x2000)       /* -> hdata X only */
#define G_RX        (GB + 0x3000)       /* -> hdata RX */
#define G_NONE      (GB + 0x4000)       /* not mapped */
#define G_NOU       (GB + 0x5000)       /* -> hdata RW, U = 0 */
/* guest virtual addresses (VS-stage Sv39 leaves; U = 0 unless said) */
#define VB          0x100000000
#define V_DATA      (VB + 0x0000)       /* -> G_DATA  RW */
#define V_UDATA     (VB + 0x1000)       /* -> G_DATA  RW, U */
#define V_RO        (VB + 0x2000)       /* -> G_DATA  R */
#define V_XO        (VB + 0x3000)       /* -> G_RX    X only */
#define V_X_GX      (VB + 0x4000)       /* -> G_XO    X only (execute-only in both stages) */
#define V_R_GX      (VB + 0x5000)       /* -> G_XO    R (readable only at VS stage) */
#define V_X_GR      (VB + 0x6000)       /* -> G_RO    X (executable only at VS stage) */
#define V_GRO       (VB + 0x7000)       /* -> G_RO    RW */
#define V_GNONE     (VB + 0x8000)       /* -> G_NONE  RW */
#define V_NONE      (VB + 0x9000)       /* not mapped */
#define V_UX        (VB + 0xA000)       /* -> G_RX    X only, U */
#define V_GNOU      (VB + 0xB000)       /* -> G_NOU   RW */
#define V_RX        (VB + 0xC000)       /* -> G_RX    RX */
#define V_URX       (VB + 0xD000)       /* -> G_RX    RX, U */

#define D0          0xF1E2D3C4B5A69788  /* hdata + 0: negative bytes, halves, words */
#define D1          0x7F6E5D4C3B2A1908  /* hdata + 8: positive ones */
#define PF_DELEG    ((1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT))
#define GPF_DELEG   ((1 << CAUSE_LOAD_GUEST_PAGE_FAULT) | (1 << CAUSE_STORE_GUEST_PAGE_FAULT))
#define RWAD        (PTE_R | PTE_W | PTE_A | PTE_D)
#define U_RWAD      (PTE_U | RWAD)

.macro GMAPL gpa, label, flags
    mv a0, s4
    li a1, \gpa
    la a2, \label
    li a3, 0
    li a4, \flags
    li a5, 3
    jal gpt_map
.endm
.macro VMAP va, gpa, level, flags
    mv a0, s5
    li a1, \va
    li a2, \gpa
    li a3, \level
    li a4, \flags
    li a5, 3
    jal pt_map
.endm

/*
 * `op a2, (a1)` traps to `mode` with `cause` (illegal instruction from U with
 * hstatus.HU = 0, virtual instruction from VS / VU), epc = the instruction. tval:
 * the instruction bits, as CHECK_ILLEGAL expects of every illegal instruction
 * (a virtual-instruction trap writes it "the same as for an illegal-instruction
 * trap", hypervisor.adoc "norm:H_virtinst_xtval"). QEMU 7.2 writes 0 for these
 * instructions, so that part is strict-only.
 */
.macro CHECK_HINSN mode, cause, op, n
    EXPECT_TRAP .Lhv_r\@
.Lhv_i\@:
    \op a2, (a1)
.Lhv_r\@:
    CHECK_TRAP \mode, \cause, \n
    CHECK_ADDR s9, .Lhv_i\@, \n
#ifdef SPEC_STRICT
    la s11, .Lhv_i\@
    lwu s11, 0(s11)
    CHECK_REG s10, s11, \n
#endif
.endm

/* a1 = va, `op a2, (a1)` (an HLV / HLVX): no trap, a2 == val */
.macro CHECK_HLV op, va, val, n
    li a1, \va
    EXPECT_TRAP .Lhlv\@
    \op a2, (a1)
.Lhlv\@:
    DISARM
    CHECK_EQ s6, 0, \n
    CHECK_EQ a2, \val, \n
.endm

TEST_BEGIN h-hlv
    la t0, hdata
    li t1, D0
    sd t1, 0(t0)
    li t1, D1
    sd t1, 8(t0)

    /* ---- tables: G-stage Sv39x4, VS-stage Sv39 */
    jal hvm_reset
    la s4, gpt_root
    jal pt_alloc
    mv s5, a0
    mv a0, s4
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal gpt_map                                  /* guest DRAM = DRAM (VS tables, VS code) */
    GMAPL G_DATA, hdata, U_RWAD
    GMAPL G_RO, hdata, PTE_U | PTE_R | PTE_A
    GMAPL G_XO, hdata, PTE_U | PTE_X | PTE_A
    GMAPL G_RX, hdata, PTE_U | PTE_R | PTE_X | PTE_A
    GMAPL G_NOU, hdata, RWAD
    VMAP DRAM_BASE, DRAM_BASE, 2, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    VMAP V_DATA, G_DATA, 0, RWAD
    VMAP V_UDATA, G_DATA, 0, RWAD | PTE_U
    VMAP V_RO, G_DATA, 0, PTE_R | PTE_A
    VMAP V_XO, G_RX, 0, PTE_X | PTE_A
    VMAP V_X_GX, G_XO, 0, PTE_X | PTE_A
    VMAP V_R_GX, G_XO, 0, PTE_R | PTE_A
    VMAP V_X_GR, G_RO, 0, PTE_X | PTE_A
    VMAP V_GRO, G_RO, 0, RWAD
    VMAP V_GNONE, G_NONE, 0, RWAD
    VMAP V_UX, G_RX, 0, PTE_X | PTE_A | PTE_U
    VMAP V_GNOU, G_NOU, 0, RWAD
    VMAP V_RX, G_RX, 0, PTE_R | PTE_X | PTE_A
    VMAP V_URX, G_RX, 0, PTE_R | PTE_X | PTE_A | PTE_U
    MAKE_HGATP t0, s4, HGATP_MODE_SV39X4
    csrw CSR_HGATP, t0
    hfence.gvma zero, zero
    MAKE_SATP t0, s5, SATP_MODE_SV39
    csrw CSR_VSATP, t0
    hfence.vvma zero, zero
    li t0, PF_DELEG | GPF_DELEG
    csrw medeleg, t0
    li t0, HSTATUS_SPVP                          /* as VS */
    csrs CSR_HSTATUS, t0
    /* HS runs with its own Sv39 table: identity for devices and DRAM, and
     * V_DATA's address mapped to another page, hs_page. HLV/HSV must not use it.
     * (QEMU 7.2 also needs a non-Bare satp to raise page faults, not access
     * faults, for VS-stage faults of HLV/HSV: Tests/programs-h/README.md.) */
    jal pt_alloc
    mv s2, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    mv a0, s2
    li a1, V_DATA
    la a2, hs_page
    li a3, 0
    li a4, RWAD
    li a5, 3
    jal pt_map
    la t0, hs_page
    li t1, 0x5AFE
    sd t1, 0(t0)
    MAKE_SATP t0, s2, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma

    /* ================= from HS, SPVP = 1 (as VS) ================= */
    TO_HS
    li a1, V_DATA                                /* plain load: HS translation */
    ld a2, 0(a1)
    CHECK_EQ a2, 0x5AFE, 1
    /* every load width, sign- and zero-extension */
    CHECK_HLV hlv.b, V_DATA, 0xFFFFFFFFFFFFFF88, 2
    CHECK_HLV hlv.bu, V_DATA, 0x88, 3
    CHECK_HLV hlv.h, V_DATA, 0xFFFFFFFFFFFF9788, 4
    CHECK_HLV hlv.hu, V_DATA, 0x9788, 5
    CHECK_HLV hlv.w, V_DATA, 0xFFFFFFFFB5A69788, 6
    CHECK_HLV hlv.wu, V_DATA, 0xB5A69788, 7
    CHECK_HLV hlv.d, V_DATA, D0, 8
    CHECK_HLV hlv.b, V_DATA + 8, 0x08, 9
    CHECK_HLV hlv.h, V_DATA + 8, 0x1908, 10
    CHECK_HLV hlv.w, V_DATA + 8, 0x3B2A1908, 11
    CHECK_HLV hlv.d, V_DATA + 8, D1, 12
    CHECK_HLV hlv.b, V_DATA + 7, 0xFFFFFFFFFFFFFFF1, 13
    CHECK_HLV hlv.bu, V_DATA + 15, 0x7F, 14
    CHECK_HLV hlv.h, V_DATA + 6, 0xFFFFFFFFFFFFF1E2, 15
    CHECK_HLV hlv.w, V_DATA + 4, 0xFFFFFFFFF1E2D3C4, 16
    CHECK_HLV hlv.wu, V_DATA + 4, 0xF1E2D3C4, 17
    CHECK_HLV hlv.wu, V_DATA + 12, 0x7F6E5D4C, 18
    /* HLVX: zero-extended (V_RX is readable and executable in both stages) */
    CHECK_HLV hlvx.hu, V_RX, 0x9788, 19
    CHECK_HLV hlvx.wu, V_RX, 0xB5A69788, 20
    CHECK_HLV hlvx.hu, V_RX + 6, 0xF1E2, 21
    CHECK_HLV hlvx.wu, V_RX + 4, 0xF1E2D3C4, 22
#ifdef SPEC_STRICT
    /* HLVX needs execute permission instead of read: V_XO is execute-only at the
     * VS stage, V_X_GX in both stages. QEMU 7.2 requires read permission at the VS
     * stage (and then raises a load access fault) */
    CHECK_HLV hlvx.hu, V_XO, 0x9788, 23
    CHECK_HLV hlvx.wu, V_XO + 4, 0xF1E2D3C4, 24
    CHECK_HLV hlvx.wu, V_X_GX, 0xB5A69788, 25
#endif
    /* every store width; only the addressed bytes change */
    la a3, hdata
    sd zero, 16(a3)
    sd zero, 24(a3)
    li a1, V_DATA + 16
    li a2, 0x1234567890ABCDEF
    hsv.b a2, (a1)
    ld a4, 16(a3)
    CHECK_EQ a4, 0xEF, 26
    li a1, V_DATA + 18
    hsv.h a2, (a1)
    ld a4, 16(a3)
    CHECK_EQ a4, 0xCDEF00EF, 27
    li a1, V_DATA + 20
    hsv.w a2, (a1)
    ld a4, 16(a3)
    CHECK_EQ a4, 0x90ABCDEFCDEF00EF, 28
    li a1, V_DATA + 24
    hsv.d a2, (a1)
    ld a4, 24(a3)
    CHECK_EQ a4, 0x1234567890ABCDEF, 29
    hlv.d a4, (a1)
    CHECK_EQ a4, 0x1234567890ABCDEF, 30
    li a1, V_DATA + 31
    li a2, 0x80
    hsv.b a2, (a1)
    CHECK_HLV hlv.b, V_DATA + 31, 0xFFFFFFFFFFFFFF80, 31
    /* the VS-stage U bit by SPVP = 1: a U page needs vsstatus.SUM; HS SUM is ignored */
#ifdef SPEC_STRICT
    /* QEMU 7.2 lets HLV/HSV with SPVP = 1 access U pages without vsstatus.SUM */
    li a1, V_UDATA
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  DISARM
    CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 32
    li t0, MSTATUS_SUM
    csrs sstatus, t0                            /* HS-level SUM */
    EXPECT_TRAP 1f
    hsv.d a2, (a1)
1:  DISARM
    li t0, MSTATUS_SUM
    csrc sstatus, t0
    CHECK_HLV_PF_HS CAUSE_STORE_PAGE_FAULT, a1, 33
#endif
    li t0, MSTATUS_SUM
    csrs CSR_VSSTATUS, t0
    CHECK_HLV hlv.d, V_UDATA, D0, 34
    li t0, MSTATUS_SUM
    csrc CSR_VSSTATUS, t0
    /* VS-stage page faults: stval = guest virtual address, GVA = 1, SPV = 0,
     * htval = 0, htinst = 0 or the transformed instruction */
    li a1, V_NONE + 0x18
    EXPECT_TRAP 1f
.Lhl1: hlv.d a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 35
    CHECK_TINST_XF .Lhl1, XF_HLSV, 36
    li a1, V_RO + 0x20
    CHECK_HLV hlv.d, V_RO, D0, 37
    li a1, V_RO + 0x20
    EXPECT_TRAP 1f
.Lhs1: hsv.w a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_STORE_PAGE_FAULT, a1, 38
    CHECK_TINST_XF .Lhs1, XF_HLSV, 39
    /* guest-page faults: htval = guest physical address >> 2 */
    li a1, V_GRO + 0x28
    li a3, G_RO + 0x28
    CHECK_HLV hlv.d, V_GRO, D0, 40
    li a1, V_GRO + 0x28
    EXPECT_TRAP 1f
.Lhs2: hsv.h a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, 41
    CHECK_TINST_XF .Lhs2, XF_HLSV, 42
    li a1, V_GNONE + 0x30
    li a3, G_NONE + 0x30
    EXPECT_TRAP 1f
.Lhl2: hlv.wu a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 43
    CHECK_TINST_XF .Lhl2, XF_HLSV, 44
    EXPECT_TRAP 1f
    hsv.b a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, 45
    /* G-stage accesses are U-level whatever SPVP is */
    li a1, V_GNOU
    li a3, G_NOU
    EXPECT_TRAP 1f
    hlv.b a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 46
#ifdef SPEC_STRICT
    /* HLVX: needs X (not R) in both stages, faults are load faults. QEMU 7.2
     * checks read permission instead (no fault on V_DATA, a guest-page fault
     * instead of a page fault on V_R_GX, a page fault on V_X_GR) */
    li a1, V_DATA                                /* VS: RW, no X */
    EXPECT_TRAP 1f
    hlvx.hu a2, (a1)
1:  DISARM
    CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 47
    li a1, V_R_GX                                /* VS: R, no X */
    EXPECT_TRAP 1f
    hlvx.wu a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 48
    li a1, V_X_GR                                /* G: R, no X */
    li a3, G_RO
    EXPECT_TRAP 1f
    hlvx.wu a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 49
#endif
    /* HLV on execute-only pages: VS-stage first */
    li a1, V_X_GX
    EXPECT_TRAP 1f
    hlv.w a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 50
    li a1, V_R_GX
    li a3, G_XO
    EXPECT_TRAP 1f
    hlv.w a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 51
    /* vsstatus.MXR: VS stage only ("hlsv_vsstatus_mxr") */
    li t0, MSTATUS_MXR
    csrs CSR_VSSTATUS, t0
#ifdef SPEC_STRICT
    /* QEMU 7.2 takes the VS-stage MXR for HLV from sstatus and the G-stage one
     * from vsstatus */
    CHECK_HLV hlv.w, V_XO, 0xFFFFFFFFB5A69788, 52
    li a1, V_X_GX
    li a3, G_XO
    EXPECT_TRAP 1f
    hlv.w a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 53
    li a1, V_R_GX
    EXPECT_TRAP 1f
    hlv.w a2, (a1)
1:  DISARM
    CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, 54
#endif
    li t0, MSTATUS_MXR
    csrc CSR_VSSTATUS, t0
    /* HS-level sstatus.MXR: both stages ("hlsv_sstatus_mxr") */
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    CHECK_HLV hlv.d, V_XO, D0, 55
#ifdef SPEC_STRICT
    CHECK_HLV hlv.wu, V_X_GX, 0xB5A69788, 56    /* QEMU 7.2: G-stage MXR from vsstatus */
    CHECK_HLV hlv.h, V_R_GX, 0xFFFFFFFFFFFF9788, 57
#endif
    li a1, V_X_GX                                /* MXR does not make it writable */
    EXPECT_TRAP 1f
    hsv.w a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_STORE_PAGE_FAULT, a1, 58
    li t0, MSTATUS_MXR
    csrc sstatus, t0
    /* hedeleg does not route them to VS: V = 0 when they trap */
    TO_M
    li t0, PF_DELEG
    csrw CSR_HEDELEG, t0
    TO_HS
    li a1, V_NONE
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 59
    TO_M
    csrw CSR_HEDELEG, zero
    TO_HS

    /* ================= from HS, SPVP = 0 (as VU) ================= */
    li t0, HSTATUS_SPVP
    csrc CSR_HSTATUS, t0
    CHECK_HLV hlv.d, V_UDATA, D0, 60
    CHECK_HLV hlvx.wu, V_URX, 0xB5A69788, 61
#ifdef SPEC_STRICT
    CHECK_HLV hlvx.wu, V_UX, 0xB5A69788, 62     /* execute-only U page (QEMU 7.2: see above) */
#endif
    li a1, V_DATA                                /* not a U page */
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 63
    EXPECT_TRAP 1f
    hsv.d a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_STORE_PAGE_FAULT, a1, 64
    li a1, V_RX
    EXPECT_TRAP 1f
    hlvx.hu a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 65
    li t0, MSTATUS_SUM                           /* SUM is for VS only */
    csrs CSR_VSSTATUS, t0
    li a1, V_DATA
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 66
    li t0, MSTATUS_SUM
    csrc CSR_VSSTATUS, t0
    li a1, V_UDATA + 0x38
    li a2, 0x55
    hsv.b a2, (a1)
    la a3, hdata
    lbu a4, 0x38(a3)
    CHECK_EQ a4, 0x55, 67
    li t0, HSTATUS_SPVP
    csrs CSR_HSTATUS, t0

    /* ================= from M ================= */
    TO_M
    CHECK_HLV hlv.d, V_DATA, D0, 68
    CHECK_HLV hlv.b, V_DATA, 0xFFFFFFFFFFFFFF88, 69
    CHECK_HLV hlvx.hu, V_RX, 0x9788, 70
    li a1, V_DATA + 0x40
    li a2, 0x66
    hsv.w a2, (a1)
    la a3, hdata
    lwu a4, 0x40(a3)
    CHECK_EQ a4, 0x66, 71
    /* MPRV does not affect them (MPRV = 1, MPP = U, MPV = 0 would make a plain
     * load a U-level access without translation) */
    li t0, MSTATUS_MPP | MSTATUS_MPV
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    li a1, V_DATA
    hlv.d a2, (a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_EQ a2, D0, 72
    /* faults from M stay in M: mtval = guest virtual address, mstatus.GVA = 1,
     * MPV = 0, mtval2 = guest physical address >> 2 or 0 */
    li a1, V_NONE + 0x48
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 73
    CHECK_REG s10, a1, 74
    CHECK_MASK s7, MSTATUS_MPV, 0, 75
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, MSTATUS_GVA, 76 /* QEMU 7.2: GVA = 0 */
#endif
    CHECK_TVAL2 0, 77
    li a1, V_GRO + 0x50
    li a3, G_RO + 0x50
    EXPECT_TRAP 1f
.Lhs3: hsv.d a2, (a1)
1:  CHECK_TRAP 3, CAUSE_STORE_GUEST_PAGE_FAULT, 78
    CHECK_REG s10, a1, 79
    CHECK_MASK s7, MSTATUS_MPV, 0, 80
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, MSTATUS_GVA, 81
#endif
    HVM_CHECK_TVAL2_REG a3, 76
    CHECK_TINST_XF .Lhs3, XF_HLSV, 82

    /* ================= from U (satp = Bare: U runs at identity addresses) ================= */
    csrw satp, zero
    sfence.vma
    /* hstatus.HU = 0: illegal instruction */
    TO_U
    CHECK_HINSN 3, CAUSE_ILLEGAL_INSN, hlv.d, 83
    CHECK_HINSN 3, CAUSE_ILLEGAL_INSN, hlvx.wu, 84
    CHECK_HINSN 3, CAUSE_ILLEGAL_INSN, hsv.b, 85
    TO_M
    /* HU = 1: as in HS; SPVP (= 1) is not changed by the traps from U */
    li t0, HSTATUS_HU
    csrs CSR_HSTATUS, t0
    TO_U
    CHECK_HLV hlv.d, V_DATA, D0, 86
    CHECK_HLV hlv.h, V_DATA, 0xFFFFFFFFFFFF9788, 87
    CHECK_HLV hlvx.wu, V_RX, 0xB5A69788, 88
    li a1, V_DATA + 0x58
    li a2, 0x77
    hsv.h a2, (a1)
    CHECK_HLV hlv.hu, V_DATA + 0x58, 0x77, 89
    li a1, V_GNONE
    li a3, G_NONE
    EXPECT_TRAP 1f
    hsv.d a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, 90
    CHECK_MASK s7, MSTATUS_SPP, 0, 91           /* sstatus.SPP = U */
    CHECK_HSTATUS_MASK HSTATUS_SPVP, HSTATUS_SPVP, 92
#ifdef SPEC_STRICT
    li a1, V_UDATA                                /* SPVP = 1 still: U page faults */
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  DISARM
    CHECK_HLV_PF_HS CAUSE_LOAD_PAGE_FAULT, a1, 93
#endif
    TO_M
    li t0, HSTATUS_HU
    csrc CSR_HSTATUS, t0

    /* ================= vsatp = Bare: G-stage only ================= */
    csrw CSR_VSATP, zero
    hfence.vvma zero, zero
    TO_HS
    CHECK_HLV hlv.d, G_DATA, D0, 94
    CHECK_HLV hlvx.hu, G_RX, 0x9788, 95
    li a1, G_NONE + 0x60
    EXPECT_TRAP 1f
    hlv.d a2, (a1)
1:  CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, 96
#ifdef SPEC_STRICT
    li a1, G_RO                                  /* QEMU 7.2: no X check at the G stage */
    EXPECT_TRAP 1f
    hlvx.wu a2, (a1)
1:  DISARM
    CHECK_HLV_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, 97
#endif

    /* ================= from VS and VU: virtual instruction ================= */
    TO_M
    TO_VS
    CHECK_HINSN 3, CAUSE_VIRTUAL_INSN, hlv.d, 98
    CHECK_HINSN 3, CAUSE_VIRTUAL_INSN, hsv.w, 99
    TO_M
    TO_VU
    CHECK_HINSN 3, CAUSE_VIRTUAL_INSN, hlvx.hu, 100
    TO_M

    csrw CSR_HGATP, zero
    hfence.gvma zero, zero
    csrw medeleg, zero
    PASS

    .data
    .balign 4096
hdata:
    .space 4096
hs_page:
    .space 4096
