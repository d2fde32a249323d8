/*
 * h-csr: the CSRs the hypervisor extension adds or changes, and their WARL behaviour
 * (hypervisor.adoc "Hypervisor and Virtual Supervisor CSRs", "Machine-Level CSRs"):
 * misa.H; hstatus; hedeleg / hideleg; hvip / hip / hie and their aliases in mip / mie
 * and vsip / vsie; hgeie / hgeip and GEILEN; mideleg's read-only-one VS bits; henvcfg;
 * hcounteren; htimedelta; htval / htinst / mtval2 / mtinst; hgatp; vsstatus, vstvec,
 * vsscratch, vsepc, vscause, vstval, vsatp; mstatus.MPV / GVA; the supervisor CSRs
 * standing for the VS CSRs when V = 1; and which modes may access H and VS CSRs.
 *
 * GEILEN (the number of guest external interrupts) is implementation-defined, possibly
 * zero: it is measured from hgeie (s2 = the writable hgeie bits, s3 = GEILEN) and only
 * the relations the spec implies are checked.
 */
#include "h.h"
#include "vm.h"

#define MISA_H          (1 << 7)
#define MIP_S_ALL       (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define HS_ALL          (HSTATUS_GVA | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_HU | HSTATUS_VTVM | HSTATUS_VTW | HSTATUS_VTSR)
/* hstatus bits that are neither fields nor VSBE / VGEIN / VSXL / HUPMM (Ssnpm): WPRI */
#define HS_WPRI         (~(0x3f << 5) & ~HSTATUS_VGEIN & ~(7 << 20) & ~HSTATUS_VSXL & ~(3 << 48))
/* hedeleg (spec table "Bits of hedeleg that must be writable or must be read-only zero") */
#define HEDELEG_W       ((1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15))
#define HEDELEG_RO0     ((1 << 9) | (1 << 10) | (1 << 11) | (1 << 16) | (1 << 18) | (1 << 19) | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 23))
/* vsstatus: SIE SPIE SPP SUM MXR are plain read/write fields */
#define VSS_RW          (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR)
/* vsstatus WPRI (everything but SIE SPIE UBE SPP VS FS XS SUM MXR SPELP SDT UXL SD) */
#define VSS_WPRI        (~(0x2 | 0x20 | 0x40 | 0x100 | 0x600 | 0x6000 | 0x18000 | 0xC0000 | (3 << 23) | MSTATUS_UXL | MSTATUS_SD))
/* henvcfg WPRI: bit 1, 31:8, 58:34, 60 */
#define HENV_WPRI       ((1 << 1) | 0xFFFFFF00 | (0x1FFFFFF << 34) | (1 << 60))
#define ENVCFG_FIOM     1
#define ENVCFG_STCE     (1 << 63)
#define VSCRATCH_VAL    0x0123456789ABCDEF
#define HGATP_PROBE     (HGATP_MODE_SV39X4 | HGATP_VMID | HGATP_PPN)

TEST_BEGIN h-csr
    csrw CSR_VSSTATUS, zero
    csrw CSR_MENVCFG, zero
    csrw CSR_HENVCFG, zero

    /* ---------------- misa.H */
    csrr a1, misa
    CHECK_MASK a1, MISA_H, MISA_H, 1

    /* ---------------- hgeie / hgeip, GEILEN ("hgeip and hgeie"): bits GEILEN:1 of
       hgeie writable, all others read-only zero in hgeie and hgeip */
    li a1, -1
    csrw hgeie, a1
    csrr s2, hgeie
    csrw hgeie, zero
    csrr a1, hgeie
    CHECK_EQ a1, 0, 2
    CHECK_MASK s2, 1, 0, 3                  /* bit 0 is never a guest interrupt */
    ori a1, s2, 1                           /* s2 | 1 = 2^(GEILEN+1) - 1 */
    addi a2, a1, 1
    and a2, a2, a1
    CHECK_EQ a2, 0, 4                       /* implemented from bit 1 up, no gaps */
    li s3, 0                                /* s3 = GEILEN */
    mv a1, s2
1:  beqz a1, 2f
    srli a1, a1, 1
    addi s3, s3, 1
    j 1b
2:  csrr a1, hgeip
    not a2, s2
    and a1, a1, a2
    CHECK_EQ a1, 0, 5                       /* hgeip only in the GEILEN bits */
    CHECK_ILLEGAL 6, csrw hgeip, zero       /* read-only CSR (0xE12) */

    /* ---------------- mideleg: bits 10, 6, 2 read-only one ("mideleg" register);
       bit 12 too if GEILEN != 0 */
    csrw mideleg, zero
    csrr a1, mideleg
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 7
    beqz s3, 1f
    CHECK_MASK a1, MIP_SGEIP, MIP_SGEIP, 8
1:

    /* ---------------- hstatus ("hstatus" register) */
    li a1, ~HSTATUS_VGEIN                   /* VGEIN is WLRL: only legal values are written */
    csrw hstatus, a1
    csrr a1, hstatus
    CHECK_MASK a1, HS_ALL, HS_ALL, 9
