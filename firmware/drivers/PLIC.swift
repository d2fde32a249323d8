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

    /// Routes the physical UART's receive interrupt to the M-mode context of the hart that
    /// runs domain 0's vCPU 0: the guest reading the physical console (Linux's ttyS0 as
    /// domain 0, or Dom0) is woken by input instead of polling for it.
    func routeConsoleInterrupt(to domain: Domain) {
        let context = PLIC.machineContext(hart: UInt64(domain.vcpus[0].hart))
        PLIC.setThreshold(context: context, 0)
        PLIC.setPriority(Hypervisor.uartSource, 1)
        PLIC.enable(Hypervisor.uartSource, context: context, true)
        UART.enableReceiveInterrupt()
        consoleContext = context
        consoleMasked = false
    }

    /// The physical UART's PLIC source (QEMU virt).
    static let uartSource = Int(VirtMap.uart0IRQ)

    /// Domain 0 read its console dry: the physical receive interrupt may fire again.
    func rearmConsoleInterrupt() {
        guard consoleMasked, let context = consoleContext, !UART.hasInput else { return }
        consoleMasked = false
        PLIC.enable(Hypervisor.uartSource, context: context, true)
    }

    /// A machine external interrupt: claims every pending source on this hart's context and
    /// raises it in the direct-I/O domain's virtual PLIC (completing at once what no domain
    /// owns).
    @inline(never)  // a phase boundary of `vireo boot --stats` (ExitProfile)
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
            if Int(source) == Hypervisor.uartSource {
                // Level-triggered while bytes wait: masked until domain 0 has read them. The
                // completion comes first: a PLIC ignores the completion of a source that is
                // not enabled for the context (PLIC spec, "Interrupt Completion").
                PLIC.complete(context: context, source)
                if UART.hasInput {
                    PLIC.enable(Hypervisor.uartSource, context: context, false)
                    consoleMasked = true
                }
                if let d0 = domain(id: 0), d0.isRunning { updateUARTLine(d0) }
                continue
            }
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
