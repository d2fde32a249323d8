import GuestShim
import _Volatile

/// The mmubench guest (issue 17 item 4): three memory-management workloads of an S-mode
/// kernel with Sv39 on, each measured in modeled cycles (the `cycle` CSR, as guests/bench
/// does), so that `vireo bench --hypervisor --mmu shadow` can set native (S-mode under
/// OpenSBI), two-stage (VS-mode under the firmware) and shadow (U-mode under the
/// firmware, `vireo.mmu=shadow`) side by side.
///
/// 1. **pagefault**: demand paging. `faultPages` pages of a region whose PTEs are invalid
///    are touched in order; each touch is a load page fault (scause 13, Priv. §12.1.8),
///    and the handler stores one leaf PTE (a frame of a pre-tagged pool, RW, A and D
///    preset), fences that address and returns. `faultRounds` rounds, with the region
///    unmapped again between them (not timed). Figure: cycles per fault, touch included.
/// 2. **switch**: `processes` U-mode processes, each on its own Sv39 root (own satp; the
///    kernel's half, the identity map of RAM, shared through one level-1 table). Each runs
///    process.S's loop: check and count its `processPages` pages (the same user addresses
///    in every process, different frames), then yield with an ecall. The kernel saves its
///    registers, writes the next process's satp and returns with sret, round robin.
///    Like Linux (arch/riscv/mm/context.c) the kernel probes ASIDLEN at boot by writing
///    all-ones to satp.ASID with its own root and reading back (Priv. §12.1.11 "satp").
///    With enough ASIDs each process keeps its own and a switch does not fence (each ASID
///    is fenced once, when it is first given out); without, every satp write is followed
///    by `sfence.vma x0, x0`. Figure: cycles per yield (one round of a process's loop,
///    the trap, the switch and the sret).
/// 3. **ptstorm**: a page-table update storm in the kernel's own address space. Update i
///    changes the leaf PTE of page i mod `stormPages` to another of `stormFrames` frames,
///    alternately read-only and read-write, fences that address (`sfence.vma va, x0`,
///    §12.2.1) and touches the page: it must read the new frame's tag (a stale
///    translation reads the old one), and a writable mapping also counts a store in the
///    frame. Figure: cycles per update + fence + touch.
///
/// Bootargs words `pagefault`, `switch` and `ptstorm` run only the workloads named (to
/// count one workload's exits with `vireo.stats`); without any, all three run.
///
/// Output: "bench: NAME VALUE" (parsed by the host's HypervisorBench; keep the format),
/// then "bench: done". Every workload also prints an "mmubench: ..." verification line,
/// with no figure in it: the same in every mode. A check that fails prints what it saw,
/// "mmubench: FAILED" and ends with SRST "system failure" instead of "bench: done".
///
/// Layout: as guests/pager, a work area from the first 2 MiB boundary after the image,
/// identity-mapped with 2 MiB megapages (RWX, A and D preset) together with the image, so
/// the kernel keeps its addresses once Sv39 is on. Page tables have pages of their own:
/// under shadow paging a page that holds a table is write-protected.

// MARK: Parameters

/// The demand-paged region (root index 64, far from RAM's identity map) and, one level-0
/// table further, the storm's pages.
let regionBase: UInt64 = 0x10_0000_0000
let faultPages: UInt64 = 512           // one level-0 table; a power of 2 (the frame permutation)
let faultRounds: UInt64 = 2
let stormBase: UInt64 = regionBase &+ megapage
let stormPages: UInt64 = 8
let stormFrames: UInt64 = 16           // a power of 2; update i's frame differs from update i − 8's
let stormUpdates: UInt64 = 2048
let processes: UInt64 = 3              // the layout has room for 3
let processPages: UInt64 = 4
let yields: UInt64 = 1500              // rounds of the processes' loops, in all
/// The processes' user addresses: the program's page, then their data pages.
let userCode: UInt64 = 0x1000_0000
let userData: UInt64 = userCode &+ pageSize

