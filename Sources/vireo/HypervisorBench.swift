import ArgumentParser
import Board
import BoardCore
import Foundation
import RISCV
import VireoELF

/// `vireo bench --hypervisor` (issue 6, DESIGN §5 "Benchmarks"): the bench guest
/// (guests/bench) runs natively in S-mode under Debian's OpenSBI and as a VS-mode guest of
/// the Vireo firmware, on the same board, with and without Sstc. The guest measures itself
/// in modeled cycles (`cycle` CSR), so the figures are exact and reproducible. A second
/// table (issue 17) does the same for memory management with Sv39 on: guests/mmubench's
/// page fault, context switch and page-table update, and guests/pager's whole run. With
/// `--mmu shadow` both tables get a column for the classic VMM (`vireo.mmu=shadow`).
enum HypervisorBench {
    static let openSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"

    struct Figures {
        var values: [String: UInt64] = [:]
        var exits: UInt64 = 0
        /// With `exitBreakdown`: the Vireo run's exits by kind, summed over the harts.
        var breakdown: [ExitProfile.Key: ExitProfile.Totals] = [:]
        subscript(_ key: String) -> UInt64? { values[key] }
    }

    /// How a guest runs: natively in S-mode under OpenSBI, as a VS-mode guest of the
    /// firmware (two-stage translation), or in U-mode under it (`vireo.mmu=shadow`).
    enum Mode {
        case native, twoStage, shadow
        var name: String { self == .native ? "native" : self == .twoStage ? "vireo" : "shadow" }
    }

    /// `jit`: whether the boards translate hot code (the figures are modeled cycles: the same either way).
    static func run(jit: Bool, exitBreakdown: Bool = false, shadow: Bool = false) throws {
        guard let out = try Boot.artefacts() else {
            throw ValidationError("nothing built: run tools/build-riscv.sh firmware guests")
        }
        let firmware = out + "/firmware/vireo-fw.elf", guest = out + "/guests/bench.elf"
        let mmubench = out + "/guests/mmubench.elf", pager = out + "/guests/pager.elf"
        for f in [firmware, guest, mmubench, pager] where !FileManager.default.fileExists(atPath: f) {
            throw ValidationError("\(f) missing: run tools/build-riscv.sh firmware guests")
        }
        let haveOpenSBI = FileManager.default.fileExists(atPath: openSBI)
        print("hypervisor benchmark: guests/bench in S-mode under OpenSBI (native) and in VS-mode under the Vireo firmware; modeled cycles")
        for sstc in [true, false] {
            let isa = sstc ? "rv64gc_h_sstc" : "rv64gc_h"
            func measure(_ mode: Mode, exitBreakdown: Bool = false) throws -> Figures {
                try Self.measure(guest, mode, isa: isa, firmware: firmware, jit: jit, exitBreakdown: exitBreakdown, required: "compute-cycles")
            }
            let vireo = try measure(.twoStage, exitBreakdown: exitBreakdown)
            let native = haveOpenSBI ? try measure(.native) : nil
            let trapped = shadow ? try measure(.shadow) : nil
            print("\n\(isa)" + (sstc ? " (guest timer: vstimecmp)" : " (guest timer: injected by the firmware)"))
            print(header(shadow: shadow))
            func perTick(_ f: Figures?) -> UInt64? {
                guard let f, let a = f["compute-with-ticks-cycles"], let b = f["compute-cycles"], let t = f["ticks"], t > 0, a >= b else { return nil }
                return (a - b) / t
            }
            for (title, key) in [("CPU-bound guest (cycles)", "compute-cycles"),
                                 ("VM exit round trip (unknown SBI call)", "exit-round-trip-cycles"),
                                 ("SBI call (TIME set_timer)", "sbi-set-timer-cycles"),
                                 ("UART register read (MMIO emulation)", "uart-read-cycles"),
                                 ("SBI call (IPI send_ipi to itself)", "sbi-ipi-cycles")] {
                print(row(title, native?[key], vireo[key], trapped?[key], shadow: shadow))
            }
            print(row("timer interrupt delivered (per tick)", perTick(native), perTick(vireo), perTick(trapped), shadow: shadow))
            // Shadow mode's traps come from U-mode: no VM exits to count.
            print(row("VM exits in the whole run", nil, vireo.exits, nil, shadow: shadow))
            if exitBreakdown { print(breakdownTable(vireo, sstc: sstc)) }
        }
        try memoryTable(firmware: firmware, mmubench: mmubench, pager: pager, jit: jit, native: haveOpenSBI, shadow: shadow)
        if !haveOpenSBI { print("\n(native column empty: \(openSBI) not installed; apt-get install opensbi)") }
    }

