import GuestShim
import _Volatile

/// The virtio-mmio transport, version 2 ("modern"): register offsets (virtio §4.2.2 "MMIO
/// Device Register Layout"), device status bits (§2.1 "Device Status Field") and the
/// InterruptStatus bits. Registers are 32 bits wide and accessed 32 bits at a time (§4.2.2.2).
enum VirtioMMIO {
  static let magicValue: UInt64 = 0x000
  static let version: UInt64 = 0x004
  static let deviceID: UInt64 = 0x008
  static let vendorID: UInt64 = 0x00C
  static let deviceFeatures: UInt64 = 0x010
  static let deviceFeaturesSel: UInt64 = 0x014
  static let driverFeatures: UInt64 = 0x020
  static let driverFeaturesSel: UInt64 = 0x024
  static let queueSel: UInt64 = 0x030
  static let queueNumMax: UInt64 = 0x034
  static let queueNum: UInt64 = 0x038
  static let queueReady: UInt64 = 0x044
  static let queueNotify: UInt64 = 0x050
  static let interruptStatus: UInt64 = 0x060
  static let interruptACK: UInt64 = 0x064
  static let status: UInt64 = 0x070
  static let queueDescLow: UInt64 = 0x080
  static let queueDescHigh: UInt64 = 0x084
  static let queueDriverLow: UInt64 = 0x090
  static let queueDriverHigh: UInt64 = 0x094
  static let queueDeviceLow: UInt64 = 0x0A0
  static let queueDeviceHigh: UInt64 = 0x0A4
  static let configGeneration: UInt64 = 0x0FC
  /// The device-specific configuration space (§4.2.2, "Config").
  static let config: UInt64 = 0x100

  /// MagicValue: "virt" in little-endian.
  static let magic: UInt32 = 0x7472_6976
  /// Version of the modern interface; 1 is the legacy one (§4.2.4), which this driver skips.
  static let modernVersion: UInt32 = 2

  static let statusAcknowledge: UInt32 = 1
  static let statusDriver: UInt32 = 2
  static let statusDriverOK: UInt32 = 4
  static let statusFeaturesOK: UInt32 = 8
  static let statusNeedsReset: UInt32 = 64
  static let statusFailed: UInt32 = 128

  /// InterruptStatus / InterruptACK: a used buffer notification, a configuration change.
  static let interruptUsedBuffer: UInt32 = 1
  static let interruptConfigChange: UInt32 = 2

  /// VIRTIO_F_VERSION_1 (§6 "Reserved Feature Bits"): required for a modern device.
  static let featureVersion1: UInt64 = 1 << 32
}

/// One "virtio,mmio" node of the DTB (§4.2.1 "MMIO Device Discovery"): its register window
/// and its PLIC source ("interrupts"; QEMU `virt` and the board: slot n at 0x1000_1000 +
/// n·0x1000 on source 1 + n).
struct VirtioMMIOSlot {
  let base: UInt64
  let size: UInt64
  /// The PLIC source, nil when the node names none.
  let interrupt: UInt32?

  /// What the identification registers say (§4.2.3.1.1).
  enum Probe {
    /// DeviceID 0: nothing in the slot. Not an error (the spec forbids reporting one).
    case empty
    /// MagicValue is not "virt".
    case notVirtio(magic: UInt32)
    /// A Version other than 2 (1 = legacy; QEMU 7.2 needs `-global
    /// virtio-mmio.force-legacy=false` for version 2).
    case unsupportedVersion(version: UInt32, deviceID: UInt32)
    /// A modern device of this type (2 = block).
    case device(id: UInt32)
  }

  func read(_ offset: UInt64) -> UInt32 {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base &+ offset)).load()
  }

  func write(_ offset: UInt64, _ value: UInt32) {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: UInt(base &+ offset)).store(value)
  }

  /// Reads MagicValue, Version and DeviceID, in that order, and no other register.
  func probe() -> Probe {
    let magic = read(VirtioMMIO.magicValue)
    guard magic == VirtioMMIO.magic else { return .notVirtio(magic: magic) }
    let version = read(VirtioMMIO.version)
    let id = read(VirtioMMIO.deviceID)
    guard version == VirtioMMIO.modernVersion else { return .unsupportedVersion(version: version, deviceID: id) }
    return id == 0 ? .empty : .device(id: id)
  }

  /// Every "virtio,mmio" node whose "status" is absent or "okay", by ascending address
  /// (QEMU's DTB lists them highest first).
  static func all(in deviceTree: DeviceTree) -> [VirtioMMIOSlot] {
    var slots: [VirtioMMIOSlot] = []
    deviceTree.fdt.forEachNode { node in
      guard node.isCompatible("virtio,mmio"), let reg = node.reg(0), reg.address != 0 else { return }
      if let status = node.property("status")?.string, !sameText(status, "okay"), !sameText(status, "ok") { return }
      slots.append(VirtioMMIOSlot(base: reg.address, size: reg.size, interrupt: node.property("interrupts")?.cell(0)))
    }
    slots.sort { $0.base < $1.base }
    return slots
  }
}

