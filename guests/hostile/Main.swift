import GuestShim

/// The hostile guest: attacks every boundary a hypervisor keeps between a guest and the
/// machine (guest RAM, devices it was not given, M- and HS-level CSRs, SBI arguments,
/// the console, the scheduler, U-mode) and reports, one line per attempt, what it
/// observed: `hostile: <case>: <attempt>: <outcome>`. It never assumes the answer: an
/// outcome is a trap (`load access fault (scause 0x5, stval 0x...)`), an SBI result
/// (`SBI error -3 (SBI_ERR_INVALID_PARAM)`) or `NOT STOPPED: ...` when an access that
/// should have been refused went through. Tests assert the transcript.
///
/// Cases come from /chosen/bootargs: `case=NAME` (repeatable, or `case=A,B`), run in the
/// order given, or `case=all` (memory, mmio, csr, sbi-pointers, ipi-flood, spin,
/// wfi-user). The word `no-finisher` skips the one store that would power the machine
/// off natively (mmio). After the last case: `hostile: done` and SBI SRST shutdown.
/// `case=virtio` (Virtio.swift) needs a disk and is not in `all`.
///
/// Faults are survived through `Trap.exceptionHandler` (`probeHandler`): it records
/// scause/stval/sepc, and resumes after the faulting instruction (sepc + its length), or
/// at ra for an instruction fetch probe, or at `hostile_user_return` for a trap from U-mode.
/// The probes themselves are single instructions with fixed encodings in attacks.S.

// MARK: attacks.S

@_extern(c, "hostile_load_8") func hostileLoad8(_ address: UInt64) -> UInt64
@_extern(c, "hostile_load_4") func hostileLoad4(_ address: UInt64) -> UInt64
@_extern(c, "hostile_load_2") func hostileLoad2(_ address: UInt64) -> UInt64
@_extern(c, "hostile_load_1") func hostileLoad1(_ address: UInt64) -> UInt64
@_extern(c, "hostile_store_8") func hostileStore8(_ address: UInt64, _ value: UInt64)
@_extern(c, "hostile_store_4") func hostileStore4(_ address: UInt64, _ value: UInt64)
@_extern(c, "hostile_store_2") func hostileStore2(_ address: UInt64, _ value: UInt64)
@_extern(c, "hostile_store_1") func hostileStore1(_ address: UInt64, _ value: UInt64)
@_extern(c, "hostile_fetch") func hostileFetch(_ address: UInt64)
@_extern(c, "hostile_csr_read") func hostileCSRRead(_ index: UInt64) -> UInt64
@_extern(c, "hostile_csr_write") func hostileCSRWrite(_ index: UInt64, _ value: UInt64)
@_extern(c, "hostile_satp_probe") func hostileSatpProbe(_ value: UInt64) -> UInt64
@_extern(c, "hostile_enter_user") func hostileEnterUser(_ body: UInt64)
@_extern(c, "hostile_user_return_address") func hostileUserReturnAddress() -> UInt64

/// The CSRs of attacks.S's HOSTILE_CSRS table, in its order (Priv. §2.2 "CSR Listing").
let csrTable: [StaticString] = [
  "mstatus", "mtvec", "mscratch", "medeleg", "mie", "mip", "pmpcfg0", "pmpaddr0", "mcycle", "menvcfg",
  "hstatus", "hgatp", "hedeleg", "hvip", "htimedelta", "hcounteren", "henvcfg",
  "scounteren", "senvcfg",
]
/// The M- and HS-level entries (the `csr` case); scounteren and senvcfg follow.
let privilegedCSRCount: UInt64 = 17
let csrScounteren: UInt64 = 17
let csrSenvcfg: UInt64 = 18

// MARK: What the machine looks like

/// From the DTB, read before any case runs.
struct Machine {
  var hart: UInt64 = 0
  var dtb: UInt64 = 0
  var ramBase: UInt64 = 0x8000_0000
  var ramSize: UInt64 = 32 << 20
  var cpus = 1
  var ramEnd: UInt64 { ramBase &+ ramSize }
}

var machine = Machine()
var skipFinisher = false

// MARK: Probing

/// What the exception handler saw during the current probe. `SharedCounter`s (volatile),
/// because the handler writes them behind the compiler's back.
enum Probe {
  static let none = UInt64.max
  static let cause = SharedCounter()
  static let tval = SharedCounter()
  static let pc = SharedCounter()
  static let traps = SharedCounter()
  /// 1 when the trap came from U-mode (sstatus.SPP = 0 in the frame).
  static let fromUser = SharedCounter()
  /// a0 at the trap (what a U-mode `csrr a0, sstatus` read, if it reached the ecall).
  static let userA0 = SharedCounter()
  /// Nonzero during a fetch probe: the address jumped to.
  static let fetchTarget = SharedCounter()
  /// The handler acts only while armed; any other exception is reported as unexpected.
  static let armed = SharedCounter()

  /// Clears the record and arms the handler (touching every cell here, so none is first
  /// created inside the trap handler).
  static func arm(fetch: UInt64 = 0) {
    cause.value = none
    tval.value = 0
    pc.value = 0
    traps.value = 0
    fromUser.value = 0
    userA0.value = 0
    fetchTarget.value = fetch
    armed.value = 1
  }

