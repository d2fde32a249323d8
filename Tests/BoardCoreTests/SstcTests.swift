@testable import BoardCore
import RISCV
import Testing

/// Sstc: stimecmp and menvcfg.STCE (Priv. "Sstc" chapter, §3.1.9 mip.STIP, §3.1.11
/// mcounteren.TM, §3.1.18 menvcfg.STCE, §12.1.7 stimecmp).
@Suite struct SstcTests {
    func hart(sstc: Bool) -> (Bus, Hart) {
        let bus = Bus(memoryBytes: 1 << 20)
        let h = Hart(id: 0, bus: bus, sstc: sstc)
        h.reset(pc: 0x8000_0000)
        return (bus, h)
    }

    func allowed(_ h: Hart, _ csr: UInt16) -> Bool {
        (try? h.csrAccessAllowed(csr, write: true, raw: 0)) != nil && (try? h.csrRead(csr, raw: 0)) != nil
    }

    @Test func withoutSstcThereIsNoStimecmpAndSTCEIsZero() throws {
        let (_, h) = hart(sstc: false)
        #expect(throws: Trap.self) { try h.csrRead(CSR.stimecmp, raw: 0x14D0_2573) }
        try h.csrWrite(CSR.menvcfg, .max, raw: 0)
        #expect(try h.csrRead(CSR.menvcfg, raw: 0) & Hart.STCE == 0)
    }

    @Test func sModeAccessNeedsSTCEAndTM() throws {
        let (_, h) = hart(sstc: true)
        #expect(allowed(h, CSR.stimecmp))  // M-mode: always
        h.setPrivilege(.supervisor)
        #expect(!allowed(h, CSR.stimecmp))  // STCE = 0
        h.setPrivilege(.machine)
        try h.csrWrite(CSR.menvcfg, Hart.STCE, raw: 0)
        h.setPrivilege(.supervisor)
        #expect(!allowed(h, CSR.stimecmp))  // mcounteren.TM = 0
        h.setPrivilege(.machine)
        try h.csrWrite(CSR.mcounteren, 2, raw: 0)
        h.setPrivilege(.supervisor)
        #expect(allowed(h, CSR.stimecmp))
        h.setPrivilege(.user)
        #expect(!allowed(h, CSR.stimecmp))  // an S-level CSR
    }

    @Test func stipFollowsTheComparisonAndIsReadOnly() throws {
        let (bus, h) = hart(sstc: true)
        try h.csrWrite(CSR.menvcfg, Hart.STCE, raw: 0)
        try h.csrWrite(CSR.stimecmp, 50, raw: 0)  // mtime 50 = cycle 5000
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.STIP == 0)
        try h.csrWrite(CSR.mip, Interrupt.STIP, raw: 0)  // read-only now: ignored
        #expect(h.mip & Interrupt.STIP == 0)
        #expect(h.supervisorTimerEventCycle() == 5000)
        h.sleep(until: 5000)
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.STIP != 0)
        #expect(bus.clint.mtime(cycles: h.cycles) == 50)
        try h.csrWrite(CSR.stimecmp, 1000, raw: 0)  // writing a later time clears it
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.STIP == 0)
        // STCE = 0: STIP is the software bit again.
        try h.csrWrite(CSR.menvcfg, 0, raw: 0)
        try h.csrWrite(CSR.mip, Interrupt.STIP, raw: 0)
        h.updateInterruptLines()
        #expect(h.mip & Interrupt.STIP != 0)
    }

    @Test func sModeTimerInterruptTakenAtItsCycle() throws {
        let (bus, h) = hart(sstc: true)
        // j . at 0x8000_0000; the S handler at 0x8000_0100 is another j .
        bus.writeMemory(0x8000_0000, [0x6F, 0, 0, 0])
        bus.writeMemory(0x8000_0100, [0x6F, 0, 0, 0])
        h.pmpaddr[0] = .max >> 10
        h.pmpcfg[0] = 0x1F
        h.rebuildPMP()
        try h.csrWrite(CSR.menvcfg, Hart.STCE, raw: 0)
        try h.csrWrite(CSR.mcounteren, 2, raw: 0)
        try h.csrWrite(CSR.mideleg, Interrupt.STIP, raw: 0)
        try h.csrWrite(CSR.mie, Interrupt.STIP, raw: 0)
        try h.csrWrite(CSR.stvec, 0x8000_0100, raw: 0)
        try h.csrWrite(CSR.stimecmp, 30, raw: 0)  // cycle 3000
        h.setPrivilege(.user)  // S-level interrupts are always enabled in U
        var taken = false
        while h.cycles < 10_000 && !taken {
            if h.checkInterrupts() { taken = true; break }
            var limit = h.cycles + 65_536
            if let t = h.supervisorTimerEventCycle(), t > h.cycles { limit = min(limit, t) }
            h.run(until: limit)
        }
        #expect(taken)
        #expect(h.priv == .supervisor)
        #expect(h.scause == (1 << 63) | Interrupt.STI)
        #expect(h.cycles >= 3000 && h.cycles < 3000 + 20)
    }
}
