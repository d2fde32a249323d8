import Foundation
import Testing

/// A guest's virtio-blk disk under attack (decision 0013): the hostile guest with
/// `case=virtio` breaks the virtqueue of the disk the firmware emulates for it and Dom0
/// serves from an image in a tar archive (a further, writable `--drive`). Every broken
/// queue must end in DEVICE_NEEDS_RESET with the device's line raised and touch nothing
/// else; after a reset the device works again; the image on the host changes only where
/// the one valid write went.
@Suite struct HypervisorVirtioTests {
    typealias HV = HypervisorBootTests
    typealias Dom0 = HypervisorDom0Tests
    static let built = Dom0.built && FileManager.default.fileExists(atPath: HV.guest("hostile"))

    /// The archive a test gives Dom0: vdisk.img (64 KiB: sector 0 the pattern hostile
    /// checks, the rest random) and virtio.cfg (hostile.elf, `case=virtio`, 32 MiB, the
    /// image as a writable vda).
    struct Archive {
        let directory: URL
        let tar: String
        /// The archive as built, and where the image's data starts in it.
        let original: Data
        let imageOffset: Int
        static let imageSize = 64 << 10
    }

    static func makeArchive() throws -> Archive {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-virtio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var image = [UInt8](repeating: 0, count: Archive.imageSize)
        var rng = SystemRandomNumberGenerator()
        for i in 0..<image.count { image[i] = UInt8.random(in: 0...255, using: &rng) }
        for i in 0..<512 { image[i] = sectorZeroByte(i) }
        try Data(image).write(to: dir.appendingPathComponent("vdisk.img"))
        try "# the hostile guest against its own disk\nname = 'vhostile'\nkernel = 'hostile.elf'\nextra = 'case=virtio'\nmemory = 32\ndisk = [ 'vdisk.img,vda,w' ]\n"
            .write(to: dir.appendingPathComponent("virtio.cfg"), atomically: true, encoding: .utf8)
        let tar = dir.appendingPathComponent("virtio.tar").path
        let t = try runCommand("/usr/bin/tar", ["--format=gnu", "-C", dir.path, "-cf", tar, "virtio.cfg", "vdisk.img"])
        #expect(t.status == 0, "\(t.stderr)")
        let original = try Data(contentsOf: URL(fileURLWithPath: tar))
        let offset = try #require(dataOffset(of: "vdisk.img", in: original), "vdisk.img not found in the archive")
        #expect(original.subdata(in: offset..<(offset + Archive.imageSize)) == Data(image))
        return Archive(directory: dir, tar: tar, original: original, imageOffset: offset)
    }

    /// Where a member's data starts in a ustar/GNU archive (512-byte headers: name at 0,
    /// size in octal at 124).
    static func dataOffset(of name: String, in tar: Data) -> Int? {
        let bytes = [UInt8](tar)
        var at = 0
        while at + 512 <= bytes.count, bytes[at] != 0 {
            let member = String(decoding: bytes[at..<(at + 100)].prefix { $0 != 0 }, as: UTF8.self)
            let sizeText = String(decoding: bytes[(at + 124)..<(at + 136)].filter { $0 >= 0x30 && $0 <= 0x37 }, as: UTF8.self)
            guard let size = Int(sizeText, radix: 8) else { return nil }
            if member == name { return at + 512 }
            at += 512 + (size + 511) / 512 * 512
        }
        return nil
    }

    /// Byte i of sector 0 (guests/hostile/Virtio.swift `sectorZeroByte`).
    static func sectorZeroByte(_ i: Int) -> UInt8 { UInt8((i * 13 + 7) % 251) }
    /// What hostile writes to sector 1 (`sectorOneText`, repeated, cut at 512 bytes).
    static let sectorOne = Data(String(repeating: "hostile wrote sector 1\n", count: 23).utf8.prefix(512))

