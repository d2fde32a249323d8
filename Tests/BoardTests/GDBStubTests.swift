import Board
import FirmwareKit
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The gdb stub (issue 15 item 4): `gdb-multiarch -batch` sessions against
/// `vireo run -S --gdb tcp::PORT` and `vireo boot`, asserting on what gdb prints; the packet
/// layer on its own and over a raw socket; and the cycles of a run gdb only continues.
@Suite(.serialized) struct GDBStubTests {
    static let gdb = executableOnPath("gdb-multiarch")
    static let hasGDB = gdb != nil

    // MARK: A tiny program with symbols

    static func itype(_ imm: Int32, _ rs1: UInt32, _ f3: UInt32, _ rd: UInt32, _ op: UInt32) -> UInt32 {
        RawProgram.itype(imm, rs1, f3, rd, op)
    }
    static func addi(_ rd: UInt32, _ rs1: UInt32, _ imm: Int32) -> UInt32 { itype(imm, rs1, 0, rd, 0x13) }
    static func add(_ rd: UInt32, _ rs1: UInt32, _ rs2: UInt32) -> UInt32 { rs2 << 20 | rs1 << 15 | rd << 7 | 0x33 }
    static func auipc(_ rd: UInt32, _ imm20: UInt32) -> UInt32 { imm20 << 12 | rd << 7 | 0x17 }
    static func sd(_ rs2: UInt32, _ rs1: UInt32, _ off: UInt32) -> UInt32 {
        (off >> 5) << 25 | rs2 << 20 | rs1 << 15 | 3 << 12 | (off & 31) << 7 | 0x23
    }
    static func ld(_ rd: UInt32, _ rs1: UInt32, _ off: Int32) -> UInt32 { itype(off, rs1, 3, rd, 0x03) }

    /// At 0x8000_0000: a0 = 5, a1 = 7, `sum`: a2 = a0 + a1, `store`: data = a2 (12), then
    /// data = data + 30 (42), then the finisher's pass (or, with `spin`, a loop forever).
    /// `data` (0x8000_0100) starts as 0x1111.
    static func program(spin: Bool = false) throws -> String {
        let (a0, a1, a2, a3, t0, t1, t2): (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (10, 11, 12, 13, 5, 6, 7)
        var words: [UInt32] = [
            addi(a0, 0, 5), addi(a1, 0, 7),
            add(a2, a0, a1),                       // 0x08 sum
            auipc(t0, 0), addi(t0, t0, 0xF4),      // t0 = 0x8000_0100
            sd(a2, t0, 0),                         // 0x14 store
            ld(a3, t0, 0), addi(a3, a3, 30),
            sd(a3, t0, 0),                         // 0x20
        ]
        if spin {
            words.append(RawProgram.jSelf)         // 0x24 spin
        } else {
            words += [RawProgram.lui(t1, 0x100), RawProgram.lui(t2, 0x5), addi(t2, t2, 0x555), RawProgram.sw(t2, t1),
                      RawProgram.jSelf]
        }
        var bytes = words.flatMap { w in withUnsafeBytes(of: w.littleEndian) { Array($0) } }
        bytes += [UInt8](repeating: 0, count: 0x100 - bytes.count)
        bytes += withUnsafeBytes(of: UInt64(0x1111).littleEndian) { Array($0) }
        var elf = TestELFWriter()
        elf.segments = [.init(flags: 7, virtualAddress: 0x8000_0000, physicalAddress: 0x8000_0000, bytes: bytes,
                              memorySize: UInt64(bytes.count))]
        elf.symbols = [.init(name: "_start", value: 0x8000_0000, type: 2), .init(name: "sum", value: 0x8000_0008, type: 2),
                       .init(name: "store", value: 0x8000_0014, type: 2), .init(name: "data", value: 0x8000_0100)]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-gdb-\(UUID().uuidString).elf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(elf.build()))
        return path
    }

    // MARK: Sessions

