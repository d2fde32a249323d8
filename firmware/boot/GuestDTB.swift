/// The device tree a guest boots with (DESIGN §3 "Guest boot protocol"): its memory, its
/// vCPUs with the board's ISA string minus H (guests get no nested virtualization), the
/// virtual PLIC, the emulated UART on its source 10, its virtio-mmio disks (Dom0: the
/// board's slots), and /chosen with its bootargs, stdout-path and initrd, as QEMU virt
/// lists them. Written with the shared
/// FDTBuilder (Sources/FirmwareKit).
enum GuestDTB {
    static func build(domain: Domain, platform: Platform) -> [UInt8] {
        var b = FDTBuilder()
        b.beginNode("")
        b.property("#address-cells", u32: 2)
        b.property("#size-cells", u32: 2)
        b.property("compatible", string: "vireo,guest")
        b.property("model", string: "Vireo guest")

        b.beginNode("chosen")
        if !domain.bootargs.isEmpty { b.property("bootargs", string: domain.bootargs) }
        b.property("stdout-path", string: "/soc/serial@10000000")
        if domain.initrd.end > domain.initrd.start {
            // 64-bit values, as QEMU virt writes them (Linux reads either width).
            b.property("linux,initrd-start", cells: [UInt32(domain.initrd.start >> 32), UInt32(truncatingIfNeeded: domain.initrd.start)])
            b.property("linux,initrd-end", cells: [UInt32(domain.initrd.end >> 32), UInt32(truncatingIfNeeded: domain.initrd.end)])
        }
        b.endNode()

        b.beginNode("cpus")
        b.property("#address-cells", u32: 1)
        b.property("#size-cells", u32: 0)
        b.property("timebase-frequency", u32: UInt32(truncatingIfNeeded: platform.timebase))
        // A shadow-mode guest (Shadow.swift) gets Sv39, Sstc (its virtual S-mode emulates
        // stimecmp on any board), and none of the extensions its shadow tables or virtual
        // S-mode do not emulate: Svpbmt, Svnapot, Svinval, and Zicbom and Zicboz (their
        // enables are senvcfg's, and a CBO.ZERO on a table page would need emulating; a
        // review finding).
        var isa = ISAString(platform.isa).forGuests
        if domain.shadow {
            isa = isa.split(separator: "_").filter { !["sstc", "svpbmt", "svnapot", "svinval", "zicbom", "zicboz"].contains(String($0)) }
                .joined(separator: "_") + "_sstc"
        }
        for vcpu in domain.vcpus {
            b.beginNode("cpu@" + Format.hexDigits(vcpu.id))
            b.property("device_type", string: "cpu")
            b.property("reg", u32: UInt32(truncatingIfNeeded: vcpu.id))
            b.property("status", string: "okay")
            b.property("compatible", string: "riscv")
            b.property("riscv,isa", string: isa)
            b.property("mmu-type", string: domain.shadow ? "riscv,sv39" : "riscv,sv48")
            b.beginNode("interrupt-controller")
            b.property("#interrupt-cells", u32: 1)
            b.property("interrupt-controller")
            b.property("compatible", string: "riscv,cpu-intc")
            b.property("phandle", u32: UInt32(truncatingIfNeeded: vcpu.id + 1))
            b.endNode()
            b.endNode()
        }
        b.endNode()

        b.beginNode("memory@" + Format.hexDigits(domain.ramBase))
        b.property("device_type", string: "memory")
        b.property("reg", cells: [UInt32(domain.ramBase >> 32), UInt32(truncatingIfNeeded: domain.ramBase),
                                  UInt32(domain.size >> 32), UInt32(truncatingIfNeeded: domain.size)])
        b.endNode()

        b.beginNode("soc")
        b.property("#address-cells", u32: 2)
        b.property("#size-cells", u32: 2)
        b.property("compatible", string: "simple-bus")
        b.property("ranges")
        let plicPhandle = UInt32(domain.vcpus.count + 1)
        b.beginNode("plic@" + Format.hexDigits(VirtualPLIC.base))
        b.property("compatible", strings: ["sifive,plic-1.0.0", "riscv,plic0"])
        b.property("reg", cells: [0, UInt32(VirtualPLIC.base), 0, UInt32(VirtualPLIC.size)])
        b.property("#address-cells", u32: 0)
        b.property("#interrupt-cells", u32: 1)
        b.property("interrupt-controller")
        b.property("riscv,ndev", u32: UInt32(PLICState.sources - 1))
        b.property("phandle", u32: plicPhandle)
        // QEMU virt's contexts: 2i = vCPU i's M-mode (11), 2i + 1 its S-mode (9). Linux
        // skips the M-mode ones; only the S-mode contexts reach the guest.
        var cells: [UInt32] = []
        for v in domain.vcpus { cells += [UInt32(v.id + 1), 11, UInt32(v.id + 1), 9] }
        b.property("interrupts-extended", cells: cells)
        b.endNode()
        b.beginNode("serial@10000000")
        b.property("compatible", string: "ns16550a")
        b.property("reg", cells: [0, UInt32(VirtualUART.base), 0, UInt32(VirtualUART.size)])
        b.property("clock-frequency", u32: 3_686_400)
        b.property("reg-shift", u32: 0)
        b.property("reg-io-width", u32: 1)
        b.property("interrupt-parent", u32: plicPhandle)
        b.property("interrupts", u32: UInt32(VirtualUART.irq))
        b.endNode()
        // Dom0 has the board's slots; another domain its own disks, from slot 0 up.
        let slots = domain.direct ? VirtMap.virtioSlots : domain.disks.count
        for n in 0..<slots {
            let address = VirtMap.virtioBase + UInt64(n) * VirtMap.virtioStride
            b.beginNode("virtio_mmio@" + Format.hexDigits(address))
            b.property("compatible", string: "virtio,mmio")
            b.property("reg", cells: [0, UInt32(address), 0, UInt32(VirtMap.virtioStride)])
            b.property("interrupt-parent", u32: plicPhandle)
            b.property("interrupts", u32: VirtMap.virtioIRQ(slot: n))
            b.endNode()
        }
        b.endNode()

        b.endNode()
        return b.finish()
    }
}
