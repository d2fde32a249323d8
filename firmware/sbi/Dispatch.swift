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

/// SBI v2.0 for guests (../shared/specs/sbi; DESIGN §3): BASE, TIME, IPI, RFENCE, HSM,
/// SRST, DBCN and the legacy console/timer/shutdown calls, one file each behind `SBICall`
/// and `SBIResult`. Unknown calls get SBI_ERR_NOT_SUPPORTED. Every guest pointer is checked
/// against the guest's RAM.
enum SBIExtensions {
    /// The extensions offered, as BASE probe_extension reports them (§4.8): the list in
    /// layout.h (FW_SBI_EXTENSIONS), which start.S's ecall fast path also reads to refuse
    /// every other EID without the world switch. `handleSBI` below must have a case for
    /// each entry.
    static func implements(_ eid: UInt64) -> Bool {
        for i in 0..<fw_sbi_extension_count() where fw_sbi_extension(i) == eid { return true }
        return false
    }
}

extension Hypervisor {
    /// Handles the ecall of `vcpu` (pc already stepped): the extension table, as a switch
    /// the compiler turns into direct calls (no closures or reference counting on the
    /// hottest exit).
    func handleSBI(_ vcpu: VCPU) -> ExitAction {
        let call = SBICall(vcpu)
        let result: SBIResult
        switch call.eid {
        case SBI.time: result = sbiTime(call)
        case SBI.ipi: result = sbiIPI(call)
        case SBI.rfence: result = sbiRFence(call)
        case SBI.base: result = sbiBase(call)
        case SBI.dbcn: result = sbiDBCN(call)
        case SBI.hsm: result = sbiHSM(call)
        case SBI.srst: result = sbiSRST(call)
        case SBI.legacySetTimer: result = sbiLegacySetTimer(call)
        case SBI.legacyConsolePutchar: result = sbiLegacyPutchar(call)
        case SBI.legacyConsoleGetchar: result = sbiLegacyGetchar(call)
        case SBI.legacyShutdown: result = sbiLegacyShutdown(call)
        case SBI.vireo: result = sbiControl(call)
        default: result = .notSupported
        }
        guard result.returns else { return result.action }
        vcpu.setRegister(10, UInt64(bitPattern: result.error))
        if !result.legacy { vcpu.setRegister(11, result.value) }
        return result.action
    }
}
