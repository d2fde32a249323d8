import Shim

/// Sharing the harts among vCPUs (DESIGN §3 "Scheduling"): each hart has a run queue of the
/// vCPUs placed on it and runs, slice by slice (1 ms from the machine timer), the ready one
/// with the least weighted virtual time (FirmwareKit's `FairShare`, after Xen's credit
/// schedulers). A hart with nothing ready sleeps in WFI until its timer or another hart's
/// software interrupt (`kick`) wakes it.
extension Hypervisor {
    /// Places a new vCPU on the hart with the fewest live vCPUs (ties: the next hart after
    /// the last placement), so a domain's vCPUs spread over the harts.
    func place(_ vcpu: VCPU) {
        var best = -1
        var bestLoad = Int.max
        for i in 0..<harts.count {
            let h = harts[(placementCursor + i) % harts.count]
            var load = 0
            // Every vCPU of a live domain counts, started or not: a domain's vCPUs spread
            // over the harts before its secondaries start.
            for v in h.queue where v.domain.state != .shutdown && v.domain.state != .crashed { load += 1 }
            if load < bestLoad {
                bestLoad = load
                best = Int(h.id)
            }
        }
        placementCursor = (best + 1) % harts.count
        vcpu.hart = best
        harts[best].queue.append(vcpu)
    }

    /// Charges the hart's cycles since the last charge to the vCPU it ran for.
    func chargeTime(_ hart: HartState, now: UInt64) {
        if let v = hart.charged {
            v.vtime &+= FairShare.burn(now &- hart.chargedFrom, weight: v.domain.weight)
        }
        hart.chargedFrom = now
    }

    /// The least virtual time among the ready vCPUs of `hart`'s queue other than `except`
    /// (for wake-ups).
    func vtimeFloor(_ hart: HartState, except: VCPU? = nil) -> UInt64 {
        var floor = UInt64.max
        for v in hart.queue where v !== except && v.domain.isRunning && v.state == .runnable { floor = min(floor, v.vtime) }
        return floor == UInt64.max ? 0 : floor
    }

    /// Makes a stopped or waiting vCPU ready, without banked credit: it comes back at most a
    /// slice behind the others that are ready (a new vCPU, at 0, would otherwise hold the
    /// hart until it caught up with them).
    func makeReady(_ v: VCPU) {
        v.vtime = FairShare.wake(v.vtime, floor: vtimeFloor(harts[v.hart], except: v), allowance: sliceCycles)
        v.state = .runnable
        v.suspended = false
    }

    /// Moves `vcpu`'s state onto this hart and returns its frame for start.S to enter.
    func enter(_ vcpu: VCPU) -> UnsafeMutablePointer<vcpu_frame> {
        let hart = here
        let cycle = csr_read_mcycle()
        chargeTime(hart, now: cycle)
        hart.charged = vcpu
        if hart.loaded !== vcpu {
            let previous = hart.loaded
            previous?.save(sstc: platform.hasSstc)
            vcpu.load(sstc: platform.hasSstc)
            hart.loaded = vcpu
            // Translations this hart cached under the vCPU's VMID may predate changes the
            // guest fenced elsewhere (it last ran on another hart), or belong to a sibling
            // vCPU of the same domain with its own address spaces (same VMID and ASIDs):
            // Priv. §18.3.2; KVM flushes in both cases too. A shadow vCPU has no VS-stage
            // translations (its load flushed the hart's TLB), and without H no HFENCE.
            if !vcpu.shadow && (vcpu.lastHart != Int(hart.id) || previous?.domain === vcpu.domain) { hfence_vvma_all() }
            vcpu.lastHart = Int(hart.id)
        } else if vcpu.remotePending != 0 {
            // Never for a shadow vCPU: setPending puts its bits in its virtual sip.
            csr_set_hvip(vcpu.remotePending)
            vcpu.remotePending = 0
        }
        // Two-stage only too: RFence notes stale VMIDs for two-stage domains alone.
        if !hart.staleVMIDs.isEmpty, let i = hart.staleVMIDs.firstIndex(of: vcpu.domain.vmid) {
            hart.staleVMIDs.remove(at: i)
            hfence_vvma_all()                 // hgatp holds this vCPU's VMID now
        }
        if hart.staleFenceI {
            fence_i()
            hart.staleFenceI = false
        }
        let now = csr_read_time()
        if hart.current !== vcpu || now >= hart.sliceEnd { hart.sliceEnd = now &+ slice }
        hart.current = vcpu
        vcpu.frame.pointee.stack = hart_stack_top(hart.id)   // start.S's stack on the next trap
        programTimer()
        if hart.measureSwitch {
            hart.sliceSwitchCycles &+= csr_read_mcycle() &- hart.trapAt
            hart.sliceSwitches &+= 1
            hart.measureSwitch = false
        }
        let entered = csr_read_mcycle()
        hart.enteredAt = entered
        if hart.firstEntry == 0 { hart.firstEntry = entered }
        if _slowPath(vcpu.shadow) { deliverVirtualInterrupt(vcpu) }
        return vcpu.frame
    }

