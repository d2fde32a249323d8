import Board
import Foundation
import Testing

/// The H-extension conformance programs (Tests/programs-h, built by tools/build-riscv.sh):
/// each must pass on a board with `--isa rv64imac_h_sstc`, and print the same as QEMU 7.2
/// with H and Sstc (skipped without QEMU). The checks QEMU 7.2 gets wrong are built only
/// into the strict variants (Tests/programs-h/README.md lists them, with the spec).
@Suite struct HypervisorSuiteTests {
    static let expected = ["h-csr", "h-hlv", "h-runtime", "h-timer", "h-traps", "h-virtinst", "h-vm"]
    static let programs = Repo.riscvOut.appendingPathComponent("programs-h")
    static let strictPrograms = Repo.riscvOut.appendingPathComponent("programs-h-strict")

    static var config: BoardConfig {
        var c = BoardConfig()
        _ = Machine.parseISA("rv64imac_h_sstc", into: &c)
        return c
    }

    @Test func everyProgramWasBuilt() {
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
        try #require(FileManager.default.fileExists(atPath: path), "run VIREO_SPEC_STRICT=1 tools/build/programs-h.sh")
        let r = Conformance.run(path: path, config: Self.config, maxInstructions: 50_000_000)
        #expect(r.passed, "\(name) (strict): \(r.detail)\n\(r.console)")
    }

    /// Without H the same programs cannot run: their first H CSR access (TEST_BEGIN clearing
    /// hedeleg, in M) is an illegal instruction, which the runtime reports as an unexpected
    /// trap in M-mode: test 255, so exit code 255 (Tests/programs/README.md), not some other
    /// failure.
    @Test func withoutHTheProgramsFail() {
        let path = Self.programs.appendingPathComponent("h-runtime.elf").path
        var rv64imac = BoardConfig()
        _ = Machine.parseISA("rv64imac", into: &rv64imac)
        let r = Conformance.run(path: path, config: rv64imac, maxInstructions: 5_000_000)
        #expect(r.detail == "exit code 255", "\(r.detail)\n\(r.console)")
        #expect(r.console.contains("unexpected trap in M-mode: cause=0x0000000000000002 "), "\(r.console)")
        #expect(r.console.hasSuffix("FAIL h-runtime test 255\n"), "\(r.console)")
    }

    /// The default build of every program prints the same on QEMU (H and Sstc on) as on the board.
    @Test(.enabled(if: ReferenceTests.qemu != nil, "qemu-system-riscv64 not installed"), arguments: expected)
    func sameConsoleAsQEMU(_ name: String) throws {
        let elf = Self.programs.appendingPathComponent("\(name).elf").path
        let q = try runCommand(ReferenceTests.qemu!, ["-machine", "virt", "-m", "256M", "-cpu", "rv64,h=true,sstc=true",
                                                      "-bios", "none", "-nographic", "-monitor", "none", "-serial", "stdio",
                                                      "-kernel", elf], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", "--isa", "rv64imac_h_sstc", elf])
        #expect(q.status == v.status, "exit status: qemu \(q.status), vireo \(v.status)")
        #expect(q.stdout.replacingOccurrences(of: "\r\n", with: "\n") == v.stdout)
    }
}
