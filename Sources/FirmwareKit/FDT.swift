/// A flattened device tree reader (Devicetree Specification v0.4, chapter 5).
///
/// Written for bare metal: this file is also compiled in Embedded Swift mode into the
/// firmware, so it uses no Foundation, no existentials, no Dictionary and only typed throws.
/// Nodes and properties are views (offsets) into the caller's buffer, which must stay alive
/// and unchanged while they are used. `init` walks the whole structure block once; the
/// accessors still check every bound, so they never trap (they return nil or stop early).
/// Names are compared byte by byte (UTF-8), never as Strings, so that no Unicode tables are
/// needed. Paths are absolute ("/cpus/cpu@0"); aliases are not resolved.

/// Why a device tree blob was refused.
public enum FDTError: Error, Equatable {
    /// No 0xd00dfeed magic.
    case badMagic
    /// `version < 16` or `last_comp_version > 17`.
    case badVersion
    /// The buffer is shorter than the header or than `totalsize`.
    case truncated
    /// A block lies outside `totalsize`, or the structure block is not well formed
    /// (unknown token, unbalanced nodes, a name or value running past the block, a property
    /// name offset outside the strings block, a property after a child node, no single root
    /// node, no FDT_END).
    case badStructure

    /// One short English phrase, for a firmware console.
    public var reason: StaticString {
        switch self {
        case .badMagic: return "not a device tree blob (bad magic)"
        case .badVersion: return "unsupported device tree version"
        case .truncated: return "truncated device tree blob"
        case .badStructure: return "malformed device tree structure"
        }
    }
}

/// Structure block tokens (§5.4.1).
enum FDTToken {
    static let beginNode: UInt32 = 1
    static let endNode: UInt32 = 2
    static let property: UInt32 = 3
    static let nop: UInt32 = 4
    static let end: UInt32 = 9
}

/// A validated device tree blob.
public struct FDT {
    static let magic: UInt32 = 0xD00D_FEED
    /// The version 17 header: ten big-endian 32-bit fields.
    static let headerSize = 40
    /// Version 16 lacks size_dt_struct.
    static let headerSizeVersion16 = 36

    let bytes: UnsafeRawBufferPointer
    /// The structure block `[structStart, structEnd)` and strings block, absolute offsets.
    let structStart: Int
    let structEnd: Int
    let stringsStart: Int
    let stringsEnd: Int
    let reservationStart: Int
    /// `boot_cpuid_phys`.
    public let bootCPU: UInt32
    /// `totalsize`.
    public let totalSize: Int

    public init(_ bytes: UnsafeRawBufferPointer) throws(FDTError) {
        let count = bytes.count
        guard count >= 4 else { throw .truncated }
        guard FDT.be32(bytes, 0) == FDT.magic else { throw .badMagic }
        guard count >= 28 else { throw .truncated }
        let version = FDT.be32(bytes, 20)
        let lastCompatible = FDT.be32(bytes, 24)
        guard version >= 16, lastCompatible <= 17 else { throw .badVersion }
        let headerSize = version >= 17 ? FDT.headerSize : FDT.headerSizeVersion16
        guard count >= headerSize else { throw .truncated }

        // All header fields are 32-bit, so their sums fit in Int (64-bit on every target here).
        let total = Int(FDT.be32(bytes, 4))
        guard total >= headerSize else { throw .badStructure }
        guard total <= count else { throw .truncated }
        let structOffset = Int(FDT.be32(bytes, 8))
        let stringsOffset = Int(FDT.be32(bytes, 12))
        let reservationOffset = Int(FDT.be32(bytes, 16))
        let stringsSize = Int(FDT.be32(bytes, 32))
        let structSize = version >= 17 ? Int(FDT.be32(bytes, 36)) : total &- structOffset

        // Blocks after the header, inside totalsize, aligned as §5.1 requires.
        guard structOffset >= headerSize, structSize >= 0, structOffset &+ structSize <= total,
              structOffset & 3 == 0,
              stringsOffset >= headerSize, stringsOffset &+ stringsSize <= total,
              reservationOffset >= headerSize, reservationOffset <= total,
              reservationOffset & 7 == 0
        else { throw .badStructure }

        // The memory reservation block ends with an all-zero entry inside totalsize.
        var entry = reservationOffset
        while true {
            guard entry &+ 16 <= total else { throw .badStructure }
            if FDT.be64(bytes, entry) == 0 && FDT.be64(bytes, entry &+ 8) == 0 { break }
            entry &+= 16
        }

        self.bytes = bytes
        self.structStart = structOffset
        self.structEnd = structOffset &+ structSize
        self.stringsStart = stringsOffset
        self.stringsEnd = stringsOffset &+ stringsSize
        self.reservationStart = reservationOffset
        self.bootCPU = FDT.be32(bytes, 28)
        self.totalSize = total
        try validateStructure()
    }

