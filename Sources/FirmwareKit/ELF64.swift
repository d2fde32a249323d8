/// ELF64 RISC-V executables, read in place from a byte buffer (no allocation beyond the
/// segment list). Written for bare metal: this file is also compiled in Embedded Swift mode
/// into the firmware, so it uses no Foundation, no existentials and only typed throws.
///
/// It refuses the same files as the host loader (Sources/VireoELF, libelf-based), with one
/// documented exception: `e_phnum == PN_XNUM` (0xFFFF), where the real count lives in
/// section 0's `sh_info`. libelf follows it; this parser refuses it as `badProgramHeaders`,
/// since a firmware or kernel image never has 65,535 program headers.
///
/// Hostile input never traps: every field is read through a bounds check against the
/// buffer, and every sum of file values uses overflow-reporting arithmetic.

/// Why an ELF image was refused.
public enum ELFError: Error, Equatable {
    /// The file is shorter than a header or table it declares.
    case truncated
    /// No `\x7fELF` magic.
    case notELF
    /// `EI_CLASS` is not `ELFCLASS64`.
    case not64Bit
    /// `EI_DATA` is not `ELFDATA2LSB`.
    case notLittleEndian
    /// `EI_VERSION` is not `EV_CURRENT`.
    case badVersion
    /// `e_machine` is not `EM_RISCV` (243).
    case notRISCV
    /// `e_type` is not `ET_EXEC` (2).
    case notExecutable
    /// `e_phentsize != 56`, the table lies outside the file, or `e_phnum == PN_XNUM`.
    case badProgramHeaders
    /// A `PT_LOAD` segment's file bytes `[p_offset, p_offset + p_filesz)` lie beyond the file.
    case segmentOutsideFile
    /// `p_filesz > p_memsz`, or `p_vaddr`/`p_paddr + p_memsz` runs past 2^64.
    case segmentSizes
    /// Two loadable segments overlap in physical memory.
    case overlappingSegments
    /// No `PT_LOAD` segment with a non-zero memory size.
    case noLoadableSegments

    /// One short English phrase, for a firmware console.
    public var reason: StaticString {
        switch self {
        case .truncated: return "truncated ELF file"
        case .notELF: return "not an ELF file"
        case .not64Bit: return "not a 64-bit ELF file"
        case .notLittleEndian: return "not a little-endian ELF file"
        case .badVersion: return "unknown ELF version"
        case .notRISCV: return "not a RISC-V ELF file"
        case .notExecutable: return "not an executable (ET_EXEC)"
        case .badProgramHeaders: return "bad program header table"
        case .segmentOutsideFile: return "segment data beyond the end of the file"
        case .segmentSizes: return "bad segment sizes"
        case .overlappingSegments: return "overlapping segments"
        case .noLoadableSegments: return "no loadable segments"
        }
    }
}

/// One `PT_LOAD` program header.
public struct ELFSegment: Equatable {
    /// `p_vaddr`: where the program was linked to run.
    public var virtualAddress: UInt64
    /// `p_paddr`: where a loader places it.
    public var physicalAddress: UInt64
    /// `p_offset`: where its `fileSize` bytes start in the file.
    public var fileOffset: UInt64
    /// `p_filesz`: bytes copied from the file; at most `memorySize`.
    public var fileSize: UInt64
    /// `p_memsz`: bytes occupied in memory (the rest past `fileSize` is zero-filled).
    public var memorySize: UInt64
    /// `p_flags`: PF_X = 1, PF_W = 2, PF_R = 4.
    public var flags: UInt32

    public init(
        virtualAddress: UInt64, physicalAddress: UInt64, fileOffset: UInt64,
        fileSize: UInt64, memorySize: UInt64, flags: UInt32
    ) {
        self.virtualAddress = virtualAddress
        self.physicalAddress = physicalAddress
        self.fileOffset = fileOffset
        self.fileSize = fileSize
        self.memorySize = memorySize
        self.flags = flags
    }
}

/// A validated RISC-V 64-bit little-endian executable (`ET_EXEC`).
///
/// After `init` succeeds, every segment's file range lies inside the buffer that was parsed,
/// its `physicalAddress + memorySize` and `virtualAddress + memorySize` do not overflow, and
/// no two segments overlap physically.
public struct ELFImage {
    public let entry: UInt64
    /// `PT_LOAD` segments with `p_memsz > 0`, in file order.
    public let segments: [ELFSegment]

    private static let headerSize = 64
    private static let programHeaderSize: UInt64 = 56
    private static let programHeaderCountEscape: UInt16 = 0xFFFF  // PN_XNUM
    private static let machineRISCV: UInt16 = 243
    private static let typeExecutable: UInt16 = 2
    private static let typeLoad: UInt32 = 1

