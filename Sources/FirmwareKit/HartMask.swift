/// An SBI hart mask (SBI §3.1 "Hart list parameter"): `mask` is a bit vector of hart ids
/// counted from `base`; base = -1 (all ones) means every hart and ignores `mask`. Here the
/// harts are a domain's vCPUs, numbered 0..<count.
public struct HartMask {
    public let mask: UInt64
    public let base: UInt64

    public init(mask: UInt64, base: UInt64) {
        self.mask = mask
        self.base = base
    }

    public var isAll: Bool { base == UInt64.max }

    /// The ids the mask names among `count` harts, in increasing order, or nil when it names
    /// one that does not exist (SBI_ERR_INVALID_PARAM, and nothing is done).
    public func targets(count: Int) -> [Int]? {
        if isAll { return Array(0..<count) }
        var ids: [Int] = []
        var m = mask
        var bit: UInt64 = 0
        while m != 0 {
            if m & 1 != 0 {
                let (id, overflow) = base.addingReportingOverflow(bit)
                guard !overflow, id < UInt64(count) else { return nil }
                ids.append(Int(id))
            }
            m >>= 1
            bit += 1
        }
        return ids
    }

    /// Calls `body` for each id the mask names among `count` harts, in increasing order,
    /// after checking them all: returns false, calling nothing, when one does not exist.
    /// No allocation (the firmware's hot SBI paths use it).
    @discardableResult
    public func forEachTarget(count: Int, _ body: (Int) -> Void) -> Bool {
        if isAll {
            for id in 0..<count { body(id) }
            return true
        }
        // The highest id named must exist (and base + bit must not wrap).
        if mask != 0 {
            let top = UInt64(63 - mask.leadingZeroBitCount)
            let (last, overflow) = base.addingReportingOverflow(top)
            guard !overflow, last < UInt64(count) else { return false }
        }
        var m = mask
        var bit: UInt64 = 0
        while m != 0 {
            if m & 1 != 0 { body(Int(base &+ bit)) }
            m >>= 1
            bit += 1
        }
        return true
    }

    /// The same set as a bit vector over ids 0..<count (count ≤ 64), or nil as `targets`.
    public func bits(count: Int) -> UInt64? {
        guard let ids = targets(count: count) else { return nil }
        var b: UInt64 = 0
        for id in ids where id < 64 { b |= 1 << UInt64(id) }
        return b
    }
}
