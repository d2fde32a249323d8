import FirmwareKit
import Testing

/// The per-domain console ring and the virtual PLIC's register file (Hypervisor III), and
/// taking a fixed range of physical memory for a direct-mapped Dom0.
@Suite("Console ring, virtual PLIC, fixed allocations")
struct ConsoleRingAndPLICTests {
    static func drain(_ ring: inout ConsoleRing, max: Int = 1 << 20) -> [UInt8] {
        var out: [UInt8] = []
        ring.take(max: max) { out.append($0) }
        return out
    }

    @Test func ringKeepsOrderAndDropsTheOldest() {
        var ring = ConsoleRing(capacity: 8)
        for b in Array("hello".utf8) { ring.append(b) }
        #expect(Self.drain(&ring) == Array("hello".utf8))
        #expect(ring.isEmpty)
        for b in Array("0123456789AB".utf8) { ring.append(b) }      // 12 into 8: 4 dropped
        #expect(ring.dropped == 4)
        #expect(Self.drain(&ring) == ConsoleRing.marker(4) + Array("456789AB".utf8))
        #expect(ring.dropped == 0 && ring.isEmpty)
    }

    @Test func ringTakesInPiecesAndKeepsTheMarkerWhole() {
        var ring = ConsoleRing(capacity: 4)
        for b in Array("abcdef".utf8) { ring.append(b) }
        var out: [UInt8] = []
        // Too small for the marker: nothing is taken, nothing lost.
        #expect(ring.take(max: 3) { out.append($0) } == 0)
        #expect(out.isEmpty && ring.dropped == 2)
        let marker = ConsoleRing.marker(2)
        #expect(ring.take(max: marker.count + 1) { out.append($0) } == marker.count + 1)
        #expect(out == marker + [UInt8(ascii: "c")])
        #expect(Self.drain(&ring) == Array("def".utf8))
    }

    // MARK: PLIC

    static let claim1: UInt64 = 0x20_0004 + 0x1000 * 1      // context 1 (vCPU 0's S-mode)
    static let enable1: UInt64 = 0x2000 + 0x80 * 1

    @Test func plicClaimsByPriorityAboveThreshold() {
        var p = PLICState(contexts: 2)
        let r1 = p.write(offset: 4 * 3, value: 2)
        #expect(r1 == .none)      // priority(3) = 2
        let r2 = p.write(offset: 4 * 5, value: 6)
        #expect(r2 == .none)      // priority(5) = 6
        _ = p.write(offset: Self.enable1, value: (1 << 3) | (1 << 5) | 1)
        #expect(p.read(offset: Self.enable1) == (1 << 3) | (1 << 5), "source 0 cannot be enabled")
        #expect(!p.deliverable(context: 1))
        p.raise(3)
        p.raise(5)
        #expect(p.read(offset: 0x1000) == (1 << 3) | (1 << 5))
        #expect(p.deliverable(context: 1) && !p.deliverable(context: 0))
        _ = p.write(offset: 0x20_0000 + 0x1000, value: 2)        // threshold 2: source 3 masked
        let r3 = p.read(offset: Self.claim1)
        #expect(r3 == 5)
        let r4 = p.read(offset: Self.claim1)
        #expect(r4 == 0, "source 3's priority is not above the threshold")
        _ = p.write(offset: 0x20_0000 + 0x1000, value: 0)
        let r5 = p.read(offset: Self.claim1)
        #expect(r5 == 3)
        #expect(!p.deliverable(context: 1))
    }

    @Test func plicCompletionAndGateway() {
        var p = PLICState(contexts: 2)
        _ = p.write(offset: 4 * 7, value: 1)
        _ = p.write(offset: Self.enable1, value: 1 << 7)
        p.raise(7)
        let r6 = p.read(offset: Self.claim1)
        #expect(r6 == 7)
        p.raise(7)                                              // in service: the gateway holds it
        #expect(!p.isPending(7))
        let r7 = p.write(offset: Self.claim1, value: 9)
        #expect(r7 == .none, "not in service")
        let r8 = p.write(offset: Self.claim1, value: 7)
        #expect(r8 == .completed(7))
        let r9 = p.write(offset: Self.claim1, value: 7)
        #expect(r9 == .none, "completed once")
        p.raise(7)
        #expect(p.isPending(7))
    }

    @Test func plicIgnoresOutOfRangeAccesses() {
        var p = PLICState(contexts: 2)
        let r10 = p.write(offset: 4 * 200, value: 5)
        #expect(r10 == .none)
        #expect(p.read(offset: 4 * 200) == 0)
        let r11 = p.write(offset: 0x2000 + 0x80 * 9, value: ~0)
        #expect(r11 == .none)    // no context 9
        #expect(p.read(offset: 0x20_0004 + 0x1000 * 9) == 0)
        _ = p.write(offset: 4, value: 99)
        #expect(p.read(offset: 4) == PLICState.maxPriority)
        p.raise(0)
        p.raise(500)
        #expect(p.read(offset: 0x1000) == 0)
    }

    // MARK: PhysicalMemory.take

    @Test func takeClaimsAnExactFreeRange() {
        let mb: UInt64 = 1 << 20
        var m = PhysicalMemory(start: 0x8000_0000, end: 0x8000_0000 + 256 * mb)
        let r12 = m.take(start: 0x8800_0000, size: 64 * mb)
        #expect(r12)
        #expect(m.freeBytes == 192 * mb)
        let r13 = m.take(start: 0x8800_0000, size: 2 * mb)
        #expect(!r13, "already taken")
        let r14 = m.take(start: 0x8C00_0000 - mb, size: 2 * mb)
        #expect(!r14, "overlaps the taken range")
        let r15 = m.take(start: 0x8FF0_0000, size: 2 * mb)
        #expect(!r15, "runs past the end")
        let r16 = m.take(start: UInt64.max - mb, size: 2 * mb)
        #expect(!r16, "wraps")
        #expect(m.freeBytes == 192 * mb)
        let r17 = m.release(start: 0x8800_0000, size: 64 * mb)
        #expect(r17)
        #expect(m.free.count == 1 && m.freeBytes == 256 * mb)
    }
}
