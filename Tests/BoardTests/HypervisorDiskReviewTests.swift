import Foundation
import Testing
import TestSupport

/// The review of Hypervisor IV's guest disks, kept as regressions: proof-of-concept guests
/// (Tests/guest-asm, built by tools/build/guest-asm.sh) beside measuring guests, created
/// from Dom0's shell with disks from an archive on a writable drive. Figures are modeled
/// time, so the bounds are exact for given inputs.
@Suite struct HypervisorDiskReviewTests {
    typealias Dom0 = HypervisorDom0Tests
    static let asm = Repo.riscvOut.appendingPathComponent("guest-asm")
    static let built = Dom0.built && ["diskpop-pump", "disk-hog", "plic-complete", "lock-probe", "disk-probe"].allSatisfy {
        FileManager.default.fileExists(atPath: asm.appendingPathComponent("\($0).elf").path)
    }

    /// An archive with the PoC kernels, 4 KiB images a…h and p1, p2, a 128 MiB `hog.img`
    /// (sparse on the host) and one config per line of `configs` (name, kernel, disks).
    static func archive(_ configs: [(String, String, [String])], in d: URL) throws -> String {
        var files: [String] = []
        for k in ["diskpop-pump", "disk-hog", "plic-complete", "lock-probe", "disk-probe"] {
            try FileManager.default.copyItem(atPath: asm.appendingPathComponent("\(k).elf").path,
                                             toPath: d.appendingPathComponent("\(k).elf").path)
            files.append("\(k).elf")
        }
        for x in ["a", "b", "c", "d", "e", "f", "g", "h", "p1", "p2", "probe"] {
            try Data(count: 4096).write(to: d.appendingPathComponent("\(x).img"))
            files.append("\(x).img")
        }
        FileManager.default.createFile(atPath: d.appendingPathComponent("hog.img").path, contents: nil)
        let hog = try FileHandle(forWritingTo: d.appendingPathComponent("hog.img"))
        try hog.truncate(atOffset: 128 << 20)
        try hog.close()
        files.append("hog.img")
        for (name, kernel, disks) in configs {
            let disk = disks.isEmpty ? "" : "disk = [ " + disks.map { "'\($0)'" }.joined(separator: ", ") + " ]\n"
            try "name = '\(name)'\nkernel = '\(kernel)'\nmemory = 4\n\(disk)".write(
                to: d.appendingPathComponent("\(name).cfg"), atomically: true, encoding: .utf8)
            files.append("\(name).cfg")
        }
        let tar = d.appendingPathComponent("review.tar").path
        let r = try runCommand(executableOnPath("tar")!, ["--format=gnu", "-C", d.path, "-cf", tar] + files, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        return tar
    }

    /// The hex values after `key=` in the lines of a guest's console backlog.
    static func values(_ key: String, _ lines: [String]) -> [UInt64] {
        lines.compactMap { line in
            guard let r = line.range(of: key + "=0x") else { return nil }
            return UInt64(line[r.upperBound...].prefix { $0.isHexDigit }, radix: 16)
        }
    }

    static func scratch() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-review-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// A guest keeps 256 requests of an unknown type waiting on each of its 8 disks, each a
    /// chain of 256 descriptors, without a VM exit: diskPop's work under the firmware's lock
    /// is bounded per call (one budget of 16 chains, every descriptor counted), so another
    /// guest's SBI calls never wait long. Before: 13 ms; now within 100 µs, as with no
    /// attacker (about 15 µs).
    @Test(.enabled(if: built, "dom0 or the review guests are not built"))
    func diskPopWorkUnderTheLockIsBounded() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        let tar = try Self.archive([("probe", "lock-probe.elf", []),
                                    ("pump", "diskpop-pump.elf", ["a.img,vda,w", "b.img,vdb,w", "c.img,vdc,w", "d.img,vdd,w",
                                                                  "e.img,vde,w", "f.img,vdf,w", "g.img,vdg,w", "h.img,vdh,w"])], in: d)
        let r = try Dom0.session([(20, "create probe.cfg\r"), (30, "create pump.cfg\r"), (800, "console probe\r"),
                                  (820, "\u{1D}"), (830, "halt\r")], extra: ["--harts", "3", "--drive", "file=" + tar])
        let lines = Dom0.lines(r)
        #expect(r.status == 0)
        #expect(lines.contains("dom0: created domain 2 (pump)"))
        // The first window includes Dom0 building both domains; the others are steady state.
        let windows = Self.values("probe max", Dom0.output(of: "console probe", in: lines)).dropFirst()
        #expect(windows.count >= 5, "\(Dom0.output(of: "console probe", in: lines))")
        #expect(windows.allSatisfy { $0 <= 1000 }, "longest SBI call per 100 ms, in 100 ns ticks: \(windows)")
    }

