/// Operations of the interpreter. A compressed instruction that expands to a common operation
/// gets its own `c…` case placed right before the base case in the interpreter's `switch`: it
/// sets the fall-through pc to pc+2 and falls into the base case, so the next pc never waits
/// on a load of the instruction length (STYLE.md, "what cost the most").
@usableFromInline
enum Op: UInt8 {
    /// A slot not decoded yet (zero, so fresh zeroed memory is an empty decoded page).
    case undecoded = 0
    /// The slot after the last one of a page: leave the page.
    case pageEnd
    /// A 32-bit instruction at offset 4094: its upper half is on the next page.
    case straddle
    case illegal
    // RV64I (Unpriv. §2, §4)
    case lui, auipc, jal, jalr
    case beq, bne, blt, bge, bltu, bgeu
    case lb, lh, lw, ld, lbu, lhu, lwu
    case sb, sh, sw, sd
    case addi, slti, sltiu, xori, ori, andi, slli, srli, srai
    case add, sub, sll, slt, sltu, xor, srl, sra, or, and
    case addiw, slliw, srliw, sraiw, addw, subw, sllw, srlw, sraw
    // M (Unpriv. §13)
    case mul, mulh, mulhsu, mulhu, div, divu, rem, remu
    case mulw, divw, divuw, remw, remuw
    // Bit manipulation (Unpriv. "B" Standard Extension: Zba, Zbb, Zbc, Zbs); the immediate
    // forms (slli.uw, rori, roriw, b*i) carry their shift amount or bit index in `imm`.
    case sh1add, sh2add, sh3add, addUw, sh1addUw, sh2addUw, sh3addUw, slliUw
    case andn, orn, xnor, clz, clzw, ctz, ctzw, cpop, cpopw, max, maxu, min, minu
    case sextB, sextH, zextH, rol, rolw, ror, rori, roriw, rorw, orcB, rev8
    case clmul, clmulh, clmulr
    case bclr, bclri, bext, bexti, binv, binvi, bset, bseti
    // A (Unpriv. §14): LR/SC and AMOs, word and doubleword
    case lrW, scW, lrD, scD
    case amoswapW, amoaddW, amoxorW, amoandW, amoorW, amominW, amomaxW, amominuW, amomaxuW
    case amoswapD, amoaddD, amoxorD, amoandD, amoorD, amominD, amomaxD, amominuD, amomaxuD
    // System, Zicsr, Zifencei (Unpriv. §2.7–2.8, §6, §7; Priv. §3.3, §12.2.1)
    case fence, fenceI, ecall, ebreak, mret, sret, wfi, sfenceVma
    // Hypervisor (Priv. H "Hypervisor Instructions"): HLV/HLVX (imm = log2 size | 4 if
    // unsigned | 8 if HLVX), HSV (imm = log2 size), HFENCE.VVMA/GVMA.
    case hlv, hsv, hfenceVvma, hfenceGvma
    // Zicbom/Zicboz (CMO spec): CBO.INVAL/CLEAN/FLUSH/ZERO, imm = the funct12 (0, 1, 2, 4).
    case cbo
    // F and D (Unpriv. "F", "D"): loads and stores (the FP register is in `rs2`, since `rd`
    // names integer registers), and every other FP instruction, decoded again from `raw`
    // by the out-of-line `executeFP`.
    case flw, fld, fsw, fsd, cFld, cFsd, fp
    // Zfhmin (Unpriv. "Zfhmin" in the "Zfh" chapter): FLH/FSH; its moves and conversions are `.fp`.
    case flh, fsh
    case csrrw, csrrs, csrrc, csrrwi, csrrsi, csrrci
    // Compressed forms with their own entry (Unpriv. §28); each falls through to its base op.
    case cAddi, cAddiw, cLui, cAdd, cSub, cXor, cOr, cAnd, cAddw, cSubw
    case cAndi, cSlli, cSrli, cSrai, cLw, cLd, cSw, cSd, cJal, cJalr, cBeq, cBne, cEbreak
}

