@testable import BoardCore
import RISCV
import Testing

/// The hypervisor extension at the unit level (Priv. H): CSR views and WARL rules, the
/// virtual-instruction/illegal-instruction split, trap routing with V, two-stage
/// translation and the virtual timer. The .S programs in Tests/programs-h check the same
/// from guest code; these pin the hart's internals and the statistics.
@Suite struct HypervisorTests {
    func hart(h: Bool = true, sstc: Bool = true) -> (Bus, Hart) {
        let bus = Bus(memoryBytes: 4 << 20)
        let hart = Hart(id: 0, bus: bus, sstc: sstc, h: h)
        hart.reset(pc: 0x8000_0000)
        return (bus, hart)
    }

    func cause(_ body: () throws -> Void) -> Cause? {
        do { try body(); return nil } catch { return (error as? Trap)?.cause }
    }

    func store64(_ bus: Bus, _ pa: UInt64, _ v: UInt64) {
        bus.memoryPointer(pa, size: 8, write: true)!.storeBytes(of: v, as: UInt64.self)
    }

    @Test func withoutHEveryHCSRAndInstructionIsIllegal() throws {
        let (_, h) = hart(h: false)
        #expect(try h.csrRead(CSR.misa, raw: 0) & MISA.bit("H") == 0)
        for csr in [CSR.hstatus, CSR.hgatp, CSR.vsstatus, CSR.vsatp, CSR.htimedelta, CSR.mtval2, CSR.mtinst, CSR.hgeip] {
            #expect(cause { _ = try h.csrRead(csr, raw: 0) } == .illegalInstruction, "csr \(csr)")
            #expect(cause { try h.csrAccessAllowed(csr, write: false, raw: 0) } == .illegalInstruction || csr == CSR.mtval2 || csr == CSR.mtinst)
        }
        #expect(h.fenceDenied(.hfenceVvma) == .illegalInstruction)
        #expect(h.fenceDenied(.hfenceGvma) == .illegalInstruction)
        let hlvw = decode(0x6805_4573)  // hlv.w a0, (a0)
        #expect(hlvw.op == .hlv)
        #expect(cause { try h.executeHypervisorAccess(hlvw) } == .illegalInstruction)
        // mideleg has no read-only-one VS bits without H.
        try h.csrWrite(CSR.mideleg, 0, raw: 0)
        #expect(try h.csrRead(CSR.mideleg, raw: 0) == 0)
    }

    @Test func machineLevelViewsWithH() throws {
        let (_, h) = hart()
        #expect(try h.csrRead(CSR.misa, raw: 0) & MISA.bit("H") != 0)
        try h.csrWrite(CSR.mideleg, 0, raw: 0)
        #expect(try h.csrRead(CSR.mideleg, raw: 0) == Interrupt.virtualSupervisorMask)  // read-only one
        try h.csrWrite(CSR.medeleg, .max, raw: 0)
        let medeleg = try h.csrRead(CSR.medeleg, raw: 0)
        #expect(medeleg & (1 << 10) != 0 && medeleg & (0xF << 20) == 0xF << 20 && medeleg & (1 << 11) == 0)
        try h.csrWrite(CSR.hedeleg, .max, raw: 0)
        #expect(try h.csrRead(CSR.hedeleg, raw: 0) == 0xB1FF)  // 0–8, 12, 13, 15
        try h.csrWrite(CSR.hideleg, .max, raw: 0)
        #expect(try h.csrRead(CSR.hideleg, raw: 0) == Interrupt.virtualSupervisorMask)
        // hvip drives hip/mip; only VSSIP is writable through hip and mip.
        try h.csrWrite(CSR.hvip, .max, raw: 0)
        #expect(try h.csrRead(CSR.hip, raw: 0) == Interrupt.virtualSupervisorMask)
        #expect(try h.csrRead(CSR.mip, raw: 0) & Interrupt.virtualSupervisorMask == Interrupt.virtualSupervisorMask)
        try h.csrWrite(CSR.hip, 0, raw: 0)
        #expect(try h.csrRead(CSR.hvip, raw: 0) == Interrupt.VSTIP | Interrupt.VSEIP)
        try h.csrWrite(CSR.mip, 0, raw: 0)  // VSTIP/VSEIP read-only in mip
        #expect(try h.csrRead(CSR.hvip, raw: 0) == Interrupt.VSTIP | Interrupt.VSEIP)
        // vsip is hip shifted down by one, through hideleg; sip never shows VS bits.
        #expect(try h.csrRead(CSR.vsip, raw: 0) == (Interrupt.STIP | Interrupt.SEIP))
        #expect(try h.csrRead(CSR.sip, raw: 0) & Interrupt.virtualSupervisorMask == 0)
        try h.csrWrite(CSR.hideleg, Interrupt.VSTIP, raw: 0)
        #expect(try h.csrRead(CSR.vsip, raw: 0) == Interrupt.STIP)
        // hstatus: VSXL reads 2, VGEIN (GEILEN = 0) and VSBE read zero.
        try h.csrWrite(CSR.hstatus, .max, raw: 0)
        let hs = try h.csrRead(CSR.hstatus, raw: 0)
        #expect(hs & Hstatus.VSXL == 2 << 32 && hs & Hstatus.VGEIN == 0 && hs & Hstatus.VSBE == 0)
        #expect(hs & Hstatus.VTSR != 0 && hs & Hstatus.HU != 0)
        // hgatp: an unsupported MODE keeps the current one; PPN[1:0] read zero.
        try h.csrWrite(CSR.hgatp, (HgatpMode.sv48x4 << 60) | 0x80007, raw: 0)
        #expect(try h.csrRead(CSR.hgatp, raw: 0) == (HgatpMode.sv48x4 << 60) | 0x80004)
        try h.csrWrite(CSR.hgatp, (5 << 60) | 0x80000, raw: 0)
        #expect(try h.csrRead(CSR.hgatp, raw: 0) >> 60 == HgatpMode.sv48x4)
    }

