import GuestShim
import _Volatile

/// The pager guest: Sv39 paging in its own S-mode (VS-mode, VS-stage translation, under
/// the Vireo hypervisor) and demand paging by its own page-fault handler.
///
/// - Memory (Priv. §12.4 "Sv39"): the guest identity-maps [the 2 MiB boundary at or below
///   its image, the end of its work area) with 2 MiB megapages (level-1 leaves, RWX, A and
///   D preset), so the image, heap, stack, page tables, frame pool and swap keep their
///   addresses after `csrw satp` + `sfence.vma` (§12.1.11 "satp", §12.2.1 "SFENCE.VMA").
///   The DTB is read before paging starts and not touched afterwards.
/// - The region: `regionPages` 4 KiB pages at `regionBase`, a virtual range nothing maps
///   at first (two level-0 tables of invalid PTEs). Physical memory for it is a pool of
///   `poolFrames` frames; the guest's "disk" is a swap area in RAM with one slot per page.
/// - The page-fault handler (scause 13 load / 15 store page fault, §12.1.8; stval is the
///   virtual address, §12.1.9): a page that is not present gets a frame (a free one, else
///   the oldest resident page's, FIFO), filled from its swap slot or with zeros. A load
///   maps it read-only (clean), a store read-write (an invalid PTE faults at §12.3.2
///   "Virtual Address Translation Process" step 3). A store to a read-only page is a store
///   page fault too (step 8): the handler upgrades the PTE to writable (the page is
///   now dirty). An evicted dirty page is copied to its swap slot; a clean one is dropped.
///   Each PTE change is followed by `sfence.vma` of that address.
/// - A and D: every leaf is created with A = 1, and with D = 1 exactly when it is writable,
///   so the hart never needs to update them (§12.3.1: Svade faults on A = 0 or a store with
///   D = 0, other harts update the bits themselves, §12.3.2 step 9; either works) and the
///   fault counts do not depend on which the hart does.
///
/// Under the Vireo hypervisor the same code runs in VS-mode: satp is vsatp (Priv. §18.2.18),
/// the tables translate guest-virtual to guest-physical addresses (VS-stage), and the
/// firmware's G-stage maps those to the host (§18.5 "Two-Stage Address Translation"). The
/// page faults are delegated to the guest (hedeleg, §18.2.2), so the firmware sees none.
///
/// The workload is three passes over the region, each visiting every page once in an
/// order given by a full-period LCG modulo 1024 (Hull–Dobell: multiplier ≡ 1 mod 4, odd
/// increment): pass 1 writes 4 words per page, pass 2 reads them and rewrites about
/// half the pages, pass 3 reads everything. A running FNV-1a style hash of every word read
/// is compared with one computed arithmetically from the same orders and value formula
/// without touching the region. Nothing depends on timing: the transcript is the same
/// natively under OpenSBI (board, QEMU) and under the hypervisor.

// MARK: Layout

/// The demand-paged region: 4 MiB at 64 GiB (root index 64, far from RAM's identity map).
let regionBase: UInt64 = 0x10_0000_0000
let regionPages: UInt64 = 1024
let poolFrames: UInt64 = 64
/// Words written and read per page visit.
let wordsPerTouch: UInt64 = 4

/// The work area, from the first 2 MiB boundary after the image (`_end`): page tables,
/// bookkeeping, frame pool, swap. Same addresses on every platform, since the image is.
struct Layout {
  let base: UInt64
  var root: UInt64 { base }                          // level-2 table
  var identityTable: UInt64 { base &+ 0x1000 }       // level-1 table for the identity map
  var regionTable: UInt64 { base &+ 0x2000 }         // level-1 table for the region
  var leafTables: UInt64 { base &+ 0x3000 }          // level-0 tables, 512 PTEs each
  var frameOwners: UInt64 { base &+ 0x8000 }         // UInt64 per frame: page index + 1, 0 free
  var inSwap: UInt64 { base &+ 0xA000 }              // UInt8 per page: its swap slot is valid
  var pool: UInt64 { base &+ 0x10000 }
  var swap: UInt64 { pool &+ poolFrames &* pageSize }
  var end: UInt64 { swap &+ regionPages &* pageSize }
  var leafTableCount: UInt64 { (regionPages &+ 511) / 512 }
}

let layout = Layout(base: alignUp(image_end_address(), megapage))

