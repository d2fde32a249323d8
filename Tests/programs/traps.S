/*
 * traps: synchronous exception causes with mcause / mepc / mtval, MRET and SRET
 * privilege and interrupt-enable stacking, and mtvec vectored mode.
 */
#include "test.h"

#define UNMAPPED 0x800                  /* no device, no memory */

/* expect an access fault of `cause` on `insn`, mtval = addr in a1 */
.macro T_F_ACCESS n, cause, insn:vararg
    EXPECT_TRAP .Lacc_r\@
.Lacc_i\@:
    \insn
.Lacc_r\@:
    CHECK_TRAP 3, \cause, \n
    CHECK_ADDR s9, .Lacc_i\@, \n
    CHECK_REG s10, a1, \n
.endm

/* the same, without asserting the cause */
.macro T_F_ACCESS_ANY n, insn:vararg
    EXPECT_TRAP .Lacc_r\@
.Lacc_i\@:
    \insn
.Lacc_r\@:
    CHECK_EQ s6, 3, \n
    CHECK_ADDR s9, .Lacc_i\@, \n
    CHECK_REG s10, a1, \n
.endm

TEST_BEGIN traps

    /* ---------------- instruction access fault: mepc = mtval = target */
    li a1, 0
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_TRAP 3, CAUSE_FETCH_ACCESS, 1
    CHECK_EQ s9, 0, 2
    CHECK_EQ s10, 0, 3
    li a1, UNMAPPED
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
iaf_link:
1:  CHECK_TRAP 3, CAUSE_FETCH_ACCESS, 4
    CHECK_EQ s9, UNMAPPED, 5
    CHECK_EQ s10, UNMAPPED, 6
    CHECK_ADDR ra, iaf_link, 7      /* the jump itself completed */

    /* ---------------- illegal instruction: mtval = the instruction bits */
    EXPECT_TRAP 1f
ill32a:
    .4byte 0xFE000033               /* OP with a reserved funct7 */
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 8
    CHECK_ADDR s9, ill32a, 9
    CHECK_EQ s10, 0xFE000033, 10
    EXPECT_TRAP 1f
ill32b:
    .4byte 0x0000F503               /* LOAD with funct3 = 7 */
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 11
    CHECK_ADDR s9, ill32b, 12
    CHECK_EQ s10, 0x0000F503, 13
    CHECK_ILLEGAL 14, csrw 0x000, zero      /* ustatus: no N extension */
    EXPECT_TRAP 1f
ill16:
    .2byte 0x8002                   /* c.jr x0 */
    .2byte 0x0001
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 15
    CHECK_ADDR s9, ill16, 16
    CHECK_EQ s10, 0x8002, 17

    /* ---------------- breakpoint: mepc = the ebreak; mtval = its address or 0 */
    EXPECT_TRAP 1f
brk:
    ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 18
    CHECK_ADDR s9, brk, 19
    beqz s10, 1f
    CHECK_ADDR s10, brk, 20
1:

    /* ---------------- load / store / AMO access faults: mtval = address */
    li a1, UNMAPPED
    T_F_ACCESS 21, CAUSE_LOAD_ACCESS, lw a2, 0(a1)
    T_F_ACCESS 22, CAUSE_LOAD_ACCESS, lbu a2, 0(a1)
    T_F_ACCESS 23, CAUSE_LOAD_ACCESS, ld a2, 0(a1)
    T_F_ACCESS 24, CAUSE_STORE_ACCESS, sw a2, 0(a1)
    T_F_ACCESS 25, CAUSE_STORE_ACCESS, sb a2, 0(a1)
    T_F_ACCESS 26, CAUSE_STORE_ACCESS, sd a2, 0(a1)
    /* AMOs raise store/AMO access faults; QEMU 7.2 reports cause 5 */
#ifdef SPEC_STRICT
    T_F_ACCESS 27, CAUSE_STORE_ACCESS, amoadd.w a2, a3, (a1)
    T_F_ACCESS 28, CAUSE_STORE_ACCESS, amoswap.d a2, a3, (a1)
#else
    T_F_ACCESS_ANY 29, amoadd.w a2, a3, (a1)
    T_F_ACCESS_ANY 30, amoswap.d a2, a3, (a1)
