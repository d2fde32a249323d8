/// A tar archive reader for Dom0's guest disk (DESIGN §4: guest kernels, disk images and
/// configuration files come from a `tar cf guests.tar …` archive on the virtio disk).
///
/// Formats read (POSIX.1-2017 `pax` "ustar Interchange Format" and "pax Interchange Format";
/// GNU tar manual, "Basic Tar Format"; libarchive tar(5)):
/// - plain ustar: 512-byte header, the `prefix` field (offset 345) joined to `name` with "/"
///   when the magic is POSIX's `"ustar\0"`;
/// - GNU (`tar --format=gnu`, GNU tar's default): magic `"ustar  \0"`, where offset 345 holds
///   other fields and is *not* a prefix; `'L'` (long name) and `'K'` (long link name) headers
///   whose data is the name of the next member; base-256 numbers (first byte ≥ 0x80) for sizes
///   that do not fit 11 octal digits;
/// - pax (`tar --format=pax`, bsdtar): `'x'` extended headers (also Solaris' `'X'`) whose
///   records `"LEN key=value\n"` override the next member's `path`, `linkpath` and `size`;
///   `'g'` global headers are skipped (their keys are not applied);
/// - V7: no magic; a regular-file typeflag with a name ending in "/" is a directory.
///
/// Member types: regular files (`'0'` and NUL, also contiguous `'7'`) and directories (`'5'`)
/// are the ones Dom0 uses; every other type (links, devices, FIFOs, GNU sparse or volume
/// headers…) is listed with its type and its data is skipped. As GNU tar's reader does, the
/// `size` field counts data blocks for every type except directories.
///
/// Validation: every header's checksum (the sum of its 512 bytes with the checksum field
/// read as 8 spaces; POSIX allows writers to sum signed or unsigned bytes, so both sums are
/// accepted), the `size` and checksum numbers (octal with leading spaces and NUL/space
/// terminators, or GNU base-256), every member's data against the end of the archive. The
/// archive ends at the first all-zero block (two of them per POSIX; a lone zero block, then
/// EOF or anything else, also ends it, as GNU tar does) or at EOF on a block boundary. A
/// header cut short by EOF, a member whose data runs past the end, and an extended header
/// with no member after it are errors. Other numeric fields (mode, mtime) are informational
/// and read leniently (0 when unreadable).
///
/// Hostile input never traps: every read is bounds-checked, every sum of values from the
/// archive is overflow-checked, and extended headers are capped at
/// `TarArchive.maxExtendedHeaderSize` bytes.
///
/// Two ways to read:
/// - `TarArchive(bytes:)` over an archive in memory;
/// - `TarArchive(byteCount:readBlock:)` for an archive on a disk: `readBlock(i)` returns the
///   512-byte block `i` (a sector when the archive starts at sector 0), so only headers and
///   extended-header data are read; member data stays on the disk, located by
///   `TarMember.dataBlock`/`dataBlockCount`/`size`. `TarArchive.forEachMember` is the same walk
///   without building the member list.
///
/// Written for bare metal: this file is also compiled in Embedded Swift mode into the Dom0
/// kernel, so it uses no Foundation, no existentials and only typed throws; names are
/// compared byte by byte (no Unicode tables).

/// Why an archive was refused. `message` is one line for a console.
public enum TarError: Error, Equatable, CustomStringConvertible {
    /// A member's (or an extended header's) data needs `needs` bytes but only `left` remain.
    case truncatedMember(name: String, needs: UInt64, left: UInt64)
    /// The archive ends `bytes` bytes into the header at `block`.
    case truncatedHeader(block: UInt64, bytes: UInt64)
    /// The header at `block` fails its checksum (or its checksum field is not a number).
    case badChecksum(block: UInt64)
    /// A numeric field (`size`) of the header at `block` is neither octal nor base-256, or is
    /// out of range.
    case badNumber(field: String, block: UInt64)
    /// A pax extended header's records (at header `block`) are malformed.
    case badExtendedHeader(block: UInt64)
    /// An extended header ('L', 'K', 'x') at `block` is larger than
    /// `TarArchive.maxExtendedHeaderSize`.
    case extendedHeaderTooLarge(block: UInt64, size: UInt64)
    /// Extended headers starting at `block` are followed by the end of the archive.
    case danglingExtendedHeader(block: UInt64)
    /// `readBlock` returned nil (or a short buffer) for `block`.
    case readFailed(block: UInt64)

