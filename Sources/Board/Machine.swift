#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BoardCore
import Foundation
import RISCV
import VireoELF

/// How a run ended.
public enum StopReason: Equatable, Sendable {
    /// The program wrote the test finisher or HTIF exit with this code.
    case exited(Int32)
    /// `--max-instructions` was reached.
    case instructionLimit(UInt64)
    /// The hart waits (WFI) with no enabled interrupt that could ever wake it.
    case deadlock(pc: UInt64)
    /// The user typed Ctrl-A x on the console.
    case quit
}

/// Board configuration (`vireo run` flags).
public struct BoardConfig: Sendable {
    public var memoryBytes: UInt64 = 256 << 20
    public var harts = 1
    /// Optional extensions (`--isa`).
    public var sstc = false
    /// The hypervisor extension (`--isa …_h`).
    public var h = false
    /// F and D (`--isa rv64imafdc…` or `rv64gc…`).
    public var fd = false
    /// Translate hot code to host code (`--no-jit` turns it off; results are the same).
    public var jit = true
    /// Visits of a block entry before the JIT translates it.
    public var jitThreshold: UInt = 16
    public init() {}
}

/// The board: one hart (Board I), the bus with its devices, the boot ROM and the device tree,
/// and the run loop that interleaves execution with interrupt delivery (DESIGN §2).
public final class Machine {
    public let config: BoardConfig
    public let bus: Bus
    /// The harts, in hart-id order; `hart` is hart 0.
    public let harts: [Hart]
    public var hart: Hart { harts[0] }
    /// What was loaded: the firmware (`--bios`) and/or the kernel; the hart starts at the
    /// first one's entry.
    public private(set) var images: [ELFProgram] = []
    /// Where the firmware should continue (fw_dynamic `next_addr`): the kernel's entry.
    public private(set) var nextAddress: UInt64 = 0
    /// `/chosen/bootargs` (`--append`).
    public var bootargs: String?

    /// A file placed in DRAM and described in the device tree (initrd, boot modules).
    public struct Blob: Sendable {
        public var path: String
        public var bytes: [UInt8]
        public var address: UInt64 = 0
        /// A module's command line (`--module FILE,ARGS`).
        public var arguments: String?
        public init(path: String, bytes: [UInt8], arguments: String? = nil) {
            self.path = path
            self.bytes = bytes
            self.arguments = arguments
        }
        var end: UInt64 { address + UInt64(bytes.count) }
    }

    /// `--initrd`: placed like QEMU virt places it, half-way into DRAM (at most 128 MiB in),
    /// or after the images when they reach that far.
    public private(set) var initrd: Blob?
    /// `--module`: listed under /chosen per Xen's multiboot device-tree binding.
    public private(set) var modules: [Blob] = []
    public var program: ELFProgram? { images.first }
    public private(set) var dtbAddress: UInt64 = 0
    /// Cycles run per call into the interpreter at most; interrupts are checked in between.
    public var chunkCycles: UInt64 = 1 << 16

    public init(config: BoardConfig = BoardConfig(), uart: UART16550 = UART16550()) {
        self.config = config
        bus = Bus(memoryBytes: config.memoryBytes, harts: config.harts, uart: uart)
        let bus = self.bus
        bus.jitEnabled = config.jit
        bus.jitThreshold = config.jitThreshold
        harts = (0..<config.harts).map { Hart(id: $0, bus: bus, sstc: config.sstc, h: config.h, fd: config.fd) }
    }

    /// The regions a loaded image may occupy.
    public var loadableRegions: [MemoryRegion] {
        [MemoryRegion(name: "DRAM", base: bus.dramBase, size: bus.dramSize),
         MemoryRegion(name: "ROM", base: bus.romBase, size: bus.romSize)]
    }

    /// Loads an ELF like `qemu-system-riscv64 -M virt -bios none -kernel ELF`: PT_LOAD
    /// segments at their physical addresses, bss zeroed, boot ROM jumping to the entry.
    public func load(_ program: ELFProgram) throws(ELFError) {
        try boot(firmware: nil, kernel: program)
    }

