import GuestShim

/// The smp guest: SBI HSM, IPI and RFENCE (SBI §7, §8, §9) on a domain with two harts
/// (`vcpus=2` under the Vireo firmware). Hart 0 checks hart_get_status and the hart_start
/// errors, starts hart 1 at `rt_secondary_entry` with an opaque value and sends it an IPI.
/// Hart 1 checks its entry state, takes the IPI, sends IPIs (to itself, to a hart that does
/// not exist, back to hart 0), runs the remote fences and stops. Hart 0 waits for hart 1
/// to stop, reports and shuts down through SRST (reason "system failure" when a check
/// went wrong).
///
/// The harts never talk at the same time: they hand the turn over through `turn`, and the
/// one that waits only polls, sleeps or waits in wfi (no console output and no heap use;
/// the allocator has no lock). Each line goes out in one SBI call (`say`), so even a
/// console shared by both harts gets whole lines.
///
/// With the bootargs word `paging` (or `case=paging`) the guest runs the paging case of
/// Paging.swift instead: both harts on one set of Sv39 tables, hart 1 checking that it sees
/// each change hart 0 makes to them.

/// The value hart 0 passes to hart_start as `opaque` (hart 1 gets it in a1).
let opaque: UInt64 = 0x0123_4567_89AB_CDEF

/// Words shared by the two harts and the trap handler (created by hart 0 before it starts
/// hart 1, so hart 1 never runs a lazy initializer).
struct Shared {
  /// Whose turn it is: 0 = hart 0 prepares, 1 = hart 1 may report its entry, 2 = hart 1
  /// waits in wfi for hart 0's IPI.
  let turn = SharedCounter()
  /// IPIs taken, by hart.
  let ipis0 = SharedCounter()
  let ipis1 = SharedCounter()
  /// Checks hart 1 found wrong.
  let wrong1 = SharedCounter()
  let checks1 = SharedCounter()
}

var shared: Shared! = nil

/// The bootargs name the paging case (Paging.swift): set by hart 0 before it starts hart 1.
var pagingCase = false

/// Checks made and found wrong on hart 0.
var checks: UInt64 = 0
var wrong: UInt64 = 0

/// One console line in one SBI call: DBCN console_write of the whole line (satp = 0, so
/// the buffer's address is its physical address); without DBCN, print().
func say(_ text: String) {
  var bytes = Array(text.utf8)
  bytes.append(0x0A)
  if Console.hasDebugConsole {
    let r = bytes.withUnsafeBufferPointer {
      SBI.consoleWrite(address: UInt64(UInt(bitPattern: $0.baseAddress!)), count: UInt64($0.count))
    }
    if r.succeeded { return }
  }
  print(text)
}

/// "error N (NAME)" or "0 (SBI_SUCCESS)".
func describe(_ error: Int64) -> String {
  error == SBI.success ? "0 (SBI_SUCCESS)" : "error \(error) (\(SBI.errorName(error)))"
}

/// ", ok" when `good`, else ", WRONG, expected WHAT"; counts the check.
func verdict(_ good: Bool, expected: String, hart: UInt64) -> String {
  if hart == 0 {
    checks += 1
    if !good { wrong += 1 }
  } else {
    shared.checks1.value += 1
    if !good { shared.wrong1.value += 1 }
  }
  return good ? ", ok" : ", WRONG, expected \(expected)"
}

/// An SBI call that must fail with `expected` (or succeed, for `SBI.success`).
func expectError(_ what: String, _ r: SBI.Result, _ expected: Int64, hart: UInt64) {
  say("smp: hart \(hart) \(what): \(describe(r.error))\(verdict(r.error == expected, expected: describe(expected), hart: hart))")
}

func statusText(_ hart: UInt64) -> (text: String, state: UInt64?) {
  let r = SBI.hartGetStatus(hartID: hart)
  return r.succeeded ? (SBI.hartStateName(r.value), r.value) : (describe(r.error), nil)
}

func expectStatus(_ hart: UInt64, _ expected: UInt64, when: String = "") {
  let s = statusText(hart)
  say("smp: hart 0 hart_get_status(\(hart))\(when): \(s.text)\(verdict(s.state == expected, expected: SBI.hartStateName(expected), hart: 0))")
}

