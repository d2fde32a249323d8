import Shim

/// Putting exceptions and interrupts into a guest.
extension Hypervisor {
    /// Delivers an exception to the guest's own handler, as a trap into VS-mode would
    /// (Priv. §18.6.2 / §12.1.1: vsepc, vscause, vstval, vsstatus.SPP/SPIE/SIE, pc =
    /// vstvec's base). The vCPU is the loaded one, so the VS CSRs are on the hart. Two-stage
    /// vCPUs only (their guest-page faults and virtual instructions); a shadow vCPU's traps
    /// go through `reflect` (arch/Shadow.swift).
    func injectException(_ vcpu: VCPU, cause: UInt64, tval: UInt64) {
        let f = vcpu.frame
        csr_write_vsepc(f.pointee.pc)
        csr_write_vscause(cause)
        csr_write_vstval(tval)
        var s = csr_read_vsstatus()
        let sie = s & Mstatus.SIE
        s &= ~(Mstatus.SPP | Mstatus.SPIE | Mstatus.SIE)
        if vcpu.guestPrivilege == 1 { s |= Mstatus.SPP }
        if sie != 0 { s |= Mstatus.SPIE }
        csr_write_vsstatus(s)
        f.pointee.pc = csr_read_vstvec() & ~3
        f.pointee.mode = Mstatus.MPV | (UInt64(1) << Mstatus.MPPShift)
    }

    /// Raises VS interrupt bits for a vCPU wherever it is: in hvip when its CSRs are on
    /// this hart, as remote-pending bits (merged by its hart) when they are on another,
    /// else in its saved hvip. A hart is kicked only when a bit becomes newly pending there
    /// and somebody must act on it now (the vCPU runs there, or sleeps and may wake): a
    /// storm of IPIs costs the other harts nothing. A stopped vCPU takes none (hart_start
    /// clears its interrupts anyway).
    func setPending(_ v: VCPU, _ bits: UInt64) {
        guard v.state != .stopped else { return }
        if v.shadow {
            // The VS bits (2, 6, 10) are the guest's S bits (1, 5, 9) one place up.
            let new = (bits >> 1) & ~v.virtualS.sip
            v.virtualS.sip |= bits >> 1
            if new != 0, here.loaded !== v, v.hart >= 0, v.hart < harts.count { kick(harts[v.hart]) }
            return
        }
        let hart = here
        if hart.loaded === v {
            csr_set_hvip(bits)
            return
        }
        if let holder = harts.first(where: { $0.loaded === v }) {
            let new = bits & ~v.remotePending
            v.remotePending |= bits
            if new != 0 { kick(holder) }
        } else {
            let new = bits & ~v.hvip
            v.hvip |= bits
            if new != 0 && v.state == .waiting { kick(harts[v.hart]) }
        }
    }

    /// Clears VS interrupt bits of a vCPU (its own call, or one whose CSRs are not loaded
    /// anywhere else).
    func clearPending(_ v: VCPU, _ bits: UInt64) {
        if v.shadow {
            v.virtualS.sip &= ~(bits >> 1)
            return
        }
        v.remotePending &= ~bits
        if here.loaded === v { csr_clear_hvip(bits) } else { v.hvip &= ~bits }
    }
}
