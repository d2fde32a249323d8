/*
 * csr: Zicsr instruction semantics and M-mode CSR WARL behaviour.
 */
#include "test.h"

#define MISA_EXT(c) (1 << ((c) - 'A'))
#define MIE_STD     0xAAA           /* SSI MSI STI MTI SEI MEI */
#define MEDELEG_STD 0xB3FF          /* causes 0-9, 12, 13, 15 */
#define TEST_CSR_U  0x0FF           /* unallocated standard CSR numbers */
#define TEST_CSR_S  0x1FF
#define TEST_CSR_M  0x3FF
#define TEST_CSR_MRO 0xF16

/* set, read, clear, read one mstatus bit */
.macro T_MSTATUS_BIT bit, n
    li t0, \bit
    csrs mstatus, t0
    csrr a1, mstatus
    csrc mstatus, t0
    csrr a2, mstatus
    and a1, a1, t0
    and a2, a2, t0
    CHECK_REG a1, t0, \n
    CHECK_EQ a2, 0, \n
.endm

/* pmpaddr<i> holds the value written by the loop above */
.macro T_PMPADDR i, n
    csrr a3, pmpaddr\i
    addi a2, a1, \i
    CHECK_REG a3, a2, \n
.endm

TEST_BEGIN csr

    /* ---------------- CSR instruction semantics (on sscratch) */
    li a1, 0x0123456789ABCDEF
    csrw sscratch, a1
    li a2, 0xF0F0
    csrrw a3, sscratch, a2
    CHECK_EQ a3, 0x0123456789ABCDEF, 1
    csrr a3, sscratch
    CHECK_EQ a3, 0xF0F0, 2
    li a2, 0x0F0F
    csrrs a3, sscratch, a2
    CHECK_EQ a3, 0xF0F0, 3
    csrr a3, sscratch
    CHECK_EQ a3, 0xFFFF, 4
    li a2, 0x00FF
    csrrc a3, sscratch, a2
    CHECK_EQ a3, 0xFFFF, 5
    csrr a3, sscratch
    CHECK_EQ a3, 0xFF00, 6
    csrrwi a3, sscratch, 0x1F
    CHECK_EQ a3, 0xFF00, 7
    csrr a3, sscratch
    CHECK_EQ a3, 0x1F, 8
    csrrci a3, sscratch, 0x11
    CHECK_EQ a3, 0x1F, 9
    csrr a3, sscratch
    CHECK_EQ a3, 0x0E, 10
    csrrsi a3, sscratch, 0x10
    CHECK_EQ a3, 0x0E, 11
    csrr a3, sscratch
    CHECK_EQ a3, 0x1E, 12
    li a4, 0x55
    csrrw a4, sscratch, a4      /* rd == rs1: old value out, new value in */
    CHECK_EQ a4, 0x1E, 13
    csrr a3, sscratch
    CHECK_EQ a3, 0x55, 14
    csrrs a3, sscratch, x0      /* read only */
    CHECK_EQ a3, 0x55, 15
    csrrc a3, sscratch, x0
    CHECK_EQ a3, 0x55, 16
    csrrsi a3, sscratch, 0
    csrrci a3, sscratch, 0
    csrr a3, sscratch
    CHECK_EQ a3, 0x55, 17
    csrrw x0, sscratch, a1      /* csrw */
    csrr a3, sscratch
    CHECK_EQ a3, 0x0123456789ABCDEF, 18

    /* ---------------- misa: MXL = 2 (64-bit), I M A C S U present, E absent */
    csrr a1, misa
    srli a2, a1, 62
    CHECK_EQ a2, 2, 19
    CHECK_MASK a1, MISA_EXT('I'), MISA_EXT('I'), 20
    CHECK_MASK a1, MISA_EXT('M'), MISA_EXT('M'), 21
    CHECK_MASK a1, MISA_EXT('A'), MISA_EXT('A'), 22
    CHECK_MASK a1, MISA_EXT('C'), MISA_EXT('C'), 23
    CHECK_MASK a1, MISA_EXT('S'), MISA_EXT('S'), 24
    CHECK_MASK a1, MISA_EXT('U'), MISA_EXT('U'), 25
    CHECK_MASK a1, MISA_EXT('E'), 0, 26

    /* ---------------- machine information registers */
    csrr a1, mvendorid
    csrr a1, marchid
    csrr a1, mimpid
    csrr a1, mhartid
    CHECK_EQ a1, 0, 27
    /* CSRRS/CSRRC rs1 = x0 and CSRRSI/CSRRCI uimm = 0 do not write: legal */
    csrrs a1, mvendorid, x0
    csrrc a1, marchid, x0
    csrrsi a1, mimpid, 0
    csrrci a1, mhartid, 0
    CHECK_EQ a1, 0, 28
    csrrs a1, cycle, x0
    csrrc a1, instret, x0
    csrrsi a1, time, 0
    /* writes to read-only CSRs (address bits 11:10 = 11) are illegal */
    li a1, 1
    CHECK_ILLEGAL 29, csrw mvendorid, a1
    CHECK_ILLEGAL 30, csrw marchid, zero
    CHECK_ILLEGAL 31, csrrw x0, mimpid, x0
    CHECK_ILLEGAL 32, csrrs a2, mhartid, a1
    CHECK_ILLEGAL 33, csrrc a2, mhartid, a1
    CHECK_ILLEGAL 34, csrrwi a2, mhartid, 0
    CHECK_ILLEGAL 35, csrrsi a2, mvendorid, 1
    CHECK_ILLEGAL 36, csrrci a2, marchid, 1
    CHECK_ILLEGAL 37, csrw cycle, a1
    CHECK_ILLEGAL 38, csrw time, a1
    CHECK_ILLEGAL 39, csrs instret, a1
    /* the failed writes had no effect on rd */
    li a2, 0x77
    EXPECT_TRAP 1f
    csrrs a2, mhartid, a1
