import RISCV

@inline(__always) private func sext32(_ v: UInt64) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v)))
}

@inline(__always) private func sext32(_ v: UInt32) -> UInt64 {
    UInt64(bitPattern: Int64(Int32(bitPattern: v)))
}

/// Field access on a decoded slot, read at the point of use so that each case of the
/// interpreter loads only what it needs.
extension UnsafeMutablePointer where Pointee == Decoded {
    @inline(__always) var rd: Int { Int(truncatingIfNeeded: pointee.rd) }
    @inline(__always) var rs1: Int { Int(truncatingIfNeeded: pointee.rs1) }
    @inline(__always) var rs2: Int { Int(truncatingIfNeeded: pointee.rs2) }
    @inline(__always) var imm: UInt64 { UInt64(bitPattern: Int64(pointee.imm)) }
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
    /// Returns true when the loop must leave the block after this store (it touched a
    /// device or decoded code).
    @inline(__always)
    func store<T: FixedWidthInteger>(_ va: UInt64, _ value: T, budget: inout Int64) throws(Trap) -> Bool {
        let e = dtlbW[Int(truncatingIfNeeded: (va >> 12) & Hart.tlbMask)]
        if _fastPath(e.tag == va >> 12 && (va & 0xFFF) &+ UInt64(MemoryLayout<T>.size) <= 4096) {
            (e.page + Int(truncatingIfNeeded: va & 0xFFF)).storeBytes(of: value, toByteOffset: 0, as: T.self)
            return false
        }
        cycles = cyclesFrom(budget)
        try storeSlow(va, size: UInt64(MemoryLayout<T>.size), value: UInt64(truncatingIfNeeded: value))
        budget = budgetFrom(cycles)
        return interruptCheckNeeded
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
    /// The loop walks a decoded page with an entry pointer `ip` (slot = page offset / 2) and
    /// materialises the pc only when an instruction needs it. Cycles and instructions are
    /// charged once per straight-line block, when the block is entered (`Decoded.tick` holds
    /// the cost of the rest of the block), and the budget is checked there too; a trap or an
    /// early exit refunds what the block did not run. Cycles count down in `budget`
    /// (cycles = runLimit − budget); slow paths read and write `self.cycles`, so no loop
    /// local is ever passed by address to an out-of-line function.
    ///
    /// On x86-64 hosts, after each block entry it has charged, the loop looks at the slot's
    /// JIT word: unless it is `JIT.never`, `runJIT` counts the visit, translates the region
    /// when it is hot and runs its host code, which hands back the slot to go on at (or a pc
    /// outside the page) with budget and instret exactly as this loop would have them.
    public func run(until limit: UInt64) {
        guard limit > cycles else { return }
        var budget = Int64(bitPattern: min(limit &- cycles, UInt64(Int64.max)))
        runLimit = cycles &+ UInt64(budget)
        var pc = self.pc
        var instret = self.instret
        let x = self.x
        interruptCheckNeeded = false  // the caller has just looked at the interrupt lines

        outer: while budget > 0 || jitResumeCharged {
            // (Not while `runJIT` hands back a charged instruction on a page it chained to: a
            // flush now would free it. The next iteration frees and flushes.)
            if _fastPath(!jitResumeCharged) { bus.freeRetiredCode() }
            restoreScratch()
            var page: UnsafeMutableRawPointer
            var dp: UnsafeMutablePointer<Decoded>
            var ip: UnsafeMutablePointer<Decoded>
            let pageBase = pc & ~0xFFF
            do throws(Trap) {
                cycles = cyclesFrom(budget)
                let entry = try fetchPage(pc, cycles: &cycles)
                if let entry, !singleStep {
                    page = entry.page
                    dp = entry.decoded
                    ip = dp + Int(truncatingIfNeeded: (pc & 0xFFF) >> 1)
                } else {
                    // One instruction from the scratch page: PMP grants execute on part of
                    // this page only (each fetch checked), or the commit log single-steps.
                    let word: UInt32
                    if let entry, pc & 0xFFF <= 4092 {
                        word = (entry.page + Int(pc & 0xFFF)).loadUnaligned(as: UInt32.self)
                    } else {
                        word = try fetchSlow(pc)
                    }
                    page = dummyPage
                    dp = scratch
                    ip = useScratch(for: pc, word: word)
                    if let p = exitProfile, p.isOpen { p.step(self, pc: pc) }
                }
                budget = budgetFrom(cycles)
            } catch {
                pc = deliver(error, pc: pc, instret: instret)
                budget = budgetFrom(cycles)
                continue outer
            }
            var exitPC: UInt64 = 0
            if _slowPath(jitResumeCharged) {
                // Translated code chained to this page and handed back the instruction at pc,
                // its block already charged (`runJIT`): interpret from there.
                jitResumeCharged = false
            } else {
                // Block entry.
                if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                budget &-= Int64(ip.pointee.tick >> 12)
                instret &+= UInt64(ip.pointee.tick & 0xFFF)
                // The JIT (x86-64 hosts; elsewhere the interpreter is all there is).
                #if arch(x86_64)
                if Hart.jitWord(ip, dp) != JIT.never {
                    let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                    budget = r.budget
                    instret = r.instret
                    if r.leave { pc = r.exitPC; continue outer }
                    ip = r.ip
                }
                #endif
            }

            inner: while true {
                do throws(Trap) {
                switch ip.pointee.op {
                // MARK: Upper immediates and jumps
                case .cLui: x[ip.rd] = ip.imm; ip += 1
                case .lui: x[ip.rd] = ip.imm; ip += 2
                case .auipc: x[ip.rd] = Hart.pcOf(ip, dp, pageBase) &+ ip.imm; ip += 2
                case .cJal:
                    let pc = Hart.pcOf(ip, dp, pageBase)
                    x[ip.rd] = pc &+ 2
                    let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                    if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                        exitPC = pc &+ ip.imm
                        break inner
                    }
                    ip = t
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .jal:
                    let pc = Hart.pcOf(ip, dp, pageBase)
                    x[ip.rd] = pc &+ 4
                    let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                    if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                        exitPC = pc &+ ip.imm
                        break inner
                    }
                    ip = t
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .cJalr:
                    let target = (x[ip.rs1] &+ ip.imm) & ~1
                    x[ip.rd] = Hart.pcOf(ip, dp, pageBase) &+ 2
                    if _slowPath((target ^ pageBase) >> 12 != 0) {
                        exitPC = target
                        break inner
                    }
                    ip = dp + Int(truncatingIfNeeded: (target & 0xFFF) >> 1)
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .jalr:
                    let target = (x[ip.rs1] &+ ip.imm) & ~1
                    x[ip.rd] = Hart.pcOf(ip, dp, pageBase) &+ 4
                    if _slowPath((target ^ pageBase) >> 12 != 0) {
                        exitPC = target
                        break inner
                    }
                    ip = dp + Int(truncatingIfNeeded: (target & 0xFFF) >> 1)
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif

                // MARK: Branches (static predictor: backward taken, forward not taken)
                // Spelled out per branch on purpose: factoring the step and the block entry
                // into inlined helpers measured 9% slower (docs/decisions/0001).
                case .cBeq:
                    if x[ip.rs1] == x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 1
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .cBne:
                    if x[ip.rs1] != x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 1
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .beq:
                    if x[ip.rs1] == x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .bne:
                    if x[ip.rs1] != x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .blt:
                    if Int64(bitPattern: x[ip.rs1]) < Int64(bitPattern: x[ip.rs2]) {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .bge:
                    if Int64(bitPattern: x[ip.rs1]) >= Int64(bitPattern: x[ip.rs2]) {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .bltu:
                    if x[ip.rs1] < x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .bgeu:
                    if x[ip.rs1] >= x[ip.rs2] {
                        if ip.pointee.imm > 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        let t = ip + Int(truncatingIfNeeded: ip.pointee.imm >> 1)
                        if _slowPath(UInt(bitPattern: t) &- UInt(bitPattern: dp) >= 2048 * 16) {
                            exitPC = Hart.pcOf(ip, dp, pageBase) &+ ip.imm
                            break inner
                        }
                        ip = t
                    } else {
                        if ip.pointee.imm < 0 { budget &-= Int64(CycleModel.branchMispredict) }
                        ip += 2
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif

                // MARK: Loads
                case .lb: x[ip.rd] = UInt64(bitPattern: Int64(try load(x[ip.rs1] &+ ip.imm, Int8.self, budget: &budget))); ip += 2
                case .lh: x[ip.rd] = UInt64(bitPattern: Int64(try load(x[ip.rs1] &+ ip.imm, Int16.self, budget: &budget))); ip += 2
                case .cLw: x[ip.rd] = sext32(try load(x[ip.rs1] &+ ip.imm, UInt32.self, budget: &budget)); ip += 1
                case .lw: x[ip.rd] = sext32(try load(x[ip.rs1] &+ ip.imm, UInt32.self, budget: &budget)); ip += 2
                case .cLd: x[ip.rd] = try load(x[ip.rs1] &+ ip.imm, UInt64.self, budget: &budget); ip += 1
                case .ld: x[ip.rd] = try load(x[ip.rs1] &+ ip.imm, UInt64.self, budget: &budget); ip += 2
                case .lbu: x[ip.rd] = UInt64(try load(x[ip.rs1] &+ ip.imm, UInt8.self, budget: &budget)); ip += 2
                case .lhu: x[ip.rd] = UInt64(try load(x[ip.rs1] &+ ip.imm, UInt16.self, budget: &budget)); ip += 2
                case .lwu: x[ip.rd] = UInt64(try load(x[ip.rs1] &+ ip.imm, UInt32.self, budget: &budget)); ip += 2

                // MARK: Stores
                case .sb:
                    if try store(x[ip.rs1] &+ ip.imm, UInt8(truncatingIfNeeded: x[ip.rs2]), budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 2, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 2
                case .sh:
                    if try store(x[ip.rs1] &+ ip.imm, UInt16(truncatingIfNeeded: x[ip.rs2]), budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 2, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 2
                case .cSw:
                    if try store(x[ip.rs1] &+ ip.imm, UInt32(truncatingIfNeeded: x[ip.rs2]), budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 1, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 1
                case .sw:
                    if try store(x[ip.rs1] &+ ip.imm, UInt32(truncatingIfNeeded: x[ip.rs2]), budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 2, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 2
                case .cSd:
                    if try store(x[ip.rs1] &+ ip.imm, x[ip.rs2], budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 1, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 1
                case .sd:
                    if try store(x[ip.rs1] &+ ip.imm, x[ip.rs2], budget: &budget) {
                        (exitPC, instret) = leaveBlock(at: ip + 2, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 2

                // MARK: Register-immediate (compressed forms have their own case: ip += 1)
                case .cAddi: x[ip.rd] = x[ip.rs1] &+ ip.imm; ip += 1
                case .addi: x[ip.rd] = x[ip.rs1] &+ ip.imm; ip += 2
                case .slti: x[ip.rd] = Int64(bitPattern: x[ip.rs1]) < Int64(bitPattern: ip.imm) ? 1 : 0; ip += 2
                case .sltiu: x[ip.rd] = x[ip.rs1] < ip.imm ? 1 : 0; ip += 2
                case .xori: x[ip.rd] = x[ip.rs1] ^ ip.imm; ip += 2
                case .ori: x[ip.rd] = x[ip.rs1] | ip.imm; ip += 2
                case .cAndi: x[ip.rd] = x[ip.rs1] & ip.imm; ip += 1
                case .andi: x[ip.rd] = x[ip.rs1] & ip.imm; ip += 2
                case .cSlli: x[ip.rd] = x[ip.rs1] &<< ip.imm; ip += 1
                case .slli: x[ip.rd] = x[ip.rs1] &<< ip.imm; ip += 2
                case .cSrli: x[ip.rd] = x[ip.rs1] &>> ip.imm; ip += 1
                case .srli: x[ip.rd] = x[ip.rs1] &>> ip.imm; ip += 2
                case .cSrai: x[ip.rd] = UInt64(bitPattern: Int64(bitPattern: x[ip.rs1]) &>> Int64(bitPattern: ip.imm)); ip += 1
                case .srai: x[ip.rd] = UInt64(bitPattern: Int64(bitPattern: x[ip.rs1]) &>> Int64(bitPattern: ip.imm)); ip += 2
                case .cAddiw: x[ip.rd] = sext32(x[ip.rs1] &+ ip.imm); ip += 1
                case .addiw: x[ip.rd] = sext32(x[ip.rs1] &+ ip.imm); ip += 2
                case .slliw: x[ip.rd] = sext32(UInt32(truncatingIfNeeded: x[ip.rs1]) &<< UInt32(truncatingIfNeeded: ip.imm)); ip += 2
                case .srliw: x[ip.rd] = sext32(UInt32(truncatingIfNeeded: x[ip.rs1]) &>> UInt32(truncatingIfNeeded: ip.imm)); ip += 2
                case .sraiw:
                    x[ip.rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[ip.rs1]) &>> Int32(truncatingIfNeeded: ip.imm))); ip += 2

                // MARK: Register-register
                case .cAdd: x[ip.rd] = x[ip.rs1] &+ x[ip.rs2]; ip += 1
                case .add: x[ip.rd] = x[ip.rs1] &+ x[ip.rs2]; ip += 2
                case .cSub: x[ip.rd] = x[ip.rs1] &- x[ip.rs2]; ip += 1
                case .sub: x[ip.rd] = x[ip.rs1] &- x[ip.rs2]; ip += 2
                case .sll: x[ip.rd] = x[ip.rs1] &<< x[ip.rs2]; ip += 2
                case .slt: x[ip.rd] = Int64(bitPattern: x[ip.rs1]) < Int64(bitPattern: x[ip.rs2]) ? 1 : 0; ip += 2
                case .sltu: x[ip.rd] = x[ip.rs1] < x[ip.rs2] ? 1 : 0; ip += 2
                case .cXor: x[ip.rd] = x[ip.rs1] ^ x[ip.rs2]; ip += 1
                case .xor: x[ip.rd] = x[ip.rs1] ^ x[ip.rs2]; ip += 2
                case .srl: x[ip.rd] = x[ip.rs1] &>> x[ip.rs2]; ip += 2
                case .sra: x[ip.rd] = UInt64(bitPattern: Int64(bitPattern: x[ip.rs1]) &>> Int64(bitPattern: x[ip.rs2] & 63)); ip += 2
                case .cOr: x[ip.rd] = x[ip.rs1] | x[ip.rs2]; ip += 1
                case .or: x[ip.rd] = x[ip.rs1] | x[ip.rs2]; ip += 2
                case .cAnd: x[ip.rd] = x[ip.rs1] & x[ip.rs2]; ip += 1
                case .and: x[ip.rd] = x[ip.rs1] & x[ip.rs2]; ip += 2
                case .cAddw: x[ip.rd] = sext32(x[ip.rs1] &+ x[ip.rs2]); ip += 1
                case .addw: x[ip.rd] = sext32(x[ip.rs1] &+ x[ip.rs2]); ip += 2
                case .cSubw: x[ip.rd] = sext32(x[ip.rs1] &- x[ip.rs2]); ip += 1
                case .subw: x[ip.rd] = sext32(x[ip.rs1] &- x[ip.rs2]); ip += 2
                case .sllw: x[ip.rd] = sext32(UInt32(truncatingIfNeeded: x[ip.rs1]) &<< UInt32(truncatingIfNeeded: x[ip.rs2])); ip += 2
                case .srlw: x[ip.rd] = sext32(UInt32(truncatingIfNeeded: x[ip.rs1]) &>> UInt32(truncatingIfNeeded: x[ip.rs2])); ip += 2
                case .sraw:
                    x[ip.rd] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: x[ip.rs1]) &>> Int32(truncatingIfNeeded: x[ip.rs2] & 31))); ip += 2

                // MARK: M extension (Unpriv. §13; division by zero and overflow per table 13.1)
                case .mul: x[ip.rd] = x[ip.rs1] &* x[ip.rs2]; ip += 2
                case .mulh:
                    x[ip.rd] = UInt64(bitPattern: Int64(bitPattern: x[ip.rs1]).multipliedFullWidth(by: Int64(bitPattern: x[ip.rs2])).high); ip += 2
                case .mulhu: x[ip.rd] = x[ip.rs1].multipliedFullWidth(by: x[ip.rs2]).high; ip += 2
                case .mulhsu:
                    let a = x[ip.rs1], b = x[ip.rs2]
                    let high = a.multipliedFullWidth(by: b).high
                    x[ip.rd] = Int64(bitPattern: a) < 0 ? high &- b : high
                    ip += 2
                case .div:
                    let a = Int64(bitPattern: x[ip.rs1]), b = Int64(bitPattern: x[ip.rs2])
                    x[ip.rd] = b == 0 ? .max : (a == .min && b == -1) ? UInt64(bitPattern: a) : UInt64(bitPattern: a / b)
                    ip += 2
                case .divu:
                    let b = x[ip.rs2]
                    x[ip.rd] = b == 0 ? .max : x[ip.rs1] / b
                    ip += 2
                case .rem:
                    let a = Int64(bitPattern: x[ip.rs1]), b = Int64(bitPattern: x[ip.rs2])
                    x[ip.rd] = b == 0 ? UInt64(bitPattern: a) : (a == .min && b == -1) ? 0 : UInt64(bitPattern: a % b)
                    ip += 2
                case .remu:
                    let b = x[ip.rs2]
                    x[ip.rd] = b == 0 ? x[ip.rs1] : x[ip.rs1] % b
                    ip += 2
                case .mulw: x[ip.rd] = sext32(x[ip.rs1] &* x[ip.rs2]); ip += 2
                case .divw:
                    let a = Int32(truncatingIfNeeded: x[ip.rs1]), b = Int32(truncatingIfNeeded: x[ip.rs2])
                    let q: Int32 = b == 0 ? -1 : (a == .min && b == -1) ? a : a / b
                    x[ip.rd] = UInt64(bitPattern: Int64(q))
                    ip += 2
                case .divuw:
                    let a = UInt32(truncatingIfNeeded: x[ip.rs1]), b = UInt32(truncatingIfNeeded: x[ip.rs2])
                    x[ip.rd] = sext32(b == 0 ? UInt32.max : a / b)
                    ip += 2
                case .remw:
                    let a = Int32(truncatingIfNeeded: x[ip.rs1]), b = Int32(truncatingIfNeeded: x[ip.rs2])
                    let r: Int32 = b == 0 ? a : (a == .min && b == -1) ? 0 : a % b
                    x[ip.rd] = UInt64(bitPattern: Int64(r))
                    ip += 2
                case .remuw:
                    let a = UInt32(truncatingIfNeeded: x[ip.rs1]), b = UInt32(truncatingIfNeeded: x[ip.rs2])
                    x[ip.rd] = sext32(b == 0 ? a : a % b)
                    ip += 2

                // MARK: Zba, Zbb, Zbc, Zbs (Unpriv. "B"; BitManip.swift)
                case .sh1add: x[ip.rd] = (x[ip.rs1] &<< 1) &+ x[ip.rs2]; ip += 2
                case .sh2add: x[ip.rd] = (x[ip.rs1] &<< 2) &+ x[ip.rs2]; ip += 2
                case .sh3add: x[ip.rd] = (x[ip.rs1] &<< 3) &+ x[ip.rs2]; ip += 2
                case .addUw: x[ip.rd] = (x[ip.rs1] & 0xFFFF_FFFF) &+ x[ip.rs2]; ip += 2
                case .sh1addUw: x[ip.rd] = ((x[ip.rs1] & 0xFFFF_FFFF) &<< 1) &+ x[ip.rs2]; ip += 2
                case .sh2addUw: x[ip.rd] = ((x[ip.rs1] & 0xFFFF_FFFF) &<< 2) &+ x[ip.rs2]; ip += 2
                case .sh3addUw: x[ip.rd] = ((x[ip.rs1] & 0xFFFF_FFFF) &<< 3) &+ x[ip.rs2]; ip += 2
                case .slliUw: x[ip.rd] = (x[ip.rs1] & 0xFFFF_FFFF) &<< ip.imm; ip += 2
                case .andn: x[ip.rd] = x[ip.rs1] & ~x[ip.rs2]; ip += 2
                case .orn: x[ip.rd] = x[ip.rs1] | ~x[ip.rs2]; ip += 2
                case .xnor: x[ip.rd] = ~(x[ip.rs1] ^ x[ip.rs2]); ip += 2
                case .clz: x[ip.rd] = UInt64(x[ip.rs1].leadingZeroBitCount); ip += 2
                case .clzw: x[ip.rd] = UInt64(UInt32(truncatingIfNeeded: x[ip.rs1]).leadingZeroBitCount); ip += 2
                case .ctz: x[ip.rd] = UInt64(x[ip.rs1].trailingZeroBitCount); ip += 2
                case .ctzw: x[ip.rd] = UInt64(UInt32(truncatingIfNeeded: x[ip.rs1]).trailingZeroBitCount); ip += 2
                case .cpop: x[ip.rd] = UInt64(x[ip.rs1].nonzeroBitCount); ip += 2
                case .cpopw: x[ip.rd] = UInt64(UInt32(truncatingIfNeeded: x[ip.rs1]).nonzeroBitCount); ip += 2
                case .max:
                    let a = x[ip.rs1], b = x[ip.rs2]
                    x[ip.rd] = Int64(bitPattern: a) < Int64(bitPattern: b) ? b : a
                    ip += 2
                case .maxu:
                    let a = x[ip.rs1], b = x[ip.rs2]
                    x[ip.rd] = a < b ? b : a
                    ip += 2
                case .min:
                    let a = x[ip.rs1], b = x[ip.rs2]
                    x[ip.rd] = Int64(bitPattern: a) < Int64(bitPattern: b) ? a : b
                    ip += 2
                case .minu:
                    let a = x[ip.rs1], b = x[ip.rs2]
                    x[ip.rd] = a < b ? a : b
                    ip += 2
                case .sextB: x[ip.rd] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: x[ip.rs1]))); ip += 2
                case .sextH: x[ip.rd] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: x[ip.rs1]))); ip += 2
                case .zextH: x[ip.rd] = x[ip.rs1] & 0xFFFF; ip += 2
                case .rol: x[ip.rd] = BitManip.rotateLeft(x[ip.rs1], x[ip.rs2]); ip += 2
                case .ror: x[ip.rd] = BitManip.rotateLeft(x[ip.rs1], 0 &- x[ip.rs2]); ip += 2
                case .rori: x[ip.rd] = BitManip.rotateLeft(x[ip.rs1], 0 &- ip.imm); ip += 2
                case .rolw: x[ip.rd] = sext32(BitManip.rotateLeft32(x[ip.rs1], x[ip.rs2])); ip += 2
                case .rorw: x[ip.rd] = sext32(BitManip.rotateLeft32(x[ip.rs1], 0 &- x[ip.rs2])); ip += 2
                case .roriw: x[ip.rd] = sext32(BitManip.rotateLeft32(x[ip.rs1], 0 &- ip.imm)); ip += 2
                case .orcB: x[ip.rd] = BitManip.orcB(x[ip.rs1]); ip += 2
                case .rev8: x[ip.rd] = x[ip.rs1].byteSwapped; ip += 2
                case .clmul: x[ip.rd] = BitManip.clmul(x[ip.rs1], x[ip.rs2]).low; ip += 2
                case .clmulh: x[ip.rd] = BitManip.clmul(x[ip.rs1], x[ip.rs2]).high; ip += 2
                case .clmulr: x[ip.rd] = BitManip.clmulr(x[ip.rs1], x[ip.rs2]); ip += 2
                case .bclr: x[ip.rd] = x[ip.rs1] & ~(1 &<< x[ip.rs2]); ip += 2
                case .bclri: x[ip.rd] = x[ip.rs1] & ~(1 &<< ip.imm); ip += 2
                case .bext: x[ip.rd] = (x[ip.rs1] &>> x[ip.rs2]) & 1; ip += 2
                case .bexti: x[ip.rd] = (x[ip.rs1] &>> ip.imm) & 1; ip += 2
                case .binv: x[ip.rd] = x[ip.rs1] ^ (1 &<< x[ip.rs2]); ip += 2
                case .binvi: x[ip.rd] = x[ip.rs1] ^ (1 &<< ip.imm); ip += 2
                case .bset: x[ip.rd] = x[ip.rs1] | (1 &<< x[ip.rs2]); ip += 2
                case .bseti: x[ip.rd] = x[ip.rs1] | (1 &<< ip.imm); ip += 2

                // MARK: A extension
                case .lrW, .scW, .lrD, .scD,
                     .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW,
                     .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD:
                    cycles = cyclesFrom(budget)
                    try executeAtomic(ip.pointee, cycles: &cycles)
                    budget = budgetFrom(cycles)
                    if _slowPath(interruptCheckNeeded) {
                        (exitPC, instret) = leaveBlock(at: ip + 2, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += 2

                // MARK: System (each ends its block)
                case .fence, .fenceI:
                    ip += 2  // one hart, in order; stores to code retire its decoded page
                case .csrrw, .csrrs, .csrrc, .csrrwi, .csrrsi, .csrrci:
                    self.instret = instret &- 1  // minstret reads count the instructions before
                    cycles = cyclesFrom(budget)
                    try executeCSR(ip.pointee)
                    ip += 2
                    if interruptCheckNeeded {
                        exitPC = Hart.pcOf(ip, dp, pageBase)
                        runLimit = cyclesFrom(budget)
                        budget = 0
                        break inner
                    }
                    if _slowPath(ip.pointee.op == .undecoded) { decodeRun(ip, dp, page) }
                    if _slowPath(budget <= 0) { exitPC = Hart.pcOf(ip, dp, pageBase); break inner }
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                    #if arch(x86_64)
                    if Hart.jitWord(ip, dp) != JIT.never {
                        let r = runJIT(ip, dp, page, pageBase, budget: budget, instret: instret)
                        budget = r.budget
                        instret = r.instret
                        if r.leave { exitPC = r.exitPC; break inner }
                        ip = r.ip
                    }
                    #endif
                case .ecall:
                    switch priv {
                    case .user: throw fault(Trap(.ecallFromU), budget)
                    case .supervisor: throw fault(Trap(virt ? .ecallFromVS : .ecallFromS), budget)
                    case .machine: throw fault(Trap(.ecallFromM), budget)
                    }
                case .cEbreak, .ebreak:
                    throw fault(Trap(.breakpoint, Hart.pcOf(ip, dp, pageBase)), budget)
                case .mret:
                    // Not HS-qualified: illegal (never virtual) below M.
                    guard priv == .machine else { throw fault(Trap(.illegalInstruction, UInt64(ip.pointee.raw)), budget) }
                    cycles = cyclesFrom(budget)
                    self.instret = instret
                    doMret()
                    exitPC = self.pc
                    runLimit = cycles
                    budget = 0
                    break inner
                case .sret:
                    if let cause = sretDenied() { throw fault(Trap(cause, UInt64(ip.pointee.raw)), budget) }
                    cycles = cyclesFrom(budget)
                    self.instret = instret
                    doSret()
                    exitPC = self.pc
                    runLimit = cycles
                    budget = 0
                    break inner
                case .wfi:
                    if let cause = wfiDenied() { throw fault(Trap(cause, UInt64(ip.pointee.raw)), budget) }
                    waitingForInterrupt = true
                    exitPC = Hart.pcOf(ip, dp, pageBase) &+ 4
                    runLimit = cyclesFrom(budget)
                    budget = 0
                    break inner
                case .sfenceVma, .hfenceVvma, .hfenceGvma:
                    if let cause = fenceDenied(ip.pointee.op, raw: ip.pointee.raw) { throw fault(Trap(cause, UInt64(ip.pointee.raw)), budget) }
                    // SFENCE.VMA acts on the current stage-1 structures (satp with V=0,
                    // vsatp with V=1); HFENCE.VVMA/GVMA on the guest's (TLB tagged by V).
                    // SINVAL.VMA and HINVAL.* invalidate at once, as the fences do; the board
                    // has no queue of invalidations, so SFENCE.W.INVAL/INVAL.IR order nothing.
                    if ip.pointee.raw >> 25 != 0x0C { flushTLB(virtual: virt || ip.pointee.op != .sfenceVma) }
                    exitPC = Hart.pcOf(ip, dp, pageBase) &+ 4
                    runLimit = cyclesFrom(budget)
                    budget = 0
                    break inner
                case .flw, .fld, .fsw, .fsd, .cFld, .cFsd, .fp, .hlv, .hsv, .cbo, .flh, .fsh:
                    cycles = cyclesFrom(budget)
                    let length = ip.pointee.op == .cFld || ip.pointee.op == .cFsd ? 1 : 2
                    try executeOutOfLine(ip.pointee)
                    budget = budgetFrom(cycles)
                    if _slowPath(interruptCheckNeeded) {
                        (exitPC, instret) = leaveBlock(at: ip + length, dp, pageBase, budget: budget, instret: instret)
                        budget = 0
                        break inner
                    }
                    ip += length
                case .illegal:
                    throw fault(Trap(.illegalInstruction, UInt64(ip.pointee.raw)), budget)

                // MARK: Page structure
                case .undecoded:
                    // Only reachable as a block entry, which decodes first; kept for safety.
                    decodeRun(ip, dp, page)
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                case .pageEnd:
                    exitPC = Hart.pcOf(ip, dp, pageBase)
                    break inner
                case .straddle:
                    // Upper half on the next page: fetch both halves checked, run from scratch.
                    let pc = Hart.pcOf(ip, dp, pageBase)
                    cycles = cyclesFrom(budget)
                    let word = try fetchSlow(pc)
                    budget = budgetFrom(cycles)
                    ip = useScratch(for: pc, word: word)
                    dp = scratch
                    page = dummyPage
                    // The fetch is paid: run the instruction whatever the budget, so that a
                    // small budget cannot leave the hart re-fetching it forever.
                    budget &-= Int64(ip.pointee.tick >> 12)
                    instret &+= UInt64(ip.pointee.tick & 0xFFF)
                }
                } catch {
                    // The faulting instruction did not retire (its cycles were spent) and the
                    // rest of its block did not run.
                    cycles &-= UInt64(ip.pointee.tick >> 12) &- UInt64(CycleModel.baseCost(ip.pointee.op))
                    instret &-= UInt64(ip.pointee.tick & 0xFFF)
                    pc = deliver(error, pc: Hart.pcOf(ip, dp, pageBase), instret: instret, raw: ip.pointee.raw)
                    budget = budgetFrom(cycles)
                    continue outer
                }
            }
            pc = exitPC
        }
        self.pc = pc
        self.cycles = cyclesFrom(budget)
        self.instret = instret
    }

