import Testing
@testable import BoardCore
import RISCV

private let minI64 = UInt64(1) << 63
private let maxU64 = UInt64.max
private func s(_ v: Int64) -> UInt64 { UInt64(bitPattern: v) }

/// Runs one instruction at the start of DRAM with a1/a2 preset and returns a0.
private func exec(_ b: TestBoard, _ word: UInt32, _ x: UInt64, _ y: UInt64 = 0) -> UInt64 {
    b.load([word, j(0)])
    b.hart.pc = TestBoard.base
    b[a0] = 0x5A5A_5A5A_5A5A_5A5A
    b[a1] = x
    b[a2] = y
    let before = b.hart.instret
    b.step()
    #expect(b.hart.pc == TestBoard.base + 4, "\(hex(word)) fell through")
    #expect(b.hart.instret == before + 1)
    return b[a0]
}

@Suite("Execution: integer ALU (Unpriv. §2.4, §4.2, §13)")
struct ALUTests {
    @Test func registerRegister() {
        let b = TestBoard()
        let cases: [(UInt32, UInt64, UInt64, UInt64, String)] = [
            (add(a0, a1, a2), maxU64, 1, 0, "add wraps"),
            (add(a0, a1, a2), 0x7FFF_FFFF_FFFF_FFFF, 1, minI64, "add signed overflow"),
            (sub(a0, a1, a2), 0, 1, maxU64, "sub 0 - 1"),
            (sub(a0, a1, a2), minI64, 1, 0x7FFF_FFFF_FFFF_FFFF, "sub INT_MIN - 1"),
            (sll(a0, a1, a2), 0x8000_0000_0000_0001, 0, 0x8000_0000_0000_0001, "sll by 0"),
            (sll(a0, a1, a2), 1, 31, 0x8000_0000, "sll by 31"),
            (sll(a0, a1, a2), 1, 63, minI64, "sll by 63"),
            (sll(a0, a1, a2), 1, 64, 1, "sll uses rs2[5:0] (64 → 0)"),
            (sll(a0, a1, a2), 1, 0xFFFF_FFFF_FFFF_FFC1, 2, "sll uses rs2[5:0] (…c1 → 1)"),
            (srl(a0, a1, a2), minI64, 63, 1, "srl by 63"),
            (srl(a0, a1, a2), minI64, 0, minI64, "srl by 0"),
            (srl(a0, a1, a2), maxU64, 31, 0x1_FFFF_FFFF, "srl by 31"),
            (sra(a0, a1, a2), minI64, 63, maxU64, "sra by 63"),
            (sra(a0, a1, a2), minI64, 31, 0xFFFF_FFFF_0000_0000, "sra by 31"),
            (sra(a0, a1, a2), 0x4000_0000_0000_0000, 62, 1, "sra positive"),
            (sra(a0, a1, a2), minI64, 64 + 4, 0xF800_0000_0000_0000, "sra uses rs2[5:0]"),
            (slt(a0, a1, a2), minI64, 0, 1, "slt INT_MIN < 0"),
            (slt(a0, a1, a2), 0, minI64, 0, "slt 0 < INT_MIN"),
            (slt(a0, a1, a2), maxU64, 1, 1, "slt -1 < 1"),
            (slt(a0, a1, a2), 5, 5, 0, "slt equal"),
            (sltu(a0, a1, a2), maxU64, 1, 0, "sltu max < 1"),
            (sltu(a0, a1, a2), 1, maxU64, 1, "sltu 1 < max"),
            (sltu(a0, zero, a2), 0, 3, 1, "sltu x0 < 3 (snez)"),
            (sltu(a0, zero, a2), 0, 0, 0, "sltu x0 < 0"),
            (xor(a0, a1, a2), 0xFF00_FF00_FF00_FF00, 0x0FF0_0FF0_0FF0_0FF0, 0xF0F0_F0F0_F0F0_F0F0, "xor"),
            (or(a0, a1, a2), 0xFF00_0000_0000_0000, 0x0000_0000_0000_00FF, 0xFF00_0000_0000_00FF, "or"),
            (and(a0, a1, a2), 0xFF00_FF00_FF00_FF00, 0x0FF0_0FF0_0FF0_0FF0, 0x0F00_0F00_0F00_0F00, "and"),
            // W forms: operate on the low 32 bits, sign-extend the 32-bit result.
            (addw(a0, a1, a2), 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000, "addw overflow sign-extends"),
            (addw(a0, a1, a2), 0x1234_5678_0000_0001, 0xFFFF_FFFF_0000_0001, 2, "addw ignores upper bits"),
            (subw(a0, a1, a2), 0, 1, maxU64, "subw 0 - 1"),
            (subw(a0, a1, a2), 0x8000_0000, 1, 0x7FFF_FFFF, "subw INT32_MIN - 1"),
            (sllw(a0, a1, a2), 1, 31, 0xFFFF_FFFF_8000_0000, "sllw by 31 sign-extends"),
            (sllw(a0, a1, a2), 1, 32, 1, "sllw uses rs2[4:0]"),
            (sllw(a0, a1, a2), 0xFFFF_FFFF_0000_0003, 0, 3, "sllw by 0 drops upper bits"),
            (srlw(a0, a1, a2), 0x8000_0000, 0, 0xFFFF_FFFF_8000_0000, "srlw by 0 sign-extends bit 31"),
            (srlw(a0, a1, a2), 0xFFFF_FFFF_8000_0000, 31, 1, "srlw by 31"),
            (srlw(a0, a1, a2), 0x8000_0000, 1, 0x4000_0000, "srlw by 1"),
            (sraw(a0, a1, a2), 0x8000_0000, 31, maxU64, "sraw by 31"),
            (sraw(a0, a1, a2), 0x1_7FFF_FFFF, 4, 0x07FF_FFFF, "sraw ignores bit 32"),
            (sraw(a0, a1, a2), 0x8000_0000, 32 + 4, 0xFFFF_FFFF_F800_0000, "sraw uses rs2[4:0]"),
        ]
        for (w, x, y, want, what) in cases {
            let got = exec(b, w, x, y)
            #expect(got == want, "\(what): got \(hex(got)), want \(hex(want))")
        }
    }

