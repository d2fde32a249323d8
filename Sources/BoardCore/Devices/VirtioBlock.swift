#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A virtio block device behind the virtio-mmio transport, version 2 ("modern"), in slot n
/// at 0x1000_1000 + n·0x1000, interrupting through PLIC source 1 + n (Virtio 1.x §4.2
/// "Virtio Over MMIO", §2.7 "Split Virtqueues", §5.2 "Block Device"). Requests: IN, OUT,
/// FLUSH, GET_ID. A request's data moves when the driver notifies; its used-ring entry and
/// interrupt appear `CycleModel`-latency cycles later. Malformed descriptor chains fail the
/// request (status IOERR) when a status byte can be written, and otherwise set
/// DEVICE_NEEDS_RESET; nothing is ever written outside the buffers of the request.
///
/// Where QEMU 7.2's device departs from the spec, it behaves as QEMU's unless `specStrict`
/// (docs/qemu-compatibility.md): VendorID is QEMU's 0x554D4551 ("QEMU"; the board's own
/// 0x4F524956, "VIRO", when strict), and FEATURES_OK sticks whatever the driver wrote,
/// VIRTIO_F_VERSION_1 or not, features the device did not offer being dropped (QEMU's
/// `virtio_set_features` masks them and validates only with VERSION_1); strict, it sticks
/// only for a subset of the offer that includes VERSION_1 (§2.2.1, §3.1.1, §6.1).
public final class VirtioBlock {
    /// VendorID values (§4.2.2 leaves them to the implementation).
    public static let qemuVendor: UInt32 = 0x554D_4551, boardVendor: UInt32 = 0x4F52_4956
    // MMIO registers (§4.2.2, table "MMIO Device Register Layout").
    static let magicValue: UInt64 = 0x000, version: UInt64 = 0x004, deviceID: UInt64 = 0x008, vendorID: UInt64 = 0x00C
    static let deviceFeatures: UInt64 = 0x010, deviceFeaturesSel: UInt64 = 0x014
    static let driverFeatures: UInt64 = 0x020, driverFeaturesSel: UInt64 = 0x024
    static let queueSel: UInt64 = 0x030, queueNumMax: UInt64 = 0x034, queueNum: UInt64 = 0x038
    static let queueReady: UInt64 = 0x044, queueNotify: UInt64 = 0x050
    static let interruptStatus: UInt64 = 0x060, interruptACK: UInt64 = 0x064, status: UInt64 = 0x070
    static let queueDescLow: UInt64 = 0x080, queueDescHigh: UInt64 = 0x084
    static let queueDriverLow: UInt64 = 0x090, queueDriverHigh: UInt64 = 0x094
    static let queueDeviceLow: UInt64 = 0x0A0, queueDeviceHigh: UInt64 = 0x0A4
    static let shmSel: UInt64 = 0x0AC, shmLenLow: UInt64 = 0x0B0, shmLenHigh: UInt64 = 0x0B4
    static let configGeneration: UInt64 = 0x0FC, config: UInt64 = 0x100

    // Feature bits (§6, §5.2.3).
    static let fSegMax: UInt64 = 1 << 2, fRO: UInt64 = 1 << 5, fBlkSize: UInt64 = 1 << 6, fFlush: UInt64 = 1 << 9
    static let fIndirectDesc: UInt64 = 1 << 28, fVersion1: UInt64 = 1 << 32
    // Device status bits (§2.1).
    static let sFeaturesOK: UInt32 = 8, sDriverOK: UInt32 = 4, sNeedsReset: UInt32 = 64
    // Descriptor flags (§2.7.5).
    static let dNext: UInt16 = 1, dWrite: UInt16 = 2, dIndirect: UInt16 = 4
    // Request types and status (§5.2.6).
    static let tIn: UInt32 = 0, tOut: UInt32 = 1, tFlush: UInt32 = 4, tGetID: UInt32 = 8
    static let stOK: UInt8 = 0, stIOErr: UInt8 = 1, stUnsupported: UInt8 = 2