    /// Every attack of the case, with hostile's RAM at 0x8000_0000-0x8200_0000 (32 MiB).
    static let attacks = [
        "read into 0x82000000 (end of RAM)", "read into 0x88000000", "read into 0x1000", "read into 0xfffffffffffff000",
        "read 512 bytes into 0x81ffff00 (straddles the end of RAM)", "read 512 bytes into 0xffffffffffffff00 (wraps around)",
        "write sector 2 from 0x7ffff000 (below RAM)", "write sector 2 from 0x88000000",
        "header at 0xfffffffffffff000", "status byte at 0x82000000 (end of RAM)",
        "descriptor loop 0 -> 1 -> 0", "descriptor 0 chained to itself",
        "head 8 (queue size 8)", "head 0xffff", "next 200 (queue size 8)",
        "INDIRECT descriptor (not negotiated)",
        "avail idx 1000 ahead", "avail idx 9 ahead (queue size 8)",
        "used ring at 0x82000000 (end of RAM)", "used ring at 0x81fffff8 (straddles the end of RAM)", "used ring at 0x1000",
        "descriptor table at 0x88000000", "avail ring at 0xfffffffffffff000",
    ]
    static let stopped = ": DEVICE_NEEDS_RESET, InterruptStatus 0x2, line raised; after reset sector 0 reads back"

    /// hostile's `virtio:` lines in a console transcript, without the prefix.
    static func virtioLines(_ console: [String]) -> [String] {
        console.filter { $0.hasPrefix("hostile: virtio: ") }.map { String($0.dropFirst("hostile: virtio: ".count)) }
    }

    /// Checks what every run shows: each attack stopped with DEVICE_NEEDS_RESET and the
    /// line raised, the device working after each reset, nothing NOT STOPPED, the bad
    /// requests refused, the end.
    static func checkAttacks(_ console: [String]) {
        let lines = virtioLines(console)
        #expect(!lines.contains { $0.contains("NOT STOPPED") }, "\(lines.filter { $0.contains("NOT STOPPED") })")
        for attack in attacks {
            #expect(lines.contains(attack + stopped), "\(attack): \(lines.first { $0.hasPrefix(attack + ":") } ?? "missing")")
        }
        #expect(lines.filter { $0.hasSuffix(stopped) }.count == attacks.count)
        #expect(lines.first?.hasPrefix("device at 0x10001000, capacity 128 sectors, ") == true, "\(lines.first ?? "no lines")")
        #expect(lines.contains("read sector 0: OK, matches the pattern"))
        #expect(lines.contains("read sector 128 (the capacity): IOERR"))
        #expect(lines.contains("read sectors 127-128 (past the end): IOERR"))
        #expect(lines.contains("read sector 0xffffffffffffffff: IOERR"))
        #expect(lines.contains("request type 0x77: UNSUPP"))
        #expect(lines.contains { $0.hasPrefix("get id: OK, \"vireo-") })
        #expect(lines.last == "done")
        #expect(console.contains("hostile: done"))
    }

    /// The bytes of the archive that differ from `original`, as ranges.
    static func changedBytes(_ now: Data, _ original: Data) -> [Int] {
        guard now.count == original.count else { return [-1] }
        let a = [UInt8](now), b = [UInt8](original)
        return (0..<a.count).filter { a[$0] != b[$0] }
    }

