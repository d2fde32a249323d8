/// A guest's RAM as the firmware sees it: guest-physical [base, base + size) at host
/// address `host`. Every guest address the device models follow goes through `pointer`.
public struct GuestRAM {
    public let base: UInt64
    public let size: UInt64
    public let host: UnsafeMutableRawPointer

    public init(base: UInt64, size: UInt64, host: UnsafeMutableRawPointer) {
        self.base = base
        self.size = size
        self.host = host
    }

    /// The host address of guest-physical [gpa, gpa + length), or nil when any of it lies
    /// outside guest RAM.
    public func pointer(_ gpa: UInt64, _ length: UInt64) -> UnsafeMutableRawPointer? {
        guard gpa >= base else { return nil }
        let offset = gpa - base
        guard offset <= size, length <= size - offset else { return nil }
        return host + Int(offset)
    }
}

/// The register interface of a virtio-mmio block device, version 2 (virtio 1.2 §4.2.2,
/// "MMIO Device Register Layout"; §5.2, "Block Device"), and its one split virtqueue
/// (§2.7), as the firmware emulates it for a guest. The data is moved by a backend (Dom0)
/// through the firmware: the backend never sees guest memory, only what `pop` found and
/// `copy` moves, and every descriptor is checked against the guest's RAM first.
///
/// A virtqueue the driver breaks (a descriptor index out of range, a loop, a buffer
/// outside its RAM, an indirect descriptor it did not negotiate, device-readable after
/// device-writable, no room for the header or the status byte) puts the device in
/// DEVICE_NEEDS_RESET with a configuration-change interrupt (§2.1.2, §4.2.3.2); a request
/// that is well formed but wrong (a sector beyond the disk, a write to a read-only disk,
/// a length not a multiple of 512 or above `maxRequestBytes`) fails with VIRTIO_BLK_S_IOERR without reaching the
/// backend.
public struct VirtioBlockFrontend {
    public static let magic: UInt32 = 0x7472_6976           // "virt"
    /// QEMU's VendorID ("QEMU"), which drivers written for QEMU virt check (§4.2.2 leaves
    /// the value to the device; docs/qemu-compatibility.md). Guests see it under the
    /// hypervisor as on the board and on QEMU.
    public static let vendor: UInt32 = 0x554D_4551
    public static let deviceID: UInt32 = 2
    public static let queueMax: UInt32 = 256
    /// Most data descriptors in one request (SEG_MAX tells the driver 2 fewer).
    public static let maxSegments = 128
    /// The largest segment the driver may use (SIZE_MAX), and so the longest request:
    /// (maxSegments − 2) × sizeMax = 4,032 KiB. Longer ones fail with IOERR, so that one
    /// request is bounded work for Dom0 (a review found a 128 MiB request of aliased
    /// descriptors holding the backend for a quarter of a second).
    public static let sizeMax: UInt64 = 32 << 10
    public static let maxRequestBytes = UInt64(maxSegments - 2) * sizeMax
    public static let sectorSize: UInt64 = 512

    // Feature bits (§6, §5.2.3).
    public static let featureSizeMax: UInt64 = 1 << 1
    public static let featureSegMax: UInt64 = 1 << 2
    public static let featureRO: UInt64 = 1 << 5
    public static let featureFlush: UInt64 = 1 << 9
    public static let featureVersion1: UInt64 = 1 << 32

    // Device status bits (§2.1).
    public static let statusAcknowledge: UInt32 = 1
    public static let statusDriver: UInt32 = 2
    public static let statusDriverOK: UInt32 = 4
    public static let statusFeaturesOK: UInt32 = 8
    public static let statusNeedsReset: UInt32 = 64
    public static let statusFailed: UInt32 = 128

    // Request types and status values (§5.2.6).
    public static let typeIn: UInt32 = 0
    public static let typeOut: UInt32 = 1
    public static let typeFlush: UInt32 = 4
    public static let typeGetID: UInt32 = 8
    public static let ok: UInt8 = 0
    public static let ioError: UInt8 = 1
    public static let unsupported: UInt8 = 2

    public let capacity: UInt64
    public let readOnly: Bool
    public let features: UInt64