  static func disarm() {
    armed.value = 0
    fetchTarget.value = 0
  }

  static var trapped: Bool { cause.value != none }
}

/// `Trap.exceptionHandler` for the whole run. Runs in the trap handler: no allocation.
func probeHandler(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
  guard Probe.armed.value != 0 else { return false }
  let f = frame.pointee
  Probe.traps.value &+= 1
  Probe.cause.value = f.scause
  Probe.tval.value = f.stval
  Probe.pc.value = f.sepc
  if f.sstatus & Mstatus.SPP == 0 {
    // From U-mode (Priv. §12.1.1: SPP = 0): return to S-mode at hostile_user_return,
    // which restores the context hostile_enter_user saved.
    Probe.fromUser.value = 1
    Probe.userA0.value = f.a0
    frame.pointee.sstatus = f.sstatus | Mstatus.SPP
    frame.pointee.sepc = hostileUserReturnAddress()
    return true
  }
  let target = Probe.fetchTarget.value
  if target != 0 && (f.sepc == target || f.scause == 1 || f.scause == 12) {
    // A fetch probe: the faulting pc is not ours to read; resume where hostile_fetch
    // would have returned to.
    frame.pointee.sepc = f.ra
    return true
  }
  frame.pointee.sepc = f.sepc &+ Trap.instructionLength(at: f.sepc)
  return true
}

/// Exception codes whose stval is a faulting address (Priv. §12.1.9 "stval").
func isAddressCause(_ cause: UInt64) -> Bool {
  switch cause {
  case 0, 1, 4, 5, 6, 7, 12, 13, 15: return true
  default: return false
  }
}

/// "load access fault (scause 0x5, stval 0x40000000)"; "illegal instruction (scause 0x2)".
func trapText() -> String {
  let cause = Probe.cause.value
  var text = "\(Trap.causeName(cause)) (scause \(hex(cause))"
  if isAddressCause(cause) { text += ", stval \(hex(Probe.tval.value))" }
  text += ")"
  if Probe.traps.value > 1 { text += ", \(Probe.traps.value) traps" }
  return text
}

/// The outcome of a load or store probe.
func accessOutcome(load: Bool, value: UInt64) -> String {
  if Probe.trapped { return trapText() }
  return load ? "NOT STOPPED: read \(hex(value))" : "NOT STOPPED: store completed"
}

/// "SBI success, value 0x10" or "SBI error -3 (SBI_ERR_INVALID_PARAM)".
func sbiText(_ r: SBI.Result) -> String {
  r.succeeded ? "SBI success, value \(hex(r.value))" : "SBI error \(r.error) (\(SBI.errorName(r.error)))"
}

func say(_ name: StaticString, _ attempt: String, _ outcome: String) {
  print("hostile: \(name): \(attempt): \(outcome)")
}

/// One load of `width` bytes at `address`.
func probeLoad(_ name: StaticString, _ address: UInt64, width: Int, _ what: String = "") {
  Probe.arm()
  let value: UInt64
  switch width {
  case 8: value = hostileLoad8(address)
  case 4: value = hostileLoad4(address)
  case 2: value = hostileLoad2(address)
  default: value = hostileLoad1(address)
  }
  Probe.disarm()
  say(name, "\(loadMnemonic(width)) \(hex(address))\(what)", accessOutcome(load: true, value: value))
}

/// One store of `width` bytes of `value` at `address`.
func probeStore(_ name: StaticString, _ address: UInt64, width: Int, value: UInt64, _ what: String = "") {
  Probe.arm()
  switch width {
  case 8: hostileStore8(address, value)
  case 4: hostileStore4(address, value)
  case 2: hostileStore2(address, value)
  default: hostileStore1(address, value)
  }
  Probe.disarm()
  say(name, "\(storeMnemonic(width)) \(hex(value)) to \(hex(address))\(what)", accessOutcome(load: false, value: 0))
}

func loadMnemonic(_ width: Int) -> String { width == 8 ? "ld" : width == 4 ? "lw" : width == 2 ? "lh" : "lb" }
func storeMnemonic(_ width: Int) -> String { width == 8 ? "sd" : width == 4 ? "sw" : width == 2 ? "sh" : "sb" }

/// An instruction fetch at `address` (a jump there); the handler resumes after the call.
@inline(never)
func probeFetch(_ name: StaticString, _ address: UInt64, _ what: String = "") {
  Probe.arm(fetch: address)
  hostileFetch(address)
  compiler_barrier()
  Probe.disarm()
  say(name, "jump to \(hex(address))\(what)", Probe.trapped ? trapText() : "NOT STOPPED: returned")
}

// MARK: Cases

struct HostileCase {
  let name: StaticString
  let inAll: Bool
  let summary: StaticString
  let run: () -> Void
}

