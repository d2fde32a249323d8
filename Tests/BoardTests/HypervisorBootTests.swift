import Board
import FirmwareKit
import Foundation
import Testing
import TestSupport

/// System tests of the hypervisor firmware (issue 6): `vireo boot` runs firmware + guests
/// headless on the board, with scripted console input where needed, and the transcript
/// and exit code are checked; the same images on QEMU (skipped when absent) must print the
/// same, domain by domain.
@Suite struct HypervisorBootTests {
    static let firmware = Repo.riscvOut.appendingPathComponent("firmware/vireo-fw.elf").path
    static func guest(_ name: String) -> String { Repo.riscvOut.appendingPathComponent("guests/\(name).elf").path }
    static let built = FileManager.default.fileExists(atPath: firmware)
        && ["hello", "ticker", "crash"].allSatisfy { FileManager.default.fileExists(atPath: guest($0)) }

    static func boot(_ arguments: [String], stdin: Data? = nil) throws -> Outcome {
        try runCommand(Repo.vireo, ["boot", "--firmware", firmware, "--max-instructions", "400000000"] + arguments,
                       stdin: stdin, timeout: 120)
    }

    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    static let helloTranscript = [
        "hello: Vireo guest hello on hart 0",
        "hello: memory base 0x80000000 size 0x2000000",
        "hello: cpus 1",
        // The board's default ISA less H (no nested virtualization) and Zihpm (closed).
        "hello: cpu 0 riscv,isa \(ISAString(Machine.isaString(BoardConfig())).forGuests)",
        "hello: timebase-frequency 10000000 Hz",
        "hello: no bootargs",
        "hello: stdout-path /soc/serial@10000000",
        "hello: SBI spec 2.0",
        "hello: SBI implementation Vireo (id 1447645765), version 0x1",
        "hello: extension BASE present",
        "hello: extension TIME present",
        "hello: extension IPI present",
        "hello: extension RFENCE present",
        "hello: extension HSM present",
        "hello: extension SRST present",
        "hello: extension DBCN present",
        "hello: unknown extension 0x0a000042: error -2 (SBI_ERR_NOT_SUPPORTED), ok",
        "hello: done, shutting down",
    ]