/// One decoded instruction: 16 bytes. `raw` holds the instruction bits (16 or 32).
/// `tick` is what entering the straight-line block at this slot costs: the cycles of the
/// instructions from here to the block's end (bits 31:12) and their number (bits 11:0).
@usableFromInline
struct Decoded {
    @usableFromInline var raw: UInt32
    @usableFromInline var imm: Int32
    @usableFromInline var tick: UInt32
    @usableFromInline var op: Op
    /// Destination register; x0 is redirected to the sink register 32 so no write is ever skipped.
    @usableFromInline var rd: UInt8
    @usableFromInline var rs1: UInt8
    @usableFromInline var rs2: UInt8

    /// The immediate, sign-extended to 64 bits.
    var immediate: UInt64 { UInt64(bitPattern: Int64(imm)) }

    static let pageEndSentinel = Decoded(raw: 0, imm: 0, tick: 0, op: .pageEnd, rd: 0, rs1: 0, rs2: 0)
    static let straddling = Decoded(raw: 0, imm: 0, tick: 0, op: .straddle, rd: 32, rs1: 0, rs2: 0)

    /// Tick of a one-instruction block.
    static func tick(cycles: UInt32, count: UInt32) -> UInt32 { (cycles << 12) | count }
}

@inline(__always) private func bits(_ w: UInt32, _ hi: UInt32, _ lo: UInt32) -> UInt32 {
    (w >> lo) & ((1 << (hi - lo + 1)) - 1)
}

@inline(__always) private func signExtend(_ v: UInt32, _ width: UInt32) -> Int32 {
    let shift = 32 - width
    return Int32(bitPattern: v << shift) >> Int32(shift)
}

extension Op {
    /// Ends a straight-line block: the next instruction is reached only through a block
    /// entry, where cycles are charged and the budget is checked.
    var endsBlock: Bool {
        switch self {
        case .jal, .jalr, .cJal, .cJalr, .beq, .bne, .blt, .bge, .bltu, .bgeu, .cBeq, .cBne,
             .mret, .sret, .wfi, .sfenceVma, .hfenceVvma, .hfenceGvma, .ecall, .ebreak, .cEbreak, .illegal,
             .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci, .straddle, .pageEnd, .undecoded:
            return true
        default:
            return false
        }
    }
}

/// The sink register index for writes to x0.
let sinkRegister: UInt8 = 32

extension Op {
    /// The optional extension an operation belongs to, or [] for the base ISA. A hart without
    /// it decodes the instruction as illegal (F/D and H are checked when they execute).
    var requiredExtension: Extensions {
        switch self {
        case .sh1add, .sh2add, .sh3add, .addUw, .sh1addUw, .sh2addUw, .sh3addUw, .slliUw: return .zba
        case .andn, .orn, .xnor, .clz, .clzw, .ctz, .ctzw, .cpop, .cpopw, .max, .maxu, .min, .minu,
             .sextB, .sextH, .zextH, .rol, .rolw, .ror, .rori, .roriw, .rorw, .orcB, .rev8:
            return .zbb
        case .clmul, .clmulh, .clmulr: return .zbc
        case .bclr, .bclri, .bext, .bexti, .binv, .binvi, .bset, .bseti: return .zbs
        case .flh, .fsh: return .zfhmin
        default: return []
        }
    }
}

/// Decodes one instruction word (Unpriv. §2.2–2.3 base formats, §28 compressed) for a hart
/// with `extensions`: an instruction of an extension it lacks decodes as illegal. (Decoded
/// pages are shared by the harts of a board, which all have the same extensions.)
func decode(_ word: UInt32, _ extensions: Extensions = .all) -> Decoded {
    var d = (word & 3) == 3 ? decode32(word) : decode16(UInt16(truncatingIfNeeded: word))
    if _slowPath(!extensions.isSuperset(of: d.op.requiredExtension)) { d = illegalInstruction }
    d.raw = (word & 3) == 3 ? word : word & 0xFFFF
    if d.rd == 0 { d.rd = sinkRegister }
    d.tick = Decoded.tick(cycles: UInt32(CycleModel.baseCost(d.op)), count: 1)
    return d
}