    public static let queueSize: UInt32 = 256
    public static let sectorSize: UInt64 = 512
    static let segMax: UInt32 = 128

    unowned let bus: Bus
    /// The spec's behaviour where QEMU 7.2 departs from it (`--spec-strict`).
    public let specStrict: Bool
    /// Set where QEMU's virtio-mmio transport calls `virtio_mmio_update_irq`: a used-buffer
    /// or configuration notification, an InterruptACK write, a reset. The bus passes the
    /// line to the PLIC at these updates only.
    var interruptUpdated = false

    func takeInterruptUpdate() -> Bool {
        defer { interruptUpdated = false }
        return interruptUpdated
    }
    public let path: String
    public let readOnly: Bool
    let fd: Int32
    public let capacitySectors: UInt64

    var deviceFeaturesSelect: UInt32 = 0
    var driverFeaturesSelect: UInt32 = 0
    var driverFeatureBits: UInt64 = 0
    var deviceStatus: UInt32 = 0
    var interrupt: UInt32 = 0
    var queueSize: UInt32 = 0
    var ready = false
    var descAddr: UInt64 = 0, availAddr: UInt64 = 0, usedAddr: UInt64 = 0
    var lastAvail: UInt16 = 0
    var usedIdx: UInt16 = 0
    /// The virtio-mmio slot it sits in (set by `Bus.attachDisk`; names it in traces).
    public internal(set) var slot = 0
    /// What the last `serve` saw, for `--trace-events`: request type, sector, data bytes,
    /// and the status written (nil: none could be).
    var servedType: UInt32 = 0, servedSector: UInt64 = 0, servedBytes: UInt64 = 0
    var servedStatus: UInt8?
    /// Completions waiting for their modeled latency: (due cycle, head, bytes written).
    var inFlight: [(due: UInt64, head: UInt32, written: UInt32)] = []
    public private(set) var requestsServed: UInt64 = 0

    var offered: UInt64 {
        Self.fVersion1 | Self.fSegMax | Self.fBlkSize | Self.fFlush | Self.fIndirectDesc | (readOnly ? Self.fRO : 0)
    }

