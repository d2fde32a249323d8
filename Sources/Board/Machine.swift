import BoardCore
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
    /// gdb killed the board (`k`).
    case killedByDebugger
}

/// Board configuration (`vireo run` flags).
public struct BoardConfig: Sendable {
    public var memoryBytes: UInt64 = 256 << 20
    public var harts = 1
    /// The optional extensions (`--isa`); by default all the board has, as QEMU 7.2's `virt`
    /// CPU has them by default (rv64gc, H, Sstc and the RVA22S64 extensions).
    public var extensions: Extensions = .all
    /// Sstc (`--isa …_sstc`).
    public var sstc: Bool {
        get { extensions.contains(.sstc) }
        set { if newValue { extensions.insert(.sstc) } else { extensions.remove(.sstc) } }
    }
    /// The hypervisor extension (`--isa …_h`).
    public var h: Bool {
        get { extensions.contains(.h) }
        set { if newValue { extensions.insert(.h) } else { extensions.remove(.h) } }
    }
    /// F and D (`--isa rv64imafdc…` or `rv64gc…`).
    public var fd: Bool {
        get { extensions.contains(.fd) }
        set { if newValue { extensions.insert(.fd) } else { extensions.remove(.fd) } }
    }
    /// Translate hot code to host code (`--no-jit` turns it off; results are the same).
    public var jit = true
    /// Visits of a block entry before the JIT translates it.
    public var jitThreshold: UInt = 16
    /// `--spec-strict`: the spec's behaviour where QEMU 7.2's virt departs from it (PLIC
    /// gateways, virtio feature negotiation and vendor ID; docs/qemu-compatibility.md).
    /// Off, the board behaves as QEMU does, which software written for QEMU relies on.
    public var specStrict = false
    public init() {}
}

/// The board: one hart (Board I), the bus with its devices, the boot ROM and the device tree,
/// and the run loop that interleaves execution with interrupt delivery (DESIGN §2).
///
/// By job: `Machine+Boot.swift` places the images and resets the board,
/// `Machine+DeviceTree.swift` writes the device tree, `Machine+Run.swift` is the run loop
/// and `Machine+CommitLog.swift` steps one instruction at a time for `--trace`.
public final class Machine {
    public let config: BoardConfig
    public let bus: Bus
    /// The harts, in hart-id order; `hart` is hart 0.
    public let harts: [Hart]
    public var hart: Hart { harts[0] }
    /// What was loaded: the firmware (`--bios`) and/or the kernel; the hart starts at the
    /// first one's entry.
    public internal(set) var images: [ELFProgram] = []
    /// Where the firmware should continue (fw_dynamic `next_addr`): the kernel's entry.
    public internal(set) var nextAddress: UInt64 = 0
    /// `/chosen/bootargs` (`--append`).
    public var bootargs: String?
    /// `--initrd`: placed like QEMU virt places it, half-way into DRAM (at most 128 MiB in),
    /// or after the images when they reach that far.
    public internal(set) var initrd: Blob?
    /// `--module`: listed under /chosen per Xen's multiboot device-tree binding.
    public internal(set) var modules: [Blob] = []
    public var program: ELFProgram? { images.first }
    public internal(set) var dtbAddress: UInt64 = 0
    /// Cycles run per call into the interpreter at most; interrupts are checked in between.
    public var chunkCycles: UInt64 = 1 << 16
    /// With several harts, each runs this many cycles in turn (a deterministic interleaving;
    /// an IPI or a store another hart must see waits at most this long).
    public var quantumCycles: UInt64 = 2048
    /// The gdb stub (`--gdb`), polled between chunks; nil without gdb.
    public var debugger: GDBStub?
    /// The hart `step()` runs next (round-robin over the harts that are not asleep).
    var nextStep = 0

    public init(config: BoardConfig = BoardConfig(), uart: UART16550 = UART16550()) {
        self.config = config
        bus = Bus(memoryBytes: config.memoryBytes, harts: config.harts, uart: uart, specStrict: config.specStrict)
        let bus = self.bus
        bus.jitEnabled = config.jit
        bus.jitThreshold = config.jitThreshold
        harts = (0..<config.harts).map { Hart(id: $0, bus: bus, extensions: config.extensions) }
    }