    @Test func registerImmediate() {
        let b = TestBoard()
        let cases: [(UInt32, UInt64, UInt64, String)] = [
            (addi(a0, a1, -2048), 0, s(-2048), "addi -2048"),
            (addi(a0, a1, 2047), maxU64, 2046, "addi wraps"),
            (slti(a0, a1, -1), minI64, 1, "slti INT_MIN < -1"),
            (slti(a0, a1, -1), 0, 0, "slti 0 < -1"),
            (sltiu(a0, a1, -1), 0xFFFF_FFFF_FFFF_FFFE, 1, "sltiu imm -1 is UINT64_MAX"),
            (sltiu(a0, a1, -1), maxU64, 0, "sltiu max < max"),
            (sltiu(a0, a1, 1), 0, 1, "sltiu 0 < 1 (seqz)"),
            (xori(a0, a1, -1), 0x0F0F, ~UInt64(0x0F0F), "xori -1 (not)"),
            (ori(a0, a1, -2048), 1, s(-2047), "ori sign-extended imm"),
            (andi(a0, a1, -16), maxU64, s(-16), "andi sign-extended imm"),
            (andi(a0, a1, 0x7FF), maxU64, 0x7FF, "andi 0x7ff"),
            (slli(a0, a1, 0), 0x8000_0000_0000_0001, 0x8000_0000_0000_0001, "slli 0"),
            (slli(a0, a1, 31), 3, 0x1_8000_0000, "slli 31"),
            (slli(a0, a1, 63), 3, minI64, "slli 63"),
            (srli(a0, a1, 63), maxU64, 1, "srli 63"),
            (srli(a0, a1, 31), maxU64, 0x1_FFFF_FFFF, "srli 31"),
            (srai(a0, a1, 63), minI64, maxU64, "srai 63"),
            (srai(a0, a1, 0), minI64, minI64, "srai 0"),
            (srai(a0, a1, 31), 0x8000_0000, 1, "srai positive"),
            (addiw(a0, a1, 1), 0x7FFF_FFFF, 0xFFFF_FFFF_8000_0000, "addiw overflow"),
            (addiw(a0, a1, 0), 0xFFFF_FFFF_0000_0000 | 0x8000_0001, 0xFFFF_FFFF_8000_0001, "sext.w"),
            (addiw(a0, a1, 0), 0x1_7FFF_FFFF, 0x7FFF_FFFF, "sext.w positive"),
            (slliw(a0, a1, 31), 1, 0xFFFF_FFFF_8000_0000, "slliw 31"),
            (slliw(a0, a1, 0), 0x1_0000_0002, 2, "slliw 0"),
            (srliw(a0, a1, 0), 0xFFFF_FFFF, maxU64, "srliw 0 sign-extends"),
            (srliw(a0, a1, 31), 0x8000_0000, 1, "srliw 31"),
            (srliw(a0, a1, 4), 0xF_8000_0000, 0x0800_0000, "srliw ignores upper bits"),
            (sraiw(a0, a1, 31), 0x8000_0000, maxU64, "sraiw 31"),
            (sraiw(a0, a1, 4), 0x7FFF_FFFF, 0x07FF_FFFF, "sraiw positive"),
            (lui(a0, 0x80000), 0, 0xFFFF_FFFF_8000_0000, "lui sign-extends"),
            (lui(a0, 0x7FFFF), 0, 0x7FFF_F000, "lui positive"),
            (auipc(a0, 0), 0, TestBoard.base, "auipc 0"),
            (auipc(a0, 0xFFFFF), 0, TestBoard.base - 0x1000, "auipc negative"),
            (auipc(a0, 0x80000), 0, TestBoard.base &- 0x8000_0000, "auipc -2 GiB"),
        ]
        for (w, x, want, what) in cases {
            let got = exec(b, w, x)
            #expect(got == want, "\(what): got \(hex(got)), want \(hex(want))")
        }
    }