    /// QEMU-style boot (`-bios FW -kernel K`): the firmware starts in M-mode at its entry
    /// with a0 = hart id, a1 = DTB and a2 = fw_dynamic info naming the kernel's entry.
    /// Without firmware the kernel itself starts in M-mode (`-bios none`).
    public func boot(firmware: ELFProgram?, kernel: ELFProgram?, initrd: Blob? = nil, modules: [Blob] = []) throws(ELFError) {
        let list = [firmware, kernel].compactMap { $0 }
        for image in list { try image.checkPlacement(in: loadableRegions) }
        if let firmware, let kernel {
            for a in firmware.segments {
                for b in kernel.segments
                where a.physicalAddress < b.physicalAddress + b.memorySize && b.physicalAddress < a.physicalAddress + a.memorySize {
                    throw ELFError(path: kernel.path, reason: .overlappingSegments(b.physicalAddress, a.physicalAddress))
                }
            }
        }
        images = list
        nextAddress = firmware != nil ? (kernel?.entry ?? 0) : 0
        // Blobs go above everything loaded so far, 2 MiB aligned, and must fit below the DTB.
        var top = list.flatMap(\.segments).map { $0.physicalAddress + $0.memorySize }.max() ?? bus.dramBase
        func align(_ v: UInt64) -> UInt64 { (v + (2 << 20) - 1) & ~((2 << 20) - 1) }
        let dramEnd = bus.dramBase + bus.dramSize
        let reserve: UInt64 = 2 << 20  // the device tree's place at the top of DRAM
        func place(_ blob: Blob, at address: UInt64) throws(ELFError) -> Blob {
            var b = blob
            b.address = address
            guard b.end <= dramEnd - reserve else {
                throw ELFError(path: blob.path, reason: .outsideMemory(address, b.end, "DRAM 0x\(String(bus.dramBase, radix: 16))-0x\(String(dramEnd - reserve, radix: 16)) below the device tree"))
            }
            top = max(top, b.end)
            return b
        }
        if let initrd {
            let preferred = bus.dramBase + min(bus.dramSize / 2, 128 << 20)
            self.initrd = try place(initrd, at: max(align(top), preferred))
        } else {
            self.initrd = nil
        }
        var placed: [Blob] = []
        for m in modules { placed.append(try place(m, at: align(top))) }
        self.modules = placed
        let htif = list.first { $0.symbol("tohost") != nil }
        bus.tohost = htif?.symbol("tohost")
        bus.fromhost = htif?.symbol("fromhost")
        reset()
    }

