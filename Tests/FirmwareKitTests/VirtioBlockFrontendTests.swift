import FirmwareKit
import Testing

/// A guest's RAM for the virtio tests: 1 MiB at guest-physical 0x8000_0000, zero-filled.
final class FakeGuestMemory {
    static let base: UInt64 = 0x8000_0000
    let size: UInt64
    let host: UnsafeMutableRawPointer

    init(size: UInt64 = 1 << 20) {
        self.size = size
        host = .allocate(byteCount: Int(size), alignment: 4096)
        host.initializeMemory(as: UInt8.self, repeating: 0, count: Int(size))
    }

    deinit { host.deallocate() }

    var ram: GuestRAM { GuestRAM(base: Self.base, size: size, host: host) }

    private func offset(_ gpa: UInt64, _ count: Int) -> Int {
        precondition(gpa >= Self.base && gpa - Self.base + UInt64(count) <= size, "test bug: outside the fake RAM")
        return Int(gpa - Self.base)
    }

    func put<T: FixedWidthInteger>(_ value: T, at gpa: UInt64) {
        host.storeBytes(of: value.littleEndian, toByteOffset: offset(gpa, MemoryLayout<T>.size), as: T.self)
    }

    func get<T: FixedWidthInteger>(_: T.Type, at gpa: UInt64) -> T {
        T(littleEndian: host.loadUnaligned(fromByteOffset: offset(gpa, MemoryLayout<T>.size), as: T.self))
    }

    func put(bytes: [UInt8], at gpa: UInt64) {
        let o = offset(gpa, bytes.count)
        bytes.withUnsafeBytes { (host + o).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    func bytes(at gpa: UInt64, count: Int) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: host + offset(gpa, count), count: count))
    }

    func fill(_ byte: UInt8, at gpa: UInt64, count: Int) {
        (host + offset(gpa, count)).initializeMemory(as: UInt8.self, repeating: byte, count: count)
    }

    /// True when guest memory at `gpa` holds `expected` (compared without printing megabytes).
    func holds(_ expected: [UInt8], at gpa: UInt64) -> Bool { bytes(at: gpa, count: expected.count) == expected }

    func isFilled(with byte: UInt8, at gpa: UInt64, count: Int) -> Bool {
        bytes(at: gpa, count: count).allSatisfy { $0 == byte }
    }

    func snapshot() -> [UInt8] { bytes(at: Self.base, count: Int(size)) }

    /// True when all of guest memory is as in `snapshot`.
    func matches(_ snapshot: [UInt8]) -> Bool { holds(snapshot, at: Self.base) }
}

/// One buffer of a descriptor chain.
struct Buf {
    var addr: UInt64
    var len: UInt32
    var writable: Bool
    static func r(_ addr: UInt64, _ len: UInt32) -> Buf { Buf(addr: addr, len: len, writable: false) }
    static func w(_ addr: UInt64, _ len: UInt32) -> Buf { Buf(addr: addr, len: len, writable: true) }
}

/// Plays a virtio-mmio driver (virtio 1.2 §3.1.1, §4.2.3) against a `VirtioBlockFrontend`.
final class BlockDriver {
    typealias V = VirtioBlockFrontend
    static let base = FakeGuestMemory.base
    // Where the driver puts things (offsets into the fake RAM).
    static let descAt = base + 0x0000
    static let availAt = base + 0x1000
    static let usedAt = base + 0x2000
    static let headerAt = base + 0x4000
    static let statusAt = base + 0x5000
    static let dataAt = base + 0x1_0000

    let mem: FakeGuestMemory
    var dev: VirtioBlockFrontend
    var ram: GuestRAM { mem.ram }
    var n: UInt16 = 8
    var descArea = descAt, availArea = availAt, usedArea = usedAt
    /// The driver's next avail index.
    var availIdx: UInt16 = 0

    init(capacity: UInt64 = 64, readOnly: Bool = false, memory: FakeGuestMemory = FakeGuestMemory()) {
        mem = memory
        dev = VirtioBlockFrontend(capacity: capacity, readOnly: readOnly)
    }

    // MARK: Registers

    func r(_ offset: UInt64) -> UInt32 {
        guard let v = dev.read(offset: offset, width: 4) else {
            Issue.record("read of \(offset) refused")
            return 0
        }
        return UInt32(v)
    }

    @discardableResult
    func w(_ offset: UInt64, _ value: UInt32) -> VirtioBlockFrontend.Effect {
        let (accepted, effect) = dev.write(offset: offset, width: 4, value: UInt64(value))
        #expect(accepted, "write of \(offset) refused")
        return effect
    }

    func w64(_ low: UInt64, _ value: UInt64) {
        w(low, UInt32(truncatingIfNeeded: value))
        w(low + 4, UInt32(truncatingIfNeeded: value >> 32))
    }

    var deviceFeatures: UInt64 {
        w(0x014, 0)
        let lo = UInt64(r(0x010))
        w(0x014, 1)
        let hi = UInt64(r(0x010))
        return lo | hi << 32
    }

    /// Writes the driver features and sets FEATURES_OK; true when the device kept it.
    func negotiate(_ features: UInt64) -> Bool {
        w(0x024, 0)
        w(0x020, UInt32(truncatingIfNeeded: features))
        w(0x024, 1)
        w(0x020, UInt32(truncatingIfNeeded: features >> 32))
        w(0x070, V.statusAcknowledge | V.statusDriver | V.statusFeaturesOK)
        return r(0x070) & V.statusFeaturesOK != 0
    }

