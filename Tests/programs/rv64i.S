/*
 * rv64i: every RV64I computational, control-transfer, load and store instruction.
 * Runs in M-mode, satp = Bare. Misaligned loads and stores must complete without trapping.
 */
#include "test.h"

/* rd = op(a, b) on registers */
.macro T_RR op, a, b, exp, n
    li a1, \a
    li a2, \b
    \op a3, a1, a2
    CHECK_EQ a3, \exp, \n
.endm

/* rd = op(a, imm) */
.macro T_RI op, a, imm, exp, n
    li a1, \a
    \op a3, a1, \imm
    CHECK_EQ a3, \exp, \n
.endm

/* branch op a, b: taken = 1 / 0 */
.macro T_BR op, a, b, taken, n
    li a1, \a
    li a2, \b
    li a3, 1
    \op a1, a2, .Lbr_t\@
    li a3, 0
.Lbr_t\@:
    CHECK_EQ a3, \taken, \n
.endm

/* load: a3 = op off(base label) */
.macro T_LD op, label, off, exp, n
    la a1, \label
    \op a3, \off(a1)
    CHECK_EQ a3, \exp, \n
.endm

TEST_BEGIN rv64i

    /* ---------------- ADD / SUB */
    T_RR add, 1, 2, 3, 1
    T_RR add, 0x7FFFFFFFFFFFFFFF, 1, 0x8000000000000000, 2
    T_RR add, -1, -1, -2, 3
    T_RR add, 0xFFFFFFFF, 1, 0x100000000, 4
    T_RR sub, 5, 7, -2, 5
    T_RR sub, 0x8000000000000000, 1, 0x7FFFFFFFFFFFFFFF, 6
    T_RR sub, 0, 1, -1, 7
    T_RR sub, 0x100000000, 1, 0xFFFFFFFF, 8

    /* ---------------- shifts by register (low 6 bits of rs2) */
    T_RR sll, 1, 0, 1, 9
    T_RR sll, 1, 31, 0x80000000, 10
    T_RR sll, 1, 63, 0x8000000000000000, 11
    T_RR sll, 1, 64, 1, 12
    T_RR sll, 3, 65, 6, 13
    T_RR sll, 0xFFFFFFFFFFFFFFFF, 63, 0x8000000000000000, 14
    T_RR srl, 0x8000000000000000, 0, 0x8000000000000000, 15
    T_RR srl, 0x8000000000000000, 31, 0x100000000, 16
    T_RR srl, 0x8000000000000000, 63, 1, 17
    T_RR srl, -1, 68, 0x0FFFFFFFFFFFFFFF, 18
    T_RR sra, 0x8000000000000000, 0, 0x8000000000000000, 19
    T_RR sra, 0x8000000000000000, 31, 0xFFFFFFFF00000000, 20
    T_RR sra, 0x8000000000000000, 63, -1, 21
    T_RR sra, 0x7FFFFFFFFFFFFFFF, 63, 0, 22
    T_RR sra, 0x8000000000000000, 127, -1, 23

    /* ---------------- compare */
    T_RR slt, -1, 1, 1, 24
    T_RR slt, 1, -1, 0, 25
    T_RR slt, 7, 7, 0, 26
    T_RR slt, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 1, 27
    T_RR sltu, -1, 1, 0, 28
    T_RR sltu, 1, -1, 1, 29
    T_RR sltu, 0, 0, 0, 30
    T_RR sltu, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 1, 31

    /* ---------------- logic */
    T_RR xor, 0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xF0F0F0F0F0F0F0F0, 32
    T_RR or,  0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0xFFF0FFF0FFF0FFF0, 33
    T_RR and, 0xFF00FF00FF00FF00, 0x0FF00FF00FF00FF0, 0x0F000F000F000F00, 34

    /* ---------------- register-immediate */
    T_RI addi, 0, -2048, -2048, 35
    T_RI addi, 0, 2047, 2047, 36
    T_RI addi, 0x7FFFFFFFFFFFFFFF, 1, 0x8000000000000000, 37
    T_RI addi, 0, -1, -1, 38
    T_RI slti, -1, 0, 1, 39
    T_RI slti, 0, -1, 0, 40
    T_RI slti, 0x8000000000000000, -2048, 1, 41
    T_RI sltiu, 5, -1, 1, 42
    T_RI sltiu, 0, 1, 1, 43
    T_RI sltiu, 1, 1, 0, 44
    T_RI sltiu, -1, 2047, 0, 45
    T_RI xori, 0x00FF00FF00FF00FF, -1, 0xFF00FF00FF00FF00, 46
    T_RI xori, 0x1234, 0x0F0, 0x12C4, 47
    T_RI ori, 0x0000000000000001, -2048, 0xFFFFFFFFFFFFF801, 48
    T_RI ori, 0x1200, 0x034, 0x1234, 49
    T_RI andi, 0xFFFFFFFFFFFFFFFF, -2048, 0xFFFFFFFFFFFFF800, 50
    T_RI andi, 0x123456789ABCDEF0, 0x7FF, 0x6F0, 51
    T_RI slli, 0x1, 0, 1, 52
    T_RI slli, 0x1, 31, 0x80000000, 53
    T_RI slli, 0x3, 63, 0x8000000000000000, 54
    T_RI srli, 0x8000000000000001, 0, 0x8000000000000001, 55
    T_RI srli, 0x8000000000000000, 31, 0x100000000, 56
    T_RI srli, 0x8000000000000000, 63, 1, 57
    T_RI srai, 0x8000000000000001, 0, 0x8000000000000001, 58
    T_RI srai, 0x8000000000000000, 31, 0xFFFFFFFF00000000, 59
    T_RI srai, 0x8000000000000000, 63, -1, 60
    T_RI srai, 0x4000000000000000, 62, 1, 61

    /* ---------------- W forms: 32-bit result, sign-extended; upper input bits ignored */
    T_RR addw, 0x7FFFFFFF, 1, 0xFFFFFFFF80000000, 62
    T_RR addw, 0xFFFFFFFF00000001, 1, 2, 63
    T_RR addw, 0xFFFFFFFF, 0xFFFFFFFF, -2, 64
    T_RR subw, 0, 1, -1, 65
    T_RR subw, 0x80000000, 1, 0x7FFFFFFF, 66
    T_RR subw, 0x1234567800000000, 0x1, -1, 67
    T_RR sllw, 1, 31, 0xFFFFFFFF80000000, 68
    T_RR sllw, 1, 32, 1, 69
    T_RR sllw, 0xFFFFFFFF12345678, 0, 0x12345678, 70
    T_RR sllw, 0x00000000FFFFFFFF, 0, -1, 71
    T_RR srlw, 0x80000000, 31, 1, 72
    T_RR srlw, 0x80000000, 0, 0xFFFFFFFF80000000, 73
    T_RR srlw, 0x80000000, 1, 0x40000000, 74
    T_RR srlw, 0x1234567800000010, 36, 1, 75
    T_RR sraw, 0x80000000, 31, -1, 76
    T_RR sraw, 0x7FFFFFFF, 31, 0, 77
    T_RR sraw, 0x80000000, 0, 0xFFFFFFFF80000000, 78
    T_RR sraw, 0x80000000, 33, 0xFFFFFFFFC0000000, 79
    T_RI addiw, 0x7FFFFFFF, 1, 0xFFFFFFFF80000000, 80
    T_RI addiw, 0x00000000FFFFFFFF, 0, -1, 81
    T_RI addiw, 0x123456789, -2048, 0x23456789 - 2048, 82
    T_RI slliw, 0xFFFFFFFF00000001, 0, 1, 83
    T_RI slliw, 0x1, 31, 0xFFFFFFFF80000000, 84
    T_RI slliw, 0x3, 30, 0xFFFFFFFFC0000000, 85
    T_RI srliw, 0xFFFFFFFF80000000, 0, 0xFFFFFFFF80000000, 86
    T_RI srliw, 0xFFFFFFFF80000000, 31, 1, 87
    T_RI srliw, 0xFFFFFFFFFFFFFFFF, 1, 0x7FFFFFFF, 88
    T_RI sraiw, 0x80000000, 0, 0xFFFFFFFF80000000, 89
    T_RI sraiw, 0x80000000, 31, -1, 90
    T_RI sraiw, 0xFFFFFFFF7FFFFFFF, 31, 0, 91

    /* ---------------- same register as source and destination */
    li a1, 21
    add a1, a1, a1
    CHECK_EQ a1, 42, 92
    li a1, 0x10
    sllw a1, a1, a1
    CHECK_EQ a1, 0x100000, 93

    /* ---------------- writes to x0 are ignored */
    li a1, 5
    addi x0, a1, 1
    CHECK_EQ x0, 0, 94
    lui x0, 0x12345
    add a2, x0, x0
    CHECK_EQ a2, 0, 95
    la a1, data_a
    ld x0, 0(a1)
    mv a2, x0
    CHECK_EQ a2, 0, 96
    jal x0, 1f
