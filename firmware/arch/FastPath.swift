import Shim

/// start.S's MMIO fast path: a guest load or store at its emulated UART or PLIC (the two
/// devices every domain has, at fixed addresses), with the frame saved and the lock held
/// as for any exit; start.S passes the guest-physical address, mtinst and mcause. It
/// emulates the access without the exit dispatch, the per-exit accounting and the resume
/// checks of `handleTrap`: returns the frame to enter (this one, pc stepped), or nil when
/// it declines and `fw_trap` is to handle the exit as usual (docs/fast-paths.md).
@_cdecl("fw_fast_mmio")
func fwFastMMIO(_ frame: UnsafeMutablePointer<vcpu_frame>, _ gpa: UInt64, _ tinst: UInt64,
                _ cause: UInt64) -> UnsafeMutablePointer<vcpu_frame>? {
    // The frame's owner, without reference counting: the vCPU outlives every trap of its
    // frame (a destroyed domain's vCPUs are dropped only once no hart runs them).
    guard let owner = frame.pointee.owner else { return nil }
    unowned(unsafe) let vcpu = Unmanaged<VCPU>.fromOpaque(UnsafeRawPointer(owner)).takeUnretainedValue()
    return hypervisor.fastMMIO(frame, vcpu, gpa: gpa, tinst: tinst, store: cause == Cause.storeGuestPageFault.rawValue)
}

extension Hypervisor {
    func fastMMIO(_ frame: UnsafeMutablePointer<vcpu_frame>, _ vcpu: VCPU, gpa: UInt64, tinst: UInt64,
                  store: Bool) -> UnsafeMutablePointer<vcpu_frame>? {
        unowned(unsafe) let domain = vcpu.domain
        guard vcpu.frame == frame, domain.isRunning, vcpu.state == .runnable else { return nil }
        // Only a transformed instruction (Priv. §18.6.3) is decoded here: a pseudoinstruction
        // (the guest's own page walk) or none at all goes the general way.
        guard tinst & 1 == 1, let access = MMIOAccess.decode(tinst, transformed: true), access.isStore == store else {
            return nil
        }
        let uart = gpa &- VirtualUART.base < VirtualUART.size
        let offset = uart ? gpa &- VirtualUART.base : gpa &- VirtualPLIC.base
        guard offset &+ access.width <= (uart ? VirtualUART.size : VirtualPLIC.size) else { return nil }
        if store {
            let value = vcpu.register(access.register)
            let ok = uart ? VirtualUART.write(self, vcpu, offset, access.width, value)
                          : VirtualPLIC.write(self, vcpu, offset, access.width, value)
            guard ok else { return nil }       // refused: the access fault, the general way
            frame.pointee.fast_store &+= 1
        } else {
            let raw = uart ? VirtualUART.read(self, vcpu, offset, access.width)
                           : VirtualPLIC.read(self, vcpu, offset, access.width)
            guard let raw else { return nil }
            vcpu.setRegister(access.register, access.extend(raw))
            frame.pointee.fast_load &+= 1
        }
        frame.pointee.pc &+= access.length
        // The wait for the lock is nobody's time, as on the full path (the vCPU's fair
        // share is charged from `chargedFrom`).
        let hart = here
        let wait = frame.pointee.locked &- frame.pointee.trapped
        hart.lockWaitCycles &+= wait
        hart.chargedFrom &+= wait
        if hart.rearmTimer { programTimer() }
        if domain.isRunning && vcpu.state == .runnable { return frame }
        // The access stopped the vCPU's domain (nothing does today): bill its time as an
        // exit would and give the hart to the scheduler.
        hart.chargedFrom &-= wait          // accountExit takes the wait off again
        hart.lockWaitCycles &-= wait
        accountExit(frame, vcpu, hart)
        return enter(pickNext())
    }
}
