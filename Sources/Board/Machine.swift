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
    /// The hart `step()` runs next (round-robin over the harts that are not asleep).
    var nextStep = 0

    public init(config: BoardConfig = BoardConfig(), uart: UART16550 = UART16550()) {
        self.config = config
        bus = Bus(memoryBytes: config.memoryBytes, harts: config.harts, uart: uart)
        let bus = self.bus
        bus.jitEnabled = config.jit
        bus.jitThreshold = config.jitThreshold
        harts = (0..<config.harts).map { Hart(id: $0, bus: bus, sstc: config.sstc, h: config.h, fd: config.fd) }
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
}
