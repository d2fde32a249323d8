import Shim

/// Bump allocator over the firmware's page-table pool [__pt_start, __pt_end) for G-stage
/// tables (arch/GStage.swift). Guest RAM itself comes from FirmwareKit's `PhysicalMemory`.
enum PageTablePool {
    nonisolated(unsafe) static var next: UInt64 = 0

    static func allocate(bytes: UInt64) -> UInt64? {
        if next == 0 { next = pagetables_start() }
        let start = (next &+ bytes &- 1) & ~(bytes &- 1)
        guard start >= next, start &+ bytes <= pagetables_end() else { return nil }
        next = start &+ bytes
        UnsafeMutableRawPointer(bitPattern: UInt(start))!.initializeMemory(as: UInt8.self, repeating: 0, count: Int(bytes))
        return start
    }
}
