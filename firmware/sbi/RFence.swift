import Shim

/// RFENCE (SBI §8): remote FENCE.I and SFENCE.VMA over the caller's vCPUs, wherever they
/// run. This hart fences at once. A hart that runs one of the named vCPUs right now gets a
/// request in its mailbox and a kick, and the call returns when it has done it (a remote
/// SFENCE.VMA of a guest is an HFENCE.VVMA under its VMID on that hart, Priv. §18.3.2); a
/// hart where such a vCPU ran or will run only notes it, and fences before it next enters a
/// vCPU of the domain, so fences never interrupt other domains. A shadow-mode vCPU's
/// shadow tables are dropped instead, by its own hart before it next runs. Address ranges and ASIDs are widened to the whole address space, which the
/// spec allows. The HFENCE functions need H in the guest, which it does not have:
/// SBI_ERR_NOT_SUPPORTED.
extension Hypervisor {
    func sbiRFence(_ c: SBICall) -> SBIResult {
        switch c.fid {
        case SBI.RFence.fenceI, SBI.RFence.sfenceVMA, SBI.RFence.sfenceVMAASID:
            let domain = c.domain
            let me = here
            let fenceI = c.fid == SBI.RFence.fenceI
            var tickets: [(hart: HartState, ticket: UInt64)] = []
            let valid = HartMask(mask: c.a0, base: c.a1).forEachTarget(count: domain.vcpus.count) { id in
                let v = domain.vcpus[id]
                if domain.shadow && !fenceI {
                    // Shadow mode (Shadow.swift): the vCPU's shadows are its TLB, and only its
                    // own hart touches them. They all go before it next runs; one running
                    // now is made to trap (its hart does it before resuming it).
                    v.shadowStale = true
                    if let h = harts.first(where: { $0 !== me && $0.current === v }), !tickets.contains(where: { $0.hart === h }) {
                        h.fencePosted &+= 1
                        tickets.append((h, h.fencePosted))
                        kick(h)
                    }
                    return
                }
                for h in harts where h !== me && (Int(h.id) == v.hart || Int(h.id) == v.lastHart) {
                    if h.current === v {
                        // Running there now: it must fence before the call returns.
                        guard !tickets.contains(where: { $0.hart === h }) else { continue }
                        if fenceI { h.fenceI = true } else if !h.fenceVVMA.contains(domain.hgatp) { h.fenceVVMA.append(domain.hgatp) }
                        h.fencePosted &+= 1
                        tickets.append((h, h.fencePosted))
                        kick(h)
                    } else if fenceI {
                        h.staleFenceI = true                       // before it next runs there
                    } else if !h.staleVMIDs.contains(domain.vmid) {
                        h.staleVMIDs.append(domain.vmid)
                    }
                }
            }
            guard valid else { return .fail(SBI.errInvalidParam) }
            if domain.shadow && !fenceI { domain.shadowFlushes &+= 1 }
            if fenceI { fence_i() } else if !domain.shadow { hfence_vvma_all() }
            if !tickets.isEmpty { waitForFences(tickets) }
            return .ok()
        default:
            return .notSupported
        }
    }
}
