import Shim

/// RFENCE (SBI §8): remote FENCE.I and SFENCE.VMA over the caller's vCPUs. The HFENCE
/// functions need H in the guest, which it does not have: SBI_ERR_NOT_SUPPORTED.
extension Hypervisor {
    func sbiRFence(_ c: SBICall) -> SBIResult {
        switch c.fid {
        case SBI.RFence.fenceI, SBI.RFence.sfenceVMA, SBI.RFence.sfenceVMAASID:
            guard HartMask(mask: c.a0, base: c.a1).targets(count: c.domain.vcpus.count) != nil else {
                return .fail(SBI.errInvalidParam)
            }
            // Every vCPU runs on this hart, so a local fence covers the remote ones.
            if c.fid == SBI.RFence.fenceI { fence_i() } else { hfence_vvma_all() }
            return .ok()
        default:
            return .notSupported
        }
    }
}
