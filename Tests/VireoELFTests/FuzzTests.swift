import TestSupport
import Foundation
import Testing
import VireoELF

/// Hostile input must be refused, never crash the process: these tests only check that
/// `parse` comes back, one way or the other, for every damaged variant of a good file.
@Suite("Damaged files never crash the reader")
struct FuzzTests {
    static let regions = [MemoryRegion(name: "DRAM", base: 0x8000_0000, size: 0x1000_0000)]

    /// Parses, and when that succeeds also exercises the results.
    @discardableResult
    static func survive(_ bytes: [UInt8]) -> Bool {
        do throws(ELFError) {
            let program = try ELFProgram.parse(bytes: bytes, path: "fuzz.elf")
            _ = program.symbol("tohost")
            _ = try? program.checkPlacement(in: regions)
            return true
        } catch {
            #expect(!error.description.isEmpty)
            return false
        }
    }

    @Test func everyTruncation() {
        let good = Samples.good().build()
        #expect(Self.survive(good))
        var accepted = 0
        for length in 0..<good.count where Self.survive(Array(good.prefix(length))) {
            accepted += 1
        }
        // Once the segment data is complete, losing section data only loses symbols.
        #expect(accepted < good.count)
    }

    @Test func randomByteFlips() {
        var random = SplitMix64(seed: 0x5649_5245_4F45_4C46)
        let good = Samples.good().build()
        // VIREO_ELF_FUZZ_ROUNDS=1000000 for a longer (still deterministic) run.
        let rounds = ProcessInfo.processInfo.environment["VIREO_ELF_FUZZ_ROUNDS"].flatMap { Int($0) } ?? 4000
        var outcomes = [0, 0]
        for round in 0..<rounds {
            var bytes = good
            let flips = Int.random(in: 1...8, using: &random)
            for _ in 0..<flips {
                // Half of the damage goes into the headers, where it matters most.
                let limit = round % 2 == 0 ? min(bytes.count, 64 + 56 * 4) : bytes.count
                let index = Int.random(in: 0..<limit, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] = 0xFF
                case 1: bytes[index] = 0
                case 2: bytes[index] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
                default: bytes[index] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if Bool.random(using: &random) {
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            }
            outcomes[Self.survive(bytes) ? 1 : 0] += 1
        }
        #expect(outcomes[0] + outcomes[1] == rounds)
        #expect(outcomes[0] > 0 && outcomes[1] > 0)
    }

    @Test func extremeHeaderFields() {
        let good = Samples.good().build()
        // Every 2-, 4- and 8-byte aligned field of the ELF header and program headers.
        for width in [2, 4, 8] {
            for offset in stride(from: 16, to: 64 + 56 * 4 - width + 1, by: width) {
                for fill: UInt8 in [0x00, 0xFF, 0x7F] {
                    var bytes = good
                    for index in offset..<offset + width { bytes[index] = fill }
                    Self.survive(bytes)
                }
            }
        }
    }
}
