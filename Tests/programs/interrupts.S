/*
 * interrupts: CLINT timer and software interrupts, mip / mie / mstatus.MIE gating,
 * WFI, delegated supervisor software / timer interrupts, interrupt priority,
 * M-level interrupts in S/U regardless of mstatus.MIE, stvec vectored mode.
 */
#include "test.h"

#define SPIN_LIMIT      20000000
#define PLIC_PRIO(src)  (PLIC_BASE + 4 * (src))
#define PLIC_ENABLE_M0  (PLIC_BASE + 0x2000)
#define PLIC_THRESH_M0  (PLIC_BASE + 0x200000)
#define PLIC_CLAIM_M0   (PLIC_BASE + 0x200004)
#define UART_IRQ        10

/* mtimecmp <- mtime + delta (clobbers t0, t1) */
.macro TIMER_IN delta
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t0, \delta
    add t1, t1, t0
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
.endm

.macro TIMER_OFF
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
.endm

/* spin until (csr & mask) != 0, failing with n after SPIN_LIMIT rounds */
.macro CHECK_PENDING csr, mask, n
    li a4, SPIN_LIMIT
    li a5, \mask
.Lwait\@:
    csrr a3, \csr
    and a3, a3, a5
    bnez a3, .Lwait_ok\@
    addi a4, a4, -1
    bnez a4, .Lwait\@
    FAIL_N \n
.Lwait_ok\@:
.endm

/* spin (armed) until the trap comes, failing with n after SPIN_LIMIT rounds */
.macro CHECK_SPIN_TRAP n
    li a4, SPIN_LIMIT
.Lspin\@:
    addi a4, a4, -1
    bnez a4, .Lspin\@
    FAIL_N \n
.endm

/* take one interrupt (all are pending and enabled), expect cause irq */
.macro T_PRIO irq, n
    EXPECT_TRAP .Lprio\@
    csrsi mstatus, MSTATUS_MIE
    FAIL_N \n
.Lprio\@:
    CHECK_TRAP 3, CAUSE_INTR | \irq, \n
.endm

TEST_BEGIN interrupts

    /* ---------------- mtime advances */
    li t0, CLINT_MTIME
    ld a1, 0(t0)
    li a2, 10000
1:  addi a2, a2, -1
    bnez a2, 1b
    ld a2, 0(t0)
    CHECK_LTU a1, a2, 1

    /* ---------------- machine timer interrupt */
    li t0, MIP_MTIP
    csrw mie, t0
    EXPECT_TRAP 1f
    TIMER_IN 200
    csrsi mstatus, MSTATUS_MIE
    CHECK_SPIN_TRAP 2
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MTI, 3
    CHECK_MASK s7, MSTATUS_MPIE | MSTATUS_MIE, MSTATUS_MPIE, 4
    csrr a1, mip                    /* still pending until mtimecmp moves */
    CHECK_MASK a1, MIP_MTIP, MIP_MTIP, 5
    TIMER_OFF
    csrr a1, mip
    CHECK_MASK a1, MIP_MTIP, 0, 6

    /* ---------------- MIE = 0: not taken, but mip.MTIP visible; taken once MIE = 1 */
    csrci mstatus, MSTATUS_MIE
    li t0, MIP_MTIP
    csrw mie, t0
    TIMER_IN 100
    CHECK_PENDING mip, MIP_MTIP, 7
    li a2, 1000                     /* stays pending, not taken */
1:  addi a2, a2, -1
    bnez a2, 1b
    EXPECT_TRAP 1f
enable_mie:
    csrsi mstatus, MSTATUS_MIE
after_enable:
    FAIL_N 8
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MTI, 9
    CHECK_ADDR s9, after_enable, 10     /* taken right after the enabling csrsi */
    TIMER_OFF

    /* ---------------- a pending interrupt with mie bit clear is not taken */
    csrw mie, zero
    TIMER_IN 0
    CHECK_PENDING mip, MIP_MTIP, 11
    csrsi mstatus, MSTATUS_MIE
    li a2, 1000
