import Board
import Foundation
import Testing

/// The RVA22S64 privileged-side programs (Tests/programs-rva22-priv: Sv57, Sv57x4, Svnapot,
/// Svpbmt, Svinval, Zicbom, Zicboz, Zihpm; built by tools/build-riscv.sh): each passes on the
/// board's default ISA, in its default and spec-strict builds, and prints the same as
/// QEMU 7.2 where QEMU has the extension and follows the spec (the strict checks are the
/// ones it fails; the programs it cannot run at all are in `notOnQEMU`).
@Suite struct RVA22PrivSuiteTests {
    static let programs = Repo.riscvOut.appendingPathComponent("programs-rva22-priv")
    static let strictPrograms = Repo.riscvOut.appendingPathComponent("programs-rva22-priv-strict")
    static let expected: [String] = {
        let dir = Repo.root.appendingPathComponent("Tests/programs-rva22-priv").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".S") }.map { String($0.dropLast(2)) }.sorted()
    }()
    /// Programs QEMU 7.2 (Debian's 7.2.x) cannot pass, with why:
    /// - `cbo`, `cbo-gstage`: it has no Zicbom/Zicboz (CBO.* are illegal instructions there);
    /// - `svinval`: it runs SINVAL.VMA in U-mode, and in HS-mode with mstatus.TVM, without
    ///   the illegal-instruction exception Svinval requires.
    static let notOnQEMU: Set<String> = ["cbo", "cbo-gstage", "svinval"]
    static let qemuCPU = "rv64,h=true,sstc=true,svpbmt=true,svinval=true,svnapot=true"

    @Test func everyProgramWasBuilt() {
        #expect(Self.expected.count >= 7)
        let built = Repo.elfs(in: Self.programs).map { ($0 as NSString).lastPathComponent.replacingOccurrences(of: ".elf", with: "") }
        #expect(Set(Self.expected).isSubset(of: Set(built)), "run tools/build-riscv.sh programs-rva22-priv first; built: \(built)")
    }

    @Test(arguments: expected)
    func programPasses(_ name: String) {
        let path = Self.programs.appendingPathComponent("\(name).elf").path
        let r = Conformance.run(path: path, config: BoardConfig(), maxInstructions: 50_000_000)
        #expect(r.passed, "\(name): \(r.detail)\n\(r.console)")
        #expect(r.console.contains("PASS \(name)"), "\(name) console: \(r.console)")
    }

    @Test(arguments: expected)
    func strictProgramPasses(_ name: String) throws {
        let path = Self.strictPrograms.appendingPathComponent("\(name).elf").path
        try #require(FileManager.default.fileExists(atPath: path), "run VIREO_SPEC_STRICT=1 tools/build/programs-rva22-priv.sh")
        let r = Conformance.run(path: path, config: BoardConfig(), maxInstructions: 50_000_000)
        #expect(r.passed, "\(name) (strict): \(r.detail)\n\(r.console)")
    }

    /// Without the extensions (`--isa rv64gc_h_sstc`) satp keeps Bare when Sv57 is written
    /// (check 1), menvcfg.PBMTE stays zero (check 1), CBO.ZERO and SINVAL.VMA are illegal
    /// and hpmcounter3 does not exist.
    @Test(arguments: ["sv57", "pbmt", "cbo", "svinval", "hpm"])
    func withoutTheExtensionsTheProgramsFail(_ name: String) {
        var c = BoardConfig()
        _ = Machine.parseISA("rv64gc_h_sstc", into: &c)
        let r = Conformance.run(path: Self.programs.appendingPathComponent("\(name).elf").path, config: c, maxInstructions: 5_000_000)
        #expect(!r.passed, "\(name): \(r.console)")
        #expect(r.console.contains("FAIL \(name)"), "\(r.console)")
    }

    @Test(.enabled(if: ReferenceTests.qemu != nil, "qemu-system-riscv64 not installed"),
          arguments: expected.filter { !notOnQEMU.contains($0) })
    func sameConsoleAsQEMU(_ name: String) throws {
        let elf = Self.programs.appendingPathComponent("\(name).elf").path
        let q = try runCommand(ReferenceTests.qemu!, ["-machine", "virt", "-m", "256M", "-cpu", Self.qemuCPU,
                                                      "-bios", "none", "-nographic", "-monitor", "none", "-serial", "stdio",
                                                      "-kernel", elf], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", elf])
        #expect(q.status == v.status, "exit status: qemu \(q.status), vireo \(v.status)")
        #expect(q.stdout.replacingOccurrences(of: "\r\n", with: "\n") == v.stdout)
    }

    @Test func isaStringNamesTheExtensions() {
        let c = BoardConfig()
        let isa = Machine.isaString(c)
        for name in ["zicbom", "zicboz", "zihpm", "svinval", "svnapot", "svpbmt"] {
            #expect(isa.contains("_\(name)"), "\(isa)")
        }
        #expect(!isa.contains("sv57"), "\(isa)")
        #expect(Machine.mmuType(c) == "riscv,sv57")
    }
}
