import Board
import BoardCore
import Foundation
import RISCV
import Testing
import TestSupport
import VireoELF

/// Where VM exits' cycles go (issue 16 item 1, `BoardCore.ExitProfile`): `--stats` under
/// `vireo boot` breaks each exit cause's average cycles down into trap entry, dispatch,
/// handler and exit. Checked: the phases of every exit add up to its total exactly; every
/// VM exit is counted (all but the one a run may end in); the JIT hides no boundary (the
/// same breakdown with `--no-jit`); and profiling changes nothing else — console output,
/// cycles and the rest of `--stats` are those of a run without it.
@Suite struct ExitBreakdownTests {
    typealias HV = HypervisorBootTests
    static let firmware = ProcessInfo.processInfo.environment["VIREO_TEST_FIRMWARE"] ?? HV.firmware
    static let built = FileManager.default.fileExists(atPath: firmware)
        && ["hello", "ticker", "bench"].allSatisfy { FileManager.default.fileExists(atPath: HV.guest($0)) }

    /// ticker and hello under the firmware in-process, optionally profiled: the machine
    /// after the run, and how it ended.
    static func run(profile: Bool, jit: Bool = true, isa: String = "rv64gc_h_sstc", fastPaths: Bool = true) throws -> (Machine, StopReason) {
        var config = BoardConfig()
        config.jit = jit
        #expect(Machine.parseISA(isa, into: &config) == nil)
        let m = Machine(config: config, uart: UART16550(outputFD: -1, inputFD: -1))
        if !fastPaths { m.bootargs = "vireo.fastpath=off" }
        func blob(_ name: String, _ args: String) throws -> Machine.Blob {
            let path = HV.guest(name)
            return Machine.Blob(path: path, bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), arguments: args)
        }
        try m.boot(firmware: try ELFProgram.read(path: firmware), kernel: nil,
                   modules: [try blob("ticker", "name=ticker"), try blob("hello", "name=hello")])
        if profile { #expect(m.enableExitProfile(), "the firmware has the phase symbols") }
        let stop = m.run(maxInstructions: 400_000_000)
        for h in m.harts { h.settleStatistics() }
        return (m, stop)
    }

    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"),
          arguments: [true, false])
    func phasesAddUpAndEveryExitIsCounted(fastPaths: Bool) throws {
        let (m, stop) = try Self.run(profile: true, fastPaths: fastPaths)
        #expect(stop == .exited(0))
        for h in m.harts {
            let p = try #require(h.exitProfile)
            #expect(p.mismatches == 0, "an exit's phases did not add up to its total")
            #expect(!p.totals.isEmpty)
            for (key, t) in p.totals {
                #expect(t.phases.reduce(0, +) == t.cycles, "\(key): phases \(t.phases) vs total \(t.cycles)")
                #expect(t.count > 0 && t.cycles > 0)
                let entry = t.phases[ExitProfile.Phase.entry.rawValue], dispatch = t.phases[ExitProfile.Phase.dispatch.rawValue]
                let exit = t.phases[ExitProfile.Phase.exit.rawValue]
                // TIME set_timer (ticker re-arms its tick with it) never leaves the vector's
                // fast path: a few saves and compares in, the restore out, no dispatch.
                if fastPaths && key.index == Int(Cause.ecallFromVS.rawValue) && key.sbiExtension == SBI.time {
                    #expect(dispatch == 0, "\(key): set_timer took the full world switch")
                    #expect(entry >= 8 * t.count && entry < 40 * t.count && exit >= 8 * t.count && exit < 40 * t.count)
                } else if !fastPaths || key.index == 64 + Int(Interrupt.MTI) || key.sbiExtension == SBI.dbcn {
                    // The full world switch: the vector's register save, the Swift dispatch
                    // and the restore (the slice ends and console writes take it).
                    #expect(entry >= 32 * t.count)
                    #expect(dispatch > 0)
                    #expect(exit >= 32 * t.count)
                }
            }
            if fastPaths {
                #expect(p.totals[ExitProfile.Key(index: Int(Cause.ecallFromVS.rawValue), sbiExtension: SBI.time)] != nil,
                        "ticker re-arms its timer with set_timer")
            }
            // A handler ran for the SBI calls and the timer.
            let byCause = p.byCause
            let ecall = try #require(byCause[Int(Cause.ecallFromVS.rawValue)])
            #expect(ecall.phases[ExitProfile.Phase.handler.rawValue] > 0)
            let timer = try #require(byCause[64 + Int(Interrupt.MTI)])
            #expect(timer.phases[ExitProfile.Phase.handler.rawValue] > 0)
            // Counts: every VM exit returned to V=1 but the last one (ticker's shutdown).
            var unreturned: UInt64 = 0
            for (index, n) in h.stats.vmExits.enumerated() where n > 0 || byCause[index] != nil {
                let counted = byCause[index]?.count ?? 0
                #expect(counted <= n)
                unreturned += n - counted
            }
            #expect(unreturned == (p.isOpen ? 1 : 0))
            #expect(p.isOpen, "the run ends in the firmware, powering off after an SBI shutdown")
        }
    }

    /// Profiling single-steps the firmware's exit paths: the modeled run must be the same.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func profilingChangesNothingAndTheJITHidesNoBoundary() throws {
        let (plain, plainStop) = try Self.run(profile: false)
        let (profiled, stop) = try Self.run(profile: true)
        #expect(stop == plainStop)
        #expect(profiled.bus.uart.transcriptString == plain.bus.uart.transcriptString)
        #expect(profiled.instructions == plain.instructions)
        for (a, b) in zip(profiled.harts, plain.harts) {
            #expect(a.cycles == b.cycles)
            #expect(a.stats.cycles == b.stats.cycles)
            #expect(a.stats.instructions == b.stats.instructions)
            #expect(a.stats.vmExits == b.stats.vmExits)
            #expect(a.stats.exceptionsFrom == b.stats.exceptionsFrom)
            #expect(a.stats.interruptsFrom == b.stats.interruptsFrom)
        }
        let (interpreted, _) = try Self.run(profile: true, jit: false)
        for (a, b) in zip(profiled.harts, interpreted.harts) {
            #expect(a.exitProfile?.totals == b.exitProfile?.totals, "the breakdown differs with --no-jit")
        }
    }

    /// `vireo boot --stats`: the table after the VM exits, one row per cause with the
    /// exits' count, and otherwise the same report as `--no-exit-breakdown`.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func statsTable() throws {
        let args = ["boot", "--firmware", Self.firmware, "--max-instructions", "400000000",
                    "--guest", HV.guest("ticker") + ",name=ticker", "--guest", HV.guest("hello") + ",name=hello", "--stats"]
        let r = try runCommand(Repo.fastVireo, args, timeout: 120)
        let plain = try runCommand(Repo.fastVireo, args + ["--no-exit-breakdown"], timeout: 120)
        #expect(r.status == 0 && plain.status == 0, "\(r.stderr)")
        #expect(r.stdout == plain.stdout)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex(of: "  VM exit cycles by phase (average per exit that returned to V=1):"))
        #expect(lines[header + 1].split(separator: " ") == ["cause", "count", "total", "entry", "dispatch", "handler", "exit"])
        var table: [String] = []
        var i = header + 1
        while i + 1 < lines.count && lines[i + 1].hasPrefix("    ") { i += 1; table.append(lines[i]) }
        // The rest is --no-exit-breakdown's report (host lines aside: the JIT translates
        // less of the firmware, and time differs).
        var rest = lines
        rest.removeSubrange(header...i)
        func withoutHost(_ l: [String]) -> [String] { l.filter { !$0.hasPrefix("  host") } }
        #expect(withoutHost(rest) == withoutHost(plain.stderr.split(separator: "\n").map(String.init)))
        // VM exit counts by cause, from the report above the table.
        var exits: [String: Int] = [:]
        let start = try #require(lines.firstIndex { $0.hasPrefix("  VM exits (traps from VS/VU") })
        for l in lines[(start + 1)..<header] {
            let words = l.split(separator: " ").map(String.init)
            if let n = Int(words.last ?? "") { exits[words.dropLast().joined(separator: " ")] = n }
        }
        var rows: [String: Int] = [:]
        var unreturned = 0
        for row in table {
            if row.hasPrefix("    (") {
                unreturned = Int(row.dropFirst(5).prefix { $0.isNumber }) ?? -1
                continue
            }
            let words = row.split(separator: " ").map(String.init)
            try #require(words.count >= 7, "\(row)")
            let numbers = words.suffix(5).compactMap(Double.init)
            try #require(numbers.count == 5, "\(row)")
            // Averages of one decimal: their sum is the total's within rounding.
            #expect(abs(numbers[1...].reduce(0, +) - numbers[0]) <= 0.25, "\(row)")
            guard !row.hasPrefix("      ") else { continue }  // an SBI extension's sub-row
            rows[words.dropLast(6).joined(separator: " ")] = Int(words[words.count - 6])
        }
        #expect(Set(rows.keys) == Set(exits.keys))
        #expect(rows.values.reduce(0, +) + unreturned == exits.values.reduce(0, +))
        for (cause, n) in exits { #expect(rows[cause] == n || rows[cause] == n - unreturned, "\(cause)") }
        #expect(table.contains { $0.hasPrefix("      SBI TIME ") })
        #expect(table.contains { $0.hasPrefix("      SBI DBCN ") })
    }

    /// `vireo bench --hypervisor --exit-breakdown`: the same figures, and a breakdown for
    /// the Vireo rows.
    @Test(.enabled(if: built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func benchRows() throws {
        let plain = try runCommand(Repo.fastVireo, ["bench", "--hypervisor"], timeout: 600)
        let r = try runCommand(Repo.fastVireo, ["bench", "--hypervisor", "--exit-breakdown"], timeout: 600)
        #expect(r.status == 0 && plain.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let figures = lines.filter {
            !isBreakdownRow($0) && !$0.hasPrefix("  where the Vireo exits") && !$0.hasPrefix("  exit   ") && !$0.hasPrefix("  timer tick: ")
        }
        #expect(figures == plain.stdout.split(separator: "\n").map(String.init), "--exit-breakdown changed the figures")
        for title in ["VM exit round trip (unknown SBI call)", "SBI call (TIME set_timer)", "UART register read (load guest-page fault)",
                      "timer tick (machine timer interrupt)"] {
            let row = try #require(lines.first { $0.hasPrefix("  " + title + " ") && isBreakdownRow($0) }, "\(title)")
            let numbers = row.dropFirst(46).split(separator: " ").compactMap { Double($0) }
            #expect(numbers.count == 6 && numbers[0] > 0, "\(row)")
            if numbers.count == 6 { #expect(abs(numbers[2...].reduce(0, +) - numbers[1]) <= 0.25, "\(row)") }
        }
    }

    /// A breakdown row of the bench ends with five averages of one decimal.
    func isBreakdownRow(_ line: String) -> Bool {
        let words = line.split(separator: " ")
        return words.count > 6 && words.suffix(5).allSatisfy { $0.contains(".") && Double($0) != nil }
    }
}
