import Shim

/// The hypervisor core: the domains, the physical memory they draw from, and per-hart
/// state. Its jobs live in extensions by concern: core/Lifecycle.swift (domains),
/// core/Scheduler.swift, core/Timers.swift, core/Console.swift, arch/Trap.swift (VM exits),
/// sbi/ (the SBI extensions), vdev/ (emulated devices).
final class Hypervisor {
    let platform: Platform
    var memory: PhysicalMemory
    var domains: [Domain] = []
    /// One record per hart of the board, indexed by hart id.
    let harts: [HartState]
    /// Time slice in `time` units (1 ms), and about as many cycles (measured at boot), the
    /// most a waking vCPU may be behind in the fair-share order.
    let slice: UInt64
    var sliceCycles: UInt64 = 1
    /// The idle-forever message is printed once.
    var reportedIdle = false
    /// The PLIC context the virtio interrupts are routed to, and for each source the context
    /// it was claimed on and not yet completed (drivers/PLIC.swift).
    var deviceContext: UInt64? = nil
    /// The M-mode context the physical UART's receive interrupt is routed to (domain 0's
    /// hart), and whether it is masked there until domain 0 has read what arrived.
    var consoleContext: UInt64? = nil
    var consoleMasked = false
    var claimedOn = [UInt64?](repeating: nil, count: 128)
    /// The id the next domain Dom0 builds gets (ids are never reused, as in Xen).
    var nextDomainID: UInt64 = 0
    /// The firmware's messages about domains other than Dom0 once Dom0 has claimed the
    /// consoles (Dom0's `dmesg`, SBI Control consoleRead of `hypervisorLog`).
    var log = ConsoleRing(capacity: 16384)
    /// Set once Dom0 has claimed the guest consoles (SBI Control consoleClaim).
    var consolesClaimed = false
    /// Where Dom0's next diskPop starts looking (domains in turn, so none starves).
    var diskCursor = 0
    /// The top of every guest's RAM kept for its DTB: initrds and kernels stay below
    /// (shared with Dom0, which places them: `SBI.Control.dtbReserve`).
    static let dtbReserve: UInt64 = SBI.Control.dtbReserve
    /// The domain whose unfinished line is on the physical UART, if any (core/Console.swift).
    var lineOwner: Domain? = nil
    /// Where the next vCPU placement starts looking (core/Scheduler.swift).
    var placementCursor = 0
    /// `vireo.stats` on the firmware's command line: per-domain and per-hart figures at
    /// power-off.
    var printStats = false
    /// `vireo.mmu=shadow`: every domain built from now on runs trap-and-emulate, its kernel
    /// in real U-mode (arch/Shadow.swift, issue 17).
    var shadowMode = false
    /// Shadow-table pages per shadow vCPU (from the page-table pool): at most
    /// `shadowPages`, of which `shadowReserve` are taken when the domain is built (a root and
    /// the two tables below it: one mapping) and the rest as its shadows fill.
    static let shadowPages = 24
    static let shadowReserve = 3
    /// Default guest RAM when a module does not say mem=.
    static let defaultMemory: UInt64 = 32 << 20

    init(platform: Platform, dtbAddress: UInt64) {
        self.platform = platform
        memory = PhysicalMemory(start: platform.memoryBase, end: platform.memoryBase &+ platform.memorySize)
        memory.reserve(start: firmware_start(), end: firmware_end())
        memory.reserve(start: dtbAddress, end: dtbAddress &+ platform.dtbSize)
        for m in platform.modules { memory.reserve(start: m.address, end: m.address &+ m.size) }
        slice = platform.timebase / 1000
        var harts: [HartState] = []
        for h in 0..<platform.harts { harts.append(HartState(id: UInt64(h))) }
        self.harts = harts
        let table = UnsafeMutablePointer<Unmanaged<HartState>>.allocate(capacity: harts.count)
        for (i, h) in harts.enumerated() { table[i] = Unmanaged.passUnretained(h) }
        HartTable.entries = table
    }

