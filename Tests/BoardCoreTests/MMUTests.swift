import Testing
@testable import BoardCore
import RISCV

/// Page tables built in test memory (Priv. §12.3–12.4). Intermediate tables get V only;
/// leaves get what the test asks for (plus V).
final class PageTables {
    static let tablesPA = TestBoard.base + 0x40_0000
    let b: TestBoard
    let levels: Int
    let root: UInt64
    private var next: UInt64

    init(_ b: TestBoard, levels: Int = 3) {
        self.b = b
        self.levels = levels
        root = PageTables.tablesPA
        next = root
        _ = alloc()
    }

    func alloc() -> UInt64 {
        let p = next
        next += 0x1000
        b.bus.writeMemory(p, [UInt8](repeating: 0, count: 4096))
        return p
    }

    static func vpn(_ va: UInt64, _ level: Int) -> UInt64 { (va >> UInt64(12 + 9 * level)) & 0x1FF }

    /// Physical address of the PTE for `va` at `level` (0 = 4 KiB leaf), creating the tables above.
    func slot(_ va: UInt64, level: Int = 0) -> UInt64 {
        var table = root
        var l = levels - 1
        while l > level {
            let a = table + PageTables.vpn(va, l) * 8
            var pte = b.read64(a)
            if pte & PTE.V == 0 {
                pte = ((alloc() >> 12) << 10) | PTE.V
                b.write64(a, pte)
            }
            table = ((pte & PTE.ppnMask) >> 10) << 12
            l -= 1
        }
        return table + PageTables.vpn(va, level) * 8
    }

    /// Maps `va` to `pa` with a leaf at `level`; `flags` exclude V (added).
    @discardableResult
    func map(_ va: UInt64, _ pa: UInt64, _ flags: UInt64, level: Int = 0) -> UInt64 {
        let a = slot(va, level: level)
        b.write64(a, ((pa >> 12) << 10) | flags | PTE.V)
        return a
    }

    var satp: UInt64 { ((levels == 3 ? SatpMode.sv39 : SatpMode.sv48) << 60) | (root >> 12) }
    func activate() { try! b.hart.csrWrite(CSR.satp, satp, raw: 0) }
}

let RWX = PTE.R | PTE.W | PTE.X
let AD = PTE.A | PTE.D
/// A data page, 2 MiB aligned, and a page for U-mode code.
let dataPA = TestBoard.base + 0x20_0000
let userCodePA = TestBoard.base + 0x30_0000
let userCodeVA: UInt64 = 0x5000_0000

/// A board with `levels`-level tables: DRAM identity-mapped by a 1 GiB leaf (RWX, no U) so the
/// program, handlers and tables are reachable from S; U code at `userCodeVA`; running in `priv`.
private func vmBoard(levels: Int = 3, priv: Privilege = .supervisor) -> (TestBoard, PageTables) {
    let b = TestBoard()
    let pt = PageTables(b, levels: levels)
    pt.map(TestBoard.base, TestBoard.base, RWX | AD, level: 2)
    pt.map(userCodeVA, userCodePA, PTE.R | PTE.X | PTE.U | AD)
    pt.activate()
    b.allowAllPMP()           // S/U (and M with MPRV) need a PMP entry
    b.enter(priv)
    return (b, pt)
}

/// Runs a U-mode program placed at `userCodePA` and executed at `userCodeVA`.
@discardableResult
private func runUser(_ b: TestBoard, _ words: [UInt32]) -> UInt64? {
    b.load(words + [j(0)], at: userCodePA)
    b.hart.pc = userCodeVA
    return b.run(to: [userCodeVA + UInt64(4 * words.count), TestBoard.mHandler, TestBoard.sHandler])
}

private func expectFault(_ b: TestBoard, _ cause: Cause, _ tval: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(b.hart.pc == TestBoard.mHandler, "trapped to M", sourceLocation: sourceLocation)
    #expect(b.hart.mcause == cause.rawValue, "mcause \(b.hart.mcause), want \(cause.rawValue)", sourceLocation: sourceLocation)
    #expect(b.hart.mtval == tval, "mtval \(hex(b.hart.mtval)), want \(hex(tval))", sourceLocation: sourceLocation)
}

private func expectNoFault(_ b: TestBoard, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(b.hart.pc != TestBoard.mHandler && b.hart.pc != TestBoard.sHandler,
            "unexpected trap: cause \(b.hart.mcause) tval \(hex(b.hart.mtval))", sourceLocation: sourceLocation)
}

