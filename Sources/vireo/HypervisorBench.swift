import ArgumentParser
import Board
import BoardCore
import Foundation
import RISCV
import VireoELF

/// `vireo bench --hypervisor` (issue 6, DESIGN §5 "Benchmarks"): the bench guest
/// (guests/bench) runs natively in S-mode under Debian's OpenSBI and as a VS-mode guest of
/// the Vireo firmware, on the same board, with and without Sstc. The guest measures itself
/// in modeled cycles (`cycle` CSR), so the figures are exact and reproducible.
enum HypervisorBench {
    static let openSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf"

    struct Figures {
        var values: [String: UInt64] = [:]
        var exits: UInt64 = 0
        /// With `exitBreakdown`: the Vireo run's exits by kind, summed over the harts.
        var breakdown: [ExitProfile.Key: ExitProfile.Totals] = [:]
        subscript(_ key: String) -> UInt64? { values[key] }
    }

    /// `jit`: whether the boards translate hot code (the figures are modeled cycles: the same either way).
    static func run(jit: Bool, exitBreakdown: Bool = false, shadow: Bool = false) throws {
        guard let out = try Boot.artefacts() else {
            throw ValidationError("nothing built: run tools/build-riscv.sh firmware guests")
        }
        let firmware = out + "/firmware/vireo-fw.elf", guest = out + "/guests/bench.elf"
        for f in [firmware, guest] where !FileManager.default.fileExists(atPath: f) {
            throw ValidationError("\(f) missing: run tools/build-riscv.sh firmware guests")
        }
        let haveOpenSBI = FileManager.default.fileExists(atPath: openSBI)
        print("hypervisor benchmark: guests/bench in S-mode under OpenSBI (native) and in VS-mode under the Vireo firmware; modeled cycles")
        for sstc in [true, false] {
            let isa = sstc ? "rv64gc_h_sstc" : "rv64gc_h"
            let vireo = try measure(isa: isa, firmware: firmware, kernel: nil, module: guest, jit: jit, exitBreakdown: exitBreakdown)
            let native = haveOpenSBI ? try measure(isa: isa, firmware: openSBI, kernel: guest, module: nil, jit: jit) : nil
            let trapped = shadow ? try measure(isa: isa, firmware: firmware, kernel: nil, module: guest, jit: jit, bootargs: "vireo.mmu=shadow") : nil
            print("\n\(isa)" + (sstc ? " (guest timer: vstimecmp)" : " (guest timer: injected by the firmware)"))
            print("  " + "".padding(toLength: 40, withPad: " ", startingAt: 0) + "native".leftPad(12) + "vireo".leftPad(12) + "ratio".leftPad(8)
                  + (shadow ? "shadow".leftPad(12) + "ratio".leftPad(8) : ""))
            var current: (Figures?) -> UInt64? = { _ in nil }
            func row(_ title: String, _ n: UInt64?, _ v: UInt64?) {
                var line = "  " + title.padding(toLength: 40, withPad: " ", startingAt: 0)
                line += (n.map { String($0) } ?? "-").leftPad(12) + (v.map { String($0) } ?? "-").leftPad(12)
                if let n, let v, n > 0 { line += String(format: "%8.3f", Double(v) / Double(n)) } else if shadow { line += "".leftPad(8) }
                if shadow {
                    let s = current(trapped)
                    line += (s.map { String($0) } ?? "-").leftPad(12)
                    if let n, let s, n > 0 { line += String(format: "%8.3f", Double(s) / Double(n)) }
                }
                print(line)
            }
            func perTick(_ f: Figures?) -> UInt64? {
                guard let f, let a = f["compute-with-ticks-cycles"], let b = f["compute-cycles"], let t = f["ticks"], t > 0, a >= b else { return nil }
                return (a - b) / t
            }
            for (title, key) in [("CPU-bound guest (cycles)", "compute-cycles"),
                                 ("VM exit round trip (unknown SBI call)", "exit-round-trip-cycles"),
                                 ("SBI call (TIME set_timer)", "sbi-set-timer-cycles"),
                                 ("UART register read (MMIO emulation)", "uart-read-cycles"),
                                 ("SBI call (IPI send_ipi to itself)", "sbi-ipi-cycles")] {
                current = { $0?[key] }
                row(title, native?[key], vireo[key])
            }
            current = { perTick($0) }
            row("timer interrupt delivered (per tick)", perTick(native), perTick(vireo))
            current = { _ in nil }    // shadow mode's traps come from U-mode: no VM exits to count
            row("VM exits in the whole run", nil, vireo.exits)
            if exitBreakdown { print(breakdownTable(vireo, sstc: sstc)) }
        }
        if !haveOpenSBI { print("\n(native column empty: \(openSBI) not installed; apt-get install opensbi)") }
    }

    /// Boots the board with the given images, captures the console and reads the
    /// "bench: NAME VALUE" lines.
    static func measure(isa: String, firmware: String, kernel: String?, module: String?, jit: Bool, exitBreakdown: Bool = false,
                        bootargs: String? = nil) throws -> Figures {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ValidationError("pipe: \(String(cString: strerror(errno)))") }
        defer { close(fds[0]) }
        var config = BoardConfig()
        config.jit = jit
        if let problem = Machine.parseISA(isa, into: &config) { throw ValidationError(problem) }
        let machine = Machine(config: config, uart: UART16550(outputFD: fds[1], inputFD: -1))
        var images = try BootImages.parse([])
        images.append = bootargs
        images.bios = firmware
        images.kernel = kernel
        images.module = module.map { [$0] } ?? []
        do {
            try images.boot(machine)
        } catch {
            throw ValidationError(error.description)
        }
        if exitBreakdown && module != nil && !machine.enableExitProfile() {
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
        guard f["compute-cycles"] != nil, text.contains("bench: done") else {
            throw ValidationError("the bench guest did not finish on \(isa) (\(kernel == nil ? "vireo" : "native")):\n\(text)")
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
