/*
 * fp-misc: the F/D instructions that do not round, the floating-point CSRs and
 * mstatus.FS.
 *
 *  - FSGNJ/FSGNJN/FSGNJX .S and .D (F "Conversion and Move Instructions"): all bits but the
 *    sign from rs1, no flags, no NaN canonicalisation, also for signalling NaNs. A single
 *    operand that is not properly NaN-boxed is "treated as an n-bit canonical NaN" (D "NaN
 *    Boxing of Narrower Values": only the transfer operations FLn/FSn/FMV are exempt), so
 *    FSGNJ.S reads 0x7fc00000 from it, for rs1 and for the sign of rs2.
 *  - FMIN/FMAX .S and .D (F "Computational Instructions", the IEEE 754-2019 minimumNumber /
 *    maximumNumber of F 2.2): -0 < +0, one NaN gives the other operand, two NaNs the
 *    canonical NaN, a signalling NaN sets NV even when the result is a number.
 *  - FEQ/FLT/FLE .S and .D (F "Compare Instructions"): FEQ is quiet (NV only for a
 *    signalling NaN), FLT/FLE signal NV for any NaN; the result is 0 with a NaN.
 *  - FCLASS .S and .D (F "Classify Instruction"): the ten classes, exactly one bit, no
 *    flags; an improperly boxed single is the canonical (quiet) NaN.
 *  - fcsr, frm, fflags (F "Floating-Point Control and Status Register"): fcsr = frm << 5 |
 *    fflags, fcsr bits 31..8 ignore writes and read 0, frm and fflags take the low 3 / 5
 *    bits of a write; flags accrue; instructions without an rm field run with a reserved
 *    frm.
 *  - mstatus.FS (privileged spec, "Extension Context Status in mstatus Register"): with
 *    FS = Off every FP instruction (loads, stores, moves, compressed forms) and every
 *    fcsr/frm/fflags access raises an illegal-instruction exception, in M, S and U, and the
 *    FP state survives FS = Off; an instruction that modifies the FP state (an f register or
 *    fcsr, flags included) makes FS Dirty and SD = 1; SD = (FS == Dirty) always (VS = XS = 0
 *    here). The spec allows FS to become Dirty without a write, or dirtiness not to be
 *    tracked at all (writing Initial/Clean then gives Dirty), so after instructions that
 *    only read FP state the checks accept the written value or Dirty. sstatus.FS/SD are the
 *    same fields seen from S (supervisor spec, "Supervisor Status Register").
 *
 * Values are raw bit patterns (fp.h).
 */
#include "fp.h"

#define MSTATUS_VS      0x600
#define SSTATUS_SD      MSTATUS_SD

/* A single operand that is not NaN-boxed (bits 63..32 not all ones). */
#define UNBOXED_M1      0x00000001bf800000      /* -1.0 in the low half */
#define UNBOXED_P2      0x7fffffff40000000      /* 2.0 in the low half */

/* fclass bits */
#define C_NINF      0x001
#define C_NNORM     0x002
#define C_NSUB      0x004
#define C_NZERO     0x008
#define C_PZERO     0x010
#define C_PSUB      0x020
#define C_PNORM     0x040
#define C_PINF      0x080
#define C_SNAN      0x100
#define C_QNAN      0x200

/* mstatus.FS = v (SET_SFS: through sstatus, from S) */
.macro SET_FS v
    li s11, MSTATUS_FS
    csrc mstatus, s11
    li s11, \v
    csrs mstatus, s11
.endm
.macro SET_SFS v
    li s11, MSTATUS_FS
    csrc sstatus, s11
    li s11, \v
    csrs sstatus, s11
.endm

/* mstatus.FS = Dirty and SD = 1 (reads `csr`, mstatus or sstatus) */
.macro CHECK_DIRTY csr, n
    csrr a0, \csr
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, MSTATUS_FS_DIRTY | MSTATUS_SD, \n
.endm

/* FS is v or Dirty (the spec lets any FP instruction or no tracking make it Dirty), and
 * SD = (FS == Dirty) */
.macro CHECK_FS_READONLY csr, v, n
    csrr a0, \csr
    li s11, MSTATUS_FS | MSTATUS_SD
    and a0, a0, s11
    li s11, \v
    beq a0, s11, .Lfs_ok\@
    li s11, MSTATUS_FS_DIRTY | MSTATUS_SD
    beq a0, s11, .Lfs_ok\@
    FAIL_N \n
