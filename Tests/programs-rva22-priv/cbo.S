/*
 * Zicbom / Zicboz (CMO spec 1.0; enables in priv. menvcfg, senvcfg and H henvcfg):
 * CBO.ZERO writes 64 zero bytes of the block holding rs1; CBO.CLEAN/FLUSH/INVAL only check
 * the access on this coherent board. Below M an instruction needs its menvcfg enable
 * (else illegal); in U also senvcfg's (else illegal); in VS henvcfg's and in VU henvcfg's
 * and senvcfg's (else virtual). Faults are store faults. QEMU 7.2 has neither extension.
 *   1-4   envcfg fields are writable (CBIE 0b10 reserved: the field keeps its value)
 *   5-7   M: CBO.ZERO zeroes exactly one block; the others leave memory alone
 *   8-13  S and U: illegal without the enables, running with them
 *   14-21 VS and VU: illegal without menvcfg, virtual without henvcfg / senvcfg
 *   22-27 Sv39 in S: CBO.ZERO on a read-only page is a store page fault at rs1;
 *         CBO.CLEAN there runs; on an unmapped page it is a store page fault
 *   28    CBO.ZERO over code that ran: the next fetch sees zeros (illegal instruction)
 *   29    (strict) the fault's stval is rs1 itself, not the block address
 */
#include "h.h"
#include "vm.h"
#include "rva22.h"

#define ALL_EN  (ENVCFG_CBIE_FLUSH | ENVCFG_CBCFE | ENVCFG_CBZE)
#define V_RO    0x100000000
#define V_NONE  0x100001000

TEST_BEGIN cbo
    li t0, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE
    csrs CSR_MENVCFG, t0
    csrr t1, CSR_MENVCFG
    CHECK_MASK t1, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, 1
    csrs CSR_SENVCFG, t0
    csrr t1, CSR_SENVCFG
    CHECK_MASK t1, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, 2
    csrs CSR_HENVCFG, t0
    csrr t1, CSR_HENVCFG
    CHECK_MASK t1, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, ENVCFG_CBIE | ENVCFG_CBCFE | ENVCFG_CBZE, 3
#ifdef SPEC_STRICT
    li t0, ENVCFG_CBIE
    csrc CSR_MENVCFG, t0
    li t0, ENVCFG_CBIE_FLUSH
    csrs CSR_MENVCFG, t0
    li t0, ENVCFG_CBIE
    csrc CSR_MENVCFG, t0
    li t0, 2 << 4
    csrs CSR_MENVCFG, t0                        /* 0b01 -> 0b10 (reserved): a WARL write */
    csrr t1, CSR_MENVCFG
    CHECK_MASK t1, ENVCFG_CBIE, 0, 4            /* keeps 0b00 */
#endif
    csrw CSR_MENVCFG, zero
    csrw CSR_SENVCFG, zero
    csrw CSR_HENVCFG, zero

    /* fill three blocks with ones; zero the middle one through an address inside it */
    la t0, blocks
    li t1, -1
    li t2, 24
1:  sd t1, 0(t0)
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
    la s0, blocks + 64 + 40
    CBO_ZERO(s0)
    la t0, blocks
    ld t1, 56(t0)
    CHECK_EQ t1, -1, 5
    ld t1, 128(t0)
    CHECK_EQ t1, -1, 5
    li t2, 8
    addi t0, t0, 64
