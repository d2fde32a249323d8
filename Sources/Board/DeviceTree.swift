/// A flattened device tree (Devicetree Specification v0.4, chapter 5 "Flattened Devicetree
/// (DTB) Format"): nodes with properties, serialised to a blob that `dtc -I dtb` reads.
public struct DeviceTree {
    public enum Value {
        case empty
        case u32([UInt32])
        case u64([UInt64])
        case string(String)
        case strings([String])
        case bytes([UInt8])

        var encoded: [UInt8] {
            switch self {
            case .empty: return []
            case .u32(let cells): return cells.flatMap { be32($0) }
            case .u64(let cells): return cells.flatMap { be32(UInt32($0 >> 32)) + be32(UInt32(truncatingIfNeeded: $0)) }
            case .string(let s): return Array(s.utf8) + [0]
            case .strings(let list): return list.flatMap { Array($0.utf8) + [0] }
            case .bytes(let b): return b
            }
        }
    }

    public final class Node {
        public let name: String
        public var properties: [(String, Value)] = []
        public var children: [Node] = []
        public init(_ name: String) { self.name = name }

        @discardableResult
        public func set(_ name: String, _ value: Value) -> Node {
            properties.append((name, value))
            return self
        }

        @discardableResult
        public func child(_ name: String) -> Node {
            let n = Node(name)
            children.append(n)
            return n
        }
    }

    public let root = Node("")
    public var bootCPU: UInt32 = 0

    public init() {}

    /// The blob: header, memory reservation map (empty), structure block, strings block.
    public func blob() -> [UInt8] {
        var structure: [UInt8] = []
        var strings: [UInt8] = []
        var stringOffsets: [String: UInt32] = [:]
        func offset(of name: String) -> UInt32 {
            if let o = stringOffsets[name] { return o }
            let o = UInt32(strings.count)
            strings += Array(name.utf8) + [0]
            stringOffsets[name] = o
            return o
        }
        func pad() { while structure.count % 4 != 0 { structure.append(0) } }
        func emit(_ node: Node) {
            structure += be32(1)  // FDT_BEGIN_NODE
            structure += Array(node.name.utf8) + [0]
            pad()
            for (name, value) in node.properties {
                let data = value.encoded
                structure += be32(3)  // FDT_PROP
                structure += be32(UInt32(data.count))
                structure += be32(offset(of: name))
                structure += data
                pad()
            }
            for c in node.children { emit(c) }
            structure += be32(2)  // FDT_END_NODE
        }
        emit(root)
        structure += be32(9)  // FDT_END

        let headerSize = 40
        let reserveOffset = headerSize  // 8-aligned
        let reserveMap = [UInt8](repeating: 0, count: 16)  // one terminating entry
        let structOffset = reserveOffset + reserveMap.count
        let stringsOffset = structOffset + structure.count
        let total = stringsOffset + strings.count
        var out: [UInt8] = []
        out += be32(0xD00D_FEED)
        out += be32(UInt32(total))
        out += be32(UInt32(structOffset))
        out += be32(UInt32(stringsOffset))
        out += be32(UInt32(reserveOffset))
        out += be32(17)  // version
        out += be32(16)  // last compatible version
        out += be32(bootCPU)
        out += be32(UInt32(strings.count))
        out += be32(UInt32(structure.count))
        out += reserveMap
        out += structure
        out += strings
        return out
    }
}

@inline(__always) func be32(_ v: UInt32) -> [UInt8] {
    [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
}
