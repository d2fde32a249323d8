/// IPI (SBI §7): send_ipi sets VSSIP in each named vCPU of the caller's domain.
extension Hypervisor {
    func sbiIPI(_ c: SBICall) -> SBIResult {
        guard c.fid == SBI.ipiSendIPI else { return .notSupported }
        let vcpus = c.domain.vcpus
        let valid = HartMask(mask: c.a0, base: c.a1).forEachTarget(count: vcpus.count) {
            setPending(vcpus[$0], Interrupt.VSSIP)
        }
        return valid ? .ok() : .fail(SBI.errInvalidParam)
    }
}
