import BoardCore

/// The run loop (DESIGN §2): chunks of execution between interrupt checks, several harts
/// in turn by quanta, WFI sleeps and the stop conditions.
extension Machine {
    /// Instructions retired by all harts.
    public var instructions: UInt64 { harts.reduce(0) { $0 &+ $1.instret } }

    /// Runs until the program stops or `maxInstructions` (all harts together) retire.
    /// With a gdb stub (`debugger`), `-S` waits for gdb first, and gdb learns how the run
    /// ended.
    public func run(maxInstructions: UInt64? = nil) -> StopReason {
        for h in harts { h.singleStep = false }
        guard let debugger else { return runLoop(maxInstructions: maxInstructions) }
        debugger.begin(self)
        let stop = debugger.killRequested ? .killedByDebugger : runLoop(maxInstructions: maxInstructions)
        debugger.finished(stop)
        return stop
    }

    private func runLoop(maxInstructions: UInt64?) -> StopReason {
        if harts.count == 1 {
            while true {
                if let stop = stopCondition(maxInstructions: maxInstructions) { return stop }
                switch advance(hart, until: hart.cycles &+ chunkCycles, maxInstructions: maxInstructions) {
                case .ran, .slept: continue
                case .stuck:
                    if !waitForInput() {
                        return bus.uart.input.quitRequested ? .quit : .deadlock(pc: hart.pc)
                    }
                }
            }
        }
        var now = harts.map(\.cycles).min() ?? 0
        while true {
            let end = now &+ quantumCycles
            var stuck = 0
            for h in harts {
                bus.interleavingEpoch &+= 1  // another hart ran: outstanding LR reservations lapse
                while h.cycles < end {
                    if let stop = stopCondition(maxInstructions: maxInstructions) { return stop }
                    if let debugger, debugger.holds(h.id) { break }  // gdb resumed other harts only
                    let outcome = advance(h, until: end, maxInstructions: maxInstructions)
                    if outcome == .stuck {
                        stuck += 1
                        h.sleep(until: end)  // another hart may still wake it
                        break
                    }
                }
            }
            // A hart counted stuck early in the quantum may since have received an IPI from
            // another one: only when none can wake is the board really idle.
            if stuck == harts.count && harts.allSatisfy({ !$0.wakeUpPending && $0.nextWakeUpCycle() == nil }) {
                // Every hart sleeps with nothing scheduled: only console input can help.
                if !waitForInput() {
                    return bus.uart.input.quitRequested ? .quit : .deadlock(pc: hart.pc)
                }
            }
            now = end
        }
    }

    enum Progress { case ran, slept, stuck }

    /// Every hart sleeps with nothing scheduled: waits for console input, or for gdb (a
    /// Ctrl-C, a connection), which the next `stopCondition` then serves.
    private func waitForInput() -> Bool {
        guard let debugger else { return bus.uart.input.waitForLiveInput() }
        guard bus.uart.input.waitForLiveInput(orReadable: debugger.wakeFD) else { return false }
        debugger.pollSoon()
        return true
    }

    /// Lets hart `h` run (or sleep, in WFI) towards cycle `end`: interrupts are taken first,
    /// and the run stops early at the next timer, console or device event.
    private func advance(_ h: Hart, until end: UInt64, maxInstructions: UInt64?) -> Progress {
        if h.waitingForInterrupt {
            bus.uart.flush()  // idle: show what was printed
            if h.wakeUpPending {
                h.resume()
            } else if let t = h.nextWakeUpCycle() {
                h.sleep(until: min(t, end))
                return .slept
            } else {
                return .stuck
            }
        }
        h.checkInterrupts()
        var limit = end
        if let t = bus.clint.timerEventCycle(hart: h.id, cycles: h.cycles), t > h.cycles { limit = min(limit, t) }
        if let t = h.supervisorTimerEventCycle(), t > h.cycles { limit = min(limit, t) }
        if let t = h.virtualTimerEventCycle(), t > h.cycles { limit = min(limit, t) }
        if let c = bus.uart.input.nextEventCycle, c > h.cycles { limit = min(limit, c) }
        if let c = bus.nextDeviceEventCycle, c > h.cycles { limit = min(limit, c) }
        if let max = maxInstructions {
            let done = instructions
            if done < max { limit = min(limit, h.cycles &+ (max - done)) }
        }
        if let debugger, debugger.active {
            // Breakpoints or watchpoints: one instruction at a time (the JIT never runs).
            debugger.run(h, until: max(limit, h.cycles &+ 1), machine: self)
        } else {
            h.run(until: max(limit, h.cycles &+ 1))
        }
        return .ran
    }

    /// A reset asked for is done here; then the reasons to stop, if any.
    func stopCondition(maxInstructions: UInt64?) -> StopReason? {
        if let debugger {
            // Ctrl-C, or a gdb connecting: between chunks, where interrupts are taken anyway.
            debugger.poll(self)
            if debugger.killRequested { return .killedByDebugger }
        }
        if bus.resetRequested { reset() }
        if let code = bus.exitCode { return .exited(code) }
        if bus.uart.input.quitRequested { return .quit }
        if let max = maxInstructions, instructions >= max { return .instructionLimit(max) }
        return nil
    }
}
