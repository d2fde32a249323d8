/*
 * absent: run with --isa rv64gc (QEMU: -cpu rv64,zba=false,zbb=false,zbc=false,zbs=false;
 * Zfhmin is off by default there): every Zba, Zbb, Zbc, Zbs and Zfhmin instruction is an
 * illegal instruction (cause 2, mtval = its 32 bits, mepc = its address), with mstatus.FS
 * on for the Zfhmin ones. PAUSE and PREFETCH.* still execute: they are HINTs of the base
 * ISA (FENCE and ORI encodings), so a hart without Zihintpause or Zicbop runs them as no-ops.
 * (Built like the other programs of this suite; the board's suite test and
 * tools/build/programs-rva22-unpriv.sh --qemu run it on the narrower hart.)
 */
#include "fp.h"

/* The suite is assembled with the extensions on; here they are off, so that `li` and the
 * other pseudo-instructions of the runtime expand to base instructions (with Zbs, `li` of a
 * single-bit constant is a bseti), and ILL turns them back on for its one instruction. */
.option arch, rv64imafdc_zicsr_zifencei_zihintpause_zicbop

.macro ILL n, insn:vararg
    EXPECT_TRAP .Lil_r\@
.Lil_i\@:
    .option push
    .option arch, +zba, +zbb, +zbc, +zbs, +zfhmin
    \insn
    .option pop
.Lil_r\@:
    CHECK_TRAP 3, CAUSE_ILLEGAL_INSN, \n
    CHECK_ADDR s9, .Lil_i\@, \n
    la s11, .Lil_i\@
    lwu s11, 0(s11)
    beq s10, s11, .Lil_ok\@
    FAIL_N \n
.Lil_ok\@:
.endm

TEST_BEGIN absent
    /* Zba */
    ILL 1, sh1add a0, a1, a2
    ILL 2, sh2add a0, a1, a2
    ILL 3, sh3add a0, a1, a2
    ILL 4, add.uw a0, a1, a2
    ILL 5, sh1add.uw a0, a1, a2
    ILL 6, sh2add.uw a0, a1, a2
    ILL 7, sh3add.uw a0, a1, a2
    ILL 8, slli.uw a0, a1, 3
    /* Zbb */
    ILL 9, andn a0, a1, a2
    ILL 10, orn a0, a1, a2
    ILL 11, xnor a0, a1, a2
    ILL 12, clz a0, a1
    ILL 13, clzw a0, a1
    ILL 14, ctz a0, a1
    ILL 15, ctzw a0, a1
    ILL 16, cpop a0, a1
    ILL 17, cpopw a0, a1
    ILL 18, max a0, a1, a2
    ILL 19, maxu a0, a1, a2
    ILL 20, min a0, a1, a2
    ILL 21, minu a0, a1, a2
    ILL 22, sext.b a0, a1
    ILL 23, sext.h a0, a1
    ILL 24, zext.h a0, a1
    ILL 25, rol a0, a1, a2
    ILL 26, rolw a0, a1, a2
    ILL 27, ror a0, a1, a2
    ILL 28, rori a0, a1, 7
    ILL 29, roriw a0, a1, 7
    ILL 30, rorw a0, a1, a2
    ILL 31, orc.b a0, a1
    ILL 32, rev8 a0, a1
    /* Zbc */
    ILL 33, clmul a0, a1, a2
    ILL 34, clmulh a0, a1, a2
    ILL 35, clmulr a0, a1, a2
    /* Zbs */
    ILL 36, bclr a0, a1, a2
    ILL 37, bclri a0, a1, 63
    ILL 38, bext a0, a1, a2
    ILL 39, bexti a0, a1, 63
    ILL 40, binv a0, a1, a2
    ILL 41, binvi a0, a1, 63
    ILL 42, bset a0, a1, a2
    ILL 43, bseti a0, a1, 63
    /* rd = x0 does not make them HINTs */
    ILL 44, clz x0, a1
    ILL 45, sh1add x0, a1, a2
    /* Zfhmin, with FP on */
    FP_ENABLE
    la s0, scratch
    ILL 46, flh ft0, 0(s0)
    ILL 47, fsh ft0, 0(s0)
    ILL 48, fmv.x.h a0, ft0
    ILL 49, fmv.h.x ft0, a0
    ILL 50, fcvt.s.h ft0, ft1
    ILL 51, fcvt.h.s ft0, ft1
    ILL 52, fcvt.d.h ft0, ft1
    ILL 53, fcvt.h.d ft0, ft1
    /* HINTs still run */
    li a0, 0x800
    pause
    prefetch.i 0(a0)
    prefetch.r 0(a0)
    prefetch.w 0(a0)
    CHECK_EQ a0, 0x800, 54
    PASS

    .data
    .align 4
scratch:
    .space 16