    public private(set) var status: UInt32 = 0
    public private(set) var interruptStatus: UInt32 = 0
    var deviceFeaturesSel: UInt32 = 0
    var driverFeaturesSel: UInt32 = 0
    public private(set) var driverFeatures: UInt64 = 0
    var queueSel: UInt32 = 0
    public private(set) var queueNum: UInt32 = VirtioBlockFrontend.queueMax
    public private(set) var queueReady = false
    public private(set) var descArea: UInt64 = 0
    public private(set) var driverArea: UInt64 = 0
    public private(set) var deviceArea: UInt64 = 0
    var configGeneration: UInt32 = 0
    /// The next avail ring slot to take, and the used ring's next index.
    var lastAvail: UInt16 = 0
    var usedIndex: UInt16 = 0
    /// The driver notified the queue since the backend last found it empty.
    public var notified = false

    /// One piece of a request's data in guest memory.
    struct Segment {
        var gpa: UInt64
        var length: UInt64
    }

    /// The request the backend holds (one at a time).
    public struct Request: Equatable {
        public let head: UInt16
        public let type: UInt32
        public let sector: UInt64
        /// Bytes of data: what a write carries, or room a read (or GET_ID) fills.
        public let length: UInt64
        /// Names this request to the backend (15 bits, counting pops): a copy or completion
        /// meant for a request the driver dropped by a reset cannot land on its successor.
        public var token: UInt32 = 0
    }
    var pops: UInt32 = 0
    public private(set) var inFlight: Request? = nil
    var segments: [Segment] = []
    var statusByte: UInt64 = 0

    public init(capacity: UInt64, readOnly: Bool) {
        self.capacity = capacity
        self.readOnly = readOnly
        features = VirtioBlockFrontend.featureVersion1 | VirtioBlockFrontend.featureFlush | VirtioBlockFrontend.featureSegMax
            | VirtioBlockFrontend.featureSizeMax
            | (readOnly ? VirtioBlockFrontend.featureRO : 0)
    }

    /// The device's interrupt line (level): used buffers or a configuration change not yet
    /// acknowledged.
    public var line: Bool { interruptStatus != 0 }

    public var isLive: Bool {
        status & VirtioBlockFrontend.statusDriverOK != 0 && status & VirtioBlockFrontend.statusNeedsReset == 0 && queueReady
    }

    /// Configuration space (§5.2.4): capacity, size_max, seg_max.
    func configByte(_ i: UInt64) -> UInt8 {
        let value: UInt64
        let shift: UInt64
        switch i {
        case 0..<8: value = capacity; shift = i * 8
        case 8..<12: value = VirtioBlockFrontend.sizeMax; shift = (i - 8) * 8
        case 12..<16: value = UInt64(VirtioBlockFrontend.maxSegments - 2); shift = (i - 12) * 8
        default: return 0
        }
        return UInt8(truncatingIfNeeded: value >> shift)
    }

    /// A register read: nil refuses it (a misaligned or odd-sized access outside the
    /// configuration space, as QEMU refuses it).
    public func read(offset: UInt64, width: UInt64) -> UInt64? {
        if offset >= 0x100 {
            guard width == 1 || width == 2 || width == 4 || width == 8, offset & (width - 1) == 0 else { return nil }
            var v: UInt64 = 0
            for i in 0..<width { v |= UInt64(configByte(offset - 0x100 + i)) << (8 * i) }
            return v
        }
        guard width == 4, offset & 3 == 0 else { return nil }
        let q0 = queueSel == 0
        switch offset {
        case 0x000: return UInt64(VirtioBlockFrontend.magic)
        case 0x004: return 2
        case 0x008: return UInt64(VirtioBlockFrontend.deviceID)
        case 0x00C: return UInt64(VirtioBlockFrontend.vendor)
        case 0x010: return deviceFeaturesSel < 2 ? (features >> (32 * UInt64(deviceFeaturesSel))) & 0xFFFF_FFFF : 0
        case 0x034: return q0 ? UInt64(VirtioBlockFrontend.queueMax) : 0
        case 0x044: return q0 && queueReady ? 1 : 0
        case 0x060: return UInt64(interruptStatus)
        case 0x070: return UInt64(status)
        case 0x0FC: return UInt64(configGeneration)
        default: return 0
        }
    }