    /// "truncated: member 'x' needs 4096 bytes, 1024 left", "bad header checksum at block 7".
    public var message: String {
        switch self {
        case .truncatedMember(let name, let needs, let left):
            return "truncated: member '" + Dom0Bytes.printable(name) + "' needs " + String(needs)
                + " bytes, " + String(left) + " left"
        case .truncatedHeader(let block, let bytes):
            return "truncated: header at block " + String(block) + " has " + String(bytes)
                + " of 512 bytes"
        case .badChecksum(let block):
            return "bad header checksum at block " + String(block)
        case .badNumber(let field, let block):
            return "bad " + field + " field in header at block " + String(block)
        case .badExtendedHeader(let block):
            return "bad pax extended header at block " + String(block)
        case .extendedHeaderTooLarge(let block, let size):
            return "extended header at block " + String(block) + " is too large (" + String(size)
                + " bytes)"
        case .danglingExtendedHeader(let block):
            return "extended header at block " + String(block) + " is not followed by a member"
        case .readFailed(let block):
            return "cannot read block " + String(block)
        }
    }

    public var description: String { message }
}

/// A member's type, from the header's typeflag (POSIX `<tar.h>`: REGTYPE '0', AREGTYPE NUL,
/// LNKTYPE '1', SYMTYPE '2', CHRTYPE '3', BLKTYPE '4', DIRTYPE '5', FIFOTYPE '6',
/// CONTTYPE '7'); anything else (GNU 'S' sparse, 'V' volume label, 'D' dump dir, …) is
/// `other` with its typeflag byte.
public enum TarMemberType: Equatable, CustomStringConvertible {
    case regular
    case hardLink
    case symbolicLink
    case characterDevice
    case blockDevice
    case directory
    case fifo
    /// '7': a regular file that was contiguous on disk; read like `regular`.
    case contiguous
    case other(UInt8)

    public init(typeflag: UInt8) {
        switch typeflag {
        case 0, 0x30: self = .regular
        case 0x31: self = .hardLink
        case 0x32: self = .symbolicLink
        case 0x33: self = .characterDevice
        case 0x34: self = .blockDevice
        case 0x35: self = .directory
        case 0x36: self = .fifo
        case 0x37: self = .contiguous
        default: self = .other(typeflag)
        }
    }

    /// True for members whose data is a file's contents ('0', NUL, '7').
    public var isFile: Bool { self == .regular || self == .contiguous }

    /// `ls -l`'s first column: '-', 'h' (hard link), 'l', 'c', 'b', 'd', 'p', or '?'.
    public var letter: UInt8 {
        switch self {
        case .regular, .contiguous: return 0x2D  // -
        case .hardLink: return 0x68  // h
        case .symbolicLink: return 0x6C  // l
        case .characterDevice: return 0x63  // c
        case .blockDevice: return 0x62  // b
        case .directory: return 0x64  // d
        case .fifo: return 0x70  // p
        case .other: return 0x3F  // ?
        }
    }

    /// "file", "directory", "symlink", …, "type 'S'" (or "type 0x80" when not printable).
    public var description: String {
        switch self {
        case .regular: return "file"
        case .hardLink: return "hard link"
        case .symbolicLink: return "symlink"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .directory: return "directory"
        case .fifo: return "fifo"
        case .contiguous: return "contiguous file"
        case .other(let flag):
            if flag > 0x20 && flag < 0x7F {
                return "type '" + String(decoding: [flag], as: UTF8.self) + "'"
            }
            return "type " + Dom0Bytes.hex(UInt64(flag))
        }
    }
}

