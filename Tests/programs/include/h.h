/*
 * Vireo conformance programs: runtime for the hypervisor extension (H) programs
 * in Tests/programs-h. A program does
 *     #include "h.h"
 *     TEST_BEGIN name
 *         ... checks ...
 *     PASS
 * This file defines H_EXT and includes test.h, so everything documented there
 * still holds; the additions are below. Spec references are to the privileged
 * spec's hypervisor chapter (hypervisor.adoc).
 *
 * Modes. Besides M, HS (= S of test.h) and U, code runs in VS and VU (V = 1).
 *   s6 after an armed trap: 3 = taken in M, 1 = taken in HS, 5 = taken in VS.
 *   Mode switches (continue at the next instruction, use only s11, keep an
 *   armed trap armed; code must run from addresses that are identity-mapped in
 *   every stage that is on):
 *     from M:   TO_VS   mret with MPP = S, MPV = 1
 *               TO_VU   mret with MPP = U, MPV = 1
 *               TO_HS   mret with MPP = S, MPV = 0   (TO_S and TO_U clear MPV too)
 *     from HS:  HS_TO_VS  sret with sstatus.SPP = 1, hstatus.SPV = 1
 *               HS_TO_VU  sret with sstatus.SPP = 0, hstatus.SPV = 1
 *               S_TO_U    (test.h) also clears hstatus.SPV, so it goes to U
 *     from VS:  VS_TO_VU  sret with vsstatus.SPP = 0 (needs hstatus.VTSR = 0)
 *     from any: TO_M (and PASS / FAIL_N)
 *   Service ecalls from VS arrive as cause 10, from VU as cause 8. Both go to M
 *   unless medeleg delegates them; then the HS handler forwards them (it
 *   re-issues them from HS). A VU ecall delegated on by hedeleg[8] reaches the VS
 *   handler, which forwards it from VS (cause 10; hedeleg[10] is read-only zero).
 *   After TO_M from V = 1 through HS, hstatus.SPV (and sstatus.SPP) keep what the
 *   HS trap wrote: use TO_HS / HS_TO_VS etc., which set them.
 *
 * Handlers (all record an armed trap the same way, see test.h):
 *   trap_m  (mtvec)   s7 = mstatus (MPV, GVA, MPP say where it came from).
 *                     Also stores mtval2 -> trap_tval2, mtinst -> trap_tinst and
 *                     hstatus -> trap_hstatus (unchanged by a trap into M).
 *                     mret: back to the trapping mode, MPV as saved.
 *                     Interrupt: clears its bit in mie (VS bits 2/6/10 and SGEI 12
 *                     are the hie aliases in mie).
 *   trap_s  (stvec, HS) s7 = sstatus. Also stores htval -> trap_tval2,
 *                     htinst -> trap_tinst, hstatus (SPV, SPVP, GVA as written by
 *                     the trap) -> trap_hstatus. sret: back to the trapping
 *                     mode, hstatus.SPV as saved.
 *                     Interrupt: clears its bit in sie AND in hie (the two hold
 *                     disjoint bits, spec "sie_hip_hie_mutex": a VS-level or
 *                     guest external interrupt taken in HS has its enable in hie),
 *                     and returns with SIE = 0.
 *   trap_vs (vstvec, VS, frame in vsscratch) s7 = vsstatus (csrr sstatus in VS),
 *                     s8 = vscause, s9 = vsepc, s10 = vstval. Stores 0 into
 *                     trap_tval2, trap_tinst and trap_hstatus (VS has no such
 *                     registers). sret (in VS): back to VS or VU by vsstatus.SPP;
 *                     so a trap into VS needs hstatus.VTSR = 0 to return.
 *                     Interrupt: clears its bit in sie (= vsie: the VS codes 1/5/9)
 *                     and returns with vsstatus.SIE = 0.
 *                     An unarmed trap in VS reports through M as test 254
 *                     ("unexpected trap in VS-mode").
 *   CHECK_TVAL2 val, n / CHECK_TINST val, n / CHECK_HSTATUS_MASK mask, val, n
 *   compare those variables (they read memory and clobber t6, like CHECK_MASK).
 *   CHECK_VIRTUAL n, insn: like CHECK_ILLEGAL (test.h) but for a
 *   virtual-instruction exception (cause 22) taken in M: mepc = insn, mtval = its bits.
 *   CHECK_INSN_TRAP n, mode, cause, insn: the same for any handler and cause.
 *
 * TEST_BEGIN additionally sets: hedeleg = hideleg = 0, hvip = 0, hie = 0 (via
 * mie = 0), hgeie = 0, hgatp = 0, vsatp = 0, hstatus = 0 except VSXL (left as
 * read), hcounteren = 0, htimedelta = 0, vstvec = trap_vs (direct),
 * vsscratch = vs_frame, mstatus.MPV = GVA = 0.
 */
