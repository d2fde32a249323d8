import FirmwareKit
import TestSupport
import Testing

// Host tests for the hardware-free firmware logic in FirmwareKit: MMIO access decoding,
// boot-module options, the physical allocator, SBI hart masks, riscv,isa strings, number
// formatting and the 16550 register file. Expectations come from the specifications
// (../shared/specs), not from the code under test.

// MARK: - Instruction encoders (Unpriv. "Base Instruction Formats", RVC chapter)

/// Standard 32-bit encodings, built field by field.
enum Encode {
    static let load: UInt64 = 0x03
    static let loadFP: UInt64 = 0x07
    static let store: UInt64 = 0x23
    static let storeFP: UInt64 = 0x27
    static let amo: UInt64 = 0x2F

    /// I-type: imm[11:0] | rs1 | funct3 | rd | opcode.
    static func i(_ opcode: UInt64, funct3: UInt64, rd: Int, rs1: Int, imm: Int) -> UInt64 {
        let u = UInt64(bitPattern: Int64(imm)) & 0xFFF
        return u << 20 | UInt64(rs1) << 15 | funct3 << 12 | UInt64(rd) << 7 | opcode
    }

    /// S-type: imm[11:5] | rs2 | rs1 | funct3 | imm[4:0] | opcode.
    static func s(_ opcode: UInt64, funct3: UInt64, rs1: Int, rs2: Int, imm: Int) -> UInt64 {
        let u = UInt64(bitPattern: Int64(imm)) & 0xFFF
        return (u >> 5) << 25 | UInt64(rs2) << 20 | UInt64(rs1) << 15 | funct3 << 12 | (u & 0x1F) << 7 | opcode
    }

    /// R-type AMO: funct5 | aq | rl | rs2 | rs1 | funct3 | rd | 0101111.
    static func amo(funct5: UInt64, funct3: UInt64, rd: Int, rs1: Int, rs2: Int) -> UInt64 {
        funct5 << 27 | UInt64(rs2) << 20 | UInt64(rs1) << 15 | funct3 << 12 | UInt64(rd) << 7 | amo
    }

    /// CL/CS format, word offsets (C.LW, C.SW): funct3 | uimm[5:3] | rs1' | uimm[2|6] | rd'/rs2' | 00.
    /// Registers are the full numbers x8–x15.
    static func clWord(funct3: UInt64, reg: Int, rs1: Int, uimm: Int) -> UInt64 {
        let u = UInt64(uimm)
        return funct3 << 13 | (u >> 3 & 7) << 10 | UInt64(rs1 - 8) << 7 | (u >> 2 & 1) << 6
            | (u >> 6 & 1) << 5 | UInt64(reg - 8) << 2
    }

    /// CL/CS format, doubleword offsets (C.LD, C.SD, C.FLD, C.FSD): uimm[5:3] at 12:10,
    /// uimm[7:6] at 6:5.
    static func clDouble(funct3: UInt64, reg: Int, rs1: Int, uimm: Int) -> UInt64 {
        let u = UInt64(uimm)
        return funct3 << 13 | (u >> 3 & 7) << 10 | UInt64(rs1 - 8) << 7 | (u >> 6 & 3) << 5 | UInt64(reg - 8) << 2
    }

    /// The htinst transformation of a basic load (Priv. §18.6.3): funct3, rd and opcode kept,
    /// the Addr. Offset in rs1's place, the immediate zero; bit 1 cleared when the trapping
    /// instruction was compressed.
    static func transformedLoad(_ insn: UInt64, offset: UInt64 = 0, compressed: Bool) -> UInt64 {
        let kept = insn & (7 << 12 | 31 << 7 | 0x7F)
        let value = kept | offset << 15
        return compressed ? value & ~2 : value
    }

    /// The same for a basic store: rs2, funct3 and opcode kept.
    static func transformedStore(_ insn: UInt64, offset: UInt64 = 0, compressed: Bool) -> UInt64 {
        let kept = insn & (31 << 20 | 7 << 12 | 0x7F)
        let value = kept | offset << 15
        return compressed ? value & ~2 : value
    }
}

/// What each basic integer load and store does (Unpriv. "Load and Store Instructions").
struct LoadKind {
    var name: String
    var funct3: UInt64
    var width: UInt64
    /// nil for LD, which has nothing to extend.
    var signed: Bool?
}

let integerLoads = [
    LoadKind(name: "lb", funct3: 0, width: 1, signed: true),
    LoadKind(name: "lh", funct3: 1, width: 2, signed: true),
    LoadKind(name: "lw", funct3: 2, width: 4, signed: true),
    LoadKind(name: "ld", funct3: 3, width: 8, signed: nil),
    LoadKind(name: "lbu", funct3: 4, width: 1, signed: false),
    LoadKind(name: "lhu", funct3: 5, width: 2, signed: false),
    LoadKind(name: "lwu", funct3: 6, width: 4, signed: false),
]

let integerStores: [(name: String, funct3: UInt64, width: UInt64)] = [
    ("sb", 0, 1), ("sh", 1, 2), ("sw", 2, 4), ("sd", 3, 8),
]

