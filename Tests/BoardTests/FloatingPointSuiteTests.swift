import Board
import Foundation
import Testing

/// The F/D conformance programs (Tests/programs-fp, built by tools/build-riscv.sh): each
/// must pass on a board with `--isa rv64gc_h_sstc` and print the same as QEMU 7.2 (skipped
/// without QEMU). Checks where QEMU departs from the spec are in the strict variants only.
@Suite struct FloatingPointSuiteTests {
    static let programs = Repo.riscvOut.appendingPathComponent("programs-fp")
    static let strictPrograms = Repo.riscvOut.appendingPathComponent("programs-fp-strict")
    /// Every program in Tests/programs-fp (the sources decide, so a new one is never skipped).
    static let expected: [String] = {
        let dir = Repo.root.appendingPathComponent("Tests/programs-fp").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".S") }.map { String($0.dropLast(2)) }.sorted()
    }()

    static var config: BoardConfig {
        var c = BoardConfig()
        _ = Machine.parseISA("rv64gc_h_sstc", into: &c)
        return c
    }

    @Test func everyProgramWasBuilt() {
        #expect(Self.expected.count >= 2)
        let built = Repo.elfs(in: Self.programs).map { ($0 as NSString).lastPathComponent.replacingOccurrences(of: ".elf", with: "") }
        #expect(Set(Self.expected).isSubset(of: Set(built)), "run tools/build-riscv.sh first; built: \(built)")
    }

    @Test(arguments: expected)
    func programPasses(_ name: String) {
        let path = Self.programs.appendingPathComponent("\(name).elf").path
        let r = Conformance.run(path: path, config: Self.config, maxInstructions: 50_000_000)
        #expect(r.passed, "\(name): \(r.detail)\n\(r.console)")
        #expect(r.console.contains("PASS \(name)"), "\(name) console: \(r.console)")
    }

    @Test(arguments: expected)
    func strictProgramPasses(_ name: String) throws {
        let path = Self.strictPrograms.appendingPathComponent("\(name).elf").path
        try #require(FileManager.default.fileExists(atPath: path), "run VIREO_SPEC_STRICT=1 tools/build/programs-fp.sh")
        let r = Conformance.run(path: path, config: Self.config, maxInstructions: 50_000_000)
        #expect(r.passed, "\(name) (strict): \(r.detail)\n\(r.console)")
    }

    /// Without F and D (`--isa rv64imac`) the first FP access is illegal: the program's
    /// M-mode handler sees cause 2 with the instruction in mtval (csrw fcsr / fs* / fl*,
    /// opcode 0x73, 0x27 or 0x07) and fails with its own exit code.
    @Test func withoutFDTheProgramsFail() throws {
        let first = try #require(Self.expected.first)
        var c = BoardConfig()
        _ = Machine.parseISA("rv64imac", into: &c)
        let r = Conformance.run(path: Self.programs.appendingPathComponent("\(first).elf").path, config: c, maxInstructions: 5_000_000)
        #expect(!r.passed)
        let line = try #require(r.console.split(separator: "\n").first { $0.hasPrefix("unexpected trap in M-mode") }, "\(r.console)")
        #expect(line.contains("cause=0x0000000000000002"), "\(line)")
        let tval = try #require(line.split(separator: "tval=0x").last.flatMap { UInt64($0, radix: 16) })
        #expect([0x73, 0x27, 0x07].contains(tval & 0x7F), "\(line)")
        #expect(r.console.contains("FAIL \(first)"))
    }

    @Test(.enabled(if: ReferenceTests.qemu != nil, "qemu-system-riscv64 not installed"), arguments: expected)
    func sameConsoleAsQEMU(_ name: String) throws {
        let elf = Self.programs.appendingPathComponent("\(name).elf").path
        let q = try runCommand(ReferenceTests.qemu!, ["-machine", "virt", "-m", "256M", "-cpu", "rv64,h=true,sstc=true",
                                                      "-bios", "none", "-nographic", "-monitor", "none", "-serial", "stdio",
                                                      "-kernel", elf], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", "--isa", "rv64gc_h_sstc", elf])
        #expect(q.status == v.status, "exit status: qemu \(q.status), vireo \(v.status)")
        #expect(q.stdout.replacingOccurrences(of: "\r\n", with: "\n") == v.stdout)
    }

    @Test func isaStringAndMisaFollowTheOption() throws {
        var c = BoardConfig()
        #expect(Machine.parseISA("rv64gc_h_sstc", into: &c) == nil)
        #expect(c.fd && c.h && c.sstc)
        #expect(Machine.isaString(c) == "rv64imafdch_zicntr_zicsr_zifencei_sstc")
        #expect(Machine.isaExtensions(c).starts(with: ["i", "m", "a", "f", "d", "c", "h"]))
        #expect(Machine(config: c).hart.fd)
    }
}
