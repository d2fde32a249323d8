import Shim

/// The firmware's page-table pool [__pt_start, __pt_end) for G-stage tables
/// (arch/GStage.swift): 16 KiB roots and 4 KiB tables, naturally aligned and zeroed, handed
/// out from free lists first and then from the untouched top, and given back when a
/// domain is destroyed. Guest RAM itself comes from FirmwareKit's `PhysicalMemory`.
enum PageTablePool {
    nonisolated(unsafe) static var next: UInt64 = 0
    nonisolated(unsafe) static var free4K: [UInt64] = []
    nonisolated(unsafe) static var free16K: [UInt64] = []

    static func allocate(bytes: UInt64) -> UInt64? {
        if next == 0 { next = pagetables_start() }
        var start: UInt64
        if bytes == 4096, let reused = free4K.popLast() {
            start = reused
        } else if bytes == 16384, let reused = free16K.popLast() {
            start = reused
        } else {
            start = (next &+ bytes &- 1) & ~(bytes &- 1)
            guard start >= next, start &+ bytes <= pagetables_end() else { return nil }
            // The alignment gap before a root goes back as 4 KiB tables.
            var gap = next
            while gap < start {
                free4K.append(gap)
                gap &+= 4096
            }
            next = start &+ bytes
        }
        UnsafeMutableRawPointer(bitPattern: UInt(start))!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(bytes))
        return start
    }

    /// Pages free now: never handed out, or given back.
    static func freePages() -> UInt64 {
        let start = next == 0 ? pagetables_start() : next
        return ((pagetables_end() &- start) >> 12) &+ UInt64(free4K.count) &+ UInt64(free16K.count) &* 4
    }

    static func free(_ address: UInt64, bytes: UInt64) {
        if bytes == 16384 { free16K.append(address) } else { free4K.append(address) }
    }
}
