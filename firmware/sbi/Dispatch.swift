import Shim

/// One SBI call from a guest (SBI §3 "Binary Encoding"): EID in a7, FID in a6, arguments
/// in a0–a5.
struct SBICall {
    let vcpu: VCPU
    let eid: UInt64
    let fid: UInt64
    let a0: UInt64, a1: UInt64, a2: UInt64, a3: UInt64, a4: UInt64, a5: UInt64

    var domain: Domain { vcpu.domain }

    init(_ vcpu: VCPU) {
        self.vcpu = vcpu
        eid = vcpu.register(17)
        fid = vcpu.register(16)
        a0 = vcpu.register(10)
        a1 = vcpu.register(11)
        a2 = vcpu.register(12)
        a3 = vcpu.register(13)
        a4 = vcpu.register(14)
        a5 = vcpu.register(15)
    }
}

/// What an extension answers: the error (a0) and value (a1), whether the vCPU keeps the
/// hart, and for the legacy extensions (§5) that only a0 is written.
struct SBIResult {
    var error: Int64 = SBI.success
    var value: UInt64 = 0
    var action: ExitAction = .resume
    var legacy = false
    /// False when the call does not return to its caller (a reboot restarts the vCPU with
    /// fresh registers that must not be overwritten).
    var returns = true

    static func ok(_ value: UInt64 = 0) -> SBIResult { SBIResult(value: value) }
    static func fail(_ error: Int64) -> SBIResult { SBIResult(error: error) }
    /// Legacy calls return one value in a0.
    static func legacy(_ a0: UInt64, _ action: ExitAction = .resume) -> SBIResult {
        SBIResult(error: Int64(bitPattern: a0), action: action, legacy: true)
    }
    static let notSupported = SBIResult(error: SBI.errNotSupported)
}

/// An SBI extension the firmware offers: its EID and its handler (sbi/<Name>.swift).
struct SBIExtension {
    let eid: UInt64
    let handle: (Hypervisor, SBICall) -> SBIResult
}

/// SBI v2.0 for guests (../shared/specs/sbi; DESIGN §3): BASE, TIME, IPI, RFENCE, HSM,
/// SRST, DBCN and the legacy console/timer/shutdown calls, one file each. Unknown calls
/// get SBI_ERR_NOT_SUPPORTED. Every guest pointer is checked against the guest's RAM.
enum SBIExtensions {
    static let all: [SBIExtension] = [
        SBIExtension(eid: SBI.legacySetTimer) { hv, c in hv.sbiLegacySetTimer(c) },
        SBIExtension(eid: SBI.legacyConsolePutchar) { hv, c in hv.sbiLegacyPutchar(c) },
        SBIExtension(eid: SBI.legacyConsoleGetchar) { hv, c in hv.sbiLegacyGetchar(c) },
        SBIExtension(eid: SBI.legacyShutdown) { hv, c in hv.sbiLegacyShutdown(c) },
        SBIExtension(eid: SBI.base) { hv, c in hv.sbiBase(c) },
        SBIExtension(eid: SBI.time) { hv, c in hv.sbiTime(c) },
        SBIExtension(eid: SBI.ipi) { hv, c in hv.sbiIPI(c) },
        SBIExtension(eid: SBI.rfence) { hv, c in hv.sbiRFence(c) },
        SBIExtension(eid: SBI.hsm) { hv, c in hv.sbiHSM(c) },
        SBIExtension(eid: SBI.srst) { hv, c in hv.sbiSRST(c) },
        SBIExtension(eid: SBI.dbcn) { hv, c in hv.sbiDBCN(c) },
    ]

    static func find(_ eid: UInt64) -> SBIExtension? {
        for e in all where e.eid == eid { return e }
        return nil
    }
}

extension Hypervisor {
    /// Handles the ecall of `vcpu` (pc already stepped).
    func handleSBI(_ vcpu: VCPU) -> ExitAction {
        let call = SBICall(vcpu)
        let result = SBIExtensions.find(call.eid)?.handle(self, call) ?? .notSupported
        guard result.returns else { return result.action }
        vcpu.setRegister(10, UInt64(bitPattern: result.error))
        if !result.legacy { vcpu.setRegister(11, result.value) }
        return result.action
    }
}