#ifndef VIREO_H_H
#define VIREO_H_H
#define H_EXT 1

/* ---------------------------------------------------------------- CSR numbers */
#define CSR_HSTATUS     0x600
#define CSR_HEDELEG     0x602
#define CSR_HIDELEG     0x603
#define CSR_HIE         0x604
#define CSR_HTIMEDELTA  0x605
#define CSR_HCOUNTEREN  0x606
#define CSR_HGEIE       0x607
#define CSR_HENVCFG     0x60A
#define CSR_HTVAL       0x643
#define CSR_HIP         0x644
#define CSR_HVIP        0x645
#define CSR_HTINST      0x64A
#define CSR_HGATP       0x680
#define CSR_HGEIP       0xE12
#define CSR_VSSTATUS    0x200
#define CSR_VSIE        0x204
#define CSR_VSTVEC      0x205
#define CSR_VSSCRATCH   0x240
#define CSR_VSEPC       0x241
#define CSR_VSCAUSE     0x242
#define CSR_VSTVAL      0x243
#define CSR_VSIP        0x244
#define CSR_VSATP       0x280
#define CSR_MTINST      0x34A
#define CSR_MTVAL2      0x34B
#define CSR_STIMECMP    0x14D
#define CSR_VSTIMECMP   0x24D

/* ---------------------------------------------------------------- fields */
#define HSTATUS_VSBE    (1 << 5)
#define HSTATUS_GVA     (1 << 6)
#define HSTATUS_SPV     (1 << 7)
#define HSTATUS_SPVP    (1 << 8)
#define HSTATUS_HU      (1 << 9)
#define HSTATUS_VGEIN   (0x3f << 12)
#define HSTATUS_VGEIN_SHIFT 12
#define HSTATUS_VTVM    (1 << 20)
#define HSTATUS_VTW     (1 << 21)
#define HSTATUS_VTSR    (1 << 22)
#define HSTATUS_VSXL    (3 << 32)
#define HSTATUS_VSXL_SHIFT 32

#define MSTATUS_GVA     (1 << 38)
#define MSTATUS_MPV     (1 << 39)

#define CAUSE_VS_ECALL                 10
#define CAUSE_FETCH_GUEST_PAGE_FAULT   20
#define CAUSE_LOAD_GUEST_PAGE_FAULT    21
#define CAUSE_VIRTUAL_INSN             22
#define CAUSE_STORE_GUEST_PAGE_FAULT   23

#define IRQ_VSSI        2
#define IRQ_VSTI        6
#define IRQ_VSEI        10
#define IRQ_SGEI        12
#define MIP_VSSIP       (1 << IRQ_VSSI)
#define MIP_VSTIP       (1 << IRQ_VSTI)
#define MIP_VSEIP       (1 << IRQ_VSEI)
#define MIP_SGEIP       (1 << IRQ_SGEI)
#define MIP_VS_ALL      (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)

#define HGATP_MODE_BARE   0
#define HGATP_MODE_SV39X4 (8 << 60)
#define HGATP_MODE_SV48X4 (9 << 60)
#define HGATP_VMID_SHIFT  44
#define HGATP_VMID        (0x3fff << 44)
#define HGATP_PPN         0xfffffffffff

#define ECALL_VS_UNEXP  0x7E570006
#define FAIL_UNEXPECTED_VS 254