    /// Powers the board off after writing out every domain's unfinished console line (and
    /// the figures, with `vireo.stats`).
    func powerOff(_ code: UInt64) -> Never {
        for d in domains { consoleFlush(d, endLine: true) }
        if printStats { reportStats() }
        PowerOff.exit(code)
    }

    /// Per-domain cycles, share and VM exits, and per-hart guest share and slice-switch cost.
    func reportStats() {
        let hart = here
        chargeTime(hart, now: csr_read_mcycle())
        if let v = hart.current { v.cycles &+= csr_read_mcycle() &- hart.enteredAt }
        var total: UInt64 = 0
        for d in domains { total &+= d.cycles }
        Log.line("vireo: stats: domain, weight, guest cycles, share of guest cycles, VM exits")
        for d in domains {
            Log.put("vireo: stats: domain " + Format.dec(d.id) + " (" + d.name + ") weight " + Format.dec(d.weight)
                    + ": " + Format.dec(d.cycles) + " cycles, " + Format.percent(d.cycles, of: total) + "%, "
                    + Format.dec(d.exitCount) + " exits\n")
            // VM exits by cause, and the faults given back to the guest.
            var causes = ""
            for (i, n) in d.exits.enumerated() where n != 0 {
                let name = i >= 32 ? interruptName(UInt64(i - 32)) : Cause(rawValue: UInt64(i))?.name ?? "exception " + Format.dec(UInt64(i))
                causes += (causes.isEmpty ? "" : ", ") + name + " " + Format.dec(n)
            }
            if d.reflected != 0 { causes += ", faults given back to the guest " + Format.dec(d.reflected) }
            if !causes.isEmpty { Log.put("vireo: stats:   exits: " + causes + "\n") }
            if d.shadow {
                var builds: UInt64 = 0, evictions: UInt64 = 0
                for v in d.vcpus {
                    builds &+= v.shadowCache.builds
                    evictions &+= v.shadowCache.evictions
                }
                var tablePages: [UInt64] = []
                for u in d.guestTables.uses where !tablePages.contains(u.page) { tablePages.append(u.page) }
                Log.put("vireo: stats:   shadow: " + Format.dec(d.shadowFills) + " pages filled, " + Format.dec(builds)
                        + " spaces built, " + Format.dec(evictions) + " dropped, " + Format.dec(d.tableStores)
                        + " page-table stores, " + Format.dec(d.shadowDrops) + " regions invalidated, " + Format.dec(d.shadowFlushes)
                        + " flushes, " + Format.dec(UInt64(tablePages.count)) + " table pages protected\n")
            }
        }
        // The firmware's own memory: what the heap never reached, and the page-table pool's
        // free pages (G-stage tables and shadow tables come from it).
        Log.put("vireo: stats: firmware memory: heap " + Format.dec(UInt64(heap_unused()) >> 10) + " KiB never used, page-table pool "
                + Format.dec(PageTablePool.freePages()) + " of " + Format.dec((pagetables_end() &- pagetables_start()) >> 12) + " pages free\n")
        // Counted from each hart's first guest entry (boot work before it is not scheduling).
        let now = csr_read_mcycle()
        for h in harts {
            let span = h.firstEntry == 0 ? 0 : now &- h.firstEntry
            var idle = h.idleCycles
            if h.sleepingSince != 0 && h.firstEntry != 0 { idle &+= now &- max(h.sleepingSince, h.firstEntry) }
            var busy = h.guestCycles
            if h === hart, h.current != nil { busy &+= now &- h.enteredAt }
            let perSwitch = h.sliceSwitches == 0 ? 0 : h.sliceSwitchCycles / h.sliceSwitches
            Log.put("vireo: stats: hart " + Format.dec(h.id) + ": guests " + Format.percent(busy, of: span) + "% of "
                    + Format.dec(span) + " cycles, idle " + Format.percent(idle, of: span) + "%, "
                    + Format.dec(h.sliceSwitches) + " slice ends, " + Format.dec(perSwitch) + " cycles each\n")
        }
    }
}
