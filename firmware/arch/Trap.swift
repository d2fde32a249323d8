import Shim

/// Every trap from a guest lands here (start.S saved its registers into `frame`). The
/// return value is the frame start.S enters next: the same vCPU, or another one after a
/// reschedule.
@_cdecl("fw_trap")
func fwTrap(_ frame: UnsafeMutablePointer<vcpu_frame>) -> UnsafeMutablePointer<vcpu_frame> {
    hypervisor.handleTrap(frame)
}

/// A VM exit as the handlers see it: the vCPU, mcause's code and mtval.
struct Exit {
    let vcpu: VCPU
    let code: UInt64
    let tval: UInt64
}

/// What a handler wants next: resume the same vCPU, or give the hart to the scheduler.
enum ExitAction {
    case resume, reschedule
}

/// The dispatch table by cause (Priv. §3.1.15 mcause): one handler per exit cause, as a
/// switch the compiler lowers to a jump table with direct calls (a table of closures cost
/// a context and reference counting on every exit). Causes without a handler stop the
/// domain with the fault's report.
extension Hypervisor {
    /// The handler for exception `code` (interrupt: false) or interrupt `code`, or nil.
    @inline(__always)
    func dispatchExit(_ e: Exit, interrupt: Bool) -> ExitAction? {
        if interrupt {
            switch e.code {
            case Interrupt.MTI: return exitMachineTimer(e)
            case Interrupt.MSI: return exitMachineSoftware(e)
            case Interrupt.MEI: return exitMachineExternal(e)
            default: return nil
            }
        }
        switch e.code {
        case Cause.ecallFromVS.rawValue: return exitSBI(e)
        case Cause.loadGuestPageFault.rawValue, Cause.storeGuestPageFault.rawValue,
             Cause.instructionGuestPageFault.rawValue: return exitGuestPageFault(e)
        case Cause.virtualInstruction.rawValue: return exitVirtualInstruction(e)
        default: return nil
        }
    }
}

extension Hypervisor {
    func handleTrap(_ frame: UnsafeMutablePointer<vcpu_frame>) -> UnsafeMutablePointer<vcpu_frame> {
        let cause = csr_read_mcause()
        let tval = csr_read_mtval()
        let hart = here
        guard let vcpu = hart.current, vcpu.frame == frame else {
            Log.line("vireo: trap with no vCPU on the hart")
            PowerOff.exit(3)
        }
        accountExit(frame, vcpu, hart)
        let domain = vcpu.domain
        let interrupt = cause >> 63 != 0
        let index = interrupt ? 32 + Int(cause & 15) : Int(cause & 31)
        domain.slowExits[index] &+= 1
        let exit = Exit(vcpu: vcpu, code: cause & 0x3F, tval: tval)
        // A vCPU whose domain stopped (or that was stopped) while it ran: its exceptions are
        // dropped, the hart's own interrupts handled, and the hart moves on.
        guard domain.isRunning && vcpu.state != .stopped else {
            if interrupt { _ = dispatchExit(exit, interrupt: true) }
            return enter(pickNext())
        }
        var action = ExitAction.resume
        if _slowPath(vcpu.shadow) && !interrupt {
            action = shadowException(exit)
        } else if let handled = dispatchExit(exit, interrupt: interrupt) {
            action = handled
        } else if interrupt {
            crash(domain, "unexpected interrupt " + Format.dec(exit.code))
        } else {
            crash(domain, faultReason(exit.code, pc: frame.pointee.pc, tval: tval, gpa: nil))
        }
        if action == .resume && domain.isRunning && vcpu.state == .runnable && hart.loaded === vcpu {
            if _slowPath(vcpu.shadow) { deliverVirtualInterrupt(vcpu) }
            if hart.rearmTimer { programTimer() }
            hart.enteredAt = csr_read_mcycle()
            return frame
        }
        return enter(pickNext())
    }

    /// Guest time ends at the trap; the wait for the lock is nobody's (start.S stamps
    /// both), so a hart that waits on another is not billed for it.
    func accountExit(_ frame: UnsafeMutablePointer<vcpu_frame>, _ vcpu: VCPU, _ hart: HartState) {
        let trapAt = frame.pointee.trapped, lockedAt = frame.pointee.locked
        hart.trapAt = trapAt
        vcpu.cycles &+= trapAt &- hart.enteredAt
        hart.guestCycles &+= trapAt &- hart.enteredAt
        hart.lockWaitCycles &+= lockedAt &- trapAt
        hart.chargedFrom &+= lockedAt &- trapAt
    }

    /// The slice end, a sleeping vCPU's wake-up, or (no Sstc) a guest deadline.
    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
    func exitMachineTimer(_ e: Exit) -> ExitAction {
        let now = csr_read_time()
        expireTimers(now: now)
        let preempt = wakeWaiting(now: now)
        let hart = here
        if now >= hart.sliceEnd {
            hart.measureSwitch = true
            return .reschedule
        }
        if preempt { return .reschedule }
        // The timer fired for a deadline before the slice end: arm it again, so a guest
        // spinning with its interrupts closed is still preempted (a Hypervisor II finding).
        programTimer()
        return .resume
    }

    /// Another hart kicked this one: interrupts raised for the loaded vCPU, fence
    /// requests, or vCPUs of this hart that became ready.
    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
    func exitMachineSoftware(_ e: Exit) -> ExitAction {
        let hart = here
        CLINT.setSoftwareInterrupt(hart: hart.id, 0)
        serviceMailbox()
        // remotePending stays 0 for a shadow vCPU (setPending uses its virtual sip).
        if let v = hart.loaded, v.remotePending != 0 {
            csr_set_hvip(v.remotePending)
            v.remotePending = 0
        }
        if wakeWaiting(now: csr_read_time()) { return .reschedule }
        programTimer()
        return .resume
    }

    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
    func exitSBI(_ e: Exit) -> ExitAction {
        e.vcpu.frame.pointee.pc &+= 4
        return handleSBI(e.vcpu)
    }

