/// The device tree a guest boots with (DESIGN §3 "Guest boot protocol"): its memory, its
/// vCPUs with the board's ISA string minus H (guests get no nested virtualization), the
/// emulated UART, and /chosen with its bootargs and stdout-path. Written with the shared
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
        b.endNode()

        b.beginNode("cpus")
        b.property("#address-cells", u32: 1)
        b.property("#size-cells", u32: 0)
        b.property("timebase-frequency", u32: UInt32(truncatingIfNeeded: platform.timebase))
        for vcpu in domain.vcpus {
            b.beginNode("cpu@" + Format.hexDigits(vcpu.id))
            b.property("device_type", string: "cpu")
            b.property("reg", u32: UInt32(truncatingIfNeeded: vcpu.id))
            b.property("status", string: "okay")
            b.property("compatible", string: "riscv")
            b.property("riscv,isa", string: ISAString(platform.isa).withoutH)
            b.property("mmu-type", string: "riscv,sv48")
            b.beginNode("interrupt-controller")
            b.property("#interrupt-cells", u32: 1)
            b.property("interrupt-controller")
            b.property("compatible", string: "riscv,cpu-intc")
            b.property("phandle", u32: UInt32(truncatingIfNeeded: vcpu.id + 1))
            b.endNode()
            b.endNode()
        }
        b.endNode()

        b.beginNode("memory@80000000")
        b.property("device_type", string: "memory")
        b.property("reg", cells: [UInt32(Domain.guestBase >> 32), UInt32(truncatingIfNeeded: Domain.guestBase),
                                  UInt32(domain.size >> 32), UInt32(truncatingIfNeeded: domain.size)])
        b.endNode()

        b.beginNode("soc")
        b.property("#address-cells", u32: 2)
        b.property("#size-cells", u32: 2)
        b.property("compatible", string: "simple-bus")
        b.property("ranges")
        b.beginNode("serial@10000000")
        b.property("compatible", string: "ns16550a")
        b.property("reg", cells: [0, UInt32(VirtualUART.base), 0, UInt32(VirtualUART.size)])
        b.property("clock-frequency", u32: 3_686_400)
        b.property("reg-shift", u32: 0)
        b.property("reg-io-width", u32: 1)
        b.endNode()
        b.endNode()

        b.endNode()
        return b.finish()
    }
}
