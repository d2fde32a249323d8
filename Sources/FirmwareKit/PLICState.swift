/// The register file of a PLIC as a guest sees it, with QEMU `virt`'s layout (the
/// RISC-V PLIC specification, and SiFive's FU540 manual, ch. 10): a 32-bit priority per
/// source at 4·source, pending bits at 0x1000, per-context enable bits at
/// 0x2000 + 0x80·context, and per context a threshold at 0x20_0000 + 0x1000·context and
/// claim/complete at +4. Contexts follow QEMU virt: 2·hart is the hart's M-mode context and
/// 2·hart + 1 its S-mode context; a guest's vCPU i takes interrupts on context 2i + 1.
/// Pure state: the firmware forwards device interrupts into it (`raise`), emulates the
/// guest's accesses (`read`/`write`), and drives VSEIP from `deliverable(context:)`.
public struct PLICState {
    public static let sources = 96
    public static let maxPriority: UInt32 = 7
    public let contexts: Int
    public private(set) var priority = [UInt32](repeating: 0, count: PLICState.sources)
    private var pending = [Bool](repeating: false, count: PLICState.sources)
    /// Claimed and not yet completed (a gateway accepts no new request meanwhile).
    private var inService = [Bool](repeating: false, count: PLICState.sources)
    /// Level-triggered lines of emulated devices (`setLevel`): a source whose line is still
    /// high when it is completed is pending again.
    private var level = [Bool](repeating: false, count: PLICState.sources)
    private var enable: [UInt32]      // contexts × 3 words
    private var threshold: [UInt32]

    public init(contexts: Int) {
        self.contexts = max(contexts, 1)
        enable = [UInt32](repeating: 0, count: self.contexts * 3)
        threshold = [UInt32](repeating: 0, count: self.contexts)
    }

    /// What a write asks the caller to do.
    public enum Effect: Equatable {
        case none
        /// The guest completed this source: complete it on the physical PLIC too.
        case completed(UInt32)
    }

    /// A device asserts `source` (ignored while it is in service, as a gateway does).
    public mutating func raise(_ source: Int) {
        guard source > 0, source < PLICState.sources, !inService[source] else { return }
        pending[source] = true
    }

    /// An emulated device's level-triggered line (QEMU's PLIC does the same): high makes
    /// the source pending unless it is in service; low withdraws a request not yet claimed.
    public mutating func setLevel(_ source: Int, _ high: Bool) {
        guard source > 0, source < PLICState.sources else { return }
        level[source] = high
        if !inService[source] { pending[source] = high }
    }

    public func isPending(_ source: Int) -> Bool { source > 0 && source < PLICState.sources && pending[source] }

    private func enabled(_ context: Int, _ source: Int) -> Bool {
        enable[context * 3 + source / 32] >> UInt32(source % 32) & 1 != 0
    }

    /// The source a claim on `context` would return: the highest-priority pending enabled
    /// source above the context's threshold (ties: the lowest id), or 0.
    public func best(context: Int) -> Int {
        guard context >= 0, context < contexts else { return 0 }
        var winner = 0
        var winnerPriority: UInt32 = 0
        for s in 1..<PLICState.sources where pending[s] && enabled(context, s) {
            let p = priority[s]
            if p > threshold[context] && p > winnerPriority {
                winner = s
                winnerPriority = p
            }
        }
        return winner
    }

    /// True when `context` has an interrupt to take (its external-interrupt line).
    public func deliverable(context: Int) -> Bool { best(context: context) != 0 }

    /// A 32-bit register read; a claim read takes the source out of pending.
    public mutating func read(offset: UInt64) -> UInt32 {
        switch offset {
        case 0..<0x1000:
            let s = Int(offset / 4)
            return s < PLICState.sources ? priority[s] : 0
        case 0x1000..<0x1080:
            let w = Int((offset - 0x1000) / 4)
            guard w < 3 else { return 0 }
            var bits: UInt32 = 0
            for b in 0..<32 where pending[w * 32 + b] { bits |= 1 << UInt32(b) }
            return bits
        case 0x2000..<0x20_0000:
            let context = Int((offset - 0x2000) / 0x80), w = Int((offset - 0x2000) % 0x80 / 4)
            guard context < contexts, w < 3 else { return 0 }
            return enable[context * 3 + w]
        case 0x20_0000...:
            let context = Int((offset - 0x20_0000) / 0x1000)
            guard context < contexts else { return 0 }
            switch (offset - 0x20_0000) % 0x1000 {
            case 0: return threshold[context]
            case 4:
                let s = best(context: context)
                if s != 0 {
                    pending[s] = false
                    inService[s] = true
                }
                return UInt32(s)
            default: return 0
            }
        default:
            return 0
        }
    }

    /// A 32-bit register write.
    public mutating func write(offset: UInt64, value: UInt32) -> Effect {
        switch offset {
        case 0..<0x1000:
            let s = Int(offset / 4)
            if s > 0 && s < PLICState.sources { priority[s] = min(value, PLICState.maxPriority) }
        case 0x2000..<0x20_0000:
            let context = Int((offset - 0x2000) / 0x80), w = Int((offset - 0x2000) % 0x80 / 4)
            guard context < contexts, w < 3 else { break }
            enable[context * 3 + w] = w == 0 ? value & ~1 : value     // source 0 does not exist
        case 0x20_0000...:
            let context = Int((offset - 0x20_0000) / 0x1000)
            guard context < contexts else { break }
            switch (offset - 0x20_0000) % 0x1000 {
            case 0: threshold[context] = min(value, PLICState.maxPriority)
            case 4:
                // Completion of a source that is not enabled for the context is ignored
                // (PLIC spec, "Interrupt Completion").
                let s = Int(value)
                if s > 0 && s < PLICState.sources && inService[s] && enabled(context, s) {
                    inService[s] = false
                    if level[s] { pending[s] = true }
                    return .completed(UInt32(s))
                }
            default: break
            }
        default:
            break
        }
        return .none
    }
}
