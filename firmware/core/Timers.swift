import Shim

/// Guest timers (SBI TIME, §6) and the hart's machine timer, which carries the slice end,
/// the wake-up of this hart's sleeping vCPUs and, without Sstc, its vCPUs' deadlines.
extension Hypervisor {
    /// Marks the injected timer of every vCPU on this hart whose SBI deadline has passed
    /// (no Sstc).
    @inline(__always)
    func expireTimers(now: UInt64) {
        guard shadowMode || !platform.hasSstc else { return }
        expireTimersSlow(now: now)
    }

    @inline(never)
    func expireTimersSlow(now: UInt64) {
        if shadowMode {
            for v in here.queue where v.shadow && v.domain.isRunning && v.shadowDeadline <= now {
                v.shadowDeadline = UInt64.max
                setPending(v, Interrupt.VSTIP)
            }
        }
        guard !platform.hasSstc else { return }
        for v in here.queue where !v.shadow && v.domain.isRunning && v.timerDeadline <= now {
            v.timerDeadline = UInt64.max
            setPending(v, Interrupt.VSTIP)
        }
    }

    /// TIME set_timer: with Sstc the deadline goes to vstimecmp (the guest's own compare,
    /// htimedelta = 0); without it the firmware keeps it and injects VSTIP when it passes.
    /// Either way a pending timer interrupt is cleared (SBI §6.1).
    /// A shadow-mode vCPU keeps its deadline as the firmware does without Sstc, in
    /// `shadowDeadline` (its timer interrupt goes to its virtual sip).
    func setGuestTimer(_ vcpu: VCPU, _ deadline: UInt64) {
        if platform.hasSstc && !vcpu.shadow {
            csr_write_vstimecmp(deadline)
            return
        }
        clearPending(vcpu, Interrupt.VSTIP)
        var kept = deadline
        if deadline <= csr_read_time() {
            setPending(vcpu, Interrupt.VSTIP)
            kept = UInt64.max
        }
        if vcpu.shadow {
            vcpu.shadowDeadline = kept
            vcpu.virtualS.stimecmp = deadline        // its virtual Sstc compare (SBI set_timer writes it too)
        } else {
            vcpu.timerDeadline = kept
        }
        programTimer()
    }

    /// Arms this hart's machine timer for the earliest of: the slice end, a waiting vCPU's
    /// wake-up, and (no Sstc) any vCPU's SBI deadline. Every path back into a guest passes
    /// here, so the timer is never left disarmed under a running guest.
    ///
    /// It also leaves, for start.S's timer fast paths, the earliest of all that but the
    /// loaded vCPU's own SBI deadline (which they change and compare against).
    func programTimer() {
        let hart = here
        hart.rearmTimer = false
        var others = hart.sliceEnd
        var own = UInt64.max
        let sstc = platform.hasSstc
        for v in hart.queue where v.domain.isRunning && v.state != .stopped {
            if v.shadow { others = min(others, v.shadowDeadline) }
            if !sstc && !v.shadow {
                if v === hart.loaded { own = v.timerDeadline } else { others = min(others, v.timerDeadline) }
            }
            if v.state == .waiting && v !== hart.loaded { others = min(others, v.wakeTime(sstc: sstc)) }
        }
        fw_fast_set_next(hart.id, others)
        setTimer(min(others, own))
    }

    func setTimer(_ value: UInt64) {
        CLINT.setTimer(hart: csr_read_mhartid(), value)
    }
}