1:  CHECK_EQ x0, 0, 97

    /* ---------------- LUI / AUIPC */
    lui a1, 0x12345
    CHECK_EQ a1, 0x12345000, 98
    lui a1, 0x80000
    CHECK_EQ a1, 0xFFFFFFFF80000000, 99
    lui a1, 0xFFFFF
    CHECK_EQ a1, 0xFFFFFFFFFFFFF000, 100
    lui a1, 0x7FFFF
    CHECK_EQ a1, 0x7FFFF000, 101
auipc0:
    auipc a1, 0
    CHECK_ADDR a1, auipc0, 102
auipc1:
    auipc a1, 1
    la a2, auipc1
    sub a1, a1, a2
    CHECK_EQ a1, 0x1000, 103
auipc2:
    auipc a1, 0x80000
    la a2, auipc2
    sub a1, a1, a2
    CHECK_EQ a1, 0xFFFFFFFF80000000, 104
auipc3:
    auipc a1, 0xFFFFF
    la a2, auipc3
    sub a1, a1, a2
    CHECK_EQ a1, -4096, 105

    /* ---------------- JAL */
    li a3, 0
    jal a1, jal_fwd
    li a3, 1                    /* skipped */
jal_fwd_ret:
    j 1f
jal_fwd:
    CHECK_ADDR a1, jal_fwd_ret - 4, 106
    CHECK_EQ a3, 0, 107
    j jal_fwd_ret
