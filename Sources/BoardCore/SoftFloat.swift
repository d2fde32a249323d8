/// IEEE 754-2008 binary32/binary64 arithmetic done in integers, with RISC-V's choices
/// (Unpriv. "F" §Floating-Point Control and Status Register, §NaN Generation and
/// Propagation, §Subnormal Arithmetic): all five rounding modes, the five exception flags,
/// tininess detected after rounding, and every NaN result canonical. Integer arithmetic
/// makes results and flags independent of the host's floating-point unit and its modes.
///
/// Values travel as raw bit patterns (binary32 in the low 32 bits). Internally a finite
/// value is `sig × 2^(exp − bias − 62)`: the significand is held with its leading one at
/// bit 62, leaving room below the format's precision for guard bits and a sticky bit.

/// fflags bits (Unpriv. F, "Accrued exception flag encoding").
struct FloatFlags: OptionSet {
    let rawValue: UInt8
    static let inexact = FloatFlags(rawValue: 1)        // NX
    static let underflow = FloatFlags(rawValue: 2)      // UF
    static let overflow = FloatFlags(rawValue: 4)       // OF
    static let divideByZero = FloatFlags(rawValue: 8)   // DZ
    static let invalid = FloatFlags(rawValue: 16)       // NV
}

/// Rounding modes (Unpriv. F, "Rounding mode encoding"); 7 (dynamic) is resolved by the caller.
enum RoundingMode: UInt8 {
    case nearestEven = 0, towardZero = 1, down = 2, up = 3, nearestMaxMagnitude = 4
}

/// A binary floating-point format.
struct FloatFormat {
    let exponentBits: Int
    let fractionBits: Int

    static let single = FloatFormat(exponentBits: 8, fractionBits: 23)
    static let double = FloatFormat(exponentBits: 11, fractionBits: 52)

    var bias: Int { (1 << (exponentBits - 1)) - 1 }
    var maxExponent: Int { (1 << exponentBits) - 1 }
    var signBit: UInt64 { 1 << UInt64(exponentBits + fractionBits) }
    var fractionMask: UInt64 { (1 << UInt64(fractionBits)) - 1 }
    var canonicalNaN: UInt64 { (UInt64(maxExponent) << UInt64(fractionBits)) | (1 << UInt64(fractionBits - 1)) }
    var infinity: UInt64 { UInt64(maxExponent) << UInt64(fractionBits) }
    var largestFinite: UInt64 { infinity - 1 }

    func sign(_ v: UInt64) -> Bool { v & signBit != 0 }
    func exponent(_ v: UInt64) -> Int { Int((v >> UInt64(fractionBits)) & UInt64(maxExponent)) }
    func fraction(_ v: UInt64) -> UInt64 { v & fractionMask }
    func isNaN(_ v: UInt64) -> Bool { exponent(v) == maxExponent && fraction(v) != 0 }
    func isSignalingNaN(_ v: UInt64) -> Bool { isNaN(v) && v & (1 << UInt64(fractionBits - 1)) == 0 }
    func isInfinity(_ v: UInt64) -> Bool { exponent(v) == maxExponent && fraction(v) == 0 }
    func isZero(_ v: UInt64) -> Bool { v & ~signBit == 0 }
    func zero(_ negative: Bool) -> UInt64 { negative ? signBit : 0 }
    func inf(_ negative: Bool) -> UInt64 { infinity | (negative ? signBit : 0) }

    /// A finite nonzero value as (exponent, significand with the leading one at bit 62).
    func unpack(_ v: UInt64) -> (exp: Int, sig: UInt64) {
        var e = exponent(v)
        var sig = fraction(v)
        if e == 0 { e = 1 } else { sig |= 1 << UInt64(fractionBits) }
        let shift = sig.leadingZeroBitCount - 1
        // value = sig·2^(e − bias − fractionBits) = (sig << shift)·2^(e' − bias − 62)
        return (e - fractionBits - shift + 62, sig << UInt64(shift))
    }
}

/// Shifts right, ORing every bit shifted out into bit 0 (the sticky bit).
@inline(__always)
func shiftRightJam(_ v: UInt64, _ n: Int) -> UInt64 {
    if n <= 0 { return v }
    if n >= 64 { return v != 0 ? 1 : 0 }
    return (v >> UInt64(n)) | (v << UInt64(64 - n) != 0 ? 1 : 0)
}