/// The work area (each table in a page of its own).
struct Layout {
  let base: UInt64
  var root: UInt64 { base }                              // the kernel's level-2 table
  var identityTable: UInt64 { base &+ 0x1000 }           // level 1: RAM's megapages (shared)
  var regionTable: UInt64 { base &+ 0x2000 }             // level 1: the fault and storm tables
  var faultTable: UInt64 { base &+ 0x3000 }              // level 0: the demand-paged region
  var stormTable: UInt64 { base &+ 0x4000 }              // level 0: the storm's pages
  func processRoot(_ p: UInt64) -> UInt64 { base &+ 0x5000 &+ p &* 0x3000 }
  func processLevel1(_ p: UInt64) -> UInt64 { processRoot(p) &+ 0x1000 }
  func processLevel0(_ p: UInt64) -> UInt64 { processRoot(p) &+ 0x2000 }
  /// Per process: x0–x31, sepc, its rounds (`contextWords` words).
  func context(_ p: UInt64) -> UInt64 { base &+ 0xE000 &+ p &* contextWords &* 8 }
  func processFrame(_ p: UInt64, _ j: UInt64) -> UInt64 { base &+ 0x10000 &+ (p &* processPages &+ j) &* pageSize }
  func stormFrame(_ f: UInt64) -> UInt64 { base &+ 0x20000 &+ f &* pageSize }
  func faultFrame(_ f: UInt64) -> UInt64 { base &+ 0x40000 &+ f &* pageSize }
  var end: UInt64 { faultFrame(faultPages) }
}

let contextWords: UInt64 = 34
let contextSEPC = 32
let contextRounds = 33

let layout = Layout(base: alignUp(image_end_address(), megapage))

// MARK: Sv39 tables (guests/rt/Sv39.swift has pte, tablePTE, vpn and word)

func entry(_ table: UInt64, _ va: UInt64, level: UInt64) -> UnsafeMutablePointer<UInt64> {
  word(table &+ vpn(va, level: level) &* 8)
}

func satp(root: UInt64, asid: UInt64) -> UInt64 { (SatpMode.sv39 << 60) | (asid << 44) | (root >> 12) }

/// A load and a store that the compiler keeps exactly where they are (they may fault).
func load(_ va: UInt64) -> UInt64 { VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(va)).load() }
func store(_ va: UInt64, _ v: UInt64) { VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(va)).store(v) }

/// The tags in word 0 of every frame: distinct across the three workloads' frames.
func faultTag(_ f: UInt64) -> UInt64 { 0xFA17_0000_0000_0000 | (f << 12) | 0x5A5 }
func stormTag(_ f: UInt64) -> UInt64 { 0x5707_0000_0000_0000 | (f << 20) | 0xC3 }
/// A process's tag prefix (process.S compares word 0 >> 16 with it) and its page tags.
func processPrefix(_ p: UInt64) -> UInt64 { 0x5EED_0000 | p }
func processTag(_ p: UInt64, _ j: UInt64) -> UInt64 { (processPrefix(p) << 16) | j }

/// Builds the kernel's tables: the identity megapages over [from, to), the empty fault
/// region and the empty storm pages.
func buildKernelTables(from: UInt64, to: UInt64) {
  UnsafeMutableRawPointer(bitPattern: UInt(layout.base))!.initializeMemory(as: UInt8.self, repeating: 0, count: 0x10000)
  let kernel = PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D
  var va = from
  while va < to {
    entry(layout.root, va, level: 2).pointee = tablePTE(layout.identityTable)
    entry(layout.identityTable, va, level: 1).pointee = pte(va, kernel)
    va &+= megapage
  }
  entry(layout.root, regionBase, level: 2).pointee = tablePTE(layout.regionTable)
  entry(layout.regionTable, regionBase, level: 1).pointee = tablePTE(layout.faultTable)
  entry(layout.regionTable, stormBase, level: 1).pointee = tablePTE(layout.stormTable)
}

// MARK: Failures

var failures: UInt64 = 0

func fail(_ line: String) {
  failures &+= 1
  print("mmubench: " + line + " WRONG")
}

// MARK: 1. pagefault

/// Faults taken (the trap handler counts them; read after a compiler barrier).
var faults: UInt64 = 0

/// The pool frame region page `page` gets: a permutation (37 is odd, `faultPages` a power of 2).
func faultFrameIndex(_ page: UInt64) -> UInt64 { (page &* 37 &+ 11) & (faultPages &- 1) }

