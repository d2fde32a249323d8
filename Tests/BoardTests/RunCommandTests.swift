import Board
import BoardCore
import Foundation
import Testing
import VireoELF
import TestSupport

/// `vireo run`: loading, refusals with one clear line, exit codes, limits, stats and traces.
@Suite struct RunCommandTests {
    func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-tests-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Refusals: one line on stderr naming the file and the reason, exit status 2.
    /// `vireo dtb -o FILE` writes the blob; without -o it goes to a pipe but never to a
    /// terminal (script(1) gives it one); `-m` is `--memory`, as on QEMU.
    @Test func dtbToAFileOrAPipeNotATerminal() throws {
        let path = try temporaryFile("board-\(UUID().uuidString).dtb", [])
        let r = try runCommand(Repo.vireo, ["dtb", "-m", "128M", "-o", path])
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r.stderr)")
        let blob = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(blob.prefix(4) == [0xD0, 0x0D, 0xFE, 0xED])
        let piped = try runCommand("/bin/sh", ["-c", "\"$0\" dtb -m 128M | cat", Repo.vireo])
        #expect([UInt8](piped.stdout.utf8).count > 0 && piped.status == 0)
        #expect(try [UInt8](runSubprocess(Repo.vireo, ["dtb", "-m", "128M"], timeout: 60).stdout) == blob)
        if let script = Repo.executable("script") {
            let tty = try runCommand(script, ["-qec", "\(Repo.vireo) dtb", "/dev/null"])
            #expect(tty.status == 2)
            #expect(tty.stdout.contains("vireo: the device tree is binary: give -o FILE, or pipe it"), "\(tty.stdout)")
        }
        let bad = try runCommand(Repo.vireo, ["dtb", "-o", "/nonexistent/dir/x.dtb"])
        #expect(bad.status == 1 && bad.stderr == "vireo: /nonexistent/dir/x.dtb: cannot write the device tree\n")
    }

    @Test func refusesNonELF() throws {
        let path = try temporaryFile("notes.txt", Array("hello, board\n".utf8))
        let r = try runCommand(Repo.vireo, ["run", path])
        #expect(r.status == 2)
        #expect(r.stderr == "vireo: \(path): not an ELF file (no \\x7fELF magic)\n")
    }

    @Test func refusesMissingFile() throws {
        let r = try runCommand(Repo.vireo, ["run", "/nonexistent/kernel.elf"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vireo: /nonexistent/kernel.elf: cannot open"))
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func refusesHostExecutable() throws {
        // The test runner itself is an x86-64 (or AArch64) ELF: not RISC-V 64.
        let r = try runCommand(Repo.vireo, ["run", Repo.vireo])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a RISC-V 64-bit executable"))
    }

    @Test func refusesSegmentOutsideMemory() throws {
        // A real RISC-V executable whose first PT_LOAD is moved to 0x9000_0000, past the
        // end of 256 MiB of DRAM (ELF64 header: e_phoff at 0x20; p_vaddr/p_paddr at +0x10/+0x18).
        var bytes = [UInt8](try Data(contentsOf: Repo.programs.appendingPathComponent("rv64i.elf")))
        let phoff = bytes.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: 0x20, as: UInt64.self)) }
        let moved = withUnsafeBytes(of: UInt64(0x9000_0000).littleEndian) { Array($0) }
        bytes.replaceSubrange((phoff + 0x10)..<(phoff + 0x18), with: moved)
        bytes.replaceSubrange((phoff + 0x18)..<(phoff + 0x20), with: moved)
        let path = try temporaryFile("moved.elf", bytes)
        let r = try runCommand(Repo.vireo, ["run", path])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("vireo: \(path): segment 0x90000000-"), "\(r.stderr)")
        #expect(r.stderr.contains("lies outside memory (DRAM 0x80000000-0x90000000, ROM 0x1000-0x2000)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
    }

    @Test func refusesBadMemoryFlag() throws {
        let r = try runCommand(Repo.vireo, ["run", "--memory", "12Q", Repo.demo])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--memory 12Q"))
    }

    @Test func exitCodeComesFromTheProgram() throws {
        // The HTIF program passes (0); a program stopped by the limit exits 124 with a message.
        let ok = try runCommand(Repo.vireo, ["run", Repo.programs.appendingPathComponent("htif.elf").path])
        #expect(ok.status == 0)
        #expect(ok.stdout == "HTIF console ok\n")
        let limited = try runCommand(Repo.vireo, ["run", "--max-instructions", "500", Repo.programs.appendingPathComponent("rv64i.elf").path])
        #expect(limited.status == 124)
        #expect(limited.stderr.contains("stopped after 500 instructions"))
    }

    @Test func statsReportModesTrapsAndTLB() throws {
        // rv64imac: without H the supervisor mode is "S" (with H, the default, it is "HS").
        let r = try runCommand(Repo.vireo, ["run", "--isa", "rv64imac", "--stats", Repo.programs.appendingPathComponent("vm.elf").path])
        #expect(r.status == 0)
        #expect(r.stderr.contains("exit code 0 after"))
        for line in ["  M  ", "  S  ", "  U  ", "store/AMO page fault", "TLB misses:"] {
            #expect(r.stderr.contains(line), "missing \(line) in\n\(r.stderr)")
        }
    }

    @Test func traceIsSpikeStyleCommitLog() throws {
        let trace = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-trace-\(getpid()).log").path
        let r = try runCommand(Repo.vireo, ["run", "--trace", trace, "--max-instructions", "20",
                                            Repo.programs.appendingPathComponent("rv64i.elf").path])
        #expect(r.status == 124)
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init)
        // The boot ROM: auipc t0, 0 at 0x1000 writes x5 = 0x1000; csrr a0, mhartid writes x10 = 0.
        #expect(lines.first == "core   0: 3 0x0000000000001000 (0x00000297) x5  0x0000000000001000")
        #expect(lines[2] == "core   0: 3 0x0000000000001008 (0xf1402573) x10 0x0000000000000000")
        // jr t0 lands on the ELF entry.
        #expect(lines[6].hasPrefix("core   0: 3 0x0000000080000000 "))
        #expect(lines.count == 20)
    }

    /// Same ELF, same flags: the same cycles, instructions and console output.
    @Test func runsAreDeterministic() throws {
        func once() -> (UInt64, UInt64, String) {
            let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
            try? m.load(path: Repo.demo)
            let stop = m.run(maxInstructions: 50_000_000)
            #expect(stop == .exited(0))
            return (m.hart.cycles, m.hart.instret, m.bus.uart.transcriptString)
        }
        let a = once(), b = once()
        #expect(a.0 == b.0)
        #expect(a.1 == b.1)
        #expect(a.2 == b.2)
        #expect(a.2.contains("timer interrupt after 10000 ticks"))
    }

    /// HTIF exit with a failure code, from a program assembled here.
    @Test func htifExitCode() throws {
        var code = RV.assemble([
            RV.auipc(5, 1),            // auipc t0, 1        -> t0 = entry + 0x1000 (tohost)
            RV.addi(6, 0, 0x101),      // li    t1, 0x101
            RV.slli(6, 6, 48),         // slli  t1, t1, 48   -> device 1, command 1 (putchar)
            RV.addi(6, 6, 0x41),       // addi  t1, t1, 'A'
            RV.sd(6, 5, 0),            // sd    t1, 0(t0)
            RV.addi(6, 0, 7),          // li    t1, 7        -> exit code 3
            RV.sd(6, 5, 0),            // sd    t1, 0(t0)
            RV.jal(0, 0),              // j     .
        ])
        code += [UInt8](repeating: 0, count: 0x1000 - code.count) + [UInt8](repeating: 0, count: 16)
        let program = ELFProgram(path: "htif-fail", entry: 0x8000_0000,
                                 segments: [ELFSegment(physicalAddress: 0x8000_0000, virtualAddress: 0x8000_0000, bytes: code,
                                                       memorySize: UInt64(code.count), readable: true, writable: true, executable: true)],
                                 symbols: ["tohost": 0x8000_1000, "fromhost": 0x8000_1008])
        let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
        try m.load(program)
        #expect(m.run(maxInstructions: 1000) == .exited(3))
        #expect(m.bus.uart.transcriptString == "A")
    }

    @Test func wfiWithNothingToWakeIsReported() throws {
        let code = RV.assemble([0x1050_0073 /* wfi */, RV.jal(0, -4)])
        let program = ELFProgram(path: "sleeper", entry: 0x8000_0000,
                                 segments: [ELFSegment(physicalAddress: 0x8000_0000, virtualAddress: 0x8000_0000, bytes: code,
                                                       memorySize: UInt64(code.count), readable: true, writable: false, executable: true)])
        let m = Machine(uart: UART16550(outputFD: -1, inputFD: -1))
        try m.load(program)
        #expect(m.run(maxInstructions: 1000) == .deadlock(pc: 0x8000_0004))
    }
}

/// A few RV64I encoders (Unpriv. §2.2 instruction formats) for programs built in tests.
enum RV {
    static func i(_ op: UInt32, _ rd: UInt32, _ f3: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        (UInt32(bitPattern: imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op
    }
    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { i(0x13, rd, 0, rs1, imm) }
    static func slli(_ rd: UInt32, _ rs1: UInt32, _ sh: Int32) -> UInt32 { i(0x13, rd, 1, rs1, sh) }
    static func auipc(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { (imm20 << 12) | (rd << 7) | 0x17 }
    static func sd(_ rs2: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 {
        let u = UInt32(bitPattern: imm)
        return ((u >> 5 & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (3 << 12) | ((u & 0x1F) << 7) | 0x23
    }
    static func jal(_ rd: UInt32, _ offset: Int32) -> UInt32 {
        let u = UInt32(bitPattern: offset)
        return ((u >> 20 & 1) << 31) | ((u >> 1 & 0x3FF) << 21) | ((u >> 11 & 1) << 20) | ((u >> 12 & 0xFF) << 12) | (rd << 7) | 0x6F
    }
    static func assemble(_ words: [UInt32]) -> [UInt8] {
        words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
    }
}
