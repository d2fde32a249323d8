import FirmwareKit
import Testing

/// The virtual PLIC's level-triggered lines and per-context view (two vCPUs: contexts 1
/// and 3), and the 16550's interrupt identification.
@Suite("Virtual PLIC levels and contexts")
struct PLICLevelTests {
    static func priority(_ s: Int) -> UInt64 { 4 * UInt64(s) }
    static func enable(_ context: Int) -> UInt64 { 0x2000 + 0x80 * UInt64(context) }
    static func threshold(_ context: Int) -> UInt64 { 0x20_0000 + 0x1000 * UInt64(context) }
    static func claim(_ context: Int) -> UInt64 { threshold(context) + 4 }

    /// A PLIC for two vCPUs (contexts 0...3) with `sources` at priority 1, enabled on `context`.
    static func plic(enabling sources: [Int], on context: Int = 1) -> PLICState {
        var p = PLICState(contexts: 4)
        var bits = [UInt32](repeating: 0, count: 3)
        for s in sources {
            _ = p.write(offset: priority(s), value: 1)
            bits[s / 32] |= 1 << UInt32(s % 32)
        }
        for w in 0..<3 { _ = p.write(offset: enable(context) + 4 * UInt64(w), value: bits[w]) }
        return p
    }

    @Test func levelHighMakesPendingAndLowWithdraws() {
        var p = Self.plic(enabling: [2, 40])
        p.setLevel(2, true)
        #expect(p.isPending(2))
        #expect(p.read(offset: 0x1000) == 1 << 2)
        #expect(p.deliverable(context: 1))
        p.setLevel(2, true)                                     // still high: no change
        #expect(p.isPending(2))
        p.setLevel(2, false)
        #expect(!p.isPending(2), "a request not yet claimed is withdrawn")
        #expect(!p.deliverable(context: 1))
        let none = p.read(offset: Self.claim(1))
        #expect(none == 0)
        // A source in the second pending word.
        p.setLevel(40, true)
        #expect(p.read(offset: 0x1004) == 1 << 8)
        let c = p.read(offset: Self.claim(1))
        #expect(c == 40)
        // Sources out of range are ignored.
        p.setLevel(0, true)
        p.setLevel(PLICState.sources, true)
        p.setLevel(-1, true)
        #expect(!p.isPending(0))
        #expect(p.read(offset: 0x1000) == 0)
    }

    @Test func claimedSourceCompletedWhileHighIsPendingAgain() {
        var p = Self.plic(enabling: [3])
        p.setLevel(3, true)
        let c1 = p.read(offset: Self.claim(1))
        #expect(c1 == 3)
        #expect(!p.isPending(3), "claimed: in service, not pending")
        #expect(!p.deliverable(context: 1))
        p.setLevel(3, true)                                     // in service: held back
        #expect(!p.isPending(3))
        let done = p.write(offset: Self.claim(1), value: 3)
        #expect(done == .completed(3))
        #expect(p.isPending(3), "the line is still high")
        #expect(p.deliverable(context: 1))
        let c2 = p.read(offset: Self.claim(1))
        #expect(c2 == 3)
        // The device drops its line while the source is in service: not pending afterwards.
        p.setLevel(3, false)
        let done2 = p.write(offset: Self.claim(1), value: 3)
        #expect(done2 == .completed(3))
        #expect(!p.isPending(3))
        #expect(!p.deliverable(context: 1))
        // High then low while in service: nothing after completion either.
        p.setLevel(3, true)
        let c3 = p.read(offset: Self.claim(1))
        #expect(c3 == 3)
        p.setLevel(3, true)
        p.setLevel(3, false)
        let done3 = p.write(offset: Self.claim(1), value: 3)
        #expect(done3 == .completed(3))
        #expect(!p.isPending(3))
    }

    @Test func claimTakesTheHighestPriorityThenTheLowestID() {
        var p = Self.plic(enabling: [7, 10, 20, 33])
        _ = p.write(offset: Self.priority(7), value: 3)
        _ = p.write(offset: Self.priority(10), value: 3)
        _ = p.write(offset: Self.priority(20), value: 5)
        _ = p.write(offset: Self.priority(33), value: 0)          // priority 0: never
        for s in [33, 20, 10, 7] { p.setLevel(s, true) }
        let a = p.read(offset: Self.claim(1))
        let b = p.read(offset: Self.claim(1))
        let c = p.read(offset: Self.claim(1))
        let d = p.read(offset: Self.claim(1))
        #expect([a, b, c, d] == [20, 7, 10, 0])
        #expect(p.isPending(33), "pending, but priority 0 never interrupts")
        #expect(!p.deliverable(context: 1))
    }

