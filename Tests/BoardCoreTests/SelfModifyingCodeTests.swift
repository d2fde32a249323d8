import Testing
@testable import BoardCore
import RISCV

/// Stores to code must be seen by later fetches: after FENCE.I as the spec requires
/// (Unpriv. §7 "Zifencei"), and on this board even without it, because stores to decoded pages
/// retire those pages (CodeCache.swift).
@Suite("Self-modifying code")
struct SelfModifyingCodeTests {
    /// A loop whose first instruction is patched by the second iteration's store.
    private func patchLoop(patch: [UInt32], fenceI withFence: Bool) -> [UInt32] {
        [
            addi(a0, a0, 1),             // 0x00: loop: addi a0, a0, 1   ← patched
            bne(s1, zero, 20),           // 0x04: bne s1, x0, done (0x18)
        ] + patch + [
            withFence ? fenceI() : nop,  // 0x0c: fence.i (or nop)
            addi(s1, zero, 1),           // 0x10: addi s1, x0, 1
            j(-20),                      // 0x14: j loop
        ]                                // 0x18: done (j . appended)
    }

    @Test(arguments: [false, true], [false, true])
    func storeOverAnInstructionAlreadyExecuted(stepping: Bool, fenceI: Bool) {
        let b = TestBoard()
        b[t0] = UInt64(addi(a0, a0, 100))
        b[t1] = TestBoard.base
        b.runProgram(patchLoop(patch: [sw(t0, 0, t1)], fenceI: fenceI), stepping: stepping)   // 0x08: sw t0, 0(t1)
        #expect(b[a0] == 101, "stepping \(stepping), fence.i \(fenceI): a0 = \(b[a0])")
        #expect(b.read32(TestBoard.base) == addi(a0, a0, 100))
    }

    @Test(arguments: [false, true])
    func storeIntoTheUpperHalfOfAnInstruction(fenceI: Bool) {
        // addi's immediate lives in bits 31:20: rewriting the upper halfword changes it.
        let b = TestBoard()
        b[t0] = UInt64(addi(a0, a0, 100) >> 16)
        b[t1] = TestBoard.base
        b.runProgram(patchLoop(patch: [sh(t0, 2, t1)], fenceI: fenceI))   // 0x08: sh t0, 2(t1)
        #expect(b[a0] == 101, "fence.i \(fenceI): a0 = \(b[a0])")
        // A single byte of the immediate.
        let c = TestBoard()
        c[t0] = UInt64(addi(a0, a0, 0x7F0) >> 24)
        c[t1] = TestBoard.base
        c.runProgram(patchLoop(patch: [sb(t0, 3, t1)], fenceI: fenceI))   // 0x08: sb t0, 3(t1)
        #expect(c[a0] == 1 + 0x7F1, "imm[11:4] = 0x7f from the new byte, imm[3:0] = 1 kept")
    }

    @Test func thirtyTwoBitInstructionReplacedByTwoCompressedOnes() {
        let b = TestBoard()
        b[t0] = UInt64(UInt32(c_addi(a0, 5)) | UInt32(c_addi(a0, 7)) << 16)   // c.addi a0, 5; c.addi a0, 7
        b[t1] = TestBoard.base
        b.runProgram(patchLoop(patch: [sw(t0, 0, t1)], fenceI: false))
        #expect(b[a0] == 1 + 12)
    }

    @Test func storeAheadInTheSameBlock() {
        // The patched instruction is two instructions after the store, in the same straight-line run.
        for fence in [false, true] {
            let b = TestBoard()
            b[t0] = UInt64(addi(a0, zero, 2))
            b[t1] = TestBoard.base
            b.runProgram([
                sw(t0, 12, t1),          // 0x00: sw t0, 12(t1)
                fence ? fenceI() : nop,  // 0x04
                nop,                     // 0x08
                addi(a0, zero, 1),       // 0x0c: replaced by addi a0, x0, 2
            ])
            #expect(b[a0] == 2, "fence.i \(fence)")
        }
        // The store overwrites the instruction right after it.
        let c = TestBoard()
        c[t0] = UInt64(addi(a0, zero, 2))
        c[t1] = TestBoard.base
        c.runProgram([sw(t0, 4, t1), addi(a0, zero, 1)])
        #expect(c[a0] == 2)
    }

