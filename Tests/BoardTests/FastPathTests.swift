import Foundation
import Testing
import TestSupport

/// The firmware's fast paths (issue 16 item 2, start.S, docs/fast-paths.md) answer
/// exactly what the full world switch answers. Tests/guest-asm/fast-paths.S reads every
/// kind of emulated-UART register into every register, makes SBI calls the vector refuses
/// or serves itself, and prints what it got; a run with `vireo.fastpath=off` must print the
/// same lines and count the same VM exits by cause, with and without Sstc, while the fast
/// run spends fewer cycles.
@Suite struct FastPathTests {
    typealias HV = HypervisorBootTests
    typealias Isolation = HypervisorIsolationTests
    static let program = Isolation.asm("fast-paths")
    static let built = HV.built && FileManager.default.fileExists(atPath: program)

    static let expected = [
        "sum=0x000012b1",           // 29 registers x SCR 0xA5
        "lb scr=0xffffffa5",
        "x0=0x00000000",
        "msr=0x000000b0",
        "lb msr=0xffffffb0",
        "offset 0x80=0x00000000",
        "lcr=0x0000001b",
        "mcr=0x0000001f",
        "dlm=0x00000012",
        "dll=0x00000034",
        "ier=0x00000005",
        "lsr=0x00000060",
        "lw scause=0x00000005",     // a word access to the byte-wide UART: load access fault
        "lw stval=0x10000004",
        "unknown a0=0xfffffffe",    // SBI_ERR_NOT_SUPPORTED
        "unknown a1=0x00000000",
        "legacy 3 a0=0xfffffffe",
        "probe TIME=0x00000001",
        "probe unknown=0x00000000",
        "TIME fid 1 a0=0xfffffffe",
        "set_timer a0=0x00000000",
        "set_timer a1=0x00000000",
        "stip after set_timer(0)=0x00000001",
        "stip after set_timer(max)=0x00000000",
        "stip after set_timer(now + 1 s)=0x00000000",
        "legacy set_timer a0=0x00000000",
        "legacy set_timer a1=0x00000077",  // the legacy call returns a0 only
        "legacy stip=0x00000001",
        "fast-paths: done",
    ]

    struct Run {
        var lines: [String]
        var exits: String
        var cycles: Int
    }

    static func run(isa: String, fast: Bool) throws -> Run {
        let out = try HV.boot(["--isa", isa, "--guest", program,
                               "--append", "vireo.stats" + (fast ? "" : " vireo.fastpath=off")])
        #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
        let lines = HV.lines(out.stdout)
        let guest = lines.filter { !$0.hasPrefix("vireo") && !$0.hasPrefix("Vireo") }
        let exits = lines.first { $0.hasPrefix("vireo: stats:   exits: ") } ?? ""
        // "vireo: stats: hart 0: guests 41.1% of 669181 cycles, ..."
        let hart = lines.first { $0.hasPrefix("vireo: stats: hart 0: ") } ?? ""
        let words = hart.split(separator: " ")
        let cycles = words.firstIndex(of: "of").flatMap { Int(words[$0 + 1]) } ?? 0
        return Run(lines: guest, exits: exits, cycles: cycles)
    }

    @Test(.enabled(if: built, "firmware or guest-asm not built"), arguments: ["rv64gc_h_sstc", "rv64gc_h"])
    func fastAndFullPathsAnswerTheSame(isa: String) throws {
        let fast = try Self.run(isa: isa, fast: true)
        let full = try Self.run(isa: isa, fast: false)
        #expect(fast.lines == Self.expected, "\(zip(fast.lines, Self.expected).filter { $0 != $1 })")
        #expect(full.lines == fast.lines)
        #expect(fast.exits.contains("ecall from VS") && fast.exits.contains("load guest-page fault"))
        #expect(fast.exits == full.exits, "the fast paths' exits are counted by cause as the full path's")
        #expect(fast.cycles > 0 && full.cycles > 0)
        #expect(fast.cycles < full.cycles, "fast \(fast.cycles) vs full \(full.cycles) cycles")
    }
}
