import RISCV

extension Hart {
    static let mipWritable: UInt64 = Interrupt.SSIP | Interrupt.STIP | Interrupt.SEIP
    static let mieWritable: UInt64 = Interrupt.SSIP | Interrupt.STIP | Interrupt.SEIP
        | Interrupt.MSIP | Interrupt.MTIP | Interrupt.MEIP
    /// Exceptions that may be delegated to S (Priv. §3.1.8: medeleg[11] is read-only zero).
    static let medelegWritable: UInt64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
        | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 12) | (1 << 13) | (1 << 15)
    static let mstatusWritable: UInt64 = Mstatus.SIE | Mstatus.MIE | Mstatus.SPIE | Mstatus.MPIE
        | Mstatus.SPP | Mstatus.MPP | Mstatus.MPRV | Mstatus.SUM | Mstatus.MXR | Mstatus.TVM
        | Mstatus.TW | Mstatus.TSR
    /// menvcfg.STCE (Sstc): stimecmp enabled for S-mode, STIP driven by it.
    static let STCE: UInt64 = Envcfg.STCE

    /// The writable envcfg fields (Priv. "Machine Environment Configuration Register",
    /// "Supervisor Environment Configuration Register", H "henvcfg"): FIOM always; CBIE and
    /// CBCFE with Zicbom, CBZE with Zicboz; in menvcfg and henvcfg also PBMTE with Svpbmt
    /// and STCE with Sstc. Fields of extensions the hart lacks are read-only zero.
    func envcfgWritable(supervisor: Bool) -> UInt64 {
        var bits = Envcfg.FIOM
        if extensions.contains(.zicbom) { bits |= Envcfg.CBIE | Envcfg.CBCFE }
        if extensions.contains(.zicboz) { bits |= Envcfg.CBZE }
        if !supervisor {
            if extensions.contains(.svpbmt) { bits |= Envcfg.PBMTE }
            if sstc { bits |= Envcfg.STCE }
        }
        return bits
    }

    /// A write of an envcfg register: CBIE is WARL and 0b10 is reserved, so such a write
    /// keeps the field's old value. A change of PBMTE drops cached translations (the spec
    /// asks software for an SFENCE.VMA; doing it here keeps the TLB simple and exact).
    func envcfgWrite(old: UInt64, _ value: UInt64, supervisor: Bool) -> UInt64 {
        let writable = envcfgWritable(supervisor: supervisor)
        var new = (old & ~writable) | (value & writable)
        if (new & Envcfg.CBIE) >> Envcfg.CBIEShift == 2 { new = (new & ~Envcfg.CBIE) | (old & Envcfg.CBIE) }
        if (new ^ old) & Envcfg.PBMTE != 0 { flushTLB() }
        return new
    }

    /// Zihpm: hpmcounter3–18 count nothing (no events are implemented) but hold what M-mode
    /// writes, as QEMU 7.2's default CPU (pmu-num = 16) does; 19–31 are read-only zero.
    static let hpmCounters = 16

    /// Sstc is active: STIP is the comparison `time >= stimecmp`, read-only in mip.
    var stimecmpDrivesSTIP: Bool { menvcfg & Hart.STCE != 0 }

    /// Sstc for VS: VSTIP is driven by `time + htimedelta >= vstimecmp` (ORed with
    /// hvip.VSTIP) when menvcfg.STCE and henvcfg.STCE are set.
    var vstimecmpDrivesVSTIP: Bool { h && menvcfg & Hart.STCE != 0 && henvcfg & Hart.STCE != 0 }

    /// mip as software reads it: software-writable bits plus device lines (with Sstc
    /// active, the software STIP bit is ignored: Priv. §3.1.9).
    var mip: UInt64 {
        (stimecmpDrivesSTIP ? mipSoftware & ~Interrupt.STIP : mipSoftware) | mipHardware
    }

    /// The counter value seen through mcycle/cycle (Priv. §3.1.11, mcountinhibit §3.1.13).
    var mcycle: UInt64 { mcountinhibit & 1 != 0 ? mcycleFrozen : cycles &- mcycleOffset }
    var minstret: UInt64 { mcountinhibit & 4 != 0 ? minstretFrozen : instret &- minstretOffset }

    /// Checks the privilege and read-only rules of a CSR access (Priv. §2.1), the counter
    /// enables (§3.1.11, §12.1.5, H "hcounteren"), TVM/VTVM and Sstc's enables. With V=1 an
    /// access that HS-mode could make raises a virtual-instruction exception instead of an
    /// illegal-instruction one (H "Trap Cause Codes"). Throws with the instruction bits.
    func csrAccessAllowed(_ csr: UInt16, write: Bool, raw: UInt32) throws(Trap) {
        let illegal = Trap(.illegalInstruction, UInt64(raw))
        let virtual = Trap(.virtualInstruction, UInt64(raw))
        let level = (csr >> 8) & 3  // 0 = U, 1 = S, 2 = hypervisor and VS, 3 = M
        if write && (csr >> 10) & 3 == 3 { throw illegal }
        if level == 2 && !h { throw illegal }
        if csr >= CSR.fflags && csr <= CSR.fcsr {
            // fflags/frm/fcsr: illegal while the FP state is Off (mstatus.FS, or vsstatus.FS
            // with V=1), never virtual (H "Trap Cause Codes").
            if !fd || !fpEnabled { throw illegal }
            return
        }
        if priv == .machine { return }
        if level == 3 { throw illegal }
        // Sstc (Priv. §3.1.18, H "henvcfg", "hcounteren"): stimecmp/vstimecmp need
        // menvcfg.STCE and mcounteren.TM below M, and from VS also henvcfg.STCE and
        // hcounteren.TM (else virtual).
        if csr == CSR.stimecmp || csr == CSR.vstimecmp {
            if !sstc || menvcfg & Hart.STCE == 0 || mcounteren & 2 == 0 { throw illegal }
            if virt && (level == 2 || priv == .user) { throw virtual }  // it exists: sstc
            if virt && (henvcfg & Hart.STCE == 0 || hcounteren & 2 == 0) { throw virtual }
            if priv == .user { throw illegal }
            return
        }
        if csr >= CSR.cycle && csr <= CSR.hpmcounter31 {
            // hpmcounter3–31 exist with Zihpm only (Unpriv. "Zihpm").
            if csr >= CSR.hpmcounter3 && !extensions.contains(.zihpm) { throw illegal }
            let bit = UInt64(1) << UInt64(csr - CSR.cycle)
            if mcounteren & bit == 0 { throw illegal }
            if virt && hcounteren & bit == 0 { throw virtual }
            if priv == .user && scounteren & bit == 0 { throw virt ? virtual : illegal }
            return
        }
        if !virt {
            if priv == .user && level >= 1 { throw illegal }
            if priv == .supervisor && mstatus & Mstatus.TVM != 0 && (csr == CSR.satp || csr == CSR.hgatp) { throw illegal }
            return
        }
        // V=1: hypervisor and VS CSRs (and S CSRs from VU) exist but are HS's: virtual,
        // provided the CSR is implemented (else illegal, as csrRead decides).
        if level == 2 || (priv == .user && level == 1) {
            _ = try csrRead(csr, raw: raw)
            throw virtual
        }
        if csr == CSR.satp && hstatus & Hstatus.VTVM != 0 { throw virtual }
    }

    /// With V=1 the S CSRs that have a VS counterpart name it (H "Hypervisor and Virtual
    /// Supervisor CSRs": vsstatus … vsatp substitute for sstatus … satp).
    @inline(__always)
    func aliased(_ csr: UInt16) -> UInt16 {
        guard virt else { return csr }
        switch csr {
        case CSR.sstatus, CSR.sie, CSR.stvec, CSR.sscratch, CSR.sepc, CSR.scause, CSR.stval, CSR.sip,
             CSR.stimecmp, CSR.satp:
            return csr + 0x100
        default:
            return csr
        }
    }

    /// Reads a CSR; throws illegal-instruction for CSRs this hart does not implement.
    func csrRead(_ number: UInt16, raw: UInt32) throws(Trap) -> UInt64 {
        let csr = aliased(number)
        if h && (csr >> 8) & 3 == 2 || csr == CSR.mtval2 || csr == CSR.mtinst || csr == CSR.hgeip {
            guard h, let v = hypervisorCSR(csr) else { throw Trap(.illegalInstruction, UInt64(raw)) }
            return v
        }
        switch csr {
        case CSR.fflags where fd: return fcsr & 0x1F
        case CSR.frm where fd: return (fcsr >> 5) & 7
        case CSR.fcsr where fd: return fcsr & 0xFF
        case CSR.cycle: return mcycle
        case CSR.time:
            // In VS and VU, time reads time + htimedelta (H "htimedelta").
            return bus.clint.mtime(cycles: cycles) &+ (virt ? htimedelta : 0)
        case CSR.instret: return minstret
        case CSR.hpmcounter3...CSR.hpmcounter31 where extensions.contains(.zihpm):
            return mhpmcounter[Int(csr - CSR.hpmcounter3)]
        case CSR.sstatus: return sstatusValue
        case CSR.sie: return mie & mideleg & Interrupt.supervisorMask
        case CSR.stvec: return stvec
        case CSR.scounteren: return scounteren
        case CSR.senvcfg: return senvcfg
        case CSR.sscratch: return sscratch
        case CSR.sepc: return sepc
        case CSR.scause: return scause
        case CSR.stval: return stval
        case CSR.sip:
            updateInterruptLines()
            return mip & mideleg & Interrupt.supervisorMask
        case CSR.satp: return satp
        case CSR.stimecmp where sstc: return stimecmp
        case CSR.mvendorid, CSR.marchid, CSR.mimpid, CSR.mconfigptr: return 0
        case CSR.mhartid: return UInt64(id)
        case CSR.mstatus: return mstatusValue
        case CSR.misa: return misa
        case CSR.medeleg: return medeleg
        case CSR.mideleg: return mideleg
        case CSR.mie: return mie
        case CSR.mtvec: return mtvec
        case CSR.mcounteren: return mcounteren
        case CSR.menvcfg: return menvcfg
        case CSR.mcountinhibit: return mcountinhibit
        case CSR.mhpmevent3...CSR.mhpmevent31: return 0
        case CSR.mscratch: return mscratch
        case CSR.mepc: return mepc
        case CSR.mcause: return mcause
        case CSR.mtval: return mtval
        case CSR.mip:
            updateInterruptLines()
            return mip
        case CSR.pmpcfg0...CSR.pmpcfg15:
            let n = Int(csr - CSR.pmpcfg0)
            if n & 1 == 1 { throw Trap(.illegalInstruction, UInt64(raw)) }  // odd pmpcfg: RV32 only
            guard n * 4 < Hart.pmpEntries else { return 0 }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(pmpcfg[n * 4 + i]) << (8 * UInt64(i)) }
            return v
        case CSR.pmpaddr0...CSR.pmpaddr63:
            let i = Int(csr - CSR.pmpaddr0)
            return i < Hart.pmpEntries ? pmpaddr[i] : 0
        case CSR.mcycle: return mcycle
        case CSR.minstret: return minstret
        case CSR.mhpmcounter3...CSR.mhpmcounter31: return mhpmcounter[Int(csr - CSR.mhpmcounter3)]
        case CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3: return 0
        case CSR.tinfo: return 1  // only type 0: no triggers
        default:
            throw Trap(.illegalInstruction, UInt64(raw))
        }
    }

    /// Writes a CSR with its WARL rules. The caller has already checked access rights.
    func csrWrite(_ number: UInt16, _ value: UInt64, raw: UInt32) throws(Trap) {
        interruptCheckNeeded = true
        let csr = aliased(number)
        if h && (csr >> 8) & 3 == 2 || csr == CSR.mtval2 || csr == CSR.mtinst {
            guard h else { throw Trap(.illegalInstruction, UInt64(raw)) }
            writeHypervisorCSR(csr, value)
            return
        }
        switch csr {
        case CSR.fflags where fd: fcsr = (fcsr & ~0x1F) | (value & 0x1F); fpDirty()
        case CSR.frm where fd: fcsr = (fcsr & 0x1F) | ((value & 7) << 5); fpDirty()
        case CSR.fcsr where fd: fcsr = value & 0xFF; fpDirty()
        case CSR.sstatus:
            let mask = Mstatus.sstatusMask & (Hart.mstatusWritable | (fd ? Mstatus.FS : 0))
            setMstatus((mstatus & ~mask) | (value & mask))
        case CSR.sie:
            let mask = mideleg & Interrupt.supervisorMask
            mie = (mie & ~mask) | (value & mask)
        case CSR.stvec: stvec = value & ~2
        case CSR.scounteren: scounteren = value & 0xFFFF_FFFF
        case CSR.senvcfg: senvcfg = envcfgWrite(old: senvcfg, value, supervisor: true)
        case CSR.sscratch: sscratch = value
        case CSR.sepc: sepc = value & ~1
        case CSR.scause: scause = value
        case CSR.stval: stval = value
        case CSR.sip:
            // Only SSIP is writable through sip, and only when delegated (Priv. §12.1.3).
            let mask = mideleg & Interrupt.SSIP
            mipSoftware = (mipSoftware & ~mask) | (value & mask)
        case CSR.satp:
            let mode = value >> 60
            // An unsupported MODE makes the whole write have no effect (Priv. §12.1.11).
            guard satpModeSupported(mode) else { return }
            // ASIDLEN = 16, PPN = 44 bits.
            satp = value & ((0xF << 60) | (0xFFFF << 44) | ((1 << 44) - 1))
            addressSpaceChanged(virtual: false)
        case CSR.mstatus:
            let writable = Hart.mstatusWritable | (h ? Mstatus.MPV | Mstatus.GVA : 0) | (fd ? Mstatus.FS : 0)
            setMstatus((mstatus & ~writable) | (value & writable))
        case CSR.misa: break  // read-only WARL
        case CSR.medeleg:
            // With H also the VS ecall, guest-page faults and virtual instructions (10, 20–23).
            let hBits: UInt64 = h ? (1 << 10) | (1 << 20) | (1 << 21) | (1 << 22) | (1 << 23) : 0
            medeleg = value & (Hart.medelegWritable | hBits)
        case CSR.mideleg:
            // With H the VS-level interrupts are always delegated: read-only one (H "mideleg").
            mideleg = (value & Interrupt.supervisorMask) | (h ? Interrupt.virtualSupervisorMask : 0)
        case CSR.mie: mie = value & (Hart.mieWritable | (h ? Interrupt.virtualSupervisorMask : 0))
        case CSR.mtvec: mtvec = value & ~2  // MODE ≥ 2 reserved: keep bit 0 only
        case CSR.mcounteren: mcounteren = value & 0xFFFF_FFFF
        case CSR.menvcfg: menvcfg = envcfgWrite(old: menvcfg, value, supervisor: false)
        case CSR.stimecmp where sstc: stimecmp = value
        case CSR.mcountinhibit:
            let new = value & 0xFFFF_FFFD  // TM (bit 1) is read-only zero
            if (mcountinhibit ^ new) & 1 != 0 {
                if new & 1 != 0 { mcycleFrozen = mcycle } else { mcycleOffset = cycles &- mcycleFrozen }
            }
            if (mcountinhibit ^ new) & 4 != 0 {
                if new & 4 != 0 { minstretFrozen = minstret } else { minstretOffset = instret &- minstretFrozen }
            }
            mcountinhibit = new
        case CSR.mhpmevent3...CSR.mhpmevent31: break  // WARL, no events: hardwired to zero
        case CSR.mscratch: mscratch = value
        case CSR.mepc: mepc = value & ~1
        case CSR.mcause: mcause = value
        case CSR.mtval: mtval = value
        case CSR.mip:
            // mip.VSSIP is an alias of hvip.VSSIP; VSTIP and VSEIP are read-only here.
            var writable = stimecmpDrivesSTIP ? Hart.mipWritable & ~Interrupt.STIP : Hart.mipWritable
            if h { writable |= Interrupt.VSSIP }
            mipSoftware = (mipSoftware & ~writable) | (value & writable)
        case CSR.pmpcfg0...CSR.pmpcfg15:
            let n = Int(csr - CSR.pmpcfg0)
            if n & 1 == 1 { throw Trap(.illegalInstruction, UInt64(raw)) }
            guard n * 4 < Hart.pmpEntries else { return }
            for i in 0..<8 {
                let e = n * 4 + i
                guard pmpcfg[e] & PMP.L == 0 else { continue }  // locked entries ignore writes
                var c = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) & 0x9F  // bits 6:5 reserved
                if c & PMP.R == 0 && c & PMP.W != 0 { c &= ~PMP.W }  // R=0,W=1 reserved
                pmpcfg[e] = c
            }
            rebuildPMP()
        case CSR.pmpaddr0...CSR.pmpaddr63:
            let i = Int(csr - CSR.pmpaddr0)
            guard i < Hart.pmpEntries, !pmpaddrLocked(i) else { return }
            pmpaddr[i] = value & ((1 << 54) - 1)
            rebuildPMP()
        case CSR.mcycle:
            if mcountinhibit & 1 != 0 { mcycleFrozen = value } else { mcycleOffset = cycles &- value }
        case CSR.minstret:
            // The written value is what the next instruction reads: this one does not count.
            if mcountinhibit & 4 != 0 { minstretFrozen = value } else { minstretOffset = (instret &+ 1) &- value }
        case CSR.mhpmcounter3...CSR.mhpmcounter31:
            let i = Int(csr - CSR.mhpmcounter3)
            if extensions.contains(.zihpm) && i < Hart.hpmCounters { mhpmcounter[i] = value }
        case CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3, CSR.tinfo: break
        default:
            throw Trap(.illegalInstruction, UInt64(raw))
        }
    }

    /// satp/vsatp MODE values this hart translates with (Priv. "satp": Sv39 and Sv48
    /// always, Sv57 with `.sv57`); hgatp takes the x4 forms of the same set.
    func satpModeSupported(_ mode: UInt64) -> Bool {
        mode == SatpMode.bare || mode == SatpMode.sv39 || mode == SatpMode.sv48
            || (mode == SatpMode.sv57 && extensions.contains(.sv57))
    }

    /// Installs a new satp, vsatp or hgatp: the host TLBs of those modes are dropped; the
    /// modeled TLB is tagged by address space (ASID, VMID), so only entries of the new
    /// space go (reusing an ASID or VMID without a fence sees fresh translations).
    func addressSpaceChanged(virtual v: Bool) {
        flushTLB(virtual: v, onlySpace: addressSpace(virtual: v))
    }

    /// mstatus with SD computed (FS/XS/VS are read-only zero without F/V).
    var mstatusValue: UInt64 {
        let dirty = (mstatus & Mstatus.FS) == Mstatus.FS || (mstatus & Mstatus.XS) == Mstatus.XS
        return dirty ? mstatus | Mstatus.SD : mstatus & ~Mstatus.SD
    }

    var sstatusValue: UInt64 { mstatusValue & Mstatus.sstatusMask }

    /// Installs a new mstatus, legalising MPP (2 is reserved → U, as Spike does) and
    /// dropping translations that depend on SUM/MXR/MPRV.
    func setMstatus(_ value: UInt64) {
        var v = value
        if (v & Mstatus.MPP) >> Mstatus.MPPShift == 2 { v &= ~Mstatus.MPP }
        let changed = mstatus ^ v
        mstatus = v
        if changed & Mstatus.MXR != 0 { flushTLB() }  // MXR also applies to both stages with V=1
        if changed & Mstatus.SUM != 0 { flushTLB(virtual: false) }
        if changed & (Mstatus.MPRV | Mstatus.MPP | Mstatus.MPV) != 0 { updateDataTLBSelection() }
        interruptCheckNeeded = true
    }

    // MARK: Hypervisor and virtual supervisor CSRs (Priv. H)

    /// hstatus fields software may write: GVA, SPV, SPVP, HU, VTVM, VTW, VTSR. VSBE is
    /// read-only zero (VS is little-endian like HS), VGEIN read-only zero (GEILEN = 0),
    /// VSXL read-only 2 (VSXLEN = 64).
    static let hstatusWritable: UInt64 = Hstatus.GVA | Hstatus.SPV | Hstatus.SPVP | Hstatus.HU
        | Hstatus.VTVM | Hstatus.VTW | Hstatus.VTSR
    /// hedeleg: the exceptions that may be delegated to VS (H table "Bits of hedeleg that
    /// must be writable"); ecalls from HS/VS/M and guest-page faults and virtual
    /// instructions (9–11, 20–23) are read-only zero.
    static let hedelegWritable: UInt64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
        | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    /// vsstatus fields: SIE, SPIE, SPP, SUM, MXR (UXL read-only 64; FS/XS/VS zero without F/V).
    static let vsstatusWritable: UInt64 = Mstatus.SIE | Mstatus.SPIE | Mstatus.SPP | Mstatus.SUM | Mstatus.MXR

    /// henvcfg as read: STCE and PBMTE read zero while the menvcfg bit is zero (Priv.
    /// "Machine Environment Configuration Register").
    var henvcfgValue: UInt64 { henvcfg & ~((Envcfg.STCE | Envcfg.PBMTE) & ~menvcfg) }

    /// Reads a hypervisor or VS CSR, or mtval2/mtinst; nil if not implemented.
    func hypervisorCSR(_ csr: UInt16) -> UInt64? {
        let vsBits = Interrupt.virtualSupervisorMask
        switch csr {
        case CSR.hstatus: return hstatus
        case CSR.hedeleg: return hedeleg
        case CSR.hideleg: return hideleg
        case CSR.hie: return mie & vsBits
        case CSR.hip:
            updateInterruptLines()
            return mip & vsBits
        case CSR.hvip: return mipSoftware & vsBits
        case CSR.hcounteren: return hcounteren
        case CSR.hgeie, CSR.hgeip: return 0  // GEILEN = 0
        case CSR.henvcfg: return henvcfgValue
        case CSR.htimedelta: return htimedelta
        case CSR.htval: return htval
        case CSR.htinst: return htinst
        case CSR.hgatp: return hgatp
        case CSR.mtval2: return mtval2
        case CSR.mtinst: return mtinst
        case CSR.vsstatus:
            // SD summarises FS (and XS, which is zero).
            return vsstatus & Mstatus.FS == Mstatus.FS ? vsstatus | Mstatus.SD : vsstatus
        case CSR.vsie: return (mie & hideleg & vsBits) >> 1
        case CSR.vsip:
            updateInterruptLines()
            return (mip & hideleg & vsBits) >> 1
        case CSR.vstvec: return vstvec
        case CSR.vsscratch: return vsscratch
        case CSR.vsepc: return vsepc
        case CSR.vscause: return vscause
        case CSR.vstval: return vstval
        case CSR.vsatp: return vsatp
        case CSR.vstimecmp where sstc: return vstimecmp
        default: return nil
        }
    }

    /// Writes a hypervisor or VS CSR with its WARL rules (the caller has checked access).
    /// Writes to CSRs that do not exist were refused by the read in the access check.
    func writeHypervisorCSR(_ csr: UInt16, _ value: UInt64) {
        let vsBits = Interrupt.virtualSupervisorMask
        switch csr {
        case CSR.hstatus:
            hstatus = (hstatus & ~Hart.hstatusWritable) | (value & Hart.hstatusWritable)
        case CSR.hedeleg: hedeleg = value & Hart.hedelegWritable
        case CSR.hideleg: hideleg = value & vsBits
        case CSR.hie: mie = (mie & ~vsBits) | (value & vsBits)
        case CSR.hip:
            // Only VSSIP is writable in hip (an alias of hvip.VSSIP).
            mipSoftware = (mipSoftware & ~Interrupt.VSSIP) | (value & Interrupt.VSSIP)
        case CSR.hvip: mipSoftware = (mipSoftware & ~vsBits) | (value & vsBits)
        case CSR.hcounteren: hcounteren = value & 0xFFFF_FFFF
        case CSR.hgeie: break
        case CSR.henvcfg:
            henvcfg = envcfgWrite(old: henvcfg, value, supervisor: false)
        case CSR.htimedelta: htimedelta = value
        case CSR.htval: htval = value
        case CSR.htinst: htinst = value
        case CSR.hgatp:
            // MODE is WARL: Bare, Sv39x4, Sv48x4 and (with Sv57) Sv57x4; another value keeps
            // the current MODE (the other fields are still written). VMIDLEN = 14; PPN[1:0]
            // read as zero.
            let mode = value >> 60
            let newMode = satpModeSupported(mode) ? mode : hgatp >> 60
            hgatp = (newMode << 60) | (value & (0x3FFF << 44)) | (value & ((1 << 44) - 1) & ~3)
            addressSpaceChanged(virtual: true)
        case CSR.mtval2: mtval2 = value
        case CSR.mtinst: mtinst = value
        case CSR.vsstatus:
            let writable = Hart.vsstatusWritable | (fd ? Mstatus.FS : 0)
            let new = (vsstatus & ~writable) | (value & writable)
            if (new ^ vsstatus) & (Mstatus.SUM | Mstatus.MXR) != 0 { flushTLB(virtual: true) }
            vsstatus = new
        case CSR.vsie:
            let mask = hideleg & vsBits
            mie = (mie & ~mask) | ((value << 1) & mask)
        case CSR.vsip:
            // Only SSIP (hvip.VSSIP) is writable through vsip, when delegated by hideleg.
            let mask = hideleg & Interrupt.VSSIP
            mipSoftware = (mipSoftware & ~mask) | ((value << 1) & mask)
        case CSR.vstvec: vstvec = value & ~2
        case CSR.vsscratch: vsscratch = value
        case CSR.vsepc: vsepc = value & ~1
        case CSR.vscause: vscause = value
        case CSR.vstval: vstval = value
        case CSR.vsatp:
            // An unsupported MODE makes the write have no effect (as for satp; with V=1
            // the spec requires it, with V=0 it allows it).
            let mode = value >> 60
            guard satpModeSupported(mode) else { return }
            vsatp = value & ((0xF << 60) | (0xFFFF << 44) | ((1 << 44) - 1))
            addressSpaceChanged(virtual: true)
        case CSR.vstimecmp where sstc: vstimecmp = value
        default: break
        }
    }
}
