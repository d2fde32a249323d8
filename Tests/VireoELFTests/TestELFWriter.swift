/// A small byte-level ELF writer, so that the tests need no toolchain.
///
/// Layout: ELF header, program headers, segment data (16-byte aligned unless an explicit
/// file offset is given), then, when `symbols` is not nil, the sections `.text`, `.symtab`,
/// `.strtab`, `.shstrtab` and the section header table. Knobs let tests break single fields.
struct TestELFWriter {
    struct Segment {
        var type: UInt32 = 1  // PT_LOAD
        var flags: UInt32  // PF_X = 1, PF_W = 2, PF_R = 4
        var virtualAddress: UInt64
        var physicalAddress: UInt64
        var bytes: [UInt8]
        var memorySize: UInt64
        /// Where the bytes go in the file; nil places them after the previous data.
        var fileOffset: UInt64? = nil
        /// Written as p_filesz instead of `bytes.count`.
        var fileSizeOverride: UInt64? = nil
    }

    struct Symbol {
        var name: String
        var value: UInt64
        var binding: UInt8 = 1  // STB_GLOBAL
        var type: UInt8 = 1  // STT_OBJECT
        var section: UInt16 = 1  // .text
    }

    var is64 = true
    var littleEndian = true
    var machine: UInt16 = 243  // EM_RISCV
    var fileType: UInt16 = 2  // ET_EXEC
    var entry: UInt64 = 0x8000_0000
    var segments: [Segment] = []
    /// nil writes no sections at all (a stripped file).
    var symbols: [Symbol]? = nil

    var programHeaderOffsetOverride: UInt64? = nil
    var programHeaderCountOverride: UInt16? = nil
    var programHeaderEntrySizeOverride: UInt16? = nil
    var sectionHeaderOffsetOverride: UInt64? = nil
    var symtabLinkOverride: UInt32? = nil
    var symtabOffsetOverride: UInt64? = nil
    var symtabSizeOverride: UInt64? = nil

    // MARK: Building