#ifdef SPEC_STRICT
    CHECK_MASK a1, HS_WPRI, 0, 10           /* WPRI: read-only zero (QEMU keeps them) */
#endif
    CHECK_MASK a1, HSTATUS_VGEIN, 0, 11
    srli a2, a1, HSTATUS_VSXL_SHIFT         /* VSXL: WARL, a legal XLEN <= 64 (1 or 2) */
    andi a2, a2, 3
    addi a2, a2, -1
    li a3, 2
    CHECK_LTU a2, a3, 12
    csrw hstatus, zero
    csrr a1, hstatus
    CHECK_MASK a1, HS_ALL | HS_WPRI | HSTATUS_VGEIN, 0, 13
    srli a2, a1, HSTATUS_VSXL_SHIFT         /* VSXL can't take 0 */
    andi a2, a2, 3
    addi a2, a2, -1
    CHECK_LTU a2, a3, 14
    li a1, 2 << HSTATUS_VSXL_SHIFT          /* VSXLEN = HSXLEN is always legal */
    csrw hstatus, a1
    csrr a1, hstatus
    CHECK_MASK a1, HSTATUS_VSXL, 2 << HSTATUS_VSXL_SHIFT, 15
    /* VGEIN holds 0..GEILEN */
    slli a2, s3, HSTATUS_VGEIN_SHIFT
    or a1, a1, a2
    csrw hstatus, a1
    csrr a1, hstatus
    srli a1, a1, HSTATUS_VGEIN_SHIFT
    andi a1, a1, 0x3f
    CHECK_REG a1, s3, 16
    li a1, HSTATUS_VGEIN
    csrc hstatus, a1
    csrr a1, hstatus
    CHECK_MASK a1, HSTATUS_VGEIN, 0, 17
    /* each field alone */
    li a1, HSTATUS_SPV
    csrs hstatus, a1
    csrr a2, hstatus
    csrc hstatus, a1
    CHECK_MASK a2, HS_ALL, HSTATUS_SPV, 18
    li a1, HSTATUS_VTSR
    csrs hstatus, a1
    csrr a2, hstatus
    csrc hstatus, a1
    CHECK_MASK a2, HS_ALL, HSTATUS_VTSR, 19

    /* ---------------- hedeleg / hideleg */
    li a1, -1
    csrw hedeleg, a1
    csrr a1, hedeleg
    CHECK_MASK a1, HEDELEG_W, HEDELEG_W, 20
    CHECK_MASK a1, HEDELEG_RO0, 0, 21
    csrw hedeleg, zero
    csrr a1, hedeleg
    CHECK_EQ a1, 0, 22
    li a1, -1
    csrw hideleg, a1
    csrr a1, hideleg
    /* bits 10, 6, 2 writable; 12, 9, 5, 1 read-only zero; the rest of 15:0 have zero in
       mideleg (or need extensions not implemented), so read-only zero */
    CHECK_MASK a1, 0xFFFF, MIP_VS_ALL, 23
    csrw hideleg, zero
    csrr a1, hideleg
    CHECK_EQ a1, 0, 24

    /* ---------------- hvip / hip / mip ("hvip, hip, and hie"; mip / mie) */
    li a1, -1
    csrw hvip, a1
    csrr a1, hvip
    CHECK_MASK a1, 0xFFFF, MIP_VS_ALL, 25
    csrr a1, hip                            /* pending = hvip (VGEIN = 0, STCE = 0) */
    CHECK_MASK a1, 0xFFFF & ~MIP_SGEIP, MIP_VS_ALL, 26
    csrr a1, mip                            /* mip's VS bits alias hip's */
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 27
    csrr a1, sip                            /* never in sip: sip and hip are disjoint */
    CHECK_MASK a1, MIP_VS_ALL | MIP_SGEIP, 0, 28
    li a1, MIP_VSSIP                        /* hip.VSSIP is writable: the hvip bit */
    csrc hip, a1
    csrr a1, hvip
    CHECK_MASK a1, MIP_VS_ALL, MIP_VSTIP | MIP_VSEIP, 29
    li a1, MIP_VSTIP | MIP_VSEIP            /* hip.VSTIP / VSEIP are read-only */
    csrc hip, a1
    csrr a1, hip
    CHECK_MASK a1, MIP_VS_ALL, MIP_VSTIP | MIP_VSEIP, 30
    li a1, MIP_VSSIP
    csrs hip, a1
    csrr a1, hvip
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 31
    csrw hvip, zero
    csrr a1, hip
    CHECK_MASK a1, MIP_VS_ALL, 0, 32
    csrr a1, mip
    CHECK_MASK a1, MIP_VS_ALL, 0, 33
    li a1, MIP_VSSIP                        /* mip.VSSIP is the same writable bit */
    csrs mip, a1
    csrr a1, hvip
    CHECK_MASK a1, MIP_VS_ALL, MIP_VSSIP, 34
    li a1, MIP_VSSIP
    csrc mip, a1
    csrr a1, hvip
    CHECK_MASK a1, MIP_VS_ALL, 0, 35
    li a1, MIP_VSTIP | MIP_VSEIP            /* mip.VSTIP / VSEIP read-only (like hip's) */
    csrs mip, a1
    csrr a2, hip
    csrc mip, a1                            /* (QEMU keeps them: clear for what follows) */
