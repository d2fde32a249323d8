import Foundation
import Testing

/// The JIT changes host time only: every conformance program, and the hypervisor stack,
/// print the same console output and the same statistics (instructions and cycles by mode,
/// traps by cause, TLB misses, VM exits) with every block entry translated at its first
/// visit (`--jit-threshold 0`) as with `--no-jit` (docs/decisions/0008).
@Suite struct JITEquivalenceTests {
    /// Standard error without the lines that describe the host (time, MIPS, the JIT itself).
    static func guestVisible(_ stderr: String) -> String {
        stderr.split(separator: "\n").filter { !$0.hasPrefix("  host") }.joined(separator: "\n")
    }

    static func compare(_ arguments: [String], label: String) throws {
        let interpreted = try runCommand(Repo.vireo, arguments + ["--stats", "--no-jit"], timeout: 300)
        let translated = try runCommand(Repo.vireo, arguments + ["--stats", "--jit-threshold", "0"], timeout: 300)
        #expect(interpreted.stderr.contains(" cycles (CPI "), "\(label): \(interpreted.stderr)")
        #expect(translated.stderr.contains("host JIT: ") && !translated.stderr.contains("host JIT: off"), "\(label): \(translated.stderr)")
        #expect(translated.status == interpreted.status, "\(label)")
        #expect(translated.stdout == interpreted.stdout, "\(label): console differs")
        #expect(guestVisible(translated.stderr) == guestVisible(interpreted.stderr),
                "\(label):\n--- interpreted\n\(interpreted.stderr)\n--- translated\n\(translated.stderr)")
    }

    static let suites: [(dir: URL, isa: String)] = [
        (Repo.programs, "rv64imac"), (Repo.strictPrograms, "rv64imac"),
        (Repo.riscvOut.appendingPathComponent("programs-h"), "rv64imac_h_sstc"),
        (Repo.riscvOut.appendingPathComponent("programs-fp"), "rv64gc_h_sstc"),
        // Zba/Zbb/Zbc/Zbs translated, Zfhmin and the hints interpreted (`absent` fails here
        // on purpose, the same way on both)
        (Repo.riscvOut.appendingPathComponent("programs-rva22-unpriv"), "rv64gc_zicbop_zihintpause_zfhmin_zba_zbb_zbc_zbs"),
        (Repo.riscvOut.appendingPathComponent("programs-rva22-unpriv-strict"), "rv64gc_zicbop_zihintpause_zfhmin_zba_zbb_zbc_zbs"),
    ]

    @Test(arguments: 0..<suites.count)
    func conformanceProgramsRunTheSame(_ i: Int) throws {
        let (dir, isa) = Self.suites[i]
        let elfs = Repo.elfs(in: dir)
        try #require(!elfs.isEmpty, "run tools/build-riscv.sh first (\(dir.path))")
        for elf in elfs {
            try Self.compare(["run", "--isa", isa, "--max-instructions", "20000000", elf], label: elf)
        }
    }

    @Test func hypervisorStackRunsTheSame() throws {
        let fw = HypervisorBootTests.firmware
        let guest = HypervisorBootTests.guest
        try Self.compare(["boot", "--firmware", fw, "--max-instructions", "400000000",
                          "--guest", guest("ticker") + ",name=ticker", "--guest", guest("hello") + ",name=hello"],
                         label: "ticker + hello")
        try Self.compare(["boot", "--firmware", fw, "--max-instructions", "400000000", "--guest", guest("smp") + ",vcpus=2"],
                         label: "smp")
    }

    @Test func thresholdBeyondTheCapIsRefused() throws {
        let r = try runCommand(Repo.vireo, ["run", "--jit-threshold", "5000", Repo.programs.appendingPathComponent("rv64i.elf").path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--jit-threshold 5000: at most 2000"), "\(r.stderr)")
    }

    @Test func benchmarkKernelsUnderSv39RunTheSame() throws {
        // One kernel through the MMU, in a shortened run (the instruction limit ends it).
        let elf = Repo.riscvOut.appendingPathComponent("bench/sort-sv39.elf").path
        try #require(FileManager.default.fileExists(atPath: elf), "run tools/build-riscv.sh bench")
        try Self.compare(["run", "--max-instructions", "3000000", elf], label: "sort-sv39")
    }
}