    @Test func multiply() {
        let b = TestBoard()
        let cases: [(UInt32, UInt64, UInt64, UInt64, String)] = [
            (mul(a0, a1, a2), 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFE_0000_0001, "mul"),
            (mul(a0, a1, a2), maxU64, maxU64, 1, "mul -1 * -1"),
            (mulh(a0, a1, a2), maxU64, maxU64, 0, "mulh -1 * -1"),
            (mulh(a0, a1, a2), minI64, minI64, 0x4000_0000_0000_0000, "mulh INT_MIN²"),
            (mulh(a0, a1, a2), minI64, 1, maxU64, "mulh INT_MIN * 1"),
            (mulh(a0, a1, a2), s(-2), 3, maxU64, "mulh -2 * 3"),
            (mulhu(a0, a1, a2), maxU64, maxU64, 0xFFFF_FFFF_FFFF_FFFE, "mulhu max²"),
            (mulhu(a0, a1, a2), minI64, 2, 1, "mulhu 2^63 * 2"),
            (mulhsu(a0, a1, a2), maxU64, maxU64, maxU64, "mulhsu -1 * (2^64-1)"),
            (mulhsu(a0, a1, a2), minI64, maxU64, minI64, "mulhsu INT_MIN * (2^64-1) = -2^127 + 2^63"),
            (mulhsu(a0, a1, a2), 2, maxU64, 1, "mulhsu 2 * (2^64-1)"),
            (mulhsu(a0, a1, a2), s(-1), 1, maxU64, "mulhsu -1 * 1"),
            (mulhsu(a0, a1, a2), s(-1), 0, 0, "mulhsu -1 * 0"),
            (mulw(a0, a1, a2), 0x10000, 0x8000, 0xFFFF_FFFF_8000_0000, "mulw sign-extends"),
            (mulw(a0, a1, a2), 0x1_0000_0003, 0x2_0000_0005, 15, "mulw ignores upper bits"),
        ]
        for (w, x, y, want, what) in cases {
            let got = exec(b, w, x, y)
            #expect(got == want, "\(what): got \(hex(got)), want \(hex(want))")
        }
    }

    /// Unpriv. §13.2, table "Semantics for division by zero and division overflow".
    @Test func divideEdgeCases() {
        let b = TestBoard()
        let int32Min: UInt64 = 0xFFFF_FFFF_8000_0000
        let cases: [(UInt32, UInt64, UInt64, UInt64, String)] = [
            (div(a0, a1, a2), 7, 0, maxU64, "div by zero → -1"),
            (divu(a0, a1, a2), 7, 0, maxU64, "divu by zero → 2^64-1"),
            (rem(a0, a1, a2), s(-7), 0, s(-7), "rem by zero → dividend"),
            (remu(a0, a1, a2), 7, 0, 7, "remu by zero → dividend"),
            (div(a0, a1, a2), minI64, maxU64, minI64, "div overflow → INT_MIN"),
            (rem(a0, a1, a2), minI64, maxU64, 0, "rem overflow → 0"),
            (divu(a0, a1, a2), minI64, maxU64, 0, "divu 2^63 / max"),
            (remu(a0, a1, a2), minI64, maxU64, minI64, "remu 2^63 % max"),
            (div(a0, a1, a2), s(-7), 2, s(-3), "div rounds toward zero"),
            (rem(a0, a1, a2), s(-7), 2, s(-1), "rem has the dividend's sign"),
            (rem(a0, a1, a2), 7, s(-2), 1, "rem positive dividend"),
            (divu(a0, a1, a2), maxU64, 2, 0x7FFF_FFFF_FFFF_FFFF, "divu"),
            (remu(a0, a1, a2), maxU64, 10, 5, "remu"),
            (divw(a0, a1, a2), 7, 0, maxU64, "divw by zero → -1"),
            (divuw(a0, a1, a2), 7, 0, maxU64, "divuw by zero → 2^32-1 sign-extended"),
            (remw(a0, a1, a2), 0x1_8000_0000, 0, int32Min, "remw by zero → sext(dividend[31:0])"),
            (remuw(a0, a1, a2), 0x1_8000_0000, 0, int32Min, "remuw by zero → sext(dividend[31:0])"),
            (divw(a0, a1, a2), 0x8000_0000, 0xFFFF_FFFF, int32Min, "divw overflow → INT32_MIN"),
            (remw(a0, a1, a2), 0x8000_0000, 0xFFFF_FFFF, 0, "remw overflow → 0"),
            (divw(a0, a1, a2), 0x1_FFFF_FFF9, 2, s(-3), "divw uses the low words"),
            (remw(a0, a1, a2), 0xFFFF_FFF9, 2, s(-1), "remw sign"),
            (divuw(a0, a1, a2), 0xFFFF_FFFF, 1, maxU64, "divuw result sign-extends"),
            (divuw(a0, a1, a2), 0xFFFF_FFFF, 2, 0x7FFF_FFFF, "divuw"),
            (remuw(a0, a1, a2), 0xFFFF_FFFF, 0x1_0000_0010, 0xF, "remuw uses the low words"),
            (divuw(a0, a1, a2), 0x8000_0000, 0xFFFF_FFFF, 0, "divuw 2^31 / (2^32-1)"),
            (remuw(a0, a1, a2), 0x8000_0000, 0xFFFF_FFFF, int32Min, "remuw 2^31 % (2^32-1), sign-extended"),
            (divu(a0, a1, a2), maxU64, maxU64, 1, "divu max / max"),
        ]
        for (w, x, y, want, what) in cases {
            let got = exec(b, w, x, y)
            #expect(got == want, "\(what): got \(hex(got)), want \(hex(want))")
        }
    }

