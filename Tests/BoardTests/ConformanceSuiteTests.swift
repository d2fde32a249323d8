import Board
import Foundation
import Testing

/// Our conformance suite (Tests/programs, built by tools/build-riscv.sh): every program must
/// end with exit code 0 on the board, within the instruction limit.
@Suite struct ConformanceSuiteTests {
    static let expected = ["counters", "csr", "delegation", "htif", "interrupts", "misc", "pmp",
                           "rv64a", "rv64c", "rv64i", "rv64m", "traps", "vm"]

    @Test func everyProgramWasBuilt() {
        let built = Repo.elfs(in: Repo.programs).map { ($0 as NSString).lastPathComponent.replacingOccurrences(of: ".elf", with: "") }
        #expect(Set(Self.expected).isSubset(of: Set(built)), "run tools/build-riscv.sh first; built: \(built)")
    }

    @Test(arguments: expected)
    func programPasses(_ name: String) {
        let path = Repo.programs.appendingPathComponent("\(name).elf").path
        let r = Conformance.run(path: path, maxInstructions: 20_000_000)
        #expect(r.passed, "\(name): \(r.detail)\n\(r.console)")
        if name != "htif" {
            #expect(r.console.contains("PASS \(name)"), "\(name) console: \(r.console)")
        }
    }

    /// The checks the spec requires and QEMU 7.2 gets wrong (built with -DSPEC_STRICT).
    @Test(arguments: ["counters", "csr", "interrupts", "rv64a", "traps"])
    func strictProgramPasses(_ name: String) throws {
        let path = Repo.strictPrograms.appendingPathComponent("\(name).elf").path
        try #require(FileManager.default.fileExists(atPath: path), "run VIREO_SPEC_STRICT=1 tools/build/programs.sh")
        let r = Conformance.run(path: path, maxInstructions: 20_000_000)
        #expect(r.passed, "\(name) (strict): \(r.detail)\n\(r.console)")
    }

    @Test func conformanceCommandPrintsTableAndTotals() throws {
        let r = try runCommand(Repo.vireo, ["conformance", Repo.programs.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last == "\(Repo.elfs(in: Repo.programs).count) passed, 0 failed")
        #expect(r.stdout.contains("rv64i.elf"))
    }

    @Test func conformanceCommandReportsFailures() throws {
        // A program that cannot finish within 1000 instructions fails with "instruction limit".
        let r = try runCommand(Repo.vireo, ["conformance", "--max-instructions", "1000",
                                            Repo.programs.appendingPathComponent("rv64i.elf").path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL"))
        #expect(r.stdout.contains("instruction limit"))
        #expect(r.stdout.hasSuffix("0 passed, 1 failed\n"))
    }
}