#endif
    T_F_ACCESS 31, CAUSE_LOAD_ACCESS, lr.d a2, (a1)
    li a1, 0
    T_F_ACCESS 32, CAUSE_LOAD_ACCESS, ld a2, 0(a1)
    T_F_ACCESS 33, CAUSE_STORE_ACCESS, sd a2, 0(a1)
    /* the faulting load did not write rd */
    li a1, UNMAPPED
    li a2, 0x1234
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_EQ a2, 0x1234, 34

    /* ---------------- ECALL from M / S / U: 11 / 9 / 8, mtval = 0 */
    li a7, 0
    csrsi mstatus, MSTATUS_MIE      /* MIE = 1 (mie = 0: nothing can interrupt) */
    EXPECT_TRAP 1f
ecm:
    ecall
1:  CHECK_TRAP 3, CAUSE_MACHINE_ECALL, 35
    CHECK_ADDR s9, ecm, 36
    CHECK_EQ s10, 0, 37
    CHECK_MASK s7, MSTATUS_MPP, MSTATUS_MPP, 38         /* from M */
    CHECK_MASK s7, MSTATUS_MPIE | MSTATUS_MIE, MSTATUS_MPIE, 39
    csrr a1, mstatus                                     /* mret restored MIE */
    CHECK_MASK a1, MSTATUS_MIE, MSTATUS_MIE, 40
    csrci mstatus, MSTATUS_MIE
    TO_S
    li a7, 0
    EXPECT_TRAP 1f
ecs:
    ecall
1:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 41
    CHECK_ADDR s9, ecs, 42
    CHECK_EQ s10, 0, 43
    CHECK_MASK s7, MSTATUS_MPP, MSTATUS_MPP_S, 44
    S_TO_U
    li a7, 0
    EXPECT_TRAP 1f
ecu:
    ecall
1:  CHECK_TRAP 3, CAUSE_USER_ECALL, 45
    CHECK_ADDR s9, ecu, 46
    CHECK_EQ s10, 0, 47
    CHECK_MASK s7, MSTATUS_MPP, 0, 48
    TO_M

    /* ---------------- MRET stacking (MPP = M so the result can be read) */
    li t0, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP_M | MSTATUS_MIE          /* MPIE = 0, MIE = 1 */
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MIE, 0, 49                   /* MIE <- MPIE */
    CHECK_MASK a1, MSTATUS_MPIE, MSTATUS_MPIE, 50       /* MPIE <- 1 */
    CHECK_MASK a1, MSTATUS_MPP, 0, 51                   /* MPP <- U */
    li t0, MSTATUS_MPP_M | MSTATUS_MPIE
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a1, mstatus
    csrci mstatus, MSTATUS_MIE
    CHECK_MASK a1, MSTATUS_MIE, MSTATUS_MIE, 52
    CHECK_MASK a1, MSTATUS_MPIE, MSTATUS_MPIE, 53
    /* MRET to M keeps MPRV */
    li t0, MSTATUS_MPP_M | MSTATUS_MPRV
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a1, mstatus
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_MASK a1, MSTATUS_MPRV, MSTATUS_MPRV, 54

    /* ---------------- MRET to S: MIE <- MPIE seen by a trap from S; MPRV cleared */
    li t0, MSTATUS_MPP | MSTATUS_MIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_MPIE | MSTATUS_MPRV
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  li a7, 0
    EXPECT_TRAP 2f
    ecall
2:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 55                 /* we were in S */
    CHECK_MASK s7, MSTATUS_MPIE, MSTATUS_MPIE, 56           /* MIE was 1 in S */
    CHECK_MASK s7, MSTATUS_MIE, 0, 57
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_MPRV, 0, 58                      /* QEMU 7.2 keeps MPRV */
#endif
    TO_M
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    csrci mstatus, MSTATUS_MIE
    /* MRET to U */
    li t0, MSTATUS_MPP | MSTATUS_MPIE
    csrc mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  li a7, 0
    EXPECT_TRAP 2f
    ecall