// MARK: Page tables (guests/rt/Sv39.swift has pte, tablePTE, vpn and word)

func byte(_ address: UInt64) -> UnsafeMutablePointer<UInt8> {
  UnsafeMutablePointer<UInt8>(bitPattern: UInt(address))!
}

/// The level-0 PTE of region page `page`.
func leaf(_ page: UInt64) -> UnsafeMutablePointer<UInt64> {
  word(layout.leafTables &+ (page / 512) &* pageSize &+ (page % 512) &* 8)
}

func pageAddress(_ page: UInt64) -> UInt64 { regionBase &+ page &* pageSize }

/// Builds the tables: the identity megapages over [`from`, `to`) and the empty region.
func buildTables(from: UInt64, to: UInt64) {
  byte(layout.base).initialize(repeating: 0, count: Int(layout.pool &- layout.base))
  let kernel = PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D
  var va = from
  while va < to {
    word(layout.root &+ vpn(va, level: 2) &* 8).pointee = tablePTE(layout.identityTable)
    word(layout.identityTable &+ vpn(va, level: 1) &* 8).pointee = pte(va, kernel)
    va &+= megapage
  }
  word(layout.root &+ vpn(regionBase, level: 2) &* 8).pointee = tablePTE(layout.regionTable)
  for t in 0..<layout.leafTableCount {
    let table = layout.leafTables &+ t &* pageSize
    word(layout.regionTable &+ vpn(regionBase &+ t &* 512 &* pageSize, level: 1) &* 8).pointee = tablePTE(table)
  }
}

// MARK: The pager (runs in the trap handler: no allocation, no printing)

struct Stats {
  var loadFaults: UInt64 = 0
  var storeFaultsAbsent: UInt64 = 0
  var storeFaultsReadOnly: UInt64 = 0
  var spurious: UInt64 = 0
  var swapOuts: UInt64 = 0
  var cleanDrops: UInt64 = 0
  var swapIns: UInt64 = 0
  var zeroFills: UInt64 = 0

  var faults: UInt64 { loadFaults &+ storeFaultsAbsent &+ storeFaultsReadOnly &+ spurious }
  var evictions: UInt64 { swapOuts &+ cleanDrops }
}

var stats = Stats()
/// Frames handed out so far (the pool fills before anything is evicted).
var framesUsed: UInt64 = 0
/// FIFO hand: the frame whose page is evicted next once the pool is full.
var hand: UInt64 = 0

func frameAddress(_ frame: UInt64) -> UInt64 { layout.pool &+ frame &* pageSize }
func swapAddress(_ page: UInt64) -> UInt64 { layout.swap &+ page &* pageSize }

/// A frame for a page: a free one, or the FIFO victim's after evicting it.
func takeFrame() -> UInt64 {
  if framesUsed < poolFrames {
    framesUsed &+= 1
    return framesUsed &- 1
  }
  let frame = hand
  hand = (hand &+ 1) % poolFrames
  let owner = word(layout.frameOwners &+ frame &* 8)
  let victim = owner.pointee &- 1
  let entry = leaf(victim)
  if entry.pointee & PTE.W != 0 {
    UnsafeMutableRawPointer(bitPattern: UInt(swapAddress(victim)))!
      .copyMemory(from: UnsafeRawPointer(bitPattern: UInt(frameAddress(frame)))!, byteCount: Int(pageSize))
    byte(layout.inSwap &+ victim).pointee = 1
    stats.swapOuts &+= 1
  } else {
    stats.cleanDrops &+= 1
  }
  entry.pointee = 0
  sfence_vma_address(pageAddress(victim))
  owner.pointee = 0
  return frame
}

/// Makes region page `page` present: read-only for a load, read-write for a store.
func pageIn(_ page: UInt64, store: Bool) {
  let frame = takeFrame()
  let destination = UnsafeMutableRawPointer(bitPattern: UInt(frameAddress(frame)))!
  if byte(layout.inSwap &+ page).pointee != 0 {
    destination.copyMemory(from: UnsafeRawPointer(bitPattern: UInt(swapAddress(page)))!, byteCount: Int(pageSize))
    stats.swapIns &+= 1
  } else {
    destination.initializeMemory(as: UInt8.self, repeating: 0, count: Int(pageSize))
    stats.zeroFills &+= 1
  }
  word(layout.frameOwners &+ frame &* 8).pointee = page &+ 1
  let writable = store ? PTE.W | PTE.D : 0
  leaf(page).pointee = pte(frameAddress(frame), PTE.V | PTE.R | PTE.A | writable)
  sfence_vma_address(pageAddress(page))
}

