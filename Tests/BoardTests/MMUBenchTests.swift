import Foundation
import Testing
import TestSupport

/// guests/mmubench (issue 17 item 4): demand-paging faults, context switches between three
/// U-mode processes on their own Sv39 roots, and a page-table update storm, each measured
/// by the guest in modeled cycles. `vireo bench --hypervisor --mmu shadow` compares the
/// figures; this checks that they are worth comparing: the guest's own checks pass, and
/// the same way, under two-stage translation and on shadow tables.
@Suite struct MMUBenchTests {
    typealias HV = HypervisorBootTests
    static let built = HV.built && FileManager.default.fileExists(atPath: HV.guest("mmubench"))

    /// The verification lines, the same in every mode (no figure in them).
    static let checks = [
        "mmubench: Sv39 on, identity map 0x80200000-0x80800000, work area at 0x80400000",
        "mmubench: pagefault: 2 rounds over 512 pages, 1024 faults, every page read its frame's tag, store counts ok",
        "mmubench: switch: 3 processes, 1500 rounds (500 500 500), page counters and tag sums ok",
        "mmubench: ptstorm: 2048 updates of 8 pages over 16 frames, every touch saw its new frame, store counts ok",
    ]

    /// The "bench: NAME VALUE" figures of a transcript.
    static func figures(_ out: String) -> [String: UInt64] {
        var f: [String: UInt64] = [:]
        for line in HV.lines(out) where line.hasPrefix("bench: ") {
            let parts = line.split(separator: " ")
            if parts.count == 3, let v = UInt64(parts[2]) { f[String(parts[1])] = v }
        }
        return f
    }

    @Test(.enabled(if: built, "mmubench not built (tools/build/guests.sh mmubench)"))
    func theChecksPassInBothModes() throws {
        let twoStage = try HV.boot(["--guest", HV.guest("mmubench"), "--append", "vireo.stats"])
        let shadow = try HV.boot(["--guest", HV.guest("mmubench"), "--append", "vireo.mmu=shadow vireo.stats"])
        for (mode, r) in [("two-stage", twoStage), ("shadow", shadow)] {
            #expect(r.status == 0, "\(mode): \(r.stdout)")
            let lines = HV.lines(r.stdout)
            #expect(lines.filter { $0.hasPrefix("mmubench: ") } == Self.checks, "\(mode)")
            #expect(lines.contains("bench: done"), "\(mode)")
            let f = Self.figures(r.stdout)
            for key in ["pagefault-cycles", "switch-cycles", "ptstorm-cycles"] {
                #expect((f[key] ?? 0) > 0, "\(mode): \(key)")
            }
            #expect(f["pagefaults"] == 1024 && f["switches"] == 1500 && f["ptstorm-updates"] == 2048, "\(mode): \(f)")
            #expect(f["asid-bits"] != nil, "\(mode): the probe's result")
        }
        // The board's satp and vsatp hold 16 ASID bits (Hart+CSR.swift); so does the classic
        // VMM's virtual satp (decision 0020), so the guest does not fence on its switches.
        #expect(Self.figures(twoStage.stdout)["asid-bits"] == 16)
        #expect(Self.figures(shadow.stdout)["asid-bits"] == 16)

        // The shadow run did fill shadows, and the storm's PTE stores trapped.
        let stats = HV.lines(shadow.stdout).first { $0.hasPrefix("vireo: stats:   shadow: ") } ?? ""
        func number(before word: String) -> Int {
            let w = stats.components(separatedBy: " ")
            guard let i = w.firstIndex(of: word), i > 0 else { return -1 }
            return Int(w[i - 1]) ?? -1
        }
        #expect(number(before: "pages") > 1000, "\(stats)")
        #expect(number(before: "page-table") >= 2047, "the storm's PTE updates trapped: \(stats)")
        // Two-stage translation: none of it exits (only the console's SBI calls and the
        // firmware's slice ends).
        let exits = try #require(HV.lines(twoStage.stdout).first { $0.hasPrefix("vireo: stats:   exits: ") })
        #expect(!exits.contains("page fault") && !exits.contains("illegal instruction"), "\(exits)")
    }
}
