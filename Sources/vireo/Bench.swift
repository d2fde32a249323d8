import ArgumentParser
import Board
import BoardCore
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the integer benchmark kernels and print guest MIPS (build with -c release).",
        discussion: """
        Runs every ELF in the bench folder (default .build-riscv/bench, built by
        tools/build-riscv.sh bench). With qemu-system-riscv64 on PATH it also runs each ELF
        there and prints the wall-time ratio. --linux boots the Linux test kernel
        (tools/build/linux.sh) under OpenSBI to power-off instead, on the board and on QEMU.
        """
    )

    @Option(help: "Folder holding the benchmark ELFs.")
    var dir: String = ".build-riscv/bench"

    @Option(help: "Runs per kernel; the best is reported.")
    var runs: Int = 1

    @Flag(help: "Do not compare with QEMU even when it is installed.")
    var noQemu = false

    @Flag(name: .customLong("no-jit"), help: "Interpret every instruction (measure the interpreter alone).")
    var noJIT = false

    @Option(name: .customLong("trace-events"), help: ArgumentHelp(
        "Trace every run into this file (Chrome trace-event JSON, as `vireo run --trace-events`; each run overwrites it): measures what tracing costs.",
        valueName: "file"))
    var traceEvents: String?

    @Flag(help: "Instead of the kernels: the hypervisor benchmark (guests/bench natively under OpenSBI and under the Vireo firmware, with and without Sstc; then guests/mmubench's page fault, context switch and page-table update, and guests/pager's run, with Sv39 on).")
    var hypervisor = false

    @Flag(help: "Instead of the kernels: boot the Linux test kernel (tools/build/linux.sh) natively under OpenSBI fw_jump to power-off, on the board and on QEMU when installed; wall seconds and the ratio.")
    var linux = false

    @Option(help: "With --linux: harts (QEMU -smp).")
    var harts: Int = 1

    @Option(help: ArgumentHelp("With --hypervisor: `shadow` adds a column for the classic trap-and-emulate VMM (the guest kernel in U-mode, `--append vireo.mmu=shadow`) beside two-stage translation.", valueName: "two-stage|shadow"))
    var mmu: String = "two-stage"

    @Flag(help: "With --hypervisor: break the Vireo rows' VM exits down into trap entry, dispatch, handler and exit (as `vireo boot --stats`; same figures, slower host).")
    var exitBreakdown = false

    func run() throws {
        if hypervisor { return try HypervisorBench.run(jit: !noJIT, exitBreakdown: exitBreakdown, shadow: mmu == "shadow") }
        if exitBreakdown { throw ValidationError("--exit-breakdown needs --hypervisor") }
        if linux {
            if traceEvents != nil { throw ValidationError("--trace-events is for the kernels, not --linux") }
            return try LinuxBench.run(runs: runs, harts: harts, jit: !noJIT,
                                      qemu: noQemu ? nil : findExecutable("qemu-system-riscv64"))
        }
        if harts != 1 { throw ValidationError("--harts needs --linux") }
        let files = Conformance.expand([dir])
        guard !files.isEmpty else { throw ValidationError("no benchmark ELFs in \(dir): run tools/build-riscv.sh bench") }
        let qemu = noQemu ? nil : findExecutable("qemu-system-riscv64")
        var header = "kernel".padding(toLength: 16, withPad: " ", startingAt: 0) + "instructions".leftPad(14)
            + "cycles".leftPad(14) + "CPI".leftPad(7) + "seconds".leftPad(9) + "MIPS".leftPad(9)
        if qemu != nil { header += "qemu s".leftPad(9) + "ratio".leftPad(8) }
        print((noJIT ? "host JIT: off (interpreter only)" : "host JIT: on") + (traceEvents.map { ", --trace-events \($0)" } ?? ""))
        print(header)
        var totalInstructions: UInt64 = 0, totalSeconds = 0.0
        for path in files {
            let name = (path as NSString).lastPathComponent.replacingOccurrences(of: ".elf", with: "")
            var best = Double.infinity
            var instructions: UInt64 = 0, cycles: UInt64 = 0
            var ok = true
            for _ in 0..<max(1, runs) {
                var config = BoardConfig()
                config.jit = !noJIT
                let machine = Machine(config: config, uart: UART16550(outputFD: -1, inputFD: -1))
                try? machine.load(path: path)
                let t0 = DispatchTime.now().uptimeNanoseconds
                if let traceEvents {
                    guard let trace = TraceEvents(path: traceEvents, bus: machine.bus, harts: machine.harts.count) else {
                        throw ValidationError("--trace-events \(traceEvents): cannot open for writing")
                    }
                    machine.attach(traceEvents: trace)
                }
                let stop = machine.run(maxInstructions: 20_000_000_000)
                machine.finishTraceEvents()
                let s = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                if stop != .exited(0) { ok = false }
                best = min(best, s)
                instructions = machine.hart.instret
                cycles = machine.hart.cycles
            }
            totalInstructions += instructions
            totalSeconds += best
            var line = name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(instructions).leftPad(14)
                + String(cycles).leftPad(14) + String(format: "%7.2f", Double(cycles) / Double(max(1, instructions)))
                + String(format: "%9.3f", best) + String(format: "%9.0f", Double(instructions) / best / 1e6)
            if let qemu {
                let t0 = DispatchTime.now().uptimeNanoseconds
                let p = Process()
                p.executableURL = URL(fileURLWithPath: qemu)
                p.arguments = ["-machine", "virt", "-bios", "none", "-nographic", "-kernel", path]
                p.standardOutput = FileHandle.nullDevice
                p.standardInput = FileHandle.nullDevice
                try p.run()
                p.waitUntilExit()
                let q = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                line += String(format: "%9.3f", q) + String(format: "%7.2fx", best / q)
            }
            if !ok { line += "  (did not exit 0)" }
            print(line)
        }
        print(String(format: "total: %llu instructions in %.3f s = %.0f MIPS", totalInstructions, totalSeconds,
                     Double(totalInstructions) / totalSeconds / 1e6))
    }
}

func findExecutable(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let p = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}
