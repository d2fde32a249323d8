/// A byte-level ELF writer with knobs for breaking single fields, so the tests need no
/// toolchain. Layout: ELF header, program header table, then each segment's data (16-byte
/// aligned unless an explicit offset is given), then an optional section header 0.
struct ELFWriter {
    struct Segment {
        var type: UInt32 = 1  // PT_LOAD
        var flags: UInt32 = 5  // PF_R | PF_X
        var virtualAddress: UInt64
        var physicalAddress: UInt64
        var data: [UInt8]
        var memorySize: UInt64
        /// Where the data goes in the file; nil places it after the previous data.
        var fileOffset: UInt64? = nil
        /// Written as p_filesz instead of `data.count`.
        var fileSize: UInt64? = nil
        /// Written as p_offset instead of where the data went (the data is still written).
        var offsetField: UInt64? = nil
    }

    var is64 = true
    var littleEndian = true
    var identVersion: UInt8 = 1
    var elfVersion: UInt32 = 1
    var machine: UInt16 = 243  // EM_RISCV
    var fileType: UInt16 = 2  // ET_EXEC
    var entry: UInt64 = 0x8000_0000
    var segments: [Segment] = []

    var programHeaderOffset: UInt64? = nil
    var programHeaderCount: UInt16? = nil
    var programHeaderEntrySize: UInt16? = nil
    /// Writes a section header 0 whose sh_info is this (the PN_XNUM escape), at the end.
    var sectionZeroInfo: UInt32? = nil
    var sectionHeaderOffset: UInt64? = nil
    var sectionHeaderCount: UInt16 = 0

    /// Two code/data segments with different virtual and physical addresses, a PT_NOTE with
    /// a garbage offset (ignored by both loaders) and a .bss tail. The file ends with the
    /// last segment's data, so every strict prefix of it is damaged.
    static func good() -> ELFWriter {
        var writer = ELFWriter()
        writer.entry = 0x8000_0004
        writer.segments = [
            .init(flags: 5, virtualAddress: 0xFFFF_FFFF_8000_0000, physicalAddress: 0x8000_0000,
                  data: (0..<0x48).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }, memorySize: 0x48),
            .init(type: 4, flags: 4, virtualAddress: 0, physicalAddress: 0, data: [],
                  memorySize: 0, fileSize: 0x10, offsetField: 0xFFFF_FFFF_FFFF_FF00),  // PT_NOTE
            .init(flags: 6, virtualAddress: 0xFFFF_FFFF_8000_2000, physicalAddress: 0x8000_2000,
                  data: (0..<0x20).map { UInt8(0xA0 + $0) }, memorySize: 0x1000),
        ]
        return writer
    }

    static func segment(_ physical: UInt64, size: UInt64, data: [UInt8] = [0x13, 0, 0, 0]) -> Segment {
        .init(virtualAddress: physical, physicalAddress: physical, data: data, memorySize: size)
    }

    func build() -> [UInt8] {
        let headerSize = is64 ? 64 : 52
        let entrySize = is64 ? 56 : 32
        var image = [UInt8](repeating: 0, count: headerSize + entrySize * segments.count)

        var offsets: [UInt64] = []
        var cursor = UInt64(image.count)
        for segment in segments {
            let offset = segment.fileOffset ?? (segment.data.isEmpty ? cursor : (cursor + 15) / 16 * 16)
            place(segment.data, at: offset, in: &image)
            offsets.append(offset)
            cursor = max(cursor, offset + UInt64(segment.data.count))
        }

        var table: [UInt8] = []
        for (segment, offset) in zip(segments, offsets) {
            let fileSize = segment.fileSize ?? UInt64(segment.data.count)
            let offset = segment.offsetField ?? offset
            if is64 {
                table += u32(segment.type) + u32(segment.flags) + u64(offset)
                    + u64(segment.virtualAddress) + u64(segment.physicalAddress)
                    + u64(fileSize) + u64(segment.memorySize) + u64(0x1000)
            } else {
                table += u32(segment.type) + u32(UInt32(truncatingIfNeeded: offset))
                    + u32(UInt32(truncatingIfNeeded: segment.virtualAddress))
                    + u32(UInt32(truncatingIfNeeded: segment.physicalAddress))
                    + u32(UInt32(truncatingIfNeeded: fileSize))
                    + u32(UInt32(truncatingIfNeeded: segment.memorySize))
                    + u32(segment.flags) + u32(0x1000)
            }
        }
        place(table, at: UInt64(headerSize), in: &image)

        var sectionOffset = sectionHeaderOffset ?? 0
        var sectionCount = sectionHeaderCount
        if let info = sectionZeroInfo {
            let at = (UInt64(image.count) + 7) / 8 * 8
            var header = [UInt8](repeating: 0, count: 64)
            header.replaceSubrange(44..<48, with: u32(info))
            place(header, at: at, in: &image)
            sectionOffset = sectionHeaderOffset ?? at
            sectionCount = 1
        }

        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, identVersion, 0]
        header += [UInt8](repeating: 0, count: 8)
        header += u16(fileType) + u16(machine) + u32(elfVersion)
        header += address(entry) + address(programHeaderOffset ?? UInt64(headerSize)) + address(sectionOffset)
        header += u32(0)  // e_flags
        header += u16(UInt16(headerSize))
        header += u16(programHeaderEntrySize ?? UInt16(entrySize))
        header += u16(programHeaderCount ?? UInt16(segments.count))
        header += u16(is64 ? 64 : 40) + u16(sectionCount) + u16(0)
        place(header, at: 0, in: &image)
        return image
    }

    private func place(_ bytes: [UInt8], at offset: UInt64, in image: inout [UInt8]) {
        let start = Int(offset)
        if image.count < start + bytes.count {
            image += [UInt8](repeating: 0, count: start + bytes.count - image.count)
        }
        image.replaceSubrange(start..<start + bytes.count, with: bytes)
    }

    private func encode(_ value: UInt64, width: Int) -> [UInt8] {
        let little = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        return littleEndian ? little : little.reversed()
    }

    private func u16(_ value: UInt16) -> [UInt8] { encode(UInt64(value), width: 2) }
    private func u32(_ value: UInt32) -> [UInt8] { encode(UInt64(value), width: 4) }
    private func u64(_ value: UInt64) -> [UInt8] { encode(value, width: 8) }
    private func address(_ value: UInt64) -> [UInt8] { encode(value, width: is64 ? 8 : 4) }
}
