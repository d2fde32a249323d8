/// The header of a RISC-V Linux `Image` (Linux `Documentation/riscv/boot-image-header.rst`;
/// DESIGN §3 "Kernel formats"): 64 bytes at the start of the file, little-endian.
///
///     0  code0, code1 (u32 each)   executable: the kernel is entered at its first byte
///     8  text_offset (u64)         where in RAM the image goes, from RAM's start
///    16  image_size (u64)          its footprint in memory, bss included
///    24  flags (u64)               bit 0: 0 = little-endian
///    32  version (u32)             major << 16 | minor; 0.2 and later carry magic2
///    48  magic (u64)               "RISCV\0\0\0" (deprecated, still written)
///    56  magic2 (u32)              "RSC\x05"
///
/// Dom0 loads guest kernels with it, the firmware boot modules: both place the image at
/// RAM base + text_offset and enter it there with a0 = hart id, a1 = the DTB.
public struct LinuxImage {
    public static let headerSize = 64
    public static let magic2: UInt32 = 0x0543_5352          // "RSC\x05"
    public static let magic: UInt64 = 0x0000_0056_4353_4952  // "RISCV\0\0\0"
    /// Linux on RV64 runs from a 2 MiB-aligned address (its first page table maps the
    /// kernel with megapages).
    public static let alignment: UInt64 = 2 << 20

    public let textOffset: UInt64
    public let imageSize: UInt64
    public let version: UInt32
    public let fileSize: UInt64

    /// Why a file is not an Image this board can boot.
    public enum Failure: Error, Equatable {
        case tooShort, notAnImage, bigEndian, badTextOffset, badImageSize
        case tooLarge(needed: UInt64, available: UInt64)

        public var message: String {
            switch self {
            case .tooShort: return "not a RISC-V Linux Image: shorter than its 64-byte header"
            case .notAnImage: return "not a RISC-V Linux Image: no \"RSC\\x05\" magic at offset 56"
            case .bigEndian: return "a big-endian Linux Image: this board is little-endian"
            case .badTextOffset: return "bad Linux Image header: text_offset is not a multiple of 4 KiB"
            case .badImageSize: return "bad Linux Image header: image_size is smaller than the file"
            case .tooLarge(let needed, let available):
                return "the kernel needs " + LinuxImage.mib(needed) + " of RAM from its start, the guest has "
                    + LinuxImage.mib(available)
            }
        }
    }

    /// True when `bytes` starts like an Image (magic2 in place); says nothing of validity.
    public static func looksLikeImage(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= headerSize && bytes.loadUnaligned(fromByteOffset: 56, as: UInt32.self) == magic2
    }

    public init(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        guard bytes.count >= LinuxImage.headerSize else { throw .tooShort }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        guard u32(56) == LinuxImage.magic2 else { throw .notAnImage }
        guard u64(24) & 1 == 0 else { throw .bigEndian }
        let offset = u64(8), size = u64(16)
        guard offset & 0xFFF == 0 else { throw .badTextOffset }
        let file = UInt64(bytes.count)
        // image_size 0 comes from kernels older than the header's version 0.2 rules:
        // the footprint is then at least the file.
        let footprint = size == 0 ? file : size
        guard footprint >= file else { throw .badImageSize }
        textOffset = offset
        imageSize = footprint
        version = u32(32)
        fileSize = file
    }

    /// Where the image goes in a guest whose RAM starts at `ramBase` and holds `ramSize`
    /// bytes, keeping `reserve` bytes free at its top (the DTB): the load address, or why
    /// it does not fit.
    public func loadAddress(ramBase: UInt64, ramSize: UInt64, reserve: UInt64 = 0) throws(Failure) -> UInt64 {
        let base = (ramBase &+ LinuxImage.alignment &- 1) & ~(LinuxImage.alignment &- 1)
        let start = base &+ textOffset
        let (end, overflow) = start.addingReportingOverflow(imageSize)
        let limit = ramBase &+ ramSize &- min(reserve, ramSize)
        guard !overflow, end <= limit else {
            throw .tooLarge(needed: (start &- ramBase) &+ imageSize &+ reserve, available: ramSize)
        }
        return start
    }

    /// Where an initrd of `size` bytes goes: above the kernel's footprint, at half of RAM
    /// when that is higher (QEMU virt puts it there too, away from the kernel's early
    /// allocations), 4 KiB-aligned, below `limit`; nil when it does not fit.
    public func initrdAddress(loadAddress: UInt64, size: UInt64, ramBase: UInt64, ramSize: UInt64, reserve: UInt64) -> UInt64? {
        let kernelEnd = (loadAddress &+ imageSize &+ LinuxImage.alignment &- 1) & ~(LinuxImage.alignment &- 1)
        let limit = ramBase &+ ramSize &- min(reserve, ramSize)
        // Rounded before the check, so that rounding cannot push it past the limit.
        var start = (max(kernelEnd, ramBase &+ ramSize / 2) &+ 0xFFF) & ~0xFFF
        if start &+ size > limit { start = kernelEnd }
        start = (start &+ 0xFFF) & ~0xFFF
        let (end, overflow) = start.addingReportingOverflow(size)
        guard !overflow, end <= limit else { return nil }
        return start
    }

    /// Bytes as whole MiB, rounded up ("18 MiB"); its own digits, so that Dom0 can compile
    /// this file without the rest of FirmwareKit.
    static func mib(_ bytes: UInt64) -> String {
        var v = (bytes >> 20) &+ (bytes & 0xF_FFFF == 0 ? 0 : 1)
        var digits: [UInt8] = []
        repeat { digits.append(UInt8(truncatingIfNeeded: 48 &+ v % 10)); v /= 10 } while v != 0
        return String(decoding: digits.reversed(), as: UTF8.self) + " MiB"
    }
}