private func make(_ op: Op, rd: UInt32 = 0, rs1: UInt32 = 0, rs2: UInt32 = 0, imm: Int32 = 0) -> Decoded {
    Decoded(raw: 0, imm: imm, tick: 0, op: op, rd: UInt8(rd), rs1: UInt8(rs1), rs2: UInt8(rs2))
}

private let illegalInstruction = make(.illegal)

private func decode32(_ w: UInt32) -> Decoded {
    let opcode = w & 0x7F
    let rd = bits(w, 11, 7), rs1 = bits(w, 19, 15), rs2 = bits(w, 24, 20)
    let f3 = bits(w, 14, 12), f7 = bits(w, 31, 25)
    let immI = signExtend(bits(w, 31, 20), 12)
    let immS = signExtend((bits(w, 31, 25) << 5) | bits(w, 11, 7), 12)
    let immB = signExtend((bits(w, 31, 31) << 12) | (bits(w, 7, 7) << 11) | (bits(w, 30, 25) << 5) | (bits(w, 11, 8) << 1), 13)
    let immU = Int32(bitPattern: w & 0xFFFF_F000)
    let immJ = signExtend((bits(w, 31, 31) << 20) | (bits(w, 19, 12) << 12) | (bits(w, 20, 20) << 11) | (bits(w, 30, 21) << 1), 21)

    switch opcode {
    case 0x37: return make(.lui, rd: rd, imm: immU)
    case 0x17: return make(.auipc, rd: rd, imm: immU)
    case 0x6F: return make(.jal, rd: rd, imm: immJ)
    case 0x67:
        return f3 == 0 ? make(.jalr, rd: rd, rs1: rs1, imm: immI) : illegalInstruction
    case 0x63:
        let ops: [Op?] = [.beq, .bne, nil, nil, .blt, .bge, .bltu, .bgeu]
        guard let op = ops[Int(f3)] else { return illegalInstruction }
        return make(op, rs1: rs1, rs2: rs2, imm: immB)
    case 0x03:
        let ops: [Op?] = [.lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, nil]
        guard let op = ops[Int(f3)] else { return illegalInstruction }
        return make(op, rd: rd, rs1: rs1, imm: immI)
    case 0x07:  // LOAD-FP (FLH: Zfhmin)
        guard f3 >= 1 && f3 <= 3 else { return illegalInstruction }
        return make(f3 == 1 ? .flh : f3 == 2 ? .flw : .fld, rs1: rs1, rs2: rd, imm: immI)
    case 0x27:  // STORE-FP (FSH: Zfhmin)
        guard f3 >= 1 && f3 <= 3 else { return illegalInstruction }
        return make(f3 == 1 ? .fsh : f3 == 2 ? .fsw : .fsd, rs1: rs1, rs2: rs2, imm: immS)
    case 0x43, 0x47, 0x4B, 0x4F, 0x53:  // FMADD/FMSUB/FNMSUB/FNMADD, OP-FP
        return make(.fp)
    case 0x23:
        let ops: [Op?] = [.sb, .sh, .sw, .sd, nil, nil, nil, nil]
        guard let op = ops[Int(f3)] else { return illegalInstruction }
        return make(op, rs1: rs1, rs2: rs2, imm: immS)
    case 0x13:
        switch f3 {
        case 0: return make(.addi, rd: rd, rs1: rs1, imm: immI)
        case 2: return make(.slti, rd: rd, rs1: rs1, imm: immI)
        case 3: return make(.sltiu, rd: rd, rs1: rs1, imm: immI)
        case 4: return make(.xori, rd: rd, rs1: rs1, imm: immI)
        case 6: return make(.ori, rd: rd, rs1: rs1, imm: immI)
        case 7: return make(.andi, rd: rd, rs1: rs1, imm: immI)
        case 1:  // RV64 shamt is 6 bits: imm[11:6] selects the operation
            let shamt = Int32(bits(w, 25, 20))
            switch bits(w, 31, 26) {
            case 0x00: return make(.slli, rd: rd, rs1: rs1, imm: shamt)
            case 0x0A: return make(.bseti, rd: rd, rs1: rs1, imm: shamt)  // Zbs
            case 0x12: return make(.bclri, rd: rd, rs1: rs1, imm: shamt)  // Zbs
            case 0x1A: return make(.binvi, rd: rd, rs1: rs1, imm: shamt)  // Zbs
            case 0x18:  // Zbb unary operations: imm[5:0] selects
                let unary: [Op?] = [.clz, .ctz, .cpop, nil, .sextB, .sextH]
                guard shamt < 6, let op = unary[Int(shamt)] else { return illegalInstruction }
                return make(op, rd: rd, rs1: rs1)
            default: return illegalInstruction
            }
        default:  // 5
            let shamt = Int32(bits(w, 25, 20))
            switch bits(w, 31, 20) {
            case 0x287: return make(.orcB, rd: rd, rs1: rs1)  // Zbb
            case 0x6B8: return make(.rev8, rd: rd, rs1: rs1)  // Zbb (RV64 encoding)
            default: break
            }
            switch bits(w, 31, 26) {
            case 0x00: return make(.srli, rd: rd, rs1: rs1, imm: shamt)
            case 0x10: return make(.srai, rd: rd, rs1: rs1, imm: shamt)
            case 0x12: return make(.bexti, rd: rd, rs1: rs1, imm: shamt)  // Zbs
            case 0x18: return make(.rori, rd: rd, rs1: rs1, imm: shamt)   // Zbb
            default: return illegalInstruction
            }
        }
    case 0x1B:
        switch (f3, f7) {
        case (0, _): return make(.addiw, rd: rd, rs1: rs1, imm: immI)
        case (1, 0x00): return make(.slliw, rd: rd, rs1: rs1, imm: Int32(rs2))
        case (5, 0x00): return make(.srliw, rd: rd, rs1: rs1, imm: Int32(rs2))
        case (5, 0x20): return make(.sraiw, rd: rd, rs1: rs1, imm: Int32(rs2))
        case (1, 0x04), (1, 0x05): return make(.slliUw, rd: rd, rs1: rs1, imm: Int32(bits(w, 25, 20)))  // Zba
        case (1, 0x30):  // Zbb clzw, ctzw, cpopw
            guard rs2 <= 2 else { return illegalInstruction }
            return make([Op.clzw, .ctzw, .cpopw][Int(rs2)], rd: rd, rs1: rs1)
        case (5, 0x30): return make(.roriw, rd: rd, rs1: rs1, imm: Int32(rs2))  // Zbb
        default: return illegalInstruction
        }
    case 0x33:
        let op: Op?
        switch (f7, f3) {
        case (0x00, 0): op = .add
        case (0x20, 0): op = .sub
        case (0x00, 1): op = .sll
        case (0x00, 2): op = .slt
        case (0x00, 3): op = .sltu
        case (0x00, 4): op = .xor
        case (0x00, 5): op = .srl
        case (0x20, 5): op = .sra
        case (0x00, 6): op = .or
        case (0x00, 7): op = .and
        case (0x01, 0): op = .mul
        case (0x01, 1): op = .mulh
        case (0x01, 2): op = .mulhsu
        case (0x01, 3): op = .mulhu
        case (0x01, 4): op = .div
        case (0x01, 5): op = .divu
        case (0x01, 6): op = .rem
        case (0x01, 7): op = .remu
        // Zba, Zbb, Zbc, Zbs (Unpriv. "B": the instruction pages of each extension)
        case (0x10, 2): op = .sh1add
        case (0x10, 4): op = .sh2add
        case (0x10, 6): op = .sh3add
        case (0x20, 7): op = .andn
        case (0x20, 6): op = .orn
        case (0x20, 4): op = .xnor
        case (0x05, 1): op = .clmul
        case (0x05, 2): op = .clmulr
        case (0x05, 3): op = .clmulh
        case (0x05, 4): op = .min
        case (0x05, 5): op = .minu
        case (0x05, 6): op = .max
        case (0x05, 7): op = .maxu
        case (0x30, 1): op = .rol
        case (0x30, 5): op = .ror
        case (0x24, 1): op = .bclr
        case (0x24, 5): op = .bext
        case (0x34, 1): op = .binv
        case (0x14, 1): op = .bset
        default: op = nil
        }
        guard let op else { return illegalInstruction }
        return make(op, rd: rd, rs1: rs1, rs2: rs2)
    case 0x3B:
        let op: Op?
        switch (f7, f3) {
        case (0x00, 0): op = .addw
        case (0x20, 0): op = .subw
        case (0x00, 1): op = .sllw
        case (0x00, 5): op = .srlw
        case (0x20, 5): op = .sraw
        case (0x01, 0): op = .mulw
        case (0x01, 4): op = .divw
        case (0x01, 5): op = .divuw
        case (0x01, 6): op = .remw
        case (0x01, 7): op = .remuw
        // Zba .uw forms, Zbb rolw/rorw and zext.h (RV64: OP-32 with rs2 = 0)
        case (0x04, 0): op = .addUw
        case (0x10, 2): op = .sh1addUw
        case (0x10, 4): op = .sh2addUw
        case (0x10, 6): op = .sh3addUw
        case (0x30, 1): op = .rolw
        case (0x30, 5): op = .rorw
        case (0x04, 4): op = rs2 == 0 ? .zextH : nil
        default: op = nil
        }
        guard let op else { return illegalInstruction }
        return make(op, rd: rd, rs1: rs1, rs2: rs2)
    case 0x2F:
        guard f3 == 2 || f3 == 3 else { return illegalInstruction }
        let wide = f3 == 3
        let op: Op?
        switch bits(w, 31, 27) {
        case 0x02: op = rs2 == 0 ? (wide ? .lrD : .lrW) : nil
        case 0x03: op = wide ? .scD : .scW
        case 0x01: op = wide ? .amoswapD : .amoswapW
        case 0x00: op = wide ? .amoaddD : .amoaddW
        case 0x04: op = wide ? .amoxorD : .amoxorW
        case 0x0C: op = wide ? .amoandD : .amoandW
        case 0x08: op = wide ? .amoorD : .amoorW
        case 0x10: op = wide ? .amominD : .amominW
        case 0x14: op = wide ? .amomaxD : .amomaxW
        case 0x18: op = wide ? .amominuD : .amominuW
        case 0x1C: op = wide ? .amomaxuD : .amomaxuW
        default: op = nil
        }
        guard let op else { return illegalInstruction }
        return make(op, rd: rd, rs1: rs1, rs2: rs2)
    case 0x0F:
        switch f3 {
        // FENCE, FENCE.TSO, and PAUSE (Zihintpause: pred = W, succ = 0, a HINT that may
        // only delay the hart): all order nothing on one in-order hart, so no-ops.
        case 0: return make(.fence)
        case 1: return make(.fenceI)
        case 2:
            // CBO.* (MISC-MEM, funct3 = 2, rd = 0): the extension checks are the hart's.
            guard rd == 0, [0, 1, 2, 4].contains(bits(w, 31, 20)) else { return illegalInstruction }
            return make(.cbo, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        default: return illegalInstruction
        }
    case 0x73:
        switch f3 {
        case 0:
            // ECALL/EBREAK/xRET/WFI/SFENCE.VMA: rd must be 0; rs1 must be 0 except SFENCE.VMA.
            guard rd == 0 else { return illegalInstruction }
            if f7 == 0x09 { return make(.sfenceVma, rs1: rs1, rs2: rs2) }
            if f7 == 0x11 { return make(.hfenceVvma, rs1: rs1, rs2: rs2) }
            if f7 == 0x31 { return make(.hfenceGvma, rs1: rs1, rs2: rs2) }
            // Svinval: SINVAL.VMA, HINVAL.VVMA/GVMA run as the fences they refine, and
            // SFENCE.W.INVAL / SFENCE.INVAL.IR (funct7 0x0C, rs2 = 0 / 1) as SFENCE.VMA;
            // the hart tells them apart by their bits (`Hart.fenceDenied`).
            if f7 == 0x0B { return make(.sfenceVma, rs1: rs1, rs2: rs2) }
            if f7 == 0x13 { return make(.hfenceVvma, rs1: rs1, rs2: rs2) }
            if f7 == 0x33 { return make(.hfenceGvma, rs1: rs1, rs2: rs2) }
            if f7 == 0x0C { return rs1 == 0 && rs2 <= 1 ? make(.sfenceVma) : illegalInstruction }
            guard rs1 == 0 else { return illegalInstruction }
            switch bits(w, 31, 20) {
            case 0x000: return make(.ecall)
            case 0x001: return make(.ebreak)
            case 0x302: return make(.mret)
            case 0x102: return make(.sret)
            case 0x105: return make(.wfi)
            default: return illegalInstruction
            }
        case 4:
            // HLV/HLVX/HSV: funct7 = 0110 size store.
            guard f7 >> 3 == 0b0110 else { return illegalInstruction }
            let size = Int32((f7 >> 1) & 3)
            if f7 & 1 == 1 {
                guard rd == 0 else { return illegalInstruction }
                return make(.hsv, rs1: rs1, rs2: rs2, imm: size)
            }
            switch (size, rs2) {
            case (_, 0), (0...2, 1): return make(.hlv, rd: rd, rs1: rs1, imm: size | (rs2 == 1 ? 4 : 0))
            case (1...2, 3): return make(.hlv, rd: rd, rs1: rs1, imm: size | 4 | 8)
            default: return illegalInstruction
            }
        case 1: return make(.csrrw, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        case 2: return make(.csrrs, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        case 3: return make(.csrrc, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        case 5: return make(.csrrwi, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        case 6: return make(.csrrsi, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        case 7: return make(.csrrci, rd: rd, rs1: rs1, imm: Int32(bits(w, 31, 20)))
        default: return illegalInstruction
        }
    default:
        return illegalInstruction
    }
}

@inline(__always) private func cbits(_ w: UInt32, _ hi: UInt32, _ lo: UInt32) -> UInt32 { bits(w, hi, lo) }

/// RV64C (Unpriv. §28, tables "RVC opcode map"): each form expands to its base instruction.
private func decode16(_ h: UInt16) -> Decoded {
    let w = UInt32(h)
    let quadrant = w & 3
    let f3 = cbits(w, 15, 13)
    let rdFull = cbits(w, 11, 7), rs2Full = cbits(w, 6, 2)
    let rdP = cbits(w, 4, 2) + 8       // rd' / rs2'
    let rs1P = cbits(w, 9, 7) + 8      // rs1' / rd'
    switch (quadrant, f3) {
    case (0, 0):  // C.ADDI4SPN: addi rd', x2, nzuimm
        let imm = (cbits(w, 10, 7) << 6) | (cbits(w, 12, 11) << 4) | (cbits(w, 5, 5) << 3) | (cbits(w, 6, 6) << 2)
        guard imm != 0 else { return illegalInstruction }   // includes the all-zero halfword
        return make(.cAddi, rd: rdP, rs1: 2, imm: Int32(imm))
    case (0, 2):  // C.LW
        let imm = (cbits(w, 5, 5) << 6) | (cbits(w, 12, 10) << 3) | (cbits(w, 6, 6) << 2)
        return make(.cLw, rd: rdP, rs1: rs1P, imm: Int32(imm))
    case (0, 3):  // C.LD
        let imm = (cbits(w, 6, 5) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cLd, rd: rdP, rs1: rs1P, imm: Int32(imm))
    case (0, 6):  // C.SW
        let imm = (cbits(w, 5, 5) << 6) | (cbits(w, 12, 10) << 3) | (cbits(w, 6, 6) << 2)
        return make(.cSw, rs1: rs1P, rs2: rdP, imm: Int32(imm))
    case (0, 7):  // C.SD
        let imm = (cbits(w, 6, 5) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cSd, rs1: rs1P, rs2: rdP, imm: Int32(imm))
    case (0, 1):  // C.FLD
        let imm = (cbits(w, 6, 5) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cFld, rs1: rs1P, rs2: rdP, imm: Int32(imm))
    case (0, 5):  // C.FSD
        let imm = (cbits(w, 6, 5) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cFsd, rs1: rs1P, rs2: rdP, imm: Int32(imm))
    case (0, _):  // reserved
        return illegalInstruction

    case (1, 0):  // C.ADDI / C.NOP (HINTs with rd=0 or imm=0 execute as no-ops)
        let imm = signExtend((cbits(w, 12, 12) << 5) | cbits(w, 6, 2), 6)
        return make(.cAddi, rd: rdFull, rs1: rdFull, imm: imm)
    case (1, 1):  // C.ADDIW (rd=0 reserved)
        guard rdFull != 0 else { return illegalInstruction }
        let imm = signExtend((cbits(w, 12, 12) << 5) | cbits(w, 6, 2), 6)
        return make(.cAddiw, rd: rdFull, rs1: rdFull, imm: imm)
    case (1, 2):  // C.LI
        let imm = signExtend((cbits(w, 12, 12) << 5) | cbits(w, 6, 2), 6)
        return make(.cAddi, rd: rdFull, rs1: 0, imm: imm)
    case (1, 3):
        if rdFull == 2 {  // C.ADDI16SP
            let imm = (cbits(w, 12, 12) << 9) | (cbits(w, 4, 3) << 7) | (cbits(w, 5, 5) << 6) | (cbits(w, 2, 2) << 5) | (cbits(w, 6, 6) << 4)
            guard imm != 0 else { return illegalInstruction }
            return make(.cAddi, rd: 2, rs1: 2, imm: signExtend(imm, 10))
        }
        // C.LUI (nzimm=0 reserved)
        let imm = (cbits(w, 12, 12) << 17) | (cbits(w, 6, 2) << 12)
        guard imm != 0 else { return illegalInstruction }
        return make(.cLui, rd: rdFull, imm: signExtend(imm, 18))
    case (1, 4):
        let shamt = Int32((cbits(w, 12, 12) << 5) | cbits(w, 6, 2))
        switch cbits(w, 11, 10) {
        case 0: return make(.cSrli, rd: rs1P, rs1: rs1P, imm: shamt)
        case 1: return make(.cSrai, rd: rs1P, rs1: rs1P, imm: shamt)
        case 2:
            let imm = signExtend((cbits(w, 12, 12) << 5) | cbits(w, 6, 2), 6)
            return make(.cAndi, rd: rs1P, rs1: rs1P, imm: imm)
        default:
            switch (cbits(w, 12, 12), cbits(w, 6, 5)) {
            case (0, 0): return make(.cSub, rd: rs1P, rs1: rs1P, rs2: rdP)
            case (0, 1): return make(.cXor, rd: rs1P, rs1: rs1P, rs2: rdP)
            case (0, 2): return make(.cOr, rd: rs1P, rs1: rs1P, rs2: rdP)
            case (0, 3): return make(.cAnd, rd: rs1P, rs1: rs1P, rs2: rdP)
            case (1, 0): return make(.cSubw, rd: rs1P, rs1: rs1P, rs2: rdP)
            case (1, 1): return make(.cAddw, rd: rs1P, rs1: rs1P, rs2: rdP)
            default: return illegalInstruction
            }
        }
    case (1, 5):  // C.J
        let imm = (cbits(w, 12, 12) << 11) | (cbits(w, 8, 8) << 10) | (cbits(w, 10, 9) << 8) | (cbits(w, 6, 6) << 7)
            | (cbits(w, 7, 7) << 6) | (cbits(w, 2, 2) << 5) | (cbits(w, 11, 11) << 4) | (cbits(w, 5, 3) << 1)
        return make(.cJal, rd: 0, imm: signExtend(imm, 12))
    case (1, 6), (1, 7):  // C.BEQZ, C.BNEZ
        let imm = (cbits(w, 12, 12) << 8) | (cbits(w, 6, 5) << 6) | (cbits(w, 2, 2) << 5) | (cbits(w, 11, 10) << 3) | (cbits(w, 4, 3) << 1)
        return make(f3 == 6 ? .cBeq : .cBne, rs1: rs1P, rs2: 0, imm: signExtend(imm, 9))

    case (2, 0):  // C.SLLI
        let shamt = Int32((cbits(w, 12, 12) << 5) | cbits(w, 6, 2))
        return make(.cSlli, rd: rdFull, rs1: rdFull, imm: shamt)
    case (2, 2):  // C.LWSP (rd=0 reserved)
        guard rdFull != 0 else { return illegalInstruction }
        let imm = (cbits(w, 3, 2) << 6) | (cbits(w, 12, 12) << 5) | (cbits(w, 6, 4) << 2)
        return make(.cLw, rd: rdFull, rs1: 2, imm: Int32(imm))
    case (2, 3):  // C.LDSP (rd=0 reserved)
        guard rdFull != 0 else { return illegalInstruction }
        let imm = (cbits(w, 4, 2) << 6) | (cbits(w, 12, 12) << 5) | (cbits(w, 6, 5) << 3)
        return make(.cLd, rd: rdFull, rs1: 2, imm: Int32(imm))
    case (2, 4):
        if cbits(w, 12, 12) == 0 {
            if rs2Full == 0 {  // C.JR (rs1=0 reserved)
                guard rdFull != 0 else { return illegalInstruction }
                return make(.cJalr, rd: 0, rs1: rdFull, imm: 0)
            }
            return make(.cAdd, rd: rdFull, rs1: 0, rs2: rs2Full)  // C.MV
        }
        if rs2Full == 0 {
            if rdFull == 0 { return make(.cEbreak) }  // C.EBREAK
            return make(.cJalr, rd: 1, rs1: rdFull, imm: 0)  // C.JALR
        }
        return make(.cAdd, rd: rdFull, rs1: rdFull, rs2: rs2Full)  // C.ADD
    case (2, 6):  // C.SWSP
        let imm = (cbits(w, 8, 7) << 6) | (cbits(w, 12, 9) << 2)
        return make(.cSw, rs1: 2, rs2: rs2Full, imm: Int32(imm))
    case (2, 7):  // C.SDSP
        let imm = (cbits(w, 9, 7) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cSd, rs1: 2, rs2: rs2Full, imm: Int32(imm))
    case (2, 1):  // C.FLDSP
        let imm = (cbits(w, 4, 2) << 6) | (cbits(w, 12, 12) << 5) | (cbits(w, 6, 5) << 3)
        return make(.cFld, rs1: 2, rs2: rdFull, imm: Int32(imm))
    case (2, 5):  // C.FSDSP
        let imm = (cbits(w, 9, 7) << 6) | (cbits(w, 12, 10) << 3)
        return make(.cFsd, rs1: 2, rs2: rs2Full, imm: Int32(imm))
    default:
        return illegalInstruction
    }
}
