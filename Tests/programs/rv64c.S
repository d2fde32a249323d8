/*
 * rv64c: every RV64C instruction, a 32-bit instruction straddling a 4 KiB page
 * boundary after a compressed one (physically and through Sv39 with the two
 * halves in unrelated physical pages, and the page fault when the second page is
 * missing), c.ebreak, and reserved / illegal compressed encodings.
 *
 * Only the explicit c.* mnemonics are compressed (.option exact).
 */
#include "test.h"
#include "vm.h"

#define VPAGE 0x100000000

.option rvc
.option exact

/* expect an illegal-instruction trap on the 16-bit encoding `bits` */
.macro T_ILL16 bits, n
    EXPECT_TRAP .Lill\@
.Lill_pc\@:
    .2byte \bits
    .2byte 0x0001               /* c.nop: keeps alignment, skipped by the resume */
.Lill\@:
    CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lill_pc\@, \n
    CHECK_EQ s10, \bits, \n
.endm

TEST_BEGIN rv64c
    mv s5, sp                   /* the real stack; sp becomes a data pointer */
    la sp, cbuf

    /* ---------------- c.addi4spn */
    c.addi4spn a0, sp, 16
    CHECK_ADDR a0, cbuf + 16, 1
    c.addi4spn s1, sp, 1020
    CHECK_ADDR s1, cbuf + 1020, 2
    c.addi4spn a5, sp, 4
    CHECK_ADDR a5, cbuf + 4, 3

    /* ---------------- c.nop / c.li / c.addi / c.addiw */
    li a0, 77
    c.nop
    CHECK_EQ a0, 77, 4
    c.li a0, -32
    CHECK_EQ a0, -32, 5
    c.li a1, 31
    CHECK_EQ a1, 31, 6
    c.li t3, 0
    CHECK_EQ t3, 0, 7
    li a0, 100
    c.addi a0, -32
    CHECK_EQ a0, 68, 8
    c.addi a0, 31
    CHECK_EQ a0, 99, 9
    li t4, -1
    c.addi t4, 1
    CHECK_EQ t4, 0, 10
    li a0, 0x7FFFFFFF
    c.addiw a0, 1
    CHECK_EQ a0, 0xFFFFFFFF80000000, 11
    li a0, 0x1FFFFFFFF
    c.addiw a0, 0               /* sext.w */
    CHECK_EQ a0, -1, 12
    li a2, 0x100000005
    c.addiw a2, -6
    CHECK_EQ a2, -1, 13

    /* ---------------- c.addi16sp */
    c.addi16sp sp, 496
    CHECK_ADDR sp, cbuf + 496, 14
    c.addi16sp sp, -512
    CHECK_ADDR sp, cbuf - 16, 15
    c.addi16sp sp, 16
    CHECK_ADDR sp, cbuf, 16

    /* ---------------- c.lui */
    c.lui a0, 31
    CHECK_EQ a0, 0x1F000, 17
    c.lui a3, 0xfffff
    CHECK_EQ a3, 0xFFFFFFFFFFFFF000, 18
    c.lui s0, 0xfffe0
    CHECK_EQ s0, 0xFFFFFFFFFFFE0000, 19
    c.lui t0, 1
    CHECK_EQ t0, 0x1000, 20

    /* ---------------- c.srli / c.srai / c.andi / c.slli */
    li a0, 0x8000000000000000
    c.srli a0, 1
    CHECK_EQ a0, 0x4000000000000000, 21
    li a0, 0x8000000000000000
    c.srli a0, 63
    CHECK_EQ a0, 1, 22
    li a0, 0x8000000000000000
    c.srai a0, 63
    CHECK_EQ a0, -1, 23
    li a0, 0x8000000000000000
    c.srai a0, 1
    CHECK_EQ a0, 0xC000000000000000, 24
    li a1, 0x1000
    c.srai a1, 12
    CHECK_EQ a1, 1, 25
    li a0, 0xFF
    c.andi a0, 0x1f
    CHECK_EQ a0, 0x1F, 26
    li a0, 0x123456789ABCDEFF
    c.andi a0, -32
    CHECK_EQ a0, 0x123456789ABCDEE0, 27
    li a0, 0x1234
    c.andi a0, 0
    CHECK_EQ a0, 0, 28
    li a0, 3
    c.slli a0, 63
    CHECK_EQ a0, 0x8000000000000000, 29
    li t2, 0x81
    c.slli t2, 4
    CHECK_EQ t2, 0x810, 30
    li t2, 1
    c.slli t2, 32
    CHECK_EQ t2, 0x100000000, 31

    /* ---------------- register-register */
    li a0, 10
    li a1, 15
    c.sub a0, a1
    CHECK_EQ a0, -5, 32
    li a0, 0xF0F0
    li a1, 0xFF00
    c.xor a0, a1
    CHECK_EQ a0, 0x0FF0, 33
    li a0, 0xF0F0
    c.or a0, a1
    CHECK_EQ a0, 0xFFF0, 34
    li a0, 0xF0F0
    c.and a0, a1
    CHECK_EQ a0, 0xF000, 35
    li a0, 0
    li a1, 1
    c.subw a0, a1
    CHECK_EQ a0, -1, 36
    li a0, 0x80000000
    c.subw a0, a1
    CHECK_EQ a0, 0x7FFFFFFF, 37
    li a0, 0x7FFFFFFF
    c.addw a0, a1
    CHECK_EQ a0, 0xFFFFFFFF80000000, 38
    li s0, 0x1234567800000003
    li s1, 0x0000000100000004
    c.addw s0, s1
    CHECK_EQ s0, 7, 39
    li t1, 0x1111
    li a7, 0x2222
    c.add t1, a7
    CHECK_EQ t1, 0x3333, 40
    li t1, 0x7FFFFFFFFFFFFFFF
    li a7, 1
    c.add t1, a7
    CHECK_EQ t1, 0x8000000000000000, 41
    li t1, 0xABCDEF
    c.mv a7, t1
    CHECK_EQ a7, 0xABCDEF, 42

    /* ---------------- c.j forward and backward */
    li a0, 0
    c.j 2f
