import Board
import Foundation
import Testing
import TestSupport

/// The classic trap-and-emulate VMM (issue 17, `--append vireo.mmu=shadow`,
/// firmware/arch/Shadow.swift): the guest kernel runs in real U-mode and the firmware
/// emulates its S-mode. The same guests print the same lines as under two-stage
/// translation (VS-mode), and the exits show the trapping: the kernel's CSR accesses and
/// SRET arrive as illegal instructions, its SBI calls as ecalls from U.
@Suite struct ShadowModeTests {
    typealias HV = HypervisorBootTests

    /// The guest's lines (the firmware's banner and placement line differ only in the ISA
    /// string and nothing else; hart-idle notices depend on which hart ends last).
    static func lines(_ out: String) -> [String] {
        HV.lines(out).filter { !$0.hasPrefix("Vireo hypervisor firmware") && !$0.hasPrefix("vireo: every vCPU waits")
            && !$0.contains("riscv,isa") }   // shadow mode offers fewer extensions (checked below)
    }

    static func both(_ args: [String]) throws -> (twoStage: Outcome, shadow: Outcome) {
        (try HV.boot(args), try HV.boot(args + ["--append", "vireo.mmu=shadow vireo.stats"]))
    }

    @Test(.enabled(if: HV.built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"),
          arguments: ["hello", "ticker", "crash,case=illegal-csr", "crash,case=load-unmapped", "crash,case=no-handler"])
    func theSameGuestsPrintTheSame(_ guest: String) throws {
        let parts = guest.split(separator: ",", maxSplits: 1).map(String.init)
        let module = HV.guest(parts[0]) + (parts.count > 1 ? "," + parts[1] : "")
        let (twoStage, shadow) = try Self.both(["--guest", module])
        #expect(shadow.status == twoStage.status, "\(shadow.stdout)")
        let shadowLines = Self.lines(shadow.stdout).filter { !$0.hasPrefix("vireo: stats:") }
        var expected = Self.lines(twoStage.stdout)
        if guest.hasSuffix("no-handler") {
            // With no trap vector, two-stage mode stops the guest when the hart's own
            // delivery of its illegal instruction fetches from 0 (a guest-page fault there);
            // in shadow mode the firmware delivers it and sees the vector is not in its RAM.
            expected = expected.map {
                $0.hasPrefix("vireo: domain 0 (dom0) stopped:") ? "vireo: domain 0 (dom0) stopped: illegal instruction at pc "
                    + (shadowLines.first { $0.contains("stopped: illegal instruction at pc ") }?.components(separatedBy: "pc ").last?
                        .components(separatedBy: ",").first ?? "?") + ", tval 0x0, and its trap vector 0x0 is outside its RAM" : $0
            }
            #expect(Self.lines(twoStage.stdout).contains { $0.contains("its trap vector points there") })
        }
        #expect(shadowLines == expected)
        let exits = HV.lines(shadow.stdout).first { $0.hasPrefix("vireo: stats:   exits:") } ?? ""
        #expect(exits.contains("ecall from U"), "SBI calls come from real U-mode: \(exits)")
        #expect(exits.contains("illegal instruction"), "the kernel's CSR accesses trap: \(exits)")
        #expect(!exits.contains("from VS"))
        if guest == "hello" {
            // Its DTB offers Sstc (emulated) and none of what the shadow tables do not emulate.
            let isa = HV.lines(shadow.stdout).first { $0.hasPrefix("hello: cpu 0 riscv,isa ") } ?? ""
            #expect(isa.hasPrefix("hello: cpu 0 riscv,isa rv64imafdc") && isa.hasSuffix("_sstc"), "\(isa)")
            for ext in ["svpbmt", "svnapot", "svinval", "zicbom", "zicboz", "_h"] { #expect(!isa.contains(ext), "\(isa)") }
        }
    }

    /// A shadow domain with two vCPUs on two harts: each vCPU has its own shadows (its
    /// TLB), HSM, IPIs and both remote fences work, and the guest prints exactly its
    /// two-stage transcript.
    @Test(.enabled(if: HV.built, "firmware/guests not built (tools/build-riscv.sh firmware guests)"))
    func theSMPGuestRunsOnTwoHarts() throws {
        let (twoStage, shadow) = try Self.both(["--harts", "2", "--guest", HV.guest("smp") + ",vcpus=2"])
        #expect(shadow.status == 0 && twoStage.status == 0, "\(shadow.stdout)")
        let lines = Self.lines(shadow.stdout).filter { $0.hasPrefix("smp:") }
        #expect(lines == Self.lines(twoStage.stdout).filter { $0.hasPrefix("smp:") })
        #expect(lines.last == "smp: all 27 checks ok, shutting down", "\(shadow.stdout)")
    }

    /// Shadow paging: pager demand-pages 1024 pages through 64 frames under its own Sv39
    /// tables. In shadow mode the firmware walks those tables, fills the shadows page by
    /// page, emulates A and D, write-protects the tables and drops the shadows when the
    /// guest stores to them; the guest sees exactly its two-stage run.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("pager")), "pager not built"))
    func pagerRunsOnShadowTables() throws {
        let (twoStage, shadow) = try Self.both(["--guest", HV.guest("pager")])
        #expect(shadow.status == 0 && twoStage.status == 0, "\(shadow.stdout)")
        #expect(Self.lines(shadow.stdout).filter { !$0.hasPrefix("vireo: stats:") } == Self.lines(twoStage.stdout))
        #expect(shadow.stdout.contains("pager: checksum 0x0115bdfa6e6ea786  ok"))
        let figures = Self.shadowFigures(shadow)
        func number(before word: String) -> Int { Self.figure(figures, before: word) }
        #expect(number(before: "pages") > 3000, "every touched page was filled into a shadow: \(figures)")
        #expect(number(before: "page-table") > 1000, "the pager's PTE updates trapped: \(figures)")
        #expect(number(before: "flushes,") > 0 && number(before: "table") >= 3, "\(figures)")
        // Its guest-visible page faults are the ones it counts itself (given back to it).
        #expect(shadow.stdout.contains("faults given back to the guest 3568"))
    }

    /// The hostile guest in shadow mode (issue 17 item 3), `case=all` beside ticker and hello:
    /// every attack is stopped just as under two-stage translation. Its report is the same
    /// line for line but for how far its spin got, and the other guests print what they
    /// print alone.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("hostile")), "hostile not built"))
    func hostileIsContainedTheSame() throws {
        let guests = ["--guest", HV.guest("ticker") + ",name=ticker ticks=150", "--guest", HV.guest("hello") + ",name=hello",
                      "--guest", HV.guest("hostile") + ",name=hostile case=all"]
        let twoStage = try HypervisorIsolationTests.boot(guests)
        let shadow = try HypervisorIsolationTests.boot(guests + ["--append", "vireo.mmu=shadow vireo.stats"])
        #expect(shadow.status == 0 && twoStage.status == 0, "\(shadow.stdout)")
        func report(_ r: Outcome) -> [String] {
            HV.lines(r.stdout).filter { $0.hasPrefix("[hostile] ") }
                .map { $0.hasPrefix("[hostile] hostile: spin: ") ? String($0.prefix { $0 != "," }) : $0 }
        }
        let attacks = report(shadow)
        #expect(attacks.count > 100 && attacks.last == "[hostile] hostile: done", "\(attacks.suffix(3))")
        #expect(!attacks.contains { $0.contains("NOT STOPPED") })
        #expect(attacks == report(twoStage))
        for prefix in ["ticker:", "[hello] "] {
            #expect(HV.lines(shadow.stdout).filter { $0.hasPrefix(prefix) && !$0.contains("riscv,isa") }
                    == HV.lines(twoStage.stdout).filter { $0.hasPrefix(prefix) && !$0.contains("riscv,isa") })
        }
        #expect(shadow.stdout.contains("vireo: domain 2 (hostile) shut down\n"))
    }

    /// sstatus.FS (Priv. §3.1.6.6) is virtual in shadow mode: with the guest's FS off its FP
    /// instructions are illegal in its S and U modes (the firmware turns the hart's FS off
    /// with it), an on state reads Dirty after a write, and the FP registers survive exits.
    /// Tests/guest-asm/fs-state.S prints exactly the same in both modes.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HypervisorIsolationTests.asm("fs-state")), "guest-asm not built"))
    func floatingPointStateFollowsTheVirtualFS() throws {
        let (twoStage, shadow) = try Self.both(["--guest", HypervisorIsolationTests.asm("fs-state")])
        let expected = [
            "fs: S-mode fmv.d.x with FS=Off: scause 0x2",
            "fs: after fmv.d.x with FS=Initial: FS 0x3, SD 0x1",
            "fs: f1 0x1122334455667788 f2 0x123456789abcdef",
            "fs: U-mode fadd.d with FS=Off: scause 0x2 stval 0x220f1d3",
            "fs: U-mode fadd.d with FS on: last trap 0xffffffffffffffff, f3 0x1122334455667788",
            "fs: done",
        ]
        #expect(HV.lines(twoStage.stdout).filter { $0.hasPrefix("fs:") } == expected, "\(twoStage.stdout)")
        #expect(HV.lines(shadow.stdout).filter { $0.hasPrefix("fs:") } == expected, "\(shadow.stdout)")
    }

    /// A board without H (`--isa rv64gc`, `rv64gc_sstc`; issue 17): the firmware runs every
    /// guest trap-and-emulate by itself and says so. It must never execute an H CSR access
    /// or H instruction there: each is an illegal instruction in M-mode, which stops the
    /// board as a firmware trap. The guests print what they print in VS-mode on the same
    /// board with H.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("pager")), "firmware/guests not built"),
          arguments: [("hello", "rv64gc"), ("ticker", "rv64gc"), ("crash,case=illegal-csr", "rv64gc"), ("pager", "rv64gc"),
                      ("hello", "rv64gc_sstc"), ("ticker", "rv64gc_sstc")])
    func boardsWithoutH(_ guest: String, _ isa: String) throws {
        let parts = guest.split(separator: ",", maxSplits: 1).map(String.init)
        let module = HV.guest(parts[0]) + (parts.count > 1 ? "," + parts[1] : "")
        let withH = isa.replacingOccurrences(of: "rv64gc", with: "rv64gc_h")
        let twoStage = try HV.boot(["--isa", withH, "--guest", module])
        let noH = try HV.boot(["--isa", isa, "--guest", module, "--append", "vireo.stats"])
        let said = "vireo: no H extension: every guest runs trap-and-emulate (shadow paging)"
        #expect(!noH.stdout.contains("firmware trap"), "\(noH.stdout)")
        #expect(noH.status == twoStage.status, "\(noH.stdout)")
        #expect(HV.lines(noH.stdout).dropFirst().first == said, "right after the banner")
        #expect(!twoStage.stdout.contains(said))
        var config = BoardConfig()
        #expect(Machine.parseISA(isa, into: &config) == nil)
        #expect(HV.lines(noH.stdout).first == "Vireo hypervisor firmware: 1 hart, 256 MiB, \(Machine.isaString(config))")
        #expect(Self.lines(noH.stdout).filter { !$0.hasPrefix("vireo: stats:") && $0 != said } == Self.lines(twoStage.stdout))
        // Trap-and-emulate: the kernel's SBI calls come from real U-mode.
        let exits = HV.lines(noH.stdout).first { $0.hasPrefix("vireo: stats:   exits:") } ?? ""
        #expect(exits.contains("ecall from U") && !exits.contains("from VS"), "\(exits)")
        if guest == "hello" {
            let line = HV.lines(noH.stdout).first { $0.hasPrefix("hello: cpu 0 riscv,isa ") } ?? ""
            #expect(line == "hello: cpu 0 riscv,isa rv64imafdc_zicntr_zicsr_zifencei_sstc", "\(line)")
        }
        if guest == "pager" { #expect(noH.stdout.contains("pager: checksum 0x0115bdfa6e6ea786  ok")) }
    }

    /// SBI RFENCE from a shadow guest (`self-rfence`, Tests/guest-asm): the three calls
    /// succeed, each remote SFENCE.VMA is counted as a whole flush, and none runs an HFENCE,
    /// which a board without H does not have (a firmware trap). That the shadows really go
    /// is `theSMPGuestSeesItsPageTableChangesOnBothHarts`'s part.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HypervisorIsolationTests.asm("self-rfence")),
                   "guest-asm not built"),
          arguments: [["--isa", "rv64gc", "--append", "vireo.stats"], ["--append", "vireo.mmu=shadow vireo.stats"]])
    func remoteFencesDropTheShadows(_ board: [String]) throws {
        let r = try HV.boot(board + ["--guest", HypervisorIsolationTests.asm("self-rfence") + ",name=rf"])
        #expect(r.status == 0, "\(r.stdout)")
        for call in ["remote_fence_i", "remote_sfence_vma", "remote_sfence_vma_asid"] {
            #expect(r.stdout.contains("rfence: \(call) 0x00000000\n"), "\(r.stdout)")
        }
        #expect(r.stdout.contains(" 0 page-table stores, 0 regions invalidated, 2 flushes,"), "\(r.stdout)")
    }

    /// Cross-hart coherence of one set of guest page tables (smp's paging case,
    /// guests/smp/Paging.swift): hart 1 keeps a 4 KiB page W and a megapage M in its TLB
    /// (in shadow mode: its vCPU's shadows) by polling them, while hart 0 remaps them (a
    /// plain store to the PTE, AMOSWAP.D, a store with its own translation off, a cleared
    /// PTE) and publishes each change with SBI remote_sfence_vma(_asid) or with an IPI
    /// whose handler fences one address of M. Hart 1 must see every change, all of M after
    /// the one-address fence, and a load page fault on the cleared W. In shadow mode the
    /// stores made with the translation off trap nowhere: only the remote fence's stale
    /// mark and the superpage fence can make hart 1's shadows follow them. Both modes print
    /// the same lines, but for the ASIDLEN each offers.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HV.guest("smp")), "smp not built"))
    func theSMPGuestSeesItsPageTableChangesOnBothHarts() throws {
        let (twoStage, shadow) = try Self.both(["--harts", "2", "--guest", HV.guest("smp") + ",vcpus=2 paging"])
        func paging(_ o: Outcome) -> [String] {
            HV.lines(o.stdout.replacingOccurrences(of: "\r", with: ""))
                .filter { $0.hasPrefix("smp: paging: ") && !$0.hasPrefix("smp: paging: asid bits ") }
        }
        #expect(shadow.status == 0 && twoStage.status == 0, "\(shadow.stdout)")
        let lines = paging(shadow)
        #expect(lines == paging(twoStage), "\(shadow.stdout)")
        let checks = lines.filter { $0.hasSuffix(", ok") || $0.contains(", WRONG, expected ") }
        #expect(checks.count >= 35 && checks.allSatisfy { $0.hasSuffix(", ok") }, "\(shadow.stdout)")
        #expect(lines.last == "smp: paging: all \(checks.count) checks ok, shutting down", "\(shadow.stdout)")
        for step in ["W -> frame B (sd to its PTE)", "W -> frame C (amoswap.d on its PTE)",
                     "W -> frame D (sd, hart 0's translation off)", "M -> R2 (sd to its level-1 PTE)",
                     "M -> R1 (sd, hart 0's translation off)", "hart 1 reads W: 0x4444444444444444 (frame D)",
                     "hart 1 reads M+0x1ff000: 0x52320000001ff000 (R2+0x1ff000)",
                     "hart 1 reads W: load page fault (scause 13, stval 0x1000000000)"] {
            #expect(lines.contains { $0.hasPrefix("smp: paging: " + step) }, "\(step)")
        }
        // The firmware's virtual ASIDLEN is 16; the board's hart has 16 too.
        #expect(shadow.stdout.contains("smp: paging: asid bits 16, both harts run with ASID 1"))
        #expect(twoStage.stdout.contains("smp: paging: asid bits "))
        // In shadow mode the four stores made with the translation on trapped.
        #expect(Self.figure(Self.shadowFigures(shadow), before: "page-table") == 4, "\(Self.shadowFigures(shadow))")
        // Natively under OpenSBI (real S-mode on the board's own MMU and TLB): the same lines
        // but for the RAM size.
        if ReferenceTests.haveOpenSBI {
            let native = try runCommand(Repo.vireo, ["run", "--bios", ReferenceTests.opensbi + "/fw_jump.elf", "--harts", "2",
                                                     "--kernel", HV.guest("smp"), "--append", "paging",
                                                     "--max-instructions", "400000000"], timeout: 120)
            func withoutRAM(_ l: [String]) -> [String] { l.filter { !$0.contains(" RAM 0x") } }
            #expect(native.status == 0, "\(native.stdout)")
            #expect(withoutRAM(paging(native)) == withoutRAM(lines), "\(native.stdout)")
        }
    }

    /// The `vireo.stats` line with the shadow figures.
    static func shadowFigures(_ o: Outcome) -> String {
        HV.lines(o.stdout).first { $0.hasPrefix("vireo: stats:   shadow: ") } ?? ""
    }

    /// The number before `word` in a stats line, or -1.
    static func figure(_ line: String, before word: String) -> Int {
        let w = line.components(separatedBy: " ")
        guard let i = w.firstIndex(of: word), i > 0 else { return -1 }
        return Int(w[i - 1]) ?? -1
    }

    /// The hostile review of shadow mode v2 (Tests/guest-asm/shadow-*.S): each guest prints
    /// the right answer under two-stage translation and printed a wrong one in shadow mode
    /// before its fix. Now both modes print the same, and each guest's own verdict is ok.
    /// - root-reuse: U-mode ran on the kernel view's cached translations when an evicted
    ///   space's root came back with the same satp (the hart's TLB is fenced after any drop);
    /// - vector-pc: a U-mode fault at the kernel's stvec address stopped the domain;
    /// - zero-insn: instruction 0x0000 at a virtual pc was read at that physical address;
    /// - fp-store: FP stores to a page once a table were access faults;
    /// - escape: tables and satp outside RAM give the native access faults (held);
    /// - rfence-race (2 harts): a remote SFENCE.VMA returned while the target hart still
    ///   used the old translation.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HypervisorIsolationTests.asm("shadow-rfence-race")), "guest-asm not built"),
          arguments: [("shadow-root-reuse", "root-reuse: ok"), ("shadow-vector-pc", "vector-pc: scause=0x0000000c sepc == stvec: ok"),
                      ("shadow-zero-insn", "zero-insn: scause=0x00000002 stval=0x00000000 sepc=0x80400000 a0=0x00000000"),
                      ("shadow-fp-store", "c.fsdsp: ok"), ("shadow-escape", "gpa 4G amo: scause=0x00000007 value=0x00000000"),
                      ("shadow-rfence-race", "rfence-race: 0x00000000 stale of 0x00000040 rounds")])
    func reviewAttacksSeeWhatTheyWouldUnderTwoStage(_ guest: String, _ verdict: String) throws {
        let smp = guest == "shadow-rfence-race"
        let args = (smp ? ["--harts", "2"] : []) + ["--guest", HypervisorIsolationTests.asm(guest) + (smp ? ",vcpus=2" : "")]
        let (twoStage, shadow) = try Self.both(args)
        func own(_ o: Outcome) -> [String] { HV.lines(o.stdout).filter { !$0.hasPrefix("vireo:") && !$0.hasPrefix("Vireo hypervisor") } }
        #expect(own(shadow) == own(twoStage), "\(shadow.stdout)")
        #expect(own(shadow).contains(verdict), "\(shadow.stdout)")
        // (escape ends with satp outside its RAM, which stops it in both modes.)
        let stops = { (o: Outcome) in HV.lines(o.stdout).filter { $0.contains(" stopped: ") } }
        #expect(stops(shadow).count == stops(twoStage).count && stops(shadow).count == (guest == "shadow-escape" ? 1 : 0), "\(shadow.stdout)")
    }

    /// The guest's Sstc timer (Tests/guest-asm/sstc-timer.S): its stimecmp in the past makes
    /// STIP pending, far ahead clears it and reads back, a little ahead interrupts it at
    /// stvec. Two-stage (the hart's vstimecmp), shadow mode and a board with neither H nor
    /// Sstc (the firmware emulates stimecmp for the virtual S-mode) print the same.
    @Test(.enabled(if: HV.built && FileManager.default.fileExists(atPath: HypervisorIsolationTests.asm("sstc-timer")), "guest-asm not built"),
          arguments: [["--append", "vireo.mmu=shadow"], ["--isa", "rv64gc"]])
    func theVirtualSstcTimer(_ mode: [String]) throws {
        let guest = ["--guest", HypervisorIsolationTests.asm("sstc-timer")]
        let expected = [
            "sstc: stimecmp 0: sip.STIP 0x20",
            "sstc: stimecmp max: sip.STIP 0x0, reads 0xffffffffffffffff",
            "sstc: interrupt taken, scause 0x8000000000000005, ticks 0x1, time >= stimecmp 0x1",
            "sstc: done",
        ]
        let twoStage = try HV.boot(guest), trapped = try HV.boot(mode + guest)
        #expect(HV.lines(twoStage.stdout).filter { $0.hasPrefix("sstc:") } == expected, "\(twoStage.stdout)")
        #expect(HV.lines(trapped.stdout).filter { $0.hasPrefix("sstc:") } == expected, "\(trapped.stdout)")
    }
}