    /// Beside echo (the bystander), the hostile guest attacks its writable disk from the
    /// shell: every attack is stopped, the recovery read and write work, Dom0's list answers
    /// afterwards, echo still echoes, the firmware logged each broken queue, and the image
    /// on the host differs from the original exactly in sector 1, which holds what was
    /// written.
    @Test(.enabled(if: built, "dom0, its disk or hostile not built"))
    func attacksOnAWritableDisk() throws {
        let archive = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: archive.directory) }
        let r = try Dom0.session([
            (150, "create echo.cfg\r"), (200, "create virtio.cfg on_poweroff=preserve\r"), (1000, "console vhostile\r"),
            (1100, "\u{1D}"), (1150, "list\r"), (1200, "console echo\r"), (1300, "still here\r"), (1400, "\u{1D}"),
            (1450, "dmesg\r"), (1500, "list\r"), (1550, "halt\r"),
        ], extra: ["--drive", "file=" + archive.tar])
        #expect(r.status == 0, "\(r.stdout)")
        let out = Dom0.lines(r)
        #expect(Dom0.output(of: "create virtio.cfg on_poweroff=preserve", in: out) == ["dom0: created domain 2 (vhostile)"], "\(out)")
        let console = Dom0.output(of: "console vhostile", in: out)
        Self.checkAttacks(console)
        let lines = Self.virtioLines(console)
        #expect(lines.first?.contains("read-only no") == true)
        #expect(lines.contains("write sector 1: OK"))
        #expect(lines.contains("read sector 1: OK, reads back what was written"))

        // Dom0 answers, the bystander is intact and still takes input.
        let list = Dom0.output(of: "list", in: out)
        #expect(Dom0.listNames(list) == ["dom0", "echo", "vhostile"])
        #expect(list.contains { $0.hasPrefix("echo ") && $0.contains("-b----") }, "\(list)")
        #expect(list.contains { $0.hasPrefix("vhostile ") && $0.contains("---s--") }, "\(list)")
        let echo = Dom0.output(of: "console echo", in: out)
        #expect(echo.first == "dom0: attached to echo (Ctrl-] returns to Dom0)")
        for line in ["hello: Vireo guest hello on hart 0", "hello: bootargs \"echo\"", "hello: type a line",
                     "hello: echo \"still here\" (10 bytes, newline)", "hello: done, shutting down"] {
            #expect(echo.contains(line), "\(line): \(echo)")
        }
        #expect(echo.dropFirst().allSatisfy { $0.isEmpty || $0.hasPrefix("hello: ") || $0 == "dom0: detached from echo" }, "\(echo)")
        #expect(out.contains("dom0: domain 1 (echo) shut down"))
        let dmesg = Dom0.output(of: "dmesg", in: out)
        #expect(dmesg.filter { $0 == "vireo: domain 2 (vhostile): vda needs reset: the guest broke its virtqueue" }.count == Self.attacks.count,
                "\(dmesg)")
        #expect(!dmesg.contains { $0.contains("crashed") }, "\(dmesg)")
        #expect(Dom0.listNames(Dom0.output(of: "list", in: out, occurrence: 1)) == ["dom0", "vhostile"])
        #expect(out.last(where: { !$0.isEmpty }) == "vireo: domain 0 (dom0) shut down")

        // On the host: sector 1 of the image holds what was written, every other byte of
        // the archive is as it was.
        let now = try Data(contentsOf: URL(fileURLWithPath: archive.tar))
        let sector1 = (archive.imageOffset + 512)..<(archive.imageOffset + 1024)
        #expect(now.count == archive.original.count)
        #expect(now.subdata(in: sector1) == Self.sectorOne)
        let changed = Self.changedBytes(now, archive.original)
        #expect(!changed.isEmpty && changed.allSatisfy { sector1.contains($0) }, "changed outside sector 1: \(changed.filter { !sector1.contains($0) }.prefix(8))")
    }

    /// The same disk given read-only on the create line (`disk="['vdisk.img,vda,r']"`):
    /// the device offers VIRTIO_BLK_F_RO, the attacks are stopped as before, the write gets
    /// IOERR, sector 1 does not hold it, and the archive on the host is unchanged.
    @Test(.enabled(if: built, "dom0, its disk or hostile not built"))
    func writeToAReadOnlyDiskFails() throws {
        let archive = try Self.makeArchive()
        defer { try? FileManager.default.removeItem(at: archive.directory) }
        let create = "create virtio.cfg disk=\"['vdisk.img,vda,r']\" on_poweroff=preserve"
        let r = try Dom0.session([
            (150, create + "\r"), (1000, "console vhostile\r"), (1100, "\u{1D}"), (1150, "list\r"), (1200, "halt\r"),
        ], extra: ["--drive", "file=" + archive.tar])
        #expect(r.status == 0, "\(r.stdout)")
        let out = Dom0.lines(r)
        #expect(Dom0.output(of: create, in: out) == ["dom0: created domain 1 (vhostile)"], "\(out)")
        let console = Dom0.output(of: "console vhostile", in: out)
        Self.checkAttacks(console)
        let lines = Self.virtioLines(console)
        #expect(lines.first?.contains("read-only yes") == true, "\(lines.first ?? "no lines")")
        #expect(lines.contains("write sector 1 (read-only disk): IOERR"))
        #expect(lines.contains("read sector 1: OK, without the refused write"))
        #expect(Dom0.listNames(Dom0.output(of: "list", in: out)) == ["dom0", "vhostile"])
        let now = try Data(contentsOf: URL(fileURLWithPath: archive.tar))
        #expect(now == archive.original, "changed bytes: \(Self.changedBytes(now, archive.original).prefix(8))")
    }
}
