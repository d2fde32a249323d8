import Board
import Foundation
import Testing

/// The RVA22 conformance programs (Tests/programs-rva22-unpriv, built by tools/build-riscv.sh):
/// Zba, Zbb, Zbc, Zbs, Zfhmin, Zihintpause and Zicbop. Each must pass on a board with the
/// default ISA (everything the board has) and print the same as QEMU 7.2 with those
/// extensions on; `absent` runs on `--isa rv64gc`, where every instruction of those
/// extensions is illegal, and on QEMU with them off. The QEMU spelling of each option
/// is in tools/build/programs-rva22-unpriv.sh; QEMU 7.2 has no Zicbop (its instructions are ORI
/// HINTs, so `hints` runs there all the same). The check where QEMU departs from the spec
/// is in the strict variant only (README there).
@Suite struct RVA22UnprivSuiteTests {
    static let programs = Repo.riscvOut.appendingPathComponent("programs-rva22-unpriv")
    static let strictPrograms = Repo.riscvOut.appendingPathComponent("programs-rva22-unpriv-strict")
    /// Every program in Tests/programs-rva22-unpriv (the sources decide, so a new one is never skipped).
    static let expected: [String] = {
        let dir = Repo.root.appendingPathComponent("Tests/programs-rva22-unpriv").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".S") }.map { String($0.dropLast(2)) }.sorted()
    }()

    /// The `--isa` a program runs with: the board's default, or rv64gc for `absent`.
    static func isa(_ name: String) -> String { name == "absent" ? "rv64gc" : Machine.fullISA }

    static func config(_ name: String) -> BoardConfig {
        var c = BoardConfig()
        _ = Machine.parseISA(isa(name), into: &c)
        return c
    }

    /// QEMU 7.2's -cpu for a program (tools/build/programs-rva22-unpriv.sh has the same table).
    static func qemuCPU(_ name: String) -> String {
        name == "absent" ? "rv64,zba=false,zbb=false,zbc=false,zbs=false,Zfhmin=false"
            : "rv64,zba=true,zbb=true,zbc=true,zbs=true,Zfhmin=true,Zihintpause=true"
    }

    @Test func everyProgramWasBuilt() {
        #expect(Self.expected.count >= 9)
        let built = Repo.elfs(in: Self.programs).map { ($0 as NSString).lastPathComponent.replacingOccurrences(of: ".elf", with: "") }
        #expect(Set(Self.expected).isSubset(of: Set(built)), "run tools/build-riscv.sh programs-rva22-unpriv first; built: \(built)")
    }

    @Test(arguments: expected)
    func programPasses(_ name: String) {
        let path = Self.programs.appendingPathComponent("\(name).elf").path
        let r = Conformance.run(path: path, config: Self.config(name), maxInstructions: 50_000_000)
        #expect(r.passed, "\(name): \(r.detail)\n\(r.console)")
        #expect(r.console.contains("PASS \(name)"), "\(name) console: \(r.console)")
    }

    @Test(arguments: expected)
    func strictProgramPasses(_ name: String) throws {
        let path = Self.strictPrograms.appendingPathComponent("\(name).elf").path
        try #require(FileManager.default.fileExists(atPath: path), "run VIREO_SPEC_STRICT=1 tools/build/programs-rva22-unpriv.sh")
        let r = Conformance.run(path: path, config: Self.config(name), maxInstructions: 50_000_000)
        #expect(r.passed, "\(name) (strict): \(r.detail)\n\(r.console)")
    }

    /// On a hart without the extensions (`--isa rv64gc`) the first new instruction of each
    /// program is illegal: the M-mode handler sees cause 2 with the instruction in mtval.
    /// (`absent` is the other way round: with the extensions its first check fails.)
    @Test(arguments: expected.filter { $0 != "absent" && $0 != "hints" })
    func withoutTheExtensionsTheProgramsFail(_ name: String) throws {
        var c = BoardConfig()
        _ = Machine.parseISA("rv64gc", into: &c)
        let r = Conformance.run(path: Self.programs.appendingPathComponent("\(name).elf").path, config: c, maxInstructions: 5_000_000)
        #expect(!r.passed)
        let line = try #require(r.console.split(separator: "\n").first { $0.hasPrefix("unexpected trap in M-mode") }, "\(r.console)")
        #expect(line.contains("cause=0x0000000000000002"), "\(line)")
        let tval = try #require(line.split(separator: "tval=0x").last.flatMap { UInt32($0, radix: 16) })
        // OP, OP-32, OP-IMM, OP-IMM-32 (Zb*), LOAD-FP/STORE-FP/OP-FP (Zfhmin)
        #expect([0x33, 0x3B, 0x13, 0x1B, 0x07, 0x27, 0x53].contains(tval & 0x7F), "\(line)")
        let withAll = Conformance.run(path: Self.programs.appendingPathComponent("absent.elf").path, config: Self.config("zba"), maxInstructions: 5_000_000)
        #expect(!withAll.passed && withAll.console.contains("FAIL absent test 1"), "\(withAll.console)")
    }

    @Test(.enabled(if: ReferenceTests.qemu != nil, "qemu-system-riscv64 not installed"), arguments: expected)
    func sameConsoleAsQEMU(_ name: String) throws {
        let elf = Self.programs.appendingPathComponent("\(name).elf").path
        let q = try runCommand(ReferenceTests.qemu!, ["-machine", "virt", "-m", "256M", "-cpu", Self.qemuCPU(name),
                                                      "-bios", "none", "-nographic", "-monitor", "none", "-serial", "stdio",
                                                      "-kernel", elf], timeout: 30)
        let v = try runCommand(Repo.vireo, ["run", "--isa", Self.isa(name), elf])
        #expect(q.status == v.status, "exit status: qemu \(q.status), vireo \(v.status)")
        #expect(q.stdout.replacingOccurrences(of: "\r\n", with: "\n") == v.stdout)
        #expect(v.stdout.contains("PASS \(name)"))
    }

    /// The default ISA names every extension of the suite, in the device tree's `riscv,isa`
    /// and `riscv,isa-extensions`, and `--isa` accepts and drops them one by one.
    @Test func theDefaultISANamesThem() throws {
        let c = BoardConfig()
        let isa = Machine.isaString(c)
        for name in ["zba", "zbb", "zbc", "zbs", "zfhmin", "zihintpause", "zicbop"] {
            #expect(isa.contains("_\(name)"), "\(isa)")
            #expect(Machine.isaExtensions(c).contains(name))
            var one = BoardConfig()
            #expect(Machine.parseISA("rv64gc_\(name)", into: &one) == nil)
            // rv64imafdc, zicntr, zicsr, zifencei and this one only
            #expect(Machine.isaString(one).contains("_\(name)") && Machine.isaString(one).split(separator: "_").count == 5,
                    "\(Machine.isaString(one))")
        }
        var narrow = BoardConfig()
        #expect(Machine.parseISA("rv64imac_zfhmin", into: &narrow) != nil, "zfhmin needs F and D")
    }
}