/// Why a virtio-blk operation failed. Every failure the driver can detect ends here; none
/// traps.
enum VirtioBlockError: Error, CustomStringConvertible {
  /// The DTB lists no virtio-mmio block device.
  case noDevice
  /// The slot's MagicValue is wrong.
  case notVirtio(base: UInt64, magic: UInt32)
  /// Version is not 2 (e.g. QEMU's legacy virtio-mmio, version 1).
  case unsupportedVersion(base: UInt64, version: UInt32)
  /// The slot holds a device of another type, or none (DeviceID 0).
  case notBlockDevice(base: UInt64, deviceID: UInt32)
  /// The device does not offer VIRTIO_F_VERSION_1.
  case noVersion1(offered: UInt64)
  /// The device cleared FEATURES_OK: it rejected the features the driver accepted.
  case featuresRejected(accepted: UInt64)
  /// Queue 0 is already in use, or its QueueNumMax is below 4.
  case queueUnavailable(maxSize: UInt32)
  /// Every static queue area is taken (`VirtioBlockDevice.maxDevices` devices are open).
  case tooManyDevices
  /// The device set DEVICE_NEEDS_RESET.
  case deviceNeedsReset
  /// The driver reset the device after a timeout or a protocol error, or `close()` was
  /// called; it takes no more requests.
  case deviceStopped
  /// A write to a device that offered VIRTIO_BLK_F_RO.
  case readOnly
  /// A request reaching past the last sector.
  case outOfRange(sector: UInt64, count: Int, capacity: UInt64)
  /// A count of 0, a buffer shorter than count·512 bytes, or more than 4 GiB.
  case badBuffer(count: Int, bytes: Int)
  /// Status VIRTIO_BLK_S_IOERR.
  case ioError
  /// Status VIRTIO_BLK_S_UNSUPP.
  case unsupported
  /// Any other status byte (0xff: the device never wrote it).
  case badStatus(UInt8)
  /// The used ring returned a descriptor chain the driver did not submit.
  case badCompletion(id: UInt32)
  /// No completion within `VirtioBlockDevice.timeoutMilliseconds`.
  case timeout

  var description: String {
    switch self {
    case .noDevice: return "no virtio-mmio block device"
    case .notVirtio(let base, let magic): return "no virtio device at \(hex(base)) (magic \(hex(UInt64(magic))))"
    case .unsupportedVersion(let base, let version):
      let hint = version == 1 ? " (legacy virtio-mmio; QEMU: -global virtio-mmio.force-legacy=false)" : ""
      return "virtio-mmio at \(hex(base)) is version \(version), not 2\(hint)"
    case .notBlockDevice(let base, let id): return "virtio-mmio at \(hex(base)) holds device ID \(id), not a block device"
    case .noVersion1(let offered): return "device does not offer VIRTIO_F_VERSION_1 (features \(hex(offered)))"
    case .featuresRejected(let accepted): return "device refused features \(hex(accepted))"
    case .queueUnavailable(let maxSize): return "queue 0 unavailable (QueueNumMax \(maxSize), or already in use)"
    case .tooManyDevices: return "no free queue area (\(VirtioBlockDevice.maxDevices) devices open)"
    case .deviceNeedsReset: return "device needs reset"
    case .deviceStopped: return "device stopped (closed, or reset after a failure)"
    case .readOnly: return "device is read-only"
    case .outOfRange(let sector, let count, let capacity):
      return "sectors \(sector)+\(count) past capacity \(capacity)"
    case .badBuffer(let count, let bytes): return "bad request: \(count) sectors, buffer of \(bytes) bytes"
    case .ioError: return "I/O error (VIRTIO_BLK_S_IOERR)"
    case .unsupported: return "request not supported (VIRTIO_BLK_S_UNSUPP)"
    case .badStatus(let status): return "bad status byte \(hex(UInt64(status)))"
    case .badCompletion(let id): return "used ring returned chain \(id), not the one submitted"
    case .timeout: return "no completion (timeout)"
    }
  }
}

/// The queue areas, statically allocated: `VirtioBlockDevice.maxDevices` areas of
/// `VirtioBlockDevice.areaSize` bytes, 16-byte aligned (the descriptor table needs 16, the
/// driver area 2, the device area 4; §2.7 "Split Virtqueues", alignment table).
@_alignment(16)
struct VirtioQueueMemory {
  /// 4 areas · 576 bytes = 288 words.
  var words: InlineArray<288, UInt64>
}

var virtioQueueMemory = VirtioQueueMemory(words: InlineArray(repeating: 0))