    /// A TCP port nobody listens on now (bound to port 0, read back, released).
    static func freePort() -> UInt16 {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) } }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// Runs `vireo ARGS --gdb tcp::PORT` in the background and a `gdb-multiarch -batch`
    /// session with `commands` against it (gdb retries the connection until vireo listens);
    /// returns gdb's output and vireo's outcome.
    static func session(_ vireoArguments: [String], _ commands: [String], file: String? = nil,
                        vireo: String = Repo.vireo, timeout: TimeInterval = 120) throws -> (gdb: String, vireo: Outcome) {
        let port = freePort()
        let group = DispatchGroup()
        nonisolated(unsafe) var board: Outcome?
        group.enter()
        DispatchQueue.global().async {
            board = try? runCommand(vireo, vireoArguments + ["--gdb", "tcp::\(port)"], timeout: timeout)
            group.leave()
        }
        var arguments = ["-nx", "-batch", "-ex", "set pagination off", "-ex", "set confirm off",
                         "-ex", "target remote 127.0.0.1:\(port)"]
        for c in commands { arguments += ["-ex", c] }
        if let file { arguments.append(file) }
        let g = try runCommand(gdb!, arguments, timeout: timeout)
        group.wait()
        return (g.stdout + g.stderr, board ?? Outcome(status: -1, stdout: "", stderr: "vireo did not run"))
    }

    // MARK: gdb sessions

    /// Breakpoint by symbol, continue, registers and CSRs, stepi, and the run to its end.
    @Test(.enabled(if: hasGDB, "gdb-multiarch not installed (tools/setup.sh --test)"))
    func breakpointRegistersCSRsAndStep() throws {
        let elf = try Self.program()
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let (out, board) = try Self.session(["run", "-S", "--isa", "rv64imac", elf], [
            "info registers pc", "break *sum", "continue", "info registers pc a0 a1", "p/x $misa", "p/x $mstatus",
            "p/x $mhartid", "p $priv", "stepi", "info registers pc a2", "p/x $a2 = 0x77", "p/x $a2", "continue",
        ], file: elf)
        #expect(out.contains("pc             0x1000"), "\(out)")           // -S: halted at the reset vector
        #expect(out.contains("Breakpoint 1, 0x0000000080000008 in sum ()"), "\(out)")
        #expect(out.contains("pc             0x80000008\t0x80000008 <sum>"), "\(out)")
        #expect(out.contains("a0             0x5\t5"), "\(out)")
        #expect(out.contains("a1             0x7\t7"), "\(out)")
        // rv64imac: MXL = 64, I M A C S U.
        #expect(out.contains("= 0x8000000000141105"), "\(out)")
        // UXL = SXL = 64 (mstatus' reset value; the boot ROM does not touch it).
        #expect(out.contains("= 0xa00000000"), "\(out)")
        #expect(out.contains("= 0x0\n"), "\(out)")                          // mhartid
        #expect(out.contains("prv:3 [Machine]") || out.contains("$4 = 3"), "\(out)")
        #expect(out.contains("pc             0x8000000c"), "\(out)")       // stepi: one instruction
        #expect(out.contains("a2             0xc\t12"), "\(out)")
        #expect(out.contains("= 0x77"), "\(out)")
        #expect(out.contains("exited normally"), "\(out)")
        #expect(board.status == 0, "\(board.stderr)")
    }

    /// A write watchpoint stops after each store with the old and new values.
    @Test(.enabled(if: hasGDB, "gdb-multiarch not installed (tools/setup.sh --test)"))
    func watchpointSeesTheStore() throws {
        let elf = try Self.program()
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let (out, board) = try Self.session(["run", "-S", elf], [
            "watch *(long *)0x80000100", "continue", "info registers pc", "continue", "info registers pc",
            "delete", "x/gx 0x80000100", "continue",
        ], file: elf)
        #expect(out.contains("Hardware watchpoint 1: *(long *)0x80000100"), "\(out)")
        #expect(out.contains("Old value = 4369\nNew value = 12"), "\(out)")
        #expect(out.contains("pc             0x80000018"), "\(out)")       // after the store at `store`
        #expect(out.contains("Old value = 12\nNew value = 42"), "\(out)")
        #expect(out.contains("pc             0x80000024"), "\(out)")
        #expect(out.contains("0x80000100 <data>:\t0x000000000000002a"), "\(out)")
        #expect(out.contains("exited normally"), "\(out)")
        #expect(board.status == 0, "\(board.stderr)")
    }

    /// One thread per hart: `info threads`, `thread 2` and that hart's registers; monitor.
    @Test(.enabled(if: hasGDB, "gdb-multiarch not installed (tools/setup.sh --test)"))
    func threadsAreHartsAndMonitor() throws {
        let elf = try Self.program()
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let (out, board) = try Self.session(["run", "-S", "--harts", "2", elf], [
            // Only the selected thread runs while stepping: gdb resumes it alone (vCont;c:2).
            "set scheduler-locking step",
            "info threads", "thread 2", "p/x $mhartid", "stepi", "stepi", "stepi", "p/x $a0", "thread 1", "p/x $mhartid",
            "p/x $pc", "monitor mode", "monitor help", "monitor stats", "monitor frobnicate",
        ], file: elf)
        #expect(out.contains("Thread 1 (hart 0, M)"), "\(out)")
        #expect(out.contains("Thread 2 (hart 1, M)"), "\(out)")
        #expect(out.contains("[Switching to thread 2 (Thread 2)]"), "\(out)")
        #expect(out.contains("$1 = 0x1\n"), "\(out)")
        #expect(out.contains("$2 = 0x1\n"), "\(out)")                        // boot ROM: a0 = hart id
        #expect(out.contains("$3 = 0x0\n"), "\(out)")
        #expect(out.contains("$4 = 0x1000\n"), "\(out)")                     // hart 0 did not move
        #expect(out.contains("hart 0: M (priv 3, V=0) pc 0x1000"), "\(out)")
        #expect(out.contains("hart 1: M (priv 3, V=0) pc 0x100c"), "\(out)")
        #expect(out.contains("monitor stats"), "\(out)")
        #expect(out.contains("vireo: stopped by gdb after 3 instructions"), "\(out)")
        #expect(out.contains("  mode  instructions        cycles"), "\(out)")
        #expect(out.contains("unknown monitor command 'frobnicate'"), "\(out)")
        #expect(board.status == 0, "\(board.stderr)")
    }

    /// Ctrl-C stops a spinning program where it spins; `kill` ends vireo.
    @Test(.enabled(if: hasGDB, "gdb-multiarch not installed (tools/setup.sh --test)"))
    func interruptStopsARunningBoard() throws {
        let elf = try Self.program(spin: true)
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let (out, board) = try Self.session(["run", elf], [
            // gdb's Ctrl-C: SIGINT to gdb (the shell's parent) while `continue` waits. The
            // test runner's threads block SIGINT and a spawned gdb inherits the mask: unblock it.
            "python import signal; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])",
            "shell (sleep 1; kill -INT $PPID) &", "continue", "info registers pc", "kill",
        ], file: elf)
        #expect(out.contains("SIGINT"), "\(out)")
        #expect(out.contains("pc             0x80000024"), "\(out)")
        #expect(board.stderr.contains("vireo: killed by gdb"), "\(board.stderr)")
    }

    /// A run gdb attaches to and only continues keeps exactly the cycles of a run without it.
    @Test(.enabled(if: hasGDB, "gdb-multiarch not installed (tools/setup.sh --test)"))
    func continuedRunKeepsTheCycles() throws {
        for (path, harts) in [(Repo.programs.appendingPathComponent("interrupts.elf").path, "1"),
                                 (Repo.riscvOut.appendingPathComponent("smp/smp4.elf").path, "4")]
        where FileManager.default.fileExists(atPath: path) {
            let plain = try runCommand(Repo.fastVireo, ["run", "--stats", "--harts", harts, path], timeout: 120)
            let (out, attached) = try Self.session(["run", "-S", "--stats", "--harts", harts, path], ["continue"],
                                                   vireo: Repo.fastVireo)
            func summary(_ s: String) -> String? { s.split(separator: "\n").first { $0.hasPrefix("vireo: exit code") }.map(String.init) }
            #expect(summary(plain.stderr) != nil, "\(plain.stderr)")
            #expect(summary(attached.stderr) == summary(plain.stderr), "\(attached.stderr)\n\(out)")
            #expect(attached.status == plain.status)
        }
    }

    /// A breakpoint at a guest's entry under the hypervisor stops there in VS-mode, and
    /// memory at the guest's virtual addresses reads the guest's code (two-stage
    /// translation: guest physical 0x8020_0000 is not host physical 0x8020_0000).
    @Test(.enabled(if: hasGDB && HypervisorBootTests.built, "gdb-multiarch or the firmware and guests not built"))
    func stopsInAGuestUnderTheHypervisor() throws {
        let hello = HypervisorBootTests.guest("hello")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: hello)))
        let image = try bytes.withUnsafeBytes { raw in try ELFImage(raw) }
        let segment = try #require(image.segments.first { $0.virtualAddress <= image.entry && image.entry < $0.virtualAddress + $0.fileSize })
        let at = Int(segment.fileOffset + image.entry - segment.virtualAddress)
        let firstWord = bytes[at..<(at + 4)].reversed().map { String(format: "%02x", $0) }.joined()
        let (out, board) = try Self.session(
            ["boot", "-S", "--firmware", HypervisorBootTests.firmware, "--guest", hello, "--max-instructions", "400000000"],
            ["hbreak *0x\(String(image.entry, radix: 16))", "continue", "monitor mode", "p $priv", "x/1xw $pc",
             "p/x $hgatp != 0", "delete", "continue"],
            vireo: Repo.fastVireo, timeout: 300)
        #expect(out.contains("Breakpoint 1, 0x00000000\(String(image.entry, radix: 16))"), "\(out)")
        #expect(out.contains("hart 0: VS (priv 1, V=1) pc 0x\(String(image.entry, radix: 16))"), "\(out)")
        #expect(out.contains(":\t0x\(firstWord)"), "guest code \(firstWord) expected:\n\(out)")
        #expect(out.contains("= 0x1"), "\(out)")
        #expect(out.contains("exited normally"), "\(out)")
        #expect(board.status == 0)
        #expect(board.stdout.contains("hello: done, shutting down"), "\(board.stdout)")
    }

    // MARK: Flags

    @Test func badGDBValuesAreOneLineAndExit2() throws {
        for (args, message) in [(["--gdb", "udp::1"], "vireo: --gdb udp::1: expected tcp::PORT or tcp:HOST:PORT with PORT 1-65535\n"),
                                (["--gdb", "tcp::99999"], "vireo: --gdb tcp::99999: expected tcp::PORT or tcp:HOST:PORT with PORT 1-65535\n"),
                                (["-S"], "vireo: -S: start halted for whom? give --gdb tcp::PORT or -s\n"),
                                (["--gdb", "tcp:nohost:1234"], "vireo: --gdb: 'nohost' is not an IPv4 address\n")] {
            let r = try runCommand(Repo.vireo, ["run"] + args + [Repo.demo])
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr == message)
        }
    }

    // MARK: The packet layer

    @Test func packetFramingChecksumsAndEscapes() {
        #expect(gdbFrame("OK") == Array("$OK#9a".utf8))
        // `#`, `$`, `}` and `*` travel escaped (} then XOR 0x20); the checksum covers the escapes.
        let framed = gdbFrame([UInt8(ascii: "a"), UInt8(ascii: "#"), UInt8(ascii: "}"), UInt8(ascii: "*")])
        #expect(framed == Array("$a}\u{03}}]}\u{0A}#42".utf8))
        var reader = GDBPacketReader()
        #expect(reader.feed(framed) == [.packet([UInt8(ascii: "a"), UInt8(ascii: "#"), UInt8(ascii: "}"), UInt8(ascii: "*")])])
        #expect(reader.feed(Array("+$g#67".utf8)) == [.ack, .packet([UInt8(ascii: "g")])])
        #expect(reader.feed(Array("$g#00".utf8)) == [.badChecksum])
        #expect(reader.feed(Array("$g#zz".utf8)) == [.badChecksum])
        #expect(reader.feed([0x03, UInt8(ascii: "-")]) == [.interrupt, .nack])
        // A packet split across reads.
        #expect(reader.feed(Array("$qC".utf8)).isEmpty)
        #expect(reader.feed(Array("#b4".utf8)) == [.packet(Array("qC".utf8))])
        #expect(gdbHex([0, 0xAB, 0x7F]) == "00ab7f")
        #expect(gdbUnhex("00ab7F") == [0, 0xAB, 0x7F])
        #expect(gdbUnhex("abc") == nil && gdbUnhex("zz") == nil)
    }

    /// Over a real socket: a bad checksum is NAKed, malformed and unknown packets get error
    /// or empty replies (never a crash), and `k` ends the board.
    @Test func badPacketsGetErrorRepliesOverTheWire() throws {
        let elf = try Self.program(spin: true)
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let port = Self.freePort()
        let group = DispatchGroup()
        nonisolated(unsafe) var board: Outcome?
        group.enter()
        DispatchQueue.global().async {
            board = try? runCommand(Repo.vireo, ["run", "-S", "--gdb", "tcp::\(port)", elf], timeout: 60)
            group.leave()
        }
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(s) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var connected = false
        for _ in 0..<200 where !connected {
            connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            } == 0
            if !connected { usleep(50_000) }
        }
        try #require(connected)
        var reader = GDBPacketReader()
        func exchange(_ raw: [UInt8]) -> [GDBPacketReader.Event] {
            _ = raw.withUnsafeBytes { send(s, $0.baseAddress, $0.count, 0) }
            var events: [GDBPacketReader.Event] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            var p = pollfd(fd: s, events: Int16(POLLIN), revents: 0)
            while poll(&p, 1, 2000) > 0 {
                let n = buffer.withUnsafeMutableBytes { recv(s, $0.baseAddress, $0.count, 0) }
                if n <= 0 { break }
                events += reader.feed(buffer[0..<n])
                if events.contains(where: { if case .packet = $0 { return true } else { return false } }) || events == [.nack] { break }
            }
            return events
        }
        #expect(exchange(Array("$g#00".utf8)) == [.nack])
        #expect(exchange(gdbFrame("m80000000")) == [.ack, .packet(Array("E01".utf8))])
        #expect(exchange(gdbFrame("mzz,4")) == [.ack, .packet(Array("E01".utf8))])
        #expect(exchange(gdbFrame("m0,4")) == [.ack, .packet(Array("E14".utf8))])   // nothing mapped at 0
        #expect(exchange(gdbFrame("pzz")) == [.ack, .packet(Array("E01".utf8))])
        #expect(exchange(gdbFrame("Z9,0,0")) == [.ack, .packet([])])
        #expect(exchange(gdbFrame("qNoSuchThing")) == [.ack, .packet([])])
        #expect(exchange(gdbFrame("m80000000,4")) == [.ack, .packet(Array("13055000".utf8))])  // addi a0, zero, 5
        #expect(exchange(gdbFrame("?")) == [.ack, .packet(Array("T05thread:01;".utf8))])
        // qXfer offsets and lengths from the wire: a negative one is an error, a huge one
        // reads to the end (both trapped the board: a negative index, an overflowing sum).
        #expect(exchange(gdbFrame("qXfer:features:read:target.xml:-1,10")) == [.ack, .packet(Array("E01".utf8))])
        #expect(exchange(gdbFrame("qXfer:features:read:target.xml:0,-10")) == [.ack, .packet(Array("E01".utf8))])
        let tail = exchange(gdbFrame("qXfer:features:read:target.xml:10,7fffffffffffffff"))
        #expect(tail.first == .ack && tail.dropFirst().first.map { if case .packet(let p) = $0 { p.first == UInt8(ascii: "l") } else { false } } == true,
                "\(tail)")
        _ = exchange(gdbFrame("k"))
        group.wait()
        #expect(board?.stderr.contains("vireo: killed by gdb") == true, "\(board?.stderr ?? "")")
    }
}