/* ---------------------------------------------------------------- H state reset (in TEST_BEGIN) */
.macro H_STATE_RESET
    csrw CSR_HEDELEG, zero
    csrw CSR_HIDELEG, zero
    csrw CSR_HVIP, zero
    csrw CSR_HIE, zero
    csrw CSR_HGEIE, zero
    csrw CSR_HGATP, zero
    csrw CSR_VSATP, zero
    csrr t0, CSR_HSTATUS
    li t1, HSTATUS_VSXL
    and t0, t0, t1
    csrw CSR_HSTATUS, t0
    csrw CSR_HCOUNTEREN, zero
    csrw CSR_HTIMEDELTA, zero
    la t0, trap_vs
    csrw CSR_VSTVEC, t0
    la t0, vs_frame
    csrw CSR_VSSCRATCH, t0
    li t0, MSTATUS_MPV | MSTATUS_GVA
    csrc mstatus, t0
    hfence.gvma
    hfence.vvma
.endm

#include "test.h"

/* ---------------------------------------------------------------- mode switches */

/* From M: continue at the next instruction in VS-mode (mret, MPP = S, MPV = 1). */
.macro TO_VS
    li s11, MSTATUS_MPP
    csrc mstatus, s11
    li s11, MSTATUS_MPP_S | MSTATUS_MPV
    csrs mstatus, s11
    la s11, .Lto_vs\@
    csrw mepc, s11
    mret
.Lto_vs\@:
.endm

/* From M: continue at the next instruction in VU-mode (mret, MPP = U, MPV = 1). */
.macro TO_VU
    li s11, MSTATUS_MPP
    csrc mstatus, s11
    li s11, MSTATUS_MPV
    csrs mstatus, s11
    la s11, .Lto_vu\@
    csrw mepc, s11
    mret
.Lto_vu\@:
.endm

/* From M: continue at the next instruction in HS-mode (= TO_S, which clears MPV). */
.macro TO_HS
    TO_S
.endm

/* From HS: continue at the next instruction in VS-mode (sret, SPP = 1, SPV = 1). */
.macro HS_TO_VS
    li s11, MSTATUS_SPP
    csrs sstatus, s11
    li s11, HSTATUS_SPV
    csrs CSR_HSTATUS, s11
    la s11, .Lhs_to_vs\@
    csrw sepc, s11
    sret
.Lhs_to_vs\@:
.endm

/* From HS: continue at the next instruction in VU-mode (sret, SPP = 0, SPV = 1). */
.macro HS_TO_VU
    li s11, MSTATUS_SPP
    csrc sstatus, s11
    li s11, HSTATUS_SPV
    csrs CSR_HSTATUS, s11
    la s11, .Lhs_to_vu\@
    csrw sepc, s11
    sret
.Lhs_to_vu\@:
.endm

/* From VS: continue at the next instruction in VU-mode (sret in VS: vsstatus.SPP = 0, vsepc). */
.macro VS_TO_VU
    li s11, MSTATUS_SPP
    csrc sstatus, s11
    la s11, .Lvs_to_vu\@
    csrw sepc, s11
    sret
.Lvs_to_vu\@:
.endm

/* ---------------------------------------------------------------- checks */

/* trap_tval2 == val (mtval2 / htval of the last armed trap); clobbers t6 */
.macro CHECK_TVAL2 val, n
    la s11, trap_tval2
    ld s11, 0(s11)
    li t6, \val
    beq s11, t6, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* trap_tinst == val (mtinst / htinst of the last armed trap); clobbers t6 */
.macro CHECK_TINST val, n
    la s11, trap_tinst
    ld s11, 0(s11)
    li t6, \val
    beq s11, t6, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/* (trap_hstatus & mask) == val; clobbers t6 */
.macro CHECK_HSTATUS_MASK mask, val, n
    la s11, trap_hstatus
    ld s11, 0(s11)
    li t6, \mask
    and s11, s11, t6
    li t6, \val
    beq s11, t6, .Lck_ok\@
    FAIL_N \n
.Lck_ok\@:
.endm

