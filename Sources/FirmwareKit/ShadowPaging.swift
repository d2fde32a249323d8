/// The classic VMM's memory virtualization (issue 17 item 2; lecture 004's approach 1):
/// the guest's own Sv39 tables map guest-virtual to guest-physical addresses, and the VMM
/// composes them with its guest-physical → host-physical map into *shadow* tables, which
/// the hart walks while the guest runs in real U-mode. This file is the pure part: walking
/// the guest's tables exactly as a hart would (Priv. §12.3.2 "Virtual Address Translation
/// Process", Sv39 §12.4), the access check of a virtual privilege with SUM and MXR, and the
/// shadow leaf for one 4 KiB page. The firmware owns the tables and the faults.
public enum ShadowPaging {
    /// PTE bits (Priv. §12.3.1 "Addressing and Memory Protection").
    public static let V: UInt64 = 1 << 0, R: UInt64 = 1 << 1, W: UInt64 = 1 << 2, X: UInt64 = 1 << 3
    public static let U: UInt64 = 1 << 4, G: UInt64 = 1 << 5, A: UInt64 = 1 << 6, D: UInt64 = 1 << 7
    /// Bits 63:54: N, PBMT and the reserved bits. This VMM offers its guests neither
    /// Svnapot nor Svpbmt, so any of them set is a page fault (§12.4: "reserved for future
    /// standard use ... must be zeroed by software ... or else a page-fault exception").
    public static let highBits: UInt64 = 0x3FF << 54
    public static let ppnMask: UInt64 = ((1 << 44) - 1) << 10

    public enum Access { case read, write, execute }

    /// Guest-physical memory as the walker reads it: a doubleword, or nil when the address
    /// is not guest RAM (the walk then ends in an access fault, §12.3.2 step 2).
    public protocol GuestMemory {
        func load64(_ gpa: UInt64) -> UInt64?
    }

    /// Where a guest-virtual address leads under the guest's tables.
    public enum Walk: Equatable {
        /// A leaf: the guest-physical address of the access, the leaf PTE, the guest-physical
        /// address of that PTE (to set A and D in it), and its level (0: 4 KiB, 1: 2 MiB,
        /// 2: 1 GiB).
        case leaf(gpa: UInt64, pte: UInt64, pteAddress: UInt64, level: Int)
        /// The guest's tables do not map it: a page fault for the guest.
        case pageFault
        /// A PTE read left guest RAM: an access fault for the guest.
        case accessFault
    }

    /// Walks the guest's Sv39 tables rooted at satp's PPN for `va`, checking the tables'
    /// encoding as a hart does (not the permissions: `permits` does that for a view).
    public static func walk<M: GuestMemory>(_ va: UInt64, satp: UInt64, memory: M) -> Walk {
        // Sv39: bits 63:39 must equal bit 38.
        let top = Int64(bitPattern: va) >> 38
        guard top == 0 || top == -1 else { return .pageFault }
        var table = (satp & ((1 << 44) - 1)) << 12
        var level = 2
        while true {
            let pteAddress = table &+ ((va >> (12 + 9 * UInt64(level))) & 0x1FF) * 8
            guard let pte = memory.load64(pteAddress) else { return .accessFault }
            if pte & V == 0 || (pte & R == 0 && pte & W != 0) || pte & highBits != 0 { return .pageFault }
            let ppn = (pte & ppnMask) >> 10
            if pte & (R | X) != 0 {
                // A superpage's low PPN fields must be zero (§12.3.2 step 6).
                guard level == 0 || ppn & ((1 << (9 * UInt64(level))) - 1) == 0 else { return .pageFault }
                let offsetMask: UInt64 = (1 << (12 + 9 * UInt64(level))) - 1
                return .leaf(gpa: ((ppn << 12) & ~offsetMask) | (va & offsetMask), pte: pte, pteAddress: pteAddress, level: level)
            }
            // A non-leaf PTE: D, A and U are reserved (§12.3.2 step 4).
            guard level > 0, pte & (D | A | U) == 0 else { return .pageFault }
            table = ppn << 12
            level -= 1
        }
    }

    /// Whether a leaf `pte` allows `access` from the guest's virtual `privilege` (1 = S,
    /// 0 = U) with its sstatus.SUM and MXR (§12.1.1, §12.3.2 step 5): U pages only from U,
    /// or from S with SUM for loads and stores (never to execute); reads need R, or X with
    /// MXR; writes need W; fetches need X.
    public static func permits(_ pte: UInt64, _ access: Access, privilege: UInt64, sum: Bool, mxr: Bool) -> Bool {
        if pte & U != 0 {
            if privilege == 1 && (access == .execute || !sum) { return false }
        } else if privilege == 0 {
            return false
        }
        switch access {
        case .read: return pte & R != 0 || (mxr && pte & X != 0)
        case .write: return pte & W != 0
        case .execute: return pte & X != 0
        }
    }

    /// The A and D bits the guest's leaf must have after `access` (§12.3.2 step 7: the
    /// hart sets A, and D on a write; the VMM does it for the guest, in its table).
    public static func accessedDirty(_ pte: UInt64, _ access: Access) -> UInt64 {
        pte | A | (access == .write ? D : 0)
    }

    /// The shadow leaf for one 4 KiB page of host-physical address `hostPage`, seen from
    /// the guest's virtual `privilege`. Every shadow page is a U page (the guest runs in
    /// real U-mode). It is readable or executable exactly when the guest's leaf permits
    /// that from this privilege with this SUM and MXR (a change of either drops the
    /// view's shadows). It is writable only when the guest's leaf permits the write *and*
    /// is already dirty, and the page is not one of the guest's page tables (those are
    /// write-protected so that their changes trap): the first write to a clean page faults,
    /// and the VMM sets D before it maps the page writable. A and D are preset in the
    /// shadow, so the hart never writes a shadow PTE.
    public static func shadowLeaf(guest pte: UInt64, hostPage: UInt64, privilege: UInt64, sum: Bool, mxr: Bool,
                                  pageTable: Bool) -> UInt64 {
        var bits = V | U | A | D
        if permits(pte, .read, privilege: privilege, sum: sum, mxr: mxr) { bits |= R }
        if permits(pte, .execute, privilege: privilege, sum: sum, mxr: mxr) { bits |= X }
        if !pageTable && pte & D != 0 && permits(pte, .write, privilege: privilege, sum: sum, mxr: mxr) { bits |= W | R }
        // W without R is reserved (§12.3.1); an execute-only page stays execute-only.
        return ((hostPage >> 12) << 10) | bits
    }
}
