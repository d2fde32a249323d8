import Shim

/// A decoded guest load or store that faulted on an emulated device (Priv. §18.6.3
/// "Transformed Instruction or Pseudoinstruction for mtinst or htinst").
struct MMIOAccess {
    var isStore: Bool
    /// Access width in bytes (1, 2, 4, 8).
    var width: UInt64
    var signExtend: Bool
    /// rd for a load, rs2 for a store.
    var register: Int
    /// Length of the original instruction (2 or 4), to step over it.
    var length: UInt64

    /// Decodes a standard or compressed load/store. Transformed instructions from htinst
    /// have the same fields, with bit 1 clear when the original was compressed.
    static func decode(_ insn: UInt64, transformed: Bool) -> MMIOAccess? {
        if insn & 3 == 3 || (transformed && insn & 3 == 1) {
            let opcode = insn & 0x7F | 3
            let funct3 = (insn >> 12) & 7
            let length: UInt64 = insn & 3 == 3 ? 4 : 2
            switch opcode {
            case 0x03 where funct3 != 7:
                return MMIOAccess(isStore: false, width: 1 << (funct3 & 3), signExtend: funct3 < 4,
                                  register: Int((insn >> 7) & 31), length: length)
            case 0x23 where funct3 < 4:
                return MMIOAccess(isStore: true, width: 1 << funct3, signExtend: false,
                                  register: Int((insn >> 20) & 31), length: length)
            default:
                return nil
            }
        }
        // Compressed, quadrant 0: C.LW, C.LD, C.SW, C.SD with x8–x15 (Unpriv. §16.3).
        guard insn & 3 == 0 else { return nil }
        let funct3 = (insn >> 13) & 7
        let reg = Int((insn >> 2) & 7) + 8
        switch funct3 {
        case 2: return MMIOAccess(isStore: false, width: 4, signExtend: true, register: reg, length: 2)
        case 3: return MMIOAccess(isStore: false, width: 8, signExtend: false, register: reg, length: 2)
        case 6: return MMIOAccess(isStore: true, width: 4, signExtend: false, register: reg, length: 2)
        case 7: return MMIOAccess(isStore: true, width: 8, signExtend: false, register: reg, length: 2)
        default: return nil
        }
    }

    /// The faulting instruction: htinst when the hart supplied a transformed load/store,
    /// otherwise the guest's code read with HLVX (two-stage translated as the guest sees it).
    static func fetch(tinst: UInt64, pc: UInt64) -> MMIOAccess? {
        if tinst != 0 {
            // Pseudoinstructions (bits 1:0 = 00 with a nonzero value) mean the fault was an
            // implicit access of the guest's own page walk, never a device access.
            guard tinst & 1 == 1 else { return nil }
            return decode(tinst, transformed: true)
        }
        var low: UInt64 = 0
        guard guarded_hlvx_hu(pc, &low) == 0 else { return nil }
        var insn = low
        if low & 3 == 3 {
            var high: UInt64 = 0
            guard guarded_hlvx_hu(pc &+ 2, &high) == 0 else { return nil }
            insn |= high << 16
        }
        return decode(insn, transformed: false)
    }
}

/// The 16550A a guest sees at 0x1000_0000, emulated register by register (trap on every
/// access; no interrupts yet). Transmit goes to the domain's console; Dom0 receives the
/// physical UART's input.
struct VirtualUART {
    static let base: UInt64 = VirtMap.uart0
    static let size: UInt64 = 0x100
    var lcr: UInt8 = 0x03
    var ier: UInt8 = 0
    var mcr: UInt8 = 0
    var scr: UInt8 = 0
    var dll: UInt8 = 0x01
    var dlm: UInt8 = 0
    var fcr: UInt8 = 0

    private var dlab: Bool { lcr & 0x80 != 0 }

    /// A register read; `input` supplies a received byte if the domain has one.
    mutating func read(offset: UInt64, inputReady: Bool, take: () -> UInt8) -> UInt8 {
        switch offset {
        case 0: return dlab ? dll : (inputReady ? take() : 0)
        case 1: return dlab ? dlm : ier
        case 2: return fcr & 1 != 0 ? 0xC1 : 0x01        // IIR: no interrupt pending
        case 3: return lcr
        case 4: return mcr
        case 5: return 0x60 | (inputReady ? 0x01 : 0)    // LSR: THRE | TEMT | DR
        case 6: return 0xB0                              // MSR: DCD | DSR | CTS
        case 7: return scr
        default: return 0
        }
    }

    /// A register write; returns the byte to transmit, if any.
    mutating func write(offset: UInt64, value: UInt8) -> UInt8? {
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