1:  addi a2, a2, -1
    bnez a2, 1b
    csrci mstatus, MSTATUS_MIE
    TIMER_OFF

    /* ---------------- machine software interrupt (msip) */
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    lw a1, 0(t0)
    CHECK_EQ a1, 1, 12
    csrr a1, mip
    CHECK_MASK a1, MIP_MSIP, MIP_MSIP, 13
    li t0, MIP_MSIP
    csrw mie, t0
    EXPECT_TRAP 1f
    csrsi mstatus, MSTATUS_MIE
    FAIL_N 14
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MSI, 15
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    csrr a1, mip
    CHECK_MASK a1, MIP_MSIP, 0, 16

    /* ---------------- WFI wakes on a pending enabled interrupt even with MIE = 0 */
    csrci mstatus, MSTATUS_MIE
    li t0, MIP_MTIP
    csrw mie, t0
    TIMER_IN 20000
    wfi
    CHECK_PENDING mip, MIP_MTIP, 17      /* (WFI may also return early) */
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MIE, 0, 18
    TIMER_OFF
    /* with MIE = 1 the interrupt is taken; mepc = the instruction after WFI */
    li t0, MIP_MTIP
    csrw mie, t0
    EXPECT_TRAP 1f
    TIMER_IN 100000                 /* 10 ms: surely after the WFI is reached */
    csrsi mstatus, MSTATUS_MIE
wfi_1:
    wfi
    CHECK_SPIN_TRAP 19
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MTI, 20
    la a1, wfi_1
    bltu s9, a1, 2f                 /* mepc is after the wfi (or in the spin) */
    addi a1, a1, 4
    bgeu s9, a1, 3f
2:  FAIL_N 21
3:  TIMER_OFF

    /* ---------------- supervisor software interrupt delegated to S */
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrs mie, t0                    /* SSIE */
    csrs mip, t0                    /* SSIP set by M */
    csrsi mstatus, MSTATUS_MIE      /* delegated: masked in M even with MIE = 1 */
    li a2, 1000
1:  addi a2, a2, -1
    bnez a2, 1b
    csrci mstatus, MSTATUS_MIE
    TO_S
    li a2, 1000                     /* SIE = 0 in S: not taken */
1:  addi a2, a2, -1
    bnez a2, 1b
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 22
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_SSI, 23
    csrr a1, scause
    CHECK_EQ a1, CAUSE_INTR | IRQ_SSI, 24
    CHECK_MASK s7, MSTATUS_SPP | MSTATUS_SPIE, MSTATUS_SPP | MSTATUS_SPIE, 25
    csrr a1, sip
    CHECK_MASK a1, MIP_SSIP, MIP_SSIP, 26
    li t0, MIP_SSIP
    csrc sip, t0                    /* S clears its software interrupt */
    csrr a1, sip
    CHECK_MASK a1, MIP_SSIP, 0, 27
    /* from U the delegated interrupt is taken even with SIE = 0 */
    li t0, MIP_SSIP
    csrs sie, t0
    csrs sip, t0
    csrci sstatus, MSTATUS_SIE
    EXPECT_TRAP 1f
    S_TO_U
    CHECK_SPIN_TRAP 28
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_SSI, 29
    CHECK_MASK s7, MSTATUS_SPP, 0, 30
    li t0, MIP_SSIP
    TO_M
    csrc mip, t0

    /* ---------------- supervisor timer interrupt via mip.STIP set by M */
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    TO_S
    csrr a1, sip
    CHECK_MASK a1, MIP_STIP, MIP_STIP, 31
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 32
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_STI, 33
    TO_M
    li t0, MIP_STIP
    csrc mip, t0
    csrw mideleg, zero
    csrw mie, zero

    /* ---------------- stvec vectored: delegated interrupt i at base + 4i */
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    la t0, svtable
    ori t0, t0, 1
    csrw stvec, t0
    TO_S
    li s5, -1
    li t0, MIP_SSIP
    csrs sip, t0
    EXPECT_TRAP 1f
    csrsi sstatus, MSTATUS_SIE
    FAIL_N 34
1:  CHECK_TRAP 1, CAUSE_INTR | IRQ_SSI, 35
    CHECK_EQ s5, IRQ_SSI, 36
    li t0, MIP_SSIP
    csrc sip, t0
    /* exceptions still go to the base */
    li s5, -1
    EXPECT_TRAP 1f
    .4byte 0xFE000033
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 37  /* (not delegated: M) */
    TO_M
    li t0, 1 << CAUSE_ILLEGAL_INSN
    csrw medeleg, t0
    TO_S
    li s5, -1
    EXPECT_TRAP 1f
    .4byte 0xFE000033
