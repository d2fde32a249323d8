import Shim

/// Moving a vCPU's supervisor state on and off a physical hart (Priv. §18.2: the VS CSRs
/// are the guest's supervisor state; hvip and hie hold its virtual interrupts; the
/// floating-point registers when the hart has D).
extension VCPU {
    /// Puts this vCPU's CSRs on the hart.
    func load(sstc: Bool) {
        if _slowPath(shadow) {
            loadShadow()
            return
        }
        csr_write_medeleg(HartSetup.guestExceptions)
        csr_write_satp(0)
        csr_write_hgatp(domain.hgatp)
        csr_write_vsstatus(vsstatus)
        csr_write_hie(vsie)
        csr_write_vstvec(vstvec)
        csr_write_vsscratch(vsscratch)
        csr_write_vsepc(vsepc)
        csr_write_vscause(vscause)
        csr_write_vstval(vstval)
        csr_write_vsatp(vsatp)
        csr_write_hvip(hvip | remotePending)
        remotePending = 0
        csr_write_scounteren(scounteren)
        csr_write_senvcfg(senvcfg)
        if sstc { csr_write_vstimecmp(vstimecmp) }
        if let fp { fp_restore(fp) }
    }

    /// A shadow-mode vCPU (arch/Shadow.swift): real U-mode on its shadow tables, every
    /// exception to M, no VS state. With H, a two-stage vCPU loaded before may have left VS
    /// interrupts on the hart; without H there are none, and hvip and hie do not exist.
    @inline(never)
    func loadShadow() {
        csr_write_medeleg(0)
        csr_write_satp(domain.physicalSATP)
        sfence_vma_all()
        if hypervisor.platform.hasH {
            csr_write_hvip(0)
            csr_write_hie(0)
        }
        if let fp {
            csr_set_mstatus(Mstatus.FS)          // on for M's own access (Shadow.swift sets it per virtual FS)
            fp_restore(fp)
        }
    }

    @inline(never)
    func saveShadow() {
        if let fp {
            csr_set_mstatus(Mstatus.FS)
            fp_save(fp)
        }
    }

    /// Takes this vCPU's CSRs off the hart.
    func save(sstc: Bool) {
        if _slowPath(shadow) {
            saveShadow()
            return
        }
        vsstatus = csr_read_vsstatus()
        vsie = csr_read_hie() & Interrupt.virtualSupervisorMask
        vstvec = csr_read_vstvec()
        vsscratch = csr_read_vsscratch()
        vsepc = csr_read_vsepc()
        vscause = csr_read_vscause()
        vstval = csr_read_vstval()
        vsatp = csr_read_vsatp()
        hvip = csr_read_hvip() & Interrupt.virtualSupervisorMask
        scounteren = csr_read_scounteren()
        senvcfg = csr_read_senvcfg()
        if sstc { vstimecmp = csr_read_vstimecmp() }
        if let fp { fp_save(fp) }
    }

    /// The `time` at which a waiting vCPU's timer wakes it (max: none): its vstimecmp with
    /// Sstc when it enabled the timer interrupt, else its SBI deadline.
    func wakeTime(sstc: Bool) -> UInt64 {
        if _slowPath(shadow) { return virtualS.sie & VirtualSupervisor.STIP != 0 ? shadowDeadline : UInt64.max }
        if sstc { return vsie & Interrupt.VSTIP != 0 ? vstimecmp : UInt64.max }
        return timerDeadline
    }

    /// True when an interrupt the guest has enabled is pending (what ends a WFI).
    func hasPendingInterrupt(now: UInt64, sstc: Bool) -> Bool {
        if _slowPath(shadow) {
            var sip = virtualS.sip
            if now >= shadowDeadline { sip |= VirtualSupervisor.STIP }
            return sip & virtualS.sie != 0
        }
        var pending = hvip | remotePending
        if sstc && now >= vstimecmp { pending |= Interrupt.VSTIP }
        return pending & vsie != 0
    }
}
