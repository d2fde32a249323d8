import FirmwareKit
import Testing

/// Shadow paging's pure part (issue 17 item 2, `ShadowPaging`): the guest walk as a hart
/// does it (Priv. §12.3.2, Sv39), the access rules of a virtual privilege with SUM and MXR,
/// A/D emulation, and the shadow leaf. Guest memory is a dictionary of doublewords.
@Suite struct ShadowPagingTests {
    typealias SP = ShadowPaging

    struct Memory: ShadowPaging.GuestMemory {
        var words: [UInt64: UInt64] = [:]
        var ram: Range<UInt64> = 0x8000_0000..<0x8100_0000
        func load64(_ gpa: UInt64) -> UInt64? { ram.contains(gpa) ? words[gpa, default: 0] : nil }
    }

    static let root: UInt64 = 0x8040_0000, l1: UInt64 = 0x8040_1000, l0: UInt64 = 0x8040_2000
    static func table(_ pa: UInt64) -> UInt64 { ((pa >> 12) << 10) | SP.V }
    static func leaf(_ pa: UInt64, _ flags: UInt64) -> UInt64 { ((pa >> 12) << 10) | flags | SP.V }
    static let satp = (UInt64(8) << 60) | (root >> 12)

    /// va 0x4000_0000 + ...: root[1] → l1, l1[0] → l0, l0[n] = 4 KiB leaves; root[2] a 1 GiB leaf.
    static func memory() -> Memory {
        var m = Memory()
        m.words[root + 1 * 8] = table(l1)
        m.words[l1 + 0 * 8] = table(l0)
        m.words[l0 + 0 * 8] = leaf(0x8060_0000, SP.R | SP.W | SP.A | SP.D)              // kernel data
        m.words[l0 + 1 * 8] = leaf(0x8060_1000, SP.R | SP.X | SP.A)                     // kernel code
        m.words[l0 + 2 * 8] = leaf(0x8060_2000, SP.R | SP.W | SP.U)                     // user data, A/D clear
        m.words[l0 + 3 * 8] = leaf(0x8060_3000, SP.X | SP.U | SP.A)                     // user execute-only
        m.words[l0 + 4 * 8] = leaf(0x8060_4000, SP.W | SP.A)                            // W without R: reserved
        m.words[l0 + 5 * 8] = leaf(0x8060_5000, SP.R | SP.A | (1 << 54))                // a reserved bit
        m.words[l1 + 1 * 8] = leaf(0x8020_1000, SP.R | SP.A)                            // misaligned 2 MiB leaf
        m.words[l1 + 2 * 8] = table(0x9000_0000)                                        // a table outside RAM
        m.words[l1 + 3 * 8] = table(l0) | SP.A                                          // non-leaf with A: reserved
        m.words[root + 2 * 8] = leaf(0x8000_0000, SP.R | SP.W | SP.X | SP.A | SP.D)     // 1 GiB identity
        return m
    }

