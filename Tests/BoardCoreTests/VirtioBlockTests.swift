@testable import BoardCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// virtio-blk over virtio-mmio v2, driven register by register with queues built in guest
/// memory (Virtio 1.x §4.2, §2.7, §5.2).
@Suite struct VirtioBlockTests {
    static let slot0: UInt64 = 0x1000_1000
    // Guest memory layout of the test driver.
    let desc: UInt64 = 0x8010_0000, avail: UInt64 = 0x8010_1000, used: UInt64 = 0x8010_2000
    let header: UInt64 = 0x8010_3000, data: UInt64 = 0x8010_4000, status: UInt64 = 0x8010_6000

    final class Rig {
        let bus: Bus
        let image: String
        var cycles: UInt64 = 0
        /// A disk of `sectors` sectors starting "VIREO-DISK"; or, with `sparseBytes`, a sparse
        /// image file of that size (no data written).
        init(readOnly: Bool = false, sectors: Int = 64, memoryBytes: UInt64 = 16 << 20, sparseBytes: Int64? = nil,
             specStrict: Bool = false) throws {
            bus = Bus(memoryBytes: memoryBytes, specStrict: specStrict)
            image = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-blk-\(UUID().uuidString).img").path
            if let sparseBytes {
                let fd = open(image, O_CREAT | O_RDWR | O_TRUNC, 0o644)
                precondition(fd >= 0)
                precondition(ftruncate(fd, off_t(sparseBytes)) == 0)
                close(fd)
            } else {
                var bytes = [UInt8](repeating: 0, count: sectors * 512)
                for (i, b) in Array("VIREO-DISK".utf8).enumerated() { bytes[i] = b }
                try Data(bytes).write(to: URL(fileURLWithPath: image))
            }
            try bus.attachDisk(slot: 0, path: image, readOnly: readOnly)
        }
        deinit { try? FileManager.default.removeItem(atPath: image) }
        func r(_ off: UInt64) -> UInt32 { UInt32(bus.mmioRead(VirtioBlockTests.slot0 + off, size: 4, cycles: cycles)!) }
        func w(_ off: UInt64, _ v: UInt32) { _ = bus.mmioWrite(VirtioBlockTests.slot0 + off, size: 4, value: UInt64(v), cycles: cycles) }
        func put64(_ a: UInt64, _ v: UInt64) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func put32(_ a: UInt64, _ v: UInt32) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func put16(_ a: UInt64, _ v: UInt16) { bus.writeMemory(a, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func get16(_ a: UInt64) -> UInt16 { bus.readMemory(a, count: 2)!.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) } }
        func get32(_ a: UInt64) -> UInt32 { bus.readMemory(a, count: 4)!.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } }
        var fileBytes: [UInt8] { [UInt8](FileManager.default.contents(atPath: image)!) }
    }

    /// Status handshake and queue 0 setup, as a driver does (§3.1.1, §4.2.3.2).
    func bringUp(_ rig: Rig, features: UInt64 = (1 << 32) | (1 << 9) | (1 << 28), queueSize: UInt32 = 8) {
        rig.w(0x70, 0)
        rig.w(0x70, 1); rig.w(0x70, 3)
        rig.w(0x24, 0); rig.w(0x20, UInt32(features & 0xFFFF_FFFF))
        rig.w(0x24, 1); rig.w(0x20, UInt32(features >> 32))
        rig.w(0x70, 3 | 8)
        rig.w(0x30, 0); rig.w(0x38, queueSize)
        rig.w(0x80, UInt32(desc & 0xFFFF_FFFF)); rig.w(0x84, 0)
        rig.w(0x90, UInt32(avail & 0xFFFF_FFFF)); rig.w(0x94, 0)
        rig.w(0xA0, UInt32(used & 0xFFFF_FFFF)); rig.w(0xA4, 0)
        rig.w(0x44, 1)
        rig.w(0x70, 3 | 8 | 4)
    }

    func setDesc(_ rig: Rig, _ i: UInt64, addr: UInt64, len: UInt32, flags: UInt16, next: UInt16 = 0, table: UInt64? = nil) {
        let d = (table ?? desc) + 16 * i
        rig.put64(d, addr); rig.put32(d + 8, len); rig.put16(d + 12, flags); rig.put16(d + 14, next)
    }

    /// Makes descriptor `head` available and notifies (no time passes).
    func offer(_ rig: Rig, head: UInt16, queueSize: UInt16 = 8) {
        let idx = rig.get16(avail + 2)
        rig.put16(avail + 4 + 2 * UInt64(idx % queueSize), head)
        rig.put16(avail + 2, idx &+ 1)
        rig.w(0x50, 0)
    }

    /// Makes descriptor `head` available, notifies, lets the latency pass; returns the status byte.
    func submit(_ rig: Rig, head: UInt16, queueSize: UInt16 = 8) -> UInt8 {
        offer(rig, head: head, queueSize: queueSize)
        rig.cycles += CycleModel.virtioLatency
        rig.bus.advanceDevices(cycles: rig.cycles)
        return rig.bus.readMemory(status, count: 1)![0]
    }

    func request(_ rig: Rig, type: UInt32, sector: UInt64, length: UInt32, write: Bool) -> UInt8 {
        rig.put32(header, type); rig.put32(header + 4, 0); rig.put64(header + 8, sector)
        rig.bus.writeMemory(status, [0xFF])
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        setDesc(rig, 1, addr: data, len: length, flags: 1 | (write ? 0 : 2), next: 2)
        setDesc(rig, 2, addr: status, len: 1, flags: 2)
        return submit(rig, head: 0)
    }

    @Test func identityAndConfig() throws {
        let rig = try Rig()
        #expect(rig.r(0x000) == 0x7472_6976)
        #expect(rig.r(0x004) == 2)
        #expect(rig.r(0x008) == 2)
        rig.w(0x14, 1)
        #expect(rig.r(0x010) & 1 == 1)  // VERSION_1 is bit 32
        #expect(rig.bus.mmioRead(Self.slot0 + 0x100, size: 8, cycles: 0) == 64)  // capacity in sectors
        #expect(rig.bus.mmioRead(Self.slot0 + 0x10C, size: 4, cycles: 0) == 128)  // seg_max
        #expect(rig.bus.mmioRead(Self.slot0 + 0x114, size: 4, cycles: 0) == 512)  // blk_size
        // An empty slot: magic and version, device ID 0.
        #expect(rig.bus.mmioRead(Self.slot0 + 0x1000, size: 4, cycles: 0) == 0x7472_6976)
        #expect(rig.bus.mmioRead(Self.slot0 + 0x1008, size: 4, cycles: 0) == 0)
    }

    @Test func vendorIDIsQEMUsUnlessSpecStrict() throws {
        // QEMU's "QEMU" by default, which drivers written for QEMU check; the board's own
        // "VIRO" with --spec-strict (§4.2.2 leaves the value to the device). Empty slots too.
        let qemu = try Rig()
        #expect(qemu.r(0x00C) == 0x554D_4551)
        #expect(qemu.bus.mmioRead(Self.slot0 + 0x100C, size: 4, cycles: 0) == 0x554D_4551)
        let strict = try Rig(specStrict: true)
        #expect(strict.r(0x00C) == 0x4F52_4956)
        #expect(strict.bus.mmioRead(Self.slot0 + 0x100C, size: 4, cycles: 0) == 0x4F52_4956)
    }

    @Test func specStrictRefusesFeaturesOKWithoutVersion1() throws {
        // §3.1.1 / §6.1: FEATURES_OK only for a subset of the offer that includes VERSION_1.
        let rig = try Rig(specStrict: true)
        rig.w(0x70, 1); rig.w(0x70, 3)
        rig.w(0x24, 0); rig.w(0x20, 1 << 9)
        rig.w(0x70, 3 | 8)
        #expect(rig.r(0x70) & 8 == 0)
        // Not offered (bit 33): refused even with VERSION_1.
        let other = try Rig(specStrict: true)
        other.w(0x70, 3)
        other.w(0x24, 1); other.w(0x20, 1 | 2)
        other.w(0x70, 3 | 8)
        #expect(other.r(0x70) & 8 == 0)
    }

    @Test func qemuKeepsFeaturesOKWithoutVersion1() throws {
        // QEMU 7.2 validates features only when VERSION_1 was accepted, and drops what it
        // did not offer: an xv6-style driver that writes only the low word gets FEATURES_OK.
        let rig = try Rig()
        rig.w(0x70, 1); rig.w(0x70, 3)
        rig.w(0x20, rig.r(0x010) | 1 << 30)  // the low word, plus a bit the device never offered
        rig.w(0x70, 3 | 8)
        #expect(rig.r(0x70) & 8 != 0)
        #expect(rig.bus.virtio[0]!.driverFeatureBits & (1 << 30) == 0, "an unoffered feature is dropped")
        #expect(rig.bus.virtio[0]!.driverFeatureBits & VirtioBlock.fVersion1 == 0)
        // Requests work as for a VERSION_1 driver (the layout is the same on little-endian).
        rig.w(0x30, 0); rig.w(0x38, 8)
        rig.w(0x80, UInt32(desc & 0xFFFF_FFFF)); rig.w(0x90, UInt32(avail & 0xFFFF_FFFF)); rig.w(0xA0, UInt32(used & 0xFFFF_FFFF))
        rig.w(0x44, 1)
        rig.w(0x70, 3 | 8 | 4)
        rig.bus.writeMemory(data, [UInt8](repeating: 0, count: 512))
        #expect(request(rig, type: 0, sector: 0, length: 512, write: false) == 0)
        #expect(rig.bus.readMemory(data, count: 10) == Array("VIREO-DISK".utf8))
    }

    @Test func writeFlushReadAndInterrupt() throws {
        let rig = try Rig()
        bringUp(rig)
        let pattern = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        rig.bus.writeMemory(data, pattern)
        #expect(request(rig, type: 1, sector: 8, length: 1024, write: true) == 0)
        #expect(Array(rig.fileBytes[(8 * 512)..<(8 * 512 + 1024)]) == pattern)
        #expect(rig.r(0x60) & 1 == 1)  // used buffer notification
        #expect(rig.bus.plic.level[1])
        rig.w(0x64, 1)
        #expect(rig.r(0x60) == 0)
        #expect(request(rig, type: 4, sector: 0, length: 0, write: true) == 0)  // FLUSH (no data buffer)
        rig.bus.writeMemory(data, [UInt8](repeating: 0, count: 1024))
        #expect(request(rig, type: 0, sector: 8, length: 1024, write: false) == 0)
        #expect(rig.bus.readMemory(data, count: 1024) == pattern)
        #expect(rig.get32(used + 4 + 8 * 2 + 4) == 1025)  // bytes written: data + status
        #expect(rig.get16(used + 2) == 3)
    }

    @Test func completionWaitsForTheModeledLatency() throws {
        let rig = try Rig()
        bringUp(rig)
        rig.put32(header, 0); rig.put64(header + 8, 0)
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        setDesc(rig, 1, addr: data, len: 512, flags: 3, next: 2)
        setDesc(rig, 2, addr: status, len: 1, flags: 2)
        rig.put16(avail + 4, 0); rig.put16(avail + 2, 1)
        rig.w(0x50, 0)
        rig.bus.advanceDevices(cycles: rig.cycles + CycleModel.virtioLatency - 1)
        #expect(rig.get16(used + 2) == 0)
        #expect(rig.bus.nextDeviceEventCycle == rig.cycles + CycleModel.virtioLatency)
        rig.bus.advanceDevices(cycles: rig.cycles + CycleModel.virtioLatency)
        #expect(rig.get16(used + 2) == 1)
        #expect(rig.bus.readMemory(data, count: 10) == Array("VIREO-DISK".utf8))
    }

    @Test func getIDUnsupportedAndOutOfRange() throws {
        let rig = try Rig()
        bringUp(rig)
        #expect(request(rig, type: 8, sector: 0, length: 20, write: false) == 0)
        #expect(rig.bus.readMemory(data, count: 6) == Array("vireo-".utf8))
        #expect(request(rig, type: 0x7F, sector: 0, length: 512, write: false) == 2)
        #expect(request(rig, type: 0, sector: 63, length: 1024, write: false) == 1)  // past the end
    }

    @Test func dataFacingTheWrongWayFailsTheRequest() throws {
        let rig = try Rig()
        bringUp(rig)
        let before = rig.fileBytes
        rig.bus.writeMemory(data, [UInt8](repeating: 0x5A, count: 512))
        // A read (IN) whose data buffer is device-readable: IOERR, the buffer untouched.
        #expect(request(rig, type: 0, sector: 0, length: 512, write: true) == 1)
        #expect(rig.bus.readMemory(data, count: 512) == [UInt8](repeating: 0x5A, count: 512))
        // A write (OUT) whose data buffer is device-writable: IOERR, the image untouched.
        #expect(request(rig, type: 1, sector: 0, length: 512, write: false) == 1)
        #expect(rig.fileBytes == before)
        // Partial sectors fail too.
        #expect(request(rig, type: 0, sector: 0, length: 100, write: false) == 1)
    }

    @Test func indirectDescriptors() throws {
        let rig = try Rig()
        bringUp(rig)
        let table: UInt64 = 0x8010_7000
        rig.put32(header, 0); rig.put64(header + 8, 0)
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1, table: table)
        setDesc(rig, 1, addr: data, len: 512, flags: 3, next: 2, table: table)
        setDesc(rig, 2, addr: status, len: 1, flags: 2, table: table)
        setDesc(rig, 5, addr: table, len: 48, flags: 4)
        rig.bus.writeMemory(status, [0xFF])
        #expect(submit(rig, head: 5) == 0)
        #expect(rig.bus.readMemory(data, count: 10) == Array("VIREO-DISK".utf8))
    }

    @Test func readOnlyDriveRefusesWrites() throws {
        let rig = try Rig(readOnly: true)
        rig.w(0x14, 0)
        #expect(rig.r(0x10) & (1 << 5) != 0)  // BLK_F_RO offered
        bringUp(rig, features: (1 << 32) | (1 << 5))
        let before = rig.fileBytes
        rig.bus.writeMemory(data, [UInt8](repeating: 0xAB, count: 512))
        #expect(request(rig, type: 1, sector: 0, length: 512, write: true) == 1)
        #expect(rig.fileBytes == before)
        #expect(request(rig, type: 0, sector: 0, length: 512, write: false) == 0)
    }

    @Test func malformedChainsNeverTouchTheImageOrOtherMemory() throws {
        let rig = try Rig()
        bringUp(rig)
        let before = rig.fileBytes
        rig.bus.writeMemory(data, [UInt8](repeating: 0xCD, count: 512))
        rig.put32(header, 1); rig.put64(header + 8, 0)  // OUT to sector 0
        // A data buffer outside RAM: the chain is malformed.
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        setDesc(rig, 1, addr: 0x4000_0000, len: 512, flags: 1, next: 2)
        setDesc(rig, 2, addr: status, len: 1, flags: 2)
        _ = submit(rig, head: 0)
        #expect(rig.r(0x70) & 64 == 64)  // DEVICE_NEEDS_RESET
        #expect(rig.r(0x60) & 2 == 2)  // configuration change notification
        #expect(rig.fileBytes == before)
        // After a reset, a loop in the chain is refused the same way.
        bringUp(rig)
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        setDesc(rig, 1, addr: data, len: 512, flags: 1, next: 0)
        _ = submit(rig, head: 0)
        #expect(rig.r(0x70) & 64 == 64)
        // Readable after writable, and a request with no writable status byte.
        bringUp(rig)
        setDesc(rig, 0, addr: status, len: 1, flags: 3, next: 1)
        setDesc(rig, 1, addr: header, len: 16, flags: 0)
        _ = submit(rig, head: 0)
        #expect(rig.r(0x70) & 64 == 64)
        #expect(rig.fileBytes == before)
        // A descriptor index beyond the queue.
        bringUp(rig)
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 200)
        _ = submit(rig, head: 0)
        #expect(rig.r(0x70) & 64 == 64)
        #expect(rig.fileBytes == before)
    }

    @Test func badImagesAreClearErrors() throws {
        let bus = Bus(memoryBytes: 1 << 20)
        #expect(throws: VirtioBlock.OpenError.self) { try bus.attachDisk(slot: 0, path: "/nonexistent/disk.img", readOnly: false) }
        do {
            try bus.attachDisk(slot: 0, path: "/nonexistent/disk.img", readOnly: false)
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/disk.img: cannot open disk image"))
        }
        #expect(throws: VirtioBlock.OpenError.self) { try bus.attachDisk(slot: 0, path: "/tmp", readOnly: true) }
    }

    // MARK: Review findings (eb2636c)

    /// Review finding (eb2636c, a spec review of the devices and the run loop; it trapped the
    /// host before its fix): VirtioBlock.serve (IN): `done += b.len` is a UInt32 sum. A read of
    /// 4 GiB or more (allowed by a disk ≥ 4 GiB; the guest may alias one RAM buffer many
    /// times) overflows and traps the host process.
    @Test
    func virtioLargeReadMustNotCrashHost() throws {
        // 64 MiB of RAM, a sparse 5 GiB disk.
        let rig = try Rig(memoryBytes: 64 << 20, sparseBytes: 5 << 30)
        let buffer: UInt64 = 0x8100_0000
        bringUp(rig, queueSize: 256)
        rig.put32(header, 0); rig.put32(header + 4, 0); rig.put64(header + 8, 0)  // IN, sector 0
        rig.bus.writeMemory(status, [0xFF])
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        let chunk: UInt32 = 32 << 20
        for i in 1...128 {  // 128 × 32 MiB = 4 GiB, all the same RAM
            setDesc(rig, UInt64(i), addr: buffer, len: chunk, flags: 1 | 2, next: UInt16(i + 1))
        }
        setDesc(rig, 129, addr: status, len: 1, flags: 2)
        // The notify trapped before the fix; either outcome is acceptable, the host must survive.
        #expect(submit(rig, head: 0, queueSize: 256) != 0xFF)
    }

    /// Review finding (eb2636c, a spec review of the devices and the run loop):
    /// VirtioBlock.advance posts used-ring entries even after the driver cleared QueueReady
    /// (Virtio 1.x §4.2.2.1: "The device MUST NOT access virtqueue contents when QueueReady is
    /// zero"). A driver that stops the queue and reuses the memory gets it overwritten.
    @Test
    func virtioDoesNotTouchUsedRingWhenQueueNotReady() throws {
        let rig = try Rig()
        bringUp(rig)
        rig.put32(header, 0); rig.put32(header + 4, 0); rig.put64(header + 8, 0)
        setDesc(rig, 0, addr: header, len: 16, flags: 1, next: 1)
        setDesc(rig, 1, addr: data, len: 512, flags: 1 | 2, next: 2)
        setDesc(rig, 2, addr: status, len: 1, flags: 2)
        offer(rig, head: 0)
        // The driver stops the queue and reuses the used-ring page for something else.
        rig.w(0x44, 0)
        #expect(rig.r(0x44) == 0)
        rig.bus.writeMemory(used, [UInt8](repeating: 0xAB, count: 16))
        rig.cycles += CycleModel.virtioLatency
        rig.bus.advanceDevices(cycles: rig.cycles)
        #expect(rig.bus.readMemory(used, count: 16)! == [UInt8](repeating: 0xAB, count: 16))
    }
}