    @Test func thresholdsArePerContext() {
        var p = PLICState(contexts: 4)
        _ = p.write(offset: Self.priority(5), value: 2)
        _ = p.write(offset: Self.enable(1), value: 1 << 5)
        _ = p.write(offset: Self.enable(3), value: 1 << 5)
        _ = p.write(offset: Self.threshold(1), value: 2)
        #expect(p.read(offset: Self.threshold(1)) == 2)
        #expect(p.read(offset: Self.threshold(3)) == 0)
        p.setLevel(5, true)
        #expect(!p.deliverable(context: 1), "priority 2 is not above threshold 2")
        #expect(p.deliverable(context: 3))
        let masked = p.read(offset: Self.claim(1))
        #expect(masked == 0)
        #expect(p.isPending(5), "a claim that returns 0 takes nothing")
        _ = p.write(offset: Self.priority(5), value: 3)
        #expect(p.deliverable(context: 1))
        _ = p.write(offset: Self.threshold(3), value: 7)
        #expect(!p.deliverable(context: 3))
        #expect(p.deliverable(context: 1))
        _ = p.write(offset: Self.threshold(1), value: 99)
        #expect(p.read(offset: Self.threshold(1)) == PLICState.maxPriority)
        #expect(!p.deliverable(context: 1))
    }

    @Test func completionOfASourceNotEnabledForTheContextIsIgnored() {
        var p = PLICState(contexts: 4)
        _ = p.write(offset: Self.priority(9), value: 1)
        _ = p.write(offset: Self.enable(1), value: 1 << 9)
        p.setLevel(9, true)
        let c = p.read(offset: Self.claim(1))
        #expect(c == 9)
        // vCPU 1 (context 3) does not have source 9 enabled: its completion is ignored.
        let other = p.write(offset: Self.claim(3), value: 9)
        #expect(other == .none)
        p.setLevel(9, false)
        p.setLevel(9, true)
        #expect(!p.isPending(9), "still in service")
        // Disabled on context 1 too, now: ignored as well.
        _ = p.write(offset: Self.enable(1), value: 0)
        let disabled = p.write(offset: Self.claim(1), value: 9)
        #expect(disabled == .none)
        #expect(!p.isPending(9))
        _ = p.write(offset: Self.enable(1), value: 1 << 9)
        let done = p.write(offset: Self.claim(1), value: 9)
        #expect(done == .completed(9))
        #expect(p.isPending(9))
    }

    @Test func twoVCPUsSeeOnlyTheirSources() {
        // vCPU 0 takes interrupts on context 1, vCPU 1 on context 3.
        var p = PLICState(contexts: 4)
        for s in [1, 2, 3] { _ = p.write(offset: Self.priority(s), value: 1) }
        _ = p.write(offset: Self.enable(1), value: (1 << 1) | (1 << 3))
        _ = p.write(offset: Self.enable(3), value: (1 << 2) | (1 << 3))
        #expect(p.read(offset: Self.enable(1)) == (1 << 1) | (1 << 3))
        #expect(p.read(offset: Self.enable(3)) == (1 << 2) | (1 << 3))
        #expect(p.read(offset: Self.enable(0)) == 0 && p.read(offset: Self.enable(2)) == 0)

        p.setLevel(2, true)
        #expect(!p.deliverable(context: 1))
        #expect(p.deliverable(context: 3))
        #expect(!p.deliverable(context: 0) && !p.deliverable(context: 2))
        let none = p.read(offset: Self.claim(1))
        #expect(none == 0)
        #expect(p.isPending(2))
        p.setLevel(1, true)
        #expect(p.deliverable(context: 1))
        let c3 = p.read(offset: Self.claim(3))
        #expect(c3 == 2)
        let c1 = p.read(offset: Self.claim(1))
        #expect(c1 == 1)
        // A source enabled for both: whoever claims first takes it.
        p.setLevel(3, true)
        #expect(p.deliverable(context: 1) && p.deliverable(context: 3))
        let first = p.read(offset: Self.claim(3))
        #expect(first == 3)
        #expect(!p.deliverable(context: 1))
        let second = p.read(offset: Self.claim(1))
        #expect(second == 0)
        // Completions go through the contexts that have them enabled.
        let d2 = p.write(offset: Self.claim(3), value: 2)
        let d1 = p.write(offset: Self.claim(1), value: 1)
        let d3 = p.write(offset: Self.claim(1), value: 3)     // enabled on context 1 too
        #expect(d2 == .completed(2) && d1 == .completed(1) && d3 == .completed(3))
        // All three lines are still high: pending again, each on its context.
        #expect(p.read(offset: 0x1000) == (1 << 1) | (1 << 2) | (1 << 3))
        #expect(p.best(context: 1) == 1)
        #expect(p.best(context: 3) == 2)
    }
}

@Suite("16550 interrupts")
struct UART16550InterruptTests {
    /// Reads IIR as the guest does, with its side effect.
    static func readIIR(_ u: inout UART16550Registers, input: UInt8? = nil) -> UInt8 {
        let v = u.read(offset: 2, input: input)
        u.didRead(offset: 2, hasInput: input != nil, reported: v)
        return v
    }

