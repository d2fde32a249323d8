/*
 * hints: Zihintpause and Zicbop, which are HINTs in encodings the base ISA already reserves
 * for them (Unpriv. "Zihintpause" and "HINT Instructions"; the CMO specification's Zicbop
 * chapter: PREFETCH.I/R/W are ORI with rd = x0 and imm[4:0] = 0, 1 or 3).
 *  - PAUSE (FENCE with pred = W, succ = 0, fm = 0, rs1 = rd = x0) runs in M, S and U,
 *    including with mstatus.TW = 1; nothing traps and no register changes.
 *  - PREFETCH.I/R/W never trap and never write: not for an address with no memory or
 *    device behind it, a misaligned one, one PMP denies to U-mode, or one with no mapping
 *    under Sv39 (satp = an empty root table, reached with MPRV). rs1 is left as it was.
 *  - the other ORI x0 forms (imm[4:0] other than 0, 1, 3) are HINTs too: no-ops.
 */
#include "test.h"

#define UNMAPPED 0x800

/* run `insn` with every register that matters checked after: a0 kept, no trap taken */
.macro T_HINT n, insn:vararg
    li s6, 0
    li a0, UNMAPPED
    mv a2, a0
    \insn
    CHECK_REG a0, a2, \n
    CHECK_EQ s6, 0, \n
.endm

TEST_BEGIN hints
    /* ---------------- M-mode */
    T_HINT 1, pause
    T_HINT 2, prefetch.i 0(a0)
    T_HINT 3, prefetch.r 0(a0)
    T_HINT 4, prefetch.w 0(a0)
    T_HINT 5, prefetch.r 96(a0)
    T_HINT 6, prefetch.w -2048(a0)
    /* misaligned and huge addresses */
    li a1, 0xfffffffffffff003
    prefetch.r 0(a1)
    prefetch.w 32(a1)
    prefetch.i -32(a1)
    CHECK_EQ a1, 0xfffffffffffff003, 7
    /* ORI x0 with other imm[4:0]: HINTs, no-ops */
    ori x0, a1, 2
    ori x0, a1, 31
    ori x0, a1, -1
    CHECK_EQ zero, 0, 8
    /* PAUSE is FENCE w,0 with fm = 0: the raw word as well */
    .word 0x0100000f
    CHECK_EQ s6, 0, 9

    /* ---------------- TW = 1 does not apply to PAUSE (it is not WFI) */
    li s11, MSTATUS_TW
    csrs mstatus, s11
    TO_S
    T_HINT 10, pause
    T_HINT 11, prefetch.w 0(a0)
    /* ---------------- U-mode: still nothing traps */
    TO_M
    /* PMP: deny U/S everything in [0, 0x80000000) with a locked-free TOR entry 0 */
    csrw pmpaddr0, zero
    li s11, 0x80000000 >> 2
    csrw pmpaddr1, s11
    li s11, (PMP_TOR << 8)              /* entry 1: TOR [0, 0x80000000), no permissions */
    csrw pmpcfg0, s11
    TO_U
    T_HINT 12, pause
    T_HINT 13, prefetch.i 0(a0)
    T_HINT 14, prefetch.r 0(a0)
    T_HINT 15, prefetch.w 0(a0)
    li a1, 0x10000000                   /* the UART: PMP denies it to U */
    prefetch.r 0(a1)
    prefetch.w 0(a1)
    CHECK_EQ a1, 0x10000000, 16
    TO_M
    csrw pmpcfg0, zero

    /* ---------------- data accesses under Sv39 with an empty root table (M with MPRV = 1,
     * MPP = S: a load or store would take a page fault) */
    la t0, empty_root
    srli t0, t0, 12
    li t1, SATP_MODE_SV39
    or t0, t0, t1
    csrw satp, t0
    li s11, MSTATUS_MPRV
    csrs mstatus, s11                   /* M data accesses translated as MPP = S */
    li s11, MSTATUS_MPP
    csrc mstatus, s11
    li s11, MSTATUS_MPP_S
    csrs mstatus, s11
    li a1, 0x80000000
    prefetch.r 0(a1)
    prefetch.w 0(a1)
    prefetch.i 0(a1)
    li s11, MSTATUS_MPRV
    csrc mstatus, s11
    csrw satp, zero
    sfence.vma
    CHECK_EQ a1, 0x80000000, 17
    CHECK_EQ s6, 0, 18

    PASS

    .data
    .align 12
empty_root:
    .space 4096