/// Waits about a millisecond in wfi (the other hart gets the processor meanwhile).
func pause() { Timer.sleep(counts: Timer.counts(milliseconds: 1)) }

/// Waits in wfi until `counter` is at least `target`, taking interrupts between waits.
/// sstatus.SIE stays closed around the test and the wfi, so an IPI that arrives after the
/// test still ends the wfi instead of being taken just before it.
func waitForIPIs(_ counter: SharedCounter, _ target: UInt64) {
  Trap.disableInterrupts()
  while counter.value < target {
    wait_for_interrupt()
    Trap.enableInterrupts()
    Trap.disableInterrupts()
  }
}

/// The supervisor software interrupt, on either hart: sscratch holds the hart's id.
func countIPI() {
  if csr_read_sscratch() == 0 { shared.ipis0.value += 1 } else { shared.ipis1.value += 1 }
}

@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  say("smp: Vireo guest smp on hart \(hart)")
  let tree = DeviceTree(address: dtb)
  if let frequency = tree?.timebaseFrequency { Timer.timebaseFrequency = frequency }
  say("smp: cpus \(tree?.cpuCount ?? 0)")
  if let args = tree?.bootargs, hasWord(args, "paging") || hasWord(args, "case=paging") {
    pagingMain(tree: tree, dtb: dtb)
  }
  shared = Shared()
  csr_write_sscratch(0)
  Trap.softwareInterruptHandler = countIPI

  // HSM: status, the hart_start errors, then the real start.
  expectStatus(0, SBI.HSM.started)
  expectStatus(1, SBI.HSM.stopped)
  expectError("hart_get_status(7)", SBI.hartGetStatus(hartID: 7), SBI.errInvalidParam, hart: 0)
  expectError("hart_start(1) at 0x1000 (outside guest RAM)",
              SBI.hartStart(hartID: 1, startAddress: 0x1000, opaque: opaque), SBI.errInvalidAddress, hart: 0)
  expectStatus(1, SBI.HSM.stopped, when: " after the refused start")
  expectError("hart_start(1) at rt_secondary_entry, opaque \(hex(opaque, digits: 16))",
              SBI.hartStart(hartID: 1, startAddress: rt_secondary_entry_address(), opaque: opaque), SBI.success, hart: 0)
  expectError("hart_start(1) again",
              SBI.hartStart(hartID: 1, startAddress: rt_secondary_entry_address(), opaque: opaque), SBI.errAlreadyAvailable, hart: 0)
  expectError("hart_start(0), itself",
              SBI.hartStart(hartID: 0, startAddress: rt_secondary_entry_address(), opaque: opaque), SBI.errAlreadyAvailable, hart: 0)
  expectError("hart_start(7)",
              SBI.hartStart(hartID: 7, startAddress: rt_secondary_entry_address(), opaque: opaque), SBI.errInvalidParam, hart: 0)

  // Hart 1's turn: it reports its entry state, enables SSIE and waits in wfi.
  shared.turn.value = 1
  var waited = 0
  while shared.turn.value != 2 && waited < 1000 {
    pause()
    waited += 1
  }
  guard shared.turn.value == 2 else {
    say("smp: hart 1 did not report within 1000 ms, WRONG")
    SBI.fail()
  }
  pause()  // hart 1 is in its wfi loop by now
  // A hart waiting in wfi is still STARTED: SUSPENDED is only for hart_suspend (SBI §9).
  expectStatus(1, SBI.HSM.started, when: " while it waits in wfi")

  // IPI to hart 1 (hart_mask 0b10 from base 0), then wait for its IPI back and its stop.
  // Hart 1 talks from here until it stops, so this hart reports afterwards.
  csr_set_sie(Interrupt.SSIP)
  let sent = SBI.sendIPI(hartMask: 0b10, hartMaskBase: 0)
  waitForIPIs(shared.ipis0, 1)
  waited = 0
  while SBI.hartGetStatus(hartID: 1).value != SBI.HSM.stopped && waited < 1000 {
    pause()
    waited += 1
  }
  expectError("send_ipi(mask 0x2, base 0) to hart 1", sent, SBI.success, hart: 0)
  say("smp: hart 0 took \(shared.ipis0.value) IPI\(verdict(shared.ipis0.value == 1, expected: "1", hart: 0))")
  expectStatus(1, SBI.HSM.stopped, when: " after its hart_stop")

  let total = checks + shared.checks1.value
  let bad = wrong + shared.wrong1.value
  if bad == 0 {
    say("smp: all \(total) checks ok, shutting down")
    SBI.shutdown()
  }
  say("smp: \(bad) of \(total) checks WRONG, shutting down")
  SBI.fail()
}

