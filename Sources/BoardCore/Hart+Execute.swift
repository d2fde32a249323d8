import RISCV

@inline(__always) private func sext32(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
}

@inline(__always) private func sext32(_ v: UInt32) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(bitPattern: v)))
}

/// The instruction bits for an illegal-instruction mtval: 16 bits for a compressed one.
@inline(__always) func instructionBits(_ raw: UInt32) -> UInt64 {
    raw & 3 == 3 ? UInt64(raw) : UInt64(raw & 0xFFFF)
}

extension Hart {
    /// A load served from the TLB when it can be, else from the slow path. Slow paths work
    /// on `self.cycles`: the budget is written there before and read back after, so the
    /// loop's locals are never passed by address (that would keep them in memory).
    @inline(__always)
    func load<T: FixedWidthInteger>(_ va: UInt64, _: T.Type, budget: inout Int64) throws(Trap) -> T {
        let e = dtlbR[Int(truncatingIfNeeded: (va >> 12) & Hart.tlbMask)]
        if _fastPath(e.tag == va >> 12 && (va & 0xFFF) &+ UInt64(MemoryLayout<T>.size) <= 4096) {
            return (e.page + Int(truncatingIfNeeded: va & 0xFFF)).loadUnaligned(as: T.self)
        }
        cycles = cyclesFrom(budget)
        let v = try loadSlow(va, size: UInt64(MemoryLayout<T>.size))
        budget = budgetFrom(cycles)
        return T(truncatingIfNeeded: v)
    }

    /// A store through the TLB when it can be. After the slow path (which may have touched a
    /// device) the chunk ends if an interrupt may have become deliverable.
    @inline(__always)
    func store<T: FixedWidthInteger>(_ va: UInt64, _ value: T, budget: inout Int64) throws(Trap) {
        let e = dtlbW[Int(truncatingIfNeeded: (va >> 12) & Hart.tlbMask)]
        if _fastPath(e.tag == va >> 12 && (va & 0xFFF) &+ UInt64(MemoryLayout<T>.size) <= 4096) {
            (e.page + Int(truncatingIfNeeded: va & 0xFFF)).storeBytes(of: value, toByteOffset: 0, as: T.self)
            return
        }
        cycles = cyclesFrom(budget)
        try storeSlow(va, size: UInt64(MemoryLayout<T>.size), value: UInt64(truncatingIfNeeded: value))
        budget = interruptCheckNeeded ? 0 : budgetFrom(cycles)
    }

    /// `cycles` as the slow paths see it, from the remaining budget of the current run.
    @inline(__always) func cyclesFrom(_ budget: Int64) -> UInt64 { runLimit &- UInt64(bitPattern: budget) }
    @inline(__always) func budgetFrom(_ cycles: UInt64) -> Int64 { Int64(bitPattern: runLimit &- cycles) }

    /// Brings `cycles` up to date and returns the trap, for traps raised in the loop itself
    /// (the catch handler takes `cycles` as authoritative).
    @inline(__always) func fault(_ trap: Trap, _ budget: Int64) -> Trap {
        cycles = cyclesFrom(budget)
        return trap
    }

    @inline(never) func loadSlow(_ va: UInt64, size: UInt64) throws(Trap) -> UInt64 {
        try loadSlow(va, size: size, cycles: &cycles)
    }

    @inline(never) func storeSlow(_ va: UInt64, size: UInt64, value: UInt64) throws(Trap) {
        try storeSlow(va, size: size, value: value, cycles: &cycles)
    }