/// A virtio block device (virtio §5.2) behind virtio-mmio version 2, driven through one
/// split virtqueue (queue 0, §2.7) of up to 16 descriptors. One request is in flight at a
/// time; each is a 3-descriptor chain (header, data, status; §5.2.6) and each call waits
/// for its completion.
///
/// **A handle.** The value holds only what initialization found; everything that changes
/// (ring indexes, counters, the stopped flag, the timeout) lives in the device's static
/// queue area, so copies of the value drive the same device and every method is
/// nonmutating. It is not a class on purpose: class metadata is linked into every guest
/// whether it uses the driver or not. After `close()` the area may go to another device, so
/// no copy may be used any more.
///
/// **Waiting.** With a PLIC and the slot's "interrupts" source, the device's interrupt is
/// attached (`PLICDriver.attach`): the handler reads InterruptStatus, writes it to
/// InterruptACK (§4.2.3.4) and records the used ring's index. The caller sleeps in `wfi`
/// with sstatus.SIE closed until that index reaches its request (an enabled interrupt wakes
/// `wfi` even then; it is taken when SIE opens for a moment after each wakeup, so none is
/// lost between the check and the `wfi`). When sie.STIE is clear, an SBI timer at the
/// deadline keeps a silent device from sleeping the hart forever; that timer interrupt
/// arrives at `Timer.handleInterrupt`, which disarms it. **Polled fallback**: without a PLIC
/// or an interrupt source (or with `interrupts: false`), the driver sets
/// VIRTQ_AVAIL_F_NO_INTERRUPT (§2.7.7) and spins on the used index, reading `time` for the
/// deadline. A timeout, DEVICE_NEEDS_RESET or a bad used element resets the device, which
/// then refuses every request (`deviceStopped`): the device must not write into a buffer the
/// caller has taken back.
///
/// **Addresses.** Descriptors carry the buffers' addresses as the guest sees them. That is
/// right when they are physical addresses: natively under OpenSBI the guest runs with
/// satp = 0, and under the Vireo firmware Dom0's RAM is mapped 1:1 (guest-physical =
/// host-physical), so the device DMAs straight into it. A kernel that turns paging on must
/// pass identity-mapped buffers.
///
/// **Features.** VIRTIO_F_VERSION_1 is required; VIRTIO_BLK_F_FLUSH and VIRTIO_BLK_F_RO are
/// accepted when offered; nothing else is (so sectors are 512 bytes and requests have no
/// size or segment limits to honour, §5.2.3).
struct VirtioBlockDevice {
  static let sectorSize = 512
  /// Queue areas, hence devices open at once.
  static let maxDevices = 4
  /// Descriptors in queue 0 (fewer when QueueNumMax is smaller).
  static let maxQueueSize: UInt32 = 16
  /// Bytes per queue area (layout below).
  static let areaSize = 576

  /// VIRTIO_BLK_F_RO and VIRTIO_BLK_F_FLUSH (§5.2.3).
  static let featureReadOnly: UInt64 = 1 << 5
  static let featureFlush: UInt64 = 1 << 9
  static let acceptedFeatures: UInt64 = VirtioMMIO.featureVersion1 | featureReadOnly | featureFlush

  /// Request types and status values (§5.2.6).
  static let typeIn: UInt32 = 0
  static let typeOut: UInt32 = 1
  static let typeFlush: UInt32 = 4
  static let typeGetID: UInt32 = 8
  static let statusOK: UInt8 = 0
  static let statusIOError: UInt8 = 1
  static let statusUnsupported: UInt8 = 2
  /// GET_ID data is 20 bytes, NUL-padded (§5.2.6).
  static let idLength = 20

  /// Descriptor flags (§2.7.5) and the available ring's flag (§2.7.7).
  static let descriptorNext: UInt16 = 1
  static let descriptorWrite: UInt16 = 2
  static let availNoInterrupt: UInt16 = 1

  /// The queue area: descriptor table, driver area (available ring), device area (used
  /// ring), then the request header, status byte, GET_ID buffer and the words the interrupt
  /// handler shares with the waiting code. Offsets suit a queue of up to 16 descriptors.
  static let descriptorOffset = 0  // 16 × 16 bytes
  static let availOffset = 256  // flags, idx, ring[16], used_event: 38 bytes
  static let usedOffset = 320  // flags, idx, ring[16] of (id, len), avail_event: 134 bytes
  static let headerOffset = 464  // type, reserved, sector: 16 bytes
  static let statusOffset = 480
  static let idOffset = 496  // 20 bytes
  static let seenUsedOffset = 528  // u16: the used idx the handler last read
  static let interruptCountOffset = 536  // u64
  static let configChangeOffset = 544  // u64
  static let requestCountOffset = 552  // u64: requests completed
  static let nextAvailOffset = 560  // u16: the driver's available idx
  static let nextChainOffset = 562  // u16: the chain (group of 3 descriptors) to use next
  static let stateOffset = 564  // u8: stateStopped, stateClosed
  static let timeoutOffset = 568  // u64: milliseconds
  static let stateStopped: UInt8 = 1
  static let stateClosed: UInt8 = 2

