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
    /// FIOM is the only envcfg field of the extensions implemented (Priv. §3.1.18, §12.1.4).
    static let envcfgWritable: UInt64 = 1

    /// menvcfg.STCE (Sstc): stimecmp enabled for S-mode, STIP driven by it.
    static let STCE: UInt64 = 1 << 63

    /// Sstc is active: STIP is the comparison `time >= stimecmp`, read-only in mip.
    var stimecmpDrivesSTIP: Bool { menvcfg & Hart.STCE != 0 }

    /// mip as software reads it: software-writable bits plus device lines (with Sstc
    /// active, the software STIP bit is ignored: Priv. §3.1.9).
    var mip: UInt64 {
        (stimecmpDrivesSTIP ? mipSoftware & ~Interrupt.STIP : mipSoftware) | mipHardware
    }

    /// The counter value seen through mcycle/cycle (Priv. §3.1.11, mcountinhibit §3.1.13).
    var mcycle: UInt64 { mcountinhibit & 1 != 0 ? mcycleFrozen : cycles &- mcycleOffset }
    var minstret: UInt64 { mcountinhibit & 4 != 0 ? minstretFrozen : instret &- minstretOffset }

    /// Samples the CLINT lines into mip.MTIP/MSIP.
    public func updateInterruptLines() {
        var hw: UInt64 = 0
        if bus.clint.timerPending(hart: id, cycles: cycles) { hw |= Interrupt.MTIP }
        if bus.clint.softwarePending(hart: id) { hw |= Interrupt.MSIP }
        if stimecmpDrivesSTIP && bus.clint.mtime(cycles: cycles) >= stimecmp { hw |= Interrupt.STIP }
        bus.advanceDevices(cycles: cycles)
        if bus.plic.interruptPending(context: 2 * id) { hw |= Interrupt.MEIP }
        if bus.plic.interruptPending(context: 2 * id + 1) { hw |= Interrupt.SEIP }
        mipHardware = hw
    }

    /// Checks the privilege and read-only rules of a CSR access (Priv. §2.1) and the counter
    /// enables (§3.1.11, §12.1.5). Throws illegal-instruction with the instruction bits.
    func csrAccessAllowed(_ csr: UInt16, write: Bool, raw: UInt32) throws(Trap) {
        let illegal = Trap(.illegalInstruction, UInt64(raw))
        if UInt8((csr >> 8) & 3) > priv.rawValue { throw illegal }
        if write && (csr >> 10) & 3 == 3 { throw illegal }
        if csr == CSR.satp && priv == .supervisor && mstatus & Mstatus.TVM != 0 { throw illegal }
        if csr == CSR.stimecmp && priv != .machine {
            // Sstc: S-mode needs menvcfg.STCE and mcounteren.TM (Priv. §3.1.11, §3.1.18).
            if !sstc || menvcfg & Hart.STCE == 0 || mcounteren & 2 == 0 { throw illegal }
        }
        if csr >= CSR.cycle && csr <= CSR.hpmcounter31 {
            let bit = UInt64(1) << UInt64(csr - CSR.cycle)
            if priv != .machine && mcounteren & bit == 0 { throw illegal }
            if priv == .user && scounteren & bit == 0 { throw illegal }
        }
    }

    /// Reads a CSR; throws illegal-instruction for CSRs this hart does not implement.
    func csrRead(_ csr: UInt16, raw: UInt32) throws(Trap) -> UInt64 {
        switch csr {
        case CSR.cycle: return mcycle
        case CSR.time: return bus.clint.mtime(cycles: cycles)
        case CSR.instret: return minstret
        case CSR.hpmcounter3...CSR.hpmcounter31: return 0
        case CSR.sstatus: return sstatusValue
        case CSR.sie: return mie & mideleg
        case CSR.stvec: return stvec
        case CSR.scounteren: return scounteren
        case CSR.senvcfg: return senvcfg
        case CSR.sscratch: return sscratch
        case CSR.sepc: return sepc
        case CSR.scause: return scause
        case CSR.stval: return stval
        case CSR.sip:
            updateInterruptLines()
            return mip & mideleg
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
        case CSR.mhpmcounter3...CSR.mhpmcounter31: return 0
        case CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3: return 0
        case CSR.tinfo: return 1  // only type 0: no triggers
        default:
            throw Trap(.illegalInstruction, UInt64(raw))
        }
    }

    /// Writes a CSR with its WARL rules. The caller has already checked access rights.
    func csrWrite(_ csr: UInt16, _ value: UInt64, raw: UInt32) throws(Trap) {
        interruptCheckNeeded = true
        switch csr {
        case CSR.sstatus:
            let mask = Mstatus.sstatusMask & Hart.mstatusWritable
            setMstatus((mstatus & ~mask) | (value & mask))
        case CSR.sie:
            mie = (mie & ~mideleg) | (value & mideleg & Hart.mieWritable)
        case CSR.stvec: stvec = value & ~2
        case CSR.scounteren: scounteren = value & 0xFFFF_FFFF
        case CSR.senvcfg: senvcfg = value & Hart.envcfgWritable
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
            guard mode == SatpMode.bare || mode == SatpMode.sv39 || mode == SatpMode.sv48 else { return }
            // ASIDLEN = 16, PPN = 44 bits.
            satp = value & ((0xF << 60) | (0xFFFF << 44) | ((1 << 44) - 1))
            flushTLB()
        case CSR.mstatus:
            setMstatus((mstatus & ~Hart.mstatusWritable) | (value & Hart.mstatusWritable))
        case CSR.misa: break  // read-only WARL
        case CSR.medeleg: medeleg = value & Hart.medelegWritable
        case CSR.mideleg: mideleg = value & Interrupt.supervisorMask
        case CSR.mie: mie = value & Hart.mieWritable
        case CSR.mtvec: mtvec = value & ~2  // MODE ≥ 2 reserved: keep bit 0 only
        case CSR.mcounteren: mcounteren = value & 0xFFFF_FFFF
        case CSR.menvcfg: menvcfg = value & (Hart.envcfgWritable | (sstc ? Hart.STCE : 0))
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
        case CSR.mhpmevent3...CSR.mhpmevent31: break  // hardwired to zero
        case CSR.mscratch: mscratch = value
        case CSR.mepc: mepc = value & ~1
        case CSR.mcause: mcause = value
        case CSR.mtval: mtval = value
        case CSR.mip:
            let writable = stimecmpDrivesSTIP ? Hart.mipWritable & ~Interrupt.STIP : Hart.mipWritable
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
        case CSR.mhpmcounter3...CSR.mhpmcounter31: break
        case CSR.tselect, CSR.tdata1, CSR.tdata2, CSR.tdata3, CSR.tinfo: break
        default:
            throw Trap(.illegalInstruction, UInt64(raw))
        }
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
        if changed & (Mstatus.SUM | Mstatus.MXR) != 0 { flushTLB() }
        if changed & (Mstatus.MPRV | Mstatus.MPP) != 0 { updateDataTLBSelection() }
        interruptCheckNeeded = true
    }
}