    /// Runs instructions until `cycles` reaches `limit`, or earlier when something may have
    /// made an interrupt deliverable, the hart executed WFI, or the program asked to stop.
    /// The caller checks interrupts between calls (that is the only place they are taken).
    ///
    /// Cycles are counted down in `budget` (cycles = runLimit − budget) so that the loop
    /// keeps one counter in a register instead of two. Instructions are read straight from
    /// the host page while they lie entirely in it; an instruction that may straddle two
    /// pages, or a page on which PMP grants execute only in part, goes through `fetchHalf`
    /// (each access checked) and then through the same switch.
    public func run(until limit: UInt64) {
        guard limit > cycles else { return }
        var budget = Int64(bitPattern: min(limit &- cycles, UInt64(Int64.max)))
        runLimit = cycles &+ UInt64(budget)
        var pc = self.pc
        var instret = self.instret
        let x = self.x
        let icache = self.icache

        outer: while budget > 0 {
            var uniform = true
            let page: UnsafeMutableRawPointer
            do throws(Trap) {
                cycles = cyclesFrom(budget)
                page = try fetchPage(pc, uniform: &uniform, cycles: &cycles)
                budget = budgetFrom(cycles)
            } catch {
                pc = deliver(error, pc: pc, instret: instret)
                budget = budgetFrom(cycles)
                continue outer
            }
            // A page with partial execute permission gets a page base that no offset passes.
            let pageBase = uniform ? pc & ~0xFFF : (pc & ~0xFFF) &- 0x2000
            partialExecutePage = uniform ? .max : pc >> 12

            while budget > 0 {
                do throws(Trap) {
                    let off = pc &- pageBase
                    let word: UInt32
                    if _fastPath(off <= 4092) {
                        word = (page + Int(truncatingIfNeeded: off)).loadUnaligned(as: UInt32.self)
                    } else if off < 4096 || pc >> 12 == partialExecutePage {
                        cycles = cyclesFrom(budget)
                        word = try fetchSlow(pc)
                        budget = budgetFrom(cycles)
                    } else {
                        continue outer
                    }
                    let slot = icache + Int(truncatingIfNeeded: (pc >> 1) & Hart.icacheMask)
                    if _slowPath(slot.pointee.raw != word) { slot.pointee = decode(word) }
                    let d = slot.pointee
                    let rd = Int(truncatingIfNeeded: d.rd)
                    let rs1 = Int(truncatingIfNeeded: d.rs1)
                    let rs2 = Int(truncatingIfNeeded: d.rs2)
                    let imm = UInt64(bitPattern: Int64(d.imm))
                    budget &-= Int64(truncatingIfNeeded: d.cost)

                switch d.op {
                // MARK: Upper immediates and jumps
                case .cLui: pc &-= 2; fallthrough
                case .lui: x[rd] = imm; pc &+= 4
                case .auipc: x[rd] = pc &+ imm; pc &+= 4
                case .cJal: x[rd] = pc &+ 2; pc = pc &+ imm
                case .jal: x[rd] = pc &+ 4; pc = pc &+ imm
                case .cJalr:
                    let target = (x[rs1] &+ imm) & ~1
                    x[rd] = pc &+ 2
                    pc = target
                case .jalr:
                    let target = (x[rs1] &+ imm) & ~1
                    x[rd] = pc &+ 4
                    pc = target

                // MARK: Branches
                case .cBeq: if x[rs1] == x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 2
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .cBne: if x[rs1] != x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 2
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .beq: if x[rs1] == x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .bne: if x[rs1] != x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .blt: if Int64(bitPattern: x[rs1]) < Int64(bitPattern: x[rs2]) {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .bge: if Int64(bitPattern: x[rs1]) >= Int64(bitPattern: x[rs2]) {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .bltu: if x[rs1] < x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }
                case .bgeu: if x[rs1] >= x[rs2] {
                        pc = pc &+ imm
                        if d.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    } else {
                        pc &+= 4
                        if d.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                    }

                // MARK: Loads
                case .lb: x[rd] = UInt64(bitPattern: Int64(try load(x[rs1] &+ imm, Int8.self, budget: &budget))); pc &+= 4
                case .lh: x[rd] = UInt64(bitPattern: Int64(try load(x[rs1] &+ imm, Int16.self, budget: &budget))); pc &+= 4
                case .cLw: x[rd] = sext32(try load(x[rs1] &+ imm, UInt32.self, budget: &budget)); pc &+= 2
                case .lw: x[rd] = sext32(try load(x[rs1] &+ imm, UInt32.self, budget: &budget)); pc &+= 4
                case .cLd: x[rd] = try load(x[rs1] &+ imm, UInt64.self, budget: &budget); pc &+= 2
                case .ld: x[rd] = try load(x[rs1] &+ imm, UInt64.self, budget: &budget); pc &+= 4
                case .lbu: x[rd] = UInt64(try load(x[rs1] &+ imm, UInt8.self, budget: &budget)); pc &+= 4
                case .lhu: x[rd] = UInt64(try load(x[rs1] &+ imm, UInt16.self, budget: &budget)); pc &+= 4
                case .lwu: x[rd] = UInt64(try load(x[rs1] &+ imm, UInt32.self, budget: &budget)); pc &+= 4

                // MARK: Stores
                case .sb: try store(x[rs1] &+ imm, UInt8(truncatingIfNeeded: x[rs2]), budget: &budget); pc &+= 4
                case .sh: try store(x[rs1] &+ imm, UInt16(truncatingIfNeeded: x[rs2]), budget: &budget); pc &+= 4
                case .cSw: try store(x[rs1] &+ imm, UInt32(truncatingIfNeeded: x[rs2]), budget: &budget); pc &+= 2
                case .sw: try store(x[rs1] &+ imm, UInt32(truncatingIfNeeded: x[rs2]), budget: &budget); pc &+= 4
                case .cSd: try store(x[rs1] &+ imm, x[rs2], budget: &budget); pc &+= 2
                case .sd: try store(x[rs1] &+ imm, x[rs2], budget: &budget); pc &+= 4

                // MARK: Register-immediate (a compressed form steps pc back 2 and falls into its base)
                case .cAddi: pc &-= 2; fallthrough
                case .addi: x[rd] = x[rs1] &+ imm; pc &+= 4
                case .slti: x[rd] = Int64(bitPattern: x[rs1]) < Int64(bitPattern: imm) ? 1 : 0; pc &+= 4
                case .sltiu: x[rd] = x[rs1] < imm ? 1 : 0; pc &+= 4
                case .xori: x[rd] = x[rs1] ^ imm; pc &+= 4
                case .ori: x[rd] = x[rs1] | imm; pc &+= 4
                case .cAndi: pc &-= 2; fallthrough
                case .andi: x[rd] = x[rs1] & imm; pc &+= 4
                case .cSlli: pc &-= 2; fallthrough
                case .slli: x[rd] = x[rs1] &<< imm; pc &+= 4
                case .cSrli: pc &-= 2; fallthrough
                case .srli: x[rd] = x[rs1] &>> imm; pc &+= 4
                case .cSrai: pc &-= 2; fallthrough
                case .srai: x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]) &>> Int64(bitPattern: imm)); pc &+= 4
                case .cAddiw: pc &-= 2; fallthrough
                case .addiw: x[rd] = sext32(x[rs1] &+ imm); pc &+= 4
                case .slliw: x[rd] = sext32(UInt32(truncatingIfNeeded: x[rs1]) &<< UInt32(truncatingIfNeeded: imm)); pc &+= 4
                case .srliw: x[rd] = sext32(UInt32(truncatingIfNeeded: x[rs1]) &>> UInt32(truncatingIfNeeded: imm)); pc &+= 4
                case .sraiw:
                    x[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[rs1]) &>> Int32(truncatingIfNeeded: imm))); pc &+= 4

                // MARK: Register-register
                case .cAdd: pc &-= 2; fallthrough
                case .add: x[rd] = x[rs1] &+ x[rs2]; pc &+= 4
                case .cSub: pc &-= 2; fallthrough
                case .sub: x[rd] = x[rs1] &- x[rs2]; pc &+= 4
                case .sll: x[rd] = x[rs1] &<< x[rs2]; pc &+= 4
                case .slt: x[rd] = Int64(bitPattern: x[rs1]) < Int64(bitPattern: x[rs2]) ? 1 : 0; pc &+= 4
                case .sltu: x[rd] = x[rs1] < x[rs2] ? 1 : 0; pc &+= 4
                case .cXor: pc &-= 2; fallthrough
                case .xor: x[rd] = x[rs1] ^ x[rs2]; pc &+= 4
                case .srl: x[rd] = x[rs1] &>> x[rs2]; pc &+= 4
                case .sra: x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]) &>> Int64(bitPattern: x[rs2] & 63)); pc &+= 4
                case .cOr: pc &-= 2; fallthrough
                case .or: x[rd] = x[rs1] | x[rs2]; pc &+= 4
                case .cAnd: pc &-= 2; fallthrough
                case .and: x[rd] = x[rs1] & x[rs2]; pc &+= 4
                case .cAddw: pc &-= 2; fallthrough
                case .addw: x[rd] = sext32(x[rs1] &+ x[rs2]); pc &+= 4
                case .cSubw: pc &-= 2; fallthrough
                case .subw: x[rd] = sext32(x[rs1] &- x[rs2]); pc &+= 4
                case .sllw: x[rd] = sext32(UInt32(truncatingIfNeeded: x[rs1]) &<< UInt32(truncatingIfNeeded: x[rs2])); pc &+= 4
                case .srlw: x[rd] = sext32(UInt32(truncatingIfNeeded: x[rs1]) &>> UInt32(truncatingIfNeeded: x[rs2])); pc &+= 4
                case .sraw:
                    x[rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[rs1]) &>> Int32(truncatingIfNeeded: x[rs2] & 31))); pc &+= 4

                // MARK: M extension (Unpriv. §13; division by zero and overflow per table 13.1)
                case .mul: x[rd] = x[rs1] &* x[rs2]; pc &+= 4
                case .mulh:
                    x[rd] = UInt64(bitPattern: Int64(bitPattern: x[rs1]).multipliedFullWidth(by: Int64(bitPattern: x[rs2])).high); pc &+= 4
                case .mulhu: x[rd] = x[rs1].multipliedFullWidth(by: x[rs2]).high; pc &+= 4
                case .mulhsu:
                    let a = x[rs1], b = x[rs2]
                    let high = a.multipliedFullWidth(by: b).high
                    x[rd] = Int64(bitPattern: a) < 0 ? high &- b : high
                    pc &+= 4
                case .div:
                    let a = Int64(bitPattern: x[rs1]), b = Int64(bitPattern: x[rs2])
                    x[rd] = b == 0 ? .max : (a == .min && b == -1) ? UInt64(bitPattern: a) : UInt64(bitPattern: a / b)
                    pc &+= 4
                case .divu:
                    let b = x[rs2]
                    x[rd] = b == 0 ? .max : x[rs1] / b
                    pc &+= 4
                case .rem:
                    let a = Int64(bitPattern: x[rs1]), b = Int64(bitPattern: x[rs2])
                    x[rd] = b == 0 ? UInt64(bitPattern: a) : (a == .min && b == -1) ? 0 : UInt64(bitPattern: a % b)
                    pc &+= 4
                case .remu:
                    let b = x[rs2]
                    x[rd] = b == 0 ? x[rs1] : x[rs1] % b
                    pc &+= 4
                case .mulw: x[rd] = sext32(x[rs1] &* x[rs2]); pc &+= 4
                case .divw:
                    let a = Int32(truncatingIfNeeded: x[rs1]), b = Int32(truncatingIfNeeded: x[rs2])
                    let q: Int32 = b == 0 ? -1 : (a == .min && b == -1) ? a : a / b
                    x[rd] = UInt64(bitPattern: Int64(q))
                    pc &+= 4
                case .divuw:
                    let a = UInt32(truncatingIfNeeded: x[rs1]), b = UInt32(truncatingIfNeeded: x[rs2])
                    x[rd] = sext32(b == 0 ? UInt32.max : a / b)
                    pc &+= 4
                case .remw:
                    let a = Int32(truncatingIfNeeded: x[rs1]), b = Int32(truncatingIfNeeded: x[rs2])
                    let r: Int32 = b == 0 ? a : (a == .min && b == -1) ? 0 : a % b
                    x[rd] = UInt64(bitPattern: Int64(r))
                    pc &+= 4
                case .remuw:
                    let a = UInt32(truncatingIfNeeded: x[rs1]), b = UInt32(truncatingIfNeeded: x[rs2])
                    x[rd] = sext32(b == 0 ? a : a % b)
                    pc &+= 4

                // MARK: A extension
                case .lrW, .scW, .lrD, .scD,
                     .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW,
                     .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
                    var c = cyclesFrom(budget)
                    defer { budget = budgetFrom(c) }
                    try executeAtomic(d, cycles: &c)
                    pc &+= 4

                // MARK: System
                case .fence, .fenceI:
                    pc &+= 4  // one hart, in order; the decode cache checks the bits it decoded
                case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
                    self.instret = instret
                    cycles = cyclesFrom(budget)
                    try executeCSR(d)
                    pc &+= 4
                    if interruptCheckNeeded { budget = 0 }
                case .ecall:
                    switch priv {
                    case .user: throw fault(Trap(.ecallFromU), budget)
                    case .supervisor: throw fault(Trap(.ecallFromS), budget)
                    case .machine: throw fault(Trap(.ecallFromM), budget)
                    }
                case .cEbreak, .ebreak:
                    throw fault(Trap(.breakpoint, pc), budget)
                case .mret:
                    guard priv == .machine else { throw fault(Trap(.illegalInstruction, instructionBits(d.raw)), budget) }
                    cycles = cyclesFrom(budget)
                    self.instret = instret &+ 1
                    doMret()
                    self.instret = instret
                    pc = self.pc
                    budget = 0
                case .sret:
                    guard priv == .machine || (priv == .supervisor && mstatus & Mstatus.TSR == 0) else {
                        throw fault(Trap(.illegalInstruction, instructionBits(d.raw)), budget)
                    }
                    cycles = cyclesFrom(budget)
                    self.instret = instret &+ 1
                    doSret()
                    self.instret = instret
                    pc = self.pc
                    budget = 0
                case .wfi:
                    if priv == .user || (priv == .supervisor && mstatus & Mstatus.TW != 0) {
                        throw fault(Trap(.illegalInstruction, instructionBits(d.raw)), budget)
                    }
                    waitingForInterrupt = true
                    pc &+= 4
                    budget = 0
                case .sfenceVma:
                    if priv == .user || (priv == .supervisor && mstatus & Mstatus.TVM != 0) {
                        throw fault(Trap(.illegalInstruction, instructionBits(d.raw)), budget)
                    }
                    flushTLB()
                    pc &+= 4
                    budget = 0
                case .illegal:
                    throw fault(Trap(.illegalInstruction, instructionBits(d.raw)), budget)
                }

                } catch {
                    pc = deliver(error, pc: pc, instret: instret)
                    budget = budgetFrom(cycles)
                    continue outer
                }
                instret &+= 1
            }
        }
        self.pc = pc
        self.cycles = cyclesFrom(budget)
        self.instret = instret
    }

    /// Fetches the instruction at `pc` halfword by halfword, each access translated and
    /// PMP-checked (page straddles and pages with partial execute permission).
    @inline(never)
    func fetchSlow(_ pc: UInt64) throws(Trap) -> UInt32 {
        let low = try fetchHalf(pc, cycles: &cycles)
        var word = UInt32(low)
        if low & 3 == 3 { word |= UInt32(try fetchHalf(pc &+ 2, cycles: &cycles)) << 16 }
        return word
    }

    /// Takes a synchronous exception raised by the instruction at `pc` (with `cycles` up to
    /// date) and returns the pc of the handler.
    @inline(never)
    func deliver(_ trap: Trap, pc: UInt64, instret: UInt64) -> UInt64 {
        self.instret = instret
        raise(trap, epc: pc)
        return self.pc
    }

    /// CSRRW/CSRRS/CSRRC and their immediate forms (Zicsr, Unpriv. §6.1): CSRRW always writes
    /// (and reads only when rd ≠ x0); CSRRS/CSRRC write only when rs1/uimm ≠ 0.
    @inline(never)
    func executeCSR(_ d: Decoded) throws(Trap) {
        let csr = UInt16(truncatingIfNeeded: d.imm)
        let source: UInt64
        switch d.op {
        case .csrrw, .csrrs, .csrrc: source = x[Int(d.rs1)]
        default: source = UInt64(d.rs1)
        }
        let writes: Bool
        switch d.op {
        case .csrrw, .csrrwi: writes = true
        default: writes = d.rs1 != 0
        }
        try csrAccessAllowed(csr, write: writes, raw: d.raw)
        let old = try csrRead(csr, raw: d.raw)
        if writes {
            let new: UInt64
            switch d.op {
            case .csrrw, .csrrwi: new = source
            case .csrrs, .csrrsi: new = old | source
            default: new = old & ~source
            }
            try csrWrite(csr, new, raw: d.raw)
        }
        x[Int(d.rd)] = old
    }

    /// LR/SC and AMOs (Unpriv. §14). Misaligned addresses raise address-misaligned
    /// exceptions (LR: load, others: store/AMO); AMOs need read and write permission.
    @inline(never)
    func executeAtomic(_ d: Decoded, cycles: inout UInt64) throws(Trap) {
        let va = x[Int(d.rs1)]
        let wide: Bool
        switch d.op {
        case .lrD, .scD, .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
            wide = true
        default:
            wide = false
        }
        let size: UInt64 = wide ? 8 : 4
        if va & (size - 1) != 0 {
            throw Trap(d.op == .lrW || d.op == .lrD ? .loadAddressMisaligned : .storeAddressMisaligned, va)
        }
        let rd = Int(d.rd)
        switch d.op {
        case .lrW, .lrD:
            let v = try loadSlow(va, size: size, cycles: &cycles)
            x[rd] = wide ? v : sext32(v)
            reservation = va
            return
        case .scW, .scD:
            let ok = reservation == va
            reservation = .max
            if ok {
                let p = try amoPointer(va, size: size, cycles: &cycles)
                if wide { p.storeBytes(of: x[Int(d.rs2)], as: UInt64.self) } else {
                    p.storeBytes(of: UInt32(truncatingIfNeeded: x[Int(d.rs2)]), as: UInt32.self)
                }
                x[rd] = 0
            } else {
                // A failed SC still checks that the store would have been permitted? The spec
                // leaves it open; like Spike, a failed SC raises nothing and writes nothing.
                x[rd] = 1
            }
            return
        default:
            break
        }
        let p = try amoPointer(va, size: size, cycles: &cycles)
        let src = x[Int(d.rs2)]
        if wide {
            let old = p.load(as: UInt64.self)
            let new: UInt64
            switch d.op {
            case .amoswapD: new = src
            case .amoaddD: new = old &+ src
            case .amoxorD: new = old ^ src
            case .amoandD: new = old & src
            case .amoorD: new = old | src
            case .amominD: new = Int64(bitPattern: old) < Int64(bitPattern: src) ? old : src
            case .amomaxD: new = Int64(bitPattern: old) > Int64(bitPattern: src) ? old : src
            case .amominuD: new = min(old, src)
            default: new = max(old, src)
            }
            p.storeBytes(of: new, as: UInt64.self)
            x[rd] = old
        } else {
            let old = p.load(as: UInt32.self)
            let s = UInt32(truncatingIfNeeded: src)
            let new: UInt32
            switch d.op {
            case .amoswapW: new = s
            case .amoaddW: new = old &+ s
            case .amoxorW: new = old ^ s
            case .amoandW: new = old & s
            case .amoorW: new = old | s
            case .amominW: new = Int32(bitPattern: old) < Int32(bitPattern: s) ? old : s
            case .amomaxW: new = Int32(bitPattern: old) > Int32(bitPattern: s) ? old : s
            case .amominuW: new = min(old, s)
            default: new = max(old, s)
            }
            p.storeBytes(of: new, as: UInt32.self)
            x[rd] = sext32(old)
        }
    }
}