    /// The extensions of a configuration, as device-tree `riscv,isa-extensions` names
    /// (the same names as `riscv,isa`, one per string; Sv57 is `mmu-type`, not listed).
    public static func isaExtensions(_ c: BoardConfig) -> [String] {
        var names = ["i", "m", "a"] + (c.fd ? ["f", "d"] : []) + ["c", "zicntr", "zicsr", "zifencei"]
        names += Extensions.named.filter { c.extensions.contains($0.ext) && $0.ext != .sv57 }.map(\.name)
        return names.sorted { Machine.canonicalRank($0) < Machine.canonicalRank($1) }
    }

    /// The ISA string of a configuration (`riscv,isa`), e.g.
    /// rv64imafdch_zicntr_zicsr_zifencei_zihintpause_zba_zbb_sstc (as QEMU writes it): single letters first, then
    /// multi-letter extensions by category (Z by the letter that follows, in canonical
    /// single-letter order; then S), alphabetically within a category (unpriv. "ISA Extension
    /// Naming Conventions").
    public static func isaString(_ c: BoardConfig) -> String {
        let names = isaExtensions(c)
        let letters = names.filter { $0.count == 1 }.joined()
        return (["rv64" + letters] + names.filter { $0.count > 1 }).joined(separator: "_")
    }

    /// Sorting key of an ISA-string name: single letters in canonical order (IMAFDQC… then H),
    /// then Z names by their category letter's canonical position, then S names.
    static func canonicalRank(_ name: String) -> (Int, Int, String) {
        let order = Array("imafdqlcbkjtpvh")
        func letterRank(_ ch: Character) -> Int { order.firstIndex(of: ch) ?? order.count }
        if name.count == 1 { return (0, letterRank(name.first!), name) }
        if name.hasPrefix("z"), name.count > 1 { return (1, letterRank(Array(name)[1]), name) }
        return (2, 0, name)
    }

    /// The satp modes the harts accept, as `mmu-type`: "riscv,sv57" with Sv57, else
    /// "riscv,sv48".
    public static func mmuType(_ c: BoardConfig) -> String {
        c.extensions.contains(.sv57) ? "riscv,sv57" : "riscv,sv48"
    }

    /// Parses `--isa`: a base of rv64imac, rv64imafdc or rv64gc, then optional extensions
    /// joined by '_' (each of `Extensions.named`; zicntr, zicsr and zifencei are always
    /// there). Zfhmin needs F and D.
    public static func parseISA(_ text: String, into c: inout BoardConfig) -> String? {
        let parts = text.lowercased().split(separator: "_").map(String.init)
        // The base and single letters: rv64 + imac or imafdc or gc, then optionally h (as
        // QEMU writes it: rv64imafdch).
        let baseProblem = "--isa \(text): the base must be rv64imac, rv64imafdc or rv64gc (optionally followed by h)"
        guard let first = parts.first, first.hasPrefix("rv64") else { return baseProblem }
        var letters = String(first.dropFirst(4))
        if letters.hasPrefix("g") { letters = "imafd" + letters.dropFirst() }
        var ext: Extensions
        if letters.hasSuffix("h") {
            ext = .h
            letters.removeLast()
        } else {
            ext = []
        }
        switch letters {
        case "imac": break
        case "imafdc": ext.insert(.fd)
        default: return baseProblem
        }
        for name in parts.dropFirst() {
            if ["zicntr", "zicsr", "zifencei"].contains(name) { continue }
            guard let known = Extensions.named.first(where: { $0.name == name && Extensions.all.contains($0.ext) }) else {
                let supported = (["zicntr", "zicsr", "zifencei"] + Extensions.named.filter { Extensions.all.contains($0.ext) }.map(\.name)).joined(separator: ", ")
                return "--isa \(text): unknown or unsupported extension '\(name)' (supported: \(supported))"
            }
            ext.insert(known.ext)
        }
        if ext.contains(.zfhmin) && !ext.contains(.fd) {
            return "--isa \(text): zfhmin needs F and D (use rv64gc or rv64imafdc)"
        }
        c.extensions = ext
        return nil
    }

    /// `--isa`'s value for everything the board has (the default).
    public static var fullISA: String {
        var c = BoardConfig()
        c.extensions = .all
        return isaString(c) + (Extensions.all.contains(.sv57) ? "_sv57" : "")
    }
}
