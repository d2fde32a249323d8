/// The few x86-64 instructions the template JIT (`JIT.swift`) emits, encoded by hand
/// (Intel SDM vol. 2, §2.1–2.2: REX prefix, ModR/M, SIB). Only what the translator needs:
/// 64- and 32-bit integer moves and ALU operations, shifts, multiplies, sign/zero-extending
/// loads, jumps with 32-bit displacements and labels resolved at the end.
struct X86Assembler {
    /// General-purpose registers by their encoding number.
    enum Reg: UInt8 {
        case rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
    }

    /// Condition codes (the low nibble of Jcc/SETcc).
    enum Cond: UInt8 {
        case b = 0x2, ae = 0x3, e = 0x4, ne = 0x5, be = 0x6, a = 0x7, l = 0xC, ge = 0xD, le = 0xE, g = 0xF
    }

    /// A two-operand ALU operation: its `op r/m, reg` opcode and its `/digit` for immediates.
    enum ALU {
        case add, or, and, sub, xor, cmp
        var rmReg: UInt8 {
            switch self {
            case .add: return 0x01
            case .or: return 0x09
            case .and: return 0x21
            case .sub: return 0x29
            case .xor: return 0x31
            case .cmp: return 0x39
            }
        }
        var digit: UInt8 {
            switch self {
            case .add: return 0
            case .or: return 1
            case .and: return 4
            case .sub: return 5
            case .xor: return 6
            case .cmp: return 7
            }
        }
    }

    enum Shift: UInt8 { case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7 }

    /// Bit-test operations (`bt`, `bts`, `btr`, `btc`): their register-form opcode and the
    /// `/digit` of their `0F BA` immediate form.
    enum BitTest: UInt8 {
        case bt = 4, bts = 5, btr = 6, btc = 7
        var rmReg: UInt8 { [0xA3, 0xAB, 0xB3, 0xBB][Int(rawValue) - 4] }
    }

    /// The SSE registers the translator uses (encoding numbers 0–7, no REX needed).
    enum XMM: UInt8 { case xmm0 = 0, xmm1 }

    /// A memory operand `[base + index + disp]` (index scale 1).
    struct Mem {
        var base: Reg
        var index: Reg?
        var disp: Int32
        init(_ base: Reg, _ disp: Int32 = 0, index: Reg? = nil) {
            self.base = base
            self.disp = disp
            self.index = index
        }
    }

    /// A position in the code that jumps can target before it is known.
    struct Label: Hashable { let id: Int }

    /// One to three opcode bytes, held inline: an array literal per instruction would cost a
    /// heap allocation, and the translator encodes tens of thousands while Linux boots.
    struct Opcode {
        let b0: UInt8, b1: UInt8, b2: UInt8, count: UInt8
        init(_ b0: UInt8) { (self.b0, b1, b2, count) = (b0, 0, 0, 1) }
        init(_ b0: UInt8, _ b1: UInt8) { (self.b0, self.b1, b2, count) = (b0, b1, 0, 2) }
        init(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) { (self.b0, self.b1, self.b2, count) = (b0, b1, b2, 3) }
    }

    /// The code so far. A buffer of its own rather than an array: an array's append checks
    /// uniqueness through a runtime call on every byte. Copies of an assembler share it (the
    /// translator never copies one).
    private let bytes = CodeBuffer()
    private var labelOffsets: [Int?] = []
    /// (offset of the rel32 field, label)
    private var fixups: [(Int, Label)] = []

    var offset: Int { bytes.count }

    init() {}

    // MARK: Encoding helpers

    private mutating func emit(_ b0: UInt8) { bytes.append(b0) }
    private mutating func emit(_ b0: UInt8, _ b1: UInt8) { bytes.append(b0); bytes.append(b1) }
    private mutating func emit(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) { bytes.append(b0); bytes.append(b1); bytes.append(b2) }
    private mutating func emit(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        bytes.append(b0); bytes.append(b1); bytes.append(b2); bytes.append(b3)
    }
    private mutating func emit(_ o: Opcode) {
        bytes.append(o.b0)
        if o.count > 1 { bytes.append(o.b1) }
        if o.count > 2 { bytes.append(o.b2) }
    }

