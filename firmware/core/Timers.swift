import Shim

/// Guest timers (SBI TIME, §6) and the hart's machine timer, which carries both the slice
/// end and, without Sstc, the guests' deadlines.
extension Hypervisor {
    /// Marks the injected timer of every vCPU whose SBI deadline has passed (no Sstc).
    func expireTimers(now: UInt64) {
        guard !platform.hasSstc else { return }
        for d in domains where d.isRunning {
            for v in d.vcpus where v.timerDeadline <= now {
                v.timerDeadline = UInt64.max
                setPending(v, Interrupt.VSTIP)
            }
        }
    }

    /// TIME set_timer: with Sstc the deadline goes to vstimecmp (the guest's own compare,
    /// htimedelta = 0); without it the firmware keeps it and injects VSTIP when it passes.
    /// Either way a pending timer interrupt is cleared (SBI §6.1).
    func setGuestTimer(_ vcpu: VCPU, _ deadline: UInt64) {
        if platform.hasSstc {
            csr_write_vstimecmp(deadline)
        } else {
            clearPending(vcpu, Interrupt.VSTIP)
            if deadline <= csr_read_time() {
                setPending(vcpu, Interrupt.VSTIP)
                vcpu.timerDeadline = UInt64.max
            } else {
                vcpu.timerDeadline = deadline
            }
            programTimer()
        }
    }

    /// The machine timer: the end of the slice, or an earlier guest deadline (no Sstc).
    func programTimer() {
        var next = here.sliceEnd
        if !platform.hasSstc {
            for d in domains where d.isRunning {
                for v in d.vcpus where v.state != .stopped { next = min(next, v.timerDeadline) }
            }
        }
        setTimer(next)
    }

    func setTimer(_ value: UInt64) {
        CLINT.setTimer(hart: csr_read_mhartid(), value)
    }
}