/// `Trap.exceptionHandler`: a load or store page fault in the region maps the page's frame
/// (read-write, A and D preset) and fences its address, as Linux's fault path ends with
/// update_mmu_cache's local flush. The instruction runs again after the return.
func pageFaultHandler(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
  let cause = frame.pointee.scause
  let va = frame.pointee.stval
  guard cause == 13 || cause == 15, va >= regionBase, va &- regionBase < faultPages &* pageSize else { return false }
  let page = (va &- regionBase) / pageSize
  word(layout.faultTable &+ page &* 8).pointee =
    pte(layout.faultFrame(faultFrameIndex(page)), PTE.V | PTE.R | PTE.W | PTE.A | PTE.D)
  sfence_vma_address(va & ~(pageSize &- 1))
  faults &+= 1
  return true
}

func pagefaultWorkload() {
  for f in 0..<faultPages {
    word(layout.faultFrame(f)).pointee = faultTag(f)
    word(layout.faultFrame(f) &+ 8).pointee = 0
  }
  Trap.exceptionHandler = pageFaultHandler
  var cycles: UInt64 = 0
  var wrong: UInt64 = 0
  for round in 0..<faultRounds {
    let start = csr_read_cycle()
    for page in 0..<faultPages {
      let va = regionBase &+ page &* pageSize
      let v = load(va)                    // the fault, then the frame's tag
      if v != faultTag(faultFrameIndex(page)) { wrong &+= 1 }
      store(va &+ 8, load(va &+ 8) &+ 1)  // and a store through the new mapping
    }
    cycles &+= csr_read_cycle() &- start
    if wrong != 0 { fail("pagefault: round \(round): \(wrong) pages did not read their frame's tag,"); return }
    // Unmapped again for the next round (not timed).
    for page in 0..<faultPages { word(layout.faultTable &+ page &* 8).pointee = 0 }
    sfence_vma_all()
  }
  Trap.exceptionHandler = nil
  compiler_barrier()
  let taken = faults
  print("bench: pagefaults \(taken)")
  print("bench: pagefault-cycles \(taken == 0 ? 0 : cycles / taken)")
  var counted = true
  for f in 0..<faultPages where word(layout.faultFrame(f) &+ 8).pointee != faultRounds { counted = false }
  if taken != faultRounds &* faultPages {
    fail("pagefault: \(taken) faults, expected \(faultRounds &* faultPages),")
  } else if !counted {
    fail("pagefault: a frame's store count is not \(faultRounds),")
  } else {
    print("mmubench: pagefault: \(faultRounds) rounds over \(faultPages) pages, \(taken) faults, every page read its frame's tag, store counts ok")
  }
}

// MARK: 2. switch

/// ASIDLEN as probed (Priv. §12.1.11: the ASID field is WARL; all-ones reads back as the
/// implemented bits), and whether every process gets an ASID of its own.
var asidBits: UInt64 = 0
var useASIDs = false
var running: UInt64 = 0
var rounds: UInt64 = 0
/// What ended the run early: scause of an unexpected trap, or a process's wrong tag.
var unexpectedCause: UInt64 = 0
var unexpectedPC: UInt64 = 0
var unexpectedValue: UInt64 = 0
var badProcess: UInt64 = UInt64.max

@_extern(c, "mmu_run") func mmuRun(_ context: UInt64)
@_extern(c, "mmu_user_code_address") func mmuUserCodeAddress() -> UInt64
@_extern(c, "mmu_user_trap_address") func mmuUserTrapAddress() -> UInt64
@_extern(c, "mmu_sfence_asid") func mmuSfenceASID(_ asid: UInt64)

func processSATP(_ p: UInt64) -> UInt64 { satp(root: layout.processRoot(p), asid: useASIDs ? p &+ 1 : 0) }

/// Linux's probe (arch/riscv/mm/context.c, asids_init): all-ones into satp.ASID with the
/// kernel's own root, the bits that stick, satp restored.
func probeASIDBits(kernel: UInt64) -> UInt64 {
  csr_write_satp(kernel | (0xFFFF << 44))
  let mask = (csr_read_satp() >> 44) & 0xFFFF
  csr_write_satp(kernel)
  sfence_vma_all()
  var bits: UInt64 = 0
  while bits < 16 && mask >> bits != 0 { bits &+= 1 }
  return bits
}