/// Checks a decoded access field by field (signExtend only where it means something).
func expectAccess(_ access: MMIOAccess?, store: Bool, width: UInt64, signed: Bool?, register: Int,
                  length: UInt64, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let access else {
        Issue.record("not decoded: \(comment?.rawValue ?? "")", sourceLocation: sourceLocation)
        return
    }
    #expect(access.isStore == store, comment, sourceLocation: sourceLocation)
    #expect(access.width == width, comment, sourceLocation: sourceLocation)
    #expect(access.register == register, comment, sourceLocation: sourceLocation)
    #expect(access.length == length, comment, sourceLocation: sourceLocation)
    if let signed { #expect(access.signExtend == signed, comment, sourceLocation: sourceLocation) }
}

func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

@Suite("Firmware logic")
struct FirmwareLogicTests {

    // MARK: - MMIOAccess

    @Suite("MMIO access decoding")
    struct MMIODecoding {
        static let registers = [0, 1, 5, 8, 10, 15, 16, 30, 31]
        static let bases = [0, 2, 11, 31]
        static let offsets = [0, 1, -1, 8, 2047, -2048, 0x123]

        /// The encoders against llvm-mc's encodings, so the tests below rest on known bits.
        @Test func encodersMatchTheAssembler() {
            #expect(Encode.i(Encode.load, funct3: 2, rd: 10, rs1: 11, imm: 0) == 0x0005_A503)       // lw a0, 0(a1)
            #expect(Encode.i(Encode.load, funct3: 3, rd: 15, rs1: 10, imm: 0) == 0x0005_3783)       // ld a5, 0(a0)
            #expect(Encode.i(Encode.load, funct3: 0, rd: 31, rs1: 27, imm: -1) == 0xFFFD_8F83)      // lb t6, -1(s11)
            #expect(Encode.i(Encode.load, funct3: 6, rd: 31, rs1: 31, imm: 2047) == 0x7FFF_EF83)    // lwu t6, 2047(t6)
            #expect(Encode.s(Encode.store, funct3: 3, rs1: 2, rs2: 1, imm: 8) == 0x0011_3423)       // sd ra, 8(sp)
            #expect(Encode.s(Encode.store, funct3: 1, rs1: 0, rs2: 31, imm: -2048) == 0x81F0_1023)  // sh t6, -2048(zero)
            #expect(Encode.s(Encode.store, funct3: 0, rs1: 0, rs2: 0, imm: 0) == 0x0000_0023)       // sb zero, 0(zero)
            #expect(Encode.amo(funct5: 0, funct3: 2, rd: 10, rs1: 12, rs2: 11) == 0x00B6_252F)      // amoadd.w a0, a1, (a2)
            #expect(Encode.amo(funct5: 2, funct3: 3, rd: 10, rs1: 11, rs2: 0) == 0x1005_B52F)       // lr.d a0, (a1)
            #expect(Encode.clWord(funct3: 2, reg: 10, rs1: 11, uimm: 0) == 0x4188)                  // c.lw a0, 0(a1)
            #expect(Encode.clWord(funct3: 2, reg: 8, rs1: 15, uimm: 124) == 0x5FE0)                 // c.lw s0, 124(a5)
            #expect(Encode.clWord(funct3: 6, reg: 12, rs1: 13, uimm: 64) == 0xC2B0)                 // c.sw a2, 64(a3)
            #expect(Encode.clDouble(funct3: 3, reg: 10, rs1: 11, uimm: 8) == 0x6588)                // c.ld a0, 8(a1)
            #expect(Encode.clDouble(funct3: 3, reg: 15, rs1: 8, uimm: 248) == 0x7C7C)               // c.ld a5, 248(s0)
            #expect(Encode.clDouble(funct3: 7, reg: 9, rs1: 14, uimm: 136) == 0xE744)               // c.sd s1, 136(a4)
            #expect(Encode.clDouble(funct3: 1, reg: 10, rs1: 11, uimm: 8) == 0x2588)                // c.fld fa0, 8(a1)
        }

        @Test func everyIntegerLoad() {
            for kind in integerLoads {
                for rd in Self.registers {
                    for rs1 in Self.bases {
                        for imm in Self.offsets {
                            let insn = Encode.i(Encode.load, funct3: kind.funct3, rd: rd, rs1: rs1, imm: imm)
                            expectAccess(MMIOAccess.decode(insn, transformed: false), store: false,
                                         width: kind.width, signed: kind.signed, register: rd, length: 4,
                                         "\(kind.name) x\(rd), \(imm)(x\(rs1)) = \(hex(insn))")
                        }
                    }
                }
            }
        }

        @Test func everyIntegerStore() {
            for kind in integerStores {
                for rs2 in Self.registers {
                    for rs1 in Self.bases {
                        for imm in Self.offsets {
                            let insn = Encode.s(Encode.store, funct3: kind.funct3, rs1: rs1, rs2: rs2, imm: imm)
                            expectAccess(MMIOAccess.decode(insn, transformed: false), store: true,
                                         width: kind.width, signed: nil, register: rs2, length: 4,
                                         "\(kind.name) x\(rs2), \(imm)(x\(rs1)) = \(hex(insn))")
                        }
                    }
                }
            }
        }

        /// Known words from the assembler, decoded without the encoder.
        @Test func assembledWords() {
            expectAccess(MMIOAccess.decode(0x0005_A503, transformed: false), store: false, width: 4, signed: true,
                         register: 10, length: 4, "lw a0, 0(a1)")
            expectAccess(MMIOAccess.decode(0x7FFF_EF83, transformed: false), store: false, width: 4, signed: false,
                         register: 31, length: 4, "lwu t6, 2047(t6)")
            expectAccess(MMIOAccess.decode(0x0011_3423, transformed: false), store: true, width: 8, signed: nil,
                         register: 1, length: 4, "sd ra, 8(sp)")
            expectAccess(MMIOAccess.decode(0x4188, transformed: false), store: false, width: 4, signed: true,
                         register: 10, length: 2, "c.lw a0, 0(a1)")
            expectAccess(MMIOAccess.decode(0xE744, transformed: false), store: true, width: 8, signed: nil,
                         register: 9, length: 2, "c.sd s1, 136(a4)")
        }

        /// C.LW, C.LD, C.SW, C.SD: quadrant 0, rd'/rs2' in bits 4:2 naming x8–x15 (RVC chapter).
        @Test func compressedLoadsAndStores() {
            for reg in 8...15 {
                for rs1 in [8, 11, 15] {
                    for uimm in [0, 4, 64, 124] {
                        let lw = Encode.clWord(funct3: 2, reg: reg, rs1: rs1, uimm: uimm)
                        expectAccess(MMIOAccess.decode(lw, transformed: false), store: false, width: 4, signed: true,
                                     register: reg, length: 2, "c.lw x\(reg), \(uimm)(x\(rs1)) = \(hex(lw))")
                        let sw = Encode.clWord(funct3: 6, reg: reg, rs1: rs1, uimm: uimm)
                        expectAccess(MMIOAccess.decode(sw, transformed: false), store: true, width: 4, signed: nil,
                                     register: reg, length: 2, "c.sw x\(reg), \(uimm)(x\(rs1)) = \(hex(sw))")
                    }
                    for uimm in [0, 8, 64, 136, 248] {
                        let ld = Encode.clDouble(funct3: 3, reg: reg, rs1: rs1, uimm: uimm)
                        expectAccess(MMIOAccess.decode(ld, transformed: false), store: false, width: 8, signed: nil,
                                     register: reg, length: 2, "c.ld x\(reg), \(uimm)(x\(rs1)) = \(hex(ld))")
                        let sd = Encode.clDouble(funct3: 7, reg: reg, rs1: rs1, uimm: uimm)
                        expectAccess(MMIOAccess.decode(sd, transformed: false), store: true, width: 8, signed: nil,
                                     register: reg, length: 2, "c.sd x\(reg), \(uimm)(x\(rs1)) = \(hex(sd))")
                    }
                }
            }
        }

        /// A compressed instruction fetched as a 32-bit word carries the next instruction in
        /// bits 31:16; only the low halfword is the access.
        @Test func compressedWithTheNextInstructionAbove() {
            let word: UInt64 = 0x0005_A503 << 16 | 0x4188   // c.lw a0, 0(a1); lw a0, 0(a1) after it
            expectAccess(MMIOAccess.decode(word & 0xFFFF_FFFF, transformed: false), store: false, width: 4,
                         signed: true, register: 10, length: 2)
        }

        /// htinst for a 32-bit load or store: bits 1:0 = 11, immediate zero, Addr. Offset in
        /// bits 19:15 (nonzero only for a misaligned access), length 4.
        @Test func transformedStandard() {
            for offset: UInt64 in [0, 3, 7] {
                for kind in integerLoads {
                    for rd in Self.registers {
                        let original = Encode.i(Encode.load, funct3: kind.funct3, rd: rd, rs1: 10, imm: -16)
                        let tinst = Encode.transformedLoad(original, offset: offset, compressed: false)
                        #expect(tinst & 3 == 3)
                        expectAccess(MMIOAccess.decode(tinst, transformed: true), store: false, width: kind.width,
                                     signed: kind.signed, register: rd, length: 4,
                                     "htinst \(hex(tinst)) for \(kind.name) x\(rd)")
                    }
                }
                for kind in integerStores {
                    for rs2 in Self.registers {
                        let original = Encode.s(Encode.store, funct3: kind.funct3, rs1: 10, rs2: rs2, imm: 40)
                        let tinst = Encode.transformedStore(original, offset: offset, compressed: false)
                        expectAccess(MMIOAccess.decode(tinst, transformed: true), store: true, width: kind.width,
                                     signed: nil, register: rs2, length: 4,
                                     "htinst \(hex(tinst)) for \(kind.name) x\(rs2)")
                    }
                }
            }
            // lw a0, 0(a1) transformed is lw a0, 0(x0).
            expectAccess(MMIOAccess.decode(0x0000_2503, transformed: true), store: false, width: 4, signed: true,
                         register: 10, length: 4)
        }

        /// htinst for a compressed load or store: expand to the 32-bit equivalent, transform,
        /// clear bit 1 (Priv. §18.6.3), so bits 1:0 = 01 and the length is 2.
        @Test func transformedCompressed() {
            for reg in 8...15 {
                let cases: [(expanded: UInt64, store: Bool, width: UInt64, signed: Bool?)] = [
                    (Encode.i(Encode.load, funct3: 2, rd: reg, rs1: 9, imm: 124), false, 4, true),   // c.lw
                    (Encode.i(Encode.load, funct3: 3, rd: reg, rs1: 9, imm: 248), false, 8, nil),    // c.ld
                    (Encode.s(Encode.store, funct3: 2, rs1: 9, rs2: reg, imm: 64), true, 4, nil),    // c.sw
                    (Encode.s(Encode.store, funct3: 3, rs1: 9, rs2: reg, imm: 136), true, 8, nil),   // c.sd
                ]
                for c in cases {
                    let tinst = c.store ? Encode.transformedStore(c.expanded, compressed: true)
                                        : Encode.transformedLoad(c.expanded, compressed: true)
                    #expect(tinst & 3 == 1)
                    #expect(tinst & (31 << 15) == 0)
                    expectAccess(MMIOAccess.decode(tinst, transformed: true), store: c.store, width: c.width,
                                 signed: c.signed, register: reg, length: 2, "htinst \(hex(tinst))")
                }
            }
            // Transformed compressed forms of every integer load/store (a compressed
            // original can only be C.LW/C.LD/C.SW/C.SD/…SP, but the decoding is by fields).
            for kind in integerLoads {
                let tinst = Encode.transformedLoad(Encode.i(Encode.load, funct3: kind.funct3, rd: 31, rs1: 0, imm: 0),
                                                   offset: 1, compressed: true)
                expectAccess(MMIOAccess.decode(tinst, transformed: true), store: false, width: kind.width,
                             signed: kind.signed, register: 31, length: 2, "htinst \(hex(tinst))")
            }
            // The c.lw a0, 0(a1) case written out: lw a0, 0(x0) with bit 1 clear.
            expectAccess(MMIOAccess.decode(0x2501, transformed: true), store: false, width: 4, signed: true,
                         register: 10, length: 2)
            // The same bits fetched from memory are C.ADDIW (quadrant 1), not a load.
            #expect(MMIOAccess.decode(0x2501, transformed: false) == nil)
        }

        @Test func floatingPointAccessesAreNotEmulated() {
            for funct3: UInt64 in [1, 2, 3, 4] {   // flh, flw, fld, flq
                let load = Encode.i(Encode.loadFP, funct3: funct3, rd: 10, rs1: 10, imm: 4)
                #expect(MMIOAccess.decode(load, transformed: false) == nil, "FP load \(hex(load))")
                #expect(MMIOAccess.decode(Encode.transformedLoad(load, compressed: false), transformed: true) == nil)
                let store = Encode.s(Encode.storeFP, funct3: funct3, rs1: 10, rs2: 11, imm: 8)
                #expect(MMIOAccess.decode(store, transformed: false) == nil, "FP store \(hex(store))")
                #expect(MMIOAccess.decode(Encode.transformedStore(store, compressed: false), transformed: true) == nil)
            }
            // flw fa0, 4(a0) and fsd fa1, 8(a0) as the assembler writes them; fld ft0, 0(a0).
            #expect(MMIOAccess.decode(0x0045_2507, transformed: false) == nil)
            #expect(MMIOAccess.decode(0x00B5_3427, transformed: false) == nil)
            #expect(MMIOAccess.decode(0x0005_3007, transformed: false) == nil)
            // C.FLD and C.FSD (quadrant 0, funct3 001 and 101), every register.
            for reg in 8...15 {
                #expect(MMIOAccess.decode(Encode.clDouble(funct3: 1, reg: reg, rs1: 11, uimm: 8), transformed: false) == nil)
                #expect(MMIOAccess.decode(Encode.clDouble(funct3: 5, reg: reg, rs1: 11, uimm: 8), transformed: false) == nil)
            }
            #expect(MMIOAccess.decode(0x2588, transformed: false) == nil)   // c.fld fa0, 8(a1)
            // A transformed C.FLD fa0: fld fa0, 0(x0) = 0x3507 with bit 1 clear.
            #expect(Encode.transformedLoad(Encode.i(Encode.loadFP, funct3: 3, rd: 10, rs1: 11, imm: 8),
                                           compressed: true) == 0x3505)
            #expect(MMIOAccess.decode(0x3505, transformed: true) == nil)
        }

        @Test func atomicsAreNotEmulated() {
            #expect(MMIOAccess.decode(0x00B6_252F, transformed: false) == nil)   // amoadd.w a0, a1, (a2)
            #expect(MMIOAccess.decode(0x1005_B52F, transformed: false) == nil)   // lr.d a0, (a1)
            #expect(MMIOAccess.decode(0x18B6_252F, transformed: false) == nil)   // sc.w a0, a1, (a2)
            for funct5: UInt64 in [0, 1, 2, 3, 4, 8, 12, 16, 20, 24, 28] {
                for funct3: UInt64 in [2, 3] {
                    let insn = Encode.amo(funct5: funct5, funct3: funct3, rd: 10, rs1: 11, rs2: 12)
                    #expect(MMIOAccess.decode(insn, transformed: false) == nil, "\(hex(insn))")
                    // Transformed AMO: Addr. Offset replaces rs1 (zero here).
                    #expect(MMIOAccess.decode(insn & ~(31 << 15), transformed: true) == nil, "\(hex(insn))")
                }
            }
        }

        @Test func reservedWidthsAreRejected() {
            // LOAD funct3 = 7 is not an RV64 load (LDU is RV128 only).
            for rd in [0, 10, 31] {
                let insn = Encode.i(Encode.load, funct3: 7, rd: rd, rs1: 5, imm: 0)
                #expect(MMIOAccess.decode(insn, transformed: false) == nil, "\(hex(insn))")
                #expect(MMIOAccess.decode(Encode.transformedLoad(insn, compressed: false), transformed: true) == nil)
                #expect(MMIOAccess.decode(Encode.transformedLoad(insn, compressed: true), transformed: true) == nil)
            }
            // STORE funct3 4...7: SQ (RV128) and unassigned.
            for funct3: UInt64 in 4...7 {
                let insn = Encode.s(Encode.store, funct3: funct3, rs1: 5, rs2: 6, imm: 0)
                #expect(MMIOAccess.decode(insn, transformed: false) == nil, "\(hex(insn))")
                #expect(MMIOAccess.decode(Encode.transformedStore(insn, compressed: false), transformed: true) == nil)
                #expect(MMIOAccess.decode(Encode.transformedStore(insn, compressed: true), transformed: true) == nil)
            }
        }

        @Test func otherInstructionsAreRejected() {
            // The all-zero halfword is defined illegal (RVC chapter), also with junk above it.
            #expect(MMIOAccess.decode(0, transformed: false) == nil)
            #expect(MMIOAccess.decode(0x1234_0000, transformed: false) == nil)
            // Zero in htinst means "no information".
            #expect(MMIOAccess.decode(0, transformed: true) == nil)
            // C.ADDI4SPN (quadrant 0, funct3 000) and the reserved funct3 100.
            #expect(MMIOAccess.decode(0x0040, transformed: false) == nil)     // c.addi4spn s0, sp, 4
            #expect(MMIOAccess.decode(0x8000 | 0x0188, transformed: false) == nil)
            // Not loads or stores: addi, jal, csrrw, hlv.w a0, (a1).
            for insn: UInt64 in [0x0015_0513, 0x0000_006F, 0x3400_1073, 0x6805_C573] {
                #expect(MMIOAccess.decode(insn, transformed: false) == nil, "\(hex(insn))")
                #expect(MMIOAccess.decode(insn, transformed: true) == nil, "\(hex(insn))")
            }
            // A quadrant-1 or quadrant-2 halfword that is not a transformed value.
            #expect(MMIOAccess.decode(0x0505, transformed: false) == nil)     // c.addi a0, 1
        }

        /// Values with bits 1:0 = 00 in htinst are pseudoinstructions (guest-page faults of
        /// VS-stage translation) and bits 1:0 = 10 is never a valid htinst value.
        @Test func htinstPseudoinstructionsAreRejected() {
            for pseudo: UInt64 in [0x2000, 0x2020, 0x3000, 0x3020] {
                #expect(MMIOAccess.decode(pseudo, transformed: true) == nil, "\(hex(pseudo))")
            }
            // A transformed C.LW (0x2501) with bits 1:0 = 00 or 10 instead.
            #expect(MMIOAccess.decode(0x2500, transformed: true) == nil)
            #expect(MMIOAccess.decode(0x2502, transformed: true) == nil)
            // A compressed load handed over as if it came from htinst is not a transformed value.
            #expect(MMIOAccess.decode(0x4188, transformed: true) == nil)
        }

        /// Priv. §18.6.3 (note): software interpreting a nonzero htinst "must also confirm
        /// that bits 63:32 of mtinst are all zeros"; a future standard may give such values
        /// another meaning, so they are not the load they look like.
        @Test func htinstWithUpperBitsIsNotALoad() {
            let lw: UInt64 = 0x0000_2503   // transformed lw a0
            for bit: UInt64 in [32, 40, 63] {
                #expect(MMIOAccess.decode(lw | 1 << bit, transformed: true) == nil, "bit \(bit) set")
                #expect(MMIOAccess.decode(0x2501 | 1 << bit, transformed: true) == nil, "bit \(bit) set")
            }
        }

        @Test func extendSignedLoads() {
            func access(_ funct3: UInt64) -> MMIOAccess {
                MMIOAccess.decode(Encode.i(Encode.load, funct3: funct3, rd: 10, rs1: 10, imm: 0), transformed: false)!
            }
            let lb = access(0), lh = access(1), lw = access(2)
            #expect(lb.extend(0x80) == 0xFFFF_FFFF_FFFF_FF80)
            #expect(lb.extend(0xFF) == UInt64.max)
            #expect(lb.extend(0x7F) == 0x7F)
            #expect(lb.extend(0) == 0)
            #expect(lh.extend(0x8000) == 0xFFFF_FFFF_FFFF_8000)
            #expect(lh.extend(0xFFFE) == 0xFFFF_FFFF_FFFF_FFFE)
            #expect(lh.extend(0x7FFF) == 0x7FFF)
            #expect(lw.extend(0x8000_0000) == 0xFFFF_FFFF_8000_0000)
            #expect(lw.extend(0xDEAD_BEEF) == 0xFFFF_FFFF_DEAD_BEEF)
            #expect(lw.extend(0x7FFF_FFFF) == 0x7FFF_FFFF)
            // C.LW sign-extends like LW.
            let clw = MMIOAccess.decode(0x4188, transformed: false)!
            #expect(clw.extend(0x8000_0001) == 0xFFFF_FFFF_8000_0001)
            #expect(clw.extend(0x1234_5678) == 0x1234_5678)
            // Bits above the width are not part of the value.
            #expect(lb.extend(0x1234_5680) == 0xFFFF_FFFF_FFFF_FF80)
            #expect(lh.extend(0xFFFF_0001) == 0x0001)
        }

        @Test func extendUnsignedLoadsAndLD() {
            func access(_ funct3: UInt64) -> MMIOAccess {
                MMIOAccess.decode(Encode.i(Encode.load, funct3: funct3, rd: 10, rs1: 10, imm: 0), transformed: false)!
            }
            let lbu = access(4), lhu = access(5), lwu = access(6), ld = access(3)
            #expect(lbu.extend(0x80) == 0x80)
            #expect(lbu.extend(0xFF) == 0xFF)
            #expect(lbu.extend(0x7F) == 0x7F)
            #expect(lhu.extend(0x8000) == 0x8000)
            #expect(lhu.extend(0xFFFF) == 0xFFFF)
            #expect(lwu.extend(0x8000_0000) == 0x8000_0000)
            #expect(lwu.extend(0xFFFF_FFFF) == 0xFFFF_FFFF)
            #expect(lbu.extend(0xABCD_EF80) == 0x80)
            for value: UInt64 in [0, 1, 0x8000_0000, 0x8000_0000_0000_0000, UInt64.max, 0x0123_4567_89AB_CDEF] {
                #expect(ld.extend(value) == value)
                #expect(MMIOAccess.decode(0x6588, transformed: false)!.extend(value) == value)   // c.ld
            }
        }
    }

    // MARK: - ModuleOptions

    @Suite("Boot-module options")
    struct ModuleOptionParsing {
        static let MiB: UInt64 = 1 << 20

        @Test func defaults() {
            for line in ["", " ", "console=ttyS0"] {
                let o = ModuleOptions(line, defaultName: "guest2")
                #expect(o.name == "guest2")
                #expect(o.memory == nil)
                #expect(o.vcpus == 1)
                #expect(o.weight == 256)
                #expect(o.weight == ModuleOptions.defaultWeight)
                #expect(o.error == nil)
            }
        }

        @Test func name() {
            #expect(ModuleOptions("name=web", defaultName: "d").name == "web")
            let o = ModuleOptions("name=a-b_c.1", defaultName: "d")
            #expect(o.name == "a-b_c.1")
            #expect(o.error == nil)
        }

        @Test func memorySizes() {
            let cases: [(String, UInt64)] = [
                ("mem=64M", 64 << 20), ("mem=64m", 64 << 20),
                ("mem=512K", 512 << 10), ("mem=512k", 512 << 10),
                ("mem=1G", 1 << 30), ("mem=2g", 2 << 30),
                ("mem=4096", 4096), ("mem=0064M", 64 << 20),
            ]
            for (line, bytes) in cases {
                let o = ModuleOptions(line, defaultName: "d")
                #expect(o.memory == bytes, "\(line)")
                #expect(o.error == nil, "\(line)")
            }
            // The largest values that fit in 64 bits.
            #expect(ModuleOptions("mem=18446744073709551615", defaultName: "d").memory == UInt64.max)
            #expect(ModuleOptions("mem=17179869183G", defaultName: "d").memory == 17_179_869_183 << 30)
            #expect(ModuleOptions("mem=17592186044415M", defaultName: "d").memory == 17_592_186_044_415 << 20)
        }

        @Test func memoryOverflowIsAnError() {
            for line in ["mem=99999999999999999999", "mem=18446744073709551616", "mem=17179869184G",
                         "mem=17592186044416M", "mem=18014398509481984K"] {
                let o = ModuleOptions(line, defaultName: "d")
                #expect(o.memory == nil, "\(line)")
                #expect(o.error == line)
            }
        }

        @Test func badWords() {
            for word in ["mem=", "mem=12Q", "mem=K", "mem=0x10", "mem=-1", "mem=1.5G", "mem=64MB",
                         "vcpus=0", "vcpus=65", "vcpus=x", "vcpus=", "vcpus=-1",
                         "weight=0", "weight=70000", "weight=65536", "weight=", "weight=1k",
                         "name=", "name=\(String(repeating: "x", count: 33))"] {
                let o = ModuleOptions("console=ttyS0 \(word) quiet", defaultName: "d")
                #expect(o.error == word, "\(word)")
            }
            // A bad value leaves the default in place.
            #expect(ModuleOptions("vcpus=65", defaultName: "d").vcpus == 1)
            #expect(ModuleOptions("weight=0", defaultName: "d").weight == 256)
            #expect(ModuleOptions("name=", defaultName: "d").name == "d")
        }

        @Test func limitsAreInclusive() {
            let o = ModuleOptions("vcpus=64 weight=65535", defaultName: "d")
            #expect(o.vcpus == 64)
            #expect(o.weight == 65535)
            #expect(o.error == nil)
            let p = ModuleOptions("vcpus=1 weight=1", defaultName: "d")
            #expect(p.vcpus == 1)
            #expect(p.weight == 1)
            #expect(p.error == nil)
            let q = ModuleOptions("name=\(String(repeating: "n", count: 32))", defaultName: "d")
            #expect(q.name.utf8.count == 32)
            #expect(q.error == nil)
        }

        @Test func errorIsTheFirstBadWord() {
            let o = ModuleOptions("name=ok vcpus=0 mem=12Q weight=0", defaultName: "d")
            #expect(o.error == "vcpus=0")
            let p = ModuleOptions("mem=12Q vcpus=0", defaultName: "d")
            #expect(p.error == "mem=12Q")
        }

        /// Words that are not firmware options belong to the guest's bootargs.
        @Test func unknownWordsAreIgnored() {
            let o = ModuleOptions("console=ttyS0 earlycon=sbi root=/dev/vda memory=1G names=x vcpu=3 weights=9 quiet",
                                  defaultName: "d")
            #expect(o.name == "d")
            #expect(o.memory == nil)
            #expect(o.vcpus == 1)
            #expect(o.weight == 256)
            #expect(o.error == nil)
        }

        @Test func severalOptionsOnOneLine() {
            let o = ModuleOptions("console=ttyS0  name=db mem=256M   vcpus=4 weight=512 quiet ", defaultName: "d")
            #expect(o.name == "db")
            #expect(o.memory == 256 * Self.MiB)
            #expect(o.vcpus == 4)
            #expect(o.weight == 512)
            #expect(o.error == nil)
        }
    }

    // MARK: - PhysicalMemory

    @Suite("Physical memory allocator")
    struct PhysicalMemoryTests {
        static let block = PhysicalMemory.alignment
        static let base: UInt64 = 0x8000_0000

        static func ranges(_ m: PhysicalMemory) -> [[UInt64]] { m.free.map { [$0.start, $0.end] } }

        @Test func alignmentIsTwoMiB() {
            #expect(PhysicalMemory.alignment == 2 << 20)
        }

        @Test func emptyAndInverted() {
            #expect(PhysicalMemory(start: 10, end: 10).freeBytes == 0)
            #expect(PhysicalMemory(start: 10, end: 5).free.isEmpty)
            var m = PhysicalMemory(start: 0, end: 0)
            let got1 = m.allocate(size: Self.block)
            #expect(got1 == nil)
        }

        @Test func reserveSplitsRanges() {
            let b = Self.base
            var m = PhysicalMemory(start: b, end: b + 0x800_0000)   // 128 MiB
            #expect(m.freeBytes == 0x800_0000)
            // The firmware at the bottom, unaligned end.
            m.reserve(start: b, end: b + 0x2_3000)
            #expect(Self.ranges(m) == [[b + 0x2_3000, b + 0x800_0000]])
            // A DTB in the middle splits the range.
            m.reserve(start: b + 0x400_0000, end: b + 0x401_0000)
            #expect(Self.ranges(m) == [[b + 0x2_3000, b + 0x400_0000], [b + 0x401_0000, b + 0x800_0000]])
            // One spanning a gap cuts both neighbours.
            m.reserve(start: b + 0x3F0_0000, end: b + 0x420_0000)
            #expect(Self.ranges(m) == [[b + 0x2_3000, b + 0x3F0_0000], [b + 0x420_0000, b + 0x800_0000]])
            // Outside the memory: nothing changes. Reserving the top removes it.
            m.reserve(start: 0, end: b)
            m.reserve(start: b + 0x800_0000, end: b + 0x900_0000)
            #expect(Self.ranges(m) == [[b + 0x2_3000, b + 0x3F0_0000], [b + 0x420_0000, b + 0x800_0000]])
            m.reserve(start: b + 0x700_0000, end: UInt64.max)
            #expect(Self.ranges(m) == [[b + 0x2_3000, b + 0x3F0_0000], [b + 0x420_0000, b + 0x700_0000]])
            #expect(m.freeBytes == (0x3F0_0000 - 0x2_3000) + (0x700_0000 - 0x420_0000))
            // Covering everything leaves nothing.
            m.reserve(start: 0, end: UInt64.max)
            #expect(m.free.isEmpty)
            #expect(m.freeBytes == 0)
        }

        /// Reserving an empty range ([a, a), e.g. a zero-length boot module) removes nothing:
        /// the free memory must stay one range, usable as a whole.
        @Test func reservingNothingChangesNothing() {
            let b = Self.base
            var m = PhysicalMemory(start: b, end: b + 4 * Self.block)
            m.reserve(start: b + 2 * Self.block, end: b + 2 * Self.block)
            #expect(Self.ranges(m) == [[b, b + 4 * Self.block]])
            let got1 = m.allocate(size: 4 * Self.block)
            #expect(got1 == b)
        }

        /// Reserving can only take memory away, whatever the arguments (an end that wrapped
        /// around, start > end).
        @Test func reservingNeverAddsMemory() {
            let b = Self.base
            var m = PhysicalMemory(start: b, end: b + 4 * Self.block)
            m.reserve(start: b + 3 * Self.block, end: b + Self.block)
            #expect(m.freeBytes <= 4 * Self.block)
            for (i, r) in m.free.enumerated() {
                #expect(r.start < r.end)
                if i > 0 { #expect(m.free[i - 1].end <= r.start) }
            }
        }

        @Test func allocateIsAlignedFirstFit() {
            let b = Self.base
            var m = PhysicalMemory(start: b, end: b + 0x800_0000)
            m.reserve(start: b, end: b + 0x2_3000)                             // firmware
            m.reserve(start: b + 0x500_0000 + 0x1000, end: b + 0x500_2000)     // a DTB
            // The first block starts at the next 2 MiB boundary after the firmware.
            let got1 = m.allocate(size: 4 * Self.block)
            #expect(got1 == b + Self.block)
            // The next one follows it directly.
            let got2 = m.allocate(size: Self.block)
            #expect(got2 == b + 5 * Self.block)
            // (The piece below 2 MiB, 0x23000...0x200000, holds no aligned block and is skipped.)
            // 0xC00000...0x5001000 is free: 36 MiB fit at its start…
            let got3 = m.allocate(size: 18 * Self.block)
            #expect(got3 == b + 6 * Self.block)
            // …and 32 MiB exactly in 0x3000000...0x5001000 (32 MiB + 4 KiB).
            let got4 = m.allocate(size: 16 * Self.block)
            #expect(got4 == b + 0x300_0000)
            // 4 MiB: 0x5000000...0x5001000 is too small; after the DTB the next boundary is 0x5200000.
            let got5 = m.allocate(size: 2 * Self.block)
            #expect(got5 == b + 0x520_0000)
            // Every result is aligned, and each removed exactly its size.
            #expect(m.freeBytes == 0x800_0000 - 0x2_3000 - 0x1000 - (4 + 1 + 18 + 16 + 2) * Self.block)
        }

        @Test func allocateRefusesWhatDoesNotFit() {
            let b = Self.base
            var m = PhysicalMemory(start: b, end: b + 8 * Self.block)
            let got1 = m.allocate(size: 0)
            #expect(got1 == nil)
            let got2 = m.allocate(size: 9 * Self.block)
            #expect(got2 == nil)
            let got3 = m.allocate(size: UInt64.max)
            #expect(got3 == nil)
            #expect(m.freeBytes == 8 * Self.block)
            // Free bytes in total are enough, but no single range is.
            m.reserve(start: b + 4 * Self.block, end: b + 4 * Self.block + 1)
            let got4 = m.allocate(size: 6 * Self.block)
            #expect(got4 == nil)
            let got5 = m.allocate(size: 4 * Self.block)
            #expect(got5 == b)
            // Unaligned memory smaller than a block after rounding: nothing.
            var n = PhysicalMemory(start: b + 1, end: b + Self.block + 0x1000)
            let got6 = n.allocate(size: 0x1000)
            #expect(got6 == b + Self.block)
            let got7 = n.allocate(size: 0x1000)
            #expect(got7 == nil)
            // Memory at the very top of the address space: the rounding must not wrap.
            var top = PhysicalMemory(start: UInt64.max - 0x1000, end: UInt64.max)
            let got8 = top.allocate(size: 1)
            #expect(got8 == nil)
        }

        @Test func releaseMergesBothSides() {
            let b = Self.base, k = Self.block
            let total = 8 * k
            var m = PhysicalMemory(start: b, end: b + total)
            let x = m.allocate(size: 2 * k)!, y = m.allocate(size: 2 * k)!, z = m.allocate(size: 2 * k)!
            #expect([x, y, z] == [b, b + 2 * k, b + 4 * k])
            #expect(Self.ranges(m) == [[b + 6 * k, b + total]])
            // The middle one: no free neighbour.
            let released1 = m.release(start: y, size: 2 * k)
            #expect(released1)
            #expect(Self.ranges(m) == [[y, y + 2 * k], [b + 6 * k, b + total]])
            // The last one: merges with both y's range and the tail.
            let released2 = m.release(start: z, size: 2 * k)
            #expect(released2)
            #expect(Self.ranges(m) == [[y, b + total]])
            // The first one: merges upward into one range, all memory back.
            let released3 = m.release(start: x, size: 2 * k)
            #expect(released3)
            #expect(Self.ranges(m) == [[b, b + total]])
            #expect(m.freeBytes == total)
            // Merging downward only, then upward only.
            let p = m.allocate(size: 3 * k)!, q = m.allocate(size: k)!, r = m.allocate(size: 4 * k)!
            #expect([p, q, r] == [b, b + 3 * k, b + 4 * k])
            #expect(m.free.isEmpty)
            let released4 = m.release(start: p, size: 3 * k)
            #expect(released4)
            let released5 = m.release(start: q, size: k)
            #expect(released5)
            #expect(Self.ranges(m) == [[b, b + 4 * k]])
            let released6 = m.release(start: b + 6 * k, size: 2 * k)
            #expect(released6)                 // the top half of r
            let released7 = m.release(start: r, size: 2 * k)
            #expect(released7)                         // the rest: both sides
            #expect(Self.ranges(m) == [[b, b + total]])
            #expect(m.freeBytes == total)
        }

        @Test func releaseOfFreeMemoryIsRefused() {
            let b = Self.base, k = Self.block
            var m = PhysicalMemory(start: b, end: b + 8 * k)
            let x = m.allocate(size: 2 * k)!
            let y = m.allocate(size: 2 * k)!
            let released1 = m.release(start: x, size: 2 * k)
            #expect(released1)
            let before = Self.ranges(m)
            let bytes = m.freeBytes
            // Twice.
            let released2 = m.release(start: x, size: 2 * k)
            #expect(!released2)
            // Overlapping the free range from either side or inside it.
            let released3 = m.release(start: x + k, size: 2 * k)
            #expect(!released3)           // half free, half y
            let released4 = m.release(start: y + k, size: 2 * k)
            #expect(!released4)           // half y, half the free tail
            let released5 = m.release(start: b + 6 * k, size: k)
            #expect(!released5)           // wholly inside the tail
            let released6 = m.release(start: b, size: 8 * k)
            #expect(!released6)               // covers everything
            // Empty or wrapping.
            let released7 = m.release(start: y, size: 0)
            #expect(!released7)
            let released8 = m.release(start: UInt64.max - k + 1, size: 2 * k)
            #expect(!released8)
            #expect(Self.ranges(m) == before)
            #expect(m.freeBytes == bytes)
            let released9 = m.release(start: y, size: 2 * k)
            #expect(released9)
            #expect(m.freeBytes == 8 * k)
        }

        @Test func allocateReleaseAllocateReusesTheBlock() {
            let b = Self.base, k = Self.block
            var m = PhysicalMemory(start: b, end: b + 64 * k)
            m.reserve(start: b, end: b + 0x1_0000)
            let first = m.allocate(size: 8 * k)!
            let second = m.allocate(size: 4 * k)!
            let free = m.freeBytes
            let released1 = m.release(start: first, size: 8 * k)
            #expect(released1)
            #expect(m.freeBytes == free + 8 * k)
            let got1 = m.allocate(size: 8 * k)
            #expect(got1 == first)
            #expect(m.freeBytes == free)
            // A smaller request takes the hole's start too.
            let released2 = m.release(start: first, size: 8 * k)
            #expect(released2)
            let got2 = m.allocate(size: 2 * k)
            #expect(got2 == first)
            #expect(second == first + 8 * k)
        }

        /// A random allocate/release sequence against a bitmap of 2 MiB blocks: first fit is
        /// the lowest run of free blocks that is long enough, live blocks never overlap, the
        /// free ranges are exactly the maximal runs, and freeBytes matches.
        @Test func randomSequenceAgainstABitmap() {
            let k = Self.block
            let blocks = 96
            for seed: UInt64 in [1, 2, 0x5EED, 0xDEAD_BEEF] {
                var random = SplitMix64(seed: seed)
                let base: UInt64 = 0x8000_0000
                var m = PhysicalMemory(start: base, end: base + UInt64(blocks) * k)
                var model = [Bool](repeating: true, count: blocks)   // true = free
                // Aligned reservations: the firmware's two blocks and a few others.
                for reserved in [0, 1, 40, 77] {
                    m.reserve(start: base + UInt64(reserved) * k, end: base + UInt64(reserved + 1) * k)
                    model[reserved] = false
                }
                var live: [(start: UInt64, count: Int)] = []
                var allocations = 0, refusals = 0
                for step in 0..<3000 {
                    let action = Int.random(in: 0..<10, using: &random)
                    if action < 5 || live.isEmpty {
                        let count = Int.random(in: 1...12, using: &random)
                        var expected: Int? = nil
                        var i = 0
                        while i + count <= blocks {
                            if model[i..<i + count].allSatisfy({ $0 }) { expected = i; break }
                            i += 1
                        }
                        let expectedAddress = expected.map { base + UInt64($0) * k }
                        let got = m.allocate(size: UInt64(count) * k)
                        #expect(got == expectedAddress, "seed \(seed) step \(step) count \(count)")
                        guard got == expectedAddress else { return }   // diverged: the rest would repeat it
                        if let got, let first = expected {
                            #expect(got % k == 0)
                            for j in first..<first + count { model[j] = false }
                            live.append((got, count))
                            allocations += 1
                        } else {
                            refusals += 1
                        }
                    } else if action < 9 {
                        let index = Int.random(in: 0..<live.count, using: &random)
                        let block = live.remove(at: index)
                        let released1 = m.release(start: block.start, size: UInt64(block.count) * k)
                        #expect(released1)
                        let first = Int((block.start - base) / k)
                        for j in first..<first + block.count { model[j] = true }
                    } else {
                        // A bad release: a block that is free in the model (or part of one).
                        guard let j = model.firstIndex(of: true) else { continue }
                        let before = Self.ranges(m)
                        let released2 = m.release(start: base + UInt64(j) * k, size: k)
                        #expect(!released2, "seed \(seed) step \(step)")
                        #expect(Self.ranges(m) == before)
                    }
                    // Live blocks are disjoint.
                    let sorted = live.sorted { $0.start < $1.start }
                    for (a, b) in zip(sorted, sorted.dropFirst()) {
                        #expect(a.start + UInt64(a.count) * k <= b.start)
                    }
                    // The free list is the model's maximal runs.
                    var runs: [[UInt64]] = []
                    var j = 0
                    while j < blocks {
                        if model[j] {
                            let start = j
                            while j < blocks && model[j] { j += 1 }
                            runs.append([base + UInt64(start) * k, base + UInt64(j) * k])
                        } else {
                            j += 1
                        }
                    }
                    #expect(Self.ranges(m) == runs, "seed \(seed) step \(step)")
                    #expect(m.freeBytes == UInt64(model.filter { $0 }.count) * k)
                }
                // Both outcomes happened often enough to mean something.
                #expect(allocations > 100 && refusals > 10, "seed \(seed): \(allocations) allocations, \(refusals) refusals")
                // Everything back: the free memory is the initial set again.
                for held in live {
                    let released = m.release(start: held.start, size: UInt64(held.count) * k)
                    #expect(released)
                }
                #expect(m.freeBytes == UInt64(blocks - 4) * k)
                #expect(Self.ranges(m) == [[base + 2 * k, base + 40 * k], [base + 41 * k, base + 77 * k],
                                           [base + 78 * k, base + UInt64(blocks) * k]])
            }
        }
    }

    // MARK: - HartMask

    @Suite("SBI hart masks")
    struct HartMaskTests {
        /// The allocation-free walk the firmware's IPI path uses names exactly the harts
        /// `targets` names, and calls nothing when the mask is invalid.
        @Test func forEachTargetAgreesWithTargets() {
            var random = SplitMix64(seed: 12)
            for _ in 0..<5000 {
                let shapes: [UInt64] = [random.next(), random.next() & 0xFF, 1 << (random.next() % 64), 0]
                let mask = shapes[Int(random.next() % 4)]
                let bases: [UInt64] = [0, random.next() % 8, UInt64.max, UInt64.max - random.next() % 70, random.next()]
                let base = bases[Int(random.next() % 5)]
                let count = Int(random.next() % 10) + 1
                let hm = HartMask(mask: mask, base: base)
                var seen: [Int] = []
                let valid = hm.forEachTarget(count: count) { seen.append($0) }
                if let expected = hm.targets(count: count) {
                    #expect(valid && seen == expected, "mask \(mask) base \(base) count \(count)")
                } else {
                    #expect(!valid && seen.isEmpty, "mask \(mask) base \(base) count \(count)")
                }
            }
        }

        @Test func baseAllOnesMeansEveryHart() {
            for mask: UInt64 in [0, 1, 0xFF, UInt64.max] {
                let all = HartMask(mask: mask, base: UInt64.max)
                #expect(all.isAll)
                #expect(all.targets(count: 4) == [0, 1, 2, 3])
                #expect(all.targets(count: 1) == [0])
                #expect(all.bits(count: 4) == 0xF)
                #expect(all.bits(count: 64) == UInt64.max)
            }
            #expect(!HartMask(mask: 1, base: UInt64.max - 1).isAll)
        }

        @Test func bitsCountFromTheBase() {
            #expect(HartMask(mask: 0b1, base: 0).targets(count: 4) == [0])
            #expect(HartMask(mask: 0b1011, base: 0).targets(count: 4) == [0, 1, 3])
            #expect(HartMask(mask: 0b101, base: 2).targets(count: 8) == [2, 4])
            #expect(HartMask(mask: 0b1, base: 3).targets(count: 4) == [3])
            #expect(HartMask(mask: 1 << 63, base: 0).targets(count: 64) == [63])
            #expect(HartMask(mask: UInt64.max, base: 0).targets(count: 64) == Array(0..<64))
            #expect(HartMask(mask: 0b11, base: 62).targets(count: 64) == [62, 63])
        }

        @Test func aHartThatDoesNotExistIsAnError() {
            #expect(HartMask(mask: 0b10000, base: 0).targets(count: 4) == nil)
            #expect(HartMask(mask: 0b1, base: 4).targets(count: 4) == nil)
            #expect(HartMask(mask: 0b11, base: 3).targets(count: 4) == nil)   // 3 exists, 4 does not
            #expect(HartMask(mask: UInt64.max, base: 0).targets(count: 63) == nil)
            #expect(HartMask(mask: 1, base: 0).targets(count: 0) == nil)
            #expect(HartMask(mask: 0b10000, base: 0).bits(count: 4) == nil)
        }

        /// base + bit beyond 2^64 - 1 names no hart (and must not wrap to a small id).
        @Test func baseOverflow() {
            #expect(HartMask(mask: 0b100, base: UInt64.max - 1).targets(count: 4) == nil)
            #expect(HartMask(mask: 0b10, base: UInt64.max - 1).targets(count: 4) == nil)
            #expect(HartMask(mask: 1 << 3, base: UInt64.max - 2).targets(count: 4) == nil)   // would wrap to 0
            #expect(HartMask(mask: 1 << 5, base: UInt64.max - 2).targets(count: 4) == nil)   // would wrap to 2
            #expect(HartMask(mask: 1 << 63, base: 1 << 63).targets(count: 64) == nil)
            #expect(HartMask(mask: 0b11, base: UInt64.max - 1).targets(count: 64) == nil)
        }

        /// "hart_mask_base does not need to be an enabled ... hartid unless the zeroth bit of
        /// hart_mask is set" (SBI §3.1): an empty mask names no hart, whatever the base.
        @Test func emptyMask() {
            for base: UInt64 in [0, 3, 4, 1000, UInt64.max - 1] {
                #expect(HartMask(mask: 0, base: base).targets(count: 4) == [])
                #expect(HartMask(mask: 0, base: base).bits(count: 4) == 0)
            }
        }

        @Test func bitsOverIds() {
            #expect(HartMask(mask: 0b101, base: 2).bits(count: 8) == 0b10100)
            #expect(HartMask(mask: 0b1, base: 63).bits(count: 64) == 1 << 63)
            #expect(HartMask(mask: 0xF0, base: 0).bits(count: 8) == 0xF0)
            #expect(HartMask(mask: 0xF, base: 4).bits(count: 8) == 0xF0)
            #expect(HartMask(mask: UInt64.max, base: 0).bits(count: 64) == UInt64.max)
        }
    }

    // MARK: - ISAString

    @Suite("riscv,isa strings")
    struct ISAStrings {
        @Test func integerOnly() {
            let isa = ISAString("rv64imac")
            #expect(!isa.hasH)
            #expect(!isa.hasSstc)
            #expect(!isa.hasFP)
            #expect(isa.text == "rv64imac")
            #expect(isa.withoutH == "rv64imac")
        }

        @Test func gImpliesFloatingPoint() {
            let isa = ISAString("rv64gc")
            #expect(isa.hasFP)
            #expect(!isa.hasH)
            #expect(!isa.hasSstc)
            #expect(ISAString("rv64imafdc").hasFP)
            #expect(ISAString("rv64imafdc_zicsr").hasFP)
        }

        @Test func hAndSstcAsMultiLetterNames() {
            let isa = ISAString("rv64imafdc_h_zicsr_sstc")
            #expect(isa.hasH)
            #expect(isa.hasSstc)
            #expect(isa.hasFP)
            let h = ISAString("rv64imac_h")
            #expect(h.hasH)
            #expect(!h.hasSstc)
            #expect(!h.hasFP)
        }

        @Test func hAsASingleLetter() {
            let isa = ISAString("rv64imafdch_sstc")
            #expect(isa.hasH)
            #expect(isa.hasSstc)
            #expect(isa.hasFP)
            #expect(ISAString("rv64imafdch_zicsr_zifencei").hasH)
        }

        /// ISA names are case insensitive (Unpriv. "ISA Extension Naming Conventions").
        @Test func upperCase() {
            let isa = ISAString("RV64IMAFDC_H_ZICSR_SSTC")
            #expect(isa.hasH)
            #expect(isa.hasSstc)
            #expect(isa.hasFP)
            let single = ISAString("RV64GCH_Sstc")
            #expect(single.hasH)
            #expect(single.hasSstc)
            #expect(single.hasFP)
            #expect(!ISAString("RV64IMAC").hasFP)
        }

        @Test func lookalikesAreNotTheExtension() {
            // Zhinx, Shcounterenw, Sstc-prefixed longer names, Ssstateen: not H, not Sstc.
            let isa = ISAString("rv64imac_zhinx_shcounterenw_sstcx_ssstateen")
            #expect(!isa.hasH)
            #expect(!isa.hasSstc)
            #expect(!isa.hasFP)
            // The "rv64" prefix is not an extension letter.
            #expect(!ISAString("rv64i").hasH)
        }

        /// "All multi-letter extensions ... must be separated from other multi-letter
        /// extensions by an underscore: for example, RV32IMACZicsr_Zifencei" (Unpriv. naming
        /// conventions): the first multi-letter name may follow the single letters directly,
        /// and its letters are not single-letter extensions.
        @Test func multiLetterNameRightAfterTheSingleLetters() {
            let zicond = ISAString("rv64imaczicond_zicsr")
            #expect(!zicond.hasFP, "the d of Zicond is not D")
            #expect(!zicond.hasH)
            let pause = ISAString("rv64imafdczihintpause_zicsr")
            #expect(!pause.hasH, "the h of Zihintpause is not H")
            #expect(pause.hasFP)
            #expect(pause.withoutH == "rv64imafdczihintpause_zicsr")
            #expect(ISAString("RV32IMACZicsr_Zifencei").hasFP == false)
        }

        @Test func forGuestsDropsHAndZihpm() {
            #expect(ISAString("rv64imafdch_zicbom_zicntr_zihpm_zba_sstc").forGuests == "rv64imafdc_zicbom_zicntr_zba_sstc")
            #expect(ISAString("rv64imac_h_zihpm").forGuests == "rv64imac")
            #expect(ISAString("rv64imafdc_zicsr").forGuests == "rv64imafdc_zicsr")
        }

        @Test func withoutH() {
            #expect(ISAString("rv64imafdc_h_zicntr_zicsr_zifencei_sstc").withoutH
                    == "rv64imafdc_zicntr_zicsr_zifencei_sstc")
            #expect(ISAString("rv64imafdch_zicntr_zicsr_zifencei_sstc").withoutH
                    == "rv64imafdc_zicntr_zicsr_zifencei_sstc")
            #expect(ISAString("rv64imafdch").withoutH == "rv64imafdc")
            #expect(ISAString("rv64imac_h").withoutH == "rv64imac")
            #expect(ISAString("RV64IMAFDCH_SSTC").withoutH == "RV64IMAFDC_SSTC")
            #expect(ISAString("rv64imafdc_zicsr_h").withoutH == "rv64imafdc_zicsr")
            // Nothing to take away; names that merely contain an h stay.
            #expect(ISAString("rv64imafdc_zicsr_sstc").withoutH == "rv64imafdc_zicsr_sstc")
            #expect(ISAString("rv64imac_zhinx_shcounterenw").withoutH == "rv64imac_zhinx_shcounterenw")
            // The result has no H any more, and keeps Sstc and FP.
            let guest = ISAString(ISAString("rv64imafdch_sstc").withoutH)
            #expect(!guest.hasH)
            #expect(guest.hasSstc)
            #expect(guest.hasFP)
        }
    }

    // MARK: - Format

    @Suite("Number formatting")
    struct Formatting {
        @Test func hex() {
            #expect(Format.hex(0) == "0x0")
            #expect(Format.hex(1) == "0x1")
            #expect(Format.hex(0x1F) == "0x1f")
            #expect(Format.hex(0x8000_0000) == "0x80000000")
            #expect(Format.hex(0x0123_4567_89AB_CDEF) == "0x123456789abcdef")
            #expect(Format.hex(UInt64.max) == "0xffffffffffffffff")
            #expect(Format.hex(1 << 63) == "0x8000000000000000")
            #expect(Format.hexDigits(0x1000_0000) == "10000000")
            #expect(Format.hexDigits(0) == "0")
            for v: UInt64 in [0, 9, 10, 15, 16, 255, 0xDEAD_BEEF, UInt64.max - 1] {
                #expect(Format.hex(v) == "0x" + String(v, radix: 16))
            }
        }

        @Test func hexDigitsByByte() {
            var bytes: [UInt8] = []
            Format.hexDigits(0xA0) { bytes.append($0) }
            #expect(bytes == Array("a0".utf8))
        }

        @Test func dec() {
            #expect(Format.dec(0) == "0")
            #expect(Format.dec(1) == "1")
            #expect(Format.dec(9) == "9")
            #expect(Format.dec(10) == "10")
            #expect(Format.dec(100) == "100")
            #expect(Format.dec(4096) == "4096")
            #expect(Format.dec(10_000_000_000_000_000_000) == "10000000000000000000")
            #expect(Format.dec(UInt64.max) == "18446744073709551615")
            for v: UInt64 in [99, 999, 1000, 123_456_789, 9_999_999_999_999_999_999] {
                #expect(Format.dec(v) == String(v))
            }
        }

        @Test func percent() {
            #expect(Format.percent(1, of: 3) == "33.3")
            #expect(Format.percent(0, of: 0) == "0.0")
            #expect(Format.percent(0, of: 7) == "0.0")
            #expect(Format.percent(1, of: 2) == "50.0")
            #expect(Format.percent(1, of: 1000) == "0.1")
            #expect(Format.percent(123, of: 1000) == "12.3")
            for x: UInt64 in [1, 3, 1000, UInt64.max] {
                #expect(Format.percent(x, of: x) == "100.0")
            }
            // No overflow in value × 1000 for large counters (2^64 - 1 is divisible by 5).
            let fifth = UInt64.max / 5
            #expect(Format.percent(2 * fifth, of: UInt64.max) == "40.0")
            #expect(Format.percent(fifth, of: 4 * fifth) == "25.0")
        }
    }

    // MARK: - UART16550Registers

    @Suite("16550 register file")
    struct UART16550 {
        @Test func resetState() {
            let u = UART16550Registers()
            #expect(u.read(offset: 3, input: nil) == 0x03)       // LCR: 8N1
            #expect(u.read(offset: 1, input: nil) == 0)          // IER
            #expect(u.read(offset: 2, input: nil) == 0x01)       // IIR: no interrupt, no FIFOs
            #expect(u.read(offset: 5, input: nil) == 0x60)       // LSR: THRE | TEMT
            #expect(u.read(offset: 6, input: nil) == 0xB0)       // MSR: DCD | DSR | CTS
            #expect(u.read(offset: 7, input: nil) == 0)
            #expect(UART16550Registers.size == 0x100)
        }

        @Test func transmitOnlyWithDLABClear() {
            var u = UART16550Registers()
            let sent1 = u.write(offset: 0, value: 0x41)
            #expect(sent1 == 0x41)
            let sent2 = u.write(offset: 0, value: 0)
            #expect(sent2 == 0)
            let sent3 = u.write(offset: 0, value: 0xFF)
            #expect(sent3 == 0xFF)
            _ = u.write(offset: 3, value: 0x83)
            let sent4 = u.write(offset: 0, value: 0x42)
            #expect(sent4 == nil)
            _ = u.write(offset: 3, value: 0x03)
            let sent5 = u.write(offset: 0, value: 0x43)
            #expect(sent5 == 0x43)
            // No other register transmits.
            for offset: UInt64 in [1, 2, 4, 5, 6, 7, 8, 0xFF] {
                var v = UART16550Registers()
                let sent6 = v.write(offset: offset, value: 0x44)
                #expect(sent6 == nil, "offset \(offset)")
            }
        }

        @Test func divisorLatch() {
            var u = UART16550Registers()
            _ = u.write(offset: 1, value: 0x05)                 // IER
            _ = u.write(offset: 3, value: 0x83)                 // DLAB on
            #expect(u.read(offset: 0, input: 0x7A) == 0x01)      // DLL, not the input
            #expect(u.read(offset: 1, input: nil) == 0x00)       // DLM, not IER
            _ = u.write(offset: 0, value: 0x1B)
            _ = u.write(offset: 1, value: 0x02)
            #expect(u.read(offset: 0, input: nil) == 0x1B)
            #expect(u.read(offset: 1, input: nil) == 0x02)
            #expect(u.read(offset: 3, input: nil) == 0x83)
            _ = u.write(offset: 3, value: 0x03)                 // DLAB off
            #expect(u.read(offset: 1, input: nil) == 0x05)       // IER untouched
            #expect(u.read(offset: 0, input: 0x7A) == 0x7A)
            #expect(u.read(offset: 0, input: nil) == 0)
            _ = u.write(offset: 3, value: 0x80)
            #expect(u.read(offset: 0, input: nil) == 0x1B)       // divisor kept
            #expect(u.read(offset: 1, input: nil) == 0x02)
        }

        @Test func ierKeepsFourBits() {
            var u = UART16550Registers()
            _ = u.write(offset: 1, value: 0xFF)
            #expect(u.read(offset: 1, input: nil) == 0x0F)
            _ = u.write(offset: 1, value: 0xA5)
            #expect(u.read(offset: 1, input: nil) == 0x05)
        }

        @Test func lineStatus() {
            let u = UART16550Registers()
            #expect(u.read(offset: 5, input: nil) == 0x60)
            #expect(u.read(offset: 5, input: 0) == 0x61)         // a NUL byte is input too
            #expect(u.read(offset: 5, input: 0x41) == 0x61)
        }

        @Test func interruptIdentification() {
            var u = UART16550Registers()
            #expect(u.read(offset: 2, input: nil) == 0x01)
            _ = u.write(offset: 2, value: 0x07)                 // FIFOs on, both cleared
            #expect(u.read(offset: 2, input: nil) == 0xC1)
            #expect(u.read(offset: 2, input: 0x41) & 0x01 == 0x01)
            _ = u.write(offset: 2, value: 0x06)                 // FIFOs off
            #expect(u.read(offset: 2, input: nil) == 0x01)
            // IIR does not move with DLAB.
            _ = u.write(offset: 2, value: 0x01)
            _ = u.write(offset: 3, value: 0x83)
            #expect(u.read(offset: 2, input: nil) == 0xC1)
        }

        @Test func scratchAndModemControl() {
            var u = UART16550Registers()
            for v: UInt8 in [0, 0x5A, 0xA5, 0xFF] {
                _ = u.write(offset: 7, value: v)
                #expect(u.read(offset: 7, input: nil) == v)
            }
            _ = u.write(offset: 4, value: 0xFF)
            #expect(u.read(offset: 4, input: nil) == 0x1F)
            _ = u.write(offset: 3, value: 0x1B)
            #expect(u.read(offset: 3, input: nil) == 0x1B)
            // Outside the eight registers: reads 0, writes ignored.
            _ = u.write(offset: 8, value: 0x77)
            #expect(u.read(offset: 8, input: 0x41) == 0)
            #expect(u.read(offset: 0xFF, input: nil) == 0)
            #expect(u.read(offset: 7, input: nil) == 0xFF)
        }

        @Test func readTakesInput() {
            var u = UART16550Registers()
            #expect(u.readTakesInput(offset: 0))
            for offset: UInt64 in [1, 2, 3, 4, 5, 6, 7, 8] {
                #expect(!u.readTakesInput(offset: offset), "offset \(offset)")
            }
            _ = u.write(offset: 3, value: 0x83)
            #expect(!u.readTakesInput(offset: 0))
            _ = u.write(offset: 3, value: 0x03)
            #expect(u.readTakesInput(offset: 0))
        }
    }

    /// FP stores the classic VMM carries out on write-protected table pages.
    @Test func floatStoresDecode() {
        // fsd f1, 8(a0)
        #expect(MMIOAccess.decodeFloatStore(0x0015_3427) == MMIOAccess(isStore: true, width: 8, signExtend: false, register: 1, length: 4, base: 10, offset: 8))
        // fsw f2, -4(sp) = imm 0xffc: imm[11:5]=0x7f, imm[4:0]=0x1c
        #expect(MMIOAccess.decodeFloatStore(0xFE21_2E27) == MMIOAccess(isStore: true, width: 4, signExtend: false, register: 2, length: 4, base: 2, offset: -4))
        // c.fsdsp f8, 16(sp); c.fsd f9, 8(a1)
        #expect(MMIOAccess.decodeFloatStore(0xA822) == MMIOAccess(isStore: true, width: 8, signExtend: false, register: 8, length: 2, base: 2, offset: 16))
        #expect(MMIOAccess.decodeFloatStore(0xA584) == MMIOAccess(isStore: true, width: 8, signExtend: false, register: 9, length: 2, base: 11, offset: 8))
        // Not FP stores: sd a1, 0(a2); fld f1, 8(a0); c.sdsp
        #expect(MMIOAccess.decodeFloatStore(0x00B6_3023) == nil && MMIOAccess.decodeFloatStore(0x0085_3087) == nil)
        #expect(MMIOAccess.decodeFloatStore(0xE022) == nil)
    }
}