let cases: [HostileCase] = [
  HostileCase(name: "memory", inAll: true, summary: "loads, stores and a fetch outside guest RAM", run: memoryCase),
  HostileCase(name: "mmio", inAll: true, summary: "device registers the guest was not given", run: mmioCase),
  HostileCase(name: "csr", inAll: true, summary: "M and HS CSRs, satp with a reserved mode", run: csrCase),
  HostileCase(name: "sbi-pointers", inAll: true, summary: "SBI calls with bad pointers, lengths, harts and reset types", run: sbiPointersCase),
  HostileCase(name: "ipi-flood", inAll: true, summary: "100000 IPIs to itself, 100000 get_spec_version", run: ipiFloodCase),
  HostileCase(name: "spin", inAll: true, summary: "interrupts off, 200 ms busy loop", run: spinCase),
  HostileCase(name: "control", inAll: true, summary: "Vireo's control interface, which only Dom0 may call", run: controlCase),
  HostileCase(name: "control-args", inAll: false, summary: "as Dom0: the control interface with bad pointers, lengths and ids", run: controlArgsCase),
  HostileCase(name: "wfi-user", inAll: true, summary: "wfi, sret and csrr sstatus in U-mode", run: wfiUserCase),
  HostileCase(name: "shared-csr", inAll: false, summary: "scounteren = 0, senvcfg = 1, watched for 300 ms", run: { sharedCSRCase(watch: false) }),
  HostileCase(name: "shared-csr-watch", inAll: false, summary: "scounteren = 7, senvcfg = 0, watched for 300 ms", run: { sharedCSRCase(watch: true) }),
  HostileCase(name: "reboot-loop", inAll: false, summary: "SRST warm reboot at once, every boot", run: rebootLoopCase),
  HostileCase(name: "timer-no-sstc", inAll: false, summary: "timer armed, interrupts closed, spins forever", run: timerNoSstcCase),
  HostileCase(name: "long-console", inAll: false, summary: "one console_write of almost all RAM", run: longConsoleCase),
  HostileCase(name: "forged-lines", inAll: false, summary: "lines that look like the firmware's or another domain's", run: forgedLinesCase),
  HostileCase(name: "slice-theft", inAll: false, summary: "wakes just before every 1 ms slice boundary for 500 ms", run: sliceTheftCase),
  HostileCase(name: "unfinished-line", inAll: false, summary: "a last line without a newline, then shutdown", run: unfinishedLineCase),
  HostileCase(name: "hsm", inAll: false, summary: "hart_start at an odd address, then hart_stop on every vCPU", run: hsmCase),
  HostileCase(name: "virtio", inAll: false, summary: "breaks the virtqueue of its disk at 0x10001000 (needs disk = [...])", run: virtioCase),
]

@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  machine.hart = hart
  machine.dtb = dtb
  var bootargs = ""
  if let tree = DeviceTree(address: dtb) {
    if let memory = tree.memory {
      machine.ramBase = memory.base
      machine.ramSize = memory.size
    }
    machine.cpus = tree.cpuCount
    if let frequency = tree.timebaseFrequency, frequency >= 1000 { Timer.timebaseFrequency = frequency }
    bootargs = tree.bootargs ?? ""
  } else {
    print("hostile: no valid device tree at a1 = \(hex(dtb)); assuming RAM \(hex(machine.ramBase))-\(hex(machine.ramEnd))")
  }
  Probe.arm()
  Probe.disarm()
  Trap.exceptionHandler = probeHandler
  print("hostile: Vireo guest hostile on hart \(hart): RAM \(hex(machine.ramBase))-\(hex(machine.ramEnd)), \(machine.cpus) cpu\(machine.cpus == 1 ? "" : "s"), timebase \(Timer.timebaseFrequency) Hz")

  // The cases named in bootargs, in order.
  var selected: [HostileCase] = []
  var unknown: [String] = []
  for word in words(bootargs) {
    if sameText(word, "no-finisher") { skipFinisher = true }
    guard word.utf8.starts(with: "case=".utf8) else { continue }
    for name in list(String(decoding: word.utf8.dropFirst(5), as: UTF8.self)) {
      if sameText(name, "all") {
        for c in cases where c.inAll { selected.append(c) }
      } else if let c = cases.first(where: { sameText("\($0.name)", name) }) {
        selected.append(c)
      } else {
        unknown.append(name)
      }
    }
  }
  for name in unknown { print("hostile: unknown case \"\(name)\"") }
  if selected.isEmpty {
    print("hostile: no case in bootargs \"\(bootargs)\"; case=NAME (repeatable) or case=all, with NAME one of:")
    for c in cases { print("hostile:   \(c.name)\(c.inAll ? " (all)" : ""): \(c.summary)") }
  }
  for c in selected {
    print("hostile: case \(c.name)")
    c.run()
    // Each case leaves the hart as it found it: interrupts closed, none enabled.
    Trap.disableInterrupts()
    csr_write_sie(0)
  }
  print("hostile: done")
  SBI.shutdown()
}

/// "a,b,c" → ["a", "b", "c"] (empty items dropped).
func list(_ text: String) -> [String] {
  fields(text) { $0 == UInt8(ascii: ",") }
}

/// `time` counts in `microseconds`.
func counts(microseconds: UInt64) -> UInt64 { Timer.timebaseFrequency &* microseconds / 1_000_000 }

/// Busy-waits (no wfi, no SBI call) until `time` has advanced by `ticks`.
func busyWait(_ ticks: UInt64) {
  let start = Timer.now
  while Timer.now &- start < ticks { compiler_barrier() }
}

// MARK: memory

