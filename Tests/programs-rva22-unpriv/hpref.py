#!/usr/bin/env python3
"""Reference for zfhmin-cvt.S: the expected results and fflags of every Zfhmin conversion check,
computed with the exact rational rounding of Tests/programs-fp/fpref.py (binary16 added:
5 exponent bits, 10 fraction bits; tininess after rounding; canonical NaN 0x7e00; an
improperly NaN-boxed half or single operand is the canonical NaN). Writes zfhmin-cvt.S.

Usage: Tests/programs-rva22-unpriv/hpref.py
"""
import os, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'programs-fp'))
import fpref
from fpref import Fr, NV, OF, UF, NX
fpref.FMT['h'] = (5, 10)
CN = {'h': 0x7e00, 's': 0x7fc00000, 'd': 0x7ff8000000000000}
WIDTH = {'h': 16, 's': 32, 'd': 64}
BOX = {'h': 0xFFFFFFFFFFFF0000, 's': 0xFFFFFFFF00000000, 'd': 0}

def operand(raw, f):
    """raw 64-bit register -> the value's bits, or None when improperly boxed"""
    if f == 'd': return raw
    if raw & BOX[f] != BOX[f]: return None
    return raw & ((1 << WIDTH[f]) - 1)

def convert(raw, src, dst, rm):
    """the 64-bit destination register and fflags of FCVT.dst.src"""
    bits = operand(raw, src)
    if bits is None: return BOX[dst] | CN[dst], 0
    d = fpref.decode(bits, src)
    if d[0] == 'nan': return BOX[dst] | CN[dst], (0 if d[1] else NV)
    if d[0] == 'inf': return BOX[dst] | fpref.enc(dst, d[1], 'inf'), 0
    if d[2] == 0: return BOX[dst] | fpref.enc(dst, d[1], 'num', Fr(0)), 0
    r, fl = fpref.round_to(dst, d[1], d[2], rm)
    return BOX[dst] | r, fl

def flags(fl):
    names = [(NV, 'FF_NV'), (8, 'FF_DZ'), (OF, 'FF_OF'), (UF, 'FF_UF'), (NX, 'FF_NX')]
    s = '|'.join(n for b, n in names if fl & b)
    return s or '0'

RMS = ['rne', 'rtz', 'rdn', 'rup', 'rmm']
# Narrowing sources (single, double), as 64-bit registers (singles boxed unless noted).
S = lambda b: 0xFFFFFFFF00000000 | b
H = lambda b: 0xFFFFFFFFFFFF0000 | b
NARROW_S = [S(0x3f800000), S(0xbf800000), S(0x3f801000), S(0xbf801000), S(0x3f803000), S(0x3f800c00),
            S(0x477fe000), S(0x477ff000), S(0xc77ff000), S(0x501502f9), S(0x33800000), S(0x33000000),
            S(0x33c00000), S(0x387fc000), S(0x387ff000), S(0x38800000), S(0x00000001), S(0x80000000),
            S(0x7f800000), S(0xff800000), S(0x7fc00000), S(0x7f800001), S(0xffc12345), 0x000000003f800000]
NARROW_D = [0x3ff0000000000000, 0x3ff0020000000000, 0x3ff0020000000001, 0xbff0020000000000,
            0x40effc0000000000, 0x40effe0000000000, 0x40effdffffffffff, 0x3e70000000000000,
            0x3e60000000000000, 0x3e60000000000001, 0x3f0ff80000000000, 0x0000000000000001,
            0x8000000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 0x7ff0000000000001,
            0xfff8000000000123, 0xffffffff3f800000]
WIDEN = [H(0x3c00), H(0xbc00), H(0x0001), H(0x03ff), H(0x0400), H(0x7bff), H(0xfbff), H(0x7c00),
         H(0xfc00), H(0x7e00), H(0x7c01), H(0xfe55), H(0x8000), H(0x0000), H(0x3555),
         0x0000000000003c00, 0xFFFFFFFF00003c00, 0x7FFFFFFFFFFF3c00, 0x0000000000007c01]

