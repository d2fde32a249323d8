import Foundation
import Testing

/// SBI HSM, IPI and RFENCE on a domain with two vCPUs (guests/smp): `vireo boot` runs the
/// firmware with the smp guest (`vcpus=2`); its transcript is checked line by line, with
/// and without Sstc, alone and as domain 1 beside ticker, and on QEMU with the same images.
@Suite struct HypervisorSMPTests {
    static let built = FileManager.default.fileExists(atPath: HypervisorBootTests.firmware)
        && FileManager.default.fileExists(atPath: HypervisorBootTests.guest("smp"))
        && FileManager.default.fileExists(atPath: HypervisorBootTests.guest("ticker"))
    static let module = HypervisorBootTests.guest("smp") + ",vcpus=2"

    /// The guest's lines as SBI v2.0 requires them (every check "ok").
    static let transcript = [
        "smp: Vireo guest smp on hart 0",
        "smp: cpus 2",
        "smp: hart 0 hart_get_status(0): started, ok",
        "smp: hart 0 hart_get_status(1): stopped, ok",
        "smp: hart 0 hart_get_status(7): error -3 (SBI_ERR_INVALID_PARAM), ok",
        "smp: hart 0 hart_start(1) at 0x1000 (outside guest RAM): error -5 (SBI_ERR_INVALID_ADDRESS), ok",
        "smp: hart 0 hart_get_status(1) after the refused start: stopped, ok",
        "smp: hart 0 hart_start(1) at rt_secondary_entry, opaque 0x0123456789abcdef: 0 (SBI_SUCCESS), ok",
        "smp: hart 0 hart_start(1) again: error -6 (SBI_ERR_ALREADY_AVAILABLE), ok",
        "smp: hart 0 hart_start(0), itself: error -6 (SBI_ERR_ALREADY_AVAILABLE), ok",
        "smp: hart 0 hart_start(7): error -3 (SBI_ERR_INVALID_PARAM), ok",
        "smp: hart 1 entered at rt_secondary_entry",
        "smp: hart 1 a0 = 1, ok",
        "smp: hart 1 a1 = 0x0123456789abcdef, ok",
        "smp: hart 1 satp = 0x0, ok",
        "smp: hart 1 sstatus.SIE = 0, ok",
        "smp: hart 1 waits for an IPI",
        "smp: hart 0 hart_get_status(1) while it waits in wfi: started, ok",
        "smp: hart 1 took IPI 1 from hart 0, ok",
        "smp: hart 1 send_ipi(mask 0x1, base 1) to itself: 0 (SBI_SUCCESS), ok",
        "smp: hart 1 took 2 IPIs, ok",
        "smp: hart 1 send_ipi(mask 0x1, base 2), no hart 2: error -3 (SBI_ERR_INVALID_PARAM), ok",
        "smp: hart 1 send_ipi(mask 0x4, base 0), no hart 2: error -3 (SBI_ERR_INVALID_PARAM), ok",
        "smp: hart 1 remote_fence_i(base -1): 0 (SBI_SUCCESS), ok",
        "smp: hart 1 remote_sfence_vma(base -1, all addresses): 0 (SBI_SUCCESS), ok",
        "smp: hart 1 remote_sfence_vma(mask 0x3, base 0, one page): 0 (SBI_SUCCESS), ok",
        "smp: hart 1 remote_fence_i(mask 0x1, base 5), no hart 5: error -3 (SBI_ERR_INVALID_PARAM), ok",
        "smp: hart 1 send_ipi(mask 0x1, base 0) to hart 0: 0 (SBI_SUCCESS), ok",
        "smp: hart 1 stops",
        "smp: hart 0 send_ipi(mask 0x2, base 0) to hart 1: 0 (SBI_SUCCESS), ok",
        "smp: hart 0 took 1 IPI, ok",
        "smp: hart 0 hart_get_status(1) after its hart_stop: stopped, ok",
        "smp: all 27 checks ok, shutting down",
    ]

    /// Checks the guest's lines (`prefix` stripped) against the transcript, and the exit
    /// status. (A vCPU waiting in WFI stays STARTED for hart_get_status, SBI §9; an earlier
    /// firmware reported it SUSPENDED.)
    static func check(_ lines: [String], status: Int32, expectedStatus: Int32 = 0) {
        #expect(lines == transcript)
        #expect(status == expectedStatus)
    }

    /// smp as Dom0 on two vCPUs, with Sstc (vstimecmp) and without (the firmware injects the
    /// timer): the transcript, Dom0's shutdown, and the same output on a second run.
    @Test(.enabled(if: built, "firmware/smp guest not built (tools/build-riscv.sh firmware guests)"),
          arguments: [nil, "rv64imac_h"] as [String?])
    func smpAsDom0(_ isa: String?) throws {
        let args = (isa.map { ["--isa", $0] } ?? []) + ["--guest", Self.module]
        let r = try HypervisorBootTests.boot(args)
        let out = HypervisorBootTests.lines(r.stdout)
        #expect(out.contains("vireo: domain 0 (dom0): 32 MiB at 0x80400000, 2 vCPUs, entry 0x80200000"))
        Self.check(out.filter { $0.hasPrefix("smp:") }, status: r.status)
        #expect(out.last?.hasPrefix("vireo: domain 0 (dom0) shut down") == true, "\(r.stdout)")
        let again = try HypervisorBootTests.boot(args)
        #expect(again.stdout == r.stdout)
        #expect(again.status == r.status)
    }

    /// smp as domain 1 beside ticker: its lines stay whole and in order under its name,
    /// its shutdown stops only it, and ticker finishes.
    @Test(.enabled(if: built, "firmware/smp guest not built (tools/build-riscv.sh firmware guests)"))
    func smpBesideTicker() throws {
        let r = try HypervisorBootTests.boot(["--guest", HypervisorBootTests.guest("ticker"), "--guest", Self.module])
        #expect(r.status == 0, "\(r.stderr)")
        let out = HypervisorBootTests.lines(r.stdout)
        #expect(out.contains("vireo: domain 1 (dom1): 32 MiB at 0x82600000, 2 vCPUs, entry 0x80200000"))
        let smp = out.filter { $0.hasPrefix("[dom1] ") }.map { String($0.dropFirst(7)) }
        Self.check(smp, status: 0)
        #expect(out.contains { $0.hasPrefix("vireo: domain 1 (dom1) shut down") })
        #expect(r.stdout.hasSuffix("ticker: 10 ticks, main loop preempted 10 times\nticker: done\nvireo: domain 0 (dom0) shut down\n"))
    }

    /// The same firmware and smp image on QEMU 7.2 (the board's DTB with its boot module,
    /// the module loaded raw at the address /chosen names) print the same lines and end
    /// with the same status.
    @Test(.enabled(if: built && ReferenceTests.qemu != nil, "qemu-system-riscv64 or the firmware/smp guest missing"))
    func sameOnQEMU() throws {
        // The ISA QEMU's DTB is made with (runOnQEMU), so the firmware prints the same string.
        let board = try HypervisorBootTests.boot(["--isa", "rv64gc_h_sstc", "--guest", Self.module])
        let q = try HypervisorBootTests.runOnQEMU([Self.module])
        #expect(q.status == board.status, "qemu \(q.status) vs board \(board.status): \(q.stderr)")
        #expect(HypervisorBootTests.lines(q.stdout) == HypervisorBootTests.lines(board.stdout))
        Self.check(HypervisorBootTests.lines(q.stdout).filter { $0.hasPrefix("smp:") }, status: q.status)
    }
}
