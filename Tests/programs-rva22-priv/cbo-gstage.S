/*
 * Zicbom / Zicboz under two-stage translation and PMP (the ISA review's attacks on the
 * CBO instructions, H "Two-Stage Address Translation", priv. "Physical Memory
 * Protection"): a guest's CBO must fault as a store where a store would, and never write
 * where a store could not.
 *   1-3   VS, G-stage page readable only: CBO.ZERO is a store guest-page fault at rs1 with
 *         mtval2 = the block's GPA >> 2, and the page keeps its contents; CBO.CLEAN,
 *         FLUSH and INVAL there run (a load is allowed)
 *   4-5   VS, GPA not in the G-stage: CBO.ZERO and CBO.FLUSH are store guest-page faults
 *   6-8   VS-stage Svnapot 64 KiB leaf over a G-stage that maps only its first 4 KiB:
 *         the first page is zeroed, the second is a store guest-page fault with its own
 *         GPA, and the host page after the first keeps its contents
 *   9-10  VS-stage PBMT = IO leaf (henvcfg.PBMTE): CBO.ZERO runs; PBMT = 3 is a store
 *         page fault
 *   11    VS-stage Sv57: a non-canonical rs1 is a store page fault
 *   12-14 PMP: a page closed to S/U (hgatp and vsatp Bare) — CBO.ZERO and CBO.CLEAN from
 *         VS, and CBO.ZERO from HS, are store access faults; the page keeps its contents
 */
#include "h.h"
#include "hvm.h"
#include "rva22.h"

#define ALL_EN  (ENVCFG_CBIE_FLUSH | ENVCFG_CBCFE | ENVCFG_CBZE | ENVCFG_PBMTE)
#define G_RO    0x100000000             /* GPA -> ropage, G-stage R only */
#define G_NONE  0x100100000             /* nothing */
#define G_PART  0x100200000             /* GPA -> part0 (first 4 KiB of a 64 KiB range only) */
#define V_NAPOT 0x40000000              /* VS-stage: 64 KiB NAPOT -> G_PART */
#define V_IO    0x40200000              /* VS-stage: PBMT = IO -> DRAM page iopage */
#define V_RSV   0x40201000              /* VS-stage: PBMT = 3 -> iopage */
#define V_NONCANON 0x0100000000000000   /* Sv57: bit 56 set, bits 63:57 clear */
#define ONES    -1
#define RWAD    (PTE_R | PTE_W | PTE_A | PTE_D)

/* fill the 4 KiB page at label with ones */
.macro FILL_ONES label
    la t0, \label
    li t1, -1
    li t2, 512
1:  sd t1, 0(t0)
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
.endm

TEST_BEGIN cbo-gstage
    li t0, ALL_EN
    csrw CSR_MENVCFG, t0
    csrw CSR_HENVCFG, t0
    FILL_ONES ropage
    FILL_ONES part0
    FILL_ONES part1
    FILL_ONES pmpblock
    FILL_ONES iopage

    /* G-stage Sv39x4: DRAM identity (1 GiB), G_RO read-only, G_PART's first page */
    jal hvm_reset
    la s4, gpt_root
    mv a0, s4
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal gpt_map
    mv a0, s4
    li a1, G_RO
    la a2, ropage
    li a3, 0
    li a4, PTE_U | PTE_R | PTE_A
    li a5, 3
    jal gpt_map
    mv a0, s4
    li a1, G_PART
    la a2, part0
    li a3, 0
    li a4, PTE_U | RWAD
    li a5, 3
    jal gpt_map
    MAKE_HGATP t0, s4, HGATP_MODE_SV39X4
    csrw CSR_HGATP, t0
    hfence.gvma

    TO_VS
    li s0, G_RO + 64 + 8
    li s1, G_RO + 64
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_GPF_M CAUSE_STORE_GUEST_PAGE_FAULT, s0, s1, 1
    CBO_CLEAN(s0)
    CBO_FLUSH(s0)
    CBO_INVAL(s0)
    ld t1, 0(s1)
    CHECK_EQ t1, ONES, 3
    li s0, G_NONE + 128
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_GPF_M CAUSE_STORE_GUEST_PAGE_FAULT, s0, s0, 4
    EXPECT_TRAP 1f
    CBO_FLUSH(s0)
