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

    static func hex(_ v: UInt64) {
        put("0x")
        var started = false
        var shift = 60
        while shift >= 0 {
            let nibble = UInt8((v >> UInt64(shift)) & 0xF)
            if nibble != 0 || started || shift == 0 {
                started = true
                UART.put(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            }
            shift -= 4
        }
    }

    static func dec(_ v: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = v
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buf in
            repeat {
                buf[count] = UInt8(n % 10) + 0x30
                n /= 10
                count += 1
            } while n != 0
            while count > 0 {
                count -= 1
                UART.put(buf[count])
            }
        }
    }

    static func line(_ s: StaticString) {
        put(s)
        UART.put(0x0A)
    }
}

/// Formats numbers into Strings (for reasons kept with a domain).
enum Format {
    static func hex(_ v: UInt64) -> String {
        var s = "0x"
        var started = false
        var shift = 60
        while shift >= 0 {
            let nibble = UInt8((v >> UInt64(shift)) & 0xF)
            if nibble != 0 || started || shift == 0 {
                started = true
                s.append(Character(Unicode.Scalar(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)))
            }
            shift -= 4
        }
        return s
    }

    static func dec(_ v: UInt64) -> String {
        if v == 0 { return "0" }
        var n = v
        var bytes: [UInt8] = []
        while n != 0 {
            bytes.append(UInt8(n % 10) + 0x30)
            n /= 10
        }
        var s = ""
        for b in bytes.reversed() { s.append(Character(Unicode.Scalar(b))) }
        return s
    }
}

extension Format {
    /// Hex digits without "0x" (device-tree unit addresses).
    static func hexDigits(_ v: UInt64) -> String {
        var s = hex(v)
        s.removeFirst(2)
        return s
    }
}

extension Format {
    static func string(_ s: StaticString) -> String {
        s.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
    }
}
