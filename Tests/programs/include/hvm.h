/*
 * G-stage (Sv39x4 / Sv48x4) page-table helpers and two-stage trap checks for the
 * H-extension programs (Tests/programs-h). Include after h.h; this file includes
 * vm.h, whose pt_alloc / pt_map build the VS-stage tables and the non-root G-stage
 * tables (all built in M-mode with the addresses used as physical addresses).
 *
 * Spec: hypervisor.adoc "Guest Physical Address Translation": for Sv39x4 / Sv48x4
 * the guest physical address is 2 bits wider than the Sv39 / Sv48 virtual address,
 * the extra bits extend VPN[2] / VPN[3], so the root table (only) has 2048 entries,
 * is 16 KiB and 16 KiB aligned. Non-root tables and all PTEs are the usual ones.
 *
 *   gpt_map    a0 = 16 KiB G-stage root, a1 = guest physical address, a2 = pa,
 *              a3 = leaf level (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB), a4 = flags
 *              (V is added; G-stage leaves need PTE_U, see below), a5 = levels
 *              (3 = Sv39x4, 4 = Sv48x4) -> a0 = address of the leaf PTE
 *              (clobbers t0-t4). A leaf with flags 0 is a pointer to a next-level
 *              table at pa (same for pt_map).
 *   hvm_reset  zero gpt_root and vm.h's pool, restart pt_alloc   (clobbers t0-t1)
 *   MAKE_HGATP reg, root, mode       reg = mode | root >> 12  (VMID 0)
 *   MAKE_PTE   reg, pareg, flags     reg = pareg >> 12 << 10 | flags | V  (clobbers s11)
 *
 * pt_map indexes each level with 9 bits of the address. For the 2048-entry root,
 * gpt_map selects the root's 4 KiB quarter with the 2 extra address bits
 * (bits 40:39 for Sv39x4, 49:48 for Sv48x4) and lets pt_map index inside it: the
 * root index (bits 40:30 / 49:39) is quarter * 512 + the 9-bit index.
 *
 * Trap checks (one check number per trap; they clobber t5, t6, s11):
 *   CHECK_GPF_HS cause, vreg, greg, n   guest-page fault taken in HS from V = 1:
 *        scause = cause, stval = vreg (the guest virtual address), htval = greg >> 2
 *        (the guest physical address), hstatus.GVA = 1, hstatus.SPV = 1
 *   CHECK_GPF_M cause, vreg, greg, n    the same taken in M: mtval, mtval2,
 *        mstatus.GVA = 1, mstatus.MPV = 1
 *   CHECK_VSPF_HS cause, vreg, n        VS-stage page fault taken in HS: stval = vreg,
 *        htval = 0, GVA = 1, SPV = 1
 *   CHECK_VSPF_VS cause, vreg, n        VS-stage page fault taken in VS: vstval = vreg
 *   CHECK_HLV_GPF_HS cause, vreg, greg, n / CHECK_HLV_PF_HS cause, vreg, n
 *        the same for a fault of HLV / HLVX / HSV executed with V = 0: GVA = 1 but
 *        SPV = 0 (hypervisor.adoc, hstatus GVA note)
 *   CHECK_TINST_XF label, mask, n       trap_tinst is 0 or the transformed instruction
 *        at label (its 32 bits & mask; spec "Transformed Instruction or
 *        Pseudoinstruction for mtinst or htinst"): XF_LOAD / XF_STORE / XF_AMO / XF_HLSV
 */
#ifndef VIREO_HVM_H
#define VIREO_HVM_H

#include "vm.h"

/* transformed-instruction masks: the fields kept from the trapping instruction.
 * Loads keep rd, funct3, opcode (imm and rs1 -> 0); stores keep rs2, funct3,
 * opcode; atomics and HLV/HLVX/HSV keep all but rs1 (bits 19:15, the address
 * offset, 0 for an aligned access). */
#define XF_LOAD         0x00007FFF
#define XF_STORE        0x01F0707F
#define XF_AMO          0xFFF07FFF
#define XF_HLSV         0xFFF07FFF
/* pseudoinstructions for implicit VS-stage page-table accesses, VSXLEN = 64 */
#define TINST_PT_READ   0x00003000
#define TINST_PT_WRITE  0x00003020

