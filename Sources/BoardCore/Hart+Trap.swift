import RISCV

extension Hart {
    /// Takes a trap (Priv. §3.1.6.1, §3.3.1 and §12.1.1): chooses M or S by delegation, saves
    /// the pc, cause and tval, stacks the interrupt enables and jumps to the vector.
    /// `epc` is the address of the instruction that trapped (or the next one to run, for an
    /// interrupt).
    func takeTrap(interrupt: Bool, code: UInt64, tval: UInt64, epc: UInt64) {
        cycles &+= CycleModel.trapEntry
        if interrupt { stats.interrupts[Int(code & 63)] &+= 1 } else { stats.exceptions[Int(code & 63)] &+= 1 }
        reservation = .max
        waitingForInterrupt = false
        interruptCheckNeeded = true
        let cause = interrupt ? (1 << 63) | code : code
        let deleg = interrupt ? mideleg : medeleg
        if priv != .machine && (deleg >> code) & 1 == 1 {
            scause = cause
            sepc = epc
            stval = tval
            var s = mstatus
            s = (s & ~Mstatus.SPIE) | ((s & Mstatus.SIE) != 0 ? Mstatus.SPIE : 0)
            s &= ~Mstatus.SIE
            s = (s & ~Mstatus.SPP) | (priv == .supervisor ? Mstatus.SPP : 0)
            mstatus = s
            pc = vector(stvec, interrupt: interrupt, code: code)
            setPrivilege(.supervisor)
        } else {
            mcause = cause
            mepc = epc
            mtval = tval
            var s = mstatus
            s = (s & ~Mstatus.MPIE) | ((s & Mstatus.MIE) != 0 ? Mstatus.MPIE : 0)
            s &= ~Mstatus.MIE
            s = (s & ~Mstatus.MPP) | (UInt64(priv.rawValue) << Mstatus.MPPShift)
            mstatus = s
            pc = vector(mtvec, interrupt: interrupt, code: code)
            setPrivilege(.machine)
        }
    }

    private func vector(_ tvec: UInt64, interrupt: Bool, code: UInt64) -> UInt64 {
        let base = tvec & ~3
        return interrupt && tvec & 1 == 1 ? base &+ 4 &* code : base
    }

    /// Raises a synchronous exception for the instruction at `epc`.
    func raise(_ trap: Trap, epc: UInt64) {
        lastTrap = trap
        takeTrap(interrupt: false, code: trap.cause.rawValue, tval: trap.tval, epc: epc)
    }

    /// The interrupt that would be taken now, if any (Priv. §3.1.9): M-level interrupts
    /// (not delegated) first, then S-level ones, each in the order MEI, MSI, MTI, SEI, SSI, STI.
    func pendingInterrupt() -> UInt64? {
        let pending = mip & mie
        if pending == 0 { return nil }
        let mEnabled = priv != .machine || mstatus & Mstatus.MIE != 0
        let sEnabled = priv == .user || (priv == .supervisor && mstatus & Mstatus.SIE != 0)
        var candidates: UInt64 = 0
        if mEnabled { candidates = pending & ~mideleg }
        if candidates == 0 && sEnabled { candidates = pending & mideleg }
        if candidates == 0 { return nil }
        for code in Interrupt.priorityOrder where candidates & (1 << code) != 0 { return code }
        return nil
    }

    /// Samples the interrupt lines and takes the highest-priority deliverable interrupt.
    /// Returns true when one was taken.
    @discardableResult
    public func checkInterrupts() -> Bool {
        updateInterruptLines()
        interruptCheckNeeded = false
        guard let code = pendingInterrupt() else { return false }
        takeTrap(interrupt: true, code: code, tval: 0, epc: pc)
        return true
    }

