import Shim

/// The classic trap-and-emulate VMM (issue 17; docs/popek-goldberg.md): a shadow-mode
/// guest's kernel runs in real U-mode with medeleg 0, so every exception it takes comes
/// here, and the firmware carries out its privileged instructions on its virtual S-mode
/// (FirmwareKit `VirtualSupervisor`), reflects the traps that are the guest's own into it,
/// and delivers its virtual interrupts when it can take them.
///
/// Built so far: the guest's MMU-off phase, on the tables that map its physical memory
/// (`Domain.physicalSATP`). A guest that turns on translation (satp MODE ≠ 0) is stopped
/// with a clear reason: shadow tables for its own page tables (FirmwareKit
/// `ShadowPaging`/`ShadowCache`) are not wired in yet.
extension Hypervisor {
    /// An exception from a shadow-mode vCPU (interrupts go through `dispatchExit`). Out of
    /// line, like the other exit handlers: the two-stage path's exits stay as they were.
    @inline(never)
    func shadowException(_ e: Exit) -> ExitAction {
        let vcpu = e.vcpu
        let f = vcpu.frame
        switch e.code {
        case Cause.ecallFromU.rawValue:
            // From the guest's kernel: an SBI call. From its U-mode: the kernel's ecall trap.
            guard vcpu.virtualS.privilege == 1 else { return reflect(vcpu, cause: Cause.ecallFromU.rawValue, tval: 0) }
            f.pointee.pc &+= 4
            return handleSBI(vcpu)
        case Cause.illegalInstruction.rawValue:
            return emulatePrivileged(vcpu, insn: e.tval)
        case Cause.loadPageFault.rawValue, Cause.storePageFault.rawValue, Cause.instructionPageFault.rawValue:
            // With its MMU off, an address with nothing in the physical map: a device the
            // firmware emulates, or the access fault a hart raises there.
            let store = e.code == Cause.storePageFault.rawValue
            if e.code != Cause.instructionPageFault.rawValue, emulateShadowMMIO(vcpu, address: e.tval, store: store) {
                return .resume
            }
            let cause = e.code == Cause.instructionPageFault.rawValue ? Cause.instructionAccessFault
                : store ? Cause.storeAccessFault : Cause.loadAccessFault
            return reflect(vcpu, cause: cause.rawValue, tval: e.tval)
        default:
            // Misaligned accesses, breakpoints, access faults: the guest's own.
            return reflect(vcpu, cause: e.code, tval: e.tval)
        }
    }

    /// An illegal instruction from the guest: one of its kernel's privileged instructions
    /// (carried out on its virtual S-mode), or its own illegal instruction (reflected).
    func emulatePrivileged(_ vcpu: VCPU, insn raw: UInt64) -> ExitAction {
        let f = vcpu.frame
        var insn = UInt32(truncatingIfNeeded: raw)
        // mtval 0 is also what the illegal compressed instruction 0x0000 gives; read the code
        // (with the MMU off the pc is guest-physical), 16 bits for a compressed one.
        if insn == 0, let code = vcpu.domain.hostAddress(gpa: f.pointee.pc, length: 4) {
            insn = UnsafeRawPointer(bitPattern: UInt(code))!.loadUnaligned(as: UInt32.self)
            if insn & 3 != 3 { insn &= 0xFFFF }
        }
        guard let op = VirtualSupervisor.decode(insn) else {
            return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
        }
        switch op {
        case .csr(let function, let rd, let source, let immediate, let csr):
            let operand = immediate ? source : vcpu.register(Int(source))
            guard let old = vcpu.virtualS.execute(function: function, csr: csr, operand: operand, writes: source != 0,
                                                  satpModes: [0, 8]) else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            if csr == VirtualSupervisor.CSRNumber.satp && vcpu.virtualS.satp >> 60 != 0 {
                crash(vcpu.domain, "turned on Sv39 translation; shadow page tables are not wired into the firmware yet")
                return .reschedule
            }
            vcpu.setRegister(rd, old)
            f.pointee.pc &+= 4
        case .sret:
            guard let pc = vcpu.virtualS.sret() else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            f.pointee.pc = pc
        case .wfi:
            guard vcpu.virtualS.privilege == 1 else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            f.pointee.pc &+= 4
            if vcpu.hasPendingInterrupt(now: csr_read_time(), sstc: platform.hasSstc) { return .resume }
            vcpu.state = .waiting
            consoleFlush(vcpu.domain)
            return .reschedule
        case .sfenceVMA:
            guard vcpu.virtualS.privilege == 1 else {
                return reflect(vcpu, cause: Cause.illegalInstruction.rawValue, tval: UInt64(insn))
            }
            f.pointee.pc &+= 4            // nothing is cached with the MMU off
        }
        return .resume
    }

