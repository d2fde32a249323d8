import GuestShim
import _Volatile

// MARK: virtio

/// The `virtio` case (not in `all`: it needs a disk, `disk = [ 'IMAGE,vda,w' ]`): drives
/// the virtio-mmio block device at 0x1000_1000 by hand (virtio 1.2 §4.2.2 "MMIO Device
/// Register Layout", §2.7 "Split Virtqueues", §5.2 "Block Device") and breaks its queue
/// in every way the device must notice. Each attack is one request (or a queue set up
/// wrongly), a notification, and a wait of up to `waitMilliseconds` of `time` (in `wfi`,
/// woken by the device's PLIC source or a 1 ms timer) for DEVICE_NEEDS_RESET (§2.1.2:
/// status bit 64, with a configuration change interrupt, §4.2.3.2). Then the guest resets
/// the device (status 0), initializes it again and reads sector 0 to show it still works.
/// One line per attack:
///
///   hostile: virtio: <attack>: DEVICE_NEEDS_RESET, InterruptStatus 0x2, line raised; after reset sector 0 reads back
///
/// `NOT STOPPED: ...` when the device completed the request, wrote into the data buffer or
/// the status byte; `no DEVICE_NEEDS_RESET within ...` when nothing happened.
///
/// Then well-formed requests: a read of sector 0 compared with `sectorZeroByte` (the
/// pattern the test put there), a write of `sectorOneText` to sector 1 and its read-back
/// (on a read-only disk the write must fail with IOERR, and sector 1 must not hold the
/// text afterwards), a read at the capacity and one straddling it (IOERR), a request of
/// type 0x77 (UNSUPP), GET_ID, and `hostile: virtio: done`.
enum VQ {
  static let slot: UInt64 = VirtMap.virtioBase
  /// Descriptors in the queue (the device offers 256).
  static let size: UInt16 = 8
  /// Layout of `area` (8 KiB, 4 KiB-aligned, in guest RAM).
  static let descOffset: UInt64 = 0x000       // 8 × 16 bytes
  static let availOffset: UInt64 = 0x100      // flags, idx, ring[8], used_event
  static let usedOffset: UInt64 = 0x200       // flags, idx, ring[8] of (id, len), avail_event
  static let headerOffset: UInt64 = 0x300     // type, reserved, sector
  static let statusOffset: UInt64 = 0x310
  static let idOffset: UInt64 = 0x320         // GET_ID: 20 bytes
  static let indirectOffset: UInt64 = 0x400   // an indirect table of 3 descriptors
  static let dataOffset: UInt64 = 0x1000      // two sectors
  static let areaSize = 0x2000
  static let sectorSize: UInt64 = 512

  static let flagNext: UInt16 = 1
  static let flagWrite: UInt16 = 2
  static let flagIndirect: UInt16 = 4
  static let typeIn: UInt32 = 0
  static let typeOut: UInt32 = 1
  static let typeGetID: UInt32 = 8

  /// How long an attack or a request may take, in milliseconds of `time`.
  static let waitMilliseconds: UInt64 = 500

  static var area: UInt64 = 0
  static var nextAvail: UInt16 = 0
  static var readOnly = false
  static var capacity: UInt64 = 0
  static var offered: UInt64 = 0
  static var plic: PLICDriver? = nil
  static var source: UInt32 = 1

  static var desc: UInt64 { area &+ descOffset }
  static var avail: UInt64 { area &+ availOffset }
  static var used: UInt64 { area &+ usedOffset }
  static var data: UInt64 { area &+ dataOffset }
}

/// Byte i of sector 0 of the test disk (the test writes it so).
func sectorZeroByte(_ i: Int) -> UInt8 { UInt8((i &* 13 &+ 7) % 251) }
/// What the valid write puts in sector 1: this text, repeated and cut at 512 bytes.
let sectorOneText: StaticString = "hostile wrote sector 1\n"

