/*
 * Sv57x4 (H "hgatp", "Guest Physical Address Translation"): a 59-bit guest physical
 * address, a 16 KiB root indexed by GPA bits 58:48. With a VS-stage in Bare and in
 * Sv57, and henvcfg.PBMTE (read-only zero while menvcfg.PBMTE is zero; Svpbmt for the
 * VS-stage).
 *   1     hgatp takes MODE = 10
 *   2     VS (vsatp Bare) reads pages at GPA bit 55 and (strict: QEMU 7.2 raises a
 *         guest-page fault) bit 58
 *   3-4   GPA bit 59 set: a load guest-page fault with mtval2 = GPA >> 2
 *   5     vsatp takes MODE = 10; VS-stage Sv57 over Sv57x4
 *   6-7   henvcfg.PBMTE is read-only zero while menvcfg.PBMTE is zero, then writable
 *   8-9   a VS-stage PBMT = NC leaf faults with henvcfg.PBMTE = 0 and runs with 1
 */
#include "h.h"
#include "hvm.h"
#include "rva22.h"

#define G_HI    0x0400000000000000      /* GPA bit 58: root index 1024 */
#define G_OUT   0x0800000000000000      /* GPA bit 59: beyond Sv57x4 */
#define G_MID   0x0080000000000000      /* GPA bit 55: a VS-stage PTE's PPN (44 bits) reaches it */
#define V_NEG   0xFF00000000002000      /* VS-stage Sv57 -> G_MID */
#define V_NC    0x0000100000003000      /* VS-stage Sv57, PBMT = NC -> G_MID */
#define MAGIC   0x57A4A4A4A4A4A457
#define RWAD    (PTE_R | PTE_W | PTE_A | PTE_D)

TEST_BEGIN sv57x4
    jal hvm_reset
    la s4, gpt_root
    mv a0, s4
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_U | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 5
    jal gpt_map
    mv a0, s4
    li a1, G_HI
    la a2, page1
    li a3, 0
    li a4, PTE_U | RWAD
    li a5, 5
    jal gpt_map
    mv a0, s4
    li a1, G_MID
    la a2, page1
    li a3, 0
    li a4, PTE_U | RWAD
    li a5, 5
    jal gpt_map
    la t0, page1
    li t1, MAGIC
    sd t1, 0(t0)
    MAKE_HGATP t0, s4, HGATP_MODE_SV57X4
    csrw CSR_HGATP, t0
    csrr t1, CSR_HGATP
    CHECK_REG t0, t1, 1
    HINVAL_GVMA(x0, x0)
    TO_VS
    li t0, G_MID
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 2
#ifdef SPEC_STRICT
    li t0, G_HI
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 2
#endif
    li s0, G_OUT
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_GPF_M CAUSE_LOAD_GUEST_PAGE_FAULT, s0, s0, 3
    TO_M

    /* VS-stage Sv57: identity for DRAM, V_NEG and V_NC -> G_HI */
    jal pt_alloc
    mv s5, a0
    mv a0, s5
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 5
    jal pt_map
    mv a0, s5
    li a1, V_NEG
    li a2, G_MID
    li a3, 0
    li a4, RWAD
    li a5, 5
    jal pt_map
    mv a0, s5
    li a1, V_NC
    li a2, G_MID
    li a3, 0
    li a4, PTE_PBMT_NC | RWAD
    li a5, 5
    jal pt_map
    MAKE_SATP t0, s5, SATP_MODE_SV57
    csrw CSR_VSATP, t0
    csrr t1, CSR_VSATP
    CHECK_REG t0, t1, 5
    HINVAL_VVMA(x0, x0)
    TO_VS
    li t0, V_NEG
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 5
    TO_M

    li t0, ENVCFG_PBMTE
#ifdef SPEC_STRICT
    csrc CSR_MENVCFG, t0
    csrs CSR_HENVCFG, t0
    csrr t1, CSR_HENVCFG
    CHECK_MASK t1, ENVCFG_PBMTE, 0, 6
#endif
    csrs CSR_MENVCFG, t0
    csrs CSR_HENVCFG, t0
    csrr t1, CSR_HENVCFG
    CHECK_MASK t1, ENVCFG_PBMTE, ENVCFG_PBMTE, 7
    csrc CSR_HENVCFG, t0
    hfence.vvma
#ifdef SPEC_STRICT
    TO_VS
    li s0, V_NC
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 8
    TO_M
#endif
    li t0, ENVCFG_PBMTE
    csrs CSR_HENVCFG, t0
    hfence.vvma
    TO_VS
    li t0, V_NC
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 9
    TO_M
    PASS

    .bss
    .align 12
page1: .space 4096
