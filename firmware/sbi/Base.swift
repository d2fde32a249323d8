import Shim

/// BASE (SBI §4): versions, ids and extension probing.
extension Hypervisor {
    func sbiBase(_ c: SBICall) -> SBIResult {
        switch c.fid {
        case SBI.Base.getSpecVersion: return .ok(SBI.specVersion)
        case SBI.Base.getImplID: return .ok(SBI.vireoImplID)
        case SBI.Base.getImplVersion: return .ok(1)
        case SBI.Base.probeExtension: return .ok(SBIExtensions.implements(c.a0) ? 1 : 0)
        case SBI.Base.getMvendorid: return .ok(csr_read_mvendorid())
        case SBI.Base.getMarchid: return .ok(csr_read_marchid())
        case SBI.Base.getMimpid: return .ok(csr_read_mimpid())
        default: return .notSupported
        }
    }
}
