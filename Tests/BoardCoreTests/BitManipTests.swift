@testable import BoardCore
import RISCV
import Testing

/// Zba, Zbb, Zbc, Zbs and Zfhmin in the decoder and the interpreter (Unpriv. "B" chapter;
/// "Zfhmin"). Encodings are clang 21's for `-march=…_zba_zbb_zbc_zbs_zfhmin`, rd = a0,
/// rs1 = a1, rs2 = a2; the conformance programs (Tests/programs-rva22-unpriv) check every result
/// against the spec's pseudocode, on the board and on QEMU.
@Suite struct BitManipDecoderTests {
    /// (word, operation, extension, immediate)
    static let table: [(UInt32, Op, Extensions, Int32)] = [
        (0x20C5_A533, .sh1add, .zba, 0),
        (0x20C5_C533, .sh2add, .zba, 0),
        (0x20C5_E533, .sh3add, .zba, 0),
        (0x08C5_853B, .addUw, .zba, 0),
        (0x20C5_A53B, .sh1addUw, .zba, 0),
        (0x20C5_C53B, .sh2addUw, .zba, 0),
        (0x20C5_E53B, .sh3addUw, .zba, 0),
        (0x0A15_951B, .slliUw, .zba, 33),
        (0x40C5_F533, .andn, .zbb, 0),
        (0x40C5_E533, .orn, .zbb, 0),
        (0x40C5_C533, .xnor, .zbb, 0),
        (0x6005_9513, .clz, .zbb, 0),
        (0x6005_951B, .clzw, .zbb, 0),
        (0x6015_9513, .ctz, .zbb, 0),
        (0x6015_951B, .ctzw, .zbb, 0),
        (0x6025_9513, .cpop, .zbb, 0),
        (0x6025_951B, .cpopw, .zbb, 0),
        (0x0AC5_E533, .max, .zbb, 0),
        (0x0AC5_F533, .maxu, .zbb, 0),
        (0x0AC5_C533, .min, .zbb, 0),
        (0x0AC5_D533, .minu, .zbb, 0),
        (0x6045_9513, .sextB, .zbb, 0),
        (0x6055_9513, .sextH, .zbb, 0),
        (0x0805_C53B, .zextH, .zbb, 0),
        (0x60C5_9533, .rol, .zbb, 0),
        (0x60C5_953B, .rolw, .zbb, 0),
        (0x60C5_D533, .ror, .zbb, 0),
        (0x6215_D513, .rori, .zbb, 33),
        (0x6115_D51B, .roriw, .zbb, 17),
        (0x60C5_D53B, .rorw, .zbb, 0),
        (0x2875_D513, .orcB, .zbb, 0),
        (0x6B85_D513, .rev8, .zbb, 0),
        (0x0AC5_9533, .clmul, .zbc, 0),
        (0x0AC5_B533, .clmulh, .zbc, 0),
        (0x0AC5_A533, .clmulr, .zbc, 0),
        (0x48C5_9533, .bclr, .zbs, 0),
        (0x4A15_9513, .bclri, .zbs, 33),
        (0x48C5_D533, .bext, .zbs, 0),
        (0x4A15_D513, .bexti, .zbs, 33),
        (0x68C5_9533, .binv, .zbs, 0),
        (0x6A15_9513, .binvi, .zbs, 33),
        (0x28C5_9533, .bset, .zbs, 0),
        (0x2A15_9513, .bseti, .zbs, 33),
        (0x0025_9507, .flh, .zfhmin, 0),
        (0x00A5_9127, .fsh, .zfhmin, 0),
    ]

    @Test func eachInstructionDecodesWithItsExtensionOnly() {
        for (word, op, ext, imm) in Self.table {
            let d = decode(word, ext.union(.fd))
            #expect(d.op == op, "\(hex(word)) → \(d.op), expected \(op)")
            #expect(d.raw == word)
            if op != .flh && op != .fsh {
                #expect(d.rd == 10 && d.rs1 == 11, "\(op) registers")
                if imm != 0 { #expect(d.imm == imm, "\(op) immediate \(d.imm)") }
            }
            // Without its extension (with every other one) it is illegal, mtval = the word.
            let without = decode(word, Extensions.all.subtracting(ext))
            #expect(without.op == .illegal && without.raw == word, "\(op) without \(ext)")
            #expect(decode(word, []).op == .illegal)
        }
    }

    @Test func neighbouringEncodingsStayIllegal() {
        for word: UInt32 in [
            0x6035_9513,  // OP-IMM funct3 1, imm 0x603 (between cpop and sext.b)
            0x6065_9513,  // imm 0x606
            0x0805_C53B | (1 << 20),  // zext.h with rs2 = 1
            0x6035_951B,  // OP-IMM-32 0x603
            0x2885_D513,  // orc.b's neighbour 0x288
            0x6B95_D513,  // rev8's neighbour 0x6b9 (rev8.w does not exist on RV64)
            0x0AC5_8533,  // OP funct7 0x05 funct3 0 (no such Zbb/Zbc op)
            0x4AC5_9533,  // OP funct7 0x25
            0x0205_951B | (1 << 25),  // slliw with funct7 0x01
        ] {
            #expect(decode(word, .all).op == .illegal, "\(hex(word))")
        }
    }

    @Test func costs() {
        #expect(CycleModel.baseCost(.clmul) == CycleModel.mul)
        #expect(CycleModel.baseCost(.clmulr) == CycleModel.mul)
        for op: Op in [.sh1add, .addUw, .andn, .clz, .cpopw, .max, .rol, .roriw, .orcB, .rev8, .bext, .bseti, .sextH] {
            #expect(CycleModel.baseCost(op) == CycleModel.alu, "\(op)")
        }
        #expect(CycleModel.baseCost(.flh) == CycleModel.loadByteHalf)
        #expect(CycleModel.baseCost(.fsh) == CycleModel.store)
    }

    /// PAUSE and the PREFETCH hints decode as FENCE and ORI x0 whatever the extensions.
    @Test func hints() {
        for ext in [Extensions.all, []] {
            #expect(decode(0x0100_000F, ext).op == .fence)  // pause
            let prefetch = decode(0x0415_6013, ext)          // prefetch.r 64(a0)
            #expect(prefetch.op == .ori && prefetch.rd == sinkRegister)
        }
    }
}

@Suite struct BitManipReferenceTests {
    @Test func helpers() {
        #expect(BitManip.orcB(0x0001_0080_FF00_0010) == 0x00FF_00FF_FF00_00FF)
        #expect(BitManip.orcB(0) == 0)
        #expect(BitManip.orcB(.max) == .max)
        #expect(BitManip.clmul(.max, .max) == (0x5555_5555_5555_5555, 0x5555_5555_5555_5555))
        #expect(BitManip.clmulr(.max, .max) == 0xAAAA_AAAA_AAAA_AAAA)
        #expect(BitManip.clmul(1 << 63, 1 << 63) == (0, 1 << 62))
        #expect(BitManip.rotateLeft(0x8000_0000_0000_0001, 1) == 3)
        #expect(BitManip.rotateLeft(0x8000_0000_0000_0001, 0) == 0x8000_0000_0000_0001)
        #expect(BitManip.rotateLeft32(0x1_8000_0001, 0 &- 1) == 0xC000_0000)
    }
}