    @Test func writeThenJumpIntoAFreshPage() {
        let b = TestBoard()
        let fresh = TestBoard.base + 0x3000
        b[t1] = fresh
        let code = [addi(a0, zero, 77), addi(a1, a0, 1), jalr(zero, ra)]   // addi a0, x0, 77; addi a1, a0, 1; ret
        var prog: [UInt32] = []
        for (i, w) in code.enumerated() {
            prog += li(t0, Int64(w))
            prog.append(sw(t0, 4 * i, t1))        // sw t0, 4i(t1)
        }
        prog += [fenceI(), jalr(ra, t1)]          // fence.i; jalr ra, 0(t1)
        b.runProgram(prog)
        #expect(b[a0] == 77 && b[a1] == 78)

        // The same page rewritten and entered again (no FENCE.I this time).
        let again = [addi(a0, zero, 5), jalr(zero, ra)]
        var prog2: [UInt32] = []
        for (i, w) in again.enumerated() {
            prog2 += li(t0, Int64(w))
            prog2.append(sw(t0, 4 * i, t1))
        }
        prog2.append(jalr(ra, t1))
        b.runProgram(prog2)
        #expect(b[a0] == 5)
    }

    @Test func loaderWritesAndAMOsAreSeen() {
        let b = TestBoard()
        b.runProgram([addi(a0, zero, 1)])
        #expect(b[a0] == 1)
        b.load([addi(a0, zero, 2)])               // Bus.writeMemory over decoded code
        b.hart.pc = TestBoard.base
        b.run(to: [TestBoard.base + 4])
        #expect(b[a0] == 2)
        // amoswap.w over the patched instruction.
        b[t0] = UInt64(addi(a0, a0, 100))
        b[t1] = TestBoard.base
        b.runProgram(patchLoop(patch: [amo(.swap, wide: false, t2, t0, t1)], fenceI: false))   // amoswap.w t2, t0, (t1)
        #expect(b[a0] == 2 + 1 + 100, "first iteration +1, second +100")
        #expect(b[t2] == UInt64(addi(a0, a0, 1)))
    }

    @Test func patchTheUpperHalfOfAPageStraddlingInstruction() {
        let b = TestBoard()
        let page = TestBoard.base + 0x2000
        // c.nop …; addi a0, a0, 1 at page-2 (straddles into `page`); then back to the caller.
        b.load([.h(c_addi(a0, 0)), .w(addi(a0, a0, 1)), .w(jalr(zero, ra))], at: page - 4)
        b[t1] = page
        b[t0] = UInt64(addi(a0, a0, 100) >> 16)
        b[s2] = page - 4
        b.runProgram([
            jalr(ra, s2),                // 0x00: call page-4: a0 += 1
            sh(t0, 0, t1),               // 0x04: sh t0, 0(t1): upper half of the straddling addi
            jalr(ra, s2),                // 0x08: call again: a0 += 100
        ])
        #expect(b[a0] == 101)
    }

    @Test func storeThroughAnAliasMapping() {
        // Code runs at its identity VA; the patch goes through another VA of the same page.
        let b = TestBoard()
        let pt = PageTables(b)
        pt.map(TestBoard.base, TestBoard.base, PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, level: 2)
        pt.map(0x4000_0000, TestBoard.base, PTE.R | PTE.W | PTE.A | PTE.D)   // alias of the code page
        pt.activate()
        b.enter(.supervisor)
        b[t0] = UInt64(addi(a0, a0, 100))
        b[t1] = 0x4000_0000
        b.runProgram(patchLoop(patch: [sw(t0, 0, t1)], fenceI: false))
        #expect(b.hart.pc == TestBoard.end(of: patchLoop(patch: [0], fenceI: false)))
        #expect(b[a0] == 101)
    }
}
