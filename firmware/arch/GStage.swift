import Shim

/// G-stage (guest-physical → host-physical) page tables in Sv39x4 format (Priv. §18.5.1,
/// "Guest Physical Address Translation"): a 16 KiB root of 2048 entries indexed by
/// GPA[40:30], then ordinary Sv39 levels. Leaves are 2 MiB megapages where both addresses
/// and the remaining size allow it, 4 KiB pages elsewhere. Every leaf has U set (G-stage
/// accesses are checked as U-mode, §18.5.1) and A/D preset, so the board never has to
/// update them. The tables live in the firmware's page-table pool, which no G-stage table
/// maps and PMP keeps read-only below M.
final class GStage {
    /// Host-physical address of the 16 KiB root table.
    let root: UInt64
    /// The 4 KiB tables below the root, given back with it by `release`.
    private var tables: [UInt64] = []

    init?() {
        guard let r = PageTablePool.allocate(bytes: 16384) else { return nil }
        root = r
    }

    /// Returns every table to the pool (the domain is gone; no hart uses them any more).
    func release() {
        for t in tables { PageTablePool.free(t, bytes: 4096) }
        tables.removeAll()
        PageTablePool.free(root, bytes: 16384)
    }

    static let read: UInt64 = PTE.R
    static let write: UInt64 = PTE.W
    static let execute: UInt64 = PTE.X

    private func entry(_ table: UInt64, _ index: UInt64) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutablePointer<UInt64>(bitPattern: UInt(table &+ index &* 8))!
    }

    /// Maps [gpa, gpa+size) to [hpa, hpa+size) with permissions `perms` (R/W/X bits).
    /// Addresses and size must be 4 KiB aligned. Returns false when table memory runs out
    /// or a range is already mapped.
    func map(gpa: UInt64, hpa: UInt64, size: UInt64, perms: UInt64) -> Bool {
        var g = gpa
        var h = hpa
        var left = size
        while left > 0 {
            let mega: UInt64 = 2 << 20
            let useMega = g & (mega - 1) == 0 && h & (mega - 1) == 0 && left >= mega
            guard mapOne(gpa: g, hpa: h, level: useMega ? 1 : 0, perms: perms) else { return false }
            let step = useMega ? mega : 4096
            g &+= step
            h &+= step
            left -= step
        }
        return true
    }

    /// One leaf at `level` (1 = 2 MiB, 0 = 4 KiB).
    private func mapOne(gpa: UInt64, hpa: UInt64, level: Int, perms: UInt64) -> Bool {
        var table = root
        var l = 2
        while true {
            let index = l == 2 ? (gpa >> 30) & 0x7FF : (gpa >> (12 + 9 * UInt64(l))) & 0x1FF
            let pte = entry(table, index)
            if l == level {
                if pte.pointee & PTE.V != 0 { return false }
                pte.pointee = ((hpa >> 12) << PTE.ppnShift) | perms | PTE.U | PTE.A | PTE.D | PTE.V
                return true
            }
            if pte.pointee & PTE.V == 0 {
                guard let next = PageTablePool.allocate(bytes: 4096) else { return false }
                tables.append(next)
                pte.pointee = ((next >> 12) << PTE.ppnShift) | PTE.V
            } else if pte.pointee & (PTE.R | PTE.W | PTE.X) != 0 {
                return false   // already a leaf
            }
            table = ((pte.pointee & PTE.ppnMask) >> PTE.ppnShift) << 12
            l -= 1
        }
    }

    /// The host-physical address behind `gpa`, or nil when unmapped (a software walk of
    /// the same tables, for checking guest pointers).
    func translate(_ gpa: UInt64) -> UInt64? {
        guard gpa >> 41 == 0 else { return nil }
        var table = root
        var l = 2
        while l >= 0 {
            let index = l == 2 ? (gpa >> 30) & 0x7FF : (gpa >> (12 + 9 * UInt64(l))) & 0x1FF
            let pte = entry(table, index).pointee
            if pte & PTE.V == 0 { return nil }
            let base = ((pte & PTE.ppnMask) >> PTE.ppnShift) << 12
            if pte & (PTE.R | PTE.W | PTE.X) != 0 {
                let offsetBits = UInt64(12 + 9 * l)
                return base | (gpa & ((1 << offsetBits) - 1))
            }
            table = base
            l -= 1
        }
        return nil
    }

    /// hgatp value: Sv39x4, this VMID, the root's PPN (Priv. §18.2.10).
    func hgatp(vmid: UInt64) -> UInt64 {
        (HgatpMode.sv39x4 << 60) | ((vmid & 0x3FFF) << 44) | (root >> 12)
    }
}
