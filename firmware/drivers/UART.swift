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

    /// Receive interrupts on (IER.ERBFI): domain 0's console input wakes it.
    static func enableReceiveInterrupt() { register(1).store(0x01) }

    static var hasInput: Bool { register(5).load() & 0x01 != 0 }
}

@_cdecl("putchar")
func putchar(_ c: CInt) -> CInt {
    UART.put(UInt8(truncatingIfNeeded: c))
    return c
}
