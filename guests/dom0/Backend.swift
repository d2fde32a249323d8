import GuestShim

/// The backend of the guests' virtual disks (DESIGN §3 "I/O": the split-driver model, as
/// Xen's blkback in Dom0). The firmware emulates each guest's virtio-mmio block device and
/// takes requests off its virtqueue; Dom0 serves them from disk images that are members
/// of the archives on its own disks:
///
///   guest notifies → firmware sets Dom0's VSSIP → `guest_trap` (SSI) → `pending` = 1
///   shell loop → `serve`: diskPop → DiskRequest → `DiskTable.action`
///     IN:     read the image's sectors (from the disk held in memory, or the physical disk
///             into `bounce`) → diskCopy(toGuest) per 64 KiB → diskComplete(OK)
///     OUT:    diskCopy(fromGuest) per 64 KiB into `bounce` → write to the physical disk
///             (and to the copy in memory) → diskComplete(OK)
///     FLUSH:  VIRTIO_BLK_T_FLUSH on the physical disk → diskComplete(OK or IOERR)
///     GET_ID: diskCopy(toGuest) "vireo-DOMAIN-DISK" → diskComplete(OK)
///     else:   diskComplete(IOERR, UNSUPP) without data
///
/// Each request is completed before the next is popped; `serve` takes a few per call so
/// the shell answers in between. A control call that fails (the domain was destroyed
/// meanwhile) ends the request: a completion with IOERR is tried, and fails harmlessly
/// when the firmware discarded the request with the domain.
enum Backend {
  /// The guest disks Dom0 serves.
  static var table = DiskTable()
  /// Set by the supervisor software interrupt (a guest notified a queue), cleared by
  /// `serve` before it pops. Volatile: the trap handler writes it.
  static let pending = SharedCounter()
  /// Bytes moved per diskCopy and per physical write.
  static let chunk = 64 << 10
  /// Requests served per `serve` call before the shell gets a turn.
  static let budget = 8
  /// diskPop's record and the bounce buffer (Dom0's RAM is mapped 1:1: their addresses
  /// are what the firmware and the physical disks take).
  private static var record = UnsafeMutableRawPointer.allocate(byteCount: SBI.Control.requestSize, alignment: 8)
  private static var bounce = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 4096)
  private static var library: Library? = nil
  /// Requests completed, and those completed with an error status (shown by `stats`).
  static var served: UInt64 = 0
  static var failed: UInt64 = 0
  /// Of those: reads, writes and flushes passed to the physical disk (`stats`).
  static var reads: UInt64 = 0
  static var writes: UInt64 = 0
  static var flushes: UInt64 = 0

  /// Takes the software interrupt: sie.SSIE on, the handler set, and sstatus.SIE opened
  /// (the rest of Dom0 keeps working with it open: the virtio driver and `Timer.sleep`
  /// close it while they wait and restore it).
  static func start(library: Library) {
    Backend.library = library
    _ = record
    _ = bounce
    pending.value = 1  // also allocates the cell before the handler can run
    Trap.softwareInterruptHandler = { Backend.pending.value = 1 }
    csr_set_sie(Interrupt.SSIP)
    Trap.enableInterrupts()
  }

  /// Serves the requests waiting, up to `budget` of them. Cheap when there is nothing to
  /// do (no disk served and no notification: no call at all). Returns true when more may
  /// be waiting (call again before sleeping).
  @discardableResult
  static func serve() -> Bool {
    guard pending.value != 0 || !table.isEmpty else { return false }
    pending.value = 0
    for _ in 0..<budget {
      let r = Control.call(SBI.Control.diskPop, Control.address(record), UInt64(SBI.Control.requestSize))
      guard r.succeeded, r.value == 1 else { return false }
      func word(_ offset: Int) -> UInt64 { record.load(fromByteOffset: offset, as: UInt64.self) }
      handle(DiskRequest(
        domain: word(SBI.Control.requestDomain), disk: word(SBI.Control.requestDisk),
        type: word(SBI.Control.requestType), sector: word(SBI.Control.requestSector),
        length: word(SBI.Control.requestLength)), token: word(SBI.Control.requestToken))
    }
    pending.value = 1
    return true
  }

  /// `token` names the request in diskCopy and diskComplete (with the disk: disk | token << 16).
  static func handle(_ request: DiskRequest, token: UInt64 = 0) {
    let domain = request.domain, disk = request.disk | (token & 0xFFFF) << 16
    func complete(_ status: UInt8) {
      served &+= 1
      if status != DiskRequest.statusOK { failed &+= 1 }
      _ = Control.call(SBI.Control.diskComplete, domain, disk, UInt64(status))
    }
    /// diskCopy of `count` bytes at `offset` in the request's data. False when refused:
    /// the request then ends with IOERR, a call that fails in turn when the domain is gone
    /// (the firmware dropped the request with it).
    func copy(_ offset: UInt64, _ buffer: UnsafeRawPointer, _ count: Int, toGuest: Bool) -> Bool {
      let r = SBI.call(
        SBI.vireo, SBI.Control.diskCopy, domain, disk, offset, Control.address(buffer), UInt64(count),
        toGuest ? SBI.Control.diskToGuest : SBI.Control.diskFromGuest)
      return r.succeeded && r.value == UInt64(count)
    }
    switch table.action(for: request) {
    case .complete(let status):
      complete(status)
    case .read(let device, let sector, let bytes):
      let memory = library?.resident(device)
      var done: UInt64 = 0
      while done < bytes {
        let n = Int(min(UInt64(chunk), bytes - done))
        let at = sector &+ done / 512
        let source: UnsafeRawPointer
        if let memory, let base = memory.baseAddress, at <= UInt64(memory.count) / 512,
           UInt64(n) <= UInt64(memory.count) - at * 512 {
          source = UnsafeRawPointer(base + Int(at * 512))
        } else {
          if Disks.read(device, sector: at, into: UnsafeMutableRawBufferPointer(rebasing: bounce[0..<n])) != nil {
            complete(DiskRequest.statusIOError)
            return
          }
          source = UnsafeRawPointer(bounce.baseAddress!)
        }
        guard copy(done, source, n, toGuest: true) else { return complete(DiskRequest.statusIOError) }
        done &+= UInt64(n)
      }
      reads &+= 1
      complete(DiskRequest.statusOK)
    case .write(let device, let sector, let bytes):
      var done: UInt64 = 0
      while done < bytes {
        let n = Int(min(UInt64(chunk), bytes - done))
        guard copy(done, bounce.baseAddress!, n, toGuest: false) else { return complete(DiskRequest.statusIOError) }
        let data = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bounce)[0..<n])
        let at = sector &+ done / 512
        if Disks.write(device, sector: at, from: data) != nil {
          complete(DiskRequest.statusIOError)
          return
        }
        library?.wrote(device, offset: at &* 512, data)
        done &+= UInt64(n)
      }
      writes &+= 1
      complete(DiskRequest.statusOK)
    case .flush(let device):
      // The guest's FLUSH becomes Dom0's physical FLUSH (the board fsyncs the host file).
      flushes &+= 1
      complete(Disks.flush(device) == nil ? DiskRequest.statusOK : DiskRequest.statusIOError)
    case .identify(let id):
      let ok = id.withUnsafeBytes { raw -> Bool in
        guard let base = raw.baseAddress, raw.count > 0 else { return true }
        return copy(0, base, raw.count, toGuest: true)
      }
      complete(ok ? DiskRequest.statusOK : DiskRequest.statusIOError)
    }
  }

  /// Attaches a new (paused, not started) domain's disks, in order: each gets the index
  /// of its position, and its table entry. Nil when done, else why not (the caller
  /// destroys the domain and calls `forget`).
  static func attach(_ disks: [BackendDisk], to domain: UInt64) -> String? {
    for d in disks {
      let flags = d.writable ? 0 : SBI.Control.diskReadOnly
      let r = Control.call(SBI.Control.diskAttach, domain, d.sectors, flags)
      guard r.succeeded else {
        return "disk '" + d.image + "': the hypervisor refused it: " + SBI.errorName(r.error)
      }
      guard r.value == UInt64(d.index) else {
        return "disk '" + d.image + "': the hypervisor made it disk " + String(r.value) + ", not " + String(d.index)
      }
      var entry = d
      entry.domain = domain
      table.add(entry)
    }
    return nil
  }

  /// Drops a domain's disks (destroyed, ended, or never started).
  static func forget(_ domain: UInt64) { table.remove(domain: domain) }
}
