/// The framing of the GDB remote serial protocol (GDB manual, "Remote Protocol" → "Overview"):
/// a packet is `$data#cc`, where cc is the modulo-256 sum of the data bytes in two hex digits;
/// `}` escapes `#`, `$`, `}` and `*` as the byte XOR 0x20; the receiver answers `+` (or `-`
/// for a bad checksum, asking for a resend) until QStartNoAckMode; a lone 0x03 outside a
/// packet is the interrupt request (Ctrl-C, "Interrupts"). No socket here: bytes in,
/// events out, so the layer is tested on its own.
public struct GDBPacketReader {
    public enum Event: Equatable {
        /// A packet with a good checksum: its data, unescaped.
        case packet([UInt8])
        /// A packet whose checksum did not match (the sender is asked to resend it).
        case badChecksum
        /// 0x03 between packets.
        case interrupt
        case ack
        case nack
    }

    private enum State { case idle, data, escape, check1, check2 }
    private var state = State.idle
    private var data: [UInt8] = []
    private var sum: UInt8 = 0
    private var check: UInt8 = 0
    /// Longest packet accepted; longer ones are dropped as bad.
    public static let maxPacket = 0x4000

    public init() {}

    /// Consumes bytes and returns the events they complete, in order.
    public mutating func feed<S: Sequence>(_ bytes: S) -> [Event] where S.Element == UInt8 {
        var events: [Event] = []
        for b in bytes {
            switch state {
            case .idle:
                switch b {
                case UInt8(ascii: "$"): state = .data; data = []; sum = 0
                case 0x03: events.append(.interrupt)
                case UInt8(ascii: "+"): events.append(.ack)
                case UInt8(ascii: "-"): events.append(.nack)
                default: break  // noise between packets is ignored
                }
            case .data:
                sum &+= b
                switch b {
                case UInt8(ascii: "#"): sum &-= b; state = .check1
                case UInt8(ascii: "}"): state = .escape
                case UInt8(ascii: "$"): data = []; sum = 0  // a new start: the old packet was cut
                default: data.append(b)
                }
                if data.count > GDBPacketReader.maxPacket { state = .idle; events.append(.badChecksum) }
            case .escape:
                sum &+= b
                data.append(b ^ 0x20)
                state = .data
            case .check1:
                guard let v = hexValue(b) else { state = .idle; events.append(.badChecksum); continue }
                check = v << 4
                state = .check2
            case .check2:
                state = .idle
                guard let v = hexValue(b), check | v == sum else { events.append(.badChecksum); continue }
                events.append(.packet(data))
            }
        }
        return events
    }
}

/// Frames `data` as a packet: escapes `$ # } *` and appends the checksum.
public func gdbFrame(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "$")]
    var sum: UInt8 = 0
    for b in data {
        if b == UInt8(ascii: "$") || b == UInt8(ascii: "#") || b == UInt8(ascii: "}") || b == UInt8(ascii: "*") {
            out.append(UInt8(ascii: "}"))
            out.append(b ^ 0x20)
            sum &+= UInt8(ascii: "}") &+ (b ^ 0x20)
        } else {
            out.append(b)
            sum &+= b
        }
    }
    out.append(UInt8(ascii: "#"))
    out.append(contentsOf: hexByte(sum).utf8)
    return out
}

public func gdbFrame(_ text: String) -> [UInt8] { gdbFrame(Array(text.utf8)) }

func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hexByte(_ b: UInt8) -> String {
    String(decoding: [hexDigits[Int(b >> 4)], hexDigits[Int(b & 15)]], as: UTF8.self)
}

/// Bytes as lowercase hex ("m" replies, register values, qRcmd output).
public func gdbHex(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Hex text to bytes; nil if it is not an even number of hex digits.
public func gdbUnhex<S: StringProtocol>(_ text: S) -> [UInt8]? {
    let u = Array(text.utf8)
    guard u.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(u.count / 2)
    var i = 0
    while i < u.count {
        guard let h = hexValue(u[i]), let l = hexValue(u[i + 1]) else { return nil }
        out.append(h << 4 | l)
        i += 2
    }
    return out
}

/// A register value in target byte order (little-endian), `bytes` long.
func gdbRegisterHex(_ v: UInt64, bytes: Int = 8) -> String {
    gdbHex((0..<bytes).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) })
}

/// Little-endian bytes (at most 8) to a value.
func gdbValue(_ bytes: [UInt8]) -> UInt64 {
    var v: UInt64 = 0
    for (i, b) in bytes.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
    return v
}
