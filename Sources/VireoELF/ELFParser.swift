import CLibELF

/// Validation of a RISC-V 64 executable through libelf (elfutils).
///
/// Hostile input must never crash: libelf results are checked before use, every sum or
/// product of values from the file uses overflow-reporting arithmetic, and file ranges are
/// checked against the file size here because libelf does not check segment contents.
enum ELFParser {
    private static let identSize = 16
    private static let header64Size = 64
    private static let header32Size = 52
    private static let programHeader64Size: UInt64 = 56
    private static let symbol64Size = MemoryLayout<Elf64_Sym>.size

    /// `elf_version(EV_CURRENT)` must be called once before any other libelf call.
    private static let libelfReady: Bool =
        elf_version(UInt32(EV_CURRENT)) != UInt32(EV_NONE)

    static func parse(bytes: [UInt8], path: String) throws(ELFError) -> ELFProgram {
        func error(_ reason: ELFError.Reason) -> ELFError {
            ELFError(path: path, reason: reason)
        }
        let size = bytes.count

        // The identification, checked by hand so that the messages can be precise.
        guard size >= 4, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw error(.notELF)
        }
        guard size >= identSize else {
            throw error(.truncated(
                "the ELF identification needs \(identSize) bytes but the file has \(size) bytes"))
        }
        let fileClass = bytes[Int(EI_CLASS)]
        let encoding = bytes[Int(EI_DATA)]
        let version = bytes[Int(EI_VERSION)]
        guard fileClass == UInt8(ELFCLASS32) || fileClass == UInt8(ELFCLASS64) else {
            throw error(.malformed("unknown ELF class \(fileClass) (EI_CLASS)"))
        }
        guard encoding == UInt8(ELFDATA2LSB) || encoding == UInt8(ELFDATA2MSB) else {
            throw error(.malformed("unknown data encoding \(encoding) (EI_DATA)"))
        }
        guard version == UInt8(EV_CURRENT) else {
            throw error(.malformed("unknown ELF version \(version) (EI_VERSION)"))
        }
        let headerSize = fileClass == UInt8(ELFCLASS64) ? header64Size : header32Size
        guard size >= headerSize else {
            throw error(.truncated(
                "the ELF header needs \(headerSize) bytes but the file has \(size) bytes"))
        }
        guard libelfReady else {
            throw error(.malformed("libelf refused ELF version EV_CURRENT"))
        }