    func build() -> [UInt8] {
        let headerSize = is64 ? 64 : 52
        let programHeaderSize = is64 ? 56 : 32
        var image = [UInt8](repeating: 0, count: headerSize + programHeaderSize * segments.count)

        // Segment data.
        var offsets: [UInt64] = []
        var cursor = UInt64(image.count)
        for segment in segments {
            let offset = segment.fileOffset ?? align(cursor, 16)
            place(segment.bytes, at: offset, in: &image)
            offsets.append(offset)
            cursor = max(cursor, offset + UInt64(segment.bytes.count))
        }

        // Program headers.
        var programHeaders: [UInt8] = []
        for (segment, offset) in zip(segments, offsets) {
            let fileSize = segment.fileSizeOverride ?? UInt64(segment.bytes.count)
            if is64 {
                programHeaders += u32(segment.type) + u32(segment.flags) + u64(offset)
                    + u64(segment.virtualAddress) + u64(segment.physicalAddress)
                    + u64(fileSize) + u64(segment.memorySize) + u64(0x1000)
            } else {
                programHeaders += u32(segment.type) + u32(UInt32(truncatingIfNeeded: offset))
                    + u32(UInt32(truncatingIfNeeded: segment.virtualAddress))
                    + u32(UInt32(truncatingIfNeeded: segment.physicalAddress))
                    + u32(UInt32(truncatingIfNeeded: fileSize))
                    + u32(UInt32(truncatingIfNeeded: segment.memorySize))
                    + u32(segment.flags) + u32(0x1000)
            }
        }
        place(programHeaders, at: UInt64(headerSize), in: &image)

        // Sections.
        var sectionHeaderOffset: UInt64 = 0
        var sectionCount: UInt16 = 0
        var sectionNamesIndex: UInt16 = 0
        if let symbols {
            precondition(is64, "the test writer only writes symbols for ELF64")
            (sectionHeaderOffset, sectionCount, sectionNamesIndex) =
                appendSections(symbols: symbols, offsets: offsets, to: &image)
        }

        // ELF header.
        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, 1, 0]
        header += [UInt8](repeating: 0, count: 8)
        header += u16(fileType) + u16(machine) + u32(1)
        let programHeaderOffset = programHeaderOffsetOverride ?? UInt64(headerSize)
        let shoff = sectionHeaderOffsetOverride ?? sectionHeaderOffset
        header += address(entry) + address(programHeaderOffset) + address(shoff)
        header += u32(0)  // e_flags
        header += u16(UInt16(headerSize))
        header += u16(programHeaderEntrySizeOverride ?? UInt16(programHeaderSize))
        header += u16(programHeaderCountOverride ?? UInt16(segments.count))
        header += u16(UInt16(is64 ? 64 : 40)) + u16(sectionCount) + u16(sectionNamesIndex)
        place(header, at: 0, in: &image)
        return image
    }

    private func appendSections(
        symbols: [Symbol], offsets: [UInt64], to image: inout [UInt8]
    ) -> (offset: UInt64, count: UInt16, namesIndex: UInt16) {
        // Locals first, as ELF requires; sh_info is the index of the first non-local.
        let ordered = symbols.filter { $0.binding == 0 } + symbols.filter { $0.binding != 0 }
        let firstGlobal = UInt32(1 + symbols.filter { $0.binding == 0 }.count)

        var strings: [UInt8] = [0]
        var symbolTable = [UInt8](repeating: 0, count: 24)  // the null symbol
        for symbol in ordered {
            let nameOffset = UInt32(strings.count)
            strings += Array(symbol.name.utf8) + [0]
            symbolTable += u32(nameOffset) + [(symbol.binding << 4) | (symbol.type & 0xF), 0]
                + u16(symbol.section) + u64(symbol.value) + u64(0)
        }

        var sectionNames: [UInt8] = [0]
        func name(_ text: String) -> UInt32 {
            let offset = UInt32(sectionNames.count)
            sectionNames += Array(text.utf8) + [0]
            return offset
        }
        let textName = name(".text"), symtabName = name(".symtab")
        let strtabName = name(".strtab"), shstrtabName = name(".shstrtab")

        let symtabOffset = align(UInt64(image.count), 8)
        place(symbolTable, at: symtabOffset, in: &image)
        let strtabOffset = UInt64(image.count)
        place(strings, at: strtabOffset, in: &image)
        let shstrtabOffset = UInt64(image.count)
        place(sectionNames, at: shstrtabOffset, in: &image)

        let text = segments.first
        var headers = [UInt8](repeating: 0, count: 64)  // the null section
        headers += sectionHeader(
            name: textName, type: 1, flags: 6, address: text?.virtualAddress ?? 0,
            offset: offsets.first ?? 0, size: UInt64(text?.bytes.count ?? 0),
            link: 0, info: 0, alignment: 4, entrySize: 0)
        headers += sectionHeader(
            name: symtabName, type: 2, flags: 0, address: 0,
            offset: symtabOffsetOverride ?? symtabOffset,
            size: symtabSizeOverride ?? UInt64(symbolTable.count),
            link: symtabLinkOverride ?? 3, info: firstGlobal, alignment: 8, entrySize: 24)
        headers += sectionHeader(
            name: strtabName, type: 3, flags: 0, address: 0, offset: strtabOffset,
            size: UInt64(strings.count), link: 0, info: 0, alignment: 1, entrySize: 0)
        headers += sectionHeader(
            name: shstrtabName, type: 3, flags: 0, address: 0, offset: shstrtabOffset,
            size: UInt64(sectionNames.count), link: 0, info: 0, alignment: 1, entrySize: 0)
        let headersOffset = align(UInt64(image.count), 8)
        place(headers, at: headersOffset, in: &image)
        return (headersOffset, 5, 4)
    }

    private func sectionHeader(
        name: UInt32, type: UInt32, flags: UInt64, address: UInt64, offset: UInt64, size: UInt64,
        link: UInt32, info: UInt32, alignment: UInt64, entrySize: UInt64
    ) -> [UInt8] {
        u32(name) + u32(type) + u64(flags) + u64(address) + u64(offset) + u64(size)
            + u32(link) + u32(info) + u64(alignment) + u64(entrySize)
    }

    // MARK: Encoding

    private func place(_ bytes: [UInt8], at offset: UInt64, in image: inout [UInt8]) {
        let start = Int(offset)
        if image.count < start + bytes.count {
            image += [UInt8](repeating: 0, count: start + bytes.count - image.count)
        }
        image.replaceSubrange(start..<start + bytes.count, with: bytes)
    }

    private func align(_ value: UInt64, _ alignment: UInt64) -> UInt64 {
        (value + alignment - 1) / alignment * alignment
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