1:  CHECK_TRAP 1, CAUSE_ILLEGAL_INSN, 38
    CHECK_EQ s5, 0, 39
    TO_M
    csrw medeleg, zero
    csrw mideleg, zero
    csrw mie, zero
    la t0, trap_s
    csrw stvec, t0

    /* ---------------- M-level interrupts are taken in S / U whatever mstatus.MIE */
    li t0, MSTATUS_MPIE
    csrc mstatus, t0                /* MIE = 0 after the mret into S */
    li t0, MIP_MTIP
    csrw mie, t0
    TO_S
    EXPECT_TRAP 1f
    TIMER_IN 0
    CHECK_SPIN_TRAP 40
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MTI, 41
    CHECK_MASK s7, MSTATUS_MPP | MSTATUS_MIE | MSTATUS_MPIE, MSTATUS_MPP_S, 42
    TO_M
    TIMER_OFF
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    li t0, MIP_MSIP
    csrw mie, t0
    TO_U
    EXPECT_TRAP 1f
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    CHECK_SPIN_TRAP 43
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_MSI, 44
    CHECK_MASK s7, MSTATUS_MPP | MSTATUS_MIE, 0, 45
    TO_M
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    /* a non-delegated S-level interrupt pending when entering S is taken in M
     * at once (MIE = 0), before the first S instruction */
    li t0, MIP_SSIP
    csrw mie, t0
    li t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    la t0, 2f
    csrw mepc, t0
    li t0, MIP_SSIP
    csrs mip, t0
    EXPECT_TRAP 1f
    mret
2:  CHECK_SPIN_TRAP 46
1:  CHECK_TRAP 3, CAUSE_INTR | IRQ_SSI, 47
    CHECK_ADDR s9, 2b, 48
    CHECK_MASK s7, MSTATUS_MPP, MSTATUS_MPP_S, 49
    TO_M
    li t0, MIP_SSIP
    csrc mip, t0
    csrw mie, zero

    /* ---------------- priority: MEI > MSI > MTI > SEI > SSI > STI */
    csrci mstatus, MSTATUS_MIE
    /* MEI: UART0 THR-empty interrupt through the PLIC, M context of hart 0 */
    li t0, PLIC_PRIO(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_ENABLE_M0
    li t1, 1 << UART_IRQ
    sw t1, 0(t0)
    li t0, PLIC_THRESH_M0
    sw zero, 0(t0)
    li t0, UART0_BASE
    li t1, 0x02                     /* IER.ETBEI */
    sb t1, UART_IER(t0)
    CHECK_PENDING mip, MIP_MEIP, 50
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    TIMER_IN 0
    CHECK_PENDING mip, MIP_MTIP, 51
    li t0, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrs mip, t0
    /* pairs on which QEMU 7.2 (lowest number first without AIA) agrees */
    li t0, MIP_MEIP
    csrw mie, t0
    T_PRIO IRQ_MEI, 52
    li t0, MIP_MSIP | MIP_MTIP
    csrw mie, t0
    T_PRIO IRQ_MSI, 53
    T_PRIO IRQ_MTI, 54
    li t0, MIP_SSIP | MIP_STIP
    csrw mie, t0
    T_PRIO IRQ_SSI, 55
    T_PRIO IRQ_STI, 56
    li t0, MIP_MTIP | MIP_SEIP
    csrw mie, t0
    T_PRIO IRQ_MTI, 57
    T_PRIO IRQ_SEI, 58
    li t0, MIP_MSIP | MIP_STIP
    csrw mie, t0
    T_PRIO IRQ_MSI, 59
    T_PRIO IRQ_STI, 60
#ifdef SPEC_STRICT
    /* the full order; QEMU 7.2 takes the lowest-numbered interrupt first */
    li t0, MIP_MEIP | MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP
    csrw mie, t0
    T_PRIO IRQ_MEI, 61
    T_PRIO IRQ_MSI, 62
    T_PRIO IRQ_MTI, 63
    T_PRIO IRQ_SEI, 64
    T_PRIO IRQ_SSI, 65
    T_PRIO IRQ_STI, 66
    li t0, MIP_MEIP | MIP_SSIP
    csrw mie, t0
    T_PRIO IRQ_MEI, 67
    T_PRIO IRQ_SSI, 68
    li t0, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrw mie, t0
    T_PRIO IRQ_SEI, 69
    T_PRIO IRQ_SSI, 70
    T_PRIO IRQ_STI, 71
#endif
    /* quiesce every source */
    li t0, UART0_BASE
    sb zero, UART_IER(t0)
    li t0, PLIC_CLAIM_M0
    lw a1, 0(t0)
    sw a1, 0(t0)                    /* complete */
    li t0, PLIC_ENABLE_M0
    sw zero, 0(t0)
    li t0, CLINT_MSIP
    sw zero, 0(t0)
    TIMER_OFF
    csrw mip, zero
    csrr a1, mip
    CHECK_MASK a1, 0xAAA, 0, 72

    PASS

/* S vector table: each stub leaves its index in s5 */
    .align 8
svtable:
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j svstub\i
.endr
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
svstub\i:
    li s5, \i
    j trap_s
.endr
