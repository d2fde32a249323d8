import Shim

/// The PLIC a guest sees at 0x0C00_0000 (QEMU virt's address and layout, FirmwareKit's
/// `PLICState`), emulated on every access: 32-bit accesses only. vCPU i takes interrupts
/// on context 2i + 1; its VSEIP (hvip) follows that context's line. Today Dom0 has one,
/// fed by the physical PLIC's virtio sources (DESIGN §3 "Direct I/O"); Hypervisor IV gives
/// every guest one.
enum VirtualPLIC {
    static let base: UInt64 = VirtMap.plic
    static let size: UInt64 = VirtMap.plicSize

    static let region = MMIORegion(base: base, size: size, read: read, write: write)

    static func read(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64) -> UInt64? {
        guard width == 4, offset & 3 == 0 else { return nil }
        let domain = vcpu.domain
        let value = domain.plic.read(offset: offset)
        hv.updateExternalInterrupts(domain)
        return UInt64(value)
    }

    static func write(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64, _ value: UInt64) -> Bool {
        guard width == 4, offset & 3 == 0 else { return false }
        let domain = vcpu.domain
        // Only a direct-I/O domain's sources are physical ones (a review found a guest's
        // completion of its own source 2 completing Dom0's physical source 2).
        if case .completed(let source) = domain.plic.write(offset: offset, value: UInt32(truncatingIfNeeded: value)), domain.direct {
            hv.completePhysical(source: source)
        }
        hv.updateExternalInterrupts(domain)
        return true
    }
}

extension Hypervisor {
    /// Sets or clears each vCPU's VSEIP from its PLIC context (2i + 1).
    func updateExternalInterrupts(_ domain: Domain) {
        for v in domain.vcpus {
            if domain.plic.deliverable(context: Int(v.id) * 2 + 1) {
                setPending(v, Interrupt.VSEIP)
            } else if v.shadow || here.loaded === v || !harts.contains(where: { $0.loaded === v }) {
                // (A shadow vCPU's interrupts are all in its virtual sip, wherever it runs.)
                clearPending(v, Interrupt.VSEIP)
            }
        }
    }
}
