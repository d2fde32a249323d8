/// A decoded guest load or store that faulted on an emulated device (Priv. §18.6.3
/// "Transformed Instruction or Pseudoinstruction for mtinst or htinst"). Pure decoding: the
/// firmware fetches the instruction (htinst or HLVX, firmware/arch/MMIOFetch.swift) and
/// hands the bits here.
public struct MMIOAccess: Equatable {
    public var isStore: Bool
    /// Access width in bytes (1, 2, 4, 8).
    public var width: UInt64
    public var signExtend: Bool
    /// rd for a load, rs2 for a store.
    public var register: Int
    /// Length of the original instruction (2 or 4), to step over it.
    public var length: UInt64

    public init(isStore: Bool, width: UInt64, signExtend: Bool, register: Int, length: UInt64) {
        self.isStore = isStore
        self.width = width
        self.signExtend = signExtend
        self.register = register
        self.length = length
    }

    /// Decodes a standard or compressed integer load/store. Transformed instructions from
    /// htinst have the same fields, with bit 1 clear when the original was compressed
    /// (§18.6.3); their rs1 and offset fields are zero, which decoding ignores. Anything
    /// else (FP loads, AMOs, pseudoinstructions) is nil: the firmware does not emulate it.
    public static func decode(_ insn: UInt64, transformed: Bool) -> MMIOAccess? {
        // Bits 63:32 must be zero (§18.6.3: a future standard may give them a meaning).
        guard insn >> 32 == 0 else { return nil }
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
        guard !transformed, insn & 0xFFFF != 0 else { return nil }
        let funct3 = (insn >> 13) & 7
        // Compressed, quadrant 2: C.LWSP, C.LDSP (rd ≠ 0), C.SWSP, C.SDSP (Unpriv. §16.3).
        if insn & 3 == 2 {
            let rd = Int((insn >> 7) & 31), rs2 = Int((insn >> 2) & 31)
            switch funct3 {
            case 2 where rd != 0: return MMIOAccess(isStore: false, width: 4, signExtend: true, register: rd, length: 2)
            case 3 where rd != 0: return MMIOAccess(isStore: false, width: 8, signExtend: false, register: rd, length: 2)
            case 6: return MMIOAccess(isStore: true, width: 4, signExtend: false, register: rs2, length: 2)
            case 7: return MMIOAccess(isStore: true, width: 8, signExtend: false, register: rs2, length: 2)
            default: return nil
            }
        }
        // Compressed, quadrant 0: C.LW, C.LD, C.SW, C.SD with x8–x15 (Unpriv. §16.3).
        guard insn & 3 == 0 else { return nil }
        let reg = Int((insn >> 2) & 7) + 8
        switch funct3 {
        case 2: return MMIOAccess(isStore: false, width: 4, signExtend: true, register: reg, length: 2)
        case 3: return MMIOAccess(isStore: false, width: 8, signExtend: false, register: reg, length: 2)
        case 6: return MMIOAccess(isStore: true, width: 4, signExtend: false, register: reg, length: 2)
        case 7: return MMIOAccess(isStore: true, width: 8, signExtend: false, register: reg, length: 2)
        default: return nil
        }
    }

    /// The loaded value as it lands in rd: `raw` holds `width` bytes, sign- or zero-extended.
    public func extend(_ raw: UInt64) -> UInt64 {
        guard width < 8 else { return raw }
        let bits = width * 8
        let masked = raw & ((1 << bits) - 1)
        guard signExtend, masked >> (bits - 1) & 1 == 1 else { return masked }
        return masked | ~((1 << bits) - 1)
    }
}
