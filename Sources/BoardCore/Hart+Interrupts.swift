import RISCV

/// Interrupts (Priv. §3.1.9, §3.3.3; H "Hypervisor Interrupt Registers"): the lines sampled
/// into mip, the choice of the interrupt to take (enables, delegation level, priority),
/// and the WFI wake-up condition and time. Taking it is `takeTrap` (`Hart+Trap.swift`).
extension Hart {
    // MARK: Lines

    /// Samples the interrupt lines into mip's hardware bits: the CLINT's (MTIP, MSIP), Sstc's
    /// comparisons (STIP, VSTIP), then, once devices have caught up with time and sampled
    /// their lines into the PLIC (`Bus.advanceDevices`), the hart's PLIC contexts (MEIP, SEIP).
    public func updateInterruptLines() {
        var hw: UInt64 = 0
        if bus.clint.timerPending(hart: id, cycles: cycles) { hw |= Interrupt.MTIP }
        if bus.clint.softwarePending(hart: id) { hw |= Interrupt.MSIP }
        if stimecmpDrivesSTIP && bus.clint.mtime(cycles: cycles) >= stimecmp { hw |= Interrupt.STIP }
        if vstimecmpDrivesVSTIP && bus.clint.mtime(cycles: cycles) &+ htimedelta >= vstimecmp { hw |= Interrupt.VSTIP }
        traceEvents?.deviceContext(hart: id, cycles: cycles)  // completions posted now are this hart's events
        bus.advanceDevices(cycles: cycles)
        if bus.plic.interruptPending(context: 2 * id) { hw |= Interrupt.MEIP }
        if bus.plic.interruptPending(context: 2 * id + 1) { hw |= Interrupt.SEIP }
        mipHardware = hw
    }

    // MARK: Selection

    /// The interrupt that would be taken now, if any (Priv. §3.1.9; H "Hypervisor Interrupt
    /// Registers"): M-level interrupts (not delegated) first, then HS-level ones (delegated
    /// by mideleg, not by hideleg), then VS-level ones (also delegated by hideleg, only
    /// while V=1), each level in the order MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI.
    func pendingInterrupt() -> UInt64? {
        let pending = mip & mie
        if pending == 0 { return nil }
        let mEnabled = priv != .machine || mstatus & Mstatus.MIE != 0
        // HS-level: in HS with SIE, or in any less privileged mode (U, VS, VU).
        let sEnabled = virt || priv == .user || (priv == .supervisor && mstatus & Mstatus.SIE != 0)
        // VS-level: only while V=1, in VS with vsstatus.SIE or in VU.
        let vsEnabled = virt && (priv == .user || vsstatus & Mstatus.SIE != 0)
        var candidates: UInt64 = 0
        if mEnabled { candidates = pending & ~mideleg }
        if candidates == 0 && sEnabled { candidates = pending & mideleg & ~hideleg }
        if candidates == 0 && vsEnabled { candidates = pending & mideleg & hideleg }
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

    /// The cause code an interrupt taken into VS-mode shows: VS-level interrupts appear to VS
    /// as the supervisor ones (VSEI 10 → 9, VSTI 6 → 5, VSSI 2 → 1; H "Trap Cause Codes").
    @inline(__always)
    static func vsInterruptCode(_ code: UInt64) -> UInt64 {
        code == Interrupt.VSSI || code == Interrupt.VSTI || code == Interrupt.VSEI ? code - 1 : code
    }

    // MARK: WFI

    /// Leaves the WFI wait state (the run loop saw a wake-up condition).
    public func resume() {
        waitingForInterrupt = false
        traceEvents?.wake(self)
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
        if mie & Interrupt.VSTIP != 0, let t = virtualTimerEventCycle() { next = min(next ?? t, t) }
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

    /// With Sstc active for VS (menvcfg.STCE and henvcfg.STCE), the cycle at which VSTIP
    /// rises: time + htimedelta reaches vstimecmp.
    public func virtualTimerEventCycle() -> UInt64? {
        guard vstimecmpDrivesVSTIP else { return nil }
        let now = bus.clint.mtime(cycles: cycles)
        if now &+ htimedelta >= vstimecmp { return cycles }
        // The sum wraps: it reaches vstimecmp when mtime reaches vstimecmp − htimedelta,
        // unless that lies beyond the wrap of the sum (then never, before mtime wraps).
        let target = vstimecmp &- htimedelta
        guard target > now else { return nil }
        return bus.clint.cycle(whenMtimeReaches: target, cycles: cycles)
    }

    /// Advances the modeled time while the hart sleeps (WFI), to `target` cycles.
    public func sleep(until target: UInt64) {
        guard target > cycles else { return }
        traceEvents?.sleep(self)
        stats.wfiSkippedCycles &+= target - cycles
        cycles = target
    }
}