    /// What a register write asks of the firmware.
    public enum Effect: Equatable {
        case none
        /// The driver notified the queue: the backend should look.
        case notify
        /// The device was reset: a request in flight is dropped.
        case reset
    }

    /// A register write; false refuses it.
    public mutating func write(offset: UInt64, width: UInt64, value: UInt64) -> (Bool, Effect) {
        guard offset < 0x100 else { return (width <= 8, .none) }       // config space is read-only
        guard width == 4, offset & 3 == 0 else { return (false, .none) }
        let v = UInt32(truncatingIfNeeded: value)
        let q0 = queueSel == 0
        // Queue registers change only while the queue is not ready (§4.2.2.2).
        let configurable = q0 && !queueReady
        func low(_ old: UInt64) -> UInt64 { (old & ~0xFFFF_FFFF) | UInt64(v) }
        func high(_ old: UInt64) -> UInt64 { (old & 0xFFFF_FFFF) | UInt64(v) << 32 }
        switch offset {
        case 0x014: deviceFeaturesSel = v
        case 0x020:
            if driverFeaturesSel < 2 && status & VirtioBlockFrontend.statusFeaturesOK == 0 {
                let shift = 32 * UInt64(driverFeaturesSel)
                driverFeatures = (driverFeatures & ~(0xFFFF_FFFF << shift)) | UInt64(v) << shift
            }
        case 0x024: driverFeaturesSel = v
        case 0x030: queueSel = v
        case 0x038: if configurable && v >= 1 && v <= VirtioBlockFrontend.queueMax { queueNum = v }
        case 0x044:
            if q0 {
                if v & 1 != 0 && !queueReady {
                    queueReady = true
                    lastAvail = 0
                    usedIndex = 0
                } else if v & 1 == 0 {
                    // The device must not touch the queue from now on (§4.2.2.2): a request
                    // in flight is dropped, as by a reset.
                    queueReady = false
                    inFlight = nil
                    segments.removeAll()
                }
            }
        case 0x050:
            if v == 0 && isLive {
                notified = true
                return (true, .notify)
            }
        case 0x064: interruptStatus &= ~(v & 3)
        case 0x070:
            if v == 0 {
                reset()
                return (true, .reset)
            }
            var next = v
            // FEATURES_OK only for a subset of what was offered, with VERSION_1 (§3.1.1, §6.1).
            if next & VirtioBlockFrontend.statusFeaturesOK != 0 && status & VirtioBlockFrontend.statusFeaturesOK == 0 {
                if driverFeatures & ~features != 0 || driverFeatures & VirtioBlockFrontend.featureVersion1 == 0 {
                    next &= ~VirtioBlockFrontend.statusFeaturesOK
                }
            }
            status = (status & VirtioBlockFrontend.statusNeedsReset) | next
        case 0x080: if configurable { descArea = low(descArea) }
        case 0x084: if configurable { descArea = high(descArea) }
        case 0x090: if configurable { driverArea = low(driverArea) }
        case 0x094: if configurable { driverArea = high(driverArea) }
        case 0x0A0: if configurable { deviceArea = low(deviceArea) }
        case 0x0A4: if configurable { deviceArea = high(deviceArea) }
        default: break
        }
        return (true, .none)
    }

    /// Back to the state after power-on (status 0, §2.1.1, §4.2.3.1).
    public mutating func reset() {
        status = 0
        interruptStatus = 0
        deviceFeaturesSel = 0
        driverFeaturesSel = 0
        driverFeatures = 0
        queueSel = 0
        queueNum = VirtioBlockFrontend.queueMax
        queueReady = false
        descArea = 0
        driverArea = 0
        deviceArea = 0
        lastAvail = 0
        usedIndex = 0
        notified = false
        inFlight = nil
        segments.removeAll()
    }

    /// What `pop` found.
    public enum Popped: Equatable {
        /// Nothing waits (or a request is already in flight, or the queue is not live).
        case empty
        /// A request for the backend (now `inFlight`).
        case request(Request)
        /// A request the frontend answered itself (IOERR or UNSUPP): the line may have
        /// changed; pop again.
        case answered
        /// The virtqueue is broken: DEVICE_NEEDS_RESET is set, with a configuration
        /// interrupt.
        case broken
    }