    /// Issue 17's workloads for lecture 004's two approaches to memory virtualization
    /// (docs/memory-virtualization.md), once, on rv64gc_h_sstc (they take no timer
    /// interrupts): guests/mmubench's demand-paging fault, context switch between three
    /// processes and page-table update, and guests/pager's whole run (its own cycle count
    /// from entry to "done", printed with the bootargs word `bench`).
    static func memoryTable(firmware: String, mmubench: String, pager: String, jit: Bool, native: Bool, shadow: Bool) throws {
        let isa = "rv64gc_h_sstc"
        let modes: [Mode] = (native ? [.native] : []) + [.twoStage] + (shadow ? [.shadow] : [])
        var m: [Mode: Figures] = [:], p: [Mode: Figures] = [:]
        for mode in modes {
            m[mode] = try measure(mmubench, mode, isa: isa, firmware: firmware, jit: jit, required: "ptstorm-cycles")
            p[mode] = try measure(pager, mode, isa: isa, firmware: firmware, jit: jit, args: "bench", required: "pager-cycles", done: "pager: done")
        }
        print("\nmemory management, \(isa): guests/mmubench and guests/pager with Sv39 on" + (shadow ? " (shadow: vireo.mmu=shadow)" : ""))
        print(header(shadow: shadow))
        func line(_ title: String, _ key: String) {
            print(row(title, m[.native]?[key], m[.twoStage]?[key], m[.shadow]?[key], shadow: shadow))
        }
        line("page fault, demand paging (per fault)", "pagefault-cycles")
        line("context switch, 3 processes (per switch)", "switch-cycles")
        line("PTE update + sfence.vma + touch", "ptstorm-cycles")
        print(row("ASID bits (the kernel's satp probe)", m[.native]?["asid-bits"], m[.twoStage]?["asid-bits"], m[.shadow]?["asid-bits"],
                  shadow: shadow, ratios: false))
        print(row("pager: whole run (cycles)", p[.native]?["pager-cycles"], p[.twoStage]?["pager-cycles"], p[.shadow]?["pager-cycles"], shadow: shadow))
    }

    static func header(shadow: Bool) -> String {
        "  " + "".padding(toLength: 40, withPad: " ", startingAt: 0) + "native".leftPad(12) + "vireo".leftPad(12) + "ratio".leftPad(8)
            + (shadow ? "shadow".leftPad(12) + "ratio".leftPad(8) : "")
    }

    /// A table row: native, Vireo and its ratio to native, and with `shadow` the shadow
    /// figure and its ratio; "-" where a figure is missing.
    static func row(_ title: String, _ n: UInt64?, _ v: UInt64?, _ s: UInt64?, shadow: Bool, ratios: Bool = true) -> String {
        var line = "  " + title.padding(toLength: 40, withPad: " ", startingAt: 0)
        line += (n.map { String($0) } ?? "-").leftPad(12) + (v.map { String($0) } ?? "-").leftPad(12)
        if ratios, let n, let v, n > 0 { line += String(format: "%8.3f", Double(v) / Double(n)) } else if shadow { line += "".leftPad(8) }
        if shadow {
            line += (s.map { String($0) } ?? "-").leftPad(12)
            if ratios, let n, let s, n > 0 { line += String(format: "%8.3f", Double(s) / Double(n)) }
        }
        return line
    }