1:  CHECK_EQ a2, 0x77, 40

    /* ---------------- mstatus */
    csrr a1, mstatus
    srli a2, a1, 32
    andi a2, a2, 3
    CHECK_EQ a2, 2, 41          /* UXL = 64 */
    srli a2, a1, 34
    andi a2, a2, 3
    CHECK_EQ a2, 2, 42          /* SXL = 64 */
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MPP, 0, 43
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MPP, MSTATUS_MPP_S, 44
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    csrr a1, mstatus
    CHECK_MASK a1, MSTATUS_MPP, MSTATUS_MPP, 45
    /* single-bit fields that exist with S and U: set, read, clear, read */
    T_MSTATUS_BIT MSTATUS_SIE, 46
    T_MSTATUS_BIT MSTATUS_SPIE, 47
    T_MSTATUS_BIT MSTATUS_MPIE, 48
    T_MSTATUS_BIT MSTATUS_SPP, 49
    T_MSTATUS_BIT MSTATUS_SUM, 50
    T_MSTATUS_BIT MSTATUS_MXR, 51
    T_MSTATUS_BIT MSTATUS_TVM, 52
    T_MSTATUS_BIT MSTATUS_TW, 53
    T_MSTATUS_BIT MSTATUS_TSR, 54
    T_MSTATUS_BIT MSTATUS_MPRV, 55
    T_MSTATUS_BIT MSTATUS_MIE, 56
    /* UXL/SXL are not changed by writes of other values */
    li t0, MSTATUS_UXL | MSTATUS_SXL
    csrc mstatus, t0
    csrr a1, mstatus
    li t0, MSTATUS_UXL | MSTATUS_SXL
    and a1, a1, t0
    li t0, 0xA00000000
    CHECK_REG a1, t0, 57
    /* SD summarises FS / VS / XS == 3 (whichever of them are writable) */
    li t0, MSTATUS_FS
    csrs mstatus, t0
    csrr a1, mstatus
    jal sd_consistent
    CHECK_EQ a0, 1, 58
    li t0, MSTATUS_FS
    csrc mstatus, t0
    csrr a1, mstatus
    jal sd_consistent
    CHECK_EQ a0, 1, 59
    CHECK_MASK a1, MSTATUS_FS, 0, 60

    /* ---------------- mtvec: direct and vectored */
    la a1, vec_table
    csrw mtvec, a1
    csrr a2, mtvec
    ori a3, a1, 1
    csrw mtvec, a3
    csrr a4, mtvec
    la t0, trap_m
    csrw mtvec, t0
    CHECK_REG a2, a1, 61
    CHECK_REG a4, a3, 62

    /* ---------------- mepc / mcause / mtval / mscratch */
    /* mepc[0] always reads zero (QEMU 7.2 keeps the bit: SPEC_STRICT only);
     * mepc[1] is writable with IALIGN = 16 */
