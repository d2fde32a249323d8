#!/usr/bin/env python3
"""Exact reference for RISC-V F/D arithmetic, used to compute the expected results and
fflags of the programs in Tests/programs-fp (fp-arith-s, fp-arith-d, fp-fma).

It evaluates each operation exactly with rationals and rounds once, as the F and D chapters
of the unprivileged spec require: IEEE 754-2008 results, the five rounding modes, tininess
detected after rounding (UF = tiny and inexact), the canonical NaN for every NaN result
(NV only for a signalling NaN or an invalid operation, including inf*0 + qNaN in an FMA),
and NaN-boxing: a single-precision operand given as 64 bits whose upper half is not all
ones is the canonical (quiet) NaN. Values are raw bit patterns.

Usage: Tests/programs-fp/fpref.py OP FMT RM A [B [C]]
  OP  add sub mul div sqrt madd msub nmsub nmadd     FMT  s | d
  RM  rne rtz rdn rup rmm
  e.g. fpref.py add s rup 0x3f800000 0x33000000   ->   0x3f800001, FF_NX
"""
from fractions import Fraction as Fr
from math import isqrt

FMT = {'s': (8, 23), 'd': (11, 52)}
NV, DZ, OF, UF, NX = 0x10, 8, 4, 2, 1
CNAN = {'s': 0x7fc00000, 'd': 0x7ff8000000000000}

def params(f):
    e, m = FMT[f]; bias = (1 << (e - 1)) - 1
    return e, m, bias, 1 - bias, (1 << e) - 2 - bias

def decode(bits, f):
    e, m, bias, emin, emax = params(f)
    if f == 's' and bits >> 32:
        if bits >> 32 != 0xffffffff: return ('nan', True, 0)
        bits &= 0xffffffff
    s = bits >> (e + m) & 1
    ex = bits >> m & ((1 << e) - 1); fr = bits & ((1 << m) - 1)
    if ex == (1 << e) - 1:
        if fr == 0: return ('inf', s)
        return ('nan', bool(fr >> (m - 1)), s)
    if ex == 0: v = Fr(fr, 1 << m) * Fr(2) ** emin
    else: v = (1 + Fr(fr, 1 << m)) * Fr(2) ** (ex - bias)
    return ('num', s, v)

def enc(f, s, kind, v=None):
    e, m, bias, emin, emax = params(f)
    if kind == 'inf': return s << (e + m) | ((1 << e) - 1) << m
    if v == 0: return s << (e + m)
    ex = v.numerator.bit_length() - v.denominator.bit_length()
    if Fr(2) ** ex > v: ex -= 1
    if ex < emin:
        fr = v / Fr(2) ** emin * (1 << m); assert fr.denominator == 1
        return s << (e + m) | int(fr)
    fr = (v / Fr(2) ** ex - 1) * (1 << m); assert fr.denominator == 1
    return s << (e + m) | (ex + bias) << m | int(fr)

def rnd_int(x, s, rm):
    """round the nonnegative Fraction x to an integer; s = sign of the value"""
    fl = x.numerator // x.denominator; r = x - fl
    if r == 0: return fl
    if rm == 'rtz': return fl
    if rm == 'rdn': return fl + 1 if s else fl
    if rm == 'rup': return fl if s else fl + 1
    if r > Fr(1, 2): return fl + 1
    if r < Fr(1, 2): return fl
    if rm == 'rmm': return fl + 1
    return fl + (fl & 1)

def ilog2(v):
    ex = v.numerator.bit_length() - v.denominator.bit_length()
    if Fr(2) ** ex > v: ex -= 1
    return ex

def round_to(f, s, v, rm):
    """v > 0 exact magnitude -> (bits, flags)"""
    e, m, bias, emin, emax = params(f)
    ex = ilog2(v)
    # unbounded exponent rounding for tininess
    q = Fr(2) ** (ex - m); ru = rnd_int(v / q, s, rm) * q
    tiny = ru < Fr(2) ** emin
    exb = max(ex, emin); q = Fr(2) ** (exb - m)
    r = rnd_int(v / q, s, rm) * q
    flags = 0
    if r != v: flags |= NX
    maxf = (2 - Fr(1, 1 << m)) * Fr(2) ** emax
    if ru > maxf:
        flags |= OF | NX
        to_inf = rm in ('rne', 'rmm') or (rm == 'rup' and not s) or (rm == 'rdn' and s)
        return (enc(f, s, 'inf') if to_inf else enc(f, s, 'num', maxf)), flags
    if tiny and flags & NX: flags |= UF
    return enc(f, s, 'num', r), flags

def result(f, val, rm, zsign):
    """val: signed Fraction exact result; zsign: sign to use if val == 0"""
    if val == 0: return enc(f, zsign, 'num', Fr(0)), 0
    s = 1 if val < 0 else 0
    return round_to(f, s, abs(val), rm)