@inline(__always)
func shiftRightJam(_ v: UInt128, _ n: Int) -> UInt128 {
    if n <= 0 { return v }
    if n >= 128 { return v != 0 ? 1 : 0 }
    return (v >> UInt128(n)) | (v << UInt128(128 - n) != 0 ? 1 : 0)
}

enum SoftFloat {
    /// Rounds `sig × 2^(exp − bias − 62)` (any nonzero sig; low bits are sticky) to `f`
    /// in mode `rm`, raising NX, UF (tiny after rounding and inexact) and OF.
    static func roundPack(_ sign: Bool, _ exp: Int, _ sig: UInt64, _ f: FloatFormat, _ rm: RoundingMode,
                          _ flags: inout FloatFlags) -> UInt64 {
        if sig == 0 { return f.zero(sign) }
        var e = exp
        var s = sig
        if s >> 63 != 0 {
            s = shiftRightJam(s, 1)
            e += 1
        } else {
            let lz = s.leadingZeroBitCount - 1
            s <<= UInt64(lz)
            e -= lz
        }
        let drop = 62 - f.fractionBits  // bits below the precision
        let half: UInt64 = 1 << UInt64(drop - 1)
        let mask: UInt64 = (1 << UInt64(drop)) - 1
        func increment(_ bits: UInt64, _ lsb: Bool) -> Bool {
            switch rm {
            case .nearestEven: return bits > half || (bits == half && lsb)
            case .nearestMaxMagnitude: return bits >= half
            case .towardZero: return false
            case .down: return sign && bits != 0
            case .up: return !sign && bits != 0
            }
        }
        var tiny = false
        if e < 1 {
            // Tininess after rounding: would the result, rounded with an unbounded exponent
            // range, still be below the smallest normal?
            if e < 0 {
                tiny = true
            } else {
                let up = increment(s & mask, (s >> UInt64(drop)) & 1 != 0)
                let rounded = (s >> UInt64(drop)) + (up ? 1 : 0)
                tiny = rounded >> UInt64(f.fractionBits + 1) == 0
            }
            s = shiftRightJam(s, 1 - e)
            e = 1
        }
        let roundBits = s & mask
        var result = (s >> UInt64(drop)) + (increment(roundBits, (s >> UInt64(drop)) & 1 != 0) ? 1 : 0)
        if roundBits != 0 {
            flags.insert(.inexact)
            if tiny { flags.insert(.underflow) }
        }
        if result >> UInt64(f.fractionBits + 1) != 0 {  // rounding carried into a new binade
            result >>= 1
            e += 1
        }
        if result >> UInt64(f.fractionBits) == 0 {
            e = 0  // subnormal (or zero)
        }
        if e >= f.maxExponent {
            flags.insert([.overflow, .inexact])
            let toInfinity: Bool
            switch rm {
            case .nearestEven, .nearestMaxMagnitude: toInfinity = true
            case .towardZero: toInfinity = false
            case .down: toInfinity = sign
            case .up: toInfinity = !sign
            }
            return toInfinity ? f.inf(sign) : f.largestFinite | (sign ? f.signBit : 0)
        }
        return (sign ? f.signBit : 0) | (UInt64(e) << UInt64(f.fractionBits)) | (result & f.fractionMask)
    }

    /// The NaN result of an operation on NaN operands: canonical, NV if any is signalling.
    static func propagateNaN(_ f: FloatFormat, _ operands: UInt64..., flags: inout FloatFlags) -> UInt64 {
        if operands.contains(where: { f.isSignalingNaN($0) }) { flags.insert(.invalid) }
        return f.canonicalNaN
    }

    // MARK: Arithmetic

    static func add(_ a: UInt64, _ b: UInt64, _ f: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        if f.isNaN(a) || f.isNaN(b) { return propagateNaN(f, a, b, flags: &flags) }
        let sa = f.sign(a), sb = f.sign(b)
        if f.isInfinity(a) || f.isInfinity(b) {
            if f.isInfinity(a) && f.isInfinity(b) && sa != sb {
                flags.insert(.invalid)
                return f.canonicalNaN
            }
            return f.isInfinity(a) ? a : b
        }
        if f.isZero(a) && f.isZero(b) {
            // +0 + −0 is +0 except when rounding down (Std. 754 §6.3).
            return sa == sb ? a : f.zero(rm == .down)
        }
        if f.isZero(a) { return b }
        if f.isZero(b) { return a }
        var (ea, ma) = f.unpack(a)
        var (eb, mb) = f.unpack(b)
        var signA = sa, signB = sb
        // Larger magnitude first.
        if ea < eb || (ea == eb && ma < mb) {
            swap(&ea, &eb); swap(&ma, &mb); swap(&signA, &signB)
        }
        mb = shiftRightJam(mb, ea - eb)
        if signA == signB {
            return roundPack(signA, ea, ma + mb, f, rm, &flags)
        }
        let diff = ma - mb
        if diff == 0 { return f.zero(rm == .down) }
        return roundPack(signA, ea, diff, f, rm, &flags)
    }