1:  c.addi a0, 2
    c.j 3f
2:  c.addi a0, 1
    c.j 1b
3:  CHECK_EQ a0, 3, 43

    /* ---------------- c.beqz / c.bnez both ways */
    li a0, 0
    li a1, 1
    c.beqz a0, 1f
    c.li a1, 0
1:  CHECK_EQ a1, 1, 44
    li a0, 0x100000000          /* only high bits set: nonzero */
    li a1, 1
    c.beqz a0, 1f
    c.li a1, 0
1:  CHECK_EQ a1, 0, 45
    li a0, 0x100000000
    li a1, 1
    c.bnez a0, 1f
    c.li a1, 0
1:  CHECK_EQ a1, 1, 46
    li a0, 0
    li a1, 1
    c.bnez a0, 1f
    c.li a1, 0
1:  CHECK_EQ a1, 0, 47
    li a0, 4                    /* backward c.bnez loop */
    li a1, 0
1:  c.addi a1, 3
    c.addi a0, -1
    c.bnez a0, 1b
    CHECK_EQ a1, 12, 48

    /* ---------------- c.lw / c.ld / c.sw / c.sd */
    la a1, cbuf
    li a2, 0x80000001
    sw a2, 4(a1)
    li a2, 0x7FFFFFFF
    sw a2, 124(a1)
    li a2, 0x8877665544332211
    sd a2, 8(a1)
    li a2, 0x0123456789ABCDEF
    sd a2, 248(a1)
    c.lw a0, 4(a1)
    CHECK_EQ a0, 0xFFFFFFFF80000001, 49
    c.lw a3, 124(a1)
    CHECK_EQ a3, 0x7FFFFFFF, 50
    c.ld a0, 8(a1)
    CHECK_EQ a0, 0x8877665544332211, 51
    c.ld s0, 248(a1)
    CHECK_EQ s0, 0x0123456789ABCDEF, 52
    li a4, 0x1122334455667788
    c.sw a4, 16(a1)
    ld a5, 16(a1)
    CHECK_EQ a5, 0x55667788, 53
    c.sd a4, 24(a1)
    ld a5, 24(a1)
    CHECK_EQ a5, 0x1122334455667788, 54
    c.sd a4, 240(a1)
    ld a5, 240(a1)
    CHECK_EQ a5, 0x1122334455667788, 55
    c.sw a4, 120(a1)
    lwu a5, 120(a1)
    CHECK_EQ a5, 0x55667788, 56

    /* ---------------- c.lwsp / c.ldsp / c.swsp / c.sdsp (sp = cbuf) */
    li a2, 0x90000000
    sw a2, 252(sp)
    li a2, 0x5A5A5A5AA5A5A5A5
    sd a2, 504(sp)
    c.lwsp t0, 252(sp)
    CHECK_EQ t0, 0xFFFFFFFF90000000, 57
    c.ldsp ra, 504(sp)
    CHECK_EQ ra, 0x5A5A5A5AA5A5A5A5, 58
    c.lwsp a0, 4(sp)
    CHECK_EQ a0, 0xFFFFFFFF80000001, 59
    li t3, 0xCAFEBABEDEADBEEF
    c.swsp t3, 32(sp)
    c.sdsp t3, 40(sp)
    c.sdsp t3, 496(sp)
    c.swsp t3, 248(sp)
    lwu a5, 32(sp)
    CHECK_EQ a5, 0xDEADBEEF, 60
    lw a5, 36(sp)
    CHECK_EQ a5, 0, 61
    ld a5, 40(sp)
    CHECK_EQ a5, 0xCAFEBABEDEADBEEF, 62
    ld a5, 496(sp)
    CHECK_EQ a5, 0xCAFEBABEDEADBEEF, 63
    lwu a5, 248(sp)
    CHECK_EQ a5, 0xDEADBEEF, 64

    /* ---------------- c.jr / c.jalr */
    la a0, 1f
    c.jr a0
    FAIL_N 65