2:  CHECK_TRAP 3, CAUSE_USER_ECALL, 59
    CHECK_MASK s7, MSTATUS_MPIE, 0, 60                      /* MIE was 0 in U */
    TO_M

    /* ---------------- SRET */
    TO_S
    /* S -> S: SIE <- SPIE, SPIE <- 1, SPP <- U */
    li t0, MSTATUS_SPP | MSTATUS_SPIE
    csrs sstatus, t0
    csrci sstatus, MSTATUS_SIE
    la t0, 1f
    csrw sepc, t0
    sret
1:  csrr a1, sstatus
    csrci sstatus, MSTATUS_SIE
    CHECK_MASK a1, MSTATUS_SIE, MSTATUS_SIE, 61
    CHECK_MASK a1, MSTATUS_SPIE, MSTATUS_SPIE, 62
    CHECK_MASK a1, MSTATUS_SPP, 0, 63
    li t0, MSTATUS_SPP
    csrs sstatus, t0
    li t0, MSTATUS_SPIE
    csrc sstatus, t0
    csrsi sstatus, MSTATUS_SIE
    la t0, 1f
    csrw sepc, t0
    sret
1:  csrr a1, sstatus
    CHECK_MASK a1, MSTATUS_SIE, 0, 64
    CHECK_MASK a1, MSTATUS_SPIE, MSTATUS_SPIE, 65
    /* S -> U */
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    li t0, MSTATUS_SPIE
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 2f
    ecall
2:  CHECK_TRAP 3, CAUSE_USER_ECALL, 66
    CHECK_MASK s7, MSTATUS_SIE, MSTATUS_SIE, 67
    CHECK_MASK s7, MSTATUS_SPIE, MSTATUS_SPIE, 68
    CHECK_MASK s7, MSTATUS_SPP, 0, 69
    TO_M
    csrci mstatus, MSTATUS_SIE
    /* SRET executed in M goes to SPP and clears MPRV */
    li t0, MSTATUS_SPP | MSTATUS_MPRV
    csrs mstatus, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0                /* MPRV with MPP = M: no effect in M */
    la t0, 1f
    csrw sepc, t0
    sret
1:  li a7, 0
    EXPECT_TRAP 2f
    ecall
2:  CHECK_TRAP 3, CAUSE_SUPERVISOR_ECALL, 70
#ifdef SPEC_STRICT
    CHECK_MASK s7, MSTATUS_MPRV, 0, 71
#endif
    TO_M
    li t0, MSTATUS_MPRV
    csrc mstatus, t0

    /* ---------------- mtvec vectored: exceptions at base, interrupt i at base + 4i */
    la t0, vtable
    ori t0, t0, 1
    csrw mtvec, t0
    li s5, -1
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_TRAP 3, CAUSE_MACHINE_ECALL, 72
    CHECK_EQ s5, 0, 73
    /* machine software interrupt (CLINT msip) */
    li s5, -1
    li t0, MIP_MSIP
    csrw mie, t0
    EXPECT_TRAP 1f
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, MSTATUS_MIE
2:  j 2b
1:  li t0, CLINT_MSIP
    sw zero, 0(t0)
    CHECK_TRAP 3, CAUSE_INTR | IRQ_MSI, 74
    CHECK_EQ s5, IRQ_MSI, 75
    /* machine timer interrupt */
    li s5, -1
    li t0, MIP_MTIP
    csrw mie, t0
    EXPECT_TRAP 1f
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    csrsi mstatus, MSTATUS_MIE
2:  j 2b
1:  li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    CHECK_TRAP 3, CAUSE_INTR | IRQ_MTI, 76
    CHECK_EQ s5, IRQ_MTI, 77
    /* supervisor software interrupt, not delegated: to M at base + 4 */
    li s5, -1
    li t0, MIP_SSIP
    csrw mie, t0
    EXPECT_TRAP 1f
    csrs mip, t0
    csrsi mstatus, MSTATUS_MIE
2:  j 2b
1:  li t0, MIP_SSIP
    csrc mip, t0
    CHECK_TRAP 3, CAUSE_INTR | IRQ_SSI, 78
    CHECK_EQ s5, IRQ_SSI, 79
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la t0, trap_m
    csrw mtvec, t0

    PASS

/* vector table: each stub leaves its index in s5 and enters the handler */
    .align 8
vtable:
    j vstub0
.irp i, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    j vstub\i
.endr
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
vstub\i:
    li s5, \i
    j trap_m
.endr