.Lfs_ok\@:
.endm

/* SD = (FS == Dirty) in `csr` (VS and XS are 0) */
.macro CHECK_SD csr, n
    csrr a0, \csr
    srli a1, a0, 13
    andi a1, a1, 3
    addi a1, a1, -3
    seqz a1, a1
    srli a2, a0, 63
    CHECK_REG a1, a2, \n
.endm

/* A compressed instruction raises an illegal-instruction exception in M:
 * mepc = it, mtval = its 16 bits. */
.macro T_F_ILLEGAL_C n, insn:vararg
    EXPECT_TRAP .Lilc_r\@
    .option push
    .option rvc
.Lilc_i\@:
    \insn
    .option pop
.Lilc_r\@:
    CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lilc_i\@, \n
    la s11, .Lilc_i\@
    lhu s11, 0(s11)
    beq s10, s11, .Lilc_ok\@
    FAIL_N \n
.Lilc_ok\@:
.endm

/* An illegal instruction trap taken in S (medeleg[2]): scause 2, sepc, stval = its bits. */
.macro T_F_ILLEGAL_S n, insn:vararg
    EXPECT_TRAP .Lils_r\@
.Lils_i\@:
    \insn
.Lils_r\@:
    CHECK_TRAP 1, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lils_i\@, \n
    la s11, .Lils_i\@
    lwu s11, 0(s11)
    beq s10, s11, .Lils_ok\@
    FAIL_N \n
.Lils_ok\@:
.endm