    /// `totalsize` of the blob at `address` when its magic matches, for firmware that is
    /// handed a bare pointer (a1 at boot). Reads 8 bytes.
    public static func totalSize(at address: UnsafeRawPointer) -> Int? {
        guard UInt32(bigEndian: address.loadUnaligned(as: UInt32.self)) == FDT.magic else { return nil }
        return Int(UInt32(bigEndian: address.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
    }

    /// The root node (`/`).
    public var root: FDTNode {
        // Validation guarantees that the first token other than FDT_NOP opens the root.
        var at = structStart
        while let token = token(at: at), token.kind == FDTToken.nop { at = token.next }
        return FDTNode(fdt: self, offset: at, parentAddressCells: 2, parentSizeCells: 1)
    }

    /// The node at an absolute path: "/", "/chosen", "/cpus/cpu@0". A component without
    /// "@" also matches a node whose name before "@" equals it ("/memory" finds
    /// "memory@80000000"); the first matching child wins.
    public func node(at path: String) -> FDTNode? {
        var path = path
        return path.withUTF8 { text -> FDTNode? in
            guard text.count > 0, text[0] == 0x2F else { return nil }  // "/"
            var current = root
            var start = 0
            while start < text.count {
                var end = start
                while end < text.count && text[end] != 0x2F { end &+= 1 }
                if end > start {
                    let component = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text)[start..<end])
                    guard let child = current.child(matching: component) else { return nil }
                    current = child
                }
                start = end &+ 1
            }
            return current
        }
    }

    /// The first node, depth-first, whose "compatible" stringlist contains `compatible`.
    public func firstNode(compatible: String) -> FDTNode? {
        var found: FDTNode? = nil
        walk { node in
            if node.isCompatible(compatible) {
                found = node
                return false
            }
            return true
        }
        return found
    }

    /// Every node, depth-first pre-order (the root first).
    public func forEachNode(_ body: (FDTNode) -> Void) {
        walk { node in
            body(node)
            return true
        }
    }

    /// Every entry of the memory reservation block, in order (the terminator excluded).
    public func forEachReservation(_ body: (_ address: UInt64, _ size: UInt64) -> Void) {
        var entry = reservationStart
        while entry &+ 16 <= totalSize {
            let address = FDT.be64(bytes, entry)
            let size = FDT.be64(bytes, entry &+ 8)
            if address == 0 && size == 0 { return }
            body(address, size)
            entry &+= 16
        }
    }

    // MARK: Walking

    /// Depth-first pre-order without recursion (a hostile blob may nest deeply): an
    /// explicit stack holds the cell counts of the open nodes. Stops when `body` says false.
    func walk(_ body: (FDTNode) -> Bool) {
        var cells: [(address: Int, size: Int)] = []
        var at = structStart
        while let token = token(at: at) {
            switch token.kind {
            case FDTToken.beginNode:
                let parent = cells.last ?? (2, 1)
                let node = FDTNode(
                    fdt: self, offset: at, parentAddressCells: parent.address,
                    parentSizeCells: parent.size)
                if !body(node) { return }
                cells.append((node.addressCells, node.sizeCells))
            case FDTToken.endNode:
                if cells.isEmpty { return }
                cells.removeLast()
                if cells.isEmpty { return }  // the root is closed
            case FDTToken.property, FDTToken.nop:
                break
            default:
                return
            }
            at = token.next
        }
    }

