import FirmwareKit
import Foundation
import Testing

/// The RISC-V Linux `Image` header (Linux Documentation/riscv/boot-image-header.rst) and
/// where a kernel and its initrd go in a guest's RAM.
@Suite("Linux Image header")
struct LinuxImageTests {
    static let mib: UInt64 = 1 << 20
    static let ramBase: UInt64 = 0x8000_0000

    /// An Image file of `fileSize` bytes (at least the 64-byte header).
    static func image(textOffset: UInt64 = 0x20_0000, imageSize: UInt64? = nil, flags: UInt64 = 0,
                      version: UInt32 = 2, magic2: UInt32 = LinuxImage.magic2, fileSize: Int = 4096) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: fileSize)
        func put<T: FixedWidthInteger>(_ v: T, _ at: Int) {
            withUnsafeBytes(of: v.littleEndian) { for (i, b) in $0.enumerated() where at + i < bytes.count { bytes[at + i] = b } }
        }
        put(UInt32(0x0000_A221), 0)                  // c.li s4,-13; j (what a kernel starts with)
        put(textOffset, 8)
        put(imageSize ?? UInt64(fileSize) + 64 * 1024, 16)
        put(flags, 24)
        put(version, 32)
        put(LinuxImage.magic, 48)
        put(magic2, 56)
        return bytes
    }

    static func parse(_ bytes: [UInt8]) throws(LinuxImage.Failure) -> LinuxImage {
        let result = bytes.withUnsafeBytes { b in Result { () throws(LinuxImage.Failure) in try LinuxImage(b) } }
        return try result.get()
    }

    static func failure(_ bytes: [UInt8]) -> LinuxImage.Failure? {
        do {
            _ = try parse(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func goodHeader() throws {
        let bytes = Self.image(textOffset: 0x20_0000, imageSize: 20 * Self.mib, fileSize: 8192)
        let k = try Self.parse(bytes)
        #expect(k.textOffset == 0x20_0000)
        #expect(k.imageSize == 20 * Self.mib)
        #expect(k.fileSize == 8192)
        #expect(k.version == 2)
        #expect(bytes.withUnsafeBytes { LinuxImage.looksLikeImage($0) })
        let load = try k.loadAddress(ramBase: Self.ramBase, ramSize: 128 * Self.mib)
        #expect(load == 0x8020_0000)
        let withReserve = try k.loadAddress(ramBase: Self.ramBase, ramSize: 128 * Self.mib, reserve: 2 * Self.mib)
        #expect(withReserve == 0x8020_0000)
        // Exactly fitting: 2 MiB offset + 20 MiB + 2 MiB reserve = 24 MiB.
        let exact = try k.loadAddress(ramBase: Self.ramBase, ramSize: 24 * Self.mib, reserve: 2 * Self.mib)
        #expect(exact == 0x8020_0000)
    }

    @Test func imageSizeZeroMeansTheFile() throws {
        let k = try Self.parse(Self.image(imageSize: 0, fileSize: 5000))
        #expect(k.imageSize == 5000)
    }

    @Test func textOffsetZeroAndUnalignedRAM() throws {
        let k = try Self.parse(Self.image(textOffset: 0, imageSize: Self.mib))
        #expect(try k.loadAddress(ramBase: Self.ramBase, ramSize: 16 * Self.mib) == Self.ramBase)
        // RAM not 2 MiB-aligned: the kernel goes to the next 2 MiB boundary.
        let k2 = try Self.parse(Self.image(textOffset: 0x20_0000, imageSize: Self.mib))
        #expect(try k2.loadAddress(ramBase: 0x8010_0000, ramSize: 16 * Self.mib) == 0x8040_0000)
    }

    @Test func badHeaders() {
        #expect(Self.failure(Self.image(magic2: 0x0443_5352)) == .notAnImage)
        #expect(Self.failure(Self.image(magic2: 0)) == .notAnImage)
        #expect(Self.failure(Self.image(flags: 1)) == .bigEndian)
        #expect(Self.failure(Self.image(flags: 3)) == .bigEndian)
        #expect(Self.failure(Self.image(flags: 2)) == nil, "only bit 0 is the byte order")
        #expect(Self.failure(Self.image(textOffset: 0x20_0800)) == .badTextOffset)
        #expect(Self.failure(Self.image(textOffset: 1)) == .badTextOffset)
        #expect(Self.failure(Self.image(textOffset: 0x1000)) == nil)
        #expect(Self.failure(Self.image(imageSize: 4095, fileSize: 4096)) == .badImageSize)
        #expect(Self.failure(Self.image(imageSize: 4096, fileSize: 4096)) == nil)
        #expect(Self.failure(Array(Self.image()[0..<63])) == .tooShort)
        #expect(Self.failure([]) == .tooShort)
        #expect(Self.failure(Array(Self.image()[0..<64])) == nil, "a bare header is an Image")
        #expect(Array(Self.image(magic2: 0)).withUnsafeBytes { !LinuxImage.looksLikeImage($0) })
        #expect(Array(Self.image()[0..<63]).withUnsafeBytes { !LinuxImage.looksLikeImage($0) })
        // The messages name the problem.
        #expect(LinuxImage.Failure.tooShort.message.contains("64-byte"))
        #expect(LinuxImage.Failure.notAnImage.message.contains("magic"))
        #expect(LinuxImage.Failure.bigEndian.message.contains("big-endian"))
        #expect(LinuxImage.Failure.badTextOffset.message.contains("text_offset"))
        #expect(LinuxImage.Failure.badImageSize.message.contains("image_size"))
    }

    @Test func tooLargeForRAM() throws {
        let k = try Self.parse(Self.image(textOffset: 0x20_0000, imageSize: 30 * Self.mib))
        var caught: LinuxImage.Failure?
        do { _ = try k.loadAddress(ramBase: Self.ramBase, ramSize: 16 * Self.mib) } catch { caught = error }
        #expect(caught == .tooLarge(needed: 32 * Self.mib, available: 16 * Self.mib))
        #expect(caught?.message == "the kernel needs 32 MiB of RAM from its start, the guest has 16 MiB")
        // The reserve counts; a part of a MiB rounds up.
        caught = nil
        do { _ = try k.loadAddress(ramBase: Self.ramBase, ramSize: 32 * Self.mib, reserve: 4096) } catch { caught = error }
        #expect(caught == .tooLarge(needed: 32 * Self.mib + 4096, available: 32 * Self.mib))
        #expect(caught?.message == "the kernel needs 33 MiB of RAM from its start, the guest has 32 MiB")
        // A footprint that wraps the address space does not fit either.
        let huge = try Self.parse(Self.image(imageSize: UInt64.max - 0x1000))
        var wrapped: LinuxImage.Failure?
        do { _ = try huge.loadAddress(ramBase: Self.ramBase, ramSize: 1 << 40) } catch { wrapped = error }
        guard case .tooLarge = wrapped else {
            Issue.record("a wrapping image was placed")
            return
        }
    }

    @Test func initrdPlacement() throws {
        let mib = Self.mib, base = Self.ramBase
        let k = try Self.parse(Self.image(textOffset: 0x20_0000, imageSize: 20 * mib))
        let load: UInt64 = 0x8020_0000
        let kernelEnd = load + 20 * mib                                // 0x8160_0000, 2 MiB-aligned
        // Plenty of RAM: at half of it.
        let a = k.initrdAddress(loadAddress: load, size: 8 * mib, ramBase: base, ramSize: 256 * mib, reserve: 2 * mib)
        #expect(a == base + 128 * mib)
        // Half of RAM lies inside the kernel: right above it.
        let b = k.initrdAddress(loadAddress: load, size: 4 * mib, ramBase: base, ramSize: 32 * mib, reserve: 64 * 1024)
        #expect(b == kernelEnd)
        // No room above half: above the kernel instead, below the limit.
        let limit = base + 64 * mib - 2 * mib
        let atHalf = k.initrdAddress(loadAddress: load, size: 30 * mib, ramBase: base, ramSize: 64 * mib, reserve: 2 * mib)
        #expect(atHalf == base + 32 * mib, "exactly up to the limit")
        let low = k.initrdAddress(loadAddress: load, size: 31 * mib, ramBase: base, ramSize: 64 * mib, reserve: 2 * mib)
        #expect(low == kernelEnd)
        let tight = k.initrdAddress(loadAddress: load, size: limit - kernelEnd, ramBase: base, ramSize: 64 * mib, reserve: 2 * mib)
        #expect(tight == kernelEnd)
        // Not fitting at all.
        let none = k.initrdAddress(loadAddress: load, size: limit - kernelEnd + 1, ramBase: base, ramSize: 64 * mib, reserve: 2 * mib)
        #expect(none == nil)
        #expect(k.initrdAddress(loadAddress: load, size: UInt64.max, ramBase: base, ramSize: 64 * mib, reserve: 0) == nil)
        #expect(k.initrdAddress(loadAddress: load, size: UInt64.max - 0x1000, ramBase: base, ramSize: 64 * mib, reserve: 0) == nil)
        #expect(k.initrdAddress(loadAddress: load, size: 1, ramBase: base, ramSize: 20 * mib, reserve: 0) == nil,
                "the kernel alone overruns RAM")
        // A kernel footprint that is not a 2 MiB multiple: the initrd starts at the next boundary.
        let odd = try Self.parse(Self.image(imageSize: 0x123_4567))
        let c = odd.initrdAddress(loadAddress: load, size: 4096, ramBase: base, ramSize: 32 * mib, reserve: 0)
        #expect(c == 0x8160_0000)
        // Every answer is 4 KiB-aligned, above the kernel, and below the limit.
        for ram: UInt64 in [24, 33, 64, 100, 256] {
            for size: UInt64 in [0, 1, 4095, mib + 1, 10 * mib + 12345] {
                let reserve = mib + 123
                guard let at = k.initrdAddress(loadAddress: load, size: size, ramBase: base, ramSize: ram * mib, reserve: reserve) else {
                    continue
                }
                let ok = at & 0xFFF == 0 && at >= kernelEnd && at + size <= base + ram * mib - reserve
                #expect(ok, "RAM \(ram) MiB, initrd \(size): \(at)")
            }
        }
    }

    /// Half of RAM not 4 KiB-aligned (RAM of 64 MiB + 4 KiB): an initrd that fits above the
    /// kernel must not be refused because rounding half of RAM up pushed it past the limit.
    @Test func initrdWithHalfOfRAMUnaligned() throws {
        let mib = Self.mib, base = Self.ramBase
        let k = try Self.parse(Self.image(textOffset: 0x20_0000, imageSize: 20 * mib))
        let ram = 64 * mib + 4096
        let half = base + ram / 2                                        // 0x8200_0800
        let size = base + ram - half                                     // exactly up to the top
        let at = k.initrdAddress(loadAddress: 0x8020_0000, size: size, ramBase: base, ramSize: ram, reserve: 0)
        #expect(at != nil, "it fits right above the kernel (0x8160_0000)")
        if let at {
            #expect(at & 0xFFF == 0 && at >= 0x8160_0000 && at + size <= base + ram)
        }
    }

    static let builtKernel = Repo.root.appendingPathComponent(".build-riscv/linux/Image")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: builtKernel.path), "no kernel built (.build-riscv/linux/Image)"))
    func theBuiltKernel() throws {
        let data = try Data(contentsOf: Self.builtKernel)
        let bytes = [UInt8](data)
        #expect(bytes.withUnsafeBytes { LinuxImage.looksLikeImage($0) })
        let k = try Self.parse(bytes)
        #expect(k.textOffset == 0x20_0000)
        #expect(k.imageSize >= UInt64(bytes.count))
        #expect(k.fileSize == UInt64(bytes.count))
        #expect(k.version >= 2, "header version 0.2 or later")
        let load = try k.loadAddress(ramBase: Self.ramBase, ramSize: 256 * Self.mib, reserve: 2 * Self.mib)
        #expect(load == 0x8020_0000)
    }
}