/// One archive member, after its 'L'/'K'/'x' extended headers were applied.
public struct TarMember: Equatable {
    /// The full path as stored (GNU long name, pax `path`, or ustar prefix + "/" + name),
    /// e.g. "guests/hello.elf", "./linux.cfg", "dir/".
    public var name: String
    /// The link target for hard and symbolic links (else usually empty).
    public var linkName: String
    public var type: TarMemberType
    /// The raw typeflag byte.
    public var typeflag: UInt8
    /// Data size in bytes (pax `size` when given). Directories have no data blocks whatever
    /// this says.
    public var size: UInt64
    /// Permission bits (0 when unreadable).
    public var mode: UInt32
    /// Modification time, seconds since 1970 (0 when unreadable).
    public var modificationTime: UInt64
    /// First block of the entry, its extended headers included.
    public var firstBlock: UInt64
    /// Block of the member's own (ustar) header.
    public var headerBlock: UInt64
    /// First data block (`headerBlock + 1`).
    public var dataBlock: UInt64
    /// Data blocks that follow the header: ⌈size / 512⌉, 0 for directories.
    public var dataBlockCount: UInt64

    /// Byte offset of the data in the archive.
    public var dataOffset: UInt64 { dataBlock &* 512 }
    /// Block after this member's data: where the next header starts.
    public var nextBlock: UInt64 { dataBlock &+ dataBlockCount }

    public init(
        name: String, linkName: String = "", type: TarMemberType, typeflag: UInt8, size: UInt64,
        mode: UInt32 = 0, modificationTime: UInt64 = 0, firstBlock: UInt64, headerBlock: UInt64,
        dataBlock: UInt64, dataBlockCount: UInt64
    ) {
        self.name = name
        self.linkName = linkName
        self.type = type
        self.typeflag = typeflag
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
        self.firstBlock = firstBlock
        self.headerBlock = headerBlock
        self.dataBlock = dataBlock
        self.dataBlockCount = dataBlockCount
    }
}

/// The members of a validated archive (see the file comment for the formats and the checks).
public struct TarArchive {
    /// The tar block ("record" in POSIX) size.
    public static let blockSize = 512
    /// Largest 'L', 'K' or 'x' extended header accepted (names are at most PATH_MAX, 4096).
    public static let maxExtendedHeaderSize: UInt64 = 65536

    /// Every member in archive order (a name may appear more than once: tar appends).
    public let members: [TarMember]
    /// The archive size the walk was given.
    public let byteCount: UInt64

    /// Reads an archive held in memory. The buffer may be longer than the archive (data after
    /// the end-of-archive blocks is ignored); the members refer to it by offset only.
    public init(bytes: UnsafeRawBufferPointer) throws(TarError) {
        try self.init(byteCount: UInt64(bytes.count)) { index in
            TarArchive.block(index, of: bytes)
        }
    }

    /// Reads an archive of `byteCount` bytes through `readBlock`, which gets a block index
    /// whose start lies below `byteCount` and returns that block: 512 bytes, or the
    /// `byteCount - index * 512` bytes left for a final partial block; nil on a read error
    /// (`TarError.readFailed`). The buffer needs to stay valid only until the next call.
    public init(
        byteCount: UInt64, readBlock: (UInt64) -> UnsafeRawBufferPointer?
    ) throws(TarError) {
        var list: [TarMember] = []
        try TarArchive.forEachMember(byteCount: byteCount, readBlock: readBlock) { member in
            list.append(member)
            return true
        }
        members = list
        self.byteCount = byteCount
    }

    /// The member called `name`, compared once leading "./" and "/" and trailing "/" are
    /// dropped from both names ("hello.elf" finds "./hello.elf", "guests" finds "guests/").
    /// When several members match, the last one wins, as when tar extracts them.
    public func member(named name: String) -> TarMember? {
        let wanted = TarArchive.normalized(name)
        for member in members.reversed() where TarArchive.normalized(member.name) == wanted {
            return member
        }
        return nil
    }

    /// A member's data inside the buffer the archive was read from (empty for directories),
    /// or nil when the member's range lies outside `bytes` (another buffer).
    public static func data(
        of member: TarMember, in bytes: UnsafeRawBufferPointer
    ) -> UnsafeRawBufferPointer? {
        if member.type == .directory || member.size == 0 {
            return UnsafeRawBufferPointer(rebasing: bytes[0..<0])
        }
        let (end, overflow) = member.dataOffset.addingReportingOverflow(member.size)
        guard !overflow, member.dataOffset <= UInt64(bytes.count), end <= UInt64(bytes.count) else {
            return nil
        }
        return UnsafeRawBufferPointer(rebasing: bytes[Int(member.dataOffset)..<Int(end)])
    }