1:  la t1, cjalr_target
    c.jalr t1
cjalr_link:
    c.j 2f
cjalr_target:
    CHECK_ADDR ra, cjalr_link, 66
    c.jr ra
2:  la ra, 1f                   /* c.jalr with rs1 = ra: target from the old value */
    c.jalr ra
cjalr_link2:
    c.j 2f
1:  CHECK_ADDR ra, cjalr_link2, 67
    c.jr ra
2:

    /* ---------------- c.ebreak: cause 3, mepc at the c.ebreak, resume 2 bytes on */
    EXPECT_TRAP 1f
cebreak:
    c.ebreak
1:  CHECK_TRAP 3, CAUSE_BREAKPOINT, 68
    CHECK_ADDR s9, cebreak, 69
    /* the handler's own "mepc + 2" return */
    la t0, cebreak_ret_trap
    csrw mtvec, t0
cebreak2:
    c.ebreak
    li a0, 1                    /* reached through mepc + 2 */
    c.j 2f
    .align 2
cebreak_ret_trap:
    csrr a1, mepc
    addi a1, a1, 2
    csrw mepc, a1
    csrr a2, mcause
    mret
2:  la t0, trap_m
    csrw mtvec, t0
    CHECK_EQ a0, 1, 70
    CHECK_ADDR a1, cebreak2 + 2, 71
    CHECK_EQ a2, CAUSE_BREAKPOINT, 72

    /* ---------------- illegal / reserved compressed encodings (mtval = the bits) */
    EXPECT_TRAP 1f