/// Guest-physical addresses outside guest RAM (Priv. §3.6 "Physical Memory Attributes",
/// §3.7 PMP; under a hypervisor, §18.5.1 "Guest Physical Address Translation": a GPA the
/// G-stage does not map raises a guest-page fault in the hypervisor, which should reflect
/// it to the guest as an access fault). With satp = 0 each address is used as is.
func memoryCase() {
  let end = machine.ramEnd
  let targets: [(UInt64, String)] = [
    (end, " (end of RAM)"),
    (end &+ (2 << 20), " (end of RAM + 2 MiB)"),
    (machine.ramBase &- 4096, " (below RAM)"),
    (0, ""),
    (0x1000, " (boot ROM)"),
    (0x4000_0000, ""),
    (0x8_0000_0000, ""),
    (0x400_0000_0000, " (beyond 2^41, outside Sv39x4)"),
  ]
  for (address, what) in targets {
    probeLoad("memory", address, width: 8, what)
    probeStore("memory", address, width: 8, value: 0x5A5A_5A5A_5A5A_5A5A, what)
  }
  probeFetch("memory", 0x4000_0000)
  probeFetch("memory", end, " (end of RAM)")
}

// MARK: mmio

/// Device registers of the board (QEMU virt map, Sources/RISCV/Board.swift) that a guest
/// is not given: the CLINT (M-mode timer and software interrupt, Priv. §3.2.1), accesses its
/// virtual PLIC refuses (not 32-bit, or past its window), a virtio-mmio slot it has no disk in, bytes around the 0x100-byte UART window, wider-than-byte UART
/// accesses (a 16550 with reg-io-width 1), and last the test finisher, whose store of
/// 0x5555 powers the machine off when nothing stops it.
func mmioCase() {
  let clint = VirtMap.clint
  probeLoad("mmio", clint, width: 4, " (CLINT msip0)")
  probeStore("mmio", clint, width: 4, value: 1, " (CLINT msip0)")
  probeLoad("mmio", clint &+ 0x4000, width: 8, " (CLINT mtimecmp0)")
  probeStore("mmio", clint &+ 0x4000, width: 8, value: UInt64.max, " (CLINT mtimecmp0)")
  probeLoad("mmio", clint &+ 0xBFF8, width: 8, " (CLINT mtime)")
  probeStore("mmio", clint &+ 0xBFF8, width: 8, value: 0, " (CLINT mtime)")
  // Its own virtual PLIC takes 32-bit accesses inside its window only.
  probeLoad("mmio", VirtMap.plic &+ 4, width: 8, " (virtual PLIC, 64-bit)")
  probeStore("mmio", VirtMap.plic &+ 0x20_0000, width: 2, value: 0, " (virtual PLIC threshold, 16-bit)")
  probeLoad("mmio", VirtMap.plic &+ VirtMap.plicSize, width: 4, " (past the PLIC window)")
  probeStore("mmio", VirtMap.plic &+ VirtMap.plicSize, width: 4, value: 7, " (past the PLIC window)")
  probeLoad("mmio", VirtMap.virtioBase, width: 4, " (virtio slot 0 magic)")
  probeStore("mmio", VirtMap.virtioBase, width: 4, value: 0, " (virtio slot 0 magic)")
  let uart = VirtMap.uart0
  probeLoad("mmio", uart &+ 0x100, width: 1, " (past the UART window)")
  probeStore("mmio", uart &+ 0x100, width: 1, value: 0x41, " (past the UART window)")
  probeStore("mmio", uart &+ 0xFC, width: 8, value: 0x4141_4141_4141_4141, " (straddles the UART window's end)")
  for offset: UInt64 in [0, 5] {
    for width in [8, 4, 2] {
      probeLoad("mmio", uart &+ offset, width: width, " (UART)")
    }
  }
  probeLoad("mmio", VirtMap.testFinisher, width: 4, " (test finisher)")
  if skipFinisher {
    say("mmio", "sw 0x5555 to \(hex(VirtMap.testFinisher)) (test finisher)", "skipped (no-finisher)")
  } else {
    probeStore("mmio", VirtMap.testFinisher, width: 4, value: UInt64(Finisher.pass), " (test finisher)")
  }
}

// MARK: csr

/// M-level CSRs (Priv. §2.1: accessing a CSR above the current privilege is an illegal
/// instruction) and HS-level CSRs (from VS-mode a virtual-instruction exception, §18.6.1,
/// which the hypervisor turns into an illegal instruction for the guest; natively in
/// S-mode without H they do not exist: illegal instruction). Then satp with the reserved
/// MODE 1 (Priv. §12.1.11: a write with an unsupported MODE has no effect).
func csrCase() {
  for index in 0..<privilegedCSRCount {
    let name = csrTable[Int(index)]
    Probe.arm()
    let value = hostileCSRRead(index)
    Probe.disarm()
    say("csr", "csrr \(name)", Probe.trapped ? trapText() : "NOT STOPPED: read \(hex(value))")
    Probe.arm()
    hostileCSRWrite(index, 0)
    Probe.disarm()
    say("csr", "csrw \(name), 0", Probe.trapped ? trapText() : "NOT STOPPED: write completed")
  }
  let bad: UInt64 = (1 << 60) | 0x12345
  Probe.arm()
  let readBack = hostileSatpProbe(bad)
  Probe.disarm()
  say("csr", "satp = \(hex(bad)) (MODE 1, reserved), read back", Probe.trapped ? trapText() : hex(readBack))
}