    mutating func breakDevice() -> Popped {
        status |= VirtioBlockFrontend.statusNeedsReset
        if status & VirtioBlockFrontend.statusDriverOK != 0 { interruptStatus |= 2 }
        inFlight = nil
        segments.removeAll()
        notified = false
        return .broken
    }

    /// Takes the next available request off the queue (§2.7.13: the driver's avail ring),
    /// checking every descriptor of its chain.
    public mutating func pop(_ ram: GuestRAM) -> Popped {
        guard isLive, inFlight == nil else { return .empty }
        let n = UInt64(queueNum)
        guard descArea & 15 == 0, driverArea & 1 == 0, deviceArea & 3 == 0,
              let desc = ram.pointer(descArea, 16 * n),
              let avail = ram.pointer(driverArea, 6 + 2 * n),
              ram.pointer(deviceArea, 6 + 8 * n) != nil else { return breakDevice() }
        let availIndex = avail.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
        let waiting = availIndex &- lastAvail
        guard UInt64(waiting) <= n else { return breakDevice() }
        guard waiting != 0 else {
            notified = false
            return .empty
        }
        let head = avail.loadUnaligned(fromByteOffset: 4 + 2 * Int(UInt64(lastAvail) % n), as: UInt16.self)
        guard UInt64(head) < n else { return breakDevice() }
        lastAvail &+= 1

        // Walk the chain: readable descriptors, then writable ones (§2.7.4.2).
        var readable: [Segment] = []
        var writable: [Segment] = []
        var index = UInt64(head)
        var count: UInt64 = 0
        while true {
            count += 1
            // Every descriptor counts, empty ones too: a chain is bounded work (at most the
            // data segments, the header and the status).
            guard count <= n, count <= UInt64(VirtioBlockFrontend.maxSegments + 2) else { return breakDevice() }
            let d = desc + Int(index * 16)
            let addr = d.loadUnaligned(as: UInt64.self)
            let length = UInt64(d.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
            let flags = d.loadUnaligned(fromByteOffset: 12, as: UInt16.self)
            let next = d.loadUnaligned(fromByteOffset: 14, as: UInt16.self)
            guard flags & 4 == 0, ram.pointer(addr, length) != nil else { return breakDevice() }   // no INDIRECT
            if length > 0 {
                if flags & 2 != 0 {
                    writable.append(Segment(gpa: addr, length: length))
                } else {
                    guard writable.isEmpty else { return breakDevice() }
                    readable.append(Segment(gpa: addr, length: length))
                }
                // At most maxSegments data descriptors, the header and the status.
                guard readable.count + writable.count <= VirtioBlockFrontend.maxSegments + 2 else { return breakDevice() }
            }
            guard flags & 1 != 0 else { break }
            guard UInt64(next) < n else { return breakDevice() }
            index = UInt64(next)
        }
        // The header: the first 16 readable bytes; the status: the last writable byte.
        var header = [UInt8](repeating: 0, count: 16)
        guard Self.gather(ram, readable, into: &header) else { return breakDevice() }
        guard let last = writable.last else { return breakDevice() }
        statusByte = last.gpa + last.length - 1
        if last.length == 1 { writable.removeLast() } else { writable[writable.count - 1].length -= 1 }
        let type = UInt32(header[0]) | UInt32(header[1]) << 8 | UInt32(header[2]) << 16 | UInt32(header[3]) << 24
        var sector: UInt64 = 0
        for i in 0..<8 { sector |= UInt64(header[8 + i]) << (8 * UInt64(i)) }
        Self.skip(&readable, 16)
        let data = type == VirtioBlockFrontend.typeOut ? readable : writable
        let length = data.reduce(0) { $0 &+ $1.length }
        segments = data
        pops = (pops &+ 1) & 0x7FFF
        var request = Request(head: head, type: type, sector: sector, length: length)
        request.token = pops
        inFlight = request
        switch type {
        case VirtioBlockFrontend.typeIn, VirtioBlockFrontend.typeOut:
            let sectors = length / VirtioBlockFrontend.sectorSize
            if length % VirtioBlockFrontend.sectorSize != 0 || length > VirtioBlockFrontend.maxRequestBytes
                || sector > capacity || sectors > capacity - sector
                || (type == VirtioBlockFrontend.typeOut && readOnly) {
                answer(ram, VirtioBlockFrontend.ioError, written: 0)
                return .answered
            }
        case VirtioBlockFrontend.typeFlush, VirtioBlockFrontend.typeGetID:
            break
        default:
            answer(ram, VirtioBlockFrontend.unsupported, written: 0)
            return .answered
        }
        return .request(request)
    }

    /// Copies the first `bytes.count` bytes of `segments` (guest memory) into `bytes`.
    static func gather(_ ram: GuestRAM, _ segments: [Segment], into bytes: inout [UInt8]) -> Bool {
        var filled = 0
        for s in segments where filled < bytes.count {
            guard let p = ram.pointer(s.gpa, s.length) else { return false }
            let n = min(Int(s.length), bytes.count - filled)
            for i in 0..<n { bytes[filled + i] = p.load(fromByteOffset: i, as: UInt8.self) }
            filled += n
        }
        return filled == bytes.count
    }

    /// Drops the first `count` bytes of `segments`.
    static func skip(_ segments: inout [Segment], _ count: UInt64) {
        var left = count
        while left > 0, !segments.isEmpty {
            if segments[0].length <= left {
                left -= segments[0].length
                segments.removeFirst()
            } else {
                segments[0].gpa += left
                segments[0].length -= left
                left = 0
            }
        }
    }

    /// Moves `length` bytes between the in-flight request's data, from byte `offset`, and
    /// `buffer`: into guest memory (`toGuest`, a read's data) or out of it. Returns the
    /// bytes moved, or nil when no request is in flight (or not the one `token` names), the
    /// direction does not match its type, or the range lies outside its data.
    public func copy(_ ram: GuestRAM, offset: UInt64, buffer: UnsafeMutableRawPointer, length: UInt64, toGuest: Bool,
                     token: UInt32? = nil) -> UInt64? {
        guard let r = inFlight, token == nil || token == r.token else { return nil }
        let guestWrites = r.type != VirtioBlockFrontend.typeOut
        guard toGuest == guestWrites, offset <= r.length, length <= r.length - offset else { return nil }
        var skip = offset, done: UInt64 = 0
        for s in segments where done < length {
            if skip >= s.length { skip -= s.length; continue }
            let n = min(s.length - skip, length - done)
            guard let p = ram.pointer(s.gpa + skip, n) else { return nil }
            if toGuest { p.copyMemory(from: buffer + Int(done), byteCount: Int(n)) } else { (buffer + Int(done)).copyMemory(from: p, byteCount: Int(n)) }
            done += n
            skip = 0
        }
        return done
    }

    /// Ends the in-flight request with `status`; `written` is how many data bytes the
    /// device wrote into guest buffers. False when none is in flight.
    @discardableResult
    public mutating func complete(_ ram: GuestRAM, status: UInt8, token: UInt32? = nil) -> Bool {
        guard let r = inFlight, token == nil || token == r.token else { return false }
        let written = r.type == VirtioBlockFrontend.typeOut || status != VirtioBlockFrontend.ok ? 0 : r.length
        answer(ram, status, written: written)
        return true
    }

    /// Writes the status byte and the used ring entry (§2.7.8), and raises the used-buffer
    /// interrupt.
    mutating func answer(_ ram: GuestRAM, _ value: UInt8, written: UInt64) {
        guard let r = inFlight else { return }
        inFlight = nil
        segments.removeAll()
        notified = true      // more may wait behind it
        let n = UInt64(queueNum)
        guard let statusPointer = ram.pointer(statusByte, 1), let used = ram.pointer(deviceArea, 6 + 8 * n) else {
            _ = breakDevice()
            return
        }
        statusPointer.storeBytes(of: value, as: UInt8.self)
        let slot = 4 + 8 * Int(UInt64(usedIndex) % n)
        used.storeBytes(of: UInt32(r.head), toByteOffset: slot, as: UInt32.self)
        used.storeBytes(of: UInt32(truncatingIfNeeded: written + 1), toByteOffset: slot + 4, as: UInt32.self)
        usedIndex &+= 1
        used.storeBytes(of: usedIndex, toByteOffset: 2, as: UInt16.self)
        interruptStatus |= 1
    }
}