  /// The slot this device sits in.
  let slot: VirtioMMIOSlot
  /// VendorID.
  let vendorID: UInt32
  /// DeviceFeatures as offered, and the subset the driver accepted.
  let offeredFeatures: UInt64
  let features: UInt64
  /// Capacity in 512-byte sectors (§5.2.4), read at initialization.
  let capacity: UInt64
  /// Descriptors in queue 0.
  let queueSize: UInt16
  /// True when completions arrive by interrupt, false when the driver polls.
  let usesInterrupts: Bool
  /// How long a request may take, in milliseconds of `time` (0: wait forever; default 5000).
  var timeoutMilliseconds: UInt64 {
    get { VirtioBlockDevice.load64(area, VirtioBlockDevice.timeoutOffset) }
    nonmutating set { VirtioBlockDevice.store64(area, VirtioBlockDevice.timeoutOffset, newValue) }
  }
  /// Requests completed.
  var requestsCompleted: UInt64 { VirtioBlockDevice.load64(area, VirtioBlockDevice.requestCountOffset) }

  private let plic: PLICDriver?
  private let areaIndex: Int
  private let area: UInt

  /// Areas in use, one bit each.
  private static var areasInUse: UInt32 = 0

  private var state: UInt8 {
    get { VirtioBlockDevice.load8(area, VirtioBlockDevice.stateOffset) }
    nonmutating set { VirtioBlockDevice.store8(area, VirtioBlockDevice.stateOffset, newValue) }
  }
  private var stopped: Bool { state & VirtioBlockDevice.stateStopped != 0 }

  var isReadOnly: Bool { features & VirtioBlockDevice.featureReadOnly != 0 }
  var supportsFlush: Bool { features & VirtioBlockDevice.featureFlush != 0 }
  /// Interrupts the device's handler has taken.
  var interruptsTaken: UInt64 { VirtioBlockDevice.load64(area, VirtioBlockDevice.interruptCountOffset) }
  /// Configuration change notifications seen (InterruptStatus bit 1).
  var configChanges: UInt64 { VirtioBlockDevice.load64(area, VirtioBlockDevice.configChangeOffset) }

  /// The block devices among the DTB's virtio-mmio slots, by address (empty slots and
  /// other device types left out; non-modern block devices included, `init` refuses them).
  static func blockSlots(in deviceTree: DeviceTree) -> [VirtioMMIOSlot] {
    var found: [VirtioMMIOSlot] = []
    for slot in VirtioMMIOSlot.all(in: deviceTree) {
      switch slot.probe() {
      case .device(let id) where id == 2: found.append(slot)
      case .unsupportedVersion(_, let id) where id == 2: found.append(slot)
      default: break
      }
    }
    return found
  }

  /// Initializes the first block device of the DTB that initializes (by address); throws
  /// the last device's error, or `noDevice`.
  static func first(in deviceTree: DeviceTree, plic: PLICDriver?, interrupts: Bool = true) throws(VirtioBlockError)
    -> VirtioBlockDevice
  {
    var failure = VirtioBlockError.noDevice
    for slot in blockSlots(in: deviceTree) {
      do {
        return try VirtioBlockDevice(slot: slot, plic: plic, interrupts: interrupts)
      } catch {
        failure = error
      }
    }
    throw failure
  }