    static func mul(_ a: UInt64, _ b: UInt64, _ f: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        if f.isNaN(a) || f.isNaN(b) { return propagateNaN(f, a, b, flags: &flags) }
        let sign = f.sign(a) != f.sign(b)
        if f.isInfinity(a) || f.isInfinity(b) {
            if f.isZero(a) || f.isZero(b) {
                flags.insert(.invalid)
                return f.canonicalNaN
            }
            return f.inf(sign)
        }
        if f.isZero(a) || f.isZero(b) { return f.zero(sign) }
        let (ea, ma) = f.unpack(a)
        let (eb, mb) = f.unpack(b)
        // ma·mb < 2^126: keep the top 63 bits with the rest as sticky.
        let p = UInt128(ma) * UInt128(mb)
        let sig = UInt64(truncatingIfNeeded: shiftRightJam(p, 62))
        return roundPack(sign, ea + eb - f.bias, sig, f, rm, &flags)
    }

    static func div(_ a: UInt64, _ b: UInt64, _ f: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        if f.isNaN(a) || f.isNaN(b) { return propagateNaN(f, a, b, flags: &flags) }
        let sign = f.sign(a) != f.sign(b)
        if f.isInfinity(a) {
            if f.isInfinity(b) { flags.insert(.invalid); return f.canonicalNaN }
            return f.inf(sign)
        }
        if f.isInfinity(b) { return f.zero(sign) }
        if f.isZero(b) {
            if f.isZero(a) { flags.insert(.invalid); return f.canonicalNaN }
            flags.insert(.divideByZero)
            return f.inf(sign)
        }
        if f.isZero(a) { return f.zero(sign) }
        let (ea, ma) = f.unpack(a)
        let (eb, mb) = f.unpack(b)
        // q = ma·2^64 / mb, with ma/mb in (1/2, 2): q < 2^65, so shift by 63 if ma ≥ mb.
        let wide = ma >= mb
        let n = UInt128(ma) << (wide ? 63 : 64)
        let (q, r) = n.quotientAndRemainder(dividingBy: UInt128(mb))
        let sig = UInt64(truncatingIfNeeded: q) | (r != 0 ? 1 : 0)
        return roundPack(sign, ea - eb + f.bias - (wide ? 1 : 2), sig, f, rm, &flags)
    }

    static func sqrt(_ a: UInt64, _ f: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        if f.isNaN(a) { return propagateNaN(f, a, flags: &flags) }
        if f.isZero(a) { return a }  // √±0 = ±0
        if f.sign(a) { flags.insert(.invalid); return f.canonicalNaN }
        if f.isInfinity(a) { return a }
        let (e, m) = f.unpack(a)
        // value = m·2^(e − bias − 62); make the power of two even, then take an integer root
        // of a 126/127-bit number.
        var t = e - f.bias - 62 - 64
        var n = UInt128(m) << 64
        if t & 1 != 0 { n = UInt128(m) << 63; t += 1 }
        var root = UInt128(Double(n).squareRoot())
        while root * root > n { root -= 1 }
        while (root + 1) * (root + 1) <= n { root += 1 }
        let sig = UInt64(truncatingIfNeeded: root) | (root * root != n ? 1 : 0)
        return roundPack(false, t / 2 + f.bias + 62, sig, f, rm, &flags)
    }