def checks():
    out, n = [], [1]
    def emit(line):
        out.append(line.replace('@N', str(n[0]))); n[0] += 1
    out.append("    /* ---------------- FCVT.H.S: every rounding mode (the same value, then the next) */")
    for a in NARROW_S:
        for rm in RMS:
            r, fl = convert(a, 's', 'h', rm)
            # only one mode for values whose conversion is exact or special in all modes
            emit(f"    T_CVT fcvt.h.s, {a:#x}, {rm}, {r:#x}, {flags(fl)}, @N")
            if not fl & (NX | OF) and rm == 'rne': break
    out.append("\n    /* ---------------- FCVT.H.D */")
    for a in NARROW_D:
        for rm in RMS:
            r, fl = convert(a, 'd', 'h', rm)
            emit(f"    T_CVT fcvt.h.d, {a:#x}, {rm}, {r:#x}, {flags(fl)}, @N")
            if not fl & (NX | OF) and rm == 'rne': break
    out.append("\n    /* ---------------- FCVT.S.H and FCVT.D.H: exact; NaNs canonical, NV for sNaN; unboxed -> NaN */")
    for a in WIDEN:
        r, fl = convert(a, 'h', 's', 'rne')
        emit(f"    T_CVT fcvt.s.h, {a:#x}, none, {r:#x}, {flags(fl)}, @N")
        r, fl = convert(a, 'h', 'd', 'rne')
        emit(f"    T_CVT fcvt.d.h, {a:#x}, none, {r:#x}, {flags(fl)}, @N")
    out.append("\n    /* ---------------- dyn: frm decides */")
    for frm, rm in enumerate(RMS):
        a = S(0x3f801000) if frm % 2 == 0 else S(0xbf803000)
        r, fl = convert(a, 's', 'h', rm)
        out.append(f"    FP_SET_FRM {frm}")
        emit(f"    T_CVT fcvt.h.s, {a:#x}, dyn, {r:#x}, {flags(fl)}, @N")
    out.append("    FP_SET_FRM 0")
    return out, n[0]

HEADER = """/*
 * zfhmin-cvt: Zfhmin's conversions (Unpriv. "Zfh" chapter: "Half-Precision Conversion and
 * Move Instructions", as kept by "Zfhmin"): FCVT.H.S and FCVT.H.D in each rounding mode (ties,
 * overflow to inf or the largest finite by mode and sign with OF only when the
 * unbounded-exponent result overflows, underflow with tininess after rounding, subnormal
 * results, NaN -> canonical 0x7e00 with NV only for a signalling NaN, an unboxed single
 * operand -> NaN), FCVT.S.H and FCVT.D.H (exact: subnormal halves normalised, NaNs
 * canonical, an improperly NaN-boxed half operand -> canonical NaN without NV), and rm = dyn.
 * Each check loads the 64-bit source register, runs one instruction and compares the whole
 * destination register (half results NaN-boxed to 64 bits) and the exact fflags.
 * Generated by Tests/programs-rva22-unpriv/hpref.py from fpref.py's exact rounding; do not edit.
 */
#include "fp.h"

/* op ft3, ft0[, rm]; ft0 = the 64 bits a; expect ft3 = the 64 bits exp, fflags = fl */
.macro T_CVT op, a, rm, exp, fl, n
    li s11, \\a
    fmv.d.x ft0, s11
    csrwi fflags, 0
.ifc \\rm,none
    \\op ft3, ft0
.else
    \\op ft3, ft0, \\rm
.endif
    fmv.x.d a4, ft3
    csrrw a5, fflags, zero
    li s11, \\exp
    bne a4, s11, .Lbad\\@
    li s11, \\fl
    beq a5, s11, .Lok\\@
.Lbad\\@:
    mv a0, a4
    mv a1, a5
    jal fp_report
    FAIL_N \\n
.Lok\\@:
.endm

TEST_BEGIN zfhmin-cvt
    FP_ENABLE

"""

def main():
    lines, n = checks()
    assert n <= 254, n
    with open(os.path.join(here, 'zfhmin-cvt.S'), 'w') as f:
        f.write(HEADER + "\n".join(lines) + "\n\n    PASS\n")
    print(f"zfhmin-cvt.S: {n - 1} checks")

if __name__ == '__main__':
    main()
