/// An atomic memory operation or store-conditional (Unpriv. "A" extension: AMO*.W/D and
/// SC.W/D) that a VMM carries out for a guest on memory it write-protects: the classic
/// VMM's guest page tables (issue 17; Linux updates PTEs with AMOSWAP and AMOAND). Pure
/// rules: the caller reads and writes the memory and the registers.
public struct AtomicAccess: Equatable {
    public enum Operation: UInt32 {
        case add = 0b00000, swap = 0b00001, storeConditional = 0b00011, xor = 0b00100, or = 0b01000
        case and = 0b01100, min = 0b10000, max = 0b10100, minu = 0b11000, maxu = 0b11100
    }

    public var operation: Operation
    /// 4 (.W) or 8 (.D) bytes.
    public var width: UInt64
    public var rd: Int
    public var rs1: Int
    public var rs2: Int

    public init(operation: Operation, width: UInt64, rd: Int, rs1: Int, rs2: Int) {
        self.operation = operation
        self.width = width
        self.rd = rd
        self.rs1 = rs1
        self.rs2 = rs2
    }

    /// Decodes a 32-bit AMO or SC (opcode 0x2F, funct3 2 or 3); nil for anything else,
    /// LR included (a load: it does not trap on a write-protected page).
    public static func decode(_ insn: UInt32) -> AtomicAccess? {
        guard insn & 0x7F == 0x2F else { return nil }
        let f3 = (insn >> 12) & 7
        guard f3 == 2 || f3 == 3, let op = Operation(rawValue: insn >> 27) else { return nil }
        return AtomicAccess(operation: op, width: f3 == 2 ? 4 : 8, rd: Int((insn >> 7) & 31),
                            rs1: Int((insn >> 15) & 31), rs2: Int((insn >> 20) & 31))
    }

    /// For the memory's old value and rs2's value: what is stored, and what rd gets (the
    /// old value sign-extended from the width for an AMO; 0, success, for an SC). A .W
    /// operation works on the low 32 bits, MIN and MAX comparing them as signed.
    public func apply(old: UInt64, operand: UInt64) -> (store: UInt64, result: UInt64) {
        let word = width == 4
        let a = word ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: old))) : old
        let b = word ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: operand))) : operand
        let stored: UInt64
        switch operation {
        case .storeConditional: return (operand, 0)
        case .add: stored = a &+ b
        case .swap: stored = b
        case .xor: stored = a ^ b
        case .or: stored = a | b
        case .and: stored = a & b
        case .min: stored = Int64(bitPattern: a) < Int64(bitPattern: b) ? a : b
        case .max: stored = Int64(bitPattern: a) > Int64(bitPattern: b) ? a : b
        case .minu: stored = word ? (UInt32(truncatingIfNeeded: a) < UInt32(truncatingIfNeeded: b) ? a : b) : Swift.min(a, b)
        case .maxu: stored = word ? (UInt32(truncatingIfNeeded: a) > UInt32(truncatingIfNeeded: b) ? a : b) : Swift.max(a, b)
        }
        return (word ? stored & 0xFFFF_FFFF : stored, a)
    }
}
