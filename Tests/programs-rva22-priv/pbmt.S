/*
 * Svpbmt (priv. "Svpbmt", menvcfg.PBMTE) under Sv39 in S-mode. PBMT = NC (1) and IO (2)
 * are accepted on a leaf when menvcfg.PBMTE = 1 (the board is coherent: same data);
 * 3 is reserved; with PBMTE = 0 any nonzero PBMT is reserved; PBMT on a non-leaf is
 * reserved; bits 60:54 are reserved. Every reserved use raises a page fault.
 *   1     menvcfg.PBMTE is writable
 *   2-3   NC and IO leaves read DRAM
 *   4-5   PBMT = 3 faults (load and store)
 *   6     PBMT on a non-leaf faults
 *   7-8   with PBMTE = 0, NC faults
 *   9     bit 54 set faults
 */
#include "test.h"
#include "vm.h"
#include "rva22.h"

#define V_NC     0x100000000
#define V_IO     0x100001000
#define V_RSV    0x100002000
#define V_NL     0x140000000
#define V_B54    0x100003000
#define RWAD     (PTE_R | PTE_W | PTE_A | PTE_D)
#define MAGIC    0x0123456789ABCDEF

.macro MAP4K va, flags
    mv a0, s0
    li a1, \va
    la a2, page1
    li a3, 0
    li a4, \flags
    li a5, 3
    jal pt_map
.endm

TEST_BEGIN pbmt
    li t0, ENVCFG_PBMTE
    csrs CSR_MENVCFG, t0
    csrr t1, CSR_MENVCFG
    CHECK_MASK t1, ENVCFG_PBMTE, ENVCFG_PBMTE, 1
    jal pt_alloc
    mv s0, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    MAP4K V_NC, PTE_PBMT_NC | RWAD
    MAP4K V_IO, PTE_PBMT_IO | RWAD
    MAP4K V_RSV, PTE_PBMT_RSV | RWAD
    MAP4K V_B54, (1 << 54) | RWAD
    MAP4K V_NL, RWAD
    /* PBMT = NC on the level-1 (non-leaf) PTE above V_NL */
    li t0, (V_NL >> 30) & 0x1FF
    slli t0, t0, 3
    add t0, s0, t0
    ld t1, 0(t0)
    srli t1, t1, 10
    slli t1, t1, 12
    li t0, (V_NL >> 21) & 0x1FF
    slli t0, t0, 3
    add t0, t1, t0
    ld t1, 0(t0)
    li t2, PTE_PBMT_NC
    or t1, t1, t2
    sd t1, 0(t0)
    la t0, page1
    li t1, MAGIC
    sd t1, 0(t0)

    MAKE_SATP t0, s0, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma
    TO_S
    li t0, V_NC
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 2
    li t0, V_IO
    ld t1, 0(t0)
    CHECK_EQ t1, MAGIC, 3
#ifdef SPEC_STRICT
    li s0, V_RSV
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 4
    EXPECT_TRAP 1f
    sd t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 5
#endif
    li s0, V_NL
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 6

    TO_M
    li t0, ENVCFG_PBMTE
    csrc CSR_MENVCFG, t0
    sfence.vma
    TO_S
#ifdef SPEC_STRICT
    li s0, V_NC
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 7
    CHECK_REG s10, s0, 8
#endif
#ifdef SPEC_STRICT
    li s0, V_B54
    EXPECT_TRAP 1f
    ld t1, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 9
#endif
    PASS

    .bss
    .align 12
page1: .space 4096