TEST_BEGIN fp-misc
    li t0, MSTATUS_VS
    csrc mstatus, t0
    FP_ENABLE

    /* ================================================================ sign injection */
    CHECK_S2 fsgnj.s, S_ONE, S_NONE, none, S_NONE, 0, 1
    CHECK_S2 fsgnj.s, S_NONE, S_ONE, none, S_ONE, 0, 2
    CHECK_S2 fsgnjn.s, S_ONE, S_ONE, none, S_NONE, 0, 3
    CHECK_S2 fsgnjn.s, S_ONE, S_NZERO, none, S_ONE, 0, 4
    CHECK_S2 fsgnjx.s, S_NONE, S_NONE, none, S_ONE, 0, 5
    CHECK_S2 fsgnjx.s, S_NONE, S_PZERO, none, S_NONE, 0, 6
    /* NaNs keep their payload, signalling ones included, and set no flag */
    CHECK_S2 fsgnj.s, S_SNAN, S_NONE, none, 0xff800001, 0, 7
    CHECK_S2 fsgnjn.s, 0xffc12345, S_NONE, none, 0x7fc12345, 0, 8
    CHECK_S2 fsgnjx.s, 0xff800001, S_SNAN, none, 0xff800001, 0, 9      /* sign of a NaN rs2 */
    /* an improperly boxed single is the canonical NaN, as rs1 and as rs2 */
    CHECK_S2R fsgnj.s, UNBOXED_M1, 0xffffffffbf800000, none, 0xffc00000, 0, 10
    CHECK_S2R fsgnjn.s, UNBOXED_M1, 0xffffffff3f800000, none, 0xffc00000, 0, 11
    CHECK_S2R fsgnj.s, 0xffffffff3f800000, UNBOXED_M1, none, S_ONE, 0, 12   /* sign of 0x7fc00000: + */
    CHECK_S2R fsgnjx.s, 0xffffffffbf800000, UNBOXED_M1, none, S_NONE, 0, 13
    CHECK_S2R fsgnj.s, UNBOXED_P2, UNBOXED_P2, none, S_QNAN, 0, 14      /* fmv.s */
    /* double */
    CHECK_D2 fsgnj.d, D_ONE, D_NZERO, none, D_NONE, 0, 15
    CHECK_D2 fsgnjn.d, D_NONE, D_NONE, none, D_ONE, 0, 16
    CHECK_D2 fsgnjx.d, D_NONE, D_NONE, none, D_ONE, 0, 17
    CHECK_D2 fsgnjx.d, D_ONE, D_NINF, none, D_NONE, 0, 18
    CHECK_D2 fsgnjn.d, D_SNAN, D_ONE, none, 0xfff0000000000001, 0, 19
    CHECK_D2 fsgnj.d, 0xfff8000000000abc, D_PZERO, none, 0x7ff8000000000abc, 0, 20
    /* a D operation takes a boxed single as the double it is (a negative qNaN) */
    CHECK_D2 fsgnjx.d, 0xffffffff3f800000, D_NONE, none, 0x7fffffff3f800000, 0, 21

    /* ================================================================ FMIN / FMAX */
    CHECK_S2 fmin.s, S_ONE, S_TWO, none, S_ONE, 0, 22
    CHECK_S2 fmax.s, S_ONE, S_TWO, none, S_TWO, 0, 23
    CHECK_S2 fmin.s, S_NONE, S_ONE, none, S_NONE, 0, 24
    CHECK_S2 fmax.s, S_NINF, S_INF, none, S_INF, 0, 25
    CHECK_S2 fmin.s, S_MIN_SUB, S_PZERO, none, S_PZERO, 0, 26
    /* -0 < +0, in either order */
    CHECK_S2 fmin.s, S_PZERO, S_NZERO, none, S_NZERO, 0, 27
    CHECK_S2 fmin.s, S_NZERO, S_PZERO, none, S_NZERO, 0, 28
    CHECK_S2 fmax.s, S_NZERO, S_PZERO, none, S_PZERO, 0, 29
    CHECK_S2 fmax.s, S_PZERO, S_NZERO, none, S_PZERO, 0, 30
    /* one NaN: the other operand; NV only for a signalling NaN */
    CHECK_S2 fmin.s, S_QNAN, S_ONE, none, S_ONE, 0, 31
    CHECK_S2 fmax.s, S_NONE, 0xffc00001, none, S_NONE, 0, 32
    CHECK_S2 fmin.s, S_SNAN, S_NONE, none, S_NONE, FF_NV, 33
    CHECK_S2 fmax.s, S_TWO, 0xff800001, none, S_TWO, FF_NV, 34
    /* two NaNs: the canonical NaN, whatever the payloads and signs */
    CHECK_S2 fmin.s, 0xffc00001, 0x7fc00002, none, S_QNAN, 0, 35
    CHECK_S2 fmax.s, S_QNAN, S_SNAN, none, S_QNAN, FF_NV, 36
    CHECK_S2 fmin.s, 0xff800001, 0xff800002, none, S_QNAN, FF_NV, 37
    /* an improperly boxed operand is a (quiet) NaN: the other operand, no flag */
    CHECK_S2R fmin.s, UNBOXED_M1, 0xffffffff40000000, none, S_TWO, 0, 38
    CHECK_S2R fmax.s, 0xffffffffbf800000, UNBOXED_P2, none, S_NONE, 0, 39
    CHECK_S2R fmax.s, UNBOXED_P2, UNBOXED_M1, none, S_QNAN, 0, 40
    /* double */
    CHECK_D2 fmin.d, D_ONE, D_TWO, none, D_ONE, 0, 41
    CHECK_D2 fmax.d, D_NONE, D_NINF, none, D_NONE, 0, 42
    CHECK_D2 fmin.d, D_PZERO, D_NZERO, none, D_NZERO, 0, 43
    CHECK_D2 fmax.d, D_NZERO, D_PZERO, none, D_PZERO, 0, 44
    CHECK_D2 fmin.d, D_MIN_SUB, 0x8000000000000001, none, 0x8000000000000001, 0, 45
    CHECK_D2 fmax.d, D_QNAN, D_NONE, none, D_NONE, 0, 46
    CHECK_D2 fmin.d, D_ONE, D_SNAN, none, D_ONE, FF_NV, 47
    CHECK_D2 fmax.d, 0xfff8000000000001, 0x7ff8000000000002, none, D_QNAN, 0, 48
    CHECK_D2 fmin.d, D_SNAN, D_QNAN, none, D_QNAN, FF_NV, 49
    /* the D view of a boxed single is a NaN */
    CHECK_D2 fmin.d, 0xffffffff3f800000, D_TWO, none, D_TWO, 0, 50

    /* ================================================================ FEQ / FLT / FLE */
    CHECK_X_SS feq.s, S_ONE, S_ONE, 1, 0, 51
    CHECK_X_SS feq.s, S_ONE, S_TWO, 0, 0, 52
    CHECK_X_SS feq.s, S_NZERO, S_PZERO, 1, 0, 53
    CHECK_X_SS flt.s, S_NZERO, S_PZERO, 0, 0, 54
    CHECK_X_SS fle.s, S_PZERO, S_NZERO, 1, 0, 55
    CHECK_X_SS flt.s, S_ONE, S_TWO, 1, 0, 56
    CHECK_X_SS flt.s, S_TWO, S_ONE, 0, 0, 57
    CHECK_X_SS fle.s, S_TWO, S_TWO, 1, 0, 58
    CHECK_X_SS fle.s, S_TWO, S_ONE, 0, 0, 59
    CHECK_X_SS flt.s, S_NINF, S_NONE, 1, 0, 60
    CHECK_X_SS flt.s, 0x80000001, S_PZERO, 1, 0, 61       /* -subnormal < +0 */
    /* quiet vs signalling comparisons */
    CHECK_X_SS feq.s, S_QNAN, S_ONE, 0, 0, 62
    CHECK_X_SS feq.s, S_QNAN, S_QNAN, 0, 0, 63
    CHECK_X_SS feq.s, S_ONE, S_SNAN, 0, FF_NV, 64
    CHECK_X_SS flt.s, S_QNAN, S_ONE, 0, FF_NV, 65
    CHECK_X_SS flt.s, S_ONE, 0xffc00000, 0, FF_NV, 66
    CHECK_X_SS fle.s, S_ONE, S_QNAN, 0, FF_NV, 67
    CHECK_X_SS fle.s, S_SNAN, S_SNAN, 0, FF_NV, 68
    /* an improperly boxed operand is the canonical (quiet) NaN */
    CHECK_X_SS feq.s, UNBOXED_P2, UNBOXED_P2, 0, 0, 69
    CHECK_X_SS flt.s, UNBOXED_M1, S_ONE, 0, FF_NV, 70
    CHECK_X_SS fle.s, S_TWO, UNBOXED_P2, 0, FF_NV, 71
    /* double */
    CHECK_X_DD feq.d, D_ONE, D_ONE, 1, 0, 72
    CHECK_X_DD feq.d, D_PZERO, D_NZERO, 1, 0, 73
    CHECK_X_DD feq.d, D_ONE, 0x3ff0000000000001, 0, 0, 74
    CHECK_X_DD flt.d, D_NONE, D_ONE, 1, 0, 75
    CHECK_X_DD flt.d, D_ONE, D_ONE, 0, 0, 76
    CHECK_X_DD fle.d, D_ONE, D_ONE, 1, 0, 77
    CHECK_X_DD fle.d, D_NZERO, D_PZERO, 1, 0, 78
    CHECK_X_DD flt.d, D_MAX, D_INF, 1, 0, 79
    CHECK_X_DD feq.d, D_QNAN, D_ONE, 0, 0, 80
    CHECK_X_DD feq.d, D_SNAN, D_ONE, 0, FF_NV, 81
    CHECK_X_DD flt.d, D_ONE, D_QNAN, 0, FF_NV, 82
    CHECK_X_DD fle.d, 0xfff8000000000000, D_ONE, 0, FF_NV, 83
    CHECK_X_DD fle.d, D_SNAN, D_ONE, 0, FF_NV, 84
    /* a boxed single is a double NaN */
    CHECK_X_DD feq.d, 0xffffffff3f800000, 0xffffffff3f800000, 0, 0, 85

    /* ================================================================ FCLASS */
    CHECK_X_S fclass.s, S_NINF, none, C_NINF, 0, 86
    CHECK_X_S fclass.s, S_NONE, none, C_NNORM, 0, 87
    CHECK_X_S fclass.s, 0xff7fffff, none, C_NNORM, 0, 88
    CHECK_X_S fclass.s, 0x80000001, none, C_NSUB, 0, 89
    CHECK_X_S fclass.s, 0x807fffff, none, C_NSUB, 0, 90
    CHECK_X_S fclass.s, S_NZERO, none, C_NZERO, 0, 91
    CHECK_X_S fclass.s, S_PZERO, none, C_PZERO, 0, 92
    CHECK_X_S fclass.s, S_MAX_SUB, none, C_PSUB, 0, 93
    CHECK_X_S fclass.s, S_MIN_NORM, none, C_PNORM, 0, 94
    CHECK_X_S fclass.s, S_INF, none, C_PINF, 0, 95
    CHECK_X_S fclass.s, S_SNAN, none, C_SNAN, 0, 96        /* no NV */
    CHECK_X_S fclass.s, 0xffbfffff, none, C_SNAN, 0, 97    /* negative sNaN, full payload */
    CHECK_X_S fclass.s, S_QNAN, none, C_QNAN, 0, 98
    CHECK_X_S fclass.s, 0xffc00001, none, C_QNAN, 0, 99
    CHECK_X_S fclass.s, UNBOXED_M1, none, C_QNAN, 0, 100    /* improperly boxed: canonical NaN */
    CHECK_X_S fclass.s, 0x000000017f800001, none, C_QNAN, 0, 101 /* even if the low half is an sNaN */
    CHECK_X_D fclass.d, D_NINF, none, C_NINF, 0, 102
    CHECK_X_D fclass.d, D_NONE, none, C_NNORM, 0, 103
    CHECK_X_D fclass.d, 0x800fffffffffffff, none, C_NSUB, 0, 104
    CHECK_X_D fclass.d, D_NZERO, none, C_NZERO, 0, 105
    CHECK_X_D fclass.d, D_PZERO, none, C_PZERO, 0, 106
    CHECK_X_D fclass.d, D_MIN_SUB, none, C_PSUB, 0, 107
    CHECK_X_D fclass.d, D_MAX, none, C_PNORM, 0, 108
    CHECK_X_D fclass.d, D_INF, none, C_PINF, 0, 109
    CHECK_X_D fclass.d, D_SNAN, none, C_SNAN, 0, 110
    CHECK_X_D fclass.d, 0x7ff7ffffffffffff, none, C_SNAN, 0, 111
    CHECK_X_D fclass.d, D_QNAN, none, C_QNAN, 0, 112
    CHECK_X_D fclass.d, 0xffffffff3f800000, none, C_QNAN, 0, 113  /* a boxed single */

    /* ================================================================ fcsr, frm, fflags */
    li a1, 0xffffffff
    csrw fcsr, a1
    csrr a0, fcsr
    CHECK_EQ a0, 0xff, 114                    /* bits 31..8 read 0 */
    csrr a0, frm
    CHECK_EQ a0, 7, 115
    csrr a0, fflags
    CHECK_EQ a0, 0x1f, 116
    li a1, -1
    csrw fcsr, a1                           /* and bits 63..32 */
    csrr a0, fcsr
    CHECK_EQ a0, 0xff, 117
    li a1, 0x12345
    csrrw a0, fcsr, a1                      /* old value out, new in */
    CHECK_EQ a0, 0xff, 118
    csrr a0, fcsr
    CHECK_EQ a0, 0x45, 119                    /* frm = 2, fflags = 5 */
    csrr a0, frm
    CHECK_EQ a0, FRM_RDN, 120
    /* fflags writes take bits 4..0 and leave frm alone */
    li a1, 0xffffffffffffffea
    csrrw a0, fflags, a1
    CHECK_EQ a0, 0x05, 121
    csrr a0, fcsr
    CHECK_EQ a0, (FRM_RDN << 5) | 0x0a, 122
    csrsi fflags, 0x11
    csrr a0, fflags
    CHECK_EQ a0, 0x1b, 123
    csrrci a0, fflags, 0x03
    CHECK_EQ a0, 0x1b, 124
    csrr a0, fcsr
    CHECK_EQ a0, (FRM_RDN << 5) | 0x18, 125
    /* frm writes take bits 2..0 and leave fflags alone */
    li a1, 0xfd                             /* ...11111 101 */
    csrrw a0, frm, a1
    CHECK_EQ a0, FRM_RDN, 126
    csrr a0, frm
    CHECK_EQ a0, 5, 127
    csrr a0, fcsr
    CHECK_EQ a0, (5 << 5) | 0x18, 128
    csrrsi a0, frm, 2                       /* 101 | 010 = 111 */
    csrr a0, fcsr
    CHECK_EQ a0, (7 << 5) | 0x18, 129
    csrci frm, 4
    csrr a0, frm
    CHECK_EQ a0, FRM_RUP, 130
    /* fsrm / fsflags / fscsr pseudo-instructions swap */
    fsrmi a0, FRM_RTZ
    CHECK_EQ a0, FRM_RUP, 131
    fsflagsi a0, 0
    CHECK_EQ a0, 0x18, 132
    frcsr a0
    CHECK_EQ a0, FRM_RTZ << 5, 133
    fscsr a0, zero
    CHECK_EQ a0, FRM_RTZ << 5, 134
    frrm a0
    CHECK_EQ a0, 0, 135
    /* flags accrue: an operation ORs its flags in and never clears one */
    csrwi fflags, FF_DZ
    li a1, 0x3fc00000
    fmv.w.x ft0, a1
    fcvt.w.s a0, ft0, rtz                   /* NX */
    fcvt.w.s a0, ft0, rtz
    fmin.s ft1, ft0, ft0                    /* nothing */
    csrr a0, fflags
    CHECK_EQ a0, FF_DZ | FF_NX, 136
    li a1, S_SNAN
    fmv.w.x ft1, a1
    feq.s a0, ft1, ft0                      /* NV */
    csrr a0, fflags
    CHECK_EQ a0, FF_DZ | FF_NX | FF_NV, 137
    /* with a reserved frm (101..111), instructions without an rm field work normally */
    csrwi fflags, 0
    FP_SET_FRM 5
    li a1, 0x4049000000000000
    fmv.d.x ft0, a1
    fmv.x.d a0, ft0
    CHECK_EQ a0, 0x4049000000000000, 138
    fclass.d a0, ft0
    CHECK_EQ a0, C_PNORM, 139
    FP_SET_FRM 7
    li a1, 0x40490fdb
    fmv.w.x ft1, a1
    fmv.x.w a0, ft1
    CHECK_EQ a0, 0x40490fdb, 140
    feq.s a0, ft1, ft1
    CHECK_EQ a0, 1, 141
    flt.d a0, ft0, ft0
    CHECK_EQ a0, 0, 142
    fmax.s ft2, ft1, ft1
    fsgnjn.d ft3, ft0, ft0
    fmv.x.d a0, ft2
    CHECK_EQ a0, 0xffffffff40490fdb, 143
    fmv.x.d a0, ft3
    CHECK_EQ a0, 0xc049000000000000, 144
    la a2, fp_buf
    fsd ft0, 0(a2)
    flw ft4, 4(a2)
    fmv.x.d a0, ft4
    CHECK_EQ a0, 0xffffffff40490000, 145
    csrr a0, fflags
    CHECK_EQ a0, 0, 146
    FP_SET_FRM FRM_RNE

    /* ================================================================ mstatus.FS */

    /* ---------------- FS is writable; SD follows it */
    SET_FS MSTATUS_FS_DIRTY
    CHECK_DIRTY mstatus, 147
    SET_FS MSTATUS_FS_OFF
    csrr a0, mstatus
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, 0, 148
    SET_FS MSTATUS_FS_INITIAL
    CHECK_SD mstatus, 149
    SET_FS MSTATUS_FS_CLEAN
    CHECK_SD mstatus, 150

    /* ---------------- FS = Off: every FP instruction and fcsr access is illegal (M-mode).
     * Set up known state first: it must survive FS = Off. */
    SET_FS MSTATUS_FS_DIRTY
    li a1, 0x0123456789abcdef
    fmv.d.x fs0, a1
    fmv.d.x ft0, a1
    li a1, (FRM_RMM << 5) | FF_OF
    csrw fcsr, a1
    la s0, fp_buf
    li a1, 0x5a5a5a5a5a5a5a5a
    sd a1, 0(s0)
    sd a1, 8(s0)
    SET_FS MSTATUS_FS_OFF
    li a1, 0x3f800000
    CHECK_ILLEGAL 151, flw ft0, 0(s0)
    CHECK_ILLEGAL 152, fld ft0, 8(s0)
    CHECK_ILLEGAL 153, fsw ft0, 0(s0)
    CHECK_ILLEGAL 154, fsd ft0, 8(s0)
    CHECK_ILLEGAL 155, fmv.x.w a0, ft0
    CHECK_ILLEGAL 156, fmv.w.x ft0, a1
    CHECK_ILLEGAL 157, fmv.x.d a0, ft0
    CHECK_ILLEGAL 158, fmv.d.x ft0, a1
    CHECK_ILLEGAL 159, fadd.s ft0, ft0, ft0, rne
    CHECK_ILLEGAL 160, fdiv.d ft0, ft0, ft0, rne
    CHECK_ILLEGAL 161, fmadd.d ft0, ft0, ft0, ft0, rne
    CHECK_ILLEGAL 162, fsgnj.s ft0, ft0, ft0
    CHECK_ILLEGAL 163, fsgnjx.d ft0, ft0, ft0
    CHECK_ILLEGAL 164, fmin.s ft0, ft0, ft0
    CHECK_ILLEGAL 165, fmax.d ft0, ft0, ft0
    CHECK_ILLEGAL 166, feq.s a0, ft0, ft0
    CHECK_ILLEGAL 167, fle.d a0, ft0, ft0
    CHECK_ILLEGAL 168, fclass.s a0, ft0
    CHECK_ILLEGAL 169, fclass.d a0, ft0
    CHECK_ILLEGAL 170, fcvt.w.s a0, ft0, rtz
    CHECK_ILLEGAL 171, fcvt.lu.d a0, ft0, rtz
    CHECK_ILLEGAL 172, fcvt.s.w ft0, a1, rne
    CHECK_ILLEGAL 173, fcvt.d.l ft0, a1, rne
    CHECK_ILLEGAL 174, fcvt.s.d ft0, ft0, rne
    CHECK_ILLEGAL 175, fcvt.d.s ft0, ft0, rne
    CHECK_ILLEGAL 176, csrr a0, fcsr
    CHECK_ILLEGAL 177, csrr a0, frm
    CHECK_ILLEGAL 178, csrr a0, fflags
    CHECK_ILLEGAL 179, csrw fcsr, zero
    CHECK_ILLEGAL 180, csrwi frm, 1
    CHECK_ILLEGAL 181, csrsi fflags, 1
    CHECK_ILLEGAL 182, csrrc a0, fflags, zero
    T_F_ILLEGAL_C 183, c.fld fa0, 0(s0)
    T_F_ILLEGAL_C 184, c.fsd fs0, 8(s0)
    T_F_ILLEGAL_C 185, c.fldsp ft0, 0(sp)
    T_F_ILLEGAL_C 186, c.fsdsp ft0, 8(sp)
    /* nothing was written, and FS = Off kept the FP state */
    ld a0, 0(s0)
    CHECK_EQ a0, 0x5a5a5a5a5a5a5a5a, 187
    ld a0, 8(s0)
    CHECK_EQ a0, 0x5a5a5a5a5a5a5a5a, 188
    csrr a0, mstatus
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, 0, 189
    SET_FS MSTATUS_FS_CLEAN
    fmv.x.d a0, ft0
    CHECK_EQ a0, 0x0123456789abcdef, 190
    fmv.x.d a0, fs0
    CHECK_EQ a0, 0x0123456789abcdef, 191
    fmv.x.d a0, fa0
    CHECK_NE a0, 0x5a5a5a5a5a5a5a5a, 192      /* the C.FLD did not load */
    csrr a0, fcsr
    CHECK_EQ a0, (FRM_RMM << 5) | FF_OF, 193

    /* ---------------- instructions that only read FP state: FS stays or becomes Dirty;
     * SD matches FS either way */
    SET_FS MSTATUS_FS_CLEAN
    fmv.x.w a0, ft0
    CHECK_FS_READONLY mstatus, MSTATUS_FS_CLEAN, 194
    SET_FS MSTATUS_FS_INITIAL
    fsd ft0, 0(s0)
    feq.d a0, ft0, ft0
    fclass.s a0, ft0
    csrr a0, fcsr
    CHECK_FS_READONLY mstatus, MSTATUS_FS_INITIAL, 195

    /* ---------------- anything that modifies the FP state makes FS Dirty, SD = 1 */
    SET_FS MSTATUS_FS_INITIAL
    fmv.w.x ft1, a1
    CHECK_DIRTY mstatus, 196
    SET_FS MSTATUS_FS_CLEAN
    fmv.d.x ft1, a1
    CHECK_DIRTY mstatus, 197
    SET_FS MSTATUS_FS_INITIAL
    flw ft1, 0(s0)
    CHECK_DIRTY mstatus, 198
    SET_FS MSTATUS_FS_CLEAN
    fld ft1, 0(s0)
    CHECK_DIRTY mstatus, 199
    SET_FS MSTATUS_FS_INITIAL
    .option push
    .option rvc
    c.fld fa1, 0(s0)
    .option pop
    CHECK_DIRTY mstatus, 200
    SET_FS MSTATUS_FS_CLEAN
    .option push
    .option rvc
    c.fldsp ft1, 0(sp)
    .option pop
    CHECK_DIRTY mstatus, 201
    SET_FS MSTATUS_FS_INITIAL
    fadd.d ft1, ft0, ft0
    CHECK_DIRTY mstatus, 202
    SET_FS MSTATUS_FS_CLEAN
    fsgnjn.s ft1, ft0, ft0
    CHECK_DIRTY mstatus, 203
    SET_FS MSTATUS_FS_INITIAL
    fcvt.d.w ft1, a1
    CHECK_DIRTY mstatus, 204
    SET_FS MSTATUS_FS_CLEAN
    csrwi fflags, FF_DZ
    CHECK_DIRTY mstatus, 205
    SET_FS MSTATUS_FS_INITIAL
    csrwi frm, FRM_RTZ
    CHECK_DIRTY mstatus, 206
    SET_FS MSTATUS_FS_CLEAN
    csrw fcsr, zero
    CHECK_DIRTY mstatus, 207
    /* an instruction whose only FP effect is raising a flag modifies fcsr (fflags is FP
     * state, "including ... the CSRs fcsr, frm, and fflags"), so FS becomes Dirty too.
     * QEMU 7.2 marks FS Dirty only when an f register or an FP CSR is written by name. */