    @Test func walksTheGuestTablesAsAHartDoes() {
        let m = Self.memory()
        #expect(SP.walk(0x4000_0123, satp: Self.satp, memory: m)
                == .leaf(gpa: 0x8060_0123, pte: Self.leaf(0x8060_0000, SP.R | SP.W | SP.A | SP.D), pteAddress: Self.l0, level: 0))
        #expect(SP.walk(0x8012_3456, satp: Self.satp, memory: m)
                == .leaf(gpa: 0x8012_3456, pte: Self.leaf(0x8000_0000, SP.R | SP.W | SP.X | SP.A | SP.D), pteAddress: Self.root + 16, level: 2))
        #expect(SP.walk(0x4000_6000, satp: Self.satp, memory: m) == .pageFault, "invalid leaf")
        #expect(SP.walk(0x4000_4000, satp: Self.satp, memory: m) == .pageFault, "W without R")
        #expect(SP.walk(0x4000_5000, satp: Self.satp, memory: m) == .pageFault, "reserved bit 54")
        #expect(SP.walk(0x4020_0000, satp: Self.satp, memory: m) == .pageFault, "misaligned superpage")
        #expect(SP.walk(0x4040_0000, satp: Self.satp, memory: m) == .accessFault, "the next table is outside RAM")
        #expect(SP.walk(0x4060_0000, satp: Self.satp, memory: m) == .pageFault, "A in a non-leaf PTE")
        #expect(SP.walk(0x0000_0040_0000_0000, satp: Self.satp, memory: m) == .pageFault, "not Sv39-canonical")
        #expect(SP.walk(0xFFFF_FFC0_0000_0000, satp: Self.satp, memory: m) == .pageFault, "canonical but unmapped")
    }

    @Test func permissionsFollowThePrivilegeSUMAndMXR() {
        let kdata = Self.leaf(0, SP.R | SP.W), kcode = Self.leaf(0, SP.R | SP.X)
        let udata = Self.leaf(0, SP.R | SP.W | SP.U), uexec = Self.leaf(0, SP.X | SP.U)
        // Kernel pages: its S-mode only.
        #expect(SP.permits(kdata, .write, privilege: 1, sum: false, mxr: false))
        #expect(!SP.permits(kdata, .read, privilege: 0, sum: true, mxr: true))
        #expect(SP.permits(kcode, .execute, privilege: 1, sum: false, mxr: false))
        #expect(!SP.permits(kcode, .write, privilege: 1, sum: false, mxr: false))
        // User pages: U-mode; S-mode loads and stores only with SUM, never fetches.
        #expect(SP.permits(udata, .write, privilege: 0, sum: false, mxr: false))
        #expect(!SP.permits(udata, .read, privilege: 1, sum: false, mxr: false))
        #expect(SP.permits(udata, .read, privilege: 1, sum: true, mxr: false))
        #expect(!SP.permits(uexec, .execute, privilege: 1, sum: true, mxr: false))
        // MXR: execute-only pages become readable.
        #expect(!SP.permits(uexec, .read, privilege: 0, sum: false, mxr: false))
        #expect(SP.permits(uexec, .read, privilege: 0, sum: false, mxr: true))
    }

    @Test func shadowLeavesEmulateAccessAndDirtyAndProtectPageTables() {
        let host: UInt64 = 0x9123_4000
        let clean = Self.leaf(0x8060_2000, SP.R | SP.W | SP.U | SP.A)
        // A clean writable page is mapped read-only: the first write faults to the VMM.
        var s = SP.shadowLeaf(guest: clean, hostPage: host, privilege: 0, sum: false, mxr: false, pageTable: false)
        #expect(s == ((host >> 12) << 10) | SP.V | SP.U | SP.A | SP.D | SP.R)
        // After the VMM sets D in the guest's PTE, it is writable.
        let dirty = SP.accessedDirty(clean, .write)
        #expect(dirty & (SP.A | SP.D) == SP.A | SP.D)
        s = SP.shadowLeaf(guest: dirty, hostPage: host, privilege: 0, sum: false, mxr: false, pageTable: false)
        #expect(s & SP.W != 0)
        // A page holding guest page tables stays read-only, so its changes trap.
        s = SP.shadowLeaf(guest: dirty, hostPage: host, privilege: 0, sum: false, mxr: false, pageTable: true)
        #expect(s & SP.W == 0 && s & SP.R != 0)
        // The same user page in the kernel's view: nothing without SUM, R/W with SUM, never X.
        let uall = Self.leaf(0x8060_2000, SP.R | SP.W | SP.X | SP.U | SP.A | SP.D)
        s = SP.shadowLeaf(guest: uall, hostPage: host, privilege: 1, sum: false, mxr: false, pageTable: false)
        #expect(s & (SP.R | SP.W | SP.X) == 0)
        s = SP.shadowLeaf(guest: uall, hostPage: host, privilege: 1, sum: true, mxr: false, pageTable: false)
        #expect(s & (SP.R | SP.W | SP.X) == SP.R | SP.W)
        // A kernel page in the user view: nothing. Every shadow page is a U page.
        let kall = Self.leaf(0x8060_0000, SP.R | SP.W | SP.X | SP.A | SP.D)
        s = SP.shadowLeaf(guest: kall, hostPage: host, privilege: 0, sum: true, mxr: true, pageTable: false)
        #expect(s & (SP.R | SP.W | SP.X) == 0 && s & SP.U != 0)
        s = SP.shadowLeaf(guest: kall, hostPage: host, privilege: 1, sum: false, mxr: false, pageTable: false)
        #expect(s & (SP.R | SP.W | SP.X) == SP.R | SP.W | SP.X && s & SP.U != 0)
        // Execute-only stays execute-only (no W without R).
        let xonly = Self.leaf(0, SP.X | SP.A)
        s = SP.shadowLeaf(guest: xonly, hostPage: host, privilege: 1, sum: false, mxr: false, pageTable: false)
        #expect(s & (SP.R | SP.W | SP.X) == SP.X)
    }
}