// Registers (32-bit, §4.2.2.2) and shared memory (volatile, so no access is cached,
// merged or moved across the fences).
func vreg(_ offset: UInt64) -> UInt32 { VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(VQ.slot &+ offset)).load() }
func vset(_ offset: UInt64, _ value: UInt32) { VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(VQ.slot &+ offset)).store(value) }
func ld8(_ a: UInt64) -> UInt8 { VolatileMappedRegister<UInt8>(unsafeBitPattern: UInt(a)).load() }
func st8(_ a: UInt64, _ v: UInt8) { VolatileMappedRegister<UInt8>(unsafeBitPattern: UInt(a)).store(v) }
func ld16(_ a: UInt64) -> UInt16 { VolatileMappedRegister<UInt16>(unsafeBitPattern: UInt(a)).load() }
func st16(_ a: UInt64, _ v: UInt16) { VolatileMappedRegister<UInt16>(unsafeBitPattern: UInt(a)).store(v) }
func ld32(_ a: UInt64) -> UInt32 { VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(a)).load() }
func st32(_ a: UInt64, _ v: UInt32) { VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(a)).store(v) }
func st64(_ a: UInt64, _ v: UInt64) { VolatileMappedRegister<UInt64>(unsafeBitPattern: UInt(a)).store(v) }

/// Descriptor `index` of the table at `table` (§2.7.5).
func setDescriptor(_ index: UInt64, address: UInt64, length: UInt32, flags: UInt16, next: UInt16, table: UInt64 = VQ.desc) {
  let d = table &+ 16 &* index
  st64(d, address)
  st32(d &+ 8, length)
  st16(d &+ 12, flags)
  st16(d &+ 14, next)
}

/// Resets the device and brings it up again (§3.1.1): ACKNOWLEDGE, DRIVER, features
/// (VERSION_1, and RO when offered), FEATURES_OK, queue 0 of `VQ.size` with its three
/// areas (the guest's own unless given), DRIVER_OK. Nil when the device is live, else why not.
func virtioInit(descArea: UInt64? = nil, driverArea: UInt64? = nil, deviceArea: UInt64? = nil) -> String? {
  vset(VirtioMMIO.status, 0)
  let afterReset = vreg(VirtioMMIO.status)
  guard afterReset == 0 else { return "status reads \(hex(UInt64(afterReset))) after reset" }
  vset(VirtioMMIO.status, VirtioMMIO.statusAcknowledge)
  vset(VirtioMMIO.status, VirtioMMIO.statusAcknowledge | VirtioMMIO.statusDriver)
  vset(VirtioMMIO.deviceFeaturesSel, 0)
  var offered = UInt64(vreg(VirtioMMIO.deviceFeatures))
  vset(VirtioMMIO.deviceFeaturesSel, 1)
  offered |= UInt64(vreg(VirtioMMIO.deviceFeatures)) &<< 32
  VQ.offered = offered
  guard offered & VirtioMMIO.featureVersion1 != 0 else { return "no VIRTIO_F_VERSION_1 (features \(hex(offered)))" }
  let accepted = VirtioMMIO.featureVersion1 | (offered & VirtioBlockDevice.featureReadOnly)
  vset(VirtioMMIO.driverFeaturesSel, 0)
  vset(VirtioMMIO.driverFeatures, UInt32(truncatingIfNeeded: accepted))
  vset(VirtioMMIO.driverFeaturesSel, 1)
  vset(VirtioMMIO.driverFeatures, UInt32(truncatingIfNeeded: accepted &>> 32))
  let negotiating = VirtioMMIO.statusAcknowledge | VirtioMMIO.statusDriver | VirtioMMIO.statusFeaturesOK
  vset(VirtioMMIO.status, negotiating)
  guard vreg(VirtioMMIO.status) & VirtioMMIO.statusFeaturesOK != 0 else { return "FEATURES_OK refused for \(hex(accepted))" }
  vset(VirtioMMIO.queueSel, 0)
  let maxSize = vreg(VirtioMMIO.queueNumMax)
  guard maxSize >= UInt32(VQ.size), vreg(VirtioMMIO.queueReady) == 0 else { return "queue 0 unavailable (QueueNumMax \(maxSize))" }
  var offset: UInt64 = 0
  while offset < 0x400 {
    st64(VQ.area &+ offset, 0)
    offset &+= 8
  }
  VQ.nextAvail = 0
  fence_rw_rw()
  vset(VirtioMMIO.queueNum, UInt32(VQ.size))
  func address(_ low: UInt64, _ value: UInt64) {
    vset(low, UInt32(truncatingIfNeeded: value))
    vset(low &+ 4, UInt32(truncatingIfNeeded: value &>> 32))
  }
  address(VirtioMMIO.queueDescLow, descArea ?? VQ.desc)
  address(VirtioMMIO.queueDriverLow, driverArea ?? VQ.avail)
  address(VirtioMMIO.queueDeviceLow, deviceArea ?? VQ.used)
  fence_iorw_iorw()
  vset(VirtioMMIO.queueReady, 1)
  vset(VirtioMMIO.status, negotiating | VirtioMMIO.statusDriverOK)
  let status = vreg(VirtioMMIO.status)
  guard status & VirtioMMIO.statusDriverOK != 0, status & VirtioMMIO.statusNeedsReset == 0 else {
    return "status \(hex(UInt64(status))) after DRIVER_OK"
  }
  return nil
}

