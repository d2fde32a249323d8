import Foundation
import Testing
import TestSupport

/// The Popek–Goldberg audit (issue 17 item 5, docs/popek-goldberg.md), proven.
/// `popek-goldberg` (Tests/guest-asm/popek-goldberg.S) is a guest kernel that drops to
/// U-mode and executes every sensitive or privileged RV64GC instruction and CSR access of
/// the audit, and representatives of the innocuous ones, one at a time, printing whether
/// each trapped. Under the firmware its U-mode is VU-mode (the H extension runs the kernel
/// in VS), and the firmware hands every virtual-instruction exception on as the illegal
/// instruction the guest would see natively, so a trapping entry shows scause 2 either way.
/// The test checks every line, and that the doc's "Traps in U-mode" column says what the
/// program saw for every entry it tests.
@Suite struct PopekGoldbergTests {
    typealias HV = HypervisorBootTests
    typealias Isolation = HypervisorIsolationTests

    static let program = Isolation.asm("popek-goldberg")
    static let doc = Repo.root.appendingPathComponent("docs/popek-goldberg.md")
    static let built = HV.built && FileManager.default.fileExists(atPath: program)

    /// Every entry line `popek-goldberg` prints between "start" and "done", in order: an
    /// ecall from U is cause 8, an ebreak 3, every privileged instruction and every CSR
    /// access U-mode may not make an illegal instruction (2) with the instruction bits in
    /// stval; the counters trap exactly when their scounteren bit is clear (hpmcounter3–31
    /// always: the firmware's mcounteren keeps them closed), writes to them always; the FP
    /// unit traps exactly when sstatus.FS is Off.
    static let expected: [String] = [
        "ecall: trap scause=0x8",
        "ebreak: trap scause=0x3",
        "c.ebreak: trap scause=0x3",
        "sret: trap scause=0x2 stval=0x10200073",
        "mret: trap scause=0x2 stval=0x30200073",
        "wfi: trap scause=0x2 stval=0x10500073",
        "sfence.vma: trap scause=0x2 stval=0x12000073",
        "sfence.vma a1, zero: trap scause=0x2 stval=0x12058073",
        "fence.i: no trap",
        "fence: no trap",
        "fence.tso: no trap",
        "hfence.vvma: trap scause=0x2 stval=0x22000073",
        "hfence.gvma: trap scause=0x2 stval=0x62000073",
        "hlv.b: trap scause=0x2 stval=0x6005c573",
        "hlv.bu: trap scause=0x2 stval=0x6015c573",
        "hlv.h: trap scause=0x2 stval=0x6405c573",
        "hlv.hu: trap scause=0x2 stval=0x6415c573",
        "hlv.w: trap scause=0x2 stval=0x6805c573",
        "hlv.wu: trap scause=0x2 stval=0x6815c573",
        "hlv.d: trap scause=0x2 stval=0x6c05c573",
        "hlvx.hu: trap scause=0x2 stval=0x6435c573",
        "hlvx.wu: trap scause=0x2 stval=0x6835c573",
        "hsv.b: trap scause=0x2 stval=0x62a5c073",
        "hsv.h: trap scause=0x2 stval=0x66a5c073",
        "hsv.w: trap scause=0x2 stval=0x6aa5c073",
        "hsv.d: trap scause=0x2 stval=0x6ea5c073",
        "add: no trap",
        "ld: no trap",
        "sd: no trap",
        "jal: no trap",
        "mul: no trap",
        "div: no trap",
        "lr.d: no trap",
        "sc.d: no trap",
        "amoadd.d: no trap",
        "c.addi: no trap",
        "c.ld: no trap",
        "csrrw sscratch: trap scause=0x2 stval=0x14051573",
        "csrrs sscratch: trap scause=0x2 stval=0x14052573",
        "csrrc sscratch: trap scause=0x2 stval=0x14053573",
        "csrrwi sscratch: trap scause=0x2 stval=0x1400d573",
        "csrrsi sscratch: trap scause=0x2 stval=0x1400e573",
        "csrrci sscratch: trap scause=0x2 stval=0x1400f573",
        "csrr sscratch: trap scause=0x2 stval=0x14002573",
        "csrr sstatus: trap scause=0x2 stval=0x10002573",
        "csrr sie: trap scause=0x2 stval=0x10402573",
        "csrr sip: trap scause=0x2 stval=0x14402573",
        "csrr stvec: trap scause=0x2 stval=0x10502573",
        "csrr scounteren: trap scause=0x2 stval=0x10602573",
        "csrr senvcfg: trap scause=0x2 stval=0x10a02573",
        "csrr sepc: trap scause=0x2 stval=0x14102573",
        "csrr scause: trap scause=0x2 stval=0x14202573",
        "csrr stval: trap scause=0x2 stval=0x14302573",
        "csrr satp: trap scause=0x2 stval=0x18002573",
        "csrr stimecmp: trap scause=0x2 stval=0x14d02573",
        "csrw satp: trap scause=0x2 stval=0x18001073",
        "csrr hstatus: trap scause=0x2 stval=0x60002573",
        "csrr vsatp: trap scause=0x2 stval=0x28002573",
        "csrr mstatus: trap scause=0x2 stval=0x30002573",
        "csrr mhartid: trap scause=0x2 stval=0xf1402573",
        "csrr mcounteren: trap scause=0x2 stval=0x30602573",
        "csrr 0x5ff (none): trap scause=0x2 stval=0x5ff02573",
        "csrr cycle [scounteren=0]: trap scause=0x2 stval=0xc0002573",
        "csrr time [scounteren=0]: trap scause=0x2 stval=0xc0102573",
        "csrr instret [scounteren=0]: trap scause=0x2 stval=0xc0202573",
        "csrr cycle [scounteren=1]: no trap",
        "csrr time [scounteren=1]: trap scause=0x2 stval=0xc0102573",
        "csrr cycle [scounteren=7]: no trap",
        "csrr time [scounteren=7]: no trap",
        "csrr instret [scounteren=7]: no trap",
        "csrw cycle [scounteren=7]: trap scause=0x2 stval=0xc0051073",
        "csrrs cycle, x0 [scounteren=7]: no trap",
        "csrrs cycle, a1 [scounteren=7]: trap scause=0x2 stval=0xc005a573",
        "csrrw time [scounteren=7]: trap scause=0x2 stval=0xc0101573",
        "csrr hpmcounter3 [scounteren=-1]: trap scause=0x2 stval=0xc0302573",
        "csrr hpmcounter31 [scounteren=-1]: trap scause=0x2 stval=0xc1f02573",
        "csrr mcycle: trap scause=0x2 stval=0xb0002573",
        "fadd.d [FS=Off]: trap scause=0x2 stval=0x2c5f553",
        "fld [FS=Off]: trap scause=0x2 stval=0x5b507",
        "fsd [FS=Off]: trap scause=0x2 stval=0xa5b027",
        "fmv.x.d [FS=Off]: trap scause=0x2 stval=0xe2050553",
        "c.fld [FS=Off]: trap scause=0x2 stval=0x2188",
        "csrr fflags [FS=Off]: trap scause=0x2 stval=0x102573",
        "csrr frm [FS=Off]: trap scause=0x2 stval=0x202573",
        "csrr fcsr [FS=Off]: trap scause=0x2 stval=0x302573",
        "csrw fcsr [FS=Off]: trap scause=0x2 stval=0x301073",
        "fadd.d [FS=Initial]: no trap",
        "fld [FS=Initial]: no trap",
        "fsd [FS=Initial]: no trap",
        "fmv.x.d [FS=Initial]: no trap",
        "c.fld [FS=Initial]: no trap",
        "csrr fflags [FS=Initial]: no trap",
        "csrr frm [FS=Initial]: no trap",
        "csrr fcsr [FS=Initial]: no trap",
        "csrw fcsr [FS=Initial]: no trap"
    ]