    /// Enters the guest's trap handler (its stvec) for an exception of its own.
    func reflect(_ vcpu: VCPU, cause: UInt64, tval: UInt64) -> ExitAction {
        let f = vcpu.frame
        let vector = vcpu.virtualS.stvec & ~3
        if vector == f.pointee.pc || vcpu.domain.hostAddress(gpa: vector, length: 4) == nil {
            crash(vcpu.domain, faultReason(cause, pc: f.pointee.pc, tval: tval, gpa: nil)
                  + (vector == f.pointee.pc ? ", and its trap vector points there" : ", and its trap vector " + Format.hex(vector) + " is outside its RAM"))
            return .reschedule
        }
        vcpu.domain.reflected &+= 1
        f.pointee.pc = vcpu.virtualS.takeTrap(cause: cause, tval: tval, pc: f.pointee.pc)
        return .resume
    }

    /// Before a shadow-mode vCPU resumes (every exit that resumes it, and `enter`): its
    /// highest pending virtual interrupt is delivered when it can take it now, and the
    /// hart's scounteren is set for the virtual privilege it resumes in — its kernel reads
    /// the counters freely (S-mode ignores scounteren), its user programs as the kernel's
    /// scounteren allows.
    @inline(never)
    func deliverVirtualInterrupt(_ vcpu: VCPU) {
        defer { csr_write_scounteren(vcpu.virtualS.privilege == 1 ? 7 : vcpu.virtualS.scounteren & 7) }
        if vcpu.shadowDeadline <= csr_read_time() {
            vcpu.shadowDeadline = UInt64.max
            vcpu.virtualS.sip |= VirtualSupervisor.STIP
        }
        guard let cause = vcpu.virtualS.pendingInterrupt() else { return }
        let f = vcpu.frame
        f.pointee.pc = vcpu.virtualS.takeTrap(cause: cause, tval: 0, pc: f.pointee.pc)
    }

    /// A load or store at an emulated device with the guest's MMU off: the instruction is
    /// read from its code (the pc is a guest-physical address) and must address exactly
    /// the faulting byte.
    func emulateShadowMMIO(_ vcpu: VCPU, address: UInt64, store: Bool) -> Bool {
        let f = vcpu.frame
        guard let region = vcpu.domain.mmio.find(address),
              let code = vcpu.domain.hostAddress(gpa: f.pointee.pc, length: 2) else { return false }
        var insn = UInt64(UnsafeRawPointer(bitPattern: UInt(code))!.loadUnaligned(as: UInt16.self))
        if insn & 3 == 3 {
            guard let upper = vcpu.domain.hostAddress(gpa: f.pointee.pc &+ 2, length: 2) else { return false }
            insn |= UInt64(UnsafeRawPointer(bitPattern: UInt(upper))!.loadUnaligned(as: UInt16.self)) << 16
        }
        guard let access = MMIOAccess.decode(insn, transformed: false), access.isStore == store, access.base >= 0,
              vcpu.register(access.base) &+ UInt64(bitPattern: access.offset) == address else { return false }
        let offset = address - region.base
        guard offset &+ access.width <= region.size else { return false }
        if store {
            guard region.write(self, vcpu, offset, access.width, vcpu.register(access.register)) else { return false }
        } else {
            guard let raw = region.read(self, vcpu, offset, access.width) else { return false }
            vcpu.setRegister(access.register, access.extend(raw))
        }
        f.pointee.pc &+= access.length
        return true
    }
}
