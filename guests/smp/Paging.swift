import GuestShim
import _Volatile

/// The paging case (bootargs word `paging`): cross-hart coherence of one set of Sv39
/// tables (Priv. §12.4) that both harts run on. Hart 1 keeps translations of a test window
/// in its TLB (under the Vireo firmware's shadow mode: in its vCPU's shadow tables) by
/// polling the window; hart 0 changes the tables and makes the change visible to hart 1
/// the ways a kernel does, and hart 1 must see each change:
///
/// - W, one 4 KiB page, goes from frame A to B by a plain store to its PTE, then SBI
///   `remote_sfence_vma` of that page (SBI §8.3); to C by AMOSWAP.D on the PTE, then a
///   remote fence of the whole address space (start 0, size 0); to D by a store made with
///   hart 0's own translation off, then `remote_sfence_vma_asid` of that page. Under the
///   shadow MMU the first two stores trap (the tables are write-protected) but the third
///   does not: only the remote fence can tell hart 1's shadows about it.
/// - M, a 2 MiB megapage, goes from region R1 to R2 by one store to its level-1 PTE, and
///   back to R1 by a store with hart 0's translation off. Each time hart 0 sends an IPI,
///   and hart 1's handler runs `sfence.vma` of one address inside the megapage (M +
///   0x1000) in its ASID; hart 1 then reads other offsets of M, which must show the new
///   region: a fence of any address of a superpage drops all of its translation (§12.2.1).
/// - W's PTE is cleared and fenced remotely: hart 1's read of W is a load page fault
///   (scause 13, stval W, §12.1.8), which its handler reports and skips.
///
/// The RAM is identity-mapped by one gigapage (RWX, A and D preset), so code, data, the
/// stacks and the DTB keep their addresses. Hart 0 probes ASIDLEN (ones written to the
/// ASID field of satp, §12.1.11) and runs both harts with ASID 1 when there is one. Hart 1
/// never prints or allocates: it writes what it read to shared words, and hart 0 prints
/// every line. Each table change happens before the fence or IPI that publishes it, and
/// hart 1 reads only after that, so the transcript is fixed.

/// The test window (root index 64, far from RAM's identity map; one level-1 table holds
/// both): W at its start, M at the next 2 MiB.
let windowPage: UInt64 = 0x10_0000_0000
let megapageVA: UInt64 = windowPage &+ megapageSize
let megapageSize: UInt64 = 2 << 20
let gigapageSize: UInt64 = 1 << 30

/// Offsets of M that hart 1 reads (one of which, 0x1000, its IPI handler fences).
func megapageOffset(_ i: Int) -> UInt64 {
  switch i {
  case 0: return 0
  case 1: return 0x1000
  case 2: return 0x10_0000
  default: return 0x1F_F000
  }
}

let megapageReads = 4
let fencedOffset: UInt64 = 0x1000

/// What hart 0 asks of hart 1 (the low byte of `PagingMail.request`).
enum Ask {
  /// Read W (word 0) into `seenW`.
  static let readW: UInt64 = 1
  /// Read M at the four offsets into `seenM`.
  static let readM: UInt64 = 2
  /// From now on, keep reading W / M while waiting (their translations stay cached).
  static let pollW: UInt64 = 4
  static let pollM: UInt64 = 8
  /// Before reading, wait for the next IPI (its handler fences M + 0x1000).
  static let afterIPI: UInt64 = 16
  /// Turn Sv39 off and stop.
  static let stop: UInt64 = 32
}

/// Words shared by the two harts, created by hart 0 before it starts hart 1.
struct PagingMail {
  /// From hart 0: (sequence << 8) | what (`Ask`).
  let request = SharedCounter()
  /// From hart 1: the last sequence it carried out (its results are written before).
  let done = SharedCounter()
  let seenW = SharedCounter()
  let seenM0 = SharedCounter()
  let seenM1 = SharedCounter()
  let seenM2 = SharedCounter()
  let seenM3 = SharedCounter()
  /// Page faults hart 1 took in the window, and the last one's scause and stval.
  let faults = SharedCounter()
  let faultCause = SharedCounter()
  let faultAddress = SharedCounter()
  /// IPIs hart 1 took (each after its handler's fence).
  let ipis = SharedCounter()
  /// Hart 1's satp, read back after it turned Sv39 on (and off).
  let satp = SharedCounter()

