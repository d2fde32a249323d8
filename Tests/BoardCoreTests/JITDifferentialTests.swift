@testable import BoardCore
import RISCV
import Testing
import TestSupport

/// The JIT against the interpreter: the same random programs on two boards, one interpreting
/// every instruction, one translating every block entry at its first visit, run in the same
/// random slices of cycles. After every slice both harts must agree on pc, cycles, instret
/// and every register, and at the end on data memory: the JIT's charges, budget checks,
/// fallbacks and chaining are invisible (docs/decisions/0008).
@Suite struct JITDifferentialTests {
    static let codeBase: UInt64 = 0x8000_0000
    static let dataBase: UInt64 = 0x8010_0000
    static let blockBytes = 64
    static let blocks = 3 * 4096 / 64  // three pages of code: in-page and cross-page jumps

    // Compressed encodings (Unpriv. §28), registers x8–x15 as 3-bit fields where needed.
    /// Fields (value, bit position) ORed into one compressed instruction.
    static func half(_ fields: [(Int, Int)]) -> UInt16 {
        var v = 0
        for (value, at) in fields { v |= value << at }
        return UInt16(truncatingIfNeeded: v)
    }
    static func cAddi(_ rd: Int, _ imm: Int) -> UInt16 { half([(imm >> 5 & 1, 12), (rd, 7), (imm & 31, 2), (0b01, 0)]) }
    static func cSlli(_ rd: Int, _ sh: Int) -> UInt16 { half([(sh >> 5 & 1, 12), (rd, 7), (sh & 31, 2), (0b10, 0)]) }
    static func cAdd(_ rd: Int, _ rs2: Int) -> UInt16 { half([(0b100, 13), (1, 12), (rd, 7), (rs2, 2), (0b10, 0)]) }
    /// c.sub/c.xor/c.or/c.and (f2 0–3) and, with `w`, c.subw/c.addw (f2 0–1).
    static func cArith(_ f2: Int, _ rd: Int, _ rs2: Int, w: Bool) -> UInt16 {
        half([(0b100, 13), (w ? 1 : 0, 12), (0b11, 10), (rd - 8, 7), (f2, 5), (rs2 - 8, 2), (0b01, 0)])
    }
    static func cLd(_ rd: Int, _ off: Int, _ rs1: Int) -> UInt16 {
        half([(0b011, 13), (off >> 3 & 7, 10), (rs1 - 8, 7), (off >> 6 & 3, 5), (rd - 8, 2)])
    }
    static func cSd(_ rs2: Int, _ off: Int, _ rs1: Int) -> UInt16 {
        half([(0b111, 13), (off >> 3 & 7, 10), (rs1 - 8, 7), (off >> 6 & 3, 5), (rs2 - 8, 2)])
    }
    /// C.FLD/C.FSD (quadrant 0, f3 001/101) and C.FLDSP/C.FSDSP (quadrant 2): f register `fr`.
    static func cFld(_ fr: Int, _ off: Int, _ rs1: Int, store: Bool) -> UInt16 {
        half([(store ? 0b101 : 0b001, 13), (off >> 3 & 7, 10), (rs1 - 8, 7), (off >> 6 & 3, 5), (fr - 8, 2)])
    }
    static func cFldsp(_ fr: Int, _ off: Int, store: Bool) -> UInt16 {
        store ? half([(0b101, 13), (off >> 3 & 7, 10), (off >> 6 & 7, 7), (fr, 2), (0b10, 0)])
              : half([(0b001, 13), (off >> 5 & 1, 12), (fr, 7), (off >> 3 & 3, 5), (off >> 6 & 7, 2), (0b10, 0)])
    }
    static func cBnez(_ rs1: Int, _ off: Int) -> UInt16 {
        let o = off & 0x1FF
        return half([(0b111, 13), (o >> 8 & 1, 12), (o >> 3 & 3, 10), (rs1 - 8, 7), (o >> 6 & 3, 5), (o >> 1 & 3, 3), (o >> 5 & 1, 2), (0b01, 0)])
    }