    /// The whole initialisation (§3.1.1, §4.2.3.2) up to DRIVER_OK.
    func start(queueSize: UInt16 = 8, features: UInt64? = nil) {
        n = queueSize
        availIdx = 0
        #expect(w(0x070, 0) == .reset)
        #expect(r(0x070) == 0)
        w(0x070, V.statusAcknowledge)
        w(0x070, V.statusAcknowledge | V.statusDriver)
        let offered = deviceFeatures
        #expect(offered == dev.features)
        #expect(negotiate(features ?? offered), "FEATURES_OK refused")
        w(0x030, 0)
        #expect(r(0x044) == 0)
        #expect(r(0x034) == 256)
        w(0x038, UInt32(queueSize))
        w64(0x080, descArea)
        w64(0x090, availArea)
        w64(0x0A0, usedArea)
        w(0x044, 1)
        #expect(r(0x044) == 1)
        w(0x070, V.statusAcknowledge | V.statusDriver | V.statusFeaturesOK | V.statusDriverOK)
        #expect(dev.isLive)
        #expect(dev.queueNum == UInt32(queueSize))
    }

    // MARK: The virtqueue

    func setDesc(_ i: UInt16, addr: UInt64, len: UInt32, flags: UInt16, next: UInt16 = 0) {
        let d = descArea + 16 * UInt64(i)
        mem.put(addr, at: d)
        mem.put(len, at: d + 8)
        mem.put(flags, at: d + 12)
        mem.put(next, at: d + 14)
    }

    /// Writes `parts` as a chain on the descriptors `indices` (in chain order); returns the head.
    @discardableResult
    func chain(_ parts: [Buf], indices: [UInt16]? = nil) -> UInt16 {
        let at = indices ?? parts.indices.map { UInt16($0) }
        precondition(at.count == parts.count)
        for (k, p) in parts.enumerated() {
            let last = k == parts.count - 1
            let flags: UInt16 = (last ? 0 : 1) | (p.writable ? 2 : 0)
            setDesc(at[k], addr: p.addr, len: p.len, flags: flags, next: last ? 0 : at[k + 1])
        }
        return at[0]
    }

    /// Puts `head` on the avail ring and publishes the new index.
    func offer(_ head: UInt16) {
        mem.put(head, at: availArea + 4 + 2 * UInt64(availIdx % n))
        availIdx &+= 1
        mem.put(availIdx, at: availArea + 2)
    }

    func notify() -> VirtioBlockFrontend.Effect { w(0x050, 0) }

    func pop() -> VirtioBlockFrontend.Popped { dev.pop(ram) }

    var usedIdx: UInt16 { mem.get(UInt16.self, at: usedArea + 2) }

    func used(_ i: UInt16) -> (id: UInt32, len: UInt32) {
        let e = usedArea + 4 + 8 * UInt64(i % n)
        return (mem.get(UInt32.self, at: e), mem.get(UInt32.self, at: e + 4))
    }

    /// A request header (§5.2.6): type, reserved, sector.
    func header(at gpa: UInt64 = headerAt, type: UInt32, sector: UInt64 = 0) {
        mem.put(type, at: gpa)
        mem.put(UInt32(0), at: gpa + 4)
        mem.put(sector, at: gpa + 8)
    }
}

/// What a `.request` carries (its initializer is not public).
struct Req: Equatable {
    var head: UInt16
    var type: UInt32
    var sector: UInt64
    var length: UInt64
}

extension VirtioBlockFrontend.Popped {
    var req: Req? {
        guard case .request(let r) = self else { return nil }
        return Req(head: r.head, type: r.type, sector: r.sector, length: r.length)
    }
}

func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31) &+ ($0 >> 8) &+ seed) }
}

@Suite("virtio-mmio block frontend")
struct VirtioBlockFrontendTests {
    typealias V = VirtioBlockFrontend
    static let base = FakeGuestMemory.base

    // MARK: Registers

    @Test func identityRegisters() {
        let d = BlockDriver()
        #expect(d.r(0x000) == 0x7472_6976)
        #expect(d.r(0x004) == 2)
        #expect(d.r(0x008) == 2)
        #expect(d.r(0x00C) == V.vendor)
        #expect(d.r(0x034) == 256)
        d.w(0x030, 1)
        #expect(d.r(0x034) == 0, "only queue 0 exists")
        #expect(d.r(0x044) == 0)
        // Register accesses other than aligned 32-bit ones are refused.
        #expect(d.dev.read(offset: 0x000, width: 2) == nil)
        #expect(d.dev.read(offset: 0x002, width: 4) == nil)
        #expect(d.dev.read(offset: 0x000, width: 8) == nil)
        #expect(d.dev.write(offset: 0x070, width: 1, value: 1).0 == false)
        #expect(d.dev.write(offset: 0x072, width: 4, value: 1).0 == false)
        #expect(d.dev.status == 0)
    }

    @Test func featuresShowReadOnlyOnlyForReadOnlyDisks() {
        let rw = BlockDriver(readOnly: false)
        #expect(rw.deviceFeatures == V.featureVersion1 | V.featureFlush | V.featureSegMax | V.featureSizeMax)
        #expect(rw.deviceFeatures & V.featureRO == 0)
        rw.w(0x014, 2)
        #expect(rw.r(0x010) == 0, "no feature bits beyond 63")
        let ro = BlockDriver(readOnly: true)
        #expect(ro.deviceFeatures == V.featureVersion1 | V.featureFlush | V.featureSegMax | V.featureSizeMax | V.featureRO)
    }

    @Test func featuresOKOnlyForASubsetWithVersion1() {
        let d = BlockDriver()
        d.w(0x070, V.statusAcknowledge | V.statusDriver)
        // Without VERSION_1: refused (a legacy driver).
        #expect(!d.negotiate(V.featureFlush))
        #expect(d.r(0x070) == V.statusAcknowledge | V.statusDriver)
        // A bit the device does not offer (INDIRECT_DESC, 28; RO on a writable disk): refused.
        #expect(!d.negotiate(V.featureVersion1 | 1 << 28))
        #expect(!d.negotiate(V.featureVersion1 | V.featureRO))
        #expect(!d.negotiate(V.featureVersion1 | 1 << 33))
        // A subset with VERSION_1: kept.
        #expect(d.negotiate(V.featureVersion1 | V.featureFlush))
        #expect(d.dev.driverFeatures == V.featureVersion1 | V.featureFlush)
        // After FEATURES_OK the driver features are frozen.
        d.w(0x024, 0)
        d.w(0x020, 0xFFFF_FFFF)
        #expect(d.dev.driverFeatures == V.featureVersion1 | V.featureFlush)

        // VERSION_1 alone is a subset too; so is everything offered.
        let e = BlockDriver(readOnly: true)
        e.w(0x070, V.statusAcknowledge | V.statusDriver)
        #expect(e.negotiate(V.featureVersion1))
        e.w(0x070, 0)
        e.w(0x070, V.statusAcknowledge | V.statusDriver)
        #expect(e.negotiate(e.dev.features))
    }