    /// One token of the structure block at absolute offset `at`: its kind, where its
    /// payload starts and where the next token starts. Nil when it does not fit in the
    /// block (a node name without NUL, a property value past the end).
    func token(at offset: Int) -> (kind: UInt32, payload: Int, next: Int)? {
        guard offset >= structStart, offset <= structEnd &- 4 else { return nil }
        let kind = FDT.be32(bytes, offset)
        let payload = offset &+ 4
        switch kind {
        case FDTToken.beginNode:
            var end = payload
            while end < structEnd && bytes[end] != 0 { end &+= 1 }
            guard end < structEnd else { return nil }
            return (kind, payload, FDT.align4(end &+ 1))
        case FDTToken.property:
            guard payload &+ 8 <= structEnd else { return nil }
            let length = Int(FDT.be32(bytes, payload))
            let valueEnd = payload &+ 8 &+ length
            guard valueEnd <= structEnd else { return nil }
            return (kind, payload, FDT.align4(valueEnd))
        default:
            return (kind, payload, payload)
        }
    }

    /// Checks the structure block once: known tokens, one balanced root node, properties
    /// before child nodes, names and values inside the block, property names inside the
    /// strings block, FDT_END last.
    private func validateStructure() throws(FDTError) {
        var depth = 0
        var rootSeen = false
        // The last token other than FDT_NOP: properties must follow FDT_BEGIN_NODE or
        // another property, since §5.4.2 puts them before the child nodes.
        var previous = FDTToken.nop
        var at = structStart
        while true {
            guard let token = token(at: at) else { throw .badStructure }
            switch token.kind {
            case FDTToken.beginNode:
                guard depth > 0 || !rootSeen else { throw .badStructure }  // a second root
                rootSeen = true
                depth &+= 1
            case FDTToken.endNode:
                guard depth > 0 else { throw .badStructure }
                depth &-= 1
            case FDTToken.property:
                guard depth > 0, previous == FDTToken.beginNode || previous == FDTToken.property
                else { throw .badStructure }
                let nameOffset = Int(FDT.be32(bytes, token.payload &+ 4))
                guard nameBytes(at: nameOffset) != nil else { throw .badStructure }
            case FDTToken.nop:
                break
            case FDTToken.end:
                guard depth == 0, rootSeen else { throw .badStructure }
                return
            default:
                throw .badStructure
            }
            if token.kind != FDTToken.nop { previous = token.kind }
            at = token.next
        }
    }

    /// The NUL-terminated name at `offset` into the strings block (without its NUL), or nil
    /// when it does not start or end inside the block.
    func nameBytes(at offset: Int) -> UnsafeRawBufferPointer? {
        guard offset >= 0, offset < stringsEnd &- stringsStart else { return nil }
        let start = stringsStart &+ offset
        var end = start
        while end < stringsEnd && bytes[end] != 0 { end &+= 1 }
        guard end < stringsEnd else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    // MARK: Helpers

    static func align4(_ value: Int) -> Int { (value &+ 3) & ~3 }

    /// Big-endian reads; callers have checked `offset + width <= bytes.count`.
    static func be32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    static func be64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Byte equality of two buffers.
    static func same(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var index = 0
        while index < a.count {
            if a[index] != b[index] { return false }
            index &+= 1
        }
        return true
    }

    /// Byte equality of a buffer and a String's UTF-8.
    static func same(_ a: UnsafeRawBufferPointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { same(a, UnsafeRawBufferPointer($0)) }
    }

    static func string(_ a: UnsafeRawBufferPointer) -> String {
        String(decoding: a, as: UTF8.self)
    }
}

/// A node of a validated tree: an offset into the blob plus the cell counts of its parent
/// (needed to decode its "reg").
public struct FDTNode {
    let fdt: FDT
    /// Absolute offset of its FDT_BEGIN_NODE token.
    let offset: Int
    /// The parent's #address-cells and #size-cells ("reg" is decoded with them).
    public let parentAddressCells: Int
    public let parentSizeCells: Int