// MARK: sbi-pointers

/// SBI calls whose arguments point outside the guest or name harts and reset types that
/// do not exist. DBCN (SBI §12) takes a physical address range (§3.2 "Shared memory
/// physical address range parameter"): outside RAM, straddling its end, absurd lengths,
/// base_addr_hi ≠ 0 must give SBI_ERR_INVALID_PARAM. HSM hart_start (§9.1), RFENCE with a
/// hart mask naming no hart (§3.1 "Hart list parameter", §8), SRST with a reserved type and
/// a reserved reason (§10.1).
/// Vireo's control interface (EID 0x0A564952): list, destroy Dom0, console read of
/// Dom0, create. Only Dom0 may call it: every call must be SBI_ERR_DENIED.
func controlCase() {
  let buffer = UInt64(UInt(bitPattern: heapBuffer()))
  report2("control", "list", SBI.call(SBI.vireo, SBI.Control.list, buffer, 4))
  report2("control", "destroy domain 0", SBI.call(SBI.vireo, SBI.Control.destroy, 0))
  report2("control", "console_read of domain 0", SBI.call(SBI.vireo, SBI.Control.consoleRead, 0, buffer, 64))
  report2("control", "create", SBI.call(SBI.vireo, SBI.Control.create, buffer, UInt64(SBI.Control.createRequestSize)))
  report2("control", "consoleClaim", SBI.call(SBI.vireo, SBI.Control.consoleClaim))
}

/// Run as Dom0 (the one caller the control interface accepts): every call with a bad
/// pointer, length or domain id must fail with an SBI error and change nothing.
func controlArgsCase() {
  let buffer = UInt64(UInt(bitPattern: heapBuffer()))
  let outside: UInt64 = 0x4000_0000
  report2("control-args", "create, request outside RAM", SBI.call(SBI.vireo, SBI.Control.create, outside, UInt64(SBI.Control.createRequestSize)))
  report2("control-args", "create, request too short", SBI.call(SBI.vireo, SBI.Control.create, buffer, 8))
  report2("control-args", "create, zeroed request", SBI.call(SBI.vireo, SBI.Control.create, buffer, UInt64(SBI.Control.createRequestSize)))
  report2("control-args", "populate domain 7 (none)", SBI.call(SBI.vireo, SBI.Control.populate, 7, 0x8000_0000, buffer, 16))
  report2("control-args", "start domain 0 (itself)", SBI.call(SBI.vireo, SBI.Control.start, 0, 0x8020_0000))
  report2("control-args", "destroy domain 0 (itself)", SBI.call(SBI.vireo, SBI.Control.destroy, 0))
  report2("control-args", "pause domain 99", SBI.call(SBI.vireo, SBI.Control.pause, 99))
  report2("control-args", "list into memory outside RAM", SBI.call(SBI.vireo, SBI.Control.list, outside, 1))
  report2("control-args", "info, buffer too small", SBI.call(SBI.vireo, SBI.Control.info, 0, buffer, 16))
  report2("control-args", "console_read of domain 5 (none)", SBI.call(SBI.vireo, SBI.Control.consoleRead, 5, buffer, 16))
  report2("control-args", "console_write, buffer outside RAM", SBI.call(SBI.vireo, SBI.Control.consoleWrite, 0, outside, 16))
  report2("control-args", "function 77", SBI.call(SBI.vireo, 77))
  let r = SBI.call(SBI.vireo, SBI.Control.list, buffer, 4)
  print("hostile: control-args: list afterwards: \(r.succeeded ? "SBI success" : "error"), \(r.value) domain(s)")
}

/// A scratch buffer inside the guest's RAM for the calls above.
func heapBuffer() -> UnsafeMutableRawPointer {
  UnsafeMutableRawPointer.allocate(byteCount: 1024, alignment: 8)
}

func report2(_ name: StaticString, _ attempt: String, _ r: SBI.Result) {
  let outcome = r.succeeded ? "NOT STOPPED: SBI success, value " + hex(r.value) : "SBI error " + String(r.error) + " (" + SBI.errorName(r.error) + ")"
  print("hostile: \(name): \(attempt): \(outcome)")
}

