/*
 * h-vm: two-stage address translation (hypervisor.adoc "Two-Stage Address
 * Translation", "Guest Physical Address Translation", "Guest-Page Faults",
 * "Memory-Management Fences"; supervisor.adoc Sv39 / Sv48).
 *
 * The suite GSUITE runs twice, with an Sv39x4 and with an Sv48x4 G-stage:
 *   phase A  vsatp = Bare: the guest virtual address is the guest physical address
 *            and only the G-stage applies. 4 KiB / 2 MiB / 1 GiB G-stage leaves,
 *            R/W/X and the U bit (G-stage accesses are always U-level), MXR at
 *            VS level (no effect) and at HS level (effect), reserved encodings,
 *            misaligned superpages, guest physical addresses in the upper quarters
 *            of the x4 range and beyond it, G-stage A/D updates, HFENCE.GVMA, VU.
 *   phase B  vsatp = Sv39 over the same G-stage: both stages, VS-stage superpages
 *            over G-stage pages, VS-stage page faults (12/13/15) vs guest-page faults
 *            (20/21/23), the G-stage applied to the VS page-table reads and A/D
 *            writes (htval = the PTE's guest physical address >> 2, htinst = the
 *            pseudoinstruction), SFENCE.VMA in VS, HFENCE.VVMA, hedeleg routing of
 *            VS-stage page faults to VS, traps taken in M (mtval2, mstatus.GVA/MPV),
 *            a VS root table reached only through the G-stage.
 * Guest-page faults are delegated to HS by medeleg (they cannot go to VS), so the
 * checks read stval / htval / htinst / hstatus through the HS handler.
 *
 * Check numbers are written by hand (renumber: manual): the Sv39x4 run uses
 * 1..100, the Sv48x4 run 101..200.
 */
#include "h.h"
#include "hvm.h"

/* ---------------- guest physical addresses (G-stage leaves; all U = 1 unless said) */
#define GB          0x100000000         /* 4 KiB test pages, outside guest DRAM */
#define G_RW        (GB + 0x0000)       /* -> page1  RW */
#define G_RO        (GB + 0x1000)       /* -> page1  R */
#define G_XO        (GB + 0x2000)       /* -> page1  X only */
#define G_CODE      (GB + 0x3000)       /* -> code_page RX */
#define G_NOU       (GB + 0x4000)       /* -> page1  RW, U = 0 */
#define G_AD        (GB + 0x5000)       /* -> page2  RW, A = D = 0 */
#define G_WO        (GB + 0x6000)       /* -> page1  W only (reserved) */
#define G_NONE      (GB + 0x7000)       /* not mapped */
#define G_FENCE     (GB + 0x8000)       /* -> page1, then page2, then unmapped */
#define G_VSPT_RO   (GB + 0x9000)       /* -> vs_pt_ro  R (a VS page table) */
#define G_VSPT_XO   (GB + 0xA000)       /* -> vs_pt_xo  X only (a VS page table) */
#define G_VSROOT    (GB + 0xB000)       /* -> the VS root table */
#define G_NX        (GB + 0xC000)       /* -> code_page RW, no X */
#define G_VSPT_AD   (GB + 0xD000)       /* -> vs_pt_ad  RW, A = D = 0 (a VS page table) */
#define G_RW2       (GB + 0xE000)       /* -> page2  RW */
#define G_RSV       (GB + 0xF000)       /* -> page1  RW with PTE bit 60 (reserved) set */
#define G2M         0x140000000         /* 2 MiB leaf -> PA2M */
#define G2M_MIS     0x140200000         /* 2 MiB leaf with PPN[0] != 0 */
#define G1G         0x180000000         /* 1 GiB leaf -> DRAM (not identity) */
#define G1G_MIS     0x200000000         /* 1 GiB leaf with PPN[1] != 0 */
#define PA2M        0x80600000
#define DRAM_TO_G1G (G1G - DRAM_BASE)
/* Sv39x4: GPA bits 40:0; Sv48x4: bits 49:0 */
#define SV39X4_HI   0x8000000000        /* bit 39: root index 512 (second quarter) */
#define SV39X4_TOP  0x1FFFFFFF000       /* last page: root index 2047 */
#define SV39X4_OUT  0x20000000000       /* bit 41: beyond Sv39x4 */
#define SV48X4_HI   0x1000000000000     /* bit 48: root index 512 */
#define SV48X4_TOP  0x3FFFFFFFFF000     /* last page: root index 2047 */
#define SV48X4_OUT  0x4000000000000     /* bit 50: beyond Sv48x4 */