    @Test func liMaterialisesAnyConstant() {
        // Also exercises lui/addi/addiw/slli on many values.
        let b = TestBoard()
        var values: [UInt64] = [0, 1, maxU64, minI64, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x7FFF_F800, 0x8000_0000_0000_0800,
                                0x1234_5678_9ABC_DEF0, 0xFFFF_FFFF_8000_0000, 0x0000_0001_0000_0000, TestBoard.base]
        var v: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<40 { v = v &* 6364136223846793005 &+ 1442695040888963407; values.append(v >> (v & 63)) }
        for value in values {
            b.runProgram(li(a0, value))
            #expect(b[a0] == value, "li a0, \(hex(value))")
        }
    }

    @Test func x0IsNeverWritten() {
        let b = TestBoard()
        b[a0] = TestBoard.data
        let prog: [UInt32] = [
            addi(zero, zero, 5),          // addi x0, x0, 5
            lui(zero, 0x12345),           // lui x0, 0x12345
            auipc(zero, 1),               // auipc x0, 1
            ld(zero, 0, a0),              // ld x0, 0(a0)
            jal(zero, 4),                 // jal x0, +4
            csrr(zero, CSR.mscratch),     // csrr x0, mscratch
            amo(.add, wide: true, zero, a0, a0), // amoadd.d x0, a0, (a0)
            lrD(zero, a0),                // lr.d x0, (a0)
            scD(zero, a0, a0),            // sc.d x0, a0, (a0)
            mul(zero, a0, a0),            // mul x0, a0, a0
            add(a1, zero, zero),          // add a1, x0, x0 (reads x0)
        ]
        b.write64(TestBoard.data, 0x1111)
        b[a1] = 77
        b.runProgram(prog)
        #expect(b[zero] == 0)
        #expect(b[a1] == 0)
        #expect(b.read64(TestBoard.data) == TestBoard.data, "amoadd.d, then sc.d stored a0")
        // Compressed HINTs with rd = x0 (c.li, c.mv, c.add, c.slli, c.lui) leave x0 alone too.
        b.runProgram([.h(c_li(zero, 5)), .h(c_mv(zero, a0)), .h(c_add(zero, a0)), .h(c_slli(zero, 3)), .h(c_lui(zero, 1)),
                      .h(c_addi(zero, 1)), .h(c_nop())])
        #expect(b[zero] == 0)
        #expect(b.hart.pc == TestBoard.base + 14)
    }
}

@Suite("Execution: jumps and branches (Unpriv. §2.5)")
struct ControlTransferTests {
    @Test func jalAndJalrLinkValues() {
        let b = TestBoard()
        let base = TestBoard.base
        b.load([
            jal(ra, 12),                 // 0x00: jal ra, +12 → 0x0c
            nop,                         // 0x04
            nop,                         // 0x08
            auipc(t0, 0),                // 0x0c: t0 = 0x0c
            jalr(t1, t0, 13),            // 0x10: jalr t1, 13(t0) → (0x0c+13) & ~1 = 0x18
            nop,                         // 0x14
            jalr(t0, t0, 0x21),          // 0x18: jalr t0, 0x21(t0): target uses old t0 → 0x2c; t0 = 0x1c
            nop, nop, nop,               // 0x1c..0x24
            nop,                         // 0x28
            jal(s1, -0x2c),              // 0x2c: jal s1, -0x2c → 0x00
        ])
        b.hart.pc = base
        b.step()
        #expect(b.hart.pc == base + 0x0C && b[ra] == base + 4)
        b.step(); b.step()
        #expect(b.hart.pc == base + 0x18, "jalr clears bit 0 of the target")
        #expect(b[t1] == base + 0x14)
        b.step()
        #expect(b.hart.pc == base + 0x2C, "jalr with rd == rs1 uses the old rs1")
        #expect(b[t0] == base + 0x1C)
        b.step()
        #expect(b.hart.pc == base && b[s1] == base + 0x30, "backward jal")
    }

    @Test func compressedJumpLinks() {
        let b = TestBoard()
        let base = TestBoard.base
        b.load([
            .h(c_jalr(t0)),              // 0x00: c.jalr t0 → ra = 0x02
            .h(c_nop()),                 // 0x02
            .h(c_j(6)),                  // 0x04: c.j +6 → 0x0a
            .h(c_nop()),                 // 0x06
            .h(c_nop()),                 // 0x08
            .h(c_jr(ra)),                // 0x0a: c.jr ra → 0x02
        ])
        b[t0] = base + 4 + 1             // odd target: bit 0 is cleared
        b.hart.pc = base
        b.step()
        #expect(b.hart.pc == base + 4 && b[ra] == base + 2)
        b.step()
        #expect(b.hart.pc == base + 0x0A)
        b.step()
        #expect(b.hart.pc == base + 2 && b[ra] == base + 2)
    }