#ifdef SPEC_STRICT
    CHECK_MASK a2, MIP_VS_ALL, 0, 36
#endif
    /* hip has nothing of sip's: writing sip's bits through hip does nothing */
    li a1, MIP_S_ALL
    csrs hip, a1
    csrr a1, hip
    CHECK_MASK a1, MIP_S_ALL, 0, 37
    csrr a1, mip
    CHECK_MASK a1, MIP_S_ALL, 0, 38

    /* ---------------- hie / mie / sie */
    li a1, -1
    csrw hie, a1
    csrr a1, hie
    li a2, MIP_VS_ALL
    beqz s3, 1f
    li a2, MIP_VS_ALL | MIP_SGEIP           /* SGEIE exists iff SGEI can be pending */
1:  li a3, 0xFFFF
#ifndef SPEC_STRICT
    li a3, 0xFFFF & ~MIP_SGEIP              /* QEMU: SGEIE writable though GEILEN = 0 */
    and a2, a2, a3
#endif
    and a1, a1, a3
    CHECK_REG a1, a2, 39
    csrr a1, mie
    CHECK_MASK a1, MIP_VS_ALL, MIP_VS_ALL, 40
    csrr a1, sie
    CHECK_MASK a1, MIP_VS_ALL | MIP_SGEIP, 0, 41
    csrw mie, zero                          /* hie's bits are mie's */
    csrr a1, hie
    CHECK_EQ a1, 0, 42
    li a1, MIP_VSTIP
    csrs mie, a1
    csrr a1, hie
    CHECK_EQ a1, MIP_VSTIP, 43
    li a1, MIP_S_ALL                        /* sie's bits are not hie's */
    csrw sie, a1
    csrr a1, hie
    CHECK_EQ a1, MIP_VSTIP, 44
    csrw sie, zero
    csrw mie, zero

    /* ---------------- vsip / vsie ("vsip and vsie"): zero unless hideleg delegates;
       then vsip.SxIP / vsie.SxIE alias hip.VSxIP / hie.VSxIE */
    li a1, MIP_VS_ALL
    csrw hvip, a1
    csrw hie, a1
    csrr a1, vsip
    CHECK_EQ a1, 0, 45
    csrr a1, vsie
    CHECK_EQ a1, 0, 46
    li a1, -1
    csrw vsie, a1                           /* read-only zero: no effect on hie */
    csrw vsip, zero
    csrr a1, hie
    CHECK_EQ a1, MIP_VS_ALL, 47
    csrr a1, hvip
    CHECK_EQ a1, MIP_VS_ALL, 48
    li a1, MIP_VSSIP                        /* only VSSI delegated */
    csrw hideleg, a1
    csrr a1, vsip
    CHECK_EQ a1, MIP_SSIP, 49
    csrr a1, vsie
    CHECK_EQ a1, MIP_SSIP, 50
    li a1, MIP_VS_ALL
    csrw hideleg, a1
    csrr a1, vsip
#ifdef SPEC_STRICT
    CHECK_MASK a1, 0xFFFF, MIP_S_ALL, 51
#else
    CHECK_MASK a1, 0xFFFF & ~(MIP_STIP | MIP_SEIP), MIP_SSIP, 52    /* QEMU: no STIP / SEIP */
#endif
    csrr a1, vsie
    CHECK_MASK a1, 0xFFFF, MIP_S_ALL, 53
    li a1, MIP_STIP                         /* vsie.STIE is hie.VSTIE */
    csrc vsie, a1
    csrr a1, hie
    CHECK_EQ a1, MIP_VSSIP | MIP_VSEIP, 54
    csrw vsip, zero                         /* clears only SSIP (STIP, SEIP read-only) */
    csrr a1, hvip
    CHECK_EQ a1, MIP_VSTIP | MIP_VSEIP, 55
    li a1, MIP_SSIP
    csrs vsip, a1
    csrr a1, hvip
    CHECK_EQ a1, MIP_VS_ALL, 56
    csrw hie, zero
    csrw hvip, zero
    csrw hideleg, zero

    /* ---------------- henvcfg ("henvcfg"; menvcfg.STCE, Sstc) */
    li a1, -1
    csrw CSR_HENVCFG, a1
    csrr a1, CSR_HENVCFG
    CHECK_MASK a1, ENVCFG_FIOM, ENVCFG_FIOM, 57
    CHECK_MASK a1, HENV_WPRI, 0, 58
