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

    public init() {}

    private var dlab: Bool { lcr & 0x80 != 0 }

    /// True when a read of `offset` consumes a received byte (RBR with DLAB clear).
    public func readTakesInput(offset: UInt64) -> Bool { offset == 0 && !dlab }

    /// A register read. `input` is the received byte waiting, if any; the caller consumes it
    /// when `readTakesInput(offset:)`.
    public func read(offset: UInt64, input: UInt8?) -> UInt8 {
        switch offset {
        case 0: return dlab ? dll : (input ?? 0)
        case 1: return dlab ? dlm : ier
        case 2: return fcr & 1 != 0 ? 0xC1 : 0x01        // IIR: no interrupt pending
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
            if dlab { dll = value } else { return value }
        case 1:
            if dlab { dlm = value } else { ier = value & 0x0F }
        case 2: fcr = value
        case 3: lcr = value
        case 4: mcr = value & 0x1F
        case 7: scr = value
        default: break
        }
        return nil
    }
}
