/// A range of guest-physical addresses whose accesses the firmware emulates (trap and
/// emulate: nothing is mapped there in the G-stage, so each access arrives as a
/// guest-page fault, Priv. §18.6.3). Handlers get the offset inside the region and the
/// access width in bytes; a read returns the value (nil: the access is refused), a write
/// returns false when refused. Plain functions, no captures: the table is data.
struct MMIORegion {
    let base: UInt64
    let size: UInt64
    let read: (Hypervisor, VCPU, UInt64, UInt64) -> UInt64?
    let write: (Hypervisor, VCPU, UInt64, UInt64, UInt64) -> Bool

    func contains(_ gpa: UInt64) -> Bool { gpa >= base && gpa - base < size }
}

/// The emulated devices of one domain: base, size and handler per device.
struct MMIORegistry {
    private(set) var regions: [MMIORegion] = []

    /// Adds a region; false when it overlaps one already there.
    mutating func add(_ region: MMIORegion) -> Bool {
        for r in regions where region.base < r.base &+ r.size && r.base < region.base &+ region.size { return false }
        regions.append(region)
        return true
    }

    /// Puts `region` in place of the one at the same base (a device that grew), or adds it.
    mutating func replace(_ region: MMIORegion) {
        regions.removeAll { $0.base == region.base }
        _ = add(region)
    }

    func find(_ gpa: UInt64) -> MMIORegion? {
        for r in regions where r.contains(gpa) { return r }
        return nil
    }
}
