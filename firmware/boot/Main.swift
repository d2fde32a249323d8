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
        PowerOff.exit(2)
    }
    let fdt: FDT
    do throws(FDTError) {
        fdt = try FDT(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: UInt(dtbAddress)), count: size))
    } catch {
        Log.put("vireo: the device tree is malformed: ")
        Log.line(error.reason)
        PowerOff.exit(2)
    }
    var platform = Platform(fdt: fdt)
    platform.dtbSize = UInt64(size)
    UART.base = UInt(platform.uart)
    CLINT.base = platform.clint
    PowerOff.finisher = platform.finisher
    UART.configure()
    Log.put("Vireo hypervisor firmware: ")
    Log.dec(UInt64(platform.harts))
    Log.put(platform.harts == 1 ? " hart, " : " harts, ")
    Log.dec(platform.memorySize >> 20)
    Log.put(" MiB, ")
    Log.put(platform.isa)
    Log.put("\n")
    // Without H (issue 17) there is no VS-mode to run a guest kernel in: every guest runs
    // trap-and-emulate, its kernel in real U-mode (arch/Shadow.swift), and the firmware
    // touches no H CSR or instruction, each an illegal instruction here (boot/HartSetup.swift).
    if !platform.hasH { Log.line("vireo: no H extension: every guest runs trap-and-emulate (shadow paging)") }
    guard UInt64(FW_UART_BASE) == VirtMap.uart0, UInt64(FW_UART_SIZE) == UART16550Registers.size,
          UInt64(FW_PLIC_BASE) == VirtMap.plic, UInt64(FW_PLIC_SIZE) == VirtMap.plicSize else {
        Log.line("vireo: layout.h's device addresses differ from VirtMap")
        PowerOff.exit(2)
    }
    guard platform.harts <= Int(fw_max_harts()), Int(fw_max_harts()) == VirtMap.maxHarts else {
        Log.line("vireo: more harts than the firmware has stacks for (layout.h FW_MAX_HARTS)")
        PowerOff.exit(2)
    }
    setUpHart(platform)
    setUpFastPaths(platform)
    if platform.bootargs.split(separator: " ").contains(where: { $0 == "vireo.selftest=swift-trap" }) {
        selfTestSwiftTrap(platform)
    }
    fw_lock_acquire()
    hypervisor = Hypervisor(platform: platform, dtbAddress: dtbAddress)
    hypervisor.printStats = platform.bootargs.split(separator: " ").contains { $0 == "vireo.stats" }
    hypervisor.shadowMode = !platform.hasH || platform.bootargs.split(separator: " ").contains { $0 == "vireo.mmu=shadow" }
    let t0 = csr_read_time(), c0 = csr_read_mcycle()
    hypervisor.createDomainsFromModules()
    // Cycles per `time` tick over the domains' creation (zeroing their RAM takes long
    // enough to measure), for the scheduler's allowance.
    let dt = csr_read_time() &- t0, dc = csr_read_mcycle() &- c0
    hypervisor.sliceCycles = dt == 0 ? hypervisor.slice &* 100 : dc / dt &* hypervisor.slice
    releaseSecondaries()
    for h in hypervisor.harts where h.id != 0 { CLINT.setSoftwareInterrupt(hart: h.id, 1) }
    hypervisor.run()
}

/// The other harts: the same M-mode setup, then each runs the vCPUs placed on it.
@_cdecl("fw_secondary")
func fwSecondary(_ hart: UInt64) {
    fw_lock_acquire()
    CLINT.setSoftwareInterrupt(hart: hart, 0)
    setUpHart(hypervisor.platform)
    guard Int(hart) < hypervisor.harts.count else {
        fw_lock_release()
        while true { wait_for_interrupt() }
    }
    hypervisor.run()
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
    PowerOff.exit(3)
}

/// `--append vireo.selftest=swift-trap`: indexes past the end of an array, so that a test
/// can check that a Swift runtime trap in the firmware is reported with its pc.
@inline(never)
func selfTestSwiftTrap(_ platform: Platform) {
    Log.line("vireo: self-test: indexing past the end of an array")
    let values = [platform.memorySize]
    Log.hex(values[platform.harts])
}
