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
    /// The address register (rs1) and offset, for instructions decoded from the guest's
    /// code (-1 and 0 for transformed ones, whose address fields are zero): the firmware
    /// checks rs1 + offset against the faulting address, since with htinst = 0 a fault of
    /// the guest's own page walk looks like the instruction at pc.
    public var base: Int = -1
    public var offset: Int64 = 0

    public init(isStore: Bool, width: UInt64, signExtend: Bool, register: Int, length: UInt64, base: Int = -1, offset: Int64 = 0) {
        self.isStore = isStore
        self.width = width
        self.signExtend = signExtend
        self.register = register
        self.length = length
        self.base = base
        self.offset = offset
    }

    private static func bits(_ v: UInt64, _ hi: UInt64, _ lo: UInt64) -> UInt64 { (v >> lo) & ((1 << (hi - lo + 1)) - 1) }
    private static func signed(_ v: UInt64, _ width: UInt64) -> Int64 { Int64(bitPattern: v << (64 - width)) >> Int64(64 - width) }

    /// Decodes a floating-point store from a guest's code (Unpriv. "F"/"D"/"Zfhmin" FSW, FSD,
    /// FSH; "C" C.FSD, C.FSDSP): `register` is the FP source register. The classic VMM
    /// carries these out on the guest's write-protected page-table pages. nil for anything
    /// else.
    public static func decodeFloatStore(_ insn: UInt64) -> MMIOAccess? {
        guard insn >> 32 == 0 else { return nil }
        if insn & 3 == 3 {
            let f3 = bits(insn, 14, 12)
            guard insn & 0x7F == 0x27, f3 >= 1 && f3 <= 3 else { return nil }
            return MMIOAccess(isStore: true, width: 1 << f3, signExtend: false, register: Int(bits(insn, 24, 20)), length: 4,
                              base: Int(bits(insn, 19, 15)), offset: signed(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12))
        }
        guard bits(insn, 15, 13) == 5 else { return nil }
        let off = bits(insn, 12, 10) << 3
        switch insn & 3 {
        case 0:      // C.FSD rs2', offset(rs1')
            return MMIOAccess(isStore: true, width: 8, signExtend: false, register: 8 + Int(bits(insn, 4, 2)), length: 2,
                              base: 8 + Int(bits(insn, 9, 7)), offset: Int64(off | bits(insn, 6, 5) << 6))
        case 2:      // C.FSDSP rs2, offset(sp)
            return MMIOAccess(isStore: true, width: 8, signExtend: false, register: Int(bits(insn, 6, 2)), length: 2,
                              base: 2, offset: Int64(off | bits(insn, 9, 7) << 6))
        default: return nil
        }
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
                                  register: Int((insn >> 7) & 31), length: length,
                                  base: transformed ? -1 : Int(bits(insn, 19, 15)), offset: transformed ? 0 : signed(bits(insn, 31, 20), 12))
            case 0x23 where funct3 < 4:
                return MMIOAccess(isStore: true, width: 1 << funct3, signExtend: false,
                                  register: Int((insn >> 20) & 31), length: length,
                                  base: transformed ? -1 : Int(bits(insn, 19, 15)),
                                  offset: transformed ? 0 : signed(bits(insn, 31, 25) << 5 | bits(insn, 11, 7), 12))
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
            case 2 where rd != 0:
                let off = bits(insn, 12, 12) << 5 | bits(insn, 6, 4) << 2 | bits(insn, 3, 2) << 6
                return MMIOAccess(isStore: false, width: 4, signExtend: true, register: rd, length: 2, base: 2, offset: Int64(off))
            case 3 where rd != 0:
                let off = bits(insn, 12, 12) << 5 | bits(insn, 6, 5) << 3 | bits(insn, 4, 2) << 6
                return MMIOAccess(isStore: false, width: 8, signExtend: false, register: rd, length: 2, base: 2, offset: Int64(off))
            case 6:
                let off = bits(insn, 12, 9) << 2 | bits(insn, 8, 7) << 6
                return MMIOAccess(isStore: true, width: 4, signExtend: false, register: rs2, length: 2, base: 2, offset: Int64(off))
            case 7:
                let off = bits(insn, 12, 10) << 3 | bits(insn, 9, 7) << 6
                return MMIOAccess(isStore: true, width: 8, signExtend: false, register: rs2, length: 2, base: 2, offset: Int64(off))
            default: return nil
            }
        }
        // Compressed, quadrant 0: C.LW, C.LD, C.SW, C.SD with x8–x15 (Unpriv. §16.3).
        guard insn & 3 == 0 else { return nil }
        let reg = Int((insn >> 2) & 7) + 8
        let rs1 = Int(bits(insn, 9, 7)) + 8
        // C.LW/C.SW: uimm[5:3] = 12:10, uimm[2] = 6, uimm[6] = 5; C.LD/C.SD: uimm[7:6] = 6:5.
        let word = Int64(bits(insn, 12, 10) << 3 | bits(insn, 6, 6) << 2 | bits(insn, 5, 5) << 6)
        let double = Int64(bits(insn, 12, 10) << 3 | bits(insn, 6, 5) << 6)
        switch funct3 {
        case 2: return MMIOAccess(isStore: false, width: 4, signExtend: true, register: reg, length: 2, base: rs1, offset: word)
        case 3: return MMIOAccess(isStore: false, width: 8, signExtend: false, register: reg, length: 2, base: rs1, offset: double)
        case 6: return MMIOAccess(isStore: true, width: 4, signExtend: false, register: reg, length: 2, base: rs1, offset: word)
        case 7: return MMIOAccess(isStore: true, width: 8, signExtend: false, register: reg, length: 2, base: rs1, offset: double)
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