    /// Boots the board with `guest` in `mode` (with bootargs `args`), captures the console
    /// and reads the "bench: NAME VALUE" lines. The run must print the line `done` and the
    /// figure `required`; otherwise the transcript is the error.
    static func measure(_ guest: String, _ mode: Mode, isa: String, firmware: String, jit: Bool, exitBreakdown: Bool = false,
                        args: String? = nil, required: String, done: String = "bench: done") throws -> Figures {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ValidationError("pipe: \(String(cString: strerror(errno)))") }
        defer { close(fds[0]) }
        var config = BoardConfig()
        config.jit = jit
        if let problem = Machine.parseISA(isa, into: &config) { throw ValidationError(problem) }
        let machine = Machine(config: config, uart: UART16550(outputFD: fds[1], inputFD: -1))
        var images = try BootImages.parse([])
        images.append = mode == .native ? args : mode == .shadow ? "vireo.mmu=shadow" : nil
        images.bios = mode == .native ? openSBI : firmware
        images.kernel = mode == .native ? guest : nil
        images.module = mode == .native ? [] : [guest + (args.map { "," + $0 } ?? "")]
        do {
            try images.boot(machine)
        } catch {
            throw ValidationError(error.description)
        }
        if exitBreakdown && mode != .native && !machine.enableExitProfile() {
            throw ValidationError("\(firmware) lacks the symbols --exit-breakdown cuts phases at")
        }
        _ = machine.run(maxInstructions: 2_000_000_000)
        machine.bus.uart.flush()
        close(fds[1])
        let text = String(decoding: FileHandle(fileDescriptor: fds[0], closeOnDealloc: false).readDataToEndOfFile(), as: UTF8.self)
        var f = Figures()
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("bench: ") {
            let parts = line.split(separator: " ")
            if parts.count == 3, let v = UInt64(parts[2]) { f.values[String(parts[1])] = v }
        }
        guard f[required] != nil, text.split(whereSeparator: \.isNewline).contains(where: { $0 == done }) else {
            let name = (guest as NSString).lastPathComponent
            throw ValidationError("\(name) did not finish on \(isa) (\(mode.name)):\n\(text)")
        }
        for h in machine.harts {
            f.exits += h.stats.vmExits.reduce(0, +)
            for (k, t) in h.exitProfile?.totals ?? [:] { f.breakdown[k, default: ExitProfile.Totals()].add(t) }
        }
        return f
    }

    /// The exit kinds behind the Vireo rows (guests/bench/Main.swift): the unknown SBI call
    /// (EID 0x0A000042), TIME set_timer, the UART read (a load guest-page fault) and, for a
    /// tick, the machine timer interrupt the firmware takes without Sstc (with Sstc VSTIP
    /// reaches the guest without an exit, and the machine timer only ends slices); every
    /// tick also re-arms with a set_timer call, which the set_timer row includes.
    static func breakdownTable(_ f: Figures, sstc: Bool) -> String {
        func sum(_ match: (ExitProfile.Key) -> Bool) -> ExitProfile.Totals {
            var t = ExitProfile.Totals()
            for (k, v) in f.breakdown where match(k) { t.add(v) }
            return t
        }
        let ecall = Int(Cause.ecallFromVS.rawValue)
        var out = "  where the Vireo exits' cycles go (average per exit):\n"
        out += "  " + "exit".padding(toLength: 44, withPad: " ", startingAt: 0) + "count".leftPad(8) + "total".leftPad(9)
        for p in ExitProfile.Phase.allCases { out += p.name.leftPad(9) }
        func line(_ title: String, _ t: ExitProfile.Totals) {
            out += "\n  " + title.padding(toLength: 44, withPad: " ", startingAt: 0) + String(t.count).leftPad(8) + average(t.cycles, t.count).leftPad(9)
            for p in t.phases { out += average(p, t.count).leftPad(9) }
        }
        line("VM exit round trip (unknown SBI call)", sum { $0.index == ecall && $0.sbiExtension == 0x0A00_0042 })
        line("SBI call (TIME set_timer)", sum { $0.index == ecall && $0.sbiExtension == SBI.time })
        line("UART register read (load guest-page fault)", sum { $0.index == Int(Cause.loadGuestPageFault.rawValue) })
        let timer = sum { $0.index == 64 + Int(Interrupt.MTI) }
        if sstc {
            line("machine timer interrupt (slice ends)", timer)
            out += "\n  timer tick: no exit of its own (vstimecmp); its re-arm is a set_timer call"
        } else {
            line("timer tick (machine timer interrupt)", timer)
            out += "\n  timer tick: the interrupt above (slice ends among them) and the re-arm's set_timer call"
        }
        return out
    }
}