#ifdef SPEC_STRICT
    li a1, 0x80001001
    csrw mepc, a1
    csrr a2, mepc
    CHECK_EQ a2, 0x80001000, 63
    li a1, 0x80001003
    csrw mepc, a1
    csrr a2, mepc
    CHECK_EQ a2, 0x80001002, 64
#endif
    li a1, 0x80001002
    csrw mepc, a1
    csrr a2, mepc
    CHECK_EQ a2, 0x80001002, 65
    li a1, CAUSE_ILLEGAL_INSN
    csrw mcause, a1
    csrr a2, mcause
    CHECK_EQ a2, CAUSE_ILLEGAL_INSN, 66
    li a1, CAUSE_INTR | IRQ_MTI
    csrw mcause, a1
    csrr a2, mcause
    CHECK_EQ a2, CAUSE_INTR | IRQ_MTI, 67
    li a1, 0x1234567890
    csrw mtval, a1
    csrr a2, mtval
    CHECK_EQ a2, 0x1234567890, 68
    csrr s5, mscratch
    li a1, 0xFEDCBA9876543210
    csrw mscratch, a1
    csrr a2, mscratch
    csrw mscratch, s5
    CHECK_EQ a2, 0xFEDCBA9876543210, 69
    /* S-mode trap CSRs from M */
#ifdef SPEC_STRICT
    li a1, 0x80002001
    csrw sepc, a1
    csrr a2, sepc
    CHECK_EQ a2, 0x80002000, 70
#endif
    li a1, 0x80002002
    csrw sepc, a1
    csrr a2, sepc
    CHECK_EQ a2, 0x80002002, 71
    la a1, vec_table
    csrw stvec, a1
    csrr a2, stvec
    CHECK_REG a2, a1, 72
    la t0, trap_s
    csrw stvec, t0
    li a1, 0xABC
    csrw stval, a1
    csrr a2, stval
    CHECK_EQ a2, 0xABC, 73
    li a1, CAUSE_LOAD_PAGE_FAULT
    csrw scause, a1
    csrr a2, scause
    CHECK_EQ a2, CAUSE_LOAD_PAGE_FAULT, 74

    /* ---------------- mie / mip */
    li a1, -1
    csrw mie, a1
    csrr a2, mie
    csrw mie, zero
    csrr a3, mie
    CHECK_MASK a2, MIE_STD, MIE_STD, 75
    CHECK_EQ a3, 0, 76
    li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw mip, a1
    csrr a2, mip
    csrw mip, zero
    csrr a3, mip
    CHECK_MASK a2, MIE_STD, MIP_SSIP | MIP_STIP | MIP_SEIP, 77
    CHECK_MASK a3, MIE_STD, 0, 78
    li a1, MIP_MSIP | MIP_MTIP | MIP_MEIP    /* read-only in mip */
    csrs mip, a1
    csrr a2, mip
    CHECK_MASK a2, MIE_STD, 0, 79

    /* ---------------- medeleg / mideleg */
    li a1, -1
    csrw medeleg, a1
    csrr a2, medeleg
    csrw medeleg, zero
    csrr a3, medeleg
    CHECK_MASK a2, MEDELEG_STD, MEDELEG_STD, 80
#ifdef SPEC_STRICT
    CHECK_MASK a2, (1 << CAUSE_MACHINE_ECALL), 0, 81   /* medeleg[11] read-only zero */
