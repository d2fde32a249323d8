/// A validated RISC-V 64 executable: its entry point, loadable segments and symbols.
public struct ELFProgram: Sendable, Equatable {
    public var path: String
    public var entry: UInt64
    /// `PT_LOAD` segments with `p_memsz > 0`, sorted by physical address.
    public var segments: [ELFSegment]
    /// Named symbols from `.symtab` (global and local); empty if the file is stripped.
    public var symbols: [String: UInt64]

    public init(path: String, entry: UInt64, segments: [ELFSegment], symbols: [String: UInt64] = [:]) {
        self.path = path
        self.entry = entry
        self.segments = segments
        self.symbols = symbols
    }

    /// The value of the symbol `name`, if the file has one.
    public func symbol(_ name: String) -> UInt64? {
        symbols[name]
    }

    /// Reads and validates a RISC-V 64 executable.
    public static func read(path: String) throws(ELFError) -> ELFProgram {
        let bytes = try HostFile.contents(path: path)
        return try parse(bytes: bytes, path: path)
    }

    /// Validates a RISC-V 64 executable held in memory; `path` is only used in errors.
    public static func parse(bytes: [UInt8], path: String) throws(ELFError) -> ELFProgram {
        try ELFParser.parse(bytes: bytes, path: path)
    }

    /// Every segment `[physicalAddress, physicalAddress + memorySize)` must lie inside one of
    /// `regions`; otherwise throws `.outsideMemory`.
    public func checkPlacement(in regions: [MemoryRegion]) throws(ELFError) {
        for segment in segments where segment.memorySize > 0 {
            let start = segment.physicalAddress
            let (end, overflow) = start.addingReportingOverflow(segment.memorySize)
            // A segment ending exactly at 2^64 fits a region that reaches the top, so the
            // overflowing end only matters for the message.
            if !regions.contains(where: { $0.contains(start: start, length: segment.memorySize) }) {
                let described = regions.isEmpty
                    ? "no memory regions"
                    : regions.map(\.summary).joined(separator: ", ")
                throw ELFError(
                    path: path,
                    reason: .outsideMemory(start, overflow ? UInt64.max : end, described)
                )
            }
        }
    }
}