    @Test func vsAndVUGetVirtualInstructionWhereHSWouldBeAllowed() throws {
        let (_, h) = hart()
        try h.csrWrite(CSR.mcounteren, .max, raw: 0)
        h.setPrivilege(.supervisor, virtual: true)
        #expect(cause { try h.csrAccessAllowed(CSR.hstatus, write: false, raw: 0) } == .virtualInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.vsstatus, write: true, raw: 0) } == .virtualInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.mstatus, write: false, raw: 0) } == .illegalInstruction)
        #expect(cause { try h.csrAccessAllowed(0x6FF, write: false, raw: 0) } == .illegalInstruction)  // not implemented
        #expect(cause { try h.csrAccessAllowed(CSR.hgeip, write: true, raw: 0) } == .illegalInstruction)  // read-only
        #expect(cause { try h.csrAccessAllowed(CSR.cycle, write: false, raw: 0) } == .virtualInstruction)  // hcounteren.CY = 0
        #expect(h.sretDenied() == nil && h.wfiDenied() == nil && h.fenceDenied(.sfenceVma) == nil)
        #expect(h.fenceDenied(.hfenceGvma) == .virtualInstruction)
        h.setPrivilege(.machine)
        try h.csrWrite(CSR.hstatus, Hstatus.VTSR | Hstatus.VTW | Hstatus.VTVM, raw: 0)
        try h.csrWrite(CSR.hcounteren, 1, raw: 0)
        h.setPrivilege(.supervisor, virtual: true)
        #expect(h.sretDenied() == .virtualInstruction && h.wfiDenied() == .virtualInstruction)
        #expect(h.fenceDenied(.sfenceVma) == .virtualInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.satp, write: false, raw: 0) } == .virtualInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.cycle, write: false, raw: 0) } == nil)
        h.setPrivilege(.user, virtual: true)
        #expect(cause { try h.csrAccessAllowed(CSR.sstatus, write: false, raw: 0) } == .virtualInstruction)
        #expect(cause { try h.csrAccessAllowed(CSR.cycle, write: false, raw: 0) } == .virtualInstruction)  // scounteren = 0
        #expect(h.sretDenied() == .virtualInstruction)
        h.setPrivilege(.machine)
        try h.csrWrite(CSR.mcounteren, 0, raw: 0)
        h.setPrivilege(.user, virtual: true)
        #expect(cause { try h.csrAccessAllowed(CSR.cycle, write: false, raw: 0) } == .illegalInstruction)  // mcounteren wins
    }

