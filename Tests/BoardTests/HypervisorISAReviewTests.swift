import Foundation
import Testing
import TestSupport

/// The hostile review of the RVA22 extensions a guest now has (Zicbom/Zicboz, Svinval,
/// Svnapot, Svpbmt, Sv48/Sv57, Zihpm), kept as regressions. `isa-attack`
/// (Tests/guest-asm/isa-attack.S) makes every attempt from VS and VU and prints what it
/// saw; the G-stage/PMP cases the firmware never builds (read-only G-stage pages, a NAPOT
/// range the G-stage maps in part, PMP-closed memory) are `cbo-gstage` in
/// Tests/programs-rva22-priv, run by `RVA22PrivSuiteTests`.
@Suite struct HypervisorISAReviewTests {
    typealias HV = HypervisorBootTests
    typealias Isolation = HypervisorIsolationTests

    static let built = Isolation.built && FileManager.default.fileExists(atPath: Isolation.asm("isa-attack"))

    /// Every line `isa-attack` prints between "start" and "done", in order. Outside its RAM
    /// (guest-physical 0x8000_0000-0x8200_0000), whatever the address, the VS-stage tables
    /// or the CBO: a store/AMO access fault (7) at rs1, as natively for memory with nothing
    /// behind it; CBO enables senvcfg keeps closed in VU, HS-only fences and the counters
    /// mcounteren keeps closed: an illegal instruction (2) with the instruction bits;
    /// VS-stage faults (reserved NAPOT/PBMT encodings, non-canonical and unmapped VAs): a
    /// store page fault (15). Inside its RAM every CBO runs.
    static let expected: [String] = [
        "vs cbo.zero own RAM: no trap",
        "vs cbo.zero last block of RAM: no trap",
        "vs cbo.zero RAM end: scause=0x7 stval=0x82000000",
        "vs cbo.zero below RAM: scause=0x7 stval=0x7fffffc0",
        "vs cbo.zero 0x0: scause=0x7 stval=0x0",
        "vs cbo.zero boot ROM: scause=0x7 stval=0x1000",
        "vs cbo.zero test finisher: scause=0x7 stval=0x100000",
        "vs cbo.zero CLINT msip: scause=0x7 stval=0x2000000",
        "vs cbo.zero CLINT mtimecmp: scause=0x7 stval=0x2004000",
        "vs cbo.zero PLIC: scause=0x7 stval=0xc000000",
        "vs cbo.zero PLIC context: scause=0x7 stval=0xc200000",
        "vs cbo.zero UART: scause=0x7 stval=0x10000000",
        "vs cbo.zero virtio slot 0: scause=0x7 stval=0x10001000",
        "vs cbo.zero 0x88000000: scause=0x7 stval=0x88000000",
        "vs cbo.zero 0x200000000: scause=0x7 stval=0x200000000",
        "vs cbo.zero top of Sv39x4: scause=0x7 stval=0x1ffffffffc0",
        "vs cbo.zero beyond Sv39x4: scause=0x7 stval=0x20000000000",
        "vs cbo.zero 0xffffffffffffffc0: scause=0x7 stval=0xffffffffffffffc0",
        "vs cbo.clean UART: scause=0x7 stval=0x10000000",
        "vs cbo.flush PLIC: scause=0x7 stval=0xc000000",
        "vs cbo.inval CLINT: scause=0x7 stval=0x2000000",
        "vs cbo.inval RAM end: scause=0x7 stval=0x82000000",
        "vs cbo.flush beyond Sv39x4: scause=0x7 stval=0x20000000000",
        "vs cbo.inval own RAM: no trap",
        "vu cbo.zero, senvcfg 0: scause=0x2 stval=0x44200f",
        "vu cbo.flush, senvcfg 0: scause=0x2 stval=0x24200f",
        "vu cbo.inval, senvcfg 0: scause=0x2 stval=0x4200f",
        "vu cbo.zero own RAM: no trap",
        "vu cbo.zero RAM end: scause=0x7 stval=0x82000000",
        "vu cbo.zero UART: scause=0x7 stval=0x10000000",
        "vu cbo.inval PLIC: scause=0x7 stval=0xc000000",
        "vs sinval.vma: no trap",
        "vs sfence.w.inval: no trap",
        "vs sfence.inval.ir: no trap",
        "vs hinval.vvma: scause=0x2 stval=0x26000073",
        "vs hinval.gvma: scause=0x2 stval=0x66000073",
        "vs hfence.vvma: scause=0x2 stval=0x22000073",
        "vu sinval.vma: scause=0x2 stval=0x16000073",
        "vu sfence.w.inval: scause=0x2 stval=0x18000073",
        "vu sfence.inval.ir: scause=0x2 stval=0x18100073",
        "vu hinval.vvma: scause=0x2 stval=0x26000073",
        "vu hinval.gvma: scause=0x2 stval=0x66000073",
        "vs csrr cycle: no trap",
        "vs csrr hpmcounter3: scause=0x2 stval=0xc0302573",
        "vs csrr hpmcounter31: scause=0x2 stval=0xc1f02573",
        "vs csrw hpmcounter3: scause=0x2 stval=0xc0351073",
        "vs csrr mhpmcounter3: scause=0x2 stval=0xb0302573",
        "vs csrr mhpmevent3: scause=0x2 stval=0x32302573",
        "vs csrr mcountinhibit: scause=0x2 stval=0x32002573",
        "vs csrr scounteren: no trap",
        "vu csrr hpmcounter3: scause=0x2 stval=0xc0302573",
        "vu csrr hpmcounter16: scause=0x2 stval=0xc1002573",
        "sv39 cbo.zero identity RAM: no trap",
        "sv39 cbo.zero -> gpa 0x0: scause=0x7 stval=0x40000000",
        "sv39 cbo.zero -> gpa CLINT: scause=0x7 stval=0x42000000",
        "sv39 cbo.zero -> gpa UART: scause=0x7 stval=0x50000000",
        "sv39 cbo.zero -> gpa 0x200000000: scause=0x7 stval=0xc0000000",
        "sv39 napot cbo.zero -> gpa RAM end: scause=0x7 stval=0x100000000",
        "sv39 napot cbo.zero -> gpa RAM end + 0xf000: scause=0x7 stval=0x10000f000",
        "sv39 napot cbo.clean -> gpa RAM end + 0x8000: scause=0x7 stval=0x100008000",
        "sv39 napot cbo.zero -> gpa 0x81ff0000: no trap",
        "sv39 napot cbo.zero -> gpa 0x81fff000: no trap",
        "sv39 napot ppn[3:0]=0 cbo.zero: scause=0xf stval=0x100020000",
        "sv39 pbmt=io cbo.zero -> gpa 0x80300000: no trap",
        "sv39 pbmt=3 cbo.zero: scause=0xf stval=0x180300000",
        "sv39 cbo.zero -> gpa 1<<50: scause=0x7 stval=0x1c0000000",
        "sv39 cbo.zero non-canonical: scause=0xf stval=0x8000000000",
        "sv48 cbo.zero identity RAM: no trap",
        "sv48 napot cbo.zero -> gpa RAM end: scause=0x7 stval=0x100000000",
        "sv48 cbo.zero non-canonical: scause=0xf stval=0x800000000000",
        "sv48 cbo.zero unmapped: scause=0xf stval=0x8000000000",
        "sv57 cbo.zero identity RAM: no trap",
        "sv57 cbo.zero -> gpa CLINT: scause=0x7 stval=0x42000000",
        "sv57 napot cbo.zero -> gpa 0x81ff0000: no trap",
        "sv57 napot cbo.zero -> gpa RAM end: scause=0x7 stval=0x100000000",
        "sv57 cbo.zero non-canonical: scause=0xf stval=0x100000000000000",
        "sv57 cbo.zero unmapped: scause=0xf stval=0xff00000000000000"
    ]