func sbiPointersCase() {
  let name: StaticString = "sbi-pointers"
  let end = machine.ramEnd
  // A valid buffer of 64 bytes, "sbi-buf\n" repeated.
  let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
  let pattern = Array("sbi-buf\n".utf8)
  for i in 0..<64 { buffer[i] = pattern[i % pattern.count] }
  let valid = UInt64(UInt(bitPattern: buffer))

  let ranges: [(String, UInt64, UInt64, UInt64)] = [
    ("16 bytes at 0x40000000 (outside RAM)", 16, 0x4000_0000, 0),
    ("16 bytes at \(hex(end &- 8)) (straddles the end of RAM)", 16, end &- 8, 0),
    ("2^63 bytes at a valid buffer", 1 << 63, valid, 0),
    ("2^64-8 bytes at \(hex(end &- 16)) (wraps around)", UInt64.max &- 7, end &- 16, 0),
    ("8 bytes at a valid buffer, base_addr_hi 1", 8, valid, 1),
  ]
  for (what, count, low, high) in ranges {
    let r = SBI.call(SBI.dbcn, SBI.DBCN.write, count, low, high)
    say(name, "console_write \(what)", sbiText(r))
  }
  for (what, count, low, high) in ranges {
    let r = SBI.call(SBI.dbcn, SBI.DBCN.read, count, low, high)
    say(name, "console_read \(what)", sbiText(r))
  }
  buffer.deallocate()

  let entry = rt_secondary_entry_address()
  say(name, "hart_start(\(machine.hart)), itself", sbiText(SBI.hartStart(hartID: machine.hart, startAddress: entry, opaque: 0)))
  say(name, "hart_start(1) at 0x40000000 (outside RAM), \(machine.cpus) cpu\(machine.cpus == 1 ? "" : "s")",
      sbiText(SBI.hartStart(hartID: 1, startAddress: 0x4000_0000, opaque: 0)))
  say(name, "hart_start(1) at 0x80200001 (odd address)",
      sbiText(SBI.hartStart(hartID: 1, startAddress: 0x8020_0001, opaque: 0)))
  let missing = UInt64(machine.cpus)
  say(name, "remote_sfence_vma(mask \(hex(1 << missing)), base 0), no hart \(missing)",
      sbiText(SBI.remoteSfenceVMA(hartMask: 1 << missing, hartMaskBase: 0, start: 0, size: UInt64.max)))
  say(name, "remote_sfence_vma(mask 0x1, base 0x10000), no such hart",
      sbiText(SBI.remoteSfenceVMA(hartMask: 1, hartMaskBase: 0x10000, start: 0, size: UInt64.max)))
  say(name, "system_reset(type 0x10, reason 0)", sbiText(SBI.systemReset(type: 0x10, reason: SBI.SRST.reasonNone)))
  say(name, "system_reset(shutdown, reason 0x5)", sbiText(SBI.systemReset(type: SBI.SRST.shutdown, reason: 5)))
}

// MARK: ipi-flood

/// 100,000 SBI IPIs to itself (SBI §7.1) with sstatus.SIE = 0, clearing sip.SSIP after
/// each, then 100,000 BASE get_spec_version calls (§4.1): the hypervisor must absorb the
/// storm without starving anyone.
func ipiFloodCase() {
  let name: StaticString = "ipi-flood"
  let rounds = 100_000
  Trap.disableInterrupts()
  csr_write_sie(0)
  var errors = 0
  var firstError: Int64 = 0
  var pending = 0
  for _ in 0..<rounds {
    let r = SBI.sendIPI(hartMask: 1, hartMaskBase: machine.hart)
    if !r.succeeded {
      if errors == 0 { firstError = r.error }
      errors += 1
    }
    if csr_read_sip() & Interrupt.SSIP != 0 { pending += 1 }
    csr_clear_sip(Interrupt.SSIP)
  }
  let errorText = errors == 0 ? "no errors" : "\(errors) errors, the first \(firstError) (\(SBI.errorName(firstError)))"
  say(name, "\(rounds) send_ipi(mask 0x1, base \(machine.hart)) to itself", "\(errorText), sip.SSIP pending after \(pending)")

  errors = 0
  var values = 0
  var firstValue: UInt64 = 0
  for i in 0..<rounds {
    let r = SBI.call(SBI.base, SBI.Base.getSpecVersion)
    if !r.succeeded {
      if errors == 0 { firstError = r.error }
      errors += 1
    }
    if i == 0 { firstValue = r.value }
    if r.value == firstValue { values += 1 }
  }
  let spec = errors == 0 ? "no errors" : "\(errors) errors, the first \(firstError) (\(SBI.errorName(firstError)))"
  say(name, "\(rounds) get_spec_version", "\(spec), value \(hex(firstValue)) in \(values)")
}

// MARK: spin

/// sstatus.SIE = 0 and sie = 0, then a busy loop (no wfi, no SBI call) until `time` has
/// advanced 200 ms: only the hypervisor's own (M-level) timer can take the hart away.
func spinCase() {
  Trap.disableInterrupts()
  csr_write_sie(0)
  let ticks = Timer.counts(milliseconds: 200)
  let start = Timer.now
  var iterations: UInt64 = 0
  while Timer.now &- start < ticks {
    iterations &+= 1
    compiler_barrier()
  }
  let elapsed = Timer.now &- start
  say("spin", "interrupts off, busy until time advanced \(ticks) ticks (200 ms)",
      "ended after \(elapsed &* 1000 / Timer.timebaseFrequency) ms, \(iterations) iterations")
}

// MARK: wfi-user