    @Test func branchesTakenAndNotTaken() {
        let b = TestBoard()
        typealias Enc = (Int, Int, Int) -> UInt32
        let m1 = maxU64
        let cases: [(Enc, UInt64, UInt64, Bool, String)] = [
            (beq, 5, 5, true, "beq equal"), (beq, 5, 6, false, "beq different"),
            (bne, 5, 6, true, "bne different"), (bne, m1, m1, false, "bne equal"),
            (blt, m1, 0, true, "blt -1 < 0"), (blt, 0, m1, false, "blt 0 < -1"), (blt, 3, 3, false, "blt equal"),
            (blt, minI64, 0x7FFF_FFFF_FFFF_FFFF, true, "blt INT_MIN < INT_MAX"),
            (bge, 3, 3, true, "bge equal"), (bge, 0, m1, true, "bge 0 >= -1"), (bge, m1, 0, false, "bge -1 >= 0"),
            (bltu, 0, m1, true, "bltu 0 < max"), (bltu, m1, 0, false, "bltu max < 0"), (bltu, 7, 7, false, "bltu equal"),
            (bgeu, m1, 0, true, "bgeu max >= 0"), (bgeu, 0, m1, false, "bgeu 0 >= max"), (bgeu, 7, 7, true, "bgeu equal"),
        ]
        for (enc, x, y, taken, what) in cases {
            // Forward: taken skips the marker.
            b[a1] = x; b[a2] = y; b[a0] = 0
            b.runProgram([
                enc(a1, a2, 8),          // bX a1, a2, +8
                addi(a0, zero, 1),       // addi a0, x0, 1 (not taken)
            ])
            #expect(b[a0] == (taken ? 0 : 1), "forward \(what)")
            // Backward: taken goes back to a marker before the branch.
            b[a0] = 0
            b.load([
                j(8),                    // 0x00: j +8
                addi(a0, zero, 2),       // 0x04: reached only backward
                enc(a1, a2, -4),         // 0x08: bX a1, a2, -4
                j(0),                    // 0x0c: j . (not taken)
            ])
            b.hart.pc = TestBoard.base
            b.step(); b.step()
            #expect(b.hart.pc == TestBoard.base + (taken ? 4 : 0xC), "backward \(what)")
        }
        // Compressed branches compare with x0.
        for (v, taken) in [(UInt64(0), true), (1, false), (m1, false)] {
            b[a2] = v; b[a0] = 0
            b.runProgram([.h(c_beqz(a2, 4)), .h(c_li(a0, 1))])   // c.beqz a2, +4; c.li a0, 1
            #expect(b[a0] == (taken ? 0 : 1), "c.beqz \(v)")
            b[a0] = 0
            b.runProgram([.h(c_bnez(a2, 4)), .h(c_li(a0, 1))])   // c.bnez a2, +4; c.li a0, 1
            #expect(b[a0] == (taken ? 1 : 0), "c.bnez \(v)")
        }
    }

    @Test func countedLoopAndCrossPageBranch() {
        let b = TestBoard()
        let loop: [UInt32] = [
            addi(t0, zero, 5),           // addi t0, x0, 5
            addi(t1, zero, 0),           // addi t1, x0, 0
            addi(t1, t1, 3),             // loop: addi t1, t1, 3
            addi(t0, t0, -1),            //       addi t0, t0, -1
            bne(t0, zero, -8),           //       bne t0, x0, loop
        ]
        b.runProgram(loop, stepping: true)
        #expect(b[t1] == 15)
        #expect(b.hart.instret == 2 + 3 * 5)
        b[t1] = 0
        b.runProgram(loop)               // block mode: the final `j .` may have run once too
        #expect(b[t1] == 15)
        #expect([2 * 17, 2 * 17 + 1].contains(b.hart.instret))
        // A branch near the end of a page whose target is on the next page, and back.
        let at = TestBoard.base + 0x2000 - 8
        b.load([
            beq(zero, zero, 12),         // at:     beq x0, x0, +12 → next page + 4
            nop,                         // at+4
        ], at: at)
        b.load([
            nop,                         // page+0
            addi(a0, zero, 9),           // page+4
            bne(a0, zero, -12),          // page+8: back to at+4 (previous page)
        ], at: TestBoard.base + 0x2000)
        b.hart.pc = at
        b.step(); #expect(b.hart.pc == TestBoard.base + 0x2004)
        b.step(); b.step()
        #expect(b.hart.pc == at + 4)
        #expect(b[a0] == 9)
    }
}

@Suite("Execution: page boundaries and the boot ROM")
struct PageBoundaryTests {
    @Test func straightLineCodeAcrossAPageBoundary() {
        // Falls through a 16-bit instruction in the last halfword, then a 32-bit one that
        // straddles the next boundary: same results, cycles and instret stepping or not.
        var runs: [(UInt64, UInt64, UInt64)] = []
        for stepping in [false, true] {
            let b = TestBoard()
            let p1 = TestBoard.base + 0x1000, p2 = TestBoard.base + 0x2000
            b.load([.w(addi(a0, a0, 1)), .w(addi(a0, a0, 2)), .h(c_addi(a0, 4))], at: p1 - 10)   // …, c.addi at p1-2
            b.load([.w(addi(a0, a0, 8))], at: p1)
            b.load([.h(c_addi(a0, 16)), .w(addi(a0, a0, 32)), .w(j(0))], at: p2 - 4)   // addi at p2-2 straddles
            b.load([.w(j(Int(p2 - 4 - (p1 + 4))))], at: p1 + 4)                            // j to p2-4
            b.hart.pc = p1 - 10
            #expect(b.run(to: [p2 + 2], stepping: stepping) == p2 + 2)
            #expect(b[a0] == 63, "stepping \(stepping)")
            runs.append((b[a0], b.hart.cycles, b.hart.instret))
        }
        #expect(runs[0] == runs[1])
    }

