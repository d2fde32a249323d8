/// The register file of an NS16550A as a guest sees it (one byte per register,
/// reg-shift 0, as QEMU virt's UART0): what the firmware emulates for each domain. Pure
/// state: the caller moves the bytes to and from the domain's console.
public struct UART16550Registers {
    /// The window the device decodes.
    public static let size: UInt64 = 0x100
    public var lcr: UInt8 = 0x03
    public var ier: UInt8 = 0
    public var mcr: UInt8 = 0
    public var scr: UInt8 = 0
    public var dll: UInt8 = 0x01
    public var dlm: UInt8 = 0
    public var fcr: UInt8 = 0
    /// The transmitter-empty interrupt is pending (16550 datasheet, "Interrupt Identification
    /// Register"): set when THR empties (at once here: a byte is sent the moment it is
    /// written) or when ETBEI is switched on with THR empty; cleared by a read of IIR that
    /// reports it, or by a write to THR.
    public var thrEmptyPending = false

    public init() {}

    /// The IIR value: receive data available (IER.ERBFI and a byte waiting) ranks above
    /// THR empty (IER.ETBEI and `thrEmptyPending`); bits 7:6 show the FIFOs enabled.
    public func interruptIdentification(hasInput: Bool) -> UInt8 {
        let fifo: UInt8 = fcr & 1 != 0 ? 0xC0 : 0
        if ier & 1 != 0 && hasInput { return fifo | 0x04 }
        if ier & 2 != 0 && thrEmptyPending { return fifo | 0x02 }
        return fifo | 0x01
    }

    /// The interrupt line (OUT2 is not required, as in QEMU's 16550).
    public func interruptLine(hasInput: Bool) -> Bool { interruptIdentification(hasInput: hasInput) & 1 == 0 }

    /// The side effect of reading `offset` (after `read`): reading IIR that reported THR
    /// empty acknowledges it.
    public mutating func didRead(offset: UInt64, hasInput: Bool, reported: UInt8) {
        if offset == 2 && reported & 0x0F == 0x02 { thrEmptyPending = false }
    }

    private var dlab: Bool { lcr & 0x80 != 0 }

    /// True when a read of `offset` consumes a received byte (RBR with DLAB clear).
    public func readTakesInput(offset: UInt64) -> Bool { offset == 0 && !dlab }

    /// A register read. `input` is the received byte waiting, if any; the caller consumes it
    /// when `readTakesInput(offset:)`.
    public func read(offset: UInt64, input: UInt8?) -> UInt8 {
        switch offset {
        case 0: return dlab ? dll : (input ?? 0)
        case 1: return dlab ? dlm : ier
        case 2: return interruptIdentification(hasInput: input != nil)
        case 3: return lcr
        case 4: return mcr
        case 5: return 0x60 | (input != nil ? 0x01 : 0)  // LSR: THRE | TEMT | DR
        case 6: return 0xB0                              // MSR: DCD | DSR | CTS
        case 7: return scr
        default: return 0
        }
    }

    /// A register write; returns the byte to transmit, if any.
    public mutating func write(offset: UInt64, value: UInt8) -> UInt8? {
        switch offset {
        case 0:
            if dlab { dll = value } else {
                // Sent at once: THR is empty again.
                thrEmptyPending = true
                return value
            }
        case 1:
            if dlab { dlm = value } else {
                if value & 2 != 0 && ier & 2 == 0 { thrEmptyPending = true }
                ier = value & 0x0F
            }
        case 2: fcr = value
        case 3: lcr = value
        case 4: mcr = value & 0x1F
        case 7: scr = value
        default: break
        }
        return nil
    }
}
