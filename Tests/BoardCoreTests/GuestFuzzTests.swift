@testable import BoardCore
import RISCV
import Testing
import TestSupport

/// Whatever a guest executes, the board keeps going: random instruction streams (random
/// words, random compressed halves, random CSR traffic) run in M, S and U, with and without
/// Sv39, and the host survives with a consistent hart. Seeded, so every failure reproduces.
@Suite struct GuestFuzzTests {
    @Test(arguments: 0..<24)
    func randomProgramsNeverHurtTheHost(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x1234_5678_9ABC_DEF1)
        let bus = Bus(memoryBytes: 4 << 20)
        let hart = Hart(id: 0, bus: bus)
        // 64 KiB of random code at the start of DRAM; the trap vector points into it too,
        // so traps land in more random code.
        var code: [UInt8] = []
        for _ in 0..<(64 << 10) / 4 {
            var w = UInt32(truncatingIfNeeded: rng.next())
            switch rng.next() % 4 {
            case 0: w = (w & ~0x7F) | 0x73  // SYSTEM: CSR accesses, xRET, WFI, SFENCE, ECALL
            case 1: w &= ~3 | 0x0001_0001 & ~3  // compressed halves
            default: break
            }
            code += withUnsafeBytes(of: w.littleEndian) { Array($0) }
        }
        bus.writeMemory(0x8000_0000, code)
        hart.reset(pc: 0x8000_0000)
        hart.mtvec = 0x8000_0000 + (rng.next() % 0x8000) & ~3
        hart.stvec = 0x8000_0000 + (rng.next() % 0x8000) & ~3
        // Open PMP so S/U can run too, sometimes turn on Sv39 with random roots.
        hart.pmpaddr[0] = .max >> 10
        hart.pmpcfg[0] = 0x1F
        hart.rebuildPMP()
        if rng.next() % 2 == 0 { hart.satp = (8 << 60) | ((0x8000_0000 + (rng.next() % 0x40_0000)) >> 12) }
        hart.setPrivilege([.machine, .supervisor, .user][Int(rng.next() % 3)])
        var steps = 0
        while steps < 400 && bus.exitCode == nil {
            steps += 1
            if hart.waitingForInterrupt { hart.resume() }
            hart.checkInterrupts()
            hart.run(until: hart.cycles &+ 2000)
        }
        // The hart is still coherent: pc is even, x0 is zero, privilege is a real mode.
        #expect(hart.pc & 1 == 0)
        #expect(hart.register(0) == 0)
        #expect([Privilege.machine, .supervisor, .user].contains(hart.priv))
        #expect(hart.cycles > 0)
    }
}