/// `Trap.exceptionHandler`: load and store page faults inside the region. The faulting
/// instruction runs again after the return (sepc unchanged).
func pageFaultHandler(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
  let cause = frame.pointee.scause
  let va = frame.pointee.stval
  guard cause == 13 || cause == 15, va >= regionBase, va &- regionBase < regionPages &* pageSize else { return false }
  let page = (va &- regionBase) / pageSize
  let entry = leaf(page)
  let store = cause == 15
  if entry.pointee & PTE.V == 0 {
    if store { stats.storeFaultsAbsent &+= 1 } else { stats.loadFaults &+= 1 }
    pageIn(page, store: store)
  } else if store && entry.pointee & PTE.W == 0 {
    entry.pointee |= PTE.W | PTE.D
    sfence_vma_address(pageAddress(page))
    stats.storeFaultsReadOnly &+= 1
  } else {
    // Present with the needed permission: a stale translation; flush it and retry.
    sfence_vma_address(pageAddress(page))
    stats.spurious &+= 1
  }
  return true
}

// MARK: The workload

/// SplitMix64's finalizer: the value formula, and the choice of pages pass 2 rewrites.
func mix(_ x: UInt64) -> UInt64 {
  var z = x &+ 0x9E37_79B9_7F4A_7C15
  z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
  z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
  return z ^ (z >> 31)
}

/// Word `k` of page `page` as written by pass `generation`.
func value(_ page: UInt64, _ k: UInt64, _ generation: UInt64) -> UInt64 {
  mix((page << 8) | (k << 4) | generation)
}

/// Pass 2 rewrites the pages for which this is true (about half).
func rewritten(_ page: UInt64) -> Bool { mix(page | 0xABC_0000) & 1 == 1 }

/// Byte offset of word `k` in page `page`: spread over the page, different per page.
func offset(_ page: UInt64, _ k: UInt64) -> UInt64 { k &* 1024 &+ (page & 127) &* 8 }

/// A visiting order: x → (a·x + c) mod 1024 from x0 (full period: a ≡ 1 mod 4, c odd).
struct Order {
  let a: UInt64
  let c: UInt64
  let start: UInt64

  func forEach(_ body: (UInt64) -> Void) {
    var x = start
    for _ in 0..<regionPages {
      body(x)
      x = (a &* x &+ c) & (regionPages &- 1)
    }
  }
}

let orders = [
  Order(a: 0x19D, c: 0x2B7, start: 0x155),
  Order(a: 0x3A5, c: 0x0F3, start: 0x02A),
  Order(a: 0x1E1, c: 0x16F, start: 0x3FF),
]

/// FNV-1a over 64-bit words.
struct Checksum {
  var hash: UInt64 = 0xCBF2_9CE4_8422_2325
  mutating func add(_ v: UInt64) { hash = (hash ^ v) &* 0x100_0000_01B3 }
}

func load(_ page: UInt64, _ k: UInt64) -> UInt64 {
  VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(pageAddress(page) &+ offset(page, k))).load()
}

func store(_ page: UInt64, _ k: UInt64, _ v: UInt64) {
  VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(pageAddress(page) &+ offset(page, k))).store(v)
}

/// The three passes through the paged region. Returns the checksum and the touches.
func runWorkload() -> (checksum: UInt64, touches: UInt64) {
  var sum = Checksum()
  var touches: UInt64 = 0
  var before = snapshot()
  var rewrites: UInt64 = 0
  orders[0].forEach { page in
    for k in 0..<wordsPerTouch { store(page, k, value(page, k, 1)) }
    touches &+= 1
  }
  report(pass: 1, "write \(regionPages) pages", since: before)
  before = snapshot()
  orders[1].forEach { page in
    for k in 0..<wordsPerTouch { sum.add(load(page, k)) }
    if rewritten(page) {
      for k in 0..<wordsPerTouch { store(page, k, value(page, k, 2)) }
      rewrites &+= 1
    }
    touches &+= 1
  }
  report(pass: 2, "read \(regionPages) pages, rewrite \(rewrites)", since: before)
  before = snapshot()
  orders[2].forEach { page in
    for k in 0..<wordsPerTouch { sum.add(load(page, k)) }
    touches &+= 1
  }
  report(pass: 3, "read \(regionPages) pages", since: before)
  return (sum.hash, touches)
}

