import RISCV

/// Zfhmin (Unpriv. "Zfh" chapter, section "Zfhmin Standard Extension for Minimal Half-Precision
/// Floating-Point"): half-precision values in the f registers, NaN-boxed to 64 bits, with
/// FLH/FSH (Hart+FloatingPoint.swift, `executeFPMemory`), FMV.X.H/FMV.H.X and conversions to
/// and from single and double precision. No half-precision arithmetic (that is Zfh).
extension FloatFormat {
    /// IEEE 754 binary16.
    static let half = FloatFormat(exponentBits: 5, fractionBits: 10)
}

extension Hart {
    /// Bits 63…16 of a properly NaN-boxed half-precision value.
    static let halfBoxMask: UInt64 = 0xFFFF_FFFF_FFFF_0000

    /// A half-precision operand: the low 16 bits if properly NaN-boxed, else the canonical
    /// NaN 0x7E00 (Unpriv. D "NaN Boxing of Narrower Values", which Zfh extends to 16 bits).
    @inline(__always)
    func halfOperand(_ r: Int) -> UInt64 {
        let v = f[r]
        return v & Hart.halfBoxMask == Hart.halfBoxMask ? v & 0xFFFF : FloatFormat.half.canonicalNaN
    }

    /// FMV.X.H, FMV.H.X, FCVT.H.S, FCVT.H.D, FCVT.S.H and FCVT.D.H (mstatus.FS already
    /// checked by `executeFP`). Every other half-precision encoding is illegal.
    func executeHalf(_ raw: UInt32) throws(Trap) {
        let illegal = Trap(.illegalInstruction, UInt64(raw))
        let rd = Int((raw >> 7) & 31), rs1 = Int((raw >> 15) & 31), rs2 = (raw >> 20) & 31
        let funct3 = (raw >> 12) & 7, funct5 = raw >> 27, fmtBits = (raw >> 25) & 3
        func rounding() throws(Trap) -> RoundingMode {
            let rm = funct3 == 7 ? UInt8((fcsr >> 5) & 7) : UInt8(funct3)
            guard let mode = RoundingMode(rawValue: rm) else { throw illegal }
            return mode
        }
        var flags = FloatFlags()
        switch (funct5, fmtBits) {
        case (0x1C, 2):  // FMV.X.H: the low 16 bits, sign-extended; boxing is not checked
            guard rs2 == 0 && funct3 == 0 else { throw illegal }
            if rd != 0 { x[rd] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: f[rs1]))) }
            return
        case (0x1E, 2):  // FMV.H.X: the low 16 bits of rs1, NaN-boxed
            guard rs2 == 0 && funct3 == 0 else { throw illegal }
            f[rd] = Hart.halfBoxMask | (x[rs1] & 0xFFFF)
        case (0x08, 2):  // FCVT.H.S (rs2 = 0), FCVT.H.D (rs2 = 1): rounded to half
            guard rs2 <= 1 else { throw illegal }
            let rm = try rounding()
            let v = rs2 == 0
                ? SoftFloat.convert(singleOperand(rs1), from: .single, to: .half, rm, &flags)
                : SoftFloat.convert(f[rs1], from: .double, to: .half, rm, &flags)
            f[rd] = Hart.halfBoxMask | v
        case (0x08, 0), (0x08, 1):  // FCVT.S.H, FCVT.D.H (rs2 = 2): exact, but rm must be valid
            _ = try rounding()
            let v = SoftFloat.convert(halfOperand(rs1), from: .half, to: fmtBits == 0 ? .single : .double,
                                      .nearestEven, &flags)
            f[rd] = fmtBits == 0 ? Hart.boxMask | v : v
        default:
            throw illegal
        }
        fpDirty()
        if !flags.isEmpty { fcsr |= UInt64(flags.rawValue) }
    }
}