cill0:
    .2byte 0x0000               /* all-zero halfword */
    .2byte 0x0001
1:  CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, 73
    CHECK_ADDR s9, cill0, 74
    CHECK_EQ s10, 0, 75
    T_ILL16 0x0004, 76          /* c.addi4spn with nzuimm = 0 */
    T_ILL16 0x8002, 77          /* c.jr x0 */
    T_ILL16 0x4002, 78          /* c.lwsp x0 */
    T_ILL16 0x6002, 79          /* c.ldsp x0 */
    T_ILL16 0x6081, 80          /* c.lui ra, 0 */
    T_ILL16 0x6101, 81          /* c.addi16sp sp, 0 */
    T_ILL16 0x2001, 82          /* c.addiw x0, 0 */

    /* ---------------- 32-bit instruction across a 4 KiB boundary (physical) */
    li a1, 0
    la a0, straddle_entry
    jalr ra, 0(a0)
    CHECK_EQ a1, 107, 83

    /* ---------------- the same through Sv39, halves in unrelated physical pages */
    mv sp, s5                   /* real stack again */
    jal pt_alloc
    mv s4, a0                   /* root */
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    mv a0, s4
    li a1, VPAGE
    la a2, phys_a
    li a3, 0
    li a4, PTE_R | PTE_X | PTE_A
    jal pt_map
    mv a0, s4
    li a1, VPAGE + 4096
    la a2, phys_b
    li a3, 0
    li a4, PTE_R | PTE_X | PTE_A
    jal pt_map
    mv s3, a0                   /* PTE of the second page */
    /* copy the 8-byte template: 4 bytes end phys_a, 4 bytes start phys_b */
    la a0, straddle_tmpl
    la a1, phys_a + 4096 - 4
    la a2, phys_b
    lhu t0, 0(a0)
    sh t0, 0(a1)
    lhu t0, 2(a0)
    sh t0, 2(a1)
    lhu t0, 4(a0)
    sh t0, 0(a2)
    lhu t0, 6(a0)
    sh t0, 2(a2)
    fence.i
    MAKE_SATP t0, s4, SATP_MODE_SV39
    csrw satp, t0
    sfence.vma
    TO_S
    li a1, 5
    li a0, VPAGE + 4096 - 4
    jalr ra, 0(a0)
    CHECK_EQ a1, 106, 84
    TO_M
    /* second page missing: instruction page fault, epc = start of the instruction,
     * tval = the address of the part that faulted (the second page) */
    sd zero, 0(s3)
    sfence.vma
    TO_S
    li a1, 5
    li a0, VPAGE + 4096 - 4
    EXPECT_TRAP 1f
    jalr ra, 0(a0)
1:  CHECK_TRAP 3, CAUSE_FETCH_PAGE_FAULT, 85
    CHECK_EQ s9, VPAGE + 4096 - 2, 86
    CHECK_EQ s10, VPAGE + 4096, 87
    CHECK_EQ a1, 6, 88          /* the c.addi before it completed */
    TO_M
    csrw satp, zero
    sfence.vma

    PASS

/* c.addi a1,1 ; addi a1,a1,100 ; c.jr ra  -- copied into two pages */
    .pushsection .rodata
    .align 3
straddle_tmpl:
    c.addi a1, 1
    addi a1, a1, 100
    c.jr ra
    .popsection

/* physical straddle: compressed at 0xFFC, 32-bit at 0xFFE .. 0x1001 */
    .balign 4096
straddle_page:
    .skip 0xFF8
straddle_entry:
    c.li a1, 5
    c.nop
    c.addi a1, 1
    addi a1, a1, 100            /* straddles the page boundary */
    c.addi a1, 1
    c.jr ra

    .data
    .align 4
    .space 16
cbuf:
    .space 1024
    .align 12
phys_b:
    .space 4096
    .space 4096
phys_a:
    .space 4096
