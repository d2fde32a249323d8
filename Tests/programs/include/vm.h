/*
 * Page-table helpers for the Vireo conformance programs (M-mode, satp = Bare
 * while building). Tables come from a bump allocator over a zeroed pool in .bss.
 *
 *   pt_alloc      -> a0 = new zeroed 4 KiB table                 (clobbers t0-t2)
 *   pt_map        a0 = root, a1 = va, a2 = pa, a3 = leaf level
 *                 (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB), a4 = PTE flags
 *                 (V is added), a5 = levels (3 = Sv39, 4 = Sv48)
 *                 -> a0 = address of the leaf PTE                (clobbers t0-t4)
 *   pt_identity   a0 = root, a4 = flags, a5 = levels: 1 GiB identity leaves for
 *                 0x0000_0000 (devices) and 0x8000_0000 (DRAM) (clobbers t0-t4, a1-a3)
 */
#ifndef VIREO_VM_H
#define VIREO_VM_H

#define PT_POOL_PAGES 48
#define PTE_PPN_SHIFT 10

/* Build a satp value: reg = mode | (root >> 12) */
.macro MAKE_SATP reg, root, mode
    srli \reg, \root, 12
    li s11, \mode
    or \reg, \reg, s11
.endm

    .pushsection .text.lib, "ax", @progbits
    .align 2
pt_alloc:
    la t1, pt_next
    ld a0, 0(t1)
    bnez a0, 1f
    la a0, pt_pool
1:  li t2, 4096
    add t2, a0, t2
    sd t2, 0(t1)
    ret

    .align 2
pt_map:
    mv t0, a0                   /* current table */
    addi t1, a5, -1             /* current level */
1:  li t2, 9
    mul t2, t1, t2
    addi t2, t2, 12
    srl t3, a1, t2
    andi t3, t3, 0x1FF
    slli t3, t3, 3
    add t3, t0, t3              /* PTE address at this level */
    bne t1, a3, 2f
    srli t4, a2, 12
    slli t4, t4, PTE_PPN_SHIFT
    or t4, t4, a4
    ori t4, t4, PTE_V
    sd t4, 0(t3)
    mv a0, t3
    ret
2:  ld t4, 0(t3)
    andi t2, t4, PTE_V
    bnez t2, 3f
    la t2, pt_next              /* allocate the next-level table */
    ld t0, 0(t2)
    bnez t0, 4f
    la t0, pt_pool
4:  li t4, 4096
    add t4, t0, t4
    sd t4, 0(t2)
    srli t4, t0, 12
    slli t4, t4, PTE_PPN_SHIFT
    ori t4, t4, PTE_V
    sd t4, 0(t3)
    j 5f
3:  srli t4, t4, PTE_PPN_SHIFT
    slli t0, t4, 12
5:  addi t1, t1, -1
    j 1b

    .align 2
pt_identity:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd a0, 8(sp)
    li a1, 0
    li a2, 0
    li a3, 2
    jal pt_map
    ld a0, 8(sp)
    li a1, DRAM_BASE
    li a2, DRAM_BASE
    li a3, 2
    jal pt_map
    ld a0, 8(sp)
    ld ra, 0(sp)
    addi sp, sp, 16
    ret
    .popsection

    .pushsection .bss
    .align 12
pt_pool: .space PT_POOL_PAGES * 4096
    .align 3
pt_next: .space 8
    .popsection

#endif