/// process.S's mmu_user_trap, for every trap from a process (sscratch held its context).
@_cdecl("mmubench_user_trap")
func userTrap(_ context: UInt64) -> UInt64 {
  let regs = word(context)
  let cause = csr_read_scause()
  guard cause == 8 else {                                   // not an ecall from U
    unexpectedCause = cause
    unexpectedPC = regs[contextSEPC]
    unexpectedValue = csr_read_stval()
    badProcess = running
    return 0
  }
  regs[contextSEPC] &+= 4
  guard regs[17] == 0 else {                                // a7 = 1: a wrong tag
    unexpectedValue = regs[13]
    unexpectedPC = regs[14]
    badProcess = running
    return 0
  }
  regs[contextRounds] &+= 1
  rounds &+= 1
  if rounds == yields { return 0 }
  let next = running &+ 1 == processes ? 0 : running &+ 1
  csr_write_satp(processSATP(next))
  if !useASIDs { sfence_vma_all() }
  running = next
  return layout.context(next)
}

func switchWorkload(kernelSATP: UInt64) {
  let code = mmuUserCodeAddress()
  let user = PTE.V | PTE.U | PTE.A
  for p in 0..<processes {
    let root = layout.processRoot(p)
    // The kernel's half: every entry of its root (RAM's identity map, the region).
    for i in 0..<UInt64(512) { word(root &+ i &* 8).pointee = word(layout.root &+ i &* 8).pointee }
    entry(root, userCode, level: 2).pointee = tablePTE(layout.processLevel1(p))
    entry(layout.processLevel1(p), userCode, level: 1).pointee = tablePTE(layout.processLevel0(p))
    entry(layout.processLevel0(p), userCode, level: 0).pointee = pte(code, user | PTE.R | PTE.X)
    for j in 0..<processPages {
      let frame = layout.processFrame(p, j)
      word(frame).pointee = processTag(p, j)
      word(frame &+ 8).pointee = 0
      entry(layout.processLevel0(p), userData &+ j &* pageSize, level: 0).pointee = pte(frame, user | PTE.R | PTE.W | PTE.D)
    }
    let regs = word(layout.context(p))
    for i in 0..<Int(contextWords) { regs[i] = 0 }
    regs[10] = userData                                     // a0, a1, a2: process.S's arguments
    regs[11] = processPages
    regs[12] = processPrefix(p)
    regs[contextSEPC] = userCode
  }
  asidBits = probeASIDBits(kernel: kernelSATP)
  useASIDs = asidBits < 16 ? (UInt64(1) << asidBits) > processes : true
  print("bench: asid-bits \(asidBits)")
  sfence_vma_all()
  if useASIDs {
    // Each ASID is fenced once, when it is given out (here); switches then keep the TLB.
    for p in 0..<processes { mmuSfenceASID(p &+ 1) }
  }

  running = 0
  rounds = 0
  csr_clear_sstatus(Mstatus.SPP | Mstatus.SPIE)           // sret goes to U, interrupts stay off
  csr_write_stvec(mmuUserTrapAddress())
  let start = csr_read_cycle()
  csr_write_satp(processSATP(0))
  if !useASIDs { sfence_vma_all() }
  mmuRun(layout.context(0))
  csr_write_satp(kernelSATP)
  if !useASIDs { sfence_vma_all() }
  let cycles = csr_read_cycle() &- start
  csr_write_stvec(rt_trap_entry_address())
  compiler_barrier()

  print("bench: switches \(rounds)")
  print("bench: switch-cycles \(rounds == 0 ? 0 : cycles / rounds)")
  if badProcess != UInt64.max {
    if unexpectedCause != 0 {
      fail("switch: process \(badProcess): unexpected trap scause \(hex(unexpectedCause)) at \(hex(unexpectedPC)), stval \(hex(unexpectedValue)),")
    } else {
      fail("switch: process \(badProcess) read \(hex(unexpectedValue)) at \(hex(unexpectedPC)): another process's page,")
    }
    return
  }
  var each = ""
  var good = rounds == yields
  for p in 0..<processes {
    let regs = word(layout.context(p))
    let n = regs[contextRounds]
    each += (p == 0 ? "" : " ") + String(n)
    var tags: UInt64 = 0
    for j in 0..<processPages {
      let frame = layout.processFrame(p, j)
      tags &+= processTag(p, j)
      if word(frame).pointee != processTag(p, j) || word(frame &+ 8).pointee != n { good = false }
    }
    if regs[8] != n &* tags { good = false }              // s0: the sum of the tags it read
  }
  if good {
    print("mmubench: switch: \(processes) processes, \(rounds) rounds (\(each)), page counters and tag sums ok")
  } else {
    fail("switch: \(rounds) rounds (\(each)): a page counter or tag sum does not match,")
  }
}

