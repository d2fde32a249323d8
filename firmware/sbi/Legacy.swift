/// The legacy extensions (SBI §5, v0.1): one value back in a0.
extension Hypervisor {
    func sbiLegacySetTimer(_ c: SBICall) -> SBIResult {
        setGuestTimer(c.vcpu, c.a0)
        return .legacy(0)
    }

    func sbiLegacyPutchar(_ c: SBICall) -> SBIResult {
        consoleWrite(c.domain, UInt8(truncatingIfNeeded: c.a0))
        return .legacy(0)
    }

    func sbiLegacyGetchar(_ c: SBICall) -> SBIResult {
        .legacy(consoleRead(c.domain).map { UInt64($0) } ?? UInt64.max)
    }

    func sbiLegacyShutdown(_ c: SBICall) -> SBIResult {
        shutdown(c.domain, failure: false)
        return .legacy(0, .reschedule)
    }
}