    public init(_ bytes: UnsafeRawBufferPointer) throws(ELFError) {
        let size = bytes.count

        // Identification (e_ident).
        guard size >= 4 else {
            // A short prefix of a real ELF file is truncated; anything else is not ELF.
            let magic: (UInt8, UInt8, UInt8) = (0x7F, 0x45, 0x4C)
            if size == 0 { throw .notELF }
            if bytes[0] != magic.0 { throw .notELF }
            if size >= 2 && bytes[1] != magic.1 { throw .notELF }
            if size >= 3 && bytes[2] != magic.2 { throw .notELF }
            throw .truncated
        }
        guard bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw .notELF
        }
        guard size >= 16 else { throw .truncated }
        guard bytes[4] == 2 else { throw .not64Bit }  // EI_CLASS: ELFCLASS64
        guard bytes[5] == 1 else { throw .notLittleEndian }  // EI_DATA: ELFDATA2LSB
        guard bytes[6] == 1 else { throw .badVersion }  // EI_VERSION: EV_CURRENT
        guard size >= ELFImage.headerSize else { throw .truncated }

        // ELF header. (e_version is not checked: libelf does not check it either.)
        let fileType = ELFImage.u16(bytes, 16)
        let machine = ELFImage.u16(bytes, 18)
        guard machine == ELFImage.machineRISCV else { throw .notRISCV }
        guard fileType == ELFImage.typeExecutable else { throw .notExecutable }
        let entry = ELFImage.u64(bytes, 24)
        let tableOffset = ELFImage.u64(bytes, 32)
        let entrySize = ELFImage.u16(bytes, 54)
        let count = ELFImage.u16(bytes, 56)

        guard count != ELFImage.programHeaderCountEscape else { throw .badProgramHeaders }
        guard count > 0 else { throw .noLoadableSegments }
        guard UInt64(entrySize) == ELFImage.programHeaderSize else { throw .badProgramHeaders }
        // count < 2^16, so the product cannot overflow.
        let tableSize = UInt64(count) &* ELFImage.programHeaderSize
        let (tableEnd, tableOverflow) = tableOffset.addingReportingOverflow(tableSize)
        guard !tableOverflow, tableEnd <= UInt64(size) else { throw .badProgramHeaders }

        // Program headers. The table lies inside the buffer, so its offsets fit in Int.
        var segments: [ELFSegment] = []
        let fileSize = UInt64(size)
        for index in 0..<Int(count) {
            let at = Int(tableOffset) &+ index &* Int(ELFImage.programHeaderSize)
            guard ELFImage.u32(bytes, at) == ELFImage.typeLoad else { continue }
            let segment = ELFSegment(
                virtualAddress: ELFImage.u64(bytes, at &+ 16),
                physicalAddress: ELFImage.u64(bytes, at &+ 24),
                fileOffset: ELFImage.u64(bytes, at &+ 8),
                fileSize: ELFImage.u64(bytes, at &+ 32),
                memorySize: ELFImage.u64(bytes, at &+ 40),
                flags: ELFImage.u32(bytes, at &+ 4))
            // The same checks, in the same order, as the host loader: even a PT_LOAD with
            // p_memsz == 0 (ignored for loading) must describe bytes inside the file.
            let (dataEnd, dataOverflow) = segment.fileOffset.addingReportingOverflow(segment.fileSize)
            guard !dataOverflow, dataEnd <= fileSize else { throw .segmentOutsideFile }
            guard segment.fileSize <= segment.memorySize else { throw .segmentSizes }
            guard segment.memorySize > 0 else { continue }
            // An end of exactly 2^64 counts as overflow, as in the host loader.
            guard !segment.physicalAddress.addingReportingOverflow(segment.memorySize).overflow,
                  !segment.virtualAddress.addingReportingOverflow(segment.memorySize).overflow
            else { throw .segmentSizes }
            segments.append(segment)
        }
        guard !segments.isEmpty else { throw .noLoadableSegments }
        guard !ELFImage.overlap(segments) else { throw .overlappingSegments }

        self.entry = entry
        self.segments = segments
    }

    /// Lowest `physicalAddress` and highest `physicalAddress + memorySize` over `segments`.
    public var physicalRange: (lowest: UInt64, end: UInt64) {
        var lowest = UInt64.max
        var end: UInt64 = 0
        for segment in segments {
            lowest = min(lowest, segment.physicalAddress)
            // No overflow: checked by init.
            end = max(end, segment.physicalAddress &+ segment.memorySize)
        }
        return segments.isEmpty ? (0, 0) : (lowest, end)
    }

    /// True when two physical ranges `[paddr, paddr + memsz)` intersect. Sorted by start, the
    /// ranges are disjoint exactly when each ends at or before the next one starts.
    private static func overlap(_ segments: [ELFSegment]) -> Bool {
        guard segments.count > 1 else { return false }
        var ranges: [(start: UInt64, end: UInt64)] = []
        ranges.reserveCapacity(segments.count)
        for segment in segments {
            ranges.append((segment.physicalAddress, segment.physicalAddress &+ segment.memorySize))
        }
        ranges.sort { $0.start < $1.start }
        var index = 1
        while index < ranges.count {
            if ranges[index].start < ranges[index &- 1].end { return true }
            index &+= 1
        }
        return false
    }

    // Little-endian field reads; callers have checked `offset + width <= bytes.count`.

    private static func u16(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    private static func u32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    private static func u64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
