import RISCV

extension Hart {
    /// Takes a trap (Priv. §3.1.6.1, §3.3.1, §12.1.1; H "Trap Entry"): chooses M, HS or VS by
    /// medeleg/mideleg and then hedeleg/hideleg, saves the pc, cause and tval (and with H
    /// the second trap value, trap instruction, MPV/SPV/SPVP and GVA), stacks the interrupt
    /// enables and jumps to the vector. `epc` is the address of the instruction that trapped
    /// (or the next one to run, for an interrupt).
    func takeTrap(interrupt: Bool, code: UInt64, tval: UInt64, epc: UInt64,
                  tval2: UInt64 = 0, tinst: UInt64 = 0, gva: Bool = false) {
        cycles &+= CycleModel.trapEntry
        let from = mode.rawValue
        // One trace event per trap, beside the --stats counters below (so their counts agree),
        // once the hart is in the handler's mode.
        defer {
            if let t = traceEvents {
                t.trap(self, interrupt: interrupt, code: code, tval: tval, epc: epc, from: ExecutionMode(rawValue: from) ?? .m)
            }
        }
        if interrupt {
            stats.interrupts[Int(code & 63)] &+= 1
            stats.interruptsFrom[from][Int(code & 63)] &+= 1
        } else {
            stats.exceptions[Int(code & 63)] &+= 1
            stats.exceptionsFrom[from][Int(code & 63)] &+= 1
        }
        reservation = .max
        waitingForInterrupt = false
        interruptCheckNeeded = true
        let cause = interrupt ? (1 << 63) | code : code
        let deleg = interrupt ? mideleg : medeleg
        if priv != .machine && (deleg >> code) & 1 == 1 {
            let hdeleg = interrupt ? hideleg : hedeleg
            if virt && (hdeleg >> code) & 1 == 1 {
                // Into VS-mode: V stays 1; VS-level interrupts show the supervisor codes.
                let vcode = interrupt ? Hart.vsInterruptCode(code) : code
                vscause = interrupt ? (1 << 63) | vcode : vcode
                vsepc = epc
                vstval = tval
                var s = vsstatus
                s = (s & ~Mstatus.SPIE) | ((s & Mstatus.SIE) != 0 ? Mstatus.SPIE : 0)
                s &= ~Mstatus.SIE
                s = (s & ~Mstatus.SPP) | (priv == .supervisor ? Mstatus.SPP : 0)
                vsstatus = s
                pc = vector(vstvec, interrupt: interrupt, code: vcode)
                setPrivilege(.supervisor, virtual: true)
                return
            }
            if virt { stats.vmExits[Int(code & 63) + (interrupt ? 64 : 0)] &+= 1 }
            scause = cause
            sepc = epc
            stval = tval
            if h {
                htval = tval2
                htinst = tinst
                var hs = hstatus & ~(Hstatus.SPV | Hstatus.GVA)
                if virt {
                    hs |= Hstatus.SPV
                    hs = (hs & ~Hstatus.SPVP) | (priv == .supervisor ? Hstatus.SPVP : 0)
                }
                if gva { hs |= Hstatus.GVA }
                hstatus = hs
            }
            var s = mstatus
            s = (s & ~Mstatus.SPIE) | ((s & Mstatus.SIE) != 0 ? Mstatus.SPIE : 0)
            s &= ~Mstatus.SIE
            s = (s & ~Mstatus.SPP) | (priv == .supervisor ? Mstatus.SPP : 0)
            mstatus = s
            pc = vector(stvec, interrupt: interrupt, code: code)
            setPrivilege(.supervisor, virtual: false)
        } else {
            if virt {
                stats.vmExits[Int(code & 63) + (interrupt ? 64 : 0)] &+= 1
                if let p = exitProfile {
                    let ecall = !interrupt && code == Cause.ecallFromVS.rawValue
                    p.open(self, at: cycles &- CycleModel.trapEntry, index: Int(code & 63) + (interrupt ? 64 : 0),
                           sbiExtension: ecall ? x[17] : nil)
                }
            }
            mcause = cause
            mepc = epc
            mtval = tval
            var s = mstatus
            if h {
                mtval2 = tval2
                mtinst = tinst
                s &= ~(Mstatus.MPV | Mstatus.GVA)
                if virt { s |= Mstatus.MPV }
                if gva { s |= Mstatus.GVA }
            }
            s = (s & ~Mstatus.MPIE) | ((s & Mstatus.MIE) != 0 ? Mstatus.MPIE : 0)
            s &= ~Mstatus.MIE
            s = (s & ~Mstatus.MPP) | (UInt64(priv.rawValue) << Mstatus.MPPShift)
            mstatus = s
            pc = vector(mtvec, interrupt: interrupt, code: code)
            setPrivilege(.machine)
        }
    }

    private func vector(_ tvec: UInt64, interrupt: Bool, code: UInt64) -> UInt64 {
        let base = tvec & ~3
        return interrupt && tvec & 1 == 1 ? base &+ 4 &* code : base
    }

