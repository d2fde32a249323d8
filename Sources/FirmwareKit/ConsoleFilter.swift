/// What of a guest's console bytes may reach the shared terminal (Hypervisor II, "forged
/// lines"): printable ASCII, newline and tab, and well-formed UTF-8 for characters other
/// than controls. Dropped: C0 controls (carriage return, escape, backspace …), DEL, C1
/// controls in either form (raw 0x80–0x9F, which terminals that honour 8-bit controls read
/// as CSI, NEL …, and U+0080–U+009F encoded in UTF-8), stray or overlong UTF-8 bytes, and
/// surrogates. So a guest cannot move the cursor, erase its `[name]` prefix or start a
/// line without it.
public struct ConsoleFilter {
    private var sequence: [UInt8] = []
    private var needed = 0

    public init() {}

    /// Feeds one byte; `emit` gets the bytes that pass (a whole UTF-8 character at once).
    public mutating func feed(_ byte: UInt8, _ emit: (UInt8) -> Void) {
        if needed > 0 {
            guard byte & 0xC0 == 0x80 else {
                sequence.removeAll()
                needed = 0
                feed(byte, emit)          // the sequence broke off: judge this byte afresh
                return
            }
            sequence.append(byte)
            needed -= 1
            if needed == 0 {
                if ConsoleFilter.acceptable(sequence) { for b in sequence { emit(b) } }
                sequence.removeAll()
            }
            return
        }
        switch byte {
        case 0x0A, 0x09, 0x20...0x7E: emit(byte)
        case 0xC2...0xDF: start(byte, 1)
        case 0xE0...0xEF: start(byte, 2)
        case 0xF0...0xF4: start(byte, 3)
        default: break                    // C0, DEL, stray continuations, C0/C1/F5+ leads
        }
    }

    private mutating func start(_ lead: UInt8, _ more: Int) {
        sequence = [lead]
        needed = more
    }

    /// A complete sequence that encodes a character other than a C1 control, not overlong,
    /// not a surrogate, at most U+10FFFF.
    static func acceptable(_ s: [UInt8]) -> Bool {
        var scalar = UInt32(s[0]) & (s.count == 2 ? 0x1F : s.count == 3 ? 0x0F : 0x07)
        for b in s.dropFirst() { scalar = scalar << 6 | UInt32(b & 0x3F) }
        switch s.count {
        case 2: return scalar >= 0xA0                                  // U+0080–U+009F: C1
        case 3: return scalar >= 0x800 && !(0xD800...0xDFFF).contains(scalar)
        default: return scalar >= 0x1_0000 && scalar <= 0x10_FFFF
        }
    }
}