    /// Reads a boot image: an ELF (placed at its physical addresses), or anything else as a
    /// raw binary placed at `rawBase` (QEMU's rule for `-bios x.bin` and a Linux `Image`).
    public static func image(path: String, rawBase: UInt64) throws(ELFError) -> ELFProgram {
        guard let f = fopen(path, "rb") else {
            throw ELFError(path: path, reason: .cannotOpen(String(cString: strerror(errno))))
        }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = fread(&magic, 1, 4, f)
        fclose(f)
        if n == 4 && magic == [0x7F, 0x45, 0x4C, 0x46] { return try ELFProgram.read(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ELFError(path: path, reason: .cannotOpen("unreadable"))
        }
        guard !data.isEmpty else { throw ELFError(path: path, reason: .malformed("empty image")) }
        let bytes = [UInt8](data)
        return ELFProgram(path: path, entry: rawBase, segments: [
            ELFSegment(physicalAddress: rawBase, virtualAddress: rawBase, bytes: bytes, memorySize: UInt64(bytes.count),
                       readable: true, writable: true, executable: true),
        ])
    }

    /// Where QEMU virt puts a raw kernel after firmware: the firmware's end rounded up to 2 MiB.
    public static func kernelBase(after firmware: ELFProgram?) -> UInt64 {
        guard let end = firmware?.segments.map({ $0.physicalAddress + $0.memorySize }).max() else { return VirtMap.dram }
        return (end + (2 << 20) - 1) & ~((2 << 20) - 1)
    }

    public func load(path: String) throws(ELFError) {
        try load(try ELFProgram.read(path: path))
    }

    /// Board reset: images rewritten, boot ROM and DTB in place, hart at 0x1000 in M-mode.
    public func reset() {
        guard let program else { return }
        for s in images.flatMap(\.segments) {
            bus.writeMemory(s.physicalAddress, s.bytes)
            let bss = Int(s.memorySize) - s.bytes.count
            if bss > 0 { bus.writeMemory(s.physicalAddress + UInt64(s.bytes.count), [UInt8](repeating: 0, count: bss)) }
        }
        for blob in ([initrd].compactMap { $0 } + modules) { bus.writeMemory(blob.address, blob.bytes) }
        let dtb = makeDeviceTree().blob()
        dtbAddress = placeDeviceTree(size: UInt64(dtb.count))
        bus.writeMemory(dtbAddress, dtb)
        bus.writeMemory(bus.romBase, BootROM.image(entry: program.entry, dtb: dtbAddress, nextAddress: nextAddress))
        bus.exitCode = nil
        bus.resetRequested = false
        for d in bus.virtio { d?.reset() }
        bus.finisher.clear()
        for h in harts { h.reset(pc: bus.romBase) }
    }

    /// Like QEMU virt: the DTB goes at the top of DRAM (below 3 GiB), 2 MiB aligned down,
    /// unless that would overlap a loaded segment, in which case it goes right after the image.
    func placeDeviceTree(size: UInt64) -> UInt64 {
        let end = min(bus.dramBase + bus.dramSize, 0x1_0000_0000 - 0x4000_0000 + bus.dramBase)
        var addr = (end - size) & ~((2 << 20) - 1)
        if addr < bus.dramBase { addr = (end - size) & ~0xFFF }
        let segments = images.flatMap(\.segments)
        let overlaps = segments.contains { addr < $0.physicalAddress + $0.memorySize && addr + size > $0.physicalAddress }
        if overlaps, let last = segments.map({ $0.physicalAddress + $0.memorySize }).max() {
            addr = (last + 0xFFFF) & ~0xFFFF
        }
        return addr
    }

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

    /// The extensions of a configuration, as device-tree `riscv,isa-extensions` names.
    public static func isaExtensions(_ c: BoardConfig) -> [String] {
        ["i", "m", "a"] + (c.fd ? ["f", "d"] : []) + ["c"] + (c.h ? ["h"] : []) + ["zicntr", "zicsr", "zifencei"] + (c.sstc ? ["sstc"] : [])
    }

    /// The ISA string of a configuration (`riscv,isa`), e.g. rv64imac_h_zicntr_zicsr_zifencei_sstc
    /// (single-letter extensions first, then multi-letter ones in canonical order).
    public static func isaString(_ c: BoardConfig) -> String {
        (c.fd ? "rv64imafdc" : "rv64imac") + (c.h ? "_h" : "") + "_zicntr_zicsr_zifencei" + (c.sstc ? "_sstc" : "")
    }

    /// Parses `--isa`: rv64imac plus optional
    /// `_h`, `_zicntr`, `_zicsr`, `_zifencei` (always present) and `_sstc`.
    public static func parseISA(_ text: String, into c: inout BoardConfig) -> String? {
        let parts = text.lowercased().split(separator: "_").map(String.init)
        guard let base = parts.first, ["rv64imac", "rv64imafdc", "rv64gc"].contains(base) else {
            return "--isa \(text): the base must be rv64imac, rv64imafdc or rv64gc"
        }
        c.sstc = false
        c.h = false
        c.fd = base != "rv64imac"
        for ext in parts.dropFirst() {
            switch ext {
            case "zicntr", "zicsr", "zifencei": break
            case "sstc": c.sstc = true
            case "h": c.h = true
            default: return "--isa \(text): unknown or unsupported extension '\(ext)' (supported: h, zicntr, zicsr, zifencei, sstc)"
            }
        }
        return nil
    }

    // MARK: Running

    /// With several harts, each runs this many cycles in turn (a deterministic interleaving;
    /// an IPI or a store another hart must see waits at most this long).
    public var quantumCycles: UInt64 = 2048

    /// Instructions retired by all harts.
    public var instructions: UInt64 { harts.reduce(0) { $0 &+ $1.instret } }

    /// Runs until the program stops or `maxInstructions` (all harts together) retire.
    public func run(maxInstructions: UInt64? = nil) -> StopReason {
        for h in harts { h.singleStep = false }
        if harts.count == 1 {
            while true {
                if let stop = stopCondition(maxInstructions: maxInstructions) { return stop }
                switch advance(hart, until: hart.cycles &+ chunkCycles, maxInstructions: maxInstructions) {
                case .ran, .slept: continue
                case .stuck:
                    if !bus.uart.input.waitForLiveInput() {
                        return bus.uart.input.quitRequested ? .quit : .deadlock(pc: hart.pc)
                    }
                }
            }
        }
        var now = harts.map(\.cycles).min() ?? 0
        while true {
            let end = now &+ quantumCycles
            var stuck = 0
            for h in harts {
                bus.interleavingEpoch &+= 1  // another hart ran: outstanding LR reservations lapse
                while h.cycles < end {
                    if let stop = stopCondition(maxInstructions: maxInstructions) { return stop }
                    let outcome = advance(h, until: end, maxInstructions: maxInstructions)
                    if outcome == .stuck {
                        stuck += 1
                        h.sleep(until: end)  // another hart may still wake it
                        break
                    }
                }
            }
            // A hart counted stuck early in the quantum may since have received an IPI from
            // another one: only when none can wake is the board really idle.
            if stuck == harts.count && harts.allSatisfy({ !$0.wakeUpPending && $0.nextWakeUpCycle() == nil }) {
                // Every hart sleeps with nothing scheduled: only console input can help.
                if !bus.uart.input.waitForLiveInput() {
                    return bus.uart.input.quitRequested ? .quit : .deadlock(pc: hart.pc)
                }
            }
            now = end
        }
    }

    enum Progress { case ran, slept, stuck }

    /// Lets hart `h` run (or sleep, in WFI) towards cycle `end`: interrupts are taken first,
    /// and the run stops early at the next timer, console or device event.
    private func advance(_ h: Hart, until end: UInt64, maxInstructions: UInt64?) -> Progress {
        if h.waitingForInterrupt {
            bus.uart.flush()  // idle: show what was printed
            if h.wakeUpPending {
                h.resume()
            } else if let t = h.nextWakeUpCycle() {
                h.sleep(until: min(t, end))
                return .slept
            } else {
                return .stuck
            }
        }
        h.checkInterrupts()
        var limit = end
        if let t = bus.clint.timerEventCycle(hart: h.id, cycles: h.cycles), t > h.cycles { limit = min(limit, t) }
        if let t = h.supervisorTimerEventCycle(), t > h.cycles { limit = min(limit, t) }
        if let t = h.virtualTimerEventCycle(), t > h.cycles { limit = min(limit, t) }
        if let c = bus.uart.input.nextEventCycle, c > h.cycles { limit = min(limit, c) }
        if let c = bus.nextDeviceEventCycle, c > h.cycles { limit = min(limit, c) }
        if let max = maxInstructions {
            let done = instructions
            if done < max { limit = min(limit, h.cycles &+ (max - done)) }
        }
        h.run(until: max(limit, h.cycles &+ 1))
        return .ran
    }

    /// The hart `step()` runs next (round-robin over the harts that are not asleep).
    private var nextStep = 0

    /// Executes one instruction (or takes one trap) on the next hart and returns the commit
    /// record.
    public func step() -> CommitRecord? {
        if stopCondition(maxInstructions: nil) != nil { return nil }
        for _ in 0..<harts.count {
            let h = harts[nextStep]
            nextStep = (nextStep + 1) % harts.count
            if harts.count > 1 { bus.interleavingEpoch &+= 1 }
            if h.waitingForInterrupt {
                if h.wakeUpPending { h.resume() } else if let t = h.nextWakeUpCycle() { h.sleep(until: t); continue } else { continue }
            }
            return step(h)
        }
        // Everyone sleeps: let the earliest one wake.
        guard let h = harts.filter({ $0.nextWakeUpCycle() != nil }).min(by: { $0.nextWakeUpCycle()! < $1.nextWakeUpCycle()! }) else {
            return bus.uart.input.waitForLiveInput() ? step() : nil
        }
        h.sleep(until: h.nextWakeUpCycle()!)
        return step()
    }

    private func step(_ h: Hart) -> CommitRecord {
        let traps = { h.stats.exceptions.reduce(0, &+) &+ h.stats.interrupts.reduce(0, &+) }
        let before = (pc: h.pc, instret: h.instret, traps: traps())
        h.clearLastTrap()
        h.checkInterrupts()
        let trappedByInterrupt = traps() != before.traps
        let pc = h.pc, priv = h.priv
        h.singleStep = true
        h.run(until: h.cycles &+ 1)
        let retired = h.instret != before.instret
        return CommitRecord(hart: h.id, pc: pc, privilege: priv, instruction: h.decodedWord(at: pc), retired: retired,
                            written: retired ? h.lastWrittenRegister(pc: pc) : nil,
                            interruptTaken: trappedByInterrupt ? before.pc : nil,
                            trap: retired ? nil : h.lastTrap)
    }

    private func stopCondition(maxInstructions: UInt64?) -> StopReason? {
        if bus.resetRequested { reset() }
        if let code = bus.exitCode { return .exited(code) }
        if bus.uart.input.quitRequested { return .quit }
        if let max = maxInstructions, instructions >= max { return .instructionLimit(max) }
        return nil
    }
}

/// One line of the `--trace` commit log.
public struct CommitRecord: Sendable {
    public var hart: Int = 0
    public var pc: UInt64
    public var privilege: Privilege
    public var instruction: UInt32?
    public var retired: Bool
    public var written: (register: Int, value: UInt64)?
    /// The pc at which an interrupt was taken before this instruction.
    public var interruptTaken: UInt64?
    public var trap: Trap?