    /// The name compared by `member(named:)`: without leading "./" and "/" and trailing "/".
    static func normalized(_ name: String) -> [UInt8] {
        var bytes = Array(name.utf8)
        var start = 0
        while true {
            if start + 1 < bytes.count, bytes[start] == 0x2E, bytes[start + 1] == 0x2F {
                start += 2
            } else if start < bytes.count, bytes[start] == 0x2F {
                start += 1
            } else {
                break
            }
        }
        var end = bytes.count
        while end > start, bytes[end - 1] == 0x2F { end -= 1 }
        bytes = Array(bytes[start..<end])
        return bytes
    }

    /// Block `index` of an in-memory archive (short for a final partial block).
    static func block(_ index: UInt64, of bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let count = UInt64(bytes.count)
        let (start, overflow) = index.multipliedReportingOverflow(by: 512)
        guard !overflow, start < count else { return nil }
        let end = min(count, start + 512)
        return UnsafeRawBufferPointer(rebasing: bytes[Int(start)..<Int(end)])
    }

    // MARK: - The walk

    private static let typeLongName: UInt8 = 0x4C  // 'L'
    private static let typeLongLink: UInt8 = 0x4B  // 'K'
    private static let typePax: UInt8 = 0x78  // 'x'
    private static let typeSolarisPax: UInt8 = 0x58  // 'X'
    private static let typeGlobalPax: UInt8 = 0x67  // 'g'
    private static let typeDirectory: UInt8 = 0x35  // '5'

    /// Walks the archive, calling `visit` for every member in order until it returns false.
    /// Same arguments and checks as `init(byteCount:readBlock:)`; members after the point
    /// where `visit` stopped are not checked.
    public static func forEachMember(
        byteCount: UInt64, readBlock: (UInt64) -> UnsafeRawBufferPointer?,
        _ visit: (TarMember) -> Bool
    ) throws(TarError) {
        var block: UInt64 = 0
        // Pending extended-header values for the next member.
        var pendingStart: UInt64? = nil
        var longName: [UInt8]? = nil
        var longLink: [UInt8]? = nil
        var pax = PaxOverrides()

        while true {
            let (offset, overflow) = block.multipliedReportingOverflow(by: 512)
            if overflow || offset >= byteCount {
                if let start = pendingStart { throw .danglingExtendedHeader(block: start) }
                return
            }
            let left = byteCount - offset
            let want = min(512, left)
            guard let raw = readBlock(block), UInt64(raw.count) >= want else {
                throw .readFailed(block: block)
            }
            let header = UnsafeRawBufferPointer(rebasing: raw[0..<Int(want)])
            if Dom0Bytes.allZero(header) {
                // End of archive (a zero block, or zeros up to EOF).
                if let start = pendingStart { throw .danglingExtendedHeader(block: start) }
                return
            }
            guard want == 512 else { throw .truncatedHeader(block: block, bytes: want) }
            guard checksumMatches(header) else { throw .badChecksum(block: block) }

            let typeflag = header[156]
            guard let fieldSize = number(header, 124, 12) else {
                throw .badNumber(field: "size", block: block)
            }
            let headerName = nameField(header)
            let headerLink = cString(header, 157, 100)
            let mode = UInt32(truncatingIfNeeded: number(header, 100, 8) ?? 0)
            let mtime = number(header, 136, 12) ?? 0
            // `header` must not be used after the next readBlock call.

            let dataBlock = block + 1
            let dataLeft = left - want  // bytes after this header

            switch typeflag {
            case typeLongName, typeLongLink, typePax, typeSolarisPax, typeGlobalPax:
                guard fieldSize <= dataLeft else {
                    throw .truncatedMember(
                        name: String(decoding: headerName, as: UTF8.self), needs: fieldSize, left: dataLeft)
                }
                let blocks = (fieldSize + 511) / 512
                if typeflag != typeGlobalPax {
                    guard fieldSize <= maxExtendedHeaderSize else {
                        throw .extendedHeaderTooLarge(block: block, size: fieldSize)
                    }
                    let data = try readData(from: dataBlock, size: fieldSize, readBlock: readBlock)
                    switch typeflag {
                    case typeLongName: longName = cString(data)
                    case typeLongLink: longLink = cString(data)
                    default: try pax.parse(data, block: block)
                    }
                    if pendingStart == nil { pendingStart = block }
                }
                block = dataBlock + blocks

            default:
                let name = pax.path ?? longName ?? headerName
                let link = pax.linkPath ?? longLink ?? headerLink
                let size = pax.size ?? fieldSize
                var type = TarMemberType(typeflag: typeflag)
                if type == .regular, name.last == 0x2F { type = .directory }  // V7 directory
                let hasData = typeflag != typeDirectory
                if hasData && size > dataLeft {
                    throw .truncatedMember(
                        name: String(decoding: name, as: UTF8.self), needs: size, left: dataLeft)
                }
                let blocks = hasData ? (size + 511) / 512 : 0
                let member = TarMember(
                    name: String(decoding: name, as: UTF8.self),
                    linkName: String(decoding: link, as: UTF8.self),
                    type: type, typeflag: typeflag, size: size, mode: mode,
                    modificationTime: mtime, firstBlock: pendingStart ?? block, headerBlock: block,
                    dataBlock: dataBlock, dataBlockCount: blocks)
                pendingStart = nil
                longName = nil
                longLink = nil
                pax = PaxOverrides()
                if !visit(member) { return }
                block = dataBlock + blocks
            }
        }
    }

