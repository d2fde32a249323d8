import Foundation
import RISCV
import Testing
import TestSupport

/// `--trace-events FILE` (issue 15 item 5, decision 0015): Chrome trace-event JSON for the
/// Perfetto UI. Every run here is made with `--stats` too, and the trace is checked against
/// it: valid JSON, B/E slices balanced and nested per track with the modes at top level,
/// timestamps non-decreasing per track, traps, VM exits and interrupts per hart and cause
/// equal to the `--stats` counts, the mode slices' lengths equal to its cycles per mode,
/// the domains named under `vireo boot`, and the run itself unchanged by tracing.
@Suite struct TraceEventsTests {
    typealias HV = HypervisorBootTests

    /// The firmware for boot runs: VIREO_TEST_FIRMWARE when set (a firmware built elsewhere),
    /// else the one tools/build-riscv.sh built.
    static let firmware = ProcessInfo.processInfo.environment["VIREO_TEST_FIRMWARE"] ?? HV.firmware
    static let hBuilt = FileManager.default.fileExists(atPath: Repo.riscvOut.appendingPathComponent("programs-h/h-traps.elf").path)
    static let dom0Built = HypervisorDom0Tests.built

    // MARK: Runs

    struct TracedRun {
        var outcome: Outcome
        var untraced: Outcome
        var events: [[String: Any]]
        var stats: Stats
    }

    /// Runs `vireo ARGS --stats` with and without `--trace-events`, checks that tracing
    /// changed nothing (status, console output, the instruction and cycle counts and the
    /// per-hart statistics), and returns the parsed trace.
    static func traced(_ arguments: [String], timeout: TimeInterval = 300) throws -> TracedRun {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-trace-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let plain = try runCommand(Repo.fastVireo, arguments + ["--stats"], timeout: timeout)
        let r = try runCommand(Repo.fastVireo, arguments + ["--stats", "--trace-events", file.path], timeout: timeout)
        #expect(r.status == plain.status)
        #expect(r.stdout == plain.stdout, "tracing changed the console output")
        #expect(Self.withoutHostLines(r.stderr) == Self.withoutHostLines(plain.stderr), "tracing changed the run")
        let data = try Data(contentsOf: file)
        let json = try JSONSerialization.jsonObject(with: data)
        let object = try #require(json as? [String: Any], "the trace is a JSON object")
        #expect(object["displayTimeUnit"] as? String == "ns")
        let events = try #require(object["traceEvents"] as? [[String: Any]])
        return TracedRun(outcome: r, untraced: plain, events: events, stats: Stats(r.stderr))
    }

