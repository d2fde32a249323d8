/// A named range of the board's address space that segments may be loaded into.
public struct MemoryRegion: Sendable, Equatable {
    public var name: String
    public var base: UInt64
    public var size: UInt64

    public init(name: String, base: UInt64, size: UInt64) {
        self.name = name
        self.base = base
        self.size = size
    }

    /// True when `[start, start + length)` lies entirely inside this region.
    /// Written with subtractions only, so a region reaching the top of the
    /// 64-bit address space (where `base + size` would overflow) still works.
    func contains(start: UInt64, length: UInt64) -> Bool {
        guard start >= base else { return false }
        let offset = start - base
        guard offset <= size else { return false }
        return length <= size - offset
    }

    /// "DRAM 0x80000000-0x90000000" (the end is exclusive).
    var summary: String {
        let (end, overflow) = base.addingReportingOverflow(size)
        let endText = overflow ? "0x1" + String(repeating: "0", count: 16) : Hex.format(end)
        return "\(name) \(Hex.format(base))-\(endText)"
    }
}