    // Zba, Zbb, Zbc, Zbs (Unpriv. "B"): register forms (f7, f3, opcode), unary forms
    // (imm[11:0] of OP-IMM or OP-IMM-32, or zext.h), and shift-amount forms.
    static let zbRegister: [(UInt32, UInt32, UInt32)] = [
        (0x10, 2, 0x33), (0x10, 4, 0x33), (0x10, 6, 0x33),                    // sh1add sh2add sh3add
        (0x04, 0, 0x3B), (0x10, 2, 0x3B), (0x10, 4, 0x3B), (0x10, 6, 0x3B),   // add.uw sh[123]add.uw
        (0x20, 7, 0x33), (0x20, 6, 0x33), (0x20, 4, 0x33),                    // andn orn xnor
        (0x05, 6, 0x33), (0x05, 7, 0x33), (0x05, 4, 0x33), (0x05, 5, 0x33),   // max maxu min minu
        (0x30, 1, 0x33), (0x30, 5, 0x33), (0x30, 1, 0x3B), (0x30, 5, 0x3B),   // rol ror rolw rorw
        (0x05, 1, 0x33), (0x05, 3, 0x33), (0x05, 2, 0x33),                    // clmul clmulh clmulr
        (0x24, 1, 0x33), (0x24, 5, 0x33), (0x34, 1, 0x33), (0x14, 1, 0x33),   // bclr bext binv bset
    ]
    static let zbUnary: [(imm: Int, f3: UInt32, opcode: UInt32)] = [
        (0x600, 1, 0x13), (0x601, 1, 0x13), (0x602, 1, 0x13),                // clz ctz cpop
        (0x600, 1, 0x1B), (0x601, 1, 0x1B), (0x602, 1, 0x1B),                // clzw ctzw cpopw
        (0x604, 1, 0x13), (0x605, 1, 0x13), (0x287, 5, 0x13), (0x6B8, 5, 0x13), // sext.b sext.h orc.b rev8
    ]
    /// Shift-amount forms: imm[11:6] (or [11:5] for roriw), f3, opcode, amount bits.
    static let zbShift: [(top: Int, f3: UInt32, opcode: UInt32, bits: Int)] = [
        (0x02 << 6, 1, 0x1B, 6),                                               // slli.uw
        (0x18 << 6, 5, 0x13, 6), (0x30 << 5, 5, 0x1B, 5),                     // rori roriw
        (0x12 << 6, 1, 0x13, 6), (0x12 << 6, 5, 0x13, 6), (0x1A << 6, 1, 0x13, 6), (0x0A << 6, 1, 0x13, 6), // bclri bexti binvi bseti
    ]
    static func zb(_ rng: inout SplitMix64, rd: Int, rs1: Int, rs2: Int) -> UInt32 {
        switch rng.next() % 4 {
        case 0, 1:
            let (f7, f3, opcode) = zbRegister[Int(rng.next() % UInt64(zbRegister.count))]
            return rType(opcode, rd: rd, f3: f3, rs1: rs1, rs2: rs2, f7: f7)
        case 2:
            if rng.next() % 11 == 0 { return rType(0x3B, rd: rd, f3: 4, rs1: rs1, rs2: 0, f7: 0x04) }  // zext.h
            let u = zbUnary[Int(rng.next() % UInt64(zbUnary.count))]
            return iType(u.opcode, rd: rd, f3: u.f3, rs1: rs1, imm: u.imm)
        default:
            let s = zbShift[Int(rng.next() % UInt64(zbShift.count))]
            let amount = [0, 1, (1 << s.bits) - 1, Int(rng.next() % UInt64(1 << s.bits))][Int(rng.next() % 4)]
            return iType(s.opcode, rd: rd, f3: s.f3, rs1: rs1, imm: s.top | amount)
        }
    }