    @Test func configurationSpace() {
        let capacity: UInt64 = 0x1_2345_6789_ABCD
        let d = BlockDriver(capacity: capacity)
        // capacity as two 32-bit reads (low, high) and one 8-bit read.
        #expect(d.dev.read(offset: 0x100, width: 4) == 0x6789_ABCD)
        #expect(d.dev.read(offset: 0x104, width: 4) == 0x0001_2345)
        #expect(d.dev.read(offset: 0x101, width: 1) == 0xAB)
        #expect(d.dev.read(offset: 0x100, width: 8) == capacity)
        #expect(d.dev.read(offset: 0x106, width: 2) == 0x0001)
        // size_max = 32 KiB, seg_max = 126.
        #expect(d.dev.read(offset: 0x108, width: 4) == 32768)
        #expect(d.dev.read(offset: 0x10C, width: 4) == 126)
        #expect(d.dev.read(offset: 0x10C, width: 1) == 126)
        // Beyond: zeros. Misaligned or odd widths: refused.
        #expect(d.dev.read(offset: 0x110, width: 4) == 0)
        #expect(d.dev.read(offset: 0x102, width: 4) == nil)
        #expect(d.dev.read(offset: 0x100, width: 3) == nil)
        // Writes are accepted and ignored.
        let (ok, effect) = d.dev.write(offset: 0x100, width: 4, value: 0)
        #expect(ok && effect == .none)
        #expect(d.dev.read(offset: 0x100, width: 8) == capacity)
        // Configuration generation stays 0.
        #expect(d.r(0x0FC) == 0)
    }

    @Test func queueRegistersAreIgnoredWhileReady() {
        let d = BlockDriver()
        d.start(queueSize: 16)
        d.w(0x038, 4)
        d.w64(0x080, Self.base + 0x8000)
        d.w64(0x090, Self.base + 0x9000)
        d.w64(0x0A0, Self.base + 0xA000)
        #expect(d.dev.queueNum == 16)
        #expect(d.dev.descArea == BlockDriver.descAt)
        #expect(d.dev.driverArea == BlockDriver.availAt)
        #expect(d.dev.deviceArea == BlockDriver.usedAt)
        // QueueReady 0: configurable again. A size outside 1...256 is ignored.
        d.w(0x044, 0)
        #expect(d.r(0x044) == 0)
        #expect(!d.dev.isLive)
        d.w(0x038, 4)
        #expect(d.dev.queueNum == 4)
        d.w(0x038, 0)
        d.w(0x038, 512)
        #expect(d.dev.queueNum == 4)
        d.w64(0x080, Self.base + 0x8000)
        #expect(d.dev.descArea == Self.base + 0x8000)
        // Another queue's registers: nothing to configure.
        d.w(0x030, 1)
        d.w(0x038, 2)
        d.w(0x044, 1)
        #expect(d.dev.queueNum == 4 && !d.dev.queueReady)
        #expect(d.r(0x044) == 0)
    }

    @Test func notifyOnlyWhenLive() {
        let d = BlockDriver()
        #expect(d.notify() == .none)
        #expect(d.pop() == .empty)
        d.start()
        #expect(d.w(0x050, 1) == .none, "queue 1 does not exist")
        #expect(d.notify() == .notify)
        #expect(d.dev.notified)
        #expect(d.pop() == .empty)
        #expect(!d.dev.notified)
        #expect(!d.dev.line)
    }

    // MARK: Requests