    /// a × b + c with a single rounding (FMADD; the other forms negate operands first).
    static func fma(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ f: FloatFormat, _ rm: RoundingMode,
                    _ flags: inout FloatFlags) -> UInt64 {
        if f.isNaN(a) || f.isNaN(b) || f.isNaN(c) {
            // ∞ × 0 + NaN is invalid too (Unpriv. F "Single-Precision Fused Multiply-Add").
            if (f.isInfinity(a) && f.isZero(b)) || (f.isZero(a) && f.isInfinity(b)) { flags.insert(.invalid) }
            return propagateNaN(f, a, b, c, flags: &flags)
        }
        let sp = f.sign(a) != f.sign(b)
        let sc = f.sign(c)
        if f.isInfinity(a) || f.isInfinity(b) {
            if f.isZero(a) || f.isZero(b) { flags.insert(.invalid); return f.canonicalNaN }
            if f.isInfinity(c) && sc != sp { flags.insert(.invalid); return f.canonicalNaN }
            return f.inf(sp)
        }
        if f.isInfinity(c) { return c }
        let productZero = f.isZero(a) || f.isZero(b)
        if productZero {
            if f.isZero(c) { return sp == sc ? f.zero(sp) : f.zero(rm == .down) }
            return c
        }
        let (ea, ma) = f.unpack(a)
        let (eb, mb) = f.unpack(b)
        // Product: ma·mb (< 2^126) in units of 2^(ea + eb − 2·bias − 124).
        var pm = UInt128(ma) * UInt128(mb)
        var pe = ea + eb - f.bias  // exponent scale of the product: value = pm·2^(pe − bias − 124)
        if f.isZero(c) {
            return roundPack(sp, pe, UInt64(truncatingIfNeeded: shiftRightJam(pm, 62)), f, rm, &flags)
        }
        let (ec, mc) = f.unpack(c)
        // c in the same units: mc·2^62 with exponent ec.
        var cm = UInt128(mc) << 62
        var ce = ec
        var signP = sp, signC = sc
        // Both mantissas with their leading one at bit 125, so that (exponent, mantissa)
        // orders magnitudes.
        if pm >> 125 == 0 { pm <<= 1; pe -= 1 }
        cm <<= 1
        ce -= 1
        // Align to the larger exponent (the sums of 126-bit values stay below 2^127).
        if pe < ce || (pe == ce && pm < cm) {
            swap(&pm, &cm); swap(&pe, &ce); swap(&signP, &signC)
        }
        cm = shiftRightJam(cm, pe - ce)
        let total: UInt128
        let sign: Bool
        if signP == signC {
            total = pm + cm
            sign = signP
        } else {
            total = pm - cm
            sign = signP
            if total == 0 { return f.zero(rm == .down) }
        }
        // Reduce to 64 bits (sticky) keeping the value: sig·2^(e − bias − 62).
        let width = 128 - total.leadingZeroBitCount
        let shift = max(0, width - 63)
        let sig = UInt64(truncatingIfNeeded: shiftRightJam(total, shift))
        return roundPack(sign, pe - 62 + shift, sig, f, rm, &flags)
    }

    // MARK: Conversions