#ifdef SPEC_STRICT
    li a1, S_SNAN
    fmv.w.x ft2, a1
    SET_FS MSTATUS_FS_INITIAL
    feq.s a0, ft2, ft2                      /* NV */
    CHECK_DIRTY mstatus, 208
    SET_FS MSTATUS_FS_CLEAN
    fcvt.w.s a0, ft2, rtz                   /* NV */
    CHECK_DIRTY mstatus, 209
    SET_FS MSTATUS_FS_INITIAL
    fmv.x.w a0, ft0
    fle.d a0, ft2, ft2                      /* NV, from a read-only instruction */
    CHECK_DIRTY mstatus, 210
    csrr a0, fflags
    CHECK_EQ a0, FF_NV, 211
#endif
    csrw fcsr, zero

    /* ---------------- S-mode: sstatus.FS and SD are the same bits */
    SET_FS MSTATUS_FS_CLEAN
    csrr s1, mstatus
    TO_S
    csrr a0, sstatus
    xor a0, a0, s1
    CHECK_MASK a0, MSTATUS_FS | MSTATUS_SD, 0, 212
    SET_SFS MSTATUS_FS_OFF
    CHECK_ILLEGAL 213, fsub.d ft0, ft0, ft0, rne
    CHECK_ILLEGAL 214, fmv.x.d a0, ft0
    CHECK_ILLEGAL 215, csrr a0, fflags
    T_F_ILLEGAL_C 216, c.fsdsp ft0, 8(sp)
    csrr a0, sstatus
    CHECK_MASK a0, MSTATUS_FS | SSTATUS_SD, 0, 217
    SET_SFS MSTATUS_FS_INITIAL
    fmv.d.x ft1, a1
    CHECK_DIRTY sstatus, 218
    TO_M
    CHECK_DIRTY mstatus, 219

    /* ---------------- U-mode */
    SET_FS MSTATUS_FS_OFF
    TO_U
    CHECK_ILLEGAL 220, fld ft0, 0(s0)
    CHECK_ILLEGAL 221, fcvt.s.l ft0, a1, rne
    CHECK_ILLEGAL 222, csrw frm, zero
    TO_M
    SET_FS MSTATUS_FS_CLEAN
    TO_U
    fmin.s ft1, ft0, ft0
    TO_M
    CHECK_DIRTY mstatus, 223
    /* delegated to S: the same illegal-instruction exception, taken in S */
    li t0, 1 << CAUSE_ILLEGAL_INSN
    csrw medeleg, t0
    SET_FS MSTATUS_FS_OFF
    TO_U
    T_F_ILLEGAL_S 224, flw ft0, 0(s0)
    T_F_ILLEGAL_S 225, fsgnj.d ft0, ft0, ft0
    T_F_ILLEGAL_S 226, csrr a0, fcsr
    TO_M
    csrw medeleg, zero
    SET_FS MSTATUS_FS_DIRTY

    PASS

    .data
    .align 4
fp_buf:
    .space 32