/*
 * Execute `insn` expecting a trap taken by `mode` (3 / 1 / 5) with `cause`,
 * epc = the instruction and tval = its 32 bits (illegal / virtual instruction).
 */
.macro CHECK_INSN_TRAP n, mode, cause, insn:vararg
    EXPECT_TRAP .Lit_r\@
.Lit_i\@:
    \insn
.Lit_r\@:
    CHECK_TRAP \mode, \cause, \n
    CHECK_ADDR s9, .Lit_i\@, \n
    la s11, .Lit_i\@
    lwu s11, 0(s11)
    beq s10, s11, .Lit_ok\@
    FAIL_N \n
.Lit_ok\@:
.endm

/* Virtual-instruction exception taken in M (mcause 22, mtval = the instruction). */
.macro CHECK_VIRTUAL n, insn:vararg
    CHECK_INSN_TRAP \n, 3, CAUSE_VIRTUAL_INSN, \insn
.endm

/* ---------------------------------------------------------------- VS handler */
    .pushsection .text.lib, "ax", @progbits
/*
 * VS-mode trap handler (vstvec, direct). Runs with V = 1, so sscratch / scause /
 * sepc / stval / sstatus / sie are vsscratch / vscause / ... (spec "When V=1, the
 * VS CSRs substitute for the corresponding supervisor CSRs").
 */
    .align 6
    .globl trap_vs
trap_vs:
    csrrw sp, sscratch, sp
    SAVE_FRAME
    csrr t0, sscratch
    sd t0, REG(2)(sp)
    csrr s0, scause
    csrr s1, sepc
    csrr s2, stval
    csrr s3, sstatus
    li t0, CAUSE_USER_ECALL          /* VU ecall delegated by hedeleg[8] */
    bne s0, t0, .Lvs_not_service
    ld t1, REG(17)(sp)
    li t0, ECALL_PASS
    beq t1, t0, .Lvs_forward
    li t0, ECALL_FAIL
    beq t1, t0, .Lvs_forward
    li t0, ECALL_TOM_AT
    beq t1, t0, .Lvs_forward
    li t0, ECALL_TOM
    bne t1, t0, .Lvs_not_service
    addi t0, s1, 4                   /* continue after the VU ecall, in M */
    sd t0, REG(16)(sp)
    li t0, ECALL_TOM_AT
    sd t0, REG(17)(sp)
.Lvs_forward:                        /* re-issue from VS (cause 10) with VU's registers */
    RESTORE_FRAME
    csrrw sp, sscratch, sp
    ecall
1:  j 1b
.Lvs_not_service:
    ld t1, REG(30)(sp)
    li t0, TRAP_ARM
    bne t1, t0, .Lvs_unexpected
    sd zero, REG(30)(sp)
    li t0, 5
    sd t0, REG(22)(sp)
    sd s3, REG(23)(sp)
    sd s0, REG(24)(sp)
    sd s1, REG(25)(sp)
    sd s2, REG(26)(sp)
    la t1, trap_tval2
    sd zero, 0(t1)
    la t1, trap_tinst
    sd zero, 0(t1)
    la t1, trap_hstatus
    sd zero, 0(t1)
    ld t0, REG(31)(sp)
    csrw sepc, t0
    bgez s0, .Lvs_return
    andi t0, s0, 63                  /* interrupt: disable it, return with SIE = 0 */
    li t1, 1
    sll t1, t1, t0
    csrc sie, t1
    li t1, MSTATUS_SPIE
    csrc sstatus, t1
.Lvs_return:
    RESTORE_FRAME
    csrrw sp, sscratch, sp
    sret
.Lvs_unexpected:
    mv a1, s0
    mv a2, s1
    mv a3, s2
    li a7, ECALL_VS_UNEXP
    ecall
1:  j 1b
    .popsection

    .pushsection .rodata
str_unexp_vs: .asciz "unexpected trap in VS-mode:"
    .popsection

    .pushsection .bss
    .align 4
vs_frame:     .space FRAME_SIZE
trap_tval2:   .space 8
trap_tinst:   .space 8
trap_hstatus: .space 8
    .popsection

#endif