    /// `size` bytes of data starting at block `first` (the caller checked they exist).
    private static func readData(
        from first: UInt64, size: UInt64, readBlock: (UInt64) -> UnsafeRawBufferPointer?
    ) throws(TarError) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(Int(size))
        var index = first
        var remaining = size
        while remaining > 0 {
            let want = Int(min(512, remaining))
            guard let raw = readBlock(index), raw.count >= want else {
                throw .readFailed(block: index)
            }
            data.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[0..<want]))
            remaining -= UInt64(want)
            index += 1
        }
        return data
    }

    /// The checksum field (148..<156) against the unsigned and the signed byte sums.
    static func checksumMatches(_ header: UnsafeRawBufferPointer) -> Bool {
        guard let stored = number(header, 148, 8) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for i in 0..<512 {
            let byte: UInt8 = (i >= 148 && i < 156) ? 0x20 : header[i]
            unsigned += Int64(byte)
            signed += Int64(Int8(bitPattern: byte))
        }
        return Int64(stored) == unsigned || Int64(stored) == signed
    }

    /// A numeric header field: octal digits after optional leading spaces, then only NULs or
    /// spaces; or GNU base-256 (first byte ≥ 0x80, big-endian, bit 0x40 of the first byte the
    /// sign). Nil when malformed, negative or above UInt64.max.
    static func number(_ header: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> UInt64? {
        let end = offset + length
        guard offset >= 0, end <= header.count, length > 0 else { return nil }
        let first = header[offset]
        if first & 0x80 != 0 {
            guard first & 0x40 == 0 else { return nil }  // negative
            var value = UInt64(first & 0x3F)
            for i in (offset + 1)..<end {
                guard value <= UInt64.max >> 8 else { return nil }
                value = value << 8 | UInt64(header[i])
            }
            return value
        }
        var i = offset
        while i < end && header[i] == 0x20 { i += 1 }
        var value: UInt64 = 0
        var digits = 0
        while i < end, header[i] >= 0x30, header[i] <= 0x37 {
            guard value <= UInt64.max >> 3 else { return nil }
            value = value << 3 | UInt64(header[i] - 0x30)
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        while i < end {
            guard header[i] == 0 || header[i] == 0x20 else { return nil }
            i += 1
        }
        return value
    }

    /// The bytes of a NUL-terminated (or full-width) text field.
    static func cString(_ header: UnsafeRawBufferPointer, _ offset: Int, _ length: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var i = offset
        while i < offset + length && i < header.count && header[i] != 0 {
            bytes.append(header[i])
            i += 1
        }
        return bytes
    }

    /// Extended-header data up to its first NUL ('L' and 'K' data end with one).
    static func cString(_ data: [UInt8]) -> [UInt8] {
        if let nul = data.firstIndex(of: 0) { return Array(data[0..<nul]) }
        return data
    }

    /// `name`, with POSIX ustar's `prefix` in front when the magic is `"ustar\0"`.
    static func nameField(_ header: UnsafeRawBufferPointer) -> [UInt8] {
        let name = cString(header, 0, 100)
        let posixMagic: [UInt8] = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00]  // "ustar\0"
        var isPOSIX = true
        for i in 0..<6 where header[257 + i] != posixMagic[i] { isPOSIX = false }
        guard isPOSIX else { return name }
        let prefix = cString(header, 345, 155)
        guard !prefix.isEmpty else { return name }
        return prefix + [0x2F] + name
    }
}