#ifdef SPEC_STRICT
    CHECK_MASK a1, ENVCFG_STCE, 0, 59       /* read-only zero while menvcfg.STCE = 0 */
#endif
    li a1, ENVCFG_STCE
    csrw CSR_MENVCFG, a1
    li a1, -1
    csrw CSR_HENVCFG, a1
    csrr a1, CSR_HENVCFG
    CHECK_MASK a1, ENVCFG_STCE, ENVCFG_STCE, 60
#ifdef SPEC_STRICT
    /* PBMTE / ADUE are read-only zero while zero in menvcfg */
    CHECK_MASK a1, (1 << 62) | (1 << 61), 0, 61
#endif
    csrw CSR_HENVCFG, zero
    csrr a1, CSR_HENVCFG
    CHECK_EQ a1, 0, 62
    csrw CSR_MENVCFG, zero

    /* ---------------- hcounteren: 32 bits ("hcounteren"); CY / TM / IR may be read-only
       zero by the spec, but this hart implements them (as in mcounteren, csr.S) */
    li a1, -1
    csrw hcounteren, a1
    csrr a1, hcounteren
    CHECK_MASK a1, 7, 7, 63
#ifdef SPEC_STRICT
    srli a1, a1, 32                         /* a 32-bit register (QEMU keeps 64 bits) */
    CHECK_EQ a1, 0, 64
#endif
    csrw hcounteren, zero
    csrr a1, hcounteren
    CHECK_EQ a1, 0, 65

    /* ---------------- htimedelta: 64-bit read/write; time in VS / VU = time + htimedelta */
    li a1, 0x8765432112345678
    csrw htimedelta, a1
    csrr a2, htimedelta
    CHECK_REG a2, a1, 66
    li a1, 1 << 40
    csrw htimedelta, a1
    li a1, 2                                /* TM */
    csrw mcounteren, a1
    csrw hcounteren, a1
    csrw scounteren, a1
    csrr s4, time
    TO_VS
    csrr a4, time
    VS_TO_VU
    csrr a5, time
    TO_M
    csrr s5, time
    li a1, 1 << 40                          /* VS / VU: read - 2^40 in [s4, s5] */
    sub a2, s5, s4
    addi a2, a2, 1
    sub a4, a4, a1
    sub a4, a4, s4
    CHECK_LTU a4, a2, 67
    sub a5, a5, a1
    sub a5, a5, s4
    CHECK_LTU a5, a2, 68
    li a1, -(1 << 50)                       /* overflow ignored: a negative offset */
    csrw htimedelta, a1
    csrr s4, time
    TO_VS
    csrr a4, time
    TO_M
    csrr s5, time
    li a1, -(1 << 50)
    sub a2, s5, s4
    addi a2, a2, 1
    sub a4, a4, a1
    sub a4, a4, s4
    CHECK_LTU a4, a2, 69
    csrw htimedelta, zero
    csrw mcounteren, zero
    csrw hcounteren, zero
    csrw scounteren, zero

    /* ---------------- mtval2 / mtinst / htval / htinst: hold zero; written on every trap
       ("mtval2", "mtinst", "htval", "htinst"): zero for traps other than guest-page
       faults (tval2), zero for a standard instruction without a transformation (tinst) */
    csrw CSR_MTVAL2, zero
    csrr a1, CSR_MTVAL2
    CHECK_EQ a1, 0, 70
    csrw CSR_MTINST, zero
    csrr a1, CSR_MTINST
    CHECK_EQ a1, 0, 71
    csrw htval, zero
    csrr a1, htval
    CHECK_EQ a1, 0, 72
    csrw htinst, zero
    csrr a1, htinst
    CHECK_EQ a1, 0, 73
    li a1, 0x1000                           /* a 2-bit-shifted guest physical address */
    csrw CSR_MTVAL2, a1
    csrw htval, a1
    li a1, MSTATUS_GVA
    csrs mstatus, a1
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 74
    CHECK_TVAL2 0, 75
    CHECK_TINST 0, 76
    CHECK_MASK s7, MSTATUS_MPV, 0, 77                   /* from V = 0 */
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_GVA, 0, 78                   /* no guest address: GVA written 0 */
#endif
    li a1, MSTATUS_GVA
    csrc mstatus, a1
    li a1, 1 << CAUSE_BREAKPOINT
    csrw medeleg, a1
    li a1, HSTATUS_GVA
    csrs hstatus, a1
    TO_HS
    EXPECT_TRAP 1f
    ebreak