#endif
    CHECK_MASK a2, (1 << 14), 0, 82                    /* reserved cause */
    CHECK_EQ a3, 0, 83
    /* writing back the read value holds it */
    csrw medeleg, a2
    csrr a4, medeleg
    csrw medeleg, zero
    CHECK_REG a4, a2, 84
    li a1, -1
    csrw mideleg, a1
    csrr a2, mideleg
    csrw mideleg, zero
    csrr a3, mideleg
    CHECK_MASK a2, MIP_SSIP | MIP_STIP | MIP_SEIP, MIP_SSIP | MIP_STIP | MIP_SEIP, 85
    CHECK_MASK a3, MIE_STD, 0, 86   /* (with H, VS bits are read-only one) */
    li a1, MIP_STIP
    csrw mideleg, a1
    csrr a2, mideleg
    csrw mideleg, zero
    CHECK_MASK a2, MIE_STD, MIP_STIP, 87

    /* ---------------- counter enables and inhibit */
    li a1, 7
    csrw mcounteren, a1
    csrr a2, mcounteren
    csrw mcounteren, zero
    csrr a3, mcounteren
    CHECK_MASK a2, 7, 7, 88
    CHECK_EQ a3, 0, 89
    li a1, 5
    csrw scounteren, a1
    csrr a2, scounteren
    csrw scounteren, zero
    csrr a3, scounteren
    CHECK_MASK a2, 7, 5, 90
    CHECK_EQ a3, 0, 91
    li a1, 5
    csrw CSR_MCOUNTINHIBIT, a1
    csrr a2, CSR_MCOUNTINHIBIT
    csrw CSR_MCOUNTINHIBIT, zero
    csrr a3, CSR_MCOUNTINHIBIT
    CHECK_MASK a2, 7, 5, 92
    CHECK_EQ a3, 0, 93
#ifdef SPEC_STRICT
    /* bit 1 (there is no time inhibit) is read-only zero; QEMU 7.2 keeps it */
    li a1, 2
    csrw CSR_MCOUNTINHIBIT, a1
    csrr a2, CSR_MCOUNTINHIBIT
    csrw CSR_MCOUNTINHIBIT, zero
    CHECK_MASK a2, 2, 0, 94
#endif

    /* ---------------- mcycle / minstret writable and advancing */
    li a1, 1000000
    csrw mcycle, a1
    csrr a2, mcycle
    csrr a3, mcycle
    addi a1, a1, -1
    CHECK_LTU a1, a2, 95        /* holds the written value or more ... */
    li t0, 1000000 + 0x40000000
    CHECK_LTU a2, t0, 96        /* ... but not by much */
    CHECK_LTU a2, a3, 97
    li a1, 5000000
    csrw minstret, a1
    csrr a2, minstret
    csrr a3, minstret
    li t0, 5000000 - 1
    CHECK_LTU t0, a2, 98
    li t0, 5000000 + 0x40000000
    CHECK_LTU a2, t0, 99
    CHECK_LTU a2, a3, 100
    /* the unprivileged shadows follow (a write takes effect after the writing
     * instruction, so the next read sees at least the written value) */
    li a1, 0x100000000
    csrw mcycle, a1
    rdcycle a2
    addi a1, a1, -1
    CHECK_LTU a1, a2, 101
    li a1, 0x200000000
    csrw minstret, a1
    rdinstret a2
    addi a1, a1, -1
    CHECK_LTU a1, a2, 102
    /* time agrees with the CLINT's mtime */
    li t0, CLINT_MTIME
    ld a1, 0(t0)
    rdtime a2
    ld a3, 0(t0)
    bltu a2, a1, 1f
    bltu a3, a2, 1f
    li a4, 1
    j 2f
1:  li a4, 0
2:  CHECK_EQ a4, 1, 103
    rdtime a1                   /* time advances */
    li t0, 1000
1:  addi t0, t0, -1
    bnez t0, 1b
    rdtime a2
    CHECK_LTU a1, a2, 104

    /* ---------------- PMP CSRs */
    csrr s4, pmpcfg2            /* keep the catch-all entry */
    csrr s3, pmpaddr15
    CHECK_ILLEGAL 105, csrr a1, 0x3A1
    CHECK_ILLEGAL 106, csrr a1, 0x3A3
    CHECK_ILLEGAL 107, csrw 0x3A1, zero
    li a1, 0x0000123456789ABC
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    addi a2, a1, \i
    csrw pmpaddr\i, a2
