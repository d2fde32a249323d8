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
    /// Time slice in `time` units (1 ms).
    let slice: UInt64
    /// The idle-forever message is printed once.
    var reportedIdle = false
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
    }

    /// Powers the board off after writing out every domain's unfinished console line.
    func powerOff(_ code: UInt64) -> Never {
        PowerOff.exit(code)
    }
}