1:  CHECK_TRAP 1, CAUSE_BREAKPOINT, 79
    CHECK_TVAL2 0, 80
    CHECK_TINST 0, 81
    CHECK_HSTATUS_MASK HSTATUS_GVA | HSTATUS_SPV, 0, 82
    TO_M
    csrw medeleg, zero

    /* ---------------- mstatus.MPV / GVA are read/write fields ("mstatus and mstatush") */
    li a1, MSTATUS_MPV
    csrs mstatus, a1
    csrr a2, mstatus
    csrc mstatus, a1
    csrr a3, mstatus
    CHECK_MASK a2, MSTATUS_MPV, MSTATUS_MPV, 83
    CHECK_MASK a3, MSTATUS_MPV, 0, 84
    li a1, MSTATUS_GVA
    csrs mstatus, a1
    csrr a2, mstatus
    csrc mstatus, a1
    csrr a3, mstatus
    CHECK_MASK a2, MSTATUS_GVA, MSTATUS_GVA, 85
    CHECK_MASK a3, MSTATUS_GVA, 0, 86
    csrr a1, sstatus                        /* not part of sstatus */
    CHECK_MASK a1, MSTATUS_GVA | MSTATUS_MPV, 0, 87

    /* ---------------- hgatp ("hgatp"): Sv39x4 / Sv48x4; PPN[1:0] read zero; VMID
       implemented from its low bits up; an unsupported MODE is not ignored but WARL */
    li a1, HGATP_PROBE
    csrw hgatp, a1
    csrr a1, hgatp
    srli a2, a1, 60
    CHECK_EQ a2, 8, 88
#ifdef SPEC_STRICT
    CHECK_MASK a1, 3, 0, 89                 /* QEMU keeps PPN[1:0] */
#endif
    li a3, HGATP_PPN & ~3                   /* the other PPN bits: up to the PA width */
    and a2, a1, a3
    CHECK_NE a2, 0, 90
    srli a2, a1, HGATP_VMID_SHIFT
    li a3, 0x3fff
    and a2, a2, a3
    addi a3, a2, 1
    and a3, a3, a2
    CHECK_EQ a3, 0, 91
    li a2, 0x80010000 >> 12                 /* a 16 KiB-aligned root */
    li a1, HGATP_MODE_SV48X4
    or a1, a1, a2
    csrw hgatp, a1
    csrr a3, hgatp
    CHECK_REG a3, a1, 92
    li a1, HGATP_MODE_SV39X4
    or a1, a1, a2
    csrw hgatp, a1
    csrr a3, hgatp
    CHECK_REG a3, a1, 93
    li a1, (1 << 60) | 0x1000               /* reserved MODE 1: WARL, never reads 1 */
    csrw hgatp, a1
    csrr a1, hgatp
    srli a1, a1, 60
#ifdef SPEC_STRICT
    CHECK_NE a1, 1, 94                      /* QEMU keeps a reserved MODE */
#endif
    li a1, (15 << 60) | 0x1000
    csrw hgatp, a1
    csrr a1, hgatp
    srli a1, a1, 60
#ifdef SPEC_STRICT
    CHECK_NE a1, 15, 95
#endif
    csrw hgatp, zero
    csrr a1, hgatp
    CHECK_EQ a1, 0, 96
    hfence.gvma
    /* mstatus.TVM: hgatp trapped in HS, vsatp not ("mstatus": TVM) */
    li a1, MSTATUS_TVM
    csrs mstatus, a1
    TO_HS
#ifdef SPEC_STRICT
    CHECK_ILLEGAL 97, csrr a1, hgatp        /* QEMU ignores TVM for hgatp */
    CHECK_ILLEGAL 98, csrw hgatp, zero
#endif
    CHECK_ILLEGAL 99, hfence.gvma
    li a1, SATP_MODE_SV39 | 0x1234
    csrw vsatp, a1
    csrr a2, vsatp
    CHECK_REG a2, a1, 100
    csrw vsatp, zero
    hfence.vvma
    TO_M
    li a1, MSTATUS_TVM
    csrc mstatus, a1

    /* ---------------- vsstatus ("vsstatus") */
    li a1, VSS_RW
    csrc mstatus, a1
    li a1, -1
    csrw CSR_VSSTATUS, a1
    csrr a1, CSR_VSSTATUS
    CHECK_MASK a1, VSS_RW, VSS_RW, 101
#ifdef SPEC_STRICT
    /* QEMU keeps every bit written to vsstatus (WPRI, XS, UXL = 3, SD) */
    CHECK_MASK a1, VSS_WPRI, 0, 102
    CHECK_MASK a1, MSTATUS_XS, 0, 103        /* no extension with extra state */
    srli a2, a1, 32                         /* UXL: 1 or 2 */
    andi a2, a2, 3
    addi a2, a2, -1
    li a3, 2
    CHECK_LTU a2, a3, 104
#endif
    /* SD summarises FS / VS / XS of vsstatus */
    li a4, 3
    li a5, 0
    srli a2, a1, 13                         /* FS */
    andi a2, a2, 3
    bne a2, a4, 1f
    li a5, 1
1:  srli a2, a1, 9                          /* VS */
    andi a2, a2, 3
    bne a2, a4, 1f
    li a5, 1
1:  srli a2, a1, 15                         /* XS */
    andi a2, a2, 3
    bne a2, a4, 1f
    li a5, 1
