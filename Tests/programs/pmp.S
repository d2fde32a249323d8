/*
 * pmp: physical memory protection. TOR / NA4 / NAPOT matching, R/W/X denial for
 * S and U (access faults 1 / 5 / 7 with mtval), priority of the lowest-numbered
 * match, M-mode exempt unless locked, locking of cfg / pmpaddr (and the TOR
 * predecessor's pmpaddr), no-match denial for S/U, PMP on page-table walks.
 *
 * Entry 15 is the catch-all (NAPOT everything, RWX) set up by TEST_BEGIN; tests
 * use the lower entries, which take priority over it.
 */
#include "test.h"
#include "vm.h"

#define FAR_DRAM        0x84000000      /* DRAM outside the program image */
#define RET_INSN        0x00008067      /* jalr x0, 0(ra) */

/* reg = NAPOT pmpaddr for the naturally aligned region label .. label+size */
.macro NAPOT reg, label, size
    la \reg, \label
    srli \reg, \reg, 2
    ori \reg, \reg, ((\size) / 8 - 1)
.endm

/* write PMP state, then order it with address translation */
.macro PMP_SYNC
    sfence.vma
.endm

/* expect an access fault of `cause` in M with mtval = reg, taken from `mode` */
.macro CHECK_AF cause, reg, n
    CHECK_TRAP 3, \cause, \n
    CHECK_REG s10, \reg, \n
.endm

TEST_BEGIN pmp
    /* a `ret` at the start of every region, for execute tests */
.irp r, r1, r2, r3, r4, r5, r6, big, r8, r9
    la t0, \r
    li t1, RET_INSN
    sw t1, 0(t0)
.endr
    fence.i

    /* ---------------- R / RW / X-only NAPOT regions */
    NAPOT t0, r1, 4096
    csrw pmpaddr0, t0
    NAPOT t0, r2, 4096
    csrw pmpaddr1, t0
    NAPOT t0, r3, 4096
    csrw pmpaddr2, t0
    li t0, ((PMP_NAPOT | PMP_X) << 16) | ((PMP_NAPOT | PMP_R | PMP_W) << 8) | (PMP_NAPOT | PMP_R)
    csrw pmpcfg0, t0
    PMP_SYNC
    /* M-mode is not checked by unlocked entries */
    la a1, r1
    sd zero, 8(a1)
    la a1, r3
    ld a2, 0(a1)
    CHECK_EQ a2, RET_INSN, 1
    TO_S
    la a1, r1
    ld a2, 0(a1)
    CHECK_EQ a2, RET_INSN, 2
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 3
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 4
    CHECK_REG s9, a1, 5
    la a1, r2
    ld a2, 0(a1)
    li a3, 0x55
    sd a3, 8(a1)
    ld a3, 8(a1)
    CHECK_EQ a3, 0x55, 6
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 7
    la a1, r3
    EXPECT_TRAP 1f
    lw a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 8
    addi a1, a1, 16
    EXPECT_TRAP 1f
    sw a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 9
    la a1, r3
    li a0, 0
    jalr ra, 0(a1)                  /* X only: executes the ret */
    CHECK_EQ a0, 0, 10
    la a1, r1 + 4096                /* just past the R region: r2, writable */
    sd zero, 0(a1)
    /* the same rules for U */
    S_TO_U
    la a1, r1
    ld a2, 0(a1)
    CHECK_EQ a2, RET_INSN, 11
    EXPECT_TRAP 1f
    sw a2, 4(a1)
