import ArgumentParser
import Board
import BoardCore
import Foundation
import RISCV
import VireoELF

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a bare-metal ELF in M-mode (like qemu-system-riscv64 -M virt -bios none -kernel ELF).",
        discussion: """
        `vireo run ELF` is short for `--bios none --kernel ELF`. With `--bios FW` the firmware
        (ELF, or a raw binary at 0x80000000) starts in M-mode with a0 = hart id, a1 = DTB and
        a2 = OpenSBI fw_dynamic info; the kernel (ELF at its addresses, or a raw image at the
        firmware's end rounded up to 2 MiB, as QEMU virt does) is where it continues.
        The process exits with the program's code (test finisher at 0x100000, or HTIF tohost).
        Other endings: 124 when --max-instructions stops the run, 125 when the hart sleeps in
        WFI with no interrupt that could wake it, 2 for a bad ELF or bad flags.
        """
    )

    @Argument(help: "The ELF program to run (same as --kernel with --bios none).")
    var program: String?

    @OptionGroup var images: BootImages

    func validate() throws {
        if program != nil && images.kernel != nil { throw ValidationError("give the program either as an argument or with --kernel, not both") }
        if program == nil && images.kernel == nil && (images.bios == nil || images.bios == "none") {
            throw ValidationError("nothing to run: give an ELF, --kernel FILE or --bios FILE")
        }
    }

    @OptionGroup var board: BoardOptions

    @OptionGroup var control: RunControl

    func run() throws {
        try control.execute(defaultISA: Machine.fullISA, board: board) { machine throws(ELFError) in
            try images.boot(machine, program: program)
        }
    }
}

/// How a board run is driven and reported: statistics, instruction limit, commit log and
/// console input. Shared by `vireo run` and `vireo boot`.
struct RunControl: ParsableArguments {
    @Flag(help: "Print instructions, cycles, the split by privilege, traps by cause and TLB misses (to stderr).")
    var stats = false

    @Flag(inversion: .prefixedNo, help: "With --stats under the Vireo firmware: break each VM exit cause's cycles down into trap entry, dispatch, handler and exit (the firmware's code then runs one instruction at a time: same cycles, slower host).")
    var exitBreakdown = true

    @Option(help: "Stop after this many instructions.")
    var maxInstructions: UInt64?

    @Option(help: "Write a per-instruction commit log (Spike --log-commits style) to this file.")
    var trace: String?

    @Option(name: .customLong("trace-events"), help: ArgumentHelp(
        "Write Chrome trace-event JSON (open it in ui.perfetto.dev) to this file: per hart the mode as slices, traps, VM exits, interrupts, device requests and, under the Vireo firmware, the running domain; timestamps in modeled cycles.",
        valueName: "file"))
    var traceEvents: String?

    @Option(help: "Console input script: lines 'CYCLE TEXT' (escapes \\n \\r \\t \\e \\xHH) replayed at those cycles instead of stdin.")
    var consoleInput: String?

    @Option(name: .customLong("gdb"), help: "Serve gdb's remote protocol on tcp::PORT (127.0.0.1) or tcp:HOST:PORT, as QEMU's -gdb.")
    var gdb: String?

    @Flag(name: .customShort("s"), help: "Shorthand for --gdb tcp::1234 (QEMU's -s).")
    var gdbDefaultPort = false

    @Flag(name: .customShort("S"), help: "Start halted: wait for gdb to connect and continue (QEMU's -S; needs --gdb or -s).")
    var startHalted = false

    /// `--gdb`/`-s`: the address to listen on, or nil; a one-line message and exit 2 for a
    /// bad value.
    func gdbAddress() throws -> (host: String, port: UInt16)? {
        func refuse(_ message: String) -> ExitCode {
            FileHandle.standardError.write("vireo: \(message)\n".data(using: .utf8)!)
            return ExitCode(2)
        }
        guard let spec = gdb ?? (gdbDefaultPort ? "tcp::1234" : nil) else {
            if startHalted { throw refuse("-S: start halted for whom? give --gdb tcp::PORT or -s") }
            return nil
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0] == "tcp", let port = UInt16(parts[2]), port > 0 else {
            throw refuse("--gdb \(spec): expected tcp::PORT or tcp:HOST:PORT with PORT 1-65535")
        }
        return (parts[1], port)
    }