.macro MAKE_HGATP reg, root, mode
    srli \reg, \root, 12
    li s11, \mode
    or \reg, \reg, s11
.endm

.macro MAKE_PTE reg, pareg, flags
    srli \reg, \pareg, 12
    slli \reg, \reg, PTE_PPN_SHIFT
    li s11, \flags | PTE_V
    or \reg, \reg, s11
.endm

/* t5 = trap_tval2, t6 = greg >> 2; fail n unless equal */
.macro HVM_CHECK_TVAL2_REG greg, n
    la t5, trap_tval2
    ld t5, 0(t5)
    srli t6, \greg, 2
    beq t5, t6, .Lhv_ok\@
    FAIL_N \n
.Lhv_ok\@:
.endm

.macro CHECK_GPF_HS cause, vreg, greg, n
    CHECK_TRAP 1, \cause, \n
    CHECK_REG s10, \vreg, \n
    HVM_CHECK_TVAL2_REG \greg, \n
    CHECK_HSTATUS_MASK HSTATUS_GVA | HSTATUS_SPV, HSTATUS_GVA | HSTATUS_SPV, \n
.endm

.macro CHECK_GPF_M cause, vreg, greg, n
    CHECK_TRAP 3, \cause, \n
    CHECK_REG s10, \vreg, \n
    HVM_CHECK_TVAL2_REG \greg, \n
    CHECK_MASK s7, MSTATUS_GVA | MSTATUS_MPV, MSTATUS_GVA | MSTATUS_MPV, \n
.endm

.macro CHECK_VSPF_HS cause, vreg, n
    CHECK_TRAP 1, \cause, \n
    CHECK_REG s10, \vreg, \n
    CHECK_TVAL2 0, \n
    CHECK_HSTATUS_MASK HSTATUS_GVA | HSTATUS_SPV, HSTATUS_GVA | HSTATUS_SPV, \n
.endm

.macro CHECK_VSPF_VS cause, vreg, n
    CHECK_TRAP 5, \cause, \n
    CHECK_REG s10, \vreg, \n
.endm

.macro CHECK_HLV_GPF_HS cause, vreg, greg, n
    CHECK_TRAP 1, \cause, \n
    CHECK_REG s10, \vreg, \n
    HVM_CHECK_TVAL2_REG \greg, \n
    CHECK_HSTATUS_MASK HSTATUS_GVA | HSTATUS_SPV, HSTATUS_GVA, \n
.endm

.macro CHECK_HLV_PF_HS cause, vreg, n
    CHECK_TRAP 1, \cause, \n
    CHECK_REG s10, \vreg, \n
    CHECK_TVAL2 0, \n
    CHECK_HSTATUS_MASK HSTATUS_GVA | HSTATUS_SPV, HSTATUS_GVA, \n
.endm

.macro CHECK_TINST_XF label, mask, n
    la t5, trap_tinst
    ld t5, 0(t5)
    beqz t5, .Lhv_ok\@
    la t6, \label
    lwu t6, 0(t6)
    li s11, \mask
    and t6, t6, s11
    beq t5, t6, .Lhv_ok\@
    FAIL_N \n
.Lhv_ok\@:
.endm

    .pushsection .text.lib, "ax", @progbits
    .align 2
gpt_map:
    li t0, 9
    mul t0, t0, a5
    addi t0, t0, 12
    srl t0, a1, t0
    andi t0, t0, 3
    slli t0, t0, 12
    add a0, a0, t0
    j pt_map

    .align 2
hvm_reset:
    la t0, gpt_root
    li t1, 4 * 4096
    add t1, t0, t1
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    la t0, pt_pool
    li t1, PT_POOL_PAGES * 4096
    add t1, t0, t1
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    la t0, pt_next
    sd zero, 0(t0)
    ret
    .popsection

    .pushsection .bss
    .align 14
gpt_root: .space 4 * 4096
    .popsection

#endif