    /// A read with its header split across 2 descriptors, its data across 3, the status in
    /// its own; the chain's descriptors are not in index order.
    @Test func readWithSplitHeaderAndData() {
        let d = BlockDriver()
        d.start(queueSize: 8)
        let h = BlockDriver.headerAt, data = BlockDriver.dataAt, st = BlockDriver.statusAt
        d.header(type: V.typeIn, sector: 5)
        d.mem.put(UInt8(0xEE), at: st)
        let buffers: [(UInt64, UInt32)] = [(data, 512), (data + 0x1000, 1024), (data + 0x3000, 512)]
        let head = d.chain([.r(h, 10), .r(h + 10, 6)] + buffers.map { .w($0.0, $0.1) } + [.w(st, 1)],
                           indices: [5, 2, 7, 0, 3, 6])
        d.offer(head)
        #expect(d.notify() == .notify)
        let before = d.mem.snapshot()
        let popped = d.pop()
        #expect(popped.req == Req(head: 5, type: V.typeIn, sector: 5, length: 2048))
        #expect(d.dev.inFlight?.head == 5)
        let untouched = d.mem.matches(before)
        #expect(untouched, "pop writes nothing")
        #expect(d.pop() == .empty, "one request at a time")

        // The backend fills the data in two pieces, the second across descriptor boundaries.
        var payload = pattern(2048)
        let first = payload.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 300, toGuest: true)
        }
        #expect(first == 300)
        let rest = payload.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 300, buffer: $0.baseAddress! + 300, length: 1748, toGuest: true)
        }
        #expect(rest == 1748)
        #expect(d.mem.holds(Array(payload[0..<512]), at: data))
        #expect(d.mem.holds(Array(payload[512..<1536]), at: data + 0x1000))
        #expect(d.mem.holds(Array(payload[1536..<2048]), at: data + 0x3000))
        #expect(d.mem.get(UInt8.self, at: data + 512) == 0, "nothing written past a buffer")
        #expect(d.mem.get(UInt8.self, at: st) == 0xEE, "the status byte is not data")

        #expect(!d.dev.line)
        let done = d.dev.complete(d.ram, status: V.ok)
        #expect(done)
        #expect(d.mem.get(UInt8.self, at: st) == V.ok)
        #expect(d.usedIdx == 1)
        #expect(d.used(0) == (5, 2049))
        #expect(d.r(0x060) == 1)
        #expect(d.dev.line)
        #expect(d.dev.inFlight == nil)
        let again = d.dev.complete(d.ram, status: V.ok)
        #expect(!again, "completed once")
        #expect(d.usedIdx == 1)
        // InterruptACK clears bit 0, and the line drops.
        d.w(0x064, 1)
        #expect(d.r(0x060) == 0)
        #expect(!d.dev.line)
        #expect(d.pop() == .empty)
    }

    /// A read whose status byte shares the last data descriptor, and a failed read: the
    /// used length counts only the status byte.
    @Test func readWithStatusInTheLastDataDescriptor() {
        let d = BlockDriver()
        d.start()
        let data = BlockDriver.dataAt
        d.header(type: V.typeIn, sector: 0)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(data, 513)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeIn, sector: 0, length: 512))
        var buffer = pattern(512, seed: 7)
        let moved = buffer.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 512, toGuest: true)
        }
        #expect(moved == 512)
        d.dev.complete(d.ram, status: V.ioError)
        #expect(d.mem.holds(buffer, at: data))
        #expect(d.mem.get(UInt8.self, at: data + 512) == V.ioError)
        #expect(d.used(0) == (0, 1), "failed: no data counted")
    }

    @Test func write() {
        let d = BlockDriver()
        d.start()
        let h = BlockDriver.headerAt, data = BlockDriver.dataAt, st = BlockDriver.statusAt
        // Header and the first data bytes in one descriptor, the rest in another.
        let payload = pattern(1024, seed: 3)
        d.header(type: V.typeOut, sector: 62)
        d.mem.put(bytes: Array(payload[0..<100]), at: h + 16)
        d.mem.put(bytes: Array(payload[100...]), at: data)
        d.mem.put(UInt8(0xEE), at: st)
        d.offer(d.chain([.r(h, 116), .r(data, 924), .w(st, 1)], indices: [1, 4, 2]))
        #expect(d.notify() == .notify)
        let popped = d.pop()
        #expect(popped.req == Req(head: 1, type: V.typeOut, sector: 62, length: 1024))

        var out = [UInt8](repeating: 0, count: 1024)
        let wrong = out.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 1024, toGuest: true)
        }
        #expect(wrong == nil, "a write's data only leaves the guest")
        let moved = out.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 1024, toGuest: false)
        }
        #expect(moved == 1024)
        let same = out == payload
        #expect(same)
        var middle = [UInt8](repeating: 0, count: 50)
        let piece = middle.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 80, buffer: $0.baseAddress!, length: 50, toGuest: false)
        }
        #expect(piece == 50 && middle == Array(payload[80..<130]))

        d.dev.complete(d.ram, status: V.ok)
        #expect(d.mem.get(UInt8.self, at: st) == V.ok)
        #expect(d.used(0) == (1, 1), "a write writes only the status byte")
        #expect(d.usedIdx == 1)
        #expect(d.dev.interruptStatus == 1)
    }

    @Test func flush() {
        let d = BlockDriver()
        d.start()
        d.header(type: V.typeFlush, sector: 12345)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)]))
        _ = d.notify()
        #expect(d.pop().req == Req(head: 0, type: V.typeFlush, sector: 12345, length: 0))
        var none: UInt8 = 0
        #expect(d.dev.copy(d.ram, offset: 0, buffer: &none, length: 1, toGuest: true) == nil)
        #expect(d.dev.copy(d.ram, offset: 0, buffer: &none, length: 0, toGuest: true) == 0)
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.used(0) == (0, 1))
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == V.ok)
    }

    @Test func getID() {
        let d = BlockDriver()
        d.start()
        d.header(type: V.typeGetID)
        let id = BlockDriver.dataAt
        d.mem.put(UInt8(0xEE), at: BlockDriver.statusAt)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(id, 20), .w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeGetID, sector: 0, length: 20))
        var serial = Array("vireo-disk-0".utf8) + [UInt8](repeating: 0, count: 8)
        let moved = serial.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 20, toGuest: true)
        }
        #expect(moved == 20)
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.mem.holds(serial, at: id))
        #expect(d.used(0) == (0, 21))
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == V.ok)
    }

    /// An unknown type is answered UNSUPP by the frontend; the request behind it still comes.
    @Test func unknownTypeIsUnsupported() {
        let d = BlockDriver()
        d.start()
        let h2 = BlockDriver.headerAt + 0x100, st2 = BlockDriver.statusAt + 0x100
        d.header(type: 0x99, sector: 0)
        d.header(at: h2, type: V.typeFlush)
        d.mem.put(UInt8(0xEE), at: BlockDriver.statusAt)
        d.mem.fill(0xAA, at: BlockDriver.dataAt, count: 512)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)]))
        d.offer(d.chain([.r(h2, 16), .w(st2, 1)], indices: [4, 5]))
        #expect(d.notify() == .notify)
        #expect(d.pop() == .answered)
        #expect(d.dev.inFlight == nil)
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == V.unsupported)
        #expect(d.mem.isFilled(with: 0xAA, at: BlockDriver.dataAt, count: 512))
        #expect(d.usedIdx == 1)
        #expect(d.used(0) == (0, 1))
        #expect(d.dev.interruptStatus == 1 && d.dev.line)
        #expect(d.dev.notified, "more may wait behind it")
        #expect(d.pop().req == Req(head: 4, type: V.typeFlush, sector: 0, length: 0))
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.usedIdx == 2)
        #expect(d.used(1) == (4, 1))
        #expect(d.pop() == .empty)
    }

    /// A request longer than seg_max × size_max (4,032 KiB) fails with IOERR in the frontend,
    /// even with all its descriptors aliasing one buffer: one request is bounded work for
    /// Dom0. One of exactly that length reaches the backend.
    @Test func requestsLongerThanTheLimitFail() {
        let d = BlockDriver(capacity: 1 << 20)
        d.start(queueSize: 256)
        let limit = V.maxRequestBytes
        #expect(limit == 126 * 32768)
        // 126 descriptors of 32 KiB + 512 aliasing one buffer.
        d.header(type: V.typeIn, sector: 0)
        var bufs: [Buf] = [.r(BlockDriver.headerAt, 16)]
        for _ in 0..<126 { bufs.append(.w(BlockDriver.dataAt, 32768 + 512)) }
        bufs.append(.w(BlockDriver.statusAt, 1))
        d.offer(d.chain(bufs))
        #expect(d.notify() == .notify)
        #expect(d.pop() == .answered)
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == V.ioError)
        // Exactly the limit: a request for the backend.
        d.header(type: V.typeIn, sector: 0)
        var fits: [Buf] = [.r(BlockDriver.headerAt, 16)]
        for _ in 0..<126 { fits.append(.w(BlockDriver.dataAt, 32768)) }
        fits.append(.w(BlockDriver.statusAt, 1))
        d.offer(d.chain(fits, indices: Array(0..<128).map { UInt16($0 + 128) }))
        #expect(d.notify() == .notify)
        #expect(d.pop().req?.length == limit)
    }

    enum Wrong: String, CaseIterable, CustomTestStringConvertible {
        case readBeyondCapacity, readStartingBeyondCapacity, sectorNearMaximum, lengthNotMultipleOf512
        case writeBeyondCapacity, writeToReadOnlyDisk, writeNotMultipleOf512
        var testDescription: String { rawValue }
    }

    /// Well-formed but wrong requests fail with IOERR without reaching the backend.
    @Test(arguments: Wrong.allCases)
    func wrongRequestsFailWithIOError(_ wrong: Wrong) {
        let d = BlockDriver(capacity: 64, readOnly: wrong == .writeToReadOnlyDisk)
        d.start()
        let (type, sector, length): (UInt32, UInt64, UInt32) = switch wrong {
        case .readBeyondCapacity: (V.typeIn, 63, 1024)
        case .readStartingBeyondCapacity: (V.typeIn, 65, 0)
        case .sectorNearMaximum: (V.typeIn, UInt64.max, 512)
        case .lengthNotMultipleOf512: (V.typeIn, 0, 700)
        case .writeBeyondCapacity: (V.typeOut, 60, 4096 + 512)
        case .writeToReadOnlyDisk: (V.typeOut, 0, 512)
        case .writeNotMultipleOf512: (V.typeOut, 0, 513)
        }
        d.header(type: type, sector: sector)
        d.mem.fill(0xAA, at: BlockDriver.dataAt, count: 8192)
        d.mem.put(UInt8(0xEE), at: BlockDriver.statusAt)
        let data: Buf = type == V.typeIn ? .w(BlockDriver.dataAt, length) : .r(BlockDriver.dataAt, length)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), data, .w(BlockDriver.statusAt, 1)]))
        let before = d.mem.snapshot()
        #expect(d.notify() == .notify)
        #expect(d.pop() == .answered)
        #expect(d.dev.inFlight == nil)
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == V.ioError)
        #expect(d.mem.isFilled(with: 0xAA, at: BlockDriver.dataAt, count: 8192))
        #expect(d.usedIdx == 1)
        #expect(d.used(0) == (0, 1))
        #expect(d.dev.line)
        #expect(d.dev.status & V.statusNeedsReset == 0)
        // Only the status byte and the used ring changed.
        var after = d.mem.snapshot()
        let st = Int(BlockDriver.statusAt - Self.base), used = Int(BlockDriver.usedAt - Self.base)
        after[st] = before[st]
        for i in used..<(used + 6 + 8 * Int(d.n)) { after[i] = before[i] }
        let onlyThose = after == before
        #expect(onlyThose)
        var scratch = [UInt8](repeating: 0, count: 16)
        let c = scratch.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 16, toGuest: type == V.typeIn)
        }
        #expect(c == nil, "nothing in flight")
        #expect(d.pop() == .empty)
    }

    /// The edges of the disk are fine.
    @Test func requestsAtTheEdgeOfTheDisk() {
        let d = BlockDriver(capacity: 64)
        d.start()
        d.header(type: V.typeOut, sector: 62)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .r(BlockDriver.dataAt, 1024), .w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeOut, sector: 62, length: 1024))
        d.dev.complete(d.ram, status: V.ok)
        d.header(type: V.typeIn, sector: 64)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeIn, sector: 64, length: 0))
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.usedIdx == 2)
        // A read-only disk still reads.
        let ro = BlockDriver(capacity: 64, readOnly: true)
        ro.start()
        ro.header(type: V.typeIn, sector: 63)
        ro.offer(ro.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)]))
        #expect(ro.pop().req == Req(head: 0, type: V.typeIn, sector: 63, length: 512))
    }

    @Test func copyRefusesWrongRanges() {
        let d = BlockDriver()
        d.start()
        var buffer = [UInt8](repeating: 0x55, count: 4096)
        func copy(_ offset: UInt64, _ length: UInt64, toGuest: Bool) -> UInt64? {
            buffer.withUnsafeMutableBytes {
                d.dev.copy(d.ram, offset: offset, buffer: $0.baseAddress!, length: length, toGuest: toGuest)
            }
        }
        #expect(copy(0, 512, toGuest: true) == nil, "nothing in flight")
        #expect(copy(0, 0, toGuest: true) == nil, "nothing in flight")
        d.header(type: V.typeIn, sector: 0)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.dataAt + 0x1000, 512),
                         .w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeIn, sector: 0, length: 1024))
        let before = d.mem.snapshot()
        #expect(copy(0, 1024, toGuest: false) == nil, "a read's data only goes into the guest")
        #expect(copy(0, 1025, toGuest: true) == nil)
        #expect(copy(512, 513, toGuest: true) == nil)
        #expect(copy(1025, 0, toGuest: true) == nil)
        #expect(copy(1, UInt64.max, toGuest: true) == nil)
        #expect(copy(UInt64.max, 2, toGuest: true) == nil)
        let untouched = d.mem.matches(before)
        #expect(untouched, "refused copies move nothing")
        #expect(copy(1024, 0, toGuest: true) == 0)
        #expect(copy(1000, 24, toGuest: true) == 24)
        #expect(d.mem.isFilled(with: 0x55, at: BlockDriver.dataAt + 0x1000 + 488, count: 24))
        #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt) == 0)
    }

    /// A reset (status 0) drops the request in flight: its completion is refused and
    /// nothing is written.
    /// The backend names the request it serves: after the driver resets the device and
    /// queues a new request, a late copy or completion for the old one is refused.
    @Test func aLateCallForADroppedRequestIsRefused() {
        let d = BlockDriver()
        d.start()
        d.header(type: V.typeIn, sector: 1)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)]))
        _ = d.notify()
        guard case .request(let old) = d.pop() else {
            Issue.record("no request")
            return
        }
        #expect(d.w(0x070, 0) == .reset)
        d.mem.fill(0, at: BlockDriver.availAt, count: 0x2000)
        d.start()
        d.header(type: V.typeIn, sector: 2)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)]))
        _ = d.notify()
        guard case .request(let new) = d.pop() else {
            Issue.record("no second request")
            return
        }
        #expect(new.token != old.token)
        var b = [UInt8](repeating: 7, count: 512)
        let stale = b.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 512, toGuest: true, token: old.token)
        }
        #expect(stale == nil)
        let staleCompletion = d.dev.complete(d.ram, status: V.ok, token: old.token)
        #expect(!staleCompletion)
        #expect(d.dev.inFlight == new)
        let fresh = b.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 512, toGuest: true, token: new.token)
        }
        #expect(fresh == 512)
        let completed = d.dev.complete(d.ram, status: V.ok, token: new.token)
        #expect(completed)
    }

    @Test func resetDropsTheRequestInFlight() {
        let d = BlockDriver()
        d.start()
        d.header(type: V.typeIn, sector: 1)
        d.mem.put(UInt8(0xEE), at: BlockDriver.statusAt)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)]))
        _ = d.notify()
        guard case .request = d.pop() else {
            Issue.record("no request")
            return
        }
        let before = d.mem.snapshot()
        #expect(d.w(0x070, 0) == .reset)
        #expect(d.dev.inFlight == nil)
        #expect(d.r(0x070) == 0 && d.r(0x044) == 0 && d.r(0x060) == 0)
        #expect(!d.dev.isLive && d.dev.driverFeatures == 0)
        var b = [UInt8](repeating: 1, count: 512)
        let c = b.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 512, toGuest: true)
        }
        #expect(c == nil)
        let completed = d.dev.complete(d.ram, status: V.ok)
        #expect(!completed)
        let untouched = d.mem.matches(before)
        #expect(untouched)
        #expect(!d.dev.line)
        // Set up again: the queue starts from index 0.
        d.mem.fill(0, at: BlockDriver.availAt, count: 0x2000)
        d.start()
        d.header(type: V.typeFlush)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeFlush, sector: 0, length: 0))
        let completedAgain = d.dev.complete(d.ram, status: V.ok)
        #expect(completedAgain)
        #expect(d.usedIdx == 1)
    }

    /// A chain of seg_max + 2 descriptors (header, 126 data segments, status) is accepted.
    @Test func longestChainTheDriverIsAllowed() {
        let d = BlockDriver(capacity: 1024)
        d.start(queueSize: 256)
        d.header(type: V.typeIn, sector: 0)
        let segments = Int(d.dev.read(offset: 0x10C, width: 4)!)
        let data = (0..<segments).map { Buf.w(BlockDriver.dataAt + 512 * UInt64($0), 512) }
        d.offer(d.chain([.r(BlockDriver.headerAt, 16)] + data + [.w(BlockDriver.statusAt, 1)]))
        #expect(d.pop().req == Req(head: 0, type: V.typeIn, sector: 0, length: 512 * UInt64(segments)))
        var payload = pattern(512 * segments)
        let moved = payload.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: UInt64($0.count), toGuest: true)
        }
        #expect(moved == UInt64(payload.count))
        let filled = d.mem.holds(payload, at: BlockDriver.dataAt)
        #expect(filled)
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.used(0) == (0, UInt32(payload.count + 1)))
    }

    /// Several requests on the ring at once are taken in order, one at a time.
    @Test func severalRequestsInOrder() {
        let d = BlockDriver()
        d.start(queueSize: 16)
        for k in 0..<3 {
            let h = BlockDriver.headerAt + 0x100 * UInt64(k)
            d.header(at: h, type: V.typeIn, sector: UInt64(k))
            d.offer(d.chain([.r(h, 16), .w(BlockDriver.dataAt + 0x1000 * UInt64(k), 512), .w(BlockDriver.statusAt + UInt64(k), 1)],
                            indices: [UInt16(3 * k), UInt16(3 * k + 1), UInt16(3 * k + 2)]))
        }
        #expect(d.notify() == .notify)
        for k in 0..<3 {
            #expect(d.pop().req == Req(head: UInt16(3 * k), type: V.typeIn, sector: UInt64(k), length: 512))
            d.dev.complete(d.ram, status: UInt8(k))
            #expect(d.used(UInt16(k)) == (UInt32(3 * k), k == 0 ? 513 : 1))
            #expect(d.mem.get(UInt8.self, at: BlockDriver.statusAt + UInt64(k)) == UInt8(k))
        }
        #expect(d.usedIdx == 3)
        #expect(d.pop() == .empty)
    }

    /// The avail and used indices wrap past 65535 (queue size 4: 70,000 requests).
    @Test func indicesWrap() {
        let d = BlockDriver()
        d.start(queueSize: 4)
        d.header(type: V.typeFlush)
        // Descriptors 0-1: a flush; 2-3 another (alternating heads).
        d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)], indices: [0, 1])
        d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt + 1, 1)], indices: [2, 3])
        var failures = 0
        let total = 70_000
        var done = 0
        while done < total {
            // Up to 4 at a time (the whole ring), crossing the wrap at some point.
            // Batches of 3 and 4 alternately, so one straddles index 65536.
            let batch = min(done % 7 == 0 ? 3 : 4, total - done)
            for k in 0..<batch { d.offer(UInt16(2 * ((done + k) & 1))) }
            for k in 0..<batch {
                let head = UInt16(2 * ((done + k) & 1))
                if d.pop().req != Req(head: head, type: V.typeFlush, sector: 0, length: 0) { failures += 1 }
                if !d.dev.complete(d.ram, status: V.ok) { failures += 1 }
                let index = UInt16(truncatingIfNeeded: done + k)
                if d.usedIdx != index &+ 1 || d.used(index) != (UInt32(head), 1) { failures += 1 }
            }
            if d.pop() != .empty { failures += 1 }
            done += batch
            if failures > 0 { break }
        }
        #expect(failures == 0, "failed at request \(done)")
        #expect(d.usedIdx == UInt16(truncatingIfNeeded: total))
        #expect(d.availIdx == UInt16(truncatingIfNeeded: total))
        #expect(d.dev.status & V.statusNeedsReset == 0)
    }

    /// QueueReady 0 then 1 starts the queue over from index 0 (§2.6.1: a re-enabled queue
    /// starts fresh).
    @Test func reenabledQueueStartsFromIndexZero() {
        let d = BlockDriver()
        d.start(queueSize: 8)
        d.header(type: V.typeFlush)
        d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)])
        for _ in 0..<3 {
            d.offer(0)
            _ = d.pop()
            d.dev.complete(d.ram, status: V.ok)
        }
        #expect(d.usedIdx == 3)
        d.w(0x044, 0)
        #expect(d.r(0x044) == 0)
        #expect(d.pop() == .empty, "a queue not ready is not looked at")
        // The driver sets its rings up afresh.
        d.mem.fill(0, at: BlockDriver.availAt, count: 0x2000)
        d.availIdx = 0
        d.w(0x044, 1)
        d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.statusAt, 1)], indices: [6, 7])
        d.offer(6)
        #expect(d.pop().req == Req(head: 6, type: V.typeFlush, sector: 0, length: 0))
        d.dev.complete(d.ram, status: V.ok)
        #expect(d.usedIdx == 1)
        #expect(d.used(0) == (6, 1))
    }

    /// The device must not touch a virtqueue whose QueueReady is 0 (virtio 1.2 §4.2.2.2:
    /// "The device MUST NOT access virtqueue contents when QueueReady is zero"): a request
    /// in flight when the driver clears QueueReady must not be completed into its rings
    /// afterwards, and must not show up in the re-enabled queue.
    @Test func queueReadyZeroDropsTheRequestInFlight() {
        let d = BlockDriver()
        d.start(queueSize: 8)
        d.header(type: V.typeIn, sector: 1)
        d.mem.put(UInt8(0xEE), at: BlockDriver.statusAt)
        d.offer(d.chain([.r(BlockDriver.headerAt, 16), .w(BlockDriver.dataAt, 512), .w(BlockDriver.statusAt, 1)], indices: [2, 3, 4]))
        #expect(d.pop().req == Req(head: 2, type: V.typeIn, sector: 1, length: 512))
        d.w(0x044, 0)
        let before = d.mem.snapshot()
        var b = [UInt8](repeating: 1, count: 512)
        let moved = b.withUnsafeMutableBytes {
            d.dev.copy(d.ram, offset: 0, buffer: $0.baseAddress!, length: 512, toGuest: true)
        }
        #expect(moved == nil, "the queue is gone")
        let completed = d.dev.complete(d.ram, status: V.ok)
        #expect(!completed, "the queue is gone")
        let untouched = d.mem.matches(before)
        #expect(untouched, "nothing written into a queue that is not ready")
        #expect(!d.dev.line)
        // Re-enabled: the old request does not appear in the new queue.
        d.mem.fill(0, at: BlockDriver.availAt, count: 0x2000)
        d.availIdx = 0
        d.w(0x044, 1)
        #expect(d.pop() == .empty)
        #expect(d.usedIdx == 0)
    }

    /// At most maxSegments + 2 (130) descriptors with data in one request: the 126 data
    /// segments seg_max announces, the header and the status, and 2 more of slack.
    @Test func segmentLimit() {
        func run(_ total: Int) -> VirtioBlockFrontend.Popped {
            let d = BlockDriver(capacity: 1 << 20)
            d.start(queueSize: 256)
            d.header(type: V.typeIn, sector: 0)
            let data = (0..<(total - 2)).map { Buf.w(BlockDriver.dataAt + 512 * UInt64($0), 512) }
            d.offer(d.chain([.r(BlockDriver.headerAt, 16)] + data + [.w(BlockDriver.statusAt, 1)]))
            return d.pop()
        }
        #expect(run(V.maxSegments + 2).req?.length == 512 * UInt64(V.maxSegments))
        #expect(run(V.maxSegments + 3) == .broken)
        #expect(run(V.maxSegments + 4) == .broken)
    }

    // MARK: Broken virtqueues

    enum Broken: String, CaseIterable, CustomTestStringConvertible {
        case headOutOfRange, nextOutOfRange, nextLoop, selfLoop, chainLongerThanQueue, indirect
        case readableAfterWritable, bufferBelowRAM, bufferPastRAM, bufferWrapsAround
        case availIndexTooFarAhead, misalignedDescriptors, misalignedAvail, misalignedUsed
        case descriptorsOutsideRAM, availOutsideRAM, usedOutsideRAM, usedRunsPastRAM
        case noStatusByte, noWritableAtAll, headerShorterThan16, headerOnlyZeroLength
        var testDescription: String { rawValue }
    }

    @Test(arguments: Broken.allCases)
    func brokenQueuesNeedReset(_ broken: Broken) {
        let d = BlockDriver()
        let top = Self.base + d.mem.size
        switch broken {
        case .misalignedDescriptors: d.descArea += 8
        case .misalignedAvail: d.availArea += 1
        case .misalignedUsed: d.usedArea += 2
        case .descriptorsOutsideRAM: d.descArea = 0x1000
        case .availOutsideRAM: d.availArea = top
        case .usedOutsideRAM: d.usedArea = Self.base - 0x1000
        case .usedRunsPastRAM: d.usedArea = top - 32
        default: break
        }
        d.start(queueSize: 8)
        let h = BlockDriver.headerAt, data = BlockDriver.dataAt, st = BlockDriver.statusAt
        d.header(type: V.typeIn, sector: 0)
        // Fill free memory so that a stray write would show.
        d.mem.fill(0xAA, at: data, count: 0x1000)
        d.mem.put(UInt8(0xEE), at: st)
        let good: [Buf] = [.r(h, 16), .w(data, 512), .w(st, 1)]
        switch broken {
        case .headOutOfRange:
            // Descriptor 8 (past the table, still in RAM) starts a good chain 8 → 1 → 2:
            // only the head's index is wrong.
            d.chain(good, indices: [8, 1, 2])
            d.offer(8)
        case .nextOutOfRange:
            d.chain(good)
            d.setDesc(1, addr: data, len: 512, flags: 3, next: 8)
            d.setDesc(8, addr: st, len: 1, flags: 2)
            d.offer(0)
        case .nextLoop:
            // Zero-length descriptors: only the chain length can stop the walk.
            d.setDesc(3, addr: h, len: 0, flags: 1, next: 5)
            d.setDesc(5, addr: data, len: 0, flags: 1, next: 3)
            d.offer(3)
        case .selfLoop:
            d.setDesc(0, addr: data, len: 512, flags: 1, next: 0)
            d.offer(0)
        case .chainLongerThanQueue:
            // 0 → 1 → … → 7 → 0: every descriptor once, then more.
            for i in 0..<8 { d.setDesc(UInt16(i), addr: h, len: i == 0 ? 16 : 0, flags: 1, next: UInt16((i + 1) % 8)) }
            d.offer(0)
        case .indirect:
            d.chain(good)
            d.setDesc(1, addr: data, len: 32, flags: 1 | 4, next: 2)
            d.offer(0)
        case .readableAfterWritable:
            d.offer(d.chain([.r(h, 16), .w(data, 512), .r(data + 0x800, 512), .w(st, 1)]))
        case .bufferBelowRAM:
            d.offer(d.chain([.r(h, 16), .w(Self.base - 256, 512), .w(st, 1)]))
        case .bufferPastRAM:
            d.offer(d.chain([.r(h, 16), .w(top - 256, 512), .w(st, 1)]))
        case .bufferWrapsAround:
            d.offer(d.chain([.r(h, 16), .w(UInt64.max - 255, 512), .w(st, 1)]))
        case .availIndexTooFarAhead:
            d.chain(good)
            d.mem.put(UInt16(9), at: d.availArea + 2)
        case .misalignedDescriptors, .misalignedAvail, .misalignedUsed, .usedOutsideRAM, .usedRunsPastRAM:
            d.chain(good)
            d.offer(0)
        case .descriptorsOutsideRAM:
            d.offer(0)
        case .availOutsideRAM:
            d.chain(good)
        case .noStatusByte:
            d.offer(d.chain([.r(h, 16), .r(data, 512)]))
        case .noWritableAtAll:
            d.header(type: V.typeFlush)
            d.offer(d.chain([.r(h, 16)]))
        case .headerShorterThan16:
            d.offer(d.chain([.r(h, 12), .w(data, 512), .w(st, 1)]))
        case .headerOnlyZeroLength:
            d.offer(d.chain([.r(h, 0), .w(data, 512), .w(st, 1)]))
        }
        let before = d.mem.snapshot()
        #expect(d.notify() == .notify)
        #expect(d.pop() == .broken)
        let untouched = d.mem.matches(before)
        #expect(untouched, "guest memory untouched")
        #expect(d.r(0x070) & V.statusNeedsReset != 0)
        #expect(d.r(0x070) & 0x0F == 0x0F, "the driver's bits stay")
        #expect(d.r(0x060) & 2 != 0)
        #expect(d.r(0x060) & 1 == 0)
        #expect(d.dev.line)
        #expect(d.dev.inFlight == nil)
        #expect(!d.dev.isLive)
        // Dead until reset: no notifications, no requests.
        #expect(d.notify() == .none)
        #expect(d.pop() == .empty)
        // Writing the status back (the driver keeping its bits) does not clear NEEDS_RESET.
        d.w(0x070, 0x0F)
        #expect(d.r(0x070) & V.statusNeedsReset != 0)
        // InterruptACK of bit 1 drops the line.
        d.w(0x064, 2)
        #expect(!d.dev.line)
        // A reset brings it back.
        d.descArea = BlockDriver.descAt
        d.availArea = BlockDriver.availAt
        d.usedArea = BlockDriver.usedAt
        d.mem.fill(0, at: BlockDriver.availAt, count: 0x2000)
        d.start(queueSize: 8)
        #expect(d.r(0x070) & V.statusNeedsReset == 0)
        d.header(type: V.typeIn, sector: 0)
        d.offer(d.chain(good))
        #expect(d.pop().req == Req(head: 0, type: V.typeIn, sector: 0, length: 512))
    }
}