/// The keys of pax 'x' records that the reader applies to the next member.
struct PaxOverrides {
    var path: [UInt8]? = nil
    var linkPath: [UInt8]? = nil
    var size: UInt64? = nil

    /// Applies the records `"LEN key=value\n"` (LEN counts the whole record in decimal). A
    /// record with an empty value removes an earlier override of its key. NUL padding after
    /// the last record is tolerated.
    mutating func parse(_ data: [UInt8], block: UInt64) throws(TarError) {
        var i = 0
        while i < data.count {
            if data[i] == 0 { break }
            // The length.
            var length = 0
            var j = i
            while j < data.count, data[j] >= 0x30, data[j] <= 0x39 {
                guard length <= data.count else { throw .badExtendedHeader(block: block) }
                length = length * 10 + Int(data[j] - 0x30)
                j += 1
            }
            guard j > i, j < data.count, data[j] == 0x20,
                  length > j - i + 1, length <= data.count - i
            else { throw .badExtendedHeader(block: block) }
            let recordEnd = i + length
            guard data[recordEnd - 1] == 0x0A else { throw .badExtendedHeader(block: block) }
            let keyStart = j + 1
            var equals = keyStart
            while equals < recordEnd - 1, data[equals] != 0x3D { equals += 1 }
            guard equals < recordEnd - 1, equals > keyStart else {
                throw .badExtendedHeader(block: block)
            }
            let key = data[keyStart..<equals]
            let value = Array(data[(equals + 1)..<(recordEnd - 1)])
            if key.elementsEqual("path".utf8) {
                path = value.isEmpty ? nil : value
            } else if key.elementsEqual("linkpath".utf8) {
                linkPath = value.isEmpty ? nil : value
            } else if key.elementsEqual("size".utf8) {
                if value.isEmpty {
                    size = nil
                } else {
                    guard let n = Dom0Bytes.decimal(value[...]) else {
                        throw .badExtendedHeader(block: block)
                    }
                    size = n
                }
            }
            i = recordEnd
        }
    }
}

/// Byte helpers shared by the Dom0Kit files (no Unicode tables needed).
enum Dom0Bytes {
    static func allZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        for byte in bytes where byte != 0 { return false }
        return true
    }

    /// A plain decimal number, nil when empty, not digits, or above UInt64.max.
    static func decimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for c in digits {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c - 0x30))
            if o1 || o2 { return nil }
            value = a
        }
        return value
    }

    /// "0x1f".
    static func hex(_ value: UInt64) -> String {
        var digits: [UInt8] = []
        var v = value
        repeat {
            let nibble = UInt8(v & 0xF)
            digits.append(nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
            v >>= 4
        } while v != 0
        return "0x" + String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// `text` with control characters and DEL replaced by '?', safe to print on a terminal.
    static func printable(_ text: String) -> String {
        var bytes: [UInt8] = []
        for byte in text.utf8 { bytes.append(byte < 0x20 || byte == 0x7F ? 0x3F : byte) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `a` and `b` hold the same UTF-8 bytes.
    static func same(_ a: String, _ b: String) -> Bool { a.utf8.elementsEqual(b.utf8) }
}