    @Test func codeRunsFromTheBootROM() {
        let b = TestBoard()
        b.load([addi(a0, zero, 5), j(0)], at: VirtMap.bootROM)
        b.hart.pc = VirtMap.bootROM
        #expect(b.run(to: [VirtMap.bootROM + 4]) == VirtMap.bootROM + 4)
        #expect(b[a0] == 5)
        // The ROM is readable by loads.
        b[a1] = VirtMap.bootROM
        b.runProgram([lw(t0, 0, a1)])
        #expect(b[t0] == UInt64(addi(a0, zero, 5)))
    }
}

@Suite("Execution: commit-log helpers")
struct CommitLogTests {
    @Test func decodedWordAndWrittenRegisterAfterEachStep() {
        let b = TestBoard()
        b[a1] = TestBoard.data
        b.load([.w(addi(a0, zero, 42)), .h(c_addi(a0, 1)), .w(sd(a0, 0, a1)), .w(0xFFFF_FFFF)])
        b.hart.pc = TestBoard.base
        b.step()
        #expect(b.hart.decodedWord(at: TestBoard.base) == addi(a0, zero, 42))
        #expect(b.hart.lastWrittenRegister(pc: TestBoard.base)! == (a0, 42))
        b.step()
        #expect(b.hart.decodedWord(at: TestBoard.base + 4) == UInt32(c_addi(a0, 1)), "16 bits for a compressed instruction")
        #expect(b.hart.lastWrittenRegister(pc: TestBoard.base + 4)! == (a0, 43))
        b.step()
        #expect(b.hart.decodedWord(at: TestBoard.base + 6) == sd(a0, 0, a1))
        #expect(b.hart.lastWrittenRegister(pc: TestBoard.base + 6) == nil, "a store writes no register")
        b.hart.clearLastTrap()
        b.step()
        #expect(b.hart.lastTrap == Trap(.illegalInstruction, 0xFFFF_FFFF))
        #expect(b.hart.pc == TestBoard.mHandler)
    }
}

@Suite("Execution: loads and stores (Unpriv. §2.6, §4.3)")
struct LoadStoreTests {
    @Test func everyWidthWithExtension() {
        let b = TestBoard()
        let d = TestBoard.data
        b.write64(d, 0x8182_8384_F5F6_F7F8)
        b.write64(d + 8, 0x0102_0304_0506_0708)
        b[a0] = d
        b.runProgram([
            lb(t0, 0, a0),               // lb  t0, 0(a0)  = sext(0xf8)
            lbu(t1, 0, a0),              // lbu t1, 0(a0)  = 0xf8
            lh(t2, 0, a0),               // lh  t2, 0(a0)  = sext(0xf7f8)
            lhu(s0, 0, a0),              // lhu s0, 0(a0)
            lw(s1, 0, a0),               // lw  s1, 0(a0)  = sext(0xf5f6f7f8)
            lwu(a1, 0, a0),              // lwu a1, 0(a0)
            ld(a2, 0, a0),               // ld  a2, 0(a0)
            lb(a3, 8, a0),               // lb  a3, 8(a0)  positive
            lh(a4, 8, a0),               // lh  a4, 8(a0)
            lw(a5, 12, a0),              // lw  a5, 12(a0) positive
            lw(a6, 4, a0),               // lw  a6, 4(a0)  = sext(0x81828384)
            lbu(a7, 7, a0),              // lbu a7, 7(a0)  = 0x81
            ld(s2, 16, a0),              // ld  s2, 16(a0) (zero memory)
            lw(s3, -4, a0),              // lw  s3, -4(a0) negative offset
        ])
        #expect(b[t0] == 0xFFFF_FFFF_FFFF_FFF8)
        #expect(b[t1] == 0xF8)
        #expect(b[t2] == 0xFFFF_FFFF_FFFF_F7F8)
        #expect(b[s0] == 0xF7F8)
        #expect(b[s1] == 0xFFFF_FFFF_F5F6_F7F8)
        #expect(b[a1] == 0xF5F6_F7F8)
        #expect(b[a2] == 0x8182_8384_F5F6_F7F8)
        #expect(b[a3] == 0x08)
        #expect(b[a4] == 0x0708)
        #expect(b[a5] == 0x0102_0304)
        #expect(b[a6] == 0xFFFF_FFFF_8182_8384)
        #expect(b[a7] == 0x81)
        #expect(b[s2] == 0)
        #expect(b[s3] == 0)

        b[a1] = 0x1122_3344_5566_7788
        b.runProgram([
            sd(a1, 0x20, a0),            // sd a1, 0x20(a0)
            sw(a1, 0x28, a0),            // sw a1, 0x28(a0) (low word only)
            sh(a1, 0x30, a0),            // sh a1, 0x30(a0)
            sb(a1, 0x38, a0),            // sb a1, 0x38(a0)
            sb(a1, -1, a0),              // sb a1, -1(a0)
        ])
        #expect(b.read64(d + 0x20) == 0x1122_3344_5566_7788)
        #expect(b.read64(d + 0x28) == 0x5566_7788)
        #expect(b.read64(d + 0x30) == 0x7788)
        #expect(b.read64(d + 0x38) == 0x88)
        #expect(b.read8(d - 1) == 0x88)
        #expect(b.read8(d - 2) == 0)
    }

