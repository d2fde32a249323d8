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
        (hasH, hasSstc, hasFP) = Platform.extensions(isa)
        if let node = fdt.firstNode(compatible: "ns16550a"), let reg = node.reg(0) { uart = reg.address }
        if let node = fdt.firstNode(compatible: "riscv,clint0") ?? fdt.firstNode(compatible: "sifive,clint0"),
           let reg = node.reg(0) { clint = reg.address }
        if let node = fdt.firstNode(compatible: "riscv,plic0") ?? fdt.firstNode(compatible: "sifive,plic-1.0.0"),
           let reg = node.reg(0) { plic = reg.address }
        if let chosen = fdt.node(at: "/chosen") {
            bootargs = chosen.property("bootargs")?.string ?? ""
            chosen.forEachChild { node in
                guard node.isCompatible("multiboot,module"), let reg = node.reg(0) else { return }
                modules.append((reg.address, reg.size, node.property("bootargs")?.string ?? ""))
            }
        }
    }

    /// Reads H, Sstc and D out of an ISA string such as "rv64imafdc_h_zicsr_sstc": the
    /// single letters after "rv64" up to the first '_', then '_'-separated names (Unpriv.
    /// "ISA Extension Naming Conventions").
    static func extensions(_ isa: String) -> (h: Bool, sstc: Bool, fp: Bool) {
        var h = false, sstc = false, fp = false
        var parts: [[UInt8]] = [[]]
        for b in isa.utf8 {
            if b == 0x5F { parts.append([]) } else { parts[parts.count - 1].append(b | 0x20) }
        }
        for (i, b) in parts[0].enumerated() where i >= 4 {
            if b == 0x68 { h = true }                       // h
            if b == 0x64 || b == 0x67 { fp = true }         // d, g
        }
        for part in parts.dropFirst() {
            if part == [0x68] { h = true }
            if part == [0x73, 0x73, 0x74, 0x63] { sstc = true }
        }
        return (h, sstc, fp)
    }
}
