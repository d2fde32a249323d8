import RISCV

/// The privileged instructions' checks with the hypervisor extension, and HLV/HLVX/HSV
/// (Priv. H "Hypervisor Instructions" and "Trap Cause Codes": an instruction that is
/// HS-qualified but not allowed with V=1 raises a virtual-instruction exception, one that
/// is not HS-qualified an illegal-instruction exception).
extension Hart {
    /// SRET: illegal in U and in HS with mstatus.TSR; virtual in VU and in VS with
    /// hstatus.VTSR (TSR does not apply to VS). Nil when allowed.
    func sretDenied() -> Cause? {
        switch (priv, virt) {
        case (.machine, _): return nil
        case (.user, false): return .illegalInstruction
        case (.supervisor, false): return mstatus & Mstatus.TSR != 0 ? .illegalInstruction : nil
        case (.user, true): return .virtualInstruction
        case (.supervisor, true): return hstatus & Hstatus.VTSR != 0 ? .virtualInstruction : nil
        }
    }

    /// WFI: mstatus.TW makes it illegal in every mode below M; without TW it is illegal in U,
    /// virtual in VU, and virtual in VS with hstatus.VTW (Priv. §3.1.6.6; H "hstatus").
    /// (WFI here never times out, so TW and VTW always trap at once.)
    func wfiDenied() -> Cause? {
        if priv == .machine { return nil }
        if mstatus & Mstatus.TW != 0 { return .illegalInstruction }
        switch (priv, virt) {
        case (.user, false): return .illegalInstruction
        case (.user, true): return .virtualInstruction
        case (.supervisor, true): return hstatus & Hstatus.VTW != 0 ? .virtualInstruction : nil
        default: return nil
        }
    }

    /// SFENCE.VMA: illegal in U and in HS with TVM; virtual in VU and in VS with VTVM.
    /// HFENCE.VVMA/GVMA: illegal without H and in U; virtual with V=1; HFENCE.GVMA is
    /// illegal in HS with mstatus.TVM (HFENCE.VVMA ignores TVM).
    /// Svinval (Priv. "Svinval"): illegal without it; SINVAL.VMA, HINVAL.VVMA and
    /// HINVAL.GVMA have the rules of SFENCE.VMA, HFENCE.VVMA and HFENCE.GVMA; SFENCE.W.INVAL
    /// and SFENCE.INVAL.IR are illegal in U, virtual in VU, and ignore TVM and VTVM.
    func fenceDenied(_ op: Op, raw: UInt32 = 0) -> Cause? {
        let funct7 = raw >> 25
        if funct7 == 0x0B || funct7 == 0x0C || funct7 == 0x13 || funct7 == 0x33 {
            guard extensions.contains(.svinval) else { return .illegalInstruction }
            if funct7 == 0x0C {
                switch (priv, virt) {
                case (.user, false): return .illegalInstruction
                case (.user, true): return .virtualInstruction
                default: return nil
                }
            }
        }
        if op != .sfenceVma {
            if !h { return .illegalInstruction }
            if virt { return .virtualInstruction }
            if priv == .user { return .illegalInstruction }
            if op == .hfenceGvma && priv == .supervisor && mstatus & Mstatus.TVM != 0 { return .illegalInstruction }
            return nil
        }
        switch (priv, virt) {
        case (.machine, _): return nil
        case (.user, false): return .illegalInstruction
        case (.supervisor, false): return mstatus & Mstatus.TVM != 0 ? .illegalInstruction : nil
        case (.user, true): return .virtualInstruction
        case (.supervisor, true): return hstatus & Hstatus.VTVM != 0 ? .virtualInstruction : nil
        }
    }

    /// HLV.*, HLVX.*, HSV.*: valid in M, HS, and U when hstatus.HU=1; virtual with V=1. The
    /// access is made as VS (hstatus.SPVP=1) or VU (SPVP=0) with two-stage translation,
    /// whatever mstatus.MPRV says. Faults report a guest virtual address (GVA=1).
    @inline(never)
    func executeHypervisorAccess(_ d: Decoded) throws(Trap) {
        guard h else { throw Trap(.illegalInstruction, UInt64(d.raw)) }
        if virt { throw Trap(.virtualInstruction, UInt64(d.raw)) }
        if priv == .user && hstatus & Hstatus.HU == 0 { throw Trap(.illegalInstruction, UInt64(d.raw)) }
        let p: Privilege = hstatus & Hstatus.SPVP != 0 ? .supervisor : .user
        let va = x[Int(d.rs1)]
        let size = UInt64(1) << UInt64(d.imm & 3)
        hypervisorAccess = true
        if d.op == .hsv {
            try store(va, size: size, value: x[Int(d.rs2)], p, true, cycles: &cycles)
        } else {
            let v = try load(va, size: size, p, true, hlvx: d.imm & 8 != 0, cycles: &cycles)
            let shift = 64 - 8 * size
            x[Int(d.rd)] = d.imm & 4 != 0 || size == 8 ? v : UInt64(bitPattern: Int64(bitPattern: v << shift) >> Int64(shift))
        }
        hypervisorAccess = false
    }
}