    @Test func misalignedWithinAPage() {
        let b = TestBoard()
        let d = TestBoard.data
        b.bus.writeMemory(d, (0..<32).map { UInt8(0xA0 + $0) })
        b[a0] = d
        let prog: [UInt32] = [
            lh(t0, 1, a0),               // lh t0, 1(a0)
            lw(t1, 3, a0),               // lw t1, 3(a0)
            ld(t2, 5, a0),               // ld t2, 5(a0)
            lhu(s0, 7, a0),              // lhu s0, 7(a0)
            lwu(s1, 9, a0),              // lwu s1, 9(a0)
        ]
        // Twice: the first run fills the TLB (slow path), the second hits it (fast path).
        for _ in 0..<2 {
            b.runProgram(prog)
            #expect(b[t0] == 0xFFFF_FFFF_FFFF_A2A1)
            #expect(b[t1] == 0xFFFF_FFFF_A6A5_A4A3)
            #expect(b[t2] == 0xACAB_AAA9_A8A7_A6A5)
            #expect(b[s0] == 0xA8A7)
            #expect(b[s1] == 0xACAB_AAA9)
        }
        b[a1] = 0x1122_3344_5566_7788
        b.runProgram([
            sd(a1, 0x11, a0),            // sd a1, 0x11(a0)
            sw(a1, 0x1A, a0),            // sw a1, 0x1a(a0)
            sh(a1, 0x1F, a0),            // sh a1, 0x1f(a0)
        ])
        #expect(b.bus.readMemory(d + 0x11, count: 8) == le64(0x1122_3344_5566_7788))
        #expect(b.bus.readMemory(d + 0x1A, count: 4) == [0x88, 0x77, 0x66, 0x55])
        #expect(b.bus.readMemory(d + 0x1F, count: 2) == [0x88, 0x77])
        #expect(b.read8(d + 0x10) == 0xB0 && b.read8(d + 0x21) == 0, "neighbours untouched")
        #expect(b.hart.stats.exceptions.reduce(0, +) == 0, "misaligned accesses are handled, not trapped")
    }