  /// Initializes the device in `slot` (§3.1.1 "Driver Requirements: Device Initialization",
  /// §4.2.3): reset, ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queue 0,
  /// capacity, the interrupt, DRIVER_OK. `interrupts: false`, no PLIC or no interrupt
  /// source selects polling.
  init(slot: VirtioMMIOSlot, plic: PLICDriver?, interrupts: Bool = true) throws(VirtioBlockError) {
    switch slot.probe() {
    case .empty: throw .notBlockDevice(base: slot.base, deviceID: 0)
    case .notVirtio(let magic): throw .notVirtio(base: slot.base, magic: magic)
    case .unsupportedVersion(let version, _): throw .unsupportedVersion(base: slot.base, version: version)
    case .device(let id): if id != 2 { throw .notBlockDevice(base: slot.base, deviceID: id) }
    }
    var index = 0
    while index < VirtioBlockDevice.maxDevices && VirtioBlockDevice.areasInUse & (1 &<< UInt32(index)) != 0 { index &+= 1 }
    guard index < VirtioBlockDevice.maxDevices else { throw .tooManyDevices }
    let area = VirtioBlockDevice.areaAddress(index)

    // Reset, then ACKNOWLEDGE and DRIVER (§3.1.1 steps 1-3; §2.4: reset is complete when
    // the status reads 0).
    slot.write(VirtioMMIO.status, 0)
    var spins = 0
    while slot.read(VirtioMMIO.status) != 0 && spins < 1_000_000 { spins &+= 1 }
    slot.write(VirtioMMIO.status, VirtioMMIO.statusAcknowledge)
    slot.write(VirtioMMIO.status, VirtioMMIO.statusAcknowledge | VirtioMMIO.statusDriver)

    // Features (§3.1.1 steps 4-6, §2.2): DeviceFeaturesSel selects 32 bits at a time.
    slot.write(VirtioMMIO.deviceFeaturesSel, 0)
    var offered = UInt64(slot.read(VirtioMMIO.deviceFeatures))
    slot.write(VirtioMMIO.deviceFeaturesSel, 1)
    offered |= UInt64(slot.read(VirtioMMIO.deviceFeatures)) &<< 32
    guard offered & VirtioMMIO.featureVersion1 != 0 else {
      slot.write(VirtioMMIO.status, slot.read(VirtioMMIO.status) | VirtioMMIO.statusFailed)
      throw .noVersion1(offered: offered)
    }
    let accepted = offered & VirtioBlockDevice.acceptedFeatures
    slot.write(VirtioMMIO.driverFeaturesSel, 0)
    slot.write(VirtioMMIO.driverFeatures, UInt32(truncatingIfNeeded: accepted))
    slot.write(VirtioMMIO.driverFeaturesSel, 1)
    slot.write(VirtioMMIO.driverFeatures, UInt32(truncatingIfNeeded: accepted &>> 32))
    slot.write(VirtioMMIO.status, slot.read(VirtioMMIO.status) | VirtioMMIO.statusFeaturesOK)
    guard slot.read(VirtioMMIO.status) & VirtioMMIO.statusFeaturesOK != 0 else {
      slot.write(VirtioMMIO.status, slot.read(VirtioMMIO.status) | VirtioMMIO.statusFailed)
      throw .featuresRejected(accepted: accepted)
    }

    // Queue 0 (§4.2.3.2): not in use, a power-of-two size up to 16, zeroed memory.
    slot.write(VirtioMMIO.queueSel, 0)
    let maxSize = slot.read(VirtioMMIO.queueNumMax)
    var size = VirtioBlockDevice.maxQueueSize
    while size > maxSize { size &>>= 1 }
    guard slot.read(VirtioMMIO.queueReady) == 0, size >= 4 else {
      slot.write(VirtioMMIO.status, slot.read(VirtioMMIO.status) | VirtioMMIO.statusFailed)
      throw .queueUnavailable(maxSize: maxSize)
    }
    VirtioBlockDevice.areasInUse |= 1 &<< UInt32(index)
    var word = 0
    while word < VirtioBlockDevice.areaSize {
      VirtioBlockDevice.store64(area, word, 0)
      word &+= 8
    }
    VirtioBlockDevice.store64(area, VirtioBlockDevice.timeoutOffset, 5000)
    // The interrupt, unless polling was asked for or there is no PLIC or source to use.
    // The handler captures the slot and area (values), not the device object.
    var attached = false
    if interrupts, let plic, let source = slot.interrupt {
      attached = plic.attach(source: source) { _ in VirtioBlockDevice.handleInterrupt(slot: slot, area: area) }
    }
    if !attached { VirtioBlockDevice.store16(area, VirtioBlockDevice.availOffset, VirtioBlockDevice.availNoInterrupt) }
    fence_rw_rw()
    slot.write(VirtioMMIO.queueNum, size)
    VirtioBlockDevice.writeAddress(slot, VirtioMMIO.queueDescLow, UInt64(area) &+ UInt64(VirtioBlockDevice.descriptorOffset))
    VirtioBlockDevice.writeAddress(slot, VirtioMMIO.queueDriverLow, UInt64(area) &+ UInt64(VirtioBlockDevice.availOffset))
    VirtioBlockDevice.writeAddress(slot, VirtioMMIO.queueDeviceLow, UInt64(area) &+ UInt64(VirtioBlockDevice.usedOffset))
    fence_iorw_iorw()
    slot.write(VirtioMMIO.queueReady, 1)

    // Capacity (§5.2.4): a 64-bit field read as two aligned 32-bit halves, again when
    // ConfigGeneration changed meanwhile (§2.5, §4.2.2.2).
    var capacity: UInt64 = 0
    var generation: UInt32 = 0
    repeat {
      generation = slot.read(VirtioMMIO.configGeneration)
      capacity = UInt64(slot.read(VirtioMMIO.config)) | UInt64(slot.read(VirtioMMIO.config &+ 4)) &<< 32
    } while slot.read(VirtioMMIO.configGeneration) != generation

    self.slot = slot
    self.vendorID = slot.read(VirtioMMIO.vendorID)
    self.offeredFeatures = offered
    self.features = accepted
    self.capacity = capacity
    self.queueSize = UInt16(size)
    self.usesInterrupts = attached
    self.plic = attached ? plic : nil
    self.areaIndex = index
    self.area = area
    slot.write(VirtioMMIO.status, slot.read(VirtioMMIO.status) | VirtioMMIO.statusDriverOK)
  }

