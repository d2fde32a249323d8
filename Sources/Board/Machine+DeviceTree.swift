import BoardCore
import FirmwareKit
import RISCV

/// The device tree the board hands over in a1: QEMU virt's nodes for the devices it has,
/// written with FirmwareKit's `FDTBuilder` (the writer the firmware and guests use too).
extension Machine {
    /// The device tree of this board as a blob (Devicetree Specification v0.4, chapter 5).
    public func deviceTreeBlob() -> [UInt8] {
        var fdt = FDTBuilder()
        fdt.beginNode("")
        fdt.property("#address-cells", u32: 2)
        fdt.property("#size-cells", u32: 2)
        fdt.property("compatible", string: "riscv-virtio")
        fdt.property("model", string: "riscv-virtio,qemu")

        fdt.beginNode("chosen")
        fdt.property("stdout-path", string: "/soc/serial@10000000")
        if let bootargs { fdt.property("bootargs", string: bootargs) }
        if let initrd {
            fdt.property("linux,initrd-start", u64: initrd.address)
            fdt.property("linux,initrd-end", u64: initrd.end)
        }
        if !modules.isEmpty {
            // Xen's binding (docs/misc/arm/device-tree/booting.txt): the first module is the
            // domain-0 kernel; each has reg = <address size> and optional bootargs.
            fdt.property("#address-cells", u32: 2)
            fdt.property("#size-cells", u32: 2)
            for (i, m) in modules.enumerated() {
                fdt.beginNode("module@\(String(m.address, radix: 16))")
                fdt.property("compatible", strings: i == 0 ? ["multiboot,kernel", "multiboot,module"] : ["multiboot,module"])
                fdt.property("reg", cells: cells(m.address, UInt64(m.bytes.count)))
                if let args = m.arguments { fdt.property("bootargs", string: args) }
                fdt.endNode()
            }
        }
        fdt.endNode()

        fdt.beginNode("memory@80000000")
        fdt.property("device_type", string: "memory")
        fdt.property("reg", cells: cells(bus.dramBase, bus.dramSize))
        fdt.endNode()

        // Phandles: 1…N for the harts' interrupt controllers, N + 1 for the PLIC.
        let intcPhandles = (0..<config.harts).map { UInt32($0 + 1) }
        fdt.beginNode("cpus")
        fdt.property("#address-cells", u32: 1)
        fdt.property("#size-cells", u32: 0)
        fdt.property("timebase-frequency", u32: UInt32(VirtMap.timebaseHz))
        for h in 0..<config.harts {
            fdt.beginNode("cpu@\(h)")
            fdt.property("device_type", string: "cpu")
            fdt.property("reg", u32: UInt32(h))
            fdt.property("status", string: "okay")
            fdt.property("compatible", string: "riscv")
            fdt.property("riscv,isa", string: Machine.isaString(config))
            fdt.property("riscv,isa-base", string: "rv64i")
            fdt.property("riscv,isa-extensions", strings: Machine.isaExtensions(config))
            fdt.property("mmu-type", string: Machine.mmuType(config))
            // Zicbom/Zicboz: the cache-block size Linux needs to use them (the
            // riscv,cbom-block-size binding; 64 bytes, as QEMU).
            if config.extensions.contains(.zicbom) { fdt.property("riscv,cbom-block-size", u32: 64) }
            if config.extensions.contains(.zicboz) { fdt.property("riscv,cboz-block-size", u32: 64) }
            fdt.property("clock-frequency", u32: UInt32(CycleModel.coreHz))
            fdt.beginNode("interrupt-controller")
            fdt.property("#interrupt-cells", u32: 1)
            fdt.property("interrupt-controller")
            fdt.property("compatible", string: "riscv,cpu-intc")
            fdt.property("phandle", u32: intcPhandles[h])
            fdt.endNode()
            fdt.endNode()
        }
        fdt.endNode()

        fdt.beginNode("soc")
        fdt.property("#address-cells", u32: 2)
        fdt.property("#size-cells", u32: 2)
        fdt.property("compatible", string: "simple-bus")
        fdt.property("ranges")

        fdt.beginNode("test@100000")
        fdt.property("compatible", strings: ["sifive,test1", "sifive,test0", "syscon"])
        fdt.property("reg", cells: cells(VirtMap.testFinisher, 0x1000))
        fdt.endNode()

        let plicPhandle = UInt32(config.harts + 1)
        fdt.beginNode("plic@c000000")
        fdt.property("compatible", strings: ["sifive,plic-1.0.0", "riscv,plic0"])
        fdt.property("reg", cells: cells(VirtMap.plic, VirtMap.plicSize))
        fdt.property("#address-cells", u32: 0)
        fdt.property("#interrupt-cells", u32: 1)
        fdt.property("interrupt-controller")
        fdt.property("interrupts-extended", cells: intcPhandles.flatMap { [$0, UInt32(Interrupt.MEI), $0, UInt32(Interrupt.SEI)] })
        fdt.property("riscv,ndev", u32: UInt32(PLIC.sources - 1))
        fdt.property("phandle", u32: plicPhandle)
        fdt.endNode()

        for n in 0..<8 {
            let base = VirtMap.virtioBase + UInt64(n) * VirtMap.virtioStride
            fdt.beginNode("virtio_mmio@\(String(base, radix: 16))")
            fdt.property("compatible", string: "virtio,mmio")
            fdt.property("reg", cells: cells(base, VirtMap.virtioStride))
            fdt.property("interrupt-parent", u32: plicPhandle)
            fdt.property("interrupts", u32: UInt32(1 + n))
            fdt.endNode()
        }

        fdt.beginNode("serial@10000000")
        fdt.property("compatible", string: "ns16550a")
        fdt.property("reg", cells: cells(VirtMap.uart0, 0x100))
        fdt.property("clock-frequency", u32: 0x384000)
        fdt.property("interrupt-parent", u32: plicPhandle)
        fdt.property("interrupts", u32: VirtMap.uart0IRQ)
        fdt.endNode()

        fdt.beginNode("clint@2000000")
        fdt.property("compatible", strings: ["sifive,clint0", "riscv,clint0"])
        fdt.property("reg", cells: cells(VirtMap.clint, VirtMap.clintSize))
        fdt.property("interrupts-extended", cells: intcPhandles.flatMap { [$0, UInt32(Interrupt.MSI), $0, UInt32(Interrupt.MTI)] })
        fdt.endNode()
        fdt.endNode()  // soc

        fdt.endNode()  // root
        return fdt.finish(bootCPU: 0)
    }
}

/// 64-bit values as pairs of big-endian cells, high first (#address-cells = #size-cells = 2).
private func cells(_ values: UInt64...) -> [UInt32] {
    values.flatMap { [UInt32(truncatingIfNeeded: $0 >> 32), UInt32(truncatingIfNeeded: $0)] }
}