1:  ld t1, 0(t0)
    CHECK_EQ t1, 0, 6
    addi t0, t0, 8
    addi t2, t2, -1
    bnez t2, 1b
    la s0, blocks
    CBO_CLEAN(s0)
    CBO_FLUSH(s0)
    CBO_INVAL(s0)
    ld t1, 0(s0)
    CHECK_EQ t1, -1, 7

    /* S and U */
    TO_HS
    CHECK_ILLEGAL 8, CBO_ZERO(s0)
    CHECK_ILLEGAL 8, CBO_CLEAN(s0)
    CHECK_ILLEGAL 8, CBO_INVAL(s0)
    TO_M
    li t0, ALL_EN
    csrw CSR_MENVCFG, t0
    TO_HS
    CBO_ZERO(s0)
    CBO_CLEAN(s0)
    CBO_FLUSH(s0)
    CBO_INVAL(s0)
    ld t1, 0(s0)
    CHECK_EQ t1, 0, 9
    S_TO_U
    CHECK_ILLEGAL 10, CBO_ZERO(s0)
    CHECK_ILLEGAL 11, CBO_FLUSH(s0)
    CHECK_ILLEGAL 11, CBO_INVAL(s0)
    TO_M
    li t0, ALL_EN
    csrw CSR_SENVCFG, t0
    TO_U
    CBO_ZERO(s0)
    CBO_CLEAN(s0)
    CBO_INVAL(s0)
    TO_M
    li t0, ENVCFG_CBZE
    csrc CSR_MENVCFG, t0
    TO_U
    CHECK_ILLEGAL 13, CBO_ZERO(s0)
    TO_M

    /* VS and VU: menvcfg.CBZE = 0 now */
    TO_VS
    CHECK_ILLEGAL 14, CBO_ZERO(s0)
    CHECK_VIRTUAL 15, CBO_CLEAN(s0)
    CHECK_VIRTUAL 15, CBO_INVAL(s0)
    TO_M
    li t0, ALL_EN
    csrw CSR_MENVCFG, t0
    csrw CSR_HENVCFG, t0
    TO_VS
    CBO_ZERO(s0)
    CBO_FLUSH(s0)
    CBO_INVAL(s0)
    TO_M
    TO_VU
    CBO_ZERO(s0)
    CBO_CLEAN(s0)
    TO_M
    csrw CSR_SENVCFG, zero
    TO_VU
    CHECK_VIRTUAL 18, CBO_ZERO(s0)
    CHECK_VIRTUAL 19, CBO_CLEAN(s0)
    CHECK_VIRTUAL 19, CBO_INVAL(s0)
    TO_M
    li t0, ALL_EN
    csrw CSR_SENVCFG, t0
    csrw CSR_HENVCFG, zero
    TO_VU
    CHECK_VIRTUAL 20, CBO_ZERO(s0)
    TO_M
    csrw CSR_MENVCFG, zero
    TO_VU
    CHECK_ILLEGAL 21, CBO_ZERO(s0)
    TO_M

    /* faults under Sv39 in S */
    li t0, ALL_EN
    csrw CSR_MENVCFG, t0
    jal pt_alloc
    mv s1, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    mv a0, s1
    li a1, V_RO
    la a2, blocks
    li a3, 0
    li a4, PTE_R | PTE_A
    li a5, 3
    jal pt_map
    MAKE_SATP t0, s1, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma
    TO_HS
    li s2, V_RO + 64
    EXPECT_TRAP 1f
    CBO_ZERO(s2)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 22
    CHECK_REG s10, s2, 23
    CBO_CLEAN(s2)
    CBO_INVAL(s2)
    li s2, V_NONE
    EXPECT_TRAP 1f
    CBO_FLUSH(s2)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 25
    CHECK_REG s10, s2, 26
    EXPECT_TRAP 1f
    CBO_ZERO(s2)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 27
#ifdef SPEC_STRICT
    li s2, V_RO + 64 + 24
    EXPECT_TRAP 1f
    CBO_ZERO(s2)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 29
    CHECK_REG s10, s2, 29
#endif
    TO_M
    csrw satp, zero
    sfence.vma

    /* code that ran, zeroed by CBO.ZERO: the next run sees an all-zero (illegal) word */
    jal zcode
    la s3, zcode
    CBO_ZERO(s3)
    fence.i
    EXPECT_TRAP 1f
    jal zcode
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 28
    CHECK_REG s9, s3, 28
    CHECK_EQ s10, 0, 28
    PASS

    .section .data
    .align 6
zcode:
    addi t1, t1, 1
    ret
    .space 56

    .bss
    .align 12
blocks: .space 4096
