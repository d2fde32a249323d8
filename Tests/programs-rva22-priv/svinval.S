/*
 * Svinval (priv. "Svinval"): SINVAL.VMA, SFENCE.W.INVAL, SFENCE.INVAL.IR, HINVAL.VVMA,
 * HINVAL.GVMA. Permissions: SINVAL.VMA / HINVAL.VVMA / HINVAL.GVMA as SFENCE.VMA /
 * HFENCE.VVMA / HFENCE.GVMA (illegal in U; SINVAL.VMA and HINVAL.GVMA illegal in HS with
 * TVM; HINVAL.* virtual in VS and VU, SINVAL.VMA virtual in VU and in VS with VTVM);
 * SFENCE.W.INVAL and SFENCE.INVAL.IR illegal in U, virtual in VU, and unaffected by TVM
 * and VTVM. Then the W.INVAL / SINVAL.VMA / INVAL.IR sequence replaces SFENCE.VMA.
 *   1-5   M: all five run
 *   6-10  HS: all five run
 *   11-15 HS with TVM
 *   16-20 U: all illegal
 *   21-27 VS (and VS with VTVM)
 *   28-32 VU: all virtual
 *   33-34 the sequence makes a changed PTE visible in S-mode
 */
#include "h.h"
#include "vm.h"
#include "rva22.h"

#define VA      0x100000000
#define RWAD    (PTE_R | PTE_W | PTE_A | PTE_D)

TEST_BEGIN svinval
    SINVAL_VMA(x0, x0)
    SFENCE_W_INVAL
    SFENCE_INVAL_IR
    HINVAL_VVMA(x0, x0)
    HINVAL_GVMA(x0, x0)
    TO_HS
    SINVAL_VMA(x0, x0)
    SFENCE_W_INVAL
    SFENCE_INVAL_IR
    HINVAL_VVMA(x0, x0)
    HINVAL_GVMA(x0, x0)
    TO_M
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    TO_HS
#ifdef SPEC_STRICT
    CHECK_ILLEGAL 11, SINVAL_VMA(x0, x0)
#endif
    SFENCE_W_INVAL
    SFENCE_INVAL_IR
    HINVAL_VVMA(x0, x0)
#ifdef SPEC_STRICT
    CHECK_ILLEGAL 15, HINVAL_GVMA(x0, x0)
#endif
    TO_M
    li t0, MSTATUS_TVM
    csrc mstatus, t0
    TO_U
    CHECK_ILLEGAL 16, SINVAL_VMA(x0, x0)
    CHECK_ILLEGAL 17, SFENCE_W_INVAL
    CHECK_ILLEGAL 18, SFENCE_INVAL_IR
    CHECK_ILLEGAL 19, HINVAL_VVMA(x0, x0)
    CHECK_ILLEGAL 20, HINVAL_GVMA(x0, x0)
    TO_M
    TO_VS
    SINVAL_VMA(x0, x0)
    SFENCE_W_INVAL
    SFENCE_INVAL_IR
    CHECK_VIRTUAL 21, HINVAL_VVMA(x0, x0)
    CHECK_VIRTUAL 22, HINVAL_GVMA(x0, x0)
    TO_M
    li t0, HSTATUS_VTVM
    csrs CSR_HSTATUS, t0
    TO_VS
    CHECK_VIRTUAL 23, SINVAL_VMA(x0, x0)
    SFENCE_W_INVAL
    SFENCE_INVAL_IR
    TO_M
    li t0, HSTATUS_VTVM
    csrc CSR_HSTATUS, t0
    TO_VU
    CHECK_VIRTUAL 28, SINVAL_VMA(x0, x0)
    CHECK_VIRTUAL 29, SFENCE_W_INVAL
    CHECK_VIRTUAL 30, SFENCE_INVAL_IR
    CHECK_VIRTUAL 31, HINVAL_VVMA(x0, x0)
    CHECK_VIRTUAL 32, HINVAL_GVMA(x0, x0)
    TO_M

    /* the sequence as SFENCE.VMA: VA -> page1, then page2 */
    jal pt_alloc
    mv s0, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    mv a0, s0
    li a1, VA
    la a2, page1
    li a3, 0
    li a4, RWAD
    li a5, 3
    jal pt_map
    mv s1, a0                                   /* the leaf PTE */
    la t0, page1
    li t1, 1
    sd t1, 0(t0)
    la t0, page2
    li t1, 2
    sd t1, 0(t0)
    MAKE_SATP t0, s0, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma
    TO_HS
    li s2, VA
    ld t1, 0(s2)
    CHECK_EQ t1, 1, 33
    la t0, page2
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, RWAD | PTE_V
    SFENCE_W_INVAL
    sd t0, 0(s1)
    SFENCE_W_INVAL
    SINVAL_VMA(s2, x0)
    SFENCE_INVAL_IR
    ld t1, 0(s2)
    CHECK_EQ t1, 2, 34
    PASS

    .bss
    .align 12
page1: .space 4096
page2: .space 4096