/// Drops to U-mode (sret with sstatus.SPP = 0, Priv. §12.1.1) and executes, each in
/// turn, `wfi` (Priv. §3.3.3: with S-mode present, WFI in U-mode is an illegal
/// instruction; under H, VU-mode WFI is a virtual-instruction exception, §18.6.1, that
/// the hypervisor should turn into an illegal instruction, not a sleep), `sret`
/// (illegal below S) and `csrr a0, sstatus` (an S CSR). The handler sees the trap from U
/// and returns to S-mode. A body whose instruction does not trap reaches its `ecall`.
func wfiUserCase() {
  let name: StaticString = "wfi-user"
  let bodies: [(String, UInt64)] = [("wfi in U-mode", 0x1050_0073), ("sret in U-mode", 0x1020_0073),
                                    ("csrr sstatus in U-mode", 0x1000_2573)]
  Trap.disableInterrupts()
  csr_write_sie(0)
  for (index, body) in bodies.enumerated() {
    Probe.arm()
    hostileEnterUser(UInt64(index))
    compiler_barrier()
    Probe.disarm()
    let cause = Probe.cause.value
    let from = Probe.fromUser.value != 0 ? "U" : "S"
    var outcome: String
    if cause == 8 {
      outcome = index == 2 ? "NOT STOPPED: read \(hex(Probe.userA0.value)), reached the ecall"
        : "NOT STOPPED: returned, reached the ecall"
    } else if cause == Probe.none {
      outcome = "no trap at all"
    } else {
      outcome = "\(Trap.causeName(cause)) (scause \(hex(cause))) from \(from)"
      let stval = Probe.tval.value
      if cause == 2 && stval != 0 && stval != body.1 {
        outcome += ", stval \(hex(stval)) (neither 0 nor the instruction)"
      } else if isAddressCause(cause) {
        outcome += ", stval \(hex(stval))"
      }
    }
    say(name, body.0, outcome)
  }
}

// MARK: shared-csr

/// scounteren (Priv. §12.1.5) and senvcfg (§12.1.10) have no VS copies in H (§18.2): a
/// hypervisor must switch them per vCPU. This instance writes its own values and watches
/// them for 300 ms of `time`; a second domain with `case=shared-csr-watch` writes
/// different ones. senvcfg's FIOM (bit 0) may be read-only zero: the value the guest
/// watches is what reads back.
func sharedCSRCase(watch: Bool) {
  let name: StaticString = watch ? "shared-csr-watch" : "shared-csr"
  let wanted: [UInt64] = watch ? [7, 0] : [0, 1]
  let indices: [UInt64] = [csrScounteren, csrSenvcfg]
  var own: [UInt64?] = [nil, nil]
  for i in 0..<2 {
    let csr = csrTable[Int(indices[i])]
    Probe.arm()
    hostileCSRWrite(indices[i], wanted[i])
    let value = hostileCSRRead(indices[i])
    Probe.disarm()
    if Probe.trapped {
      say(name, "\(csr) = \(hex(wanted[i]))", trapText() + ", not watched")
    } else {
      own[i] = value
      say(name, "\(csr) = \(hex(wanted[i]))", "reads back \(hex(value))")
    }
  }
  var checks: UInt64 = 0
  var changes: [UInt64] = [0, 0]
  let ticks = Timer.counts(milliseconds: 300)
  let start = Timer.now
  while Timer.now &- start < ticks {
    checks &+= 1
    for i in 0..<2 {
      guard let mine = own[i] else { continue }
      Probe.arm()
      let value = hostileCSRRead(indices[i])
      Probe.disarm()
      if value != mine {
        if changes[i] == 0 { print("hostile: \(name): \(csrTable[Int(indices[i])]) changed to \(hex(value)) by someone else (check \(checks))") }
        changes[i] &+= 1
      }
    }
  }
  for i in 0..<2 where own[i] != nil {
    let csr = csrTable[Int(indices[i])]
    say(name, "\(csr) watched for 300 ms",
        changes[i] == 0 ? "unchanged for \(checks) checks" : "changed in \(changes[i]) of \(checks) checks")
  }
}

// MARK: reboot-loop

/// SBI SRST warm reboot (§10.1) at once: every boot reboots again.
func rebootLoopCase() {
  print("hostile: reboot-loop: rebooting")
  let r = SBI.systemReset(type: SBI.SRST.warmReboot, reason: SBI.SRST.reasonNone)
  say("reboot-loop", "system_reset(warm reboot)", "returned: " + sbiText(r))
}

// MARK: timer-no-sstc

/// Arms the SBI timer 1 ms ahead (§6.1), enables sie.STIE but closes sstatus.SIE, and
/// spins forever without another SBI call: the timer interrupt stays pending and masked
/// (a hypervisor without Sstc must not keep taking it).
func timerNoSstcCase() {
  SBI.setTimer(Timer.now &+ Timer.counts(milliseconds: 1))
  Trap.disableInterrupts()
  csr_write_sie(Interrupt.STIP)
  print("hostile: timer-no-sstc: timer armed for +1 ms, sie.STIE = 1, sstatus.SIE = 0, spinning forever")
  var counter: UInt64 = 0
  while true {
    counter &+= 1
    compiler_barrier()
  }
}

// MARK: long-console

/// One DBCN console_write (SBI §12.1) of almost all guest RAM: from the first MiB boundary
/// after the image to 1 MiB below the end of RAM (or to the DTB, when it lies in between),
/// filled with 'x' and no newline.
func longConsoleCase() {
  let mib: UInt64 = 1 << 20
  let start = (image_end_address() &+ mib &- 1) & ~(mib &- 1)
  var limit = machine.ramEnd &- mib
  if machine.dtb >= start && machine.dtb < limit { limit = machine.dtb & ~(mib &- 1) }
  guard limit > start else {
    say("long-console", "console_write", "no room (RAM ends at \(hex(machine.ramEnd)))")
    return
  }
  let count = limit &- start
  UnsafeMutableRawPointer(bitPattern: UInt(start))!.initializeMemory(as: UInt8.self, repeating: UInt8(ascii: "x"), count: Int(count))
  print("hostile: long-console: console_write of \(hex(count)) bytes at \(hex(start)), all 'x', no newline")
  let r = SBI.consoleWrite(address: start, count: count)
  if r.succeeded && r.value > 0 { print("") }
  say("long-console", "console_write of \(hex(count)) bytes", r.succeeded ? "SBI success, \(r.value) bytes written" : sbiText(r))
}

