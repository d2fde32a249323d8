/// Platform-level interrupt controller with QEMU virt's layout (SiFive PLIC; RISC-V PLIC
/// Specification v1.0.0): priorities at 4·source, pending bits at 0x1000, enables at
/// 0x2000 + 0x80·context, threshold at 0x20_0000 + 0x1000·context and claim/complete at
/// +4. Context 2h is hart h in M-mode, 2h + 1 hart h in S-mode.
///
/// How a device's line becomes a pending bit depends on `specStrict`
/// (docs/qemu-compatibility.md):
/// - QEMU 7.2 (the default, `hw/intc/sifive_plic.c`): each time a device updates its line
///   (`setLevel`), the source's pending bit becomes the line's level, claimed or not; a claim
///   clears it, and a completion only releases the claim. A line that stays high after its
///   interrupt was claimed is pending again only when the device next updates it.
/// - The spec (`--spec-strict`; RISC-V PLIC Specification v1.0.0, "Interrupt Gateways" and
///   "Interrupt Completion"): a level-triggered gateway forwards a request while the line is
///   high, holds back a claimed source until its completion, and forwards it again then if
///   the line is still high. A completion for a source the context does not enable is ignored.
public final class PLIC {
    public static let sources = 96          // 1…95 usable; 0 means "none"
    static let priorityMask: UInt32 = 7      // 3 priority bits, as QEMU virt
    static let pendingBase: UInt64 = 0x1000
    static let enableBase: UInt64 = 0x2000
    static let enableStride: UInt64 = 0x80
    static let contextBase: UInt64 = 0x20_0000
    static let contextStride: UInt64 = 0x1000

    public let contexts: Int
    var priority = [UInt32](repeating: 0, count: PLIC.sources)
    private(set) var pending = [Bool](repeating: false, count: PLIC.sources)
    /// How many sources are pending: the harts sample both their contexts at every interrupt
    /// check (`Hart.updateInterruptLines`), and with none pending `best` need not scan.
    private var pendingCount = 0
    var claimed = [Bool](repeating: false, count: PLIC.sources)
    var level = [Bool](repeating: false, count: PLIC.sources)
    var enable: [[UInt32]]
    var threshold: [UInt32]

    /// The spec's level-triggered gateways instead of QEMU 7.2's update-driven pending bits.
    public let specStrict: Bool

    public init(harts: Int, specStrict: Bool = false) {
        self.specStrict = specStrict
        contexts = 2 * harts
        enable = Array(repeating: Array(repeating: 0, count: PLIC.sources / 32), count: 2 * harts)
        threshold = Array(repeating: 0, count: 2 * harts)
    }

    /// A device updates its interrupt line. In QEMU's model (the default) this is an event:
    /// the pending bit takes the line's level whether or not the source is claimed (QEMU
    /// 7.2's `sifive_plic_irq_request`). In the spec's, it is the line's level, forwarded
    /// unless the gateway holds the source for an unfinished claim.
    public func setLevel(_ source: Int, _ high: Bool) {
        guard source > 0 && source < PLIC.sources else { return }
        level[source] = high
        if specStrict {
            if high && !claimed[source] { setPending(source, true) }
            if !high { setPending(source, false) }
        } else {
            setPending(source, high)
        }
    }

    private func setPending(_ source: Int, _ v: Bool) {
        if pending[source] != v { pendingCount += v ? 1 : -1 }
        pending[source] = v
    }

    func isEnabled(_ source: Int, context: Int) -> Bool {
        enable[context][source / 32] >> UInt32(source % 32) & 1 == 1
    }

    /// The source a claim would return for `context`: the highest-priority pending, enabled
    /// source above the threshold (lowest number wins ties), or 0.
    func best(context: Int) -> Int {
        var bestSource = 0, bestPriority: UInt32 = 0
        if pendingCount == 0 { return 0 }
        for s in 1..<PLIC.sources where pending[s] && !claimed[s] && priority[s] > threshold[context] && priority[s] > bestPriority
            && isEnabled(s, context: context) {
            bestSource = s
            bestPriority = priority[s]
        }
        return bestSource
    }

    /// The interrupt line of a context (MEIP for even contexts, SEIP for odd ones).
    public func interruptPending(context: Int) -> Bool { context < contexts && best(context: context) != 0 }

    func read(offset: UInt64, size: Int) -> UInt64 {
        guard size == 4 else { return 0 }
        switch offset {
        case 0..<(4 * UInt64(PLIC.sources)):
            return UInt64(priority[Int(offset / 4)])
        case PLIC.pendingBase..<(PLIC.pendingBase + UInt64(PLIC.sources / 8)):
            let word = Int((offset - PLIC.pendingBase) / 4)
            var v: UInt32 = 0
            for b in 0..<32 where pending[word * 32 + b] { v |= 1 << UInt32(b) }
            return UInt64(v)
        case PLIC.enableBase..<(PLIC.enableBase + PLIC.enableStride * UInt64(contexts)):
            let ctx = Int((offset - PLIC.enableBase) / PLIC.enableStride)
            let word = Int(((offset - PLIC.enableBase) % PLIC.enableStride) / 4)
            return word < enable[ctx].count ? UInt64(enable[ctx][word]) : 0
        case PLIC.contextBase..<(PLIC.contextBase + PLIC.contextStride * UInt64(contexts)):
            let ctx = Int((offset - PLIC.contextBase) / PLIC.contextStride)
            switch (offset - PLIC.contextBase) % PLIC.contextStride {
            case 0: return UInt64(threshold[ctx])
            case 4:  // claim
                let s = best(context: ctx)
                if s != 0 {
                    setPending(s, false)
                    claimed[s] = true
                }
                return UInt64(s)
            default: return 0
            }
        default:
            return 0
        }
    }

    func write(offset: UInt64, size: Int, value: UInt64) {
        guard size == 4 else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 4..<(4 * UInt64(PLIC.sources)):
            priority[Int(offset / 4)] = v & PLIC.priorityMask
        case PLIC.enableBase..<(PLIC.enableBase + PLIC.enableStride * UInt64(contexts)):
            let ctx = Int((offset - PLIC.enableBase) / PLIC.enableStride)
            let word = Int(((offset - PLIC.enableBase) % PLIC.enableStride) / 4)
            guard word < enable[ctx].count else { return }
            enable[ctx][word] = word == 0 ? v & ~1 : v  // source 0 does not exist
        case PLIC.contextBase..<(PLIC.contextBase + PLIC.contextStride * UInt64(contexts)):
            let ctx = Int((offset - PLIC.contextBase) / PLIC.contextStride)
            switch (offset - PLIC.contextBase) % PLIC.contextStride {
            case 0: threshold[ctx] = v & PLIC.priorityMask
            case 4:  // complete
                let s = Int(v)
                guard s > 0 && s < PLIC.sources else { return }
                if specStrict {
                    // The gateway accepts the source again and forwards a still-high line.
                    guard claimed[s], isEnabled(s, context: ctx) else { return }
                    claimed[s] = false
                    if level[s] { setPending(s, true) }
                } else {
                    // QEMU: the claim is released, whatever the context enables; the pending
                    // bit waits for the device's next update.
                    claimed[s] = false
                }
            default: break
            }
        default:
            break
        }
    }
}
