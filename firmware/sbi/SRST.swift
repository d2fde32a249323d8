/// SRST (SBI §10): a guest's shutdown or reboot acts on its own domain only.
extension Hypervisor {
    func sbiSRST(_ c: SBICall) -> SBIResult {
        guard c.fid == SBI.SRST.systemReset else { return .notSupported }
        guard c.a1 <= SBI.SRST.reasonFailure || c.a1 >= 0xF000_0000 && c.a1 <= 0xFFFF_FFFF else {
            return .fail(SBI.errInvalidParam)
        }
        switch c.a0 {
        case SBI.SRST.shutdown:
            shutdown(c.domain, failure: c.a1 == SBI.SRST.reasonFailure)
            return SBIResult(action: .reschedule)
        case SBI.SRST.coldReboot, SBI.SRST.warmReboot:
            reboot(c.domain)
            return SBIResult(action: .reschedule, returns: false)
        case 0xF000_0000...0xFFFF_FFFF:
            return .notSupported
        default:
            return .fail(SBI.errInvalidParam)
        }
    }
}