    public struct OpenError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens the image. A missing or unreadable image, or a read-only file used without
    /// `readonly`, is a clear error here rather than a surprise later.
    public init(bus: Bus, path: String, readOnly: Bool, specStrict: Bool = false) throws(OpenError) {
        self.bus = bus
        self.specStrict = specStrict
        self.path = path
        self.readOnly = readOnly
        let fd = open(path, readOnly ? O_RDONLY : O_RDWR)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if !readOnly && (errno == EACCES || errno == EROFS) {
                throw OpenError(description: "\(path): \(reason) (add ,readonly to use it read-only)")
            }
            throw OpenError(description: "\(path): cannot open disk image: \(reason)")
        }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw OpenError(description: "\(path): not a regular file")
        }
        guard st.st_size >= 512 else {
            close(fd)
            throw OpenError(description: "\(path): disk image smaller than one 512-byte sector")
        }
        self.fd = fd
        capacitySectors = UInt64(st.st_size) / Self.sectorSize
    }

    deinit { close(fd) }

    /// The interrupt line (PLIC source 1 + slot).
    var interruptLine: Bool { interrupt != 0 }

    // MARK: Registers

    func read(offset: UInt64, size: Int) -> UInt64 {
        if offset >= Self.config { return readConfig(offset - Self.config, size: size) }
        guard size == 4 else { return 0 }
        switch offset {
        case Self.magicValue: return 0x7472_6976
        case Self.version: return 2
        case Self.deviceID: return 2
        case Self.vendorID: return UInt64(specStrict ? Self.boardVendor : Self.qemuVendor)
        case Self.deviceFeatures:
            return deviceFeaturesSelect < 2 ? (offered >> (32 * UInt64(deviceFeaturesSelect))) & 0xFFFF_FFFF : 0
        case Self.queueNumMax: return queueSelected == 0 ? UInt64(Self.queueSize) : 0
        case Self.queueReady: return queueSelected == 0 && ready ? 1 : 0
        case Self.interruptStatus: return UInt64(interrupt)
        case Self.status: return UInt64(deviceStatus)
        case Self.shmLenLow, Self.shmLenHigh: return 0xFFFF_FFFF  // no shared memory regions
        case Self.configGeneration: return 0
        default: return 0
        }
    }

    var queueSelected: UInt32 = 0

    func write(offset: UInt64, size: Int, value: UInt64, cycles: UInt64) {
        guard size == 4, offset < Self.config else { return }  // config space is read-only here
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case Self.deviceFeaturesSel: deviceFeaturesSelect = v
        case Self.driverFeaturesSel: driverFeaturesSelect = v
        case Self.driverFeatures:
            guard driverFeaturesSelect < 2, deviceStatus & Self.sFeaturesOK == 0 else { return }
            let shift = 32 * UInt64(driverFeaturesSelect)
            driverFeatureBits = (driverFeatureBits & ~(0xFFFF_FFFF << shift)) | (UInt64(v) << shift)
        case Self.queueSel: queueSelected = v
        case Self.queueNum:
            if queueSelected == 0 && !ready && v > 0 && v <= Self.queueSize && v & (v - 1) == 0 { queueSize = v }
        case Self.queueReady:
            if queueSelected == 0 {
                ready = v & 1 == 1
                // "The device MUST NOT access virtqueue contents when QueueReady is zero"
                // (§4.2.2.1): requests still in flight are abandoned.
                if !ready { inFlight.removeAll() }
            }
        case Self.queueDescLow: if queueSelected == 0 && !ready { descAddr = (descAddr & ~0xFFFF_FFFF) | UInt64(v) }
        case Self.queueDescHigh: if queueSelected == 0 && !ready { descAddr = (descAddr & 0xFFFF_FFFF) | (UInt64(v) << 32) }
        case Self.queueDriverLow: if queueSelected == 0 && !ready { availAddr = (availAddr & ~0xFFFF_FFFF) | UInt64(v) }
        case Self.queueDriverHigh: if queueSelected == 0 && !ready { availAddr = (availAddr & 0xFFFF_FFFF) | (UInt64(v) << 32) }
        case Self.queueDeviceLow: if queueSelected == 0 && !ready { usedAddr = (usedAddr & ~0xFFFF_FFFF) | UInt64(v) }
        case Self.queueDeviceHigh: if queueSelected == 0 && !ready { usedAddr = (usedAddr & 0xFFFF_FFFF) | (UInt64(v) << 32) }
        case Self.queueNotify:
            if v == 0 { process(cycles: cycles) }
        case Self.interruptACK:
            interrupt &= ~v
            interruptUpdated = true
        case Self.status:
            if v == 0 { reset(); return }
            var s = v
            if s & Self.sFeaturesOK != 0 && deviceStatus & Self.sFeaturesOK == 0 {
                if specStrict {
                    // FEATURES_OK sticks only for a subset of the offer that includes VERSION_1 (§3.1.1).
                    if driverFeatureBits & ~offered != 0 || driverFeatureBits & Self.fVersion1 == 0 { s &= ~Self.sFeaturesOK }
                } else {
                    // QEMU 7.2: what was not offered is dropped, and FEATURES_OK sticks.
                    driverFeatureBits &= offered
                }
            }
            deviceStatus = s | (deviceStatus & Self.sNeedsReset)
        default: break
        }
    }

    func readConfig(_ offset: UInt64, size: Int) -> UInt64 {
        // struct virtio_blk_config (§5.2.4): capacity @0 (le64), size_max @8, seg_max @12,
        // geometry @16, blk_size @20 (le32). We fill capacity, seg_max and blk_size.
        var bytes = [UInt8](repeating: 0, count: 64)
        func put(_ v: UInt64, at: Int, width: Int) { for i in 0..<width { bytes[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) } }
        put(capacitySectors, at: 0, width: 8)
        put(UInt64(Self.segMax), at: 12, width: 4)
        put(Self.sectorSize, at: 20, width: 4)
        guard offset + UInt64(size) <= UInt64(bytes.count) else { return 0 }
        var v: UInt64 = 0
        for i in 0..<size { v |= UInt64(bytes[Int(offset) + i]) << (8 * UInt64(i)) }
        return v
    }

    public func reset() {
        if interrupt != 0 { interruptUpdated = true }
        deviceStatus = 0
        driverFeatureBits = 0
        interrupt = 0
        queueSize = 0
        ready = false
        descAddr = 0; availAddr = 0; usedAddr = 0
        lastAvail = 0
        usedIdx = 0
        inFlight.removeAll()
    }

    // MARK: Guest memory (RAM only; anything else makes the request malformed)

    func ram(_ pa: UInt64, _ len: UInt64, write: Bool) -> UnsafeMutableRawPointer? {
        guard len > 0, pa &+ len >= pa, let p = bus.memoryPointer(pa, size: len, write: write), pa >= bus.dramBase else { return nil }
        return p
    }

    func load16(_ pa: UInt64) -> UInt16? { ram(pa, 2, write: false)?.loadUnaligned(as: UInt16.self) }
    func load32(_ pa: UInt64) -> UInt32? { ram(pa, 4, write: false)?.loadUnaligned(as: UInt32.self) }
    func load64(_ pa: UInt64) -> UInt64? { ram(pa, 8, write: false)?.loadUnaligned(as: UInt64.self) }

    func store(_ pa: UInt64, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let p = ram(pa, UInt64(bytes.count), write: true) else { return false }
        p.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        bus.codeWritten(pa, size: UInt64(bytes.count))
        return true
    }

    // MARK: Requests

    struct Buffer { var addr: UInt64; var len: UInt32; var writable: Bool }

    /// Serves every request the driver has made available.
    func process(cycles: UInt64) {
        guard ready, deviceStatus & Self.sDriverOK != 0, deviceStatus & Self.sNeedsReset == 0, queueSize > 0 else { return }
        guard let availIdx = load16(availAddr &+ 2) else { return needsReset() }
        var budget = Int(queueSize)  // a driver cannot make more than the ring holds available
        while lastAvail != availIdx && budget > 0 {
            budget -= 1
            guard let head16 = load16(availAddr &+ 4 &+ 2 &* UInt64(lastAvail % UInt16(queueSize))) else { return needsReset() }
            lastAvail &+= 1
            let head = UInt32(head16)
            guard let chain = gather(head: head) else { return needsReset() }
            let written = serve(chain)
            if let t = bus.traceEvents {
                t.virtioRequest(slot: slot, head: head, type: servedType, sector: servedSector, bytes: servedBytes,
                                status: written == nil ? nil : servedStatus)
            }
            requestsServed &+= 1
            inFlight.append((due: cycles &+ CycleModel.virtioLatency, head: head, written: written ?? 0))
            if written == nil { return needsReset() }
        }
    }

    /// The buffers of the chain starting at `head`, following NEXT and one level of
    /// INDIRECT; nil for a malformed chain (index out of range, loop, too long, memory
    /// outside RAM, nested indirect, readable after writable).
    func gather(head: UInt32) -> [Buffer]? {
        var out: [Buffer] = []
        var table = descAddr, tableSize = queueSize
        var index = head, steps = 0, inIndirect = false, sawWritable = false
        while true {
            guard index < tableSize, steps < Int(tableSize) else { return nil }
            steps += 1
            let d = table &+ 16 &* UInt64(index)
            guard let addr = load64(d), let len = load32(d &+ 8), let flags = load16(d &+ 12), let next = load16(d &+ 14) else { return nil }
            if flags & Self.dIndirect != 0 {
                // An indirect table: only from the main ring, never with NEXT (§2.7.5.3).
                guard !inIndirect, flags & Self.dNext == 0, driverFeatureBits & Self.fIndirectDesc != 0,
                      len > 0, len % 16 == 0, len / 16 <= 1024, ram(addr, UInt64(len), write: false) != nil else { return nil }
                table = addr
                tableSize = len / 16
                index = 0
                steps = 0
                inIndirect = true
                continue
            }
            let writable = flags & Self.dWrite != 0
            if !writable && sawWritable { return nil }  // readable buffers come first (§2.7.4.1)
            sawWritable = sawWritable || writable
            guard len == 0 || ram(addr, UInt64(len), write: writable) != nil else { return nil }
            out.append(Buffer(addr: addr, len: len, writable: writable))
            guard flags & Self.dNext != 0 else { return out }
            index = UInt32(next)
        }
    }

    /// Serves one request. Returns the bytes written into device-writable buffers, or nil
    /// when not even a status byte can be written (the device then needs a reset).
    func serve(_ chain: [Buffer]) -> UInt32? {
        // The status byte is the last byte of the last buffer, which must be writable.
        servedType = .max; servedSector = 0; servedBytes = 0; servedStatus = nil
        guard let last = chain.last, last.writable, last.len >= 1 else { return nil }
        let statusAddr = last.addr + UInt64(last.len) - 1
        var readable = chain.filter { !$0.writable }
        var writable = chain.filter { $0.writable }
        writable[writable.count - 1].len -= 1
        func finish(_ s: UInt8, _ dataWritten: UInt32) -> UInt32? {
            var st = s
            servedStatus = s
            _ = withUnsafeBytes(of: &st) { store(statusAddr, $0) }
            return dataWritten + 1
        }
        // Header: type, reserved, sector (16 bytes of device-readable data).
        guard let header = readBytes(&readable, 16) else { return finish(Self.stIOErr, 0) }
        let type = header.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        let sector = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
        // Data must flow the request's way: an IN's data is device-writable, an OUT's is
        // device-readable (§5.2.6); a buffer facing the wrong way fails the request.
        let readableData = readable.reduce(0) { $0 + UInt64($1.len) }
        let writableData = writable.reduce(0) { $0 + UInt64($1.len) }
        servedType = type
        servedSector = sector
        servedBytes = type == Self.tOut ? readableData : writableData
        switch type {
        case Self.tIn:
            let total = writableData
            // The used length is 32 bits: a request moving more than that fails (§2.7.8).
            guard readableData == 0, total > 0, total < UInt64(UInt32.max), total % Self.sectorSize == 0,
                  inRange(sector, total) else {
                return finish(Self.stIOErr, 0)
            }
            var offset = sector * Self.sectorSize
            var done: UInt32 = 0  // ≤ total < 2^32: cannot overflow
            for b in writable where b.len > 0 {
                var data = [UInt8](repeating: 0, count: Int(b.len))
                let n = data.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, Int(b.len), off_t(offset)) }
                guard n == Int(b.len) else { return finish(Self.stIOErr, done) }
                guard data.withUnsafeBytes({ store(b.addr, $0) }) else { return finish(Self.stIOErr, done) }
                offset += UInt64(b.len)
                done += b.len
            }
            return finish(Self.stOK, done)
        case Self.tOut:
            guard !readOnly else { return finish(Self.stIOErr, 0) }
            let total = readableData
            guard writableData == 0, total > 0, total < UInt64(UInt32.max), total % Self.sectorSize == 0,
                  inRange(sector, total) else {
                return finish(Self.stIOErr, 0)
            }
            var offset = sector * Self.sectorSize
            for b in readable where b.len > 0 {
                guard let p = ram(b.addr, UInt64(b.len), write: false) else { return finish(Self.stIOErr, 0) }
                guard pwrite(fd, p, Int(b.len), off_t(offset)) == Int(b.len) else { return finish(Self.stIOErr, 0) }
                offset += UInt64(b.len)
            }
            return finish(Self.stOK, 0)
        case Self.tFlush:
            guard driverFeatureBits & Self.fFlush != 0 else { return finish(Self.stUnsupported, 0) }
            return finish(readOnly || fsync(fd) == 0 ? Self.stOK : Self.stIOErr, 0)
        case Self.tGetID:
            var id = [UInt8](repeating: 0, count: 20)
            let name = Array("vireo-\(path.split(separator: "/").last ?? "disk")".utf8.prefix(20))
            id.replaceSubrange(0..<name.count, with: name)
            var done: UInt32 = 0
            for b in writable where b.len > 0 && done < 20 {
                let n = min(Int(b.len), 20 - Int(done))
                guard id[Int(done)..<(Int(done) + n)].withUnsafeBytes({ store(b.addr, $0) }) else { return finish(Self.stIOErr, done) }
                done += UInt32(n)
            }
            return finish(Self.stOK, done)
        default:
            return finish(Self.stUnsupported, 0)
        }
    }

    func inRange(_ sector: UInt64, _ bytes: UInt64) -> Bool {
        let (end, o) = sector.addingReportingOverflow((bytes + Self.sectorSize - 1) / Self.sectorSize)
        return !o && end <= capacitySectors
    }

    /// Takes `count` bytes from the front of the readable buffers.
    func readBytes(_ buffers: inout [Buffer], _ count: Int) -> [UInt8]? {
        var out: [UInt8] = []
        while out.count < count {
            guard !buffers.isEmpty else { return nil }
            let n = min(Int(buffers[0].len), count - out.count)
            guard let p = ram(buffers[0].addr, UInt64(max(n, 1)), write: false) else { return nil }
            out += UnsafeRawBufferPointer(start: p, count: n)
            buffers[0].addr += UInt64(n)
            buffers[0].len -= UInt32(n)
            if buffers[0].len == 0 { buffers.removeFirst() }
        }
        return out
    }

    func needsReset() {
        deviceStatus |= Self.sNeedsReset
        interrupt |= 2  // configuration change notification (§2.1.2)
        interruptUpdated = true
    }

    /// Posts the completions whose latency has passed: used-ring entries, then the interrupt
    /// (unless the driver asked for none, VIRTQ_AVAIL_F_NO_INTERRUPT).
    func advance(cycles: UInt64) {
        guard !inFlight.isEmpty else { return }
        guard ready, deviceStatus & Self.sDriverOK != 0, deviceStatus & Self.sNeedsReset == 0 else {
            inFlight.removeAll()
            return
        }
        var posted = false
        while let first = inFlight.first, first.due <= cycles {
            inFlight.removeFirst()
            let slot = usedAddr &+ 4 &+ 8 &* UInt64(usedIdx % UInt16(queueSize))
            var elem = (UInt32(first.head), first.written)
            guard withUnsafeBytes(of: &elem, { store(slot, $0) }) else { needsReset(); return }
            usedIdx &+= 1
            if let t = bus.traceEvents { t.virtioComplete(slot: self.slot, head: first.head) }
            var idx = usedIdx
            guard withUnsafeBytes(of: &idx, { store(usedAddr &+ 2, $0) }) else { needsReset(); return }
            posted = true
        }
        if posted, let flags = load16(availAddr), flags & 1 == 0 {
            interrupt |= 1
            interruptUpdated = true
        }
    }

    /// The cycle of the next completion, if any.
    var nextEventCycle: UInt64? { inFlight.first?.due }
}