@Suite("MMU: Sv39 and Sv48 (Priv. §12.3–12.5)")
struct MMUTests {
    @Test func sv39LeavesOfEverySize() {
        let (b, pt) = vmBoard()
        b.write64(dataPA + 0x1008, 0x4444)
        b.write64(dataPA + 0x1_2340, 0x2222)
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | AD)            // 4 KiB
        pt.map(0x4020_0000, dataPA, PTE.R | PTE.W | AD, level: 1)           // 2 MiB
        b[a0] = 0x4000_1008
        b[a1] = 0x4020_0000 + 0x1_2340
        b[a2] = dataPA + 0x2000                                             // through the 1 GiB identity leaf
        b[a3] = 0x7777
        b.runProgram([
            ld(t0, 0, a0),               // ld t0, 0(a0)     4 KiB page
            ld(t1, 0, a1),               // ld t1, 0(a1)     2 MiB page
            sd(a3, 8, a0),               // sd a3, 8(a0)
            sd(a3, 0, a2),               // sd a3, 0(a2)     1 GiB page
        ])
        expectNoFault(b)
        #expect(b[t0] == 0x4444)
        #expect(b[t1] == 0x2222)
        #expect(b.read64(dataPA + 0x1010) == 0x7777)
        #expect(b.read64(dataPA + 0x2000) == 0x7777)
        #expect(b.hart.priv == .supervisor)
    }

    @Test func sv39UpperHalfAddresses() {
        let (b, pt) = vmBoard()
        let va: UInt64 = 0xFFFF_FFC0_0000_3000      // VPN[2] = 0x100, canonical (bits 63:39 = 1)
        pt.map(va, dataPA + 0x3000, PTE.R | AD)
        b.write64(dataPA + 0x3010, 0xABCD)
        b[a0] = va
        b.runProgram([ld(t0, 0x10, a0)])  // ld t0, 16(a0)
        expectNoFault(b)
        #expect(b[t0] == 0xABCD)
    }

    @Test func sv48FourLevelsAndTerapage() {
        let (b, pt) = vmBoard(levels: 4)
        let high: UInt64 = 0x0000_1234_5678_9000      // needs VPN[3] = 0x24
        pt.map(high, dataPA + 0x5000, PTE.R | PTE.W | AD)
        pt.map(0x0000_0100_0000_0000, 0, PTE.R | AD, level: 3)   // 512 GiB leaf at VA 1 TiB → PA 0
        b.write64(dataPA + 0x5000, 0x48)
        b.write64(dataPA + 0x6000, 0x512)
        b[a0] = high
        b[a1] = 0x0000_0100_0000_0000 + dataPA + 0x6000
        b[a2] = 0xFFFF_8000_0000_0000 | 0x1000       // canonical upper half, unmapped
        b.runProgram([
            ld(t0, 0, a0),               // ld t0, 0(a0)
            ld(t1, 0, a1),               // ld t1, 0(a1)
            ld(t2, 0, a2),               // ld t2, 0(a2): page fault (unmapped), not a canonical fault
        ])
        #expect(b[t0] == 0x48)
        #expect(b[t1] == 0x512)
        expectFault(b, .loadPageFault, 0xFFFF_8000_0000_1000)
        #expect(b.hart.stats.pageWalkReads > 0)
    }

    @Test func pageFaultsWithTval() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_0000, dataPA, PTE.R | AD)                   // read-only
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | AD)  // not executable
        b[a0] = 0x4000_2008                                        // unmapped
        b.runProgram([nop, ld(t0, 0, a0)])    // ld t0, 0(a0)
        expectFault(b, .loadPageFault, 0x4000_2008)
        #expect(b.hart.mepc == TestBoard.base + 4)

        b.enter(.supervisor)
        b[a0] = 0x4000_0010
        b.runProgram([sw(a0, 4, a0)])         // sw a0, 4(a0): read-only page
        expectFault(b, .storePageFault, 0x4000_0014)

        b.enter(.supervisor)
        b[a0] = 0x4000_0000
        b.runProgram([amo(.add, wide: true, t0, a0, a0)])   // amoadd.d on a read-only page: store fault
        expectFault(b, .storePageFault, 0x4000_0000)

        b.enter(.supervisor)
        b[a0] = 0x4000_1000
        b.runProgram([jalr(zero, a0)])        // jalr x0, 0(a0): not executable
        expectFault(b, .instructionPageFault, 0x4000_1000)
        #expect(b.hart.mepc == 0x4000_1000)

        b.enter(.supervisor)
        b[a0] = 0x4000_7000
        b.runProgram([jalr(zero, a0, 4)])     // jalr x0, 4(a0): unmapped
        expectFault(b, .instructionPageFault, 0x4000_7004)

        // Delegated to S: scause/stval.
        b.enter(.supervisor)
        b.hart.medeleg = 1 << 13
        b[a0] = 0x4000_2000
        b.runProgram([lb(t0, 3, a0)])         // lb t0, 3(a0)
        #expect(b.hart.pc == TestBoard.sHandler && b.hart.scause == 13 && b.hart.stval == 0x4000_2003)
    }

    @Test func misalignedAccessAcrossPagesFaultsOnTheSecondPage() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | AD)
        b[a0] = 0x4000_0FFC
        b[a1] = 0x1122_3344_5566_7788
        b.write64(dataPA + 0xFF8, 0x0102_0304_0506_0708)
        b.runProgram([ld(t0, 0, a0)])         // ld t0, 0(a0): 4 bytes mapped, 4 on an unmapped page
        #expect(b.hart.mcause == Cause.loadPageFault.rawValue)
        #expect(b.hart.mtval == 0x4000_1000, "mtval = the portion of the access that faulted (Priv. §3.1.16)")
        b.enter(.supervisor)
        b.runProgram([sd(a1, 0, a0)])         // sd a1, 0(a0)
        #expect(b.hart.mcause == Cause.storePageFault.rawValue)
        // The spec allows part of a misaligned store to become visible; this board checks every
        // byte's translation first (Hart+MMU storeSlow), so nothing is written.
        #expect(b.read64(dataPA + 0xFF8) == 0x0102_0304_0506_0708, "no part of the faulting store is visible")
    }

    @Test func userAndSupervisorRules() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | AD)                       // S-only
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | PTE.U | AD)      // U page
        pt.map(0x4000_2000, dataPA + 0x2000, PTE.X | AD)                      // execute-only
        pt.map(0x4000_3000, userCodePA, PTE.R | PTE.X | PTE.U | AD)           // U code, executable
        b.write64(dataPA + 0x1000, 0x55)
        b.write64(dataPA + 0x2000, 0x66)

        // U on a non-U page.
        b.enter(.user)
        b[a0] = 0x4000_0000
        runUser(b, [ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_0000)
        // U on its own page.
        b.enter(.user)
        b[a0] = 0x4000_1000
        runUser(b, [ld(t0, 0, a0)])
        expectNoFault(b)
        #expect(b[t0] == 0x55)
        // S on a U page: only with SUM.
        b.enter(.supervisor)
        b.runProgram([ld(t1, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_1000)
        b.enter(.supervisor)
        b.hart.mstatus |= Mstatus.SUM
        b.hart.flushTLB()
        b.runProgram([ld(t1, 0, a0), sd(t1, 8, a0)])
        expectNoFault(b)
        #expect(b[t1] == 0x55 && b.read64(dataPA + 0x1008) == 0x55)
        // S never executes a U page, SUM or not.
        b.enter(.supervisor)
        b[a1] = 0x4000_3000
        b.runProgram([jalr(zero, a1)])
        expectFault(b, .instructionPageFault, 0x4000_3000)
        // MXR: loads from execute-only pages.
        b.enter(.supervisor)
        b.hart.mstatus &= ~Mstatus.MXR
        b[a2] = 0x4000_2000
        b.runProgram([ld(t2, 0, a2)])
        expectFault(b, .loadPageFault, 0x4000_2000)
        b.enter(.supervisor)
        try! b.hart.csrWrite(CSR.sstatus, b.csr(CSR.sstatus) | Mstatus.MXR, raw: 0)
        b.runProgram([ld(t2, 0, a2)])
        expectNoFault(b)
        #expect(b[t2] == 0x66)
        // MXR does not make the page writable.
        b.enter(.supervisor)
        b.runProgram([sd(t2, 0, a2)])
        expectFault(b, .storePageFault, 0x4000_2000)
    }

    @Test func hardwareSetsAccessedAndDirty() {
        let (b, pt) = vmBoard()
        let pte = pt.map(0x4000_0000, dataPA, PTE.R | PTE.W)              // A = D = 0
        let xpte = pt.map(0x4000_1000, userCodePA, PTE.X)                   // execute-only, A = 0
        b.load([j(0)], at: userCodePA)
        b[a0] = 0x4000_0000
        b.runProgram([ld(t0, 0, a0)])
        expectNoFault(b)
        #expect(b.read64(pte) & PTE.A != 0, "A set by a load")
        #expect(b.read64(pte) & PTE.D == 0, "D not set by a load")
        b.runProgram([sd(t0, 0, a0)])
        #expect(b.read64(pte) & AD == AD, "D set by a store")
        // Fetch sets A.
        b.hart.pc = 0x4000_1000
        b.hart.run(until: b.hart.cycles + 10)         // spins on `j .` at 0x4000_1000
        expectNoFault(b)
        #expect(b.read64(xpte) & PTE.A != 0, "A set by a fetch")
        // A store to a page whose PTE has A but not D sets D (the TLB entry of a load is not enough).
        let pte2 = pt.map(0x4000_2000, dataPA + 0x2000, PTE.R | PTE.W | PTE.A)
        b[a1] = 0x4000_2000
        b.runProgram([ld(t0, 0, a1), sd(t0, 0, a1)])
        #expect(b.read64(pte2) & PTE.D != 0)
    }

    @Test func nonCanonicalAddressesFault() {
        let (b, _) = vmBoard()
        let bad: UInt64 = 0x0000_0040_0000_0000       // bit 38 set, 63:39 clear: not Sv39-canonical
        b[a0] = bad
        b.runProgram([ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, bad)
        b.enter(.supervisor)
        b.runProgram([sd(t0, 0, a0)])
        expectFault(b, .storePageFault, bad)
        b.enter(.supervisor)
        b.runProgram([jalr(zero, a0)])
        expectFault(b, .instructionPageFault, bad)
        b.enter(.supervisor)
        b[a0] = 0x8000_0000_8000_0000                  // bit 63 set, bit 38 clear
        b.runProgram([ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, 0x8000_0000_8000_0000)

        let (c, _) = vmBoard(levels: 4)
        c[a0] = 0x0000_8000_0000_0000                  // bit 47 set: not Sv48-canonical
        c.runProgram([ld(t0, 0, a0)])
        expectFault(c, .loadPageFault, 0x0000_8000_0000_0000)
    }

    @Test func malformedPageTableEntries() {
        let cases: [(String, (PageTables) -> Void)] = [
            ("misaligned 2 MiB superpage", { $0.map(0x4000_0000, dataPA + 0x1000, PTE.R | AD, level: 1) }),
            ("misaligned 1 GiB superpage", { $0.map(0x4000_0000, TestBoard.base + 0x20_0000, PTE.R | AD, level: 2) }),
            ("W without R", { $0.map(0x4000_0000, dataPA, PTE.W | AD) }),
            ("W|X without R", { $0.map(0x4000_0000, dataPA, PTE.W | PTE.X | AD) }),
            ("V = 0 with permissions", { pt in
                pt.b.write64(pt.slot(0x4000_0000), ((dataPA >> 12) << 10) | PTE.R | PTE.W | AD) }),
            ("pointer at level 0", { pt in pt.b.write64(pt.slot(0x4000_0000), ((dataPA >> 12) << 10) | PTE.V) }),
            ("PBMT bits without Svpbmt", { $0.map(0x4000_0000, dataPA, PTE.R | AD | (1 << 61)) }),
            ("N bit without Svnapot", { $0.map(0x4000_0000, dataPA, PTE.R | AD | (1 << 63)) }),
            ("reserved bit 54", { $0.map(0x4000_0000, dataPA, PTE.R | AD | (1 << 54)) }),
            ("non-leaf with D", { pt in pt.map(0x4000_0000, dataPA, PTE.R | AD)
                let l1 = pt.slot(0x4000_0000, level: 1); pt.b.write64(l1, pt.b.read64(l1) | PTE.D) }),
            ("non-leaf with A", { pt in pt.map(0x4000_0000, dataPA, PTE.R | AD)
                let l1 = pt.slot(0x4000_0000, level: 1); pt.b.write64(l1, pt.b.read64(l1) | PTE.A) }),
            ("non-leaf with U", { pt in pt.map(0x4000_0000, dataPA, PTE.R | AD)
                let l2 = pt.slot(0x4000_0000, level: 2); pt.b.write64(l2, pt.b.read64(l2) | PTE.U) }),
        ]
        for (what, build) in cases {
            let (b, pt) = vmBoard()
            build(pt)
            b[a0] = 0x4000_0010
            b.runProgram([ld(t0, 0, a0)])
            #expect(b.hart.mcause == Cause.loadPageFault.rawValue && b.hart.mtval == 0x4000_0010, "\(what)")
        }
        // Control: the well-formed versions work (RSW bits 9:8 and G are free for software).
        for level in [0, 1] {
            let (b, pt) = vmBoard()
            pt.map(0x4000_0000, dataPA, PTE.R | AD | (3 << 8) | PTE.G, level: level)
            b.write64(dataPA + 0x10, 99)
            b[a0] = 0x4000_0010
            b.runProgram([ld(t0, 0, a0)])
            expectNoFault(b)
            #expect(b[t0] == 99)
        }
    }

    @Test func sfenceVmaAndSatpWritesMakeChangesVisible() {
        let (b, pt) = vmBoard()
        let slot = pt.map(0x4000_0000, dataPA, PTE.R | AD)
        b.write64(dataPA, 1)
        b.write64(dataPA + 0x1000, 2)
        b[a0] = 0x4000_0000
        b.runProgram([ld(t0, 0, a0)])
        #expect(b[t0] == 1)
        b.write64(slot, (((dataPA + 0x1000) >> 12) << 10) | PTE.R | AD | PTE.V)   // remap behind the hart's back
        b.runProgram([sfenceVma(), ld(t1, 0, a0)])     // sfence.vma; ld t1, 0(a0)
        #expect(b[t1] == 2, "SFENCE.VMA makes the new PTE visible")
        b.runProgram([sfenceVma(a0, zero), ld(t1, 0, a0)])
        #expect(b[t1] == 2)
        // Unmapping takes effect after SFENCE.VMA with the address.
        b.write64(slot, 0)
        b.runProgram([sfenceVma(a0, zero), ld(t2, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_0000)
        // satp writes (switching tables) use the new tables at once.
        b.enter(.supervisor)
        b.write64(slot, ((dataPA >> 12) << 10) | PTE.R | AD | PTE.V)
        b.runProgram([sfenceVma(), ld(t0, 0, a0)])
        #expect(b[t0] == 1)
        let other = PageTables.tablesPA + 0x10_0000   // a second root: only the identity map
        b.bus.writeMemory(other, [UInt8](repeating: 0, count: 4096))
        b.write64(other + PageTables.vpn(TestBoard.base, 2) * 8, ((TestBoard.base >> 12) << 10) | RWX | AD | PTE.V)
        b[a1] = (SatpMode.sv39 << 60) | (other >> 12)
        b.runProgram([csrw(CSR.satp, a1), ld(t0, 0, a0)])   // csrw satp, a1; ld t0, 0(a0)
        expectFault(b, .loadPageFault, 0x4000_0000)
    }

    @Test func mprvTranslatesMachineModeLoadsAndStores() {
        let (b, pt) = vmBoard(priv: .machine)
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | AD)
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | PTE.U | AD)
        b.write64(dataPA + 8, 0x5151)
        b[a0] = 0x4000_0000
        b[a1] = 1 << 11                                   // MPP = S
        b[a2] = Mstatus.MPRV
        b[a3] = 0xEE
        b.runProgram([
            csrs(CSR.mstatus, a1),       // csrs mstatus, a1 (MPP = S)
            csrs(CSR.mstatus, a2),       // csrs mstatus, a2 (MPRV = 1)
            ld(t0, 8, a0),               // ld t0, 8(a0): translated as S
            sd(a3, 16, a0),              // sd a3, 16(a0)
            csrc(CSR.mstatus, a2),       // csrc mstatus, a2 (MPRV = 0)
        ])
        expectNoFault(b)
        #expect(b[t0] == 0x5151)
        #expect(b.read64(dataPA + 16) == 0xEE)
        #expect(b.hart.priv == .machine)
        // MPRV with MPP = S obeys SUM; MPP = U needs U pages; MPP = M is untranslated.
        b[a0] = 0x4000_1000
        b.runProgram([csrs(CSR.mstatus, a2), ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_1000)
        #expect(b.hart.mstatus & Mstatus.MPRV != 0, "a trap into M keeps MPRV")
        b.hart.mstatus &= ~(Mstatus.MPRV | Mstatus.MPP)
        b.hart.updateDataTLBSelection()
        b.runProgram([csrs(CSR.mstatus, a2), ld(t0, 0, a0), csrc(CSR.mstatus, a2)])   // MPP = U
        expectNoFault(b)
        b[a0] = 0x4000_0000
        b.runProgram([csrs(CSR.mstatus, a2), ld(t0, 0, a0)])                          // U on an S page
        expectFault(b, .loadPageFault, 0x4000_0000)
        b.hart.mstatus = (b.hart.mstatus & ~Mstatus.MPRV) | Mstatus.MPP
        b.hart.updateDataTLBSelection()
        b[a0] = dataPA + 8
        b.runProgram([csrs(CSR.mstatus, a2), ld(t0, 0, a0), csrc(CSR.mstatus, a2)])   // MPP = M: physical
        expectNoFault(b)
        #expect(b[t0] == 0x5151)
        // MPRV never affects fetches: the program above ran from physical addresses in M.
    }

    @Test func translationsDoNotLeakAcrossPrivileges() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | AD)                  // S-only data
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | PTE.U | AD) // U data
        // S fills its TLB with the S-only page, then U tries the same address.
        b[a0] = 0x4000_0000
        b.runProgram([ld(t0, 0, a0)])
        expectNoFault(b)
        b.hart.setPrivilege(.user)                        // no fence, no satp write
        runUser(b, [ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_0000)
        // U fills its TLB with a U page, then S (SUM = 0) tries it.
        b.enter(.user)
        b[a0] = 0x4000_1000
        runUser(b, [ld(t0, 0, a0)])
        expectNoFault(b)
        b.hart.setPrivilege(.supervisor)
        b.runProgram([ld(t0, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_1000)
        // Fetch: S runs code at a VA mapped without U, then U jumps there.
        let (c, cpt) = vmBoard()
        cpt.map(0x4000_2000, userCodePA + 0x1000, PTE.R | PTE.X | AD)
        c.load([j(0)], at: userCodePA + 0x1000)
        c.hart.pc = 0x4000_2000
        c.hart.run(until: c.hart.cycles + 20)         // spins on `j .` at 0x4000_2000
        expectNoFault(c)
        c.hart.setPrivilege(.user)
        c.hart.pc = 0x4000_2000
        c.hart.run(until: c.hart.cycles + 20)
        expectFault(c, .instructionPageFault, 0x4000_2000)
    }

    @Test func straddlingInstructionWhoseSecondPageIsUnmapped() {
        let (b, pt) = vmBoard()
        let va: UInt64 = 0x4000_0000
        pt.map(va, userCodePA, PTE.R | PTE.X | AD)             // 0x4000_1000 stays unmapped
        b.load([.h(c_addi(a0, 1)), .w(addi(a0, a0, 1))], at: userCodePA + 0xFFC)   // c.addi at 0xffc; addi at 0xffe
        b.hart.pc = va + 0xFFC
        b.run(to: [TestBoard.mHandler])
        #expect(b[a0] == 1, "the c.addi before it ran")
        #expect(b.hart.mcause == Cause.instructionPageFault.rawValue)
        #expect(b.hart.mepc == va + 0xFFE, "mepc = start of the instruction")
        #expect(b.hart.mtval == va + 0x1000, "mtval = the portion that faulted (Priv. §3.1.16)")
        // Mapped: it runs, and the next instruction follows on the second page. (Stepping:
        // block mode livelocks here, see `straddlingInstructionMakesProgressInBlockMode`.)
        pt.map(va + 0x1000, userCodePA + 0x1000, PTE.R | PTE.X | AD)
        b.load([.h(0x0001), .w(j(0))], at: userCodePA + 0x1002)     // c.nop at 0x1002, j . at 0x1004
        b.enter(.supervisor)
        b[a0] = 0
        b.hart.pc = va + 0xFFC
        #expect(b.run(to: [va + 0x1004, TestBoard.mHandler], stepping: true) == va + 0x1004)
        #expect(b[a0] == 2)
    }

    /// Hart+Execute.swift, `case .straddle` (≈ line 571): the two checked half-fetches of a
    /// page-straddling instruction are charged (under Sv39: 2 × (2 + 3 × 4) = 28 cycles of
    /// walks), and only then is the budget tested: when the run had fewer cycles left than that,
    /// the loop leaves with the pc still on the straddling instruction, which never executes.
    /// Every `run(until: cycles + k)` with k ≤ 28 burns 28 cycles and retires nothing, so e.g.
    /// `Machine.run(maxInstructions:)` (which passes `cycles + (max − instret)`) spins forever
    /// when the last instruction before the limit straddles a page under translation. In bare
    /// mode the fetches cost nothing and it works; stepping mode takes another path and works.
    @Test
    func straddlingInstructionMakesProgressInBlockMode() {
        let (b, pt) = vmBoard()
        let va: UInt64 = 0x4000_0000
        pt.map(va, userCodePA, PTE.R | PTE.X | AD)
        pt.map(va + 0x1000, userCodePA + 0x1000, PTE.R | PTE.X | AD)
        b.load([.w(addi(a0, a0, 1)), .h(0x0001), .w(j(0))], at: userCodePA + 0xFFE)  // addi at 0xffe straddles
        b.hart.pc = va + 0xFFE
        let c0 = b.hart.cycles
        for _ in 0..<5 where b.hart.pc == va + 0xFFE { b.hart.run(until: b.hart.cycles + 1) }
        #expect(b.hart.pc == va + 0x1002, "pc \(hex(b.hart.pc)) after \(b.hart.cycles - c0) cycles")
        #expect(b[a0] == 1)
        #expect(b.hart.instret == 1)
    }

    @Test func mprvAppliesToAtomics() {
        let (b, pt) = vmBoard(priv: .machine)
        pt.map(0x4000_0000, dataPA, PTE.R | PTE.W | AD)
        b.write64(dataPA, 40)
        b[a0] = 0x4000_0000
        b[a1] = 2
        b[a2] = Mstatus.MPRV | (1 << 11)
        b.runProgram([
            csrs(CSR.mstatus, a2),       // MPRV = 1, MPP = S
            amo(.add, wide: true, t0, a1, a0),   // amoadd.d t0, a1, (a0): translated
            lrD(t1, a0),                 // lr.d t1, (a0)
            scD(t2, a1, a0),             // sc.d t2, a1, (a0)
            csrc(CSR.mstatus, a2),
        ])
        expectNoFault(b)
        #expect(b[t0] == 40 && b[t1] == 42 && b[t2] == 0)
        #expect(b.read64(dataPA) == 2)
    }

    @Test func sumAndMxrChangesTakeEffectAtOnce() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.W | PTE.U | AD)
        pt.map(0x4000_2000, dataPA + 0x2000, PTE.X | AD)
        b[a0] = 0x4000_1000
        b[a1] = Mstatus.SUM
        b[a2] = 0x4000_2000
        b[a3] = Mstatus.MXR
        b.runProgram([csrs(CSR.sstatus, a1), ld(t0, 0, a0), csrc(CSR.sstatus, a1), ld(t1, 0, a0)])
        expectFault(b, .loadPageFault, 0x4000_1000)
        #expect(b.hart.mepc == TestBoard.base + 12, "the load after clearing SUM faults (no stale TLB entry)")
        b.enter(.supervisor)
        b.runProgram([csrs(CSR.sstatus, a3), ld(t0, 0, a2), csrc(CSR.sstatus, a3), ld(t1, 0, a2)])
        expectFault(b, .loadPageFault, 0x4000_2000)
        #expect(b.hart.mepc == TestBoard.base + 12, "the load after clearing MXR faults")
    }

    @Test func mretToMachineKeepsMPRVAndTheNewMPPApplies() {
        // MRET with MPP = M leaves MPRV set and MPP = U, so M's loads are now translated as U
        // (Priv. §3.1.6.3, §3.3.2).
        let (b, pt) = vmBoard(priv: .machine)
        pt.map(0x4000_1000, dataPA + 0x1000, PTE.R | PTE.U | AD)
        b.write64(dataPA + 0x1000, 0x77)
        b.hart.mstatus |= Mstatus.MPRV | Mstatus.MPP
        b.hart.mepc = TestBoard.base + 4
        b[a0] = 0x4000_1000
        b[a1] = dataPA
        b.runProgram([mret(), ld(t0, 0, a0), ld(t1, 0, a1)])
        #expect(b.hart.mstatus & Mstatus.MPRV != 0)
        #expect(b[t0] == 0x77, "translated as U")
        expectFault(b, .loadPageFault, dataPA)
        #expect(b.hart.mepc == TestBoard.base + 8)
    }

    @Test func devicesThroughPageTables() {
        let (b, pt) = vmBoard()
        pt.map(0x4000_0000, VirtMap.uart0, PTE.R | PTE.W | PTE.X | AD)   // the UART page, even executable
        b[a0] = 0x4000_0000
        b[a1] = 0x5A
        b.runProgram([lbu(t0, 5, a0), sb(a1, 0, a0)])   // lbu t0, 5(a0): LSR; sb a1, 0(a0): THR
        expectNoFault(b)
        #expect(b[t0] & 0x60 == 0x60)
        #expect(b.bus.uart.transcript == [0x5A])
        // Fetching from a device is an access fault, reported with the virtual address.
        b.runProgram([jalr(zero, a0, 8)])
        expectFault(b, .instructionAccessFault, 0x4000_0008)
    }

    @Test func pageTablesOutsideMemoryGiveAccessFaults() {
        let b = TestBoard()
        b.allowAllPMP()
        try! b.hart.csrWrite(CSR.satp, (SatpMode.sv39 << 60) | (0x4000_0000 >> 12), raw: 0)   // root in a hole
        b.enter(.supervisor)
        b.runProgram([nop])
        #expect(b.hart.mcause == Cause.instructionAccessFault.rawValue && b.hart.mtval == TestBoard.base,
                "the walk's PTE read faults: access fault of the original access type")
    }

    @Test func bareModeAndMachineModeIgnoreSatp() {
        // M-mode ignores satp.
        let (b, _) = vmBoard(priv: .machine)
        b.write64(dataPA, 0x31)
        b[a0] = dataPA
        b.runProgram([ld(t0, 0, a0)])
        #expect(b[t0] == 0x31)
        // Bare satp: S sees physical addresses.
        let c = TestBoard()
        c.enter(.supervisor)
        c.write64(dataPA, 0x32)
        c[a0] = dataPA
        c.runProgram([ld(t0, 0, a0)])
        #expect(c[t0] == 0x32)
    }
}

/// gdb's view of memory (`Hart.debugTranslate`) is the MMU's own walk with `debug: true`:
/// the same encoding checks as the hart (so gdb never shows a mapping the hart would fault
/// on), no permission checks, and no side effects.
@Suite("MMU: debug translation for gdb")
struct DebugTranslateTests {
    @Test func followsTheHartsWalkWithoutItsPermissionsOrSideEffects() {
        let (b, pt) = vmBoard()
        // A user page read from S without SUM: the hart would fault, gdb reads it.
        let userLeaf = pt.map(0x6000_0000, dataPA, PTE.R | PTE.U)     // A clear
        #expect(b.hart.debugTranslate(0x6000_0123) == dataPA + 0x123)
        #expect(b.read64(userLeaf) & PTE.A == 0, "no A/D update")
        #expect(b.hart.stats.pageWalkReads == 0, "no walk statistics")
        // The 1 GiB identity leaf.
        #expect(b.hart.debugTranslate(TestBoard.base + 0x1234) == TestBoard.base + 0x1234)
        // Not mapped; not canonical.
        #expect(b.hart.debugTranslate(0x7000_0000) == nil)
        #expect(b.hart.debugTranslate(0x0000_0040_0000_0000) == nil)
        // Reserved bits 60:54 set in a leaf: the hart faults, so gdb finds nothing.
        let reserved = pt.map(0x6000_1000, dataPA, PTE.R | AD)
        b.write64(reserved, b.read64(reserved) | (1 << 54))
        #expect(b.hart.debugTranslate(0x6000_1000) == nil)
        // A misaligned 2 MiB superpage (ppn[0] not zero).
        pt.map(0x6040_0000, dataPA + 0x1000, PTE.R | AD, level: 1)
        #expect(b.hart.debugTranslate(0x6040_0000) == nil)
        // N set: this hart has no Svnapot, so the bit is reserved and the hart faults.
        #expect(!b.hart.extensions.contains(.svnapot))
        let napot = pt.map(0x6080_0000, dataPA + 0x8000, PTE.R | AD)
        b.write64(napot, b.read64(napot) | PTE.N)
        #expect(b.hart.debugTranslate(0x6080_0000) == nil)
        // M-mode sees physical addresses.
        b.enter(.machine)
        #expect(b.hart.debugTranslate(0x6000_0123) == 0x6000_0123)
    }
}

/// gdb's watchpoints ask which data access the instruction at pc will make
/// (`Hart.pendingDataAccess`, from the interpreter's decoder).
@Suite("gdb: the pending data access")
struct PendingDataAccessTests {
    @Test func loadsStoresAtomicsAndCompressedForms() {
        let b = TestBoard()
        let at = TestBoard.base + 0x1000
        b.hart.x[10] = 0x8000_1000    // a0
        b.hart.x[2] = 0x8000_2000     // sp
        b.hart.x[12] = 0x8000_3000    // a2
        func access(_ bytes: [UInt8]) -> (address: UInt64, size: UInt64, reads: Bool, writes: Bool)? {
            b.bus.writeMemory(at, bytes)
            b.hart.pc = at
            return b.hart.pendingDataAccess()
        }
        func word(_ w: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: w >> (8 * $0)) } }
        func half(_ h: UInt16) -> [UInt8] { [UInt8(truncatingIfNeeded: h), UInt8(h >> 8)] }
        var a = access(word(ld(5, -8, 10)))
        #expect(a?.address == 0x8000_0FF8 && a?.size == 8 && a?.reads == true && a?.writes == false)
        a = access(word(sw(5, 12, 12)))
        #expect(a?.address == 0x8000_300C && a?.size == 4 && a?.reads == false && a?.writes == true)
        a = access(word(amo(.add, wide: false, 5, 6, 10)))
        #expect(a?.address == 0x8000_1000 && a?.size == 4 && a?.reads == true && a?.writes == true)
        a = access(half(0x415C))      // c.lw a5, 4(a0)
        #expect(a?.address == 0x8000_1004 && a?.size == 4 && a?.reads == true && a?.writes == false)
        a = access(half(0x6542))      // c.ldsp a0, 16(sp)
        #expect(a?.address == 0x8000_2010 && a?.size == 8 && a?.reads == true)
        a = access(half(0xC60C))      // c.sw a1, 8(a2)
        #expect(a?.address == 0x8000_3008 && a?.size == 4 && a?.writes == true && a?.reads == false)
        #expect(access(word(0x0000_0013)) == nil)          // nop: no data access
    }
}
