@testable import BoardCore
import Testing

/// The integer IEEE 754 implementation against the host's hardware in round-to-nearest-even
/// (results only; NaNs compare as "a NaN", since ours are canonical), plus hand-checked
/// cases for the other rounding modes and the flags.
@Suite struct SoftFloatTests {
    /// A deterministic stream of interesting bit patterns: random, near-special exponents,
    /// subnormals, zeros, infinities, NaNs.
    struct Patterns: IteratorProtocol {
        var state: UInt64
        let f: FloatFormat
        mutating func next() -> UInt64? {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let r = state >> 11
            let sign: UInt64 = r & 1 == 1 ? f.signBit : 0
            let frac = (r >> 3) & f.fractionMask
            switch (r >> 1) & 7 {
            case 0: return sign | frac  // subnormal or zero
            case 1: return sign | f.infinity | (r & 0x10 == 0 ? 0 : frac)  // inf or NaN
            case 2: return sign | (UInt64(f.bias + Int((r >> 40) & 7) - 3) << UInt64(f.fractionBits)) | frac
            case 3: return sign | (UInt64(f.maxExponent - 1 - Int((r >> 40) & 3)) << UInt64(f.fractionBits)) | frac
            case 4: return sign | (UInt64(1 + Int((r >> 40) & 3)) << UInt64(f.fractionBits)) | frac
            default:
                let e = UInt64((r >> 30) % UInt64(f.maxExponent))
                return sign | (e << UInt64(f.fractionBits)) | frac
            }
        }
    }

    func same(_ ours: UInt64, _ host: Double) -> Bool {
        host.isNaN ? FloatFormat.double.isNaN(ours) && ours == FloatFormat.double.canonicalNaN : ours == host.bitPattern
    }

    func same(_ ours: UInt64, _ host: Float) -> Bool {
        host.isNaN ? ours == FloatFormat.single.canonicalNaN : ours == UInt64(host.bitPattern)
    }

    @Test func doubleMatchesTheHostInNearestEven() {
        var p = Patterns(state: 1, f: .double)
        for _ in 0..<20_000 {
            let a = p.next()!, b = p.next()!, c = p.next()!
            let x = Double(bitPattern: a), y = Double(bitPattern: b), z = Double(bitPattern: c)
            var fl = FloatFlags()
            #expect(same(SoftFloat.add(a, b, .double, .nearestEven, &fl), x + y), "\(x) + \(y)")
            #expect(same(SoftFloat.add(a, b ^ FloatFormat.double.signBit, .double, .nearestEven, &fl), x - y), "\(x) - \(y)")
            #expect(same(SoftFloat.mul(a, b, .double, .nearestEven, &fl), x * y), "\(x) * \(y)")
            #expect(same(SoftFloat.div(a, b, .double, .nearestEven, &fl), x / y), "\(x) / \(y)")
            #expect(same(SoftFloat.sqrt(a, .double, .nearestEven, &fl), x.squareRoot()), "sqrt \(x)")
            #expect(same(SoftFloat.fma(a, b, c, .double, .nearestEven, &fl), z.addingProduct(x, y)), "\(x) * \(y) + \(z)")
        }
    }

    @Test func singleMatchesTheHostInNearestEven() {
        var p = Patterns(state: 7, f: .single)
        for _ in 0..<20_000 {
            let a = p.next()!, b = p.next()!, c = p.next()!
            let x = Float(bitPattern: UInt32(a)), y = Float(bitPattern: UInt32(b)), z = Float(bitPattern: UInt32(c))
            var fl = FloatFlags()
            #expect(same(SoftFloat.add(a, b, .single, .nearestEven, &fl), x + y), "\(x) + \(y)")
            #expect(same(SoftFloat.mul(a, b, .single, .nearestEven, &fl), x * y), "\(x) * \(y)")
            #expect(same(SoftFloat.div(a, b, .single, .nearestEven, &fl), x / y), "\(x) / \(y)")
            #expect(same(SoftFloat.sqrt(a, .single, .nearestEven, &fl), x.squareRoot()), "sqrt \(x)")
            #expect(same(SoftFloat.fma(a, b, c, .single, .nearestEven, &fl), z.addingProduct(x, y)), "\(x) * \(y) + \(z)")
            // Conversions between the formats and to/from integers.
            #expect(same(SoftFloat.convert(a, from: .single, to: .double, .nearestEven, &fl), Double(x)))
            let d = Double(bitPattern: SoftFloat.convert(a, from: .single, to: .double, .nearestEven, &fl))
            #expect(same(SoftFloat.convert(d.bitPattern, from: .double, to: .single, .nearestEven, &fl), Float(d)))
        }
    }

    @Test func integerConversionsMatchTheHost() {
        var p = Patterns(state: 3, f: .double)
        for _ in 0..<20_000 {
            let a = p.next()!
            var fl = FloatFlags()
            let x = Double(bitPattern: a)
            if !x.isNaN && !x.isInfinite && x.magnitude < 9.2e18 {
                #expect(SoftFloat.toInteger(a, .double, bits: 64, signed: true, .towardZero, &fl) == UInt64(bitPattern: Int64(x)))
            }
            let i = a  // as an integer
            #expect(SoftFloat.fromInteger(i, signed: true, .double, .nearestEven, &fl) == Double(Int64(bitPattern: i)).bitPattern)
            #expect(SoftFloat.fromInteger(i, signed: false, .double, .nearestEven, &fl) == Double(i).bitPattern)
            #expect(SoftFloat.fromInteger(i, signed: false, .single, .nearestEven, &fl) == UInt64(Float(i).bitPattern))
        }
    }