    /// Float to a 32- or 64-bit integer (FCVT.W/WU/L/LU): rounds in `rm`; NaN, infinities
    /// and out-of-range values raise NV and give the spec's limits (Unpriv. F, table
    /// "Domains of float-to-integer conversions"). 32-bit results are sign-extended.
    static func toInteger(_ a: UInt64, _ f: FloatFormat, bits: Int, signed: Bool, _ rm: RoundingMode,
                          _ flags: inout FloatFlags) -> UInt64 {
        let maxValue: UInt64 = signed ? (UInt64(1) << UInt64(bits - 1)) - 1 : (bits == 64 ? .max : (UInt64(1) << UInt64(bits)) - 1)
        let minValue: UInt64 = signed ? (UInt64(1) << UInt64(bits - 1)) : 0  // magnitude of the most negative
        func result(_ v: UInt64) -> UInt64 {
            bits == 32 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) : v
        }
        let negative = f.sign(a)
        if f.isNaN(a) { flags.insert(.invalid); return result(maxValue) }
        if f.isInfinity(a) {
            flags.insert(.invalid)
            return result(negative ? (signed ? 0 &- minValue : 0) : maxValue)
        }
        if f.isZero(a) { return 0 }
        let (e, m) = f.unpack(a)
        // value = m·2^(e − bias − 62)
        let shift = e - f.bias - 62
        var magnitude: UInt64
        var inexact = false
        var overflow = false
        if shift >= 0 {
            if shift > 1 || m.leadingZeroBitCount < shift { overflow = true; magnitude = .max } else { magnitude = m << UInt64(shift) }
        } else {
            let down = -shift
            let integer = down >= 64 ? 0 : m >> UInt64(down)
            let rest = down >= 64 ? m : m & ((1 << UInt64(down)) - 1)
            let half: UInt64 = down > 64 ? 0 : (down == 64 ? 1 << 63 : 1 << UInt64(down - 1))
            inexact = rest != 0
            var up = false
            switch rm {
            case .nearestEven: up = down <= 64 && (rest > half || (rest == half && integer & 1 == 1))
            case .nearestMaxMagnitude: up = down <= 64 && rest >= half
            case .towardZero: up = false
            case .down: up = negative && inexact
            case .up: up = !negative && inexact
            }
            magnitude = integer + (up ? 1 : 0)
        }
        if !overflow {
            if negative {
                overflow = magnitude > minValue || (!signed && magnitude > 0)
            } else {
                overflow = magnitude > maxValue
            }
        }
        if overflow {
            flags.insert(.invalid)
            return result(negative ? (signed ? 0 &- minValue : 0) : maxValue)
        }
        if inexact { flags.insert(.inexact) }
        return result(negative ? 0 &- magnitude : magnitude)
    }

    /// A 64-bit integer (signed or not) to a float (FCVT.S/D.W/WU/L/LU), rounded in `rm`.
    static func fromInteger(_ v: UInt64, signed: Bool, _ f: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        let negative = signed && Int64(bitPattern: v) < 0
        let magnitude = negative ? 0 &- v : v
        if magnitude == 0 { return 0 }
        return roundPack(negative, f.bias + 62, magnitude, f, rm, &flags)
    }

    /// Between formats (FCVT.S.D, FCVT.D.S): NaNs become canonical (NV if signalling).
    static func convert(_ a: UInt64, from: FloatFormat, to: FloatFormat, _ rm: RoundingMode, _ flags: inout FloatFlags) -> UInt64 {
        if from.isNaN(a) {
            if from.isSignalingNaN(a) { flags.insert(.invalid) }
            return to.canonicalNaN
        }
        let sign = from.sign(a)
        if from.isInfinity(a) { return to.inf(sign) }
        if from.isZero(a) { return to.zero(sign) }
        let (e, m) = from.unpack(a)
        return roundPack(sign, e - from.bias + to.bias, m, to, rm, &flags)
    }

    // MARK: Comparisons and classification

    /// FEQ (quiet: NV only for signalling NaNs), FLT and FLE (signalling: NV for any NaN).
    static func compare(_ a: UInt64, _ b: UInt64, _ f: FloatFormat, _ op: Int, _ flags: inout FloatFlags) -> Bool {
        if f.isNaN(a) || f.isNaN(b) {
            if op == 2 {  // FEQ
                if f.isSignalingNaN(a) || f.isSignalingNaN(b) { flags.insert(.invalid) }
            } else {
                flags.insert(.invalid)
            }
            return false
        }
        let equal = a == b || (f.isZero(a) && f.isZero(b))
        if op == 2 { return equal }
        let less = lessThan(a, b, f)
        return op == 1 ? less : less || equal  // 1 = FLT, 0 = FLE
    }

    /// a < b for non-NaN values (−0 = +0).
    static func lessThan(_ a: UInt64, _ b: UInt64, _ f: FloatFormat) -> Bool {
        if f.isZero(a) && f.isZero(b) { return false }
        let sa = f.sign(a), sb = f.sign(b)
        if sa != sb { return sa }
        let ma = a & ~f.signBit, mb = b & ~f.signBit
        return sa ? ma > mb : ma < mb
    }

    /// FMIN/FMAX (IEEE 754-2019 minimumNumber/maximumNumber): −0 < +0; one NaN gives the
    /// other operand; two give the canonical NaN; signalling NaNs raise NV.
    static func minMax(_ a: UInt64, _ b: UInt64, _ f: FloatFormat, max: Bool, _ flags: inout FloatFlags) -> UInt64 {
        if f.isSignalingNaN(a) || f.isSignalingNaN(b) { flags.insert(.invalid) }
        let na = f.isNaN(a), nb = f.isNaN(b)
        if na && nb { return f.canonicalNaN }
        if na { return b }
        if nb { return a }
        if f.isZero(a) && f.isZero(b) {
            let aNegative = f.sign(a)
            return max ? (aNegative ? b : a) : (aNegative ? a : b)
        }
        let less = lessThan(a, b, f)
        return max ? (less ? b : a) : (less ? a : b)
    }

    /// FCLASS: one bit of ten (Unpriv. F, "Format of result of FCLASS instruction").
    static func classify(_ a: UInt64, _ f: FloatFormat) -> UInt64 {
        let negative = f.sign(a)
        if f.isInfinity(a) { return negative ? 1 << 0 : 1 << 7 }
        if f.isNaN(a) { return f.isSignalingNaN(a) ? 1 << 8 : 1 << 9 }
        if f.isZero(a) { return negative ? 1 << 3 : 1 << 4 }
        if f.exponent(a) == 0 { return negative ? 1 << 2 : 1 << 5 }
        return negative ? 1 << 1 : 1 << 6
    }
}