    /// Decodes the straight-line run that starts at slot `ip` (up to an instruction that ends
    /// a block, an already decoded slot, a page-straddling instruction or the page end) and
    /// gives every slot on it the tick of the rest of its block.
    @inline(never)
    func decodeRun(_ ip: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>, _ page: UnsafeMutableRawPointer) {
        var slot = Int(bitPattern: (UInt(bitPattern: ip) &- UInt(bitPattern: dp)) / 16)
        var count = 0
        var rest: UInt32 = 0  // tick of the block's continuation after the run
        while slot < CodeCache.slots {
            let d = dp[slot]
            if d.op != .undecoded {
                if count > 0 { rest = d.op == .pageEnd || d.op == .straddle ? 0 : d.tick }
                if count == 0 { return }
                break
            }
            let off = slot << 1
            let low = (page + off).load(as: UInt16.self)
            if off == 4094 && low & 3 == 3 {
                dp[slot] = Decoded.straddling
                if count == 0 { return }
                break
            }
            let decoded = decode(low & 3 == 3 ? (page + off).loadUnaligned(as: UInt32.self) : UInt32(low), extensions)
            dp[slot] = decoded
            runPath[count] = Int16(slot)
            count += 1
            if decoded.op.endsBlock { break }
            slot += low & 3 == 3 ? 2 : 1
        }
        // Suffix sums, last slot first.
        var tick = rest
        var i = count - 1
        while i >= 0 {
            let s = Int(runPath[i])
            tick &+= dp[s].tick  // each freshly decoded slot holds its own cost and count 1
            dp[s].tick = tick
            i -= 1
        }
    }

