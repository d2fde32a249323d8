/// HSM (SBI §9) over the domain's vCPUs, which may sit on any hart.
extension Hypervisor {
    func sbiHSM(_ c: SBICall) -> SBIResult {
        let domain = c.domain
        let vcpu = c.vcpu
        switch c.fid {
        case SBI.HSM.hartStart:
            guard c.a0 < UInt64(domain.vcpus.count) else { return .fail(SBI.errInvalidParam) }
            let target = domain.vcpus[Int(c.a0)]
            guard target.state == .stopped else { return .fail(SBI.errAlreadyAvailable) }
            // start_addr must be an address the hart could fetch from: in guest RAM and
            // aligned to IALIGN (16 bits with C; SBI §9.1 SBI_ERR_INVALID_ADDRESS).
            guard c.a1 & 1 == 0, domain.hostAddress(gpa: c.a1, length: 2) != nil else { return .fail(SBI.errInvalidAddress) }
            for h in harts where h.loaded === target { h.loaded = nil }
            target.reset(pc: c.a1, opaque: c.a2)
            makeReady(target)
            kick(harts[target.hart])
            return .ok()
        case SBI.HSM.hartStop:
            vcpu.state = .stopped
            checkAllStopped(domain)
            return SBIResult(action: .reschedule)
        case SBI.HSM.hartGetStatus:
            guard c.a0 < UInt64(domain.vcpus.count) else { return .fail(SBI.errInvalidParam) }
            let target = domain.vcpus[Int(c.a0)]
            // A vCPU in WFI is still STARTED; only hart_suspend makes it SUSPENDED (SBI §9).
            let status = target.state == .stopped ? SBI.HSM.stopped
                : target.state == .waiting && target.suspended ? SBI.HSM.suspended : SBI.HSM.started
            return .ok(status)
        case SBI.HSM.hartSuspend:
            // Default retentive suspend (type 0) behaves as WFI; non-retentive is not offered.
            if c.a0 == 0 {
                vcpu.state = .waiting
                vcpu.suspended = true
                return SBIResult(action: .reschedule)
            }
            if c.a0 == 0x8000_0000 { return .notSupported }
            return .fail(SBI.errInvalidParam)
        default:
            return .notSupported
        }
    }
}