/// Hart 1, from `rt_secondary_entry` (start.S): a0 = hart id, a1 = opaque.
@_cdecl("guest_secondary_main")
func secondaryMain(_ hart: UInt64, _ value: UInt64) {
  // The entry state first (SBI §9.1 "HSM Hart Start Register State").
  let satp = csr_read_satp()
  let sie = csr_read_sstatus() & Mstatus.SIE
  csr_write_sscratch(hart)
  if pagingCase {
    pagingSecondary(satp: value)
    return
  }
  while shared.turn.value != 1 { pause() }

  say("smp: hart \(hart) entered at rt_secondary_entry")
  say("smp: hart \(hart) a0 = \(hart)\(verdict(hart == 1, expected: "1", hart: 1))")
  say("smp: hart \(hart) a1 = \(hex(value, digits: 16))\(verdict(value == opaque, expected: hex(opaque, digits: 16), hart: 1))")
  say("smp: hart \(hart) satp = \(hex(satp))\(verdict(satp == 0, expected: "0x0", hart: 1))")
  say("smp: hart \(hart) sstatus.SIE = \(sie >> 1)\(verdict(sie == 0, expected: "0", hart: 1))")

  // Wait for hart 0's IPI.
  csr_set_sie(Interrupt.SSIP)
  say("smp: hart \(hart) waits for an IPI")
  shared.turn.value = 2
  waitForIPIs(shared.ipis1, 1)
  say("smp: hart \(hart) took IPI 1 from hart 0\(verdict(shared.ipis1.value == 1, expected: "1 IPI", hart: 1))")

  // IPIs: to itself (bit 0 from base 1), to hart 2 (does not exist), back to hart 0.
  expectError("send_ipi(mask 0x1, base 1) to itself", SBI.sendIPI(hartMask: 0b1, hartMaskBase: 1), SBI.success, hart: 1)
  Trap.enableInterrupts()
  Trap.disableInterrupts()
  say("smp: hart \(hart) took \(shared.ipis1.value) IPIs\(verdict(shared.ipis1.value == 2, expected: "2", hart: 1))")
  expectError("send_ipi(mask 0x1, base 2), no hart 2", SBI.sendIPI(hartMask: 0b1, hartMaskBase: 2), SBI.errInvalidParam, hart: 1)
  expectError("send_ipi(mask 0x4, base 0), no hart 2", SBI.sendIPI(hartMask: 0b100, hartMaskBase: 0), SBI.errInvalidParam, hart: 1)

  // Remote fences on every hart (hart_mask_base = -1 ignores the mask), and a bad mask.
  fence_i()
  expectError("remote_fence_i(base -1)", SBI.remoteFenceI(hartMask: 0, hartMaskBase: UInt64.max), SBI.success, hart: 1)
  expectError("remote_sfence_vma(base -1, all addresses)",
              SBI.remoteSfenceVMA(hartMask: 0, hartMaskBase: UInt64.max, start: 0, size: UInt64.max), SBI.success, hart: 1)
  expectError("remote_sfence_vma(mask 0x3, base 0, one page)",
              SBI.remoteSfenceVMA(hartMask: 0b11, hartMaskBase: 0, start: 0x8020_0000, size: 4096), SBI.success, hart: 1)
  expectError("remote_fence_i(mask 0x1, base 5), no hart 5", SBI.remoteFenceI(hartMask: 0b1, hartMaskBase: 5), SBI.errInvalidParam, hart: 1)

  // The IPI back to hart 0 (bit 0 from base 0); hart 0 stays quiet until this hart stops.
  expectError("send_ipi(mask 0x1, base 0) to hart 0", SBI.sendIPI(hartMask: 0b1, hartMaskBase: 0), SBI.success, hart: 1)
  say("smp: hart \(hart) stops")
  csr_clear_sie(Interrupt.SSIP)
  let r = SBI.hartStop()  // sstatus.SIE is 0, as hart_stop requires
  say("smp: hart \(hart) hart_stop returned \(describe(r.error)), WRONG")
  shared.wrong1.value += 1
}