1:  addi a1, a1, 4
    CHECK_AF CAUSE_STORE_ACCESS, a1, 12
    la a1, r3 + 8
    EXPECT_TRAP 1f
    lbu a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 13
    la a1, r2
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 14
    TO_M

    /* ---------------- TOR: entry 1 covers [pmpaddr0, pmpaddr1) */
    la t0, r4
    srli t0, t0, 2
    csrw pmpaddr0, t0
    la t0, r4 + 4096
    srli t0, t0, 2
    csrw pmpaddr1, t0
    li t0, (PMP_TOR << 8) | PMP_OFF
    csrw pmpcfg0, t0
    PMP_SYNC
    TO_S
    la a1, r4
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 15
    la a1, r4 + 4088
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 16
    la a1, r4 - 8                   /* just below and just above: allowed */
    ld a2, 0(a1)
    la a1, r4 + 4096
    ld a2, 0(a1)
    TO_M
    /* TOR with pmpaddr[i-1] >= pmpaddr[i] matches nothing */
    la t0, r4 + 4096
    srli t0, t0, 2
    csrw pmpaddr0, t0
    la t0, r4
    srli t0, t0, 2
    csrw pmpaddr1, t0
    PMP_SYNC
    TO_S
    la a1, r4 + 8
    ld a2, 0(a1)
    CHECK_EQ a2, 0, 17
    TO_M
    /* TOR in entry 0 starts at address 0 */
    la t0, r4
    srli t0, t0, 2
    csrw pmpaddr0, t0
    li t0, PMP_TOR | PMP_R | PMP_X  /* code lies below r4 too */
    csrw pmpcfg0, t0
    PMP_SYNC
    TO_S
    EXPECT_TRAP 1f
    la a1, r3                       /* below r4: not writable */
    sd zero, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 18
    la a1, r4
    sd zero, 0(a1)                  /* at the top bound: not matched */
    TO_M

    /* ---------------- NA4: exactly four bytes */
    la t0, r5 + 8
    srli t0, t0, 2
    csrw pmpaddr0, t0
    li t0, PMP_NA4
    csrw pmpcfg0, t0
    PMP_SYNC
    TO_S
    la a1, r5 + 8
    EXPECT_TRAP 1f
    lw a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 19
    EXPECT_TRAP 1f
    sb a2, 3(a1)
1:  addi a1, a1, 3
    CHECK_AF CAUSE_STORE_ACCESS, a1, 20
    la a1, r5 + 8
    EXPECT_TRAP 1f
    ld a2, 0(a1)                    /* covers the NA4 word and more: fails */
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 21
    la a1, r5
    lw a2, 4(a1)
    lw a2, 12(a1)
    ld a2, 0(a1)
    ld a2, 16(a1)
    TO_M

    /* ---------------- priority: the lowest-numbered matching entry decides */
    NAPOT t0, r6, 4096
    csrw pmpaddr0, t0
    NAPOT t0, big, 16384
    csrw pmpaddr1, t0
    li t0, ((PMP_NAPOT | PMP_R | PMP_W) << 8) | PMP_NAPOT
    csrw pmpcfg0, t0
    PMP_SYNC
    TO_S
    la a1, r6 + 0x100
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 22
    la a1, big + 0x2000
    sd zero, 0(a1)
    TO_M
    li t0, (PMP_NAPOT << 8) | (PMP_NAPOT | PMP_R | PMP_W)
    csrw pmpcfg0, t0
    PMP_SYNC
    TO_S
    la a1, r6 + 0x100
    ld a2, 0(a1)
    la a1, big + 0x2000
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 23
    TO_M
    csrw pmpcfg0, zero

    /* ---------------- no matching entry: S/U fail, M succeeds */
    li t0, (DRAM_BASE >> 2) | (0x100000 / 8 - 1)  /* the program: 1 MiB, RWX */
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, t0
    csrr s4, pmpcfg2
    csrw pmpcfg2, zero              /* catch-all off */
    PMP_SYNC
    li a1, FAR_DRAM
    ld a2, 0(a1)                    /* M: fine */
    TO_S
    li a1, FAR_DRAM
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 24
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 25
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 26
    li a1, CLINT_MTIME
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 27
    S_TO_U
    li a1, FAR_DRAM + 64
    EXPECT_TRAP 1f
    lw a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 28
    TO_M
    csrw pmpcfg2, s4
    csrw pmpcfg0, zero
    PMP_SYNC

    /* ---------------- PMP checks the page-table walk of S accesses */
    jal pt_alloc
    mv s4, a0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    li a5, 3
    jal pt_identity
    mv a0, s4
    li a1, 0x100000000
    la a2, r1
    li a3, 0
    li a4, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
    jal pt_map
    li t0, ~0xFFF
    and a0, a0, t0                  /* the leaf table page */
    srli t0, a0, 2
    ori t0, t0, (4096 / 8 - 1)
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT                /* no access for S */
    csrw pmpcfg0, t0
    MAKE_SATP t0, s4, SATP_MODE_SV39
    csrw satp, t0
    PMP_SYNC
    TO_S
    li a1, 0x100000000 + 0x20
    EXPECT_TRAP 1f
    ld a2, 0(a1)
