import RISCV

/// F and D (Unpriv. "F" and "D" chapters; Priv. §3.1.6.6 mstatus.FS, H "vsstatus"):
/// every instruction other than loads and stores runs here, out of the interpreter's hot
/// loop, on the integer IEEE 754 implementation in SoftFloat.swift.
extension Hart {
    static let boxMask: UInt64 = 0xFFFF_FFFF_0000_0000

    /// FP instructions and fcsr are usable: mstatus.FS ≠ Off, and with V=1 vsstatus.FS ≠ Off
    /// too (without F, FS is read-only zero, so this is false).
    @inline(__always)
    var fpEnabled: Bool {
        mstatus & Mstatus.FS != 0 && (!virt || vsstatus & Mstatus.FS != 0)
    }

    /// Marks the FP state Dirty (mstatus.FS, and vsstatus.FS with V=1).
    @inline(__always)
    func fpDirty() {
        mstatus |= Mstatus.FS
        if virt { vsstatus |= Mstatus.FS }
    }

    /// A single-precision operand: the low 32 bits if properly NaN-boxed, else the
    /// canonical NaN (Unpriv. D "NaN Boxing of Narrower Values").
    @inline(__always)
    func singleOperand(_ r: Int) -> UInt64 {
        let v = f[r]
        return v & Hart.boxMask == Hart.boxMask ? v & 0xFFFF_FFFF : FloatFormat.single.canonicalNaN
    }

    /// The instructions the interpreter runs out of line with `self.cycles` up to date: F/D
    /// and HLV/HLVX/HSV.
    @inline(never)
    func executeOutOfLine(_ d: Decoded) throws(Trap) {
        switch d.op {
        case .fp: try executeFP(d.raw)
        case .hlv, .hsv: try executeHypervisorAccess(d)
        case .cbo: try executeCBO(d)
        default: try executeFPMemory(d)
        }
    }

    /// An FP load or store (FLW/FLD/FSW/FSD, Zfhmin's FLH/FSH and C.FLD/C.FSD/C.FLDSP/C.FSDSP).
    @inline(never)
    func executeFPMemory(_ d: Decoded) throws(Trap) {
        guard fpEnabled else { throw Trap(.illegalInstruction, UInt64(d.raw)) }
        let va = x[Int(d.rs1)] &+ d.immediate
        let r = Int(d.rs2)
        switch d.op {
        case .flw:
            let v = try load(va, size: 4, dataPrivilege, dataVirtual, hlvx: false, cycles: &cycles)
            f[r] = Hart.boxMask | v
            fpDirty()
        case .fld, .cFld:
            f[r] = try load(va, size: 8, dataPrivilege, dataVirtual, hlvx: false, cycles: &cycles)
            fpDirty()
        case .fsw:
            try store(va, size: 4, value: f[r] & 0xFFFF_FFFF, dataPrivilege, dataVirtual, cycles: &cycles)
        case .flh:  // Zfhmin: NaN-boxed to 64 bits
            let v = try load(va, size: 2, dataPrivilege, dataVirtual, hlvx: false, cycles: &cycles)
            f[r] = Hart.halfBoxMask | v
            fpDirty()
        case .fsh:  // Zfhmin: the low 16 bits, boxed or not
            try store(va, size: 2, value: f[r] & 0xFFFF, dataPrivilege, dataVirtual, cycles: &cycles)
        default:
            try store(va, size: 8, value: f[r], dataPrivilege, dataVirtual, cycles: &cycles)
        }
    }

