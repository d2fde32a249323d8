import Foundation
import Testing

/// Dom0 and its shell (Hypervisor III): the default stack (`vireo boot` with no --guest:
/// Dom0 with the archive of sample guests as its disk), driven by scripted console input
/// (`--console-input`, one line per arrival at a modeled cycle), the transcript checked.
@Suite struct HypervisorDom0Tests {
    typealias HV = HypervisorBootTests
    static let dom0 = Repo.riscvOut.appendingPathComponent("guests/dom0.elf").path
    static let archive = Repo.riscvOut.appendingPathComponent("dom0/guests.tar").path
    static let built = HV.built && FileManager.default.fileExists(atPath: dom0) && FileManager.default.fileExists(atPath: archive)

    /// Boots the default stack with `script`: (modeled milliseconds, text) pairs, the text
    /// typed at that time (`\r` ends a command, as Enter does on a terminal).
    static func session(extra: [String] = [], _ script: [(ms: Int, text: String)]) throws -> Outcome {
        try session(script, extra: extra)
    }

    static func session(_ script: [(ms: Int, text: String)], extra: [String] = []) throws -> Outcome {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-dom0-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        let lines = script.map { "\($0.ms * 1_000_000) " + $0.text.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\r", with: "\\r").replacingOccurrences(of: "\u{1D}", with: "\\x1d") }
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["VIREO_RISCV_OUT"] = Repo.riscvOut.path
        return try runCommand(Repo.fastVireo, ["boot", "--console-input", file.path, "--max-instructions", "6000000000"] + extra,
                              timeout: 600)
    }

    /// The transcript's lines without carriage returns; a notice's return-and-clear-line
    /// (it overwrites the prompt it interrupts on a terminal) starts a line of its own.
    static func lines(_ r: Outcome) -> [String] {
        r.stdout.replacingOccurrences(of: "\r\u{1B}[K", with: "\n").replacingOccurrences(of: "\r", with: "")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The lines a command printed: after "dom0> COMMAND" up to the next prompt.
    static func output(of command: String, in lines: [String], occurrence: Int = 0) -> [String] {
        let starts = lines.indices.filter { lines[$0] == "dom0> " + command }
        guard occurrence < starts.count else { return [] }
        let rest = lines[(starts[occurrence] + 1)...]
        return Array(rest.prefix { !$0.hasPrefix("dom0> ") })
    }

    static func listNames(_ rows: [String]) -> [String] {
        rows.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    // MARK: Sessions

    /// The firmware's option for the classic VMM (issue 17): every domain, Dom0 included,
    /// runs trap-and-emulate on shadow tables. The sessions below run in both modes.
    static let shadow = ["--append", "vireo.mmu=shadow"]
    static let modes: [[String]] = [[], shadow]

    /// Create three guests, list them, attach to one (its backlog, then live output and
    /// input), detach with Ctrl-], see the notices and the hypervisor's messages; a guest
    /// that shuts down is destroyed (xl's on_poweroff=destroy). In shadow mode (issue 17),
    /// and on a board without H, the session prints the same, apart from the time column
    /// and the ISA the guest is offered.
    @Test(.enabled(if: built, "dom0 or its disk not built"))
    func createListAttachDetach() throws {
        let script: [(ms: Int, text: String)] = [
            (150, "create spinner.cfg\r"), (200, "create echo.cfg\r"), (250, "create ticker.cfg\r"),
            (300, "list\r"), (350, "console echo\r"), (450, "hi there\r"), (550, "\u{1D}"),
            (600, "dmesg\r"), (700, "list\r"), (800, "halt\r"),
        ]
        let twoStage = try Self.session(script, extra: []), shadow = try Self.session(script, extra: Self.shadow)
        // A board without H: the firmware runs the whole stack trap-and-emulate by itself.
        let noH = try Self.session(script, extra: ["--isa", "rv64gc"])
        Self.checkCreateListAttachDetach(twoStage)
        Self.checkCreateListAttachDetach(shadow)
        Self.checkCreateListAttachDetach(noH)
        #expect(noH.stdout.contains("vireo: no H extension: every guest runs trap-and-emulate (shadow paging)"))
        func normalized(_ r: Outcome) -> [String] {
            // Timing: the list's Time(s) column and the firmware's create-to-first-output lines.
            Self.lines(r).filter { !$0.contains("riscv,isa") && !$0.hasPrefix("Vireo hypervisor firmware") && !$0.contains(" printed first, ") }
                .map { $0.replacingOccurrences(of: #"\s+[0-9]+\.[0-9]$"#, with: "", options: .regularExpression) }
        }
        #expect(normalized(shadow) == normalized(twoStage))
        #expect(normalized(noH).filter { !$0.hasPrefix("vireo: no H extension") } == normalized(twoStage))
    }

    static func checkCreateListAttachDetach(_ r: Outcome) {
        #expect(r.status == 0, "\(r.stdout)")
        let out = Self.lines(r)
        #expect(out.contains("Vireo Dom0: the control domain (type help)"))
        #expect(out.contains("dom0: vda: archive with 13 files"))
        #expect(Self.output(of: "create spinner.cfg", in: out) == ["dom0: created domain 1 (spinner)"])
        #expect(Self.output(of: "create echo.cfg", in: out) == ["dom0: created domain 2 (echo)"])
        #expect(Self.output(of: "create ticker.cfg", in: out) == ["dom0: created domain 3 (ticker)"])
        let list = Self.output(of: "list", in: out)
        #expect(list.first == "Name                                        ID   Mem VCPUs\tState\tTime(s)")
        #expect(Self.listNames(list) == ["dom0", "spinner", "echo", "ticker"])
        #expect(list.contains { $0.hasPrefix("echo ") && $0.contains("   2    16     1     -b----") }, "echo waits for input: blocked")
        #expect(list.contains { $0.hasPrefix("spinner ") && $0.contains("   1     8     1     r-----") })
        let attached = Self.output(of: "console echo", in: out)
        #expect(attached.first == "dom0: attached to echo (Ctrl-] returns to Dom0)")
        #expect(attached.contains("hello: Vireo guest hello on hart 0"), "the backlog")
        #expect(attached.contains("hello: bootargs \"echo\""))
        #expect(attached.contains("hello: echo \"hi there\" (8 bytes, newline)"), "input reached the guest")
        #expect(attached.contains("dom0: detached from echo"))
        #expect(out.contains("dom0: domain 2 (echo) shut down"))
        let dmesg = Self.output(of: "dmesg", in: out)
        #expect(dmesg.contains("vireo: domain 2 (echo) shut down"))
        #expect(dmesg.contains("vireo: domain 2 (echo) destroyed"))
        #expect(Self.listNames(Self.output(of: "list", in: out, occurrence: 1)) == ["dom0", "spinner", "ticker"])
        // Guests' output never reaches Dom0's console outside `console`.
        #expect(!out.contains { $0.hasPrefix("[") })
        #expect(out.last(where: { !$0.isEmpty }) == "vireo: domain 0 (dom0) shut down")
    }

    /// pause stops a guest's cycle count, unpause resumes it; destroy frees the domain and
    /// creating it again works.
    @Test(.enabled(if: built, "dom0 or its disk not built"), arguments: modes)
    func pauseUnpauseDestroyCreateAgain(_ mode: [String]) throws {
        let r = try Self.session(extra: mode, [
            (150, "create spinner.cfg\r"), (300, "pause spinner\r"), (350, "info spinner\r"), (500, "info 1\r"),
            (550, "unpause spinner\r"), (700, "info spinner\r"), (750, "destroy spinner\r"), (800, "list\r"),
            (850, "create spinner.cfg\r"), (900, "list\r"), (920, "reboot spinner\r"), (1000, "list\r"),
            (1020, "stats\r"), (1050, "halt\r"),
        ])
        #expect(r.status == 0, "\(r.stdout)")
        let out = Self.lines(r)
        func cycles(_ occurrence: Int, _ command: String) -> UInt64? {
            Self.output(of: command, in: out, occurrence: occurrence).first { $0.contains(" guest cycles") }
                .flatMap { $0.split(separator: " ").dropFirst(2).first }.flatMap { UInt64($0) }
        }
        let paused1 = try #require(cycles(0, "info spinner"), "\(out)")
        let paused2 = try #require(cycles(0, "info 1"))
        let resumed = try #require(cycles(1, "info spinner"))
        #expect(Self.output(of: "info spinner", in: out).first == "domain 1 (spinner): paused")
        #expect(paused1 > 100_000_000, "it ran before the pause")
        #expect(paused2 == paused1, "no cycles while paused")
        #expect(resumed > paused2 + 100_000_000, "it runs again after unpause")
        #expect(Self.listNames(Self.output(of: "list", in: out)) == ["dom0"])
        #expect(Self.output(of: "create spinner.cfg", in: out, occurrence: 1) == ["dom0: created domain 2 (spinner)"])
        #expect(Self.listNames(Self.output(of: "list", in: out, occurrence: 1)) == ["dom0", "spinner"])
        // reboot: the guest shuts down with reason reboot and Dom0 builds it again (xl's
        // on_reboot=restart), with a new id as xl gives it.
        #expect(out.contains("dom0: domain 2 (spinner) reboots"))
        #expect(out.contains("dom0: created domain 3 (spinner)"))
        let afterReboot = Self.output(of: "list", in: out, occurrence: 2)
        #expect(afterReboot.contains { $0.hasPrefix("spinner ") && $0.contains("    3     8     1     r-----") }, "\(afterReboot)")
        let stats = Self.output(of: "stats", in: out)
        #expect(stats.first == "Name                   ID          cycles    VM exits  state")
        #expect(stats.contains { $0.hasPrefix("spinner ") && $0.hasSuffix("  running") })
    }

    /// Every error gets one clear line, and Dom0 goes on: an unknown command, a bad id, a file
    /// not in the archive, not enough memory, a malformed config (from a user's archive given
    /// as a further --drive, whose guests `ls` shows and `create` takes).
    @Test(.enabled(if: built, "dom0 or its disk not built"), arguments: modes)
    func errorsAndUserArchives(_ mode: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vireo-dom0-user-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name = 'broken'\nkernel = 'mine.elf'\nmemory = lots\n".write(to: dir.appendingPathComponent("broken.cfg"), atomically: true, encoding: .utf8)
        try "name = \"mine\"\nkernel = \"mine.elf\"\nextra = \"from a user archive\"\nmemory = 8\n"
            .write(to: dir.appendingPathComponent("mine.cfg"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: HV.guest("hello"), toPath: dir.appendingPathComponent("mine.elf").path)
        let tar = dir.appendingPathComponent("user.tar").path
        let t = try runCommand("/usr/bin/tar", ["-C", dir.path, "-cf", tar, "mine.elf", "mine.cfg", "broken.cfg"])
        #expect(t.status == 0)
        // A truncated copy: a clear message, and Dom0 goes on.
        let whole = try Data(contentsOf: URL(fileURLWithPath: tar))
        let cut = dir.appendingPathComponent("cut.tar")
        try whole.prefix(4096).write(to: cut)
        let r = try Self.session([
            (150, "frobnicate\r"), (200, "pause 42\r"), (250, "create nothere.cfg\r"), (300, "create spinner.cfg memory=4096\r"),
            (350, "create broken.cfg\r"), (400, "create hello.cfg memory=x\r"), (450, "console\r"), (500, "ls\r"),
            (600, "create mine.cfg on_poweroff=preserve\r"), (800, "console mine\r"), (900, "\u{1D}"), (950, "list\r"),
            (1000, "destroy dom0\r"), (1050, "halt\r"),
        ], extra: mode + ["--drive", "file=" + tar + ",readonly", "--drive", "file=" + cut.path + ",readonly"])
        #expect(r.status == 0, "\(r.stdout)")
        let out = Self.lines(r)
        #expect(Self.output(of: "frobnicate", in: out) == ["error: unknown command 'frobnicate' (try help)"])
        #expect(Self.output(of: "pause 42", in: out) == ["error: no domain '42' (see list)"])
        #expect(Self.output(of: "create nothere.cfg", in: out) == ["error: nothere.cfg is not in the archive (see ls)"])
        #expect(Self.output(of: "create spinner.cfg memory=4096", in: out) == ["error: not enough memory for 4096 MiB"])
        #expect(Self.output(of: "create broken.cfg", in: out) == ["error: broken.cfg: line 3: memory: expected a quoted string, a number or a list, found 'lots'"])
        #expect(Self.output(of: "create hello.cfg memory=x", in: out).first?.hasPrefix("error: memory=x: ") == true)
        #expect(Self.output(of: "console", in: out) == ["usage: console ID"])
        let ls = Self.output(of: "ls", in: out)
        #expect(ls.contains("vda: 13 files"))
        #expect(ls.contains("vdb: 3 files"))
        #expect(out.contains { $0.hasPrefix("dom0: vdc: not a usable tar archive: truncated: member 'mine.elf' needs ") }, "\(out.prefix(8))")
        #expect(ls.contains { $0.hasSuffix("  mine.cfg") })
        #expect(Self.output(of: "create mine.cfg on_poweroff=preserve", in: out) == ["dom0: created domain 1 (mine)"])
        #expect(Self.output(of: "console mine", in: out).contains("hello: bootargs \"from a user archive\""))
        #expect(Self.output(of: "list", in: out).contains { $0.hasPrefix("mine ") && $0.contains("---s--") }, "preserved after poweroff")
        #expect(Self.output(of: "destroy dom0", in: out) == ["error: Dom0 cannot destroy itself (halt powers the board off)"])
    }

    /// The hostile guest created from the shell: the control interface refuses it, every
    /// attack is stopped, and Dom0 answers while it runs.
    @Test(.enabled(if: built, "dom0 or its disk not built"), arguments: modes)
    func hostileFromTheShell(_ mode: [String]) throws {
        let r = try Self.session(extra: mode, [
            (150, "create hostile.cfg on_poweroff=preserve\r"), (200, "list\r"), (1600, "console hostile\r"),
            (1700, "\u{1D}"), (1750, "list\r"), (1800, "halt\r"),
        ])
        #expect(r.status == 0, "\(r.stdout)")
        let out = Self.lines(r)
        #expect(Self.listNames(Self.output(of: "list", in: out)) == ["dom0", "hostile"], "Dom0 answers while hostile runs")
        let console = Self.output(of: "console hostile", in: out)
        for call in ["list", "destroy domain 0", "console_read of domain 0", "create", "consoleClaim"] {
            #expect(console.contains("hostile: control: \(call): SBI error -4 (SBI_ERR_DENIED)"), "\(call)")
        }
        #expect(!console.contains { $0.contains("NOT STOPPED") })
        #expect(console.contains("hostile: done"))
        #expect(Self.output(of: "list", in: out, occurrence: 1).contains { $0.hasPrefix("hostile ") && $0.contains("---s--") })
    }

    // MARK: A real terminal

    /// The shell as a person uses it, on a real terminal (tmux): the prompt, list, create,
    /// console with typed input, Ctrl-] back to Dom0, line editing (backspace, up-arrow
    /// recall), and Ctrl-A x quitting the board.
    @Test(.enabled(if: built && Repo.executable("tmux") != nil, "dom0 not built or tmux missing"))
    func realTerminal() throws {
        let tmux = Repo.executable("tmux")!
        let name = "vireo-dom0-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let command = "VIREO_RISCV_OUT=\(Repo.riscvOut.path) \(Repo.fastVireo) boot; echo EXITED $?; sleep 60"
        // The tmux server outlives its client: it must not inherit the pipes runCommand reads.
        _ = try runCommand("/bin/sh", ["-c", "exec \"$0\" new-session -d -s \"$1\" -x 120 -y 50 \"$2\" </dev/null >/dev/null 2>&1",
                                       tmux, name, command])
        defer { _ = try? runCommand(tmux, ["kill-session", "-t", name]) }
        func screen() -> String { (try? runCommand(tmux, ["capture-pane", "-p", "-S", "-200", "-t", name]).stdout) ?? "" }
        func keys(_ k: String...) { _ = try? runCommand(tmux, ["send-keys", "-t", name] + k) }
        func wait(for text: String, count: Int = 1, _ what: String) throws {
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline {
                if screen().components(separatedBy: text).count - 1 >= count { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            Issue.record("\(what): '\(text)' never appeared; screen:\n\(screen())")
            throw CancellationError()
        }
        try wait(for: "dom0>", "the prompt")      // capture-pane drops trailing blanks
        keys("list", "Enter")
        try wait(for: "dom0                                         0    64     1     r-----", "list")
        keys("create echo.cfg", "Enter")
        try wait(for: "dom0: created domain 1 (echo)", "create")
        keys("console echo", "Enter")
        try wait(for: "hello: type a line", "the guest's backlog")
        keys("hi tmux", "Enter")
        try wait(for: "hello: echo \"hi tmux\" (7 bytes, newline)", "input through the console")
        keys("C-]")
        try wait(for: "dom0: detached from echo", "Ctrl-] returns to Dom0")
        keys("lisx", "BSpace", "t", "Enter")
        try wait(for: "Name                                        ID   Mem VCPUs", count: 2, "backspace edits the line")
        keys("Up", "Enter")
        try wait(for: "Name                                        ID   Mem VCPUs", count: 3, "up-arrow recalls the line")
        keys("C-a", "x")
        try wait(for: "EXITED", "Ctrl-A x quits the board")
        #expect(!screen().contains("error:"))
    }

    /// The control interface with bad arguments, called by a Dom0 (the hostile guest as the
    /// first module): every call fails with an SBI error code and nothing changes.
    @Test(.enabled(if: built, "dom0 or its disk not built"))
    func controlInterfaceRefusesBadArguments() throws {
        let r = try runCommand(Repo.fastVireo, ["boot", "--firmware", HV.firmware, "--max-instructions", "400000000",
                                                "--guest", HV.guest("hostile") + ",case=control-args"], timeout: 120)
        #expect(r.status == 0, "\(r.stdout)")
        let expected: [(String, String)] = [
            ("create, request outside RAM", "-5 (SBI_ERR_INVALID_ADDRESS)"), ("create, request too short", "-5 (SBI_ERR_INVALID_ADDRESS)"),
            ("create, zeroed request", "-3 (SBI_ERR_INVALID_PARAM)"), ("populate domain 7 (none)", "-3 (SBI_ERR_INVALID_PARAM)"),
            ("start domain 0 (itself)", "-3 (SBI_ERR_INVALID_PARAM)"), ("destroy domain 0 (itself)", "-3 (SBI_ERR_INVALID_PARAM)"),
            ("pause domain 99", "-3 (SBI_ERR_INVALID_PARAM)"),
            ("list into memory outside RAM", "-5 (SBI_ERR_INVALID_ADDRESS)"), ("info, buffer too small", "-5 (SBI_ERR_INVALID_ADDRESS)"),
            ("console_read of domain 5 (none)", "-3 (SBI_ERR_INVALID_PARAM)"), ("console_write, buffer outside RAM", "-3 (SBI_ERR_INVALID_PARAM)"),
            ("function 77", "-2 (SBI_ERR_NOT_SUPPORTED)"),
        ]
        for (call, error) in expected {
            #expect(r.stdout.contains("hostile: control-args: \(call): SBI error \(error)\n"), "\(call)")
        }
        #expect(r.stdout.contains("hostile: control-args: list afterwards: SBI success, 1 domain(s)\n"), "nothing was created")
    }
}