1:  CHECK_GPF_M CAUSE_STORE_GUEST_PAGE_FAULT, s0, s0, 5
    TO_M
    la t0, ropage + 64
    ld t1, 0(t0)
    CHECK_EQ t1, ONES, 2
    ld t1, 56(t0)
    CHECK_EQ t1, ONES, 2

    /* VS-stage Sv39: DRAM identity, a NAPOT leaf, an IO leaf and a PBMT = 3 leaf */
    jal pt_alloc
    mv s5, a0
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_map
    mv a0, s5
    li a1, V_NAPOT
    li a2, G_PART + 0x8000          /* ppn[3:0] = 1000: a 64 KiB NAPOT range */
    li a3, 0
    li a4, PTE_N | RWAD
    li a5, 3
    jal pt_map
    ld t0, 0(a0)                    /* the same PTE in all 16 slots of the range */
    li t1, 15
1:  addi a0, a0, 8
    sd t0, 0(a0)
    addi t1, t1, -1
    bnez t1, 1b
    mv a0, s5
    li a1, V_IO
    la a2, iopage
    li a3, 0
    li a4, PTE_PBMT_IO | RWAD
    li a5, 3
    jal pt_map
    mv a0, s5
    li a1, V_RSV
    la a2, iopage
    li a3, 0
    li a4, PTE_PBMT_RSV | RWAD
    li a5, 3
    jal pt_map
    MAKE_SATP t0, s5, SATP_MODE_SV39
    csrw CSR_VSATP, t0
    hfence.vvma

    TO_VS
    li s0, V_NAPOT + 0x40
    CBO_ZERO(s0)
    li s0, V_NAPOT + 0x1040
    li s1, G_PART + 0x1040
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_GPF_M CAUSE_STORE_GUEST_PAGE_FAULT, s0, s1, 7
    li s0, V_IO + 0x80
    CBO_ZERO(s0)
    li s0, V_RSV
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 10
    CHECK_REG s10, s0, 10
    TO_M
    la t0, part0
    ld t1, 0x40(t0)
    CHECK_EQ t1, 0, 6
    ld t1, 0x38(t0)
    CHECK_EQ t1, ONES, 6
    la t0, part1
    ld t1, 0x40(t0)
    CHECK_EQ t1, ONES, 8
    la t0, iopage
    ld t1, 0x80(t0)
    CHECK_EQ t1, 0, 9
    ld t1, 0(t0)
    CHECK_EQ t1, ONES, 10

    /* VS-stage Sv57 (over the same G-stage): a non-canonical address */
    jal pt_alloc
    mv s5, a0
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 5
    jal pt_map
    MAKE_SATP t0, s5, SATP_MODE_SV57
    csrw CSR_VSATP, t0
    hfence.vvma
    TO_VS
    li s0, V_NONCANON
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 11
    CHECK_REG s10, s0, 11
    TO_M

    /* PMP entry 0: pmpblock closed to S and U (M keeps access: not locked) */
    csrw CSR_VSATP, zero
    csrw CSR_HGATP, zero
    hfence.gvma
    hfence.vvma
    la t0, pmpblock
    srli t0, t0, 2
    ori t0, t0, 0x1FF
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT
    csrw pmpcfg0, t0
    sfence.vma
    TO_VS
    la s0, pmpblock + 0x100
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_ACCESS, 12
    CHECK_REG s10, s0, 12
    EXPECT_TRAP 1f
    CBO_CLEAN(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_ACCESS, 13
    TO_M
    TO_HS
    EXPECT_TRAP 1f
    CBO_ZERO(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_ACCESS, 14
    TO_M
    la t0, pmpblock + 0x100
    ld t1, 0(t0)
    CHECK_EQ t1, ONES, 14
    ld t1, 56(t0)
    CHECK_EQ t1, ONES, 14
    csrw pmpcfg0, zero
    PASS

    .bss
    .align 16
part0:    .space 4096
part1:    .space 4096
    .align 12
ropage:   .space 4096
pmpblock: .space 4096
iopage:   .space 4096