  func seenM(_ i: Int) -> SharedCounter {
    switch i {
    case 0: return seenM0
    case 1: return seenM1
    case 2: return seenM2
    default: return seenM3
    }
  }
}

var mail: PagingMail! = nil
/// The ASID both harts run with (0 when the hart has none), set before hart 1 starts.
var pagingASID: UInt64 = 0

// MARK: Tables (Priv. §12.3.1 PTE bits, §12.4 Sv39)

func pointer(_ address: UInt64) -> UnsafeMutablePointer<UInt64> {
  UnsafeMutablePointer<UInt64>(bitPattern: UInt(address))!
}

/// One real store (a single `sd`, which the shadow MMU must catch when it is a PTE).
func storeWord(_ address: UInt64, _ value: UInt64) {
  VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(address)).store(value)
}

// pte, tablePTE and vpn: guests/rt/Sv39.swift.

/// The tags the test pages hold: frames A-D hold "AAAAAAAA".."DDDDDDDD" in every word;
/// each 4 KiB page of region R1/R2 holds "R1"/"R2" and its offset in the region.
func frameTag(_ letter: UInt8) -> UInt64 { UInt64(letter) &* 0x0101_0101_0101_0101 }
func regionTag(_ region: UInt64, _ offset: UInt64) -> UInt64 { ((0x5230 &+ region) << 48) | offset }

func tagName(_ value: UInt64) -> String {
  for letter in UInt8(ascii: "A")...UInt8(ascii: "D") where value == frameTag(letter) {
    return "frame " + String(decoding: [letter], as: UTF8.self)
  }
  let region = value >> 48
  if region == 0x5231 || region == 0x5232, value & 0xFFFF_FFFF_FFFF < megapageSize {
    return "R\(region &- 0x5230)+\(hex(value & 0xFFFF_FFFF_FFFF))"
  }
  return "nothing it holds"
}

/// The work area, from the first 2 MiB boundary after the image: tables and frames in
/// the first 2 MiB, then R1 and R2.
struct PagingLayout {
  let base: UInt64
  var root: UInt64 { base }
  var level1: UInt64 { base &+ 0x1000 }
  var level0: UInt64 { base &+ 0x2000 }
  func frame(_ letter: UInt8) -> UInt64 { base &+ 0x10000 &+ UInt64(letter &- UInt8(ascii: "A")) &* 0x1000 }
  func region(_ n: UInt64) -> UInt64 { base &+ n &* megapageSize }
  var end: UInt64 { base &+ 3 &* megapageSize }
  /// W's leaf PTE and M's (level-1) leaf PTE.
  var windowPTE: UInt64 { level0 &+ vpn(windowPage, level: 0) &* 8 }
  var megapagePTE: UInt64 { level1 &+ vpn(megapageVA, level: 1) &* 8 }
}

let pageFlags = PTE.V | PTE.R | PTE.A

// MARK: Hart 1

/// Hart 1's page faults in the window (an invalid W): counted with scause and stval, and
/// the load (`rt_load_u64`'s `ld`) is skipped with 0 as its value.
func pagingFault(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
  let f = frame.pointee
  guard csr_read_sscratch() == 1, f.scause == 13 || f.scause == 15,
        f.stval >= windowPage, f.stval < megapageVA &+ megapageSize else { return false }
  mail.faults.value &+= 1
  mail.faultCause.value = f.scause
  mail.faultAddress.value = f.stval
  frame.pointee.a0 = 0
  frame.pointee.sepc = f.sepc &+ Trap.instructionLength(at: f.sepc)
  return true
}

/// An IPI: on hart 1, `sfence.vma` of one address inside M in its ASID, then counted.
func pagingIPI() {
  guard csr_read_sscratch() == 1 else { return }
  sfence_vma_address_asid(megapageVA &+ fencedOffset, pagingASID)
  mail.ipis.value &+= 1
}

