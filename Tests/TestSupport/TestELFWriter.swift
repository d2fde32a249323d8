/// The byte-level ELF writer of every test target, so the tests need no toolchain.
///
/// Layout: ELF header, program header table, each segment's bytes (16-byte aligned unless an
/// explicit file offset is given), then either the sections `.text`, `.symtab`, `.strtab`,
/// `.shstrtab` and their header table (when `symbols` is not nil), or a lone section header 0
/// (when `sectionZeroInfo` is not nil). The `…Override` knobs let tests break single fields.
public struct TestELFWriter {
    public struct Segment {
        public var type: UInt32
        /// PF_X = 1, PF_W = 2, PF_R = 4.
        public var flags: UInt32
        public var virtualAddress: UInt64
        public var physicalAddress: UInt64
        public var bytes: [UInt8]
        public var memorySize: UInt64
        /// Where the bytes go in the file; nil places them after the previous data.
        public var fileOffset: UInt64?
        /// Written as p_filesz instead of `bytes.count`.
        public var fileSizeOverride: UInt64?
        /// Written as p_offset instead of where the bytes went (they are still written).
        public var offsetOverride: UInt64?

        /// `type` 1 is PT_LOAD; `flags` 5 is PF_R | PF_X.
        public init(type: UInt32 = 1, flags: UInt32 = 5, virtualAddress: UInt64, physicalAddress: UInt64,
                    bytes: [UInt8], memorySize: UInt64, fileOffset: UInt64? = nil,
                    fileSizeOverride: UInt64? = nil, offsetOverride: UInt64? = nil) {
            self.type = type
            self.flags = flags
            self.virtualAddress = virtualAddress
            self.physicalAddress = physicalAddress
            self.bytes = bytes
            self.memorySize = memorySize
            self.fileOffset = fileOffset
            self.fileSizeOverride = fileSizeOverride
            self.offsetOverride = offsetOverride
        }
    }

    public struct Symbol {
        public var name: String
        public var value: UInt64
        /// STB_LOCAL = 0, STB_GLOBAL = 1.
        public var binding: UInt8
        /// STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4.
        public var type: UInt8
        /// Section index; 1 is `.text`.
        public var section: UInt16

        public init(name: String, value: UInt64, binding: UInt8 = 1, type: UInt8 = 1, section: UInt16 = 1) {
            self.name = name
            self.value = value
            self.binding = binding
            self.type = type
            self.section = section
        }
    }

    public var is64 = true
    public var littleEndian = true
    /// EI_VERSION.
    public var identVersion: UInt8 = 1
    /// e_version.
    public var elfVersion: UInt32 = 1
    /// EM_RISCV.
    public var machine: UInt16 = 243
    /// ET_EXEC.
    public var fileType: UInt16 = 2
    public var entry: UInt64 = 0x8000_0000
    public var segments: [Segment] = []
    /// nil writes no symbol table (a stripped file).
    public var symbols: [Symbol]? = nil
    /// Writes a section header 0 whose sh_info is this (the PN_XNUM escape), at the end.
    public var sectionZeroInfo: UInt32? = nil

    public var programHeaderOffsetOverride: UInt64? = nil
    public var programHeaderCountOverride: UInt16? = nil
    public var programHeaderEntrySizeOverride: UInt16? = nil
    public var sectionHeaderOffsetOverride: UInt64? = nil
    public var sectionHeaderCountOverride: UInt16? = nil
    public var symtabLinkOverride: UInt32? = nil
    public var symtabOffsetOverride: UInt64? = nil
    public var symtabSizeOverride: UInt64? = nil

    public init() {}

    // MARK: Building

    public func build() -> [UInt8] {
        precondition(symbols == nil || sectionZeroInfo == nil, "a symbol table or a lone section 0, not both")
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
        for (segment, placed) in zip(segments, offsets) {
            let fileSize = segment.fileSizeOverride ?? UInt64(segment.bytes.count)
            let offset = segment.offsetOverride ?? placed
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
        } else if let info = sectionZeroInfo {
            let at = align(UInt64(image.count), 8)
            var header = [UInt8](repeating: 0, count: is64 ? 64 : 40)
            header.replaceSubrange((is64 ? 44 : 28)..<(is64 ? 48 : 32), with: u32(info))
            place(header, at: at, in: &image)
            sectionHeaderOffset = at
            sectionCount = 1
        }

        // ELF header.
        var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, is64 ? 2 : 1, littleEndian ? 1 : 2, identVersion, 0]
        header += [UInt8](repeating: 0, count: 8)
        header += u16(fileType) + u16(machine) + u32(elfVersion)
        let programHeaderOffset = programHeaderOffsetOverride ?? UInt64(headerSize)
        let shoff = sectionHeaderOffsetOverride ?? sectionHeaderOffset
        header += address(entry) + address(programHeaderOffset) + address(shoff)
        header += u32(0)  // e_flags
        header += u16(UInt16(headerSize))
        header += u16(programHeaderEntrySizeOverride ?? UInt16(programHeaderSize))
        header += u16(programHeaderCountOverride ?? UInt16(segments.count))
        header += u16(UInt16(is64 ? 64 : 40)) + u16(sectionHeaderCountOverride ?? sectionCount) + u16(sectionNamesIndex)
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