/* ---------------- guest virtual addresses (VS-stage Sv39 leaves, U = 0 unless said) */
#define VB          0x100000000
#define V_RW        (VB + 0x0000)       /* -> G_RW    RW */
#define V_RO        (VB + 0x1000)       /* -> G_RW    R */
#define V_GRO       (VB + 0x2000)       /* -> G_RO    RW */
#define V_GNONE     (VB + 0x3000)       /* -> G_NONE  RW */
#define V_GNOU      (VB + 0x4000)       /* -> G_NOU   RW */
#define V_U         (VB + 0x5000)       /* -> G_RW    RW, U */
#define V_XO        (VB + 0x6000)       /* -> G_RW    X only */
#define V_GXO       (VB + 0x7000)       /* -> G_XO    R */
#define V_CODE      (VB + 0x8000)       /* -> G_CODE  RX */
#define V_GNX       (VB + 0x9000)       /* -> G_NX    RX */
#define V_FENCE     (VB + 0xA000)       /* -> G_RW, then G_RW2, G_RW, G_RW2, unmapped */
#define V_NONE      (VB + 0xB000)       /* not mapped */
#define V_PT        0x140000000         /* level-1 pointer to a table at G_NONE */
#define V_PTRO      0x140200000         /* level-1 pointer to vs_pt_ro (G_VSPT_RO) */
#define V_PTXO      0x140400000         /* level-1 pointer to vs_pt_xo (G_VSPT_XO) */
#define V_PTAD      0x140600000         /* level-1 pointer to vs_pt_ad (G_VSPT_AD) */
#define V2M         0x180000000         /* 2 MiB leaf -> G2M */
#define V2M4K       0x180200000         /* 2 MiB leaf -> GB (G-stage 4 KiB pages) */
#define V2M_MIS     0x180400000         /* 2 MiB leaf with PPN[0] != 0 */
#define V1G         0x200000000         /* 1 GiB leaf -> G1G */
#define V1G_MIS     0x240000000         /* 1 GiB leaf with PPN[1] != 0 */
#define DRAM_TO_V1G (V1G - DRAM_BASE)

#define MAGIC1      0x1111111111111111
#define MAGIC2      0x2222222222222222
#define MAGIC2M     0x2020202020202020
#define PF_DELEG    ((1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT))
#define GPF_DELEG   ((1 << CAUSE_FETCH_GUEST_PAGE_FAULT) | (1 << CAUSE_LOAD_GUEST_PAGE_FAULT) | (1 << CAUSE_STORE_GUEST_PAGE_FAULT))
#define RWAD        (PTE_R | PTE_W | PTE_A | PTE_D)
#define RWXAD       (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define U_RWAD      (PTE_U | RWAD)

/* G-stage map: root s4, levels s3 */
.macro GMAP gpa, pa, level, flags
    mv a0, s4
    li a1, \gpa
    li a2, \pa
    li a3, \level
    li a4, \flags
    mv a5, s3
    jal gpt_map
.endm
.macro GMAPL gpa, label, level, flags
    mv a0, s4
    li a1, \gpa
    la a2, \label
    li a3, \level
    li a4, \flags
    mv a5, s3
    jal gpt_map
.endm
/* VS-stage (Sv39) map: root s5; guest physical = physical for DRAM */
.macro VMAP va, gpa, level, flags
    mv a0, s5
    li a1, \va
    li a2, \gpa
    li a3, \level
    li a4, \flags
    li a5, 3
    jal pt_map
.endm
.macro SAVE_A0 slot
    la t0, \slot
    sd a0, 0(t0)
.endm
/* reg = the PTE address saved in slot */
.macro PTE_ADDR reg, slot
    la \reg, \slot
    ld \reg, 0(\reg)
.endm

/*
 * The suite for one G-stage mode: levels 3 / 4, hgatp mode, first check number b,
 * and the mode's guest physical addresses hi (upper half), top (last page), out
 * (first address beyond the range). Checks b+0 .. b+99. Starts and ends in M.
 */
