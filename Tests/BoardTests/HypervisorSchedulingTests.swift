import Foundation
import Testing

/// Scheduling (Hypervisor II): vCPUs on every hart, weighted shares, many domains at once.
/// The shares come from the firmware's own accounting (`--append vireo.stats`: guest cycles
/// per domain, guest share and slice-switch cost per hart) and from the board's `--stats`
/// (VS cycles per hart).
@Suite struct HypervisorSchedulingTests {
    typealias HV = HypervisorBootTests
    typealias Iso = HypervisorIsolationTests

    /// Per hart, from the board's `--stats`: the cycles it spent in VS-mode.
    static func vsCycles(_ stderr: String) -> [UInt64] {
        var result: [UInt64] = []
        var inHart = false
        for line in stderr.split(separator: "\n") {
            if line.hasPrefix("hart ") { inHart = true }
            if inHart, line.hasPrefix("  VS ") {
                result.append(line.split(separator: " ").last.flatMap { UInt64($0) } ?? 0)
                inHart = false
            }
        }
        return result
    }

    /// "vireo: stats: hart H: guests P% of …" → P for each hart.
    static func hartShares(_ stdout: String) -> [Double] {
        HV.lines(stdout).filter { $0.hasPrefix("vireo: stats: hart ") }.compactMap { line in
            guard let r = line.range(of: ": guests ") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "%" })
        }
    }

    /// Two CPU-bound guests with weights 1 and 3 on one hart get 25% and 75% of it, within
    /// 2 points (Xen's credit scheduler is the model; Dom0 only sleeps).
    @Test(.enabled(if: HV.built, "firmware/guests not built"))
    func weightsShareOneHart() throws {
        let r = try Iso.boot(["--harts", "1", "--append", "vireo.stats",
                              "--guest", HV.guest("ticker") + ",name=sleeper sleep ticks=30",
                              "--guest", HV.guest("crash") + ",name=light weight=1 case=spin",
                              "--guest", HV.guest("crash") + ",name=heavy weight=3 case=spin"])
        #expect(r.status == 0, "\(r.stdout)")
        let light = try #require(Iso.share(r.stdout, domain: "light"), "\(r.stdout)")
        let heavy = try #require(Iso.share(r.stdout, domain: "heavy"))
        #expect(abs(light - 25) <= 2, "\(r.stdout)")
        #expect(abs(heavy - 75) <= 2)
        #expect(r.stdout.contains("vireo: stats: domain 1 (light) weight 1: "))
        #expect(r.stdout.contains("vireo: stats: domain 2 (heavy) weight 3: "))
    }

    /// A weight outside 1...65535 is refused with a clear message.
    @Test(.enabled(if: HV.built, "firmware/guests not built"))
    func badWeightIsRefused() throws {
        let r = try Iso.boot(["--guest", HV.guest("hello") + ",weight=0", "--guest", HV.guest("hello") + ",name=ok"])
        #expect(r.stdout.contains("vireo: module at 0x80200000 (dom0): bad option weight=0\n"), "\(r.stdout)")
        #expect(r.stdout.contains("[ok] hello: done, shutting down"))
    }

    /// With --harts 4, four CPU-bound guests run in parallel, one per hart: each hart spends
    /// ≥ 98% of its cycles in guests from its first guest entry, the board's VS cycles are
    /// spread evenly, and the run is deterministic.
    @Test(.enabled(if: HV.built, "firmware/guests not built"))
    func fourGuestsOnFourHarts() throws {
        let args = ["--harts", "4", "--append", "vireo.stats", "--stats",
                    "--guest", HV.guest("ticker") + ",name=sleeper sleep ticks=10"]
            + ["a", "b", "c", "d"].flatMap { ["--guest", HV.guest("crash") + ",name=\($0) case=spin"] }
        let r = try Iso.boot(args)
        #expect(r.status == 0, "\(r.stdout)")
        for name in ["a", "b", "c", "d"] {
            let share = try #require(Iso.share(r.stdout, domain: name), "\(r.stdout)")
            #expect(abs(share - 25) <= 1, "\(name): \(share)")
        }
        let shares = Self.hartShares(r.stdout)
        #expect(shares.count == 4)
        #expect(shares.allSatisfy { $0 >= 98 }, "\(shares)")
        let vs = Self.vsCycles(r.stderr)
        #expect(vs.count == 4)
        let least = vs.min() ?? 0, most = vs.max() ?? 0
        #expect(least > 0 && Double(least) >= 0.9 * Double(most), "\(vs)")
        let again = try Iso.boot(args)
        #expect(again.stdout == r.stdout)
        #expect(Self.vsCycles(again.stderr) == vs)
    }

    /// Sixteen domains at once on four harts: each is created, runs, and gets its share. In
    /// shadow mode too (issue 17): each vCPU's shadow pages come from the page-table pool as
    /// its shadows fill, so sixteen fit.
    @Test(.enabled(if: HV.built, "firmware/guests not built"), arguments: ["vireo.stats", "vireo.stats vireo.mmu=shadow"])
    func sixteenDomainsAtOnce(_ options: String) throws {
        let args = ["--harts", "4", "--append", options,
                    "--guest", HV.guest("ticker") + ",name=sleeper sleep ticks=20 mem=4M"]
            + (1...15).flatMap { ["--guest", HV.guest("crash") + ",name=spin\($0) mem=4M case=spin"] }
        let r = try Iso.boot(args)
        #expect(r.status == 0, "\(r.stdout)")
        for i in 1...15 {
            #expect(r.stdout.contains("vireo: domain \(i) (spin\(i)): 4 MiB at 0x"))
            #expect(r.stdout.contains("[spin\(i)] crash: case spin\n"))
            let share = try #require(Iso.share(r.stdout, domain: "spin\(i)"), "\(r.stdout)")
            // 15 spinners on 4 harts: 4 harts hold 4, 4, 4 and 3 of them (with the sleeper).
            #expect(share >= 5 && share <= 8.5, "spin\(i): \(share)")
        }
        #expect(Self.hartShares(r.stdout).allSatisfy { $0 >= 97 })
    }

    /// A domain with vCPUs on several harts: the smp guest's IPIs, remote fences and HSM
    /// across harts give the same transcript as on one hart.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("smp")), "firmware/guests not built"))
    func smpGuestAcrossHarts() throws {
        let one = try Iso.boot(["--guest", HV.guest("smp") + ",vcpus=2"])
        let two = try Iso.boot(["--harts", "2", "--stats", "--guest", HV.guest("smp") + ",vcpus=2"])
        #expect(one.status == 0 && two.status == 0)
        #expect(two.stdout.contains("smp: all 27 checks ok, shutting down"))
        // The lines of each vCPU, in order, are the same (the two vCPUs interleave differently).
        for vcpu in ["smp: hart 0 ", "smp: hart 1 "] {
            #expect(Self.lines(one.stdout, vcpu) == Self.lines(two.stdout, vcpu))
        }
        #expect(Self.vsCycles(two.stderr).allSatisfy { $0 > 0 }, "both harts ran a vCPU")
    }

    static func lines(_ text: String, _ prefix: String) -> [String] { HV.lines(text).filter { $0.hasPrefix(prefix) } }
}
