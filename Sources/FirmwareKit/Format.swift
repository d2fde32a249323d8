/// Number formatting for bare metal, digit by digit (`emit`) so that the firmware's panic
/// path needs no allocation, or into Strings.
public enum Format {
    /// Hex digits without leading zeros (at least one).
    public static func hexDigits(_ v: UInt64, _ emit: (UInt8) -> Void) {
        var started = false
        var shift = 60
        while shift >= 0 {
            let nibble = UInt8((v >> UInt64(shift)) & 0xF)
            if nibble != 0 || started || shift == 0 {
                started = true
                emit(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            }
            shift -= 4
        }
    }

    public static func decimalDigits(_ v: UInt64, _ emit: (UInt8) -> Void) {
        var divisor: UInt64 = 1
        while v / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            emit(UInt8((v / divisor) % 10) + 0x30)
            divisor /= 10
        }
    }

    /// "0x1f".
    public static func hex(_ v: UInt64) -> String {
        var s = "0x"
        hexDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }

    /// "31".
    public static func dec(_ v: UInt64) -> String {
        var s = ""
        decimalDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }

    /// Hex digits without "0x" (device-tree unit addresses).
    public static func hexDigits(_ v: UInt64) -> String {
        var s = ""
        hexDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }

    /// `value` per mille of `total` as "12.3" (percent with one decimal).
    public static func percent(_ value: UInt64, of total: UInt64) -> String {
        guard total > 0 else { return "0.0" }
        // Scaled down first when value × 1000 would overflow (no 128-bit division on bare metal).
        var v = value, t = total
        while v > UInt64.max / 1000 { v >>= 1; t >>= 1 }
        guard t > 0 else { return "0.0" }
        let q = v * 1000 / t
        return dec(q / 10) + "." + dec(q % 10)
    }

    public static func string(_ s: StaticString) -> String {
        s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }
}
