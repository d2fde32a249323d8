/// Helpers for the bit-manipulation instructions (Unpriv. "B" Standard Extension for Bit
/// Manipulation: Zba, Zbb, Zbc, Zbs) that are more than one Swift operator, shared by the
/// interpreter and the tests. The JIT (JIT.swift) emits the same operations as host code.
enum BitManip {
    /// `v` rotated left by `amount` mod 64 (Zbb rol; ror and rori rotate left by −amount).
    @inline(__always)
    static func rotateLeft(_ v: UInt64, _ amount: UInt64) -> UInt64 {
        (v &<< amount) | (v &>> (0 &- amount))
    }

    /// The low word of `v` rotated left by `amount` mod 32 (Zbb rolw, rorw, roriw).
    @inline(__always)
    static func rotateLeft32(_ v: UInt64, _ amount: UInt64) -> UInt32 {
        let w = UInt32(truncatingIfNeeded: v), n = UInt32(truncatingIfNeeded: amount)
        return (w &<< n) | (w &>> (0 &- n))
    }

    /// Zbb orc.b: each byte becomes 0xFF when any of its bits is set, else 0x00.
    @inline(__always)
    static func orcB(_ v: UInt64) -> UInt64 {
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        // Bit 7 of each byte: set iff the byte is nonzero (the add cannot carry out of a byte).
        let nonzero = (((v & low7) &+ low7) | v) & ~low7
        return (nonzero &>> 7) &* 0xFF
    }

    /// Zbc: the 128-bit carry-less product of `a` and `b` (clmul is its low half, clmulh its
    /// high half).
    @inline(never)
    static func clmul(_ a: UInt64, _ b: UInt64) -> (low: UInt64, high: UInt64) {
        var low: UInt64 = 0, high: UInt64 = 0
        var m = b
        while m != 0 {
            let i = UInt64(m.trailingZeroBitCount)
            low ^= a &<< i
            if i != 0 { high ^= a &>> (64 &- i) }
            m &= m &- 1
        }
        return (low, high)
    }

    /// Zbc clmulr: bits 126…63 of the carry-less product.
    @inline(never)
    static func clmulr(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let p = clmul(a, b)
        return (p.high &<< 1) | (p.low &>> 63)
    }
}