    /// The entry lines of a run (without the start/done lines and the FS report).
    static func entries(_ stdout: String) -> [String] {
        HV.lines(stdout).filter { $0.contains(": no trap") || $0.contains(": trap scause=") }
    }

    /// The doc's tables: for every row whose first cell names an entry in backticks, that
    /// name, its "Sensitive" cell and its "Traps in U-mode" cell.
    static func docRows(_ text: String) -> [(name: String, sensitive: String, traps: String)] {
        var rows: [(name: String, sensitive: String, traps: String)] = []
        var trapsColumn: Int?
        var sensitiveColumn: Int?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else { trapsColumn = nil; sensitiveColumn = nil; continue }
            let cells = trimmed.dropFirst().split(separator: "|", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if let t = cells.firstIndex(where: { $0.contains("Traps in U-mode") }) {
                trapsColumn = t
                sensitiveColumn = cells.firstIndex { $0.hasPrefix("Sensitive") }
                continue
            }
            guard let t = trapsColumn, let s = sensitiveColumn, t < cells.count, s < cells.count,
                  !cells[0].hasPrefix("---"), let open = cells[0].firstIndex(of: "`") else { continue }
            let rest = cells[0][cells[0].index(after: open)...]
            guard let close = rest.firstIndex(of: "`") else { continue }
            rows.append((String(rest[..<close]), cells[s], cells[t]))
        }
        return rows
    }

