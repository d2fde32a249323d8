import Foundation
import Testing
import TestSupport

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
        #expect(interpreted.stderr.contains(" cycles (CPI ") || interpreted.stderr.contains("hart 1: "),
                "\(label): \(interpreted.stderr)")  // (statistics per hart with --harts)
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

    /// A spinlock loop on 1, 2 and 4 harts (amoswap.w.aq to take it, retried while held; a
    /// fence; an LR/SC increment of a shared counter; fence rw,w and sw to release it):
    /// translated atomics keep the harts' interleaving, reservations and counts the same.
    @Test func lockLoopRunsTheSame() throws {
        // a0 = hart id. s0 = lock, s1 = counter.
        let words: [UInt32] = [
            0x0000_0417,  // 0x00 auipc s0, 0
            0x1004_0413,  // 0x04 addi s0, s0, 0x100
            0x0084_0493,  // 0x08 addi s1, s0, 8
            0x0010_0293,  // 0x0C addi t0, zero, 1
            0x0C54_232F,  // 0x10 retry: amoswap.w.aq t1, t0, (s0)
            0xFE03_1EE3,  // 0x14 bnez t1, retry
            0x0330_000F,  // 0x18 fence rw, rw
            0x1004_B3AF,  // 0x1C again: lr.d t2, (s1)
            0x0013_8393,  // 0x20 addi t2, t2, 1
            0x1874_BE2F,  // 0x24 sc.d t3, t2, (s1)
            0xFE0E_1AE3,  // 0x28 bnez t3, again
            0x0310_000F,  // 0x2C fence rw, w
            0x0004_2023,  // 0x30 sw zero, 0(s0)
            0xFDDF_F06F,  // 0x34 j retry
        ]
        var bytes = words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        bytes += [UInt8](repeating: 0, count: 0x200 - bytes.count)
        var elf = TestELFWriter()
        elf.segments = [.init(flags: 7, virtualAddress: 0x8000_0000, physicalAddress: 0x8000_0000, bytes: bytes,
                              memorySize: UInt64(bytes.count))]
        elf.symbols = [.init(name: "_start", value: 0x8000_0000, type: 2)]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-lock-\(UUID().uuidString).elf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(elf.build()))
        defer { try? FileManager.default.removeItem(atPath: path) }
        for harts in [1, 2, 4] {
            try Self.compare(["run", "--harts", String(harts), "--max-instructions", "3000000", path], label: "lock, \(harts) harts")
        }
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
