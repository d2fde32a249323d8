/// Writes a flattened device tree blob (Devicetree Specification v0.4, chapter 5): version 17,
/// last compatible version 16, read by `dtc -I dtb` and by `FDT`.
///
/// Written for bare metal: this file is also compiled in Embedded Swift mode into the
/// firmware (no Foundation, no Dictionary; property names are deduplicated by a linear
/// search of the strings block).
///
/// Calls are recorded in order: `beginNode("")` opens the root, properties go to the node
/// opened last and must come before its child nodes (as the spec requires). Misuse never
/// traps: a property or `endNode` outside any node and a second root are ignored, a
/// property after a child node is ignored, and `finish` closes nodes left open.
public struct FDTBuilder {
    private var reservations: [(address: UInt64, size: UInt64)] = []
    private var structure: [UInt8] = []
    private var strings: [UInt8] = []
    /// Offsets of the names in `strings`, for deduplication.
    private var nameOffsets: [Int] = []
    private var depth = 0
    private var rootClosed = false
    /// True when the node opened last already has a child (no more properties for it).
    private var childSeen = false

    public init() {}

    /// An entry of the memory reservation block.
    public mutating func addReservation(address: UInt64, size: UInt64) {
        reservations.append((address, size))
    }

    /// Opens a node; the root is `beginNode("")`.
    public mutating func beginNode(_ name: String) {
        guard !rootClosed else { return }
        append32(FDTToken.beginNode)
        structure.append(contentsOf: name.utf8)
        structure.append(0)
        pad()
        depth &+= 1
        childSeen = false
    }

    /// Closes the node opened last.
    public mutating func endNode() {
        guard depth > 0 else { return }
        append32(FDTToken.endNode)
        depth &-= 1
        childSeen = true
        if depth == 0 { rootClosed = true }
    }

    /// A property with a raw value.
    public mutating func property(_ name: String, bytes: [UInt8]) {
        guard depth > 0, !childSeen else { return }
        append32(FDTToken.property)
        append32(UInt32(truncatingIfNeeded: bytes.count))
        append32(UInt32(truncatingIfNeeded: nameOffset(name)))
        structure.append(contentsOf: bytes)
        pad()
    }

    /// An empty property, e.g. "ranges" or "interrupt-controller".
    public mutating func property(_ name: String) {
        property(name, bytes: [])
    }

    /// One cell.
    public mutating func property(_ name: String, u32: UInt32) {
        property(name, cells: [u32])
    }

    /// Two cells, high first.
    public mutating func property(_ name: String, u64: UInt64) {
        property(name, cells: [UInt32(truncatingIfNeeded: u64 >> 32), UInt32(truncatingIfNeeded: u64)])
    }

    /// Big-endian cells.
    public mutating func property(_ name: String, cells: [UInt32]) {
        var value: [UInt8] = []
        value.reserveCapacity(cells.count &* 4)
        for cell in cells { FDTBuilder.append32(cell, to: &value) }
        property(name, bytes: value)
    }

    /// A NUL-terminated string.
    public mutating func property(_ name: String, string: String) {
        var value = Array(string.utf8)
        value.append(0)
        property(name, bytes: value)
    }

    /// A stringlist: each string NUL-terminated, one after the other.
    public mutating func property(_ name: String, strings list: [String]) {
        var value: [UInt8] = []
        for entry in list {
            value.append(contentsOf: entry.utf8)
            value.append(0)
        }
        property(name, bytes: value)
    }

    /// The blob: a 40-byte header, the memory reservation block (8-byte aligned, ending with
    /// an all-zero entry), the structure block (4-byte tokens, FDT_END last) and the strings
    /// block. Nodes still open are closed first.
    public func finish(bootCPU: UInt32 = 0) -> [UInt8] {
        var body = structure
        var open = depth
        while open > 0 {
            FDTBuilder.append32(FDTToken.endNode, to: &body)
            open &-= 1
        }
        FDTBuilder.append32(FDTToken.end, to: &body)

        let reservationOffset = FDT.headerSize  // 40: already 8-byte aligned
        let structOffset = reservationOffset &+ (reservations.count &+ 1) &* 16
        let stringsOffset = structOffset &+ body.count
        let total = stringsOffset &+ strings.count

        var out: [UInt8] = []
        out.reserveCapacity(total)
        for field in [
            FDT.magic, UInt32(truncatingIfNeeded: total), UInt32(truncatingIfNeeded: structOffset),
            UInt32(truncatingIfNeeded: stringsOffset), UInt32(truncatingIfNeeded: reservationOffset),
            17, 16, bootCPU, UInt32(truncatingIfNeeded: strings.count),
            UInt32(truncatingIfNeeded: body.count),
        ] {
            FDTBuilder.append32(field, to: &out)
        }
        for entry in reservations {
            FDTBuilder.append64(entry.address, to: &out)
            FDTBuilder.append64(entry.size, to: &out)
        }
        FDTBuilder.append64(0, to: &out)
        FDTBuilder.append64(0, to: &out)
        out.append(contentsOf: body)
        out.append(contentsOf: strings)
        return out
    }

    // MARK: Encoding

    /// The offset of `name` in the strings block, added on first use.
    private mutating func nameOffset(_ name: String) -> Int {
        var name = name
        let found: Int? = name.withUTF8 { wanted -> Int? in
            for offset in nameOffsets where matches(wanted, at: offset) { return offset }
            return nil
        }
        if let found { return found }
        let offset = strings.count
        strings.append(contentsOf: name.utf8)
        strings.append(0)
        nameOffsets.append(offset)
        return offset
    }

    /// True when `strings` holds exactly `wanted` followed by NUL at `offset`.
    private func matches(_ wanted: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        guard offset &+ wanted.count < strings.count else { return false }
        var index = 0
        while index < wanted.count {
            if strings[offset &+ index] != wanted[index] { return false }
            index &+= 1
        }
        return strings[offset &+ wanted.count] == 0
    }

    private mutating func append32(_ value: UInt32) {
        FDTBuilder.append32(value, to: &structure)
    }

    private mutating func pad() {
        while structure.count & 3 != 0 { structure.append(0) }
    }

    private static func append32(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    private static func append64(_ value: UInt64, to out: inout [UInt8]) {
        append32(UInt32(truncatingIfNeeded: value >> 32), to: &out)
        append32(UInt32(truncatingIfNeeded: value), to: &out)
    }
}