    /// Builds the board (console on stdout, input from the script, the terminal or stdin),
    /// lets `load` put the images in, runs it and maps the ending to the exit status.
    func execute(defaultISA: String, board: BoardOptions, load: (Machine) throws(ELFError) -> Void) throws {
        let input: ConsoleInput
        var terminal: RawTerminal?
        if let consoleInput {
            guard let text = try? String(contentsOfFile: consoleInput, encoding: .utf8) else {
                FileHandle.standardError.write("vireo: \(consoleInput): cannot read the console input script\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            do {
                input = ConsoleInput(script: try ConsoleInput.parseScript(text))
            } catch {
                FileHandle.standardError.write("vireo: \(consoleInput): \(error.description)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        } else if isatty(0) != 0 {
            // Interactive: raw terminal, QEMU's Ctrl-A escapes (Ctrl-A x quits, Ctrl-A h helps).
            terminal = RawTerminal(fd: 0)
            input = ConsoleInput(fd: 0, escapes: true)
        } else {
            input = ConsoleInput(fd: 0)
        }
        defer { terminal?.restore() }
        var stub: GDBStub?
        var gdbHost = ""
        if let address = try gdbAddress() {
            gdbHost = address.host
            if trace != nil {
                FileHandle.standardError.write("vireo: --gdb and --trace cannot be combined (the commit log steps the board itself)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            do {
                stub = GDBStub(listener: try GDBListener(host: address.host, port: address.port), startHalted: startHalted)
            } catch {
                FileHandle.standardError.write("vireo: --gdb: \(error.reason)\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
        }
        let machine = try board.machine(uart: UART16550(outputFD: 1, input: input), defaultISA: defaultISA)
        do {
            try load(machine)
        } catch {
            FileHandle.standardError.write("vireo: \(error.description)\n".data(using: .utf8)!)
            throw ExitCode(2)
        }
        if stats && exitBreakdown { machine.enableExitProfile() }
        if let traceEvents {
            guard let trace = TraceEvents(path: traceEvents, bus: machine.bus, harts: machine.harts.count) else {
                FileHandle.standardError.write("vireo: \(traceEvents): cannot open for writing: \(String(cString: strerror(errno)))\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            machine.attach(traceEvents: trace)
        }
        let started = DispatchTime.now().uptimeNanoseconds
        if let stub {
            stub.statsText = { m in
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                return statsReport(m, ending: "stopped by gdb", seconds: seconds)
            }
            machine.debugger = stub
            if startHalted {
                FileHandle.standardError.write("vireo: waiting for gdb on \(gdbHost.isEmpty || gdbHost == "localhost" ? "127.0.0.1" : gdbHost):\(stub.port)\n".data(using: .utf8)!)
            }
        }
        let stop: StopReason
        if let trace {
            guard let file = fopen(trace, "w") else {
                FileHandle.standardError.write("vireo: \(trace): cannot open for writing: \(String(cString: strerror(errno)))\n".data(using: .utf8)!)
                throw ExitCode(2)
            }
            defer { fclose(file) }
            stop = runTraced(machine, file: file)
        } else {
            stop = machine.run(maxInstructions: maxInstructions)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        machine.finishTraceEvents()  // whatever ended the run: the file is complete JSON
        machine.bus.uart.flush()
        if stats { printStats(machine, stop: stop, seconds: seconds) }
        switch stop {
        case .exited(let code):
            if code != 0 { throw ExitCode(code) }
        case .instructionLimit(let n):
            FileHandle.standardError.write("vireo: stopped after \(n) instructions (--max-instructions), pc \(hexString(machine.hart.pc))\n".data(using: .utf8)!)
            throw ExitCode(124)
        case .deadlock(let pc):
            FileHandle.standardError.write("vireo: hart 0 waits in WFI at pc \(hexString(pc)) with no enabled interrupt that could wake it\n".data(using: .utf8)!)
            throw ExitCode(125)
        case .quit:
            FileHandle.standardError.write("\r\nvireo: terminated (Ctrl-A x)\r\n".data(using: .utf8)!)
        case .killedByDebugger:
            FileHandle.standardError.write("vireo: killed by gdb\n".data(using: .utf8)!)
        }
    }

    func runTraced(_ machine: Machine, file: UnsafeMutablePointer<FILE>) -> StopReason {
        while true {
            if let code = machine.bus.exitCode { return .exited(code) }
            if let max = maxInstructions, machine.instructions >= max { return .instructionLimit(max) }
            guard let record = machine.step() else {
                if let code = machine.bus.exitCode { return .exited(code) }
                return .deadlock(pc: machine.hart.pc)
            }
            fputs(record.text, file)
        }
    }
}

func hexString(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

func printStats(_ machine: Machine, stop: StopReason, seconds: Double) {
    let ending: String
    switch stop {
    case .exited(let code): ending = "exit code \(code)"
    case .instructionLimit: ending = "instruction limit"
    case .deadlock: ending = "WFI deadlock"
    case .quit: ending = "Ctrl-A x"
    case .killedByDebugger: ending = "killed by gdb"
    }
    FileHandle.standardError.write(statsReport(machine, ending: ending, seconds: seconds).data(using: .utf8)!)
}

/// The `--stats` text (also gdb's `monitor stats`).
func statsReport(_ machine: Machine, ending: String, seconds: Double) -> String {
    for h in machine.harts { h.settleStatistics() }
    let instructions = machine.instructions
    let cycles = machine.harts.map(\.cycles).max() ?? 0
    var out = ""
    out += "vireo: \(ending) after \(instructions) instructions, \(cycles) cycles"
    if machine.harts.count == 1 && instructions > 0 {
        out += String(format: " (CPI %.3f)", Double(cycles) / Double(instructions))
    }
    out += "\n"
    for h in machine.harts {
        let s = h.stats
        if machine.harts.count > 1 { out += "hart \(h.id): \(h.instret) instructions, \(h.cycles) cycles\n" }
        out += "  mode  instructions        cycles\n"
        // Without H the supervisor mode is plain S; with it, HS, and VS/VU appear.
        let modes: [ExecutionMode] = h.h ? [.m, .hs, .u, .vs, .vu] : [.m, .hs, .u]
        for m in modes {
            let name = m == .hs && !h.h ? "S" : m.name
            out += "  " + name.padding(toLength: 4, withPad: " ", startingAt: 0) + pad(s.instructions[m.rawValue], 14)
                + pad(s.cycles[m.rawValue], 14) + "\n"
        }
        let exceptions = s.exceptions.enumerated().filter { $0.element > 0 }
        let interrupts = s.interrupts.enumerated().filter { $0.element > 0 }
        if exceptions.isEmpty && interrupts.isEmpty {
            out += "  traps: none\n"
        } else {
            out += "  traps:\n"
            // Each cause with its total and, when several modes raised it, the split by mode.
            func line(_ name: String, _ n: Int, _ byMode: [[UInt64]], _ code: Int) -> String {
                var text = "    " + name.padding(toLength: 38, withPad: " ", startingAt: 0) + pad(UInt64(n), 10)
                let from = ExecutionMode.allCases.filter { byMode[$0.rawValue][code] > 0 }
                text += "   from " + from.map { "\($0.name) \(byMode[$0.rawValue][code])" }.joined(separator: ", ")
                return text + "\n"
            }
            for (code, n) in exceptions {
                out += line(causeName(interrupt: false, code: UInt64(code)), Int(n), s.exceptionsFrom, code)
            }
            for (code, n) in interrupts {
                out += line(interruptName(UInt64(code)), Int(n), s.interruptsFrom, code)
            }
        }
        let exits = s.vmExits.enumerated().filter { $0.element > 0 }
        if h.h && !exits.isEmpty {
            out += "  VM exits (traps from VS/VU into HS or M): \(exits.reduce(0) { $0 + $1.element })\n"
            for (index, n) in exits {
                out += "    " + vmExitName(index).padding(toLength: 38, withPad: " ", startingAt: 0) + pad(n, 10) + "\n"
            }
            if let p = h.exitProfile { out += exitBreakdownReport(p, vmExits: s.vmExits) }
        }
        out += "  TLB misses: \(s.tlbMisses), page-table reads: \(s.pageWalkReads)\n"
        out += "  WFI idle cycles: \(s.wfiSkippedCycles)\n"
    }
    let jit = machine.bus.jitStatistics
    out += machine.bus.jitEnabled ? "  host JIT: \(jit.regions) regions, \(jit.instructions) guest instructions translated, \(jit.chains) page leaves chained\n" : "  host JIT: off\n"
    out += String(format: "  host: %.3f s, %.1f MIPS\n", seconds, seconds > 0 ? Double(instructions) / seconds / 1e6 : 0)
    return out
}

func pad(_ v: UInt64, _ width: Int) -> String {
    let s = String(v)
    return String(repeating: " ", count: max(0, width - s.count)) + s
}

/// Puts a terminal in raw mode for input (no echo, no line editing, no signals from Ctrl-C:
/// every key goes to the guest, as with QEMU -nographic) and restores it afterwards.
final class RawTerminal {
    private let fd: Int32
    private var saved = termios()
    private var active = false

    init?(fd: Int32) {
        self.fd = fd
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        // Output processing stays as it was (QEMU's stdio keeps OPOST too): a guest's or the
        // firmware's "\n" still starts the next line at its left edge.
        raw.c_oflag = saved.c_oflag
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        active = true
    }

    func restore() {
        guard active else { return }
        tcsetattr(fd, TCSANOW, &saved)
        active = false
    }

    deinit { restore() }
}

/// A whole file, or a clear error naming it.
func readFile(_ path: String) throws(ELFError) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ELFError(path: path, reason: .cannotOpen(FileManager.default.fileExists(atPath: path) ? "unreadable" : "No such file or directory"))
    }
    return [UInt8](data)
}

/// The name of a `HartStats.vmExits` index.
func vmExitName(_ index: Int) -> String {
    causeName(interrupt: index >= 64, code: UInt64(index & 63))
}

/// A short name for an SBI extension ID.
func sbiExtensionName(_ eid: UInt64) -> String {
    switch eid {
    case SBI.time: return "TIME"
    case SBI.ipi: return "IPI"
    case SBI.rfence: return "RFENCE"
    case SBI.hsm: return "HSM"
    case SBI.srst: return "SRST"
    case SBI.dbcn: return "DBCN"
    case SBI.base: return "BASE"
    case SBI.vireo: return "Vireo control"
    case 0...0x0F: return "legacy \(eid)"
    default: return "EID 0x" + String(eid, radix: 16)
    }
}

/// An average of `sum` over `n`, one decimal.
func average(_ sum: UInt64, _ n: UInt64) -> String {
    n == 0 ? "-" : String(format: "%.1f", Double(sum) / Double(n))
}

/// One row of the exit breakdown table.
func exitBreakdownRow(_ name: String, _ t: ExitProfile.Totals, indent: Int = 4) -> String {
    var line = String(repeating: " ", count: indent) + name.padding(toLength: 38 - (indent - 4), withPad: " ", startingAt: 0)
    line += pad(t.count, 10) + average(t.cycles, t.count).leftPad(11)
    for p in t.phases { line += average(p, t.count).leftPad(10) }
    return line + "\n"
}

/// `--stats`: after the VM exits by cause, where their cycles went (`ExitProfile`): per
/// cause (ecalls also per SBI extension) the exits that returned to V=1 and their average
/// cycles, whole and by phase.
func exitBreakdownReport(_ p: ExitProfile, vmExits: [UInt64]) -> String {
    let byCause = p.byCause
    guard !byCause.isEmpty else { return "" }
    var out = "  VM exit cycles by phase (average per exit that returned to V=1):\n"
    out += "    " + "cause".padding(toLength: 38, withPad: " ", startingAt: 0) + "count".leftPad(10) + "total".leftPad(11)
    for ph in ExitProfile.Phase.allCases { out += ph.name.leftPad(10) }
    out += "\n"
    var unreturned: UInt64 = 0
    for index in byCause.keys.sorted() {
        guard let t = byCause[index] else { continue }
        out += exitBreakdownRow(vmExitName(index), t)
        let subs = p.totals.filter { $0.key.index == index && $0.key.sbiExtension != nil }
        if subs.count > 1 || (subs.count == 1 && index == 10) {
            for (k, st) in subs.sorted(by: { $0.key < $1.key }) {
                out += exitBreakdownRow("SBI " + sbiExtensionName(k.sbiExtension ?? 0), st, indent: 6)
            }
        }
    }
    for (index, n) in vmExits.enumerated() where n > (byCause[index]?.count ?? 0) {
        unreturned &+= n - (byCause[index]?.count ?? 0)
    }
    if unreturned > 0 { out += "    (\(unreturned) exit\(unreturned == 1 ? "" : "s") did not return to V=1 before the run ended)\n" }
    return out
}
