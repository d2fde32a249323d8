/// The firmware's own messages on the physical UART: no String interpolation of numbers at
/// call sites, and `hex`/`dec` without allocating (the panic path uses them).
enum Log {
    static func put(_ s: StaticString) {
        s.withUTF8Buffer { for b in $0 { UART.put(b) } }
    }

    static func put(_ s: String) {
        for b in s.utf8 { UART.put(b) }
    }

    static func hex(_ v: UInt64) {
        put("0x")
        Format.hexDigits(v) { UART.put($0) }
    }

    static func dec(_ v: UInt64) { Format.decimalDigits(v) { UART.put($0) } }

    static func line(_ s: StaticString) {
        put(s)
        UART.put(0x0A)
    }
}