    /// A hart's first entry into a guest (called with the lock held).
    func run() -> Never {
        vcpu_resume(enter(pickNext()))
    }

    /// Saves the loaded vCPU's CSRs so its fields are current (before inspecting them).
    func syncLoaded() {
        here.loaded?.save(sstc: platform.hasSstc)
    }

    /// Wakes the waiting vCPUs of this hart whose interrupts are pending. Returns true when
    /// one of them should preempt the current vCPU (less virtual time).
    func wakeWaiting(now: UInt64) -> Bool {
        let hart = here
        var preempt = false
        for v in hart.queue where v.state == .waiting && v.domain.isRunning && v !== hart.loaded {
            if v.hasPendingInterrupt(now: now, sstc: platform.hasSstc) {
                makeReady(v)
                if let c = hart.current, v.vtime < c.vtime { preempt = true }
            }
        }
        return preempt
    }

    /// The next vCPU to run on this hart; idles (WFI, the lock dropped) until one is ready.
    /// Powers off when no domain can run any more.
    func pickNext() -> VCPU {
        let hart = here
        while true {
            serviceMailbox()
            let now = csr_read_time()
            chargeTime(hart, now: csr_read_mcycle())
            expireTimers(now: now)
            syncLoaded()
            if !domains.contains(where: { $0.isRunning }) { allStopped() }
            var start = 0
            for (i, v) in hart.queue.enumerated() {
                if v === hart.current { start = i + 1 }
                if v.state == .waiting && v.domain.isRunning && v.hasPendingInterrupt(now: now, sstc: platform.hasSstc) {
                    makeReady(v)
                }
            }
            let queue = hart.queue
            if let i = FairShare.pick(count: queue.count, start: start,
                                      ready: { queue[$0].domain.isRunning && queue[$0].state == .runnable },
                                      vtime: { queue[$0].vtime }) {
                return queue[i]
            }
            // Nothing ready: sleep until the next timer event or a kick.
            var wake = UInt64.max
            for v in hart.queue where v.state == .waiting && v.domain.isRunning {
                wake = min(wake, v.wakeTime(sstc: platform.hasSstc))
            }
            reportIfEveryoneSleepsForever()
            hart.current = nil
            hart.charged = nil
            // A vCPU that is not running must not keep its interrupts enabled on the hart:
            // hie's VS bits are mie's (Priv. §18.2.3), so a pending VS interrupt of a
            // stopped or sleeping vCPU would end every WFI at once. A shadow vCPU has none
            // there (its interrupts are virtual; its load cleared hie and hvip, which do not
            // exist without H).
            if let l = hart.loaded {
                l.save(sstc: platform.hasSstc)
                if !l.shadow {
                    csr_write_hie(0)
                    csr_write_hvip(0)
                    if platform.hasSstc { csr_write_vstimecmp(UInt64.max) }
                }
                hart.loaded = nil
            }
            setTimer(wake)
            let slept = csr_read_mcycle()
            hart.sleepingSince = slept
            fw_lock_release()
            wait_for_interrupt()
            CLINT.setSoftwareInterrupt(hart: hart.id, 0)
            fw_lock_acquire()
            // A device interrupt ends WFI without a trap (the firmware runs with MIE = 0).
            if csr_read_mip() & Interrupt.MEIP != 0 { forwardDeviceInterrupts() }
            hart.sleepingSince = 0
            // Idle time counts from the hart's first guest entry, as its span in the stats does.
            if hart.firstEntry != 0 { hart.idleCycles &+= csr_read_mcycle() &- max(slept, hart.firstEntry) }
        }
    }

    /// Says once when every live vCPU of every domain waits with no timer armed: nothing
    /// can wake them (a guest bug, or a hostile guest; the board idles).
    func reportIfEveryoneSleepsForever() {
        guard !reportedIdle else { return }
        for d in domains where d.isRunning {
            for v in d.vcpus where v.state == .runnable || (v.state == .waiting && (v.wakeTime(sstc: platform.hasSstc) != UInt64.max || v.hvip | v.remotePending != 0)) {
                return
            }
        }
        Log.line("vireo: every vCPU waits for an interrupt that nothing can raise; the hart idles")
        reportedIdle = true
    }

    func allStopped() -> Never {
        Log.line("vireo: no domain is left running; powering off")
        let dom0 = domains.first { $0.id == 0 }
        powerOff(dom0?.state == .shutdown ? 0 : 1)
    }
}
