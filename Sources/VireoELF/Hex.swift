/// Formatting of addresses and sizes in error messages.
enum Hex {
    /// `0x` followed by lower-case hexadecimal digits, no padding.
    static func format(_ value: UInt64) -> String {
        "0x" + String(value, radix: 16)
    }

    static func format(_ value: Int) -> String {
        value < 0 ? "-" + format(value.magnitude) : format(UInt64(value))
    }

    static func format(_ value: UInt) -> String {
        format(UInt64(value))
    }
}
