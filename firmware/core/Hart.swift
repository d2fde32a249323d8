import Shim

/// What the firmware keeps for one physical hart, indexed by its hart id
/// (`Hypervisor.harts[mhartid]`): the vCPU running on it, the vCPU whose CSRs it holds,
/// and its time slice.
final class HartState {
    let id: UInt64
    /// The vCPU whose frame mscratch holds while a guest runs on this hart.
    var current: VCPU? = nil
    /// The vCPU whose VS CSRs are on this hart (they stay until another vCPU needs it).
    var loaded: VCPU? = nil
    /// End of the current slice, in `time` units.
    var sliceEnd: UInt64 = 0
    /// mcycle when the current vCPU was last entered.
    var enteredAt: UInt64 = 0

    init(id: UInt64) {
        self.id = id
    }
}

extension Hypervisor {
    /// The state of the hart this code runs on.
    var here: HartState { harts[Int(csr_read_mhartid())] }
}
