import Shim

/// A guest's virtio-mmio block devices (DESIGN §3 "I/O", the split-driver model): the
/// register interface is emulated here (FirmwareKit's `VirtioBlockFrontend`, virtio 1.2
/// §4.2), disk n at QEMU virt's slot n (0x1000_1000 + 0x1000·n, PLIC source n + 1); the
/// data is moved by Dom0's backend through the control interface (sbi/Control.swift
/// `disk…` calls). A queue notification sends Dom0 a supervisor software interrupt.
enum VirtualBlock {
    static let base: UInt64 = VirtMap.virtioBase
    static let stride: UInt64 = VirtMap.virtioStride

    /// One region over all of a domain's slots; an access to a slot without a disk is
    /// refused (an access fault, as nothing is there).
    static func region(disks: Int) -> MMIORegion {
        MMIORegion(base: base, size: UInt64(disks) * stride, read: read, write: write)
    }

    static func read(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64) -> UInt64? {
        let domain = vcpu.domain
        let n = Int(offset / stride)
        guard n < domain.disks.count else { return nil }
        return domain.disks[n].read(offset: offset % stride, width: width)
    }

    static func write(_ hv: Hypervisor, _ vcpu: VCPU, _ offset: UInt64, _ width: UInt64, _ value: UInt64) -> Bool {
        let domain = vcpu.domain
        let n = Int(offset / stride)
        guard n < domain.disks.count else { return false }
        let (accepted, effect) = domain.disks[n].write(offset: offset % stride, width: width, value: value)
        switch effect {
        case .notify: hv.notifyBackend()
        case .reset, .none: break
        }
        hv.updateDiskLine(domain, n)
        return accepted
    }
}

extension Hypervisor {
    /// Drives disk `n`'s interrupt line on the domain's virtual PLIC.
    func updateDiskLine(_ domain: Domain, _ n: Int) {
        let line = domain.disks[n].line
        let bit: UInt32 = 1 << UInt32(n)
        guard line != (domain.diskLines & bit != 0) else { return }
        domain.diskLines = line ? domain.diskLines | bit : domain.diskLines & ~bit
        domain.plic.setLevel(n + 1, line)
        updateExternalInterrupts(domain)
    }

    /// Tells Dom0 that a guest queued disk requests: VSSIP on its vCPU 0 (Xen sends an
    /// event-channel upcall the same way).
    func notifyBackend() {
        guard let dom0 = domain(id: 0), dom0.isRunning, let v = dom0.vcpus.first else { return }
        setPending(v, Interrupt.VSSIP)
    }
}
