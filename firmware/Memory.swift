/// Host-physical memory for guests: DRAM minus what is taken (the firmware, the boot
/// modules, the board's DTB), handed out first-fit in 2 MiB aligned blocks so that guest
/// RAM maps with megapages.
struct PhysicalMemory {
    private(set) var free: [(start: UInt64, end: UInt64)] = []

    init(start: UInt64, end: UInt64) {
        free = [(start, end)]
    }

    /// Removes [start, end) from the free ranges.
    mutating func reserve(start: UInt64, end: UInt64) {
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
    mutating func allocate(size: UInt64) -> UInt64? {
        let align: UInt64 = 2 << 20
        for r in free {
            let start = (r.start &+ align &- 1) & ~(align &- 1)
            if start >= r.start && start < r.end && r.end - start >= size {
                reserve(start: start, end: start &+ size)
                return start
            }
        }
        return nil
    }
}