1:  CHECK_AF CAUSE_LOAD_ACCESS, a1, 29
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 30
    li a1, 0x100000000
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 31
    TO_M
    csrw satp, zero
    csrw pmpcfg0, zero
    PMP_SYNC

    /* ---------------- locked entries: enforced in M, writes ignored */
    NAPOT t0, r8, 4096
    csrw pmpaddr6, t0
    li t0, (PMP_L | PMP_NAPOT | PMP_R) << 48
    csrw pmpcfg0, t0
    PMP_SYNC
    la a1, r8
    ld a2, 0(a1)                    /* M read: allowed */
    CHECK_EQ a2, RET_INSN, 32
    EXPECT_TRAP 1f
    sd a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 33
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_AF CAUSE_FETCH_ACCESS, a1, 34
    /* cfg byte 6 and pmpaddr6 ignore writes; other bytes still work */
    csrr a3, pmpaddr6
    li t0, 0x12340
    csrw pmpaddr6, t0
    csrr a2, pmpaddr6
    CHECK_REG a2, a3, 35
    li t0, PMP_NAPOT | PMP_R        /* byte 0 new, byte 6 cleared */
    csrw pmpcfg0, t0
    csrr a2, pmpcfg0
    CHECK_EQ a2, ((PMP_L | PMP_NAPOT | PMP_R) << 48) | PMP_NAPOT | PMP_R, 36
    csrw pmpcfg0, zero
    csrr a2, pmpcfg0
    CHECK_EQ a2, (PMP_L | PMP_NAPOT | PMP_R) << 48, 37
    /* locked applies to S too */
    TO_S
    la a1, r8 + 16
    EXPECT_TRAP 1f
    sw a2, 0(a1)
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 38
    TO_M
    /* locked TOR entry 9 also locks pmpaddr8 */
    la t0, r9
    srli t0, t0, 2
    csrw pmpaddr8, t0
    la t0, r9 + 4096
    srli t0, t0, 2
    csrw pmpaddr9, t0
    csrr s4, pmpcfg2
    li t0, (PMP_L | PMP_TOR | PMP_R | PMP_X) << 8
    or t0, t0, s4                   /* keep the catch-all in byte 7 */
    csrw pmpcfg2, t0
    PMP_SYNC
    csrr a3, pmpaddr8
    li t0, 0x777
    csrw pmpaddr8, t0
    csrr a2, pmpaddr8
    CHECK_REG a2, a3, 39
    csrr a3, pmpaddr9
    csrw pmpaddr9, t0
    csrr a2, pmpaddr9
    CHECK_REG a2, a3, 40
    la a1, r9 + 8
    EXPECT_TRAP 1f
    sd zero, 0(a1)                  /* M store into the locked R-X region */
1:  CHECK_AF CAUSE_STORE_ACCESS, a1, 41
    la a1, r9
    li a0, 0
    jalr ra, 0(a1)                  /* M may execute it */
    CHECK_EQ a0, 0, 42
    /* entry 8's own cfg byte is not locked */
    csrr a2, pmpcfg2
    li t0, PMP_NA4
    or t0, a2, t0
    csrw pmpcfg2, t0
    csrr a3, pmpcfg2
    csrw pmpcfg2, a2
    andi a3, a3, 0xFF
    CHECK_EQ a3, PMP_NA4, 43

    PASS

    .data
    .balign 16384
big:    .space 16384                /* priority test: contains r6 */
r6 = big + 0x1000
    .balign 4096
    .space 4096                     /* gap below r1 */
r1:     .space 4096
r2:     .space 4096
r3:     .space 4096
    .space 4096
r4:     .space 4096
    .space 4096
r5:     .space 4096
r8:     .space 4096
r9:     .space 4096
    .space 4096