/// The usual chain at descriptors 0, 1, 2: the header (type, sector), `length` bytes of
/// data at `data` (device-writable for a read), the status byte (set to 0xFF first).
func writeChain(type: UInt32, sector: UInt64, data: UInt64, length: UInt32) {
  st32(VQ.area &+ VQ.headerOffset, type)
  st32(VQ.area &+ VQ.headerOffset &+ 4, 0)
  st64(VQ.area &+ VQ.headerOffset &+ 8, sector)
  st8(VQ.area &+ VQ.statusOffset, 0xFF)
  setDescriptor(0, address: VQ.area &+ VQ.headerOffset, length: 16, flags: VQ.flagNext, next: 1)
  if length > 0 {
    setDescriptor(1, address: data, length: length, flags: VQ.flagNext | (type == VQ.typeOut ? 0 : VQ.flagWrite), next: 2)
    setDescriptor(2, address: VQ.area &+ VQ.statusOffset, length: 1, flags: VQ.flagWrite, next: 0)
  } else {
    setDescriptor(1, address: VQ.area &+ VQ.statusOffset, length: 1, flags: VQ.flagWrite, next: 0)
  }
}

/// Puts `head` in the next avail ring slot, publishes the new avail idx (or `availIndex`
/// instead), and notifies queue 0 (§2.7.13).
func publish(head: UInt16, availIndex: UInt16? = nil) {
  st16(VQ.avail &+ 4 &+ 2 &* UInt64(VQ.nextAvail % VQ.size), head)
  fence_rw_rw()
  VQ.nextAvail &+= 1
  st16(VQ.avail &+ 2, availIndex ?? VQ.nextAvail)
  fence_iorw_iorw()
  vset(VirtioMMIO.queueNotify, 0)
}

/// What the guest saw after a notification.
struct DeviceView {
  var status: UInt32 = 0
  var interruptStatus: UInt32 = 0
  var usedIndex: UInt16 = 0
  /// The device's PLIC source is pending, and sip.SEIP is set.
  var pending = false
  var seip = false
  var timedOut = false
  var needsReset: Bool { status & VirtioMMIO.statusNeedsReset != 0 }
}

/// Waits (wfi, 1 ms at a time, woken early by an external interrupt) until the device
/// needs a reset or the used idx moves away from `usedBefore`, or `VQ.waitMilliseconds`.
func waitForDevice(usedBefore: UInt16) -> DeviceView {
  var view = DeviceView()
  let deadline = Timer.now &+ Timer.counts(milliseconds: VQ.waitMilliseconds)
  while true {
    if vreg(VirtioMMIO.status) & VirtioMMIO.statusNeedsReset != 0 || ld16(VQ.used &+ 2) != usedBefore { break }
    if Timer.now >= deadline {
      view.timedOut = true
      break
    }
    Timer.sleep(counts: Timer.counts(milliseconds: 1), wakeOn: Interrupt.SEIP)
  }
  fence_iorw_iorw()
  view.status = vreg(VirtioMMIO.status)
  view.interruptStatus = vreg(VirtioMMIO.interruptStatus)
  view.usedIndex = ld16(VQ.used &+ 2)
  view.pending = VQ.plic?.isPending(source: VQ.source) ?? false
  view.seip = csr_read_sip() & Interrupt.SEIP != 0
  return view
}