.macro GSUITE levels, mode, b, hi, top, out
    jal hvm_reset
    li s3, \levels
    la s4, gpt_root
    jal pt_alloc
    mv s5, a0                                   /* VS root (guest physical = physical) */
    la t0, page2
    li t1, MAGIC2
    sd t1, 0(t0)

    /* ---- G-stage tables */
    GMAP DRAM_BASE, DRAM_BASE, 2, PTE_U | RWXAD  /* guest DRAM = DRAM (code, data, tables) */
    GMAPL G_RW, page1, 0, U_RWAD
    GMAPL G_RO, page1, 0, PTE_U | PTE_R | PTE_A
    GMAPL G_XO, page1, 0, PTE_U | PTE_X | PTE_A
    GMAPL G_CODE, code_page, 0, PTE_U | PTE_R | PTE_X | PTE_A
    GMAPL G_NOU, page1, 0, RWAD
    GMAPL G_AD, page2, 0, PTE_U | PTE_R | PTE_W
    SAVE_A0 g_pte_ad
    GMAPL G_WO, page1, 0, PTE_U | PTE_W | PTE_A | PTE_D
    GMAPL G_FENCE, page1, 0, U_RWAD
    SAVE_A0 g_pte_fence
    GMAPL G_VSPT_RO, vs_pt_ro, 0, PTE_U | PTE_R | PTE_A
    GMAPL G_VSPT_XO, vs_pt_xo, 0, PTE_U | PTE_X | PTE_A
    mv a0, s4
    li a1, G_VSROOT
    mv a2, s5
    li a3, 0
    li a4, U_RWAD
    mv a5, s3
    jal gpt_map
    GMAPL G_NX, code_page, 0, U_RWAD
    GMAPL G_VSPT_AD, vs_pt_ad, 0, PTE_U | PTE_R | PTE_W
    SAVE_A0 g_pte_vspt_ad
    GMAPL G_RW2, page2, 0, U_RWAD
    GMAPL G_RSV, page1, 0, U_RWAD
    ld t1, 0(a0)
    li t0, 1 << 60
    or t1, t1, t0
    sd t1, 0(a0)
    GMAP G2M, PA2M, 1, U_RWAD
    GMAP G2M_MIS, PA2M + 0x1000, 1, U_RWAD
    GMAP G1G, DRAM_BASE, 2, PTE_U | RWXAD
    GMAP G1G_MIS, DRAM_BASE + 0x200000, 2, U_RWAD
    GMAPL \hi, page1, 0, U_RWAD
    GMAPL \top, page1, 0, U_RWAD

    /* ---- VS-stage tables */
    VMAP DRAM_BASE, DRAM_BASE, 2, RWXAD         /* identity: code, handlers, data */
    VMAP V_RW, G_RW, 0, RWAD
    VMAP V_RO, G_RW, 0, PTE_R | PTE_A
    VMAP V_GRO, G_RO, 0, RWAD
    VMAP V_GNONE, G_NONE, 0, RWAD
    VMAP V_GNOU, G_NOU, 0, RWAD
    VMAP V_U, G_RW, 0, RWAD | PTE_U
    VMAP V_XO, G_RW, 0, PTE_X | PTE_A
    VMAP V_GXO, G_XO, 0, PTE_R | PTE_A
    VMAP V_CODE, G_CODE, 0, PTE_R | PTE_X | PTE_A
    VMAP V_GNX, G_NX, 0, PTE_R | PTE_X | PTE_A
    VMAP V_FENCE, G_RW, 0, RWAD
    SAVE_A0 v_pte_fence
    VMAP V_PT, G_NONE, 1, 0                     /* flags 0: a pointer, not a leaf */
    VMAP V_PTRO, G_VSPT_RO, 1, 0
    VMAP V_PTXO, G_VSPT_XO, 1, 0
    VMAP V_PTAD, G_VSPT_AD, 1, 0
    VMAP V2M, G2M, 1, RWAD
    VMAP V2M4K, GB, 1, RWAD
    VMAP V2M_MIS, G2M + 0x1000, 1, RWAD
    VMAP V1G, G1G, 2, RWXAD
    VMAP V1G_MIS, DRAM_BASE + 0x200000, 2, RWAD
    /* leaves inside the level-0 tables that sit on special G-stage pages */
    li t1, G_RW
    la t0, vs_pt_ro
    MAKE_PTE t2, t1, RWAD
    sd t2, 0(t0)                                /* V_PTRO + 0x0000: A = D = 1 */
    MAKE_PTE t2, t1, PTE_R | PTE_W
    sd t2, 8(t0)                                /* V_PTRO + 0x1000: A = 0 */
    MAKE_PTE t2, t1, PTE_R | PTE_W | PTE_A
    sd t2, 16(t0)                               /* V_PTRO + 0x2000: D = 0 */
    la t0, vs_pt_xo
    MAKE_PTE t2, t1, RWAD
    sd t2, 0(t0)
    la t0, vs_pt_ad
    MAKE_PTE t2, t1, PTE_R | PTE_W
    sd t2, 0(t0)                                /* V_PTAD: A = D = 0 */

    /* hgatp: "Hypervisor Guest Address Translation and Protection" (PPN[1:0] read 0,
     * the root is 16 KiB aligned so the value reads back unchanged) */
    MAKE_HGATP t0, s4, \mode
    csrw CSR_HGATP, t0
    csrr t1, CSR_HGATP
    CHECK_REG t1, t0, \b+0
    hfence.gvma zero, zero
    csrw CSR_VSATP, zero
    hfence.vvma zero, zero
    li t0, GPF_DELEG | PF_DELEG
    csrw medeleg, t0
    csrw CSR_HEDELEG, zero

    /* ================= phase A: vsatp = Bare, G-stage only ================= */
    TO_VS
    la a1, page1                                /* guest DRAM through the 1 GiB leaf */
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+1
    li a1, G_RW                                 /* 4 KiB leaf, not identity */
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+2
    li a2, 0x1234
    sd a2, 8(a1)
    la a3, page1
    ld a4, 8(a3)
    CHECK_EQ a4, 0x1234, \b+3
    li a1, G_RO
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+4
    /* store to a G-stage read-only page: store guest-page fault, stval = the guest
     * virtual address, htval = guest physical >> 2 ("Guest-Page Faults"), htinst 0
     * or the transformed store */
    li a1, G_RO + 0x10
    EXPECT_TRAP 1f