// MARK: 3. ptstorm

func stormFrameIndex(_ i: UInt64) -> UInt64 { (i &* 7 &+ 3) & (stormFrames &- 1) }
func stormWritable(_ i: UInt64) -> Bool { (i / stormPages) & 1 == 1 }

func ptstormWorkload() {
  for f in 0..<stormFrames {
    word(layout.stormFrame(f)).pointee = stormTag(f)
    word(layout.stormFrame(f) &+ 8).pointee = 0
  }
  var wrong: UInt64 = 0
  var firstWrong = ""
  let start = csr_read_cycle()
  for i in 0..<stormUpdates {
    let page = i & (stormPages &- 1)
    let va = stormBase &+ page &* pageSize
    let f = stormFrameIndex(i)
    let writable = stormWritable(i)
    word(layout.stormTable &+ page &* 8).pointee =
      pte(layout.stormFrame(f), PTE.V | PTE.R | PTE.A | (writable ? PTE.W | PTE.D : 0))
    sfence_vma_address(va)
    let v = load(va)
    if v != stormTag(f) {
      if wrong == 0 { firstWrong = "update \(i): page \(page) reads \(hex(v)), expected frame \(f)'s tag \(hex(stormTag(f)))" }
      wrong &+= 1
    }
    if writable { store(va &+ 8, load(va &+ 8) &+ 1) }
  }
  let cycles = csr_read_cycle() &- start
  print("bench: ptstorm-updates \(stormUpdates)")
  print("bench: ptstorm-cycles \(cycles / stormUpdates)")
  // The store counts, from the same formula without memory.
  var counted = true
  for f in 0..<stormFrames {
    var expected: UInt64 = 0
    for i in 0..<stormUpdates where stormWritable(i) && stormFrameIndex(i) == f { expected &+= 1 }
    if word(layout.stormFrame(f) &+ 8).pointee != expected { counted = false }
  }
  if wrong != 0 {
    fail("ptstorm: \(wrong) touches saw a stale frame; first: \(firstWrong),")
  } else if !counted {
    fail("ptstorm: a frame's store count does not match,")
  } else {
    print("mmubench: ptstorm: \(stormUpdates) updates of \(stormPages) pages over \(stormFrames) frames, every touch saw its new frame, store counts ok")
  }
}

// MARK: Entry

@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  print("bench: start")
  // The DTB is read now: it is not mapped once paging is on.
  let tree = DeviceTree(address: dtb)
  let bootargs = tree?.bootargs ?? ""
  let mapStart = alignDown(image_start_address(), megapage)
  let mapEnd = alignUp(layout.end, megapage)
  BootMemory(tree: tree, dtb: dtb).requireWorkArea(layout.base, layout.end, "mmubench")
  buildKernelTables(from: mapStart, to: mapEnd)
  let kernelSATP = satp(root: layout.root, asid: 0)
  sfence_vma_all()
  csr_write_satp(kernelSATP)
  sfence_vma_all()
  guard csr_read_satp() == kernelSATP else {
    print("mmubench: satp reads \(hex(csr_read_satp())) after writing \(hex(kernelSATP)): no Sv39")
    SBI.fail()
  }
  print("mmubench: Sv39 on, identity map \(hex(mapStart))-\(hex(mapEnd)), work area at \(hex(layout.base))")

  // Bootargs words may pick workloads (e.g. `switch`, to count one's exits); none: all.
  let names = ["pagefault", "switch", "ptstorm"]
  let all = !names.contains { hasWord(bootargs, $0) }
  if all || hasWord(bootargs, "pagefault") { pagefaultWorkload() }
  if all || hasWord(bootargs, "switch") { switchWorkload(kernelSATP: kernelSATP) }
  if all || hasWord(bootargs, "ptstorm") { ptstormWorkload() }

  csr_write_satp(0)
  sfence_vma_all()
  if failures != 0 {
    print("mmubench: FAILED")
    SBI.fail()
  }
  print("bench: done")
  SBI.shutdown()
}