/// The outcome of a well-formed request.
enum VirtioOutcome {
  case status(UInt8)
  case needsReset
  case timeout
  case wrongHead(UInt32)
  case notLive(String)
}

func statusName(_ s: UInt8) -> String {
  switch s {
  case 0: return "OK"
  case 1: return "IOERR"
  case 2: return "UNSUPP"
  default: return "status \(hex(UInt64(s)))"
  }
}

func outcomeText(_ o: VirtioOutcome) -> String {
  switch o {
  case .status(let s): return statusName(s)
  case .needsReset: return "DEVICE_NEEDS_RESET"
  case .timeout: return "no completion within \(VQ.waitMilliseconds) ms"
  case .wrongHead(let id): return "used ring returned chain \(id), not 0"
  case .notLive(let why): return "device not ready: \(why)"
  }
}

/// One request through the chain at descriptor 0, waiting for it; the used-buffer
/// interrupt is acknowledged.
func virtioRequest(type: UInt32, sector: UInt64, data: UInt64, length: UInt32) -> VirtioOutcome {
  let before = ld16(VQ.used &+ 2)
  writeChain(type: type, sector: sector, data: data, length: length)
  publish(head: 0)
  let view = waitForDevice(usedBefore: before)
  vset(VirtioMMIO.interruptACK, view.interruptStatus & 3)
  if view.needsReset { return .needsReset }
  if view.timedOut { return .timeout }
  let id = ld32(VQ.used &+ 4 &+ 8 &* UInt64((view.usedIndex &- 1) % VQ.size))
  guard id == 0 else { return .wrongHead(id) }
  return .status(ld8(VQ.area &+ VQ.statusOffset))
}

func fillData(_ byte: UInt8, count: Int = 1024) {
  for i in 0..<count { st8(VQ.data &+ UInt64(i), byte) }
}

