import Foundation
import Testing

/// Isolation (Hypervisor II): the `hostile` guest attacks every boundary beside
/// well-behaved guests, and each finding of the hostile tester against the earlier firmware
/// has a case of its own. Every attempt must be stopped and reported to the guest as the
/// hardware would natively, and the other guests' transcripts must stay what they are
/// without it.
@Suite struct HypervisorIsolationTests {
    typealias HV = HypervisorBootTests
    static let built = HV.built && FileManager.default.fileExists(atPath: HV.guest("hostile"))

    /// Runs `vireo boot` with the release build when the test script built one (these runs
    /// take hundreds of millions of cycles), else the debug build.
    static func boot(_ arguments: [String]) throws -> Outcome {
        try runCommand(Repo.fastVireo, ["boot", "--firmware", HV.firmware, "--max-instructions", "4000000000"] + arguments,
                       timeout: 600)
    }

    static func lines(_ text: String, prefix: String) -> [String] {
        HV.lines(text).filter { $0.hasPrefix(prefix) }
    }

    /// "vireo: stats: domain N (name) weight W: C cycles, P%, E exits" → P.
    static func share(_ stdout: String, domain name: String) -> Double? {
        guard let line = HV.lines(stdout).first(where: { $0.hasPrefix("vireo: stats: domain ") && $0.contains("(\(name)) weight") }),
              let comma = line.range(of: " cycles, "), let pct = line.range(of: "%", range: comma.upperBound..<line.endIndex) else { return nil }
        return Double(line[comma.upperBound..<pct.lowerBound])
    }

    // MARK: The whole hostile run

    /// hostile `case=all` (memory, mmio, csr, sbi-pointers, ipi-flood, spin, wfi-user) as
    /// domain 2 beside ticker (Dom0) and hello: every attempt is stopped, and ticker's and
    /// hello's lines are exactly those of the same run without hostile.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func hostileBesideWellBehavedGuests() throws {
        let ticker = ["--guest", HV.guest("ticker") + ",name=ticker ticks=150", "--guest", HV.guest("hello") + ",name=hello"]
        let attacked = try Self.boot(["--append", "vireo.stats"] + ticker + ["--guest", HV.guest("hostile") + ",name=hostile case=all"])
        let alone = try Self.boot(ticker)
        #expect(attacked.status == 0, "\(attacked.stdout)")
        #expect(alone.status == 0)
        #expect(Self.lines(attacked.stdout, prefix: "ticker:") == Self.lines(alone.stdout, prefix: "ticker:"))
        #expect(Self.lines(attacked.stdout, prefix: "[hello] ") == Self.lines(alone.stdout, prefix: "[hello] "))
        #expect(attacked.stdout.contains("ticker: 150 ticks, main loop preempted 150 times\nticker: done\nvireo: domain 0 (ticker) shut down\n"))

        let hostile = Self.lines(attacked.stdout, prefix: "[hostile] hostile: ").map { String($0.dropFirst("[hostile] hostile: ".count)) }
        #expect(!hostile.contains { $0.contains("NOT STOPPED") }, "\(hostile.filter { $0.contains("NOT STOPPED") })")
        #expect(hostile.last == "done")
        #expect(attacked.stdout.contains("vireo: domain 2 (hostile) shut down\n"))