1:
    /* backward JAL */
    j 2f
1:  CHECK_ADDR ra, jal_back_link, 108
    j 3f
2:  jal ra, 1b
jal_back_link:
    FAIL_N 109                  /* link used only as a value */
3:

    /* ---------------- JALR */
    la a2, jalr_t1
    jalr a1, 0(a2)
jalr_l1:
    FAIL_N 110
jalr_t1:
    CHECK_ADDR a1, jalr_l1, 111
    la a2, jalr_t2 - 12
    jalr a1, 12(a2)             /* positive offset */
    FAIL_N 112
jalr_t2:
    la a2, jalr_t3 + 8
    jalr a1, -8(a2)             /* negative offset */
    FAIL_N 113
jalr_t3:
    la a2, jalr_t4 + 1          /* bit 0 of the target is cleared */
    jalr a1, 0(a2)
    FAIL_N 114
jalr_t4:
    la a2, jalr_t5 - 1          /* odd base + odd offset = even target */
    jalr a1, 1(a2)
    FAIL_N 115
jalr_t5:
    la a1, jalr_t6              /* rd == rs1: target uses the old value */
    jalr a1, 0(a1)
jalr_l6:
    FAIL_N 116
jalr_t6:
    CHECK_ADDR a1, jalr_l6, 117
    la a2, jalr_t7
    jalr x0, 0(a2)              /* rd = x0: no link */
    FAIL_N 118
jalr_t7:
    CHECK_EQ x0, 0, 119

    /* ---------------- branches, both ways, signed / unsigned edges */
    T_BR beq, 5, 5, 1, 120
    T_BR beq, 5, 6, 0, 121
    T_BR beq, 0x8000000000000000, 0, 0, 122
    T_BR bne, 5, 6, 1, 123
    T_BR bne, -1, -1, 0, 124
    T_BR bne, 0x100000000, 0, 1, 125
    T_BR blt, -1, 0, 1, 126
    T_BR blt, 0, -1, 0, 127
    T_BR blt, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 1, 128
    T_BR blt, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0, 129
    T_BR blt, 3, 3, 0, 130
    T_BR bge, 3, 3, 1, 131
    T_BR bge, -1, 0, 0, 132
    T_BR bge, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 1, 133
    T_BR bge, 0x8000000000000000, -1, 0, 134
    T_BR bltu, 0, -1, 1, 135
    T_BR bltu, -1, 0, 0, 136
    T_BR bltu, 0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 1, 137
    T_BR bltu, 9, 9, 0, 138
    T_BR bgeu, -1, 0, 1, 139
    T_BR bgeu, 0, -1, 0, 140
    T_BR bgeu, 9, 9, 1, 141
    T_BR bgeu, 0x8000000000000000, 0x7FFFFFFFFFFFFFFF, 1, 142
    /* backward taken branch: loop 5 times */
    li a1, 5
    li a2, 0