/// Reads sector 0 into the data buffer and compares it with the pattern: nil when equal.
func checkSectorZero() -> String? {
  fillData(0xEE, count: 512)
  let o = virtioRequest(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
  guard case .status(let s) = o, s == 0 else { return outcomeText(o) }
  for i in 0..<512 {
    let b = ld8(VQ.data &+ UInt64(i))
    if b != sectorZeroByte(i) {
      return "differs at byte \(i) (\(hex(UInt64(b))), expected \(hex(UInt64(sectorZeroByte(i)))))"
    }
  }
  return nil
}

/// One attack: `setup` initializes the device its own way (nil: the usual way) and queues
/// the broken request; then the wait, the verdict, a reset, a fresh initialization and a
/// read of sector 0.
func virtioAttack(_ attempt: String, initialize: (() -> String?)? = nil, _ queue: () -> Void) {
  let problem: String?
  if let initialize { problem = initialize() } else { problem = virtioInit() }
  if let problem {
    say("virtio", attempt, "device not ready: \(problem)")
    return
  }
  fillData(0xEE)
  let before = ld16(VQ.used &+ 2)
  queue()
  let view = waitForDevice(usedBefore: before)
  var outcome: String
  let statusByte = ld8(VQ.area &+ VQ.statusOffset)
  var dataWritten = false
  for i in 0..<1024 where ld8(VQ.data &+ UInt64(i)) != 0xEE { dataWritten = true }
  if view.usedIndex != before {
    let id = ld32(VQ.used &+ 4)
    outcome = "NOT STOPPED: completed (used idx \(view.usedIndex), chain \(id), \(statusName(statusByte)))"
  } else if dataWritten {
    outcome = "NOT STOPPED: the data buffer was written"
  } else if statusByte != 0xFF {
    outcome = "NOT STOPPED: status byte written (\(hex(UInt64(statusByte))))"
  } else if view.needsReset {
    outcome = "DEVICE_NEEDS_RESET, InterruptStatus \(hex(UInt64(view.interruptStatus)))"
    if view.pending && view.seip {
      outcome += ", line raised"
    } else {
      outcome += ", line NOT raised (PLIC pending \(view.pending ? 1 : 0), sip.SEIP \(view.seip ? 1 : 0))"
    }
  } else {
    outcome = "no DEVICE_NEEDS_RESET within \(VQ.waitMilliseconds) ms (status \(hex(UInt64(view.status))), InterruptStatus \(hex(UInt64(view.interruptStatus))))"
  }
  // Take the interrupt off the PLIC, reset (status 0 drops the line), complete it.
  let claimed = view.pending ? (VQ.plic?.claim() ?? 0) : 0
  vset(VirtioMMIO.status, 0)
  if claimed != 0 { VQ.plic?.complete(source: claimed) }
  if vreg(VirtioMMIO.status) != 0 { outcome += "; status \(hex(UInt64(vreg(VirtioMMIO.status)))) after reset" }
  if VQ.plic?.isPending(source: VQ.source) == true { outcome += "; line still raised after reset" }
  if let problem = virtioInit() {
    outcome += "; after reset: \(problem)"
  } else if let problem = checkSectorZero() {
    outcome += "; after reset sector 0: \(problem)"
  } else {
    outcome += "; after reset sector 0 reads back"
  }
  say("virtio", attempt, outcome)
}

func virtioCase() {
  let name: StaticString = "virtio"
  // Without a disk the slot is not there at all (an access fault): probe it first.
  Probe.arm()
  let first = hostileLoad4(VQ.slot &+ VirtioMMIO.magicValue)
  Probe.disarm()
  if Probe.trapped {
    say(name, "device at \(hex(VQ.slot))", "none (\(trapText())); give the guest a disk")
    return
  }
  let magic = UInt32(truncatingIfNeeded: first)
  let version = vreg(VirtioMMIO.version)
  let id = vreg(VirtioMMIO.deviceID)
  guard magic == VirtioMMIO.magic, version == 2, id == 2 else {
    say(name, "device at \(hex(VQ.slot))", "no virtio-blk version 2 (magic \(hex(UInt64(magic))), version \(version), device \(id)); give the guest a disk")
    return
  }
  // The device's PLIC source (from the DTB; slot 0 is source 1), enabled above threshold
  // 0 with sie.SEIE, so it wakes wfi; sstatus.SIE stays closed, nothing is taken.
  if let tree = DeviceTree(address: machine.dtb) {
    VQ.plic = PLICDriver(deviceTree: tree, hart: machine.hart)
    for s in VirtioMMIOSlot.all(in: tree) where s.base == VQ.slot {
      if let irq = s.interrupt { VQ.source = irq }
    }
  }
  Trap.disableInterrupts()
  if let plic = VQ.plic {
    plic.setPriority(1, source: VQ.source)
    plic.enable(source: VQ.source)
    plic.setThreshold(0)
    csr_set_sie(Interrupt.SEIP)
  }
  VQ.area = UInt64(UInt(bitPattern: UnsafeMutableRawPointer.allocate(byteCount: VQ.areaSize, alignment: 4096)))
  if let problem = virtioInit() {
    say(name, "initialize the device", problem)
    return
  }
  VQ.capacity = UInt64(vreg(VirtioMMIO.config)) | UInt64(vreg(VirtioMMIO.config &+ 4)) &<< 32
  VQ.readOnly = VQ.offered & VirtioBlockDevice.featureReadOnly != 0
  let plicText = VQ.plic.map { "PLIC context \($0.context) source \(VQ.source)" } ?? "no PLIC"
  print("hostile: virtio: device at \(hex(VQ.slot)), capacity \(VQ.capacity) sectors, features \(hex(VQ.offered)), read-only \(VQ.readOnly ? "yes" : "no"), \(plicText)")

  let ramEnd = machine.ramEnd
  let size = UInt64(VQ.size)
  // 1. Data buffers outside its RAM (the device would write there for a read).
  var outside: [(UInt64, String)] = [(ramEnd, " (end of RAM)")]
  for a: UInt64 in [0x8800_0000, 0x1000, 0xFFFF_FFFF_FFFF_F000] where a >= ramEnd || a < machine.ramBase {
    outside.append((a, ""))
  }
  for (address, what) in outside {
    virtioAttack("read into \(hex(address))\(what)") {
      writeChain(type: VQ.typeIn, sector: 0, data: address, length: 512)
      publish(head: 0)
    }
  }
  virtioAttack("read 512 bytes into \(hex(ramEnd &- 256)) (straddles the end of RAM)") {
    writeChain(type: VQ.typeIn, sector: 0, data: ramEnd &- 256, length: 512)
    publish(head: 0)
  }
  virtioAttack("read 512 bytes into 0xffffffffffffff00 (wraps around)") {
    writeChain(type: VQ.typeIn, sector: 0, data: 0xFFFF_FFFF_FFFF_FF00, length: 512)
    publish(head: 0)
  }
  // The device would read there and write it to the disk (sector 2).
  virtioAttack("write sector 2 from \(hex(machine.ramBase &- 0x1000)) (below RAM)") {
    writeChain(type: VQ.typeOut, sector: 2, data: machine.ramBase &- 0x1000, length: 512)
    publish(head: 0)
  }
  virtioAttack("write sector 2 from 0x88000000") {
    writeChain(type: VQ.typeOut, sector: 2, data: 0x8800_0000, length: 512)
    publish(head: 0)
  }
  virtioAttack("header at 0xfffffffffffff000") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    setDescriptor(0, address: 0xFFFF_FFFF_FFFF_F000, length: 16, flags: VQ.flagNext, next: 1)
    publish(head: 0)
  }
  virtioAttack("status byte at \(hex(ramEnd)) (end of RAM)") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    setDescriptor(2, address: ramEnd, length: 1, flags: VQ.flagWrite, next: 0)
    publish(head: 0)
  }
  // 2. Descriptor loops.
  virtioAttack("descriptor loop 0 -> 1 -> 0") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    setDescriptor(1, address: VQ.data, length: 512, flags: VQ.flagNext | VQ.flagWrite, next: 0)
    publish(head: 0)
  }
  virtioAttack("descriptor 0 chained to itself") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    setDescriptor(0, address: VQ.area &+ VQ.headerOffset, length: 16, flags: VQ.flagNext, next: 0)
    publish(head: 0)
  }
  // 3. Indexes at or past the queue size.
  virtioAttack("head \(size) (queue size \(size))") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: VQ.size)
  }
  virtioAttack("head 0xffff") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0xFFFF)
  }
  virtioAttack("next 200 (queue size \(size))") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    setDescriptor(1, address: VQ.data, length: 512, flags: VQ.flagNext | VQ.flagWrite, next: 200)
    publish(head: 0)
  }
  // 4. An indirect descriptor (VIRTIO_F_INDIRECT_DESC not offered): a valid table of the
  // usual three descriptors in its RAM.
  virtioAttack("INDIRECT descriptor (not negotiated)") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    let table = VQ.area &+ VQ.indirectOffset
    setDescriptor(0, address: VQ.area &+ VQ.headerOffset, length: 16, flags: VQ.flagNext, next: 1, table: table)
    setDescriptor(1, address: VQ.data, length: 512, flags: VQ.flagNext | VQ.flagWrite, next: 2, table: table)
    setDescriptor(2, address: VQ.area &+ VQ.statusOffset, length: 1, flags: VQ.flagWrite, next: 0, table: table)
    setDescriptor(3, address: table, length: 48, flags: VQ.flagIndirect, next: 0)
    publish(head: 3)
  }
  // 5. The avail idx far ahead of what the device has taken.
  virtioAttack("avail idx 1000 ahead") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0, availIndex: 1000)
  }
  virtioAttack("avail idx \(size + 1) ahead (queue size \(size))") {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0, availIndex: VQ.size &+ 1)
  }
  // 6. Queue areas outside its RAM.
  virtioAttack("used ring at \(hex(ramEnd)) (end of RAM)", initialize: { virtioInit(deviceArea: ramEnd) }) {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0)
  }
  virtioAttack("used ring at \(hex(ramEnd &- 8)) (straddles the end of RAM)", initialize: { virtioInit(deviceArea: ramEnd &- 8) }) {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0)
  }
  virtioAttack("used ring at 0x1000", initialize: { virtioInit(deviceArea: 0x1000) }) {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0)
  }
  virtioAttack("descriptor table at 0x88000000", initialize: { virtioInit(descArea: 0x8800_0000) }) {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0)
  }
  virtioAttack("avail ring at 0xfffffffffffff000", initialize: { virtioInit(driverArea: 0xFFFF_FFFF_FFFF_F000) }) {
    writeChain(type: VQ.typeIn, sector: 0, data: VQ.data, length: 512)
    publish(head: 0)
  }

  // Well-formed requests on a device brought up afresh.
  if let problem = virtioInit() {
    say(name, "initialize the device again", problem)
    return
  }
  let zero = checkSectorZero()
  say(name, "read sector 0", zero ?? "OK, matches the pattern")

  let text = Array("\(sectorOneText)".utf8)
  for i in 0..<512 { st8(VQ.data &+ UInt64(i), text[i % text.count]) }
  let wrote = virtioRequest(type: VQ.typeOut, sector: 1, data: VQ.data, length: 512)
  if VQ.readOnly {
    say(name, "write sector 1 (read-only disk)", wrote.isOK ? "NOT STOPPED: OK" : outcomeText(wrote))
  } else {
    say(name, "write sector 1", outcomeText(wrote))
  }
  fillData(0xEE, count: 512)
  let readBack = virtioRequest(type: VQ.typeIn, sector: 1, data: VQ.data, length: 512)
  var same = true
  for i in 0..<512 where ld8(VQ.data &+ UInt64(i)) != text[i % text.count] { same = false }
  if !readBack.isOK {
    say(name, "read sector 1", outcomeText(readBack))
  } else if VQ.readOnly {
    say(name, "read sector 1", same ? "NOT STOPPED: OK, holds the refused write" : "OK, without the refused write")
  } else {
    say(name, "read sector 1", same ? "OK, reads back what was written" : "OK, but not what was written")
  }

  // Each must fail (IOERR, UNSUPP): success is NOT STOPPED.
  func expectFailure(_ attempt: String, _ o: VirtioOutcome) {
    say(name, attempt, o.isOK ? "NOT STOPPED: OK" : outcomeText(o))
  }
  let capacity = VQ.capacity
  expectFailure("read sector \(capacity) (the capacity)", virtioRequest(type: VQ.typeIn, sector: capacity, data: VQ.data, length: 512))
  expectFailure("read sectors \(capacity &- 1)-\(capacity) (past the end)",
                virtioRequest(type: VQ.typeIn, sector: capacity &- 1, data: VQ.data, length: 1024))
  expectFailure("read sector 0xffffffffffffffff", virtioRequest(type: VQ.typeIn, sector: UInt64.max, data: VQ.data, length: 512))
  expectFailure("request type 0x77", virtioRequest(type: 0x77, sector: 0, data: VQ.data, length: 512))
  for i in 0..<24 { st8(VQ.area &+ VQ.idOffset &+ UInt64(i), 0) }
  let idOutcome = virtioRequest(type: VQ.typeGetID, sector: 0, data: VQ.area &+ VQ.idOffset, length: 20)
  if idOutcome.isOK {
    var bytes: [UInt8] = []
    for i in 0..<20 {
      let b = ld8(VQ.area &+ VQ.idOffset &+ UInt64(i))
      if b == 0 { break }
      bytes.append(b)
    }
    say(name, "get id", "OK, \"\(String(decoding: bytes, as: UTF8.self))\"")
  } else {
    say(name, "get id", outcomeText(idOutcome))
  }
  vset(VirtioMMIO.status, 0)
  if let plic = VQ.plic { plic.disable(source: VQ.source) }
  print("hostile: virtio: done")
}

extension VirtioOutcome {
  var isOK: Bool {
    if case .status(0) = self { return true }
    return false
  }
}