    init(fdt: FDT, offset: Int, parentAddressCells: Int, parentSizeCells: Int) {
        self.fdt = fdt
        self.offset = offset
        self.parentAddressCells = parentAddressCells
        self.parentSizeCells = parentSizeCells
    }

    /// The unit name with its address, e.g. "memory@80000000"; "" for the root.
    public var name: String { FDT.string(nameBytes) }

    /// The part of the name before "@".
    public var baseName: String { FDT.string(baseNameBytes) }

    var nameBytes: UnsafeRawBufferPointer {
        guard let token = fdt.token(at: offset), token.kind == FDTToken.beginNode else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        var end = token.payload
        while end < fdt.structEnd && fdt.bytes[end] != 0 { end &+= 1 }
        return UnsafeRawBufferPointer(rebasing: fdt.bytes[token.payload..<end])
    }

    var baseNameBytes: UnsafeRawBufferPointer {
        let full = nameBytes
        var end = 0
        while end < full.count && full[end] != 0x40 { end &+= 1 }  // "@"
        return UnsafeRawBufferPointer(rebasing: full[0..<end])
    }

    /// The property called `name`, if the node has one.
    public func property(_ name: String) -> FDTProperty? {
        var name = name
        return name.withUTF8 { wanted -> FDTProperty? in
            let wanted = UnsafeRawBufferPointer(wanted)
            var found: FDTProperty? = nil
            visitProperties { property in
                if FDT.same(property.nameBytes, wanted) {
                    found = property
                    return false
                }
                return true
            }
            return found
        }
    }

    /// The direct children, in order.
    public func forEachChild(_ body: (FDTNode) -> Void) {
        visitChildren { child in
            body(child)
            return true
        }
    }

    /// The properties, in order.
    public func forEachProperty(_ body: (FDTProperty) -> Void) {
        visitProperties { property in
            body(property)
            return true
        }
    }

    /// This node's "#address-cells" (default 2), which its children's "reg" use.
    public var addressCells: Int {
        guard let value = property("#address-cells")?.u32 else { return 2 }
        return Int(value)
    }

    /// This node's "#size-cells" (default 1), which its children's "reg" use.
    public var sizeCells: Int {
        guard let value = property("#size-cells")?.u32 else { return 1 }
        return Int(value)
    }

    /// The `index`-th (address, size) pair of "reg", decoded with the parent's
    /// #address-cells and #size-cells. Nil when there is no such pair, or when a cell count
    /// is above 2 (the value would not fit in 64 bits). With #size-cells = 0 the size is 0.
    public func reg(_ index: Int = 0) -> (address: UInt64, size: UInt64)? {
        let addressCells = parentAddressCells
        let sizeCells = parentSizeCells
        guard index >= 0, addressCells >= 0, addressCells <= 2, sizeCells >= 0, sizeCells <= 2,
              let reg = property("reg")
        else { return nil }
        let cellsPerEntry = addressCells &+ sizeCells
        guard cellsPerEntry > 0, index < reg.bytes.count / (cellsPerEntry &* 4) else { return nil }
        let first = index &* cellsPerEntry
        var address: UInt64 = 0
        var size: UInt64 = 0
        var cell = 0
        while cell < cellsPerEntry {
            guard let value = reg.cell(first &+ cell) else { return nil }
            if cell < addressCells {
                address = (address &<< 32) | UInt64(value)
            } else {
                size = (size &<< 32) | UInt64(value)
            }
            cell &+= 1
        }
        return (address, size)
    }

    /// True when "compatible" lists `compatible`.
    public func isCompatible(_ compatible: String) -> Bool {
        guard let property = property("compatible") else { return false }
        var compatible = compatible
        return compatible.withUTF8 { wanted -> Bool in
            let wanted = UnsafeRawBufferPointer(wanted)
            var found = false
            property.visitStrings { entry in
                if FDT.same(entry, wanted) {
                    found = true
                    return false
                }
                return true
            }
            return found
        }
    }