    @Test func trapsRouteToVSThenHSThenM() throws {
        let (_, h) = hart()
        try h.csrWrite(CSR.medeleg, 1 << 2, raw: 0)
        try h.csrWrite(CSR.hedeleg, 1 << 2, raw: 0)
        try h.csrWrite(CSR.stvec, 0x8000_1000, raw: 0)
        try h.csrWrite(CSR.vstvec, 0x8000_2000, raw: 0)
        h.setPrivilege(.user, virtual: true)
        h.raise(Trap(.illegalInstruction, 0x1234), epc: 0x8000_0100)
        #expect(h.mode == .vs && h.pc == 0x8000_2000 && h.vscause == 2 && h.vstval == 0x1234 && h.vsepc == 0x8000_0100)
        #expect(h.vsstatus & Mstatus.SPP == 0 && h.scause == 0)
        // Not delegated by hedeleg: HS, with SPV = 1 and SPVP = the VS privilege.
        try h.csrWrite(CSR.hedeleg, 0, raw: 0)
        h.raise(Trap(.illegalInstruction, 0), epc: 0x8000_0200)
        #expect(h.mode == .hs && h.pc == 0x8000_1000 && h.scause == 2)
        #expect(h.hstatus & Hstatus.SPV != 0 && h.hstatus & Hstatus.SPVP != 0 && h.hstatus & Hstatus.GVA == 0)
        // SRET from HS goes back to VS.
        h.sepc = 0x8000_0300
        h.doSret()
        #expect(h.mode == .vs && h.pc == 0x8000_0300 && h.hstatus & Hstatus.SPV == 0)
        // A guest-page fault (not delegable to VS) goes to M with MPV, GVA and mtval2.
        h.faultGPA = 0x1_2345_6000
        h.raise(Trap(.loadGuestPageFault, 0x4000), epc: 0x8000_0400, raw: 0x0005_3503)  // ld a0, 0(a0)
        #expect(h.mode == .m && h.mcause == 21 && h.mtval == 0x4000 && h.mtval2 == 0x1_2345_6000 >> 2)
        #expect(h.mstatus & Mstatus.MPV != 0 && h.mstatus & Mstatus.GVA != 0)
        #expect(h.mtinst == 0x0000_3503)  // transformed: offset 0, rd a0
        h.doMret()
        #expect(h.mode == .vs)
        h.settleStatistics()
        #expect(h.stats.exceptionsFrom[ExecutionMode.vu.rawValue][2] == 1)
        #expect(h.stats.exceptionsFrom[ExecutionMode.vs.rawValue][2] == 1)
        #expect(h.stats.exceptionsFrom[ExecutionMode.vs.rawValue][21] == 1)
    }

    @Test func vsLevelInterruptsAreTakenInVSWithTheSupervisorCode() throws {
        let (_, h) = hart()
        try h.csrWrite(CSR.hideleg, Interrupt.VSSIP, raw: 0)
        try h.csrWrite(CSR.hie, Interrupt.VSSIP, raw: 0)
        try h.csrWrite(CSR.hvip, Interrupt.VSSIP, raw: 0)
        try h.csrWrite(CSR.vstvec, 0x8000_2000, raw: 0)
        h.setPrivilege(.supervisor, virtual: false)  // HS: VS-level interrupts wait for V=1
        #expect(h.pendingInterrupt() == nil)
        h.setPrivilege(.supervisor, virtual: true)  // VS with vsstatus.SIE = 0: masked
        #expect(h.pendingInterrupt() == nil)
        h.setPrivilege(.user, virtual: true)  // VU: enabled
        #expect(h.checkInterrupts())
        #expect(h.mode == .vs && h.vscause == (1 << 63) | 1 && h.pc == 0x8000_2000)
        // Without hideleg it is an HS interrupt with code 2, always enabled while V=1.
        try h.csrWrite(CSR.hideleg, 0, raw: 0)
        try h.csrWrite(CSR.stvec, 0x8000_1000, raw: 0)
        #expect(h.checkInterrupts())
        #expect(h.mode == .hs && h.scause == (1 << 63) | 2)
    }

