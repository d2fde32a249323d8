/// TIME (SBI §6): set_timer. The work is core/Timers.swift's `setGuestTimer`.
extension Hypervisor {
    func sbiTime(_ c: SBICall) -> SBIResult {
        guard c.fid == SBI.timeSetTimer else { return .notSupported }
        setGuestTimer(c.vcpu, c.a0)
        return .ok()
    }
}
