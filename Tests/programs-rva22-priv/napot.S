/*
 * Svnapot (priv. "Svnapot") under Sv39 in S-mode: a 4 KiB leaf with N = 1 and
 * ppn[3:0] = 1000 is part of a 64 KiB NAPOT range; the translation takes ppn[3:0]
 * from vpn[0][3:0]. Every other use of N is reserved and raises a page fault.
 *   1-4   valid NAPOT PTEs (at two of the sixteen slots) reach the right pages
 *   5-10  reserved encodings: ppn[3:0] = 0000, 0100, 1100; N on a 2 MiB leaf
 *   11    N on a non-leaf PTE
 */
#include "test.h"
#include "vm.h"
#include "rva22.h"

#define VN       0x100000000            /* 64 KiB aligned */
#define VR0      0x100100000            /* N with ppn[3:0] = 0000 */
#define VR4      0x100110000            /* N with ppn[3:0] = 0100 */
#define VRC      0x100120000            /* N with ppn[3:0] = 1100 */
#define V2M      0x100400000            /* 2 MiB leaf with N */
#define VNL      0x140000000            /* non-leaf with N */
#define RWAD     (PTE_R | PTE_W | PTE_A | PTE_D)

.macro MAPN va, off, level, flags
    mv a0, s0
    li a1, \va
    la a2, region
    li t0, \off
    add a2, a2, t0
    li a3, \level
    li a4, \flags
    li a5, 3
    jal pt_map
.endm

TEST_BEGIN napot
    jal pt_alloc
    mv s0, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    /* slots 0 and 5 of the range hold the NAPOT PTE (ppn = region | 1000) */
    MAPN VN, 0x8000, 0, PTE_N | RWAD
    MAPN VN + 0x5000, 0x8000, 0, PTE_N | RWAD
    MAPN VR0, 0x0000, 0, PTE_N | RWAD
    MAPN VR4, 0x4000, 0, PTE_N | RWAD
    MAPN VRC, 0xC000, 0, PTE_N | RWAD
    /* a 2 MiB leaf with N: point it at DRAM_BASE (aligned) */
    mv a0, s0
    li a1, V2M
    li a2, DRAM_BASE
    li a3, 1
    li a4, PTE_N | RWAD
    li a5, 3
    jal pt_map
    /* a non-leaf PTE with N: map a 4 KiB page below VNL, then set N in its level-1 PTE */
    mv a0, s0
    li a1, VNL
    la a2, region
    li a3, 0
    li a4, RWAD
    li a5, 3
    jal pt_map
    /* find the level-1 PTE: root[vpn2] -> table; table[vpn1] */
    li t0, (VNL >> 30) & 0x1FF
    slli t0, t0, 3
    add t0, s0, t0
    ld t1, 0(t0)
    srli t1, t1, 10
    slli t1, t1, 12
    li t0, (VNL >> 21) & 0x1FF
    slli t0, t0, 3
    add t0, t1, t0
    ld t1, 0(t0)
    li t2, PTE_N
    or t1, t1, t2
    sd t1, 0(t0)

    /* fill the region: each 4 KiB page starts with its index */
    la t0, region
    li t1, 0
1:  sd t1, 0(t0)
    li t2, 4096
    add t0, t0, t2
    addi t1, t1, 1
    li t2, 16
    bltu t1, t2, 1b

    MAKE_SATP t0, s0, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma
    TO_S
    li t0, VN
    ld t1, 0(t0)
    CHECK_EQ t1, 0, 1
    li t0, VN + 0x5000
    ld t1, 0(t0)
    CHECK_EQ t1, 5, 2
    li t1, 0x55
    sd t1, 8(t0)
    la t2, region + 0x5000
    ld t3, 8(t2)
    CHECK_EQ t3, 0x55, 3
    /* slot 3 holds no PTE: still a fault */
    li s0, VN + 0x3000
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 4

    li s0, VR0
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 5
    CHECK_REG s10, s0, 6
    li s0, VR4
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 7
    li s0, VRC
    EXPECT_TRAP 1f
    sd t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 8
    li s0, V2M
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 9
    CHECK_REG s10, s0, 10
    li s0, VNL
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 11
    PASS

    .bss
    .align 16
region: .space 65536