    /// The node's own properties, in order; stops when `body` says false. Validation
    /// guarantees that properties come before the first child node.
    func visitProperties(_ body: (FDTProperty) -> Bool) {
        guard let opening = fdt.token(at: offset), opening.kind == FDTToken.beginNode else { return }
        var at = opening.next
        while let token = fdt.token(at: at) {
            switch token.kind {
            case FDTToken.property:
                let length = Int(FDT.be32(fdt.bytes, token.payload))
                let nameOffset = Int(FDT.be32(fdt.bytes, token.payload &+ 4))
                let valueStart = token.payload &+ 8
                if let name = fdt.nameBytes(at: nameOffset) {
                    let value = UnsafeRawBufferPointer(
                        rebasing: fdt.bytes[valueStart..<valueStart &+ length])
                    if !body(FDTProperty(nameBytes: name, bytes: value)) { return }
                }
            case FDTToken.nop:
                break
            default:
                return  // a child node, the end of this node, or damage
            }
            at = token.next
        }
    }

    /// The node's direct children, in order (nested nodes are skipped by depth counting);
    /// stops when `body` says false.
    func visitChildren(_ body: (FDTNode) -> Bool) {
        guard let opening = fdt.token(at: offset), opening.kind == FDTToken.beginNode else { return }
        // Children decode their "reg" with this node's cell counts.
        let cells = (address: addressCells, size: sizeCells)
        var depth = 0
        var at = opening.next
        while let token = fdt.token(at: at) {
            switch token.kind {
            case FDTToken.beginNode:
                if depth == 0 {
                    let child = FDTNode(
                        fdt: fdt, offset: at, parentAddressCells: cells.address,
                        parentSizeCells: cells.size)
                    if !body(child) { return }
                }
                depth &+= 1
            case FDTToken.endNode:
                if depth == 0 { return }
                depth &-= 1
            case FDTToken.property, FDTToken.nop:
                break
            default:
                return
            }
            at = token.next
        }
    }

    /// The child whose name is `component`, or whose base name is `component` when that
    /// has no "@".
    func child(matching component: UnsafeRawBufferPointer) -> FDTNode? {
        var hasAt = false
        for byte in component where byte == 0x40 { hasAt = true }
        var found: FDTNode? = nil
        visitChildren { child in
            if FDT.same(child.nameBytes, component)
                || (!hasAt && FDT.same(child.baseNameBytes, component))
            {
                found = child
                return false
            }
            return true
        }
        return found
    }
}

/// A property of a node: its name and value, views into the blob.
public struct FDTProperty {
    let nameBytes: UnsafeRawBufferPointer
    /// The raw value.
    public let bytes: UnsafeRawBufferPointer

    init(nameBytes: UnsafeRawBufferPointer, bytes: UnsafeRawBufferPointer) {
        self.nameBytes = nameBytes
        self.bytes = bytes
    }

    public var name: String { FDT.string(nameBytes) }

    /// The value as one cell, when it is exactly 4 bytes.
    public var u32: UInt32? {
        guard bytes.count == 4 else { return nil }
        return FDT.be32(bytes, 0)
    }

    /// The value as a 64-bit number: exactly 8 bytes (two cells), or 4 bytes zero-extended.
    public var u64: UInt64? {
        if bytes.count == 8 { return FDT.be64(bytes, 0) }
        if bytes.count == 4 { return UInt64(FDT.be32(bytes, 0)) }
        return nil
    }

    /// The `index`-th 32-bit cell.
    public func cell(_ index: Int) -> UInt32? {
        guard index >= 0, index < bytes.count / 4 else { return nil }
        return FDT.be32(bytes, index &* 4)
    }

    /// The first NUL-terminated string; nil when the value holds no NUL.
    public var string: String? {
        var result: String? = nil
        visitStrings { entry in
            result = FDT.string(entry)
            return false
        }
        return result
    }

    /// Every NUL-terminated string of a stringlist, in order (bytes after the last NUL are
    /// ignored).
    public func forEachString(_ body: (String) -> Void) {
        visitStrings { entry in
            body(FDT.string(entry))
            return true
        }
    }

    func visitStrings(_ body: (UnsafeRawBufferPointer) -> Bool) {
        var start = 0
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0 {
                if !body(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) { return }
                start = index &+ 1
            }
            index &+= 1
        }
    }
}