    /// isa-attack beside ticker (Dom0) and hello, on 2 harts: every attempt is stopped as
    /// above, the guest reaches "done" and shuts down, the firmware goes on, and ticker's
    /// and hello's lines are exactly those of the same run without it.
    @Test(.enabled(if: built, "firmware, guests or guest-asm not built"))
    func attacksOnTheNewExtensionsAreStopped() throws {
        let others = ["--harts", "2", "--guest", HV.guest("ticker") + ",name=ticker ticks=20", "--guest", HV.guest("hello") + ",name=hello"]
        let attacked = try Isolation.boot(others + ["--guest", Isolation.asm("isa-attack") + ",name=evil mem=32M"])
        let alone = try Isolation.boot(others)
        #expect(attacked.status == 0, "\(attacked.stdout)\(attacked.stderr)")
        let evil = Isolation.lines(attacked.stdout, prefix: "[evil] ").map { String($0.dropFirst("[evil] ".count)) }
        #expect(evil.first == "isa-attack: start")
        #expect(evil.last == "isa-attack: done")
        let seen = evil.filter { !$0.hasPrefix("isa-attack: ") }
        #expect(seen == Self.expected, "\(zip(seen, Self.expected).filter { $0 != $1 })")
        #expect(attacked.stdout.contains("vireo: domain 2 (evil) shut down\n"))
        #expect(Isolation.lines(attacked.stdout, prefix: "ticker:") == Isolation.lines(alone.stdout, prefix: "ticker:"))
        #expect(Isolation.lines(attacked.stdout, prefix: "[hello] ") == Isolation.lines(alone.stdout, prefix: "[hello] "))
        #expect(attacked.stdout.contains("ticker: done\n"))
    }
}