.endr
    T_PMPADDR 0, 108
    T_PMPADDR 1, 109
    T_PMPADDR 2, 110
    T_PMPADDR 3, 111
    T_PMPADDR 4, 112
    T_PMPADDR 5, 113
    T_PMPADDR 6, 114
    T_PMPADDR 7, 115
    T_PMPADDR 8, 116
    T_PMPADDR 9, 117
    T_PMPADDR 10, 118
    T_PMPADDR 11, 119
    T_PMPADDR 12, 120
    T_PMPADDR 13, 121
    T_PMPADDR 14, 122
    T_PMPADDR 15, 123
    /* cfg fields: A = OFF/TOR/NA4/NAPOT with R/W/X, no L, no W-without-R */
    li a1, 0x1B0D0F001F150B19
    csrw pmpcfg0, a1
    csrr a2, pmpcfg0
    li a3, 0x0B1F0D00190F1B15
    csrw pmpcfg2, a3
    csrr a4, pmpcfg2
    csrw pmpcfg0, zero
    csrw pmpcfg2, s4
    csrw pmpaddr15, s3
    CHECK_EQ a2, 0x1B0D0F001F150B19, 124
    CHECK_EQ a4, 0x0B1F0D00190F1B15, 125
    csrr a2, pmpcfg0
    CHECK_EQ a2, 0, 126

    /* ---------------- unimplemented CSR numbers */
    CHECK_ILLEGAL 127, csrr a1, TEST_CSR_U
    CHECK_ILLEGAL 128, csrr a1, TEST_CSR_S
    CHECK_ILLEGAL 129, csrr a1, TEST_CSR_M
    CHECK_ILLEGAL 130, csrw TEST_CSR_M, a1
    CHECK_ILLEGAL 131, csrr a1, TEST_CSR_MRO

    /* ---------------- environment configuration */
    csrr a1, CSR_MENVCFG
    csrr a1, CSR_SENVCFG
    csrr a1, CSR_MCONFIGPTR

    /* ---------------- privilege of CSR accesses */
    TO_S
    csrr a1, sstatus            /* S CSRs are fine */
    li a2, 0x5A
    csrw sscratch, a2
    csrr a3, sscratch
    CHECK_EQ a3, 0x5A, 132
    CHECK_ILLEGAL 133, csrr a1, mstatus
    CHECK_ILLEGAL 134, csrw mscratch, a1
    CHECK_ILLEGAL 135, csrr a1, mhartid
    CHECK_ILLEGAL 136, csrr a1, mepc
    CHECK_ILLEGAL 137, csrs mie, a2
    CHECK_ILLEGAL 138, csrr a1, pmpcfg0
    CHECK_ILLEGAL 139, csrr a1, CSR_MENVCFG
    csrr a1, CSR_SENVCFG
    S_TO_U
    CHECK_ILLEGAL 140, csrr a1, sstatus
    CHECK_ILLEGAL 141, csrw sscratch, a1
    CHECK_ILLEGAL 142, csrr a1, mstatus
    CHECK_ILLEGAL 143, csrr a1, satp
    CHECK_ILLEGAL 144, csrr a1, CSR_SENVCFG
    TO_M
    csrr a1, mstatus            /* back in M */

    PASS

/* a0 = 1 if mstatus value a1 has SD == (FS == 3 || VS == 3 || XS == 3) */
    .align 2
sd_consistent:
    li a0, 0
    srli t0, a1, 13
    andi t0, t0, 3
    li t1, 3
    beq t0, t1, 1f
    srli t0, a1, 9
    andi t0, t0, 3
    beq t0, t1, 1f
    srli t0, a1, 15
    andi t0, t0, 3
    beq t0, t1, 1f
    j 2f
1:  li a0, 1
2:  srli t0, a1, 63
    xor a0, a0, t0
    xori a0, a0, 1
    ret

    .align 8
vec_table:
    j trap_m
