/// A domain's console output kept by the firmware until Dom0 reads it (DESIGN §3
/// "Consoles"): a byte ring of fixed capacity. When it overflows, the oldest output is
/// dropped and counted; the next read starts with a marker line that says how much.
public struct ConsoleRing {
    private var storage: [UInt8]
    private var head = 0          // index of the oldest byte
    public private(set) var count = 0
    /// Bytes dropped since the last read.
    public private(set) var dropped: UInt64 = 0

    public init(capacity: Int) {
        storage = [UInt8](repeating: 0, count: max(capacity, 1))
    }

    public var capacity: Int { storage.count }
    public var isEmpty: Bool { count == 0 && dropped == 0 }

    /// Appends one byte, dropping the oldest when full.
    public mutating func append(_ byte: UInt8) {
        if count == storage.count {
            head = (head + 1) % storage.count
            count -= 1
            dropped &+= 1
        }
        storage[(head + count) % storage.count] = byte
        count += 1
    }

    /// The marker that stands for dropped output.
    public static func marker(_ dropped: UInt64) -> [UInt8] {
        Array(("\n[vireo: " + Format.dec(dropped) + " bytes of console output dropped]\n").utf8)
    }

    /// Takes up to `max` bytes, oldest first, passing each to `emit`; a marker comes first
    /// when output was dropped (and is not cut by `max`: it is taken whole or not at all).
    /// Returns how many bytes were emitted.
    @discardableResult
    public mutating func take(max: Int, _ emit: (UInt8) -> Void) -> Int {
        var n = 0
        if dropped != 0 {
            let m = ConsoleRing.marker(dropped)
            guard m.count <= max else { return 0 }
            for b in m { emit(b) }
            n = m.count
            dropped = 0
        }
        while n < max && count > 0 {
            emit(storage[head])
            head = (head + 1) % storage.count
            count -= 1
            n += 1
        }
        return n
    }
}