/// Hart 1: turns Sv39 on with hart 0's satp (its hart_start opaque), then carries out
/// hart 0's requests, reading what it polls in between. Never allocates or prints.
func pagingSecondary(satp: UInt64) {
  sfence_vma_all()
  csr_write_satp(satp)
  sfence_vma_all()
  mail.satp.value = csr_read_satp()
  csr_set_sie(Interrupt.SSIP)
  Trap.enableInterrupts()
  var handled: UInt64 = 0
  var poll: UInt64 = 0
  var ipisSeen: UInt64 = 0
  while true {
    if poll & Ask.pollW != 0 { _ = rt_load_u64(windowPage) }
    if poll & Ask.pollM != 0 {
      for i in 0..<megapageReads { _ = rt_load_u64(megapageVA &+ megapageOffset(i)) }
    }
    let request = mail.request.value
    if request >> 8 == handled { continue }
    handled = request >> 8
    let what = request & 0xFF
    fence_rw_rw()
    if what & Ask.afterIPI != 0 {
      while mail.ipis.value == ipisSeen {}
      ipisSeen = mail.ipis.value
    }
    if what & Ask.readW != 0 { mail.seenW.value = rt_load_u64(windowPage) }
    if what & Ask.readM != 0 {
      for i in 0..<megapageReads { mail.seenM(i).value = rt_load_u64(megapageVA &+ megapageOffset(i)) }
    }
    poll = what & (Ask.pollW | Ask.pollM)
    if what & Ask.stop != 0 {
      Trap.disableInterrupts()
      csr_clear_sie(Interrupt.SSIP)
      csr_write_satp(0)
      sfence_vma_all()
      mail.satp.value = csr_read_satp()
      fence_rw_rw()
      mail.done.value = handled
      _ = SBI.hartStop()
      return
    }
    fence_rw_rw()
    mail.done.value = handled
  }
}

// MARK: Hart 0

var sequence: UInt64 = 0

/// Posts a request to hart 1 (returns its sequence number).
func post(_ what: UInt64) -> UInt64 {
  sequence &+= 1
  fence_rw_rw()
  mail.request.value = (sequence << 8) | what
  return sequence
}

/// Waits until hart 1 carried out request `n` (at most about 2 s).
func waitFor(_ n: UInt64) {
  var waited = 0
  while mail.done.value != n && waited < 2000 {
    pause()
    waited += 1
  }
  guard mail.done.value == n else {
    say("smp: paging: hart 1 did not answer request \(n) within 2000 ms, WRONG")
    SBI.fail()
  }
  fence_rw_rw()
}

func ask(_ what: UInt64) { waitFor(post(what)) }

func check(_ text: String, _ good: Bool, expected: String) {
  say("smp: paging: \(text)\(verdict(good, expected: expected, hart: 0))")
}

func expectRead(_ what: String, _ got: UInt64, _ want: UInt64) {
  check("hart 1 reads \(what): \(hex(got, digits: 16)) (\(tagName(got)))", got == want, expected: tagName(want))
}

func expectWindow(_ letter: UInt8) {
  expectRead("W", mail.seenW.value, frameTag(letter))
}

func expectMegapage(_ region: UInt64) {
  for i in 0..<megapageReads {
    let offset = megapageOffset(i)
    expectRead("M+\(hex(offset))", mail.seenM(i).value, regionTag(region, offset))
  }
}

func expectSuccess(_ what: String, _ r: SBI.Result) {
  check("\(what): \(describe(r.error))", r.error == SBI.success, expected: describe(SBI.success))
}

/// Runs `body` with hart 0's translation off (satp = 0): its stores to the tables go to
/// their physical addresses, as a kernel's through a physical map, and no shadow MMU
/// sees them happen.
func withTranslationOff(_ satp: UInt64, _ body: () -> Void) {
  csr_write_satp(0)
  sfence_vma_all()
  body()
  csr_write_satp(satp)
  sfence_vma_all()
}