    /// Spike's "core %3d" prefix.
    var core: String {
        let n = String(hart)
        return "core " + String(repeating: " ", count: max(0, 3 - n.count)) + n
    }

    /// Spike `--log-commits` style: `core   0: 3 0x…(0x…) x5  0x…`.
    public var text: String {
        var s = ""
        if let trap, !retired {
            s += "\(core): exception \(trap.cause.name), epc \(hex16(pc))\n"
            s += "\(core):           tval \(hex16(trap.tval))\n"
            return s
        }
        let bits: String
        if let w = instruction {
            bits = w & 3 == 3 ? "0x" + hex(UInt64(w), digits: 8) : "0x" + hex(UInt64(w & 0xFFFF), digits: 4)
        } else {
            bits = "0x????????"
        }
        s += "\(core): \(privilege.rawValue) \(hex16(pc)) (\(bits))"
        if let (r, v) = written {
            let name = "x\(r)"
            // Spike: "x%-2d 0x%016lx", e.g. "x5  0x…", "x10 0x…".
            s += " " + name + String(repeating: " ", count: max(0, 3 - name.count)) + " " + hex16(v)
        }
        return s + "\n"
    }
}

func hex(_ v: UInt64, digits: Int) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, digits - s.count)) + s
}

func hex16(_ v: UInt64) -> String { "0x" + hex(v, digits: 16) }
