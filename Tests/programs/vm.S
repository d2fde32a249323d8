/*
 * vm: Sv39 and Sv48 translation. Identity and non-identity mappings with 4 KiB,
 * 2 MiB, 1 GiB (and Sv48 512 GiB) leaves, page faults with stval, U / SUM / MXR
 * rules, hardware A/D updates, misaligned superpages, reserved encodings,
 * SFENCE.VMA, unsupported satp modes, TVM, MPRV.
 *
 * Page faults are delegated to S (checks see scause / stval through the S handler).
 * Check numbers are written by hand (renumber: manual): the Sv39 and Sv48 runs of
 * VM_SUITE use 1..38 and 101..138.
 */
#include "test.h"
#include "vm.h"

#define VA4K            0x100000000     /* 4 KiB test pages (Sv39 root index 4) */
#define VA4K_DATA       (VA4K + 0x0000) /* -> page1 RW */
#define VA4K_RO         (VA4K + 0x1000) /* -> page1 R */
#define VA4K_XO         (VA4K + 0x2000) /* -> page1 X only */
#define VA4K_CODE       (VA4K + 0x3000) /* -> code_page RX */
#define VA4K_AD         (VA4K + 0x4000) /* -> page2 RW, A = D = 0 */
#define VA4K_WO         (VA4K + 0x5000) /* -> page1 W only (reserved) */
#define VA4K_NONE       (VA4K + 0x6000) /* not mapped */
#define VA4K_SFENCE     (VA4K + 0x7000) /* -> page1, later page2 */
#define VA4K_U          (VA4K + 0x8000) /* -> page1 RW U */
#define VA4K_NX         (VA4K + 0x9000) /* -> page1 RW, no X */
#define VA4K_RSV        (VA4K + 0xA000) /* -> page1 RW with PTE bit 60 set */
#define VA4K_ALEAF      (VA4K + 0xB000) /* invalid PTE: V = 0 but R/W set */
#define VA2M            0x140000000     /* 2 MiB leaf -> PA2M */
#define VA2M_MIS        0x140200000     /* 2 MiB leaf with PPN[0] != 0 */
#define VA1G            0x180000000     /* 1 GiB leaf -> DRAM (non-identity) */
#define VA1G_U          0x1C0000000     /* 1 GiB leaf -> DRAM, U */
#define VA1G_MIS        0x200000000     /* 1 GiB leaf with PPN[1] != 0 */
#define PA2M            0x80600000
#define DRAM_TO_VA1G    (VA1G - DRAM_BASE)
#define DRAM_TO_VA1G_U  (VA1G_U - DRAM_BASE)
#define MAGIC1          0x1111111111111111
#define MAGIC2          0x2222222222222222
#define MAGIC2M         0x2020202020202020
#define PF_DELEG        ((1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT))
#define RWXAD           (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

/* map va -> label (physical), leaf level, flags; root in s4, levels in a5 */
.macro MAPL va, label, level, flags
    mv a0, s4
    li a1, \va
    la a2, \label
    li a3, \level
    li a4, \flags
    jal pt_map
.endm
.macro MAPC va, pa, level, flags
    mv a0, s4
    li a1, \va
    li a2, \pa
    li a3, \level
    li a4, \flags
    jal pt_map
.endm

/* expect a page fault taken in S: cause, stval = reg */
.macro CHECK_PF cause, reg, n
    CHECK_TRAP 1, \cause, \n
    CHECK_REG s10, \reg, \n
.endm

/*
 * Build the tables for `levels` (3 / 4) and run the common suite in S-mode.
 * Checks are numbered b .. b+39.
 */
