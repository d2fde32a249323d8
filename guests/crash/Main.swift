import GuestShim

/// A guest-physical address outside guest RAM (which starts at 0x8000_0000) that the
/// Vireo hypervisor maps to no device. (On QEMU virt it lies in the PCIe MMIO window.)
let unmappedAddress: UInt64 = 0x4000_0000

/// An SBI extension ID nobody implements (firmware-specific range, not Vireo's 0x0A56_4952).
let unknownExtension: UInt64 = 0x0A00_0042

/// One misbehaviour, named by a word of /chosen/bootargs.
struct CrashCase {
  let name: StaticString
  let summary: StaticString
  let run: () -> Void
}

let cases: [CrashCase] = [
  CrashCase(name: "load-unmapped", summary: "load from 0x40000000", run: loadUnmapped),
  CrashCase(name: "store-unmapped", summary: "store to 0x40000000", run: storeUnmapped),
  CrashCase(name: "fetch-unmapped", summary: "jump to 0x40000000", run: fetchUnmapped),
  CrashCase(name: "no-handler", summary: "stvec = 0, then an illegal instruction", run: noHandler),
  CrashCase(name: "illegal-csr", summary: "read mstatus, caught by the guest's own handler", run: illegalCSR),
  CrashCase(name: "bad-sbi", summary: "SBI calls with bad arguments", run: badSBI),
  CrashCase(name: "wfi-forever", summary: "interrupts off, wfi in a loop", run: wfiForever),
  CrashCase(name: "spin", summary: "an endless loop without SBI calls", run: spin),
]

/// The crash guest: does what its bootargs name, to test that the hypervisor contains a
/// faulting or hostile guest. Cases that return end with an SRST shutdown.
@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  let bootargs = DeviceTree(address: dtb)?.bootargs ?? ""
  for word in words(bootargs) {
    for crash in cases where sameText(word, "\(crash.name)") || sameText(word, "case=\(crash.name)") {
      print("crash: case \(crash.name)")
      crash.run()
      SBI.shutdown()
    }
  }
  print("crash: no known case in bootargs \"\(bootargs)\"; the cases are:")
  for crash in cases { print("crash:   \(crash.name): \(crash.summary)") }
  SBI.shutdown()
}

/// The access was expected to fault; if it did not, say so and fail.
func noFault(_ what: String) -> Never {
  print("crash: no fault: \(what)")
  SBI.fail()
}

func loadUnmapped() {
  let value = rt_load_u64(unmappedAddress)
  noFault("load from \(hex(unmappedAddress)) returned \(hex(value))")
}

func storeUnmapped() {
  rt_store_u64(unmappedAddress, 0x5A5A_5A5A_5A5A_5A5A)
  noFault("store to \(hex(unmappedAddress)) completed")
}

func fetchUnmapped() {
  rt_jump(unmappedAddress)
  noFault("jump to \(hex(unmappedAddress)) returned")
}

/// With stvec = 0 the guest's own trap would jump to address 0: it cannot handle it.
func noHandler() {
  Trap.disableInterrupts()
  csr_write_stvec(0)
  rt_illegal_instruction()
  csr_write_stvec(rt_trap_entry_address())
  noFault("illegal instruction returned")
}

/// What the exception handler saw (written in the trap handler, read afterwards).
let seenCause = SharedCounter()
let seenValue = SharedCounter()
let seenPC = SharedCounter()

/// `csrr a0, mstatus` from S-mode is an illegal instruction the guest takes itself.
func illegalCSR() {
  seenCause.value = UInt64.max
  seenValue.value = 0
  seenPC.value = 0
  Trap.exceptionHandler = { frame in
    seenCause.value = frame.pointee.scause
    seenValue.value = frame.pointee.stval
    seenPC.value = frame.pointee.sepc
    frame.pointee.a0 = 0
    frame.pointee.sepc &+= Trap.instructionLength(at: frame.pointee.sepc)
    return true
  }
  let value = rt_read_mstatus()
  Trap.exceptionHandler = nil
  let cause = seenCause.value
  if cause == UInt64.max {
    noFault("read mstatus from S-mode returned \(hex(value))")
  }
  let site = seenPC.value == rt_read_mstatus_address() ? "at the csrr" : "at \(hex(seenPC.value)), not at the csrr"
  print("crash: handler saw scause \(hex(cause)) (\(Trap.causeName(cause))), stval \(hex(seenValue.value)), sepc \(site)")
  print("crash: resumed after the csrr, shutting down")
}

func badSBI() {
  report("unknown EID \(hex(unknownExtension, digits: 8))", SBI.call(unknownExtension, 0))
  report("BASE unknown FID 0x100", SBI.call(SBI.base, 0x100))
  report("DBCN console_write of 16 bytes at \(hex(unmappedAddress))", SBI.consoleWrite(address: unmappedAddress, count: 16))
  report("HSM hart_get_status of hart 0x10000", SBI.hartGetStatus(hartID: 0x10000))
  print("crash: bad SBI calls survived, shutting down")
}

func report(_ what: String, _ r: SBI.Result) {
  print("crash: \(what): error \(r.error) (\(SBI.errorName(r.error)))")
}

func wfiForever() {
  Trap.disableInterrupts()
  csr_write_sie(0)
  while true { wait_for_interrupt() }
}

func spin() {
  var counter: UInt64 = 0
  while true {
    counter &+= 1
    compiler_barrier()
  }
}