    private mutating func rex(w: Bool, r: UInt8, x: UInt8 = 0, b: UInt8, force: Bool = false) {
        let v: UInt8 = 0x40 | (w ? 8 : 0) | ((r >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((b >> 3) & 1)
        if v != 0x40 || force { bytes.append(v) }
    }

    private mutating func imm32(_ v: Int32) {
        let u = UInt32(bitPattern: v)
        emit(UInt8(u & 0xFF), UInt8((u >> 8) & 0xFF), UInt8((u >> 16) & 0xFF), UInt8(u >> 24))
    }

    /// ModR/M (+ SIB + displacement) for a memory operand with `reg` in the reg field.
    private mutating func modrm(_ reg: UInt8, _ m: Mem) {
        let base = m.base.rawValue & 7
        let r = (reg & 7) << 3
        let mod: UInt8
        if m.disp == 0 && base != 5 { mod = 0 } else if Int8(exactly: m.disp) != nil { mod = 1 } else { mod = 2 }
        if m.index != nil || base == 4 {
            precondition(m.index != .rsp)
            bytes.append(mod << 6 | r | 4)
            bytes.append(((m.index?.rawValue ?? 4) & 7) << 3 | base)
        } else {
            bytes.append(mod << 6 | r | base)
        }
        if mod == 1 { bytes.append(UInt8(bitPattern: Int8(m.disp))) } else if mod == 2 { imm32(m.disp) }
    }

    /// An instruction with a memory operand: [66] REX opcode ModR/M.
    private mutating func memOp(_ opcode: Opcode, w: Bool, reg: UInt8, _ m: Mem, prefix66: Bool = false, forceREX: Bool = false) {
        if prefix66 { bytes.append(0x66) }
        rex(w: w, r: reg, x: m.index?.rawValue ?? 0, b: m.base.rawValue, force: forceREX)
        emit(opcode)
        modrm(reg, m)
    }

    /// An instruction with two register operands: REX opcode ModR/M(mod=11).
    private mutating func regOp(_ opcode: Opcode, w: Bool, reg: UInt8, rm: UInt8) {
        rex(w: w, r: reg, b: rm)
        emit(opcode)
        bytes.append(0xC0 | (reg & 7) << 3 | (rm & 7))
    }

    // MARK: Moves

    /// `mov dst, [m]` (64-bit).
    mutating func load64(_ dst: Reg, _ m: Mem) { memOp(Opcode(0x8B), w: true, reg: dst.rawValue, m) }

    /// A load of `size` bytes, sign- or zero-extended to 64 bits.
    mutating func load(_ dst: Reg, _ m: Mem, size: Int, signed: Bool) {
        switch (size, signed) {
        case (8, _): load64(dst, m)
        case (4, true): memOp(Opcode(0x63), w: true, reg: dst.rawValue, m)  // movsxd
        case (4, false): memOp(Opcode(0x8B), w: false, reg: dst.rawValue, m)  // mov r32 zero-extends
        case (2, true): memOp(Opcode(0x0F, 0xBF), w: true, reg: dst.rawValue, m)
        case (2, false): memOp(Opcode(0x0F, 0xB7), w: false, reg: dst.rawValue, m)
        case (1, true): memOp(Opcode(0x0F, 0xBE), w: true, reg: dst.rawValue, m)
        default: memOp(Opcode(0x0F, 0xB6), w: false, reg: dst.rawValue, m)
        }
    }

    /// `mov [m], src` of the low `size` bytes.
    mutating func store(_ m: Mem, _ src: Reg, size: Int) {
        switch size {
        case 8: memOp(Opcode(0x89), w: true, reg: src.rawValue, m)
        case 4: memOp(Opcode(0x89), w: false, reg: src.rawValue, m)
        case 2: memOp(Opcode(0x89), w: false, reg: src.rawValue, m, prefix66: true)
        default: memOp(Opcode(0x88), w: false, reg: src.rawValue, m, forceREX: true)
        }
    }

    /// `mov qword [m], imm32` (sign-extended).
    mutating func storeImm(_ m: Mem, _ v: Int32) {
        memOp(Opcode(0xC7), w: true, reg: 0, m)
        imm32(v)
    }

    /// `mov dst, src` (64-bit).
    mutating func mov(_ dst: Reg, _ src: Reg) { regOp(Opcode(0x89), w: true, reg: src.rawValue, rm: dst.rawValue) }

    /// `mov dst32, src32` (zero-extends).
    mutating func mov32(_ dst: Reg, _ src: Reg) { regOp(Opcode(0x89), w: false, reg: src.rawValue, rm: dst.rawValue) }

    /// `dst = v`, in the shortest form.
    mutating func movImm(_ dst: Reg, _ v: UInt64) {
        if v == 0 {
            regOp(Opcode(0x31), w: false, reg: dst.rawValue, rm: dst.rawValue)  // xor r32, r32
        } else if v <= UInt64(UInt32.max) {
            rex(w: false, r: 0, b: dst.rawValue)
            bytes.append(0xB8 | (dst.rawValue & 7))
            imm32(Int32(bitPattern: UInt32(v)))
        } else if let s = Int32(exactly: Int64(bitPattern: v)) {
            rex(w: true, r: 0, b: dst.rawValue)
            emit(0xC7, 0xC0 | (dst.rawValue & 7))
            imm32(s)
        } else {
            rex(w: true, r: 0, b: dst.rawValue)
            bytes.append(0xB8 | (dst.rawValue & 7))
            for i in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(i))) & 0xFF)) }
        }
    }

    /// `movsxd dst, src32`.
    mutating func movsxd(_ dst: Reg, _ src: Reg) { regOp(Opcode(0x63), w: true, reg: dst.rawValue, rm: src.rawValue) }

    // MARK: Arithmetic

    /// `op dst, src` (64-bit, or 32-bit when `w` is false).
    mutating func alu(_ op: ALU, _ dst: Reg, _ src: Reg, w: Bool = true) {
        regOp(Opcode(op.rmReg), w: w, reg: src.rawValue, rm: dst.rawValue)
    }

    /// `op dst, [m]` (64-bit).
    mutating func alu(_ op: ALU, _ dst: Reg, _ m: Mem) {
        memOp(Opcode(op.rmReg + 2), w: true, reg: dst.rawValue, m)
    }

    /// `op dst, imm` with the immediate sign-extended (imm8 form when it fits).
    mutating func alu(_ op: ALU, _ dst: Reg, imm: Int32, w: Bool = true) {
        rex(w: w, r: 0, b: dst.rawValue)
        if let small = Int8(exactly: imm) {
            emit(0x83, 0xC0 | op.digit << 3 | (dst.rawValue & 7), UInt8(bitPattern: small))
        } else {
            emit(0x81, 0xC0 | op.digit << 3 | (dst.rawValue & 7))
            imm32(imm)
        }
    }

    /// `op [m], imm` (64-bit memory operand).
    mutating func alu(_ op: ALU, _ m: Mem, imm: Int32) {
        if let small = Int8(exactly: imm) {
            memOp(Opcode(0x83), w: true, reg: op.digit, m)
            bytes.append(UInt8(bitPattern: small))
        } else {
            memOp(Opcode(0x81), w: true, reg: op.digit, m)
            imm32(imm)
        }
    }

    /// `test a, b` (64-bit).
    mutating func test(_ a: Reg, _ b: Reg) { regOp(Opcode(0x85), w: true, reg: b.rawValue, rm: a.rawValue) }

    /// Shift by an immediate count (64-bit, or 32-bit when `w` is false).
    mutating func shift(_ s: Shift, _ dst: Reg, _ count: UInt8, w: Bool = true) {
        rex(w: w, r: 0, b: dst.rawValue)
        emit(0xC1, 0xC0 | s.rawValue << 3 | (dst.rawValue & 7), count)
    }

    /// Shift by `cl`.
    mutating func shiftCL(_ s: Shift, _ dst: Reg, w: Bool = true) {
        rex(w: w, r: 0, b: dst.rawValue)
        emit(0xD3, 0xC0 | s.rawValue << 3 | (dst.rawValue & 7))
    }

    /// `imul dst, src` (low half; 64-bit, or 32-bit when `w` is false).
    mutating func imul(_ dst: Reg, _ src: Reg, w: Bool = true) {
        regOp(Opcode(0x0F, 0xAF), w: w, reg: dst.rawValue, rm: src.rawValue)
    }

    /// One-operand `mul src` (unsigned) or `imul src` (signed): rdx:rax = rax × src.
    mutating func mulWide(_ src: Reg, signed: Bool) {
        regOp(Opcode(0xF7), w: true, reg: signed ? 5 : 4, rm: src.rawValue)
    }

    /// `div src` (unsigned rdx:rax / src: quotient in rax, remainder in rdx).
    mutating func divWide(_ src: Reg) {
        regOp(Opcode(0xF7), w: true, reg: 6, rm: src.rawValue)
    }

    /// `setcc al; movzx eax, al`: rax = condition ? 1 : 0.
    mutating func setToRAX(_ c: Cond) {
        emit(0x0F, 0x90 | c.rawValue, 0xC0)
        emit(0x0F, 0xB6, 0xC0)
    }

    // MARK: Bit manipulation (for Zba/Zbb/Zbc/Zbs; SDM vol. 2 for each instruction)

    /// `not dst` (64-bit).
    mutating func not(_ dst: Reg) { regOp(Opcode(0xF7), w: true, reg: 2, rm: dst.rawValue) }

    /// A mandatory-prefix instruction with two register operands: prefix [REX] opcode ModR/M.
    private mutating func prefixedRegOp(_ prefix: UInt8, _ opcode: Opcode, w: Bool, reg: UInt8, rm: UInt8) {
        bytes.append(prefix)
        regOp(opcode, w: w, reg: reg, rm: rm)
    }

    /// `lzcnt dst, src` (LZCNT, AMD ABM / Intel since Haswell): the operand width when src is 0.
    mutating func lzcnt(_ dst: Reg, _ src: Reg, w: Bool = true) {
        prefixedRegOp(0xF3, Opcode(0x0F, 0xBD), w: w, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `tzcnt dst, src` (BMI1): the operand width when src is 0. (Without BMI1 the same bytes
    /// are `rep bsf`, which leaves dst undefined for 0: check `HostFeatures` first.)
    mutating func tzcnt(_ dst: Reg, _ src: Reg, w: Bool = true) {
        prefixedRegOp(0xF3, Opcode(0x0F, 0xBC), w: w, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `popcnt dst, src` (POPCNT).
    mutating func popcnt(_ dst: Reg, _ src: Reg, w: Bool = true) {
        prefixedRegOp(0xF3, Opcode(0x0F, 0xB8), w: w, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `cmovcc dst, src` (64-bit).
    mutating func cmov(_ c: Cond, _ dst: Reg, _ src: Reg) {
        regOp(Opcode(0x0F, 0x40 | c.rawValue), w: true, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `movsx dst, src8` / `movsx dst, src16` (to 64 bits).
    mutating func movsx(_ dst: Reg, _ src: Reg, bits: Int) {
        // A REX prefix makes rm = 4…7 name spl…dil, not ah…bh: the translator only uses rax/rcx/rdx.
        regOp(Opcode(0x0F, bits == 8 ? 0xBE : 0xBF), w: true, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `movzx dst32, src16` (zero-extends to 64 bits).
    mutating func movzx16(_ dst: Reg, _ src: Reg) {
        regOp(Opcode(0x0F, 0xB7), w: false, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `bswap dst` (64-bit).
    mutating func bswap(_ dst: Reg) {
        rex(w: true, r: 0, b: dst.rawValue)
        emit(0x0F, 0xC8 | (dst.rawValue & 7))
    }

    /// `bt/bts/btr/btc dst, index` (64-bit register operand: the index is taken mod 64).
    mutating func bitTest(_ op: BitTest, _ dst: Reg, _ index: Reg) {
        regOp(Opcode(0x0F, op.rmReg), w: true, reg: index.rawValue, rm: dst.rawValue)
    }

    /// `bt/bts/btr/btc dst, imm8` (64-bit).
    mutating func bitTest(_ op: BitTest, _ dst: Reg, _ index: UInt8) {
        regOp(Opcode(0x0F, 0xBA), w: true, reg: op.rawValue, rm: dst.rawValue)
        bytes.append(index & 63)
    }

    /// `imul dst, src, imm32` (64-bit, low half).
    mutating func imul(_ dst: Reg, _ src: Reg, imm: Int32) {
        regOp(Opcode(0x69), w: true, reg: dst.rawValue, rm: src.rawValue)
        imm32(imm)
    }

    /// `movq xmm, src` (66 REX.W 0F 6E).
    mutating func movq(_ dst: XMM, _ src: Reg) {
        prefixedRegOp(0x66, Opcode(0x0F, 0x6E), w: true, reg: dst.rawValue, rm: src.rawValue)
    }

    /// `movq dst, xmm` (66 REX.W 0F 7E).
    mutating func movq(_ dst: Reg, _ src: XMM) {
        prefixedRegOp(0x66, Opcode(0x0F, 0x7E), w: true, reg: src.rawValue, rm: dst.rawValue)
    }

    /// `pclmulqdq dst, src, imm8` (PCLMULQDQ): the carry-less product of the quadwords
    /// `imm8` selects (bit 0: of dst, bit 4: of src), all 128 bits in dst.
    mutating func pclmulqdq(_ dst: XMM, _ src: XMM, _ select: UInt8) {
        prefixedRegOp(0x66, Opcode(0x0F, 0x3A, 0x44), w: false, reg: dst.rawValue, rm: src.rawValue)
        bytes.append(select)
    }

    /// `psrldq xmm, imm8`: shift the 128-bit register right by imm8 bytes.
    mutating func psrldq(_ dst: XMM, _ count: UInt8) {
        prefixedRegOp(0x66, Opcode(0x0F, 0x73), w: false, reg: 3, rm: dst.rawValue)
        bytes.append(count)
    }

    /// `cpuid` (leaf in eax, subleaf in ecx; results in eax, ebx, ecx, edx).
    mutating func cpuid() { emit(0x0F, 0xA2) }

    // MARK: Stack and control flow

    mutating func push(_ r: Reg) {
        rex(w: false, r: 0, b: r.rawValue)
        bytes.append(0x50 | (r.rawValue & 7))
    }

    mutating func pop(_ r: Reg) {
        rex(w: false, r: 0, b: r.rawValue)
        bytes.append(0x58 | (r.rawValue & 7))
    }

    mutating func ret() { bytes.append(0xC3) }

    mutating func newLabel() -> Label {
        labelOffsets.append(nil)
        return Label(id: labelOffsets.count - 1)
    }

    mutating func bind(_ l: Label) { labelOffsets[l.id] = bytes.count }

    func isBound(_ l: Label) -> Bool { labelOffsets[l.id] != nil }

    /// `jmp label` (rel32).
    mutating func jmp(_ l: Label) {
        bytes.append(0xE9)
        fixups.append((bytes.count, l))
        imm32(0)
    }

    /// `jcc label` (rel32).
    mutating func jcc(_ c: Cond, _ l: Label) {
        emit(0x0F, 0x80 | c.rawValue)
        fixups.append((bytes.count, l))
        imm32(0)
    }

    /// Resolves every jump; nil when a jump targets a label that was never bound.
    mutating func finish() -> [UInt8]? {
        for (at, l) in fixups {
            guard let target = labelOffsets[l.id] else { return nil }
            let rel = Int32(target - (at + 4))
            let u = UInt32(bitPattern: rel)
            bytes[at] = UInt8(u & 0xFF)
            bytes[at + 1] = UInt8((u >> 8) & 0xFF)
            bytes[at + 2] = UInt8((u >> 16) & 0xFF)
            bytes[at + 3] = UInt8(u >> 24)
        }
        fixups.removeAll()
        return bytes.array
    }
}

/// Growable bytes for `X86Assembler`; a typical region's code fits the first allocation.
final class CodeBuffer {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity = 2048
    private(set) var count = 0

    init() { base = .allocate(capacity: capacity) }
    deinit { base.deallocate() }

    @inline(__always)
    func append(_ b: UInt8) {
        if _slowPath(count == capacity) { grow() }
        base[count] = b
        count += 1
    }

    subscript(_ i: Int) -> UInt8 {
        get { precondition(i >= 0 && i < count); return base[i] }
        set { precondition(i >= 0 && i < count); base[i] = newValue }
    }

    var array: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    @inline(never)
    private func grow() {
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * capacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
