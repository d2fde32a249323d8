import Shim
import _Volatile

/// The board's PLIC, as the firmware uses it: the virtio sources are enabled on one hart's
/// M-mode context (QEMU virt: context 2·hart), claimed there when they interrupt, handed
/// to Dom0's virtual PLIC, and completed when Dom0 completes them.
enum PLIC {
    nonisolated(unsafe) static var base: UInt64 = VirtMap.plic

    private static func word(_ offset: UInt64) -> VolatileMappedRegister<UInt32> {
        VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base &+ offset))
    }

    static func setPriority(_ source: Int, _ value: UInt32) { word(UInt64(source) * 4).store(value) }

    static func enable(_ source: Int, context: UInt64, _ on: Bool) {
        let r = word(0x2000 + 0x80 * context + UInt64(source / 32) * 4)
        let bit = UInt32(1) << UInt32(source % 32)
        r.store(on ? r.load() | bit : r.load() & ~bit)
    }

    static func setThreshold(context: UInt64, _ value: UInt32) { word(0x20_0000 + 0x1000 * context).store(value) }
    static func claim(context: UInt64) -> UInt32 { word(0x20_0004 + 0x1000 * context).load() }
    static func complete(context: UInt64, _ source: UInt32) { word(0x20_0004 + 0x1000 * context).store(source) }

    /// The M-mode context of hart `h` (QEMU virt).
    static func machineContext(hart h: UInt64) -> UInt64 { 2 * h }
}

extension Hypervisor {
    /// Routes the virtio slots' interrupts (sources 1…8) to the M-mode context of the hart
    /// that runs Dom0's vCPU 0.
    func routeDeviceInterrupts(to domain: Domain) {
        let context = PLIC.machineContext(hart: UInt64(domain.vcpus[0].hart))
        PLIC.setThreshold(context: context, 0)
        for n in 0..<8 {
            let source = Int(VirtMap.virtioIRQ(slot: n))
            PLIC.setPriority(source, 1)
            PLIC.enable(source, context: context, true)
        }
        deviceContext = context
    }

    /// A machine external interrupt: claims every pending source on this hart's context and
    /// raises it in the direct-I/O domain's virtual PLIC (completing at once what no domain
    /// owns).
    func exitMachineExternal(_ e: Exit) -> ExitAction {
        forwardDeviceInterrupts()
        return .resume
    }

    /// Claims and forwards what is pending on this hart's M context (also from the idle
    /// loop, where no trap takes the interrupt).
    func forwardDeviceInterrupts() {
        let context = PLIC.machineContext(hart: here.id)
        while true {
            let source = PLIC.claim(context: context)
            if source == 0 { break }
            if let dom0 = domains.first(where: { $0.direct && $0.state != .crashed }) {
                dom0.plic.raise(Int(source))
                claimedOn[Int(source) & 127] = context
                updateExternalInterrupts(dom0)
            } else {
                PLIC.complete(context: context, source)
            }
        }
    }

    /// Dom0 completed `source` in its virtual PLIC: complete it where it was claimed.
    func completePhysical(source: UInt32) {
        guard source > 0 && source < 128, let context = claimedOn[Int(source)] else { return }
        claimedOn[Int(source)] = nil
        PLIC.complete(context: context, source)
    }
}
