/// HSM (SBI §9) over the domain's vCPUs.
extension Hypervisor {
    func sbiHSM(_ c: SBICall) -> SBIResult {
        let domain = c.domain
        let vcpu = c.vcpu
        switch c.fid {
        case SBI.HSM.hartStart:
            guard c.a0 < UInt64(domain.vcpus.count) else { return .fail(SBI.errInvalidParam) }
            let target = domain.vcpus[Int(c.a0)]
            guard target.state == .stopped else { return .fail(SBI.errAlreadyAvailable) }
            guard domain.hostAddress(gpa: c.a1, length: 2) != nil else { return .fail(SBI.errInvalidAddress) }
            for h in harts where h.loaded === target { h.loaded = nil }
            target.reset(pc: c.a1, opaque: c.a2)
            return .ok()
        case SBI.HSM.hartStop:
            vcpu.state = .stopped
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