    /// MRET (Priv. §3.3.2). The caller has checked that the hart is in M-mode.
    func doMret() {
        let mpp = (mstatus >> Mstatus.MPPShift) & 3
        var s = mstatus
        s = (s & ~Mstatus.MIE) | ((s & Mstatus.MPIE) != 0 ? Mstatus.MIE : 0)
        s |= Mstatus.MPIE
        s &= ~Mstatus.MPP  // least-privileged mode: U
        if mpp != 3 { s &= ~Mstatus.MPRV }
        mstatus = s
        pc = mepc
        setPrivilege(Privilege(rawValue: UInt8(mpp)) ?? .user)
        interruptCheckNeeded = true
    }

    /// SRET (Priv. §3.3.2, §12.1.1). The caller has checked privilege and TSR.
    func doSret() {
        let spp = (mstatus & Mstatus.SPP) != 0
        var s = mstatus
        s = (s & ~Mstatus.SIE) | ((s & Mstatus.SPIE) != 0 ? Mstatus.SIE : 0)
        s |= Mstatus.SPIE
        s &= ~Mstatus.SPP
        s &= ~Mstatus.MPRV  // the new privilege is never M
        mstatus = s
        pc = sepc
        setPrivilege(spp ? .supervisor : .user)
        interruptCheckNeeded = true
    }

    /// Whether an interrupt is pending and locally enabled (in mie), the WFI wake-up
    /// condition, which ignores the global enables and delegation (Priv. §3.3.3).
    public var wakeUpPending: Bool {
        updateInterruptLines()
        return mip & mie != 0
    }

    /// For a hart in WFI: the first cycle at which a locally enabled interrupt may become
    /// pending, or nil when no enabled source can ever fire (the hart would sleep forever).
    public func nextWakeUpCycle() -> UInt64? {
        var next: UInt64?
        if mie & Interrupt.MTIP != 0, let t = bus.clint.timerEventCycle(hart: id, cycles: cycles) { next = t }
        if mie & Interrupt.STIP != 0, let t = supervisorTimerEventCycle() { next = min(next ?? t, t) }
        // Scripted console input may raise an external interrupt when it arrives.
        if mie & (Interrupt.MEIP | Interrupt.SEIP) != 0 {
            for c in [bus.uart.input.nextEventCycle, bus.nextDeviceEventCycle].compactMap({ $0 }) where c > cycles {
                next = min(next ?? c, c)
            }
        }
        return next
    }

    /// With Sstc active, the cycle at which STIP rises (time reaches stimecmp).
    public func supervisorTimerEventCycle() -> UInt64? {
        guard stimecmpDrivesSTIP else { return nil }
        return bus.clint.cycle(whenMtimeReaches: stimecmp, cycles: cycles)
    }

    /// Advances the modeled time while the hart sleeps (WFI), to `target` cycles.
    public func sleep(until target: UInt64) {
        guard target > cycles else { return }
        stats.wfiSkippedCycles &+= target - cycles
        cycles = target
    }
}

extension Hart {
    /// Leaves the WFI wait state (the run loop saw a wake-up condition).
    public func resume() { waitingForInterrupt = false }

    /// The decoded entry of the instruction at `pc`, once it has run (for the commit log):
    /// from the fetch TLB's decoded page, or from the scratch page.
    func decodedEntry(at pc: UInt64) -> Decoded? {
        let slot = Int((pc & 0xFFF) >> 1)
        if scratchSlot == slot, scratch[slot].op != .pageEnd { return scratch[slot] }
        let e = itlb[Int((pc >> 12) & Hart.tlbMask)]
        guard e.tag == pc >> 12 else { return nil }
        let d = e.decoded[slot]
        return d.op == .undecoded || d.op == .straddle ? nil : d
    }

    /// The instruction bits at `pc` (after it ran).
    public func decodedWord(at pc: UInt64) -> UInt32? { decodedEntry(at: pc)?.raw }

    /// The register the instruction at `pc` wrote, with its value (after it retired).
    public func lastWrittenRegister(pc: UInt64) -> (register: Int, value: UInt64)? {
        guard let d = decodedEntry(at: pc), d.rd != sinkRegister else { return nil }
        return (Int(d.rd), x[Int(d.rd)])
    }
}

extension Hart {
    public func clearLastTrap() { lastTrap = nil }
}
