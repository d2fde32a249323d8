import BoardCore
import RISCV

/// The device tree the board hands over in a1: QEMU virt's nodes for the devices it has.
extension Machine {
    /// The device tree of this board (Board I: the devices that exist so far).
    public func makeDeviceTree() -> DeviceTree {
        var tree = DeviceTree()
        tree.bootCPU = 0
        let root = tree.root
        root.set("#address-cells", .u32([2])).set("#size-cells", .u32([2]))
            .set("compatible", .string("riscv-virtio")).set("model", .string("riscv-virtio,qemu"))
        let chosen = root.child("chosen").set("stdout-path", .string("/soc/serial@10000000"))
        if let bootargs { chosen.set("bootargs", .string(bootargs)) }
        if let initrd {
            chosen.set("linux,initrd-start", .u64([initrd.address])).set("linux,initrd-end", .u64([initrd.end]))
        }
        if !modules.isEmpty {
            // Xen's binding (docs/misc/arm/device-tree/booting.txt): the first module is the
            // domain-0 kernel; each has reg = <address size> and optional bootargs.
            chosen.set("#address-cells", .u32([2])).set("#size-cells", .u32([2]))
            for (i, m) in modules.enumerated() {
                let node = chosen.child("module@\(String(m.address, radix: 16))")
                node.set("compatible", .strings(i == 0 ? ["multiboot,kernel", "multiboot,module"] : ["multiboot,module"]))
                    .set("reg", .u64([m.address, UInt64(m.bytes.count)]))
                if let args = m.arguments { node.set("bootargs", .string(args)) }
            }
        }
        root.child("memory@80000000").set("device_type", .string("memory"))
            .set("reg", .u64([bus.dramBase, bus.dramSize]))
        let cpus = root.child("cpus")
        cpus.set("#address-cells", .u32([1])).set("#size-cells", .u32([0]))
            .set("timebase-frequency", .u32([UInt32(VirtMap.timebaseHz)]))
        var intcPhandles: [UInt32] = []
        for h in 0..<config.harts {
            let phandle = UInt32(h + 1)
            let cpu = cpus.child("cpu@\(h)")
            cpu.set("device_type", .string("cpu")).set("reg", .u32([UInt32(h)]))
                .set("status", .string("okay")).set("compatible", .string("riscv"))
                .set("riscv,isa", .string(Machine.isaString(config)))
                .set("riscv,isa-base", .string("rv64i"))
                .set("riscv,isa-extensions", .strings(Machine.isaExtensions(config)))
                .set("mmu-type", .string("riscv,sv48"))
                .set("clock-frequency", .u32([UInt32(CycleModel.coreHz)]))
            cpu.child("interrupt-controller").set("#interrupt-cells", .u32([1]))
                .set("interrupt-controller", .empty).set("compatible", .string("riscv,cpu-intc"))
                .set("phandle", .u32([phandle]))
            intcPhandles.append(phandle)
        }
        let soc = root.child("soc")
        soc.set("#address-cells", .u32([2])).set("#size-cells", .u32([2]))
            .set("compatible", .string("simple-bus")).set("ranges", .empty)
        soc.child("test@100000").set("compatible", .strings(["sifive,test1", "sifive,test0", "syscon"]))
            .set("reg", .u64([VirtMap.testFinisher, 0x1000]))
        let plicPhandle = UInt32(config.harts + 1)
        var plicIRQs: [UInt32] = []
        for p in intcPhandles { plicIRQs += [p, UInt32(Interrupt.MEI), p, UInt32(Interrupt.SEI)] }
        soc.child("plic@c000000").set("compatible", .strings(["sifive,plic-1.0.0", "riscv,plic0"]))
            .set("reg", .u64([VirtMap.plic, VirtMap.plicSize])).set("#address-cells", .u32([0]))
            .set("#interrupt-cells", .u32([1])).set("interrupt-controller", .empty)
            .set("interrupts-extended", .u32(plicIRQs)).set("riscv,ndev", .u32([UInt32(PLIC.sources - 1)]))
            .set("phandle", .u32([plicPhandle]))
        for n in 0..<8 {
            let base = VirtMap.virtioBase + UInt64(n) * VirtMap.virtioStride
            soc.child("virtio_mmio@\(String(base, radix: 16))").set("compatible", .string("virtio,mmio"))
                .set("reg", .u64([base, VirtMap.virtioStride]))
                .set("interrupt-parent", .u32([plicPhandle])).set("interrupts", .u32([UInt32(1 + n)]))
        }
        soc.child("serial@10000000").set("compatible", .string("ns16550a"))
            .set("reg", .u64([VirtMap.uart0, 0x100])).set("clock-frequency", .u32([0x384000]))
            .set("interrupt-parent", .u32([plicPhandle])).set("interrupts", .u32([VirtMap.uart0IRQ]))
        var clintIRQs: [UInt32] = []
        for p in intcPhandles { clintIRQs += [p, UInt32(Interrupt.MSI), p, UInt32(Interrupt.MTI)] }
        soc.child("clint@2000000").set("compatible", .strings(["sifive,clint0", "riscv,clint0"]))
            .set("reg", .u64([VirtMap.clint, VirtMap.clintSize])).set("interrupts-extended", .u32(clintIRQs))
        return tree
    }
}
