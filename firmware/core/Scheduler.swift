import Shim

/// Time-sharing the harts among vCPUs: preemptive round-robin with a slice from the
/// machine timer (DESIGN §3 "Scheduling").
extension Hypervisor {
    /// Moves `vcpu`'s state onto this hart and returns its frame for start.S to enter.
    func enter(_ vcpu: VCPU) -> UnsafeMutablePointer<vcpu_frame> {
        let hart = here
        if hart.loaded !== vcpu {
            hart.loaded?.save(sstc: platform.hasSstc)
            vcpu.load(sstc: platform.hasSstc)
            hart.loaded = vcpu
        }
        hart.current = vcpu
        vcpu.frame.pointee.stack = hart_stack_top(hart.id)   // start.S's stack on the next trap
        programTimer()
        hart.enteredAt = csr_read_mcycle()
        return vcpu.frame
    }

    /// The first entry into a guest on this hart.
    func run() -> Never {
        here.sliceEnd = csr_read_time() &+ slice
        vcpu_enter(enter(pickNext()))
    }

    /// Saves the loaded vCPU's CSRs so its fields are current (before inspecting them).
    func syncLoaded() {
        here.loaded?.save(sstc: platform.hasSstc)
    }

    /// The next vCPU to run, round-robin after the current one; idles (WFI) until one is
    /// ready. Powers off when no domain can run any more.
    func pickNext() -> VCPU {
        let hart = here
        while true {
            let now = csr_read_time()
            expireTimers(now: now)
            syncLoaded()
            var all: [VCPU] = []
            var start = 0
            for d in domains where d.isRunning {
                for v in d.vcpus {
                    if v === hart.current { start = all.count + 1 }
                    all.append(v)
                }
            }
            if all.isEmpty { allStopped() }
            var i = 0
            while i < all.count {
                let v = all[(start + i) % all.count]
                if v.state == .runnable { return v }
                if v.state == .waiting && v.hasPendingInterrupt(now: now, sstc: platform.hasSstc) {
                    v.state = .runnable
                    v.suspended = false
                    return v
                }
                i += 1
            }
            // Nothing ready: sleep until the next timer event.
            var wake = UInt64.max
            for v in all where v.state == .waiting {
                wake = min(wake, platform.hasSstc && v.vsie & Interrupt.VSTIP != 0 ? v.vstimecmp : v.timerDeadline)
            }
            if wake == UInt64.max && !reportedIdle {
                Log.line("vireo: every vCPU waits for an interrupt that nothing can raise; the hart idles")
                reportedIdle = true
            }
            setTimer(wake)
            hart.current = nil
            wait_for_interrupt()
            csr_clear_mip(Interrupt.MSIP)
        }
    }

    func allStopped() -> Never {
        Log.line("vireo: no domain is left running; powering off")
        let dom0 = domains.first { $0.id == 0 }
        powerOff(dom0?.state == .shutdown ? 0 : 1)
    }
}
