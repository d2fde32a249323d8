/// Host-physical memory for guests: DRAM minus what is taken (the firmware, the boot
/// modules, the board's DTB), handed out first-fit in 2 MiB aligned blocks so that guest
/// RAM maps with megapages, and given back when a domain is destroyed. Ranges are kept
/// sorted and merged.
public struct PhysicalMemory {
    public private(set) var free: [(start: UInt64, end: UInt64)] = []
    public static let alignment: UInt64 = 2 << 20

    public init(start: UInt64, end: UInt64) {
        if end > start { free = [(start, end)] }
    }

    /// Bytes free in total.
    public var freeBytes: UInt64 { free.reduce(0) { $0 &+ ($1.end &- $1.start) } }

    /// Removes [start, end) from the free ranges.
    public mutating func reserve(start: UInt64, end: UInt64) {
        guard end > start else { return }     // an empty (or wrapped) range takes nothing
        var next: [(start: UInt64, end: UInt64)] = []
        for r in free {
            if end <= r.start || start >= r.end {
                next.append(r)
                continue
            }
            if r.start < start { next.append((r.start, start)) }
            if end < r.end { next.append((end, r.end)) }
        }
        free = next
    }

    /// A 2 MiB aligned block of `size` bytes, or nil.
    public mutating func allocate(size: UInt64) -> UInt64? {
        guard size > 0 else { return nil }
        let align = PhysicalMemory.alignment
        for r in free {
            let (rounded, overflow) = r.start.addingReportingOverflow(align &- 1)
            guard !overflow else { continue }
            let start = rounded & ~(align &- 1)
            if start < r.end && r.end - start >= size {
                reserve(start: start, end: start &+ size)
                return start
            }
        }
        return nil
    }

    /// Takes exactly [start, start+size) when all of it is free (a direct-mapped Dom0's
    /// RAM); false, changing nothing, otherwise.
    public mutating func take(start: UInt64, size: UInt64) -> Bool {
        let (end, overflow) = start.addingReportingOverflow(size)
        guard size > 0, !overflow else { return false }
        guard free.contains(where: { $0.start <= start && end <= $0.end }) else { return false }
        reserve(start: start, end: end)
        return true
    }

    /// Gives [start, start+size) back (a block `allocate` returned). Returns false, changing
    /// nothing, when any part of it is already free.
    @discardableResult
    public mutating func release(start: UInt64, size: UInt64) -> Bool {
        let end = start &+ size
        guard size > 0, end > start else { return false }
        for r in free where start < r.end && end > r.start { return false }
        var index = 0
        while index < free.count && free[index].start < start { index += 1 }
        free.insert((start, end), at: index)
        // Merge with the neighbours.
        if index + 1 < free.count && free[index].end == free[index + 1].start {
            free[index].end = free[index + 1].end
            free.remove(at: index + 1)
        }
        if index > 0 && free[index - 1].end == free[index].start {
            free[index - 1].end = free[index].end
            free.remove(at: index)
        }
        return true
    }
}
