import ArgumentParser
import Board
import RISCV
import BoardCore
import Foundation

/// Flags shared by every command that builds a board.
struct BoardOptions: ParsableArguments {
    @Option(name: [.customShort("m"), .long], help: "Guest DRAM size: bytes, or with a K/M/G suffix (default 256M; -m as QEMU's).")
    var memory: String = "256M"

    @Option(name: .long, help: "Number of harts, 1–8.")
    var harts: Int = 1

    @Option(name: .long, help: "ISA: rv64imac, rv64imafdc or rv64gc, plus optional extensions joined by '_' (h, sstc, zba, zbb, zbc, zbs, zicbom, zicboz, zicbop, zihintpause, zfhmin, zihpm, svpbmt, svinval, svnapot, sv57), e.g. rv64gc_h_sstc. Default: all of them, like QEMU's virt CPU.")
    var isa: String?


    @Flag(name: .customLong("spec-strict"), help: "Follow the specifications where QEMU 7.2's virt board departs from them (PLIC gateways re-pend a still-high line at completion; virtio-mmio needs VERSION_1 for FEATURES_OK and has the board's own vendor ID). Default: QEMU's behaviour (docs/qemu-compatibility.md).")
    var specStrict = false

    @Flag(name: .customLong("no-jit"), help: "Interpret every instruction: do not translate hot code to host code (same results, slower).")
    var noJIT = false

    @Option(name: .customLong("jit-threshold"), help: .hidden)
    var jitThreshold: UInt = 16

    @Option(name: .long, help: "A raw disk image on the next virtio-mmio slot: file=PATH[,readonly][,format=raw]. Repeatable (up to 8).")
    var drive: [String] = []

    /// The drives, parsed: (path, read-only).
    func drives() throws -> [(path: String, readOnly: Bool)] {
        guard drive.count <= 8 else { throw ValidationError("--drive: at most 8 drives (one per virtio-mmio slot)") }
        return try drive.map { spec in
            var path: String?
            var readOnly = false
            for part in spec.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                switch (kv[0], kv.count > 1 ? kv[1] : nil) {
                case ("file", let v?): path = v
                case ("readonly", nil), ("readonly", "on"), ("readonly", "true"): readOnly = true
                case ("readonly", "off"), ("readonly", "false"): readOnly = false
                case ("format", "raw"), ("if", "virtio"): break
                case ("format", let v?): throw ValidationError("--drive \(spec): only format=raw is supported, not \(v)")
                default: throw ValidationError("--drive \(spec): unknown option '\(part)' (use file=PATH[,readonly])")
                }
            }
            guard let path, !path.isEmpty else { throw ValidationError("--drive \(spec): needs file=PATH") }
            return (path, readOnly)
        }
    }

    /// A machine with this configuration and its drives attached (a missing, unreadable or
    /// read-only image is a clear error here).
    func machine(uart: UART16550 = UART16550(), defaultISA: String = Machine.fullISA) throws -> Machine {
        let m = Machine(config: try config(defaultISA: defaultISA), uart: uart)
        for (slot, d) in try drives().enumerated() {
            do {
                try m.bus.attachDisk(slot: slot, path: d.path, readOnly: d.readOnly)
            } catch {
                FileHandle.standardError.write("vireo: \(error.description)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        }
        return m
    }

    /// `defaultISA` is the command's ISA when --isa is not given.
    func config(defaultISA: String = Machine.fullISA) throws -> BoardConfig {
        var c = BoardConfig()
        c.memoryBytes = try parseSize(memory)
        guard (1...VirtMap.maxHarts).contains(harts) else { throw ValidationError("--harts \(harts): the board has 1 to \(VirtMap.maxHarts) harts") }
        c.harts = harts
        c.jit = !noJIT
        c.specStrict = specStrict
        guard jitThreshold <= 2000 else { throw ValidationError("--jit-threshold \(jitThreshold): at most 2000 visits") }
        c.jitThreshold = jitThreshold
        if let problem = Machine.parseISA(isa ?? defaultISA, into: &c) { throw ValidationError(problem) }
        return c
    }
}

/// Parses "256M", "1G", "65536", "512K" into bytes; DRAM must be 4 KiB-aligned and fit
/// below the top of the 64-bit address space from 0x8000_0000.
func parseSize(_ text: String) throws -> UInt64 {
    var digits = Substring(text)
    var scale: UInt64 = 1
    if let last = text.last, !last.isNumber {
        switch last.uppercased() {
        case "K": scale = 1 << 10
        case "M": scale = 1 << 20
        case "G": scale = 1 << 30
        default: throw ValidationError("--memory \(text): unknown size suffix '\(last)' (use K, M or G)")
        }
        digits = digits.dropLast()
    }
    guard let n = UInt64(digits), n > 0 else { throw ValidationError("--memory \(text): not a size") }
    let (bytes, overflow) = n.multipliedReportingOverflow(by: scale)
    guard !overflow, bytes <= 64 << 30 else { throw ValidationError("--memory \(text): more than 64G") }
    guard bytes % 4096 == 0, bytes >= 1 << 20 else {
        throw ValidationError("--memory \(text): must be at least 1M and a multiple of 4K")
    }
    return bytes
}