  /// Resets the device (it stops using the queue, §2.4), detaches its interrupt and frees
  /// its queue area. Later requests through this value throw `deviceStopped`, until the
  /// area goes to another device.
  func close() {
    if state & VirtioBlockDevice.stateClosed != 0 { return }
    stop()
    state |= VirtioBlockDevice.stateClosed
    VirtioBlockDevice.areasInUse &= ~(1 &<< UInt32(areaIndex))
  }

  // MARK: Requests

  /// Reads `count` sectors from `sector` into the first count·512 bytes of `buffer`.
  func read(sector: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) throws(VirtioBlockError) {
    try checkRange(sector: sector, count: count, bytes: buffer.count)
    guard let start = buffer.baseAddress else { throw .badBuffer(count: count, bytes: 0) }
    try transfer(
      type: VirtioBlockDevice.typeIn, sector: sector, data: UInt64(UInt(bitPattern: start)),
      length: UInt32(count &* VirtioBlockDevice.sectorSize), deviceWrites: true)
  }

  /// Writes `count` sectors at `sector` from the first count·512 bytes of `buffer`.
  func write(sector: UInt64, count: Int, from buffer: UnsafeRawBufferPointer) throws(VirtioBlockError) {
    if stopped { throw .deviceStopped }
    guard !isReadOnly else { throw .readOnly }
    try checkRange(sector: sector, count: count, bytes: buffer.count)
    guard let start = buffer.baseAddress else { throw .badBuffer(count: count, bytes: 0) }
    try transfer(
      type: VirtioBlockDevice.typeOut, sector: sector, data: UInt64(UInt(bitPattern: start)),
      length: UInt32(count &* VirtioBlockDevice.sectorSize), deviceWrites: false)
  }

  /// VIRTIO_BLK_T_FLUSH: completed writes become stable (§5.2.6.2). Without
  /// VIRTIO_BLK_F_FLUSH there is nothing to ask for, and it returns at once: such a device
  /// may or may not have committed writes before completing them (same section).
  func flush() throws(VirtioBlockError) {
    if stopped { throw .deviceStopped }
    guard supportsFlush else { return }
    try transfer(type: VirtioBlockDevice.typeFlush, sector: 0, data: 0, length: 0, deviceWrites: false)
  }