// MARK: forged-lines

/// A partial line ("abc", no newline), ~5 ms of busy waiting, then lines that imitate the
/// firmware ("vireo: ...") and another domain ("[dom0] ...").
func forgedLinesCase() {
  for byte in "abc".utf8 { Console.writeByte(byte) }
  busyWait(Timer.counts(milliseconds: 5))
  for byte in "vireo: domain 0 (dom0) shut down\n".utf8 { Console.writeByte(byte) }
  for byte in "[dom0] forged\n".utf8 { Console.writeByte(byte) }
  // A carriage return, then an erase-line escape, to overwrite the prefix on a terminal.
  for byte in "\r[dom0] carriage return\n".utf8 { Console.writeByte(byte) }
  for byte in "\u{1B}[2K\r[dom0] erased\n".utf8 { Console.writeByte(byte) }
  print("hostile: forged-lines: done")
}

// MARK: unfinished-line

/// Prints a line without its newline and shuts down at once: the text must still reach
/// the console (the firmware ends the line when the domain stops or the board powers off).
func unfinishedLineCase() {
  for byte in "hostile: unfinished-line: no newline at the end".utf8 { Console.writeByte(byte) }
  SBI.shutdown()
}

// MARK: slice-theft

/// For 500 ms of `time`: arm the SBI timer (§6.1) for 20 µs before the next whole
/// millisecond (just before a 1 ms scheduler slice would end), enable sie.STIE and
/// sstatus.SIE, and wait in wfi; the interrupt (the runtime's handler disarms the timer)
/// ends the wait. Counts the wakeups.
func sliceTheftCase() {
  let ms = Timer.counts(milliseconds: 1)
  let early = counts(microseconds: 20)
  let duration = Timer.counts(milliseconds: 500)
  let start = Timer.now
  var wakeups: UInt64 = 0
  var onTime: UInt64 = 0
  Timer.enableInterrupt()
  while Timer.now &- start < duration {
    let now = Timer.now
    var deadline = (now / ms &+ 1) &* ms &- early
    if deadline <= now { deadline &+= ms }
    SBI.setTimer(deadline)
    Trap.enableInterrupts()
    wait_for_interrupt()
    Trap.disableInterrupts()
    wakeups &+= 1
    if Timer.now >= deadline { onTime &+= 1 }
  }
  Timer.disableInterrupt()
  Timer.cancel()
  say("slice-theft", "500 ms of wfi until 20 us before each 1 ms boundary", "\(wakeups) wakeups, \(onTime) at or after the deadline")
}

// MARK: hsm

/// HSM (SBI §9): hart_start(1) at an odd address (§9.1: start_addr must be a valid
/// address to execute from), then every vCPU stops: hart 1 (started at
/// rt_secondary_entry) calls hart_stop, and when it reads STOPPED, hart 0 does too, so the
/// domain ends with no vCPU running and no SRST call.
func hsmCase() {
  let name: StaticString = "hsm"
  if machine.cpus >= 2 {
    say(name, "hart_start(1) at 0x80200001 (odd address)", sbiText(SBI.hartStart(hartID: 1, startAddress: 0x8020_0001, opaque: 0)))
  } else {
    say(name, "hart_start(1) at 0x80200001 (odd address)", "skipped, 1 cpu")
  }
  print("hostile: hsm: stopping every vCPU")
  if machine.cpus >= 2 {
    say(name, "hart_start(1) at rt_secondary_entry", sbiText(SBI.hartStart(hartID: 1, startAddress: rt_secondary_entry_address(), opaque: 0x4853_4D)))
    var waited = 0
    while SBI.hartGetStatus(hartID: 1).value != SBI.HSM.stopped && waited < 1000 {
      Timer.sleep(counts: Timer.counts(milliseconds: 1))
      waited += 1
    }
    let status = SBI.hartGetStatus(hartID: 1)
    say(name, "hart_get_status(1)", status.succeeded ? SBI.hartStateName(status.value) : sbiText(status))
  }
  print("hostile: hsm: hart \(machine.hart) stops")
  Trap.disableInterrupts()
  csr_write_sie(0)
  let r = SBI.hartStop()
  say(name, "hart_stop on hart \(machine.hart)", "returned: " + sbiText(r))
}

/// A hart started through HSM at rt_secondary_entry (start.S): reports and stops.
@_cdecl("guest_secondary_main")
func secondaryMain(_ hart: UInt64, _ opaque: UInt64) {
  print("hostile: hsm: hart \(hart) started (opaque \(hex(opaque))), stops")
  let r = SBI.hartStop()
  print("hostile: hsm: hart_stop on hart \(hart): returned: \(sbiText(r))")
  while true { wait_for_interrupt() }
}