    /// Every other F/D instruction, decoded from its bits.
    @inline(never)
    func executeFP(_ raw: UInt32) throws(Trap) {
        let illegal = Trap(.illegalInstruction, UInt64(raw))
        guard fpEnabled else { throw illegal }
        let opcode = raw & 0x7F
        let rd = Int((raw >> 7) & 31), rs1 = Int((raw >> 15) & 31), rs2 = Int((raw >> 20) & 31)
        let funct3 = (raw >> 12) & 7
        let fmtBits = (raw >> 25) & 3
        if fmtBits == 2 || (opcode == 0x53 && raw >> 27 == 0x08 && rs2 == 2) {
            // Half precision: only Zfhmin's moves and conversions (Hart+Zfhmin.swift).
            guard opcode == 0x53, extensions.contains(.zfhmin) else { throw illegal }
            return try executeHalf(raw)
        }
        guard fmtBits <= 1 else { throw illegal }  // Q is not implemented
        let double = fmtBits == 1
        let fmt: FloatFormat = double ? .double : .single
        func operand(_ r: Int) -> UInt64 { double ? f[r] : singleOperand(r) }
        func rounding() throws(Trap) -> RoundingMode {
            let rm = funct3 == 7 ? UInt8((fcsr >> 5) & 7) : UInt8(funct3)
            guard let mode = RoundingMode(rawValue: rm) else { throw illegal }
            return mode
        }
        var flags = FloatFlags()
        var floatResult: UInt64?
        var intResult: UInt64?

        if opcode != 0x53 {
            // FMADD (0x43), FMSUB (0x47), FNMSUB (0x4B), FNMADD (0x4F): ±(rs1×rs2) ± rs3.
            let rm = try rounding()
            let rs3 = Int(raw >> 27)
            var a = operand(rs1), c = operand(rs3)
            let b = operand(rs2)
            let negateProduct = opcode == 0x4B || opcode == 0x4F
            let negateAddend = opcode == 0x47 || opcode == 0x4F
            // Negation flips signs only (of NaNs too; they come out canonical anyway).
            if negateProduct { a ^= fmt.signBit }
            if negateAddend { c ^= fmt.signBit }
            floatResult = SoftFloat.fma(a, b, c, fmt, rm, &flags)
        } else {
            let funct5 = raw >> 27
            switch funct5 {
            case 0x00, 0x01:  // FADD, FSUB
                let b = operand(rs2)
                // Subtraction adds the negation (a sign flip keeps a NaN signalling or quiet).
                floatResult = SoftFloat.add(operand(rs1), funct5 == 1 ? b ^ fmt.signBit : b, fmt, try rounding(), &flags)
            case 0x02: floatResult = SoftFloat.mul(operand(rs1), operand(rs2), fmt, try rounding(), &flags)
            case 0x03: floatResult = SoftFloat.div(operand(rs1), operand(rs2), fmt, try rounding(), &flags)
            case 0x0B:
                guard rs2 == 0 else { throw illegal }
                floatResult = SoftFloat.sqrt(operand(rs1), fmt, try rounding(), &flags)
            case 0x04:  // FSGNJ, FSGNJN, FSGNJX: sign bits only, no flags, no canonicalisation
                let a = operand(rs1), b = operand(rs2)
                let magnitude = a & ~fmt.signBit
                switch funct3 {
                case 0: floatResult = magnitude | (b & fmt.signBit)
                case 1: floatResult = magnitude | (~b & fmt.signBit)
                case 2: floatResult = a ^ (b & fmt.signBit)
                default: throw illegal
                }
            case 0x05:  // FMIN, FMAX
                guard funct3 <= 1 else { throw illegal }
                floatResult = SoftFloat.minMax(operand(rs1), operand(rs2), fmt, max: funct3 == 1, &flags)
            case 0x08:  // FCVT.S.D (fmt S, rs2 = 1), FCVT.D.S (fmt D, rs2 = 0)
                guard rs2 == (double ? 0 : 1) else { throw illegal }
                let rm = try rounding()
                floatResult = double
                    ? SoftFloat.convert(singleOperand(rs1), from: .single, to: .double, rm, &flags)
                    : SoftFloat.convert(f[rs1], from: .double, to: .single, rm, &flags)
            case 0x14:  // FLE (0), FLT (1), FEQ (2)
                guard funct3 <= 2 else { throw illegal }
                intResult = SoftFloat.compare(operand(rs1), operand(rs2), fmt, Int(funct3), &flags) ? 1 : 0
            case 0x18:  // FCVT.W/WU/L/LU.fmt
                guard rs2 <= 3 else { throw illegal }
                intResult = SoftFloat.toInteger(operand(rs1), fmt, bits: rs2 >= 2 ? 64 : 32, signed: rs2 & 1 == 0,
                                                try rounding(), &flags)
            case 0x1A:  // FCVT.fmt.W/WU/L/LU
                guard rs2 <= 3 else { throw illegal }
                let rm = try rounding()
                var v = x[rs1]
                if rs2 < 2 {  // 32-bit source: the low word, signed or not
                    v = rs2 == 0 ? UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))) : v & 0xFFFF_FFFF
                }
                floatResult = SoftFloat.fromInteger(v, signed: rs2 & 1 == 0, fmt, rm, &flags)
            case 0x1C:  // FMV.X.W / FMV.X.D (funct3 0), FCLASS (funct3 1)
                guard rs2 == 0 else { throw illegal }
                switch funct3 {
                case 0:
                    // The bits move unmodified; FMV.X.W sign-extends bit 31.
                    intResult = double ? f[rs1] : UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: f[rs1])))
                case 1: intResult = SoftFloat.classify(operand(rs1), fmt)
                default: throw illegal
                }
            case 0x1E:  // FMV.W.X / FMV.D.X
                guard rs2 == 0 && funct3 == 0 else { throw illegal }
                floatResult = double ? x[rs1] : x[rs1] & 0xFFFF_FFFF
            default:
                throw illegal
            }
        }
        if let v = floatResult {
            f[rd] = double ? v : Hart.boxMask | v
            fpDirty()
        }
        if let v = intResult, rd != 0 { x[rd] = v }
        if !flags.isEmpty {
            fcsr |= UInt64(flags.rawValue)
            fpDirty()
        }
    }
}