/// The paging case on hart 0 (after the banner lines). Ends in a shutdown.
func pagingMain(tree: DeviceTree?, dtb: UInt64) -> Never {
  let memory = BootMemory(tree: tree, dtb: dtb)
  let ramBase = memory.ramBase, ramEnd = memory.ramEnd, dtbEnd = memory.dtbEnd
  let layout = PagingLayout(base: alignUp(image_end_address(), megapageSize))
  let gigapage = alignDown(ramBase, gigapageSize)
  guard layout.end <= ramEnd, dtbEnd <= layout.base || dtb >= layout.end, ramEnd &- 1 < gigapage &+ gigapageSize else {
    say("smp: paging: the work area \(hex(layout.base))-\(hex(layout.end)) does not fit in RAM \(hex(ramBase))-\(hex(ramEnd)) beside the DTB at \(hex(dtb)), in one gigapage")
    SBI.fail()
  }

  // The tables, the frames and the regions with their tags (translation is off).
  UnsafeMutableRawPointer(bitPattern: UInt(layout.base))!.initializeMemory(as: UInt8.self, repeating: 0, count: 0x3000)
  for letter in UInt8(ascii: "A")...UInt8(ascii: "D") {
    pointer(layout.frame(letter)).initialize(repeating: frameTag(letter), count: 512)
  }
  for region: UInt64 in 1...2 {
    var offset: UInt64 = 0
    while offset < megapageSize {
      pointer(layout.region(region) &+ offset).pointee = regionTag(region, offset)
      offset &+= 0x1000
    }
  }
  let kernel = PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D
  pointer(layout.root &+ vpn(gigapage, level: 2) &* 8).pointee = pte(gigapage, kernel)
  pointer(layout.root &+ vpn(windowPage, level: 2) &* 8).pointee = tablePTE(layout.level1)
  pointer(layout.level1 &+ vpn(windowPage, level: 1) &* 8).pointee = tablePTE(layout.level0)
  pointer(layout.windowPTE).pointee = pte(layout.frame(UInt8(ascii: "A")), pageFlags)
  pointer(layout.megapagePTE).pointee = pte(layout.region(1), pageFlags)
  say("smp: paging: tables at \(hex(layout.base)), RAM \(hex(ramBase))-\(hex(ramEnd)) identity-mapped by the gigapage at \(hex(gigapage))")
  say("smp: paging: W \(hex(windowPage)) -> frame A at \(hex(layout.frame(UInt8(ascii: "A")))) (4 KiB page), M \(hex(megapageVA)) -> R1 at \(hex(layout.region(1))) (megapage), R2 at \(hex(layout.region(2)))")

  // Sv39 on, then the ASIDLEN probe: ones written to satp.ASID read back as the ASID bits
  // the hart has (Priv. §12.1.11).
  Trap.exceptionHandler = pagingFault
  Trap.softwareInterruptHandler = pagingIPI
  csr_write_sscratch(0)
  let bare = (SatpMode.sv39 << 60) | (layout.root >> 12)
  sfence_vma_all()
  csr_write_satp(bare)
  sfence_vma_all()
  guard csr_read_satp() == bare else {
    say("smp: paging: satp reads \(hex(csr_read_satp())) after writing \(hex(bare)): no Sv39, WRONG")
    SBI.fail()
  }
  csr_write_satp(bare | (0xFFFF << 44))
  let asidBits = ((csr_read_satp() >> 44) & 0xFFFF).nonzeroBitCount
  pagingASID = asidBits > 0 ? 1 : 0
  let satp = bare | (pagingASID << 44)
  csr_write_satp(satp)
  sfence_vma_all()
  say("smp: paging: asid bits \(asidBits), both harts run with ASID \(pagingASID)")
  check("hart 0 Sv39 on, root \(hex(layout.root))", csr_read_satp() == satp, expected: hex(satp))

  // Hart 1 turns Sv39 on itself (satp in its opaque), reads W and M and polls both.
  mail = PagingMail()
  pagingCase = true
  expectSuccess("hart_start(1) with the same satp",
                SBI.hartStart(hartID: 1, startAddress: rt_secondary_entry_address(), opaque: satp))
  ask(Ask.readW | Ask.readM | Ask.pollW | Ask.pollM)
  check("hart 1 Sv39 on, satp \(mail.satp.value == satp ? "the same" : hex(mail.satp.value))", mail.satp.value == satp, expected: hex(satp))
  expectWindow(UInt8(ascii: "A"))
  expectMegapage(1)

  // W -> B: a store to the PTE, then a remote fence of that page.
  storeWord(layout.windowPTE, pte(layout.frame(UInt8(ascii: "B")), pageFlags))
  expectSuccess("W -> frame B (sd to its PTE); remote_sfence_vma(hart 1, W, 4 KiB)",
                SBI.remoteSfenceVMA(hartMask: 0b10, hartMaskBase: 0, start: windowPage, size: 0x1000))
  ask(Ask.readW | Ask.pollW | Ask.pollM)
  expectWindow(UInt8(ascii: "B"))

  // W -> C: AMOSWAP.D on the PTE, then a remote fence of everything (start 0, size 0).
  let old = amoswap_d(layout.windowPTE, pte(layout.frame(UInt8(ascii: "C")), pageFlags))
  let wanted = pte(layout.frame(UInt8(ascii: "B")), pageFlags)
  check("W -> frame C (amoswap.d on its PTE): old PTE \(hex(old))", old == wanted, expected: hex(wanted))
  expectSuccess("remote_sfence_vma(hart 1, start 0, size 0: all)",
                SBI.remoteSfenceVMA(hartMask: 0b10, hartMaskBase: 0, start: 0, size: 0))
  ask(Ask.readW | Ask.readM | Ask.pollW | Ask.pollM)
  expectWindow(UInt8(ascii: "C"))
  expectMegapage(1)

  // W -> D with hart 0's translation off: a store nothing traps.
  withTranslationOff(satp) { storeWord(layout.windowPTE, pte(layout.frame(UInt8(ascii: "D")), pageFlags)) }
  expectSuccess("W -> frame D (sd, hart 0's translation off); remote_sfence_vma_asid(hart 1, W, 4 KiB, ASID \(pagingASID))",
                SBI.remoteSfenceVMAASID(hartMask: 0b10, hartMaskBase: 0, start: windowPage, size: 0x1000, asid: pagingASID))
  ask(Ask.readW | Ask.pollW | Ask.pollM)
  expectWindow(UInt8(ascii: "D"))

  // M -> R2: one store to the level-1 PTE; hart 1's IPI handler fences M + 0x1000 alone.
  csr_set_sie(Interrupt.SSIP)
  var n = post(Ask.afterIPI | Ask.readM | Ask.pollW | Ask.pollM)
  storeWord(layout.megapagePTE, pte(layout.region(2), pageFlags))
  expectSuccess("M -> R2 (sd to its level-1 PTE); send_ipi(hart 1), which fences M+\(hex(fencedOffset)) alone",
                SBI.sendIPI(hartMask: 0b10, hartMaskBase: 0))
  waitFor(n)
  expectMegapage(2)

  // M -> R1 with hart 0's translation off, the same IPI.
  n = post(Ask.afterIPI | Ask.readM | Ask.pollW | Ask.pollM)
  withTranslationOff(satp) { storeWord(layout.megapagePTE, pte(layout.region(1), pageFlags)) }
  expectSuccess("M -> R1 (sd, hart 0's translation off); send_ipi(hart 1), which fences M+\(hex(fencedOffset)) alone",
                SBI.sendIPI(hartMask: 0b10, hartMaskBase: 0))
  waitFor(n)
  expectMegapage(1)

  // W invalid: hart 1 stops polling it, the PTE is cleared and fenced; its read faults.
  ask(Ask.pollM)
  let faultsBefore = mail.faults.value
  storeWord(layout.windowPTE, 0)
  expectSuccess("W invalid (PTE cleared); remote_sfence_vma(hart 1, W, 4 KiB)",
                SBI.remoteSfenceVMA(hartMask: 0b10, hartMaskBase: 0, start: windowPage, size: 0x1000))
  ask(Ask.readW | Ask.pollM)
  let faulted = mail.faults.value &- faultsBefore
  let cause = mail.faultCause.value, address = mail.faultAddress.value
  check("hart 1 reads W: \(faulted == 0 ? "\(hex(mail.seenW.value, digits: 16)) (\(tagName(mail.seenW.value)))" : "\(Trap.causeName(cause)) (scause \(cause), stval \(hex(address)))")",
        faulted == 1 && cause == 13 && address == windowPage, expected: "load page fault (scause 13, stval \(hex(windowPage)))")
  check("hart 1 took \(mail.faults.value) page fault\(mail.faults.value == 1 ? "" : "s") in all", mail.faults.value == 1, expected: "1")

  // Both harts turn Sv39 off; hart 1 stops.
  ask(Ask.stop)
  check("hart 1 Sv39 off, satp \(hex(mail.satp.value))", mail.satp.value == 0, expected: "0x0")
  var waited = 0
  while SBI.hartGetStatus(hartID: 1).value != SBI.HSM.stopped && waited < 1000 {
    pause()
    waited += 1
  }
  check("hart 1 stopped", SBI.hartGetStatus(hartID: 1).value == SBI.HSM.stopped, expected: "STOPPED")
  csr_write_satp(0)
  sfence_vma_all()
  check("hart 0 Sv39 off, satp \(hex(csr_read_satp()))", csr_read_satp() == 0, expected: "0x0")
  Trap.exceptionHandler = nil

  if wrong == 0 {
    say("smp: paging: all \(checks) checks ok, shutting down")
    SBI.shutdown()
  }
  say("smp: paging: \(wrong) of \(checks) checks WRONG, shutting down")
  SBI.fail()
}