    /// A guest's requests of 128 MiB (128 descriptors of 1 MiB aliasing one buffer) fail
    /// with IOERR in the frontend (longer than seg_max × size_max), so Dom0 never serves them
    /// for long: another guest's 512-byte reads keep their latency. Before: 0.25 s each.
    @Test(.enabled(if: built, "dom0 or the review guests are not built"))
    func oneRequestIsBoundedWork() throws {
        let d = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: d) }
        let tar = try Self.archive([("dprobe", "disk-probe.elf", ["probe.img,vda,r"]), ("hog", "disk-hog.elf", ["hog.img,vda,r"])], in: d)
        let r = try Dom0.session([(20, "create dprobe.cfg\r"), (100, "create hog.cfg\r"), (800, "console dprobe\r"),
                                  (820, "\u{1D}"), (830, "halt\r")], extra: ["--harts", "3", "--drive", "file=" + tar])
        let lines = Dom0.lines(r)
        #expect(r.status == 0)
        #expect(lines.contains("dom0: created domain 2 (hog)"))
        let windows = Self.values("disk max", Dom0.output(of: "console dprobe", in: lines)).dropFirst(2)
        #expect(windows.count >= 4, "\(Dom0.output(of: "console dprobe", in: lines))")
        #expect(windows.allSatisfy { $0 <= 4000 }, "longest 512-byte read per 100 ms, in 100 ns ticks: \(windows)")
    }

    /// A guest completing its own PLIC source 2 in a loop no longer completes Dom0's
    /// physical source 2: Dom0's hart takes no more machine external interrupts than
    /// without the attacker. Before: 70,624 against 4,096.
    @Test(.enabled(if: built, "dom0 or the review guests are not built"))
    func aGuestsCompletionStaysVirtual() throws {
        func externalInterrupts(attack: Bool) throws -> Int {
            let d = try Self.scratch()
            defer { try? FileManager.default.removeItem(at: d) }
            let tar = try Self.archive([("pc", attack ? "plic-complete.elf" : "lock-probe.elf", ["p1.img,vda,r", "p2.img,vdb,r"]),
                                        ("dprobe", "disk-probe.elf", ["probe.img,vda,r"])], in: d)
            let r = try Dom0.session([(20, "create pc.cfg\r"), (30, "create dprobe.cfg\r"), (600, "halt\r")],
                                     extra: ["--harts", "2", "--drive", "file=" + tar, "--drive", "file=" + tar + ",readonly", "--stats"])
            #expect(r.status == 0)
            // --stats: "hart 0: …", then its traps, among them "machine external interrupt N from VS N".
            let stats = r.stderr.split(separator: "\n").map(String.init)
            guard let h0 = stats.firstIndex(where: { $0.hasPrefix("hart 0:") }) else { return -1 }
            let line = stats[h0...].first { $0.contains("machine external interrupt") } ?? ""
            return Int(line.split(separator: " ").first { Int($0) != nil } ?? "") ?? 0
        }
        let quiet = try externalInterrupts(attack: false)
        let attacked = try externalInterrupts(attack: true)
        #expect(quiet >= 0 && attacked >= 0)
        #expect(attacked <= quiet + quiet / 4 + 16, "machine external interrupts on Dom0's hart: \(attacked) with the attacker, \(quiet) without")
    }
}
