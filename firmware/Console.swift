import _Volatile

/// The physical console: the board's NS16550A (UART0), polled. The firmware prints its own
/// messages here and forwards Dom0's console to it (DESIGN §3 "Consoles").
enum UART {
    nonisolated(unsafe) static var base: UInt = UInt(VirtMap.uart0)

    private static func register(_ offset: UInt) -> VolatileMappedRegister<UInt8> {
        VolatileMappedRegister<UInt8>(unsafeBitPattern: base &+ offset)
    }

    /// 8N1, FIFOs on, no interrupts (the firmware polls).
    static func configure() {
        register(1).store(0)        // IER
        register(3).store(0x03)     // LCR: 8 bits, no parity, 1 stop, DLAB=0
        register(2).store(0x07)     // FCR: enable and clear the FIFOs
    }

    static func put(_ byte: UInt8) {
        while register(5).load() & 0x20 == 0 {}   // LSR.THRE
        register(0).store(byte)
    }

    /// A received byte, or nil when none is waiting (LSR.DR clear).
    static func get() -> UInt8? {
        register(5).load() & 0x01 != 0 ? register(0).load() : nil
    }

    static var hasInput: Bool { register(5).load() & 0x01 != 0 }
}

@_cdecl("putchar")
func putchar(_ c: CInt) -> CInt {
    UART.put(UInt8(truncatingIfNeeded: c))
    return c
}

/// Firmware output helpers: no String interpolation of numbers needed at call sites.
enum Log {
    static func put(_ s: StaticString) {
        s.withUTF8Buffer { for b in $0 { UART.put(b) } }
    }

    static func put(_ s: String) {
        for b in s.utf8 { UART.put(b) }
    }

    /// Without allocating (also used by the panic path).
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

/// Formats numbers, digit by digit (`emit`) or into Strings (for reasons kept with a domain).
enum Format {
    /// Hex digits without leading zeros (at least one).
    static func hexDigits(_ v: UInt64, _ emit: (UInt8) -> Void) {
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

    static func decimalDigits(_ v: UInt64, _ emit: (UInt8) -> Void) {
        var divisor: UInt64 = 1
        while v / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            emit(UInt8((v / divisor) % 10) + 0x30)
            divisor /= 10
        }
    }

    static func hex(_ v: UInt64) -> String {
        var s = "0x"
        hexDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }

    static func dec(_ v: UInt64) -> String {
        var s = ""
        decimalDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }
}

extension Format {
    /// Hex digits without "0x" (device-tree unit addresses).
    static func hexDigits(_ v: UInt64) -> String {
        var s = ""
        hexDigits(v) { s.append(Character(Unicode.Scalar($0))) }
        return s
    }
}

extension Format {
    static func string(_ s: StaticString) -> String {
        s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }
}
