import Shim

/// Per-hart M-mode state (DESIGN §3):
/// - PMP: the firmware's range [__fw_start, __fw_end) is closed to every mode below M
///   (not locked, so M keeps access); everything else is open. Guests are further
///   confined by their G-stage tables.
/// - Delegation: exceptions a guest handles itself go to VS (medeleg to HS, hedeleg on to
///   VS); ecalls from VS, guest-page faults and virtual instructions stay in M. The VS
///   interrupts go to VS (mideleg's VS bits are read-only one, hideleg passes them on).
/// - Counters, Sstc, Svpbmt and the cache-block operations opened to guests; the FP unit on
///   when the board has it.
/// - Without H only the machine-level part: the hypervisor and VS CSRs are H's (Priv.
///   "Hypervisor and Virtual Supervisor CSRs"), and an access to a CSR that does not exist
///   is a reserved instruction (Priv. "CSR Address Mapping Conventions"), an illegal
///   instruction on the board, which would trap the firmware into itself. Every guest is a
///   shadow one then, with medeleg 0 while it runs.
func setUpHart(_ platform: Platform) {
    setUpFirmwarePMP()
    csr_write_medeleg(HartSetup.guestExceptions)
    csr_write_mideleg(0)
    csr_write_mcounteren(7)
    if platform.hasH {
        csr_write_hedeleg(HartSetup.guestExceptions)
        csr_write_hideleg(Interrupt.virtualSupervisorMask)
        csr_write_hcounteren(7)
        // hstatus: VTW makes a guest's WFI trap (so the vCPU can yield); SPVP for HLVX.
        csr_write_hstatus(Hstatus.VTW | Hstatus.SPVP)
    }
    if platform.hasSstc {
        csr_set_menvcfg(UInt64(1) << 63)    // STCE
        if platform.hasH { csr_set_henvcfg(UInt64(1) << 63) }
    }
    // The guest's DTB lists the board's extensions (minus H), so what they need enabled
    // below M is enabled for VS and VU too (Priv. "Machine Environment Configuration
    // Register" and "Hypervisor Environment Configuration Register"; WARL, so these stay 0
    // on a board without them): PBMTE (Svpbmt, bit 62) — Linux marks its I/O mappings with
    // PBMT and would fault without it; CBZE (bit 7) and CBCFE (bit 6) for Zicboz/Zicbom; and
    // CBIE = 01 (bits 5:4), so a guest's cbo.inval is a flush: it can never discard data
    // another domain's DMA or the firmware put in the block.
    let envcfg: UInt64 = (UInt64(1) << 62) | (1 << 7) | (1 << 6) | (1 << 4)
    csr_set_menvcfg(envcfg)
    if platform.hasH { csr_set_henvcfg(envcfg) }
    if platform.hasFP { csr_set_mstatus(UInt64(1) << 13) }   // FS = Initial
    csr_write_mie(Interrupt.MTIP | Interrupt.MSIP | Interrupt.MEIP)
}

/// PMP (Priv. §3.7), lowest entry first: [0, fw_start) RWX, [fw_start, pt_start) closed,
/// [pt_start, fw_end) read-only (the G-stage tables, which the hart's G-stage walks read
/// as S-level accesses), then everything above RWX (NAPOT over the whole space).
func setUpFirmwarePMP() {
    csr_write_pmpaddr0(firmware_start() >> 2)
    csr_write_pmpaddr1(pagetables_start() >> 2)
    csr_write_pmpaddr2(firmware_end() >> 2)
    csr_write_pmpaddr3(UInt64.max >> 10)
    let tor: UInt64 = 1 << 3, napot: UInt64 = 3 << 3, r: UInt64 = 1, rwx: UInt64 = 7
    csr_write_pmpcfg0((tor | rwx) | (tor << 8) | ((tor | r) << 16) | ((napot | rwx) << 24))
}

/// The fast paths of start.S (docs/fast-paths.md): on unless the firmware's command line
/// says `vireo.fastpath=off` (to measure or rule them out) or the board has no H; told
/// whether the board has Sstc, and each hart's mtimecmp address. Set before any guest runs.
func setUpFastPaths(_ platform: Platform) {
    for h in 0..<UInt64(platform.harts) {
        fw_fast_set_mtimecmp(h, CLINT.base &+ CLINTLayout.mtimecmp(hart: h))
        fw_fast_set_next(h, 0)      // until programTimer first runs there: take the slow path
    }
    // They serve only two-stage exits and use hvip, vstimecmp, mtval2 and mtinst: without H
    // they are off, as with `vireo.fastpath=off` (every trap goes straight to slow_trap).
    let off = !platform.hasH || platform.bootargs.split(separator: " ").contains { $0 == "vireo.fastpath=off" }
    fw_fast_set_flags((off ? 0 : UInt64(FW_FAST_ON)) | (platform.hasSstc ? UInt64(FW_FAST_SSTC) : 0)
                      | (uartLayoutMatches() ? UInt64(FW_FAST_UART) : 0))
}

/// True when Swift lays FirmwareKit's `UART16550Registers` out as start.S's UART fast
/// path reads it (layout.h FW_UART_*): one byte per field, in declaration order.
func uartLayoutMatches() -> Bool {
    var r = UART16550Registers()
    r.lcr = 0x11; r.ier = 0x22; r.mcr = 0x33; r.scr = 0x44; r.dlm = 0x66
    return withUnsafeBytes(of: &r) { b in
        b.count >= 8 && b[Int(FW_UART_LCR)] == 0x11 && b[Int(FW_UART_IER)] == 0x22 && b[Int(FW_UART_MCR)] == 0x33
            && b[Int(FW_UART_SCR)] == 0x44 && b[Int(FW_UART_DLM)] == 0x66
    }
}

enum HartSetup {
    /// The exceptions a VS-mode guest handles itself (medeleg to HS, hedeleg on to VS). A
    /// shadow-mode vCPU runs with medeleg 0 instead (VCPUState.swift): the firmware sees all.
    static let guestExceptions: UInt64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
        | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
}