1:  srli a2, a1, 63
    CHECK_REG a2, a5, 105
    csrr a2, mstatus                        /* the HS-level fields are separate */
    CHECK_MASK a2, VSS_RW, 0, 106
    li a1, 2 << 32
    csrw CSR_VSSTATUS, a1
    csrr a1, CSR_VSSTATUS
    CHECK_MASK a1, VSS_RW | MSTATUS_UXL, 2 << 32, 107
    li a1, MSTATUS_SUM | MSTATUS_MXR
    csrs mstatus, a1
    csrr a1, CSR_VSSTATUS
    CHECK_MASK a1, VSS_RW, 0, 108
    li a1, MSTATUS_SUM | MSTATUS_MXR
    csrc mstatus, a1

    /* ---------------- vstvec / vsscratch / vsepc / vscause / vstval: the sets of
       values they hold are those of stvec / sscratch / sepc / scause / stval */
    la a1, vs_frame + 0x100
    andi a1, a1, -256
    csrw CSR_VSTVEC, a1
    csrr a2, CSR_VSTVEC
    CHECK_REG a2, a1, 109
    li a1, 0x80001001                       /* vectored: held by both or by neither */
    csrw stvec, a1
    csrw CSR_VSTVEC, a1
    csrr a2, stvec
    csrr a3, CSR_VSTVEC
    CHECK_REG a3, a2, 110
#ifdef SPEC_STRICT
    li a1, -1                               /* QEMU keeps MODE = 3 in vstvec */
    csrw stvec, a1
    csrw CSR_VSTVEC, a1
    csrr a2, stvec
    csrr a3, CSR_VSTVEC
    CHECK_REG a3, a2, 111
#endif
    la a1, trap_s
    csrw stvec, a1
    la a1, trap_vs
    csrw CSR_VSTVEC, a1
    li a1, VSCRATCH_VAL
    csrw CSR_VSSCRATCH, a1
    csrr a2, CSR_VSSCRATCH
    CHECK_REG a2, a1, 112
    la a1, vs_frame
    csrw CSR_VSSCRATCH, a1
    li a1, -1
    csrw sepc, a1
    csrw CSR_VSEPC, a1
    csrr a2, sepc
    csrr a3, CSR_VSEPC
    CHECK_REG a3, a2, 113
#ifdef SPEC_STRICT
    CHECK_MASK a3, 1, 0, 114                /* vsepc[0] is zero like sepc[0] */
#endif
    li a1, 0x80001232
    csrw CSR_VSEPC, a1
    csrr a2, CSR_VSEPC
    CHECK_REG a2, a1, 115
    li a1, CAUSE_VIRTUAL_INSN
    csrw CSR_VSCAUSE, a1
    csrr a2, CSR_VSCAUSE
    CHECK_REG a2, a1, 116
    li a1, CAUSE_INTR | IRQ_STI
    csrw CSR_VSCAUSE, a1
    csrr a2, CSR_VSCAUSE
    CHECK_REG a2, a1, 117
    li a1, -1
    csrw stval, a1
    csrw CSR_VSTVAL, a1
    csrr a2, stval
    csrr a3, CSR_VSTVAL
    CHECK_REG a3, a2, 118
    li a1, 0x12345678
    csrw CSR_VSTVAL, a1
    csrr a2, CSR_VSTVAL
    CHECK_REG a2, a1, 119

    /* ---------------- vsatp ("vsatp") written with V = 0: Sv39 / Sv48 held, an
       unsupported MODE ignored or made legal, satp untouched */
    li a1, SATP_MODE_SV39 | 0x12345
    csrw CSR_VSATP, a1
    csrr a2, CSR_VSATP
    CHECK_REG a2, a1, 120
    csrr a2, satp
    CHECK_EQ a2, 0, 121
    li a1, SATP_MODE_SV48 | 0x12345
    csrw CSR_VSATP, a1
    csrr a2, CSR_VSATP
    CHECK_REG a2, a1, 122
    li a1, (1 << 60) | 0x12345
    csrw CSR_VSATP, a1
    csrr a2, CSR_VSATP
    srli a2, a2, 60
#ifdef SPEC_STRICT
    CHECK_NE a2, 1, 123                     /* QEMU keeps the reserved MODE */
