import Shim

/// What the firmware keeps for one physical hart, indexed by its hart id
/// (`Hypervisor.harts[mhartid]`): its run queue, the vCPU running on it, the vCPU whose
/// CSRs it holds, its time slice, its fence mailbox and its accounting.
final class HartState {
    let id: UInt64
    /// The vCPUs placed on this hart (any state; the scheduler picks among the ready ones).
    var queue: [VCPU] = []
    /// The vCPU whose frame mscratch holds while a guest runs on this hart.
    var current: VCPU? = nil
    /// The vCPU whose VS CSRs are on this hart (they stay until another vCPU needs it).
    var loaded: VCPU? = nil
    /// End of the current slice, in `time` units.
    var sliceEnd: UInt64 = 0
    /// mcycle when the current vCPU was last entered (guest time accounting).
    var enteredAt: UInt64 = 0
    /// The vCPU the hart's time is charged to since `chargedFrom` (mcycle): the current
    /// vCPU, including the firmware work done for it but not the time spent waiting for
    /// the hypervisor lock.
    var charged: VCPU? = nil
    var chargedFrom: UInt64 = 0

    // Fence mailbox (remote SBI RFENCE): hgatp values whose VS-stage translations this hart
    // must drop, and whether it must FENCE.I. `posted` counts requests, `done` how many
    // this hart has carried out; requesters wait for `done` to reach their ticket. The
    // HFENCE requests are posted for two-stage domains only, and only with H (sbiRFence,
    // flushGuestTranslations): without H, serviceMailbox never touches hgatp.
    var fenceVVMA: [UInt64] = []
    var fenceI = false
    var fenceGVMA = false
    /// VMIDs whose VS-stage translations this hart must drop before it next enters one of
    /// their vCPUs, and whether it must FENCE.I first (remote fences for vCPUs that were not
    /// running here: nothing to interrupt, the work waits for the next entry).
    var staleVMIDs: [UInt64] = []
    var staleFenceI = false
    var fencePosted: UInt64 = 0
    var fenceDone: UInt64 = 0

    // Accounting (`vireo.stats`).
    /// mcycle spent in guests, in total.
    var guestCycles: UInt64 = 0
    /// Slice ends that made the scheduler run, and the firmware cycles they took from the
    /// trap to the next guest entry.
    var sliceSwitches: UInt64 = 0
    var sliceSwitchCycles: UInt64 = 0
    /// mcycle at the trap being handled (for the slice-switch cost).
    var trapAt: UInt64 = 0
    /// Set by `kick` on this hart: arm the machine timer again before resuming the guest.
    var rearmTimer = false
    var measureSwitch = false
    /// Cycles spent waiting for the hypervisor lock on trap entry.
    var lockWaitCycles: UInt64 = 0
    /// Cycles asleep in WFI with nothing to run, and since when it sleeps now (0: awake).
    var idleCycles: UInt64 = 0
    var sleepingSince: UInt64 = 0
    /// mcycle at the hart's first guest entry (0: none yet): the figures count from there.
    var firstEntry: UInt64 = 0

    init(id: UInt64) {
        self.id = id
    }
}

/// Hart records by hart id, without reference counting on the hot path (they live as long
/// as the hypervisor: `Hypervisor.harts` owns them).
enum HartTable {
    nonisolated(unsafe) static var entries: UnsafeMutablePointer<Unmanaged<HartState>>? = nil
}

extension Hypervisor {
    /// The state of the hart this code runs on.
    var here: HartState {
        unsafe HartTable.entries.unsafelyUnwrapped[Int(csr_read_mhartid())].takeUnretainedValue()
    }

    /// Raises hart `h`'s machine software interrupt so that it looks at its queue and its
    /// mailbox. For this hart, which is in the firmware already, it notes that the machine
    /// timer is to be armed again before the guest resumes (`programTimer`: a vCPU of this
    /// hart may have a new deadline or wake-up, which start.S's timer fast paths must see
    /// in the hart's `next` word).
    func kick(_ h: HartState) {
        if h.id != csr_read_mhartid() {
            CLINT.setSoftwareInterrupt(hart: h.id, 1)
        } else {
            h.rearmTimer = true
        }
    }

    /// Carries out this hart's fence requests (under the lock).
    func serviceMailbox() {
        let hart = here
        guard hart.fenceDone != hart.fencePosted else { return }
        if !hart.fenceVVMA.isEmpty {
            let saved = csr_read_hgatp()
            for h in hart.fenceVVMA {
                csr_write_hgatp(h)
                hfence_vvma_all()
            }
            csr_write_hgatp(saved)
            hart.fenceVVMA.removeAll(keepingCapacity: true)
        }
        if hart.fenceI {
            fence_i()
            hart.fenceI = false
        }
        if hart.fenceGVMA {
            hfence_gvma_all()
            hart.fenceGVMA = false
        }
        hart.fenceDone = hart.fencePosted
    }

    /// Drops the lock until every hart in `tickets` has done its requests, servicing this
    /// hart's own mailbox meanwhile (two harts fencing each other cannot deadlock).
    func waitForFences(_ tickets: [(hart: HartState, ticket: UInt64)]) {
        while true {
            serviceMailbox()
            var done = true
            for t in tickets where t.hart.fenceDone < t.ticket { done = false }
            if done { return }
            yieldLock()
        }
    }

    /// Lets the other harts into the core for a moment while this one waits for them (a
    /// fence, a hart leaving a domain, a reload's next piece), then carries out the fence
    /// requests they may have left this hart meanwhile. No Swift runs unlocked here.
    func yieldLock() {
        fw_lock_release()
        for _ in 0..<64 { fence_rw() }
        fw_lock_acquire()
        serviceMailbox()
    }
}