    /// hello as Dom0: it reads the DTB the firmware wrote for it (memory, cpus, ISA without
    /// H, stdout-path), probes SBI and shuts down; Dom0's shutdown powers the board off.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func helloAsDom0() throws {
        let r = try Self.boot(["--guest", Self.guest("hello")])
        #expect(r.status == 0, "\(r.stderr)")
        let out = Self.lines(r.stdout)
        #expect(out.first == "Vireo hypervisor firmware: 1 hart, 256 MiB, \(Machine.isaString(BoardConfig()))")
        #expect(out.contains("vireo: domain 0 (dom0): 32 MiB at 0x80400000, 1 vCPU, entry 0x80200000"))
        #expect(out.filter { $0.hasPrefix("hello:") } == Self.helloTranscript)
        #expect(out.last == "vireo: domain 0 (dom0) shut down")
    }

    /// The default stack: ticker (Dom0) and hello share hart 0 under the 1 ms weighted
    /// scheduler; hello's console lines carry its name; ticker counts 10 timer interrupts that
    /// preempted its compute loop; the run is deterministic.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func defaultStackTwoGuests() throws {
        let r = try Self.boot(["--guest", Self.guest("ticker") + ",name=ticker", "--guest", Self.guest("hello") + ",name=hello", "--stats"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = Self.lines(r.stdout)
        let hello = out.filter { $0.hasPrefix("[hello] ") }.map { String($0.dropFirst(8)) }
        var expected = Self.helloTranscript
        expected[5] = "hello: bootargs \"name=hello\""
        #expect(hello == expected)
        #expect(out.contains("ticker: 10 ticks, main loop preempted 10 times"))
        let helloDown = try #require(out.firstIndex(of: "vireo: domain 1 (hello) shut down"))
        let tickerDone = try #require(out.firstIndex(of: "ticker: done"))
        #expect(helloDown < tickerDone, "hello runs to its end while ticker still computes")
        #expect(out.last == "vireo: domain 0 (ticker) shut down")
        // --stats: guest time in VS, VM exits by cause (SBI calls, the slice timer).
        #expect(r.stderr.contains("VM exits (traps from VS/VU into HS or M)"))
        #expect(r.stderr.range(of: #"\n    ecall from VS +[1-9][0-9]*\n"#, options: .regularExpression) != nil)
        #expect(r.stderr.range(of: #"\n    machine timer interrupt +[1-9][0-9]*\n"#, options: .regularExpression) != nil)
        #expect(r.stderr.range(of: #"\n  VS +[1-9][0-9]+ +[1-9][0-9]+\n"#, options: .regularExpression) != nil)
        let again = try Self.boot(["--guest", Self.guest("ticker") + ",name=ticker", "--guest", Self.guest("hello") + ",name=hello", "--stats"])
        #expect(again.stdout == r.stdout)
        #expect(Self.cycles(again.stderr) == Self.cycles(r.stderr))
    }

    static func cycles(_ stats: String) -> String? {
        stats.split(separator: "\n").first { $0.hasPrefix("vireo: exit code") }.map(String.init)
    }

    /// Without Sstc the firmware keeps the guest's SBI deadline and injects VSTIP itself.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func injectedTimerWithoutSstc() throws {
        let r = try Self.boot(["--isa", "rv64imac_h", "--guest", Self.guest("ticker")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("rv64imach_zicntr_zicsr_zifencei\n"))
        #expect(r.stdout.contains("ticker: 10 ticks, main loop preempted 10 times\nticker: done\n"))
    }

    /// The guest's memory size and vCPU count come from its module arguments; a second
    /// vCPU is reported STOPPED in the DTB's cpus and the guest sees both.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func moduleOptionsShapeTheGuest() throws {
        let r = try Self.boot(["--guest", Self.guest("hello") + ",mem=3M vcpus=2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("vireo: domain 0 (dom0): 3 MiB at 0x80400000, 2 vCPUs, entry 0x80200000"))
        #expect(r.stdout.contains("hello: memory base 0x80000000 size 0x300000\n"))
        #expect(r.stdout.contains("hello: cpus 2\n"))
    }

    /// Scripted console input reaches Dom0 through SBI DBCN console_read.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func consoleInputReachesDom0() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-hv-input-\(getpid()).txt")
        try "60000000 hi there\\n\n".write(to: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: script) }
        let r = try Self.boot(["--guest", Self.guest("hello") + ",echo", "--console-input", script.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("hello: echo \"hi there\" (8 bytes, newline)\n"))
    }

    /// Containment (DESIGN §3 "Faults"): each crash case runs as domain 1 beside ticker,
    /// and ticker finishes. An access to a guest-physical address with nothing behind it goes
    /// back to the guest as the access fault the hardware raises natively (the crash guest's
    /// runtime reports it and shuts down with "system failure"); a guest that cannot take
    /// the trap (its vector is the faulting address) is stopped with cause, pc and tval.
    static let containment: [(String, String?)] = [
        ("load-unmapped", "[dom1] trap: unexpected load access fault (scause 0x5) at sepc 0x802"),
        ("store-unmapped", "[dom1] trap: unexpected store/AMO access fault (scause 0x7) at sepc 0x802"),
        ("fetch-unmapped", "[dom1] trap: unexpected instruction access fault (scause 0x1) at sepc 0x40000000, stval 0x40000000\nvireo: domain 1 (dom1) shut down, reason: system failure\n"),
        ("no-handler", "vireo: domain 1 (dom1) stopped: instruction guest-page fault at pc 0x0, tval 0x0 (guest-physical 0x0), and its trap vector points there"),
        ("illegal-csr", "[dom1] crash: handler saw scause 0x2 (illegal instruction), stval 0x30002573, sepc at the csrr"),
        ("bad-sbi", "[dom1] crash: DBCN console_write of 16 bytes at 0x40000000: error -3 (SBI_ERR_INVALID_PARAM)"),
        ("wfi-forever", nil),
        ("spin", nil),
    ]

    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"),
          arguments: containment.map(\.0))
    func containment(_ name: String) throws {
        let r = try Self.boot(["--guest", Self.guest("ticker"), "--guest", Self.guest("crash") + ",case=\(name)"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("[dom1] crash: case \(name)\n"))
        if let line = Self.containment.first(where: { $0.0 == name })?.1 {
            #expect(r.stdout.contains(line), "\(r.stdout)")
        }
        if name.hasSuffix("unmapped") {
            #expect(r.stdout.contains(", stval 0x40000000\nvireo: domain 1 (dom1) shut down, reason: system failure\n"), "\(r.stdout)")
        }
        #expect(r.stdout.hasSuffix("ticker: 10 ticks, main loop preempted 10 times\nticker: done\nvireo: domain 0 (dom0) shut down\n"))
    }

    /// A Swift runtime trap inside the firmware is reported with its pc, and the board stops
    /// with the firmware's failure code instead of hanging.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func firmwareTrapIsReported() throws {
        let r = try Self.boot(["--append", "vireo.selftest=swift-trap", "--guest", Self.guest("hello")])
        #expect(r.status == 3)
        #expect(r.stdout.range(of: #"vireo: firmware trap: cause 2 \(illegal instruction: a Swift runtime trap, or an instruction this hart lacks\) at pc 0x800[0-9a-f]+"#,
                               options: .regularExpression) != nil, "\(r.stdout)")
        #expect(!r.stdout.contains("hello:"))
    }

    /// Bad input gets a clear message: a module that is not an ELF, or one too big for memory.
    /// (A board without H is not bad input: ShadowModeTests.boardsWithoutH boots on one.)
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func badModules() throws {
        let junk = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-hv-junk-\(getpid()).bin")
        try Data("this is not an ELF file at all".utf8).write(to: junk)
        defer { try? FileManager.default.removeItem(at: junk) }
        let r = try Self.boot(["--guest", junk.path, "--guest", Self.guest("hello")])
        #expect(r.stdout.contains("vireo: module at 0x80200000 (dom0): not a loadable ELF or Linux Image: "), "\(r.stdout)")
        // Module positions are domain ids: hello stays domain 1 and does not become Dom0.
        #expect(r.stdout.contains("vireo: domain 1 (dom1): 32 MiB"))
        #expect(r.stdout.contains("[dom1] hello: done, shutting down"))
        #expect(r.stdout.hasSuffix("vireo: domain 1 (dom1) shut down\nvireo: no domain is left running; powering off\n"))
        #expect(r.status == 1)

        let tooBig = try Self.boot(["--guest", Self.guest("hello") + ",mem=1G"])
        #expect(tooBig.stdout.contains("(dom0): not enough free memory for 1024 MiB"), "\(tooBig.stdout)")
        #expect(tooBig.stdout.contains("vireo: no domain is left running; powering off"))
        #expect(tooBig.status == 1)
    }

    // MARK: QEMU

    /// The same firmware and guest images on QEMU 7.2 (the board's DTB, with its boot
    /// modules, passed with -dtb; the modules loaded raw at the addresses it names) print the
    /// same lines for each domain and end with the same status.
    @Test(.enabled(if: built && ReferenceTests.qemu != nil, "qemu-system-riscv64 or the firmware/guests missing"),
          arguments: [["hello"], ["ticker"], ["ticker", "crash,case=load-unmapped"], ["ticker", "crash,case=no-handler"],
                      ["hello,mem=3M vcpus=2"]])
    func sameOnQEMU(_ guests: [String]) throws {
        let modules = guests.map { g -> String in
            let parts = g.split(separator: ",", maxSplits: 1)
            return Self.guest(String(parts[0])) + (parts.count > 1 ? "," + parts[1] : "")
        }
        // Both with the ISA QEMU's DTB below claims (QEMU 7.2 lacks Zicbom/Zicboz).
        let board = try Self.boot(["--isa", "rv64gc_h_sstc"] + modules.flatMap { ["--guest", $0] })
        let q = try Self.runOnQEMU(modules)
        #expect(q.status == board.status, "qemu \(q.status) vs board \(board.status): \(q.stderr)")
        // Domains interleave differently on the two machines (different timing), so the
        // lines are compared per domain: domain 1's (its console and the firmware's lines
        // about it) and everything else.
        func split(_ text: String) -> (dom1: [String], rest: [String]) {
            let all = Self.lines(text)
            let isDom1 = { (l: String) in l.hasPrefix("[dom1] ") || l.contains("domain 1 (") }
            return (all.filter(isDom1), all.filter { !isDom1($0) })
        }
        #expect(split(q.stdout).dom1 == split(board.stdout).dom1)
        #expect(split(q.stdout).rest == split(board.stdout).rest)
    }

    /// MMIO emulation: the bench guest reads the virtual UART's scratch register 200 times;
    /// each read is a load guest-page fault the firmware decodes and emulates. On the board
    /// the decoding uses htinst; QEMU 7.2 leaves htinst 0, so there the firmware reads the
    /// instruction with HLVX. Both must finish the run.
    @Test(.enabled(if: built && FileManager.default.fileExists(atPath: guest("bench")), "firmware/guests not built"))
    func mmioEmulation() throws {
        let r = try Self.boot(["--guest", Self.guest("bench"), "--stats"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("bench: done\n"))
        let line = r.stderr.split(separator: "\n").first { $0.hasPrefix("    load guest-page fault") }
        let count = line.flatMap { $0.split(separator: " ").last }.flatMap { UInt64($0) }
        #expect(count == 200, "\(r.stderr)")
        guard ReferenceTests.qemu != nil else { return }
        let q = try Self.runOnQEMU([Self.guest("bench")])
        #expect(q.status == 0)
        #expect(q.stdout.contains("bench: uart-read-cycles "))
        #expect(q.stdout.contains("bench: done\n"))
    }

    /// Runs the firmware with these boot modules (FILE[,ARGS]) on QEMU 7.2: the board's own
    /// DTB for the same flags (`vireo dtb --bios --module`) goes in with -dtb, and each
    /// module is loaded raw at the address its /chosen/module@ node names.
    static func runOnQEMU(_ modules: [String]) throws -> Outcome {
        let dtbPath = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-hv-\(UUID().uuidString).dtb")
        defer { try? FileManager.default.removeItem(at: dtbPath) }
        let raw = try binaryOutput(Repo.vireo, ["dtb", "--isa", "rv64gc_h_sstc", "--bios", firmware] + modules.flatMap { ["--module", $0] })
        try raw.write(to: dtbPath)
        let addresses = try raw.withUnsafeBytes { bytes throws(FDTError) -> [UInt64] in
            let fdt = try FDT(bytes)
            var list: [UInt64] = []
            fdt.node(at: "/chosen")?.forEachChild { node in
                if node.isCompatible("multiboot,module"), let reg = node.reg(0) { list.append(reg.address) }
            }
            return list
        }
        #expect(addresses.count == modules.count)
        var args = ["-machine", "virt", "-m", "256M", "-cpu", "rv64,h=true,sstc=true", "-nographic", "-bios", firmware, "-dtb", dtbPath.path]
        for (m, address) in zip(modules, addresses) {
            let file = String(m.split(separator: ",", maxSplits: 1)[0])
            args += ["-device", "loader,file=\(file),addr=0x\(String(address, radix: 16)),force-raw=on"]
        }
        return try runCommand(ReferenceTests.qemu!, args, timeout: 60)
    }

    static func binaryOutput(_ path: String, _ arguments: [String]) throws -> Data {
        try runSubprocess(path, arguments, timeout: 120).stdout
    }
}