    /// Leaves a block early, before the slot `next`: refunds the rest of the block, ends
    /// the chunk there, and returns the pc to resume at with the corrected instruction count.
    /// (Values in, values out: loop locals must not be passed by address.)
    @inline(never)
    func leaveBlock(at next: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>, _ pageBase: UInt64,
                    budget: Int64, instret: UInt64) -> (UInt64, UInt64) {
        runLimit = cyclesFrom(budget &+ Int64(next.pointee.tick >> 12))
        return (Hart.pcOf(next, dp, pageBase), instret &- UInt64(next.pointee.tick & 0xFFF))
    }

    /// The pc of slot `ip` of decoded page `dp` whose first byte is at virtual `pageBase`.
    @inline(__always)
    static func pcOf(_ ip: UnsafeMutablePointer<Decoded>, _ dp: UnsafeMutablePointer<Decoded>, _ pageBase: UInt64) -> UInt64 {
        // 16-byte slots, 2-byte instruction granules: byte distance / 8.
        pageBase &+ (UInt64(UInt(bitPattern: ip) &- UInt(bitPattern: dp)) &>> 3)
    }

    /// Places the instruction at `pc` in the scratch page's slot for it and returns that slot.
    @inline(never)
    func useScratch(for pc: UInt64, word: UInt32) -> UnsafeMutablePointer<Decoded> {
        restoreScratch()
        let slot = Int((pc & 0xFFF) >> 1)
        scratch[slot] = decode(word, extensions)  // a one-instruction block
        scratchSlot = slot
        return scratch + slot
    }

    /// Puts the sentinel back in the scratch slot last used.
    @inline(__always)
    func restoreScratch() {
        if _slowPath(scratchSlot >= 0) {
            scratch[scratchSlot] = Decoded.pageEndSentinel
            scratchSlot = -1
        }
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
    func deliver(_ trap: Trap, pc: UInt64, instret: UInt64, raw: UInt32 = 0) -> UInt64 {
        self.instret = instret
        raise(trap, epc: pc, raw: raw)
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
            // A read-modify-write of mip/sip starts from the software-writable SEIP bit,
            // not from the PLIC's line (Priv. §3.1.9).
            var base = old
            if !virt && (csr == CSR.mip || csr == CSR.sip) {
                base = (old & ~Interrupt.SEIP) | (mipSoftware & Interrupt.SEIP & (csr == CSR.sip ? mideleg : ~0))
            }
            let new: UInt64
            switch d.op {
            case .csrrw, .csrrwi: new = source
            case .csrrs, .csrrsi: new = base | source
            default: new = base & ~source
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
            reservationEpoch = bus.interleavingEpoch
            return
        case .scW, .scD:
            let ok = reservation == va && reservationEpoch == bus.interleavingEpoch
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