    /// A guest load, store or fetch that missed its G-stage tables (Priv. §18.5.1). A
    /// registered device (vdev/) emulates it; anything else goes back to the guest as the
    /// access fault the hardware raises natively for an address with nothing behind it
    /// (§3.7, the PMA/PMP checks: causes 1, 5 and 7, with the same tval), including the
    /// implicit accesses of the guest's own page walk, which fault as the access that
    /// caused them. Only when the guest cannot take that trap is the domain stopped.
    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
    func exitGuestPageFault(_ e: Exit) -> ExitAction {
        let gpa = (csr_read_mtval2() << 2) | (e.tval & 3)
        let vcpu = e.vcpu
        let pc = vcpu.frame.pointee.pc
        let fetch = e.code == Cause.instructionGuestPageFault.rawValue
        let store = e.code == Cause.storeGuestPageFault.rawValue
        if !fetch, emulateMMIO(vcpu, gpa: gpa, store: store) { return .resume }
        let cause = fetch ? Cause.instructionAccessFault : store ? Cause.storeAccessFault : Cause.loadAccessFault
        if let why = cannotTake(vcpu, pc: pc) {
            crash(vcpu.domain, faultReason(e.code, pc: pc, tval: e.tval, gpa: gpa) + ", " + why)
            return .reschedule
        }
        vcpu.domain.reflected &+= 1
        injectException(vcpu, cause: cause.rawValue, tval: e.tval)
        return .resume
    }

    /// Why the guest cannot take a trap raised at `pc`, or nil when it can: its trap vector
    /// is the very address that faulted (the handler is unreachable, so the trap would loop),
    /// or, with its MMU off, the vector lies outside its RAM.
    func cannotTake(_ vcpu: VCPU, pc: UInt64) -> String? {
        let vector = csr_read_vstvec() & ~3
        if vector == pc { return "and its trap vector points there" }
        if csr_read_vsatp() >> 60 == 0, vcpu.domain.hostAddress(gpa: vector, length: 4) == nil {
            return "and its trap vector " + Format.hex(vector) + " is outside its RAM"
        }
        return nil
    }

    /// Virtual-instruction exceptions (Priv. §18.6.1): WFI in VS-mode with hstatus.VTW
    /// makes the vCPU yield. Anything else, WFI in VU-mode included (natively an illegal
    /// instruction in U-mode, §3.3.3), is an illegal instruction to the guest.
    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
    func exitVirtualInstruction(_ e: Exit) -> ExitAction {
        let vcpu = e.vcpu
        // mtval holds the instruction bits (Priv. §18.6.1); a hart that writes 0 there gets
        // the instruction read from the guest's code instead.
        var insn = e.tval
        if insn == 0 {
            var low: UInt64 = 0, high: UInt64 = 0
            if guarded_hlvx_hu(vcpu.frame.pointee.pc, &low) == 0, guarded_hlvx_hu(vcpu.frame.pointee.pc &+ 2, &high) == 0 {
                insn = low | high << 16
            }
        }
        if insn == 0x1050_0073 && vcpu.guestPrivilege == 1 {
            vcpu.frame.pointee.pc &+= 4
            vcpu.state = .waiting
            consoleFlush(vcpu.domain)      // a prompt shows before the guest sleeps
            return .reschedule
        }
        injectException(vcpu, cause: Cause.illegalInstruction.rawValue, tval: insn)
        return .resume
    }

    /// "load guest-page fault at pc 0x…, tval 0x… (guest-physical 0x…)".
    func faultReason(_ cause: UInt64, pc: UInt64, tval: UInt64, gpa: UInt64?) -> String {
        var s = Cause(rawValue: cause)?.name ?? "exception " + Format.dec(cause)
        s += " at pc " + Format.hex(pc) + ", tval " + Format.hex(tval)
        if let gpa { s += " (guest-physical " + Format.hex(gpa) + ")" }
        return s
    }

    /// Emulates a load or store on a registered device region (vdev/MMIORegistry.swift).
    func emulateMMIO(_ vcpu: VCPU, gpa: UInt64, store: Bool) -> Bool {
        guard let region = vcpu.domain.mmio.find(gpa) else { return false }
        let f = vcpu.frame
        guard let access = MMIOAccess.fetch(tinst: csr_read_mtinst(), pc: f.pointee.pc, vcpu: vcpu), access.isStore == store else {
            return false
        }
        return performMMIO(vcpu, region, offset: gpa - region.base, access)
    }

    /// Carries out a decoded load or store at `offset` in a device region: the register
    /// written or the value stored, and the pc stepped over the instruction. False when the
    /// access does not fit the region or the device refuses it (nothing changed then).
    func performMMIO(_ vcpu: VCPU, _ region: MMIORegion, offset: UInt64, _ access: MMIOAccess) -> Bool {
        guard offset &+ access.width <= region.size else { return false }
        if access.isStore {
            guard region.write(self, vcpu, offset, access.width, vcpu.register(access.register)) else { return false }
        } else {
            guard let raw = region.read(self, vcpu, offset, access.width) else { return false }
            vcpu.setRegister(access.register, access.extend(raw))
        }
        vcpu.frame.pointee.pc &+= access.length
        return true
    }
}
