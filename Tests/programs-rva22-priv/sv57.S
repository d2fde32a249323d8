/*
 * Sv57 (priv. "Sv57"): satp.MODE = 10, a five-level walk over a 57-bit virtual address
 * that must be sign-extended from bit 56. Runs in S-mode with tables built in M.
 *   1-2   satp takes MODE = 10
 *   3-6   a 4 KiB leaf at a high positive VA (bit 55) and one at a negative VA
 *   7-8   a 256 TiB leaf (level 4)
 *   9-12  non-canonical VAs fault with stval = the VA
 *   13    a misaligned 256 TiB leaf faults
 */
#include "test.h"
#include "vm.h"
#include "rva22.h"

#define VA_HI    0x0080000000000000     /* bit 55: level-4 index 256 */
#define VA_NEG   0xFF00000000001000     /* bits 63:56 set: canonical */
#define VA_256T  0x0040000000000000     /* level-4 leaf -> PA 0 */
#define VA_MIS   0x00C0000000000000     /* level-4 leaf -> PA 0x1000: misaligned */
#define VA_NC1   0x0100000000000000     /* bit 56 set, 63:57 clear */
#define VA_NC2   0xFE00000000000000     /* bit 56 clear, 63:57 set */
#define MAGIC    0x5A5A0123456789A5

TEST_BEGIN sv57
    jal pt_alloc
    mv s0, a0                                   /* root */
    mv a0, s0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 5
    jal pt_identity
    /* page1 at VA_HI and VA_NEG */
    mv a0, s0
    li a1, VA_HI
    la a2, page1
    li a3, 0
    li a4, PTE_R | PTE_W | PTE_A | PTE_D
    li a5, 5
    jal pt_map
    mv a0, s0
    li a1, VA_NEG
    la a2, page1
    li a3, 0
    li a4, PTE_R | PTE_W | PTE_A | PTE_D
    li a5, 5
    jal pt_map
    mv a0, s0
    li a1, VA_256T
    li a2, 0
    li a3, 4
    li a4, PTE_R | PTE_W | PTE_A | PTE_D
    li a5, 5
    jal pt_map
    mv a0, s0
    li a1, VA_MIS
    li a2, 0x1000
    li a3, 4
    li a4, PTE_R | PTE_W | PTE_A | PTE_D
    li a5, 5
    jal pt_map

    MAKE_SATP t0, s0, SATP_MODE_SV57
    csrw satp, t0
    csrr t1, satp
    CHECK_REG t0, t1, 1
    srli t1, t1, 60
    CHECK_EQ t1, 10, 2
    sfence.vma

    TO_S
    li t0, VA_HI
    li t1, MAGIC
    sd t1, 8(t0)
    la t2, page1
    ld t3, 8(t2)
    CHECK_EQ t3, MAGIC, 3
    li t0, VA_NEG
    ld t3, 8(t0)
    CHECK_EQ t3, MAGIC, 4
    li t1, 77
    sd t1, 16(t0)
    ld t3, 16(t2)
    CHECK_EQ t3, 77, 5
    li t0, VA_HI
    ld t3, 16(t0)
    CHECK_EQ t3, 77, 6
    /* the 256 TiB leaf maps VA_256T + pa -> pa */
    li t0, VA_256T
    la t2, page1
    add t0, t0, t2
    ld t3, 8(t0)
    CHECK_EQ t3, MAGIC, 7
    li t0, VA_256T + UART0_BASE + UART_LSR
    lbu t3, 0(t0)
    CHECK_MASK t3, 0x20, 0x20, 8

    li s0, VA_NC1
    EXPECT_TRAP 1f
    ld t3, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 9
    CHECK_REG s10, s0, 10
    li s0, VA_NC2
    EXPECT_TRAP 1f
    sd t3, 0(s0)
1:  CHECK_TRAP 3, CAUSE_STORE_PAGE_FAULT, 11
    CHECK_REG s10, s0, 12
    li s0, VA_MIS
    EXPECT_TRAP 1f
    ld t3, 0(s0)
1:  CHECK_TRAP 3, CAUSE_LOAD_PAGE_FAULT, 13
    PASS

    .bss
    .align 12
page1: .space 4096
