import Shim

extension MMIOAccess {
    /// The faulting load or store: htinst when the hart supplied a transformed instruction,
    /// otherwise the guest's code read with HLVX (two-stage translated as the guest sees it,
    /// Priv. §18.6.3). Decoding is FirmwareKit's `MMIOAccess.decode`. HLVX reads as the
    /// guest's privilege (hstatus.SPVP, §18.2.1); an instruction read from the code is taken
    /// only when its address (rs1 + offset) is the faulting one: otherwise the fault came
    /// from the guest's own page walk, which is no device access.
    static func fetch(tinst: UInt64, pc: UInt64, vcpu: VCPU) -> MMIOAccess? {
        if tinst != 0 {
            // Pseudoinstructions (bits 1:0 = 00 with a nonzero value) mean the fault was an
            // implicit access of the guest's own page walk, never a device access.
            guard tinst & 1 == 1 else { return nil }
            return decode(tinst, transformed: true)
        }
        if vcpu.guestPrivilege == 1 { csr_set_hstatus(Hstatus.SPVP) } else { csr_clear_hstatus(Hstatus.SPVP) }
        defer { csr_set_hstatus(Hstatus.SPVP) }
        var low: UInt64 = 0
        guard guarded_hlvx_hu(pc, &low) == 0 else { return nil }
        var insn = low
        if low & 3 == 3 {
            var high: UInt64 = 0
            guard guarded_hlvx_hu(pc &+ 2, &high) == 0 else { return nil }
            insn |= high << 16
        }
        guard let access = decode(insn, transformed: false), access.base >= 0,
              vcpu.register(access.base) &+ UInt64(bitPattern: access.offset) == csr_read_mtval() else { return nil }
        return access
    }
}