    /// Three pages of blocks of random straight-line code, each ending in a branch or jump
    /// to another block (or falling through), plus occasional instructions the translator
    /// leaves to the interpreter (CSR reads of mcycle/minstret, division, fence). With `zb`,
    /// Zba/Zbb/Zbc/Zbs instructions too.
    ///
    /// With `atomics`, AMOs, LR/SC pairs and lone SCs on the data page at x8 (now and then
    /// misaligned, or at a random register's address: those trap), and a trap vector that
    /// skips the faulting instruction (`trapVectorBytes` from the end) instead of parking.
    /// With `aliases` too, half the atomics go through x8 + 1, 2 or 3 MiB: pages 256 apart,
    /// which share a slot of the modeled TLB but not of the host TLB (`sv39` boards).
    ///
    /// With `fp` (and `atomics`), half of those are FP loads and stores instead (FLW, FLD,
    /// FSW, FSD, C.FLD, C.FSD, C.FLDSP, C.FSDSP, at the same addresses: some misaligned, some
    /// trapping), and now and then a write of sstatus.FS (Off, Initial, Clean or Dirty): with
    /// FS Off they raise illegal instruction. A compressed one is followed by c.nop, so that
    /// the handler's skip of 4 bytes stays in step.
    static func program(_ rng: inout SplitMix64, zb: Bool = false, atomics: Bool = false, aliases: Bool = false,
                        fp: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        func w32(_ w: UInt32) { bytes += [UInt8(w & 0xFF), UInt8(w >> 8 & 0xFF), UInt8(w >> 16 & 0xFF), UInt8(w >> 24)] }
        func w16(_ h: UInt16) { bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
        let dests = Array(1...7) + Array(9...27)   // x8 and x28–x31 are bases and link registers
        let compressedDests = [9, 10, 11, 12, 13, 14, 15]
        func rd() -> Int { dests[Int(rng.next() % UInt64(dests.count))] }
        func rs() -> Int { Int(rng.next() % 32) }
        func imm12() -> Int { Int(rng.next() % 4096) - 2048 }
        for b in 0..<blocks {
            let start = bytes.count
            let here = b * blockBytes
            let ops = Int(rng.next() % 9)
            ops: for _ in 0..<ops where bytes.count - start <= 32 {
                let r = rng.next() % 40
                switch r {
                case 38, 39 where atomics:
                    // Counter reads: csrr / csrrc x0 / csrrsi 0 / csrrci 0 of cycle, time, instret
                    let csr = UInt16(0xC00 + rng.next() % 3)
                    switch rng.next() % 4 {
                    case 0: w32(csrrc(rd(), csr, 0))
                    case 1: w32(csrrsi(rd(), csr, 0))
                    case 2: w32(csrrci(rd(), csr, 0))
                    default: w32(csrrs(rd(), csr, 0))
                    }
                case 30...37 where atomics:
                    // An address on the page at x8 in a destination register t.
                    let t = rd()
                    let wide = rng.next() % 2 == 0
                    // Mostly one of four doublewords, so that lone LRs and SCs meet.
                    var off = Int(rng.next() % 8 == 0 ? rng.next() % 256 : rng.next() % 4) * 8
                    if rng.next() % 16 == 0 { off += Int(rng.next() % 8) }   // misaligned: traps
                    if aliases && rng.next() % 2 == 0 {
                        w32(lui(t, Int(1 + rng.next() % 3) << 8))
                        w32(add(t, t, 8))
                        w32(addi(t, t, off))
                    } else {
                        w32(addi(t, 8, off))
                    }
                    let base = rng.next() % 32 == 0 ? rs() : t               // garbage: traps
                    if fp && rng.next() % 2 == 0 {
                        let fr = Int(rng.next() % 32), store = rng.next() % 2 == 0
                        let more = Int(rng.next() % 8 == 0 ? rng.next() % 8 : 0)  // misaligned
                        switch rng.next() % 8 {
                        case 0:
                            // sstatus.FS = Off, Initial, Clean or Dirty
                            w32(lui(t, 6)); w32(csrrc(0, 0x100, t))
                            w32(lui(t, Int(rng.next() % 4) << 1)); w32(csrrs(0, 0x100, t))
                        case 1:
                            w16(cFld(8 + Int(rng.next() % 8), Int(rng.next() % 32) * 8, 8, store: store)); w16(0x0001)
                        case 2:
                            w32(addi(2, base, more))
                            w16(cFldsp(fr, Int(rng.next() % 64) * 8, store: store)); w16(0x0001)
                        default:
                            let wide = rng.next() % 2 == 0
                            w32(store ? sType(0x27, f3: wide ? 3 : 2, rs1: base, rs2: fr, imm: more)
                                      : iType(0x07, rd: fr, f3: wide ? 3 : 2, rs1: base, imm: more))
                        }
                        continue ops
                    }
                    func other() -> Int { rng.next() % 4 == 0 ? rd() : t }
                    switch r {
                    case 30, 31, 32:
                        let f: [AMOFunc] = [.add, .swap, .xor, .or, .and, .min, .max, .minu, .maxu]
                        w32(amo(f[Int(rng.next() % 9)], wide: wide, rd(), rs(), base))
                    case 33, 34, 35:
                        // LR, maybe something in between, SC to the same address or another
                        w32(amo(.lr, wide: wide, rd(), 0, base))
                        if rng.next() % 2 == 0 { w32(add(rd(), rs(), rs())) }
                        w32(amo(.sc, wide: rng.next() % 8 == 0 ? !wide : wide, rd(), rs(), other()))
                    case 36: w32(amo(.sc, wide: wide, rd(), rs(), base))      // a lone SC
                    default:
                        // A lone LR, and the block ends (the SC, if any, is in another block:
                        // a slice may end in between, and the interleaving epoch move)
                        w32(amo(.lr, wide: wide, rd(), 0, base))
                        break ops
                    }
                case 0: w32(lui(rd(), Int(rng.next() % 0x100000)))
                case 1: w32(auipc(rd(), Int(rng.next() % 0x100000)))
                case 2: w32(addi(rd(), rs(), imm12()))
                case 3: w32(slti(rd(), rs(), imm12()))
                case 4: w32(sltiu(rd(), rs(), imm12()))
                case 5: w32(xori(rd(), rs(), imm12()))
                case 6: w32(ori(rd(), rs(), imm12()))
                case 7: w32(andi(rd(), rs(), imm12()))
                case 8: w32([slli, srli, srai][Int(rng.next() % 3)](rd(), rs(), Int(rng.next() % 64)))
                case 9: w32([slliw, srliw, sraiw][Int(rng.next() % 3)](rd(), rs(), Int(rng.next() % 32)))
                case 10: w32(addiw(rd(), rs(), imm12()))
                case 11, 12:
                    let f = [add, sub, sll, slt, sltu, xor, srl, sra, or, and, addw, subw, sllw, srlw, sraw, mul, mulw, mulh, mulhu]
                    w32(f[Int(rng.next() % UInt64(f.count))](rd(), rs(), rs()))
                case 13, 14, 15:
                    // Loads around two data pages (x30, x31: some cross the page boundary).
                    let f = [lb, lh, lw, ld, lbu, lhu, lwu]
                    w32(f[Int(rng.next() % 7)](rd(), imm12(), 30 + Int(rng.next() % 2)))
                case 16, 17:
                    let f = [sb, sh, sw, sd]
                    w32(f[Int(rng.next() % 4)](rs(), imm12(), 30 + Int(rng.next() % 2)))
                case 18: w32(addi(0, rs(), imm12()))  // a write to x0
                case 19: w32(lw(0, imm12(), 30))
                case 20: w16(cAddi(rd(), Int(rng.next() % 64) - 32))
                case 21: w16(cSlli(rd(), Int(rng.next() % 63) + 1))
                case 22: w16(cAdd(rd(), Int(rng.next() % 31) + 1))
                case 23: w16(cArith(Int(rng.next() % 4), compressedDests.randomElement(using: &rng)!, Int(rng.next() % 8) + 8, w: false))
                case 24: w16(cArith(Int(rng.next() % 2), compressedDests.randomElement(using: &rng)!, Int(rng.next() % 8) + 8, w: true))
                case 25: w16(cLd(compressedDests.randomElement(using: &rng)!, Int(rng.next() % 32) * 8, 8))
                case 26: w16(cSd(Int(rng.next() % 8) + 8, Int(rng.next() % 32) * 8, 8))
                case 27: w32(csrrs(rd(), [0xB00, 0xB02][Int(rng.next() % 2)], 0))  // mcycle, minstret
                case 28: w32([div, divu, rem, remu][Int(rng.next() % 4)](rd(), rs(), rs()))
                case 29: w32(fence())
                case 30...35 where zb: w32(Self.zb(&rng, rd: rd(), rs1: rs(), rs2: rs()))
                default: w32(add(rd(), rs(), rs()))
                }
            }
            // The block's end: to a random block within reach, or fall through.
            let target = Int(rng.next() % UInt64(blocks))
            let off = (target - b) * blockBytes - (bytes.count - start)
            switch rng.next() % 8 {
            case 0: if abs(off) < 4000 { w32(beq(rs(), rs(), off)) }
            case 1: if abs(off) < 4000 { w32(bne(rs(), rs(), off)) }
            case 2: if abs(off) < 4000 { w32([blt, bge, bltu, bgeu][Int(rng.next() % 4)](rs(), rs(), off)) }
            case 3: w32(jal([0, 1, 28][Int(rng.next() % 3)], off))
            case 4:
                // auipc x29, 0; jalr x28, off(x29): an indirect jump, in or out of the page.
                if abs(off - 4) < 2000 { w32(auipc(29, 0)); w32(jalr(28, 29, off)) }
            case 5:
                let t = Int(rng.next() % 6) - 3  // a close block: c.bnez reach is ±256 bytes
                let o = (b + t) * blockBytes - here - (bytes.count - start)
                if b + t >= 0 && b + t < blocks && abs(o) < 250 { w16(cBnez(9 + Int(rng.next() % 7), o)) }
            default: break  // falls through into the next block
            }
            precondition(bytes.count - start <= blockBytes)
            if (bytes.count - start) % 4 == 2 { w16(0x0001) }  // c.nop
            while bytes.count - start < blockBytes { w32(nop) }
            precondition(bytes.count - start == blockBytes)
        }
        // The last block jumps back to the first.
        bytes.removeLast(4)
        w32(jal(0, -(bytes.count)))
        if atomics {
            // The trap vector: skip the faulting (4-byte) instruction. It starts with an
            // atomic: after a trap the interpreter's atomics leave the block
            // (`interruptCheckNeeded`), and translated ones must hand that back.
            w32(amo(.add, wide: true, 29, 0, 8))
            w32(csrrs(29, 0x341, 0))
            w32(addi(29, 29, 4))
            w32(csrrw(0, 0x341, 29))
            w32(mret())
        } else {
            w32(jal(0, 0))  // the trap vector: traps are not expected, and would park the hart here
        }
        return bytes
    }

    static func board(jit: Bool, code: [UInt8], seed: UInt64, extensions: Extensions = [],
                      hostFeatures: HostFeatures = .detected, trapVectorBytes: Int = 4, harts: Int = 1,
                      sv39: Bool = false, counters: (enable: UInt64, inhibit: UInt64) = (7, 0),
                      lower: LowerPrivilege? = nil) -> (Bus, [Hart]) {
        let fp = extensions.contains(.fd)
        let bus = Bus(memoryBytes: 4 << 20, harts: harts)
        bus.jitEnabled = jit
        bus.jitThreshold = 0
        bus.jit.hostFeatures = hostFeatures
        if let lower { bus.clint.timeOffset = lower.timeOffset }
        #expect(bus.writeMemory(codeBase, code))
        var rng = SplitMix64(seed: seed)
        var data: [UInt8] = []
        for _ in 0..<(3 * 4096 / 8) { data += withUnsafeBytes(of: rng.next()) { Array($0) } }
        #expect(bus.writeMemory(dataBase, data))
        var all: [Hart] = []
        for id in 0..<harts {
            let hart = Hart(id: id, bus: bus, extensions: extensions)
            hart.reset(pc: codeBase)
            hart.mtvec = codeBase + UInt64(code.count - trapVectorBytes)
            for i in 1..<32 { hart.x[i] = rng.next() }
            hart.x[8] = dataBase + 0x2000   // shared by all harts: their atomics contend
            hart.x[30] = dataBase + 0x800
            hart.x[31] = dataBase + 0x1800
            try! hart.csrWrite(CSR.mcounteren, counters.enable, raw: 0)
            try! hart.csrWrite(CSR.mcountinhibit, counters.inhibit, raw: 0)
            if fp {
                for i in 0..<32 { hart.f[i] = rng.next() }
                try! hart.csrWrite(CSR.mstatus, hart.mstatus | UInt64(rng.next() % 4) << 13, raw: 0)
            }
            if let lower {
                // U, S, VS or VU with bare translation (both stages), PMP allowing all.
                try! hart.csrWrite(CSR.scounteren, lower.scounteren, raw: 0)
                if lower.virtual {
                    try! hart.csrWrite(CSR.hcounteren, lower.hcounteren, raw: 0)
                    try! hart.csrWrite(CSR.htimedelta, lower.htimedelta, raw: 0)
                }
                try! hart.csrWrite(CSR.pmpaddr0, (1 << 54) - 1, raw: 0)
                try! hart.csrWrite(CSR.pmpcfg0, 0x1F, raw: 0)
                hart.setPrivilege(lower.privilege, virtual: lower.virtual)
            }
            if sv39 {
                // S-mode under Sv39: one 1 GiB leaf maps the RAM onto itself (traps go to M).
                let root = codeBase + 0x3F_F000
                var table = [UInt8](repeating: 0, count: 4096)
                let pte = ((codeBase >> 12) << 10) | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D | PTE.V
                withUnsafeBytes(of: pte.littleEndian) { table.replaceSubrange(16..<24, with: $0) }
                #expect(bus.writeMemory(root, table))
                try! hart.csrWrite(CSR.pmpaddr0, (1 << 54) - 1, raw: 0)
                try! hart.csrWrite(CSR.pmpcfg0, 0x1F, raw: 0)
                try! hart.csrWrite(CSR.satp, (SatpMode.sv39 << 60) | (root >> 12), raw: 0)
                hart.setPrivilege(.supervisor)
            }
            all.append(hart)
        }
        return (bus, all)
    }

    @Test(arguments: 0..<16)
    func translatedCodeMatchesTheInterpreter(_ seed: Int) {
        Self.differential(seed: seed, zb: false, hostFeatures: .detected)
    }

    /// The same with Zba/Zbb/Zbc/Zbs in the mix (a hart with those extensions).
    @Test(arguments: 0..<16)
    func translatedBitManipulationMatchesTheInterpreter(_ seed: Int) {
        Self.differential(seed: 100 + seed, zb: true, hostFeatures: .detected)
    }

    /// Without LZCNT, TZCNT, POPCNT and PCLMULQDQ on the host, clz/ctz/cpop/clmul fall back
    /// to the interpreter in the middle of translated code, with the same results.
    @Test(arguments: 0..<4)
    func bitManipulationWithoutHostFeatures(_ seed: Int) {
        Self.differential(seed: 200 + seed, zb: true, hostFeatures: [])
    }

    static func differential(seed: Int, zb: Bool, hostFeatures: HostFeatures) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 7)
        let code = Self.program(&rng, zb: zb)
        let ext: Extensions = zb ? [.zba, .zbb, .zbc, .zbs] : []
        let (busA, interps) = Self.board(jit: false, code: code, seed: UInt64(seed), extensions: ext)
        let (busB, jits) = Self.board(jit: true, code: code, seed: UInt64(seed), extensions: ext, hostFeatures: hostFeatures)
        let interp = interps[0], jit = jits[0]
        // Each run returns early when the interpreter leaves a chunk (a store to code or a
        // device, a CSR access…); both harts must return at the same points.
        var calls = 0
        while calls < 20_000 && interp.cycles < 3_000_000 {
            let limit = interp.cycles &+ 1 &+ rng.next() % 20_000
            if rng.next() % 4 == 0 {
                // Somewhere else (random control flow settles into small cycles).
                let pc = Self.codeBase + (rng.next() % UInt64(Self.blocks)) * UInt64(Self.blockBytes)
                interp.pc = pc
                jit.pc = pc
            }
            while interp.cycles < limit && calls < 20_000 {
                calls += 1
                interp.run(until: limit)
                jit.run(until: limit)
                guard interp.pc == jit.pc, interp.cycles == jit.cycles, interp.instret == jit.instret,
                      (0..<32).allSatisfy({ interp.register($0) == jit.register($0) }) else {
                    let regs = (0..<32).filter { interp.register($0) != jit.register($0) }
                    Issue.record("seed \(seed), call \(calls): pc \(hex(interp.pc))/\(hex(jit.pc)) cycles \(interp.cycles)/\(jit.cycles) instret \(interp.instret)/\(jit.instret) registers differing \(regs)")
                    return
                }
            }
        }
        #expect(interp.mcause == 0, "no trap expected: mcause \(interp.mcause) at \(hex(interp.mepc)) mtval \(hex(interp.mtval))")
        #expect(busA.readMemory(Self.dataBase, count: 3 * 4096) == busB.readMemory(Self.dataBase, count: 3 * 4096))
        #expect(interp.instret > 100_000, "the program ran: \(interp.instret) instructions")
        let stats = busB.jitStatistics
        #expect(stats.regions > 20 && stats.instructions > 500, "the JIT translated code: \(stats)")
    }

    /// Random programs with AMOs, LR/SC and fences (some misaligned or at garbage addresses,
    /// which trap and are skipped) on `harts` harts sharing the data: each slice runs every
    /// hart in turn and advances the bus's interleaving epoch between them, as the machine's
    /// run loop does, so reservations lapse the same way; sometimes the epoch also moves
    /// alone (another hart ran).
    @Test(arguments: 0..<12)
    func translatedAtomicsMatchTheInterpreter(_ seed: Int) {
        Self.atomicsDifferential(seed: 300 + seed, harts: 1 + seed % 3, counters: (7, [0, 1, 4, 5][seed % 4]))
    }

    /// The same in S-mode under Sv39, with atomics through aliases whose pages share a slot
    /// of the modeled TLB: an atomic goes through `physical`, so a translated one must see
    /// the modeled TLB's misses (2 cycles and a walk) where a plain store would not.
    @Test(arguments: 0..<8)
    func translatedAtomicsUnderSv39MatchTheInterpreter(_ seed: Int) {
        Self.atomicsDifferential(seed: 400 + seed, harts: 1 + seed % 2, sv39: true, counters: (UInt64(seed % 8), 0))
    }

    /// Random programs mixing FP loads and stores (compressed forms too, misaligned ones, FS
    /// switched between Off, Initial, Clean and Dirty) with the atomics: f registers and
    /// mstatus (FS, SD) must match as well.
    @Test(arguments: 0..<12)
    func translatedFPLoadsAndStoresMatchTheInterpreter(_ seed: Int) {
        Self.atomicsDifferential(seed: 500 + seed, harts: 1 + seed % 2, fp: true)
    }

    /// The same in S-mode under Sv39 (the FP accesses go through `physical`, like atomics).
    @Test(arguments: 0..<8)
    func translatedFPLoadsAndStoresUnderSv39MatchTheInterpreter(_ seed: Int) {
        Self.atomicsDifferential(seed: 600 + seed, harts: 1, sv39: true, fp: true)
    }

    /// Where `board` starts its harts instead of M-mode, with the other counter enables, the
    /// hypervisor's time delta and an mtime moved away from cycles / cyclesPerTick.
    struct LowerPrivilege {
        var privilege: Privilege, virtual: Bool
        var scounteren: UInt64, hcounteren: UInt64
        var htimedelta: UInt64, timeOffset: UInt64
    }

    /// Counter reads (cycle, time, instret) in U, VS, VU and S-mode, each mode with three
    /// mixes of mcounteren, scounteren and hcounteren that deny some counters (the read then
    /// raises illegal or virtual instruction, and the handler skips it), under a CLINT time
    /// offset (mtime written) and an htimedelta: a translated read must check every enable
    /// that applies to the mode, and add every term of time. In M-mode (the other tests)
    /// only mcountinhibit matters and time has neither term.
    @Test(arguments: 0..<12)
    func translatedCounterReadsBelowMMatchTheInterpreter(_ seed: Int) {
        let modes: [(Privilege, Bool)] = [(.user, false), (.supervisor, true), (.user, true), (.supervisor, false)]
        let (privilege, virtual) = modes[seed % 4]
        let k = seed / 4
        let lower = LowerPrivilege(privilege: privilege, virtual: virtual,
                                   scounteren: [6, 5, 3][k], hcounteren: [3, 6, 5][k],
                                   htimedelta: 0x1234_5678_9ABC &* UInt64(seed + 1), timeOffset: 0xFEDC_BA98_7654 &* UInt64(seed + 3))
        Self.atomicsDifferential(seed: 700 + seed, harts: 1, counters: ([7, 7, 6][k], 0), lower: lower,
                                 extensions: virtual ? [.h] : [])
    }

    static func atomicsDifferential(seed: Int, harts: Int, sv39: Bool = false, counters: (UInt64, UInt64) = (7, 0),
                                    fp: Bool = false, lower: LowerPrivilege? = nil, extensions: Extensions = []) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 7)
        let code = Self.program(&rng, atomics: true, aliases: sv39, fp: fp)
        let ext: Extensions = extensions.union(fp ? [.fd] : [])
        let (busA, interps) = Self.board(jit: false, code: code, seed: UInt64(seed), extensions: ext, trapVectorBytes: 20, harts: harts, sv39: sv39, counters: counters, lower: lower)
        let (busB, jits) = Self.board(jit: true, code: code, seed: UInt64(seed), extensions: ext, trapVectorBytes: 20, harts: harts, sv39: sv39, counters: counters, lower: lower)
        var calls = 0
        var slices = 0
        while calls < 20_000 && interps[0].cycles < 2_000_000 {
            slices += 1
            let limit = interps[0].cycles &+ 1 &+ rng.next() % 5_000
            if rng.next() % 4 == 0 {
                let h = Int(rng.next() % UInt64(harts))
                let pc = Self.codeBase + (rng.next() % UInt64(Self.blocks)) * UInt64(Self.blockBytes)
                if !sv39 && lower == nil || interps[h].mode != .m {  // (not out of an M-mode trap handler)
                    interps[h].pc = pc
                    jits[h].pc = pc
                }
            }
            if rng.next() % 3 == 0 {
                busA.interleavingEpoch &+= 1
                busB.interleavingEpoch &+= 1
            }
            for h in 0..<harts {
                if harts > 1 {
                    busA.interleavingEpoch &+= 1
                    busB.interleavingEpoch &+= 1
                }
                let interp = interps[h], jit = jits[h]
                while interp.cycles < limit && calls < 20_000 {
                    calls += 1
                    interp.run(until: limit)
                    jit.run(until: limit)
                    guard interp.pc == jit.pc, interp.cycles == jit.cycles, interp.instret == jit.instret,
                          interp.mcause == jit.mcause, interp.mepc == jit.mepc, interp.mtval == jit.mtval,
                          interp.mstatusValue == jit.mstatusValue,
                          (0..<32).allSatisfy({ interp.f[$0] == jit.f[$0] }),
                          (0..<32).allSatisfy({ interp.register($0) == jit.register($0) }) else {
                        let regs = (0..<32).filter { interp.register($0) != jit.register($0) }
                        let fregs = (0..<32).filter { interp.f[$0] != jit.f[$0] }
                        Issue.record("seed \(seed), hart \(h), call \(calls): pc \(hex(interp.pc))/\(hex(jit.pc)) cycles \(interp.cycles)/\(jit.cycles) instret \(interp.instret)/\(jit.instret) mcause \(interp.mcause)/\(jit.mcause) mstatus \(hex(interp.mstatusValue))/\(hex(jit.mstatusValue)) registers differing \(regs) f \(fregs)")
                        return
                    }
                }
            }
            guard busA.readMemory(Self.dataBase, count: 3 * 4096) == busB.readMemory(Self.dataBase, count: 3 * 4096) else {
                Issue.record("seed \(seed): data memory differs after slice \(slices)")
                return
            }
        }
        #expect(busA.readMemory(Self.dataBase, count: 0x20_3000) == busB.readMemory(Self.dataBase, count: 0x20_3000))
        let interp = interps[0]
        if sv39 {
            interp.settleStatistics()
            let sInstructions = interp.stats.instructions[ExecutionMode.hs.rawValue]
            #expect(sInstructions > 10_000 && interp.stats.tlbMisses > 10, "S-mode instructions \(sInstructions), TLB misses \(interp.stats.tlbMisses)")
        }
        #expect(interp.instret > 20_000, "the program ran: \(interp.instret) instructions")
        if fp {
            // FS was Dirty for translated loads to run in line, Off for some to trap.
            let illegal = interps.reduce(0) { $0 + $1.stats.exceptions[2] }
            #expect(illegal > 0, "some FP accesses found FS Off")
        }
        let traps = interps.reduce(0) { $0 + $1.stats.exceptions.reduce(0, &+) }
        #expect(traps > 0, "some atomics trapped (misaligned or access fault)")
        let stats = busB.jitStatistics
        #expect(stats.regions > (sv39 ? 5 : 20) && stats.instructions > 100, "the JIT translated code: \(stats)")
    }

    /// A hot loop that rewrites an instruction of its own body every iteration (then
    /// FENCE.I): the store retires the decoded page and its translated code, and the next
    /// iteration must run the new instruction.
    @Test(arguments: [false, true])
    func selfModifyingLoop(_ jit: Bool) {
        let bus = Bus(memoryBytes: 1 << 20)
        bus.jitEnabled = jit
        bus.jitThreshold = 0
        let hart = Hart(id: 0, bus: bus)
        // x5 = sum; x6 = i (1…200); x7 = address of the patched instruction; x9 = encoding base.
        // loop: patched: addi x5, x5, 0   (rewritten to addi x5, x5, i before it runs)
        let words: [UInt32] = [
            addi(5, 0, 0),             // 0x00
            addi(6, 0, 1),             // 0x04
            auipc(7, 0),               // 0x08: x7 = 0x08
            addi(7, 7, 0x24),          // 0x0C: x7 = 0x2C (patched)
            lui(9, 0x28),              // 0x10: x9 = 0x28000 (rd=5 → bits 7..11 = 0x280)
            addi(9, 9, 0x293),         // 0x14: x9 = 0x28293 = addi x5, x5, 0
            slli(10, 6, 20),           // 0x18: loop: x10 = i << 20 (imm field)
            or(10, 10, 9),             // 0x1C
            sw(10, 0, 7),              // 0x20: patch
            fenceI(),                  // 0x24
            addi(11, 0, 200),          // 0x28
            addi(5, 5, 0),             // 0x2C: patched
            addi(6, 6, 1),             // 0x30
            bge(11, 6, -0x1C),         // 0x34: while i <= 200 → 0x18
            addi(10, 5, 0),            // 0x38: a0 = sum
            jal(0, 0),                 // 0x3C: spin
        ]
        var bytes: [UInt8] = []
        for w in words { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        #expect(bus.writeMemory(Self.codeBase, bytes))
        hart.reset(pc: Self.codeBase)
        var calls = 0
        while hart.cycles < 200_000 && calls < 10_000 {
            calls += 1
            hart.run(until: 200_000)
        }
        #expect(hart.register(10) == (1...200).reduce(0, +), "sum of the patched immediates")
        #expect(hart.pc == Self.codeBase + 0x3C)
    }

    /// Visit counts share the slot's word with code addresses: a threshold beyond the cap is
    /// held at `JIT.maxThreshold`, and a loop visited more often than that is translated once.
    @Test func highThresholdIsCapped() {
        let bus = Bus(memoryBytes: 1 << 20)
        bus.jitThreshold = 1 << 40
        #expect(bus.jitThreshold == JIT.maxThreshold)
        let hart = Hart(id: 0, bus: bus)
        let words: [UInt32] = [addi(6, 0, 2047), addi(6, 6, 2047), addi(5, 5, 1), addi(6, 6, -1), bne(6, 0, -8), jal(0, 0)]
        var bytes: [UInt8] = []
        for w in words { bytes += withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        #expect(bus.writeMemory(Self.codeBase, bytes))
        hart.reset(pc: Self.codeBase)
        hart.run(until: 100_000)
        #expect(hart.register(5) == 4094)
        #expect(hart.pc == Self.codeBase + 20)
        #expect(bus.jitStatistics.regions >= 1)
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