  /// VIRTIO_BLK_T_GET_ID: the device ID string, up to 20 ASCII bytes (NUL padding dropped).
  func getID() throws(VirtioBlockError) -> String {
    if stopped { throw .deviceStopped }
    for offset in stride(from: 0, to: 24, by: 8) {
      VirtioBlockDevice.store64(area, VirtioBlockDevice.idOffset &+ offset, 0)
    }
    try transfer(
      type: VirtioBlockDevice.typeGetID, sector: 0,
      data: UInt64(area) &+ UInt64(VirtioBlockDevice.idOffset),
      length: UInt32(VirtioBlockDevice.idLength), deviceWrites: true)
    var bytes: [UInt8] = []
    for offset in 0..<VirtioBlockDevice.idLength {
      let byte = VolatileMappedRegister<UInt8>(unsafeBitPattern: area &+ UInt(VirtioBlockDevice.idOffset &+ offset)).load()
      if byte == 0 { break }
      bytes.append(byte)
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Refuses a request the device must not see (§5.2.6.1: nothing past capacity, data in
  /// whole sectors; a descriptor's length is 32 bits).
  private func checkRange(sector: UInt64, count: Int, bytes: Int) throws(VirtioBlockError) {
    if stopped { throw .deviceStopped }
    guard count > 0, count <= Int(UInt32.max) / VirtioBlockDevice.sectorSize,
      bytes >= count &* VirtioBlockDevice.sectorSize
    else { throw .badBuffer(count: count, bytes: bytes) }
    guard sector < capacity, UInt64(count) <= capacity &- sector else {
      throw .outOfRange(sector: sector, count: count, capacity: capacity)
    }
  }

  /// Submits one request and waits for it: header, optional data and status descriptors
  /// (§2.7.13.1), the head in the available ring, a barrier, the new available index
  /// (§2.7.13.3), a barrier, the notification (§4.2.3.3); then the used element
  /// (§2.7.14) and the status byte.
  private func transfer(type: UInt32, sector: UInt64, data: UInt64, length: UInt32, deviceWrites: Bool)
    throws(VirtioBlockError)
  {
    if stopped { throw .deviceStopped }
    if slot.read(VirtioMMIO.status) & VirtioMMIO.statusNeedsReset != 0 {
      stop()
      throw .deviceNeedsReset
    }
    let area = self.area
    VirtioBlockDevice.store32(area, VirtioBlockDevice.headerOffset, type)
    VirtioBlockDevice.store32(area, VirtioBlockDevice.headerOffset &+ 4, 0)
    VirtioBlockDevice.store64(area, VirtioBlockDevice.headerOffset &+ 8, sector)
    VirtioBlockDevice.store8(area, VirtioBlockDevice.statusOffset, 0xFF)

    // Chains rotate through the table in groups of three descriptors.
    let chains = queueSize / 3
    let chain = VirtioBlockDevice.load16(area, VirtioBlockDevice.nextChainOffset) % chains
    VirtioBlockDevice.store16(area, VirtioBlockDevice.nextChainOffset, (chain &+ 1) % chains)
    let head = chain &* 3
    var index = head
    setDescriptor(
      index, address: UInt64(area) &+ UInt64(VirtioBlockDevice.headerOffset), length: 16,
      flags: VirtioBlockDevice.descriptorNext, next: index &+ 1)
    index &+= 1
    if length > 0 {
      setDescriptor(
        index, address: data, length: length,
        flags: VirtioBlockDevice.descriptorNext | (deviceWrites ? VirtioBlockDevice.descriptorWrite : 0),
        next: index &+ 1)
      index &+= 1
    }
    setDescriptor(
      index, address: UInt64(area) &+ UInt64(VirtioBlockDevice.statusOffset), length: 1,
      flags: VirtioBlockDevice.descriptorWrite, next: 0)

    var nextAvail = VirtioBlockDevice.load16(area, VirtioBlockDevice.nextAvailOffset)
    let slotInRing = Int(nextAvail % queueSize)
    VirtioBlockDevice.store16(area, VirtioBlockDevice.availOffset &+ 4 &+ 2 &* slotInRing, head)
    fence_rw_rw()
    nextAvail &+= 1
    VirtioBlockDevice.store16(area, VirtioBlockDevice.nextAvailOffset, nextAvail)
    VirtioBlockDevice.store16(area, VirtioBlockDevice.availOffset &+ 2, nextAvail)
    fence_iorw_iorw()
    slot.write(VirtioMMIO.queueNotify, 0)

    try waitForUsed(nextAvail)

    // The element the device used for this request (used idx reached nextAvail).
    fence_rw_rw()
    let element = VirtioBlockDevice.usedOffset &+ 4 &+ 8 &* Int((nextAvail &- 1) % queueSize)
    let id = VirtioBlockDevice.load32(area, element)
    guard id == UInt32(head) else {
      stop()
      throw .badCompletion(id: id)
    }
    VirtioBlockDevice.store64(area, VirtioBlockDevice.requestCountOffset, requestsCompleted &+ 1)
    let status = VirtioBlockDevice.load8(area, VirtioBlockDevice.statusOffset)
    switch status {
    case VirtioBlockDevice.statusOK: return
    case VirtioBlockDevice.statusIOError: throw .ioError
    case VirtioBlockDevice.statusUnsupported: throw .unsupported
    default: throw .badStatus(status)
    }
  }

  private func setDescriptor(_ index: UInt16, address: UInt64, length: UInt32, flags: UInt16, next: UInt16) {
    let entry = VirtioBlockDevice.descriptorOffset &+ 16 &* Int(index)
    VirtioBlockDevice.store64(area, entry, address)
    VirtioBlockDevice.store32(area, entry &+ 8, length)
    VirtioBlockDevice.store16(area, entry &+ 12, flags)
    VirtioBlockDevice.store16(area, entry &+ 14, next)
  }

  /// Waits until the used index reaches `target`: the handler's copy of it when
  /// interrupts are on, the ring itself when polling. Stops the device on a timeout or
  /// DEVICE_NEEDS_RESET.
  private func waitForUsed(_ target: UInt16) throws(VirtioBlockError) {
    let timeout = timeoutMilliseconds
    let deadline = timeout == 0 ? UInt64.max : Timer.now &+ Timer.counts(milliseconds: timeout)
    var failure: VirtioBlockError? = nil
    if usesInterrupts {
      let wasEnabled = csr_read_sstatus() & Mstatus.SIE != 0
      Trap.disableInterrupts()
      // A watchdog only when nobody else uses the timer interrupt.
      let watchdog = timeout != 0 && csr_read_sie() & Interrupt.STIP == 0
      if watchdog {
        Timer.setDeadline(deadline)
        Timer.enableInterrupt()
      }
      while VirtioBlockDevice.load16(area, VirtioBlockDevice.seenUsedOffset) != target {
        if slot.read(VirtioMMIO.status) & VirtioMMIO.statusNeedsReset != 0 {
          failure = .deviceNeedsReset
          break
        }
        if Timer.now >= deadline {
          failure = .timeout
          break
        }
        wait_for_interrupt()
        // Take what woke us (sstatus.SIE opened for one instruction).
        Trap.enableInterrupts()
        Trap.disableInterrupts()
      }
      if watchdog {
        Timer.disableInterrupt()
        Timer.cancel()
      }
      if wasEnabled { Trap.enableInterrupts() }
    } else {
      var spins: UInt32 = 0
      while VirtioBlockDevice.load16(area, VirtioBlockDevice.usedOffset &+ 2) != target {
        spins &+= 1
        if spins & 0x3FF == 0 {
          if slot.read(VirtioMMIO.status) & VirtioMMIO.statusNeedsReset != 0 {
            failure = .deviceNeedsReset
            break
          }
          if Timer.now >= deadline {
            failure = .timeout
            break
          }
        }
      }
    }
    if let failure {
      stop()
      throw failure
    }
  }

  /// The device's interrupt (from the PLIC claim loop): acknowledge what InterruptStatus
  /// shows (§4.2.3.4), then record the used index for the waiting code. Acknowledging first
  /// means a completion that lands after the read raises the line again.
  static func handleInterrupt(slot: VirtioMMIOSlot, area: UInt) {
    let status = slot.read(VirtioMMIO.interruptStatus)
    let handled = status & (VirtioMMIO.interruptUsedBuffer | VirtioMMIO.interruptConfigChange)
    if handled != 0 { slot.write(VirtioMMIO.interruptACK, handled) }
    store64(area, interruptCountOffset, load64(area, interruptCountOffset) &+ 1)
    if status & VirtioMMIO.interruptConfigChange != 0 {
      store64(area, configChangeOffset, load64(area, configChangeOffset) &+ 1)
    }
    fence_iorw_iorw()
    store16(area, seenUsedOffset, load16(area, usedOffset &+ 2))
  }

  /// Resets the device so it no longer touches the queue or the caller's buffers, and
  /// detaches its interrupt; the area stays reserved until `close`.
  private func stop() {
    if stopped { return }
    state |= VirtioBlockDevice.stateStopped
    slot.write(VirtioMMIO.status, 0)
    var spins = 0
    while slot.read(VirtioMMIO.status) != 0 && spins < 1_000_000 { spins &+= 1 }
    if let plic, let source = slot.interrupt { plic.detach(source: source) }
  }

  // MARK: Queue memory

  static func areaAddress(_ index: Int) -> UInt {
    withUnsafeMutablePointer(to: &virtioQueueMemory) { UInt(bitPattern: $0) } &+ UInt(index &* areaSize)
  }

  /// QueueXxxLow then QueueXxxHigh (the High register is 4 bytes after the Low one).
  static func writeAddress(_ slot: VirtioMMIOSlot, _ low: UInt64, _ address: UInt64) {
    slot.write(low, UInt32(truncatingIfNeeded: address))
    slot.write(low &+ 4, UInt32(truncatingIfNeeded: address &>> 32))
  }

  // Every access to memory the device shares is volatile, so none is cached in a register,
  // merged or dropped; the fences order them.
  static func load8(_ area: UInt, _ offset: Int) -> UInt8 {
    VolatileMappedRegister<UInt8>(unsafeBitPattern: area &+ UInt(offset)).load()
  }
  static func store8(_ area: UInt, _ offset: Int, _ value: UInt8) {
    VolatileMappedRegister<UInt8>(unsafeBitPattern: area &+ UInt(offset)).store(value)
  }
  static func load16(_ area: UInt, _ offset: Int) -> UInt16 {
    VolatileMappedRegister<UInt16>(unsafeBitPattern: area &+ UInt(offset)).load()
  }
  static func store16(_ area: UInt, _ offset: Int, _ value: UInt16) {
    VolatileMappedRegister<UInt16>(unsafeBitPattern: area &+ UInt(offset)).store(value)
  }
  static func load32(_ area: UInt, _ offset: Int) -> UInt32 {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: area &+ UInt(offset)).load()
  }
  static func store32(_ area: UInt, _ offset: Int, _ value: UInt32) {
    VolatileMappedRegister<UInt32>(unsafeBitPattern: area &+ UInt(offset)).store(value)
  }
  static func load64(_ area: UInt, _ offset: Int) -> UInt64 {
    VolatileMappedRegister<UInt64>(unsafeBitPattern: area &+ UInt(offset)).load()
  }
  static func store64(_ area: UInt, _ offset: Int, _ value: UInt64) {
    VolatileMappedRegister<UInt64>(unsafeBitPattern: area &+ UInt(offset)).store(value)
  }
}