        // Memory outside its RAM and every device it was not given: access faults with the
        // address in stval, as natively (Priv. §3.7).
        let memory = hostile.filter { $0.hasPrefix("memory: ") }
        #expect(memory.count == 18)
        #expect(memory.allSatisfy { $0.contains("access fault (scause 0x") })
        #expect(memory.contains("memory: ld 0x1000 (boot ROM): load access fault (scause 0x5, stval 0x1000)"))
        #expect(memory.contains("memory: jump to 0x40000000: instruction access fault (scause 0x1, stval 0x40000000)"))
        let mmio = hostile.filter { $0.hasPrefix("mmio: ") }
        #expect(mmio.count == 23)
        #expect(mmio.allSatisfy { $0.contains("access fault (scause 0x") })
        #expect(mmio.contains("mmio: sw 0x5555 to 0x100000 (test finisher): store/AMO access fault (scause 0x7, stval 0x100000)"))
        #expect(mmio.contains("mmio: sd 0xffffffffffffffff to 0x2004000 (CLINT mtimecmp0): store/AMO access fault (scause 0x7, stval 0x2004000)"))
        // The virtual UART takes byte accesses inside its window only.
        #expect(mmio.contains("mmio: ld 0x10000000 (UART): load access fault (scause 0x5, stval 0x10000000)"))
        // The firmware counts what it gave back: every memory and mmio attempt.
        let stats = HV.lines(attacked.stdout).drop { !$0.hasPrefix("vireo: stats: domain 2 (hostile)") }.dropFirst().first
        #expect(stats?.hasSuffix(", faults given back to the guest \(memory.count + mmio.count)") == true, "\(stats ?? "no stats")")
        #expect(mmio.contains("mmio: sd 0x4141414141414141 to 0x100000fc (straddles the UART window's end): store/AMO access fault (scause 0x7, stval 0x100000fc)"))
        // M and HS CSRs: illegal instruction (HS CSRs raise a virtual-instruction exception
        // that the firmware turns into the illegal instruction the guest would see natively).
        let csr = hostile.filter { $0.hasPrefix("csr: csr") }
        #expect(csr.count == 34)
        #expect(csr.allSatisfy { $0.hasSuffix(": illegal instruction (scause 0x2)") })
        // Bad hypercall arguments: error codes, nothing done.
        let sbi = hostile.filter { $0.hasPrefix("sbi-pointers: ") }
        #expect(sbi.count == 17)
        #expect(sbi.filter { $0.contains("console_") }.allSatisfy { $0.hasSuffix("SBI error -3 (SBI_ERR_INVALID_PARAM)") })
        #expect(sbi.contains("sbi-pointers: hart_start(0), itself: SBI error -6 (SBI_ERR_ALREADY_AVAILABLE)"))
        // Floods and a spin with interrupts off end by themselves; the others go on.
        #expect(hostile.contains("ipi-flood: 100000 send_ipi(mask 0x1, base 0) to itself: no errors, sip.SSIP pending after 100000"))
        #expect(hostile.contains { $0.hasPrefix("spin: interrupts off, busy until time advanced 2000000 ticks (200 ms): ended after 200 ms") })
        // WFI, SRET and a CSR access from guest user mode reach the guest kernel as the
        // illegal instructions they are natively.
        #expect(hostile.contains("wfi-user: wfi in U-mode: illegal instruction (scause 0x2) from U"))
        #expect(hostile.contains("wfi-user: sret in U-mode: illegal instruction (scause 0x2) from U"))
        #expect(hostile.contains("wfi-user: csrr sstatus in U-mode: illegal instruction (scause 0x2) from U"))
    }

    // MARK: The findings of the hostile tester, one case each

    /// Reboot loop: a guest that reboots itself (SBI SRST) forever. The reload is charged to
    /// it and every entry gets a fresh slice, so ticker keeps about half the hart and ends.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func rebootLoopDoesNotStarveOthers() throws {
        let r = try Self.boot(["--append", "vireo.stats", "--guest", HV.guest("ticker") + ",name=ticker ticks=20",
                               "--guest", HV.guest("hostile") + ",name=hostile case=reboot-loop"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("ticker: 20 ticks, main loop preempted 20 times\nticker: done\n"))
        let reboots = HV.lines(r.stdout).filter { $0 == "vireo: domain 1 (hostile) reboots" }.count
        #expect(reboots >= 5, "the loop ran")
        let hart = HV.lines(r.stdout).first { $0.hasPrefix("vireo: stats: hart 0: guests ") }
        let guests = hart.flatMap { Double($0.dropFirst("vireo: stats: hart 0: guests ".count).prefix { $0 != "%" }) }
        // Ticker is the only guest computing; hostile spends its share in its own reloads.
        #expect((guests ?? 0) >= 40, "\(hart ?? "no stats")")
    }

    /// Timer without Sstc: a guest deadline inside another vCPU's slice used to disarm the
    /// machine timer, and a guest spinning with interrupts off then froze the board.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func timerWithoutSstcKeepsPreempting() throws {
        let r = try Self.boot(["--isa", "rv64imac_h", "--guest", HV.guest("ticker") + ",name=ticker ticks=20",
                               "--guest", HV.guest("hostile") + ",name=hostile case=timer-no-sstc"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[hostile] hostile: timer-no-sstc: timer armed for +1 ms, sie.STIE = 1, sstatus.SIE = 0, spinning forever\n"))
        #expect(r.stdout.hasSuffix("ticker: 20 ticks, main loop preempted 20 times\nticker: done\nvireo: domain 0 (ticker) shut down\n"))
    }

    /// Shared CSRs: scounteren and senvcfg have no VS copies; each vCPU keeps its own.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func scounterenAndSenvcfgArePerVCPU() throws {
        let r = try Self.boot(["--guest", HV.guest("ticker") + ",name=ticker ticks=40 sleep",
                               "--guest", HV.guest("hostile") + ",name=a case=shared-csr",
                               "--guest", HV.guest("hostile") + ",name=b case=shared-csr-watch"])
        #expect(r.status == 0)
        let watched = HV.lines(r.stdout).filter { $0.contains("watched for 300 ms") }
        #expect(watched.count == 4, "\(r.stdout)")
        #expect(watched.allSatisfy { $0.contains(": unchanged for ") })
        #expect(!r.stdout.contains("by someone else"))
    }

    /// Long console writes: one DBCN write of 28 MiB does at most 1 KiB (a partial write,
    /// SBI §12.1); ticker is not held up.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func longConsoleWriteIsBounded() throws {
        let r = try Self.boot(["--guest", HV.guest("ticker") + ",name=ticker ticks=20",
                               "--guest", HV.guest("hostile") + ",name=hostile case=long-console"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[hostile] hostile: long-console: console_write of 0x1c00000 bytes: SBI success, 1024 bytes written\n"))
        #expect(r.stdout.contains("[hostile] " + String(repeating: "x", count: 1024) + "\n"))
        #expect(r.stdout.contains("ticker: 20 ticks, main loop preempted 20 times\n"))
    }

    /// Forged lines: every line a guest prints carries its name, whatever it writes
    /// (a firmware-looking line, another domain's prefix, a carriage return, an escape).
    @Test(.enabled(if: built, "firmware/guests not built"))
    func everyLineIsAttributable() throws {
        let r = try Self.boot(["--guest", HV.guest("ticker") + ",name=ticker ticks=5",
                               "--guest", HV.guest("hostile") + ",name=hostile case=forged-lines"])
        #expect(r.status == 0)
        let out = HV.lines(r.stdout)
        #expect(out.allSatisfy { $0.hasPrefix("[hostile] ") || $0.hasPrefix("ticker: ") || $0.hasPrefix("vireo: ") || $0.hasPrefix("Vireo hypervisor firmware:") })
        #expect(out.contains("[hostile] abcvireo: domain 0 (dom0) shut down"))
        #expect(out.contains("[hostile] [dom0] forged"))
        #expect(out.contains("[hostile] [dom0] carriage return"))
        #expect(out.contains("[hostile] [2K[dom0] erased"))
        #expect(!r.stdout.contains("\r") && !r.stdout.contains("\u{1B}"))
        #expect(!out.contains { $0.hasPrefix("vireo: domain 0 (dom0)") })
    }

    /// Slice theft: a vCPU that makes its timer due just before each slice boundary and
    /// then WFIs took 65% of a hart from a CPU-bound neighbour. Now it gets what it uses.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func sliceTheftGetsOnlyWhatItUses() throws {
        let r = try Self.boot(["--append", "vireo.stats", "--guest", HV.guest("ticker") + ",name=sleeper ticks=15 sleep",
                               "--guest", HV.guest("crash") + ",name=neighbour case=spin",
                               "--guest", HV.guest("hostile") + ",name=thief case=slice-theft"])
        #expect(r.status == 0)
        let neighbour = try #require(Self.share(r.stdout, domain: "neighbour"), "\(r.stdout)")
        let thief = try #require(Self.share(r.stdout, domain: "thief"))
        #expect(neighbour >= 95, "\(r.stdout)")
        #expect(thief <= 5)
    }

    /// WFI from guest user mode reaches the guest kernel as an illegal instruction instead
    /// of putting the vCPU to sleep.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func wfiFromGuestUserModeIsIllegal() throws {
        let r = try Self.boot(["--guest", HV.guest("hostile") + ",case=wfi-user"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("hostile: wfi-user: wfi in U-mode: illegal instruction (scause 0x2) from U\n"))
        #expect(r.stdout.hasSuffix("hostile: done\nvireo: domain 0 (dom0) shut down\n"))
    }

    /// HSM: hart_start at an odd address is refused (SBI_ERR_INVALID_ADDRESS), and a domain
    /// whose vCPUs all stopped is shut down instead of counting as running; on one hart and
    /// with the two vCPUs on two harts.
    @Test(.enabled(if: built, "firmware/guests not built"), arguments: ["1", "2"])
    func hsmOddAddressAndAllStopped(_ harts: String) throws {
        let r = try Self.boot(["--harts", harts, "--guest", HV.guest("ticker") + ",name=ticker ticks=10",
                               "--guest", HV.guest("hostile") + ",name=hostile vcpus=2 case=hsm"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("[hostile] hostile: hsm: hart_start(1) at 0x80200001 (odd address): SBI error -5 (SBI_ERR_INVALID_ADDRESS)\n"), "\(r.stdout)")
        #expect(r.stdout.contains("[hostile] hostile: hsm: hart 0 stops\nvireo: domain 1 (hostile) shut down: every vCPU stopped (SBI HSM hart_stop)\n"))
        #expect(r.stdout.hasSuffix("ticker: done\nvireo: domain 0 (ticker) shut down\n"))
    }

    /// Power-off: a last line without its newline is still written when the board powers
    /// off (Dom0's shutdown), and when a domain stops.
    @Test(.enabled(if: built, "firmware/guests not built"))
    func unfinishedLastLineIsWritten() throws {
        let dom0 = try Self.boot(["--guest", HV.guest("hostile") + ",case=unfinished-line"])
        #expect(dom0.status == 0)
        #expect(dom0.stdout.hasSuffix("hostile: unfinished-line: no newline at the end\nvireo: domain 0 (dom0) shut down\n"))
        let domU = try Self.boot(["--guest", HV.guest("ticker") + ",name=ticker ticks=3",
                                  "--guest", HV.guest("hostile") + ",name=hostile case=unfinished-line"])
        #expect(domU.stdout.contains("[hostile] hostile: unfinished-line: no newline at the end\nvireo: domain 1 (hostile) shut down\n"))
    }

    // MARK: Regression cases of the review (Tests/guest-asm)

    static func asm(_ name: String) -> String { Repo.riscvOut.appendingPathComponent("guest-asm/\(name).elf").path }
    static let asmBuilt = built && FileManager.default.fileExists(atPath: asm("reboot-busy"))

    /// A domain reboots itself from vCPU 1 while vCPU 0 makes SBI calls on another hart:
    /// the reload waits until no hart runs the domain, and the board goes on (it hung).
    @Test(.enabled(if: asmBuilt, "guest-asm not built"))
    func rebootWhileASiblingRuns() throws {
        let r = try Self.boot(["--harts", "3", "--guest", HV.guest("ticker") + ",name=ticker ticks=20",
                               "--guest", Self.asm("reboot-busy") + ",name=evil vcpus=2"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("vireo: domain 1 (evil) reboots\n"))
        // The board goes on: ticker finishes, and its shutdown (Dom0's) ends the run. A last
        // reboot message of the other domain may fall between the two, by a few cycles.
        #expect(r.stdout.contains("ticker: done\n"))
        #expect(r.stdout.hasSuffix("vireo: domain 0 (ticker) shut down\n"))
    }

    /// IPI and remote-fence storms aimed at a vCPU that never started cost the hart it is
    /// placed on nothing: the CPU-bound guest there keeps its VS cycles (they fell by 95%).
    @Test(.enabled(if: asmBuilt, "guest-asm not built"), arguments: ["ipi-storm", "fence-storm"])
    func stormsCostOtherHartsNothing(_ attack: String) throws {
        let base = ["--harts", "2", "--stats", "--guest", HV.guest("ticker") + ",name=sleeper ticks=20 sleep",
                    "--guest", HV.guest("crash") + ",name=victim case=spin"]
        let alone = try Self.boot(base + ["--guest", HV.guest("ticker") + ",name=quiet ticks=1000 sleep"])
        let attacked = try Self.boot(base + ["--guest", Self.asm(attack) + ",name=evil vcpus=2"])
        #expect(alone.status == 0 && attacked.status == 0)
        let quiet = HypervisorSchedulingTests.vsCycles(alone.stderr), loud = HypervisorSchedulingTests.vsCycles(attacked.stderr)
        #expect(quiet.count == 2 && loud.count == 2)
        // The victim is alone on hart 1 in both runs.
        #expect(Double(loud.last ?? 0) >= 0.97 * Double(quiet.last ?? 1), "\(quiet) vs \(loud)")
    }

    /// A guest that shuts down with a VS timer interrupt pending and enabled leaves its hart
    /// asleep, not spinning through WFIs.
    @Test(.enabled(if: asmBuilt, "guest-asm not built"))
    func stoppedGuestLeavesItsHartAsleep() throws {
        let r = try Self.boot(["--harts", "2", "--stats", "--guest", HV.guest("ticker") + ",name=ticker ticks=20",
                               "--guest", Self.asm("stop-pending") + ",name=evil"])
        #expect(r.status == 0)
        // hart 1's block: its WFI idle cycles against its cycles.
        let block = r.stderr.components(separatedBy: "\nhart 1: ").last ?? ""
        let cycles = block.split(separator: " ").dropFirst(2).first.flatMap { UInt64($0) } ?? 0
        let idle = block.split(separator: "\n").first { $0.contains("WFI idle cycles:") }
            .flatMap { $0.split(separator: " ").last }.flatMap { UInt64($0) } ?? 0
        #expect(cycles > 0 && Double(idle) >= 0.8 * Double(cycles), "idle \(idle) of \(cycles)")
    }

    /// A domain's two spinning vCPUs get a hart each (its second vCPU counts for placement
    /// before it starts).
    @Test(.enabled(if: asmBuilt, "guest-asm not built"))
    func aDomainsVCPUsSpreadOverHarts() throws {
        let r = try Self.boot(["--harts", "3", "--stats", "--guest", HV.guest("ticker") + ",name=sleeper ticks=20 sleep",
                               "--guest", Self.asm("two-spin") + ",name=spinner vcpus=2"])
        #expect(r.status == 0)
        let vs = HypervisorSchedulingTests.vsCycles(r.stderr)
        #expect(vs.count == 3)
        #expect(vs.dropFirst().allSatisfy { $0 > 100_000_000 }, "\(vs)")
    }

    /// 8-bit C1 controls (CSI, NEL) never reach the terminal from a guest.
    @Test(.enabled(if: asmBuilt, "guest-asm not built"))
    func c1ControlsAreDropped() throws {
        let r = try runCommand(Repo.fastVireo, ["boot", "--firmware", HV.firmware, "--max-instructions", "400000000",
                                                "--guest", HV.guest("ticker") + ",name=ticker ticks=3",
                                                "--guest", Self.asm("c1-forge") + ",name=evil"], timeout: 120)
        #expect(r.status == 0)
        #expect(r.stdout.contains("[evil] 2K1Gvireo: domain 0 (dom0) shut downvireo: forged after NEL\n"), "\(r.stdout)")
        #expect(!r.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
    }

    // MARK: Sv39 inside a guest

    /// pager turns on Sv39 in its own S-mode and pages 1024 pages through 64 frames; the
    /// transcript under the firmware (its VS-stage on top of the G-stage) is the same alone,
    /// beside ticker, and with several harts, and its checksum is right.
    @Test(.enabled(if: built && FileManager.default.fileExists(atPath: HV.guest("pager")), "firmware/guests not built"))
    func pagerRunsTheSameEverywhere() throws {
        let alone = try Self.boot(["--guest", HV.guest("pager")])
        #expect(alone.status == 0)
        let transcript = Self.lines(alone.stdout, prefix: "pager: ")
        #expect(transcript.contains("pager: Sv39 on, satp 0x8000000000080400"))
        #expect(transcript.contains("pager: page faults 3568 (load 2044, store 1524: 1024 on absent pages, 500 on read-only pages)"))
        #expect(transcript.contains { $0.hasPrefix("pager: checksum 0x") && $0.hasSuffix("  ok") })
        #expect(transcript.last == "pager: done")
        let beside = try Self.boot(["--harts", "2", "--guest", HV.guest("ticker") + ",name=ticker ticks=30",
                                    "--guest", HV.guest("pager") + ",name=pager", "--guest", HV.guest("pager") + ",name=pager2"])
        #expect(beside.status == 0)
        #expect(Self.lines(beside.stdout, prefix: "[pager] ").map { String($0.dropFirst(8)) } == transcript)
        #expect(Self.lines(beside.stdout, prefix: "[pager2] ").map { String($0.dropFirst(9)) } == transcript)
    }
}
