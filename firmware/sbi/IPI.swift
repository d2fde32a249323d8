/// IPI (SBI §7): send_ipi sets VSSIP in each named vCPU of the caller's domain.
extension Hypervisor {
    func sbiIPI(_ c: SBICall) -> SBIResult {
        guard c.fid == SBI.ipiSendIPI else { return .notSupported }
        guard let targets = HartMask(mask: c.a0, base: c.a1).targets(count: c.domain.vcpus.count) else {
            return .fail(SBI.errInvalidParam)
        }
        for id in targets { setPending(c.domain.vcpus[id], Interrupt.VSSIP) }
        return .ok()
    }
}