        // libelf reads from this private copy; it stays alive (inside the closure) for as
        // long as the Elf handle exists, and the handle is ended before the closure returns.
        var image = bytes
        let outcome: Result<ELFProgram, ELFError> = image.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return .failure(error(.notELF)) }
            let chars = base.assumingMemoryBound(to: CChar.self)

            var sectionsUsable = true
            var handle = elf_memory(chars, raw.count)
            if handle == nil {
                // elfutils refuses the whole file when its section header table is broken.
                // Sections only matter for symbols, so try again without them.
                clearSectionHeaderFields(raw, is64: fileClass == UInt8(ELFCLASS64))
                sectionsUsable = false
                handle = elf_memory(chars, raw.count)
            }
            guard let elf = handle else {
                return .failure(error(.malformed("libelf cannot read it: \(libelfMessage())")))
            }
            defer { elf_end(elf) }
            do throws(ELFError) {
                return .success(try read(
                    elf: elf, bytes: bytes, path: path,
                    fileClass: fileClass, encoding: encoding, sectionsUsable: sectionsUsable))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Zeroes e_shoff, e_shnum and e_shstrndx (zero reads the same in either byte order).
    private static func clearSectionHeaderFields(_ raw: UnsafeMutableRawBufferPointer, is64: Bool) {
        let ranges = is64 ? [0x28..<0x30, 0x3C..<0x40] : [0x20..<0x24, 0x30..<0x34]
        for range in ranges where range.upperBound <= raw.count {
            for index in range { raw[index] = 0 }
        }
    }

    private static func read(
        elf: OpaquePointer, bytes: [UInt8], path: String,
        fileClass: UInt8, encoding: UInt8, sectionsUsable: Bool
    ) throws(ELFError) -> ELFProgram {
        func error(_ reason: ELFError.Reason) -> ELFError {
            ELFError(path: path, reason: reason)
        }
        let fileSize = UInt64(bytes.count)

        guard elf_kind(elf) == ELF_K_ELF else { throw error(.notELF) }
        var header = GElf_Ehdr()
        guard gelf_getehdr(elf, &header) != nil else {
            throw error(.malformed("cannot read the ELF header: \(libelfMessage())"))
        }

        let is64 = fileClass == UInt8(ELFCLASS64)
        let isLittle = encoding == UInt8(ELFDATA2LSB)
        let isRISCV = header.e_machine == UInt16(EM_RISCV)
        guard is64, isLittle, isRISCV else {
            throw error(.notRISCV64(
                MachineNames.describe(machine: header.e_machine, is64: is64, isLittleEndian: isLittle)))
        }
        guard header.e_type == UInt16(ET_EXEC) else {
            throw error(.notExecutable(MachineNames.describe(fileType: header.e_type)))
        }

        // Program header table. Its bounds are checked here, before libelf reads it, so
        // that a short file is reported as truncated rather than as libelf's "invalid data".
        var count = Int(header.e_phnum)
        if header.e_phnum == UInt16(PN_XNUM) {
            // The real count is in section 0's sh_info; only libelf knows how to get it.
            guard elf_getphdrnum(elf, &count) == 0 else {
                throw error(.malformed("cannot count the program headers (e_phnum is PN_XNUM): "
                    + libelfMessage()))
            }
        }
        guard count > 0 else { throw error(.noLoadableSegments) }
        guard UInt64(header.e_phentsize) == programHeader64Size else {
            throw error(.malformed(
                "program header entries are \(header.e_phentsize) bytes, ELF64 needs \(programHeader64Size)"))
        }
        let (tableSize, sizeOverflow) = UInt64(count).multipliedReportingOverflow(by: programHeader64Size)
        let (tableEnd, endOverflow) = header.e_phoff.addingReportingOverflow(tableSize)
        guard !sizeOverflow, !endOverflow else {
            throw error(.malformed(
                "the program header table (\(count) entries at offset \(Hex.format(header.e_phoff))) "
                + "runs past the 64-bit range"))
        }
        guard tableEnd <= fileSize else {
            throw error(.truncated(
                "the program header table needs file bytes \(Hex.format(header.e_phoff))-\(Hex.format(tableEnd)) "
                + "but the file has \(Hex.format(fileSize)) bytes"))
        }
        guard count <= Int(Int32.max) else {
            throw error(.malformed("too many program headers (\(count))"))
        }

        var segments: [ELFSegment] = []
        for index in 0..<count {
            var program = GElf_Phdr()
            guard gelf_getphdr(elf, Int32(index), &program) != nil else {
                throw error(.malformed("cannot read program header \(index): \(libelfMessage())"))
            }
            guard program.p_type == UInt32(PT_LOAD) else { continue }

            let (fileEnd, fileOverflow) = program.p_offset.addingReportingOverflow(program.p_filesz)
            guard !fileOverflow else {
                throw error(.malformed(
                    "segment \(index) file range (offset \(Hex.format(program.p_offset)), "
                    + "size \(Hex.format(program.p_filesz))) runs past the 64-bit range"))
            }
            guard fileEnd <= fileSize else {
                throw error(.truncated(
                    "segment \(index) needs file bytes \(Hex.format(program.p_offset))-\(Hex.format(fileEnd)) "
                    + "but the file has \(Hex.format(fileSize)) bytes"))
            }
            guard program.p_filesz <= program.p_memsz else {
                throw error(.malformed(
                    "segment \(index) has more file bytes (\(Hex.format(program.p_filesz))) "
                    + "than memory bytes (\(Hex.format(program.p_memsz)))"))
            }
            guard program.p_memsz > 0 else { continue }
            for (name, address) in [("physical", program.p_paddr), ("virtual", program.p_vaddr)] {
                guard !address.addingReportingOverflow(program.p_memsz).overflow else {
                    throw error(.malformed(
                        "segment \(index) at \(name) address \(Hex.format(address)) with memory size "
                        + "\(Hex.format(program.p_memsz)) runs past the end of the 64-bit address space"))
                }
            }
            // Both bounds are at most the file size, so they fit in Int.
            let first = Int(program.p_offset)
            let last = Int(fileEnd)
            let flags = program.p_flags
            segments.append(ELFSegment(
                physicalAddress: program.p_paddr,
                virtualAddress: program.p_vaddr,
                bytes: Array(bytes[first..<last]),
                memorySize: program.p_memsz,
                readable: flags & UInt32(PF_R) != 0,
                writable: flags & UInt32(PF_W) != 0,
                executable: flags & UInt32(PF_X) != 0))
        }
        guard !segments.isEmpty else { throw error(.noLoadableSegments) }

        segments.sort {
            ($0.physicalAddress, $0.memorySize) < ($1.physicalAddress, $1.memorySize)
        }
        // Sorted by start, disjoint ranges must each end at or before the next one starts.
        for (previous, next) in zip(segments, segments.dropFirst()) {
            // No overflow: checked above for every segment.
            let previousEnd = previous.physicalAddress + previous.memorySize
            if next.physicalAddress < previousEnd {
                throw error(.overlappingSegments(previous.physicalAddress, next.physicalAddress))
            }
        }

        let symbols = sectionsUsable ? readSymbols(elf: elf) : [:]
        return ELFProgram(path: path, entry: header.e_entry, segments: segments, symbols: symbols)
    }

    /// Named symbols of every SHT_SYMTAB section. Anything broken is skipped, never fatal.
    /// When a name appears more than once, a global binding wins over a weak one, and a weak
    /// one over a local one; otherwise the first one seen is kept.
    private static func readSymbols(elf: OpaquePointer) -> [String: UInt64] {
        var found: [String: (value: UInt64, rank: Int)] = [:]
        var section: OpaquePointer? = nil
        while let current = elf_nextscn(elf, section) {
            section = current
            var sectionHeader = GElf_Shdr()
            guard gelf_getshdr(current, &sectionHeader) != nil,
                  sectionHeader.sh_type == UInt32(SHT_SYMTAB),
                  let data = elf_getdata(current, nil)
            else { continue }
            let entries = min(data.pointee.d_size / symbol64Size, Int(Int32.max))
            guard entries > 0 else { continue }
            for index in 0..<entries {
                var symbol = GElf_Sym()
                guard gelf_getsym(data, Int32(index), &symbol) != nil else { continue }
                let type = Int32(symbol.st_info & 0xF)
                let binding = Int32(symbol.st_info >> 4)
                guard symbol.st_name != 0,
                      symbol.st_shndx != UInt16(SHN_UNDEF),
                      type != STT_SECTION, type != STT_FILE,
                      let text = elf_strptr(elf, Int(sectionHeader.sh_link), Int(symbol.st_name))
                else { continue }
                let name = String(cString: text)
                guard !name.isEmpty else { continue }
                let rank = binding == STB_LOCAL ? 0 : (binding == STB_WEAK ? 1 : 2)
                if let existing = found[name], existing.rank >= rank { continue }
                found[name] = (symbol.st_value, rank)
            }
        }
        return found.mapValues(\.value)
    }

    private static func libelfMessage() -> String {
        guard let text = elf_errmsg(-1) else { return "unknown libelf error" }
        return String(cString: text)
    }
}