#endif
    csrw CSR_VSATP, zero
    csrr a2, CSR_VSATP
    CHECK_EQ a2, 0, 124

    /* ---------------- V = 1: the supervisor CSRs are the VS CSRs ("When V=1, the VS
       CSRs substitute for the corresponding supervisor CSRs"), and HS's keep their values */
    jal pt_alloc                            /* VS-stage identity map for satp below */
    mv s4, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    li a1, 0x1111
    csrw sscratch, a1
    li a1, 0x80002000
    csrw sepc, a1
    li a1, 3
    csrw scause, a1
    li a1, 0x5555
    csrw stval, a1
    li a1, 0x2222
    csrw CSR_VSSCRATCH, a1
    li a1, 0x80003000
    csrw CSR_VSEPC, a1
    li a1, 7
    csrw CSR_VSCAUSE, a1
    li a1, 0x6666
    csrw CSR_VSTVAL, a1
    li a1, MSTATUS_SUM
    csrw CSR_VSSTATUS, a1
    TO_VS
    csrr a1, sscratch
    CHECK_EQ a1, 0x2222, 125
    csrr a1, sepc
    CHECK_EQ a1, 0x80003000, 126
    csrr a1, scause
    CHECK_EQ a1, 7, 127
    csrr a1, stval
    CHECK_EQ a1, 0x6666, 128
    csrr a1, stvec
    CHECK_ADDR a1, trap_vs, 129
    csrr a1, sstatus
    CHECK_MASK a1, VSS_RW, MSTATUS_SUM, 130
    csrr a1, satp
    CHECK_EQ a1, 0, 131
    li a1, 0x3333
    csrw sscratch, a1
    li a1, 0x80004000
    csrw sepc, a1
    li a1, 5
    csrw scause, a1
    li a1, 0x7777
    csrw stval, a1
    la a1, vs_frame
    csrw stvec, a1
    li a1, MSTATUS_SUM
    csrc sstatus, a1
    li a1, MSTATUS_MXR
    csrs sstatus, a1
    /* satp = vsatp: Sv39 turns VS-stage translation on (identity map) */
    MAKE_SATP s5, s4, SATP_MODE_SV39
    csrw satp, s5
    sfence.vma
    csrr a2, satp
    li a1, (1 << 60) | 0x12345              /* unsupported MODE with V = 1: write ignored */
    csrw satp, a1
    csrr a3, satp
    csrw satp, zero
    sfence.vma
    TO_M
    CHECK_REG a2, s5, 132
    CHECK_REG a3, s5, 133
    csrr a1, CSR_VSSCRATCH
    CHECK_EQ a1, 0x3333, 134
    csrr a1, CSR_VSEPC
    CHECK_EQ a1, 0x80004000, 135
    csrr a1, CSR_VSCAUSE
    CHECK_EQ a1, 5, 136
    csrr a1, CSR_VSTVAL
    CHECK_EQ a1, 0x7777, 137
    csrr a1, CSR_VSTVEC
    CHECK_ADDR a1, vs_frame, 138
    csrr a1, CSR_VSSTATUS
    CHECK_MASK a1, MSTATUS_SUM | MSTATUS_MXR, MSTATUS_MXR, 139
    csrr a1, CSR_VSATP
    CHECK_EQ a1, 0, 140
    csrr a1, sscratch                       /* HS's are unchanged */
    CHECK_EQ a1, 0x1111, 141
    csrr a1, sepc
    CHECK_EQ a1, 0x80002000, 142
    csrr a1, scause
    CHECK_EQ a1, 3, 143
    csrr a1, stval
    CHECK_EQ a1, 0x5555, 144
    csrr a1, stvec
    CHECK_ADDR a1, trap_s, 145
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_SUM | MSTATUS_MXR, 0, 146
    csrr a1, satp
    CHECK_EQ a1, 0, 147
    la a1, s_frame
    csrw sscratch, a1
    la a1, vs_frame
    csrw CSR_VSSCRATCH, a1
    la a1, trap_vs
    csrw CSR_VSTVEC, a1
    csrw CSR_VSSTATUS, zero
    /* sip / sie in VS are vsip / vsie */
    li a1, MIP_VS_ALL
    csrw hideleg, a1
    csrw hvip, a1
    TO_VS
#ifdef SPEC_STRICT
    /* QEMU's sip / sie read zero in VS here (masked by mideleg's S bits, which are 0) */
    csrr a1, sip
    CHECK_MASK a1, 0xFFFF, MIP_S_ALL, 148
#endif
    csrr a1, sie
    CHECK_EQ a1, 0, 149
    li a1, MIP_STIP                         /* vsstatus.SIE = 0: not taken */
    csrs sie, a1
#ifdef SPEC_STRICT
    csrr a1, sie
    CHECK_MASK a1, 0xFFFF, MIP_STIP, 150