    @Test func misalignedAcrossAPageBoundary() {
        let b = TestBoard()
        let page = TestBoard.data + 0x1000
        b.bus.writeMemory(page - 8, [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        b[a0] = page
        b.runProgram([
            lh(t0, -1, a0),              // lh t0, -1(a0): bytes 0x17, 0x88
            lw(t1, -2, a0),              // lw t1, -2(a0)
            ld(t2, -5, a0),              // ld t2, -5(a0)
            lwu(s0, -3, a0),             // lwu s0, -3(a0)
            lhu(s1, -1, a0),             // lhu s1, -1(a0)
        ])
        #expect(b[t0] == 0xFFFF_FFFF_FFFF_8817)
        #expect(b[t1] == 0xFFFF_FFFF_9988_1716)
        #expect(b[t2] == 0xAA99_8817_1615_1413)
        #expect(b[s0] == 0x8817_1615)
        #expect(b[s1] == 0x8817)
        b[a1] = 0x0102_0304_0506_0708
        b.runProgram([
            sd(a1, -3, a0),              // sd a1, -3(a0): 3 bytes on the first page, 5 on the next
        ])
        #expect(b.bus.readMemory(page - 3, count: 8) == le64(0x0102_0304_0506_0708))
        #expect(b.read8(page - 4) == 0x14 && b.read8(page + 5) == 0xDD)
    }
}

@Suite("Execution: A extension (Unpriv. §14)")
struct AtomicTests {
    @Test func lrScPairs() {
        let b = TestBoard()
        let d = TestBoard.data
        b.write64(d, 0xFFFF_FFFF_8000_0001)
        b.write64(d + 8, 0x1111_1111_1111_1111)
        b[a0] = d; b[a1] = 0xAAAA_AAAA_2222_2222
        b.runProgram([
            lrW(t0, a0),                 // lr.w t0, (a0)          sign-extends 0x80000001
            scW(t1, a1, a0),             // sc.w t1, a1, (a0)      succeeds: t1 = 0, low word stored
            scW(t2, a1, a0),             // sc.w t2, a1, (a0)      no reservation: fails, t2 = 1
        ])
        #expect(b[t0] == 0xFFFF_FFFF_8000_0001)
        #expect(b[t1] == 0)
        #expect(b[t2] == 1)
        #expect(b.read64(d) == 0xFFFF_FFFF_2222_2222, "sc.w writes 32 bits only")

        b.write64(d, 5)
        b[a2] = d + 8
        b.runProgram([
            lrD(t0, a0),                 // lr.d t0, (a0)
            scD(t1, a1, a2),             // sc.d t1, a1, (a2)      other address: fails
            scD(t2, a1, a0),             // sc.d t2, a1, (a0)      reservation already gone: fails
            lrD(s0, a2),                 // lr.d s0, (a2)
            scD(s1, a1, a2),             // sc.d s1, a1, (a2)      succeeds
        ])
        #expect(b[t0] == 5)
        #expect(b[t1] == 1)
        #expect(b[t2] == 1)
        #expect(b.read64(d) == 5, "failed sc.d wrote nothing")
        #expect(b[s0] == 0x1111_1111_1111_1111)
        #expect(b[s1] == 0)
        #expect(b.read64(d + 8) == 0xAAAA_AAAA_2222_2222)

        // A store by the same hart in between does not stop the SC here, but an SC to a
        // reserved word after an LR of a different word fails.
        b[a2] = d + 4
        b.runProgram([
            lrW(t0, a2),                 // lr.w t0, (a0+4)
            scW(t1, a1, a0),             // sc.w t1, a1, (a0): different address, fails
        ])
        #expect(b[t1] == 1)
    }

    @Test func everyAMO() {
        let b = TestBoard()
        let d = TestBoard.data
        let memW: UInt64 = 0xFFFF_FFFF           // -1 as a word
        let srcW: UInt64 = 0x1234_5678_0000_0001 // 1 as a word
        let memD: UInt64 = 0x8000_0000_0000_0005
        let srcD: UInt64 = 0x0000_0000_0000_0003
        typealias Case = (AMOFunc, UInt64, UInt64)   // (op, new .w word, new .d value)
        let cases: [Case] = [
            (.swap, 0x1, srcD),
            (.add, 0x0, memD &+ srcD),
            (.xor, 0xFFFF_FFFE, memD ^ srcD),
            (.and, 0x1, memD & srcD),
            (.or, 0xFFFF_FFFF, memD | srcD),
            (.min, 0xFFFF_FFFF, memD),            // signed: -1 < 1; INT_MIN+5 < 3
            (.max, 0x1, srcD),
            (.minu, 0x1, srcD),
            (.maxu, 0xFFFF_FFFF, memD),
        ]
        for (f, newW, newD) in cases {
            b.write64(d, 0xCAFE_F00D_0000_0000 | memW)   // upper word must survive a .w AMO
            b.write64(d + 8, memD)
            b[a0] = d; b[a1] = srcW; b[a2] = d + 8; b[a3] = srcD
            b.runProgram([
                amo(f, wide: false, t0, a1, a0),     // amoX.w t0, a1, (a0)
                amo(f, wide: true, t1, a3, a2, aq: true, rl: true), // amoX.d.aqrl t1, a3, (a2)
            ])
            #expect(b[t0] == maxU64, "\(f).w returns the sign-extended old word")
            #expect(b.read64(d) == 0xCAFE_F00D_0000_0000 | newW, "\(f).w memory")
            #expect(b[t1] == memD, "\(f).d returns the old value")
            #expect(b.read64(d + 8) == newD, "\(f).d memory")
        }
        // rd == rs2: the source is read before rd is written.
        b.write64(d, 10)
        b[a1] = 3
        b.runProgram([amo(.add, wide: true, a1, a1, a0)])   // amoadd.d a1, a1, (a0)
        #expect(b[a1] == 10 && b.read64(d) == 13)
    }

    @Test func misalignedAMOAndLR() {
        for (word, cause, what) in [
            (amo(.add, wide: false, t0, a1, a0), Cause.storeAddressMisaligned, "amoadd.w t0, a1, (a0)"),
            (amo(.swap, wide: true, t0, a1, a0), .storeAddressMisaligned, "amoswap.d t0, a1, (a0)"),
            (scW(t0, a1, a0), .storeAddressMisaligned, "sc.w t0, a1, (a0)"),
            (lrW(t0, a0), .loadAddressMisaligned, "lr.w t0, (a0)"),
            (lrD(t0, a0), .loadAddressMisaligned, "lr.d t0, (a0)"),
        ] {
            let b = TestBoard()
            let addr = TestBoard.data + 4 + 2          // 2 mod 4, 6 mod 8
            b.write64(TestBoard.data, 0x0706_0504_0302_0100)
            b.write64(TestBoard.data + 8, 0x0F0E_0D0C_0B0A_0908)
            b[a0] = addr; b[a1] = 0xFF; b[t0] = 0x77
            let stop = b.runProgram([word])
            #expect(stop == TestBoard.mHandler, "\(what)")
            #expect(b.hart.mcause == cause.rawValue, "\(what)")
            #expect(b.hart.mtval == addr, "\(what)")
            #expect(b.hart.mepc == TestBoard.base, "\(what)")
            #expect(b[t0] == 0x77, "\(what): rd untouched")
            #expect(b.read64(TestBoard.data + 8) == 0x0F0E_0D0C_0B0A_0908 && b.read64(TestBoard.data) == 0x0706_0504_0302_0100,
                    "\(what): memory untouched")
        }
        // Word AMOs only need 4-byte alignment.
        let b = TestBoard()
        b[a0] = TestBoard.data + 4; b[a1] = 1
        #expect(b.runProgram([amo(.add, wide: false, t0, a1, a0)]) == TestBoard.end(of: [0]))  // amoadd.w t0, a1, (a0)
        #expect(b.read32(TestBoard.data + 4) == 1)
    }
}