.macro VM_SUITE levels, mode, b
    jal pt_alloc
    mv s4, a0
    li a5, \levels
    li a4, RWXAD
    jal pt_identity
    MAPC VA1G, DRAM_BASE, 2, RWXAD
    MAPC VA1G_U, DRAM_BASE, 2, RWXAD | PTE_U
    MAPC VA1G_MIS, DRAM_BASE + 0x200000, 2, RWXAD
    MAPC VA2M, PA2M, 1, PTE_R | PTE_W | PTE_A | PTE_D
    MAPC VA2M_MIS, PA2M + 0x1000, 1, PTE_R | PTE_W | PTE_A | PTE_D
    MAPL VA4K_DATA, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    MAPL VA4K_RO, page1, 0, PTE_R | PTE_A
    MAPL VA4K_XO, page1, 0, PTE_X | PTE_A
    MAPL VA4K_CODE, code_page, 0, PTE_R | PTE_X | PTE_A
    MAPL VA4K_AD, page2, 0, PTE_R | PTE_W
    mv s2, a0                               /* PTE of VA4K_AD */
    MAPL VA4K_WO, page1, 0, PTE_W | PTE_A | PTE_D
    MAPL VA4K_SFENCE, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    mv s3, a0                               /* PTE of VA4K_SFENCE */
    MAPL VA4K_U, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D | PTE_U
    MAPL VA4K_NX, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    MAPL VA4K_RSV, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    li t0, 1 << 60
    ld t1, 0(a0)
    or t1, t1, t0
    sd t1, 0(a0)
    MAPL VA4K_ALEAF, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    ld t1, 0(a0)
    andi t1, t1, ~PTE_V
    sd t1, 0(a0)
    /* reset the A/D page and the sfence page */
    la t0, page2
    li t1, MAGIC2
    sd t1, 0(t0)
    MAKE_SATP t0, s4, \mode
    csrw satp, t0
    sfence.vma
    csrr t1, satp
    CHECK_REG t1, t0, \b+0
    li t0, PF_DELEG
    csrw medeleg, t0
    TO_S

    /* identity: code already runs through it; data too */
    la a1, page1
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+1
    /* 4 KiB non-identity: load and store */
    li a1, VA4K_DATA
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+2
    li a2, 0x1234
    sd a2, 8(a1)
    la a3, page1
    ld a4, 8(a3)
    CHECK_EQ a4, 0x1234, \b+3
    /* 1 GiB non-identity */
    la a1, page1
    li a3, DRAM_TO_VA1G
    add a1, a1, a3
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+4
    /* 2 MiB */
    li a1, VA2M + 0x1238
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2M, \b+5
    li a1, VA2M + 0x1FFFF8          /* last dword of the 2 MiB page */
    li a2, 0x77
    sd a2, 0(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x77, \b+6
    /* execute through a 4 KiB non-identity mapping; auipc sees the VA */
    li t0, VA4K_CODE
    jalr ra, 0(t0)
    CHECK_EQ a0, 42, \b+7
    CHECK_EQ a1, VA4K_CODE, \b+8
    /* execute through the 1 GiB non-identity mapping */
    la t0, code_page
    li t1, DRAM_TO_VA1G
    add t0, t0, t1
    jalr ra, 0(t0)
    la t0, code_page
    li t1, DRAM_TO_VA1G
    add t0, t0, t1
    CHECK_REG a1, t0, \b+9

    /* page faults, stval = address */
    li a1, VA4K_NONE + 0x10
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+10
    li a1, VA4K_RO + 0x18
    ld a2, 0(a1)                    /* read is fine */
    CHECK_EQ a2, 0, \b+11
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+12
    EXPECT_TRAP 1f
    amoadd.d a2, a2, (a1)           /* AMO on a read-only page: store fault */
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+13
    li a1, VA4K_NX
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_PF CAUSE_FETCH_PAGE_FAULT, a1, \b+14
    CHECK_REG s9, a1, \b+15         /* sepc = the target */
    li a1, VA4K_NONE
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_PF CAUSE_FETCH_PAGE_FAULT, a1, \b+16
    li a1, VA4K_NONE + 0x800
    EXPECT_TRAP 1f
    sw a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+17
    /* X-only page: not readable unless MXR */
    li a1, VA4K_XO
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+18
    li t0, MSTATUS_MXR
    csrs sstatus, t0
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+19
    EXPECT_TRAP 1f
    sd a2, 0(a1)                    /* MXR does not make it writable */
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+20
    li t0, MSTATUS_MXR
    csrc sstatus, t0
    /* W without R is reserved: page fault */
    li a1, VA4K_WO
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+21
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+22
    /* V = 0 */
    li a1, VA4K_ALEAF
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+23
    /* misaligned superpages */
    li a1, VA2M_MIS + 0x40
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+24
    li a1, VA1G_MIS + 0x1000
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+25
    /* U pages from S: data only with SUM, never executable */
    li a1, VA4K_U
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+26
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, \b+27
    li t0, MSTATUS_SUM
    csrs sstatus, t0
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+28
    sd a2, 16(a1)
    la t0, code_page
    li t1, DRAM_TO_VA1G_U
    add a1, t0, t1
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_PF CAUSE_FETCH_PAGE_FAULT, a1, \b+29
    li t0, MSTATUS_SUM
    csrc sstatus, t0

    /* hardware A/D: a load sets A, a store sets D */
    ld a1, 0(s2)
    CHECK_MASK a1, PTE_A | PTE_D, 0, \b+30
    li a1, VA4K_AD
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+31
    ld a1, 0(s2)
    CHECK_MASK a1, PTE_A | PTE_D, PTE_A, \b+32
    li a1, VA4K_AD
    sd a2, 8(a1)
    ld a1, 0(s2)
    CHECK_MASK a1, PTE_A | PTE_D, PTE_A | PTE_D, \b+33

    /* SFENCE.VMA after a PTE change */
    li a1, VA4K_SFENCE
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, \b+34
    la t0, page2
    srli t0, t0, 12
    slli t0, t0, PTE_PPN_SHIFT
    ori t0, t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
    sd t0, 0(s3)
    sfence.vma a1, zero
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC2, \b+35
    sd zero, 0(s3)                  /* unmap, global fence */
    sfence.vma
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+36

    /* reserved PTE bits 63:54 set (no Svpbmt / Svnapot): page fault */
    li a1, VA4K_RSV
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, \b+37
    TO_M
    csrw medeleg, zero
.endm

TEST_BEGIN vm
    /* page contents */
    la t0, page1
    li t1, MAGIC1
    sd t1, 0(t0)
    li t0, PA2M + 0x1238
    li t1, MAGIC2M
    sd t1, 0(t0)

    /* ---------------- Sv39 suite: checks 1 .. 40 */
    VM_SUITE 3, SATP_MODE_SV39, 1

    /* Sv39-specific: a VA that is not sign-extended from bit 38 */
    li t0, PF_DELEG
    csrw medeleg, t0
    TO_S
    li a1, 0x4000000000             /* bit 38 set, bits 63:39 clear */
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, 41
    li a1, 0xFFFFFFC000000000 ^ 0x8000000000000000
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_EQ s6, 1, 42
    CHECK_EQ s8, CAUSE_LOAD_PAGE_FAULT, 43

    /* ---------------- U-mode under Sv39: U code runs from the U alias of DRAM */
    TO_M
    la t0, u_code
    li t1, DRAM_TO_VA1G_U
    add t0, t0, t1
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    mret
u_back:
    csrw medeleg, zero

    /* ---------------- TVM: satp and SFENCE.VMA illegal in S */
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    TO_S
    CHECK_ILLEGAL 60, csrr a1, satp
    CHECK_ILLEGAL 61, csrw satp, zero
    CHECK_ILLEGAL 62, sfence.vma
    CHECK_ILLEGAL 63, sfence.vma a1, a2
    TO_M
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    TO_S
    csrr a1, satp                   /* legal again */
    sfence.vma
    TO_M
    csrr a2, satp
    CHECK_REG a1, a2, 64

    /* ---------------- unsupported satp MODE: the write has no effect */
    csrr a1, satp
    li t0, (5 << 60) | 0x12345
    csrw satp, t0
    csrr a2, satp
    CHECK_REG a2, a1, 65
    li t0, (15 << 60) | 0x54321
    csrw satp, t0
    csrr a2, satp
    CHECK_REG a2, a1, 66

    /* ---------------- MPRV: M-mode loads and stores translate with MPP's mode */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA4K_DATA
    ld a2, 0(a1)                    /* M: VA4K_DATA is not physical memory */
    li a3, 0x4321
    sd a3, 40(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_EQ a2, MAGIC1, 67
    la a1, page1
    ld a3, 40(a1)
    CHECK_EQ a3, 0x4321, 68
    /* MPRV with MPP = U: a non-U page faults (taken in M, never delegated) */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA4K_DATA
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 69
    CHECK_REG s10, a1, 70
    /* instruction fetch in M is not affected by MPRV (code is at physical
     * addresses; VA4K space is not) -- reached here, so fetch stayed physical */
    csrw satp, zero
    sfence.vma

    /* ---------------- Sv48 suite: checks 101 .. 140 */
    VM_SUITE 4, SATP_MODE_SV48, 101

    /* Sv48-specific: 512 GiB leaf, a VA above the Sv39 range, canonical check */
    jal pt_alloc
    mv s4, a0
    li a5, 4
    li a4, RWXAD
    jal pt_identity
    MAPC 0x8000000000, 0, 3, RWXAD                  /* VA 512 GiB -> PA 0 */
    MAPL 0x7F0000000000, page1, 0, PTE_R | PTE_W | PTE_A | PTE_D
    MAKE_SATP t0, s4, SATP_MODE_SV48
    csrw satp, t0
    sfence.vma
    li t0, PF_DELEG
    csrw medeleg, t0
    TO_S
    la a1, page1
    li t0, 0x8000000000
    add a1, a1, t0
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, 150
    li a1, 0x7F0000000000
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, 151
    li a1, 0x4000000000             /* valid in Sv48, not mapped */
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, 152
    li a1, 0x800000000000           /* bit 47 set, bits 63:48 clear */
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, 153
    TO_M
    csrw medeleg, zero
    csrw satp, zero
    sfence.vma

    PASS

/* ------------------------------------------------------------------ U-mode part
 * Runs at the U alias (VA1G_U + offset): pc-relative addresses are U addresses. */
    .balign 4
u_code:
    la a1, page1                    /* U alias of page1 */
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, 44
    li a1, VA4K_U
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, 45
    sd a2, 32(a1)
    /* non-U pages fault in U */
    li a1, VA4K_DATA
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_PF CAUSE_LOAD_PAGE_FAULT, a1, 46
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_PF CAUSE_STORE_PAGE_FAULT, a1, 47
    li a1, VA4K_CODE
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_PF CAUSE_FETCH_PAGE_FAULT, a1, 48
    /* identity address of this code: not U */
    la a1, u_code
    li t0, DRAM_TO_VA1G_U
    sub a1, a1, t0
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_PF CAUSE_FETCH_PAGE_FAULT, a1, 49
    /* SUM does not matter for U */
    li a1, VA4K_U
    ld a2, 0(a1)
    CHECK_EQ a2, MAGIC1, 50
    /* back to M at the identity address of u_back */
    la a6, u_back
    li t0, DRAM_TO_VA1G_U
    sub a6, a6, t0
    li a7, ECALL_TOM_AT
    ecall
    FAIL_N 51

/* code executed through VA4K_CODE and through the 1 GiB alias */
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
