/// Dom0's side of Vireo's control interface (SBI EID `SBI.vireo`, numbers and record
/// layouts in Sources/RISCV/SBI.swift `SBI.Control`): building, starting and watching the
/// other domains, as xl does through Xen's domctl. Dom0 runs with satp = 0 and its RAM
/// mapped 1:1, so its buffers' addresses are what the firmware takes.
enum Control {
  /// One domain as `list` and `info` report it.
  struct Record {
    var id: UInt64 = 0
    var state: UInt64 = 0
    var vcpus: UInt64 = 0
    var memory: UInt64 = 0
    var cycles: UInt64 = 0
    var weight: UInt64 = 0
    var name: String = ""
    // info only:
    var pc: UInt64 = 0
    var exits: UInt64 = 0
    var reflected: UInt64 = 0
    var exitsByCause: [UInt64] = []
    var reason: String = ""
  }

  static func call(_ fid: UInt64, _ a0: UInt64 = 0, _ a1: UInt64 = 0, _ a2: UInt64 = 0, _ a3: UInt64 = 0) -> SBI.Result {
    SBI.call(SBI.vireo, fid, a0, a1, a2, a3)
  }

  static func address(_ p: UnsafeRawPointer) -> UInt64 { UInt64(UInt(bitPattern: p)) }

  /// Builds a paused, empty domain. Returns its id, or a one-line reason.
  static func create(name: String, memory: UInt64, vcpus: UInt64, weight: UInt64, bootargs: String) -> Result<UInt64, Failure> {
    let request = UnsafeMutableRawPointer.allocate(byteCount: SBI.Control.createRequestSize, alignment: 8)
    defer { request.deallocate() }
    request.initializeMemory(as: UInt8.self, repeating: 0, count: SBI.Control.createRequestSize)
    func put(_ offset: Int, _ v: UInt64) { request.storeBytes(of: v, toByteOffset: offset, as: UInt64.self) }
    let nameBytes = Array(name.utf8), argBytes = Array(bootargs.utf8)
    guard nameBytes.count <= SBI.Control.nameCapacity else { return .failure(Failure("the name is longer than 32 bytes")) }
    guard argBytes.count <= SBI.Control.bootargsCapacity else { return .failure(Failure("the command line is longer than 448 bytes")) }
    put(SBI.Control.createMemory, memory)
    put(SBI.Control.createVCPUs, vcpus)
    put(SBI.Control.createWeight, weight)
    put(SBI.Control.createNameLength, UInt64(nameBytes.count))
    for (i, b) in nameBytes.enumerated() { request.storeBytes(of: b, toByteOffset: SBI.Control.createName + i, as: UInt8.self) }
    put(SBI.Control.createBootargsLength, UInt64(argBytes.count))
    for (i, b) in argBytes.enumerated() { request.storeBytes(of: b, toByteOffset: SBI.Control.createBootargs + i, as: UInt8.self) }
    let r = call(SBI.Control.create, address(request), UInt64(SBI.Control.createRequestSize))
    if r.succeeded { return .success(r.value) }
    switch (r.error, r.value) {
    case (SBI.errFailed, 1): return .failure(Failure("not enough memory for \(memory >> 20) MiB"))
    case (SBI.errFailed, 2): return .failure(Failure("the hypervisor is out of page-table memory"))
    case (SBI.errFailed, 3): return .failure(Failure("memory must be at least 1 MiB"))
    case (SBI.errAlreadyAvailable, _): return .failure(Failure("a domain named '\(name)' exists already"))
    default: return .failure(Failure("the hypervisor refused: \(SBI.errorName(r.error))"))
    }
  }

  /// Copies `bytes` into domain `id`'s RAM at guest-physical `gpa` (in pieces of at most
  /// `SBI.Control.maxPopulate`).
  static func populate(_ id: UInt64, gpa: UInt64, from bytes: UnsafeRawBufferPointer) -> Bool {
    guard let base = bytes.baseAddress else { return true }
    var done = 0
    while done < bytes.count {
      let n = min(bytes.count - done, Int(SBI.Control.maxPopulate))
      let r = call(SBI.Control.populate, id, gpa + UInt64(done), address(base + done), UInt64(n))
      guard r.succeeded else { return false }
      done += n
    }
    return true
  }

  static func list() -> [Record] {
    let capacity = 64
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity * SBI.Control.recordSize, alignment: 8)
    defer { buffer.deallocate() }
    let r = call(SBI.Control.list, address(buffer), UInt64(capacity))
    guard r.succeeded else { return [] }
    var records: [Record] = []
    for i in 0..<min(Int(r.value), capacity) { records.append(record(buffer + i * SBI.Control.recordSize)) }
    return records
  }

  static func info(_ id: UInt64) -> Record? {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: SBI.Control.infoSize, alignment: 8)
    defer { buffer.deallocate() }
    guard call(SBI.Control.info, id, address(buffer), UInt64(SBI.Control.infoSize)).succeeded else { return nil }
    var rec = record(buffer)
    func word(_ o: Int) -> UInt64 { buffer.load(fromByteOffset: o, as: UInt64.self) }
    rec.pc = word(SBI.Control.infoPC)
    rec.exits = word(SBI.Control.infoExits)
    rec.reflected = word(SBI.Control.infoReflected)
    rec.exitsByCause = (0..<SBI.Control.infoCauses).map { word(SBI.Control.infoExitsByCause + 8 * $0) }
    let n = min(Int(word(SBI.Control.infoReasonLength)), SBI.Control.reasonCapacity)
    rec.reason = String(decoding: UnsafeRawBufferPointer(start: buffer + SBI.Control.infoReason, count: n), as: UTF8.self)
    return rec
  }

  private static func record(_ p: UnsafeRawPointer) -> Record {
    func word(_ o: Int) -> UInt64 { p.load(fromByteOffset: o, as: UInt64.self) }
    var r = Record()
    r.id = word(SBI.Control.recordID)
    r.state = word(SBI.Control.recordState)
    r.vcpus = word(SBI.Control.recordVCPUs)
    r.memory = word(SBI.Control.recordMemory)
    r.cycles = word(SBI.Control.recordCycles)
    r.weight = word(SBI.Control.recordWeight)
    let n = min(Int(word(SBI.Control.recordNameLength)), SBI.Control.nameCapacity)
    r.name = String(decoding: UnsafeRawBufferPointer(start: p + SBI.Control.recordName, count: n), as: UTF8.self)
    return r
  }

  /// Takes what domain `id` printed (up to `buffer.count` bytes).
  static func consoleRead(_ id: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
    guard let base = buffer.baseAddress else { return 0 }
    let r = call(SBI.Control.consoleRead, id, address(base), UInt64(buffer.count))
    return r.succeeded ? Int(r.value) : 0
  }

  /// Queues console input for domain `id`; returns how many bytes it took.
  static func consoleWrite(_ id: UInt64, _ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { b in
      guard let base = b.baseAddress else { return 0 }
      let r = call(SBI.Control.consoleWrite, id, address(base), UInt64(b.count))
      return r.succeeded ? Int(r.value) : 0
    }
  }

  struct Failure: Error {
    let message: String
    init(_ message: String) { self.message = message }
  }
}