    @Test func virtualTimeAndVSTimer() throws {
        let (bus, h) = hart()
        try h.csrWrite(CSR.htimedelta, 1000, raw: 0)
        try h.csrWrite(CSR.mcounteren, .max, raw: 0)
        try h.csrWrite(CSR.hcounteren, .max, raw: 0)
        h.setPrivilege(.supervisor, virtual: true)
        #expect(try h.csrRead(CSR.time, raw: 0) == bus.clint.mtime(cycles: h.cycles) + 1000)
        h.setPrivilege(.machine)
        // henvcfg.STCE reads zero until menvcfg.STCE is set.
        try h.csrWrite(CSR.henvcfg, Hart.STCE, raw: 0)
        #expect(try h.csrRead(CSR.henvcfg, raw: 0) & Hart.STCE == 0)
        #expect(h.virtualTimerEventCycle() == nil)
        try h.csrWrite(CSR.menvcfg, Hart.STCE, raw: 0)
        #expect(try h.csrRead(CSR.henvcfg, raw: 0) & Hart.STCE != 0)
        try h.csrWrite(CSR.vstimecmp, 1050, raw: 0)  // time + delta reaches 1050 at mtime 50 = cycle 5000
        #expect(h.virtualTimerEventCycle() == 5000)
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.VSTIP == 0)
        h.sleep(until: 5000)
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.VSTIP != 0)
        // From VS, stimecmp is vstimecmp.
        h.setPrivilege(.supervisor, virtual: true)
        try h.csrWrite(CSR.stimecmp, .max, raw: 0)
        #expect(h.vstimecmp == .max && h.stimecmp == .max)
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.VSTIP == 0)
    }

    /// Sv39 VS-stage over Sv39x4 G-stage: a guest page at GVA 0x1000 → GPA 0x8010_0000 →
    /// SPA 0x8020_0000. Each VS page-table read is itself G-translated, so the walk costs
    /// its nested references; a GPA the G-stage lacks faults with htval = GPA >> 2.
    @Test func twoStageTranslation() throws {
        let (bus, h) = hart()
        try h.csrWrite(CSR.pmpaddr0, .max, raw: 0)  // PMP: everything RWX for S and U
        try h.csrWrite(CSR.pmpcfg0, 0x1F, raw: 0)
        let gRoot: UInt64 = 0x8000_4000  // 16 KiB aligned
        let gL1: UInt64 = 0x8000_8000
        // G-stage: GPA 0x8000_0000 (root index 2) → a level-1 table whose first entry maps the
        // megapage GPA 0x8000_0000–0x801F_FFFF → SPA 0x8020_0000 (U|R|W|X).
        store64(bus, gRoot + 2 * 8, ((gL1 >> 12) << 10) | PTE.V)
        store64(bus, gL1 + 0 * 8, ((0x8020_0000 >> 12) << 10) | PTE.V | PTE.R | PTE.W | PTE.X | PTE.U | PTE.A | PTE.D)
        try h.csrWrite(CSR.hgatp, (HgatpMode.sv39x4 << 60) | (gRoot >> 12), raw: 0)
        // VS-stage (in guest physical space 0x8000_0000+, i.e. host 0x8020_0000+):
        // root at GPA 0x8000_1000, L1 at 0x8000_2000, L0 at 0x8000_3000; GVA 0x1000 → GPA 0x8010_0000.
        let host: (UInt64) -> UInt64 = { $0 - 0x8000_0000 + 0x8020_0000 }
        store64(bus, host(0x8000_1000), ((0x8000_2000 >> 12) << 10) | PTE.V)
        store64(bus, host(0x8000_2000), ((0x8000_3000 >> 12) << 10) | PTE.V)
        store64(bus, host(0x8000_3000) + 8, ((0x8010_0000 >> 12) << 10) | PTE.V | PTE.R | PTE.W | PTE.A | PTE.D)
        try h.csrWrite(CSR.vsatp, (SatpMode.sv39 << 60) | (0x8000_1000 >> 12), raw: 0)
        var cycles: UInt64 = 0
        let reads = h.stats.pageWalkReads
        let pa = try h.translate(0x1234, .read, .supervisor, true, cycles: &cycles)
        #expect(pa == 0x8030_0234)
        #expect(h.stats.pageWalkReads - reads == 3 + 3 * 2 + 2)  // VS reads + their G walks + final G walk
        // Cached now: no walk.
        let before = h.stats.pageWalkReads
        _ = try h.translate(0x1234, .read, .supervisor, true, cycles: &cycles)
        #expect(h.stats.pageWalkReads == before)
        // The G-stage leaf needs U: clear it and fence.
        store64(bus, gL1, ((0x8020_0000 >> 12) << 10) | PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D)
        h.flushTLB(virtual: true)
        #expect(cause { _ = try h.translate(0x1234, .read, .supervisor, true, cycles: &cycles) } == .loadGuestPageFault)
        #expect(h.faultGPA == 0x8000_1000)  // the first VS page-table read faulted
        #expect(h.faultTinst == 0x3000)  // implicit 64-bit read
        h.faultGPA = 0; h.faultTinst = 0
        // A guest physical address beyond Sv39x4's 41 bits is a guest-page fault.
        try h.csrWrite(CSR.vsatp, 0, raw: 0)
        #expect(cause { _ = try h.translate(1 << 41, .write, .user, true, cycles: &cycles) } == .storeGuestPageFault)
        #expect(h.faultGPA == 1 << 41)
    }

    @Test func transformedInstructions() {
        let x = UnsafeMutablePointer<UInt64>.allocate(capacity: 33)
        defer { x.deallocate() }
        x.initialize(repeating: 0, count: 33)
        x[10] = 0x1000
        // lw a1, 8(a0) faulting at 0x100A (a misaligned access's second part): offset 2.
        #expect(Hart.transformedInstruction(0x0085_2583, faultAddress: 0x100A, x: x) == 0x0001_2583)
        // sd a1, 16(a0): rs2 kept, immediate zeroed.
        #expect(Hart.transformedInstruction(0x00B5_3823, faultAddress: 0x1010, x: x) == 0x00B0_3023)
        // c.lw a1, 4(a0) (0x414C): expanded to lw a1, 0(a0)-shape with bit 1 clear.
        #expect(Hart.transformedInstruction(0x414C, faultAddress: 0x1004, x: x) == 0x0000_2581)
        // Not a memory access: zero.
        #expect(Hart.transformedInstruction(0x0010_0073, faultAddress: 0, x: x) == 0)
    }
}
