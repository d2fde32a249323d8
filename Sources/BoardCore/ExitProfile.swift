/// Where a VM exit's cycles go (`--stats` under the Vireo firmware; issue 16): each exit is
/// the span from the trap that leaves V=1 for M to the xRET that returns to V=1, and every
/// modeled cycle of it is charged to one of four phases, by the firmware's own code
/// addresses (symbols of its ELF):
///
/// - **entry**: from the trap to the first instruction of `fw_trap` (the asm vector's
///   register save, its mcycle stamps and the hypervisor lock);
/// - **dispatch**: from `fw_trap` to the first instruction of a cause handler (a
///   `Hypervisor.exit…` method: reading mcause, finding the vCPU, the accounting, the jump
///   table);
/// - **handler**: from the handler's first instruction until it returns to its caller
///   (the return address and stack pointer it was entered with);
/// - **exit**: from there to the xRET (the resume check or the scheduler, `vcpu_resume`'s
///   lock release, the register restore). Reaching `vcpu_resume` or `vcpu_enter` starts
///   this phase from any other (an exit dropped or stopped before a handler ran).
///
/// The fast paths of the firmware's vector (start.S, docs/fast-paths.md) have the same
/// phases at their own labels: for `fast_ecall` and `fast_interrupt`, entry ends at the
/// label (the vector's few saves and compares are their dispatch), the handler runs to
/// `fast_return` and the exit is the restore and xRET; `fast_mmio` is a dispatch like
/// `fw_trap` (it saves the frame and takes the lock), its handler is the Swift
/// `fw_fast_mmio`, and its exit is `vcpu_resume`; `fast_uart`, reached from `fast_mmio`,
/// is its own handler up to `fast_return`. A fast path that declines jumps to
/// `slow_trap` (the entry phase again: the full register save follows) or, from
/// `fast_uart`, to `fast_mmio_swift` (dispatch again).
///
/// The hart steps one instruction at a time between the two points (its `singleStep`,
/// as the commit log does): the interpreter then passes the top of its loop before every
/// instruction, with the pc and the exact cycles, and the JIT never runs, so translated
/// firmware code cannot hide a boundary. Single-stepping charges the same modeled cycles,
/// so a profiled run keeps the cycles and statistics of one without. Cycles the hart
/// spends asleep in WFI inside an exit (an idle hart in the firmware) belong to no phase
/// and are left out of the total.
///
/// Nothing of this runs without a profile: the hooks are a nil test in `takeTrap`,
/// `setPrivilege` and the interpreter's one-instruction (scratch) path.
public final class ExitProfile {
    public enum Phase: Int, CaseIterable, Sendable {
        case entry, dispatch, handler, exit
        public var name: String {
            switch self {
            case .entry: return "entry"
            case .dispatch: return "dispatch"
            case .handler: return "handler"
            case .exit: return "exit"
            }
        }
    }

    /// An exit's kind: the `HartStats.vmExits` index (exceptions at their code, interrupts
    /// at 64 + code) and, for an ecall from VS, the SBI extension (a7) it asked for.
    public struct Key: Hashable, Comparable, Sendable {
        public var index: Int
        public var sbiExtension: UInt64?
        public init(index: Int, sbiExtension: UInt64?) {
            self.index = index
            self.sbiExtension = sbiExtension
        }
        public static func < (a: Key, b: Key) -> Bool {
            (a.index, a.sbiExtension ?? 0) < (b.index, b.sbiExtension ?? 0)
        }
    }

    /// Sums over the completed exits of one kind.
    public struct Totals: Sendable, Equatable {
        public var count: UInt64 = 0
        public var cycles: UInt64 = 0
        public var phases: [UInt64] = [0, 0, 0, 0]
        public init() {}
        public mutating func add(_ o: Totals) {
            count &+= o.count
            cycles &+= o.cycles
            for i in 0..<4 { phases[i] &+= o.phases[i] }
        }
    }

    let trapEntry: UInt64
    let dispatch: UInt64
    let resumePoints: Set<UInt64>
    let handlers: Set<UInt64>
    let fastDispatch: Set<UInt64>
    let fastHandlers: Set<UInt64>
    /// Where a fast path that declines joins the full world switch (its entry again).
    let declined: UInt64?

    public private(set) var totals: [Key: Totals] = [:]
    /// Exits whose phases did not add up to their total (kept for the tests: always 0).
    public private(set) var mismatches: UInt64 = 0

    // The exit in progress.
    public private(set) var isOpen = false
    var key = Key(index: 0, sbiExtension: nil)
    var phase = Phase.entry
    var phaseCycles: [UInt64] = [0, 0, 0, 0]
    var openedAt: UInt64 = 0
    var lastCycles: UInt64 = 0
    var idleAtOpen: UInt64 = 0
    var lastIdle: UInt64 = 0
    var handlerReturn: UInt64 = 0
    var handlerSP: UInt64 = 0
    var savedSingleStep = false

    /// `trapEntry`: the M-mode trap vector; `dispatch`: the first Swift function a trap
    /// reaches; `resume`: the restore path's entry points; `handlers`: the cause handlers'
    /// entry points; `fastDispatch`: fast paths that dispatch to a handler (entered from the
    /// entry phase); `fastHandlers`: fast paths that are their own handler, up to a resume
    /// point.
    public init(trapEntry: UInt64, dispatch: UInt64, resume: [UInt64], handlers: [UInt64],
                fastDispatch: [UInt64] = [], declined: UInt64? = nil, fastHandlers: [UInt64] = []) {
        self.declined = declined
        self.trapEntry = trapEntry
        self.dispatch = dispatch
        self.resumePoints = Set(resume)
        self.handlers = Set(handlers)
        self.fastDispatch = Set(fastDispatch)
        self.fastHandlers = Set(fastHandlers)
    }