    /// --stats output without the host's timing line (which differs run to run).
    static func withoutHostLines(_ text: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("  host: ") }
    }

    // MARK: --stats, parsed

    /// Per hart: instructions and cycles per mode, traps and VM exits per cause name.
    struct Stats {
        var cycles: [Int: [String: Int]] = [:]
        var traps: [Int: [String: Int]] = [:]
        var exits: [Int: [String: Int]] = [:]
        var idle: [Int: Int] = [:]

        init(_ text: String) {
            var hart = 0
            var section = ""
            for line in text.split(separator: "\n").map(String.init) {
                if line.hasPrefix("hart "), let n = Int(line.dropFirst(5).prefix { $0.isNumber }) { hart = n; section = ""; continue }
                if line.hasPrefix("  WFI idle cycles: ") { idle[hart] = Int(line.dropFirst(19)) }
                if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                    section = line.hasPrefix("  traps:") ? "traps" : line.hasPrefix("  VM exits") ? "exits"
                        : line.hasPrefix("  mode ") ? "modes" : ""
                    continue
                }
                let words = line.split(separator: " ").map(String.init)
                switch section {
                case "modes" where words.count == 3:
                    cycles[hart, default: [:]][words[0]] = Int(words[2])
                case "traps":
                    // "    NAME   COUNT   from M 2, U 1" (NAME may hold "from" too: "ecall from VS")
                    guard let i = words.indices.first(where: { $0 >= 1 && $0 + 1 < words.count && Int(words[$0]) != nil && words[$0 + 1] == "from" }),
                          let n = Int(words[i]) else { continue }
                    traps[hart, default: [:]][words[..<i].joined(separator: " ")] = n
                case "exits":
                    guard let n = Int(words.last ?? "") else { continue }
                    exits[hart, default: [:]][words.dropLast().joined(separator: " ")] = n
                default: break
                }
            }
        }
    }

    // MARK: Checks

    static func tid(_ e: [String: Any]) -> Int? { (e["tid"] as? NSNumber)?.intValue }
    /// Timestamps in cycles (µs × 1000, exact: the writer prints three decimals).
    static func cycles(_ e: [String: Any]) -> Int? {
        guard let ts = e["ts"] as? NSNumber else { return nil }
        return Int((ts.doubleValue * 1000).rounded())
    }

    /// B/E balanced and nested per track, modes at top level on hart tracks (WFI slices
    /// inside them), every hart event inside a mode slice, timestamps non-decreasing per track
    /// in file order. Returns the length in cycles of each hart's mode slices, by mode name
    /// (and of its WFI slices under "WFI").
    @discardableResult
    static func checkStructure(_ events: [[String: Any]]) -> [Int: [String: Int]] {
        var stacks: [Int: [(name: String, ts: Int)]] = [:]
        var lastTS: [Int: Int] = [:]
        var modeCycles: [Int: [String: Int]] = [:]
        var asyncOpen: [String: Int] = [:]
        for e in events {
            guard let ph = e["ph"] as? String, ph != "M" else { continue }
            guard let tid = tid(e), let ts = cycles(e) else {
                Issue.record("event without tid or ts: \(e)")
                continue
            }
            #expect(ts >= lastTS[tid, default: 0], "timestamps go back on track \(tid): \(e)")
            lastTS[tid] = ts
            let hartTrack = tid < 100
            switch ph {
            case "B":
                let name = e["name"] as? String ?? ""
                if hartTrack && e["cat"] as? String == "mode" {
                    #expect(stacks[tid, default: []].isEmpty, "mode slice \(name) opened inside another on hart \(tid)")
                } else if hartTrack {
                    #expect(e["cat"] as? String == "idle" && name == "WFI")
                    #expect(stacks[tid, default: []].count == 1, "WFI slice outside a mode slice on hart \(tid)")
                }
                stacks[tid, default: []].append((name, ts))
            case "E":
                guard let open = stacks[tid]?.popLast() else {
                    Issue.record("E without B on track \(tid) at \(ts)")
                    continue
                }
                if hartTrack { modeCycles[tid, default: [:]][open.name, default: 0] += ts - open.ts }
            case "i":
                if hartTrack { #expect(!(stacks[tid] ?? []).isEmpty, "instant outside a mode slice: \(e)") }
            case "b":
                let id = e["id"] as? String ?? ""
                #expect(asyncOpen[id] == nil, "async id \(id) begun twice")
                asyncOpen[id] = ts
            case "e":
                let id = e["id"] as? String ?? ""
                let begin = asyncOpen.removeValue(forKey: id)
                #expect(begin != nil && begin! <= ts, "async end without begin: \(e)")
            default:
                Issue.record("unexpected phase \(ph)")
            }
        }
        for (tid, stack) in stacks { #expect(stack.isEmpty, "track \(tid) ends with open slices \(stack.map(\.name))") }
        #expect(asyncOpen.isEmpty, "virtio requests never ended: \(asyncOpen.keys.sorted())")
        return modeCycles
    }

    /// Traps and VM exits per hart and cause name, counted from the trace's instant events.
    static func trapCounts(_ events: [[String: Any]]) -> (traps: [Int: [String: Int]], exits: [Int: [String: Int]]) {
        var traps: [Int: [String: Int]] = [:], exits: [Int: [String: Int]] = [:]
        for e in events where e["ph"] as? String == "i" {
            guard let cat = e["cat"] as? String, cat == "exception" || cat == "interrupt",
                  let tid = tid(e), let args = e["args"] as? [String: Any],
                  let code = (args["cause"] as? NSNumber)?.uint64Value else { continue }
            let interrupt = cat == "interrupt"
            #expect((args["interrupt"] as? Bool) == interrupt)
            let name = interrupt ? interruptName(code) : Cause(rawValue: code)?.name ?? "exception \(code)"
            traps[tid, default: [:]][name, default: 0] += 1
            if args["vm_exit"] as? Bool == true {
                exits[tid, default: [:]][name, default: 0] += 1
                #expect((e["name"] as? String) == "VM exit: " + name)
            } else {
                #expect((e["name"] as? String) == name)
            }
        }
        return (traps, exits)
    }

    /// Everything a traced run must satisfy; returns the trap counts for further checks.
    @discardableResult
    static func checkAgainstStats(_ run: TracedRun) -> (traps: [Int: [String: Int]], exits: [Int: [String: Int]]) {
        let modeCycles = checkStructure(run.events)
        let counts = trapCounts(run.events)
        #expect(counts.traps == run.stats.traps, "traps per hart and cause differ from --stats")
        #expect(counts.exits == run.stats.exits, "VM exits per hart and cause differ from --stats")
        // The mode slices cover the run: per hart their lengths are --stats' cycles per mode.
        for (hart, modes) in run.stats.cycles {
            let traced = modeCycles[hart, default: [:]]
            #expect(traced["WFI", default: 0] == run.stats.idle[hart, default: 0], "hart \(hart): WFI slices vs --stats' WFI idle cycles")
            for (mode, n) in modes {
                #expect(traced[mode, default: 0] == n, "hart \(hart) mode \(mode): \(traced[mode, default: 0]) cycles in slices, \(n) in --stats")
            }
        }
        return counts
    }

    // MARK: Tests

    /// Conformance programs (bare metal, M/S/U): every exception and interrupt they raise
    /// appears once, with its cause, and the modes tile the run.
    @Test(arguments: ["traps", "interrupts", "delegation"])
    func conformanceProgram(_ name: String) throws {
        let elf = Repo.programs.appendingPathComponent("\(name).elf").path
        try #require(FileManager.default.fileExists(atPath: elf), "tools/build-riscv.sh programs")
        // rv64imac programs, on a hart without H (so the supervisor mode is plain S).
        let run = try Self.traced(["run", "--isa", "rv64imac", elf])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        let counts = Self.checkAgainstStats(run)
        #expect(counts.traps[0, default: [:]].values.reduce(0, +) > 0)
        let modes = Set(run.events.filter { $0["ph"] as? String == "B" && $0["cat"] as? String == "mode" }.compactMap { $0["name"] as? String })
        #expect(modes.isSubset(of: ["M", "S", "U"]), "without H the modes are M, S and U: \(modes)")
        // Trap events carry the trap's details.
        let trap = try #require(run.events.first { $0["cat"] as? String == "exception" })
        let args = try #require(trap["args"] as? [String: Any])
        for key in ["cause", "tval", "pc", "from", "to", "vm_exit"] { #expect(args[key] != nil, "trap args lack \(key)") }
    }

    /// The H conformance programs: VS/VU slices, VM exits and traps delegated to VS.
    @Test(.enabled(if: hBuilt, "tools/build-riscv.sh programs-h"), arguments: ["h-traps", "h-vm", "h-timer"])
    func hypervisorProgram(_ name: String) throws {
        let elf = Repo.riscvOut.appendingPathComponent("programs-h/\(name).elf").path
        let run = try Self.traced(["run", "--isa", "rv64imac_h_sstc", elf])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        let counts = Self.checkAgainstStats(run)
        #expect(counts.exits[0, default: [:]].values.reduce(0, +) > 0, "an H program exits its guest")
    }

    /// `vireo boot` with two domains on one hart: domain slices named by the firmware's
    /// table, every VM exit attributed to the domain it left.
    @Test(.enabled(if: HV.built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func bootNamesDomains() throws {
        let run = try Self.traced(["boot", "--firmware", Self.firmware, "--max-instructions", "400000000",
                                   "--guest", HV.guest("ticker") + ",name=ticker", "--guest", HV.guest("hello") + ",name=hello"])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        let counts = Self.checkAgainstStats(run)
        #expect(counts.exits[0]?["ecall from VS", default: 0] ?? 0 > 0)
        #expect(counts.exits[0]?["machine timer interrupt", default: 0] ?? 0 > 0)
        let domainSlices = run.events.filter { $0["ph"] as? String == "B" && Self.tid($0) == 100 }.compactMap { $0["name"] as? String }
        #expect(Set(domainSlices) == ["ticker", "hello"],
                "domain names from the firmware's vireo_domain_names (rebuild it: tools/build-riscv.sh firmware): \(Set(domainSlices))")
        // Every VM exit names the domain it came from.
        let exits = run.events.filter { ($0["args"] as? [String: Any])?["vm_exit"] as? Bool == true }
        #expect(!exits.isEmpty && exits.allSatisfy { ["ticker", "hello"].contains(($0["args"] as? [String: Any])?["domain"] as? String ?? "") })
        let names = run.events.filter { $0["ph"] as? String == "M" }.compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(names.contains("hart 0") && names.contains("hart 0 domain") && names.contains("vireo board"))
    }

    /// Two harts, a two-vCPU guest: per-hart tracks, IPIs, and the counts per hart.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("smp")), "smp guest not built"))
    func bootTwoHarts() throws {
        let run = try Self.traced(["boot", "--firmware", Self.firmware, "--harts", "2", "--max-instructions", "400000000",
                                   "--guest", HV.guest("smp") + ",vcpus=2"])
        #expect(run.outcome.status == 0, "\(run.outcome.stderr)")
        let counts = Self.checkAgainstStats(run)
        #expect(counts.traps.keys.sorted() == [0, 1])
        let domains = Set(run.events.filter { $0["ph"] as? String == "B" && (Self.tid($0) ?? 0) >= 100 }.compactMap { $0["name"] as? String })
        #expect(domains == ["dom0"], "a module without name= is dom0: \(domains)")
        #expect(run.events.contains { ($0["name"] as? String)?.hasPrefix("IPI to hart") == true })
    }

    /// A run stopped by --max-instructions (exit 124) still leaves complete JSON with every
    /// slice closed.
    @Test(.enabled(if: HV.built, "firmware/guests not built"))
    func instructionLimitClosesSlices() throws {
        let run = try Self.traced(["boot", "--firmware", Self.firmware, "--max-instructions", "30000000",
                                   "--guest", HV.guest("ticker") + ",name=ticker"])
        #expect(run.outcome.status == 124)
        Self.checkAgainstStats(run)
        #expect(run.events.contains { $0["ph"] as? String == "B" && $0["name"] as? String == "ticker" })
    }

    /// A hart that waits in WFI with nothing to wake it (exit 125): the file still closes,
    /// with the WFI slice ended at the last cycle.
    @Test
    func deadlockClosesSlices() throws {
        let bin = RawProgram.image([RawProgram.wfi, RawProgram.jSelf])  // mie = 0: nothing can wake it
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let script = RawProgram.emptyFile()
        defer { try? FileManager.default.removeItem(atPath: script) }
        let run = try Self.traced(["run", "--bios", bin, "--console-input", script])
        #expect(run.outcome.status == 125)
        Self.checkAgainstStats(run)
        #expect(run.events.last?["ph"] as? String == "E")
    }

    /// Translated code never traps, changes mode or touches a device, so the trace of a run
    /// with the JIT is byte for byte the trace of the same run interpreted.
    @Test(.enabled(if: HV.built, "firmware/guests not built"))
    func jitLeavesTraceUnchanged() throws {
        var traces: [Data] = []
        for jit in [true, false] {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-trace-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            let r = try runCommand(Repo.fastVireo, ["boot", "--firmware", Self.firmware, "--max-instructions", "400000000",
                                                    "--guest", HV.guest("ticker") + ",name=ticker", "--guest", HV.guest("hello") + ",name=hello",
                                                    "--trace-events", file.path] + (jit ? [] : ["--no-jit"]), timeout: 300)
            #expect(r.status == 0)
            traces.append(try Data(contentsOf: file))
        }
        #expect(traces[0].count > 100_000)
        #expect(traces[0] == traces[1], "the JIT changed the trace")
    }

    /// The default stack: Dom0 reads its virtio disk (requests with sector, length and type,
    /// completions, PLIC claims) and creates a domain through the control interface, which the
    /// trace names from the firmware's table too.
    @Test(.enabled(if: dom0Built, "dom0 or its disk not built"))
    func dom0DiskRequestsAndCreatedDomain() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-trace-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: script) }
        try "150000000 create hello.cfg\\r\n400000000 halt\\r\n".write(to: script, atomically: true, encoding: .utf8)
        let run = try Self.traced(["boot", "--firmware", Self.firmware, "--console-input", script.path,
                                   "--max-instructions", "2000000000"], timeout: 600)
        #expect(run.outcome.status == 0, "\(run.outcome.stdout)")
        Self.checkAgainstStats(run)
        let requests = run.events.filter { $0["ph"] as? String == "b" && $0["cat"] as? String == "virtio" }
        #expect(!requests.isEmpty)
        let reads = requests.filter { ($0["name"] as? String) == "virtio-blk0 read" }
        #expect(!reads.isEmpty)
        for r in reads {
            let args = r["args"] as? [String: Any] ?? [:]
            #expect((args["type"] as? NSNumber)?.intValue == 0 && (args["status"] as? NSNumber)?.intValue == 0)
            #expect(((args["bytes"] as? NSNumber)?.intValue ?? 0) % 512 == 0 && args["sector"] != nil)
        }
        #expect(run.events.contains { ($0["name"] as? String) == "PLIC claim 1 (virtio-blk0)" })
        let domains = Set(run.events.filter { $0["ph"] as? String == "B" && (Self.tid($0) ?? 0) >= 100 }.compactMap { $0["name"] as? String })
        #expect(domains.isSuperset(of: ["dom0", "hello"]), "\(domains)")
    }
}