    /// Raises a synchronous exception for the instruction at `epc` whose bits are `raw`
    /// (0 when the fetch itself failed). With H, works out GVA, the guest physical address
    /// for htval/mtval2 (shifted right by 2) and the trap instruction for htinst/mtinst.
    func raise(_ trap: Trap, epc: UInt64, raw: UInt32 = 0) {
        lastTrap = trap
        var tval2: UInt64 = 0
        var tinst: UInt64 = 0
        var gva = false
        if h {
            let c = trap.cause
            let guestPageFault = c == .instructionGuestPageFault || c == .loadGuestPageFault || c == .storeGuestPageFault
            if guestPageFault { tval2 = faultGPA >> 2 }
            switch c {
            case .instructionAddressMisaligned, .instructionAccessFault, .breakpoint, .instructionPageFault:
                gva = virt
            case .instructionGuestPageFault:
                // Only the pseudoinstruction of a faulting VS-stage page-table access (a
                // fetch has no transformed form).
                gva = virt
                tinst = faultTinst
            case .loadAddressMisaligned, .loadAccessFault, .storeAddressMisaligned, .storeAccessFault,
                 .loadPageFault, .storePageFault, .loadGuestPageFault, .storeGuestPageFault:
                gva = dataVirtual || hypervisorAccess
                tinst = guestPageFault && faultTinst != 0 ? faultTinst : Hart.transformedInstruction(raw, faultAddress: trap.tval, x: x)
            default:
                break
            }
        }
        faultGPA = 0
        faultTinst = 0
        hypervisorAccess = false
        takeTrap(interrupt: false, code: trap.cause.rawValue, tval: trap.tval, epc: epc, tval2: tval2, tinst: tinst, gva: gva)
    }

    /// The transformed instruction for htinst/mtinst (H "Transformed Instruction or
    /// Pseudoinstruction"): for loads, stores, AMOs and HLV/HSV, the instruction with its
    /// immediate zeroed and rs1 replaced by the offset of the faulting address within the
    /// access; a compressed instruction is expanded and gets bit 1 cleared. 0 otherwise.
    static func transformedInstruction(_ raw: UInt32, faultAddress: UInt64, x: UnsafeMutablePointer<UInt64>) -> UInt64 {
        guard raw != 0 else { return 0 }
        let d = decode(raw)
        let rd = UInt32(d.rd == sinkRegister ? 0 : d.rd)
        let compressed: UInt32 = raw & 3 == 3 ? 0 : 2
        let base = x[Int(d.rs1)]
        func offset(_ address: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (faultAddress &- address) & 0x1F) }
        let word: UInt32
        switch d.op {
        case .lb, .lh, .lw, .ld, .lbu, .lhu, .lwu, .cLw, .cLd:
            let f3: UInt32
            switch d.op {
            case .lb: f3 = 0
            case .lh: f3 = 1
            case .lw, .cLw: f3 = 2
            case .ld, .cLd: f3 = 3
            case .lbu: f3 = 4
            case .lhu: f3 = 5
            default: f3 = 6
            }
            word = (offset(base &+ d.immediate) << 15) | (f3 << 12) | (rd << 7) | 0x03
        case .sb, .sh, .sw, .sd, .cSw, .cSd:
            let f3: UInt32
            switch d.op {
            case .sb: f3 = 0
            case .sh: f3 = 1
            case .sw, .cSw: f3 = 2
            default: f3 = 3
            }
            word = (UInt32(d.rs2) << 20) | (offset(base &+ d.immediate) << 15) | (f3 << 12) | 0x23
        case .lrW, .scW, .lrD, .scD,
             .amoswapW, .amoaddW, .amoxorW, .amoandW, .amoorW, .amominW, .amomaxW, .amominuW, .amomaxuW,
             .amoswapD, .amoaddD, .amoxorD, .amoandD, .amoorD, .amominD, .amomaxD, .amominuD, .amomaxuD,
             .hlv, .hsv:
            word = (raw & ~(0x1F << 15)) | (offset(base) << 15)
        default:
            return 0
        }
        return UInt64(word & ~compressed)
    }

    /// MRET (Priv. §3.3.2; H "Trap Return"): V becomes MPV unless MPP = M. The caller has
    /// checked that the hart is in M-mode.
    func doMret() {
        let mpp = (mstatus >> Mstatus.MPPShift) & 3
        let mpv = mstatus & Mstatus.MPV != 0 && mpp != 3
        var s = mstatus
        s = (s & ~Mstatus.MIE) | ((s & Mstatus.MPIE) != 0 ? Mstatus.MIE : 0)
        s |= Mstatus.MPIE
        s &= ~Mstatus.MPP  // least-privileged mode: U
        s &= ~Mstatus.MPV
        if mpp != 3 { s &= ~Mstatus.MPRV }
        mstatus = s
        pc = mepc
        setPrivilege(Privilege(rawValue: UInt8(mpp)) ?? .user, virtual: mpv)
        interruptCheckNeeded = true
    }

    /// SRET (Priv. §3.3.2, §12.1.1; H "Trap Return"). With V=0 the new mode comes from
    /// sstatus.SPP and hstatus.SPV; with V=1 (VS-mode) from vsstatus.SPP, and V stays 1.
    /// The caller has checked privilege, TSR and VTSR.
    func doSret() {
        if virt {
            let spp = (vsstatus & Mstatus.SPP) != 0
            var s = vsstatus
            s = (s & ~Mstatus.SIE) | ((s & Mstatus.SPIE) != 0 ? Mstatus.SIE : 0)
            s |= Mstatus.SPIE
            s &= ~Mstatus.SPP
            vsstatus = s
            pc = vsepc
            setPrivilege(spp ? .supervisor : .user, virtual: true)
            interruptCheckNeeded = true
            return
        }
        let spp = (mstatus & Mstatus.SPP) != 0
        let spv = h && hstatus & Hstatus.SPV != 0
        var s = mstatus
        s = (s & ~Mstatus.SIE) | ((s & Mstatus.SPIE) != 0 ? Mstatus.SIE : 0)
        s |= Mstatus.SPIE
        s &= ~Mstatus.SPP
        s &= ~Mstatus.MPRV  // the new privilege is never M
        mstatus = s
        hstatus &= ~Hstatus.SPV
        pc = sepc
        setPrivilege(spp ? .supervisor : .user, virtual: spv)
        interruptCheckNeeded = true
    }
}
