import Testing
@testable import BoardCore
import RISCV

// pmpcfg fields (Priv. §3.7.1).
private let R: UInt64 = 1, W: UInt64 = 2, X: UInt64 = 4, L: UInt64 = 0x80
private let TOR: UInt64 = 1 << 3, NA4: UInt64 = 2 << 3, NAPOT: UInt64 = 3 << 3

/// pmpaddr for a naturally aligned power-of-two region of `size` ≥ 8 bytes at `base`.
private func napot(_ base: UInt64, _ size: UInt64) -> UInt64 { (base >> 2) | (size / 8 - 1) }

extension TestBoard {
    /// Sets PMP entry `i` (0–7) through the CSRs.
    func setPMP(_ i: Int, addr: UInt64, cfg: UInt64) {
        try! hart.csrWrite(CSR.pmpaddr0 + UInt16(i), addr, raw: 0)
        let old = csr(CSR.pmpcfg0)
        let shift = UInt64(8 * i)
        try! hart.csrWrite(CSR.pmpcfg0, (old & ~(0xFF << shift)) | (cfg << shift), raw: 0)
    }
}

/// A board whose first 64 KiB (program and handlers) S and U may execute, through entry 7
/// (lowest priority of the eight); the test adds its own entries.
private func pmpBoard() -> TestBoard {
    let b = TestBoard()
    b.setPMP(7, addr: napot(TestBoard.base, 0x1_0000), cfg: NAPOT | R | X)
    return b
}

/// Runs one access in S-mode and returns the trap cause, or nil if it completed.
private func sAccess(_ b: TestBoard, _ word: UInt32, addr: UInt64) -> UInt64? {
    b.hart.setPrivilege(.supervisor)
    b[a0] = addr
    b[a1] = 0x5A
    b.runProgram([word])
    return b.hart.pc == TestBoard.mHandler ? b.hart.mcause : nil
}

@Suite("PMP (Priv. §3.7)")
struct PMPTests {
    let d = TestBoard.data