/// The same reads, computed from the formula alone (no paging, no memory).
func expectedChecksum() -> UInt64 {
  var sum = Checksum()
  orders[1].forEach { page in
    for k in 0..<wordsPerTouch { sum.add(value(page, k, 1)) }
  }
  orders[2].forEach { page in
    for k in 0..<wordsPerTouch { sum.add(value(page, k, rewritten(page) ? 2 : 1)) }
  }
  return sum.hash
}

/// The counters, read after a barrier (the trap handler changes them).
func snapshot() -> Stats {
  compiler_barrier()
  return stats
}

func report(pass: Int, _ what: String, since before: Stats) {
  let now = snapshot()
  let loads = now.loadFaults &- before.loadFaults
  let stores = now.storeFaultsAbsent &+ now.storeFaultsReadOnly &- before.storeFaultsAbsent &- before.storeFaultsReadOnly
  print("pager: pass \(pass): \(what): \(loads) load faults, \(stores) store faults, \(now.evictions &- before.evictions) evictions")
}

// MARK: Entry

@_cdecl("guest_main")
func guestMain(_ hart: UInt64, _ dtb: UInt64) {
  let start = csr_read_cycle()
  print("pager: Vireo guest pager on hart \(hart)")
  // Everything from the DTB is read now: it is not mapped once paging is on.
  let tree = DeviceTree(address: dtb)
  let bench = tree?.bootargs.map { hasWord($0, "bench") } ?? false
  let mapStart = alignDown(image_start_address(), megapage)
  let mapEnd = alignUp(layout.end, megapage)
  BootMemory(tree: tree, dtb: dtb).requireWorkArea(layout.base, layout.end, "pager")
  print("pager: identity map \(hex(mapStart))-\(hex(mapEnd)) with \((mapEnd &- mapStart) / megapage) megapages: image, heap, stack, page tables, pool, swap")
  print("pager: region \(hex(regionBase))-\(hex(regionBase &+ regionPages &* pageSize)): \(regionPages) pages on demand, pool \(poolFrames) frames at \(hex(layout.pool)), swap at \(hex(layout.swap)), FIFO eviction")

  buildTables(from: mapStart, to: mapEnd)
  _ = snapshot()
  Trap.exceptionHandler = pageFaultHandler
  let satp = (SatpMode.sv39 << 60) | (layout.root >> 12)
  sfence_vma_all()
  csr_write_satp(satp)
  sfence_vma_all()
  let active = csr_read_satp()
  guard active == satp else {
    print("pager: satp reads \(hex(active)) after writing \(hex(satp)): no Sv39")
    SBI.fail()
  }
  print("pager: Sv39 on, satp \(hex(satp, digits: 16))")

  let result = runWorkload()
  let s = snapshot()
  print("pager: \(result.touches) touches, \(regionPages) pages, pool \(poolFrames) frames")
  print("pager: page faults \(s.faults) (load \(s.loadFaults), store \(s.storeFaultsAbsent &+ s.storeFaultsReadOnly): \(s.storeFaultsAbsent) on absent pages, \(s.storeFaultsReadOnly) on read-only pages)\(s.spurious == 0 ? "" : ", \(s.spurious) spurious")")
  print("pager: evictions \(s.evictions) (\(s.swapOuts) dirty written to swap, \(s.cleanDrops) clean dropped), swap-ins \(s.swapIns), zero-fills \(s.zeroFills)")
  let expected = expectedChecksum()
  let good = result.checksum == expected
  print("pager: checksum \(hex(result.checksum, digits: 16))  \(result.checksum == expected ? "ok" : "WRONG, expected \(hex(expected, digits: 16))")")

  csr_write_satp(0)
  sfence_vma_all()
  Trap.exceptionHandler = nil
  print("pager: Sv39 off, satp \(hex(csr_read_satp()))")
  // With the bootargs word `bench` (`vireo bench --hypervisor`): the whole run in cycles.
  if bench { print("bench: pager-cycles \(csr_read_cycle() &- start)") }
  print("pager: done")
  if good { SBI.shutdown() }
  SBI.fail()
}
