import Shim

/// The single hypervisor instance (hart 0 builds it at boot; start.S calls into it).
nonisolated(unsafe) var hypervisor: Hypervisor! = nil

@_extern(c, "fw_release_secondaries") func releaseSecondaries()

/// Hart 0's entry from start.S: a0 = hart id, a1 = the board's DTB.
@_cdecl("fw_main")
func fwMain(_ hart: UInt64, _ dtbAddress: UInt64) {
    UART.configure()
    guard let size = FDT.totalSize(at: UnsafeRawPointer(bitPattern: UInt(dtbAddress))!) else {
        Log.line("vireo: no device tree at a1; stopping")
        board_exit(2)
    }
    let fdt: FDT
    do throws(FDTError) {
        fdt = try FDT(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(dtbAddress)), count: size))
    } catch {
        Log.put("vireo: the device tree is malformed: ")
        Log.line(error.reason)
        board_exit(2)
    }
    var platform = Platform(fdt: fdt)
    platform.dtbSize = UInt64(size)
    UART.base = UInt(platform.uart)
    UART.configure()
    Log.put("Vireo hypervisor firmware: ")
    Log.dec(UInt64(platform.harts))
    Log.put(platform.harts == 1 ? " hart, " : " harts, ")
    Log.dec(platform.memorySize >> 20)
    Log.put(" MiB, ")
    Log.put(platform.isa)
    Log.put("\n")
    guard platform.hasH else {
        Log.line("vireo: the board has no hypervisor extension (H); boot it with an ISA that has _h")
        board_exit(2)
    }
    setUpHart(platform)
    if platform.bootargs.split(separator: " ").contains(where: { $0 == "vireo.selftest=swift-trap" }) {
        selfTestSwiftTrap(platform)
    }
    hypervisor = Hypervisor(platform: platform, dtbAddress: dtbAddress)
    hypervisor.createDomainsFromModules()
    releaseSecondaries()
    hypervisor.run()
}

/// The other harts: the same M-mode setup, then parked (vCPUs run on hart 0 for now).
@_cdecl("fw_secondary")
func fwSecondary(_ hart: UInt64) {
    setUpHart(hypervisor.platform)
    while true { wait_for_interrupt() }
}

/// Per-hart M-mode state (DESIGN §3):
/// - PMP: the firmware's range [__fw_start, __fw_end) is closed to every mode below M
///   (not locked, so M keeps access); everything else is open. Guests are further
///   confined by their G-stage tables.
/// - Delegation: exceptions a guest handles itself go to VS (medeleg to HS, hedeleg on to
///   VS); ecalls from VS, guest-page faults and virtual instructions stay in M. The VS
///   interrupts go to VS (mideleg's VS bits are read-only one, hideleg passes them on).
/// - Counters and Sstc opened to guests; the FP unit on when the board has it.
func setUpHart(_ platform: Platform) {
    setUpFirmwarePMP()
    let guestExceptions: UInt64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5)
        | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csr_write_medeleg(guestExceptions)
    csr_write_hedeleg(guestExceptions)
    csr_write_mideleg(0)
    csr_write_hideleg(Interrupt.virtualSupervisorMask)
    csr_write_mcounteren(7)
    csr_write_hcounteren(7)
    // hstatus: VTW makes a guest's WFI trap (so the vCPU can yield); SPVP for HLVX.
    csr_write_hstatus(Hstatus.VTW | Hstatus.SPVP)
    if platform.hasSstc {
        csr_set_menvcfg(UInt64(1) << 63)    // STCE
        csr_set_henvcfg(UInt64(1) << 63)
    }
    if platform.hasFP { csr_set_mstatus(UInt64(1) << 13) }   // FS = Initial
    csr_write_mie(Interrupt.MTIP | Interrupt.MSIP)
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

/// A trap taken while the firmware itself runs: a firmware bug (a Swift runtime trap
/// arrives as an illegal instruction, EMBEDDED.md pitfall 6). Reported, then the board stops.
@_cdecl("fw_panic")
func fwPanic(_ cause: UInt64, _ pc: UInt64, _ tval: UInt64, _ ra: UInt64) {
    Log.put("\nvireo: firmware trap: cause ")
    Log.dec(cause & 0xFF)
    if cause == 2 { Log.put(" (illegal instruction: a Swift runtime trap, or an instruction this hart lacks)") }
    Log.put(" at pc ")
    Log.hex(pc)
    Log.put(", tval ")
    Log.hex(tval)
    Log.put(", ra ")
    Log.hex(ra)
    Log.put("\n")
    board_exit(3)
}

/// `--append vireo.selftest=swift-trap`: indexes past the end of an array, so that a test
/// can check that a Swift runtime trap in the firmware is reported with its pc.
@inline(never)
func selfTestSwiftTrap(_ platform: Platform) {
    Log.line("vireo: self-test: indexing past the end of an array")
    let values = [platform.memorySize]
    Log.hex(values[platform.harts])
}
