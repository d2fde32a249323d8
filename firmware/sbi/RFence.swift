import Shim

/// RFENCE (SBI §8): remote FENCE.I and SFENCE.VMA over the caller's vCPUs, wherever they
/// run. This hart fences at once; every other hart that runs one of the named vCPUs gets a
/// request in its mailbox and a kick, and the call returns when all of them have done it
/// (a remote SFENCE.VMA of a guest is an HFENCE.VVMA under its VMID on that hart, Priv.
/// §18.3.2). Address ranges and ASIDs are widened to the whole address space, which the
/// spec allows. The HFENCE functions need H in the guest, which it does not have:
/// SBI_ERR_NOT_SUPPORTED.
extension Hypervisor {
    func sbiRFence(_ c: SBICall) -> SBIResult {
        switch c.fid {
        case SBI.RFence.fenceI, SBI.RFence.sfenceVMA, SBI.RFence.sfenceVMAASID:
            guard let targets = HartMask(mask: c.a0, base: c.a1).targets(count: c.domain.vcpus.count) else {
                return .fail(SBI.errInvalidParam)
            }
            let me = here
            var tickets: [(hart: HartState, ticket: UInt64)] = []
            var local = false
            for id in targets {
                let v = c.domain.vcpus[id]
                for h in harts where Int(h.id) == v.hart || Int(h.id) == v.lastHart {
                    if h === me { local = true; continue }
                    if tickets.contains(where: { $0.hart === h }) { continue }
                    if c.fid == SBI.RFence.fenceI {
                        h.fenceI = true
                    } else if !h.fenceVVMA.contains(c.domain.hgatp) {
                        h.fenceVVMA.append(c.domain.hgatp)
                    }
                    h.fencePosted &+= 1
                    tickets.append((h, h.fencePosted))
                    kick(h)
                }
            }
            if local || targets.isEmpty == false {
                if c.fid == SBI.RFence.fenceI { fence_i() } else { hfence_vvma_all() }
            }
            if !tickets.isEmpty { waitForFences(tickets) }
            return .ok()
        default:
            return .notSupported
        }
    }
}