    @Test func torRegions() {
        let b = pmpBoard()
        b.setPMP(0, addr: (d + 0x100) >> 2, cfg: 0)                 // entry 0 OFF: only the bottom of entry 1
        b.setPMP(1, addr: (d + 0x200) >> 2, cfg: TOR | R)           // [d+0x100, d+0x200) read-only
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x100) == nil)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x1F8) == nil)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x200) == 5, "just above the range")
        #expect(b.hart.mtval == d + 0x200)
        #expect(sAccess(b, lb(t0, -1, a0), addr: d + 0x100) == 5, "just below the range")
        #expect(sAccess(b, sd(a1, 0, a0), addr: d + 0x180) == 7, "no W")
        #expect(b.hart.mtval == d + 0x180)
        // Entry 0 as TOR starts at address 0.
        let c = pmpBoard()
        c.setPMP(0, addr: (d + 0x1000) >> 2, cfg: TOR | R | W | X)   // also covers the program
        #expect(sAccess(c, sd(a1, 0, a0), addr: d + 0xFF8) == nil)
        #expect(sAccess(c, ld(t0, 0, a0), addr: d + 0x1000) == 5)
        // TOR takes its bottom from pmpaddr[i-1] whatever entry i-1's mode (here NA4).
        let n = pmpBoard()
        n.setPMP(0, addr: (d + 0x100) >> 2, cfg: NA4)               // 4 bytes, no permissions
        n.setPMP(1, addr: (d + 0x200) >> 2, cfg: TOR | R)
        #expect(sAccess(n, lw(t0, 0, a0), addr: d + 0x100) == 5, "entry 0 (NA4) matches first")
        #expect(sAccess(n, lw(t0, 0, a0), addr: d + 0x104) == nil)
        #expect(sAccess(n, lw(t0, 0, a0), addr: d + 0xFC) == 5, "below the TOR bottom")
        // An empty TOR range (pmpaddr[i-1] ≥ pmpaddr[i]) matches nothing.
        let e = pmpBoard()
        e.setPMP(0, addr: (d + 0x200) >> 2, cfg: 0)
        e.setPMP(1, addr: (d + 0x100) >> 2, cfg: TOR | R | W)
        #expect(sAccess(e, ld(t0, 0, a0), addr: d + 0x180) == 5)
    }

    @Test func na4AndNapotRegions() {
        let b = pmpBoard()
        b.setPMP(0, addr: (d + 0x40) >> 2, cfg: NA4 | R | W)           // 4 bytes at d+0x40
        b.setPMP(1, addr: napot(d + 0x1000, 0x1000), cfg: NAPOT | R)  // [d+0x1000, d+0x2000)
        #expect(sAccess(b, lw(t0, 0, a0), addr: d + 0x40) == nil)
        #expect(sAccess(b, sw(a1, 0, a0), addr: d + 0x40) == nil)
        #expect(b.read32(d + 0x40) == 0x5A)
        #expect(sAccess(b, lw(t0, 0, a0), addr: d + 0x44) == 5, "NA4 is 4 bytes")
        #expect(sAccess(b, lw(t0, 0, a0), addr: d + 0x3C) == 5)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x40) == 5, "8-byte access only half inside NA4")
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x1000) == nil)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x1FF8) == nil)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x2000) == 5)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0xFF8) == 5)
        #expect(sAccess(b, sd(a1, 0, a0), addr: d + 0x1800) == 7)
        // NAPOT with every bit set covers the whole address space.
        let c = TestBoard()
        c.setPMP(0, addr: (1 << 54) - 1, cfg: NAPOT | R | W | X)
        #expect(sAccess(c, sd(a1, 0, a0), addr: d) == nil)
        // The smallest NAPOT region is 8 bytes.
        let e = pmpBoard()
        e.setPMP(0, addr: napot(d + 0x80, 8), cfg: NAPOT | R)
        #expect(sAccess(e, ld(t0, 0, a0), addr: d + 0x80) == nil)
        #expect(sAccess(e, lb(t0, 8, a0), addr: d + 0x80) == 5)
    }

    @Test func lowestNumberedMatchWins() {
        // Entry 0 (small, no permissions) shadows entry 1 (large, RW).
        let b = pmpBoard()
        b.setPMP(0, addr: napot(d + 0x100, 0x100), cfg: NAPOT)
        b.setPMP(1, addr: napot(d, 0x1000), cfg: NAPOT | R | W)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x180) == 5)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x80) == nil)
        #expect(sAccess(b, sd(a1, 0, a0), addr: d + 0x200) == nil)
        // The other way round: entry 0 grants, entry 1 denies.
        let c = pmpBoard()
        c.setPMP(0, addr: napot(d + 0x100, 0x100), cfg: NAPOT | R)
        c.setPMP(1, addr: napot(d, 0x1000), cfg: NAPOT)
        #expect(sAccess(c, ld(t0, 0, a0), addr: d + 0x180) == nil)
        #expect(sAccess(c, ld(t0, 0, a0), addr: d + 0x80) == 5)
    }

    @Test func partialMatchFails() {
        // An access that a lower entry matches only in part fails, even though a higher entry
        // would cover all of it.
        let b = pmpBoard()
        b.setPMP(0, addr: (d + 0x40) >> 2, cfg: NA4 | R | W)
        b.setPMP(1, addr: napot(d, 0x1000), cfg: NAPOT | R | W)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x3C) == 5, "8 bytes over NA4's first half")
        #expect(sAccess(b, lw(t0, 0, a0), addr: d + 0x42) == 5, "misaligned word half inside NA4")
        #expect(sAccess(b, sd(a1, 0, a0), addr: d + 0x40) == 7)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x48) == nil)
        // A misaligned load across two entries with different permissions.
        let c = pmpBoard()
        c.setPMP(0, addr: napot(d, 0x100), cfg: NAPOT | R)
        c.setPMP(1, addr: napot(d + 0x100, 0x100), cfg: NAPOT)
        #expect(sAccess(c, ld(t0, 0, a0), addr: d + 0xFC) == 5)
        #expect(sAccess(c, lw(t0, 0, a0), addr: d + 0xFC) == nil)
    }

    @Test func machineModeIsExemptUnlessLocked() {
        let b = TestBoard()
        b.setPMP(0, addr: napot(d, 0x1000), cfg: NAPOT)            // no permissions, not locked
        b[a0] = d; b[a1] = 7
        b.runProgram([sd(a1, 0, a0), ld(t0, 0, a0)])
        #expect(b.hart.pc != TestBoard.mHandler && b[t0] == 7, "M ignores unlocked entries")
        b.setPMP(0, addr: napot(d, 0x1000), cfg: NAPOT | L | R)    // locked, read-only
        b.runProgram([ld(t0, 0, a0)])
        #expect(b.hart.pc != TestBoard.mHandler)
        b.runProgram([sd(a1, 8, a0)])
        #expect(b.hart.pc == TestBoard.mHandler && b.hart.mcause == 7 && b.hart.mtval == d + 8, "locked entry binds M")
        // A locked entry's own permissions apply to M fetches too.
        let c = TestBoard()
        c.setPMP(0, addr: napot(TestBoard.base + 0x2000, 0x1000), cfg: NAPOT | L | R)
        c.load([j(0)], at: TestBoard.base + 0x2000)
        c.runProgram([j(0x2000)])                                     // j base+0x2000
        #expect(c.hart.pc == TestBoard.mHandler && c.hart.mcause == 1 && c.hart.mtval == TestBoard.base + 0x2000)
        // No entry matches: M succeeds, S and U fail.
        let e = pmpBoard()
        e.setPMP(0, addr: napot(d + 0x10000, 0x1000), cfg: NAPOT | R | W)
        e[a0] = d
        e.runProgram([ld(t0, 0, a0)])
        #expect(e.hart.pc != TestBoard.mHandler)
        #expect(sAccess(e, ld(t0, 0, a0), addr: d) == 5)
        e.hart.setPrivilege(.user)
        e.runProgram([ld(t0, 0, a0)])
        #expect(e.hart.mcause == 5 && e.hart.mtval == d && (e.hart.mstatus >> 11) & 3 == 0)
    }

    @Test func noEntriesMeansSAndUCannotRun() {
        // 16 entries are implemented, all OFF: every S/U access fails, the first fetch included.
        for p in [Privilege.supervisor, .user] {
            let b = TestBoard()
            b.enter(p, pmp: false)
            b.runProgram([nop])
            #expect(b.hart.pc == TestBoard.mHandler)
            #expect(b.hart.mcause == 1 && b.hart.mtval == TestBoard.base && b.hart.mepc == TestBoard.base)
        }
    }

    @Test func executeFromAPagePMPGrantsInPart() {
        // Only the first half of the code page is executable for S; instructions there run,
        // the first one in the other half faults with an instruction access fault.
        for stepping in [false, true] {
            let b = TestBoard()
            let page = TestBoard.base + 0x4000
            b.setPMP(0, addr: page >> 2, cfg: 0)
            b.setPMP(1, addr: (page + 0x800) >> 2, cfg: TOR | R | X)
            b.setPMP(7, addr: napot(TestBoard.base, 0x1_0000), cfg: NAPOT | R | W)   // the rest: no X
            b.load([
                addi(a0, a0, 1),         // page+0x7f0
                addi(a0, a0, 1),         // page+0x7f4
                addi(a0, a0, 1),         // page+0x7f8
                addi(a0, a0, 1),         // page+0x7fc
                addi(a0, a0, 1),         // page+0x800: no execute permission
                j(0),
            ], at: page + 0x7F0)
            b.load([j(0x7F0 - 0x10)], at: page + 0x10)   // page+0x10: j page+0x7f0
            b.hart.setPrivilege(.supervisor)
            b.hart.pc = page + 0x10
            b.run(to: [TestBoard.mHandler], stepping: stepping)
            #expect(b[a0] == 4, "stepping \(stepping): the four allowed instructions ran")
            #expect(b.hart.mcause == 1 && b.hart.mtval == page + 0x800 && b.hart.mepc == page + 0x800,
                    "stepping \(stepping): cause \(b.hart.mcause) tval \(hex(b.hart.mtval))")
            // A 32-bit instruction whose second half crosses into the denied half.
            b.load([.h(c_nop()), .w(addi(a0, a0, 1))], at: page + 0x7FC)   // c.nop at 0x7fc; addi at 0x7fe
            b[a0] = 0
            b.hart.setPrivilege(.supervisor)
            b.hart.pc = page + 0x7FC
            b.run(to: [TestBoard.mHandler], stepping: stepping)
            #expect(b[a0] == 0)
            #expect(b.hart.mcause == 1 && b.hart.mepc == page + 0x7FE, "stepping \(stepping)")
            #expect(b.hart.mtval == page + 0x800, "mtval = the portion that faulted (Priv. §3.1.16)")
        }
    }

    @Test func pmpChecksPageTableWalks() {
        let b = TestBoard()
        let pt = PageTables(b)
        pt.map(TestBoard.base, TestBoard.base, PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, level: 2)
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | PTE.A | PTE.D)
        pt.activate()
        // The tables are not readable by S; data and code are.
        b.setPMP(0, addr: napot(PageTables.tablesPA, 0x10_0000), cfg: NAPOT)
        b.setPMP(1, addr: (1 << 54) - 1, cfg: NAPOT | R | W | X)
        // Every access needs a walk: the first fetch faults with an access fault.
        b.hart.setPrivilege(.supervisor)
        b.runProgram([nop])
        #expect(b.hart.mcause == 1 && b.hart.mtval == TestBoard.base, "fetch walk denied")
        // With tables readable but the data page's PTE not writable: A/D already set, so only
        // the final access matters; make the leaf lack A so the walk must write it.
        b.setPMP(0, addr: napot(PageTables.tablesPA, 0x10_0000), cfg: NAPOT | R)
        let leaf = pt.slot(0x4000_0000)
        b.write64(leaf, b.read64(leaf) & ~PTE.A)
        b.hart.setPrivilege(.supervisor)
        b[a0] = 0x4000_0000
        b.runProgram([ld(t0, 0, a0)])
        #expect(b.hart.mcause == 5 && b.hart.mtval == 0x4000_0000, "A update needs PMP write permission on the PTE")
        #expect(b.read64(leaf) & PTE.A == 0)
        b.hart.setPrivilege(.supervisor)
        b.runProgram([sd(t0, 0, a0)])
        #expect(b.hart.mcause == 7 && b.hart.mtval == 0x4000_0000, "store: store access fault")
        b.setPMP(0, addr: napot(PageTables.tablesPA, 0x10_0000), cfg: NAPOT | R | W)
        b.hart.setPrivilege(.supervisor)
        b.runProgram([ld(t0, 0, a0)])
        #expect(b.hart.pc != TestBoard.mHandler)
        #expect(b.read64(leaf) & PTE.A != 0)
    }

    @Test func pmpChangesTakeEffectAtOnce() {
        let b = pmpBoard()
        b.setPMP(0, addr: napot(d, 0x1000), cfg: NAPOT | R)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d) == nil)           // fills the S TLB
        b.setPMP(0, addr: napot(d, 0x1000), cfg: NAPOT)              // revoke R
        #expect(sAccess(b, ld(t0, 0, a0), addr: d) == 5)
        b.setPMP(0, addr: napot(d + 0x1000, 0x1000), cfg: NAPOT | R) // move the region away
        #expect(sAccess(b, ld(t0, 0, a0), addr: d + 0x1000) == nil)
        #expect(sAccess(b, ld(t0, 0, a0), addr: d) == 5)
    }
}