    @Test func noInterruptWithIERZero() {
        var u = UART16550Registers()
        _ = u.write(offset: 0, value: 0x41)                     // THR empties at once
        #expect(u.thrEmptyPending)
        #expect(u.interruptIdentification(hasInput: true) == 0x01)
        #expect(u.read(offset: 2, input: 0x41) == 0x01)
        #expect(!u.interruptLine(hasInput: true))
        #expect(!u.interruptLine(hasInput: false))
    }

    @Test func enablingETBEIWithTHREmptyInterrupts() {
        var u = UART16550Registers()
        #expect(!u.thrEmptyPending)
        _ = u.write(offset: 1, value: 0x02)
        #expect(u.thrEmptyPending)
        #expect(u.read(offset: 2, input: nil) == 0x02)
        #expect(u.interruptLine(hasInput: false))
        // Reading IIR that reports it acknowledges it.
        let iir = Self.readIIR(&u)
        #expect(iir == 0x02)
        #expect(!u.thrEmptyPending)
        #expect(u.read(offset: 2, input: nil) == 0x01)
        #expect(!u.interruptLine(hasInput: false))
        // Writing IER again with ETBEI already set is no rising edge.
        _ = u.write(offset: 1, value: 0x02)
        #expect(!u.thrEmptyPending)
        // Off and on again: a rising edge.
        _ = u.write(offset: 1, value: 0x00)
        _ = u.write(offset: 1, value: 0x02)
        #expect(u.thrEmptyPending)
        #expect(u.interruptLine(hasInput: false))
    }

    @Test func writingTHRSetsItAgain() {
        var u = UART16550Registers()
        _ = u.write(offset: 1, value: 0x02)
        _ = Self.readIIR(&u)
        #expect(!u.interruptLine(hasInput: false))
        let sent = u.write(offset: 0, value: 0x58)
        #expect(sent == 0x58)
        #expect(u.thrEmptyPending)
        #expect(u.read(offset: 2, input: nil) == 0x02)
        #expect(u.interruptLine(hasInput: false))
        // A THR write acknowledges nothing; reading other registers does not either.
        for offset: UInt64 in [0, 1, 3, 4, 5, 6, 7] {
            let v = u.read(offset: offset, input: nil)
            u.didRead(offset: offset, hasInput: false, reported: v)
        }
        #expect(u.thrEmptyPending)
        // With DLAB set, offset 0 is DLL: nothing is sent and nothing becomes pending.
        _ = Self.readIIR(&u)
        _ = u.write(offset: 3, value: 0x83)
        let latched = u.write(offset: 0, value: 0x01)
        #expect(latched == nil)
        #expect(!u.thrEmptyPending)
    }

    @Test func receivedDataRanksAboveTHREmpty() {
        var u = UART16550Registers()
        _ = u.write(offset: 1, value: 0x03)                     // ERBFI | ETBEI
        #expect(u.thrEmptyPending)
        #expect(u.read(offset: 2, input: 0x41) == 0x04)
        #expect(u.interruptLine(hasInput: true))
        // Reading IIR that reports received data leaves THR empty pending.
        let first = Self.readIIR(&u, input: 0x41)
        #expect(first == 0x04)
        #expect(u.thrEmptyPending)
        // The byte is read (RBR): THR empty shows next, and its read acknowledges it.
        #expect(u.readTakesInput(offset: 0))
        let second = Self.readIIR(&u)
        #expect(second == 0x02)
        #expect(!u.thrEmptyPending)
        let third = Self.readIIR(&u)
        #expect(third == 0x01)
        // ERBFI alone: data available only.
        _ = u.write(offset: 1, value: 0x01)
        #expect(u.read(offset: 2, input: 0x00) == 0x04, "a NUL byte is input too")
        #expect(u.read(offset: 2, input: nil) == 0x01)
        #expect(!u.interruptLine(hasInput: false))
        // ETBEI alone: waiting input does not interrupt.
        _ = u.write(offset: 1, value: 0x02)
        #expect(u.read(offset: 2, input: 0x41) == 0x02)
    }

    @Test func fifoBitsWhenFCRBit0() {
        var u = UART16550Registers()
        _ = u.write(offset: 2, value: 0x01)
        #expect(u.read(offset: 2, input: nil) == 0xC1)
        _ = u.write(offset: 1, value: 0x03)
        #expect(u.read(offset: 2, input: nil) == 0xC2)
        #expect(u.read(offset: 2, input: 0x41) == 0xC4)
        #expect(u.interruptLine(hasInput: false))
        // The FIFO bits do not hide the THRE acknowledgement.
        let v = Self.readIIR(&u)
        #expect(v == 0xC2)
        #expect(!u.thrEmptyPending)
        #expect(u.read(offset: 2, input: nil) == 0xC1)
        #expect(!u.interruptLine(hasInput: false))
        _ = u.write(offset: 2, value: 0xC6)                     // bit 0 clear: FIFOs off
        #expect(u.read(offset: 2, input: 0x41) == 0x04)
    }
}