#endif
    li a1, MIP_SSIP
    csrc sip, a1
    TO_M
    csrr a1, hie
    CHECK_EQ a1, MIP_VSTIP, 151
    csrr a1, hvip
    CHECK_EQ a1, MIP_VSTIP | MIP_VSEIP, 152
    csrr a1, sie
    CHECK_EQ a1, 0, 153
    csrw hie, zero
    csrw hvip, zero
    csrw hideleg, zero

    /* ---------------- who may access the H and VS CSRs ("Hypervisor and Virtual
       Supervisor CSRs"; "Virtual-instruction exceptions") */
    li a1, MSTATUS_MPIE
    csrc mstatus, a1
    TO_HS                                   /* HS: all of them */
    csrr a1, hstatus
    csrr a1, hedeleg
    csrr a1, hideleg
    csrr a1, hie
    csrr a1, hip
    csrr a1, hvip
    csrr a1, hcounteren
    csrr a1, hgeie
    csrr a1, hgeip
    csrr a1, htval
    csrr a1, htinst
    csrr a1, hgatp
    csrr a1, htimedelta
    csrr a1, CSR_HENVCFG
    csrr a1, CSR_VSSTATUS
    csrr a1, CSR_VSIE
    csrr a1, CSR_VSIP
    csrr a1, CSR_VSTVEC
    csrr a1, CSR_VSSCRATCH
    csrr a1, CSR_VSEPC
    csrr a1, CSR_VSCAUSE
    csrr a1, CSR_VSTVAL
    csrr a1, CSR_VSATP
    CHECK_ILLEGAL 154, csrr a1, CSR_MTVAL2  /* but not M's */
    CHECK_ILLEGAL 155, csrr a1, CSR_MTINST
    CHECK_ILLEGAL 156, csrw hgeip, zero     /* read-only */
    S_TO_U                                  /* U: none ("as usual") */
    CHECK_ILLEGAL 157, csrr a1, hstatus
    CHECK_ILLEGAL 158, csrr a1, hgatp
    CHECK_ILLEGAL 159, csrr a1, CSR_VSSTATUS
    CHECK_ILLEGAL 160, csrr a1, CSR_VSATP
    TO_M
    /* VS: a hypervisor or VS CSR access allowed in HS raises a virtual-instruction
       exception; one not allowed in HS either is illegal */
    TO_VS
    CHECK_VIRTUAL 161, csrr a1, hstatus
    CHECK_VIRTUAL 162, csrw hstatus, zero
    CHECK_VIRTUAL 163, csrr a1, hedeleg
    CHECK_VIRTUAL 164, csrr a1, hideleg
    CHECK_VIRTUAL 165, csrr a1, hie
    CHECK_VIRTUAL 166, csrr a1, hip
    CHECK_VIRTUAL 167, csrr a1, hvip
    CHECK_VIRTUAL 168, csrr a1, hcounteren
    CHECK_VIRTUAL 169, csrr a1, hgeie
    CHECK_VIRTUAL 170, csrr a1, hgeip
    CHECK_VIRTUAL 171, csrr a1, htval
    CHECK_VIRTUAL 172, csrr a1, htinst
    CHECK_VIRTUAL 173, csrr a1, hgatp
    CHECK_VIRTUAL 174, csrw hgatp, zero
    CHECK_VIRTUAL 175, csrr a1, htimedelta
    CHECK_VIRTUAL 176, csrr a1, CSR_HENVCFG
    CHECK_VIRTUAL 177, csrr a1, CSR_VSSTATUS
    CHECK_VIRTUAL 178, csrr a1, CSR_VSIE
    CHECK_VIRTUAL 179, csrr a1, CSR_VSIP
    CHECK_VIRTUAL 180, csrr a1, CSR_VSTVEC
    CHECK_VIRTUAL 181, csrr a1, CSR_VSSCRATCH
    CHECK_VIRTUAL 182, csrw CSR_VSSCRATCH, a1
    CHECK_VIRTUAL 183, csrr a1, CSR_VSEPC
    CHECK_VIRTUAL 184, csrr a1, CSR_VSCAUSE
    CHECK_VIRTUAL 185, csrr a1, CSR_VSTVAL
    CHECK_VIRTUAL 186, csrr a1, CSR_VSATP
    CHECK_ILLEGAL 187, csrw hgeip, zero     /* not allowed in HS either */
    CHECK_ILLEGAL 188, csrr a1, mstatus
    CHECK_ILLEGAL 189, csrr a1, CSR_MTVAL2
    CHECK_TINST 0, 190                      /* illegal instruction: no transformation */
    TO_M
    /* mstatus.TVM is ignored for this rule: hgatp from VS is still virtual */
    li a1, MSTATUS_TVM
    csrs mstatus, a1
    TO_VS
    CHECK_VIRTUAL 191, csrr a1, hgatp
    TO_M
    li a1, MSTATUS_TVM
    csrc mstatus, a1
    /* VU: the same, and supervisor CSRs too */
    TO_VU
    CHECK_VIRTUAL 192, csrr a1, hstatus
    CHECK_VIRTUAL 193, csrr a1, hgatp
    CHECK_VIRTUAL 194, csrr a1, CSR_VSSTATUS
    CHECK_VIRTUAL 195, csrr a1, CSR_VSSCRATCH
#ifdef SPEC_STRICT
    /* QEMU raises an illegal-instruction exception for supervisor CSRs in VU */
    CHECK_VIRTUAL 196, csrr a1, sstatus
    CHECK_VIRTUAL 197, csrw sscratch, zero
    CHECK_VIRTUAL 198, csrr a1, stvec
    CHECK_VIRTUAL 199, csrr a1, satp
#endif
    CHECK_ILLEGAL 200, csrw hgeip, zero
    CHECK_ILLEGAL 201, csrr a1, mstatus
    TO_M

    PASS