.Lsa\@: sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+5
    CHECK_TINST_XF .Lsa\@, XF_STORE, \b+6
    EXPECT_TRAP 1f
    amoadd.d a2, a2, (a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+7
    /* execute-only at the G-stage: not readable ... */
    li a1, G_XO + 0x8
    EXPECT_TRAP 1f
.Lla\@: ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+8
    CHECK_TINST_XF .Lla\@, XF_LOAD, \b+9
    /* ... and vsstatus.MXR only overrides VS-stage protection ("Two-Stage Address
     * Translation": setting MXR at VS-level does not override guest-physical page
     * protections). In VS, sstatus is vsstatus. */
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  li t0, MSTATUS_MXR
    csrc sstatus, t0
    CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+10
    /* G-stage leaves are checked as U-level accesses: U = 0 faults */
    li a1, G_NOU
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+11
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+12
    /* W without R is reserved */
    li a1, G_WO + 0x18
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+13
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+14
    /* reserved PTE bits 63:54 (no Svpbmt / Svnapot) */
    li a1, G_RSV
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+15
    /* not mapped */
    li a1, G_NONE + 0x20
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+16
    EXPECT_TRAP 1f
    sw a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+17
    /* execute through a G-stage 4 KiB page; auipc sees the guest address */
    li t0, G_CODE
    jalr ra, 0(t0)
    CHECK_EQ a0, 42, \b+18
    CHECK_EQ a1, G_CODE, \b+19
    /* fetch from a page without X: fetch guest-page fault, sepc = stval = target,
     * htinst = 0 (no pseudoinstruction: no VS-stage access is involved) */
    li a1, G_NX
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_GPF_HS CAUSE_FETCH_GUEST_PAGE_FAULT, a1, a1, \b+20
    CHECK_REG s9, a1, \b+20
    CHECK_TINST 0, \b+21
    li a1, G_NONE
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_GPF_HS CAUSE_FETCH_GUEST_PAGE_FAULT, a1, a1, \b+22
    /* 2 MiB G-stage leaf */
    li a1, G2M + 0x1238
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2M, \b+23
    li a1, G2M + 0x1FFFF8
    li a2, 0x77
    sd a2, 0(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x77, \b+24
    /* misaligned 2 MiB leaf */
    li a1, G2M_MIS + 0x40
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+25
    /* 1 GiB G-stage leaf, not identity: data and code */
    la a1, page1
    li t0, DRAM_TO_G1G
    add a1, a1, t0
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+26
    la t0, code_page
    li t1, DRAM_TO_G1G
    add t0, t0, t1
    jalr ra, 0(t0)
    la t0, code_page
    li t1, DRAM_TO_G1G
    add t0, t0, t1
    CHECK_REG a1, t0, \b+27
    /* misaligned 1 GiB leaf */
    li a1, G1G_MIS + 0x1000
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+28
    /* the x4 range: the extra 2 address bits index the 16 KiB root */
    li a1, \hi
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+29
#ifdef SPEC_STRICT
    /* QEMU 7.2 checks the guest physical address like a virtual one (bits above
     * the top one equal to it), so it faults on the upper half of the x4 range */
    li a1, \top + 0x7F8
    li a2, 0x99
    EXPECT_TRAP 1f                              /* (a trap fails this check, not 254) */
    sd a2, 0(a1)
1:  DISARM
    CHECK_EQ s6, 0, \b+30
    la a3, page1
    ld a4, 0x7F8(a3)
    CHECK_EQ a4, 0x99, \b+30
#endif
    /* guest physical address bits above the range: guest-page fault */
    li a1, \out
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+31
    li a1, (1 << 63) | G_RW
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_TRAP 1, CAUSE_LOAD_GUEST_PAGE_FAULT, \b+32
    CHECK_REG s10, a1, \b+32
    /* G-stage A/D updated by hardware: a load sets A, a store sets D */
    PTE_ADDR a3, g_pte_ad
    ld a4, 0(a3)
    CHECK_MASK a4, PTE_A | PTE_D, 0, \b+33
    li a1, G_AD
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+34
    ld a4, 0(a3)
    CHECK_MASK a4, PTE_A | PTE_D, PTE_A, \b+35
    sd a2, 8(a1)
    ld a4, 0(a3)
    CHECK_MASK a4, PTE_A | PTE_D, PTE_A | PTE_D, \b+36
    /* HFENCE.GVMA ("Hypervisor Memory-Management Fence Instructions"): after a
     * G-stage PTE change and the fence, the new translation is used */
    li a1, G_FENCE
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+37
    TO_M
    PTE_ADDR a3, g_pte_fence
    la t1, page2
    MAKE_PTE t2, t1, U_RWAD
    sd t2, 0(a3)
    hfence.gvma zero, zero                      /* from M, all addresses and VMIDs */
    TO_VS
    li a1, G_FENCE
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+38
    TO_M
    TO_HS
    la t1, page1
    MAKE_PTE t2, t1, U_RWAD
    sd t2, 0(a3)
    li t0, G_FENCE >> 2
    hfence.gvma t0, zero                        /* from HS, one guest physical address */
    HS_TO_VS
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+39
    TO_M
    TO_HS
    sd zero, 0(a3)
    li t0, G_FENCE >> 2
    hfence.gvma t0, zero
    HS_TO_VS
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+40
    /* VU: the same G-stage, hstatus.SPVP = 0 on the trap */
    TO_M
    TO_VU
    li a1, G_RW
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+41
    li a1, G_NOU
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a1, \b+42
    CHECK_HSTATUS_MASK HSTATUS_SPVP, 0, \b+42
    TO_M
    /* HS-level MXR overrides G-stage execute-only ("Two-Stage Address Translation") */
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    TO_VS
    li a1, G_XO
#ifdef SPEC_STRICT
    EXPECT_TRAP 1f
    ld a2, 0(a1)                                /* QEMU 7.2: load guest-page fault */
1:  DISARM
    CHECK_EQ s6, 0, \b+43
    CHECK_EQ a2, MAGIC1, \b+43
#endif
    EXPECT_TRAP 1f
    sd a2, 0(a1)                                /* still not writable */
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a1, \b+44
    TO_M
    li t0, MSTATUS_MXR
    csrc mstatus, t0

    /* ================= phase B: vsatp = Sv39 over the G-stage ================= */
    MAKE_SATP t0, s5, SATP_MODE_SV39
    csrw CSR_VSATP, t0
    hfence.vvma zero, zero
    TO_VS
    csrr t1, satp                               /* satp in VS is vsatp */
    CHECK_REG t1, t0, \b+45
    la a1, page1                                /* identity 1 GiB VS leaf over 1 GiB G leaf */
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+46
    li a1, V_RW                                 /* 4 KiB over 4 KiB */
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+47
    li a2, 0x5678
    sd a2, 16(a1)
    la a3, page1
    ld a4, 16(a3)
    CHECK_EQ a4, 0x5678, \b+48
    /* VS-stage page fault taken in HS: stval = guest virtual address, GVA = 1,
     * htval = 0 ("Hypervisor Trap Value": zero for other traps) */
    li a1, V_RO + 0x28
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_STORE_PAGE_FAULT, a1, \b+49
    /* guest-page faults: stval = the guest virtual address, htval = the guest
     * physical address >> 2 */
    li a1, V_GRO + 0x20
    li a3, G_RO + 0x20
    EXPECT_TRAP 1f
.Lsb\@: sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, \b+50
    CHECK_TINST_XF .Lsb\@, XF_STORE, \b+51
    li a1, V_GNONE + 0x30
    li a3, G_NONE + 0x30
    EXPECT_TRAP 1f
.Llb\@: ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+52
    CHECK_TINST_XF .Llb\@, XF_LOAD, \b+53
    li a1, V_GNOU
    li a3, G_NOU
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+54
    /* VS-stage U page from VS: only with vsstatus.SUM */
    li a1, V_U
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_LOAD_PAGE_FAULT, a1, \b+55
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    ld a2, 0(a1)
    csrc sstatus, t0
    CHECK_EQ a2, MAGIC1, \b+56
    /* VS-stage execute-only: vsstatus.MXR makes it readable */
    li a1, V_XO
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_LOAD_PAGE_FAULT, a1, \b+57
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    ld a2, 0(a1)
    csrc sstatus, t0
    CHECK_EQ a2, MAGIC1, \b+58
    /* G-stage execute-only: vsstatus.MXR does not help */
    li a1, V_GXO
    li a3, G_XO
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+59
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  li t0, MSTATUS_MXR
    csrc sstatus, t0
    CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+60
    /* HS-level MXR: both stages */
    TO_M
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    TO_VS
#ifdef SPEC_STRICT
    li a1, V_GXO
    EXPECT_TRAP 1f
    ld a2, 0(a1)                                /* QEMU 7.2: load guest-page fault */
1:  DISARM
    CHECK_EQ s6, 0, \b+61
    CHECK_EQ a2, MAGIC1, \b+61
    li a1, V_XO
    EXPECT_TRAP 1f
    ld a2, 0(a1)                                /* QEMU 7.2: load page fault */
1:  DISARM
    CHECK_EQ s6, 0, \b+62
    CHECK_EQ a2, MAGIC1, \b+62
#endif
    TO_M
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    TO_VS
    /* execute through both stages */
    li t0, V_CODE
    jalr ra, 0(t0)
    CHECK_EQ a1, V_CODE, \b+63
    li a1, V_GNX
    li a3, G_NX
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_GPF_HS CAUSE_FETCH_GUEST_PAGE_FAULT, a1, a3, \b+64
    CHECK_TINST 0, \b+64
    li a1, V_NONE
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_VSPF_HS CAUSE_FETCH_PAGE_FAULT, a1, \b+65
    /* The G-stage applies to the VS page-table reads ("Guest Physical Address
     * Translation": implicit accesses for VS-stage translation are checked as
     * U-level loads, the exception is reported for the original access type).
     * V_PT's level-0 table is at G_NONE: htval = the PTE's guest physical address
     * >> 2 ("Hypervisor Trap Value"), stval = the original virtual address, htinst =
     * 0x3000 ("Transformed Instruction or Pseudoinstruction": required, not zero,
     * when htval is nonzero). */
    li a1, V_PT + 0x3008
    li a3, G_NONE + 3 * 8
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+66
    CHECK_TINST TINST_PT_READ, \b+67
    /* the same PTE read for a store and for a fetch: reported as a store / fetch
     * guest-page fault. QEMU 7.2 reports a load guest-page fault (21) for both; the
     * default build accepts that, SPEC_STRICT does not. */
    li a1, V_PT + 0x3010
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:
#ifndef SPEC_STRICT
    li t0, CAUSE_LOAD_GUEST_PAGE_FAULT
    bne s8, t0, 2f
    li s8, CAUSE_STORE_GUEST_PAGE_FAULT
2:
#endif
    CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, \b+68
    CHECK_TINST TINST_PT_READ, \b+68
    li a1, V_PT + 0x3000
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:
#ifndef SPEC_STRICT
    li t0, CAUSE_LOAD_GUEST_PAGE_FAULT
    bne s8, t0, 2f
    li s8, CAUSE_FETCH_GUEST_PAGE_FAULT
2:
#endif
    CHECK_GPF_HS CAUSE_FETCH_GUEST_PAGE_FAULT, a1, a3, \b+69
    CHECK_REG s9, a1, \b+69
    CHECK_TINST TINST_PT_READ, \b+69
    /* a VS page table on a G-stage execute-only page cannot be read */
    li a1, V_PTXO + 0x10
    li a3, G_VSPT_XO
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+70
    /* a VS page table on a G-stage read-only page: reading it is fine ... */
    li a1, V_PTRO
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+71
#ifdef SPEC_STRICT
    /* ... but setting A or D in it is an implicit store, which the G-stage must
     * allow: guest-page fault for the original access type with the write
     * pseudoinstruction 0x3020 (or, without hardware A/D updating, a VS-stage page
     * fault). QEMU 7.2 writes the PTE without the G-stage write check. */
    li a1, V_PTRO + 0x1000
    li a3, G_VSPT_RO + 8
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  DISARM                                    /* (no trap: check fails below) */
    li t0, CAUSE_LOAD_PAGE_FAULT
    beq s8, t0, 2f
    CHECK_GPF_HS CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+72
    CHECK_TINST TINST_PT_WRITE, \b+72
2:  CHECK_EQ s6, 1, \b+72
    li a1, V_PTRO + 0x2000
    li a3, G_VSPT_RO + 16
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  DISARM                                    /* (no trap: check fails below) */
    li t0, CAUSE_STORE_PAGE_FAULT
    beq s8, t0, 2f
    CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, \b+73
    CHECK_TINST TINST_PT_WRITE, \b+73
2:  CHECK_EQ s6, 1, \b+73
#endif
    /* A/D: a VS leaf with A = D = 0 in a VS table on a G-stage page with A = D = 0.
     * The walk reads the table (G-stage A), the A update writes it (G-stage D). */
    li a1, V_PTAD
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+74
    la a3, vs_pt_ad
    ld a4, 0(a3)
    CHECK_MASK a4, PTE_A | PTE_D, PTE_A, \b+75
    PTE_ADDR a5, g_pte_vspt_ad
    ld a4, 0(a5)
    CHECK_MASK a4, PTE_A, PTE_A, \b+76
#ifdef SPEC_STRICT
    CHECK_MASK a4, PTE_D, PTE_D, \b+77          /* QEMU 7.2 writes VS PTEs past the G-stage */
#endif
    sd a2, 0x28(a1)
    ld a4, 0(a3)
    CHECK_MASK a4, PTE_A | PTE_D, PTE_A | PTE_D, \b+78
    /* VS-stage 2 MiB leaf over a G-stage 2 MiB leaf */
    li a1, V2M + 0x1238
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2M, \b+79
    /* VS-stage 2 MiB leaf over G-stage 4 KiB pages: G-stage permissions per page */
    li a1, V2M4K
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+80
    li a1, V2M4K + 0x1040
    li a3, G_RO + 0x40
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, \b+81
    /* misaligned VS-stage 2 MiB leaf: VS-stage page fault */
    li a1, V2M_MIS + 0x80
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_LOAD_PAGE_FAULT, a1, \b+82
    /* VS-stage 1 GiB leaf over a G-stage 1 GiB leaf: data and code */
    la a1, page1
    li t0, DRAM_TO_V1G
    add a1, a1, t0
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+83
    la t0, code_page
    li t1, DRAM_TO_V1G
    add t0, t0, t1
    jalr ra, 0(t0)
    la t0, code_page
    li t1, DRAM_TO_V1G
    add t0, t0, t1
    CHECK_REG a1, t0, \b+84
    li a1, V1G_MIS + 0x2000
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_STORE_PAGE_FAULT, a1, \b+85
    /* SFENCE.VMA in VS acts on the VS stage ("Memory-Management Fences"): VS changes
     * its own PTE (the table is guest DRAM) */
    li a1, V_FENCE
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+86
    PTE_ADDR a3, v_pte_fence
    li t1, G_RW2
    MAKE_PTE t2, t1, RWAD
    sd t2, 0(a3)
    sfence.vma a1, zero
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+87
    /* HFENCE.VVMA from HS (all) and from M (one address) */
    TO_M
    TO_HS
    li t1, G_RW
    MAKE_PTE t2, t1, RWAD
    sd t2, 0(a3)
    hfence.vvma zero, zero
    HS_TO_VS
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+88
    TO_M
    li t1, G_RW2
    MAKE_PTE t2, t1, RWAD
    sd t2, 0(a3)
    hfence.vvma a1, zero
    TO_VS
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+89
    sd zero, 0(a3)                              /* VS unmaps it */
    sfence.vma
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_VSPF_HS CAUSE_LOAD_PAGE_FAULT, a1, \b+90

    /* hedeleg: VS-stage page faults go to VS; guest-page faults cannot
     * ("Guest-Page Faults": only to HS; hedeleg bits 20, 21, 23 read-only zero) */
    TO_M
    li t0, PF_DELEG | GPF_DELEG
    csrw CSR_HEDELEG, t0
    csrr t1, CSR_HEDELEG
    CHECK_MASK t1, PF_DELEG | GPF_DELEG, PF_DELEG, \b+91
    TO_VS
    li a1, V_RO + 0x30
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_VSPF_VS CAUSE_STORE_PAGE_FAULT, a1, \b+92
    li a1, V_NONE + 0x38
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_VSPF_VS CAUSE_LOAD_PAGE_FAULT, a1, \b+93
    li a1, V_NONE
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_VSPF_VS CAUSE_FETCH_PAGE_FAULT, a1, \b+94
    li a1, V_GRO + 0x48
    li a3, G_RO + 0x48
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_GPF_HS CAUSE_STORE_GUEST_PAGE_FAULT, a1, a3, \b+95

    /* not delegated: taken in M with mtval2 / mtinst, mstatus.GVA = MPV = 1 */
    TO_M
    csrw CSR_HEDELEG, zero
    csrw medeleg, zero
    TO_VS
    li a1, V_GNONE + 0x50
    li a3, G_NONE + 0x50
    EXPECT_TRAP 1f
.Llc\@: ld a2, 0(a1)
1:  CHECK_GPF_M CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+96
    CHECK_TINST_XF .Llc\@, XF_LOAD, \b+96
    li a1, V_RO + 0x58
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, \b+97
    CHECK_REG s10, a1, \b+97
    CHECK_TVAL2 0, \b+97
    CHECK_MASK s7, MSTATUS_GVA | MSTATUS_MPV, MSTATUS_GVA | MSTATUS_MPV, \b+97
    li a1, V_PT + 0x3018
    li a3, G_NONE + 3 * 8
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_GPF_M CAUSE_LOAD_GUEST_PAGE_FAULT, a1, a3, \b+98
    CHECK_TINST TINST_PT_READ, \b+98
    TO_M

    /* vsatp.PPN is a guest physical address: a VS root reached only through the
     * G-stage (G_VSROOT -> the root table) */
    li t1, G_VSROOT
    MAKE_SATP t0, t1, SATP_MODE_SV39
    csrw CSR_VSATP, t0
    hfence.vvma zero, zero
    TO_VS
    li a1, V_RW
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+99
    TO_M

    csrw CSR_VSATP, zero
    csrw CSR_HGATP, zero
    hfence.gvma zero, zero
    hfence.vvma zero, zero
    csrw medeleg, zero
.endm

TEST_BEGIN h-vm
    la t0, page1
    li t1, MAGIC1
    sd t1, 0(t0)
    li t0, PA2M + 0x1238
    li t1, MAGIC2M
    sd t1, 0(t0)

    /* ---------------- Sv39x4: checks 1 .. 100 */
    GSUITE 3, HGATP_MODE_SV39X4, 1, SV39X4_HI, SV39X4_TOP, SV39X4_OUT
    /* ---------------- Sv48x4: checks 101 .. 200 */
    GSUITE 4, HGATP_MODE_SV48X4, 101, SV48X4_HI, SV48X4_TOP, SV48X4_OUT

    PASS

/* code executed through G_CODE, V_CODE and the 1 GiB aliases */
    .balign 4096
code_page:
    auipc a1, 0
    li a0, 42
    ret
    .balign 4096

    .data
    .balign 4096
page1:
    .space 4096
page2:
    .space 4096

    .bss
    .balign 4096
vs_pt_ro:   .space 4096
vs_pt_xo:   .space 4096
vs_pt_ad:   .space 4096
g_pte_ad:       .space 8
g_pte_fence:    .space 8
g_pte_vspt_ad:  .space 8
v_pte_fence:    .space 8
