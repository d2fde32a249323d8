import Foundation
import Testing

/// The console: a bare-metal program that takes UART receive interrupts through the PLIC,
/// fed by a cycle-stamped script (deterministic) or by a pipe.
@Suite struct ConsoleTests {
    static let echo = Repo.riscvOut.appendingPathComponent("console/uart-echo.elf").path

    func script(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-console-\(getpid())-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func scriptedInputArrivesAtItsCyclesAsInterrupts() throws {
        // Three arrivals: three external interrupts, each draining what arrived.
        let path = try script("# cycle text\n200000 hel\n400000 lo wor\n600000 ld\\n\n")
        let r = try runCommand(Repo.vireo, ["run", "--stats", "--console-input", path, Self.echo])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "type: HELLO WORLD\ninterrupts: 3\n")
        // "machine external interrupt   3   from M 3": the total, then by the mode it came from.
        let line = r.stderr.split(separator: "\n").first { $0.contains("machine external interrupt") }
        #expect(line?.split(separator: " ").suffix(4).joined(separator: " ") == "3 from M 3", "\(r.stderr)")
        // The last byte arrives at cycle 600000: the run ends shortly after, never before.
        let cycles = r.stderr.split(separator: "\n").first.flatMap { line in
            line.split(separator: " ").firstIndex(of: "cycles").map { _ in line }
        }
        #expect(cycles != nil)
    }

    @Test func scriptedRunsAreDeterministic() throws {
        let path = try script("1000 a\n5000 b\n9000 c\\n\n")
        let a = try runCommand(Repo.vireo, ["run", "--stats", "--console-input", path, Self.echo])
        let b = try runCommand(Repo.vireo, ["run", "--stats", "--console-input", path, Self.echo])
        #expect(a.status == 0 && b.status == 0)
        #expect(a.stdout == b.stdout)
        let summary = { (o: Outcome) in o.stderr.split(separator: "\n").first.map(String.init) ?? "" }
        #expect(summary(a) == summary(b))
        #expect(summary(a).hasPrefix("vireo: exit code 0 after "))
    }

    @Test func pipedInputWorks() throws {
        let r = try runCommand(Repo.vireo, ["run", Self.echo], stdin: Data("abc\n".utf8))
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("type: ABC\ninterrupts: "))
    }

    @Test func endOfInputWhileWaitingIsReported() throws {
        let r = try runCommand(Repo.vireo, ["run", Self.echo], stdin: Data())
        #expect(r.status == 125)
        #expect(r.stderr.contains("waits in WFI"))
    }

    @Test func badScriptIsRefusedWithItsLine() throws {
        let path = try script("# fine\n100 ok\nsoon hello\n")
        let r = try runCommand(Repo.vireo, ["run", "--console-input", path, Self.echo])
        #expect(r.status == 2)
        #expect(r.stderr == "vireo: \(path): line 3: expected a cycle count, found 'soon'\n")
        let missing = try runCommand(Repo.vireo, ["run", "--console-input", "/nonexistent/script", Self.echo])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/script"))
    }

    /// On a real terminal (a pty from script(1)): raw mode passes keys through, the prompt
    /// shows before any newline, Ctrl-A h lists the keys and Ctrl-A x ends the run.
    @Test(.enabled(if: Repo.executable("script") != nil, "script(1) not installed"))
    func interactiveTerminalWithCtrlAKeys() throws {
        let shell = "(sleep 0.5; printf 'hi'; sleep 0.5; printf '\\001h'; sleep 0.3; printf '\\001x') | script -qfec \"$0 run $1\" /dev/null"
        let r = try runCommand("/bin/sh", ["-c", shell, Repo.vireo, Self.echo], timeout: 30)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let out = r.stdout
        #expect(out.contains("type: HI"), "\(out)")
        #expect(out.contains("C-a x    exit vireo"), "\(out)")
        #expect(out.contains("vireo: terminated (Ctrl-A x)"), "\(out)")
        if let prompt = out.range(of: "type: HI"), let help = out.range(of: "C-a h") {
            #expect(prompt.lowerBound < help.lowerBound)  // the prompt was not held back
        }
    }

    /// Review finding (eb2636c, a spec review of the devices and the run loop; the run hung
    /// before its fix): console input was only read from the host fd when the guest looked at
    /// the UART (IER.ERBFI set, or an RBR/LSR/IIR read). When every hart is stuck in WFI,
    /// `Machine.run` calls `waitForLiveInput`, which returns at once for a readable fd — and
    /// /dev/null or a pipe at EOF is always readable — but nothing ever read it, so `eof` was
    /// never set and the loop spun at 100% CPU for ever instead of returning `.deadlock`
    /// (exit 125). `vireo run prog < /dev/null` (CI) hung on any guest deadlock.
    @Test
    func wfiDeadlockWithNonTTYStdinTerminates() throws {
        let bin = RawProgram.image([RawProgram.wfi, RawProgram.jSelf])  // mie = 0: nothing can wake it
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let script = RawProgram.emptyFile()
        defer { try? FileManager.default.removeItem(atPath: script) }
        // Control: no live input → deadlock reported.
        #expect(try vireoStatus(["run", "--bios", bin, "--console-input", script], timeout: 20) == 125)
        // stdin = /dev/null: before the fix the run never ended (killed after 10 s → nil).
        #expect(try vireoStatus(["run", "--bios", bin], timeout: 10) == 125)
        // stdin = a pipe holding a byte the guest never reads: same.
        #expect(try vireoStatus(["run", "--bios", bin], stdin: Data("x".utf8), timeout: 10) == 125)
    }
}