    /// The Vireo firmware's boundaries from its ELF symbols, or nil when they are missing
    /// (another firmware, a stripped file): the vector `trap_entry`, `fw_trap`,
    /// `vcpu_resume`/`vcpu_enter`, and the handlers, the `Hypervisor.exit…` methods of
    /// firmware/arch/Trap.swift (Embedded Swift mangles them as `…10HypervisorC<n>exit<Name>…`).
    public static func vireoFirmware(symbols: [String: UInt64]) -> ExitProfile? {
        guard let entry = symbols["trap_entry"], let dispatch = symbols["fw_trap"],
              let resume = symbols["vcpu_resume"], let enter = symbols["vcpu_enter"] else { return nil }
        var handlers: [UInt64] = []
        for (name, address) in symbols where name.hasPrefix("$e13VireoFirmware10HypervisorC") {
            // `C` then the length of the method's name, then the name.
            let rest = name.dropFirst("$e13VireoFirmware10HypervisorC".count)
            let digits = rest.prefix { $0.isNumber }
            guard let n = Int(digits), n > 4 else { continue }
            let method = rest.dropFirst(digits.count).prefix(n)
            guard method.count == n, method.hasPrefix("exit"), let c = method.dropFirst(4).first, c.isUppercase else { continue }
            handlers.append(address)
        }
        guard !handlers.isEmpty else { return nil }
        // The fast paths (absent from older firmware).
        var resumePoints = [resume, enter]
        if let r = symbols["fast_return"] { resumePoints.append(r) }
        if let h = symbols["fw_fast_mmio"] { handlers.append(h) }
        return ExitProfile(trapEntry: entry, dispatch: dispatch, resume: resumePoints, handlers: handlers,
                           fastDispatch: ["fast_mmio", "fast_mmio_swift"].compactMap { symbols[$0] },
                           declined: symbols["slow_trap"],
                           fastHandlers: ["fast_ecall", "fast_interrupt", "fast_uart"].compactMap { symbols[$0] })
    }

    /// The totals by exit cause (`HartStats.vmExits` index), SBI extensions merged.
    public var byCause: [Int: Totals] {
        var out: [Int: Totals] = [:]
        for (k, t) in totals { out[k.index, default: Totals()].add(t) }
        return out
    }

    /// `takeTrap` leaves V=1 for M; `cycles`: the hart's cycles before the trap's own.
    func open(_ hart: Hart, at cycles: UInt64, index: Int, sbiExtension: UInt64?) {
        isOpen = true
        key = Key(index: index, sbiExtension: sbiExtension)
        phase = .entry
        phaseCycles = [0, 0, 0, 0]
        openedAt = cycles
        lastCycles = cycles
        idleAtOpen = hart.stats.wfiSkippedCycles
        lastIdle = idleAtOpen
        savedSingleStep = hart.singleStep
        hart.singleStep = true
    }

    /// Charges the cycles since the last sample to the current phase (less any WFI sleep).
    @inline(__always) private func charge(_ hart: Hart) {
        let idle = hart.stats.wfiSkippedCycles
        phaseCycles[phase.rawValue] &+= (hart.cycles &- lastCycles) &- (idle &- lastIdle)
        lastCycles = hart.cycles
        lastIdle = idle
    }

    /// The interpreter is about to run the instruction at `pc` (cycles exact).
    func step(_ hart: Hart, pc: UInt64) {
        charge(hart)
        if resumePoints.contains(pc) {
            phase = .exit
            return
        }
        if pc == dispatch {
            phase = .dispatch
            return
        }
        if pc == declined {
            phase = .entry
            return
        }
        if phase == .handler && handlerReturn == UInt64.max && fastDispatch.contains(pc) {
            phase = .dispatch       // fast_uart declined: fw_fast_mmio's dispatch
            return
        }
        switch phase {
        case .entry:
            if fastDispatch.contains(pc) {
                phase = .dispatch
            } else if fastHandlers.contains(pc) {
                phase = .handler
                handlerReturn = UInt64.max      // ends at a resume point
            }
        case .dispatch:
            if fastHandlers.contains(pc) {
                phase = .handler
                handlerReturn = UInt64.max
            } else if handlers.contains(pc) {
                phase = .handler
                handlerReturn = hart.x[1]
                handlerSP = hart.x[2]
            }
        case .handler:
            if pc == handlerReturn && hart.x[2] == handlerSP { phase = .exit }
        case .exit:
            break
        }
    }

    /// A reset: the exit in progress, if any, is dropped (never counted).
    func abandon(_ hart: Hart) {
        guard isOpen else { return }
        isOpen = false
        hart.singleStep = savedSingleStep
    }

    /// `setPrivilege` has just returned the hart to V=1: the exit is complete.
    func close(_ hart: Hart) {
        charge(hart)
        isOpen = false
        hart.singleStep = savedSingleStep
        let total = (hart.cycles &- openedAt) &- (hart.stats.wfiSkippedCycles &- idleAtOpen)
        if phaseCycles.reduce(0, &+) != total { mismatches &+= 1 }
        var t = totals[key] ?? Totals()
        t.count &+= 1
        t.cycles &+= total
        for i in 0..<4 { t.phases[i] &+= phaseCycles[i] }
        totals[key] = t
    }
}
