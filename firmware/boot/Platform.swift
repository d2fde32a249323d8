/// What the firmware learns from the board's device tree at boot (DESIGN §3): memory,
/// harts, the ISA string, the UART, the CLINT and the boot modules under /chosen.
struct Platform {
    var memoryBase: UInt64 = VirtMap.dram
    var memorySize: UInt64 = 0
    var harts: Int = 0
    var isa: String = ""
    var hasH = false
    var hasSstc = false
    var hasFP = false
    var timebase: UInt64 = VirtMap.timebaseHz
    var uart: UInt64 = VirtMap.uart0
    var clint: UInt64 = VirtMap.clint
    var finisher: UInt64 = VirtMap.testFinisher
    /// The PLIC (not used yet: guests get no external interrupts until the virtual PLIC).
    var plic: UInt64 = VirtMap.plic
    var dtbSize: UInt64 = 0
    var modules: [(address: UInt64, size: UInt64, args: String)] = []
    /// The board's /chosen/bootargs (`--append`): options for the firmware itself.
    var bootargs: String = ""

    init(fdt: FDT) {
        if let memory = fdt.node(at: "/memory"), let reg = memory.reg(0) {
            memoryBase = reg.address
            memorySize = reg.size
        }
        if let cpus = fdt.node(at: "/cpus") {
            if let tb = cpus.property("timebase-frequency")?.u64 { timebase = tb }
            var first = true
            cpus.forEachChild { cpu in
                guard cpu.baseName == "cpu" else { return }
                harts += 1
                if first, let s = cpu.property("riscv,isa")?.string {
                    isa = s
                    first = false
                }
            }
        }
        let parsed = ISAString(isa)
        (hasH, hasSstc, hasFP) = (parsed.hasH, parsed.hasSstc, parsed.hasFP)
        if let node = fdt.firstNode(compatible: "ns16550a"), let reg = node.reg(0) { uart = reg.address }
        if let node = fdt.firstNode(compatible: "riscv,clint0") ?? fdt.firstNode(compatible: "sifive,clint0"),
           let reg = node.reg(0) { clint = reg.address }
        if let node = fdt.firstNode(compatible: "riscv,plic0") ?? fdt.firstNode(compatible: "sifive,plic-1.0.0"),
           let reg = node.reg(0) { plic = reg.address }
        if let node = fdt.firstNode(compatible: "sifive,test0"), let reg = node.reg(0) { finisher = reg.address }
        if let chosen = fdt.node(at: "/chosen") {
            bootargs = chosen.property("bootargs")?.string ?? ""
            chosen.forEachChild { node in
                guard node.isCompatible("multiboot,module"), let reg = node.reg(0) else { return }
                modules.append((reg.address, reg.size, node.property("bootargs")?.string ?? ""))
            }
        }
    }
}