1:  addi a2, a2, 1
    addi a1, a1, -1
    bnez a1, 1b
    CHECK_EQ a2, 5, 143

    /* ---------------- loads: widths, sign / zero extension, offsets */
    T_LD lb,  data_a, 0, 0xFFFFFFFFFFFFFF88, 144
    T_LD lb,  data_a, 7, 0x7F, 145
    T_LD lbu, data_a, 0, 0x88, 146
    T_LD lbu, data_a, 7, 0x7F, 147
    T_LD lh,  data_a, 0, 0xFFFFFFFFFFFF9988, 148
    T_LD lh,  data_a, 6, 0x7F00, 149
    T_LD lhu, data_a, 0, 0x9988, 150
    T_LD lw,  data_a, 0, 0xFFFFFFFFBBAA9988, 151
    T_LD lw,  data_a, 4, 0x7F00DDCC, 152
    T_LD lwu, data_a, 0, 0xBBAA9988, 153
    T_LD ld,  data_a, 0, 0x7F00DDCCBBAA9988, 154
    T_LD ld,  data_b, -8, 0x7F00DDCCBBAA9988, 155
    T_LD lbu, data_b, -1, 0x7F, 156
    T_LD lw,  data_b, 4, 0xFFFFFFFF80000000, 157
    T_LD lwu, data_b, 4, 0x80000000, 158
    T_LD lh,  data_b, 2, 0x7FFF, 159
    T_LD lh,  data_b, 0, -1, 160

    /* ---------------- stores: only the addressed bytes change */
    la a1, scratch
    li a2, 0x1122334455667788
    sd a2, 0(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x1122334455667788, 161
    li a2, 0xAB
    sb a2, 3(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x11223344AB667788, 162
    li a2, 0xFFFFFFFFFFFFCDEF   /* only the low 16 bits are stored */
    sh a2, 6(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0xCDEF3344AB667788, 163
    li a2, 0x123456789ABCDEF0
    sw a2, 0(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0xCDEF33449ABCDEF0, 164
    addi a4, a1, 16
    sd a2, -8(a4)               /* negative offset */
    ld a3, 8(a1)
    CHECK_EQ a3, 0x123456789ABCDEF0, 165
    sb a2, 0(a1)
    lbu a3, 0(a1)
    CHECK_EQ a3, 0xF0, 166

    /* ---------------- misaligned loads (no trap) */
    T_LD lh,  data_a, 1, 0xFFFFFFFFFFFFAA99, 167
    T_LD lhu, data_a, 3, 0xCCBB, 168
    T_LD lh,  data_a, 5, 0x00DD, 169
    T_LD lw,  data_a, 1, 0xFFFFFFFFCCBBAA99, 170
    T_LD lw,  data_a, 2, 0xFFFFFFFFDDCCBBAA, 171
    T_LD lw,  data_a, 3, 0x00DDCCBB, 172
    T_LD lwu, data_a, 1, 0xCCBBAA99, 173
    T_LD ld,  data_a, 1, 0xFF7F00DDCCBBAA99, 174
    T_LD ld,  data_a, 3, 0xFFFFFF7F00DDCCBB, 175
    T_LD ld,  data_a, 7, 0x0000007FFFFFFF7F, 176
    T_LD lw,  data_a, 6, 0xFFFFFFFFFFFF7F00, 177

    /* ---------------- misaligned stores (no trap) */
    la a1, scratch
    sd zero, 0(a1)
    sd zero, 8(a1)
    li a2, 0x0807060504030201
    sd a2, 3(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x0504030201000000, 178
    ld a3, 8(a1)
    CHECK_EQ a3, 0x0000000000080706, 179
    li a2, 0xA1B2C3D4
    sw a2, 1(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x050403A1B2C3D400, 180
    li a2, 0xEEFF
    sh a2, 7(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0xFF0403A1B2C3D400, 181
    ld a3, 8(a1)
    CHECK_EQ a3, 0x00000000000807EE, 182

    /* ---------------- misaligned accesses crossing a 4 KiB page boundary */
    la a1, page_pair + 4096 - 3
    li a2, 0x1122334455667788
    sd a2, 0(a1)
    ld a3, 0(a1)
    CHECK_EQ a3, 0x1122334455667788, 183
    la a4, page_pair + 4096
    lbu a3, -1(a4)
    CHECK_EQ a3, 0x66, 184
    lbu a3, 0(a4)
    CHECK_EQ a3, 0x55, 185
    lw a3, -2(a4)
    CHECK_EQ a3, 0x44556677, 186

    PASS

    .data
    .align 4
data_a:                         /* 88 99 AA BB CC DD 00 7F */
    .dword 0x7F00DDCCBBAA9988
data_b:                         /* FF FF FF 7F 00 00 00 80 */
    .dword 0x800000007FFFFFFF
    .align 4
scratch:
    .space 32
    .align 12
page_pair:
    .space 8192
