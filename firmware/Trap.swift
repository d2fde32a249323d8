import Shim

/// Every trap from a guest lands here (start.S saved its registers into `frame`). The
/// return value is the frame start.S enters next: the same vCPU, or another one after a
/// reschedule.
@_cdecl("fw_trap")
func fwTrap(_ frame: UnsafeMutablePointer<vcpu_frame>) -> UnsafeMutablePointer<vcpu_frame> {
    hypervisor.handleTrap(frame)
}

extension Hypervisor {
    func handleTrap(_ frame: UnsafeMutablePointer<vcpu_frame>) -> UnsafeMutablePointer<vcpu_frame> {
        let cause = csr_read_mcause()
        let tval = csr_read_mtval()
        guard let vcpu = current, vcpu.frame == frame else {
            Log.line("vireo: trap with no vCPU on the hart")
            board_exit(3)
        }
        vcpu.cycles &+= csr_read_mcycle() &- enteredAt
        let domain = vcpu.domain
        var reschedule = false
        if cause >> 63 != 0 {
            let code = cause & 0x3F
            domain.exits[32 + Int(code & 15)] &+= 1
            switch code {
            case Interrupt.MTI:
                setTimer(UInt64.max)
                let now = csr_read_time()
                expireTimers(now: now)
                if now >= sliceEnd {
                    sliceEnd = now &+ slice
                    reschedule = true
                }
            case Interrupt.MSI:
                clearSoftwareInterrupt()
            default:
                crash(domain, "unexpected interrupt " + Format.dec(code))
            }
        } else {
            domain.exits[Int(cause & 31)] &+= 1
            switch cause {
            case Cause.ecallFromVS.rawValue:
                frame.pointee.pc &+= 4
                reschedule = handleSBI(vcpu)
            case Cause.loadGuestPageFault.rawValue, Cause.storeGuestPageFault.rawValue:
                let gpa = (csr_read_mtval2() << 2) | (tval & 3)
                if !emulateMMIO(vcpu, gpa: gpa, store: cause == Cause.storeGuestPageFault.rawValue) {
                    crash(domain, faultReason(cause, pc: frame.pointee.pc, tval: tval, gpa: gpa))
                }
            case Cause.instructionGuestPageFault.rawValue:
                let gpa = (csr_read_mtval2() << 2) | (tval & 3)
                crash(domain, faultReason(cause, pc: frame.pointee.pc, tval: tval, gpa: gpa))
            case Cause.virtualInstruction.rawValue:
                if tval == 0x1050_0073 {            // WFI with hstatus.VTW: the vCPU yields
                    frame.pointee.pc &+= 4
                    vcpu.state = .waiting
                    consoleFlush(domain)      // a prompt shows before the guest sleeps
                    reschedule = true
                } else {
                    injectException(vcpu, cause: Cause.illegalInstruction.rawValue, tval: tval)
                }
            default:
                crash(domain, faultReason(cause, pc: frame.pointee.pc, tval: tval, gpa: nil))
            }
        }
        if !reschedule && domain.isRunning && vcpu.state == .runnable {
            enteredAt = csr_read_mcycle()
            return frame
        }
        return enter(pickNext())
    }

    /// "load guest-page fault at pc 0x…, address 0x… (guest-physical 0x…)".
    func faultReason(_ cause: UInt64, pc: UInt64, tval: UInt64, gpa: UInt64?) -> String {
        var s = Cause(rawValue: cause)?.name ?? "exception " + Format.dec(cause)
        s += " at pc " + Format.hex(pc) + ", tval " + Format.hex(tval)
        if let gpa { s += " (guest-physical " + Format.hex(gpa) + ")" }
        return s
    }

    /// Delivers an exception to the guest's own handler, as a trap into VS-mode would
    /// (Priv. §18.6.2 / §12.1.1: vsepc, vscause, vstval, vsstatus.SPP/SPIE/SIE, pc =
    /// vstvec's base). The vCPU is the loaded one, so the VS CSRs are on the hart.
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

    func clearSoftwareInterrupt() {
        let hart = csr_read_mhartid()
        UnsafeMutablePointer<UInt32>(bitPattern: UInt(platform.clint &+ 4 &* hart))!.pointee = 0
    }

    /// A guest load or store that missed its G-stage tables: emulated when it hits the
    /// virtual UART, otherwise false (the caller stops the domain).
    func emulateMMIO(_ vcpu: VCPU, gpa: UInt64, store: Bool) -> Bool {
        let domain = vcpu.domain
        guard gpa >= VirtualUART.base && gpa < VirtualUART.base + VirtualUART.size else { return false }
        let f = vcpu.frame
        guard let access = MMIOAccess.fetch(tinst: csr_read_mtinst(), pc: f.pointee.pc), access.isStore == store else {
            return false
        }
        let offset = gpa - VirtualUART.base
        if access.isStore {
            if let byte = domain.uart.write(offset: offset, value: UInt8(truncatingIfNeeded: vcpu.register(access.register))) {
                consoleWrite(domain, byte)
            }
        } else {
            if offset == 0 { consoleFlush(domain) }
            let hasInput = domain.id == 0 && UART.hasInput
            let byte = domain.uart.read(offset: offset, inputReady: hasInput) { UART.get() ?? 0 }
            let value = access.signExtend ? UInt64(bitPattern: Int64(Int8(bitPattern: byte))) : UInt64(byte)
            vcpu.setRegister(access.register, value)
        }
        f.pointee.pc &+= access.length
        return true
    }
}