def sval(d):
    return -d[2] if d[1] else d[2]

def sqrt_fr(y):
    K = 1300
    n = isqrt(y.numerator * 4 ** K // y.denominator)
    r = Fr(n, 2 ** K)
    if r * r != y: r += Fr(1, 2 ** (K + 1))
    return r

def op(name, f, *args, rm='rne'):
    """name: add sub mul div sqrt madd msub nmsub nmadd"""
    ds = [decode(a, f) for a in args]
    nan = CNAN[f]
    snan = any(d[0] == 'nan' and not d[1] for d in ds)
    if name in ('madd', 'msub', 'nmsub', 'nmadd'):
        a, b, c = ds
        inv0 = (a[0] == 'inf' and b[0] == 'num' and b[2] == 0) or (b[0] == 'inf' and a[0] == 'num' and a[2] == 0)
        if inv0: return nan, NV
        if any(d[0] == 'nan' for d in ds): return nan, NV if snan else 0
        ps = a[1] ^ b[1] ^ (name in ('nmsub', 'nmadd'))
        cs = c[1] ^ (name in ('msub', 'nmadd'))
        pinf = a[0] == 'inf' or b[0] == 'inf'
        if pinf and c[0] == 'inf' and ps != cs: return nan, NV
        if pinf: return enc(f, ps, 'inf'), 0
        if c[0] == 'inf': return enc(f, cs, 'inf'), 0
        p = a[2] * b[2]; p = -p if ps else p
        cv = -c[2] if cs else c[2]
        v = p + cv
        if v == 0:
            if p == 0 and cv == 0 and ps == cs: zs = ps
            else: zs = 1 if rm == 'rdn' else 0
            return enc(f, zs, 'num', Fr(0)), 0
        return result(f, v, rm, 0)
    if any(d[0] == 'nan' for d in ds): return nan, NV if snan else 0
    if name == 'sqrt':
        (a,) = ds
        if a[0] == 'inf': return (nan, NV) if a[1] else (enc(f, 0, 'inf'), 0)
        if a[2] == 0: return enc(f, a[1], 'num', Fr(0)), 0
        if a[1]: return nan, NV
        return round_to(f, 0, sqrt_fr(a[2]), rm)
    a, b = ds
    if name in ('add', 'sub'):
        bs = b[1] ^ (name == 'sub')
        if a[0] == 'inf' and b[0] == 'inf':
            return (nan, NV) if a[1] != bs else (enc(f, a[1], 'inf'), 0)
        if a[0] == 'inf': return enc(f, a[1], 'inf'), 0
        if b[0] == 'inf': return enc(f, bs, 'inf'), 0
        av = -a[2] if a[1] else a[2]; bv = -b[2] if bs else b[2]
        v = av + bv
        if v == 0:
            if av == 0 and bv == 0 and a[1] == bs: zs = a[1]
            else: zs = 1 if rm == 'rdn' else 0
            return enc(f, zs, 'num', Fr(0)), 0
        return result(f, v, rm, 0)
    s = a[1] ^ b[1]
    if name == 'mul':
        if (a[0] == 'inf' and b[0] == 'num' and b[2] == 0) or (b[0] == 'inf' and a[0] == 'num' and a[2] == 0): return nan, NV
        if a[0] == 'inf' or b[0] == 'inf': return enc(f, s, 'inf'), 0
        v = a[2] * b[2]
        if v == 0: return enc(f, s, 'num', Fr(0)), 0
        return round_to(f, s, v, rm)
    if name == 'div':
        if a[0] == 'inf' and b[0] == 'inf': return nan, NV
        if a[0] == 'inf': return enc(f, s, 'inf'), 0
        if b[0] == 'inf': return enc(f, s, 'num', Fr(0)), 0
        if b[2] == 0:
            if a[2] == 0: return nan, NV
            return enc(f, s, 'inf'), DZ
        v = a[2] / b[2]
        if v == 0: return enc(f, s, 'num', Fr(0)), 0
        return round_to(f, s, v, rm)
    raise ValueError(name)

def fl(x):
    return '|'.join(n for n, b in (('FF_NV', NV), ('FF_DZ', DZ), ('FF_OF', OF), ('FF_UF', UF), ('FF_NX', NX)) if x & b) or '0'

def show(name, f, *args, rm='rne'):
    b, x = op(name, f, *args, rm=rm)
    w = 8 if f == 's' else 16
    return f'0x{b:0{w}x}, {fl(x)}'


if __name__ == '__main__':
    import sys
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    name, f, rm = sys.argv[1:4]
    print(show(name, f, *(int(a, 0) for a in sys.argv[4:]), rm=rm))