    @Test func roundingModesAndFlags() {
        let one = 1.0.bitPattern, three = 3.0.bitPattern
        var fl = FloatFlags()
        // 1/3 in each mode: RNE/RMM/RDN/RTZ give 0x3FD5555555555555, RUP one ulp more.
        for (rm, expected) in [(RoundingMode.nearestEven, 0x3FD5_5555_5555_5555 as UInt64), (.towardZero, 0x3FD5_5555_5555_5555),
                               (.down, 0x3FD5_5555_5555_5555), (.up, 0x3FD5_5555_5555_5556), (.nearestMaxMagnitude, 0x3FD5_5555_5555_5555)] {
            fl = []
            #expect(SoftFloat.div(one, three, .double, rm, &fl) == expected, "\(rm)")
            #expect(fl == .inexact)
        }
        // A tie: 1 + 2^-53 rounds to even (1) in RNE and away (1 + 2^-52) in RMM.
        let tiny = 0x3CA0_0000_0000_0000 as UInt64  // 2^-53
        #expect(SoftFloat.add(one, tiny, .double, .nearestEven, &fl) == one)
        #expect(SoftFloat.add(one, tiny, .double, .nearestMaxMagnitude, &fl) == one + 1)
        // Overflow: to infinity in RNE, to the largest finite value in RTZ; OF|NX either way.
        let big = Double.greatestFiniteMagnitude.bitPattern
        fl = []
        #expect(SoftFloat.add(big, big, .double, .nearestEven, &fl) == Double.infinity.bitPattern)
        #expect(fl == [.overflow, .inexact])
        #expect(SoftFloat.add(big, big, .double, .towardZero, &fl) == big)
        // x − x is −0 when rounding down, +0 otherwise.
        #expect(SoftFloat.add(one, one | FloatFormat.double.signBit, .double, .down, &fl) == FloatFormat.double.signBit)
        #expect(SoftFloat.add(one, one | FloatFormat.double.signBit, .double, .nearestEven, &fl) == 0)
        // Underflow: the smallest normal halved is exact (no UF); a third of it is tiny and inexact.
        let minNormal = Double.leastNormalMagnitude.bitPattern, two = 2.0.bitPattern
        fl = []
        _ = SoftFloat.div(minNormal, two, .double, .nearestEven, &fl)
        #expect(fl.isEmpty)
        _ = SoftFloat.div(minNormal, three, .double, .nearestEven, &fl)
        #expect(fl == [.underflow, .inexact])
        // Tininess after rounding: a value just below the smallest normal that rounds up to it
        // is not tiny (no UF), only inexact.
        // (2 − 2^-62)·2^-1023 rounds up (at 53 bits, unbounded exponent) to 2^-1022: not tiny.
        fl = []
        #expect(SoftFloat.roundPack(false, 0, 0x7FFF_FFFF_FFFF_FFFF, .double, .up, &fl) == minNormal)
        #expect(fl == .inexact)
        // (1 − 2^-53)·2^-1022 is exact at 53 bits but below 2^-1022: tiny, and inexact as a
        // subnormal, so UF (RISC-V detects tininess after rounding).
        fl = []
        #expect(SoftFloat.mul(minNormal, (1 - 0x1p-53).bitPattern, .double, .up, &fl) == minNormal)
        #expect(fl == [.underflow, .inexact])
        // Invalid, divide by zero, signalling NaN.
        fl = []
        #expect(SoftFloat.div(0, 0, .double, .nearestEven, &fl) == FloatFormat.double.canonicalNaN && fl == .invalid)
        fl = []
        #expect(SoftFloat.div(one, 0, .double, .nearestEven, &fl) == Double.infinity.bitPattern && fl == .divideByZero)
        fl = []
        #expect(SoftFloat.add(0x7FF0_0000_0000_0001, one, .double, .nearestEven, &fl) == FloatFormat.double.canonicalNaN && fl == .invalid)
        // Float → integer limits (Unpriv. F table): NaN → max, −inf → min, out of range NV.
        fl = []
        #expect(SoftFloat.toInteger(FloatFormat.double.canonicalNaN, .double, bits: 32, signed: true, .nearestEven, &fl) == 0x7FFF_FFFF)
        #expect(SoftFloat.toInteger(Double(-1e20).bitPattern, .double, bits: 64, signed: true, .nearestEven, &fl) == 1 << 63)
        #expect(SoftFloat.toInteger(Double(-0.4).bitPattern, .double, bits: 32, signed: false, .nearestEven, &fl) == 0)
        fl = []
        #expect(SoftFloat.toInteger(Double(-1.0).bitPattern, .double, bits: 32, signed: false, .nearestEven, &fl) == 0 && fl == .invalid)
        #expect(SoftFloat.toInteger(Double(4294967295.0).bitPattern, .double, bits: 32, signed: false, .nearestEven, &fl) == UInt64.max)  // sign-extended
        fl = []
        #expect(SoftFloat.toInteger(Double(2.5).bitPattern, .double, bits: 64, signed: true, .nearestEven, &fl) == 2 && fl == .inexact)
        #expect(SoftFloat.toInteger(Double(2.5).bitPattern, .double, bits: 64, signed: true, .nearestMaxMagnitude, &fl) == 3)
        #expect(SoftFloat.toInteger(Double(-2.5).bitPattern, .double, bits: 64, signed: true, .down, &fl) == UInt64(bitPattern: -3))
    }
}
