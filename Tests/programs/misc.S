/*
 * misc: FENCE forms, FENCE.I after self-modifying code, HINTs, and the
 * privileged instructions that are illegal in lower modes or under TW / TSR.
 */
#include "test.h"

#define LI_A0(v)    (0x00000513 | ((v) << 20))  /* addi a0, zero, v */
#define RET_INSN    0x00008067
#define NOP_INSN    0x00000013

TEST_BEGIN misc

    /* ---------------- FENCE: every form executes; reserved fields are ignored */
    fence
    fence rw, rw
    fence iorw, iorw
    fence r, w
    fence.tso
    .4byte 0x0100000F               /* pause (fence w, 0) */
    .4byte 0x0FF5808F               /* fence iorw,iorw with rd = x1, rs1 = a1 */
    li ra, 7
    .4byte 0x0FF0008F               /* rd = ra is not written */
    CHECK_EQ ra, 7, 1
    fence.i
    .4byte 0x0015900F               /* fence.i with imm / rs1 / rd fields set */

    /* ---------------- HINTs are no-ops */
    li a1, 5
    addi x0, a1, 1
    add x0, a1, a1
    lui x0, 0x12
    slli x0, a1, 3
    .option push
    .option rvc
    .option exact
    c.nop 5                         /* c.nop with a nonzero immediate */
    c.li x0, 3
    c.mv x0, a1
    c.nop
    .option pop
    CHECK_EQ a1, 5, 2
    CHECK_EQ x0, 0, 3

    /* ---------------- FENCE.I after self-modifying code */
    la a1, smc_buf
    li t0, LI_A0(1)
    sw t0, 0(a1)
    li t0, RET_INSN
    sw t0, 4(a1)
    fence.i
    li a0, 0
    jalr ra, 0(a1)
    CHECK_EQ a0, 1, 4
    li t0, LI_A0(2)                 /* rewrite the executed code */
    sw t0, 0(a1)
    fence.i
    jalr ra, 0(a1)
    CHECK_EQ a0, 2, 5
    li t0, 0x00000513 | (0x7FF << 20) | 0  /* li a0, 2047 in the next word */
    li t1, NOP_INSN
    sw t1, 0(a1)
    li t1, LI_A0(0x7FF)
    sw t1, 4(a1)
    li t1, RET_INSN
    sw t1, 8(a1)
    fence.i
    jalr ra, 0(a1)
    CHECK_EQ a0, 0x7FF, 6
    li t0, 0x4511                   /* c.li a0, 4 ; c.jr ra  (compressed) */
    li t1, 0x8082
    sh t0, 0(a1)
    sh t1, 2(a1)
    fence.i
    jalr ra, 0(a1)
    CHECK_EQ a0, 4, 7
    /* modify an instruction just ahead in the running code */
    la a1, smc_ahead
    li t0, LI_A0(99)
    sw t0, 0(a1)
    fence.i
    li a0, 0
smc_ahead:
    li a0, 1                        /* replaced by li a0, 99 */
    CHECK_EQ a0, 99, 8
    /* from S and U too */
    TO_S
    la a1, smc_buf
    li t0, LI_A0(21)
    sw t0, 0(a1)
    li t0, RET_INSN
    sw t0, 4(a1)
    fence.i
    jalr ra, 0(a1)
    CHECK_EQ a0, 21, 9
    S_TO_U
    la a1, smc_buf
    li t0, LI_A0(22)
    sw t0, 0(a1)
    fence.i
    jalr ra, 0(a1)
    CHECK_EQ a0, 22, 10
    TO_M

    /* ---------------- WFI: legal in S unless TW, never in U */
    /* a pending, enabled but masked interrupt makes every WFI return at once:
     * SSI delegated to S, sie.SSIE = 1, sstatus.SIE = 0 */
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrci mstatus, MSTATUS_SIE | MSTATUS_MIE
    wfi                             /* M */
    TO_S
    wfi                             /* S, TW = 0 */
    li t0, MIP_SSIP                 /* in U it would be taken: clear it */
    csrc sip, t0
    S_TO_U
    CHECK_ILLEGAL 11, wfi
    TO_M
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, MSTATUS_TW
    csrs mstatus, t0
    wfi                             /* M is not affected by TW */
    csrci mstatus, MSTATUS_SIE      /* (the sret into U set SIE from SPIE) */
    TO_S
    CHECK_ILLEGAL 12, wfi
    li t0, MIP_SSIP
    csrc sip, t0
    S_TO_U
    CHECK_ILLEGAL 13, wfi
    TO_M
    li t0, MSTATUS_TW
    csrc mstatus, t0
    csrw mip, zero
    csrw mie, zero
    csrw mideleg, zero

    /* ---------------- xRET privilege */
    TO_S
    CHECK_ILLEGAL 14, mret
    S_TO_U
    CHECK_ILLEGAL 15, mret
    CHECK_ILLEGAL 16, sret
    TO_M

    /* ---------------- TSR: SRET illegal in S; M unaffected */
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    TO_S
    CHECK_ILLEGAL 17, sret
    TO_M
    li t0, MSTATUS_SPP              /* sret in M with TSR: returns to S */
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 2f
    ecall
2:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 18
    TO_M
    li t0, MSTATUS_TSR
    csrc mstatus, t0
    TO_S                            /* without TSR, S may sret (to S) */
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  csrr a1, sstatus
    TO_M

    /* ---------------- SFENCE.VMA in U */
    TO_U
    CHECK_ILLEGAL 19, sfence.vma
    CHECK_ILLEGAL 20, sfence.vma a1, a2
    TO_M
    TO_S
    sfence.vma                      /* S, TVM = 0: fine */
    TO_M

    PASS

    .data
    .balign 64
smc_buf:
    .space 64