    @Test(.enabled(if: built, "firmware or guest-asm not built"))
    func everyEntryTrapsAsTheAuditSays() throws {
        let run = try Isolation.boot(["--guest", Self.program + ",name=pg mem=32M"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let lines = HV.lines(run.stdout)
        #expect(lines.contains("popek-goldberg: start"))
        #expect(lines.contains("popek-goldberg: done"))
        #expect(run.stdout.contains("vireo: domain 0 (pg) shut down\n"))
        let seen = Self.entries(run.stdout)
        #expect(seen == Self.expected, "\(zip(seen, Self.expected).filter { $0 != $1 })")
        // A U-mode FP instruction marks the FP state Dirty in the kernel's sstatus, no trap.
        #expect(lines.contains("sstatus.FS after U-mode fadd.d: 0x3"))

        // The doc: one row per entry, and its "Traps in U-mode" column is what the program saw.
        let rows = Self.docRows(try String(contentsOf: Self.doc, encoding: .utf8))
        var trapped: [String: Bool] = [:]
        for line in seen {
            let (name, verdict) = try #require(line.range(of: ": no trap").map { (String(line[..<$0.lowerBound]), false) }
                ?? line.range(of: ": trap scause=").map { (String(line[..<$0.lowerBound]), true) })
            trapped[name] = verdict
        }
        #expect(trapped.count == Self.expected.count)
        for (name, traps) in trapped.sorted(by: { $0.key < $1.key }) {
            let matching = rows.filter { $0.name == name }
            #expect(matching.count == 1, "docs/popek-goldberg.md: \(matching.count) rows for `\(name)`")
            guard let row = matching.first else { continue }
            let says = row.traps.lowercased()
            #expect(says.hasPrefix(traps ? "yes" : "no"), "`\(name)`: the doc says \"\(row.traps)\", the program saw \(traps ? "a trap" : "no trap")")
        }
    }

    /// On a board without H (`--isa rv64gc`, issue 17) the firmware runs the same kernel
    /// trap-and-emulate, and its U-mode sees the same traps: the H instructions and CSRs are
    /// illegal there as on any RV64GC hart, and the firmware hands each back to the kernel
    /// without executing one itself. The FP entries too: the guest's virtual sstatus.FS
    /// switches the hart's FS (decision 0020).
    @Test(.enabled(if: built, "firmware or guest-asm not built"))
    func withoutHTheSameTraps() throws {
        let run = try Isolation.boot(["--isa", "rv64gc", "--guest", Self.program + ",name=pg mem=32M"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("vireo: no H extension: every guest runs trap-and-emulate (shadow paging)\n"))
        #expect(run.stdout.contains("vireo: domain 0 (pg) shut down\n"))
        let seen = Self.entries(run.stdout), expected = Self.expected
        #expect(seen == expected, "\(zip(seen, expected).filter { $0 != $1 })")
        #expect(seen.contains("hfence.vvma: trap scause=0x2 stval=0x22000073"))
    }

    /// The theorem's condition on the doc's own classification: no row is sensitive but
    /// does not trap in U-mode (sensitive ⊆ privileged).
    @Test func theAuditHasNoSensitiveUnprivilegedInstruction() throws {
        let rows = Self.docRows(try String(contentsOf: Self.doc, encoding: .utf8))
        #expect(rows.count >= Self.expected.count)
        for row in rows where row.sensitive.lowercased().hasPrefix("yes") {
            #expect(row.traps.lowercased().hasPrefix("yes"), "`\(row.name)` is sensitive but the doc says it does not trap")
        }
        for row in rows {
            #expect(row.traps.lowercased().hasPrefix("yes") || row.traps.lowercased().hasPrefix("no"), "`\(row.name)`: \"\(row.traps)\"")
        }
    }
}
