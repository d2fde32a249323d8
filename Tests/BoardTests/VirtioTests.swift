import Foundation
import Testing

/// virtio-blk from a bare-metal driver (Tests/virtio, checked on QEMU's virtio-blk-device
/// first): writes, flushes and reads back sectors, persistence across two board runs, a
/// read-only drive, and clear errors for bad images.
@Suite(.serialized) struct VirtioTests {
    static func elf(_ name: String) -> String { Repo.riscvOut.appendingPathComponent("virtio/\(name).elf").path }

    /// A 1 MiB image whose sector 0 starts with "VIREO-DISK".
    func image() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-disk-\(UUID().uuidString).img").path
        var bytes = [UInt8](repeating: 0, count: 1 << 20)
        bytes.replaceSubrange(0..<10, with: Array("VIREO-DISK".utf8))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func sectors(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        Array([UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))[(range.lowerBound * 512)..<(range.upperBound * 512)])
    }

    @Test func writeFlushReadThenPersistAcrossRuns() throws {
        let img = try image()
        defer { try? FileManager.default.removeItem(atPath: img) }
        let first = try runCommand(Repo.vireo, ["run", "--drive", "file=\(img)", Self.elf("blk-rw")])
        #expect(first.status == 0, "\(first.stdout)")
        #expect(first.stdout.contains("PASS blk-rw"))
        // The writes reached the file: sectors 8–11 are no longer zero, sector 0 is intact.
        #expect(try sectors(img, 8..<12).contains { $0 != 0 })
        #expect(try sectors(img, 0..<1).starts(with: Array("VIREO-DISK".utf8)))
        let second = try runCommand(Repo.vireo, ["run", "--drive", "file=\(img),format=raw", Self.elf("blk-persist")])
        #expect(second.status == 0, "\(second.stdout)")
        #expect(second.stdout.contains("PASS blk-persist"))
    }

    @Test func readOnlyDriveFailsWritesAndKeepsTheImage() throws {
        let img = try image()
        defer { try? FileManager.default.removeItem(atPath: img) }
        let before = try Data(contentsOf: URL(fileURLWithPath: img))
        let r = try runCommand(Repo.vireo, ["run", "--drive", "file=\(img),readonly", Self.elf("blk-ro")])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("PASS blk-ro"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: img)) == before)
    }

    @Test func withoutADiskTheDriverFindsNone() throws {
        let r = try runCommand(Repo.vireo, ["run", Self.elf("blk-rw")])
        #expect(r.status == 3)  // the driver's check 3: no block device in any slot
    }

    @Test func badDrivesAreClearErrors() throws {
        let missing = try runCommand(Repo.vireo, ["run", "--drive", "file=/nonexistent/disk.img", Self.elf("blk-rw")])
        #expect(missing.status == 2)
        #expect(missing.stderr == "vireo: /nonexistent/disk.img: cannot open disk image: No such file or directory\n")
        let badOption = try runCommand(Repo.vireo, ["run", "--drive", "file=x.img,cache=none", Self.elf("blk-rw")])
        #expect(badOption.status != 0)
        #expect(badOption.stderr.contains("unknown option 'cache=none'"))
        let badFormat = try runCommand(Repo.vireo, ["run", "--drive", "file=x.img,format=qcow2", Self.elf("blk-rw")])
        #expect(badFormat.stderr.contains("only format=raw is supported"))
    }
}
