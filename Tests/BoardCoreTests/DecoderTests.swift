import Testing
@testable import BoardCore
import RISCV

/// Checks `decode(word)`: operation, register fields (x0 as rd becomes the sink register 32)
/// and the immediate.
private func expectDecode(_ word: UInt32, _ op: Op, rd: Int? = nil, rs1: Int? = nil, rs2: Int? = nil, imm: Int64? = nil,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    let d = decode(word)
    #expect(d.op == op, "word \(hex(word))", sourceLocation: sourceLocation)
    if let rd { #expect(Int(d.rd) == (rd == 0 ? 32 : rd), "rd of \(hex(word))", sourceLocation: sourceLocation) }
    if let rs1 { #expect(Int(d.rs1) == rs1, "rs1 of \(hex(word))", sourceLocation: sourceLocation) }
    if let rs2 { #expect(Int(d.rs2) == rs2, "rs2 of \(hex(word))", sourceLocation: sourceLocation) }
    if let imm { #expect(Int64(d.imm) == imm, "imm of \(hex(word))", sourceLocation: sourceLocation) }
}

private func expectIllegal(_ word: UInt32, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(decode(word).op == .illegal, "\(what): \(hex(word))", sourceLocation: sourceLocation)
}

func hex<T: BinaryInteger>(_ v: T) -> String { "0x" + String(v, radix: 16) }

@Suite("Encoder helpers agree with a real assembler")
struct EncoderCrossCheckTests {
    /// Encodings printed by `llvm-mc -triple=riscv64 -mattr=+m,+a -show-encoding`.
    @Test func thirtyTwoBitForms() {
        let table: [(UInt32, UInt32, String)] = [
            (addi(t0, zero, 3), 0x0030_0293, "addi t0, x0, 3"),
            (lui(a0, 0x12345), 0x1234_5537, "lui a0, 0x12345"),
            (auipc(t1, 0xFFFFF), 0xFFFF_F317, "auipc t1, 0xfffff"),
            (jal(ra, 2048), 0x0010_00EF, "jal ra, 2048"),
            (j(-4), 0xFFDF_F06F, "jal x0, -4"),
            (jalr(ra, a5, 12), 0x00C7_80E7, "jalr ra, 12(a5)"),
            (beq(t0, t1, -16), 0xFE62_88E3, "beq t0, t1, -16"),
            (bne(a0, a1, 4094), 0x7EB5_1FE3, "bne a0, a1, 4094"),
            (blt(s0, s1, -4096), 0x8094_4063, "blt s0, s1, -4096"),
            (bgeu(t2, t3, 16), 0x01C3_F863, "bgeu t2, t3, 16"),
            (lb(a0, -1, sp), 0xFFF1_0503, "lb a0, -1(sp)"),
            (lhu(a1, 2047, a2), 0x7FF6_5583, "lhu a1, 2047(a2)"),
            (lwu(t0, -2048, t1), 0x8003_6283, "lwu t0, -2048(t1)"),
            (ld(s2, 8, s3), 0x0089_B903, "ld s2, 8(s3)"),
            (sb(a0, -1, sp), 0xFEA1_0FA3, "sb a0, -1(sp)"),
            (sh(a1, 2047, a2), 0x7EB6_1FA3, "sh a1, 2047(a2)"),
            (sw(t0, -2048, t1), 0x8053_2023, "sw t0, -2048(t1)"),
            (sd(s2, 8, s3), 0x0129_B423, "sd s2, 8(s3)"),
            (slli(a0, a1, 63), 0x03F5_9513, "slli a0, a1, 63"),
            (srli(a0, a1, 1), 0x0015_D513, "srli a0, a1, 1"),
            (srai(a0, a1, 63), 0x43F5_D513, "srai a0, a1, 63"),
            (sraiw(t0, t1, 31), 0x41F3_529B, "sraiw t0, t1, 31"),
            (slliw(t0, t1, 5), 0x0053_129B, "slliw t0, t1, 5"),
            (srliw(t0, t1, 31), 0x01F3_529B, "srliw t0, t1, 31"),
            (addiw(a0, a0, -1), 0xFFF5_051B, "addiw a0, a0, -1"),
            (subw(a0, a1, a2), 0x40C5_853B, "subw a0, a1, a2"),
            (sra(a0, a1, a2), 0x40C5_D533, "sra a0, a1, a2"),
            (sltu(a0, a1, a2), 0x00C5_B533, "sltu a0, a1, a2"),
            (mulhsu(a0, a1, a2), 0x02C5_A533, "mulhsu a0, a1, a2"),
            (remuw(t6, t5, t4), 0x03DF_7FBB, "remuw t6, t5, t4"),
            (divw(a0, a1, a2), 0x02C5_C53B, "divw a0, a1, a2"),
            (lrD(t0, a0), 0x1005_32AF, "lr.d t0, (a0)"),
            (scW(t1, t2, a0), 0x1875_232F, "sc.w t1, t2, (a0)"),
            (amo(.swap, wide: true, a0, a1, a2, aq: true), 0x0CB6_352F, "amoswap.d.aq a0, a1, (a2)"),
            (amo(.maxu, wide: false, a0, a1, a2, rl: true), 0xE2B6_252F, "amomaxu.w.rl a0, a1, (a2)"),
            (amo(.minu, wide: true, a5, a4, a3), 0xC0E6_B7AF, "amominu.d a5, a4, (a3)"),
            (csrrw(t0, CSR.mstatus, t1), 0x3003_12F3, "csrrw t0, mstatus, t1"),
            (csrr(a0, CSR.mepc), 0x3410_2573, "csrr a0, mepc"),
            (csrrci(zero, CSR.mstatus, 8), 0x3004_7073, "csrci mstatus, 8"),
            (csrrwi(a0, CSR.satp, 31), 0x180F_D573, "csrrwi a0, satp, 31"),
            (sfenceVma(a0, a1), 0x12B5_0073, "sfence.vma a0, a1"),
            (fenceI(), 0x0000_100F, "fence.i"),
            (fence(), 0x0FF0_000F, "fence iorw, iorw"),
            (ecall(), 0x0000_0073, "ecall"),
            (ebreak(), 0x0010_0073, "ebreak"),
            (mret(), 0x3020_0073, "mret"),
            (sret(), 0x1020_0073, "sret"),
            (wfi(), 0x1050_0073, "wfi"),
        ]
        for (mine, known, text) in table {
            #expect(mine == known, "\(text): encoder \(hex(mine)), assembler \(hex(known))")
        }
    }

    /// Encodings printed by `llvm-mc -triple=riscv64 -mattr=+c -show-encoding`.
    @Test func compressedForms() {
        let table: [(UInt16, UInt16, String)] = [
            (c_addi4spn(a0, 1020), 0x1FE8, "c.addi4spn a0, sp, 1020"),
            (c_addi4spn(s1, 4), 0x0044, "c.addi4spn s1, sp, 4"),
            (c_lw(a5, 124, a4), 0x5F7C, "c.lw a5, 124(a4)"),
            (c_ld(s0, 248, s1), 0x7CE0, "c.ld s0, 248(s1)"),
            (c_sw(a2, 64, a3), 0xC2B0, "c.sw a2, 64(a3)"),
            (c_sd(a1, 8, a0), 0xE50C, "c.sd a1, 8(a0)"),
            (c_nop(), 0x0001, "c.nop"),
            (c_addi(a0, -32), 0x1501, "c.addi a0, -32"),
            (c_addiw(t0, 31), 0x22FD, "c.addiw t0, 31"),
            (c_li(a5, -1), 0x57FD, "c.li a5, -1"),
            (c_addi16sp(-512), 0x7101, "c.addi16sp sp, -512"),
            (c_addi16sp(496), 0x617D, "c.addi16sp sp, 496"),
            (c_lui(a5, -32), 0x7781, "c.lui a5, 0xfffe0"),
            (c_lui(t1, 1), 0x6305, "c.lui t1, 1"),
            (c_srli(a0, 63), 0x917D, "c.srli a0, 63"),
            (c_srai(s1, 1), 0x8485, "c.srai s1, 1"),
            (c_andi(a2, -32), 0x9A01, "c.andi a2, -32"),
            (c_sub(s0, s1), 0x8C05, "c.sub s0, s1"),
            (c_xor(a0, a5), 0x8D3D, "c.xor a0, a5"),
            (c_or(a1, a2), 0x8DD1, "c.or a1, a2"),
            (c_and(a3, a4), 0x8EF9, "c.and a3, a4"),
            (c_subw(a4, a5), 0x9F1D, "c.subw a4, a5"),
            (c_addw(s0, a0), 0x9C29, "c.addw s0, a0"),
            (c_j(-2048), 0xB001, "c.j -2048"),
            (c_j(2046), 0xAFFD, "c.j 2046"),
            (c_j(1366), 0xAB99, "c.j 1366"),
            (c_beqz(a0, -256), 0xD101, "c.beqz a0, -256"),
            (c_bnez(s1, 254), 0xECFD, "c.bnez s1, 254"),
            (c_beqz(a5, 170), 0xC7CD, "c.beqz a5, 170"),
            (c_slli(ra, 63), 0x10FE, "c.slli ra, 63"),
            (c_lwsp(t0, 252), 0x52FE, "c.lwsp t0, 252(sp)"),
            (c_ldsp(ra, 504), 0x70FE, "c.ldsp ra, 504(sp)"),
            (c_swsp(t6, 252), 0xDFFE, "c.swsp t6, 252(sp)"),
            (c_sdsp(ra, 504), 0xFF86, "c.sdsp ra, 504(sp)"),
            (c_jr(ra), 0x8082, "c.jr ra"),
            (c_mv(a0, a1), 0x852E, "c.mv a0, a1"),
            (c_ebreak(), 0x9002, "c.ebreak"),
            (c_jalr(t0), 0x9282, "c.jalr t0"),
            (c_add(s2, s3), 0x994E, "c.add s2, s3"),
        ]
        for (mine, known, text) in table {
            #expect(mine == known, "\(text): encoder \(hex(mine)), assembler \(hex(known))")
        }
    }
}

@Suite("Decoder: 32-bit instructions (Unpriv. §2, §4, §6, §13, §14; Priv. §3.3)")
struct Decoder32Tests {
    @Test func upperImmediatesAndJumps() {
        expectDecode(lui(a0, 0x12345), .lui, rd: a0, imm: 0x1234_5000)        // lui a0, 0x12345
        expectDecode(lui(a0, 0x80000), .lui, rd: a0, imm: -0x8000_0000)       // lui a0, 0x80000 (sign-extends)
        expectDecode(auipc(t1, 0xFFFFF), .auipc, rd: t1, imm: -4096)           // auipc t1, 0xfffff
        expectDecode(jal(ra, 2048), .jal, rd: ra, imm: 2048)                   // jal ra, 2048
        expectDecode(j(-4), .jal, rd: zero, imm: -4)                           // j -4
        expectDecode(jal(ra, -(1 << 20)), .jal, rd: ra, imm: -(1 << 20))       // jal ra, -1 MiB
        expectDecode(jal(ra, (1 << 20) - 2), .jal, rd: ra, imm: (1 << 20) - 2) // jal ra, +1 MiB - 2
        expectDecode(jalr(ra, a5, 12), .jalr, rd: ra, rs1: a5, imm: 12)        // jalr ra, 12(a5)
        expectDecode(jalr(zero, ra, -2048), .jalr, rd: zero, rs1: ra, imm: -2048) // jalr x0, -2048(ra)
    }

    @Test func branches() {
        let ops: [(Op, (Int, Int, Int) -> UInt32)] = [(.beq, beq), (.bne, bne), (.blt, blt), (.bge, bge), (.bltu, bltu), (.bgeu, bgeu)]
        for (op, enc) in ops {
            // Every B-type immediate.
            for off in stride(from: -4096, to: 4096, by: 2) {
                let d = decode(enc(a0, t6, off))
                #expect(d.op == op && Int(d.imm) == off && d.rs1 == UInt8(a0) && d.rs2 == UInt8(t6), "\(op) \(off)")
            }
        }
    }

    @Test func jalImmediateScramble() {
        // J-type immediates: a dense sample plus every single-bit pattern.
        var offsets = Array(stride(from: -(1 << 20), to: 1 << 20, by: 2 * 997))
        for b in 1..<20 { offsets += [1 << b, -(1 << b), (1 << b) - 2] }
        for off in offsets {
            let d = decode(jal(t0, off))
            #expect(d.op == .jal && Int(d.imm) == off && Int(d.rd) == t0, "jal t0, \(off)")
        }
    }

    @Test func loadsAndStores() {
        let loads: [(Op, (Int, Int, Int) -> UInt32)] = [(.lb, lb), (.lh, lh), (.lw, lw), (.ld, ld), (.lbu, lbu), (.lhu, lhu), (.lwu, lwu)]
        let stores: [(Op, (Int, Int, Int) -> UInt32)] = [(.sb, sb), (.sh, sh), (.sw, sw), (.sd, sd)]
        for imm in -2048..<2048 {
            for (op, enc) in loads where imm % 7 == 0 || imm == 2047 || imm == -2048 {
                expectDecode(enc(a1, imm, sp), op, rd: a1, rs1: sp, imm: Int64(imm))   // lX a1, imm(sp)
            }
            for (op, enc) in stores {
                let d = decode(enc(t3, imm, s11))                                        // sX t3, imm(s11)
                #expect(d.op == op && Int(d.imm) == imm && Int(d.rs1) == s11 && Int(d.rs2) == t3, "\(op) \(imm)")
            }
        }
    }

    @Test func registerImmediate() {
        for imm in [-2048, -1, 0, 1, 0x7FF] {
            expectDecode(addi(a0, a1, imm), .addi, rd: a0, rs1: a1, imm: Int64(imm))   // addi a0, a1, imm
            expectDecode(slti(a0, a1, imm), .slti, rd: a0, rs1: a1, imm: Int64(imm))   // slti
            expectDecode(sltiu(a0, a1, imm), .sltiu, rd: a0, rs1: a1, imm: Int64(imm)) // sltiu (imm sign-extended)
            expectDecode(xori(a0, a1, imm), .xori, rd: a0, rs1: a1, imm: Int64(imm))   // xori
            expectDecode(ori(a0, a1, imm), .ori, rd: a0, rs1: a1, imm: Int64(imm))     // ori
            expectDecode(andi(a0, a1, imm), .andi, rd: a0, rs1: a1, imm: Int64(imm))   // andi
            expectDecode(addiw(a0, a1, imm), .addiw, rd: a0, rs1: a1, imm: Int64(imm)) // addiw
        }
        for sh in 0..<64 {
            expectDecode(slli(t0, t1, sh), .slli, rd: t0, rs1: t1, imm: Int64(sh))     // slli t0, t1, sh
            expectDecode(srli(t0, t1, sh), .srli, rd: t0, rs1: t1, imm: Int64(sh))     // srli
            expectDecode(srai(t0, t1, sh), .srai, rd: t0, rs1: t1, imm: Int64(sh))     // srai
        }
        for sh in 0..<32 {
            expectDecode(slliw(t0, t1, sh), .slliw, rd: t0, rs1: t1, imm: Int64(sh))   // slliw
            expectDecode(srliw(t0, t1, sh), .srliw, rd: t0, rs1: t1, imm: Int64(sh))   // srliw
            expectDecode(sraiw(t0, t1, sh), .sraiw, rd: t0, rs1: t1, imm: Int64(sh))   // sraiw
        }
        expectDecode(0x0000_0013, .addi, rd: zero, rs1: zero, imm: 0)                 // nop
    }

    @Test func registerRegisterAndM() {
        let table: [(Op, (Int, Int, Int) -> UInt32)] = [
            (.add, add), (.sub, sub), (.sll, sll), (.slt, slt), (.sltu, sltu), (.xor, xor), (.srl, srl), (.sra, sra),
            (.or, or), (.and, and), (.addw, addw), (.subw, subw), (.sllw, sllw), (.srlw, srlw), (.sraw, sraw),
            (.mul, mul), (.mulh, mulh), (.mulhsu, mulhsu), (.mulhu, mulhu), (.div, div), (.divu, divu), (.rem, rem),
            (.remu, remu), (.mulw, mulw), (.divw, divw), (.divuw, divuw), (.remw, remw), (.remuw, remuw),
        ]
        for (op, enc) in table {
            expectDecode(enc(s4, a7, t6), op, rd: s4, rs1: a7, rs2: t6)   // op s4, a7, t6
            expectDecode(enc(zero, ra, sp), op, rd: zero, rs1: ra, rs2: sp) // op x0, ra, sp
        }
    }

    @Test func atomics() {
        let w: [(AMOFunc, Op)] = [(.swap, .amoswapW), (.add, .amoaddW), (.xor, .amoxorW), (.and, .amoandW), (.or, .amoorW),
                                  (.min, .amominW), (.max, .amomaxW), (.minu, .amominuW), (.maxu, .amomaxuW), (.sc, .scW)]
        let d: [(AMOFunc, Op)] = [(.swap, .amoswapD), (.add, .amoaddD), (.xor, .amoxorD), (.and, .amoandD), (.or, .amoorD),
                                  (.min, .amominD), (.max, .amomaxD), (.minu, .amominuD), (.maxu, .amomaxuD), (.sc, .scD)]
        for (wide, table) in [(false, w), (true, d)] {
            for (f, op) in table {
                for (aq, rl) in [(false, false), (true, false), (false, true), (true, true)] {
                    expectDecode(amo(f, wide: wide, a0, a1, a2, aq: aq, rl: rl), op, rd: a0, rs1: a2, rs2: a1)  // amoX a0, a1, (a2)
                }
            }
        }
        expectDecode(lrW(t0, a0), .lrW, rd: t0, rs1: a0)   // lr.w t0, (a0)
        expectDecode(lrD(t0, a0), .lrD, rd: t0, rs1: a0)   // lr.d t0, (a0)
    }

    @Test func systemAndCSR() {
        expectDecode(ecall(), .ecall)                 // ecall
        expectDecode(ebreak(), .ebreak)               // ebreak
        expectDecode(mret(), .mret)                   // mret
        expectDecode(sret(), .sret)                   // sret
        expectDecode(wfi(), .wfi)                     // wfi
        expectDecode(sfenceVma(), .sfenceVma, rs1: 0, rs2: 0)    // sfence.vma
        expectDecode(sfenceVma(a0, a1), .sfenceVma, rs1: a0, rs2: a1) // sfence.vma a0, a1
        expectDecode(fence(), .fence)                 // fence iorw, iorw
        expectDecode(0x8330_000F, .fence)          // fence.tso
        expectDecode(0x0100_000F, .fence)             // pause (fence w, 0)
        expectDecode(fenceI(), .fenceI)               // fence.i
        let csrs: [(Op, (Int, UInt16, Int) -> UInt32)] = [(.csrrw, csrrw), (.csrrs, csrrs), (.csrrc, csrrc),
                                                          (.csrrwi, csrrwi), (.csrrsi, csrrsi), (.csrrci, csrrci)]
        for (op, enc) in csrs {
            for csr in [CSR.mstatus, CSR.cycle, CSR.satp, UInt16(0xFFF)] {
                expectDecode(enc(a3, csr, 17), op, rd: a3, rs1: 17, imm: Int64(csr))   // csrX a3, csr, x17/17
            }
        }
    }

    @Test func rawBitsAndSinkRegister() {
        let w = add(zero, a0, a1)           // add x0, a0, a1
        let d = decode(w)
        #expect(d.raw == w)
        #expect(d.rd == sinkRegister)
        #expect(decode(addi(zero, zero, 0)).rd == sinkRegister)   // nop: rd is the sink
    }

    @Test func reservedAndUnknownEncodings() {
        expectIllegal(0xFFFF_FFFF, "all ones")
        expectIllegal(iType(0x13, rd: a0, f3: 1, rs1: a1, imm: 0x040 | 3), "slli with imm[11:6] = 1")
        expectIllegal(iType(0x13, rd: a0, f3: 1, rs1: a1, imm: 0x400 | 3), "slli with imm[11:6] = 0x10")
        expectIllegal(iType(0x13, rd: a0, f3: 5, rs1: a1, imm: 0x200 | 3), "srli/srai with imm[11:6] = 0x08")
        expectIllegal(iType(0x13, rd: a0, f3: 5, rs1: a1, imm: 0x440 | 3), "srai with imm[11:6] = 0x11")
        expectIllegal(iType(0x1B, rd: a0, f3: 1, rs1: a1, imm: 0x020), "slliw with shamt[5] = 1")
        expectIllegal(iType(0x1B, rd: a0, f3: 5, rs1: a1, imm: 0x020), "srliw with shamt[5] = 1")
        expectIllegal(iType(0x1B, rd: a0, f3: 5, rs1: a1, imm: 0x420), "sraiw with shamt[5] = 1")
        expectIllegal(iType(0x1B, rd: a0, f3: 2, rs1: a1, imm: 0), "OP-IMM-32 funct3 2")
        expectIllegal(rType(0x33, rd: a0, f3: 0, rs1: a1, rs2: a2, f7: 0x40), "add with funct7 0x40")
        expectIllegal(rType(0x33, rd: a0, f3: 1, rs1: a1, rs2: a2, f7: 0x20), "sll with funct7 0x20")
        expectIllegal(rType(0x3B, rd: a0, f3: 2, rs1: a1, rs2: a2, f7: 0x01), "OP-32 mul funct3 2 (no mulhw)")
        expectIllegal(rType(0x3B, rd: a0, f3: 1, rs1: a1, rs2: a2, f7: 0x20), "sllw with funct7 0x20")
        expectIllegal(iType(0x03, rd: a0, f3: 7, rs1: a1, imm: 0), "load funct3 7")
        expectIllegal(sType(0x23, f3: 4, rs1: a1, rs2: a2, imm: 0), "store funct3 4")
        expectIllegal(bType(f3: 2, rs1: a1, rs2: a2, imm: 8), "branch funct3 2")
        expectIllegal(bType(f3: 3, rs1: a1, rs2: a2, imm: 8), "branch funct3 3")
        expectIllegal(iType(0x67, rd: a0, f3: 1, rs1: a1, imm: 0), "jalr funct3 1")
        expectIllegal(rType(0x2F, rd: a0, f3: 0, rs1: a1, rs2: a2, f7: 0), "AMO funct3 0")
        expectIllegal(rType(0x2F, rd: a0, f3: 4, rs1: a1, rs2: a2, f7: 0), "AMO funct3 4 (no Zacas/quad)")
        expectIllegal(rType(0x2F, rd: a0, f3: 2, rs1: a1, rs2: a2, f7: 0x05 << 2), "AMO funct5 0x05")
        expectIllegal(amo(.lr, wide: false, a0, a1, a2), "lr.w with rs2 != 0")
        expectIllegal(iType(0x0F, rd: 0, f3: 2, rs1: 0, imm: 3), "MISC-MEM funct3 2, no such CBO function")
        expectIllegal(iType(0x0F, rd: 0, f3: 3, rs1: 0, imm: 0), "MISC-MEM funct3 3")
        expectIllegal(iType(0x73, rd: 0, f3: 4, rs1: 0, imm: 0), "SYSTEM funct3 4 (hypervisor loads absent)")
        expectIllegal(ecall() | (1 << 7), "ecall with rd != 0")
        expectIllegal(ecall() | (1 << 15), "ecall with rs1 != 0")
        expectIllegal(mret() | (5 << 15), "mret with rs1 != 0")
        expectIllegal(0x0020_0073, "uret (N extension absent)")
        expectIllegal(0x7B20_0073, "dret (debug mode absent)")
        expectIllegal(sfenceVma(a0, a1) | (1 << 7), "sfence.vma with rd != 0")
        // Opcodes of absent extensions and unknown major opcodes.
        for opcode: UInt32 in [0x57, 0x0B, 0x2B, 0x5B, 0x7B, 0x77, 0x1F, 0x3F, 0x7F, 0x6B] {
            expectIllegal(rType(opcode, rd: a0, f3: 2, rs1: a1, rs2: a2, f7: 0), "opcode \(hex(opcode))")
        }
        // F/D decode whatever the ISA: without F and D, mstatus.FS stays Off and they trap
        // when executed (FloatingPointTests). LOAD-FP/STORE-FP widths other than W/D are illegal.
        #expect(decode(0x0005_3507).op == .fld)                         // fld fa0, 0(a0)
        #expect(decode(0x00A5_3027).op == .fsd)                         // fsd fa0, 0(a0)
        #expect(decode(0x02B5_0553).op == .fp)                          // fadd.d
        expectIllegal(iType(0x07, rd: a0, f3: 4, rs1: a1, imm: 0), "LOAD-FP width Q")
        #expect(decode(sType(0x27, f3: 1, rs1: a1, rs2: a2, imm: 0), [.fd]).op == .illegal, "STORE-FP width H without Zfhmin")
        #expect(decode(sType(0x27, f3: 1, rs1: a1, rs2: a2, imm: 0), [.fd, .zfhmin]).op == .fsh)
        #expect(decode(0xFFFF_FFFF).raw == 0xFFFF_FFFF)
    }
}

@Suite("Decoder: RV64C expansions (Unpriv. §28)")
struct DecoderCompressedTests {
    private func c(_ h: UInt16) -> Decoded { decode(UInt32(h)) }

    @Test func stackPointerAddImmediates() {
        for rd in 8...15 {
            for imm in stride(from: 4, through: 1020, by: 4) {
                let d = c(c_addi4spn(rd, imm))                   // c.addi4spn rd', sp, imm → addi rd', sp, imm
                #expect(d.op == .cAddi && Int(d.rd) == rd && d.rs1 == 2 && Int(d.imm) == imm, "c.addi4spn x\(rd), \(imm)")
            }
        }
        for imm in stride(from: -512, through: 496, by: 16) where imm != 0 {
            let d = c(c_addi16sp(imm))                            // c.addi16sp imm → addi sp, sp, imm
            #expect(d.op == .cAddi && d.rd == 2 && d.rs1 == 2 && Int(d.imm) == imm, "c.addi16sp \(imm)")
        }
    }

    @Test func loadsAndStores() {
        for imm in stride(from: 0, through: 124, by: 4) {
            expectDecode(UInt32(c_lw(a5, imm, s0)), .cLw, rd: a5, rs1: s0, imm: Int64(imm))  // c.lw a5, imm(s0)
            let d = c(c_sw(s1, imm, a4))                                                       // c.sw s1, imm(a4)
            #expect(d.op == .cSw && Int(d.rs1) == a4 && Int(d.rs2) == s1 && Int(d.imm) == imm)
        }
        for imm in stride(from: 0, through: 248, by: 8) {
            expectDecode(UInt32(c_ld(a0, imm, a1)), .cLd, rd: a0, rs1: a1, imm: Int64(imm))  // c.ld a0, imm(a1)
            let d = c(c_sd(a2, imm, a3))                                                       // c.sd a2, imm(a3)
            #expect(d.op == .cSd && Int(d.rs1) == a3 && Int(d.rs2) == a2 && Int(d.imm) == imm)
        }
        for imm in stride(from: 0, through: 252, by: 4) {
            expectDecode(UInt32(c_lwsp(t6, imm)), .cLw, rd: t6, rs1: sp, imm: Int64(imm))    // c.lwsp t6, imm(sp)
            let d = c(c_swsp(ra, imm))                                                         // c.swsp ra, imm(sp)
            #expect(d.op == .cSw && d.rs1 == 2 && Int(d.rs2) == ra && Int(d.imm) == imm)
        }
        for imm in stride(from: 0, through: 504, by: 8) {
            expectDecode(UInt32(c_ldsp(s11, imm)), .cLd, rd: s11, rs1: sp, imm: Int64(imm))  // c.ldsp s11, imm(sp)
            let d = c(c_sdsp(t3, imm))                                                         // c.sdsp t3, imm(sp)
            #expect(d.op == .cSd && d.rs1 == 2 && Int(d.rs2) == t3 && Int(d.imm) == imm)
        }
    }

    @Test func immediateArithmetic() {
        for imm in -32...31 {
            expectDecode(UInt32(c_addi(a0, imm)), .cAddi, rd: a0, rs1: a0, imm: Int64(imm))    // c.addi a0, imm
            expectDecode(UInt32(c_addiw(t1, imm)), .cAddiw, rd: t1, rs1: t1, imm: Int64(imm))  // c.addiw t1, imm
            expectDecode(UInt32(c_li(s5, imm)), .cAddi, rd: s5, rs1: zero, imm: Int64(imm))    // c.li s5, imm → addi s5, x0, imm
            expectDecode(UInt32(c_andi(a3, imm)), .cAndi, rd: a3, rs1: a3, imm: Int64(imm))    // c.andi a3, imm
            if imm != 0 {
                expectDecode(UInt32(c_lui(t2, imm)), .cLui, rd: t2, imm: Int64(imm) << 12)     // c.lui t2, imm → lui t2, imm
            }
        }
        for sh in 1..<64 {
            expectDecode(UInt32(c_slli(ra, sh)), .cSlli, rd: ra, rs1: ra, imm: Int64(sh))      // c.slli ra, sh
            expectDecode(UInt32(c_srli(s0, sh)), .cSrli, rd: s0, rs1: s0, imm: Int64(sh))      // c.srli s0, sh
            expectDecode(UInt32(c_srai(a5, sh)), .cSrai, rd: a5, rs1: a5, imm: Int64(sh))      // c.srai a5, sh
        }
        expectDecode(UInt32(c_nop()), .cAddi, rd: zero, rs1: zero, imm: 0)                     // c.nop
    }

    @Test func registerArithmetic() {
        let table: [(Op, (Int, Int) -> UInt16)] = [(.cSub, c_sub), (.cXor, c_xor), (.cOr, c_or), (.cAnd, c_and),
                                                    (.cSubw, c_subw), (.cAddw, c_addw)]
        for (op, enc) in table {
            for rd in 8...15 { expectDecode(UInt32(enc(rd, 23 - rd)), op, rd: rd, rs1: rd, rs2: 23 - rd) }
        }
        expectDecode(UInt32(c_mv(a0, a1)), .cAdd, rd: a0, rs1: zero, rs2: a1)    // c.mv a0, a1 → add a0, x0, a1
        expectDecode(UInt32(c_add(s2, s3)), .cAdd, rd: s2, rs1: s2, rs2: s3)     // c.add s2, s3 → add s2, s2, s3
    }

    @Test func jumpsAndBranches() {
        for off in stride(from: -2048, to: 2048, by: 2) {
            expectDecode(UInt32(c_j(off)), .cJal, rd: zero, imm: Int64(off))      // c.j off → jal x0, off
        }
        for off in stride(from: -256, to: 256, by: 2) {
            expectDecode(UInt32(c_beqz(a2, off)), .cBeq, rs1: a2, rs2: zero, imm: Int64(off))  // c.beqz a2, off
            expectDecode(UInt32(c_bnez(s1, off)), .cBne, rs1: s1, rs2: zero, imm: Int64(off))  // c.bnez s1, off
        }
        expectDecode(UInt32(c_jr(ra)), .cJalr, rd: zero, rs1: ra, imm: 0)        // c.jr ra → jalr x0, 0(ra)
        expectDecode(UInt32(c_jalr(t0)), .cJalr, rd: ra, rs1: t0, imm: 0)        // c.jalr t0 → jalr ra, 0(t0)
        expectDecode(UInt32(c_ebreak()), .cEbreak)                               // c.ebreak
    }

    @Test func rawKeepsSixteenBits() {
        // The upper halfword of the fetched word is the next instruction, not part of this one.
        let d = decode(0xDEAD_0000 | UInt32(c_addi(a0, 1)))    // c.addi a0, 1 followed by junk
        #expect(d.op == .cAddi && d.raw == UInt32(c_addi(a0, 1)))
        let e = decode(0x1234_0000)                            // all-zero halfword, junk above
        #expect(e.op == .illegal && e.raw == 0)
    }

    @Test func reservedEncodings() {
        expectIllegal(0x0000, "all-zero halfword")
        expectIllegal(0x0004, "c.addi4spn s1, sp, 0")
        expectIllegal(0x001C, "c.addi4spn a5, nzuimm = 0")
        expectIllegal(UInt32(c_lui(ra, 0)), "c.lui ra, 0")
        expectIllegal(UInt32(c_lui(t0, 0)), "c.lui t0, 0")
        expectIllegal(UInt32(c_addi16sp(0)), "c.addi16sp 0")
        expectIllegal(UInt32(c_addiw(zero, 1)), "c.addiw x0, 1")
        expectIllegal(UInt32(c_addiw(zero, 0)), "c.addiw x0, 0")
        expectIllegal(UInt32(c_lwsp(zero, 8)), "c.lwsp x0, 8(sp)")
        expectIllegal(UInt32(c_ldsp(zero, 8)), "c.ldsp x0, 8(sp)")
        expectIllegal(UInt32(c_jr(zero)), "c.jr x0")
        expectIllegal(0x8000, "quadrant 0 funct3 4 (reserved)")
        // C.FLD/C.FSD/C.FLDSP/C.FSDSP decode (D is checked when they execute).
        #expect(decode(0x2000).op == .cFld)
        #expect(decode(0xA000).op == .cFsd)
        #expect(decode(0x2002).op == .cFld)
        #expect(decode(0xA002).op == .cFsd)
        // CA group with bit 12 set: funct2 2 and 3 are reserved in RV64C.
        expectIllegal(0x9C41, "c.subw/c.addw group, funct2 = 2")   // 100 1 11 000 10 000 01
        expectIllegal(0x9C61, "c.subw/c.addw group, funct2 = 3")   // 100 1 11 000 11 000 01
    }
}
